/*
 * The statistics compare tests with: Welch's t and its interval on
 * per-repetition values, Holm's adjustment of a family of p-values, and
 * nearest-rank percentiles. Pure functions of their inputs.
 */
#ifndef STALLBENCH_SIGNIF_H
#define STALLBENCH_SIGNIF_H

#include <stddef.h>

struct welch_result {
	double t;
	double df;		/* Welch-Satterthwaite degrees of freedom */
	double p;		/* two-sided */
	double mean_a, mean_b;
};

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
 * Holm's step-down adjustment of n p-values in place (family-wise error
 * control): compare the adjusted values with alpha. 0 or -ENOMEM.
 */
int holm_adjust(double *p, size_t n);

#endif
