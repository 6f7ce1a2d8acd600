// SPDX-License-Identifier: GPL-2.0-only
/* xdpkit attach: put programs on an interface, XDP through libxdp (dispatcher when the kernel
 * allows it), TC through libbpf's clsact hooks. All or nothing: a call that fails leaves the
 * interface and bpffs as they were. */
#include "number.h"
#include "opts.h"
#include "replace.h"
#include "xdpkit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <xdp/libxdp.h>

#define MAX_PROGS 16

enum {
	OPT_MODE = 1,
	OPT_PRIO,
	OPT_TC,
	OPT_CAPACITY,
	OPT_REPLACE
};

static int attach_opt(void *ctx, int key, const char *val)
{
	struct xk_attach_args *a = ctx;
	__u64 v;

	switch (key) {
	case OPT_MODE:
		a->mode_set = true;
		if (!strcmp(val, "native") || !strcmp(val, "drv"))
			a->mode = XDP_MODE_NATIVE;
		else if (!strcmp(val, "skb") || !strcmp(val, "generic"))
			a->mode = XDP_MODE_SKB;
		else
			return xk_error(XK_EXIT_USAGE,
					"--mode '%s' is not a mode; use native or skb", val);
		break;
	case OPT_PRIO:
		if (xk_num_word(val, 0, 65535, &v))
			return xk_error(XK_EXIT_USAGE,
					"--prio '%s' is not a number from 0 to 65535", val);
		a->prio = v;
		break;
	case OPT_TC:
		a->tc_dir = xk_tc_dir_parse(val);
		if (a->tc_dir < 0)
			return xk_error(XK_EXIT_USAGE,
					"--tc '%s' is not a direction; use ingress or egress", val);
		break;
	case OPT_CAPACITY:
		if (xk_capacity_parse(&a->cap, val))
			return XK_EXIT_USAGE;
		break;
	case OPT_REPLACE:
		a->replace = true;
		break;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct xk_attach_args *a)
{
	struct xk_words w;
	int err;

	memset(a, 0, sizeof(*a));
	a->prio = -1;
	a->tc_dir = -1;
	err = xk_opts_parse(&xk_verb_attach, argc, argv, attach_opt, a, &w);
	if (err)
		return err;
	a->n = w.n;
	if (a->n < 2)
		return xk_error(
			XK_EXIT_USAGE,
			"attach needs an interface and a program, e.g. 'xdpkit attach veth0 count'");
	if (a->n - 1 > MAX_PROGS)
		return xk_error(XK_EXIT_USAGE, "attach takes at most %d programs at once",
				MAX_PROGS);
	if (a->mode_set && a->tc_dir >= 0)
		return xk_error(XK_EXIT_USAGE,
				"--mode is for XDP; TC has no modes (drop --mode or --tc)");
	if (a->tc_dir >= 0 && a->prio == 0)
		return xk_error(XK_EXIT_USAGE, "--prio 0 is not a TC filter priority; use 1-65535");
	if (a->replace && a->n > 2)
		return xk_error(XK_EXIT_USAGE,
				"--replace swaps one program at a time; give one PROG (one call each)");
	if (a->replace && a->prio >= 0)
		return xk_error(
			XK_EXIT_USAGE,
			"--replace keeps the running copy's place (priority, TC pref and handle); drop --prio");
	if (a->replace && a->cap.n)
		return xk_error(
			XK_EXIT_USAGE,
			"--replace keeps the running copy's maps, whose size is fixed; drop --capacity");
	a->ifname = w.pos[0];
	a->words = w.pos + 1;
	a->n -= 1;
	return 0;
}

/* Open every object and check it has the hook we need, before anything changes. */
static int open_all(struct xk_attach_args *a, struct xk_obj *objs)
{
	const char *hook = a->tc_dir >= 0 ? "tc" : "xdp";
	int i, err;

	for (i = 0; i < a->n; i++) {
		struct xk_obj *o = &objs[i];
		struct bpf_program *want, *p;

		err = xk_obj_open(a->words[i], &a->cap, o);
		if (err)
			return err;
		want = a->tc_dir >= 0 ? o->tc : o->xdp;
		if (!want) {
			struct bpf_program *other = a->tc_dir >= 0 ? o->xdp : o->tc;

			xk_error(XK_EXIT_USAGE,
				 "'%s' (%s) has no %s program (section '%s'), so it cannot go on %s %s",
				 o->word, o->path, hook, hook, a->ifname,
				 a->tc_dir >= 0 ? "TC" : "XDP");
			if (other)
				xk_hint("it has the %s hook: %s", xk_prog_hook(other),
					a->tc_dir >= 0 ? "attach it without --tc"
						       : "attach it with --tc ingress");
			return XK_EXIT_USAGE;
		}
		/* Load only the entry we attach; the object's other hooks stay out of the kernel.
		 */
		bpf_object__for_each_program(p, o->obj)
			bpf_program__set_autoload(p, p == want);
	}
	return xk_capacity_check_used(&a->cap, a->n > 1 ? "the objects given" : a->words[0]);
}

/* After a failed load: the verifier only when it refused (libbpf printed its log), else where the
 * reason is. */
void xk_load_hint(const char *word)
{
	if (xk_note.verifier_log)
		xk_hint("the verifier refused '%s'; 'xdpkit check %s' shows the source line and why",
			word, word);
	else
		xk_hint("the kernel refused '%s' before the verifier ran; 'xdpkit -v attach ...' shows libbpf's reason",
			word);
}

int xk_obj_load(struct xk_obj *o)
{
	int err;

	xk_note_reset();
	err = bpf_object__load(o->obj);
	if (!err)
		return 0;
	xk_error(XK_EXIT_FAIL, "cannot load '%s' (%s): %s", o->word, o->path, strerror(-err));
	xk_load_hint(o->word);
	return XK_EXIT_FAIL;
}

/* After a refused TC attach: a filter already at the asked priority (the kernel says EEXIST, or
 * EINVAL "Exclusivity flag on" when its protocol differs), else what -v shows. */
static void tc_attach_hint(struct xk_attach_args *a, __u32 prio, int err)
{
	struct xk_tc_filter *f = NULL;
	bool taken = false;
	int i, n;

	if (prio && !xk_tc_dump(a->ifindex, a->tc_dir, &f, &n))
		for (i = 0; i < n; i++)
			taken |= f[i].prio == prio;
	free(f);
	if (taken || err == -EEXIST)
		xk_hint("a filter with priority %u is already there; pick another --prio", prio);
	else
		xk_hint("'xdpkit -v attach ...' shows libbpf's log");
}

/* The objects of which no copy runs on the hook yet (found[i].id == 0): each a filter. */
static int attach_tc(struct xk_attach_args *a, struct xk_obj *objs, const struct xk_found *found)
{
	__u32 handles[MAX_PROGS], prios[MAX_PROGS];
	struct xk_newpins np = {};
	bool created, any_created = false;
	int i, j, err = 0;

	for (i = 0; i < a->n; i++) {
		struct xk_obj *o = &objs[i];
		__u32 prio = a->prio > 0 ? (__u32)a->prio + i : 0;

		if (found[i].id)
			continue;
		xk_newpins_note(&np, o->obj);
		err = xk_obj_load(o);
		if (err)
			break;
		err = xk_tc_attach(a->ifindex, a->tc_dir, bpf_program__fd(o->tc), prio, &handles[i],
				   &prios[i], &created);
		any_created |= created;
		if (err) {
			xk_error(XK_EXIT_FAIL, "cannot attach '%s' to %s TC %s: %s%s", o->word,
				 a->ifname, xk_tc_dir_name(a->tc_dir), strerror(-err),
				 xk_kernel_says());
			tc_attach_hint(a, prio, err);
			break;
		}
	}
	if (err) {
		for (j = 0; j < i; j++)
			if (!found[j].id)
				xk_tc_detach(a->ifindex, a->tc_dir, handles[j], prios[j]);
		if (any_created)
			xk_tc_cleanup(a->ifindex);
		xk_newpins_undo(&np);
		xk_newpins_free(&np);
		return XK_EXIT_FAIL;
	}
	xk_newpins_free(&np);
	for (i = 0; i < a->n; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (found[i].id)
			continue;
		xk_pins_fix_mode(objs[i].obj);
		bpf_obj_get_info_by_fd(bpf_program__fd(objs[i].tc), &info, &len);
		printf("%s: attached %s (id %u) on TC %s, pref %u handle 0x%x\n", a->ifname,
		       objs[i].word, info.id, xk_tc_dir_name(a->tc_dir), prios[i], handles[i]);
	}
	return XK_EXIT_OK;
}

/* Why this attach cannot chain here; 0 when libxdp may go ahead. */
static int xdp_refusal(struct xk_attach_args *a)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(a->ifindex);
	struct xdp_program *cur = NULL;
	int ret = 0;

	if (!libxdp_get_error(mp) && mp)
		cur = xdp_multiprog__main_prog(mp);
	if (cur && !xdp_multiprog__is_legacy(mp)) {
		/* A dispatcher is there: libxdp adds to it. */
		xdp_multiprog__close(mp);
		return 0;
	}
	if (!cur && (a->n == 1 || xk_dispatcher_supported())) {
		/* Empty interface: one program always goes on; several need the dispatcher. */
		xdp_multiprog__close(mp);
		return 0;
	}
	if (!xk_dispatcher_supported()) {
		if (cur)
			ret = xk_error(XK_EXIT_FAIL,
				       "cannot add '%s' to %s: this kernel refuses BPF program "
				       "extensions (freplace), "
				       "which libxdp's dispatcher needs, so only one XDP program "
				       "per interface here; "
				       "detach '%s' first or attach '%s' on TC (--tc ingress)",
				       a->words[0], a->ifname, xdp_program__name(cur), a->words[0]);
		else
			ret = xk_error(XK_EXIT_FAIL,
				       "cannot attach %d programs together to %s: this kernel "
				       "refuses BPF program "
				       "extensions (freplace), which libxdp's dispatcher needs, so "
				       "only one XDP program "
				       "per interface here; attach one on XDP and the others on TC "
				       "(--tc ingress)",
				       a->n, a->ifname);
	} else {
		ret = xk_error(XK_EXIT_FAIL,
			       "cannot add '%s' to %s: XDP program '%s' (id %u) was attached there "
			       "without libxdp's "
			       "dispatcher (by ip, bpftool or a legacy loader), so nothing can be "
			       "chained to it; "
			       "detach it first ('xdpkit detach %s --id %u') and attach all of "
			       "them with xdpkit",
			       a->words[0], a->ifname, xdp_program__name(cur), xdp_program__id(cur),
			       a->ifname, xdp_program__id(cur));
	}
	xdp_multiprog__close(mp);
	return ret;
}

/* The mode of the chain on the interface when it differs from the --mode asked for (libxdp refuses
 * to mix modes on one interface, with a bare EEXIST); NULL otherwise. */
static const char *mismatched_mode(struct xk_attach_args *a)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(a->ifindex);
	enum xdp_attach_mode running;

	if (libxdp_get_error(mp) || !mp)
		return NULL;
	running = xdp_multiprog__attach_mode(mp);
	xdp_multiprog__close(mp);
	if (a->mode == XDP_MODE_UNSPEC || a->mode == running ||
	    (running != XDP_MODE_NATIVE && running != XDP_MODE_SKB))
		return NULL;
	return xk_xdp_mode_name(running);
}

/* The interface's MTU, in this network namespace; 0 when unknown. */
static int if_mtu(const char *ifname)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), mtu = 0;

	if (fd < 0)
		return 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(fd, SIOCGIFMTU, &ifr))
		mtu = ifr.ifr_mtu;
	close(fd);
	return mtu;
}

/* A program in the chain already on the interface that libxdp runs without multi-buffer support,
 * which makes libxdp load its whole dispatcher without it; NULL if none. */
static const char *chain_without_frags(int ifindex, char *name, size_t len)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	const char *ret = NULL;

	if (libxdp_get_error(mp) || !mp)
		return NULL;
	if (!xdp_multiprog__is_legacy(mp))
		for (p = xdp_multiprog__next_prog(NULL, mp); p && !ret;
		     p = xdp_multiprog__next_prog(p, mp))
			if (!xdp_program__xdp_frags_support(p)) {
				snprintf(name, len, "%s", xdp_program__name(p));
				ret = name;
			}
	xdp_multiprog__close(mp);
	return ret;
}

/* The MTU is too large for XDP as loaded: say why the programs went on without multi-buffer
 * support, and the ways out. */
static void mtu_hint(struct xk_attach_args *a, struct xk_obj *objs)
{
	const char *peer =
		strstr(xk_note.kernel_msg, "Peer") ? " (a veth checks its peer's MTU)" : "";
	const char *ways = "lower the MTU to 1500 (on both ends of a veth pair), or use --mode skb";
	char mtu[32] = "", other[64];
	int i, m = if_mtu(a->ifname);

	if (m)
		snprintf(mtu, sizeof(mtu), " %d", m);
	for (i = 0; i < a->n; i++)
		if (!objs[i].xdp_frags) {
			xk_hint("%s has MTU%s%s, more than XDP takes from a program without multi-buffer support, and '%s' declares none (no xdp.frags program); attach one that does, %s",
				a->ifname, mtu, peer, objs[i].word, ways);
			return;
		}
	if (!xk_xdp_frags_supported()) {
		xk_hint("%s has MTU%s%s, more than XDP takes without multi-buffer support, which this kernel lacks (Linux 5.18+); %s",
			a->ifname, mtu, peer, ways);
		return;
	}
	if (chain_without_frags(a->ifindex, other, sizeof(other))) {
		xk_hint("%s has MTU%s%s; '%s', already in the chain, has no multi-buffer support, so libxdp runs the whole chain without it; detach '%s', or %s",
			a->ifname, mtu, peer, other, other, ways);
		return;
	}
	xk_hint("%s has MTU%s%s, more than its driver takes for XDP even with multi-buffer support; %s",
		a->ifname, mtu, peer, ways);
}

/* Turn on multi-buffer support for the programs whose objects declare it, where the kernel has it:
 * libxdp then loads the program (or its dispatcher, if every program in the chain has it) with
 * BPF_F_XDP_HAS_FRAGS, and the object's own switch makes it count whole frames. */
static int enable_frags(struct xdp_program *xp, struct xk_obj *o)
{
	int err;

	if (!o->xdp_frags || !xk_xdp_frags_supported())
		return 0;
	err = xdp_program__set_xdp_frags_support(xp, true);
	if (!err) {
		err = xk_obj_frags_knob(o->obj, true);
		if (err == -ENOENT)
			err = 0; /* a foreign object that declares frags and counts its own way */
	}
	if (err)
		return xk_error(XK_EXIT_FAIL,
				"cannot turn on multi-buffer support for '%s' (%s): %s", o->word,
				o->path, strerror(-err));
	return 0;
}

/* A refused XDP attach: our line with the kernel's own words, then the cause. */
static int xdp_attach_failed(struct xk_attach_args *a, struct xk_obj *objs, int err)
{
	const char *k = xk_note.kernel_msg, *running = NULL, *word = a->words[0];
	int i;

	if (err == -EEXIST || err == -EBUSY)
		running = mismatched_mode(a);
	if (err == -E2BIG)
		return xk_error(
			XK_EXIT_FAIL,
			"cannot add to %s: libxdp's dispatcher holds at most 10 programs; detach one first",
			a->ifname);
	if (running)
		return xk_error(
			XK_EXIT_FAIL,
			"cannot add '%s' to %s: %s runs XDP in %s mode and libxdp chains programs in one mode only; use --mode %s",
			word, a->ifname, a->ifname, running, running);
	/* The kernel's word on a netlink request means the load got through. */
	if (xk_note.load_failed && !*k) {
		/* Which program libbpf failed to load, when several go on at once. */
		for (i = 0; i < a->n; i++)
			if (!strcmp(xk_note.failed_prog, bpf_program__name(objs[i].xdp)))
				word = objs[i].word;
		xk_error(XK_EXIT_FAIL, "cannot load '%s': %s", word, strerror(-err));
		xk_load_hint(word);
		return XK_EXIT_FAIL;
	}
	if ((err == -EEXIST || err == -EBUSY) && !*k)
		return xk_error(
			XK_EXIT_FAIL,
			"cannot attach to %s: an XDP program is already there in another mode or was just attached by someone else; see 'xdpkit status %s'",
			a->ifname, a->ifname);
	xk_error(XK_EXIT_FAIL, "cannot attach '%s' to %s: %s%s", word, a->ifname, strerror(-err),
		 xk_kernel_says());
	/* veth: ERANGE "Peer MTU is too large ..."; other drivers: "MTU too large ...", "Jumbo
	 * frames not supported" (any case of the J). */
	if (err == -ERANGE || strstr(k, "MTU") || strstr(k, "umbo frame"))
		mtu_hint(a, objs);
	else if (err == -EOPNOTSUPP && (a->mode == XDP_MODE_NATIVE || strstr(k, "native mode")))
		xk_hint("%s does not support native XDP (its driver has no XDP hook); try --mode skb (generic XDP, on any interface)",
			a->ifname);
	else if (*k)
		xk_hint("the %s driver refused the program as the kernel says; --mode skb (generic XDP) works on any interface",
			a->ifname);
	else
		xk_hint("'xdpkit -v attach ...' shows libxdp's log");
	return XK_EXIT_FAIL;
}

static int attach_xdp(struct xk_attach_args *a, struct xk_obj *objs)
{
	struct xdp_program *progs[MAX_PROGS] = {};
	struct xk_newpins np = {};
	struct xdp_multiprog *mp;
	int i, err, ret = XK_EXIT_OK;

	ret = xdp_refusal(a);
	if (ret)
		return ret;
	for (i = 0; i < a->n; i++) {
		DECLARE_LIBXDP_OPTS(xdp_program_opts, xo, .obj = objs[i].obj,
				    .prog_name = bpf_program__name(objs[i].xdp));

		progs[i] = xdp_program__create(&xo);
		err = libxdp_get_error(progs[i]);
		if (err) {
			progs[i] = NULL;
			ret = xk_error(XK_EXIT_FAIL, "libxdp cannot take '%s' (%s): %s",
				       objs[i].word, objs[i].path, strerror(-err));
			goto out;
		}
		if (a->prio >= 0)
			xdp_program__set_run_prio(progs[i], a->prio);
		ret = enable_frags(progs[i], &objs[i]);
		if (ret)
			goto out;
		xk_newpins_note(&np, objs[i].obj);
	}
	/* Where the dispatcher cannot work, libxdp would load it, fail and fall back to the plain
	 * attach of one program; go there directly (its own switch). */
	if (a->n == 1 && !xk_dispatcher_supported())
		setenv("LIBXDP_SKIP_DISPATCHER", "1", 1);
	xk_note_reset();
	err = xdp_program__attach_multi(progs, a->n, a->ifindex, a->mode, 0);
	if (err) {
		xk_newpins_undo(&np);
		ret = xdp_attach_failed(a, objs, err);
		goto out;
	}
	mp = xdp_multiprog__get_from_ifindex(a->ifindex);
	for (i = 0; i < a->n; i++) {
		xk_pins_fix_mode(objs[i].obj);
		/* Run priority orders a dispatcher's chain; a single program has no chain to order.
		 */
		if (xdp_multiprog__is_legacy(mp))
			printf("%s: attached %s (id %u) on XDP, %s mode, as the only program (no "
			       "dispatcher)\n",
			       a->ifname, objs[i].word, xdp_program__id(progs[i]),
			       xk_xdp_mode_name(xdp_multiprog__attach_mode(mp)));
		else
			printf("%s: attached %s (id %u) on XDP, %s mode, run priority %u in libxdp's "
			       "dispatcher\n",
			       a->ifname, objs[i].word, xdp_program__id(progs[i]),
			       xk_xdp_mode_name(xdp_multiprog__attach_mode(mp)),
			       xdp_program__run_prio(progs[i]));
	}
	if (!libxdp_get_error(mp))
		xdp_multiprog__close(mp);
out:
	xk_newpins_free(&np);
	for (i = 0; i < a->n; i++)
		xdp_program__close(progs[i]);
	return ret;
}

/* The objects of which no copy runs on the hook yet, through libxdp, as one call. */
static int attach_fresh_xdp(struct xk_attach_args *a, struct xk_obj *objs,
			    const struct xk_found *found)
{
	struct xk_attach_args sub = *a;
	struct xk_obj fresh[MAX_PROGS];
	char *words[MAX_PROGS];
	int i;

	sub.n = 0;
	sub.words = words;
	for (i = 0; i < a->n; i++)
		if (!found[i].id) {
			words[sub.n] = a->words[i];
			fresh[sub.n++] =
				objs[i]; /* the same opened object: closed once, by the caller */
		}
	return sub.n ? attach_xdp(&sub, fresh) : XK_EXIT_OK;
}

struct bpf_program *xk_attach_prog(const struct xk_attach_args *a, const struct xk_obj *o)
{
	return a->tc_dir >= 0 ? o->tc : o->xdp;
}

/* Under the interface lock: what runs on the hook, then what to leave, attach or swap. */
static int attach_locked(struct xk_attach_args *a, struct xk_obj *objs)
{
	struct xk_found found[MAX_PROGS] = {};
	const struct xk_iface *f;
	struct xk_model m;
	int err;

	err = xk_model_read(&m, XK_MODEL_IFACES, a->ifindex);
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot read what runs on %s: %s", a->ifname,
				strerror(-err));
	f = &m.ifs[0];
	if (a->tc_dir >= 0 && f->tc_err[a->tc_dir]) {
		err = xk_error(XK_EXIT_FAIL, "cannot list the TC filters of %s: %s%s", a->ifname,
			       strerror(-f->tc_err[a->tc_dir]), xk_kernel_says());
		goto out;
	}
	if (a->replace) {
		err = xk_attach_replace(a, &objs[0], f);
		goto out;
	}
	err = xk_attach_existing(a, objs, f, found);
	if (!err)
		err = a->tc_dir >= 0 ? attach_tc(a, objs, found) : attach_fresh_xdp(a, objs, found);
	if (!err)
		xk_attach_print_existing(a, objs, f, found);
out:
	xk_model_free(&m);
	return err;
}

int do_attach(int argc, char **argv)
{
	struct xk_obj objs[MAX_PROGS] = {};
	struct xk_attach_args a;
	int i, err;

	err = parse_args(argc, argv, &a);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	err = xk_need_root();
	if (!err)
		err = xk_need_bpffs();
	if (err)
		return err;
	a.ifindex = xk_ifindex(a.ifname);
	if (!a.ifindex)
		return XK_EXIT_NOTFOUND;
	/* From the first look at the hook to the last change: another xdpkit attaching the same
	 * program meanwhile would otherwise find nothing there and add a second copy. */
	err = xk_iface_lock_or_say(a.ifindex, a.ifname);
	if (err)
		return err;
	err = open_all(&a, objs);
	xk_note_reset();
	if (!err)
		err = attach_locked(&a, objs);
	for (i = 0; i < a.n; i++)
		xk_obj_close(&objs[i]);
	xk_iface_unlock();
	return err;
}

static const struct xk_opt attach_opts[] = {
	{ .name = "mode",
	  .key = OPT_MODE,
	  .arg = "M",
	  .complete = XK_C_WORDS,
	  .words = "native skb",
	  .help = "native (driver) or skb (generic) XDP; default: native where the driver has it" },
	{ .name = "prio",
	  .key = OPT_PRIO,
	  .arg = "N",
	  .help = "XDP: run priority (lower runs first; default from the object's XDP_RUN_CONFIG). "
		  "TC: filter priority 1-65535 (default: the kernel's choice)" },
	{ .name = "tc",
	  .key = OPT_TC,
	  .arg = "DIR",
	  .complete = XK_C_WORDS,
	  .words = "ingress egress",
	  .help = "attach the object's tc program as a direct-action filter on clsact ingress or "
		  "egress" },
	{ .name = "capacity",
	  .key = OPT_CAPACITY,
	  .arg = "MAP=N[,MAP=N]",
	  .help = "make map MAP hold N entries (e.g. blocklist_v4=1048576) instead of the object's "
		  "size; without it a map already pinned keeps its size" },
	{ .name = "replace",
	  .key = OPT_REPLACE,
	  .help = "swap the running copy of PROG on that hook (whoever attached it) for the object "
		  "on disk, in one step, in its place (dispatcher slot; TC pref and handle), with "
		  "its maps" },
	{ 0 },
};

static const enum xk_complete attach_pos[] = { XK_C_IFACE, XK_C_PROG, XK_C_REPEAT };

const struct xk_verb xk_verb_attach = {
	.name = "attach",
	.summary = "attach programs to an interface (XDP through libxdp, or TC with --tc)",
	.synopsis = "attach IFACE PROG... [--mode native|skb] [--prio N] [--tc ingress|egress] "
		    "[--capacity MAP=N[,MAP=N]]\n"
		    "attach IFACE PROG --replace [--tc ingress|egress]",
	.description =
		"Attach programs to IFACE. PROG is a collection name (see 'xdpkit list') or a path "
		"to a BPF object. On XDP the object's xdp program goes on through libxdp; several "
		"programs are chained by libxdp's dispatcher in run-priority order, where the kernel "
		"allows it.\n\n"
		"A program already on the hook (the same name, tag and read-only data) is left alone: "
		"'already attached', exit 0. Another build of it there is refused without --replace. "
		"Maps the object pins by name go to PIN-ROOT/MAP (default " XK_DEFAULT_PIN_ROOT
		") and "
		"are reused on re-attach.",
	.opts = attach_opts,
	.pos = attach_pos,
	.npos = 3,
	.max_words = -1,
	.fn = do_attach,
};
