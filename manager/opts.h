/* SPDX-License-Identifier: GPL-2.0-only */
/* The command line of every verb, declared once: the one parser, --help, the man page's verbs and
 * options and the bash completion are all made from these tables (as xdp-tools' DEFINE_OPTION).
 *
 * Adding a verb:
 *   1. Declare its options, the positional words' completion, and the verb itself:
 *
 *	static const struct xk_opt frob_opts[] = {
 *		{ .name = "mode", .key = 'm', .arg = "M", .complete = XK_C_WORDS,
 *		  .words = "native skb", .help = "native or generic XDP" },
 *		{ .name = "dry-run", .key = 'n', .shrt = 'n', .help = "change nothing" },
 *		{ 0 },
 *	};
 *	static const enum xk_complete frob_pos[] = { XK_C_IFACE, XK_C_PROG, XK_C_REPEAT };
 *	const struct xk_verb xk_verb_frob = {
 *		.name = "frob", .summary = "one line for 'xdpkit help'",
 *		.synopsis = "frob IFACE PROG... [--mode M]", .description = "Paragraphs.\n\nMore.",
 *		.opts = frob_opts, .pos = frob_pos, .npos = 3, .max_words = -1, .fn = do_frob,
 *	};
 *
 *   2. In its handler, xk_opts_parse() runs getopt_long on that table and calls on_opt(ctx, key,
 *      value) for each option given (value NULL for an option without .arg); the positional words
 *      come back in order in struct xk_words (options may stand before, between or after them;
 *      `--opt=v` works, `--` ends the options, "-5" is a word). -h/--help (and `help` as the first
 *      word) print the generated help and return XK_OPTS_HELP:
 *
 *	static int frob_opt(void *ctx, int key, const char *val)
 *	{
 *		struct frob_args *a = ctx;
 *
 *		if (key == 'm' && strcmp(val, "native") && strcmp(val, "skb"))
 *			return xk_error(XK_EXIT_USAGE, "--mode '%s' is not a mode; use native or skb", val);
 *		...
 *		return 0;
 *	}
 *
 *	int do_frob(int argc, char **argv)
 *	{
 *		struct frob_args a = {};
 *		struct xk_words w;
 *		int err = xk_opts_parse(&xk_verb_frob, argc, argv, frob_opt, &a, &w);
 *
 *		if (err)
 *			return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
 *		... w.pos[0] .. w.pos[w.n - 1] ...
 *	}
 *
 *   3. Declare `extern const struct xk_verb xk_verb_frob;` below and add &xk_verb_frob to
 *      xk_verbs[] in main.c (or to the family's .subs, as map's commands in map.c).
 *
 * Numbers in option values: xk_num_word() (number.h). Word counts: with max_words >= 0 the parser
 * refuses fewer than min_words or more than max_words ("VERB: missing argument", "VERB:
 * unexpected 'X'"); -1 leaves counting (and its own words) to the verb. Errors are one line naming
 * the verb and 'xdpkit VERB --help'. The generators (opts_gen.c) are reached through the hidden
 * `xdpkit help --man-options | --man-verbs | --bash-completion | --dump`, which `make man
 * completion` and tests/cli.sh run: a new table is in the man page, the completion and the tests
 * with nothing else to edit. */
#ifndef XDPKIT_OPTS_H
#define XDPKIT_OPTS_H

#include <stdbool.h>
#include <stdio.h>

/* What completes a word (an option's value or a positional word). */
enum xk_complete {
	XK_C_NONE,    /* free text: nothing offered */
	XK_C_IFACE,   /* a network interface of this namespace */
	XK_C_PROG,    /* a collection program's name, or a *.bpf.o file */
	XK_C_OBJECT,  /* an object file (*.o) */
	XK_C_MAP,     /* a map name: pinned under the pin root or used by an attached program */
	XK_C_FILE,    /* any file */
	XK_C_DIR,     /* a directory */
	XK_C_NETNS,   /* a named network namespace (ip netns list) */
	XK_C_WORDS,   /* one of .words (or what .words_fn prints) */
	XK_C_IFPROG,  /* an interface or an attached program's name */
	XK_C_SUBVERB, /* one of the verb's sub-commands */
	XK_C_VERB,    /* one of xdpkit's verbs */
	XK_C_REPEAT,  /* in .pos: the word before it repeats for every further word */
};

struct xk_opt {
	const char *name; /* long name without "--"; NULL ends the table */
	int key;	  /* handed to on_opt; unique in the verb, never 'h' or '?' */
	char shrt;	  /* the short letter, or 0 */
	const char *arg;  /* metavariable of its value (M, N, DIR), NULL: takes none */
	const char *help; /* one sentence (wrapped by the printers) */
	enum xk_complete complete;
	const char *words;	   /* XK_C_WORDS: the values, separated by spaces */
	void (*words_fn)(FILE *f); /* or: prints them, separated by spaces */
	const char *missing;	   /* globals: what the value is, after "--name needs " */
	bool hidden;		   /* parsed, never shown (help's generator switches) */
};

struct xk_verb {
	const char *name;	 /* "attach", or "map set" for a sub-verb */
	const char *summary;	 /* one line for the verb list */
	const char *synopsis;	 /* usage lines without "xdpkit ", separated by '\n' */
	const char *description; /* paragraphs separated by "\n\n", wrapped when printed */
	void (*more)(FILE *f);	 /* optional: a preformatted block after the options (lists) */
	const struct xk_opt *opts;
	const enum xk_complete *pos; /* completion of positional words, in order */
	int npos;
	int min_words, max_words;	   /* checked by the parser when max_words >= 0 */
	const struct xk_verb *const *subs; /* sub-verbs (map), NULL-terminated */
	bool hidden;	   /* not listed, not prefix-matched, not in man or completion */
	const char *alias; /* another word for it (map list = map show) */
	int (*fn)(int argc, char **argv); /* the handler: argv[0] is the verb's word */
};

/* Positional words as given (argv's entries, moved together: pos[0..n-1]). */
struct xk_words {
	char **pos;
	int n;
};

/* Returned by xk_opts_parse when it printed the help: the verb exits XK_EXIT_OK. */
#define XK_OPTS_HELP (-1)

typedef int (*xk_on_opt)(void *ctx, int key, const char *val);

/* Parse argv[1..] (argv[0] is the verb's word) against v. on_opt may be NULL when v has no options;
 * it returns 0 or an exit code (already printed). Returns 0, XK_OPTS_HELP or an exit code. */
int xk_opts_parse(const struct xk_verb *v, int argc, char **argv, xk_on_opt on_opt, void *ctx,
		  struct xk_words *w);

/* The generated `xdpkit VERB --help`, and one option's line of it. */
void xk_opts_help(const struct xk_verb *v, FILE *f);
void xk_print_opt(FILE *f, const struct xk_opt *o);

/* The global options (main.c) and every verb (main.c's list), for the help and the generators. */
extern const struct xk_opt xk_global_opts[];
extern const struct xk_verb *const xk_verbs[];

/* Run the verb (or sub-verb) argv[0] names: its name, its alias, or an unambiguous prefix of
 * either, as in bpftool. what: "verb" or "map command", for the error line. */
int xk_verb_select(const struct xk_verb *const *verbs, int argc, char **argv, const char *what);

/* The verbs, each declared beside its handler. `help [VERB]` and its hidden generator switches are
 * opts_gen.c's; the hidden `__complete` is complete.c's. */
extern const struct xk_verb xk_verb_help, xk_verb_list, xk_verb_attach, xk_verb_detach,
	xk_verb_purge, xk_verb_status, xk_verb_stats, xk_verb_map, xk_verb_check, xk_verb_trace,
	xk_verb_bench, xk_verb_exporter, xk_verb_complete, xk_verb_dump;
extern const struct xk_verb xk_verb_apply, xk_verb_save; /* apply.c, save.c */
/* Print text wrapped at width, each line indented by indent (the first after first_col). */
void xk_wrap(FILE *f, const char *text, int indent, int first_col, int width);

#endif
