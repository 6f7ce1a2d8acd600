// SPDX-License-Identifier: GPL-2.0-only
/* xdpkit list: the collection as the objects themselves describe it (hooks from their sections,
 * summary from .xdpkit.summary), so adding a program never means editing the manager. */
#include "hooks.h"
#include "json.h"
#include "opts.h"
#include "xdpkit.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBJ_SUFFIX ".bpf.o"

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_object(const struct dirent *de)
{
	size_t n = strlen(de->d_name), s = strlen(OBJ_SUFFIX);

	return n > s && !strcmp(de->d_name + n - s, OBJ_SUFFIX);
}

/* One object: its hooks and summary, as a JSON object or a table row. */
static void show_object(struct jw *w, const char *dir, const char *file)
{
	char path[4096], name[256], summary[512], hooks[64] = "";
	struct bpf_program *p, *xdp = NULL;
	struct bpf_object *obj;
	bool frags = false;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(name, sizeof(name), "%.*s", (int)(strlen(file) - strlen(OBJ_SUFFIX)), file);
	xk_obj_summary(path, summary, sizeof(summary));
	obj = bpf_object__open_file(path, NULL);
	if (libbpf_get_error(obj))
		obj = NULL;
	if (w) {
		jw_obj_start(w);
		jw_kstr(w, "name", name);
		jw_kstr(w, "path", path);
		jw_key(w, "hooks");
		jw_arr_start(w);
	}
	if (obj) {
		/* An xdp.frags twin is the xdp hook again, for multi-buffer frames: not a hook of its
		 * own. */
		xdp = xk_obj_xdp_entry(obj);
		frags = xdp && xk_prog_declares_frags(obj, xdp);
		bpf_object__for_each_program(p, obj) {
			const char *hook = xk_prog_hook(p);

			if (!hook || strstr(hooks, hook))
				continue;
			if (w)
				jw_str(w, hook);
			snprintf(hooks + strlen(hooks), sizeof(hooks) - strlen(hooks), "%s%s",
				 *hooks ? "," : "", hook);
		}
		bpf_object__close(obj);
	}
	if (w) {
		jw_arr_end(w);
		jw_kbool(w, "multi_buffer", frags);
		jw_kstr(w, "summary", summary);
		jw_obj_end(w);
	} else {
		printf("%-14s %-8s %s\n", name, obj ? hooks : "(unreadable)", summary);
	}
}

int do_list(int argc, char **argv)
{
	struct dirent **ents;
	struct jw *w = NULL;
	struct xk_words words;
	int i, n, err;

	err = xk_opts_parse(&xk_verb_list, argc, argv, NULL, NULL, &words);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	if (words.n)
		return xk_error(XK_EXIT_USAGE,
				"list takes no arguments (did you mean 'xdpkit status %s'?)",
				words.pos[0]);
	n = scandir(xk.prog_dir, &ents, is_object, by_name);
	if (n < 0)
		return xk_error(XK_EXIT_NOTFOUND,
				"cannot read the collection directory %s: %s; run 'make' or set "
				"XDPKIT_PROG_DIR",
				xk.prog_dir, strerror(errno));
	if (xk.json) {
		w = jw_new(stdout);
		jw_arr_start(w);
	} else {
		printf("%-14s %-8s %s\n", "PROGRAM", "HOOKS", "SUMMARY");
	}
	for (i = 0; i < n; i++) {
		show_object(w, xk.prog_dir, ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	if (w) {
		jw_arr_end(w);
		jw_free(w);
	}
	return XK_EXIT_OK;
}

const struct xk_verb xk_verb_list = {
	.name = "list",
	.summary = "the program collection: hooks and one-line summary of each object",
	.synopsis = "[--json] list",
	.description = "The program collection: each object with the hooks it has and its one-line "
		       "summary. Set XDPKIT_PROG_DIR to list another directory.",
	.max_words = -1,
	.fn = do_list,
};
