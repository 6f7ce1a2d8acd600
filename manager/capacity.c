// SPDX-License-Identifier: GPL-2.0-only
/* Map capacity at attach time (--capacity MAP=N), and pins made with another size than the
 * object's. libbpf reuses a pin only when its max_entries equals the object's (and `ip`, `tc`,
 * xdp-loader refuse it otherwise), so the size is settled before the load: the one asked for, or,
 * when nobody asks, the one the pin already has. */
#include "capacity.h"
#include "number.h"
#include "xdpkit.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The kernel caps hash tables at 2^31 entries; tries take any u32, but no more is sensible. */
#define CAPACITY_LIMIT (1u << 31)

int xk_capacity_parse(struct xk_capacity *cap, const char *arg)
{
	const char *p = arg;

	while (*p) {
		const char *eq = strchr(p, '='), *end = strchr(p, ',');
		size_t name_len;
		__u64 v;
		int i;

		if (!end)
			end = p + strlen(p);
		if (!eq || eq > end || eq == p)
			return xk_error(XK_EXIT_USAGE,
					"--capacity '%s' is not MAP=ENTRIES (e.g. blocklist_v4=1048576)",
					arg);
		name_len = eq - p;
		if (name_len >= sizeof(cap->want[0].map))
			return xk_error(XK_EXIT_USAGE, "--capacity: map name '%.*s' is too long",
					(int)name_len, p);
		if (xk_num_u64(eq + 1, end - eq - 1, XK_NUM_HEX, CAPACITY_LIMIT, &v) || !v)
			return xk_error(
				XK_EXIT_USAGE,
				"--capacity %.*s: '%.*s' is not a number of entries from 1 to %u",
				(int)name_len, p, (int)(end - eq - 1), eq + 1, CAPACITY_LIMIT);
		for (i = 0; i < cap->n; i++)
			if (strlen(cap->want[i].map) == name_len &&
			    !strncmp(cap->want[i].map, p, name_len))
				return xk_error(XK_EXIT_USAGE, "--capacity names map '%.*s' twice",
						(int)name_len, p);
		if (cap->n >= XK_CAPACITY_MAX)
			return xk_error(XK_EXIT_USAGE, "--capacity: at most %d maps",
					XK_CAPACITY_MAX);
		snprintf(cap->want[cap->n].map, sizeof(cap->want[0].map), "%.*s", (int)name_len, p);
		cap->want[cap->n].entries = v;
		cap->want[cap->n].used = false;
		cap->n++;
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* Map types whose max_entries is how much they can hold, not what their keys mean (an array's
 * size is its index range). */
static bool is_capacity(enum bpf_map_type t)
{
	switch (t) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return true;
	default:
		return false;
	}
}

/* The pin's parameters; false when there is no pin (or it cannot be read: the load will say). */
static bool pin_info(const char *path, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);
	int fd = path ? bpf_obj_get(path) : -1;
	bool ok;

	if (fd < 0)
		return false;
	memset(info, 0, sizeof(*info));
	ok = !bpf_obj_get_info_by_fd(fd, info, &len);
	close(fd);
	return ok;
}

static int apply_one(struct bpf_map *m, const char *word, struct xk_capacity *cap)
{
	const char *name = bpf_map__name(m), *path = bpf_map__pin_path(m);
	struct bpf_map_info pin;
	__u32 want = 0;
	bool pinned;
	int i, err;

	for (i = 0; cap && i < cap->n; i++)
		if (!strcmp(cap->want[i].map, name)) {
			cap->want[i].used = true;
			want = cap->want[i].entries;
		}
	if (want && !is_capacity(bpf_map__type(m)))
		return xk_error(
			XK_EXIT_USAGE,
			"--capacity %s: map '%s' of '%s' is of type %s, whose size is its index range, not a capacity",
			name, name, word, libbpf_bpf_map_type_str(bpf_map__type(m)));
	pinned = pin_info(path, &pin);
	if (pinned && want && pin.max_entries != want) {
		xk_error(XK_EXIT_FAIL,
			 "pinned map %s holds %u entries, not the %u that --capacity asks for; a map keeps the size it was made with: attach without --capacity %s to use it as it is, or move its rules to a new map (see the hint)",
			 path, pin.max_entries, want, name);
		xk_hint("xdpkit map dump %s > rules.txt; detach every program that uses it; rm %s; attach again with --capacity %s=%u; xdpkit map load %s rules.txt",
			path, path, name, want, path);
		return XK_EXIT_FAIL;
	}
	/* Nobody asks: a hash or trie pinned with another size (an earlier --capacity, or bpftool
	 * map create) is the operator's choice, so keep it; another type or key, or an array of
	 * another length, is the object's business (the pin check after this names it). */
	if (pinned && !want && is_capacity(bpf_map__type(m)) && pin.type == bpf_map__type(m) &&
	    pin.key_size == bpf_map__key_size(m) && pin.value_size == bpf_map__value_size(m) &&
	    pin.map_flags == bpf_map__map_flags(m))
		want = pin.max_entries;
	if (!want || want == bpf_map__max_entries(m))
		return 0;
	err = bpf_map__set_max_entries(m, want);
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot size map '%s' of '%s' to %u entries: %s",
				name, word, want, strerror(-err));
	return 0;
}

int xk_capacity_apply(struct bpf_object *obj, const char *word, struct xk_capacity *cap)
{
	struct bpf_map *m;
	int err;

	bpf_object__for_each_map(m, obj) {
		err = apply_one(m, word, cap);
		if (err)
			return err;
	}
	return 0;
}

int xk_capacity_check_used(const struct xk_capacity *cap, const char *what)
{
	int i;

	for (i = 0; i < cap->n; i++)
		if (!cap->want[i].used)
			return xk_error(
				XK_EXIT_USAGE,
				"--capacity names map '%s', and no map of %s has that name; 'bpftool btf dump file OBJ' lists an object's maps",
				cap->want[i].map, what);
	return 0;
}

void xk_capacity_full_hint(const char *map, __u32 max_entries)
{
	xk_hint("a map keeps the size it was made with (%u entries here); for a bigger one: xdpkit map dump %s > rules.txt, detach, remove its pin, attach with --capacity %s=%u, xdpkit map load %s rules.txt (docs/blocklist.md, \"Capacity\")",
		max_entries, map, map,
		max_entries * 2 > max_entries ? max_entries * 2 : max_entries, map);
}
