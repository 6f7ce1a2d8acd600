/* SPDX-License-Identifier: GPL-2.0-only */
/* Map capacity chosen at attach time: `--capacity MAP=N` sizes a map before the object is loaded,
 * and a pin made earlier with another size is taken as it is (or refused when it contradicts an
 * explicit --capacity), so an operator picks a map's size without rebuilding the object. */
#ifndef XDPKIT_CAPACITY_H
#define XDPKIT_CAPACITY_H

#include <stdbool.h>
#include <linux/types.h>
#include <bpf/libbpf.h>

#define XK_CAPACITY_MAX 16

/* The sizes asked for on the command line; `used` tells which ones an object had a map for. */
struct xk_capacity {
	int n;
	struct {
		char map[64];
		__u32 entries;
		bool used;
	} want[XK_CAPACITY_MAX];
};

/* Add "MAP=N[,MAP=N...]" (one --capacity argument) to cap. 0, or XK_EXIT_USAGE after one line. */
int xk_capacity_parse(struct xk_capacity *cap, const char *arg);

/* Before bpf_object__load(obj) (object opened with its pin root): give each map the size asked for
 * in cap (NULL: none), and each map already pinned the size of its pin. word names the object in
 * messages. 0, or an exit code after one line saying which map, which pin and what to do. */
int xk_capacity_apply(struct bpf_object *obj, const char *word, struct xk_capacity *cap);

/* After every object had its turn: XK_EXIT_USAGE (after one line) when a --capacity named a map
 * that none of them has. */
int xk_capacity_check_used(const struct xk_capacity *cap, const char *what);

/* After a write refused because map is full (E2BIG): the hint on how to get a bigger one. */
void xk_capacity_full_hint(const char *map, __u32 max_entries);

#endif
