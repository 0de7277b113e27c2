/*
 * Comparison of runs, part 4: the cover letter's body over several sweep
 * points, each a model of compare_model.c adjusted as one family
 * (cmp_family_adjust). Summary first: per point what the kernel did that
 * does not depend on the host's speed (kills, ENOMEM, NULL, OOM runs that
 * killed nothing, the charge forced past the cap, reclaim rounds and the
 * share that reclaimed nothing), then the significant changes, then one
 * compact table per point: A, B, the change with its adjusted interval,
 * every run's value while a side has at most 5 runs (mean +- stddev
 * above). Renders numbers of the models only.
 */
#include "compare.h"
#include "compare_impl.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH		72

/*
 * Where the letter goes: 72-column text, or the same rows and lines as
 * HTML for the bundle's page (so the page's tables carry the letter's
 * numbers: one renderer, two forms).
 */
struct lout {
	FILE *f;
	bool html;
};

void cmp_html_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}
#define PER_RUN_MAX	5	/* runs a side shows one by one */
#define VERDICT_MAX	3	/* changes a point names in the verdict */
#define CELL_WIDTH	16	/* a side's column in a point's table */

/* Prints text word-wrapped to WIDTH; continuation lines start with cont. */
static void lwrap(struct lout *o, const char *first, const char *cont, const char *text)
{
	size_t col = strlen(first), ind = strlen(cont);
	const char *p = text;
	bool empty = true;
	FILE *f = o->f;

	if (o->html) {
		fprintf(f, "<p class=\"l%zu\">", strspn(first, " "));
		cmp_html_esc(f, first + strspn(first, " "));
		cmp_html_esc(f, text);
		fputs("</p>\n", f);
		return;
	}
	fputs(first, f);
	while (*p) {
		size_t m;

		p += strspn(p, " ");
		m = strcspn(p, " ");
		if (!m)
			break;
		if (!empty && col + 1 + m > WIDTH) {
			fprintf(f, "\n%s", cont);
			col = ind;
			empty = true;
		}
		if (!empty) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, m, f);
		col += m;
		p += m;
		empty = false;
	}
	fputc('\n', f);
}

static const char *sid(json_t *m, size_t k)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(m, "runs"), k), "id"));
}

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
static void cell(char *buf, size_t len, const double *v, size_t n, double div)
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

/* Per-repetition values of key in an op's run object (NAN kept). */
static size_t rep_vals(json_t *run, const char *key, double *v, size_t max)
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
static size_t rep_vals_at(json_t *run, const char *key, double *v, size_t ntotal)
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

static bool all_nan(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			return false;
	return true;
}

static bool any_pos(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] > 0)
			return true;
	return false;
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
	if (strlen(line) > WIDTH)	/* the change, on a line of its own */
		fprintf(f, "%-21.21s %-16s %s\n%72s\n", r->label, r->a, r->b, r->ch);
	else
		fprintf(f, "%s\n", line);
}

/* "-63% [-65,-61]*": the table's short form of a test's change. */
static void short_change(char *buf, size_t len, json_t *t, const char *metric)
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
	size_t na = rep_vals_at(ra, key, va, nrun[0]), nb = rep_vals_at(rb, key, vb, nrun[1]), i;
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
	cell(r.a, sizeof(r.a), va, na, div);
	cell(r.b, sizeof(r.b), vb, nb, div);
	short_change(r.ch, sizeof(r.ch), t, metric ? metric : "");
	print_row(f, &r);
}

/* The op's short name in a point's table: "alloc", "truncate". */
static const char *opname(json_t *blk)
{
	const char *n = json_string_value(json_object_get(blk, "name"));
	const char *s = n ? strchr(n, '/') : NULL;

	return s ? s + 1 : n ? n : "?";
}

/* Fewest finished ops a repetition of this op had on either side. */
static double min_rep_count(json_t *blk, size_t k)
{
	double v[64], mn = INFINITY;
	size_t n, i, s;

	for (s = 0; s < 2; s++) {
		n = rep_vals(json_array_get(json_object_get(blk, "runs"), s ? k : 0), "count", v, 64);
		for (i = 0; i < n; i++)
			mn = fmin(mn, v[i]);
		if (!n)
			mn = 0;
	}
	return mn;
}

/* Run-level outcome values of run r: key of each rep_outcomes entry. */
static size_t out_vals(json_t *run, const char *key, double *v, size_t max)
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
static size_t oom_nokill(json_t *run, double *v, size_t max)
{
	double k[64];
	size_t n = out_vals(run, "oom_events", v, max), i;

	out_vals(run, "oom_kill", k, 64);
	for (i = 0; i < n; i++)
		v[i] = isnan(v[i]) || isnan(k[i]) ? NAN : fmax(0.0, v[i] - k[i]);
	return n;
}

/* Peak memcg usage in percent of the cap, per repetition. */
static size_t peak_pct(json_t *run, double *v, size_t max)
{
	double c[64];
	size_t n = out_vals(run, "peak_bytes", v, max), i;

	out_vals(run, "cap_bytes", c, 64);
	for (i = 0; i < n; i++)
		v[i] = c[i] > 0 ? 100.0 * v[i] / c[i] : NAN;
	return n;
}

/* Sum of an op count key over a point's ops, per repetition of run k. */
static size_t ops_sum(json_t *m, size_t k, const char *key, double *v, size_t max)
{
	json_t *blk;
	size_t i, j, n = 0;

	json_array_foreach(json_object_get(m, "ops"), i, blk) {
		double x[64];
		size_t nx = rep_vals(json_array_get(json_object_get(blk, "runs"), k), key, x, 64);

		for (j = 0; j < nx && j < max; j++) {
			if (j >= n)
				v[n++] = 0;
			v[j] += isnan(x[j]) ? 0 : x[j];
		}
	}
	return n;
}

static size_t count_pos(const double *v, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += v[i] > 0;
	return c;
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
	size_t nk = ops_sum(m, k, "killed", kv, 64);

	if (count_pos(kv, nk))
		ADD("%scaller OOM-killed in %zu/%zu runs", used ? ", " : "", count_pos(kv, nk), reps);
	n = ops_sum(m, k, "null", v, 64);
	if (count_pos(v, n))
		ADD("%sNULL from NOFAIL in %zu/%zu runs", used ? ", " : "", count_pos(v, n), reps);
	n = ops_sum(m, k, "enomem", v, 64);
	if (count_pos(v, n))
		ADD("%sENOMEM in %zu/%zu runs", used ? ", " : "", count_pos(v, n), reps);
	n = out_vals(run, "oom_kills", v, 64);
	if (count_pos(v, n) && !count_pos(kv, nk))	/* the kills of no op's caller */
		ADD("%sOOM kills in %zu/%zu runs", used ? ", " : "", count_pos(v, n), reps);
	n = oom_nokill(run, v, 64);
	if (count_pos(v, n)) {
		char c[64];

		cell(c, sizeof(c), v, n, 1);
		ADD("%s%s memcg OOMs without a kill", used ? ", " : "", c);
	}
	n = peak_pct(run, v, 64);
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
	json_t *blk, *tests = NULL, *t;
	const char *key, *best[2] = { NULL, NULL };
	double bd[2] = { 0, 0 };
	size_t i, o = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(m, "ops"), i, blk)
		if (!strcmp(json_string_value(json_object_get(blk, "name")) ?: "", blk_name))
			tests = rr_json_get(json_array_get(json_object_get(blk, "vs_first"), k), "tests");
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

/* One point's verdict against run k: outcomes, then its significant changes. */
static void point_verdict(struct lout *f, json_t *m, const char *name, size_t k)
{
	json_t *v, *lines[256];
	size_t i, n = 0, ntests;
	char pa[512], pb[512], line[1200], eff[96];

	/* beside more than one other run, each block says which pair it is */
	if (json_array_size(json_object_get(m, "runs")) > 2)
		snprintf(line, sizeof(line), "%s, %s vs %s", name, sid(m, k), sid(m, 0));
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
		snprintf(line, sizeof(line), "%s and %s: %s.", sid(m, 0), sid(m, k), pa);
	else
		snprintf(line, sizeof(line), "%s: %s. %s: %s.", sid(m, 0), pa, sid(m, k), pb);
	lwrap(f, "  ", "    ", line);
	ntests = (size_t)json_integer_value(json_object_get(json_array_get(json_object_get(m, "columns"),
										    k), "tests"));
	if (!json_is_true(json_object_get(m, "comparable"))) {
		lwrap(f, "  ", "    ", "not comparable: not the same experiment");
		return;
	}
	if (!json_is_true(json_object_get(json_array_get(json_object_get(m, "columns"), k),
					  "testable"))) {
		lwrap(f, "  ", "    ", "not tested: a side has fewer than 2 runs");
		return;
	}
	json_array_foreach(json_object_get(m, "verdict"), i, v)
		if (!strcmp(json_string_value(json_object_get(v, "vs")) ?: "", sid(m, k)) &&
		    n < 256)
			lines[n++] = v;
	qsort(lines, n, sizeof(*lines), cmp_vline);
	/* A change in time asleep always gets a line when there is one (its
	 * wait sites follow it), in the last place if the ranks left it out. */
	for (i = VERDICT_MAX; i < n; i++)
		if (!strcmp(json_string_value(json_object_get(lines[i], "metric")) ?: "", "sleep")) {
			size_t j;

			for (j = 0; j < VERDICT_MAX; j++)
				if (!strcmp(json_string_value(json_object_get(lines[j], "metric")) ?: "",
					    "sleep"))
					break;
			if (j == VERDICT_MAX) {
				json_t *x = lines[VERDICT_MAX - 1];

				lines[VERDICT_MAX - 1] = lines[i];
				lines[i] = x;
			}
			break;
		}
	if (!n) {
		snprintf(line, sizeof(line), "no significant change (%zu tests)", ntests);
		lwrap(f, "  ", "    ", line);
		return;
	}
	for (i = 0; i < n && i < VERDICT_MAX; i++) {
		const char *metric = json_string_value(json_object_get(lines[i], "metric"));
		const char *blk = json_string_value(json_object_get(lines[i], "block"));
		json_t *t = json_object_get(lines[i], "test");
		const char *op = strchr(blk, '/') ? strchr(blk, '/') + 1 : blk;
		char va[32], vb[32];

		short_change(eff, sizeof(eff), t, metric);	/* the table's form */
		if (eff[0] && eff[strlen(eff) - 1] == '*')
			eff[strlen(eff) - 1] = '\0';	/* all of them are significant here */
		cmp_fmt_value(va, sizeof(va), metric, json_number_value(json_object_get(t, "mean_a")));
		cmp_fmt_value(vb, sizeof(vb), metric, json_number_value(json_object_get(t, "mean_b")));
		/* (a TCG time is said once, in the verdict's head) */
		snprintf(line, sizeof(line), "%s %s: %s (%s %s, %s %s, p %.1g)", op,
			 letter_what(metric),
			 eff, sid(m, 0), va, sid(m, k), vb,
			 json_number_value(json_object_get(t, "p_holm")));
		lwrap(f, "  ", "    ", line);
		if (!strcmp(metric, "sleep")) {
			/* on what: the sites behind the change, named */
			sleep_sites(line, sizeof(line), m, blk, k, sid(m, 0), sid(m, k));
			if (line[0])
				lwrap(f, "    ", "      ", line);
		}
	}
	if (n > VERDICT_MAX) {
		snprintf(line, sizeof(line), "and %zu more change%s, marked * in the table",
			 n - VERDICT_MAX, n - VERDICT_MAX == 1 ? "" : "s");
		lwrap(f, "  ", "    ", line);
	}
}

/* A run-level row (outcomes): values only, no test. */
static void out_row(struct lout *f, const char *label, const double *va, size_t na, const double *vb,
		    size_t nb, const char *suffix)
{
	struct lrow r;

	snprintf(r.label, sizeof(r.label), "%s", label);
	cell(r.a, sizeof(r.a), va, na, 1);
	cell(r.b, sizeof(r.b), vb, nb, 1);
	if (suffix) {
		strncat(r.a, suffix, sizeof(r.a) - strlen(r.a) - 1);
		strncat(r.b, suffix, sizeof(r.b) - strlen(r.b) - 1);
	}
	r.ch[0] = '\0';
	print_row(f, &r);
}

/* Whether an op's caller was killed in some run of either side. */
static bool point_killed(json_t *m, size_t k)
{
	double v[64];
	size_t n = ops_sum(m, 0, "killed", v, 64);

	if (count_pos(v, n))
		return true;
	n = ops_sum(m, k, "killed", v, 64);
	return count_pos(v, n) > 0;
}

/* The compact table of one point, run k against the first. */
static void point_table(struct lout *f, json_t *m, const char *name, size_t k, bool tcg)
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
		 json_array_size(json_object_get(m, "runs")) > 2 ? sid(m, k) : "",
		 json_array_size(json_object_get(m, "runs")) > 2 ? " vs " : "",
		 json_array_size(json_object_get(m, "runs")) > 2 ? sid(m, 0) : "");
	if (f->html) {
		fputs("<table class=\"point\"><caption>", f->f);
		cmp_html_esc(f->f, title);
		fputs("</caption>\n", f->f);
	} else {
		fputc('\n', f->f);
		lwrap(f, "", "  ", title);
	}
	snprintf(h.label, sizeof(h.label), "%s", "");
	snprintf(h.a, sizeof(h.a), "%s", sid(m, 0));
	snprintf(h.b, sizeof(h.b), "%s", sid(m, k));
	snprintf(h.ch, sizeof(h.ch), "change [95%% adj]");
	print_row(f, &h);
	/* outcomes first */
	na = out_vals(ra, "oom_kills", va, 64);
	nb = out_vals(rb, "oom_kills", vb, 64);
	if ((any_pos(va, na) || any_pos(vb, nb)) && !point_killed(m, k))
		out_row(f, "OOM kills", va, na, vb, nb, NULL);
	na = oom_nokill(ra, va, 64);
	nb = oom_nokill(rb, vb, 64);
	if (any_pos(va, na) || any_pos(vb, nb))
		out_row(f, "OOM, no kill", va, na, vb, nb, NULL);
	na = peak_pct(ra, va, 64);
	nb = peak_pct(rb, vb, 64);
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
		double few = min_rep_count(blk, k);
		char lab[40];

		if (!json_is_object(tests))
			continue;	/* an op one side never ran */
		for (size_t q = 0; q < 3; q++) {
			na = rep_vals_at(a, outs[q], va, nrun[0]);
			nb = rep_vals_at(b, outs[q], vb, nrun[1]);
			if (any_pos(va, na) || any_pos(vb, nb)) {
				snprintf(lab, sizeof(lab), "%s %s", opname(blk), outl[q]);
				out_row(f, lab, va, na, vb, nb, NULL);
			}
		}
		na = rep_vals(a, "rounds_per_op", va, 64);
		nb = rep_vals(b, "rounds_per_op", vb, 64);
		if ((few < 100 && (any_pos(va, na) || any_pos(vb, nb))) ||
		    json_is_true(rr_json_get(tests, "rounds.significant"))) {
			snprintf(lab, sizeof(lab), "%s rounds", opname(blk));
			op_row(f, blk, k, nrun, lab, "rounds_per_op", "rounds", false, 1, NULL);
		}
		/* throughput: tested for every op, shown here when it moved */
		na = rep_vals(a, "ops_s", va, 64);
		if (!all_nan(va, na) && json_is_true(rr_json_get(tests, "ops_s.significant"))) {
			snprintf(lab, sizeof(lab), "%s ops/s", opname(blk));
			op_row(f, blk, k, nrun, lab, "ops_s", "ops_s", false, 1, NULL);
		}
		na = rep_vals(a, "p99", va, 64);
		if (!all_nan(va, na) && json_object_get(tests, "p99")) {
			snprintf(lab, sizeof(lab), "%s p99", opname(blk));
			op_row(f, blk, k, nrun, lab, "p99", "p99", true, 1, NULL);
		}
		/* a few calls per run: each call's time; many: the p99 row above
		 * (stall, sleep and the geometric mean are in the verdict and
		 * the appendix) */
		if (few < 100) {
			snprintf(lab, sizeof(lab), "%s time", opname(blk));
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

static bool model_tcg(json_t *m)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(m, "runs"), i, r)
		if (!strcmp(json_string_value(json_object_get(r, "virt")) ?: "", "tcg"))
			return true;
	return false;
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
		lwrap(f, "mm settings that differ: ", "  ", line);
	json_array_foreach(json_object_get(m, "notes"), i, v)
		lwrap(f, "note: ", "  ", json_string_value(v));
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
		tcg |= model_tcg(models[i]);
	snprintf(line, sizeof(line), "Verdict: changes in %% of %s [95%% interval]; p and intervals "
		 "Holm-adjusted over all %" JSON_INTEGER_FORMAT " tests of this letter (Welch's t "
		 "on per-run values; A/A false alarms: %s)%s.",
		 n ? sid(models[0], 0) : "A", fam, aa_rate, tcg ? "; times are TCG wall clock" : "");
	lwrap(o, "", "  ", line);
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
					lwrap(o, "WARNING: ", "  ", line);
				} else {
					lwrap(o, "WARNING: ", "  ", t);
				}
			}
		json_decref(seen);
	}
	for (k = 1; k < nruns; k++)
		for (i = 0; i < n; i++)
			point_verdict(o, models[i], names[i], k);
	for (k = 1; k < nruns; k++)
		for (i = 0; i < n; i++)
			point_table(o, models[i], names[i], k, tcg);
	lwrap(o, "", "", "* significant; time/call: gmean; 0-progress rnds: reclaimed nothing");
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
