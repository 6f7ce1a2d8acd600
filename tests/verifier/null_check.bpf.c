// SPDX-License-Identifier: GPL-2.0-only
/* verifier test (class map-null): a map value read before checking that the lookup found it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct msg {
	char message[12];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct msg);
} data SEC(".maps");

SEC("kprobe/do_sys_openat2")
int no_null_check(void *ctx)
{
	__u32 uid = bpf_get_current_uid_gid() & 0xffffffff;
	struct msg *p;
	char a;

	p = bpf_map_lookup_elem(&data, &uid);
	a = p->message[0]; /* BAD */
	return a;
}

char LICENSE[] SEC("license") = "GPL";
