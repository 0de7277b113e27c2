/*
 * Comparison of runs, part 2: the model. cmp_build() turns loaded runs into
 * one JSON model (per metric: each run's value, change against the first,
 * and tests on the repetitions, which are the replicated unit), holding raw
 * numbers only, so the text, Markdown and JSON outputs never disagree. This
 * file holds the ops' and stall kinds' blocks and assembles the model; the
 * runs, their experiment and settings are compare_runs.c's, the verdict and
 * the family's correction compare_verdict.c's.
 * Significance is judged on what is replicated: Welch's t on per-repetition
 * values (mean log latency, rounds and stall time per call, a stall kind's
 * total), with a 95% interval of the ratio (or the difference where a value
 * is 0), Holm-corrected per column. Ops of one run share its conditions, so
 * per-op samples are never tested against each other (two runs of one kernel
 * would differ "significantly").
 */
#include "compare.h"
#include "compare_impl.h"
#include "signif.h"
#include "optraits.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The quantile rows of a distribution (op latency, stall duration): one writer for both. */
static void set_quantiles(json_t *j, const struct qsel *q)
{
	static const struct { const char *key; double p; } rows[] = {
		{ "p50", 0.50 }, { "p90", 0.90 }, { "p99", 0.99 }, { "p999", 0.999 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		json_object_set_new(j, rows[i].key, jreal(qs_quantile(q, rows[i].p)));
	json_object_set_new(j, "max", jreal(qs_count(q) ? (double)q->h.max : NAN));
}

static json_t *op_obj(const struct cmp_opstat *o)
{
	size_t n = o->count;
	json_t *j = json_object(), *e = json_object(), *r = json_object();
	json_t *nodes = json_array(), *reps = json_array();
	double lsum = 0.0, rsum = 0.0, ssum = 0.0;
	int i;

	/*
	 * The means a test compares are means of the repetitions' values (the
	 * repetition is the unit): the table shows those, so a verdict and its
	 * table give one number for one mean.
	 */
	for (i = 0; i < o->nreps; i++) {
		lsum += o->reps[i].logmean;
		rsum += o->reps[i].rounds;
		ssum += o->reps[i].stall;
	}
	json_object_set_new(j, "count", json_integer((json_int_t)n));
	json_object_set_new(j, "gmean", jreal(n && o->nreps ? exp(lsum / o->nreps) : NAN));
	json_object_set_new(j, "mean", jreal(n ? o->mean : NAN));
	json_object_set_new(j, "stddev", jreal(o->stddev));
	json_object_set_new(j, "min", jreal(n ? (double)o->lat.h.min : NAN));
	set_quantiles(j, &o->lat);
	for (i = 0; i < o->nerr; i++)
		json_object_set_new(e, o->err[i].name, json_integer((json_int_t)o->err[i].n));
	if (o->other_errs)
		json_object_set_new(e, "other", json_integer((json_int_t)o->other_errs));
	json_object_set_new(j, "errors", e);
	json_object_set_new(j, "errors_total", json_integer((json_int_t)o->errors));
	json_object_set_new(j, "null", json_integer((json_int_t)o->null));
	json_object_set_new(j, "killed", json_integer((json_int_t)o->killed));
	json_object_set_new(j, "mismatch", json_integer((json_int_t)o->mismatch));
	json_object_set_new(j, "unfinished", json_integer((json_int_t)o->unfinished));
	/* exact order statistics of every finished op's rounds */
	json_object_set_new(r, "mean", jreal(n && o->nreps ? rsum / o->nreps : NAN));
	json_object_set_new(r, "p50", jreal(cmp_rounds_pct(o, 0.5)));
	json_object_set_new(r, "p99", jreal(cmp_rounds_pct(o, 0.99)));
	json_object_set_new(r, "max", json_integer((json_int_t)o->rounds_max));
	json_object_set_new(j, "rounds", r);
	json_object_set_new(j, "stall_ns_total", json_integer((json_int_t)o->stall_ns));
	json_object_set_new(j, "stall_per_op", jreal(n && o->nreps ? ssum / o->nreps : NAN));
	json_object_set_new(j, "sleep_per_op", jreal(o->sleep_n ? o->sleep_ns / (double)o->sleep_n : NAN));
	json_object_set_new(j, "repetitions", json_integer(o->nreps));
	for (i = 0; i < o->nreps; i++)
		json_array_append_new(reps, json_pack("{s:i,s:I,s:o,s:o,s:o,s:o,s:o}",
			"rep", o->reps[i].dir + 1, "count", (json_int_t)o->reps[i].count,
			"gmean", jreal(exp(o->reps[i].logmean)), "mean", jreal(o->reps[i].mean),
			"p50", jreal(o->reps[i].p50), "rounds_per_op", jreal(o->reps[i].rounds),
			"stall_per_op", jreal(o->reps[i].stall)));
	for (i = 0; i < o->nreps; i++) {
		json_t *x = json_array_get(reps, (size_t)i);

		json_object_set_new(x, "sleep_per_op", jreal(o->reps[i].sleep));
		json_object_set_new(x, "p99", jreal(o->reps[i].p99));
		json_object_set_new(x, "ops_s", jreal(o->reps[i].ops_s));
		json_object_set_new(x, "killed", jreal(o->reps[i].killed));
		json_object_set_new(x, "null", jreal(o->reps[i].null));
		json_object_set_new(x, "enomem", jreal(o->reps[i].enomem));
	}
	json_object_set_new(j, "reps", reps);
	for (i = 0; i < o->nnodes; i++)
		json_array_append_new(nodes, json_pack("{s:i,s:I,s:o,s:o,s:o}",
			"node", o->nodes[i].node, "count", (json_int_t)o->nodes[i].count,
			"mean", jreal(o->nodes[i].mean), "p50", jreal(o->nodes[i].p50),
			"p99", jreal(o->nodes[i].p99)));
	json_object_set_new(j, "nodes", nodes);
	return j;
}

static json_t *stall_obj(const struct cmp_stallstat *s)
{
	size_t n = qs_count(&s->dur), i;
	double m = (double)s->dur.h.sum;
	json_t *j = json_object(), *reps = json_array();

	json_object_set_new(j, "count", json_integer((json_int_t)n));
	json_object_set_new(j, "total_ns", json_integer((json_int_t)s->total_ns));
	json_object_set_new(j, "own_ns", json_integer((json_int_t)s->own_ns));
	/* Rounds that reclaimed nothing: NOFAIL's retry loop against a full cgroup. */
	json_object_set_new(j, "no_progress_pct", jreal(s->with_count ?
		100.0 * (double)s->no_progress / (double)s->with_count : NAN));
	json_object_set_new(j, "mean", jreal(n ? m / (double)n : NAN));
	set_quantiles(j, &s->dur);
	for (i = 0; i < s->rep_total.n; i++)
		json_array_append_new(reps, jreal(s->rep_total.v[i]));
	json_object_set_new(j, "rep_total_ns", reps);
	json_object_set_new(j, "total_per_rep",
			    jreal(s->rep_total.n ? (double)s->total_ns / (double)s->rep_total.n : NAN));
	return j;
}

/*
 * One metric of b against a, judged on what is replicated: one value per
 * repetition. Welch's t on the logs when every value is positive (the
 * change is then a ratio of geometric means, with its interval); on the
 * values themselves otherwise (a difference). With fewer than 2
 * repetitions on a side nothing is tested, and the model says so.
 * islog: a and b already hold logs (latency).
 */
static json_t *test_obj(const double *a, size_t na, const double *b, size_t nb, bool islog,
			const char *what)
{
	json_t *j = json_object();
	double *la = NULL, *lb = NULL, sa = 0.0, sb = 0.0;
	bool pos = true, zero = true;
	struct welch_ci w;
	size_t i;

	json_object_set_new(j, "what", json_string(what));
	json_object_set_new(j, "n_a", json_integer((json_int_t)na));
	json_object_set_new(j, "n_b", json_integer((json_int_t)nb));
	for (i = 0; i < na; i++) {
		pos &= islog || a[i] > 0.0;
		zero &= !islog && a[i] == 0.0;
		sa += a[i];
	}
	for (i = 0; i < nb; i++) {
		pos &= islog || b[i] > 0.0;
		zero &= !islog && b[i] == 0.0;
		sb += b[i];
	}
	if (!na || !nb) {
		json_object_set_new(j, "test", json_string("none"));
		json_object_set_new(j, "why", json_string("no data on a side"));
		return j;
	}
	if (islog) {
		json_object_set_new(j, "a", jreal(exp(sa / (double)na)));
		json_object_set_new(j, "b", jreal(exp(sb / (double)nb)));
	} else {
		json_object_set_new(j, "a", jreal(sa / (double)na));
		json_object_set_new(j, "b", jreal(sb / (double)nb));
	}
	/* what a table shows beside the test: the mean of the runs' values
	 * (latency: of their logs, a geometric mean, as the gmean row) */
	json_object_set_new(j, "mean_a", jreal(islog ? exp(sa / (double)na) : sa / (double)na));
	json_object_set_new(j, "mean_b", jreal(islog ? exp(sb / (double)nb) : sb / (double)nb));
	if (zero) {
		json_object_set_new(j, "test", json_string("none"));
		json_object_set_new(j, "why", json_string("0 on both sides"));
		return j;
	}
	/* one value in every run of both sides: nothing varies to test against */
	for (i = 1; i < na && a[i] == a[0]; i++)
		;
	if (na > 1 && nb > 1 && i == na) {
		size_t q;

		for (q = 0; q < nb && b[q] == a[0]; q++)
			;
		if (q == nb) {
			json_object_set_new(j, "test", json_string("none"));
			json_object_set_new(j, "why", json_string("the same value in every run"));
			return j;
		}
	}
	if (na < 2 || nb < 2) {
		char why[48];

		snprintf(why, sizeof(why), "not tested (1 run on %s)", na < 2 ? "A" : "B");
		json_object_set_new(j, "test", json_string("none"));
		json_object_set_new(j, "why", json_string(why));
		if (pos && sa != 0.0)
			json_object_set_new(j, "ratio", jreal(islog ? exp(sb / (double)nb - sa / (double)na) :
							       (sb / (double)nb) / (sa / (double)na)));
		return j;
	}
	if (pos) {
		la = malloc(na * sizeof(*la));
		lb = malloc(nb * sizeof(*lb));
		if (!la || !lb)
			goto out;
		for (i = 0; i < na; i++)
			la[i] = islog ? a[i] : log(a[i]);
		for (i = 0; i < nb; i++)
			lb[i] = islog ? b[i] : log(b[i]);
		if (welch_diff_ci(la, na, lb, nb, 0.95, &w) < 0)
			goto out;
		json_object_set_new(j, "a", jreal(exp(w.mean_a)));
		json_object_set_new(j, "b", jreal(exp(w.mean_b)));
		json_object_set_new(j, "test", json_string("welch-log"));
		json_object_set_new(j, "ratio", jreal(exp(w.diff)));
		json_object_set_new(j, "est", jreal(w.diff));
		json_object_set_new(j, "ci95", json_pack("[o,o]", jreal(exp(w.lo)), jreal(exp(w.hi))));
	} else {
		if (welch_diff_ci(a, na, b, nb, 0.95, &w) < 0)
			goto out;
		json_object_set_new(j, "test", json_string("welch"));
		json_object_set_new(j, "diff", jreal(w.diff));
		json_object_set_new(j, "est", jreal(w.diff));
		json_object_set_new(j, "ci95", json_pack("[o,o]", jreal(w.lo), jreal(w.hi)));
	}
	json_object_set_new(j, "df", jreal(w.df));
	json_object_set_new(j, "p", jreal(w.p));
	/* the standard error of est, so an interval of another level (the
	 * family's adjusted one) can be drawn from the same test */
	json_object_set_new(j, "se", jreal((w.hi - w.lo) / (2.0 * student_t_quantile2(0.05, w.df))));
out:
	free(la);
	free(lb);
	return j;
}

static const struct {
	const char *key, *what;
	size_t off;		/* of the double in struct cmp_rep */
	bool islog;
} op_metrics[] = {
	{ "latency", "latency (geometric mean)", offsetof(struct cmp_rep, logmean), true },
	{ "rounds", "reclaim rounds per call", offsetof(struct cmp_rep, rounds), false },
	{ "stall", "stall time per call", offsetof(struct cmp_rep, stall), false },
	/* wall time neither on a CPU nor runnable: memory.high's penalty sleep,
	 * I/O, locks; what no reclaim tracepoint sees. NAN where not measured. */
	{ "sleep", "time asleep per call", offsetof(struct cmp_rep, sleep), false },
	/* per run, what a storm's reader asks first: how many ops, how bad the tail */
	{ "p99", "p99 latency", offsetof(struct cmp_rep, p99), false },
	{ "ops_s", "ops/s", offsetof(struct cmp_rep, ops_s), false },
};

/* The repetitions' values of one metric; those not measured (NAN) left out.
 * Returns how many. */
static size_t rep_values(const struct cmp_opstat *o, size_t off, double *v)
{
	size_t n = 0;
	int i;

	for (i = 0; i < o->nreps; i++) {
		memcpy(&v[n], (const char *)&o->reps[i] + off, sizeof(double));
		n += !isnan(v[n]);
	}
	return n;
}

/* The repetitions' ns asleep per call at site (0 where a known rep never slept there). */
static size_t site_values(const struct cmp_opstat *o, const char *site, double *v)
{
	size_t n = 0;
	int k;

	for (k = 0; k < o->nsites && strcmp(o->sites[k], site); k++)
		;
	for (int i = 0; i < o->nreps; i++)
		if (o->reps[i].sites_known)
			v[n++] = k < o->nsites ? o->reps[i].site_ns[k] : 0.0;
	return n;
}

static double vmean(const double *v, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	return n ? s / (double)n : 0;
}

#define SITE_TESTS 2	/* per op: its top wait sites (either side), tested per call */

/*
 * Time asleep per call at the op's top wait sites, b against a: the sites
 * with the most time per call on either side (a site one side never slept
 * at is 0 there). Keys "sleep_at:SITE".
 */
static void site_tests(const struct cmp_opstat *a, const struct cmp_opstat *b, double *va,
		       double *vb, json_t *t)
{
	const char *cand[2 * CMP_MAX_SITES];
	double cm[2 * CMP_MAX_SITES];
	int nc = 0;

	for (int side = 0; side < 2; side++) {
		const struct cmp_opstat *o = side ? b : a;

		for (int k = 0; k < o->nsites; k++) {
			size_t na = site_values(a, o->sites[k], va), nb = site_values(b, o->sites[k], vb);
			double ma = vmean(va, na), mb = vmean(vb, nb);
			int j;

			for (j = 0; j < nc && strcmp(cand[j], o->sites[k]); j++)
				;
			if (j == nc) {
				cand[nc] = o->sites[k];
				cm[nc++] = ma > mb ? ma : mb;
			}
		}
	}
	for (int round = 0; round < SITE_TESTS; round++) {
		int best = -1;

		for (int j = 0; j < nc; j++)
			if (cand[j] && cm[j] > 0 && (best < 0 || cm[j] > cm[best]))
				best = j;
		if (best < 0)
			break;
		{
			size_t na = site_values(a, cand[best], va), nb = site_values(b, cand[best], vb);
			char key[96], what[128];

			snprintf(key, sizeof(key), "sleep_at:%s", cand[best]);
			snprintf(what, sizeof(what), "time asleep in %s per call", cand[best]);
			if (na && nb)
				json_object_set_new(t, key, test_obj(va, na, vb, nb, false, what));
		}
		cand[best] = NULL;
	}
}

static json_t *op_tests(const struct cmp_opstat *a, const struct cmp_opstat *b)
{
	double *va = malloc((size_t)(a->nreps + b->nreps + 1) * sizeof(*va));
	double *vb = va ? va + a->nreps : NULL;
	json_t *t = json_object();
	size_t m;

	for (m = 0; va && m < sizeof(op_metrics) / sizeof(op_metrics[0]); m++) {
		size_t na = rep_values(a, op_metrics[m].off, va);
		size_t nb = rep_values(b, op_metrics[m].off, vb);

		if (!na && !nb)
			continue;	/* never measured (results from before schedstat) */
		json_object_set_new(t, op_metrics[m].key, test_obj(va, na, vb, nb,
			op_metrics[m].islog, op_metrics[m].what));
	}
	if (va)
		site_tests(a, b, va, vb, t);
	free(va);
	return t;
}

static json_t *vs_obj(json_t *ja, json_t *jb, const char *const *keys, json_t *tests)
{
	json_t *j = json_object(), *ch = json_object();
	int i;

	for (i = 0; keys[i]; i++) {
		json_t *x = rr_json_get(ja, keys[i]), *y = rr_json_get(jb, keys[i]);

		json_object_set_new(ch, keys[i],
				    jreal(cmp_pct_change(json_number_value(x), json_number_value(y))));
	}
	json_object_set_new(j, "change_pct", ch);
	json_object_set_new(j, "tests", tests);
	return j;
}

static const char *const op_change_keys[] = {
	"count", "gmean", "mean", "p50", "p90", "p99", "p999", "max", "stall_per_op", NULL,
};
static const char *const stall_change_keys[] = {
	"count", "total_ns", "mean", "p50", "p90", "p99", "p999", "max", NULL,
};

static json_t *ops_model(const struct cmp_run *runs, int n)
{
	json_t *ops = json_array(), *seen = json_object();
	int i, k;
	size_t m;

	for (i = 0; i < n; i++) {
		for (m = 0; m < runs[i].nops; m++) {
			const char *name = runs[i].ops[m].name;
			json_t *op, *jr = json_array(), *vs = json_array();
			const struct cmp_opstat *base = NULL;
			json_t *jbase = NULL;
			unsigned int traits;

			if (json_object_get(seen, name))
				continue;
			json_object_set_new(seen, name, json_true());
			for (k = 0; k < n; k++) {
				const struct cmp_opstat *s = cmp_run_op(&runs[k], name);
				json_t *js = s ? op_obj(s) : json_pack("{s:i}", "count", 0);

				json_array_append_new(jr, js);
				if (k == 0) {
					base = s;
					jbase = js;
					json_array_append_new(vs, json_null());
				} else if (base && s && base->count && s->count) {
					json_array_append_new(vs, vs_obj(jbase, js, op_change_keys,
									 op_tests(base, s)));
				} else {
					json_array_append_new(vs, json_null());
				}
			}
			op = json_object();
			json_object_set_new(op, "name", json_string(name));
			json_object_set_new(op, "unit", json_string(cmp_unit_for(
				json_number_value(json_object_get(json_array_get(jr, base ? 0 : (size_t)i), "p50")))));
			traits = rr_op_traits(runs[i].dirs[0].meta, name);
			if (traits)	/* what a renderer shows of it (optraits.h) */
				json_object_set_new(op, "traits", optraits_json(traits));
			json_object_set_new(op, "runs", jr);
			json_object_set_new(op, "vs_first", vs);
			json_array_append_new(ops, op);
		}
	}
	json_decref(seen);
	return ops;
}

static json_t *stalls_model(const struct cmp_run *runs, int n)
{
	json_t *arr = json_array(), *seen = json_object();
	int i, k;
	size_t m;

	for (i = 0; i < n; i++) {
		for (m = 0; m < runs[i].nstalls; m++) {
			const char *name = runs[i].stalls[m].name;
			const struct cmp_stallstat *base = cmp_run_stall(&runs[0], name);
			json_t *st = json_object(), *jr = json_array(), *vs = json_array();
			json_t *jbase = NULL;

			if (json_object_get(seen, name))
				continue;
			json_object_set_new(seen, name, json_true());
			for (k = 0; k < n; k++) {
				const struct cmp_stallstat *s = cmp_run_stall(&runs[k], name);
				json_t *js = s ? stall_obj(s) :
					json_pack("{s:i,s:i}", "count", 0, "total_ns", 0);

				json_array_append_new(jr, js);
				if (k == 0) {
					jbase = js;
					json_array_append_new(vs, json_null());
				} else if (k > 0) {
					/* A kind one run never saw is 0 ns in each of its repetitions. */
					size_t na = base ? base->rep_total.n : (size_t)runs[0].ndirs;
					size_t nb = s ? s->rep_total.n : (size_t)runs[k].ndirs, q;
					double *za = calloc(na + nb + 1, sizeof(double)), *zb = za ? za + na : NULL;
					json_t *t = json_object();
					char what[80];

					if (za) {
						for (q = 0; base && q < na; q++)
							za[q] = base->rep_total.v[q];
						for (q = 0; s && q < nb; q++)
							zb[q] = s->rep_total.v[q];
						snprintf(what, sizeof(what), "%s stall time", name);
						json_object_set_new(t, "total", test_obj(za, na, zb, nb, false,
											   what));
					}
					free(za);
					json_array_append_new(vs, vs_obj(jbase, js, stall_change_keys, t));
				}
			}
			json_object_set_new(st, "name", json_string(name));
			json_object_set_new(st, "unit", json_string(cmp_unit_for(json_number_value(
				json_object_get(json_array_get(jr, base ? 0 : (size_t)i), "p50")))));
			json_object_set_new(st, "runs", jr);
			json_object_set_new(st, "vs_first", vs);
			json_array_append_new(arr, st);
		}
	}
	json_decref(seen);
	return arr;
}

json_t *cmp_build(const struct cmp_run *runs, int n, const struct cmp_opts *o)
{
	json_t *m = json_object(), *warn = json_array();

	json_object_set_new(m, "tool", json_string("stallbench compare"));
	json_object_set_new(m, "alpha", json_real(o->alpha));
	json_object_set_new(m, "unit_of_test", json_string("repetition"));
	if (cmp_runs_model(m, runs, n, warn, o->vary) < 0) {
		json_decref(warn);
		json_decref(m);
		return NULL;
	}
	json_object_set_new(m, "warnings", warn);
	json_object_set_new(m, "ops", ops_model(runs, n));
	json_object_set_new(m, "stalls", stalls_model(runs, n));
	json_object_set_new(m, "test", json_string("welch on per-repetition means (of logs "
						   "where all are positive)"));
	json_object_set_new(m, "correction", json_string("holm"));
	if (cmp_family_adjust(&m, 1, o->alpha) < 0) {
		json_decref(m);
		return NULL;
	}
	json_object_set_new(m, "comparable", json_boolean(!json_array_size(
		json_object_get(m, "experiment_differs"))));
	return m;
}
