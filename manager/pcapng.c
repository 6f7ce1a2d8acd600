// SPDX-License-Identifier: GPL-2.0-only
/* A pcapng writer (draft-ietf-opsawg-pcapng): one section header, an interface description block
 * per interface (Ethernet, the snap length, its name) and an enhanced packet block per frame with
 * an opt_comment, which tcpdump and tshark show. libpcap 1.10 writes only classic pcap, which has
 * no place for a comment. Host byte order, as the format allows: readers check the byte-order
 * magic. */
#include "dump.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCAPNG_SHB 0x0A0D0D0A
#define PCAPNG_IDB 0x00000001
#define PCAPNG_EPB 0x00000006
#define PCAPNG_BOM 0x1A2B3C4D
#define OPT_END 0
#define OPT_COMMENT 1
#define IF_NAME 2
#define IF_TSRESOL 9
#define LINKTYPE_ETHERNET 1
#define MAX_IFACES 64

struct xk_pcapng {
	FILE *f;
	__u32 snaplen;
	char names[MAX_IFACES][32];
	int n;
	int err;
};

static void put(struct xk_pcapng *w, const void *p, size_t n)
{
	if (!w->err && n && fwrite(p, 1, n, w->f) != n)
		w->err = -errno ?: -EIO;
}

static void put32(struct xk_pcapng *w, __u32 v)
{
	put(w, &v, 4);
}

static void pad4(struct xk_pcapng *w, size_t n)
{
	static const __u8 zero[4];

	put(w, zero, (4 - n % 4) % 4);
}

static size_t opt_len(size_t n)
{
	return 4 + (n + 3) / 4 * 4;
}

static void put_opt(struct xk_pcapng *w, __u16 code, const void *v, size_t n)
{
	__u16 h[2] = { code, (__u16)n };

	put(w, h, 4);
	put(w, v, n);
	pad4(w, n);
}

static void put_end(struct xk_pcapng *w)
{
	put32(w, OPT_END);
}

struct xk_pcapng *xk_pcapng_open(const char *path, __u32 snaplen, int *err)
{
	struct xk_pcapng *w = calloc(1, sizeof(*w));
	__u64 section_len = (__u64)-1; /* not known in advance: allowed */
	__u16 version[2] = { 1, 0 };

	if (!w) {
		*err = -ENOMEM;
		return NULL;
	}
	w->f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	if (!w->f) {
		*err = -errno;
		free(w);
		return NULL;
	}
	w->snaplen = snaplen;
	put32(w, PCAPNG_SHB);
	put32(w, 28);
	put32(w, PCAPNG_BOM);
	put(w, version, 4);
	put(w, &section_len, 8);
	put32(w, 28);
	*err = w->err;
	return w;
}

int xk_pcapng_iface(struct xk_pcapng *w, const char *name)
{
	size_t nlen = strnlen(name, sizeof(w->names[0]) - 1);
	__u8 tsresol = 9; /* nanoseconds, as bpf_ktime_get_ns gives them */
	__u16 link[2] = { LINKTYPE_ETHERNET, 0 };
	__u32 total;
	int i;

	for (i = 0; i < w->n; i++)
		if (!strcmp(w->names[i], name))
			return i;
	if (w->n == MAX_IFACES)
		return 0;
	snprintf(w->names[w->n], sizeof(w->names[0]), "%s", name);
	total = 12 + 8 + opt_len(nlen) + opt_len(1) + 4;
	put32(w, PCAPNG_IDB);
	put32(w, total);
	put(w, link, 4);
	put32(w, w->snaplen);
	put_opt(w, IF_NAME, name, nlen);
	put_opt(w, IF_TSRESOL, &tsresol, 1);
	put_end(w);
	put32(w, total);
	return w->n++;
}

int xk_pcapng_packet(struct xk_pcapng *w, int iface, __u64 ts_ns, const void *data, __u32 caplen,
		     __u32 len, const char *comment)
{
	size_t clen = strlen(comment);
	__u32 total = 12 + 20 + (caplen + 3) / 4 * 4 + (clen ? opt_len(clen) + 4 : 0);

	put32(w, PCAPNG_EPB);
	put32(w, total);
	put32(w, (__u32)iface);
	put32(w, (__u32)(ts_ns >> 32));
	put32(w, (__u32)ts_ns);
	put32(w, caplen);
	put32(w, len);
	put(w, data, caplen);
	pad4(w, caplen);
	if (clen) {
		put_opt(w, OPT_COMMENT, comment, clen);
		put_end(w);
	}
	put32(w, total);
	return w->err;
}

int xk_pcapng_close(struct xk_pcapng *w)
{
	int err;

	if (!w)
		return 0;
	if (fflush(w->f) && !w->err)
		w->err = -errno;
	if (w->f != stdout && fclose(w->f) && !w->err)
		w->err = -errno;
	err = w->err;
	free(w);
	return err;
}
