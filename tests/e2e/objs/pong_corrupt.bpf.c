// SPDX-License-Identifier: GPL-2.0
/* For test_pong_large: on lo's TC egress, flip one bit in the last byte of every ICMP or ICMPv6
 * echo request longer than 60000 bytes, so the request arrives with a bad checksum where only
 * pong's read past frame offset 0xffff (or its last near byte) can see it. Everything else goes
 * out as it came. Built by make (build/test-objs/) so the VM guest, which has no clang, gets it. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define BIG 60000

SEC("tc")
int pong_corrupt(struct __sk_buff *skb)
{
	__u8 hdr[ETH_HLEN + 40 + 1], last;
	__u32 len = skb->len;
	int icmp_type;

	if (len < BIG || bpf_skb_load_bytes(skb, 0, hdr, sizeof(hdr)))
		return TC_ACT_OK;
	/* No options or extension headers: what ping sends. */
	if (skb->protocol == bpf_htons(ETH_P_IP) && hdr[ETH_HLEN + 9] == 1)
		icmp_type = hdr[ETH_HLEN + 20];
	else if (skb->protocol == bpf_htons(ETH_P_IPV6) && hdr[ETH_HLEN + 6] == 58)
		icmp_type = hdr[ETH_HLEN + 40];
	else
		return TC_ACT_OK;
	if (icmp_type != 8 && icmp_type != 128)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, len - 1, &last, 1))
		return TC_ACT_OK;
	last ^= 0x01;
	bpf_skb_store_bytes(skb, len - 1, &last, 1, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
