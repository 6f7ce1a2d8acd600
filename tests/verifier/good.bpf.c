// SPDX-License-Identifier: GPL-2.0-only
/* verifier test: a correct object with two programs (XDP and TC) and a pin-by-name map; both must load,
 * and `check` must pin nothing. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xkv_good_hits SEC(".maps");

static __always_inline void count_proto(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	__u32 key = 0;
	__u64 *n;

	if ((void *)(eth + 1) > data_end)
		return;
	n = bpf_map_lookup_elem(&xkv_good_hits, &key);
	if (n)
		*n += eth->h_proto;
}

SEC("xdp")
int xkv_good_xdp(struct xdp_md *ctx)
{
	count_proto((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return XDP_PASS;
}

SEC("tc")
int xkv_good_tc(struct __sk_buff *skb)
{
	count_proto((void *)(long)skb->data, (void *)(long)skb->data_end);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
