/* Distributions of samples: count, extremes, mean, percentiles, stddev.
 * Pure data. */
#ifndef STALLBENCH_STATS_H
#define STALLBENCH_STATS_H
#include <stddef.h>
#include <stdint.h>

struct dist {
	uint64_t count;
	double min, mean, p50, p90, p99, p999, max, stddev, total;
};

/* Fills out from n samples (sorts v in place). Percentiles are nearest-rank. Returns 0. */
int dist_compute(double *v, size_t n, struct dist *out);
/* Nearest-rank percentile p (0..100) of sorted v[n]; 0 for n == 0. */
double pct_sorted(const double *v, size_t n, double p);

/* A growable array of doubles. */
struct dvec {
	double *v;
	size_t n, cap;
};
/* Appends x. 0 or -ENOMEM. */
int dvec_push(struct dvec *d, double x);
void dvec_free(struct dvec *d);
#endif
