// SPDX-License-Identifier: GPL-2.0-only
/* Shared plumbing of the manager: errors (plain or JSON), root and bpffs checks, finding collection objects. */
#include "json.h"
#include "xdpkit.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

struct xk_globals xk = {
	.pin_root = XK_DEFAULT_PIN_ROOT,
};

/* With --json an error is a JSON object on stdout, as bpftool's p_err: {"error": "..."}, with
 * "hint" when a hint follows. The error waits for its hint until the next error or the exit. */
static struct {
	bool pending;
	char error[1024];
	char hint[1024];
} json_err;

static void json_err_flush(void)
{
	struct jw *w;

	if (!json_err.pending)
		return;
	w = jw_new(stdout);
	jw_obj_start(w);
	if (json_err.error[0] || !json_err.hint[0])
		jw_kstr(w, "error", json_err.error);
	if (json_err.hint[0])
		jw_kstr(w, "hint", json_err.hint);
	jw_obj_end(w);
	jw_free(w);
	memset(&json_err, 0, sizeof(json_err));
	fflush(stdout);
}

static void json_err_keep(char *dst, size_t len, const char *fmt, va_list ap)
{
	static bool registered;

	if (!registered) {
		atexit(json_err_flush);
		registered = true;
	}
	vsnprintf(dst, len, fmt, ap);
	json_err.pending = true;
}

int xk_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (xk.json) {
		json_err_flush();
		json_err_keep(json_err.error, sizeof(json_err.error), fmt, ap);
	} else {
		fputs("xdpkit: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
	return code;
}

void xk_hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (xk.json) {
		if (json_err.hint[0])
			json_err_flush();
		json_err_keep(json_err.hint, sizeof(json_err.hint), fmt, ap);
	} else {
		fputs("hint: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

struct xk_libnote xk_note;

void xk_note_reset(void)
{
	memset(&xk_note, 0, sizeof(xk_note));
}

void xk_note_kernel_msg(const char *msg)
{
	size_t n;

	if (xk_note.kernel_msg[0] || !msg || !*msg)
		return;
	snprintf(xk_note.kernel_msg, sizeof(xk_note.kernel_msg), "%s", msg);
	/* As our own lines: no trailing newline or full stop. */
	n = strlen(xk_note.kernel_msg);
	while (n && strchr("\n. ", xk_note.kernel_msg[n - 1]))
		xk_note.kernel_msg[--n] = '\0';
}

const char *xk_kernel_says(void)
{
	static char buf[sizeof(xk_note.kernel_msg) + 16];

	if (!xk_note.kernel_msg[0])
		return "";
	snprintf(buf, sizeof(buf), " (kernel: %s)", xk_note.kernel_msg);
	return buf;
}

const char *xk_libbpf_reason(int err)
{
	if (xk_note.first_warn[0])
		return xk_note.first_warn;
	if (xk_note.last_line[0])
		return xk_note.last_line;
	return strerror(err < 0 ? -err : err);
}

const char *xk_thousands(unsigned long long v, char *buf, size_t len)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%llu", v), i, o = 0;

	for (i = 0; i < n && o < (int)len - 1; i++) {
		if (i && (n - i) % 3 == 0 && o < (int)len - 2)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

bool xk_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help") || !strcmp(arg, "help");
}

int xk_need_root(void)
{
	if (geteuid() != 0)
		return xk_error(XK_EXIT_ENV,
				"this needs root (CAP_BPF and CAP_NET_ADMIN); run it with sudo");
	return 0;
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

/* bpffs is there (under `ip netns exec` main() already put the caller's back, netns.c) or is
 * mounted now; with iproute2's directory as the pin root, iproute2's layout (iproute2_pins.c). */
int xk_need_bpffs(void)
{
	if (is_bpffs("/sys/fs/bpf"))
		return xk_iproute2_layout();
	/* As xdp-loader expects: the conventional mount point, mounted on demand. */
	if (mkdir("/sys/fs/bpf", 0700) && errno != EEXIST)
		return xk_error(XK_EXIT_ENV,
				"cannot create /sys/fs/bpf for bpffs: %s; mount bpffs there by hand",
				strerror(errno));
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		return xk_error(
			XK_EXIT_ENV,
			"bpffs is not mounted at /sys/fs/bpf and mounting it failed: %s; run 'mount -t bpf bpf /sys/fs/bpf'",
			strerror(errno));
	return xk_iproute2_layout();
}

static bool file_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

int xk_resolve_object(const char *name, char *path, size_t len)
{
	/* Anything that looks like a path is taken as one. */
	if (strchr(name, '/') || strstr(name, ".o")) {
		struct stat st;

		if (!stat(name, &st) && S_ISDIR(st.st_mode))
			return xk_error(
				XK_EXIT_NOTFOUND,
				"'%s' is a directory, not a BPF object file; name the .bpf.o inside it",
				name);
		if (!file_exists(name))
			return xk_error(XK_EXIT_NOTFOUND,
					"object file '%s' does not exist; check the path", name);
		snprintf(path, len, "%s", name);
		return 0;
	}
	if (xk.prog_dir) {
		snprintf(path, len, "%s/%s.bpf.o", xk.prog_dir, name);
		if (file_exists(path))
			return 0;
	}
	return xk_error(
		XK_EXIT_NOTFOUND,
		"'%s' is neither a program of the collection (in %s) nor an object file; see 'xdpkit list'",
		name, xk.prog_dir ? xk.prog_dir : "no program directory");
}
