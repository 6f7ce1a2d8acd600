// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: the MAP argument of `xdpkit map` (manager/mapref_parse.c) and the name
 * matching it leads to. The input is split into argv words at NUL bytes. Properties: a form is
 * chosen or one sentence says why not; `id N` is a decimal u32 that prints back as typed (no
 * sign, no wrap); PROG/MAPNAME splits at its one '/'. */
#include "../../manager/mapref_parse.h"
#include "../../manager/number.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_mapref: %s failed at line %d\n", #cond, __LINE__);   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), **argv = calloc(size + 2, sizeof(char *)), err[512];
	int argc = 0, argi = 0, ret;
	struct xk_ref r;
	size_t i;
	__u32 id;

	CHECK(buf && argv);
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = buf;
	for (i = 0; i < size; i++)
		if (!buf[i])
			argv[argc++] = buf + i + 1;
	while (argi < argc) {
		int before = argi;

		err[0] = '\0';
		ret = xk_ref_parse(argc, argv, &argi, &r, err, sizeof(err));
		CHECK(argi > before && argi <= argc);
		if (ret) {
			CHECK(ret == -EINVAL && err[0]);
			continue;
		}
		switch (r.kind) {
		case XK_REF_ID: {
			char back[16];

			CHECK(!strcmp(argv[before], "id") && r.id);
			snprintf(back, sizeof(back), "%" PRIu32, r.id);
			/* the same number, leading zeros aside */
			CHECK(!strcmp(back, r.text + strspn(r.text, "0")));
			break;
		}
		case XK_REF_PIN:
			CHECK(r.text[0] == '/');
			break;
		case XK_REF_PROG:
			CHECK(r.prog[0] && r.map[0] && !strchr(r.map, '/'));
			CHECK(strlen(r.prog) + 1 + strlen(r.map) == strlen(r.text));
			CHECK(xk_kname_matches(r.prog, r.prog));
			break;
		case XK_REF_NAME:
			CHECK(r.text[0] && !strchr(r.text, '/'));
			break;
		}
	}
	for (i = 0; i + 1 < (size_t)argc; i++) {
		xk_kname_matches(argv[i], argv[i + 1]);
		if (xk_ref_prog_id(argv[i], &id)) {
			char back[16];

			snprintf(back, sizeof(back), "%" PRIu32, id);
			CHECK(!strcmp(back, argv[i] + strspn(argv[i], "0")) || !id);
		}
	}
	free(argv);
	free(buf);
	return 0;
}
