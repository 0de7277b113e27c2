/*
 * Comparison of runs, part 2: the model. cmp_build() turns loaded runs into
 * one JSON model (per metric: each run's value, change against the first,
 * and tests on the repetitions, which are the replicated unit), holding raw
 * numbers only, so the text, Markdown and JSON outputs never disagree.
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
#include "parse.h"
#include "kchanges.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

double cmp_pct_change(double a, double b)
{
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0.0)
		return b == 0.0 ? 0.0 : NAN;
	return (b - a) / fabs(a) * 100.0;
}

static json_t *jreal(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

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

static const struct cmp_opstat *run_op(const struct cmp_run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nops; i++)
		if (strcmp(r->ops[i].name, name) == 0)
			return &r->ops[i];
	return NULL;
}

static const struct cmp_stallstat *run_stall(const struct cmp_run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nstalls; i++)
		if (strcmp(r->stalls[i].name, name) == 0)
			return &r->stalls[i];
	return NULL;
}

static const char *unit_for(double ns)
{
	if (!(ns >= 1e3))
		return "ns";
	if (ns < 1e6)
		return "us";
	if (ns < 1e9)
		return "ms";
	return "s";
}

/* The per-repetition metrics of an op, tested b against a. */
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

			if (json_object_get(seen, name))
				continue;
			json_object_set_new(seen, name, json_true());
			for (k = 0; k < n; k++) {
				const struct cmp_opstat *s = run_op(&runs[k], name);
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
			json_object_set_new(op, "unit", json_string(unit_for(
				json_number_value(json_object_get(json_array_get(jr, base ? 0 : (size_t)i), "p50")))));
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
			const struct cmp_stallstat *base = run_stall(&runs[0], name);
			json_t *st = json_object(), *jr = json_array(), *vs = json_array();
			json_t *jbase = NULL;

			if (json_object_get(seen, name))
				continue;
			json_object_set_new(seen, name, json_true());
			for (k = 0; k < n; k++) {
				const struct cmp_stallstat *s = run_stall(&runs[k], name);
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
			json_object_set_new(st, "unit", json_string(unit_for(json_number_value(
				json_object_get(json_array_get(jr, base ? 0 : (size_t)i), "p50")))));
			json_object_set_new(st, "runs", jr);
			json_object_set_new(st, "vs_first", vs);
			json_array_append_new(arr, st);
		}
	}
	json_decref(seen);
	return arr;
}

static char *value_str(json_t *v)
{
	if (!v)
		return strdup("-");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

/*
 * A differing mm setting is what a kernel comparison is about: listed, not
 * warned about, except where it changes what a number means.
 */
static const struct {
	const char *key, *why;
} mm_why[] = {
	{ "lru_gen", "lru_gen (MGLRU) differs: reclaim rounds and stall counts "
	  "come from different reclaim code; a variant --mm lru_gen=n (or y) "
	  "equalises it" },
	{ "init_on_alloc", "init_on_alloc/free differs: latency includes page "
	  "zeroing on one side only" },
	{ "init_on_free", "init_on_alloc/free differs: latency includes page "
	  "zeroing on one side only" },
};

static void add_warning(json_t *warn, const char *text)
{
	size_t i;
	json_t *v;

	json_array_foreach(warn, i, v)
		if (strcmp(json_string_value(v), text) == 0)
			return;
	json_array_append_new(warn, json_string(text));
}

/* Keys of obj at path (in any run's first dir) whose values differ. */
static json_t *differing(const struct cmp_run *runs, int n, const char *path)
{
	json_t *keys = json_object(), *out = json_array();
	const char *key;
	json_t *v;
	int i;

	for (i = 0; i < n; i++) {
		json_t *obj = rr_json_get(runs[i].dirs[0].meta, path);

		if (json_is_object(obj))
			json_object_foreach(obj, key, v)
				json_object_set_new(keys, key, json_true());
	}
	json_object_foreach(keys, key, v) {
		json_t *first = json_object_get(rr_json_get(runs[0].dirs[0].meta, path), key);

		for (i = 1; i < n; i++) {
			json_t *x = json_object_get(rr_json_get(runs[i].dirs[0].meta, path), key);

			if (!(first && x && json_equal(first, x)) && (first || x)) {
				json_array_append_new(out, json_string(key));
				break;
			}
		}
	}
	json_decref(keys);
	return out;
}

/* A duration in a unit that suits it, one word to wrap: "17.9s", "2.18ms". */
static void fmt_dur(char *buf, size_t len, double ns)
{
	const char *u = unit_for(ns);
	double d = !strcmp(u, "s") ? 1e9 : !strcmp(u, "ms") ? 1e6 : !strcmp(u, "us") ? 1e3 : 1.0;

	snprintf(buf, len, "%.3g%s", ns / d, u);
}

/* A value of a tested metric, in its own unit. */
void cmp_fmt_value(char *buf, size_t len, const char *metric, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (!strcmp(metric, "rounds"))
		snprintf(buf, len, v >= 1000.0 ? "%.0f" : "%.3g", v);
	else if (!strcmp(metric, "ops_s"))
		snprintf(buf, len, v >= 1000.0 ? "%.0f/s" : "%.3g/s", v);
	else
		fmt_dur(buf, len, v);
}

/*
 * A change as the letter words every change: in percent of A, with the
 * family's adjusted interval. A ratio r is (r - 1) * 100%; a difference
 * d (a test on values, a side held a 0) is d / A * 100%, or the value
 * itself when A is 0. buf gets e.g. "-62.8% [-64.1%, -61.4%]".
 */
void cmp_fmt_change_ci(char *buf, size_t len, json_t *t, const char *metric)
{
	json_t *ci = json_object_get(t, "ci_adj");
	double lo, hi, a = json_number_value(json_object_get(t, "a"));
	char c[24], l[24], h[24];

	if (!json_is_array(ci))
		ci = json_object_get(t, "ci95");
	lo = json_number_value(json_array_get(ci, 0));
	hi = json_number_value(json_array_get(ci, 1));
	if (json_is_number(json_object_get(t, "ratio")) &&
	    !strcmp(json_string_value(json_object_get(t, "test")) ?: "", "welch-log")) {
		cmp_fmt_pct(c, sizeof(c), (json_number_value(json_object_get(t, "ratio")) - 1.0) * 100.0);
		cmp_fmt_pct(l, sizeof(l), (lo - 1.0) * 100.0);
		cmp_fmt_pct(h, sizeof(h), (hi - 1.0) * 100.0);
	} else if (a != 0.0 && isfinite(a)) {
		double d = json_number_value(json_object_get(t, "diff"));

		cmp_fmt_pct(c, sizeof(c), d / fabs(a) * 100.0);
		cmp_fmt_pct(l, sizeof(l), lo / fabs(a) * 100.0);
		cmp_fmt_pct(h, sizeof(h), hi / fabs(a) * 100.0);
	} else {
		double d = json_number_value(json_object_get(t, "diff"));

		cmp_fmt_value(c + 1, sizeof(c) - 1, metric, fabs(d));
		c[0] = d < 0 ? '-' : '+';
		cmp_fmt_value(l, sizeof(l), metric, lo);
		cmp_fmt_value(h, sizeof(h), metric, hi);
	}
	snprintf(buf, len, "%s [%s, %s]", c, l, h);
}

/* "+50%", "-7.3%", "+0.4%": three figures at most, sign always. */
void cmp_fmt_pct(char *buf, size_t len, double pct)
{
	if (!isfinite(pct))
		snprintf(buf, len, "?");
	else if (fabs(pct) >= 9.95)
		snprintf(buf, len, "%+.0f%%", pct);
	else
		snprintf(buf, len, "%+.1f%%", pct);
}

/* What a metric key is called in a verdict line. */
/* "time asleep in SITE per call" for a sleep_at:SITE metric (one buffer:
 * the words are used before the next call) */
static const char *sleep_at_what(const char *metric)
{
	static char what[160];

	snprintf(what, sizeof(what), "time asleep in %s per call", metric + 9);
	return what;
}

const char *cmp_metric_what(const char *metric)
{
	return !strcmp(metric, "latency") ? "latency" :
	       !strcmp(metric, "rounds") ? "reclaim rounds per call" :
	       !strcmp(metric, "stall") ? "stall time per call" :
	       !strcmp(metric, "sleep") ? "time asleep per call" :
	       !strcmp(metric, "p99") ? "p99 latency per run" :
	       !strcmp(metric, "ops_s") ? "ops/s" :
	       !strncmp(metric, "sleep_at:", 9) ? sleep_at_what(metric) : "total stall time per run";
}

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

/* The warning a number that covers part of a run, or a lower bound, must carry. */
static void run_warnings(const struct cmp_run *cr, json_t *warn)
{
	char w[200];

	if (strcmp(cr->status, "complete") != 0) {
		snprintf(w, sizeof(w), "%s: status %s: numbers cover part of the run",
			 cr->id, cr->status);
		add_warning(warn, w);
	}
	if (cr->lost_known && cr->lost_events) {
		snprintf(w, sizeof(w), "%s: %" PRIu64 " trace events lost: stall counts are "
			 "a lower bound", cr->id, cr->lost_events);
		add_warning(warn, w);
	}
	if (cr->bad_rows) {
		snprintf(w, sizeof(w), "%s: %" PRIu64 " malformed rows skipped", cr->id,
			 cr->bad_rows);
		add_warning(warn, w);
	}
}

/* Repetitions must be one experiment on one kernel to be pooled. */
static void reps_alike(const struct cmp_run *cr, json_t *exp, json_t *warn)
{
	char w[200];

	for (int d = 1; d < cr->ndirs; d++) {
		json_t *e = cmp_experiment(&cr->dirs[d]);
		json_t *a = json_object_get(cr->dirs[0].meta, "mm");
		json_t *b = json_object_get(cr->dirs[d].meta, "mm");

		if (!json_equal(e, exp)) {
			snprintf(w, sizeof(w), "%s: repetitions are not the same experiment "
				 "(repetition 1 vs %d)", cr->id, d + 1);
			add_warning(warn, w);
		}
		if (strcmp(cr->dirs[0].release, cr->dirs[d].release) ||
		    (!json_equal(a, b) && (a || b))) {
			snprintf(w, sizeof(w), "%s: repetitions differ in kernel or mm settings",
				 cr->id);
			add_warning(warn, w);
		}
		json_decref(e);
	}
}

/* One run as the model lists it: who it is, where from, what it lost. */
static json_t *run_obj(const struct cmp_run *cr)
{
	json_t *dirs = json_array();

	json_t *outs = json_array();

	for (int d = 0; d < cr->ndirs; d++) {
		const struct cmp_repout *o = &cr->out[d];

		json_array_append_new(dirs, json_string(cr->dirs[d].path));
		json_array_append_new(outs, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}",
			"oom_kills", jreal(o->oom_kills), "oom_events", jreal(o->oom_events),
			"oom_kill", jreal(o->oom_kill), "peak_bytes", jreal(o->peak_bytes),
			"cap_bytes", jreal(o->cap_bytes), "duration_ns", jreal(o->duration_ns)));
	}
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:i,s:o,s:o,s:I,s:I}",
		"id", cr->id, "label", cr->label, "kernel", cr->kernel,
		"release", cr->dirs[0].release,
		"virt", rr_json_str(cr->dirs[0].meta, "host.virt") ?: "",
		"cmdline", cr->dirs[0].cmdline, "dirs", dirs, "rep_outcomes", outs,
		"status", cr->status,
		"repetitions", cr->ndirs,
		"oom_kills", cr->oom_known ? json_integer((json_int_t)cr->oom_kills) : json_null(),
		"lost_events", cr->lost_known ? json_integer((json_int_t)cr->lost_events) :
			json_null(),
		"bad_rows", (json_int_t)cr->bad_rows,
		"oom_victims_outside", (json_int_t)cr->oom_outside);
}

/*
 * The experiment: the same everywhere, or a warning that says what differs
 * (each differing parameter with every run's value). Returns the paths that
 * differ; exp[r] is run r's experiment.
 */
static json_t *experiment_model(const struct cmp_run *runs, int n, json_t **exp, json_t *warn,
				const char *vary, json_t *m)
{
	json_t *ediff = json_array(), *v, *varied = json_array(), *keep = json_array();
	char w[512];
	size_t used, i;

	if (n > 1)
		cmp_diff_paths(exp, n, "", ediff);
	/* what the caller varied on purpose (--vary) is the comparison, not a warning */
	json_array_foreach(ediff, i, v) {
		const char *path = json_string_value(v);
		bool on_purpose = false;

		for (const char *q = vary; q && *q;) {
			size_t l = strcspn(q, ",");

			if (l && !strncmp(path, q, l) && (!path[l] || path[l] == '.' || path[l] == '['))
				on_purpose = true;
			q += l;
			q += *q == ',';
		}
		if (on_purpose) {
			json_t *vals = json_array();
			char b[128];

			for (int r = 0; r < n; r++) {
				cmp_leaf_label(exp[r], path, b, sizeof(b));
				json_array_append_new(vals, json_string(b));
			}
			json_array_append_new(varied, json_pack("{s:s,s:o}", "key", path, "values", vals));
		} else {
			json_array_append(keep, v);
		}
	}
	json_decref(ediff);
	ediff = keep;
	json_object_set_new(m, "varied", varied);
	if (!json_array_size(ediff))
		return ediff;
	used = (size_t)snprintf(w, sizeof(w), "not the same experiment: ");
	json_array_foreach(ediff, i, v) {
		char b[128];

		used += (size_t)snprintf(w + used, used < sizeof(w) ? sizeof(w) - used : 0,
					 "%s%s (", i ? "; " : "", json_string_value(v));
		for (int q = 0; q < n; q++) {
			cmp_leaf_label(exp[q], json_string_value(v), b, sizeof(b));
			used += (size_t)snprintf(w + used, used < sizeof(w) ? sizeof(w) - used : 0,
						 "%s%s %s", q ? ", " : "", runs[q].id, b);
		}
		used += (size_t)snprintf(w + used, used < sizeof(w) ? sizeof(w) - used : 0, ")");
	}
	add_warning(warn, w);
	return ediff;
}

/* The mm settings that differ (every run's value, and a note where a
 * difference changes what a number means) into m's mm_differs. */
static json_t *mm_differs(const struct cmp_run *runs, int n, json_t *keys, json_t *notes)
{
	json_t *mmd = json_array(), *v;
	size_t i, k;

	json_array_foreach(keys, i, v) {
		const char *key = json_string_value(v);
		json_t *vals = json_array();

		for (int r = 0; r < n; r++) {
			char *s = value_str(json_object_get(json_object_get(runs[r].dirs[0].meta, "mm"),
							    key));

			json_array_append_new(vals, json_string(s ? s : "?"));
			free(s);
		}
		json_array_append_new(mmd, json_pack("{s:s,s:o}", "key", key, "values", vals));
		for (k = 0; k < sizeof(mm_why) / sizeof(mm_why[0]); k++)
			if (strcmp(mm_why[k].key, key) == 0)
				add_warning(notes, mm_why[k].why);
	}
	return mmd;
}

/* The settings every run shares are printed too: the reader needs them. */
static json_t *mm_same(const struct cmp_run *runs, json_t *keys)
{
	json_t *same = json_array(), *v, *x;
	const char *key;
	size_t k;

	if (!json_is_object(json_object_get(runs[0].dirs[0].meta, "mm")))
		return same;
	json_object_foreach(json_object_get(runs[0].dirs[0].meta, "mm"), key, v) {
		bool differs = false;
		char *s;

		json_array_foreach(keys, k, x)
			if (strcmp(json_string_value(x), key) == 0)
				differs = true;
		if (differs)
			continue;
		s = value_str(v);
		json_array_append_new(same, json_pack("{s:s,s:s}", "key", key, "value", s ? s : "?"));
		free(s);
	}
	return same;
}

/*
 * Two kernels on either side of a known vmalloc NOFAIL fix measure
 * different code whatever their package names say: said once per fix.
 */
static void kchange_notes(const struct cmp_run *runs, int n, json_t *notes)
{
	for (size_t k = 0; k < nkchanges; k++) {
		char w[400], who[160] = "";
		bool has = false, lacks = false;
		size_t used = 0;

		for (int r = 0; r < n; r++) {
			json_t *p = rr_json_get(runs[r].dirs[0].meta, "kernel.vmalloc_nofail_changes");
			json_t *x = json_object_get(p, kchanges[k].id);
			const char *up = rr_json_str(runs[r].dirs[0].meta, "kernel.upstream");

			if (!json_is_boolean(x))
				continue;
			has |= json_is_true(x);
			lacks |= !json_is_true(x);
			if (used < sizeof(who))
				used += (size_t)snprintf(who + used, sizeof(who) - used, "%s%s %s (%s)",
					used ? ", " : "", runs[r].id, json_is_true(x) ? "has" : "lacks",
					up ? up : "?");
		}
		if (!(has && lacks))
			continue;
		snprintf(w, sizeof(w), "the kernels straddle a vmalloc NOFAIL fix, %s (%s, "
			 "upstream %s, %s.y from %s): %s; without it %s", kchanges[k].title,
			 kchanges[k].commit, kchanges[k].mainline, kchanges[k].series,
			 kchanges[k].stable, who, kchanges[k].without);
		add_warning(notes, w);
	}
}

/*
 * A known memcg/OOM change that some kernel has and another lacks, or may
 * lack (not known for its series): said once, with how to find the
 * release that changed a point.
 */
static void kchange_memcg_notes(const struct cmp_run *runs, int n, json_t *notes)
{
	for (size_t k = 0; k < nkchanges_memcg; k++) {
		const struct kchange *c = &kchanges_memcg[k];
		char w[700], who[240] = "";
		size_t used = 0;
		int has = 0, other = 0;

		for (int r = 0; r < n; r++) {
			const char *up = rr_json_str(runs[r].dirs[0].meta, "kernel.upstream");
			int p = up ? kchange_present(c, up) : -1;

			has += p == 1;
			other += p != 1;
			if (used < sizeof(who))
				used += (size_t)snprintf(who + used, sizeof(who) - used, "%s%s %s (%s)",
					used ? ", " : "", runs[r].id, p == 1 ? "has it" : p == 0 ?
					"lacks it" : "not known", up ? up : "?");
		}
		if (!has || !other)
			continue;
		snprintf(w, sizeof(w), "a known memcg/OOM change, \"%s\" (%s.y from %s): %s; "
			 "./run.sh bisect --good A --bad B --point NAME finds where",
			 c->title, c->series, c->stable, who);
		add_warning(notes, w);
	}
}

/* Columns (run k against the first): whether they can be tested at all. */
static json_t *columns_model(const struct cmp_run *runs, int n, json_t *warn)
{
	json_t *cols = json_array();

	for (int r = 0; r < n; r++) {
		bool ok = r > 0 && runs[0].ndirs >= 2 && runs[r].ndirs >= 2;
		int few = runs[0].ndirs < 2 ? runs[0].ndirs : runs[r].ndirs;
		char w[200];

		json_array_append_new(cols, json_pack("{s:s,s:b,s:i,s:i}", "id", runs[r].id,
			"testable", ok, "n_a", runs[0].ndirs, "n_b", runs[r].ndirs));
		if (r == 0 || ok)
			continue;
		snprintf(w, sizeof(w), "%s vs %s: %s has %d repetition%s: changes are shown, "
			 "not tested (2+ per side needed)", runs[r].id, runs[0].id,
			 runs[0].ndirs < 2 ? runs[0].id : runs[r].id, few, few == 1 ? "" : "s");
		add_warning(warn, w);
	}
	return cols;
}

/* The runs, their warnings and the experiment they share (or do not). */
static int runs_model(json_t *m, const struct cmp_run *runs, int n, json_t *warn, const char *vary)
{
	json_t **exp = calloc((size_t)n, sizeof(*exp)), *jruns = json_array();

	if (!exp) {
		json_decref(jruns);
		return -ENOMEM;
	}
	for (int r = 0; r < n; r++) {
		json_array_append_new(jruns, run_obj(&runs[r]));
		run_warnings(&runs[r], warn);
		exp[r] = cmp_experiment(&runs[r].dirs[0]);
		reps_alike(&runs[r], exp[r], warn);
	}
	json_object_set_new(m, "runs", jruns);
	json_object_set_new(m, "experiment_differs", experiment_model(runs, n, exp, warn, vary, m));
	for (int r = 0; r < n; r++)
		json_decref(exp[r]);
	free(exp);
	return 0;
}

json_t *cmp_build(const struct cmp_run *runs, int n, const struct cmp_opts *o)
{
	json_t *m = json_object(), *warn = json_array(), *notes = json_array(), *keys;

	json_object_set_new(m, "tool", json_string("stallbench compare"));
	json_object_set_new(m, "alpha", json_real(o->alpha));
	json_object_set_new(m, "unit_of_test", json_string("repetition"));
	if (runs_model(m, runs, n, warn, o->vary) < 0) {
		json_decref(warn);
		json_decref(notes);
		json_decref(m);
		return NULL;
	}
	keys = differing(runs, n, "mm");
	json_object_set_new(m, "mm_differs", mm_differs(runs, n, keys, notes));
	json_object_set_new(m, "mm_same", mm_same(runs, keys));
	json_decref(keys);
	kchange_notes(runs, n, notes);
	kchange_memcg_notes(runs, n, notes);
	json_object_set_new(m, "notes", notes);
	json_object_set_new(m, "columns", columns_model(runs, n, warn));
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
