/* The <map>_entries convention: a config value field named after a map counts that map's entries,
 * so a BPF program can skip an empty map (blocklist skips its LPM tries). Found by BTF field name,
 * no hand-kept list. */
#include "map_entries.h"

#include <bpf/btf.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

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

/* Offset and size of the field of cfg's value that counts m, if it has one. */
static bool counter_field(const struct xk_mapref *cfg, const struct xk_mapref *m, __u32 *off,
			  __u32 *size)
{
	const struct btf_type *t, *mt;
	int i;

	if (!cfg->btf || !cfg->value.id)
		return false;
	t = btf__type_by_id(cfg->btf, xk_btf_skip_mods(cfg->btf, cfg->value.id));
	if (!t || !btf_is_struct(t))
		return false;
	for (i = 0; i < btf_vlen(t); i++) {
		const char *name = btf__name_by_offset(cfg->btf, btf_members(t)[i].name_off);
		size_t nl = strlen(name), sl = strlen("_entries");
		char prefix[256];

		if (nl <= sl || nl - sl >= sizeof(prefix) || strcmp(name + nl - sl, "_entries"))
			continue;
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(nl - sl), name);
		if (strcmp(prefix, m->name) && !xk_kname_matches(m->info.name, prefix))
			continue;
		mt = btf__type_by_id(cfg->btf, xk_btf_skip_mods(cfg->btf, btf_members(t)[i].type));
		if (!mt || !btf_is_int(mt) || mt->size > 8 || btf_member_bitfield_size(t, i))
			continue;
		*off = btf_member_bit_offset(t, i) / 8;
		*size = mt->size;
		return true;
	}
	return false;
}

/* Rewrite the field in every element (and every CPU copy) of the config map. */
static int rewrite(const struct xk_mapref *cfg, __u32 off, __u32 size, bool add, long v)
{
	size_t vb = xk_mapref_value_bytes(cfg);
	__u8 *key = calloc(1, cfg->info.key_size), *next = calloc(1, cfg->info.key_size),
	     *val = malloc(vb);
	int err = 0, cpu;
	bool first = true;

	if (!key || !next || !val) {
		err = -ENOMEM;
		goto out;
	}
	while (!bpf_map_get_next_key(cfg->fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, cfg->info.key_size);
		if (bpf_map_lookup_elem(cfg->fd, key, val))
			continue;
		for (cpu = 0; cpu < cfg->ncpu; cpu++) {
			__u8 *p = val + (size_t)cpu * cfg->vstride + off;
			__u64 old = 0, nv;

			memcpy(&old, p, size); /* little-endian: low bytes */
			nv = add ? ((long)old + v < 0 ? 0 : old + v) : (__u64)v;
			memcpy(p, &nv, size);
		}
		if (bpf_map_update_elem(cfg->fd, key, val, BPF_EXIST)) {
			err = -errno;
			break;
		}
	}
out:
	free(key);
	free(next);
	free(val);
	return err;
}

static void add_id(__u32 *ids, int *n, int max, __u32 id)
{
	int i;

	for (i = 0; i < *n; i++)
		if (ids[i] == id)
			return;
	if (*n < max)
		ids[(*n)++] = id;
}

static int for_each_counter(const struct xk_mapref *m, bool add, long v)
{
	__u32 ids[256];
	struct xk_prog *progs = NULL;
	int n = 0, np, i, j, changed = 0, err;

	/* Siblings by pin directory: the config map of the same program sits next to it. */
	if (m->pin[0]) {
		char dir[PATH_MAX];
		struct dirent *de;
		DIR *d;

		snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(m->pin, '/') - m->pin), m->pin);
		d = opendir(dir);
		while (d && (de = readdir(d))) {
			struct bpf_map_info info;
			__u32 len = sizeof(info);
			char p[PATH_MAX + 256];
			int fd;

			if (de->d_name[0] == '.' || de->d_type == DT_DIR)
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			fd = bpf_obj_get(p);
			if (fd < 0)
				continue;
			memset(&info, 0, sizeof(info));
			if (xk_fd_is_map(fd) && !bpf_obj_get_info_by_fd(fd, &info, &len))
				add_id(ids, &n, 256, info.id);
			close(fd);
		}
		if (d)
			closedir(d);
	}
	/* Siblings by program: the maps of every program that uses m. */
	np = xk_progs_load(&progs);
	for (i = 0; i < np; i++) {
		bool uses = false;

		for (j = 0; j < (int)progs[i].nmaps; j++)
			uses |= progs[i].map_ids[j] == m->info.id;
		for (j = 0; uses && j < (int)progs[i].nmaps; j++)
			add_id(ids, &n, 256, progs[i].map_ids[j]);
	}
	free(progs);

	for (i = 0; i < n; i++) {
		struct xk_mapref cfg;
		__u32 off, size;

		if (ids[i] == m->info.id || xk_mapref_open_id(ids[i], &cfg))
			continue;
		if (counter_field(&cfg, m, &off, &size)) {
			if (!add && v < 0)
				v = xk_map_count(m); /* counted only when someone keeps count */
			err = !add && v < 0 ? (int)v : rewrite(&cfg, off, size, add, v);
			if (err) {
				xk_mapref_close(&cfg);
				return err;
			}
			changed++;
		}
		xk_mapref_close(&cfg);
	}
	return changed;
}

int xk_entries_adjust(const struct xk_mapref *m, int delta)
{
	return for_each_counter(m, true, delta);
}

int xk_entries_recount(const struct xk_mapref *m)
{
	return for_each_counter(m, false, -1);
}
