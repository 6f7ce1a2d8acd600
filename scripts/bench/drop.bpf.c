// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The line-rate baseline of `make bench`: drops every frame and does nothing else (no parsing, no
 * counting). Not part of the collection; built into build/bench/ only. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xk_bare_drop(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
