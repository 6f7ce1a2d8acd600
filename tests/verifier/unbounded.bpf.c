// SPDX-License-Identifier: GPL-2.0-only
/* verifier test (class unbounded-offset): an index read from the map itself used without a bounds check. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct table {
	__s64 index;
	__u8 slots[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct table);
} tables SEC(".maps");

SEC("xdp")
int no_clamp(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct table *t = bpf_map_lookup_elem(&tables, &key);

	if (!t)
		return XDP_PASS;
	return t->slots[t->index] ? XDP_DROP : XDP_PASS; /* BAD */
}

char LICENSE[] SEC("license") = "GPL";
