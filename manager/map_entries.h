/* SPDX-License-Identifier: GPL-2.0-only */
/* How many entries a map holds. */
#ifndef XDPKIT_MAP_ENTRIES_H
#define XDPKIT_MAP_ENTRIES_H

#include "mapref.h"

/* Entries in a map, by walking its keys; -errno on failure. */
long xk_map_count(const struct xk_mapref *m);

#endif
