// SPDX-License-Identifier: GPL-2.0-only
/* Can libxdp chain XDP programs here? Its dispatcher needs BPF program extensions (freplace); some
 * kernels and sandboxes refuse them (EPERM), and then libxdp silently falls back to one program per
 * interface. We ask the same question libxdp asks, with libxdp's own dispatcher object, so our
 * answer and libxdp's behaviour agree. */
#include "corebtf.h"
#include "hooks.h"
#include "xdpkit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <xdp/libxdp.h>

#define DISPATCHER_FILE "xdp-dispatcher.o"
#define TARGET_FUNC "xdp_pass"

/* Open libxdp's dispatcher object with only its xdp_pass program enabled. */
static struct xdp_program *open_pass(void)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, opts, .find_filename = DISPATCHER_FILE,
			    .prog_name = TARGET_FUNC);
	struct xdp_program *xp = xdp_program__create(&opts);
	struct bpf_program *p;

	if (libxdp_get_error(xp))
		return NULL;
	bpf_object__for_each_program(p, xdp_program__bpf_obj(xp))
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), TARGET_FUNC));
	return xp;
}

static int probe(void)
{
	struct xdp_program *tgt = open_pass(), *ext = open_pass();
	struct bpf_program *ep;
	int tgt_fd, link_fd, ok = 0;

	if (!tgt || !ext)
		goto out; /* no dispatcher object: libxdp cannot chain either */
	if (bpf_object__load(xdp_program__bpf_obj(tgt)))
		goto out;
	tgt_fd = bpf_program__fd(
		bpf_object__find_program_by_name(xdp_program__bpf_obj(tgt), TARGET_FUNC));
	ep = bpf_object__find_program_by_name(xdp_program__bpf_obj(ext), TARGET_FUNC);
	bpf_program__set_type(ep, BPF_PROG_TYPE_EXT);
	bpf_program__set_expected_attach_type(ep, 0);
	if (bpf_program__set_attach_target(ep, tgt_fd, TARGET_FUNC))
		goto out;
	if (bpf_object__load(xdp_program__bpf_obj(ext)))
		goto out; /* the refusal this machine gives: EPERM on loading an extension */
	link_fd = bpf_raw_tracepoint_open(NULL, bpf_program__fd(ep));
	if (link_fd >= 0) {
		close(link_fd);
		ok = 1;
	}
out:
	xdp_program__close(ext);
	xdp_program__close(tgt);
	return ok;
}

/* The answer is the kernel's, so it holds for the boot: kept in /run/xdpkit/dispatcher-<boot id>,
 * every later attach of the boot skips the probe (two loads, one of them refused). */
static int boot_answer(char *path, size_t len)
{
	char id[64];
	FILE *f;
	int v = -1;

	if (xk_boot_id(id, sizeof(id)) ||
	    snprintf(path, len, "%s/dispatcher-%s", XK_BOOT_DIR, id) >= (int)len) {
		path[0] = '\0';
		return -1;
	}
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%d", &v) != 1 || (v != 0 && v != 1))
			v = -1;
		fclose(f);
	}
	return v;
}

static void keep_answer(const char *path, int v)
{
	char tmp[4200];
	FILE *f;

	if (!path[0] || (mkdir(XK_BOOT_DIR, 0700) && errno != EEXIST))
		return;
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f, "%d\n", v);
	if (fclose(f) || rename(tmp, path))
		unlink(tmp);
}

int xk_dispatcher_supported(void)
{
	static int cached = -1;
	char path[4096];

	if (cached >= 0)
		return cached;
	cached = boot_answer(path, sizeof(path));
	if (cached < 0) {
		cached = probe();
		keep_answer(path, cached);
	}
	return cached;
}
