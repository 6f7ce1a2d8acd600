// SPDX-License-Identifier: GPL-2.0-only
/* TC plumbing through libbpf: the clsact hook and direct-action bpf filters on it. */
#include "hooks.h"

#include <errno.h>
#include <stdlib.h>

static void fill_hook(struct bpf_tc_hook *hook, int ifindex, enum xk_tc_dir dir)
{
	hook->ifindex = ifindex;
	hook->attach_point = dir == XK_TC_EGRESS ? BPF_TC_EGRESS : BPF_TC_INGRESS;
}

int xk_tc_attach(int ifindex, enum xk_tc_dir dir, int prog_fd, __u32 prio, __u32 *handle_out,
		 __u32 *prio_out, bool *created)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .priority = prio);
	int err;

	fill_hook(&hook, ifindex, dir);
	/* Locked from the qdisc to the filter: a concurrent detach's clean-up must not remove the
	 * qdisc in between (it would take the new filter with it, or make the attach fail). */
	xk_lock();
	err = bpf_tc_hook_create(&hook);
	*created = !err;
	if (err && err != -EEXIST)
		goto out;
	/* handle 0: the kernel picks a free one and libbpf reads it back. */
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		if (*created)
			xk_tc_cleanup(ifindex);
		*created = false;
		goto out;
	}
	*handle_out = opts.handle;
	*prio_out = opts.priority;
out:
	xk_unlock();
	return err;
}

int xk_tc_detach(int ifindex, enum xk_tc_dir dir, __u32 handle, __u32 prio)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = prio);

	fill_hook(&hook, ifindex, dir);
	return bpf_tc_detach(&hook, &opts);
}

static int count_filters(int ifindex, enum xk_tc_dir dir)
{
	struct xk_tc_filter *f;
	int n, err;

	err = xk_tc_dump(ifindex, dir, &f, &n);
	free(f);
	return err ? err : n;
}

void xk_tc_cleanup(int ifindex)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

	/* A qdisc that still carries someone's filter stays; an empty one goes. Locked, so that no
	 * xdpkit attach puts a filter on it between the count and the removal. */
	xk_lock();
	if (count_filters(ifindex, XK_TC_INGRESS) == 0 && count_filters(ifindex, XK_TC_EGRESS) == 0)
		bpf_tc_hook_destroy(&hook);
	xk_unlock();
}

int xk_tc_replace(int ifindex, enum xk_tc_dir dir, int prog_fd, __u32 prio, __u32 handle)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .priority = prio,
			    .handle = handle, .flags = BPF_TC_F_REPLACE);
	int err;

	fill_hook(&hook, ifindex, dir);
	/* cls_bpf swaps the program of the filter it finds at (prio, handle) in one step: a frame
	 * meets the old program or the new one, never neither. */
	xk_lock();
	err = bpf_tc_attach(&hook, &opts);
	xk_unlock();
	return err;
}
