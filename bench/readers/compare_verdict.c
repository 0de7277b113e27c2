/*
 * Comparison of runs, the verdict: the significant changes of a model, each
 * in one line that names the metric, the change with its interval and the
 * test; and Holm's correction over a family of tests (one comparison, or
 * every point of a letter).
 */
#include "compare.h"
#include "compare_impl.h"
#include "signif.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/*
 * One verdict line: "vmalloc-nofail/alloc reclaim rounds per call: B
 * -62.8% [-64.1%, -61.4%] vs A (A 35928, B 13353; 3+3 runs; Welch's t on
 * logs, p 0.0004)". The means are the tested ones (means of the runs'
 * values), the interval and p adjusted over the family.
 */
static void verdict_text(char *buf, size_t len, const char *block, const char *metric,
			 json_t *t, const char *ida, const char *idb)
{
	char va[32], vb[32], eff[96];

	cmp_fmt_change_ci(eff, sizeof(eff), t, metric);
	cmp_fmt_value(va, sizeof(va), metric, json_number_value(json_object_get(t, "mean_a")));
	cmp_fmt_value(vb, sizeof(vb), metric, json_number_value(json_object_get(t, "mean_b")));
	snprintf(buf, len, "%s %s: %s %s vs %s (%s %s, %s %s; %" JSON_INTEGER_FORMAT "+%"
		 JSON_INTEGER_FORMAT " runs; Welch's t%s, p %.2g)",
		 block, cmp_metric_what(metric), idb, eff, ida, ida, va, idb, vb,
		 json_integer_value(json_object_get(t, "n_a")),
		 json_integer_value(json_object_get(t, "n_b")),
		 strcmp(json_string_value(json_object_get(t, "test")) ?: "", "welch-log") ? "" : " on logs",
		 json_number_value(json_object_get(t, "p_holm")));
}

/* Whether test t is significant, and its direction (-1, 0, +1). */
static int sig_dir(json_t *t)
{
	double e = json_number_value(json_object_get(t, "est"));

	if (!json_is_true(json_object_get(t, "significant")))
		return 0;
	return e > 0 ? 1 : e < 0 ? -1 : 0;
}

/*
 * The verdict: the significant changes of every column. A stall kind's
 * total per run that moved the way an op's stall time per call moved says
 * the same thing twice: it stays marked in its table, not in the verdict.
 */
static json_t *verdict_model(json_t *m)
{
	static const char *const groups[] = { "ops", "stalls" };
	json_t *runs = json_object_get(m, "runs"), *out = json_array();
	size_t k, g, i;

	for (k = 1; k < json_array_size(runs); k++) {
		const char *ida = json_string_value(json_object_get(json_array_get(runs, 0), "id"));
		const char *idb = json_string_value(json_object_get(json_array_get(runs, k), "id"));
		bool op_stall[3] = { false, false, false };	/* by direction + 1 */
		json_t *blk;

		json_array_foreach(json_object_get(m, "ops"), i, blk)
			op_stall[sig_dir(rr_json_get(json_array_get(json_object_get(blk, "vs_first"), k),
						     "tests.stall")) + 1] = true;
		op_stall[1] = false;	/* "no significant stall change" dedups nothing */
		for (g = 0; g < 2; g++) {
			json_array_foreach(json_object_get(m, groups[g]), i, blk) {
				json_t *v = json_array_get(json_object_get(blk, "vs_first"), k), *t;
				const char *metric;

				json_object_foreach(json_object_get(v, "tests"), metric, t) {
					char line[512];

					if (!json_is_true(json_object_get(t, "significant")))
						continue;
					if (g == 1 && sig_dir(t) && op_stall[sig_dir(t) + 1])
						continue;
					/* an op's stall time that moved with its latency:
					 * the call's time is its stall, said once */
					if (g == 0 && !strcmp(metric, "stall") && sig_dir(t) &&
					    sig_dir(rr_json_get(v, "tests.latency")) == sig_dir(t))
						continue;
					verdict_text(line, sizeof(line),
						     json_string_value(json_object_get(blk, "name")),
						     metric, t, ida, idb);
					json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:O,s:s}",
						"vs", idb, "block", json_string_value(json_object_get(blk, "name")),
						"metric", metric, "test", t, "text", line));
				}
			}
		}
	}
	return out;
}

/*
 * Holm's adjustment over every test of every model given (a letter's
 * points, every column of each): the family is what one reader reads, so
 * an A/A letter of many points, ops and stall kinds stays unmarked with
 * probability 1 - alpha, not each test on its own. Each test's interval is
 * redrawn at the level its adjusted p implies (1 - alpha * p / p_holm), so
 * it leaves out "no change" exactly when the test is significant. Sets
 * p_holm, significant, ci_adj, each model's family size and verdict.
 */
int cmp_family_adjust(json_t **models, size_t nm, double alpha)
{
	static const char *const groups[] = { "ops", "stalls" };
	size_t max = 0, n = 0, i, g, mi, k;
	json_t **t = NULL, *blk, *x;
	double *p = NULL;
	const char *key;
	int ret = -ENOMEM;

	for (int pass = 0; pass < 2; pass++) {
		n = 0;
		for (mi = 0; mi < nm; mi++)
			for (g = 0; g < 2; g++)
				json_array_foreach(json_object_get(models[mi], groups[g]), i, blk)
					json_array_foreach(json_object_get(blk, "vs_first"), k, x) {
						json_t *tt;

						json_object_foreach(json_object_get(x, "tests"), key, tt) {
							json_object_set_new(tt, "significant", json_false());
							if (!json_is_number(json_object_get(tt, "p")))
								continue;
							if (pass) {
								t[n] = tt;
								p[n] = json_number_value(json_object_get(tt, "p"));
							}
							n++;
						}
					}
		if (pass)
			break;
		max = n;
		t = malloc((max + 1) * sizeof(*t));
		p = malloc((max + 1) * sizeof(*p));
		if (!t || !p)
			goto out;
	}
	if (holm_adjust(p, n) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		double p0 = json_number_value(json_object_get(t[i], "p"));
		double est = json_number_value(json_object_get(t[i], "est"));
		double se = json_number_value(json_object_get(t[i], "se"));
		double df = json_number_value(json_object_get(t[i], "df"));
		double lvl = p[i] > 0.0 && p0 > 0.0 ? alpha * p0 / p[i] : alpha / (double)n;
		double q = student_t_quantile2(lvl, df), lo = est - q * se, hi = est + q * se;
		bool islog = !strcmp(json_string_value(json_object_get(t[i], "test")) ?: "",
				     "welch-log");

		json_object_set_new(t[i], "p_holm", json_real(p[i]));
		json_object_set_new(t[i], "significant", json_boolean(p[i] < alpha));
		json_object_set_new(t[i], "ci_level", jreal(1.0 - lvl));
		json_object_set_new(t[i], "ci_adj", json_pack("[o,o]", jreal(islog ? exp(lo) : lo),
							       jreal(islog ? exp(hi) : hi)));
	}
	for (mi = 0; mi < nm; mi++) {
		json_t *cols = json_object_get(models[mi], "columns");

		json_object_set_new(models[mi], "family_tests", json_integer((json_int_t)n));
		json_object_set_new(models[mi], "family_models", json_integer((json_int_t)nm));
		json_array_foreach(cols, k, x) {
			size_t c = 0;

			for (g = 0; g < 2; g++)
				json_array_foreach(json_object_get(models[mi], groups[g]), i, blk) {
					json_t *tt;

					json_object_foreach(rr_json_get(json_array_get(
						json_object_get(blk, "vs_first"), k), "tests"), key, tt)
						c += json_is_number(json_object_get(tt, "p"));
				}
			json_object_set_new(x, "tests", json_integer((json_int_t)c));
		}
		json_object_set_new(models[mi], "verdict", verdict_model(models[mi]));
	}
	ret = 0;
out:
	free(t);
	free(p);
	return ret;
}
