// SPDX-License-Identifier: GPL-2.0-only
/* Canned frames for `xdpkit bench`, 64 bytes (and larger ICMP echoes, run only when named), with
 * correct checksums so programs that check or rewrite them (pong) take their real path. Addresses
 * come from the documentation ranges (RFC 5737, RFC 3849). */
#include "bench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

/* Ethernet frame size without FCS, the usual "small packet" of line-rate tests. */
#define FRAME_LEN 64
/* A large frame that still fits a 1500-byte MTU. */
#define BIG_FRAME_LEN 1400

/* The source and port the driver scripts write a rule for; `miss` is one address and port away. */
#define MATCH_SRC4 "192.0.2.1"
#define MATCH_DPORT 9
#define MISS_SRC4 "192.0.2.2"
#define MISS_DPORT 10
#define PLAIN_SRC4 "198.51.100.1"
#define PLAIN_DST4 "203.0.113.1"
#define PLAIN_SRC6 "2001:db8:1::1"
#define PLAIN_DST6 "2001:db8:2::1"
#define PLAIN_SPORT 40000
#define PLAIN_DPORT 80

const char *const bench_frame_kinds[] = {
	"ipv4-udp", "ipv4-tcp", "ipv4-icmp", "ipv6-udp", "vlan-udp", "match", "miss", NULL,
};

const char *const bench_frame_help[] = {
	"IPv4 UDP " PLAIN_SRC4 ":40000 -> " PLAIN_DST4 ":80",
	"IPv4 TCP SYN " PLAIN_SRC4 ":40000 -> " PLAIN_DST4 ":80",
	"IPv4 ICMP echo request " PLAIN_SRC4 " -> " PLAIN_DST4,
	"IPv6 UDP [" PLAIN_SRC6 "]:40000 -> [" PLAIN_DST6 "]:80",
	"802.1Q tag 100, then the ipv4-udp frame",
	"IPv4 UDP " MATCH_SRC4 " -> " PLAIN_DST4 ":9 (the address/port a rule is written for)",
	"IPv4 UDP " MISS_SRC4 " -> " PLAIN_DST4 ":10 (next to the rule, matches nothing)",
};

/* Not in `all` (whose figures stay comparable run to run): named with --frame only. */
const char *const bench_frame_named_kinds[] = {
	"ipv6-icmp",
	"ipv4-icmp-1400",
	"ipv6-icmp-1400",
	NULL,
};

const char *const bench_frame_named_help[] = {
	"IPv6 ICMPv6 echo request [" PLAIN_SRC6 "] -> [" PLAIN_DST6 "]",
	"the ipv4-icmp frame, 1400 bytes long",
	"the ipv6-icmp frame, 1400 bytes long",
};

struct frame_spec {
	int vlan;
	int ipv6;
	int proto;
	const char *src;
	const char *dst;
	int dport;
	size_t len; /* 0: FRAME_LEN */
};

static uint32_t csum_add(uint32_t sum, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* The L4 checksum field of the frame, or NULL for a transport without one we fill. */
static uint16_t *l4_csum_field(unsigned char *l4, int proto)
{
	switch (proto) {
	case IPPROTO_UDP:
		return &((struct udphdr *)l4)->check;
	case IPPROTO_TCP:
		return &((struct tcphdr *)l4)->check;
	case IPPROTO_ICMP:
		return &((struct icmphdr *)l4)->checksum;
	case IPPROTO_ICMPV6:
		return &((struct icmp6hdr *)l4)->icmp6_cksum;
	}
	return NULL;
}

static void fix_checksums(struct bench_frame *f, size_t l3_off, int ipv6, int proto)
{
	unsigned char *l4;
	size_t l4_len;
	uint16_t *field;
	uint32_t sum = 0;

	if (ipv6) {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)(f->data + l3_off);

		l4 = (unsigned char *)(ip6 + 1);
		l4_len = ntohs(ip6->payload_len);
		sum = csum_add(sum, &ip6->saddr, 32);
	} else {
		struct iphdr *ip = (struct iphdr *)(f->data + l3_off);

		ip->check = 0;
		ip->check = csum_fold(csum_add(0, ip, ip->ihl * 4));
		l4 = f->data + l3_off + ip->ihl * 4;
		l4_len = ntohs(ip->tot_len) - ip->ihl * 4;
		if (proto != IPPROTO_ICMP) /* ICMPv4 has no pseudo-header */
			sum = csum_add(sum, &ip->saddr, 8);
	}
	field = l4_csum_field(l4, proto);
	if (!field)
		return;
	if (proto != IPPROTO_ICMP)
		sum += l4_len + proto;
	*field = 0;
	*field = csum_fold(csum_add(sum, l4, l4_len));
}

static void build(struct bench_frame *f, const struct frame_spec *s)
{
	static const unsigned char dmac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
	static const unsigned char smac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	unsigned char *p = f->data;
	size_t l3_off = ETH_HLEN, l4_off, l4_len;

	memset(f->data, 0, sizeof(f->data));
	f->len = s->len ? s->len : FRAME_LEN;
	memcpy(p, dmac, ETH_ALEN);
	memcpy(p + ETH_ALEN, smac, ETH_ALEN);
	if (s->vlan) {
		*(uint16_t *)(p + 12) = htons(ETH_P_8021Q);
		*(uint16_t *)(p + 14) = htons(100);
		l3_off += 4;
	}
	*(uint16_t *)(p + l3_off - 2) = htons(s->ipv6 ? ETH_P_IPV6 : ETH_P_IP);

	if (s->ipv6) {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)(p + l3_off);

		l4_off = l3_off + sizeof(*ip6);
		l4_len = f->len - l4_off;
		ip6->version = 6;
		ip6->payload_len = htons(l4_len);
		ip6->nexthdr = s->proto;
		ip6->hop_limit = 64;
		inet_pton(AF_INET6, s->src, &ip6->saddr);
		inet_pton(AF_INET6, s->dst, &ip6->daddr);
		f->ip4_off = 0;
	} else {
		struct iphdr *ip = (struct iphdr *)(p + l3_off);

		l4_off = l3_off + sizeof(*ip);
		l4_len = f->len - l4_off;
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons(f->len - l3_off);
		ip->id = htons(1);
		ip->ttl = 64;
		ip->protocol = s->proto;
		inet_pton(AF_INET, s->src, &ip->saddr);
		inet_pton(AF_INET, s->dst, &ip->daddr);
		f->ip4_off = l3_off;
	}

	switch (s->proto) {
	case IPPROTO_UDP: {
		struct udphdr *udp = (struct udphdr *)(p + l4_off);

		udp->source = htons(PLAIN_SPORT);
		udp->dest = htons(s->dport);
		udp->len = htons(l4_len);
		break;
	}
	case IPPROTO_TCP: {
		struct tcphdr *tcp = (struct tcphdr *)(p + l4_off);

		tcp->source = htons(PLAIN_SPORT);
		tcp->dest = htons(s->dport);
		tcp->seq = htonl(1);
		tcp->doff = 5;
		tcp->syn = 1;
		tcp->window = htons(65535);
		break;
	}
	case IPPROTO_ICMP: {
		struct icmphdr *icmp = (struct icmphdr *)(p + l4_off);

		icmp->type = ICMP_ECHO;
		icmp->un.echo.id = htons(1);
		icmp->un.echo.sequence = htons(1);
		break;
	}
	case IPPROTO_ICMPV6: {
		struct icmp6hdr *icmp6 = (struct icmp6hdr *)(p + l4_off);

		icmp6->icmp6_type = ICMPV6_ECHO_REQUEST;
		icmp6->icmp6_identifier = htons(1);
		icmp6->icmp6_sequence = htons(1);
		break;
	}
	}
	fix_checksums(f, l3_off, s->ipv6, s->proto);
}

int bench_frame_build(const char *kind, struct bench_frame *f)
{
	static const struct frame_spec specs[] = {
		{ 0, 0, IPPROTO_UDP, PLAIN_SRC4, PLAIN_DST4, PLAIN_DPORT, 0 },
		{ 0, 0, IPPROTO_TCP, PLAIN_SRC4, PLAIN_DST4, PLAIN_DPORT, 0 },
		{ 0, 0, IPPROTO_ICMP, PLAIN_SRC4, PLAIN_DST4, 0, 0 },
		{ 0, 1, IPPROTO_UDP, PLAIN_SRC6, PLAIN_DST6, PLAIN_DPORT, 0 },
		{ 1, 0, IPPROTO_UDP, PLAIN_SRC4, PLAIN_DST4, PLAIN_DPORT, 0 },
		{ 0, 0, IPPROTO_UDP, MATCH_SRC4, PLAIN_DST4, MATCH_DPORT, 0 },
		{ 0, 0, IPPROTO_UDP, MISS_SRC4, PLAIN_DST4, MISS_DPORT, 0 },
	};
	static const struct frame_spec named_specs[] = {
		{ 0, 1, IPPROTO_ICMPV6, PLAIN_SRC6, PLAIN_DST6, 0, 0 },
		{ 0, 0, IPPROTO_ICMP, PLAIN_SRC4, PLAIN_DST4, 0, BIG_FRAME_LEN },
		{ 0, 1, IPPROTO_ICMPV6, PLAIN_SRC6, PLAIN_DST6, 0, BIG_FRAME_LEN },
	};
	int i;

	for (i = 0; bench_frame_kinds[i]; i++) {
		if (!strcmp(kind, bench_frame_kinds[i])) {
			f->kind = bench_frame_kinds[i];
			build(f, &specs[i]);
			return 0;
		}
	}
	for (i = 0; bench_frame_named_kinds[i]; i++) {
		if (!strcmp(kind, bench_frame_named_kinds[i])) {
			f->kind = bench_frame_named_kinds[i];
			build(f, &named_specs[i]);
			return 0;
		}
	}
	return -ENOENT;
}

void bench_frame_set_src4(struct bench_frame *f, uint32_t saddr)
{
	struct iphdr *ip = (struct iphdr *)(f->data + f->ip4_off);

	if (!f->ip4_off)
		return;
	ip->saddr = saddr;
	fix_checksums(f, f->ip4_off, 0, ip->protocol);
}
