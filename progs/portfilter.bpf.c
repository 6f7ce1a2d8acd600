// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* portfilter: drop TCP/UDP frames to listed destination ports (or to every port not listed), on XDP
 * and TC. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>
#include <xdpkit/portfilter.h>
#include <xdpkit/parse.bpf.h>
#include <xdpkit/tc.bpf.h>
#include <xdpkit/stats.bpf.h>

/* xdpkit list reads this line. */
const char xdpkit_summary[] SEC(".xdpkit.summary") =
	"drop TCP/UDP to listed destination ports, or allow only listed ports; per-port hit counters";

/* Listed ports (network order, TCP and UDP alike) -> hits. Per-CPU: a hit is a plain increment. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, PORTFILTER_MAX_PORTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, xk_port);
	__type(value, xk_hits);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} portfilter_ports SEC(".maps");

/* portfilter_cfg[0]: deny listed (0, the default) or allow only listed (1). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct portfilter_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} portfilter_cfg SEC(".maps");

/* After blocklist (10) and ratelimit (20): an address rule is cheaper to decide and should win. */
struct {
	__uint(priority, 30);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(portfilter), XDP_RUN_CONFIG(portfilter_frags);

enum portfilter_result {
	PF_PASS,
	PF_DROP,
	PF_MALFORMED, /* the port could not be read: pass, and count it */
};

static __always_inline int portfilter_decide(struct xk_pkt *p, int rc)
{
	struct portfilter_config *cfg;
	struct udphdr *udp;
	__u32 zero = 0;
	xk_hits *hits;

	if (rc != XK_PARSE_OK)
		return PF_MALFORMED;
	if (p->l4_proto != IPPROTO_TCP && p->l4_proto != IPPROTO_UDP)
		return PF_PASS; /* ICMP, ARP, ...: not a port's business */
	/* A later fragment has no port to read. Letting it through is safe: without its first
	 * fragment, which did get the verdict, the receiver cannot reassemble the datagram and
	 * drops the pieces itself. */
	if (p->frag == XK_FRAG_LATER || !p->l4 || (!p->ip4 && !p->ip6))
		return PF_PASS;
	/* TCP and UDP both keep the destination port at offset 2: read it as UDP's. */
	udp = p->l4;
	cfg = bpf_map_lookup_elem(&portfilter_cfg, &zero);
	hits = bpf_map_lookup_elem(&portfilter_ports, &udp->dest);
	if (hits)
		*hits += 1; /* this CPU's copy: nobody else writes it */
	if (cfg && cfg->mode == PORTFILTER_ALLOW_ONLY)
		return hits ? PF_PASS : PF_DROP;
	return hits ? PF_DROP : PF_PASS;
}

/* What `xdpkit dump` shows as the rule of a drop: the port, listed (deny mode) or not (allow-only).
 * Built only while a dump runs; a drop always had a TCP or UDP header to read. */
static __always_inline void portfilter_rule(const void *arg, struct xk_rule *r)
{
	const struct xk_pkt *p = arg;
	struct portfilter_config *cfg;
	struct udphdr *udp = p->l4;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&portfilter_cfg, &zero);
	r->kind = cfg && cfg->mode == PORTFILTER_ALLOW_ONLY ? XK_RULE_PORT_UNLISTED : XK_RULE_PORT;
	if (udp)
		r->num = udp->dest;
}

/* The XDP program; frags is true in the multi-buffer twin (a constant: each entry gets its own
 * copy). Headers are read from the first buffer only; the verdict counts the whole frame. */
static __always_inline int portfilter_xdp(struct xdp_md *ctx, bool frags)
{
	__u64 len = xk_xdp_len(ctx, frags);
	struct xk_pkt p;
	int res;

	res = portfilter_decide(&p, xk_parse(ctx, &p));
	if (res == PF_DROP)
		return xk_xdp_decided_by(ctx, XDP_DROP, len, portfilter_rule, &p);
	if (res == PF_MALFORMED)
		xk_stat_malformed(len);
	return xk_xdp_decided(ctx, XDP_PASS, len, NULL);
}

/* What `ip ... sec xdp`, xdp-loader and bpftool load, and what xdpkit attaches (with multi-buffer
 * support switched on where the kernel has it: the twin below declares that the body handles it). */
SEC("xdp")
int portfilter(struct xdp_md *ctx)
{
	return portfilter_xdp(ctx, false);
}

/* The same program for multi-buffer frames (jumbo MTU): `ip link set dev eth0 xdp obj ... sec
 * xdp.frags`. */
SEC("xdp.frags")
int portfilter_frags(struct xdp_md *ctx)
{
	return portfilter_xdp(ctx, true);
}

SEC("tc")
int portfilter_tc(struct __sk_buff *skb)
{
	struct xk_pkt p;
	int res;

	res = portfilter_decide(&p, xk_tc_parse(skb, &p));
	if (res == PF_DROP)
		return xk_tc_decided_by(skb, TC_ACT_SHOT, portfilter_rule, &p);
	if (res == PF_MALFORMED)
		xk_stat_malformed(skb->len);
	/* TC_ACT_UNSPEC, not TC_ACT_OK: a frame we let through must still meet the next filter on
	 * the hook (as XDP chains on XDP_PASS); with none left it goes on as with TC_ACT_OK. */
	return xk_tc_verdict(skb, TC_ACT_UNSPEC);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
