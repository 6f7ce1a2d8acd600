/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* portfilter: drop (or allow only) TCP/UDP destination ports. The map layout shared by program, tests, manager. */
#ifndef XDPKIT_PORTFILTER_H
#define XDPKIT_PORTFILTER_H

#include <linux/types.h>
#include <xdpkit/types.h>

#define PORTFILTER_MAX_PORTS 65536

enum portfilter_mode {
	PORTFILTER_DENY = 0,	   /* default: drop TCP/UDP to a listed port */
	PORTFILTER_ALLOW_ONLY = 1, /* drop TCP/UDP to any port not listed */
};

/* portfilter_cfg[0] */
struct portfilter_config {
	__u32 mode; /* enum portfilter_mode */
};

/* portfilter_ports: per-CPU hash, key xk_port (network byte order, applies to TCP and UDP), value xk_hits. */

#endif
