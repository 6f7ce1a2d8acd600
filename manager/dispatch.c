// SPDX-License-Identifier: GPL-2.0-only
/* One component of libxdp's dispatcher swapped in place. libxdp (1.3) changes a chain only by
 * adding or removing programs; replacing one that way takes two swaps, between which both copies
 * run, and a program that keeps state across frames (ratelimit's buckets, count's counters, in
 * pinned maps both copies share) would see every frame twice. So this follows libxdp's published
 * protocol for a dispatcher (xdp-tools lib/libxdp/protocol.org, "Adding or removing programs from
 * an existing dispatcher") with one change to the set: a new dispatcher with the old one's
 * configuration (order, run priorities, chain actions), every other component linked to it as it
 * is, the new program in the slot of the old; its state pinned where libxdp keeps it, under
 * libxdp's lock; one atomic swap on the interface (XDP_FLAGS_REPLACE); the old state unpinned.
 * libxdp, xdp-loader and xdpkit read the result as any dispatcher libxdp built. */
#include "replace.h"
#include "xdpkit.h"
#include "xdpstate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/if_link.h>
#include <xdp/prog_dispatcher.h>

#ifndef BPF_F_XDP_HAS_FRAGS
#define BPF_F_XDP_HAS_FRAGS (1U << 5)
#endif

int xk_own_frags(struct xk_obj *o, bool component)
{
	__u32 flags = bpf_program__flags(o->xdp);
	int err;

	/* A component never carries the flag itself: the dispatcher does, for the whole chain. */
	if (component)
		flags &= ~BPF_F_XDP_HAS_FRAGS;
	if (!o->xdp_frags || !xk_xdp_frags_supported())
		return bpf_program__set_flags(o->xdp, flags);
	err = xk_obj_frags_knob(o->obj, true);
	if (err && err != -ENOENT)
		return err;
	err = bpf_program__set_flags(o->xdp, component ? flags : flags | BPF_F_XDP_HAS_FRAGS);
	return err ? err : 1;
}

static int main_fd(const struct xk_xdp_hook *h)
{
	return xdp_program__fd(xdp_multiprog__main_prog(h->mp));
}

/* The running dispatcher's configuration, from its one map (frozen .rodata), checked to be the
 * version this libxdp builds. */
static int read_config(const struct xk_xdp_hook *h, struct xdp_dispatcher_config *cfg,
		       const char *ifname)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0;
	struct xk_kprog kp;
	int fd, err;

	err = xk_kprog_read(h->main_id, &kp);
	if (!err && kp.nmaps != 1)
		err = -EINVAL;
	fd = err ? -1 : bpf_map_get_fd_by_id(kp.map_ids[0]);
	xk_kprog_free(&kp);
	if (!err && fd < 0)
		err = -errno;
	if (!err && bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	if (!err && info.value_size != sizeof(*cfg))
		err = -EINVAL;
	if (!err && bpf_map_lookup_elem(fd, &zero, cfg))
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err)
		return xk_error(XK_EXIT_FAIL,
				"cannot read the configuration of libxdp's dispatcher (id %u) on %s: %s",
				h->main_id, ifname, strerror(-err));
	if (cfg->magic != XDP_DISPATCHER_MAGIC || cfg->dispatcher_version != XDP_DISPATCHER_VERSION)
		return xk_error(
			XK_EXIT_FAIL,
			"the dispatcher on %s (id %u) is libxdp's version %u, not %u as this libxdp builds; detach its programs and attach them again to rebuild it",
			ifname, h->main_id,
			cfg->magic == XDP_DISPATCHER_MAGIC ? cfg->dispatcher_version : 1,
			XDP_DISPATCHER_VERSION);
	if (cfg->num_progs_enabled != h->nslots || h->nslots > MAX_DISPATCHER_ACTIONS)
		return xk_error(
			XK_EXIT_FAIL,
			"the dispatcher on %s (id %u) says it runs %u programs, libxdp found %d; see 'xdp-loader status %s'",
			ifname, h->main_id, cfg->num_progs_enabled, h->nslots, ifname);
	return 0;
}

/* The dispatcher function a slot's program replaces: libxdp puts a lone program in place of the
 * whole dispatcher function (xdp_dispatcher), the others in prog0, prog1, ... */
static void slot_func(const struct xdp_dispatcher_config *cfg, int slot, char *buf, size_t len)
{
	if (cfg->num_progs_enabled == 1)
		snprintf(buf, len, "xdp_dispatcher");
	else
		snprintf(buf, len, "prog%d", slot);
}

/* Make o's XDP program a component for function func of dispatcher disp_fd. */
static int prepare_component(struct xk_obj *o, int disp_fd, const char *func)
{
	int err = bpf_program__set_type(o->xdp, BPF_PROG_TYPE_EXT);

	if (!err)
		err = bpf_program__set_expected_attach_type(o->xdp, 0);
	if (!err)
		err = bpf_program__set_attach_target(o->xdp, disp_fd, func);
	if (!err)
		err = xk_own_frags(o, true);
	if (err < 0)
		return xk_error(XK_EXIT_FAIL,
				"cannot prepare '%s' (%s) for libxdp's dispatcher: %s", o->word,
				o->path, strerror(-err));
	return 0;
}

int xk_dispatch_load_probe(struct xk_obj *o, const struct xk_xdp_hook *h, int slot,
			   const char *ifname)
{
	struct xdp_dispatcher_config cfg;
	char func[32];
	int err;

	err = read_config(h, &cfg, ifname);
	if (err)
		return err;
	slot_func(&cfg, slot, func, sizeof(func));
	err = prepare_component(o, main_fd(h), func);
	return err ? err : xk_obj_load(o);
}

/* BTF id of function name in the BTF the kernel holds for program prog_fd; <= 0 when not found. */
static int func_btf_id(int prog_fd, const char *name)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct btf *btf;
	int id;

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) || !info.btf_id)
		return -ENOENT;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf)
		return -errno;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	btf__free(btf);
	return id;
}

static __u32 fd_prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* Remove the pins of a dispatcher's n components and its directory, as libxdp does. */
static void unpin_state(const char *dir, int n)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/prog%d-link", dir, i) < (int)sizeof(path))
			unlink(path);
		if (snprintf(path, sizeof(path), "%s/prog%d-prog", dir, i) < (int)sizeof(path))
			unlink(path);
	}
	rmdir(dir);
}

/* Pin a dispatcher's components in libxdp's layout: dir/progN-link and dir/progN-prog. */
static int pin_state(const char *dir, int n, const int *link_fds, const int *prog_fds)
{
	char path[PATH_MAX];
	int i;

	if (mkdir(dir, S_IRWXU) && errno != EEXIST)
		return -errno;
	for (i = 0; i < n; i++) {
		errno = ENAMETOOLONG;
		if (snprintf(path, sizeof(path), "%s/prog%d-link", dir, i) >= (int)sizeof(path) ||
		    bpf_obj_pin(link_fds[i], path))
			goto fail;
		errno = ENAMETOOLONG;
		if (snprintf(path, sizeof(path), "%s/prog%d-prog", dir, i) >= (int)sizeof(path) ||
		    bpf_obj_pin(prog_fds[i], path))
			goto fail;
	}
	return 0;
fail:
	i = -errno;
	unpin_state(dir, n);
	return i;
}

/* The new dispatcher: libxdp's own object (found where libxdp finds it), with cfg, loaded. */
static int load_dispatcher(struct xdp_program **dp, const struct xdp_dispatcher_config *cfg,
			   const char *ifname)
{
	struct bpf_program *main_prog, *p;
	struct bpf_object *obj;
	struct bpf_map *rodata;
	int err;

	*dp = xdp_program__find_file("xdp-dispatcher.o", NULL, NULL);
	err = libxdp_get_error(*dp);
	if (err) {
		*dp = NULL;
		return xk_error(
			XK_EXIT_ENV,
			"cannot open libxdp's xdp-dispatcher.o: %s; is libxdp installed whole (LIBXDP_OBJECT_PATH)?",
			strerror(-err));
	}
	obj = xdp_program__bpf_obj(*dp);
	main_prog = bpf_object__find_program_by_name(obj, "xdp_dispatcher");
	rodata = bpf_object__next_map(obj, NULL);
	if (!main_prog || !rodata)
		return xk_error(
			XK_EXIT_ENV,
			"libxdp's xdp-dispatcher.o has no xdp_dispatcher program or no configuration map");
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == main_prog);
	err = bpf_map__set_initial_value(rodata, cfg, sizeof(*cfg));
	if (!err && cfg->is_xdp_frags)
		err = bpf_program__set_flags(main_prog,
					     bpf_program__flags(main_prog) | BPF_F_XDP_HAS_FRAGS);
	if (!err)
		err = bpf_object__load(obj);
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot load a new libxdp dispatcher for %s: %s%s",
				ifname, strerror(-err), xk_kernel_says());
	return 0;
}

__u32 xk_xdp_mode_flag(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_SKB:
		return XDP_FLAGS_SKB_MODE;
	case XDP_MODE_NATIVE:
		return XDP_FLAGS_DRV_MODE;
	default:
		return 0;
	}
}

int xk_dispatch_replace(struct xk_obj *o, const struct xk_xdp_hook *h, int slot, int ifindex,
			const char *ifname, __u32 *new_id)
{
	int link_fds[MAX_DISPATCHER_ACTIONS], prog_fds[MAX_DISPATCHER_ACTIONS];
	char dir[PATH_MAX / 2], new_dir[PATH_MAX / 2 + 64], old_dir[PATH_MAX / 2 + 64], func[32];
	struct xdp_dispatcher_config cfg;
	struct xdp_program *dp = NULL;
	int i, n = h->nslots, disp_fd, lock, err, ret;
	__u32 flags = xk_xdp_mode_flag(h->mode);

	for (i = 0; i < MAX_DISPATCHER_ACTIONS; i++)
		link_fds[i] = -1;
	if (!flags)
		return xk_error(
			XK_EXIT_FAIL,
			"cannot replace in the dispatcher on %s: it runs in %s mode; only native and skb are replaced in place",
			ifname, xk_xdp_mode_name(h->mode));
	ret = read_config(h, &cfg, ifname);
	if (ret)
		return ret;
	/* The same chain but for the slot's multi-buffer flag, which is the new program's; the
	 * dispatcher takes multi-buffer frames when every component does (and the kernel can). */
	err = o->xdp_frags && xk_xdp_frags_supported();
	cfg.program_flags[slot] = err ? BPF_F_XDP_HAS_FRAGS : 0;
	cfg.is_xdp_frags = xk_xdp_frags_supported();
	for (i = 0; i < n; i++)
		if (!(cfg.program_flags[i] & BPF_F_XDP_HAS_FRAGS))
			cfg.is_xdp_frags = 0;
	ret = load_dispatcher(&dp, &cfg, ifname);
	if (ret)
		goto out;
	disp_fd = bpf_program__fd(
		bpf_object__find_program_by_name(xdp_program__bpf_obj(dp), "xdp_dispatcher"));
	slot_func(&cfg, slot, func, sizeof(func));
	ret = prepare_component(o, disp_fd, func);
	if (!ret)
		ret = xk_obj_load(o);
	if (ret)
		goto out;
	/* Every component linked to the new dispatcher; the others stay linked to the old one too
	 * (freplace programs attach to several targets, Linux 5.10+) until it goes. */
	for (i = 0; i < n; i++) {
		DECLARE_LIBBPF_OPTS(bpf_link_create_opts, lo);

		prog_fds[i] = i == slot ? bpf_program__fd(o->xdp) : xdp_program__fd(h->slots[i].xp);
		slot_func(&cfg, i, func, sizeof(func));
		err = func_btf_id(disp_fd, func);
		lo.target_btf_id = err > 0 ? err : 0;
		link_fds[i] = err > 0 ? bpf_link_create(prog_fds[i], disp_fd, 0, &lo) : -1;
		if (link_fds[i] < 0) {
			err = err > 0 ? -errno : (err ? err : -ENOENT);
			ret = xk_error(
				XK_EXIT_FAIL,
				"cannot link program %u (slot %d) to the new dispatcher for %s: %s",
				h->slots[i].id, i, ifname, strerror(-err));
			goto out;
		}
	}
	xk_libxdp_dir(dir, sizeof(dir));
	if (snprintf(new_dir, sizeof(new_dir), "%s/dispatch-%d-%u", dir, ifindex,
		     fd_prog_id(disp_fd)) >= (int)sizeof(new_dir) ||
	    snprintf(old_dir, sizeof(old_dir), "%s/dispatch-%d-%u", dir, ifindex, h->main_id) >=
		    (int)sizeof(old_dir)) {
		ret = xk_error(XK_EXIT_ENV, "libxdp's state directory %s has too long a path", dir);
		goto out;
	}
	lock = xk_libxdp_lock();
	err = lock < 0 ? lock : pin_state(new_dir, n, link_fds, prog_fds);
	if (lock >= 0)
		close(lock);
	if (err) {
		ret = xk_error(XK_EXIT_FAIL, "cannot pin the new dispatcher's state under %s: %s",
			       dir, strerror(-err));
		goto out;
	}
	/* The one step: the interface runs the old dispatcher or the new one, never neither. */
	{
		DECLARE_LIBBPF_OPTS(bpf_xdp_attach_opts, xo, .old_prog_fd = main_fd(h));

		xk_note_reset();
		err = bpf_xdp_attach(ifindex, disp_fd, flags | XDP_FLAGS_REPLACE, &xo);
	}
	lock = xk_libxdp_lock();
	unpin_state(err ? new_dir : old_dir, n);
	if (lock >= 0)
		close(lock);
	if (err) {
		ret = xk_error(XK_EXIT_FAIL, "cannot swap the new dispatcher in on %s: %s%s%s",
			       ifname, strerror(-err), xk_kernel_says(),
			       err == -EEXIST
				       ? " (the XDP program there changed meanwhile; run again)"
				       : "");
		goto out;
	}
	*new_id = fd_prog_id(bpf_program__fd(o->xdp));
out:
	/* The pins hold what runs; our descriptors can go. */
	for (i = 0; i < n; i++)
		if (link_fds[i] >= 0)
			close(link_fds[i]);
	xdp_program__close(dp);
	return ret;
}
