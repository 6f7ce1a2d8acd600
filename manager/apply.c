// SPDX-License-Identifier: GPL-2.0-only
/* xdpkit apply FILE [--dry-run]: make what runs match a YAML file. Everything is read and checked
 * first (the file, each object loaded and compared with the copy that runs, each rule parsed by
 * its map's types); then only the differences are made, through the verbs that make them one at a
 * time (attach, attach --replace, detach) and a batch diff per map. A failure puts back what this
 * call changed, in reverse order. */
#define _GNU_SOURCE
#include "apply.h"
#include "opts.h"
#include "replace.h"
#include "xdpkit.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <linux/if_link.h>

int do_attach(int argc, char **argv);
int do_detach(int argc, char **argv);
/* save.c: the collection name whose object has a program of kernel name kname on hook (XDP or
 * TC), or NULL. */
const char *xk_collection_word(const char *kname, bool tc);

enum step_op {
	OP_ADD,
	OP_REPLACE,
	OP_REMOVE
};

struct step {
	enum step_op op;
	int iface, hook;
	const struct xk_conf_prog *cp; /* ADD, REPLACE */
	char name[64];		       /* what the diff line calls the program */
	char why[96];		       /* the diff line's note */
	char capacity[512];	       /* ADD: --capacity for the maps of the file the object has */
	__u32 old_id;		       /* REPLACE, REMOVE: the running copy */
	__u32 old_prio, old_handle;    /* TC: its place */
	bool old_dispatcher;	       /* XDP: it runs behind libxdp's dispatcher */
	enum xdp_attach_mode old_mode;
	int old_fd; /* held, for the rollback */
	__u32 new_id;
	bool done;
};

struct plan {
	struct xk_conf *c;
	struct step *steps;
	int n, cap;
	int orig_netns;
	int *ifindex;
};

static bool is_tc(int hook)
{
	return hook != XK_HOOK_XDP;
}

static int tc_dir(int hook)
{
	return hook == XK_HOOK_EGRESS ? XK_TC_EGRESS : XK_TC_INGRESS;
}

static struct step *new_step(struct plan *pl, enum step_op op, int iface, int hook)
{
	struct step *s;

	if (pl->n == pl->cap) {
		s = realloc(pl->steps, (pl->cap = pl->cap ? pl->cap * 2 : 16) * sizeof(*s));
		if (!s)
			return NULL;
		pl->steps = s;
	}
	s = &pl->steps[pl->n++];
	memset(s, 0, sizeof(*s));
	s->op = op;
	s->iface = iface;
	s->hook = hook;
	s->old_fd = -1;
	return s;
}

/* Into the interface's network namespace (back to ours for NULL). 0 or an exit code. */
static int enter_netns(struct plan *pl, const char *netns)
{
	if (!netns) {
		if (setns(pl->orig_netns, CLONE_NEWNET))
			return xk_error(XK_EXIT_ENV, "cannot return to the network namespace: %s",
					strerror(errno));
		return 0;
	}
	return xk_netns_enter(netns);
}

static const char *iface_label(const struct xk_conf_iface *f)
{
	static char buf[IF_NAMESIZE + 300];

	if (f->netns)
		snprintf(buf, sizeof(buf), "%s/%s", f->netns, f->name);
	else
		snprintf(buf, sizeof(buf), "%s", f->name);
	return buf;
}

/* One running program on a hook. */
struct running {
	__u32 id;
	int idx; /* slot or filter index */
	bool matched;
};

/* Is the object's program the same as running copy id? Loaded as attach would load it next to
 * that copy (with its maps, behind the dispatcher as a component), compared, and dropped. */
static int same_program(struct xk_obj *o, const struct xk_iface *f, int hook, int idx, __u32 id,
			bool *same)
{
	struct bpf_program *want = is_tc(hook) ? o->tc : o->xdp, *p;
	struct xk_newpins np = {};
	enum xk_sameness how;
	int err;

	bpf_object__for_each_program(p, o->obj)
		bpf_program__set_autoload(p, p == want);
	err = xk_obj_take_maps(o, id, f->name);
	if (err)
		return err;
	xk_newpins_note(&np, o->obj);
	if (!is_tc(hook) && f->xdp.dispatcher) {
		err = xk_dispatch_load_probe(o, &f->xdp, idx, f->name);
	} else {
		err = is_tc(hook) ? 0 : xk_own_frags(o, false);
		err = err < 0 ? xk_error(XK_EXIT_FAIL,
					 "cannot turn on multi-buffer support for '%s': %s",
					 o->word, strerror(-err))
			      : xk_obj_load(o);
	}
	if (!err) {
		err = xk_prog_compare(bpf_program__fd(want), id, o->obj, &how);
		if (err)
			err = xk_error(XK_EXIT_FAIL,
				       "cannot compare '%s' with program %u on %s: %s", o->word, id,
				       f->name, strerror(-err));
		*same = how == XK_SAME;
	}
	xk_newpins_undo(&np);
	xk_newpins_free(&np);
	return err;
}

/* --capacity for the maps of the file that this object has. */
static void capacities(const struct xk_conf *c, const struct xk_obj *o, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < c->nmaps; i++)
		if (c->maps[i].capacity && bpf_object__find_map_by_name(o->obj, c->maps[i].name))
			off += snprintf(buf + off, off < len ? len - off : 0, "%s%s=%u",
					off ? "," : "", c->maps[i].name, c->maps[i].capacity);
}

static void kname_of(__u32 id, char *buf, size_t len, bool tc)
{
	struct xk_kprog kp = {};
	const char *w;

	if (xk_kprog_read(id, &kp)) {
		snprintf(buf, len, "id %u", id);
		return;
	}
	w = xk_collection_word(kp.name, tc);
	snprintf(buf, len, "%s", w ? w : kp.name);
	xk_kprog_free(&kp);
}

/* The steps for one listed hook of interface i. */
static int plan_hook(struct plan *pl, int i, const struct xk_iface *f, int hook)
{
	const struct xk_conf_iface *ci = &pl->c->ifs[i];
	const struct xk_conf_hook *h = &ci->hook[hook];
	struct running run[64];
	int nrun = 0, j, k, err = 0;
	struct step *s;

	if (is_tc(hook)) {
		int d = tc_dir(hook);

		if (f->tc_err[d])
			return xk_error(XK_EXIT_FAIL, "cannot list the TC filters of %s: %s",
					ci->name, strerror(-f->tc_err[d]));
		for (j = 0; j < f->ntc[d] && nrun < 64; j++)
			if (f->tc[d][j].prog_id)
				run[nrun++] = (struct running){ f->tc[d][j].prog_id, j, false };
	} else {
		for (j = 0; j < f->xdp.nslots && nrun < 64; j++)
			run[nrun++] = (struct running){ f->xdp.slots[j].id, j, false };
	}
	for (j = 0; j < h->n; j++) {
		const struct xk_conf_prog *cp = &h->progs[j];
		struct bpf_program *want;
		struct xk_kprog kp;
		struct xk_obj o;
		bool same = false, moved = false;

		err = xk_obj_open(cp->word, NULL, &o);
		if (err)
			return err;
		want = is_tc(hook) ? o.tc : o.xdp;
		if (!want) {
			xk_conf_error(pl->c->path, cp->line,
				      "'%s' has no %s program, so it cannot go on %s", cp->word,
				      is_tc(hook) ? "tc" : "xdp", xk_hook_name(hook));
			xk_obj_close(&o);
			return XK_EXIT_USAGE;
		}
		for (k = 0; k < nrun; k++) {
			bool named = !run[k].matched && xk_copy_named(run[k].id, want, &kp);

			xk_kprog_free(&kp);
			if (named)
				break;
		}
		if (k < nrun) {
			run[k].matched = true;
			err = same_program(&o, f, hook, run[k].idx, run[k].id, &same);
			if (err) {
				xk_obj_close(&o);
				return err;
			}
			if (is_tc(hook))
				moved = cp->prio > 0 &&
					f->tc[tc_dir(hook)][run[k].idx].prio != (__u32)cp->prio;
			else
				moved = (ci->mode_set && ci->mode != f->xdp.mode) ||
					(cp->prio >= 0 && f->xdp.dispatcher &&
					 f->xdp.slots[run[k].idx].prio != (__u32)cp->prio);
			if (!same && !moved) {
				s = new_step(pl, OP_REPLACE, i, hook);
				if (!s)
					goto nomem;
				s->cp = cp;
				s->old_id = run[k].id;
				snprintf(s->name, sizeof(s->name), "%s", cp->word);
				snprintf(s->why, sizeof(s->why),
					 " (object changed: replace in place)");
				if (is_tc(hook)) {
					s->old_prio = f->tc[tc_dir(hook)][run[k].idx].prio;
					s->old_handle = f->tc[tc_dir(hook)][run[k].idx].handle;
				}
				s->old_dispatcher = f->xdp.dispatcher;
				s->old_mode = f->xdp.mode;
			} else if (moved) {
				/* Its place changes: off the hook, then on again where asked. */
				run[k].matched = false;
			}
		}
		if (k == nrun || moved) {
			s = new_step(pl, OP_ADD, i, hook);
			if (!s)
				goto nomem;
			s->cp = cp;
			snprintf(s->name, sizeof(s->name), "%s", cp->word);
			if (cp->prio >= 0)
				snprintf(s->why, sizeof(s->why), " (prio %ld)", cp->prio);
			if (!is_tc(hook) && ci->mode_set)
				snprintf(s->why + strlen(s->why), sizeof(s->why) - strlen(s->why),
					 " (%s mode)", xk_xdp_mode_name(ci->mode));
			capacities(pl->c, &o, s->capacity, sizeof(s->capacity));
		}
		xk_obj_close(&o);
	}
	/* What runs there and the file does not name goes; removals are done first. */
	for (k = 0; k < nrun; k++) {
		if (run[k].matched)
			continue;
		s = new_step(pl, OP_REMOVE, i, hook);
		if (!s)
			goto nomem;
		s->old_id = run[k].id;
		kname_of(run[k].id, s->name, sizeof(s->name), is_tc(hook));
		snprintf(s->why, sizeof(s->why), " (id %u)", run[k].id);
		if (is_tc(hook)) {
			s->old_prio = f->tc[tc_dir(hook)][run[k].idx].prio;
			s->old_handle = f->tc[tc_dir(hook)][run[k].idx].handle;
		}
		s->old_dispatcher = f->xdp.dispatcher;
		s->old_mode = f->xdp.mode;
	}
	return 0;
nomem:
	return xk_error(XK_EXIT_FAIL, "out of memory");
}

static int plan_programs(struct plan *pl)
{
	struct xk_conf *c = pl->c;
	int i, h, err = 0, first;

	pl->ifindex = calloc(c->nifs + 1, sizeof(*pl->ifindex));
	if (!pl->ifindex)
		return xk_error(XK_EXIT_FAIL, "out of memory");
	for (i = 0; i < c->nifs && !err; i++) {
		struct xk_conf_iface *ci = &c->ifs[i];
		struct xk_model m;

		err = enter_netns(pl, ci->netns);
		if (err)
			break;
		pl->ifindex[i] = if_nametoindex(ci->name);
		if (!pl->ifindex[i]) {
			xk_conf_error(c->path, ci->line,
				      "no interface %s%s%s; create it first, or take it out of the file",
				      ci->name, ci->netns ? " in network namespace " : "",
				      ci->netns ? ci->netns : "");
			err = XK_EXIT_NOTFOUND;
			break;
		}
		err = xk_model_read(&m, XK_MODEL_IFACES, pl->ifindex[i]);
		if (err) {
			err = xk_error(XK_EXIT_FAIL, "cannot read what runs on %s: %s", ci->name,
				       strerror(-err));
			break;
		}
		for (h = 0; h < XK_NHOOKS && !err; h++) {
			if (!ci->hook[h].listed)
				continue;
			first = pl->n;
			err = plan_hook(pl, i, &m.ifs[0], h);
			/* Removals first, so a single XDP slot is free for its successor. */
			if (!err) {
				int a, b;

				for (a = first, b = first; b < pl->n; b++)
					if (pl->steps[b].op == OP_REMOVE) {
						struct step t = pl->steps[b];

						memmove(&pl->steps[a + 1], &pl->steps[a],
							(b - a) * sizeof(t));
						pl->steps[a++] = t;
					}
			}
		}
		xk_model_free(&m);
	}
	if (!err)
		err = enter_netns(pl, NULL);
	else
		enter_netns(pl, NULL);
	return err;
}

static void print_step(const struct plan *pl, const struct step *s)
{
	static const char sign[] = { [OP_ADD] = '+', [OP_REPLACE] = '~', [OP_REMOVE] = '-' };

	printf("%c %s %s %s%s\n", sign[s->op], iface_label(&pl->c->ifs[s->iface]),
	       xk_hook_name(s->hook), s->name, s->why);
}

/* Run a verb as if typed, its own report lines kept off stdout (apply prints the diff). */
static int run_verb(int (*fn)(int, char **), int argc, char **argv)
{
	int saved, devnull, err;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved >= 0 && devnull >= 0)
		dup2(devnull, STDOUT_FILENO);
	err = fn(argc, argv);
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
	if (devnull >= 0)
		close(devnull);
	return err;
}

/* Ids of the programs on a hook, to tell which one an attach added. */
static int hook_ids(int ifindex, int hook, __u32 *ids, int max)
{
	struct xk_model m;
	int n = 0, j;

	if (xk_model_read(&m, XK_MODEL_IFACES, ifindex))
		return 0;
	if (is_tc(hook)) {
		for (j = 0; j < m.ifs[0].ntc[tc_dir(hook)] && n < max; j++)
			if (m.ifs[0].tc[tc_dir(hook)][j].prog_id)
				ids[n++] = m.ifs[0].tc[tc_dir(hook)][j].prog_id;
	} else {
		for (j = 0; j < m.ifs[0].xdp.nslots && n < max; j++)
			ids[n++] = m.ifs[0].xdp.slots[j].id;
	}
	xk_model_free(&m);
	return n;
}

static int exec_step(struct plan *pl, struct step *s)
{
	const struct xk_conf_iface *ci = &pl->c->ifs[s->iface];
	char prio[24], id[24], *argv[16];
	__u32 before[64], after[64];
	int argc = 0, nb = 0, na, j, k, err;

	if (s->op != OP_ADD) {
		s->old_fd = bpf_prog_get_fd_by_id(s->old_id);
		if (s->old_fd < 0)
			return xk_error(XK_EXIT_FAIL,
					"program %u on %s is gone: %s; run apply again", s->old_id,
					ci->name, strerror(errno));
	}
	if (s->op == OP_REMOVE) {
		argv[argc++] = "detach";
		argv[argc++] = (char *)ci->name;
		snprintf(id, sizeof(id), "%u", s->old_id);
		argv[argc++] = "--id";
		argv[argc++] = id;
	} else {
		argv[argc++] = "attach";
		argv[argc++] = (char *)ci->name;
		argv[argc++] = s->cp->word;
		if (s->op == OP_REPLACE) {
			argv[argc++] = "--replace";
		} else {
			if (s->cp->prio >= 0) {
				snprintf(prio, sizeof(prio), "%ld", s->cp->prio);
				argv[argc++] = "--prio";
				argv[argc++] = prio;
			}
			if (!is_tc(s->hook) && ci->mode_set) {
				argv[argc++] = "--mode";
				argv[argc++] = (char *)xk_xdp_mode_name(ci->mode);
			}
			if (s->capacity[0]) {
				argv[argc++] = "--capacity";
				argv[argc++] = s->capacity;
			}
			nb = hook_ids(pl->ifindex[s->iface], s->hook, before, 64);
		}
	}
	if (is_tc(s->hook)) {
		argv[argc++] = "--tc";
		argv[argc++] = (char *)xk_tc_dir_name(tc_dir(s->hook));
	}
	argv[argc] = NULL;
	err = run_verb(s->op == OP_REMOVE ? do_detach : do_attach, argc, argv);
	if (err)
		return err;
	s->done = true;
	if (s->op == OP_ADD) {
		na = hook_ids(pl->ifindex[s->iface], s->hook, after, 64);
		for (j = 0; j < na && !s->new_id; j++) {
			for (k = 0; k < nb && before[k] != after[j]; k++)
				;
			if (k == nb)
				s->new_id = after[j];
		}
	}
	return 0;
}

/* Put back what a done step changed: the held old program where it ran, or the added one off. */
static int undo_step(struct plan *pl, struct step *s)
{
	const struct xk_conf_iface *ci = &pl->c->ifs[s->iface];
	int ifindex = pl->ifindex[s->iface], err = 0;
	char id[24], *argv[8];
	int argc = 0;

	if (s->op == OP_ADD) {
		if (!s->new_id)
			return -ENOENT;
		snprintf(id, sizeof(id), "%u", s->new_id);
		argv[argc++] = "detach";
		argv[argc++] = (char *)ci->name;
		argv[argc++] = "--id";
		argv[argc++] = id;
		if (is_tc(s->hook)) {
			argv[argc++] = "--tc";
			argv[argc++] = (char *)xk_tc_dir_name(tc_dir(s->hook));
		}
		argv[argc] = NULL;
		return run_verb(do_detach, argc, argv) ? -EIO : 0;
	}
	if (is_tc(s->hook)) {
		__u32 handle, prio;
		bool created;

		if (s->op == OP_REMOVE)
			return xk_tc_attach(ifindex, tc_dir(s->hook), s->old_fd, s->old_prio,
					    &handle, &prio, &created);
		/* The filter stays where it was; its program goes back. */
		return xk_tc_replace(ifindex, tc_dir(s->hook), s->old_fd, s->old_prio,
				     s->old_handle);
	}
	if (s->op == OP_REPLACE && s->old_dispatcher)
		return -EOPNOTSUPP;
	if (s->op == OP_REMOVE && s->old_dispatcher) {
		struct xdp_program *xp = xdp_program__from_fd(s->old_fd);

		err = libxdp_get_error(xp);
		if (!err) {
			err = xdp_program__attach(xp, ifindex, s->old_mode, 0);
			xdp_program__close(xp);
		}
		return err;
	}
	/* A single XDP program: whatever runs now makes way for the old one. */
	return bpf_xdp_attach(ifindex, s->old_fd, xk_xdp_mode_flag(s->old_mode), NULL);
}

static void rollback(struct plan *pl, struct xk_map_plan *mp, int nmaps)
{
	int i, fails = 0, err;

	for (i = nmaps - 1; i >= 0; i--)
		fails += xk_map_plan_undo(&mp[i]);
	for (i = pl->n - 1; i >= 0; i--) {
		struct step *s = &pl->steps[i];

		if (!s->done)
			continue;
		if (enter_netns(pl, pl->c->ifs[s->iface].netns))
			err = -EIO;
		else
			err = undo_step(pl, s);
		if (err) {
			fails++;
			fprintf(stderr, "xdpkit: could not undo: %c %s %s %s: %s\n",
				s->op == OP_ADD	     ? '+'
				: s->op == OP_REMOVE ? '-'
						     : '~',
				pl->c->ifs[s->iface].name, xk_hook_name(s->hook), s->name,
				strerror(-err));
		}
	}
	enter_netns(pl, NULL);
	if (fails)
		xk_hint("%d change(s) could not be undone; see 'xdpkit status' and run apply again",
			fails);
	else
		fprintf(stderr, "xdpkit: rolled back: nothing was changed\n");
}

/* --wait: the interfaces (and namespaces) the file names may still be on their way at boot
 * (udev, a driver loading firmware, a namespace made by another unit). Poll until all are there
 * or the time is up; the plan then says which one is missing. */
static void wait_for_ifaces(struct plan *pl, long seconds)
{
	struct timespec now, end;
	bool said = false;
	int i;

	clock_gettime(CLOCK_BOOTTIME, &end);
	end.tv_sec += seconds;
	for (;;) {
		for (i = 0; i < pl->c->nifs; i++) {
			const struct xk_conf_iface *ci = &pl->c->ifs[i];
			char path[PATH_MAX];
			bool there;

			if (ci->netns) {
				snprintf(path, sizeof(path), "/run/netns/%s", ci->netns);
				if (ci->netns[0] == '/')
					snprintf(path, sizeof(path), "%s", ci->netns);
				if (access(path, F_OK) || enter_netns(pl, ci->netns))
					break;
			}
			there = if_nametoindex(ci->name) > 0;
			enter_netns(pl, NULL);
			if (!there)
				break;
		}
		if (i == pl->c->nifs)
			return;
		clock_gettime(CLOCK_BOOTTIME, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			return;
		if (!said)
			fprintf(stderr, "xdpkit: waiting up to %ld s for interface %s%s%s\n",
				seconds, pl->c->ifs[i].name,
				pl->c->ifs[i].netns ? " in network namespace " : "",
				pl->c->ifs[i].netns ? pl->c->ifs[i].netns : "");
		said = true;
		usleep(100 * 1000);
	}
}

/* One apply at a time on this machine (the boot's and a person's, a reload and a second reload):
 * each plans from what runs and changes it, so two at once could mix their files. A flock,
 * dropped by the kernel when the process ends, even by SIGKILL. */
#define APPLY_LOCK_DIR "/run/xdpkit"
static int apply_lock(int *out)
{
	int fd;

	mkdir(APPLY_LOCK_DIR, 0755);
	fd = open(APPLY_LOCK_DIR "/apply.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return xk_error(XK_EXIT_ENV, "cannot open %s/apply.lock: %s", APPLY_LOCK_DIR,
				strerror(errno));
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR) {
			close(fd);
			return xk_error(XK_EXIT_ENV, "cannot lock %s/apply.lock: %s",
					APPLY_LOCK_DIR, strerror(errno));
		}
	}
	*out = fd;
	return 0;
}

struct apply_args {
	bool dry;
	long wait;
};

enum {
	OPT_DRY_RUN = 1,
	OPT_WAIT
};

static int apply_opt(void *ctx, int key, const char *val)
{
	struct apply_args *a = ctx;
	char *end;

	if (key == OPT_DRY_RUN) {
		a->dry = true;
		return 0;
	}
	errno = 0;
	a->wait = strtol(val, &end, 10);
	if (errno || !*val || *end || a->wait < 0 || a->wait > 3600)
		return xk_error(XK_EXIT_USAGE,
				"--wait '%s' is not a number of seconds from 0 to 3600", val);
	return 0;
}

int do_apply(int argc, char **argv)
{
	struct xk_map_plan *mp = NULL;
	struct xk_conf c = {};
	struct plan pl = { .c = &c, .orig_netns = -1 };
	struct apply_args a = {};
	struct xk_words w;
	const char *file;
	size_t changes = 0;
	int err, i, lock = -1;

	err = xk_opts_parse(&xk_verb_apply, argc, argv, apply_opt, &a, &w);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	if (w.n != 1)
		return xk_error(XK_EXIT_USAGE,
				"apply needs one FILE, e.g. 'xdpkit apply /etc/xdpkit/xdpkit.yaml'");
	file = w.pos[0];
	err = xk_conf_read(file, &c);
	if (err)
		goto out;
	err = xk_need_root();
	if (!err)
		err = xk_need_bpffs();
	if (err)
		goto out;
	pl.orig_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (pl.orig_netns < 0) {
		err = xk_error(XK_EXIT_ENV, "cannot open this network namespace: %s",
			       strerror(errno));
		goto out;
	}
	err = apply_lock(&lock);
	if (err)
		goto out;
	if (a.wait)
		wait_for_ifaces(&pl, a.wait);
	/* Read and check everything before the first change. */
	err = plan_programs(&pl);
	if (!err)
		err = xk_map_plans_parse(&c, &mp);
	for (i = 0; !err && i < c.nmaps; i++)
		err = xk_map_plan_diff(&mp[i]);
	if (err)
		goto out;
	for (i = 0; i < pl.n; i++)
		print_step(&pl, &pl.steps[i]);
	changes = pl.n;
	for (i = 0; i < c.nmaps; i++)
		changes += xk_map_plan_print(&mp[i]);
	if (!changes) {
		printf("no changes\n");
		goto out;
	}
	if (a.dry)
		goto out;
	for (i = 0; !err && i < pl.n; i++) {
		err = enter_netns(&pl, c.ifs[pl.steps[i].iface].netns);
		if (!err)
			err = exec_step(&pl, &pl.steps[i]);
	}
	if (!err)
		err = enter_netns(&pl, NULL);
	for (i = 0; !err && i < c.nmaps; i++)
		err = xk_map_plan_exec(&mp[i]);
	if (err) {
		rollback(&pl, mp, c.nmaps);
		goto out;
	}
	printf("applied %zu change%s\n", changes, changes == 1 ? "" : "s");
out:
	for (i = 0; i < pl.n; i++)
		if (pl.steps[i].old_fd >= 0)
			close(pl.steps[i].old_fd);
	free(pl.steps);
	free(pl.ifindex);
	if (pl.orig_netns >= 0)
		close(pl.orig_netns);
	if (lock >= 0)
		close(lock);
	xk_map_plans_free(mp, c.nmaps);
	xk_conf_free(&c);
	return err;
}

static void apply_schema(FILE *f)
{
	fprintf(f,
		"The file:\n"
		"  interfaces:\n"
		"    eth0:\n"
		"      netns: NAME                  # optional: a namespace of 'ip netns list'\n"
		"      xdp:\n"
		"        mode: native               # optional: native or skb\n"
		"        programs: [blocklist, {program: count, prio: 60}]\n"
		"      tc: {ingress: [count], egress: [portfilter]}\n"
		"  maps:\n"
		"    blocklist_v4: {entries: [192.0.2.1, 192.0.2.7], capacity: 65536}\n"
		"    blocklist_cidr4: {file: /etc/xdpkit/cidr4.txt}   # 'xdpkit map load' format\n"
		"    blocklist_cfg: {entries: [\"0 match=0\"]}\n");
}

static const struct xk_opt apply_opts[] = {
	{ .name = "dry-run", .key = OPT_DRY_RUN, .help = "print the changes and change nothing" },
	{ .name = "wait",
	  .key = OPT_WAIT,
	  .arg = "S",
	  .help = "wait up to S seconds for the interfaces (and namespaces) the file names to exist, "
		  "as at boot (the systemd unit waits 30 s)" },
	{ 0 },
};

static const enum xk_complete apply_pos[] = { XK_C_FILE };

const struct xk_verb xk_verb_apply = {
	.name = "apply",
	.summary = "make what runs match a YAML file: programs per hook, rules per map (--dry-run)",
	.synopsis = "apply FILE [--dry-run] [--wait S]",
	.description =
		"Make what runs match FILE (YAML): the programs on each hook it lists, in its order, "
		"and exactly the rules it gives for each map it lists. Hooks, interfaces and maps it "
		"does not list are left alone; a program that is the same as the running copy is not "
		"reloaded, another build of it is replaced in place, kept rules keep their hit "
		"counters. Everything is checked before the first change; a failure puts back what "
		"was changed. Prints one line per change (+ added, - removed, ~ changed), or 'no "
		"changes'. A bad file is one line FILE:LINE: what is wrong, exit 2.",
	.more = apply_schema,
	.opts = apply_opts,
	.pos = apply_pos,
	.npos = 1,
	.max_words = -1,
	.fn = do_apply,
};
