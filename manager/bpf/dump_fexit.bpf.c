// SPDX-License-Identifier: GPL-2.0-only
/* xdpkit dump's capture of an XDP program built without xdpkit's verdict helpers, the way xdpdump
 * does it: an fexit program on the target sends each frame the target decided, with its return
 * value, to the same record layout as the collection's hook. Needs a kernel that lets BPF trace
 * BPF (fentry/fexit with BTF); the manager says so where it does not. Embedded in the xdpkit
 * binary (manager/dump_fexit.c). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <xdpkit/capture.h>

/* The kernel's own structures, as far as we read them; CO-RE finds the offsets. */
struct net_device {
	int ifindex;
} __attribute__((preserve_access_index));

struct xdp_rxq_info {
	struct net_device *dev;
} __attribute__((preserve_access_index));

struct xdp_buff {
	void *data;
	void *data_end;
	struct xdp_rxq_info *rxq;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} xdpkit_capture SEC(".maps");

const volatile __u32 xk_snaplen = 128;

/* The attach target (the program and its function) is set by the manager before load. */
SEC("fexit/xdp")
int BPF_PROG(xk_dump_fexit, struct xdp_buff *xdp, int ret)
{
	struct xk_capture_meta m = {};
	__u64 len = (__u64)(xdp->data_end - xdp->data), caplen = xk_snaplen;

	if (caplen > len)
		caplen = len;
	if (caplen > XK_CAPTURE_SNAP_MAX)
		caplen = XK_CAPTURE_SNAP_MAX;
	m.ts_ns = bpf_ktime_get_ns();
	m.len = len;
	m.caplen = caplen;
	m.ifindex = xdp->rxq->dev->ifindex;
	m.action = ret;
	m.hook = XK_HOOK_XDP;
	bpf_xdp_output(xdp, &xdpkit_capture, BPF_F_CURRENT_CPU | (caplen << 32), &m, sizeof(m));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
