// SPDX-License-Identifier: GPL-2.0-only
/* xdpkit save [FILE]: what runs, as a file `xdpkit apply` takes: the programs on every hook of
 * every interface (by collection name), their place (XDP mode, run priority behind a dispatcher,
 * TC pref), and the rules of the maps they pin under the pin root. Hit counters are state, not
 * rules: a map whose value is a counter (xk_hits) is saved as keys alone, so an apply keeps the
 * counts that run. Run in a named network namespace (-n NS), it writes NS as each interface's
 * netns, so the file applies from anywhere. */
#include "apply.h"
#include "map.h"
#include "model.h"
#include "opts.h"
#include "xdpkit.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#define MAX_OBJS 64

/* The collection's objects and the kernel names of their XDP and TC programs, read once. */
static struct {
	char word[64];
	char xdp[64], tc[64];
} coll[MAX_OBJS];
static int ncoll = -1;

static void read_collection(void)
{
	struct dirent **de;
	int n, i;

	ncoll = 0;
	if (!xk.prog_dir)
		return;
	n = scandir(xk.prog_dir, &de, NULL, alphasort);
	for (i = 0; i < n; i++) {
		size_t len = strlen(de[i]->d_name);
		char path[4096];
		struct bpf_object *obj;
		struct bpf_program *p;

		if (len > 6 && !strcmp(de[i]->d_name + len - 6, ".bpf.o") && ncoll < MAX_OBJS) {
			snprintf(path, sizeof(path), "%s/%s", xk.prog_dir, de[i]->d_name);
			obj = bpf_object__open_file(path, NULL);
			if (!libbpf_get_error(obj)) {
				snprintf(coll[ncoll].word, sizeof(coll[ncoll].word), "%.*s",
					 (int)(len - 6), de[i]->d_name);
				p = xk_obj_xdp_entry(obj);
				if (p)
					snprintf(coll[ncoll].xdp, 64, "%s", bpf_program__name(p));
				bpf_object__for_each_program(p, obj)
					if (xk_prog_hook(p) && !strcmp(xk_prog_hook(p), "tc") &&
					    !coll[ncoll].tc[0])
						snprintf(coll[ncoll].tc, 64, "%s",
							 bpf_program__name(p));
				ncoll++;
				bpf_object__close(obj);
			}
		}
		free(de[i]);
	}
	if (n > 0)
		free(de);
}

const char *xk_collection_word(const char *kname, bool tc)
{
	int i;

	if (ncoll < 0)
		read_collection();
	for (i = 0; i < ncoll; i++) {
		const char *n = tc ? coll[i].tc : coll[i].xdp;

		if (*n && xk_kname_matches(kname, n))
			return coll[i].word;
	}
	return NULL;
}

/* A YAML double-quoted string. */
static void quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void save_prog(FILE *f, const struct xk_model *m, __u32 id, bool tc, long prio,
		      const char *where, int *unknown)
{
	const struct xk_kprog *kp = xk_model_prog(m, id);
	const char *w = kp ? xk_collection_word(kp->name, tc) : NULL;

	if (!w) {
		fprintf(f, "        # program %s (id %u) is not from the collection: not saved\n",
			kp ? kp->name : "?", id);
		fprintf(stderr,
			"xdpkit: %s: program %s (id %u) is not from the collection (%s); the file leaves it out, so apply would remove it: add its object path by hand\n",
			where, kp ? kp->name : "?", id, xk.prog_dir);
		(*unknown)++;
		return;
	}
	if (prio >= 0)
		fprintf(f, "        - {program: %s, prio: %ld}\n", w, prio);
	else
		fprintf(f, "        - %s\n", w);
}

/* The name (in /run/netns, as ip netns add makes them) of the network namespace save runs in,
 * when it is not the first process's: written as each interface's netns, so the file applies
 * from anywhere. NULL otherwise. */
static const char *netns_name(void)
{
	static char name[NAME_MAX + 1];
	struct stat self, init, st;
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (stat("/proc/self/ns/net", &self) ||
	    (!stat("/proc/1/ns/net", &init) && init.st_ino == self.st_ino &&
	     init.st_dev == self.st_dev))
		return NULL;
	d = opendir("/run/netns");
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
		if (de->d_name[0] != '.' && !stat(path, &st) && st.st_ino == self.st_ino &&
		    st.st_dev == self.st_dev) {
			snprintf(name, sizeof(name), "%s", de->d_name);
			closedir(d);
			return name;
		}
	}
	closedir(d);
	return NULL;
}

static void save_iface(FILE *f, const struct xk_model *m, const struct xk_iface *fc, int *unknown)
{
	const char *ns = netns_name();
	int j, d, n;

	fprintf(f, "  %s:\n", fc->name);
	if (ns)
		fprintf(f, "    netns: %s\n", ns);
	if (fc->xdp.nslots) {
		fprintf(f, "    xdp:\n      mode: %s\n      programs:\n",
			xk_xdp_mode_name(fc->xdp.mode));
		for (j = 0; j < fc->xdp.nslots; j++)
			save_prog(f, m, fc->xdp.slots[j].id, false,
				  fc->xdp.dispatcher ? (long)fc->xdp.slots[j].prio : -1, fc->name,
				  unknown);
	}
	for (d = 0, n = 0; d < 2; d++)
		for (j = 0; j < fc->ntc[d]; j++)
			n += !!fc->tc[d][j].prog_id;
	if (!n)
		return;
	fprintf(f, "    tc:\n");
	for (d = 0; d < 2; d++) {
		for (j = 0, n = 0; j < fc->ntc[d]; j++)
			n += !!fc->tc[d][j].prog_id;
		if (!n)
			continue;
		fprintf(f, "      %s:\n", xk_tc_dir_name(d));
		for (j = 0; j < fc->ntc[d]; j++)
			if (fc->tc[d][j].prog_id)
				save_prog(f, m, fc->tc[d][j].prog_id, true, fc->tc[d][j].prio,
					  fc->name, unknown);
	}
}

/* Is the value a hit counter (xk_hits), kept by apply rather than written? */
static bool counter_value(const struct xk_mapref *r)
{
	const struct btf_type *t;
	const char *name;

	if (!r->btf || !r->value.id)
		return false;
	t = btf__type_by_id(r->btf, r->value.id);
	name = t ? btf__name_by_offset(r->btf, t->name_off) : NULL;
	return name && !strcmp(name, "xk_hits");
}

static size_t key_size_for_sort;

static int cmp_keys(const void *a, const void *b)
{
	return memcmp(a, b, key_size_for_sort);
}

/* Every key of the map, sorted by its bytes (a hash walks in no stable order; the file should
 * not change when the rules did not). */
static __u8 *sorted_keys(const struct xk_mapref *r, size_t *n)
{
	size_t ks = r->info.key_size, cap = 256;
	__u8 *keys = malloc(cap * ks), *prev = NULL;

	*n = 0;
	while (keys && !bpf_map_get_next_key(r->fd, prev, keys + *n * ks)) {
		prev = keys + (*n)++ * ks;
		if (*n == cap) {
			__u8 *nk = realloc(keys, (cap *= 2) * ks);

			if (!nk) {
				free(keys);
				return NULL;
			}
			keys = nk;
			prev = keys + (*n - 1) * ks;
		}
	}
	if (keys) {
		key_size_for_sort = ks;
		qsort(keys, *n, ks, cmp_keys);
	}
	return keys;
}

static void entry_line(FILE *f, const char *kt, const char *vt)
{
	size_t len = strlen(kt) + strlen(vt) + 2;
	char *line = malloc(len);

	fputs("      - ", f);
	if (line) {
		snprintf(line, len, "%s%s%s", kt, *vt ? " " : "", vt);
		quoted(f, line);
	}
	fputc('\n', f);
	free(line);
}

static int save_map(FILE *f, const struct xk_pin *pin)
{
	struct xk_mapref r;
	__u8 *keys = NULL, *vals = NULL, *one = NULL;
	int err = xk_mapref_open_id(pin->map_id, &r);
	size_t n = 0, i, ks;
	bool keys_only;
	char *kt, *vt;

	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot open map %s: %s", pin->path, strerror(-err));
	/* LRU hashes hold what the program learnt (rate-limit buckets), not rules. */
	if (r.info.type == BPF_MAP_TYPE_LRU_HASH || r.info.type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	    !r.btf) {
		xk_mapref_close(&r);
		return 0;
	}
	ks = r.info.key_size;
	keys_only = counter_value(&r);
	keys = sorted_keys(&r, &n);
	vals = calloc(1, xk_mapref_value_bytes(&r));
	one = calloc(1, r.info.value_size + 8);
	if (!keys || !vals || !one) {
		err = xk_error(XK_EXIT_FAIL, "out of memory");
		goto out;
	}
	fprintf(f, "  %s:\n    entries:%s\n", pin->name, n ? "" : " []");
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(r.fd, keys + i * ks, vals))
			continue; /* deleted meanwhile */
		kt = xk_fmt_text_alloc(&r.key, keys + i * ks, XK_FMT_KEY);
		vt = NULL;
		if (!keys_only) {
			if (r.percpu)
				xk_sum_percpu(&r.value, vals, r.ncpu, r.vstride, one);
			else
				memcpy(one, vals, r.info.value_size);
			vt = xk_fmt_text_alloc(&r.value, one, 0);
		}
		entry_line(f, kt ? kt : "", vt ? vt : "");
		free(kt);
		free(vt);
	}
out:
	free(keys);
	free(vals);
	free(one);
	xk_mapref_close(&r);
	return err;
}

static bool used_by_attached(const struct xk_model *m, const struct xk_attached *at, int nat,
			     __u32 map_id)
{
	const struct xk_kprog *p;
	int i;

	for (i = 0; i < nat; i++) {
		p = xk_model_prog(m, at[i].prog_id);
		if (p && xk_kprog_uses(p, map_id))
			return true;
	}
	return false;
}

static int save_to(FILE *f)
{
	struct xk_attached *at = NULL;
	struct xk_model m;
	int err, i, nat, unknown = 0, nmaps = 0;
	char host[256] = "";
	time_t now = time(NULL);
	char when[64] = "";

	err = xk_model_read(&m, XK_MODEL_ALL, 0);
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot read what runs: %s", strerror(-err));
	nat = xk_model_attached(&m, &at);
	if (nat < 0) {
		xk_model_free(&m);
		return xk_error(XK_EXIT_FAIL, "cannot read what runs: %s", strerror(-nat));
	}
	gethostname(host, sizeof(host) - 1);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	fprintf(f, "# xdpkit save: what ran on %s at %s (xdpkit apply FILE puts it back)\n", host,
		when);
	fprintf(f, "interfaces:%s\n", m.nifs ? "" : " {}");
	for (i = 0; i < m.nifs; i++)
		save_iface(f, &m, &m.ifs[i], &unknown);
	for (i = 0; i < m.npins; i++)
		nmaps += used_by_attached(&m, at, nat, m.pins[i].map_id);
	fprintf(f, "maps:%s\n", nmaps ? "" : " {}");
	for (i = 0; !err && i < m.npins; i++)
		if (used_by_attached(&m, at, nat, m.pins[i].map_id))
			err = save_map(f, &m.pins[i]);
	free(at);
	xk_model_free(&m);
	return err;
}

int do_save(int argc, char **argv)
{
	char tmp[4096];
	const char *file = NULL;
	struct xk_words w;
	FILE *f = stdout;
	int err;

	err = xk_opts_parse(&xk_verb_save, argc, argv, NULL, NULL, &w);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	if (w.n > 1)
		return xk_error(XK_EXIT_USAGE, "save takes one FILE; usage: xdpkit save [FILE]");
	if (w.n)
		file = w.pos[0];
	err = xk_need_root();
	if (!err)
		err = xk_need_bpffs();
	if (err)
		return err;
	if (file && strcmp(file, "-")) {
		snprintf(tmp, sizeof(tmp), "%s.tmp.%d", file, (int)getpid());
		f = fopen(tmp, "w");
		if (!f)
			return xk_error(XK_EXIT_FAIL, "cannot write '%s': %s", tmp,
					strerror(errno));
	}
	err = save_to(f);
	if (f == stdout) {
		fflush(f);
		return err;
	}
	if (fflush(f) || fsync(fileno(f)) || ferror(f))
		err = err ? err
			  : xk_error(XK_EXIT_FAIL, "cannot write '%s': %s", tmp, strerror(errno));
	fclose(f);
	if (!err && rename(tmp, file))
		err = xk_error(XK_EXIT_FAIL, "cannot replace '%s': %s", file, strerror(errno));
	if (err)
		unlink(tmp);
	return err;
}

static const enum xk_complete save_pos[] = { XK_C_FILE };

const struct xk_verb xk_verb_save = {
	.name = "save",
	.summary = "write what runs as a file that 'xdpkit apply' puts back",
	.synopsis = "save [FILE]",
	.description =
		"Write what runs (the programs on every interface of this network namespace, the rules "
		"of the maps they pin under the pin root) as a file 'xdpkit apply' takes; FILE is "
		"replaced in one step (written beside it, then renamed); without FILE, or with '-', "
		"stdout. Maps whose values are hit counters are saved as keys, so apply keeps the "
		"counts. In a named network namespace (-n NS) each interface gets 'netns: NS'.",
	.pos = save_pos,
	.npos = 1,
	.max_words = -1,
	.fn = do_save,
};
