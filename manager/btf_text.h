/* SPDX-License-Identifier: GPL-2.0-only */
/* Map keys and values as a person reads and types them, driven by BTF: formatting (btf_fmt.c) and
 * parsing (btf_parse.c). The named types of include/xdpkit/types.h and count.h get their own text
 * forms. */
#ifndef XDPKIT_BTF_TEXT_H
#define XDPKIT_BTF_TEXT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

struct btf;
struct jw;

/* The type of a key or value: a BTF type, or (btf NULL or id 0) just a size, shown as hex bytes. */
struct xk_vtype {
	const struct btf *btf;
	__u32 id;
	__u32 size;
};

/* Types with a text form of their own, recognised by their BTF name (typedef or struct tag). */
enum xk_special {
	XK_SP_NONE = 0,
	XK_SP_IPV4,
	XK_SP_IPV6,
	XK_SP_PORT,
	XK_SP_MAC,
	XK_SP_ETHERTYPE,
	XK_SP_IPPROTO,
	XK_SP_CIDR4,
	XK_SP_CIDR6,
};

/* Text flag: struct fields joined by ',' so a key stays one word (what `load` reads back). */
#define XK_FMT_KEY 1

/* The longest key or value text read: 1 MiB (after the blanks around it), room for a value of
 * 512 KiB as hex. Longer ones are refused with a message, never cut. */
#define XK_TEXT_MAX (1 << 20)

/* Formatting: text into buf (always NUL-terminated, truncated if too small), the whole text in a
 * malloc'ed string (NULL when out of memory), or a JSON value through w. */
void xk_fmt_text(const struct xk_vtype *t, const void *data, int flags, char *buf, size_t len);
char *xk_fmt_text_alloc(const struct xk_vtype *t, const void *data, int flags);
void xk_fmt_json(struct jw *w, const struct xk_vtype *t, const void *data);
/* A short name for the type: "xk_ipv4", "struct xk_cidr4", "__u64", "8 bytes". */
void xk_type_name(const struct xk_vtype *t, char *buf, size_t len);
/* Reduce per-CPU copies (each `stride` bytes apart) to one: integer members summed, anything else
 * (addresses, enums, ...) taken from CPU 0. */
void xk_sum_percpu(const struct xk_vtype *t, const void *percpu, int ncpu, size_t stride,
		   void *out);

/* Parsing: `text` into `out` (t->size bytes). For structs, `out` is the base that `field=value`
 * pairs change, so the caller decides whether unnamed fields are zero or keep an old value. On bad
 * input returns -EINVAL and puts one sentence naming the input and the expected form into err. */
int xk_parse_text(const struct xk_vtype *t, const char *text, void *out, char *err, size_t errlen);

/* Parsing many texts of one type (`map load`): the type is resolved once, then the fixed forms
 * (IPv4 and IPv6 addresses, unsigned integers up to 8 bytes in decimal) are parsed directly,
 * without a BTF walk per text. Whatever the direct path does not take, and every refusal with its
 * message, goes through xk_parse_text: both accept exactly the same texts. A NUL byte inside the
 * text is refused (a C string would silently end there). */
struct xk_parser {
	const struct xk_vtype *t;
	int kind;   /* XK_PP_* in btf_parse.c */
	__u32 size; /* bytes written by the direct path */
	__u64 max;  /* largest unsigned integer */
};
void xk_parser_init(struct xk_parser *p, const struct xk_vtype *t);
/* `text` is len bytes (not NUL-terminated, no blanks around); out as for xk_parse_text. */
int xk_parser_run(const struct xk_parser *p, const char *text, size_t len, void *out, char *err,
		  size_t errlen);
/* Does p parse IPv4 addresses (xk_ipv4)? Then xk_fast_ipv4 gives what it gives for the forms it
 * takes (a.b.c.d, parts 0-255 without leading zeros); false for any other form, which the full
 * parser then judges. */
bool xk_parser_is_ipv4(const struct xk_parser *p);
bool xk_fast_ipv4(const char *s, size_t len, __u8 *out);

/* Well-known names of EtherTypes and IP protocols, ended by a NULL name. */
struct xk_name_num {
	const char *name;
	unsigned int num;
};
extern const struct xk_name_num xk_ethertype_names[];
extern const struct xk_name_num xk_ipproto_names[];

/* Shared by both halves. */
/* A field of a record: struct and union members, and the variables of a DATASEC (.bss, .data:
 * global variables shown as fields). */
struct xk_field {
	const char *name;
	__u32 type;
	__u32 bitoff;
	__u32 bitsz; /* 0 unless a bitfield */
};
struct btf_type;
bool xk_btf_is_record(const struct btf_type *t);
/* Fields to show: all of a struct or datasec, the first of a union. */
int xk_btf_nfields(const struct btf_type *t);
void xk_btf_field(const struct btf *btf, const struct btf_type *t, int i, struct xk_field *f);
/* Through typedefs, const, volatile, ... to the type underneath. */
__u32 xk_btf_skip_mods(const struct btf *btf, __u32 id);
enum xk_special xk_btf_special(const struct btf *btf, __u32 id);
bool xk_vtype_is_raw(const struct xk_vtype *t);

#endif
