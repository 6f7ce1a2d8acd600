/* SPDX-License-Identifier: GPL-2.0-only */
/* xdpkit dump's pieces: the capture switch of a program (dump_arm.c), the text of a record
 * (dump_text.c) and the pcapng file (pcapng.c). */
#ifndef XDPKIT_DUMP_H
#define XDPKIT_DUMP_H

#include "model.h"

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <xdpkit/capture.h>

/* A program's capture maps, found among the maps it uses (so programs attached by plain ip or tc
 * are found too). fds are -1 when absent. */
struct xk_capmaps {
	int ctl_fd;    /* the .data.xk_capture array: the switch */
	int events_fd; /* the xdpkit_capture perf event array */
};

/* 0, -ENOENT when p was not built with the capture hook, or -errno. Close with xk_capmaps_close. */
int xk_capmaps_open(const struct xk_kprog *p, struct xk_capmaps *c);
void xk_capmaps_close(struct xk_capmaps *c);

/* Switch capture on for this process at snaplen, for the verdicts (bit per enum xk_stat; 0: all)
 * only. -EBUSY (owner set to the live dump's pid) when
 * another dump that still runs has it on. */
int xk_capture_arm(const struct xk_capmaps *c, __u32 snaplen, __u32 verdicts, pid_t *owner);
/* Switch it off, if this process owns it. */
void xk_capture_disarm(const struct xk_capmaps *c);
/* Switch off every capture whose dump is gone (killed with -9); says so on stderr, one line per
 * program. Returns how many it switched off. */
int xk_capture_clear_stale(const struct xk_model *m);

/* The record text after the timestamp: "blocklist xdp DROP rule=... IP a > b: ...". */
struct xk_dump_rec {
	const char *ifname;
	const char *prog;
	const struct xk_capture_meta *meta;
	const unsigned char *data; /* meta->caplen bytes */
	const char *rule;	   /* rule text, "" when none */
};
/* A program without the hook, captured by an fexit program on it (dump_fexit.c): the kernel must
 * allow BPF to trace BPF, and the target must have BTF. events_fd: the perf event array to read
 * (close it; xk_fexit_close detaches). 0 or -errno (-EPERM, -EINVAL: refused; -ENOENT: no BTF). */
struct xk_fexit;
int xk_fexit_open(__u32 prog_id, __u32 snaplen, int *events_fd, struct xk_fexit **out);
void xk_fexit_close(struct xk_fexit *f);

/* "drop", "pass", ...: the verdict as stats folds it (TC verdicts onto the XDP action names). */
unsigned int xk_capture_slot(const struct xk_capture_meta *m);
/* The rule as text into buf ("" for none); rule_map_fd: the program's blocklist_cidr4/6 map (or -1)
 * where a prefix rule is looked up. */
void xk_rule_text(const struct xk_rule *r, int cidr4_fd, int cidr6_fd, char *buf, size_t len);
/* Decode frame bytes tcpdump-like ("IP 10.0.0.2 > 10.0.0.1: ICMP echo request, ..."). */
void xk_frame_text(const unsigned char *d, __u32 caplen, __u32 len, char *buf, size_t size);

/* A pcap filter expression compiled by libpcap for Ethernet frames (dump_filter.c: libpcap's
 * headers and libbpf's cannot meet in one file). */
struct xk_filter;
/* NULL with the reason in err (errlen bytes) when it does not compile. */
struct xk_filter *xk_filter_new(const char *expr, __u32 snaplen, char *err, size_t errlen);
bool xk_filter_match(const struct xk_filter *f, const void *data, __u32 caplen, __u32 len);
void xk_filter_free(struct xk_filter *f);

/* pcapng (pcapng.c): a section header, one interface block per interface, one enhanced packet
 * block per frame with a comment. */
struct xk_pcapng;
struct xk_pcapng *xk_pcapng_open(const char *path, __u32 snaplen, int *err);
/* The interface number for name, adding its interface block the first time. */
int xk_pcapng_iface(struct xk_pcapng *w, const char *name);
int xk_pcapng_packet(struct xk_pcapng *w, int iface, __u64 ts_ns, const void *data, __u32 caplen,
		     __u32 len, const char *comment);
int xk_pcapng_close(struct xk_pcapng *w);

#endif
