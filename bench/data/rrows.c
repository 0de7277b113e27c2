/*
 * Result directory reader, part 2: the rows of each file (ops, stalls,
 * offcpu, timeline), found by header name (order-free, unknown columns
 * ignored) and decoded strictly, over rcsv.c's engine.
 */
#include "rrows_impl.h"
#include "rows.h"	/* sb_opflag_names */

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "a|b|c" -> RR_OPF_* bits (unknown names ignored); one pass, no strlen per
 * name; a row with the last row's flags (rows of one op come in runs) at once */
static unsigned int parse_flags(const char *s)
{
	static __thread char last[48];
	static __thread unsigned int last_f;
	const char *s0 = s;
	unsigned int f = 0;

	for (size_t k = 0; s && k < sizeof(last) && s[k] == last[k]; k++)
		if (!s[k])
			return last_f;
	while (s && *s) {
		const char *bar = strchr(s, '|');
		size_t n = bar ? (size_t)(bar - s) : strlen(s);

		for (size_t i = 0; i < SB_OPF_NR; i++) {
			const char *name = sb_opflag_names[i];

			if (name[0] == s[0] && strncmp(s, name, n) == 0 && name[n] == '\0')
				f |= 1u << i;
		}
		s += n;
		if (*s)
			s++;
	}
	if (s0 && strlen(s0) < sizeof(last)) {
		strcpy(last, s0);
		last_f = f;
	}
	return f;
}


/* Decodes cells[0..n) of the current row into row, in order: the first
 * cell that is not a number (its index), or -1. */
int rr_num_cells(struct csvpass *p, const struct numcell *cells, size_t n, void *row)
{
	for (size_t i = 0; i < n; i++) {
		const struct numcell *nc = &cells[i];
		void *dst = (char *)row + nc->off;
		const char *v = col(p, nc->col);
		uint64_t u;
		bool ok;

		switch (nc->how) {
		case NC_REQ:
			ok = rr_parse_u64(v, dst) == 0;
			break;
		case NC_U64:
			ok = rr_opt_u64(p, nc->col, (uint64_t)nc->def, dst) == 0;
			break;
		case NC_TID:
			ok = rr_opt_u64(p, nc->col, (uint64_t)nc->def, &u) == 0 && u <= UINT32_MAX;
			*(uint32_t *)dst = (uint32_t)u;
			break;
		case NC_I32:
			ok = rr_opt_i32(p, nc->col, nc->def, dst) == 0;
			break;
		default:
			*(int64_t *)dst = nc->def;
			ok = !v || !*v || rr_parse_i64(v, dst) == 0;
			break;
		}
		if (!ok)
			return (int)i;
	}
	return -1;
}

/* ops.csv's columns: columns.h's table, shared with the writer. */
enum {
#define X(e, n, r) OC_##e = SB_OC_##e,
	SB_OPS_HEAD_COLS(X)
	SB_OPS_TAIL_COLS(X)
#undef X
	OC_SRC0 = SB_OC_SRC0,
	OC_NR = SB_OC_NR
};

static const struct colspec op_cols[OC_NR] = {
#define X(e, n, r) [OC_##e] = { n, r },
	SB_OPS_HEAD_COLS(X)
	SB_OPS_TAIL_COLS(X)
#undef X
#define X(e, n, r) [OC_SRC0 + RSRC_##e] = { n, false },
	SB_ROUND_SRCS(X)
#undef X
};

#define OPN(c, how, def, field) { OC_##c, how, def, offsetof(struct rr_op, field) }
/* op_row's numbers, in the order a bad one is reported */
static const struct numcell op_nums[] = {
	OPN(T_START, NC_REQ, 0, t_start_ns), OPN(LATENCY, NC_REQ, 0, latency_ns),
	OPN(TID, NC_TID, 0, tid), OPN(WORKER, NC_I32, -1, worker), OPN(NODE, NC_I32, -1, node),
	OPN(STALL, NC_U64, 0, stall_ns), OPN(ROUNDS, NC_U64, 0, reclaim_rounds),
	OPN(BYTES, NC_U64, 0, bytes), OPN(KERNEL, NC_U64, 0, kernel_ns),
	OPN(LANDED, NC_I32, -1, landed_node), OPN(CPU, NC_U64, 0, cpu_ns),
	OPN(RUNQ, NC_U64, 0, runq_ns),
};
#undef OPN

/* An op's text cells, from either path: errno "0" or empty is no error. */
static void op_text(struct rr_op *op, const char *err, const char *flags)
{
	op->err = (!err || !*err || (err[0] == '0' && !err[1])) ? "" : err;
	op->flags = flags && *flags ? parse_flags(flags) : 0;
}

/* Decodes the current row: 1 with a row, 0 skipped (rr_bad_row), or -EINVAL. */
static int op_row(struct csvpass *p, struct rr_op *op)
{
	int bad, c = -1;

	memset(op, 0, sizeof(*op));
	bad = rr_num_cells(p, op_nums, sizeof(op_nums) / sizeof(op_nums[0]), op);
	if (bad >= 0)
		c = op_nums[bad].col;
	for (int k = 0; c < 0 && k < RSRC_NR; k++) {
		op->have_src[k] = col(p, OC_SRC0 + k) && *col(p, OC_SRC0 + k);
		if (rr_opt_u64(p, OC_SRC0 + k, 0, &op->src[k]) < 0)
			c = OC_SRC0 + k;
	}
	if (c >= 0) {
		char why[64];

		snprintf(why, sizeof(why), "%s is not a number:", op_cols[c].name);
		return rr_bad_row(p, why, col(p, c));
	}
	op->have_sched = col(p, OC_CPU) && *col(p, OC_CPU) && col(p, OC_RUNQ) && *col(p, OC_RUNQ);
	op->workload = col(p, OC_WORKLOAD);
	op->op = col(p, OC_OP);
	if (!*op->workload || !*op->op)
		return rr_bad_row(p, "empty workload or op", NULL);
	op_text(op, col(p, OC_ERRNO), col(p, OC_FLAGS));
	return 1;
}

/* The fast path's column types: what op_row parses each column as. */
static const unsigned char op_types[OC_NR] = {
	[OC_T_START] = RR_FT_NUM, [OC_TID] = RR_FT_NUM, [OC_WORKER] = RR_FT_SNUM,
	[OC_NODE] = RR_FT_SNUM, [OC_WORKLOAD] = RR_FT_STR, [OC_OP] = RR_FT_STR,
	[OC_LATENCY] = RR_FT_NUM, [OC_ERRNO] = RR_FT_STR, [OC_STALL] = RR_FT_NUM,
	[OC_ROUNDS] = RR_FT_NUM, [OC_BYTES] = RR_FT_NUM, [OC_KERNEL] = RR_FT_NUM,
	[OC_FLAGS] = RR_FT_STR, [OC_LANDED] = RR_FT_SNUM, [OC_CPU] = RR_FT_NUM,
	[OC_RUNQ] = RR_FT_NUM,
#define X(e, n, r) [OC_SRC0 + RSRC_##e] = RR_FT_NUM,
	SB_ROUND_SRCS(X)
#undef X
};


/* op_row on a scanned row: 1, or 0 (nothing written) for op_row to judge. */
static int op_row_fast(struct csvpass *p, struct rr_fastrow *fr, struct rr_op *op)
{
	const char *e;

	if (!HAS(fr, OC_T_START) || !HAS(fr, OC_LATENCY) || !HAS(fr, OC_WORKLOAD) ||
	    !HAS(fr, OC_OP) || fu64(fr, OC_TID, 0) > UINT32_MAX || !fits_i32(fr, OC_WORKER) ||
	    !fits_i32(fr, OC_NODE) || !fits_i32(fr, OC_LANDED))
		return 0;
	memset(op, 0, sizeof(*op));	/* what a later field would read: as op_row */
	op->t_start_ns = fr->v[OC_T_START];
	op->latency_ns = fr->v[OC_LATENCY];
	op->tid = (uint32_t)fu64(fr, OC_TID, 0);
	op->worker = fi32(fr, OC_WORKER, -1);
	op->node = fi32(fr, OC_NODE, -1);
	op->landed_node = fi32(fr, OC_LANDED, -1);
	op->stall_ns = fu64(fr, OC_STALL, 0);
	op->reclaim_rounds = fu64(fr, OC_ROUNDS, 0);
	op->bytes = fu64(fr, OC_BYTES, 0);
	op->kernel_ns = fu64(fr, OC_KERNEL, 0);
	op->cpu_ns = fu64(fr, OC_CPU, 0);
	op->runq_ns = fu64(fr, OC_RUNQ, 0);
	op->have_sched = HAS(fr, OC_CPU) && HAS(fr, OC_RUNQ);
	for (int k = 0; k < RSRC_NR; k++) {
		op->have_src[k] = HAS(fr, OC_SRC0 + k);
		op->src[k] = fu64(fr, OC_SRC0 + k, 0);
	}
	op->workload = fstr(p, fr, OC_WORKLOAD);
	op->op = fstr(p, fr, OC_OP);
	e = fstr(p, fr, OC_ERRNO);
	op_text(op, e, fstr(p, fr, OC_FLAGS));
	return 1;
}

/* The writer's own layout (columns.h's order): every field's type known here. */
static int scan_ops_exact(const struct csvpass *p, const char *line, struct rr_fastrow *fr)
{
	return rr_fast_scan_fixed(p, line, op_types, OC_NR, fr);
}

/* Hands every remaining row of an open pass to fn. 0, fn's value or -errno. */
static int pump_ops(struct csvpass *p, rr_op_fn fn, void *arg)
{
	struct rr_op row;

	rr_pass_types(p, op_types);
	p->scan = p->exact ? scan_ops_exact : NULL;
	return rr_pump_fast(p, (rr_fast_fn)op_row_fast, 0, (rr_decode_fn)op_row, &row,
			    (int (*)(void *, const void *))fn, arg);
}

/*
 * One known file's rows, all of them, to fns' callback for it: opened,
 * pumped (rr_pump_file), closed; a run without stalls.csv (no capture) has
 * no stall rows. 0, the callback's value or -errno with msg.
 */
int rr_read_file(const struct rr_dir *d, enum rr_file f, const struct rr_tail_fns *fns,
		 void *arg, struct rr_csv_stats *st, char *msg, size_t len)
{
	const struct rr_filespec *fs = &rr_files[f];
	struct csvpass p;
	int ret;

	ret = rr_pass_open(&p, d, fs->name, fs->cols, fs->ncols, false, msg, len);
	if (ret == -ENOENT && f == RR_STALLS)
		ret = 0;
	else if (ret == 0)
		ret = rr_pump_file(&p, f, fns, arg);
	if (st)
		*st = p.st;
	rr_pass_close(&p);
	return ret;
}

/*
 * rr_read_ops_lean: every cell checked as op_types says, but only the
 * values a reader of latencies uses read; t_start_ns, tid, worker, bytes,
 * kernel_ns, landed_node and the rounds by source checked as numbers (the
 * int32/uint32 ones up to 9 digits: any longer goes the general way).
 */
static const unsigned char op_types_lean[OC_NR] = {
	[OC_T_START] = RR_FT_VNUM, [OC_TID] = RR_FT_VNUM9, [OC_WORKER] = RR_FT_VSNUM9,
	[OC_NODE] = RR_FT_SNUM, [OC_WORKLOAD] = RR_FT_STR, [OC_OP] = RR_FT_STR,
	[OC_LATENCY] = RR_FT_NUM, [OC_ERRNO] = RR_FT_STR, [OC_STALL] = RR_FT_NUM,
	[OC_ROUNDS] = RR_FT_NUM, [OC_BYTES] = RR_FT_VNUM, [OC_KERNEL] = RR_FT_VNUM,
	[OC_FLAGS] = RR_FT_STR, [OC_LANDED] = RR_FT_VSNUM9, [OC_CPU] = RR_FT_NUM,
	[OC_RUNQ] = RR_FT_NUM,
#define X(e, n, r) [OC_SRC0 + RSRC_##e] = RR_FT_VNUM,
	SB_ROUND_SRCS(X)
#undef X
};

static int scan_ops_lean(const struct csvpass *p, const char *line, struct rr_fastrow *fr)
{
	return rr_fast_scan_fixed(p, line, op_types_lean, OC_NR, fr);
}

/* The lean row from a scanned one (by either scanner): 1, or 0 for op_row. */
static int op_lean_row(struct csvpass *p, struct rr_fastrow *fr, struct rr_op *op)
{
	const char *e;

	if (!HAS(fr, OC_T_START) || !HAS(fr, OC_LATENCY) || !HAS(fr, OC_WORKLOAD) ||
	    !HAS(fr, OC_OP) || !fits_i32(fr, OC_NODE))
		return 0;
	if (fr->general && (fu64(fr, OC_TID, 0) > UINT32_MAX || !fits_i32(fr, OC_WORKER) ||
			    !fits_i32(fr, OC_LANDED)))
		return 0;	/* the general scanner read their values: as op_row_fast */
	op->latency_ns = fr->v[OC_LATENCY];
	op->node = fi32(fr, OC_NODE, -1);
	op->stall_ns = fu64(fr, OC_STALL, 0);
	op->reclaim_rounds = fu64(fr, OC_ROUNDS, 0);
	op->cpu_ns = fu64(fr, OC_CPU, 0);
	op->runq_ns = fu64(fr, OC_RUNQ, 0);
	op->have_sched = HAS(fr, OC_CPU) && HAS(fr, OC_RUNQ);
	op->workload = fstr(p, fr, OC_WORKLOAD);
	op->op = fstr(p, fr, OC_OP);
	e = fstr(p, fr, OC_ERRNO);
	op_text(op, e, fstr(p, fr, OC_FLAGS));
	return 1;
}

int rr_read_ops_lean(const struct rr_dir *d, rr_op_fn fn, void *arg,
		     struct rr_csv_stats *st, char *msg, size_t len)
{
	struct csvpass p;
	struct rr_op row;
	int ret;

	memset(&row, 0, sizeof(row));
	ret = rr_pass_open(&p, d, "ops.csv", op_cols, OC_NR, false, msg, len);
	if (ret == 0) {
		rr_pass_types(&p, op_types);
		p.scan = p.exact ? scan_ops_lean : NULL;
		ret = rr_pump_fast(&p, (rr_fast_fn)op_lean_row, 0, (rr_decode_fn)op_row, &row,
				   (int (*)(void *, const void *))fn, arg);
	}
	if (st)
		*st = p.st;
	rr_pass_close(&p);
	return ret;
}

int rr_read_ops(const struct rr_dir *d, rr_op_fn fn, void *arg,
		struct rr_csv_stats *st, char *msg, size_t len)
{
	const struct rr_tail_fns fns = { .op = fn };

	return rr_read_file(d, RR_OPS, &fns, arg, st, msg, len);
}

/* A later pass's row: only what an order statistic needs. 1 (rows were checked). */
static int op_row_light(struct csvpass *p, struct rr_op *op)
{
	const char *fl = col(p, OC_FLAGS);

	op->workload = col(p, OC_WORKLOAD);
	op->op = col(p, OC_OP);
	if (rr_parse_u64(col(p, OC_LATENCY), &op->latency_ns) < 0 ||
	    rr_opt_i32(p, OC_NODE, -1, &op->node) < 0 ||
	    rr_opt_u64(p, OC_ROUNDS, 0, &op->reclaim_rounds) < 0)
		return rr_bad_row(p, "changed since it was read: not a number", NULL);
	op->flags = parse_flags(fl);
	return 1;
}

/* op_row_light on a scanned row: 1, or 0 (nothing written) for op_row_light. */
static int op_light_fast(struct csvpass *p, struct rr_fastrow *fr, struct rr_op *op)
{
	const char *fl;

	if (!HAS(fr, OC_LATENCY) || !fits_i32(fr, OC_NODE))
		return 0;
	op->latency_ns = fr->v[OC_LATENCY];
	op->node = fi32(fr, OC_NODE, -1);
	op->reclaim_rounds = fu64(fr, OC_ROUNDS, 0);
	op->workload = fstr(p, fr, OC_WORKLOAD);
	op->op = fstr(p, fr, OC_OP);
	fl = fstr(p, fr, OC_FLAGS);
	op->flags = fl && *fl ? parse_flags(fl) : 0;
	return 1;
}

int rr_scan_ops(const struct rr_dir *d, rr_op_fn fn, void *arg, char *msg, size_t len)
{
	static const int keep[] = { OC_WORKLOAD, OC_OP, OC_LATENCY, OC_NODE, OC_ROUNDS, OC_FLAGS };
	struct colspec cols[OC_NR] = { { NULL, false } };
	struct csvpass p;
	struct rr_op row;
	int ret;

	if (d->flags & RR_ALLOW_INCOMPLETE)	/* skip the rows pass 1 skipped */
		return rr_read_ops(d, fn, arg, NULL, msg, len);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		cols[keep[i]] = op_cols[keep[i]];
	memset(&row, 0, sizeof(row));
	row.err = "";
	ret = rr_pass_open(&p, d, "ops.csv", cols, OC_NR, false, msg, len);
	if (ret == 0) {
		p.r.maxf = p.min_fields;
		rr_pass_types(&p, op_types);
		ret = rr_pump_fast(&p, (rr_fast_fn)op_light_fast, p.min_fields,
				   (rr_decode_fn)op_row_light, &row,
				   (int (*)(void *, const void *))fn, arg);
	}
	rr_pass_close(&p);
	return ret;
}


static const struct colspec offcpu_cols[SB_FC_NR] = {
#define X(e, n, r) [SB_FC_##e] = { n, r },
	SB_OFFCPU_COLS(X)
#undef X
};

int rr_read_offcpu(const struct rr_dir *d, rr_offcpu_fn fn, void *arg, struct rr_csv_stats *st,
		   char *msg, size_t len)
{
	struct csvpass p;
	int ret;

	ret = rr_pass_open(&p, d, "offcpu.csv", offcpu_cols, SB_FC_NR, false, msg, len);
	while (ret == 0 && (ret = rr_pass_next(&p)) == 1) {
		struct rr_offcpu_row o = { .workload = col(&p, SB_FC_WORKLOAD),
					   .op = col(&p, SB_FC_OP), .site = col(&p, SB_FC_SITE) };

		if (rr_parse_u64(col(&p, SB_FC_NS), &o.sleep_ns) < 0) {
			ret = rr_bad_row(&p, "not a number in column", "sleep_ns");
			if (ret < 0)
				break;
			ret = 0;
			continue;
		}
		p.st.rows++;
		ret = fn(arg, &o);
	}
	if (ret == 1)
		ret = 0;
	if (st)
		*st = p.st;
	rr_pass_close(&p);
	return ret;
}

static const struct colspec tl_cols[RR_TL_NR_COLS] = {
#define X(e, n, r) [RR_TL_##e] = { n, r },
	SB_TIMELINE_COLS(X)
#undef X
};

/* Decodes the current row: 1 with a row, 0 skipped (rr_bad_row), or -EINVAL. */
static int tick_row(struct csvpass *p, struct rr_tick *t)
{
	const char *bad = NULL;
	int c;

	for (c = 0; c < RR_TL_NR_COLS; c++) {
		const char *s = col(p, c);
		char *end;

		t->v[c] = NAN;
		if (!s || !*s || strcmp(s, "max") == 0)
			continue;	/* memory.max reads "max" when unlimited */
		errno = 0;
		t->v[c] = strtod(s, &end);
		if (errno || *end || !isfinite(t->v[c])) {
			bad = tl_cols[c].name;
			break;
		}
	}
	if (!bad && isnan(t->v[RR_TL_T_NS]))
		bad = "t_ns";
	if (bad)
		return rr_bad_row(p, "not a number in column", bad);
	return 1;
}

static int pump_ticks(struct csvpass *p, rr_tick_fn fn, void *arg)
{
	struct rr_tick row;

	return rr_pump(p, (rr_decode_fn)tick_row, &row, (int (*)(void *, const void *))fn, arg);
}

int rr_read_timeline(const struct rr_dir *d, rr_tick_fn fn, void *arg,
		     struct rr_csv_stats *st, char *msg, size_t len)
{
	const struct rr_tail_fns fns = { .tick = fn };

	return rr_read_file(d, RR_TIMELINE, &fns, arg, st, msg, len);
}

const struct rr_filespec rr_files[] = {
	[RR_OPS] = { "ops.csv", op_cols, OC_NR },
	[RR_STALLS] = { "stalls.csv", rr_stall_cols, SB_SC_NR },
	[RR_TIMELINE] = { "timeline.csv", tl_cols, RR_TL_NR_COLS },
};

int rr_pump_file(struct csvpass *p, enum rr_file f, const struct rr_tail_fns *fns, void *arg)
{
	switch (f) {
	case RR_OPS:
		return fns->op ? pump_ops(p, fns->op, arg) : -EINVAL;
	case RR_STALLS:
		return fns->stall ? rr_pump_stalls(p, fns->stall, arg) : -EINVAL;
	case RR_TIMELINE:
		return fns->tick ? pump_ticks(p, fns->tick, arg) : -EINVAL;
	}
	return -EINVAL;
}
