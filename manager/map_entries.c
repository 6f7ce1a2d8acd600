// SPDX-License-Identifier: GPL-2.0-only
/* How many entries a map holds (the kernel keeps no count we can read, so walk the keys), and a walk
 * of every entry for the readers of whole maps (map dump, metrics). */
#include "map_entries.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

long xk_map_count(const struct xk_mapref *m)
{
	__u8 *a = calloc(2, m->info.key_size ? m->info.key_size : 1), *b;
	long n = 0;
	void *prev = NULL;

	if (!a)
		return -ENOMEM;
	b = a + m->info.key_size;
	while (!bpf_map_get_next_key(m->fd, prev, prev == a ? b : a)) {
		prev = prev == a ? b : a;
		n++;
	}
	free(a);
	return n;
}

#define WALK_CHUNK 4096

long xk_map_walk(const struct xk_mapref *m, bool lenient, xk_map_entry_fn fn, void *ctx)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	size_t ks = m->info.key_size, vb = xk_mapref_value_bytes(m), tsz = ks > 8 ? ks : 8;
	__u8 *keys = malloc(WALK_CHUNK * ks), *vals = malloc(WALK_CHUNK * vb),
	     *tin = calloc(2, tsz);
	__u8 *tout = tin + tsz;
	bool first = true;
	long n = 0;
	__u32 i;
	int r;

	if (!keys || !vals || !tin) {
		n = -ENOMEM;
		goto out;
	}
	for (;;) {
		__u32 count = WALK_CHUNK;
		int err = bpf_map_lookup_batch(m->fd, first ? NULL : tin, tout, keys, vals, &count,
					       &opts);

		err = err ? -errno : 0;
		if (err && first && !count && err != -ENOENT)
			break; /* no batch support: key by key below */
		for (i = 0; i < count; i++) {
			r = fn(ctx, keys + i * ks, vals + i * vb);
			if (r) {
				n = r < 0 ? r : -r;
				goto out;
			}
		}
		n += count;
		if (err == -ENOENT)
			goto out; /* that was the last batch */
		if (err) {
			if (!lenient)
				n = err;
			goto out; /* the map changed under the walk */
		}
		first = false;
		memcpy(tin, tout, tsz);
	}
	/* keys[0] and keys[1] hold the previous and the next key */
	while (!bpf_map_get_next_key(m->fd, n ? keys : NULL, keys + ks)) {
		memcpy(keys, keys + ks, ks);
		n++;
		if (bpf_map_lookup_elem(m->fd, keys, vals))
			continue; /* deleted meanwhile */
		r = fn(ctx, keys, vals);
		if (r) {
			n = r < 0 ? r : -r;
			break;
		}
	}
out:
	free(keys);
	free(vals);
	free(tin);
	return n;
}
