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
	*t = (struct xk_vtype){btf, (__u32)id, (__u32)btf__resolve_size(btf, id)};
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
	__u8 buf[256] = {0};
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
	__u8 buf[256] = {0};
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
	refused(
	    &k, "ethertype=ipv4,proto=tcp",
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
	__u64 v[2] = {0, 7};
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
	struct xk_datarec cpus[3] = {{1, 100}, {2, 200}, {3, 300}}, sum;
	__s32 id;

	if (!btf)
		return;
	id = btf__find_by_name_kind(btf, "xk_datarec", BTF_KIND_STRUCT);
	if (!ASSERT_TRUE(id > 0))
		goto out;
	rec = (struct xk_vtype){btf, (__u32)id, sizeof(struct xk_datarec)};
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
	__u8 buf[32] = {0};
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

	t = (struct xk_vtype){btf, (__u32)mac, 6};
	roundtrip(&t, "AA:bb:cc:00:11:22", "aa:bb:cc:00:11:22", 0);
	refused(&t, "aa:bb:cc:00:11", "is not a MAC address; expected aa:bb:cc:dd:ee:ff");

	t = (struct xk_vtype){btf, (__u32)outer, 20};
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

	t = (struct xk_vtype){btf, (__u32)sec, 4};
	roundtrip(&t, "counter=42", "counter=42", 0);

	t = (struct xk_vtype){NULL, 0, 4}; /* a map without BTF */
	roundtrip(&t, "0a000001", "0a000001", 0);
	roundtrip(&t, "0a:00:00:02", "0a000002", 0);
	refused(&t, "0a01", "is not 4 bytes of hex");
	btf__free(btf);
}

/* The bulk parser (map load) takes exactly what xk_parse_text takes, with the same bytes, and
 * refuses with the same message: its direct paths are only shortcuts. */
static void same_as_generic(const struct xk_vtype *t, const char *text)
{
	__u8 a[64] = {0}, b[64] = {0};
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
	static const char *const v4[] = {
	    "10.0.0.1",	 "0.0.0.0",    "255.255.255.255", "1.2.3.4", "192.168.001.1", "01.2.3.4",
	    "256.1.1.1", "1.2.3",      "1.2.3.4.5",	  "1..2.3",  "1.2.3.",	      ".1.2.3",
	    "1.2.3.4x",	 "1.2.3.1000", "2001:db8::1",	  "",	     "0x0a000001",    "1.2.3.04"};
	static const char *const v6[] = {"2001:db8::1", "::",		"::ffff:10.0.0.1",
					 "10.0.0.1",	"2001:db8:::1", "fe80::1%eth0"};
	static const char *const num[] = {"0",
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
					  ""};
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
	t = (struct xk_vtype){syn, (__u32)u16, 2};
	for (i = 0; i < sizeof(num) / sizeof(num[0]); i++)
		same_as_generic(&t, num[i]);
	same_as_generic(&t, "65535");
	same_as_generic(&t, "65536");
	t = (struct xk_vtype){syn, (__u32)s32, 4};
	for (i = 0; i < sizeof(num) / sizeof(num[0]); i++)
		same_as_generic(&t, num[i]);
	memset(long_text, '1', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	same_as_generic(&ip, long_text);
out:
	btf__free(syn);
	btf__free(btf);
}
