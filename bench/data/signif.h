/*
 * Significance tests for comparing runs: Mann-Whitney U on per-operation
 * latency samples (normal approximation with tie and continuity
 * correction, as scipy's asymptotic method), Welch's t on per-repetition
 * means, and seeded, deterministic bootstrap intervals for tail
 * percentiles. Pure functions of their inputs.
 */
#ifndef STALLBENCH_SIGNIF_H
#define STALLBENCH_SIGNIF_H

#include <stddef.h>
#include <stdint.h>

struct mw_result {
	double u;		/* U statistic of the first sample */
	double z;		/* standardised, continuity-corrected */
	double p;		/* two-sided */
	double auc;		/* U / (na * nb): P(a > b) + P(a == b) / 2 */
};

struct welch_result {
	double t;
	double df;		/* Welch-Satterthwaite degrees of freedom */
	double p;		/* two-sided */
	double mean_a, mean_b;
};

/* Mann-Whitney U on ascending-sorted samples. 0, or -EINVAL if a sample is empty. */
int mw_test_sorted(const double *a, size_t na, const double *b, size_t nb,
		   struct mw_result *r);
/* Same on unsorted samples (sorts copies). 0, -EINVAL or -ENOMEM. */
int mw_test(const double *a, size_t na, const double *b, size_t nb, struct mw_result *r);

/* Welch's t test. 0, or -EINVAL if either side has fewer than 2 values. */
int welch_test(const double *a, size_t na, const double *b, size_t nb,
	       struct welch_result *r);

/*
 * Welch's interval for mean(b) - mean(a): the difference, its conf (e.g.
 * 0.95) interval from Student's t with Welch-Satterthwaite df, and the
 * two-sided p of "no difference". 0, or -EINVAL if a side has < 2 values.
 */
struct welch_ci {
	double diff, lo, hi, p, df;
	double mean_a, mean_b;
};
int welch_diff_ci(const double *a, size_t na, const double *b, size_t nb, double conf,
		  struct welch_ci *r);
/* t with P(|T| > t) = p2 for Student's t with df degrees of freedom. */
double student_t_quantile2(double p2, double df);
/* Two-sided p of Student's t with df degrees of freedom. */
double student_t_p2(double t, double df);
/* Regularised incomplete beta I_x(a, b); NAN on bad arguments. */
double incbeta(double a, double b, double x);

/* 1-based nearest rank of quantile q among n >= 1 (robust to q*n rounding). */
size_t pct_rank(size_t n, double q);
/* Nearest-rank percentile (q in [0,1]) of an ascending-sorted sample; NAN if n == 0. */
double quantile_sorted(const double *v, size_t n, double q);

/*
 * Percentile bootstrap CI (confidence conf, e.g. 0.95) of the nearest-rank
 * q-quantile of an ascending-sorted sample, over iters resamples drawn from
 * seed: the same inputs always give the same interval. Each resample's
 * order statistic is drawn directly (the k-th smallest of n uniform draws
 * is Beta(k, n-k+1)), so a 10M-sample bootstrap costs O(iters).
 * 0, or -EINVAL (empty sample, bad q/conf/iters), -ENOMEM.
 */
int boot_pct_ci(const double *sorted, size_t n, double q, unsigned int iters,
		double conf, uint64_t seed, double *lo, double *hi);
/*
 * CI of the ratio pct(b)/pct(a), resampling both sides; if p is not NULL,
 * also the two-sided bootstrap p-value of "ratio = 1" (twice the smaller
 * share of replicates on either side of 1; resolution 1/iters).
 * 0, -EINVAL or -ENOMEM.
 */
int boot_pct_ratio_ci(const double *a, size_t na, const double *b, size_t nb, double q,
		      unsigned int iters, double conf, uint64_t seed, double *lo, double *hi,
		      double *p);
/*
 * Holm's step-down adjustment of n p-values in place (family-wise error
 * control): compare the adjusted values with alpha. 0 or -ENOMEM.
 */
int holm_adjust(double *p, size_t n);

/* Small deterministic PRNG (xoshiro256**), exposed for tests and generators. */
struct sb_rng {
	uint64_t s[4];
};
void sb_rng_seed(struct sb_rng *r, uint64_t seed);
uint64_t sb_rng_next(struct sb_rng *r);
double sb_rng_uniform(struct sb_rng *r);	/* (0, 1) */
double sb_rng_normal(struct sb_rng *r);
double sb_rng_gamma(struct sb_rng *r, double shape);
double sb_rng_beta(struct sb_rng *r, double a, double b);

#endif
