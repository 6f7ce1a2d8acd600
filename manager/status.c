/* xdpkit status: what runs on each interface, found from the kernel (libxdp for XDP, a netlink dump
 * for TC), so programs attached by ip, tc or xdp-loader show as well. One walk; each item prints as
 * text or as JSON. */
#include "hooks.h"
#include "json.h"
#include "xdpkit.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xdp/libxdp.h>

static const char *const actions[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
				      "XDP_REDIRECT"};

const char *xk_xdp_mode_name(enum xdp_attach_mode m)
{
	switch (m) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "skb";
	case XDP_MODE_HW:
		return "hw";
	default:
		return "unknown";
	}
}

static void pin_cb(const char *name, const char *path, __u32 map_id, void *ctx)
{
	struct jw *w = ctx;

	if (w) {
		jw_obj_start(w);
		jw_kstr(w, "name", name);
		jw_kstr(w, "path", path);
		jw_kuint(w, "id", map_id);
		jw_obj_end(w);
	} else {
		printf("        pinned map %s: %s (map id %u)\n", name, path, map_id);
	}
}

/* Programs shown so far, so the pins none of them uses can be listed after the interfaces. */
static struct {
	__u32 ids[1024];
	int n;
} shown_progs;

static void show_pins(struct jw *w, __u32 prog_id)
{
	if (shown_progs.n < (int)(sizeof(shown_progs.ids) / sizeof(shown_progs.ids[0])))
		shown_progs.ids[shown_progs.n++] = prog_id;
	if (w) {
		jw_key(w, "pinned_maps");
		jw_arr_start(w);
	}
	xk_pins_of_prog(prog_id, pin_cb, w);
	if (w)
		jw_arr_end(w);
}

static void tag_hex(const unsigned char *tag, char *out)
{
	int i;

	out[0] = '\0';
	for (i = 0; tag && i < BPF_TAG_SIZE; i++)
		sprintf(out + 2 * i, "%02x", tag[i]);
}

/* One XDP program: the single one, or a component of the dispatcher at position pos (1-based). */
static void show_xdp_prog(struct jw *w, struct xdp_program *p, int pos)
{
	char tag[2 * BPF_TAG_SIZE + 1], chain[80] = "";
	unsigned int a;

	tag_hex(xdp_program__tag(p), tag);
	for (a = 0; a < sizeof(actions) / sizeof(actions[0]); a++)
		if (xdp_program__chain_call_enabled(p, a))
			snprintf(chain + strlen(chain), sizeof(chain) - strlen(chain), "%s%s",
				 *chain ? "," : "", actions[a]);
	if (w) {
		jw_obj_start(w);
		if (pos)
			jw_kuint(w, "position", pos);
		jw_kuint(w, "id", xdp_program__id(p));
		jw_kstr(w, "name", xdp_program__name(p));
		jw_kstr(w, "tag", tag);
		jw_kuint(w, "priority", xdp_program__run_prio(p));
		jw_key(w, "chain_actions");
		jw_arr_start(w);
		for (a = 0; a < sizeof(actions) / sizeof(actions[0]); a++)
			if (xdp_program__chain_call_enabled(p, a))
				jw_str(w, actions[a]);
		jw_arr_end(w);
	} else {
		printf("    %s%-4u %-16s tag %s  prio %-3u chain %s\n", pos ? "=> id " : "id ",
		       xdp_program__id(p), xdp_program__name(p), tag, xdp_program__run_prio(p),
		       *chain ? chain : "-");
	}
	show_pins(w, xdp_program__id(p));
	if (w)
		jw_obj_end(w);
}

static void show_xdp(struct jw *w, int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *main_prog, *p = NULL;
	char tag[2 * BPF_TAG_SIZE + 1];
	int pos = 0;

	if (libxdp_get_error(mp) || !mp || !xdp_multiprog__main_prog(mp)) {
		if (w) {
			jw_key(w, "xdp");
			jw_null(w);
		} else {
			printf("  xdp: none\n");
		}
		if (!libxdp_get_error(mp))
			xdp_multiprog__close(mp);
		return;
	}
	main_prog = xdp_multiprog__main_prog(mp);
	tag_hex(xdp_program__tag(main_prog), tag);
	if (w) {
		jw_key(w, "xdp");
		jw_obj_start(w);
		jw_kstr(w, "mode", xk_xdp_mode_name(xdp_multiprog__attach_mode(mp)));
		jw_key(w, "dispatcher");
		if (xdp_multiprog__is_legacy(mp)) {
			jw_null(w);
		} else {
			jw_obj_start(w);
			jw_kuint(w, "id", xdp_program__id(main_prog));
			jw_kstr(w, "name", xdp_program__name(main_prog));
			jw_kstr(w, "tag", tag);
			jw_obj_end(w);
		}
		jw_key(w, "programs");
		jw_arr_start(w);
	} else if (xdp_multiprog__is_legacy(mp)) {
		printf("  xdp: %s mode, single program (no dispatcher)\n",
		       xk_xdp_mode_name(xdp_multiprog__attach_mode(mp)));
	} else {
		printf("  xdp: %s mode, libxdp dispatcher id %u (%s, tag %s), %d programs in run "
		       "order:\n",
		       xk_xdp_mode_name(xdp_multiprog__attach_mode(mp)), xdp_program__id(main_prog),
		       xdp_program__name(main_prog), tag, xdp_multiprog__program_count(mp));
	}
	if (xdp_multiprog__is_legacy(mp))
		show_xdp_prog(w, main_prog, 0);
	else
		while ((p = xdp_multiprog__next_prog(p, mp)))
			show_xdp_prog(w, p, ++pos);
	if (w) {
		jw_arr_end(w);
		jw_obj_end(w);
	}
	xdp_multiprog__close(mp);
}

static void show_filter(struct jw *w, const struct xk_tc_filter *f)
{
	char name[64] = "", tag[2 * BPF_TAG_SIZE + 1] = "";

	if (f->prog_id)
		xk_prog_info(f->prog_id, name, sizeof(name), tag, sizeof(tag));
	if (w) {
		jw_obj_start(w);
		jw_kuint(w, "pref", f->prio);
		jw_kuint(w, "handle", f->handle);
		jw_kstr(w, "kind", f->kind);
		if (f->prog_id) {
			jw_kuint(w, "id", f->prog_id);
			jw_kstr(w, "name", name);
			jw_kstr(w, "tag", tag);
			jw_kbool(w, "direct_action", f->direct_action);
			jw_kstr(w, "filter_name", f->name);
		}
	} else if (f->prog_id) {
		printf("    pref %-5u handle 0x%-3x id %-4u %-16s tag %s%s  (%s)\n", f->prio,
		       f->handle, f->prog_id, name, tag, f->direct_action ? "  direct-action" : "",
		       f->name);
	} else {
		printf("    pref %-5u handle 0x%-3x %s filter (not BPF)\n", f->prio, f->handle,
		       f->kind);
	}
	if (f->prog_id)
		show_pins(w, f->prog_id);
	if (w)
		jw_obj_end(w);
}

static int show_tc(struct jw *w, int ifindex, enum xk_tc_dir dir)
{
	struct xk_tc_filter *f;
	int i, n, err;

	err = xk_tc_dump(ifindex, dir, &f, &n);
	if (err)
		return err;
	if (w) {
		jw_key(w, xk_tc_dir_name(dir));
		jw_arr_start(w);
	} else {
		printf("  tc %s:%s\n", xk_tc_dir_name(dir), n ? "" : " none");
	}
	for (i = 0; i < n; i++)
		show_filter(w, &f[i]);
	if (w)
		jw_arr_end(w);
	free(f);
	return 0;
}

/* Anything worth showing when no interface was named? */
static bool busy(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xk_tc_filter *f;
	int d, n = 0;

	if (!libxdp_get_error(mp) && mp) {
		xdp_multiprog__close(mp);
		return true;
	}
	for (d = XK_TC_INGRESS; d <= XK_TC_EGRESS && !n; d++) {
		if (xk_tc_dump(ifindex, d, &f, &n))
			n = 0;
		free(f);
	}
	return n > 0;
}

static int show_iface(struct jw *w, const char *name, int ifindex)
{
	int err;

	if (w) {
		jw_obj_start(w);
		jw_kstr(w, "ifname", name);
		jw_kuint(w, "ifindex", ifindex);
	} else {
		printf("%s (ifindex %d)\n", name, ifindex);
	}
	show_xdp(w, ifindex);
	if (w) {
		jw_key(w, "tc");
		jw_obj_start(w);
	}
	err = show_tc(w, ifindex, XK_TC_INGRESS);
	if (!err)
		err = show_tc(w, ifindex, XK_TC_EGRESS);
	if (w) {
		jw_obj_end(w);
		jw_obj_end(w);
	}
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot list TC filters of %s: %s%s", name,
				strerror(-err), xk_kernel_says());
	return 0;
}

struct other_pins {
	__u32 *maps; /* maps of the programs shown */
	__u32 n_maps;
	bool blank; /* something was printed above: a blank line first */
	int listed;
};

static void other_pin_cb(const char *name, const char *path, __u32 map_id, void *ctx)
{
	struct other_pins *o = ctx;
	char uname[64] = "";
	__u32 i, user;

	for (i = 0; i < o->n_maps; i++)
		if (o->maps[i] == map_id)
			return;
	if (!o->listed++)
		printf("%spinned under %s, used by no program shown above:\n", o->blank ? "\n" : "",
		       xk.pin_root);
	user = xk_map_user(map_id, NULL, 0);
	if (!user) {
		printf("    pinned map %s: %s (map id %u), used by no loaded program\n", name, path,
		       map_id);
		return;
	}
	xk_prog_info(user, uname, sizeof(uname), NULL, 0);
	printf("    pinned map %s: %s (map id %u), used by program %u (%s)\n", name, path, map_id,
	       user, uname);
}

/* Pins under the root that none of the programs shown uses: rules kept by a detach without
 * --purge, left by an interface or a namespace that went away, or by an attach that was killed.
 * Listed so that status shows everything xdpkit keeps in bpffs. */
static void show_other_pins(bool blank)
{
	struct other_pins o = {.blank = blank};
	__u32 *ids, n, *tmp;
	int i;

	for (i = 0; i < shown_progs.n; i++) {
		if (xk_prog_map_ids(shown_progs.ids[i], &ids, &n))
			continue;
		tmp = realloc(o.maps, (o.n_maps + n) * sizeof(*tmp));
		if (tmp) {
			memcpy(tmp + o.n_maps, ids, n * sizeof(*ids));
			o.maps = tmp;
			o.n_maps += n;
		}
		free(ids);
	}
	xk_pins_walk(other_pin_cb, &o);
	free(o.maps);
}

static void status_help(void)
{
	printf("Usage: xdpkit [--json] status [IFACE]\n\n"
	       "What runs on IFACE (or on every interface that runs something): XDP mode, libxdp's "
	       "dispatcher and\n"
	       "its programs in run order (or a single program), each with id, name, tag, run "
	       "priority and chain\n"
	       "actions; the BPF filters on TC ingress and egress; the maps they use that are "
	       "pinned under the pin\n"
	       "root (%s unless --pin-root). Programs attached by ip, tc or xdp-loader show too.\n"
	       "Without IFACE, also the maps pinned under the root that no program shown uses (rules "
	       "kept by a\n"
	       "detach without --purge, or left by an interface that is gone).\n",
	       XK_DEFAULT_PIN_ROOT);
}

int do_status(int argc, char **argv)
{
	struct if_nameindex *all, *i;
	struct jw *w = NULL;
	int err = 0, shown = 0;

	if (argc > 1 && xk_is_help(argv[1])) {
		status_help();
		return XK_EXIT_OK;
	}
	if (argc > 1 && argv[1][0] == '-')
		return xk_error(XK_EXIT_USAGE,
				"status: unknown option '%s'; see 'xdpkit status --help'", argv[1]);
	if (argc > 2)
		return xk_error(XK_EXIT_USAGE,
				"status takes at most one interface; see 'xdpkit status --help'");
	err = xk_need_root();
	if (err)
		return err;
	if (argc == 2) {
		int ifindex = xk_ifindex(argv[1]);

		if (!ifindex)
			return XK_EXIT_NOTFOUND;
		if (xk.json) {
			w = jw_new(stdout);
			jw_arr_start(w);
		}
		err = show_iface(w, argv[1], ifindex);
	} else {
		all = if_nameindex();
		if (!all)
			return xk_error(XK_EXIT_FAIL, "cannot list interfaces: %s",
					strerror(errno));
		if (xk.json) {
			w = jw_new(stdout);
			jw_arr_start(w);
		}
		for (i = all; i->if_index && !err; i++) {
			if (!busy(i->if_index))
				continue;
			if (shown++ && !w)
				printf("\n");
			err = show_iface(w, i->if_name, i->if_index);
		}
		if_freenameindex(all);
		if (!shown && !w)
			printf("no XDP or TC BPF programs on any interface of this network "
			       "namespace\n");
		if (!w && !err)
			show_other_pins(true);
	}
	if (w) {
		jw_arr_end(w);
		jw_free(w);
	}
	return err;
}
