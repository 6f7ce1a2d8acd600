/* Unit tests of progs/blocklist.bpf.c: exact and CIDR rules, v4 and v6, source and destination mode, on XDP and
 * TC, over every frame shape and every truncation point. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/pkt_cls.h>
#include <xdpkit/blocklist.h>
#include <xdpkit/stats.h>
#include "frames.h"

/* The frame builder's default addresses (see ut_frame_defaults). */
#define SRC4 "10.11.0.1"
#define DST4 "10.11.0.2"
#define SRC6 "fd00:11::1"
#define DST6 "fd00:11::2"

/* One hook under test: its section and what it returns for pass and drop. */
struct bl_hook {
	const char *sec;
	__u32 pass, drop;
};

static const struct bl_hook bl_hooks[] = {
	{"xdp", XDP_PASS, XDP_DROP},
	{"tc", TC_ACT_OK, TC_ACT_SHOT},
};

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

/* A per-CPU map wants one value per possible CPU. */
static int percpu_put_zero(int fd, const void *key)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals = calloc(ncpu > 0 ? ncpu : 1, sizeof(__u64));
	int err = 0;

	if (!vals)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, key, vals, BPF_ANY))
		err = -errno;
	free(vals);
	return err;
}

static int put_zero(int fd, const void *key)
{
	xk_hits zero = 0;

	return bpf_map_update_elem(fd, key, &zero, BPF_ANY) ? -errno : 0;
}

static void set_cfg(struct bpf_object *obj, __u32 match, __u32 cidr4, __u32 cidr6)
{
	struct blocklist_config cfg = {.match = match,
				       .blocklist_cidr4_entries = cidr4,
				       .blocklist_cidr6_entries = cidr6};
	__u32 zero = 0;

	ASSERT_OK(bpf_map_update_elem(ut_map_fd(obj, "blocklist_cfg"), &zero, &cfg, BPF_ANY) ? -errno : 0);
}

static __u64 exact_hits(struct bpf_object *obj, const char *map, const void *key)
{
	__u64 hits = 0;

	ASSERT_OK(ut_percpu_sum(ut_map_fd(obj, map), key, &hits, 1));
	return hits;
}

static __u64 trie_hits(struct bpf_object *obj, const char *map, const void *key)
{
	__u64 hits = 0;

	ASSERT_OK(bpf_map_lookup_elem(ut_map_fd(obj, map), key, &hits) ? -errno : 0);
	return hits;
}

/* Run one frame and check the verdict and that the program left every byte alone. Returns false when the kernel
 * refused to run it (only allowed where the caller says so). */
static bool run_expect_or_refused(struct bpf_program *prog, const void *frame, __u32 len, __u32 want,
				  bool may_refuse)
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

static void run_expect(struct bpf_program *prog, const void *frame, __u32 len, __u32 want)
{
	run_expect_or_refused(prog, frame, len, want, false);
}

static void check_stats(struct bpf_object *obj, __u64 pass, __u64 drop, __u64 malformed)
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

static bool build_case(const struct ut_case *c, struct ut_frame *f)
{
	struct ut_frame_opts o;

	ut_case_opts(c, &o);
	return ASSERT_OK(ut_frame_build(&o, f));
}

static bool is_v6(enum ut_kind k)
{
	return k == UT_UDP6 || k == UT_TCP6 || k == UT_ICMP6;
}

/* Run every catalogue frame through hook h; IP frames get drop_ip, ARP passes. Returns the IPv4 and IPv6 frames
 * seen, so the caller can check rule counters. */
static void run_every_case(struct bpf_object *obj, const struct bl_hook *h, bool drop_ip, __u64 *n4, __u64 *n6)
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
		if (!build_case(c, &f))
			continue;
		run_expect(prog, f.data, f.len, ip && drop_ip ? h->drop : h->pass);
		if (ip && drop_ip)
			drop++;
		else
			pass++;
		if (ip)
			*(is_v6(c->kind) ? n6 : n4) += 1;
	}
	check_stats(obj, pass, drop, 0);
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
		run_every_case(obj, &bl_hooks[h], false, &n4, &n6);
		ASSERT_TRUE(n4 > 0 && n6 > 0);
	}
}

/* Exact source rules for both default sources: every IP shape (VLAN, QinQ, options, both kinds of fragments,
 * extension headers) is dropped and counted on its rule; ARP passes. */
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
		ASSERT_OK(percpu_put_zero(ut_map_fd(obj, "blocklist_v4"), &a4));
		ASSERT_OK(percpu_put_zero(ut_map_fd(obj, "blocklist_v6"), &a6));
		run_every_case(obj, &bl_hooks[h], true, &n4, &n6);
		ut_context("%s hit counters", bl_hooks[h].sec);
		ASSERT_EQ(exact_hits(obj, "blocklist_v4", &a4), n4);
		ASSERT_EQ(exact_hits(obj, "blocklist_v6", &a6), n6);
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
		const struct bl_hook *hk = &bl_hooks[h];

		prog = ut_prog(obj, hk->sec);
		if (!prog)
			return;
		ASSERT_OK(ut_reset_maps(obj));
		ASSERT_OK(percpu_put_zero(ut_map_fd(obj, "blocklist_v4"), &d4));
		ASSERT_OK(percpu_put_zero(ut_map_fd(obj, "blocklist_v6"), &d6));
		ut_context("%s src mode, rule on the destination", hk->sec);
		run_expect(prog, f4.data, f4.len, hk->pass);
		run_expect(prog, f6.data, f6.len, hk->pass);
		ASSERT_EQ(exact_hits(obj, "blocklist_v4", &d4), 0);

		set_cfg(obj, BLOCKLIST_MATCH_DST, 0, 0);
		ut_context("%s dst mode, rule on the destination", hk->sec);
		run_expect(prog, f4.data, f4.len, hk->drop);
		run_expect(prog, f6.data, f6.len, hk->drop);
		ASSERT_EQ(exact_hits(obj, "blocklist_v4", &d4), 1);
		ASSERT_EQ(exact_hits(obj, "blocklist_v6", &d6), 1);

		ut_context("%s dst mode, rule on the source", hk->sec);
		ASSERT_OK(bpf_map_delete_elem(ut_map_fd(obj, "blocklist_v4"), &d4) ? -errno : 0);
		ASSERT_OK(percpu_put_zero(ut_map_fd(obj, "blocklist_v4"), &s4));
		run_expect(prog, f4.data, f4.len, hk->pass);
		ASSERT_EQ(exact_hits(obj, "blocklist_v4", &s4), 0);
		check_stats(obj, 3, 2, 0);
	}
}

/* Prefix rules: ignored while the config says the trie is empty, matched once it says otherwise; the longest
 * prefix is the one counted; an exact rule wins and leaves the trie counter alone. */
UT_TEST(blocklist_cidr_v4_v6)
{
	struct bpf_object *obj = ut_load("blocklist");
	struct xk_cidr4 p16 = {16, v4("10.11.0.0")}, p24 = {24, v4("10.11.0.0")}, other = {16, v4("10.12.0.0")};
	struct xk_cidr6 p32 = {32, v6("fd00:11::")}, p64 = {64, v6("fd00:11::")};
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
		const struct bl_hook *hk = &bl_hooks[h];

		prog = ut_prog(obj, hk->sec);
		if (!prog)
			return;
		ASSERT_OK(ut_reset_maps(obj));
		ASSERT_OK(put_zero(ut_map_fd(obj, "blocklist_cidr4"), &p16));
		ASSERT_OK(put_zero(ut_map_fd(obj, "blocklist_cidr4"), &p24));
		ASSERT_OK(put_zero(ut_map_fd(obj, "blocklist_cidr6"), &p32));
		ASSERT_OK(put_zero(ut_map_fd(obj, "blocklist_cidr6"), &p64));

		ut_context("%s tries not announced in blocklist_cfg", hk->sec);
		run_expect(prog, f4.data, f4.len, hk->pass);
		run_expect(prog, f6.data, f6.len, hk->pass);
		ASSERT_EQ(trie_hits(obj, "blocklist_cidr4", &p24), 0);

		set_cfg(obj, BLOCKLIST_MATCH_SRC, 2, 2);
		ut_context("%s tries announced", hk->sec);
		run_expect(prog, f4.data, f4.len, hk->drop);
		run_expect(prog, f6.data, f6.len, hk->drop);
		run_expect(prog, f4b.data, f4b.len, hk->pass); /* 10.12.3.4: no prefix covers it */
		ASSERT_EQ(trie_hits(obj, "blocklist_cidr4", &p24), 1); /* longest match */
		ASSERT_EQ(trie_hits(obj, "blocklist_cidr4", &p16), 0);
		ASSERT_EQ(trie_hits(obj, "blocklist_cidr6", &p64), 1);
		ASSERT_EQ(trie_hits(obj, "blocklist_cidr6", &p32), 0);

		ut_context("%s exact rule first", hk->sec);
		ASSERT_OK(percpu_put_zero(ut_map_fd(obj, "blocklist_v4"), &s4));
		run_expect(prog, f4.data, f4.len, hk->drop);
		ASSERT_EQ(exact_hits(obj, "blocklist_v4", &s4), 1);
		ASSERT_EQ(trie_hits(obj, "blocklist_cidr4", &p24), 1);

		ut_context("%s a prefix elsewhere", hk->sec);
		ASSERT_OK(put_zero(ut_map_fd(obj, "blocklist_cidr4"), &other));
		run_expect(prog, f4b.data, f4b.len, hk->drop);
		ASSERT_EQ(trie_hits(obj, "blocklist_cidr4", &other), 1);
		check_stats(obj, 3, 4, 0);
	}
}

/* Every truncation point of every shape, with rules on both sources: once the whole IP header (options included)
 * is there the address rule applies, whatever follows is cut; before that the frame passes and is counted as
 * malformed. ARP cut after its tags is still just ARP. */
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
		const struct bl_hook *hk = &bl_hooks[h];
		struct bpf_program *prog = ut_prog(obj, hk->sec);
		__u64 pass = 0, drop = 0, malformed = 0;

		if (!prog)
			return;
		ASSERT_OK(ut_reset_maps(obj));
		ASSERT_OK(percpu_put_zero(ut_map_fd(obj, "blocklist_v4"), &a4));
		ASSERT_OK(percpu_put_zero(ut_map_fd(obj, "blocklist_v6"), &a6));
		for (i = 0; i < ut_ncases; i++) {
			const struct ut_case *c = &ut_cases[i];
			__u32 addr_end;

			if (!build_case(c, &f))
				continue;
			if (c->kind == UT_ARP)
				addr_end = f.l3_off;
			else if (is_v6(c->kind))
				addr_end = f.l3_off + 40;
			else
				addr_end = f.l3_off + (f.data[f.l3_off] & 15) * 4;
			n = ut_frame_cuts(&f, cuts);
			for (j = 0; j < n; j++) {
				bool readable = cuts[j].len >= addr_end;
				bool dropped = readable && c->kind != UT_ARP;
				/* BPF_PROG_TEST_RUN for TC refuses an untagged IP frame shorter than the fixed
				 * IP header (EINVAL); XDP runs those. */
				bool may_refuse = hk->drop == TC_ACT_SHOT && !c->vlans && c->kind != UT_ARP &&
						  cuts[j].len < f.l3_off + (is_v6(c->kind) ? 40 : 20);

				ut_context("%s %s cut %u (%s)", hk->sec, c->name, cuts[j].len, cuts[j].what);
				if (!run_expect_or_refused(prog, f.data, cuts[j].len,
							   dropped ? hk->drop : hk->pass, may_refuse))
					continue;
				dropped ? drop++ : pass++;
				malformed += !readable;
			}
		}
		ASSERT_TRUE(malformed > 0 && drop > 0);
		check_stats(obj, pass, drop, malformed);
	}
}

/* Frames that look like IP but cannot be true: pass, counted as malformed, rule counters untouched. */
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
		const struct bl_hook *hk = &bl_hooks[h];
		struct bpf_program *prog = ut_prog(obj, hk->sec);

		if (!prog)
			return;
		ASSERT_OK(ut_reset_maps(obj));
		ASSERT_OK(percpu_put_zero(ut_map_fd(obj, "blocklist_v4"), &a4));
		ut_context("%s ihl 4", hk->sec);
		memcpy(buf, f.data, f.len);
		buf[f.l3_off] = 0x44;
		run_expect(prog, buf, f.len, hk->pass);
		ut_context("%s version 5", hk->sec);
		memcpy(buf, f.data, f.len);
		buf[f.l3_off] = 0x55;
		run_expect(prog, buf, f.len, hk->pass);
		ut_context("%s a third VLAN tag", hk->sec);
		memcpy(buf, f.data, f.len);
		buf[f.l3_off - 2] = 0x81; /* inner tag's EtherType says: another tag follows */
		buf[f.l3_off - 1] = 0x00;
		run_expect(prog, buf, f.len, hk->pass);
		ASSERT_EQ(exact_hits(obj, "blocklist_v4", &a4), 0);
		check_stats(obj, 3, 0, 3);
	}
}
