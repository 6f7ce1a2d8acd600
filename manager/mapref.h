/* SPDX-License-Identifier: GPL-2.0-only */
/* Naming a map on the command line (pin path, PROG/MAPNAME, bare name, `id N`) and finding loaded
 * programs. */
#ifndef XDPKIT_MAPREF_H
#define XDPKIT_MAPREF_H

#include "btf_text.h"
#include "mapref_parse.h"

#include <bpf/bpf.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdbool.h>

/* An open map with everything the verbs need to read and write it by type. */
struct xk_mapref {
	int fd;
	struct bpf_map_info info;
	struct btf *btf; /* NULL when the map has no BTF: keys and values are hex bytes */
	struct xk_vtype key, value;
	char name[PATH_MAX]; /* full name: the pin's file name when pinned, else the kernel's (max
				15 chars) */
	char pin[PATH_MAX];  /* pin path when known, "" otherwise */
	bool percpu;
	int ncpu; /* copies of a value the kernel hands out: possible CPUs for per-CPU maps, else 1
		   */
	size_t vstride; /* bytes between per-CPU copies (value size rounded up to 8) */
	__u32 via_prog; /* the program it was named through (PROG/MAP), 0 otherwise */
};

/* MAP from argv[*argi] (and argv[*argi + 1] for `id N`); advances *argi past it. Returns 0, or an
 * enum xk_exit after printing one line that names the map and the fix. */
int xk_mapref_open(int argc, char **argv, int *argi, struct xk_mapref *m);
/* The same from a map id (used by `show`); quiet, returns 0 or -errno. */
int xk_mapref_open_id(__u32 id, struct xk_mapref *m);
void xk_mapref_close(struct xk_mapref *m);
/* Total bytes of one value as the syscalls exchange it (all CPUs). */
size_t xk_mapref_value_bytes(const struct xk_mapref *m);
bool xk_map_type_percpu(__u32 type);
bool xk_map_type_is_array(__u32 type);
const char *xk_map_type_name(__u32 type);

/* Pin path of a map id: scans the pin root, /sys/fs/bpf/tc/globals, /sys/fs/bpf/xdp/globals and
 * /sys/fs/bpf. "" when unpinned. */
void xk_pin_of_map(__u32 id, char *path, size_t len);

#endif
