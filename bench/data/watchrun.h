/*
 * One run as `stallbench watch` sees it: a result directory followed while
 * it is written. Each refresh reads only the rows appended since the last
 * one (resread's tails) and turns them into what a person watching a run
 * asks: ops/s and recent p99 per workload, stall time per second by kind,
 * reclaim rounds per second, memcg usage against the cap, PSI, OOM kills and
 * the last victim, lost events, elapsed and remaining time. Pure data:
 * following the files is watchrun.c's, the lines watchline.c's; printing
 * them is readers/watchprint.h's, the terminal and the discovery of runs
 * cmd_watch.c's.
 */
#ifndef STALLBENCH_WATCHRUN_H
#define STALLBENCH_WATCHRUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "resread.h"
#include "watchsites.h"

#define WR_MAX_WL	8
#define WR_RECENT	65536	/* latencies kept per workload for the recent p99 */
#define WR_HBUCKETS	(64 * 8)	/* log2 histogram, 8 sub-buckets: p99 of a whole run */
#define WR_WINDOW_NS	5000000000ull	/* "p99 over the last seconds" */
#define WR_BIN_NS	100000000ull	/* stall time is binned per 100 ms of run time */

enum wr_state { WR_WAITING, WR_RUNNING, WR_ENDED };

struct wr_wl {
	char name[64];
	uint64_t ops, ops_prev;		/* finished ops so far, at the last line */
	uint64_t errors;
	uint64_t hist[WR_HBUCKETS];
	uint64_t *rec_end, *rec_lat;	/* ring of (end, latency), WR_RECENT each */
	uint64_t rec_n;			/* pushed so far */
};

struct wr_kindbins {
	uint64_t *ns;		/* stall ns per bin */
	uint64_t *rows;		/* stall rows (reclaim rounds) per bin */
};

/* What one line says; rates are over the last interval, or over the whole
 * run once it has ended. NAN/-1 where not known. */
struct wr_line {
	enum wr_state state;
	const char *status;	/* "running", or the result's status once ended */
	double elapsed_s, remaining_s, duration_s;
	unsigned int nwl;
	struct {
		const char *name;
		double ops_per_s, p99_ms;
		uint64_t ops, errors;
	} wl[WR_MAX_WL];
	double stall_ms_per_s;			/* the run's own tasks */
	double stall_share;			/* of the workers' time: ms/s / (1000 workers) */
	double kind_ms_per_s[RR_STALL_NR_KINDS];
	double sys_stall_ms_per_s;		/* other tasks (kswapd...) */
	double rounds_per_s;
	double usage, cap;			/* bytes; usage is the peak once ended */
	double psi_some, psi_full;		/* percent */
	bool psi_cgroup;			/* the cgroup's PSI, else the system's */
	int64_t oom_kills;			/* -1 unknown */
	char victim[96];			/* "" none known */
	int64_t lost;				/* -1 unknown (not captured, or not yet said) */
};

struct stallunion;

struct watchrun {
	char dir[4096];
	char name[128];
	char status_file[4096];		/* the live status file it was found by, or "" */
	pid_t pid;
	/* made on another machine or boot (meta host.boot_id, else hostname):
	 * its pid means nothing here; it is alive while its files grow */
	bool remote;
	uint64_t grew_ns;		/* when its files last grew (remote) */
	long long seen_bytes;
	enum wr_state state;
	char end_status[32];
	bool opened, final_done;
	struct rr_dir d;
	struct rr_tail *tail[3];
	uint64_t start_ns, duration_ns, cap;
	unsigned int workers;		/* of every workload (meta.json) */
	int64_t go_rel;			/* first timeline row, ns after start; -1 unknown */
	uint64_t t_line;		/* when the last line (or the baseline) was taken */
	/* timeline */
	struct rr_tick first, last, prev;	/* prev: last row at the previous line */
	bool have_tick, have_prev;
	double peak_usage;
	/* ops */
	struct wr_wl wl[WR_MAX_WL];
	unsigned int nwl;
	char killed_victim[96];
	/* stalls: bins of run time, per kind (+1: other kinds), run and system;
	 * each kind's own time, a task's stalled moment once (stallunion.h) */
	struct wr_kindbins bins[2][RR_STALL_NR_KINDS + 1];
	struct stallunion *un[2];
	uint64_t nbins;
	uint64_t stall_total[2][RR_STALL_NR_KINDS + 1];
	uint64_t stall_rows_total;
	/* from the live status file, or summary.json at the end */
	int64_t lost;
	char victim[96];
	char inflight_op[96];		/* the op in flight the longest, "" none */
	uint64_t inflight_start_ns;	/* its start, CLOCK_MONOTONIC (the driver's machine) */
	struct watchsites sites;	/* per op, where its time asleep went so far */
	uint64_t bad_rows;
	char err[512];			/* last read error, "" none */
};

/* Starts following dir (may not have its meta.json yet). 0 or -errno. */
int wr_init(struct watchrun *w, const char *dir);
void wr_free(struct watchrun *w);
/* Reads what was appended; updates state. 0, or -errno with w->err set. */
int wr_poll(struct watchrun *w, uint64_t now_mono_ns);
/* Seconds the longest op in flight has run (live status), NAN if none. */
double wr_inflight_s(const struct watchrun *w);
/* Takes what the live status file says (lost events, the last OOM victim). */
void wr_take_status(struct watchrun *w, const char *status_path);
/* Fills one line: the last interval of a running run (since the previous
 * call or the baseline; interval_s only when neither is known), or the whole
 * run once it has ended. */
void wr_line(struct watchrun *w, uint64_t now_mono_ns, double interval_s, struct wr_line *l);
/* Stall ms/s of the run's tasks for each of the n seconds of run time up to
 * the latest data; returns how many were filled (the first ones may be 0). */
unsigned int wr_spark(const struct watchrun *w, double *ms, unsigned int n);

#endif
