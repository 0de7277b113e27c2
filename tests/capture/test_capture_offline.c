/*
 * The capture's reader, merge and pairing without root: in-memory rings
 * (offline_cpus) fed with perf sample records whose raw part is built from
 * a kernel's format files. Covers a task migrating mid-reclaim, records that
 * wrap, lost records, unpaired begins/ends, throttled, points, hold-back of
 * records newer than the horizon, and call chains.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture.h"
#include "rawbuild.h"

#define MAXS 4096

struct got {
	struct stall s[MAXS];
	char stacks[MAXS][128];
	size_t ns;
	struct point p[MAXS];
	size_t np;
	uint64_t last_t;
	bool order_ok;
};

static void on_stall(void *arg, const struct stall *s)
{
	struct got *g = arg;

	if (s->t_start_ns < g->last_t && !s->missing_begin)
		g->order_ok = false;
	g->last_t = s->t_start_ns;
	if (g->ns < MAXS) {
		g->s[g->ns] = *s;
		snprintf(g->stacks[g->ns], sizeof(g->stacks[0]), "%s", s->stack ? s->stack : "");
		g->ns++;
	}
}

static void on_point(void *arg, const struct point *p)
{
	struct got *g = arg;

	if (p->t_ns < g->last_t)
		g->order_ok = false;
	g->last_t = p->t_ns;
	if (g->np < MAXS)
		g->p[g->np++] = *p;
}

struct fx {
	const char *kernel;
	struct capture *c;
	struct tpdecode *d;
	struct got *g;
	struct capture_sink sink;
	uint64_t base;
};

static void fx_open(struct fx *x, const char *kernel, unsigned int cpus, size_t pages,
		    const char *events, bool callchain)
{
	char root[512], err[256];
	struct capture_opts o = { 0 };

	snprintf(root, sizeof(root), "%s/tracefs/%s", FIXTURES, kernel);
	o.tracefs = root;
	o.offline_cpus = cpus;
	o.ring_pages = pages;
	o.events = events;
	o.callchain = callchain;
	o.nofail = true;
	x->kernel = kernel;
	assert_int_equal(capture_open(&o, &x->c, err, sizeof(err)), 0);
	assert_int_equal(tpd_open(root, &x->d, err, sizeof(err)), 0);
	x->g = calloc(1, sizeof(*x->g));
	x->g->order_ok = true;
	x->sink = (struct capture_sink){ .stall = on_stall, .point = on_point, .arg = x->g };
	assert_int_equal(capture_enable(x->c), 0);
	x->base = now_ns();
}

static void fx_close(struct fx *x)
{
	capture_close(x->c);
	tpd_close(x->d);
	free(x->g);
}

/* Puts sys:ev with fields on cpu's ring. */
static void put(struct fx *x, unsigned int cpu, uint32_t tid, uint64_t ts, const char *sys,
		const char *ev, const struct fv *fv, size_t nfv, const uint64_t *chain, uint64_t nchain)
{
	unsigned char raw[256];
	size_t len = raw_build(x->d, sys, ev, fv, nfv, raw, sizeof(raw));
	struct perf_event_mmap_page *pg;
	void *data;
	size_t size;

	assert_true(len > 0);
	pg = capture_test_ring(x->c, cpu, &data, &size);
	assert_non_null(pg);
	ring_put_sample(pg, data, size, tid, ts, cpu, chain, nchain, raw, (uint32_t)len);
}

static void memcg_begin(struct fx *x, unsigned int cpu, uint32_t tid, uint64_t ts)
{
	struct fv fv[] = { { "order", 0 }, { "gfp_flags", 0x140cca } };

	put(x, cpu, tid, ts, "vmscan", "mm_vmscan_memcg_reclaim_begin", fv, 2, NULL, 0);
}

static void memcg_end(struct fx *x, unsigned int cpu, uint32_t tid, uint64_t ts, int64_t nr)
{
	struct fv fv = { "nr_reclaimed", nr };

	put(x, cpu, tid, ts, "vmscan", "mm_vmscan_memcg_reclaim_end", &fv, 1, NULL, 0);
}

static const char *const kernels[] = {
	"6.1.0-56-amd64", "6.12.117+deb12-amd64", "6.18.44-fc-v782",
};

/*
 * Task 100 begins on cpu 1 and ends on cpu 0; ring 0 is read first. Without
 * the merge the end would be seen before its begin.
 */
static void test_migration(void **state)
{
	(void)state;
	for (size_t k = 0; k < 3; k++) {
		struct fx x;

		fx_open(&x, kernels[k], 2, 4, NULL, false);
		memcg_begin(&x, 1, 100, x.base + 1000);
		memcg_end(&x, 0, 100, x.base + 5000, 32);
		/* and a second one the other way round */
		memcg_begin(&x, 0, 100, x.base + 6000);
		memcg_end(&x, 1, 100, x.base + 9000, 16);
		assert_true(capture_drain(x.c, &x.sink, true) >= 4);
		assert_int_equal(x.g->ns, 2);
		for (size_t i = 0; i < 2; i++) {
			assert_false(x.g->s[i].unpaired);
			assert_int_equal(x.g->s[i].kind, STALL_MEMCG);
			assert_int_equal(x.g->s[i].tid, 100);
			assert_string_equal(x.g->s[i].gfp_names, "GFP_HIGHUSER_MOVABLE|__GFP_COMP");
			assert_int_equal(x.g->s[i].order, 0);
		}
		assert_int_equal(x.g->s[0].duration_ns, 4000);
		assert_int_equal(x.g->s[0].cpu, 1);
		assert_int_equal(x.g->s[0].nr_reclaimed, 32);
		assert_int_equal(x.g->s[1].duration_ns, 3000);
		assert_int_equal(x.g->s[1].nr_reclaimed, 16);
		assert_int_equal(capture_lost(x.c, NULL, 0), 0);
		fx_close(&x);
	}
}

/* Many stalls through a one-page ring over many drains: records wrap, none is lost. */
static void test_wrap_and_drains(void **state)
{
	struct fx x;
	uint64_t total = 0;

	(void)state;
	fx_open(&x, "6.18.44-fc-v782", 2, 1, "-vmscan:mm_vmscan_throttled", false);
	for (int round = 0; round < 200; round++) {
		uint64_t t = x.base + (uint64_t)round * 10000;

		memcg_begin(&x, (unsigned int)round & 1, 200, t);
		memcg_end(&x, (unsigned int)(round + 1) & 1, 200, t + 100 + (uint64_t)round, 1);
		/* records stamped before now - slack are released; sleep past the slack now and then */
		if (round % 50 == 49) {
			usleep(6000);
			long n = capture_drain(x.c, &x.sink, false);

			assert_true(n > 0);
			total += (uint64_t)n;
		}
	}
	total += (uint64_t)capture_drain(x.c, &x.sink, true);
	assert_int_equal(total, 400);
	assert_int_equal(x.g->ns, 200);
	for (int i = 0; i < 200; i++) {
		assert_false(x.g->s[i].unpaired);
		assert_int_equal(x.g->s[i].duration_ns, 100 + (uint64_t)i);
	}
	assert_true(x.g->order_ok);
	fx_close(&x);
}

static void test_unpaired(void **state)
{
	struct fx x;

	(void)state;
	fx_open(&x, "6.1.0-56-amd64", 2, 4, NULL, false);
	/* end whose begin came before enable */
	memcg_end(&x, 0, 300, x.base + 2000, 5);
	/* begin, then another begin of the same kind (the end was lost) */
	memcg_begin(&x, 0, 301, x.base + 3000);
	memcg_begin(&x, 1, 301, x.base + 4000);
	memcg_end(&x, 1, 301, x.base + 4500, 9);
	/* begin still open at the end */
	memcg_begin(&x, 1, 302, x.base + 5000);
	capture_drain(x.c, &x.sink, true);
	assert_int_equal(x.g->ns, 4);

	const struct stall *s = x.g->s;

	/* missing begin: starts at enable (a lower bound on its length), flagged */
	assert_true(s[0].unpaired && s[0].missing_begin);
	assert_int_equal(s[0].tid, 300);
	assert_true(s[0].t_start_ns <= x.base && s[0].t_start_ns + s[0].duration_ns == x.base + 2000);
	assert_true(s[1].unpaired && !s[1].missing_begin);
	assert_int_equal(s[1].duration_ns, 0);
	assert_false(s[2].unpaired);
	assert_int_equal(s[2].duration_ns, 500);
	assert_true(s[3].unpaired && !s[3].missing_begin);
	assert_int_equal(s[3].tid, 302);
	assert_true(s[3].duration_ns > 0);
	fx_close(&x);
}

static void test_throttled_points_lost(void **state)
{
	struct fx x;
	struct fv thr[] = { { "usec_delayed", 4000 }, { "reason", 1 << 2 } };
	struct fv retry[] = { { "no_progress_loops", 3 }, { "order", 0 } };
	struct fv victim[] = { { "pid", 4242 }, { "anon_rss", 1000 }, { "file_rss", 20 },
			       { "shmem_rss", 4 }, { "oom_score_adj", 1000 } };
	struct perf_event_mmap_page *pg;
	void *data;
	size_t size;
	uint64_t per[2];

	(void)state;
	fx_open(&x, "6.12.117+deb12-amd64", 2, 4, NULL, false);
	memcg_begin(&x, 0, 400, x.base + 1000);
	put(&x, 0, 400, x.base + 2000, "oom", "reclaim_retry_zone", retry, 2, NULL, 0);
	memcg_end(&x, 0, 400, x.base + 3000, 1);
	/* throttled fires after its sleep: this one began at +1500 */
	put(&x, 1, 401, x.base + 4001500, "vmscan", "mm_vmscan_throttled", thr, 2, NULL, 0);
	put(&x, 1, 402, x.base + 4002000, "oom", "mark_victim", victim, 5, NULL, 0);
	pg = capture_test_ring(x.c, 1, &data, &size);
	ring_put_lost(pg, data, size, 7);
	capture_drain(x.c, &x.sink, true);

	assert_int_equal(capture_lost(x.c, per, 2), 7);
	assert_int_equal(per[1], 7);
	assert_int_equal(x.g->ns, 2);
	assert_int_equal(x.g->s[0].kind, STALL_MEMCG);
	assert_int_equal(x.g->s[1].kind, STALL_THROTTLED);
	assert_int_equal(x.g->s[1].t_start_ns, x.base + 1500);
	assert_int_equal(x.g->s[1].duration_ns, 4000000);
	/* reason bit 2 is VMSCAN_THROTTLE_NOPROGRESS; a reclaim stall has none */
	assert_string_equal(x.g->s[1].reason, "noprogress");
	assert_null(x.g->s[0].reason);
	assert_int_equal(x.g->np, 2);
	assert_int_equal(x.g->p[0].kind, POINT_RECLAIM_RETRY);
	assert_int_equal(x.g->p[0].arg, 3);
	assert_string_equal(x.g->p[0].name, "oom:reclaim_retry_zone");
	assert_int_equal(x.g->p[1].kind, POINT_MARK_VICTIM);
	assert_int_equal(x.g->p[1].arg, 4242);
	/* who was picked: rss (kB, as the event reports it) and oom_score_adj by name */
	assert_non_null(x.g->p[1].victim);
	assert_int_equal(x.g->p[1].victim->rss_kb, 1024);
	assert_int_equal(x.g->p[1].victim->oom_score_adj, 1000);
	assert_null(x.g->p[0].victim);
	fx_close(&x);
}

/* A record stamped after the read is held back (left in its ring) until it is old enough or final. */
static void test_holdback_and_horizon(void **state)
{
	struct fx x;
	uint32_t me = (uint32_t)getpid();

	(void)state;
	fx_open(&x, "6.18.44-fc-v782", 2, 4, "-vmscan:mm_vmscan_throttled", false);
	memcg_begin(&x, 0, me, x.base + 1000);
	memcg_end(&x, 0, me, x.base + 2000, 1);
	memcg_begin(&x, 1, me, x.base + 3000);	/* open across drains */
	memcg_begin(&x, 0, 500, x.base + 2000000000ull);	/* 2 s in the future */
	usleep(6000);
	capture_drain(x.c, &x.sink, false);
	assert_int_equal(x.g->ns, 1);
	/* the open begin holds the horizon: ops ending after it cannot be final yet */
	assert_true(capture_horizon(x.c) <= x.base + 3000);
	assert_true(capture_horizon(x.c) > x.base + 1000);
	memcg_end(&x, 1, me, x.base + 4000, 1);
	usleep(6000);
	capture_drain(x.c, &x.sink, false);
	assert_int_equal(x.g->ns, 2);
	assert_true(capture_horizon(x.c) > x.base + 4000);
	capture_drain(x.c, &x.sink, true);
	assert_int_equal(x.g->ns, 3);
	assert_true(x.g->s[2].unpaired);
	assert_int_equal(x.g->s[2].tid, 500);
	fx_close(&x);
}

static void test_callchain_and_extra_event(void **state)
{
	struct fx x;
	const uint64_t chain[] = { (uint64_t)PERF_CONTEXT_KERNEL, 0x30, 0x20, 0x10 };
	struct fv fv[] = { { "order", 2 }, { "gfp_flags", 0x8cc0 } };
	struct fv nr = { "nr_reclaimed", 3 };
	struct fv nofail = { "gfp_flags", 0x8c40 }, plain = { "gfp_flags", 0xcc0 };

	(void)state;
	fx_open(&x, "6.18.44-fc-v782", 1, 4, "+kmem:mm_page_free,-oom:mark_victim", true);
	assert_non_null(strstr(capture_events(x.c), "kmem:mm_page_free"));
	/* asked for (opts.nofail), the NOFAIL counters are in the set */
	assert_non_null(strstr(capture_events(x.c), "kmem:mm_page_alloc"));
	assert_non_null(strstr(capture_events(x.c), "kmem:kmalloc"));
	assert_non_null(strstr(capture_events(x.c), "kmem:kmem_cache_alloc"));
	assert_null(strstr(capture_events(x.c), "mark_victim"));
	put(&x, 0, 600, x.base + 1000, "vmscan", "mm_vmscan_direct_reclaim_begin", fv, 2, chain, 4);
	put(&x, 0, 600, x.base + 1500, "kmem", "mm_page_free", NULL, 0, chain, 4);
	/* offline there is no kernel filter: the capture checks the bit itself */
	put(&x, 0, 600, x.base + 1600, "kmem", "kmalloc", &plain, 1, chain, 4);
	put(&x, 0, 600, x.base + 1700, "kmem", "kmem_cache_alloc", &nofail, 1, chain, 4);
	put(&x, 0, 600, x.base + 2000, "vmscan", "mm_vmscan_direct_reclaim_end", &nr, 1, chain, 4);
	capture_drain(x.c, &x.sink, true);
	assert_int_equal(x.g->ns, 1);
	assert_int_equal(x.g->s[0].kind, STALL_DIRECT);
	assert_int_equal(x.g->s[0].order, 2);
	assert_string_equal(x.g->s[0].gfp_names, "GFP_KERNEL|__GFP_NOFAIL");
	/* offline: no kallsyms, so addresses; root first */
	assert_string_equal(x.g->stacks[0], "0x10;0x20;0x30");
	assert_int_equal(x.g->np, 2);
	assert_int_equal(x.g->p[0].kind, POINT_OTHER);
	assert_string_equal(x.g->p[0].name, "kmem:mm_page_free");
	assert_int_equal(x.g->p[1].kind, POINT_NOFAIL);
	assert_string_equal(x.g->p[1].name, "kmem:kmem_cache_alloc");
	assert_int_equal(x.g->p[1].t_ns, x.base + 1700);
	assert_string_equal(x.g->p[1].stack, "0x10;0x20;0x30");
	fx_close(&x);
}

/* NOFAIL counting is asked for: without it no kmem event is opened. */
static void test_nofail_opt_in(void **state)
{
	char root[512], err[256];
	struct capture_opts o = { 0 };
	struct capture *c;

	(void)state;
	snprintf(root, sizeof(root), "%s/tracefs/%s", FIXTURES, "6.1.0-56-amd64");
	o.tracefs = root;
	o.offline_cpus = 1;
	o.ring_pages = 4;
	assert_int_equal(capture_open(&o, &c, err, sizeof(err)), 0);
	assert_null(strstr(capture_events(c), "kmem:"));
	assert_false(capture_counts_nofail(c));
	capture_close(c);
	o.nofail = true;
	assert_int_equal(capture_open(&o, &c, err, sizeof(err)), 0);
	assert_non_null(strstr(capture_events(c), "kmem:kmem_cache_alloc"));
	assert_true(capture_counts_nofail(c));
	capture_close(c);
}

static void test_bad_events(void **state)
{
	char root[512], err[256];
	struct capture_opts o = { 0 };
	struct capture *c;

	(void)state;
	snprintf(root, sizeof(root), "%s/tracefs/6.1.0-56-amd64", FIXTURES);
	o.tracefs = root;
	o.offline_cpus = 1;
	o.events = "+vmscan:nope";
	assert_int_equal(capture_open(&o, &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "vmscan:nope"));
	o.events = "+garbage";
	assert_int_equal(capture_open(&o, &c, err, sizeof(err)), -EINVAL);
	o.events = NULL;
	o.ring_pages = 3;
	assert_int_equal(capture_open(&o, &c, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migration),
		cmocka_unit_test(test_wrap_and_drains),
		cmocka_unit_test(test_unpaired),
		cmocka_unit_test(test_throttled_points_lost),
		cmocka_unit_test(test_holdback_and_horizon),
		cmocka_unit_test(test_callchain_and_extra_event),
		cmocka_unit_test(test_bad_events),
		cmocka_unit_test(test_nofail_opt_in),
	};

	/* cmocka returns its failure count; 4 of them would read as a ctest skip */
	return cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0;
}
