// SPDX-License-Identifier: GPL-2.0-only
/* The model of what runs (model.h): every kernel question the listing verbs ask, each asked in one
 * place. libxdp tells the XDP side, a netlink dump (tcnl.c) the TC filters, bpf_prog_get_info the
 * programs and their maps, a scan of the pin root the pins. */
#include "mapref_parse.h"
#include "model.h"
#include "xdpkit.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <xdp/libxdp.h>

const char *xk_xdp_mode_name(enum xdp_attach_mode mode)
{
	switch (mode) {
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

const char *xk_xdp_action_name(unsigned int action)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					     "XDP_REDIRECT" };

	return action < sizeof(names) / sizeof(names[0]) ? names[action] : NULL;
}

const char *xk_stat_name(unsigned int slot)
{
	static const char *const names[XK_STAT_MAX] = {
		[XK_STAT_ABORTED] = "aborted",	 [XK_STAT_DROP] = "drop",
		[XK_STAT_PASS] = "pass",	 [XK_STAT_TX] = "tx",
		[XK_STAT_REDIRECT] = "redirect", [XK_STAT_MALFORMED] = "malformed",
	};

	return slot < XK_STAT_MAX ? names[slot] : "unknown";
}

bool xk_fd_is_map(int fd)
{
	char path[64], line[128];
	bool map = false;
	FILE *f;

	/* bpf_obj_get_info_by_fd fills whatever struct the object has; fdinfo says what it is. */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "map_type:", 9))
			map = true;
	fclose(f);
	return map;
}

__u32 xk_pinned_map_id(const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), id = 0;
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return 0;
	if (xk_fd_is_map(fd) && !bpf_obj_get_info_by_fd(fd, &info, &len))
		id = info.id;
	close(fd);
	return id;
}

/* ---- programs ---- */

int xk_kprog_read(__u32 id, struct xk_kprog *p)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), nr;
	int fd, err = 0, i;

	memset(p, 0, sizeof(*p));
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	/* A second call with room for every map id: the first one says how many there are. */
	nr = info.nr_map_ids;
	p->map_ids = calloc(nr ? nr : 1, sizeof(*p->map_ids));
	if (!p->map_ids) {
		err = -ENOMEM;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = nr;
	info.map_ids = (__u64)(unsigned long)p->map_ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	p->id = info.id;
	p->type = info.type;
	p->nmaps = nr < info.nr_map_ids ? nr : info.nr_map_ids;
	snprintf(p->name, sizeof(p->name), "%s", info.name);
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(p->tag + 2 * i, 3, "%02x", info.tag[i]);
out:
	close(fd);
	if (err)
		xk_kprog_free(p);
	return err;
}

void xk_kprog_free(struct xk_kprog *p)
{
	free(p->map_ids);
	p->map_ids = NULL;
	p->nmaps = 0;
}

bool xk_kprog_uses(const struct xk_kprog *p, __u32 map_id)
{
	__u32 i;

	for (i = 0; i < p->nmaps; i++)
		if (p->map_ids[i] == map_id)
			return true;
	return false;
}

/* Grow *v (of *cap elements of size sz) so that element n fits. */
static int grow(void **v, int *cap, int n, size_t sz)
{
	void *nv;

	if (n < *cap)
		return 0;
	nv = realloc(*v, (size_t)(*cap = *cap ? *cap * 2 : 16) * sz);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	return 0;
}

static int read_progs(struct xk_model *m)
{
	__u32 id = 0;
	int cap = 0, err;

	while (!bpf_prog_get_next_id(id, &id)) {
		err = grow((void **)&m->progs, &cap, m->nprogs, sizeof(*m->progs));
		if (err)
			return err;
		err = xk_kprog_read(id, &m->progs[m->nprogs]);
		if (err == -ENOENT)
			continue; /* gone meanwhile */
		if (err)
			return err;
		m->nprogs++;
	}
	return 0;
}

/* ---- interfaces ---- */

static int read_xdp(struct xk_xdp_hook *h, int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *main_prog, *p = NULL;
	int cap = 0, err;
	unsigned int a;

	if (libxdp_get_error(mp) || !mp)
		return 0;
	main_prog = xdp_multiprog__main_prog(mp);
	if (!main_prog) {
		xdp_multiprog__close(mp);
		return 0;
	}
	h->mp = mp;
	h->mode = xdp_multiprog__attach_mode(mp);
	h->dispatcher = !xdp_multiprog__is_legacy(mp);
	h->main_id = xdp_program__id(main_prog);
	/* A single program is its own slot; behind a dispatcher every component is one. */
	for (p = h->dispatcher ? xdp_multiprog__next_prog(NULL, mp) : main_prog; p;
	     p = h->dispatcher ? xdp_multiprog__next_prog(p, mp) : NULL) {
		struct xk_xdp_slot *s;

		err = grow((void **)&h->slots, &cap, h->nslots, sizeof(*h->slots));
		if (err)
			return err;
		s = &h->slots[h->nslots++];
		s->xp = p;
		s->id = xdp_program__id(p);
		s->pos = h->dispatcher ? h->nslots : 0;
		s->prio = xdp_program__run_prio(p);
		s->chain = 0;
		for (a = 0; xk_xdp_action_name(a); a++)
			if (xdp_program__chain_call_enabled(p, a))
				s->chain |= 1u << a;
	}
	return 0;
}

static void free_iface(struct xk_iface *f)
{
	if (f->xdp.mp)
		xdp_multiprog__close(f->xdp.mp);
	free(f->xdp.slots);
	free(f->tc[0]);
	free(f->tc[1]);
}

/* Read one interface; *busy says whether anything runs there. */
static int read_iface(struct xk_iface *f, int ifindex, const char *name, bool *busy)
{
	int d, err;

	memset(f, 0, sizeof(*f));
	f->ifindex = ifindex;
	snprintf(f->name, sizeof(f->name), "%s", name);
	err = read_xdp(&f->xdp, ifindex);
	if (err)
		return err;
	for (d = XK_TC_INGRESS; d <= XK_TC_EGRESS; d++) {
		err = xk_tc_dump(ifindex, d, &f->tc[d], &f->ntc[d]);
		if (err) {
			f->tc_err[d] = err;
			f->tc[d] = NULL;
			f->ntc[d] = 0;
		}
	}
	*busy = f->xdp.mp || f->ntc[0] || f->ntc[1] || f->tc_err[0] || f->tc_err[1];
	return 0;
}

static int read_ifaces(struct xk_model *m, int ifindex)
{
	struct if_nameindex *all, *it;
	char name[IF_NAMESIZE];
	int cap = 0, err = 0;
	bool busy;

	if (ifindex) {
		if (!if_indextoname(ifindex, name))
			return -ENODEV;
		m->ifs = calloc(1, sizeof(*m->ifs));
		if (!m->ifs)
			return -ENOMEM;
		err = read_iface(&m->ifs[0], ifindex, name, &busy);
		m->nifs = 1;
		return err;
	}
	all = if_nameindex();
	if (!all)
		return -errno;
	for (it = all; it->if_index && !err; it++) {
		err = grow((void **)&m->ifs, &cap, m->nifs, sizeof(*m->ifs));
		if (err)
			break;
		err = read_iface(&m->ifs[m->nifs], it->if_index, it->if_name, &busy);
		if (!err && busy)
			m->nifs++;
		else
			free_iface(&m->ifs[m->nifs]);
	}
	if_freenameindex(all);
	return err;
}

/* ---- pins ---- */

static int read_pins(struct xk_model *m)
{
	struct dirent **ents;
	int i, n = scandir(xk.pin_root, &ents, NULL, alphasort), cap = 0, err = 0;

	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (i = 0; i < n; i++) {
		struct xk_pin *p;
		char path[PATH_MAX];
		__u32 id = 0;

		if (!err && ents[i]->d_type == DT_REG &&
		    snprintf(path, sizeof(path), "%s/%s", xk.pin_root, ents[i]->d_name) <
			    (int)sizeof(path))
			id = xk_pinned_map_id(path);
		if (id && !(err = grow((void **)&m->pins, &cap, m->npins, sizeof(*m->pins)))) {
			p = &m->pins[m->npins++];
			snprintf(p->name, sizeof(p->name), "%s", ents[i]->d_name);
			snprintf(p->path, sizeof(p->path), "%s", path);
			p->map_id = id;
		}
		free(ents[i]);
	}
	free(ents);
	return err;
}

/* ---- the model ---- */

int xk_model_read(struct xk_model *m, unsigned int parts, int ifindex)
{
	int err = 0;

	memset(m, 0, sizeof(*m));
	if (parts & XK_MODEL_PROGS)
		err = read_progs(m);
	if (!err && (parts & XK_MODEL_IFACES))
		err = read_ifaces(m, ifindex);
	if (!err && (parts & XK_MODEL_PINS))
		err = read_pins(m);
	if (err)
		xk_model_free(m);
	return err;
}

void xk_model_free(struct xk_model *m)
{
	int i;

	for (i = 0; i < m->nprogs; i++)
		xk_kprog_free(&m->progs[i]);
	for (i = 0; i < m->nifs; i++)
		free_iface(&m->ifs[i]);
	free(m->progs);
	free(m->ifs);
	free(m->pins);
	memset(m, 0, sizeof(*m));
}

const struct xk_kprog *xk_model_prog(const struct xk_model *m, __u32 id)
{
	int i;

	for (i = 0; i < m->nprogs; i++)
		if (m->progs[i].id == id)
			return &m->progs[i];
	return NULL;
}

const struct xk_iface *xk_model_iface(const struct xk_model *m, int ifindex)
{
	int i;

	for (i = 0; i < m->nifs; i++)
		if (m->ifs[i].ifindex == ifindex)
			return &m->ifs[i];
	return NULL;
}

int xk_model_map_users(const struct xk_model *m, __u32 map_id, const __u32 *skip, int nskip,
		       __u32 *ids, int max)
{
	int i, j, n = 0;

	for (i = 0; i < m->nprogs; i++) {
		for (j = 0; j < nskip && skip[j] != m->progs[i].id; j++)
			;
		if (j < nskip || !xk_kprog_uses(&m->progs[i], map_id))
			continue;
		if (ids && n < max)
			ids[n] = m->progs[i].id;
		n++;
	}
	return n;
}

const struct xk_pin *xk_model_pin_of(const struct xk_model *m, __u32 map_id)
{
	int i;

	for (i = 0; i < m->npins; i++)
		if (m->pins[i].map_id == map_id)
			return &m->pins[i];
	return NULL;
}

bool xk_kprog_named(const struct xk_kprog *p, const char *what)
{
	__u32 id;

	if (!p)
		return false;
	return xk_ref_prog_id(what, &id) ? p->id == id : xk_kname_matches(p->name, what);
}

int xk_model_match(const struct xk_model *m, const char *what, int *idx, int max)
{
	struct xk_attached *at = NULL;
	int i, j, k, found = 0, na;

	for (i = 0; i < m->nprogs && found < max; i++)
		if (xk_kprog_named(&m->progs[i], what))
			idx[found++] = i;
	if (found < 2)
		return found;
	/* A name loaded several times (other namespaces, other tests): the copies attached here
	 * win. */
	na = xk_model_attached(m, &at);
	for (i = 0, k = 0; i < found && na > 0; i++) {
		for (j = 0; j < na && at[j].prog_id != m->progs[idx[i]].id; j++)
			;
		if (j < na)
			idx[k++] = idx[i];
	}
	free(at);
	return k ? k : found;
}

static int add_attached(struct xk_attached **v, int *n, int *cap, const struct xk_iface *f,
			const char *hook, const char *slot, __u32 id, __u32 dispatcher)
{
	struct xk_attached *a;
	int err = grow((void **)v, cap, *n, sizeof(**v));

	if (err)
		return err;
	a = &(*v)[(*n)++];
	memset(a, 0, sizeof(*a));
	snprintf(a->ifname, sizeof(a->ifname), "%s", f->name);
	a->ifindex = f->ifindex;
	snprintf(a->hook, sizeof(a->hook), "%s", hook);
	snprintf(a->slot, sizeof(a->slot), "%s", slot);
	a->prog_id = id;
	a->dispatcher = dispatcher;
	return 0;
}

int xk_model_attached(const struct xk_model *m, struct xk_attached **out)
{
	struct xk_attached *v = NULL;
	char hook[32], slot[48];
	int i, j, d, n = 0, cap = 0, err = 0;

	for (i = 0; i < m->nifs && !err; i++) {
		const struct xk_iface *f = &m->ifs[i];

		snprintf(hook, sizeof(hook), "xdp %s", xk_xdp_mode_name(f->xdp.mode));
		for (j = 0; j < f->xdp.nslots && !err; j++) {
			snprintf(slot, sizeof(slot), "%d",
				 f->xdp.slots[j].pos ? f->xdp.slots[j].pos : 1);
			err = add_attached(&v, &n, &cap, f, hook, slot, f->xdp.slots[j].id,
					   f->xdp.dispatcher ? f->xdp.main_id : 0);
		}
		for (d = XK_TC_INGRESS; d <= XK_TC_EGRESS && !err; d++) {
			snprintf(hook, sizeof(hook), "tc %s", xk_tc_dir_name(d));
			for (j = 0; j < f->ntc[d] && !err; j++) {
				if (!f->tc[d][j].prog_id)
					continue;
				snprintf(slot, sizeof(slot), "prio %u handle %u", f->tc[d][j].prio,
					 f->tc[d][j].handle);
				err = add_attached(&v, &n, &cap, f, hook, slot, f->tc[d][j].prog_id,
						   0);
			}
		}
	}
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	return n;
}
