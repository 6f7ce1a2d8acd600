// SPDX-License-Identifier: GPL-2.0-only
/* The rules part of apply: each map the file lists holds exactly the keys it gives. Keys are
 * parsed by the map's BTF types (map set's text), compared with what the map holds, and only the
 * difference is written: a kept rule is not touched, so its hit counter goes on counting; a rule
 * given with a value is parsed over its current value (as map set does) and written only when
 * that changes it. */
#include "apply.h"
#include "capacity.h"
#include "map.h"
#include "xdpkit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

/* Past this many changed rules in one map the diff is one summary line. */
#define LIST_MAX 20

/* Rules with their value text (NULL: none given). */
struct rule {
	const struct xk_conf_entry *e;
	const char *vtext;
	size_t ord; /* order in the file: the last of duplicate keys wins */
};

static inline bool blank(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Split "KEY [VALUE]" in place: the key ends at the first blank; the value is the rest, trimmed,
 * or NULL. A '#' after a blank starts a comment, as in map load files. */
static char *split(char *s, char **value)
{
	char *k, *v, *h;
	size_t n;

	while (blank(*s))
		s++;
	for (h = s; (h = strchr(h, '#'));) {
		if (h == s || blank(h[-1])) {
			*h = '\0';
			break;
		}
		h++;
	}
	n = strlen(s);
	while (n && blank(s[n - 1]))
		s[--n] = '\0';
	for (k = s; *k && !blank(*k); k++)
		;
	v = k;
	if (*v) {
		*v++ = '\0';
		while (blank(*v))
			v++;
	}
	*value = *v ? v : NULL;
	return s;
}

/* The rules of a `file:` in map load format, one entry a line (blank and '#' lines skipped). */
static int read_rules_file(struct xk_conf_map *cm)
{
	FILE *f = fopen(cm->file, "r");
	size_t cap = 0, len = 0;
	char *line = NULL, *s;
	ssize_t r;
	int lineno = 0;

	if (!f)
		return xk_error(XK_EXIT_NOTFOUND, "cannot read rules file '%s': %s", cm->file,
				strerror(errno));
	while ((r = getline(&line, &len, f)) >= 0) {
		lineno++;
		for (s = line; blank(*s); s++)
			;
		if (!*s || *s == '#')
			continue;
		if (cm->n == cap) {
			struct xk_conf_entry *ne;

			cap = cap ? cap * 2 : 1024;
			ne = realloc(cm->entries, cap * sizeof(*ne));
			if (!ne)
				goto nomem;
			cm->entries = ne;
		}
		cm->entries[cm->n].text = strdup(s);
		if (!cm->entries[cm->n].text)
			goto nomem;
		cm->entries[cm->n].file = cm->file;
		cm->entries[cm->n++].line = lineno;
	}
	free(line);
	fclose(f);
	return 0;
nomem:
	free(line);
	fclose(f);
	return xk_error(XK_EXIT_FAIL, "out of memory reading %s", cm->file);
}

static size_t sort_size;
static const __u8 *sort_keys;

static int cmp_idx(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = memcmp(sort_keys + x * sort_size, sort_keys + y * sort_size, sort_size);

	return c ? c : (x < y ? -1 : x > y);
}

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, sort_size);
}

/* Where a map of this name comes from when it is not pinned yet: an object the file attaches.
 * The object stays open in o (its BTF types are the plan's). */
static int from_objects(const struct xk_conf *c, const char *name, struct xk_obj *o,
			struct bpf_map **map)
{
	int i, h, j;

	for (i = 0; i < c->nifs; i++)
		for (h = 0; h < XK_NHOOKS; h++)
			for (j = 0; j < c->ifs[i].hook[h].n; j++) {
				if (xk_obj_open(c->ifs[i].hook[h].progs[j].word, NULL, o))
					return -EINVAL;
				*map = bpf_object__find_map_by_name(o->obj, name);
				if (*map && bpf_map__pin_path(*map))
					return 0;
				xk_obj_close(o);
			}
	return -ENOENT;
}

static int parse_rules(struct xk_map_plan *p, const struct xk_conf_map *cm, struct rule **out)
{
	__u8 *val = malloc(p->value_size ? p->value_size : 1);
	struct rule *rules = calloc(cm->n + 1, sizeof(*rules));
	char msg[512], tname[128];
	size_t i;

	p->keys = calloc(cm->n + 1, p->key_size);
	if (!val || !rules || !p->keys) {
		free(val);
		free(rules);
		return xk_error(XK_EXIT_FAIL, "out of memory for the rules of map %s", cm->name);
	}
	for (i = 0; i < cm->n; i++) {
		const struct xk_conf_entry *e = &cm->entries[i];
		char *value, *key = split(e->text, &value);

		rules[i].e = e;
		rules[i].vtext = value;
		rules[i].ord = i;
		if (xk_parse_text(&p->key, key, p->keys + i * p->key_size, msg, sizeof(msg))) {
			xk_type_name(&p->key, tname, sizeof(tname));
			goto bad;
		}
		if (p->is_array && p->key_size == 4) {
			__u32 idx;

			memcpy(&idx, p->keys + i * 4, 4);
			if (idx >= p->max_entries) {
				snprintf(msg, sizeof(msg),
					 "key %s: map %s is an array with indexes 0-%u", key,
					 cm->name, p->max_entries - 1);
				tname[0] = '\0';
				goto bad;
			}
		}
		memset(val, 0, p->value_size);
		if (value && xk_parse_text(&p->value, value, val, msg, sizeof(msg))) {
			xk_type_name(&p->value, tname, sizeof(tname));
			xk_conf_error(e->file, e->line, "value for map %s (%s): %s", cm->name,
				      tname, msg);
			free(val);
			free(rules);
			return XK_EXIT_USAGE;
		}
	}
	p->n = cm->n;
	free(val);
	*out = rules;
	return 0;
bad:
	if (tname[0])
		xk_conf_error(cm->entries[i].file, cm->entries[i].line, "key for map %s (%s): %s",
			      cm->name, tname, msg);
	else
		xk_conf_error(cm->entries[i].file, cm->entries[i].line, "%s", msg);
	free(val);
	free(rules);
	return XK_EXIT_USAGE;
}

/* Sort rules by key; of duplicates keep the last one written. */
static void dedup(struct xk_map_plan *p, struct rule *rules)
{
	size_t *idx = malloc((p->n + 1) * sizeof(*idx)), i, n = 0;
	__u8 *keys = malloc((p->n + 1) * p->key_size);
	struct rule *sorted = malloc((p->n + 1) * sizeof(*sorted));

	if (!idx || !keys || !sorted) {
		free(idx);
		free(keys);
		free(sorted);
		return; /* unsorted: the diff below then finds nothing in order; caught by nomem */
	}
	for (i = 0; i < p->n; i++)
		idx[i] = i;
	sort_size = p->key_size;
	sort_keys = p->keys;
	qsort(idx, p->n, sizeof(*idx), cmp_idx);
	for (i = 0; i < p->n; i++) {
		if (i + 1 < p->n && !memcmp(p->keys + idx[i] * p->key_size,
					    p->keys + idx[i + 1] * p->key_size, p->key_size))
			continue;
		memcpy(keys + n * p->key_size, p->keys + idx[i] * p->key_size, p->key_size);
		sorted[n++] = rules[idx[i]];
	}
	memcpy(p->keys, keys, n * p->key_size);
	memcpy(rules, sorted, n * sizeof(*rules));
	p->n = n;
	free(idx);
	free(keys);
	free(sorted);
}

static int plan_one(const struct xk_conf *c, const struct xk_conf_map *cm, struct xk_map_plan *p)
{
	char path[PATH_MAX], *argv[2] = { path, NULL };
	struct bpf_map *map;
	int err, at = 0;

	p->cm = cm;
	p->m.fd = -1;
	snprintf(path, sizeof(path), "%s/%s", xk.pin_root, cm->name);
	if (!access(path, F_OK)) {
		err = xk_mapref_open(1, argv, &at, &p->m);
		if (err)
			return err;
		p->pinned = true;
		p->key = p->m.key;
		p->value = p->m.value;
		p->key_size = p->m.info.key_size;
		p->value_size = p->m.info.value_size;
		p->max_entries = p->m.info.max_entries;
		p->is_array = xk_map_type_is_array(p->m.info.type);
		if (cm->capacity && cm->capacity != p->max_entries) {
			xk_conf_error(
				c->path, cm->cap_line,
				"map %s is pinned with capacity %u, not %u; a map's size is fixed once made: 'xdpkit detach IFACE PROG --purge' its programs, then apply again",
				cm->name, p->max_entries, cm->capacity);
			return XK_EXIT_USAGE;
		}
	} else {
		err = from_objects(c, cm->name, &p->obj, &map);
		if (err == -EINVAL)
			return XK_EXIT_USAGE;
		if (err) {
			xk_conf_error(
				c->path, cm->line,
				"map %s is not pinned under %s and no program of this file pins a map of that name",
				cm->name, xk.pin_root);
			return XK_EXIT_USAGE;
		}
		p->have_obj = true;
		p->key = (struct xk_vtype){ bpf_object__btf(p->obj.obj),
					    bpf_map__btf_key_type_id(map), bpf_map__key_size(map) };
		p->value = (struct xk_vtype){ bpf_object__btf(p->obj.obj),
					      bpf_map__btf_value_type_id(map),
					      bpf_map__value_size(map) };
		p->key_size = bpf_map__key_size(map);
		p->value_size = bpf_map__value_size(map);
		p->max_entries = cm->capacity ? cm->capacity : bpf_map__max_entries(map);
		p->is_array = xk_map_type_is_array(bpf_map__type(map));
	}
	if (!cm->has_entries)
		return 0;
	if (cm->file) {
		err = read_rules_file((struct xk_conf_map *)cm);
		if (err)
			return err;
	}
	err = parse_rules(p, cm, &p->rules);
	if (err)
		return err;
	dedup(p, p->rules);
	if (!p->is_array && p->n > p->max_entries) {
		xk_conf_error(
			c->path, cm->line,
			"map %s holds at most %u entries and %zu are given; give it 'capacity: N' (a map's size is fixed once made)",
			cm->name, p->max_entries, p->n);
		return XK_EXIT_USAGE;
	}
	return 0;
}

int xk_map_plans_parse(const struct xk_conf *c, struct xk_map_plan **plans)
{
	int i, err;

	*plans = calloc(c->nmaps + 1, sizeof(**plans));
	if (!*plans)
		return xk_error(XK_EXIT_FAIL, "out of memory");
	for (i = 0; i < c->nmaps; i++) {
		(*plans)[i].m.fd = -1;
		err = plan_one(c, &c->maps[i], &(*plans)[i]);
		if (err)
			return err;
	}
	return 0;
}

static void free_diff(struct xk_map_plan *p)
{
	free(p->add);
	free(p->chg);
	free(p->del);
	free(p->newvals);
	free(p->oldvals);
	p->add = p->chg = NULL;
	p->del = p->newvals = p->oldvals = NULL;
	p->nadd = p->nchg = p->ndel = 0;
}

/* Every key the map holds, sorted. */
static int current_keys(struct xk_map_plan *p, __u8 **out, size_t *n)
{
	size_t cap = 1024, ks = p->key_size;
	__u8 *keys = malloc(cap * ks), *prev = NULL;

	*n = 0;
	while (keys) {
		if (*n == cap) {
			__u8 *nk = realloc(keys, (cap *= 2) * ks);

			if (!nk)
				break;
			keys = nk;
		}
		if (bpf_map_get_next_key(p->m.fd, prev, keys + *n * ks)) {
			if (errno != ENOENT) {
				free(keys);
				return -errno;
			}
			sort_size = ks;
			qsort(keys, *n, ks, cmp_key);
			*out = keys;
			return 0;
		}
		prev = keys + *n * ks;
		(*n)++;
	}
	free(keys);
	return -ENOMEM;
}

int xk_map_plan_diff(struct xk_map_plan *p)
{
	size_t ks = p->key_size, vb, i = 0, j = 0, ncur = 0;
	__u8 *cur = NULL, *one = NULL, *spread = NULL;
	char msg[256];
	int err;

	free_diff(p);
	if (!p->cm->has_entries)
		return 0;
	p->add = calloc(p->n + 1, sizeof(*p->add));
	p->chg = calloc(p->n + 1, sizeof(*p->chg));
	if (!p->add || !p->chg)
		return xk_error(XK_EXIT_FAIL, "out of memory");
	if (!p->pinned) {
		/* The attach that pins the map comes first; every rule is then new. */
		for (i = 0; i < p->n; i++)
			p->add[p->nadd++] = i;
		return 0;
	}
	vb = xk_mapref_value_bytes(&p->m);
	err = current_keys(p, &cur, &ncur);
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot read the keys of map %s: %s", p->cm->name,
				strerror(-err));
	p->del = malloc((ncur + 1) * ks);
	p->newvals = malloc((p->n + 1) * vb);
	p->oldvals = malloc((p->n + ncur + 1) * vb);
	one = malloc(p->value_size + 1);
	spread = malloc(vb);
	if (!p->del || !p->newvals || !p->oldvals || !one || !spread) {
		err = xk_error(XK_EXIT_FAIL, "out of memory");
		goto out;
	}
	/* Both lists sorted: one merge. New values first go to newvals in add order; changes are
	 * kept apart and appended after the adds below. */
	while (i < p->n || j < ncur) {
		int c = i == p->n ? 1 : j == ncur ? -1 : memcmp(p->keys + i * ks, cur + j * ks, ks);
		const char *vt = i < p->n ? p->rules[i].vtext : NULL;

		if (c > 0) {
			if (!p->is_array)
				memcpy(p->del + p->ndel++ * ks, cur + j * ks, ks);
			j++;
			continue;
		}
		if (c < 0) {
			p->add[p->nadd++] = i++;
			continue;
		}
		if (vt) {
			__u8 *old = p->oldvals + p->nchg * vb;

			if (bpf_map_lookup_elem(p->m.fd, p->keys + i * ks, old)) {
				err = xk_error(XK_EXIT_FAIL, "cannot read map %s: %s", p->cm->name,
					       strerror(errno));
				goto out;
			}
			memcpy(one, old, p->value_size);
			if (xk_parse_text(&p->value, vt, one, msg, sizeof(msg))) {
				err = xk_error(XK_EXIT_USAGE, "%s:%d: value for map %s: %s",
					       p->rules[i].e->file, p->rules[i].e->line,
					       p->cm->name, msg);
				goto out;
			}
			xk_map_spread(&p->m, one, spread);
			if (memcmp(spread, old, vb))
				p->chg[p->nchg++] = i;
		}
		i++;
		j++;
	}
	/* Deleted keys' values after the changed ones' (for the rollback), then the values to
	 * write: adds (over zero), then changes (over their old value). */
	for (i = 0; i < p->ndel; i++)
		if (bpf_map_lookup_elem(p->m.fd, p->del + i * ks, p->oldvals + (p->nchg + i) * vb))
			memset(p->oldvals + (p->nchg + i) * vb, 0, vb);
	for (i = 0; i < p->nadd + p->nchg; i++) {
		size_t r = i < p->nadd ? p->add[i] : p->chg[i - p->nadd];
		const char *vt = p->rules[r].vtext;

		if (i < p->nadd)
			memset(one, 0, p->value_size);
		else
			memcpy(one, p->oldvals + (i - p->nadd) * vb, p->value_size);
		if (vt)
			xk_parse_text(&p->value, vt, one, msg, sizeof(msg));
		xk_map_spread(&p->m, one, p->newvals + i * vb);
	}
	err = 0;
out:
	free(cur);
	free(one);
	free(spread);
	return err;
}

static void print_key(const struct xk_map_plan *p, char sign, const __u8 *key, const char *extra)
{
	char buf[512];

	xk_fmt_text(&p->key, key, XK_FMT_KEY, buf, sizeof(buf));
	printf("%c %s %s%s\n", sign, p->cm->name, buf, extra);
}

size_t xk_map_plan_print(const struct xk_map_plan *p)
{
	size_t total = p->nadd + p->nchg + p->ndel, i;
	char v[512], extra[600];

	if (total > LIST_MAX) {
		printf("%c %s: %zu rules added, %zu removed, %zu changed%s\n",
		       p->nadd	 ? '+'
		       : p->ndel ? '-'
				 : '~',
		       p->cm->name, p->nadd, p->ndel, p->nchg,
		       p->pinned ? "" : " (map made by the attach above)");
		return total;
	}
	for (i = 0; i < p->ndel; i++)
		print_key(p, '-', p->del + i * p->key_size, "");
	for (i = 0; i < p->nadd; i++) {
		const char *vt = p->rules[p->add[i]].vtext;

		snprintf(extra, sizeof(extra), "%s%s", vt ? " " : "", vt ? vt : "");
		print_key(p, '+', p->keys + p->add[i] * p->key_size, extra);
	}
	for (i = 0; i < p->nchg; i++) {
		const __u8 *old = p->oldvals + i * xk_mapref_value_bytes(&p->m);

		xk_fmt_text(&p->value, old, 0, v, sizeof(v));
		snprintf(extra, sizeof(extra), " %s (was %s)", p->rules[p->chg[i]].vtext, v);
		print_key(p, '~', p->keys + p->chg[i] * p->key_size, extra);
	}
	return total;
}

/* Write n elements one by one (maps without batch support, LPM tries); returns how many. */
static size_t update_each(int fd, const __u8 *keys, size_t ks, const __u8 *vals, size_t vb,
			  size_t n, int *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, keys + i * ks, vals + i * vb, BPF_ANY)) {
			*err = -errno;
			return i;
		}
	return n;
}

/* Updates as one batch where the map takes batches, else one by one. */
static size_t update_many(int fd, const __u8 *keys, size_t ks, const __u8 *vals, size_t vb,
			  size_t n, int *err)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	__u32 count = n;

	*err = 0;
	if (!n)
		return 0;
	if (!bpf_map_update_batch(fd, keys, vals, &count, &opts))
		return n;
	if (count)
		return *err = -errno, count;
	return update_each(fd, keys, ks, vals, vb, n, err);
}

static size_t delete_many(int fd, const __u8 *keys, size_t ks, size_t n, int *err)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 count = n;
	size_t i;

	*err = 0;
	if (!n)
		return 0;
	if (!bpf_map_delete_batch(fd, keys, &count, &opts))
		return n;
	if (count)
		return *err = -errno, count;
	for (i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, keys + i * ks) && errno != ENOENT) {
			*err = -errno;
			return i;
		}
	return n;
}

int xk_map_plan_exec(struct xk_map_plan *p)
{
	char path[PATH_MAX], *argv[2] = { path, NULL };
	size_t ks = p->key_size, vb, i, k;
	__u8 *keys;
	int err, at = 0;

	p->written_add = p->written_chg = p->written_del = 0;
	if (!p->cm->has_entries)
		return 0;
	if (!p->pinned) {
		snprintf(path, sizeof(path), "%s/%s", xk.pin_root, p->cm->name);
		err = xk_mapref_open(1, argv, &at, &p->m);
		if (err)
			return err;
		p->pinned = true;
		p->key = p->m.key;
		p->value = p->m.value;
		err = xk_map_plan_diff(p);
		if (err)
			return err;
	}
	vb = xk_mapref_value_bytes(&p->m);
	keys = malloc((p->nadd + p->nchg + 1) * ks);
	if (!keys)
		return xk_error(XK_EXIT_FAIL, "out of memory");
	for (i = 0; i < p->nadd + p->nchg; i++) {
		k = i < p->nadd ? p->add[i] : p->chg[i - p->nadd];
		memcpy(keys + i * ks, p->keys + k * ks, ks);
	}
	/* Removals first: they make room for the new rules in a full map. */
	p->written_del = delete_many(p->m.fd, p->del, ks, p->ndel, &err);
	if (!err) {
		p->written_add = update_many(p->m.fd, keys, ks, p->newvals, vb, p->nadd, &err);
		if (!err)
			p->written_chg = update_each(p->m.fd, keys + p->nadd * ks, ks,
						     p->newvals + p->nadd * vb, vb, p->nchg, &err);
	}
	free(keys);
	if (err == -E2BIG) {
		xk_error(XK_EXIT_FAIL, "map %s is full (max_entries %u)", p->cm->name,
			 p->m.info.max_entries);
		xk_capacity_full_hint(p->cm->name, p->m.info.max_entries);
		return XK_EXIT_FAIL;
	}
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot write map %s: %s", p->cm->name,
				strerror(-err));
	return 0;
}

int xk_map_plan_undo(struct xk_map_plan *p)
{
	size_t ks = p->key_size, vb, i;
	int fails = 0;

	if (p->m.fd < 0)
		return 0;
	vb = xk_mapref_value_bytes(&p->m);
	for (i = 0; i < p->written_chg; i++)
		fails += !!bpf_map_update_elem(p->m.fd, p->keys + p->chg[i] * ks,
					       p->oldvals + i * vb, BPF_ANY);
	for (i = 0; i < p->written_add; i++)
		fails += bpf_map_delete_elem(p->m.fd, p->keys + p->add[i] * ks) && errno != ENOENT;
	for (i = 0; i < p->written_del; i++)
		fails += !!bpf_map_update_elem(p->m.fd, p->del + i * ks,
					       p->oldvals + (p->nchg + i) * vb, BPF_ANY);
	p->written_add = p->written_chg = p->written_del = 0;
	return fails;
}

void xk_map_plans_free(struct xk_map_plan *plans, int n)
{
	int i;

	if (!plans)
		return;
	for (i = 0; i < n; i++) {
		free_diff(&plans[i]);
		free(plans[i].keys);
		free(plans[i].rules);
		if (plans[i].m.fd >= 0 || plans[i].m.btf)
			xk_mapref_close(&plans[i].m);
		if (plans[i].have_obj)
			xk_obj_close(&plans[i].obj);
	}
	free(plans);
}
