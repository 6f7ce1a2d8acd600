// SPDX-License-Identifier: GPL-2.0-only
/* `xdpkit map load MAP FILE`: many entries at once, all or nothing. Every line is parsed before
 * anything is written; writes go through bpf_map_update_batch where the map supports it; a failure
 * part way is rolled back. */
#include "capacity.h"
#include "map.h"
#include "json.h"
#include "load_parse.h"
#include "xdpkit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Elements per batch syscall, and the most bytes of values one may take from a separate buffer
 * (per-CPU values spread out once per possible CPU, or zeros). */
#define CHUNK 65536
#define SPREAD_BYTES (16 << 20)

/* The whole input in memory: a regular file mapped, anything else (stdin, a pipe) read. */
struct text {
	char *buf;
	size_t len;
	bool mapped;
};

static int read_text(const char *file, struct text *t)
{
	int fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	size_t cap = 0;
	struct stat st;
	ssize_t r;
	int err = 0;

	*t = (struct text){ 0 };
	if (fd < 0)
		return -errno;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0) {
		t->buf = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (t->buf != MAP_FAILED) {
			t->len = st.st_size;
			t->mapped = true;
			goto out;
		}
		t->buf = NULL;
	}
	for (;;) {
		if (t->len == cap) {
			char *nb = realloc(t->buf, cap = cap ? cap * 2 : 1 << 20);

			if (!nb) {
				err = -ENOMEM;
				break;
			}
			t->buf = nb;
		}
		r = read(fd, t->buf + t->len, cap - t->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? -errno : 0;
			break;
		}
		t->len += r;
	}
out:
	if (fd != STDIN_FILENO)
		close(fd);
	return err;
}

static void free_text(struct text *t)
{
	if (t->mapped)
		munmap(t->buf, t->len);
	else
		free(t->buf);
	t->buf = NULL;
}

/* Read and check the whole file. Returns 0 or an exit code after one line "FILE:LINE: ...". */
static int parse_file(const struct xk_mapref *m, const char *file, struct xk_load_entries *e)
{
	struct xk_load_map lm = {
		.name = m->name,
		.key = &m->key,
		.value = &m->value,
		.key_size = m->info.key_size,
		.value_size = m->info.value_size,
		.index_max = xk_map_type_is_array(m->info.type) ? m->info.max_entries : 0,
	};
	char err[1024];
	struct text t;
	size_t line;
	int ret;

	ret = read_text(file, &t);
	if (ret) {
		free_text(&t);
		return xk_error(ret == -ENOMEM ? XK_EXIT_FAIL : XK_EXIT_NOTFOUND,
				"cannot read '%s': %s; check the path", file, strerror(-ret));
	}
	ret = xk_load_parse(&lm, t.buf, t.len, e, &line, err, sizeof(err));
	free_text(&t);
	if (ret == -ENOMEM)
		return xk_error(XK_EXIT_FAIL, "out of memory for the %zu lines of %s", line, file);
	if (ret)
		return xk_error(XK_EXIT_USAGE, "%s:%zu: %s; nothing was written", file, line, err);
	return 0;
}

/* Write elements [from, to) one syscall each; returns how many were written before a failure. With
 * `existed` (an LPM trie that already holds entries, whose lookup matches prefixes rather than
 * keys), each write first tries BPF_NOEXIST: the kernel then says exactly whether the prefix was
 * there, and the old value is kept. */
static size_t write_each(const struct xk_mapref *m, const struct xk_load_entries *e, size_t from,
			 size_t to, __u8 *spread, bool *existed, __u8 *olds, int *err)
{
	size_t vb = xk_mapref_value_bytes(m), i;

	for (i = from; i < to; i++) {
		const __u8 *key = e->keys + i * m->info.key_size;

		xk_map_spread(m, e->vals + i * m->info.value_size, spread);
		if (existed) {
			if (!bpf_map_update_elem(m->fd, key, spread, BPF_NOEXIST))
				continue;
			if (errno != EEXIST || bpf_map_lookup_elem(m->fd, key, olds + i * vb)) {
				*err = -errno;
				return i - from;
			}
			existed[i] = true;
		}
		if (bpf_map_update_elem(m->fd, key, spread, BPF_ANY)) {
			*err = -errno;
			return i - from;
		}
	}
	return to - from;
}

/* Write everything; on failure *written says how many leading elements reached the map. */
static int write_all(const struct xk_mapref *m, const struct xk_load_entries *e, bool *lpm_existed,
		     __u8 *lpm_olds, size_t *written)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	size_t vb = xk_mapref_value_bytes(m), i, c, chunk = CHUNK;
	bool batch = !lpm_existed, chunk_buf = m->percpu || !e->valued;
	__u8 *buf;
	int err = 0;

	/* Without values (a plain key list) every batch takes the same zeroed chunk, so the kernel
	 * reads one small buffer again instead of faulting in all of e->vals. */
	if (chunk_buf && chunk * vb > SPREAD_BYTES)
		chunk = SPREAD_BYTES / vb ? SPREAD_BYTES / vb : 1;
	buf = calloc(chunk_buf ? chunk : 1, vb);
	*written = 0;
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < e->n && !err; i += chunk) {
		size_t end = i + chunk < e->n ? i + chunk : e->n;
		__u32 count = end - i;

		if (batch) {
			const void *vals = e->vals + i * m->info.value_size;

			if (!e->valued) {
				vals = buf;
			} else if (m->percpu) {
				for (c = i; c < end; c++)
					xk_map_spread(m, e->vals + c * m->info.value_size,
						      buf + (c - i) * vb);
				vals = buf;
			}
			if (!bpf_map_update_batch(m->fd, e->keys + i * m->info.key_size, vals,
						  &count, &opts)) {
				*written += count;
				continue;
			}
			err = -errno;
			/* Maps without batch support (LPM tries) say so before touching anything.
			 */
			if (count == 0 && (err == -EINVAL || err == -ENOTSUP ||
					   err == -EOPNOTSUPP || err == -524)) {
				batch = false;
				err = 0;
			} else {
				*written += count;
				break;
			}
		}
		*written += write_each(m, e, i, end, buf, lpm_existed, lpm_olds, &err);
	}
	free(buf);
	return err;
}

/* Put the map back as it was: delete keys that were new, restore old values of the others. */
static int rollback(const struct xk_mapref *m, const struct xk_load_entries *e, size_t written,
		    const bool *existed, const __u8 *olds)
{
	size_t vb = xk_mapref_value_bytes(m), i;
	int fails = 0;

	for (i = written; i-- > 0;) {
		const __u8 *key = e->keys + i * m->info.key_size;

		if (existed && existed[i]) {
			if (bpf_map_update_elem(m->fd, key, olds + i * vb, BPF_ANY))
				fails++;
		} else if (bpf_map_delete_elem(m->fd, key) && errno != ENOENT) {
			fails++;
		}
	}
	return fails;
}

int xk_map_load(int argc, char **argv)
{
	struct xk_load_entries e = { 0 };
	struct xk_mapref m;
	bool *existed = NULL;
	__u8 *olds = NULL, *probe = NULL;
	size_t written = 0, vb, i;
	const char *file;
	bool lpm = false;
	struct xk_words w;
	int err, at;

	err = xk_opts_parse(&xk_verb_map_load, argc, argv, NULL, NULL, &w);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	err = xk_need_root();
	if (err)
		return err;
	at = 0;
	err = xk_mapref_open(w.n, w.pos, &at, &m);
	if (err)
		return err;
	if (at != w.n - 1) {
		xk_mapref_close(&m);
		return xk_error(XK_EXIT_USAGE,
				"map load needs MAP and FILE; usage: xdpkit map load MAP FILE");
	}
	file = w.pos[at];
	err = parse_file(&m, file, &e);
	if (err)
		goto out;

	/* Old state for a rollback. An empty map (the usual bulk load) needs no per-key look-up:
	 * all keys are new. */
	vb = xk_mapref_value_bytes(&m);
	probe = malloc(m.info.key_size);
	if (!probe) {
		err = xk_error(XK_EXIT_FAIL, "out of memory");
		goto out;
	}
	if (e.n && !bpf_map_get_next_key(m.fd, NULL, probe)) {
		existed = calloc(e.n, sizeof(*existed));
		olds = malloc(e.n * vb);
		if (!existed || !olds) {
			err = xk_error(XK_EXIT_FAIL,
				       "out of memory for the rollback copy of %zu entries", e.n);
			goto out;
		}
		lpm = m.info.type == BPF_MAP_TYPE_LPM_TRIE;
		for (i = 0; !lpm && i < e.n; i++)
			existed[i] = !bpf_map_lookup_elem(m.fd, e.keys + i * m.info.key_size,
							  olds + i * vb);
	}
	err = write_all(&m, &e, lpm ? existed : NULL, olds, &written);
	if (err) {
		int fails = rollback(&m, &e, written, existed, olds);

		if (err == -E2BIG) {
			xk_error(XK_EXIT_FAIL,
				 "%s: map %s is full (max_entries %u) after %zu of %zu entries",
				 file, m.name, m.info.max_entries, written, e.n);
			xk_capacity_full_hint(m.name, m.info.max_entries);
		} else
			xk_error(XK_EXIT_FAIL,
				 "%s: writing map %s failed after %zu of %zu entries: %s", file,
				 m.name, written, e.n, strerror(-err));
		if (fails)
			xk_hint("the rollback failed for %d entries: the map holds part of the "
				"file; check it with 'xdpkit map dump %s'",
				fails, m.name);
		else
			fprintf(stderr, "xdpkit: rolled back: map %s is as it was before\n",
				m.name);
		err = XK_EXIT_FAIL;
		goto out;
	}
	if (xk.json) {
		struct jw *w = jw_new(stdout);

		jw_obj_start(w);
		jw_kstr(w, "map", m.name);
		jw_kstr(w, "file", file);
		jw_kuint(w, "loaded", e.n);
		jw_obj_end(w);
		jw_free(w);
	} else {
		printf("loaded %zu entries from %s into %s\n", e.n, file, m.name);
	}
out:
	free(e.keys);
	free(e.vals);
	free(existed);
	free(olds);
	free(probe);
	xk_mapref_close(&m);
	return err;
}

static const enum xk_complete load_pos[] = { XK_C_MAP, XK_C_FILE };

const struct xk_verb xk_verb_map_load = {
	.name = "map load",
	.summary = "one 'KEY [VALUE]' a line from FILE, all or nothing",
	.synopsis = "map load MAP FILE",
	.description =
		"FILE ('-' for stdin): one 'KEY [VALUE]' a line, as 'xdpkit map dump' prints "
		"them; '#' comments and blank lines are skipped. Every line is checked before "
		"anything is written; a failed write is rolled back. A missing VALUE is zero; "
		"struct fields not named are zero.",
	.pos = load_pos,
	.npos = 2,
	.max_words = -1,
	.fn = xk_map_load,
};
