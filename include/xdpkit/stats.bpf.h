/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* BPF side of the shared verdict counters: the map and the helpers that fill it. Include once per program. */
#ifndef XDPKIT_STATS_BPF_H
#define XDPKIT_STATS_BPF_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <xdpkit/stats.h>
#include <xdpkit/capture.bpf.h>

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

/* Multi-buffer frames (jumbo MTU, LRO/GRO on some drivers) reach only programs loaded with
 * BPF_F_XDP_HAS_FRAGS: each program's "xdp.frags" twin (libbpf sets the flag from the section
 * name) and its plain "xdp" entry when a loader sets the flag on it (xdpkit does, and sets this
 * to 1 with it). Read-only data the verifier sees as a constant: an entry loaded without frags
 * drops the branch that calls bpf_xdp_get_buff_len, so it still loads on kernels before 5.18,
 * which lack the helper (and frags). */
const volatile __u32 xk_xdp_frags = 0;

/* Bytes of the whole frame: the linear part plus every fragment. frags is a constant of the entry
 * (true in the xdp.frags twin). Parsers read the linear part only (data..data_end). */
static __always_inline __u64 xk_xdp_len(struct xdp_md *ctx, bool frags)
{
	if (frags || xk_xdp_frags)
		return bpf_xdp_get_buff_len(ctx);
	return ctx->data_end - ctx->data;
}

/* Is the frame in more than one buffer (some of it beyond data_end)? */
static __always_inline bool xk_xdp_multi_buffer(struct xdp_md *ctx, __u64 len)
{
	return len != (__u64)(ctx->data_end - ctx->data);
}

/* Count an XDP verdict for a frame of len bytes (xk_xdp_len) and return it, so a program ends with
 * `return xk_xdp_count(XDP_DROP, len);`. */
static __always_inline int xk_xdp_count(int action, __u64 len)
{
	xk_stat_add(action < XK_STAT_MALFORMED ? (__u32)action : XK_STAT_ABORTED, len);
	return action;
}

/* xk_xdp_count, and the frame goes to a running `xdpkit dump` with the rule that decided it (NULL:
 * none). Every program of the collection ends here. */
static __always_inline int xk_xdp_decided(struct xdp_md *ctx, int action, __u64 len,
					  const struct xk_rule *rule)
{
	if (xk_capture_on())
		xk_capture_send(ctx, len, ctx->ingress_ifindex,
				XK_CAPTURE_WHERE(XK_HOOK_XDP, action), rule);
	return xk_xdp_count(action, len);
}

/* Writes the rule behind a verdict into r (zeroed); called only while a dump runs, so a program's
 * hot path never builds it. */
typedef void (*xk_rule_fn)(const void *arg, struct xk_rule *r);

/* xk_xdp_decided, with the rule built by rule_fn(arg) when the frame is captured. rule_fn is a
 * constant: the helper is inlined, and so is the call. */
static __always_inline int xk_xdp_decided_by(struct xdp_md *ctx, int action, __u64 len,
					     xk_rule_fn rule_fn, const void *arg)
{
	if (xk_capture_on()) {
		struct xk_rule rule = {};

		rule_fn(arg, &rule);
		xk_capture_send(ctx, len, ctx->ingress_ifindex,
				XK_CAPTURE_WHERE(XK_HOOK_XDP, action), &rule);
	}
	return xk_xdp_count(action, len);
}

/* The one-call form for a program of your own: count action for this frame (its linear bytes, or
 * the whole frame where xdpkit switched multi-buffer support on) and return it, so `return
 * xk_xdp_verdict(ctx, XDP_PASS);` makes the program show in `xdpkit stats` and `xdpkit dump`. */
static __always_inline int xk_xdp_verdict(struct xdp_md *ctx, int action)
{
	return xk_xdp_decided(ctx, action, xk_xdp_len(ctx, false), NULL);
}

/* Count a TC verdict in the XDP slot of the same meaning and return it. */
static __always_inline int xk_tc_count(struct __sk_buff *skb, int action)
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

/* xk_tc_count, and the frame goes to a running `xdpkit dump` with the rule that decided it (NULL:
 * none). */
static __always_inline int xk_tc_decided(struct __sk_buff *skb, int action,
					 const struct xk_rule *rule)
{
	if (xk_capture_on())
		xk_capture_send(skb, skb->len, skb->ifindex, XK_CAPTURE_WHERE(XK_HOOK_TC, action),
				rule);
	return xk_tc_count(skb, action);
}

/* xk_tc_decided, with the rule built by rule_fn(arg) when the frame is captured. */
static __always_inline int xk_tc_decided_by(struct __sk_buff *skb, int action, xk_rule_fn rule_fn,
					    const void *arg)
{
	if (xk_capture_on()) {
		struct xk_rule rule = {};

		rule_fn(arg, &rule);
		xk_capture_send(skb, skb->len, skb->ifindex, XK_CAPTURE_WHERE(XK_HOOK_TC, action),
				&rule);
	}
	return xk_tc_count(skb, action);
}

static __always_inline int xk_tc_verdict(struct __sk_buff *skb, int action)
{
	return xk_tc_decided(skb, action, NULL);
}

static __always_inline void xk_stat_malformed(__u64 bytes)
{
	xk_stat_add(XK_STAT_MALFORMED, bytes);
}

#endif
