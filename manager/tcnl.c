// SPDX-License-Identifier: GPL-2.0-only
/* Listing TC filters by a netlink RTM_GETTFILTER dump: libbpf can only query a filter whose handle
 * it knows. */
#include "hooks.h"
#include "xdpkit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

const char *xk_tc_dir_name(enum xk_tc_dir dir)
{
	return dir == XK_TC_EGRESS ? "egress" : "ingress";
}

int xk_tc_dir_parse(const char *s)
{
	if (!strcmp(s, "ingress"))
		return XK_TC_INGRESS;
	if (!strcmp(s, "egress"))
		return XK_TC_EGRESS;
	return -1;
}

static void parse_bpf_opts(struct rtattr *opts, struct xk_tc_filter *f)
{
	int len = RTA_PAYLOAD(opts);
	struct rtattr *a;

	for (a = RTA_DATA(opts); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type) {
		case TCA_BPF_ID:
			f->prog_id = *(__u32 *)RTA_DATA(a);
			break;
		case TCA_BPF_NAME:
			snprintf(f->name, sizeof(f->name), "%.*s", (int)RTA_PAYLOAD(a),
				 (char *)RTA_DATA(a));
			break;
		case TCA_BPF_FLAGS:
			f->direct_action = *(__u32 *)RTA_DATA(a) & TCA_BPF_FLAG_ACT_DIRECT;
			break;
		}
	}
}

/* One filter message; returns 1 when it is a filter entry (not the per-priority chain header). */
static int parse_filter(struct nlmsghdr *nh, struct xk_tc_filter *f)
{
	struct tcmsg *t = NLMSG_DATA(nh);
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*t));
	struct rtattr *a, *opts = NULL;

	memset(f, 0, sizeof(*f));
	f->prio = TC_H_MAJ(t->tcm_info) >> 16;
	f->handle = t->tcm_handle;
	for (a = (struct rtattr *)((char *)t + NLMSG_ALIGN(sizeof(*t))); RTA_OK(a, len);
	     a = RTA_NEXT(a, len)) {
		if (a->rta_type == TCA_KIND)
			snprintf(f->kind, sizeof(f->kind), "%s", (char *)RTA_DATA(a));
		else if (a->rta_type == TCA_OPTIONS)
			opts = a;
	}
	/* The kernel sends one header entry per priority without a handle; the filters follow it.
	 */
	if (!f->handle)
		return 0;
	if (opts && !strcmp(f->kind, "bpf"))
		parse_bpf_opts(opts, f);
	return 1;
}

/* The kernel's extended ack on a refusal (NLMSGERR_ATTR_MSG, asked for with NETLINK_EXT_ACK):
 * kept for the caller's error line, as libbpf's own requests get it. */
static void note_ext_ack(struct nlmsghdr *nh)
{
	struct nlmsgerr *e = NLMSG_DATA(nh);
	size_t hlen = sizeof(*e);
	struct nlattr *a;
	int len;

	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* The request is echoed after the error unless the kernel capped it to its header. */
	if (!(nh->nlmsg_flags & NLM_F_CAPPED))
		hlen += e->msg.nlmsg_len - NLMSG_HDRLEN;
	len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(hlen);
	for (a = (struct nlattr *)((char *)e + NLMSG_ALIGN(hlen));
	     len >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	    a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
		if (a->nla_type == NLMSGERR_ATTR_MSG) {
			char msg[256];

			snprintf(msg, sizeof(msg), "%.*s", (int)(a->nla_len - NLA_HDRLEN),
				 (char *)a + NLA_HDRLEN);
			xk_note_kernel_msg(msg);
		}
	}
}

int xk_tc_dump(int ifindex, enum xk_tc_dir dir, struct xk_tc_filter **out, int *n)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg t;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
		.nh.nlmsg_type = RTM_GETTFILTER,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nh.nlmsg_seq = 1,
		.t.tcm_family = AF_UNSPEC,
		.t.tcm_ifindex = ifindex,
		.t.tcm_parent = TC_H_MAKE(TC_H_CLSACT,
					  dir == XK_TC_EGRESS ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS),
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct xk_tc_filter *list = NULL, *tmp;
	static char buf[32768];
	int fd, err = 0, count = 0, one = 1;
	bool done = false;

	*out = NULL;
	*n = 0;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	/* Kernels before 4.12 lack it: then the errno alone. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	while (!done) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (len < 0) {
			err = -errno;
			goto out;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				/* No clsact qdisc: no filters, not an error. */
				err = (e->error == -EINVAL || e->error == -ENOENT) ? 0 : e->error;
				if (err)
					note_ext_ack(nh);
				done = true;
				break;
			}
			if (nh->nlmsg_type != RTM_NEWTFILTER)
				continue;
			tmp = realloc(list, (count + 1) * sizeof(*list));
			if (!tmp) {
				err = -ENOMEM;
				goto out;
			}
			list = tmp;
			if (parse_filter(nh, &list[count]))
				count++;
		}
	}
out:
	close(fd);
	if (err) {
		free(list);
		return err;
	}
	*out = list;
	*n = count;
	return 0;
}
