/* SPDX-License-Identifier: GPL-2.0-only */
/* The text of a `map load` file turned into keys and values: no kernel, no file, so that the
 * fuzzer (tests/fuzz/fuzz_map_load.c) runs exactly what `xdpkit map load` runs. */
#ifndef XDPKIT_LOAD_PARSE_H
#define XDPKIT_LOAD_PARSE_H

#include "btf_text.h"

#include <stdbool.h>
#include <stddef.h>

/* What reading a load file needs to know of the map. */
struct xk_load_map {
	const char *name;
	const struct xk_vtype *key, *value;
	__u32 key_size, value_size;
	__u32 index_max; /* keys are array indexes below this (4-byte keys); 0: any key */
};

struct xk_load_entries {
	__u8 *keys, *vals; /* n keys, n single (not per-CPU) values; malloc'ed */
	size_t n;
	bool valued; /* some line gave a value; else all are zero */
};

/* Parse len bytes of "KEY [VALUE]" lines ('#' comments, blank lines). Returns 0; -EINVAL with
 * *line (1-based) and one sentence in err; or -ENOMEM. e is filled either way: free with
 * xk_load_entries_free. */
int xk_load_parse(const struct xk_load_map *m, const char *buf, size_t len,
		  struct xk_load_entries *e, size_t *line, char *err, size_t errlen);
void xk_load_entries_free(struct xk_load_entries *e);

#endif
