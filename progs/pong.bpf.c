/* pong: answer ICMP and ICMPv6 echo requests straight from the driver with XDP_TX, turning the
 * request into the reply in place; every other frame passes to the stack. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <xdp/xdp_helpers.h>
#include <xdpkit/parse.bpf.h>
#include <xdpkit/stats.bpf.h>

#define PONG_TTL 64

/* xdpkit list reads this line. */
const char xdpkit_summary[] SEC(".xdpkit.summary") =
    "answer ICMP/ICMPv6 echo requests with XDP_TX (checksums updated incrementally); pass the rest";

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

static __always_inline int pong_v4(struct xk_pkt *p)
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
	/* Never answer from a multicast or broadcast address: pass those to the stack, which knows
	 * its rules. */
	if ((p->eth->h_dest[0] & 1) ||
	    (ip->daddr & bpf_htonl(0xf0000000)) == bpf_htonl(0xe0000000) ||
	    ip->daddr == bpf_htonl(0xffffffff))
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
	icmp->checksum = pong_csum_replace(icmp->checksum, old, *(__u16 *)icmp);
	return PONG_TX;
}

static __always_inline int pong_v6(struct xk_pkt *p)
{
	struct ipv6hdr *ip6 = p->ip6;
	struct icmp6hdr *icmp6 = p->l4;
	struct in6_addr addr;
	__u16 old;

	if (icmp6->icmp6_type != ICMPV6_ECHO_REQUEST || icmp6->icmp6_code != 0)
		return PONG_PASS;
	if ((void *)(ip6 + 1) + pong_len16(ip6->payload_len) > p->data_end)
		return PONG_MALFORMED;
	if ((p->eth->h_dest[0] & 1) || ip6->daddr.in6_u.u6_addr8[0] == 0xff)
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
	icmp6->icmp6_cksum = pong_csum_replace(icmp6->icmp6_cksum, old, *(__u16 *)icmp6);
	return PONG_TX;
}

static __always_inline int pong_decide(struct xk_pkt *p, int rc)
{
	if (rc != XK_PARSE_OK)
		return PONG_MALFORMED;
	/* A fragment carries only part of the request: the reply would need the whole, which XDP
	 * never sees. */
	if (p->frag != XK_FRAG_NONE || !p->l4)
		return PONG_PASS;
	if (p->ip4 && p->l4_proto == IPPROTO_ICMP)
		return pong_v4(p);
	if (p->ip6 && p->l4_proto == IPPROTO_ICMPV6)
		return pong_v6(p);
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
		return xk_xdp_count(XDP_PASS, len);
	res = pong_decide(&p, xk_parse(ctx, &p));
	if (res == PONG_TX)
		return xk_xdp_count(XDP_TX, len);
	if (res == PONG_MALFORMED)
		xk_stat_malformed(len);
	return xk_xdp_count(XDP_PASS, len);
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
