// SPDX-License-Identifier: GPL-2.0-only
/* xk-fill: the benchmarks' rule writer. Fills a pinned IPv4 hash or LPM trie with COUNT generated
 * keys in big batches, so `make bench` can set up a million rules in a second and spend its time
 * measuring.
 *
 *   xk-fill PIN hash4 FIRST COUNT [STEP] [--value N]   keys FIRST, FIRST+STEP, ... (IPv4, network
 * order) xk-fill PIN lpm4 FIRST COUNT PREFIXLEN [--value N] [--step S] prefixes FIRST/LEN, then
 * every S-th /LEN after it (default 1: each next one)
 *
 * Every value (on every CPU of a per-CPU map) is N in its first 8 bytes, rest zero: 0 for xdpkit's
 * hit counters, 1 (MAP_FLAG_SRC) for xdp-filter's filter_ipv4. Prints nothing on success; one line
 * and exit 1 on failure. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 65536

struct lpm4 {
	__u32 prefixlen;
	__u32 addr;
};

static int die(const char *what, int err)
{
	fprintf(stderr, "xk-fill: %s: %s\n", what, strerror(err));
	return 1;
}

int main(int argc, char **argv)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info), first, count, arg, i, done, n, vsize, ncpu = 1;
	unsigned long long value = 0;
	__u32 step = 1;
	struct in_addr a;
	void *keys, *vals;
	int fd, lpm, c, pos = 0;
	char *pa[5];

	for (c = 1; c < argc; c++) {
		if (!strcmp(argv[c], "--value") && c + 1 < argc)
			value = strtoull(argv[++c], NULL, 0);
		else if (!strcmp(argv[c], "--step") && c + 1 < argc)
			step = strtoul(argv[++c], NULL, 0);
		else if (pos < 5)
			pa[pos++] = argv[c];
	}
	if (pos < 4 || (strcmp(pa[1], "hash4") && strcmp(pa[1], "lpm4"))) {
		fprintf(stderr,
			"usage: xk-fill PIN hash4|lpm4 FIRST COUNT [STEP|PREFIXLEN] [--value N] [--step S]\n");
		return 2;
	}
	lpm = !strcmp(pa[1], "lpm4");
	if (inet_pton(AF_INET, pa[2], &a) != 1) {
		fprintf(stderr, "xk-fill: '%s' is not an IPv4 address\n", pa[2]);
		return 2;
	}
	first = ntohl(a.s_addr);
	count = strtoul(pa[3], NULL, 0);
	arg = pos > 4 ? strtoul(pa[4], NULL, 0) : (lpm ? 24 : 1);
	if (lpm && (arg < 1 || arg > 32)) {
		fprintf(stderr, "xk-fill: prefix length %u is not in 1..32\n", arg);
		return 2;
	}

	fd = bpf_obj_get(pa[0]);
	if (fd < 0)
		return die(pa[0], errno);
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
		return die("map info", errno);
	if (info.key_size != (lpm ? sizeof(struct lpm4) : 4) || info.value_size < 8) {
		fprintf(stderr,
			"xk-fill: %s has %uB keys and %uB values; not an IPv4 %s with 8B values\n",
			pa[0], info.key_size, info.value_size, lpm ? "trie" : "hash");
		return 2;
	}
	if (info.type == BPF_MAP_TYPE_PERCPU_HASH || info.type == BPF_MAP_TYPE_LRU_PERCPU_HASH)
		ncpu = libbpf_num_possible_cpus();
	/* Per-CPU values come to the kernel 8-byte aligned, one per possible CPU. */
	vsize = ncpu > 1 ? (info.value_size + 7) / 8 * 8 : info.value_size;
	keys = calloc(CHUNK, info.key_size);
	vals = calloc((size_t)CHUNK * ncpu, vsize);
	if (!keys || !vals)
		return die("memory", ENOMEM);
	for (i = 0; i < (__u32)CHUNK * ncpu; i++)
		memcpy((char *)vals + (size_t)i * vsize, &value, sizeof(value));

	for (done = 0; done < count; done += n) {
		__u32 batch;

		n = count - done < CHUNK ? count - done : CHUNK;
		for (i = 0; i < n; i++) {
			__u32 k = done + i;

			if (lpm) {
				struct lpm4 *key = (struct lpm4 *)keys + i;

				key->prefixlen = arg;
				key->addr = htonl(
					first + (arg == 32 ? k * step : (k * step) << (32 - arg)));
			} else {
				((__u32 *)keys)[i] = htonl(first + k * arg);
			}
		}
		batch = n;
		if (!bpf_map_update_batch(fd, keys, vals, &batch, NULL))
			continue;
		if (errno != EINVAL && errno != ENOTSUP && errno != EOPNOTSUPP)
			return die("batch update", errno);
		/* Maps without batch operations (LPM tries): one element at a time. */
		for (i = 0; i < n; i++)
			if (bpf_map_update_elem(fd, (char *)keys + (size_t)i * info.key_size, vals,
						BPF_ANY))
				return die("update", errno);
	}
	return 0;
}
