/* What the parts of the comparison (compare_load.c, compare_pass.c,
 * compare_label.c, compare_model.c, compare_runs.c, compare_verdict.c,
 * compare_fmt.c, compare_render.c, compare_letter*.c) share among
 * themselves; not for other users. */
#ifndef STALLBENCH_COMPARE_IMPL_H
#define STALLBENCH_COMPARE_IMPL_H

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compare.h"

#define CMP_WIDTH	72	/* a mail's columns: the text outputs' width */

/* Appends "path" of every leaf under objs[0..n) whose value is not the same in all. */
void cmp_diff_paths(json_t **objs, int n, const char *path, json_t *out);
/* "cap 64M", "mix punch=1,unlink=1", "alloc-flags nofail": one differing leaf, short. */
void cmp_leaf_label(json_t *exp, const char *path, char *buf, size_t len);

/* compare_fmt.c */
/* Change from a to b in percent; NaN when it has no meaning (a = 0, b != 0). */
double cmp_pct_change(double a, double b);
/* "ns", "us", "ms" or "s": the unit a duration in ns reads best in. */
const char *cmp_unit_for(double ns);
/* Prints text word-wrapped to CMP_WIDTH; continuation lines start with cont;
 * a word longer than a line (a path) is cut across lines. */
void cmp_wrap(FILE *f, const char *first, const char *cont, const char *text);

/* compare_runs.c: the model's runs, experiment_differs, mm_differs, mm_same,
 * notes and columns, set in m; warnings appended to warn. 0 or -ENOMEM. */
int cmp_runs_model(json_t *m, const struct cmp_run *runs, int n, json_t *warn, const char *vary);

/* A model's number: a real, or null where it is not finite. */
static inline json_t *jreal(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Reading a run (compare_load.c, compare_pass.c). */
#define CMP_LAT_MAX	((1ull << 48) - 1)	/* 78 hours: longer latencies read as this */
struct loadctx {
	struct cmp_run *r;
	size_t last;		/* index of the op last hit: rows come in runs */
	int dir;		/* repetition being read */
	bool again;		/* a later pass: ops are known, none is added */
	bool spill_now;		/* pass 1: spill from the first row (the ranks are a CDF) */
	uint64_t rows;		/* rows of ops.csv handed to the callback in this repetition */
	uint64_t stop;		/* a later pass: stop ops.csv after this many rows (0: read all) */
};
/* The later passes' stalls: a row count and where to stop, as loadctx's. */
struct stallpass {
	struct cmp_run *r;
	uint64_t rows, stop;
};
/* The callback's value that ends a later pass's read of a CSV at its stop. */
#define CMP_STOP	1

/* compare_spill.c: from a row of pass 1 on, each finished op's (op, node
 * slot, latency, rounds), or each stall's (kind, -1, duration, 0), for the
 * later passes (see there). */
struct cmp_spill;
/* Starts a spill at repetition dir after row rows. Never NULL: one that
 * cannot be written is lost (it writes nothing, and is not started again). */
struct cmp_spill *cmp_spill_start(int dir, uint64_t row);
/* Appends a row: an index (r->ops, r->stalls), a slot (-1: none) and two
 * values. A write that fails loses the spill. */
void cmp_spill_row(struct cmp_spill *s, size_t idx, int slot, uint64_t val, uint64_t aux);
/* Repetition dir (dir0, then each next one) has been read: its rows written. */
void cmp_spill_dir_end(struct cmp_spill *s, int dir);
/* A later pass over repetition dir (s NULL: none started): true when it reads
 * the CSV, *stop rows of it (0: all); cmp_spill_replay gives the rest. */
bool cmp_spill_csv(const struct cmp_spill *s, int dir, uint64_t *stop);
/* Repetition dir's spilled rows, in order, to fn (none where cmp_spill_csv
 * read them all). 0 or -EIO. */
int cmp_spill_replay(struct cmp_spill *s, int dir,
		     void (*fn)(void *arg, size_t idx, int slot, uint64_t val, uint64_t aux),
		     void *arg);
void cmp_spill_free(struct cmp_spill *s);
/* The op of a row: a new one in pass 1; NULL out of memory or, again, unknown. */
struct cmp_opstat *cmp_find_op(struct loadctx *c, const char *wl, const char *op);
/* A node's slot in an op's breakdown (first seen first); -1 past CMP_MAX_NODES or unknown. */
int cmp_node_slot(struct cmp_opstat *o, int node, bool add);
/* The stall kind of a row ("scope/kind"); added in pass 1. NULL: no memory, or unknown. */
struct cmp_stallstat *cmp_find_stall(struct cmp_run *r, const struct rr_stall *s, bool add);
/* The passes after the first, until every rank asked for is known. 0 or -errno, msg set. */
int cmp_more_passes(struct cmp_run *r, unsigned int flags, char *msg, size_t len);
/* After the last pass: an op's figures from its resolved selectors (its nodes in
 * order); drops what only the load needed. */
void cmp_finish_op(struct cmp_opstat *o);

#endif
