/*
 * Comparison of runs, part 1c: the later passes. After cmp_load's first
 * pass every op, repetition, node and stall kind has a histogram of its
 * values; the ranks the readers ask for (p50..p99.9, each repetition's p50
 * and p99, plot's CDF with CMP_LOAD_CDF) fall in a few of its buckets, and
 * each later pass over the same files (rr_scan_ops, rr_scan_stalls: only
 * the columns that matter) keeps only the values in those buckets (qsel.h)
 * until every rank has its exact value; then each op's figures from them
 * (cmp_finish_op). Also the accessors of the result.
 */
#include "compare.h"
#include "compare_impl.h"
#include "signif.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A later pass: a finished op's values again, into the selectors pass 1 fed. */
static inline void feed_again(struct cmp_opstat *o, int k, uint64_t lat, uint64_t rounds)
{
	qs_feed(&o->lat, lat);
	qs_feed(&o->rounds, rounds);
	if (o->p2_rep >= 0 && !(o->p2_rep == 0 && o->rep0_alias))
		qs_feed(&o->rep_lat[o->p2_rep], lat);
	if (k >= 0 && !o->node_alias)
		qs_feed(&o->nodes[k].lat, lat);
}

/* ... from ops.csv: for the ranks the histograms could not tell. */
static int on_op_again(void *arg, const struct rr_op *op)
{
	struct loadctx *c = arg;
	struct cmp_opstat *o;

	if (c->stop && c->rows == c->stop)
		return CMP_STOP;	/* the spill has the rest */
	c->rows++;
	o = cmp_find_op(c, op->workload, op->op);
	if (!o)
		return -EIO;	/* not in pass 1: the file changed */
	if (op->flags & RR_OPF_UNFINISHED)
		return 0;
	feed_again(o, cmp_node_slot(o, op->node, false),
		   op->latency_ns > CMP_LAT_MAX ? CMP_LAT_MAX : op->latency_ns, op->reclaim_rounds);
	return 0;
}

/* ... from pass 1's spill. */
static void on_spilled(void *arg, size_t op, int slot, uint64_t lat, uint64_t rounds)
{
	struct cmp_run *r = arg;

	if (op < r->nops)
		feed_again(&r->ops[op], slot, lat, rounds);
}

/* A later pass over one repetition's ops: ops.csv up to where pass 1's spill
 * starts, the spill from there. */
static int ops_again(struct loadctx *c, const struct rr_dir *d, char *msg, size_t len)
{
	struct cmp_run *r = c->r;
	int ret = 0;

	c->rows = 0;
	if (cmp_spill_csv(r->spill, c->dir, &c->stop)) {
		ret = rr_scan_ops(d, on_op_again, c, msg, len);
		if (ret == CMP_STOP)
			ret = 0;
	}
	if (ret == 0 && cmp_spill_replay(r->spill, c->dir, on_spilled, r) < 0) {
		snprintf(msg, len, "%s: pass 1's spill of ops.csv could not be read back", d->path);
		ret = -EIO;
	}
	return ret;
}

static int on_stall_again(void *arg, const struct rr_stall *s)
{
	struct stallpass *c = arg;
	struct cmp_stallstat *st;

	if (c->stop && c->rows == c->stop)
		return CMP_STOP;	/* the spill has the rest */
	c->rows++;
	st = cmp_find_stall(c->r, s, false);
	if (!st)
		return -EIO;
	qs_feed(&st->dur, s->duration_ns);
	return 0;
}

static void on_spilled_stall(void *arg, size_t idx, int slot, uint64_t dur, uint64_t aux)
{
	struct cmp_run *r = arg;

	(void)slot;
	(void)aux;
	if (idx < r->nstalls)
		qs_feed(&r->stalls[idx].dur, dur);
}

/* ... of one repetition's stalls, likewise. */
static int stalls_again(struct cmp_run *r, int dir, const struct rr_dir *d, char *msg, size_t len)
{
	struct stallpass c = { .r = r };
	int ret = 0;

	if (cmp_spill_csv(r->sspill, dir, &c.stop)) {
		ret = rr_scan_stalls(d, on_stall_again, &c, msg, len);
		if (ret == CMP_STOP)
			ret = 0;
	}
	if (ret == 0 && cmp_spill_replay(r->sspill, dir, on_spilled_stall, r) < 0) {
		snprintf(msg, len, "%s: pass 1's spill of stalls.csv could not be read back", d->path);
		ret = -EIO;
	}
	return ret;
}

size_t cmp_cdf_ranks(uint64_t n, uint64_t *rk)
{
	size_t m = 0, i, j;
	double x;

	if (!n)
		return 0;
	if (n <= CMP_CDF_ALL) {
		for (i = 0; i < n; i++)
			rk[i] = i + 1;
		return n;
	}
	rk[m++] = 1;
	for (i = 1; i <= 1000; i++)
		rk[m++] = pct_rank(n, (double)i / 1000.0);
	for (x = 3.0; x < log10((double)n) && m < CMP_CDF_MAX - 1; x += 0.02)
		rk[m++] = pct_rank(n, 1.0 - pow(10.0, -x));
	rk[m++] = n;
	for (i = 1; i < m; i++)	/* insertion sort: the tail is nearly in order */
		for (j = i; j > 0 && rk[j - 1] > rk[j]; j--) {
			uint64_t t = rk[j];

			rk[j] = rk[j - 1];
			rk[j - 1] = t;
		}
	for (i = j = 0; i < m; i++)
		if (!j || rk[i] != rk[j - 1])
			rk[j++] = rk[i];
	return j;
}

/* The ranks every reader of a run asks for (flags: CMP_LOAD_CDF). */
static int want_ranks(struct cmp_run *r, unsigned int flags)
{
	static const double lat_q[] = { 0.5, 0.9, 0.99, 0.999 };
	uint64_t *rk = NULL;
	int ret = 0;

	if ((flags & CMP_LOAD_CDF) && !(rk = malloc(CMP_CDF_MAX * sizeof(*rk))))
		return -ENOMEM;
	for (size_t i = 0; i < r->nops && !ret; i++) {
		struct cmp_opstat *o = &r->ops[i];

		for (size_t k = 0; k < 4; k++)
			ret |= qs_want_q(&o->lat, lat_q[k]);
		ret |= qs_want_q(&o->rounds, 0.5) | qs_want_q(&o->rounds, 0.99);
		/* (an alias asks nothing: lat's ranks are its own, lat_q holds them) */
		for (int k = o->rep0_alias; k < o->nreps; k++) {
			ret |= qs_want_q(&o->rep_lat[k], 0.5);
			if (o->reps[k].count >= 100)
				ret |= qs_want_q(&o->rep_lat[k], 0.99);
		}
		for (int k = 0; k < o->nnodes && !o->node_alias; k++)
			ret |= qs_want_q(&o->nodes[k].lat, 0.5) | qs_want_q(&o->nodes[k].lat, 0.99);
		if (rk) {
			size_t m = cmp_cdf_ranks(o->count, rk);

			for (size_t k = 0; k < m; k++)
				ret |= qs_want(&o->lat, rk[k]);
			for (uint64_t k = 1; o->count < CMP_FEW_OPS && k <= o->count; k++)
				ret |= qs_want(&o->rounds, k);
		}
	}
	for (size_t i = 0; i < r->nstalls && !ret; i++)
		for (size_t k = 0; k < 4; k++)
			ret |= qs_want_q(&r->stalls[i].dur, lat_q[k]);
	free(rk);
	return ret ? -ENOMEM : 0;
}

/* Plans one more pass for every selector: *ops, *stalls set when a file must be read. */
static int plan_pass(struct cmp_run *r, bool *ops, bool *stalls)
{
	size_t budget = QS_BUDGET;
	int ret = 0;

	*ops = *stalls = false;
#define PLAN(q, flag) do {				\
		int x_ = qs_plan((q), &budget);		\
		if (x_ < 0)				\
			ret = x_;			\
		else if (x_ > 0)			\
			*(flag) = true;			\
	} while (0)
	for (size_t i = 0; i < r->nops; i++) {
		struct cmp_opstat *o = &r->ops[i];

		PLAN(&o->lat, ops);
		PLAN(&o->rounds, ops);
		for (int k = 0; k < o->nreps; k++)
			PLAN(&o->rep_lat[k], ops);
		for (int k = 0; k < o->nnodes; k++)
			PLAN(&o->nodes[k].lat, ops);
	}
	for (size_t i = 0; i < r->nstalls; i++)
		PLAN(&r->stalls[i].dur, stalls);
#undef PLAN
	return ret;
}

static int pass_done(struct cmp_run *r)
{
	int ret = 0;

	for (size_t i = 0; i < r->nops; i++) {
		struct cmp_opstat *o = &r->ops[i];

		ret |= qs_pass_done(&o->lat) | qs_pass_done(&o->rounds);
		for (int k = 0; k < o->nreps; k++)
			ret |= qs_pass_done(&o->rep_lat[k]);
		for (int k = 0; k < o->nnodes; k++)
			ret |= qs_pass_done(&o->nodes[k].lat);
	}
	for (size_t i = 0; i < r->nstalls; i++)
		ret |= qs_pass_done(&r->stalls[i].dur);
	return ret;
}

/* The passes after the first, until every wanted rank has its value. 0 or -errno, msg set. */
int cmp_more_passes(struct cmp_run *r, unsigned int flags, char *msg, size_t len)
{
	struct loadctx c = { .r = r, .again = true };
	bool ops, stalls;
	int ret = want_ranks(r, flags);

	if (len)
		*msg = '\0';
	while (ret == 0 && (ret = plan_pass(r, &ops, &stalls)) == 0 && (ops || stalls)) {
		for (c.dir = 0; c.dir < r->ndirs && ret == 0; c.dir++) {
			const struct rr_dir *d = &r->dirs[c.dir];

			for (size_t i = 0; i < r->nops; i++) {
				struct cmp_opstat *o = &r->ops[i];

				o->p2_rep = -1;
				for (int k = 0; k < o->nreps; k++)
					if (o->reps[k].dir == c.dir)
						o->p2_rep = k;
			}
			if (ops)
				ret = ops_again(&c, d, msg, len);
			if (stalls && ret == 0)
				ret = stalls_again(r, c.dir, d, msg, len);
			if (ret == -EIO && !*msg)	/* (a spill not read back said so) */
				snprintf(msg, len, "%s: changed while it was read (rows not seen before)",
					 d->path);
		}
		if (ret == 0 && pass_done(r) < 0) {
			snprintf(msg, len, "%s: changed while it was read (counts differ)",
				 r->dirs[0].path);
			ret = -EIO;
		}
	}
	if (ret == -ENOMEM)
		snprintf(msg, len, "%s: out of memory", r->dirs[0].path);
	return ret;
}

/* Nodes in the order of their smallest latency (ties: the lower id), as the
 * single sort of every op's samples once gave them. */
static int cmp_node(const void *a, const void *b)
{
	const struct cmp_nodestat *x = a, *y = b;

	if (x->lat.h.min != y->lat.h.min)
		return x->lat.h.min < y->lat.h.min ? -1 : 1;
	return (x->node > y->node) - (x->node < y->node);
}

/* An op's figures from its resolved selectors; drops what only the load needed. */
void cmp_finish_op(struct cmp_opstat *o)
{
	o->mean = o->count ? (double)o->lat.h.sum / (double)o->count : 0.0;
	o->stddev = o->count > 1 ? sqrt(o->w_s2 / (double)(o->count - 1)) : 0.0;
	for (int k = 0; k < o->nreps; k++) {
		const struct qsel *q = k == 0 && o->rep0_alias ? &o->lat : &o->rep_lat[k];

		o->reps[k].p50 = qs_quantile(q, 0.5);
		o->reps[k].p99 = o->reps[k].count >= 100 ? qs_quantile(q, 0.99) : NAN;
		qs_free(&o->rep_lat[k]);
	}
	free(o->rep_lat);
	o->rep_lat = NULL;
	for (int k = 0; k < o->nnodes; k++) {
		struct cmp_nodestat *n = &o->nodes[k];
		const struct qsel *q = o->node_alias ? &o->lat : &n->lat;	/* one node */

		n->count = qs_count(q);
		n->mean = n->count ? (double)q->h.sum / (double)n->count : NAN;
		n->p50 = qs_quantile(q, 0.5);
		n->p99 = qs_quantile(q, 0.99);
	}
	qsort(o->nodes, (size_t)o->nnodes, sizeof(o->nodes[0]), cmp_node);
	for (int k = 0; k < o->nnodes; k++)
		qs_free(&o->nodes[k].lat);
}

double cmp_rounds_pct(const struct cmp_opstat *o, double q)
{
	return qs_quantile(&o->rounds, q);
}

double cmp_lat_pct(const struct cmp_opstat *o, double q)
{
	return qs_quantile(&o->lat, q);
}

double cmp_lat_rank(const struct cmp_opstat *o, uint64_t rank)
{
	if (rank == 1 && o->count)
		return (double)o->lat.h.min;
	if (rank == o->count && o->count)
		return (double)o->lat.h.max;
	return qs_value(&o->lat, rank);
}

double cmp_rounds_rank(const struct cmp_opstat *o, uint64_t rank)
{
	return qs_value(&o->rounds, rank);
}

void cmp_lat_log2(const struct cmp_opstat *o, uint64_t cnt[64])
{
	uint64_t lo, hi;

	memset(cnt, 0, 64 * sizeof(*cnt));
	for (size_t i = 0; o->lat.h.b && i < HIST_NR; i++) {
		if (!o->lat.h.b[i])
			continue;
		hist_bounds(i, &lo, &hi);	/* a bucket never spans a power of two */
		cnt[lo < 2 ? 0 : 63 - __builtin_clzll(lo)] += o->lat.h.b[i];
	}
}
