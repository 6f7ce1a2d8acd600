// SPDX-License-Identifier: GPL-2.0-only
/* Is a running program the same as the one an object loads? The kernel's tag is a hash of the
 * instructions as loaded, after libbpf's CO-RE relocations (so it is only known once loaded, and
 * the same object gives the same tag on the same kernel) and with map references blanked out (so
 * it says nothing of the maps, nor of the read-only data the program reads through them: .rodata,
 * where the multi-buffer switch lives, and .kconfig). Two copies are the same program when their
 * names, tags and read-only data are the same. Writable data (.data, .bss) is the program's own
 * state, not part of what it is. */
#include "replace.h"
#include "mapref_parse.h"
#include "xdpkit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

bool xk_copy_named(__u32 id, const struct bpf_program *prog, struct xk_kprog *kp)
{
	memset(kp, 0, sizeof(*kp));
	if (xk_kprog_read(id, kp))
		return false;
	return xk_kname_matches(kp->name, bpf_program__name(prog));
}

static int map_info(__u32 id, int *fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	*fd = bpf_map_get_fd_by_id(id);
	if (*fd < 0)
		return -errno;
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(*fd, info, &len)) {
		close(*fd);
		return -errno;
	}
	return 0;
}

int xk_obj_take_maps(struct xk_obj *o, __u32 id, const char *ifname)
{
	struct bpf_map_info info;
	struct xk_kprog kp;
	struct bpf_map *m;
	int err, fd;
	__u32 i;

	err = xk_kprog_read(id, &kp);
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot read program %u on %s: %s", id, ifname,
				strerror(-err));
	bpf_object__for_each_map(m, o->obj) {
		if (!bpf_map__pin_path(m))
			continue; /* not pinned by name: the new copy's own */
		for (i = 0; i < kp.nmaps; i++) {
			if (map_info(kp.map_ids[i], &fd, &info))
				continue;
			if (xk_kname_matches(info.name, bpf_map__name(m)))
				break;
			close(fd);
		}
		if (i == kp.nmaps)
			continue; /* the running copy has none: pinned as usual */
		if (info.type != bpf_map__type(m) || info.key_size != bpf_map__key_size(m) ||
		    info.value_size != bpf_map__value_size(m) ||
		    info.map_flags != bpf_map__map_flags(m)) {
			close(fd);
			xk_kprog_free(&kp);
			return xk_error(
				XK_EXIT_FAIL,
				"map '%s' of %s (id %u) on %s has another layout than in %s (running: %s, key %u, value %u, flags 0x%x; object: %s, key %u, value %u, flags 0x%x), so the new copy cannot take over its rules; detach it, move the rules and attach again",
				bpf_map__name(m), kp.name, id, ifname, o->path,
				libbpf_bpf_map_type_str(info.type), info.key_size, info.value_size,
				info.map_flags, libbpf_bpf_map_type_str(bpf_map__type(m)),
				bpf_map__key_size(m), bpf_map__value_size(m),
				bpf_map__map_flags(m));
		}
		/* The running copy's map, as it is (its size too), pinned where it is. */
		err = bpf_map__reuse_fd(m, fd);
		if (!err)
			err = bpf_map__set_pin_path(m, NULL);
		close(fd);
		if (err) {
			xk_kprog_free(&kp);
			return xk_error(XK_EXIT_FAIL,
					"cannot give map '%s' of %s to the new copy: %s",
					bpf_map__name(m), o->path, strerror(-err));
		}
	}
	xk_kprog_free(&kp);
	return 0;
}

/* The read-only maps (BPF_F_RDONLY_PROG: .rodata, .rodata.*, .kconfig) a program uses, each named
 * by what follows the object's name ("blocklis.rodata" -> ".rodata": another file name gives
 * another prefix), with its value. */
struct rodata {
	char name[BPF_OBJ_NAME_LEN];
	void *value;
	__u32 size;
};

static void rodata_free(struct rodata *r, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(r[i].value);
	free(r);
}

static int rodata_read(const struct xk_kprog *p, struct rodata **out, int *n)
{
	struct rodata *r = calloc(p->nmaps + 1, sizeof(*r));
	struct bpf_map_info info;
	__u32 i, zero = 0;
	const char *dot;
	int fd, err = 0;

	*n = 0;
	if (!r)
		return -ENOMEM;
	for (i = 0; i < p->nmaps && !err; i++) {
		if (map_info(p->map_ids[i], &fd, &info))
			continue;
		if ((info.map_flags & BPF_F_RDONLY_PROG) && info.type == BPF_MAP_TYPE_ARRAY &&
		    info.max_entries == 1) {
			dot = strchr(info.name, '.');
			snprintf(r[*n].name, sizeof(r[*n].name), "%s", dot ? dot : info.name);
			r[*n].size = info.value_size;
			r[*n].value = calloc(1, info.value_size ? info.value_size : 1);
			if (!r[*n].value)
				err = -ENOMEM;
			else if (bpf_map_lookup_elem(fd, &zero, r[*n].value))
				err = -errno;
			(*n)++;
		}
		close(fd);
	}
	if (err) {
		rodata_free(r, *n);
		return err;
	}
	*out = r;
	return 0;
}

/* Compare the read-only data; frags_off: where the multi-buffer switch lies in .rodata (-1 none). */
static enum xk_sameness rodata_compare(struct rodata *a, int na, struct rodata *b, int nb,
				       int frags_off)
{
	enum xk_sameness how = XK_SAME;
	int i, j;

	if (na != nb)
		return XK_OTHER_RODATA;
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && strcmp(a[i].name, b[j].name); j++)
			;
		if (j == nb || a[i].size != b[j].size)
			return XK_OTHER_RODATA;
		if (!memcmp(a[i].value, b[j].value, a[i].size))
			continue;
		/* The switch alone? Then both are the same but for how multi-buffer frames count. */
		if (strcmp(a[i].name, ".rodata") || frags_off < 0 ||
		    (__u32)frags_off + sizeof(__u32) > a[i].size ||
		    memcmp(a[i].value, b[j].value, frags_off) ||
		    memcmp((char *)a[i].value + frags_off + sizeof(__u32),
			   (char *)b[j].value + frags_off + sizeof(__u32),
			   a[i].size - frags_off - sizeof(__u32)))
			return XK_OTHER_RODATA;
		how = XK_OTHER_FRAGS;
	}
	return how;
}

int xk_prog_compare(int new_fd, __u32 id, struct bpf_object *obj, enum xk_sameness *how)
{
	struct bpf_prog_info info = {};
	struct rodata *ra = NULL, *rb = NULL;
	struct xk_kprog mine, theirs;
	__u32 len = sizeof(info);
	int na = 0, nb = 0, err;

	if (bpf_obj_get_info_by_fd(new_fd, &info, &len))
		return -errno;
	err = xk_kprog_read(info.id, &mine);
	if (err)
		return err;
	err = xk_kprog_read(id, &theirs);
	if (err) {
		xk_kprog_free(&mine);
		return err;
	}
	if (strcmp(mine.tag, theirs.tag)) {
		*how = XK_OTHER_INSNS;
		goto out;
	}
	err = rodata_read(&mine, &ra, &na);
	if (!err)
		err = rodata_read(&theirs, &rb, &nb);
	if (!err)
		*how = rodata_compare(ra, na, rb, nb, xk_obj_frags_knob_offset(obj));
out:
	if (ra)
		rodata_free(ra, na);
	if (rb)
		rodata_free(rb, nb);
	xk_kprog_free(&mine);
	xk_kprog_free(&theirs);
	return err;
}
