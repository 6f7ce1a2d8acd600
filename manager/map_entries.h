/* SPDX-License-Identifier: GPL-2.0-only */
/* How many entries a map holds, and every entry of it. */
#ifndef XDPKIT_MAP_ENTRIES_H
#define XDPKIT_MAP_ENTRIES_H

#include "mapref.h"

/* Entries in a map, by walking its keys; -errno on failure. */
long xk_map_count(const struct xk_mapref *m);

/* Call fn on every entry (key, and value as xk_mapref_value_bytes lays it out), until it returns
 * non-zero. Batch look-ups (one syscall per few thousand entries) where the map has them, key by
 * key otherwise (LPM tries). A map that changes under a batch walk: with lenient, what was read
 * stands; else its -errno is returned. The number of entries walked, fn's non-zero return (as a
 * negative number, so return -errno from fn), or -errno. */
typedef int (*xk_map_entry_fn)(void *ctx, const void *key, const void *val);
long xk_map_walk(const struct xk_mapref *m, bool lenient, xk_map_entry_fn fn, void *ctx);

#endif
