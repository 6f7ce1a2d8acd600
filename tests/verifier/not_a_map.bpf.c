// SPDX-License-Identifier: GPL-2.0-only
/* verifier test (class not-a-map): a stack address passed where bpf_map_lookup_elem expects a map. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/do_sys_openat2")
int map_less(void *ctx)
{
	__u64 key = 1;
	__u64 *v;

	v = bpf_map_lookup_elem(&key, &key); /* BAD */
	if (v)
		return *v;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
