/*
 * The JSON a run writes, built from the runner's state and nothing else (no
 * file, no kernel but the machine facts meta.json records): meta.json (the
 * experiment: tool, machine, every parameter), summary.json (per op and per
 * stall kind, lost events, OOM kills, the memcg's counters, the workers'
 * ends) and the live status `stallbench watch` reads. json_pack's formats
 * are not checked by the compiler: tests/run builds each object from a
 * filled-in runner and reads it back with the result reader.
 */
#include "run_impl.h"
#include "mmknob.h"
#include "resultio.h"
#include "rows.h"
#include "optraits.h"
#include "runstatus.h"
#include "sysinfo.h"
#include "topo.h"
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* --- meta.json ---------------------------------------------------------- */

/* The memcg limits that are set, as <name>_bytes: absent when not set, so a
 * run without them stays the same experiment as one from before they existed. */
static void put_limits(json_t *o, const struct cg_limits *l)
{
	const struct { const char *k; uint64_t v; bool set; } L[] = {
		{ "high_bytes", l->high, l->high != 0 }, { "low_bytes", l->low, l->low != 0 },
		{ "min_bytes", l->min, l->min != 0 },
		{ "swap_max_bytes", l->swap_max, l->swap_max_set },
		{ "soft_limit_bytes", l->soft_limit, l->soft_limit != 0 },
	};

	for (size_t i = 0; i < sizeof(L) / sizeof(L[0]); i++)
		if (L[i].set)
			json_object_set_new(o, L[i].k, json_integer((json_int_t)L[i].v));
}

json_t *runjson_workloads(const struct run_cfg *c)
{
	json_t *wls = json_array();

	for (unsigned int i = 0; i < c->nr_wl; i++) {
		const struct workload *w = c->wl[i].w;
		json_t *tr = json_object();

		for (size_t k = 0; k < w->nr_op_traits; k++)
			if (w->op_traits[k])
				json_object_set_new(tr, w->op_names[k], optraits_json(w->op_traits[k]));
		json_array_append_new(wls, json_pack("{s:s,s:I,s:O,s:o}", "name", w->name,
			"workers", (json_int_t)c->wl[i].workers, "options", c->wl[i].opts,
			"op_traits", tr));
	}
	return wls;
}

/* The groups are the experiment: names, limits, who is in which. */
static json_t *meta_groups(const struct run_cfg *c)
{
	json_t *ga = json_array();

	for (unsigned int g = 0; g < c->nr_groups; g++) {
		const struct run_group *G = &c->groups[g];
		json_t *o = json_pack("{s:s,s:I}", "name", G->name, "cap_bytes", (json_int_t)G->cap);
		json_t *who = json_array();

		put_limits(o, &G->lim);
		for (unsigned int i = 0; i < c->nr_wl; i++)
			if (c->wl[i].group == (int)g)
				json_array_append_new(who, json_string(c->wl[i].w->name));
		json_object_set_new(o, "workloads", who);
		json_array_append_new(ga, o);
	}
	return ga;
}

static json_t *meta_params(const struct run_cfg *c)
{
	json_t *params = json_pack("{s:o,s:I,s:I,s:I,s:I,s:I,s:b}", "workloads", runjson_workloads(c),
			   "cap_bytes", (json_int_t)c->cap, "node", (json_int_t)c->node,
			   "duration_ns", (json_int_t)c->duration_ns,
			   "grace_ns", (json_int_t)c->grace_ns, "tick_ns", (json_int_t)c->tick_ns,
			   "capture", c->capture);

	if (c->cap_opts.events)
		json_object_set_new(params, "events", json_string(c->cap_opts.events));
	if (c->nr_groups)
		json_object_set_new(params, "groups", meta_groups(c));
	/* only when set: runs without them stay the same experiment as before */
	put_limits(params, &c->lim);
	json_object_set_new(params, "callchain", json_boolean(c->cap_opts.callchain));
	json_object_set_new(params, "count_nofail", json_boolean(c->cap_opts.nofail));
	/* how (capture_nofail_mode()): per-thread counters, and records only for stacks */
	json_object_set_new(params, "nofail_mode", !c->capture || !c->cap_opts.nofail ? json_null() :
			    json_string(c->cap_opts.callchain ? "counters+records" : "counters"));
	json_object_set_new(params, "offcpu", json_boolean(c->capture && c->cap_opts.offcpu));
	json_object_set_new(params, "ring_pages", json_integer((json_int_t)c->cap_opts.ring_pages));
	json_object_set_new(params, "global_pressure_bytes", json_integer((json_int_t)c->global_pressure));
	json_object_set_new(params, "compress", json_string(c->compress == RF_ZSTD ? "zstd" :
							     c->compress == RF_AUTO ? "auto" : "none"));
	json_object_set_new(params, "compress_above_bytes", json_integer((json_int_t)c->compress_above));
	if (c->argv)
		json_object_set(params, "argv", c->argv);
	return params;
}

/* meta.json as written at the start: status incomplete, no end yet. */
json_t *runjson_meta(const struct runner *r)
{
	const struct run_cfg *c = r->cfg;
	json_t *m = json_object();
	char iso[64];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(m, "tool", json_pack("{s:s,s:s}", "version", STALLBENCH_VERSION,
						  "git", STALLBENCH_GIT));
	json_object_set_new(m, "kernel", sysinfo_kernel());
	json_object_set_new(m, "host", sysinfo_host());
	json_object_set_new(m, "topology", topo_json());
	json_object_set_new(m, "mm", sysinfo_mm());	/* in force: after --mm took */
	json_object_set_new(m, "mm_set", mm_json(&c->mm));
	json_object_set_new(m, "params", meta_params(c));
	json_object_set_new(m, "cgroup", json_pack("{s:i,s:I,s:s}", "version", r->cg.version,
		"cap_bytes", (json_int_t)c->cap, "path", r->cg.path));
	/* in a delegated v2 subtree, the leaf the driver moved itself into:
	 * a group of the run's too (removed at the end, reaped after a kill) */
	if (r->cg.leaf[0])
		json_object_set_new(json_object_get(m, "cgroup"), "driver_leaf",
				    json_pack("{s:s}", "path", r->cg.leaf));
	json_object_set_new(m, "start_time", json_string(iso));
	json_object_set_new(m, "start_ns", json_integer((json_int_t)r->t0));
	json_object_set_new(m, "end_ns", json_null());
	json_object_set_new(m, "status", json_string("incomplete"));
	json_object_set_new(m, "format_version", json_integer(RESULT_FORMAT_VERSION));
	json_object_set_new(m, "pid", json_integer(getpid()));
	return m;
}

json_t *runjson_io_error(const struct runner *r)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:I,s:s}",
		"file", r->io.file, "op", r->io.op ? r->io.op : "write",
		"errno", errno_name(-r->io.err), "message", strerror(-r->io.err),
		"ops_rows_before", (json_int_t)r->io.rows,
		"rows", "the rows written before the error are readable with --allow-incomplete; "
			"the summary counts every op the driver saw");
}

/* --- summary.json: ops --------------------------------------------------- */

static json_t *dist_of(const struct hist *h)
{
	struct dist d;

	hist_dist(h, &d);
	return dist_json(&d);
}

/* Every source, 0 when it never fired: absent would read as unknown. */
static json_t *op_rounds_by_source(const struct runner *r, const struct opagg *a)
{
	static const char *const sn[] = {
#define X(e, n, rr) n,
		SB_ROUND_SRCS(X)
#undef X
	};
	json_t *bs = json_object();

	for (unsigned int q = 0; q < RSRC_NR; q++)
		json_object_set_new(bs, sn[q], q == RSRC_NOFAIL && !r->nofail ?
				    json_null() : json_integer((json_int_t)a->src[q]));
	return bs;
}

static int site_cmp(const void *x, const void *y)
{
	json_int_t a = json_integer_value(json_object_get(*(json_t *const *)x, "sleep_ns"));
	json_int_t b = json_integer_value(json_object_get(*(json_t *const *)y, "sleep_ns"));

	return a < b ? 1 : a > b ? -1 : 0;
}

/*
 * Where the op's time asleep went: each wait site's sleep outside stalls
 * (most first) with its wakers, the sleep inside reclaim stalls, and the
 * time asleep (schedstat) no switch-out seen explains (lost events, a
 * switch before the capture began).
 */
static json_t *op_offcpu(const struct opagg *a)
{
	json_t *by = json_object(), *arr = json_array(), *v, **sv;
	const char *k;
	size_t n = 0, i;

	json_object_foreach(a->sites, k, v) {
		const char *tab = strchr(k, '\t');
		char site[256];
		json_t *o;

		snprintf(site, sizeof(site), "%.*s", tab ? (int)(tab - k) : (int)strlen(k), k);
		o = json_object_get(by, site);
		if (!o) {
			o = json_pack("{s:s,s:I,s:I,s:I,s:o}", "site", site, "sleeps", (json_int_t)0,
				      "sleep_ns", (json_int_t)0, "ops", (json_int_t)0,
				      "wakers", json_object());
			json_object_set_new(by, site, o);
		}
		json_object_set_new(o, "sleeps", json_integer(json_integer_value(
			json_object_get(o, "sleeps")) + json_integer_value(json_array_get(v, 0))));
		json_object_set_new(o, "sleep_ns", json_integer(json_integer_value(
			json_object_get(o, "sleep_ns")) + json_integer_value(json_array_get(v, 1))));
		/* an op woken by two wakers at one site counts once per waker: an upper bound */
		json_object_set_new(o, "ops", json_integer(json_integer_value(
			json_object_get(o, "ops")) + json_integer_value(json_array_get(v, 2))));
		json_object_set_new(json_object_get(o, "wakers"), tab && tab[1] ? tab + 1 : "(unseen)",
				    json_integer(json_integer_value(json_array_get(v, 1))));
	}
	sv = calloc(json_object_size(by) + 1, sizeof(*sv));
	json_object_foreach(by, k, v)
		if (sv)
			sv[n++] = v;
	if (sv)
		qsort(sv, n, sizeof(*sv), site_cmp);
	for (i = 0; i < n; i++)
		json_array_append(arr, sv[i]);
	free(sv);
	json_decref(by);
	return json_pack("{s:o,s:I,s:I,s:I}", "sites", arr,
			 "in_stall_ns", (json_int_t)a->sl_in_stall,
			 "unattributed_ns", (json_int_t)a->sl_unseen,
			 "more_sites_ns", (json_int_t)a->sl_more);
}

static json_t *op_json(const struct runner *r, const struct opagg *a)
{
	json_t *o, *errs = json_object(), *fl = json_object(), *sd;

	for (unsigned int e = 0; e < MAX_ERRS && a->errs[e].e; e++)
		json_object_set_new(errs, errno_name(a->errs[e].e),
				    json_integer((json_int_t)a->errs[e].n));
	for (unsigned int f = 0; f < SB_OPF_NR; f++)
		json_object_set_new(fl, sb_opflag_names[f], json_integer((json_int_t)a->flags[f]));
	sd = dist_of(&a->stall);
	json_object_set_new(sd, "stalled_share", json_real((double)a->stalled / (double)a->count));
	o = json_pack("{s:I,s:o,s:o,s:o,s:o,s:o}", "count", (json_int_t)a->count,
		      "errors", errs, "flags", fl, "latency_ns", dist_of(&a->lat),
		      "stall_ns", sd, "reclaim_rounds", dist_of(&a->rounds));
	json_object_set_new(o, "rounds_by_source", op_rounds_by_source(r, a));
	json_object_set_new(o, "nofail_allocs", !r->nofail ? json_null() :
		json_pack("{s:I,s:f,s:I}",
		"total", (json_int_t)a->src[RSRC_NOFAIL],
		"per_call", a->nofail_ops ? (double)a->src[RSRC_NOFAIL] / (double)a->nofail_ops : 0.0,
		"ops_with", (json_int_t)a->with_nofail));
	/* absent when no op had schedstat (not measured is not none) */
	if (a->sched_n)
		json_object_set_new(o, "time_split", json_pack("{s:I,s:I,s:I,s:I,s:o}",
			"ops", (json_int_t)a->sched_n, "cpu_ns", (json_int_t)a->cpu_ns,
			"runq_ns", (json_int_t)a->runq_ns, "sleep_ns", (json_int_t)a->sleep_ns,
			"sleep_ns_dist", dist_of(&a->sleep)));
	if (r->offcpu)
		json_object_set_new(o, "offcpu", op_offcpu(a));
	if (r->oncpu)
		json_object_set_new(o, "oncpu", oncpu_op_json(r, a));
	return o;
}

/* "workload/op" -> its object, for the ops that ran. */
static json_t *summary_ops(const struct runner *r)
{
	json_t *ops = json_object();

	for (unsigned int i = 0; i < r->cfg->nr_wl; i++) {
		const struct workload *w = r->cfg->wl[i].w;

		for (unsigned int k = 0; w->op_names[k] && k < MAX_OPS_PER_WL; k++) {
			char key[128];

			if (!r->agg[i][k].count)
				continue;
			snprintf(key, sizeof(key), "%s/%s", w->name, w->op_names[k]);
			json_object_set_new(ops, key, op_json(r, &r->agg[i][k]));
		}
	}
	return ops;
}

/* --- summary.json: stalls, capture, OOM ---------------------------------- */

static json_t *stall_kind_json(const struct stallagg *a)
{
	struct dist d;
	json_t *o;

	hist_dist(&a->dur, &d);
	o = json_pack("{s:I,s:f,s:I,s:o,s:I,s:I}",
		"count", (json_int_t)d.count, "total_ns", d.total,
		"unpaired", (json_int_t)a->unpaired, "duration_ns", dist_json(&d),
		/* Reclaim that makes no progress is the NOFAIL retry loop's signature. */
		"nr_reclaimed", (json_int_t)a->reclaimed,
		"no_progress", (json_int_t)a->no_progress);
	json_object_set_new(o, "zero_ns", json_integer((json_int_t)a->zero_ns));
	if (a->reasons)
		json_object_set(o, "reasons", a->reasons);
	return o;
}

/* {"run": {kind: ..., "points": {...}}, "system": {...}}: the run's own tasks, then the others'. */
static json_t *summary_stalls(const struct runner *r)
{
	json_t *st = json_object();

	for (int sc = 0; sc < 2; sc++) {
		json_t *byk = json_object(), *pts = json_object();

		for (int k = 0; k < STALL_NR_KINDS; k++) {
			const struct stallagg *a = &r->sagg[sc][k];

			if (a->dur.count || a->unpaired)
				json_object_set_new(byk, stall_kind_name(k), stall_kind_json(a));
		}
		for (int k = 0; k < POINT_NR_KINDS; k++)
			if (r->points[sc][k])
				json_object_set_new(pts, point_kind_name(k),
						    json_integer((json_int_t)r->points[sc][k]));
		json_object_set_new(byk, "points", pts);
		json_object_set_new(st, sc ? "system" : "run", byk);
	}
	return st;
}

static void summary_capture(const struct runner *r, json_t *s)
{
	json_t *arr;

	if (!r->capf.events) {
		/* Not captured is not zero lost: say so. */
		json_object_set_new(s, "lost_events", json_null());
		json_object_set_new(s, "capture", json_pack("{s:b,s:s}", "enabled", 0,
							    "reason", r->cap_err));
		return;
	}
	arr = json_array();
	for (unsigned int i = 0; i < r->capf.ncpu; i++)
		json_array_append_new(arr, json_integer((json_int_t)r->capf.per_cpu[i]));
	json_object_set_new(s, "lost_events", json_integer((json_int_t)r->capf.lost));
	json_object_set_new(s, "lost_per_cpu", arr);
	/* oncpu_period_ns: cpu-clock samples of the workers (0: --no-oncpu) */
	json_object_set_new(s, "capture", json_pack("{s:b,s:s,s:I}", "enabled", 1,
						    "events", r->capf.events,
						    "oncpu_period_ns", (json_int_t)r->oncpu));
}

/*
 * How NOFAIL allocations were counted, null when they were not. Counters lose
 * nothing by construction (a number in the kernel, no buffer): lost is 0,
 * stated, not measured. With records (--callchain) beside them, the two
 * counts of the same ops, for whoever doubts either.
 */
static json_t *summary_nofail(const struct runner *r)
{
	json_t *o;

	if (!r->nofail || !r->nofail_mode)
		return json_null();
	o = json_pack("{s:s,s:I,s:s,s:I}", "mode", r->nofail_mode, "lost", (json_int_t)0,
		      "how", "per-thread perf counting events on the allocation tracepoints, "
		      "filtered in the kernel on __GFP_NOFAIL, read as one group before and "
		      "after each op: no ring, nothing can be lost",
		      "ops_uncounted", (json_int_t)r->nofail_uncounted);
	if (strstr(r->nofail_mode, "records"))
		json_object_set_new(o, "records_check", json_pack("{s:I,s:I,s:I,s:I}",
			"ops", (json_int_t)r->nofail_cross.ops,
			"counters", (json_int_t)r->nofail_cross.counters,
			"records", (json_int_t)r->nofail_cross.records,
			"records_lost_events", (json_int_t)r->capf.lost));
	return o;
}

static void summary_oom(const struct runner *r, json_t *s)
{
	const struct cg_stats *first = &r->tl.first, *last = &r->tl.last;
	uint64_t ooms = 0;

	if (last->oom_kill != UINT64_MAX && first->oom_kill != UINT64_MAX)
		ooms = last->oom_kill - first->oom_kill;
	json_object_set_new(s, "oom_kills", json_integer((json_int_t)(ooms > r->oom_killed_workers ?
						ooms : r->oom_killed_workers)));
	if (r->victims) {
		/* null without the capture (or oom:mark_victim): not seen is not none */
		json_object_set_new(s, "oom_victims", json_deep_copy(r->victims));
		json_object_set_new(s, "oom_victims_total", json_integer((json_int_t)r->nvictims));
	} else {
		json_object_set_new(s, "oom_victims", json_null());
	}
}

/* --- summary.json: the cgroups and the workers --------------------------- */

/* A counter's growth over the run, -1 where the kernel does not have it. */
static json_int_t cdelta(uint64_t last, uint64_t first)
{
	if (last == UINT64_MAX || first == UINT64_MAX)
		return -1;
	return (json_int_t)(last - first);
}

/* The run's cgroup over the run: memory.events growth, memory.stat's
 * (null where this kernel or hierarchy has none). */
static json_t *summary_memcg(const struct runner *r)
{
	const struct cg_stats *first = &r->tl.first, *last = &r->tl.last;
	const struct { const char *k; uint64_t a, b; } st[] = {
		{ "pgscan", first->pgscan, last->pgscan },
		{ "pgsteal", first->pgsteal, last->pgsteal },
		{ "workingset_refault_anon", first->refault_anon, last->refault_anon },
		{ "workingset_refault_file", first->refault_file, last->refault_file },
		{ "thp_fault_fallback", first->thp_fallback, last->thp_fallback },
	};
	json_t *mc = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
		"max_events", cdelta(last->max, first->max),
		"high_events", cdelta(last->high, first->high),
		"low_events", cdelta(last->low, first->low),
		"oom_events", cdelta(last->oom, first->oom),
		"oom_kill", cdelta(last->oom_kill, first->oom_kill),
		"usage_end", cdelta(last->usage, 0));

	for (size_t q = 0; q < sizeof(st) / sizeof(st[0]); q++)
		json_object_set_new(mc, st[q].k, st[q].a == UINT64_MAX || st[q].b == UINT64_MAX ?
				    json_null() : json_integer((json_int_t)(st[q].b - st[q].a)));
	return mc;
}

/* --group: each group's counters over the run, by name. */
static json_t *summary_groups(const struct runner *r)
{
	json_t *gs = json_object();

	for (unsigned int g = 0; g < r->cfg->nr_groups; g++) {
		const struct cg_stats *a = &r->tl.gfirst[g], *b = &r->tl.glast[g];

		json_object_set_new(gs, r->cfg->groups[g].name, json_pack(
			"{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			"usage_end", cdelta(b->usage, 0), "max_events", cdelta(b->max, a->max),
			"high_events", cdelta(b->high, a->high), "low_events", cdelta(b->low, a->low),
			"oom_kill", cdelta(b->oom_kill, a->oom_kill),
			"pgscan", cdelta(b->pgscan, a->pgscan), "pgsteal", cdelta(b->pgsteal, a->pgsteal),
			"workingset_refault_anon", cdelta(b->refault_anon, a->refault_anon),
			"workingset_refault_file", cdelta(b->refault_file, a->refault_file),
			"thp_fault_fallback", cdelta(b->thp_fallback, a->thp_fallback),
			"swap_end", cdelta(b->swap, 0)));
	}
	return gs;
}

/* How each worker ended: exit code, signal, or still running (stuck in the kernel). */
static json_t *summary_workers(const struct runner *r)
{
	json_t *ws = json_array();

	for (unsigned int i = 0; i < r->nw; i++) {
		const struct worker *w = &r->w[i];
		json_t *o = json_pack("{s:i,s:s,s:i,s:I}", "pid", w->pid,
			"workload", r->cfg->wl[w->wl].w->name, "index", w->idx,
			"ring_waits", (json_int_t)w->ring->waits);

		if (!w->exited)
			json_object_set_new(o, "end", json_string(r->killed_by_watchdog ?
				"SIGKILLed by the watchdog, still inside the kernel" :
				"still running"));
		else if (WIFSIGNALED(w->status))
			json_object_set_new(o, "signal", json_integer(WTERMSIG(w->status)));
		else
			json_object_set_new(o, "exit", json_integer(WEXITSTATUS(w->status)));
		json_array_append_new(ws, o);
	}
	return ws;
}

json_t *runjson_summary(const struct runner *r)
{
	json_t *s = json_object();

	json_object_set_new(s, "status", json_string(r->status));
	json_object_set_new(s, "format_version", json_integer(RESULT_FORMAT_VERSION));
	json_object_set_new(s, "ops", summary_ops(r));
	json_object_set_new(s, "stalls", summary_stalls(r));
	summary_capture(r, s);
	json_object_set_new(s, "nofail_counting", summary_nofail(r));
	summary_oom(r, s);
	json_object_set_new(s, "memcg", summary_memcg(r));
	if (r->cfg->nr_groups)
		json_object_set_new(s, "groups", summary_groups(r));
	json_object_set_new(s, "workers", summary_workers(r));
	json_object_set_new(s, "ops_rows", json_integer((json_int_t)r->rows));
	json_object_set_new(s, "size_mismatches", json_integer((json_int_t)r->mismatches));
	json_object_set_new(s, "unpaired_stalls", json_integer((json_int_t)r->unpaired));
	json_object_set_new(s, "killed_by_watchdog", json_integer((json_int_t)r->killed_by_watchdog));
	json_object_set_new(s, "duration_ns", json_integer((json_int_t)(r->t_end - r->t_go)));
	return s;
}

/* --- the live status ----------------------------------------------------- */

/* The op in flight the longest (a NOFAIL call can take minutes: the rows
 * only show it when it returns), or NULL. */
static json_t *live_inflight(const struct runner *r)
{
	const struct oprec *lo = NULL;
	char op[96];

	for (unsigned int i = 0; i < r->nw; i++) {
		const struct worker *w = &r->w[i];

		if (!w->exited && w->ring &&
		    atomic_load_explicit(&w->ring->inflight, memory_order_acquire) &&
		    (!lo || w->ring->cur.t_start_ns < lo->t_start_ns))
			lo = &w->ring->cur;
	}
	if (!lo)
		return NULL;
	/* "workload/op", as report and watch name ops */
	snprintf(op, sizeof(op), "%s/%s", r->cfg->wl[lo->wl].w->name, wl_op_name(r->cfg->wl[lo->wl].w, lo->op));
	return json_pack("{s:s,s:I,s:i}", "op", op, "start_ns", (json_int_t)lo->t_start_ns,
			 "worker", (int)lo->worker);
}

/*
 * Per op kind, where its time asleep went so far (the ops finalised): the
 * top wait sites outside stalls and the sleep inside them, for watch.
 */
static json_t *live_asleep(const struct runner *r)
{
	json_t *o = json_object();

	for (unsigned int i = 0; r->offcpu && i < r->cfg->nr_wl; i++) {
		const struct workload *w = r->cfg->wl[i].w;

		for (unsigned int k = 0; w->op_names[k] && k < MAX_OPS_PER_WL; k++) {
			const struct opagg *a = &r->agg[i][k];
			json_t *oc, *sites, *st;
			char key[128];
			size_t j;

			if (!a->sched_n || !a->sleep_ns)
				continue;
			oc = op_offcpu(a);
			sites = json_array();
			json_array_foreach(json_object_get(oc, "sites"), j, st) {
				if (j == 3)
					break;
				json_array_append_new(sites, json_pack("{s:O,s:O}", "site",
					json_object_get(st, "site"), "sleep_ns",
					json_object_get(st, "sleep_ns")));
			}
			json_decref(oc);
			snprintf(key, sizeof(key), "%s/%s", w->name, w->op_names[k]);
			json_object_set_new(o, key, json_pack("{s:I,s:I,s:o}",
				"sleep_ns", (json_int_t)a->sleep_ns,
				"in_stall_ns", (json_int_t)a->sl_in_stall, "sites", sites));
		}
	}
	return o;
}

json_t *runjson_live(const struct runner *r, const char *dir, int64_t lost)
{
	size_t nv = r->victims ? json_array_size(r->victims) : 0;
	json_t *s, *inflight;

	s = json_pack("{s:i,s:i,s:s,s:I,s:I,s:I,s:I}", "format_version", RUNSTATUS_FORMAT,
		      "pid", (int)getpid(), "dir", dir, "start_ns", (json_int_t)r->t0,
		      "go_ns", (json_int_t)r->t_go, "duration_ns", (json_int_t)r->cfg->duration_ns,
		      "oom_victims", (json_int_t)r->nvictims);
	if (!s)
		return NULL;
	json_object_set_new(s, "lost_events", lost >= 0 ? json_integer((json_int_t)lost) :
			    json_null());
	if (nv)
		json_object_set(s, "last_victim", json_array_get(r->victims, nv - 1));
	json_object_set_new(s, "asleep", live_asleep(r));
	inflight = live_inflight(r);
	if (inflight)
		json_object_set_new(s, "inflight", inflight);
	return s;
}
