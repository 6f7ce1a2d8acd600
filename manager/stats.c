// SPDX-License-Identifier: GPL-2.0-only
/* `xdpkit stats`: packets, bytes and rates per verdict of every attached program, read from the
 * shared xdpkit_stats per-CPU array (include/xdpkit/stats.h); --watch follows programs as they are
 * replaced. */
#include "json.h"
#include "metrics.h"
#include "model.h"
#include "number.h"
#include "opts.h"
#include "runtime.h"
#include "xdpkit.h"

#include <xdpkit/stats.h>

#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int do_stats(int argc, char **argv);

/* One program in one place, and what its counters said at one moment. */
struct sample {
	struct xk_attached at;
	char name[BPF_OBJ_NAME_LEN];
	bool has_stats;
	struct xk_datarec rec[XK_STAT_MAX];
	struct xk_runtime rt;
	double t;
};

struct opts {
	bool watch;
	bool no_run_time;
	bool prometheus;
	const char *output;
	struct xk_metrics_opts metrics;
	double interval;
	long count;
	const char *what;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sum the per-CPU counters of a program's xdpkit_stats map. false when it has none. */
bool xk_stats_read(const struct xk_kprog *p, struct xk_datarec *rec)
{
	int ncpu = libbpf_num_possible_cpus();
	bool found = false;
	__u32 i, k;

	memset(rec, 0, sizeof(*rec) * XK_STAT_MAX);
	for (i = 0; p && i < p->nmaps && !found && ncpu > 0; i++) {
		struct bpf_map_info mi;
		__u32 mlen = sizeof(mi);
		int mfd = bpf_map_get_fd_by_id(p->map_ids[i]);
		struct xk_datarec *vals;

		if (mfd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		/* The shared layout of include/xdpkit/stats.h, checked before it is trusted. */
		if (bpf_obj_get_info_by_fd(mfd, &mi, &mlen) || strcmp(mi.name, XK_STATS_MAP) ||
		    mi.type != BPF_MAP_TYPE_PERCPU_ARRAY || mi.key_size != 4 ||
		    mi.value_size != sizeof(struct xk_datarec)) {
			close(mfd);
			continue;
		}
		vals = calloc(ncpu, sizeof(*vals)); /* 16 bytes: already a multiple of 8 per CPU */
		found = vals != NULL;
		for (k = 0; vals && k < XK_STAT_MAX && k < mi.max_entries; k++) {
			int cpu;

			if (bpf_map_lookup_elem(mfd, &k, vals))
				continue;
			for (cpu = 0; cpu < ncpu; cpu++) {
				rec[k].packets += vals[cpu].packets;
				rec[k].bytes += vals[cpu].bytes;
			}
		}
		free(vals);
		close(mfd);
	}
	return found;
}

static void sample_one(struct sample *x, const struct xk_model *m, const struct xk_attached *at)
{
	const struct xk_kprog *p = xk_model_prog(m, at->prog_id);

	x->at = *at;
	snprintf(x->name, sizeof(x->name), "%s", p ? p->name : "");
	x->has_stats = xk_stats_read(p, x->rec);
	xk_runtime_read(&x->at, &x->rt);
	x->t = now();
}

/* The programs `what` selects: an interface's, those of a program name or id, or all attached ones.
 * When a PROG is loaded but attached nowhere here, it is shown on its own ("loaded"). */
static int take_sample(const char *what, struct sample **out, int *n)
{
	struct xk_attached *at = NULL;
	unsigned int ifindex = what ? if_nametoindex(what) : 0;
	struct sample *s = NULL;
	struct xk_model m;
	int na, i, k = 0, *idx = NULL, err;

	*out = NULL;
	*n = 0;
	err = xk_model_read(&m, XK_MODEL_PROGS | XK_MODEL_IFACES, ifindex);
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot read what runs here: %s", strerror(-err));
	na = xk_model_attached(&m, &at);
	if (na < 0) {
		xk_model_free(&m);
		return xk_error(XK_EXIT_FAIL, "cannot list attached programs: %s", strerror(-na));
	}
	s = calloc(na + m.nprogs + 1, sizeof(*s));
	idx = calloc(m.nprogs + 1, sizeof(*idx));
	if (!s || !idx) {
		err = xk_error(XK_EXIT_FAIL, "out of memory");
		goto out;
	}
	for (i = 0; i < na; i++) {
		const struct xk_kprog *p = xk_model_prog(&m, at[i].prog_id);

		if (what && !ifindex && !xk_kprog_named(p, what))
			continue;
		sample_one(&s[k++], &m, &at[i]);
	}
	if (what && !ifindex && !k) {
		int nm = xk_model_match(&m, what, idx, m.nprogs);

		for (i = 0; i < nm; i++) {
			struct xk_attached loaded = { .prog_id = m.progs[idx[i]].id };

			snprintf(loaded.ifname, sizeof(loaded.ifname), "-");
			snprintf(loaded.hook, sizeof(loaded.hook), "loaded");
			snprintf(loaded.slot, sizeof(loaded.slot), "%u", loaded.prog_id);
			sample_one(&s[k++], &m, &loaded);
		}
		if (!nm)
			err = xk_error(XK_EXIT_NOTFOUND,
				       "'%s' is neither an interface here nor a loaded program; "
				       "see 'xdpkit status'",
				       what);
	}
out:
	free(at);
	free(idx);
	xk_model_free(&m);
	if (err) {
		free(s);
		return err;
	}
	*out = s;
	*n = k;
	return 0;
}

static bool same_place(const struct sample *a, const struct sample *b)
{
	return !strcmp(a->at.ifname, b->at.ifname) && !strcmp(a->at.hook, b->at.hook) &&
	       !strcmp(a->at.slot, b->at.slot);
}

/* The earlier sample of the same program in the same place, for rates. */
static const struct sample *before(const struct sample *s, const struct sample *prev, int nprev)
{
	int i;

	for (i = 0; i < nprev; i++)
		if (same_place(&prev[i], s) && prev[i].at.prog_id == s->at.prog_id)
			return &prev[i];
	return NULL;
}

static void notices(struct jw *w, const struct sample *cur, int ncur, const struct sample *prev,
		    int nprev)
{
	int i, j;

	for (i = 0; i < ncur; i++)
		for (j = 0; j < nprev; j++) {
			if (!same_place(&cur[i], &prev[j]) ||
			    cur[i].at.prog_id == prev[j].at.prog_id)
				continue;
			if (w) {
				jw_obj_start(w);
				jw_kstr(w, "iface", cur[i].at.ifname);
				jw_kstr(w, "hook", cur[i].at.hook);
				jw_kuint(w, "old_id", prev[j].at.prog_id);
				jw_kuint(w, "new_id", cur[i].at.prog_id);
				jw_kstr(w, "new_name", cur[i].name);
				jw_obj_end(w);
			} else {
				printf("%s %s: program %u (%s) was replaced by %u (%s); following "
				       "the new one\n",
				       cur[i].at.ifname, cur[i].at.hook, prev[j].at.prog_id,
				       prev[j].name, cur[i].at.prog_id, cur[i].name);
			}
		}
}

static void print_sample(struct jw *w, const struct sample *s, const struct sample *old)
{
	double dt = old ? s->t - old->t : 0;
	char a[32], b[32], c[32], d[32];
	int k;

	if (w) {
		jw_obj_start(w);
		jw_kstr(w, "iface", s->at.ifname);
		jw_kstr(w, "hook", s->at.hook);
		jw_kstr(w, "slot", s->at.slot);
		jw_kuint(w, "prog_id", s->at.prog_id);
		jw_kstr(w, "name", s->name);
		xk_runtime_print(w, &s->rt, old ? &old->rt : NULL, dt);
		jw_key(w, "actions");
		if (!s->has_stats) {
			jw_null(w);
			jw_obj_end(w);
			return;
		}
		jw_obj_start(w);
	} else {
		printf("%s %s [%s] prog %u %s%s\n", s->at.ifname, s->at.hook, s->at.slot,
		       s->at.prog_id, s->name,
		       s->has_stats ? "" : ": no xdpkit_stats map (not an xdpkit program)");
		xk_runtime_print(NULL, &s->rt, old ? &old->rt : NULL, dt);
		if (!s->has_stats)
			return;
		printf("  %-10s %15s %19s %13s %17s\n", "ACTION", "PACKETS", "BYTES", "PPS",
		       "BIT/S");
	}
	for (k = 0; k < XK_STAT_MAX; k++) {
		const struct xk_datarec *r = &s->rec[k];
		double pps = 0, bps = 0;

		/* A counter that went down means the map was reset (re-created): no rate for this
		 * round. */
		if (old && dt > 0 && r->packets >= old->rec[k].packets &&
		    r->bytes >= old->rec[k].bytes) {
			pps = (r->packets - old->rec[k].packets) / dt;
			bps = (r->bytes - old->rec[k].bytes) * 8.0 / dt;
		}
		if (w) {
			jw_key(w, xk_stat_name(k));
			jw_obj_start(w);
			jw_kuint(w, "packets", r->packets);
			jw_kuint(w, "bytes", r->bytes);
			jw_key(w, "pps");
			if (old)
				jw_float(w, pps);
			else
				jw_null(w);
			jw_key(w, "bps");
			if (old)
				jw_float(w, bps);
			else
				jw_null(w);
			jw_obj_end(w);
		} else {
			char upper[16];
			int u;

			for (u = 0; xk_stat_name(k)[u] && u < (int)sizeof(upper) - 1; u++)
				upper[u] = (char)toupper((unsigned char)xk_stat_name(k)[u]);
			upper[u] = '\0';
			printf("  %-10s %15s %19s %13s %17s\n", upper,
			       xk_thousands(r->packets, a, sizeof(a)),
			       xk_thousands(r->bytes, b, sizeof(b)),
			       old ? xk_thousands((__u64)(pps + 0.5), c, sizeof(c)) : "-",
			       old ? xk_thousands((__u64)(bps + 0.5), d, sizeof(d)) : "-");
		}
	}
	if (w) {
		jw_obj_end(w);
		jw_obj_end(w);
	}
}

static void print_round(const struct sample *cur, int ncur, const struct sample *prev, int nprev,
			double interval, bool clear, bool first)
{
	struct jw *w = NULL;
	int i;

	if (xk.json) {
		w = jw_new(stdout);
		jw_obj_start(w);
		jw_key(w, "interval");
		jw_float(w, interval);
		jw_key(w, "replaced");
		jw_arr_start(w);
		notices(w, cur, ncur, prev, nprev);
		jw_arr_end(w);
		jw_key(w, "programs");
		jw_arr_start(w);
	} else {
		if (clear)
			printf("\033[H\033[2J");
		else if (!first)
			printf("\n"); /* rounds apart when not redrawing */
		notices(NULL, cur, ncur, prev, nprev);
		if (!ncur)
			printf("no program attached%s\n", clear ? "; waiting" : "");
	}
	for (i = 0; i < ncur; i++) {
		print_sample(w, &cur[i], before(&cur[i], prev, nprev));
		if (!w && i + 1 < ncur)
			printf("\n");
	}
	if (w) {
		jw_arr_end(w);
		jw_obj_end(w);
		jw_free(w); /* one JSON document per line and round */
	}
	fflush(stdout);
}

static int stats_opt(void *ctx, int key, const char *val)
{
	struct opts *o = ctx;
	__u64 v;
	char *end;

	switch (key) {
	case 'w':
		o->watch = true;
		break;
	case 'i':
		o->interval = strtod(val, &end);
		if (*end || !(o->interval > 0 && o->interval <= 3600))
			return xk_error(
				XK_EXIT_USAGE,
				"--interval '%s': expected seconds, more than 0 and at most 3600 (e.g. 0.5)",
				val);
		break;
	case 'c':
		if (xk_num_word(val, 1, LONG_MAX, &v))
			return xk_error(XK_EXIT_USAGE,
					"--count '%s': expected a whole number of rounds, 1 or more",
					val);
		o->count = v;
		break;
	case 'R':
		o->no_run_time = true;
		break;
	case 'P':
		o->prometheus = true;
		break;
	case 'o':
		o->output = val;
		break;
	case 't':
		return xk_metrics_parse_top(val, &o->metrics.top);
	}
	return 0;
}

/* One reading, no interval: the rates are Prometheus's to compute. The run-time statistics are
 * left as they are (turned on for one reading they would count nothing). */
static int stats_prometheus(const struct opts *o)
{
	int err;

	if (!o->prometheus)
		return xk_error(XK_EXIT_USAGE, "stats: --output goes with --prometheus");
	if (o->what || o->watch || o->count >= 0 || xk.json)
		return xk_error(XK_EXIT_USAGE,
				"stats --prometheus shows every program, once: it takes no %s",
				o->what		? "IFACE or PROG"
				: o->watch	? "--watch"
				: o->count >= 0 ? "--count"
						: "--json");
	err = xk_need_root();
	if (!err)
		err = xk_need_bpffs();
	if (err)
		return err;
	if (o->output)
		return xk_metrics_write_file(o->output, &o->metrics);
	err = xk_metrics_write(stdout, &o->metrics);
	if (!err && fflush(stdout))
		err = -errno;
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot read the metrics: %s", strerror(-err));
	return 0;
}

int do_stats(int argc, char **argv)
{
	struct opts o = { .interval = 1, .count = -1, .metrics.top = XK_METRICS_TOP_DEFAULT };
	struct sample *prev = NULL, *cur = NULL;
	int nprev = 0, ncur = 0, err, rt_fd = -1;
	bool tty = isatty(STDOUT_FILENO);
	struct xk_words words;
	long round;

	err = xk_opts_parse(&xk_verb_stats, argc, argv, stats_opt, &o, &words);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	o.what = words.n ? words.pos[0] : NULL;
	if (o.prometheus || o.output)
		return stats_prometheus(&o);
	if (o.count < 0)
		o.count = o.watch ? 0 : 1;
	err = xk_need_root();
	if (err)
		return err;
	err = xk_need_bpffs();
	if (err)
		return err;
	/* Timing every run costs time, so the kernel does it only while asked: for as long as this
	 * runs (closing the descriptor puts back what was on before). */
	if (!o.no_run_time)
		rt_fd = xk_runtime_enable();
	/* The first reading is the baseline for rates; each round then reads again after an
	 * interval. */
	err = take_sample(o.what, &prev, &nprev);
	if (err)
		goto out;
	for (round = 0; !o.count || round < o.count; round++) {
		usleep((useconds_t)(o.interval * 1e6));
		/* With --watch an interface or program may come and go; a one-shot wants it there.
		 */
		err = take_sample(o.what, &cur, &ncur);
		if (err && !o.watch)
			break;
		err = 0;
		print_round(cur, ncur, prev, nprev, o.interval, o.watch && tty, round == 0);
		free(prev);
		prev = cur;
		nprev = ncur;
		cur = NULL;
	}
out:
	if (rt_fd >= 0)
		close(rt_fd);
	free(prev);
	free(cur);
	return err;
}

static const struct xk_opt stats_opts[] = {
	{ .name = "interval",
	  .key = 'i',
	  .shrt = 'i',
	  .arg = "S",
	  .help = "seconds between the two readings a rate needs (default 1; fractions allowed)" },
	{ .name = "watch",
	  .key = 'w',
	  .shrt = 'w',
	  .help = "redraw every interval until interrupted; follows a program that is replaced" },
	{ .name = "count",
	  .key = 'c',
	  .shrt = 'c',
	  .arg = "N",
	  .help = "stop after N rounds (default 1, or endless with --watch)" },
	{ .name = "no-run-time",
	  .key = 'R',
	  .help = "leave the kernel's BPF run-time statistics as they are (by default they are on "
		  "while stats runs, for the run time per packet of each program)" },
	{ .name = "prometheus",
	  .key = 'P',
	  .help = "one reading of every attached program in the Prometheus text format (no rates; "
		  "run time where the kernel counts it), for node_exporter's textfile collector" },
	{ .name = "output",
	  .key = 'o',
	  .arg = "FILE",
	  .complete = XK_C_FILE,
	  .help = "with --prometheus: write FILE atomically (a temporary file beside it, renamed "
		  "over it)" },
	{ .name = "top",
	  .key = 't',
	  .arg = "N",
	  .help = "with --prometheus: the N rules (and ratelimit sources) per map with most hits "
		  "(default 100); how many were left out is a metric too" },
	{ 0 },
};

static const enum xk_complete stats_pos[] = { XK_C_IFPROG };

const struct xk_verb xk_verb_stats = {
	.name = "stats",
	.summary = "packets, bytes and rates per verdict of attached programs (--watch)",
	.synopsis = "stats [IFACE|PROG] [--watch] [--interval S] [--count N] [--json]\n"
		    "stats --prometheus [--output FILE] [--top N]",
	.description =
		"Packets, bytes and rates (packets/s, bit/s) per verdict (aborted, drop, pass, tx, "
		"redirect) and frames that could not be parsed (malformed), for every attached xdpkit "
		"program (XDP and TC) in this network namespace, or those on IFACE, or the program PROG "
		"(name or id). With --json, one JSON document per round. With --prometheus, the "
		"Prometheus text format of every program, rule hit counters and ratelimit drops "
		"(what xdpkit exporter serves).",
	.opts = stats_opts,
	.pos = stats_pos,
	.npos = 1,
	.max_words = 1,
	.fn = do_stats,
};
