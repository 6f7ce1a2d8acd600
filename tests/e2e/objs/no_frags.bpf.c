// SPDX-License-Identifier: GPL-2.0
/* A foreign XDP object that declares no multi-buffer support (no xdp.frags program), for test_jumbo:
 * on a 9000-MTU veth the kernel refuses it in native mode, and xdpkit must say why.
 * Built by make (build/test-objs/) so the VM guest, which has no clang, gets it too. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int no_frags(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
