/*
 * Comparison of runs, part 3: rendering the model (compare_model.c) as a
 * 72-column text table for a patch cover letter, as Markdown, or as the
 * verdict alone. Renderers format the model's numbers and compute nothing.
 */
#include "compare.h"
#include "compare_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static double unit_div(const char *unit)
{
	if (strcmp(unit, "us") == 0)
		return 1e3;
	if (strcmp(unit, "ms") == 0)
		return 1e6;
	if (strcmp(unit, "s") == 0)
		return 1e9;
	return 1.0;
}

/* A number in at most 8 characters. */
static void fmt_num(char *buf, size_t len, double v, bool integer)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (integer && a < 1e8)
		snprintf(buf, len, "%.0f", v);
	else if (a < 10.0)
		snprintf(buf, len, "%.3f", v);
	else if (a < 100.0)
		snprintf(buf, len, "%.2f", v);
	else if (a < 1000.0)
		snprintf(buf, len, "%.1f", v);
	else if (a < 1e7)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.2e", v);
}

/* A change in percent in at most 7 characters, plus a marker. */
static void fmt_change(char *buf, size_t len, double a, double b, bool sig)
{
	double c = cmp_pct_change(a, b);
	const char *mk = sig ? "*" : "";

	if (isnan(a) || isnan(b))
		snprintf(buf, len, "%s", "");
	else if (isnan(c))
		snprintf(buf, len, "new%s", mk);
	else if (fabs(c) < 99.95)
		snprintf(buf, len, "%+.1f%%%s", c, mk);
	else if (fabs(c) < 99999.5)
		snprintf(buf, len, "%+.0f%%%s", c, mk);
	else
		snprintf(buf, len, "%s%s", c > 0 ? ">+99999" : "<-99999", mk);
}

enum rowkind { ROW_INT, ROW_LAT, ROW_REAL, ROW_MS };

struct row {
	const char *label;
	const char *path;	/* in a run object, "a.b" */
	enum rowkind kind;
	const char *sig;	/* key in vs_first.tests whose significance marks it, or NULL */
};

static double row_value(json_t *run, const char *path)
{
	json_t *v = rr_json_get(run, path);

	if (json_is_number(v))
		return json_number_value(v);
	/* An errno one run never saw is a zero there, not a missing value. */
	if (json_integer_value(json_object_get(run, "count")) > 0 && strncmp(path, "errors.", 7) == 0)
		return 0.0;
	return NAN;
}

/* Any run has a non-zero value at path. */
static bool any_nonzero(json_t *jr, const char *path)
{
	size_t i;
	json_t *r;

	json_array_foreach(jr, i, r) {
		double v = row_value(r, path);

		if (!isnan(v) && v != 0.0)
			return true;
	}
	return false;
}

/* Some run has a value at path (sleep_per_op: only results with schedstat). */
static bool any_number(json_t *jr, const char *path)
{
	size_t i;
	json_t *r;

	json_array_foreach(jr, i, r)
		if (!isnan(row_value(r, path)))
			return true;
	return false;
}

static void print_rows(FILE *f, json_t *blk, const struct row *rows, int nrows, size_t from,
		       size_t to, bool md)
{
	json_t *jr = json_object_get(blk, "runs"), *vs = json_object_get(blk, "vs_first");
	const char *unit = json_string_value(json_object_get(blk, "unit"));
	double div = unit_div(unit ? unit : "ns");
	int ri;

	double fewest = INFINITY;
	size_t q;
	json_t *x;

	/* a percentile needs the ops to carry it: no p99.9 of 14 calls */
	json_array_foreach(jr, q, x)
		if (json_is_integer(json_object_get(x, "count")) &&
		    json_integer_value(json_object_get(x, "count")) > 0)
			fewest = fmin(fewest, (double)json_integer_value(json_object_get(x, "count")));
	for (ri = 0; ri < nrows; ri++) {
		const struct row *rw = &rows[ri];
		double base = row_value(json_array_get(jr, 0), rw->path);
		char cell[32];
		size_t k;

		if ((!strcmp(rw->path, "p90") && fewest < 10) ||
		    (!strcmp(rw->path, "p99") && fewest < 100) ||
		    (!strcmp(rw->path, "p999") && fewest < 1000))
			continue;

		if (rw->kind == ROW_LAT)
			base /= div;
		else if (rw->kind == ROW_MS)
			base /= 1e6;
		fmt_num(cell, sizeof(cell), base, rw->kind == ROW_INT);
		if (md)
			fprintf(f, "| %s | %s |", rw->label, cell);
		else
			fprintf(f, "%-11.11s%9s", rw->label, cell);
		for (k = from; k < to; k++) {
			double v = row_value(json_array_get(jr, k), rw->path);
			json_t *s = json_object_get(json_object_get(json_array_get(vs, k), "tests"),
						    rw->sig ? rw->sig : "");
			bool sig = rw->sig && json_is_true(json_object_get(s, "significant"));
			char ch[32];

			if (rw->kind == ROW_LAT)
				v /= div;
			else if (rw->kind == ROW_MS)
				v /= 1e6;
			fmt_num(cell, sizeof(cell), v, rw->kind == ROW_INT);
			fmt_change(ch, sizeof(ch), base, v, sig);
			if (md) {
				char esc[40];

				snprintf(esc, sizeof(esc), "%s", ch);
				if (sig && strlen(esc) > 0 && esc[strlen(esc) - 1] == '*') {
					esc[strlen(esc) - 1] = '\0';
					fprintf(f, " %s | %s\\* |", cell, esc);
				} else {
					fprintf(f, " %s | %s |", cell, esc);
				}
			} else {
				fprintf(f, "%9s%8s", cell, ch);
			}
		}
		fputc('\n', f);
	}
}

/* Rows of an op block: fixed rows plus the errors and flags seen anywhere. */
/* Whether the model's op block has the trait (optraits.h's names). */
static bool has_trait(json_t *blk, const char *trait)
{
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(blk, "traits"), i, t)
		if (!strcmp(json_string_value(t) ?: "", trait))
			return true;
	return false;
}

static int op_rows(json_t *blk, struct row *rows, char names[][40], int max)
{
	static const struct row fixed[] = {
		{ "count", "count", ROW_INT, NULL },
		{ "gmean", "gmean", ROW_LAT, "latency" },
		{ "mean", "mean", ROW_LAT, NULL },
		{ "p50", "p50", ROW_LAT, NULL },
		{ "p90", "p90", ROW_LAT, NULL },
		{ "p99", "p99", ROW_LAT, NULL },
		{ "p99.9", "p999", ROW_LAT, NULL },
		{ "max", "max", ROW_LAT, NULL },
	};
	json_t *jr = json_object_get(blk, "runs"), *errs = json_object();
	size_t i;
	int n = 0;
	json_t *r, *v;
	const char *key;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		rows[n++] = fixed[i];
	/* ENOMEM is the question for every op: always shown, 0 included. */
	json_object_set_new(errs, "ENOMEM", json_true());
	json_array_foreach(jr, i, r)
		json_object_foreach(json_object_get(r, "errors"), key, v)
			json_object_set_new(errs, key, json_true());
	json_object_foreach(errs, key, v) {
		if (n >= max - 8)
			break;
		snprintf(names[n], 40, "errors.%s", key);
		rows[n] = (struct row){ names[n] + 7, names[n], ROW_INT, NULL };
		n++;
	}
	json_decref(errs);
	if (any_nonzero(jr, "null") || has_trait(blk, "nofail"))
		rows[n++] = (struct row){ "NULL/NOFAIL", "null", ROW_INT, NULL };
	if (any_nonzero(jr, "killed"))
		rows[n++] = (struct row){ "killed", "killed", ROW_INT, NULL };
	if (any_nonzero(jr, "mismatch"))
		rows[n++] = (struct row){ "size wrong", "mismatch", ROW_INT, NULL };
	if (any_nonzero(jr, "unfinished"))
		rows[n++] = (struct row){ "unfinished", "unfinished", ROW_INT, NULL };
	rows[n++] = (struct row){ "rounds mean", "rounds.mean", ROW_REAL, "rounds" };
	rows[n++] = (struct row){ "rounds p50", "rounds.p50", ROW_INT, NULL };
	rows[n++] = (struct row){ "rounds p99", "rounds.p99", ROW_INT, NULL };
	rows[n++] = (struct row){ "rounds max", "rounds.max", ROW_INT, NULL };
	rows[n++] = (struct row){ "stall ms/op", "stall_per_op", ROW_MS, "stall" };
	if (any_number(jr, "sleep_per_op"))
		rows[n++] = (struct row){ "sleep ms/op", "sleep_per_op", ROW_MS, "sleep" };
	return n;
}

static const struct row stall_rows[] = {
	{ "count", "count", ROW_INT, NULL },
	{ "ms per run", "total_per_rep", ROW_MS, "total" },
	{ "mean", "mean", ROW_LAT, NULL },
	{ "p50", "p50", ROW_LAT, NULL },
	{ "p90", "p90", ROW_LAT, NULL },
	{ "p99", "p99", ROW_LAT, NULL },
	{ "p99.9", "p999", ROW_LAT, NULL },
	{ "max", "max", ROW_LAT, NULL },
	{ "0-reclaim %", "no_progress_pct", ROW_REAL, NULL },	/* rounds reclaiming nothing */
};

#define PER_BLOCK	3	/* runs beside the first that fit 72 columns */

static void block_header(FILE *f, json_t *runs, const char *title, size_t from, size_t to)
{
	size_t k;

	cmp_wrap(f, "", "  ", title);
	fprintf(f, "%-11s%9s", "", json_string_value(json_object_get(json_array_get(runs, 0), "id")));
	for (k = from; k < to; k++)
		fprintf(f, "%9s%8s", json_string_value(json_object_get(json_array_get(runs, k), "id")),
			"change");
	fputc('\n', f);
}

/* Why a column of this block was not tested, once per reason. */
static void block_untested(FILE *f, json_t *blk, json_t *runs, size_t from, size_t to)
{
	size_t k;

	for (k = from; k < to; k++) {
		json_t *tests = json_object_get(json_array_get(json_object_get(blk, "vs_first"), k),
						"tests"), *t;
		const char *key, *why = NULL;
		char line[160];

		json_object_foreach(tests, key, t) {
			const char *w = json_string_value(json_object_get(t, "why"));

			if (w && strncmp(w, "not tested", 10) == 0)
				why = w;
		}
		if (!why)
			continue;
		snprintf(line, sizeof(line), "%s vs %s: %s",
			 json_string_value(json_object_get(json_array_get(runs, k), "id")),
			 json_string_value(json_object_get(json_array_get(runs, 0), "id")), why);
		cmp_wrap(f, "  ", "    ", line);
	}
}

static void text_blocks(FILE *f, json_t *model, const char *what, bool ops)
{
	json_t *runs = json_object_get(model, "runs"), *blk;
	size_t nruns = json_array_size(runs), i, from;
	struct row rows[64];
	char names[64][40];

	json_array_foreach(json_object_get(model, what), i, blk) {
		const char *name = json_string_value(json_object_get(blk, "name"));
		const char *unit = json_string_value(json_object_get(blk, "unit"));
		int nrows = ops ? op_rows(blk, rows, names, 64) :
			(int)(sizeof(stall_rows) / sizeof(stall_rows[0]));
		char title[256];

		snprintf(title, sizeof(title), "%s %s (%s in %s)", ops ? "op" : "stalls", name,
			 ops ? "latency" : "duration", unit);
		for (from = 1; from < nruns || from == 1; from += PER_BLOCK) {
			size_t to = from + PER_BLOCK < nruns ? from + PER_BLOCK : nruns;

			fputc('\n', f);
			block_header(f, runs, title, from, to);
			print_rows(f, blk, ops ? rows : stall_rows, nrows, from, to, false);
			block_untested(f, blk, runs, from, to);
			if (to >= nruns)
				break;
		}
	}
}

static void print_verdict_text(FILE *f, json_t *m)
{
	json_t *runs = json_object_get(m, "runs"), *v;
	size_t i, k, ntest = 0;
	bool testable = false;
	char line[512];

	fputs("Verdict", f);
	if (json_array_size(runs) > 1)
		fprintf(f, " (%s against %s)", json_array_size(runs) > 2 ? "each side" :
			json_string_value(json_object_get(json_array_get(runs, 1), "id")),
			json_string_value(json_object_get(json_array_get(runs, 0), "id")));
	fputs(":\n", f);
	json_array_foreach(json_object_get(m, "columns"), k, v) {
		testable |= json_is_true(json_object_get(v, "testable"));
		ntest += (size_t)json_integer_value(json_object_get(v, "tests"));
	}
	if (!json_is_true(json_object_get(m, "comparable"))) {
		cmp_wrap(f, "  ", "    ", "not comparable: not the same experiment (see the "
		     "warning below)");
		return;
	}
	if (!testable) {
		cmp_wrap(f, "  ", "    ", "not tested: a side has fewer than 2 repetitions; "
		     "the tables show the changes, none is judged");
		return;
	}
	json_array_foreach(json_object_get(m, "verdict"), i, v)
		cmp_wrap(f, "  ", "    ", json_string_value(json_object_get(v, "text")));
	if (!json_array_size(json_object_get(m, "verdict"))) {
		snprintf(line, sizeof(line), "no significant change (%zu tests at alpha %g)",
			 ntest, json_number_value(json_object_get(m, "alpha")));
		cmp_wrap(f, "  ", "    ", line);
	}
}

int cmp_print_verdict(FILE *f, json_t *m, const char *prefix)
{
	json_t *v, *runs = json_object_get(m, "runs");
	bool testable = false;
	size_t i;

	if (!json_is_true(json_object_get(m, "comparable"))) {
		json_array_foreach(json_object_get(m, "warnings"), i, v)
			if (!strncmp(json_string_value(v), "not the same experiment", 23))
				fprintf(f, "%snot comparable: %s\n", prefix, json_string_value(v));
		return 2;
	}
	json_array_foreach(json_object_get(m, "columns"), i, v)
		testable |= json_is_true(json_object_get(v, "testable"));
	if (!testable) {
		fprintf(f, "%snot comparable: %s has %d repetition(s); 2+ per side are needed "
			"to test a change\n", prefix,
			json_string_value(json_object_get(json_array_get(runs, 0), "id")),
			(int)json_integer_value(json_object_get(json_array_get(runs, 0), "repetitions")));
		return 2;
	}
	json_array_foreach(json_object_get(m, "verdict"), i, v)
		fprintf(f, "%s%s\n", prefix, json_string_value(json_object_get(v, "text")));
	if (json_array_size(json_object_get(m, "verdict")))
		return 3;
	fprintf(f, "%sno significant change (alpha %g, Welch's t on per-repetition means, "
		"Holm)\n", prefix, json_number_value(json_object_get(m, "alpha")));
	return 0;
}

/* One run of the header: id and label, its kernel if the label is not it, its status line. */
static void text_run(FILE *f, json_t *r)
{
	json_t *oom = json_object_get(r, "oom_kills"), *lost = json_object_get(r, "lost_events");
	json_int_t outside = json_integer_value(json_object_get(r, "oom_victims_outside"));
	json_int_t reps = json_integer_value(json_object_get(r, "repetitions"));
	char pre[16], oomb[64], lostb[32], line[1024];

	snprintf(pre, sizeof(pre), "%-3s", json_string_value(json_object_get(r, "id")));
	cmp_wrap(f, pre, "     ", json_string_value(json_object_get(r, "label")));
	if (strcmp(json_string_value(json_object_get(r, "label")),
		   json_string_value(json_object_get(r, "kernel"))))
		cmp_wrap(f, "   kernel ", "     ", json_string_value(json_object_get(r, "kernel")));
	if (json_is_integer(oom) && outside)
		snprintf(oomb, sizeof(oomb), "%" JSON_INTEGER_FORMAT " (%" JSON_INTEGER_FORMAT
			 " outside the run!)", json_integer_value(oom), outside);
	else if (json_is_integer(oom))
		snprintf(oomb, sizeof(oomb), "%" JSON_INTEGER_FORMAT, json_integer_value(oom));
	else
		snprintf(oomb, sizeof(oomb), "?");
	if (json_is_integer(lost))
		snprintf(lostb, sizeof(lostb), "%" JSON_INTEGER_FORMAT, json_integer_value(lost));
	else
		snprintf(lostb, sizeof(lostb), "?");
	snprintf(line, sizeof(line), "%s, %d rep%s, OOM kills %s, lost events %s)",
		 json_string_value(json_object_get(r, "status")), (int)reps, reps == 1 ? "" : "s",
		 oomb, lostb);
	cmp_wrap(f, "   (", "    ", line);
}

/* What was varied on purpose, and the mm settings that differ and that are alike. */
static void text_settings(FILE *f, json_t *m)
{
	json_t *runs = json_object_get(m, "runs"), *v, *x;
	char line[1024], pre[64];
	size_t i, k, used;

	json_array_foreach(json_object_get(m, "varied"), i, v) {
		used = (size_t)snprintf(line, sizeof(line), "varied on purpose: %s (",
					json_string_value(json_object_get(v, "key")));
		json_array_foreach(json_object_get(v, "values"), k, x)
			used += (size_t)snprintf(line + used, used < sizeof(line) ?
				sizeof(line) - used : 0, "%s%s %s", k ? ", " : "",
				json_string_value(json_object_get(json_array_get(runs, k), "id")),
				json_string_value(x));
		snprintf(line + used, used < sizeof(line) ? sizeof(line) - used : 0, ")");
		if (!i)
			fputc('\n', f);
		cmp_wrap(f, "", "  ", line);
	}
	if (json_array_size(json_object_get(m, "mm_differs")))
		fputs("\nmm settings that differ:\n", f);
	json_array_foreach(json_object_get(m, "mm_differs"), i, v) {
		used = 0;
		line[0] = '\0';
		json_array_foreach(json_object_get(v, "values"), k, x)
			used += (size_t)snprintf(line + used, used < sizeof(line) ?
				sizeof(line) - used : 0, "%s%s=%s", k ? " " : "",
				json_string_value(json_object_get(json_array_get(runs, k), "id")),
				json_string_value(x));
		snprintf(pre, sizeof(pre), "  %-24s ", json_string_value(json_object_get(v, "key")));
		cmp_wrap(f, pre, "                           ", line);
	}
	if (json_array_size(json_object_get(m, "mm_same"))) {
		used = 0;
		line[0] = '\0';
		json_array_foreach(json_object_get(m, "mm_same"), i, v)
			if (used < sizeof(line))
				used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s=%s",
					i ? " " : "", json_string_value(json_object_get(v, "key")),
					json_string_value(json_object_get(v, "value")));
		cmp_wrap(f, "mm settings alike: ", "  ", line);
	}
}

int cmp_print_text(FILE *f, json_t *m, unsigned int show)
{
	json_t *runs = json_object_get(m, "runs"), *r, *v;
	double alpha = json_number_value(json_object_get(m, "alpha"));
	char line[1024];
	size_t i;

	if (show & CMP_SHOW_HEADER) {
		snprintf(line, sizeof(line), "stallbench compare: %zu sides, alpha %g",
			 json_array_size(runs), alpha);
		cmp_wrap(f, "", "  ", line);
		json_array_foreach(runs, i, r)
			text_run(f, r);
	}
	if (show & CMP_SHOW_VERDICT) {
		fputc('\n', f);
		print_verdict_text(f, m);
	}
	if (show & CMP_SHOW_HEADER) {
		text_settings(f, m);
		json_array_foreach(json_object_get(m, "notes"), i, v)
			cmp_wrap(f, "note: ", "  ", json_string_value(v));
	}
	if (!(show & CMP_SHOW_TABLES))
		return ferror(f) ? -EIO : 0;
	json_array_foreach(json_object_get(m, "warnings"), i, v)
		cmp_wrap(f, "WARNING: ", "  ", json_string_value(v));

	text_blocks(f, m, "ops", true);
	text_blocks(f, m, "stalls", false);

	fputc('\n', f);
	if (show & CMP_SHOW_NOFOOT)
		return ferror(f) ? -EIO : 0;
	snprintf(line, sizeof(line), "change: vs %s. * significant at alpha %g: Welch's t on "
		 "per-repetition values (gmean: mean log latency; rounds mean, stall ms/op "
		 "and sleep ms/op: per call, sleep being the time neither on a CPU nor "
		 "waiting for one; ms per run: a stall kind's total; and each run's p99 and "
		 "ops/s), on logs where all are positive, Holm's correction over all %"
		 JSON_INTEGER_FORMAT " tests of %s. A repetition is the unit: "
		 "ops of one run share its conditions and are not tested against each other. "
		 "Percentiles are exact order statistics of finished ops, shown where the ops "
		 "carry them (p90 from 10, p99 from 100, p99.9 from 1000).",
		 json_string_value(json_object_get(json_array_get(runs, 0), "id")), alpha,
		 json_integer_value(json_object_get(m, "family_tests")),
		 json_integer_value(json_object_get(m, "family_models")) > 1 ?
			 "every point of the letter" : "this comparison");
	cmp_wrap(f, "", "", line);
	return ferror(f) ? -EIO : 0;
}

static void md_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (strchr("|*_`\\", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void md_blocks(FILE *f, json_t *m, const char *what, bool ops)
{
	json_t *runs = json_object_get(m, "runs"), *blk;
	size_t nruns = json_array_size(runs), i, k;
	struct row rows[64];
	char names[64][40];

	json_array_foreach(json_object_get(m, what), i, blk) {
		int nrows = ops ? op_rows(blk, rows, names, 64) :
			(int)(sizeof(stall_rows) / sizeof(stall_rows[0]));

		fprintf(f, "\n### %s ", ops ? "op" : "stalls");
		md_escape(f, json_string_value(json_object_get(blk, "name")));
		fprintf(f, " (%s in %s)\n\n| | %s |", ops ? "latency" : "duration",
			json_string_value(json_object_get(blk, "unit")),
			json_string_value(json_object_get(json_array_get(runs, 0), "id")));
		for (k = 1; k < nruns; k++)
			fprintf(f, " %s | change |",
				json_string_value(json_object_get(json_array_get(runs, k), "id")));
		fputs("\n|---|--:|", f);
		for (k = 1; k < nruns; k++)
			fputs("--:|--:|", f);
		fputc('\n', f);
		print_rows(f, blk, ops ? rows : stall_rows, nrows, 1, nruns, true);
	}
}

int cmp_print_markdown(FILE *f, json_t *m)
{
	json_t *runs = json_object_get(m, "runs"), *r, *v, *x;
	double alpha = json_number_value(json_object_get(m, "alpha"));
	size_t i, k;

	fprintf(f, "## stallbench compare (alpha %g)\n\n", alpha);
	json_array_foreach(runs, i, r) {
		fprintf(f, "- **%s**: ", json_string_value(json_object_get(r, "id")));
		md_escape(f, json_string_value(json_object_get(r, "label")));
		fprintf(f, " (%s", json_string_value(json_object_get(r, "status")));
		v = json_object_get(r, "oom_kills");
		if (json_is_integer(v))
			fprintf(f, ", OOM kills %" JSON_INTEGER_FORMAT, json_integer_value(v));
		v = json_object_get(r, "lost_events");
		if (json_is_integer(v))
			fprintf(f, ", lost events %" JSON_INTEGER_FORMAT, json_integer_value(v));
		fprintf(f, ", %d repetition%s)\n",
			(int)json_integer_value(json_object_get(r, "repetitions")),
			json_integer_value(json_object_get(r, "repetitions")) == 1 ? "" : "s");
	}
	if (json_array_size(json_object_get(m, "mm_differs"))) {
		fputs("\n| mm setting |", f);
		json_array_foreach(runs, i, r)
			fprintf(f, " %s |", json_string_value(json_object_get(r, "id")));
		fputs("\n|---|", f);
		json_array_foreach(runs, i, r)
			fputs("---|", f);
		fputc('\n', f);
		json_array_foreach(json_object_get(m, "mm_differs"), i, v) {
			fputs("| ", f);
			md_escape(f, json_string_value(json_object_get(v, "key")));
			fputs(" |", f);
			json_array_foreach(json_object_get(v, "values"), k, x) {
				fputc(' ', f);
				md_escape(f, json_string_value(x));
				fputs(" |", f);
			}
			fputc('\n', f);
		}
	}
	fputs("\n**Verdict**\n\n", f);
	json_array_foreach(json_object_get(m, "verdict"), i, v) {
		fputs("- ", f);
		md_escape(f, json_string_value(json_object_get(v, "text")));
		fputc('\n', f);
	}
	if (!json_array_size(json_object_get(m, "verdict")))
		fputs("- no significant change\n", f);
	json_array_foreach(json_object_get(m, "warnings"), i, v) {
		fputs(i ? "" : "\n", f);
		fputs("> **Warning:** ", f);
		md_escape(f, json_string_value(v));
		fputs("\n", f);
	}
	md_blocks(f, m, "ops", true);
	md_blocks(f, m, "stalls", false);
	fprintf(f, "\n\\* significant at alpha %g: Welch's t on per-repetition values (on logs "
		"where all are positive), Holm's correction over the tests of a column; the "
		"repetition is the unit.\n", alpha);
	return ferror(f) ? -EIO : 0;
}
