// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of progs/ratelimit.bpf.c: burst then drop, refill over time (bucket states written
 * with an old last_ns), per-source buckets keyed as IPv6 (IPv4 mapped), every frame shape and
 * truncation point. */
#include <arpa/inet.h>
#include <errno.h>
#include <time.h>
#include <xdpkit/ratelimit.h>
#include "filter_util.h"

#define NS 1000000000ULL

static __u64 mono_ns(void)
{
	struct timespec ts;

	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NS + ts.tv_nsec;
}

/* The monotonic time d ns ago. CLOCK_MONOTONIC starts near zero at boot, and CI runs on machines
 * booted a minute ago: a stamp further back than the uptime would wrap to a time in the future. So
 * no test looks back more than IDLE_MAX, and in the first seconds after boot we wait until the
 * clock has got that far instead of subtracting past zero. */
#define IDLE_MAX (10 * NS)
static __u64 ago(__u64 d)
{
	__u64 now = mono_ns();

	if (!ASSERT_TRUE(d <= IDLE_MAX))
		return now;
	if (now < IDLE_MAX) {
		struct timespec rest = { .tv_sec = (IDLE_MAX - now) / NS + 1 };

		nanosleep(&rest, NULL);
		now = mono_ns();
	}
	return now - d;
}

static xk_ipv6 key4(const char *s)
{
	xk_ipv6 k = {};

	k.a[10] = 0xff;
	k.a[11] = 0xff;
	inet_pton(AF_INET, s, &k.a[12]);
	return k;
}

static xk_ipv6 key6(const char *s)
{
	xk_ipv6 k = {};

	inet_pton(AF_INET6, s, &k);
	return k;
}

static void set_cfg(struct bpf_object *obj, __u64 rate, __u64 burst)
{
	struct ratelimit_config cfg = { .rate_pps = rate, .burst = burst };
	__u32 zero = 0;

	ASSERT_OK(bpf_map_update_elem(ut_map_fd(obj, "ratelimit_cfg"), &zero, &cfg, BPF_ANY)
			  ? -errno
			  : 0);
}

static void put_bucket(struct bpf_object *obj, const xk_ipv6 *key, __u64 tokens, __u64 last_ns)
{
	struct ratelimit_bucket b = { .tokens_ns = tokens, .last_ns = last_ns };

	ASSERT_OK(bpf_map_update_elem(ut_map_fd(obj, "ratelimit_buckets"), key, &b, BPF_ANY)
			  ? -errno
			  : 0);
}

static bool get_bucket(struct bpf_object *obj, const xk_ipv6 *key, struct ratelimit_bucket *b)
{
	memset(b, 0, sizeof(*b));
	return ASSERT_OK(bpf_map_lookup_elem(ut_map_fd(obj, "ratelimit_buckets"), key, b) ? -errno
											  : 0);
}

static int count_buckets(struct bpf_object *obj)
{
	int fd = ut_map_fd(obj, "ratelimit_buckets"), n = 0;
	xk_ipv6 k, next;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

static bool build(enum ut_kind kind, const char *src, struct ut_frame *f)
{
	struct ut_frame_opts o;

	ut_frame_defaults(&o, kind);
	if (src && kind == UT_UDP4)
		inet_pton(AF_INET, src, &o.src4);
	else if (src)
		inet_pton(AF_INET6, src, &o.src6);
	return ASSERT_OK(ut_frame_build(&o, f));
}

/* rate 0 (the zeroed config) is off: everything passes and no bucket is made. */
UT_TEST(ratelimit_off_passes_everything)
{
	struct bpf_object *obj = ut_load("ratelimit");
	struct bpf_program *prog;
	struct ut_frame f;
	int i, k;

	if (!obj || !(prog = ut_prog(obj, "xdp")))
		return;
	for (k = 0; k < 3; k++) {
		for (i = 0; i < ut_ncases; i++) {
			ut_context("%s", ut_cases[i].name);
			if (fu_build_case(&ut_cases[i], &f))
				fu_run(prog, f.data, f.len, XDP_PASS, false);
		}
	}
	ASSERT_EQ(count_buckets(obj), 0);
	fu_check_stats(obj, 3 * ut_ncases, 0, 0);
}

/* A new source starts with a full bucket: burst frames pass, then drops; the bucket sits under
 * ::ffff:a.b.c.d, and other sources (IPv4 or IPv6) have their own. */
UT_TEST(ratelimit_burst_then_drop)
{
	struct bpf_object *obj = ut_load("ratelimit");
	xk_ipv6 k1 = key4("10.11.0.1"), k9 = key4("10.11.0.9"), k6 = key6("fd00:11::1");
	struct ut_frame f1, f9, f6;
	struct bpf_program *prog;
	struct ratelimit_bucket b;
	__u64 t0, t1;
	int i;

	if (!obj || !(prog = ut_prog(obj, "xdp")))
		return;
	if (!build(UT_UDP4, NULL, &f1) || !build(UT_UDP4, "10.11.0.9", &f9) ||
	    !build(UT_TCP6, NULL, &f6))
		return;
	set_cfg(obj, 1, 5); /* one token a second: the test is over long before one is earned */

	t0 = mono_ns();
	ut_context("first frame");
	fu_run(prog, f1.data, f1.len, XDP_PASS, false);
	t1 = mono_ns();
	if (get_bucket(obj, &k1, &b)) {
		ASSERT_EQ(b.tokens_ns, 4 * NS); /* full (5) minus this frame */
		ASSERT_TRUE(b.last_ns >= t0 && b.last_ns <= t1);
		ASSERT_EQ(b.dropped, 0);
	}
	for (i = 2; i <= 7; i++) {
		ut_context("frame %d", i);
		fu_run(prog, f1.data, f1.len, i <= 5 ? XDP_PASS : XDP_DROP, false);
	}
	if (get_bucket(obj, &k1, &b)) {
		ASSERT_TRUE(b.tokens_ns < NS);
		ASSERT_EQ(b.dropped, 2);
	}
	ut_context("another IPv4 source");
	fu_run(prog, f9.data, f9.len, XDP_PASS, false);
	ut_context("an IPv6 source");
	for (i = 1; i <= 6; i++)
		fu_run(prog, f6.data, f6.len, i <= 5 ? XDP_PASS : XDP_DROP, false);
	if (get_bucket(obj, &k6, &b))
		ASSERT_EQ(b.dropped, 1);
	if (get_bucket(obj, &k9, &b))
		ASSERT_EQ(b.tokens_ns, 4 * NS);
	ut_context(NULL);
	ASSERT_EQ(count_buckets(obj), 3);
	fu_check_stats(obj, 5 + 1 + 5, 2 + 1, 0);
}

/* Refill: an empty bucket last stamped long enough ago has earned rate * elapsed tokens, never more
 * than burst. */
UT_TEST(ratelimit_refill_after_time)
{
	struct bpf_object *obj = ut_load("ratelimit");
	xk_ipv6 k1 = key4("10.11.0.1");
	struct bpf_program *prog;
	struct ratelimit_bucket b;
	struct ut_frame f;
	__u64 t0;
	int i;

	if (!obj || !(prog = ut_prog(obj, "xdp")) || !build(UT_UDP4, NULL, &f))
		return;

	ut_context("rate 2, 1.5 s idle: 3 tokens");
	set_cfg(obj, 2, 10);
	t0 = mono_ns();
	put_bucket(obj, &k1, 0, ago(3 * NS / 2));
	for (i = 1; i <= 4; i++)
		fu_run(prog, f.data, f.len, i <= 3 ? XDP_PASS : XDP_DROP, false);
	if (get_bucket(obj, &k1, &b)) {
		ASSERT_TRUE(b.last_ns >= t0);
		ASSERT_TRUE(b.tokens_ns < NS);
		ASSERT_EQ(b.dropped, 1);
	}

	/* Longer than 2^32 ns but short of a full bucket: the refill's slow path. */
	ut_context("rate 1, 5 s idle, burst 10: 5 tokens");
	set_cfg(obj, 1, 10);
	put_bucket(obj, &k1, 0, ago(5 * NS));
	for (i = 1; i <= 6; i++)
		fu_run(prog, f.data, f.len, i <= 5 ? XDP_PASS : XDP_DROP, false);

	ut_context("rate 1000, 1 s idle, burst 3: capped at 3");
	set_cfg(obj, 1000, 3);
	put_bucket(obj, &k1, 0, ago(NS));
	fu_run(prog, f.data, f.len, XDP_PASS, false);
	/* Stamped by this frame: exactly the cap minus one is left, whatever time passed before. */
	if (get_bucket(obj, &k1, &b))
		ASSERT_EQ(b.tokens_ns, 2 * NS);

	/* Idle longer than the bucket takes to fill: the refill's early cap. */
	ut_context("rate 1, 6 s idle, burst 4: capped at 4");
	set_cfg(obj, 1, 4);
	put_bucket(obj, &k1, 0, ago(6 * NS));
	for (i = 1; i <= 5; i++)
		fu_run(prog, f.data, f.len, i <= 4 ? XDP_PASS : XDP_DROP, false);

	/* Stamped at boot: elapsed is the whole uptime (months on a server), far past any bucket. */
	ut_context("rate 3, stamped at boot, burst 2: capped at 2");
	set_cfg(obj, 3, 2);
	put_bucket(obj, &k1, 0, 0);
	for (i = 1; i <= 3; i++)
		fu_run(prog, f.data, f.len, i <= 2 ? XDP_PASS : XDP_DROP, false);

	/* A rate above 2^32 takes the division path even for a short idle; the product would
	 * overflow. */
	ut_context("rate 2^33, 1 s idle, burst 3: capped at 3");
	set_cfg(obj, 1ULL << 33, 3);
	put_bucket(obj, &k1, 0, ago(NS));
	for (i = 1; i <= 3; i++)
		fu_run(prog, f.data, f.len, XDP_PASS, false);

	ut_context("burst lowered under the tokens a bucket holds");
	set_cfg(obj, 1, 2);
	put_bucket(obj, &k1, 9 * NS, mono_ns());
	for (i = 1; i <= 3; i++)
		fu_run(prog, f.data, f.len, i <= 2 ? XDP_PASS : XDP_DROP, false);
	ut_context(NULL);
	fu_check_stats(obj, 3 + 5 + 1 + 4 + 2 + 3 + 2, 1 + 1 + 1 + 1 + 1, 0);
}

/* Every shape and truncation point against empty buckets for both default sources, stamped in the
 * future so they earn nothing while the test runs: a frame whose source address can be read is
 * dropped and counted on its bucket; ARP passes; a frame cut before the end of its IP header passes
 * as malformed and makes no bucket. */
UT_TEST(ratelimit_every_shape_and_truncation)
{
	struct bpf_object *obj = ut_load("ratelimit");
	xk_ipv6 k4 = key4("10.11.0.1"), k6 = key6("fd00:11::1");
	__u64 pass = 0, drop = 0, malformed = 0, d4 = 0, d6 = 0;
	struct ut_cut cuts[UT_MAX_CUTS];
	struct ratelimit_bucket b;
	struct bpf_program *prog;
	struct ut_frame f;
	__u64 future;
	int i, j, n;

	if (!obj || !(prog = ut_prog(obj, "xdp")))
		return;
	set_cfg(obj, 1, 1);
	future = mono_ns() + 3600 * NS;
	put_bucket(obj, &k4, 0, future);
	put_bucket(obj, &k6, 0, future);
	for (i = 0; i < ut_ncases; i++) {
		const struct ut_case *c = &ut_cases[i];
		bool ip = c->kind != UT_ARP, v6 = fu_is_v6(c->kind);
		__u32 addr_end;

		if (!fu_build_case(c, &f))
			continue;
		ut_context("%s", c->name);
		fu_run(prog, f.data, f.len, ip ? XDP_DROP : XDP_PASS, false);
		ip ? drop++ : pass++;
		if (ip)
			*(v6 ? &d6 : &d4) += 1;

		addr_end = !ip ? f.l3_off : f.l3_off + (v6 ? 40 : (f.data[f.l3_off] & 15) * 4);
		n = ut_frame_cuts(&f, cuts);
		for (j = 0; j < n; j++) {
			bool readable = cuts[j].len >= addr_end;
			bool d = readable && ip;

			ut_context("%s cut %u (%s)", c->name, cuts[j].len, cuts[j].what);
			fu_run(prog, f.data, cuts[j].len, d ? XDP_DROP : XDP_PASS, false);
			d ? drop++ : pass++;
			malformed += !readable;
			if (d)
				*(v6 ? &d6 : &d4) += 1;
		}
	}
	ut_context(NULL);
	ASSERT_TRUE(d4 > 0 && d6 > 0 && malformed > 0);
	if (get_bucket(obj, &k4, &b))
		ASSERT_EQ(b.dropped, d4);
	if (get_bucket(obj, &k6, &b))
		ASSERT_EQ(b.dropped, d6);
	ASSERT_EQ(count_buckets(obj), 2);
	fu_check_stats(obj, pass, drop, malformed);
}
