/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Named types a person reads or types; the manager prints and parses map keys and values by these BTF names. */
#ifndef XDPKIT_TYPES_H
#define XDPKIT_TYPES_H

#include <linux/types.h>

/* IPv4 address in network byte order: shown as 10.0.0.1. */
typedef __u32 xk_ipv4;

/* IPv6 address in network byte order: shown as 2001:db8::1. */
typedef struct {
	__u8 a[16];
} xk_ipv6;

/* TCP/UDP port in network byte order (as on the wire, so programs compare without swapping): shown as 53. */
typedef __u16 xk_port;

/* Ethernet address: shown as aa:bb:cc:dd:ee:ff. */
typedef struct {
	__u8 a[6];
} xk_mac;

/* Per-rule hit counter: shown as a plain number, summed over CPUs in per-CPU maps. */
typedef __u64 xk_hits;

/* LPM trie keys: shown as 10.0.0.0/8 and 2001:db8::/32. The layout is the one BPF_MAP_TYPE_LPM_TRIE demands. */
struct xk_cidr4 {
	__u32 prefixlen;
	xk_ipv4 addr;
};

struct xk_cidr6 {
	__u32 prefixlen;
	xk_ipv6 addr;
};

#endif
