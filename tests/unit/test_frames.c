// SPDX-License-Identifier: GPL-2.0-only
/* Tests of the frame builder itself: headers tile the frame, lengths and checksums verify, cuts are
 * ordered. */
#include <arpa/inet.h>
#include "frames.h"

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

UT_TEST(frames_rfc1071_known_vector)
{
	/* RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (checksum 220d). */
	static const __u8 v[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	/* A textbook IPv4 header whose checksum is b861. */
	static const __u8 ip[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				   0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	ASSERT_EQ(ut_csum_fold(ut_csum_add(0, v, sizeof(v))), 0x220d);
	ASSERT_EQ(ut_csum_fold(ut_csum_add(0, ip, sizeof(ip))), 0xb861);
	/* Odd length: the last byte is the high half of a word. */
	ASSERT_EQ(ut_csum_fold(ut_csum_add(0, v, 3)), (__u16) ~(0x0001 + 0xf200));
}

UT_TEST(frames_every_case_is_consistent)
{
	struct ut_frame_opts o;
	struct ut_frame f;
	struct ut_cut cuts[UT_MAX_CUTS];
	int i, j, n;

	for (i = 0; i < ut_ncases; i++) {
		const struct ut_case *c = &ut_cases[i];
		const __u8 *l3;

		ut_context("%s", c->name);
		ut_case_opts(c, &o);
		if (!ASSERT_OK(ut_frame_build(&o, &f)))
			continue;
		l3 = f.data + f.l3_off;
		/* Regions tile the frame from 0 to its end, in order. */
		ASSERT_EQ(f.regions[0].start, 0);
		for (j = 1; j < f.nregions; j++)
			ASSERT_EQ(f.regions[j].start, f.regions[j - 1].end);
		ASSERT_EQ(f.regions[f.nregions - 1].end, f.len);
		ASSERT_EQ(get16(f.data + f.l3_off - 2), c->kind == UT_ARP   ? 0x0806
							: (l3[0] >> 4) == 6 ? 0x86dd
									    : 0x0800);
		ASSERT_EQ(get16(f.data + 12), c->vlans == 2   ? 0x88a8
					      : c->vlans == 1 ? 0x8100
							      : get16(l3 - 2));
		if (c->kind == UT_ARP)
			continue;
		if ((l3[0] >> 4) == 4) {
			__u32 hlen = (l3[0] & 15) * 4;

			ASSERT_EQ(hlen, 20 + c->ip4_opt_len);
			ASSERT_EQ(get16(l3 + 2), f.len - f.l3_off);
			ASSERT_EQ(ut_csum_fold(ut_csum_add(0, l3, hlen)), 0);
			ASSERT_EQ(get16(l3 + 6), c->frag == UT_FRAG_LATER   ? 185
						 : c->frag == UT_FRAG_FIRST ? 0x2000
									    : 0);
			if (f.l4_off) {
				struct in_addr s, d;

				memcpy(&s, l3 + 12, 4);
				memcpy(&d, l3 + 16, 4);
				ASSERT_EQ(f.l4_off, f.l3_off + hlen);
				if (c->kind == UT_ICMP4)
					ASSERT_EQ(ut_csum_fold(ut_csum_add(0, f.data + f.l4_off,
									   f.len - f.l4_off)),
						  0);
				else
					ASSERT_EQ(ut_l4_csum4(&s, &d, l3[9], f.data + f.l4_off,
							      f.len - f.l4_off),
						  0);
			}
		} else {
			ASSERT_EQ(get16(l3 + 4), f.len - f.l3_off - 40);
			if (f.l4_off) {
				struct in6_addr s, d;
				__u8 proto = c->ip6_ext ? f.data[f.l4_off - 8] : l3[6];

				memcpy(&s, l3 + 8, 16);
				memcpy(&d, l3 + 24, 16);
				ASSERT_EQ(ut_l4_csum6(&s, &d, proto, f.data + f.l4_off,
						      f.len - f.l4_off),
					  0);
			}
		}
		ASSERT_EQ(f.l4_off != 0, c->frag != UT_FRAG_LATER);
		n = ut_frame_cuts(&f, cuts);
		ASSERT_TRUE(n > 0);
		for (j = 0; j < n; j++) {
			ASSERT_TRUE(cuts[j].len >= 14 && cuts[j].len < f.len);
			if (j)
				ASSERT_TRUE(cuts[j].len > cuts[j - 1].len);
		}
	}
}

UT_TEST(frames_ipv6_ext_chain)
{
	struct ut_frame_opts o;
	struct ut_frame f, plain;
	struct in6_addr s, d;
	const __u8 *ip;
	int i;

	ut_frame_defaults(&o, UT_UDP6);
	if (!ASSERT_OK(ut_frame_build(&o, &plain)) ||
	    !ASSERT_OK(ut_frame_ipv6_ext_chain(&o, 3, &f)))
		return;
	ip = f.data + f.l3_off;
	ASSERT_EQ(f.len, plain.len + 24);
	ASSERT_EQ(get16(ip + 4), f.len - f.l3_off - 40);
	ASSERT_EQ(ip[6], 60);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(ip[40 + 8 * i], i < 2 ? 60 : 17);
	ASSERT_EQ(f.l4_off, plain.l4_off + 24);
	ASSERT_MEM_EQ(f.data + f.l4_off, plain.data + plain.l4_off, plain.len - plain.l4_off);
	memcpy(&s, ip + 8, 16);
	memcpy(&d, ip + 24, 16);
	ASSERT_EQ(ut_l4_csum6(&s, &d, 17, f.data + f.l4_off, f.len - f.l4_off), 0);
}

UT_TEST(frames_bad_options_refused)
{
	struct ut_frame_opts o;
	struct ut_frame f;

	ut_frame_defaults(&o, UT_UDP4);
	o.ip4_opt_len = 6;
	ASSERT_NE(ut_frame_build(&o, &f), 0);
	ut_frame_defaults(&o, UT_UDP6);
	o.frag = UT_FRAG_LATER; /* IPv6 fragments need the extension headers */
	ASSERT_NE(ut_frame_build(&o, &f), 0);
	ut_frame_defaults(&o, UT_UDP4);
	o.vlans = 3;
	ASSERT_NE(ut_frame_build(&o, &f), 0);
}
