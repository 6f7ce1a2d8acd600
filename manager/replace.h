/* SPDX-License-Identifier: GPL-2.0-only */
/* Copies already on a hook: an attach finds the running copies of the program it brings (by
 * name), tells whether one is the same program (same tag and read-only data: then it leaves it
 * alone), and with --replace swaps one for the object on disk in place. */
#ifndef XDPKIT_REPLACE_H
#define XDPKIT_REPLACE_H

#include "capacity.h"
#include "hooks.h"
#include "model.h"

/* xdpkit attach's command line. */
struct xk_attach_args {
	const char *ifname;
	int ifindex;
	char **words;
	int n;
	enum xdp_attach_mode mode;
	bool mode_set;
	long prio;  /* -1: from the object (XDP) or the kernel's choice (TC) */
	int tc_dir; /* -1: XDP */
	bool replace;
	struct xk_capacity cap;
};

/* The program of o this attach puts on the hook (its XDP entry or its tc program). */
struct bpf_program *xk_attach_prog(const struct xk_attach_args *a, const struct xk_obj *o);

/* After a failed load: the verifier's refusal or libbpf's reason, where to look (attach.c). */
void xk_load_hint(const char *word);
/* Load o into the kernel; on failure say so in one line with that hint. 0 or XK_EXIT_FAIL. */
int xk_obj_load(struct xk_obj *o);

/* ---- what is on the hook (replace.c) ---- */

/* What the hook holds of each object's program, decided before anything changes. */
struct xk_found {
	__u32 id;	    /* the copy left alone (already attached); 0: attach this object */
	__u32 prio, handle; /* TC: where that copy's filter is */
};

/* Without --replace: for each object, a running copy that is the same program (found[i].id), or
 * none of that name (found[i].id = 0: to be attached). A copy of that name that differs, or one
 * that runs elsewhere than asked (--mode, --prio), refuses the whole call. f: the interface as
 * read under the interface lock. Returns 0 or an exit code after printing. */
int xk_attach_existing(struct xk_attach_args *a, struct xk_obj *objs, const struct xk_iface *f,
		       struct xk_found *found);
/* The lines for the copies left alone, once the whole call has succeeded. */
void xk_attach_print_existing(const struct xk_attach_args *a, const struct xk_obj *objs,
			      const struct xk_iface *f, const struct xk_found *found);
/* --replace: swap the one running copy of objs[0]'s program for it. Exit code. */
int xk_attach_replace(struct xk_attach_args *a, struct xk_obj *o, const struct xk_iface *f);

/* ---- comparing with a running copy (samecopy.c) ---- */

/* Does running program id carry the kernel name of prog (the kernel keeps 15 characters)? *kp is
 * filled either way (free it with xk_kprog_free); false when it cannot be read. */
bool xk_copy_named(__u32 id, const struct bpf_program *prog, struct xk_kprog *kp);
/* Let o use the maps of running program id for every map it pins by name that the program uses
 * under that name: no pin is made or moved, and the rules the running copy holds are the ones the
 * new copy reads, wherever they are pinned (xdpkit's root, tc/globals, xdp-loader's directory). A
 * map of another type, key, value or flags is refused. 0 or an exit code after printing. */
int xk_obj_take_maps(struct xk_obj *o, __u32 id, const char *ifname);

enum xk_sameness {
	XK_SAME,
	XK_OTHER_INSNS,	 /* another tag: other instructions */
	XK_OTHER_RODATA, /* the same instructions, other read-only data (.rodata, .kconfig) */
	XK_OTHER_FRAGS,	 /* only the multi-buffer switch differs */
};
/* Compare loaded program new_fd with running program id. 0 or -errno. */
int xk_prog_compare(int new_fd, __u32 id, struct bpf_object *obj, enum xk_sameness *how);

/* ---- libxdp's dispatcher (dispatch.c), by its documented protocol (libxdp's protocol.org) ---- */

/* Load o's XDP program as a component for slot (0-based) of the dispatcher h runs, without linking
 * it anywhere: the kernel checks it against that slot and computes its tag as for the copy libxdp
 * loaded. 0, or an exit code after printing. */
int xk_dispatch_load_probe(struct xk_obj *o, const struct xk_xdp_hook *h, int slot,
			   const char *ifname);
/* Put o's XDP program in slot (0-based) of the dispatcher on ifindex in place of the component
 * there: a new dispatcher with the same components, order and configuration but that one, swapped
 * for the old in one step (XDP_FLAGS_REPLACE) after its state is pinned where libxdp keeps it.
 * *new_id: the new component's id. 0, or an exit code after printing (nothing changed). */
int xk_dispatch_replace(struct xk_obj *o, const struct xk_xdp_hook *h, int slot, int ifindex,
			const char *ifname, __u32 *new_id);
/* Turn on multi-buffer support for an XDP program xdpkit loads itself, as attach.c does through
 * libxdp: the object's switch, and (unless it becomes a dispatcher component, where the dispatcher
 * carries the flag) the load flag. Returns whether it did; -errno on failure. */
int xk_own_frags(struct xk_obj *o, bool component);
/* XDP_FLAGS_SKB_MODE or XDP_FLAGS_DRV_MODE for a mode; 0 for any other. */
__u32 xk_xdp_mode_flag(enum xdp_attach_mode mode);

#endif
