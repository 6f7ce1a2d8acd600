// SPDX-License-Identifier: GPL-2.0-only
/* difffuzz-run: the kernel side of the differential fuzz (tests/stress/difffuzz.py). Loads one
 * object with every pin cleared (never touches bpffs), writes the rules file into its maps, runs
 * every frame of a corpus through one named program with BPF_PROG_TEST_RUN, and writes each
 * verdict, each output that differs from its input, and the state of every map at each epoch end.
 *
 * usage: difffuzz-run OBJ PROG RULES FRAMES OUT
 *        difffuzz-run --list OBJ     one line per program: NAME SECTION xdp|tc|other
 *   RULES   text, one map write a line: "MAP KEYHEX VALUEHEX" (a value shorter than the map's is
 *           zero-filled; per-CPU maps get it on CPU 0 and zeros elsewhere)
 *   FRAMES  records of u16 length (little-endian) and that many bytes; length 0 ends an epoch:
 *           every map is dumped, then emptied (arrays zeroed, global data back to its image) and
 *           the rules written again. The file must end with an epoch end.
 *   OUT.res 8 bytes per frame: u32 retval, u16 output length, u16 flags (1: the output differs
 *           from the input, 2: the kernel refused the run and retval holds the errno: it does so
 *           for an skb whose EtherType says IPv4 or IPv6 and that is shorter than that header)
 *   OUT.out for each frame with flag 1: u32 frame index, u16 length, the output bytes
 *   OUT.maps text: "prog NAME TYPE" once, then per epoch "epoch N FRAMES", one line per map entry
 *           "MAP KEYHEX VALUEHEX" (per-CPU values summed per u64), and "end"
 * Exit status 0 when the corpus was run to its end (refused runs included), 1 otherwise; problems
 * are one "difffuzz-run: ..." line. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* XDP test runs take at most a page minus head and tail room; the corpus stays far below. */
#define FRAME_MAX 4096
#define MAX_MAPS 32
#define LINE_MAX_LEN 8192

struct snap {
	struct bpf_map *map;
	void *image; /* initial image of a global-data map (.bss, .data) */
	size_t size;
};

struct run {
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct snap snaps[MAX_MAPS];
	int nsnaps;
	int ncpu;
	const char *rules_path;
	FILE *res, *out, *maps;
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("difffuzz-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* libbpf's warnings only: its notes about sections it skips are noise here. */
static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static bool is_percpu(const struct bpf_map *map)
{
	enum bpf_map_type t = bpf_map__type(map);

	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool is_array(const struct bpf_map *map)
{
	enum bpf_map_type t = bpf_map__type(map);

	return t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* .rodata and .kconfig are frozen, and a perf event array (xdpkit dump's capture channel) holds
 * ring descriptors, not state: nothing to dump or reset. */
static bool is_stateless(const struct bpf_map *map)
{
	const char *n = bpf_map__name(map);

	return strstr(n, ".rodata") || strstr(n, ".kconfig") ||
	       bpf_map__type(map) == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
}

static bool is_global_data(const struct bpf_map *map)
{
	const char *n = bpf_map__name(map);
	size_t len = strlen(n);

	return (len >= 4 && !strcmp(n + len - 4, ".bss")) ||
	       (len >= 5 && !strcmp(n + len - 5, ".data"));
}

/* Bytes of a value buffer for one lookup or update: per-CPU maps hold one 8-byte aligned value per
 * possible CPU. */
static size_t value_buf_size(const struct run *r, const struct bpf_map *map)
{
	size_t v = bpf_map__value_size(map);

	return is_percpu(map) ? ((v + 7) & ~(size_t)7) * r->ncpu : v;
}

static int hex_decode(const char *hex, __u8 *out, size_t max, size_t *len)
{
	size_t n = strlen(hex), i;

	if (n % 2 || n / 2 > max)
		return -EINVAL;
	for (i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -EINVAL;
		out[i] = b;
	}
	*len = n / 2;
	return 0;
}

static void hex_write(FILE *f, const __u8 *b, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		fputc(digits[b[i] >> 4], f);
		fputc(digits[b[i] & 15], f);
	}
}

/* Write every line of the rules file into its map. */
static int apply_rules(struct run *r)
{
	char line[LINE_MAX_LEN], name[128], khex[1024], vhex[4096];
	__u8 key[512], val[2048], *buf = NULL;
	FILE *f = fopen(r->rules_path, "r");
	int lineno = 0, err = 0;

	if (!f)
		return fail("%s: %s", r->rules_path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		struct bpf_map *map;
		size_t klen, vlen, vsize;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%127s %1023s %4095s", name, khex, vhex) != 3 ||
		    hex_decode(khex, key, sizeof(key), &klen) ||
		    hex_decode(vhex, val, sizeof(val), &vlen)) {
			err = fail("%s:%d: expected 'MAP KEYHEX VALUEHEX'", r->rules_path, lineno);
			break;
		}
		map = bpf_object__find_map_by_name(r->obj, name);
		if (!map) {
			err = fail("%s:%d: the object has no map '%s'", r->rules_path, lineno,
				   name);
			break;
		}
		if (klen != bpf_map__key_size(map) || vlen > bpf_map__value_size(map)) {
			err = fail("%s:%d: map %s takes %u-byte keys, values up to %u bytes; got "
				   "%zu and %zu",
				   r->rules_path, lineno, name, bpf_map__key_size(map),
				   bpf_map__value_size(map), klen, vlen);
			break;
		}
		vsize = value_buf_size(r, map);
		buf = calloc(1, vsize);
		if (!buf) {
			err = -ENOMEM;
			break;
		}
		memcpy(buf, val, vlen); /* CPU 0's copy; the rest stay zero */
		if (bpf_map_update_elem(bpf_map__fd(map), key, buf, BPF_ANY)) {
			err = fail("%s:%d: writing map %s: %s", r->rules_path, lineno, name,
				   strerror(errno));
			break;
		}
		free(buf);
		buf = NULL;
	}
	free(buf);
	fclose(f);
	return err;
}

/* Dump one map: one line per entry, per-CPU values summed per u64 lane. */
static int dump_map(struct run *r, struct bpf_map *map)
{
	size_t ksize = bpf_map__key_size(map), vsize = bpf_map__value_size(map);
	size_t bsize = value_buf_size(r, map);
	__u8 *key = calloc(1, ksize), *next = calloc(1, ksize);
	__u8 *buf = calloc(1, bsize), *sum = calloc(1, vsize + 8);
	int fd = bpf_map__fd(map), err = 0, cpu;
	bool first = true;

	if (!key || !next || !buf || !sum) {
		err = -ENOMEM;
		goto out;
	}
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, ksize);
		if (bpf_map_lookup_elem(fd, key, buf)) {
			if (errno == ENOENT)
				continue; /* deleted between the two calls: cannot happen here */
			err = fail("dump of %s: %s", bpf_map__name(map), strerror(errno));
			goto out;
		}
		if (is_percpu(map) && vsize % 8 == 0) {
			size_t stride = (vsize + 7) & ~(size_t)7, lane;

			memset(sum, 0, vsize);
			for (cpu = 0; cpu < r->ncpu; cpu++)
				for (lane = 0; lane < vsize / 8; lane++)
					((__u64 *)sum)[lane] +=
						((__u64 *)(buf + cpu * stride))[lane];
		} else {
			memcpy(sum, buf, vsize); /* not per CPU, or not u64 lanes: CPU 0's */
		}
		fprintf(r->maps, "%s ", bpf_map__name(map));
		hex_write(r->maps, key, ksize);
		fputc(' ', r->maps);
		hex_write(r->maps, sum, vsize);
		fputc('\n', r->maps);
	}
out:
	free(key);
	free(next);
	free(buf);
	free(sum);
	return err;
}

/* Back to the state right after load: hashes and tries empty, arrays zero, global data as in the
 * object. */
static int reset_map(struct run *r, struct bpf_map *map)
{
	size_t ksize = bpf_map__key_size(map);
	int fd = bpf_map__fd(map), i, err = 0;
	__u8 *zero = calloc(1, value_buf_size(r, map)), *keys = NULL;
	size_t nkeys = 0, cap = 0, j;

	if (!zero) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < r->nsnaps; i++) {
		if (r->snaps[i].map == map) {
			__u32 k = 0;

			if (bpf_map_update_elem(fd, &k, r->snaps[i].image, BPF_ANY))
				err = fail("reset of %s: %s", bpf_map__name(map), strerror(errno));
			goto out;
		}
	}
	if (is_array(map)) {
		__u32 k;

		for (k = 0; k < bpf_map__max_entries(map); k++)
			if (bpf_map_update_elem(fd, &k, zero, BPF_ANY)) {
				err = fail("reset of %s: %s", bpf_map__name(map), strerror(errno));
				break;
			}
		goto out;
	}
	/* Hash-like maps and tries: collect the keys in one walk, then delete them. Deleting the
	 * first key over and over would walk a large hash's empty buckets once per key. */
	for (;;) {
		if (nkeys == cap) {
			__u8 *more = realloc(keys, (cap = cap ? 2 * cap : 1024) * ksize);

			if (!more) {
				err = -ENOMEM;
				goto out;
			}
			keys = more;
		}
		if (bpf_map_get_next_key(fd, nkeys ? keys + (nkeys - 1) * ksize : NULL,
					 keys + nkeys * ksize))
			break;
		nkeys++;
	}
	for (j = 0; j < nkeys; j++)
		if (bpf_map_delete_elem(fd, keys + j * ksize)) {
			err = fail("reset of %s: %s", bpf_map__name(map), strerror(errno));
			break;
		}
out:
	free(keys);
	free(zero);
	return err;
}

static int end_epoch(struct run *r, int epoch, long frames)
{
	struct bpf_map *map;
	int err;

	fprintf(r->maps, "epoch %d %ld\n", epoch, frames);
	bpf_object__for_each_map(map, r->obj) {
		if (is_stateless(map))
			continue;
		err = dump_map(r, map);
		if (err)
			return err;
	}
	fprintf(r->maps, "end\n");
	bpf_object__for_each_map(map, r->obj) {
		if (is_stateless(map))
			continue;
		err = reset_map(r, map);
		if (err)
			return err;
	}
	return apply_rules(r);
}

static int load(struct run *r, const char *path, const char *prog_name)
{
	struct bpf_map *map;
	struct bpf_program *prog;
	int err;

	r->obj = bpf_object__open_file(path, NULL);
	if (!r->obj)
		return fail("%s: cannot open: %s", path, strerror(errno));
	bpf_object__for_each_map(map, r->obj) {
		const void *img;
		size_t size;

		/* Never share state with a running system: every map fresh, never pinned. */
		if (bpf_map__set_pin_path(map, NULL))
			return fail("%s: cannot clear the pin path of %s", path,
				    bpf_map__name(map));
		if (!is_global_data(map) || r->nsnaps == MAX_MAPS)
			continue;
		img = bpf_map__initial_value(map, &size);
		if (!img)
			continue;
		r->snaps[r->nsnaps].image = malloc(size);
		if (!r->snaps[r->nsnaps].image)
			return -ENOMEM;
		memcpy(r->snaps[r->nsnaps].image, img, size);
		r->snaps[r->nsnaps].size = size;
		r->snaps[r->nsnaps++].map = map;
	}
	err = bpf_object__load(r->obj);
	if (err)
		return fail("%s: load failed: %s", path, strerror(-err));
	bpf_object__for_each_map(map, r->obj) {
		if (bpf_map__is_pinned(map))
			return fail("%s: map %s is pinned although its pin path was cleared", path,
				    bpf_map__name(map));
	}
	bpf_object__for_each_program(prog, r->obj) {
		if (!strcmp(bpf_program__name(prog), prog_name) ||
		    !strcmp(bpf_program__section_name(prog), prog_name)) {
			r->prog = prog;
			return 0;
		}
	}
	return fail("%s: no program named (or in section) '%s'", path, prog_name);
}

static const char *prog_kind(const struct bpf_program *prog)
{
	switch (bpf_program__type(prog)) {
	case BPF_PROG_TYPE_XDP:
		return "xdp";
	case BPF_PROG_TYPE_SCHED_CLS:
		return "tc";
	default:
		return "other";
	}
}

static FILE *open_out(const char *prefix, const char *ext)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s.%s", prefix, ext);
	f = fopen(path, "w");
	if (!f)
		fail("%s: %s", path, strerror(errno));
	else
		setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

/* Every frame of the corpus through the program; returns the number of refused runs, or -1. */
static long run_corpus(struct run *r, const __u8 *corpus, size_t size, long *nframes)
{
	static __u8 out[FRAME_MAX];
	long frames = 0, epoch_frames = 0, failed = 0;
	int fd = bpf_program__fd(r->prog), epoch = 0;
	size_t pos = 0;

	while (pos < size) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_out = out, .repeat = 1);
		__u8 rec[8];
		__u32 retval;
		__u16 len, olen, flags = 0;

		if (size - pos < 2)
			return fail("corpus: %zu stray bytes at its end", size - pos);
		len = corpus[pos] | corpus[pos + 1] << 8;
		pos += 2;
		if (!len) {
			if (end_epoch(r, epoch++, epoch_frames))
				return -1;
			epoch_frames = 0;
			continue;
		}
		if (len > FRAME_MAX || size - pos < len)
			return fail("corpus: frame %ld of %u bytes runs past the end or the limit",
				    frames, len);
		opts.data_in = corpus + pos;
		opts.data_size_in = len;
		opts.data_size_out = sizeof(out);
		if (bpf_prog_test_run_opts(fd, &opts)) {
			retval = errno;
			olen = 0;
			flags = 2;
			failed++;
		} else {
			retval = opts.retval;
			olen = opts.data_size_out;
			if (olen != len || memcmp(out, corpus + pos, len))
				flags = 1;
		}
		memcpy(rec, &retval, 4);
		memcpy(rec + 4, &olen, 2);
		memcpy(rec + 6, &flags, 2);
		fwrite(rec, 1, sizeof(rec), r->res);
		if (flags == 1) {
			__u32 idx = frames;

			fwrite(&idx, 1, 4, r->out);
			fwrite(&olen, 1, 2, r->out);
			fwrite(out, 1, olen, r->out);
		}
		pos += len;
		frames++;
		epoch_frames++;
	}
	if (epoch_frames)
		return fail("corpus: the last %ld frames are not closed by an epoch end",
			    epoch_frames);
	*nframes = frames;
	return failed;
}

/* The programs of an object, so that every entry (a new xdp.frags twin too) gets fuzzed. */
static int list_programs(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;

	if (!obj)
		return fail("%s: cannot open: %s", path, strerror(errno)), 1;
	bpf_object__for_each_program(prog, obj)
		printf("%s %s %s\n", bpf_program__name(prog), bpf_program__section_name(prog),
		       prog_kind(prog));
	bpf_object__close(obj);
	return 0;
}

int main(int argc, char **argv)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	struct run r = {};
	long nframes = 0, failed;
	struct stat st;
	void *corpus;
	int fd, i, rc = 1;

	libbpf_set_print(print_warnings);
	if (argc == 3 && !strcmp(argv[1], "--list"))
		return list_programs(argv[2]);
	if (argc != 6) {
		fprintf(stderr,
			"usage: %s OBJ PROG RULES FRAMES OUT   (format: see the source's top)\n",
			argv[0]);
		return 2;
	}
	setrlimit(RLIMIT_MEMLOCK, &unlimited); /* kernels that still charge BPF memory to memlock */
	r.rules_path = argv[3];
	r.ncpu = libbpf_num_possible_cpus();
	if (r.ncpu < 0)
		return fail("cannot count the possible CPUs: %s", strerror(-r.ncpu)), 1;
	fd = open(argv[4], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		return fail("%s: %s", argv[4], strerror(errno)), 1;
	corpus = st.st_size ? mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	if (corpus == MAP_FAILED)
		return fail("%s: %s", argv[4], strerror(errno)), 1;
	close(fd);
	if (load(&r, argv[1], argv[2]) || apply_rules(&r))
		goto out;
	r.res = open_out(argv[5], "res");
	r.out = open_out(argv[5], "out");
	r.maps = open_out(argv[5], "maps");
	if (!r.res || !r.out || !r.maps)
		goto out;
	fprintf(r.maps, "prog %s %s\n", bpf_program__name(r.prog), prog_kind(r.prog));
	failed = run_corpus(&r, corpus, st.st_size, &nframes);
	if (failed < 0)
		goto out;
	rc = 0;
	printf("%ld frames, %ld refused by the kernel\n", nframes, failed);
out:
	if (r.res && fclose(r.res))
		rc = 1;
	if (r.out && fclose(r.out))
		rc = 1;
	if (r.maps && fclose(r.maps))
		rc = 1;
	bpf_object__close(r.obj);
	for (i = 0; i < r.nsnaps; i++)
		free(r.snaps[i].image);
	if (corpus)
		munmap(corpus, st.st_size);
	return rc;
}
