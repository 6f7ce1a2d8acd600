// SPDX-License-Identifier: GPL-2.0-only
/* `xdpkit help`: the verb list, a verb's help, and what is generated from the option tables at
 * build time: the man page's options and verbs (markdown for go-md2man), the bash completion
 * script, and a plain dump of every option for the tests. */
#include "opts.h"
#include "xdpkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
	[XK_C_NONE] = "none",	  [XK_C_IFACE] = "iface",     [XK_C_PROG] = "prog",
	[XK_C_OBJECT] = "object", [XK_C_MAP] = "map",	      [XK_C_FILE] = "file",
	[XK_C_DIR] = "dir",	  [XK_C_NETNS] = "netns",     [XK_C_WORDS] = "words",
	[XK_C_IFPROG] = "ifprog", [XK_C_SUBVERB] = "subverb", [XK_C_VERB] = "verb",
	[XK_C_REPEAT] = "+",
};

static void print_words(FILE *f, const struct xk_opt *o)
{
	if (o->words)
		fputs(o->words, f);
	else if (o->words_fn)
		o->words_fn(f);
}

/* ---- xdpkit help ---- */

static void verb_list(FILE *f)
{
	int i;

	for (i = 0; xk_verbs[i]; i++) {
		if (xk_verbs[i]->hidden)
			continue;
		fprintf(f, "  %-9s ", xk_verbs[i]->name);
		xk_wrap(f, xk_verbs[i]->summary, 12, 12, 100);
	}
}

static void exit_codes(FILE *f)
{
	fprintf(f, "Exit codes:\n"
		   "  0 success\n"
		   "  1 the kernel or a library refused the operation\n"
		   "  2 bad command line or bad input value\n"
		   "  3 no such interface, file, program or map\n"
		   "  4 environment: not root, bpffs or tracefs unavailable\n");
}

static void top_help(void)
{
	int i;

	printf("Usage: xdpkit [-v] [--json] [--pin-root DIR] [-n NETNS] VERB [ARGS]\n\n"
	       "Manage XDP and TC programs: attach, chain, inspect, steer.\n\nVerbs:\n");
	verb_list(stdout);
	printf("\n'xdpkit VERB --help' shows a verb's options. Verbs may be shortened (xdpkit att = "
	       "attach).\n\nGlobal options:\n");
	for (i = 0; xk_global_opts[i].name; i++)
		xk_print_opt(stdout, &xk_global_opts[i]);
	printf("\n");
	exit_codes(stdout);
}

/* ---- markdown for go-md2man ---- */

static void md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_[]<>#", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void md_opt(FILE *f, const struct xk_opt *o)
{
	if (o->shrt)
		fprintf(f, "**-%c**, ", o->shrt);
	fprintf(f, "**--");
	md_text(f, o->name);
	fprintf(f, "**");
	if (o->arg) {
		fprintf(f, " *");
		md_text(f, o->arg);
		fprintf(f, "*");
	}
	fprintf(f, "\n:   ");
	md_text(f, o->help);
	if (o->complete == XK_C_WORDS) {
		char *words = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&words, &len);

		if (mem) {
			print_words(mem, o);
			fclose(mem);
			fprintf(f, " (one of: ");
			md_text(f, words);
			fprintf(f, ")");
			free(words);
		}
	}
	fprintf(f, "\n\n");
}

static void md_verb(FILE *f, const struct xk_verb *v)
{
	const char *s;
	char *block = NULL;
	size_t len = 0;
	FILE *mem;
	int i;

	fprintf(f, "### xdpkit ");
	md_text(f, v->name);
	fprintf(f, "\n\n");
	for (s = v->synopsis; *s;) {
		size_t n = strcspn(s, "\n");
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)n, s);
		fprintf(f, "**xdpkit** ");
		md_text(f, line);
		fprintf(f, "\n\n");
		s += n + (s[n] == '\n');
	}
	if (v->description) {
		md_text(f, v->description);
		fprintf(f, "\n\n");
	}
	/* The verb's list (frames, rejection classes) as an indented block, before the options: a
	 * block after them would be read as part of the last option's definition. */
	if (v->more) {
		mem = open_memstream(&block, &len);
		if (mem) {
			v->more(mem);
			fclose(mem);
			for (s = block; *s;) {
				size_t n = strcspn(s, "\n");

				fprintf(f, "    %.*s\n", (int)n, s);
				s += n + (s[n] == '\n');
			}
			fprintf(f, "\n");
			free(block);
		}
	}
	for (i = 0; v->opts && v->opts[i].name; i++)
		if (!v->opts[i].hidden)
			md_opt(f, &v->opts[i]);
	for (i = 0; v->subs && v->subs[i]; i++)
		md_verb(f, v->subs[i]);
}

static void man_verbs(void)
{
	int i;

	for (i = 0; xk_verbs[i]; i++)
		if (!xk_verbs[i]->hidden && strcmp(xk_verbs[i]->name, "help"))
			md_verb(stdout, xk_verbs[i]);
}

static void man_options(void)
{
	int i;

	for (i = 0; xk_global_opts[i].name; i++)
		md_opt(stdout, &xk_global_opts[i]);
	printf("**-h**, **--help**\n:   after a verb: that verb's options; alone: the verbs\n\n");
}

/* ---- the option tables as text: VERB TAB --long TAB -s TAB ARG TAB KIND[:words] ---- */

static void dump_opt(const char *verb, const struct xk_opt *o)
{
	char shrt[3] = { '-', o->shrt, 0 };

	printf("%s\t--%s\t%s\t%s\t%s", verb, o->name, o->shrt ? shrt : "", o->arg ? o->arg : "",
	       kind_names[o->complete]);
	if (o->complete == XK_C_WORDS) {
		putchar(':');
		print_words(stdout, o);
	}
	putchar('\n');
}

static void dump_verb(const struct xk_verb *v)
{
	int i;

	printf("%s\t-\t-\t-\t%s\n", v->name, v->hidden ? "hidden" : "verb");
	for (i = 0; v->opts && v->opts[i].name; i++)
		if (!v->opts[i].hidden)
			dump_opt(v->name, &v->opts[i]);
	for (i = 0; v->subs && v->subs[i]; i++)
		dump_verb(v->subs[i]);
}

static void dump_tables(void)
{
	int i;

	for (i = 0; xk_global_opts[i].name; i++)
		dump_opt("global", &xk_global_opts[i]);
	for (i = 0; xk_verbs[i]; i++)
		dump_verb(xk_verbs[i]);
}

/* ---- bash completion ---- */

/* "map set" -> "map_set": a bash name. */
static void key_of(const struct xk_verb *v, char *buf, size_t len)
{
	char *p;

	snprintf(buf, len, "%s", v->name);
	for (p = buf; *p; p++)
		if (*p == ' ')
			*p = '_';
}

static void bash_kind(const struct xk_opt *o)
{
	printf("%s", kind_names[o->complete]);
	if (o->complete == XK_C_WORDS) {
		putchar(':');
		print_words(stdout, o);
	}
}

static void bash_opt_cases(const char *key, const struct xk_opt *opts)
{
	int i;

	for (i = 0; opts && opts[i].name; i++) {
		if (!opts[i].arg || opts[i].hidden)
			continue;
		printf("\t%s:--%s", key, opts[i].name);
		if (opts[i].shrt)
			printf("|%s:-%c", key, opts[i].shrt);
		printf(") echo '");
		bash_kind(&opts[i]);
		printf("' ;;\n");
	}
}

static void bash_verb_data(const struct xk_verb *v)
{
	char key[64];
	int i;

	key_of(v, key, sizeof(key));
	printf("_xdpkit_opts_%s='", key);
	for (i = 0; v->opts && v->opts[i].name; i++) {
		if (v->opts[i].hidden)
			continue;
		printf("--%s ", v->opts[i].name);
		if (v->opts[i].shrt)
			printf("-%c ", v->opts[i].shrt);
	}
	printf("--help -h'\n_xdpkit_pos_%s='", key);
	for (i = 0; i < v->npos; i++)
		printf("%s%s", i ? " " : "", kind_names[v->pos[i]]);
	printf("'\n");
	if (v->subs) {
		printf("_xdpkit_subs_%s='", key);
		for (i = 0; v->subs[i]; i++)
			printf("%s%s", i ? " " : "", strrchr(v->subs[i]->name, ' ') + 1);
		printf("'\n");
	}
	for (i = 0; v->subs && v->subs[i]; i++)
		bash_verb_data(v->subs[i]);
}

static void bash_optkind_cases(const struct xk_verb *v)
{
	char key[64];
	int i;

	key_of(v, key, sizeof(key));
	bash_opt_cases(key, v->opts);
	for (i = 0; v->subs && v->subs[i]; i++)
		bash_optkind_cases(v->subs[i]);
}

static void bash_alias_cases(const struct xk_verb *v, const char *parent)
{
	int i;

	if (v->alias)
		printf("\t%s:%s) echo %s ;;\n", parent, v->alias,
		       strrchr(v->name, ' ') ? strrchr(v->name, ' ') + 1 : v->name);
	for (i = 0; v->subs && v->subs[i]; i++)
		bash_alias_cases(v->subs[i], v->name);
}

static const char bash_body[] =
	"# A word's verb: its full name, an alias's name, or the one name it is a prefix of.\n"
	"_xdpkit_expand()\n"
	"{\n"
	"\tlocal parent=$1 w=$2 names=$3 n m= c=0\n"
	"\tm=$(_xdpkit_alias \"$parent:$w\")\n"
	"\t[[ -n $m ]] && { echo \"$m\"; return; }\n"
	"\tfor n in $names; do\n"
	"\t\t[[ $n == \"$w\" ]] && { echo \"$n\"; return; }\n"
	"\t\t[[ $n == \"$w\"* ]] && { m=$n; ((c++)); }\n"
	"\tdone\n"
	"\t((c == 1)) && echo \"$m\"\n"
	"}\n"
	"\n"
	"# Interfaces of the namespace the command runs in (-n NETNS: xdpkit enters it and lists them).\n"
	"_xdpkit_ifaces()\n"
	"{\n"
	"\tlocal i ns=\n"
	"\tfor ((i = 1; i < ${#_xdpkit_cmd[@]}; i++)); do\n"
	"\t\tcase ${_xdpkit_cmd[i]} in\n"
	"\t\t-n | --netns) ns=${_xdpkit_cmd[i + 1]} ;;\n"
	"\t\t--netns=*) ns=${_xdpkit_cmd[i]#--netns=} ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"\tif [[ -n $ns ]]; then\n"
	"\t\t\"${_xdpkit_cmd[@]}\" __complete ifaces 2>/dev/null\n"
	"\telse\n"
	"\t\tls /sys/class/net 2>/dev/null\n"
	"\tfi\n"
	"}\n"
	"\n"
	"# Complete cur by a kind from the tables: iface, prog, object, map, file, dir, netns, words:...\n"
	"_xdpkit_kind()\n"
	"{\n"
	"\tlocal kind=$1 cur=$2 pre=$3\n"
	"\tlocal IFS=$'\\n'\n"
	"\tcase $kind in\n"
	"\twords:*)\n"
	"\t\tIFS=$' \\t\\n'\n"
	"\t\tCOMPREPLY=($(compgen -P \"$pre\" -W \"${kind#words:}\" -- \"$cur\")) ;;\n"
	"\tiface)\n"
	"\t\tCOMPREPLY=($(compgen -W \"$(_xdpkit_ifaces)\" -- \"$cur\")) ;;\n"
	"\tifprog)\n"
	"\t\tCOMPREPLY=($(compgen -W \"$(_xdpkit_ifaces)\n"
	"$(\"${_xdpkit_cmd[@]}\" __complete programs 2>/dev/null)\" -- \"$cur\")) ;;\n"
	"\tprog)\n"
	"\t\tCOMPREPLY=($(compgen -W \"$(\"${_xdpkit_cmd[@]}\" __complete programs 2>/dev/null)\" -- \"$cur\")\n"
	"\t\t\t$(compgen -f -X '!*.bpf.o' -- \"$cur\") $(compgen -d -- \"$cur\"))\n"
	"\t\tcompopt -o filenames 2>/dev/null ;;\n"
	"\tobject)\n"
	"\t\tCOMPREPLY=($(compgen -f -X '!*.o' -- \"$cur\") $(compgen -d -- \"$cur\"))\n"
	"\t\tcompopt -o filenames 2>/dev/null ;;\n"
	"\tmap)\n"
	"\t\tCOMPREPLY=($(compgen -W \"$(\"${_xdpkit_cmd[@]}\" __complete maps 2>/dev/null | sort -u)\" -- \"$cur\")) ;;\n"
	"\tfile)\n"
	"\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	"\t\tcompopt -o filenames 2>/dev/null ;;\n"
	"\tdir)\n"
	"\t\tCOMPREPLY=($(compgen -P \"$pre\" -d -- \"$cur\"))\n"
	"\t\tcompopt -o filenames 2>/dev/null ;;\n"
	"\tverb)\n"
	"\t\tIFS=$' \\t\\n'\n"
	"\t\tCOMPREPLY=($(compgen -W \"$_xdpkit_verbs\" -- \"$cur\")) ;;\n"
	"\tnetns)\n"
	"\t\tCOMPREPLY=($(compgen -W \"$(ls /run/netns 2>/dev/null)\" -- \"$cur\")) ;;\n"
	"\tesac\n"
	"}\n"
	"\n"
	"_xdpkit()\n"
	"{\n"
	"\tlocal cur prev words cword\n"
	"\t# eqpre: what a completed --opt=VALUE must start with; bash alone replaces only VALUE\n"
	"\tlocal eqpre=1\n"
	"\tif declare -F _init_completion >/dev/null; then\n"
	"\t\t_init_completion -n = || return\n"
	"\telse\n"
	"\t\t# Without bash-completion: put --opt=VALUE back together (bash splits it at =).\n"
	"\t\tlocal j glue=\n"
	"\t\teqpre=\n"
	"\t\twords=()\n"
	"\t\tfor ((j = 0; j < ${#COMP_WORDS[@]}; j++)); do\n"
	"\t\t\tif [[ -n $glue || ${COMP_WORDS[j]} == = ]] && ((${#words[@]})); then\n"
	"\t\t\t\twords[-1]+=${COMP_WORDS[j]}\n"
	"\t\t\telse\n"
	"\t\t\t\twords+=(\"${COMP_WORDS[j]}\")\n"
	"\t\t\tfi\n"
	"\t\t\tglue=\n"
	"\t\t\t[[ ${COMP_WORDS[j]} == = ]] && glue=1\n"
	"\t\t\t((j == COMP_CWORD)) && cword=$((${#words[@]} - 1))\n"
	"\t\tdone\n"
	"\t\tcur=${words[cword]}\n"
	"\t\tprev=${words[cword - 1]}\n"
	"\tfi\n"
	"\tlocal i w verb= key= want= npos=0 dashes= kind var\n"
	"\t_xdpkit_cmd=(\"${words[0]}\")\n"
	"\tCOMPREPLY=()\n"
	"\tfor ((i = 1; i < cword; i++)); do\n"
	"\t\tw=${words[i]}\n"
	"\t\tif [[ -n $want ]]; then\n"
	"\t\t\tcase $want in\n"
	"\t\t\t--pin-root | --netns | -n) _xdpkit_cmd+=(\"$want\" \"$w\") ;;\n"
	"\t\t\tesac\n"
	"\t\t\twant=\n"
	"\t\t\tcontinue\n"
	"\t\tfi\n"
	"\t\tif [[ -z $dashes && $w == -* && $w != - && $w != -[0-9]* ]]; then\n"
	"\t\t\tcase $w in\n"
	"\t\t\t--) dashes=1 ;;\n"
	"\t\t\t--pin-root=* | --netns=*) _xdpkit_cmd+=(\"$w\") ;;\n"
	"\t\t\t--*=*) ;;\n"
	"\t\t\t*) [[ -n $(_xdpkit_optkind \"$key:$w\")$(_xdpkit_optkind \"global:$w\") ]] && want=$w ;;\n"
	"\t\t\tesac\n"
	"\t\t\tcontinue\n"
	"\t\tfi\n"
	"\t\tif [[ -z $verb ]]; then\n"
	"\t\t\tverb=$(_xdpkit_expand '' \"$w\" \"$_xdpkit_verbs\")\n"
	"\t\t\t[[ -z $verb ]] && return\n"
	"\t\t\tkey=$verb\n"
	"\t\t\tcontinue\n"
	"\t\tfi\n"
	"\t\tvar=_xdpkit_subs_$key\n"
	"\t\tif [[ -n ${!var} && $key != *_* ]]; then\n"
	"\t\t\tw=$(_xdpkit_expand \"$verb\" \"$w\" \"${!var}\")\n"
	"\t\t\t[[ -z $w ]] && return\n"
	"\t\t\tkey=${key}_$w\n"
	"\t\t\tcontinue\n"
	"\t\tfi\n"
	"\t\t((npos++))\n"
	"\tdone\n"
	"\t# The value of an option: after it, or after --opt=\n"
	"\tif [[ -n $want ]]; then\n"
	"\t\tkind=$(_xdpkit_optkind \"$key:$want\")\n"
	"\t\t[[ -z $kind ]] && kind=$(_xdpkit_optkind \"global:$want\")\n"
	"\t\t_xdpkit_kind \"$kind\" \"$cur\" ''\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tif [[ -z $dashes && $cur == --*=* ]]; then\n"
	"\t\tkind=$(_xdpkit_optkind \"$key:${cur%%=*}\")\n"
	"\t\t[[ -z $kind ]] && kind=$(_xdpkit_optkind \"global:${cur%%=*}\")\n"
	"\t\t_xdpkit_kind \"$kind\" \"${cur#*=}\" \"${eqpre:+${cur%%=*}=}\"\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tif [[ -z $dashes && $cur == -* ]]; then\n"
	"\t\tvar=_xdpkit_opts_$key\n"
	"\t\t[[ -z $key ]] && var=_xdpkit_none\n"
	"\t\tCOMPREPLY=($(compgen -W \"${!var} $_xdpkit_global_opts\" -- \"$cur\"))\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tif [[ -z $verb ]]; then\n"
	"\t\tCOMPREPLY=($(compgen -W \"$_xdpkit_verbs\" -- \"$cur\"))\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tvar=_xdpkit_subs_$key\n"
	"\tif [[ -n ${!var} && $key != *_* ]]; then\n"
	"\t\tCOMPREPLY=($(compgen -W \"${!var}\" -- \"$cur\"))\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tvar=_xdpkit_pos_$key\n"
	"\tlocal -a kinds=(${!var})\n"
	"\tkind=${kinds[npos]}\n"
	"\tif [[ -z $kind || $kind == + ]]; then\n"
	"\t\t# past the end: the word before a trailing + repeats\n"
	"\t\tkind=\n"
	"\t\t[[ ${kinds[-1]} == + ]] && ((${#kinds[@]} >= 2)) && kind=${kinds[-2]}\n"
	"\tfi\n"
	"\t[[ -n $kind ]] && _xdpkit_kind \"$kind\" \"$cur\" ''\n"
	"}\n"
	"complete -F _xdpkit xdpkit\n";

static void bash_completion(void)
{
	int i;

	printf("# bash completion for xdpkit(8): made from its option tables by\n"
	       "# 'xdpkit help --bash-completion'; do not edit.\n\n");
	printf("_xdpkit_verbs='");
	for (i = 0; xk_verbs[i]; i++)
		if (!xk_verbs[i]->hidden)
			printf("%s%s", i ? " " : "", xk_verbs[i]->name);
	printf("'\n_xdpkit_global_opts='");
	for (i = 0; xk_global_opts[i].name; i++) {
		printf("%s--%s", i ? " " : "", xk_global_opts[i].name);
		if (xk_global_opts[i].shrt)
			printf(" -%c", xk_global_opts[i].shrt);
	}
	printf("'\n");
	for (i = 0; xk_verbs[i]; i++)
		if (!xk_verbs[i]->hidden)
			bash_verb_data(xk_verbs[i]);
	printf("\n# The kind of an option's value (VERB:OPTION), empty for an option without one.\n"
	       "_xdpkit_optkind()\n{\n\tcase $1 in\n");
	bash_opt_cases("global", xk_global_opts);
	for (i = 0; xk_verbs[i]; i++)
		if (!xk_verbs[i]->hidden)
			bash_optkind_cases(xk_verbs[i]);
	printf("\tesac\n}\n\n# Another word for a sub-verb (PARENT:WORD).\n"
	       "_xdpkit_alias()\n{\n\tcase $1 in\n");
	for (i = 0; xk_verbs[i]; i++)
		if (!xk_verbs[i]->hidden)
			bash_alias_cases(xk_verbs[i], "");
	printf("\tesac\n}\n\n%s", bash_body);
}

enum {
	GEN_MAN_VERBS = 1,
	GEN_MAN_OPTIONS,
	GEN_BASH,
	GEN_DUMP
};

static int help_opt(void *ctx, int key, const char *val)
{
	(void)val;
	*(int *)ctx = key;
	return 0;
}

static int do_help(int argc, char **argv)
{
	struct xk_words w;
	int gen = 0, i, j, err;

	err = xk_opts_parse(&xk_verb_help, argc, argv, help_opt, &gen, &w);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	switch (gen) {
	case GEN_MAN_VERBS:
		man_verbs();
		return XK_EXIT_OK;
	case GEN_MAN_OPTIONS:
		man_options();
		return XK_EXIT_OK;
	case GEN_BASH:
		bash_completion();
		return XK_EXIT_OK;
	case GEN_DUMP:
		dump_tables();
		return XK_EXIT_OK;
	}
	if (!w.n) {
		top_help();
		return XK_EXIT_OK;
	}
	/* xdpkit help VERB [COMMAND]: that verb's help */
	for (i = 0; xk_verbs[i]; i++) {
		const struct xk_verb *v = xk_verbs[i];

		if (strcmp(v->name, w.pos[0]) || v->hidden)
			continue;
		for (j = 0; w.n > 1 && v->subs && v->subs[j]; j++)
			if (!strcmp(strrchr(v->subs[j]->name, ' ') + 1, w.pos[1]))
				v = v->subs[j];
		xk_opts_help(v, stdout);
		return XK_EXIT_OK;
	}
	return xk_error(XK_EXIT_USAGE, "help: no verb '%s'; try 'xdpkit help'", w.pos[0]);
}

/* The generators the build runs (Makefile: man, completion) and the tests' dump. */
static const struct xk_opt help_opts[] = {
	{ .name = "man-verbs",
	  .key = GEN_MAN_VERBS,
	  .hidden = true,
	  .help = "xdpkit(8)'s VERBS, markdown for go-md2man" },
	{ .name = "man-options",
	  .key = GEN_MAN_OPTIONS,
	  .hidden = true,
	  .help = "xdpkit(8)'s OPTIONS, markdown for go-md2man" },
	{ .name = "bash-completion",
	  .key = GEN_BASH,
	  .hidden = true,
	  .help = "the bash completion script" },
	{ .name = "dump",
	  .key = GEN_DUMP,
	  .hidden = true,
	  .help = "every option: VERB, --long, -s, ARG, completion kind; tab-separated" },
	{ 0 },
};

static const enum xk_complete help_pos[] = { XK_C_VERB };

const struct xk_verb xk_verb_help = {
	.name = "help",
	.summary = "this text; 'xdpkit help VERB' shows a verb's options",
	.synopsis = "help [VERB [COMMAND]]",
	.description = "The verbs, the global options and the exit codes; with VERB, what 'xdpkit "
		       "VERB --help' shows.",
	.opts = help_opts,
	.pos = help_pos,
	.npos = 1,
	.max_words = 2,
	.fn = do_help,
};
