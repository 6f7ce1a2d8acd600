/* The bench verb's canned frames: what `xdpkit bench --frame KIND` pushes through a program. */
#ifndef XDPKIT_BENCH_H
#define XDPKIT_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_FRAME_MAX 128

struct bench_frame {
	const char *kind;
	unsigned char data[BENCH_FRAME_MAX];
	size_t len;
	size_t ip4_off; /* offset of the IPv4 header, 0 when the frame has none */
};

/* Kinds in the order `--frame all` runs them, NULL-terminated; bench_frame_help[] says what each one is. */
extern const char *const bench_frame_kinds[];
extern const char *const bench_frame_help[];

/* Build frame KIND; 0 or -ENOENT for an unknown kind. */
int bench_frame_build(const char *kind, struct bench_frame *f);

/* Rewrite the IPv4 source address (network order) and fix the IPv4 and L4 checksums. */
void bench_frame_set_src4(struct bench_frame *f, uint32_t saddr);

#endif
