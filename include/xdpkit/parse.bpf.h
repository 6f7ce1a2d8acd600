/* One bounded parser for every program: Ethernet, up to two VLAN tags, IPv4 (options, fragments), IPv6 (a bounded
 * walk of extension headers), then TCP/UDP/ICMP/ICMPv6. Works on XDP and TC alike: it only needs data/data_end. */
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
/* More extension headers than this and we stop looking: such a frame is counted as malformed, never misread. */
#define XK_MAX_IPV6_EXT 6

#ifndef IPPROTO_MH
#define IPPROTO_MH 135
#endif

enum xk_parse_rc {
	XK_PARSE_OK = 0,	/* every header present was read; l4 set if there is one we know and may read */
	XK_PARSE_TRUNCATED = 1, /* the frame ends inside a header */
	XK_PARSE_MALFORMED = 2, /* a header that cannot be true, or more VLAN tags / extension headers than we walk */
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
	void *l4;	     /* tcphdr/udphdr/icmphdr/icmp6hdr; NULL when absent, unknown or on a later fragment */
	__be16 proto;	     /* EtherType after the VLAN tags, network order */
	__u8 vlans;	     /* VLAN tags seen (0..2) */
	__u8 l4_proto;	     /* IPPROTO_* of the transport header (after IPv6 extensions); 0 for non-IP */
	__u8 frag;	     /* enum xk_frag */
	__u8 l4_off_unused;
};

static __always_inline int xk_is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

/* The parser walks the frame with a scalar offset from data and makes a packet pointer only to
 * read a header, and its loops are real bounded loops (verified since 5.3), not unrolled: the
 * verifier then checks each header once per way of reaching it instead of once per unrolled copy
 * and per packet pointer derived on the way. */

/* Read and record the transport header at off, when it is one we know. */
static __always_inline int xk_parse_l4(struct xk_pkt *p, void *data, __u32 off)
{
	__u32 need;

	switch (p->l4_proto) {
	case IPPROTO_TCP:
		need = sizeof(struct tcphdr);
		break;
	case IPPROTO_UDP:
		need = sizeof(struct udphdr);
		break;
	case IPPROTO_ICMP:
		need = sizeof(struct icmphdr);
		break;
	case IPPROTO_ICMPV6:
		need = sizeof(struct icmp6hdr);
		break;
	default:
		return XK_PARSE_OK; /* a transport we do not read */
	}
	if (data + off + need > p->data_end)
		return XK_PARSE_TRUNCATED;
	p->l4 = data + off;
	return XK_PARSE_OK;
}

static __always_inline int xk_parse_ipv4(struct xk_pkt *p, void *data, __u32 off)
{
	struct iphdr *ip = data + off;
	__u32 hlen;

	if ((void *)(ip + 1) > p->data_end)
		return XK_PARSE_TRUNCATED;
	if (ip->version != 4 || ip->ihl < 5)
		return XK_PARSE_MALFORMED;
	hlen = ip->ihl * 4; /* options included: 20..60 bytes */
	if ((void *)ip + hlen > p->data_end)
		return XK_PARSE_TRUNCATED;
	p->ip4 = ip;
	p->l4_proto = ip->protocol;
	if (ip->frag_off & bpf_htons(0x1fff)) {
		p->frag = XK_FRAG_LATER;
		return XK_PARSE_OK;
	}
	if (ip->frag_off & bpf_htons(0x2000))
		p->frag = XK_FRAG_FIRST;
	return xk_parse_l4(p, data, off + hlen);
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

static __always_inline int xk_parse_ipv6(struct xk_pkt *p, void *data, __u32 off)
{
	struct ipv6hdr *ip6 = data + off;
	__u8 next;
	int i;

	if ((void *)(ip6 + 1) > p->data_end)
		return XK_PARSE_TRUNCATED;
	if (ip6->version != 6)
		return XK_PARSE_MALFORMED;
	p->ip6 = ip6;
	next = ip6->nexthdr;
	off += sizeof(*ip6);

	/* One step per extension header, plus the step that reaches the transport header. */
	for (i = 0; i <= XK_MAX_IPV6_EXT; i++) {
		struct xk_ipv6_opt_hdr *opt = data + off;
		struct xk_ipv6_frag_hdr *fh = data + off;

		switch (next) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_MH:
			if ((void *)(opt + 1) > p->data_end)
				return XK_PARSE_TRUNCATED;
			next = opt->nexthdr;
			off += (opt->hdrlen + 1) * 8;
			break;
		case IPPROTO_AH:
			if ((void *)(opt + 1) > p->data_end)
				return XK_PARSE_TRUNCATED;
			next = opt->nexthdr;
			off += (opt->hdrlen + 2) * 4;
			break;
		case IPPROTO_FRAGMENT:
			if ((void *)(fh + 1) > p->data_end)
				return XK_PARSE_TRUNCATED;
			next = fh->nexthdr;
			off += sizeof(*fh);
			if (fh->frag_off & bpf_htons(0xfff8)) {
				p->frag = XK_FRAG_LATER;
				p->l4_proto = next;
				return XK_PARSE_OK;
			}
			if (fh->frag_off & bpf_htons(1))
				p->frag = XK_FRAG_FIRST;
			break;
		case IPPROTO_NONE:
			p->l4_proto = IPPROTO_NONE;
			return XK_PARSE_OK;
		default:
			p->l4_proto = next;
			return xk_parse_l4(p, data, off);
		}
	}
	return XK_PARSE_MALFORMED; /* still inside extension headers after the bounded walk */
}

/* Parse a frame. On XK_PARSE_OK the fields tell what the frame is; on any other result only the fields set before
 * the failing header are valid. Never reads past data_end. */
static __always_inline int xk_parse(struct xk_pkt *p, void *data, void *data_end)
{
	struct ethhdr *eth = data;
	__u32 off;
	int i;

	__builtin_memset(p, 0, sizeof(*p));
	p->data_end = data_end;
	if ((void *)(eth + 1) > data_end)
		return XK_PARSE_TRUNCATED;
	p->eth = eth;
	p->proto = eth->h_proto;
	off = sizeof(*eth);

	for (i = 0; i < XK_MAX_VLANS; i++) {
		struct xk_vlan_hdr *vh = data + off;

		if (!xk_is_vlan(p->proto))
			break;
		if ((void *)(vh + 1) > data_end)
			return XK_PARSE_TRUNCATED;
		p->proto = vh->encap_proto;
		p->vlans++;
		off += sizeof(*vh);
	}
	if (xk_is_vlan(p->proto))
		return XK_PARSE_MALFORMED; /* a third tag: more than we walk */

	if (p->proto == bpf_htons(ETH_P_IP))
		return xk_parse_ipv4(p, data, off);
	if (p->proto == bpf_htons(ETH_P_IPV6))
		return xk_parse_ipv6(p, data, off);
	return XK_PARSE_OK; /* ARP and other EtherTypes: L2 only */
}

#endif
