/*
 * Exact order statistics of a stream in bounded memory: the readers' one
 * percentile rule (nearest rank, signif.h's pct_rank) without keeping the
 * values. Pass 1 counts every value in a log-linear histogram (stats.h's
 * struct hist: count, min, max, sum exact). The wanted ranks then fall in a
 * few of its buckets; each later pass over the same values keeps only those
 * in a wanted bucket (or, when one bucket holds more values than the budget,
 * counts them in finer sub-ranges, narrowing it for the next pass), until
 * every wanted rank has its value. Memory: the histogram plus the values of
 * the wanted buckets, at most the pass's budget, whatever the count.
 *
 * Use: qs_add() every value; qs_want() the ranks; then while qs_plan() over
 * every selector says a pass is needed, feed the same values again with
 * qs_feed() and call qs_pass_done(); qs_value() reads the result. Pure data.
 *
 * Most readers need no later pass: with qs_expect() before pass 1, pass 1
 * itself keeps values (all of them up to QS_SPEC_FIRST, then at each
 * doubling of the count only those of the buckets around the expected
 * quantiles, with a margin for the sampling error and for a distribution
 * that moves during a run), within a budget shared by every selector of the
 * thread (QS_SPEC_BUDGET values). A wanted rank whose bucket holds as many
 * kept values as pass 1 counted in it is resolved by qs_plan() from them,
 * exactly: every value of the bucket is there. Any other (a bucket not kept,
 * the budget spent) is left to the later passes, as without qs_expect().
 */
#ifndef STALLBENCH_QSEL_H
#define STALLBENCH_QSEL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

struct qs_range;

/* Pass 1's kept values (qs_expect). */
struct qs_spec {
	uint64_t *v;		/* every value >= QS_SPEC_MIN, then those of mark's buckets */
	size_t n, cap;
	uint64_t *mark;		/* a bit per bucket still kept; NULL: all of them */
	uint64_t next;		/* the count at which mark narrows next */
	float p[4];		/* the quantiles the reader will ask for */
	unsigned char np;
	bool on;
};

/*
 * Set (qsel never clears it) when a selector of this thread has dropped
 * values a later pass will likely need: at a narrowing, the ranks within 4
 * standard errors of an expected quantile fall in a bucket an earlier
 * narrowing dropped (the distribution moved by more than sampling error; a
 * stationary stream does not do this), or its keeping was turned off (the
 * budget spent). From then on a reader may save the values it feeds (compare's
 * spill) so that the later pass reads those instead of the whole input.
 */
extern __thread bool qs_spec_lost;

#define QS_SPEC_MIN	256	/* smaller values have a bucket each: never kept */
#define QS_SPEC_FIRST	65536	/* every value kept up to this count */
#define QS_SPEC_BUDGET	(3u << 20)	/* values kept by a thread's selectors: 24 MiB */

struct qsel {
	struct hist h;		/* pass 1: every value */
	uint64_t *rank;		/* wanted ranks (1-based), ascending, unique after qs_plan */
	uint64_t *val;		/* their values once resolved */
	bool *done;
	size_t nrank, caprank;
	struct qs_range *rg;	/* this pass's ranges, ascending, disjoint */
	size_t nrg;
	bool planned;		/* the ranks were sorted and placed in buckets */
	size_t max_keep;	/* a range with more values is narrowed (0: QS_BUDGET; tests) */
	struct qs_spec sp;
};

int qs_alloc(struct qsel *q);
/* Before pass 1: the quantiles (up to 4) the reader will ask for, so that
 * pass 1 keeps the values around them. Allocates nothing yet. */
void qs_expect(struct qsel *q, const float *p, int np);
/* qs_add's slow side of keeping: more room (turns keeping off when the
 * budget is spent), the narrowing at a count. */
void qs_spec_more(struct qsel *q, uint64_t v);
void qs_spec_narrow(struct qsel *q);
/*
 * Pass 1: dst (any state: freed first) becomes what it would be had it been
 * fed src's values so far after qs_expect(dst, p, np): src's histogram and
 * the values src keeps (its buckets are kept around src's quantiles, a
 * superset of p's when p is among them). A selector that stood for another
 * (the same values) until they part. The kept values within the thread's
 * budget, else none (the later passes read them). 0 or -ENOMEM.
 */
int qs_clone(struct qsel *dst, const struct qsel *src, const float *p, int np);
/* Pass 1: counts v (count, min, max, sum, its bucket). 0 or -ENOMEM. */
static inline int qs_add(struct qsel *q, uint64_t v)
{
	struct hist *h = &q->h;
	unsigned int k;
	size_t b;

	if (!h->b && qs_alloc(q) < 0)
		return -ENOMEM;
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
	if (v < HIST_SUB) {	/* stats.c's hist_bucket, inline: this runs per value */
		b = (size_t)v;
	} else {
		k = (unsigned int)(63 - __builtin_clzll(v)) - HIST_SUB_BITS;
		b = (size_t)k * HIST_SUB + (size_t)(v >> k);
	}
	h->b[b]++;
	if (q->sp.on) {
		struct qs_spec *s = &q->sp;

		if (v >= QS_SPEC_MIN && (!s->mark || (s->mark[b >> 6] >> (b & 63) & 1))) {
			if (s->n < s->cap)
				s->v[s->n++] = v;
			else
				qs_spec_more(q, v);
		}
		if (h->count == s->next)
			qs_spec_narrow(q);
	}
	return 0;
}
static inline uint64_t qs_count(const struct qsel *q)
{
	return q->h.count;
}
/* Asks for the value of rank (1..count); quantile p in [0,1] by the rule. 0 or -ENOMEM. */
int qs_want(struct qsel *q, uint64_t rank);
int qs_want_q(struct qsel *q, double p);
/*
 * Sets up the next pass within *budget values (shared by the selectors of a
 * pass, decreased by what this one takes; a pass starts with QS_BUDGET).
 * 1: feed the values once more; 0: every wanted rank is known; -ENOMEM.
 */
#define QS_BUDGET	(2u << 20)	/* values kept in one pass: 16 MiB */
int qs_plan(struct qsel *q, size_t *budget);
/* A pass: v again (only values in a wanted range are kept). */
void qs_feed(struct qsel *q, uint64_t v);
/* After a pass: resolves what it kept. 0, or -EIO when the values were not
 * the same as in pass 1 (a file changed between passes). */
int qs_pass_done(struct qsel *q);
/* The value at a wanted, resolved rank; NAN otherwise (count 0 included). */
double qs_value(const struct qsel *q, uint64_t rank);
/* qs_value at the quantile's rank: NAN when empty. */
double qs_quantile(const struct qsel *q, double p);
void qs_free(struct qsel *q);

#endif
