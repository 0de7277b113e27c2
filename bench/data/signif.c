/*
 * What compare tests with: Welch's t and its interval on one value per
 * repetition (the central limit theorem makes it fair there, not on
 * heavy-tailed per-operation samples), its p from Student's t through the
 * regularised incomplete beta, Holm's adjustment over a comparison's tests,
 * and the nearest-rank percentile every reader uses.
 */
#include "signif.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* ---- distributions ---- */

/* Continued fraction for I_x(a,b), modified Lentz; converges for x < (a+1)/(a+b+2). */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0), h;
	int m;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	h = d;
	for (m = 1; m <= 1000; m++) {
		double m2 = 2.0 * m, num, del;

		num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
		d = 1.0 + num * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
		d = 1.0 + num * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < 1e-15)
			break;
	}
	return h;
}

double incbeta(double a, double b, double x)
{
	double lfront;

	if (!(a > 0.0) || !(b > 0.0) || !(x >= 0.0) || !(x <= 1.0))
		return NAN;
	if (x == 0.0 || x == 1.0)
		return x;
	lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	if (x < (a + 1.0) / (a + b + 2.0))
		return exp(lfront) * betacf(a, b, x) / a;
	return 1.0 - exp(lfront) * betacf(b, a, 1.0 - x) / b;
}

double student_t_p2(double t, double df)
{
	if (isnan(t) || !(df > 0.0))
		return NAN;
	if (isinf(t))
		return 0.0;
	return incbeta(df / 2.0, 0.5, df / (df + t * t));
}

/* ---- tests ---- */

static void mean_var(const double *v, size_t n, double *mean, double *var)
{
	double m = 0.0, s = 0.0;
	size_t i;

	/* Welford: stable for large, close values (latencies in ns). */
	for (i = 0; i < n; i++) {
		double d = v[i] - m;

		m += d / (double)(i + 1);
		s += d * (v[i] - m);
	}
	*mean = m;
	*var = n > 1 ? s / (double)(n - 1) : 0.0;
}

int welch_test(const double *a, size_t na, const double *b, size_t nb,
	       struct welch_result *r)
{
	double va, vb, sa, sb, se2;

	if (na < 2 || nb < 2)
		return -EINVAL;
	mean_var(a, na, &r->mean_a, &va);
	mean_var(b, nb, &r->mean_b, &vb);
	sa = va / (double)na;
	sb = vb / (double)nb;
	se2 = sa + sb;
	if (!(se2 > 0.0)) {
		r->df = (double)(na + nb - 2);
		if (r->mean_a == r->mean_b) {
			r->t = 0.0;
			r->p = 1.0;
		} else {
			r->t = r->mean_a > r->mean_b ? INFINITY : -INFINITY;
			r->p = 0.0;
		}
		return 0;
	}
	r->t = (r->mean_a - r->mean_b) / sqrt(se2);
	r->df = se2 * se2 / (sa * sa / (double)(na - 1) + sb * sb / (double)(nb - 1));
	r->p = student_t_p2(r->t, r->df);
	return 0;
}

double student_t_quantile2(double p2, double df)
{
	double lo = 0.0, hi = 1.0;
	int i;

	if (!(p2 > 0.0 && p2 < 1.0) || !(df > 0.0))
		return NAN;
	while (student_t_p2(hi, df) > p2 && hi < 1e12)
		hi *= 2.0;
	/* p2 falls as t grows: bisect to well below the printed precision. */
	for (i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = 0.5 * (lo + hi);

		if (student_t_p2(mid, df) > p2)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

int welch_diff_ci(const double *a, size_t na, const double *b, size_t nb, double conf,
		  struct welch_ci *r)
{
	struct welch_result w;
	double va, vb, se, t;
	int ret;

	if (!(conf > 0.0 && conf < 1.0))
		return -EINVAL;
	ret = welch_test(a, na, b, nb, &w);
	if (ret < 0)
		return ret;
	mean_var(a, na, &r->mean_a, &va);
	mean_var(b, nb, &r->mean_b, &vb);
	r->diff = r->mean_b - r->mean_a;
	r->p = w.p;
	r->df = w.df;
	se = sqrt(va / (double)na + vb / (double)nb);
	if (!(se > 0.0)) {
		/* No spread on either side: the difference is exact. */
		r->lo = r->hi = r->diff;
		return 0;
	}
	t = student_t_quantile2(1.0 - conf, w.df);
	r->lo = r->diff - t * se;
	r->hi = r->diff + t * se;
	return 0;
}

size_t pct_rank(size_t n, double q)
{
	double x = q * (double)n;
	size_t k = (size_t)x;

	if (x - (double)k > 1e-9 * (x > 1.0 ? x : 1.0))
		k++;
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return k;
}

double quantile_sorted(const double *v, size_t n, double q)
{
	if (!n)
		return NAN;
	return v[pct_rank(n, q) - 1];
}

struct pidx {
	double p;
	size_t i;
};

static int cmp_pidx(const void *x, const void *y)
{
	const struct pidx *a = x, *b = y;

	if (a->p != b->p)
		return (a->p > b->p) - (a->p < b->p);
	return (a->i > b->i) - (a->i < b->i);
}

int holm_adjust(double *p, size_t n)
{
	struct pidx *s;
	double run = 0.0;
	size_t k;

	if (!n)
		return 0;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (k = 0; k < n; k++)
		s[k] = (struct pidx){ isnan(p[k]) ? 1.0 : p[k], k };
	qsort(s, n, sizeof(*s), cmp_pidx);
	/* p_adj(k) = max over j <= k of (n - j) p(j), capped at 1: monotone. */
	for (k = 0; k < n; k++) {
		double v = (double)(n - k) * s[k].p;

		if (v > run)
			run = v;
		p[s[k].i] = run < 1.0 ? run : 1.0;
	}
	free(s);
	return 0;
}
