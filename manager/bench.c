// SPDX-License-Identifier: GPL-2.0-only
/* xdpkit bench: per-packet cost of a program on canned frames through BPF_PROG_TEST_RUN, against an
 * empty program of the same type that this verb loads itself and measures interleaved with it, so
 * noise hits both alike. */
#include "xdpkit.h"
#include "bench.h"
#include "capacity.h"
#include "corebtf.h"
#include "json.h"
#include "number.h"
#include "opts.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#define BENCH_MAX_FRAMES 16
#define BENCH_MAX_RUNS 1000
#define BENCH_MAX_SRC_COUNT (1u << 24)
/* A stride coprime with the source count walks the rule range out of insertion order, so a run does
 * not ride on the memory order in which the rules were added. */
#define BENCH_SRC_STRIDE 1000003u

struct bench_opts {
	const char *target; /* collection name or object path */
	__u32 id;	    /* or an already loaded program */
	const char *prog;   /* program (name or section) inside the object */
	const char *kinds[BENCH_MAX_FRAMES];
	int nkinds;
	long repeat;
	int runs;
	__u32 src; /* host order; 0 = the frame's own source */
	__u32 src_count;
	__u32 src_step;
};

struct bench_target {
	struct bpf_object *obj;
	int fd;
	int floor_fd;
	__u32 id, floor_id;
	enum bpf_prog_type type;
	char name[BPF_OBJ_NAME_LEN];
	char object[PATH_MAX];
};

struct bench_result {
	struct bench_frame frame;
	double prog[BENCH_MAX_RUNS];
	double floor[BENCH_MAX_RUNS];
	double diff[BENCH_MAX_RUNS];
	__u32 retval;
	bool restore;				  /* the program rewrites the frame */
	struct bench_prelude pre_prog, pre_floor; /* with --src-count or restore */
};

struct summary {
	double median, min, max;
};

static void bench_more(FILE *f)
{
	int i;

	fprintf(f, "Frames:\n");
	for (i = 0; bench_frame_kinds[i]; i++)
		fprintf(f, "  %-14s %s\n", bench_frame_kinds[i], bench_frame_help[i]);
	fprintf(f, "Only when named (not in 'all'; the -1400 ones are 1400 bytes long):\n");
	for (i = 0; bench_frame_named_kinds[i]; i++)
		fprintf(f, "  %-14s %s\n", bench_frame_named_kinds[i], bench_frame_named_help[i]);
}

static void frame_words(FILE *f)
{
	int i;

	fprintf(f, "all");
	for (i = 0; bench_frame_kinds[i]; i++)
		fprintf(f, " %s", bench_frame_kinds[i]);
	for (i = 0; bench_frame_named_kinds[i]; i++)
		fprintf(f, " %s", bench_frame_named_kinds[i]);
}

static int parse_uint(const char *what, const char *s, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	__u64 v;

	if (xk_num_word(s, min, max, &v))
		return xk_error(XK_EXIT_USAGE, "%s '%s' is not a number in %lu..%lu", what, s, min,
				max);
	*out = v;
	return 0;
}

static int add_kinds(struct bench_opts *o, char *list)
{
	struct bench_frame probe;
	char *tok, *save = NULL;
	int i;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			for (i = 0; bench_frame_kinds[i] && o->nkinds < BENCH_MAX_FRAMES; i++)
				o->kinds[o->nkinds++] = bench_frame_kinds[i];
			continue;
		}
		if (bench_frame_build(tok, &probe))
			return xk_error(XK_EXIT_USAGE,
					"unknown frame kind '%s'; 'xdpkit bench --help' lists them",
					tok);
		if (o->nkinds >= BENCH_MAX_FRAMES)
			return xk_error(XK_EXIT_USAGE, "too many --frame kinds (at most %d)",
					BENCH_MAX_FRAMES);
		o->kinds[o->nkinds++] = probe.kind;
	}
	return 0;
}

enum {
	OPT_ID = 1,
	OPT_PROG,
	OPT_FRAME,
	OPT_REPEAT,
	OPT_RUNS,
	OPT_SRC,
	OPT_SRC_COUNT,
	OPT_SRC_STEP
};

static int bench_opt(void *ctx, int key, const char *val)
{
	struct bench_opts *o = ctx;
	unsigned long v = 0;
	struct in_addr a;
	int err = 0;

	switch (key) {
	case OPT_ID:
		err = parse_uint("--id", val, 1, UINT32_MAX, &v);
		o->id = v;
		break;
	case OPT_PROG:
		o->prog = val;
		break;
	case OPT_FRAME:
		err = add_kinds(o, (char *)val); /* an argv word, cut up in place */
		break;
	case OPT_REPEAT:
		err = parse_uint("--repeat", val, 1, 100000000, &v);
		o->repeat = v;
		break;
	case OPT_RUNS:
		err = parse_uint("--runs", val, 1, BENCH_MAX_RUNS, &v);
		o->runs = v;
		break;
	case OPT_SRC:
		if (inet_pton(AF_INET, val, &a) != 1)
			return xk_error(XK_EXIT_USAGE,
					"--src '%s' is not an IPv4 address (e.g. 10.0.0.1)", val);
		o->src = ntohl(a.s_addr);
		break;
	case OPT_SRC_COUNT:
		err = parse_uint("--src-count", val, 1, BENCH_MAX_SRC_COUNT, &v);
		o->src_count = v;
		break;
	case OPT_SRC_STEP:
		err = parse_uint("--src-step", val, 1, BENCH_MAX_SRC_COUNT, &v);
		o->src_step = v;
		break;
	}
	return err;
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
	struct xk_words w;
	int err;

	o->repeat = 100000;
	o->runs = 5;
	o->src_count = 1;
	o->src_step = 1;
	err = xk_opts_parse(&xk_verb_bench, argc, argv, bench_opt, o, &w);
	if (err)
		return err;
	if (w.n)
		o->target = w.pos[0];
	if (w.n > 1)
		return xk_error(XK_EXIT_USAGE,
				"unexpected argument '%s'; bench measures one program", w.pos[1]);
	if (!o->target == !o->id)
		return xk_error(
			XK_EXIT_USAGE,
			"name one program: a collection name, an object file or --id N (not both)");
	if (o->id && o->prog)
		return xk_error(XK_EXIT_USAGE,
				"--prog chooses inside an object; it does not go with --id");
	if (!o->nkinds) {
		char all[] = "all";

		add_kinds(o, all);
	}
	return 0;
}

/* Maps pinned by name: reuse a pin that exists under the pin root (rules live there), otherwise
 * load the map unpinned, because a measurement must leave nothing behind in bpffs. */
static void reuse_pins_only(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const char *path = bpf_map__pin_path(map);

		if (path && access(path, F_OK))
			bpf_map__set_pin_path(map, NULL);
	}
}

static struct bpf_program *pick_program(struct bpf_object *obj, const char *want)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		if (want && (!strcmp(bpf_program__name(p), want) ||
			     !strcmp(bpf_program__section_name(p), want)))
			return p;
		if (!want && bpf_program__type(p) == BPF_PROG_TYPE_XDP)
			return p;
	}
	return NULL;
}

static int load_object(const struct bench_opts *o, struct bench_target *t)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = xk.pin_root);
	struct bpf_program *prog;
	char why[128], core_btf[4096];
	int err;

	err = xk_resolve_object(o->target, t->object, sizeof(t->object));
	if (err)
		return err;
	/* As attach does (objfile.c): the collection's objects relocate against a small copy. */
	if (!strchr(o->target, '/') && !xk_core_btf_path(t->object, core_btf, sizeof(core_btf)))
		oo.btf_custom_path = core_btf;
	t->obj = bpf_object__open_file(t->object, &oo);
	if (!t->obj) {
		libbpf_strerror(errno, why, sizeof(why));
		return xk_error(XK_EXIT_USAGE, "cannot open '%s' as a BPF object: %s", t->object,
				why);
	}
	prog = pick_program(t->obj, o->prog);
	if (!prog) {
		if (o->prog)
			return xk_error(XK_EXIT_NOTFOUND,
					"'%s' has no program or section '%s'; 'bpftool prog loadall' or "
					"'llvm-objdump -h' shows what it has",
					t->object, o->prog);
		return xk_error(XK_EXIT_NOTFOUND,
				"'%s' has no XDP program; choose one with --prog NAME", t->object);
	}
	t->type = bpf_program__type(prog);
	reuse_pins_only(t->obj);
	/* A pin made with another size (--capacity) is measured as it is. */
	err = xk_capacity_apply(t->obj, o->target, NULL);
	if (err)
		return err;
	err = bpf_object__load(t->obj);
	if (err) {
		libbpf_strerror(err, why, sizeof(why));
		xk_error(XK_EXIT_FAIL, "cannot load '%s': %s", t->object, why);
		if (!xk.verbose)
			xk_hint("run 'xdpkit -v bench ...' for libbpf's log and the verifier's "
				"complaint");
		return XK_EXIT_FAIL;
	}
	t->fd = bpf_program__fd(prog);
	return 0;
}

static int prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

static int open_by_id(const struct bench_opts *o, struct bench_target *t)
{
	t->fd = bpf_prog_get_fd_by_id(o->id);
	if (t->fd < 0) {
		if (errno == ENOENT)
			return xk_error(XK_EXIT_NOTFOUND,
					"no loaded program has id %u; 'bpftool prog show' lists them",
					o->id);
		return xk_error(XK_EXIT_FAIL, "cannot open program id %u: %s", o->id,
				strerror(errno));
	}
	return 0;
}

/* The floor: `return XDP_PASS;` (or TC_ACT_OK), nothing else. */
static int load_floor(struct bench_target *t)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K,
		  .dst_reg = BPF_REG_0,
		  .imm = t->type == BPF_PROG_TYPE_XDP ? XDP_PASS : TC_ACT_OK },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_prog_info info;

	t->floor_fd = bpf_prog_load(t->type, "xk_bench_floor", "GPL", insns, 2, NULL);
	if (t->floor_fd < 0)
		return xk_error(XK_EXIT_FAIL, "cannot load the empty floor program: %s",
				strerror(errno));
	if (!prog_info(t->floor_fd, &info))
		t->floor_id = info.id;
	return 0;
}

static __u32 gcd(__u32 a, __u32 b)
{
	while (b) {
		__u32 r = a % b;

		a = b;
		b = r;
	}
	return a;
}

/* One measurement: the kernel's mean ns per run over `repeat` runs of one BPF_PROG_TEST_RUN call.
 */
static int measure(int fd, const struct bench_frame *f, long repeat, double *ns, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = f->data, .data_size_in = f->len,
		    .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &run))
		return -errno;
	*ns = run.duration;
	*retval = run.retval;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct summary summarize(const double *v, int n)
{
	double s[BENCH_MAX_RUNS];
	struct summary r;

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	r.min = s[0];
	r.max = s[n - 1];
	r.median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return r;
}

static const char *verdict_name(enum bpf_prog_type type, __u32 rv)
{
	static const char *const xdp[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					   "XDP_REDIRECT" };
	static char buf[32];

	if (type == BPF_PROG_TYPE_XDP && rv < 5)
		return xdp[rv];
	if (type == BPF_PROG_TYPE_SCHED_CLS) {
		switch ((int)rv) {
		case TC_ACT_OK:
			return "TC_ACT_OK";
		case TC_ACT_SHOT:
			return "TC_ACT_SHOT";
		case TC_ACT_REDIRECT:
			return "TC_ACT_REDIRECT";
		case TC_ACT_UNSPEC:
			return "TC_ACT_UNSPEC";
		}
	}
	snprintf(buf, sizeof(buf), "%d", (int)rv);
	return buf;
}

/* One run on a copy of the frame: does the program rewrite it? Then every run needs the frame
 * restored, or from the second on it measures what the program does to its own output (pong would
 * pass its reply). */
static int probe_rewrite(int fd, const struct bench_frame *f, bool *rewrites)
{
	unsigned char out[BENCH_FRAME_MAX + 512];
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = f->data, .data_size_in = f->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	if (bpf_prog_test_run_opts(fd, &run))
		return -errno;
	*rewrites = run.data_size_out != f->len || memcmp(out, f->data, f->len);
	return 0;
}

/* With --src-count or a program that rewrites the frame, put a prelude in front of the program and
 * another in front of the floor. */
static int setup_prelude(const struct bench_opts *o, struct bench_target *t, struct bench_result *r)
{
	struct bench_prelude_cfg c = {
	    .rotate = o->src_count > 1,
	    .frame = &r->frame,
	    .rot =
		{
		    .base = o->src,
		    .step = o->src_step,
		    .count = o->src_count,
		    .stride = gcd(BENCH_SRC_STRIDE, o->src_count) == 1 ? BENCH_SRC_STRIDE : 1,
		    .ip4_off = r->frame.ip4_off,
		},
	};
	int doff, eoff, err;

	if (c.rotate && !c.rot.ip4_off)
		return xk_error(XK_EXIT_USAGE,
				"--src-count rotates IPv4 sources, and frame %s has no IPv4 header; "
				"choose IPv4 frames with --frame",
				r->frame.kind);
	err = probe_rewrite(t->fd, &r->frame, &r->restore);
	if (err)
		return xk_error(XK_EXIT_FAIL, "BPF_PROG_TEST_RUN of '%s' on frame %s failed: %s",
				t->name, r->frame.kind, strerror(-err));
	c.restore = r->restore;
	if (!c.rotate && !c.restore)
		return 0;
	if (c.rotate && !c.rot.base) {
		/* saddr sits at byte 12 of the IPv4 header */
		memcpy(&c.rot.base, r->frame.data + c.rot.ip4_off + 12, sizeof(c.rot.base));
		c.rot.base = ntohl(c.rot.base);
	}
	if (t->type == BPF_PROG_TYPE_XDP) {
		doff = offsetof(struct xdp_md, data);
		eoff = offsetof(struct xdp_md, data_end);
	} else {
		doff = offsetof(struct __sk_buff, data);
		eoff = offsetof(struct __sk_buff, data_end);
	}
	err = bench_prelude_load(&r->pre_prog, &c, t->fd, t->type, doff, eoff, xk.verbose);
	if (!err)
		err = bench_prelude_load(&r->pre_floor, &c, t->floor_fd, t->type, doff, eoff,
					 xk.verbose);
	if (err)
		return xk_error(XK_EXIT_FAIL,
				"cannot put the bench prelude (%s) in front of '%s': %s; a program "
				"that cannot be "
				"tail-called cannot be measured that way",
				c.rotate ? "source rotation" : "fresh frame per run", t->name,
				strerror(-err));
	return 0;
}

static int run_all(const struct bench_opts *o, struct bench_target *t, struct bench_result *res)
{
	int k, i, err;

	for (i = 0; i < o->nkinds; i++) {
		struct bench_result *r = &res[i];

		bench_frame_build(o->kinds[i], &r->frame);
		if (o->src && o->src_count < 2)
			bench_frame_set_src4(&r->frame, htonl(o->src));
		err = setup_prelude(o, t, r);
		if (err)
			return err;
	}
	for (k = 0; k < o->runs; k++) {
		for (i = 0; i < o->nkinds; i++) {
			struct bench_result *r = &res[i];
			int pfd = r->pre_prog.prog_fd >= 0 ? r->pre_prog.prog_fd : t->fd;
			int ffd = r->pre_floor.prog_fd >= 0 ? r->pre_floor.prog_fd : t->floor_fd;
			__u32 rv_floor;

			/* Alternate which goes first, so a drift within a run favours neither. */
			if (k % 2) {
				err = measure(pfd, &r->frame, o->repeat, &r->prog[k], &r->retval);
				if (!err)
					err = measure(ffd, &r->frame, o->repeat, &r->floor[k],
						      &rv_floor);
			} else {
				err = measure(ffd, &r->frame, o->repeat, &r->floor[k], &rv_floor);
				if (!err)
					err = measure(pfd, &r->frame, o->repeat, &r->prog[k],
						      &r->retval);
			}
			if (err)
				return xk_error(XK_EXIT_FAIL,
						"BPF_PROG_TEST_RUN of '%s' on frame %s failed: %s",
						t->name, r->frame.kind, strerror(-err));
			r->diff[k] = r->prog[k] - r->floor[k];
		}
	}
	return 0;
}

static void json_summary(struct jw *w, const char *key, const double *v, int n)
{
	struct summary s = summarize(v, n);
	int k;

	jw_key(w, key);
	jw_obj_start(w);
	jw_key(w, "median");
	jw_float(w, s.median);
	jw_key(w, "min");
	jw_float(w, s.min);
	jw_key(w, "max");
	jw_float(w, s.max);
	jw_key(w, "runs");
	jw_arr_start(w);
	for (k = 0; k < n; k++)
		jw_float(w, v[k]);
	jw_arr_end(w);
	jw_obj_end(w);
}

static void print_json(const struct bench_opts *o, const struct bench_target *t,
		       const struct bench_result *res)
{
	struct jw *w = jw_new(stdout);
	char src[INET_ADDRSTRLEN] = "";
	struct in_addr a = { htonl(o->src) };
	int i;

	if (!w)
		return;
	jw_obj_start(w);
	if (o->target) {
		jw_kstr(w, "program", o->target);
		jw_kstr(w, "object", t->object);
	} else {
		jw_key(w, "program");
		jw_null(w);
	}
	jw_kstr(w, "name", t->name);
	jw_kuint(w, "id", t->id);
	jw_kstr(w, "type", t->type == BPF_PROG_TYPE_XDP ? "xdp" : "tc");
	jw_kuint(w, "floor_id", t->floor_id);
	jw_kuint(w, "repeat", o->repeat);
	jw_kuint(w, "runs", o->runs);
	jw_kuint(w, "src_count", o->src_count);
	jw_kuint(w, "src_step", o->src_step);
	if (o->src)
		inet_ntop(AF_INET, &a, src, sizeof(src));
	jw_key(w, "src");
	if (o->src)
		jw_str(w, src);
	else
		jw_null(w);
	jw_key(w, "frames");
	jw_arr_start(w);
	for (i = 0; i < o->nkinds; i++) {
		const struct bench_result *r = &res[i];

		jw_obj_start(w);
		jw_kstr(w, "frame", r->frame.kind);
		jw_kstr(w, "verdict", verdict_name(t->type, r->retval));
		jw_kint(w, "retval", (int)r->retval);
		jw_kbool(w, "fresh_frame", r->restore);
		json_summary(w, "ns", r->prog, o->runs);
		json_summary(w, "floor_ns", r->floor, o->runs);
		json_summary(w, "above_floor_ns", r->diff, o->runs);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	jw_free(w);
}

static void fmt_summary(char *buf, size_t len, const double *v, int n)
{
	struct summary s = summarize(v, n);

	snprintf(buf, len, "%.1f (%.1f..%.1f)", s.median, s.min, s.max);
}

static void print_plain(const struct bench_opts *o, const struct bench_target *t,
			const struct bench_result *res)
{
	char a[64], b[64], c[64], v[40];
	bool restored = false;
	int i;

	if (o->target)
		printf("bench: %s (%s, program '%s', id %u)", o->target, t->object, t->name, t->id);
	else
		printf("bench: program id %u ('%s')", t->id, t->name);
	printf("; floor: empty %s program (id %u)\n",
	       t->type == BPF_PROG_TYPE_XDP ? "XDP_PASS" : "TC_ACT_OK", t->floor_id);
	printf("repeat %ld x %d runs", o->repeat, o->runs);
	if (o->src_count > 1)
		printf(", source rotated over %u addresses %u apart", o->src_count, o->src_step);
	printf("; ns per packet: median (min..max)\n");
	printf("%-14s %-14s %-22s %-22s %s\n", "frame", "verdict", "program", "floor",
	       "above floor");
	for (i = 0; i < o->nkinds; i++) {
		const struct bench_result *r = &res[i];

		fmt_summary(a, sizeof(a), r->prog, o->runs);
		fmt_summary(b, sizeof(b), r->floor, o->runs);
		fmt_summary(c, sizeof(c), r->diff, o->runs);
		snprintf(v, sizeof(v), "%s%s", verdict_name(t->type, r->retval),
			 r->restore ? "*" : "");
		printf("%-14s %-14s %-22s %-22s %s\n", r->frame.kind, v, a, b, c);
		restored |= r->restore;
	}
	if (restored)
		printf("* the program rewrites this frame: a prelude restores it before every run "
		       "(its cost is in the "
		       "floor too)\n");
}

int do_bench(int argc, char **argv)
{
	struct bench_opts o = { 0 };
	struct bench_target t = { .fd = -1, .floor_fd = -1 };
	struct bench_result *res = NULL;
	struct bpf_prog_info info;
	int i, err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	err = xk_need_root();
	if (err)
		return err;
	err = o.id ? open_by_id(&o, &t) : load_object(&o, &t);
	if (err)
		goto out;
	err = prog_info(t.fd, &info);
	if (err) {
		err = xk_error(XK_EXIT_FAIL, "cannot read the program's info: %s", strerror(-err));
		goto out;
	}
	t.id = info.id;
	t.type = info.type;
	snprintf(t.name, sizeof(t.name), "%s", info.name);
	if (t.type != BPF_PROG_TYPE_XDP && t.type != BPF_PROG_TYPE_SCHED_CLS) {
		err = xk_error(XK_EXIT_USAGE,
			       "program '%s' (id %u) is neither XDP nor TC (type %u); bench runs "
			       "packet programs",
			       t.name, t.id, t.type);
		goto out;
	}
	err = load_floor(&t);
	if (err)
		goto out;
	res = calloc(o.nkinds, sizeof(*res));
	if (!res) {
		err = xk_error(XK_EXIT_FAIL, "out of memory");
		goto out;
	}
	for (i = 0; i < o.nkinds; i++) {
		res[i].pre_prog = (struct bench_prelude){ -1, -1, -1 };
		res[i].pre_floor = (struct bench_prelude){ -1, -1, -1 };
	}
	err = run_all(&o, &t, res);
	if (err)
		goto out;
	if (xk.json)
		print_json(&o, &t, res);
	else
		print_plain(&o, &t, res);
out:
	for (i = 0; res && i < o.nkinds; i++) {
		bench_prelude_close(&res[i].pre_prog);
		bench_prelude_close(&res[i].pre_floor);
	}
	free(res);
	if (t.floor_fd >= 0)
		close(t.floor_fd);
	if (t.obj)
		bpf_object__close(t.obj);
	else if (t.fd >= 0)
		close(t.fd);
	return err;
}

static const struct xk_opt bench_opts[] = {
	{ .name = "id",
	  .key = OPT_ID,
	  .arg = "N",
	  .help = "an already loaded program (any tool's), measured the same way" },
	{ .name = "prog",
	  .key = OPT_PROG,
	  .arg = "NAME",
	  .help = "program or section inside the object (default: the first XDP program)" },
	{ .name = "frame",
	  .key = OPT_FRAME,
	  .arg = "KIND[,KIND]",
	  .complete = XK_C_WORDS,
	  .words_fn = frame_words,
	  .help = "frames to push, comma-separated or repeated (default: all)" },
	{ .name = "repeat",
	  .key = OPT_REPEAT,
	  .arg = "N",
	  .help = "runs of the program per BPF_PROG_TEST_RUN call (default 100000)" },
	{ .name = "runs",
	  .key = OPT_RUNS,
	  .arg = "K",
	  .help = "measurements of each frame, interleaved with the floor (default 5)" },
	{ .name = "src",
	  .key = OPT_SRC,
	  .arg = "ADDR",
	  .help = "IPv4 source written into the IPv4 frames (default: the frame's own)" },
	{ .name = "src-count",
	  .key = OPT_SRC_COUNT,
	  .arg = "N",
	  .help = "rotate the source over N addresses, packet by packet, so lookups are not all on "
		  "one hot key (IPv4 frames only; L4 checksums are not fixed)" },
	{ .name = "src-step",
	  .key = OPT_SRC_STEP,
	  .arg = "S",
	  .help = "distance between those addresses (default 1): ADDR, ADDR+S, ..." },
	{ 0 },
};

static const enum xk_complete bench_pos[] = { XK_C_PROG };

const struct xk_verb xk_verb_bench = {
	.name = "bench",
	.summary = "per-packet cost of a program on canned frames, above an empty program",
	.synopsis = "bench PROG|OBJ|--id N [--prog NAME] [--frame KIND[,KIND]] [--repeat N] "
		    "[--runs K] [--src ADDR] [--src-count N] [--src-step S] [--json]",
	.description =
		"Push canned 64-byte frames through a program with BPF_PROG_TEST_RUN and print the "
		"median ns/packet over K runs, the spread (min..max), and the cost above the floor: an "
		"empty program of the same type (XDP_PASS / TC_ACT_OK) loaded by bench and measured "
		"interleaved, run by run. Nothing is attached. Maps pinned by name are reused from the "
		"pin root when they exist there (so rules written with 'xdpkit map' apply); bench "
		"never creates pins or writes rules.\n\n"
		"The kernel reports the mean duration per run in whole ns; the floor absorbs the "
		"test-run loop. One probe run per frame first checks whether the program rewrites it "
		"(pong); if so a prelude restores the frame before every run, in front of the floor "
		"too (the program sees one more packet).",
	.more = bench_more,
	.opts = bench_opts,
	.pos = bench_pos,
	.npos = 1,
	.max_words = -1,
	.fn = do_bench,
};
