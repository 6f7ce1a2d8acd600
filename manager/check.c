// SPDX-License-Identifier: GPL-2.0-only
/* xdpkit check: load every program of an object without attaching it, and explain a verifier rejection. */
#include "json.h"
#include "opts.h"
#include "xdpkit.h"
#include "verifier_explain.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Big enough for any successful level-1 log (the verifier keeps only the failing path); when a rejected
 * program overflows it, the kernel (6.4+) keeps the end, which is where the complaint is. */
#define LOG_SIZE (8u << 20)

struct prog_result {
	char name[64];
	char section[128];
	const char *type;
	int err;    /* 0 when loaded */
	long insns; /* instructions processed, -1 when unknown */
	struct xk_vlog vlog;
	char lib_msg[256]; /* libbpf's last complaint, for failures that never reach the verifier */
};

/* Load program number idx alone (others not autoloaded), so one bad program cannot hide another's verdict. */
static int check_one(const char *path, int idx, char *log, struct prog_result *res)
{
	struct bpf_object *obj;
	struct bpf_program *prog, *target = NULL;
	struct bpf_map *map;
	struct bpf_prog_info info;
	__u32 info_len = sizeof(info);
	int i = 0, err;

	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return -errno;
	bpf_object__for_each_program(prog, obj) {
		if (i++ == idx)
			target = prog;
		else
			bpf_program__set_autoload(prog, false);
	}
	if (!target) {
		bpf_object__close(obj);
		return -ENOENT;
	}
	/* A check must leave nothing behind: no pinning, no reuse of pinned maps. */
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);

	log[0] = '\0';
	bpf_program__set_log_buf(target, log, LOG_SIZE);
	bpf_program__set_log_level(target, xk.verbose > 1 ? 2 : 1);
	snprintf(res->name, sizeof(res->name), "%s", bpf_program__name(target));
	snprintf(res->section, sizeof(res->section), "%s", bpf_program__section_name(target));
	res->type = libbpf_bpf_prog_type_str(bpf_program__type(target));
	xk_note_reset();

	err = bpf_object__load(obj);
	res->err = err;
	xk_vlog_parse(log, &res->vlog);
	res->insns = res->vlog.processed;
	/* A log cut short on success (-v -v) has no statistics line; the kernel also counts them. */
	if (!err && res->insns < 0) {
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(bpf_program__fd(target), &info, &info_len))
			res->insns = info.verified_insns;
	}
	if (err)
		snprintf(res->lib_msg, sizeof(res->lib_msg), "%s", xk_note.first_warn);
	if (xk.verbose && log[0])
		fprintf(stderr, "--- verifier log of %s ---\n%s%s--- end of log ---\n", res->name,
			log, log[strlen(log) - 1] == '\n' ? "" : "\n");
	bpf_object__close(obj);
	return 0;
}

static void print_plain(const struct prog_result *r)
{
	const struct xk_vlog *v = &r->vlog;
	int i;

	char insns[24] = "-";

	if (r->insns >= 0)
		snprintf(insns, sizeof(insns), "%ld", r->insns);
	/* "rejected" is the verifier's word; "failed" is anything else (no permission, a map, BTF). */
	printf("%-20s %-24s %-12s %8s  %s\n", r->name, r->section, r->type ? r->type : "?", insns,
	       !r->err	      ? "ok"
	       : v->msg_lines ? "rejected"
			      : "failed");
	if (!r->err)
		return;
	if (v->src_line)
		printf("    at       %s:%d: %s\n", v->src_file, v->src_line, v->src_text);
	else if (v->src_text[0])
		printf("    at       %s\n", v->src_text);
	if (v->insn[0])
		printf("    insn     %s\n", v->insn);
	for (i = 0; i < v->msg_lines; i++)
		printf("    %-8s %s\n", i ? "" : "verifier", v->msg[i]);
	if (!v->msg_lines)
		printf("    error    %s\n", r->lib_msg[0] ? r->lib_msg : strerror(-r->err));
	if (!v->msg_lines && r->err == -EPERM)
		printf("    hint     this kernel refuses this program type or its attach target to us "
		       "(fentry/freplace are often locked down); nothing is wrong in the code as far as we can tell\n");
	if (v->cls) {
		printf("    class    %s: %s\n", v->cls->id, v->cls->title);
		printf("    cause    %s\n", v->cls->cause);
		printf("    fix      %s\n", v->cls->fix);
	} else if (v->msg_lines) {
		printf("    class    unknown: not one of the known mistakes; 'xdpkit check -v' shows the whole log\n");
	}
}

static void print_json(struct jw *w, const struct prog_result *r)
{
	const struct xk_vlog *v = &r->vlog;
	int i;

	jw_obj_start(w);
	jw_kstr(w, "name", r->name);
	jw_kstr(w, "section", r->section);
	jw_kstr(w, "type", r->type ? r->type : "unknown");
	jw_kbool(w, "loaded", !r->err);
	jw_kint(w, "insns_processed", r->insns);
	if (r->err) {
		jw_key(w, "error");
		jw_obj_start(w);
		jw_kint(w, "errno", -r->err);
		if (v->cls)
			jw_kstr(w, "class", v->cls->id);
		else
			jw_key(w, "class"), jw_null(w);
		if (v->src_line) {
			jw_kstr(w, "file", v->src_file);
			jw_kint(w, "line", v->src_line);
		}
		if (v->src_text[0])
			jw_kstr(w, "source", v->src_text);
		if (v->insn[0])
			jw_kstr(w, "insn", v->insn);
		jw_key(w, "message");
		jw_arr_start(w);
		for (i = 0; i < v->msg_lines; i++)
			jw_str(w, v->msg[i]);
		if (!v->msg_lines && r->lib_msg[0])
			jw_str(w, r->lib_msg);
		jw_arr_end(w);
		if (v->cls) {
			jw_kstr(w, "cause", v->cls->cause);
			jw_kstr(w, "fix", v->cls->fix);
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

int do_check(int argc, char **argv)
{
	char path[PATH_MAX];
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct prog_result res;
	struct jw *w = NULL;
	struct xk_words words;
	int i, n = 0, rejected = 0, err;
	char *log;

	err = xk_opts_parse(&xk_verb_check, argc, argv, NULL, NULL, &words);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	if (!words.n)
		return xk_error(
			XK_EXIT_USAGE,
			"check: which object? e.g. 'xdpkit check hello' or 'xdpkit check build/x.bpf.o'");
	if (words.n > 1)
		return xk_error(XK_EXIT_USAGE, "check: one object at a time; '%s' is extra",
				words.pos[1]);
	err = xk_resolve_object(words.pos[0], path, sizeof(path));
	if (err)
		return err;
	err = xk_need_root();
	if (err)
		return err;

	/* A first open only counts the programs and proves this is a BPF object at all. */
	xk_note_reset();
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return xk_error(
			XK_EXIT_USAGE,
			"'%s' is not a BPF object libbpf can open (%s); build it with clang -target bpf -O2 -g",
			path, xk_libbpf_reason(errno));
	bpf_object__for_each_program(prog, obj)
		n++;
	bpf_object__close(obj);
	if (!n)
		return xk_error(XK_EXIT_USAGE,
				"'%s' has no BPF programs (no SEC(\"...\") functions)", path);

	log = malloc(LOG_SIZE);
	if (!log)
		return xk_error(XK_EXIT_FAIL, "check: out of memory for the verifier log");
	if (xk.json) {
		w = jw_new(stdout);
		jw_obj_start(w);
		jw_kstr(w, "object", path);
		jw_key(w, "programs");
		jw_arr_start(w);
	} else {
		printf("%-20s %-24s %-12s %8s  %s\n", "PROGRAM", "SECTION", "TYPE", "INSNS",
		       "VERDICT");
	}
	for (i = 0; i < n; i++) {
		memset(&res, 0, sizeof(res));
		err = check_one(path, i, log, &res);
		if (err) {
			free(log);
			if (w)
				jw_free(w);
			return xk_error(XK_EXIT_FAIL, "'%s' could not be reopened: %s", path,
					strerror(-err));
		}
		if (res.err)
			rejected++;
		if (w)
			print_json(w, &res);
		else
			print_plain(&res);
	}
	free(log);
	if (w) {
		jw_arr_end(w);
		jw_kint(w, "rejected", rejected);
		jw_obj_end(w);
		jw_free(w);
	}
	/* With --json the document above is the whole answer ("rejected"); one more would break it. */
	if (rejected && xk.json)
		return XK_EXIT_FAIL;
	if (rejected)
		return xk_error(XK_EXIT_FAIL, "'%s': %d of %d program(s) did not load; see above%s",
				path, rejected, n,
				xk.verbose ? "" : " (-v shows the whole verifier log)");
	return XK_EXIT_OK;
}

static void check_more(FILE *f)
{
	int i;

	fprintf(f, "Recognized rejections:\n");
	for (i = 0; xk_vclasses[i].id; i++)
		fprintf(f, "  %-17s %s\n", xk_vclasses[i].id, xk_vclasses[i].title);
}

static const enum xk_complete check_pos[] = { XK_C_PROG };

const struct xk_verb xk_verb_check = {
	.name = "check",
	.summary = "load an object into the verifier without attaching; explain a rejection",
	.synopsis = "check OBJ [-v] [--json]",
	.description =
		"Load every program of OBJ (a collection name or an object path) into the verifier "
		"without attaching or pinning anything, then unload it. Prints one line per program "
		"with the instructions the verifier processed; for a rejected program, the source "
		"line, the verifier's own message, and a plain-language cause and fix. -v prints the "
		"whole verifier log (-v -v: log level 2, every state).\n\n"
		"Exit: 0 all programs load, 1 the verifier (or kernel) rejected one, 2 not a BPF "
		"object, 3 no such file, 4 not root.",
	.more = check_more,
	.pos = check_pos,
	.npos = 1,
	.max_words = -1,
	.fn = do_check,
};
