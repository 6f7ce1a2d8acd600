/* SPDX-License-Identifier: GPL-2.0-only */
/* What the `xdpkit map` commands share (map.c, map_load.c). */
#ifndef XDPKIT_MAP_H
#define XDPKIT_MAP_H

#include "mapref.h"
#include "opts.h"

int do_map(int argc, char **argv);
int xk_map_load(int argc, char **argv);
extern const struct xk_verb xk_verb_map_load;

/* Parse a key (zeroed first) or a value (over the base already in val) of map m. On bad input
 * prints one line naming the map, the expected type and the input, and returns XK_EXIT_USAGE. */
int xk_map_parse_key(const struct xk_mapref *m, const char *text, void *key);
int xk_map_parse_value(const struct xk_mapref *m, const char *text, void *val);
/* Look a key up exactly (LPM tries included, whose lookup matches prefixes). 0, -ENOENT or -errno.
 */
int xk_map_lookup_exact(const struct xk_mapref *m, const void *key, void *vals);
/* One value copied to every CPU slot (per-CPU maps), as the update syscalls take it. */
void xk_map_spread(const struct xk_mapref *m, const void *one, void *all);

#endif
