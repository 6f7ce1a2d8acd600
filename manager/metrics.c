// SPDX-License-Identifier: GPL-2.0-only
/* The Prometheus text exposition of what runs here (format 0.0.4): one reading of the kernel,
 * then every family with its HELP and TYPE lines, its samples together. Maps of per-entry counters
 * are found by the BTF name of their value type (xk_hits: rule hit counters; struct
 * ratelimit_bucket: drops per source), so a new program with such a map is covered as it is. */
#include "metrics.h"
#include "map_entries.h"
#include "mapref.h"
#include "runtime.h"
#include "xdpkit.h"

#include <xdpkit/ratelimit.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One program in one place, read once. */
struct prog_sample {
	struct xk_attached at;
	char hook[32]; /* "xdp_native", "tc_ingress": the hook as a label value */
	char name[BPF_OBJ_NAME_LEN];
	char counted_name[BPF_OBJ_NAME_LEN]; /* whose run time rt is (a dispatcher's, maybe) */
	bool has_stats;
	bool dup_runtime; /* the same counted program in the same place was shown already */
	struct xk_datarec rec[XK_STAT_MAX];
	struct xk_runtime rt;
};

enum map_kind {
	MAP_OTHER = 0,
	MAP_HITS,      /* value xk_hits: one hit counter per rule */
	MAP_RATELIMIT, /* value struct ratelimit_bucket: drops per source */
};

/* The largest counts of one map, kept in a heap whose root is the smallest kept (ties: the larger
 * key goes first, so which entries make the cut does not change from one scrape to the next). */
struct top {
	__u64 *count;
	__u8 *keys;
	long *heap; /* slots, heap-ordered */
	long n, cap;
	size_t ks;
};

struct map_sample {
	__u32 id;
	char name[NAME_MAX + 1]; /* the pin's name, else the kernel's (15 characters) */
	enum map_kind kind;
	long entries;
	struct top top;
	char **text; /* key texts of the kept entries, best first */
	long *order; /* slots, best first */
};

static int key_cmp(const struct top *t, long a, long b)
{
	return memcmp(t->keys + a * t->ks, t->keys + b * t->ks, t->ks);
}

/* Does slot a rank below slot b? */
static bool worse(const struct top *t, long a, long b)
{
	if (t->count[a] != t->count[b])
		return t->count[a] < t->count[b];
	return key_cmp(t, a, b) > 0;
}

static void sift_down(struct top *t, long i)
{
	for (;;) {
		long l = 2 * i + 1, r = l + 1, w = i, tmp;

		if (l < t->n && worse(t, t->heap[l], t->heap[w]))
			w = l;
		if (r < t->n && worse(t, t->heap[r], t->heap[w]))
			w = r;
		if (w == i)
			return;
		tmp = t->heap[i];
		t->heap[i] = t->heap[w];
		t->heap[w] = tmp;
		i = w;
	}
}

static void sift_up(struct top *t, long i)
{
	while (i > 0) {
		long p = (i - 1) / 2, tmp;

		if (!worse(t, t->heap[i], t->heap[p]))
			return;
		tmp = t->heap[i];
		t->heap[i] = t->heap[p];
		t->heap[p] = tmp;
		i = p;
	}
}

static void top_offer(struct top *t, const void *key, __u64 count)
{
	long slot;

	if (!t->cap)
		return;
	if (t->n < t->cap) {
		slot = t->n;
		t->heap[t->n++] = slot;
		t->count[slot] = count;
		memcpy(t->keys + slot * t->ks, key, t->ks);
		sift_up(t, t->n - 1);
		return;
	}
	/* Full: take it only when it ranks above the smallest kept, which it then replaces. */
	slot = t->heap[0];
	if (count < t->count[slot] ||
	    (count == t->count[slot] && memcmp(key, t->keys + slot * t->ks, t->ks) >= 0))
		return;
	t->count[slot] = count;
	memcpy(t->keys + slot * t->ks, key, t->ks);
	sift_down(t, 0);
}

static const struct top *sort_top;

static int best_first(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return worse(sort_top, x, y) ? 1 : worse(sort_top, y, x) ? -1 : 0;
}

/* Through typedefs and modifiers: is `name` among the names the type goes by? */
static bool type_named(const struct btf *btf, __u32 id, const char *name)
{
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
	int depth;

	for (depth = 0; t && depth < 16; depth++) {
		const char *n = btf__name_by_offset(btf, t->name_off);

		if (n && !strcmp(n, name))
			return true;
		if (!btf_is_typedef(t) && !btf_is_const(t) && !btf_is_volatile(t) &&
		    !btf_is_restrict(t) && !btf_is_type_tag(t))
			return false;
		t = btf__type_by_id(btf, t->type);
	}
	return false;
}

static enum map_kind map_kind(const struct xk_mapref *m)
{
	if (!m->btf || !m->value.id)
		return MAP_OTHER;
	if (m->info.value_size == sizeof(__u64) && type_named(m->btf, m->value.id, "xk_hits"))
		return MAP_HITS;
	if (m->info.value_size == sizeof(struct ratelimit_bucket) &&
	    type_named(m->btf, m->value.id, "ratelimit_bucket"))
		return MAP_RATELIMIT;
	return MAP_OTHER;
}

/* The count an entry's value holds, summed over CPUs for per-CPU maps. */
static __u64 entry_count(const struct xk_mapref *m, enum map_kind kind, const __u8 *val)
{
	__u64 sum = 0;
	int cpu;

	for (cpu = 0; cpu < m->ncpu; cpu++) {
		const __u8 *v = val + (size_t)cpu * m->vstride;

		if (kind == MAP_HITS) {
			__u64 h;

			memcpy(&h, v, sizeof(h));
			sum += h;
		} else {
			struct ratelimit_bucket b;

			memcpy(&b, v, sizeof(b));
			sum += b.dropped;
		}
	}
	return sum;
}

struct top_walk {
	const struct xk_mapref *m;
	enum map_kind kind;
	struct top *t;
};

static int top_entry(void *ctx, const void *key, const void *val)
{
	struct top_walk *w = ctx;

	top_offer(w->t, key, entry_count(w->m, w->kind, val));
	return 0;
}

/* Every entry into the top; a map that changes meanwhile: what was read stands. The number of
 * entries, or -errno. */
static long walk_map(const struct xk_mapref *m, enum map_kind kind, struct top *t)
{
	struct top_walk w = { m, kind, t };

	return xk_map_walk(m, true, top_entry, &w);
}

static void map_sample_free(struct map_sample *s)
{
	long i;

	for (i = 0; s->text && i < s->top.n; i++)
		free(s->text[i]);
	free(s->text);
	free(s->order);
	free(s->top.count);
	free(s->top.keys);
	free(s->top.heap);
}

/* Read one map of per-entry counters: its size and its `top` largest counts, with key texts. */
static int read_map(__u32 id, long top, struct map_sample *s)
{
	struct xk_mapref m;
	long i, cap;
	int err;

	memset(s, 0, sizeof(*s));
	err = xk_mapref_open_id(id, &m);
	if (err)
		return err;
	s->kind = map_kind(&m);
	if (s->kind == MAP_OTHER)
		goto out;
	s->id = id;
	snprintf(s->name, sizeof(s->name), "%.*s", NAME_MAX, m.name);
	cap = top < (long)m.info.max_entries ? top : (long)m.info.max_entries;
	s->top.cap = cap;
	s->top.ks = m.info.key_size;
	s->top.count = calloc(cap + 1, sizeof(*s->top.count));
	s->top.keys = calloc(cap + 1, m.info.key_size);
	s->top.heap = calloc(cap + 1, sizeof(*s->top.heap));
	if (!s->top.count || !s->top.keys || !s->top.heap) {
		err = -ENOMEM;
		goto out;
	}
	s->entries = walk_map(&m, s->kind, &s->top);
	if (s->entries < 0) {
		err = (int)s->entries;
		goto out;
	}
	s->order = calloc(s->top.n + 1, sizeof(*s->order));
	s->text = calloc(s->top.n + 1, sizeof(*s->text));
	if (!s->order || !s->text) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(s->order, s->top.heap, s->top.n * sizeof(*s->order));
	sort_top = &s->top;
	qsort(s->order, s->top.n, sizeof(*s->order), best_first);
	for (i = 0; i < s->top.n; i++) {
		s->text[i] = xk_fmt_text_alloc(&m.key, s->top.keys + s->order[i] * s->top.ks,
					       XK_FMT_KEY);
		if (!s->text[i]) {
			err = -ENOMEM;
			goto out;
		}
	}
out:
	xk_mapref_close(&m);
	if (err) {
		map_sample_free(s);
		memset(s, 0, sizeof(*s));
	}
	return err;
}

/* A label value as the exposition format wants it: backslash, double quote and newline escaped. */
static void put_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '"')
			fputs("\\\"", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{interface="...",hook="...",program="...",id="..." (then the caller's labels) */
static void prog_labels(FILE *f, const char *metric, const char *ifname, const char *hook,
			const char *prog, __u32 id)
{
	fprintf(f, "%s{interface=\"", metric);
	put_value(f, ifname);
	fputs("\",hook=\"", f);
	put_value(f, hook);
	fputs("\",program=\"", f);
	put_value(f, prog);
	fprintf(f, "\",id=\"%u\"", id);
}

static void map_labels(FILE *f, const char *metric, const struct map_sample *s)
{
	fprintf(f, "%s{map=\"", metric);
	put_value(f, s->name);
	fprintf(f, "\",map_id=\"%u\"", s->id);
}

static bool same_place(const struct prog_sample *a, const struct prog_sample *b)
{
	return !strcmp(a->at.ifname, b->at.ifname) && !strcmp(a->hook, b->hook);
}

/* Every attached program of this network namespace: its verdict counters and run time. */
static int read_progs(const struct xk_model *m, struct prog_sample **out, int *nout)
{
	struct xk_attached *at = NULL;
	struct prog_sample *s;
	int na = xk_model_attached(m, &at), i, j, n = 0;

	if (na < 0)
		return na;
	s = calloc(na + 1, sizeof(*s));
	if (!s) {
		free(at);
		return -ENOMEM;
	}
	for (i = 0; i < na; i++) {
		const struct xk_kprog *p = xk_model_prog(m, at[i].prog_id);
		const struct xk_kprog *c;
		struct prog_sample *x = &s[n];
		char *sp;

		x->at = at[i];
		snprintf(x->hook, sizeof(x->hook), "%s", at[i].hook);
		for (sp = x->hook; *sp; sp++)
			if (*sp == ' ')
				*sp = '_';
		/* One series per program in one place (a program is counted once, wherever it is
		 * listed twice). */
		for (j = 0; j < n; j++)
			if (same_place(&s[j], x) && s[j].at.prog_id == x->at.prog_id)
				break;
		if (j < n)
			continue;
		snprintf(x->name, sizeof(x->name), "%s", p ? p->name : "");
		x->has_stats = xk_stats_read(p, x->rec);
		xk_runtime_read(&x->at, &x->rt);
		c = xk_model_prog(m, x->rt.counted_id);
		snprintf(x->counted_name, sizeof(x->counted_name), "%s", c ? c->name : x->name);
		for (j = 0; j < n; j++)
			if (same_place(&s[j], x) && s[j].rt.valid &&
			    s[j].rt.counted_id == x->rt.counted_id)
				x->dup_runtime = true;
		n++;
	}
	free(at);
	*out = s;
	*nout = n;
	return 0;
}

/* Maps by name, then id: the same order on every scrape. */
static int by_name(const void *a, const void *b)
{
	const struct map_sample *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* Maps of per-entry counters that the attached programs use, each once. */
static int read_maps(const struct xk_model *m, const struct prog_sample *ps, int nps, long top,
		     struct map_sample **out, int *nout)
{
	struct map_sample *s = NULL;
	int n = 0, cap = 0, i, err = 0;
	__u32 k;

	for (i = 0; i < nps && !err; i++) {
		const struct xk_kprog *p = xk_model_prog(m, ps[i].at.prog_id);

		for (k = 0; p && k < p->nmaps && !err; k++) {
			int j;

			for (j = 0; j < n && s[j].id != p->map_ids[k]; j++)
				;
			if (j < n)
				continue;
			if (n == cap) {
				struct map_sample *g = realloc(s, (cap * 2 + 8) * sizeof(*s));

				if (!g) {
					err = -ENOMEM;
					break;
				}
				s = g;
				cap = cap * 2 + 8;
			}
			err = read_map(p->map_ids[k], top, &s[n]);
			if (err == -ENOENT) /* the map went away with its program meanwhile */
				err = 0;
			else if (!err && s[n].kind != MAP_OTHER)
				n++;
		}
	}
	if (err) {
		for (i = 0; i < n; i++)
			map_sample_free(&s[i]);
		free(s);
		return err;
	}
	if (n)
		qsort(s, n, sizeof(*s), by_name);
	*out = s;
	*nout = n;
	return 0;
}

static void write_progs(FILE *f, const struct prog_sample *s, int n)
{
	static const char *const what[2] = { "packets", "bytes" };
	int i, k, w;

	for (w = 0; w < 2; w++) {
		char metric[48];

		snprintf(metric, sizeof(metric), "xdpkit_%s_total", what[w]);
		family(f, metric, "counter",
		       w ? "Bytes of the frames that got each verdict (action), per program and the "
			   "place it runs; malformed: frames that could not be parsed, counted on "
			   "top of their verdict."
			 : "Frames that got each verdict (action), per program and the place it "
			   "runs; malformed: frames that could not be parsed, counted on top of "
			   "their verdict.");
		for (i = 0; i < n; i++) {
			if (!s[i].has_stats)
				continue;
			for (k = 0; k < XK_STAT_MAX; k++) {
				prog_labels(f, metric, s[i].at.ifname, s[i].hook, s[i].name,
					    s[i].at.prog_id);
				fprintf(f, ",action=\"%s\"} %llu\n", xk_stat_name(k),
					(unsigned long long)(w ? s[i].rec[k].bytes
							       : s[i].rec[k].packets));
			}
		}
	}
}

static void write_runtime(FILE *f, const struct prog_sample *s, int n)
{
	bool on = xk_runtime_counting();
	int i, w;

	family(f, "xdpkit_bpf_stats_enabled", "gauge",
	       "1 while the kernel times BPF program runs (BPF_ENABLE_STATS, as xdpkit exporter "
	       "asks, or the sysctl kernel.bpf_stats_enabled), which the run-time families need.");
	fprintf(f, "xdpkit_bpf_stats_enabled %d\n", on ? 1 : 0);
	for (w = 0; w < 2; w++) {
		const char *metric =
			w ? "xdpkit_program_runs_total" : "xdpkit_program_run_time_seconds_total";

		family(f, metric, "counter",
		       w ? "Runs of the program the kernel counted while run-time statistics were "
			   "on; behind libxdp's dispatcher, the dispatcher's runs."
			 : "Time the kernel measured the program running while run-time "
			   "statistics were on; behind libxdp's dispatcher, the dispatcher's time "
			   "for the whole chain (program=\"xdp_dispatcher\").");
		for (i = 0; i < n; i++) {
			const struct xk_runtime *rt = &s[i].rt;

			/* Known: counted now, or counted some time since the program was loaded.
			 */
			if (!rt->valid || s[i].dup_runtime || (!on && !rt->run_cnt))
				continue;
			prog_labels(f, metric, s[i].at.ifname, s[i].hook, s[i].counted_name,
				    rt->counted_id);
			if (w)
				fprintf(f, "} %llu\n", (unsigned long long)rt->run_cnt);
			else
				fprintf(f, "} %llu.%09llu\n",
					(unsigned long long)(rt->run_time_ns / 1000000000ULL),
					(unsigned long long)(rt->run_time_ns % 1000000000ULL));
		}
	}
}

static void write_maps(FILE *f, const struct map_sample *s, int n)
{
	long i;
	int j;

	family(f, "xdpkit_map_entries", "gauge",
	       "Entries in each map of per-entry counters: rules (values of type xk_hits) and "
	       "ratelimit sources.");
	for (j = 0; j < n; j++) {
		map_labels(f, "xdpkit_map_entries", &s[j]);
		fprintf(f, "} %ld\n", s[j].entries);
	}
	family(f, "xdpkit_map_entries_omitted", "gauge",
	       "Entries of the map left out of xdpkit_rule_hits_total and "
	       "xdpkit_ratelimit_dropped_packets_total: only the --top entries with the largest "
	       "counts are shown.");
	for (j = 0; j < n; j++) {
		map_labels(f, "xdpkit_map_entries_omitted", &s[j]);
		fprintf(f, "} %ld\n", s[j].entries > s[j].top.n ? s[j].entries - s[j].top.n : 0);
	}
	family(f, "xdpkit_rule_hits_total", "counter",
	       "Frames that matched each rule (maps whose values are xk_hits hit counters), the "
	       "rules with the most hits per map.");
	for (j = 0; j < n; j++)
		for (i = 0; s[j].kind == MAP_HITS && i < s[j].top.n; i++) {
			map_labels(f, "xdpkit_rule_hits_total", &s[j]);
			fputs(",rule=\"", f);
			put_value(f, s[j].text[i]);
			fprintf(f, "\"} %llu\n", (unsigned long long)s[j].top.count[s[j].order[i]]);
		}
	family(f, "xdpkit_ratelimit_dropped_packets_total", "counter",
	       "Frames ratelimit dropped per source (IPv4 as ::ffff:a.b.c.d), the sources with the "
	       "most drops per map; a source the LRU map evicts starts again at 0.");
	for (j = 0; j < n; j++)
		for (i = 0; s[j].kind == MAP_RATELIMIT && i < s[j].top.n; i++) {
			map_labels(f, "xdpkit_ratelimit_dropped_packets_total", &s[j]);
			fputs(",source=\"", f);
			put_value(f, s[j].text[i]);
			fprintf(f, "\"} %llu\n", (unsigned long long)s[j].top.count[s[j].order[i]]);
		}
}

int xk_metrics_write(FILE *out, const struct xk_metrics_opts *o)
{
	struct prog_sample *ps = NULL;
	struct map_sample *ms = NULL;
	int nps = 0, nms = 0, err, i;
	char *buf = NULL;
	size_t len = 0;
	struct xk_model m;
	FILE *f;

	err = xk_model_read(&m, XK_MODEL_PROGS | XK_MODEL_IFACES, 0);
	if (err)
		return err;
	err = read_progs(&m, &ps, &nps);
	if (!err)
		err = read_maps(&m, ps, nps, o->top, &ms, &nms);
	xk_model_free(&m);
	if (err)
		goto out;
	/* The whole document first, then out at once: a reader never sees part of it. */
	f = open_memstream(&buf, &len);
	if (!f) {
		err = -errno;
		goto out;
	}
	family(f, "xdpkit_build_info", "gauge", "xdpkit's version as a label; always 1.");
	fprintf(f, "xdpkit_build_info{version=\"%s\"} 1\n", XDPKIT_VERSION);
	write_progs(f, ps, nps);
	write_runtime(f, ps, nps);
	write_maps(f, ms, nms);
	if (fclose(f)) {
		err = -errno;
		goto out;
	}
	if (fwrite(buf, 1, len, out) != len)
		err = -EIO;
out:
	for (i = 0; i < nms; i++)
		map_sample_free(&ms[i]);
	free(ms);
	free(ps);
	free(buf);
	return err;
}

int xk_metrics_parse_top(const char *arg, long *top)
{
	char *end;

	errno = 0;
	*top = strtol(arg, &end, 10);
	if (errno || *end || !*arg || *top < 0 || *top > 1000000)
		return xk_error(XK_EXIT_USAGE,
				"--top '%s': expected how many entries per map to show, 0 to 1000000",
				arg);
	return 0;
}

/* Written whole to a temporary file beside FILE, then renamed over it: node_exporter's textfile
 * collector, reading at any moment, sees the old document or the new one, never part of one. The
 * temporary name starts with a dot and does not end in .prom, so the collector skips it. */
int xk_metrics_write_file(const char *path, const struct xk_metrics_opts *o)
{
	char dir[PATH_MAX], base[PATH_MAX], tmp[PATH_MAX * 2];
	FILE *f;
	int fd, err;

	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(base, sizeof(base), "%s", path);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dirname(dir), basename(base));
	fd = mkstemp(tmp);
	if (fd < 0)
		return xk_error(errno == ENOENT ? XK_EXIT_NOTFOUND : XK_EXIT_FAIL,
				"cannot write '%s': %s (a temporary file in its directory is "
				"written first, then renamed)",
				path, strerror(errno));
	/* Readable by the collector, which need not run as root (mkstemp makes it 0600). */
	f = fchmod(fd, 0644) ? NULL : fdopen(fd, "w");
	if (!f) {
		err = errno;
		close(fd);
		unlink(tmp);
		return xk_error(XK_EXIT_FAIL, "cannot write '%s': %s", tmp, strerror(err));
	}
	err = xk_metrics_write(f, o);
	if (!err && (fflush(f) || fsync(fileno(f))))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return xk_error(XK_EXIT_FAIL, "cannot write the metrics to '%s': %s", path,
				strerror(-err));
	}
	return 0;
}
