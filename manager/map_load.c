/* `xdpkit map load MAP FILE`: many entries at once, all or nothing. Every line is parsed before
 * anything is written; writes go through bpf_map_update_batch where the map supports it; a failure
 * part way is rolled back. */
#include "map.h"
#include "json.h"
#include "map_entries.h"
#include "xdpkit.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK                                                                                      \
	8192 /* elements per batch syscall: big enough to amortise, small enough for per-CPU       \
		buffers */

struct entries {
	__u8 *keys, *vals; /* n keys, n single (not per-CPU) values */
	size_t n, cap;
};

static int grow(struct entries *e, const struct xk_mapref *m)
{
	size_t cap = e->cap ? e->cap * 2 : 4096;
	__u8 *k = realloc(e->keys, cap * m->info.key_size);

	if (!k)
		return -ENOMEM;
	e->keys = k;
	k = realloc(e->vals, cap * m->info.value_size);
	if (!k)
		return -ENOMEM;
	e->vals = k;
	e->cap = cap;
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Read and check the whole file. Returns 0 or an exit code after one line "FILE:LINE: ...". */
static int parse_file(const struct xk_mapref *m, const char *file, struct entries *e)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char *line = NULL, *s, *val, err[512], tname[128];
	size_t len = 0, lineno = 0;
	int ret = 0;

	if (!f)
		return xk_error(XK_EXIT_NOTFOUND, "cannot read '%s': %s; check the path", file,
				strerror(errno));
	while (getline(&line, &len, f) >= 0) {
		__u8 *key, *v;
		char *hash;

		lineno++;
		/* '#' starts a comment at the start of a line or after a blank; no typed form
		 * contains one. */
		for (hash = strchr(line, '#'); hash; hash = strchr(hash + 1, '#'))
			if (hash == line || isspace((unsigned char)hash[-1])) {
				*hash = '\0';
				break;
			}
		s = trim(line);
		if (!*s)
			continue;
		for (val = s; *val && !isspace((unsigned char)*val); val++)
			;
		if (*val)
			*val++ = '\0';
		val = trim(val);
		if (e->n == e->cap && grow(e, m)) {
			ret = xk_error(XK_EXIT_FAIL, "out of memory at %s:%zu", file, lineno);
			break;
		}
		key = e->keys + e->n * m->info.key_size;
		v = e->vals + e->n * m->info.value_size;
		memset(key, 0, m->info.key_size);
		memset(v, 0, m->info.value_size);
		if (xk_parse_text(&m->key, s, key, err, sizeof(err))) {
			xk_type_name(&m->key, tname, sizeof(tname));
			ret = xk_error(XK_EXIT_USAGE,
				       "%s:%zu: key for map %s (%s): %s; nothing was written", file,
				       lineno, m->name, tname, err);
			break;
		}
		if (xk_map_type_is_array(m->info.type) && m->info.key_size == 4) {
			__u32 idx;

			memcpy(&idx, key, 4);
			if (idx >= m->info.max_entries) {
				ret = xk_error(XK_EXIT_USAGE,
					       "%s:%zu: key %s: map %s is an array with indexes "
					       "0-%u; nothing was written",
					       file, lineno, s, m->name, m->info.max_entries - 1);
				break;
			}
		}
		if (*val && xk_parse_text(&m->value, val, v, err, sizeof(err))) {
			xk_type_name(&m->value, tname, sizeof(tname));
			ret = xk_error(XK_EXIT_USAGE,
				       "%s:%zu: value for map %s (%s): %s; nothing was written",
				       file, lineno, m->name, tname, err);
			break;
		}
		e->n++;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

/* Write elements [from, to) one syscall each; returns how many were written before a failure. With
 * `existed` (an LPM trie that already holds entries, whose lookup matches prefixes rather than
 * keys), each write first tries BPF_NOEXIST: the kernel then says exactly whether the prefix was
 * there, and the old value is kept. */
static size_t write_each(const struct xk_mapref *m, const struct entries *e, size_t from, size_t to,
			 __u8 *spread, bool *existed, __u8 *olds, int *err)
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
static int write_all(const struct xk_mapref *m, const struct entries *e, bool *lpm_existed,
		     __u8 *lpm_olds, size_t *written)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	size_t vb = xk_mapref_value_bytes(m), i, c;
	__u8 *buf = malloc(CHUNK * vb);
	bool batch = !lpm_existed;
	int err = 0;

	*written = 0;
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < e->n && !err; i += CHUNK) {
		size_t end = i + CHUNK < e->n ? i + CHUNK : e->n;
		__u32 count = end - i;

		if (batch) {
			const void *vals = e->vals + i * m->info.value_size;

			if (m->percpu) {
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
static int rollback(const struct xk_mapref *m, const struct entries *e, size_t written,
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
	struct entries e = {0};
	struct xk_mapref m;
	bool *existed = NULL;
	__u8 *olds = NULL, *probe = NULL;
	size_t written = 0, vb, i;
	const char *file;
	bool lpm = false;
	int err, at = 1;

	if (argc > 1 && xk_is_help(argv[1])) {
		printf(
		    "Usage: xdpkit map load MAP FILE\n"
		    "FILE ('-' for stdin): one 'KEY [VALUE]' a line, as 'xdpkit map dump' prints "
		    "them; '#' comments\n"
		    "and blank lines are skipped. Every line is checked before anything is "
		    "written; a failed write\n"
		    "is rolled back. A missing VALUE is zero; struct fields not named are zero.\n");
		return XK_EXIT_OK;
	}
	err = xk_need_root();
	if (err)
		return err;
	err = xk_mapref_open(argc, argv, &at, &m);
	if (err)
		return err;
	if (at != argc - 1) {
		xk_mapref_close(&m);
		return xk_error(XK_EXIT_USAGE,
				"map load needs MAP and FILE; usage: xdpkit map load MAP FILE");
	}
	file = argv[at];
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
			existed[i] =
			    !bpf_map_lookup_elem(m.fd, e.keys + i * m.info.key_size, olds + i * vb);
	}
	err = write_all(&m, &e, lpm ? existed : NULL, olds, &written);
	if (err) {
		int fails = rollback(&m, &e, written, existed, olds);

		if (err == -E2BIG)
			xk_error(XK_EXIT_FAIL,
				 "%s: map %s is full (max_entries %u) after %zu of %zu entries",
				 file, m.name, m.info.max_entries, written, e.n);
		else
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
	if (!xk_map_type_is_array(m.info.type)) {
		int n = xk_entries_recount(&m);

		if (n < 0) {
			err = xk_error(
			    XK_EXIT_FAIL,
			    "loaded %s, but could not update the <map>_entries count of %s: %s",
			    file, m.name, strerror(-n));
			goto out;
		}
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
