/* Walk of attached programs over interfaces: libxdp tells the XDP chain, a netlink dump (tcnl.c)
 * the TC filters. */
#include "progwalk.h"
#include "hooks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xdp/libxdp.h>

struct list {
	struct xk_attached *v;
	int n, cap;
};

static int add(struct list *l, int ifindex, const char *hook, const char *slot, __u32 prog_id)
{
	struct xk_attached *a;

	if (l->n == l->cap) {
		a = realloc(l->v, (l->cap = l->cap ? l->cap * 2 : 16) * sizeof(*a));
		if (!a)
			return -ENOMEM;
		l->v = a;
	}
	a = &l->v[l->n++];
	memset(a, 0, sizeof(*a));
	a->ifindex = ifindex;
	if (!if_indextoname(ifindex, a->ifname))
		snprintf(a->ifname, sizeof(a->ifname), "if%d", ifindex);
	snprintf(a->hook, sizeof(a->hook), "%s", hook);
	snprintf(a->slot, sizeof(a->slot), "%s", slot);
	a->prog_id = prog_id;
	return 0;
}

static const char *xdp_mode(enum xdp_attach_mode m)
{
	switch (m) {
	case XDP_MODE_NATIVE:
		return "xdp native";
	case XDP_MODE_SKB:
		return "xdp skb";
	case XDP_MODE_HW:
		return "xdp hw";
	default:
		return "xdp";
	}
}

static int walk_iface(struct list *l, int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p = NULL;
	char slot[48];
	int pos = 0, err = 0, dir, i, n;

	if (!libxdp_get_error(mp) && mp && xdp_multiprog__main_prog(mp)) {
		const char *hook = xdp_mode(xdp_multiprog__attach_mode(mp));

		/* Behind a dispatcher the components count the verdicts; a legacy program is the
		 * only one. */
		if (xdp_multiprog__is_legacy(mp))
			err = add(l, ifindex, hook, "1",
				  xdp_program__id(xdp_multiprog__main_prog(mp)));
		while (!err && !xdp_multiprog__is_legacy(mp) &&
		       (p = xdp_multiprog__next_prog(p, mp))) {
			snprintf(slot, sizeof(slot), "%d", ++pos);
			err = add(l, ifindex, hook, slot, xdp_program__id(p));
		}
	}
	if (!libxdp_get_error(mp) && mp)
		xdp_multiprog__close(mp);
	for (dir = XK_TC_INGRESS; !err && dir <= XK_TC_EGRESS; dir++) {
		struct xk_tc_filter *f = NULL;
		char hook[32];

		if (xk_tc_dump(ifindex, dir, &f, &n))
			continue; /* no clsact qdisc: nothing there */
		snprintf(hook, sizeof(hook), "tc %s", xk_tc_dir_name(dir));
		for (i = 0; !err && i < n; i++) {
			if (!f[i].prog_id)
				continue;
			snprintf(slot, sizeof(slot), "prio %u handle %u", f[i].prio, f[i].handle);
			err = add(l, ifindex, hook, slot, f[i].prog_id);
		}
		free(f);
	}
	return err;
}

int xk_attached_list(int ifindex, struct xk_attached **out)
{
	struct list l = {0};
	struct if_nameindex *ifs, *it;
	int err = 0;

	if (ifindex) {
		err = walk_iface(&l, ifindex);
	} else {
		ifs = if_nameindex();
		if (!ifs)
			return -errno;
		for (it = ifs; !err && it->if_index; it++)
			err = walk_iface(&l, it->if_index);
		if_freenameindex(ifs);
	}
	if (err) {
		free(l.v);
		return err;
	}
	*out = l.v;
	return l.n;
}
