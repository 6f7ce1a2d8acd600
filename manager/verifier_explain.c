// SPDX-License-Identifier: GPL-2.0-only
/* The verifier log reader and the table of known rejections (data, not code: add a row to teach it a new one). */
#include "verifier_explain.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct xk_vclass xk_vclasses[] = {
	{ "gpl-only", "GPL-only helper in a non-GPL program",
	  "the program calls a helper the kernel offers only to GPL-compatible programs (bpf_printk and "
	  "most tracing helpers are such), but the object's license section is not GPL-compatible",
	  "declare a GPL-compatible license: char LICENSE[] SEC(\"license\") = \"GPL\"; "
	  "(or \"Dual BSD/GPL\"), or stop calling the helper" },
	{ "not-a-map", "not a map where a map is expected",
	  "a helper that takes a map (bpf_map_lookup_elem, bpf_map_update_elem, ...) got something else in "
	  "its first argument, e.g. the address of a stack variable",
	  "pass the map itself: bpf_map_lookup_elem(&my_map, &key), where my_map is defined in "
	  "SEC(\".maps\")" },
	{ "map-null", "map value used before its NULL check",
	  "bpf_map_lookup_elem (like other *_or_null helpers) returns NULL when the key is absent, and the "
	  "program dereferenced the result without testing it first",
	  "test the pointer right after the lookup and before any use: if (!p) return ...;" },
	{ "map-bounds", "access past the end of a map value",
	  "the program reads or writes outside the map value: the offset plus the access size may exceed "
	  "the value size (value_size= in the message)",
	  "keep every offset inside the value: check the index against the array length "
	  "(if (i >= ARRAY_SIZE(v->a)) return ...;) and mind off-by-one (< not <=)" },
	{ "packet-bounds", "packet access not proven against data_end",
	  "the program reads packet bytes before proving they lie before ctx->data_end; r=0 in the "
	  "message means no byte of the packet has been checked",
	  "compare before reading: if ((void *)(hdr + 1) > data_end) return XDP_PASS; then read hdr, "
	  "and repeat after every pointer advance" },
	{ "unbounded-offset", "unbounded variable offset",
	  "a register with no known bounds (a value loaded from memory or computed) is used as an offset "
	  "into a map value, packet or stack, so the verifier cannot prove the access stays inside",
	  "bound the value before using it as an offset: if (idx >= LEN) return ...; or idx &= LEN - 1 "
	  "for a power-of-two LEN; use an unsigned type so it has a lower bound of 0" },
	{ "loop", "loop the verifier cannot bound",
	  "the verifier found a loop that comes back to the same state without making progress (or, for "
	  "unprivileged loaders, any back-edge), so it cannot prove the program ends",
	  "give the loop a fixed upper bound the verifier can see (for (i = 0; i < 64 && ...; i++)), "
	  "or use bpf_loop() for long iterations" },
	{ "too-large", "1M instruction complexity limit",
	  "the verifier walks every path (and every loop iteration) and gave up after 1,000,000 "
	  "instructions; big loop bounds and many branches multiply the paths",
	  "lower loop bounds, move long iterations into bpf_loop() or a BPF-to-BPF function "
	  "(__noinline), split the work with tail calls, and let state pruning work by keeping "
	  "loop variables out of unrelated registers" },
	{ 0 },
};

/* Ordered rules: the first pattern found in the verifier's own message decides the class. Order matters:
 * "invalid access to map value" also says "... value is outside ...", and unbounded offsets say "unbounded". */
static const struct {
	const char *pattern;
	const char *cls;
} rules[] = {
	{ "cannot call GPL-restricted function", "gpl-only" },
	{ "expected=map_ptr", "not-a-map" },
	{ "_or_null'", "map-null" },
	{ "unbounded", "unbounded-offset" },
	{ "invalid access to map value", "map-bounds" },
	{ "invalid access to packet", "packet-bounds" },
	{ "value is outside of the allowed memory range", "unbounded-offset" },
	{ "infinite loop detected", "loop" },
	{ "back-edge from insn", "loop" },
	{ "BPF program is too large", "too-large" },
	{ "is too complex", "too-large" },
};

static const struct xk_vclass *class_by_id(const char *id)
{
	int i;

	for (i = 0; xk_vclasses[i].id; i++)
		if (!strcmp(xk_vclasses[i].id, id))
			return &xk_vclasses[i];
	return NULL;
}

/* "12: (71) r2 = ..." is an instruction; "12: R1=ctx()" is a state dump. */
static bool is_insn_line(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && isdigit((unsigned char)s[i]))
		i++;
	return i > 0 && i + 3 < len && s[i] == ':' && s[i + 1] == ' ' && s[i + 2] == '(';
}

/* Lines that describe state rather than the complaint itself. */
static bool is_state_line(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && isdigit((unsigned char)s[i]))
		i++;
	if (i > 0 && i < len && s[i] == ':')
		return true;
	return !strncmp(s, "from ", 5) || !strncmp(s, "cur state:", 10) ||
	       !strncmp(s, "old state:", 10) || !strncmp(s, "; ", 2) || !strncmp(s, "func#", 5) ||
	       !strncmp(s, "verification time", 17) || !strncmp(s, "stack depth", 11);
}

static void copy_line(char *dst, size_t dlen, const char *s, size_t len)
{
	if (len >= dlen)
		len = dlen - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* "; text @ file.c:42": a source annotation (kernels since 6.x add " @ file:line"; older ones only text). */
static void take_source(struct xk_vlog *out, const char *s, size_t len)
{
	char line[512];
	char *at, *colon;
	long n;

	copy_line(line, sizeof(line), s + 2, len - 2);
	at = strstr(line, " @ ");
	if (!at) {
		if (line[0]) {
			copy_line(out->src_text, sizeof(out->src_text), line, strlen(line));
			out->src_file[0] = '\0';
			out->src_line = 0;
		}
		return;
	}
	*at = '\0';
	colon = strrchr(at + 3, ':');
	if (!colon)
		return;
	n = strtol(colon + 1, NULL, 10);
	/* "; @ file.c:0": compiler-made code with no line of its own; keep the previous annotation. */
	if (n <= 0 || !line[0])
		return;
	*colon = '\0';
	copy_line(out->src_file, sizeof(out->src_file), at + 3, strlen(at + 3));
	out->src_line = (int)n;
	copy_line(out->src_text, sizeof(out->src_text), line, strlen(line));
}

/* "processed 123 insns (limit ...)": the statistics line. Looked at within the line only: sscanf
 * would measure the rest of the log for every line (glibc reads its input with strlen), which
 * made an 8 MiB log take seconds. */
static bool take_processed(const char *s, size_t len, long *n)
{
	static const char pre[] = "processed ", post[] = " insns";
	size_t i = sizeof(pre) - 1;
	long v = 0;

	if (len <= i || memcmp(s, pre, i) || !isdigit((unsigned char)s[i]))
		return false;
	for (; i < len && isdigit((unsigned char)s[i]); i++)
		v = v < (LONG_MAX - 9) / 10 ? v * 10 + (s[i] - '0') : LONG_MAX;
	if (len - i < sizeof(post) - 1 || memcmp(s + i, post, sizeof(post) - 1))
		return false;
	*n = v;
	return true;
}

void xk_vlog_parse(const char *log, struct xk_vlog *out)
{
	const char *p = log, *msg_start = log, *msg_end = NULL;
	struct xk_vlog src = { 0 }; /* the annotation in force at the current point of the log */
	int i, r;

	memset(out, 0, sizeof(*out));
	out->processed = -1;
	if (!log)
		return;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		long n;

		if (len > 2 && p[0] == ';' && p[1] == ' ') {
			take_source(&src, p, len);
		} else if (is_insn_line(p, len)) {
			copy_line(out->insn, sizeof(out->insn), p, len);
			memcpy(out->src_file, src.src_file, sizeof(src.src_file));
			out->src_line = src.src_line;
			memcpy(out->src_text, src.src_text, sizeof(src.src_text));
			msg_start = nl ? nl + 1 : p + len;
			msg_end = NULL;
		} else if (take_processed(p, len, &n)) {
			out->processed = n;
			if (!msg_end)
				msg_end = p;
		}
		p += len + (nl ? 1 : 0);
	}
	if (!msg_end || msg_end < msg_start)
		msg_end = p;

	/* The complaint: the non-state lines between the failing instruction and the statistics line. */
	for (p = msg_start; p < msg_end && out->msg_lines < XK_VLOG_MSG_LINES;) {
		const char *nl = memchr(p, '\n', msg_end - p);
		size_t len = nl ? (size_t)(nl - p) : (size_t)(msg_end - p);

		if (len && !is_state_line(p, len))
			copy_line(out->msg[out->msg_lines++], sizeof(out->msg[0]), p, len);
		p += len + (nl ? 1 : 0);
	}

	for (r = 0; r < (int)(sizeof(rules) / sizeof(rules[0])) && !out->cls; r++)
		for (i = 0; i < out->msg_lines; i++)
			if (strstr(out->msg[i], rules[r].pattern)) {
				out->cls = class_by_id(rules[r].cls);
				break;
			}
}
