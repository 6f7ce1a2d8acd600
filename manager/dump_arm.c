// SPDX-License-Identifier: GPL-2.0-only
/* The capture switch of a program (include/xdpkit/capture.h): found among its maps, switched on by
 * a dump with the dump's pid and start time as owner, off again when the dump ends, and found stale
 * by a later dump or status when the owner died without switching it off (kill -9). */
#include "dump.h"
#include "xdpkit.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Field 22 of /proc/PID/stat, the start time in clock ticks after boot: with the pid it names one
 * process, even when the pid is reused later. 0 when the process is gone. */
static __u64 proc_start(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	FILE *f;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL; /* the name may hold spaces */
	fclose(f);
	/* After ")": field 3 is the state. */
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		sscanf(p + 1, "%llu", &start);
	return start;
}

static bool owner_alive(const struct xk_capture_ctl *c)
{
	return c->owner_pid && c->owner_start && proc_start((pid_t)c->owner_pid) == c->owner_start;
}

static bool is_map(int fd, struct bpf_map_info *mi)
{
	__u32 len = sizeof(*mi);

	memset(mi, 0, sizeof(*mi));
	return !bpf_obj_get_info_by_fd(fd, mi, &len);
}

int xk_capmaps_open(const struct xk_kprog *p, struct xk_capmaps *c)
{
	__u32 i;

	c->ctl_fd = c->events_fd = -1;
	for (i = 0; p && i < p->nmaps; i++) {
		struct bpf_map_info mi;
		int fd = bpf_map_get_fd_by_id(p->map_ids[i]);

		if (fd < 0)
			continue;
		if (is_map(fd, &mi) && c->ctl_fd < 0 && mi.type == BPF_MAP_TYPE_ARRAY &&
		    /* The kernel keeps 15 characters of libbpf's map name, the section's. */
		    !strncmp(mi.name, XK_CAPTURE_SEC, BPF_OBJ_NAME_LEN - 1) &&
		    mi.value_size == sizeof(struct xk_capture_ctl)) {
			c->ctl_fd = fd;
			continue;
		}
		if (c->events_fd < 0 && mi.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY &&
		    !strcmp(mi.name, XK_CAPTURE_EVENTS)) {
			c->events_fd = fd;
			continue;
		}
		close(fd);
	}
	if (c->ctl_fd >= 0 && c->events_fd >= 0)
		return 0;
	xk_capmaps_close(c);
	return -ENOENT;
}

void xk_capmaps_close(struct xk_capmaps *c)
{
	if (c->ctl_fd >= 0)
		close(c->ctl_fd);
	if (c->events_fd >= 0)
		close(c->events_fd);
	c->ctl_fd = c->events_fd = -1;
}

int xk_capture_arm(const struct xk_capmaps *c, __u32 snaplen, __u32 verdicts, pid_t *owner)
{
	struct xk_capture_ctl ctl;
	__u32 zero = 0;

	if (!bpf_map_lookup_elem(c->ctl_fd, &zero, &ctl) && ctl.on && owner_alive(&ctl) &&
	    ctl.owner_pid != (__u32)getpid()) {
		*owner = (pid_t)ctl.owner_pid;
		return -EBUSY;
	}
	memset(&ctl, 0, sizeof(ctl));
	ctl.on = 1;
	ctl.snaplen = snaplen;
	ctl.verdicts = verdicts;
	ctl.owner_pid = (__u32)getpid();
	ctl.owner_start = proc_start(getpid());
	return bpf_map_update_elem(c->ctl_fd, &zero, &ctl, BPF_ANY) ? -errno : 0;
}

void xk_capture_disarm(const struct xk_capmaps *c)
{
	struct xk_capture_ctl ctl, off = {};
	__u32 zero = 0;

	if (c->ctl_fd < 0 || bpf_map_lookup_elem(c->ctl_fd, &zero, &ctl) ||
	    ctl.owner_pid != (__u32)getpid())
		return;
	bpf_map_update_elem(c->ctl_fd, &zero, &off, BPF_ANY);
}

int xk_capture_clear_stale(const struct xk_model *m)
{
	int i, n = 0;

	for (i = 0; i < m->nprogs; i++) {
		struct xk_capture_ctl ctl, off = {};
		struct xk_capmaps c;
		__u32 zero = 0;

		if (xk_capmaps_open(&m->progs[i], &c))
			continue;
		if (!bpf_map_lookup_elem(c.ctl_fd, &zero, &ctl) && ctl.on && !owner_alive(&ctl) &&
		    !bpf_map_update_elem(c.ctl_fd, &zero, &off, BPF_ANY)) {
			fprintf(stderr,
				"xdpkit: switched off the capture of %s (id %u): the dump that started it (pid %u) is gone\n",
				m->progs[i].name, m->progs[i].id, ctl.owner_pid);
			n++;
		}
		xk_capmaps_close(&c);
	}
	return n;
}
