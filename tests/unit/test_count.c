// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of count (xdp and tc): every frame passes untouched and lands under the right
 * (EtherType, IP protocol) key; truncated and malformed frames land under the EtherType reached and
 * in the MALFORMED slot. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <xdpkit/count.h>
#include <xdpkit/stats.h>
#include "frames.h"

static const char *const count_secs[] = { "xdp", "tc" };

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static __u32 count_pass_verdict(const char *sec)
{
	/* tc: TC_ACT_UNSPEC so the next filter still runs. */
	return !strcmp(sec, "xdp") ? (__u32)XDP_PASS : (__u32)TC_ACT_UNSPEC;
}

/* What count should file a frame of this shape under, worked out from the case, not from the bytes.
 */
static struct count_key count_key_of(const struct ut_case *c)
{
	struct count_key k = {};

	switch (c->kind) {
	case UT_UDP4:
	case UT_TCP4:
	case UT_ICMP4:
		k.ethertype = 0x0800;
		break;
	case UT_ARP:
		k.ethertype = 0x0806;
		break;
	default:
		k.ethertype = 0x86dd;
	}
	switch (c->kind) {
	case UT_UDP4:
	case UT_UDP6:
		k.ip_proto = 17;
		break;
	case UT_TCP4:
	case UT_TCP6:
		k.ip_proto = 6;
		break;
	case UT_ICMP4:
		k.ip_proto = 1;
		break;
	case UT_ICMP6:
		k.ip_proto = 58;
		break;
	default:
		k.ip_proto = 0;
	}
	return k;
}

static int count_nkeys(int fd)
{
	struct count_key k, next;
	int n = 0;

	if (bpf_map_get_next_key(fd, NULL, &next))
		return 0;
	do {
		k = next;
		n++;
	} while (!bpf_map_get_next_key(fd, &k, &next) && n < COUNT_MAX_KEYS);
	return n;
}

/* count_proto holds exactly {want: packets, bytes}; xdpkit_stats holds packets in PASS and
 * malformed in MALFORMED. */
static void count_expect_one(struct bpf_object *obj, struct count_key want, __u64 packets,
			     __u64 bytes, bool malformed)
{
	int fd = ut_map_fd(obj, "count_proto");
	__u64 sum[2], p, b;

	if (fd < 0)
		return;
	ASSERT_EQ(count_nkeys(fd), 1);
	if (ASSERT_OK(ut_percpu_sum(fd, &want, sum, 2))) {
		ASSERT_EQ(sum[0], packets);
		ASSERT_EQ(sum[1], bytes);
	} else {
		struct count_key k;

		if (!bpf_map_get_next_key(fd, NULL, &k))
			ut_fail(__FILE__, __LINE__,
				"wanted key {0x%04x, %u}, map holds {0x%04x, %u, pad %u}",
				want.ethertype, want.ip_proto, k.ethertype, k.ip_proto, k.pad);
	}
	ASSERT_OK(ut_stats(obj, XK_STAT_PASS, &p, &b));
	ASSERT_EQ(p, packets);
	ASSERT_EQ(b, bytes);
	ASSERT_OK(ut_stats(obj, XK_STAT_MALFORMED, &p, &b));
	ASSERT_EQ(p, malformed ? packets : 0);
	ASSERT_EQ(b, malformed ? bytes : 0);
}

/* Run once on len bytes of f and check verdict, untouched bytes, and the single key. */
static void count_run_one(struct bpf_object *obj, const char *sec, const __u8 *frame, __u32 len,
			  struct count_key want, bool malformed)
{
	struct bpf_program *prog = ut_prog(obj, sec);
	struct ut_result r;

	if (!prog || !ASSERT_OK(ut_reset_maps(obj)) || !ASSERT_OK(ut_run(prog, frame, len, &r)))
		return;
	ASSERT_EQ(r.retval, count_pass_verdict(sec));
	ASSERT_EQ(r.len, len);
	ASSERT_MEM_EQ(r.data, frame, len);
	count_expect_one(obj, want, 1, len, malformed);
}

UT_TEST(count_every_frame_kind)
{
	struct bpf_object *obj = ut_load("count");
	struct ut_frame_opts o;
	struct ut_frame f;
	int i, s;

	if (!obj)
		return;
	for (s = 0; s < 2; s++)
		for (i = 0; i < ut_ncases; i++) {
			ut_context("%s, %s", count_secs[s], ut_cases[i].name);
			ut_case_opts(&ut_cases[i], &o);
			if (!ASSERT_OK(ut_frame_build(&o, &f)))
				return;
			count_run_one(obj, count_secs[s], f.data, f.len, count_key_of(&ut_cases[i]),
				      false);
		}
}

/* A cut frame is malformed when it ends before the last header the parser reads (L4 header; ARP and
 * a later fragment's payload are not read). It is filed under the EtherType after the tags that are
 * whole. */
UT_TEST(count_every_truncation_point)
{
	struct bpf_object *obj = ut_load("count");
	struct ut_cut cuts[UT_MAX_CUTS];
	struct ut_frame_opts o;
	struct ut_frame f;
	int i, j, n, s, k;

	if (!obj)
		return;
	for (s = 0; s < 2; s++)
		for (i = 0; i < ut_ncases; i++) {
			const struct ut_case *c = &ut_cases[i];
			__u32 needed = 0;

			ut_case_opts(c, &o);
			if (!ASSERT_OK(ut_frame_build(&o, &f)))
				return;
			for (k = 0; k < f.nregions; k++)
				if (strcmp(f.regions[k].name, "payload") &&
				    strcmp(f.regions[k].name, "arp"))
					needed = f.regions[k].end;
			n = ut_frame_cuts(&f, cuts);
			for (j = 0; j < n; j++) {
				struct count_key want = count_key_of(c);
				bool malformed = cuts[j].len < needed;

				if (s == 1 && !ut_tc_accepts(&f, cuts[j].len))
					continue;

				ut_context("%s, %s cut %s (%u bytes)", count_secs[s], c->name,
					   cuts[j].what, cuts[j].len);
				if (malformed) {
					want.ethertype = get16(f.data + 12);
					for (k = 0; k < f.nregions; k++)
						if (!strncmp(f.regions[k].name, "vlan", 4) &&
						    cuts[j].len >= f.regions[k].end)
							want.ethertype = get16(
								f.data + f.regions[k].end - 2);
					want.ip_proto = 0;
				}
				count_run_one(obj, count_secs[s], f.data, cuts[j].len, want,
					      malformed);
			}
		}
}

/* Frames the parser refuses outright: a third VLAN tag, an IPv4 header with IHL < 5, a wrong IP
 * version. */
UT_TEST(count_malformed_headers)
{
	static const __u8 tag3[4] = { 0x81, 0x00, 0x01, 0x2c }; /* a third tag, 802.1Q VID 300 */
	struct bpf_object *obj = ut_load("count");
	struct ut_frame_opts o;
	struct ut_frame f;
	__u8 buf[UT_FRAME_MAX];
	int s, n;

	if (!obj)
		return;
	for (s = 0; s < 2; s++) {
		ut_frame_defaults(&o, UT_UDP4);
		o.vlans = 2;
		if (!ASSERT_OK(ut_frame_build(&o, &f)) ||
		    !ASSERT_OK(ut_frame_insert(&f, 20, tag3, 4)))
			return;
		memcpy(buf, f.data, f.len);
		ut_context("%s, three VLAN tags", count_secs[s]);
		count_run_one(obj, count_secs[s], buf, f.len, (struct count_key){ 0x8100, 0, 0 },
			      true);

		ut_frame_defaults(&o, UT_TCP4);
		if (!ASSERT_OK(ut_frame_build(&o, &f)))
			return;
		f.data[f.l3_off] = 0x44; /* IHL 4 */
		ut_context("%s, IPv4 IHL 4", count_secs[s]);
		count_run_one(obj, count_secs[s], f.data, f.len, (struct count_key){ 0x0800, 0, 0 },
			      true);
		f.data[f.l3_off] = 0x65; /* version 6 in an IPv4 EtherType */
		ut_context("%s, IPv4 EtherType, version 6", count_secs[s]);
		count_run_one(obj, count_secs[s], f.data, f.len, (struct count_key){ 0x0800, 0, 0 },
			      true);

		ut_frame_defaults(&o, UT_UDP6);
		if (!ASSERT_OK(ut_frame_build(&o, &f)))
			return;
		f.data[f.l3_off] = 0x40;
		ut_context("%s, IPv6 EtherType, version 4", count_secs[s]);
		count_run_one(obj, count_secs[s], f.data, f.len, (struct count_key){ 0x86dd, 0, 0 },
			      true);

		/* The parser walks up to XK_MAX_IPV6_EXT (6) extension headers: six
		 * destination-options headers are read through, seven are more than the walk takes.
		 */
		for (n = 6; n <= 7; n++) {
			ut_frame_defaults(&o, UT_UDP6);
			if (!ASSERT_OK(ut_frame_ipv6_ext_chain(&o, n, &f)))
				return;
			ut_context("%s, %d IPv6 destination-options headers", count_secs[s], n);
			count_run_one(obj, count_secs[s], f.data, f.len,
				      n == 6 ? (struct count_key){ 0x86dd, 17, 0 }
					     : (struct count_key){ 0x86dd, 0, 0 },
				      n == 7);
		}

		/* A seventh extension header is more than the walk takes even when it is a later
		 * fragment, which would end the walk at once (found by the differential fuzz). */
		ut_frame_defaults(&o, UT_UDP6);
		if (!ASSERT_OK(ut_frame_ipv6_ext_chain(&o, 6, &f)) ||
		    !ASSERT_OK(ut_frame_insert(&f, f.l3_off + 40 + 6 * 8,
					       (const __u8[]){ 17, 0, 0x00, 0x08, 0, 0, 0, 1 }, 8)))
			return;
		f.data[f.l3_off + 40 + 5 * 8] = 44; /* the sixth header: a fragment header next */
		f.data[f.l3_off + 5] += 8;	    /* payload length */
		ut_context("%s, six destination-options headers, then a later fragment",
			   count_secs[s]);
		count_run_one(obj, count_secs[s], f.data, f.len, (struct count_key){ 0x86dd, 0, 0 },
			      true);

		/* An extension header cut short is a truncated frame even when the header behind
		 * it is one nobody reads (59, no next header). */
		ut_frame_defaults(&o, UT_UDP6);
		if (!ASSERT_OK(ut_frame_ipv6_ext_chain(&o, 1, &f)))
			return;
		f.data[f.l3_off + 40] = 59;
		ut_context("%s, a destination-options header cut after 4 of its 8 bytes, then 59",
			   count_secs[s]);
		count_run_one(obj, count_secs[s], f.data, f.l3_off + 40 + 4,
			      (struct count_key){ 0x86dd, 0, 0 }, true);
		ut_context("%s, the same header whole, then 59", count_secs[s]);
		count_run_one(obj, count_secs[s], f.data, f.l3_off + 40 + 8,
			      (struct count_key){ 0x86dd, 59, 0 }, false);
	}
}

/* Keys accumulate: a mix of frames gives one key per protocol with the summed packets and bytes. */
UT_TEST(count_mix_accumulates)
{
	static const struct {
		enum ut_kind kind;
		int times;
		struct count_key key;
	} mix[] = {
		{ UT_UDP4, 3, { 0x0800, 17, 0 } },
		{ UT_TCP6, 2, { 0x86dd, 6, 0 } },
		{ UT_ICMP4, 4, { 0x0800, 1, 0 } },
		{ UT_ARP, 1, { 0x0806, 0, 0 } },
	};
	struct bpf_object *obj = ut_load("count");
	struct bpf_program *prog;
	struct ut_frame_opts o;
	struct ut_frame f;
	struct ut_result r;
	__u64 sum[2], total = 0, total_bytes = 0, p, b;
	int i, n, fd;

	if (!obj || !(prog = ut_prog(obj, "xdp")) || (fd = ut_map_fd(obj, "count_proto")) < 0)
		return;
	for (i = 0; i < (int)(sizeof(mix) / sizeof(mix[0])); i++) {
		ut_frame_defaults(&o, mix[i].kind);
		o.payload_len = 10 + i;
		if (!ASSERT_OK(ut_frame_build(&o, &f)))
			return;
		for (n = 0; n < mix[i].times; n++)
			if (!ASSERT_OK(ut_run(prog, f.data, f.len, &r)))
				return;
		ut_context("key {0x%04x, %u}", mix[i].key.ethertype, mix[i].key.ip_proto);
		if (ASSERT_OK(ut_percpu_sum(fd, &mix[i].key, sum, 2))) {
			ASSERT_EQ(sum[0], mix[i].times);
			ASSERT_EQ(sum[1], (__u64)mix[i].times * f.len);
		}
		total += mix[i].times;
		total_bytes += (__u64)mix[i].times * f.len;
	}
	ut_context(NULL);
	ASSERT_EQ(count_nkeys(fd), 4);
	ASSERT_OK(ut_stats(obj, XK_STAT_PASS, &p, &b));
	ASSERT_EQ(p, total);
	ASSERT_EQ(b, total_bytes);
}
