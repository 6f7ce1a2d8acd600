// SPDX-License-Identifier: GPL-2.0-only
/* What an attach does with copies of its program already on the hook, found by name whoever
 * attached them (xdpkit, ip, tc, xdp-loader): leave the same program alone ("already attached",
 * exit 0, nothing changed), refuse another build of it unless --replace, and with --replace swap
 * it in place, keeping the maps it uses. The caller holds the interface lock throughout. */
#include "replace.h"
#include "xdpkit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/if_link.h>

#define MAX_COPIES 16

/* A running copy: its id and where it is (index into the hook's XDP slots or TC filters). */
struct copy {
	__u32 id;
	int idx;
};

static bool is_tc(const struct xk_attach_args *a)
{
	return a->tc_dir >= 0;
}

/* "veth0 XDP", "veth0 TC ingress". */
static const char *hook_name(const struct xk_attach_args *a)
{
	static char buf[IF_NAMESIZE + 32];

	snprintf(buf, sizeof(buf), "%s %s%s", a->ifname, is_tc(a) ? "TC " : "XDP",
		 is_tc(a) ? xk_tc_dir_name(a->tc_dir) : "");
	return buf;
}

static int find_copies(const struct xk_attach_args *a, const struct xk_iface *f,
		       const struct bpf_program *prog, struct copy *c)
{
	struct xk_kprog kp;
	int j, n = 0;
	__u32 id;

	for (j = 0; j < (is_tc(a) ? f->ntc[a->tc_dir] : f->xdp.nslots) && n < MAX_COPIES; j++) {
		id = is_tc(a) ? f->tc[a->tc_dir][j].prog_id : f->xdp.slots[j].id;
		if (id && xk_copy_named(id, prog, &kp)) {
			c[n].id = id;
			c[n++].idx = j;
		}
		xk_kprog_free(&kp);
	}
	return n;
}

static const char *copy_ids(const struct copy *c, int n)
{
	static char buf[MAX_COPIES * 12];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && len < sizeof(buf); i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%u", i ? ", " : "", c[i].id);
	return buf;
}

/* Load o as attach would put it next to (or in place of) copy c: the same maps, the same
 * multi-buffer support, and behind a dispatcher as a component of its slot. */
static int load_like(struct xk_attach_args *a, struct xk_obj *o, const struct xk_iface *f,
		     const struct copy *c)
{
	int err;

	if (!is_tc(a) && f->xdp.dispatcher)
		return xk_dispatch_load_probe(o, &f->xdp, c->idx, a->ifname);
	if (!is_tc(a)) {
		err = xk_own_frags(o, false);
		if (err < 0)
			return xk_error(XK_EXIT_FAIL,
					"cannot turn on multi-buffer support for '%s' (%s): %s",
					o->word, o->path, strerror(-err));
	}
	return xk_obj_load(o);
}

/* Another build of the program runs there: say what differs and the ways on. */
static int differs(struct xk_attach_args *a, struct xk_obj *o, const struct copy *c,
		   enum xk_sameness how)
{
	const char *name = bpf_program__name(xk_attach_prog(a, o)), *hook = hook_name(a);
	const char *ways =
		is_tc(a)
			? "attach with --replace to swap it in place (same pref and handle), or detach it first"
			: "attach with --replace to swap it in place, or detach it first";
	struct xk_kprog theirs = {}, mine = {};
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	bpf_obj_get_info_by_fd(bpf_program__fd(xk_attach_prog(a, o)), &info, &len);
	xk_kprog_read(c->id, &theirs);
	xk_kprog_read(info.id, &mine);
	if (how == XK_OTHER_INSNS)
		xk_error(XK_EXIT_FAIL,
			 "%s already runs %s (id %u), another build of it: other instructions (tag %s; '%s' loads as tag %s); %s",
			 hook, name, c->id, theirs.tag, o->path, mine.tag, ways);
	else if (how == XK_OTHER_FRAGS)
		xk_error(XK_EXIT_FAIL,
			 "%s already runs %s (id %u), the same instructions (tag %s) with another multi-buffer switch than xdpkit sets (ip, tc and xdp-loader leave it off); %s",
			 hook, name, c->id, theirs.tag, ways);
	else
		xk_error(XK_EXIT_FAIL,
			 "%s already runs %s (id %u), another build of it: the same instructions (tag %s), other read-only data (.rodata); %s",
			 hook, name, c->id, theirs.tag, ways);
	xk_kprog_free(&theirs);
	xk_kprog_free(&mine);
	return XK_EXIT_FAIL;
}

/* The same program runs there, but not where this attach asks for it (--mode, --prio). */
static int elsewhere(struct xk_attach_args *a, const struct xk_iface *f, int i,
		     const struct copy *c, struct xk_found *found)
{
	const char *name = a->words[i];
	long want = a->prio >= 0 && is_tc(a) ? a->prio + i : a->prio;

	if (is_tc(a)) {
		const struct xk_tc_filter *t = &f->tc[a->tc_dir][c->idx];

		found->prio = t->prio;
		found->handle = t->handle;
		if (want > 0 && t->prio != want)
			return xk_error(
				XK_EXIT_FAIL,
				"%s already runs %s (id %u) at pref %u, not %ld as asked; detach it first to move it ('xdpkit detach %s --id %u --tc %s')",
				hook_name(a), name, c->id, t->prio, want, a->ifname, c->id,
				xk_tc_dir_name(a->tc_dir));
		return 0;
	}
	if (a->mode_set && a->mode != f->xdp.mode)
		return xk_error(
			XK_EXIT_FAIL,
			"%s already runs %s (id %u) in %s mode, not %s as asked; detach it first to move it ('xdpkit detach %s --id %u')",
			hook_name(a), name, c->id, xk_xdp_mode_name(f->xdp.mode),
			xk_xdp_mode_name(a->mode), a->ifname, c->id);
	if (want >= 0 && f->xdp.dispatcher && f->xdp.slots[c->idx].prio != want)
		return xk_error(
			XK_EXIT_FAIL,
			"%s already runs %s (id %u) at run priority %u, not %ld as asked; detach it first to move it ('xdpkit detach %s --id %u')",
			hook_name(a), name, c->id, f->xdp.slots[c->idx].prio, want, a->ifname,
			c->id);
	return 0;
}

int xk_attach_existing(struct xk_attach_args *a, struct xk_obj *objs, const struct xk_iface *f,
		       struct xk_found *found)
{
	struct copy c[MAX_COPIES];
	enum xk_sameness how, first = XK_SAME;
	int i, k, n, err, ret;

	for (i = 0; i < a->n; i++) {
		struct xk_obj *o = &objs[i];
		struct xk_newpins np = {};

		memset(&found[i], 0, sizeof(found[i]));
		n = find_copies(a, f, xk_attach_prog(a, o), c);
		if (!n)
			continue;
		/* Only a load tells the tag (the kernel computes it, after CO-RE). It takes the
		 * running copy's maps, so it makes no pin (and any it does make goes again). */
		ret = xk_obj_take_maps(o, c[0].id, a->ifname);
		if (ret)
			return ret;
		xk_newpins_note(&np, o->obj);
		ret = load_like(a, o, f, &c[0]);
		for (k = 0; !ret && k < n; k++) {
			err = xk_prog_compare(bpf_program__fd(xk_attach_prog(a, o)), c[k].id,
					      o->obj, &how);
			if (err)
				ret = xk_error(XK_EXIT_FAIL,
					       "cannot compare '%s' with program %u on %s: %s",
					       o->word, c[k].id, hook_name(a), strerror(-err));
			else if (how == XK_SAME)
				break;
			else if (!k)
				first = how;
		}
		xk_newpins_undo(&np);
		xk_newpins_free(&np);
		if (ret)
			return ret;
		if (k == n)
			return differs(a, o, &c[0], first);
		found[i].id = c[k].id;
		ret = elsewhere(a, f, i, &c[k], &found[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct xk_xdp_slot *slot_of(const struct xk_iface *f, __u32 id)
{
	int j;

	for (j = 0; j < f->xdp.nslots; j++)
		if (f->xdp.slots[j].id == id)
			return &f->xdp.slots[j];
	return NULL;
}

void xk_attach_print_existing(const struct xk_attach_args *a, const struct xk_obj *objs,
			      const struct xk_iface *f, const struct xk_found *found)
{
	const struct xk_xdp_slot *s;
	int i;

	for (i = 0; i < a->n; i++) {
		if (!found[i].id)
			continue;
		if (is_tc(a)) {
			printf("%s: %s already attached (id %u) on TC %s, pref %u handle 0x%x\n",
			       a->ifname, objs[i].word, found[i].id, xk_tc_dir_name(a->tc_dir),
			       found[i].prio, found[i].handle);
			continue;
		}
		s = slot_of(f, found[i].id);
		if (f->xdp.dispatcher && s)
			printf("%s: %s already attached (id %u) on XDP, %s mode, run priority %u in libxdp's dispatcher\n",
			       a->ifname, objs[i].word, found[i].id, xk_xdp_mode_name(f->xdp.mode),
			       s->prio);
		else
			printf("%s: %s already attached (id %u) on XDP, %s mode, as the only program (no dispatcher)\n",
			       a->ifname, objs[i].word, found[i].id, xk_xdp_mode_name(f->xdp.mode));
	}
}

/* A single XDP program (no dispatcher): the kernel swaps it if it is still the one we found. */
static int replace_single(struct xk_attach_args *a, struct xk_obj *o, const struct xk_iface *f,
			  const struct copy *c)
{
	DECLARE_LIBBPF_OPTS(bpf_xdp_attach_opts, xo,
			    .old_prog_fd = xdp_program__fd(f->xdp.slots[c->idx].xp));
	__u32 flags = xk_xdp_mode_flag(f->xdp.mode);
	int err;

	if (!flags)
		return xk_error(
			XK_EXIT_FAIL,
			"cannot replace %s (id %u) on %s: it runs in %s mode; only native and skb are replaced in place",
			o->word, c->id, hook_name(a), xk_xdp_mode_name(f->xdp.mode));
	err = load_like(a, o, f, c);
	if (err)
		return err;
	xk_note_reset();
	err = bpf_xdp_attach(a->ifindex, bpf_program__fd(o->xdp), flags | XDP_FLAGS_REPLACE, &xo);
	if (err) {
		xk_error(XK_EXIT_FAIL, "cannot replace %s (id %u) on %s: %s%s%s", o->word, c->id,
			 hook_name(a), strerror(-err), xk_kernel_says(),
			 err == -EEXIST ? " (the XDP program there changed meanwhile; run again)"
					: "");
		xk_hint("'xdpkit -v attach ...' shows libbpf's log");
		return XK_EXIT_FAIL;
	}
	return 0;
}

static int replace_tc(struct xk_attach_args *a, struct xk_obj *o, const struct xk_iface *f,
		      const struct copy *c)
{
	const struct xk_tc_filter *t = &f->tc[a->tc_dir][c->idx];
	int err = load_like(a, o, f, c);

	if (err)
		return err;
	xk_note_reset();
	err = xk_tc_replace(a->ifindex, a->tc_dir, bpf_program__fd(o->tc), t->prio, t->handle);
	if (err) {
		xk_error(XK_EXIT_FAIL,
			 "cannot replace %s (id %u) at pref %u handle 0x%x on %s: %s%s", o->word,
			 c->id, t->prio, t->handle, hook_name(a), strerror(-err), xk_kernel_says());
		xk_hint("'xdpkit -v attach ...' shows libbpf's log");
		return XK_EXIT_FAIL;
	}
	return 0;
}

int xk_attach_replace(struct xk_attach_args *a, struct xk_obj *o, const struct xk_iface *f)
{
	const struct bpf_program *prog = xk_attach_prog(a, o);
	struct xk_newpins np = {};
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct copy c[MAX_COPIES];
	__u32 new_id;
	int n, ret;

	n = find_copies(a, f, prog, c);
	if (!n)
		return xk_error(
			XK_EXIT_NOTFOUND,
			"%s runs no %s, so there is nothing to replace; attach it without --replace (see 'xdpkit status %s')",
			hook_name(a), bpf_program__name(prog), a->ifname);
	if (n > 1)
		return xk_error(
			XK_EXIT_FAIL,
			"%s runs %d copies of %s (ids %s) and --replace swaps one; detach the others first ('xdpkit detach %s --id N%s%s')",
			hook_name(a), n, bpf_program__name(prog), copy_ids(c, n), a->ifname,
			is_tc(a) ? " --tc " : "", is_tc(a) ? xk_tc_dir_name(a->tc_dir) : "");
	if (!is_tc(a) && a->mode_set && a->mode != f->xdp.mode)
		return xk_error(
			XK_EXIT_USAGE,
			"--mode %s: %s runs %s in %s mode, and --replace keeps it there; drop --mode",
			xk_xdp_mode_name(a->mode), hook_name(a), bpf_program__name(prog),
			xk_xdp_mode_name(f->xdp.mode));
	ret = xk_obj_take_maps(o, c[0].id, a->ifname);
	if (ret)
		return ret;
	xk_newpins_note(&np, o->obj);
	if (is_tc(a))
		ret = replace_tc(a, o, f, c);
	else if (f->xdp.dispatcher)
		ret = xk_dispatch_replace(o, &f->xdp, c[0].idx, a->ifindex, a->ifname, &new_id);
	else
		ret = replace_single(a, o, f, c);
	if (ret) {
		xk_newpins_undo(&np);
		xk_newpins_free(&np);
		return ret;
	}
	xk_newpins_free(&np);
	xk_pins_fix_mode(o->obj);
	bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len);
	if (is_tc(a))
		printf("%s: replaced %s (id %u -> id %u) on TC %s, pref %u handle 0x%x\n",
		       a->ifname, o->word, c[0].id, info.id, xk_tc_dir_name(a->tc_dir),
		       f->tc[a->tc_dir][c[0].idx].prio, f->tc[a->tc_dir][c[0].idx].handle);
	else if (f->xdp.dispatcher)
		printf("%s: replaced %s (id %u -> id %u) on XDP, %s mode, run priority %u in libxdp's dispatcher\n",
		       a->ifname, o->word, c[0].id, info.id, xk_xdp_mode_name(f->xdp.mode),
		       f->xdp.slots[c[0].idx].prio);
	else
		printf("%s: replaced %s (id %u -> id %u) on XDP, %s mode, as the only program (no dispatcher)\n",
		       a->ifname, o->word, c[0].id, info.id, xk_xdp_mode_name(f->xdp.mode));
	return XK_EXIT_OK;
}
