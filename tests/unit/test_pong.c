// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of pong: an echo request comes back as the reply built independently here (checksums
 * by RFC 1071 over the whole header/message, not pong's incremental way), byte for byte, and every
 * reply pong sends is checked once more by summing its bytes; everything else passes untouched. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <xdpkit/stats.h>
#include "frames.h"

/* The ICMP/ICMPv6 checksum a reply must carry: RFC 1071's, except that 0x0000 becomes 0xffff.
 * Both encode zero; when the words sum to +0 (the all-zero echo reply) only 0xffff verifies, and
 * when they sum to -0 either does. pong never writes 0x0000 there. */
static void pong_canonical_csum(struct ut_frame *f)
{
	__u8 *c = f->data + f->l4_off + 2;

	if (!c[0] && !c[1])
		c[0] = c[1] = 0xff;
}

/* The options of the reply a correct responder sends to the request that req describes. */
static void pong_reply_opts(const struct ut_frame_opts *req, struct ut_frame_opts *o)
{
	*o = *req;
	memcpy(o->src_mac, req->dst_mac, 6);
	memcpy(o->dst_mac, req->src_mac, 6);
	o->src4 = req->dst4;
	o->dst4 = req->src4;
	o->src6 = req->dst6;
	o->dst6 = req->src6;
	o->ttl = 64;
	o->echo_reply = true;
}

/* That reply, built by frames.c with the ICMP checksum rule above. */
static int pong_reply_of(const struct ut_frame_opts *req, struct ut_frame *want)
{
	struct ut_frame_opts o;
	int err;

	pong_reply_opts(req, &o);
	err = ut_frame_build(&o, want);
	if (!err)
		pong_canonical_csum(want);
	return err;
}

static __u16 pong_get16(const __u8 *p)
{
	return p[0] << 8 | p[1];
}

/* A second, separate look at a frame pong sent: find its headers the way a receiver does and
 * sum what each checksum covers (a valid one sums to 0xffff: ut_csum_fold() gives 0). Returns
 * NULL when all is well, else what is wrong. */
static const char *pong_reply_invalid(const __u8 *d, __u32 len)
{
	__u32 l3 = 14, l4, ihl, tot, next;
	__u16 type = pong_get16(d + 12);

	while ((type == 0x8100 || type == 0x88a8) && l3 + 4 <= len) {
		type = pong_get16(d + l3 + 2);
		l3 += 4;
	}
	if (type == 0x0800) {
		if (l3 + 20 > len)
			return "IPv4 header cut";
		ihl = (d[l3] & 0xf) * 4;
		tot = pong_get16(d + l3 + 2);
		if (ihl < 20 || tot < ihl + 8 || l3 + tot > len || d[l3 + 9] != 1)
			return "IPv4 lengths or protocol";
		if (ut_csum_fold(ut_csum_add(0, d + l3, ihl)))
			return "IPv4 header checksum";
		if (d[l3 + ihl] != 0 || d[l3 + ihl + 1] != 0)
			return "not an ICMP echo reply";
		if (!d[l3 + ihl + 2] && !d[l3 + ihl + 3])
			return "ICMP checksum 0x0000";
		if (ut_csum_fold(ut_csum_add(0, d + l3 + ihl, tot - ihl)))
			return "ICMP checksum";
		return NULL;
	}
	if (type != 0x86dd || l3 + 40 > len)
		return "not IPv4 or IPv6";
	tot = pong_get16(d + l3 + 4);
	next = d[l3 + 6];
	l4 = l3 + 40;
	/* hop-by-hop, routing, destination options; fragment */
	while ((next == 0 || next == 43 || next == 60 || next == 44) && l4 + 8 <= len) {
		__u32 hlen = next == 44 ? 8 : (d[l4 + 1] + 1) * 8;

		next = d[l4];
		l4 += hlen;
	}
	if (next != 58 || l3 + 40 + tot > len || l4 + 8 > l3 + 40 + tot)
		return "IPv6 lengths or next header";
	if (d[l4] != 129 || d[l4 + 1] != 0)
		return "not an ICMPv6 echo reply";
	if (!d[l4 + 2] && !d[l4 + 3])
		return "ICMPv6 checksum 0x0000";
	if (ut_l4_csum6((const struct in6_addr *)(d + l3 + 8),
			(const struct in6_addr *)(d + l3 + 24), 58, d + l4, l3 + 40 + tot - l4))
		return "ICMPv6 checksum";
	return NULL;
}

/* Frames up to the largest one BPF_PROG_TEST_RUN hands an XDP program whole (4096 bytes less its
 * headroom and tail room). */
#define PONG_BIG_MAX 3520

/* Reset, run once with ingress_ifindex ifindex (0: BPF_PROG_TEST_RUN's default, lo), compare
 * verdict and bytes, check a reply on its own, and check that exactly the one verdict slot (and
 * MALFORMED when malformed) counted the frame. Returns whether all of it held. */
static bool pong_run_on(struct bpf_object *obj, __u32 ifindex, const __u8 *frame, __u32 len,
			__u32 verdict, const __u8 *want, __u32 want_len, bool malformed)
{
	static __u8 out[PONG_BIG_MAX + 512];
	struct bpf_program *prog = ut_prog(obj, "xdp");
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame, .data_size_in = len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);
	const char *bad;
	bool ok = true;
	__u64 p, b;
	int slot;

	if (ifindex) {
		run.ctx_in = &ctx;
		run.ctx_size_in = sizeof(ctx);
	}
	if (!prog || !ASSERT_OK(ut_reset_maps(obj)) ||
	    !ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(prog), &run) ? -errno : 0))
		return false;
	ok &= ASSERT_EQ(run.retval, verdict);
	ok &= ASSERT_EQ(run.data_size_out, want_len) && ASSERT_MEM_EQ(out, want, want_len);
	if (run.retval == XDP_TX && (bad = pong_reply_invalid(out, run.data_size_out))) {
		ut_fail(__FILE__, __LINE__, "the reply does not verify: %s", bad);
		ok = false;
	}
	for (slot = 0; slot < XK_STAT_MALFORMED; slot++) {
		ok &= ASSERT_OK(ut_stats(obj, slot, &p, &b));
		ok &= ASSERT_EQ(p, (__u32)slot == verdict);
		ok &= ASSERT_EQ(b, (__u32)slot == verdict ? len : 0);
	}
	ok &= ASSERT_OK(ut_stats(obj, XK_STAT_MALFORMED, &p, &b));
	ok &= ASSERT_EQ(p, malformed);
	ok &= ASSERT_EQ(b, malformed ? len : 0);
	return ok;
}

static bool pong_run_one(struct bpf_object *obj, const __u8 *frame, __u32 len, __u32 verdict,
			 const __u8 *want, __u32 want_len, bool malformed)
{
	return pong_run_on(obj, 0, frame, len, verdict, want, want_len, malformed);
}

/* o's request answered with its reference reply. */
static void pong_expect_reply(struct bpf_object *obj, const struct ut_frame_opts *o)
{
	struct ut_frame f, want;

	if (ASSERT_OK(ut_frame_build(o, &f)) && ASSERT_OK(pong_reply_of(o, &want)))
		pong_run_one(obj, f.data, f.len, XDP_TX, want.data, want.len, false);
}

/* o's frame passed untouched, counted as PASS and not as MALFORMED. */
static void pong_expect_pass(struct bpf_object *obj, const struct ut_frame_opts *o)
{
	struct ut_frame f;

	if (ASSERT_OK(ut_frame_build(o, &f)))
		pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, false);
}

static bool pong_is_request(const struct ut_case *c)
{
	return (c->kind == UT_ICMP4 || c->kind == UT_ICMP6) && c->frag == UT_FRAG_NONE;
}

UT_TEST(pong_every_frame_kind)
{
	struct bpf_object *obj = ut_load("pong");
	struct ut_frame_opts o;
	struct ut_frame f, want;
	int i;

	if (!obj)
		return;
	for (i = 0; i < ut_ncases; i++) {
		const struct ut_case *c = &ut_cases[i];

		ut_context("%s", c->name);
		ut_case_opts(c, &o);
		if (!ASSERT_OK(ut_frame_build(&o, &f)))
			return;
		if (pong_is_request(c)) {
			if (ASSERT_OK(pong_reply_of(&o, &want)))
				pong_run_one(obj, f.data, f.len, XDP_TX, want.data, want.len,
					     false);
		} else {
			pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, false);
		}
	}
}

/* No cut frame is answered. It is malformed when it ends inside a header the parser reads, and also
 * when an echo request stops short of its IP length (its payload is cut). */
UT_TEST(pong_every_truncation_point)
{
	struct bpf_object *obj = ut_load("pong");
	struct ut_cut cuts[UT_MAX_CUTS];
	struct ut_frame_opts o;
	struct ut_frame f;
	int i, j, k, n;

	if (!obj)
		return;
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
		if (pong_is_request(c))
			needed = f.len;
		n = ut_frame_cuts(&f, cuts);
		for (j = 0; j < n; j++) {
			ut_context("%s cut %s (%u bytes)", c->name, cuts[j].what, cuts[j].len);
			pong_run_one(obj, f.data, cuts[j].len, XDP_PASS, f.data, cuts[j].len,
				     cuts[j].len < needed);
		}
	}
}

static __u32 pong_rand(__u32 *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

/* Many requests with varied id, seq, TTL, payload, tags and options: the incremental checksum
 * updates must agree with a full recomputation every time, including the corner where a sum folds
 * to 0xffff. */
UT_TEST(pong_checksums_over_many_requests)
{
	struct bpf_object *obj = ut_load("pong");
	struct ut_frame_opts o;
	struct ut_frame f, want;
	__u32 seed = 0x5eed, n;

	if (!obj)
		return;
	for (n = 0; n < 4000; n++) {
		ut_frame_defaults(&o, n & 1 ? UT_ICMP6 : UT_ICMP4);
		o.icmp_id = pong_rand(&seed);
		o.icmp_seq = pong_rand(&seed);
		o.ttl = pong_rand(&seed);
		o.ip_id = pong_rand(&seed);
		o.payload_len = pong_rand(&seed) % 200;
		o.payload_seed = pong_rand(&seed);
		o.vlans = pong_rand(&seed) % 3;
		o.ip6_ext = (n & 1) && (pong_rand(&seed) & 1);
		o.ip4_opt_len = n & 1 ? 0 : 4 * (pong_rand(&seed) % 11);
		/* 10.x.x.x: never a source pong refuses (0/8, multicast, broadcast) */
		o.src4.s_addr = htonl(0x0a000000 | (pong_rand(&seed) & 0xffffff));
		o.src6.s6_addr[15] = pong_rand(&seed);
		o.dst6.s6_addr[14] = pong_rand(&seed);
		ut_context("request %u (v%d id 0x%04x seq %u ttl %u len %u vlans %d opts %d)", n,
			   n & 1 ? 6 : 4, o.icmp_id, o.icmp_seq, o.ttl, o.payload_len, o.vlans,
			   o.ip4_opt_len);
		if (!ASSERT_OK(ut_frame_build(&o, &f)) || !ASSERT_OK(pong_reply_of(&o, &want)))
			return;
		pong_run_one(obj, f.data, f.len, XDP_TX, want.data, want.len, false);
	}
}

/* Frames pong must leave to the stack although they are ICMP: replies, other types, a non-zero
 * code, multicast and broadcast destinations, a bad IP header. And Ethernet padding goes back with
 * the reply. */
UT_TEST(pong_leaves_other_icmp_alone)
{
	struct bpf_object *obj = ut_load("pong");
	struct ut_frame_opts o;
	struct ut_frame f, want;
	int v6;

	if (!obj)
		return;
	for (v6 = 0; v6 < 2; v6++) {
		enum ut_kind kind = v6 ? UT_ICMP6 : UT_ICMP4;

		ut_context("v%d echo reply", v6 ? 6 : 4);
		ut_frame_defaults(&o, kind);
		o.echo_reply = true;
		if (ASSERT_OK(ut_frame_build(&o, &f)))
			pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, false);

		ut_context("v%d other ICMP type", v6 ? 6 : 4);
		ut_frame_defaults(&o, kind);
		if (ASSERT_OK(ut_frame_build(&o, &f))) {
			f.data[f.l4_off] =
				v6 ? 1
				   : 3; /* destination unreachable; checksum now wrong, irrelevant */
			pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, false);
			f.data[f.l4_off] = v6 ? 128 : 8;
			f.data[f.l4_off + 1] = 1; /* echo request with code 1 */
			ut_context("v%d echo request, code 1", v6 ? 6 : 4);
			pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, false);
		}

		ut_context("v%d multicast destination", v6 ? 6 : 4);
		ut_frame_defaults(&o, kind);
		o.dst4.s_addr = htonl(0xe0000001);
		o.dst6.s6_addr[0] = 0xff;
		if (ASSERT_OK(ut_frame_build(&o, &f)))
			pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, false);

		ut_context("v%d multicast destination MAC", v6 ? 6 : 4);
		ut_frame_defaults(&o, kind);
		o.dst_mac[0] = 0x33;
		if (ASSERT_OK(ut_frame_build(&o, &f)))
			pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, false);

		ut_context("v%d padded to 60 bytes", v6 ? 6 : 4);
		ut_frame_defaults(&o, kind);
		o.payload_len = 0;
		o.pad_to = 60;
		if (ASSERT_OK(ut_frame_build(&o, &f)) && ASSERT_OK(pong_reply_of(&o, &want))) {
			if (!v6)
				ASSERT_TRUE(f.len == 60 &&
					    f.l4_off + 8 < 60); /* padding really present */
			pong_run_one(obj, f.data, f.len, XDP_TX, want.data, want.len, false);
		}
	}
	ut_context("v4 limited broadcast");
	ut_frame_defaults(&o, UT_ICMP4);
	o.dst4.s_addr = htonl(0xffffffff);
	if (ASSERT_OK(ut_frame_build(&o, &f)))
		pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, false);

	ut_context("v4 total length beyond the frame");
	ut_frame_defaults(&o, UT_ICMP4);
	if (ASSERT_OK(ut_frame_build(&o, &f))) {
		f.data[f.l3_off + 3] +=
			1; /* header checksum now wrong too: pong must not care, it passes */
		pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, true);
	}
	ut_context("ICMPv6 echo behind six destination-options headers");
	ut_frame_defaults(&o, UT_ICMP6);
	if (ASSERT_OK(ut_frame_ipv6_ext_chain(&o, 6, &f))) {
		struct ut_frame_opts ro;

		/* The reply's shape, built the same independent way. */
		pong_reply_opts(&o, &ro);
		if (ASSERT_OK(ut_frame_ipv6_ext_chain(&ro, 6, &want))) {
			pong_canonical_csum(&want);
			pong_run_one(obj, f.data, f.len, XDP_TX, want.data, want.len, false);
		}
	}
	ut_context(
		"ICMPv6 echo behind seven destination-options headers (more than the walk takes)");
	if (ASSERT_OK(ut_frame_ipv6_ext_chain(&o, 7, &f)))
		pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, true);

	ut_context("ICMP echo with three VLAN tags");
	ut_frame_defaults(&o, UT_ICMP4);
	o.vlans = 2;
	if (ASSERT_OK(ut_frame_build(&o, &f)) &&
	    ASSERT_OK(ut_frame_insert(&f, 20, (const __u8[]){ 0x81, 0x00, 0x01, 0x2c }, 4)))
		pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, true);

	ut_context("v4 IHL 4");
	ut_frame_defaults(&o, UT_ICMP4);
	if (ASSERT_OK(ut_frame_build(&o, &f))) {
		f.data[f.l3_off] = 0x44;
		pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, true);
	}
}

static void pong_put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* The request o describes (or, with reply, its reference reply) with payload_len bytes of payload,
 * more than ut_frame_build makes: built there without payload, extended here, its lengths and
 * checksums written again with the RFC 1071 of frames.c. Returns the frame's length, 0 when it
 * would not fit. */
static __u32 pong_big_frame(const struct ut_frame_opts *req, bool reply, __u32 payload_len,
			    __u8 *buf)
{
	struct ut_frame_opts o = *req;
	struct ut_frame f;
	__u32 i, l4_len = 8 + payload_len, ihl;
	__u8 *ip, *l4;
	__u16 c;

	if (reply)
		pong_reply_opts(req, &o);
	o.payload_len = 0;
	o.pad_to = 0;
	if (ut_frame_build(&o, &f) || f.len + payload_len > PONG_BIG_MAX)
		return 0;
	memcpy(buf, f.data, f.len);
	for (i = 0; i < payload_len; i++)
		buf[f.len + i] = (o.payload_seed + 7 * i) & 0xff; /* the pattern frames.c uses */
	ip = buf + f.l3_off;
	l4 = buf + f.l4_off;
	l4[2] = l4[3] = 0;
	if (o.kind == UT_ICMP4) {
		ihl = (ip[0] & 0xf) * 4;
		pong_put16(ip + 2, ihl + l4_len);
		ip[10] = ip[11] = 0;
		pong_put16(ip + 10, ut_csum_fold(ut_csum_add(0, ip, ihl)));
		c = ut_csum_fold(ut_csum_add(0, l4, l4_len));
	} else {
		pong_put16(ip + 4, f.l4_off - f.l3_off - 40 + l4_len);
		c = ut_l4_csum6(&o.src6, &o.dst6, 58, l4, l4_len);
	}
	pong_put16(l4 + 2, reply && !c ? 0xffff : c);
	return f.l4_off + l4_len;
}

/* The corners of one's-complement arithmetic, each found by searching the sequence number: a
 * request whose checksum is 0x0000 (its words sum to -0), the same request carrying 0xffff (the
 * other encoding of zero; the stack accepts both, so pong answers both), and a reply whose words
 * sum to -0, which RFC 1071 writes as 0x0000 and pong as 0xffff. */
UT_TEST(pong_checksum_corners)
{
	struct bpf_object *obj = ut_load("pong");
	struct ut_frame_opts o;
	struct ut_frame f, want;
	int v6, corner, found;
	__u32 seq;

	if (!obj)
		return;
	for (v6 = 0; v6 < 2; v6++)
		for (corner = 0; corner < 2; corner++) {
			found = 0;
			ut_frame_defaults(&o, v6 ? UT_ICMP6 : UT_ICMP4);
			for (seq = 0; seq < 0x10000 && !found; seq++) {
				struct ut_frame_opts ro;

				o.icmp_seq = seq;
				if (!ASSERT_OK(ut_frame_build(&o, &f)))
					return;
				/* RFC 1071's reply, before pong's rule turns 0x0000 into 0xffff */
				pong_reply_opts(&o, &ro);
				if (!ASSERT_OK(ut_frame_build(&ro, &want)))
					return;
				found = corner ? !want.data[want.l4_off + 2] &&
							 !want.data[want.l4_off + 3]
					       : !f.data[f.l4_off + 2] && !f.data[f.l4_off + 3];
			}
			ut_context("v%d %s checksum 0x0000 (seq %u)", v6 ? 6 : 4,
				   corner ? "RFC 1071 reply" : "request", o.icmp_seq);
			if (!ASSERT_TRUE(found) || !ASSERT_OK(pong_reply_of(&o, &want)))
				continue;
			ASSERT_NE(pong_get16(want.data + want.l4_off + 2), 0);
			if (corner)
				ASSERT_EQ(pong_get16(want.data + want.l4_off + 2), 0xffff);
			pong_run_one(obj, f.data, f.len, XDP_TX, want.data, want.len, false);
			if (corner)
				continue;
			ut_context("v%d request checksum 0xffff (seq %u)", v6 ? 6 : 4, o.icmp_seq);
			f.data[f.l4_off + 2] = f.data[f.l4_off + 3] = 0xff;
			pong_run_one(obj, f.data, f.len, XDP_TX, want.data, want.len, false);
		}
}

/* The report's case: id 0, seq 0, no payload. The request carries 0xf7ff; the reply's words all
 * are zero, so its only valid checksum is 0xffff (RFC 1624's eqn. 3 alone gives 0x0000). */
UT_TEST(pong_all_zero_reply)
{
	struct bpf_object *obj = ut_load("pong");
	struct ut_frame_opts o;
	struct ut_frame f, want;
	int vlans;

	if (!obj)
		return;
	for (vlans = 0; vlans < 3; vlans++) {
		ut_context("v4 id 0 seq 0 no payload, %d VLAN tags", vlans);
		ut_frame_defaults(&o, UT_ICMP4);
		o.icmp_id = o.icmp_seq = o.payload_len = 0;
		o.vlans = vlans;
		if (!ASSERT_OK(ut_frame_build(&o, &f)) || !ASSERT_OK(pong_reply_of(&o, &want)))
			return;
		ASSERT_EQ(pong_get16(f.data + f.l4_off + 2), 0xf7ff);
		ASSERT_EQ(pong_get16(want.data + want.l4_off + 2), 0xffff);
		pong_run_one(obj, f.data, f.len, XDP_TX, want.data, want.len, false);
	}
}

/* Identifier and sequence at 0 and 0xffff, with short payloads of odd and even length. */
UT_TEST(pong_id_seq_extremes)
{
	static const __u16 ends[] = { 0, 0xffff }, lens[] = { 0, 1, 2, 3, 63, 64 };
	struct bpf_object *obj = ut_load("pong");
	struct ut_frame_opts o;
	unsigned int v6, i, s, l;

	if (!obj)
		return;
	for (v6 = 0; v6 < 2; v6++)
		for (i = 0; i < 2; i++)
			for (s = 0; s < 2; s++)
				for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
					ut_frame_defaults(&o, v6 ? UT_ICMP6 : UT_ICMP4);
					o.icmp_id = ends[i];
					o.icmp_seq = ends[s];
					o.payload_len = lens[l];
					ut_context("v%d id 0x%04x seq 0x%04x payload %u",
						   v6 ? 6 : 4, o.icmp_id, o.icmp_seq,
						   o.payload_len);
					pong_expect_reply(obj, &o);
				}
}

/* Every message length from the bare 8-byte header to the largest frame BPF_PROG_TEST_RUN passes
 * whole: every mix of the pieces pong sums a message in (2 to 256 bytes, 512-byte chunks, an odd
 * last byte), IPv4 with and without options and tags, IPv6 with and without extension headers. */
UT_TEST(pong_every_message_length)
{
	static __u8 req[PONG_BIG_MAX], want[PONG_BIG_MAX];
	struct bpf_object *obj = ut_load("pong");
	struct ut_frame_opts o;
	__u32 len, want_len, payload;
	int shape;

	if (!obj)
		return;
	for (shape = 0; shape < 4; shape++) {
		ut_frame_defaults(&o, shape & 1 ? UT_ICMP6 : UT_ICMP4);
		if (shape & 2) {
			o.vlans = 2;
			o.ip4_opt_len = shape & 1 ? 0 : 40;
			o.ip6_ext = shape & 1;
			o.payload_seed = 0xc3;
		}
		for (payload = 0;; payload++) {
			len = pong_big_frame(&o, false, payload, req);
			want_len = pong_big_frame(&o, true, payload, want);
			if (!len)
				break;
			ut_context("v%d, %d tags, %d option bytes, ICMP message of %u bytes",
				   shape & 1 ? 6 : 4, o.vlans, o.ip4_opt_len, 8 + payload);
			/* The first wrong length says enough: stop before a flood of dumps. */
			if (!pong_run_one(obj, req, len, XDP_TX, want, want_len, false))
				break;
		}
		ASSERT_TRUE(payload > 3400);
	}
}

/* A request with one bit flipped at off: what the host's stack drops for a bad checksum, so pong
 * passes it untouched, as PASS and not MALFORMED (the frame is well formed; the stack's own
 * counters show the error). The same request unflipped is answered first, so the flip is the
 * only reason. */
static void pong_expect_flip_passes(struct bpf_object *obj, const __u8 *req, __u32 len,
				    const __u8 *want, __u32 want_len, __u32 off, const char *what)
{
	static __u8 buf[PONG_BIG_MAX];

	ut_context("%s (%u bytes), unchanged", what, len);
	pong_run_one(obj, req, len, XDP_TX, want, want_len, false);
	memcpy(buf, req, len);
	buf[off] ^= 0x10;
	ut_context("%s (%u bytes), bit flipped at byte %u", what, len, off);
	pong_run_one(obj, buf, len, XDP_PASS, buf, len, false);
}

UT_TEST(pong_passes_bad_checksums)
{
	static const __u32 payloads[] = { 0, 33, 3000 };
	static __u8 req[PONG_BIG_MAX], want[PONG_BIG_MAX];
	struct bpf_object *obj = ut_load("pong");
	struct ut_frame_opts o;
	__u32 len, want_len, l3, l4, end;
	unsigned int shape, i;

	if (!obj)
		return;
	for (shape = 0; shape < 4; shape++)
		for (i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
			ut_frame_defaults(&o, shape & 1 ? UT_ICMP6 : UT_ICMP4);
			if (shape & 2) {
				o.vlans = 1;
				o.ip4_opt_len = shape & 1 ? 0 : 8;
				o.ip6_ext = shape & 1;
			}
			len = pong_big_frame(&o, false, payloads[i], req);
			want_len = pong_big_frame(&o, true, payloads[i], want);
			if (!ASSERT_TRUE(len && want_len))
				return;
			l3 = 14 + 4 * o.vlans;
			l4 = len - 8 - payloads[i];
			end = len - 1;
			pong_expect_flip_passes(obj, req, len, want, want_len, l4 + 3,
						"ICMP checksum");
			pong_expect_flip_passes(obj, req, len, want, want_len, l4 + 5, "ICMP id");
			pong_expect_flip_passes(obj, req, len, want, want_len, l4 + 7, "ICMP seq");
			if (payloads[i]) {
				pong_expect_flip_passes(obj, req, len, want, want_len, l4 + 8,
							"first payload byte");
				pong_expect_flip_passes(obj, req, len, want, want_len,
							l4 + 8 + payloads[i] / 2,
							"middle payload byte");
				pong_expect_flip_passes(obj, req, len, want, want_len, end,
							"last payload byte");
			}
			if (shape & 1) {
				/* the pseudo-header: both addresses */
				pong_expect_flip_passes(obj, req, len, want, want_len, l3 + 23,
							"IPv6 source address");
				pong_expect_flip_passes(obj, req, len, want, want_len, l3 + 39,
							"IPv6 destination address");
				continue;
			}
			pong_expect_flip_passes(obj, req, len, want, want_len, l3 + 10,
						"IPv4 header checksum");
			pong_expect_flip_passes(obj, req, len, want, want_len, l3 + 5,
						"IPv4 identification");
			pong_expect_flip_passes(obj, req, len, want, want_len, l3 + 8, "IPv4 TTL");
			if (o.ip4_opt_len)
				pong_expect_flip_passes(obj, req, len, want, want_len, l3 + 20,
							"IPv4 option");
		}
}

/* An interface of this namespace other than lo, for a frame's ingress_ifindex (nothing is attached
 * to it); 0 when there is none. */
static unsigned int pong_other_ifindex(void)
{
	struct if_nameindex *all = if_nameindex(), *i;
	unsigned int found = 0;

	for (i = all; i && i->if_index && !found; i++)
		if (i->if_index != 1)
			found = i->if_index;
	if (all)
		if_freenameindex(all);
	return found;
}

/* Addresses the host's stack drops, or that no reply may come from: passed, not answered (and not
 * MALFORMED). And the addresses next to them are answered. */
UT_TEST(pong_martian_addresses)
{
	static const char *const v4_src_refused[] = { "224.0.0.1", "239.255.255.250",
						      "255.255.255.255", "0.0.0.0", "0.1.2.3" };
	static const char *const v4_src_answered[] = { "223.255.255.255", "1.0.0.0", "127.0.0.1",
						       "240.0.0.1" };
	static const char *const v6_src_refused[] = { "ff02::1", "ff0e::1", "::" };
	static const char *const v6_src_answered[] = { "::2", "fe80::1", "::ffff:10.0.0.1" };
	static const __u8 mcast_macs[][6] = { { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
					      { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 },
					      { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct bpf_object *obj = ut_load("pong");
	struct ut_frame_opts o;
	struct ut_frame f, want;
	unsigned int i, v6, other;

	if (!obj)
		return;
	for (i = 0; i < sizeof(v4_src_refused) / sizeof(v4_src_refused[0]); i++) {
		ut_context("v4 source %s", v4_src_refused[i]);
		ut_frame_defaults(&o, UT_ICMP4);
		inet_pton(AF_INET, v4_src_refused[i], &o.src4);
		pong_expect_pass(obj, &o);
	}
	for (i = 0; i < sizeof(v4_src_answered) / sizeof(v4_src_answered[0]); i++) {
		ut_context("v4 source %s", v4_src_answered[i]);
		ut_frame_defaults(&o, UT_ICMP4);
		inet_pton(AF_INET, v4_src_answered[i], &o.src4);
		pong_expect_reply(obj, &o);
	}
	ut_context("v4 destination 0.0.0.0");
	ut_frame_defaults(&o, UT_ICMP4);
	o.dst4.s_addr = 0;
	pong_expect_pass(obj, &o);
	ut_context("v4 destination 0.255.0.1");
	inet_pton(AF_INET, "0.255.0.1", &o.dst4);
	pong_expect_pass(obj, &o);

	for (i = 0; i < sizeof(v6_src_refused) / sizeof(v6_src_refused[0]); i++) {
		ut_context("v6 source %s", v6_src_refused[i]);
		ut_frame_defaults(&o, UT_ICMP6);
		inet_pton(AF_INET6, v6_src_refused[i], &o.src6);
		pong_expect_pass(obj, &o);
	}
	for (i = 0; i < sizeof(v6_src_answered) / sizeof(v6_src_answered[0]); i++) {
		ut_context("v6 source %s", v6_src_answered[i]);
		ut_frame_defaults(&o, UT_ICMP6);
		inet_pton(AF_INET6, v6_src_answered[i], &o.src6);
		pong_expect_reply(obj, &o);
	}
	ut_context("v6 destination ::");
	ut_frame_defaults(&o, UT_ICMP6);
	memset(&o.dst6, 0, sizeof(o.dst6));
	pong_expect_pass(obj, &o);

	/* ::1 is dropped on every device but loopback (ifindex 1 in every namespace, and where
	 * BPF_PROG_TEST_RUN says a frame came in unless told otherwise). */
	other = pong_other_ifindex();
	for (i = 0; i < 3; i++) {
		const char *what = i == 0   ? "source ::1"
				   : i == 1 ? "destination ::1"
					    : "::1 to ::1";

		ut_frame_defaults(&o, UT_ICMP6);
		if (i != 1)
			inet_pton(AF_INET6, "::1", &o.src6);
		if (i != 0)
			inet_pton(AF_INET6, "::1", &o.dst6);
		if (!ASSERT_OK(ut_frame_build(&o, &f)) || !ASSERT_OK(pong_reply_of(&o, &want)))
			return;
		ut_context("v6 %s, on lo", what);
		pong_run_on(obj, 1, f.data, f.len, XDP_TX, want.data, want.len, false);
		ut_context("v6 %s, on ifindex %u", what, other);
		if (ASSERT_NE(other, 0))
			pong_run_on(obj, other, f.data, f.len, XDP_PASS, f.data, f.len, false);
	}

	for (v6 = 0; v6 < 2; v6++) {
		for (i = 0; i < sizeof(mcast_macs) / sizeof(mcast_macs[0]); i++) {
			ut_context("v%d source MAC %02x:..:%02x", v6 ? 6 : 4, mcast_macs[i][0],
				   mcast_macs[i][5]);
			ut_frame_defaults(&o, v6 ? UT_ICMP6 : UT_ICMP4);
			memcpy(o.src_mac, mcast_macs[i], 6);
			pong_expect_pass(obj, &o);
		}
		ut_context("v%d source MAC 00:00:00:00:00:00 (lo's)", v6 ? 6 : 4);
		ut_frame_defaults(&o, v6 ? UT_ICMP6 : UT_ICMP4);
		memset(o.src_mac, 0, 6);
		memset(o.dst_mac, 0, 6);
		pong_expect_reply(obj, &o);
	}
}

/* An IPv6 payload length that ends before the ICMPv6 header does: malformed, like an IPv4 total
 * length shorter than its headers. */
UT_TEST(pong_ipv6_payload_shorter_than_icmpv6)
{
	struct bpf_object *obj = ut_load("pong");
	struct ut_frame_opts o;
	struct ut_frame f;
	int ext;

	if (!obj)
		return;
	for (ext = 0; ext < 2; ext++) {
		ut_frame_defaults(&o, UT_ICMP6);
		o.ip6_ext = ext;
		if (!ASSERT_OK(ut_frame_build(&o, &f)))
			return;
		/* 7 bytes of ICMPv6 */
		pong_put16(f.data + f.l3_off + 4, f.l4_off - f.l3_off - 40 + 7);
		ut_context("payload length ends inside the ICMPv6 header, %s extension headers",
			   ext ? "with" : "without");
		pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, true);
	}
}
