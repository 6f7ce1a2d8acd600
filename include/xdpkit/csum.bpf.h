/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* One's-complement sums (the Internet checksum, RFC 1071) over packet memory, bounded: what a
 * program needs to verify a checksum over a whole message. Include once per program.
 *
 * Sums are taken in memory byte order: words are loaded as the CPU finds them, and since a
 * one's-complement sum of byte-swapped words is the byte-swapped sum, the result is right for
 * either byte order as long as every word starts at an even distance from the message start.
 * A message with a valid checksum sums to 0xffff, which reads the same both ways. */
#ifndef XDPKIT_CSUM_BPF_H
#define XDPKIT_CSUM_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* How far a sum over packet pointers reaches: the verifier lets a packet pointer reach no byte at
 * or past frame offset 0xffff (MAX_PACKET_OFF), so xk_csum_range() stops there. */
#define XK_CSUM_END 0xffff
/* bpf_csum_diff() takes at most 512 bytes before Linux 6.13 (its scratch buffer). */
#define XK_CSUM_CHUNK 512

/* Fold a sum of 16- and 32-bit words (below 2^48) to 16 bits with end-around carry. Not
 * complemented. A sum of words not all zero never folds to 0 (it gives 0xffff instead). */
static __always_inline __u32 xk_csum_fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (sum & 0xffff) + (sum >> 16);
}

/* The words of the size bytes at frame offset pos, added up unfolded; size is a constant, a
 * multiple of 2. *bad is set when the bytes are not all in the frame. From 64 bytes on the helper
 * is faster than loads (measured with make bench). */
static __always_inline __u64 xk_csum_piece(void *data, void *data_end, __u32 pos, __u32 size,
					   int *bad)
{
	__u64 sum = 0;
	void *p;
	int k;

	/* Packet pointers need a bound the verifier can see, and this one cannot be inferred
	 * from the caller's checks: keep clang from dropping it. */
	barrier_var(pos);
	if (pos > XK_CSUM_END - size) {
		*bad = 1;
		return 0;
	}
	p = data + pos;
	if (p + size > data_end) {
		*bad = 1;
		return 0;
	}
	if (size == 2)
		return *(__u16 *)p;
	if (size >= 64) {
		long r = bpf_csum_diff(NULL, 0, p, size, 0);

		*bad |= r < 0;
		return (__u32)r;
	}
#pragma unroll
	for (k = 0; k < size; k += 4)
		sum += *(__u32 *)(p + k);
	return sum;
}

/* The head's piece of size bytes, when head has it: pieces go from the largest down, so piece
 * size starts after the larger ones head has. Its offset comes from off and head alone, never
 * from which pieces came before: every way through the head ends in the same verifier state, and
 * the verifier checks each piece once instead of once per combination. */
#define XK_CSUM_HEAD_PIECE(size)                                                                   \
	if (head & (size))                                                                         \
	sum += xk_csum_piece(data, data_end, off + (head & ~(2 * (size)-1)), size, &bad)

/* The one's-complement sum of the len bytes at frame offset off, plus seed, folded to 16 bits
 * (xk_csum_fold); -1 when the range is not all in the frame or ends past XK_CSUM_END. */
static __always_inline int xk_csum_range(void *data, void *data_end, __u32 off, __u32 len,
					 __u32 seed)
{
	/* The even bytes below a chunk first, then whole chunks, then an odd last byte. */
	__u32 head = len & (XK_CSUM_CHUNK - 2), chunks = len / XK_CSUM_CHUNK;
	__u64 pos, i; /* 64 bits: no zero-extension in every step of the loop */
	__u64 sum = seed;
	int bad = 0;
	long r;
	void *p;

	if (off > XK_CSUM_END || len > XK_CSUM_END - off)
		return -1;
	XK_CSUM_HEAD_PIECE(256);
	XK_CSUM_HEAD_PIECE(128);
	XK_CSUM_HEAD_PIECE(64);
	XK_CSUM_HEAD_PIECE(32);
	XK_CSUM_HEAD_PIECE(16);
	XK_CSUM_HEAD_PIECE(8);
	XK_CSUM_HEAD_PIECE(4);
	XK_CSUM_HEAD_PIECE(2);
	if (bad)
		return -1;
	/* A bounded loop (Linux 5.3+): the verifier walks each of its at most 127 steps once. */
	for (i = 0; i < XK_CSUM_END / XK_CSUM_CHUNK; i++) {
		if (i >= chunks)
			break;
		pos = off + head + i * XK_CSUM_CHUNK;
		barrier_var(pos);
		if (pos > XK_CSUM_END - XK_CSUM_CHUNK)
			return -1;
		p = data + pos;
		if (p + XK_CSUM_CHUNK > data_end)
			return -1;
		/* Unfolded 32 bits before 6.13, 16 after: either adds up right. */
		r = bpf_csum_diff(NULL, 0, p, XK_CSUM_CHUNK, 0);
		if (r < 0)
			return -1;
		sum += (__u32)r;
	}
	/* RFC 1071: an odd last byte is the first byte of a word whose second byte is zero. In
	 * memory order that word is the byte itself on a little-endian CPU. */
	if (len & 1) {
		pos = off + len - 1;
		barrier_var(pos);
		if (pos > XK_CSUM_END - 1)
			return -1;
		p = data + pos;
		if (p + 1 > data_end)
			return -1;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		sum += *(__u8 *)p;
#else
		sum += (__u32)(*(__u8 *)p) << 8;
#endif
	}
	return xk_csum_fold(sum);
}

/* What an XDP sum reads at the end with bpf_xdp_load_bytes() (Linux 5.18+), since no packet
 * pointer reaches past XK_CSUM_END: enough for any IP packet (at most 65535 bytes from its IP
 * header) behind Ethernet and two VLAN tags, the largest frames a 64 KiB MTU (lo's) carries. A
 * power of two. */
#define XK_CSUM_XDP_TAIL 64

/* xk_csum_range() on an XDP frame. A global function: the verifier checks it once, on its own,
 * however many ways lead to a call. */
__noinline int xk_csum_xdp_near(struct xdp_md *ctx, __u32 off, __u32 len, __u32 seed)
{
	return xk_csum_range((void *)(long)ctx->data, (void *)(long)ctx->data_end, off, len, seed);
}

/* The sum of the len bytes at frame offset off of an XDP frame, plus seed, folded to 16 bits
 * (xk_csum_fold); -1 when the range is not all in the frame or reaches more than XK_CSUM_XDP_TAIL
 * bytes past the last even offset before XK_CSUM_END. Global, like the one it calls. */
__noinline int xk_csum_xdp(struct xdp_md *ctx, __u32 off, __u32 len, __u32 seed)
{
	__u16 tail[XK_CSUM_XDP_TAIL / 2];
	__u64 sum = seed, n;
	__u32 near = len;
	int i;

	if (off > XK_CSUM_END || len > 0xffff)
		return -1;
	if (off + len > XK_CSUM_END) {
		/* Zeroed: bytes the helper does not write add nothing, and an odd last byte gets
		 * its zero partner (RFC 1071). */
		__builtin_memset(tail, 0, sizeof(tail));
		/* An even near part, so the tail starts on a word boundary of the message. */
		near = (XK_CSUM_END - off) & ~1;
		n = len - near; /* at least 1, since off + len > XK_CSUM_END */
		if (n > sizeof(tail))
			return -1;
		/* The same n, written so that 6.1's verifier sees it is 1..sizeof(tail). */
		barrier_var(n);
		n = ((n - 1) & (sizeof(tail) - 1)) + 1;
		if (bpf_xdp_load_bytes(ctx, off + near, tail, n))
			return -1;
#pragma unroll
		for (i = 0; i < sizeof(tail) / sizeof(tail[0]); i++)
			sum += tail[i];
	}
	return xk_csum_xdp_near(ctx, off, near, xk_csum_fold(sum));
}

#endif
