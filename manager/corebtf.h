/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel BTF an object's CO-RE relocations need, kept small and per boot. */
#ifndef XDPKIT_COREBTF_H
#define XDPKIT_COREBTF_H

#include <stddef.h>

/* Directory of the copies; one file per boot and object. */
#define XK_CORE_BTF_DIR "/run/xdpkit/core-btf"
/* Other answers about the running kernel kept for the boot (xdp_probe.c). */
#define XK_BOOT_DIR "/run/xdpkit"

/* The running boot's id (hex digits of /proc/sys/kernel/random/boot_id): a kernel cannot change
 * without a new one. 0 or -errno. */
int xk_boot_id(char *out, size_t len);

/* Path of a minimal copy of the running kernel's BTF holding just the types obj_path's CO-RE
 * relocations read (for bpf_object_open_opts.btf_custom_path), made the first time it is asked
 * for after a boot. 0, or -errno when there is none to be had (then libbpf reads the whole kernel
 * BTF, as every loader does). */
int xk_core_btf_path(const char *obj_path, char *out, size_t len);

#endif
