/* Parsing what a person types into the bytes of a map key or value, driven by BTF. Strict: every
 * bad input is refused with a sentence naming the input and the form expected, never guessed at. */
#include "btf_text.h"

#include <arpa/inet.h>
#include <bpf/btf.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -EINVAL)

/* Decimal, or hex with 0x. No octal: "010" is ten, as a person means it. */
static int parse_u64(const char *s, __u64 *v)
{
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s || !isxdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, base);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

static int parse_s64(const char *s, __s64 *v)
{
	bool neg = *s == '-';
	__u64 u;

	if (parse_u64(neg ? s + 1 : s, &u))
		return -EINVAL;
	if (neg ? u > (__u64)INT64_MAX + 1 : u > (__u64)INT64_MAX)
		return -ERANGE;
	*v = neg ? (__s64)(0 - u) : (__s64)u;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly `size` bytes of hex; ':', '-', ' ' and a leading 0x allowed for readability. */
static int parse_hex(const char *s, __u8 *out, __u32 size)
{
	__u32 n = 0;
	int hi = -1;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++) {
		int v = hexval(*s);

		if (v < 0) {
			if ((*s == ':' || *s == '-' || *s == ' ') && hi < 0)
				continue;
			return -EINVAL;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= size)
			return -EINVAL;
		out[n++] = hi << 4 | v;
		hi = -1;
	}
	return n == size && hi < 0 ? 0 : -EINVAL;
}

static int lookup_name(const struct xk_name_num *tab, const char *s, unsigned int *v)
{
	for (; tab->name; tab++)
		if (!strcasecmp(tab->name, s)) {
			*v = tab->num;
			return 0;
		}
	return -ENOENT;
}

static void names_of(const struct xk_name_num *tab, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; tab->name && off < len; tab++)
		off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "", tab->name);
}

static int parse_mac(const char *s, __u8 *out)
{
	int i;

	for (i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hexval(s[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = hi << 4 | lo;
		s += 2;
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return -EINVAL;
			s++;
		}
	}
	return *s ? -EINVAL : 0;
}

/* 10.0.0.0/8 or 2001:db8::/32; a bare address is a host prefix (/32, /128). Host bits set past the
 * prefix are refused: the trie would store them and show them back, which only confuses. */
static int parse_cidr(const char *s, bool v6, __u8 *out, char *err, size_t errlen)
{
	int af = v6 ? AF_INET6 : AF_INET, bytes = v6 ? 16 : 4, maxlen = v6 ? 128 : 32;
	const char *form =
	    v6 ? "an IPv6 prefix such as 2001:db8::/32" : "a prefix such as 10.0.0.0/8";
	char addr[INET6_ADDRSTRLEN + 8], shown[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	__u8 a[16], fixed[16];
	__u64 plen = maxlen;
	__u32 p32;
	int i;

	if ((size_t)(slash ? slash - s : (ptrdiff_t)strlen(s)) >= sizeof(addr))
		return ERR("'%s' is not %s", s, form);
	snprintf(addr, sizeof(addr), "%.*s", slash ? (int)(slash - s) : (int)strlen(s), s);
	if (inet_pton(af, addr, a) != 1)
		return ERR("'%s' is not %s: '%s' is not an %s address", s, form, addr,
			   v6 ? "IPv6" : "IPv4");
	if (slash && (parse_u64(slash + 1, &plen) || plen > (__u64)maxlen))
		return ERR("'%s': prefix length '%s' is out of range; expected 0-%d", s, slash + 1,
			   maxlen);
	memcpy(fixed, a, bytes);
	for (i = 0; i < bytes; i++) {
		int keep = (int)plen - i * 8;

		if (keep <= 0)
			fixed[i] = 0;
		else if (keep < 8)
			fixed[i] &= 0xff << (8 - keep);
	}
	if (memcmp(fixed, a, bytes))
		return ERR("'%s' has bits set past the /%u prefix; did you mean %s/%u?", s,
			   (unsigned)plen, inet_ntop(af, fixed, shown, sizeof(shown)),
			   (unsigned)plen);
	p32 = plen;
	memcpy(out, &p32, 4);
	memcpy(out + 4, a, bytes);
	return 0;
}

static int parse_special(enum xk_special sp, const char *s, __u8 *out, char *err, size_t errlen)
{
	char names[256];
	unsigned int n;
	__u16 v16;
	__u64 v;

	switch (sp) {
	case XK_SP_IPV4:
		if (inet_pton(AF_INET, s, out) != 1)
			return ERR(
			    "'%s' is not an IPv4 address; expected a.b.c.d with each part 0-255",
			    s);
		return 0;
	case XK_SP_IPV6:
		if (inet_pton(AF_INET6, s, out) != 1)
			return ERR("'%s' is not an IPv6 address; expected e.g. 2001:db8::1", s);
		return 0;
	case XK_SP_PORT:
		if (parse_u64(s, &v) || v > 65535)
			return ERR("'%s' is not a port; expected a number 0-65535", s);
		v16 = htons((__u16)v);
		memcpy(out, &v16, 2);
		return 0;
	case XK_SP_MAC:
		if (parse_mac(s, out))
			return ERR("'%s' is not a MAC address; expected aa:bb:cc:dd:ee:ff", s);
		return 0;
	case XK_SP_ETHERTYPE:
		if (!lookup_name(xk_ethertype_names, s, &n)) {
			v = n;
		} else if (parse_u64(s, &v) || v > 0xffff) {
			names_of(xk_ethertype_names, names, sizeof(names));
			return ERR("'%s' is not an EtherType; expected one of %s, or a number such "
				   "as 0x88cc",
				   s, names);
		}
		v16 = v;
		memcpy(out, &v16, 2);
		return 0;
	case XK_SP_IPPROTO:
		if (!strcasecmp(s, "icmpv6") || !strcasecmp(s, "icmp6")) {
			v = 58;
		} else if (!lookup_name(xk_ipproto_names, s, &n)) {
			v = n;
		} else if (parse_u64(s, &v) || v > 255) {
			names_of(xk_ipproto_names, names, sizeof(names));
			return ERR(
			    "'%s' is not an IP protocol; expected one of %s, or a number 0-255", s,
			    names);
		}
		out[0] = v;
		return 0;
	case XK_SP_CIDR4:
		return parse_cidr(s, false, out, err, errlen);
	case XK_SP_CIDR6:
		return parse_cidr(s, true, out, err, errlen);
	case XK_SP_NONE:
		break;
	}
	return -EINVAL;
}

/* Bitfields are written bit by bit in the host's (little-endian) layout, as btf_fmt.c reads them.
 */
static void write_bits(__u8 *data, __u32 bitoff, __u32 nbits, __u64 v)
{
	__u32 i;

	for (i = 0; i < nbits && i < 64; i++) {
		__u32 b = bitoff + i;

		if (v >> i & 1)
			data[b / 8] |= 1 << (b % 8);
		else
			data[b / 8] &= ~(1 << (b % 8));
	}
}

static void store_int(__u8 *dst, __u32 bitoff, __u32 bitsz, __u32 size, __u64 v)
{
	if (bitsz)
		write_bits(dst, bitoff, bitsz, v);
	else
		memcpy(dst, &v, size); /* little-endian: the low bytes */
}

static void enum_names(const struct btf *btf, const struct btf_type *t, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < btf_vlen(t) && off < len; i++) {
		__u32 name_off = btf_is_enum(t) ? btf_enum(t)[i].name_off
						: *((const __u32 *)btf_enum64(t) + 3 * i);

		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				btf__name_by_offset(btf, name_off));
	}
}

/* An enum by its name, case-insensitive; also by the last word of it when that is unique (dst for
 * BLOCKLIST_MATCH_DST). */
static int enum_by_name(const struct btf *btf, const struct btf_type *t, const char *s, __u64 *v)
{
	size_t sl = strlen(s);
	int i, found = 0;

	for (i = 0; i < btf_vlen(t); i++) {
		__u32 name_off = btf_is_enum(t) ? btf_enum(t)[i].name_off
						: *((const __u32 *)btf_enum64(t) + 3 * i);
		__u64 ev = btf_is_enum(t) ? (__u64)(__s64)btf_enum(t)[i].val
					  : btf_enum64_value(btf_enum64(t) + i);
		const char *name = btf__name_by_offset(btf, name_off);
		size_t nl = strlen(name);

		if (!strcasecmp(name, s)) {
			*v = ev;
			return 0;
		}
		if (nl > sl && name[nl - sl - 1] == '_' && !strcasecmp(name + nl - sl, s)) {
			*v = ev;
			found++;
		}
	}
	return found == 1 ? 0 : -ENOENT;
}

static int parse_leaf(const struct btf *btf, __u32 id, const char *s, __u8 *dst, __u32 bitoff,
		      __u32 bitsz, char *err, size_t errlen)
{
	struct xk_vtype vt = {btf, id, 0};
	enum xk_special sp = xk_btf_special(btf, id);
	const struct btf_type *t;
	char tname[128], names[512];
	__u32 bits;
	__u64 v;
	__s64 sv;

	if (sp)
		return parse_special(sp, s, dst, err, errlen);
	xk_type_name(&vt, tname, sizeof(tname));
	t = btf__type_by_id(btf, xk_btf_skip_mods(btf, id));
	if (!t)
		return ERR("type %u of this map is missing from its BTF", id);
	if (btf_is_int(t) && t->size <= 8) {
		bool sgn = btf_int_encoding(t) & BTF_INT_SIGNED;

		bits = bitsz ? bitsz : t->size * 8;
		if (btf_int_encoding(t) & BTF_INT_BOOL) {
			if (!strcasecmp(s, "true") || !strcmp(s, "1"))
				v = 1;
			else if (!strcasecmp(s, "false") || !strcmp(s, "0"))
				v = 0;
			else
				return ERR("'%s' is not a %s; expected true or false", s, tname);
		} else if (sgn) {
			__s64 lim = bits >= 64 ? INT64_MAX : (__s64)((1ULL << (bits - 1)) - 1);

			if (parse_s64(s, &sv) || sv > lim || sv < -lim - 1)
				return ERR(
				    "'%s' is not a %s; expected an integer from %lld to %lld", s,
				    tname, (long long)(-lim - 1), (long long)lim);
			v = (__u64)sv;
		} else {
			__u64 lim = bits >= 64 ? UINT64_MAX : (1ULL << bits) - 1;

			if (parse_u64(s, &v) || v > lim)
				return ERR("'%s' is not a %s; expected an integer 0-%llu (decimal, "
					   "or hex with 0x)",
					   s, tname, (unsigned long long)lim);
		}
		store_int(dst, bitoff, bitsz, t->size, v);
		return 0;
	}
	if (btf_is_any_enum(t)) {
		if (enum_by_name(btf, t, s, &v) && parse_u64(s, &v)) {
			enum_names(btf, t, names, sizeof(names));
			return ERR("'%s' is not a value of %s; expected one of %s (or a number)", s,
				   tname, names);
		}
		store_int(dst, bitoff, bitsz, t->size, v);
		return 0;
	}
	if (btf_is_array(t) && btf__resolve_size(btf, btf_array(t)->type) == 1) {
		if (parse_hex(s, dst, btf_array(t)->nelems))
			return ERR(
			    "'%s' is not %u bytes of hex for %s; expected e.g. %.*s", s,
			    btf_array(t)->nelems, tname,
			    (int)(2 * btf_array(t)->nelems > 32 ? 32 : 2 * btf_array(t)->nelems),
			    "00112233445566778899aabbccddeeff");
		return 0;
	}
	if (btf_is_float(t) && (t->size == 4 || t->size == 8)) {
		char *end;
		double d;

		errno = 0;
		d = strtod(s, &end);
		if (errno || !*s || *end)
			return ERR("'%s' is not a number for %s", s, tname);
		if (t->size == 8) {
			memcpy(dst, &d, 8);
		} else {
			float f = d;

			memcpy(dst, &f, 4);
		}
		return 0;
	}
	if (btf_is_ptr(t)) {
		if (parse_u64(s, &v))
			return ERR("'%s' is not a number for %s", s, tname);
		memcpy(dst, &v, t->size ? t->size : 8);
		return 0;
	}
	if (xk_btf_is_record(t))
		return ERR("'%s' is a %s; give its fields as field=value", s, tname);
	return ERR("values of type %s cannot be typed in yet ('%s')", tname, s);
}

static void field_names(const struct btf *btf, const struct btf_type *t, const char *prefix,
			char *buf, size_t len)
{
	int i;

	for (i = 0; i < btf_vlen(t); i++) {
		struct xk_field f;
		const struct btf_type *mt;
		size_t off = strlen(buf);
		char sub[128];

		xk_btf_field(btf, t, i, &f);
		mt = btf__type_by_id(btf, xk_btf_skip_mods(btf, f.type));
		if (xk_btf_is_record(mt) && !xk_btf_special(btf, f.type)) {
			snprintf(sub, sizeof(sub), "%s%s%s", prefix, f.name, *f.name ? "." : "");
			field_names(btf, mt, sub, buf, len);
			continue;
		}
		if (off < len)
			snprintf(buf + off, len - off, "%s%s%s", off ? ", " : "", prefix, f.name);
	}
}

/* Find a member by a dotted path (inner.a), looking into anonymous members as C does. */
static int find_member(const struct btf *btf, __u32 sid, const char *path, __u32 *mid,
		       __u32 *bitoff, __u32 *bitsz)
{
	const struct btf_type *t = btf__type_by_id(btf, xk_btf_skip_mods(btf, sid));
	const char *dot = strchr(path, '.');
	size_t nl = dot ? (size_t)(dot - path) : strlen(path);
	int i;

	if (!xk_btf_is_record(t))
		return -ENOENT;
	for (i = 0; i < btf_vlen(t); i++) {
		struct xk_field f;
		__u32 o2, b2, id2;

		xk_btf_field(btf, t, i, &f);
		if (!*f.name) {
			if (!find_member(btf, f.type, path, &id2, &o2, &b2)) {
				*mid = id2;
				*bitoff = f.bitoff + o2;
				*bitsz = b2;
				return 0;
			}
			continue;
		}
		if (strlen(f.name) != nl || strncmp(f.name, path, nl))
			continue;
		if (dot) {
			if (find_member(btf, f.type, dot + 1, &id2, &o2, &b2))
				return -ENOENT;
			*mid = id2;
			*bitoff = f.bitoff + o2;
			*bitsz = b2;
			return 0;
		}
		*mid = f.type;
		*bitoff = f.bitoff;
		*bitsz = f.bitsz;
		return 0;
	}
	return -ENOENT;
}

static int parse_struct(const struct btf *btf, __u32 id, const char *text, __u8 *out, char *err,
			size_t errlen)
{
	struct xk_vtype vt = {btf, id, 0};
	const struct btf_type *t = btf__type_by_id(btf, xk_btf_skip_mods(btf, id));
	char *copy = strdup(text), *tok, *save = NULL, tname[128], fields[512] = "", sub[512];
	int err2 = 0, pairs = 0;

	if (!copy)
		return -ENOMEM;
	xk_type_name(&vt, tname, sizeof(tname));
	field_names(btf, t, "", fields, sizeof(fields));
	for (tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		char *eq = strchr(tok, '=');
		__u32 mid, bitoff, bitsz;

		if (!eq) {
			err2 = ERR("'%s' is not a field=value pair; %s has fields %s", tok, tname,
				   fields);
			break;
		}
		*eq = '\0';
		if (find_member(btf, id, tok, &mid, &bitoff, &bitsz)) {
			err2 =
			    ERR("'%s' is not a field of %s; its fields are %s", tok, tname, fields);
			break;
		}
		if (!eq[1]) {
			err2 = ERR("field '%s' has no value; write %s=VALUE", tok, tok);
			break;
		}
		err2 = parse_leaf(btf, mid, eq + 1, bitsz ? out : out + bitoff / 8,
				  bitsz ? bitoff : 0, bitsz, sub, sizeof(sub));
		if (err2) {
			snprintf(err, errlen, "field '%s': %s", tok, sub);
			break;
		}
		pairs++;
	}
	if (!err2 && !pairs)
		err2 = ERR("'%s' gives no field=value pair; %s has fields %s", text, tname, fields);
	free(copy);
	return err2;
}

int xk_parse_text(const struct xk_vtype *t, const char *in, void *out, char *err, size_t errlen)
{
	const struct btf_type *bt;
	char text[1024];
	size_t n;

	while (isspace((unsigned char)*in))
		in++;
	n = strlen(in);
	while (n && isspace((unsigned char)in[n - 1]))
		n--;
	if (n >= sizeof(text))
		return ERR("'%.40s...' is too long (%zu characters)", in, n);
	memcpy(text, in, n);
	text[n] = '\0';
	if (xk_vtype_is_raw(t)) {
		if (parse_hex(text, out, t->size))
			return ERR(
			    "'%s' is not %u bytes of hex (this map has no BTF); expected e.g. %.*s",
			    text, t->size, (int)(t->size * 2 > 32 ? 32 : t->size * 2),
			    "0a0000010a0000010a0000010a000001");
		return 0;
	}
	if (!*text)
		return ERR("an empty value; expected a %s", "value");
	bt = btf__type_by_id(t->btf, xk_btf_skip_mods(t->btf, t->id));
	if (xk_btf_is_record(bt) && !xk_btf_special(t->btf, t->id))
		return parse_struct(t->btf, t->id, text, out, err, errlen);
	return parse_leaf(t->btf, t->id, text, out, 0, 0, err, errlen);
}

/* The direct paths of xk_parser (bulk loads: a million keys parse in milliseconds instead of a
 * BTF walk, a type name and inet_pton each). */
enum { XK_PP_GENERIC, XK_PP_IPV4, XK_PP_IPV6, XK_PP_UINT };

void xk_parser_init(struct xk_parser *p, const struct xk_vtype *t)
{
	const struct btf_type *bt;
	enum xk_special sp;

	*p = (struct xk_parser){.t = t, .kind = XK_PP_GENERIC};
	if (xk_vtype_is_raw(t))
		return;
	sp = xk_btf_special(t->btf, t->id);
	if (sp == XK_SP_IPV4 || sp == XK_SP_IPV6) {
		p->kind = sp == XK_SP_IPV4 ? XK_PP_IPV4 : XK_PP_IPV6;
		p->size = sp == XK_SP_IPV4 ? 4 : 16;
		return;
	}
	if (sp)
		return;
	bt = btf__type_by_id(t->btf, xk_btf_skip_mods(t->btf, t->id));
	/* Plain unsigned integers as parse_leaf sees them: bool and signed ones keep the general
	 * path. */
	if (bt && btf_is_int(bt) && bt->size >= 1 && bt->size <= 8 &&
	    !(btf_int_encoding(bt) & (BTF_INT_SIGNED | BTF_INT_BOOL))) {
		p->kind = XK_PP_UINT;
		p->size = bt->size;
		p->max = bt->size >= 8 ? UINT64_MAX : (1ULL << (bt->size * 8)) - 1;
	}
}

/* a.b.c.d with each part 0-255 and no leading zeros: a subset of what inet_pton takes, giving the
 * same bytes. */
static bool fast_ipv4(const char *s, size_t len, __u8 *out)
{
	unsigned int v = 0, digits = 0, part = 0;
	__u8 a[4];
	size_t i;

	if (len < 7 || len > 15)
		return false;
	for (i = 0; i < len; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d <= 9) {
			if ((digits && !v) || ++digits > 3) /* a leading zero, or too long */
				return false;
			v = v * 10 + d;
			continue;
		}
		if (s[i] != '.' || !digits || v > 255 || part == 3)
			return false;
		a[part++] = v;
		v = digits = 0;
	}
	if (!digits || v > 255 || part != 3)
		return false;
	a[3] = v;
	memcpy(out, a, 4); /* nothing written on a refusal, as inet_pton */
	return true;
}

/* Up to 19 decimal digits (never overflows a __u64); anything else takes the general path. */
static bool fast_uint(const char *s, size_t len, __u64 max, __u64 *v)
{
	size_t i;

	if (!len || len > 19)
		return false;
	*v = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return *v <= max;
}

int xk_parser_run(const struct xk_parser *p, const char *text, size_t len, void *out, char *err,
		  size_t errlen)
{
	char copy[1024];
	__u64 v;

	switch (p->kind) {
	case XK_PP_IPV4:
		if (fast_ipv4(text, len, out))
			return 0;
		break;
	case XK_PP_IPV6:
		if (len < INET6_ADDRSTRLEN) {
			memcpy(copy, text, len);
			copy[len] = '\0';
			if (inet_pton(AF_INET6, copy, out) == 1)
				return 0;
		}
		break;
	case XK_PP_UINT:
		if (fast_uint(text, len, p->max, &v)) {
			memcpy(out, &v, p->size); /* little-endian: the low bytes */
			return 0;
		}
		break;
	}
	if (len >= sizeof(copy))
		return ERR("'%.40s...' is too long (%zu characters)", text, len);
	memcpy(copy, text, len);
	copy[len] = '\0';
	return xk_parse_text(p->t, copy, out, err, errlen);
}
