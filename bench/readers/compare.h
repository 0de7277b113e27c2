/*
 * Comparing runs. A run is one result directory, or several directories
 * given as "dir1,dir2,..." that are repetitions of the same configuration.
 * cmp_load() streams each run's ops.csv and stalls.csv into per-op and
 * per-stall-kind histograms and one summary per repetition, then reads them
 * again for the exact percentiles (qsel.h: only the values in the wanted
 * histogram buckets are kept), so its memory does not grow with the ops;
 * cmp_build() turns runs into one JSON model (per
 * metric: each run's value, change against the first, and tests on the
 * repetitions, which are the replicated unit), which is printed as JSON as
 * is, or rendered as a 72-column text table or Markdown. plot.c reuses the
 * loaded figures (with CMP_LOAD_CDF, the ranks of its CDFs). Unfinished ops (cut at the deadline) count as unfinished
 * and stay out of every distribution: their latency is only a lower bound.
 */
#ifndef STALLBENCH_COMPARE_H
#define STALLBENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "resread.h"
#include "qsel.h"

#define CMP_MAX_ERRNAMES	16
#define CMP_MAX_NODES		64

struct cmp_vec {
	double *v;
	size_t n, cap;
};

struct cmp_errcount {
	char name[24];
	uint64_t n;
};

/* Latency by NUMA node (ops.csv "node" column; -1 = not bound). */
struct cmp_nodestat {
	int node;
	uint64_t count;
	double mean, p50, p99;	/* ns */
	struct qsel lat;	/* load-time: its latencies */
};

#define CMP_ROUNDS_EXACT	1024	/* rounds counted exactly below this, log2 above */

/* One repetition's figures for one op (finished ops only). */
#define CMP_MAX_SITES 12	/* wait sites kept per op; offcpu.csv's most first */

struct cmp_rep {
	int dir;		/* index in cmp_run.dirs */
	uint64_t count;
	double logmean;		/* mean of ln(latency_ns): a geometric mean's log */
	double mean, p50;	/* latency ns */
	double rounds;		/* reclaim rounds per op */
	double stall;		/* stall ns per op */
	double sleep;		/* ns asleep per op (schedstat); NAN when not measured */
	/* ns asleep per op at each of the op's wait sites (cmp_opstat.sites), outside
	 * reclaim stalls (offcpu.csv); sites_known false: not recorded */
	double site_ns[CMP_MAX_SITES];
	bool sites_known;
	double p99;		/* latency ns; NAN below 100 ops (a p99 needs them) */
	double ops_s;		/* finished ops per second of the run; NAN below 10 ops */
	double killed, null, enomem;	/* calls killed, NULL from NOFAIL, ENOMEM (unfinished too) */
};

/*
 * One repetition's outcome, whatever its ops: what the OOM killer did, how
 * far the memcg went past its cap (a NOFAIL charge may not fail: it is
 * forced). NAN where the result does not say.
 */
struct cmp_repout {
	double oom_kills;	/* summary oom_kills */
	double oom_events;	/* memory.events oom: the memcg OOM killer ran */
	double oom_kill;	/* memory.events oom_kill */
	double peak_bytes;	/* the timeline's largest memcg usage */
	double cap_bytes;	/* cgroup cap_bytes (memory.max) */
	double duration_ns;	/* the run's own duration */
};

struct cmp_opstat {
	char name[160];		/* "workload/op" */
	size_t wlen;		/* the workload's part of name */
	uint64_t count;		/* finished ops */
	/* latency_ns of the finished ops: count, min, max, sum, and the exact
	 * values at the ranks the readers ask for (cmp_lat_pct, cmp_lat_rank) */
	struct qsel lat;
	double mean, stddev;	/* ns */
	struct qsel rounds;	/* reclaim_rounds of the finished ops, likewise */
	struct cmp_rep *reps;	/* one per repetition that ran this op */
	struct qsel *rep_lat;	/* load-time: each repetition's latencies (reps[i]) */
	int nreps;
	char sites[CMP_MAX_SITES][64];	/* the wait sites its reps slept at (offcpu.csv) */
	int nsites;
	uint64_t rounds_lo[CMP_ROUNDS_EXACT];	/* ops that saw exactly i rounds */
	uint64_t rounds_hi[64];	/* ops with rounds in [2^i, 2^(i+1)), i >= 10 */
	double rounds_sum;
	uint64_t rounds_max;
	uint64_t errors;
	struct cmp_errcount err[CMP_MAX_ERRNAMES];
	int nerr;
	uint64_t other_errs;	/* errno names beyond CMP_MAX_ERRNAMES */
	uint64_t killed, null, mismatch, unfinished;
	uint64_t stall_ns;
	double sleep_ns;	/* summed over the ops with schedstat (sleep_n) */
	double cpu_ns, runq_ns;	/* ... and their time on a CPU, waiting for one */
	uint64_t sleep_n;
	struct cmp_nodestat nodes[CMP_MAX_NODES];
	int nnodes;
	/* load-time scratch */
	double rep_sum, rep_logsum, rep_rounds, rep_stall, rep_sleep;
	uint64_t rep_n, rep_sleep_n, rep_killed, rep_null, rep_enomem;
	struct qsel rep_cur;	/* the current repetition's latencies (from the second one) */
	/* one selector for what are the same values: while an op has had one
	 * node, nodes[0].lat is not fed (lat stands for it); while it has had
	 * one repetition, neither rep_cur nor rep_lat[0]. qs_clone parts them
	 * when a second node or repetition comes. */
	bool node_alias, rep0_alias;
	int rep_dir;		/* repetition rep_cur belongs to */
	int p2_rep;		/* later passes: the index in reps of the dir read, -1 none */
	double w_mean, w_s2;	/* Welford over every finished op's latency */
};

struct stallunion;

struct cmp_stallstat {
	char name[48];		/* "run/direct", "system/compact", ... */
	struct qsel dur;	/* duration_ns: count, sum, max, exact percentiles */
	uint64_t total_ns;
	uint64_t own_ns;	/* the part not inside an outer stall of its task (stallkind.h's
				 * depth): the kinds' own times add up to the stalled time */
	uint64_t with_count;	/* stalls that report nr_reclaimed */
	uint64_t no_progress;	/* ... of which reclaimed nothing */
	struct cmp_vec rep_total;	/* total ns per repetition (0 where none) */
	uint64_t rep_acc;	/* load-time scratch */
};

struct cmp_run {
	char id[4];		/* "A", "B", ... */
	char label[512];	/* what sets it apart from the others (cmp_label_runs) */
	char kernel[256];	/* release + boot words not shared by all (cmp_label_runs) */
	struct rr_dir *dirs;	/* repetitions, open (meta/summary loaded) */
	json_t *exp;		/* the experiment (cmp_experiment of dirs[0]), built once by cmp_load */
	struct cmp_repout *out;	/* one per dir */
	int ndirs;
	struct cmp_opstat *ops;
	size_t nops;
	struct cmp_stallstat *stalls;
	size_t nstalls;
	struct stallunion *un[2];	/* load-time scratch: a repetition's run, system tasks */
	struct cmp_spill *spill;	/* load-time: pass 1's ops for the later passes ... */
	struct cmp_spill *sspill;	/* ... and its stalls */
	uint64_t oom_kills, lost_events, bad_rows;
	uint64_t oom_outside;	/* OOM victims that were not the run's workers (summary oom_victims) */
	bool oom_known, lost_known;
	const char *status;	/* worst status among the dirs */
};

struct cmp_opts {
	double alpha;		/* significance level, e.g. 0.05 */
	const char *vary;	/* comma-separated experiment keys varied on purpose
				 * (e.g. "cap_bytes,high_bytes"): compared, not warned of */
};

/* Nearest-rank value of reclaim rounds at quantile q (exact); NAN when not asked for. */
double cmp_rounds_pct(const struct cmp_opstat *o, double q);
/* The same for latency: p50, p90, p99, p99.9 (exact); min and max via rank 1 and count. */
double cmp_lat_pct(const struct cmp_opstat *o, double q);
/* Latency and rounds at a rank (1..count) the load asked for; NAN otherwise. */
double cmp_lat_rank(const struct cmp_opstat *o, uint64_t rank);
double cmp_rounds_rank(const struct cmp_opstat *o, uint64_t rank);
/* Finished ops by floor(log2(latency_ns)) (0 for 0 and 1 ns). */
void cmp_lat_log2(const struct cmp_opstat *o, uint64_t cnt[64]);
/*
 * The ranks of a CDF of n values, ascending and unique: every value up to
 * CMP_CDF_ALL, else a grid of 1000 plus a log-spaced tail (at most
 * CMP_CDF_MAX). rk holds CMP_CDF_MAX; returns how many. With CMP_LOAD_CDF
 * the load asks for these ranks (and every rank below CMP_FEW_OPS).
 */
#define CMP_CDF_ALL	2000
#define CMP_CDF_MAX	4000
#define CMP_FEW_OPS	50	/* an op with fewer calls is plotted call by call */
size_t cmp_cdf_ranks(uint64_t n, uint64_t *rk);
#define CMP_LOAD_CDF	(1u << 16)	/* cmp_load flag beside the RR_* ones */
/* Loads one run from "dir[,dir...]". 0 or -errno with msg set. */
int cmp_load(struct cmp_run *r, const char *spec, unsigned int rr_flags, char *msg, size_t len);
void cmp_run_free(struct cmp_run *r);
/*
 * Sets ids and labels: what differs between the runs, short: the kernel
 * (release and boot words not shared by all, the lab's own left out) when
 * kernels differ, and the experiment's parameters that differ (cap, mix,
 * flags, node...); the release alone when nothing differs.
 */
void cmp_label_runs(struct cmp_run *runs, int n);
/*
 * The experiment of a result, as a JSON object: run parameters (workloads
 * and their options, cap, duration, node, workers...) and cgroup version,
 * without what is not the experiment (paths, argv, pids). Caller decrefs.
 * cmp_load builds a run's once (cmp_run.exp); the labels and the model use
 * that one, and the model builds the other repetitions' to check them alike.
 */
json_t *cmp_experiment(const struct rr_dir *d);
/* A run's op ("workload/op") or stall kind ("run/direct") by name, or NULL. */
const struct cmp_opstat *cmp_run_op(const struct cmp_run *r, const char *name);
const struct cmp_stallstat *cmp_run_stall(const struct cmp_run *r, const char *name);
/* The comparison model; NULL on allocation failure. Caller json_decref()s. */
json_t *cmp_build(const struct cmp_run *runs, int n, const struct cmp_opts *o);
/*
 * Holm over every test of models[0..nm) (a letter's points): sets each
 * test's p_holm, significant and ci_adj (the interval at the level the
 * adjusted p implies), the family's size and each model's verdict. cmp_build
 * does it over its own model; a letter calls it again over all. 0 or -ENOMEM.
 */
int cmp_family_adjust(json_t **models, size_t nm, double alpha);
/* "-62.8% [-64.1%, -61.4%]": test t's change in percent of A, adjusted interval. */
void cmp_fmt_change_ci(char *buf, size_t len, json_t *t, const char *metric);
/* A value of a tested metric in its unit: "35928", "2.18ms", "480/s". */
void cmp_fmt_value(char *buf, size_t len, const char *metric, double v);
/*
 * The cover letter's body over n sweep points (models adjusted together by
 * cmp_family_adjust, names[i] each point's name): the verdict, outcomes
 * first, then a compact table per point. aa_rate: the measured A/A
 * false-alarm rate of the test, as the letter states it. 0 or -EIO.
 */
int cmp_print_letter(FILE *f, json_t **models, const char *const *names, size_t n,
		     const char *aa_rate);
/* The same body as HTML (paragraphs, one table per point), for the bundle's page. */
int cmp_print_letter_html(FILE *f, json_t **models, const char *const *names, size_t n,
			  const char *aa_rate);
/* "+50%", "-7.3%": a change in percent, sign always. */
void cmp_fmt_pct(char *buf, size_t len, double pct);
/* A metric key ("rounds") as a verdict names it ("reclaim rounds per call"). */
const char *cmp_metric_what(const char *metric);
/* Renders the model. 0 or -errno (write error). */
enum {
	CMP_SHOW_HEADER = 1 << 0,	/* runs, kernels, mm settings */
	CMP_SHOW_VERDICT = 1 << 1,
	CMP_SHOW_TABLES = 1 << 2,	/* this comparison's caveats, tables, footnote */
	CMP_SHOW_ALL = 7,
	CMP_SHOW_NOFOOT = 1 << 3,	/* tables without their footnote (one at the end) */
};
/* The letter's stated A/A false-alarm rate, as tests/compare/letter_test.sh measures it. */
#define CMP_AA_RATE	"0 of 60 letters"
int cmp_print_text(FILE *f, json_t *model, unsigned int show);
/*
 * The verdict alone, one line per significant change, prefix before each.
 * Returns 0 (no significant change), 3 (a significant change) or 2 (not
 * comparable: a different experiment, or a side with < 2 repetitions).
 */
int cmp_print_verdict(FILE *f, json_t *model, const char *prefix);
int cmp_print_markdown(FILE *f, json_t *model);
/* s as HTML text (< > & and "): the letter's page and the bundle's index */
void cmp_html_esc(FILE *f, const char *s);

#endif
