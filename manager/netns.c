// SPDX-License-Identifier: GPL-2.0-only
/* Network namespaces: `-n NAME` runs a verb in another network namespace (as `ip -n`), and under
 * `ip netns exec` the bpffs the caller sees comes back on /sys/fs/bpf. */
#define _GNU_SOURCE
#include "xdpkit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#define NETNS_RUN_DIR "/run/netns"
#define BPFFS "/sys/fs/bpf"

/* As `ip -n NAME`: setns into /run/netns/NAME (or a namespace file named by an absolute path,
 * e.g. /proc/PID/ns/net). Only the network namespace changes: unlike `ip -n`, nothing is remounted,
 * so bpffs stays the caller's. Interfaces are then looked up by ioctl and netlink, both of which
 * answer for the namespace the process is in (sysfs would not: it shows the mounter's). */
int xk_netns_enter(const char *name)
{
	char path[PATH_MAX];
	int fd, err;

	if (!*name ||
	    (name[0] != '/' && (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))))
		return xk_error(
			XK_EXIT_USAGE,
			"--netns '%s' is not a namespace name; give a name from 'ip netns list' or the path of a namespace file",
			name);
	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else if (snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name) >= (int)sizeof(path))
		return xk_error(XK_EXIT_USAGE, "--netns '%.32s...' is too long", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		return xk_error(err == ENOENT ? XK_EXIT_NOTFOUND : XK_EXIT_ENV,
				"cannot open network namespace '%s' (%s): %s; see 'ip netns list'",
				name, path, strerror(err));
	}
	if (setns(fd, CLONE_NEWNET)) {
		err = errno;
		close(fd);
		if (err == EINVAL)
			return xk_error(
				XK_EXIT_USAGE,
				"'%s' is not a network namespace; give a name from 'ip netns list'",
				path);
		return xk_error(XK_EXIT_ENV,
				"cannot enter network namespace '%s': %s; run it as root", name,
				strerror(err));
	}
	close(fd);
	return 0;
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

/* The parent of a process from /proc/PID/stat ("PID (COMM) STATE PPID ..."; COMM may hold
 * spaces and parentheses, so the fields count from the last ')'); 0 when unknown. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The process whose bpffs to use when this one has none at /sys/fs/bpf: the nearest ancestor in
 * another mount namespace, under `ip netns exec CMD` (which execs CMD itself) the parent, through a
 * shell run by `ip netns exec` one step further. Only when /sys here is another sysfs than the
 * ancestor's, as `ip netns exec` mounts: where /sys is the ancestor's and bpffs was merely
 * unmounted (a private mount namespace, a test), bpffs is mounted here as before, never the
 * machine's taken instead. Processes we may not look into (a sandbox's PID 1) are passed over.
 * 0 when none. */
static pid_t bpffs_ancestor(void)
{
	struct stat self, sys, st;
	char path[64];
	pid_t pid;
	int depth;

	if (stat("/proc/self/ns/mnt", &self) || stat("/sys", &sys))
		return 0;
	for (pid = getppid(), depth = 0; pid > 0 && depth < 64; pid = parent_of(pid), depth++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
		if (stat(path, &st) || same_file(&st, &self))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/root/sys", (int)pid);
		if (stat(path, &st))
			continue;
		if (st.st_dev == sys.st_dev)
			return 0; /* the same /sys: not remounted, bpffs only unmounted */
		snprintf(path, sizeof(path), "/proc/%d/root" BPFFS, (int)pid);
		if (is_bpffs(path))
			return pid;
		if (pid == 1)
			break;
	}
	return 0;
}

/* The bpffs at /sys/fs/bpf of mount namespace nsfd, as a detached mount. A mount of another
 * namespace cannot be bind-mounted from here (the kernel refuses a source outside the caller's
 * namespace), but a clone made inside that namespace belongs to none and may be moved anywhere:
 * so enter it, clone, and come back to own. Both namespace changes leave the root and working
 * directory at the namespace's root, so both are put back. */
static int clone_bpffs_of(int nsfd, int own, int *tree)
{
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	*tree = -1;
	if (root < 0 || cwd < 0) {
		err = -errno;
		goto out;
	}
	if (setns(nsfd, CLONE_NEWNS)) {
		err = -errno;
		goto out;
	}
	*tree = open_tree(AT_FDCWD, BPFFS, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (*tree < 0)
		err = -errno;
	if (setns(own, CLONE_NEWNS)) {
		/* Stranded in the caller's namespace: nothing of ours may run on from here. */
		xk_error(XK_EXIT_ENV, "cannot return to this mount namespace: %s", strerror(errno));
		exit(XK_EXIT_ENV);
	}
	if (fchdir(root) || chroot(".") || fchdir(cwd)) {
		xk_error(XK_EXIT_ENV, "cannot restore the working directory: %s", strerror(errno));
		exit(XK_EXIT_ENV);
	}
out:
	if (root >= 0)
		close(root);
	if (cwd >= 0)
		close(cwd);
	if (err && *tree >= 0) {
		close(*tree);
		*tree = -1;
	}
	return err;
}

/* Put the bpffs that process pid sees on /sys/fs/bpf, in a mount namespace of our own: the mount
 * goes with this process and touches no one else's view, whatever the propagation of the
 * namespace we were started in. */
static int adopt_bpffs(pid_t pid)
{
	char path[64];
	int nsfd, own = -1, tree = -1, err;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return -errno;
	if (unshare(CLONE_NEWNS)) {
		err = -errno;
		goto out;
	}
	/* Ours only: mounts made below do not propagate back. "/" may not be a mount point (a
	 * chroot); then /sys, where the mount goes, is enough. */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) &&
	    mount(NULL, "/sys", NULL, MS_SLAVE | MS_REC, NULL)) {
		err = -errno;
		goto out;
	}
	own = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (own < 0) {
		err = -errno;
		goto out;
	}
	err = clone_bpffs_of(nsfd, own, &tree);
	if (err)
		goto out;
	if (move_mount(tree, "", AT_FDCWD, BPFFS, MOVE_MOUNT_F_EMPTY_PATH))
		err = -errno;
	else if (!is_bpffs(BPFFS))
		err = -ENODEV;
out:
	if (tree >= 0)
		close(tree);
	if (own >= 0)
		close(own);
	close(nsfd);
	return err;
}

int xk_callers_bpffs(void)
{
	pid_t pid;
	int err;

	if (geteuid() != 0 || is_bpffs(BPFFS))
		return 0;
	pid = bpffs_ancestor();
	if (!pid)
		return 0;
	err = adopt_bpffs(pid);
	if (err)
		return xk_error(
			XK_EXIT_ENV,
			"/sys/fs/bpf here is not bpffs (as under 'ip netns exec', which mounts a fresh /sys) and using the bpffs of the calling process %d failed: %s; run 'xdpkit -n NAME ...' instead of 'ip netns exec NAME xdpkit ...'",
			(int)pid, strerror(-err));
	if (xk.verbose)
		fprintf(stderr,
			"xdpkit: using the bpffs of process %d (this mount namespace has none)\n",
			(int)pid);
	return 0;
}
