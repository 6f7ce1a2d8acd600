// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: map key and value text by BTF type (manager/btf_parse.c, btf_fmt.c).
 * Input: byte 0 picks the type (tests/fuzz/fuzz_types.h), byte 1 the mode, the rest is the text
 * (mode even) or the value's bytes (mode odd). Properties checked beyond "no crash":
 *   - the bulk parser of `map load` and xk_parse_text agree (result, bytes, message);
 *   - what parses, printed, parses again to the same text (dump output loads back), as a value
 *     and as a key;
 *   - a refused text writes nothing.
 * Every buffer has exactly the type's size, so ASan sees any write past the value. */
#include "fuzz_types.h"
#include "../../manager/json.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_btf_text: %s failed at line %d\n", #cond, __LINE__); \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Printed as a value (and as a key), then read back from zero: the same text comes out. */
static void check_reprint(const struct xk_vtype *t, const __u8 *data, int flags)
{
	char *text = xk_fmt_text_alloc(t, data, flags), *again, err[512];
	__u8 *back = calloc(1, t->size);
	int ret;

	CHECK(text && back);
	ret = xk_parse_text(t, text, back, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "printed text does not parse back: '%s': %s\n", text, err);
		abort();
	}
	again = xk_fmt_text_alloc(t, back, flags);
	CHECK(again);
	if (strcmp(text, again)) {
		fprintf(stderr, "text changed on a round trip: '%s' -> '%s'\n", text, again);
		abort();
	}
	free(again);
	free(back);
	free(text);
}

static void json_of(const struct xk_vtype *t, const __u8 *data)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw *w;

	CHECK(f);
	w = jw_new(f);
	xk_fmt_json(w, t, data);
	jw_free(w);
	fclose(f);
	free(buf);
}

/* Types whose every printed form is one a person may type: any bytes (mode odd) print to a text
 * that parses back. The others hold values their text form refuses on purpose (a CIDR with host
 * bits) or show one member for many (a union). */
static bool bytes_reparse(int type)
{
	return type != FT_CIDR4 && type != FT_CIDR6 && type != FT_UNION && type != FT_MIXED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	const struct xk_vtype *t;
	struct xk_parser p;
	__u8 *a, *b;
	char *text, ea[512] = "", eb[512] = "";
	int type, ra, rb;

	if (!ready) {
		ft_init();
		ready = true;
	}
	if (size < 2)
		return 0;
	type = data[0] % FT_NUM;
	t = &ft_types[type];
	a = malloc(t->size);
	b = malloc(t->size);
	CHECK(a && b);
	if (data[1] & 1) {
		/* bytes in, text out */
		memset(a, 0, t->size);
		memcpy(a, data + 2, size - 2 < t->size ? size - 2 : t->size);
		text = xk_fmt_text_alloc(t, a, 0);
		CHECK(text);
		free(text);
		json_of(t, a);
		if (bytes_reparse(type)) {
			check_reprint(t, a, 0);
			check_reprint(t, a, XK_FMT_KEY);
		}
		goto out;
	}
	text = malloc(size - 1);
	CHECK(text);
	memcpy(text, data + 2, size - 2);
	text[size - 2] = '\0';
	memset(a, 0x5a, t->size);
	memset(b, 0x5a, t->size);
	ra = xk_parse_text(t, text, a, ea, sizeof(ea));
	CHECK(ra == 0 || ra == -EINVAL);
	if (ra) {
		CHECK(ea[0]); /* a refusal always says why */
		/* Nothing written by a refused leaf; a struct may keep the pairs before the bad
		 * one, which the CLI then throws away. */
		if (!ft_is_struct(t))
			for (size_t i = 0; i < t->size; i++)
				CHECK(a[i] == 0x5a);
	}
	if (!memchr(data + 2, '\0', size - 2)) {
		xk_parser_init(&p, t);
		rb = xk_parser_run(&p, (const char *)data + 2, size - 2, b, eb, sizeof(eb));
		CHECK(rb == ra);
		CHECK(!strcmp(ea, eb));
		CHECK(!memcmp(a, b, t->size));
	}
	if (!ra) {
		json_of(t, a);
		/* struct texts are applied over a base: read back from zero, compare from zero */
		memset(b, 0, t->size);
		if (!xk_parse_text(t, text, b, ea, sizeof(ea))) {
			check_reprint(t, b, 0);
			check_reprint(t, b, XK_FMT_KEY);
		}
	}
	free(text);
out:
	free(a);
	free(b);
	return 0;
}
