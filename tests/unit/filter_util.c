// SPDX-License-Identifier: GPL-2.0-only
/* Helpers shared by the unit tests of blocklist, portfilter and ratelimit (see filter_util.h). */
#include <errno.h>
#include <stdlib.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <xdpkit/stats.h>
#include "filter_util.h"

const struct fu_hook fu_xdp = { "xdp", XDP_PASS, XDP_DROP };
const struct fu_hook fu_tc = { "tc", (__u32)TC_ACT_UNSPEC, TC_ACT_SHOT };

bool fu_run(struct bpf_program *prog, const void *frame, __u32 len, __u32 want, bool may_refuse)
{
	struct ut_result res;
	int err = ut_run(prog, frame, len, &res);

	if (err == -EINVAL && may_refuse)
		return false;
	if (!ASSERT_OK(err))
		return false;
	ASSERT_EQ(res.retval, want);
	if (ASSERT_EQ(res.len, len))
		ASSERT_MEM_EQ(res.data, frame, len);
	return true;
}

bool fu_is_v6(enum ut_kind k)
{
	return k == UT_UDP6 || k == UT_TCP6 || k == UT_ICMP6;
}

bool fu_tc_may_refuse(const struct fu_hook *h, const struct ut_case *c, const struct ut_frame *f,
		      __u32 len)
{
	return h == &fu_tc && !c->vlans && c->kind != UT_ARP &&
	       len < f->l3_off + (fu_is_v6(c->kind) ? 40 : 20);
}

void fu_check_stats(struct bpf_object *obj, __u64 pass, __u64 drop, __u64 malformed)
{
	__u64 packets, bytes;

	ut_context("stats");
	ASSERT_OK(ut_stats(obj, XK_STAT_PASS, &packets, &bytes));
	ASSERT_EQ(packets, pass);
	ASSERT_OK(ut_stats(obj, XK_STAT_DROP, &packets, &bytes));
	ASSERT_EQ(packets, drop);
	ASSERT_OK(ut_stats(obj, XK_STAT_MALFORMED, &packets, &bytes));
	ASSERT_EQ(packets, malformed);
	ASSERT_OK(ut_stats(obj, XK_STAT_ABORTED, &packets, &bytes));
	ASSERT_EQ(packets, 0);
	ut_context(NULL);
}

int fu_percpu_put(int fd, const void *key, __u64 v)
{
	int ncpu = libbpf_num_possible_cpus(), i, err = 0;
	__u64 *vals;

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(__u64));
	if (!vals)
		return -ENOMEM;
	for (i = 0; i < ncpu; i++)
		vals[i] = v;
	if (bpf_map_update_elem(fd, key, vals, BPF_ANY))
		err = -errno;
	free(vals);
	return err;
}

__u64 fu_percpu_hits(struct bpf_object *obj, const char *map, const void *key)
{
	__u64 hits = 0;

	ASSERT_OK(ut_percpu_sum(ut_map_fd(obj, map), key, &hits, 1));
	return hits;
}

bool fu_build_case(const struct ut_case *c, struct ut_frame *f)
{
	struct ut_frame_opts o;

	ut_case_opts(c, &o);
	return ASSERT_OK(ut_frame_build(&o, f));
}
