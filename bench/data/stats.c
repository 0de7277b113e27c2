/* Summary statistics for latency samples: exact nearest-rank percentiles of
 * a sample array (the readers, which stream every row of ops.csv), and
 * fixed-size log-linear histograms (the driver, whose memory must not grow
 * with the run), whose percentiles are within HIST_REL_ERR of those. */
#include "stats.h"
#include "signif.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double pct_sorted(const double *v, size_t n, double p)
{
	/* One rank rule for report, compare and plot: signif.c's. */
	return n ? quantile_sorted(v, n, p / 100.0) : 0;
}

int dist_compute(double *v, size_t n, struct dist *o)
{
	double sum = 0, sq = 0, mean;

	memset(o, 0, sizeof(*o));
	o->count = n;
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += (v[i] - mean) * (v[i] - mean);
	o->min = v[0];
	o->max = v[n - 1];
	o->mean = mean;
	o->total = sum;
	o->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	o->p50 = pct_sorted(v, n, 50);
	o->p90 = pct_sorted(v, n, 90);
	o->p99 = pct_sorted(v, n, 99);
	o->p999 = pct_sorted(v, n, 99.9);
	return 0;
}

size_t hist_bucket(uint64_t v)
{
	unsigned int k;

	if (v < HIST_SUB)
		return (size_t)v;
	/* v >> k keeps HIST_SUB_BITS + 1 significant bits: [HIST_SUB, 2 HIST_SUB) */
	k = (unsigned int)(63 - __builtin_clzll(v)) - HIST_SUB_BITS;
	return (size_t)k * HIST_SUB + (size_t)(v >> k);
}

void hist_bounds(size_t idx, uint64_t *lo, uint64_t *hi)
{
	size_t k;

	if (idx < 2 * HIST_SUB) {
		*lo = *hi = idx;
		return;
	}
	k = idx / HIST_SUB - 1;
	*lo = (uint64_t)(idx - k * HIST_SUB) << k;
	*hi = *lo + ((1ull << k) - 1);
}

int hist_add(struct hist *h, uint64_t v)
{
	if (!h->count || v < h->min)
		h->min = v;
	if (!h->count || v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
	h->sumsq += (long double)v * (long double)v;
	if (!h->b) {
		h->b = calloc(HIST_NR, sizeof(*h->b));
		if (!h->b)
			return -ENOMEM;
	}
	h->b[hist_bucket(v)]++;
	return 0;
}

double hist_pct(const struct hist *h, double p)
{
	size_t rank, i;
	uint64_t seen = 0, lo, hi;
	double mid;

	if (!h->count)
		return 0;
	rank = pct_rank((size_t)h->count, p / 100.0);
	if (rank <= 1)
		return (double)h->min;
	if (rank >= h->count || !h->b)
		return (double)h->max;
	for (i = 0; i < HIST_NR; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	hist_bounds(i, &lo, &hi);
	mid = ((double)lo + (double)hi) / 2.0;
	if (mid < (double)h->min)
		mid = (double)h->min;
	if (mid > (double)h->max)
		mid = (double)h->max;
	return mid;
}

void hist_dist(const struct hist *h, struct dist *o)
{
	long double n = (long double)h->count, sum = (long double)h->sum, var;

	memset(o, 0, sizeof(*o));
	o->count = h->count;
	if (!h->count)
		return;
	o->min = (double)h->min;
	o->max = (double)h->max;
	o->total = (double)sum;
	o->mean = (double)(sum / n);
	var = h->count > 1 ? (h->sumsq - sum * sum / n) / (n - 1) : 0;
	o->stddev = var > 0 ? sqrt((double)var) : 0;
	o->p50 = hist_pct(h, 50);
	o->p90 = hist_pct(h, 90);
	o->p99 = hist_pct(h, 99);
	o->p999 = hist_pct(h, 99.9);
}

void hist_free(struct hist *h)
{
	free(h->b);
	memset(h, 0, sizeof(*h));
}

static int cmp_u64v(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void sort_u64(uint64_t *v, size_t n)
{
	uint64_t *tmp, *src = v, *dst, all_and = ~0ull, all_or = 0;
	size_t cnt[256];

	if (n < 1024) {
		qsort(v, n, sizeof(*v), cmp_u64v);
		return;
	}
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp) {
		qsort(v, n, sizeof(*v), cmp_u64v);
		return;
	}
	dst = tmp;
	for (size_t i = 0; i < n; i++) {
		all_and &= v[i];
		all_or |= v[i];
	}
	for (unsigned int shift = 0; shift < 64; shift += 8) {
		size_t sum = 0;

		/* a digit every key has the same: nothing to order */
		if (!(((all_and ^ all_or) >> shift) & 0xff))
			continue;
		memset(cnt, 0, sizeof(cnt));
		for (size_t i = 0; i < n; i++)
			cnt[(src[i] >> shift) & 0xff]++;
		for (unsigned int d = 0; d < 256; d++) {
			size_t c = cnt[d];

			cnt[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[(src[i] >> shift) & 0xff]++] = src[i];
		uint64_t *t = src;

		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(tmp);
}

void sort_dbl_nonneg(double *v, size_t n)
{
	_Static_assert(sizeof(double) == sizeof(uint64_t), "double is 64 bits");
	sort_u64((uint64_t *)(void *)v, n);
}
