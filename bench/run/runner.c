/*
 * The runner ties one `stallbench run` together. Its story, in the order
 * run_execute() tells it: check it can run here (nothing created when it
 * cannot), keep the driver alive, put back what a killed run left and set
 * this run's kernel knobs, open the capture, make the result directory and
 * the cgroups, write meta.json (incomplete), start the workers, drain and
 * sample until they are done or the deadline, stop, say how the run ended,
 * write the summary and the final meta.json, and put everything back: on
 * every way out (normal end, deadline, SIGINT/SIGTERM, worker deaths, a
 * full disk) the cgroups go, the knobs come back, and the result is marked
 * honestly: complete, incomplete or timeout.
 *
 * The driver keeps itself alive under the pressure it creates: it is never
 * in the capped cgroup, locks its memory, sets oom_score_adj -1000 as root,
 * and maps the workers' op rings before forking so their pages are charged
 * to it, not to the cap. Workers get oom_score_adj +1000 and die with it
 * (PR_SET_PDEATHSIG), and a stale cgroup of a killed driver is removed at the
 * next start. The jobs are in run_workers.c, run_pipeline.c, run_results.c
 * and run_json.c (run_impl.h).
 */
#include "run_impl.h"
#include "mmknob.h"
#include "resultio.h"
#include "topo.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define TICK_NS (50ull * 1000 * 1000)	/* rings and capture drained this often */
#define SEC_NS 1000000000ull

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / SEC_NS), (long)(ns % SEC_NS) };

	nanosleep(&ts, NULL);
}

/* --- before anything is created ------------------------------------------ */

static void env_init(struct runner *r)
{
	struct run_cfg *c = r->cfg;

	r->env.outdir = c->out;
	r->env.cap = c->cap ? c->cap : c->lim.high;	/* what workloads size by */
	r->env.node = c->node;
	r->env.nr_nodes = topo_nr_nodes();
	r->env.duration_ns = c->duration_ns;
	r->env.is_root = geteuid() == 0;
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

/* Stay alive: locked memory, never the OOM victim, stop cleanly on signals. */
static void stay_alive(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	write_oom_adj("-1000");
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		fprintf(stderr, "stallbench: mlockall: %s (continuing)\n", strerror(errno));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* What a killed run left comes back first (its cgroups, its knobs); then
 * this run's --mm knobs are set. 0, or an exit code. */
static int take_over(struct runner *r)
{
	struct run_cfg *c = r->cfg;
	char msg[512];
	int ret;

	cg_reap_stale();
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
	return 0;
}

/* Opened before anything is created: a run that cannot capture
 * (perf_event_open refused, rings that do not fit) leaves nothing. 0, or an exit code. */
static int open_capture(struct runner *r)
{
	struct run_cfg *c = r->cfg;

	if (!c->capture) {
		snprintf(r->cap_err, sizeof(r->cap_err), "disabled with --no-capture");
		return 0;
	}
	if (capture_open(&c->cap_opts, &r->cap, r->cap_err, sizeof(r->cap_err))) {
		fprintf(stderr, "stallbench: stall capture: %s\n", r->cap_err);
		mm_restore(&c->mm);
		return 1;
	}
	r->nofail = capture_counts_nofail(r->cap);
	r->nofail_mode = capture_nofail_mode(r->cap);
	r->offcpu = capture_offcpu(r->cap);
	if (r->offcpu)
		r->offcpu_stacks = json_object();
	r->oncpu = capture_oncpu_period(r->cap);
	if (r->oncpu)
		r->oncpu_stacks = json_object();
	if (c->cap_opts.callchain) {
		r->stacks = json_object();
		if (r->nofail)
			r->nofail_stacks = json_object();
	}
	if (strstr(capture_events(r->cap), "oom:mark_victim"))
		r->victims = json_array();
	return 0;
}

/* The result directory; refused (2), everything is put back. */
static int make_outdir(struct runner *r)
{
	struct run_cfg *c = r->cfg;
	int ret = mkdir_p(c->out, 0755);

	if (!ret)
		return 0;
	fprintf(stderr, "stallbench: --out %s: %s\n", c->out, strerror(-ret));
	capture_close(r->cap);
	json_decref(r->stacks);
	json_decref(r->nofail_stacks);
	json_decref(r->offcpu_stacks);
	json_decref(r->oncpu_stacks);
	json_decref(r->victims);
	mm_restore(&c->mm);
	return 2;
}

/* --- set-up: from here on, a result directory says how the run ended ------ */

/* The run's cgroup and its groups, with their limits. 0 or -1, said on stderr. */
static int make_cgroups(struct runner *r)
{
	struct run_cfg *c = r->cfg;
	char msg[512];

	if (cg_create(&r->cg, c->cgroup_parent, "run", c->cap, msg, sizeof(msg)) ||
	    cg_set_limits(&r->cg, &c->lim, msg, sizeof(msg))) {
		fprintf(stderr, "stallbench: %s\n", msg);
		return -1;
	}
	for (unsigned int g = 0; g < c->nr_groups; g++) {
		struct run_group *G = &c->groups[g];

		if (cg_create(&G->cg, r->cg.name, G->name, G->cap, msg, sizeof(msg)) ||
		    cg_set_limits(&G->cg, &G->lim, msg, sizeof(msg))) {
			fprintf(stderr, "stallbench: group %s: %s\n", G->name, msg);
			return -1;
		}
	}
	_Static_assert(sizeof(r->env.cgroup_path) == sizeof(r->cg.path), "path sizes");
	memcpy(r->env.cgroup_path, r->cg.path, sizeof(r->cg.path));
	return 0;
}

/* What workload i says of itself in meta.json (at set-up, and again at the end). */
static void describe_workload(struct runner *r, unsigned int i)
{
	const struct workload *w = r->cfg->wl[i].w;
	json_t *o;

	if (!w->describe || !r->meta)
		return;
	o = json_array_get(json_object_get(json_object_get(r->meta, "params"), "workloads"), i);
	if (o)
		w->describe(r->cfg->wl[i].priv, o);
}

/* Each workload's set-up, and what it says of itself in meta.json. 0 or -1. */
static int setup_workloads(struct runner *r)
{
	struct run_cfg *c = r->cfg;
	char msg[512];

	for (unsigned int i = 0; i < c->nr_wl; i++) {
		const struct workload *w = c->wl[i].w;

		if (w->setup && w->setup(c->wl[i].priv, &r->env, msg, sizeof(msg))) {
			fprintf(stderr, "stallbench: %s\n", msg);
			return -1;
		}
		r->nr_wl_setup = i + 1;
		describe_workload(r, i);
	}
	return 0;
}

/* The control block shared with the workers, and the op pipeline. 0 or -1. */
static int setup_shared(struct runner *r)
{
	r->ctl = mmap(NULL, sizeof(*r->ctl), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r->ctl == MAP_FAILED) {
		r->ctl = NULL;
		return -1;
	}
	memset(r->ctl, 0, sizeof(*r->ctl));
	r->stop = &r->ctl->stop;
	return pipe_init(r) ? -1 : 0;
}

/* --global-pressure: held before the workers start; 60 s is plenty to lock tens of GiB. */
static int hold_pressure(struct runner *r)
{
	struct run_cfg *c = r->cfg;
	char msg[512];

	if (!c->global_pressure)
		return 0;
	if (pressure_start(c->global_pressure, 60000, &r->pr, msg, sizeof(msg))) {
		fprintf(stderr, "stallbench: %s\n", msg);
		return -1;
	}
	r->tl.pr = r->pr;
	return 0;
}

static int setup(struct runner *r)
{
	r->t0 = now_ns();
	if (make_cgroups(r) || results_begin(r) || setup_workloads(r) || setup_shared(r) ||
	    hold_pressure(r))
		return -1;
	return 0;
}

/* --- the run ------------------------------------------------------------- */

/* The workers' switches and wake-ups, filtered in the kernel to them, and their
 * cpu-clock events. 0 or -1, said. */
static int set_tasks(struct runner *r)
{
	uint32_t *t = calloc(r->nw + 1, sizeof(*t));
	char msg[256];
	int err;

	if (!t)
		return -1;
	for (unsigned int i = 0; i < r->nw; i++)
		t[i] = (uint32_t)r->w[i].pid;
	err = capture_set_tasks(r->cap, t, r->nw, msg, sizeof(msg));
	free(t);
	if (err)
		fprintf(stderr, "stallbench: off/on-CPU capture: %s (--no-offcpu, --no-oncpu run "
			"without them)\n", msg);
	return err ? -1 : 0;
}

/* Forks the workers, turns the capture on and releases them all at once. 0 or -1. */
static int start(struct runner *r)
{
	if (workers_start(r)) {
		fprintf(stderr, "stallbench: cannot start workers: %s\n", strerror(errno));
		r->ctl->stop = 1;
		return -1;
	}
	if (r->cap && (r->offcpu || r->oncpu) && set_tasks(r)) {
		r->ctl->stop = 1;
		return -1;
	}
	if (r->cap)
		capture_enable(r->cap);
	pressure_go(r->pr);
	r->ctl->t_go = r->t_go = now_ns();
	close(r->go_fd);	/* releases every worker at once */
	r->go_fd = -1;
	r->deadline = r->t_go + r->cfg->duration_ns;
	r->hard = r->deadline + r->cfg->grace_ns;
	timeline_tick(&r->tl, r->t_go);
	return 0;
}

/* SIGINT, SIGTERM, SIGHUP: the workers stop, with 2 s to finish the op at hand. */
static void on_interrupt(struct runner *r, uint64_t now)
{
	if (!got_signal || r->interrupted)
		return;
	r->interrupted = true;
	r->ctl->stop = 1;
	r->hard = now + 2 * SEC_NS;
	fprintf(stderr, "stallbench: %s, stopping (result will be marked incomplete)\n",
		strsignal(got_signal));
}

/* A result file failed (a full disk): rows from now on would be lost in silence. */
static void on_io_error(struct runner *r, uint64_t now)
{
	if (r->io.err || !results_any_io_failed(r))
		return;
	r->ctl->stop = 1;
	if (r->hard > now + 2 * SEC_NS)
		r->hard = now + 2 * SEC_NS;
}

/* Past the hard deadline, the workers still running are killed; true if they were. */
static bool watchdog(struct runner *r, uint64_t now)
{
	if (now < r->hard || !workers_alive(r))
		return false;
	r->killed_by_watchdog = workers_alive(r);
	if (!r->interrupted)
		r->timed_out = true;
	fprintf(stderr, "stallbench: %u worker(s) still running %.1fs past the deadline: killing\n",
		workers_alive(r), (double)(now - r->deadline) / 1e9);
	workers_kill_wait(r);
	return true;
}

/* Until every worker is done: rings and capture drained every TICK_NS, the
 * timeline and the live status every --tick, the deadlines kept. */
static void main_loop(struct runner *r)
{
	uint64_t last_tl = r->t_go;

	while (workers_alive(r)) {
		uint64_t now;

		sleep_ns(TICK_NS);
		now = now_ns();
		workers_reap(r);
		pipe_drain(r, false);
		if (now - last_tl >= r->cfg->tick_ns) {
			timeline_tick(&r->tl, now);
			timeline_flush(&r->tl);
			last_tl = now;
			results_live(r, false);
		}
		on_interrupt(r, now);
		if (now >= r->deadline)
			r->ctl->stop = 1;
		on_io_error(r, now);
		if (watchdog(r, now))
			break;
	}
}

/* The end: capture off, the ops still in flight (unfinished), the last
 * timeline row, and everything drained and attributed. */
static void stop(struct runner *r)
{
	r->t_end = now_ns();
	if (r->cap)
		capture_disable(r->cap);
	workers_reap(r);
	workers_end_inflight(r, r->t_end);
	timeline_tick(&r->tl, r->t_end);
	pipe_drain(r, true);
}

/* How the run ended: its status, and the exit code that says it. */
static int judge(struct runner *r)
{
	int rc = r->timed_out || r->interrupted ? 1 : 0;

	r->status = r->timed_out ? "timeout" : r->interrupted ? "incomplete" : "complete";
	if (workers_failed(r) || r->io.err) {
		r->status = "incomplete";
		rc = 1;
	}
	return rc;
}

/* Whatever happened, no worker goes on (bounded: one inside a NOFAIL call
 * dies only when the call returns, and the results do not wait for it). */
static void stop_workers(struct runner *r)
{
	if (r->ctl)
		r->ctl->stop = 1;
	workers_kill_wait(r);
}

/* --- the end, on every way out ------------------------------------------- */

/* The files closed, the pressure holder's account, summary.json and the last meta.json. */
static int finish(struct runner *r, int rc)
{
	rc = results_close(r, rc);
	/* After the last collect: what the workloads counted during the run. */
	for (unsigned int i = 0; i < r->nr_wl_setup; i++)
		describe_workload(r, i);
	if (r->pr) {
		pressure_end(r->pr);
		if (r->meta)
			json_object_set_new(r->meta, "pressure", pressure_json(r->pr));
		pressure_stop(r->pr);
		r->pr = NULL;
	}
	return results_finish(r, rc);
}

/* Everything put back: the capture, the workloads' files, the workers stuck
 * in the kernel waited for (their cgroup cannot go before), the knobs, the
 * cgroups, the driver's memory. */
static void teardown(struct runner *r)
{
	struct run_cfg *c = r->cfg;

	if (r->cap)
		capture_close(r->cap);
	for (unsigned int i = 0; i < c->nr_wl; i++)
		if (c->wl[i].w->cleanup)
			c->wl[i].w->cleanup(c->wl[i].priv, &r->env);
	workers_wait_stuck(r);
	mm_restore(&c->mm);
	for (unsigned int g = 0; g < c->nr_groups; g++)
		if (c->groups[g].cg.path[0] && cg_destroy(&c->groups[g].cg))
			fprintf(stderr, "stallbench: could not remove cgroup %s\n",
				c->groups[g].cg.path);
	if (cg_destroy(&r->cg))
		fprintf(stderr, "stallbench: could not remove cgroup %s\n", r->cg.path);
	workers_free(r);
	pipe_free(r);
	results_free(r);
}

/* The one line every run ends with. */
static void say_end(const struct runner *r, int rc)
{
	const char *out = r->cfg->out;

	if (r->io.err)
		/* the one line a full disk gets */
		fprintf(stderr, "stallbench: %s/%s: %s failed: %s: run stopped after %llu ops, "
			"status incomplete\n", out, r->io.file, r->io.op, strerror(-r->io.err),
			(unsigned long long)r->io.rows);
	else if (rc == 0)
		fprintf(stderr, "stallbench: %s: %llu ops, status %s\n", out,
			(unsigned long long)r->rows, r->status);
	else
		fprintf(stderr, "stallbench: %s: status %s\n", out, r->status);
}

int run_execute(struct run_cfg *c)
{
	struct runner R = { .cfg = c, .status = "incomplete", .go_fd = -1 }, *r = &R;
	int rc;

	env_init(r);
	rc = preflight(r);
	if (rc)
		return rc;
	stay_alive();
	rc = take_over(r);
	if (!rc)
		rc = open_capture(r);
	if (!rc)
		rc = make_outdir(r);
	if (rc)
		return rc;
	rc = 1;
	if (!setup(r)) {
		if (!start(r)) {
			main_loop(r);
			stop(r);
			rc = judge(r);
		}
		stop_workers(r);
	}
	rc = finish(r, rc);
	if (!r->meta && rc == 0)
		rc = 1;
	teardown(r);
	say_end(r, rc);
	return rc;
}
