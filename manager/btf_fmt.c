// SPDX-License-Identifier: GPL-2.0-only
/* Formatting map keys and values by their BTF type: the named xdpkit types as people write them,
 * integers in decimal, enums by name, structs as field=value pairs (text) or objects (JSON). */
#include "btf_text.h"
#include "json.h"

#include <arpa/inet.h>
#include <bpf/btf.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct xk_name_num xk_ethertype_names[] = {
	{ "ipv4", 0x0800 }, { "arp", 0x0806 },	 { "ipv6", 0x86dd },
	{ "vlan", 0x8100 }, { "qinq", 0x88a8 },	 { "lldp", 0x88cc },
	{ "mpls", 0x8847 }, { "pppoe", 0x8864 }, { NULL, 0 },
};

const struct xk_name_num xk_ipproto_names[] = {
	{ "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 },	   { "udp", 17 },   { "gre", 47 },
	{ "esp", 50 }, { "ah", 51 },  { "ipv6-icmp", 58 }, { "sctp", 132 }, { NULL, 0 },
};

struct special_name {
	const char *name;
	bool is_struct; /* a struct tag rather than a typedef name */
	__u32 size;
	enum xk_special sp;
};

static const struct special_name specials[] = {
	{ "xk_ipv4", false, 4, XK_SP_IPV4 },	       { "xk_ipv6", false, 16, XK_SP_IPV6 },
	{ "xk_port", false, 2, XK_SP_PORT },	       { "xk_mac", false, 6, XK_SP_MAC },
	{ "xk_ethertype", false, 2, XK_SP_ETHERTYPE }, { "xk_ipproto", false, 1, XK_SP_IPPROTO },
	{ "xk_cidr4", true, 8, XK_SP_CIDR4 },	       { "xk_cidr6", true, 20, XK_SP_CIDR6 },
};

bool xk_vtype_is_raw(const struct xk_vtype *t)
{
	return !t->btf || !t->id;
}

bool xk_btf_is_record(const struct btf_type *t)
{
	return t && (btf_is_composite(t) || btf_is_datasec(t));
}

int xk_btf_nfields(const struct btf_type *t)
{
	return btf_is_union(t) && btf_vlen(t) > 0 ? 1 : btf_vlen(t);
}

void xk_btf_field(const struct btf *btf, const struct btf_type *t, int i, struct xk_field *f)
{
	if (btf_is_datasec(t)) {
		const struct btf_var_secinfo *si = btf_var_secinfos(t) + i;
		const struct btf_type *var = btf__type_by_id(btf, si->type);

		f->name = var ? btf__name_by_offset(btf, var->name_off) : "";
		f->type = var ? var->type : 0;
		f->bitoff = si->offset * 8;
		f->bitsz = 0;
		return;
	}
	f->name = btf__name_by_offset(btf, btf_members(t)[i].name_off);
	f->type = btf_members(t)[i].type;
	f->bitoff = btf_member_bit_offset(t, i);
	f->bitsz = btf_member_bitfield_size(t, i);
	if (!btf_kflag(t)) {
		/* The old encoding of a bitfield (struct without kflag): an int type of its own
		 * with fewer bits than its bytes, or starting past bit 0. */
		const struct btf_type *mt = btf__type_by_id(btf, xk_btf_skip_mods(btf, f->type));

		if (mt && btf_is_int(mt) && mt->size <= 8 &&
		    (btf_int_offset(mt) || btf_int_bits(mt) < mt->size * 8u)) {
			f->bitoff += btf_int_offset(mt);
			f->bitsz = btf_int_bits(mt);
		}
	}
}

static bool is_mod(const struct btf_type *t)
{
	return btf_is_mod(t) || btf_is_type_tag(t);
}

__u32 xk_btf_skip_mods(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || is_mod(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	return id;
}

static enum xk_special match_special(const char *name, bool is_struct, __s64 size)
{
	size_t i;

	if (!name || !*name)
		return XK_SP_NONE;
	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		if (specials[i].is_struct == is_struct && !strcmp(specials[i].name, name) &&
		    specials[i].size == size)
			return specials[i].sp;
	return XK_SP_NONE;
}

enum xk_special xk_btf_special(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	/* The name may sit on any typedef of the chain (typedef xk_ipv4 my_addr; still prints as an
	 * address). */
	while (t) {
		if (btf_is_typedef(t)) {
			enum xk_special sp = match_special(btf__name_by_offset(btf, t->name_off),
							   false, btf__resolve_size(btf, id));
			if (sp)
				return sp;
		} else if (btf_is_struct(t)) {
			return match_special(btf__name_by_offset(btf, t->name_off), true, t->size);
		} else if (!is_mod(t)) {
			return XK_SP_NONE;
		}
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	return XK_SP_NONE;
}

/* A string builder: appends never overflow and the result is always terminated. A fixed buffer
 * truncates; a growing one (grow) takes any length, or sets oom. */
struct sb {
	char *buf;
	size_t len, off;
	int fields; /* struct fields written so far, for separators */
	bool grow, oom;
};

static void sb_printf(struct sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->off >= s->len || s->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->off, s->len - s->off, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (s->grow && s->off + n >= s->len) {
		size_t len = s->len * 2 > s->off + n + 1 ? s->len * 2 : s->off + n + 1;
		char *nb = realloc(s->buf, len);

		if (!nb) {
			s->oom = true;
			return;
		}
		s->buf = nb;
		s->len = len;
		va_start(ap, fmt);
		n = vsnprintf(s->buf + s->off, s->len - s->off, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
	}
	s->off = s->off + n < s->len ? s->off + n : s->len - 1;
}

static bool sb_grow_init(struct sb *s)
{
	*s = (struct sb){ .buf = malloc(256), .len = 256, .grow = true };
	if (s->buf)
		s->buf[0] = '\0';
	return s->buf;
}

static const char *num_name(const struct xk_name_num *tab, unsigned int v)
{
	for (; tab->name; tab++)
		if (tab->num == v)
			return tab->name;
	return NULL;
}

/* The text of a named type; data points at its first byte. */
static void fmt_special(struct sb *s, enum xk_special sp, const __u8 *data)
{
	char ip[INET6_ADDRSTRLEN];
	const char *name;
	__u32 plen;
	__u16 v16;

	switch (sp) {
	case XK_SP_IPV4:
		sb_printf(s, "%s", inet_ntop(AF_INET, data, ip, sizeof(ip)));
		break;
	case XK_SP_IPV6:
		sb_printf(s, "%s", inet_ntop(AF_INET6, data, ip, sizeof(ip)));
		break;
	case XK_SP_PORT:
		memcpy(&v16, data, 2);
		sb_printf(s, "%u", ntohs(v16));
		break;
	case XK_SP_MAC:
		sb_printf(s, "%02x:%02x:%02x:%02x:%02x:%02x", data[0], data[1], data[2], data[3],
			  data[4], data[5]);
		break;
	case XK_SP_ETHERTYPE:
		memcpy(&v16, data, 2);
		name = num_name(xk_ethertype_names, v16);
		if (name)
			sb_printf(s, "%s", name);
		else
			sb_printf(s, "0x%04x", v16);
		break;
	case XK_SP_IPPROTO:
		name = num_name(xk_ipproto_names, data[0]);
		if (name)
			sb_printf(s, "%s", name);
		else
			sb_printf(s, "%u", data[0]);
		break;
	case XK_SP_CIDR4:
	case XK_SP_CIDR6:
		memcpy(&plen, data, 4);
		sb_printf(s, "%s/%u",
			  inet_ntop(sp == XK_SP_CIDR4 ? AF_INET : AF_INET6, data + 4, ip,
				    sizeof(ip)),
			  plen);
		break;
	case XK_SP_NONE:
		break;
	}
}

/* Bitfields, read bit by bit in the host's (little-endian) layout: rare in map types, so simple
 * beats fast. */
static __u64 read_bits(const __u8 *data, __u32 bitoff, __u32 nbits)
{
	__u64 v = 0;
	__u32 i;

	for (i = 0; i < nbits && i < 64; i++) {
		__u32 b = bitoff + i;

		if (data[b / 8] >> (b % 8) & 1)
			v |= 1ULL << i;
	}
	return v;
}

static __u64 read_uint(const __u8 *data, __u32 size)
{
	__u8 v8;
	__u16 v16;
	__u32 v32;
	__u64 v64 = 0;

	switch (size) {
	case 1:
		memcpy(&v8, data, 1);
		return v8;
	case 2:
		memcpy(&v16, data, 2);
		return v16;
	case 4:
		memcpy(&v32, data, 4);
		return v32;
	default:
		memcpy(&v64, data, size < 8 ? size : 8);
		return v64;
	}
}

static __s64 sign_extend(__u64 v, __u32 bits)
{
	if (bits >= 64)
		return (__s64)v;
	if (v & (1ULL << (bits - 1)))
		v |= ~0ULL << bits;
	return (__s64)v;
}

/* An integer or enum member: its value, honouring bitfields and signedness. */
static __u64 int_value(const struct btf_type *t, const __u8 *data, __u32 bitsz, bool *is_signed)
{
	__u32 bits;
	__u64 v;

	*is_signed = btf_is_int(t) ? btf_int_encoding(t) & BTF_INT_SIGNED : btf_kflag(t);
	if (bitsz) {
		bits = bitsz;
		v = read_bits(data, 0, bitsz);
	} else {
		bits = t->size * 8;
		v = read_uint(data, t->size);
	}
	if (*is_signed)
		v = (__u64)sign_extend(v, bits);
	return v;
}

static const char *enum_name(const struct btf *btf, const struct btf_type *t, __u64 v)
{
	int i, n = btf_vlen(t);

	for (i = 0; i < n; i++) {
		__u64 ev;
		__u32 off;

		if (btf_is_enum(t)) {
			ev = (__u64)(__s64)btf_enum(t)[i].val;
			off = btf_enum(t)[i].name_off;
		} else {
			const __u32 *e = (const __u32 *)btf_enum64(t) + 3 * i;

			ev = btf_enum64_value(btf_enum64(t) + i);
			off = e[0];
		}
		if ((t->size < 8 &&
		     (ev & ((1ULL << t->size * 8) - 1)) == (v & ((1ULL << t->size * 8) - 1))) ||
		    ev == v)
			return btf__name_by_offset(btf, off);
	}
	return NULL;
}

static void fmt_hex(struct sb *s, const __u8 *data, __u32 size)
{
	__u32 i;

	for (i = 0; i < size; i++)
		sb_printf(s, "%02x", data[i]);
}

/* The shortest text that reads back as the same number (%g alone keeps 6 digits). */
static void fmt_float(struct sb *s, const __u8 *data, __u32 size)
{
	char buf[64];
	double d;
	float f;
	int prec;

	if (size == 4) {
		memcpy(&f, data, 4);
		d = f;
	} else {
		memcpy(&d, data, 8);
	}
	for (prec = 6; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (isnan(d) ||
		    (size == 4 ? (float)strtod(buf, NULL) == f : strtod(buf, NULL) == d))
			break;
	}
	snprintf(buf, sizeof(buf), "%.*g", prec, d);
	sb_printf(s, "%s", buf);
}

static bool is_byte_int(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, xk_btf_skip_mods(btf, id));

	return t && btf_is_int(t) && t->size == 1;
}

/* A char array holding printable text up to a NUL, and only NULs after it (a string, as in
 * .rodata). No '"' (it ends the quotes) nor '#' (it starts a comment in `map load`); in a key, no
 * blank or comma either, so the key stays one word. */
static bool is_text(const struct btf *btf, __u32 elem, const __u8 *data, __u32 n, int flags)
{
	const struct btf_type *t = btf__type_by_id(btf, xk_btf_skip_mods(btf, elem));
	const char *name = t ? btf__name_by_offset(btf, t->name_off) : "";
	__u32 i = 0;

	if (!t || !(btf_int_encoding(t) & BTF_INT_CHAR || !strcmp(name, "char")))
		return false;
	while (i < n && data[i] >= 0x20 && data[i] < 0x7f && data[i] != '"' && data[i] != '#' &&
	       !(flags & XK_FMT_KEY && (data[i] == ' ' || data[i] == ',')))
		i++;
	if (!i)
		return false;
	for (; i < n; i++)
		if (data[i])
			return false;
	return true;
}

static void fmt_any(struct sb *s, const struct btf *btf, __u32 id, const __u8 *data, __u32 bitsz,
		    const char *prefix, int flags);

/* A value that is not a struct: one word of text. */
static void fmt_leaf(struct sb *s, const struct btf *btf, __u32 id, const __u8 *data, __u32 bitsz,
		     int flags)
{
	enum xk_special sp = xk_btf_special(btf, id);
	const struct btf_type *t;
	bool sgn;
	__u64 v;

	if (sp) {
		fmt_special(s, sp, data);
		return;
	}
	id = xk_btf_skip_mods(btf, id);
	t = btf__type_by_id(btf, id);
	if (!t)
		return;
	if (btf_is_int(t)) {
		if (t->size > 8 && !bitsz) {
			sb_printf(s, "0x");
			fmt_hex(s, data, t->size);
			return;
		}
		v = int_value(t, data, bitsz, &sgn);
		if (btf_int_encoding(t) & BTF_INT_BOOL)
			sb_printf(s, "%s", v ? "true" : "false");
		else if (sgn)
			sb_printf(s, "%" PRId64, (int64_t)v);
		else
			sb_printf(s, "%" PRIu64, (uint64_t)v);
	} else if (btf_is_any_enum(t)) {
		const char *name;

		v = int_value(t, data, bitsz, &sgn);
		name = enum_name(btf, t, v);
		if (name)
			sb_printf(s, "%s", name);
		else if (sgn)
			sb_printf(s, "%lld", (long long)v);
		else
			sb_printf(s, "%llu", (unsigned long long)v);
	} else if (btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		__s64 esz = btf__resolve_size(btf, a->type);
		__u32 i;

		if (esz == 1 && is_byte_int(btf, a->type)) {
			if (is_text(btf, a->type, data, a->nelems, flags))
				sb_printf(s, "\"%.*s\"", (int)a->nelems, (const char *)data);
			else
				fmt_hex(s, data, a->nelems);
			return;
		}
		/* Elements: one word each (struct fields joined by ','), separated by ' ', or by
		 * ',' in a key, which must stay one word. */
		sb_printf(s, "[");
		for (i = 0; i < a->nelems && esz > 0; i++) {
			int fields = s->fields;

			if (i)
				sb_printf(s, "%s", flags & XK_FMT_KEY ? "," : " ");
			s->fields = 0;
			fmt_any(s, btf, a->type, data + i * esz, 0, "", flags | XK_FMT_KEY);
			s->fields = fields;
		}
		sb_printf(s, "]");
	} else if (btf_is_ptr(t)) {
		/* BTF keeps the pointee's type id where other kinds keep a size. */
		__s64 size = btf__resolve_size(btf, id);

		sb_printf(s, "0x%llx",
			  (unsigned long long)read_uint(data, size == 4 || size == 8 ? size : 8));
	} else if (btf_is_float(t) && (t->size == 8 || t->size == 4)) {
		fmt_float(s, data, t->size);
	} else {
		__s64 size = btf__resolve_size(btf, id);

		fmt_hex(s, data, size > 0 ? size : 0);
	}
}

/* Padding stays out of sight unless it holds something. */
static bool is_pad(const char *name, const __u8 *data, __s64 size)
{
	__s64 i;

	while (*name == '_')
		name++;
	if (strncmp(name, "pad", 3) && strncmp(name, "reserved", 8))
		return false;
	for (i = 0; i < size; i++)
		if (data[i])
			return false;
	return true;
}

static bool is_plain_composite(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, xk_btf_skip_mods(btf, id));

	return xk_btf_is_record(t) && !xk_btf_special(btf, id);
}

static void fmt_bits_num(struct sb *s, __u64 v, const char *path, int flags)
{
	if (s->fields++)
		sb_printf(s, "%s", flags & XK_FMT_KEY ? "," : " ");
	sb_printf(s, "%s=%llu", path, (unsigned long long)v);
}

/* Structs flatten to field=value pairs; nested structs become dotted names (inner.a=1), which the
 * parser reads back. Unions show their first member. */
static void fmt_any(struct sb *s, const struct btf *btf, __u32 id, const __u8 *data, __u32 bitsz,
		    const char *prefix, int flags)
{
	const struct btf_type *t;
	int i, n;

	if (!is_plain_composite(btf, id)) {
		if (*prefix) {
			if (s->fields++)
				sb_printf(s, "%s", flags & XK_FMT_KEY ? "," : " ");
			sb_printf(s, "%s=", prefix);
		}
		fmt_leaf(s, btf, id, data, bitsz, flags);
		return;
	}
	t = btf__type_by_id(btf, xk_btf_skip_mods(btf, id));
	n = xk_btf_nfields(t);
	for (i = 0; i < n; i++) {
		struct xk_field f;
		const char *name;
		__u32 off, bsz;
		char *path;

		xk_btf_field(btf, t, i, &f);
		name = f.name;
		off = f.bitoff;
		bsz = f.bitsz;

		if (!bsz && is_pad(name, data + off / 8, btf__resolve_size(btf, f.type)))
			continue;
		if (bsz && !strncmp(name, "pad", 3) && !read_bits(data, off, bsz))
			continue;
		/* An anonymous member's fields belong to us. */
		path = malloc(strlen(prefix) + strlen(name) + 2);
		if (!path) {
			s->oom = true;
			return;
		}
		if (!*name)
			strcpy(path, prefix);
		else if (*prefix)
			sprintf(path, "%s.%s", prefix, name);
		else
			strcpy(path, name);
		if (bsz) {
			/* A bitfield: extract it into a small buffer so the leaf reader starts at
			 * bit 0. Only integers and enums (and names for them) can be bitfields; the
			 * bits of anything wider show as a number. */
			__u64 v = read_bits(data, off, bsz);
			__s64 size = btf__resolve_size(btf, f.type);

			if (size > 0 && size <= 8)
				fmt_any(s, btf, f.type, (const __u8 *)&v, bsz, path, flags);
			else
				fmt_bits_num(s, v, path, flags);
		} else {
			fmt_any(s, btf, f.type, data + off / 8, 0, path, flags);
		}
		free(path);
	}
}

char *xk_fmt_text_alloc(const struct xk_vtype *t, const void *data, int flags)
{
	struct sb s;

	if (!sb_grow_init(&s))
		return NULL;
	if (xk_vtype_is_raw(t))
		fmt_hex(&s, data, t->size);
	else
		fmt_any(&s, t->btf, t->id, data, 0, "", flags);
	if (s.oom) {
		free(s.buf);
		return NULL;
	}
	return s.buf;
}

void xk_fmt_text(const struct xk_vtype *t, const void *data, int flags, char *buf, size_t len)
{
	struct sb s = { .buf = buf, .len = len };

	if (!len)
		return;
	buf[0] = '\0';
	if (xk_vtype_is_raw(t)) {
		fmt_hex(&s, data, t->size);
		return;
	}
	fmt_any(&s, t->btf, t->id, data, 0, "", flags);
}

static void json_leaf_text(struct jw *w, const struct btf *btf, __u32 id, const __u8 *data,
			   __u32 bitsz)
{
	struct sb s;

	if (!sb_grow_init(&s)) {
		jw_null(w);
		return;
	}
	fmt_leaf(&s, btf, id, data, bitsz, 0);
	if (s.oom)
		jw_null(w);
	else
		jw_str(w, s.buf);
	free(s.buf);
}

static void json_any(struct jw *w, const struct btf *btf, __u32 id, const __u8 *data, __u32 bitsz);

static void json_members(struct jw *w, const struct btf *btf, const struct btf_type *t,
			 const __u8 *data)
{
	int i, n = xk_btf_nfields(t);

	for (i = 0; i < n; i++) {
		struct xk_field f;
		const char *name;
		__u32 off, bsz;

		xk_btf_field(btf, t, i, &f);
		name = f.name;
		off = f.bitoff;
		bsz = f.bitsz;
		if (!bsz && is_pad(name, data + off / 8, btf__resolve_size(btf, f.type)))
			continue;
		if (!name || !*name) {
			const struct btf_type *mt =
				btf__type_by_id(btf, xk_btf_skip_mods(btf, f.type));

			if (xk_btf_is_record(mt))
				json_members(w, btf, mt, data + off / 8);
			continue;
		}
		jw_key(w, name);
		if (bsz) {
			__u64 v = read_bits(data, off, bsz);
			__s64 size = btf__resolve_size(btf, f.type);

			if (size > 0 && size <= 8)
				json_any(w, btf, f.type, (const __u8 *)&v, bsz);
			else
				jw_uint(w, v);
		} else {
			json_any(w, btf, f.type, data + off / 8, 0);
		}
	}
}

/* JSON keeps structure: named types and enums as strings, integers as numbers, structs as objects.
 */
static void json_any(struct jw *w, const struct btf *btf, __u32 id, const __u8 *data, __u32 bitsz)
{
	const struct btf_type *t;
	bool sgn;
	__u64 v;

	if (xk_btf_special(btf, id)) {
		json_leaf_text(w, btf, id, data, bitsz);
		return;
	}
	t = btf__type_by_id(btf, xk_btf_skip_mods(btf, id));
	if (!t) {
		jw_null(w);
	} else if (xk_btf_is_record(t)) {
		jw_obj_start(w);
		json_members(w, btf, t, data);
		jw_obj_end(w);
	} else if (btf_is_int(t) && (t->size <= 8 || bitsz)) {
		v = int_value(t, data, bitsz, &sgn);
		if (btf_int_encoding(t) & BTF_INT_BOOL)
			jw_bool(w, v);
		else if (sgn)
			jw_int(w, (int64_t)v);
		else
			jw_uint(w, v);
	} else if (btf_is_array(t) && is_byte_int(btf, btf_array(t)->type) &&
		   is_text(btf, btf_array(t)->type, data, btf_array(t)->nelems, 0)) {
		char *str = strndup((const char *)data, btf_array(t)->nelems);

		if (str)
			jw_str(w, str);
		else
			jw_null(w);
		free(str);
	} else if (btf_is_array(t) && !is_byte_int(btf, btf_array(t)->type)) {
		const struct btf_array *a = btf_array(t);
		__s64 esz = btf__resolve_size(btf, a->type);
		__u32 i;

		jw_arr_start(w);
		for (i = 0; i < a->nelems && esz > 0; i++)
			json_any(w, btf, a->type, data + i * esz, 0);
		jw_arr_end(w);
	} else if (btf_is_float(t)) {
		double d = 0;
		float f;

		if (t->size == 8) {
			memcpy(&d, data, 8);
		} else if (t->size == 4) {
			memcpy(&f, data, 4);
			d = f;
		}
		jw_float(w, d);
	} else {
		/* enums by name, byte arrays as hex, pointers */
		json_leaf_text(w, btf, id, data, bitsz);
	}
}

void xk_fmt_json(struct jw *w, const struct xk_vtype *t, const void *data)
{
	if (xk_vtype_is_raw(t)) {
		char *text = xk_fmt_text_alloc(t, data, 0);

		if (text)
			jw_str(w, text);
		else
			jw_null(w);
		free(text);
		return;
	}
	json_any(w, t->btf, t->id, data, 0);
}

void xk_type_name(const struct xk_vtype *t, char *buf, size_t len)
{
	const struct btf_type *bt;
	const char *name;
	__u32 id;

	if (xk_vtype_is_raw(t)) {
		snprintf(buf, len, "%u bytes", t->size);
		return;
	}
	id = t->id;
	bt = btf__type_by_id(t->btf, id);
	while (bt && is_mod(bt)) {
		id = bt->type;
		bt = btf__type_by_id(t->btf, id);
	}
	if (!bt) {
		snprintf(buf, len, "?");
		return;
	}
	name = btf__name_by_offset(t->btf, bt->name_off);
	if (btf_is_typedef(bt) || btf_is_int(bt) || btf_is_float(bt)) {
		snprintf(buf, len, "%s", name);
	} else if (btf_is_datasec(bt)) {
		snprintf(buf, len, "%s", name);
	} else if (btf_is_composite(bt) || btf_is_any_enum(bt)) {
		snprintf(buf, len, "%s %s",
			 btf_is_struct(bt)  ? "struct"
			 : btf_is_union(bt) ? "union"
					    : "enum",
			 name && *name ? name : "(anon)");
	} else if (btf_is_array(bt)) {
		struct xk_vtype et = { t->btf, btf_array(bt)->type, 0 };
		char ebuf[128];

		xk_type_name(&et, ebuf, sizeof(ebuf));
		snprintf(buf, len, "%s[%u]", ebuf, btf_array(bt)->nelems);
	} else {
		snprintf(buf, len, "%u bytes", t->size);
	}
}

/* Add CPU copies of every plain integer at byte offset `off` of the value. */
static void sum_walk(const struct btf *btf, __u32 id, size_t off, const __u8 *percpu, int ncpu,
		     size_t stride, __u8 *out)
{
	const struct btf_type *t;
	int i, cpu;

	if (xk_btf_special(btf, id))
		return; /* addresses, ports, ...: CPU 0's copy stands */
	t = btf__type_by_id(btf, xk_btf_skip_mods(btf, id));
	if (!t)
		return;
	if (xk_btf_is_record(t)) {
		for (i = 0; i < xk_btf_nfields(t); i++) {
			struct xk_field f;

			xk_btf_field(btf, t, i, &f);
			if (!f.bitsz)
				sum_walk(btf, f.type, off + f.bitoff / 8, percpu, ncpu, stride,
					 out);
		}
	} else if (btf_is_array(t)) {
		__s64 esz = btf__resolve_size(btf, btf_array(t)->type);
		__u32 e;

		for (e = 0; esz > 0 && e < btf_array(t)->nelems; e++)
			sum_walk(btf, btf_array(t)->type, off + e * esz, percpu, ncpu, stride, out);
	} else if (btf_is_int(t) && t->size <= 8 && !(btf_int_encoding(t) & BTF_INT_BOOL)) {
		__u64 sum = 0;

		for (cpu = 0; cpu < ncpu; cpu++)
			sum += read_uint(percpu + cpu * stride + off, t->size);
		/* Little-endian: the low bytes of the sum are the value at this size. */
		memcpy(out + off, &sum, t->size);
	}
}

void xk_sum_percpu(const struct xk_vtype *t, const void *percpu, int ncpu, size_t stride, void *out)
{
	memcpy(out, percpu, t->size);
	if (xk_vtype_is_raw(t))
		return;
	sum_walk(t->btf, t->id, 0, percpu, ncpu, stride, out);
}
