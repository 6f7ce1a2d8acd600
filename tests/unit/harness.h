/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit-test harness: self-registering tests, assertions that print expected vs got, and helpers
 * that load a build/<name>.bpf.o, run its programs through BPF_PROG_TEST_RUN and read its maps. */
#ifndef XDPKIT_UT_HARNESS_H
#define XDPKIT_UT_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

/* Largest frame a test sends or receives. */
#define UT_FRAME_MAX 2048

struct ut_test {
	const char *name;
	const char *file;
	void (*fn)(void);
	struct ut_test *next;
};

void ut_register(struct ut_test *t);

/* UT_TEST(count_ipv4_udp) { ... } defines and registers a test; a constructor adds it to the run
 * list, so a new test file needs no list anywhere. Names must be unique across all files (the
 * linker enforces nothing here). */
#define UT_TEST(tname)                                                                             \
	static void ut_body_##tname(void);                                                         \
	static struct ut_test ut_desc_##tname = { .name = #tname,                                  \
						  .file = __FILE__,                                \
						  .fn = ut_body_##tname };                         \
	__attribute__((constructor)) static void ut_reg_##tname(void)                              \
	{                                                                                          \
		ut_register(&ut_desc_##tname);                                                     \
	}                                                                                          \
	static void ut_body_##tname(void)

/* Directory holding the *.bpf.o files (argv[1]). */
extern const char *ut_build_dir;

/* Record a failure of the running test; printed at once with file:line and the current context. */
void ut_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* What the test is looking at now (a frame name, a truncation point); prefixed to every failure
 * message until changed. ut_context(NULL) clears it. Reset before each test. */
void ut_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Dump len bytes as hex on stderr, 16 a line, marking offset mark (or -1) with '*'. */
void ut_hexdump(const char *title, const void *buf, size_t len, long mark);

/* Every assertion is an expression: true when it held, so a test can stop with `if (!ASSERT_...)
 * return;` or go on and collect more failures. Values are compared as 64-bit unsigned integers. */
#define ASSERT_EQ(got, want)                                                                       \
	({                                                                                         \
		unsigned long long ut_g_ = (unsigned long long)(got);                              \
		unsigned long long ut_w_ = (unsigned long long)(want);                             \
		bool ut_ok_ = ut_g_ == ut_w_;                                                      \
		if (!ut_ok_)                                                                       \
			ut_fail(__FILE__, __LINE__,                                                \
				"%s: expected %lld (0x%llx), got %lld (0x%llx)", #got,             \
				(long long)ut_w_, ut_w_, (long long)ut_g_, ut_g_);                 \
		ut_ok_;                                                                            \
	})

#define ASSERT_NE(got, unwanted)                                                                   \
	({                                                                                         \
		unsigned long long ut_g_ = (unsigned long long)(got);                              \
		unsigned long long ut_u_ = (unsigned long long)(unwanted);                         \
		bool ut_ok_ = ut_g_ != ut_u_;                                                      \
		if (!ut_ok_)                                                                       \
			ut_fail(__FILE__, __LINE__, "%s: expected anything but %lld (0x%llx)",     \
				#got, (long long)ut_u_, ut_u_);                                    \
		ut_ok_;                                                                            \
	})

#define ASSERT_TRUE(cond)                                                                          \
	({                                                                                         \
		bool ut_ok_ = !!(cond);                                                            \
		if (!ut_ok_)                                                                       \
			ut_fail(__FILE__, __LINE__, "expected true: %s", #cond);                   \
		ut_ok_;                                                                            \
	})

/* For calls that return 0 or a negative errno. */
#define ASSERT_OK(err)                                                                             \
	({                                                                                         \
		long ut_e_ = (long)(err);                                                          \
		bool ut_ok_ = ut_e_ == 0;                                                          \
		if (!ut_ok_)                                                                       \
			ut_fail(__FILE__, __LINE__, "%s: expected 0, got %ld (%s)", #err, ut_e_,   \
				strerror(ut_e_ < 0 ? (int)-ut_e_ : (int)ut_e_));                   \
		ut_ok_;                                                                            \
	})

/* Byte-wise compare; on a difference prints the first differing offset and both buffers. */
#define ASSERT_MEM_EQ(got, want, len)                                                              \
	({ ut_mem_eq(__FILE__, __LINE__, #got, (got), (want), (len)); })
bool ut_mem_eq(const char *file, int line, const char *what, const void *got, const void *want,
	       size_t len);

/* Open <build dir>/<name>.bpf.o and load it. Maps pinned by name are un-pinned before load (pin
 * path cleared), so a unit test never reads or writes bpffs and runs with none mounted. The object
 * is closed by the harness when the test ends; every test starts from freshly created (zeroed)
 * maps. Returns NULL after recording a failure that names the file and the fix. */
struct bpf_object *ut_load(const char *name);
/* A program by section name ("xdp", "tc") or by function name. NULL after recording a failure. */
struct bpf_program *ut_prog(struct bpf_object *obj, const char *sec_or_name);
/* A map fd by name (".bss" and ".data" find the global-variable maps). Negative after recording a
 * failure. */
int ut_map_fd(struct bpf_object *obj, const char *name);

/* One BPF_PROG_TEST_RUN of prog on frame (len >= 14: the kernel refuses shorter input). */
struct ut_result {
	__u32 retval; /* the program's verdict */
	__u32 len;    /* bytes in data */
	__u8 data[UT_FRAME_MAX];
};
int ut_run(struct bpf_program *prog, const void *frame, __u32 len, struct ut_result *res);

/* Look key up in a per-CPU map whose value is nr consecutive __u64 and sum each over all possible
 * CPUs. Returns 0, -ENOENT when the key is absent (sum zeroed), or another negative errno. */
int ut_percpu_sum(int map_fd, const void *key, __u64 *sum, int nr);
/* packets and bytes of one slot (enum xk_stat) of the object's xdpkit_stats, summed over CPUs. */
int ut_stats(struct bpf_object *obj, __u32 slot, __u64 *packets, __u64 *bytes);
/* Empty every map of obj: hash-like maps lose all keys, arrays are zeroed (.bss and .data get their
 * initial image back; .rodata is read-only and left alone). Returns 0 or negative errno. */
int ut_reset_maps(struct bpf_object *obj);

#endif
