// SPDX-License-Identifier: GPL-2.0-only
/* A minimal kernel BTF per object and boot, so that loading an object with CO-RE relocations
 * (blocklist reads the kernel's LPM trie count) does not parse the whole kernel BTF every time:
 * that is 5 MiB and 100+ ms here, most of what `ip link set ... xdp obj` or xdp-loader spend on
 * blocklist. bpftool gen min_core_btf (the kernel tree's BTFGen) makes the copy once after a boot;
 * libbpf then relocates against it (btf_custom_path) exactly as against the whole BTF, since the
 * copy holds every type and member the relocations name, at the kernel's offsets. Without
 * bpftool, or on any failure, there is no copy and nothing changes. */
#include "corebtf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define BOOT_ID "/proc/sys/kernel/random/boot_id"

/* FNV-1a over the object's bytes: a rebuilt object gets a copy of its own. */
static int file_hash(const char *path, uint64_t *h)
{
	unsigned char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, i;

	if (fd < 0)
		return -errno;
	*h = 1469598103934665603ull;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			*h = (*h ^ buf[i]) * 1099511628211ull;
	close(fd);
	return n < 0 ? -EIO : 0;
}

int xk_boot_id(char *out, size_t len)
{
	FILE *f = fopen(BOOT_ID, "re");
	char id[64] = "";
	size_t i, o = 0;

	if (!f)
		return -errno;
	if (!fgets(id, sizeof(id), f))
		id[0] = '\0';
	fclose(f);
	for (i = 0; id[i] && o + 1 < len; i++)
		if ((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'))
			out[o++] = id[i];
	out[o] = '\0';
	return o ? 0 : -ENOENT;
}

static int mkdirs(void)
{
	if (mkdir(XK_BOOT_DIR, 0700) && errno != EEXIST)
		return -errno;
	if (mkdir(XK_CORE_BTF_DIR, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* bpftool gen min_core_btf VMLINUX OUT OBJ, quietly; 0 when it wrote OUT. */
static int run_bpftool(const char *out, const char *obj)
{
	int status, fd;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execlp("bpftool", "bpftool", "gen", "min_core_btf", VMLINUX_BTF, out, obj,
		       (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -ENOEXEC;
}

int xk_core_btf_path(const char *obj_path, char *out, size_t len)
{
	char id[64], tmp[4096];
	struct stat st;
	uint64_t h;
	int err;

	if (access(VMLINUX_BTF, R_OK))
		return -ENOENT; /* no kernel BTF: libbpf fails the same way without us */
	err = xk_boot_id(id, sizeof(id));
	if (!err)
		err = file_hash(obj_path, &h);
	if (err)
		return err;
	if (snprintf(out, len, "%s/%s-%016llx.btf", XK_CORE_BTF_DIR, id, (unsigned long long)h) >=
	    (int)len)
		return -ENAMETOOLONG;
	if (!stat(out, &st) && S_ISREG(st.st_mode) && st.st_size > 0)
		return 0;
	err = mkdirs();
	if (err)
		return err;
	/* Made under a name of its own and renamed: two attaches at once each see a whole file or
	 * none. */
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", out, (int)getpid());
	err = run_bpftool(tmp, obj_path);
	if (!err && rename(tmp, out))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
