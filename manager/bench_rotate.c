/* The source rotator of `xdpkit bench --src-count N`: a tiny program, built here from instructions, that writes the
 * next IPv4 source into the frame and tail-calls the program under test. BPF_PROG_TEST_RUN repeats one frame, and
 * one call per address would measure the cold start after each syscall instead of the lookup; so the rotation
 * happens inside the repeat loop. The floor gets a rotator of its own, so the rotation's cost cancels out. */
#include "bench.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ALU64_IMM(op, d, i) INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define LDX_W(d, s, o) INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define STX_W(d, s, o) INSN(BPF_STX | BPF_MEM | BPF_W, d, s, o, 0)
#define ST_W(d, o, i) INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define JMP_IMM(op, d, i, o) INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP_REG(op, d, s, o) INSN(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD_MAP(d, fd) INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)

void bench_rotator_close(struct bench_rotator *r)
{
	if (r->prog_fd >= 0)
		close(r->prog_fd);
	if (r->jump_fd >= 0)
		close(r->jump_fd);
	if (r->state_fd >= 0)
		close(r->state_fd);
	r->prog_fd = r->jump_fd = r->state_fd = -1;
}

static int try_load(struct bench_rotator *r, const struct bench_rotation *rot, int target_fd, int type,
		    enum bpf_attach_type attach, int data_off, int data_end_off, bool verbose)
{
	static char log[16384];
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = attach, .log_buf = verbose ? log : NULL,
		    .log_size = verbose ? sizeof(log) : 0, .log_level = verbose ? 1 : 0);
	int saddr = (int)rot->ip4_off + 12;
	__u32 zero = 0;

	r->prog_fd = -1;
	r->jump_fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "xk_bench_jump", 4, 4, 1, NULL);
	r->state_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xk_bench_rot", 4, 4, 1, NULL);
	if (r->jump_fd < 0 || r->state_fd < 0)
		return -errno;

	/* i = state[0]; state[0] = (i + 1) % count;
	 * saddr = htonl(base + (i * stride % count) * step)   when the frame is long enough;
	 * tail call the target; if that fails, return 0 (XDP_ABORTED / TC_ACT_OK) */
	struct bpf_insn insns[] = {
		MOV64_REG(BPF_REG_6, BPF_REG_1),
		ST_W(BPF_REG_10, -4, 0),
		MOV64_REG(BPF_REG_2, BPF_REG_10),
		ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
		LD_MAP(BPF_REG_1, r->state_fd),
		CALL(BPF_FUNC_map_lookup_elem),
		JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 17), /* -> tail */
		LDX_W(BPF_REG_1, BPF_REG_0, 0),
		MOV64_REG(BPF_REG_2, BPF_REG_1),
		ALU64_IMM(BPF_ADD, BPF_REG_2, 1),
		JMP_IMM(BPF_JLT, BPF_REG_2, (int)rot->count, 1),
		MOV64_IMM(BPF_REG_2, 0),
		STX_W(BPF_REG_0, BPF_REG_2, 0),
		ALU64_IMM(BPF_MUL, BPF_REG_1, (int)rot->stride),
		ALU64_IMM(BPF_MOD, BPF_REG_1, (int)rot->count),
		ALU64_IMM(BPF_MUL, BPF_REG_1, (int)rot->step),
		ALU64_IMM(BPF_ADD, BPF_REG_1, (int)rot->base),
		INSN(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_1, 0, 0, 32),
		LDX_W(BPF_REG_2, BPF_REG_6, data_off),
		LDX_W(BPF_REG_3, BPF_REG_6, data_end_off),
		MOV64_REG(BPF_REG_4, BPF_REG_2),
		ALU64_IMM(BPF_ADD, BPF_REG_4, saddr + 4),
		JMP_REG(BPF_JGT, BPF_REG_4, BPF_REG_3, 1), /* -> tail */
		STX_W(BPF_REG_2, BPF_REG_1, saddr),
		/* tail: */
		MOV64_REG(BPF_REG_1, BPF_REG_6),
		LD_MAP(BPF_REG_2, r->jump_fd),
		MOV64_IMM(BPF_REG_3, 0),
		CALL(BPF_FUNC_tail_call),
		MOV64_IMM(BPF_REG_0, 0),
		EXIT(),
	};

	r->prog_fd = bpf_prog_load(type, "xk_bench_rot", "GPL", insns, sizeof(insns) / sizeof(insns[0]), &lo);
	if (r->prog_fd < 0) {
		if (verbose)
			fprintf(stderr, "source rotator rejected by the verifier:\n%s\n", log);
		return -errno;
	}
	if (bpf_map_update_elem(r->jump_fd, &zero, &target_fd, BPF_ANY))
		return -errno;
	return 0;
}

int bench_rotator_load(struct bench_rotator *r, const struct bench_rotation *rot, int target_fd, int type,
		       int data_off, int data_end_off, bool verbose)
{
	/* A prog array takes only programs like its owner, and the kernel compares expected_attach_type too:
	 * libbpf loads SEC("xdp") with BPF_XDP, a raw loader with 0. Try both, keep the one the target takes. */
	static const enum bpf_attach_type attach[] = { 0, BPF_XDP };
	unsigned int a;
	int err = -EINVAL;

	for (a = 0; a < sizeof(attach) / sizeof(attach[0]); a++) {
		if (a && type != BPF_PROG_TYPE_XDP)
			break;
		err = try_load(r, rot, target_fd, type, attach[a], data_off, data_end_off, verbose);
		if (!err)
			return 0;
		bench_rotator_close(r);
	}
	return err;
}
