// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the manager's one number parser (manager/number.c). */
#include "harness.h"
#include "../../manager/number.h"

#include <errno.h>
#include <stdint.h>

static int u64(const char *s, int flags, __u64 max, __u64 *v)
{
	return xk_num_u64(s, strlen(s), flags, max, v);
}

static int s64(const char *s, __s64 min, __s64 max, __s64 *v)
{
	return xk_num_s64(s, strlen(s), XK_NUM_HEX, min, max, v);
}

UT_TEST(number_unsigned)
{
	static const char *const bad[] = { "",	 "0x",	"0x0x50", "-1", "+1", " 1",  "1 ",
					   "1k", "0b1", "1.0",	  "x1", "0X", "\t7", "0x-1" };
	__u64 v = 99;
	size_t i;

	ASSERT_OK(u64("0", XK_NUM_DEC, UINT64_MAX, &v));
	ASSERT_EQ(v, 0);
	ASSERT_OK(u64("010", XK_NUM_DEC, UINT64_MAX, &v));
	ASSERT_EQ(v, 10); /* no octal */
	ASSERT_OK(u64("18446744073709551615", XK_NUM_DEC, UINT64_MAX, &v));
	ASSERT_EQ(v, UINT64_MAX);
	ASSERT_EQ(u64("18446744073709551616", XK_NUM_DEC, UINT64_MAX, &v), -ERANGE);
	ASSERT_EQ(u64("99999999999999999999999", XK_NUM_DEC, UINT64_MAX, &v), -ERANGE);
	ASSERT_EQ(u64("99999999999999999999999x", XK_NUM_DEC, UINT64_MAX, &v), -EINVAL);
	ASSERT_OK(u64("0x50", XK_NUM_HEX, UINT64_MAX, &v));
	ASSERT_EQ(v, 80);
	ASSERT_OK(u64("0XfF", XK_NUM_HEX, 255, &v));
	ASSERT_EQ(v, 255);
	ASSERT_EQ(u64("0x100", XK_NUM_HEX, 255, &v), -ERANGE);
	ASSERT_EQ(u64("0x50", XK_NUM_DEC, UINT64_MAX, &v), -EINVAL);
	ASSERT_EQ(u64("ff", XK_NUM_HEX, UINT64_MAX, &v), -EINVAL); /* hex needs its 0x */
	ASSERT_OK(u64("4294967295", XK_NUM_DEC, UINT32_MAX, &v));
	/* what strtoul turned into map id 12 */
	ASSERT_EQ(u64("-18446744073709551604", XK_NUM_DEC, UINT32_MAX, &v), -EINVAL);
	ASSERT_EQ(u64("4294967308", XK_NUM_DEC, UINT32_MAX, &v), -ERANGE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42;
		ut_context("'%s'", bad[i]);
		ASSERT_EQ(u64(bad[i], XK_NUM_HEX, UINT64_MAX, &v), -EINVAL);
		ASSERT_EQ(v, 42); /* untouched on a refusal */
	}
	ut_context(NULL);
	/* the length bounds the text: no NUL needed, none read past */
	ASSERT_OK(xk_num_u64("123456", 3, XK_NUM_DEC, UINT64_MAX, &v));
	ASSERT_EQ(v, 123);
	ASSERT_EQ(xk_num_u64("12\0"
			     "3",
			     4, XK_NUM_DEC, UINT64_MAX, &v),
		  -EINVAL);
}

UT_TEST(number_signed)
{
	__s64 v = 0;

	ASSERT_OK(s64("-9223372036854775808", INT64_MIN, INT64_MAX, &v));
	ASSERT_EQ(v, INT64_MIN);
	ASSERT_OK(s64("9223372036854775807", INT64_MIN, INT64_MAX, &v));
	ASSERT_EQ(v, INT64_MAX);
	ASSERT_EQ(s64("-9223372036854775809", INT64_MIN, INT64_MAX, &v), -ERANGE);
	ASSERT_EQ(s64("9223372036854775808", INT64_MIN, INT64_MAX, &v), -ERANGE);
	ASSERT_OK(s64("-0x80", -128, 127, &v));
	ASSERT_EQ(v, -128);
	ASSERT_EQ(s64("-129", -128, 127, &v), -ERANGE);
	ASSERT_EQ(s64("128", -128, 127, &v), -ERANGE);
	ASSERT_OK(s64("-0", -128, 127, &v));
	ASSERT_EQ(v, 0);
	ASSERT_EQ(s64("-1", 0, 10, &v), -ERANGE);
	ASSERT_EQ(s64("--1", -10, 10, &v), -EINVAL);
	ASSERT_EQ(s64("-", -10, 10, &v), -EINVAL);
	ASSERT_EQ(s64("- 1", -10, 10, &v), -EINVAL);
}
