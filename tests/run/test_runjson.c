/*
 * Every JSON object the runner writes, built from a filled-in runner and
 * read back by the project's own readers: meta.json (groups, limits, --mm),
 * summary.json (ops, stall kinds, points, OOM victims, memcg and groups,
 * workers) and ops.csv/stalls.csv through resread, the live status (with
 * the op in flight) through watch's reader, and meta.json's write error.
 * json_pack's format strings are checked by no compiler: a key and a value
 * out of step crash (the test of that object fails on SIGSEGV), read past
 * what was passed (ASan, UBSan) or drop a key (a path below then has no value
 * of its type); two keys of one type swapped are caught by value: every
 * counter of the fixture has its own value (each its own delta between the
 * start and the end), and every key a format packs is checked against it.
 * The runner's result files (run_results.c, run_json.c) are compiled into
 * this test with the sanitizers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmknob.h"
#include "optraits.h"
#include "resread.h"
#include "resultio.h"
#include "run_impl.h"
#include "runstatus.h"
#include "watchrun.h"

/* A JSON type a reader expects at a path ("a.b.c"); NUMBER: integer or real. */
enum want { STR, INT, REAL, NUMBER, BOOL, OBJ, ARR, NUL };

struct expect {
	const char *path;
	enum want type;
};

static bool is(json_t *v, enum want t)
{
	switch (t) {
	case STR: return json_is_string(v);
	case INT: return json_is_integer(v);
	case REAL: return json_is_real(v);
	case NUMBER: return json_is_number(v);
	case BOOL: return json_is_boolean(v);
	case OBJ: return json_is_object(v);
	case ARR: return json_is_array(v);
	case NUL: return json_is_null(v);
	}
	return false;
}

static void check_types(const char *file, json_t *root, const struct expect *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = rr_json_get(root, e[i].path);

		static const char *const tn[] = { "string", "integer", "real", "number",
						  "boolean", "object", "array", "null" };

		if (!v || !is(v, e[i].type))
			fail_msg("%s: %s: %s, wanted %s", file, e[i].path,
				 v ? "another type" : "absent", tn[e[i].type]);
	}
}

/* A number or a string a reader expects at a path: the value, not only its type. */
struct num {
	const char *path;
	double v;
};

struct str {
	const char *path;
	const char *v;
};

static void check_nums(const char *file, json_t *root, const struct num *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = rr_json_get(root, e[i].path);

		if (!json_is_number(v))
			fail_msg("%s: %s: %s, wanted %.17g", file, e[i].path,
				 v ? "not a number" : "absent", e[i].v);
		if (fabs(json_number_value(v) - e[i].v) > 1e-9 * fabs(e[i].v))
			fail_msg("%s: %s is %.17g, wanted %.17g", file, e[i].path,
				 json_number_value(v), e[i].v);
	}
}

static void check_strs(const char *file, json_t *root, const struct str *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *v = rr_json_str(root, e[i].path);

		if (!v || strcmp(v, e[i].v))
			fail_msg("%s: %s is \"%s\", wanted \"%s\"", file, e[i].path,
				 v ? v : "(absent)", e[i].v);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* --- a run, filled in ----------------------------------------------------- */

struct fixture {
	char tmp[64], out[128], rundir[128];
	struct run_cfg c;
	struct runner *r;
	struct oom_victim victim;
	uint64_t ops_pushed;
};

static const struct workload *wl(const char *name)
{
	const struct workload *w = workload_find(name);

	assert_non_null(w);
	return w;
}

static void fill_cfg(struct fixture *f)
{
	struct run_cfg *c = &f->c;
	char msg[256];

	c->nr_wl = 2;
	c->wl[0] = (struct wl_inst){ .w = wl("truncate-storm"), .workers = 2, .cpu_node = -1,
				     .group = 0, .opts = json_pack("{s:s}", "file-size", "8M") };
	c->wl[1] = (struct wl_inst){ .w = wl("memhog"), .workers = 1, .cpu_node = -1,
				     .group = 1, .opts = json_pack("{s:s}", "mode", "anon") };
	c->cap = 256ull << 20;
	c->lim = (struct cg_limits){ .high = 200ull << 20, .swap_max_set = true };
	c->nr_groups = 2;
	snprintf(c->groups[0].name, sizeof(c->groups[0].name), "prot");
	c->groups[0].cap = 128ull << 20;
	c->groups[0].lim.low = 64ull << 20;
	snprintf(c->groups[1].name, sizeof(c->groups[1].name), "aggr");
	c->groups[1].lim.high = 100ull << 20;
	c->groups[1].lim.soft_limit = 90ull << 20;
	c->node = -1;
	c->duration_ns = 10000000000ull;
	c->grace_ns = 30000000000ull;
	c->tick_ns = 100000000ull;
	c->capture = true;
	c->cap_opts.events = "+oom:mark_victim";
	c->cap_opts.callchain = true;
	c->cap_opts.nofail = true;
	c->cap_opts.ring_pages = 64;
	c->global_pressure = 1ull << 30;
	c->compress = RF_PLAIN;
	c->compress_above = RF_AUTO_ABOVE;
	c->argv = json_pack("[s,s,s]", "run", "--workload", "truncate-storm");
	assert_int_equal(mm_parse(&c->mm, "swappiness=10", msg, sizeof(msg)), 0);
	snprintf(c->out, sizeof(c->out), "%s", f->out);
}

/* Three workers: truncate-storm's first crashed, memhog's done, truncate-storm's
 * second inside an op (the op in flight). */
static void fill_workers(struct runner *r)
{
	static const int status[3] = { SIGSEGV, 0, 0 };
	static const unsigned int wl[3] = { 0, 1, 0 }, idx[3] = { 0, 0, 1 };

	r->nw = 3;
	r->w = calloc(r->nw, sizeof(*r->w));
	assert_non_null(r->w);
	for (unsigned int i = 0; i < r->nw; i++) {
		struct worker *w = &r->w[i];

		w->pid = 4000 + (pid_t)i;
		w->wl = wl[i];
		w->idx = idx[i];
		w->ring_bytes = sizeof(struct opring) + 4 * sizeof(struct oprec);
		w->ring = calloc(1, w->ring_bytes);
		assert_non_null(w->ring);
		w->ring->mask = 3;
		w->ring->waits = 7 * i + 5;	/* not the index, not the pid */
		w->exited = i < 2;
		w->status = status[i];
	}
	atomic_store(&r->w[2].ring->inflight, 1);
	r->w[2].ring->cur = (struct oprec){ .t_start_ns = 5000, .wl = 0, .op = 1, .worker = 2,
					    .tid = 4002 };
}

/* Ops through results_op: rows in ops.csv and the aggregates. */
static void push_ops(struct fixture *f)
{
	struct runner *r = f->r;

	for (unsigned int i = 0; i < 20; i++) {
		struct oprec o = { .t_start_ns = 1000 + i, .latency_ns = 100000 + 1000 * i,
				   .bytes = 4096, .tid = 4000 + i % 2, .worker = i % 2,
				   .node = -1, .wl = 0, .op = 1 + i % 3, .landed_node = -1,
				   .err = i % 5 ? 0 : ENOMEM,
				   .flags = i == 3 ? OPF_KILLED | OPF_UNFINISHED : 0,
				   /* every other op measured where its time went */
				   .have_sched = i % 2 == 0, .cpu_ns = i % 2 ? 0 : 500 * i,
				   .runq_ns = i % 2 ? 0 : 100 * i,
				   /* NOFAIL: the counters' reading, the same as the records'
				    * (below); none in the unfinished op, which takes the
				    * records' (counters+records) */
				   .have_nofail = i != 3,
				   .nofail = i % 7 ? (RSRC_NOFAIL + 1) * (1 + i % 2) : 0 };
		struct attrib_op at = { .stall_ns = i * 10, .reclaim_rounds = i % 4 };

		/* each source its own count: k + 1 rounds, twice that in odd ops */
		for (unsigned int k = 0; k < RSRC_NR; k++)
			at.src[k] = (k + 1) * (1 + i % 2);
		results_op(r, &o, i % 7 ? &at : NULL);
		f->ops_pushed++;
	}
	{
		struct oprec o = { .t_start_ns = 3000, .latency_ns = 4000000, .tid = 4003, .wl = 1,
				   .op = 0, .node = -1, .landed_node = 0, .bytes = 4 << 20 };

		results_op(r, &o, NULL);
		f->ops_pushed++;
	}
}

/* Stalls of every shape (paired, unpaired, a throttle's reason, the
 * system's) and points (a NOFAIL allocation with its stack, a victim).
 * Direct reclaim: 4 paired (60 us in all, one of 0 ns), 2 unpaired, 7 pages
 * reclaimed, 3 with none: every counter of the kind its own value. */
static void push_events(struct fixture *f)
{
	static const struct { uint64_t ns; int64_t nr; bool unpaired; } D[] = {
		{ 20000, 0, false }, { 0, 0, false }, { 30000, 7, false }, { 10000, 0, false },
		{ 5000, -1, true }, { 6000, -1, true },
	};
	struct runner *r = f->r;
	struct stall s = { .t_start_ns = 1500, .duration_ns = 20000, .tid = 4000, .cpu = 1,
			   .kind = STALL_DIRECT, .nr_reclaimed = 0, .order = 0,
			   .stack = "shrink_node;try_to_free_pages" };
	struct point p = { .t_ns = 1600, .tid = 4001, .kind = POINT_NOFAIL, .arg = -1,
			   .stack = "ext4_evict_inode;kvmalloc" };

	snprintf(s.gfp_names, sizeof(s.gfp_names), "GFP_KERNEL|__GFP_NOFAIL");
	for (size_t i = 0; i < sizeof(D) / sizeof(D[0]); i++) {
		s.duration_ns = D[i].ns;
		s.nr_reclaimed = D[i].nr;
		s.unpaired = D[i].unpaired;
		results_stall(r, &s, true);
	}
	s.unpaired = false;
	s.nr_reclaimed = 0;
	s.duration_ns = 20000;
	s.kind = STALL_THROTTLED;
	s.reason = "writeback";
	s.duration_ns = 0;
	results_stall(r, &s, true);
	s.kind = STALL_MEMCG;
	s.reason = NULL;
	s.unpaired = true;
	results_stall(r, &s, true);
	s.unpaired = false;
	s.tid = 1;
	s.nr_reclaimed = 32;
	results_stall(r, &s, false);
	results_point(r, &p, true);
	/* two victims: another task of the machine, then a worker (the last) */
	p = (struct point){ .t_ns = 1650, .tid = 1, .kind = POINT_MARK_VICTIM, .arg = 999 };
	results_point(r, &p, false);
	f->victim = (struct oom_victim){ .rss_kb = 1024, .oom_score_adj = 1000 };
	snprintf(f->victim.comm, sizeof(f->victim.comm), "sb-truncate-st0");
	p = (struct point){ .t_ns = 1700, .tid = 4001, .kind = POINT_MARK_VICTIM, .arg = 4000,
			    .victim = &f->victim };
	results_point(r, &p, true);
}

/* Adds k to every counter of s (cg_stats is uint64_t only) but the unknown ones. */
static void grow(struct cg_stats *s, uint64_t k)
{
	uint64_t *v = (uint64_t *)s;

	for (size_t i = 0; i < sizeof(*s) / sizeof(*v); i++)
		if (v[i] != UINT64_MAX)
			v[i] += k;
}

/* The cgroups' counters at the start and the end, each grown by a delta of
 * its own (max 10, high 11, low 12, oom 13, oom_kill 3; pgsteal 100, the
 * refaults 101 and 102, THP fallbacks 103); the groups' by 1000 (prot) and
 * 2000 (aggr) more. pgscan unknown (-> null, -1 in prot), known in aggr. */
static void fill_counters(struct runner *r)
{
	struct cg_stats a = { .usage = 1, .high = 2, .max = 3, .oom = 4, .oom_kill = 5,
			      .low = 6, .pgscan = UINT64_MAX, .pgsteal = 10, .refault_anon = 20,
			      .refault_file = 30, .thp_fallback = 40, .swap = 50 };
	struct cg_stats b = { .usage = 200 << 20, .high = 2 + 11, .max = 3 + 10, .oom = 4 + 13,
			      .oom_kill = 5 + 3, .low = 6 + 12, .pgscan = UINT64_MAX,
			      .pgsteal = 10 + 100, .refault_anon = 20 + 101, .refault_file = 30 + 102,
			      .thp_fallback = 40 + 103, .swap = 7 << 20 };

	r->tl.first = a;
	r->tl.last = b;
	for (unsigned int g = 0; g < 2; g++) {
		r->tl.gfirst[g] = a;
		r->tl.glast[g] = b;
		grow(&r->tl.glast[g], 1000 * (g + 1));
	}
	r->tl.gfirst[1].pgscan = 60;
	r->tl.glast[1].pgscan = 60 + 104 + 2000;
	r->capf.events = "vmscan:mm_vmscan_direct_reclaim_begin,oom:mark_victim";
	r->capf.lost = 3;
	r->capf.ncpu = 2;
	r->capf.per_cpu[0] = 1;
	r->capf.per_cpu[1] = 2;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct runner *r;

	assert_non_null(f);
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/sb-runjson-XXXXXX");
	assert_non_null(mkdtemp(f->tmp));
	snprintf(f->out, sizeof(f->out), "%s/res", f->tmp);
	snprintf(f->rundir, sizeof(f->rundir), "%s/run", f->tmp);
	assert_int_equal(mkdir(f->out, 0755), 0);
	assert_int_equal(mkdir(f->rundir, 0755), 0);
	setenv("STALLBENCH_RUNDIR", f->rundir, 1);
	fill_cfg(f);
	r = f->r = calloc(1, sizeof(*f->r));
	assert_non_null(r);
	r->cfg = &f->c;
	r->status = "incomplete";
	r->go_fd = -1;
	r->t0 = 100;
	r->cg.version = 2;
	snprintf(r->cg.path, sizeof(r->cg.path), "/sys/fs/cgroup/stallbench-1-run");
	snprintf(r->cg.leaf, sizeof(r->cg.leaf), "/sys/fs/cgroup/user.slice/sb-driver-1");
	r->nofail = true;
	r->nofail_mode = "counters+records";
	r->stacks = json_object();
	r->nofail_stacks = json_object();
	r->victims = json_array();
	/* meta.json (incomplete), the live status, ops.csv, stalls.csv, timeline.csv */
	assert_int_equal(results_begin(r), 0);
	fill_workers(r);
	push_ops(f);
	push_events(f);
	fill_counters(r);
	r->t_go = 1000;
	r->t_end = 11000;
	r->oom_killed_workers = 1;
	r->status = "complete";
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	results_close(f->r, 0);	/* again after test_result_dir: a no-op */
	results_free(f->r);
	for (unsigned int i = 0; i < f->r->nw; i++)
		free(f->r->w[i].ring);
	free(f->r->w);
	free(f->r);
	for (unsigned int i = 0; i < f->c.nr_wl; i++)
		json_decref(f->c.wl[i].opts);
	json_decref(f->c.argv);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->tmp);
	if (system(cmd)) {
		/* a leftover in /tmp is no failure of the runner */
	}
	free(f);
	return 0;
}

/* --- the tests ------------------------------------------------------------ */

/* The live status as `stallbench watch` reads it: the op in flight, the victim, lost events. */
static void test_live(void **state)
{
	static const struct expect E[] = {
		{ "format_version", INT }, { "pid", INT }, { "dir", STR }, { "start_ns", INT },
		{ "go_ns", INT }, { "duration_ns", INT }, { "oom_victims", INT },
		{ "lost_events", INT }, { "last_victim", OBJ }, { "last_victim.who", STR },
		{ "last_victim.comm", STR }, { "last_victim.workload", STR },
		{ "inflight", OBJ }, { "inflight.op", STR }, { "inflight.start_ns", INT },
		{ "inflight.worker", INT },
	};
	struct fixture *f = *state;
	struct watchrun *w = calloc(1, sizeof(*w));
	const struct num V[] = {
		{ "format_version", RUNSTATUS_FORMAT }, { "pid", getpid() }, { "start_ns", 100 },
		{ "go_ns", 1000 }, { "duration_ns", 10e9 }, { "oom_victims", 2 },
		{ "lost_events", 42 }, { "inflight.start_ns", 5000 }, { "inflight.worker", 2 },
	};
	const struct str S[] = {
		{ "dir", f->out }, { "inflight.op", "truncate-storm/ftruncate" },
		{ "last_victim.who", "worker" }, { "last_victim.comm", "sb-truncate-st0" },
		{ "last_victim.workload", "truncate-storm" },
	};
	char path[256];
	json_t *s = runjson_live(f->r, f->out, 42), *back;

	assert_non_null(w);
	assert_non_null(s);
	assert_int_equal(runstatus_write(getpid(), s), 0);
	json_decref(s);
	snprintf(path, sizeof(path), "%s/%d.json", runstatus_dir(), (int)getpid());
	back = json_load_file(path, 0, NULL);
	assert_non_null(back);
	check_types("live status", back, E, sizeof(E) / sizeof(E[0]));
	check_nums("live status", back, V, N(V));
	check_strs("live status", back, S, N(S));
	json_decref(back);
	w->lost = -1;
	wr_take_status(w, path);
	assert_int_equal(w->lost, 42);
	assert_string_equal(w->inflight_op, "truncate-storm/ftruncate");
	assert_int_equal(w->inflight_start_ns, 5000);
	assert_string_equal(w->victim, "sb-truncate-st0 (truncate-storm)");
	/* nothing captured: lost is null, not 0 */
	s = runjson_live(f->r, f->out, -1);
	assert_true(json_is_null(json_object_get(s, "lost_events")));
	json_decref(s);
	free(w);
}

static const struct expect meta_expect[] = {
	{ "tool.version", STR }, { "tool.git", STR }, { "kernel.release", STR },
	{ "kernel.cmdline", STR }, { "host", OBJ }, { "topology", OBJ }, { "mm", OBJ },
	{ "mm_set.swappiness", STR }, { "params", OBJ }, { "params.workloads", ARR },
	{ "params.cap_bytes", INT }, { "params.node", INT }, { "params.duration_ns", INT },
	{ "params.grace_ns", INT }, { "params.tick_ns", INT }, { "params.capture", BOOL },
	{ "params.events", STR }, { "params.groups", ARR }, { "params.high_bytes", INT },
	{ "params.swap_max_bytes", INT }, { "params.callchain", BOOL },
	{ "params.count_nofail", BOOL }, { "params.nofail_mode", STR },
	{ "params.ring_pages", INT },
	{ "params.global_pressure_bytes", INT }, { "params.compress", STR },
	{ "params.compress_above_bytes", INT }, { "params.argv", ARR },
	{ "cgroup.version", INT }, { "cgroup.cap_bytes", INT }, { "cgroup.path", STR },
	{ "start_time", STR }, { "start_ns", INT }, { "end_ns", INT }, { "go_ns", INT },
	{ "status", STR }, { "format_version", INT }, { "pid", INT },
};

#define OP "ops.truncate-storm/ftruncate."
static const struct expect summary_expect[] = {
	{ "status", STR }, { "format_version", INT }, { "ops", OBJ },
	{ OP "count", INT }, { OP "errors.ENOMEM", INT }, { OP "flags.killed", INT },
	{ OP "flags.unfinished", INT }, { OP "flags.sigpending", INT },
	{ OP "latency_ns.count", INT }, { OP "latency_ns.p99", NUMBER },
	{ OP "latency_ns.p999", NUMBER }, { OP "latency_ns.stddev", NUMBER },
	{ OP "stall_ns.stalled_share", REAL }, { OP "stall_ns.total", NUMBER },
	{ OP "reclaim_rounds.max", NUMBER }, { OP "rounds_by_source.rounds_direct", INT },
	{ OP "rounds_by_source.rounds_throttle", INT },
	{ OP "rounds_by_source.nofail_allocs", INT }, { OP "nofail_allocs.total", INT },
	{ OP "nofail_allocs.per_call", REAL }, { OP "nofail_allocs.ops_with", INT },
	{ OP "time_split.ops", INT }, { OP "time_split.cpu_ns", INT },
	{ OP "time_split.runq_ns", INT }, { OP "time_split.sleep_ns", INT },
	{ OP "time_split.sleep_ns_dist.p50", NUMBER }, { OP "time_split.sleep_ns_dist.count", INT },
	{ "ops.memhog/fill.count", INT },
	{ "stalls.run.direct.count", INT }, { "stalls.run.direct.total_ns", REAL },
	{ "stalls.run.direct.duration_ns.p99", NUMBER }, { "stalls.run.direct.nr_reclaimed", INT },
	{ "stalls.run.direct.no_progress", INT }, { "stalls.run.direct.zero_ns", INT },
	{ "stalls.run.direct.unpaired", INT }, { "stalls.run.throttled.reasons.writeback", INT },
	{ "stalls.run.memcg.unpaired", INT }, { "stalls.run.points.nofail", INT },
	{ "stalls.run.points.mark_victim", INT }, { "stalls.system.memcg.count", INT },
	{ "stalls.system.points", OBJ },
	{ "lost_events", INT }, { "lost_per_cpu", ARR }, { "capture.enabled", BOOL },
	{ "capture.events", STR }, { "oom_kills", INT }, { "oom_victims", ARR },
	{ "oom_victims_total", INT },
	{ "memcg.max_events", INT }, { "memcg.high_events", INT }, { "memcg.low_events", INT },
	{ "memcg.oom_events", INT }, { "memcg.oom_kill", INT }, { "memcg.usage_end", INT },
	{ "memcg.pgscan", NUL }, { "memcg.pgsteal", INT },
	{ "memcg.workingset_refault_anon", INT }, { "memcg.workingset_refault_file", INT },
	{ "memcg.thp_fault_fallback", INT },
	{ "groups.prot.usage_end", INT }, { "groups.prot.max_events", INT },
	{ "groups.prot.high_events", INT }, { "groups.prot.low_events", INT },
	{ "groups.prot.oom_kill", INT }, { "groups.prot.pgscan", INT },
	{ "groups.prot.pgsteal", INT }, { "groups.prot.workingset_refault_anon", INT },
	{ "groups.prot.workingset_refault_file", INT },
	{ "groups.prot.thp_fault_fallback", INT }, { "groups.aggr.swap_end", INT },
	{ "workers", ARR }, { "ops_rows", INT }, { "size_mismatches", INT },
	{ "unpaired_stalls", INT }, { "killed_by_watchdog", INT }, { "duration_ns", INT },
};

/*
 * Every value a json_pack of run_json.c packs, from the fixture: no two keys
 * of one object (of one type) share a value, so swapping two keys in a format
 * reads wrong here. ftruncate is i = 0, 3, ..., 18 of push_ops: finished all
 * but i = 3 (latency 100000 + 1000 i), attributed all but i = 0 (stall 10 i,
 * rounds i % 4, source k: k + 1, twice in odd ops).
 */
static void check_values(struct rr_dir *d)
{
	const struct num meta[] = {
		{ "params.cap_bytes", 256 << 20 }, { "params.node", -1 },
		{ "params.duration_ns", 10e9 }, { "params.grace_ns", 30e9 },
		{ "params.tick_ns", 1e8 }, { "params.high_bytes", 200 << 20 },
		{ "params.swap_max_bytes", 0 }, { "params.ring_pages", 64 },
		{ "params.global_pressure_bytes", 1 << 30 },
		{ "params.compress_above_bytes", RF_AUTO_ABOVE },
		{ "cgroup.version", 2 }, { "cgroup.cap_bytes", 256 << 20 },
		{ "start_ns", 100 }, { "end_ns", 11000 }, { "go_ns", 1000 },
		{ "format_version", RESULT_FORMAT_VERSION }, { "pid", getpid() },
	};
	static const struct str meta_s[] = {
		{ "tool.version", STALLBENCH_VERSION }, { "tool.git", STALLBENCH_GIT },
		{ "cgroup.path", "/sys/fs/cgroup/stallbench-1-run" },
		{ "cgroup.driver_leaf.path", "/sys/fs/cgroup/user.slice/sb-driver-1" },
		{ "params.events", "+oom:mark_victim" }, { "params.compress", "none" },
		{ "mm_set.swappiness", "10" }, { "status", "complete" },
	};
	static const struct num wl0[] = { { "workers", 2 } }, wl1[] = { { "workers", 1 } };
	static const struct str wl0_s[] = { { "name", "truncate-storm" },
					    { "options.file-size", "8M" } },
				wl1_s[] = { { "name", "memhog" }, { "options.mode", "anon" } };
	static const struct num g0[] = { { "cap_bytes", 128 << 20 }, { "low_bytes", 64 << 20 } },
				g1[] = { { "cap_bytes", 0 }, { "high_bytes", 100 << 20 },
					 { "soft_limit_bytes", 90 << 20 } };
	static const struct num sum[] = {
		{ OP "count", 7 }, { OP "errors.ENOMEM", 2 }, { OP "flags.killed", 1 },
		{ OP "flags.unfinished", 1 }, { OP "flags.sigpending", 0 },
		{ OP "latency_ns.count", 6 }, { OP "latency_ns.min", 100000 },
		{ OP "latency_ns.max", 118000 }, { OP "latency_ns.total", 660000 },
		{ OP "latency_ns.mean", 110000 },
		{ OP "stall_ns.count", 7 }, { OP "stall_ns.max", 180 }, { OP "stall_ns.total", 630 },
		{ OP "stall_ns.stalled_share", 6.0 / 7 },
		{ OP "reclaim_rounds.count", 7 }, { OP "reclaim_rounds.max", 3 },
		{ OP "reclaim_rounds.total", 11 },
		{ OP "rounds_by_source.rounds_direct", 9 }, { OP "rounds_by_source.rounds_memcg", 18 },
		{ OP "rounds_by_source.rounds_reclaim_retry", 27 },
		{ OP "rounds_by_source.rounds_compact_retry", 36 },
		{ OP "rounds_by_source.rounds_compaction", 45 },
		{ OP "rounds_by_source.rounds_throttle", 54 },
		{ OP "rounds_by_source.nofail_allocs", 63 },
		{ OP "nofail_allocs.total", 63 }, { OP "nofail_allocs.per_call", 9 },
		{ OP "nofail_allocs.ops_with", 6 },
		/* measured: the even ones (0, 6, 12, 18) */
		{ OP "time_split.ops", 4 }, { OP "time_split.cpu_ns", 18000 },
		{ OP "time_split.runq_ns", 3600 },
		{ OP "time_split.sleep_ns", 4 * 100000 + 36000 - 18000 - 3600 },
		{ OP "time_split.sleep_ns_dist.count", 4 },
		{ "ops.memhog/fill.count", 1 },
		{ "stalls.run.direct.count", 4 }, { "stalls.run.direct.total_ns", 60000 },
		{ "stalls.run.direct.unpaired", 2 }, { "stalls.run.direct.nr_reclaimed", 7 },
		{ "stalls.run.direct.no_progress", 3 }, { "stalls.run.direct.zero_ns", 1 },
		{ "stalls.run.direct.duration_ns.max", 30000 },
		{ "stalls.run.throttled.reasons.writeback", 1 }, { "stalls.run.memcg.unpaired", 1 },
		{ "stalls.run.points.nofail", 1 }, { "stalls.run.points.mark_victim", 1 },
		{ "stalls.system.memcg.count", 1 }, { "stalls.system.memcg.nr_reclaimed", 32 },
		{ "stalls.system.points.mark_victim", 1 },
		{ "lost_events", 3 }, { "oom_kills", 3 }, { "oom_victims_total", 2 },
		{ "memcg.max_events", 10 }, { "memcg.high_events", 11 }, { "memcg.low_events", 12 },
		{ "memcg.oom_events", 13 }, { "memcg.oom_kill", 3 }, { "memcg.usage_end", 200 << 20 },
		{ "memcg.pgsteal", 100 }, { "memcg.workingset_refault_anon", 101 },
		{ "memcg.workingset_refault_file", 102 }, { "memcg.thp_fault_fallback", 103 },
		{ "groups.prot.usage_end", (200 << 20) + 1000 }, { "groups.prot.max_events", 1010 },
		{ "groups.prot.high_events", 1011 }, { "groups.prot.low_events", 1012 },
		{ "groups.prot.oom_kill", 1003 }, { "groups.prot.pgscan", -1 },
		{ "groups.prot.pgsteal", 1100 }, { "groups.prot.workingset_refault_anon", 1101 },
		{ "groups.prot.workingset_refault_file", 1102 },
		{ "groups.prot.thp_fault_fallback", 1103 },
		{ "groups.prot.swap_end", (7 << 20) + 1000 },
		{ "groups.aggr.usage_end", (200 << 20) + 2000 }, { "groups.aggr.max_events", 2010 },
		{ "groups.aggr.high_events", 2011 }, { "groups.aggr.low_events", 2012 },
		{ "groups.aggr.oom_kill", 2003 }, { "groups.aggr.pgscan", 2104 },
		{ "groups.aggr.pgsteal", 2100 }, { "groups.aggr.workingset_refault_anon", 2101 },
		{ "groups.aggr.workingset_refault_file", 2102 },
		{ "groups.aggr.thp_fault_fallback", 2103 },
		{ "groups.aggr.swap_end", (7 << 20) + 2000 },
		{ "ops_rows", 21 }, { "unpaired_stalls", 3 }, { "duration_ns", 10000 },
		/* counted and attributed: i % 7 != 0 but i 3, 8 odd (14) and 8 even (7);
		 * uncounted: i 3 and memhog's */
		{ "nofail_counting.lost", 0 }, { "nofail_counting.ops_uncounted", 2 },
		{ "nofail_counting.records_check.ops", 16 },
		{ "nofail_counting.records_check.counters", 8 * 14 + 8 * 7 },
		{ "nofail_counting.records_check.records", 8 * 14 + 8 * 7 },
	};
	static const struct str sum_s[] = {
		{ "capture.events", "vmscan:mm_vmscan_direct_reclaim_begin,oom:mark_victim" },
		{ "nofail_counting.mode", "counters+records" },
	};
	/* the workers: pid, index, ring_waits (7 i + 5); and their workload */
	static const struct num wk[3][3] = {
		{ { "pid", 4000 }, { "index", 0 }, { "ring_waits", 5 } },
		{ { "pid", 4001 }, { "index", 0 }, { "ring_waits", 12 } },
		{ { "pid", 4002 }, { "index", 1 }, { "ring_waits", 19 } },
	};
	static const char *const wk_wl[3] = { "truncate-storm", "memhog", "truncate-storm" };
	json_t *a;

	check_nums("meta.json", d->meta, meta, N(meta));
	check_strs("meta.json", d->meta, meta_s, N(meta_s));
	a = rr_json_get(d->meta, "params.workloads");
	assert_int_equal(json_array_size(a), 2);
	check_nums("meta.json workloads[0]", json_array_get(a, 0), wl0, N(wl0));
	check_strs("meta.json workloads[0]", json_array_get(a, 0), wl0_s, N(wl0_s));
	check_nums("meta.json workloads[1]", json_array_get(a, 1), wl1, N(wl1));
	check_strs("meta.json workloads[1]", json_array_get(a, 1), wl1_s, N(wl1_s));
	a = rr_json_get(d->meta, "params.groups");
	check_nums("meta.json groups[0]", json_array_get(a, 0), g0, N(g0));
	check_nums("meta.json groups[1]", json_array_get(a, 1), g1, N(g1));
	check_nums("summary.json", d->summary, sum, N(sum));
	check_strs("summary.json", d->summary, sum_s, N(sum_s));
	a = rr_json_get(d->summary, "lost_per_cpu");
	assert_int_equal(json_array_size(a), 2);
	assert_int_equal(json_integer_value(json_array_get(a, 0)), 1);
	assert_int_equal(json_integer_value(json_array_get(a, 1)), 2);
	a = rr_json_get(d->summary, "workers");
	assert_int_equal(json_array_size(a), 3);
	for (size_t i = 0; i < 3; i++) {
		check_nums("summary.json workers", json_array_get(a, i), wk[i], N(wk[i]));
		assert_string_equal(rr_json_str(json_array_get(a, i), "workload"), wk_wl[i]);
	}
}

static int count_op(void *arg, const struct rr_op *op)
{
	uint64_t *n = arg;

	n[0]++;
	n[1] += !strcmp(op->err, "ENOMEM");
	n[2] += op->have_src[RSRC_NOFAIL];
	return 0;
}

static int count_stall(void *arg, const struct rr_stall *s)
{
	uint64_t *n = arg;

	n[0]++;
	n[1] += s->kind == RR_STALL_OTHER;	/* a kind the reader does not know */
	n[2] += !strcmp(s->reason, "writeback");
	return 0;
}

/* The end of a run: files closed, summary.json and the final meta.json,
 * read back by rr_open as report, compare and plot read them. */
static void test_result_dir(void **state)
{
	struct fixture *f = *state;
	struct runner *r = f->r;
	struct rr_dir d;
	struct rr_csv_stats st;
	uint64_t ops[3] = { 0 }, stalls[3] = { 0 };
	char msg[512];
	json_t *g, *wk, *v;

	assert_int_equal(results_close(r, 0), 0);
	assert_int_equal(results_finish(r, 0), 0);
	if (rr_open(f->out, 0, &d, msg, sizeof(msg)))
		fail_msg("rr_open: %s", msg);
	check_types("meta.json", d.meta, meta_expect, sizeof(meta_expect) / sizeof(meta_expect[0]));
	check_types("summary.json", d.summary, summary_expect,
		    sizeof(summary_expect) / sizeof(summary_expect[0]));
	check_values(&d);
	/* the groups: names, limits as set (absent when not), who is in which */
	g = rr_json_get(d.meta, "params.groups");
	assert_int_equal(json_array_size(g), 2);
	assert_string_equal(rr_json_str(json_array_get(g, 0), "name"), "prot");
	assert_true(json_is_integer(rr_json_get(json_array_get(g, 0), "low_bytes")));
	assert_null(rr_json_get(json_array_get(g, 0), "high_bytes"));
	assert_true(json_is_integer(rr_json_get(json_array_get(g, 1), "soft_limit_bytes")));
	assert_string_equal(json_string_value(json_array_get(
		rr_json_get(json_array_get(g, 1), "workloads"), 0)), "memhog");
	assert_null(rr_json_get(d.meta, "params.low_bytes"));
	assert_null(rr_json_get(d.meta, "error"));
	/* the counts are the ops pushed, and the workers' ends as they ended */
	assert_int_equal(json_integer_value(rr_json_get(d.summary, "ops_rows")), f->ops_pushed);
	assert_int_equal(json_integer_value(rr_json_get(d.summary, "oom_kills")), 3);
	assert_int_equal(json_integer_value(rr_json_get(d.summary, OP "count")), 7);
	/* ftruncate is i = 0, 3, ..., 18; measured: the even ones (0, 6, 12, 18) */
	assert_int_equal(json_integer_value(rr_json_get(d.summary, OP "time_split.ops")), 4);
	assert_int_equal(json_integer_value(rr_json_get(d.summary, OP "time_split.cpu_ns")), 18000);
	assert_int_equal(json_integer_value(rr_json_get(d.summary, OP "time_split.runq_ns")), 3600);
	assert_int_equal(json_integer_value(rr_json_get(d.summary, OP "time_split.sleep_ns")),
			 4 * 100000 + 36000 - 18000 - 3600);
	/* not measured is not none: absent where no op had schedstat */
	assert_null(rr_json_get(d.summary, "ops.memhog/fill.time_split"));
	assert_int_equal(json_integer_value(rr_json_get(d.summary, "duration_ns")), 10000);
	wk = rr_json_get(d.summary, "workers");
	assert_int_equal(json_array_size(wk), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(wk, 0), "signal")), SIGSEGV);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(wk, 1), "exit")), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(wk, 2), "end")),
			    "still running");
	v = json_array_get(rr_json_get(d.summary, "oom_victims"), 0);
	assert_string_equal(rr_json_str(v, "who"), "other");
	v = json_array_get(rr_json_get(d.summary, "oom_victims"), 1);
	assert_string_equal(rr_json_str(v, "who"), "worker");
	assert_int_equal(json_integer_value(json_object_get(v, "t_ns")), 1600);
	assert_int_equal(json_integer_value(json_object_get(v, "pid")), 4000);
	assert_string_equal(rr_json_str(v, "workload"), "truncate-storm");
	/* the rows, through the reader: every op, every stall of a known kind */
	assert_int_equal(rr_read_ops(&d, count_op, ops, &st, msg, sizeof(msg)), 0);
	assert_int_equal(ops[0], f->ops_pushed);
	assert_int_equal(ops[1], 4);
	/* NOFAIL known in all but memhog's op: no counter reading, no records */
	assert_int_equal(ops[2], f->ops_pushed - 1);
	assert_int_equal(rr_read_stalls(&d, count_stall, stalls, &st, msg, sizeof(msg)), 0);
	assert_int_equal(stalls[0], 9);
	assert_int_equal(stalls[1], 0);
	assert_int_equal(stalls[2], 1);
	rr_close(&d);
}

/* A full disk: meta.json's "error" names the file, the errno and what is left. */
static void test_io_error(void **state)
{
	static const struct expect E[] = {
		{ "file", STR }, { "op", STR }, { "errno", STR }, { "message", STR },
		{ "ops_rows_before", INT }, { "rows", STR },
	};
	struct fixture *f = *state;
	json_t *e;

	f->r->io.err = -ENOSPC;
	f->r->io.rows = 12;
	snprintf(f->r->io.file, sizeof(f->r->io.file), "ops.csv");
	e = runjson_io_error(f->r);
	assert_non_null(e);
	check_types("meta.json error", e, E, sizeof(E) / sizeof(E[0]));
	assert_string_equal(rr_json_str(e, "file"), "ops.csv");
	assert_string_equal(rr_json_str(e, "errno"), "ENOSPC");
	assert_string_equal(rr_json_str(e, "op"), "write");
	assert_string_equal(rr_json_str(e, "message"), strerror(ENOSPC));
	assert_non_null(strstr(rr_json_str(e, "rows"), "--allow-incomplete"));
	assert_int_equal(json_integer_value(json_object_get(e, "ops_rows_before")), 12);
	json_decref(e);
	f->r->io.err = 0;
}

/* Without the capture: null lost events, the reason, no victims (not seen is not none). */
static void test_not_captured(void **state)
{
	struct fixture *f = *state;
	json_t *s;

	f->r->capf.events = NULL;
	snprintf(f->r->cap_err, sizeof(f->r->cap_err), "disabled with --no-capture");
	json_decref(f->r->victims);
	f->r->victims = NULL;
	f->r->nofail = false;
	s = runjson_summary(f->r);
	assert_true(json_is_null(json_object_get(s, "lost_events")));
	assert_true(json_is_null(json_object_get(s, "oom_victims")));
	assert_string_equal(rr_json_str(s, "capture.reason"), "disabled with --no-capture");
	assert_true(json_is_null(rr_json_get(s, OP "nofail_allocs")));
	assert_true(json_is_null(rr_json_get(s, OP "rounds_by_source.nofail_allocs")));
	json_decref(s);
}

/*
 * An op's traits are its workload's declaration, written into meta.json and
 * read back by the readers (rr_op_traits); a result from before they were
 * written reads through the old table, by name.
 */
static void test_op_traits(void **state)
{
	struct run_cfg *c = calloc(1, sizeof(*c));
	json_t *meta, *wls;

	(void)state;
	assert_non_null(c);
	c->nr_wl = 3;
	c->wl[0] = (struct wl_inst){ .w = wl("thp"), .workers = 1, .opts = json_object() };
	c->wl[1] = (struct wl_inst){ .w = wl("vmalloc-nofail"), .workers = 1, .opts = json_object() };
	c->wl[2] = (struct wl_inst){ .w = wl("truncate-storm"), .workers = 1, .opts = json_object() };
	wls = runjson_workloads(c);
	meta = json_pack("{s:{s:o}}", "params", "workloads", wls);
	assert_int_equal(rr_op_traits(meta, "thp/fault"), RR_OPT_HUGE);
	assert_int_equal(rr_op_traits(meta, "thp/fragment"), 0);
	assert_int_equal(rr_op_traits(meta, "vmalloc-nofail/alloc"), RR_OPT_NOFAIL);
	assert_int_equal(rr_op_traits(meta, "truncate-storm/truncate"), 0);
	assert_true(json_is_object(json_object_get(json_array_get(wls, 2), "op_traits")));
	/* declared, not named: a thp whose meta says none has none */
	json_object_clear(json_object_get(json_array_get(wls, 0), "op_traits"));
	assert_int_equal(rr_op_traits(meta, "thp/fault"), 0);
	/* a result without op_traits: the ops that had them then */
	for (int i = 0; i < 3; i++)
		json_object_del(json_array_get(wls, (size_t)i), "op_traits");
	assert_int_equal(rr_op_traits(meta, "thp/fault"), RR_OPT_HUGE);
	assert_int_equal(rr_op_traits(meta, "vmalloc-nofail/alloc"), RR_OPT_NOFAIL);
	assert_int_equal(rr_op_traits(meta, "truncate-storm/punch"), 0);
	json_decref(meta);
	for (int i = 0; i < 3; i++)
		json_decref(c->wl[i].opts);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_result_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_captured, setup, teardown),
		cmocka_unit_test(test_op_traits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
