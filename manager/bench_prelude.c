// SPDX-License-Identifier: GPL-2.0-only
/* The prelude of `xdpkit bench`: a tiny program, built here from instructions, that runs before the
 * program under test in every repetition of BPF_PROG_TEST_RUN and then tail-calls it. It can
 * restore the canned frame (for a program that rewrites it, like pong, which would otherwise see
 * its own reply from the second run on) and rotate the IPv4 source (--src-count: one call per
 * address would measure the cold start after each syscall instead of the lookup). The floor gets a
 * prelude of its own, so the prelude's cost cancels out. */
#include "bench.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ALU64_IMM(op, d, i) INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define LDX(sz, d, s, o) INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST_W(d, o, i) INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define JMP_IMM(op, d, i, o) INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP_REG(op, d, s, o) INSN(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Offset of the frame copy inside the state map's value; the packet counter sits in front of it. */
#define FRAME_AT 8
/* Restoring a 1400-byte frame takes 350 of them. */
#define MAX_INSNS 512

struct emit {
	struct bpf_insn insn[MAX_INSNS];
	int n;
	int to_tail[4]; /* jumps to patch once the tail call's position is known */
	int ntail;
};

static void put(struct emit *e, struct bpf_insn i)
{
	if (e->n < MAX_INSNS)
		e->insn[e->n] = i;
	e->n++;
}

static void put_map(struct emit *e, int reg, int fd)
{
	put(e, INSN(BPF_LD | BPF_DW | BPF_IMM, reg, BPF_PSEUDO_MAP_FD, 0, fd));
	put(e, INSN(0, 0, 0, 0, 0));
}

static void jump_to_tail(struct emit *e, struct bpf_insn i)
{
	e->to_tail[e->ntail++] = e->n;
	put(e, i);
}

void bench_prelude_close(struct bench_prelude *p)
{
	if (p->prog_fd >= 0)
		close(p->prog_fd);
	if (p->jump_fd >= 0)
		close(p->jump_fd);
	if (p->state_fd >= 0)
		close(p->state_fd);
	p->prog_fd = p->jump_fd = p->state_fd = -1;
}

static void emit_body(struct emit *e, const struct bench_prelude_cfg *c, int state_fd, int jump_fd,
		      int data_off, int data_end_off)
{
	int saddr = (int)c->rot.ip4_off + 12;
	int need = c->restore ? (int)c->frame->len : 0;
	int i;

	if (c->rotate && saddr + 4 > need)
		need = saddr + 4;
	put(e, MOV64_REG(BPF_REG_6, BPF_REG_1));
	put(e, ST_W(BPF_REG_10, -4, 0));
	put(e, MOV64_REG(BPF_REG_2, BPF_REG_10));
	put(e, ALU64_IMM(BPF_ADD, BPF_REG_2, -4));
	put_map(e, BPF_REG_1, state_fd);
	put(e, CALL(BPF_FUNC_map_lookup_elem));
	jump_to_tail(e, JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0));
	put(e, MOV64_REG(BPF_REG_7, BPF_REG_0));
	put(e, LDX(BPF_W, BPF_REG_2, BPF_REG_6, data_off));
	put(e, LDX(BPF_W, BPF_REG_3, BPF_REG_6, data_end_off));
	put(e, MOV64_REG(BPF_REG_4, BPF_REG_2));
	put(e, ALU64_IMM(BPF_ADD, BPF_REG_4, need));
	/* A frame shorter than we would write (a program moved its start): leave it alone. */
	jump_to_tail(e, JMP_REG(BPF_JGT, BPF_REG_4, BPF_REG_3, 0));
	if (c->restore) {
		for (i = 0; i + 8 <= (int)c->frame->len; i += 8) {
			put(e, LDX(BPF_DW, BPF_REG_5, BPF_REG_7, FRAME_AT + i));
			put(e, STX(BPF_DW, BPF_REG_2, BPF_REG_5, i));
		}
		for (; i < (int)c->frame->len; i++) {
			put(e, LDX(BPF_B, BPF_REG_5, BPF_REG_7, FRAME_AT + i));
			put(e, STX(BPF_B, BPF_REG_2, BPF_REG_5, i));
		}
	}
	if (c->rotate) {
		/* i = counter; counter = (i + 1) % count; saddr = htonl(base + (i * stride % count)
		 * * step) */
		put(e, LDX(BPF_W, BPF_REG_1, BPF_REG_7, 0));
		put(e, MOV64_REG(BPF_REG_4, BPF_REG_1));
		put(e, ALU64_IMM(BPF_ADD, BPF_REG_4, 1));
		put(e, JMP_IMM(BPF_JLT, BPF_REG_4, (int)c->rot.count, 1));
		put(e, MOV64_IMM(BPF_REG_4, 0));
		put(e, STX(BPF_W, BPF_REG_7, BPF_REG_4, 0));
		put(e, ALU64_IMM(BPF_MUL, BPF_REG_1, (int)c->rot.stride));
		put(e, ALU64_IMM(BPF_MOD, BPF_REG_1, (int)c->rot.count));
		put(e, ALU64_IMM(BPF_MUL, BPF_REG_1, (int)c->rot.step));
		put(e, ALU64_IMM(BPF_ADD, BPF_REG_1, (int)c->rot.base));
		put(e, INSN(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_1, 0, 0, 32));
		put(e, STX(BPF_W, BPF_REG_2, BPF_REG_1, saddr));
	}
	for (i = 0; i < e->ntail; i++)
		e->insn[e->to_tail[i]].off = e->n - e->to_tail[i] - 1;
	put(e, MOV64_REG(BPF_REG_1, BPF_REG_6));
	put_map(e, BPF_REG_2, jump_fd);
	put(e, MOV64_IMM(BPF_REG_3, 0));
	put(e, CALL(BPF_FUNC_tail_call));
	put(e, MOV64_IMM(BPF_REG_0, 0)); /* the tail call failed: XDP_ABORTED / TC_ACT_OK */
	put(e, EXIT());
}

static int try_load(struct bench_prelude *p, const struct bench_prelude_cfg *c, int target_fd,
		    int type, enum bpf_attach_type attach, int data_off, int data_end_off,
		    bool verbose)
{
	static char log[16384];
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = attach,
		    .log_buf = verbose ? log : NULL, .log_size = verbose ? sizeof(log) : 0,
		    .log_level = verbose ? 1 : 0);
	unsigned char value[FRAME_AT + BENCH_FRAME_MAX] = { 0 };
	struct emit e = { .n = 0 };
	__u32 zero = 0;

	p->jump_fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "xk_bench_jump", 4, 4, 1, NULL);
	p->state_fd =
		bpf_map_create(BPF_MAP_TYPE_ARRAY, "xk_bench_state", 4, sizeof(value), 1, NULL);
	if (p->jump_fd < 0 || p->state_fd < 0)
		return -errno;
	memcpy(value + FRAME_AT, c->frame->data, c->frame->len);
	if (bpf_map_update_elem(p->state_fd, &zero, value, BPF_ANY))
		return -errno;
	emit_body(&e, c, p->state_fd, p->jump_fd, data_off, data_end_off);
	if (e.n > MAX_INSNS)
		return -E2BIG;
	p->prog_fd = bpf_prog_load(type, "xk_bench_pre", "GPL", e.insn, e.n, &lo);
	if (p->prog_fd < 0) {
		if (verbose)
			fprintf(stderr, "bench prelude rejected by the verifier:\n%s\n", log);
		return -errno;
	}
	if (bpf_map_update_elem(p->jump_fd, &zero, &target_fd, BPF_ANY))
		return -errno;
	return 0;
}

int bench_prelude_load(struct bench_prelude *p, const struct bench_prelude_cfg *c, int target_fd,
		       int type, int data_off, int data_end_off, bool verbose)
{
	/* A prog array takes only programs like its owner, and the kernel compares
	 * expected_attach_type too: libbpf loads SEC("xdp") with BPF_XDP, a raw loader with 0. Try
	 * both, keep the one the target takes. */
	static const enum bpf_attach_type attach[] = { 0, BPF_XDP };
	unsigned int a;
	int err = -EINVAL;

	for (a = 0; a < sizeof(attach) / sizeof(attach[0]); a++) {
		if (a && type != BPF_PROG_TYPE_XDP)
			break;
		p->prog_fd = p->jump_fd = p->state_fd = -1;
		err = try_load(p, c, target_fd, type, attach[a], data_off, data_end_off, verbose);
		if (!err)
			return 0;
		bench_prelude_close(p);
	}
	return err;
}
