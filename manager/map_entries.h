/* The <map>_entries convention (include/xdpkit/blocklist.h): config fields that count a map's
 * entries. */
#ifndef XDPKIT_MAP_ENTRIES_H
#define XDPKIT_MAP_ENTRIES_H

#include "mapref.h"

/* Add delta to every field named <m>_entries in the value structs of m's sibling maps (pinned in
 * the same directory, or used by a program that uses m). Returns the number of fields changed, or
 * -errno. */
int xk_entries_adjust(const struct xk_mapref *m, int delta);
/* Set those fields to the number of entries m holds now. Returns fields changed, or -errno. */
int xk_entries_recount(const struct xk_mapref *m);
/* Entries in a map, by walking its keys. */
long xk_map_count(const struct xk_mapref *m);

#endif
