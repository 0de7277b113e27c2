/*
 * Result directory reader, part 2b: stalls.csv's rows, found by header name
 * and decoded strictly over rcsv.c's engine, as rrows.c does the others;
 * and the lean and the light reads of them for compare's passes.
 */
#include "rrows_impl.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* stalls.csv's columns: columns.h's table, shared with the writer. */
enum {
#define X(e, n, r) SC_##e = SB_SC_##e,
	SB_STALLS_COLS(X)
#undef X
	SC_NR = SB_SC_NR
};

const struct colspec rr_stall_cols[SC_NR] = {
#define X(e, n, r) [SC_##e] = { n, r },
	SB_STALLS_COLS(X)
#undef X
};

/* short strings, inline (a call to strcmp costs more than the compare) */
static inline bool streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* The kind of a name; rows come in runs of one kind: the last one first. */
static int stall_kind(const char *name)
{
	static __thread int last;

	if (streq(name, rr_stall_kind_names[last]))
		return last;
	for (int k = 0; k < RR_STALL_NR_KINDS; k++)
		if (name[0] == rr_stall_kind_names[k][0] && streq(name, rr_stall_kind_names[k]))
			return last = k;
	return RR_STALL_OTHER;
}

#define STN(c, how, def, field) { SC_##c, how, def, offsetof(struct rr_stall, field) }
/* stall_row's numbers, in the order a bad one is reported */
static const struct numcell stall_nums[] = {
	STN(T_START, NC_REQ, 0, t_start_ns), STN(DURATION, NC_REQ, 0, duration_ns),
	STN(TID, NC_TID, 0, tid), STN(CPU, NC_I32, -1, cpu), STN(ORDER, NC_I32, -1, order),
	STN(RECLAIMED, NC_I64, -1, nr_reclaimed),
};
#undef STN

/* A stall's kind and scope, from any path: no scope is the run's. */
static void stall_kind_scope(struct rr_stall *s, const char *kind, const char *scope)
{
	s->kind_name = kind;
	s->kind = stall_kind(kind);
	s->scope = scope && *scope ? scope : "run";
}

/* A stall's text cells, from either path: absent ones are empty. */
static void stall_text(struct rr_stall *s, const char *kind, const char *gfp, const char *scope,
		       const char *reason, const char *note)
{
	stall_kind_scope(s, kind, scope);
	s->gfp = gfp ? gfp : "";
	s->reason = reason ? reason : "";
	s->note = note ? note : "";
}

/* Decodes the current row: 1 with a row, 0 skipped (rr_bad_row), or -EINVAL. */
static int stall_row(struct csvpass *p, struct rr_stall *s)
{
	int bad;

	memset(s, 0, sizeof(*s));
	bad = rr_num_cells(p, stall_nums, sizeof(stall_nums) / sizeof(stall_nums[0]), s);
	if (bad >= 0) {
		char why[64];

		snprintf(why, sizeof(why), "%s is not a number", rr_stall_cols[stall_nums[bad].col].name);
		return rr_bad_row(p, why, NULL);
	}
	stall_text(s, col(p, SC_KIND), col(p, SC_GFP), col(p, SC_SCOPE), col(p, SC_REASON),
		   col(p, SC_NOTE));
	return 1;
}

static const unsigned char stall_types[SC_NR] = {
	[SC_T_START] = RR_FT_NUM, [SC_TID] = RR_FT_NUM, [SC_CPU] = RR_FT_SNUM,
	[SC_KIND] = RR_FT_STR, [SC_DURATION] = RR_FT_NUM, [SC_RECLAIMED] = RR_FT_SNUM,
	[SC_ORDER] = RR_FT_SNUM, [SC_GFP] = RR_FT_STR, [SC_SCOPE] = RR_FT_STR,
	[SC_NOTE] = RR_FT_STR, [SC_REASON] = RR_FT_STR,
};

/* stall_row on a scanned row: 1, or 0 (nothing written) for stall_row to judge. */
static int stall_row_fast(struct csvpass *p, struct rr_fastrow *fr, struct rr_stall *s)
{
	if (!HAS(fr, SC_T_START) || !HAS(fr, SC_DURATION) || fu64(fr, SC_TID, 0) > UINT32_MAX ||
	    !fits_i32(fr, SC_CPU) || !fits_i32(fr, SC_ORDER))
		return 0;
	memset(s, 0, sizeof(*s));
	s->t_start_ns = fr->v[SC_T_START];
	s->duration_ns = fr->v[SC_DURATION];
	s->tid = (uint32_t)fu64(fr, SC_TID, 0);
	s->cpu = fi32(fr, SC_CPU, -1);
	s->order = fi32(fr, SC_ORDER, -1);
	s->nr_reclaimed = HAS(fr, SC_RECLAIMED) ? (int64_t)fr->v[SC_RECLAIMED] : -1;
	stall_text(s, fstr(p, fr, SC_KIND), fstr(p, fr, SC_GFP), fstr(p, fr, SC_SCOPE),
		   fstr(p, fr, SC_REASON), fstr(p, fr, SC_NOTE));
	return 1;
}

/* stall_row_light on a scanned row. */
static int stall_light_fast(struct csvpass *p, struct rr_fastrow *fr, struct rr_stall *s)
{
	if (!HAS(fr, SC_DURATION))
		return 0;
	s->duration_ns = fr->v[SC_DURATION];
	stall_kind_scope(s, fstr(p, fr, SC_KIND), fstr(p, fr, SC_SCOPE));
	return 1;
}

/* A later pass's row: kind, duration and scope (rows were checked). */
static int stall_row_light(struct csvpass *p, struct rr_stall *s)
{
	stall_kind_scope(s, col(p, SC_KIND), col(p, SC_SCOPE));
	if (rr_parse_u64(col(p, SC_DURATION), &s->duration_ns) < 0)
		return rr_bad_row(p, "changed since it was read: not a number", NULL);
	return 1;
}

int rr_scan_stalls(const struct rr_dir *d, rr_stall_fn fn, void *arg, char *msg, size_t len)
{
	struct colspec cols[SC_NR] = { { NULL, false } };
	struct csvpass p;
	struct rr_stall row = { .gfp = "", .reason = "", .note = "", .nr_reclaimed = -1,
				.order = -1, .cpu = -1 };
	int ret;

	if (d->flags & RR_ALLOW_INCOMPLETE)	/* skip the rows pass 1 skipped */
		return rr_read_stalls(d, fn, arg, NULL, msg, len);
	cols[SC_KIND] = rr_stall_cols[SC_KIND];
	cols[SC_DURATION] = rr_stall_cols[SC_DURATION];
	cols[SC_SCOPE] = rr_stall_cols[SC_SCOPE];
	ret = rr_pass_open(&p, d, "stalls.csv", cols, SC_NR, false, msg, len);
	if (ret == -ENOENT)
		ret = 0;
	else if (ret == 0) {
		p.r.maxf = p.min_fields;
		rr_pass_types(&p, stall_types);
		ret = rr_pump_fast(&p, (rr_fast_fn)stall_light_fast, p.min_fields,
				   (rr_decode_fn)stall_row_light, &row,
				   (int (*)(void *, const void *))fn, arg);
	}
	rr_pass_close(&p);
	return ret;
}

static int scan_stalls_exact(const struct csvpass *p, const char *line, struct rr_fastrow *fr)
{
	return rr_fast_scan_fixed(p, line, stall_types, SC_NR, fr);
}

int rr_pump_stalls(struct csvpass *p, rr_stall_fn fn, void *arg)
{
	struct rr_stall row;

	rr_pass_types(p, stall_types);
	p->scan = p->exact ? scan_stalls_exact : NULL;
	return rr_pump_fast(p, (rr_fast_fn)stall_row_fast, 0, (rr_decode_fn)stall_row, &row,
			    (int (*)(void *, const void *))fn, arg);
}

int rr_read_stalls(const struct rr_dir *d, rr_stall_fn fn, void *arg,
		   struct rr_csv_stats *st, char *msg, size_t len)
{
	const struct rr_tail_fns fns = { .stall = fn };

	return rr_read_file(d, RR_STALLS, &fns, arg, st, msg, len);
}

/*
 * rr_read_stalls for compare's pass 1: every cell checked as stall_types
 * says, but cpu, order, gfp, note and reason not read (the scan checked
 * them; the strict path, for a row the scan cannot vouch for, reads all).
 */
static int stall_lean_row(struct csvpass *p, struct rr_fastrow *fr, struct rr_stall *s)
{
	if (!HAS(fr, SC_T_START) || !HAS(fr, SC_DURATION) || fu64(fr, SC_TID, 0) > UINT32_MAX ||
	    !fits_i32(fr, SC_CPU) || !fits_i32(fr, SC_ORDER))
		return 0;
	s->t_start_ns = fr->v[SC_T_START];
	s->duration_ns = fr->v[SC_DURATION];
	s->tid = (uint32_t)fu64(fr, SC_TID, 0);
	s->nr_reclaimed = HAS(fr, SC_RECLAIMED) ? (int64_t)fr->v[SC_RECLAIMED] : -1;
	stall_kind_scope(s, fstr(p, fr, SC_KIND), fstr(p, fr, SC_SCOPE));
	return 1;
}

int rr_read_stalls_lean(const struct rr_dir *d, rr_stall_fn fn, void *arg,
			struct rr_csv_stats *st, char *msg, size_t len)
{
	struct rr_stall row = { .gfp = "", .reason = "", .note = "", .cpu = -1, .order = -1 };
	struct csvpass p;
	int ret;

	ret = rr_pass_open(&p, d, "stalls.csv", rr_stall_cols, SC_NR, false, msg, len);
	if (ret == -ENOENT) {
		ret = 0;	/* no capture: no stall rows */
	} else if (ret == 0) {
		rr_pass_types(&p, stall_types);
		p.scan = p.exact ? scan_stalls_exact : NULL;
		ret = rr_pump_fast(&p, (rr_fast_fn)stall_lean_row, 0, (rr_decode_fn)stall_row, &row,
				   (int (*)(void *, const void *))fn, arg);
	}
	if (st)
		*st = p.st;
	rr_pass_close(&p);
	return ret;
}
