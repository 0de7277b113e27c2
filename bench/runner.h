/* One `stallbench run`: cgroup, placement, workers, capture, results. */
#ifndef STALLBENCH_RUNNER_H
#define STALLBENCH_RUNNER_H
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include "workload.h"
#include "capture.h"
#include "rfile.h"

#define RUN_MAX_WL 8

struct wl_inst {
	const struct workload *w;
	void *priv;
	unsigned int workers;	/* 0: the run's default */
	json_t *opts;		/* options as given + defaults, for meta.json */
};

struct run_cfg {
	struct wl_inst wl[RUN_MAX_WL];
	unsigned int nr_wl;
	uint64_t cap;		/* 0 = no cap */
	uint64_t global_pressure;	/* MemAvailable to hold the machine at; 0 = none */
	int node;		/* -1 = none */
	unsigned int workers;	/* default per workload */
	uint64_t duration_ns;
	uint64_t grace_ns;	/* after duration: workers get this long, then SIGKILL + timeout */
	uint64_t tick_ns;	/* timeline interval */
	char out[PATH_MAX];
	char cgroup_parent[256];
	bool capture;		/* trace stalls (needs root + perf tracepoints) */
	struct capture_opts cap_opts;
	uint64_t ring_ops;	/* op records per worker ring */
	enum rf_mode compress;	/* ops.csv/stalls.csv: plain, zstd, or zstd past compress_above */
	uint64_t compress_above;
	json_t *argv;		/* the command line, for meta.json */
};

/* Runs it. Returns an exit code: 0 ok, 1 failure, 4 cannot run here. */
int run_execute(struct run_cfg *cfg);
#endif
