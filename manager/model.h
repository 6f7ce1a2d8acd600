/* SPDX-License-Identifier: GPL-2.0-only */
/* One reading of what the kernel holds, taken once per command: the loaded programs and the maps
 * each uses, what runs on each interface (XDP: libxdp's dispatcher and its components, or a single
 * program; TC: the filters on clsact ingress and egress) and the maps pinned under the pin root,
 * including those no loaded program uses. status, stats, map show, detach and purge read it;
 * reading it changes nothing. */
#ifndef XDPKIT_MODEL_H
#define XDPKIT_MODEL_H

#include "hooks.h"

#include <limits.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <xdpkit/stats.h>

/* A loaded program as the kernel reports it. */
struct xk_kprog {
	__u32 id;
	__u32 type; /* enum bpf_prog_type */
	char name[BPF_OBJ_NAME_LEN];
	char tag[BPF_TAG_SIZE * 2 + 1];
	__u32 *map_ids; /* every map it uses (malloc'ed, never cut short) */
	__u32 nmaps;
};

/* Read one program by id. 0 or -errno (-ENOENT: gone). Free with xk_kprog_free(). */
int xk_kprog_read(__u32 id, struct xk_kprog *p);
void xk_kprog_free(struct xk_kprog *p);
bool xk_kprog_uses(const struct xk_kprog *p, __u32 map_id);

/* One XDP program on an interface: a component of libxdp's dispatcher, or the only program. */
struct xk_xdp_slot {
	struct xdp_program *xp; /* libxdp's handle, owned by the hook's multiprog */
	__u32 id;
	int pos;	    /* 1, 2, ... in run order behind a dispatcher; 0 for a single program */
	__u32 prio;	    /* run priority */
	unsigned int chain; /* bit a set: the chain goes on after XDP action a */
};

struct xk_xdp_hook {
	struct xdp_multiprog *mp; /* NULL: no XDP program on the interface */
	enum xdp_attach_mode mode;
	bool dispatcher; /* libxdp's dispatcher runs the slots; else one program */
	__u32 main_id;	 /* what the interface runs: the dispatcher, or the single program */
	struct xk_xdp_slot *slots;
	int nslots;
};

struct xk_iface {
	char name[IF_NAMESIZE];
	int ifindex;
	struct xk_xdp_hook xdp;
	struct xk_tc_filter *tc[2]; /* per enum xk_tc_dir; BPF and other filters on clsact */
	int ntc[2];
	int tc_err[2]; /* -errno when the filters could not be listed (no clsact: none, not an error) */
};

/* A map pinned under the pin root. */
struct xk_pin {
	char name[NAME_MAX + 1];
	char path[PATH_MAX];
	__u32 map_id;
};

struct xk_model {
	struct xk_kprog *progs; /* every loaded program */
	int nprogs;
	struct xk_iface *ifs; /* interfaces that run something, or the one asked for */
	int nifs;
	struct xk_pin *pins; /* in name order */
	int npins;
};

enum xk_model_part {
	XK_MODEL_PROGS = 1,
	XK_MODEL_IFACES = 2,
	XK_MODEL_PINS = 4,
	XK_MODEL_ALL = 7,
};

/* Read the parts asked for. ifindex: that interface only (listed even when it runs nothing), or 0
 * for every interface of this network namespace that runs something. 0 or -errno; the model is
 * empty (and free to free) on failure. */
int xk_model_read(struct xk_model *m, unsigned int parts, int ifindex);
void xk_model_free(struct xk_model *m);

const struct xk_kprog *xk_model_prog(const struct xk_model *m, __u32 id);
const struct xk_iface *xk_model_iface(const struct xk_model *m, int ifindex);
/* Loaded programs that use map_id, not counting those in skip[]: fills ids[] up to max (ids may be
 * NULL) and returns how many there are. */
int xk_model_map_users(const struct xk_model *m, __u32 map_id, const __u32 *skip, int nskip,
		       __u32 *ids, int max);
/* Does PROG (a number is an id; else a name, matched as the kernel cuts names) name p? */
bool xk_kprog_named(const struct xk_kprog *p, const char *what);
/* Indexes into m->progs of the programs PROG names, up to max; when a name matches several, only
 * those attached on the model's interfaces (if any are). Returns the count. */
int xk_model_match(const struct xk_model *m, const char *what, int *idx, int max);
/* The pin of a map under the pin root, or NULL. */
const struct xk_pin *xk_model_pin_of(const struct xk_model *m, __u32 map_id);

/* Every attached program as a place on a hook, in interface order: XDP slots (behind a dispatcher,
 * each component), then TC ingress and egress filters running BPF programs. */
struct xk_attached {
	char ifname[IF_NAMESIZE];
	int ifindex;
	char hook[32]; /* "xdp native", "xdp skb", "tc ingress", "tc egress" */
	char slot[48]; /* where on the hook: "1" (run position), "prio 49152 handle 1" */
	__u32 prog_id;
	__u32 dispatcher; /* the dispatcher that runs it, 0 when none */
};
/* The attached programs of the model's interfaces. Returns the count or -errno; *out malloc'ed. */
int xk_model_attached(const struct xk_model *m, struct xk_attached **out);

/* Names shared by every listing. */
const char *xk_xdp_mode_name(enum xdp_attach_mode mode); /* "native", "skb", "hw", "unknown" */
const char *xk_xdp_action_name(unsigned int action);	 /* "XDP_DROP", ...; NULL past REDIRECT */
const char *xk_stat_name(unsigned int slot);		 /* "drop", ..., "malformed" */

/* Map id of a pinned file; 0 when it is not a map (a pinned program or link) or cannot be opened. */
__u32 xk_pinned_map_id(const char *path);
/* Is this fd a map (bpf_obj_get() also hands back programs and links)? */
bool xk_fd_is_map(int fd);

#endif
