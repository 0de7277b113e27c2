/*
 * The cover letter's table of one point: A, B, the change with its
 * adjusted interval, every run's value while a side has at most 5 runs
 * (mean +- stddev above), in cells of 16 columns, as text or HTML rows.
 */
#include "compare.h"
#include "compare_impl.h"
#include "compare_letter.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PER_RUN_MAX	5	/* runs a side shows one by one */

#define CELL_WIDTH	16	/* a side's column in a point's table */

static int figures = 3;	/* fmt3's significant figures: 2 when a cell would not fit */

/* A number in 3 figures with k/M above 10000: "35.9k", "8.23", "0.5". */
static void fmt3(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (figures == 2 && !isnan(v)) {
		if (a >= 1e7)
			snprintf(buf, len, "%.2gM", v / 1e6);
		else if (a >= 1e4)
			snprintf(buf, len, "%.2gk", v / 1e3);
		else
			snprintf(buf, len, "%.2g", v);
		return;
	}

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (a >= 1e7)
		snprintf(buf, len, "%.3gM", v / 1e6);
	else if (a >= 1e4)
		snprintf(buf, len, "%.3gk", v / 1e3);
	else if (a >= 100 || v == floor(v))
		snprintf(buf, len, "%.0f", v);
	else if (a < 1)
		snprintf(buf, len, "%.2g", v);
	else
		snprintf(buf, len, "%.3g", v);
}

/* One side's cell: each run's value (<= PER_RUN_MAX runs), else mean +- sd. */
void lt_cell(char *buf, size_t len, const double *v, size_t n, double div)
{
	size_t i, used = 0, nn = 0;
	double s = 0, s2 = 0;
	char x[24], y[24];
	bool same = n > 1;

	/* the same at the precision shown counts as the same */
	fmt3(y, sizeof(y), n ? v[0] / div : NAN);
	for (i = 0; i < n; i++) {
		fmt3(x, sizeof(x), v[i] / div);
		same &= !isnan(v[i]) && !strcmp(x, y);
	}
	if (!n) {
		snprintf(buf, len, "-");
		return;
	}
	if (same && n > 2) {	/* "35.9k (all 3)": the same in every run */
		fmt3(x, sizeof(x), v[0] / div);
		snprintf(buf, len, "%s (all %zu)", x, n);
		return;
	}
	if (n <= PER_RUN_MAX) {
		/* every run's value; in 2 figures if 3 overflow the column */
		for (figures = 3; figures >= 2; figures--) {
			buf[0] = '\0';
			used = 0;
			for (i = 0; i < n && used < len; i++) {
				fmt3(x, sizeof(x), v[i] / div);
				used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "", x);
			}
			if (used <= CELL_WIDTH)
				break;
		}
		figures = 3;
		return;
	}
	for (i = 0; i < n; i++)
		if (!isnan(v[i])) {
			s += v[i];
			s2 += v[i] * v[i];
			nn++;
		}
	fmt3(x, sizeof(x), nn ? s / (double)nn / div : NAN);
	fmt3(y, sizeof(y), nn > 1 ? sqrt(fmax(0.0, (s2 - s * s / (double)nn) / (double)(nn - 1))) / div :
	     NAN);
	snprintf(buf, len, "%s+-%s", x, y);
}

/* Unit for times up to max ns: divisor and name. */
static double tunit(double max, const char **name)
{
	if (max >= 1e9) {
		*name = "s";
		return 1e9;
	}
	if (max >= 1e6) {
		*name = "ms";
		return 1e6;
	}
	*name = "us";
	return 1e3;
}

struct lrow {
	char label[64];
	char a[128], b[128], ch[128];
};

static void print_row(struct lout *o, const struct lrow *r)
{
	char line[600];
	FILE *f = o->f;

	if (o->html) {
		const char *cells[] = { r->label, r->a, r->b, r->ch };

		fputs("<tr>", f);
		for (size_t i = 0; i < 4; i++) {
			fputs(i ? "<td>" : "<th>", f);
			cmp_html_esc(f, cells[i]);
			fputs(i ? "</td>" : "</th>", f);
		}
		fputs("</tr>\n", f);
		return;
	}
	snprintf(line, sizeof(line), "%-21.21s %-16s %-16s %s", r->label, r->a, r->b, r->ch);
	while (strlen(line) && line[strlen(line) - 1] == ' ')
		line[strlen(line) - 1] = '\0';
	if (strlen(line) > CMP_WIDTH)	/* the change, on a line of its own */
		fprintf(f, "%-21.21s %-16s %s\n%72s\n", r->label, r->a, r->b, r->ch);
	else
		fprintf(f, "%s\n", line);
}

/* "-63% [-65,-61]*": the table's short form of a test's change. */
void lt_short_change(char *buf, size_t len, json_t *t, const char *metric)
{
	char full[96], c[32], l[32], h[32];

	if (!t || !json_is_number(json_object_get(t, "p"))) {
		snprintf(buf, len, "%s", t ? "" : "");
		return;
	}
	cmp_fmt_change_ci(full, sizeof(full), t, metric);
	if (sscanf(full, "%31s [%31[^,], %31[^]]]", c, l, h) == 3 && strchr(l, '%') &&
	    strchr(h, '%')) {
		/* the interval's ends in whole percent, no plus: the change has its sign */
		snprintf(buf, len, "%s [%.0f,%.0f]%s", c, strtod(l, NULL) + 0.0,
			 strtod(h, NULL) + 0.0,
			 json_is_true(json_object_get(t, "significant")) ? "*" : "");
	} else {
		snprintf(buf, len, "%s", full);
	}
}

/* A row from per-repetition values of runs 0 and k of an op, with its test. */
static void op_row(struct lout *f, json_t *blk, size_t k, const size_t nrun[2], const char *label,
		   const char *key, const char *metric, bool time, double div_fixed,
		   const char *unit_fixed)
{
	json_t *ra = json_array_get(json_object_get(blk, "runs"), 0);
	json_t *rb = json_array_get(json_object_get(blk, "runs"), k);
	json_t *t = metric ? rr_json_get(json_array_get(json_object_get(blk, "vs_first"), k),
					 "tests") : NULL;
	double va[64], vb[64], mx = 0, div = div_fixed;
	size_t na = lt_rep_vals_at(ra, key, va, nrun[0]), nb = lt_rep_vals_at(rb, key, vb, nrun[1]), i;
	const char *u = unit_fixed;
	struct lrow r;

	if (metric)
		t = json_object_get(t, metric);
	for (i = 0; i < na; i++)
		mx = isnan(va[i]) ? mx : fmax(mx, va[i]);
	for (i = 0; i < nb; i++)
		mx = isnan(vb[i]) ? mx : fmax(mx, vb[i]);
	if (time)
		div = tunit(mx, &u);
	snprintf(r.label, sizeof(r.label), "%s%s%s", label, u ? " " : "", u ? u : "");
	lt_cell(r.a, sizeof(r.a), va, na, div);
	lt_cell(r.b, sizeof(r.b), vb, nb, div);
	lt_short_change(r.ch, sizeof(r.ch), t, metric ? metric : "");
	print_row(f, &r);
}

/* A run-level row (outcomes): values only, no test. */
static void out_row(struct lout *f, const char *label, const double *va, size_t na, const double *vb,
		    size_t nb, const char *suffix)
{
	struct lrow r;

	snprintf(r.label, sizeof(r.label), "%s", label);
	lt_cell(r.a, sizeof(r.a), va, na, 1);
	lt_cell(r.b, sizeof(r.b), vb, nb, 1);
	if (suffix) {
		strncat(r.a, suffix, sizeof(r.a) - strlen(r.a) - 1);
		strncat(r.b, suffix, sizeof(r.b) - strlen(r.b) - 1);
	}
	r.ch[0] = '\0';
	print_row(f, &r);
}

/* The compact table of one point, run k against the first. */
void lt_point_table(struct lout *f, json_t *m, const char *name, size_t k, bool tcg)
{
	json_t *ra = json_array_get(json_object_get(m, "runs"), 0);
	json_t *rb = json_array_get(json_object_get(m, "runs"), k);
	double va[64], vb[64];
	size_t na, nb, i;
	size_t nrun[2] = { json_array_size(json_object_get(ra, "rep_outcomes")),
			   json_array_size(json_object_get(rb, "rep_outcomes")) };
	json_t *blk;
	char title[256];
	struct lrow h;

	nrun[0] = nrun[0] > 64 ? 64 : nrun[0];
	nrun[1] = nrun[1] > 64 ? 64 : nrun[1];

	(void)tcg;	/* the verdict's head says what the times are */
	snprintf(title, sizeof(title), "%s (%zu+%zu runs%s%s%s%s)", name,
		 json_array_size(json_object_get(ra, "rep_outcomes")),
		 json_array_size(json_object_get(rb, "rep_outcomes")),
		 json_array_size(json_object_get(m, "runs")) > 2 ? ", " : "",
		 json_array_size(json_object_get(m, "runs")) > 2 ? lt_sid(m, k) : "",
		 json_array_size(json_object_get(m, "runs")) > 2 ? " vs " : "",
		 json_array_size(json_object_get(m, "runs")) > 2 ? lt_sid(m, 0) : "");
	if (f->html) {
		fputs("<table class=\"point\"><caption>", f->f);
		cmp_html_esc(f->f, title);
		fputs("</caption>\n", f->f);
	} else {
		fputc('\n', f->f);
		lt_wrap(f, "", "  ", title);
	}
	snprintf(h.label, sizeof(h.label), "%s", "");
	snprintf(h.a, sizeof(h.a), "%s", lt_sid(m, 0));
	snprintf(h.b, sizeof(h.b), "%s", lt_sid(m, k));
	snprintf(h.ch, sizeof(h.ch), "change [95%% adj]");
	print_row(f, &h);
	/* outcomes first */
	na = lt_out_vals(ra, "oom_kills", va, 64);
	nb = lt_out_vals(rb, "oom_kills", vb, 64);
	if ((lt_any_pos(va, na) || lt_any_pos(vb, nb)) && !lt_point_killed(m, k))
		out_row(f, "OOM kills", va, na, vb, nb, NULL);
	na = lt_oom_nokill(ra, va, 64);
	nb = lt_oom_nokill(rb, vb, 64);
	if (lt_any_pos(va, na) || lt_any_pos(vb, nb))
		out_row(f, "OOM, no kill", va, na, vb, nb, NULL);
	na = lt_peak_pct(ra, va, 64);
	nb = lt_peak_pct(rb, vb, 64);
	for (i = 0; i < na + nb; i++)
		if ((i < na ? va[i] : vb[i - na]) > 100.5) {
			out_row(f, "peak % of cap", va, na, vb, nb, NULL);
			break;
		}
	json_array_foreach(json_object_get(m, "ops"), i, blk) {
		json_t *a = json_array_get(json_object_get(blk, "runs"), 0);
		json_t *b = json_array_get(json_object_get(blk, "runs"), k);
		json_t *tests = rr_json_get(json_array_get(json_object_get(blk, "vs_first"), k), "tests");
		static const char *const outs[] = { "killed", "null", "enomem" };
		static const char *const outl[] = { "killed", "NULL", "ENOMEM" };
		double few = lt_min_rep_count(blk, k);
		char lab[40];

		if (!json_is_object(tests))
			continue;	/* an op one side never ran */
		for (size_t q = 0; q < 3; q++) {
			na = lt_rep_vals_at(a, outs[q], va, nrun[0]);
			nb = lt_rep_vals_at(b, outs[q], vb, nrun[1]);
			if (lt_any_pos(va, na) || lt_any_pos(vb, nb)) {
				snprintf(lab, sizeof(lab), "%s %s", lt_opname(blk), outl[q]);
				out_row(f, lab, va, na, vb, nb, NULL);
			}
		}
		na = lt_rep_vals(a, "rounds_per_op", va, 64);
		nb = lt_rep_vals(b, "rounds_per_op", vb, 64);
		if ((few < 100 && (lt_any_pos(va, na) || lt_any_pos(vb, nb))) ||
		    json_is_true(rr_json_get(tests, "rounds.significant"))) {
			snprintf(lab, sizeof(lab), "%s rounds", lt_opname(blk));
			op_row(f, blk, k, nrun, lab, "rounds_per_op", "rounds", false, 1, NULL);
		}
		/* throughput: tested for every op, shown here when it moved */
		na = lt_rep_vals(a, "ops_s", va, 64);
		if (!lt_all_nan(va, na) && json_is_true(rr_json_get(tests, "ops_s.significant"))) {
			snprintf(lab, sizeof(lab), "%s ops/s", lt_opname(blk));
			op_row(f, blk, k, nrun, lab, "ops_s", "ops_s", false, 1, NULL);
		}
		na = lt_rep_vals(a, "p99", va, 64);
		if (!lt_all_nan(va, na) && json_object_get(tests, "p99")) {
			snprintf(lab, sizeof(lab), "%s p99", lt_opname(blk));
			op_row(f, blk, k, nrun, lab, "p99", "p99", true, 1, NULL);
		}
		/* a few calls per run: each call's time; many: the p99 row above
		 * (stall, sleep and the geometric mean are in the verdict and
		 * the appendix) */
		if (few < 100) {
			snprintf(lab, sizeof(lab), "%s time", lt_opname(blk));
			op_row(f, blk, k, nrun, lab, "gmean", "latency", true, 1, NULL);
		}
	}
	/* the share of reclaim rounds that reclaimed nothing, per stall kind of the run */
	json_array_foreach(json_object_get(m, "stalls"), i, blk) {
		const char *sn = json_string_value(json_object_get(blk, "name"));
		json_t *a = json_array_get(json_object_get(blk, "runs"), 0);
		json_t *b = json_array_get(json_object_get(blk, "runs"), k);
		double pa = json_number_value(json_object_get(a, "no_progress_pct"));
		double pb = json_number_value(json_object_get(b, "no_progress_pct"));
		struct lrow r;

		/* shown where some round reclaimed nothing (the appendix has all) */
		if (!sn || strncmp(sn, "run/", 4) || !(pa >= 0.5 || pb >= 0.5))
			continue;
		char ca[24], cb[24];

		snprintf(r.label, sizeof(r.label), "%s 0-progress rnds", sn + 4);
		fmt3(ca, sizeof(ca), (double)json_integer_value(json_object_get(a, "count")));
		fmt3(cb, sizeof(cb), (double)json_integer_value(json_object_get(b, "count")));
		if (json_is_number(json_object_get(a, "no_progress_pct")))
			snprintf(r.a, sizeof(r.a), "%.0f%% of %s", pa, ca);
		else
			snprintf(r.a, sizeof(r.a), "-");
		if (json_is_number(json_object_get(b, "no_progress_pct")))
			snprintf(r.b, sizeof(r.b), "%.0f%% of %s", pb, cb);
		else
			snprintf(r.b, sizeof(r.b), "-");
		r.ch[0] = '\0';
		print_row(f, &r);
	}
	if (f->html)
		fputs("</table>\n", f->f);
}
