/* One `stallbench run`: cgroup, placement, workers, capture, results. */
#ifndef STALLBENCH_RUNNER_H
#define STALLBENCH_RUNNER_H
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include "workload.h"
#include "capture.h"
#include "mmknob.h"
#include "cgroup.h"
#include "rfile.h"

#define RUN_MAX_WL 8
#define RUN_MAX_GROUPS 4

/* --group NAME: a sibling cgroup below the run's, with its own limits. */
struct run_group {
	char name[32];
	uint64_t cap;		/* memory.max, 0 = none */
	struct cg_limits lim;
	struct sb_cgroup cg;	/* while the run runs */
};

struct wl_inst {
	const struct workload *w;
	void *priv;
	unsigned int workers;	/* 0: the run's default */
	json_t *opts;		/* options as given + defaults, for meta.json */
	int cpu_node;		/* --cpu-node, -1: the run's --node or anywhere */
	char mem_nodes[64];	/* --mem-node, "": the run's --node or the kernel's choice */
	int mem_policy;		/* enum topo_policy */
	int group;		/* index in run_cfg.groups, -1: the run's cgroup */
};

struct run_cfg {
	struct wl_inst wl[RUN_MAX_WL];
	unsigned int nr_wl;
	uint64_t cap;		/* 0 = no cap */
	struct cg_limits lim;	/* memory.high/low/min/swap.max, v1 soft limit */
	struct run_group groups[RUN_MAX_GROUPS];
	unsigned int nr_groups;
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
	struct mm_set mm;	/* --mm knobs, set for the run and put back */
};

/* Runs it. Returns an exit code: 0 ok, 1 failure, 4 cannot run here. */
int run_execute(struct run_cfg *cfg);
#endif
