// SPDX-License-Identifier: GPL-2.0-only
/* xdpkit dump of a program without xdpkit's capture hook: an fexit program (manager/bpf/
 * dump_fexit.bpf.c, embedded here) attached to the target, where the kernel allows BPF to trace
 * BPF. */
#include "dump.h"
#include "xdpkit.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The object, built by make before this file and assembled in. */
__asm__(".section .rodata\n"
	".balign 8\n"
	"xk_fexit_obj:\n"
	".incbin \"" XK_FEXIT_OBJ "\"\n"
	"xk_fexit_obj_end:\n"
	".previous\n");
extern const char xk_fexit_obj[], xk_fexit_obj_end[];

struct xk_fexit {
	struct bpf_object *obj;
	struct bpf_link *link;
};

/* The BTF name of the program's entry function: fexit attaches to a function, and the kernel's
 * program name is cut to 15 characters. */
static int entry_func(int prog_fd, char *name, size_t len)
{
	struct bpf_prog_info info = {};
	struct bpf_func_info finfo = {};
	__u32 ilen = sizeof(info);
	const struct btf_type *t;
	struct btf *btf;
	int err;

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &ilen))
		return -errno;
	if (!info.btf_id || !info.nr_func_info)
		return -ENOENT; /* no BTF: nothing to attach fexit to */
	memset(&info, 0, sizeof(info));
	info.nr_func_info = 1;
	info.func_info_rec_size = sizeof(finfo);
	info.func_info = (__u64)(unsigned long)&finfo;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &ilen))
		return -errno;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	err = libbpf_get_error(btf);
	if (err)
		return err;
	t = btf__type_by_id(btf, finfo.type_id);
	if (t)
		snprintf(name, len, "%s", btf__name_by_offset(btf, t->name_off));
	btf__free(btf);
	return t && *name ? 0 : -ENOENT;
}

int xk_fexit_open(__u32 prog_id, __u32 snaplen, int *events_fd, struct xk_fexit **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "xk_dump_fexit");
	struct xk_fexit *f = calloc(1, sizeof(*f));
	struct bpf_program *prog;
	struct bpf_map *rodata;
	char func[128] = "";
	int prog_fd, err;

	if (!f)
		return -ENOMEM;
	prog_fd = bpf_prog_get_fd_by_id(prog_id);
	if (prog_fd < 0) {
		free(f);
		return -errno;
	}
	err = entry_func(prog_fd, func, sizeof(func));
	if (!err) {
		f->obj = bpf_object__open_mem(xk_fexit_obj, xk_fexit_obj_end - xk_fexit_obj, &opts);
		err = libbpf_get_error(f->obj);
		if (err)
			f->obj = NULL;
	}
	prog = f->obj ? bpf_object__find_program_by_name(f->obj, "xk_dump_fexit") : NULL;
	rodata = f->obj ? bpf_object__find_map_by_name(f->obj, ".rodata") : NULL;
	if (!err && (!prog || !rodata))
		err = -ENOENT;
	if (!err)
		err = bpf_program__set_attach_target(prog, prog_fd, func);
	/* .rodata holds xk_snaplen alone. */
	if (!err)
		err = bpf_map__set_initial_value(rodata, &snaplen, sizeof(snaplen));
	if (!err)
		err = bpf_object__load(f->obj);
	if (!err) {
		f->link = bpf_program__attach_trace(prog);
		err = libbpf_get_error(f->link);
		if (err)
			f->link = NULL;
	}
	close(prog_fd);
	if (!err) {
		*events_fd =
			dup(bpf_map__fd(bpf_object__find_map_by_name(f->obj, XK_CAPTURE_EVENTS)));
		err = *events_fd < 0 ? -errno : 0;
	}
	if (err) {
		xk_fexit_close(f);
		return err;
	}
	*out = f;
	return 0;
}

void xk_fexit_close(struct xk_fexit *f)
{
	if (!f)
		return;
	bpf_link__destroy(f->link);
	bpf_object__close(f->obj);
	free(f);
}
