// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of multi-buffer frames (jumbo MTU) for every XDP program: the xdp.frags twin, and the
 * plain xdp entry loaded with BPF_F_XDP_HAS_FRAGS and the object's xk_xdp_frags switch (as xdpkit
 * loads it, through manager/frags.c). BPF_PROG_TEST_RUN splits input larger than a page into
 * fragments for programs loaded with frags: the verdict, the whole frame's bytes in the counters,
 * and the frame coming back unchanged. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/if_ether.h>
#include <xdpkit/count.h>
#include <xdpkit/stats.h>
#include "../../manager/hooks.h"
#include "frames.h"

#ifndef BPF_F_XDP_HAS_FRAGS
#define BPF_F_XDP_HAS_FRAGS (1U << 5)
#endif

/* A jumbo frame as a 9000-byte MTU carries it, larger than one page. */
#define JUMBO_LEN 9014
#define BIG_MAX 16384

struct big_frame {
	__u8 data[BIG_MAX];
	__u32 len;
};

struct big_result {
	__u32 retval;
	__u32 len;
	__u8 data[BIG_MAX];
};

/* Every XDP object of the collection, with the verdict it gives a plain UDP frame. */
static const struct {
	const char *name;
	__u32 verdict;
} fr_progs[] = {
	{ "hello", XDP_PASS },	   { "hello_drop", XDP_DROP }, { "count", XDP_PASS },
	{ "blocklist", XDP_PASS }, { "portfilter", XDP_PASS }, { "ratelimit", XDP_PASS },
	{ "pong", XDP_PASS },
};
#define FR_NPROGS ((int)(sizeof(fr_progs) / sizeof(fr_progs[0])))

/* A frame of kind grown to len bytes: the builder's headers, then payload; IP and UDP/ICMP lengths
 * made to match (checksums are not read by the programs on these paths). */
static bool jumbo_frame(enum ut_kind kind, __u32 len, struct big_frame *b)
{
	struct ut_frame_opts o;
	struct ut_frame f;
	__u32 i, l3;

	ut_frame_defaults(&o, kind);
	if (!ASSERT_OK(ut_frame_build(&o, &f)) || !ASSERT_TRUE(len <= BIG_MAX && len >= f.len))
		return false;
	memcpy(b->data, f.data, f.len);
	for (i = f.len; i < len; i++)
		b->data[i] = (__u8)(i * 7);
	b->len = len;
	l3 = f.l3_off;
	if (kind == UT_UDP4 || kind == UT_ICMP4 || kind == UT_TCP4) {
		__u16 tot = htons(len - l3);

		memcpy(b->data + l3 + 2, &tot, 2);
	} else {
		__u16 pl = htons(len - l3 - 40);

		memcpy(b->data + l3 + 4, &pl, 2);
	}
	if (kind == UT_UDP4 || kind == UT_UDP6) {
		__u16 ul = htons(len - f.l4_off);

		memcpy(b->data + f.l4_off + 4, &ul, 2);
	}
	return true;
}

/* One BPF_PROG_TEST_RUN. linear: bytes in the first buffer (0: as many as the kernel puts there). */
static int run_big(struct bpf_program *prog, const struct big_frame *b, __u32 linear,
		   struct big_result *r)
{
	struct xdp_md ctx = { .data_end = linear };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = b->data, .data_size_in = b->len,
		    .data_out = r->data, .data_size_out = sizeof(r->data), .repeat = 1);

	if (linear) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	memset(r, 0, sizeof(*r));
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts))
		return -errno;
	r->retval = opts.retval;
	r->len = opts.data_size_out;
	return 0;
}

/* Load name's object the way xdpkit attaches it: only the plain xdp entry, with
 * BPF_F_XDP_HAS_FRAGS, and (knob) the object's switch set. No pins. Caller closes. */
static struct bpf_object *load_plain_frags(const char *name, bool knob, struct bpf_program **prog)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_map *m;
	char path[512];
	int err;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", ut_build_dir, name);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		ut_fail(__FILE__, __LINE__, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	*prog = xk_obj_xdp_entry(obj);
	if (!ASSERT_TRUE(*prog) || !ASSERT_TRUE(xk_prog_declares_frags(obj, *prog)))
		goto fail;
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == *prog);
	bpf_object__for_each_map(m, obj)
		bpf_map__set_pin_path(m, NULL);
	bpf_program__set_flags(*prog, bpf_program__flags(*prog) | BPF_F_XDP_HAS_FRAGS);
	if (knob && !ASSERT_OK(xk_obj_frags_knob(obj, true)))
		goto fail;
	err = bpf_object__load(obj);
	if (!ASSERT_OK(err))
		goto fail;
	return obj;
fail:
	bpf_object__close(obj);
	return NULL;
}

/* Verdict, counters and output of one jumbo UDP frame through prog. */
static void check_jumbo(struct bpf_object *obj, struct bpf_program *prog, __u32 verdict,
			__u64 want_bytes)
{
	static struct big_frame b;
	static struct big_result r;
	__u64 pkts, bytes;

	if (!jumbo_frame(UT_UDP4, JUMBO_LEN, &b) || !ASSERT_OK(run_big(prog, &b, 0, &r)))
		return;
	ASSERT_EQ(r.retval, verdict);
	ASSERT_EQ(r.len, b.len);
	ASSERT_MEM_EQ(r.data, b.data, b.len);
	ASSERT_OK(ut_stats(obj, verdict, &pkts, &bytes));
	ASSERT_EQ(pkts, 1);
	ASSERT_EQ(bytes, want_bytes);
	ASSERT_OK(ut_stats(obj, XK_STAT_MALFORMED, &pkts, &bytes));
	ASSERT_EQ(pkts, 0);
}

UT_TEST(frags_twin_counts_whole_jumbo_frame)
{
	char twin[64];
	int i;

	for (i = 0; i < FR_NPROGS; i++) {
		struct bpf_object *obj = ut_load(fr_progs[i].name);
		struct bpf_program *prog;

		ut_context("%s", fr_progs[i].name);
		snprintf(twin, sizeof(twin), "%s_frags",
			 strcmp(fr_progs[i].name, "hello_drop") ? fr_progs[i].name : "hello");
		if (!obj || !(prog = ut_prog(obj, twin)))
			continue;
		ASSERT_EQ(strcmp(bpf_program__section_name(prog), "xdp.frags"), 0);
		check_jumbo(obj, prog, fr_progs[i].verdict, JUMBO_LEN);
	}
}

UT_TEST(frags_plain_entry_as_xdpkit_loads_it)
{
	int i;

	for (i = 0; i < FR_NPROGS; i++) {
		struct bpf_program *prog;
		struct bpf_object *obj;

		ut_context("%s with the switch", fr_progs[i].name);
		obj = load_plain_frags(fr_progs[i].name, true, &prog);
		if (!obj)
			continue;
		/* The kernel name users see stays the plain one. */
		ASSERT_EQ(strcmp(bpf_program__name(prog), strcmp(fr_progs[i].name, "hello_drop")
								  ? fr_progs[i].name
								  : "hello"),
			  0);
		check_jumbo(obj, prog, fr_progs[i].verdict, JUMBO_LEN);
		bpf_object__close(obj);
	}
}

/* Without the switch the flag alone lets the frame in but the count stops at the first buffer:
 * what the switch is for (and proof the check above can fail). */
UT_TEST(frags_plain_entry_without_switch_counts_first_buffer)
{
	static struct big_frame b;
	static struct big_result r;
	struct bpf_program *prog;
	struct bpf_object *obj;
	__u64 pkts, bytes;

	obj = load_plain_frags("count", false, &prog);
	if (!obj)
		return;
	if (jumbo_frame(UT_UDP4, JUMBO_LEN, &b) && ASSERT_OK(run_big(prog, &b, 0, &r))) {
		ASSERT_EQ(r.retval, XDP_PASS);
		ASSERT_OK(ut_stats(obj, XK_STAT_PASS, &pkts, &bytes));
		ASSERT_EQ(pkts, 1);
		ASSERT_TRUE(bytes > 0 && bytes < JUMBO_LEN);
	}
	bpf_object__close(obj);
}

UT_TEST(frags_small_frame_through_twin)
{
	struct bpf_object *obj = ut_load("count");
	struct bpf_program *prog;
	struct ut_frame_opts o;
	struct ut_frame f;
	struct ut_result r;
	__u64 pkts, bytes;

	if (!obj || !(prog = ut_prog(obj, "count_frags")))
		return;
	ut_frame_defaults(&o, UT_UDP4);
	if (!ASSERT_OK(ut_frame_build(&o, &f)) || !ASSERT_OK(ut_run(prog, f.data, f.len, &r)))
		return;
	ASSERT_EQ(r.retval, XDP_PASS);
	ASSERT_OK(ut_stats(obj, XK_STAT_PASS, &pkts, &bytes));
	ASSERT_EQ(pkts, 1);
	ASSERT_EQ(bytes, f.len);
}

UT_TEST(frags_blocklist_drops_jumbo_from_blocked_source)
{
	static struct big_frame b;
	static struct big_result r;
	const char *entries[] = { "blocklist_frags", "xdp" };
	__u64 pkts, bytes, hits = 0;
	xk_ipv4 src = 0;
	int i;

	inet_pton(AF_INET, "10.11.0.1", &src); /* the builder's default source */
	for (i = 0; i < 2; i++) {
		struct bpf_object *obj;
		struct bpf_program *prog;
		xk_hits zero = 0;

		ut_context("%s", entries[i]);
		obj = i ? load_plain_frags("blocklist", true, &prog) : ut_load("blocklist");
		if (!obj || (!i && !(prog = ut_prog(obj, entries[i]))))
			continue;
		if (ASSERT_OK(bpf_map_update_elem(ut_map_fd(obj, "blocklist_v4"), &src, &zero,
						  BPF_ANY)) &&
		    jumbo_frame(UT_UDP4, JUMBO_LEN, &b) && ASSERT_OK(run_big(prog, &b, 0, &r))) {
			ASSERT_EQ(r.retval, XDP_DROP);
			ASSERT_OK(ut_stats(obj, XK_STAT_DROP, &pkts, &bytes));
			ASSERT_EQ(pkts, 1);
			ASSERT_EQ(bytes, JUMBO_LEN);
			ASSERT_OK(bpf_map_lookup_elem(ut_map_fd(obj, "blocklist_v4"), &src, &hits));
			ASSERT_EQ(hits, 1);
		}
		if (i)
			bpf_object__close(obj);
	}
}

UT_TEST(frags_portfilter_drops_jumbo_to_listed_port)
{
	struct bpf_object *obj = ut_load("portfilter");
	static struct big_frame b;
	static struct big_result r;
	struct bpf_program *prog;
	__u16 port = htons(53); /* the builder's default UDP destination */
	__u64 pkts, bytes;
	__u64 *hits;
	int ncpu = libbpf_num_possible_cpus();

	if (!obj || !(prog = ut_prog(obj, "portfilter_frags")) || ncpu < 1)
		return;
	hits = calloc(ncpu, sizeof(*hits));
	if (!ASSERT_TRUE(hits))
		return;
	if (ASSERT_OK(bpf_map_update_elem(ut_map_fd(obj, "portfilter_ports"), &port, hits,
					  BPF_ANY)) &&
	    jumbo_frame(UT_UDP4, JUMBO_LEN, &b) && ASSERT_OK(run_big(prog, &b, 0, &r))) {
		ASSERT_EQ(r.retval, XDP_DROP);
		ASSERT_OK(ut_stats(obj, XK_STAT_DROP, &pkts, &bytes));
		ASSERT_EQ(bytes, JUMBO_LEN);
	}
	free(hits);
}

UT_TEST(frags_count_proto_bytes_of_jumbo)
{
	struct count_key key = { .ethertype = ETH_P_IPV6, .ip_proto = IPPROTO_UDP };
	struct bpf_object *obj = ut_load("count");
	static struct big_frame b;
	static struct big_result r;
	struct bpf_program *prog;
	__u64 sum[2];

	if (!obj || !(prog = ut_prog(obj, "count_frags")))
		return;
	if (!jumbo_frame(UT_UDP6, JUMBO_LEN, &b) || !ASSERT_OK(run_big(prog, &b, 0, &r)))
		return;
	ASSERT_EQ(r.retval, XDP_PASS);
	ASSERT_OK(ut_percpu_sum(ut_map_fd(obj, "count_proto"), &key, sum, 2));
	ASSERT_EQ(sum[0], 1);
	ASSERT_EQ(sum[1], JUMBO_LEN);
}

/* pong answers in place; a request in several buffers would need every fragment turned around, so
 * it passes (the stack answers it), and is not malformed. A small request still gets its reply. */
UT_TEST(frags_pong_passes_multi_buffer_echo)
{
	enum ut_kind kinds[] = { UT_ICMP4, UT_ICMP6 };
	static struct big_frame b;
	static struct big_result r;
	int i;

	for (i = 0; i < 2; i++) {
		struct bpf_object *obj = ut_load("pong");
		struct bpf_program *prog;
		struct ut_frame_opts o;
		struct ut_frame f;
		struct ut_result sr;
		__u64 pkts, bytes;

		ut_context("%s", i ? "icmpv6" : "icmp");
		if (!obj || !(prog = ut_prog(obj, "pong_frags")))
			continue;
		if (jumbo_frame(kinds[i], 8042, &b) && ASSERT_OK(run_big(prog, &b, 0, &r))) {
			ASSERT_EQ(r.retval, XDP_PASS);
			ASSERT_MEM_EQ(r.data, b.data, b.len);
			ASSERT_OK(ut_stats(obj, XK_STAT_PASS, &pkts, &bytes));
			ASSERT_EQ(pkts, 1);
			ASSERT_EQ(bytes, 8042);
			ASSERT_OK(ut_stats(obj, XK_STAT_MALFORMED, &pkts, &bytes));
			ASSERT_EQ(pkts, 0);
			ASSERT_OK(ut_stats(obj, XK_STAT_TX, &pkts, &bytes));
			ASSERT_EQ(pkts, 0);
		}
		ut_frame_defaults(&o, kinds[i]);
		if (ASSERT_OK(ut_frame_build(&o, &f)) &&
		    ASSERT_OK(ut_run(prog, f.data, f.len, &sr)))
			ASSERT_EQ(sr.retval, XDP_TX);
	}
}

/* Headers that run past the first buffer are read as a frame cut there: passed and counted
 * MALFORMED, with the whole frame's bytes. Needs a kernel whose BPF_PROG_TEST_RUN takes the
 * linear size from ctx_in.data_end (6.18); older ones put a page in the first buffer. */
UT_TEST(frags_headers_past_first_buffer_are_malformed)
{
	static struct big_frame b;
	static struct big_result r;
	struct bpf_object *obj = ut_load("blocklist");
	struct bpf_program *prog;
	__u64 pkts, bytes;
	int err;

	if (!obj || !(prog = ut_prog(obj, "blocklist_frags")) ||
	    !jumbo_frame(UT_UDP4, JUMBO_LEN, &b))
		return;
	/* 14 + 10: the first buffer ends inside the IPv4 header, before the source address. */
	err = run_big(prog, &b, 24, &r);
	if (err == -EINVAL) {
		printf("     (skipped: this kernel's BPF_PROG_TEST_RUN cannot shorten the first "
		       "buffer)\n");
		return;
	}
	if (!ASSERT_OK(err))
		return;
	ASSERT_EQ(r.retval, XDP_PASS);
	ASSERT_OK(ut_stats(obj, XK_STAT_MALFORMED, &pkts, &bytes));
	ASSERT_EQ(pkts, 1);
	ASSERT_EQ(bytes, JUMBO_LEN);
}
