/* SPDX-License-Identifier: GPL-2.0-only */
/* What each attached program costs per packet, from the kernel's BPF run-time statistics
 * (run_time_ns and run_cnt of bpf_prog_info: what bpftop shows). The kernel counts them only while
 * someone asks for them (BPF_ENABLE_STATS, or the sysctl kernel.bpf_stats_enabled), because taking
 * the time around every run costs time itself. */
#ifndef XDPKIT_RUNTIME_H
#define XDPKIT_RUNTIME_H

#include <stdbool.h>
#include <linux/types.h>

#include "json.h"
#include "model.h"

/* One reading of one attached program's counters. A program behind libxdp's dispatcher runs as an
 * extension (freplace) jumped to from the dispatcher, which the kernel does not time on its own:
 * then the reading is the dispatcher's, for the whole chain. */
struct xk_runtime {
	bool valid;	   /* the kernel gave the counters */
	__u32 counted_id;  /* the program whose counters these are */
	bool dispatcher;   /* counted_id is the dispatcher that runs this program */
	__u64 run_time_ns; /* since load, while statistics were on */
	__u64 run_cnt;
};

/* Ask the kernel to time every BPF program run for as long as the returned descriptor is open
 * (Linux 5.8+). The kernel counts such requests together with the sysctl, so closing it puts back
 * whatever was on before. A descriptor, or -errno. */
int xk_runtime_enable(void);

/* Does the kernel time program runs now (our descriptor, or the sysctl)? */
bool xk_runtime_counting(void);

/* The counters for the program at `at` (its own, or its dispatcher's). */
void xk_runtime_read(const struct xk_attached *at, struct xk_runtime *rt);

/* Print the cost per packet between two readings dt seconds apart (old NULL: no interval yet):
 * a JSON member "run_time" (w set) or one indented line. */
void xk_runtime_print(struct jw *w, const struct xk_runtime *rt, const struct xk_runtime *old,
		      double dt);

#endif
