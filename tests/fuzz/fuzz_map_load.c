// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: the content of a `map load` file (manager/load_parse.c), for a few maps of
 * the kinds the collection has (hash of IPv4 addresses, LPM trie of CIDRs, struct keys and
 * values, an array indexed by number, a map without BTF). Byte 0 picks the map; the rest is the
 * file. Properties: a refusal names its line and says why; what loads, printed as `map dump`
 * prints it, loads again to the same entries (dump -> load round trip). */
#include "fuzz_types.h"
#include "../../manager/load_parse.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_map_load: %s failed at line %d\n", #cond, __LINE__); \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static const struct {
	int key, value;
	__u32 index_max;
} maps[] = {
	{ FT_IPV4, FT_U64, 0 },	       { FT_CIDR4, FT_U64, 0 },	  { FT_CIDR6, FT_BITS, 0 },
	{ FT_COUNT_KEY, FT_MIXED, 0 }, { FT_S32, FT_DATASEC, 4 }, { FT_RAW, FT_RAW, 0 },
	{ FT_IPV6, FT_ENUM, 0 },       { FT_MAC, FT_SENUM, 0 },
};

/* The entries as `map dump` prints them: "KEY VALUE" lines. */
static char *dump_text(const struct xk_load_map *m, const struct xk_load_entries *e)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f);
	fprintf(f, "# map %s\n", m->name);
	for (i = 0; i < e->n; i++) {
		char *k = xk_fmt_text_alloc(m->key, e->keys + i * m->key_size, XK_FMT_KEY);
		char *v = xk_fmt_text_alloc(m->value, e->vals + i * m->value_size, 0);

		CHECK(k && v);
		fprintf(f, "%s %s\n", k, v);
		free(k);
		free(v);
	}
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct xk_load_entries e, e2;
	struct xk_load_map m;
	char err[1024] = "", *d1, *d2;
	size_t line, line2;
	int which, ret;

	if (!ready) {
		ft_init();
		ready = true;
	}
	if (size < 1)
		return 0;
	which = data[0] % (sizeof(maps) / sizeof(maps[0]));
	m = (struct xk_load_map){
		.name = "fuzzed",
		.key = &ft_types[maps[which].key],
		.value = &ft_types[maps[which].value],
		.key_size = ft_types[maps[which].key].size,
		.value_size = ft_types[maps[which].value].size,
		.index_max = maps[which].index_max,
	};
	ret = xk_load_parse(&m, (const char *)data + 1, size - 1, &e, &line, err, sizeof(err));
	CHECK(ret == 0 || ret == -EINVAL || ret == -ENOMEM);
	if (ret == -EINVAL)
		CHECK(err[0] && line >= 1 && line <= size);
	if (!ret) {
		d1 = dump_text(&m, &e);
		ret = xk_load_parse(&m, d1, strlen(d1), &e2, &line2, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "dump output does not load: line %zu: %s\n%s", line2, err,
				d1);
			abort();
		}
		CHECK(e2.n == e.n);
		d2 = dump_text(&m, &e2);
		CHECK(!strcmp(d1, d2));
		free(d1);
		free(d2);
		xk_load_entries_free(&e2);
	}
	xk_load_entries_free(&e);
	return 0;
}
