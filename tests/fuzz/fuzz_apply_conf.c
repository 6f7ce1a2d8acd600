// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: an `xdpkit apply` file (manager/apply_conf.c: YAML through libyaml, then the
 * schema). Properties: a file is either taken, with every name and number within its bounds, or
 * refused with exactly one line "fuzz.yaml:LINE: ..." (LINE a line of the input); nothing leaks
 * either way (ASan). Programs are looked up in an empty directory, so a file that names one is
 * refused; the structure around it is what gets explored. */
#include "../../manager/apply.h"
#include "../../manager/xdpkit.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_apply_conf: %s failed at line %d\n", #cond,          \
				__LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* What apply_conf.c takes from the rest of the manager (common.c would bring everything). */
struct xk_globals xk = { .pin_root = XK_DEFAULT_PIN_ROOT, .prog_dir = "/nonexistent-xdpkit-fuzz" };

int xk_error(int code, const char *fmt, ...)
{
	(void)fmt;
	return code;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *in = fmemopen((void *)data, size ? size : 1, "rb"), *err;
	char *msg = NULL, *colon;
	size_t msglen = 0, lines = 1, i;
	struct xk_conf c;
	long line;
	int ret, k, h;

	if (!size)
		return 0;
	CHECK(in);
	err = open_memstream(&msg, &msglen);
	CHECK(err);
	xk_conf_errors_to(err);
	ret = xk_conf_read_stream(in, "fuzz.yaml", &c);
	xk_conf_errors_to(NULL);
	fclose(err);
	fclose(in);
	/* YAML breaks lines at \n, \r (\r\n once) and at NEL, LS and PS (UTF-8 ...85, ...a8,
	 * ...a9): at most this many lines. */
	for (i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xa8 ||
			 data[i] == 0xa9;
	if (ret == 0) {
		CHECK(msglen == 0);
		for (k = 0; k < c.nifs; k++) {
			CHECK(c.ifs[k].name[0] && strlen(c.ifs[k].name) < IF_NAMESIZE);
			for (h = 0; h < XK_NHOOKS; h++)
				CHECK(c.ifs[k].hook[h].n == 0); /* no program resolves here */
		}
		for (k = 0; k < c.nmaps; k++)
			CHECK(c.maps[k].name && c.maps[k].name[0]);
	} else {
		CHECK(ret == XK_EXIT_USAGE);
		/* One line, "fuzz.yaml:LINE: text", LINE within the input (libyaml may point one
		 * past the last line at the end of the stream). */
		CHECK(msglen > 0 && msg[msglen - 1] == '\n' && !memchr(msg, '\n', msglen - 1));
		CHECK(!strncmp(msg, "fuzz.yaml:", 10));
		line = strtol(msg + 10, &colon, 10);
		CHECK(*colon == ':' && line >= 1 && (size_t)line <= lines + 1);
	}
	free(msg);
	xk_conf_free(&c);
	return 0;
}
