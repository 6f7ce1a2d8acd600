// SPDX-License-Identifier: GPL-2.0-only
/* The one command-line parser (getopt_long on a verb's table, see opts.h), the generated --help,
 * and verb dispatch. */
#include "opts.h"
#include "xdpkit.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define MAX_OPTS 32
#define HELP_WIDTH 100
#define OPT_COL 24

static int nopts(const struct xk_opt *o)
{
	int n = 0;

	while (o && o[n].name)
		n++;
	return n;
}

/* "-5" and "-0x10" are values (map keys, VALUE words), never options: no verb has digit options. */
static bool is_negative_number(const char *a)
{
	return a[0] == '-' && isdigit((unsigned char)a[1]);
}

static const struct xk_opt *by_key(const struct xk_opt *o, int key)
{
	for (; o && o->name; o++)
		if (o->key == key || (o->shrt && o->shrt == key))
			return o;
	return NULL;
}

static int bad_option(const struct xk_verb *v, const struct xk_opt *opts, char **argv, int c)
{
	const struct xk_opt *o = optopt ? by_key(opts, optopt) : NULL;
	const char *word = argv[optind - 1];

	if (c == ':' && o)
		return xk_error(XK_EXIT_USAGE,
				"%s: incomplete option '--%s': it needs %s; see 'xdpkit %s --help'",
				v->name, o->name, o->arg, v->name);
	/* A long option that takes no value given one (--replace=yes) comes back as '?' with its
	 * key; an unknown short letter as '?' with the letter. */
	if (o && !strncmp(word, "--", 2))
		return xk_error(XK_EXIT_USAGE,
				"%s: option '--%s' takes no value; see 'xdpkit %s --help'", v->name,
				o->name, v->name);
	if (optopt && strncmp(word, "--", 2)) {
		char s[3] = { '-', (char)optopt, 0 };

		return xk_error(XK_EXIT_USAGE, "%s: unknown option '%s'; see 'xdpkit %s --help'",
				v->name, s, v->name);
	}
	return xk_error(XK_EXIT_USAGE, "%s: unknown option '%.*s'; see 'xdpkit %s --help'", v->name,
			(int)strcspn(word, "="), word, v->name);
}

int xk_opts_parse(const struct xk_verb *v, int argc, char **argv, xk_on_opt on_opt, void *ctx,
		  struct xk_words *w)
{
	struct option lopts[MAX_OPTS + 2] = {};
	char shorts[3 * MAX_OPTS + 8] = "+:h";
	const struct xk_opt *o;
	int i, n = nopts(v->opts), c, err;
	size_t s = strlen(shorts);

	if (n > MAX_OPTS)
		return xk_error(XK_EXIT_FAIL, "%s: too many options in its table", v->name);
	for (i = 0; i < n; i++) {
		o = &v->opts[i];
		lopts[i] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL,
					    o->key };
		if (o->shrt) {
			shorts[s++] = o->shrt;
			if (o->arg)
				shorts[s++] = ':';
		}
	}
	lopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	shorts[s] = '\0';

	w->pos = argv + 1;
	w->n = 0;
	if (argc > 1 && !strcmp(argv[1], "help")) {
		xk_opts_help(v, stdout);
		return XK_OPTS_HELP;
	}
	optind = 1;
	opterr = 0;
	while (optind < argc) {
		const char *a = argv[optind];

		if (!strcmp(a, "--")) {
			for (optind++; optind < argc;)
				w->pos[w->n++] = argv[optind++];
			break;
		}
		/* A positional word: kept (moved to the front, never over a word still to read),
		 * so options may follow IFACE, MAP and the like. */
		if (a[0] != '-' || !a[1] || is_negative_number(a)) {
			w->pos[w->n++] = argv[optind++];
			continue;
		}
		optopt = 0;
		c = getopt_long(argc, argv, shorts, lopts, NULL);
		if (c == -1)
			break;
		if (c == 'h') {
			xk_opts_help(v, stdout);
			return XK_OPTS_HELP;
		}
		if (c == '?' || c == ':')
			return bad_option(v, v->opts, argv, c);
		o = by_key(v->opts, c);
		err = on_opt && o ? on_opt(ctx, o->key, optarg) : 0;
		if (err)
			return err;
	}
	w->pos[w->n] = NULL;
	if (v->max_words < 0)
		return 0;
	if (w->n < v->min_words)
		return xk_error(XK_EXIT_USAGE, "%s: missing argument; usage: xdpkit %.*s", v->name,
				(int)strcspn(v->synopsis, "\n"), v->synopsis);
	if (w->n > v->max_words)
		return xk_error(XK_EXIT_USAGE, "%s: unexpected '%s'; see 'xdpkit %s --help'",
				v->name, w->pos[v->max_words], v->name);
	return 0;
}

void xk_wrap(FILE *f, const char *text, int indent, int first_col, int width)
{
	int col = first_col;
	bool start = true; /* no word on this line yet */
	const char *p = text;

	while (*p) {
		size_t n;

		if (*p == '\n') {
			/* a paragraph break (or a forced line break) */
			fputc('\n', f);
			if (p[1] == '\n')
				fputc('\n', f), p++;
			p++;
			col = 0;
			start = true;
			continue;
		}
		if (*p == ' ') {
			p++;
			continue;
		}
		n = strcspn(p, " \n");
		if (!start && col + 1 + (int)n > width) {
			fputc('\n', f);
			col = 0;
			start = true;
		}
		if (col < indent) {
			fprintf(f, "%*s", indent - col, "");
			col = indent;
		} else if (!start) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, n, f);
		col += n;
		p += n;
		start = false;
	}
	fputc('\n', f);
}

/* "-m, --mode M" or "    --replace": the left column of an option's help line. */
static int opt_label(const struct xk_opt *o, char *buf, size_t len)
{
	return snprintf(buf, len, "%s%c%s--%s%s%s", o->shrt ? "-" : " ", o->shrt ? o->shrt : ' ',
			o->shrt ? ", " : "  ", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

void xk_print_opt(FILE *f, const struct xk_opt *o)
{
	char label[64];
	int n = opt_label(o, label, sizeof(label));

	fprintf(f, "  %s", label);
	if (n + 2 >= OPT_COL - 1) {
		fputc('\n', f);
		xk_wrap(f, o->help, OPT_COL, 0, HELP_WIDTH);
	} else {
		xk_wrap(f, o->help, OPT_COL, n + 2, HELP_WIDTH);
	}
}

static const struct xk_opt help_opt = { .name = "help", .shrt = 'h', .help = "this text" };

void xk_opts_help(const struct xk_verb *v, FILE *f)
{
	const char *s = v->synopsis;
	int i;

	for (i = 0; *s; i++) {
		size_t n = strcspn(s, "\n");
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)n, s);
		fprintf(f, "%s xdpkit ", i ? "      " : "Usage:");
		xk_wrap(f, line, 14, 14, HELP_WIDTH);
		s += n + (s[n] == '\n');
	}
	if (v->description) {
		fputc('\n', f);
		xk_wrap(f, v->description, 0, 0, HELP_WIDTH);
	}
	if (v->subs) {
		fprintf(f, "\nCommands:\n");
		for (i = 0; v->subs[i]; i++) {
			const char *word = strrchr(v->subs[i]->name, ' ');

			word = word ? word + 1 : v->subs[i]->name;
			fprintf(f, "  %-10s", word);
			xk_wrap(f, v->subs[i]->summary, 14, 12, HELP_WIDTH);
		}
	}
	fprintf(f, "\nOptions:\n");
	for (i = 0; v->opts && v->opts[i].name; i++)
		if (!v->opts[i].hidden)
			xk_print_opt(f, &v->opts[i]);
	xk_print_opt(f, &help_opt);
	if (v->more) {
		fputc('\n', f);
		v->more(f);
	}
}

static const char *word_of(const char *name)
{
	const char *w = strrchr(name, ' ');

	return w ? w + 1 : name;
}

int xk_verb_select(const struct xk_verb *const *verbs, int argc, char **argv, const char *what)
{
	const struct xk_verb *match = NULL;
	size_t len;
	int i;

	if (argc < 1)
		return xk_error(XK_EXIT_USAGE, "missing %s; try 'xdpkit help'", what);
	len = strlen(argv[0]);
	for (i = 0; verbs[i]; i++) {
		const char *name = word_of(verbs[i]->name), *alias = verbs[i]->alias;

		if (!strcmp(name, argv[0]) || (alias && !strcmp(alias, argv[0])))
			return verbs[i]->fn(argc, argv);
	}
	for (i = 0; len && verbs[i]; i++) {
		const char *name = word_of(verbs[i]->name), *alias = verbs[i]->alias;

		if (verbs[i]->hidden)
			continue;
		if (!strncmp(name, argv[0], len) || (alias && !strncmp(alias, argv[0], len))) {
			if (match && match != verbs[i])
				return xk_error(XK_EXIT_USAGE,
						"%s '%s' is ambiguous (%s, %s, ...); type more letters",
						what, argv[0], word_of(match->name), name);
			match = verbs[i];
		}
	}
	if (!match)
		return xk_error(XK_EXIT_USAGE, "unknown %s '%s'; try 'xdpkit help'", what, argv[0]);
	return match->fn(argc, argv);
}
