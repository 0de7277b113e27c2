/*
 * Unit tests of bench/data/signif.c against values computed independently:
 * closed forms of Student's t for df 1 and 2, Wikipedia's Welch example
 * (t = -2.46, df = 25.0, p = 0.021), and a plain Python (stdlib only)
 * implementation of Welch's test with the t density integrated numerically.
 * Exit 0 pass, 1 fail.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signif.h"

static int failures;

#define NEAR(got, want, tol) near(__LINE__, #got, got, want, tol)

static void near(int line, const char *what, double got, double want, double tol)
{
	if (!(fabs(got - want) <= tol)) {
		printf("not ok line %d: %s = %.10g, want %.10g (tol %g)\n", line, what, got, want, tol);
		failures++;
	}
}

#define CHECK(cond) do { if (!(cond)) { printf("not ok line %d: %s\n", __LINE__, #cond); \
	failures++; } } while (0)

static void test_distributions(void)
{
	double t;

	for (t = 0.25; t < 20; t *= 1.7) {
		NEAR(student_t_p2(t, 1), 1.0 - 2.0 * atan(t) / M_PI, 1e-12);
		NEAR(student_t_p2(-t, 2), 1.0 - t / sqrt(2.0 + t * t), 1e-12);
	}
	/* large df tends to the normal: p(1.959964) = 0.05 */
	NEAR(student_t_p2(1.959963985, 1e7), 0.05, 1e-6);
	NEAR(incbeta(2.5, 1.0, 0.3), pow(0.3, 2.5), 1e-13);
	NEAR(incbeta(1.0, 3.5, 0.3), 1.0 - pow(0.7, 3.5), 1e-13);
	NEAR(incbeta(7.0, 7.0, 0.5), 0.5, 1e-13);
	CHECK(isnan(incbeta(-1, 1, 0.5)));
}

static void test_welch(void)
{
	static const double a[] = { 27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6,
				    23.1, 19.6, 19.0, 21.7, 21.4 };
	static const double b[] = { 27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2,
				    21.9, 22.1, 22.9, 20.5, 24.4 };
	static const double a3[] = { 19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0 };
	static const double b3[] = { 28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7,
				     23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 24.0, 13.2 };
	static const double c[] = { 3, 3, 3 }, d[] = { 4, 4, 4 };
	struct welch_result w;

	CHECK(welch_test(a, 15, b, 15, &w) == 0);
	NEAR(w.t, -2.45535639828601, 1e-10);
	NEAR(w.df, 24.98852929023142, 1e-9);
	NEAR(w.p, 0.021378001462862062, 1e-8);
	CHECK(welch_test(a3, 10, b3, 20, &w) == 0);
	NEAR(w.t, -2.2192409158236197, 1e-10);
	NEAR(w.df, 24.496223124201244, 1e-9);
	NEAR(w.p, 0.035972271029785396, 1e-8);
	CHECK(welch_test(c, 3, c, 3, &w) == 0 && w.p == 1.0);
	CHECK(welch_test(c, 3, d, 3, &w) == 0 && w.p == 0.0);
	CHECK(welch_test(c, 1, d, 3, &w) < 0);
}

/*
 * Welch's interval: t quantiles from tables (t_{0.975} = 12.7062047 at 1 df,
 * 2.7764451 at 4, 2.2281389 at 10, 1.9599640 in the limit); {1,2,3} vs
 * {4,5,6}: difference 3, se sqrt(2/3), df 4, so 3 +- 2.7764451 * 0.8164966.
 */
static void test_welch_ci(void)
{
	static const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 }, c[] = { 3, 3, 3 };
	struct welch_ci w;

	NEAR(student_t_quantile2(0.05, 1), 12.7062047, 1e-6);
	NEAR(student_t_quantile2(0.05, 4), 2.7764451, 1e-6);
	NEAR(student_t_quantile2(0.05, 10), 2.2281389, 1e-6);
	NEAR(student_t_quantile2(0.05, 1e7), 1.9599640, 1e-5);
	NEAR(student_t_quantile2(0.01, 4), 4.6040949, 1e-6);
	CHECK(isnan(student_t_quantile2(0.0, 4)) && isnan(student_t_quantile2(0.05, 0)));
	CHECK(welch_diff_ci(a, 3, b, 3, 0.95, &w) == 0);
	NEAR(w.diff, 3.0, 1e-12);
	NEAR(w.df, 4.0, 1e-9);
	NEAR(w.lo, 3.0 - 2.7764451 * 0.81649658, 1e-6);
	NEAR(w.hi, 3.0 + 2.7764451 * 0.81649658, 1e-6);
	NEAR(w.p, 0.0213112, 1e-6);	/* t 3.6742 on 4 df, density integrated */
	CHECK(welch_diff_ci(c, 3, c, 3, 0.95, &w) == 0 && w.lo == 0.0 && w.hi == 0.0);
	CHECK(welch_diff_ci(a, 1, b, 3, 0.95, &w) < 0);
	CHECK(welch_diff_ci(a, 3, b, 3, 1.5, &w) < 0);
}

static void test_holm(void)
{
	/* hand-computed: sorted 0.01 0.02 0.03 0.04 -> x4 x3 x2 x1 = .04 .06 .06 .06 */
	double p[] = { 0.03, 0.01, 0.04, 0.02 }, q[] = { 0.5, NAN };

	CHECK(holm_adjust(p, 4) == 0);
	NEAR(p[0], 0.06, 1e-15);
	NEAR(p[1], 0.04, 1e-15);
	NEAR(p[2], 0.06, 1e-15);
	NEAR(p[3], 0.06, 1e-15);
	CHECK(holm_adjust(q, 2) == 0);
	NEAR(q[0], 1.0, 0);
	NEAR(q[1], 1.0, 0);
}

static void test_pct(void)
{
	double v[100];
	int i;

	for (i = 0; i < 100; i++)
		v[i] = i + 1;
	NEAR(quantile_sorted(v, 100, 0.99), 99, 0);	/* 0.99 * 100 must not round up to 100 */
	NEAR(quantile_sorted(v, 100, 0.5), 50, 0);
	NEAR(quantile_sorted(v, 100, 0.999), 100, 0);
	NEAR(quantile_sorted(v, 100, 0.0), 1, 0);
	NEAR(quantile_sorted(v, 10, 0.9), 9, 0);
	NEAR(quantile_sorted(v, 1, 0.99), 1, 0);
	CHECK(isnan(quantile_sorted(v, 0, 0.5)));
}

int main(void)
{
	test_distributions();
	test_welch();
	test_welch_ci();
	test_holm();
	test_pct();
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
