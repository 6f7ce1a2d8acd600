// SPDX-License-Identifier: GPL-2.0-only
/* With iproute2's pin directory as the pin root (--pin-root /sys/fs/bpf/tc/globals, or its XDP
 * name xdp/globals), keep iproute2's layout whole, so copies attached by ip (XDP), tc and xdpkit
 * share the same maps in whichever order they came.
 *
 * iproute2 pins by-name maps of TC programs in tc/globals and of XDP programs in xdp/globals; on
 * its first run it makes tc/globals and /sys/fs/bpf/xdp a link to tc/, so both are one directory.
 * But libxdp (xdpkit, xdp-loader) makes /sys/fs/bpf/xdp a directory for its dispatcher state, and
 * once it has, iproute2 leaves it and makes xdp/globals a directory of its own: ip's XDP copies
 * then get maps of their own, apart from tc's and from ours. So here, as iproute2 would have on a
 * first run: tc/globals, and /sys/fs/bpf/xdp as its link to tc/ when nothing is there yet (libxdp's
 * state then lives in tc/, as after `ip` went first); where libxdp made xdp/ already, xdp/globals
 * as a link to tc/globals, which iproute2 takes as it is (its mkdir finds it there). Maps ip pinned
 * in a separate xdp/globals move to tc/globals first (a rename in bpffs: the same maps, and through
 * the link the same paths, so ip's copies see no change). Two different maps of one name in both
 * cannot be joined: they stay, and a note says so. Nothing of this happens with any other pin root.
 */
#define _GNU_SOURCE
#include "hooks.h"
#include "model.h"
#include "xdpkit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TC_DIR "/sys/fs/bpf/tc"
#define TC_GLOBALS TC_DIR "/globals"
#define XDP_DIR "/sys/fs/bpf/xdp"
#define XDP_GLOBALS XDP_DIR "/globals"
/* The link targets exactly as iproute2 writes them (absolute, with a trailing slash). */
#define TC_LINK TC_DIR "/"
#define TC_GLOBALS_LINK TC_GLOBALS "/"

bool xk_pin_root_is_iproute2(void)
{
	return !strcmp(xk.pin_root, TC_GLOBALS) || !strcmp(xk.pin_root, XDP_GLOBALS);
}

static int mkdir_ok(const char *dir)
{
	return mkdir(dir, 0700) && errno != EEXIST ? -errno : 0;
}

/* Move the maps of a separate xdp/globals into tc/globals. Returns how many names stay behind (two
 * different maps of one name, or anything that is not a pin), or -errno. */
static int merge_xdp_globals(char *kept, size_t len)
{
	struct dirent *de;
	int left = 0, err = 0;
	DIR *d = opendir(XDP_GLOBALS);

	if (!d)
		return -errno;
	kept[0] = '\0';
	while ((de = readdir(d))) {
		char from[PATH_MAX], to[PATH_MAX];
		__u32 id;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(from, sizeof(from), XDP_GLOBALS "/%s", de->d_name);
		snprintf(to, sizeof(to), TC_GLOBALS "/%s", de->d_name);
		id = de->d_type == DT_DIR ? 0 : xk_pinned_map_id(from);
		/* RENAME_NOREPLACE: a pin of that name in tc/globals is never overwritten. */
		if (id && !renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE))
			continue;
		if (id && errno != EEXIST) {
			err = -errno;
			break;
		}
		if (id && xk_pinned_map_id(to) == id) {
			unlink(from); /* the same map pinned twice: the tc/globals pin stays */
			continue;
		}
		if (!left++)
			snprintf(kept, len, "%s", de->d_name);
	}
	closedir(d);
	return err ? err : left;
}

static void note_kept(int left, const char *name)
{
	char more[32] = "";

	if (left > 1)
		snprintf(more, sizeof(more), " (and %d more)", left - 1);
	fprintf(stderr,
		"xdpkit: note: " XDP_GLOBALS " (where ip pinned for XDP) and " TC_GLOBALS
		" hold different maps named %s%s, so XDP copies attached by ip do not share those rules; copy the rules over (xdpkit map dump, map load) and remove the pins in " XDP_GLOBALS
		", and xdpkit links the two directories on its next run\n",
		name, more);
}

static int link_xdp_globals(void)
{
	char kept[NAME_MAX + 1];
	struct stat st;
	int left;

	if (!lstat(XDP_GLOBALS, &st)) {
		if (!S_ISDIR(st.st_mode))
			return 0; /* a link already (ours or anyone's) */
		left = merge_xdp_globals(kept, sizeof(kept));
		if (left > 0)
			note_kept(left, kept);
		if (left)
			return left < 0 ? left : 0;
		if (rmdir(XDP_GLOBALS) && errno != ENOENT)
			return errno == ENOTEMPTY ? 0 : -errno; /* ip pinned meanwhile: next time */
	} else if (errno != ENOENT) {
		return -errno;
	}
	if (symlink(TC_GLOBALS_LINK, XDP_GLOBALS) && errno != EEXIST)
		return -errno;
	return 0;
}

static int make_layout(void)
{
	struct stat st;
	int err;

	err = mkdir_ok(TC_DIR);
	if (!err)
		err = mkdir_ok(TC_GLOBALS);
	if (err)
		return err;
	if (!symlink(TC_LINK, XDP_DIR))
		return 0;
	if (errno != EEXIST)
		return -errno;
	/* Something is there: iproute2's link (nothing to do), or libxdp's directory. */
	if (lstat(XDP_DIR, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? link_xdp_globals() : 0;
}

int xk_iproute2_layout(void)
{
	int err;

	if (!xk_pin_root_is_iproute2())
		return 0;
	xk_lock();
	err = make_layout();
	xk_unlock();
	if (err)
		return xk_error(XK_EXIT_ENV,
				"cannot lay out iproute2's pin directories (" TC_GLOBALS
				", " XDP_DIR
				" as a link to it) for --pin-root %s: %s; check bpffs at /sys/fs/bpf",
				xk.pin_root, strerror(-err));
	return 0;
}
