/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* ratelimit: per-source token bucket. The map layout shared by program, tests, manager. */
#ifndef XDPKIT_RATELIMIT_H
#define XDPKIT_RATELIMIT_H

#include <linux/types.h>
#include <xdpkit/types.h>

#define RATELIMIT_MAX_SOURCES 65536

/* ratelimit_cfg[0]. rate_pps == 0 turns limiting off (everything passes). */
struct ratelimit_config {
	__u64 rate_pps; /* tokens added per second, one token per packet */
	__u64 burst;	/* bucket size in packets; a new source starts with a full bucket */
};

/* ratelimit_buckets: LRU hash keyed by source address (IPv4 as ::ffff:a.b.c.d in an xk_ipv6). */
struct ratelimit_bucket {
	__u64 tokens_ns; /* tokens scaled by 1e9, so sub-packet refills at low rates are not lost */
	__u64 last_ns;	 /* bpf_ktime_get_ns() of the last refill */
	__u64 dropped;
};

#endif
