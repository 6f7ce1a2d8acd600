/* SPDX-License-Identifier: GPL-2.0-only */
/* xdpkit apply and save: a YAML file that says what runs on which interface and which rules the
 * maps hold (apply_conf.c reads it), the difference from what runs (apply_plan.c), and the changes
 * that make it so, undone on failure (apply.c, apply_maps.c). */
#ifndef XDPKIT_APPLY_H
#define XDPKIT_APPLY_H

#include "hooks.h"
#include "mapref.h"

#include <stdbool.h>
#include <stdio.h>
#include <net/if.h>

/* One program on a hook as the file names it. */
struct xk_conf_prog {
	char *word; /* collection name or object path */
	long prio;  /* -1: the object's own (XDP) or the kernel's choice (TC) */
	int line;
};

/* A hook the file lists: the programs that must run there, and only those. */
struct xk_conf_hook {
	bool listed;
	struct xk_conf_prog *progs;
	int n;
	int line;
};

#define XK_HOOK_XDP 0
#define XK_HOOK_INGRESS 1
#define XK_HOOK_EGRESS 2
#define XK_NHOOKS 3

struct xk_conf_iface {
	char name[IF_NAMESIZE];
	char *netns; /* NULL: the namespace xdpkit runs in */
	enum xdp_attach_mode mode;
	bool mode_set;
	struct xk_conf_hook hook[XK_NHOOKS];
	int line;
};

/* One rule of a map: "KEY [VALUE]" as `map set` takes it, and where it was written. */
struct xk_conf_entry {
	char *text;
	const char *file; /* the YAML file, or the rules file of `file:` */
	int line;
};

struct xk_conf_map {
	char *name;
	__u32 capacity;	  /* 0: none asked */
	bool has_entries; /* entries: or file: given: the map holds exactly these */
	struct xk_conf_entry *entries;
	size_t n;
	char *file;
	int line, cap_line;
};

struct xk_conf {
	const char *path;
	struct xk_conf_iface *ifs;
	int nifs;
	struct xk_conf_map *maps;
	int nmaps;
};

/* Read and check path (structure, names, programs that exist). 0, or XK_EXIT_USAGE after one line
 * "FILE:LINE: what is wrong" (XK_EXIT_NOTFOUND when the file cannot be read). */
int xk_conf_read(const char *path, struct xk_conf *c);
/* The same from an open stream; path names it in messages. */
int xk_conf_read_stream(FILE *f, const char *path, struct xk_conf *c);
void xk_conf_free(struct xk_conf *c);
/* One line "FILE:LINE: text" (control characters of the file's text shown as '?'). */
void xk_conf_error(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Send those lines to f instead of stderr (NULL: stderr again); for the fuzzer. */
void xk_conf_errors_to(FILE *f);
const char *xk_hook_name(int hook); /* "xdp", "tc ingress", "tc egress" */

/* ---- maps (apply_maps.c) ---- */

struct rule;

/* One map's rules, parsed by its types, and what changes. */
struct xk_map_plan {
	const struct xk_conf_map *cm;
	struct xk_mapref m; /* the pinned map; fd < 0 when an attach of this apply makes it */
	bool pinned;
	struct xk_vtype key, value; /* m's, or the object's when not pinned yet */
	__u32 key_size, value_size, max_entries;
	bool is_array;
	struct xk_obj obj; /* the object whose BTF gives the types until the map is pinned */
	bool have_obj;
	struct rule *rules; /* per key: the entry and its value text */
	/* Parsed rules: keys, and each one's value (NULL text: keep a present key as it is). */
	__u8 *keys;
	size_t n;
	/* The diff, as indexes into keys (add, change) and old keys to delete. */
	size_t *add, nadd, *chg, nchg;
	__u8 *del;
	size_t ndel;
	__u8 *newvals; /* value bytes (all CPUs) to write for add[] then chg[] */
	__u8 *oldvals; /* chg's old values, then del's, for the rollback */
	size_t written_add, written_chg, written_del;
};

/* Resolve each map's types (its pin under the pin root, else a map of that name in an object
 * the file attaches) and parse every rule: 0, or XK_EXIT_USAGE after "FILE:LINE: ...". */
int xk_map_plans_parse(const struct xk_conf *c, struct xk_map_plan **plans);
/* Compare with what the maps hold now. 0 or an exit code after printing. */
int xk_map_plan_diff(struct xk_map_plan *p);
/* Print the diff lines ("+ MAP KEY", "- MAP KEY", "~ MAP KEY"; summarised when many); returns
 * the number of changes. */
size_t xk_map_plan_print(const struct xk_map_plan *p);
/* Write the diff (the map must be pinned by now). 0 or an exit code after printing. */
int xk_map_plan_exec(struct xk_map_plan *p);
/* Undo what xk_map_plan_exec wrote. Returns how many entries could not be put back. */
int xk_map_plan_undo(struct xk_map_plan *p);
void xk_map_plans_free(struct xk_map_plan *plans, int n);

#endif
