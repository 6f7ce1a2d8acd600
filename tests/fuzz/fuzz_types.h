/* SPDX-License-Identifier: GPL-2.0-only */
/* The BTF types the fuzz targets parse and print: one of each kind the manager's text layer
 * handles (named xdpkit types, integers, enums signed and not, bitfields holding enums and named
 * types, pointers, floats, arrays, char text, nested structs, a union, a DATASEC), hand-built so
 * that no object file is needed. */
#ifndef XDPKIT_FUZZ_TYPES_H
#define XDPKIT_FUZZ_TYPES_H

#include "../../manager/btf_text.h"

#include <bpf/btf.h>
#include <stdlib.h>

enum {
	FT_IPV4,
	FT_IPV6,
	FT_CIDR4,
	FT_CIDR6,
	FT_MAC,
	FT_PORT,
	FT_ETHERTYPE,
	FT_IPPROTO,
	FT_U64,
	FT_S32,
	FT_BOOL,
	FT_U128,
	FT_ENUM,
	FT_SENUM,
	FT_ENUM64,
	FT_BITS,  /* bitfields: ints, enums, signed enum, xk_ipproto, bool */
	FT_MIXED, /* pointer, double, float, u32[3], char[8], u8[6], nested struct with a cidr */
	FT_COUNT_KEY,
	FT_UNION,
	FT_DATASEC,
	FT_RAW, /* a map without BTF: 6 bytes of hex */
	FT_NUM
};

static struct xk_vtype ft_types[FT_NUM];

/* A struct (or union, DATASEC) given as field=value pairs, not a named type. */
static inline bool ft_is_struct(const struct xk_vtype *t)
{
	return t->btf && !xk_btf_special(t->btf, t->id) &&
	       xk_btf_is_record(btf__type_by_id(t->btf, xk_btf_skip_mods(t->btf, t->id)));
}

static inline struct xk_vtype ft_make(struct btf *btf, int id)
{
	return (struct xk_vtype){ btf, (__u32)id, (__u32)btf__resolve_size(btf, id) };
}

/* Builds the types once; aborts if libbpf refuses (a broken fuzzer must not look green). */
static void ft_init(void)
{
	struct btf *btf = btf__new_empty();
	int u8, u16, u32, u64, s16, s32, bl, chr, u128, flt, dbl, ip4, ip6s, ip6, c4, c6, macs, mac,
		port, et, pr, en, sen, en64, bits, inner, mixed, ptr, a3, a8, a6, a16, ck, un, var1,
		var2, sec;

	if (!btf)
		abort();
	u8 = btf__add_int(btf, "__u8", 1, 0);
	u16 = btf__add_int(btf, "__u16", 2, 0);
	u32 = btf__add_int(btf, "__u32", 4, 0);
	u64 = btf__add_int(btf, "__u64", 8, 0);
	s16 = btf__add_int(btf, "short", 2, BTF_INT_SIGNED);
	s32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	bl = btf__add_int(btf, "_Bool", 1, BTF_INT_BOOL);
	chr = btf__add_int(btf, "char", 1, BTF_INT_SIGNED | BTF_INT_CHAR);
	u128 = btf__add_int(btf, "unsigned __int128", 16, 0);
	flt = btf__add_float(btf, "float", 4);
	dbl = btf__add_float(btf, "double", 8);
	ip4 = btf__add_typedef(btf, "xk_ipv4", u32);
	a16 = btf__add_array(btf, u32, u8, 16);
	ip6s = btf__add_struct(btf, "", 16);
	btf__add_field(btf, "a", a16, 0, 0);
	ip6 = btf__add_typedef(btf, "xk_ipv6", ip6s);
	c4 = btf__add_struct(btf, "xk_cidr4", 8);
	btf__add_field(btf, "prefixlen", u32, 0, 0);
	btf__add_field(btf, "addr", ip4, 32, 0);
	c6 = btf__add_struct(btf, "xk_cidr6", 20);
	btf__add_field(btf, "prefixlen", u32, 0, 0);
	btf__add_field(btf, "addr", ip6, 32, 0);
	a6 = btf__add_array(btf, u32, u8, 6);
	macs = btf__add_struct(btf, "", 6);
	btf__add_field(btf, "a", a6, 0, 0);
	mac = btf__add_typedef(btf, "xk_mac", macs);
	port = btf__add_typedef(btf, "xk_port", u16);
	et = btf__add_typedef(btf, "xk_ethertype", u16);
	pr = btf__add_typedef(btf, "xk_ipproto", u8);
	en = btf__add_enum(btf, "mode", 4);
	btf__add_enum_value(btf, "MODE_DENY", 0);
	btf__add_enum_value(btf, "MODE_ALLOW_ONLY", 1);
	btf__add_enum_value(btf, "MODE_BIG", 6);
	sen = btf__add_enum(btf, "level", 1);
	btf__add_enum_value(btf, "LEVEL_LOW", -3);
	btf__add_enum_value(btf, "LEVEL_HIGH", 2);
	en64 = btf__add_enum64(btf, "wide", 8, false);
	btf__add_enum64_value(btf, "WIDE_TOP", 0xffffffffffffffffULL);
	btf__add_enum64_value(btf, "WIDE_ONE", 1);
	bits = btf__add_struct(btf, "flags", 8);
	btf__add_field(btf, "lo", u32, 0, 3);
	btf__add_field(btf, "m", en, 3, 2);
	btf__add_field(btf, "lv", sen, 5, 3);
	btf__add_field(btf, "proto", pr, 8, 4);
	btf__add_field(btf, "on", bl, 12, 1);
	btf__add_field(btf, "pad", u32, 13, 3);
	btf__add_field(btf, "d", s16, 16, 9);
	btf__add_field(btf, "hi", u64, 32, 32);
	inner = btf__add_struct(btf, "inner", 12);
	btf__add_field(btf, "x", u16, 0, 0);
	btf__add_field(btf, "net", c4, 32, 0);
	ptr = btf__add_ptr(btf, inner);
	a3 = btf__add_array(btf, u32, u32, 3);
	a8 = btf__add_array(btf, u32, chr, 8);
	mixed = btf__add_struct(btf, "mixed", 64);
	btf__add_field(btf, "p", ptr, 0, 0);
	btf__add_field(btf, "d", dbl, 64, 0);
	btf__add_field(btf, "f", flt, 128, 0);
	btf__add_field(btf, "n", a3, 160, 0);
	btf__add_field(btf, "name", a8, 256, 0);
	btf__add_field(btf, "mac", a6, 320, 0);
	btf__add_field(btf, "in", inner, 384, 0);
	ck = btf__add_struct(btf, "count_key", 4);
	btf__add_field(btf, "ethertype", et, 0, 0);
	btf__add_field(btf, "ip_proto", pr, 16, 0);
	btf__add_field(btf, "pad", u8, 24, 0);
	un = btf__add_union(btf, "either", 8);
	btf__add_field(btf, "v", u64, 0, 0);
	btf__add_field(btf, "w", s32, 0, 0);
	var1 = btf__add_var(btf, "counter", BTF_VAR_GLOBAL_ALLOCATED, u64);
	var2 = btf__add_var(btf, "mode", BTF_VAR_GLOBAL_ALLOCATED, en);
	sec = btf__add_datasec(btf, ".bss", 12);
	btf__add_datasec_var_info(btf, var1, 0, 8);
	btf__add_datasec_var_info(btf, var2, 8, 4);

	ft_types[FT_IPV4] = ft_make(btf, ip4);
	ft_types[FT_IPV6] = ft_make(btf, ip6);
	ft_types[FT_CIDR4] = ft_make(btf, c4);
	ft_types[FT_CIDR6] = ft_make(btf, c6);
	ft_types[FT_MAC] = ft_make(btf, mac);
	ft_types[FT_PORT] = ft_make(btf, port);
	ft_types[FT_ETHERTYPE] = ft_make(btf, et);
	ft_types[FT_IPPROTO] = ft_make(btf, pr);
	ft_types[FT_U64] = ft_make(btf, u64);
	ft_types[FT_S32] = ft_make(btf, s32);
	ft_types[FT_BOOL] = ft_make(btf, bl);
	ft_types[FT_U128] = ft_make(btf, u128);
	ft_types[FT_ENUM] = ft_make(btf, en);
	ft_types[FT_SENUM] = ft_make(btf, sen);
	ft_types[FT_ENUM64] = ft_make(btf, en64);
	ft_types[FT_BITS] = ft_make(btf, bits);
	ft_types[FT_MIXED] = ft_make(btf, mixed);
	ft_types[FT_COUNT_KEY] = ft_make(btf, ck);
	ft_types[FT_UNION] = ft_make(btf, un);
	ft_types[FT_DATASEC] = (struct xk_vtype){ btf, (__u32)sec, 12 };
	ft_types[FT_RAW] = (struct xk_vtype){ NULL, 0, 6 };
	for (int i = 0; i < FT_NUM; i++)
		if (!ft_types[i].size || (ft_types[i].btf && (int)ft_types[i].id <= 0))
			abort();
}

#endif
