/* SPDX-License-Identifier: GPL-2.0-only */
/* The bench verb's canned frames: what `xdpkit bench --frame KIND` pushes through a program. */
#ifndef XDPKIT_BENCH_H
#define XDPKIT_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_FRAME_MAX 1536 /* the largest canned frame is 1400 bytes */

struct bench_frame {
	const char *kind;
	unsigned char data[BENCH_FRAME_MAX];
	size_t len;
	size_t ip4_off; /* offset of the IPv4 header, 0 when the frame has none */
};

/* Kinds in the order `--frame all` runs them, NULL-terminated; bench_frame_help[] says what each
 * one is. */
extern const char *const bench_frame_kinds[];
extern const char *const bench_frame_help[];
/* Kinds run only when named with --frame (larger frames, more ICMP), NULL-terminated, with help. */
extern const char *const bench_frame_named_kinds[];
extern const char *const bench_frame_named_help[];

/* Build frame KIND; 0 or -ENOENT for an unknown kind. */
int bench_frame_build(const char *kind, struct bench_frame *f);

/* Rewrite the IPv4 source address (network order) and fix the IPv4 and L4 checksums. */
void bench_frame_set_src4(struct bench_frame *f, uint32_t saddr);

/* --src-count: the IPv4 source of packet i is base + (i * stride % count) * step (stride coprime
 * with count). */
struct bench_rotation {
	uint32_t base, step, count, stride;
	size_t ip4_off;
};

/* What the prelude does before each run of the program under test. */
struct bench_prelude_cfg {
	bool restore; /* copy the canned frame back (the program rewrites it) */
	bool rotate;  /* write the next source of `rot` */
	const struct bench_frame *frame;
	struct bench_rotation rot;
};

struct bench_prelude {
	int prog_fd;  /* run this one: it prepares the frame, then tail-calls the target */
	int jump_fd;  /* prog array holding the target */
	int state_fd; /* packet counter and the frame copy */
};

/* Build a prelude in front of target_fd for programs of `type` whose context keeps the packet
 * pointers at data_off/data_end_off. 0 or negative errno. */
int bench_prelude_load(struct bench_prelude *p, const struct bench_prelude_cfg *c, int target_fd,
		       int type, int data_off, int data_end_off, bool verbose);
void bench_prelude_close(struct bench_prelude *p);

#endif
