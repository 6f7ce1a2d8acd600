// SPDX-License-Identifier: GPL-2.0-only
/* xdpkit detach: take programs off an interface, whoever attached them (xdpkit, ip, tc,
 * xdp-loader), and with
 * --purge the pinned maps nothing else uses. Everything is looked up first; nothing changes if a
 * PROG is not there. */
#include "hooks.h"
#include "model.h"
#include "number.h"
#include "opts.h"
#include "xdpkit.h"
#include "xdpstate.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <net/if.h>
#include <xdp/libxdp.h>

/* Kernel program names are cut at BPF_OBJ_NAME_LEN - 1 characters. */
#define KNAME_LEN 15

struct detach_args {
	const char *ifname;
	int ifindex;
	char **words;
	int n;
	__u32 id;
	bool all, purge;
	int tc_dir; /* -1: XDP for PROG words; both TC sides and XDP for --id and --all */
};

/* One attached program we may take off. */
struct target {
	bool xdp;
	enum xk_tc_dir dir;
	struct xk_tc_filter f;
	struct xdp_program *xp; /* XDP: the component or the single program */
	__u32 id;
	char name[64];
	bool chosen;
};

struct state {
	struct xk_model m;	  /* the interface and the loaded programs, read once */
	struct xdp_multiprog *mp; /* the interface's XDP side (the model's), NULL when none */
	struct target *t;	  /* everything on the interface this call may touch */
	int n;
};

enum {
	OPT_ID = 1,
	OPT_ALL,
	OPT_TC,
	OPT_PURGE
};

static int detach_opt(void *ctx, int key, const char *val)
{
	struct detach_args *a = ctx;
	__u64 id;

	switch (key) {
	case OPT_ID:
		/* Strictly a u32 above 0: "-1" or the low bits of a larger number could name some
		 * other program. */
		if (xk_num_word(val, 1, UINT32_MAX, &id))
			return xk_error(XK_EXIT_USAGE,
					"--id '%s' is not a program id; see 'xdpkit status'", val);
		a->id = id;
		break;
	case OPT_ALL:
		a->all = true;
		break;
	case OPT_PURGE:
		a->purge = true;
		break;
	case OPT_TC:
		a->tc_dir = xk_tc_dir_parse(val);
		if (a->tc_dir < 0)
			return xk_error(XK_EXIT_USAGE,
					"--tc '%s' is not a direction; use ingress or egress", val);
		break;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct detach_args *a)
{
	struct xk_words w;
	int err, pos;

	memset(a, 0, sizeof(*a));
	a->tc_dir = -1;
	err = xk_opts_parse(&xk_verb_detach, argc, argv, detach_opt, a, &w);
	if (err)
		return err;
	pos = w.n;
	/* No interface: only the pins under the root that no loaded program uses (the interface
	 * they served may be gone, and with it the programs). */
	if (pos < 1 && a->all && a->purge && !a->id && a->tc_dir < 0)
		return 0;
	if (pos < 1)
		return xk_error(XK_EXIT_USAGE,
				"detach needs an interface, e.g. 'xdpkit detach veth0 count' (without "
				"one, only 'xdpkit detach --all --purge': the pins no program uses)");
	a->ifname = w.pos[0];
	a->words = w.pos + 1;
	a->n = pos - 1;
	if ((a->n > 0) + !!a->id + a->all != 1)
		return xk_error(XK_EXIT_USAGE,
				"say what to detach from %s: PROG..., --id N or --all (one of them)",
				a->ifname);
	return 0;
}

static bool name_match(const char *kname, const char *want)
{
	return !strncmp(kname, want, KNAME_LEN);
}

/* Everything attached to the interface that this call may touch. */
static int collect(struct detach_args *a, struct state *s)
{
	const struct xk_iface *f;
	const struct xk_kprog *p;
	int d, i, err;

	err = xk_model_read(&s->m, XK_MODEL_PROGS | XK_MODEL_IFACES, a->ifindex);
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot read what runs on %s: %s", a->ifname,
				strerror(-err));
	f = &s->m.ifs[0];
	s->mp = f->xdp.mp;
	s->t = calloc(f->xdp.nslots + f->ntc[0] + f->ntc[1] + 1, sizeof(*s->t));
	if (!s->t)
		return xk_error(XK_EXIT_FAIL, "out of memory");
	/* Without --tc: XDP (PROG words), or XDP and both TC sides (--id, --all). With --tc: that
	 * TC side only. */
	for (i = 0; a->tc_dir < 0 && i < f->xdp.nslots; i++) {
		struct target *t = &s->t[s->n++];

		t->xdp = true;
		t->xp = f->xdp.slots[i].xp;
		t->id = f->xdp.slots[i].id;
		p = xk_model_prog(&s->m, t->id);
		snprintf(t->name, sizeof(t->name), "%s", p ? p->name : xdp_program__name(t->xp));
	}
	for (d = XK_TC_INGRESS; d <= XK_TC_EGRESS; d++) {
		if (a->tc_dir >= 0 ? d != a->tc_dir : a->n > 0)
			continue;
		if (f->tc_err[d])
			return xk_error(XK_EXIT_FAIL, "cannot list TC filters of %s: %s%s",
					a->ifname, strerror(-f->tc_err[d]), xk_kernel_says());
		for (i = 0; i < f->ntc[d]; i++) {
			struct target *t;

			if (!f->tc[d][i].prog_id)
				continue; /* not a bpf filter: not ours to touch */
			t = &s->t[s->n++];
			t->dir = d;
			t->f = f->tc[d][i];
			t->id = f->tc[d][i].prog_id;
			p = xk_model_prog(&s->m, t->id);
			snprintf(t->name, sizeof(t->name), "%s", p ? p->name : "");
		}
	}
	return 0;
}

/* The program names a PROG word stands for: those in its object, or the word itself as a kernel
 * name. */
static int word_names(const char *word, char names[][64], int max)
{
	char path[4096];
	struct bpf_object *obj;
	struct bpf_program *p;
	struct stat st;
	int n = 0;

	if (strchr(word, '/') || strstr(word, ".o"))
		snprintf(path, sizeof(path), "%s", word);
	else
		snprintf(path, sizeof(path), "%s/%s.bpf.o", xk.prog_dir ? xk.prog_dir : ".", word);
	/* Quietly: a word that is no object file (a directory, a text file) is a kernel name. */
	if (stat(path, &st) || !S_ISREG(st.st_mode)) {
		snprintf(names[0], 64, "%s", word);
		return 1;
	}
	obj = bpf_object__open_file(path, NULL);
	if (libbpf_get_error(obj)) {
		snprintf(names[0], 64, "%s", word);
		return 1;
	}
	bpf_object__for_each_program(p, obj)
		if (n < max && xk_prog_hook(p))
			snprintf(names[n++], 64, "%s", bpf_program__name(p));
	bpf_object__close(obj);
	return n;
}

static int choose(struct detach_args *a, struct state *s)
{
	char names[8][64];
	int i, j, k, n;

	for (i = 0; i < s->n; i++)
		s->t[i].chosen = a->all || (a->id && s->t[i].id == a->id);
	if (a->id) {
		for (i = 0; i < s->n && !s->t[i].chosen; i++)
			;
		if (i == s->n)
			return xk_error(XK_EXIT_NOTFOUND,
					"no program with id %u on %s%s%s; see 'xdpkit status %s'",
					a->id, a->ifname, a->tc_dir >= 0 ? " TC " : "",
					a->tc_dir >= 0 ? xk_tc_dir_name(a->tc_dir) : "", a->ifname);
	}
	for (j = 0; j < a->n; j++) {
		bool found = false;

		n = word_names(a->words[j], names, 8);
		for (i = 0; i < s->n; i++)
			for (k = 0; k < n; k++)
				if (name_match(s->t[i].name, names[k])) {
					s->t[i].chosen = true;
					found = true;
				}
		if (!found) {
			if (a->tc_dir >= 0)
				return xk_error(
					XK_EXIT_NOTFOUND,
					"'%s' is not attached to %s TC %s; see 'xdpkit status %s'",
					a->words[j], a->ifname, xk_tc_dir_name(a->tc_dir),
					a->ifname);
			return xk_error(XK_EXIT_NOTFOUND,
					"'%s' is not attached to %s XDP; see 'xdpkit status %s' "
					"(TC: add --tc ingress|egress)",
					a->words[j], a->ifname, a->ifname);
		}
	}
	return 0;
}

static int detach_xdp(struct detach_args *a, struct state *s)
{
	struct xdp_program **sel;
	int i, n = 0, total = 0, err;

	for (i = 0; i < s->n; i++) {
		if (!s->t[i].xdp)
			continue;
		total++;
	}
	sel = calloc(total + 1, sizeof(*sel));
	if (!sel)
		return xk_error(XK_EXIT_FAIL, "out of memory");
	for (i = 0; i < s->n; i++)
		if (s->t[i].xdp && s->t[i].chosen)
			sel[n++] = s->t[i].xp;
	if (!n) {
		free(sel);
		return 0;
	}
	/* All of them (or the single legacy program): take the whole thing off; else libxdp
	 * rebuilds the chain. */
	if (n == total)
		err = xdp_multiprog__detach(s->mp);
	else
		err = xdp_program__detach_multi(sel, n, a->ifindex,
						xdp_multiprog__attach_mode(s->mp), 0);
	free(sel);
	if (err)
		return xk_error(XK_EXIT_FAIL,
				"cannot detach XDP from %s: %s%s; run with -v for libxdp's reason",
				a->ifname, strerror(-err), xk_kernel_says());
	for (i = 0; i < s->n; i++)
		if (s->t[i].xdp && s->t[i].chosen)
			printf("%s: detached %s (id %u) from XDP\n", a->ifname, s->t[i].name,
			       s->t[i].id);
	return 0;
}

static int detach_tc(struct detach_args *a, struct state *s)
{
	bool any = false;
	int i, err, ret = 0;

	for (i = 0; i < s->n; i++) {
		struct target *t = &s->t[i];

		if (t->xdp || !t->chosen)
			continue;
		err = xk_tc_detach(a->ifindex, t->dir, t->f.handle, t->f.prio);
		if (err) {
			ret = xk_error(XK_EXIT_FAIL, "cannot detach %s (id %u) from %s TC %s: %s%s",
				       t->name, t->id, a->ifname, xk_tc_dir_name(t->dir),
				       strerror(-err), xk_kernel_says());
			continue;
		}
		any = true;
		printf("%s: detached %s (id %u) from TC %s\n", a->ifname, t->name, t->id,
		       xk_tc_dir_name(t->dir));
	}
	/* --all also takes away an empty clsact qdisc that nothing detached here had left, e.g. one
	 * an attach created before it was killed. One that holds any filter stays. */
	if (any || a->all)
		xk_tc_cleanup(a->ifindex);
	return ret;
}

/* Maps and program ids of the chosen programs, read before they go; *maps and *progs malloc'ed. */
static int gone_sets(struct state *s, __u32 **maps, int *n_maps, __u32 **progs, int *n_progs)
{
	int i, cap = 0;
	__u32 j;

	*n_maps = *n_progs = 0;
	*maps = NULL;
	*progs = calloc(s->n + 1, sizeof(**progs));
	for (i = 0; i < s->n; i++) {
		const struct xk_kprog *p = xk_model_prog(&s->m, s->t[i].id);

		if (!s->t[i].chosen || !p)
			continue;
		cap += p->nmaps;
	}
	*maps = calloc(cap + 1, sizeof(**maps));
	if (!*maps || !*progs)
		return -ENOMEM;
	for (i = 0; i < s->n; i++) {
		const struct xk_kprog *p = xk_model_prog(&s->m, s->t[i].id);

		if (!s->t[i].chosen)
			continue;
		(*progs)[(*n_progs)++] = s->t[i].id;
		for (j = 0; p && j < p->nmaps; j++)
			(*maps)[(*n_maps)++] = p->map_ids[j];
	}
	return 0;
}

/* cls_bpf drops its program reference only after an RCU grace period. Wait (a little) until the
 * detached programs are gone, so that detach returns with the kernel settled and --purge does not
 * count them as users. A program someone else still holds (pinned, attached elsewhere) stays, and
 * rightly keeps its maps. */
static void wait_gone(const struct state *s)
{
	int i, round, fd;
	bool alive = true;

	for (round = 0; round < 100 && alive; round++) {
		alive = false;
		for (i = 0; i < s->n && !alive; i++) {
			/* XDP programs go at once; besides, libxdp 1.3.1 keeps the fd it opened by
			 * id in xdp_multiprog__get_from_ifindex until we exit, so waiting for them
			 * here would be in vain. */
			if (!s->t[i].chosen || s->t[i].xdp)
				continue;
			fd = bpf_prog_get_fd_by_id(s->t[i].id);
			if (fd >= 0) {
				close(fd);
				alive = true;
			}
		}
		if (alive)
			usleep(10000);
	}
}

/* Wait (a little) until the programs a removed libxdp state kept are freed, so that their maps
 * count as unused. One someone else still holds stays, and keeps its maps. */
static void wait_progs_gone(const __u32 *ids, int n)
{
	int i, round, fd;
	bool alive = true;

	for (round = 0; round < 200 && alive; round++) {
		alive = false;
		for (i = 0; i < n && !alive; i++) {
			fd = bpf_prog_get_fd_by_id(ids[i]);
			if (fd >= 0) {
				close(fd);
				alive = true;
			}
		}
		if (alive)
			usleep(10000);
	}
}

/* libxdp's state of dispatchers that run nowhere any more (an interface deleted under a chain):
 * removed first, as its pins keep the components and their maps. Dry run: the components it keeps
 * are added to *held, so that the maps only they use count as unused. Returns how many. */
static int purge_xdpstate(bool dry_run, __u32 **held, int *nheld, bool *failed)
{
	struct xk_xdpstate *s;
	int n = xk_xdpstate_stale(&s), i, j, done = 0, err;

	for (i = 0; i < n; i++) {
		if (dry_run) {
			printf("would remove %s (libxdp's state of dispatcher %u, which runs on no "
			       "interface; it keeps %d program(s) loaded)\n",
			       s[i].path, s[i].disp_id, s[i].nprogs);
		} else if ((err = xk_xdpstate_remove(&s[i]))) {
			/* -EBUSY: its dispatcher came back meanwhile; it is not stale. */
			if (err != -EBUSY) {
				xk_error(XK_EXIT_FAIL, "cannot remove libxdp's state %s: %s",
					 s[i].path, strerror(-err));
				*failed = true;
			}
			continue;
		} else {
			printf("removed %s (libxdp's state of dispatcher %u, which ran on no "
			       "interface)\n",
			       s[i].path, s[i].disp_id);
		}
		*held = realloc(*held, (*nheld + s[i].nprogs) * sizeof(**held));
		if (!*held)
			abort();
		for (j = 0; j < s[i].nprogs; j++)
			(*held)[(*nheld)++] = s[i].prog_ids[j];
		done++;
	}
	xk_xdpstate_free(s, n);
	return done;
}

/* detach --all --purge without an interface, and `xdpkit purge`. */
static int xk_purge_unused(bool dry_run)
{
	__u32 *held = NULL;
	bool failed = false;
	int nheld = 0, states = purge_xdpstate(dry_run, &held, &nheld, &failed), n;

	if (!dry_run)
		wait_progs_gone(held, nheld);
	n = xk_pins_purge(NULL, 0, dry_run ? held : NULL, dry_run ? nheld : 0, true, dry_run);
	free(held);
	if (n < 0 || failed)
		return XK_EXIT_FAIL;
	if (!n && !states)
		printf("nothing to purge: no map pinned under %s is unused\n", xk.pin_root);
	return XK_EXIT_OK;
}

/* Everything from the listing to the last unlink, under xk_lock(). */
static int detach_locked(struct detach_args *a)
{
	struct state s = {};
	__u32 *maps = NULL, *progs = NULL;
	int n_maps = 0, n_progs = 0, err, chosen = 0, i;

	a->ifindex = xk_ifindex(a->ifname);
	if (!a->ifindex) {
		if (a->purge)
			xk_hint("the maps its programs pinned stay under %s; 'xdpkit detach --all "
				"--purge' without an interface removes those no program uses",
				xk.pin_root);
		return XK_EXIT_NOTFOUND;
	}
	err = collect(a, &s);
	if (!err)
		err = choose(a, &s);
	if (err)
		goto out;
	for (i = 0; i < s.n; i++)
		chosen += s.t[i].chosen;
	if (!chosen)
		printf("%s: nothing attached to detach\n", a->ifname);
	if (a->purge && gone_sets(&s, &maps, &n_maps, &progs, &n_progs)) {
		err = xk_error(XK_EXIT_FAIL, "out of memory");
		goto out;
	}
	err = detach_xdp(a, &s);
	if (!err)
		err = detach_tc(a, &s);
	if (!err)
		wait_gone(&s);
	if (!err && a->purge && xk_pins_purge(maps, n_maps, progs, n_progs, a->all, false) < 0)
		err = XK_EXIT_FAIL;
out:
	xk_model_free(&s.m);
	free(s.t);
	free(maps);
	free(progs);
	return err;
}

int do_detach(int argc, char **argv)
{
	struct detach_args a;
	unsigned int idx;
	int err;

	err = parse_args(argc, argv, &a);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	err = xk_need_root();
	if (!err)
		err = xk_need_bpffs();
	if (err)
		return err;
	if (!a.ifname)
		return xk_purge_unused(false);
	/* Locked from the listing to the last unlink: the filters listed are the ones removed (a
	 * filter goes by handle and priority, which a concurrent detach and attach could hand to
	 * another program meanwhile), and no attach reuses a pin --purge is about to remove. The
	 * interface's lock first, as attach takes them. */
	idx = if_nametoindex(a.ifname);
	err = idx ? xk_iface_lock_or_say(idx, a.ifname) : 0;
	if (err)
		return err;
	xk_lock();
	err = detach_locked(&a);
	xk_unlock();
	xk_iface_unlock();
	return err;
}

static int purge_opt(void *ctx, int key, const char *val)
{
	(void)key;
	(void)val;
	*(bool *)ctx = true; /* --dry-run, its only option */
	return 0;
}

int do_purge(int argc, char **argv)
{
	struct xk_words w;
	bool dry_run = false;
	int err;

	err = xk_opts_parse(&xk_verb_purge, argc, argv, purge_opt, &dry_run, &w);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	if (w.n)
		return xk_error(
			XK_EXIT_USAGE,
			"purge: unexpected '%s'; it takes only --dry-run (see 'xdpkit purge --help')",
			w.pos[0]);
	err = xk_need_root();
	if (!err)
		err = xk_need_bpffs();
	return err ? err : xk_purge_unused(dry_run);
}

static const struct xk_opt detach_opts[] = {
	{ .name = "id",
	  .key = OPT_ID,
	  .arg = "N",
	  .help = "the program with id N (XDP or TC, see 'xdpkit status')" },
	{ .name = "all",
	  .key = OPT_ALL,
	  .help = "every XDP program and every bpf TC filter on IFACE (only TC DIR with --tc)" },
	{ .name = "tc",
	  .key = OPT_TC,
	  .arg = "DIR",
	  .complete = XK_C_WORDS,
	  .words = "ingress egress",
	  .help = "look at TC filters on clsact ingress or egress" },
	{ .name = "purge",
	  .key = OPT_PURGE,
	  .help = "also remove the pinned maps under the pin root that the detached programs used "
		  "and no other loaded program uses; with --all also pins that no loaded program "
		  "uses at all" },
	{ 0 },
};

static const enum xk_complete detach_pos[] = { XK_C_IFACE, XK_C_PROG, XK_C_REPEAT };

const struct xk_verb xk_verb_detach = {
	.name = "detach",
	.summary =
		"detach programs (also ones attached by ip/tc); --purge removes their pinned maps",
	.synopsis = "detach IFACE [PROG... | --id N | --all] [--tc ingress|egress] [--purge]\n"
		    "detach --all --purge",
	.description =
		"Detach programs from IFACE, including ones attached by ip, tc or xdp-loader. PROG "
		"names programs by collection name, object path or kernel program name (XDP, or the "
		"TC side given with --tc).\n\n"
		"'xdpkit detach --all --purge' without IFACE removes only the pins under the root that "
		"no loaded program uses, e.g. those left by an interface or a network namespace that "
		"was deleted.",
	.opts = detach_opts,
	.pos = detach_pos,
	.npos = 3,
	.max_words = -1,
	.fn = do_detach,
};

static const struct xk_opt purge_opts[] = {
	{ .name = "dry-run", .key = 1, .help = "say what would be removed, remove nothing" },
	{ 0 },
};

const struct xk_verb xk_verb_purge = {
	.name = "purge",
	.summary =
		"remove the maps pinned under the pin root that no loaded program uses (--dry-run)",
	.synopsis = "purge [--dry-run]",
	.description =
		"Remove the maps pinned under the pin root (" XK_DEFAULT_PIN_ROOT
		" unless --pin-root) "
		"that no loaded program uses: rules kept by a detach without --purge, or left behind "
		"when an interface or a network namespace went away under attached programs. A map "
		"some program still uses is never removed, whoever loaded that program.",
	.opts = purge_opts,
	.max_words = -1,
	.fn = do_purge,
};
