/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* xdpkit dump's capture: the switch each program reads and the record it sends per decided frame,
 * one layout for the programs (capture.bpf.h) and the manager (manager/dump*.c). */
#ifndef XDPKIT_CAPTURE_H
#define XDPKIT_CAPTURE_H

#include <linux/types.h>

/* Per-CPU perf event array the records go to (not pinned: one per loaded object). Empty until a
 * dump opens it; the kernel empties it again when the dump's map fd closes, even after kill -9. */
#define XK_CAPTURE_EVENTS "xdpkit_capture"
/* The switch: a global in its own data section, so the hot path reads it with one load (no map
 * lookup call) and the manager rewrites it without touching the program's other globals. */
#define XK_CAPTURE_SEC ".data.xk_capture"
#define XK_CAPTURE_VAR "xk_capture"

/* Largest snap length: a perf sample must fit 64 KiB with its headers. */
#define XK_CAPTURE_SNAP_MAX 65000

struct xk_capture_ctl {
	__u32 on;	 /* nonzero while a dump runs */
	__u32 snaplen;	 /* bytes of each frame to copy, at most XK_CAPTURE_SNAP_MAX */
	__u32 owner_pid; /* the dump that switched it on ... */
	__u32 verdicts;	 /* bit per enum xk_stat (TC verdicts folded as the counters fold them): the
			  * verdicts to send; 0: all */
	__u64 owner_start; /* ... and its start time (/proc/PID/stat field 22): a reused pid is not
			      it */
};

enum xk_capture_hook {
	XK_HOOK_XDP = 1,
	XK_HOOK_TC = 2,
};

/* The rule behind a verdict, for the programs that have rules. */
enum xk_rule_kind {
	XK_RULE_NONE = 0,
	XK_RULE_ADDR4 = 1, /* blocklist exact IPv4 address: addr[0..3] */
	XK_RULE_ADDR6 = 2, /* blocklist exact IPv6 address */
	XK_RULE_CIDR4 =
		3, /* blocklist prefix containing addr[0..3]; the manager finds the prefix */
	XK_RULE_CIDR6 = 4,	   /* blocklist prefix containing addr */
	XK_RULE_PORT = 5,	   /* portfilter: listed port num (network order), deny mode */
	XK_RULE_PORT_UNLISTED = 6, /* portfilter allow-only: port num is not listed */
	XK_RULE_RATE =
		7, /* ratelimit: source addr (::ffff:a.b.c.d for IPv4) over num pps, burst num2 */
};

struct xk_rule {
	__u32 kind; /* enum xk_rule_kind */
	__u32 num;
	__u32 num2;
	__u8 addr[16];
};

/* What precedes the captured bytes in each record. */
struct xk_capture_meta {
	__u64 ts_ns;   /* bpf_ktime_get_ns() */
	__u32 len;     /* the frame's length */
	__u32 caplen;  /* bytes that follow */
	__u32 ifindex; /* the interface it came in on (XDP) or goes through (TC) */
	__s32 action;  /* the program's return value: an XDP action or a TC_ACT_* */
	__u8 hook;     /* enum xk_capture_hook */
	__u8 pad[3];
	struct xk_rule rule;
};

#endif
