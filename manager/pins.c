// SPDX-License-Identifier: GPL-2.0-only
/* The pin layout: maps pinned by name lie flat under the pin root (<root>/<map name>, as iproute2
 * lays out /sys/fs/bpf/tc/globals). Finding the pins of a program, fixing their mode, purging what
 * nothing uses. */
#include "hooks.h"
#include "model.h"
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

static bool has_id(const __u32 *ids, int n, __u32 id)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

void xk_pins_fix_mode(struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		const char *path = bpf_map__pin_path(m);

		if (path && bpf_map__is_pinned(m))
			chmod(path, 0600);
	}
}

int xk_pins_purge(const __u32 *gone_maps, int n_gone, const __u32 *gone_progs, int n_progs,
		  bool orphans, bool dry_run)
{
	struct xk_model m;
	int i, removed = 0, err;
	__u32 user;

	/* Locked, and read afresh: an attach must not reuse a pin between our "no user" and our
	 * unlink, and the programs a detach just took away must be gone from the reading. */
	xk_lock();
	err = xk_model_read(&m, XK_MODEL_PROGS | XK_MODEL_PINS, 0);
	for (i = 0; !err && i < m.npins; i++) {
		const struct xk_pin *p = &m.pins[i];
		bool ours = has_id(gone_maps, n_gone, p->map_id);

		if (!ours && !orphans)
			continue;
		if (xk_model_map_users(&m, p->map_id, gone_progs, n_progs, &user, 1)) {
			/* Orphan candidates in use by someone else are simply not orphans: say
			 * nothing. */
			if (ours)
				printf("kept %s: still used by program %u (%s)\n", p->path, user,
				       xk_model_prog(&m, user)->name);
			continue;
		}
		if (dry_run) {
			printf("would remove %s (map %s, id %u): no loaded program uses it\n",
			       p->path, p->name, p->map_id);
			removed++;
			continue;
		}
		if (unlink(p->path)) {
			err = -errno;
			xk_error(XK_EXIT_FAIL, "cannot remove pinned map %s: %s", p->path,
				 strerror(errno));
			break;
		}
		printf("removed %s (map %s)\n", p->path, p->name);
		removed++;
	}
	/* The root is ours to remove once nothing is in it; ENOTEMPTY and ENOENT are fine. */
	if (!dry_run)
		rmdir(xk.pin_root);
	xk_model_free(&m);
	xk_unlock();
	return err ? err : removed;
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
	bpf_object__for_each_map(m, obj) {
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
