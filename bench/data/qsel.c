/* Exact order statistics in bounded memory: see qsel.h. */
#include "qsel.h"
#include "signif.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define QS_MAX_SUB	65536	/* sub-ranges of a range too full to keep */

enum qs_mode { QS_WAIT, QS_COLLECT, QS_COUNT };

struct qs_range {
	uint64_t lo, hi;	/* the values in [lo, hi] */
	uint64_t before;	/* pass 1's count of values below lo */
	uint64_t count;		/* ... and in [lo, hi] */
	enum qs_mode mode;
	uint64_t *v;		/* QS_COLLECT: the values seen */
	uint64_t n;
	uint64_t *sub;		/* QS_COUNT: values per sub-range of width step */
	uint64_t step;
	size_t nsub;
};

/* values the thread's selectors keep in pass 1 (their capacity): QS_SPEC_BUDGET at most */
static __thread size_t spec_used;
__thread bool qs_spec_lost;

static void spec_free(struct qsel *q)
{
	struct qs_spec *s = &q->sp;

	free(s->v);
	free(s->mark);
	spec_used -= s->cap;
	s->v = s->mark = NULL;
	s->n = s->cap = 0;
	s->on = false;
}

void qs_expect(struct qsel *q, const float *p, int np)
{
	struct qs_spec *s = &q->sp;

	if (q->h.count || s->on)
		return;	/* values already counted would be missing */
	s->np = (unsigned char)(np < 4 ? np : 4);
	memcpy(s->p, p, s->np * sizeof(*p));
	s->next = QS_SPEC_FIRST;
	s->on = s->np > 0;
}

void qs_spec_more(struct qsel *q, uint64_t v)
{
	struct qs_spec *s = &q->sp;
	size_t nc = s->cap ? s->cap * 2 : 1024;
	uint64_t *nv;

	if (spec_used - s->cap + nc > QS_SPEC_BUDGET ||
	    !(nv = realloc(s->v, nc * sizeof(*nv)))) {
		spec_free(q);	/* the later passes will read this one's values */
		qs_spec_lost = true;
		return;
	}
	spec_used += nc - s->cap;
	s->v = nv;
	s->cap = nc;
	s->v[s->n++] = v;
}

/* The ranks within 4 standard errors of quantile p of n fall in a bucket
 * the marks dropped: the stream moved beyond its sampling error. */
static bool core_dropped(const struct qsel *q, double p, double n)
{
	const uint64_t *mark = q->sp.mark;
	const struct hist *h = &q->h;
	double d = 4.0 * sqrt(p * (1.0 - p) / n), lo = (p - d) * n, hi = (p + d) * n, seen = 0.0;

	for (size_t b = 0; b < HIST_NR && seen < hi; seen += (double)h->b[b], b++)
		if (h->b[b] && seen + (double)h->b[b] >= lo && !(mark[b >> 6] >> (b & 63) & 1))
			return true;
	return false;
}

/*
 * The buckets to keep at count n: around each expected quantile p, the
 * ranks within 4 standard errors of the sample quantile, widened by
 * min(0.5%, half the tail) of the count for a distribution that drifts (a run
 * that slows down as its cgroup fills); the ends are open when they reach
 * the smallest or the largest value. Only narrows: a bucket once dropped
 * has lost values.
 */
void qs_spec_narrow(struct qsel *q)
{
	struct qs_spec *s = &q->sp;
	const struct hist *h = &q->h;
	double n = (double)h->count;
	size_t words = HIST_NR / 64 + 1, k = 0;
	uint64_t *mark = calloc(words, sizeof(*mark));

	s->next = h->count * 2;
	if (!mark) {
		spec_free(q);
		qs_spec_lost = true;
		return;
	}
	for (int i = 0; i < s->np; i++) {
		double p = s->p[i], d = 4.0 * sqrt(p * (1.0 - p) / n) + fmin(0.005, 0.5 * (1.0 - p));
		double lo = (p - d) * n, hi = (p + d) * n, seen = 0.0;
		size_t first = lo <= 0.0 ? 0 : HIST_NR, last = hi >= n ? HIST_NR - 1 : 0;

		for (size_t b = 0; b < HIST_NR; seen += (double)h->b[b], b++) {
			if (!h->b[b])
				continue;
			if (seen + (double)h->b[b] >= lo && first == HIST_NR)
				first = b;
			if (seen < hi && b > last)
				last = b;
		}
		for (size_t b = first; b <= last && b < HIST_NR; b++)
			mark[b >> 6] |= 1ull << (b & 63);
		if (s->mark && !qs_spec_lost && core_dropped(q, p, n))
			qs_spec_lost = true;
	}
	for (size_t w = 0; s->mark && w < words; w++)
		mark[w] &= s->mark[w];
	free(s->mark);
	s->mark = mark;
	for (size_t i = 0; i < s->n; i++) {
		size_t b = hist_bucket(s->v[i]);

		if (mark[b >> 6] >> (b & 63) & 1)
			s->v[k++] = s->v[i];
	}
	s->n = k;
	if (s->cap > 4096 && k < s->cap / 4) {	/* give the room back to the others */
		size_t nc = k * 2 > 1024 ? k * 2 : 1024;
		uint64_t *nv = realloc(s->v, nc * sizeof(*nv));

		if (nv) {
			spec_used -= s->cap - nc;
			s->v = nv;
			s->cap = nc;
		}
	}
}

int qs_clone(struct qsel *dst, const struct qsel *src, const float *p, int np)
{
	const struct qs_spec *ss = &src->sp;
	struct qs_spec *s = &dst->sp;
	size_t words = HIST_NR / 64 + 1;

	qs_free(dst);
	qs_expect(dst, p, np);
	dst->h = src->h;
	dst->h.b = NULL;
	if (src->h.b) {
		if (!(dst->h.b = malloc(HIST_NR * sizeof(*dst->h.b))))
			return -ENOMEM;
		memcpy(dst->h.b, src->h.b, HIST_NR * sizeof(*dst->h.b));
	}
	if (!ss->on || !s->on) {
		s->on = false;	/* src kept nothing: the later passes read these values */
		return 0;
	}
	s->next = ss->next;
	if (ss->mark) {
		if (!(s->mark = malloc(words * sizeof(*s->mark))))
			goto off;
		memcpy(s->mark, ss->mark, words * sizeof(*s->mark));
	}
	if (ss->n) {
		size_t cap = ss->n > 1024 ? ss->n : 1024;

		if (spec_used + cap > QS_SPEC_BUDGET || !(s->v = malloc(cap * sizeof(*s->v))))
			goto off;
		memcpy(s->v, ss->v, ss->n * sizeof(*s->v));
		s->n = ss->n;
		s->cap = cap;
		spec_used += cap;
	}
	return 0;
off:
	spec_free(dst);
	qs_spec_lost = true;
	return 0;
}

int qs_alloc(struct qsel *q)
{
	q->h.b = calloc(HIST_NR, sizeof(*q->h.b));
	return q->h.b ? 0 : -ENOMEM;
}

int qs_want(struct qsel *q, uint64_t rank)
{
	if (!rank || rank > q->h.count)
		return 0;
	if (q->nrank == q->caprank) {
		size_t nc = q->caprank ? q->caprank * 2 : 8;
		uint64_t *r = realloc(q->rank, nc * sizeof(*r));

		if (!r)
			return -ENOMEM;
		q->rank = r;
		q->caprank = nc;
	}
	q->rank[q->nrank++] = rank;
	q->planned = false;
	return 0;
}

int qs_want_q(struct qsel *q, double p)
{
	return q->h.count ? qs_want(q, pct_rank((size_t)q->h.count, p)) : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void range_free(struct qs_range *g)
{
	free(g->v);
	free(g->sub);
	g->v = g->sub = NULL;
}

static void ranges_free(struct qsel *q)
{
	for (size_t i = 0; i < q->nrg; i++)
		range_free(&q->rg[i]);
	free(q->rg);
	q->rg = NULL;
	q->nrg = 0;
}

/* Ranks in (before, before + count]: first index and the count of them. */
static size_t ranks_in(const struct qsel *q, uint64_t before, uint64_t count, size_t *first)
{
	size_t i = 0, n = 0;

	while (i < q->nrank && q->rank[i] <= before)
		i++;
	*first = i;
	while (i + n < q->nrank && q->rank[i + n] <= before + count)
		n++;
	return n;
}

static void resolve(struct qsel *q, size_t i, uint64_t v)
{
	q->val[i] = v;
	q->done[i] = true;
}

/*
 * Appends [lo, hi] holding count values above before to out (n of them,
 * capacity enough), or resolves its ranks at once when it is one value.
 */
static void add_range(struct qsel *q, struct qs_range *out, size_t *n, uint64_t lo, uint64_t hi,
		      uint64_t before, uint64_t count)
{
	size_t first, k = ranks_in(q, before, count, &first), open = 0;

	for (size_t j = first; j < first + k; j++)
		open += !q->done[j];
	if (!open || !count)	/* none, or only the extremes (known) */
		return;
	if (lo == hi) {
		for (size_t j = first; j < first + k; j++)
			resolve(q, j, lo);
		return;
	}
	memset(&out[*n], 0, sizeof(out[*n]));
	out[*n].lo = lo;
	out[*n].hi = hi;
	out[*n].before = before;
	out[*n].count = count;
	(*n)++;
}

/* The k-th smallest (0-based) of v[0..n), n > k, in place (Hoare's
 * selection, median of three): no memory, whatever n. */
static uint64_t select_kth(uint64_t *v, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;

	while (lo < hi) {
		uint64_t a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi], t;
		uint64_t pv = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		ptrdiff_t i = lo, j = hi;

		while (i <= j) {
			while (v[i] < pv)
				i++;
			while (v[j] > pv)
				j--;
			if (i <= j) {
				t = v[i];
				v[i++] = v[j];
				v[j--] = t;
			}
		}
		if (kk <= j)
			hi = j;
		else if (kk >= i)
			lo = i;
		else
			break;	/* between the halves: equal to the pivot */
	}
	return v[kk];
}

/*
 * The ranges whose values pass 1 kept, all of them (as many kept in [lo, hi]
 * as it counted there: kept values are some of those counted, each once),
 * resolved from them in place (each range's values moved together, its ranks
 * selected there: nothing allocated); the others stay for a later pass. The
 * kept values are then dropped.
 */
static void spec_take(struct qsel *q)
{
	struct qs_spec *s = &q->sp;
	size_t i, j, k = 0, first, nr, pos = 0, m;

	for (i = 0; s->v && i < q->nrg; i++) {
		struct qs_range *g = &q->rg[i];

		for (m = j = pos; j < s->n; j++)	/* this range's values to [pos, m) */
			if (s->v[j] >= g->lo && s->v[j] <= g->hi) {
				uint64_t t = s->v[m];

				s->v[m++] = s->v[j];
				s->v[j] = t;
			}
		if (m - pos != g->count) {
			q->rg[k++] = *g;
			pos = m;
			continue;
		}
		nr = ranks_in(q, g->before, g->count, &first);
		for (j = first; j < first + nr; j++)
			resolve(q, j, select_kth(s->v + pos, m - pos,
						 (size_t)(q->rank[j] - g->before - 1)));
		pos = m;
	}
	if (s->v)
		q->nrg = k;
	spec_free(q);
}

/* The first ranges: the histogram buckets the wanted ranks fall in. */
static int first_ranges(struct qsel *q)
{
	const struct hist *h = &q->h;
	uint64_t seen = 0, lo, hi;
	size_t i, j = 0, n = 0;

	qsort(q->rank, q->nrank, sizeof(*q->rank), cmp_u64);
	for (i = 0; i < q->nrank; i++)	/* unique */
		if (!i || q->rank[i] != q->rank[j - 1])
			q->rank[j++] = q->rank[i];
	q->nrank = j;
	free(q->val);
	free(q->done);
	ranges_free(q);
	q->val = calloc(q->nrank ? q->nrank : 1, sizeof(*q->val));
	q->done = calloc(q->nrank ? q->nrank : 1, sizeof(*q->done));
	q->rg = calloc(q->nrank ? q->nrank : 1, sizeof(*q->rg));
	if (!q->val || !q->done || !q->rg)
		return -ENOMEM;
	q->planned = true;
	for (i = 0; i < q->nrank; i++) {	/* the extremes are known */
		if (q->rank[i] == 1)
			resolve(q, i, h->min);
		else if (q->rank[i] == h->count)
			resolve(q, i, h->max);
	}
	if (!h->b)
		return 0;
	for (i = 0, j = 0; i < HIST_NR && j < q->nrank; i++) {
		uint64_t c = h->b[i];

		while (j < q->nrank && q->rank[j] <= seen)
			j++;
		if (c && j < q->nrank && q->rank[j] <= seen + c) {
			hist_bounds(i, &lo, &hi);
			lo = lo < h->min ? h->min : lo;
			hi = hi > h->max ? h->max : hi;
			add_range(q, q->rg, &n, lo, hi, seen, c);
		}
		seen += c;
	}
	q->nrg = n;
	spec_take(q);
	return 0;
}

int qs_plan(struct qsel *q, size_t *budget)
{
	size_t i, k;

	if (!q->planned && first_ranges(q) < 0)
		return -ENOMEM;
	if (!q->nrg)
		return 0;
	for (i = 0; i < q->nrg; i++) {
		struct qs_range *g = &q->rg[i];
		uint64_t w = g->hi - g->lo + 1;

		range_free(g);
		g->n = 0;
		g->mode = QS_WAIT;
		if (g->count <= *budget) {
			g->v = malloc(g->count * sizeof(*g->v));
			if (!g->v)
				return -ENOMEM;
			g->mode = QS_COLLECT;
			*budget -= g->count;
		} else if (g->count > (q->max_keep ? q->max_keep : QS_BUDGET)) {
			k = w < QS_MAX_SUB ? (size_t)w : QS_MAX_SUB;
			g->step = w / k + (w % k != 0);
			g->nsub = (size_t)((w + g->step - 1) / g->step);
			g->sub = calloc(g->nsub, sizeof(*g->sub));
			if (!g->sub)
				return -ENOMEM;
			g->mode = QS_COUNT;
		}
	}
	return 1;
}

void qs_feed(struct qsel *q, uint64_t v)
{
	size_t a = 0, b = q->nrg;
	struct qs_range *g;

	if (!b || v < q->rg[0].lo || v > q->rg[b - 1].hi)
		return;
	while (b - a > 1) {	/* the last range with lo <= v */
		size_t m = (a + b) / 2;

		if (q->rg[m].lo <= v)
			a = m;
		else
			b = m;
	}
	g = &q->rg[a];
	if (v > g->hi)
		return;
	if (g->mode == QS_COLLECT) {
		if (g->n < g->count)
			g->v[g->n] = v;
		g->n++;
	} else if (g->mode == QS_COUNT) {
		g->sub[(v - g->lo) / g->step]++;
		g->n++;
	}
}

int qs_pass_done(struct qsel *q)
{
	struct qs_range *next;
	size_t i, n = 0, first, k, j;
	int ret = 0;

	/* a counted range splits into at most one range per rank it holds */
	next = calloc(q->nrank + q->nrg + 1, sizeof(*next));
	if (!next)
		return -ENOMEM;
	for (i = 0; i < q->nrg; i++) {
		struct qs_range *g = &q->rg[i];

		if (g->mode != QS_WAIT && g->n != g->count) {
			ret = -EIO;
			range_free(g);
			continue;
		}
		if (g->mode == QS_WAIT) {
			next[n++] = *g;
			continue;
		}
		k = ranks_in(q, g->before, g->count, &first);
		if (g->mode == QS_COLLECT) {
			sort_u64(g->v, g->count);
			for (j = first; j < first + k; j++)
				resolve(q, j, g->v[q->rank[j] - g->before - 1]);
		} else {
			uint64_t before = g->before;

			for (size_t s = 0; s < g->nsub; s++) {
				uint64_t lo = g->lo + s * g->step;
				uint64_t hi = s + 1 == g->nsub ? g->hi : lo + g->step - 1;

				add_range(q, next, &n, lo, hi, before, g->sub[s]);
				before += g->sub[s];
			}
		}
		range_free(g);
	}
	free(q->rg);
	q->rg = next;
	q->nrg = ret ? 0 : n;
	if (ret)
		ranges_free(q);
	return ret;
}

double qs_value(const struct qsel *q, uint64_t rank)
{
	size_t a = 0, b = q->nrank;

	if (!q->planned)
		return NAN;
	while (a < b) {
		size_t m = (a + b) / 2;

		if (q->rank[m] < rank)
			a = m + 1;
		else
			b = m;
	}
	if (a < q->nrank && q->rank[a] == rank && q->done[a])
		return (double)q->val[a];
	return NAN;
}

double qs_quantile(const struct qsel *q, double p)
{
	return q->h.count ? qs_value(q, pct_rank((size_t)q->h.count, p)) : NAN;
}

void qs_free(struct qsel *q)
{
	spec_free(q);
	hist_free(&q->h);
	ranges_free(q);
	free(q->rank);
	free(q->val);
	free(q->done);
	memset(q, 0, sizeof(*q));
}
