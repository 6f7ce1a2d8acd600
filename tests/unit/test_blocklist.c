// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of progs/blocklist.bpf.c: exact and CIDR rules, v4 and v6, source and destination
 * mode, on XDP and TC, over every frame shape and every truncation point. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/pkt_cls.h>
#include <xdpkit/blocklist.h>
#include <xdpkit/stats.h>
#include "filter_util.h"

/* The frame builder's default addresses (see ut_frame_defaults). */
#define SRC4 "10.11.0.1"
#define DST4 "10.11.0.2"
#define SRC6 "fd00:11::1"
#define DST6 "fd00:11::2"

static const struct fu_hook *bl_hooks[] = { &fu_xdp, &fu_tc };

static xk_ipv4 v4(const char *s)
{
	xk_ipv4 a = 0;

	inet_pton(AF_INET, s, &a);
	return a;
}

static xk_ipv6 v6(const char *s)
{
	xk_ipv6 a = {};

	inet_pton(AF_INET6, s, &a);
	return a;
}

static int put_zero(int fd, const void *key)
{
	xk_hits zero = 0;

	return bpf_map_update_elem(fd, key, &zero, BPF_ANY) ? -errno : 0;
}

static void set_cfg(struct bpf_object *obj, __u32 match)
{
	struct blocklist_config cfg = { .match = match };
	__u32 zero = 0;

	ASSERT_OK(bpf_map_update_elem(ut_map_fd(obj, "blocklist_cfg"), &zero, &cfg, BPF_ANY)
			  ? -errno
			  : 0);
}

/* Every rule map has one shared counter per rule (no per-CPU values). */
static __u64 rule_hits(struct bpf_object *obj, const char *map, const void *key)
{
	__u64 hits = 0;

	ASSERT_OK(bpf_map_lookup_elem(ut_map_fd(obj, map), key, &hits) ? -errno : 0);
	return hits;
}

/* Run every catalogue frame through hook h; IP frames get drop_ip, ARP passes. Returns the IPv4 and
 * IPv6 frames seen, so the caller can check rule counters. */
static void run_every_case(struct bpf_object *obj, const struct fu_hook *h, bool drop_ip, __u64 *n4,
			   __u64 *n6)
{
	struct bpf_program *prog = ut_prog(obj, h->sec);
	struct ut_frame f;
	__u64 pass = 0, drop = 0;
	int i;

	*n4 = *n6 = 0;
	if (!prog)
		return;
	for (i = 0; i < ut_ncases; i++) {
		const struct ut_case *c = &ut_cases[i];
		bool ip = c->kind != UT_ARP;

		ut_context("%s %s", h->sec, c->name);
		if (!fu_build_case(c, &f))
			continue;
		fu_run(prog, f.data, f.len, ip && drop_ip ? h->drop : h->pass, false);
		if (ip && drop_ip)
			drop++;
		else
			pass++;
		if (ip)
			*(fu_is_v6(c->kind) ? n6 : n4) += 1;
	}
	fu_check_stats(obj, pass, drop, 0);
}

UT_TEST(blocklist_no_rules_passes_everything)
{
	struct bpf_object *obj = ut_load("blocklist");
	__u64 n4, n6;
	size_t h;

	if (!obj)
		return;
	for (h = 0; h < 2; h++) {
		ASSERT_OK(ut_reset_maps(obj));
		run_every_case(obj, bl_hooks[h], false, &n4, &n6);
		ASSERT_TRUE(n4 > 0 && n6 > 0);
	}
}

/* Exact source rules for both default sources: every IP shape (VLAN, QinQ, options, both kinds of
 * fragments, extension headers) is dropped and counted on its rule; ARP passes. */
UT_TEST(blocklist_exact_src_every_shape)
{
	struct bpf_object *obj = ut_load("blocklist");
	xk_ipv4 a4 = v4(SRC4);
	xk_ipv6 a6 = v6(SRC6);
	__u64 n4, n6;
	size_t h;

	if (!obj)
		return;
	for (h = 0; h < 2; h++) {
		ASSERT_OK(ut_reset_maps(obj));
		ASSERT_OK(put_zero(ut_map_fd(obj, "blocklist_v4"), &a4));
		ASSERT_OK(put_zero(ut_map_fd(obj, "blocklist_v6"), &a6));
		run_every_case(obj, bl_hooks[h], true, &n4, &n6);
		ut_context("%s hit counters", bl_hooks[h]->sec);
		ASSERT_EQ(rule_hits(obj, "blocklist_v4", &a4), n4);
		ASSERT_EQ(rule_hits(obj, "blocklist_v6", &a6), n6);
	}
}

/* The same address is a source rule in src mode only and a destination rule in dst mode only. */
UT_TEST(blocklist_src_and_dst_mode)
{
	struct bpf_object *obj = ut_load("blocklist");
	struct ut_frame_opts o;
	struct ut_frame f4, f6;
	xk_ipv4 d4 = v4(DST4), s4 = v4(SRC4);
	xk_ipv6 d6 = v6(DST6);
	struct bpf_program *prog;
	size_t h;

	if (!obj)
		return;
	ut_frame_defaults(&o, UT_UDP4);
	ASSERT_OK(ut_frame_build(&o, &f4));
	ut_frame_defaults(&o, UT_TCP6);
	ASSERT_OK(ut_frame_build(&o, &f6));
	for (h = 0; h < 2; h++) {
		const struct fu_hook *hk = bl_hooks[h];

		prog = ut_prog(obj, hk->sec);
		if (!prog)
			return;
		ASSERT_OK(ut_reset_maps(obj));
		ASSERT_OK(put_zero(ut_map_fd(obj, "blocklist_v4"), &d4));
		ASSERT_OK(put_zero(ut_map_fd(obj, "blocklist_v6"), &d6));
		ut_context("%s src mode, rule on the destination", hk->sec);
		fu_run(prog, f4.data, f4.len, hk->pass, false);
		fu_run(prog, f6.data, f6.len, hk->pass, false);
		ASSERT_EQ(rule_hits(obj, "blocklist_v4", &d4), 0);

		set_cfg(obj, BLOCKLIST_MATCH_DST);
		ut_context("%s dst mode, rule on the destination", hk->sec);
		fu_run(prog, f4.data, f4.len, hk->drop, false);
		fu_run(prog, f6.data, f6.len, hk->drop, false);
		ASSERT_EQ(rule_hits(obj, "blocklist_v4", &d4), 1);
		ASSERT_EQ(rule_hits(obj, "blocklist_v6", &d6), 1);

		ut_context("%s dst mode, rule on the source", hk->sec);
		ASSERT_OK(bpf_map_delete_elem(ut_map_fd(obj, "blocklist_v4"), &d4) ? -errno : 0);
		ASSERT_OK(put_zero(ut_map_fd(obj, "blocklist_v4"), &s4));
		fu_run(prog, f4.data, f4.len, hk->pass, false);
		ASSERT_EQ(rule_hits(obj, "blocklist_v4", &s4), 0);
		fu_check_stats(obj, 3, 2, 0);
	}
}

/* Prefix rules apply as soon as they are in the tries, written by anyone (no count or flag to keep
 * in step); the longest prefix is the one counted; an exact rule wins and leaves the trie counter
 * alone; a trie emptied again is skipped (the kernel's own count of the trie). */
UT_TEST(blocklist_cidr_v4_v6)
{
	struct bpf_object *obj = ut_load("blocklist");
	struct xk_cidr4 p16 = { 16, v4("10.11.0.0") }, p24 = { 24, v4("10.11.0.0") },
			other = { 32, v4("10.12.3.4") };
	struct xk_cidr6 p32 = { 32, v6("fd00:11::") }, p64 = { 64, v6("fd00:11::") };
	struct ut_frame_opts o;
	struct ut_frame f4, f6, f4b;
	struct bpf_program *prog;
	xk_ipv4 s4 = v4(SRC4);
	size_t h;

	if (!obj)
		return;
	ut_frame_defaults(&o, UT_ICMP4);
	o.vlans = 2;
	ASSERT_OK(ut_frame_build(&o, &f4));
	ut_frame_defaults(&o, UT_UDP4);
	inet_pton(AF_INET, "10.12.3.4", &o.src4);
	ASSERT_OK(ut_frame_build(&o, &f4b));
	ut_frame_defaults(&o, UT_UDP6);
	o.ip6_ext = true;
	ASSERT_OK(ut_frame_build(&o, &f6));
	for (h = 0; h < 2; h++) {
		const struct fu_hook *hk = bl_hooks[h];
		int c4 = ut_map_fd(obj, "blocklist_cidr4"), c6 = ut_map_fd(obj, "blocklist_cidr6");

		prog = ut_prog(obj, hk->sec);
		if (!prog)
			return;
		ASSERT_OK(ut_reset_maps(obj));
		ut_context("%s empty tries", hk->sec);
		fu_run(prog, f4.data, f4.len, hk->pass, false);
		fu_run(prog, f6.data, f6.len, hk->pass, false);

		/* Written straight into the maps, as bpftool would: nothing else is touched. */
		ASSERT_OK(put_zero(c4, &p16));
		ASSERT_OK(put_zero(c4, &p24));
		ASSERT_OK(put_zero(c6, &p32));
		ASSERT_OK(put_zero(c6, &p64));
		ut_context("%s prefixes written", hk->sec);
		fu_run(prog, f4.data, f4.len, hk->drop, false);
		fu_run(prog, f6.data, f6.len, hk->drop, false);
		fu_run(prog, f4b.data, f4b.len, hk->pass,
		       false); /* 10.12.3.4: no prefix covers it yet */
		ASSERT_EQ(rule_hits(obj, "blocklist_cidr4", &p24), 1); /* longest match */
		ASSERT_EQ(rule_hits(obj, "blocklist_cidr4", &p16), 0);
		ASSERT_EQ(rule_hits(obj, "blocklist_cidr6", &p64), 1);
		ASSERT_EQ(rule_hits(obj, "blocklist_cidr6", &p32), 0);

		ut_context("%s exact rule first", hk->sec);
		ASSERT_OK(put_zero(ut_map_fd(obj, "blocklist_v4"), &s4));
		fu_run(prog, f4.data, f4.len, hk->drop, false);
		ASSERT_EQ(rule_hits(obj, "blocklist_v4", &s4), 1);
		ASSERT_EQ(rule_hits(obj, "blocklist_cidr4", &p24), 1);

		ut_context("%s a host route (/32) in the trie", hk->sec);
		ASSERT_OK(put_zero(c4, &other));
		fu_run(prog, f4b.data, f4b.len, hk->drop, false);
		ASSERT_EQ(rule_hits(obj, "blocklist_cidr4", &other), 1);

		ut_context("%s every rule deleted again", hk->sec);
		ASSERT_OK(bpf_map_delete_elem(ut_map_fd(obj, "blocklist_v4"), &s4) ? -errno : 0);
		ASSERT_OK(bpf_map_delete_elem(c4, &p16) ? -errno : 0);
		ASSERT_OK(bpf_map_delete_elem(c4, &p24) ? -errno : 0);
		ASSERT_OK(bpf_map_delete_elem(c4, &other) ? -errno : 0);
		ASSERT_OK(bpf_map_delete_elem(c6, &p32) ? -errno : 0);
		ASSERT_OK(bpf_map_delete_elem(c6, &p64) ? -errno : 0);
		fu_run(prog, f4.data, f4.len, hk->pass, false);
		fu_run(prog, f6.data, f6.len, hk->pass, false);
		fu_run(prog, f4b.data, f4b.len, hk->pass, false);
		fu_check_stats(obj, 6, 4, 0);
	}
}

/* Every truncation point of every shape, with rules on both sources: once the whole IP header
 * (options included) is there the address rule applies, whatever follows is cut; before that the
 * frame passes and is counted as malformed. ARP cut after its tags is still just ARP. */
UT_TEST(blocklist_truncated_frames)
{
	struct bpf_object *obj = ut_load("blocklist");
	xk_ipv4 a4 = v4(SRC4);
	xk_ipv6 a6 = v6(SRC6);
	struct ut_cut cuts[UT_MAX_CUTS];
	struct ut_frame f;
	size_t h;
	int i, j, n;

	if (!obj)
		return;
	for (h = 0; h < 2; h++) {
		const struct fu_hook *hk = bl_hooks[h];
		struct bpf_program *prog = ut_prog(obj, hk->sec);
		__u64 pass = 0, drop = 0, malformed = 0;

		if (!prog)
			return;
		ASSERT_OK(ut_reset_maps(obj));
		ASSERT_OK(put_zero(ut_map_fd(obj, "blocklist_v4"), &a4));
		ASSERT_OK(put_zero(ut_map_fd(obj, "blocklist_v6"), &a6));
		for (i = 0; i < ut_ncases; i++) {
			const struct ut_case *c = &ut_cases[i];
			__u32 addr_end;

			if (!fu_build_case(c, &f))
				continue;
			if (c->kind == UT_ARP)
				addr_end = f.l3_off;
			else if (fu_is_v6(c->kind))
				addr_end = f.l3_off + 40;
			else
				addr_end = f.l3_off + (f.data[f.l3_off] & 15) * 4;
			n = ut_frame_cuts(&f, cuts);
			for (j = 0; j < n; j++) {
				bool readable = cuts[j].len >= addr_end;
				bool dropped = readable && c->kind != UT_ARP;
				bool may_refuse = fu_tc_may_refuse(hk, c, &f, cuts[j].len);

				ut_context("%s %s cut %u (%s)", hk->sec, c->name, cuts[j].len,
					   cuts[j].what);
				if (!fu_run(prog, f.data, cuts[j].len,
					    dropped ? hk->drop : hk->pass, may_refuse))
					continue;
				dropped ? drop++ : pass++;
				malformed += !readable;
			}
		}
		ASSERT_TRUE(malformed > 0 && drop > 0);
		fu_check_stats(obj, pass, drop, malformed);
	}
}

/* Frames that look like IP but cannot be true: pass, counted malformed, rule counters untouched. */
UT_TEST(blocklist_malformed_headers)
{
	struct bpf_object *obj = ut_load("blocklist");
	struct ut_frame_opts o;
	struct ut_frame f;
	__u8 buf[UT_FRAME_MAX];
	xk_ipv4 a4 = v4(SRC4);
	size_t h;

	if (!obj)
		return;
	ut_frame_defaults(&o, UT_UDP4);
	o.vlans = 2;
	ASSERT_OK(ut_frame_build(&o, &f));
	for (h = 0; h < 2; h++) {
		const struct fu_hook *hk = bl_hooks[h];
		struct bpf_program *prog = ut_prog(obj, hk->sec);

		if (!prog)
			return;
		ASSERT_OK(ut_reset_maps(obj));
		ASSERT_OK(put_zero(ut_map_fd(obj, "blocklist_v4"), &a4));
		ut_context("%s ihl 4", hk->sec);
		memcpy(buf, f.data, f.len);
		buf[f.l3_off] = 0x44;
		fu_run(prog, buf, f.len, hk->pass, false);
		ut_context("%s version 5", hk->sec);
		memcpy(buf, f.data, f.len);
		buf[f.l3_off] = 0x55;
		fu_run(prog, buf, f.len, hk->pass, false);
		ut_context("%s a third VLAN tag", hk->sec);
		memcpy(buf, f.data, f.len);
		buf[f.l3_off - 2] = 0x81; /* inner tag's EtherType says: another tag follows */
		buf[f.l3_off - 1] = 0x00;
		fu_run(prog, buf, f.len, hk->pass, false);
		ASSERT_EQ(rule_hits(obj, "blocklist_v4", &a4), 0);
		fu_check_stats(obj, 3, 0, 3);
	}
}
