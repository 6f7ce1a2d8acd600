// SPDX-License-Identifier: GPL-2.0-only
/* Reading an apply file: YAML through libyaml's document API, every node checked against the
 * schema with the line it came from, so a bad file is one line "FILE:LINE: what is wrong". */
#include "apply.h"
#include "xdpkit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

/* Where "FILE:LINE: ..." lines go: stderr, or the fuzzer's buffer (tests/fuzz/fuzz_apply_conf.c). */
static FILE *errors;

void xk_conf_errors_to(FILE *f)
{
	errors = f;
}

static FILE *err_out(void)
{
	return errors ? errors : stderr;
}

struct rd {
	const char *path;
	yaml_document_t doc;
	struct xk_conf *c;
};

static int line_of(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

static int bad(const struct rd *r, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void xk_conf_error(const char *file, int line, const char *fmt, ...)
{
	char msg[1024], *c;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One line, whatever the file's text held (a quoted scalar may carry line breaks). */
	for (c = msg; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			*c = '?';
	if (!errors && xk.json)
		xk_error(XK_EXIT_USAGE, "%s:%d: %s", file, line, msg); /* {"error": ...} */
	else
		fprintf(err_out(), "%s:%d: %s\n", file, line, msg);
}

static int bad(const struct rd *r, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xk_conf_error(r->path, line_of(n), "%s", msg);
	return XK_EXIT_USAGE;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const char *kind(const yaml_node_t *n)
{
	if (!n)
		return "nothing";
	return n->type == YAML_SCALAR_NODE     ? "a single value"
	       : n->type == YAML_SEQUENCE_NODE ? "a list"
					       : "a mapping";
}

static yaml_node_t *node(const struct rd *r, int id)
{
	return yaml_document_get_node((yaml_document_t *)&r->doc, id);
}

/* Each key/value pair of a mapping node: k the key's node, v the value's. */
#define for_each_pair(r, map, k, v, pair)                                                          \
	for (pair = (map)->data.mapping.pairs.start;                                               \
	     pair < (map)->data.mapping.pairs.top &&                                               \
	     ((k = node(r, pair->key)), (v = node(r, pair->value)), 1);                            \
	     pair++)

static int want_type(const struct rd *r, const yaml_node_t *n, yaml_node_type_t t, const char *what)
{
	static const char *names[] = {
		[YAML_SCALAR_NODE] = "a single value",
		[YAML_SEQUENCE_NODE] = "a list",
		[YAML_MAPPING_NODE] = "a mapping",
	};

	if (n && n->type == t)
		return 0;
	return bad(r, n, "%s must be %s, not %s", what, names[t], kind(n));
}

static int number(const struct rd *r, const yaml_node_t *n, const char *what, long min, long max,
		  long *out)
{
	const char *s = scalar(n);
	char *end;

	if (!s)
		return bad(r, n, "%s must be a number, not %s", what, kind(n));
	errno = 0;
	*out = strtol(s, &end, 0);
	if (errno || !*s || *end || *out < min || *out > max)
		return bad(r, n, "%s '%s' is not a number from %ld to %ld", what, s, min, max);
	return 0;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* The checks of xk_resolve_object, quiet, so the error names the file's line. */
static int program_word(const struct rd *r, const yaml_node_t *n, char **out)
{
	const char *w = scalar(n);
	char path[4096];

	if (!w || !*w)
		return bad(r, n, "a program must be a collection name or an object path, not %s",
			   w ? "empty" : kind(n));
	if (strchr(w, '/') || strstr(w, ".o")) {
		if (!file_exists(w))
			return bad(r, n, "unknown program '%s': no such object file", w);
	} else {
		snprintf(path, sizeof(path), "%s/%s.bpf.o", xk.prog_dir ? xk.prog_dir : ".", w);
		if (!file_exists(path))
			return bad(r, n,
				   "unknown program '%s': not in the collection (%s; see 'xdpkit list') nor an object path",
				   w, xk.prog_dir ? xk.prog_dir : "no program directory");
	}
	*out = strdup(w);
	return *out ? 0 : -ENOMEM;
}

/* A hook's list: each item a program word or {program: WORD, prio: N}. */
static int read_progs(struct rd *r, yaml_node_t *seq, struct xk_conf_hook *h, int hook)
{
	yaml_node_item_t *it;
	int err, d;

	err = want_type(r, seq, YAML_SEQUENCE_NODE, "a hook's programs");
	if (err)
		return err;
	if (h->listed)
		return bad(r, seq, "%s is given twice (also line %d)", xk_hook_name(hook), h->line);
	h->listed = true;
	h->line = line_of(seq);
	h->progs = calloc(seq->data.sequence.items.top - seq->data.sequence.items.start + 1,
			  sizeof(*h->progs));
	if (!h->progs)
		return -ENOMEM;
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *item = node(r, *it), *k, *v, *word = NULL;
		struct xk_conf_prog *p = &h->progs[h->n];
		yaml_node_pair_t *pair;

		p->prio = -1;
		p->line = line_of(item);
		if (item->type == YAML_MAPPING_NODE) {
			for_each_pair(r, item, k, v, pair)
			{
				const char *key = scalar(k);

				if (key && !strcmp(key, "program"))
					word = v;
				else if (key && !strcmp(key, "prio"))
					err = number(r, v, "prio", hook == XK_HOOK_XDP ? 0 : 1,
						     65535, &p->prio);
				else
					return bad(r, k,
						   "unknown field '%s' in a program; use program, prio",
						   key ? key : "?");
				if (err)
					return err;
			}
			if (!word)
				return bad(r, item,
					   "a program given as a mapping needs 'program: NAME'");
		} else {
			word = item;
		}
		err = program_word(r, word, &p->word);
		if (err)
			return err;
		for (d = 0; d < h->n; d++)
			if (!strcmp(h->progs[d].word, p->word)) {
				free(p->word);
				p->word = NULL;
				return bad(r, word,
					   "program '%s' is listed twice on this hook (also line %d)",
					   h->progs[d].word, h->progs[d].line);
			}
		h->n++;
	}
	return 0;
}

static int read_xdp(struct rd *r, yaml_node_t *n, struct xk_conf_iface *f)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k, *v;
	bool progs = false;
	int err;

	if (n->type == YAML_SEQUENCE_NODE)
		return read_progs(r, n, &f->hook[XK_HOOK_XDP], XK_HOOK_XDP);
	err = want_type(r, n, YAML_MAPPING_NODE, "xdp");
	if (err)
		return err;
	for_each_pair(r, n, k, v, pair)
	{
		const char *key = scalar(k), *s = scalar(v);

		if (key && !strcmp(key, "mode")) {
			f->mode_set = true;
			if (s && (!strcmp(s, "native") || !strcmp(s, "drv")))
				f->mode = XDP_MODE_NATIVE;
			else if (s && (!strcmp(s, "skb") || !strcmp(s, "generic")))
				f->mode = XDP_MODE_SKB;
			else
				return bad(r, v, "mode '%s' is not an XDP mode; use native or skb",
					   s ? s : kind(v));
		} else if (key && !strcmp(key, "programs")) {
			progs = true;
			err = read_progs(r, v, &f->hook[XK_HOOK_XDP], XK_HOOK_XDP);
			if (err)
				return err;
		} else {
			return bad(r, k, "unknown field '%s' under xdp; use mode, programs",
				   key ? key : "?");
		}
	}
	if (!progs)
		return bad(r, n,
			   "xdp needs 'programs: [...]' (an empty list removes every XDP program)");
	return 0;
}

static int read_tc(struct rd *r, yaml_node_t *n, struct xk_conf_iface *f)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k, *v;
	int err;

	err = want_type(r, n, YAML_MAPPING_NODE, "tc");
	if (err)
		return err;
	for_each_pair(r, n, k, v, pair)
	{
		const char *key = scalar(k);
		int dir = !key ? -1 : !strcmp(key, "ingress") ? 0 : !strcmp(key, "egress") ? 1 : -1;

		if (dir < 0)
			return bad(r, k, "unknown field '%s' under tc; use ingress, egress",
				   key ? key : "?");
		err = read_progs(r, v, &f->hook[dir ? XK_HOOK_EGRESS : XK_HOOK_INGRESS],
				 dir ? XK_HOOK_EGRESS : XK_HOOK_INGRESS);
		if (err)
			return err;
	}
	return 0;
}

static int read_iface(struct rd *r, yaml_node_t *k, yaml_node_t *n, struct xk_conf_iface *f)
{
	const char *name = scalar(k);
	yaml_node_pair_t *pair;
	yaml_node_t *fk, *v;
	int err;

	if (!name || !*name || strlen(name) >= IF_NAMESIZE || strchr(name, '/') ||
	    strchr(name, ' '))
		return bad(r, k, "'%s' is not an interface name", name ? name : kind(k));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->line = line_of(k);
	if (n->type == YAML_SCALAR_NODE && !*scalar(n))
		return 0; /* "eth0:" alone: listed, no hook */
	err = want_type(r, n, YAML_MAPPING_NODE, "an interface");
	if (err)
		return err;
	for_each_pair(r, n, fk, v, pair)
	{
		const char *key = scalar(fk);

		if (key && !strcmp(key, "xdp"))
			err = read_xdp(r, v, f);
		else if (key && !strcmp(key, "tc"))
			err = read_tc(r, v, f);
		else if (key && !strcmp(key, "netns")) {
			if (!scalar(v) || !*scalar(v))
				return bad(r, v,
					   "netns must name a network namespace (as 'ip netns list' shows)");
			if (f->netns)
				return bad(r, fk, "netns is given twice under interface %s", name);
			f->netns = strdup(scalar(v));
		} else
			return bad(r, fk,
				   "unknown field '%s' under interface %s; use xdp, tc, netns",
				   key ? key : "?", name);
		if (err)
			return err;
	}
	return 0;
}

static int read_map(struct rd *r, yaml_node_t *k, yaml_node_t *n, struct xk_conf_map *m)
{
	const char *name = scalar(k);
	yaml_node_pair_t *pair;
	yaml_node_item_t *it;
	yaml_node_t *fk, *v;
	long cap;
	int err;

	if (!name || !*name || strchr(name, '/') || strlen(name) > 255)
		return bad(r, k, "'%s' is not a map name", name ? name : kind(k));
	m->name = strdup(name);
	m->line = line_of(k);
	err = want_type(r, n, YAML_MAPPING_NODE, "a map");
	if (err)
		return err;
	for_each_pair(r, n, fk, v, pair)
	{
		const char *key = scalar(fk);

		if (key && !strcmp(key, "entries")) {
			if (m->has_entries)
				return bad(r, fk,
					   "map %s has entries or file twice; give one of them once",
					   name);
			err = want_type(r, v, YAML_SEQUENCE_NODE, "entries");
			if (err)
				return err;
			m->has_entries = true;
			m->entries = calloc(v->data.sequence.items.top -
						    v->data.sequence.items.start + 1,
					    sizeof(*m->entries));
			if (!m->entries)
				return -ENOMEM;
			for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
			     it++) {
				yaml_node_t *e = node(r, *it);

				if (!scalar(e) || !*scalar(e))
					return bad(r, e,
						   "an entry of map %s must be \"KEY [VALUE]\", not %s",
						   name, scalar(e) ? "empty" : kind(e));
				m->entries[m->n].text = strdup(scalar(e));
				if (!m->entries[m->n].text)
					return -ENOMEM;
				m->entries[m->n].file = r->path;
				m->entries[m->n++].line = line_of(e);
			}
		} else if (key && !strcmp(key, "file")) {
			if (m->has_entries)
				return bad(r, fk,
					   "map %s has entries or file twice; give one of them once",
					   name);
			if (!scalar(v) || !*scalar(v))
				return bad(r, v,
					   "file must be a path to a file in 'xdpkit map load' format");
			if (!file_exists(scalar(v)))
				return bad(r, v, "rules file '%s' does not exist", scalar(v));
			m->has_entries = true;
			m->file = strdup(scalar(v));
		} else if (key && !strcmp(key, "capacity")) {
			err = number(r, v, "capacity", 1, 0xffffffffL, &cap);
			if (err)
				return err;
			m->capacity = cap;
			m->cap_line = line_of(v);
		} else {
			return bad(r, fk,
				   "unknown field '%s' under map %s; use entries, file, capacity",
				   key ? key : "?", name);
		}
	}
	return 0;
}

static int read_root(struct rd *r)
{
	yaml_node_t *root = yaml_document_get_root_node(&r->doc), *k, *v, *ik, *iv;
	yaml_node_pair_t *pair, *ip;
	struct xk_conf *c = r->c;
	int err, i;

	if (!root)
		return 0; /* an empty file: nothing listed, nothing to do */
	err = want_type(r, root, YAML_MAPPING_NODE, "the file");
	if (err)
		return err;
	for_each_pair(r, root, k, v, pair)
	{
		const char *key = scalar(k);
		bool ifs = key && !strcmp(key, "interfaces");

		if (!ifs && !(key && !strcmp(key, "maps")))
			return bad(r, k, "unknown field '%s'; the file has interfaces and maps",
				   key ? key : "?");
		if (v->type == YAML_SCALAR_NODE && !*scalar(v))
			continue;
		err = want_type(r, v, YAML_MAPPING_NODE, key);
		if (err)
			return err;
		i = v->data.mapping.pairs.top - v->data.mapping.pairs.start;
		if (ifs ? !!c->ifs : !!c->maps)
			return bad(r, k, "%s is given twice", key);
		if (ifs) {
			c->ifs = calloc(i + 1, sizeof(*c->ifs));
			if (!c->ifs)
				return -ENOMEM;
			for_each_pair(r, v, ik, iv, ip)
			{
				err = read_iface(r, ik, iv, &c->ifs[c->nifs++]);
				if (err)
					return err;
			}
		} else {
			c->maps = calloc(i + 1, sizeof(*c->maps));
			if (!c->maps)
				return -ENOMEM;
			for_each_pair(r, v, ik, iv, ip)
			{
				err = read_map(r, ik, iv, &c->maps[c->nmaps++]);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

/* Names given twice (YAML allows duplicate keys; the second would silently win). */
static int duplicates(struct rd *r)
{
	struct xk_conf *c = r->c;
	int i, j;

	for (i = 0; i < c->nifs; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(c->ifs[i].name, c->ifs[j].name)) {
				xk_conf_error(r->path, c->ifs[i].line,
					      "interface %s is listed twice (also line %d)",
					      c->ifs[i].name, c->ifs[j].line);
				return XK_EXIT_USAGE;
			}
	for (i = 0; i < c->nmaps; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(c->maps[i].name, c->maps[j].name)) {
				xk_conf_error(r->path, c->maps[i].line,
					      "map %s is listed twice (also line %d)",
					      c->maps[i].name, c->maps[j].line);
				return XK_EXIT_USAGE;
			}
	return 0;
}

int xk_conf_read_stream(FILE *f, const char *path, struct xk_conf *c)
{
	struct rd r = { .path = path, .c = c };
	yaml_parser_t parser;
	int err;

	memset(c, 0, sizeof(*c));
	c->path = path;
	if (!yaml_parser_initialize(&parser))
		return xk_error(XK_EXIT_FAIL, "out of memory");
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &r.doc)) {
		xk_conf_error(path,
			      (int)(parser.problem_mark.line ? parser.problem_mark.line
							     : parser.context_mark.line) +
				      1,
			      "YAML syntax: %s%s%s", parser.problem ? parser.problem : "unreadable",
			      parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return XK_EXIT_USAGE;
	}
	err = read_root(&r);
	if (!err)
		err = duplicates(&r);
	if (err == -ENOMEM)
		err = xk_error(XK_EXIT_FAIL, "out of memory reading %s", path);
	yaml_document_delete(&r.doc);
	yaml_parser_delete(&parser);
	return err;
}

int xk_conf_read(const char *path, struct xk_conf *c)
{
	FILE *f = fopen(path, "rb");
	int err;

	memset(c, 0, sizeof(*c));
	if (!f)
		return xk_error(XK_EXIT_NOTFOUND, "cannot read '%s': %s; check the path", path,
				strerror(errno));
	err = xk_conf_read_stream(f, path, c);
	fclose(f);
	return err;
}

void xk_conf_free(struct xk_conf *c)
{
	int i, h, j;
	size_t e;

	for (i = 0; i < c->nifs; i++) {
		free(c->ifs[i].netns);
		for (h = 0; h < XK_NHOOKS; h++) {
			for (j = 0; j < c->ifs[i].hook[h].n; j++)
				free(c->ifs[i].hook[h].progs[j].word);
			free(c->ifs[i].hook[h].progs);
		}
	}
	for (i = 0; i < c->nmaps; i++) {
		for (e = 0; e < c->maps[i].n; e++)
			free(c->maps[i].entries[e].text);
		free(c->maps[i].entries);
		free(c->maps[i].name);
		free(c->maps[i].file);
	}
	free(c->ifs);
	free(c->maps);
	memset(c, 0, sizeof(*c));
}

const char *xk_hook_name(int hook)
{
	return hook == XK_HOOK_XDP ? "xdp" : hook == XK_HOOK_INGRESS ? "tc ingress" : "tc egress";
}
