// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* pong: answer ICMP and ICMPv6 echo requests straight from the driver with XDP_TX, turning the
 * request into the reply in place; every other frame passes to the stack. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <xdp/xdp_helpers.h>
#include <xdpkit/parse.bpf.h>
#include <xdpkit/stats.bpf.h>
#include <xdpkit/csum.bpf.h>

#define PONG_TTL 64
/* -DPONG_NO_VERIFY builds pong without its checksum verification (same source): only `make bench`
 * uses it, to measure what verifying costs. Normal builds never define it. */
#ifdef PONG_NO_VERIFY
#define PONG_VERIFY 0
#else
#define PONG_VERIFY 1
#endif
/* Every network namespace's loopback device has this ifindex. */
#define PONG_LOOPBACK_IFINDEX 1

/* xdpkit list reads this line. */
const char xdpkit_summary[] SEC(".xdpkit.summary") =
	"answer ICMP/ICMPv6 echo requests with XDP_TX (checksums verified, then updated "
	"incrementally); pass the rest";

/* After the droppers (10..30) and count (60): a blocked source gets no reply, and count sees the
 * request. */
struct {
	__uint(priority, 70);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(pong), XDP_RUN_CONFIG(pong_frags);

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one 16-bit word changing from old to new.
 * One's-complement sums do not care about byte order, so all three stay as they are in the packet.
 */
static __always_inline __u16 pong_csum_replace(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check + (__u16)~old + (__u32) new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* The same for an ICMP or ICMPv6 checksum, which never carries 0x0000. Eqn. 3 gives 0x0000 exactly
 * when the new sum is 0xffff, and for the all-zero echo reply (id 0, seq 0, no payload) that is
 * wrong: its words sum to +0, and only 0xffff verifies. 0xffff is right in every case (both encode
 * zero, and a message whose words sum to -0 verifies with either), so write that. The IPv4 header
 * keeps eqn. 3's 0x0000: with version 4 in it, it never sums to +0. */
static __always_inline __u16 pong_icmp_csum_replace(__u16 check, __u16 old, __u16 new)
{
	__u16 c = pong_csum_replace(check, old, new);

	return c ? c : 0xffff;
}

/* A 16-bit length field in host order, for adding to a packet pointer. The mask changes nothing,
 * but older verifiers (6.1 among them) do not follow a byte swap: they would see an unbounded value
 * and refuse the pointer arithmetic. The barrier keeps clang from dropping the mask. */
static __always_inline __u32 pong_len16(__be16 field)
{
	__u32 len = bpf_ntohs(field);

	barrier_var(len);
	return len & 0xffff;
}

static __always_inline void pong_swap_macs(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

enum pong_result {
	PONG_PASS,
	PONG_TX,
	PONG_MALFORMED, /* pass it, and count it */
};

/* Addresses the host's stack drops (martians, RFC 1122 3.2.1.3), or that a reply cannot come from
 * or go to (a multicast source MAC). Multicast and broadcast destinations pass too: the stack knows
 * its rules for them. Loopback sources (127/8) are left to the stack's sysctls and answered. */
static __always_inline int pong_v4_unanswerable(struct xk_pkt *p)
{
	__be32 src = p->ip4->saddr, dst = p->ip4->daddr;

	return (p->eth->h_dest[0] & 1) || (p->eth->h_source[0] & 1) ||
	       (dst & bpf_htonl(0xf0000000)) == bpf_htonl(0xe0000000) ||
	       dst == bpf_htonl(0xffffffff) || !(dst & bpf_htonl(0xff000000)) ||
	       (src & bpf_htonl(0xf0000000)) == bpf_htonl(0xe0000000) ||
	       src == bpf_htonl(0xffffffff) || !(src & bpf_htonl(0xff000000));
}

static __always_inline int pong_ip6_unspecified(const struct in6_addr *a)
{
	return !(a->in6_u.u6_addr32[0] | a->in6_u.u6_addr32[1] | a->in6_u.u6_addr32[2] |
		 a->in6_u.u6_addr32[3]);
}

static __always_inline int pong_ip6_loopback(const struct in6_addr *a)
{
	return !(a->in6_u.u6_addr32[0] | a->in6_u.u6_addr32[1] | a->in6_u.u6_addr32[2] |
		 (a->in6_u.u6_addr32[3] ^ bpf_htonl(1)));
}

/* The same for IPv6: ::1 is dropped on any device but loopback (RFC 4291 2.5.3). */
static __always_inline int pong_v6_unanswerable(struct xdp_md *ctx, struct xk_pkt *p)
{
	struct ipv6hdr *ip6 = p->ip6;

	return (p->eth->h_dest[0] & 1) || (p->eth->h_source[0] & 1) ||
	       ip6->daddr.in6_u.u6_addr8[0] == 0xff || ip6->saddr.in6_u.u6_addr8[0] == 0xff ||
	       pong_ip6_unspecified(&ip6->saddr) || pong_ip6_unspecified(&ip6->daddr) ||
	       (ctx->ingress_ifindex != PONG_LOOPBACK_IFINDEX &&
		(pong_ip6_loopback(&ip6->saddr) || pong_ip6_loopback(&ip6->daddr)));
}

/* Both checksums of the request, over all its bytes: the IPv4 header's (options included) and the
 * ICMP message's. A message xk_csum_xdp() cannot reach (no IP length describes one) fails too. */
static __always_inline int pong_v4_checksums_ok(struct xdp_md *ctx, struct xk_pkt *p, __u32 tot_len)
{
	__u32 ip_off = (void *)p->ip4 - (void *)p->eth, hlen = p->ip4->ihl * 4;
	const __u32 *w = (const __u32 *)p->ip4;
	int hsum;

	/* The usual 20-byte header is summed right here (the parser has checked it is in the
	 * frame); one with options by the general sum. */
	if (hlen == sizeof(struct iphdr))
		hsum = xk_csum_fold((__u64)w[0] + w[1] + w[2] + w[3] + w[4]);
	else
		hsum = xk_csum_xdp(ctx, ip_off, hlen, 0);
	return hsum == 0xffff && xk_csum_xdp(ctx, ip_off + hlen, tot_len - hlen, 0) == 0xffff;
}

/* The ICMPv6 checksum, over the pseudo-header (RFC 8200 8.1: both addresses, the upper-layer
 * length, next header 58) and the whole message. */
static __always_inline int pong_v6_checksum_ok(struct xdp_md *ctx, struct xk_pkt *p, __u32 len)
{
	const __u32 *addrs = (const __u32 *)&p->ip6->saddr; /* saddr, then daddr */
	__u64 sum = (__u64)bpf_htonl(len) + bpf_htonl(IPPROTO_ICMPV6);
	int i;

#pragma unroll
	for (i = 0; i < 8; i++)
		sum += addrs[i];
	return xk_csum_xdp(ctx, p->l4 - (void *)p->eth, len, xk_csum_fold(sum)) == 0xffff;
}

static __always_inline int pong_v4(struct xdp_md *ctx, struct xk_pkt *p)
{
	struct iphdr *ip = p->ip4;
	struct icmphdr *icmp = p->l4;
	__u32 tot_len = pong_len16(ip->tot_len);
	__be32 addr;
	__u16 old;

	if (icmp->type != ICMP_ECHO || icmp->code != 0)
		return PONG_PASS;
	/* The reply echoes the whole datagram: a frame cut short of its IP length gets no answer.
	 * Ethernet padding beyond it is fine and goes back as it came. */
	if (tot_len < ip->ihl * 4 + sizeof(*icmp) || (void *)ip + tot_len > p->data_end)
		return PONG_MALFORMED;
	if (pong_v4_unanswerable(p))
		return PONG_PASS;
	/* Never answer what the host would drop: a bad checksum passes, for the stack to count
	 * and drop. Last, because it reads the whole message. */
	if (PONG_VERIFY && !pong_v4_checksums_ok(ctx, p, tot_len))
		return PONG_PASS;

	pong_swap_macs(p->eth);
	/* Swapping the addresses leaves both checksums alone (same words, same sum). */
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	/* TTL shares a 16-bit word with the protocol: update the header checksum for that word. */
	old = *(__u16 *)&ip->ttl;
	ip->ttl = PONG_TTL;
	ip->check = pong_csum_replace(ip->check, old, *(__u16 *)&ip->ttl);
	/* Type shares a word with the code. */
	old = *(__u16 *)icmp;
	icmp->type = ICMP_ECHOREPLY;
	icmp->checksum = pong_icmp_csum_replace(icmp->checksum, old, *(__u16 *)icmp);
	return PONG_TX;
}

static __always_inline int pong_v6(struct xdp_md *ctx, struct xk_pkt *p)
{
	struct ipv6hdr *ip6 = p->ip6;
	struct icmp6hdr *icmp6 = p->l4;
	__u32 payload_len = pong_len16(ip6->payload_len);
	__u32 ext_len = p->l4 - (void *)(ip6 + 1);
	struct in6_addr addr;
	__u16 old;

	if (icmp6->icmp6_type != ICMPV6_ECHO_REQUEST || icmp6->icmp6_code != 0)
		return PONG_PASS;
	/* Cut short of its payload length, or a payload length that ends before the ICMPv6
	 * header does. */
	if ((void *)(ip6 + 1) + payload_len > p->data_end || payload_len < ext_len + sizeof(*icmp6))
		return PONG_MALFORMED;
	if (pong_v6_unanswerable(ctx, p))
		return PONG_PASS;
	if (PONG_VERIFY && !pong_v6_checksum_ok(ctx, p, payload_len - ext_len))
		return PONG_PASS;

	pong_swap_macs(p->eth);
	/* The pseudo-header sums both addresses: swapping them keeps the ICMPv6 checksum. IPv6 has
	 * no header sum. */
	addr = ip6->saddr;
	ip6->saddr = ip6->daddr;
	ip6->daddr = addr;
	ip6->hop_limit = PONG_TTL;
	old = *(__u16 *)icmp6;
	icmp6->icmp6_type = ICMPV6_ECHO_REPLY;
	icmp6->icmp6_cksum = pong_icmp_csum_replace(icmp6->icmp6_cksum, old, *(__u16 *)icmp6);
	return PONG_TX;
}

static __always_inline int pong_decide(struct xdp_md *ctx, struct xk_pkt *p, int rc)
{
	if (rc != XK_PARSE_OK)
		return PONG_MALFORMED;
	/* A fragment carries only part of the request: the reply would need the whole, which XDP
	 * never sees. */
	if (p->frag != XK_FRAG_NONE || !p->l4)
		return PONG_PASS;
	if (p->ip4 && p->l4_proto == IPPROTO_ICMP)
		return pong_v4(ctx, p);
	if (p->ip6 && p->l4_proto == IPPROTO_ICMPV6)
		return pong_v6(ctx, p);
	return PONG_PASS;
}

/* frags is true in the multi-buffer twin. */
static __always_inline int pong_xdp(struct xdp_md *ctx, bool frags)
{
	__u64 len = xk_xdp_len(ctx, frags);
	struct xk_pkt p;
	int res;

	/* A request in several buffers: the reply would need every fragment turned around, and we
	 * rewrite only the first. The stack answers it. */
	if (xk_xdp_multi_buffer(ctx, len))
		return xk_xdp_decided(ctx, XDP_PASS, len, NULL);
	res = pong_decide(ctx, &p, xk_parse(ctx, &p));
	if (res == PONG_TX)
		return xk_xdp_decided(ctx, XDP_TX, len, NULL);
	if (res == PONG_MALFORMED)
		xk_stat_malformed(len);
	return xk_xdp_decided(ctx, XDP_PASS, len, NULL);
}

/* What `ip ... sec xdp`, xdp-loader and bpftool load, and what xdpkit attaches (with multi-buffer
 * support switched on where the kernel has it: the twin below declares that the body handles it). */
SEC("xdp")
int pong(struct xdp_md *ctx)
{
	return pong_xdp(ctx, false);
}

/* The same program for multi-buffer frames (jumbo MTU): `ip link set dev eth0 xdp obj ... sec
 * xdp.frags`. */
SEC("xdp.frags")
int pong_frags(struct xdp_md *ctx)
{
	return pong_xdp(ctx, true);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
