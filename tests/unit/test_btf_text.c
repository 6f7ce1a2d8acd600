// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the manager's BTF-typed text (manager/btf_fmt.c, btf_parse.c): real types read from
 * the built objects' BTF (no program is loaded), plus hand-built BTF for enums, bitfields, nested
 * structs and globals. */
#include "harness.h"
#include "../../manager/btf_text.h"
#include "../../manager/json.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <xdpkit/stats.h>

static struct btf *obj_btf(const char *name)
{
	char path[512];
	struct btf *btf;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", ut_build_dir, name);
	btf = btf__parse_elf(path, NULL);
	if (!btf)
		ut_fail(__FILE__, __LINE__, "no BTF in %s; run 'make' first", path);
	return btf;
}

/* The type named `name` (a typedef, else a struct) as a key/value type. */
static bool vtype(struct btf *btf, const char *name, struct xk_vtype *t)
{
	__s32 id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);

	if (id < 0)
		id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);
	if (id < 0) {
		ut_fail(__FILE__, __LINE__, "type %s not in BTF", name);
		return false;
	}
	*t = (struct xk_vtype){ btf, (__u32)id, (__u32)btf__resolve_size(btf, id) };
	return true;
}

#define ASSERT_STR_EQ(got, want)                                                                   \
	({                                                                                         \
		bool ok_ = !strcmp((got), (want));                                                 \
		if (!ok_)                                                                          \
			ut_fail(__FILE__, __LINE__, "%s: expected \"%s\", got \"%s\"", #got,       \
				(want), (got));                                                    \
		ok_;                                                                               \
	})

/* Parse text, expect success, then format it back and compare with `back`. */
static void roundtrip(const struct xk_vtype *t, const char *text, const char *back, int flags)
{
	__u8 buf[256] = { 0 };
	char err[512] = "", out[512];

	ut_context("'%s'", text);
	if (!ASSERT_OK(xk_parse_text(t, text, buf, err, sizeof(err)))) {
		ut_fail(__FILE__, __LINE__, "error was: %s", err);
		return;
	}
	xk_fmt_text(t, buf, flags, out, sizeof(out));
	ASSERT_STR_EQ(out, back);
	ut_context(NULL);
}

/* Parse text, expect -EINVAL and a message containing `needle`. */
static void refused(const struct xk_vtype *t, const char *text, const char *needle)
{
	__u8 buf[256] = { 0 };
	char err[512] = "";

	ut_context("'%s'", text);
	if (ASSERT_EQ(xk_parse_text(t, text, buf, err, sizeof(err)), -EINVAL) &&
	    !strstr(err, needle))
		ut_fail(__FILE__, __LINE__, "message \"%s\" lacks \"%s\"", err, needle);
	ut_context(NULL);
}

UT_TEST(btf_text_ipv4_and_cidr4)
{
	struct btf *btf = obj_btf("blocklist");
	struct xk_vtype ip, c4;
	__u8 buf[8];
	char err[256];

	if (!btf || !vtype(btf, "xk_ipv4", &ip) || !vtype(btf, "xk_cidr4", &c4))
		goto out;
	roundtrip(&ip, "10.0.0.1", "10.0.0.1", 0);
	roundtrip(&ip, " 192.168.1.255 ", "192.168.1.255", 0);
	refused(&ip, "300.1.1.1", "is not an IPv4 address; expected a.b.c.d");
	refused(&ip, "10.0.0", "not an IPv4 address");
	refused(&ip, "2001:db8::1", "not an IPv4 address");
	/* network byte order as stored */
	ASSERT_OK(xk_parse_text(&ip, "10.1.2.3", buf, err, sizeof(err)));
	ASSERT_MEM_EQ(buf, "\x0a\x01\x02\x03", 4);

	roundtrip(&c4, "10.0.0.0/8", "10.0.0.0/8", 0);
	roundtrip(&c4, "10.1.2.3", "10.1.2.3/32", 0); /* a bare address is a host prefix */
	roundtrip(&c4, "0.0.0.0/0", "0.0.0.0/0", 0);
	ASSERT_OK(xk_parse_text(&c4, "172.16.0.0/12", buf, err, sizeof(err)));
	ASSERT_MEM_EQ(buf, "\x0c\x00\x00\x00\xac\x10\x00\x00",
		      8); /* prefixlen host order, addr BE */
	refused(&c4, "10.0.0.0/33", "out of range; expected 0-32");
	refused(&c4, "10.0.0.0/x", "out of range");
	refused(&c4, "10.0.0.1/8", "bits set past the /8 prefix; did you mean 10.0.0.0/8?");
	refused(&c4, "10.0.0.129/25", "did you mean 10.0.0.128/25?");
	roundtrip(&c4, "10.0.0.128/25", "10.0.0.128/25", 0);
	refused(&c4, "300.0.0.0/8", "'300.0.0.0' is not an IPv4 address");
out:
	btf__free(btf);
}

UT_TEST(btf_text_ipv6_and_cidr6)
{
	struct btf *btf = obj_btf("blocklist");
	struct xk_vtype ip, c6;

	if (!btf || !vtype(btf, "xk_ipv6", &ip) || !vtype(btf, "xk_cidr6", &c6))
		goto out;
	roundtrip(&ip, "2001:db8::1", "2001:db8::1", 0);
	roundtrip(&ip, "2001:DB8:0:0:0:0:0:1", "2001:db8::1", 0);
	roundtrip(&ip, "::ffff:10.0.0.1", "::ffff:10.0.0.1", 0);
	refused(&ip, "10.0.0.1", "is not an IPv6 address");
	refused(&ip, "2001:db8:::1", "is not an IPv6 address");
	roundtrip(&c6, "2001:db8::/32", "2001:db8::/32", 0);
	roundtrip(&c6, "fd00::1", "fd00::1/128", 0);
	refused(&c6, "2001:db8::/129", "expected 0-128");
	refused(&c6, "2001:db8::1/64", "did you mean 2001:db8::/64?");
out:
	btf__free(btf);
}

UT_TEST(btf_text_port_network_order)
{
	struct btf *btf = obj_btf("portfilter");
	struct xk_vtype port;
	__u8 buf[2];
	char err[256];

	if (!btf || !vtype(btf, "xk_port", &port))
		goto out;
	ASSERT_OK(xk_parse_text(&port, "53", buf, err, sizeof(err)));
	ASSERT_MEM_EQ(buf, "\x00\x35", 2);
	roundtrip(&port, "0x1f90", "8080", 0);
	roundtrip(&port, "65535", "65535", 0);
	refused(&port, "70000", "'70000' is not a port; expected a number 0-65535");
	refused(&port, "-1", "is not a port");
	refused(&port, "http", "is not a port");
out:
	btf__free(btf);
}

UT_TEST(btf_text_count_key)
{
	struct btf *btf = obj_btf("count");
	struct xk_vtype k, et, pr;

	if (!btf || !vtype(btf, "count_key", &k) || !vtype(btf, "xk_ethertype", &et) ||
	    !vtype(btf, "xk_ipproto", &pr))
		goto out;
	roundtrip(&et, "ipv6", "ipv6", 0);
	roundtrip(&et, "0x88cc", "lldp", 0);
	roundtrip(&et, "0x1234", "0x1234", 0);
	refused(&et, "ipx", "is not an EtherType; expected one of ipv4, arp, ipv6");
	roundtrip(&pr, "udp", "udp", 0);
	roundtrip(&pr, "icmpv6", "ipv6-icmp", 0);
	roundtrip(&pr, "200", "200", 0);
	refused(&pr, "300", "is not an IP protocol");
	/* the zero pad field stays out of sight; keys join fields with ',' to stay one word */
	roundtrip(&k, "ethertype=ipv4,ip_proto=tcp", "ethertype=ipv4,ip_proto=tcp", XK_FMT_KEY);
	roundtrip(&k, "ethertype=ipv4 ip_proto=tcp", "ethertype=ipv4 ip_proto=tcp", 0);
	roundtrip(&k, "ethertype=arp", "ethertype=arp ip_proto=0", 0);
	refused(&k, "ethertype=ipv4,proto=tcp",
		"'proto' is not a field of struct count_key; its fields are ethertype, ip_proto, pad");
	refused(&k, "ipv4", "is not a field=value pair");
	refused(&k, "ethertype=", "field 'ethertype' has no value");
out:
	btf__free(btf);
}

UT_TEST(btf_text_struct_merge_and_json)
{
	struct btf *btf = obj_btf("ratelimit");
	struct xk_vtype cfg;
	__u64 v[2] = { 0, 7 };
	char err[256], *json = NULL;
	size_t jlen = 0;
	FILE *f;
	struct jw *w;

	if (!btf || !vtype(btf, "ratelimit_config", &cfg))
		goto out;
	/* fields not named keep the base's values */
	if (!ASSERT_OK(xk_parse_text(&cfg, "rate_pps=1", v, err, sizeof(err))))
		goto out;
	ASSERT_EQ(v[0], 1);
	ASSERT_EQ(v[1], 7);
	refused(&cfg, "rate_pps=18446744073709551616",
		"'18446744073709551616' is not a __u64; expected an integer 0-18446744073709551615");
	refused(&cfg, "rate_pps=-1", "is not a __u64");
	/* a field given twice is refused, not "last one wins" */
	refused(&cfg, "rate_pps=1,rate_pps=2", "'rate_pps' is given twice (also as 'rate_pps')");
	refused(&cfg, "burst=1 rate_pps=3 burst=2", "'burst' is given twice");
	f = open_memstream(&json, &jlen);
	w = jw_new(f);
	xk_fmt_json(w, &cfg, v);
	jw_free(w);
	fclose(f);
	ASSERT_STR_EQ(json, "{\"rate_pps\":1,\"burst\":7}\n");
	free(json);
out:
	btf__free(btf);
}

UT_TEST(btf_text_percpu_sum)
{
	struct btf *btf = obj_btf("hello");
	struct xk_vtype rec;
	struct xk_datarec cpus[3] = { { 1, 100 }, { 2, 200 }, { 3, 300 } }, sum;
	__s32 id;

	if (!btf)
		return;
	id = btf__find_by_name_kind(btf, "xk_datarec", BTF_KIND_STRUCT);
	if (!ASSERT_TRUE(id > 0))
		goto out;
	rec = (struct xk_vtype){ btf, (__u32)id, sizeof(struct xk_datarec) };
	xk_sum_percpu(&rec, cpus, 3, sizeof(cpus[0]), &sum);
	ASSERT_EQ(sum.packets, 6);
	ASSERT_EQ(sum.bytes, 600);
out:
	btf__free(btf);
}

/* Hand-built BTF: an enum, a bitfield, a nested struct, a signed int, a bool, an xk_mac and a
 * DATASEC. */
UT_TEST(btf_text_synthetic_types)
{
	struct btf *btf = btf__new_empty();
	int u8, u32, s16, bl, arr6, macs, mac, en, inner, outer, var, sec;
	struct xk_vtype t;
	__u8 buf[32] = { 0 };
	char err[256];

	if (!ASSERT_TRUE(btf))
		return;
	u8 = btf__add_int(btf, "__u8", 1, 0);
	u32 = btf__add_int(btf, "__u32", 4, 0);
	s16 = btf__add_int(btf, "short", 2, BTF_INT_SIGNED);
	bl = btf__add_int(btf, "_Bool", 1, BTF_INT_BOOL);
	arr6 = btf__add_array(btf, u32, u8, 6);
	macs = btf__add_struct(btf, "", 6);
	btf__add_field(btf, "a", arr6, 0, 0);
	mac = btf__add_typedef(btf, "xk_mac", macs);
	en = btf__add_enum(btf, "mode", 4);
	btf__add_enum_value(btf, "MODE_DENY", 0);
	btf__add_enum_value(btf, "MODE_ALLOW_ONLY", 1);
	inner = btf__add_struct(btf, "inner", 4);
	btf__add_field(btf, "lo", u32, 0, 3); /* bitfield: 3 bits */
	btf__add_field(btf, "hi", u32, 3, 29);
	outer = btf__add_struct(btf, "outer", 20);
	btf__add_field(btf, "mode", en, 0, 0);
	btf__add_field(btf, "in", inner, 32, 0);
	btf__add_field(btf, "delta", s16, 64, 0);
	btf__add_field(btf, "on", bl, 80, 0);
	btf__add_field(btf, "mac", mac, 88, 0);
	var = btf__add_var(btf, "counter", BTF_VAR_GLOBAL_ALLOCATED, u32);
	sec = btf__add_datasec(btf, ".bss", 4);
	btf__add_datasec_var_info(btf, var, 0, 4);

	t = (struct xk_vtype){ btf, (__u32)mac, 6 };
	roundtrip(&t, "AA:bb:cc:00:11:22", "aa:bb:cc:00:11:22", 0);
	refused(&t, "aa:bb:cc:00:11", "is not a MAC address; expected aa:bb:cc:dd:ee:ff");

	t = (struct xk_vtype){ btf, (__u32)outer, 20 };
	roundtrip(&t, "mode=allow_only in.lo=5 in.hi=1000 delta=-3 on=true mac=02:00:00:00:00:01",
		  "mode=MODE_ALLOW_ONLY in.lo=5 in.hi=1000 delta=-3 on=true mac=02:00:00:00:00:01",
		  0);
	refused(&t, "in.lo=8", "'8' is not a __u32; expected an integer 0-7");
	refused(&t, "delta=40000", "expected an integer from -32768 to 32767");
	refused(&t, "mode=sometimes", "expected one of MODE_DENY, MODE_ALLOW_ONLY");
	refused(&t, "in=1", "is a struct inner; give its fields as field=value");
	refused(&t, "on=maybe", "expected true or false");
	refused(&t, "nope=1", "its fields are mode, in.lo, in.hi, delta, on, mac");
	ASSERT_OK(xk_parse_text(&t, "in.hi=1", buf, err, sizeof(err)));
	ASSERT_EQ(buf[4], 8); /* bit 3 of the second word */

	t = (struct xk_vtype){ btf, (__u32)sec, 4 };
	roundtrip(&t, "counter=42", "counter=42", 0);

	t = (struct xk_vtype){ NULL, 0, 4 }; /* a map without BTF */
	roundtrip(&t, "0a000001", "0a000001", 0);
	roundtrip(&t, "0a:00:00:02", "0a000002", 0);
	refused(&t, "0a01", "is not 4 bytes of hex");
	btf__free(btf);
}

/* The bulk parser (map load) takes exactly what xk_parse_text takes, with the same bytes, and
 * refuses with the same message: its direct paths are only shortcuts. */
static void same_as_generic(const struct xk_vtype *t, const char *text)
{
	__u8 a[64] = { 0 }, b[64] = { 0 };
	char ea[512] = "", eb[512] = "";
	struct xk_parser p;
	int ra, rb;

	ut_context("'%s'", text);
	xk_parser_init(&p, t);
	ra = xk_parse_text(t, text, a, ea, sizeof(ea));
	rb = xk_parser_run(&p, text, strlen(text), b, eb, sizeof(eb));
	ASSERT_EQ(rb, ra);
	ASSERT_MEM_EQ(b, a, sizeof(a));
	ASSERT_STR_EQ(eb, ea);
	ut_context(NULL);
}

UT_TEST(btf_text_bulk_parser)
{
	static const char *const v4[] = { "10.0.0.1",  "0.0.0.0",	"255.255.255.255",
					  "1.2.3.4",   "192.168.001.1", "01.2.3.4",
					  "256.1.1.1", "1.2.3",		"1.2.3.4.5",
					  "1..2.3",    "1.2.3.",	".1.2.3",
					  "1.2.3.4x",  "1.2.3.1000",	"2001:db8::1",
					  "",	       "0x0a000001",	"1.2.3.04" };
	static const char *const v6[] = { "2001:db8::1", "::",		 "::ffff:10.0.0.1",
					  "10.0.0.1",	 "2001:db8:::1", "fe80::1%eth0" };
	static const char *const num[] = { "0",
					   "42",
					   "4294967295",
					   "4294967296",
					   "18446744073709551615",
					   "18446744073709551616",
					   "0x10",
					   "010",
					   "-1",
					   "+1",
					   "1 2",
					   "99999999999999999999",
					   "abc",
					   "" };
	struct btf *btf = obj_btf("blocklist"), *syn = btf__new_empty();
	struct xk_vtype ip, ip6, hits, t;
	char long_text[1100];
	size_t i;
	int u16, s32;

	if (!btf || !syn || !vtype(btf, "xk_ipv4", &ip) || !vtype(btf, "xk_ipv6", &ip6) ||
	    !vtype(btf, "xk_hits", &hits))
		goto out;
	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		same_as_generic(&ip, v4[i]);
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		same_as_generic(&ip6, v6[i]);
	for (i = 0; i < sizeof(num) / sizeof(num[0]); i++)
		same_as_generic(&hits, num[i]);
	u16 = btf__add_int(syn, "__u16", 2, 0);
	s32 = btf__add_int(syn, "int", 4, BTF_INT_SIGNED);
	t = (struct xk_vtype){ syn, (__u32)u16, 2 };
	for (i = 0; i < sizeof(num) / sizeof(num[0]); i++)
		same_as_generic(&t, num[i]);
	same_as_generic(&t, "65535");
	same_as_generic(&t, "65536");
	t = (struct xk_vtype){ syn, (__u32)s32, 4 };
	for (i = 0; i < sizeof(num) / sizeof(num[0]); i++)
		same_as_generic(&t, num[i]);
	memset(long_text, '1', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	same_as_generic(&ip, long_text);
out:
	btf__free(syn);
	btf__free(btf);
}

/* Issue 9 item 5, found by fuzzing: each case failed (or wrote wrong bytes) before its fix. */

/* A value struct with a pointer field: BTF keeps the pointee's type id where other kinds keep a
 * size, and that id was taken as the number of bytes to write. Now an 8-byte integer, printed as
 * dump shows it and read back. */
UT_TEST(btf_text_pointer_field)
{
	struct btf *btf = btf__new_empty();
	int u32, big, ptr, st, i;
	struct xk_vtype t;
	__u8 buf[64];
	char err[512], out[256];
	__u32 after;

	if (!ASSERT_TRUE(btf))
		return;
	u32 = btf__add_int(btf, "__u32", 4, 0);
	/* pad the type table so that the pointee's id is large: the old code copied that many
	 * bytes */
	for (i = 0; i < 40; i++)
		big = btf__add_struct(btf, "filler", 4);
	ptr = btf__add_ptr(btf, big);
	st = btf__add_struct(btf, "with_ptr", 16);
	btf__add_field(btf, "p", ptr, 0, 0);
	btf__add_field(btf, "after", u32, 64, 0);
	btf__add_field(btf, "end", u32, 96, 0);
	ASSERT_TRUE(ptr > 40);
	t = (struct xk_vtype){ btf, (__u32)st, 16 };
	memset(buf, 0xee, sizeof(buf));
	memset(buf, 0, 16);
	buf[8] = 7;
	ASSERT_OK(xk_parse_text(&t, "p=0x0", buf, err, sizeof(err)));
	memcpy(&after, buf + 8, 4);
	ASSERT_EQ(after, 7);	  /* the field after the pointer is untouched */
	ASSERT_EQ(buf[16], 0xee); /* and nothing past the value */
	roundtrip(&t, "p=0x0", "p=0x0 after=0 end=0", 0);
	roundtrip(&t, "p=0xffff888012345678 after=3", "p=0xffff888012345678 after=3 end=0", 0);
	refused(&t, "p=0x10000000000000000", "is not an address for");
	/* what `map dump` prints loads back */
	memset(buf, 0, sizeof(buf));
	ASSERT_OK(xk_parse_text(&t, "p=0x1234 after=5 end=6", buf, err, sizeof(err)));
	xk_fmt_text(&t, buf, 0, out, sizeof(out));
	ASSERT_STR_EQ(out, "p=0x1234 after=5 end=6");
	btf__free(btf);
}

/* Enum numbers are range-checked against the enum's size and a bitfield's width, not truncated;
 * signed enums take negative numbers and print them so that they load back. */
UT_TEST(btf_text_enum_ranges)
{
	struct btf *btf = btf__new_empty();
	int u8, small, sgn, st;
	struct xk_vtype t;
	__u8 buf[16] = { 0 };
	char err[512];

	if (!ASSERT_TRUE(btf))
		return;
	u8 = btf__add_int(btf, "__u8", 1, 0);
	small = btf__add_enum(btf, "small", 1);
	btf__add_enum_value(btf, "S_A", 1);
	btf__add_enum_value(btf, "S_WIDE", 5);
	sgn = btf__add_enum(btf, "level", 2);
	btf__add_enum_value(btf, "L_LOW", -2);
	btf__add_enum_value(btf, "L_HIGH", 2);
	st = btf__add_struct(btf, "modes", 4);
	btf__add_field(btf, "two", small, 0, 2); /* a 2-bit enum bitfield */
	btf__add_field(btf, "sl", sgn, 2, 3);	 /* a 3-bit signed enum bitfield */
	btf__add_field(btf, "byte", u8, 8, 0);
	btf__add_field(btf, "whole", small, 16, 0);

	t = (struct xk_vtype){ btf, (__u32)small, 1 };
	roundtrip(&t, "255", "255", 0);
	refused(&t, "256", "'256' is out of range for enum small; expected a number 0-255");
	refused(&t, "0x0x5", "is not a value of enum small");
	refused(&t, "-1",
		"is not a value of enum small; expected one of S_A, S_WIDE, or a number 0-255");
	t = (struct xk_vtype){ btf, (__u32)sgn, 2 };
	ASSERT_TRUE(btf_kflag(btf__type_by_id(btf, sgn))); /* libbpf marks it signed */
	roundtrip(&t, "l_low", "L_LOW", 0);
	roundtrip(&t, "-7", "-7", 0);
	roundtrip(&t, "-32768", "-32768", 0);
	refused(&t, "-32769", "expected a number from -32768 to 32767");
	refused(&t, "40000", "expected a number from -32768 to 32767");

	t = (struct xk_vtype){ btf, (__u32)st, 4 };
	roundtrip(&t, "two=3 sl=-4 byte=9 whole=S_WIDE", "two=3 sl=-4 byte=9 whole=S_WIDE", 0);
	refused(&t, "two=4",
		"field 'two': '4' is out of range for enum small; expected a number 0-3");
	refused(&t, "two=S_WIDE", "'S_WIDE' (5) does not fit in this 2-bit field of enum small");
	refused(&t, "sl=4", "expected a number from -4 to 3");
	roundtrip(&t, "sl=l_high", "two=0 sl=L_HIGH byte=0 whole=0", 0);
	/* a refused field leaves its neighbours alone */
	memset(buf, 0, sizeof(buf));
	buf[1] = 9;
	ASSERT_EQ(xk_parse_text(&t, "two=7", buf, err, sizeof(err)), -EINVAL);
	ASSERT_EQ(buf[0], 0);
	ASSERT_EQ(buf[1], 9);
	btf__free(btf);
}

/* A typed field (xk_ipproto, xk_port) inside a bitfield goes to its bit offset, checked against
 * the width; it used to land at bit 0 of the struct. */
UT_TEST(btf_text_typed_bitfield)
{
	struct btf *btf = btf__new_empty();
	int u8, u16, proto, port, st;
	struct xk_vtype t;
	__u8 buf[8] = { 0 };
	char err[512];

	if (!ASSERT_TRUE(btf))
		return;
	u8 = btf__add_int(btf, "__u8", 1, 0);
	u16 = btf__add_int(btf, "__u16", 2, 0);
	proto = btf__add_typedef(btf, "xk_ipproto", u8);
	port = btf__add_typedef(btf, "xk_port", u16);
	st = btf__add_struct(btf, "packed", 4);
	btf__add_field(btf, "flags", u8, 0, 4);
	btf__add_field(btf, "proto", proto, 4, 4);
	btf__add_field(btf, "big", proto, 8, 8);
	btf__add_field(btf, "port", port, 16, 16);
	t = (struct xk_vtype){ btf, (__u32)st, 4 };
	ASSERT_OK(xk_parse_text(&t, "flags=5 proto=6", buf, err, sizeof(err)));
	ASSERT_EQ(buf[0], 0x65); /* flags in bits 0-3, proto 6 in bits 4-7 */
	roundtrip(&t, "flags=1 proto=tcp big=udp port=53", "flags=1 proto=tcp big=udp port=53", 0);
	refused(&t, "proto=udp",
		"field 'proto': 'udp' (17) does not fit in this 4-bit field of xk_ipproto");
	btf__free(btf);
}

/* A nested write into a named type (net.prefixlen inside an xk_cidr4) goes through the same
 * checks as the whole text 10.0.0.0/8. */
UT_TEST(btf_text_nested_cidr_checked)
{
	struct btf *btf = btf__new_empty();
	int u32, ip4, cidr, st;
	struct xk_vtype t;
	__u8 buf[16] = { 0 };
	char err[512];

	if (!ASSERT_TRUE(btf))
		return;
	u32 = btf__add_int(btf, "__u32", 4, 0);
	ip4 = btf__add_typedef(btf, "xk_ipv4", u32);
	cidr = btf__add_struct(btf, "xk_cidr4", 8);
	btf__add_field(btf, "prefixlen", u32, 0, 0);
	btf__add_field(btf, "addr", ip4, 32, 0);
	st = btf__add_struct(btf, "route", 12);
	btf__add_field(btf, "net", cidr, 0, 0);
	btf__add_field(btf, "metric", u32, 64, 0);
	t = (struct xk_vtype){ btf, (__u32)st, 12 };
	roundtrip(&t, "net=10.0.0.0/8 metric=3", "net=10.0.0.0/8 metric=3", 0);
	refused(&t, "net.prefixlen=99",
		"field 'net.prefixlen' would make it 0.0.0.0/99, which is refused: '0.0.0.0/99': "
		"prefix length '99' is out of range; expected 0-32");
	refused(&t, "net.addr=10.0.0.1", "did you mean 0.0.0.0/0?");
	roundtrip(&t, "net.addr=10.0.0.1 net.prefixlen=32", "net=10.0.0.1/32 metric=0", 0);
	ASSERT_OK(xk_parse_text(&t, "net=10.1.0.0/16", buf, err, sizeof(err)));
	ASSERT_EQ(xk_parse_text(&t, "net.prefixlen=8", buf, err, sizeof(err)), -EINVAL);
	if (!strstr(err, "did you mean 10.0.0.0/8?"))
		ut_fail(__FILE__, __LINE__, "message: %s", err);
	btf__free(btf);
}

/* Numbers: one strict form everywhere (decimal, or hex after one 0x). */
UT_TEST(btf_text_strict_numbers)
{
	struct btf *btf = obj_btf("portfilter");
	struct xk_vtype port, hits;

	if (!btf || !vtype(btf, "xk_port", &port) || !vtype(btf, "xk_hits", &hits))
		goto out;
	refused(&port, "0x0x50", "'0x0x50' is not a port");
	refused(&port, "0x", "is not a port");
	refused(&port, "+80", "is not a port");
	refused(&hits, "0x0x50", "'0x0x50' is not a xk_hits");
	refused(&hits, "1e3", "is not a xk_hits");
	refused(&hits, "18446744073709551616", "is not a xk_hits");
	roundtrip(&hits, "0xFFFFFFFFFFFFFFFF", "18446744073709551615", 0);
	roundtrip(&hits, "007", "7", 0);
out:
	btf__free(btf);
}

/* parse_mac looks at no character past the end of its word (found by ASan: "aa:bb:cc:dd:ee:"
 * read the byte after the NUL); every cut of a MAC is refused, nothing written. */
UT_TEST(btf_text_mac_cuts)
{
	struct btf *btf = btf__new_empty();
	static const char mac[] = "aa:bb:cc:dd:ee:ff";
	struct xk_vtype t;
	int u8, arr, st, td;
	size_t cut;

	if (!ASSERT_TRUE(btf))
		return;
	u8 = btf__add_int(btf, "__u8", 1, 0);
	arr = btf__add_array(btf, u8, u8, 6);
	st = btf__add_struct(btf, "", 6);
	btf__add_field(btf, "a", arr, 0, 0);
	td = btf__add_typedef(btf, "xk_mac", st);
	t = (struct xk_vtype){ btf, (__u32)td, 6 };
	for (cut = 1; cut < sizeof(mac) - 1; cut++) {
		char text[sizeof(mac)], err[256];
		__u8 out[6] = { 1, 2, 3, 4, 5, 6 };

		memcpy(text, mac, cut);
		text[cut] = '\0';
		ut_context("'%s'", text);
		ASSERT_EQ(xk_parse_text(&t, text, out, err, sizeof(err)), -EINVAL);
		ASSERT_MEM_EQ(out, "\x01\x02\x03\x04\x05\x06", 6);
	}
	ut_context(NULL);
	roundtrip(&t, "aa-bb-cc-dd-ee-ff", "aa:bb:cc:dd:ee:ff", 0);
	refused(&t, "aa:bb:cc:dd:ee:ff:", "is not a MAC address");
	btf__free(btf);
}

/* map load hands the bulk parser a word with its length: a NUL inside is refused, not a cut. */
UT_TEST(btf_text_nul_in_text)
{
	struct btf *btf = obj_btf("blocklist");
	struct xk_vtype ip, hits;
	struct xk_parser p;
	__u8 out[8] = { 0 };
	char err[256] = "";

	if (!btf || !vtype(btf, "xk_ipv4", &ip) || !vtype(btf, "xk_hits", &hits))
		goto out;
	xk_parser_init(&p, &ip);
	ASSERT_EQ(xk_parser_run(&p, "10.0.0.1\0junk", 13, out, err, sizeof(err)), -EINVAL);
	ASSERT_STR_EQ(err, "'10.0.0.1' is followed by a NUL byte; expected text without NUL bytes");
	ASSERT_MEM_EQ(out, "\0\0\0\0", 4);
	xk_parser_init(&p, &hits);
	ASSERT_EQ(xk_parser_run(&p,
				"12\0"
				"3",
				4, out, err, sizeof(err)),
		  -EINVAL);
out:
	btf__free(btf);
}

/* Texts of any length up to XK_TEXT_MAX, whole: printed without a cut (the old 4 KiB buffers of
 * `map dump` cut them) and read back; longer ones refused by name. */
UT_TEST(btf_text_long_texts)
{
	struct btf *btf = btf__new_empty();
	int u8, u32, arr, words, st;
	struct xk_vtype t;
	__u8 *buf = calloc(1, 4096 + 64), *back = calloc(1, 4096 + 64);
	char *text = NULL, err[512];
	size_t i;

	if (!ASSERT_TRUE(btf && buf && back))
		goto out;
	u8 = btf__add_int(btf, "__u8", 1, 0);
	u32 = btf__add_int(btf, "__u32", 4, 0);
	arr = btf__add_array(btf, u32, u8, 3000); /* 6000 hex digits */
	words = btf__add_array(btf, u32, u32, 4);
	st = btf__add_struct(btf, "big", 3016);
	btf__add_field(btf, "blob", arr, 0, 0);
	btf__add_field(btf, "w", words, 3000 * 8, 0);
	t = (struct xk_vtype){ btf, (__u32)st, 3016 };
	for (i = 0; i < 3000; i++)
		buf[i] = i * 7;
	for (i = 0; i < 4; i++)
		buf[3000 + 4 * i] = i + 1;
	text = xk_fmt_text_alloc(&t, buf, 0);
	if (!ASSERT_TRUE(text))
		goto out;
	ASSERT_EQ(strlen(text), strlen("blob=") + 6000 + strlen(" w=[1 2 3 4]"));
	ASSERT_STR_EQ(text + strlen(text) - 12, " w=[1 2 3 4]");
	if (ASSERT_OK(xk_parse_text(&t, text, back, err, sizeof(err))))
		ASSERT_MEM_EQ(back, buf, 3016);
	free(text);
	text = xk_fmt_text_alloc(&(struct xk_vtype){ btf, (__u32)words, 16 }, buf + 3000,
				 XK_FMT_KEY);
	ASSERT_STR_EQ(text, "[1,2,3,4]"); /* a key stays one word */
	refused(&(struct xk_vtype){ btf, (__u32)words, 16 }, "[1 2 3]", "has too few elements");
	free(text);
	text = malloc(XK_TEXT_MAX + 2);
	if (!ASSERT_TRUE(text))
		goto out;
	memset(text, 'a', XK_TEXT_MAX + 1);
	text[XK_TEXT_MAX + 1] = '\0';
	refused(&t, text, "is too long (1048577 characters); a key or value takes at most 1048576");
out:
	free(text);
	free(buf);
	free(back);
	btf__free(btf);
}

/* Floats print in the fewest digits that read back as the same number (%g kept 6). */
UT_TEST(btf_text_float_roundtrip)
{
	struct btf *btf = btf__new_empty();
	int dbl, flt;
	struct xk_vtype td, tf;
	double vals[] = { 0.1, 1.0 / 3, 1e-310, 123456789.123, -2.5e300 };
	char out[64], err[256];
	size_t i;

	if (!ASSERT_TRUE(btf))
		return;
	dbl = btf__add_float(btf, "double", 8);
	flt = btf__add_float(btf, "float", 4);
	td = (struct xk_vtype){ btf, (__u32)dbl, 8 };
	tf = (struct xk_vtype){ btf, (__u32)flt, 4 };
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		double back = 0;

		xk_fmt_text(&td, &vals[i], 0, out, sizeof(out));
		ut_context("%s", out);
		if (ASSERT_OK(xk_parse_text(&td, out, &back, err, sizeof(err))))
			ASSERT_TRUE(back == vals[i]);
	}
	ut_context(NULL);
	roundtrip(&td, "0.1", "0.1", 0);
	roundtrip(&tf, "0.1", "0.1", 0);
	refused(&tf, "1e39", "is out of range for float");
	refused(&td, "1e400", "is out of range for double");
	refused(&td, "1.5x", "is not a number for double");
	btf__free(btf);
}
