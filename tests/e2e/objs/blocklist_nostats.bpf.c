// SPDX-License-Identifier: GPL-2.0
/* blocklist rebuilt another way, for the attach tests: the same source without its verdict
 * counting (-DXK_NO_STATS, as the benchmarks build it), so the same program names (blocklist,
 * blocklist_tc) and rule maps, other instructions: another tag. */
#define XK_NO_STATS 1
#include "../../../progs/blocklist.bpf.c"
