/* BPF side of the shared verdict counters: the map and the helpers that fill it. Include once per program. */
#ifndef XDPKIT_STATS_BPF_H
#define XDPKIT_STATS_BPF_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <xdpkit/stats.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XK_STAT_MAX);
	__type(key, __u32);
	__type(value, struct xk_datarec);
} xdpkit_stats SEC(".maps");

/* -DXK_NO_STATS builds a program without its counting (the map stays, always zero): only the benchmarks use it,
 * to measure what the counting costs. Normal builds never define it. */
static __always_inline void xk_stat_add(__u32 slot, __u64 bytes)
{
#ifdef XK_NO_STATS
	(void)slot;
	(void)bytes;
#else
	struct xk_datarec *rec = bpf_map_lookup_elem(&xdpkit_stats, &slot);

	/* Per-CPU slot: no other writer, no atomics needed. */
	if (rec) {
		rec->packets++;
		rec->bytes += bytes;
	}
#endif
}

/* Count an XDP verdict and return it, so a program ends with `return xk_xdp_verdict(ctx, XDP_DROP);`. */
static __always_inline int xk_xdp_verdict(struct xdp_md *ctx, int action)
{
	xk_stat_add(action < XK_STAT_MALFORMED ? (__u32)action : XK_STAT_ABORTED,
		    ctx->data_end - ctx->data);
	return action;
}

/* Count a TC verdict in the XDP slot of the same meaning and return it. */
static __always_inline int xk_tc_verdict(struct __sk_buff *skb, int action)
{
	__u32 slot;

	switch (action) {
	case TC_ACT_SHOT:
		slot = XK_STAT_DROP;
		break;
	case TC_ACT_REDIRECT:
		slot = XK_STAT_REDIRECT;
		break;
	default:
		slot = XK_STAT_PASS;
		break;
	}
	xk_stat_add(slot, skb->len);
	return action;
}

static __always_inline void xk_stat_malformed(__u64 bytes)
{
	xk_stat_add(XK_STAT_MALFORMED, bytes);
}

#endif
