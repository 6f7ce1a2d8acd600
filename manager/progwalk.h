/* The programs attached in this network namespace: XDP (each dispatcher component, or the single
 * program) and TC filters on clsact ingress/egress. Shared by `map show` and `stats`. */
#ifndef XDPKIT_PROGWALK_H
#define XDPKIT_PROGWALK_H

#include <linux/types.h>
#include <net/if.h>

struct xk_attached {
	char ifname[IF_NAMESIZE];
	int ifindex;
	char hook[32]; /* "xdp native", "xdp skb", "tc ingress", "tc egress" */
	char slot[48]; /* where on the hook: "1" (run position), "prio 49152 handle 1": with
			* ifname+hook, the place a program may be replaced in */
	__u32 prog_id;
};

/* Programs attached to ifindex (0: every interface). Returns the count or -errno; *out is
 * malloc'ed. */
int xk_attached_list(int ifindex, struct xk_attached **out);

#endif
