// SPDX-License-Identifier: GPL-2.0-only
/* Unit-test runner: `build/unit-tests <build dir> [name filter]` runs every registered test (or
 * those whose name contains the filter), prints one line per test and ends with "N passed, N
 * failed". */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/resource.h>
#include <xdpkit/stats.h>
#include "harness.h"

#define UT_MAX_OBJS 16
#define UT_MAX_SNAPS 8
#define UT_LOG_MAX (256 * 1024)

const char *ut_build_dir = "build";

static struct ut_test *ut_head, **ut_tail = &ut_head;
static struct ut_test *ut_current;
static int ut_failures; /* failures recorded in the running test */
static char ut_ctx[256];
static bool ut_verbose;

/* Initial images of a loaded object's writable global-variable maps, for ut_reset_maps(). */
struct ut_snap {
	struct bpf_map *map;
	void *image;
	size_t size;
};

struct ut_obj {
	struct bpf_object *obj;
	struct ut_snap snaps[UT_MAX_SNAPS];
	int nsnaps;
};

static struct ut_obj ut_objs[UT_MAX_OBJS];
static int ut_nobjs;

/* libbpf's log of the load in progress: shown only when the load fails (or with UT_VERBOSE=1). */
static char ut_log[UT_LOG_MAX];
static size_t ut_log_len;

void ut_register(struct ut_test *t)
{
	t->next = NULL;
	*ut_tail = t;
	ut_tail = &t->next;
}

void ut_context(const char *fmt, ...)
{
	va_list ap;

	if (!fmt) {
		ut_ctx[0] = '\0';
		return;
	}
	va_start(ap, fmt);
	vsnprintf(ut_ctx, sizeof(ut_ctx), fmt, ap);
	va_end(ap);
}

void ut_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	ut_failures++;
	fprintf(stderr, "  %s:%d: %s%s", file, line, ut_ctx, ut_ctx[0] ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void ut_hexdump(const char *title, const void *buf, size_t len, long mark)
{
	const __u8 *b = buf;
	size_t i;

	fprintf(stderr, "    %s (%zu bytes):", title, len);
	for (i = 0; i < len; i++) {
		if (i % 16 == 0)
			fprintf(stderr, "\n    %04zx:", i);
		fprintf(stderr, "%c%02x", (long)i == mark ? '*' : ' ', b[i]);
	}
	fputc('\n', stderr);
}

bool ut_mem_eq(const char *file, int line, const char *what, const void *got, const void *want,
	       size_t len)
{
	const __u8 *g = got, *w = want;
	size_t i;

	for (i = 0; i < len; i++)
		if (g[i] != w[i])
			break;
	if (i == len)
		return true;
	ut_fail(file, line, "%s: %zu bytes differ first at offset %zu: expected 0x%02x, got 0x%02x",
		what, len, i, w[i], g[i]);
	ut_hexdump("expected", want, len, (long)i);
	ut_hexdump("got", got, len, (long)i);
	return false;
}

static int ut_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (ut_verbose)
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_DEBUG || ut_log_len >= sizeof(ut_log) - 1)
		return 0;
	n = vsnprintf(ut_log + ut_log_len, sizeof(ut_log) - ut_log_len, fmt, ap);
	if (n > 0)
		ut_log_len += (size_t)n < sizeof(ut_log) - ut_log_len
				      ? (size_t)n
				      : sizeof(ut_log) - ut_log_len - 1;
	return n;
}

static void ut_close_objs(void)
{
	int i, j;

	for (i = 0; i < ut_nobjs; i++) {
		for (j = 0; j < ut_objs[i].nsnaps; j++)
			free(ut_objs[i].snaps[j].image);
		bpf_object__close(ut_objs[i].obj);
	}
	memset(ut_objs, 0, sizeof(ut_objs));
	ut_nobjs = 0;
}

static bool ut_is_global_data(const struct bpf_map *map)
{
	const char *n = bpf_map__name(map);
	size_t len = strlen(n);

	return (len >= 4 && !strcmp(n + len - 4, ".bss")) ||
	       (len >= 5 && !strcmp(n + len - 5, ".data"));
}

struct bpf_object *ut_load(const char *name)
{
	char path[512];
	struct bpf_object *obj;
	struct ut_obj *uo;
	struct bpf_map *map;
	int err;

	if (ut_nobjs == UT_MAX_OBJS) {
		ut_fail(__FILE__, __LINE__, "ut_load(%s): more than %d objects in one test", name,
			UT_MAX_OBJS);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s.bpf.o", ut_build_dir, name);
	if (access(path, R_OK)) {
		ut_fail(__FILE__, __LINE__,
			"%s: %s; run make first (or pass the build directory as argument 1)", path,
			strerror(errno));
		return NULL;
	}
	ut_log_len = 0;
	ut_log[0] = '\0';
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		ut_fail(__FILE__, __LINE__, "%s: cannot open: %s\n%s", path, strerror(errno),
			ut_log);
		return NULL;
	}
	uo = &ut_objs[ut_nobjs++];
	uo->obj = obj;
	bpf_object__for_each_map(map, obj) {
		const void *img;
		size_t size;

		/* Tests never share pins with each other or with a running system. */
		bpf_map__set_pin_path(map, NULL);
		if (!ut_is_global_data(map) || uo->nsnaps == UT_MAX_SNAPS)
			continue;
		img = bpf_map__initial_value(map, &size);
		if (!img)
			continue;
		uo->snaps[uo->nsnaps].map = map;
		uo->snaps[uo->nsnaps].size = size;
		uo->snaps[uo->nsnaps].image = malloc(size);
		if (uo->snaps[uo->nsnaps].image)
			memcpy(uo->snaps[uo->nsnaps++].image, img, size);
	}
	err = bpf_object__load(obj);
	if (err) {
		ut_fail(__FILE__, __LINE__, "%s: load failed: %s\n%s", path, strerror(-err),
			ut_log);
		return NULL; /* closed with the others at the end of the test */
	}
	return obj;
}

struct bpf_program *ut_prog(struct bpf_object *obj, const char *sec_or_name)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
		if (!strcmp(bpf_program__section_name(prog), sec_or_name))
			return prog;
	bpf_object__for_each_program(prog, obj)
		if (!strcmp(bpf_program__name(prog), sec_or_name))
			return prog;
	ut_fail(__FILE__, __LINE__, "%s: no program with section or name '%s'",
		bpf_object__name(obj), sec_or_name);
	return NULL;
}

int ut_map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	if (!map) {
		ut_fail(__FILE__, __LINE__, "%s: no map named '%s'", bpf_object__name(obj), name);
		return -ENOENT;
	}
	return bpf_map__fd(map);
}

int ut_run(struct bpf_program *prog, const void *frame, __u32 len, struct ut_result *res)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .data_out = res->data, .data_size_out = sizeof(res->data), .repeat = 1);
	int err;

	memset(res, 0, sizeof(*res));
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	if (err)
		return -errno;
	res->retval = opts.retval;
	res->len = opts.data_size_out;
	return 0;
}

int ut_percpu_sum(int map_fd, const void *key, __u64 *sum, int nr)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, i;
	__u64 *vals;
	int err = 0;

	memset(sum, 0, sizeof(*sum) * nr);
	if (ncpu < 0)
		return ncpu;
	vals = calloc((size_t)ncpu * nr, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, key, vals)) {
		err = -errno;
		goto out;
	}
	for (cpu = 0; cpu < ncpu; cpu++)
		for (i = 0; i < nr; i++)
			sum[i] += vals[cpu * nr + i];
out:
	free(vals);
	return err;
}

int ut_stats(struct bpf_object *obj, __u32 slot, __u64 *packets, __u64 *bytes)
{
	int fd = ut_map_fd(obj, XK_STATS_MAP);
	__u64 sum[2];
	int err;

	*packets = *bytes = 0;
	if (fd < 0)
		return fd;
	err = ut_percpu_sum(fd, &slot, sum, 2);
	if (err)
		return err;
	*packets = sum[0];
	*bytes = sum[1];
	return 0;
}

static int ut_reset_map(struct ut_obj *uo, struct bpf_map *map)
{
	int fd = bpf_map__fd(map), ncpu = libbpf_num_possible_cpus(), i;
	enum bpf_map_type type = bpf_map__type(map);
	size_t vsize = bpf_map__value_size(map);
	void *key, *next, *zero;
	int err = 0;

	if (bpf_map__map_flags(map) & BPF_F_RDONLY_PROG && !ut_is_global_data(map))
		return 0; /* .rodata, .kconfig: frozen */
	for (i = 0; i < uo->nsnaps; i++)
		if (uo->snaps[i].map == map) {
			__u32 k = 0;

			return bpf_map_update_elem(fd, &k, uo->snaps[i].image, BPF_ANY) ? -errno
											: 0;
		}
	if (type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	    type == BPF_MAP_TYPE_LRU_PERCPU_HASH)
		vsize = ((vsize + 7) & ~(size_t)7) * ncpu;
	key = calloc(1, bpf_map__key_size(map));
	next = calloc(1, bpf_map__key_size(map));
	zero = calloc(1, vsize);
	if (!key || !next || !zero) {
		err = -ENOMEM;
		goto out;
	}
	if (type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		__u32 k;

		for (k = 0; k < bpf_map__max_entries(map); k++)
			if (bpf_map_update_elem(fd, &k, zero, BPF_ANY)) {
				err = -errno;
				break;
			}
		goto out;
	}
	if (type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_PERF_EVENT_ARRAY ||
	    type == BPF_MAP_TYPE_RINGBUF)
		goto out;
	/* Hash-like maps: always delete the first key, so deletion never confuses the walk. */
	while (!bpf_map_get_next_key(fd, NULL, next)) {
		if (bpf_map_delete_elem(fd, next)) {
			err = -errno;
			break;
		}
	}
out:
	free(key);
	free(next);
	free(zero);
	return err;
}

int ut_reset_maps(struct bpf_object *obj)
{
	struct bpf_map *map;
	int i, err;

	for (i = 0; i < ut_nobjs; i++)
		if (ut_objs[i].obj == obj)
			break;
	if (i == ut_nobjs)
		return -ENOENT;
	bpf_object__for_each_map(map, obj) {
		err = ut_reset_map(&ut_objs[i], map);
		if (err)
			return err;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	const char *filter = argc > 2 ? argv[2] : NULL;
	int passed = 0, failed = 0;
	struct ut_test *t;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(stderr,
			"usage: %s <build dir> [test name substring]   (UT_VERBOSE=1 shows libbpf "
			"logs)\n",
			argv[0]);
		return 2;
	}
	ut_build_dir = argv[1];
	ut_verbose = getenv("UT_VERBOSE") && strcmp(getenv("UT_VERBOSE"), "0");
	setrlimit(RLIMIT_MEMLOCK,
		  &unlimited); /* for kernels that still charge BPF memory to memlock */
	libbpf_set_print(ut_libbpf_print);
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (t = ut_head; t; t = t->next) {
		if (filter && !strstr(t->name, filter))
			continue;
		ut_current = t;
		ut_failures = 0;
		ut_context(NULL);
		fflush(stdout);
		t->fn();
		ut_close_objs();
		fflush(stderr);
		if (ut_failures) {
			printf("FAIL %s (%d failures)\n", t->name, ut_failures);
			failed++;
		} else {
			printf("ok   %s\n", t->name);
			passed++;
		}
	}
	if (filter && !passed && !failed)
		fprintf(stderr, "no test name contains '%s'\n", filter);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || (filter && !passed) ? 1 : 0;
}
