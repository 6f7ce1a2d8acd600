// SPDX-License-Identifier: GPL-2.0-only
/* `xdpkit dump IFACE|PROG`: every frame the collection's programs decide, with program, hook,
 * verdict and the rule that matched, as text or as pcapng (-w). The programs send records only
 * while a dump has switched their capture on (include/xdpkit/capture.bpf.h); this verb finds each
 * program's capture maps by its map ids, switches it on with this process as owner, reads the perf
 * buffers, filters with a libpcap expression, and switches it off on exit. Programs replaced under
 * it are followed. */
#include "dump.h"
#include "model.h"
#include "number.h"
#include "opts.h"
#include "xdpkit.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

int do_dump(int argc, char **argv);

#define PERF_PAGES 64 /* per CPU and program: 256 KiB, unless -B says otherwise */
#define MAX_TARGETS 64

struct dump;

/* One program being captured. */
struct target {
	__u32 prog_id;
	char name[BPF_OBJ_NAME_LEN];
	struct xk_capmaps c;
	int cidr4_fd, cidr6_fd; /* blocklist's prefix rules, for the rule text */
	struct perf_buffer *pb;
	struct xk_fexit *fx; /* a program without the hook, captured by fexit */
	struct dump *d;
};

struct dump {
	const char *what;
	int ifindex; /* IFACE given: only its frames */
	const char *prog_name;
	unsigned int verdicts; /* bit per enum xk_stat; 0: all */
	long max, count, lost;
	bool done; /* -c N frames shown */
	__u32 snaplen;
	size_t pages; /* of each per-CPU perf buffer, a power of 2 */
	struct perf_event_attr attr;
	const char *wfile;
	char *expr;
	struct xk_filter *filter;
	struct xk_pcapng *png;
	__s64 mono_to_real; /* ns to add to bpf_ktime_get_ns() for the wall clock */
	int ep;
	struct target t[MAX_TARGETS];
	int nt;
	struct xk_attached *places; /* where the captured programs were at the last look */
	int nplaces;
	int err;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *ifname_of(__u32 ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%u", ifindex);
	return buf;
}

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct target *t = ctx;
	struct dump *d = t->d;
	const struct xk_capture_meta *m = data;
	const unsigned char *pkt = (const unsigned char *)(m + 1);
	const char *hook, *verdict;
	char ifname[IF_NAMESIZE], rule[96], text[512];
	unsigned int slot;
	__u32 caplen;

	(void)cpu;
	if (d->done || d->err || size < sizeof(*m))
		return;
	caplen = m->caplen < size - sizeof(*m) ? m->caplen : size - sizeof(*m);
	if (d->ifindex && m->ifindex != (__u32)d->ifindex)
		return;
	slot = xk_capture_slot(m);
	if (d->verdicts && !(d->verdicts & (1u << slot)))
		return;
	if (d->filter && !xk_filter_match(d->filter, pkt, caplen, m->len))
		return;
	hook = m->hook == XK_HOOK_TC ? "tc" : "xdp";
	verdict = xk_stat_name(slot);
	xk_rule_text(&m->rule, t->cidr4_fd, t->cidr6_fd, rule, sizeof(rule));
	ifname_of(m->ifindex, ifname);
	if (d->png) {
		char comment[256];

		snprintf(comment, sizeof(comment), "prog=%s hook=%s verdict=%s%s%s", t->name, hook,
			 verdict, *rule ? " rule=" : "", rule);
		d->err = xk_pcapng_packet(d->png, xk_pcapng_iface(d->png, ifname),
					  m->ts_ns + d->mono_to_real, pkt, caplen, m->len, comment);
	} else {
		__u64 real = m->ts_ns + d->mono_to_real;
		time_t sec = (time_t)(real / 1000000000ULL);
		char upper[16];
		struct tm tm;
		int i;

		for (i = 0; verdict[i] && i < (int)sizeof(upper) - 1; i++)
			upper[i] =
				(char)(verdict[i] - 32 * (verdict[i] >= 'a' && verdict[i] <= 'z'));
		upper[i] = '\0';
		localtime_r(&sec, &tm);
		xk_frame_text(pkt, caplen, m->len, text, sizeof(text));
		if (printf("%02d:%02d:%02d.%06llu %s %s %s %s%s%s %s\n", tm.tm_hour, tm.tm_min,
			   tm.tm_sec, (unsigned long long)(real % 1000000000ULL / 1000), ifname,
			   t->name, hook, upper, *rule ? " rule=" : "", rule, text) < 0)
			d->err = -EPIPE;
		fflush(stdout);
	}
	if (++d->count == d->max) {
		d->done = true;
		stop = 1;
	}
}

/* libbpf's raw perf buffer hands over every record: samples and the kernel's count of lost ones. */
static enum bpf_perf_event_ret on_event(void *ctx, int cpu, struct perf_event_header *e)
{
	struct target *t = ctx;

	if (e->type == PERF_RECORD_SAMPLE) {
		struct {
			struct perf_event_header h;
			__u32 size;
			char data[];
		} *s = (void *)e;

		on_sample(t, cpu, s->data, s->size);
	} else if (e->type == PERF_RECORD_LOST) {
		struct {
			struct perf_event_header h;
			__u64 id;
			__u64 lost;
		} *l = (void *)e;

		t->d->lost += (long)l->lost;
	}
	return LIBBPF_PERF_EVENT_CONT;
}

/* A map of the program by name, for the rule text; -1 when it has none. */
static int prog_map(const struct xk_kprog *p, const char *name)
{
	__u32 i;

	for (i = 0; i < p->nmaps; i++) {
		struct bpf_map_info mi = {};
		__u32 len = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(p->map_ids[i]);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &mi, &len) && !strcmp(mi.name, name))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return -1;
}

/* A collection program is named after its object; its TC entry and multi-buffer twin carry a
 * suffix in the kernel: NAME matches all three. */
static const char *const entry_suffix[] = { "_tc", "_frags" };

static bool named(const struct xk_kprog *p, const char *what)
{
	char buf[BPF_OBJ_NAME_LEN + 8];
	size_t i;

	if (xk_kprog_named(p, what))
		return true;
	for (i = 0; i < sizeof(entry_suffix) / sizeof(entry_suffix[0]); i++) {
		snprintf(buf, sizeof(buf), "%.*s%s", BPF_OBJ_NAME_LEN, what, entry_suffix[i]);
		if (xk_kprog_named(p, buf))
			return true;
	}
	return false;
}

/* The name a line shows for a collection program: the object's (the hook is shown beside it). */
static void display_name(const char *kname, char *buf, size_t len)
{
	size_t i, n = strlen(kname);

	snprintf(buf, len, "%s", kname);
	for (i = 0; i < sizeof(entry_suffix) / sizeof(entry_suffix[0]); i++) {
		size_t s = strlen(entry_suffix[i]);

		if (n > s && !strcmp(kname + n - s, entry_suffix[i]) && n - s < len)
			buf[n - s] = '\0';
	}
}

static void target_free(struct target *t)
{
	xk_capture_disarm(&t->c);
	perf_buffer__free(t->pb);
	xk_capmaps_close(&t->c);
	xk_fexit_close(t->fx);
	t->fx = NULL;
	if (t->cidr4_fd >= 0)
		close(t->cidr4_fd);
	if (t->cidr6_fd >= 0)
		close(t->cidr6_fd);
	t->pb = NULL;
}

/* Start capturing program p. 0; 1 when it cannot be captured (said why); or an exit code. */
static int target_add(struct dump *d, const struct xk_kprog *p, const char *where)
{
	struct target *t = &d->t[d->nt];
	struct epoll_event ev = { .events = EPOLLIN };
	pid_t owner = 0;
	int err;

	if (d->nt == MAX_TARGETS)
		return xk_error(XK_EXIT_FAIL,
				"dump: more than %d programs to capture; name one with --prog",
				MAX_TARGETS);
	memset(t, 0, sizeof(*t));
	t->d = d;
	t->prog_id = p->id;
	snprintf(t->name, sizeof(t->name), "%s", p->name);
	if (xk_capmaps_open(p, &t->c)) {
		/* Not built on xdpkit's verdict helpers: trace it, as xdpdump does, where the
		 * kernel lets BPF trace BPF. */
		err = -EOPNOTSUPP;
		if (p->type == BPF_PROG_TYPE_XDP || p->type == BPF_PROG_TYPE_EXT)
			err = xk_fexit_open(p->id, d->snaplen, &t->c.events_fd, &t->fx);
		if (err) {
			fprintf(stderr,
				"xdpkit: dump: %s (id %u) on %s has no capture hook (not built on xdpkit's verdict helpers) and %s: not captured\n",
				p->name, p->id, where,
				err == -EOPNOTSUPP ? "xdpkit traces only XDP programs"
				: err == -ENOENT   ? "it has no BTF to attach an fexit program to"
						   : "this kernel refuses an fexit program on it");
			if (err != -EOPNOTSUPP && err != -ENOENT)
				xk_hint("fexit on BPF programs needs a kernel with BTF that lets BPF trace BPF (%s)",
					strerror(-err));
			return 1;
		}
		fprintf(stderr,
			"xdpkit: dump: %s (id %u) on %s has no capture hook: traced with fexit (every frame; verdicts as the program returns them, no rule)\n",
			p->name, p->id, where);
	} else {
		display_name(p->name, t->name, sizeof(t->name));
	}
	t->cidr4_fd = prog_map(p, "blocklist_cidr4");
	t->cidr6_fd = prog_map(p, "blocklist_cidr6");
	/* Buffers first, then the switch: no record is sent before someone reads. */
	t->pb = perf_buffer__new_raw(t->c.events_fd, d->pages, &d->attr, on_event, t, NULL);
	err = t->pb ? 0 : -errno;
	if (!err) {
		ev.data.ptr = t;
		if (epoll_ctl(d->ep, EPOLL_CTL_ADD, perf_buffer__epoll_fd(t->pb), &ev))
			err = -errno;
	}
	if (!err && !t->fx)
		err = xk_capture_arm(&t->c, d->snaplen, d->verdicts, &owner);
	if (err) {
		target_free(t);
		if (err == -EBUSY)
			return xk_error(
				XK_EXIT_FAIL,
				"dump: %s (id %u) is being captured by another xdpkit dump (pid %d); stop that one first",
				p->name, p->id, (int)owner);
		return xk_error(XK_EXIT_FAIL, "dump: cannot capture %s (id %u): %s", p->name, p->id,
				strerror(-err));
	}
	d->nt++;
	return 0;
}

static struct target *target_find(struct dump *d, __u32 id)
{
	int i;

	for (i = 0; i < d->nt; i++)
		if (d->t[i].prog_id == id)
			return &d->t[i];
	return NULL;
}

static bool wanted(const struct dump *d, const struct xk_kprog *p)
{
	if (!p)
		return false;
	if (!d->ifindex && !named(p, d->what))
		return false;
	return !d->prog_name || named(p, d->prog_name);
}

static bool same_place(const struct xk_attached *a, const struct xk_attached *b)
{
	return !strcmp(a->ifname, b->ifname) && !strcmp(a->hook, b->hook) &&
	       !strcmp(a->slot, b->slot);
}

/* Look at what runs (again): capture what is wanted and not captured yet, let go of what is gone,
 * and say so when a program was replaced in its place. first: errors are fatal. */
static int refresh(struct dump *d, bool first)
{
	struct xk_attached *at = NULL, *keep;
	struct xk_model m;
	int na, i, j, k = 0, err = 0;

	if (xk_model_read(&m, XK_MODEL_PROGS | XK_MODEL_IFACES, d->ifindex))
		return first ? xk_error(XK_EXIT_FAIL, "dump: cannot read what runs here") : 0;
	if (first)
		xk_capture_clear_stale(&m);
	na = xk_model_attached(&m, &at);
	keep = calloc(na > 0 ? na : 1, sizeof(*keep));
	for (i = 0; keep && i < na; i++) {
		const struct xk_kprog *p = xk_model_prog(&m, at[i].prog_id);

		if (!wanted(d, p))
			continue;
		keep[k++] = at[i];
		for (j = 0; !first && j < d->nplaces; j++)
			if (same_place(&at[i], &d->places[j]) &&
			    at[i].prog_id != d->places[j].prog_id)
				fprintf(stderr,
					"xdpkit: dump: %s %s: program %u was replaced by %u (%s); following the new one\n",
					at[i].ifname, at[i].hook, d->places[j].prog_id,
					at[i].prog_id, p->name);
		if (!target_find(d, p->id)) {
			char where[80];

			snprintf(where, sizeof(where), "%s %s", at[i].ifname, at[i].hook);
			err = target_add(d, p, where);
			if (err > 1 && first)
				break;
			err = 0;
		}
	}
	/* A program named (not an interface) that is loaded but attached nowhere here. */
	if (first && !err && !k && !d->ifindex) {
		int idx[MAX_TARGETS], nm = xk_model_match(&m, d->what, idx, MAX_TARGETS);

		for (i = 0; i < nm && !err; i++)
			if (wanted(d, &m.progs[idx[i]]))
				err = target_add(d, &m.progs[idx[i]], "no hook here") > 1 ? 1 : 0;
		if (!nm)
			err = xk_error(
				XK_EXIT_NOTFOUND,
				"dump: '%s' is neither an interface here nor a loaded program; see 'xdpkit status'",
				d->what);
	}
	/* Gone from every place: nothing to capture any more. */
	for (i = 0; i < d->nt && (k || !first); i++) {
		bool here = false;

		for (j = 0; j < k; j++)
			here |= keep[j].prog_id == d->t[i].prog_id;
		if (!here && xk_model_prog(&m, d->t[i].prog_id) == NULL) {
			target_free(&d->t[i]);
			d->t[i] = d->t[--d->nt];
			d->t[i].d = d;
			if (d->t[i].pb && i < d->nt) {
				/* The moved slot's epoll data pointed at its old place. */
				struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &d->t[i] };

				epoll_ctl(d->ep, EPOLL_CTL_MOD, perf_buffer__epoll_fd(d->t[i].pb),
					  &ev);
			}
			i--;
		}
	}
	free(d->places);
	d->places = keep;
	d->nplaces = k;
	free(at);
	xk_model_free(&m);
	return err;
}

static int dump_opt(void *ctx, int key, const char *val)
{
	struct dump *d = ctx;
	unsigned int k;
	__u64 v;

	switch (key) {
	case 'V':
		for (k = 0; k < XK_STAT_MALFORMED && strcasecmp(val, xk_stat_name(k)); k++)
			;
		if (k == XK_STAT_MALFORMED)
			return xk_error(
				XK_EXIT_USAGE,
				"dump: --verdict '%s': expected drop, pass, tx, redirect or aborted",
				val);
		d->verdicts |= 1u << k;
		break;
	case 'p':
		d->prog_name = val;
		break;
	case 'c':
		if (xk_num_word(val, 1, LONG_MAX, &v))
			return xk_error(
				XK_EXIT_USAGE,
				"dump: --count '%s': expected a whole number of frames, 1 or more",
				val);
		d->max = (long)v;
		break;
	case 's':
		if (xk_num_word(val, 0, 0x7fffffff, &v))
			return xk_error(
				XK_EXIT_USAGE,
				"dump: --snaplen '%s': expected a whole number of bytes (0: the most)",
				val);
		d->snaplen = !v || v > XK_CAPTURE_SNAP_MAX ? XK_CAPTURE_SNAP_MAX : (__u32)v;
		break;
	case 'w':
		d->wfile = val;
		break;
	case 'B':
		if (xk_num_word(val, 4, 4194304, &v))
			return xk_error(
				XK_EXIT_USAGE,
				"dump: --buffer-size '%s': expected KiB per CPU, from 4 to 4194304",
				val);
		/* perf buffers come in a power of 2 of pages: the largest that fits */
		for (d->pages = 1; d->pages * 2 * 4 <= v; d->pages *= 2)
			;
		break;
	}
	return 0;
}

/* IFACE|PROG, then the filter expression, as tcpdump takes it: words joined by spaces. */
static int parse(struct dump *d, int argc, char **argv)
{
	struct xk_words w;
	size_t elen = 0;
	int err, i;

	err = xk_opts_parse(&xk_verb_dump, argc, argv, dump_opt, d, &w);
	if (err)
		return err;
	/* The parser counts words only for verbs with a most; here EXPR may be any length. */
	if (w.n < 1)
		return xk_error(XK_EXIT_USAGE,
				"dump: name an IFACE or a PROG; see 'xdpkit dump --help'");
	d->what = w.pos[0];
	for (i = 1; i < w.n; i++)
		elen += strlen(w.pos[i]) + 1;
	if (!elen)
		return 0;
	d->expr = calloc(1, elen);
	if (!d->expr)
		return xk_error(XK_EXIT_FAIL, "out of memory");
	for (i = 1; i < w.n; i++) {
		if (i > 1)
			strcat(d->expr, " ");
		strcat(d->expr, w.pos[i]);
	}
	return 0;
}

/* How many records the kernel gathers before it wakes the dump: one for text, whose lines should
 * come as frames come; into a file, as xdpdump does, a share of the buffer, for each wake-up (an
 * interrupt and a reschedule) costs the sending program more than the record itself. */
static void wakeup(struct dump *d)
{
	size_t per = d->snaplen + sizeof(struct xk_capture_meta) + 16;
	size_t events = d->pages * 4096 / 4 / per;

	d->attr.type = PERF_TYPE_SOFTWARE;
	d->attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	d->attr.sample_type = PERF_SAMPLE_RAW;
	d->attr.sample_period = 1;
	d->attr.wakeup_events = 1;
	if (d->wfile && strcmp(d->wfile, "-") && events > 1)
		d->attr.wakeup_events = events > 1024 ? 1024 : (__u32)events;
}

static __s64 mono_to_real(void)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ((__s64)real.tv_sec - mono.tv_sec) * 1000000000LL + (real.tv_nsec - mono.tv_nsec);
}

static int run(struct dump *d)
{
	struct epoll_event ev[16];
	struct timespec last, now;
	int i, n, err;

	clock_gettime(CLOCK_MONOTONIC, &last);
	while (!stop && !d->err) {
		n = epoll_wait(d->ep, ev, 16, 200);
		if (n < 0 && errno != EINTR)
			return xk_error(XK_EXIT_FAIL, "dump: waiting for records: %s",
					strerror(errno));
		for (i = 0; i < n && !stop; i++) {
			struct target *t = ev[i].data.ptr;

			err = perf_buffer__consume(t->pb);
			if (err < 0 && err != -EINTR)
				d->err = err;
		}
		/* Records short of a wake-up (when writing a file, see wakeup()) come at the latest
		 * now. */
		for (i = 0; n == 0 && i < d->nt && !stop; i++)
			perf_buffer__consume(d->t[i].pb);
		/* Once a second: follow replaced programs. */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec != last.tv_sec && !stop) {
			last = now;
			refresh(d, false);
		}
	}
	/* Interrupted: what the kernel holds still counts (records short of a wake-up). */
	for (i = 0; !d->done && !d->err && i < d->nt; i++)
		perf_buffer__consume(d->t[i].pb);
	if (d->err == -EPIPE)
		d->err = 0; /* the reader went away (| head): that is how it ends */
	return d->err ? xk_error(XK_EXIT_FAIL, "dump: %s", strerror(-d->err)) : 0;
}

int do_dump(int argc, char **argv)
{
	struct dump d = { .snaplen = XK_CAPTURE_SNAP_MAX, .pages = PERF_PAGES, .ep = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	char why[256];
	int err, i;

	err = parse(&d, argc, argv);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	err = xk_need_root();
	if (!err)
		err = xk_need_bpffs();
	if (err)
		goto out;
	d.ifindex = (int)if_nametoindex(d.what);
	if (d.expr) {
		/* libpcap compiles the expression for Ethernet frames; it runs on every record
		 * before it is decoded or written. */
		d.filter = xk_filter_new(d.expr, d.snaplen, why, sizeof(why));
		if (!d.filter) {
			err = xk_error(XK_EXIT_USAGE, "dump: filter expression '%s': %s", d.expr,
				       why);
			goto out;
		}
	}
	if (d.wfile) {
		d.png = xk_pcapng_open(d.wfile, d.snaplen, &err);
		if (!d.png || err) {
			err = xk_error(XK_EXIT_FAIL, "dump: cannot write %s: %s", d.wfile,
				       strerror(-err));
			goto out;
		}
	}
	d.ep = epoll_create1(EPOLL_CLOEXEC);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed pipe is an EPIPE from printf, then the end */
	d.mono_to_real = mono_to_real();
	wakeup(&d);
	err = refresh(&d, true);
	if (!err && !d.nt)
		err = xk_error(XK_EXIT_NOTFOUND,
			       "dump: nothing on %s can be captured%s%s; see 'xdpkit status'",
			       d.what, d.prog_name ? " named " : "",
			       d.prog_name ? d.prog_name : "");
	if (err)
		goto out;
	fprintf(stderr, "xdpkit: dump: capturing");
	for (i = 0; i < d.nt; i++)
		fprintf(stderr, "%s %s (id %u)", i ? "," : "", d.t[i].name, d.t[i].prog_id);
	fprintf(stderr, ", snaplen %u; Ctrl-C to stop\n", d.snaplen);
	err = run(&d);
	fprintf(stderr, "%ld packet%s captured", d.count, d.count == 1 ? "" : "s");
	if (d.lost)
		fprintf(stderr, ", %ld lost (the dump could not keep up)", d.lost);
	fprintf(stderr, "\n");
out:
	for (i = 0; i < d.nt; i++)
		target_free(&d.t[i]);
	/* A reader that went away (-w - | head) ended the dump; that is no failure. */
	if (d.png && (i = xk_pcapng_close(d.png)) && i != -EPIPE && !err)
		err = xk_error(XK_EXIT_FAIL, "dump: writing %s failed: %s", d.wfile, strerror(-i));
	xk_filter_free(d.filter);
	if (d.ep >= 0)
		close(d.ep);
	free(d.places);
	free(d.expr);
	return err;
}

static const struct xk_opt dump_opts[] = {
	{ .name = "verdict",
	  .key = 'V',
	  .arg = "ACTION",
	  .complete = XK_C_WORDS,
	  .words = "drop pass tx redirect aborted",
	  .help = "only frames given ACTION (repeatable); the others are not even sent by the kernel" },
	{ .name = "prog",
	  .key = 'p',
	  .arg = "NAME",
	  .complete = XK_C_IFPROG,
	  .help = "only the program NAME (name or id) on IFACE" },
	{ .name = "count", .key = 'c', .shrt = 'c', .arg = "N", .help = "stop after N frames" },
	{ .name = "snaplen",
	  .key = 's',
	  .shrt = 's',
	  .arg = "N",
	  .help = "bytes of each frame to keep (default and 0: 65000, the most)" },
	{ .name = "write",
	  .key = 'w',
	  .shrt = 'w',
	  .arg = "FILE",
	  .complete = XK_C_FILE,
	  .help = "write pcapng to FILE (- for stdout), with program, hook, verdict and rule in each "
		  "packet's comment" },
	{ .name = "buffer-size",
	  .key = 'B',
	  .shrt = 'B',
	  .arg = "KiB",
	  .help = "kernel buffer per CPU and program (default 256); more loses fewer frames in bursts" },
	{ 0 },
};

static const enum xk_complete dump_pos[] = { XK_C_IFPROG, XK_C_NONE, XK_C_REPEAT };

const struct xk_verb xk_verb_dump = {
	.name = "dump",
	.summary = "every frame the programs decide, with verdict and rule; text or pcapng (-w)",
	.synopsis =
		"dump IFACE|PROG [--verdict ACTION]... [--prog NAME] [-c N] [-s SNAPLEN] [-w FILE] "
		"[-B KiB] [EXPR]",
	.description =
		"Every frame the collection's programs decide on IFACE (XDP and TC, each component of a "
		"chain), or that the program PROG (name or id) decides, with program, hook, verdict and, "
		"for blocklist, portfilter and ratelimit, the rule that matched, one line each as "
		"tcpdump prints them; with -w, pcapng that tcpdump and tshark read. EXPR is a pcap "
		"filter expression (as tcpdump's), compiled by libpcap and run on each record as it "
		"arrives.\n\n"
		"Capture costs the programs one load and a branch while no dump runs. Programs not built "
		"on xdpkit's verdict helpers are traced with fexit where the kernel allows it. A program "
		"replaced under the dump is followed; Ctrl-C or kill leave nothing switched on (after kill "
		"-9, the next dump or status switches the capture off).",
	.opts = dump_opts,
	.pos = dump_pos,
	.npos = 3,
	.max_words = -1,
	.fn = do_dump,
};
