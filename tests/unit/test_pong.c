/* Unit tests of pong: an echo request comes back as the reply built independently here (checksums
 * by RFC 1071 over the whole header/message, not pong's incremental way), byte for byte; everything
 * else passes untouched. */
#include <linux/bpf.h>
#include <xdpkit/stats.h>
#include "frames.h"

/* The reply a correct responder sends to the request that req describes. */
static int pong_reply_of(const struct ut_frame_opts *req, struct ut_frame *want)
{
	struct ut_frame_opts o = *req;

	memcpy(o.src_mac, req->dst_mac, 6);
	memcpy(o.dst_mac, req->src_mac, 6);
	o.src4 = req->dst4;
	o.dst4 = req->src4;
	o.src6 = req->dst6;
	o.dst6 = req->src6;
	o.ttl = 64;
	o.echo_reply = true;
	return ut_frame_build(&o, want);
}

static bool pong_is_request(const struct ut_case *c)
{
	return (c->kind == UT_ICMP4 || c->kind == UT_ICMP6) && c->frag == UT_FRAG_NONE;
}

/* Reset, run once, compare verdict and bytes, and check that exactly the one verdict slot (and
 * MALFORMED when malformed) counted the frame. */
static void pong_run_one(struct bpf_object *obj, const __u8 *frame, __u32 len, __u32 verdict,
			 const __u8 *want, __u32 want_len, bool malformed)
{
	struct bpf_program *prog = ut_prog(obj, "xdp");
	struct ut_result r;
	__u64 p, b;
	int slot;

	if (!prog || !ASSERT_OK(ut_reset_maps(obj)) || !ASSERT_OK(ut_run(prog, frame, len, &r)))
		return;
	ASSERT_EQ(r.retval, verdict);
	if (ASSERT_EQ(r.len, want_len))
		ASSERT_MEM_EQ(r.data, want, want_len);
	for (slot = 0; slot < XK_STAT_MALFORMED; slot++) {
		ASSERT_OK(ut_stats(obj, slot, &p, &b));
		ASSERT_EQ(p, (__u32)slot == verdict);
		ASSERT_EQ(b, (__u32)slot == verdict ? len : 0);
	}
	ASSERT_OK(ut_stats(obj, XK_STAT_MALFORMED, &p, &b));
	ASSERT_EQ(p, malformed);
	ASSERT_EQ(b, malformed ? len : 0);
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
		o.src4.s_addr = pong_rand(&seed) & 0xffffff0a; /* 10.x.x.x: never multicast */
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
		struct ut_frame_opts ro = o;

		/* The reply's shape, built the same independent way. */
		memcpy(ro.src_mac, o.dst_mac, 6);
		memcpy(ro.dst_mac, o.src_mac, 6);
		ro.src6 = o.dst6;
		ro.dst6 = o.src6;
		ro.ttl = 64;
		ro.echo_reply = true;
		if (ASSERT_OK(ut_frame_ipv6_ext_chain(&ro, 6, &want)))
			pong_run_one(obj, f.data, f.len, XDP_TX, want.data, want.len, false);
	}
	ut_context(
	    "ICMPv6 echo behind seven destination-options headers (more than the walk takes)");
	if (ASSERT_OK(ut_frame_ipv6_ext_chain(&o, 7, &f)))
		pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, true);

	ut_context("ICMP echo with three VLAN tags");
	ut_frame_defaults(&o, UT_ICMP4);
	o.vlans = 2;
	if (ASSERT_OK(ut_frame_build(&o, &f)) &&
	    ASSERT_OK(ut_frame_insert(&f, 20, (const __u8[]){0x81, 0x00, 0x01, 0x2c}, 4)))
		pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, true);

	ut_context("v4 IHL 4");
	ut_frame_defaults(&o, UT_ICMP4);
	if (ASSERT_OK(ut_frame_build(&o, &f))) {
		f.data[f.l3_off] = 0x44;
		pong_run_one(obj, f.data, f.len, XDP_PASS, f.data, f.len, true);
	}
}

/* The corners of one's-complement arithmetic: a request whose checksum is 0x0000, and a request
 * whose reply's checksum is 0x0000 (its sum folds to 0xffff). Found by searching the sequence
 * number. */
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
				const struct ut_frame *x = corner ? &want : &f;

				o.icmp_seq = seq;
				if (!ASSERT_OK(ut_frame_build(&o, &f)) ||
				    !ASSERT_OK(pong_reply_of(&o, &want)))
					return;
				found = !x->data[x->l4_off + 2] && !x->data[x->l4_off + 3];
			}
			ut_context("v%d %s checksum 0 (seq %u)", v6 ? 6 : 4,
				   corner ? "reply" : "request", o.icmp_seq);
			if (ASSERT_TRUE(found))
				pong_run_one(obj, f.data, f.len, XDP_TX, want.data, want.len,
					     false);
		}
}
