/* `xdpkit stats`: packets, bytes and rates per verdict of every attached program, read from the
 * shared xdpkit_stats per-CPU array (include/xdpkit/stats.h); --watch follows programs as they are
 * replaced. */
#include "json.h"
#include "mapref.h"
#include "progwalk.h"
#include "runtime.h"
#include "xdpkit.h"

#include <xdpkit/stats.h>

#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int do_stats(int argc, char **argv);

static const char *const action_upper[XK_STAT_MAX] = {
    [XK_STAT_ABORTED] = "ABORTED",   [XK_STAT_DROP] = "DROP",
    [XK_STAT_PASS] = "PASS",	     [XK_STAT_TX] = "TX",
    [XK_STAT_REDIRECT] = "REDIRECT", [XK_STAT_MALFORMED] = "MALFORMED",
};

static const char *const action_names[XK_STAT_MAX] = {
    [XK_STAT_ABORTED] = "aborted",   [XK_STAT_DROP] = "drop",
    [XK_STAT_PASS] = "pass",	     [XK_STAT_TX] = "tx",
    [XK_STAT_REDIRECT] = "redirect", [XK_STAT_MALFORMED] = "malformed",
};

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

/* 1234567 -> "1,234,567" */
static const char *thousands(__u64 v, char *buf, size_t len)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v), i, o = 0;

	for (i = 0; i < n && o < (int)len - 1; i++) {
		if (i && (n - i) % 3 == 0 && o < (int)len - 2)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* Sum the per-CPU counters of a program's xdpkit_stats map. false when it has none. */
static bool read_stats(__u32 prog_id, struct xk_datarec *rec, char *name, size_t name_len)
{
	struct bpf_prog_info info;
	__u32 map_ids[64], len = sizeof(info), i, k;
	bool found = false;
	int fd = bpf_prog_get_fd_by_id(prog_id);

	memset(rec, 0, sizeof(*rec) * XK_STAT_MAX);
	if (fd < 0)
		return false;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)map_ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return false;
	}
	close(fd);
	snprintf(name, name_len, "%s", info.name);
	for (i = 0; i < info.nr_map_ids && i < 64 && !found; i++) {
		struct bpf_map_info mi;
		__u32 mlen = sizeof(mi);
		int mfd = bpf_map_get_fd_by_id(map_ids[i]), ncpu = libbpf_num_possible_cpus();
		struct xk_datarec *vals;

		if (mfd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		/* The shared layout of include/xdpkit/stats.h, checked before it is trusted. */
		if (bpf_obj_get_info_by_fd(mfd, &mi, &mlen) || strcmp(mi.name, XK_STATS_MAP) ||
		    mi.type != BPF_MAP_TYPE_PERCPU_ARRAY || mi.key_size != 4 ||
		    mi.value_size != sizeof(struct xk_datarec) || ncpu < 1) {
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

/* The programs `what` selects: an interface's, those of a program name or id, or all attached ones.
 * When a PROG is loaded but attached nowhere here, it is shown on its own ("loaded"). */
static int take_sample(const char *what, struct sample **out, int *n)
{
	struct xk_attached *at = NULL;
	struct sample *s;
	unsigned int ifindex = what ? if_nametoindex(what) : 0;
	int na, i, k = 0;

	*out = NULL;
	*n = 0;
	na = xk_attached_list(ifindex, &at);
	if (na < 0)
		return xk_error(XK_EXIT_FAIL, "cannot list attached programs: %s", strerror(-na));
	s = calloc(na + 64, sizeof(*s));
	if (!s) {
		free(at);
		return xk_error(XK_EXIT_FAIL, "out of memory");
	}
	for (i = 0; i < na; i++) {
		struct sample *x = &s[k];

		x->at = at[i];
		x->has_stats = read_stats(at[i].prog_id, x->rec, x->name, sizeof(x->name));
		xk_runtime_read(&x->at, &x->rt);
		x->t = now();
		if (what && !ifindex) {
			char id[16];

			snprintf(id, sizeof(id), "%u", at[i].prog_id);
			if (strcmp(id, what) && !xk_kname_matches(x->name, what))
				continue;
		}
		k++;
	}
	free(at);
	if (what && !ifindex && !k) {
		struct xk_prog *progs = NULL;
		int idx[64], np = xk_progs_load(&progs),
			     m = np > 0 ? xk_progs_match(progs, np, what, idx, 64) : 0;

		for (i = 0; i < m; i++) {
			struct sample *x = &s[k++];

			x->at.prog_id = progs[idx[i]].id;
			snprintf(x->at.ifname, sizeof(x->at.ifname), "-");
			snprintf(x->at.hook, sizeof(x->at.hook), "loaded");
			snprintf(x->at.slot, sizeof(x->at.slot), "%u", progs[idx[i]].id);
			x->has_stats = read_stats(x->at.prog_id, x->rec, x->name, sizeof(x->name));
			xk_runtime_read(&x->at, &x->rt);
			x->t = now();
		}
		free(progs);
		if (!m) {
			free(s);
			return xk_error(XK_EXIT_NOTFOUND,
					"'%s' is neither an interface here nor a loaded program; "
					"see 'xdpkit status'",
					what);
		}
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
			jw_key(w, action_names[k]);
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
			printf("  %-10s %15s %19s %13s %17s\n", action_upper[k],
			       thousands(r->packets, a, sizeof(a)),
			       thousands(r->bytes, b, sizeof(b)),
			       old ? thousands((__u64)(pps + 0.5), c, sizeof(c)) : "-",
			       old ? thousands((__u64)(bps + 0.5), d, sizeof(d)) : "-");
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

static void stats_help(void)
{
	printf("Usage: xdpkit stats [IFACE|PROG] [--watch] [--interval S] [--count N] [--json]\n\n"
	       "Packets, bytes and rates (packets/s, bit/s) per verdict (aborted, drop, pass, tx, "
	       "redirect) and\n"
	       "frames that could not be parsed (malformed), for every attached xdpkit program "
	       "(XDP and TC) in\n"
	       "this network namespace, or those on IFACE, or the program PROG (name or id).\n\n"
	       "  --interval S   seconds between the two readings a rate needs (default 1; "
	       "fractions allowed)\n"
	       "  --watch        redraw every interval until interrupted; follows a program that "
	       "is replaced\n"
	       "  --count N      stop after N rounds (default 1, or endless with --watch)\n"
	       "  --json         one JSON document per round\n"
	       "  --no-run-time  leave the kernel's BPF run-time statistics as they are (by "
	       "default they are on\n"
	       "                 while stats runs, for the run time per packet of each program)\n");
}

int do_stats(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"watch", no_argument, NULL, 'w'},
	    {"interval", required_argument, NULL, 'i'},
	    {"count", required_argument, NULL, 'c'},
	    {"no-run-time", no_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct opts o = {.interval = 1, .count = -1};
	struct sample *prev = NULL, *cur = NULL;
	int nprev = 0, ncur = 0, c, err, rt_fd = -1;
	bool tty = isatty(STDOUT_FILENO);
	char *end;
	long round;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "wi:c:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			o.watch = true;
			break;
		case 'i':
			o.interval = strtod(optarg, &end);
			if (*end || !(o.interval > 0 && o.interval <= 3600))
				return xk_error(XK_EXIT_USAGE,
						"--interval '%s': expected seconds, more than 0 "
						"and at most 3600 (e.g. 0.5)",
						optarg);
			break;
		case 'c':
			o.count = strtol(optarg, &end, 10);
			if (*end || !*optarg || o.count < 1)
				return xk_error(
				    XK_EXIT_USAGE,
				    "--count '%s': expected a whole number of rounds, 1 or more",
				    optarg);
			break;
		case 'R':
			o.no_run_time = true;
			break;
		case 'h':
			stats_help();
			return XK_EXIT_OK;
		default:
			return xk_error(XK_EXIT_USAGE,
					"stats: unknown option '%s'; see 'xdpkit stats --help'",
					argv[optind - 1]);
		}
	}
	if (optind < argc && xk_is_help(argv[optind])) {
		stats_help();
		return XK_EXIT_OK;
	}
	if (argc - optind > 1)
		return xk_error(XK_EXIT_USAGE,
				"stats: unexpected '%s'; give at most one IFACE or PROG",
				argv[optind + 1]);
	o.what = optind < argc ? argv[optind] : NULL;
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
