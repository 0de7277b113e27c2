/* Unit tests: size/duration/number parsing (good and bad input), stats, and
 * the result helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <stdlib.h>
#include "parse.h"
#include "stats.h"
#include "rows.h"

static void sizes_good(void **st)
{
	static const struct { const char *in; uint64_t out; } t[] = {
		{ "4096", 4096 }, { "4K", 4096 }, { "4k", 4096 }, { "256M", 256ull << 20 },
		{ "1G", 1ull << 30 }, { "1.5G", 3ull << 29 }, { "2T", 2ull << 40 },
		{ "64MiB", 64ull << 20 }, { "0", 0 }, { "512b", 512 },
	};
	char msg[128];

	(void)st;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t v = 1;

		assert_int_equal(parse_size(t[i].in, &v, msg, sizeof(msg)), 0);
		assert_true(v == t[i].out);
	}
}

static void sizes_bad(void **st)
{
	static const char *const bad[] = {
		"", "M", "-1", "-1M", "10XB", "1.5", "abc", "1e400", "99999999999T", " 1M",
		"1M ", "+5", "0x10", "1..2M", "nan", "inf",
	};
	char msg[128];

	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = 7;

		msg[0] = 0;
		assert_true(parse_size(bad[i], &v, msg, sizeof(msg)) < 0);
		assert_true(strlen(msg) > 0);
		assert_true(v == 7);
	}
}

static void durations(void **st)
{
	char msg[128];
	uint64_t v;

	(void)st;
	assert_int_equal(parse_duration("10s", &v, msg, sizeof(msg)), 0);
	assert_true(v == 10000000000ull);
	assert_int_equal(parse_duration("500ms", &v, msg, sizeof(msg)), 0);
	assert_true(v == 500000000ull);
	assert_int_equal(parse_duration("2m", &v, msg, sizeof(msg)), 0);
	assert_true(v == 120000000000ull);
	assert_int_equal(parse_duration("3", &v, msg, sizeof(msg)), 0);
	assert_true(v == 3000000000ull);
	assert_int_equal(parse_duration("100us", &v, msg, sizeof(msg)), 0);
	assert_true(v == 100000ull);
	assert_true(parse_duration("10 s", &v, msg, sizeof(msg)) < 0);
	assert_true(parse_duration("-1s", &v, msg, sizeof(msg)) < 0);
	assert_true(parse_duration("10parsecs", &v, msg, sizeof(msg)) < 0);
	assert_true(parse_duration("1e30h", &v, msg, sizeof(msg)) < 0);
}

static void uints(void **st)
{
	char msg[128];
	uint64_t v;

	(void)st;
	assert_int_equal(parse_uint("5", 1, 10, &v, msg, sizeof(msg)), 0);
	assert_true(v == 5);
	assert_true(parse_uint("0", 1, 10, &v, msg, sizeof(msg)) < 0);
	assert_true(parse_uint("11", 1, 10, &v, msg, sizeof(msg)) < 0);
	assert_true(parse_uint("-3", 0, 10, &v, msg, sizeof(msg)) < 0);
	assert_true(parse_uint("3x", 0, 10, &v, msg, sizeof(msg)) < 0);
	assert_true(parse_uint("99999999999999999999999", 0, UINT64_MAX, &v, msg, sizeof(msg)) < 0);
}

static void stats_basic(void **st)
{
	double v[1000];
	struct dist d;

	(void)st;
	for (int i = 0; i < 1000; i++)
		v[i] = 1000 - i;	/* 1..1000 reversed */
	dist_compute(v, 1000, &d);
	assert_true(d.count == 1000);
	assert_true(d.min == 1 && d.max == 1000);
	assert_true(d.p50 == 500 && d.p90 == 900 && d.p99 == 990 && d.p999 == 999);
	assert_true(d.mean == 500.5);
	dist_compute(v, 0, &d);
	assert_true(d.count == 0 && d.max == 0);
}

/*
 * The driver's summaries come from struct hist: against the exact
 * nearest-rank percentiles of the same samples (log-normal latencies over
 * six decades, small integers, a constant), every percentile is within the
 * stated bound HIST_REL_ERR (0.39%, the issue asks <= 1%), count/min/max/sum
 * are exact, and a hist's memory does not depend on the number of samples.
 */
static void hist_vs_exact(void **st)
{
	static double v[200000];
	static const double ps[] = { 0, 1, 10, 50, 90, 99, 99.9, 99.99, 100 };
	uint64_t x = 88172645463325252ull;
	struct hist h;
	struct dist d, e;

	(void)st;
	assert_true(HIST_REL_ERR <= 0.01);
	for (int set = 0; set < 3; set++) {
		size_t n = set == 2 ? 1000 : sizeof(v) / sizeof(v[0]);

		memset(&h, 0, sizeof(h));
		for (size_t i = 0; i < n; i++) {
			uint64_t s;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			if (set == 0)	/* log-uniform over 100 ns .. 100 s */
				s = (uint64_t)exp(log(100.0) + (double)(x >> 11) / 9007199254740992.0 *
						  (log(1e11) - log(100.0)));
			else if (set == 1)	/* reclaim rounds: 0..40 */
				s = x % 41;
			else
				s = 123456789;
			v[i] = (double)s;
			assert_int_equal(hist_add(&h, s), 0);
		}
		hist_dist(&h, &d);
		dist_compute(v, n, &e);	/* sorts v */
		assert_true(d.count == e.count && d.min == e.min && d.max == e.max);
		assert_true(d.total == e.total);
		assert_true(fabs(d.mean - e.mean) <= 1e-9 * e.mean);
		assert_true(fabs(d.stddev - e.stddev) <= 1e-6 * (e.stddev + 1));
		for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
			double exact = pct_sorted(v, n, ps[k]), got = hist_pct(&h, ps[k]);

			if (set == 1)	/* small integers are exact */
				assert_true(got == exact);
			else
				assert_true(fabs(got - exact) <= HIST_REL_ERR * exact);
		}
		hist_free(&h);
	}
	/* every bucket holds what hist_bucket puts in it */
	for (uint64_t s = 1; s && s < (1ull << 62); s = s * 3 + 1) {
		uint64_t lo, hi;

		hist_bounds(hist_bucket(s), &lo, &hi);
		assert_true(lo <= s && s <= hi && (double)(hi - lo) <= 2 * HIST_REL_ERR * (double)lo);
		assert_true(hist_bucket(s) < HIST_NR);
	}
	assert_true(hist_bucket(UINT64_MAX) < HIST_NR);
}

static int cmp_u64_t(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The radix sort compare uses orders like qsort: random keys, keys sharing
 * high bytes (skipped passes), doubles >= 0 (latencies), tiny inputs. */
static void radix_sort(void **st)
{
	static uint64_t a[300000], b[300000];
	static double d[300000];
	uint64_t x = 0x9E3779B97F4A7C15ull;
	const size_t ns[] = { 0, 1, 5, 1023, 1024, 300000 };

	(void)st;
	for (size_t t = 0; t < sizeof(ns) / sizeof(ns[0]); t++) {
		for (int shape = 0; shape < 3; shape++) {
			size_t n = ns[t];

			for (size_t i = 0; i < n; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				a[i] = shape == 0 ? x : shape == 1 ? (x & 0xfffff) << 16 | 3 : x % 7;
				b[i] = a[i];
				d[i] = (double)(x >> 20) / 7.0;
			}
			sort_u64(a, n);
			qsort(b, n, sizeof(*b), cmp_u64_t);
			assert_memory_equal(a, b, n * sizeof(*a) + (n == 0));
			sort_dbl_nonneg(d, n);
			for (size_t i = 1; i < n; i++)
				assert_true(d[i - 1] <= d[i]);
		}
	}
}

static void errnames(void **st)
{
	int e;

	(void)st;
	assert_string_equal(errno_name(ENOMEM), "ENOMEM");
	assert_string_equal(errno_name(0), "0");
	assert_int_equal(errno_from_name("ENOSPC", &e), 0);
	assert_int_equal(e, ENOSPC);
	assert_int_equal(errno_from_name("E4000", &e), 0);
	assert_int_equal(e, 4000);
	assert_true(errno_from_name("EBOGUS", &e) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes_good), cmocka_unit_test(sizes_bad),
		cmocka_unit_test(durations), cmocka_unit_test(uints),
		cmocka_unit_test(stats_basic), cmocka_unit_test(hist_vs_exact), cmocka_unit_test(radix_sort),
		cmocka_unit_test(errnames),
	};

	/* cmocka returns its failure count; 4 of them would read as a ctest skip */
	return cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0;
}
