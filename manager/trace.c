// SPDX-License-Identifier: GPL-2.0-only
/* xdpkit trace: follow bpf_printk output through a trace instance of our own, for people and for scripts. */
#include "json.h"
#include "number.h"
#include "opts.h"
#include "xdpkit.h"

#include <bpf/bpf.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>

#define INSTANCE_PREFIX "xdpkit-trace-"
#define PRINTK_EVENT "events/bpf_trace/bpf_trace_printk/enable"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static bool exists(const char *dir, const char *file)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return !stat(path, &st);
}

/* Where tracefs is, mounting it at its usual place when missing (as bpftool prog tracelog does). */
static int find_tracefs(const char **dir)
{
	static const char *const cands[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	int i;

	for (i = 0; i < 2; i++)
		if (exists(cands[i], "trace_pipe")) {
			*dir = cands[i];
			return 0;
		}
	if (!mount("tracefs", cands[0], "tracefs", 0, NULL) && exists(cands[0], "trace_pipe")) {
		*dir = cands[0];
		return 0;
	}
	if (!mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) &&
	    exists(cands[1], "trace_pipe")) {
		*dir = cands[1];
		return 0;
	}
	return xk_error(
		XK_EXIT_ENV,
		"tracefs is not mounted and mounting it failed: %s; run 'mount -t tracefs tracefs /sys/kernel/tracing'",
		strerror(errno));
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* Instances of runs that died without cleaning up (SIGKILL): their pid is gone. */
static void remove_stale_instances(const char *tracefs)
{
	char dir[PATH_MAX], path[PATH_MAX + 300];
	struct dirent *de;
	DIR *d;
	int pid;

	snprintf(dir, sizeof(dir), "%s/instances", tracefs);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, INSTANCE_PREFIX "%d", &pid) != 1 || pid == getpid())
			continue;
		if (kill(pid, 0) && errno == ESRCH) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			rmdir(path);
		}
	}
	closedir(d);
}

/* Address of a kernel symbol from /proc/kallsyms; 0 when absent or hidden (kptr_restrict). */
static unsigned long long ksym(FILE *f, const char *name)
{
	char line[256], sym[128], type;
	unsigned long long addr;

	rewind(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %127s", &addr, &type, sym) == 3 && !strcmp(sym, name))
			return addr;
	return 0;
}

/* Does this loaded program call bpf_trace_printk or bpf_trace_vprintk? In the translated instructions a
 * helper call's imm is the helper's address minus __bpf_call_base (what bpftool resolves the same way). */
static bool prog_prints(int fd, unsigned long long base, const unsigned long long helpers[2])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), i, n;
	struct bpf_insn *insns;
	bool found = false;

	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.xlated_prog_len)
		return false;
	n = info.xlated_prog_len / sizeof(*insns);
	insns = calloc(n, sizeof(*insns));
	if (!insns)
		return false;
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = n * sizeof(*insns);
	info.xlated_prog_insns = (__u64)(unsigned long)insns;
	len = sizeof(info);
	if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
		for (i = 0; i < n && !found; i++) {
			unsigned long long target = base + (long long)insns[i].imm;

			found = insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg == 0 &&
				(target == helpers[0] || target == helpers[1]);
		}
	}
	free(insns);
	return found;
}

/* Names of loaded programs that can print, into names; returns how many, or -1 when we cannot tell. */
static int find_printers(char *names, size_t len)
{
	unsigned long long base, helpers[2];
	__u32 id = 0;
	int fd, count = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	names[0] = '\0';
	if (!f)
		return -1;
	base = ksym(f, "__bpf_call_base");
	helpers[0] = ksym(f, "bpf_trace_printk");
	helpers[1] = ksym(f, "bpf_trace_vprintk");
	fclose(f);
	if (!base || !helpers[0])
		return -1;
	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 ilen = sizeof(info);

		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		if (prog_prints(fd, base, helpers) && !bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
			size_t used = strlen(names);

			if (count < 8)
				snprintf(names + used, len - used, "%s%s (id %u)",
					 count ? ", " : "", info.name[0] ? info.name : "?", id);
			else if (count == 8)
				snprintf(names + used, len - used, ", ...");
			count++;
		}
		close(fd);
	}
	return count;
}

/* One trace line: "   ping-3101    [003] d.s11  3292.668817: bpf_trace_printk: Hello World 0". */
struct tline {
	char comm[64];
	int pid;
	int cpu;
	char time[32];
	const char *msg;
};

static bool parse_line(const char *line, struct tline *t)
{
	const char *p = line, *lb, *dash, *q;
	size_t n;

	while (*p == ' ')
		p++;
	/* The CPU field "[003]" ends the task field; a comm may itself contain spaces, dashes or brackets. */
	for (lb = strstr(p, " ["); lb; lb = strstr(lb + 1, " [")) {
		if (sscanf(lb, " [%d]", &t->cpu) == 1 && strchr(lb, ']'))
			break;
	}
	if (!lb)
		return false;
	for (q = lb; q > p && q[-1] == ' ';)
		q--;
	for (dash = q - 1; dash > p && *dash != '-';)
		dash--;
	if (dash <= p || sscanf(dash + 1, "%d", &t->pid) != 1)
		return false;
	n = (size_t)(dash - p) < sizeof(t->comm) ? (size_t)(dash - p) : sizeof(t->comm) - 1;
	memcpy(t->comm, p, n);
	t->comm[n] = '\0';
	p = strchr(lb, ']') + 1;
	/* Optional flags ("d.s11"), then "seconds.micros:" */
	for (;;) {
		while (*p == ' ')
			p++;
		q = strchr(p, ' ');
		if (!q)
			return false;
		if (q[-1] == ':' && isdigit((unsigned char)*p))
			break;
		p = q;
	}
	n = (size_t)(q - 1 - p) < sizeof(t->time) ? (size_t)(q - 1 - p) : sizeof(t->time) - 1;
	memcpy(t->time, p, n);
	t->time[n] = '\0';
	/* "bpf_trace_printk: " then the message */
	p = strstr(q, ": ");
	if (!p)
		return false;
	t->msg = p + 2;
	return true;
}

struct trace_opts {
	long count;
	long timeout;
	const char *grep;
	bool raw;
};

/* Print one line if it passes --grep; returns whether it counted. */
static bool emit(const struct trace_opts *o, char *line)
{
	struct tline t;
	bool parsed;
	struct jw *w;

	if (!line[0])
		return false;
	parsed = parse_line(line, &t);
	if (o->grep && !strstr(parsed ? t.msg : line, o->grep))
		return false;
	if (xk.json) {
		w = jw_new(stdout);
		jw_obj_start(w);
		if (parsed) {
			jw_key(w, "time");
			jw_raw(w, t.time);
			jw_kint(w, "cpu", t.cpu);
			jw_kstr(w, "comm", t.comm);
			jw_kint(w, "pid", t.pid);
			jw_kstr(w, "message", t.msg);
		} else {
			jw_kstr(w, "line", line);
		}
		jw_obj_end(w);
		jw_free(w);
	} else if (o->raw || !parsed) {
		printf("%s\n", line);
	} else {
		printf("%s cpu%d %s-%d: %s\n", t.time, t.cpu, t.comm, t.pid, t.msg);
	}
	fflush(stdout);
	return true;
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Follow the pipe until --count, --timeout, a signal, or a closed stdout. Returns the number of lines shown. */
static long follow(int fd, const struct trace_opts *o)
{
	static char buf[65536];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec start;
	size_t used = 0;
	long shown = 0;
	char *nl, *line;
	ssize_t n;
	int wait;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!stop && (!o->count || shown < o->count)) {
		wait = -1;
		if (o->timeout) {
			long left = o->timeout * 1000 - elapsed_ms(&start);

			if (left <= 0)
				break;
			wait = (int)left;
		}
		if (poll(&pfd, 1, wait) <= 0)
			continue; /* a signal sets stop; a timeout is caught above */
		n = read(fd, buf + used, sizeof(buf) - 1 - used);
		if (n <= 0)
			continue;
		used += n;
		buf[used] = '\0';
		line = buf;
		while ((nl = strchr(line, '\n')) && (!o->count || shown < o->count)) {
			*nl = '\0';
			if (emit(o, line))
				shown++;
			if (ferror(stdout))
				return shown;
			line = nl + 1;
		}
		used -= line - buf;
		memmove(buf, line, used);
		if (used == sizeof(buf) - 1)
			used = 0; /* a line longer than the buffer: drop it rather than stall */
	}
	return shown;
}

static int trace_opt(void *ctx, int key, const char *val)
{
	struct trace_opts *o = ctx;
	__u64 v;

	switch (key) {
	case 'c':
		if (xk_num_word(val, 1, 1000000000, &v))
			return xk_error(XK_EXIT_USAGE,
					"trace: --count '%s' is not a positive number of lines",
					val);
		o->count = v;
		break;
	case 't':
		if (xk_num_word(val, 1, 86400L * 365, &v))
			return xk_error(XK_EXIT_USAGE,
					"trace: --timeout '%s' is not a positive number of seconds",
					val);
		o->timeout = v;
		break;
	case 'g':
		o->grep = val;
		break;
	case 'r':
		o->raw = true;
		break;
	}
	return 0;
}

int do_trace(int argc, char **argv)
{
	struct trace_opts o = {};
	struct sigaction sa = {};
	char inst[PATH_MAX], path[PATH_MAX + 64], printers[512];
	const char *tracefs = NULL;
	struct xk_words words;
	int fd, err, nprint;
	bool own = true;
	long shown;

	err = xk_opts_parse(&xk_verb_trace, argc, argv, trace_opt, &o, &words);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	err = xk_need_root();
	if (err)
		return err;
	err = find_tracefs(&tracefs);
	if (err)
		return err;

	nprint = find_printers(printers, sizeof(printers));
	if (nprint == 0)
		fprintf(stderr,
			"xdpkit: note: no loaded BPF program calls bpf_printk, so nothing can print yet; "
			"attach one (e.g. hello) - waiting anyway\n");
	else if (nprint > 0 && xk.verbose)
		fprintf(stderr, "xdpkit: programs that can print: %s\n", printers);

	/* Handlers before the instance exists: a signal from then on (a script that saw the instance and
	 * sends SIGINT, while a background job inherits SIGINT ignored) still removes it. */
	sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns and the instance is removed */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* An instance of our own records the bpf_trace_printk event: several readers each get every line,
	 * while the global trace_pipe hands each line to only one of them. */
	remove_stale_instances(tracefs);
	snprintf(inst, sizeof(inst), "%s/instances/" INSTANCE_PREFIX "%d", tracefs, getpid());
	snprintf(path, sizeof(path), "%s/" PRINTK_EVENT, tracefs);
	if (!exists(tracefs, "instances") || !exists(tracefs, PRINTK_EVENT) || mkdir(inst, 0700)) {
		own = false; /* old kernels: share the global pipe */
		if (xk.verbose)
			fprintf(stderr,
				"xdpkit: no trace instance possible (%s); reading the global trace_pipe\n",
				strerror(errno));
		snprintf(path, sizeof(path), "%s/trace_pipe", tracefs);
	} else {
		snprintf(path, sizeof(path), "%s/" PRINTK_EVENT, inst);
		err = write_file(path, "1");
		if (err) {
			rmdir(inst);
			return xk_error(XK_EXIT_ENV,
					"cannot enable the bpf_trace_printk event in %s: %s", inst,
					strerror(-err));
		}
		snprintf(path, sizeof(path), "%s/trace_pipe", inst);
	}

	fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		err = errno;
		if (own)
			rmdir(inst);
		return xk_error(XK_EXIT_ENV, "cannot open %s: %s", path, strerror(err));
	}
	shown = follow(fd, &o);

	close(fd);
	if (own && rmdir(inst) && xk.verbose)
		fprintf(stderr, "xdpkit: could not remove trace instance %s: %s\n", inst,
			strerror(errno));
	if (shown || stop)
		return XK_EXIT_OK;
	if (nprint == 0)
		return xk_error(XK_EXIT_FAIL,
				"no bpf_printk output in %ld s: no loaded BPF program calls bpf_printk",
				o.timeout);
	if (nprint > 0)
		return xk_error(
			XK_EXIT_FAIL,
			"no bpf_printk output%s in %ld s from %s; are they attached, and does traffic reach them?",
			o.grep ? " matching --grep" : "", o.timeout, printers);
	return xk_error(XK_EXIT_FAIL, "no bpf_printk output%s in %ld s",
			o.grep ? " matching --grep" : "", o.timeout);
}

static const struct xk_opt trace_opts[] = {
	{ .name = "count", .key = 'c', .shrt = 'c', .arg = "N", .help = "stop after N lines" },
	{ .name = "timeout",
	  .key = 't',
	  .shrt = 't',
	  .arg = "S",
	  .help = "stop after S seconds (exit 1 when no line came)" },
	{ .name = "grep",
	  .key = 'g',
	  .shrt = 'g',
	  .arg = "TEXT",
	  .help = "only lines whose message contains TEXT" },
	{ .name = "raw",
	  .key = 'r',
	  .shrt = 'r',
	  .help = "print lines exactly as the kernel formats them" },
	{ 0 },
};

const struct xk_verb xk_verb_trace = {
	.name = "trace",
	.summary = "follow bpf_printk output (--count, --timeout, --grep for scripts)",
	.synopsis = "trace [--count N] [--timeout S] [--grep TEXT] [--raw] [--json]",
	.description =
		"Follow bpf_printk() output of every loaded BPF program, one line each: time, CPU, "
		"command-pid that was running, message (with --json one JSON object per line: time, "
		"cpu, comm, pid, message). Reads a trace instance of its own (removed on exit), so it "
		"takes nothing away from other readers of trace_pipe (bpftool prog tracelog, ...). "
		"Mounts tracefs at /sys/kernel/tracing when nothing is there.\n\n"
		"Before following, it looks at the loaded programs' instructions for calls to "
		"bpf_trace_printk and says so when none could print.",
	.opts = trace_opts,
	.max_words = 0,
	.fn = do_trace,
};
