// SPDX-License-Identifier: GPL-2.0-only
/* Multi-buffer XDP (jumbo MTU): does the kernel have it, does an object declare it for a program,
 * and switching it on for a load. Plain libbpf, no manager state: the unit tests link it too. */
#include "hooks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

#ifndef BPF_F_XDP_HAS_FRAGS
#define BPF_F_XDP_HAS_FRAGS (1U << 5)
#endif

#define FRAGS_SEC "xdp.frags"
#define FRAGS_SUFFIX "_frags"
/* The read-only switch in include/xdpkit/stats.bpf.h. */
#define FRAGS_KNOB "xk_xdp_frags"

static bool is_frags_section(const struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p);

	return !strncmp(sec, FRAGS_SEC, strlen(FRAGS_SEC)) &&
	       (!sec[strlen(FRAGS_SEC)] || sec[strlen(FRAGS_SEC)] == '/');
}

struct bpf_program *xk_obj_xdp_entry(struct bpf_object *obj)
{
	struct bpf_program *p, *frags_only = NULL;

	bpf_object__for_each_program(p, obj) {
		if (bpf_program__type(p) != BPF_PROG_TYPE_XDP)
			continue;
		if (!is_frags_section(p))
			return p;
		if (!frags_only)
			frags_only = p;
	}
	return frags_only;
}

bool xk_prog_declares_frags(struct bpf_object *obj, const struct bpf_program *prog)
{
	const char *name = bpf_program__name(prog);
	size_t len = strlen(name);
	struct bpf_program *p;

	if (is_frags_section(prog))
		return true;
	/* The twin: NAME_frags in section xdp.frags, built from the same body. */
	bpf_object__for_each_program(p, obj) {
		const char *twin = bpf_program__name(p);

		if (bpf_program__type(p) == BPF_PROG_TYPE_XDP && is_frags_section(p) &&
		    !strncmp(twin, name, len) && !strcmp(twin + len, FRAGS_SUFFIX))
			return true;
	}
	return false;
}

int xk_xdp_frags_supported(void)
{
	/* r0 = XDP_PASS; exit */
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .prog_flags = BPF_F_XDP_HAS_FRAGS,
		    .expected_attach_type = BPF_XDP);
	static int cached = -1;
	int fd;

	if (cached >= 0)
		return cached;
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xk_frags_probe", "GPL", insns, 2, &opts);
	cached = fd >= 0;
	if (fd >= 0)
		close(fd);
	return cached;
}

/* Where variable name lies in the object's .rodata, or -ENOENT. */
static int rodata_offset(struct bpf_object *obj, const char *name, __u32 *size)
{
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	int id, i;

	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, var->name_off), name)) {
			*size = vs->size;
			return (int)vs->offset;
		}
	}
	return -ENOENT;
}

int xk_obj_frags_knob_offset(struct bpf_object *obj)
{
	__u32 size;
	int off = rodata_offset(obj, FRAGS_KNOB, &size);

	return off >= 0 && size != sizeof(__u32) ? -EINVAL : off;
}

int xk_obj_frags_knob(struct bpf_object *obj, bool on)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, ".rodata");
	__u32 val = on, size;
	const void *image;
	size_t map_size;
	char *copy;
	int off, err;

	off = rodata_offset(obj, FRAGS_KNOB, &size);
	if (off < 0 || !map)
		return -ENOENT; /* an object that counts its own way */
	image = bpf_map__initial_value(map, &map_size);
	if (size != sizeof(val) || !image || off + sizeof(val) > map_size)
		return -EINVAL;
	/* Before the load: libbpf's image of the section, which the load writes into the map. */
	copy = malloc(map_size);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, image, map_size);
	memcpy(copy + off, &val, sizeof(val));
	err = bpf_map__set_initial_value(map, copy, map_size);
	free(copy);
	return err;
}
