// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: the verifier log reader of `xdpkit check` (manager/verifier_explain.c).
 * Properties: every field it fills is a terminated string within its array, at most
 * XK_VLOG_MSG_LINES message lines, and a class only from the table. Slow inputs show as
 * libFuzzer timeouts (the reader is linear). */
#include "../../manager/verifier_explain.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_vlog: %s failed at line %d\n", #cond, __LINE__);     \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *log = malloc(size + 1);
	struct xk_vlog v;
	int i;

	CHECK(log);
	memcpy(log, data, size);
	log[size] = '\0';
	xk_vlog_parse(log, &v);
	CHECK(memchr(v.src_file, '\0', sizeof(v.src_file)));
	CHECK(memchr(v.src_text, '\0', sizeof(v.src_text)));
	CHECK(memchr(v.insn, '\0', sizeof(v.insn)));
	CHECK(v.msg_lines >= 0 && v.msg_lines <= XK_VLOG_MSG_LINES);
	for (i = 0; i < v.msg_lines; i++)
		CHECK(memchr(v.msg[i], '\0', sizeof(v.msg[i])) && v.msg[i][0]);
	if (v.cls) {
		for (i = 0; xk_vclasses[i].id && &xk_vclasses[i] != v.cls; i++)
			;
		CHECK(xk_vclasses[i].id);
	}
	CHECK(v.processed >= -1);
	free(log);
	return 0;
}
