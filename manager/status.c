// SPDX-License-Identifier: GPL-2.0-only
/* xdpkit status: what runs on each interface and what is pinned, from one reading of the kernel
 * (model.c), so programs attached by ip, tc or xdp-loader show as well, and so does every pin under
 * the root. Each item prints as text or as JSON from the same walk. */
#include "dump.h"
#include "json.h"
#include "model.h"
#include "opts.h"
#include "xdpstate.h"
#include "xdpkit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xdp/libxdp.h>

static void show_pin(struct jw *w, const struct xk_pin *p)
{
	if (w) {
		jw_obj_start(w);
		jw_kstr(w, "name", p->name);
		jw_kstr(w, "path", p->path);
		jw_kuint(w, "id", p->map_id);
		jw_obj_end(w);
	} else {
		printf("        pinned map %s: %s (map id %u)\n", p->name, p->path, p->map_id);
	}
}

/* The maps pinned under the root that program id uses. */
static void show_pins(struct jw *w, const struct xk_model *m, __u32 id)
{
	const struct xk_kprog *p = xk_model_prog(m, id);
	int i;

	if (w) {
		jw_key(w, "pinned_maps");
		jw_arr_start(w);
	}
	for (i = 0; p && i < m->npins; i++)
		if (xk_kprog_uses(p, m->pins[i].map_id))
			show_pin(w, &m->pins[i]);
	if (w)
		jw_arr_end(w);
}

/* One XDP program: the single one, or a component of the dispatcher. */
static void show_xdp_slot(struct jw *w, const struct xk_model *m, const struct xk_xdp_slot *s)
{
	const struct xk_kprog *p = xk_model_prog(m, s->id);
	const char *name = p ? p->name : xdp_program__name(s->xp), *tag = p ? p->tag : "";
	char chain[80] = "";
	unsigned int a;

	for (a = 0; xk_xdp_action_name(a); a++)
		if (s->chain & (1u << a))
			snprintf(chain + strlen(chain), sizeof(chain) - strlen(chain), "%s%s",
				 *chain ? "," : "", xk_xdp_action_name(a));
	if (w) {
		jw_obj_start(w);
		if (s->pos)
			jw_kuint(w, "position", s->pos);
		jw_kuint(w, "id", s->id);
		jw_kstr(w, "name", name);
		jw_kstr(w, "tag", tag);
		jw_kuint(w, "priority", s->prio);
		jw_key(w, "chain_actions");
		jw_arr_start(w);
		for (a = 0; xk_xdp_action_name(a); a++)
			if (s->chain & (1u << a))
				jw_str(w, xk_xdp_action_name(a));
		jw_arr_end(w);
	} else {
		printf("    %s%-4u %-16s tag %s  prio %-3u chain %s\n", s->pos ? "=> id " : "id ",
		       s->id, name, tag, s->prio, *chain ? chain : "-");
	}
	show_pins(w, m, s->id);
	if (w)
		jw_obj_end(w);
}

static void show_xdp(struct jw *w, const struct xk_model *m, const struct xk_iface *f)
{
	const struct xk_xdp_hook *h = &f->xdp;
	const struct xk_kprog *disp = xk_model_prog(m, h->main_id);
	int i;

	if (!h->mp) {
		if (w) {
			jw_key(w, "xdp");
			jw_null(w);
		} else {
			printf("  xdp: none\n");
		}
		return;
	}
	if (w) {
		jw_key(w, "xdp");
		jw_obj_start(w);
		jw_kstr(w, "mode", xk_xdp_mode_name(h->mode));
		jw_key(w, "dispatcher");
		if (!h->dispatcher) {
			jw_null(w);
		} else {
			jw_obj_start(w);
			jw_kuint(w, "id", h->main_id);
			jw_kstr(w, "name", disp ? disp->name : "");
			jw_kstr(w, "tag", disp ? disp->tag : "");
			jw_obj_end(w);
		}
		jw_key(w, "programs");
		jw_arr_start(w);
	} else if (!h->dispatcher) {
		printf("  xdp: %s mode, single program (no dispatcher)\n",
		       xk_xdp_mode_name(h->mode));
	} else {
		printf("  xdp: %s mode, libxdp dispatcher id %u (%s, tag %s), %d programs in run "
		       "order:\n",
		       xk_xdp_mode_name(h->mode), h->main_id, disp ? disp->name : "?",
		       disp ? disp->tag : "?", h->nslots);
	}
	for (i = 0; i < h->nslots; i++)
		show_xdp_slot(w, m, &h->slots[i]);
	if (w) {
		jw_arr_end(w);
		jw_obj_end(w);
	}
}

static void show_filter(struct jw *w, const struct xk_model *m, const struct xk_tc_filter *f)
{
	const struct xk_kprog *p = f->prog_id ? xk_model_prog(m, f->prog_id) : NULL;
	const char *name = p ? p->name : "", *tag = p ? p->tag : "";

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
		show_pins(w, m, f->prog_id);
	if (w)
		jw_obj_end(w);
}

static int show_iface(struct jw *w, const struct xk_model *m, const struct xk_iface *f)
{
	int d, i, err = 0;

	if (w) {
		jw_obj_start(w);
		jw_kstr(w, "ifname", f->name);
		jw_kuint(w, "ifindex", f->ifindex);
	} else {
		printf("%s (ifindex %d)\n", f->name, f->ifindex);
	}
	show_xdp(w, m, f);
	if (w) {
		jw_key(w, "tc");
		jw_obj_start(w);
	}
	for (d = XK_TC_INGRESS; d <= XK_TC_EGRESS; d++) {
		if (f->tc_err[d]) {
			err = f->tc_err[d];
			break;
		}
		if (w) {
			jw_key(w, xk_tc_dir_name(d));
			jw_arr_start(w);
		} else {
			printf("  tc %s:%s\n", xk_tc_dir_name(d), f->ntc[d] ? "" : " none");
		}
		for (i = 0; i < f->ntc[d]; i++)
			show_filter(w, m, &f->tc[d][i]);
		if (w)
			jw_arr_end(w);
	}
	if (w) {
		jw_obj_end(w);
		jw_obj_end(w);
	}
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot list TC filters of %s: %s%s", f->name,
				strerror(-err), xk_kernel_says());
	return 0;
}

/* Does any of the attached programs use map_id? */
static bool attached_use(const struct xk_model *m, const struct xk_attached *at, int n,
			 __u32 map_id)
{
	const struct xk_kprog *p;
	int i;

	for (i = 0; i < n; i++) {
		p = xk_model_prog(m, at[i].prog_id);
		if (p && xk_kprog_uses(p, map_id))
			return true;
	}
	return false;
}

/* Pins under the root that none of the programs shown uses: rules kept by a detach without
 * --purge, left by an interface or a namespace that went away, by an attach that was killed, or
 * used by a program attached nowhere here. Listed so that status shows everything in bpffs that
 * xdpkit keeps. */
static void show_other_pins(const struct xk_model *m, bool blank)
{
	struct xk_attached *at = NULL;
	int i, listed = 0, nat = xk_model_attached(m, &at);
	__u32 user;

	for (i = 0; i < m->npins; i++) {
		const struct xk_pin *p = &m->pins[i];
		const struct xk_kprog *u;

		if (attached_use(m, at, nat, p->map_id))
			continue;
		if (!listed++)
			printf("%spinned under %s, used by no program shown above:\n",
			       blank ? "\n" : "", xk.pin_root);
		if (!xk_model_map_users(m, p->map_id, NULL, 0, &user, 1)) {
			printf("    pinned map %s: %s (map id %u), used by no loaded program\n",
			       p->name, p->path, p->map_id);
			continue;
		}
		u = xk_model_prog(m, user);
		printf("    pinned map %s: %s (map id %u), used by program %u (%s)\n", p->name,
		       p->path, p->map_id, user, u ? u->name : "?");
	}
	if (listed)
		printf("('xdpkit purge' removes those no loaded program uses)\n");
	free(at);
}

/* libxdp's state of a dispatcher that runs nowhere (its interface deleted under it): its pins
 * keep the components and their maps loaded, which nothing else would show. */
static void show_stale_xdpstate(const struct xk_model *m)
{
	struct xk_xdpstate *s;
	int n = xk_xdpstate_stale(&s), i, j;

	for (i = 0; i < n; i++) {
		printf("\nlibxdp's state of dispatcher %u, which runs on no interface (was ifindex %d): "
		       "%s\n",
		       s[i].disp_id, s[i].ifindex, s[i].path);
		for (j = 0; j < s[i].nprogs; j++) {
			const struct xk_kprog *p = xk_model_prog(m, s[i].prog_ids[j]);

			printf("    keeps program %u (%s) loaded\n", s[i].prog_ids[j],
			       p ? p->name : "?");
		}
	}
	if (n > 0)
		printf("('xdpkit purge' removes it)\n");
	xk_xdpstate_free(s, n);
}

int do_status(int argc, char **argv)
{
	struct xk_model m;
	struct jw *w = NULL;
	struct xk_words words;
	int err = 0, ifindex = 0, i;

	err = xk_opts_parse(&xk_verb_status, argc, argv, NULL, NULL, &words);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	if (words.n > 1)
		return xk_error(XK_EXIT_USAGE,
				"status takes at most one interface; see 'xdpkit status --help'");
	err = xk_need_root();
	if (err)
		return err;
	if (words.n == 1) {
		ifindex = xk_ifindex(words.pos[0]);
		if (!ifindex)
			return XK_EXIT_NOTFOUND;
	}
	err = xk_model_read(&m, XK_MODEL_ALL, ifindex);
	if (err)
		return xk_error(XK_EXIT_FAIL, "cannot read what runs here: %s", strerror(-err));
	/* A dump killed with -9 left its programs' capture on: switch it off (a line on stderr). */
	xk_capture_clear_stale(&m);
	if (xk.json) {
		w = jw_new(stdout);
		jw_arr_start(w);
	}
	for (i = 0; i < m.nifs && !err; i++) {
		if (i && !w)
			printf("\n");
		err = show_iface(w, &m, &m.ifs[i]);
	}
	if (!ifindex && !m.nifs && !w)
		printf("no XDP or TC BPF programs on any interface of this network namespace\n");
	if (!ifindex && !w && !err) {
		show_other_pins(&m, m.nifs > 0);
		show_stale_xdpstate(&m);
	}
	if (w) {
		jw_arr_end(w);
		jw_free(w);
	}
	xk_model_free(&m);
	return err;
}

static const enum xk_complete status_pos[] = { XK_C_IFACE };

const struct xk_verb xk_verb_status = {
	.name = "status",
	.summary = "what runs on each interface: XDP chain, TC filters, pinned maps",
	.synopsis = "[--json] status [IFACE]",
	.description =
		"What runs on IFACE (or on every interface that runs something): XDP mode, libxdp's "
		"dispatcher and its programs in run order (or a single program), each with id, name, "
		"tag, run priority and chain actions; the BPF filters on TC ingress and egress; the "
		"maps they use that are pinned under the pin root (" XK_DEFAULT_PIN_ROOT " unless "
		"--pin-root). Programs attached by ip, tc or xdp-loader show too.\n\n"
		"Without IFACE, also the maps pinned under the root that no program shown uses (rules "
		"kept by a detach without --purge, or left by an interface that is gone).",
	.pos = status_pos,
	.npos = 1,
	.max_words = -1,
	.fn = do_status,
};
