// SPDX-License-Identifier: GPL-2.0-only
/* BPF object files: is it one, which hooks does it serve, its one-line summary, opening it with our
 * pin root. */
#include "capacity.h"
#include "corebtf.h"
#include "hooks.h"
#include "xdpkit.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef EM_BPF
#define EM_BPF 247
#endif

#define SUMMARY_SECTION ".xdpkit.summary"

const char *xk_prog_hook(const struct bpf_program *p)
{
	switch (bpf_program__type(p)) {
	case BPF_PROG_TYPE_XDP:
		return "xdp";
	case BPF_PROG_TYPE_SCHED_CLS:
		return "tc";
	default:
		return NULL;
	}
}

/* Open path as ELF; NULL (and fd -1) if it is not one. */
static Elf *elf_open(const char *path, int *fd)
{
	Elf *e;

	*fd = -1;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return NULL;
	e = elf_begin(*fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		if (e)
			elf_end(e);
		close(*fd);
		*fd = -1;
		return NULL;
	}
	return e;
}

int xk_obj_check_elf(const char *path)
{
	GElf_Ehdr eh;
	bool bpf;
	int fd;
	Elf *e = elf_open(path, &fd);

	if (!e)
		return xk_error(XK_EXIT_USAGE,
				"'%s' is not a BPF object (not an ELF file); build one with 'clang "
				"-target bpf -O2 -g -c'",
				path);
	bpf = gelf_getehdr(e, &eh) && eh.e_machine == EM_BPF;
	elf_end(e);
	close(fd);
	if (!bpf)
		return xk_error(XK_EXIT_USAGE,
				"'%s' is an ELF file but not for BPF; build it with 'clang -target "
				"bpf -O2 -g -c'",
				path);
	return 0;
}

void xk_obj_summary(const char *path, char *buf, size_t len)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int fd;
	Elf *e = elf_open(path, &fd);

	buf[0] = '\0';
	if (!e)
		return;
	if (elf_getshdrstrndx(e, &shstrndx))
		goto out;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || strcmp(name, SUMMARY_SECTION))
			continue;
		d = elf_getdata(scn, NULL);
		/* The section holds one C string; stop at its end even if the NUL is missing. */
		if (d && d->d_buf && d->d_size)
			snprintf(buf, len, "%.*s", (int)strnlen(d->d_buf, d->d_size),
				 (char *)d->d_buf);
		break;
	}
out:
	elf_end(e);
	close(fd);
}

/* A pin left by another build of the object (other map type or size) makes libbpf refuse the load with a bare
 * EINVAL; say which pin and what to do before anything is loaded. */
static int check_pins(const struct xk_obj *o)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	struct bpf_map *m;

	bpf_object__for_each_map(m, o->obj) {
		const char *path = bpf_map__pin_path(m);
		int fd;

		if (!path)
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue; /* not pinned yet: the load pins it */
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		close(fd);
		if (info.type != bpf_map__type(m) || info.key_size != bpf_map__key_size(m) ||
		    info.value_size != bpf_map__value_size(m) ||
		    info.max_entries != bpf_map__max_entries(m) ||
		    info.map_flags != bpf_map__map_flags(m))
			return xk_error(
				XK_EXIT_FAIL,
				"pinned map %s does not match map '%s' of %s (pinned: %s, key %u, value %u, "
				"max %u, flags 0x%x; object: %s, key %u, value %u, max %u, flags 0x%x); "
				"remove the old pin (xdpkit detach ... --purge, or rm %s) or use another --pin-root",
				path, bpf_map__name(m), o->path, libbpf_bpf_map_type_str(info.type),
				info.key_size, info.value_size, info.max_entries, info.map_flags,
				libbpf_bpf_map_type_str(bpf_map__type(m)), bpf_map__key_size(m),
				bpf_map__value_size(m), bpf_map__max_entries(m),
				bpf_map__map_flags(m), path);
	}
	return 0;
}

int xk_obj_open(const char *word, struct xk_capacity *cap, struct xk_obj *o)
{
	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = xk.pin_root);
	char core_btf[4096];
	struct bpf_program *p;
	int err;

	memset(o, 0, sizeof(*o));
	o->word = word;
	err = xk_resolve_object(word, o->path, sizeof(o->path));
	if (err)
		return err;
	err = xk_obj_check_elf(o->path);
	if (err)
		return err;
	/* The collection's objects relocate against kernel types only (never a module's), so a
	 * minimal copy of the kernel BTF serves them as well as the whole of it, at a fraction of
	 * the cost. */
	if (!strchr(word, '/') && !xk_core_btf_path(o->path, core_btf, sizeof(core_btf)))
		opts.btf_custom_path = core_btf;
	xk_note_reset();
	o->obj = bpf_object__open_file(o->path, &opts);
	err = libbpf_get_error(o->obj);
	if (err) {
		o->obj = NULL;
		return xk_error(
			XK_EXIT_USAGE,
			"'%s' is not a BPF object libbpf can open (%s); build it with clang -target bpf -O2 -g",
			o->path, xk_libbpf_reason(err));
	}
	o->xdp = xk_obj_xdp_entry(o->obj);
	o->xdp_frags = o->xdp && xk_prog_declares_frags(o->obj, o->xdp);
	bpf_object__for_each_program(p, o->obj) {
		const char *hook = xk_prog_hook(p);

		if (hook && !strcmp(hook, "tc") && !o->tc)
			o->tc = p;
	}
	err = xk_capacity_apply(o->obj, word, cap);
	return err ? err : check_pins(o);
}

void xk_obj_close(struct xk_obj *o)
{
	bpf_object__close(o->obj);
	o->obj = NULL;
}
