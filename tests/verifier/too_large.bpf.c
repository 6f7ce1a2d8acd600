// SPDX-License-Identifier: GPL-2.0-only
/* verifier test (class too-large): a bounded loop whose iterations the verifier must all walk: over 1M insns. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int long_walk(struct xdp_md *ctx)
{
	__u32 sum = ctx->ingress_ifindex;
	__u32 i;

	/* The whole loop on one line, so wherever the walk stops it is this line. */
	for (i = 0; i < 1000000; sum = sum * 31 + i, i++) /* BAD */
		;
	return sum & 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
