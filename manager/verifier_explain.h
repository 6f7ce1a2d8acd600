/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading a verifier log: where it failed (source line, instruction), what it said, and which known mistake it is. */
#ifndef XDPKIT_VERIFIER_EXPLAIN_H
#define XDPKIT_VERIFIER_EXPLAIN_H

#include <stdbool.h>

/* A known class of verifier rejection, told in plain words. */
struct xk_vclass {
	const char *id;	   /* stable name for scripts: "map-null" */
	const char *title; /* a few words */
	const char *cause; /* what the verifier could not prove */
	const char *fix;   /* what to change in the source */
};

#define XK_VLOG_MSG_LINES 4

struct xk_vlog {
	/* The last "; text @ file:line" annotation before the failing instruction (line 0 if none). */
	char src_file[128];
	int src_line;
	char src_text[256];
	char insn[192];			  /* the failing instruction as the verifier printed it */
	char msg[XK_VLOG_MSG_LINES][256]; /* the verifier's own complaint, first lines */
	int msg_lines;
	long processed;		     /* "processed N insns", -1 when absent */
	const struct xk_vclass *cls; /* NULL when no known class matches */
};

/* Parse a level-1 log (possibly cut at the front by a full rotating buffer). Never fails. */
void xk_vlog_parse(const char *log, struct xk_vlog *out);

/* All known classes, ending with an all-NULL entry (for --help and docs). */
extern const struct xk_vclass xk_vclasses[];

#endif
