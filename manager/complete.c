// SPDX-License-Identifier: GPL-2.0-only
/* `xdpkit __complete WHAT`: the words the bash completion offers that only xdpkit knows, one a
 * line, so the script never parses human output. Quiet by contract: without root, without bpffs
 * or with nothing there it prints nothing and exits 0. */
#include "model.h"
#include "opts.h"
#include "xdpkit.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Collection programs: the *.bpf.o files of the program directory, without the suffix. */
static void programs(void)
{
	struct dirent *e;
	DIR *d = xk.prog_dir ? opendir(xk.prog_dir) : NULL;

	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > 6 && !strcmp(e->d_name + n - 6, ".bpf.o"))
			printf("%.*s\n", (int)(n - 6), e->d_name);
	}
	if (d)
		closedir(d);
}

static void map_name(__u32 id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_map_get_fd_by_id(id);

	if (fd < 0)
		return;
	/* libbpf's internal maps (NAME.rodata, .bss) hold no rules anyone names */
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.name[0] && !strchr(info.name, '.'))
		printf("%s\n", info.name);
	close(fd);
}

static void prog_maps(const struct xk_model *m, __u32 id)
{
	const struct xk_kprog *p = id ? xk_model_prog(m, id) : NULL;
	__u32 i;

	for (i = 0; p && i < p->nmaps; i++)
		map_name(p->map_ids[i]);
}

/* Maps pinned under the pin root, and the maps of the programs attached to interfaces here. */
static void maps(void)
{
	struct xk_model m;
	int i, j, d;

	if (geteuid() != 0 || xk_model_read(&m, XK_MODEL_ALL, 0))
		return;
	for (i = 0; i < m.npins; i++)
		printf("%s\n", m.pins[i].name);
	for (i = 0; i < m.nifs; i++) {
		const struct xk_iface *f = &m.ifs[i];

		if (f->xdp.mp && !f->xdp.dispatcher)
			prog_maps(&m, f->xdp.main_id);
		for (j = 0; j < f->xdp.nslots; j++)
			prog_maps(&m, f->xdp.slots[j].id);
		for (d = 0; d < 2; d++)
			for (j = 0; j < f->ntc[d]; j++)
				prog_maps(&m, f->tc[d][j].prog_id);
	}
	xk_model_free(&m);
}

/* The interfaces of the network namespace this runs in (-n NETNS entered it, without the mount
 * changes of `ip -n`, which fail where / is not a mount point). */
static void ifaces(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;

	for (i = ifs; i && i->if_index; i++)
		printf("%s\n", i->if_name);
	if (ifs)
		if_freenameindex(ifs);
}

static int do_complete(int argc, char **argv)
{
	/* stderr is /dev/null already (main.c): whatever goes wrong, the shell shows nothing */
	if (argc < 2)
		return XK_EXIT_OK;
	if (!strcmp(argv[1], "programs"))
		programs();
	else if (!strcmp(argv[1], "maps"))
		maps();
	else if (!strcmp(argv[1], "ifaces"))
		ifaces();
	return XK_EXIT_OK;
}

const struct xk_verb xk_verb_complete = {
	.name = "__complete",
	.summary = "words for the bash completion: programs, maps, ifaces",
	.synopsis = "__complete programs|maps|ifaces",
	.max_words = -1,
	.hidden = true,
	.fn = do_complete,
};
