// SPDX-License-Identifier: GPL-2.0
/* An object with neither an xdp nor a tc program, for test_manager_errors: attach must refuse it by name.
 * Built by make (build/test-objs/) so the VM guest, which has no clang, gets it too. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int just_a_socket_filter(struct __sk_buff *skb)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
