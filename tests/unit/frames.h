/* SPDX-License-Identifier: GPL-2.0-only */
/* The one frame builder every program's unit tests use: IPv4/IPv6 UDP, TCP, ICMP echo and ARP
 * frames with VLAN tags, IPv4 options, fragments and IPv6 extension headers, correct checksums, and
 * the list of truncation points. */
#ifndef XDPKIT_UT_FRAMES_H
#define XDPKIT_UT_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "harness.h"

enum ut_kind {
	UT_UDP4,
	UT_TCP4,
	UT_ICMP4, /* echo request (echo reply with .echo_reply) */
	UT_UDP6,
	UT_TCP6,
	UT_ICMP6, /* ICMPv6 echo request (or reply) */
	UT_ARP,	  /* ARP request */
};

enum ut_frag {
	UT_FRAG_NONE = 0,
	UT_FRAG_FIRST = 1, /* IPv4: MF set, offset 0; IPv6: fragment header with M set, offset 0. L4
			      header present */
	UT_FRAG_LATER = 2, /* offset > 0: payload bytes only, no L4 header */
};

struct ut_frame_opts {
	enum ut_kind kind;
	int vlans;	 /* 0; 1: one 802.1Q tag; 2: QinQ, 802.1ad outer + 802.1Q inner */
	int ip4_opt_len; /* bytes of IPv4 options (0..40, multiple of 4): NOPs ending in EOL */
	enum ut_frag frag;
	bool ip6_ext;	 /* IPv6: hop-by-hop header + fragment header (offset 0, M clear unless frag
			    says) */
	bool echo_reply; /* ICMP kinds: build an echo reply instead of a request */
	__u8 src_mac[6], dst_mac[6];
	__u16 vlan_outer, vlan_inner; /* VLAN IDs */
	struct in_addr src4, dst4;
	struct in6_addr src6, dst6;
	__u16 sport, dport; /* host order */
	__u16 icmp_id, icmp_seq;
	__u16 payload_len; /* bytes after the L4 header (after the IP header for a later fragment) */
	__u8 payload_seed; /* payload byte i is (seed + 7 * i) & 0xff */
	__u8 ttl;	   /* IPv4 TTL / IPv6 hop limit */
	__u16 ip_id;
	__u16 pad_to; /* pad the frame with zeros to this length (Ethernet minimum 60); 0: no
			 padding */
};

/* A header's place in the frame, for truncation. */
struct ut_region {
	const char *
		name; /* "ethernet", "vlan1", "vlan2", "ipv4", "ipv4 options", "ipv6", "hop-by-hop",
		      "ipv6 fragment", "udp", "tcp", "icmp", "icmpv6", "arp", "payload" */
	__u32 start, end;
};

#define UT_MAX_REGIONS 12

struct ut_frame {
	__u8 data[UT_FRAME_MAX];
	__u32 len;
	__u32 l3_off; /* IPv4/IPv6/ARP header */
	__u32 l4_off; /* L4 header; 0 when there is none (later fragment, ARP) */
	__u32 payload_off;
	struct ut_region regions[UT_MAX_REGIONS];
	int nregions;
};

/* One truncation point: the frame cut to len bytes. */
struct ut_cut {
	__u32 len;
	char what[48]; /* "inside vlan1", "end of ipv4 options", ... */
};

#define UT_MAX_CUTS (2 * UT_MAX_REGIONS)

/* Fill o with the defaults for kind: 02:00:00:00:00:01 -> 02:00:00:00:00:02, 10.11.0.1
 * -> 10.11.0.2, fd00:11::1 -> fd00:11::2, ports 40000 -> 53 (UDP) / 80 (TCP), ICMP id 0x1234 seq 1,
 * 32 bytes payload, TTL 61, VLAN IDs 200 (outer) and 100 (inner). */
void ut_frame_defaults(struct ut_frame_opts *o, enum ut_kind kind);
/* Build the frame o describes, with correct IPv4 header and L4 checksums. Returns 0 or -EINVAL (bad
 * options). */
int ut_frame_build(const struct ut_frame_opts *o, struct ut_frame *f);
/* The truncation points of f, in increasing length: inside and at the end of every header, each
 * shorter than the frame and at least 14 bytes (BPF_PROG_TEST_RUN refuses shorter frames, so a cut
 * inside Ethernet cannot be run). Returns how many were written to cuts (at most UT_MAX_CUTS). */
int ut_frame_cuts(const struct ut_frame *f, struct ut_cut *cuts);
/* Whether BPF_PROG_TEST_RUN for an skb (tc) program accepts f cut to len bytes. The kernel refuses
 * (EINVAL) an untagged IPv4 frame shorter than 14 + 20 bytes and an untagged IPv6 frame shorter
 * than 14 + 40 (it reads the addresses for its fake socket), so tc tests skip those cuts; XDP takes
 * every cut of 14 bytes and more. */
bool ut_tc_accepts(const struct ut_frame *f, __u32 len);
/* Insert n bytes at offset off (for shapes the builder does not make: a third VLAN tag, a long
 * chain of IPv6 extension headers). Moves the rest up and grows len; regions and offsets are left
 * as they were, lengths and checksums inside the frame are the caller's business. Returns 0 or
 * -EINVAL when it would not fit. */
int ut_frame_insert(struct ut_frame *f, __u32 off, const void *bytes, __u32 n);
/* Build o (IPv6, without ip6_ext) with n destination-options headers (8 bytes each) between the
 * IPv6 header and the L4 header: lengths, next-header chain and offsets fixed, the L4 checksum
 * still right. Regions are not kept (nregions = 0). Returns 0 or -EINVAL. */
int ut_frame_ipv6_ext_chain(const struct ut_frame_opts *o, int n, struct ut_frame *f);
/* The region that contains byte off (NULL past the end). */
const struct ut_region *ut_frame_region(const struct ut_frame *f, __u32 off);

/* The catalogue of frame shapes every program is tested on. */
struct ut_case {
	const char *name;
	enum ut_kind kind;
	int vlans;
	int ip4_opt_len;
	enum ut_frag frag;
	bool ip6_ext;
};
extern const struct ut_case ut_cases[];
extern const int ut_ncases;
/* Defaults for c->kind plus c's shape. */
void ut_case_opts(const struct ut_case *c, struct ut_frame_opts *o);

/* RFC 1071 Internet checksum, written independently of any program under test. ut_csum_add() adds
 * len bytes (big-endian 16-bit words, odd byte padded) to a 32-bit running sum; ut_csum_fold()
 * folds it and returns the one's complement in host order, ready for htons(). */
__u32 ut_csum_add(__u32 sum, const void *data, size_t len);
__u16 ut_csum_fold(__u32 sum);
/* Checksum of an L4 segment including the IPv4 or IPv6 pseudo-header. */
__u16 ut_l4_csum4(const struct in_addr *src, const struct in_addr *dst, __u8 proto, const void *l4,
		  size_t len);
__u16 ut_l4_csum6(const struct in6_addr *src, const struct in6_addr *dst, __u8 proto,
		  const void *l4, size_t len);

#endif
