/* SPDX-License-Identifier: GPL-2.0-only */
/* libxdp's dispatcher state (<bpffs>/xdp/dispatch-IFINDEX-ID) that outlived its dispatcher: an
 * interface deleted under a chain leaves the directory, and its pins keep the components (and so
 * their maps) loaded. status shows it; purge removes it. */
#ifndef XDPKIT_XDPSTATE_H
#define XDPKIT_XDPSTATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* libxdp's state directory: $LIBXDP_BPFFS/xdp, else /sys/fs/bpf/xdp (as libxdp finds it). */
void xk_libxdp_dir(char *buf, size_t len);
/* libxdp's lock, as xdp_lock_acquire takes it: a flock on that directory. Returns the fd to close,
 * or -errno. Never held across a libxdp call (libxdp takes it itself, on a descriptor of its own,
 * and would wait for us). */
int xk_libxdp_lock(void);

struct xk_xdpstate {
	char path[PATH_MAX];
	int ifindex;	 /* as libxdp named the directory */
	__u32 disp_id;	 /* the dispatcher it was made for */
	__u32 *prog_ids; /* the components its pins keep loaded (malloc'ed) */
	int nprogs;
};

/* The directories whose dispatcher runs on that ifindex in no network namespace this process can
 * reach (this one, the named ones under /run/netns, those of running processes): libxdp's own
 * test looks at the current namespace only and would take another namespace's live chain for
 * stale (xdp-tools issue 287). Returns the count or -errno; *out malloc'ed. */
int xk_xdpstate_stale(struct xk_xdpstate **out);
void xk_xdpstate_free(struct xk_xdpstate *s, int n);
/* Remove one directory under libxdp's lock, after checking again that it is stale. 0 or -errno
 * (-EBUSY: its dispatcher came back, nothing removed). */
int xk_xdpstate_remove(const struct xk_xdpstate *s);

#endif
