/*
 * What the cover letter reads of a model: a run's per-repetition values of
 * an op or an outcome, sums over a point's ops, and the facts of a point
 * (killed callers, TCG). Reads numbers, formats nothing.
 */
#include "compare.h"
#include "compare_impl.h"
#include "compare_letter.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *lt_sid(json_t *m, size_t k)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(m, "runs"), k), "id"));
}

/* Per-repetition values of key in an op's run object (NAN kept). */
size_t lt_rep_vals(json_t *run, const char *key, double *v, size_t max)
{
	json_t *r;
	size_t i, n = 0;

	json_array_foreach(json_object_get(run, "reps"), i, r)
		if (n < max)
			v[n++] = json_is_number(json_object_get(r, key)) ?
				json_number_value(json_object_get(r, key)) : NAN;
	return n;
}

/*
 * The same, one slot per run of the side (ntotal): a run in which the op
 * finished no call shows "-", not a shorter row.
 */
size_t lt_rep_vals_at(json_t *run, const char *key, double *v, size_t ntotal)
{
	json_t *r;
	size_t i;

	for (i = 0; i < ntotal; i++)
		v[i] = NAN;
	json_array_foreach(json_object_get(run, "reps"), i, r) {
		json_int_t k = json_integer_value(json_object_get(r, "rep"));

		if (k >= 1 && (size_t)k <= ntotal)
			v[k - 1] = json_is_number(json_object_get(r, key)) ?
				json_number_value(json_object_get(r, key)) : NAN;
	}
	return ntotal;
}

bool lt_all_nan(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			return false;
	return true;
}

bool lt_any_pos(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] > 0)
			return true;
	return false;
}

/* The op's short name in a point's table: "alloc", "truncate". */
const char *lt_opname(json_t *blk)
{
	const char *n = json_string_value(json_object_get(blk, "name"));
	const char *s = n ? strchr(n, '/') : NULL;

	return s ? s + 1 : n ? n : "?";
}

/* Fewest finished ops a repetition of this op had on either side. */
double lt_min_rep_count(json_t *blk, size_t k)
{
	double v[64], mn = INFINITY;
	size_t n, i, s;

	for (s = 0; s < 2; s++) {
		n = lt_rep_vals(json_array_get(json_object_get(blk, "runs"), s ? k : 0), "count", v, 64);
		for (i = 0; i < n; i++)
			mn = fmin(mn, v[i]);
		if (!n)
			mn = 0;
	}
	return mn;
}

/* Run-level outcome values of run r: key of each rep_outcomes entry. */
size_t lt_out_vals(json_t *run, const char *key, double *v, size_t max)
{
	json_t *o;
	size_t i, n = 0;

	json_array_foreach(json_object_get(run, "rep_outcomes"), i, o)
		if (n < max)
			v[n++] = json_is_number(json_object_get(o, key)) ?
				json_number_value(json_object_get(o, key)) : NAN;
	return n;
}

/* The OOM killer's runs that killed nothing, per repetition. */
size_t lt_oom_nokill(json_t *run, double *v, size_t max)
{
	double k[64];
	size_t n = lt_out_vals(run, "oom_events", v, max), i;

	lt_out_vals(run, "oom_kill", k, 64);
	for (i = 0; i < n; i++)
		v[i] = isnan(v[i]) || isnan(k[i]) ? NAN : fmax(0.0, v[i] - k[i]);
	return n;
}

/* Peak memcg usage in percent of the cap, per repetition. */
size_t lt_peak_pct(json_t *run, double *v, size_t max)
{
	double c[64];
	size_t n = lt_out_vals(run, "peak_bytes", v, max), i;

	lt_out_vals(run, "cap_bytes", c, 64);
	for (i = 0; i < n; i++)
		v[i] = c[i] > 0 ? 100.0 * v[i] / c[i] : NAN;
	return n;
}

/* Sum of an op count key over a point's ops, per repetition of run k. */
size_t lt_ops_sum(json_t *m, size_t k, const char *key, double *v, size_t max)
{
	json_t *blk;
	size_t i, j, n = 0;

	json_array_foreach(json_object_get(m, "ops"), i, blk) {
		double x[64];
		size_t nx = lt_rep_vals(json_array_get(json_object_get(blk, "runs"), k), key, x, 64);

		for (j = 0; j < nx && j < max; j++) {
			if (j >= n)
				v[n++] = 0;
			v[j] += isnan(x[j]) ? 0 : x[j];
		}
	}
	return n;
}

size_t lt_count_pos(const double *v, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += v[i] > 0;
	return c;
}

/* Whether an op's caller was killed in some run of either side. */
bool lt_point_killed(json_t *m, size_t k)
{
	double v[64];
	size_t n = lt_ops_sum(m, 0, "killed", v, 64);

	if (lt_count_pos(v, n))
		return true;
	n = lt_ops_sum(m, k, "killed", v, 64);
	return lt_count_pos(v, n) > 0;
}

bool lt_model_tcg(json_t *m)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(m, "runs"), i, r)
		if (!strcmp(json_string_value(json_object_get(r, "virt")) ?: "", "tcg"))
			return true;
	return false;
}
