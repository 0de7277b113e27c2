/* What the parts of the comparison (compare_load.c, compare_model.c,
 * compare_runs.c, compare_verdict.c, compare_fmt.c, compare_render.c,
 * compare_letter.c) share among themselves; not for other users. */
#ifndef STALLBENCH_COMPARE_IMPL_H
#define STALLBENCH_COMPARE_IMPL_H

#include <jansson.h>
#include <math.h>
#include <stddef.h>
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

#endif
