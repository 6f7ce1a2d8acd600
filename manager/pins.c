/* The pin layout: maps pinned by name lie flat under the pin root (<root>/<map name>, as iproute2
 * lays out /sys/fs/bpf/tc/globals). Finding the pins of a program, fixing their mode, purging what
 * nothing uses. */
#include "hooks.h"
#include "xdpkit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>

/* The lock: flock on the bpffs root, as libxdp locks /sys/fs/bpf/xdp. Nested calls in one process
 * only count; the kernel drops the lock with the process, even one killed with -9. */
static int lock_fd = -1, lock_depth;

void xk_lock(void)
{
	if (lock_depth++)
		return;
	lock_fd = open("/sys/fs/bpf", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* No bpffs to lock on means no pins either; the TC side then goes unlocked, as before. */
	while (lock_fd >= 0 && flock(lock_fd, LOCK_EX) && errno == EINTR)
		;
}

void xk_unlock(void)
{
	if (!lock_depth || --lock_depth)
		return;
	if (lock_fd >= 0)
		close(lock_fd);
	lock_fd = -1;
}

int xk_prog_map_ids(__u32 prog_id, __u32 **out, __u32 *n)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), nr;
	__u32 *ids;
	int fd, err = 0;

	*out = NULL;
	*n = 0;
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	nr = info.nr_map_ids;
	ids = calloc(nr ? nr : 1, sizeof(*ids));
	if (!ids) {
		err = -ENOMEM;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = nr;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		free(ids);
		goto out;
	}
	*out = ids;
	*n = nr < info.nr_map_ids ? nr : info.nr_map_ids;
out:
	close(fd);
	return err;
}

/* Map id of a pinned file, 0 when it is not a map (a pinned program or link) or cannot be opened.
 */
static __u32 pinned_map_id(const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), id = 0;
	char fdinfo[64], line[128];
	bool is_map = false;
	FILE *f;
	int fd;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	/* get_info fills whatever struct the object has; fdinfo says whether it is a map at all. */
	snprintf(fdinfo, sizeof(fdinfo), "/proc/self/fdinfo/%d", fd);
	f = fopen(fdinfo, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "map_type:", 9))
			is_map = true;
	if (f)
		fclose(f);
	if (is_map && !bpf_obj_get_info_by_fd(fd, &info, &len))
		id = info.id;
	close(fd);
	return id;
}

int xk_pins_walk(xk_pin_fn fn, void *ctx)
{
	char path[PATH_MAX];
	struct dirent **ents;
	int i, n = scandir(xk.pin_root, &ents, NULL, alphasort);

	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (i = 0; i < n; i++) {
		__u32 id = 0;

		if (ents[i]->d_type == DT_REG) {
			snprintf(path, sizeof(path), "%s/%s", xk.pin_root, ents[i]->d_name);
			id = pinned_map_id(path);
		}
		if (id)
			fn(ents[i]->d_name, path, id, ctx);
		free(ents[i]);
	}
	free(ents);
	return 0;
}

static bool has_id(const __u32 *ids, int n, __u32 id)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

struct of_prog {
	__u32 *ids;
	__u32 n;
	xk_pin_fn fn;
	void *ctx;
};

static void of_prog_cb(const char *name, const char *path, __u32 map_id, void *ctx)
{
	struct of_prog *op = ctx;

	if (has_id(op->ids, op->n, map_id))
		op->fn(name, path, map_id, op->ctx);
}

int xk_pins_of_prog(__u32 prog_id, xk_pin_fn fn, void *ctx)
{
	struct of_prog op = {.fn = fn, .ctx = ctx};
	int err;

	err = xk_prog_map_ids(prog_id, &op.ids, &op.n);
	if (err)
		return err;
	err = xk_pins_walk(of_prog_cb, &op);
	free(op.ids);
	return err;
}

void xk_pins_fix_mode(struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj)
	{
		const char *path = bpf_map__pin_path(m);

		if (path && bpf_map__is_pinned(m))
			chmod(path, 0600);
	}
}

struct purge {
	const __u32 *gone_maps;
	int n_gone;
	const __u32 *gone_progs;
	int n_progs;
	bool orphans;
	int removed;
	int err;
};

__u32 xk_map_user(__u32 map_id, const __u32 *skip, int n_skip)
{
	__u32 id = 0, *maps, n;

	while (!bpf_prog_get_next_id(id, &id)) {
		bool uses;

		if (has_id(skip, n_skip, id) || xk_prog_map_ids(id, &maps, &n))
			continue;
		uses = has_id(maps, n, map_id);
		free(maps);
		if (uses)
			return id;
	}
	return 0;
}

static void purge_cb(const char *name, const char *path, __u32 map_id, void *ctx)
{
	struct purge *p = ctx;
	bool ours = has_id(p->gone_maps, p->n_gone, map_id);
	char pname[64];
	__u32 user;

	if (!ours && !p->orphans)
		return;
	user = xk_map_user(map_id, p->gone_progs, p->n_progs);
	if (user) {
		/* Orphan candidates in use by someone else are simply not orphans: say nothing. */
		if (ours) {
			xk_prog_info(user, pname, sizeof(pname), NULL, 0);
			printf("kept %s: still used by program %u (%s)\n", path, user, pname);
		}
		return;
	}
	if (unlink(path)) {
		p->err = -errno;
		xk_error(XK_EXIT_FAIL, "cannot remove pinned map %s: %s", path, strerror(errno));
		return;
	}
	printf("removed %s (map %s)\n", path, name);
	p->removed++;
}

int xk_pins_purge(const __u32 *gone_maps, int n_gone, const __u32 *gone_progs, int n_progs,
		  bool orphans)
{
	struct purge p = {
	    .gone_maps = gone_maps,
	    .n_gone = n_gone,
	    .gone_progs = gone_progs,
	    .n_progs = n_progs,
	    .orphans = orphans,
	};
	int err;

	/* Locked: an attach must not reuse a pin between our "no user" and our unlink. */
	xk_lock();
	err = xk_pins_walk(purge_cb, &p);
	/* The root is ours to remove once nothing is in it; ENOTEMPTY and ENOENT are fine. */
	rmdir(xk.pin_root);
	xk_unlock();
	if (err || p.err)
		return err ? err : p.err;
	return p.removed;
}

void xk_newpins_note(struct xk_newpins *np, struct bpf_object *obj)
{
	struct bpf_map *m;
	struct stat st;
	char **tmp;

	/* Held until xk_newpins_free: no other xdpkit may reuse, or purge, the pins this attach
	 * creates before it knows whether they stay (a failed attach unlinks them). */
	if (!np->locked)
		xk_lock();
	np->locked = true;
	bpf_object__for_each_map(m, obj)
	{
		const char *path = bpf_map__pin_path(m);

		if (!path || !stat(path, &st))
			continue;
		tmp = realloc(np->paths, (np->n + 1) * sizeof(*tmp));
		if (!tmp)
			return;
		np->paths = tmp;
		np->paths[np->n] = strdup(path);
		if (np->paths[np->n])
			np->n++;
	}
}

void xk_newpins_undo(struct xk_newpins *np)
{
	int i;

	for (i = 0; i < np->n; i++)
		unlink(np->paths[i]);
	rmdir(xk.pin_root);
}

void xk_newpins_free(struct xk_newpins *np)
{
	int i;

	for (i = 0; i < np->n; i++)
		free(np->paths[i]);
	free(np->paths);
	np->paths = NULL;
	np->n = 0;
	if (np->locked)
		xk_unlock();
	np->locked = false;
}
