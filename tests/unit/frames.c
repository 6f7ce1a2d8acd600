// SPDX-License-Identifier: GPL-2.0-only
/* Frame builder for the unit tests: builds every frame shape byte by byte (no kernel headers'
 * packing assumptions beyond the wire layout) and computes checksums with an independent RFC 1071
 * implementation. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include "frames.h"

#define NEXTHDR_HOP 0
#define NEXTHDR_FRAG 44

const struct ut_case ut_cases[] = {
	{ "ipv4-udp", UT_UDP4, 0, 0, UT_FRAG_NONE, false },
	{ "ipv4-tcp", UT_TCP4, 0, 0, UT_FRAG_NONE, false },
	{ "ipv4-icmp-echo", UT_ICMP4, 0, 0, UT_FRAG_NONE, false },
	{ "ipv6-udp", UT_UDP6, 0, 0, UT_FRAG_NONE, false },
	{ "ipv6-tcp", UT_TCP6, 0, 0, UT_FRAG_NONE, false },
	{ "ipv6-icmpv6-echo", UT_ICMP6, 0, 0, UT_FRAG_NONE, false },
	{ "vlan-ipv4-udp", UT_UDP4, 1, 0, UT_FRAG_NONE, false },
	{ "vlan-ipv4-icmp-echo", UT_ICMP4, 1, 0, UT_FRAG_NONE, false },
	{ "vlan-ipv6-tcp", UT_TCP6, 1, 0, UT_FRAG_NONE, false },
	{ "qinq-ipv4-tcp", UT_TCP4, 2, 0, UT_FRAG_NONE, false },
	{ "qinq-ipv6-icmpv6-echo", UT_ICMP6, 2, 0, UT_FRAG_NONE, false },
	{ "ipv4-options-udp", UT_UDP4, 0, 12, UT_FRAG_NONE, false },
	{ "ipv4-options-icmp-echo", UT_ICMP4, 0, 40, UT_FRAG_NONE, false },
	{ "ipv4-frag-first-udp", UT_UDP4, 0, 0, UT_FRAG_FIRST, false },
	{ "ipv4-frag-later-udp", UT_UDP4, 0, 0, UT_FRAG_LATER, false },
	{ "ipv4-frag-first-icmp-echo", UT_ICMP4, 0, 0, UT_FRAG_FIRST, false },
	{ "ipv4-frag-later-icmp-echo", UT_ICMP4, 0, 0, UT_FRAG_LATER, false },
	{ "ipv6-ext-udp", UT_UDP6, 0, 0, UT_FRAG_NONE, true },
	{ "ipv6-ext-icmpv6-echo", UT_ICMP6, 0, 0, UT_FRAG_NONE, true },
	{ "ipv6-ext-frag-first-tcp", UT_TCP6, 0, 0, UT_FRAG_FIRST, true },
	{ "ipv6-ext-frag-later-udp", UT_UDP6, 0, 0, UT_FRAG_LATER, true },
	{ "ipv6-ext-frag-first-icmpv6-echo", UT_ICMP6, 0, 0, UT_FRAG_FIRST, true },
	{ "arp", UT_ARP, 0, 0, UT_FRAG_NONE, false },
	{ "vlan-arp", UT_ARP, 1, 0, UT_FRAG_NONE, false },
};
const int ut_ncases = sizeof(ut_cases) / sizeof(ut_cases[0]);

__u32 ut_csum_add(__u32 sum, const void *data, size_t len)
{
	const __u8 *b = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (__u32)b[len - 1] << 8;
	/* Fold now and then so a long buffer cannot overflow 32 bits. */
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

__u16 ut_csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

__u16 ut_l4_csum4(const struct in_addr *src, const struct in_addr *dst, __u8 proto, const void *l4,
		  size_t len)
{
	__u8 ph[12];
	__u32 sum;

	memcpy(ph, &src->s_addr, 4);
	memcpy(ph + 4, &dst->s_addr, 4);
	ph[8] = 0;
	ph[9] = proto;
	ph[10] = len >> 8;
	ph[11] = len & 0xff;
	sum = ut_csum_add(0, ph, sizeof(ph));
	return ut_csum_fold(ut_csum_add(sum, l4, len));
}

__u16 ut_l4_csum6(const struct in6_addr *src, const struct in6_addr *dst, __u8 proto,
		  const void *l4, size_t len)
{
	__u8 ph[40] = { 0 };
	__u32 sum;

	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	ph[34] = len >> 8;
	ph[35] = len & 0xff;
	ph[39] = proto;
	sum = ut_csum_add(0, ph, sizeof(ph));
	return ut_csum_fold(ut_csum_add(sum, l4, len));
}

void ut_frame_defaults(struct ut_frame_opts *o, enum ut_kind kind)
{
	static const __u8 src_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 },
			  dst_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

	memset(o, 0, sizeof(*o));
	o->kind = kind;
	memcpy(o->src_mac, src_mac, 6);
	memcpy(o->dst_mac, dst_mac, 6);
	o->vlan_outer = 200;
	o->vlan_inner = 100;
	inet_pton(AF_INET, "10.11.0.1", &o->src4);
	inet_pton(AF_INET, "10.11.0.2", &o->dst4);
	inet_pton(AF_INET6, "fd00:11::1", &o->src6);
	inet_pton(AF_INET6, "fd00:11::2", &o->dst6);
	o->sport = 40000;
	o->dport = kind == UT_TCP4 || kind == UT_TCP6 ? 80 : 53;
	o->icmp_id = 0x1234;
	o->icmp_seq = 1;
	o->payload_len = 32;
	o->payload_seed = 0x41;
	o->ttl = 61;
	o->ip_id = 0x4242;
}

void ut_case_opts(const struct ut_case *c, struct ut_frame_opts *o)
{
	ut_frame_defaults(o, c->kind);
	o->vlans = c->vlans;
	o->ip4_opt_len = c->ip4_opt_len;
	o->frag = c->frag;
	o->ip6_ext = c->ip6_ext;
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static void region(struct ut_frame *f, const char *name, __u32 start, __u32 end)
{
	if (f->nregions < UT_MAX_REGIONS)
		f->regions[f->nregions++] = (struct ut_region){ name, start, end };
}

static bool is_v6(enum ut_kind k)
{
	return k == UT_UDP6 || k == UT_TCP6 || k == UT_ICMP6;
}

static __u8 l4_proto(enum ut_kind k)
{
	switch (k) {
	case UT_UDP4:
	case UT_UDP6:
		return IPPROTO_UDP;
	case UT_TCP4:
	case UT_TCP6:
		return IPPROTO_TCP;
	case UT_ICMP4:
		return IPPROTO_ICMP;
	case UT_ICMP6:
		return IPPROTO_ICMPV6;
	default:
		return 0;
	}
}

/* Writes the L4 header and payload at p (checksum left zero); returns its length. */
static __u32 put_l4(const struct ut_frame_opts *o, struct ut_frame *f, __u8 *p)
{
	__u32 hlen, i;

	switch (o->kind) {
	case UT_UDP4:
	case UT_UDP6:
		hlen = 8;
		put16(p, o->sport);
		put16(p + 2, o->dport);
		put16(p + 4, hlen + o->payload_len);
		put16(p + 6, 0);
		break;
	case UT_TCP4:
	case UT_TCP6:
		hlen = 20;
		put16(p, o->sport);
		put16(p + 2, o->dport);
		put32(p + 4, 0x01020304); /* sequence */
		put32(p + 8, 0x0a0b0c0d); /* acknowledgement */
		p[12] = 5 << 4;		  /* data offset */
		p[13] = 0x18;		  /* PSH|ACK */
		put16(p + 14, 502);	  /* window */
		put16(p + 16, 0);	  /* checksum */
		put16(p + 18, 0);	  /* urgent */
		break;
	case UT_ICMP4:
	case UT_ICMP6:
		hlen = 8;
		if (o->kind == UT_ICMP4)
			p[0] = o->echo_reply ? 0 : 8;
		else
			p[0] = o->echo_reply ? 129 : 128;
		p[1] = 0;
		put16(p + 2, 0);
		put16(p + 4, o->icmp_id);
		put16(p + 6, o->icmp_seq);
		break;
	default:
		return 0;
	}
	f->l4_off = p - f->data;
	f->payload_off = f->l4_off + hlen;
	for (i = 0; i < o->payload_len; i++)
		p[hlen + i] = (o->payload_seed + 7 * i) & 0xff;
	return hlen + o->payload_len;
}

static const char *l4_name(enum ut_kind k)
{
	switch (k) {
	case UT_UDP4:
	case UT_UDP6:
		return "udp";
	case UT_TCP4:
	case UT_TCP6:
		return "tcp";
	case UT_ICMP4:
		return "icmp";
	default:
		return "icmpv6";
	}
}

static void fill_payload_only(const struct ut_frame_opts *o, struct ut_frame *f, __u8 *p)
{
	__u32 i;

	f->l4_off = 0;
	f->payload_off = p - f->data;
	for (i = 0; i < o->payload_len; i++)
		p[i] = (o->payload_seed + 7 * i) & 0xff;
}

/* L4 checksum field offset within the L4 header. */
static __u32 csum_off(enum ut_kind k)
{
	switch (k) {
	case UT_UDP4:
	case UT_UDP6:
		return 6;
	case UT_TCP4:
	case UT_TCP6:
		return 16;
	default:
		return 2;
	}
}

static __u32 build_ipv4(const struct ut_frame_opts *o, struct ut_frame *f, __u8 *ip)
{
	__u32 hlen = 20 + o->ip4_opt_len, l4len, i;
	__u16 frag = 0, sum;
	__u8 *l4 = ip + hlen;

	ip[0] = 0x40 | (hlen / 4);
	ip[1] = 0;
	put16(ip + 4, o->ip_id);
	ip[8] = o->ttl;
	ip[9] = l4_proto(o->kind);
	put16(ip + 10, 0);
	memcpy(ip + 12, &o->src4.s_addr, 4);
	memcpy(ip + 16, &o->dst4.s_addr, 4);
	for (i = 0; i < (__u32)o->ip4_opt_len; i++)
		ip[20 + i] = i + 1 == (__u32)o->ip4_opt_len ? 0 /* EOL */ : 1 /* NOP */;
	region(f, "ipv4", ip - f->data, ip - f->data + 20);
	if (o->ip4_opt_len)
		region(f, "ipv4 options", ip - f->data + 20, ip - f->data + hlen);

	if (o->frag == UT_FRAG_LATER) {
		frag = 185; /* 1480 bytes in: a second fragment */
		fill_payload_only(o, f, l4);
		l4len = o->payload_len;
	} else {
		if (o->frag == UT_FRAG_FIRST)
			frag = 0x2000; /* MF */
		l4len = put_l4(o, f, l4);
		region(f, l4_name(o->kind), f->l4_off, f->payload_off);
		/* The first fragment's checksum covers only what is here: nobody reassembles in
		 * these tests. */
		if (o->kind != UT_ICMP4)
			sum = ut_l4_csum4(&o->src4, &o->dst4, ip[9], l4, l4len);
		else
			sum = ut_csum_fold(ut_csum_add(0, l4, l4len));
		put16(l4 + csum_off(o->kind), sum);
	}
	if (o->payload_len)
		region(f, "payload", f->payload_off, f->payload_off + o->payload_len);
	put16(ip + 2, hlen + l4len);
	put16(ip + 6, frag);
	put16(ip + 10, ut_csum_fold(ut_csum_add(0, ip, hlen)));
	return hlen + l4len;
}

static __u32 build_ipv6(const struct ut_frame_opts *o, struct ut_frame *f, __u8 *ip)
{
	__u8 *p = ip + 40, proto = l4_proto(o->kind);
	__u32 l4len;

	ip[0] = 0x60;
	ip[1] = ip[2] = ip[3] = 0;
	ip[6] = o->ip6_ext ? NEXTHDR_HOP : proto;
	ip[7] = o->ttl;
	memcpy(ip + 8, &o->src6, 16);
	memcpy(ip + 24, &o->dst6, 16);
	region(f, "ipv6", ip - f->data, ip - f->data + 40);
	if (o->ip6_ext) {
		__u16 fo = 0;

		/* Hop-by-hop: 8 bytes, one PadN option filling it. */
		p[0] = NEXTHDR_FRAG;
		p[1] = 0;
		p[2] = 1; /* PadN */
		p[3] = 4;
		memset(p + 4, 0, 4);
		region(f, "hop-by-hop", p - f->data, p - f->data + 8);
		p += 8;
		if (o->frag == UT_FRAG_LATER)
			fo = 181 << 3; /* 1448 bytes in */
		else if (o->frag == UT_FRAG_FIRST)
			fo = 1; /* M */
		p[0] = proto;
		p[1] = 0;
		put16(p + 2, fo);
		put32(p + 4, 0xabcd1234);
		region(f, "ipv6 fragment", p - f->data, p - f->data + 8);
		p += 8;
	}
	if (o->ip6_ext && o->frag == UT_FRAG_LATER) {
		fill_payload_only(o, f, p);
		l4len = o->payload_len;
	} else {
		l4len = put_l4(o, f, p);
		region(f, l4_name(o->kind), f->l4_off, f->payload_off);
		put16(p + csum_off(o->kind), ut_l4_csum6(&o->src6, &o->dst6, proto, p, l4len));
	}
	if (o->payload_len)
		region(f, "payload", f->payload_off, f->payload_off + o->payload_len);
	put16(ip + 4, (p - ip - 40) + l4len);
	return (p - ip) + l4len;
}

static __u32 build_arp(const struct ut_frame_opts *o, struct ut_frame *f, __u8 *a)
{
	put16(a, 1); /* Ethernet */
	put16(a + 2, ETH_P_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1); /* request */
	memcpy(a + 8, o->src_mac, 6);
	memcpy(a + 14, &o->src4.s_addr, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, &o->dst4.s_addr, 4);
	region(f, "arp", a - f->data, a - f->data + 28);
	f->l4_off = 0;
	f->payload_off = a - f->data + 28;
	return 28;
}

int ut_frame_build(const struct ut_frame_opts *o, struct ut_frame *f)
{
	__u16 ethertype;
	__u8 *p;
	__u32 len;

	if (o->vlans < 0 || o->vlans > 2 || o->ip4_opt_len < 0 || o->ip4_opt_len > 40 ||
	    o->ip4_opt_len % 4 || o->payload_len > 1400 || o->pad_to > UT_FRAME_MAX ||
	    (o->frag != UT_FRAG_NONE && is_v6(o->kind) && !o->ip6_ext) ||
	    (o->frag != UT_FRAG_NONE && o->kind == UT_ARP))
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	memcpy(f->data, o->dst_mac, 6);
	memcpy(f->data + 6, o->src_mac, 6);
	region(f, "ethernet", 0, 14);
	p = f->data + 12;
	if (o->vlans == 2) {
		put16(p, ETH_P_8021AD);
		put16(p + 2, o->vlan_outer);
		region(f, "vlan1", 14, 18);
		p += 4;
	}
	if (o->vlans >= 1) {
		put16(p, ETH_P_8021Q);
		put16(p + 2, o->vlan_inner);
		region(f, o->vlans == 2 ? "vlan2" : "vlan1", p - f->data + 2, p - f->data + 6);
		p += 4;
	}
	ethertype = o->kind == UT_ARP ? ETH_P_ARP : is_v6(o->kind) ? ETH_P_IPV6 : ETH_P_IP;
	put16(p, ethertype);
	p += 2;
	f->l3_off = p - f->data;
	if (o->kind == UT_ARP)
		len = build_arp(o, f, p);
	else if (is_v6(o->kind))
		len = build_ipv6(o, f, p);
	else
		len = build_ipv4(o, f, p);
	f->len = f->l3_off + len;
	if (o->pad_to > f->len)
		f->len = o->pad_to; /* the buffer is zeroed */
	return 0;
}

int ut_frame_cuts(const struct ut_frame *f, struct ut_cut *cuts)
{
	int i, n = 0;

	for (i = 0; i < f->nregions; i++) {
		const struct ut_region *r = &f->regions[i];
		__u32 mid = r->start + (r->end - r->start) / 2;

		if (!strcmp(r->name, "payload"))
			continue; /* a short payload is not a truncated header */
		if (mid > r->start && mid >= 14 && mid < f->len && n < UT_MAX_CUTS) {
			cuts[n].len = mid;
			snprintf(cuts[n++].what, sizeof(cuts[0].what), "inside %s", r->name);
		}
		if (r->end >= 14 && r->end < f->len && n < UT_MAX_CUTS) {
			cuts[n].len = r->end;
			snprintf(cuts[n++].what, sizeof(cuts[0].what), "end of %s", r->name);
		}
	}
	return n;
}

const struct ut_region *ut_frame_region(const struct ut_frame *f, __u32 off)
{
	int i;

	for (i = 0; i < f->nregions; i++)
		if (off >= f->regions[i].start && off < f->regions[i].end)
			return &f->regions[i];
	return NULL;
}

bool ut_tc_accepts(const struct ut_frame *f, __u32 len)
{
	__u16 et = f->data[12] << 8 | f->data[13];

	if (et == ETH_P_IP)
		return len >= 14 + 20;
	if (et == ETH_P_IPV6)
		return len >= 14 + 40;
	return len >= 14;
}

int ut_frame_insert(struct ut_frame *f, __u32 off, const void *bytes, __u32 n)
{
	if (off > f->len || f->len + n > sizeof(f->data))
		return -EINVAL;
	memmove(f->data + off + n, f->data + off, f->len - off);
	memcpy(f->data + off, bytes, n);
	f->len += n;
	return 0;
}

int ut_frame_ipv6_ext_chain(const struct ut_frame_opts *o, int n, struct ut_frame *f)
{
	__u8 hdr[8] = { 0, 0, 1 /* PadN */, 4, 0, 0, 0, 0 };
	__u8 *ip;
	int i, err;

	if (!is_v6(o->kind) || o->ip6_ext || n < 0)
		return -EINVAL;
	err = ut_frame_build(o, f);
	if (err)
		return err;
	ip = f->data + f->l3_off;
	/* Insert from the last header to the first: each new one takes over the IPv6 header's next
	 * header. */
	for (i = 0; i < n; i++) {
		hdr[0] = ip[6];
		err = ut_frame_insert(f, f->l3_off + 40, hdr, sizeof(hdr));
		if (err)
			return err;
		ip[6] = 60; /* destination options */
	}
	put16(ip + 4, get16(ip + 4) + 8 * n);
	f->l4_off += 8 * n;
	f->payload_off += 8 * n;
	f->nregions = 0;
	return 0;
}
