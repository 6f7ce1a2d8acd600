/* SPDX-License-Identifier: GPL-2.0-only */
/* The Prometheus text exposition (format 0.0.4) of what runs here: verdict counters per interface,
 * hook, program and action, run time per program, rule hit counters and ratelimit drops. One writer
 * for `xdpkit stats --prometheus` and `xdpkit exporter`. */
#ifndef XDPKIT_METRICS_H
#define XDPKIT_METRICS_H

#include "model.h"

#include <stdbool.h>
#include <stdio.h>
#include <xdpkit/stats.h>

/* Rules (and ratelimit sources) shown per map by default: the ones with most hits. */
#define XK_METRICS_TOP_DEFAULT 100

struct xk_metrics_opts {
	/* Per map, the entries with the largest counts; the rest are counted as omitted. */
	long top;
};

/* Read the kernel once and write every metric family to f. 0 or -errno (nothing is written before
 * the reading that can fail is done, so a failed scrape never leaves half a document). */
int xk_metrics_write(FILE *f, const struct xk_metrics_opts *o);

/* The same into FILE, atomically (a temporary file beside it, renamed over it). 0 or an exit code
 * after printing why. */
int xk_metrics_write_file(const char *path, const struct xk_metrics_opts *o);

/* "--top N" as the verbs take it: 0 or an exit code after printing why. */
int xk_metrics_parse_top(const char *arg, long *top);

/* stats.c: the per-CPU sums of a program's xdpkit_stats array; false when it has none. */
bool xk_stats_read(const struct xk_kprog *p, struct xk_datarec *rec);

#endif
