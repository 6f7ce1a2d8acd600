// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* hello: the classic first XDP program. Prints "Hello World <n>" for every packet and lets it pass;
 * build/hello_drop.bpf.o is the same source built with -DHELLO_DROP, the learner's next step. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>
#include <xdpkit/stats.bpf.h>

#ifdef HELLO_DROP
#define HELLO_ACTION XDP_DROP
#else
#define HELLO_ACTION XDP_PASS
#endif

/* xdpkit list reads this line. */
const char xdpkit_summary[] SEC(".xdpkit.summary") =
	"the classic: bpf_printk(\"Hello World %d\") per packet, then "
#ifdef HELLO_DROP
	"XDP_DROP";
#else
	"XDP_PASS";
#endif

int counter = 0;

/* Observers run last in a chain; hello passes everything on. */
struct {
	__uint(priority, 90);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(hello), XDP_RUN_CONFIG(hello_frags);

/* frags is true in the multi-buffer twin: the counters then get the whole frame's length. */
static __always_inline int hello_xdp(struct xdp_md *ctx, bool frags)
{
	bpf_printk("Hello World %d", counter);
	counter++;
	return xk_xdp_decided(ctx, HELLO_ACTION, xk_xdp_len(ctx, frags), NULL);
}

/* What `ip ... sec xdp`, xdp-loader and bpftool load, and what xdpkit attaches (with multi-buffer
 * support switched on where the kernel has it: the twin below declares that the body handles it). */
SEC("xdp")
int hello(struct xdp_md *ctx)
{
	return hello_xdp(ctx, false);
}

/* The same program for multi-buffer frames (jumbo MTU): `ip link set dev eth0 xdp obj ... sec
 * xdp.frags`. */
SEC("xdp.frags")
int hello_frags(struct xdp_md *ctx)
{
	return hello_xdp(ctx, true);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
