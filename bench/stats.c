/* Summary statistics for latency samples. Nearest-rank percentiles are
 * used so that every reported percentile is a value that was observed. */
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

int dvec_push(struct dvec *d, double x)
{
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 1024;
		double *nv = realloc(d->v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		d->v = nv;
		d->cap = nc;
	}
	d->v[d->n++] = x;
	return 0;
}

void dvec_free(struct dvec *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}
