/* blocklist: drop by IPv4/IPv6 address or prefix. The map layout shared by the program, tests and manager. */
#ifndef XDPKIT_BLOCKLIST_H
#define XDPKIT_BLOCKLIST_H

#include <linux/types.h>
#include <xdpkit/types.h>

/* Exact rules: plain hashes keyed by address, value = hits (one shared counter per rule, bumped
 * atomically). Preallocated: an insert takes a ready element instead of allocating per-CPU memory,
 * which is what makes loading a million rules fast (docs/blocklist.md has the figures). The price
 * is memory fixed at creation, whatever the rule count: about 80 MiB for v4, 11 MiB for v6. */
#define BLOCKLIST_V4_MAX (1 << 20)
#define BLOCKLIST_V6_MAX (1 << 17)
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
