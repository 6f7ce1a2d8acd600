/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the unit tests of the filtering programs (blocklist, portfilter, ratelimit):
 * run a frame and check verdict plus untouched bytes, check the verdict counters, fill per-CPU rule
 * maps. */
#ifndef XDPKIT_UT_FILTER_UTIL_H
#define XDPKIT_UT_FILTER_UTIL_H

#include <stdbool.h>
#include <linux/types.h>
#include "frames.h"

/* One hook under test: its section and what it returns for pass and drop. */
struct fu_hook {
	const char *sec;
	__u32 pass, drop;
};

extern const struct fu_hook fu_xdp, fu_tc;

/* Run one frame through prog; check the verdict and that every byte came out as it went in. Returns
 * false if it could not be run: the kernel's EINVAL is accepted silently only when may_refuse is
 * set. */
bool fu_run(struct bpf_program *prog, const void *frame, __u32 len, __u32 want, bool may_refuse);
/* BPF_PROG_TEST_RUN refuses, for TC only, an untagged IP frame cut inside its fixed IP header. */
bool fu_tc_may_refuse(const struct fu_hook *h, const struct ut_case *c, const struct ut_frame *f,
		      __u32 len);
/* Assert the pass, drop and malformed packet counts of obj's xdpkit_stats (and no aborted). */
void fu_check_stats(struct bpf_object *obj, __u64 pass, __u64 drop, __u64 malformed);
/* Store value v for key on every CPU of a per-CPU map. Returns 0 or negative errno. */
int fu_percpu_put(int fd, const void *key, __u64 v);
/* Hits of key in a per-CPU map, summed over CPUs (0 with a failure recorded when absent). */
__u64 fu_percpu_hits(struct bpf_object *obj, const char *map, const void *key);
/* Build catalogue case c into f, recording a failure if the builder refuses. */
bool fu_build_case(const struct ut_case *c, struct ut_frame *f);
bool fu_is_v6(enum ut_kind k);

#endif
