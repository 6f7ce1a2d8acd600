// SPDX-License-Identifier: GPL-2.0-only
/* verifier test: one object, a bad program first and a good one after it; check must report both verdicts
 * (a whole-object load would stop at the first failure and say nothing about the second). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xkv_mixed_bad(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;

	return eth->h_proto ? XDP_PASS : XDP_DROP; /* BAD */
}

SEC("xdp")
int xkv_mixed_good(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;

	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return XDP_PASS;
	return eth->h_proto ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
