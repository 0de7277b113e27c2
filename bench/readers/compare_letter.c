/*
 * Comparison of runs, the cover letter's body over several sweep points,
 * each a model of compare_model.c adjusted as one family
 * (cmp_family_adjust). Summary first: per point what the kernel did that
 * does not depend on the host's speed (kills, ENOMEM, NULL, OOM runs that
 * killed nothing, the charge forced past the cap, reclaim rounds and the
 * share that reclaimed nothing), then the significant changes, then one
 * compact table per point (compare_lettab.c), then the settings. Renders
 * numbers of the models only.
 */
#include "compare.h"
#include "compare_impl.h"
#include "compare_letter.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define VERDICT_MAX	3	/* changes a point names in the verdict */

/* The letter's paragraph: wrapped text, or one HTML paragraph. */
void lt_wrap(struct lout *o, const char *first, const char *cont, const char *text)
{
	FILE *f = o->f;

	if (o->html) {
		fprintf(f, "<p class=\"l%zu\">", strspn(first, " "));
		cmp_html_esc(f, first + strspn(first, " "));
		cmp_html_esc(f, text);
		fputs("</p>\n", f);
		return;
	}
	cmp_wrap(f, first, cont, text);
}

/* What run k did that the host's speed does not change, as a phrase. */
static void outcome_phrase(char *buf, size_t len, json_t *m, size_t k)
{
	json_t *run = json_array_get(json_object_get(m, "runs"), k);
	double v[64], mx = 0;
	size_t n, used = 0, i, reps = json_array_size(json_object_get(run, "rep_outcomes"));

	buf[0] = '\0';
#define ADD(...) (used += (size_t)snprintf(buf + used, used < len ? len - used : 0, __VA_ARGS__))
	double kv[64];
	size_t nk = lt_ops_sum(m, k, "killed", kv, 64);

	if (lt_count_pos(kv, nk))
		ADD("%scaller OOM-killed in %zu/%zu runs", used ? ", " : "", lt_count_pos(kv, nk), reps);
	n = lt_ops_sum(m, k, "null", v, 64);
	if (lt_count_pos(v, n))
		ADD("%sNULL from NOFAIL in %zu/%zu runs", used ? ", " : "", lt_count_pos(v, n), reps);
	n = lt_ops_sum(m, k, "enomem", v, 64);
	if (lt_count_pos(v, n))
		ADD("%sENOMEM in %zu/%zu runs", used ? ", " : "", lt_count_pos(v, n), reps);
	n = lt_out_vals(run, "oom_kills", v, 64);
	if (lt_count_pos(v, n) && !lt_count_pos(kv, nk))	/* the kills of no op's caller */
		ADD("%sOOM kills in %zu/%zu runs", used ? ", " : "", lt_count_pos(v, n), reps);
	n = lt_oom_nokill(run, v, 64);
	if (lt_count_pos(v, n)) {
		char c[64];

		lt_cell(c, sizeof(c), v, n, 1);
		ADD("%s%s memcg OOMs without a kill", used ? ", " : "", c);
	}
	n = lt_peak_pct(run, v, 64);
	for (i = 0; i < n; i++)
		mx = isnan(v[i]) ? mx : fmax(mx, v[i]);
	if (mx > 100.5)
		ADD("%scharged to %.0f%% of its cap", used ? ", " : "", mx);
	if (!used)
		ADD("no kill, ENOMEM, NULL or OOM");
#undef ADD
}

/* Metric order in the verdict: counts before times. */
static int metric_rank(const char *metric)
{
	static const char *const order[] = { "rounds", "ops_s", "p99", "latency", "stall",
					     "sleep", "sleep_at:", "total" };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (!strcmp(order[i], metric) ||
		    (!strcmp(order[i], "sleep_at:") && !strncmp(metric, "sleep_at:", 9)))
			return (int)i;
	return 99;
}

static int cmp_vline(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	int ra = metric_rank(json_string_value(json_object_get(a, "metric")));
	int rb = metric_rank(json_string_value(json_object_get(b, "metric")));
	double pa = json_number_value(rr_json_get(a, "test.p_holm"));
	double pb = json_number_value(rr_json_get(b, "test.p_holm"));

	if (ra != rb)
		return ra - rb;
	return pa < pb ? -1 : pa > pb;
}

/* A metric as the letter's verdict names it, short (time/call: a geometric mean). */
static const char *letter_what(const char *metric)
{
	static char at[160];	/* used before the next call */

	if (!strncmp(metric, "sleep_at:", 9)) {
		snprintf(at, sizeof(at), "asleep in %s/call", metric + 9);
		return at;
	}
	return !strcmp(metric, "latency") ? "time/call" :
	       !strcmp(metric, "rounds") ? "reclaim rounds/call" :
	       !strcmp(metric, "stall") ? "stall/call" :
	       !strcmp(metric, "sleep") ? "asleep/call" :
	       !strcmp(metric, "p99") ? "p99 per run" :
	       !strcmp(metric, "ops_s") ? "ops/s" : "stall total per run";
}

/* The tests of op block blk_name against run k (NULL: no such block). */
static json_t *op_tests(json_t *m, const char *blk_name, size_t k)
{
	json_t *blk, *tests = NULL;
	size_t i;

	json_array_foreach(json_object_get(m, "ops"), i, blk)
		if (!strcmp(json_string_value(json_object_get(blk, "name")) ?: "", blk_name))
			tests = rr_json_get(json_array_get(json_object_get(blk, "vs_first"), k), "tests");
	return tests;
}

/*
 * Behind a change in time asleep, the wait sites that moved it: the op's
 * sleep_at:SITE tests (significant or not), the two whose mean moved most,
 * each with both sides' time asleep there per call (the second only if it
 * moved a tenth as much as the first). buf gets e.g.
 * "where: balance_dirty_pages A 1.15ms, B 101ms; ..." or "" (none measured).
 */
static void sleep_sites(char *buf, size_t len, json_t *m, const char *blk_name, size_t k,
			const char *a_id, const char *b_id)
{
	json_t *tests = op_tests(m, blk_name, k), *t;
	const char *key, *best[2] = { NULL, NULL };
	double bd[2] = { 0, 0 };
	size_t i, o = 0;

	buf[0] = '\0';
	json_object_foreach(tests, key, t) {
		double d;

		if (strncmp(key, "sleep_at:", 9) || !strcmp(key + 9, "rest"))
			continue;
		d = fabs(json_number_value(json_object_get(t, "mean_b")) -
			 json_number_value(json_object_get(t, "mean_a")));
		if (d > bd[0]) {
			best[1] = best[0], bd[1] = bd[0];
			best[0] = key, bd[0] = d;
		} else if (d > bd[1]) {
			best[1] = key, bd[1] = d;
		}
	}
	if (bd[1] < bd[0] / 10)
		best[1] = NULL;	/* a site that hardly moved explains nothing */
	for (i = 0; i < 2 && best[i] && o < len; i++) {
		char va[32], vb[32];

		t = json_object_get(tests, best[i]);
		cmp_fmt_value(va, sizeof(va), "sleep", json_number_value(json_object_get(t, "mean_a")));
		cmp_fmt_value(vb, sizeof(vb), "sleep", json_number_value(json_object_get(t, "mean_b")));
		o += (size_t)snprintf(buf + o, len - o, "%s%s %s %s, %s %s", i ? "; " : "where: ",
				      best[i] + 9, a_id, va, b_id, vb);
	}
}

/*
 * How much time asleep per second of run a verdict line's change in time
 * asleep per call moved: |B's sleep/call - A's| x the op's calls/s (the mean
 * of both sides' ops/s, so a fall in throughput alone moves nothing). A
 * change of +2000% on a rare op can move less time than +20% on a busy one.
 * An op without an ops/s on both sides (under 10 calls a run) scores 0: it
 * ranks after every op that has one, and among such ops the least p wins.
 */
static double sleep_moved(json_t *m, json_t *line, size_t k)
{
	json_t *t = json_object_get(line, "test");
	json_t *ops = json_object_get(op_tests(m, json_string_value(json_object_get(line, "block")) ?: "",
					       k), "ops_s");
	json_t *ra = json_object_get(ops, "mean_a"), *rb = json_object_get(ops, "mean_b");

	if (!json_is_number(ra) || !json_is_number(rb))
		return 0;
	return fabs(json_number_value(json_object_get(t, "mean_b")) -
		    json_number_value(json_object_get(t, "mean_a"))) *
	       (json_number_value(ra) + json_number_value(rb)) / 2;
}

/* One point's verdict against run k: outcomes, then its significant changes. */
static void point_verdict(struct lout *f, json_t *m, const char *name, size_t k)
{
	json_t *v, *lines[256];
	size_t i, n = 0, ntests, best;
	double best_sc = 0;
	char pa[512], pb[512], line[1200], eff[96];

	/* beside more than one other run, each block says which pair it is */
	if (json_array_size(json_object_get(m, "runs")) > 2)
		snprintf(line, sizeof(line), "%s, %s vs %s", name, lt_sid(m, k), lt_sid(m, 0));
	else
		snprintf(line, sizeof(line), "%s", name);
	if (f->html) {
		fputs("<h3>", f->f);
		cmp_html_esc(f->f, line);
		fputs("</h3>\n", f->f);
	} else {
		fprintf(f->f, "%s:\n", line);
	}
	outcome_phrase(pa, sizeof(pa), m, 0);
	outcome_phrase(pb, sizeof(pb), m, k);
	if (!strcmp(pa, pb))
		snprintf(line, sizeof(line), "%s and %s: %s.", lt_sid(m, 0), lt_sid(m, k), pa);
	else
		snprintf(line, sizeof(line), "%s: %s. %s: %s.", lt_sid(m, 0), pa, lt_sid(m, k), pb);
	lt_wrap(f, "  ", "    ", line);
	ntests = (size_t)json_integer_value(json_object_get(json_array_get(json_object_get(m, "columns"),
										    k), "tests"));
	if (!json_is_true(json_object_get(m, "comparable"))) {
		lt_wrap(f, "  ", "    ", "not comparable: not the same experiment");
		return;
	}
	if (!json_is_true(json_object_get(json_array_get(json_object_get(m, "columns"), k),
					  "testable"))) {
		lt_wrap(f, "  ", "    ", "not tested: a side has fewer than 2 runs");
		return;
	}
	json_array_foreach(json_object_get(m, "verdict"), i, v)
		if (!strcmp(json_string_value(json_object_get(v, "vs")) ?: "", lt_sid(m, k)) &&
		    n < 256)
			lines[n++] = v;
	qsort(lines, n, sizeof(*lines), cmp_vline);
	/* A change in time asleep always gets a line when there is one (its
	 * wait sites follow it), in the last place if the ranks left it out:
	 * of several, the one that moved the most time asleep per second. */
	best = n;
	for (i = 0; i < n; i++)
		if (!strcmp(json_string_value(json_object_get(lines[i], "metric")) ?: "", "sleep")) {
			double sc = sleep_moved(m, lines[i], k);

			if (best == n || sc > best_sc)
				best = i, best_sc = sc;
		}
	if (best < n && best >= VERDICT_MAX) {
		json_t *x = lines[VERDICT_MAX - 1];

		lines[VERDICT_MAX - 1] = lines[best];
		lines[best] = x;
	}
	if (!n) {
		snprintf(line, sizeof(line), "no significant change (%zu tests)", ntests);
		lt_wrap(f, "  ", "    ", line);
		return;
	}
	for (i = 0; i < n && i < VERDICT_MAX; i++) {
		const char *metric = json_string_value(json_object_get(lines[i], "metric"));
		const char *blk = json_string_value(json_object_get(lines[i], "block"));
		json_t *t = json_object_get(lines[i], "test");
		const char *op = strchr(blk, '/') ? strchr(blk, '/') + 1 : blk;
		char va[32], vb[32];

		lt_short_change(eff, sizeof(eff), t, metric);	/* the table's form */
		if (eff[0] && eff[strlen(eff) - 1] == '*')
			eff[strlen(eff) - 1] = '\0';	/* all of them are significant here */
		cmp_fmt_value(va, sizeof(va), metric, json_number_value(json_object_get(t, "mean_a")));
		cmp_fmt_value(vb, sizeof(vb), metric, json_number_value(json_object_get(t, "mean_b")));
		/* (a TCG time is said once, in the verdict's head) */
		snprintf(line, sizeof(line), "%s %s: %s (%s %s, %s %s, p %.1g)", op,
			 letter_what(metric),
			 eff, lt_sid(m, 0), va, lt_sid(m, k), vb,
			 json_number_value(json_object_get(t, "p_holm")));
		lt_wrap(f, "  ", "    ", line);
		if (!strcmp(metric, "sleep")) {
			/* on what: the sites behind the change, named */
			sleep_sites(line, sizeof(line), m, blk, k, lt_sid(m, 0), lt_sid(m, k));
			if (line[0])
				lt_wrap(f, "    ", "      ", line);
		}
	}
	if (n > VERDICT_MAX) {
		snprintf(line, sizeof(line), "and %zu more change%s, marked * in the table",
			 n - VERDICT_MAX, n - VERDICT_MAX == 1 ? "" : "s");
		lt_wrap(f, "  ", "    ", line);
	}
}

/* The mm settings that differ (every run's value) and what they change. */
static void letter_settings(struct lout *f, json_t *m)
{
	json_t *v, *x, *runs = json_object_get(m, "runs");
	char line[1024];
	size_t i, k, used = 0;

	line[0] = '\0';
	json_array_foreach(json_object_get(m, "mm_differs"), i, v) {
		used += (size_t)snprintf(line + used, used < sizeof(line) ? sizeof(line) - used : 0,
					 "%s%s", i ? "; " : "", json_string_value(json_object_get(v, "key")));
		json_array_foreach(json_object_get(v, "values"), k, x)
			used += (size_t)snprintf(line + used, used < sizeof(line) ? sizeof(line) - used : 0,
				" %s=%s", json_string_value(json_object_get(json_array_get(runs, k), "id")),
				json_string_value(x));
	}
	if (used)
		lt_wrap(f, "mm settings that differ: ", "  ", line);
	json_array_foreach(json_object_get(m, "notes"), i, v)
		lt_wrap(f, "note: ", "  ", json_string_value(v));
}

/* The letter's body into o (text or HTML). */
static int letter_body(struct lout *o, json_t **models, const char *const *names, size_t n,
		       const char *aa_rate)
{
	size_t i, k, nruns = n ? json_array_size(json_object_get(models[0], "runs")) : 0;
	json_int_t fam = n ? json_integer_value(json_object_get(models[0], "family_tests")) : 0;
	bool tcg = false;
	char line[1024];

	for (i = 0; i < n; i++)
		tcg |= lt_model_tcg(models[i]);
	snprintf(line, sizeof(line), "Verdict: changes in %% of %s [95%% interval]; p and intervals "
		 "Holm-adjusted over all %" JSON_INTEGER_FORMAT " tests of this letter (Welch's t "
		 "on per-run values; A/A false alarms: %s)%s.",
		 n ? lt_sid(models[0], 0) : "A", fam, aa_rate, tcg ? "; times are TCG wall clock" : "");
	lt_wrap(o, "", "  ", line);
	/* what a number cannot be read without (incomplete runs, lost events,
	 * another experiment): every point's, once */
	{
		json_t *seen = json_object(), *w;
		size_t q;

		for (i = 0; i < n; i++)
			json_array_foreach(json_object_get(models[i], "warnings"), q, w) {
				const char *t = json_string_value(w);

				if (!t || json_object_get(seen, t))
					continue;
				json_object_set_new(seen, t, json_true());
				if (strstr(t, "not the same experiment")) {
					snprintf(line, sizeof(line), "%s: %s", names[i], t);
					lt_wrap(o, "WARNING: ", "  ", line);
				} else {
					lt_wrap(o, "WARNING: ", "  ", t);
				}
			}
		json_decref(seen);
	}
	for (k = 1; k < nruns; k++)
		for (i = 0; i < n; i++)
			point_verdict(o, models[i], names[i], k);
	for (k = 1; k < nruns; k++)
		for (i = 0; i < n; i++)
			lt_point_table(o, models[i], names[i], k, tcg);
	lt_wrap(o, "", "", "* significant; time/call: gmean; 0-progress rnds: reclaimed nothing");
	if (n)
		letter_settings(o, models[0]);
	return ferror(o->f) ? -EIO : 0;
}

int cmp_print_letter(FILE *f, json_t **models, const char *const *names, size_t n,
		     const char *aa_rate)
{
	struct lout o = { .f = f, .html = false };

	return letter_body(&o, models, names, n, aa_rate);
}

int cmp_print_letter_html(FILE *f, json_t **models, const char *const *names, size_t n,
			  const char *aa_rate)
{
	struct lout o = { .f = f, .html = true };

	return letter_body(&o, models, names, n, aa_rate);
}
