// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of progs/portfilter.bpf.c: deny and allow-only modes on XDP and TC, over every frame
 * shape and every truncation point, with per-port hit counters. */
#include <arpa/inet.h>
#include <errno.h>
#include <xdpkit/portfilter.h>
#include "filter_util.h"

static const struct fu_hook *pf_hooks[] = { &fu_xdp, &fu_tc };

/* The frame builder's default destination ports. */
#define UDP_PORT 53
#define TCP_PORT 80

static void set_mode(struct bpf_object *obj, __u32 mode)
{
	struct portfilter_config cfg = { .mode = mode };
	__u32 zero = 0;

	ASSERT_OK(bpf_map_update_elem(ut_map_fd(obj, "portfilter_cfg"), &zero, &cfg, BPF_ANY)
			  ? -errno
			  : 0);
}

static void list_port(struct bpf_object *obj, __u16 port)
{
	xk_port key = htons(port);

	ASSERT_OK(fu_percpu_put(ut_map_fd(obj, "portfilter_ports"), &key, 0));
}

static __u64 port_hits(struct bpf_object *obj, __u16 port)
{
	xk_port key = htons(port);

	return fu_percpu_hits(obj, "portfilter_ports", &key);
}

/* The destination port this frame carries for the filter: 0 when it has none it may read (not
 * TCP/UDP, or a later fragment). */
static __u16 frame_port(const struct ut_case *c)
{
	if (c->frag == UT_FRAG_LATER)
		return 0;
	if (c->kind == UT_UDP4 || c->kind == UT_UDP6)
		return UDP_PORT;
	if (c->kind == UT_TCP4 || c->kind == UT_TCP6)
		return TCP_PORT;
	return 0;
}

/* Every catalogue frame through one hook with the ports listed so far; drop53/drop80 say the
 * expected fate of a frame that carries that port. Returns how many frames carried each port in
 * n53/n80. */
static void run_every_case(struct bpf_object *obj, const struct fu_hook *h, bool drop53,
			   bool drop80, __u64 *n53, __u64 *n80)
{
	struct bpf_program *prog = ut_prog(obj, h->sec);
	__u64 pass = 0, drop = 0;
	struct ut_frame f;
	int i;

	*n53 = *n80 = 0;
	if (!prog)
		return;
	for (i = 0; i < ut_ncases; i++) {
		const struct ut_case *c = &ut_cases[i];
		__u16 port = frame_port(c);
		bool d = (port == UDP_PORT && drop53) || (port == TCP_PORT && drop80);

		ut_context("%s %s", h->sec, c->name);
		if (!fu_build_case(c, &f))
			continue;
		fu_run(prog, f.data, f.len, d ? h->drop : h->pass, false);
		d ? drop++ : pass++;
		*n53 += port == UDP_PORT;
		*n80 += port == TCP_PORT;
	}
	ASSERT_TRUE(*n53 > 0 && *n80 > 0);
	fu_check_stats(obj, pass, drop, 0);
}

UT_TEST(portfilter_empty_deny_list_passes_everything)
{
	struct bpf_object *obj = ut_load("portfilter");
	__u64 n53, n80;
	size_t h;

	if (!obj)
		return;
	for (h = 0; h < 2; h++) {
		ASSERT_OK(ut_reset_maps(obj));
		run_every_case(obj, pf_hooks[h], false, false, &n53, &n80);
	}
}

/* Deny 53 and 80: every UDP and TCP shape that carries its port (VLAN, QinQ, options, first
 * fragments, extension headers) is dropped and counted on its port; ICMP, ARP and later fragments
 * pass. */
UT_TEST(portfilter_deny_listed_ports)
{
	struct bpf_object *obj = ut_load("portfilter");
	__u64 n53, n80;
	size_t h;

	if (!obj)
		return;
	for (h = 0; h < 2; h++) {
		ASSERT_OK(ut_reset_maps(obj));
		list_port(obj, UDP_PORT);
		list_port(obj, TCP_PORT);
		run_every_case(obj, pf_hooks[h], true, true, &n53, &n80);
		ut_context("%s hit counters", pf_hooks[h]->sec);
		ASSERT_EQ(port_hits(obj, UDP_PORT), n53);
		ASSERT_EQ(port_hits(obj, TCP_PORT), n80);
	}
}

/* Deny only 80: UDP to 53 is not touched. */
UT_TEST(portfilter_deny_one_port)
{
	struct bpf_object *obj = ut_load("portfilter");
	__u64 n53, n80;
	size_t h;

	if (!obj)
		return;
	for (h = 0; h < 2; h++) {
		ASSERT_OK(ut_reset_maps(obj));
		list_port(obj, TCP_PORT);
		run_every_case(obj, pf_hooks[h], false, true, &n53, &n80);
		ut_context("%s hit counters", pf_hooks[h]->sec);
		ASSERT_EQ(port_hits(obj, TCP_PORT), n80);
	}
}

/* Allow only 53: UDP to 53 passes and is counted, TCP to 80 is dropped, port-less frames pass. */
UT_TEST(portfilter_allow_only_listed)
{
	struct bpf_object *obj = ut_load("portfilter");
	__u64 n53, n80;
	size_t h;

	if (!obj)
		return;
	for (h = 0; h < 2; h++) {
		ASSERT_OK(ut_reset_maps(obj));
		set_mode(obj, PORTFILTER_ALLOW_ONLY);
		list_port(obj, UDP_PORT);
		run_every_case(obj, pf_hooks[h], false, true, &n53, &n80);
		ut_context("%s hit counters", pf_hooks[h]->sec);
		ASSERT_EQ(port_hits(obj, UDP_PORT), n53);
	}
}

/* The port is a TCP/UDP thing: a UDP source port or an ICMP id equal to a listed port does not
 * count, and the same number as a destination port does, for TCP and UDP alike. */
UT_TEST(portfilter_matches_destination_port_only)
{
	struct bpf_object *obj = ut_load("portfilter");
	struct bpf_program *prog;
	struct ut_frame_opts o;
	struct ut_frame f;

	if (!obj || !(prog = ut_prog(obj, "xdp")))
		return;
	list_port(obj, 4000);
	ut_context("udp source port 4000");
	ut_frame_defaults(&o, UT_UDP4);
	o.sport = 4000;
	ASSERT_OK(ut_frame_build(&o, &f));
	fu_run(prog, f.data, f.len, XDP_PASS, false);
	ut_context("icmp id 4000");
	ut_frame_defaults(&o, UT_ICMP4);
	o.icmp_id = 4000;
	ASSERT_OK(ut_frame_build(&o, &f));
	fu_run(prog, f.data, f.len, XDP_PASS, false);
	ut_context("ipv6 tcp to 4000");
	ut_frame_defaults(&o, UT_TCP6);
	o.dport = 4000;
	ASSERT_OK(ut_frame_build(&o, &f));
	fu_run(prog, f.data, f.len, XDP_DROP, false);
	ut_context("udp to 4000");
	ut_frame_defaults(&o, UT_UDP4);
	o.dport = 4000;
	ASSERT_OK(ut_frame_build(&o, &f));
	fu_run(prog, f.data, f.len, XDP_DROP, false);
	ASSERT_EQ(port_hits(obj, 4000), 2);
	fu_check_stats(obj, 2, 2, 0);
}

/* Every truncation point of every shape, in both modes: a frame the parser cannot read to the end
 * of its transport header (or, for a later fragment, of its IP headers) passes and is counted as
 * malformed, even in allow-only mode; a complete header gets the usual verdict, however short the
 * payload. */
UT_TEST(portfilter_truncated_frames)
{
	struct bpf_object *obj = ut_load("portfilter");
	struct ut_cut cuts[UT_MAX_CUTS];
	struct ut_frame f;
	size_t h;
	int i, j, n, mode;

	if (!obj)
		return;
	for (mode = PORTFILTER_DENY; mode <= PORTFILTER_ALLOW_ONLY; mode++) {
		for (h = 0; h < 2; h++) {
			const struct fu_hook *hk = pf_hooks[h];
			struct bpf_program *prog = ut_prog(obj, hk->sec);
			__u64 pass = 0, drop = 0, malformed = 0;

			if (!prog)
				return;
			ASSERT_OK(ut_reset_maps(obj));
			set_mode(obj, mode);
			list_port(obj, UDP_PORT); /* deny: drop UDP; allow-only: drop TCP */
			for (i = 0; i < ut_ncases; i++) {
				const struct ut_case *c = &ut_cases[i];
				__u16 port = frame_port(c);
				__u32 parse_end;

				if (!fu_build_case(c, &f))
					continue;
				parse_end = c->kind == UT_ARP ? f.l3_off : f.payload_off;
				n = ut_frame_cuts(&f, cuts);
				for (j = 0; j < n; j++) {
					bool complete = cuts[j].len >= parse_end;
					bool d = complete && port &&
						 (mode == PORTFILTER_DENY ? port == UDP_PORT
									  : port != UDP_PORT);

					ut_context("%s mode %d %s cut %u (%s)", hk->sec, mode,
						   c->name, cuts[j].len, cuts[j].what);
					if (!fu_run(prog, f.data, cuts[j].len,
						    d ? hk->drop : hk->pass,
						    fu_tc_may_refuse(hk, c, &f, cuts[j].len)))
						continue;
					d ? drop++ : pass++;
					malformed += !complete;
				}
			}
			ASSERT_TRUE(malformed > 0 && drop > 0);
			fu_check_stats(obj, pass, drop, malformed);
		}
	}
}
