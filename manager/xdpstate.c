// SPDX-License-Identifier: GPL-2.0-only
/* libxdp's dispatcher state left behind by a dispatcher that no longer runs (see xdpstate.h). */
#define _GNU_SOURCE
#include "xdpstate.h"
#include "model.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

void xk_libxdp_dir(char *buf, size_t len)
{
	const char *bpffs = getenv("LIBXDP_BPFFS");

	snprintf(buf, len, "%s/xdp", bpffs && *bpffs ? bpffs : "/sys/fs/bpf");
}

int xk_libxdp_lock(void)
{
	char dir[PATH_MAX];
	int fd;

	xk_libxdp_dir(dir, sizeof(dir));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX))
		if (errno != EINTR) {
			close(fd);
			return -errno;
		}
	return fd;
}

/* Does ifindex of the current network namespace run prog id in any XDP mode? */
static bool runs_here(int ifindex, __u32 id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q))
		return false;
	return q.prog_id == id || q.drv_prog_id == id || q.skb_prog_id == id || q.hw_prog_id == id;
}

/* Network namespaces this process can reach, one path per namespace, the current one left out. */
static int other_netns(char ***out)
{
	static const char *const dirs[] = { "/run/netns", "/proc" };
	struct stat self, st, *seen = NULL;
	char **paths = NULL, path[PATH_MAX];
	int n = 0, cap = 0, d, i;

	if (stat("/proc/self/ns/net", &self))
		return -errno;
	for (d = 0; d < 2; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *e;

		while (dir && (e = readdir(dir))) {
			if (e->d_name[0] == '.' ||
			    (d == 1 && (e->d_name[0] < '0' || e->d_name[0] > '9')))
				continue;
			snprintf(path, sizeof(path), d ? "/proc/%s/ns/net" : "/run/netns/%s",
				 e->d_name);
			if (stat(path, &st) ||
			    (st.st_ino == self.st_ino && st.st_dev == self.st_dev))
				continue;
			for (i = 0; i < n; i++)
				if (seen[i].st_ino == st.st_ino && seen[i].st_dev == st.st_dev)
					break;
			if (i < n)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				seen = realloc(seen, cap * sizeof(*seen));
				paths = realloc(paths, cap * sizeof(*paths));
				if (!seen || !paths)
					abort();
			}
			seen[n] = st;
			paths[n++] = strdup(path);
		}
		if (dir)
			closedir(dir);
	}
	free(seen);
	*out = paths;
	return n;
}

/* For each state not running here, does its dispatcher run on its ifindex in namespace path? A
 * child enters the namespace (setns changes the whole process) and answers one byte per state. */
static void runs_there(const char *path, struct xk_xdpstate *s, int n, bool *runs)
{
	int pipefd[2], status, i;
	pid_t pid;
	char *ans = calloc(n, 1);

	if (!ans || pipe(pipefd)) {
		free(ans);
		return;
	}
	pid = fork();
	if (pid == 0) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		close(pipefd[0]);
		if (fd >= 0 && !setns(fd, CLONE_NEWNET))
			for (i = 0; i < n; i++)
				ans[i] = !runs[i] && runs_here(s[i].ifindex, s[i].disp_id);
		_exit(write(pipefd[1], ans, n) == n ? 0 : 1);
	}
	close(pipefd[1]);
	if (pid > 0 && read(pipefd[0], ans, n) == n)
		for (i = 0; i < n; i++)
			runs[i] |= ans[i];
	close(pipefd[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	free(ans);
}

/* The components a state directory's pins keep loaded (files progN-prog). */
static void read_progs(struct xk_xdpstate *s)
{
	char path[PATH_MAX + 300];
	DIR *d = opendir(s->path);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd, slot;
		char tail[8];

		if (sscanf(e->d_name, "prog%d-%7s", &slot, tail) != 2 || strcmp(tail, "prog"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->path, e->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!xk_fd_is_map(fd) && !bpf_obj_get_info_by_fd(fd, &info, &len) && info.id) {
			__u32 *ids = realloc(s->prog_ids, (s->nprogs + 1) * sizeof(*ids));

			if (!ids)
				abort();
			s->prog_ids = ids;
			s->prog_ids[s->nprogs++] = info.id;
		}
		close(fd);
	}
	if (d)
		closedir(d);
}

int xk_xdpstate_stale(struct xk_xdpstate **out)
{
	struct xk_xdpstate *s = NULL;
	char dir[PATH_MAX - NAME_MAX - 2], **ns = NULL; /* room for the entry's name */
	int n = 0, kept = 0, nns, i, j;
	bool *runs;
	struct dirent *e;
	DIR *d;

	*out = NULL;
	xk_libxdp_dir(dir, sizeof(dir));
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		int ifindex;
		__u32 id;
		char end;

		if (sscanf(e->d_name, "dispatch-%d-%" SCNu32 "%c", &ifindex, &id, &end) != 2)
			continue;
		s = realloc(s, (n + 1) * sizeof(*s));
		if (!s)
			abort();
		memset(&s[n], 0, sizeof(*s));
		snprintf(s[n].path, sizeof(s[n].path), "%s/%s", dir, e->d_name);
		s[n].ifindex = ifindex;
		s[n].disp_id = id;
		n++;
	}
	closedir(d);
	if (!n)
		return 0;

	runs = calloc(n, sizeof(*runs));
	if (!runs)
		abort();
	for (i = 0; i < n; i++)
		runs[i] = runs_here(s[i].ifindex, s[i].disp_id);
	for (i = 0; i < n && runs[i]; i++)
		;
	/* Only when something does not run here: reaching other namespaces takes a fork each. */
	nns = i < n ? other_netns(&ns) : 0;
	for (j = 0; j < nns; j++) {
		runs_there(ns[j], s, n, runs);
		free(ns[j]);
	}
	free(ns);

	for (i = 0; i < n; i++) {
		if (runs[i])
			continue;
		s[kept] = s[i];
		read_progs(&s[kept]);
		kept++;
	}
	free(runs);
	if (!kept) {
		free(s);
		s = NULL;
	}
	*out = s;
	return kept;
}

void xk_xdpstate_free(struct xk_xdpstate *s, int n)
{
	int i;

	for (i = 0; s && i < n; i++)
		free(s[i].prog_ids);
	free(s);
}

int xk_xdpstate_remove(const struct xk_xdpstate *s)
{
	char path[PATH_MAX + 300];
	struct dirent *e;
	int lock, err = 0;
	DIR *d;

	/* So that no libxdp call reads or writes this state meanwhile. */
	lock = xk_libxdp_lock();
	if (lock < 0)
		return lock;
	if (runs_here(s->ifindex, s->disp_id)) {
		err = -EBUSY;
		goto out;
	}
	d = opendir(s->path);
	if (!d) {
		err = errno == ENOENT ? 0 : -errno;
		goto out;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->path, e->d_name);
		if (unlink(path) && errno != ENOENT && !err)
			err = -errno;
	}
	closedir(d);
	if (!err && rmdir(s->path) && errno != ENOENT)
		err = -errno;
out:
	close(lock);
	return err;
}
