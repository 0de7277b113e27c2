/*
 * The runner's own parts, shared by its files and by nothing else (its unit
 * test excepted): the state of one run, and the four jobs around the story
 * runner.c tells. run_workers.c forks the workers into their cgroups, places
 * them, reaps and kills them; run_pipeline.c drains their op rings and the
 * capture, and attributes stalls to the ops, each op carried whole (record
 * and attribution) to the results; run_results.c writes the rows and keeps
 * the aggregates, run_json.c builds meta.json, summary.json and the live
 * status from them (the schema part's names and format_version).
 */
#ifndef STALLBENCH_RUN_IMPL_H
#define STALLBENCH_RUN_IMPL_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "attrib.h"
#include "cgroup.h"
#include "pressure.h"
#include "roundsrc.h"
#include "runner.h"
#include "stats.h"
#include "timeline.h"

#define MAX_OPS_PER_WL 16
#define MAX_ERRS 16
#define MAX_LOST_CPUS 1024

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
	uint64_t nofail_ops;	/* ops whose NOFAIL allocations are known */
	/* where the wall time went (ops with schedstat): on a CPU, runnable
	 * waiting for one, asleep (the rest) */
	uint64_t sched_n, cpu_ns, runq_ns, sleep_ns;
	struct hist sleep;
	/* off-CPU: "site\twaker" -> [sleeps, ns, ops] outside stalls; sleep inside
	 * stalls; asleep (schedstat) no switch explains; sites past an op's table */
	json_t *sites;
	uint64_t sl_in_stall, sl_unseen, sl_more;
	/* on-CPU: "site" -> [samples, ops], every sample inside the ops, and
	 * those of them inside the ops' reclaim stalls */
	json_t *cpu_sites;
	uint64_t cpu_samples, cpu_in_stall;
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

/* What the capture said at the end, for summary.json. */
struct capfacts {
	const char *events;	/* the traced set; NULL: nothing captured (see cap_err) */
	uint64_t lost;
	unsigned int ncpu;	/* entries in per_cpu */
	uint64_t per_cpu[MAX_LOST_CPUS];
};

struct runner {
	struct run_cfg *cfg;
	struct run_env env;
	unsigned int nr_wl_setup;	/* workloads whose setup() succeeded */
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
	struct capfacts capf;
	bool nofail;		/* NOFAIL allocations counted: else nofail_allocs is empty */
	const char *nofail_mode;	/* capture_nofail_mode(): counters[+records] */
	/* NOFAIL: ops without a counter reading (unfinished, a module's row); and
	 * with records (--callchain), the ops that have both and their sums: the
	 * counters' against the records' attributed to the same ops */
	uint64_t nofail_uncounted;
	struct { uint64_t ops, counters, records; } nofail_cross;
	json_t *nofail_stacks;	/* --callchain: folded stack -> NOFAIL allocations of workers */
	bool offcpu;		/* switches and wake-ups recorded: sleep by site */
	json_t *offcpu_stacks;	/* "workload/op;folded stack" -> ns asleep there, outside stalls */
	uint64_t oncpu;		/* on-CPU sampling period (ns of task CPU time), 0 not sampled */
	json_t *oncpu_stacks;	/* "workload/op;folded stack" -> cpu-clock samples there */
	struct pressure *pr;	/* --global-pressure holder, NULL without */
	char cap_err[256];
	json_t *meta, *stacks;
	json_t *victims;	/* oom:mark_victim, one object each: who was picked, who asked */
	uint64_t nvictims;
	uint64_t t0, t_go, t_end;
	uint64_t deadline, hard;	/* the workers stop at deadline, are killed at hard */
	bool timed_out, interrupted;
	const char *status;
	uint64_t oom_killed_workers, killed_by_watchdog, rows;
	/* attribution: pend[i] holds the op with cookie base + i */
	struct attrib *attr;
	struct pend *pend;
	size_t npend, cpend;
	uint64_t base;
	uint64_t mismatches, unpaired;
};

/* run_workers.c: the workers' lifecycle. */
void write_oom_adj(const char *v);
/* Maps the rings, forks every worker into its cgroup, held until go_fd closes. 0 or -errno. */
int workers_start(struct runner *r);
/* Reaps exited workers; an op a dead worker was inside goes down unfinished. */
void workers_reap(struct runner *r);
unsigned int workers_alive(const struct runner *r);
void workers_kill(struct runner *r, int sig);
/* SIGKILLs the workers and reaps them for up to 2 s (one inside a NOFAIL
 * call dies only when the call returns: the results do not wait for it). */
void workers_kill_wait(struct runner *r);
/* Ops still in flight in workers that have not exited, unfinished at t_end. */
void workers_end_inflight(struct runner *r, uint64_t t_end);
/* Whether a worker crashed or gave up (said on stderr): the run is not complete. */
bool workers_failed(const struct runner *r);
/* Waits for workers killed but stuck in the kernel (their cgroup cannot go before). */
void workers_wait_stuck(struct runner *r);
void workers_free(struct runner *r);

/* run_pipeline.c: op records and stalls, attributed, to the results. */
int pipe_init(struct runner *r);	/* 0 or -ENOMEM */
void pipe_push(struct runner *r, const struct oprec *o);
/* Reads every worker's ring as far as the queue has room; true if records are left. */
bool pipe_drain_rings(struct runner *r);
/* Rings, workloads' own records and the capture; final: everything, to the end. */
void pipe_drain(struct runner *r, bool final);
void pipe_free(struct runner *r);

/* run_results.c: the result files and the aggregates the summary is made of. */
/* Writes the first meta.json (incomplete), the live status, and opens the
 * row files and the timeline. 0 or -1, said on stderr. */
int results_begin(struct runner *r);
/* One op, its attribution (NULL: none, all 0): a row of ops.csv, the aggregates. */
void results_op(struct runner *r, const struct oprec *o, const struct attrib_op *at);
/* One stall: a row of stalls.csv, the aggregates, its stack's weight. */
void results_stall(struct runner *r, const struct stall *s, bool mine);
/* One point event (mine: a worker's): counts, NOFAIL stacks, OOM victims. */
void results_point(struct runner *r, const struct point *p, bool mine);
/* Notes the first result file that failed; true if any has. */
bool results_io_failed(struct runner *r, struct rfile *f, const char *name, int err,
		       const char *op);
bool results_any_io_failed(struct runner *r);
/* At most once a second (end: removes it). A failure only costs the live view. */
void results_live(struct runner *r, bool end);
/* Closes the row files and the timeline. Returns rc, or 1 when one failed. */
int results_close(struct runner *r, int rc);
/* Writes summary.json, the stacks and the final meta.json (nothing when the
 * first meta.json was never made). Returns rc, or 1 when the result is not
 * complete after all. */
int results_finish(struct runner *r, int rc);
void results_free(struct runner *r);

/* "workload/op;stack" plus n, in a flame graph's object. */
void results_count_stack(json_t *o, const char *wl, const char *op, const char *stack,
			 uint64_t n);
/* A flame graph's object as "stack weight" lines, into the result directory. */
void results_write_folded(struct runner *r, const char *name, json_t *stacks);

/* run_oncpu.c: the op's cpu-clock samples into its kind's sites and the flame graph. */
void oncpu_agg(struct runner *r, const struct oprec *o, const struct attrib_op *at,
	       struct opagg *a);
/* oncpu.csv and oncpu_stacks.folded (nothing when not sampled). */
void oncpu_write(struct runner *r);
/* summary.json's per-op "oncpu": samples, period, sites most first. */
json_t *oncpu_op_json(const struct runner *r, const struct opagg *a);

/* run_json.c: the JSON objects, built from the runner's state alone. */
/* meta.json's params.workloads: name, workers, options, op_traits (op -> names). */
json_t *runjson_workloads(const struct run_cfg *c);
json_t *runjson_meta(const struct runner *r);
json_t *runjson_summary(const struct runner *r);
/* lost: events lost so far, -1 when nothing is captured. */
json_t *runjson_live(const struct runner *r, const char *dir, int64_t lost);
/* meta.json's "error": the result file that failed, how, and what it holds. */
json_t *runjson_io_error(const struct runner *r);

#endif
