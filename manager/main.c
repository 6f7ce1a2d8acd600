/* xdpkit: entry point. Global flags, then one verb from the table below (as bpftool's cmd_select). */
#include "pinroot.h"
#include "xdpkit.h"

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <getopt.h>
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

int do_help(int argc, char **argv);
int do_list(int argc, char **argv);
int do_attach(int argc, char **argv);
int do_detach(int argc, char **argv);
int do_purge(int argc, char **argv);
int do_status(int argc, char **argv);
int do_bench(int argc, char **argv);
int do_dump(int argc, char **argv);
int do_check(int argc, char **argv);
int do_map(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_trace(int argc, char **argv);

static const struct xk_cmd verbs[] = {
	{ "help", do_help, "this text" },
	{ "list", do_list, "the program collection: hooks and one-line summary of each object" },
	{ "attach", do_attach, "attach programs to an interface (XDP through libxdp, or TC with --tc)" },
	{ "detach", do_detach, "detach programs (also ones attached by ip/tc); --purge removes their pinned maps" },
	{ "purge", do_purge, "remove the maps pinned under the pin root that no loaded program uses (--dry-run)" },
	{ "status", do_status, "what runs on each interface: XDP chain, TC filters, pinned maps" },
	{ "stats", do_stats, "packets, bytes and rates per verdict of attached programs (--watch)" },
	{ "map", do_map, "typed map access: show, dump, get, set, del, load (keys like 10.0.0.0/8)" },
	{ "check", do_check, "load an object into the verifier without attaching; explain a rejection" },
	{ "trace", do_trace, "follow bpf_printk output (--count, --timeout, --grep for scripts)" },
	{ "dump", do_dump, "every frame the programs decide, with verdict and rule; text or pcapng (-w)" },
	{ "bench", do_bench, "per-packet cost of a program on canned frames, above an empty program" },
	{ 0 },
};

int do_help(int argc, char **argv)
{
	int i;

	(void)argc;
	(void)argv;
	printf("Usage: xdpkit [-v] [--json] [--pin-root DIR] [-n NETNS] VERB [ARGS]\n\n"
	       "Manage XDP and TC programs: attach, chain, inspect, steer.\n\nVerbs:\n");
	for (i = 0; verbs[i].name; i++)
		printf("  %-8s %s\n", verbs[i].name, verbs[i].summary);
	printf("\n'xdpkit VERB --help' shows a verb's options. Verbs may be shortened (xdpkit att = attach).\n\n"
	       "Global options:\n"
	       "  -V, --version      print xdpkit's version (and libbpf's) and exit\n"
	       "  -v, --verbose      show libbpf/libxdp logs and whole verifier logs\n"
	       "  -j, --json         machine-readable output for listing verbs\n"
	       "  --pin-root DIR     where xdpkit pins (default %s)\n"
	       "  -n, --netns NAME   run in network namespace NAME (/run/netns/NAME, as ip -n), bpffs unchanged\n\n"
	       "Exit codes:\n"
	       "  0 success\n"
	       "  1 the kernel or a library refused the operation\n"
	       "  2 bad command line or bad input value\n"
	       "  3 no such interface, file, program or map\n"
	       "  4 environment: not root, bpffs or tracefs unavailable\n",
	       XK_DEFAULT_PIN_ROOT);
	return XK_EXIT_OK;
}

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

/* A global option's value: "--opt VALUE" or "--opt=VALUE" (long forms), "-o VALUE" (short). */
static int option_value(int argc, char **argv, int *i, const char *lng, const char *shrt,
			const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(lng);

	if (!strncmp(a, lng, n) && a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (strcmp(a, lng) && (!shrt || strcmp(a, shrt)))
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

/* Global flags may stand anywhere; they are taken out before the verb sees argv. */
static int take_global_flags(int *argc, char **argv, const char **netns)
{
	int i, out = 1, r;

	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			xk.verbose++;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			xk.json = true;
		} else if ((r = option_value(*argc, argv, &i, "--pin-root", NULL, &xk.pin_root))) {
			if (r < 0)
				return xk_error(XK_EXIT_USAGE, "--pin-root needs a directory, e.g. --pin-root /sys/fs/bpf/mine");
		} else if ((r = option_value(*argc, argv, &i, "--netns", "-n", netns))) {
			if (r < 0)
				return xk_error(XK_EXIT_USAGE, "%s needs a network namespace, e.g. %s blue (see 'ip netns list')",
						a, a);
		} else {
			argv[out++] = argv[i];
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
		return do_help(argc - 1, argv + 1);
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
	return xk_cmd_select(verbs, argc - 1, argv + 1, "verb");
}
