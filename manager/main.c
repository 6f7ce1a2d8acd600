// SPDX-License-Identifier: GPL-2.0-only
/* xdpkit: entry point. Global flags, then one verb from the table below (as bpftool's cmd_select). */
#include "opts.h"
#include "pinroot.h"
#include "xdpkit.h"

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef XDPKIT_LIBDIR
#define XDPKIT_LIBDIR "/usr/local/lib/xdpkit"
#endif

/* The verbs, in the order `xdpkit help`, the man page and the completion list them. Each is
 * declared (name, options, handler) beside its handler; adding one is one row here. */
const struct xk_verb *const xk_verbs[] = {
	&xk_verb_help,	   &xk_verb_list,  &xk_verb_attach, &xk_verb_detach, &xk_verb_purge,
	&xk_verb_status,   &xk_verb_stats, &xk_verb_map,    &xk_verb_check,  &xk_verb_trace,
	&xk_verb_apply,	   &xk_verb_save,  &xk_verb_dump,   &xk_verb_bench,  &xk_verb_exporter,
	&xk_verb_complete, NULL,
};

enum {
	G_VERSION = 'V',
	G_VERBOSE = 'v',
	G_JSON = 'j',
	G_PIN_ROOT = 'P',
	G_NETNS = 'n'
};

/* Global options: they may stand anywhere (before or after the verb) and are taken out before the
 * verb parses the rest. */
const struct xk_opt xk_global_opts[] = {
	{ .name = "version",
	  .key = G_VERSION,
	  .shrt = 'V',
	  .help = "print xdpkit's version (and libbpf's) and exit" },
	{ .name = "verbose",
	  .key = G_VERBOSE,
	  .shrt = 'v',
	  .help = "show libbpf/libxdp logs and whole verifier logs (twice: verifier log level 2)" },
	{ .name = "json",
	  .key = G_JSON,
	  .shrt = 'j',
	  .help = "machine-readable output for listing verbs; an error is a JSON object {\"error\": "
		  "..., \"hint\": ...} on stdout" },
	{ .name = "pin-root",
	  .key = G_PIN_ROOT,
	  .arg = "DIR",
	  .complete = XK_C_DIR,
	  .help = "where xdpkit pins (default " XK_DEFAULT_PIN_ROOT ")",
	  .missing = "a directory, e.g. --pin-root /sys/fs/bpf/mine" },
	{ .name = "netns",
	  .key = G_NETNS,
	  .shrt = 'n',
	  .arg = "NETNS",
	  .complete = XK_C_NETNS,
	  .help = "run in network namespace NETNS (/run/netns/NETNS, as ip -n), bpffs unchanged",
	  .missing = "a network namespace, e.g. OPT blue (see 'ip netns list')" },
	{ 0 },
};

/* Keep what an error line needs from libbpf's log, shown or not: the kernel's extended ack of a
 * refused netlink request (libbpf prints it as "Kernel error message: ..."; libxdp attaches through
 * libbpf, so XDP and TC refusals both come this way), and whether a program load failed with a
 * verifier log. Matched on libbpf's format strings, which name each case. */
/* A libbpf line without its "libbpf: " prefix, trailing newline and full stop. */
static void keep_line(char *dst, size_t len, const char *fmt, va_list ap)
{
	char line[512];
	const char *from = line;
	va_list copy;
	size_t n;

	va_copy(copy, ap);
	vsnprintf(line, sizeof(line), fmt, copy);
	va_end(copy);
	if (!strncmp(from, "libbpf: ", 8))
		from += 8;
	n = strnlen(from, len - 1);
	memcpy(dst, from, n);
	dst[n] = '\0';
	while (n && strchr("\n. ", dst[n - 1]))
		dst[--n] = '\0';
}

static void note_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static const char kmsg[] = "Kernel error message: ";
	char line[512];
	const char *msg;
	va_list copy;

	keep_line(xk_note.last_line, sizeof(xk_note.last_line), fmt, ap);
	if (level != LIBBPF_WARN)
		return;
	if (!xk_note.first_warn[0])
		keep_line(xk_note.first_warn, sizeof(xk_note.first_warn), fmt, ap);
	if (strstr(fmt, "BPF program load failed")) {
		/* "libbpf: prog 'NAME': BPF program load failed: ..." */
		va_copy(copy, ap);
		vsnprintf(line, sizeof(line), fmt, copy);
		va_end(copy);
		msg = strchr(line, '\'');
		if (msg && !xk_note.load_failed)
			snprintf(xk_note.failed_prog, sizeof(xk_note.failed_prog), "%.*s",
				 (int)strcspn(msg + 1, "'"), msg + 1);
		xk_note.load_failed = true;
	} else if (strstr(fmt, "BEGIN PROG LOAD LOG")) {
		xk_note.verifier_log = true;
	} else if (strstr(fmt, kmsg)) {
		va_copy(copy, ap);
		vsnprintf(line, sizeof(line), fmt, copy);
		va_end(copy);
		msg = strstr(line, kmsg);
		if (msg)
			xk_note_kernel_msg(msg + strlen(kmsg));
	}
}

static int print_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	note_libbpf(level, fmt, ap);
	return 0;
}

static int print_verbose(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	note_libbpf(level, fmt, ap);
	return vfprintf(stderr, fmt, ap);
}

/* libxdp tries its dispatcher first and, where that fails, loads the program alone: a load that
 * succeeds after a failed one means the failure was not the final word. */
static void note_libxdp(const char *fmt)
{
	if (strstr(fmt, "Loaded XDP program")) {
		xk_note.load_failed = false;
		xk_note.verifier_log = false;
		xk_note.failed_prog[0] = '\0';
	}
}

static int libxdp_print_verbose(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	note_libxdp(fmt);
	return vfprintf(stderr, fmt, ap);
}

static int libxdp_print_quiet(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)ap;
	note_libxdp(fmt);
	return 0;
}

/* Collection objects: $XDPKIT_PROG_DIR, else next to the binary when run from the tree (build/), else installed. */
static const char *find_prog_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	struct stat st;
	const char *env = getenv("XDPKIT_PROG_DIR");
	ssize_t n;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		/* dirname() works in place: copying its result onto the same buffer would be undefined */
		snprintf(dir, sizeof(dir), "%s", dirname(exe));
		snprintf(probe, sizeof(probe), "%s/hello.bpf.o", dir);
		if (!stat(probe, &st))
			return dir;
	}
	return XDPKIT_LIBDIR;
}

/* Which global option word a is ("--opt", "--opt=VALUE", "-o"); its value, when it takes one, in
 * *val (NULL when the value is the next word). */
static const struct xk_opt *global_opt(const char *a, const char **val)
{
	const struct xk_opt *o;
	size_t n;

	*val = NULL;
	for (o = xk_global_opts; o->name; o++) {
		if (o->key == G_VERSION)
			continue; /* only as the first word, below */
		if (a[0] == '-' && a[1] == o->shrt && o->shrt && !a[2])
			return o;
		if (strncmp(a, "--", 2))
			continue;
		n = strlen(o->name);
		if (strncmp(a + 2, o->name, n))
			continue;
		if (!a[2 + n])
			return o;
		if (a[2 + n] == '=' && o->arg) {
			*val = a + 3 + n;
			return o;
		}
	}
	return NULL;
}

/* Global flags may stand anywhere up to a "--"; they are taken out before the verb sees argv. */
static int take_global_flags(int *argc, char **argv, const char **netns)
{
	const struct xk_opt *o;
	const char *val;
	int i, out = 1;

	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		o = global_opt(a, &val);
		if (!o) {
			argv[out++] = argv[i];
			continue;
		}
		if (o->arg && !val) {
			if (i + 1 >= *argc) {
				char what[128];
				const char *opt = strstr(o->missing, "OPT");

				/* "e.g. -n blue" names the option as it was typed */
				snprintf(what, sizeof(what), "%.*s%s%s",
					 opt ? (int)(opt - o->missing) : 256, o->missing,
					 opt ? a : "", opt ? opt + 3 : "");
				return xk_error(XK_EXIT_USAGE, "%s needs %s", a, what);
			}
			val = argv[++i];
		}
		switch (o->key) {
		case G_VERBOSE:
			xk.verbose++;
			break;
		case G_JSON:
			xk.json = true;
			break;
		case G_PIN_ROOT:
			xk.pin_root = val;
			break;
		case G_NETNS:
			*netns = val;
			break;
		}
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	const char *netns = NULL;
	int err;

	err = take_global_flags(&argc, argv, &netns);
	if (err)
		return err;
	libbpf_set_print(xk.verbose ? print_verbose : print_quiet);
	libxdp_set_print(xk.verbose ? libxdp_print_verbose : libxdp_print_quiet);
	xk.prog_dir = find_prog_dir();
	if (argc < 2 || xk_is_help(argv[1]))
		return xk_verb_help.fn(argc - 1, argv + 1);
	/* Completion asks before anything is checked or mounted, in the namespace asked for, and
	 * never fails aloud. */
	if (!strcmp(argv[1], xk_verb_complete.name)) {
		if (!freopen("/dev/null", "w", stderr) || (netns && xk_netns_enter(netns)))
			return XK_EXIT_OK;
		return xk_verb_complete.fn(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("xdpkit %s (libbpf %s)\n", XDPKIT_VERSION, libbpf_version_string());
		return XK_EXIT_OK;
	}
	/* Where the verb runs, settled before it starts (and while this process has one thread, as
	 * setns needs): the network namespace, then the bpffs it pins in, then the pin root on it. */
	if (netns) {
		err = xk_netns_enter(netns);
		if (err)
			return err;
	}
	err = xk_callers_bpffs();
	if (err)
		return err;
	if (strcmp(xk.pin_root, XK_DEFAULT_PIN_ROOT) && xk_pin_root_check(xk.pin_root))
		return XK_EXIT_USAGE;
	return xk_verb_select(xk_verbs, argc - 1, argv + 1, "verb");
}
