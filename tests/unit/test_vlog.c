// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the verifier log reader (manager/verifier_explain.c): a log as big as `xdpkit
 * check` reads (8 MiB) gives the right verdict. It used to take seconds (sscanf measured the rest
 * of the log at every line); the linear reader is the fix, so this asserts on the result only. */
#include "harness.h"
#include "../../manager/verifier_explain.h"

#include <stdlib.h>

UT_TEST(vlog_8mib_log)
{
	size_t cap = 8u << 20, off = 0;
	char *log = malloc(cap + 256);
	struct xk_vlog v;
	int i = 0;

	if (!ASSERT_TRUE(log))
		return;
	/* a long run of annotated instructions with their states, as level 1 prints a path */
	while (off + 160 < cap) {
		off += sprintf(log + off,
			       "; a = p->message[%d]; @ big.bpf.c:%d\n"
			       "%d: (71) r0 = *(u8 *)(r0 +0)\n"
			       "%d: R0=map_value(off=0,ks=4,vs=16,imm=0) R10=fp0\n",
			       i % 7, i % 1000 + 1, i, i);
		i++;
	}
	off += sprintf(log + off, "R0 invalid mem access 'map_value_or_null'\n"
				  "processed 123456 insns (limit 1000000) max_states_per_insn 4\n");
	ASSERT_TRUE(off >= (8u << 20) - 160);
	xk_vlog_parse(log, &v);
	ASSERT_EQ(v.processed, 123456);
	ASSERT_EQ(v.src_line, (i - 1) % 1000 + 1);
	ASSERT_TRUE(!strcmp(v.src_file, "big.bpf.c"));
	ASSERT_EQ(v.msg_lines, 1);
	ASSERT_TRUE(!strcmp(v.msg[0], "R0 invalid mem access 'map_value_or_null'"));
	ASSERT_TRUE(v.cls && !strcmp(v.cls->id, "map-null"));
	free(log);
}

UT_TEST(vlog_processed_line)
{
	struct xk_vlog v;

	xk_vlog_parse("0: (b7) r0 = 0\n1: (95) exit\nprocessed 2 insns (limit 1000000)\n", &v);
	ASSERT_EQ(v.processed, 2);
	xk_vlog_parse("processed 2insns\n", &v); /* not the statistics line */
	ASSERT_EQ(v.processed, -1);
	xk_vlog_parse("processed x insns\n", &v);
	ASSERT_EQ(v.processed, -1);
	xk_vlog_parse("processed 7 insns", &v); /* no newline at the end */
	ASSERT_EQ(v.processed, 7);
	xk_vlog_parse("", &v);
	ASSERT_EQ(v.processed, -1);
	ASSERT_EQ(v.msg_lines, 0);
}
