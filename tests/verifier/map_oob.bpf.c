// SPDX-License-Identifier: GPL-2.0-only
/* verifier test (class map-bounds): reads one byte past the end of a 16-byte map value. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct msg {
	char message[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct msg);
} my_config SEC(".maps");

SEC("xdp")
int past_end(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct msg *p = bpf_map_lookup_elem(&my_config, &key);
	volatile int i = sizeof(p->message);

	if (!p)
		return XDP_PASS;
	return p->message[i] ? XDP_DROP : XDP_PASS; /* BAD */
}

char LICENSE[] SEC("license") = "GPL";
