// SPDX-License-Identifier: GPL-2.0-only
/* `xdpkit map`: show, dump, get, set, del (and load, in map_load.c) with keys and values typed by
 * BTF. */
#include "capacity.h"
#include "map.h"
#include "json.h"
#include "map_entries.h"
#include "model.h"
#include "opts.h"
#include "xdpkit.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct map_opts {
	bool per_cpu;
	int npos;
	char **pos; /* the positional words, gathered at the front of argv (after argv[0]) */
};

/* The map commands' tables (at the end of the file). */
static const struct xk_verb xk_verb_map_show, xk_verb_map_dump, xk_verb_map_get, xk_verb_map_set,
	xk_verb_map_del;

enum {
	OPT_PER_CPU = 1
};

static int map_opt(void *ctx, int key, const char *val)
{
	struct map_opts *o = ctx;

	(void)val;
	if (key == OPT_PER_CPU)
		o->per_cpu = true;
	return 0;
}

/* The words and options of a map command (its table below says how many words). Returns 0,
 * XK_OPTS_HELP or an exit code (printed). */
static int map_args(const struct xk_verb *v, int argc, char **argv, struct map_opts *o)
{
	struct xk_words w;
	int err;

	memset(o, 0, sizeof(*o));
	err = xk_opts_parse(v, argc, argv, map_opt, o, &w);
	if (err)
		return err;
	o->pos = w.pos;
	o->npos = w.n;
	return xk_need_root();
}

/* The MAP argument may be two words (`id N`): open it and say how many words it took. */
static int open_map(struct map_opts *o, struct xk_mapref *m, int *next)
{
	*next = 0;
	return xk_mapref_open(o->npos, o->pos, next, m);
}

int xk_map_parse_key(const struct xk_mapref *m, const char *text, void *key)
{
	char err[512], tname[128];

	memset(key, 0, m->info.key_size);
	if (xk_parse_text(&m->key, text, key, err, sizeof(err))) {
		xk_type_name(&m->key, tname, sizeof(tname));
		return xk_error(XK_EXIT_USAGE, "key for map %s (%s): %s", m->name, tname, err);
	}
	if (xk_map_type_is_array(m->info.type) && m->info.key_size == 4) {
		__u32 idx;

		memcpy(&idx, key, 4);
		if (idx >= m->info.max_entries)
			return xk_error(XK_EXIT_USAGE,
					"key %s: map %s is an array with indexes 0-%u", text,
					m->name, m->info.max_entries - 1);
	}
	return 0;
}

int xk_map_parse_value(const struct xk_mapref *m, const char *text, void *val)
{
	char err[512], tname[128];

	if (xk_parse_text(&m->value, text, val, err, sizeof(err))) {
		xk_type_name(&m->value, tname, sizeof(tname));
		return xk_error(XK_EXIT_USAGE, "value for map %s (%s): %s", m->name, tname, err);
	}
	return 0;
}

/* An LPM trie's lookup is a longest-prefix match: 10.1.0.0/16 "finds" 10.0.0.0/8. Exactness needs a
 * walk. */
int xk_map_lookup_exact(const struct xk_mapref *m, const void *key, void *vals)
{
	__u8 *cur, *next;
	bool found = false, first = true;

	if (bpf_map_lookup_elem(m->fd, key, vals))
		return -errno;
	if (m->info.type != BPF_MAP_TYPE_LPM_TRIE)
		return 0;
	cur = calloc(2, m->info.key_size);
	if (!cur)
		return -ENOMEM;
	next = cur + m->info.key_size;
	while (!found && !bpf_map_get_next_key(m->fd, first ? NULL : cur, next)) {
		first = false;
		memcpy(cur, next, m->info.key_size);
		found = !memcmp(cur, key, m->info.key_size);
	}
	free(cur);
	return found ? 0 : -ENOENT;
}

void xk_map_spread(const struct xk_mapref *m, const void *one, void *all)
{
	int cpu;

	for (cpu = 0; cpu < m->ncpu; cpu++)
		memcpy((__u8 *)all + (size_t)cpu * m->vstride, one, m->info.value_size);
}

/* One element, plain: "KEY VALUE" (what `load` reads back); per-CPU copies follow indented when
 * asked. */
static int print_elem(struct jw *w, const struct xk_mapref *m, const void *key, const void *vals,
		      bool per_cpu, bool with_key)
{
	__u8 *sum = malloc(m->info.value_size ? m->info.value_size : 1);
	char *kt = NULL, *vt = NULL;
	int cpu, err = 0;

	if (!sum)
		return -ENOMEM;
	if (m->percpu)
		xk_sum_percpu(&m->value, vals, m->ncpu, m->vstride, sum);
	else
		memcpy(sum, vals, m->info.value_size);
	if (w) {
		jw_obj_start(w);
		if (with_key) {
			jw_key(w, "key");
			xk_fmt_json(w, &m->key, key);
		}
		jw_key(w, "value");
		xk_fmt_json(w, &m->value, sum);
		if (per_cpu && m->percpu) {
			jw_key(w, "per_cpu");
			jw_arr_start(w);
			for (cpu = 0; cpu < m->ncpu; cpu++)
				xk_fmt_json(w, &m->value,
					    (const __u8 *)vals + (size_t)cpu * m->vstride);
			jw_arr_end(w);
		}
		jw_obj_end(w);
	} else {
		/* Whole texts, however long: a cut one would not load back. */
		vt = xk_fmt_text_alloc(&m->value, sum, 0);
		kt = with_key ? xk_fmt_text_alloc(&m->key, key, XK_FMT_KEY) : NULL;
		if (!vt || (with_key && !kt)) {
			err = -ENOMEM;
			goto out;
		}
		if (with_key)
			printf("%s %s\n", kt, vt);
		else
			printf("%s\n", vt);
		for (cpu = 0; per_cpu && m->percpu && cpu < m->ncpu; cpu++) {
			free(vt);
			vt = xk_fmt_text_alloc(&m->value,
					       (const __u8 *)vals + (size_t)cpu * m->vstride, 0);
			if (!vt) {
				err = -ENOMEM;
				goto out;
			}
			printf("  cpu%d %s\n", cpu, vt);
		}
	}
out:
	free(kt);
	free(vt);
	free(sum);
	return err;
}

struct dump_walk {
	const struct xk_mapref *m;
	struct jw *w;
	bool per_cpu;
};

static int dump_entry(void *ctx, const void *key, const void *val)
{
	struct dump_walk *d = ctx;

	return print_elem(d->w, d->m, key, val, d->per_cpu, true) ? -ENOMEM : 0;
}

/* Every element, printed. The number of elements or -errno. */
static long walk(const struct xk_mapref *m, struct jw *w, bool per_cpu)
{
	struct dump_walk d = { m, w, per_cpu };

	return xk_map_walk(m, false, dump_entry, &d);
}

static int map_dump(int argc, char **argv)
{
	struct map_opts o;
	struct xk_mapref m;
	char kt[128], vt[128];
	struct jw *w = NULL;
	long n = 0;
	int err, at;

	err = map_args(&xk_verb_map_dump, argc, argv, &o);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	err = open_map(&o, &m, &at);
	if (err)
		return err;
	if (at < o.npos) {
		xk_mapref_close(&m);
		return xk_error(XK_EXIT_USAGE, "map dump: unexpected '%s' after the map",
				o.pos[at]);
	}
	xk_type_name(&m.key, kt, sizeof(kt));
	xk_type_name(&m.value, vt, sizeof(vt));
	if (xk.json) {
		w = jw_new(stdout);
		jw_obj_start(w);
		jw_kstr(w, "map", m.name);
		jw_kuint(w, "id", m.info.id);
		jw_kstr(w, "type", xk_map_type_name(m.info.type));
		jw_kstr(w, "key_type", kt);
		jw_kstr(w, "value_type", vt);
		jw_key(w, "entries");
		jw_arr_start(w);
	} else {
		printf("# map %s (id %u, %s%s): key %s, value %s\n", m.name, m.info.id,
		       xk_map_type_name(m.info.type), m.percpu ? ", values summed over CPUs" : "",
		       kt, vt);
	}
	err = 0;
	n = walk(&m, w, o.per_cpu);
	if (n < 0) {
		err = xk_error(XK_EXIT_FAIL, "reading map %s failed: %s", m.name,
			       strerror((int)-n));
		n = 0;
	}
	if (w) {
		jw_arr_end(w);
		jw_obj_end(w);
		jw_free(w);
	} else {
		printf("# %ld %s\n", n, n == 1 ? "entry" : "entries");
	}
	xk_mapref_close(&m);
	return err;
}

static int map_get(int argc, char **argv)
{
	struct map_opts o;
	struct xk_mapref m;
	__u8 *key = NULL, *vals = NULL;
	int err, at;

	err = map_args(&xk_verb_map_get, argc, argv, &o);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	err = open_map(&o, &m, &at);
	if (err)
		return err;
	if (at != o.npos - 1) {
		xk_mapref_close(&m);
		return xk_error(XK_EXIT_USAGE,
				"map get needs MAP and one KEY (quote a key with spaces)");
	}
	key = calloc(1, m.info.key_size);
	vals = calloc(1, xk_mapref_value_bytes(&m));
	if (!key || !vals) {
		err = xk_error(XK_EXIT_FAIL, "out of memory");
		goto out;
	}
	err = xk_map_parse_key(&m, o.pos[at], key);
	if (err)
		goto out;
	err = xk_map_lookup_exact(&m, key, vals);
	if (err) {
		errno = -err;
		err = errno == ENOENT ? xk_error(XK_EXIT_NOTFOUND, "key %s is not in map %s",
						 o.pos[at], m.name)
				      : xk_error(XK_EXIT_FAIL, "cannot read key %s of map %s: %s",
						 o.pos[at], m.name, strerror(errno));
		goto out;
	}
	if (xk.json) {
		struct jw *w = jw_new(stdout);

		err = print_elem(w, &m, key, vals, o.per_cpu, true);
		jw_free(w);
	} else {
		err = print_elem(NULL, &m, key, vals, o.per_cpu, false);
	}
	if (err)
		err = xk_error(XK_EXIT_FAIL, "out of memory printing key %s of map %s", o.pos[at],
			       m.name);
out:
	free(key);
	free(vals);
	xk_mapref_close(&m);
	return err;
}

/* The VALUE of `map set` may come as several words (match=1 mode=2): joined by one blank, every
 * word kept, up to XK_TEXT_MAX characters in all (-E2BIG beyond). *out is NULL for no words. */
static int join_words(int n, char **words, char **out)
{
	size_t total = 0, off = 0;
	int i;

	*out = NULL;
	if (n <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		total += strlen(words[i]) + (i > 0);
		if (total > XK_TEXT_MAX)
			return -E2BIG;
	}
	*out = malloc(total + 1);
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (i)
			(*out)[off++] = ' ';
		memcpy(*out + off, words[i], strlen(words[i]));
		off += strlen(words[i]);
	}
	(*out)[off] = '\0';
	return 0;
}

static int map_set(int argc, char **argv)
{
	struct map_opts o;
	struct xk_mapref m;
	__u8 *key = NULL, *old = NULL, *one = NULL, *vals = NULL;
	char *value = NULL;
	bool exists;
	int err, at;

	err = map_args(&xk_verb_map_set, argc, argv, &o);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	err = open_map(&o, &m, &at);
	if (err)
		return err;
	if (at >= o.npos) {
		xk_mapref_close(&m);
		return xk_error(
			XK_EXIT_USAGE,
			"map set: missing KEY after the map; usage: xdpkit map set MAP KEY [VALUE]");
	}
	/* The value may come as several words (rate_pps=100 burst=200). */
	err = join_words(o.npos - at - 1, o.pos + at + 1, &value);
	if (err) {
		err = err == -E2BIG ? xk_error(XK_EXIT_USAGE,
					       "map set: the VALUE words of map %s are longer than "
					       "%d characters in all; give fewer or shorter ones",
					       m.name, XK_TEXT_MAX)
				    : xk_error(XK_EXIT_FAIL, "out of memory");
		goto out;
	}
	key = calloc(1, m.info.key_size);
	old = calloc(1, xk_mapref_value_bytes(&m));
	one = calloc(1, m.info.value_size);
	vals = calloc(1, xk_mapref_value_bytes(&m));
	if (!key || !old || !one || !vals) {
		err = xk_error(XK_EXIT_FAIL, "out of memory");
		goto out;
	}
	err = xk_map_parse_key(&m, o.pos[at], key);
	if (err)
		goto out;
	exists = !xk_map_lookup_exact(&m, key, old);
	/* Fields not named keep their value (CPU 0's copy for per-CPU maps); a new key starts from
	 * zero. */
	if (exists)
		memcpy(one, old, m.info.value_size);
	if (!value)
		memset(one, 0, m.info.value_size);
	else if ((err = xk_map_parse_value(&m, value, one)))
		goto out;
	xk_map_spread(&m, one, vals);
	if (bpf_map_update_elem(m.fd, key, vals, BPF_ANY)) {
		if (errno == E2BIG) {
			err = xk_error(XK_EXIT_FAIL,
				       "map %s is full (max_entries %u); delete entries first",
				       m.name, m.info.max_entries);
			xk_capacity_full_hint(m.name, m.info.max_entries);
		} else
			err = xk_error(XK_EXIT_FAIL, "cannot write key %s to map %s: %s", o.pos[at],
				       m.name, strerror(errno));
		goto out;
	}
out:
	free(value);
	free(key);
	free(old);
	free(one);
	free(vals);
	xk_mapref_close(&m);
	return err;
}

static int map_del(int argc, char **argv)
{
	struct map_opts o;
	struct xk_mapref m;
	__u8 *key = NULL;
	int err, at;

	err = map_args(&xk_verb_map_del, argc, argv, &o);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	err = open_map(&o, &m, &at);
	if (err)
		return err;
	if (at != o.npos - 1) {
		xk_mapref_close(&m);
		return xk_error(XK_EXIT_USAGE,
				"map del needs MAP and one KEY; usage: xdpkit map del MAP KEY");
	}
	if (xk_map_type_is_array(m.info.type)) {
		err = xk_error(XK_EXIT_USAGE,
			       "map %s is an array: its entries cannot be deleted; set one to zero "
			       "with 'xdpkit map set %s %s'",
			       m.name, m.name, o.pos[at]);
		goto out;
	}
	key = calloc(1, m.info.key_size);
	if (!key) {
		err = xk_error(XK_EXIT_FAIL, "out of memory");
		goto out;
	}
	err = xk_map_parse_key(&m, o.pos[at], key);
	if (err)
		goto out;
	if (bpf_map_delete_elem(m.fd, key)) {
		err = errno == ENOENT
			      ? xk_error(XK_EXIT_NOTFOUND, "key %s is not in map %s", o.pos[at],
					 m.name)
			      : xk_error(XK_EXIT_FAIL, "cannot delete key %s from map %s: %s",
					 o.pos[at], m.name, strerror(errno));
		goto out;
	}
out:
	free(key);
	xk_mapref_close(&m);
	return err;
}

/* The programs `show` covers: those on an interface, those PROG names, or every program attached
 * in this network namespace. sel[] runs over m->progs. */
static int show_targets(const char *what, unsigned int ifindex, const struct xk_model *m, bool *sel)
{
	struct xk_attached *at = NULL;
	int i, k, na, *idx;

	if (!what || ifindex) {
		na = xk_model_attached(m, &at);
		if (na < 0)
			return xk_error(XK_EXIT_FAIL, "cannot list the programs on %s: %s",
					what ? what : "the interfaces", strerror(-na));
		for (i = 0; i < m->nprogs; i++)
			for (k = 0; k < na; k++)
				sel[i] |= m->progs[i].id == at[k].prog_id;
		free(at);
		return 0;
	}
	idx = calloc(m->nprogs + 1, sizeof(*idx));
	if (!idx)
		return xk_error(XK_EXIT_FAIL, "out of memory");
	k = xk_model_match(m, what, idx, m->nprogs);
	for (i = 0; i < k; i++)
		sel[idx[i]] = true;
	free(idx);
	if (!k)
		return xk_error(XK_EXIT_NOTFOUND,
				"'%s' is neither an interface nor a loaded program; see 'xdpkit status'",
				what);
	return 0;
}

/* One line (or JSON object) of `map show`. */
static void show_map(struct jw *w, const struct xk_model *model, __u32 id)
{
	char kt[128], vt[128], users[128] = "";
	struct xk_mapref m;
	long count;
	int k;

	if (xk_mapref_open_id(id, &m))
		return;
	for (k = 0; k < model->nprogs; k++)
		if (xk_kprog_uses(&model->progs[k], id))
			snprintf(users + strlen(users), sizeof(users) - strlen(users), "%s%u",
				 *users ? "," : "", model->progs[k].id);
	xk_type_name(&m.key, kt, sizeof(kt));
	xk_type_name(&m.value, vt, sizeof(vt));
	count = xk_map_type_is_array(m.info.type) ? (long)m.info.max_entries : xk_map_count(&m);
	if (w) {
		jw_obj_start(w);
		jw_kuint(w, "id", id);
		jw_kstr(w, "name", m.name);
		jw_kstr(w, "type", xk_map_type_name(m.info.type));
		jw_kstr(w, "key_type", kt);
		jw_kstr(w, "value_type", vt);
		jw_kint(w, "entries", count);
		jw_kuint(w, "max_entries", m.info.max_entries);
		jw_key(w, "progs");
		jw_arr_start(w);
		for (k = 0; k < model->nprogs; k++)
			if (xk_kprog_uses(&model->progs[k], id))
				jw_uint(w, model->progs[k].id);
		jw_arr_end(w);
		jw_key(w, "pin");
		jw_str(w, m.pin[0] ? m.pin : NULL);
		jw_obj_end(w);
	} else {
		printf("%-6u %-17s %-14s %-16s %-24s %9ld %9u  %-9s %s\n", id, m.name,
		       xk_map_type_name(m.info.type), kt, vt, count, m.info.max_entries,
		       *users ? users : "-", m.pin[0] ? m.pin : "-");
	}
	xk_mapref_close(&m);
}

static bool seen(const __u32 *ids, int n, __u32 id)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static int map_show(int argc, char **argv)
{
	const char *what;
	struct map_opts o;
	struct xk_model model;
	unsigned int ifindex;
	bool *sel = NULL;
	__u32 *done = NULL;
	int err, i, j, ndone = 0, cap;
	struct jw *w = NULL;

	err = map_args(&xk_verb_map_show, argc, argv, &o);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	err = xk_need_bpffs();
	if (err)
		return err;
	what = o.npos ? o.pos[0] : NULL;
	ifindex = what ? if_nametoindex(what) : 0;
	err = xk_model_read(&model, XK_MODEL_ALL, (int)ifindex);
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot read what runs here: %s", strerror(-err));
	cap = model.npins + 1;
	for (i = 0; i < model.nprogs; i++)
		cap += model.progs[i].nmaps;
	sel = calloc(model.nprogs + 1, sizeof(*sel));
	done = calloc(cap, sizeof(*done));
	if (!sel || !done) {
		err = xk_error(XK_EXIT_FAIL, "out of memory");
		goto out;
	}
	err = show_targets(what, ifindex, &model, sel);
	if (err)
		goto out;
	if (xk.json) {
		w = jw_new(stdout);
		jw_arr_start(w);
	} else {
		printf("%-6s %-17s %-14s %-16s %-24s %9s %9s  %-9s %s\n", "ID", "NAME", "TYPE",
		       "KEY", "VALUE", "ENTRIES", "MAX", "PROGS", "PIN");
	}
	/* A map used by several selected programs is shown once, with all of them. */
	for (i = 0; i < model.nprogs; i++)
		for (j = 0; sel[i] && j < (int)model.progs[i].nmaps; j++) {
			__u32 id = model.progs[i].map_ids[j];

			if (seen(done, ndone, id))
				continue;
			done[ndone++] = id;
			show_map(w, &model, id);
		}
	/* Without a selection, every pin under the root too: those no program attached here uses
	 * (rules kept by a detach, left by an interface that is gone) would be hidden otherwise. */
	for (i = 0; !what && i < model.npins; i++)
		if (!seen(done, ndone, model.pins[i].map_id)) {
			done[ndone++] = model.pins[i].map_id;
			show_map(w, &model, model.pins[i].map_id);
		}
	if (w) {
		jw_arr_end(w);
		jw_free(w);
	}
out:
	free(sel);
	free(done);
	xk_model_free(&model);
	return err;
}

static int map_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_opts_help(&xk_verb_map, stdout);
	return XK_EXIT_OK;
}

int do_map(int argc, char **argv)
{
	if (argc < 2 || xk_is_help(argv[1]))
		return map_help(argc, argv);
	return xk_verb_select(xk_verb_map.subs, argc - 1, argv + 1, "map command");
}

static const struct xk_opt per_cpu_opts[] = {
	{ .name = "per-cpu",
	  .key = OPT_PER_CPU,
	  .help = "per-CPU maps: each CPU's value (without it, the sum)" },
	{ 0 },
};

static const enum xk_complete show_pos[] = { XK_C_IFPROG };
static const enum xk_complete map_pos[] = { XK_C_MAP };

static const struct xk_verb xk_verb_map_show = {
	.name = "map show",
	.alias = "list",
	.summary = "maps of attached programs (no selection: and every pin)",
	.synopsis = "map show [IFACE|PROG]",
	.description = "The maps of the programs attached on IFACE, or of PROG (name or id): id, "
		       "name, type, key and value types, entries, size, the programs that use them "
		       "and the pin. Without a selection, every map of an attached program and "
		       "every pin under the pin root.",
	.pos = show_pos,
	.npos = 1,
	.max_words = 1,
	.fn = map_show,
};

static const struct xk_verb xk_verb_map_dump = {
	.name = "map dump",
	.summary = "every entry as 'KEY VALUE' (what 'load' reads)",
	.synopsis = "map dump MAP [--per-cpu]",
	.opts = per_cpu_opts,
	.pos = map_pos,
	.npos = 1,
	.min_words = 1,
	.max_words = 2,
	.fn = map_dump,
};

static const struct xk_verb xk_verb_map_get = {
	.name = "map get",
	.summary = "one value",
	.synopsis = "map get MAP KEY [--per-cpu]",
	.opts = per_cpu_opts,
	.pos = map_pos,
	.npos = 1,
	.min_words = 2,
	.max_words = 4,
	.fn = map_get,
};

static const struct xk_verb xk_verb_map_set = {
	.name = "map set",
	.alias = "update",
	.summary = "add or change an entry (no VALUE: a zero value)",
	.synopsis = "map set MAP KEY [VALUE]",
	.description = "The value may come as several words (rate_pps=100 burst=200); without one "
		       "the value is zero. Per-CPU maps get it on every CPU.",
	.pos = map_pos,
	.npos = 1,
	.min_words = 2,
	.max_words = 1 << 20,
	.fn = map_set,
};

static const struct xk_verb xk_verb_map_del = {
	.name = "map del",
	.alias = "delete",
	.summary = "remove an entry",
	.synopsis = "map del MAP KEY",
	.pos = map_pos,
	.npos = 1,
	.min_words = 2,
	.max_words = 3,
	.fn = map_del,
};

static const struct xk_verb *const map_subs[] = {
	&xk_verb_map_show,
	&xk_verb_map_dump,
	&xk_verb_map_get,
	&xk_verb_map_set,
	&xk_verb_map_del,
	&xk_verb_map_load,
	NULL,
};

static const enum xk_complete map_sub_pos[] = { XK_C_SUBVERB };

const struct xk_verb xk_verb_map = {
	.name = "map",
	.summary = "typed map access: show, dump, get, set, del, load (keys like 10.0.0.0/8)",
	.synopsis = "map COMMAND ...",
	.description =
		"MAP is a pin path, PROG/MAPNAME (PROG by name or id), a name pinned in the pin root, "
		"/sys/fs/bpf/tc/globals or /sys/fs/bpf, the name of one loaded map, or id N.\n\n"
		"KEY and VALUE are typed by the map's BTF: 10.0.0.1, 2001:db8::1, 10.0.0.0/8 (no host "
		"bits), 2001:db8::/32, a port 0-65535, aa:bb:cc:dd:ee:ff, ipv4|ipv6|arp|0x88cc, "
		"tcp|udp|icmp|17, integers (decimal or 0x hex), enums by name, structs as field=value "
		"pairs separated by commas or spaces (fields not named keep their value). Maps without "
		"BTF: hex bytes. A key or value text takes at most 1 MiB (1048576 characters).\n\n"
		"Per-CPU values are summed when read (--per-cpu shows each CPU) and written to every "
		"CPU (so a counter set to N reads back as N times the number of CPUs).",
	.pos = map_sub_pos,
	.npos = 1,
	.max_words = -1,
	.subs = map_subs,
	.fn = do_map,
};
