/* SPDX-License-Identifier: GPL-2.0-only */
/* What every verb of the manager shares: global options, exit codes, error reporting, verb dispatch. */
#ifndef XDPKIT_MANAGER_H
#define XDPKIT_MANAGER_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes, listed by `xdpkit help`; scripts may rely on them. */
enum xk_exit {
	XK_EXIT_OK = 0,
	XK_EXIT_FAIL = 1,     /* the kernel or a library refused the operation */
	XK_EXIT_USAGE = 2,    /* bad command line or bad input value */
	XK_EXIT_NOTFOUND = 3, /* no such interface, file, program or map */
	XK_EXIT_ENV = 4,      /* not root, bpffs/tracefs unavailable */
};

#define XK_DEFAULT_PIN_ROOT "/sys/fs/bpf/xdpkit"

struct xk_globals {
	int verbose;	      /* -v: library logs (and whole verifier logs) */
	bool json;	      /* --json: machine-readable output */
	const char *pin_root; /* --pin-root */
	const char *prog_dir; /* where collection objects live, found once at start-up */
};
extern struct xk_globals xk;

/* One line on stderr, prefixed "xdpkit: " (with --json: {"error": "..."} on stdout, at exit or at
 * the next error, with the hint that follows it). Returns code so callers write `return xk_error(XK_EXIT_FAIL, ...)`. */
int xk_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "hint: ..." on stderr after an error, when a fix is known (--json: the error object's "hint"). */
void xk_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What libbpf and libxdp reported during an operation, kept from their log lines whether or not -v
 * shows them (main.c's print callbacks fill it; tcnl.c adds the kernel's word on its own requests).
 * Reset before an operation, read when it failed. */
struct xk_libnote {
	char kernel_msg[256]; /* the kernel's extended ack of a refused netlink request: what `ip`
			       * prints after "Error:" */
	bool load_failed;     /* libbpf: "BPF program load failed" */
	bool verifier_log;    /* ... and the verifier wrote a log saying why */
	char failed_prog[64]; /* the program whose load failed */
	char first_warn[256]; /* libbpf's first warning: before the verifier (no BTF, a bad map, a
			       * broken ELF) it names the cause; later ones say "failed to load" */
	char last_line[256]; /* libbpf's last line of any level, for failures it does not warn of */
};
extern struct xk_libnote xk_note;
void xk_note_reset(void);
/* Keep msg as the kernel's message, unless one is kept already (the first refusal is the cause). */
void xk_note_kernel_msg(const char *msg);
/* " (kernel: MSG)" after an error text when the kernel said why, else "". */
const char *xk_kernel_says(void);
/* Why libbpf refused an object: its first warning, else its last line, else the errno text. */
const char *xk_libbpf_reason(int err);

/* Checks that return 0 or an exit code after printing why. */
int xk_need_root(void);
int xk_need_bpffs(void); /* mounts bpffs at /sys/fs/bpf when nothing is there */

/* iproute2_pins.c: is the pin root iproute2's (/sys/fs/bpf/tc/globals or xdp/globals)? Then
 * xk_iproute2_layout() makes xdp/globals one directory with tc/globals, as iproute2 does when it
 * comes first (called by xk_need_bpffs; 0 or an exit code after printing why). */
bool xk_pin_root_is_iproute2(void);
int xk_iproute2_layout(void);

/* Namespaces (netns.c). Both run in main() before the verb, while the process has one thread. */
/* Enter network namespace NAME (/run/netns/NAME, or an absolute path to a namespace file), as
 * `ip -n NAME` does, without remounting anything. 0 or an exit code after printing why. */
int xk_netns_enter(const char *name);
/* Where /sys/fs/bpf is not bpffs because this mount namespace was made without it (as by `ip netns
 * exec`, which mounts a fresh /sys), put there the bpffs of the nearest ancestor process in another
 * mount namespace, in a mount namespace of this process's own: pins then persist and are the ones
 * the caller sees. No-op when /sys/fs/bpf is bpffs, when /sys is the ancestor's (bpffs was only
 * unmounted) or no such ancestor exists: xk_need_bpffs then mounts one as before. 0 or an exit
 * code after printing why. */
int xk_callers_bpffs(void);

/* Turn a collection name ("blocklist") or a path into an object path. Returns 0 or XK_EXIT_NOTFOUND (printed). */
int xk_resolve_object(const char *name, char *path, size_t len);

/* 1234567 -> "1,234,567" in buf; returns buf. */
const char *xk_thousands(unsigned long long v, char *buf, size_t len);

/* -h, --help or help. */
bool xk_is_help(const char *arg);

#endif
