/* SPDX-License-Identifier: GPL-2.0-only */
/* A small streaming JSON writer, so plain and JSON output come from the same walk (as bpftool's json_writer). */
#ifndef XDPKIT_JSON_H
#define XDPKIT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct jw;

struct jw *jw_new(FILE *f);
void jw_free(struct jw *w); /* ends the line */
void jw_obj_start(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_start(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);
void jw_uint(struct jw *w, uint64_t v);
void jw_int(struct jw *w, int64_t v);
void jw_float(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Already formatted JSON (a number or a nested value made elsewhere). */
void jw_raw(struct jw *w, const char *s);

/* key + value in one call */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_kuint(struct jw *w, const char *key, uint64_t v);
void jw_kint(struct jw *w, const char *key, int64_t v);
void jw_kbool(struct jw *w, const char *key, bool v);

#endif
