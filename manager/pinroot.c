// SPDX-License-Identifier: GPL-2.0-only
/* --pin-root is where xdpkit creates and, with `detach --purge`, removes pins: a path that only
 * looks like /sys/fs/bpf (/sys/fs/bpf/../../tmp, a symlink out of bpffs, /sys/fs/bpfx) would
 * point that at another file system. So: a normalised path below /sys/fs/bpf, and whatever part
 * of it exists already is a directory on bpffs. */
#include "pinroot.h"
#include "xdpkit.h"

#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#define BPFFS "/sys/fs/bpf"

static int refuse(const char *dir, const char *why)
{
	return xk_error(XK_EXIT_USAGE,
			"--pin-root '%s' %s; give a directory on bpffs as a plain path under " BPFFS
			", e.g. " BPFFS "/mine",
			dir, why);
}

int xk_pin_root_check(const char *dir)
{
	char path[PATH_MAX], real[PATH_MAX], why[PATH_MAX + 64];
	const char *c;
	struct statfs sfs;
	struct stat st;
	size_t len = strlen(dir), n;

	if (strncmp(dir, BPFFS, strlen(BPFFS)) || (dir[strlen(BPFFS)] && dir[strlen(BPFFS)] != '/'))
		return refuse(dir, "is not under " BPFFS " (pins live only on bpffs)");
	if (len >= sizeof(path))
		return refuse(dir, "is too long");
	/* Every component plain: no "", ".", "..", so the path means what it says. */
	for (c = dir + 1; c <= dir + len; c += n + 1) {
		n = strcspn(c, "/");
		if (!n)
			return refuse(dir,
				      c == dir + len ? "ends in '/'" : "has an empty component");
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
			snprintf(why, sizeof(why), "has a '%.*s' component", (int)n, c);
			return refuse(dir, why);
		}
	}
	/* The deepest part that exists (at worst /sys/fs/bpf, mounted later if it is not yet),
	 * with symlinks resolved, must be a directory on bpffs below /sys/fs/bpf. */
	memcpy(path, dir, len + 1);
	while (stat(path, &st)) {
		if (errno != ENOENT || strlen(path) <= strlen(BPFFS))
			return 0; /* /sys/fs/bpf itself missing: xk_need_bpffs says so */
		*strrchr(path, '/') = '\0';
	}
	if (!realpath(path, real))
		return 0;
	if (strncmp(real, BPFFS, strlen(BPFFS)) ||
	    (real[strlen(BPFFS)] && real[strlen(BPFFS)] != '/')) {
		snprintf(why, sizeof(why), "leads to %s, which is not under " BPFFS, real);
		return refuse(dir, why);
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, sizeof(why), "is not a directory (%s is a file)", path);
		return refuse(dir, why);
	}
	if (strcmp(real, BPFFS) && (statfs(real, &sfs) || sfs.f_type != BPF_FS_MAGIC)) {
		snprintf(why, sizeof(why), "is not on bpffs (%s is another file system)", real);
		return refuse(dir, why);
	}
	return 0;
}
