/* SPDX-License-Identifier: GPL-2.0-only */
/* The MAP argument of `xdpkit map` read as text, before any kernel object is looked at: which of
 * the four forms it is (see mapref.h). Pure, so that the fuzzer runs it as the CLI does. */
#ifndef XDPKIT_MAPREF_PARSE_H
#define XDPKIT_MAPREF_PARSE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

/* Longest PROG or MAPNAME accepted (the kernel keeps 15 characters; a file name 255). */
#define XK_REF_NAME_MAX 255

enum xk_ref_kind {
	XK_REF_ID,   /* id N */
	XK_REF_PIN,  /* /path/to/pin */
	XK_REF_PROG, /* PROG/MAPNAME */
	XK_REF_NAME, /* a bare name */
};

struct xk_ref {
	enum xk_ref_kind kind;
	__u32 id;	  /* XK_REF_ID */
	const char *text; /* the argument as typed (the pin path, the name, PROG/MAPNAME) */
	char prog[XK_REF_NAME_MAX + 1]; /* XK_REF_PROG: PROG */
	const char *map;		/* XK_REF_PROG: MAPNAME (inside text) */
};

/* MAP from argv[*argi] (and argv[*argi + 1] for `id N`); advances *argi past it. Returns 0, or
 * -EINVAL with one sentence naming the argument and the fix in err. */
int xk_ref_parse(int argc, char *const *argv, int *argi, struct xk_ref *r, char *err,
		 size_t errlen);
/* PROG as an id: all digits, in the u32 range. */
bool xk_ref_prog_id(const char *what, __u32 *id);
/* Does a kernel object name (at most 15 chars) name what the person typed? */
bool xk_kname_matches(const char *kname, const char *typed);

#endif
