/*
 * Attribution: straddling and nested stalls, unpaired ones, several tids,
 * system tasks, arrival out of order across drains, bounded memory, and a
 * randomized comparison with a brute-force per-nanosecond count.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "attrib.h"

#define MAXOPS 4096

struct res {
	struct attrib_op op[MAXOPS];
	size_t n;
};

static void done(void *arg, const struct attrib_op *op)
{
	struct res *r = arg;

	assert_true(op->stall_ns <= op->latency_ns);
	if (r->n < MAXOPS)
		r->op[r->n++] = *op;
}

static struct stall mkstall(uint32_t tid, uint64_t t, uint64_t d, enum stall_kind k)
{
	struct stall s;

	memset(&s, 0, sizeof(s));
	s.tid = tid;
	s.t_start_ns = t;
	s.duration_ns = d;
	s.kind = k;
	s.nr_reclaimed = -1;
	s.order = -1;
	return s;
}

static struct attrib_op mkop(uint32_t tid, uint64_t t, uint64_t lat, uint64_t cookie)
{
	struct attrib_op o = { .t_start_ns = t, .latency_ns = lat, .tid = tid, .cookie = cookie };

	return o;
}

static void test_straddle_and_nested(void **state)
{
	struct attrib *a;
	struct res *r = calloc(1, sizeof(*r));
	struct stall s;

	(void)state;
	assert_int_equal(attrib_new(&a), 0);
	assert_int_equal(attrib_add_worker(a, 10), 0);
	/* memcg [50,150) straddles ops [0,100) and [100,200) */
	s = mkstall(10, 50, 100, STALL_MEMCG);
	assert_int_equal(attrib_add_stall(a, &s), 1);
	/* throttled nested inside it: not counted twice */
	s = mkstall(10, 60, 20, STALL_THROTTLED);
	attrib_add_stall(a, &s);
	/* a stall longer than the op window: clipped */
	s = mkstall(10, 250, 1000, STALL_DIRECT);
	attrib_add_stall(a, &s);
	struct point p = { .t_ns = 120, .tid = 10, .kind = POINT_RECLAIM_RETRY };

	assert_int_equal(attrib_add_point(a, &p), 1);
	p.kind = POINT_MARK_VICTIM;
	assert_int_equal(attrib_add_point(a, &p), 0);
	struct attrib_op o1 = mkop(10, 0, 100, 1), o2 = mkop(10, 100, 100, 2), o3 = mkop(10, 300, 50, 3);

	attrib_add_op(a, &o1);
	attrib_add_op(a, &o2);
	attrib_add_op(a, &o3);
	assert_int_equal(attrib_flush(a, UINT64_MAX, done, r), 3);
	assert_int_equal(r->op[0].cookie, 1);
	assert_int_equal(r->op[0].stall_ns, 50);
	assert_int_equal(r->op[0].reclaim_rounds, 1);	/* the memcg begin at 50 */
	assert_int_equal(r->op[1].stall_ns, 50);
	assert_int_equal(r->op[1].reclaim_rounds, 1);	/* the retry point at 120 */
	assert_int_equal(r->op[2].stall_ns, 50);	/* whole window stalled */
	assert_int_equal(r->op[2].reclaim_rounds, 0);	/* its direct begin (250) was before */
	attrib_free(a);
	free(r);
}

/* On-CPU samples, as each op's done callback sees them (its stacks are scratch). */
struct cpures {
	uint32_t samples[4], in_stall[4], ncpu[4], n_a[4];
	size_t n;
};

static void cpu_done(void *arg, const struct attrib_op *op)
{
	struct cpures *r = arg;

	if (r->n == 4)
		return;
	r->samples[r->n] = op->cpu_samples;
	r->in_stall[r->n] = op->cpu_in_stall;
	r->ncpu[r->n] = op->ncpu;
	for (uint32_t k = 0; k < op->ncpu; k++)
		if (!strcmp(op->cpu[k].stack, "a;b"))
			r->n_a[r->n] = op->cpu[k].n;
	r->n++;
}

/*
 * Samples go to the op of their task whose window holds them, by stack;
 * those inside its stalls (a nested throttle counted once) are counted
 * apart; samples between ops and of tasks that are not workers go nowhere.
 */
static void test_oncpu_samples(void **state)
{
	static const char *const a_b = "a;b", *const a_c = "a;c";
	const struct { uint64_t t; uint32_t tid; const char *stack; } smp[] = {
		{ 320, 10, a_b }, { 10, 10, a_b }, { 61, 10, a_c }, { 60, 10, a_b },
		{ 120, 10, a_b }, { 170, 10, a_c }, { 250, 10, a_b }, { 60, 11, a_b },
	};
	struct cpures r = { 0 };
	struct attrib *a;
	struct stall s;

	(void)state;
	assert_int_equal(attrib_new(&a), 0);
	assert_int_equal(attrib_add_worker(a, 10), 0);
	s = mkstall(10, 50, 100, STALL_MEMCG);
	attrib_add_stall(a, &s);
	s = mkstall(10, 60, 20, STALL_THROTTLED);
	attrib_add_stall(a, &s);
	for (size_t i = 0; i < sizeof(smp) / sizeof(smp[0]); i++) {
		struct oncpu_sample x = { .tid = smp[i].tid, .t = smp[i].t, .site = smp[i].stack + 2,
					  .stack = smp[i].stack };

		assert_int_equal(attrib_add_oncpu(a, &x), smp[i].tid == 10);
	}
	struct attrib_op o1 = mkop(10, 0, 100, 1), o2 = mkop(10, 100, 100, 2), o3 = mkop(10, 300, 50, 3);

	attrib_add_op(a, &o1);
	attrib_add_op(a, &o2);
	attrib_add_op(a, &o3);
	assert_int_equal(attrib_flush(a, UINT64_MAX, cpu_done, &r), 3);
	assert_int_equal(r.samples[0], 3);	/* 10, 60, 61 */
	assert_int_equal(r.in_stall[0], 2);	/* 60, 61: inside memcg [50,150) */
	assert_int_equal(r.ncpu[0], 2);
	assert_int_equal(r.n_a[0], 2);
	assert_int_equal(r.samples[1], 2);	/* 120 in the stall, 170 not */
	assert_int_equal(r.in_stall[1], 1);
	assert_int_equal(r.samples[2], 1);	/* 320; 250 was between ops */
	assert_int_equal(r.in_stall[2], 0);
	assert_int_equal(attrib_pending(a), 0);
	attrib_free(a);
}

/*
 * Rounds by source: each source counted in the op whose window holds it (a
 * throttle at its end), reclaim_rounds the sum of the reclaim and retry
 * sources only, NOFAIL allocations beside them, a source that never fired 0.
 */
static void test_sources(void **state)
{
	struct attrib *a;
	struct res *r = calloc(1, sizeof(*r));
	struct stall s;
	struct point p = { .tid = 7 };
	static const struct { uint64_t t; enum point_kind k; } pts[] = {
		{ 160, POINT_RECLAIM_RETRY }, { 170, POINT_COMPACT_RETRY }, { 180, POINT_NOFAIL },
		{ 185, POINT_NOFAIL }, { 250, POINT_NOFAIL }, { 190, POINT_MARK_VICTIM },
	};

	(void)state;
	attrib_new(&a);
	attrib_add_worker(a, 7);
	s = mkstall(7, 110, 5, STALL_DIRECT);
	attrib_add_stall(a, &s);
	s = mkstall(7, 120, 5, STALL_MEMCG_SOFT);
	attrib_add_stall(a, &s);
	s = mkstall(7, 130, 5, STALL_COMPACT);
	attrib_add_stall(a, &s);
	s = mkstall(7, 90, 50, STALL_THROTTLED);	/* ends at 140: op 2's */
	attrib_add_stall(a, &s);
	s = mkstall(7, 210, 5, STALL_MEMCG);
	s.missing_begin = true;		/* an end without its begin is not a round */
	attrib_add_stall(a, &s);
	for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++) {
		p.t_ns = pts[i].t;
		p.kind = pts[i].k;
		attrib_add_point(a, &p);
	}
	struct attrib_op o1 = mkop(7, 0, 100, 1), o2 = mkop(7, 100, 100, 2), o3 = mkop(7, 200, 100, 3);

	attrib_add_op(a, &o1);
	attrib_add_op(a, &o2);
	attrib_add_op(a, &o3);
	assert_int_equal(attrib_flush(a, UINT64_MAX, done, r), 3);
	for (int k = 0; k < RSRC_NR; k++)
		assert_int_equal(r->op[0].src[k], 0);
	assert_int_equal(r->op[1].src[RSRC_DIRECT], 1);
	assert_int_equal(r->op[1].src[RSRC_MEMCG], 1);
	assert_int_equal(r->op[1].src[RSRC_RECLAIM_RETRY], 1);
	assert_int_equal(r->op[1].src[RSRC_COMPACT_RETRY], 1);
	assert_int_equal(r->op[1].src[RSRC_COMPACTION], 1);
	assert_int_equal(r->op[1].src[RSRC_THROTTLE], 1);
	assert_int_equal(r->op[1].src[RSRC_NOFAIL], 2);
	assert_int_equal(r->op[1].reclaim_rounds, 4);
	assert_int_equal(r->op[2].src[RSRC_NOFAIL], 1);
	assert_int_equal(r->op[2].src[RSRC_MEMCG], 0);
	assert_int_equal(r->op[2].reclaim_rounds, 0);
	attrib_free(a);
	free(r);
}

/*
 * mm_vmscan_throttled reports its sleep in jiffies after it ends: its start
 * can land before the op that slept (seen: a 12 ms throttle "starting"
 * 1.2 ms before the ftruncate that slept in it). It belongs wholly to the op
 * holding its end; the op before gets none of it.
 */
static void test_throttle_anchored_at_end(void **state)
{
	struct attrib *a;
	struct res *r = calloc(1, sizeof(*r));
	struct stall s;

	(void)state;
	attrib_new(&a);
	attrib_add_worker(a, 5);
	s = mkstall(5, 90, 40, STALL_THROTTLED);	/* ends at 130, inside op 2 */
	attrib_add_stall(a, &s);
	s = mkstall(5, 150, 100, STALL_THROTTLED);	/* ends at 250, in the gap after op 2 */
	attrib_add_stall(a, &s);
	struct attrib_op o1 = mkop(5, 0, 100, 1), o2 = mkop(5, 100, 100, 2);

	attrib_add_op(a, &o1);
	attrib_add_op(a, &o2);
	assert_int_equal(attrib_flush(a, UINT64_MAX, done, r), 2);
	assert_int_equal(r->op[0].stall_ns, 0);
	assert_int_equal(r->op[1].stall_ns, 30);	/* [100,130): clipped to its start */
	assert_int_equal(r->op[1].reclaim_rounds, 0);	/* a throttle is not a reclaim round */
	attrib_free(a);
	free(r);
}

static void test_unpaired_system_tids(void **state)
{
	struct attrib *a;
	struct res *r = calloc(1, sizeof(*r));
	struct stall s;

	(void)state;
	attrib_new(&a);
	attrib_add_worker(a, 1);
	attrib_add_worker(a, 2);
	assert_string_equal(attrib_scope(a, 1), "worker");
	assert_string_equal(attrib_scope(a, 99), "system");
	s = mkstall(99, 0, 1000, STALL_DIRECT);	/* kswapd-ish: not attributed */
	assert_int_equal(attrib_add_stall(a, &s), 0);
	/* tid 1: end without begin, start guessed at enable: time counts, no round */
	s = mkstall(1, 0, 40, STALL_MEMCG);
	s.unpaired = s.missing_begin = true;
	attrib_add_stall(a, &s);
	/* tid 2: begin left open at the end of the run */
	s = mkstall(2, 30, 500, STALL_MEMCG);
	s.unpaired = true;
	attrib_add_stall(a, &s);
	struct attrib_op o1 = mkop(1, 10, 100, 1), o2 = mkop(2, 10, 100, 2), bad = mkop(77, 0, 1, 0);

	assert_int_equal(attrib_add_op(a, &bad), -EINVAL);
	attrib_add_op(a, &o1);
	attrib_add_op(a, &o2);
	attrib_flush(a, UINT64_MAX, done, r);
	assert_int_equal(r->n, 2);
	for (size_t i = 0; i < 2; i++) {
		if (r->op[i].tid == 1) {
			assert_int_equal(r->op[i].stall_ns, 30);
			assert_int_equal(r->op[i].reclaim_rounds, 0);
		} else {
			assert_int_equal(r->op[i].stall_ns, 80);
			assert_int_equal(r->op[i].reclaim_rounds, 1);
		}
	}
	attrib_free(a);
	free(r);
}

/* Ops and stalls arriving in pieces, in either order, finalised only past the horizon. */
static void test_incremental(void **state)
{
	struct attrib *a;
	struct res *r = calloc(1, sizeof(*r));
	struct stall s;

	(void)state;
	attrib_new(&a);
	attrib_add_worker(a, 5);
	struct attrib_op o1 = mkop(5, 1000, 1000, 1), o2 = mkop(5, 2000, 1000, 2);

	attrib_add_op(a, &o1);	/* the worker finished it; capture has not caught up */
	assert_int_equal(attrib_flush(a, 1500, done, r), 0);
	s = mkstall(5, 1800, 400, STALL_MEMCG);	/* drained later; straddles o1/o2 */
	attrib_add_stall(a, &s);
	assert_int_equal(attrib_flush(a, 2100, done, r), 1);
	assert_int_equal(r->op[0].stall_ns, 200);
	/* a stall inside o2 that arrives before o2 itself, then an earlier one out of order */
	s = mkstall(5, 2600, 100, STALL_THROTTLED);
	attrib_add_stall(a, &s);
	s = mkstall(5, 2300, 100, STALL_DIRECT);
	attrib_add_stall(a, &s);
	attrib_add_op(a, &o2);
	assert_int_equal(attrib_flush(a, 5000, done, r), 1);
	assert_int_equal(r->op[1].stall_ns, 200 + 100 + 100);
	assert_int_equal(r->op[1].reclaim_rounds, 1);
	/* an op before what is final is a contract breach, not silently wrong */
	struct attrib_op old = mkop(5, 500, 10, 9);

	assert_int_equal(attrib_add_op(a, &old), -EINVAL);
	assert_int_equal(attrib_pending(a), 0);
	attrib_free(a);
	free(r);
}

static void count_only(void *arg, const struct attrib_op *op)
{
	(*(size_t *)arg)++;
	assert_true(op->stall_ns <= op->latency_ns);
}

/* A long run keeps memory to what is pending. */
static void test_bounded(void **state)
{
	struct attrib *a;
	size_t n = 0, maxpend = 0;

	(void)state;
	attrib_new(&a);
	for (uint32_t t = 1; t <= 4; t++)
		attrib_add_worker(a, t);
	for (uint64_t i = 0; i < 200000; i++) {
		uint32_t tid = (uint32_t)(i % 4) + 1;
		uint64_t t0 = (i / 4) * 1000;
		struct stall s = mkstall(tid, t0 + 100, 300, STALL_MEMCG);
		struct attrib_op o = mkop(tid, t0, 900, i);

		attrib_add_stall(a, &s);
		attrib_add_op(a, &o);
		if (i % 64 == 0) {
			attrib_flush(a, t0, count_only, &n);
			if (attrib_pending(a) > maxpend)
				maxpend = attrib_pending(a);
		}
	}
	attrib_flush(a, UINT64_MAX, count_only, &n);
	assert_int_equal(n, 200000);
	assert_true(maxpend < 1000);
	assert_int_equal(attrib_pending(a), 0);
	attrib_free(a);
}

/* Random stalls against a brute-force count over a small time line. */
static void test_random_vs_bruteforce(void **state)
{
	enum { T = 4000, TIDS = 3 };

	(void)state;
	srand(42);
	for (int iter = 0; iter < 50; iter++) {
		static unsigned char covered[TIDS + 1][T];
		static unsigned char begins[TIDS + 1][T];
		static unsigned char mark[T];
		struct attrib *a;
		struct res *r = calloc(1, sizeof(*r));

		memset(covered, 0, sizeof(covered));
		memset(begins, 0, sizeof(begins));
		attrib_new(&a);
		for (uint32_t t = 1; t <= TIDS; t++)
			attrib_add_worker(a, t);
		struct stall st[200];
		int nst = 0;

		for (int k = 0; k < 200; k++) {
			uint32_t tid = (uint32_t)(rand() % TIDS) + 1;
			uint64_t s = (uint64_t)(rand() % (T - 200)), d = (uint64_t)(rand() % 200);
			enum stall_kind kind = (enum stall_kind)(rand() % STALL_NR_KINDS);

			st[nst++] = mkstall(tid, s, d, kind);
			if (kind == STALL_THROTTLED)
				continue;	/* end-anchored: per op, below */
			for (uint64_t x = s; x < s + d; x++)
				covered[tid][x] = 1;
			if (kind <= STALL_MEMCG_SOFT)
				begins[tid][s]++;
		}
		/* feed in shuffled order */
		for (int k = nst - 1; k > 0; k--) {
			int j = rand() % (k + 1);
			struct stall tmp = st[k];

			st[k] = st[j];
			st[j] = tmp;
		}
		for (int k = 0; k < nst; k++)
			attrib_add_stall(a, &st[k]);
		for (uint32_t tid = 1; tid <= TIDS; tid++) {
			uint64_t t = 0;

			while (t < T - 1) {
				uint64_t lat = (uint64_t)(rand() % 300) + 1, gap = (uint64_t)(rand() % 50);

				if (t + gap + lat > T)
					break;
				struct attrib_op o = mkop(tid, t + gap, lat, (t + gap) * 10 + tid);

				attrib_add_op(a, &o);
				t += gap + lat;
			}
		}
		attrib_flush(a, UINT64_MAX, done, r);
		for (size_t i = 0; i < r->n; i++) {
			const struct attrib_op *o = &r->op[i];
			uint64_t want = 0, rounds = 0, os = o->t_start_ns, oe = os + o->latency_ns;

			/* a throttle counts only for the op holding its end */
			memset(mark, 0, sizeof(mark));
			for (int k = 0; k < nst; k++) {
				uint64_t se = st[k].t_start_ns + st[k].duration_ns;

				if (st[k].kind != STALL_THROTTLED || st[k].tid != o->tid ||
				    se <= os || se > oe)
					continue;
				for (uint64_t x = st[k].t_start_ns; x < se; x++)
					mark[x] = 1;
			}
			for (uint64_t x = os; x < oe; x++) {
				want += covered[o->tid][x] | mark[x];
				rounds += begins[o->tid][x];
			}
			assert_int_equal(o->stall_ns, want);
			assert_int_equal(o->reclaim_rounds, rounds);
		}
		attrib_free(a);
		free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_oncpu_samples),
		cmocka_unit_test(test_straddle_and_nested),
		cmocka_unit_test(test_unpaired_system_tids),
		cmocka_unit_test(test_throttle_anchored_at_end),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_random_vs_bruteforce),
	};

	/* cmocka returns its failure count; 4 of them would read as a ctest skip */
	return cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0;
}
