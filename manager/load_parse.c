// SPDX-License-Identifier: GPL-2.0-only
/* Reading the lines of a `map load` file (see load_parse.h). One pass, no copy of the text: keys
 * and values are parsed from their place in the buffer by the bulk parser of btf_parse.c. */
#include "load_parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* isspace() of the C locale, without the call. */
static inline bool blank(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The usual line of a long list: an IPv4 address alone, ended by a newline (or the text). The
 * address in key and the next line's start, or NULL for any other line, which the general path
 * then reads: the bytes are the same either way. */
static const char *ipv4_line(const char *p, const char *end, __u8 *key)
{
	const char *s = p;

	while (s < end && ((*s >= '0' && *s <= '9') || *s == '.'))
		s++;
	if ((s < end && *s != '\n') || !xk_fast_ipv4(p, s - p, key))
		return NULL;
	return s < end ? s + 1 : end;
}

void xk_load_entries_free(struct xk_load_entries *e)
{
	free(e->keys);
	free(e->vals);
	*e = (struct xk_load_entries){ 0 };
}

/* Keys and values land in two arrays sized by the line count, zeroed by calloc (fresh pages)
 * rather than line by line. */
int xk_load_parse(const struct xk_load_map *m, const char *buf, size_t len,
		  struct xk_load_entries *e, size_t *line, char *err, size_t errlen)
{
	size_t ks = m->key_size, vs = m->value_size, lines = 1, lineno = 0, i;
	const char *p, *end = buf + len, *nl;
	struct xk_parser kp, vp;
	char msg[512], tname[128];
	/* One search of the whole text instead of one per line: files have no NUL, as a rule. */
	bool nul_free = !memchr(buf, '\0', len), ipv4;

	*e = (struct xk_load_entries){ 0 };
	*line = 0;
	/* A plain loop the compiler vectorises: one memchr call per short line cost more than the
	 * rest of the parse. */
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	e->keys = calloc(lines, ks ? ks : 1);
	e->vals = calloc(lines, vs ? vs : 1);
	if (!e->keys || !e->vals)
		return -ENOMEM;
	xk_parser_init(&kp, m->key);
	xk_parser_init(&vp, m->value);
	ipv4 = xk_parser_is_ipv4(&kp) && ks == 4 && !m->index_max;

	for (p = buf; p < end; lineno++) {
		const char *start = p, *s = p, *le, *hash, *k, *v, *nul, *next;
		__u8 *key = e->keys + e->n * ks;

		if (ipv4 && (next = ipv4_line(p, end, key))) {
			p = next;
			e->n++;
			continue;
		}
		*line = lineno + 1;
		/* One pass over the line: blanks, the key (a word), then the rest. '#' starts a
		 * comment at the start of a line or after a blank; no typed form contains one. */
		while (s < end && *s != '\n' && blank(*s))
			s++;
		for (k = s; k < end && !blank(*k); k++)
			;
		nl = k < end && *k == '\n' ? k : memchr(k, '\n', end - k);
		le = nl ? nl : end;
		p = nl ? nl + 1 : end;
		/* A NUL ends the text for every C string function: a word would be cut without a
		 * word said. */
		nul = nul_free ? NULL : memchr(start, '\0', le - start);
		if (nul) {
			snprintf(err, errlen,
				 "a NUL byte at column %zu; the file must be text, one 'KEY [VALUE]' "
				 "a line",
				 (size_t)(nul - start) + 1);
			return -EINVAL;
		}
		if (s == k || *s == '#')
			continue;
		for (hash = k < le ? memchr(k, '#', le - k) : NULL; hash;
		     hash = memchr(hash + 1, '#', le - hash - 1))
			if (blank(hash[-1])) {
				le = hash;
				break;
			}
		while (le > k && blank(le[-1]))
			le--;
		for (v = k; v < le && blank(*v); v++)
			;
		if (xk_parser_run(&kp, s, k - s, key, msg, sizeof(msg))) {
			xk_type_name(m->key, tname, sizeof(tname));
			snprintf(err, errlen, "key for map %s (%s): %s", m->name, tname, msg);
			return -EINVAL;
		}
		if (m->index_max && ks == 4) {
			__u32 idx;

			memcpy(&idx, key, 4);
			if (idx >= m->index_max) {
				snprintf(err, errlen,
					 "key %.*s: map %s is an array with indexes 0-%u",
					 (int)(k - s > 64 ? 64 : k - s), s, m->name,
					 m->index_max - 1);
				return -EINVAL;
			}
		}
		if (v < le &&
		    xk_parser_run(&vp, v, le - v, e->vals + e->n * vs, msg, sizeof(msg))) {
			xk_type_name(m->value, tname, sizeof(tname));
			snprintf(err, errlen, "value for map %s (%s): %s", m->name, tname, msg);
			return -EINVAL;
		}
		e->valued |= v < le;
		e->n++;
	}
	return 0;
}
