// SPDX-License-Identifier: GPL-2.0-only
/* Parsing what a person types into the bytes of a map key or value, driven by BTF. Strict: every
 * bad input is refused with a sentence naming the input and the form expected, never guessed at,
 * and every write stays inside the key or value. */
#include "btf_text.h"
#include "number.h"

#include <arpa/inet.h>
#include <bpf/btf.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -EINVAL)

/* An input quoted in a message is cut after QMAX characters, so that a long one cannot push the
 * second half of the message (the form expected) out of the buffer, and its bytes that are not
 * printable are written \xNN, so that junk from a file cannot garble the terminal or the one-line
 * message: printf(QF, Q(s)). */
#define QMAX 64
#define QF "'%s'"
#define Q(s) quote(s)

/* The quoted form of s, in one of a few static buffers (a message quotes at most two inputs). */
static const char *quote(const char *s)
{
	static char bufs[4][QMAX * 4 + 4];
	static int next;
	char *out = bufs[next++ % 4], *o = out;
	size_t i;

	for (i = 0; s[i] && i < QMAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f)
			*o++ = (char)c;
		else
			o += sprintf(o, "\\x%02x", c);
	}
	strcpy(o, s[i] ? "..." : "");
	return out;
}

/* Decimal, or hex with 0x; at most max. No octal: "010" is ten, as a person means it. */
static int parse_u64(const char *s, __u64 max, __u64 *v)
{
	return xk_num_u64(s, strlen(s), XK_NUM_HEX, max, v);
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

/* Exactly `size` bytes of hex; ':', '-', ' ' between bytes and a leading 0x allowed for
 * readability. Checked whole before the first byte is written (out may be NULL to check only). */
static int hex_pass(const char *s, __u8 *out, __u32 size)
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
		if (out)
			out[n] = hi << 4 | v;
		n++;
		hi = -1;
	}
	return n == size && hi < 0 ? 0 : -EINVAL;
}

static int parse_hex(const char *s, __u8 *out, __u32 size)
{
	return hex_pass(s, NULL, size) ?: hex_pass(s, out, size);
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

/* Six pairs of hex digits separated by ':' or '-'. Each character is looked at only when the one
 * before it was not the end of the word. */
static int parse_mac(const char *s, __u8 *out)
{
	__u8 mac[6];
	int i, hi, lo;

	for (i = 0; i < 6; i++) {
		if ((hi = hexval(s[0])) < 0 || (lo = hexval(s[1])) < 0)
			return -EINVAL;
		mac[i] = hi << 4 | lo;
		s += 2;
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return -EINVAL;
			s++;
		}
	}
	if (*s)
		return -EINVAL;
	memcpy(out, mac, 6);
	return 0;
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
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	__u8 a[16], fixed[16];
	__u64 plen = maxlen;
	__u32 p32;
	int i;

	if (alen >= sizeof(addr))
		return ERR(QF " is not %s", Q(s), form);
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(af, addr, a) != 1)
		return ERR(QF " is not %s: '%s' is not an %s address", Q(s), form, addr,
			   v6 ? "IPv6" : "IPv4");
	if (slash && xk_num_u64(slash + 1, strlen(slash + 1), XK_NUM_DEC, maxlen, &plen))
		return ERR(QF ": prefix length " QF " is out of range; expected 0-%d", Q(s),
			   Q(slash + 1), maxlen);
	memcpy(fixed, a, bytes);
	for (i = 0; i < bytes; i++) {
		int keep = (int)plen - i * 8;

		if (keep <= 0)
			fixed[i] = 0;
		else if (keep < 8)
			fixed[i] &= 0xff << (8 - keep);
	}
	if (memcmp(fixed, a, bytes))
		return ERR(QF " has bits set past the /%u prefix; did you mean %s/%u?", Q(s),
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
			return ERR(QF
				   " is not an IPv4 address; expected a.b.c.d with each part 0-255",
				   Q(s));
		return 0;
	case XK_SP_IPV6:
		if (inet_pton(AF_INET6, s, out) != 1)
			return ERR(QF " is not an IPv6 address; expected e.g. 2001:db8::1", Q(s));
		return 0;
	case XK_SP_PORT:
		if (parse_u64(s, 65535, &v))
			return ERR(QF " is not a port; expected a number 0-65535", Q(s));
		v16 = htons((__u16)v);
		memcpy(out, &v16, 2);
		return 0;
	case XK_SP_MAC:
		if (parse_mac(s, out))
			return ERR(QF " is not a MAC address; expected aa:bb:cc:dd:ee:ff", Q(s));
		return 0;
	case XK_SP_ETHERTYPE:
		if (!lookup_name(xk_ethertype_names, s, &n)) {
			v = n;
		} else if (parse_u64(s, 0xffff, &v)) {
			names_of(xk_ethertype_names, names, sizeof(names));
			return ERR(QF " is not an EtherType; expected one of %s, or a number such "
				      "as 0x88cc",
				   Q(s), names);
		}
		v16 = v;
		memcpy(out, &v16, 2);
		return 0;
	case XK_SP_IPPROTO:
		if (!strcasecmp(s, "icmpv6") || !strcasecmp(s, "icmp6")) {
			v = 58;
		} else if (!lookup_name(xk_ipproto_names, s, &n)) {
			v = n;
		} else if (parse_u64(s, 255, &v)) {
			names_of(xk_ipproto_names, names, sizeof(names));
			return ERR(QF
				   " is not an IP protocol; expected one of %s, or a number 0-255",
				   Q(s), names);
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

static const char *enum_name_at(const struct btf *btf, const struct btf_type *t, int i)
{
	__u32 off = btf_is_enum(t) ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off;

	return btf__name_by_offset(btf, off);
}

/* The value of entry i: a 32-bit entry is signed in BTF's encoding; what its bits mean is the
 * enum's size's business. */
static __u64 enum_value_at(const struct btf_type *t, int i)
{
	return btf_is_enum(t) ? (__u64)(__s64)btf_enum(t)[i].val
			      : btf_enum64_value(btf_enum64(t) + i);
}

static void enum_names(const struct btf *btf, const struct btf_type *t, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < btf_vlen(t) && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				enum_name_at(btf, t, i));
}

/* An enum by its name, case-insensitive; also by the last word of it when that is unique (dst for
 * BLOCKLIST_MATCH_DST). */
static int enum_by_name(const struct btf *btf, const struct btf_type *t, const char *s, __u64 *v)
{
	size_t sl = strlen(s);
	int i, found = 0;

	for (i = 0; i < btf_vlen(t); i++) /* the exact name first: FOO and foo may both exist */
		if (!strcmp(enum_name_at(btf, t, i), s)) {
			*v = enum_value_at(t, i);
			return 0;
		}
	for (i = 0; i < btf_vlen(t); i++) {
		const char *name = enum_name_at(btf, t, i);
		size_t nl = strlen(name);

		if (!strcasecmp(name, s)) {
			*v = enum_value_at(t, i);
			return 0;
		}
		if (nl > sl && name[nl - sl - 1] == '_' && !strcasecmp(name + nl - sl, s)) {
			*v = enum_value_at(t, i);
			found++;
		}
	}
	return found == 1 ? 0 : -ENOENT;
}

/* The range of a `bits`-wide integer, signed or not, as the bounds of a message and a check. */
static __s64 smin_of(__u32 bits)
{
	return bits >= 64 ? INT64_MIN : -(__s64)(1ULL << (bits - 1));
}

static __s64 smax_of(__u32 bits)
{
	return bits >= 64 ? INT64_MAX : (__s64)((1ULL << (bits - 1)) - 1);
}

static __u64 umax_of(__u32 bits)
{
	return bits >= 64 ? UINT64_MAX : (1ULL << bits) - 1;
}

/* A number for an integer or enum `bits` wide (a bitfield's width, or all of its bytes). */
static int parse_int_bits(const char *s, bool sgn, __u32 bits, __u64 *v)
{
	__s64 sv;
	int ret;

	if (!sgn)
		return xk_num_u64(s, strlen(s), XK_NUM_HEX, umax_of(bits), v);
	ret = xk_num_s64(s, strlen(s), XK_NUM_HEX, smin_of(bits), smax_of(bits), &sv);
	*v = (__u64)sv;
	return ret;
}

static int parse_enum(const struct btf *btf, const struct btf_type *t, const char *s, __u8 *dst,
		      __u32 bits, const char *tname, char *err, size_t errlen)
{
	bool sgn = btf_kflag(t); /* BTF marks signed enums (since libbpf 1.0 / LLVM 15) */
	char names[512], range[64];
	__u64 v;

	if (sgn)
		snprintf(range, sizeof(range), "from %lld to %lld", (long long)smin_of(bits),
			 (long long)smax_of(bits));
	else
		snprintf(range, sizeof(range), "0-%llu", (unsigned long long)umax_of(bits));
	if (!enum_by_name(btf, t, s, &v)) {
		/* A name's value always fits the enum's own bytes; a narrower bitfield may cut it.
		 * Either reading of its bits will do: C compilers differ on the signedness of enum
		 * bitfields. */
		if (bits < t->size * 8u && v > umax_of(bits) &&
		    ((__s64)v < smin_of(bits) || (__s64)v > smax_of(bits)))
			return ERR(sgn ? QF " (%lld) does not fit in this %u-bit field of %s"
				       : QF " (%llu) does not fit in this %u-bit field of %s",
				   Q(s), (long long)v, bits, tname);
	} else {
		int ret = parse_int_bits(s, sgn, bits, &v);

		if (ret == -ERANGE)
			return ERR(QF " is out of range for %s; expected a number %s", Q(s), tname,
				   range);
		if (ret) {
			enum_names(btf, t, names, sizeof(names));
			return ERR(QF " is not a value of %s; expected one of %s, or a number %s",
				   Q(s), tname, names, range);
		}
	}
	memcpy(dst, &v, t->size); /* little-endian: the low bytes */
	return 0;
}

static bool is_char_int(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, xk_btf_skip_mods(btf, id));

	return t && btf_is_int(t) && t->size == 1 &&
	       (btf_int_encoding(t) & BTF_INT_CHAR ||
		!strcmp(btf__name_by_offset(btf, t->name_off), "char"));
}

static int parse_value(const struct btf *btf, __u32 id, const char *s, __u8 *dst, __u32 bits,
		       char *err, size_t errlen);

/* The blanks and commas that separate words of a struct or array text. */
static bool is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t';
}

/* Cut the next word off *pos (in place): words end at a separator outside [...] and "...", so
 * `a=[1 2] s="x y"` is two words. Returns NULL at the end. */
static char *next_word(char **pos)
{
	char *p = *pos, *start;
	bool quoted = false;
	int depth = 0;

	while (*p && is_sep(*p))
		p++;
	if (!*p)
		return NULL;
	for (start = p; *p; p++) {
		if (quoted) {
			quoted = *p != '"';
			continue;
		}
		if (*p == '"')
			quoted = true;
		else if (*p == '[')
			depth++;
		else if (*p == ']' && depth)
			depth--;
		else if (!depth && is_sep(*p))
			break;
	}
	if (*p)
		*p++ = '\0';
	*pos = p;
	return start;
}

/* Arrays as btf_fmt.c prints them: bytes as hex, text in a char array as "text", other elements
 * as [a b c] (commas also separate). */
static int parse_array(const struct btf *btf, const struct btf_type *t, const char *s, __u8 *dst,
		       const char *tname, char *err, size_t errlen)
{
	const struct btf_array *a = btf_array(t);
	__s64 esz = btf__resolve_size(btf, a->type);
	const struct btf_type *et = btf__type_by_id(btf, xk_btf_skip_mods(btf, a->type));
	size_t len = strlen(s);
	char *copy, *pos, *w;
	__u32 n = 0;
	int ret = 0;

	if (esz <= 0 || !et)
		return ERR("values of type %s cannot be typed in (its element size is unknown)",
			   tname);
	if (esz == 1 && is_char_int(btf, a->type) && s[0] == '"') {
		if (len < 2 || s[len - 1] != '"' || memchr(s + 1, '"', len - 2))
			return ERR(QF " is not a quoted text for %s; expected e.g. \"abc\"", Q(s),
				   tname);
		if (len - 2 > a->nelems)
			return ERR(QF " is %zu characters; %s holds at most %u", Q(s), len - 2,
				   tname, a->nelems);
		memset(dst, 0, a->nelems);
		memcpy(dst, s + 1, len - 2);
		return 0;
	}
	if (esz == 1 && btf_is_int(et)) {
		if (parse_hex(s, dst, a->nelems))
			return ERR(QF " is not %u bytes of hex for %s; expected e.g. %.*s", Q(s),
				   a->nelems, tname, (int)(2 * a->nelems > 32 ? 32 : 2 * a->nelems),
				   "00112233445566778899aabbccddeeff");
		return 0;
	}
	if (xk_btf_is_record(et) && !xk_btf_special(btf, a->type))
		return ERR("values of type %s (an array of structs) cannot be typed in yet", tname);
	if (len < 2 || s[0] != '[' || s[len - 1] != ']')
		return ERR(QF " is not an array for %s; expected %u elements as [a b ...]", Q(s),
			   tname, a->nelems);
	copy = strndup(s + 1, len - 2);
	if (!copy)
		return -ENOMEM;
	for (pos = copy; !ret && (w = next_word(&pos)); n++) {
		if (n >= a->nelems)
			break;
		ret = parse_value(btf, a->type, w, dst + n * esz, 0, err, errlen);
	}
	if (!ret && (n != a->nelems || w))
		ret = ERR(QF " has %s elements; %s has %u", Q(s),
			  n < a->nelems ? "too few" : "too many", tname, a->nelems);
	free(copy);
	return ret;
}

/* One value of type id, all of its bytes at dst. bits narrows the range of an integer or enum to
 * a bitfield's width (0: the type's own size). */
static int parse_value(const struct btf *btf, __u32 id, const char *s, __u8 *dst, __u32 bits,
		       char *err, size_t errlen)
{
	struct xk_vtype vt = { btf, id, 0 };
	enum xk_special sp = xk_btf_special(btf, id);
	const struct btf_type *t;
	char tname[128];
	__s64 size;
	__u64 v;
	int ret;

	if (sp)
		return parse_special(sp, s, dst, err, errlen);
	xk_type_name(&vt, tname, sizeof(tname));
	t = btf__type_by_id(btf, xk_btf_skip_mods(btf, id));
	if (!t)
		return ERR("type %u of this map is missing from its BTF", id);
	if (btf_is_int(t) && t->size > 8 && !bits) {
		/* __int128 and wider: the bytes in memory order, as btf_fmt.c shows them */
		if (parse_hex(s, dst, t->size))
			return ERR(QF " is not %u bytes of hex for %s; expected 0x and %u digits",
				   Q(s), t->size, tname, 2 * t->size);
		return 0;
	}
	if (btf_is_int(t) && t->size >= 1 && t->size <= 8) {
		bool sgn = btf_int_encoding(t) & BTF_INT_SIGNED;

		if (!bits || bits > t->size * 8u)
			bits = t->size * 8;
		if (btf_int_encoding(t) & BTF_INT_BOOL) {
			if (!strcasecmp(s, "true") || !strcmp(s, "1"))
				v = 1;
			else if (!strcasecmp(s, "false") || !strcmp(s, "0"))
				v = 0;
			else
				return ERR(QF " is not a %s; expected true or false", Q(s), tname);
		} else if (parse_int_bits(s, sgn, bits, &v)) {
			if (sgn)
				return ERR(QF " is not a %s; expected an integer from %lld to %lld",
					   Q(s), tname, (long long)smin_of(bits),
					   (long long)smax_of(bits));
			return ERR(QF " is not a %s; expected an integer 0-%llu (decimal, or hex "
				      "with 0x)",
				   Q(s), tname, (unsigned long long)umax_of(bits));
		}
		memcpy(dst, &v, t->size); /* little-endian: the low bytes */
		return 0;
	}
	if (btf_is_any_enum(t) && t->size >= 1 && t->size <= 8) {
		if (!bits || bits > t->size * 8u)
			bits = t->size * 8;
		return parse_enum(btf, t, s, dst, bits, tname, err, errlen);
	}
	if (btf_is_array(t))
		return parse_array(btf, t, s, dst, tname, err, errlen);
	if (btf_is_float(t) && (t->size == 4 || t->size == 8)) {
		char *end;
		double d;

		float f;

		errno = 0;
		d = strtod(s, &end);
		if (!*s || isspace((unsigned char)*s) || *end)
			return ERR(QF " is not a number for %s", Q(s), tname);
		f = d;
		/* Tiny values keep their nearest representation; too large ones would become inf.
		 */
		if ((errno == ERANGE && isinf(d)) || (t->size == 4 && isfinite(d) && isinf(f)))
			return ERR(QF " is out of range for %s", Q(s), tname);
		if (t->size == 8)
			memcpy(dst, &d, 8);
		else
			memcpy(dst, &f, 4);
		return 0;
	}
	if (btf_is_ptr(t)) {
		/* An address, as an integer of the pointer's size (BTF keeps the pointee's type id
		 * where other kinds keep a size). */
		size = btf__resolve_size(btf, xk_btf_skip_mods(btf, id));
		if (size != 4 && size != 8)
			size = 8;
		ret = parse_u64(s, umax_of(size * 8), &v);
		if (ret)
			return ERR(QF " is not an address for %s; expected a number 0-0x%llx", Q(s),
				   tname, (unsigned long long)umax_of(size * 8));
		memcpy(dst, &v, size);
		return 0;
	}
	if (xk_btf_is_record(t))
		return ERR(QF " is a %s; give its fields as field=value", Q(s), tname);
	return ERR("values of type %s cannot be typed in yet (" QF ")", tname, Q(s));
}

/* A member at bit offset bitoff of dst: a bitfield takes its value through a scratch copy of its
 * type, checked to fit the field's width, then its bits; anything else is written in place. */
static int parse_member(const struct btf *btf, __u32 id, const char *s, __u8 *dst, __u32 bitoff,
			__u32 bitsz, char *err, size_t errlen)
{
	const struct btf_type *t = btf__type_by_id(btf, xk_btf_skip_mods(btf, id));
	struct xk_vtype vt = { btf, id, 0 };
	__s64 size = btf__resolve_size(btf, id);
	char tname[128];
	__u8 tmp[8] = { 0 };
	__u64 v;
	int ret;

	if (!bitsz)
		return parse_value(btf, id, s, dst + bitoff / 8, 0, err, errlen);
	xk_type_name(&vt, tname, sizeof(tname));
	if (!t || size <= 0 || size > 8 || bitsz > 64 || xk_btf_is_record(t))
		return ERR("a %u-bit field of type %s cannot be typed in", bitsz, tname);
	ret = parse_value(btf, id, s, tmp, bitsz, err, errlen);
	if (ret)
		return ret;
	memcpy(&v, tmp, 8);
	/* Integers and enums were checked against the width already (negative ones fill the high
	 * bits); named types such as xk_ipproto were not. */
	if ((xk_btf_special(btf, id) || (!btf_is_int(t) && !btf_is_any_enum(t))) && bitsz < 64 &&
	    v >> bitsz)
		return ERR(QF " (%llu) does not fit in this %u-bit field of %s", Q(s),
			   (unsigned long long)v, bitsz, tname);
	write_bits(dst, bitoff, bitsz, v);
	return 0;
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
		if (off + 1 < len)
			snprintf(buf + off, len - off, "%s%s%s", off ? ", " : "", prefix, f.name);
	}
}

/* Where a dotted path (inner.a) leads. A path into a named type (net.prefixlen inside an
 * xk_cidr4) also says which: the whole of it is checked after the write. */
struct member {
	__u32 type, bitoff, bitsz;
	__u32 outer, outer_off; /* the named type the path went into and its bit offset; 0: none */
	const char *path;	/* as typed, for messages */
};

/* The bits one field=value pair of a struct writes. */
struct span {
	__u32 off, len;
	const char *path; /* as typed, for messages */
};

/* Find a member by a dotted path, looking into anonymous members as C does. */
static int find_member(const struct btf *btf, __u32 sid, const char *path, int depth,
		       struct member *m)
{
	const struct btf_type *t = btf__type_by_id(btf, xk_btf_skip_mods(btf, sid));
	const char *dot = strchr(path, '.');
	size_t nl = dot ? (size_t)(dot - path) : strlen(path);
	struct member sub;
	int i;

	if (!xk_btf_is_record(t) || depth > 32)
		return -ENOENT;
	for (i = 0; i < btf_vlen(t); i++) {
		struct xk_field f;

		xk_btf_field(btf, t, i, &f);
		if (!*f.name) {
			if (f.bitsz || find_member(btf, f.type, path, depth + 1, &sub))
				continue;
		} else if (strlen(f.name) != nl || strncmp(f.name, path, nl)) {
			continue;
		} else if (!dot) {
			*m = (struct member){ f.type, f.bitoff, f.bitsz, 0, 0, NULL };
			return 0;
		} else if (f.bitsz || find_member(btf, f.type, dot + 1, depth + 1, &sub)) {
			return -ENOENT;
		}
		if (xk_btf_special(btf, f.type)) {
			sub.outer = f.type;
			sub.outer_off = 0;
		}
		*m = sub;
		m->bitoff += f.bitoff;
		m->outer_off += f.bitoff;
		return 0;
	}
	return -ENOENT;
}

/* After writes into parts of a named type (net.prefixlen=99), the whole must still be one that its
 * own text form would give: shown as text and read back through the same checks. Checked once all
 * pairs are in, so that net.addr=10.0.0.1 net.prefixlen=32 may come in either order. */
static int check_named(const struct btf *btf, const struct member *m, const __u8 *out, char *err,
		       size_t errlen)
{
	struct xk_vtype ot = { btf, m->outer, 0 };
	__s64 size = btf__resolve_size(btf, m->outer);
	char sub[512], *text;
	__u8 *tmp;
	int ret;

	if (size <= 0)
		return 0;
	ot.size = size;
	text = xk_fmt_text_alloc(&ot, out + m->outer_off / 8, 0);
	tmp = malloc(size);
	if (!text || !tmp) {
		ret = -ENOMEM;
	} else {
		ret = parse_special(xk_btf_special(btf, m->outer), text, tmp, sub, sizeof(sub));
		if (ret)
			ret = ERR("field " QF " would make it %s, which is refused: %s", Q(m->path),
				  text, sub);
	}
	free(text);
	free(tmp);
	return ret;
}

static int parse_struct(const struct xk_vtype *vt, const char *text, __u8 *out, char *err,
			size_t errlen)
{
	const struct btf *btf = vt->btf;
	const struct btf_type *t = btf__type_by_id(btf, xk_btf_skip_mods(btf, vt->id));
	char *copy = strdup(text), *pos = copy, *tok, tname[128], fields[512] = "", sub[512];
	struct member *named = NULL; /* pairs that wrote into a named type, checked at the end */
	struct span *given =
		NULL; /* the bits every pair so far wrote: a field given twice is refused */
	int ret = 0, pairs = 0, nnamed = 0, i;

	if (!copy)
		return -ENOMEM;
	xk_type_name(vt, tname, sizeof(tname));
	field_names(btf, t, "", fields, sizeof(fields));
	while (!ret && (tok = next_word(&pos))) {
		char *eq = strchr(tok, '=');
		struct span span, *ng;
		__s64 msize;
		struct member m;

		if (!eq) {
			ret = ERR(QF " is not a field=value pair; %s has fields %s", Q(tok), tname,
				  fields);
			break;
		}
		*eq = '\0';
		if (find_member(btf, vt->id, tok, 0, &m)) {
			ret = ERR(QF " is not a field of %s; its fields are %s", Q(tok), tname,
				  fields);
			break;
		}
		if (!eq[1]) {
			ret = ERR("field " QF " has no value; write %s=VALUE", Q(tok), Q(tok));
			break;
		}
		/* The kernel checks that members lie inside their struct; BTF from elsewhere is
		 * checked here, so no write can leave the value. */
		msize = m.bitsz ? 0 : btf__resolve_size(btf, m.type);
		if (msize < 0 || (__u64)m.bitoff + (m.bitsz ? m.bitsz : (__u64)msize * 8) >
					 (__u64)vt->size * 8) {
			ret = ERR("field " QF " lies outside the %u bytes of %s", Q(tok), vt->size,
				  tname);
			break;
		}
		/* Two pairs writing the same bits (match=1,match=2; net=... and net.prefixlen=...)
		 * leave one of them unwritten: which one the person meant is not ours to guess. */
		span.off = m.bitoff;
		span.len = m.bitsz ? m.bitsz : (__u32)msize * 8;
		span.path = tok;
		for (i = 0; i < pairs; i++)
			if (given[i].off < span.off + span.len &&
			    span.off < given[i].off + given[i].len)
				break;
		if (i < pairs) {
			ret = ERR("field " QF " is given twice (also as " QF
				  "); give each field once",
				  Q(tok), Q(given[i].path));
			break;
		}
		ng = realloc(given, (pairs + 1) * sizeof(*given));
		if (!ng) {
			ret = -ENOMEM;
			break;
		}
		given = ng;
		given[pairs] = span;
		ret = parse_member(btf, m.type, eq + 1, out, m.bitoff, m.bitsz, sub, sizeof(sub));
		if (ret == -EINVAL)
			snprintf(err, errlen, "field " QF ": %s", Q(tok), sub);
		if (!ret && m.outer) {
			struct member *nn = realloc(named, (nnamed + 1) * sizeof(*named));

			if (!nn) {
				ret = -ENOMEM;
				break;
			}
			named = nn;
			named[nnamed] = m;
			named[nnamed++].path = tok; /* cut at its '=': the path alone */
		}
		pairs++;
	}
	if (!ret && !pairs)
		ret = ERR(QF " gives no field=value pair; %s has fields %s", Q(text), tname,
			  fields);
	for (i = 0; !ret && i < nnamed; i++)
		ret = check_named(btf, &named[i], out, err, errlen);
	free(named);
	free(given);
	free(copy);
	return ret;
}

/* text: NUL-terminated, no blanks around. */
static int parse_text(const struct xk_vtype *t, const char *text, void *out, char *err,
		      size_t errlen)
{
	const struct btf_type *bt;

	if (xk_vtype_is_raw(t)) {
		if (parse_hex(text, out, t->size))
			return ERR(QF
				   " is not %u bytes of hex (this map has no BTF); expected e.g. "
				   "%.*s",
				   Q(text), t->size, (int)(t->size * 2 > 32 ? 32 : t->size * 2),
				   "0a0000010a0000010a0000010a000001");
		return 0;
	}
	if (!*text)
		return ERR("an empty value; expected a %s", "value");
	bt = btf__type_by_id(t->btf, xk_btf_skip_mods(t->btf, t->id));
	if (xk_btf_is_record(bt) && !xk_btf_special(t->btf, t->id))
		return parse_struct(t, text, out, err, errlen);
	return parse_value(t->btf, t->id, text, out, 0, err, errlen);
}

int xk_parse_text(const struct xk_vtype *t, const char *in, void *out, char *err, size_t errlen)
{
	char *text;
	size_t n;
	int ret;

	while (isspace((unsigned char)*in))
		in++;
	n = strlen(in);
	while (n && isspace((unsigned char)in[n - 1]))
		n--;
	if (n > XK_TEXT_MAX)
		return ERR("'%.40s...' is too long (%zu characters); a key or value takes at most "
			   "%d",
			   in, n, XK_TEXT_MAX);
	text = strndup(in, n);
	if (!text)
		return ERR("out of memory for a text of %zu characters", n);
	ret = parse_text(t, text, out, err, errlen);
	free(text);
	if (ret == -ENOMEM)
		ret = ERR("out of memory while reading " QF, Q(in));
	return ret;
}

/* The direct paths of xk_parser (bulk loads: a million keys parse in milliseconds instead of a
 * BTF walk, a type name and inet_pton each). */
enum {
	XK_PP_GENERIC,
	XK_PP_IPV4,
	XK_PP_IPV6,
	XK_PP_UINT
};

void xk_parser_init(struct xk_parser *p, const struct xk_vtype *t)
{
	const struct btf_type *bt;
	enum xk_special sp;

	*p = (struct xk_parser){ .t = t, .kind = XK_PP_GENERIC };
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
	/* Plain unsigned integers as parse_value sees them: bool and signed ones keep the general
	 * path. */
	if (bt && btf_is_int(bt) && bt->size >= 1 && bt->size <= 8 &&
	    !(btf_int_encoding(bt) & (BTF_INT_SIGNED | BTF_INT_BOOL))) {
		p->kind = XK_PP_UINT;
		p->size = bt->size;
		p->max = umax_of(bt->size * 8);
	}
}

/* a.b.c.d with each part 0-255 and no leading zeros: a subset of what inet_pton takes, giving the
 * same bytes. */
bool xk_fast_ipv4(const char *s, size_t len, __u8 *out)
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

bool xk_parser_is_ipv4(const struct xk_parser *p)
{
	return p->kind == XK_PP_IPV4;
}

int xk_parser_run(const struct xk_parser *p, const char *text, size_t len, void *out, char *err,
		  size_t errlen)
{
	char copy[INET6_ADDRSTRLEN], *heap;
	const char *nul;
	__u64 v;
	int ret;

	/* These two take digits and dots only, so never a text with a NUL in it: a million keys
	 * skip the search for one. */
	if (p->kind == XK_PP_IPV4 && xk_fast_ipv4(text, len, out))
		return 0;
	if (p->kind == XK_PP_UINT && fast_uint(text, len, p->max, &v)) {
		memcpy(out, &v, p->size); /* little-endian: the low bytes */
		return 0;
	}
	/* A C string would end at the NUL and the rest be lost without a word. */
	nul = memchr(text, '\0', len);
	if (nul)
		return ERR(QF " is followed by a NUL byte; expected text without NUL bytes",
			   Q(text));
	switch (p->kind) {
	case XK_PP_IPV6:
		if (len < sizeof(copy)) {
			memcpy(copy, text, len);
			copy[len] = '\0';
			if (inet_pton(AF_INET6, copy, out) == 1)
				return 0;
		}
		break;
	}
	if (len > XK_TEXT_MAX)
		return ERR("'%.40s...' is too long (%zu characters); a key or value takes at most "
			   "%d",
			   text, len, XK_TEXT_MAX);
	heap = strndup(text, len);
	if (!heap)
		return ERR("out of memory for a text of %zu characters", len);
	ret = xk_parse_text(p->t, heap, out, err, errlen);
	free(heap);
	return ret;
}
