/* Resolving the MAP argument of `xdpkit map` into an open map with its BTF, and the program walk it
 * needs. */
#include "mapref.h"
#include "mapref_parse.h"
#include "progwalk.h"
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

bool xk_fd_is_map(int fd)
{
	char path[64], line[128];
	bool map = false;
	FILE *f;

	/* bpf_obj_get() hands back maps, programs and links alike; fdinfo tells them apart. */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "map_type:", 9))
			map = true;
	fclose(f);
	return map;
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
	m->key = (struct xk_vtype){m->btf, m->btf ? m->info.btf_key_type_id : 0, m->info.key_size};
	m->value =
	    (struct xk_vtype){m->btf, m->btf ? m->info.btf_value_type_id : 0, m->info.value_size};
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
			m->key = (struct xk_vtype){m->btf, (__u32)id, 4};
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

/* Scan one directory (not recursively) for a pin of this map id. */
static bool pin_in_dir(const char *dir, __u32 id, char *path, size_t len)
{
	struct bpf_map_info info;
	struct dirent *de;
	bool found = false;
	DIR *d = opendir(dir);

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		char p[PATH_MAX];
		__u32 ilen = sizeof(info);
		int fd;

		if (de->d_name[0] == '.' || de->d_type == DT_DIR)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		fd = bpf_obj_get(p);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (xk_fd_is_map(fd) && !bpf_obj_get_info_by_fd(fd, &info, &ilen) &&
		    info.id == id) {
			snprintf(path, len, "%s", p);
			found = true;
		}
		close(fd);
	}
	closedir(d);
	return found;
}

void xk_pin_of_map(__u32 id, char *path, size_t len)
{
	path[0] = '\0';
	if (pin_in_dir(xk.pin_root, id, path, len))
		return;
	if (pin_in_dir("/sys/fs/bpf/tc/globals", id, path, len))
		return;
	pin_in_dir("/sys/fs/bpf", id, path, len);
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

int xk_progs_load(struct xk_prog **out)
{
	struct xk_prog *v = NULL;
	__u32 id = 0;
	int n = 0, cap = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		struct xk_prog *p;
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue; /* gone meanwhile */
		if (n == cap) {
			struct xk_prog *nv = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof(*v));

			if (!nv) {
				close(fd);
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		p = &v[n];
		memset(p, 0, sizeof(*p));
		memset(&info, 0, sizeof(info));
		info.nr_map_ids = sizeof(p->map_ids) / sizeof(p->map_ids[0]);
		info.map_ids = (__u64)(unsigned long)p->map_ids;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			int i;

			p->id = info.id;
			p->type = info.type;
			snprintf(p->name, sizeof(p->name), "%s", info.name);
			for (i = 0; i < BPF_TAG_SIZE; i++)
				snprintf(p->tag + 2 * i, 3, "%02x", info.tag[i]);
			p->nmaps = info.nr_map_ids < sizeof(p->map_ids) / sizeof(p->map_ids[0])
				       ? info.nr_map_ids
				       : sizeof(p->map_ids) / sizeof(p->map_ids[0]);
			n++;
		}
		close(fd);
	}
	*out = v;
	return n;
}

int xk_progs_match(const struct xk_prog *progs, int n, const char *what, int *idx, int max)
{
	struct xk_attached *at = NULL;
	__u32 id;
	bool byid = xk_ref_prog_id(what, &id);
	int i, k, found = 0, na;

	for (i = 0; i < n && found < max; i++) {
		if (byid ? progs[i].id == id : xk_kname_matches(progs[i].name, what))
			idx[found++] = i;
	}
	if (found < 2)
		return found;
	/* A name loaded several times (other namespaces, other tests): the copies attached here
	 * win. */
	na = xk_attached_list(0, &at);
	for (i = 0, k = 0; i < found && na > 0; i++) {
		int j;

		for (j = 0; j < na; j++)
			if (at[j].prog_id == progs[idx[i]].id) {
				idx[k++] = idx[i];
				break;
			}
	}
	free(at);
	return k ? k : found;
}

/* PROG/MAPNAME: the maps of every program PROG names; they must agree on one map. */
static int open_prog_map(const struct xk_ref *r, struct xk_mapref *m)
{
	const char *arg = r->text, *prog = r->prog, *mname = r->map;
	struct xk_prog *progs = NULL;
	int idx[64], n, np, i, j, ret = 0;
	__u32 found = 0, via = 0;
	char ids[256] = "";

	n = xk_progs_load(&progs);
	if (n < 0)
		return xk_error(XK_EXIT_FAIL, "cannot list loaded programs: %s", strerror(-n));
	np = xk_progs_match(progs, n, prog, idx, 64);
	if (!np) {
		free(progs);
		return xk_error(
		    XK_EXIT_NOTFOUND,
		    "no loaded program '%s' (for map '%s'); see 'bpftool prog' or 'xdpkit status'",
		    prog, arg);
	}
	for (i = 0; i < np; i++) {
		const struct xk_prog *p = &progs[idx[i]];

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
	free(progs);
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
	const char *dirs[] = {xk.pin_root, "/sys/fs/bpf/tc/globals", "/sys/fs/bpf"};
	char path[PATH_MAX], ids[256] = "";
	__u32 id = 0, found = 0;
	unsigned int i;
	int err, count = 0;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
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
		    "no map '%s': not pinned in %s, /sys/fs/bpf/tc/globals or /sys/fs/bpf, and no "
		    "loaded map has that name; see 'xdpkit map show'",
		    name, xk.pin_root);
	if (count > 1)
		return xk_error(
		    XK_EXIT_USAGE,
		    "'%s' names %d loaded maps (ids %s%s); say which: PROG/%s or 'id N'", name,
		    count, ids, count > 8 ? ", ..." : "", name);
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
			return xk_error(XK_EXIT_NOTFOUND, "no map with id %u; see 'xdpkit map show'",
					r.id);
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
			return xk_error(XK_EXIT_NOTFOUND,
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
