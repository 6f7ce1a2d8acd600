// SPDX-License-Identifier: GPL-2.0-only
/* How many entries a map holds: the kernel keeps no count we can read, so walk the keys. */
#include "map_entries.h"

#include <errno.h>
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
