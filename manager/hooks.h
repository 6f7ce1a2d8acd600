/* SPDX-License-Identifier: GPL-2.0-only */
/* What attach, detach, status and list share: objects, interfaces, TC filters, pins, the dispatcher
 * probe. */
#ifndef XDPKIT_HOOKS_H
#define XDPKIT_HOOKS_H

#include <stdbool.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

/* ---- objects (objfile.c) ---- */

/* One object opened for attaching: its XDP entry (xk_obj_xdp_entry) and TC entry (the first tc
 * program), not loaded yet. */
struct xk_obj {
	const char *word; /* as the user typed it: collection name or path */
	char path[4096];
	struct bpf_object *obj; /* opened with pin_root_path = xk.pin_root */
	struct bpf_program *xdp;
	struct bpf_program *tc;
	bool xdp_frags; /* xdp declares multi-buffer support (its xdp.frags twin, frags.c) */
};

/* Resolve and open an object (prints why not; returns an enum xk_exit). Maps pinned by name land
 * under xk.pin_root; their sizes are settled by capacity.c (cap: what --capacity asks, or NULL). */
struct xk_capacity;
int xk_obj_open(const char *word, struct xk_capacity *cap, struct xk_obj *o);
void xk_obj_close(struct xk_obj *o);
/* Is this an ELF file for the BPF machine? 0, or an exit code after printing why not. */
int xk_obj_check_elf(const char *path);
/* The one-line summary in the object's .xdpkit.summary section; "" when it has none. */
void xk_obj_summary(const char *path, char *buf, size_t len);
/* "xdp", "tc" or NULL: which hook a program of the object is for. */
const char *xk_prog_hook(const struct bpf_program *p);

/* ---- multi-buffer XDP (frags.c) ---- */

/* The XDP program an object attaches: its first XDP program outside section xdp.frags (the one
 * `ip ... sec xdp` and xdp-loader take), else its first xdp.frags program; NULL if none. */
struct bpf_program *xk_obj_xdp_entry(struct bpf_object *obj);
/* Does the object declare that prog handles multi-buffer frames: prog is in section xdp.frags, or
 * the object has a twin NAME_frags in section xdp.frags (the collection's convention)? */
bool xk_prog_declares_frags(struct bpf_object *obj, const struct bpf_program *prog);
/* Does this kernel load XDP programs with BPF_F_XDP_HAS_FRAGS (5.18+)? 1 or 0; probed once. */
int xk_xdp_frags_supported(void);
/* Set the object's read-only switch xk_xdp_frags (include/xdpkit/stats.bpf.h) before its load,
 * so that its plain xdp entry, loaded with BPF_F_XDP_HAS_FRAGS, counts whole multi-buffer frames.
 * 0, -ENOENT when the object has no such switch, or another negative errno. */
int xk_obj_frags_knob(struct bpf_object *obj, bool on);
/* Where that switch lies in the object's .rodata: its offset, or -ENOENT. */
int xk_obj_frags_knob_offset(struct bpf_object *obj);

/* ---- interfaces (iface.c) ---- */

/* ifindex of name, or 0 after printing "no interface ..." (exit XK_EXIT_NOTFOUND). */
int xk_ifindex(const char *name);

/* ---- the interface lock (ifacelock.c) ---- */

/* Take the lock of interface ifindex of this network namespace (waiting for its holder): attach
 * and detach hold it from reading the hook to the change they make. One at a time per process;
 * taken before xk_lock(). 0 or -errno. */
int xk_iface_lock(int ifindex);
/* The same, or an exit code after printing why not. */
int xk_iface_lock_or_say(int ifindex, const char *ifname);
void xk_iface_unlock(void);

/* ---- TC (tc.c, tcnl.c) ---- */

enum xk_tc_dir {
	XK_TC_INGRESS = 0,
	XK_TC_EGRESS = 1,
};

struct xk_tc_filter {
	__u32 prio;
	__u32 handle;
	__u32 prog_id; /* 0 when not a bpf filter */
	bool direct_action;
	char kind[16];
	char name[256]; /* TCA_BPF_NAME as tc or libbpf set it */
};

const char *xk_tc_dir_name(enum xk_tc_dir dir);
/* Parse "ingress"/"egress"; -1 if neither. */
int xk_tc_dir_parse(const char *s);
/* All filters of the clsact hook in one direction, by netlink dump. *out is malloc'ed; 0 or -errno.
 */
int xk_tc_dump(int ifindex, enum xk_tc_dir dir, struct xk_tc_filter **out, int *n);
/* Attach prog_fd as a direct-action filter; *created tells whether we made the clsact qdisc. */
int xk_tc_attach(int ifindex, enum xk_tc_dir dir, int prog_fd, __u32 prio, __u32 *handle_out,
		 __u32 *prio_out, bool *created);
int xk_tc_detach(int ifindex, enum xk_tc_dir dir, __u32 handle, __u32 prio);
/* Put prog_fd in place of the program of the filter at prio and handle, atomically (the filter
 * stays, with its place on the hook). */
int xk_tc_replace(int ifindex, enum xk_tc_dir dir, int prog_fd, __u32 prio, __u32 handle);
/* Remove the clsact qdisc when no filter is left on either side. */
void xk_tc_cleanup(int ifindex);

/* ---- pins (pins.c) ---- */

/* Make the pins of a loaded object mode 0600 (bpffs honours umask; we do not rely on it). */
void xk_pins_fix_mode(struct bpf_object *obj);
/* Remove pins under the root used by maps in gone_maps[] and by no loaded program but those in
 * gone_progs[]; with orphans, also pins no loaded program uses. Prints what it removed and kept
 * (dry_run: what it would remove, removing nothing). Removes the root itself when empty. Returns
 * how many pins it removed (or would), or -errno. */
int xk_pins_purge(const __u32 *gone_maps, int n_gone, const __u32 *gone_progs, int n_progs,
		  bool orphans, bool dry_run);
/* Pins a load is about to create, so a failed attach can take them away again (nothing half-done).
 * The first note takes xk_lock() and xk_newpins_free() releases it: another xdpkit cannot reuse a
 * pin that this attach may still unlink, nor purge one it is about to use. */
struct xk_newpins {
	char **paths;
	int n;
	bool locked;
};
void xk_newpins_note(struct xk_newpins *np, struct bpf_object *obj); /* before loading obj */
void xk_newpins_undo(struct xk_newpins *np);
void xk_newpins_free(struct xk_newpins *np);
/* One lock for what xdpkit processes change together: pins under the root, clsact qdiscs and the
 * filters on them. A flock on /sys/fs/bpf (one per bpffs), nestable, dropped by the kernel when
 * the process dies. Concurrent xdpkit calls on one interface serialise their changes on it. */
void xk_lock(void);
void xk_unlock(void);

/* ---- the dispatcher (xdp_probe.c) ---- */

/* Does this kernel let libxdp chain programs (BPF program extensions, freplace)? 1 yes, 0 no;
 * probed once. */
int xk_dispatcher_supported(void);

#endif
