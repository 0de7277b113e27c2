/*
 * Significance tests. Latency samples are heavy-tailed and far from normal,
 * so per-operation samples are compared with a rank test (Mann-Whitney U),
 * and Welch's t is kept for per-repetition means, where the central limit
 * theorem makes it fair. Tail percentiles get bootstrap intervals; the
 * bootstrap draws each resample's order statistic from its Beta law instead
 * of resampling n values, which is the same distribution at O(1) cost.
 */
#include "signif.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void sb_rng_seed(struct sb_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sb_rng_next(struct sb_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

double sb_rng_uniform(struct sb_rng *r)
{
	return ((double)(sb_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

double sb_rng_normal(struct sb_rng *r)
{
	double u1 = sb_rng_uniform(r), u2 = sb_rng_uniform(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* Marsaglia and Tsang's method; shape < 1 through the boost u^(1/shape). */
double sb_rng_gamma(struct sb_rng *r, double shape)
{
	double d, c;

	if (shape < 1.0) {
		double u = sb_rng_uniform(r);

		return sb_rng_gamma(r, shape + 1.0) * pow(u, 1.0 / shape);
	}
	d = shape - 1.0 / 3.0;
	c = 1.0 / sqrt(9.0 * d);
	for (;;) {
		double x = sb_rng_normal(r), v = 1.0 + c * x, u;

		if (v <= 0.0)
			continue;
		v = v * v * v;
		u = sb_rng_uniform(r);
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v;
	}
}

double sb_rng_beta(struct sb_rng *r, double a, double b)
{
	double x = sb_rng_gamma(r, a), y = sb_rng_gamma(r, b);

	return x / (x + y);
}

/* ---- distributions ---- */

static double norm_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

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

int mw_test_sorted(const double *a, size_t na, const double *b, size_t nb,
		   struct mw_result *r)
{
	double n = (double)na + (double)nb, r1 = 0.0, ties = 0.0, pos = 0.0;
	double mu, sigma2, dev;
	size_t i = 0, j = 0;

	if (!na || !nb)
		return -EINVAL;
	/* Walk both sorted samples as one merged ranking, tie group by tie group. */
	while (i < na || j < nb) {
		double v, t, ta = 0, tb = 0;

		if (j >= nb || (i < na && a[i] <= b[j]))
			v = a[i];
		else
			v = b[j];
		while (i < na && a[i] == v) {
			i++;
			ta++;
		}
		while (j < nb && b[j] == v) {
			j++;
			tb++;
		}
		t = ta + tb;
		r1 += ta * (pos + (t + 1.0) / 2.0);
		ties += t * t * t - t;
		pos += t;
	}
	r->u = r1 - (double)na * ((double)na + 1.0) / 2.0;
	r->auc = r->u / ((double)na * (double)nb);
	mu = (double)na * (double)nb / 2.0;
	sigma2 = (double)na * (double)nb / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
	if (!(sigma2 > 0.0)) {
		/* Every value equal: no evidence of any difference. */
		r->z = 0.0;
		r->p = 1.0;
		return 0;
	}
	dev = fabs(r->u - mu) - 0.5;
	if (dev < 0.0)
		dev = 0.0;
	r->z = (r->u >= mu ? dev : -dev) / sqrt(sigma2);
	r->p = 2.0 * norm_sf(fabs(r->z));
	if (r->p > 1.0)
		r->p = 1.0;
	return 0;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

int mw_test(const double *a, size_t na, const double *b, size_t nb, struct mw_result *r)
{
	double *ca, *cb;
	int ret;

	if (!na || !nb)
		return -EINVAL;
	ca = malloc(na * sizeof(*ca));
	cb = malloc(nb * sizeof(*cb));
	if (!ca || !cb) {
		free(ca);
		free(cb);
		return -ENOMEM;
	}
	memcpy(ca, a, na * sizeof(*ca));
	memcpy(cb, b, nb * sizeof(*cb));
	qsort(ca, na, sizeof(*ca), cmp_double);
	qsort(cb, nb, sizeof(*cb), cmp_double);
	ret = mw_test_sorted(ca, na, cb, nb, r);
	free(ca);
	free(cb);
	return ret;
}

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

/* A bootstrap replicate of the nearest-rank q-quantile of sorted[0..n). */
static double boot_draw(struct sb_rng *rng, const double *sorted, size_t n, size_t k)
{
	double u;
	size_t idx;

	if (n == 1)
		return sorted[0];
	u = sb_rng_beta(rng, (double)k, (double)(n - k + 1));
	idx = (size_t)(u * (double)n);
	if (idx >= n)
		idx = n - 1;
	return sorted[idx];
}

static int ci_from(double *rep, unsigned int iters, double conf, double *lo, double *hi)
{
	qsort(rep, iters, sizeof(*rep), cmp_double);
	*lo = quantile_sorted(rep, iters, (1.0 - conf) / 2.0);
	*hi = quantile_sorted(rep, iters, (1.0 + conf) / 2.0);
	free(rep);
	return 0;
}

int boot_pct_ci(const double *sorted, size_t n, double q, unsigned int iters,
		double conf, uint64_t seed, double *lo, double *hi)
{
	struct sb_rng rng;
	double *rep;
	size_t k;
	unsigned int i;

	if (!n || !(q >= 0.0 && q <= 1.0) || !(conf > 0.0 && conf < 1.0) || iters < 10)
		return -EINVAL;
	rep = malloc(iters * sizeof(*rep));
	if (!rep)
		return -ENOMEM;
	sb_rng_seed(&rng, seed);
	k = pct_rank(n, q);
	for (i = 0; i < iters; i++)
		rep[i] = boot_draw(&rng, sorted, n, k);
	return ci_from(rep, iters, conf, lo, hi);
}

int boot_pct_ratio_ci(const double *a, size_t na, const double *b, size_t nb, double q,
		      unsigned int iters, double conf, uint64_t seed, double *lo, double *hi,
		      double *p)
{
	struct sb_rng rng;
	double *rep;
	size_t ka, kb, le = 0, ge = 0;
	unsigned int i;

	if (!na || !nb || !(q >= 0.0 && q <= 1.0) || !(conf > 0.0 && conf < 1.0) ||
	    iters < 10)
		return -EINVAL;
	rep = malloc(iters * sizeof(*rep));
	if (!rep)
		return -ENOMEM;
	sb_rng_seed(&rng, seed);
	ka = pct_rank(na, q);
	kb = pct_rank(nb, q);
	for (i = 0; i < iters; i++) {
		double qa = boot_draw(&rng, a, na, ka);
		double qb = boot_draw(&rng, b, nb, kb);

		rep[i] = qa > 0.0 ? qb / qa : (qb > 0.0 ? INFINITY : 1.0);
		le += rep[i] <= 1.0;
		ge += rep[i] >= 1.0;
	}
	if (p) {
		*p = 2.0 * (double)(le < ge ? le : ge) / (double)iters;
		if (*p > 1.0)
			*p = 1.0;
	}
	return ci_from(rep, iters, conf, lo, hi);
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
