/*
 * The result reader's fast scanner, its inline parts (rcsv.c's rr_fast_scan
 * for any header; rrows.c's scanners for the writer's own column order,
 * where every field's type is a constant and the loop over the fields is
 * unrolled): numbers read 8 digits at a time, commas and quotes found 16
 * bytes at a time. Nothing is written; anything but a plain row gives 0 and
 * the caller takes the general way.
 */
#ifndef STALLBENCH_RSCAN_H
#define STALLBENCH_RSCAN_H

#include "resread_impl.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/*
 * n (1..8) ASCII digits at s as a number, 8 at a time (the bytes are read
 * as one little-endian word; those past the n are shifted out): false if
 * one is not a digit. Reads 8 bytes: the line's buffer has RR_BUF_SLACK.
 */
static inline __attribute__((always_inline))
bool swar_digits(const char *s, unsigned int n, uint64_t *x)
{
	const uint64_t hi = 0xF0F0F0F0F0F0F0F0ull, zeros = 0x3030303030303030ull;
	uint64_t v, m;

	memcpy(&v, s, 8);
	v <<= 8 * (8 - n);	/* the first digit moves up: leading zero bytes */
	m = ~0ull << (8 * (8 - n));
	if ((v & hi & m) != (zeros & m) || ((v + 0x0606060606060606ull) & hi & m) != (zeros & m))
		return false;
	v &= 0x0F0F0F0F0F0F0F0Full;
	v = (v * 2561) >> 8;
	v = ((v & 0x00FF00FF00FF00FFull) * 6553601) >> 16;
	*x = ((v & 0x0000FFFF0000FFFFull) * 42949672960001ull) >> 32;
	return true;
}

/* n (1..19) digits as a number: false if one is not a digit */
static inline __attribute__((always_inline))
bool scan_digits(const char *s, size_t n, uint64_t *x)
{
	unsigned int k = n & 7 ? n & 7 : 8;
	uint64_t v, d;

	if (n == 1) {	/* most cells: 0, a node, a count */
		*x = (unsigned int)(unsigned char)*s - '0';
		return *x < 10;
	}

	if (!swar_digits(s, k, &v))
		return false;
	for (s += k, n -= k; n; s += 8, n -= 8) {
		if (!swar_digits(s, 8, &d))
			return false;
		v = v * 100000000 + d;
	}
	*x = v;
	return true;
}

/* n (1..19) bytes at s are all digits (8 at a time; reads up to 8 past, in
 * the buffer's slack) */
static inline __attribute__((always_inline))
bool check_digits(const char *s, size_t n)
{
	const uint64_t hi = 0xF0F0F0F0F0F0F0F0ull, zeros = 0x3030303030303030ull;
	uint64_t v, m;

	for (;;) {
		memcpy(&v, s, 8);
		m = n >= 8 ? ~0ull : ~(~0ull << (8 * n));	/* the first n bytes */
		if ((v & hi & m) != (zeros & m) ||
		    ((v + 0x0606060606060606ull) & hi & m) != (zeros & m))
			return false;
		if (n <= 8)
			return true;
		s += 8;
		n -= 8;
	}
}

/* commas (and, in *qm, quotes) of the 16 bytes at b, none past end */
static inline __attribute__((always_inline))
unsigned int rr_block_commas(const char *b, const char *end, unsigned int *qm)
{
	unsigned int m, q;
#ifdef __SSE2__
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)b);

	m = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')));
	q = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
#else
	m = q = 0;
	for (int i = 0; i < 16; i++) {
		m |= (unsigned int)(b[i] == ',') << i;
		q |= (unsigned int)(b[i] == '"') << i;
	}
#endif
	if (end - b < 16) {
		m &= (1u << (end - b)) - 1;
		q &= (1u << (end - b)) - 1;
	}
	*qm = q;
	return m;
}

/* Field s..e of column c as type t says (rr_fast_scan's scan_field with
 * the type a constant): false when not a plain cell. */
static inline __attribute__((always_inline))
bool rr_scan_typed(unsigned char t, int c, const char *s, const char *e,
		   struct rr_fastrow *fr, uint64_t *set)
{
	bool neg;
	uint64_t x;

	if (t == RR_FT_SKIP)
		return true;
	if (t == RR_FT_STR) {
		fr->s[c] = s;
		fr->e[c] = (char *)e;
		if (e > s && *s)
			*set |= 1ull << c;
		return true;
	}
	neg = (t == RR_FT_SNUM || t == RR_FT_VSNUM9) && e > s && *s == '-';
	s += neg;
	if (e == s)
		return !neg;
	if (t >= RR_FT_VNUM) {	/* checked only */
		if (e - s > (t == RR_FT_VNUM ? 19 : 9) || !check_digits(s, (size_t)(e - s)))
			return false;
		*set |= 1ull << c;
		return true;
	}
	if (e - s > (t == RR_FT_SNUM ? 18 : 19) || !scan_digits(s, (size_t)(e - s), &x))
		return false;
	fr->v[c] = neg ? 0 - x : x;
	*set |= 1ull << c;
	return true;
}

/*
 * rr_fast_scan for a file whose header is the writer's own, column c in
 * field c, nf of them (type[c] a constant array: the loop unrolls): 1 a
 * plain row of exactly nf fields read into fr, 0 anything else (fewer or
 * more fields, a quote, a cell that is not a plain number), for
 * rr_fast_scan and the strict path to judge.
 */
static inline __attribute__((always_inline))
int rr_fast_scan_fixed(const struct csvpass *p, const char *line, const unsigned char *type,
		       int nf, struct rr_fastrow *fr)
{
	const char *end = line + p->r.linelen, *b = line, *f0 = line, *c;
	uint64_t set = 0;
	unsigned int qm, m = rr_block_commas(b, end, &qm);

	if (qm)
		return 0;
#pragma GCC unroll 64
	for (int j = 0; j < nf; j++) {
		while (!m) {
			b += 16;
			if (b >= end)
				break;
			m = rr_block_commas(b, end, &qm);
			if (qm)
				return 0;
		}
		if (m) {
			if (j == nf - 1)
				return 0;	/* more fields than the header */
			c = b + __builtin_ctz(m);
			m &= m - 1;
		} else {
			if (j != nf - 1)
				return 0;	/* fewer */
			c = end;
		}
		if (!rr_scan_typed(type[j], j, f0, c, fr, &set))
			return 0;
		f0 = c + 1;
	}
	fr->set = set;
	fr->general = false;
	return 1;
}

#endif
