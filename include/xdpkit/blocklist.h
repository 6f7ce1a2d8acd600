/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* blocklist: drop by IPv4/IPv6 address or prefix. The map layout shared by the program, tests and manager. */
#ifndef XDPKIT_BLOCKLIST_H
#define XDPKIT_BLOCKLIST_H

#include <linux/types.h>
#include <xdpkit/types.h>

/* Exact rules: plain hashes keyed by address, value = hits (one shared counter per rule, bumped
 * atomically). Preallocated: an insert takes a ready element instead of allocating, which is what
 * makes loading a million rules fast. The price is memory fixed at creation (about 80 bytes per
 * entry for v4, 88 for v6, rules or not), and a miss reads a bucket of a table sized by
 * max_entries: a small table stays in the CPU caches, a big one does not. So the object's sizes
 * are for the everyday case (a few thousand rules, every packet a miss): 2^15 and 2^14 entries,
 * 2.5 and 1.4 MiB. A big list needs a big table: `xdpkit attach ... --capacity
 * blocklist_v4=1048576` (docs/blocklist.md: "Capacity", also for plain ip/tc/bpftool). */
#define BLOCKLIST_V4_MAX (1 << 15)
#define BLOCKLIST_V6_MAX (1 << 14)
/* Prefix rules: LPM tries keyed by struct xk_cidr4/xk_cidr6, value = hits. */
#define BLOCKLIST_CIDR4_MAX (1 << 18)
#define BLOCKLIST_CIDR6_MAX (1 << 16)

enum blocklist_match {
	BLOCKLIST_MATCH_SRC = 0, /* default: drop by source address */
	BLOCKLIST_MATCH_DST = 1,
};

/* blocklist_cfg[0]. Nothing else: every rule present in the maps applies, whoever wrote it (bpftool,
 * ip, xdpkit), so there is no count or flag for a writer to keep in step. */
struct blocklist_config {
	__u32 match; /* enum blocklist_match */
};

#endif
