/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* One bounded parser for every program: Ethernet, up to two VLAN tags, IPv4 (options, fragments),
 * IPv6 (a bounded walk of extension headers), then TCP/UDP/ICMP/ICMPv6. XDP programs call
 * xk_parse(ctx, &p); TC programs xk_tc_parse(skb, &p) from tc.bpf.h. */
#ifndef XDPKIT_PARSE_BPF_H
#define XDPKIT_PARSE_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define XK_MAX_VLANS 2
/* More extension headers than this and we stop looking: such a frame is counted as malformed, never
 * misread. */
#define XK_MAX_IPV6_EXT 6

#ifndef IPPROTO_MH
#define IPPROTO_MH 135
#endif

enum xk_parse_rc {
	/* every header present was read; l4 set if there is one we know and may read */
	XK_PARSE_OK = 0,
	/* the frame ends inside a header */
	XK_PARSE_TRUNCATED = 1,
	/* a header that cannot be true, or more VLAN tags / extension headers than we walk */
	XK_PARSE_MALFORMED = 2,
};

enum xk_frag {
	XK_FRAG_NONE = 0,
	XK_FRAG_FIRST = 1, /* offset 0, more fragments follow: L4 header is here */
	XK_FRAG_LATER = 2, /* offset > 0: no L4 header, never read one */
};

struct xk_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct xk_pkt {
	void *data_end;
	struct ethhdr *eth;
	struct iphdr *ip4;   /* set for IPv4 */
	struct ipv6hdr *ip6; /* set for IPv6 */
	/* tcphdr/udphdr/icmphdr/icmp6hdr; NULL when absent, unknown or on a later fragment */
	void *l4;
	__be16 proto;  /* EtherType after the VLAN tags, network order */
	__u8 vlans;    /* VLAN tags seen (0..2) */
	__u8 l4_proto; /* IPPROTO_* of the transport header (after IPv6 extensions); 0 for non-IP */
	__u8 frag;     /* enum xk_frag */
	__u8 l4_off_unused;
};

static __always_inline int xk_is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

/* How the parser keeps the verifier's work small (load time grows with it, and older kernels have
 * lower limits) without costing the common frame anything:
 * - Ethernet, VLAN tags, the IPv4/IPv6 header and the transport header are read through packet
 *   pointers at offsets the verifier knows (three VLAN depths, IPv4's header length): few states.
 * - The IPv6 extension-header walk, where offsets grow with every header and each way through
 *   used to multiply the verifier's states, is a global function: the verifier checks it once,
 *   on its own, instead of once for every way of reaching it and everything after it again for
 *   every way out. Such a function cannot take packet pointers, so it takes the context and
 *   scalars and hands back one int (XK_WALK()). Frames without extension headers never call it.
 */

/* Offsets never reach this: Ethernet, two tags, IPv6 and XK_MAX_IPV6_EXT + 1 headers of at most
 * 2048 bytes each. Masking with it changes no value; it tells the verifier the bound. */
#define XK_OFF_MASK 0x3fff
_Static_assert(14 + 2 * 4 + 40 + (XK_MAX_IPV6_EXT + 1) * 2048 <= XK_OFF_MASK,
	       "XK_OFF_MASK must hold every offset the walk can reach");

/* The walk's result in one int: enum xk_parse_rc, then (on XK_PARSE_OK) the transport header's
 * offset and protocol and enum xk_frag. */
#define XK_WALK_OFF(w) ((w)&XK_OFF_MASK)
#define XK_WALK_PROTO(w) (((w) >> 16) & 0xff)
#define XK_WALK_FRAG(w) (((w) >> 24) & 3)
#define XK_WALK_RC(w) (((w) >> 28) & 3)
#define XK_WALK(rc, off, proto, frag)                                                              \
	((int)(((__u32)(rc) << 28) | ((__u32)(frag) << 24) | ((__u32)(proto) << 16) |              \
	       ((off)&XK_OFF_MASK)))

/* Bytes of the transport header we read for proto; 0 for one we do not read. */
static __always_inline __u32 xk_l4_len(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return sizeof(struct tcphdr);
	case IPPROTO_UDP:
		return sizeof(struct udphdr);
	case IPPROTO_ICMP:
		return sizeof(struct icmphdr);
	case IPPROTO_ICMPV6:
		return sizeof(struct icmp6hdr);
	}
	return 0;
}

/* Read and record the transport header at pos, when it is one we know. */
static __always_inline int xk_parse_l4(struct xk_pkt *p, void *pos)
{
	__u32 need = xk_l4_len(p->l4_proto);

	if (!need)
		return XK_PARSE_OK; /* a transport we do not read */
	if (pos + need > p->data_end)
		return XK_PARSE_TRUNCATED;
	p->l4 = pos;
	return XK_PARSE_OK;
}

static __always_inline int xk_parse_ipv4(struct xk_pkt *p, void *pos)
{
	struct iphdr *ip = pos;
	__u32 hlen;

	if ((void *)(ip + 1) > p->data_end)
		return XK_PARSE_TRUNCATED;
	if (ip->version != 4 || ip->ihl < 5)
		return XK_PARSE_MALFORMED;
	hlen = ip->ihl * 4; /* options included: 20..60 bytes */
	if (pos + hlen > p->data_end)
		return XK_PARSE_TRUNCATED;
	p->ip4 = ip;
	p->l4_proto = ip->protocol;
	if (ip->frag_off & bpf_htons(0x1fff)) {
		p->frag = XK_FRAG_LATER;
		return XK_PARSE_OK;
	}
	if (ip->frag_off & bpf_htons(0x2000))
		p->frag = XK_FRAG_FIRST;
	return xk_parse_l4(p, pos + hlen);
}

struct xk_ipv6_opt_hdr {
	__u8 nexthdr;
	__u8 hdrlen;
};

struct xk_ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset in 8-byte units << 3, then 2 reserved bits and the M flag */
	__be32 id;
};

static __always_inline int xk_is_ipv6_ext(__u8 next)
{
	switch (next) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case IPPROTO_MH:
	case IPPROTO_AH:
	case IPPROTO_FRAGMENT:
		return 1;
	}
	return 0;
}

/* Walk the extension headers from off, where a header of type next starts, to the transport
 * header. Returns XK_WALK(...). */
static __always_inline int xk_ipv6_walk(void *data, void *data_end, __u32 off, __u32 next)
{
	__u32 frag = XK_FRAG_NONE;
	int i;

	/* One step per extension header, plus the step that reaches the transport header. The
	 * offset is masked before every step: no value changes, but every way into a step gives the
	 * verifier the same state, so each step is checked once. Unrolled, because measured: a
	 * bounded loop (5.3+) verified at twice the cost here (its counter keeps every iteration
	 * apart) and ran more instructions per header. */
#pragma unroll
	for (i = 0; i <= XK_MAX_IPV6_EXT; i++) {
		struct xk_ipv6_opt_hdr *opt;
		struct xk_ipv6_frag_hdr *fh;

		off &= XK_OFF_MASK;
		opt = data + off;
		fh = data + off;
		/* The last step may only reach the transport header: a seventh extension header
		 * (even a later fragment, which would end the walk at once) is more than we walk.
		 * i is a constant in every unrolled step, so only that step pays for the test. */
		if (i == XK_MAX_IPV6_EXT && xk_is_ipv6_ext(next))
			break;
		switch (next) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_MH:
			if ((void *)(opt + 1) > data_end)
				return XK_WALK(XK_PARSE_TRUNCATED, 0, 0, 0);
			next = opt->nexthdr;
			off += (opt->hdrlen + 1) * 8;
			break;
		case IPPROTO_AH:
			if ((void *)(opt + 1) > data_end)
				return XK_WALK(XK_PARSE_TRUNCATED, 0, 0, 0);
			next = opt->nexthdr;
			off += (opt->hdrlen + 2) * 4;
			break;
		case IPPROTO_FRAGMENT:
			if ((void *)(fh + 1) > data_end)
				return XK_WALK(XK_PARSE_TRUNCATED, 0, 0, 0);
			next = fh->nexthdr;
			off += sizeof(*fh);
			if (fh->frag_off & bpf_htons(0xfff8))
				return XK_WALK(XK_PARSE_OK, off, next, XK_FRAG_LATER);
			if (fh->frag_off & bpf_htons(1))
				frag = XK_FRAG_FIRST;
			break;
		default:
			/* The headers walked must all be in the frame, whatever follows them: a
			 * transport we do not read (59, unknown) is not read at all. */
			if (data + off > data_end)
				return XK_WALK(XK_PARSE_TRUNCATED, 0, 0, 0);
			return XK_WALK(XK_PARSE_OK, off, next, frag);
		}
	}
	return XK_WALK(XK_PARSE_MALFORMED, 0, 0, 0); /* still inside extension headers */
}

/* The walk, verified once per program type: global functions take the context, not packets. */
__noinline int xk_ipv6_walk_xdp(struct xdp_md *ctx, __u32 off, __u32 next)
{
	return xk_ipv6_walk((void *)(long)ctx->data, (void *)(long)ctx->data_end, off, next);
}

__noinline int xk_ipv6_walk_skb(struct __sk_buff *skb, __u32 off, __u32 next)
{
	return xk_ipv6_walk((void *)(long)skb->data, (void *)(long)skb->data_end, off, next);
}

/* The IPv6 header at data + off (data: where the frame starts). */
static __always_inline int xk_parse_ipv6(struct xk_pkt *p, void *data, __u32 off, void *ctx, int tc)
{
	struct ipv6hdr *ip6 = data + off;
	__u32 next;
	int w;

	if ((void *)(ip6 + 1) > p->data_end)
		return XK_PARSE_TRUNCATED;
	if (ip6->version != 6)
		return XK_PARSE_MALFORMED;
	p->ip6 = ip6;
	next = ip6->nexthdr;
	/* No extension header, the common case: the transport header follows. IPPROTO_NONE ends
	 * here too: xk_parse_l4 reads nothing for it. */
	if (!xk_is_ipv6_ext(next)) {
		p->l4_proto = next;
		return xk_parse_l4(p, ip6 + 1);
	}
	off += sizeof(*ip6);
	w = tc ? xk_ipv6_walk_skb(ctx, off, next) : xk_ipv6_walk_xdp(ctx, off, next);
	if (XK_WALK_RC(w) != XK_PARSE_OK)
		return XK_WALK_RC(w);
	p->frag = XK_WALK_FRAG(w);
	p->l4_proto = XK_WALK_PROTO(w);
	if (p->frag == XK_FRAG_LATER)
		return XK_PARSE_OK;
	return xk_parse_l4(p, data + XK_WALK_OFF(w));
}

/* Parse a frame; ctx is the program's context (struct xdp_md, or struct __sk_buff when tc), which
 * the extension-header walk needs. On XK_PARSE_OK the fields tell what the frame is; on any other
 * result only the fields set before the failing header are valid. Never reads past data_end. */
static __always_inline int xk_parse_frame(struct xk_pkt *p, void *data, void *data_end, void *ctx,
					  int tc)
{
	struct ethhdr *eth = data;
	void *pos;
	int i;

	__builtin_memset(p, 0, sizeof(*p));
	p->data_end = data_end;
	if ((void *)(eth + 1) > data_end)
		return XK_PARSE_TRUNCATED;
	p->eth = eth;
	p->proto = eth->h_proto;
	pos = eth + 1;

	for (i = 0; i < XK_MAX_VLANS; i++) {
		struct xk_vlan_hdr *vh = pos;

		if (!xk_is_vlan(p->proto))
			break;
		if ((void *)(vh + 1) > data_end)
			return XK_PARSE_TRUNCATED;
		p->proto = vh->encap_proto;
		p->vlans++;
		pos = vh + 1;
	}
	if (xk_is_vlan(p->proto))
		return XK_PARSE_MALFORMED; /* a third tag: more than we walk */

	if (p->proto == bpf_htons(ETH_P_IP))
		return xk_parse_ipv4(p, pos);
	if (p->proto == bpf_htons(ETH_P_IPV6))
		return xk_parse_ipv6(p, data, sizeof(*eth) + p->vlans * sizeof(struct xk_vlan_hdr),
				     ctx, tc);
	return XK_PARSE_OK; /* ARP and other EtherTypes: L2 only */
}

/* Parse the frame of an XDP program. */
static __always_inline int xk_parse(struct xdp_md *ctx, struct xk_pkt *p)
{
	return xk_parse_frame(p, (void *)(long)ctx->data, (void *)(long)ctx->data_end, ctx, 0);
}

#endif
