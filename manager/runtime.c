// SPDX-License-Identifier: GPL-2.0-only
/* Per-program cost from the kernel's BPF run-time statistics: turned on for as long as `xdpkit
 * stats` runs, read from bpf_prog_info (run_time_ns, run_cnt), shown as ns per run over the
 * interval. */
#include "runtime.h"
#include "xdpkit.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* On while we hold a descriptor, or when the sysctl says so: then a program that ran was timed.
 * The sysctl is read again on each reading: a long-running reader (the exporter) sees it change. */
static bool stats_on, fd_held;

int xk_runtime_enable(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (fd < 0)
		return -errno;
	stats_on = fd_held = true;
	return fd;
}

static bool sysctl_on(void)
{
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "re");
	int v = 0;

	if (!f)
		return false;
	if (fscanf(f, "%d", &v) != 1)
		v = 0;
	fclose(f);
	return v != 0;
}

bool xk_runtime_counting(void)
{
	return fd_held || sysctl_on();
}

static bool read_counters(__u32 id, struct xk_runtime *rt)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return false;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return false;
	}
	close(fd);
	rt->counted_id = id;
	rt->run_time_ns = info.run_time_ns;
	rt->run_cnt = info.run_cnt;
	return true;
}

void xk_runtime_read(const struct xk_attached *at, struct xk_runtime *rt)
{
	__u32 disp = at->dispatcher;

	memset(rt, 0, sizeof(*rt));
	stats_on = fd_held || sysctl_on();
	rt->dispatcher = disp != 0;
	rt->valid = read_counters(disp ? disp : at->prog_id, rt);
}

void xk_runtime_print(struct jw *w, const struct xk_runtime *rt, const struct xk_runtime *old,
		      double dt)
{
	/* Counters that went down belong to another program (the chain was rebuilt): no interval. */
	bool span = old && old->valid && rt->valid && old->counted_id == rt->counted_id &&
		    rt->run_cnt >= old->run_cnt && rt->run_time_ns >= old->run_time_ns && dt > 0;
	__u64 runs = span ? rt->run_cnt - old->run_cnt : 0;
	double ns = runs ? (double)(rt->run_time_ns - old->run_time_ns) / runs : 0;
	char a[32], b[32], whose[96] = "";

	if (rt->dispatcher)
		snprintf(whose, sizeof(whose),
			 " of the whole chain (dispatcher id %u: the kernel times it, not each program in it)",
			 rt->counted_id);
	if (w) {
		jw_key(w, "run_time");
		if (!rt->valid) {
			jw_null(w);
			return;
		}
		jw_obj_start(w);
		jw_kbool(w, "counting", stats_on);
		jw_kuint(w, "counted_id", rt->counted_id);
		jw_kbool(w, "dispatcher", rt->dispatcher);
		jw_kuint(w, "run_time_ns", rt->run_time_ns);
		jw_kuint(w, "run_cnt", rt->run_cnt);
		jw_key(w, "ns_per_run");
		if (runs)
			jw_float(w, ns);
		else
			jw_null(w);
		jw_key(w, "runs_per_s");
		if (span)
			jw_float(w, runs / dt);
		else
			jw_null(w);
		jw_obj_end(w);
		return;
	}
	if (!rt->valid)
		return;
	if (!stats_on)
		printf("  run time: not counted (the kernel's BPF run-time statistics are off: Linux 5.8+ turns them on for xdpkit stats, older ones with sysctl kernel.bpf_stats_enabled=1)\n");
	else if (runs)
		printf("  run time: %.1f ns per run%s, %s runs/s\n", ns, whose,
		       xk_thousands((__u64)(runs / dt + 0.5), a, sizeof(a)));
	else if (rt->run_cnt)
		printf("  run time: no runs in the interval%s (before: %.1f ns per run over %s runs)\n",
		       whose, (double)rt->run_time_ns / rt->run_cnt,
		       xk_thousands(rt->run_cnt, b, sizeof(b)));
	else if (span)
		printf("  run time: no runs in the interval%s\n", whose);
}
