/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* count: packets and bytes per protocol. Shared by progs/count.bpf.c, the tests and anyone reading the map. */
#ifndef XDPKIT_COUNT_H
#define XDPKIT_COUNT_H

#include <linux/types.h>
#include <xdpkit/types.h>

#define COUNT_MAX_KEYS 1024

/* EtherType in host byte order: shown by name where known (ipv4, ipv6, arp, 0x88cc). */
typedef __u16 xk_ethertype;
/* IP protocol number: shown by name where known (tcp, udp, icmp, ipv6-icmp). */
typedef __u8 xk_ipproto;

/* Key of count_proto: the EtherType after VLAN tags and, for IPv4/IPv6, the transport protocol (after IPv6
 * extension headers; for a non-first fragment, the protocol it claims). ip_proto is 0 for non-IP frames. */
struct count_key {
	xk_ethertype ethertype;
	xk_ipproto ip_proto;
	__u8 pad;
};

#endif
