// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of xdpkit dump's capture hook (include/xdpkit/capture.bpf.h) through
 * BPF_PROG_TEST_RUN: switched off, a verdict sends nothing; on, each verdict sends one record with
 * the frame's length, its first snaplen bytes, the verdict, the hook and the rule that matched;
 * --verdict's mask keeps the others in the kernel. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/pkt_cls.h>
#include <xdpkit/capture.h>
#include <xdpkit/ratelimit.h>
#include <xdpkit/stats.h>
#include <xdpkit/types.h>
#include "filter_util.h"
#include "frames.h"

/* What the perf buffer handed over: how many records, and the last one. */
struct cap {
	int n;
	struct xk_capture_meta m;
	__u8 data[UT_FRAME_MAX];
	__u32 bytes; /* after the meta (the kernel pads the sample to 8 bytes) */
};

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct cap *c = ctx;

	(void)cpu;
	c->n++;
	if (size < sizeof(c->m))
		return;
	memcpy(&c->m, data, sizeof(c->m));
	c->bytes = size - sizeof(c->m);
	memcpy(c->data, (__u8 *)data + sizeof(c->m),
	       c->bytes < UT_FRAME_MAX ? c->bytes : UT_FRAME_MAX);
}

static struct perf_buffer *cap_open(struct bpf_object *obj, struct cap *c)
{
	struct perf_buffer *pb =
		perf_buffer__new(ut_map_fd(obj, XK_CAPTURE_EVENTS), 8, on_sample, NULL, c, NULL);

	ASSERT_TRUE(pb != NULL);
	return pb;
}

/* The switch as xdpkit dump sets it (manager/dump_arm.c). */
static void cap_switch(struct bpf_object *obj, __u32 on, __u32 snaplen, __u32 verdicts)
{
	struct xk_capture_ctl ctl = { .on = on, .snaplen = snaplen, .verdicts = verdicts };
	__u32 zero = 0;

	ASSERT_OK(bpf_map_update_elem(ut_map_fd(obj, XK_CAPTURE_SEC), &zero, &ctl, BPF_ANY) ? -errno
											    : 0);
}

/* One run of prog on f, expecting verdict want; the records it sent land in c. */
static void cap_run(struct bpf_program *prog, const struct ut_frame *f, __u32 want,
		    struct perf_buffer *pb, struct cap *c)
{
	struct ut_result r;

	memset(c, 0, sizeof(*c));
	if (!ASSERT_OK(ut_run(prog, f->data, f->len, &r)))
		return;
	ASSERT_EQ(r.retval, want);
	perf_buffer__consume(pb);
}

static void udp4(struct ut_frame *f)
{
	struct ut_frame_opts o;

	ut_frame_defaults(&o, UT_UDP4);
	ASSERT_OK(ut_frame_build(&o, f));
}

static void block(struct bpf_object *obj, const char *map, const void *key)
{
	xk_hits zero = 0;

	ASSERT_OK(bpf_map_update_elem(ut_map_fd(obj, map), key, &zero, BPF_ANY) ? -errno : 0);
}

UT_TEST(capture_off_sends_nothing)
{
	struct bpf_object *obj = ut_load("blocklist");
	struct perf_buffer *pb;
	struct ut_frame f;
	struct cap c;
	xk_ipv4 src;

	if (!obj)
		return;
	udp4(&f);
	inet_pton(AF_INET, "10.11.0.1", &src);
	block(obj, "blocklist_v4", &src);
	pb = cap_open(obj, &c);
	if (!pb)
		return;
	cap_run(ut_prog(obj, "xdp"), &f, XDP_DROP, pb, &c);
	ASSERT_EQ(c.n, 0);
	cap_switch(obj, 1, 128, 0);
	cap_run(ut_prog(obj, "xdp"), &f, XDP_DROP, pb, &c);
	ASSERT_EQ(c.n, 1);
	cap_switch(obj, 0, 128, 0);
	cap_run(ut_prog(obj, "xdp"), &f, XDP_DROP, pb, &c);
	ASSERT_EQ(c.n, 0);
	perf_buffer__free(pb);
}

/* An exact rule on XDP: the record names it; snaplen cuts the bytes, not the length. */
UT_TEST(capture_blocklist_exact_xdp)
{
	struct bpf_object *obj = ut_load("blocklist");
	struct perf_buffer *pb;
	struct ut_frame f;
	struct cap c;
	xk_ipv4 src;

	if (!obj)
		return;
	udp4(&f);
	inet_pton(AF_INET, "10.11.0.1", &src);
	block(obj, "blocklist_v4", &src);
	pb = cap_open(obj, &c);
	if (!pb)
		return;
	cap_switch(obj, 1, 32, 0);
	cap_run(ut_prog(obj, "xdp"), &f, XDP_DROP, pb, &c);
	if (ASSERT_EQ(c.n, 1)) {
		ASSERT_EQ(c.m.hook, XK_HOOK_XDP);
		ASSERT_EQ(c.m.action, XDP_DROP);
		ASSERT_EQ(c.m.len, f.len);
		ASSERT_EQ(c.m.caplen, 32);
		ASSERT_TRUE(c.bytes >= 32);
		ASSERT_MEM_EQ(c.data, f.data, 32);
		ASSERT_EQ(c.m.rule.kind, XK_RULE_ADDR4);
		ASSERT_MEM_EQ(c.m.rule.addr, &src, 4);
	}
	perf_buffer__free(pb);
}

/* A prefix rule on TC: the address it held (the manager finds the prefix), TC's own verdict. */
UT_TEST(capture_blocklist_prefix_tc)
{
	struct bpf_object *obj = ut_load("blocklist");
	struct xk_cidr4 key = { .prefixlen = 16 };
	struct perf_buffer *pb;
	struct ut_frame f;
	struct cap c;
	xk_ipv4 src;

	if (!obj)
		return;
	udp4(&f);
	inet_pton(AF_INET, "10.11.0.1", &src);
	inet_pton(AF_INET, "10.11.0.0", &key.addr);
	block(obj, "blocklist_cidr4", &key);
	pb = cap_open(obj, &c);
	if (!pb)
		return;
	cap_switch(obj, 1, 0xffff, 0);
	cap_run(ut_prog(obj, "tc"), &f, TC_ACT_SHOT, pb, &c);
	if (ASSERT_EQ(c.n, 1)) {
		ASSERT_EQ(c.m.hook, XK_HOOK_TC);
		ASSERT_EQ(c.m.action, TC_ACT_SHOT);
		ASSERT_EQ(c.m.caplen, f.len);
		ASSERT_MEM_EQ(c.data, f.data, f.len);
		ASSERT_EQ(c.m.rule.kind, XK_RULE_CIDR4);
		ASSERT_MEM_EQ(c.m.rule.addr, &src, 4);
	}
	perf_buffer__free(pb);
}

/* A pass has no rule; a mask of drops keeps it in the kernel. */
UT_TEST(capture_verdict_mask)
{
	struct bpf_object *obj = ut_load("blocklist");
	struct perf_buffer *pb;
	struct ut_frame f;
	struct cap c;

	if (!obj)
		return;
	udp4(&f);
	pb = cap_open(obj, &c);
	if (!pb)
		return;
	cap_switch(obj, 1, 128, 1u << XK_STAT_DROP);
	cap_run(ut_prog(obj, "xdp"), &f, XDP_PASS, pb, &c);
	ASSERT_EQ(c.n, 0);
	cap_run(ut_prog(obj, "tc"), &f, (__u32)TC_ACT_UNSPEC, pb, &c);
	ASSERT_EQ(c.n, 0);
	cap_switch(obj, 1, 128, 1u << XK_STAT_PASS);
	cap_run(ut_prog(obj, "xdp"), &f, XDP_PASS, pb, &c);
	if (ASSERT_EQ(c.n, 1)) {
		ASSERT_EQ(c.m.action, XDP_PASS);
		ASSERT_EQ(c.m.rule.kind, XK_RULE_NONE);
	}
	cap_run(ut_prog(obj, "tc"), &f, (__u32)TC_ACT_UNSPEC, pb, &c);
	if (ASSERT_EQ(c.n, 1))
		ASSERT_EQ(c.m.action, TC_ACT_UNSPEC);
	perf_buffer__free(pb);
}

/* portfilter: the listed port, in network order. */
UT_TEST(capture_portfilter_port)
{
	struct bpf_object *obj = ut_load("portfilter");
	xk_port port = htons(53);
	struct perf_buffer *pb;
	struct ut_frame f;
	struct cap c;

	if (!obj)
		return;
	udp4(&f);
	ASSERT_OK(fu_percpu_put(ut_map_fd(obj, "portfilter_ports"), &port, 0));
	pb = cap_open(obj, &c);
	if (!pb)
		return;
	cap_switch(obj, 1, 128, 0);
	cap_run(ut_prog(obj, "xdp"), &f, XDP_DROP, pb, &c);
	if (ASSERT_EQ(c.n, 1)) {
		ASSERT_EQ(c.m.rule.kind, XK_RULE_PORT);
		ASSERT_EQ(c.m.rule.num, port);
	}
	perf_buffer__free(pb);
}

/* ratelimit: the source (::ffff:a.b.c.d) and the limits it went over. */
UT_TEST(capture_ratelimit_rule)
{
	struct bpf_object *obj = ut_load("ratelimit");
	struct ratelimit_config cfg = { .rate_pps = 1, .burst = 1 };
	__u8 mapped[16] = { [10] = 0xff, [11] = 0xff };
	struct perf_buffer *pb;
	struct ut_frame f;
	__u32 zero = 0;
	struct cap c;

	if (!obj)
		return;
	udp4(&f);
	inet_pton(AF_INET, "10.11.0.1", &mapped[12]);
	ASSERT_OK(bpf_map_update_elem(ut_map_fd(obj, "ratelimit_cfg"), &zero, &cfg, BPF_ANY)
			  ? -errno
			  : 0);
	pb = cap_open(obj, &c);
	if (!pb)
		return;
	cap_switch(obj, 1, 128, 1u << XK_STAT_DROP);
	cap_run(ut_prog(obj, "xdp"), &f, XDP_PASS, pb, &c); /* the burst's one token */
	ASSERT_EQ(c.n, 0);
	cap_run(ut_prog(obj, "xdp"), &f, XDP_DROP, pb, &c);
	if (ASSERT_EQ(c.n, 1)) {
		ASSERT_EQ(c.m.rule.kind, XK_RULE_RATE);
		ASSERT_EQ(c.m.rule.num, 1);
		ASSERT_EQ(c.m.rule.num2, 1);
		ASSERT_MEM_EQ(c.m.rule.addr, mapped, 16);
	}
	perf_buffer__free(pb);
}
