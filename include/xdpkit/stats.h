/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The verdict counters every program keeps, in one layout so one reader shows stats for any program. */
#ifndef XDPKIT_STATS_H
#define XDPKIT_STATS_H

#include <linux/types.h>

/* Name of the per-CPU array each program counts its verdicts in (not pinned: one per loaded program). */
#define XK_STATS_MAP "xdpkit_stats"

/* Slots 0..4 are the XDP action codes themselves; TC verdicts are folded onto them (TC_ACT_OK -> PASS,
 * TC_ACT_SHOT -> DROP). MALFORMED counts frames that could not be parsed, on top of the verdict they got. */
enum xk_stat {
	XK_STAT_ABORTED = 0,
	XK_STAT_DROP = 1,
	XK_STAT_PASS = 2,
	XK_STAT_TX = 3,
	XK_STAT_REDIRECT = 4,
	XK_STAT_MALFORMED = 5,
	XK_STAT_MAX = 6,
};

struct xk_datarec {
	__u64 packets;
	__u64 bytes;
};

#endif
