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
const char xdpkit_summary[] SEC(".xdpkit.summary") = "the classic: bpf_printk(\"Hello World %d\") per packet, then "
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
} XDP_RUN_CONFIG(hello);

SEC("xdp")
int hello(struct xdp_md *ctx)
{
	bpf_printk("Hello World %d", counter);
	counter++;
	return xk_xdp_verdict(ctx, HELLO_ACTION);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
