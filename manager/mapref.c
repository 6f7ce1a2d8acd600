// SPDX-License-Identifier: GPL-2.0-only
/* Resolving the MAP argument of `xdpkit map` into an open map with its BTF, and the program walk it
 * needs. */
#include "mapref.h"
#include "mapref_parse.h"
#include "model.h"
#include "xdpkit.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool xk_map_type_percpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

bool xk_map_type_is_array(__u32 type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

const char *xk_map_type_name(__u32 type)
{
	const char *s = libbpf_bpf_map_type_str(type);

	return s ? s : "unknown";
}

size_t xk_mapref_value_bytes(const struct xk_mapref *m)
{
	return m->percpu ? m->vstride * m->ncpu : m->info.value_size;
}

static int fill_from_fd(int fd, struct xk_mapref *m)
{
	__u32 len = sizeof(m->info);

	m->fd = fd;
	memset(&m->info, 0, sizeof(m->info));
	if (bpf_obj_get_info_by_fd(fd, &m->info, &len))
		return -errno;
	m->btf = NULL;
	if (m->info.btf_id) {
		m->btf = btf__load_from_kernel_by_id(m->info.btf_id);
		if (!m->btf)
			m->btf = NULL; /* no BTF after all: hex fallback */
	}
	m->key =
		(struct xk_vtype){ m->btf, m->btf ? m->info.btf_key_type_id : 0, m->info.key_size };
	m->value = (struct xk_vtype){ m->btf, m->btf ? m->info.btf_value_type_id : 0,
				      m->info.value_size };
	/* A BTF type whose size disagrees with the map's would be read out of bounds: fall back to
	 * hex. */
	if (m->key.id && btf__resolve_size(m->btf, m->key.id) != m->info.key_size)
		m->key.id = 0;
	if (m->value.id && btf__resolve_size(m->btf, m->value.id) != m->info.value_size)
		m->value.id = 0;
	/* Arrays of global variables (.bss, .data) carry no key type; their key is still an index.
	 */
	if (xk_map_type_is_array(m->info.type) && !m->key.id && m->info.key_size == 4) {
		int id;

		if (!m->btf)
			m->btf = btf__new_empty();
		id = m->btf ? btf__add_int(m->btf, "__u32", 4, 0) : -ENOMEM;
		if (id > 0)
			m->key = (struct xk_vtype){ m->btf, (__u32)id, 4 };
		m->value.btf = m->btf;
	}
	m->percpu = xk_map_type_percpu(m->info.type);
	m->ncpu = 1;
	if (m->percpu) {
		m->ncpu = libbpf_num_possible_cpus();
		if (m->ncpu < 1)
			return -EINVAL;
	}
	m->vstride = (m->info.value_size + 7) & ~7U;
	if (!m->name[0])
		snprintf(m->name, sizeof(m->name), "%s", m->info.name);
	return 0;
}

void xk_mapref_close(struct xk_mapref *m)
{
	if (m->fd >= 0)
		close(m->fd);
	btf__free(m->btf);
	m->fd = -1;
	m->btf = NULL;
}

/* Where maps pinned by name are looked for, in this order: the pin root, where tc and `ip ... xdp`
 * pin (tc/globals; xdp/globals is a separate directory once libxdp made /sys/fs/bpf/xdp before
 * iproute2 could make it a link to tc), where xdp-loader and bpftool loadall pin. */
static const char *pin_dir(unsigned int i)
{
	const char *dirs[] = { xk.pin_root, "/sys/fs/bpf/tc/globals", "/sys/fs/bpf/xdp/globals",
			       "/sys/fs/bpf" };

	return i < sizeof(dirs) / sizeof(dirs[0]) ? dirs[i] : NULL;
}

/* Scan one directory (not recursively) for a pin of this map id. */
static bool pin_in_dir(const char *dir, __u32 id, char *path, size_t len)
{
	struct dirent *de;
	bool found = false;
	DIR *d = opendir(dir);

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		char p[PATH_MAX];

		if (de->d_name[0] == '.' || de->d_type == DT_DIR)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (xk_pinned_map_id(p) == id) {
			snprintf(path, len, "%s", p);
			found = true;
		}
	}
	closedir(d);
	return found;
}

void xk_pin_of_map(__u32 id, char *path, size_t len)
{
	unsigned int i;

	path[0] = '\0';
	for (i = 0; pin_dir(i) && !path[0]; i++)
		pin_in_dir(pin_dir(i), id, path, len);
}

int xk_mapref_open_id(__u32 id, struct xk_mapref *m)
{
	int fd = bpf_map_get_fd_by_id(id), err;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (fd < 0)
		return -errno;
	err = fill_from_fd(fd, m);
	if (err) {
		close(fd);
		m->fd = -1;
		return err;
	}
	xk_pin_of_map(id, m->pin, sizeof(m->pin));
	if (m->pin[0])
		snprintf(m->name, sizeof(m->name), "%s", strrchr(m->pin, '/') + 1);
	return 0;
}

static int open_pin(const char *path, struct xk_mapref *m)
{
	int fd = bpf_obj_get(path), err;

	if (fd < 0)
		return -errno;
	if (!xk_fd_is_map(fd)) {
		close(fd);
		return -EBADF;
	}
	snprintf(m->pin, sizeof(m->pin), "%s", path);
	snprintf(m->name, sizeof(m->name), "%s", strrchr(path, '/') + 1);
	err = fill_from_fd(fd, m);
	if (err)
		close(fd);
	return err;
}

/* PROG/MAPNAME: the maps of every program PROG names; they must agree on one map. */
static int open_prog_map(const struct xk_ref *r, struct xk_mapref *m)
{
	const char *arg = r->text, *prog = r->prog, *mname = r->map;
	int *idx = NULL, np, i, j, ret = 0;
	__u32 found = 0, via = 0;
	struct xk_model model;
	char ids[256] = "";

	ret = xk_model_read(&model, XK_MODEL_PROGS | XK_MODEL_IFACES, 0);
	if (ret)
		return xk_error(XK_EXIT_FAIL, "cannot list loaded programs: %s", strerror(-ret));
	idx = calloc(model.nprogs + 1, sizeof(*idx));
	np = idx ? xk_model_match(&model, prog, idx, model.nprogs) : 0;
	if (!np) {
		free(idx);
		xk_model_free(&model);
		return xk_error(
			XK_EXIT_NOTFOUND,
			"no loaded program '%s' (for map '%s'); see 'bpftool prog' or 'xdpkit status'",
			prog, arg);
	}
	for (i = 0; i < np; i++) {
		const struct xk_kprog *p = &model.progs[idx[i]];

		for (j = 0; j < (int)p->nmaps; j++) {
			struct bpf_map_info info;
			__u32 len = sizeof(info);
			int fd = bpf_map_get_fd_by_id(p->map_ids[j]);

			if (fd < 0)
				continue;
			memset(&info, 0, sizeof(info));
			if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
			    xk_kname_matches(info.name, mname)) {
				if (found && found != info.id) {
					snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids),
						 "%s%u", *ids ? ", " : "", info.id);
					ret = XK_EXIT_USAGE;
				} else if (!found) {
					found = info.id;
					via = p->id;
					snprintf(ids, sizeof(ids), "%u", info.id);
				}
			}
			close(fd);
		}
	}
	free(idx);
	xk_model_free(&model);
	if (ret)
		return xk_error(XK_EXIT_USAGE,
				"'%s' names several maps (ids %s): programs named '%s' are loaded "
				"more than once; use PROGID/%s or 'id N'",
				arg, ids, prog, mname);
	if (!found)
		return xk_error(XK_EXIT_NOTFOUND,
				"program '%s' has no map '%s'; 'xdpkit map show %s' lists its maps",
				prog, mname, prog);
	ret = xk_mapref_open_id(found, m);
	if (ret)
		return xk_error(XK_EXIT_FAIL, "cannot open map id %u: %s", found, strerror(-ret));
	m->via_prog = via;
	/* The untruncated name the person typed. */
	if (!m->pin[0] && strlen(mname) > strlen(m->name))
		snprintf(m->name, sizeof(m->name), "%s", mname);
	return 0;
}

/* A bare name: pinned under the pin root, then where iproute2 pins, then where xdp-loader pins;
 * else a loaded map of that name, if there is exactly one. */
static int open_bare(const char *name, struct xk_mapref *m)
{
	char path[PATH_MAX], ids[256] = "";
	__u32 id = 0, found = 0;
	unsigned int i;
	int err, count = 0;

	for (i = 0; pin_dir(i); i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", pin_dir(i), name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		err = open_pin(path, m);
		if (!err)
			return 0;
	}
	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && xk_kname_matches(info.name, name)) {
			if (count++ < 8)
				snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%u",
					 *ids ? ", " : "", info.id);
			found = info.id;
		}
		close(fd);
	}
	if (!count)
		return xk_error(
			XK_EXIT_NOTFOUND,
			"no map '%s': not pinned in %s, /sys/fs/bpf/tc/globals, /sys/fs/bpf/xdp/globals "
			"or /sys/fs/bpf, and no loaded map has that name; see 'xdpkit map show'",
			name, xk.pin_root);
	if (count > 1)
		return xk_error(XK_EXIT_USAGE,
				"'%s' names %d loaded maps (ids %s%s); say which: PROG/%s or 'id N'",
				name, count, ids, count > 8 ? ", ..." : "", name);
	err = xk_mapref_open_id(found, m);
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot open map id %u: %s", found, strerror(-err));
	if (strlen(name) > strlen(m->name))
		snprintf(m->name, sizeof(m->name), "%s", name);
	return 0;
}

int xk_mapref_open(int argc, char **argv, int *argi, struct xk_mapref *m)
{
	struct xk_ref r;
	char msg[512];
	int err;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (xk_ref_parse(argc, argv, argi, &r, msg, sizeof(msg)))
		return xk_error(XK_EXIT_USAGE, "%s", msg);
	err = xk_need_bpffs();
	if (err)
		return err;
	switch (r.kind) {
	case XK_REF_ID:
		err = xk_mapref_open_id(r.id, m);
		if (err == -ENOENT)
			return xk_error(XK_EXIT_NOTFOUND,
					"no map with id %u; see 'xdpkit map show'", r.id);
		if (err)
			return xk_error(XK_EXIT_FAIL, "cannot open map id %u: %s", r.id,
					strerror(-err));
		return 0;
	case XK_REF_PIN: {
		struct stat st;

		if (stat(r.text, &st))
			return xk_error(XK_EXIT_NOTFOUND, "no pinned map at '%s'; check the path",
					r.text);
		if (S_ISDIR(st.st_mode))
			return xk_error(
				XK_EXIT_NOTFOUND,
				"'%s' is a directory, not a pinned map; name a map in it ('ls %s')",
				r.text, r.text);
		err = open_pin(r.text, m);
		if (err == -EBADF)
			return xk_error(XK_EXIT_USAGE,
					"'%s' is pinned but is not a map (a program or link?)",
					r.text);
		if (err)
			return xk_error(XK_EXIT_FAIL, "cannot open pinned map '%s': %s", r.text,
					strerror(-err));
		return 0;
	}
	case XK_REF_PROG:
		return open_prog_map(&r, m);
	case XK_REF_NAME:
		break;
	}
	return open_bare(r.text, m);
}
