/*
 * Comparison of runs: load per-op and per-stall-kind samples from result
 * directories, build one JSON model of the comparison, render it as a
 * 72-column text table (for a patch cover letter), Markdown, or JSON.
 * The model holds raw numbers; renderers only format, so the three outputs
 * never disagree. Significance: Mann-Whitney U on per-op samples for the
 * distribution (mean row), Welch's t on per-repetition means when both runs
 * were repeated, and a bootstrap CI of the p99 ratio for the tail.
 */
#include "compare.h"
#include "signif.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH		72
#define LAT_MAX		((1ull << 48) - 1)	/* 78 hours: fits beside a node id */
#define MIN_MW		8	/* fewer samples: no rank test */
#define MIN_BOOT	100	/* fewer samples: p99 is the max, no bootstrap */

/* ---- loading ---- */

static int vec_push(struct cmp_vec *v, double x)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 4096;
		double *p = realloc(v->v, nc * sizeof(*p));

		if (!p)
			return -ENOMEM;
		v->v = p;
		v->cap = nc;
	}
	v->v[v->n++] = x;
	return 0;
}

static void vec_free(struct cmp_vec *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static inline uint64_t slot_u64(const double *slot)
{
	uint64_t u;

	memcpy(&u, slot, sizeof(u));
	return u;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = slot_u64(x), b = slot_u64(y);

	return (a > b) - (a < b);
}

static int cmp_dbl(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

struct loadctx {
	struct cmp_run *r;
	size_t last;		/* index of the op last hit: rows come in runs */
};

static struct cmp_opstat *find_op(struct loadctx *c, const char *wl, const char *op)
{
	struct cmp_run *r = c->r;
	size_t wlen = strlen(wl), i;
	struct cmp_opstat *o;

	for (i = 0; i < r->nops; i++) {
		size_t k = (c->last + i) % r->nops;
		const char *n = r->ops[k].name;

		if (strncmp(n, wl, wlen) == 0 && n[wlen] == '/' && strcmp(n + wlen + 1, op) == 0) {
			c->last = k;
			return &r->ops[k];
		}
	}
	o = realloc(r->ops, (r->nops + 1) * sizeof(*o));
	if (!o)
		return NULL;
	r->ops = o;
	o = &r->ops[r->nops];
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s/%s", wl, op);
	c->last = r->nops++;
	return o;
}

static int on_op(void *arg, const struct rr_op *op)
{
	struct loadctx *c = arg;
	struct cmp_opstat *o = find_op(c, op->workload, op->op);
	uint64_t lat = op->latency_ns > LAT_MAX ? LAT_MAX : op->latency_ns, packed;
	double slot;
	int i;

	if (!o)
		return -ENOMEM;
	packed = lat << 16 | (uint16_t)(op->node + 1);
	memcpy(&slot, &packed, sizeof(slot));
	if (vec_push(&o->lat, slot) < 0)
		return -ENOMEM;
	o->rep_sum += (double)op->latency_ns;
	o->rep_n++;
	if (op->reclaim_rounds < CMP_ROUNDS_EXACT)
		o->rounds_lo[op->reclaim_rounds]++;
	else
		o->rounds_hi[63 - __builtin_clzll(op->reclaim_rounds)]++;
	o->rounds_sum += (double)op->reclaim_rounds;
	if (op->reclaim_rounds > o->rounds_max)
		o->rounds_max = op->reclaim_rounds;
	o->stall_ns += op->stall_ns;
	if (op->err[0]) {
		o->errors++;
		for (i = 0; i < o->nerr; i++)
			if (strcmp(o->err[i].name, op->err) == 0)
				break;
		if (i == o->nerr) {
			if (o->nerr == CMP_MAX_ERRNAMES) {
				o->other_errs++;
				goto flags;
			}
			snprintf(o->err[i].name, sizeof(o->err[i].name), "%s", op->err);
			o->nerr++;
		}
		o->err[i].n++;
	}
flags:
	if (op->flags & RR_OPF_KILLED)
		o->killed++;
	if (op->flags & RR_OPF_NULL)
		o->null++;
	if (op->flags & RR_OPF_MISMATCH)
		o->mismatch++;
	if (op->flags & RR_OPF_UNFINISHED)
		o->unfinished++;
	return 0;
}

static int on_stall(void *arg, const struct rr_stall *s)
{
	struct cmp_run *r = arg;
	char name[48];
	struct cmp_stallstat *st;
	size_t i;

	snprintf(name, sizeof(name), "%s/%s", s->scope, s->kind_name);
	for (i = 0; i < r->nstalls; i++)
		if (strcmp(r->stalls[i].name, name) == 0)
			break;
	if (i == r->nstalls) {
		st = realloc(r->stalls, (r->nstalls + 1) * sizeof(*st));
		if (!st)
			return -ENOMEM;
		r->stalls = st;
		memset(&st[i], 0, sizeof(*st));
		strcpy(st[i].name, name);
		r->nstalls++;
	}
	st = &r->stalls[i];
	st->total_ns += s->duration_ns;
	if (s->nr_reclaimed >= 0) {
		st->with_count++;
		st->no_progress += s->nr_reclaimed == 0;
	}
	return vec_push(&st->dur, (double)s->duration_ns);
}

/* Sorts an op's packed samples, derives per-node stats, unpacks to doubles. */
static void finish_op(struct cmp_opstat *o)
{
	uint64_t cnt[CMP_MAX_NODES] = { 0 }, seen[CMP_MAX_NODES] = { 0 };
	size_t r50[CMP_MAX_NODES], r99[CMP_MAX_NODES];
	double sum[CMP_MAX_NODES] = { 0 };
	double m = 0.0, s2 = 0.0;
	size_t i;
	int k;

	qsort(o->lat.v, o->lat.n, sizeof(double), cmp_u64);
	o->nnodes = 0;
	/* Nodes beyond CMP_MAX_NODES distinct ids are left out of the breakdown. */
	for (i = 0; i < o->lat.n; i++) {
		uint64_t u = slot_u64(&o->lat.v[i]);
		int node = (int)(u & 0xffff) - 1;

		for (k = 0; k < o->nnodes; k++)
			if (o->nodes[k].node == node)
				break;
		if (k == o->nnodes) {
			if (k == CMP_MAX_NODES)
				continue;
			o->nodes[k].node = node;
			o->nnodes++;
		}
		cnt[k]++;
		sum[k] += (double)(u >> 16);
	}
	for (k = 0; k < o->nnodes; k++) {
		o->nodes[k].count = cnt[k];
		o->nodes[k].mean = sum[k] / (double)cnt[k];
		r50[k] = pct_rank(cnt[k], 0.5);
		r99[k] = pct_rank(cnt[k], 0.99);
	}
	/* Walking ascending latencies, a node's j-th sample is its j-th smallest. */
	for (i = 0; i < o->lat.n; i++) {
		uint64_t u = slot_u64(&o->lat.v[i]);
		int node = (int)(u & 0xffff) - 1;
		double v = (double)(u >> 16), d;

		for (k = 0; k < o->nnodes; k++)
			if (o->nodes[k].node == node)
				break;
		if (k < o->nnodes) {
			seen[k]++;
			if (seen[k] == r50[k])
				o->nodes[k].p50 = v;
			if (seen[k] == r99[k])
				o->nodes[k].p99 = v;
		}
		o->lat.v[i] = v;
		d = v - m;
		m += d / (double)(i + 1);
		s2 += d * (v - m);
	}
	o->mean = m;
	o->stddev = o->lat.n > 1 ? sqrt(s2 / (double)(o->lat.n - 1)) : 0.0;
}

double cmp_rounds_pct(const struct cmp_opstat *o, double q)
{
	uint64_t n = o->lat.n, acc = 0;
	size_t k, i;

	if (!n)
		return NAN;
	k = pct_rank(n, q);
	for (i = 0; i < CMP_ROUNDS_EXACT; i++) {
		acc += o->rounds_lo[i];
		if (acc >= k)
			return (double)i;
	}
	for (i = 10; i < 64; i++) {
		acc += o->rounds_hi[i];
		if (acc >= k)
			return ldexp(1.0, (int)i);
	}
	return (double)o->rounds_max;
}

void cmp_run_free(struct cmp_run *r)
{
	size_t i;
	int d;

	for (i = 0; i < r->nops; i++) {
		vec_free(&r->ops[i].lat);
		vec_free(&r->ops[i].rep_mean);
	}
	free(r->ops);
	for (i = 0; i < r->nstalls; i++)
		vec_free(&r->stalls[i].dur);
	free(r->stalls);
	for (d = 0; d < r->ndirs; d++)
		rr_close(&r->dirs[d]);
	free(r->dirs);
	memset(r, 0, sizeof(*r));
}

static uint64_t summary_u64(json_t *sum, const char *key, bool *known)
{
	json_t *v = sum ? json_object_get(sum, key) : NULL;

	if (!json_is_integer(v)) {
		*known = false;
		return 0;
	}
	return (uint64_t)json_integer_value(v);
}

int cmp_load(struct cmp_run *r, const char *spec, unsigned int rr_flags, char *msg, size_t len)
{
	char *copy = strdup(spec), *save = NULL, *tok;
	struct loadctx c = { .r = r };
	struct rr_csv_stats st;
	size_t i;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	c.r = r;
	r->oom_known = r->lost_known = true;
	if (!copy) {
		snprintf(msg, len, "%s: out of memory", spec);
		return -ENOMEM;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct rr_dir *d = realloc(r->dirs, (r->ndirs + 1) * sizeof(*d));

		if (!d) {
			snprintf(msg, len, "%s: out of memory", tok);
			ret = -ENOMEM;
			goto out;
		}
		r->dirs = d;
		d = &r->dirs[r->ndirs];
		ret = rr_open(tok, rr_flags, d, msg, len);
		if (ret < 0)
			goto out;
		r->ndirs++;
		if (!r->status || strcmp(d->status, "complete") != 0)
			r->status = d->status;
		ret = rr_read_ops(d, on_op, &c, &st, msg, len);
		if (ret == -ENOMEM)
			snprintf(msg, len, "%s: out of memory reading ops.csv", tok);
		if (ret < 0)
			goto out;
		r->bad_rows += st.bad_rows;
		/* Each directory is one repetition: close its per-op means. */
		for (i = 0; i < r->nops; i++) {
			struct cmp_opstat *o = &r->ops[i];

			if (o->rep_n && vec_push(&o->rep_mean, o->rep_sum / (double)o->rep_n) < 0) {
				ret = -ENOMEM;
				snprintf(msg, len, "%s: out of memory", tok);
				goto out;
			}
			o->rep_sum = 0.0;
			o->rep_n = 0;
		}
		ret = rr_read_stalls(d, on_stall, r, &st, msg, len);
		if (ret == -ENOMEM)
			snprintf(msg, len, "%s: out of memory reading stalls.csv", tok);
		if (ret < 0)
			goto out;
		r->bad_rows += st.bad_rows;
		r->oom_kills += summary_u64(d->summary, "oom_kills", &r->oom_known);
		{
			json_t *vs = json_object_get(d->summary, "oom_victims"), *x;
			size_t k;

			json_array_foreach(vs, k, x)
				r->oom_outside += !json_is_string(json_object_get(x, "who")) ||
						  strcmp(json_string_value(json_object_get(x, "who")), "worker");
		}
		r->lost_events += summary_u64(d->summary, "lost_events", &r->lost_known);
	}
	if (!r->ndirs) {
		snprintf(msg, len, "\"%s\": no directory given", spec);
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < r->nops; i++)
		finish_op(&r->ops[i]);
	for (i = 0; i < r->nstalls; i++)
		qsort(r->stalls[i].dur.v, r->stalls[i].dur.n, sizeof(double), cmp_dbl);
out:
	free(copy);
	if (ret < 0)
		cmp_run_free(r);
	return ret;
}

/* ---- labels ---- */

static bool ignored_word(const char *w, size_t n)
{
	return (n >= 11 && strncmp(w, "BOOT_IMAGE=", 11) == 0) ||
	       (n >= 7 && strncmp(w, "initrd=", 7) == 0);
}

/* Whether word w[0..n) appears in the space-separated cmdline. */
static bool has_word(const char *cmdline, const char *w, size_t n)
{
	const char *p = cmdline;

	while (*p) {
		size_t m;

		p += strspn(p, " \t\n");
		m = strcspn(p, " \t\n");
		if (m == n && strncmp(p, w, n) == 0)
			return true;
		p += m;
	}
	return false;
}

void cmp_label_runs(struct cmp_run *runs, int n)
{
	int i, j;
	size_t used;

	for (i = 0; i < n; i++) {
		const char *cl = runs[i].dirs[0].cmdline, *p = cl;
		const char *rel = runs[i].dirs[0].release;

		if (i < 26)
			snprintf(runs[i].id, sizeof(runs[i].id), "%c", 'A' + i);
		else
			snprintf(runs[i].id, sizeof(runs[i].id), "%c%c", 'A' + i / 26 - 1, 'A' + i % 26);
		used = (size_t)snprintf(runs[i].label, sizeof(runs[i].label), "%s",
					*rel ? rel : "unknown-kernel");
		/* The cmdline words that not every run shares tell kernels apart. */
		while (*p) {
			size_t m;
			bool common = true;

			p += strspn(p, " \t\n");
			m = strcspn(p, " \t\n");
			if (!m)
				break;
			for (j = 0; j < n && common; j++)
				if (j != i && !has_word(runs[j].dirs[0].cmdline, p, m))
					common = false;
			if (!common && !ignored_word(p, m) && used + m + 2 < sizeof(runs[i].label)) {
				used += (size_t)snprintf(runs[i].label + used,
							 sizeof(runs[i].label) - used, " %.*s",
							 (int)m, p);
			}
			p += m;
		}
	}
	/* Runs of one kernel (a sweep's points) are told apart by their directory. */
	bool *dup = calloc((size_t)n, sizeof(*dup));

	for (i = 0; dup && i < n; i++)
		for (j = 0; j < n; j++)
			if (j != i && !strcmp(runs[i].label, runs[j].label))
				dup[i] = true;
	for (i = 0; dup && i < n; i++) {
		const char *path = runs[i].dirs[0].path, *base;
		size_t pl = strlen(path);

		if (!dup[i])
			continue;
		while (pl > 1 && path[pl - 1] == '/')
			pl--;
		base = path + pl;
		while (base > path && base[-1] != '/')
			base--;
		used = strlen(runs[i].label);
		if (used + 2 + (size_t)(path + pl - base) < sizeof(runs[i].label))
			snprintf(runs[i].label + used, sizeof(runs[i].label) - used, " %.*s",
				 (int)(path + pl - base), base);
	}
	free(dup);
}

/* ---- the model ---- */

static double pct_change(double a, double b)
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

static json_t *op_obj(const struct cmp_opstat *o, const struct cmp_opts *opt)
{
	const double *v = o->lat.v;
	size_t n = o->lat.n;
	json_t *j = json_object(), *e = json_object(), *r = json_object();
	json_t *nodes = json_array();
	double lo, hi;
	int i;

	json_object_set_new(j, "count", json_integer((json_int_t)n));
	json_object_set_new(j, "mean", jreal(o->mean));
	json_object_set_new(j, "stddev", jreal(o->stddev));
	json_object_set_new(j, "min", jreal(quantile_sorted(v, n, 0.0)));
	json_object_set_new(j, "p50", jreal(quantile_sorted(v, n, 0.50)));
	json_object_set_new(j, "p90", jreal(quantile_sorted(v, n, 0.90)));
	json_object_set_new(j, "p99", jreal(quantile_sorted(v, n, 0.99)));
	json_object_set_new(j, "p999", jreal(quantile_sorted(v, n, 0.999)));
	json_object_set_new(j, "max", jreal(n ? v[n - 1] : NAN));
	if (n >= MIN_BOOT && boot_pct_ci(v, n, 0.99, opt->boot_iters, 0.95, opt->seed,
					 &lo, &hi) == 0)
		json_object_set_new(j, "p99_ci95", json_pack("[o,o]", jreal(lo), jreal(hi)));
	else
		json_object_set_new(j, "p99_ci95", json_null());
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
	json_object_set_new(r, "mean", jreal(n ? o->rounds_sum / (double)n : NAN));
	json_object_set_new(r, "p50", jreal(cmp_rounds_pct(o, 0.5)));
	json_object_set_new(r, "p99", jreal(cmp_rounds_pct(o, 0.99)));
	json_object_set_new(r, "max", json_integer((json_int_t)o->rounds_max));
	json_object_set_new(j, "rounds", r);
	json_object_set_new(j, "stall_ns_total", json_integer((json_int_t)o->stall_ns));
	json_object_set_new(j, "repetitions", json_integer((json_int_t)o->rep_mean.n));
	if (o->rep_mean.n > 1) {
		json_t *rm = json_array();
		size_t k;

		for (k = 0; k < o->rep_mean.n; k++)
			json_array_append_new(rm, jreal(o->rep_mean.v[k]));
		json_object_set_new(j, "rep_means", rm);
	}
	for (i = 0; i < o->nnodes; i++)
		json_array_append_new(nodes, json_pack("{s:i,s:I,s:o,s:o,s:o}",
			"node", o->nodes[i].node, "count", (json_int_t)o->nodes[i].count,
			"mean", jreal(o->nodes[i].mean), "p50", jreal(o->nodes[i].p50),
			"p99", jreal(o->nodes[i].p99)));
	json_object_set_new(j, "nodes", nodes);
	return j;
}

static json_t *stall_obj(const struct cmp_stallstat *s, const struct cmp_opts *opt)
{
	const double *v = s->dur.v;
	size_t n = s->dur.n, i;
	double m = 0.0, lo, hi;
	json_t *j = json_object();

	for (i = 0; i < n; i++)
		m += v[i];
	json_object_set_new(j, "count", json_integer((json_int_t)n));
	json_object_set_new(j, "total_ns", json_integer((json_int_t)s->total_ns));
	/* Rounds that reclaimed nothing: NOFAIL's retry loop against a full cgroup. */
	json_object_set_new(j, "no_progress_pct", jreal(s->with_count ?
		100.0 * (double)s->no_progress / (double)s->with_count : NAN));
	json_object_set_new(j, "mean", jreal(n ? m / (double)n : NAN));
	json_object_set_new(j, "p50", jreal(quantile_sorted(v, n, 0.50)));
	json_object_set_new(j, "p90", jreal(quantile_sorted(v, n, 0.90)));
	json_object_set_new(j, "p99", jreal(quantile_sorted(v, n, 0.99)));
	json_object_set_new(j, "p999", jreal(quantile_sorted(v, n, 0.999)));
	json_object_set_new(j, "max", jreal(n ? v[n - 1] : NAN));
	if (n >= MIN_BOOT && boot_pct_ci(v, n, 0.99, opt->boot_iters, 0.95, opt->seed,
					 &lo, &hi) == 0)
		json_object_set_new(j, "p99_ci95", json_pack("[o,o]", jreal(lo), jreal(hi)));
	else
		json_object_set_new(j, "p99_ci95", json_null());
	return j;
}

static const char *const change_keys[] = {
	"count", "mean", "p50", "p90", "p99", "p999", "max", NULL,
};

/*
 * Change and tests of sample b against a (the first run). Raw p-values go
 * in "p_raw"; holm() later adjusts them over the whole column.
 */
static json_t *vs_obj(json_t *ja, json_t *jb, const struct cmp_vec *a, const struct cmp_vec *b,
		      const struct cmp_vec *ra, const struct cmp_vec *rb,
		      const struct cmp_opts *opt)
{
	json_t *j = json_object(), *ch = json_object(), *praw = json_object();
	struct mw_result mw;
	struct welch_result w;
	const char *test = "none";
	double lo, hi, p;
	int i;

	for (i = 0; change_keys[i]; i++) {
		json_t *x = json_object_get(ja, change_keys[i]), *y = json_object_get(jb, change_keys[i]);

		json_object_set_new(ch, change_keys[i],
				    jreal(pct_change(json_number_value(x), json_number_value(y))));
	}
	json_object_set_new(j, "change_pct", ch);

	if (a->n >= MIN_MW && b->n >= MIN_MW && mw_test_sorted(a->v, a->n, b->v, b->n, &mw) == 0) {
		json_object_set_new(j, "mann_whitney", json_pack("{s:o,s:o,s:o,s:o}",
			"u", jreal(mw.u), "z", jreal(mw.z), "p", jreal(mw.p), "auc", jreal(mw.auc)));
		json_object_set_new(praw, "mean", jreal(mw.p));
		test = "mann-whitney";
	} else {
		json_object_set_new(j, "mann_whitney", json_null());
	}
	if (ra && rb && ra->n >= 2 && rb->n >= 2 && welch_test(ra->v, ra->n, rb->v, rb->n, &w) == 0) {
		json_object_set_new(j, "welch", json_pack("{s:o,s:o,s:o}",
			"t", jreal(w.t), "df", jreal(w.df), "p", jreal(w.p)));
		/* Repetitions see run-to-run variance that pooled samples hide. */
		json_object_set_new(praw, "mean", jreal(w.p));
		test = "welch";
	} else {
		json_object_set_new(j, "welch", json_null());
	}
	if (a->n >= MIN_BOOT && b->n >= MIN_BOOT &&
	    boot_pct_ratio_ci(a->v, a->n, b->v, b->n, 0.99, opt->boot_iters, 0.95,
			      opt->seed, &lo, &hi, &p) == 0) {
		json_object_set_new(j, "p99_ratio_ci95", json_pack("[o,o]", jreal(lo), jreal(hi)));
		json_object_set_new(praw, "p99", jreal(p));
	} else {
		json_object_set_new(j, "p99_ratio_ci95", json_null());
	}
	json_object_set_new(j, "mean_test", json_string(test));
	json_object_set_new(j, "p_raw", praw);
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

static json_t *ops_model(const struct cmp_run *runs, int n, const struct cmp_opts *o)
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
				json_t *js = s ? op_obj(s, o) : json_pack("{s:i}", "count", 0);

				json_array_append_new(jr, js);
				if (k == 0) {
					base = s;
					jbase = js;
					json_array_append_new(vs, json_null());
				} else if (base && s && base->lat.n && s->lat.n) {
					json_array_append_new(vs, vs_obj(jbase, js, &base->lat, &s->lat,
									&base->rep_mean, &s->rep_mean, o));
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

static json_t *stalls_model(const struct cmp_run *runs, int n, const struct cmp_opts *o)
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
				json_t *js = s ? stall_obj(s, o) :
					json_pack("{s:i,s:i}", "count", 0, "total_ns", 0);

				json_array_append_new(jr, js);
				if (k == 0) {
					jbase = js;
					json_array_append_new(vs, json_null());
				} else if (base && s && base->dur.n && s->dur.n) {
					json_t *v = vs_obj(jbase, js, &base->dur, &s->dur, NULL, NULL, o);

					json_object_set_new(json_object_get(v, "change_pct"), "total_ns",
						jreal(pct_change((double)base->total_ns, (double)s->total_ns)));
					json_array_append_new(vs, v);
				} else {
					json_array_append_new(vs, json_null());
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

/* Why a differing mm setting matters, by key. */
static const struct {
	const char *key, *group, *why;
} mm_why[] = {
	{ "lru_gen", "lru_gen", "lru_gen differs: results not comparable on reclaim counts" },
	{ "thp_enabled", "thp", "THP differs: fault and compaction stalls not comparable" },
	{ "thp_defrag", "thp", "THP differs: fault and compaction stalls not comparable" },
	{ "init_on_alloc", "init", "init_on_alloc/free differs: latency includes page zeroing "
	  "on one side only" },
	{ "init_on_free", "init", "init_on_alloc/free differs: latency includes page zeroing "
	  "on one side only" },
	{ "swap_total_kb", "swap", "swap differs: anon memory is reclaimable on one side only" },
	{ "zswap", "swap", "swap differs: anon memory is reclaimable on one side only" },
	{ "swappiness", "swappiness", "swappiness differs: anon/file reclaim balance differs" },
	{ "compaction_proactiveness", "compact", "compaction_proactiveness differs: compaction "
	  "stalls not comparable" },
	{ "min_free_kbytes", "wmark", "watermarks differ: reclaim starts at different free "
	  "levels" },
	{ "watermark_scale_factor", "wmark", "watermarks differ: reclaim starts at different "
	  "free levels" },
	{ "vmalloc_huge", "vmalloc", "vmalloc_huge differs: vmalloc latency not comparable" },
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

static const char *const tested[] = { "mean", "p99" };

/*
 * Holm's adjustment over every test of one column (run k against the
 * first): an A/A column of many ops must stay unmarked with probability
 * 1 - alpha, not merely each test on its own.
 */
static int holm(json_t *m, int k, double alpha)
{
	static const char *const groups[] = { "ops", "stalls" };
	json_t **vs = NULL, *blk;
	const char **key = NULL;
	double *p = NULL;
	size_t n = 0, cap = 0, i, g, t;
	int ret = 0;

	for (g = 0; g < 2; g++) {
		json_array_foreach(json_object_get(m, groups[g]), i, blk) {
			json_t *v = json_array_get(json_object_get(blk, "vs_first"), (size_t)k);

			if (!json_is_object(v))
				continue;
			json_object_set_new(v, "significant", json_object());
			json_object_set_new(v, "p_holm", json_object());
			for (t = 0; t < 2; t++) {
				json_t *x = json_object_get(json_object_get(v, "p_raw"), tested[t]);

				if (!json_is_number(x))
					continue;
				if (n == cap) {
					size_t nc = cap ? 2 * cap : 32;
					json_t **nv = realloc(vs, nc * sizeof(*nv));
					const char **nk = nv ? realloc(key, nc * sizeof(*nk)) : NULL;
					double *np = nk ? realloc(p, nc * sizeof(*np)) : NULL;

					if (nv)
						vs = nv;
					if (nk)
						key = nk;
					if (!np) {
						ret = -ENOMEM;
						goto out;
					}
					p = np;
					cap = nc;
				}
				vs[n] = v;
				key[n] = tested[t];
				p[n++] = json_number_value(x);
			}
		}
	}
	ret = holm_adjust(p, n);
	if (ret < 0)
		goto out;
	for (i = 0; i < n; i++) {
		json_object_set_new(json_object_get(vs[i], "p_holm"), key[i], json_real(p[i]));
		json_object_set_new(json_object_get(vs[i], "significant"), key[i],
				    json_boolean(p[i] < alpha));
	}
out:
	free(vs);
	free(key);
	free(p);
	return ret;
}

json_t *cmp_build(const struct cmp_run *runs, int n, const struct cmp_opts *o)
{
	json_t *m = json_object(), *jruns = json_array(), *warn = json_array();
	json_t *mmd = json_array(), *mm_same = json_array(), *keys, *pd, *v;
	size_t i, k;
	int r, d;

	json_object_set_new(m, "tool", json_string("stallbench compare"));
	json_object_set_new(m, "alpha", json_real(o->alpha));
	for (r = 0; r < n; r++) {
		const struct cmp_run *cr = &runs[r];
		json_t *dirs = json_array();

		for (d = 0; d < cr->ndirs; d++)
			json_array_append_new(dirs, json_string(cr->dirs[d].path));
		json_array_append_new(jruns, json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:i,s:o,s:o,s:I,s:I}",
			"id", cr->id, "label", cr->label, "release", cr->dirs[0].release,
			"cmdline", cr->dirs[0].cmdline, "dirs", dirs, "status", cr->status,
			"repetitions", cr->ndirs,
			"oom_kills", cr->oom_known ? json_integer((json_int_t)cr->oom_kills) : json_null(),
			"lost_events", cr->lost_known ? json_integer((json_int_t)cr->lost_events) :
				json_null(),
			"bad_rows", (json_int_t)cr->bad_rows,
			"oom_victims_outside", (json_int_t)cr->oom_outside));
		if (strcmp(cr->status, "complete") != 0) {
			char w[160];

			snprintf(w, sizeof(w), "%s: status %s: numbers cover part of the run",
				 cr->id, cr->status);
			add_warning(warn, w);
		}
		if (cr->lost_known && cr->lost_events) {
			char w[160];

			snprintf(w, sizeof(w), "%s: %" PRIu64 " trace events lost: stall counts are "
				 "a lower bound", cr->id, cr->lost_events);
			add_warning(warn, w);
		}
		if (cr->bad_rows) {
			char w[160];

			snprintf(w, sizeof(w), "%s: %" PRIu64 " malformed rows skipped", cr->id,
				 cr->bad_rows);
			add_warning(warn, w);
		}
		for (d = 1; d < cr->ndirs; d++) {
			json_t *a = json_object_get(cr->dirs[0].meta, "mm");
			json_t *b = json_object_get(cr->dirs[d].meta, "mm");

			if (!json_equal(a, b) && (a || b)) {
				char w[160];

				snprintf(w, sizeof(w), "%s: repetitions differ in mm settings", cr->id);
				add_warning(warn, w);
			}
		}
	}
	json_object_set_new(m, "runs", jruns);

	keys = differing(runs, n, "mm");
	json_array_foreach(keys, i, v) {
		const char *key = json_string_value(v);
		json_t *vals = json_array();
		bool known = false;

		for (r = 0; r < n; r++) {
			char *s = value_str(json_object_get(json_object_get(runs[r].dirs[0].meta, "mm"),
							    key));

			json_array_append_new(vals, json_string(s ? s : "?"));
			free(s);
		}
		json_array_append_new(mmd, json_pack("{s:s,s:o}", "key", key, "values", vals));
		for (k = 0; k < sizeof(mm_why) / sizeof(mm_why[0]); k++) {
			if (strcmp(mm_why[k].key, key) == 0) {
				add_warning(warn, mm_why[k].why);
				known = true;
			}
		}
		if (!known) {
			char w[160];

			snprintf(w, sizeof(w), "%s differs", key);
			add_warning(warn, w);
		}
	}
	/* The settings every run shares are printed too: the reader needs them. */
	if (json_is_object(json_object_get(runs[0].dirs[0].meta, "mm"))) {
		const char *key;

		json_object_foreach(json_object_get(runs[0].dirs[0].meta, "mm"), key, v) {
			bool differs = false;
			json_t *x;
			char *s;

			json_array_foreach(keys, k, x)
				if (strcmp(json_string_value(x), key) == 0)
					differs = true;
			if (differs)
				continue;
			s = value_str(v);
			json_array_append_new(mm_same, json_pack("{s:s,s:s}", "key", key,
								  "value", s ? s : "?"));
			free(s);
		}
	}
	json_decref(keys);
	json_object_set_new(m, "mm_differs", mmd);
	json_object_set_new(m, "mm_same", mm_same);

	pd = differing(runs, n, "params");
	if (json_array_size(pd)) {
		char w[256];
		size_t used;

		used = (size_t)snprintf(w, sizeof(w), "run parameters differ (");
		json_array_foreach(pd, i, v)
			if (used < sizeof(w))
				used += (size_t)snprintf(w + used, sizeof(w) - used, "%s%s",
							 i ? ", " : "", json_string_value(v));
		if (used < sizeof(w))
			snprintf(w + used, sizeof(w) - used, "): not the same experiment");
		add_warning(warn, w);
	}
	json_object_set_new(m, "params_differ", pd);
	pd = differing(runs, n, "cgroup");
	if (json_array_size(pd))
		add_warning(warn, "cgroup version or cap differs: not the same experiment");
	json_object_set_new(m, "cgroup_differs", pd);
	json_object_set_new(m, "warnings", warn);
	json_object_set_new(m, "ops", ops_model(runs, n, o));
	json_object_set_new(m, "stalls", stalls_model(runs, n, o));
	json_object_set_new(m, "correction", json_string("holm"));
	for (r = 1; r < n; r++) {
		if (holm(m, r, o->alpha) < 0) {
			json_decref(m);
			return NULL;
		}
	}
	return m;
}

/* ---- rendering ---- */

/* Prints text word-wrapped to WIDTH; continuation lines start with cont. */
static void wrap(FILE *f, const char *first, const char *cont, const char *text)
{
	size_t col = strlen(first), ind = strlen(cont);
	const char *p = text;
	bool empty = true;	/* nothing but the prefix on this line yet */

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
		/* A word longer than a line (a long path) is cut across lines. */
		while (col + m > WIDTH) {
			size_t room = WIDTH - col;

			fwrite(p, 1, room, f);
			p += room;
			m -= room;
			fprintf(f, "\n%s", cont);
			col = ind;
		}
		fwrite(p, 1, m, f);
		col += m;
		p += m;
		empty = false;
	}
	fputc('\n', f);
}

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
	double c = pct_change(a, b);
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
	const char *sig;	/* key in vs_first.significant, or NULL */
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

static void print_rows(FILE *f, json_t *blk, const struct row *rows, int nrows, size_t from,
		       size_t to, bool md)
{
	json_t *jr = json_object_get(blk, "runs"), *vs = json_object_get(blk, "vs_first");
	const char *unit = json_string_value(json_object_get(blk, "unit"));
	double div = unit_div(unit ? unit : "ns");
	int ri;

	for (ri = 0; ri < nrows; ri++) {
		const struct row *rw = &rows[ri];
		double base = row_value(json_array_get(jr, 0), rw->path);
		char cell[32];
		size_t k;

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
			json_t *s = json_object_get(json_array_get(vs, k), "significant");
			bool sig = rw->sig && json_is_true(json_object_get(s, rw->sig));
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
static int op_rows(json_t *blk, struct row *rows, char names[][40], int max)
{
	static const struct row fixed[] = {
		{ "count", "count", ROW_INT, NULL },
		{ "mean", "mean", ROW_LAT, "mean" },
		{ "p50", "p50", ROW_LAT, NULL },
		{ "p90", "p90", ROW_LAT, NULL },
		{ "p99", "p99", ROW_LAT, "p99" },
		{ "p99.9", "p999", ROW_LAT, NULL },
		{ "max", "max", ROW_LAT, NULL },
	};
	json_t *jr = json_object_get(blk, "runs"), *errs = json_object();
	const char *name = json_string_value(json_object_get(blk, "name"));
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
	if (any_nonzero(jr, "null") || (name && strstr(name, "vmalloc")))
		rows[n++] = (struct row){ "NULL/NOFAIL", "null", ROW_INT, NULL };
	if (any_nonzero(jr, "killed"))
		rows[n++] = (struct row){ "killed", "killed", ROW_INT, NULL };
	if (any_nonzero(jr, "mismatch"))
		rows[n++] = (struct row){ "size wrong", "mismatch", ROW_INT, NULL };
	if (any_nonzero(jr, "unfinished"))
		rows[n++] = (struct row){ "unfinished", "unfinished", ROW_INT, NULL };
	rows[n++] = (struct row){ "rounds mean", "rounds.mean", ROW_REAL, NULL };
	rows[n++] = (struct row){ "rounds p99", "rounds.p99", ROW_INT, NULL };
	rows[n++] = (struct row){ "rounds max", "rounds.max", ROW_INT, NULL };
	rows[n++] = (struct row){ "stall ms", "stall_ns_total", ROW_MS, NULL };
	return n;
}

static const struct row stall_rows[] = {
	{ "count", "count", ROW_INT, NULL },
	{ "total ms", "total_ns", ROW_MS, NULL },
	{ "mean", "mean", ROW_LAT, "mean" },
	{ "p50", "p50", ROW_LAT, NULL },
	{ "p90", "p90", ROW_LAT, NULL },
	{ "p99", "p99", ROW_LAT, "p99" },
	{ "p99.9", "p999", ROW_LAT, NULL },
	{ "max", "max", ROW_LAT, NULL },
	{ "0-reclaim %", "no_progress_pct", ROW_REAL, NULL },	/* rounds reclaiming nothing */
};

#define PER_BLOCK	3	/* runs beside the first that fit 72 columns */

static void block_header(FILE *f, json_t *runs, const char *title, size_t from, size_t to)
{
	size_t k;

	wrap(f, "", "  ", title);
	fprintf(f, "%-11s%9s", "", json_string_value(json_object_get(json_array_get(runs, 0), "id")));
	for (k = from; k < to; k++)
		fprintf(f, "%9s%8s", json_string_value(json_object_get(json_array_get(runs, k), "id")),
			"change");
	fputc('\n', f);
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
			if (to >= nruns)
				break;
		}
	}
}

int cmp_print_text(FILE *f, json_t *m)
{
	json_t *runs = json_object_get(m, "runs"), *r, *v;
	double alpha = json_number_value(json_object_get(m, "alpha"));
	char line[1024];
	size_t i, k;

	snprintf(line, sizeof(line), "stallbench compare: %zu runs, alpha %g",
		 json_array_size(runs), alpha);
	wrap(f, "", "  ", line);
	json_array_foreach(runs, i, r) {
		json_t *dirs = json_object_get(r, "dirs"), *d;
		json_t *oom = json_object_get(r, "oom_kills"), *lost = json_object_get(r, "lost_events");
		char pre[16], oomb[64], lostb[32];

		snprintf(pre, sizeof(pre), "%-3s", json_string_value(json_object_get(r, "id")));
		wrap(f, pre, "     ", json_string_value(json_object_get(r, "label")));
		json_array_foreach(dirs, k, d)
			wrap(f, "   ", "     ", json_string_value(d));
		if (json_is_integer(oom) && json_integer_value(json_object_get(r, "oom_victims_outside")))
			snprintf(oomb, sizeof(oomb), "%" JSON_INTEGER_FORMAT " (%" JSON_INTEGER_FORMAT
				 " outside the run!)", json_integer_value(oom),
				 json_integer_value(json_object_get(r, "oom_victims_outside")));
		else if (json_is_integer(oom))
			snprintf(oomb, sizeof(oomb), "%" JSON_INTEGER_FORMAT, json_integer_value(oom));
		else
			snprintf(oomb, sizeof(oomb), "?");
		if (json_is_integer(lost))
			snprintf(lostb, sizeof(lostb), "%" JSON_INTEGER_FORMAT, json_integer_value(lost));
		else
			snprintf(lostb, sizeof(lostb), "?");
		snprintf(line, sizeof(line), "%s, %d rep%s, OOM kills %s, lost events %s)",
			 json_string_value(json_object_get(r, "status")),
			 (int)json_integer_value(json_object_get(r, "repetitions")),
			 json_integer_value(json_object_get(r, "repetitions")) == 1 ? "" : "s",
			 oomb, lostb);
		wrap(f, "   (", "    ", line);
	}
	if (json_array_size(json_object_get(m, "mm_differs"))) {
		fputs("mm settings that differ:\n", f);
		json_array_foreach(json_object_get(m, "mm_differs"), i, v) {
			size_t used = 0;
			json_t *x;
			char pre[64];

			line[0] = '\0';
			json_array_foreach(json_object_get(v, "values"), k, x)
				used += (size_t)snprintf(line + used, used < sizeof(line) ?
					sizeof(line) - used : 0, "%s%s=%s", k ? " " : "",
					json_string_value(json_object_get(json_array_get(runs, k), "id")),
					json_string_value(x));
			snprintf(pre, sizeof(pre), "  %-24s ",
				 json_string_value(json_object_get(v, "key")));
			wrap(f, pre, "                           ", line);
		}
	}
	if (json_array_size(json_object_get(m, "mm_same"))) {
		size_t used = 0;

		line[0] = '\0';
		json_array_foreach(json_object_get(m, "mm_same"), i, v)
			if (used < sizeof(line))
				used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s=%s",
					i ? " " : "", json_string_value(json_object_get(v, "key")),
					json_string_value(json_object_get(v, "value")));
		wrap(f, "mm settings alike: ", "  ", line);
	}
	json_array_foreach(json_object_get(m, "warnings"), i, v)
		wrap(f, "WARNING: ", "  ", json_string_value(v));

	text_blocks(f, m, "ops", true);
	text_blocks(f, m, "stalls", false);

	fputc('\n', f);
	snprintf(line, sizeof(line), "change: vs %s. * p < %g after Holm's correction over "
		 "the tests of the column. mean: Mann-Whitney U on per-op samples (Welch's t "
		 "on per-repetition means when both runs have 2+ repetitions). p99: bootstrap "
		 "test of the p99 ratio.",
		 json_string_value(json_object_get(json_array_get(runs, 0), "id")), alpha);
	wrap(f, "", "", line);
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
		fputs("): ", f);
		json_array_foreach(json_object_get(r, "dirs"), k, v) {
			fputs(k ? ", `" : "`", f);
			fputs(json_string_value(v), f);
			fputc('`', f);
		}
		fputc('\n', f);
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
	json_array_foreach(json_object_get(m, "warnings"), i, v) {
		fputs(i ? "" : "\n", f);
		fputs("> **Warning:** ", f);
		md_escape(f, json_string_value(v));
		fputs("\n", f);
	}
	md_blocks(f, m, "ops", true);
	md_blocks(f, m, "stalls", false);
	fprintf(f, "\n\\* p < %g after Holm's correction over the tests of the column. mean: "
		"Mann-Whitney U on per-op samples (Welch's t on per-repetition means when both "
		"runs have 2+ repetitions); p99: bootstrap test of the p99 ratio.\n", alpha);
	return ferror(f) ? -EIO : 0;
}
