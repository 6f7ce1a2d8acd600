// SPDX-License-Identifier: GPL-2.0-only
/* verifier test (class gpl-only): bpf_printk is a GPL-only helper; this object declares a non-GPL license. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int no_gpl(struct xdp_md *ctx)
{
	bpf_printk("Hello World"); /* BAD */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Proprietary";
