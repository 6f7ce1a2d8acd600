/* SPDX-License-Identifier: GPL-2.0-only */
/* The one number parser of the manager's text input: map keys and values, `id N`, PROG ids. Strict:
 * digits only, so "0x0x50", "-1" for an id, " 5", "+5" and "5k" are refused, never half-read. */
#ifndef XDPKIT_NUMBER_H
#define XDPKIT_NUMBER_H

#include <linux/types.h>
#include <stddef.h>

/* Forms accepted: decimal always ("010" is ten: no octal); hex after 0x/0X with XK_NUM_HEX. */
#define XK_NUM_DEC 0
#define XK_NUM_HEX 1

/* An unsigned integer from the len bytes at s (no NUL needed), at most max. Returns 0, -EINVAL
 * when the text is not such a number, or -ERANGE when it is one above max. */
int xk_num_u64(const char *s, size_t len, int flags, __u64 max, __u64 *v);
/* The same with an optional leading '-', within [min, max]. */
int xk_num_s64(const char *s, size_t len, int flags, __s64 min, __s64 max, __s64 *v);

/* A whole command-line word (NUL-terminated): decimal or 0x hex, in [min, max]. 0, -EINVAL or
 * -ERANGE, as above. Options' numbers (--prio, --id, --count, ...) all come through here. */
int xk_num_word(const char *s, __u64 min, __u64 max, __u64 *v);

#endif
