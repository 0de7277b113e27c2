/*
 * qsel (bench/data/qsel.h): every wanted rank's value equals the sorted
 * sample's, on spread, heavy-tailed, tied and one-valued samples, with the
 * default budget and with a tiny one that forces ranges to be narrowed over
 * several passes; and a pass that sees other values than pass 1 is refused.
 * qs_spec_lost: never set over a stream that holds still, set at the first
 * check (131072 values) over one that drifts, and when the budget is spent.
 */
#include "qsel.h"
#include "signif.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Resolves q's wanted ranks over v[n], each later pass within keep values
 * (0: QS_BUDGET) fed v again: the passes made, or minus the pass refused. */
static int resolve(struct qsel *q, const uint64_t *v, size_t n, size_t keep)
{
	int passes = 1;

	for (;;) {
		size_t budget = keep ? keep : QS_BUDGET;

		if (qs_plan(q, &budget) <= 0)
			return passes;
		for (size_t i = 0; i < n; i++)
			qs_feed(q, v[i]);
		if (qs_pass_done(q) < 0)
			return -passes;
		passes++;
	}
}

/* Runs qsel over v[n] with max_keep keep (spec: pass 1 keeps values around
 * the quantiles, qs_expect), checks ranks against the sort; passes made. */
static int check_spec(const char *name, uint64_t *v, size_t n, size_t keep, bool spec)
{
	static const double qs[] = { 0.0, 0.001, 0.5, 0.9, 0.99, 0.999, 1.0 };
	static const float ex[] = { 0.5f, 0.9f, 0.99f, 0.999f };
	struct qsel q = { .max_keep = keep };
	uint64_t *s = malloc(n * sizeof(*s));
	int passes;

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_u64);
	if (spec)
		qs_expect(&q, ex, 4);
	for (size_t i = 0; i < n; i++)
		qs_add(&q, v[i]);
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++)
		if (!spec || qs[k] != 0.001)	/* spec: only what it expects */
			qs_want_q(&q, qs[k]);
	if (!spec) {
		qs_want(&q, 2);
		qs_want(&q, n / 3 + 1);
	}
	passes = resolve(&q, v, n, keep);
	if (passes < 0) {
		passes = -passes;
		printf("not ok - %s: pass %d refused\n", name, passes);
		failures++;
	}
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		if (spec && qs[k] == 0.001)
			continue;
		double want = (double)s[pct_rank(n, qs[k]) - 1], got = qs_quantile(&q, qs[k]);

		if (got != want) {
			printf("not ok - %s: q %g: %.0f, sorted %.0f\n", name, qs[k], got, want);
			failures++;
		}
	}
	if (!spec && n > 2 && (qs_value(&q, 2) != (double)s[1] || qs_value(&q, n / 3 + 1) != (double)s[n / 3])) {
		printf("not ok - %s: ranks 2 and n/3+1\n", name);
		failures++;
	}
	if (!isnan(qs_value(&q, 3)) && n > 10 && 3 != n / 3 + 1) {
		printf("not ok - %s: a rank not asked for has a value\n", name);
		failures++;
	}
	printf("ok - %s: n %zu, %d passes\n", name, n, passes);
	qs_free(&q);
	free(s);
	return passes;
}

/*
 * qs_clone: one selector stood for two (an op's latencies and its only
 * node's) for its first 100000 values, past pass 1's first narrowing; then
 * they part, the source taking every later value and the copy every other
 * one. Both exact, and both without a later pass: the copy has the source's
 * histogram and the values it kept.
 */
static void check_clone(uint64_t *v, size_t n, uint64_t *seed)
{
	static const float lat_q[] = { 0.5f, 0.9f, 0.99f, 0.999f }, two_q[] = { 0.5f, 0.99f };
	static const double qs[] = { 0.5, 0.99 };
	uint64_t *mine = malloc(n * sizeof(*mine)), *s = malloc(n * sizeof(*s));
	struct qsel src = { 0 }, dst = { 0 };
	size_t m = 0, part = n / 2;
	int ps, pd, before = failures;

	for (size_t i = 0; i < n; i++)
		v[i] = (uint64_t)exp(log(1e3) + (double)(rnd(seed) % 1000000) / 1e6 * log(1e6));
	qs_expect(&src, lat_q, 4);
	for (size_t i = 0; i < n; i++) {
		if (i == part && qs_clone(&dst, &src, two_q, 2) < 0) {
			printf("not ok - qs_clone: out of memory\n");
			failures++;
		}
		qs_add(&src, v[i]);
		if (i < part || i % 2 == 0) {
			mine[m++] = v[i];
			if (i >= part)
				qs_add(&dst, v[i]);
		}
	}
	for (size_t k = 0; k < 2; k++) {
		qs_want_q(&src, qs[k]);
		qs_want_q(&dst, qs[k]);
	}
	ps = resolve(&src, v, n, 0);
	pd = resolve(&dst, mine, m, 0);
	if (ps != 1 || pd != 1 || qs_count(&dst) != m) {
		printf("not ok - qs_clone: passes %d (source), %d (copy), want 1 each; copy count %llu of %zu\n",
		       ps, pd, (unsigned long long)qs_count(&dst), m);
		failures++;
	}
	for (int w = 0; w < 2; w++) {
		const uint64_t *x = w ? mine : v;
		size_t k = w ? m : n;

		memcpy(s, x, k * sizeof(*s));
		qsort(s, k, sizeof(*s), cmp_u64);
		for (size_t j = 0; j < 2; j++) {
			double want = (double)s[pct_rank(k, qs[j]) - 1];
			double got = qs_quantile(w ? &dst : &src, qs[j]);

			if (got != want) {
				printf("not ok - qs_clone: %s q %g: %.0f, sorted %.0f\n",
				       w ? "copy" : "source", qs[j], got, want);
				failures++;
			}
		}
	}
	if (failures == before)
		printf("ok - qs_clone: parted at %zu values, source %zu and copy %zu exact in pass 1\n",
		       part, n, m);
	qs_free(&src);
	qs_free(&dst);
	free(mine);
	free(s);
}

/* qs_spec_lost over pass 1 of v[n] with compare's four quantiles: the count
 * of values at which it was set, 0 if never. */
static size_t lost_at(const uint64_t *v, size_t n)
{
	static const float ex[] = { 0.5f, 0.9f, 0.99f, 0.999f };
	struct qsel q = { 0 };
	size_t at = 0;

	qs_spec_lost = false;
	qs_expect(&q, ex, 4);
	for (size_t i = 0; i < n && !at; i++) {
		qs_add(&q, v[i]);
		if (qs_spec_lost)
			at = i + 1;
	}
	qs_free(&q);
	qs_spec_lost = false;
	return at;
}

static int check(const char *name, uint64_t *v, size_t n, size_t keep)
{
	return check_spec(name, v, n, keep, false);
}

int main(void)
{
	size_t n = 200000;
	uint64_t *v = malloc(n * sizeof(*v)), seed = 88172645463325252ull;
	struct qsel q = { 0 };
	size_t budget = QS_BUDGET;

	for (size_t i = 0; i < n; i++)	/* spread: 1 us .. 1 s, log-uniform */
		v[i] = (uint64_t)exp(log(1e3) + (double)(rnd(&seed) % 1000000) / 1e6 * log(1e6));
	check("log-uniform", v, n, 0);
	if (check("log-uniform, 20 kept a pass", v, n, 20) < 3) {
		printf("not ok - a tiny budget took no extra pass\n");
		failures++;
	}
	for (size_t i = 0; i < n; i++)	/* ties, in one wide bucket */
		v[i] = (1ull << 40) + (rnd(&seed) % 5) * 1000003;
	check("five values in one bucket, 100 kept", v, n, 100);
	for (size_t i = 0; i < n; i++)
		v[i] = 777777;
	check("one value", v, n, 0);
	for (size_t i = 0; i < n; i++)	/* small integers: exact buckets */
		v[i] = rnd(&seed) % 200;
	check("rounds", v, n, 0);
	check("one sample", v, 1, 0);
	/* pass 1 keeps the values around the expected quantiles: no later pass
	 * when the distribution holds still, the same exact values when it does not */
	n = 2000000;
	v = realloc(v, n * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = (uint64_t)exp(log(1e3) + (double)(rnd(&seed) % 1000000) / 1e6 * log(1e6));
	if (check_spec("2M log-uniform, kept in pass 1", v, n, 0, true) != 1) {
		printf("not ok - pass 1's kept values left a later pass\n");
		failures++;
	}
	/* a stream that holds still never says it lost values (compare would
	 * spill for nothing), one that moves says so early (the spill saves
	 * the later pass most of its reading) */
	if (lost_at(v, n)) {
		printf("not ok - 2M log-uniform: qs_spec_lost set at %zu values\n", lost_at(v, n));
		failures++;
	} else {
		printf("ok - 2M log-uniform: qs_spec_lost never set\n");
	}
	for (size_t i = 0; i < n; i++)	/* a run that slows down: 1x to 3x, steadily */
		v[i] = (uint64_t)(1e4 * (1.0 + 2.0 * (double)i / (double)n) *
				  (1.0 + (double)(rnd(&seed) % 1000) / 1e4));
	if (check_spec("2M drifting, kept in pass 1", v, n, 0, true) < 2) {
		printf("not ok - a drifting run resolved in pass 1: windows too wide to mean anything\n");
		failures++;
	}
	{
		size_t at = lost_at(v, n);

		/* the first narrowing is at 65536, a check at each doubling after */
		if (at < 131072 || at > 262144) {
			printf("not ok - 2M drifting: qs_spec_lost set at %zu values, not by 262144\n", at);
			failures++;
		} else {
			printf("ok - 2M drifting: qs_spec_lost set at %zu values\n", at);
		}
	}
	for (size_t i = 0; i < 300000; i++)	/* ties, in one wide bucket: selected in place */
		v[i] = (1ull << 40) + (rnd(&seed) % 5) * 1000003;
	if (check_spec("five values in one bucket, kept in pass 1", v, 300000, 0, true) != 1) {
		printf("not ok - ties kept in pass 1 took a later pass\n");
		failures++;
	}
	/* a wanted bucket short of one value: p99.9's rank (n - 200) is one
	 * value alone in its bucket, come after pass 1 stopped keeping that
	 * bucket (the 200 above it in another): a later pass, exact */
	for (size_t i = 0; i < 200000; i++)
		v[i] = 10000 + rnd(&seed) % 1000;
	v[199000] = 10000000;
	for (size_t i = 199800; i < 200000; i++)
		v[i] = 1000000000 + rnd(&seed) % 1000;
	if (check_spec("p99.9 alone in a bucket pass 1 did not keep", v, 200000, 0, true) < 2) {
		printf("not ok - a bucket short of one kept value resolved in pass 1\n");
		failures++;
	}
	for (size_t i = 0; i < 1000; i++)	/* small: every value kept */
		v[i] = 1000 + rnd(&seed) % 100000;
	if (check_spec("1000 kept in pass 1", v, 1000, 0, true) != 1) {
		printf("not ok - a small sample took a later pass\n");
		failures++;
	}
	check_clone(v, 200000, &seed);
	{	/* the thread's keep budget spent: 60 selectors x 60000 kept > 3M values */
		static const float ex[] = { 0.5f };
		struct qsel *qs = calloc(60, sizeof(*qs));
		bool before;

		qs_spec_lost = false;
		for (int k = 0; k < 60; k++)
			qs_expect(&qs[k], ex, 1);
		for (size_t i = 0; i < 60000; i++)
			for (int k = 0; k < 60; k++)
				qs_add(&qs[k], 1000 + v[i] % 100000);
		before = qs_spec_lost;
		for (int k = 0; k < 60; k++)
			qs_free(&qs[k]);
		free(qs);
		qs_spec_lost = false;
		if (!before) {
			printf("not ok - the keep budget spent, qs_spec_lost not set\n");
			failures++;
		} else {
			printf("ok - the keep budget spent: qs_spec_lost set\n");
		}
	}
	/* pass 2 sees other values: refused, never a wrong answer */
	for (size_t i = 0; i < 1000; i++)
		qs_add(&q, 5000 + i);
	qs_want_q(&q, 0.5);
	if (qs_plan(&q, &budget) == 1) {
		for (size_t i = 0; i < 1000; i++)
			if (i != 499)	/* the median itself is gone */
				qs_feed(&q, 5000 + i);
		if (qs_pass_done(&q) != -EIO) {
			printf("not ok - a changed input was not refused\n");
			failures++;
		}
	}
	qs_free(&q);
	free(v);
	printf("%s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
