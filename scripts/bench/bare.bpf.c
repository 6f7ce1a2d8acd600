// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The physical floors of `make bench`: one lookup and nothing else (no parsing beyond the fixed
 * offset of an untagged IPv4 source, no counting), on blocklist's own maps (the same names,
 * definitions and pins), so blocklist's figures can be set against what the table itself costs.
 * Not part of the collection; built into build/bench/ only. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <xdpkit/blocklist.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BLOCKLIST_V4_MAX);
	__type(key, xk_ipv4);
	__type(value, xk_hits);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} blocklist_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, BLOCKLIST_CIDR4_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xk_cidr4);
	__type(value, xk_hits);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} blocklist_cidr4 SEC(".maps");

static __always_inline struct iphdr *ip4(struct xdp_md *ctx)
{
	struct iphdr *ip = (void *)(long)ctx->data + sizeof(struct ethhdr);

	return (void *)(ip + 1) > (void *)(long)ctx->data_end ? NULL : ip;
}

/* One exact-match lookup of the IPv4 source in blocklist_v4. */
SEC("xdp")
int bare_hash(struct xdp_md *ctx)
{
	struct iphdr *ip = ip4(ctx);

	if (!ip)
		return XDP_PASS;
	return bpf_map_lookup_elem(&blocklist_v4, &ip->saddr) ? XDP_DROP : XDP_PASS;
}

/* One longest-prefix lookup of the IPv4 source in blocklist_cidr4. */
SEC("xdp")
int bare_trie(struct xdp_md *ctx)
{
	struct iphdr *ip = ip4(ctx);
	struct xk_cidr4 key;

	if (!ip)
		return XDP_PASS;
	key.prefixlen = 32;
	key.addr = ip->saddr;
	return bpf_map_lookup_elem(&blocklist_cidr4, &key) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
