// SPDX-License-Identifier: GPL-2.0-only
/* Strict integer parsing (see number.h): a digit loop of our own rather than strtoull, which skips
 * blanks, takes a sign and wraps it ("-1" is 2^64 - 1), and reads a second "0x" after ours. */
#include "number.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static int digit(char c, unsigned int base)
{
	unsigned int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < base ? (int)d : -1;
}

int xk_num_u64(const char *s, size_t len, int flags, __u64 max, __u64 *v)
{
	unsigned int base = 10;
	__u64 n = 0;
	size_t i = 0;
	int over = 0;

	if ((flags & XK_NUM_HEX) && len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i >= len)
		return -EINVAL;
	for (; i < len; i++) {
		int d = digit(s[i], base);

		if (d < 0)
			return -EINVAL;
		if (n > (UINT64_MAX - d) / base)
			over = 1; /* keep reading: "99999999999999999999x" is not a number at all */
		else
			n = n * base + d;
	}
	if (over || n > max)
		return -ERANGE;
	*v = n;
	return 0;
}

int xk_num_s64(const char *s, size_t len, int flags, __s64 min, __s64 max, __s64 *v)
{
	__u64 u;
	int err;

	if (len && s[0] == '-') {
		err = xk_num_u64(s + 1, len - 1, flags, (__u64)INT64_MAX + 1, &u);
		if (err)
			return err;
		if (!u) {
			*v = 0;
			return 0 >= min && 0 <= max ? 0 : -ERANGE;
		}
		if ((__s64)(u - 1) > -(min + 1)) /* -u < min, written without overflow */
			return -ERANGE;
		*v = -(__s64)(u - 1) - 1;
		return *v <= max ? 0 : -ERANGE;
	}
	err = xk_num_u64(s, len, flags, UINT64_MAX, &u);
	if (err)
		return err;
	if (max < 0 || u > (__u64)max || (__s64)u < min)
		return -ERANGE;
	*v = (__s64)u;
	return 0;
}

int xk_num_word(const char *s, __u64 min, __u64 max, __u64 *v)
{
	__u64 n;
	int err = xk_num_u64(s, strlen(s), XK_NUM_HEX, max, &n);

	if (err)
		return err;
	if (n < min)
		return -ERANGE;
	*v = n;
	return 0;
}
