// SPDX-License-Identifier: GPL-2.0-only
/* verifier test (class loop): a loop whose exit depends on nothing the body changes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int spin(struct xdp_md *ctx)
{
	volatile __u32 stop = 0;

	while (!stop) /* BAD */
		;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
