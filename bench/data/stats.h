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

/*
 * A log-linear histogram of non-negative integers (nanoseconds, rounds):
 * values below HIST_SUB are counted exactly, larger ones in HIST_SUB buckets
 * per power of two, so a bucket spans at most 1/HIST_SUB of its lower edge.
 * A percentile is its bucket's midpoint clamped to [min, max]: at most
 * HIST_REL_ERR relative error against the nearest-rank sample; count, min,
 * max and sum (hence mean) are exact. Fixed size whatever the number of
 * samples: the driver's summary memory does not grow with the run.
 */
#define HIST_SUB_BITS	7
#define HIST_SUB	(1u << HIST_SUB_BITS)
#define HIST_NR		((64 - HIST_SUB_BITS + 1) * HIST_SUB)
#define HIST_REL_ERR	(1.0 / (2.0 * HIST_SUB))	/* 0.39% */

struct hist {
	uint64_t count, min, max;
	unsigned __int128 sum;
	long double sumsq;
	uint64_t *b;		/* HIST_NR counters, allocated by the first hist_add */
};
/* Counts v. 0 or -ENOMEM (then only count/min/max/sum know it). */
int hist_add(struct hist *h, uint64_t v);
/* Nearest-rank percentile p (0..100), within HIST_REL_ERR; 0 when empty. */
double hist_pct(const struct hist *h, double p);
/* Fills out (count, min, max, mean, total, stddev exact; percentiles within HIST_REL_ERR). */
void hist_dist(const struct hist *h, struct dist *out);
void hist_free(struct hist *h);
/* The bucket v falls in, and that bucket's lowest and highest value. */
size_t hist_bucket(uint64_t v);
void hist_bounds(size_t idx, uint64_t *lo, uint64_t *hi);

/* Sorts v ascending: an LSD radix sort (passes over digits all keys share
 * are skipped), several times faster than qsort on millions of samples;
 * qsort when the n-element scratch cannot be allocated. */
void sort_u64(uint64_t *v, size_t n);
/* The same for doubles that are all >= 0 and not NaN (latencies, counts):
 * their bit patterns order as unsigned integers. */
void sort_dbl_nonneg(double *v, size_t n);
#endif
