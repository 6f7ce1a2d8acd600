/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* TC side of the parser: an skb may keep headers outside its linear part, which XDP never does. */
#ifndef XDPKIT_TC_BPF_H
#define XDPKIT_TC_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdpkit/parse.bpf.h>

/* Enough for two VLAN tags, IPv6 and a few extension headers, then TCP: more would cost a copy on
 * every truncated-looking skb for headers we do not walk anyway. */
#define XK_TC_PULL_LEN 256

/* Parse an skb like xk_parse() parses an XDP frame. Only when the linear part ends inside a header
 * while the skb holds more bytes do we pull (a copy) and parse again, so the common linear skb pays
 * nothing extra. */
static __always_inline int xk_tc_parse(struct __sk_buff *skb, struct xk_pkt *p)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 len = skb->len;
	int rc;

	rc = xk_parse_frame(p, data, data_end, skb, 1);
	if (rc != XK_PARSE_TRUNCATED || len <= (__u32)(data_end - data))
		return rc;
	/* Parse again even if the pull fails: any pull invalidates the old packet pointers. */
	bpf_skb_pull_data(skb, len < XK_TC_PULL_LEN ? len : XK_TC_PULL_LEN);
	return xk_parse_frame(p, (void *)(long)skb->data, (void *)(long)skb->data_end, skb, 1);
}

#endif
