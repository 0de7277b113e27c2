/* What the cover letter's files (compare_letter.c, compare_lettab.c,
 * compare_letvals.c) share among themselves; not for other users. */
#ifndef STALLBENCH_COMPARE_LETTER_H
#define STALLBENCH_COMPARE_LETTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Where the letter goes: 72-column text, or the same rows and lines as
 * HTML for the bundle's page (so the page's tables carry the letter's
 * numbers: one renderer, two forms).
 */
struct lout {
	FILE *f;
	bool html;
};

const char *lt_sid(json_t *m, size_t k);
/* Per-repetition values of key in an op's run object (NAN kept). */
size_t lt_rep_vals(json_t *run, const char *key, double *v, size_t max);
/*
 * The same, one slot per run of the side (ntotal): a run in which the op
 * finished no call shows "-", not a shorter row.
 */
size_t lt_rep_vals_at(json_t *run, const char *key, double *v, size_t ntotal);
bool lt_all_nan(const double *v, size_t n);
bool lt_any_pos(const double *v, size_t n);
/* The op's short name in a point's table: "alloc", "truncate". */
const char *lt_opname(json_t *blk);
/* Fewest finished ops a repetition of this op had on either side. */
double lt_min_rep_count(json_t *blk, size_t k);
/* Run-level outcome values of run r: key of each rep_outcomes entry. */
size_t lt_out_vals(json_t *run, const char *key, double *v, size_t max);
/* The OOM killer's runs that killed nothing, per repetition. */
size_t lt_oom_nokill(json_t *run, double *v, size_t max);
/* Peak memcg usage in percent of the cap, per repetition. */
size_t lt_peak_pct(json_t *run, double *v, size_t max);
/* Sum of an op count key over a point's ops, per repetition of run k. */
size_t lt_ops_sum(json_t *m, size_t k, const char *key, double *v, size_t max);
size_t lt_count_pos(const double *v, size_t n);
/* Whether an op's caller was killed in some run of either side. */
bool lt_point_killed(json_t *m, size_t k);
bool lt_model_tcg(json_t *m);
/* "-63% [-65,-61]*": the table's short form of a test's change. */
void lt_short_change(char *buf, size_t len, json_t *t, const char *metric);
/* One side's cell: each run's value (<= PER_RUN_MAX runs), else mean +- sd. */
void lt_cell(char *buf, size_t len, const double *v, size_t n, double div);
/* The compact table of one point, run k against the first. */
void lt_point_table(struct lout *f, json_t *m, const char *name, size_t k, bool tcg);
/* The letter's paragraph: wrapped text, or one HTML paragraph. */
void lt_wrap(struct lout *o, const char *first, const char *cont, const char *text);

#endif
