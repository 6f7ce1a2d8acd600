// SPDX-License-Identifier: GPL-2.0-only
/* The text of a captured frame, tcpdump-like and deliberately small: Ethernet, up to two VLAN tags,
 * ARP, IPv4, IPv6 (no extension-header walk), TCP, UDP, ICMP and ICMPv6; and the rule that decided
 * it, as `xdpkit map` prints rules. */
#include "dump.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/pkt_cls.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <xdpkit/stats.h>
#include <xdpkit/types.h>

unsigned int xk_capture_slot(const struct xk_capture_meta *m)
{
	if (m->hook == XK_HOOK_TC) {
		if (m->action == TC_ACT_SHOT)
			return XK_STAT_DROP;
		return m->action == TC_ACT_REDIRECT ? XK_STAT_REDIRECT : XK_STAT_PASS;
	}
	return m->action >= 0 && m->action < XK_STAT_MALFORMED ? (unsigned int)m->action
							       : XK_STAT_ABORTED;
}

/* The longest prefix in an LPM trie of struct xk_cidr4/6 keys that holds addr: the kernel answers
 * a lookup with the value only, so the rule is found by walking the keys. One-entry memo: a flood
 * from one source is one walk. */
static int longest_prefix(int fd, const __u8 *addr, int alen, char *buf, size_t len)
{
	static __u8 memo_addr[16];
	static char memo[64];
	static int memo_fd = -1;
	__u8 key[4 + 16], next[4 + 16];
	int best = -1, klen = 4 + alen;
	char a[INET6_ADDRSTRLEN];
	__u8 best_addr[16];
	void *prev = NULL;

	if (fd == memo_fd && !memcmp(memo_addr, addr, alen)) {
		snprintf(buf, len, "%s", memo);
		return 0;
	}
	while (!bpf_map_get_next_key(fd, prev, next)) {
		__u32 plen;
		int bits, i, ok = 1;

		memcpy(&plen, next, 4);
		for (i = 0, bits = (int)plen; bits > 0 && i < alen; i++, bits -= 8) {
			__u8 mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));

			if ((next[4 + i] ^ addr[i]) & mask)
				ok = 0;
		}
		if (ok && (int)plen > best) {
			best = (int)plen;
			memcpy(best_addr, next + 4, alen);
		}
		memcpy(key, next, klen);
		prev = key;
	}
	if (best < 0)
		return -1;
	inet_ntop(alen == 4 ? AF_INET : AF_INET6, best_addr, a, sizeof(a));
	snprintf(buf, len, "%s/%d", a, best);
	memo_fd = fd;
	memcpy(memo_addr, addr, alen);
	snprintf(memo, sizeof(memo), "%s", buf);
	return 0;
}

static const char *v6_or_v4(const __u8 *a, char *buf, size_t len)
{
	static const __u8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (!memcmp(a, mapped, 12))
		return inet_ntop(AF_INET, a + 12, buf, len);
	return inet_ntop(AF_INET6, a, buf, len);
}

void xk_rule_text(const struct xk_rule *r, int cidr4_fd, int cidr6_fd, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	*buf = '\0';
	switch (r->kind) {
	case XK_RULE_ADDR4:
		snprintf(buf, len, "%s", inet_ntop(AF_INET, r->addr, a, sizeof(a)));
		break;
	case XK_RULE_ADDR6:
		snprintf(buf, len, "%s", inet_ntop(AF_INET6, r->addr, a, sizeof(a)));
		break;
	case XK_RULE_CIDR4:
	case XK_RULE_CIDR6: {
		int v4 = r->kind == XK_RULE_CIDR4, fd = v4 ? cidr4_fd : cidr6_fd;

		/* Deleted since: say which address it held. */
		if (fd < 0 || longest_prefix(fd, r->addr, v4 ? 4 : 16, buf, len))
			snprintf(buf, len, "prefix-of-%s",
				 inet_ntop(v4 ? AF_INET : AF_INET6, r->addr, a, sizeof(a)));
		break;
	}
	case XK_RULE_PORT:
		snprintf(buf, len, "dport=%u", ntohs((__u16)r->num));
		break;
	case XK_RULE_PORT_UNLISTED:
		snprintf(buf, len, "dport=%u,unlisted", ntohs((__u16)r->num));
		break;
	case XK_RULE_RATE:
		snprintf(buf, len, "src=%s,rate=%upps,burst=%u", v6_or_v4(r->addr, a, sizeof(a)),
			 r->num, r->num2);
		break;
	}
}

/* Append to buf. */
static void out(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void out(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
}

static __u16 rd16(const unsigned char *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static __u32 rd32(const unsigned char *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static void l4_text(int proto, const unsigned char *d, __u32 n, const char *src, const char *dst,
		    __u32 l4len, bool v6, char *buf, size_t size)
{
	if ((proto == IPPROTO_TCP && n >= 20) || (proto == IPPROTO_UDP && n >= 8)) {
		out(buf, size, "%s.%u > %s.%u: ", src, rd16(d), dst, rd16(d + 2));
		if (proto == IPPROTO_UDP) {
			out(buf, size, "UDP, length %u", l4len >= 8 ? l4len - 8 : 0);
		} else {
			static const char fl[] = "FSRP.UEW";
			__u32 hl = (d[12] >> 4) * 4u;
			char flags[9] = "";
			int i, k = 0;

			for (i = 0; i < 8; i++)
				if (d[13] & (1 << i))
					flags[k++] = fl[i];
			flags[k] = '\0';
			out(buf, size, "Flags [%s], seq %u, length %u", flags, rd32(d + 4),
			    l4len >= hl ? l4len - hl : 0);
		}
		return;
	}
	out(buf, size, "%s > %s: ", src, dst);
	if (proto == IPPROTO_ICMP && n >= 8) {
		if (d[0] == 8 || d[0] == 0)
			out(buf, size, "ICMP echo %s, id %u, seq %u, length %u",
			    d[0] ? "request" : "reply", rd16(d + 4), rd16(d + 6), l4len);
		else
			out(buf, size, "ICMP type %u code %u, length %u", d[0], d[1], l4len);
	} else if (proto == IPPROTO_ICMPV6 && n >= 8) {
		static const char *const nd[] = { "router solicitation", "router advertisement",
						  "neighbor solicitation",
						  "neighbor advertisement" };

		if (d[0] == 128 || d[0] == 129)
			out(buf, size, "ICMP6, echo %s, id %u, seq %u, length %u",
			    d[0] == 128 ? "request" : "reply", rd16(d + 4), rd16(d + 6), l4len);
		else if (d[0] >= 133 && d[0] <= 136)
			out(buf, size, "ICMP6, %s, length %u", nd[d[0] - 133], l4len);
		else if (d[0] == 143)
			out(buf, size, "ICMP6, multicast listener report v2, length %u", l4len);
		else
			out(buf, size, "ICMP6, type %u code %u, length %u", d[0], d[1], l4len);
	} else {
		out(buf, size, "%s proto %d, length %u", v6 ? "ip6" : "ip", proto, l4len);
	}
}

void xk_frame_text(const unsigned char *d, __u32 caplen, __u32 len, char *buf, size_t size)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	__u32 off = 14;
	__u16 proto;
	int tags;

	*buf = '\0';
	if (caplen < 14) {
		out(buf, size, "[|ether], length %u", len);
		return;
	}
	proto = rd16(d + 12);
	for (tags = 0; tags < 2 && (proto == 0x8100 || proto == 0x88a8) && caplen >= off + 4;
	     tags++) {
		out(buf, size, "vlan %u, ", rd16(d + off) & 0xfff);
		proto = rd16(d + off + 2);
		off += 4;
	}
	if (proto == 0x0800 && caplen >= off + 20) {
		const unsigned char *ip = d + off;
		__u32 hl = (ip[0] & 0xf) * 4u, tot = rd16(ip + 2);

		inet_ntop(AF_INET, ip + 12, src, sizeof(src));
		inet_ntop(AF_INET, ip + 16, dst, sizeof(dst));
		out(buf, size, "IP ");
		/* A later fragment has no transport header. */
		if (rd16(ip + 6) & 0x1fff) {
			out(buf, size, "%s > %s: ip-proto-%u (frag offset %u), length %u", src, dst,
			    ip[9], (rd16(ip + 6) & 0x1fff) * 8u, tot);
			return;
		}
		l4_text(ip[9], ip + hl, caplen > off + hl ? caplen - off - hl : 0, src, dst,
			tot > hl ? tot - hl : 0, false, buf, size);
	} else if (proto == 0x86dd && caplen >= off + 40) {
		const unsigned char *ip6 = d + off;

		__u32 at = off + 40, plen = rd16(ip6 + 4), hops;
		int next = ip6[6];

		inet_ntop(AF_INET6, ip6 + 8, src, sizeof(src));
		inet_ntop(AF_INET6, ip6 + 24, dst, sizeof(dst));
		out(buf, size, "IP6 ");
		/* Hop-by-hop, routing and destination options: up to four, as far as captured. */
		for (hops = 0;
		     hops < 4 && (next == 0 || next == 43 || next == 60) && caplen >= at + 8;
		     hops++) {
			__u32 hl = (d[at + 1] + 1) * 8u;

			out(buf, size, "%s ", next == 0 ? "HBH" : next == 43 ? "RT" : "DSTOPT");
			next = d[at];
			at += hl;
			plen = plen > hl ? plen - hl : 0;
		}
		l4_text(next, d + at, caplen > at ? caplen - at : 0, src, dst, plen, true, buf,
			size);
	} else if (proto == 0x0806 && caplen >= off + 28) {
		const unsigned char *a = d + off;

		inet_ntop(AF_INET, a + 24, dst, sizeof(dst));
		inet_ntop(AF_INET, a + 14, src, sizeof(src));
		if (rd16(a + 6) == 1)
			out(buf, size, "ARP, Request who-has %s tell %s, length %u", dst, src,
			    len - off);
		else
			out(buf, size, "ARP, Reply %s, length %u", src, len - off);
	} else {
		out(buf, size, "ethertype 0x%04x, length %u", proto, len);
	}
}
