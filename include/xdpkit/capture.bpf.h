/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* BPF side of xdpkit dump: while a dump has switched xk_capture on, every verdict sends the frame's
 * first bytes with its verdict and matched rule to the xdpkit_capture perf event array. Off, a
 * verdict pays one load and one branch. Included by stats.bpf.h: every verdict helper captures. */
#ifndef XDPKIT_CAPTURE_BPF_H
#define XDPKIT_CAPTURE_BPF_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <xdpkit/capture.h>
#include <xdpkit/stats.h>

#define XK_CAPTURE_WHERE(hook, action) ((__u32)(hook) << 16 | ((__u32)(action)&0xffff))

#ifndef XK_NO_CAPTURE
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} xdpkit_capture SEC(".maps");

/* Written by `xdpkit dump` (manager/dump_arm.c) at run time; never constant. */
struct xk_capture_ctl xk_capture SEC(XK_CAPTURE_SEC) = {};

static __always_inline bool xk_capture_on(void)
{
	return *(volatile __u32 *)&xk_capture.on != 0;
}

/* Fill the record and send it with the frame's first caplen bytes, which the kernel copies from ctx
 * (an xdp_md, fragments included, or an skb): the way xdpdump does it, no copy loop here. Out of
 * line, so the verdict path stays short; a BPF call takes five arguments, hence hook and action in
 * one (XK_CAPTURE_WHERE). */
static __attribute__((noinline)) int xk_capture_send(void *ctx, __u64 len, __u32 ifindex,
						     __u32 where, const struct xk_rule *rule)
{
	__u32 verdicts = *(volatile __u32 *)&xk_capture.verdicts, hook = where >> 16, slot;
	__u64 caplen = *(volatile __u32 *)&xk_capture.snaplen;
	struct xk_capture_meta m = {};
	__s16 action = (__s16)(where & 0xffff);

	/* `xdpkit dump --verdict`: the others are not sent at all. */
	if (verdicts) {
		if (hook == XK_HOOK_TC)
			slot = action == TC_ACT_SHOT	   ? XK_STAT_DROP
			       : action == TC_ACT_REDIRECT ? XK_STAT_REDIRECT
							   : XK_STAT_PASS;
		else
			slot = action >= 0 && action < XK_STAT_MALFORMED ? action : XK_STAT_ABORTED;
		if (!(verdicts & (1u << slot)))
			return 0;
	}
	if (caplen > len)
		caplen = len;
	if (caplen > XK_CAPTURE_SNAP_MAX)
		caplen = XK_CAPTURE_SNAP_MAX;
	m.ts_ns = bpf_ktime_get_ns();
	m.len = len;
	m.caplen = caplen;
	m.ifindex = ifindex;
	m.action = action;
	m.hook = hook;
	if (rule)
		__builtin_memcpy(&m.rule, rule, sizeof(m.rule));
	return bpf_perf_event_output(ctx, &xdpkit_capture, BPF_F_CURRENT_CPU | (caplen << 32), &m,
				     sizeof(m));
}
#else
/* -DXK_NO_CAPTURE: the benchmark's twin without the hook, to measure what the switch costs. */
static __always_inline bool xk_capture_on(void)
{
	return false;
}

static __always_inline int xk_capture_send(void *ctx, __u64 len, __u32 ifindex, __u32 where,
					   const struct xk_rule *rule)
{
	return 0;
}
#endif

#endif
