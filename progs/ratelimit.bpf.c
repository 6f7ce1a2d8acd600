// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* ratelimit: a token bucket per source address; frames above the configured rate are dropped at
 * XDP. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>
#include <xdpkit/ratelimit.h>
#include <xdpkit/parse.bpf.h>
#include <xdpkit/stats.bpf.h>

#define NSEC_PER_SEC 1000000000ULL
/* So that burst * NSEC_PER_SEC fits in 64 bits with room to spare. */
#define RATELIMIT_BURST_MAX 0xffffffffULL

/* xdpkit list reads this line. */
const char xdpkit_summary[] SEC(".xdpkit.summary") =
	"per-source token bucket: drop what a source sends above rate_pps (burst in ratelimit_cfg)";

/* One bucket per source; LRU so a flood of spoofed sources evicts old buckets instead of failing
 * inserts.
 *
 * Concurrency: the bucket is read, refilled and written back without a lock. LRU hashes cannot hold
 * a bpf_spin_lock (the kernel refuses it), and the clang we build with targets BPF v1, which has no
 * fetching atomics. The race is documented instead: when two CPUs handle frames of the same source
 * at the same instant, both may take the same token, so a source can get up to (number of CPUs - 1)
 * frames more than its burst in that instant. RSS steers one flow to one CPU, so this needs one
 * source spread over several flows and queues; the long-term rate still holds, because the refill
 * is computed from time, not from packet counts. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RATELIMIT_MAX_SOURCES);
	__type(key, xk_ipv6);
	__type(value, struct ratelimit_bucket);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ratelimit_buckets SEC(".maps");

/* ratelimit_cfg[0]: rate_pps (0 = off) and burst. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ratelimit_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ratelimit_cfg SEC(".maps");

/* After blocklist (10): a blocked source should not spend tokens; before portfilter (30). */
struct {
	__uint(priority, 20);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(ratelimit), XDP_RUN_CONFIG(ratelimit_frags);

enum ratelimit_result {
	RL_PASS,
	RL_DROP,
	RL_MALFORMED, /* the source address could not be read: pass, and count it */
};

/* Add the tokens earned since last_ns, never above cap. Tokens are scaled by 1e9 so that one
 * nanosecond at rate r earns exactly r units: no rounding loss at low rates. */
static __always_inline __u64 ratelimit_refill(__u64 tokens, __u64 elapsed, __u64 rate, __u64 cap)
{
	__u64 room;

	if (tokens >= cap)
		return cap;
	room = cap - tokens;
	/* rate >= 1, so elapsed >= room already fills the bucket; otherwise both fit 32 bits on the
	 * hot path (elapsed < 4.3 s) and their product cannot overflow; only the rare long idle
	 * pays for a division. */
	if (elapsed >= room)
		return cap;
	if (!(elapsed >> 32) && !(rate >> 32)) {
		__u64 add = elapsed * rate;

		return add >= room ? cap : tokens + add;
	}
	return elapsed >= room / rate ? cap : tokens + elapsed * rate;
}

static __always_inline int ratelimit_decide(struct xk_pkt *p, int rc)
{
	struct ratelimit_config *cfg;
	struct ratelimit_bucket *b;
	__u64 now, cap, burst, elapsed;
	xk_ipv6 key = {};
	__u32 zero = 0;

	/* ARP and friends are not limited; an IP frame cut before its address is malformed. */
	if (!p->ip4 && !p->ip6)
		return rc == XK_PARSE_OK ? RL_PASS : RL_MALFORMED;
	cfg = bpf_map_lookup_elem(&ratelimit_cfg, &zero);
	if (!cfg || !cfg->rate_pps)
		return RL_PASS;

	if (p->ip4) {
		/* ::ffff:a.b.c.d, so one map serves both families. */
		key.a[10] = 0xff;
		key.a[11] = 0xff;
		__builtin_memcpy(&key.a[12], &p->ip4->saddr, 4);
	} else {
		__builtin_memcpy(&key, &p->ip6->saddr, sizeof(key));
	}

	burst = cfg->burst;
	if (burst < 1)
		burst = 1; /* a bucket must hold at least the frame that finds it full */
	if (burst > RATELIMIT_BURST_MAX)
		burst = RATELIMIT_BURST_MAX;
	cap = burst * NSEC_PER_SEC;
	now = bpf_ktime_get_ns();

	b = bpf_map_lookup_elem(&ratelimit_buckets, &key);
	if (!b) {
		/* A new source starts with a full bucket and spends one token on this frame. */
		struct ratelimit_bucket nb = {
			.tokens_ns = cap - NSEC_PER_SEC,
			.last_ns = now,
		};

		bpf_map_update_elem(&ratelimit_buckets, &key, &nb, BPF_ANY);
		return RL_PASS;
	}

	/* Another CPU may have stamped a later time than ours: then nothing was earned. */
	elapsed = now > b->last_ns ? now - b->last_ns : 0;
	b->tokens_ns = ratelimit_refill(b->tokens_ns, elapsed, cfg->rate_pps, cap);
	if (elapsed)
		b->last_ns = now;
	if (b->tokens_ns < NSEC_PER_SEC) {
		b->dropped++;
		return RL_DROP;
	}
	b->tokens_ns -= NSEC_PER_SEC;
	return RL_PASS;
}

/* What `xdpkit dump` shows as the rule of a drop: the source and the limits it went over. Built
 * only while a dump runs. */
static __always_inline void ratelimit_rule(const void *arg, struct xk_rule *r)
{
	const struct xk_pkt *p = arg;
	struct ratelimit_config *cfg;
	__u32 zero = 0;

	r->kind = XK_RULE_RATE;
	cfg = bpf_map_lookup_elem(&ratelimit_cfg, &zero);
	if (cfg) {
		r->num = cfg->rate_pps > 0xffffffffULL ? 0xffffffffU : (__u32)cfg->rate_pps;
		r->num2 = cfg->burst < 1		     ? 1
			  : cfg->burst > RATELIMIT_BURST_MAX ? RATELIMIT_BURST_MAX
							     : (__u32)cfg->burst;
	}
	if (p->ip4) {
		r->addr[10] = 0xff;
		r->addr[11] = 0xff;
		__builtin_memcpy(&r->addr[12], &p->ip4->saddr, 4);
	} else if (p->ip6) {
		__builtin_memcpy(r->addr, &p->ip6->saddr, 16);
	}
}

/* The XDP program; frags is true in the multi-buffer twin (a constant: each entry gets its own
 * copy). Headers are read from the first buffer only; the verdict counts the whole frame. */
static __always_inline int ratelimit_xdp(struct xdp_md *ctx, bool frags)
{
	__u64 len = xk_xdp_len(ctx, frags);
	struct xk_pkt p;
	int res;

	res = ratelimit_decide(&p, xk_parse(ctx, &p));
	if (res == RL_DROP)
		return xk_xdp_decided_by(ctx, XDP_DROP, len, ratelimit_rule, &p);
	if (res == RL_MALFORMED)
		xk_stat_malformed(len);
	return xk_xdp_decided(ctx, XDP_PASS, len, NULL);
}

/* What `ip ... sec xdp`, xdp-loader and bpftool load, and what xdpkit attaches (with multi-buffer
 * support switched on where the kernel has it: the twin below declares that the body handles it). */
SEC("xdp")
int ratelimit(struct xdp_md *ctx)
{
	return ratelimit_xdp(ctx, false);
}

/* The same program for multi-buffer frames (jumbo MTU): `ip link set dev eth0 xdp obj ... sec
 * xdp.frags`. */
SEC("xdp.frags")
int ratelimit_frags(struct xdp_md *ctx)
{
	return ratelimit_xdp(ctx, true);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
