// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* blocklist: drop IPv4/IPv6 frames by source (or destination) address or prefix, on XDP and on TC
 * ingress. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <xdp/xdp_helpers.h>
#include <xdpkit/blocklist.h>
#include <xdpkit/parse.bpf.h>
#include <xdpkit/tc.bpf.h>
#include <xdpkit/stats.bpf.h>

/* xdpkit list reads this line. */
const char xdpkit_summary[] SEC(".xdpkit.summary") =
	"drop by source (or destination) IPv4/IPv6 address or CIDR, with per-rule hit counters";

/* All rule maps are pinned by name so that a copy attached by `ip`/`tc` and one attached by a tool
 * share rules, and rules survive a re-attach. */

/* Exact addresses. Plain preallocated hashes: a rule insert takes a ready element (1M rules load
 * in well under a second; per-CPU values without prealloc took 10-25 s), and memory does not grow
 * with the CPU count. The price: the hit counter is shared, bumped atomically, so one blocked
 * source flooding on many CPUs at once contends on that counter's cache line. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BLOCKLIST_V4_MAX);
	__type(key, xk_ipv4);
	__type(value, xk_hits);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} blocklist_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BLOCKLIST_V6_MAX);
	__type(key, xk_ipv6);
	__type(value, xk_hits);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} blocklist_v6 SEC(".maps");

/* Prefixes. Counters shared and bumped atomically, as for exact rules. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, BLOCKLIST_CIDR4_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xk_cidr4);
	__type(value, xk_hits);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} blocklist_cidr4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, BLOCKLIST_CIDR6_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xk_cidr6);
	__type(value, xk_hits);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} blocklist_cidr6 SEC(".maps");

/* blocklist_cfg[0]: match mode (see include/xdpkit/blocklist.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct blocklist_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} blocklist_cfg SEC(".maps");

/* The kernel's own LPM trie (kernel/bpf/lpm_trie.c), of which we read one field: the number of
 * prefixes it holds, kept by the kernel under the trie's lock. CO-RE finds the field's offset in the
 * running kernel's BTF; the verifier lets a program read the fields of its own maps' structs. */
struct lpm_trie {
	size_t n_entries;
} __attribute__((preserve_access_index));

/* Does the trie hold any prefix? Skipping an empty trie saves the lookup call on every miss, and
 * it cannot skip a rule: the count is the trie's own, whoever wrote to it. */
#define blocklist_trie_used(map) (((struct lpm_trie *)&(map))->n_entries != 0)

/* Drop early: a blocked frame should not cost the programs behind it anything. */
struct {
	__uint(priority, 10);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(blocklist), XDP_RUN_CONFIG(blocklist_frags);

enum blocklist_result {
	BL_PASS,
	BL_DROP,	/* by an exact rule */
	BL_DROP_PREFIX, /* by a prefix rule */
	BL_MALFORMED,	/* the address could not be read: pass, and count it */
};

static __always_inline int blocklist_v4_match(struct iphdr *ip, __u32 dst)
{
	/* The key points into the packet: no copy on the exact path. */
	xk_ipv4 *addr = dst ? &ip->daddr : &ip->saddr;
	struct xk_cidr4 key;
	xk_hits *hits;

	hits = bpf_map_lookup_elem(&blocklist_v4, addr);
	if (hits) {
		__sync_fetch_and_add(hits, 1); /* shared with every CPU */
		return BL_DROP;
	}
	if (!blocklist_trie_used(blocklist_cidr4))
		return BL_PASS;
	key.prefixlen = 32;
	key.addr = *addr;
	hits = bpf_map_lookup_elem(&blocklist_cidr4, &key);
	if (!hits)
		return BL_PASS;
	__sync_fetch_and_add(hits, 1);
	return BL_DROP_PREFIX;
}

static __always_inline int blocklist_v6_match(struct ipv6hdr *ip6, __u32 dst)
{
	xk_ipv6 *addr = dst ? (xk_ipv6 *)&ip6->daddr : (xk_ipv6 *)&ip6->saddr;
	struct xk_cidr6 key;
	xk_hits *hits;

	hits = bpf_map_lookup_elem(&blocklist_v6, addr);
	if (hits) {
		__sync_fetch_and_add(hits, 1);
		return BL_DROP;
	}
	if (!blocklist_trie_used(blocklist_cidr6))
		return BL_PASS;
	key.prefixlen = 128;
	__builtin_memcpy(&key.addr, addr, sizeof(key.addr));
	hits = bpf_map_lookup_elem(&blocklist_cidr6, &key);
	if (!hits)
		return BL_PASS;
	__sync_fetch_and_add(hits, 1);
	return BL_DROP_PREFIX;
}

/* The address sits in the fixed IP header, so only that much must parse: a truncated or odd
 * transport header, a later fragment or extension headers after it do not stop the rule (every
 * fragment carries the address). */
static __always_inline int blocklist_decide(struct xk_pkt *p, int rc)
{
	struct blocklist_config *cfg;
	__u32 zero = 0;

	/* ARP and friends are not ours; an IP frame cut before its address is malformed. */
	if (!p->ip4 && !p->ip6)
		return rc == XK_PARSE_OK ? BL_PASS : BL_MALFORMED;
	cfg = bpf_map_lookup_elem(&blocklist_cfg, &zero);
	if (!cfg)
		return BL_PASS;
	if (p->ip4)
		return blocklist_v4_match(p->ip4, cfg->match == BLOCKLIST_MATCH_DST);
	return blocklist_v6_match(p->ip6, cfg->match == BLOCKLIST_MATCH_DST);
}

/* What `xdpkit dump` shows as the rule of a drop: the exact address, or the address a prefix rule
 * held (the manager finds the prefix in the trie). Built only while a dump runs. */
struct blocklist_why {
	struct xk_pkt *p;
	int res;
};

static __always_inline void blocklist_rule(const void *arg, struct xk_rule *r)
{
	const struct blocklist_why *why = arg;
	struct blocklist_config *cfg;
	bool exact = why->res == BL_DROP, dst;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&blocklist_cfg, &zero);
	dst = cfg && cfg->match == BLOCKLIST_MATCH_DST;
	if (why->p->ip4) {
		r->kind = exact ? XK_RULE_ADDR4 : XK_RULE_CIDR4;
		__builtin_memcpy(r->addr, dst ? &why->p->ip4->daddr : &why->p->ip4->saddr, 4);
	} else if (why->p->ip6) {
		r->kind = exact ? XK_RULE_ADDR6 : XK_RULE_CIDR6;
		__builtin_memcpy(r->addr, dst ? &why->p->ip6->daddr : &why->p->ip6->saddr, 16);
	}
}

/* The XDP program; frags is true in the multi-buffer twin (a constant: each entry gets its own
 * copy). Headers are read from the first buffer only; the verdict counts the whole frame. */
static __always_inline int blocklist_xdp(struct xdp_md *ctx, bool frags)
{
	__u64 len = xk_xdp_len(ctx, frags);
	struct xk_pkt p;
	int res;

	res = blocklist_decide(&p, xk_parse(ctx, &p));
	if (res == BL_DROP || res == BL_DROP_PREFIX) {
		struct blocklist_why why = { &p, res };

		return xk_xdp_decided_by(ctx, XDP_DROP, len, blocklist_rule, &why);
	}
	if (res == BL_MALFORMED)
		xk_stat_malformed(len);
	return xk_xdp_decided(ctx, XDP_PASS, len, NULL);
}

/* What `ip ... sec xdp`, xdp-loader and bpftool load, and what xdpkit attaches (with multi-buffer
 * support switched on where the kernel has it: the twin below declares that the body handles it). */
SEC("xdp")
int blocklist(struct xdp_md *ctx)
{
	return blocklist_xdp(ctx, false);
}

/* The same program for multi-buffer frames (jumbo MTU): `ip link set dev eth0 xdp obj ... sec
 * xdp.frags`. */
SEC("xdp.frags")
int blocklist_frags(struct xdp_md *ctx)
{
	return blocklist_xdp(ctx, true);
}

SEC("tc")
int blocklist_tc(struct __sk_buff *skb)
{
	struct xk_pkt p;
	int res;

	res = blocklist_decide(&p, xk_tc_parse(skb, &p));
	if (res == BL_DROP || res == BL_DROP_PREFIX) {
		struct blocklist_why why = { &p, res };

		return xk_tc_decided_by(skb, TC_ACT_SHOT, blocklist_rule, &why);
	}
	if (res == BL_MALFORMED)
		xk_stat_malformed(skb->len);
	/* TC_ACT_UNSPEC, not TC_ACT_OK: a frame we let through must still meet the next filter on
	 * the hook (as XDP chains on XDP_PASS); with none left it goes on as with TC_ACT_OK. */
	return xk_tc_verdict(skb, TC_ACT_UNSPEC);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
