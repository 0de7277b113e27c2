/*
 * The runner ties one `stallbench run` together: it checks it can run, makes
 * the result directory and the capped cgroup, forks the workers into it,
 * captures stalls, samples the timeline, attributes stalls to operations and
 * writes the result files, and on every way out (normal end, deadline,
 * SIGINT/SIGTERM, worker deaths) tears the cgroup down and marks the result
 * honestly: complete, incomplete or timeout.
 *
 * The driver keeps itself alive under the pressure it creates: it is never
 * in the capped cgroup, locks its memory, sets oom_score_adj -1000 as root,
 * and maps the workers' op rings before forking so their pages are charged
 * to it, not to the cap. Workers get oom_score_adj +1000 and die with it
 * (PR_SET_PDEATHSIG), and a stale cgroup of a killed driver is removed at the
 * next start.
 */
#include "runner.h"
#include "attrib.h"
#include "cgroup.h"
#include "parse.h"
#include "pressure.h"
#include "resultio.h"
#include "runstatus.h"
#include "stats.h"
#include "sysinfo.h"
#include "timeline.h"
#include "topo.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_OPS_PER_WL 16
#define MAX_ERRS 16
#define TICK_NS (50ull * 1000 * 1000)
/* Ops waiting for the capture to pass their end: allocated (and locked) once
 * at the start, so the driver's memory does not step up with a backlog. Full,
 * the driver leaves records in the workers' rings (they wait, counted in
 * ring_waits) until the capture catches up. */
#define PEND_MAX 65536

struct worker {
	pid_t pid;
	unsigned int wl, idx;
	struct opring *ring;
	size_t ring_bytes;
	bool exited;
	int status;
	uint64_t exit_ns;
};

/* Fixed-size histograms, not samples: the driver's memory (locked, never
 * the OOM victim) must not grow with the run. Every sample is in ops.csv. */
struct opagg {
	struct hist lat, stall, rounds;
	uint64_t count, stalled;
	uint64_t src[RSRC_NR];	/* rounds by source, summed */
	uint64_t with_nofail;	/* ops that made a NOFAIL allocation */
	/* where the wall time went (ops with schedstat): on a CPU, runnable
	 * waiting for one, asleep (the rest) */
	uint64_t sched_n, cpu_ns, runq_ns, sleep_ns;
	struct hist sleep;
	struct { int e; uint64_t n; } errs[MAX_ERRS];
	uint64_t flags[8];
};

struct stallagg {
	struct hist dur;
	uint64_t zero_ns;	/* paired stalls of 0 ns (throttles woken within a jiffy) */
	json_t *reasons;	/* throttled: count per reason */
	uint64_t unpaired;
	uint64_t reclaimed;	/* pages, summed over stalls that report it */
	uint64_t no_progress;	/* stalls that reclaimed nothing */
	uint64_t with_count;	/* stalls that report nr_reclaimed */
};

/* An op waiting for the capture to pass its end, so its stalls are known. */
struct pend {
	struct oprec r;
	bool done;
};

struct runner {
	struct run_cfg *cfg;
	struct run_env env;
	struct sb_cgroup cg;
	struct timeline tl;
	struct worker *w;
	unsigned int nw;
	struct ctl {
		int stop;	/* finish now */
		uint64_t t_go;	/* when the workers were released */
	} *ctl;			/* shared with workers */
	int *stop;
	int go_fd;
	struct rfile *ops, *stalls;	/* every write checked; maybe zstd */
	FILE *ops_f, *stalls_f;		/* their streams */
	/* The first result file that could not be written (a full disk): the
	 * run stops there and says so in meta.json. */
	struct {
		int err;
		char file[64];
		const char *op;
		uint64_t rows;	/* ops rows printed when it was seen */
	} io;
	struct opagg agg[RUN_MAX_WL][MAX_OPS_PER_WL];
	struct stallagg sagg[2][STALL_NR_KINDS];	/* [0] run, [1] system */
	uint64_t points[2][POINT_NR_KINDS];
	struct capture *cap;
	bool nofail;		/* NOFAIL allocations counted: else nofail_allocs is empty */
	json_t *nofail_stacks;	/* --callchain: folded stack -> NOFAIL allocations of workers */
	struct pressure *pr;	/* --global-pressure holder, NULL without */
	char cap_err[256];
	json_t *meta, *stacks;
	json_t *victims;	/* oom:mark_victim, one object each: who was picked, who asked */
	uint64_t nvictims;
	uint64_t t0, t_go, t_end;
	const char *status;
	uint64_t oom_killed_workers, killed_by_watchdog, rows;
	/* attribution: pend[i] holds the op with cookie base + i */
	struct attrib *attr;
	struct pend *pend;
	size_t npend, cpend;
	uint64_t base;
	uint64_t mismatches, unpaired;
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* --- aggregation and the ops/stalls files ------------------------------ */

static void agg_op(struct runner *r, const struct oprec *o, const struct attrib_op *at)
{
	uint64_t stall_ns = at->stall_ns;
	uint32_t rounds = at->reclaim_rounds;
	struct opagg *a;
	unsigned int k;

	if (o->wl >= r->cfg->nr_wl || o->op >= MAX_OPS_PER_WL)
		return;
	a = &r->agg[o->wl][o->op];
	a->count++;
	for (k = 0; k < RSRC_NR; k++)
		a->src[k] += at->src[k];
	a->with_nofail += at->src[RSRC_NOFAIL] > 0;
	if (!(o->flags & OPF_UNFINISHED))
		hist_add(&a->lat, o->latency_ns);
	if (o->have_sched) {
		uint64_t busy = o->cpu_ns + o->runq_ns;
		uint64_t slept = o->latency_ns > busy ? o->latency_ns - busy : 0;

		a->sched_n++;
		a->cpu_ns += o->cpu_ns;
		a->runq_ns += o->runq_ns;
		a->sleep_ns += slept;
		hist_add(&a->sleep, slept);
	}
	hist_add(&a->stall, stall_ns);
	hist_add(&a->rounds, rounds);
	a->stalled += stall_ns > 0;
	for (k = 0; k < 8; k++)
		a->flags[k] += !!(o->flags & (1u << k));
	if (o->flags & OPF_MISMATCH)
		r->mismatches++;
	if (!o->err)
		return;
	for (k = 0; k < MAX_ERRS; k++) {
		if (a->errs[k].e == o->err || !a->errs[k].e) {
			a->errs[k].e = o->err;
			a->errs[k].n++;
			return;
		}
	}
}

static const char *op_name(const struct runner *r, const struct oprec *o)
{
	const struct workload *w = r->cfg->wl[o->wl].w;

	for (unsigned int i = 0; w->op_names[i]; i++)
		if (i == o->op)
			return w->op_names[i];
	return "unknown";
}

/* at: the op's attribution, NULL when it could not be attributed (all 0). */
static void write_op(struct runner *r, const struct oprec *o, const struct attrib_op *at)
{
	static const struct attrib_op none;
	struct rr_op row = {
		.t_start_ns = o->t_start_ns, .latency_ns = o->latency_ns, .bytes = o->bytes,
		.kernel_ns = o->kernel_ns, .tid = o->tid, .worker = o->worker, .node = o->node,
		.landed_node = o->landed_node, .flags = o->flags,
		.have_sched = o->have_sched, .cpu_ns = o->cpu_ns, .runq_ns = o->runq_ns,
		.workload = r->cfg->wl[o->wl].w->name, .op = op_name(r, o),
		.err = o->err ? errno_name(o->err) : "",
	};

	if (!at)
		at = &none;
	row.stall_ns = at->stall_ns;
	row.reclaim_rounds = at->reclaim_rounds;
	for (unsigned int k = 0; k < RSRC_NR; k++) {
		row.src[k] = at->src[k];
		row.have_src[k] = k != RSRC_NOFAIL || r->nofail;	/* not counted is not none */
	}
	rr_write_op(r->ops_f, &row);
	r->rows++;
	agg_op(r, o, at);
}

static void op_done(void *arg, const struct attrib_op *op)
{
	struct runner *r = arg;
	struct pend *p = &r->pend[op->cookie - r->base];

	write_op(r, &p->r, op);
	p->done = true;
}

/* Finalises the ops that ended before horizon (all of them with UINT64_MAX). */
static void flush_ops(struct runner *r, uint64_t horizon)
{
	size_t k = 0;

	attrib_flush(r->attr, horizon, op_done, r);
	while (k < r->npend && r->pend[k].done)
		k++;
	if (k) {
		memmove(r->pend, r->pend + k, (r->npend - k) * sizeof(*r->pend));
		r->npend -= k;
		r->base += k;
	}
	rf_flush(r->ops, false);
}

static void push_op(struct runner *r, const struct oprec *o)
{
	struct attrib_op a = { .t_start_ns = o->t_start_ns, .latency_ns = o->latency_ns,
			       .tid = o->tid, .cookie = r->base + r->npend };

	if (r->npend == r->cpend) {
		/* No room (a module's records, an op of a dead worker): written
		 * unattributed, never lost. */
		write_op(r, o, NULL);
		return;
	}
	if (attrib_add_op(r->attr, &a)) {
		/* Not a worker's task, or out of order: written as it is. */
		write_op(r, o, NULL);
		return;
	}
	r->pend[r->npend++] = (struct pend){ .r = *o };
}

static void sink_push(struct opsink *s, const struct oprec *o)
{
	push_op(s->arg, o);
}

static void on_stall(void *arg, const struct stall *s)
{
	struct runner *r = arg;
	bool mine = attrib_is_worker(r->attr, s->tid);
	struct stallagg *a = &r->sagg[mine ? 0 : 1][s->kind < STALL_NR_KINDS ? s->kind : 0];

	rr_write_stall(r->stalls_f, &(struct rr_stall){
		.t_start_ns = s->t_start_ns, .duration_ns = s->duration_ns, .tid = s->tid,
		.cpu = (int32_t)s->cpu, .nr_reclaimed = s->nr_reclaimed, .order = s->order,
		.kind_name = stall_kind_name(s->kind), .gfp = s->gfp_names,
		.scope = mine ? "run" : "system", .note = s->unpaired ? "unpaired" : "",
		.reason = s->reason ? s->reason : "" });
	if (s->unpaired) {
		a->unpaired++;
		r->unpaired++;
	} else {
		hist_add(&a->dur, s->duration_ns);
		a->zero_ns += !s->duration_ns;
	}
	if (s->reason) {
		json_t *v;

		if (!a->reasons)
			a->reasons = json_object();
		v = json_object_get(a->reasons, s->reason);
		json_object_set_new(a->reasons, s->reason,
				    json_integer((v ? json_integer_value(v) : 0) + 1));
	}
	if (s->nr_reclaimed >= 0) {
		a->with_count++;
		a->reclaimed += (uint64_t)s->nr_reclaimed;
		a->no_progress += s->nr_reclaimed == 0;
	}
	attrib_add_stall(r->attr, s);
	if (s->stack && r->stacks) {
		json_t *v = json_object_get(r->stacks, s->stack);

		json_object_set_new(r->stacks, s->stack, json_integer(
			(v ? json_integer_value(v) : 0) + (json_int_t)s->duration_ns));
	}
}

/*
 * Who the OOM killer picked: a worker of this run (which), the driver itself
 * (must never happen: oom_score_adj -1000), or another task of the machine
 * (a global OOM, or a cap that let the run push others out). Kept for the
 * first 1000; the count is exact.
 */
static void note_victim(struct runner *r, const struct point *p, bool trigger_is_worker)
{
	pid_t pid = (pid_t)p->arg;
	const char *who = pid == getpid() ? "driver" : "other";
	json_t *o;

	r->nvictims++;
	if (!r->victims || json_array_size(r->victims) >= 1000)
		return;
	o = json_pack("{s:I,s:i}", "t_ns", (json_int_t)(p->t_ns > r->t0 ? p->t_ns - r->t0 : 0),
		      "pid", (int)pid);
	for (unsigned int i = 0; i < r->nw; i++)
		if (r->w[i].pid == pid) {
			who = "worker";
			json_object_set_new(o, "workload",
					    json_string(r->cfg->wl[r->w[i].wl].w->name));
			json_object_set_new(o, "worker", json_integer(r->w[i].idx));
		}
	json_object_set_new(o, "who", json_string(who));
	if (p->victim) {
		if (p->victim->comm[0])
			json_object_set_new(o, "comm", json_string(p->victim->comm));
		if (p->victim->rss_kb >= 0)
			json_object_set_new(o, "rss_kb", json_integer((json_int_t)p->victim->rss_kb));
		if (p->victim->oom_score_adj != INT32_MIN)
			json_object_set_new(o, "oom_score_adj", json_integer(p->victim->oom_score_adj));
	}
	json_object_set_new(o, "killer_tid", json_integer(p->tid));
	json_object_set_new(o, "killer", json_string(trigger_is_worker ? "worker" : "other"));
	json_array_append_new(r->victims, o);
}

static void on_point(void *arg, const struct point *p)
{
	struct runner *r = arg;
	bool mine = attrib_is_worker(r->attr, p->tid);

	r->points[mine ? 0 : 1][p->kind < POINT_NR_KINDS ? p->kind : POINT_OTHER]++;
	attrib_add_point(r->attr, p);
	if (p->kind == POINT_NOFAIL && mine && p->stack && r->nofail_stacks) {
		json_t *v = json_object_get(r->nofail_stacks, p->stack);

		json_object_set_new(r->nofail_stacks, p->stack,
				    json_integer((v ? json_integer_value(v) : 0) + 1));
	}
	if (p->kind == POINT_MARK_VICTIM)
		note_victim(r, p, mine);
}

/* Reads every worker's ring, as far as the pending queue has room; true if
 * records are left behind. */
static bool drain_rings(struct runner *r)
{
	bool left = false;

	for (unsigned int i = 0; i < r->nw; i++) {
		struct opring *g = r->w[i].ring;
		uint64_t head = atomic_load_explicit(&g->head, memory_order_acquire);
		uint64_t tail = atomic_load_explicit(&g->tail, memory_order_relaxed);

		for (; tail != head && r->npend < r->cpend; tail++)
			push_op(r, &g->rec[tail & g->mask]);
		left |= tail != head;
		atomic_store_explicit(&g->tail, tail, memory_order_release);
	}
	return left;
}

/* Notes the first result file that failed (ENOSPC, EIO...); true if any has. */
static bool io_failed(struct runner *r, struct rfile *f, const char *name, int err,
		      const char *op)
{
	if (f) {
		err = rf_error(f);
		op = rf_failed_op(f);
		name = rf_name(f);
	}
	if (err && !r->io.err) {
		r->io.err = err;
		r->io.op = op;
		r->io.rows = r->rows;
		snprintf(r->io.file, sizeof(r->io.file), "%s", name);
	}
	return r->io.err != 0;
}

static bool any_io_failed(struct runner *r)
{
	io_failed(r, r->ops, NULL, 0, NULL);
	io_failed(r, r->stalls, NULL, 0, NULL);
	io_failed(r, r->tl.rf, NULL, 0, NULL);
	return r->io.err != 0;
}

static void drain_all(struct runner *r, bool final)
{
	struct capture_sink sink = { on_stall, on_point, r };
	uint64_t now = now_ns();
	bool left = drain_rings(r);

	for (unsigned int i = 0; i < r->cfg->nr_wl; i++) {
		const struct workload *w = r->cfg->wl[i].w;
		struct opsink s = { sink_push, r };

		if (w->collect)
			w->collect(r->cfg->wl[i].priv, &r->env, &s, final);
	}
	if (r->cap) {
		/* An op is final once the capture has delivered everything up to its end. */
		capture_drain(r->cap, &sink, final);
		rf_flush(r->stalls, false);
		flush_ops(r, final ? UINT64_MAX : capture_horizon(r->cap));
	} else {
		flush_ops(r, final ? UINT64_MAX : now);
	}
	/* the end: what the full queue left in the rings, now that it is empty */
	while (final && left) {
		left = drain_rings(r);
		flush_ops(r, UINT64_MAX);
	}
}

/* --- workers ----------------------------------------------------------- */

static void write_oom_adj(const char *v)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, v, strlen(v)) < 0) {
			/* not root: stays at the default */
		}
		close(fd);
	}
}

static void worker_main(struct runner *r, struct worker *w, int go_fd, pid_t parent)
{
	struct wl_inst *in = &r->cfg->wl[w->wl];
	struct wl_ctx c = {
		.env = &r->env, .priv = in->priv, .worker = (unsigned int)(w - r->w),
		.index = w->idx, .nr_workers = in->workers, .wl = (uint8_t)w->wl,
		.node = r->cfg->node, .stop = r->stop, .ring = w->ring,
	};
	char b;
	ssize_t n;
	int rc;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	{
		/* "sb-memhog0": what ps, perf script and the OOM killer's log show */
		char comm[16];

		snprintf(comm, sizeof(comm), "sb-%.9s%u", in->w->name, w->idx);
		prctl(PR_SET_NAME, comm);
	}
	signal(SIGINT, SIG_IGN);	/* the driver decides when to stop */
	signal(SIGTERM, SIG_DFL);
	write_oom_adj("1000");
	if (r->cfg->node >= 0 && topo_bind_node(r->cfg->node))
		_exit(3);
	if ((in->cpu_node >= 0 || in->mem_nodes[0]) &&
	    topo_place(in->cpu_node, in->mem_nodes, in->mem_policy))
		_exit(3);
	if (in->mem_nodes[0] && !strpbrk(in->mem_nodes, ",-"))
		c.node = atoi(in->mem_nodes);	/* where the workload asks memory from */
	w->ring->pid = (uint32_t)getpid();
	do
		n = read(go_fd, &b, 1);
	while (n < 0 && errno == EINTR);
	close(go_fd);
	if (*r->stop)
		_exit(0);
	c.deadline_ns = r->ctl->t_go + r->cfg->duration_ns;
	rc = in->w->run(&c);
	_exit(rc & 0xff);
}

/* Reaps exited workers; reports an op a dead worker was inside. */
static void reap(struct runner *r)
{
	for (unsigned int i = 0; i < r->nw; i++) {
		struct worker *w = &r->w[i];
		int st;

		if (w->exited || waitpid(w->pid, &st, WNOHANG) != w->pid)
			continue;
		w->exited = true;
		w->status = st;
		w->exit_ns = now_ns();
		drain_rings(r);
		if (atomic_load_explicit(&w->ring->inflight, memory_order_acquire)) {
			struct oprec o = w->ring->cur;

			o.have_sched = 0;	/* cur holds the start values */
			o.latency_ns = w->exit_ns - o.t_start_ns;
			o.flags |= OPF_UNFINISHED;
			if (WIFSIGNALED(st))
				o.flags |= OPF_KILLED;
			push_op(r, &o);
			atomic_store(&w->ring->inflight, 0);
		}
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && !*r->stop)
			r->oom_killed_workers++;
	}
}

static unsigned int alive(const struct runner *r)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < r->nw; i++)
		n += !r->w[i].exited;
	return n;
}

static void kill_all(struct runner *r, int sig)
{
	for (unsigned int i = 0; i < r->nw; i++)
		if (!r->w[i].exited && r->w[i].pid > 0)
			kill(r->w[i].pid, sig);
}

/* --- meta and summary --------------------------------------------------- */

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

static json_t *build_meta(struct runner *r)
{
	struct run_cfg *c = r->cfg;
	json_t *m = json_object(), *wls = json_array(), *params;
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
	for (unsigned int i = 0; i < c->nr_wl; i++)
		json_array_append_new(wls, json_pack("{s:s,s:I,s:O}", "name", c->wl[i].w->name,
			"workers", (json_int_t)c->wl[i].workers, "options", c->wl[i].opts));
	params = json_pack("{s:o,s:I,s:I,s:I,s:I,s:I,s:b}", "workloads", wls,
			   "cap_bytes", (json_int_t)c->cap, "node", (json_int_t)c->node,
			   "duration_ns", (json_int_t)c->duration_ns,
			   "grace_ns", (json_int_t)c->grace_ns, "tick_ns", (json_int_t)c->tick_ns,
			   "capture", c->capture);
	if (c->cap_opts.events)
		json_object_set_new(params, "events", json_string(c->cap_opts.events));
	if (c->nr_groups) {
		/* the groups are the experiment: names, limits, who is in which */
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
		json_object_set_new(params, "groups", ga);
	}
	/* only when set: runs without them stay the same experiment as before */
	put_limits(params, &c->lim);
	json_object_set_new(params, "callchain", json_boolean(c->cap_opts.callchain));
	json_object_set_new(params, "count_nofail", json_boolean(c->cap_opts.nofail));
	json_object_set_new(params, "ring_pages", json_integer((json_int_t)c->cap_opts.ring_pages));
	json_object_set_new(params, "global_pressure_bytes", json_integer((json_int_t)c->global_pressure));
	json_object_set_new(params, "compress", json_string(c->compress == RF_ZSTD ? "zstd" :
							     c->compress == RF_AUTO ? "auto" : "none"));
	json_object_set_new(params, "compress_above_bytes", json_integer((json_int_t)c->compress_above));
	if (c->argv)
		json_object_set(params, "argv", c->argv);
	json_object_set_new(m, "params", params);
	json_object_set_new(m, "cgroup", json_pack("{s:i,s:I,s:s}", "version", r->cg.version,
		"cap_bytes", (json_int_t)c->cap, "path", r->cg.path));
	json_object_set_new(m, "start_time", json_string(iso));
	json_object_set_new(m, "start_ns", json_integer((json_int_t)r->t0));
	json_object_set_new(m, "end_ns", json_null());
	json_object_set_new(m, "status", json_string("incomplete"));
	json_object_set_new(m, "format_version", json_integer(RESULT_FORMAT_VERSION));
	json_object_set_new(m, "pid", json_integer(getpid()));
	return m;
}

static json_t *dist_of(const struct hist *h)
{
	struct dist d;

	hist_dist(h, &d);
	return dist_json(&d);
}

/* A counter's growth over the run, -1 where the kernel does not have it. */
static json_int_t cdelta(uint64_t last, uint64_t first)
{
	if (last == UINT64_MAX || first == UINT64_MAX)
		return -1;
	return (json_int_t)(last - first);
}

static json_t *build_summary(struct runner *r)
{
	static const char *const fnames[] = { "killed", "null", "mismatch", "unfinished",
					      "module", "huge", "sigpending" };
	json_t *s = json_object(), *ops = json_object(), *st = json_object();
	uint64_t lost = 0, per[1024] = { 0 };
	unsigned int ncpu = 0;
	struct cg_stats first = r->tl.first, last = r->tl.last;
	uint64_t ooms = 0;

	for (unsigned int i = 0; i < r->cfg->nr_wl; i++) {
		const struct workload *w = r->cfg->wl[i].w;

		for (unsigned int k = 0; w->op_names[k] && k < MAX_OPS_PER_WL; k++) {
			struct opagg *a = &r->agg[i][k];
			json_t *o, *errs = json_object(), *fl = json_object(), *sd;
			char key[128];

			if (!a->count)
				continue;
			for (unsigned int e = 0; e < MAX_ERRS && a->errs[e].e; e++)
				json_object_set_new(errs, errno_name(a->errs[e].e),
						    json_integer((json_int_t)a->errs[e].n));
			for (unsigned int f = 0; f < 7; f++)
				json_object_set_new(fl, fnames[f], json_integer((json_int_t)a->flags[f]));
			sd = dist_of(&a->stall);
			json_object_set_new(sd, "stalled_share",
					    json_real((double)a->stalled / (double)a->count));
			o = json_pack("{s:I,s:o,s:o,s:o,s:o,s:o}", "count", (json_int_t)a->count,
				      "errors", errs, "flags", fl, "latency_ns", dist_of(&a->lat),
				      "stall_ns", sd, "reclaim_rounds", dist_of(&a->rounds));
			{
				/* every source, 0 when it never fired: absent would read as unknown */
				static const char *const sn[] = {
#define X(e, n, rr) n,
					SB_ROUND_SRCS(X)
#undef X
				};
				json_t *bs = json_object();

				for (unsigned int q = 0; q < RSRC_NR; q++)
					json_object_set_new(bs, sn[q], q == RSRC_NOFAIL && !r->nofail ?
						json_null() : json_integer((json_int_t)a->src[q]));
				json_object_set_new(o, "rounds_by_source", bs);
				json_object_set_new(o, "nofail_allocs", !r->nofail ? json_null() :
					json_pack("{s:I,s:f,s:I}",
					"total", (json_int_t)a->src[RSRC_NOFAIL],
					"per_call", (double)a->src[RSRC_NOFAIL] / (double)a->count,
					"ops_with", (json_int_t)a->with_nofail));
			}
			/* absent when no op had schedstat (not measured is not none) */
			if (a->sched_n)
				json_object_set_new(o, "time_split", json_pack("{s:I,s:I,s:I,s:I,s:o}",
					"ops", (json_int_t)a->sched_n, "cpu_ns", (json_int_t)a->cpu_ns,
					"runq_ns", (json_int_t)a->runq_ns, "sleep_ns", (json_int_t)a->sleep_ns,
					"sleep_ns_dist", dist_of(&a->sleep)));
			snprintf(key, sizeof(key), "%s/%s", w->name, w->op_names[k]);
			json_object_set_new(ops, key, o);
		}
	}
	for (int sc = 0; sc < 2; sc++) {
		json_t *byk = json_object(), *pts = json_object();

		for (int k = 0; k < STALL_NR_KINDS; k++) {
			struct stallagg *a = &r->sagg[sc][k];
			struct dist d;

			if (!a->dur.count && !a->unpaired)
				continue;
			hist_dist(&a->dur, &d);
			json_object_set_new(byk, stall_kind_name(k), json_pack("{s:I,s:f,s:I,s:o,s:I,s:I}",
				"count", (json_int_t)d.count, "total_ns", d.total,
				"unpaired", (json_int_t)a->unpaired, "duration_ns", dist_json(&d),
				/* Reclaim that makes no progress is the NOFAIL retry loop's signature. */
				"nr_reclaimed", (json_int_t)a->reclaimed,
				"no_progress", (json_int_t)a->no_progress));
			json_object_set_new(json_object_get(byk, stall_kind_name(k)), "zero_ns",
					    json_integer((json_int_t)a->zero_ns));
			if (a->reasons)
				json_object_set(json_object_get(byk, stall_kind_name(k)), "reasons",
						a->reasons);
		}
		for (int k = 0; k < POINT_NR_KINDS; k++)
			if (r->points[sc][k])
				json_object_set_new(pts, point_kind_name(k),
						    json_integer((json_int_t)r->points[sc][k]));
		json_object_set_new(byk, "points", pts);
		json_object_set_new(st, sc ? "system" : "run", byk);
	}
	if (r->cap) {
		ncpu = capture_nr_cpus(r->cap);
		if (ncpu > 1024)
			ncpu = 1024;
		lost = capture_lost(r->cap, per, ncpu);
	}
	json_object_set_new(s, "status", json_string(r->status));
	json_object_set_new(s, "format_version", json_integer(RESULT_FORMAT_VERSION));
	json_object_set_new(s, "ops", ops);
	json_object_set_new(s, "stalls", st);
	if (r->cap) {
		json_t *arr = json_array();

		for (unsigned int i = 0; i < ncpu; i++)
			json_array_append_new(arr, json_integer((json_int_t)per[i]));
		json_object_set_new(s, "lost_events", json_integer((json_int_t)lost));
		json_object_set_new(s, "lost_per_cpu", arr);
		json_object_set_new(s, "capture", json_pack("{s:b,s:s}", "enabled", 1,
							    "events", capture_events(r->cap)));
	} else {
		/* Not captured is not zero lost: say so. */
		json_object_set_new(s, "lost_events", json_null());
		json_object_set_new(s, "capture", json_pack("{s:b,s:s}", "enabled", 0,
							    "reason", r->cap_err));
	}
	if (last.oom_kill != UINT64_MAX && first.oom_kill != UINT64_MAX)
		ooms = last.oom_kill - first.oom_kill;
	json_object_set_new(s, "oom_kills", json_integer((json_int_t)(ooms > r->oom_killed_workers ?
						ooms : r->oom_killed_workers)));
	if (r->victims) {
		/* null without the capture (or oom:mark_victim): not seen is not none */
		json_object_set_new(s, "oom_victims", json_deep_copy(r->victims));
		json_object_set_new(s, "oom_victims_total", json_integer((json_int_t)r->nvictims));
	} else {
		json_object_set_new(s, "oom_victims", json_null());
	}
	json_object_set_new(s, "memcg", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
		"max_events", cdelta(last.max, first.max),
		"high_events", cdelta(last.high, first.high),
		"low_events", cdelta(last.low, first.low),
		"oom_events", cdelta(last.oom, first.oom),
		"oom_kill", cdelta(last.oom_kill, first.oom_kill),
		"usage_end", cdelta(last.usage, 0)));
	if (r->cfg->nr_groups) {
		json_t *gs = json_object();

		for (unsigned int g = 0; g < r->cfg->nr_groups; g++) {
			struct run_group *G = &r->cfg->groups[g];
			const struct cg_stats *a = &r->tl.gfirst[g], *b = &r->tl.glast[g];

			json_object_set_new(gs, G->name, json_pack(
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
		json_object_set_new(s, "groups", gs);
	}
	{
		/* memory.stat over the run: null where this kernel/hierarchy has none */
		json_t *mc = json_object_get(s, "memcg");
		const struct { const char *k; uint64_t a, b; } st[] = {
			{ "pgscan", first.pgscan, last.pgscan },
			{ "pgsteal", first.pgsteal, last.pgsteal },
			{ "workingset_refault_anon", first.refault_anon, last.refault_anon },
			{ "workingset_refault_file", first.refault_file, last.refault_file },
			{ "thp_fault_fallback", first.thp_fallback, last.thp_fallback },
		};

		for (size_t q = 0; q < sizeof(st) / sizeof(st[0]); q++)
			json_object_set_new(mc, st[q].k, st[q].a == UINT64_MAX || st[q].b == UINT64_MAX ?
					    json_null() : json_integer((json_int_t)(st[q].b - st[q].a)));
	}
	{
		json_t *ws = json_array();

		for (unsigned int i = 0; i < r->nw; i++) {
			struct worker *w = &r->w[i];
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
		json_object_set_new(s, "workers", ws);
	}
	json_object_set_new(s, "ops_rows", json_integer((json_int_t)r->rows));
	json_object_set_new(s, "size_mismatches", json_integer((json_int_t)r->mismatches));
	json_object_set_new(s, "unpaired_stalls", json_integer((json_int_t)r->unpaired));
	json_object_set_new(s, "killed_by_watchdog", json_integer((json_int_t)r->killed_by_watchdog));
	json_object_set_new(s, "duration_ns", json_integer((json_int_t)(r->t_end - r->t_go)));
	return s;
}

/* A folded-stacks file (flamegraph input): stack, space, weight. */
static void write_folded(struct runner *r, const char *name, json_t *stacks)
{
	struct rfile *f;
	const char *k;
	json_t *v;
	int ret;

	if (!stacks)
		return;
	ret = rf_open(r->cfg->out, name, RF_PLAIN, 0, &f);
	if (ret) {
		io_failed(r, NULL, name, ret, "open");
		return;
	}
	json_object_foreach(stacks, k, v)
		fprintf(rf_stream(f), "%s %lld\n", k, (long long)json_integer_value(v));
	rf_close(f, true);
	io_failed(r, f, NULL, 0, NULL);
	rf_free(f);
}

/* stacks.folded weighs stall time (ns), nofail_stacks.folded NOFAIL allocations (count). */
static void write_stacks(struct runner *r)
{
	write_folded(r, "stacks.folded", r->stacks);
	write_folded(r, "nofail_stacks.folded", r->nofail_stacks);
}

/* meta.json's "error": the result file that failed, how, and what it holds. */
static void set_io_error(struct runner *r)
{
	json_object_set_new(r->meta, "status", json_string("incomplete"));
	json_object_set_new(r->meta, "error", json_pack("{s:s,s:s,s:s,s:s,s:I,s:s}",
		"file", r->io.file, "op", r->io.op ? r->io.op : "write",
		"errno", errno_name(-r->io.err), "message", strerror(-r->io.err),
		"ops_rows_before", (json_int_t)r->io.rows,
		"rows", "the rows written before the error are readable with --allow-incomplete; "
			"the summary counts every op the driver saw"));
}

/* --- the run ------------------------------------------------------------ */

static FILE *open_csv(struct runner *r, struct rfile **rf, const char *name,
		      void (*header)(FILE *f))
{
	int ret = rf_open(r->cfg->out, name, r->cfg->compress, r->cfg->compress_above, rf);

	if (ret) {
		errno = -ret;
		return NULL;
	}
	header(rf_stream(*rf));
	/* the header on disk now: a file that fills up later still has it */
	rf_flush(*rf, true);
	return rf_stream(*rf);
}

/*
 * Room kept for the last words: a file of RESERVE_BYTES made at the start and
 * removed when a result file fails, so that meta.json (saying which file and
 * why) and summary.json still fit on a disk the rows have filled.
 */
#define RESERVE_BYTES	(256u << 10)
#define RESERVE_NAME	".reserve"

static void reserve_make(const char *dir)
{
	char p[PATH_MAX + 32], z[4096] = { 0 };
	int fd;

	snprintf(p, sizeof(p), "%s/" RESERVE_NAME, dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (fallocate(fd, 0, 0, RESERVE_BYTES)) {
		/* no fallocate here (9p, some FUSE): real blocks, written */
		for (unsigned int off = 0; off < RESERVE_BYTES; off += sizeof(z))
			if (write(fd, z, sizeof(z)) != (ssize_t)sizeof(z))
				break;
	}
	close(fd);
}

static void reserve_drop(const char *dir)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/" RESERVE_NAME, dir);
	unlink(p);
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };

	nanosleep(&ts, NULL);
}

static int start_workers(struct runner *r)
{
	struct run_cfg *c = r->cfg;
	unsigned int n = 0;
	int go[2];
	pid_t parent = getpid();
	size_t recs = c->ring_ops ? c->ring_ops : 65536;

	for (unsigned int i = 0; i < c->nr_wl; i++)
		n += c->wl[i].workers;
	r->w = calloc(n, sizeof(*r->w));
	if (!r->w || pipe2(go, O_CLOEXEC))
		return -ENOMEM;
	/* Shared memory, touched here so the driver is charged for it. */
	for (unsigned int i = 0, k = 0; i < c->nr_wl; i++) {
		for (unsigned int j = 0; j < c->wl[i].workers; j++, k++) {
			struct worker *w = &r->w[k];

			w->wl = i;
			w->idx = j;
			w->ring_bytes = sizeof(struct opring) + recs * sizeof(struct oprec);
			w->ring = mmap(NULL, w->ring_bytes, PROT_READ | PROT_WRITE,
				       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
			if (w->ring == MAP_FAILED) {
				w->ring = NULL;
				return -ENOMEM;
			}
			memset(w->ring, 0, w->ring_bytes);
			w->ring->mask = (uint32_t)(recs - 1);
		}
	}
	r->nw = n;
	for (unsigned int k = 0; k < n; k++) {
		struct worker *w = &r->w[k];
		pid_t pid;

		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0) {
			close(go[1]);
			worker_main(r, w, go[0], parent);
		}
		w->pid = pid;
		attrib_add_worker(r->attr, (uint32_t)pid);
		{
			int g = c->wl[w->wl].group;
			struct sb_cgroup *cg = g >= 0 ? &c->groups[g].cg : &r->cg;

			if (cg->path[0] && cg_attach(cg, pid)) {
				fprintf(stderr, "stallbench: cannot move worker %d into %s\n", pid,
					cg->path);
				return -EIO;
			}
		}
	}
	close(go[0]);
	r->go_fd = go[1];
	return 0;
}

/* Checks that can fail without writing anything: 0, or an exit code. */
static int preflight(struct runner *r)
{
	struct run_cfg *c = r->cfg;
	char why[512], mount[256];
	int ver;

	for (unsigned int i = 0; i < c->nr_wl; i++) {
		const struct workload *w = c->wl[i].w;

		if (w->supported && w->supported(c->wl[i].priv, &r->env, why, sizeof(why))) {
			fprintf(stderr, "stallbench: %s cannot run here: %s\n", w->name, why);
			return 4;
		}
	}
	if (!r->env.is_root) {
		fprintf(stderr, "stallbench: run needs root (to create the memory cgroup)\n");
		return 4;
	}
	if (cg_probe(&ver, mount, sizeof(mount), why, sizeof(why))) {
		fprintf(stderr, "stallbench: cannot run here: %s\n", why);
		return 4;
	}
	if (cg_limits_unsupported(ver, &c->lim)) {
		fprintf(stderr, "stallbench: cannot run here: %s\n", cg_limits_unsupported(ver, &c->lim));
		return 4;
	}
	for (unsigned int g = 0; g < c->nr_groups; g++)
		if (cg_limits_unsupported(ver, &c->groups[g].lim)) {
			fprintf(stderr, "stallbench: cannot run here: group %s: %s\n", c->groups[g].name,
				cg_limits_unsupported(ver, &c->groups[g].lim));
			return 4;
		}
	if (c->mm.n && mm_check(&c->mm, why, sizeof(why))) {
		fprintf(stderr, "stallbench: cannot run here: %s\n", why);
		return 4;
	}
	/* A run asked to capture never goes on without it: its stall and
	 * attribution columns would read as "no stalls". */
	if (c->capture) {
		int err = capture_probe(&c->cap_opts, why, sizeof(why));

		if (err == -EINVAL) {
			fprintf(stderr, "stallbench: %s\n", why);
			return 2;
		}
		if (err == -ENODEV) {
			fprintf(stderr, "stallbench: cannot run here: %s (--no-capture runs without "
				"the stall capture)\n", why);
			return 4;
		}
		if (err) {
			fprintf(stderr, "stallbench: stall capture: %s\n", why);
			return 1;
		}
	}
	return 0;
}

/*
 * The live status file `stallbench watch` finds running runs by: where the
 * results go and what only the driver knows before the end (lost events, OOM
 * victims). At most once a second; a failure only costs the live view.
 */
static void live_status(struct runner *r, bool end)
{
	static uint64_t last;
	char dir[PATH_MAX];
	uint64_t now = now_ns();
	size_t nv = r->victims ? json_array_size(r->victims) : 0;
	json_t *s;

	if (end) {
		runstatus_remove(getpid());
		return;
	}
	if (now - last < 1000000000ull || !realpath(r->cfg->out, dir))
		return;
	last = now;
	s = json_pack("{s:i,s:i,s:s,s:I,s:I,s:I,s:I}", "format_version", RUNSTATUS_FORMAT,
		      "pid", (int)getpid(), "dir", dir, "start_ns", (json_int_t)r->t0,
		      "go_ns", (json_int_t)r->t_go, "duration_ns", (json_int_t)r->cfg->duration_ns,
		      "oom_victims", (json_int_t)r->nvictims);
	if (!s)
		return;
	json_object_set_new(s, "lost_events", r->cap ?
			    json_integer((json_int_t)capture_lost(r->cap, NULL, 0)) : json_null());
	if (nv)
		json_object_set(s, "last_victim", json_array_get(r->victims, nv - 1));
	{
		/* the op in flight the longest (a NOFAIL call can take minutes: the
		 * rows only show it when it returns) */
		const struct oprec *lo = NULL;

		for (unsigned int i = 0; i < r->nw; i++) {
			const struct worker *w = &r->w[i];

			if (!w->exited && w->ring &&
			    atomic_load_explicit(&w->ring->inflight, memory_order_acquire) &&
			    (!lo || w->ring->cur.t_start_ns < lo->t_start_ns))
				lo = &w->ring->cur;
		}
		if (lo) {
			char op[96];

			/* "workload/op", as report and watch name ops */
			snprintf(op, sizeof(op), "%s/%s", r->cfg->wl[lo->wl].w->name, op_name(r, lo));
			json_object_set_new(s, "inflight", json_pack("{s:s,s:I,s:i}", "op", op,
				"start_ns", (json_int_t)lo->t_start_ns, "worker", (int)lo->worker));
		}
	}
	runstatus_write(getpid(), s);
	json_decref(s);
}

int run_execute(struct run_cfg *c)
{
	struct runner R = { .cfg = c, .status = "incomplete", .go_fd = -1 }, *r = &R;
	char msg[512];
	int rc = 1, ret;
	struct sigaction sa = { .sa_handler = on_signal };
	bool timed_out = false, interrupted = false;
	uint64_t last_tl = 0, deadline, hard;
	const char *gnames[RUN_MAX_GROUPS];
	const struct sb_cgroup *gcgs[RUN_MAX_GROUPS];

	r->env.outdir = c->out;
	r->env.cap = c->cap ? c->cap : c->lim.high;	/* what workloads size by */
	r->env.node = c->node;
	r->env.nr_nodes = topo_nr_nodes();
	r->env.duration_ns = c->duration_ns;
	r->env.is_root = geteuid() == 0;
	rc = preflight(r);
	if (rc)
		return rc;
	rc = 1;

	/* Stay alive: locked memory, never the OOM victim, stop cleanly on signals. */
	write_oom_adj("-1000");
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		fprintf(stderr, "stallbench: mlockall: %s (continuing)\n", strerror(errno));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	cg_reap_stale();
	/* Knobs a killed run left set come back first; then this run's. */
	ret = mm_reap_stale(c->mm.n > 0, msg, sizeof(msg));
	if (ret == -EBUSY) {
		fprintf(stderr, "stallbench: cannot run here: %s\n", msg);
		return 4;
	}
	ret = mm_apply(&c->mm, msg, sizeof(msg));
	if (ret) {
		fprintf(stderr, "stallbench: %s\n", msg);
		return ret == -EINVAL ? 2 : 1;
	}

	/* Opened before anything is created: a run that cannot capture
	 * (perf_event_open refused, rings that do not fit) leaves nothing. */
	if (c->capture) {
		if (capture_open(&c->cap_opts, &r->cap, r->cap_err, sizeof(r->cap_err))) {
			fprintf(stderr, "stallbench: stall capture: %s\n", r->cap_err);
			mm_restore(&c->mm);
			return 1;
		}
		r->nofail = capture_counts_nofail(r->cap);
		if (c->cap_opts.callchain) {
			r->stacks = json_object();
			if (r->nofail)
				r->nofail_stacks = json_object();
		}
		if (strstr(capture_events(r->cap), "oom:mark_victim"))
			r->victims = json_array();
	} else {
		snprintf(r->cap_err, sizeof(r->cap_err), "disabled with --no-capture");
	}
	ret = mkdir_p(c->out, 0755);
	if (ret) {
		fprintf(stderr, "stallbench: --out %s: %s\n", c->out, strerror(-ret));
		capture_close(r->cap);
		json_decref(r->stacks);
		json_decref(r->victims);
		mm_restore(&c->mm);
		return 2;
	}
	r->t0 = now_ns();
	/* meta.json first, marked incomplete: a crash from here on leaves that. */
	if (cg_create(&r->cg, c->cgroup_parent, "run", c->cap, msg, sizeof(msg))) {
		fprintf(stderr, "stallbench: %s\n", msg);
		goto out;
	}
	if (cg_set_limits(&r->cg, &c->lim, msg, sizeof(msg))) {
		fprintf(stderr, "stallbench: %s\n", msg);
		goto out;
	}
	for (unsigned int g = 0; g < c->nr_groups; g++) {
		struct run_group *G = &c->groups[g];

		if (cg_create(&G->cg, r->cg.name, G->name, G->cap, msg, sizeof(msg)) ||
		    cg_set_limits(&G->cg, &G->lim, msg, sizeof(msg))) {
			fprintf(stderr, "stallbench: group %s: %s\n", G->name, msg);
			goto out;
		}
	}
	_Static_assert(sizeof(r->env.cgroup_path) == sizeof(r->cg.path), "path sizes");
	memcpy(r->env.cgroup_path, r->cg.path, sizeof(r->cg.path));
	r->meta = build_meta(r);
	if (json_write_atomic(c->out, "meta.json", r->meta)) {
		fprintf(stderr, "stallbench: cannot write %s/meta.json\n", c->out);
		goto out;
	}
	live_status(r, false);
	{
		for (unsigned int g = 0; g < c->nr_groups; g++) {
			gnames[g] = c->groups[g].name;
			gcgs[g] = &c->groups[g].cg;
		}
	}
	reserve_make(c->out);
	r->ops_f = open_csv(r, &r->ops, "ops.csv", rr_ops_header);
	r->stalls_f = open_csv(r, &r->stalls, "stalls.csv", rr_stalls_header);
	if (!r->ops_f || !r->stalls_f || timeline_open(&r->tl, c->out, r->t0, &r->cg, c->nr_groups, gnames, gcgs)) {
		fprintf(stderr, "stallbench: cannot create result files in %s: %s\n", c->out,
			strerror(errno));
		goto out;
	}
	for (unsigned int i = 0; i < c->nr_wl; i++) {
		const struct workload *w = c->wl[i].w;

		if (w->setup && w->setup(c->wl[i].priv, &r->env, msg, sizeof(msg))) {
			fprintf(stderr, "stallbench: %s\n", msg);
			goto out;
		}
		if (w->describe) {
			json_t *o = json_array_get(json_object_get(json_object_get(r->meta, "params"),
								   "workloads"), i);

			if (o)
				w->describe(c->wl[i].priv, o);
		}
	}
	r->ctl = mmap(NULL, sizeof(*r->ctl), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r->ctl == MAP_FAILED) {
		r->ctl = NULL;
		goto out;
	}
	memset(r->ctl, 0, sizeof(*r->ctl));
	r->stop = &r->ctl->stop;
	if (attrib_new(&r->attr))
		goto out;
	r->pend = calloc(PEND_MAX, sizeof(*r->pend));
	if (!r->pend)
		goto out;
	r->cpend = PEND_MAX;
	if (c->global_pressure) {
		/* Held before the workers start; 60 s is plenty to lock tens of GiB. */
		if (pressure_start(c->global_pressure, 60000, &r->pr, msg, sizeof(msg))) {
			fprintf(stderr, "stallbench: %s\n", msg);
			goto out;
		}
		r->tl.pr = r->pr;
	}
	if (start_workers(r)) {
		fprintf(stderr, "stallbench: cannot start workers: %s\n", strerror(errno));
		r->ctl->stop = 1;
		goto out_workers;
	}
	if (r->cap)
		capture_enable(r->cap);
	pressure_go(r->pr);
	r->ctl->t_go = r->t_go = now_ns();
	close(r->go_fd);	/* releases every worker at once */
	r->go_fd = -1;
	deadline = r->t_go + c->duration_ns;
	hard = deadline + c->grace_ns;
	timeline_tick(&r->tl, r->t_go);
	last_tl = r->t_go;

	while (alive(r)) {
		uint64_t now;

		sleep_ns(TICK_NS);
		now = now_ns();
		reap(r);
		drain_all(r, false);
		if (now - last_tl >= c->tick_ns) {
			timeline_tick(&r->tl, now);
			timeline_flush(&r->tl);
			last_tl = now;
			live_status(r, false);
		}
		if (got_signal && !interrupted) {
			interrupted = true;
			r->ctl->stop = 1;
			hard = now + 2000000000ull;	/* 2 s to finish the op at hand */
			fprintf(stderr, "stallbench: %s, stopping (result will be marked incomplete)\n",
				strsignal(got_signal));
		}
		if (now >= deadline)
			r->ctl->stop = 1;
		if (!r->io.err && any_io_failed(r)) {
			/* A full disk: rows from now on would be lost in silence. */
			r->ctl->stop = 1;
			if (hard > now + 2000000000ull)
				hard = now + 2000000000ull;
		}
		if (now >= hard && alive(r)) {
			r->killed_by_watchdog = alive(r);
			if (!interrupted)
				timed_out = true;
			fprintf(stderr, "stallbench: %u worker(s) still running %.1fs past the deadline: killing\n",
				alive(r), (double)(now - deadline) / 1e9);
			kill_all(r, SIGKILL);
			for (int i = 0; i < 200 && alive(r); i++) {
				sleep_ns(10 * 1000 * 1000);
				reap(r);
			}
			break;
		}
	}
	r->t_end = now_ns();
	if (r->cap)
		capture_disable(r->cap);
	reap(r);
	/* A worker still inside an op (killed, but stuck in the kernel): that op
	 * is reported unfinished now, at the deadline, not whenever it returns. */
	for (unsigned int i = 0; i < r->nw; i++) {
		struct worker *w = &r->w[i];

		if (!w->exited && atomic_load_explicit(&w->ring->inflight, memory_order_acquire)) {
			struct oprec o = w->ring->cur;

			o.have_sched = 0;	/* cur holds the start values */
			o.latency_ns = r->t_end - o.t_start_ns;
			o.flags |= OPF_UNFINISHED;
			push_op(r, &o);
			atomic_store(&w->ring->inflight, 0);
		}
	}
	timeline_tick(&r->tl, r->t_end);
	drain_all(r, true);
	r->status = timed_out ? "timeout" : interrupted ? "incomplete" : "complete";
	rc = timed_out || interrupted ? 1 : 0;
	/*
	 * A worker that crashed (a signal other than SIGKILL, which is the OOM
	 * killer's or ours) or gave up (a non-zero exit) did not run what was
	 * asked: the run is not complete, whatever its rows say.
	 */
	for (unsigned int i = 0; i < r->nw; i++) {
		const struct worker *w = &r->w[i];
		const char *name = c->wl[w->wl].w->name;

		if (!w->exited)
			continue;
		if (WIFSIGNALED(w->status) && WTERMSIG(w->status) != SIGKILL) {
			fprintf(stderr, "stallbench: worker %s%u (pid %d) died of %s\n", name, w->idx,
				(int)w->pid, strsignal(WTERMSIG(w->status)));
			r->status = "incomplete";
			rc = 1;
		} else if (WIFEXITED(w->status) && WEXITSTATUS(w->status)) {
			fprintf(stderr, "stallbench: worker %s%u (pid %d) gave up (exit %d)\n", name,
				w->idx, (int)w->pid, WEXITSTATUS(w->status));
			r->status = "incomplete";
			rc = 1;
		}
	}
	if (r->io.err) {
		r->status = "incomplete";
		rc = 1;
	}

out_workers:
	if (r->ctl)
		r->ctl->stop = 1;
	kill_all(r, SIGKILL);
	/* Bounded: a worker inside a NOFAIL call dies only when the call
	 * returns, which may be minutes; the results do not wait for it. */
	for (int i = 0; i < 200 && alive(r); i++) {
		sleep_ns(10 * 1000 * 1000);
		reap(r);
	}
out:
	rf_close(r->ops, true);
	rf_close(r->stalls, true);
	any_io_failed(r);
	if (timeline_close(&r->tl))
		io_failed(r, NULL, "timeline.csv", r->tl.err, r->tl.err_op);
	if (r->io.err && r->meta) {
		/* complete files are never claimed: status stays or becomes incomplete */
		r->status = "incomplete";
		rc = 1;
	}
	if (r->pr) {
		pressure_end(r->pr);
		if (r->meta)
			json_object_set_new(r->meta, "pressure", pressure_json(r->pr));
		pressure_stop(r->pr);
		r->pr = NULL;
	}
	if (r->meta) {
		json_t *s;

		if (!r->t_end)
			r->t_end = now_ns();
		json_object_set_new(r->meta, "end_ns", json_integer((json_int_t)r->t_end));
		json_object_set_new(r->meta, "go_ns", json_integer((json_int_t)r->t_go));
		if (r->io.err) {
			/* meta.json first, into the room the reserve leaves: it says why */
			reserve_drop(c->out);
			set_io_error(r);
			if ((ret = json_write_atomic(c->out, "meta.json", r->meta)))
				fprintf(stderr, "stallbench: %s/meta.json: %s\n", c->out, strerror(-ret));
		}
		s = build_summary(r);
		ret = json_write_atomic(c->out, "summary.json", s);
		json_decref(s);
		if (ret)
			io_failed(r, NULL, "summary.json", ret, "write");
		write_stacks(r);
		if (r->io.err) {
			r->status = "incomplete";
			rc = 1;
			set_io_error(r);
		}
		json_object_set_new(r->meta, "status", json_string(r->status));
		reserve_drop(c->out);
		if ((ret = json_write_atomic(c->out, "meta.json", r->meta)) && !r->io.err) {
			fprintf(stderr, "stallbench: %s/meta.json: %s\n", c->out, strerror(-ret));
			rc = 1;
		}
		live_status(r, true);
	}
	if (r->cap)
		capture_close(r->cap);
	for (unsigned int i = 0; i < c->nr_wl; i++)
		if (c->wl[i].w->cleanup)
			c->wl[i].w->cleanup(c->wl[i].priv, &r->env);
	/* Results are final: now wait for workers stuck in the kernel, so that
	 * their cgroup can be removed. */
	for (unsigned int i = 0; i < r->nw; i++)
		if (!r->w[i].exited && r->w[i].pid > 0) {
			fprintf(stderr, "stallbench: results written; waiting for worker %d, "
				"killed but still inside the kernel\n", (int)r->w[i].pid);
			waitpid(r->w[i].pid, &r->w[i].status, 0);
		}
	mm_restore(&c->mm);
	for (unsigned int g = 0; g < c->nr_groups; g++)
		if (c->groups[g].cg.path[0] && cg_destroy(&c->groups[g].cg))
			fprintf(stderr, "stallbench: could not remove cgroup %s\n",
				c->groups[g].cg.path);
	if (cg_destroy(&r->cg))
		fprintf(stderr, "stallbench: could not remove cgroup %s\n", r->cg.path);
	for (unsigned int i = 0; i < r->nw; i++)
		if (r->w[i].ring)
			munmap(r->w[i].ring, r->w[i].ring_bytes);
	free(r->w);
	free(r->pend);
	rf_free(r->ops);
	rf_free(r->stalls);
	if (r->attr)
		attrib_free(r->attr);
	json_decref(r->meta);
	json_decref(r->stacks);
	json_decref(r->nofail_stacks);
	json_decref(r->victims);
	for (unsigned int i = 0; i < RUN_MAX_WL; i++)
		for (unsigned int k = 0; k < MAX_OPS_PER_WL; k++) {
			hist_free(&r->agg[i][k].lat);
			hist_free(&r->agg[i][k].stall);
			hist_free(&r->agg[i][k].rounds);
		}
	for (int s = 0; s < 2; s++)
		for (int k = 0; k < STALL_NR_KINDS; k++) {
			hist_free(&r->sagg[s][k].dur);
			json_decref(r->sagg[s][k].reasons);
		}
	if (r->meta == NULL && rc == 0)
		rc = 1;
	if (r->io.err)
		/* the one line a full disk gets */
		fprintf(stderr, "stallbench: %s/%s: %s failed: %s: run stopped after %llu ops, "
			"status incomplete\n", c->out, r->io.file, r->io.op, strerror(-r->io.err),
			(unsigned long long)r->io.rows);
	else if (rc == 0)
		fprintf(stderr, "stallbench: %s: %llu ops, status %s\n", c->out,
			(unsigned long long)r->rows, r->status);
	else
		fprintf(stderr, "stallbench: %s: status %s\n", c->out, r->status);
	return rc;
}
