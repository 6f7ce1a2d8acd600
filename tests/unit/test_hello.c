// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of hello and hello_drop: the global counter counts runs, the verdict is PASS or DROP,
 * the frame is untouched and xdpkit_stats counts every verdict. */
#include <linux/bpf.h>
#include <xdpkit/stats.h>
#include "frames.h"

#define HELLO_RUNS 7

/* Run obj's xdp program HELLO_RUNS times on every frame of the catalogue and check all it promises.
 */
static void hello_check(const char *name, __u32 verdict)
{
	struct bpf_object *obj = ut_load(name);
	struct bpf_program *prog;
	struct ut_frame_opts o;
	struct ut_frame f;
	struct ut_result r;
	__u64 runs = 0, bytes = 0, pkts, b;
	int bss, i, n, slot;
	int counter;
	__u32 zero = 0;

	if (!obj || !(prog = ut_prog(obj, "xdp")) || (bss = ut_map_fd(obj, ".bss")) < 0)
		return;
	for (i = 0; i < ut_ncases; i++) {
		ut_context("%s, %s", name, ut_cases[i].name);
		ut_case_opts(&ut_cases[i], &o);
		if (!ASSERT_OK(ut_frame_build(&o, &f)))
			return;
		for (n = 0; n < HELLO_RUNS; n++) {
			if (!ASSERT_OK(ut_run(prog, f.data, f.len, &r)))
				return;
			ASSERT_EQ(r.retval, verdict);
			ASSERT_EQ(r.len, f.len);
			ASSERT_MEM_EQ(r.data, f.data, f.len);
			runs++;
			bytes += f.len;
		}
	}
	ut_context("%s", name);
	/* `int counter` lives in .bss; it is the only variable there. */
	if (ASSERT_EQ(bpf_map_lookup_elem(bss, &zero, &counter), 0))
		ASSERT_EQ(counter, runs);
	for (slot = 0; slot < XK_STAT_MAX; slot++) {
		ut_context("%s, stats slot %d", name, slot);
		if (!ASSERT_OK(ut_stats(obj, slot, &pkts, &b)))
			continue;
		ASSERT_EQ(pkts, (__u32)slot == verdict ? runs : 0);
		ASSERT_EQ(b, (__u32)slot == verdict ? bytes : 0);
	}

	/* ut_reset_maps() puts the counter back to its initial 0, and the next run prints "Hello
	 * World 0" again. */
	ut_context("%s after reset", name);
	if (!ASSERT_OK(ut_reset_maps(obj)) || !ASSERT_OK(ut_run(prog, f.data, f.len, &r)))
		return;
	if (ASSERT_EQ(bpf_map_lookup_elem(bss, &zero, &counter), 0))
		ASSERT_EQ(counter, 1);
	ASSERT_OK(ut_stats(obj, verdict, &pkts, &b));
	ASSERT_EQ(pkts, 1);
}

UT_TEST(hello_passes_and_counts)
{
	hello_check("hello", XDP_PASS);
}

UT_TEST(hello_drop_drops_and_counts)
{
	hello_check("hello_drop", XDP_DROP);
}

/* Every truncation point is still a frame: hello does not parse, so it passes all of them. */
UT_TEST(hello_truncated_frames_pass)
{
	struct bpf_object *obj = ut_load("hello");
	struct ut_cut cuts[UT_MAX_CUTS];
	struct bpf_program *prog;
	struct ut_frame_opts o;
	struct ut_frame f;
	struct ut_result r;
	__u64 pkts, b, want = 0;
	int i, j, n;

	if (!obj || !(prog = ut_prog(obj, "xdp")))
		return;
	for (i = 0; i < ut_ncases; i++) {
		ut_case_opts(&ut_cases[i], &o);
		if (!ASSERT_OK(ut_frame_build(&o, &f)))
			return;
		n = ut_frame_cuts(&f, cuts);
		for (j = 0; j < n; j++) {
			ut_context("%s cut %s (%u bytes)", ut_cases[i].name, cuts[j].what,
				   cuts[j].len);
			if (!ASSERT_OK(ut_run(prog, f.data, cuts[j].len, &r)))
				return;
			ASSERT_EQ(r.retval, XDP_PASS);
			want++;
		}
	}
	ut_context(NULL);
	ASSERT_OK(ut_stats(obj, XK_STAT_PASS, &pkts, &b));
	ASSERT_EQ(pkts, want);
	ASSERT_OK(ut_stats(obj, XK_STAT_MALFORMED, &pkts, &b));
	ASSERT_EQ(pkts, 0);
}
