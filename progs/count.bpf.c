// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* count: packets and bytes per protocol (EtherType after VLAN tags, IP protocol after IPv6
 * extension headers), per CPU, on XDP and TC. Passes every frame: it only observes. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <xdp/xdp_helpers.h>
#include <xdpkit/count.h>
#include <xdpkit/parse.bpf.h>
#include <xdpkit/tc.bpf.h>
#include <xdpkit/stats.bpf.h>

/* xdpkit list reads this line. */
const char xdpkit_summary[] SEC(".xdpkit.summary") =
	"packets and bytes per protocol (EtherType, IP protocol) per CPU; passes everything";

/* Per-CPU so the hot path is a plain increment. Not pinned: each attachment counts its own traffic.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, COUNT_MAX_KEYS);
	__type(key, struct count_key);
	__type(value, struct xk_datarec);
} count_proto SEC(".maps");

/* An observer: after the programs that drop (10..30), before hello (90); the chain goes on after
 * it. */
struct {
	__uint(priority, 60);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(count), XDP_RUN_CONFIG(count_frags);

/* Count one frame. A frame the parser gives up on is counted under the EtherType it got to (0 when
 * not even the Ethernet header is there) with IP protocol 0, and once more in the MALFORMED slot.
 */
static __always_inline void count_frame(struct xk_pkt *p, int rc, __u64 bytes)
{
	struct count_key key = {};
	struct xk_datarec *rec;

	key.ethertype = bpf_ntohs(p->proto);
	if (rc == XK_PARSE_OK)
		key.ip_proto = p->l4_proto;
	else
		xk_stat_malformed(bytes);

	rec = bpf_map_lookup_elem(&count_proto, &key);
	if (!rec) {
		struct xk_datarec zero = {};

		/* Another CPU may have added the key meanwhile: NOEXIST keeps its entry, and we
		 * then find it. */
		bpf_map_update_elem(&count_proto, &key, &zero, BPF_NOEXIST);
		rec = bpf_map_lookup_elem(&count_proto, &key);
		if (!rec)
			return; /* map full: the frame still shows in xdpkit_stats */
	}
	rec->packets++;
	rec->bytes += bytes;
}

/* frags is true in the multi-buffer twin. Headers come from the first buffer; bytes are the whole
 * frame's. */
static __always_inline int count_xdp(struct xdp_md *ctx, bool frags)
{
	__u64 len = xk_xdp_len(ctx, frags);
	struct xk_pkt p;

	count_frame(&p, xk_parse(ctx, &p), len);
	return xk_xdp_decided(ctx, XDP_PASS, len, NULL);
}

/* What `ip ... sec xdp`, xdp-loader and bpftool load, and what xdpkit attaches (with multi-buffer
 * support switched on where the kernel has it: the twin below declares that the body handles it). */
SEC("xdp")
int count(struct xdp_md *ctx)
{
	return count_xdp(ctx, false);
}

/* The same program for multi-buffer frames (jumbo MTU): `ip link set dev eth0 xdp obj ... sec
 * xdp.frags`. */
SEC("xdp.frags")
int count_frags(struct xdp_md *ctx)
{
	return count_xdp(ctx, true);
}

/* TC_ACT_UNSPEC, not TC_ACT_OK: an observer must not end the filter chain. The next filter on the
 * hook still runs; with none left the packet goes on as with TC_ACT_OK. */
SEC("tc")
int count_tc(struct __sk_buff *skb)
{
	struct xk_pkt p;

	count_frame(&p, xk_tc_parse(skb, &p), skb->len);
	return xk_tc_verdict(skb, TC_ACT_UNSPEC);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
