// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the one command-line parser (manager/opts.c): options among positional words,
 * --opt=value, "--", negative numbers as words, the uniform error lines, word counts, verb
 * selection by prefix and alias, and the help's wrapping. */
#include "harness.h"
#include "../../manager/number.h"
#include "../../manager/opts.h"
#include "../../manager/xdpkit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The manager's error reporting, replaced here: the last line is kept for the assertions (common.c
 * is not linked into the unit tests). */
struct xk_globals xk;
static char last_error[512];

int xk_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return code;
}

void xk_hint(const char *fmt, ...)
{
	(void)fmt;
}

enum {
	K_MODE = 1,
	K_COUNT,
	K_FLAG
};

struct seen {
	const char *mode;
	int count_calls;
	const char *count;
	bool flag;
};

static int on_opt(void *ctx, int key, const char *val)
{
	struct seen *s = ctx;

	switch (key) {
	case K_MODE:
		if (strcmp(val, "native") && strcmp(val, "skb"))
			return xk_error(XK_EXIT_USAGE, "--mode '%s' is not a mode", val);
		s->mode = val;
		break;
	case K_COUNT:
		s->count = val;
		s->count_calls++;
		break;
	case K_FLAG:
		s->flag = true;
		break;
	}
	return 0;
}

static const struct xk_opt frob_opts[] = {
	{ .name = "mode",
	  .key = K_MODE,
	  .arg = "M",
	  .complete = XK_C_WORDS,
	  .words = "native skb",
	  .help = "native or skb" },
	{ .name = "count", .key = K_COUNT, .shrt = 'c', .arg = "N", .help = "how many" },
	{ .name = "flag", .key = K_FLAG, .shrt = 'f', .help = "a switch" },
	{ 0 },
};

static int frob_fn(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static const struct xk_verb frob = {
	.name = "frob",
	.summary = "test verb",
	.synopsis = "frob IFACE PROG... [--mode M]",
	.opts = frob_opts,
	.max_words = -1,
	.fn = frob_fn,
};

static const struct xk_verb two = {
	.name = "two",
	.summary = "one or two words",
	.synopsis = "two A [B]",
	.opts = frob_opts,
	.min_words = 1,
	.max_words = 2,
	.fn = frob_fn,
};

#define MAX_ARGS 16

/* Parse a NULL-terminated list of words (the verb's word first) with v. */
static int parse(const struct xk_verb *v, struct seen *s, struct xk_words *w, char **argv, ...)
{
	va_list ap;
	int argc = 0;
	char *a;

	memset(s, 0, sizeof(*s));
	last_error[0] = '\0';
	va_start(ap, argv);
	while ((a = va_arg(ap, char *)) && argc < MAX_ARGS - 1)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return xk_opts_parse(v, argc, argv, on_opt, s, w);
}

UT_TEST(opts_positional_and_options_mixed)
{
	char *argv[MAX_ARGS];
	struct xk_words w;
	struct seen s;

	ASSERT_OK(parse(&frob, &s, &w, argv, "frob", "--mode", "skb", "veth0", "-c", "3", "count",
			"--flag", "hello", NULL));
	ASSERT_EQ(w.n, 3);
	ASSERT_TRUE(!strcmp(w.pos[0], "veth0") && !strcmp(w.pos[1], "count") &&
		    !strcmp(w.pos[2], "hello"));
	ASSERT_TRUE(w.pos[3] == NULL);
	ASSERT_TRUE(s.mode && !strcmp(s.mode, "skb"));
	ASSERT_TRUE(s.count && !strcmp(s.count, "3"));
	ASSERT_TRUE(s.flag);
}

UT_TEST(opts_equals_short_clusters_and_repeats)
{
	char *argv[MAX_ARGS];
	struct xk_words w;
	struct seen s;

	ASSERT_OK(parse(&frob, &s, &w, argv, "frob", "--mode=native", "-fc7", "x", "--count=9",
			NULL));
	ASSERT_TRUE(s.mode && !strcmp(s.mode, "native"));
	ASSERT_TRUE(s.flag);
	ASSERT_EQ(s.count_calls, 2);
	ASSERT_TRUE(s.count && !strcmp(s.count, "9"));
	ASSERT_EQ(w.n, 1);
	/* an option's value may itself start with a dash */
	ASSERT_OK(parse(&frob, &s, &w, argv, "frob", "--count", "-5", "--count", "--flag", NULL));
	ASSERT_TRUE(s.count && !strcmp(s.count, "--flag"));
	ASSERT_TRUE(!s.flag);
	ASSERT_EQ(w.n, 0);
}

UT_TEST(opts_double_dash_and_negative_words)
{
	char *argv[MAX_ARGS];
	struct xk_words w;
	struct seen s;

	ASSERT_OK(parse(&frob, &s, &w, argv, "frob", "cfg", "-1", "-0x10", "-", "--", "--flag",
			"-c", NULL));
	ASSERT_EQ(w.n, 6);
	ASSERT_TRUE(!strcmp(w.pos[1], "-1") && !strcmp(w.pos[2], "-0x10") &&
		    !strcmp(w.pos[3], "-") && !strcmp(w.pos[4], "--flag") &&
		    !strcmp(w.pos[5], "-c"));
	ASSERT_TRUE(!s.flag && !s.count_calls);
}

UT_TEST(opts_errors_name_the_verb)
{
	char *argv[MAX_ARGS];
	struct xk_words w;
	struct seen s;

	ASSERT_EQ(parse(&frob, &s, &w, argv, "frob", "veth0", "--bogus", NULL), XK_EXIT_USAGE);
	ASSERT_TRUE(
		!strcmp(last_error, "frob: unknown option '--bogus'; see 'xdpkit frob --help'"));
	ASSERT_EQ(parse(&frob, &s, &w, argv, "frob", "--bogus=1", NULL), XK_EXIT_USAGE);
	ASSERT_TRUE(strstr(last_error, "unknown option '--bogus'") != NULL);
	ASSERT_EQ(parse(&frob, &s, &w, argv, "frob", "-x", NULL), XK_EXIT_USAGE);
	ASSERT_TRUE(strstr(last_error, "frob: unknown option '-x'") != NULL);
	ASSERT_EQ(parse(&frob, &s, &w, argv, "frob", "veth0", "--mode", NULL), XK_EXIT_USAGE);
	ASSERT_TRUE(!strcmp(last_error, "frob: incomplete option '--mode': it needs M; see "
					"'xdpkit frob --help'"));
	ASSERT_EQ(parse(&frob, &s, &w, argv, "frob", "-c", NULL), XK_EXIT_USAGE);
	ASSERT_TRUE(strstr(last_error, "incomplete option '--count'") != NULL);
	ASSERT_EQ(parse(&frob, &s, &w, argv, "frob", "--flag=yes", NULL), XK_EXIT_USAGE);
	ASSERT_TRUE(strstr(last_error, "option '--flag' takes no value") != NULL);
	/* the handler's own refusal comes back as it is */
	ASSERT_EQ(parse(&frob, &s, &w, argv, "frob", "--mode", "sideways", NULL), XK_EXIT_USAGE);
	ASSERT_TRUE(!strcmp(last_error, "--mode 'sideways' is not a mode"));
	/* a prefix of a long option is getopt_long's abbreviation */
	ASSERT_OK(parse(&frob, &s, &w, argv, "frob", "--fl", NULL));
	ASSERT_TRUE(s.flag);
}

UT_TEST(opts_word_counts)
{
	char *argv[MAX_ARGS];
	struct xk_words w;
	struct seen s;

	ASSERT_EQ(parse(&two, &s, &w, argv, "two", "--flag", NULL), XK_EXIT_USAGE);
	ASSERT_TRUE(!strcmp(last_error, "two: missing argument; usage: xdpkit two A [B]"));
	ASSERT_OK(parse(&two, &s, &w, argv, "two", "a", "b", NULL));
	ASSERT_EQ(parse(&two, &s, &w, argv, "two", "a", "b", "c", NULL), XK_EXIT_USAGE);
	ASSERT_TRUE(!strcmp(last_error, "two: unexpected 'c'; see 'xdpkit two --help'"));
}

UT_TEST(opts_help)
{
	char *argv[MAX_ARGS];
	struct xk_words w;
	struct seen s;
	int out = dup(STDOUT_FILENO);
	FILE *devnull = fopen("/dev/null", "w");

	if (!ASSERT_TRUE(out >= 0 && devnull))
		return;
	fflush(stdout);
	dup2(fileno(devnull), STDOUT_FILENO);
	ASSERT_EQ(parse(&frob, &s, &w, argv, "frob", "veth0", "--help", "--bogus", NULL),
		  XK_OPTS_HELP);
	ASSERT_EQ(parse(&frob, &s, &w, argv, "frob", "-h", NULL), XK_OPTS_HELP);
	ASSERT_EQ(parse(&frob, &s, &w, argv, "frob", "help", NULL), XK_OPTS_HELP);
	fflush(stdout);
	dup2(out, STDOUT_FILENO);
	close(out);
	fclose(devnull);
	ASSERT_TRUE(last_error[0] == '\0');
}

UT_TEST(opts_help_text)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!ASSERT_TRUE(f))
		return;
	xk_opts_help(&frob, f);
	fclose(f);
	ASSERT_TRUE(!strncmp(buf, "Usage: xdpkit frob IFACE PROG... [--mode M]\n", 44));
	ASSERT_TRUE(strstr(buf, "\n      --mode M          native or skb\n") != NULL);
	ASSERT_TRUE(strstr(buf, "\n  -c, --count N         how many\n") != NULL);
	ASSERT_TRUE(strstr(buf, "\n  -h, --help            this text\n") != NULL);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		ASSERT_TRUE(strlen(line) <= 100);
	free(buf);
}

UT_TEST(opts_wrap)
{
	static const char text[] = "one two three four five six seven eight nine ten eleven";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!ASSERT_TRUE(f))
		return;
	xk_wrap(f, text, 4, 0, 20);
	xk_wrap(f, "para one\n\npara two", 0, 0, 80);
	fclose(f);
	ASSERT_TRUE(!strcmp(buf, "    one two three\n    four five six\n    seven eight nine\n"
				 "    ten eleven\npara one\n\npara two\n"));
	free(buf);
}

static int picked;

static int pick_a(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return picked = 1;
}

static int pick_b(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return picked = 2;
}

static const struct xk_verb v_show = { .name = "map show", .alias = "list", .fn = pick_a };
static const struct xk_verb v_set = { .name = "map set", .alias = "update", .fn = pick_b };
static const struct xk_verb v_hidden = { .name = "map secret", .hidden = true, .fn = pick_b };
static const struct xk_verb *const subs[] = { &v_show, &v_set, &v_hidden, NULL };

static int select_word(const char *word)
{
	char *argv[2] = { (char *)word, NULL };

	picked = 0;
	last_error[0] = '\0';
	return xk_verb_select(subs, 1, argv, "map command");
}

UT_TEST(opts_verb_select)
{
	ASSERT_EQ(select_word("show"), 1);
	ASSERT_EQ(select_word("sh"), 1);
	ASSERT_EQ(select_word("li"), 1); /* an alias's prefix */
	ASSERT_EQ(select_word("update"), 2);
	ASSERT_EQ(select_word("se"), 2); /* "secret" is hidden: never guessed */
	ASSERT_EQ(select_word("secret"), 2);
	ASSERT_EQ(select_word("s"), XK_EXIT_USAGE);
	ASSERT_TRUE(!strcmp(last_error,
			    "map command 's' is ambiguous (show, set, ...); type more letters"));
	ASSERT_EQ(select_word("bogus"), XK_EXIT_USAGE);
	ASSERT_TRUE(!strcmp(last_error, "unknown map command 'bogus'; try 'xdpkit help'"));
	ASSERT_EQ(select_word(""), XK_EXIT_USAGE);
	ASSERT_EQ(picked, 0);
}

UT_TEST(number_word)
{
	__u64 v = 7;

	ASSERT_OK(xk_num_word("65535", 0, 65535, &v));
	ASSERT_EQ(v, 65535);
	ASSERT_OK(xk_num_word("0x10", 1, 100, &v));
	ASSERT_EQ(v, 16);
	ASSERT_EQ(xk_num_word("65536", 0, 65535, &v), -ERANGE);
	ASSERT_EQ(xk_num_word("0", 1, 100, &v), -ERANGE);
	ASSERT_EQ(xk_num_word("-1", 0, 100, &v), -EINVAL);
	ASSERT_EQ(xk_num_word("", 0, 100, &v), -EINVAL);
	ASSERT_EQ(xk_num_word("5 ", 0, 100, &v), -EINVAL);
	ASSERT_EQ(v, 16);
}
