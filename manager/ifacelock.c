// SPDX-License-Identifier: GPL-2.0-only
/* One lock per interface: an attach holds it from reading what runs on the hook to the change it
 * makes, so "is this program already there?" and the attach that follows are one step against
 * every other xdpkit (detach holds it too). libxdp's own lock cannot do this: it is held only
 * inside each libxdp call, and one process cannot hold it around those calls (a second flock on
 * the same directory from the same process blocks). A flock on a file of ours per network
 * namespace and ifindex (the same ifindex may exist in two namespaces), under /run, which every
 * mount namespace shares: `ip netns exec`, nsenter and a private bpffs all meet on it. The kernel
 * drops the lock with the process, even one killed with -9. */
#include "corebtf.h"
#include "hooks.h"
#include "xdpkit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_DIR XK_BOOT_DIR "/lock"

static int lock_fd = -1;
static char lock_path[PATH_MAX];

int xk_iface_lock(int ifindex)
{
	struct stat ns, held, named;
	int fd;

	if (stat("/proc/self/ns/net", &ns))
		return -errno;
	if ((mkdir(XK_BOOT_DIR, 0700) && errno != EEXIST) ||
	    (mkdir(LOCK_DIR, 0700) && errno != EEXIST))
		return -errno;
	snprintf(lock_path, sizeof(lock_path), "%s/net%llu-if%d", LOCK_DIR,
		 (unsigned long long)ns.st_ino, ifindex);
	for (;;) {
		fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		while (flock(fd, LOCK_EX) && errno == EINTR)
			;
		/* The holder before us removes the file on its way out (so that files of gone
		 * namespaces do not pile up): a lock on a file no longer under that name locks
		 * nothing, so take the one that is there now. */
		if (!fstat(fd, &held) && !stat(lock_path, &named) && held.st_ino == named.st_ino)
			break;
		close(fd);
	}
	lock_fd = fd;
	return 0;
}

void xk_iface_unlock(void)
{
	if (lock_fd < 0)
		return;
	/* Removed while still held: whoever waits on this file finds it gone and starts over. */
	unlink(lock_path);
	close(lock_fd);
	lock_fd = -1;
}

int xk_iface_lock_or_say(int ifindex, const char *ifname)
{
	int err = xk_iface_lock(ifindex);

	if (err)
		return xk_error(XK_EXIT_ENV,
				"cannot take the lock of %s under %s: %s; %s must be writable (tmpfs)",
				ifname, LOCK_DIR, strerror(-err), XK_BOOT_DIR);
	return 0;
}
