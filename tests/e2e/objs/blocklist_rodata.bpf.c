// SPDX-License-Identifier: GPL-2.0
/* blocklist rebuilt with one read-only variable more, for the attach tests: the same
 * instructions (the same tag), other .rodata; a program reads its .rodata as constants, so it is
 * another program all the same. */
#include "../../../progs/blocklist.bpf.c"

const volatile __u32 xk_test_build = 2;
