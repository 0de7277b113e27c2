/*
 * The workload interface. A workload is one file in workloads/ defining one
 * struct workload and one line in workloads/registry.c. The driver parses the
 * workload's options from its table, calls setup() in the driver (outside the
 * capped cgroup), forks workers that call run() inside the cgroup, and calls
 * cleanup() on every exit path. Workers record every operation with op_begin()
 * / op_end() into memory shared with the driver, so a worker that is
 * OOM-killed loses nothing it completed.
 */
#ifndef STALLBENCH_WORKLOAD_H
#define STALLBENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "oprec.h"
#include "monoclock.h"

enum wl_opt_type {
	WOPT_SIZE,	/* uint64_t bytes: "4K", "256M", "1G" */
	WOPT_DURATION,	/* uint64_t ns: "10s", "500ms", "2m" */
	WOPT_UINT,	/* uint64_t */
	WOPT_STR,	/* char[WL_STR_MAX] */
	WOPT_BOOL,	/* bool: "yes/no/1/0/true/false/on/off" */
	WOPT_DOUBLE,	/* double */
};

#define WL_STR_MAX 256

/* One option of a workload: --<name> VALUE on the run command line. */
struct wl_opt {
	const char *name;
	enum wl_opt_type type;
	size_t off;		/* offset into the workload's private struct */
	const char *def;	/* default, parsed like user input; NULL: zero */
	const char *help;
	const char *alias;	/* another accepted name (a short one: --size for --alloc-size), or NULL */
};

/* What the driver knows about the run, handed to setup/cleanup/run. */
struct run_env {
	const char *outdir;	/* the result directory */
	uint64_t cap;		/* cgroup memory cap in bytes, 0 = none */
	int node;		/* NUMA node workers are bound to, -1 = none */
	unsigned int nr_nodes;	/* NUMA nodes on this machine */
	uint64_t duration_ns;
	bool is_root;
	char cgroup_path[1100];	/* filesystem path of the run's memory cgroup, "" if none */
};

/* Per-worker context, valid inside run(). */
struct wl_ctx {
	const struct run_env *env;
	void *priv;		/* the workload's parsed options + setup state */
	unsigned int worker;	/* global worker index in the run */
	unsigned int index;	/* index among this workload's workers */
	unsigned int nr_workers;	/* workers of this workload */
	uint8_t wl;		/* this workload's index in the run */
	int node;		/* node this worker's memory is bound to (or preferred), -1 none */
	uint64_t deadline_ns;	/* CLOCK_MONOTONIC: stop issuing ops after this */
	volatile const int *stop;	/* set by the driver: finish now */
	struct opring *ring;	/* shared with the driver */
	/* The thread's __GFP_NOFAIL allocations so far (a counter the driver's
	 * side opened in the worker), or NULL when they are not counted.
	 * op_begin/op_end record the op's delta themselves. */
	bool (*nofail_now)(void *arg, uint64_t *n);
	void *nofail_arg;
};

/* Extra per-run facts a workload wants in meta.json. */
struct json_t;

struct workload {
	const char *name;
	const char *help;
	const struct wl_opt *opts;	/* terminated by { .name = NULL } */
	size_t priv_size;
	const char *const *op_names;	/* op code -> name, NULL-terminated */
	/* op code -> OPT_* (as long as op_names, or shorter: the rest have none);
	 * NULL: no op has a trait. Recorded in meta.json for the readers. */
	const uint8_t *op_traits;
	size_t nr_op_traits;
	/* Background workloads (memhog) are not the measured subject; they
	 * still record their ops. */
	bool background;
	/* Checks parsed options make sense (at parse time, before anything is
	 * written). 0 or -EINVAL with the reason in err. Optional. */
	int (*check)(void *priv, const struct run_env *env, char *err, size_t len);
	/* 0 if it can run here, else -errno with the reason in why. */
	int (*supported)(const void *priv, const struct run_env *env, char *why, size_t len);
	/* Driver side, before workers fork. 0 or -errno, with a message in err. */
	int (*setup)(void *priv, const struct run_env *env, char *err, size_t len);
	/* Worker side, in the capped cgroup. Returns 0 or a positive exit code. */
	int (*run)(struct wl_ctx *ctx);
	/* Driver side, periodically and at the end: collect records the
	 * workload keeps outside the workers (e.g. the module's call log) and
	 * push them with opring_push_driver(). Optional. final=true at the end. */
	int (*collect)(void *priv, const struct run_env *env, struct opsink *sink, bool final);
	/* Adds workload facts (e.g. filesystem type) to meta's "workloads" entry:
	 * after setup(), and again after the last collect(). Optional. */
	void (*describe)(const void *priv, struct json_t *obj);
	/* Driver side, every exit path. */
	void (*cleanup)(void *priv, const struct run_env *env);
};

extern const struct workload *const workloads[];
const struct workload *workload_find(const char *name);

/* The name of w's op code op (its op_names table), "unknown" past its end. */
static inline const char *wl_op_name(const struct workload *w, unsigned int op)
{
	for (unsigned int i = 0; w->op_names[i]; i++)
		if (i == op)
			return w->op_names[i];
	return "unknown";
}

/* Helpers for workers (workloads/common.c); now_ns() is the one clock's. */
/* The calling thread's ns on a CPU and runnable-waiting (schedstat), read
 * just before an op starts and just after it ends; false if the kernel has
 * no schedstat. op_begin/op_end record the op's deltas themselves. */
bool wl_sched_begin(uint64_t *cpu, uint64_t *runq);
bool wl_sched_end(uint64_t *cpu, uint64_t *runq);
/* The op's cpu and runq from those readings, capped so cpu + runq <= latency. */
void wl_sched_split(uint64_t latency, uint64_t cpu0, uint64_t runq0, uint64_t cpu1,
		    uint64_t runq1, uint64_t *cpu, uint64_t *runq);
static inline bool wl_should_stop(const struct wl_ctx *c)
{
	return *c->stop || now_ns() >= c->deadline_ns;
}
/* The thread's NOFAIL allocation count now; false when not counted (see wl_ctx). */
static inline bool wl_nofail_now(const struct wl_ctx *c, uint64_t *n)
{
	return c->nofail_now && c->nofail_now(c->nofail_arg, n);
}
/* The NUMA node of the CPU this worker runs on now, -1 unknown. */
int wl_cpu_node(void);
/* Marks an op in flight (so a worker killed inside it is reported), returns t_start. */
uint64_t op_begin(struct wl_ctx *c, uint8_t op, uint64_t bytes);
/* Records the op begun by op_begin. err is 0 or an errno; flags OPF_*. */
void op_end(struct wl_ctx *c, uint64_t t_start, int err, uint16_t flags);
/* Records a complete op with explicit fields (module-measured etc). */
void op_record(struct wl_ctx *c, const struct oprec *r);
/* Removes the files in path and path itself (a workload's scratch directory). */
void wl_remove_dir(const char *path);
/*
 * A --dir option's value: an absolute path to an existing, writable
 * directory, checked while options are checked (bad input is refused before
 * anything is created). 0, or -EINVAL with err saying why.
 */
int wl_check_dir(const char *opt, const char *dir, char *err, size_t len);
/* A file created (O_EXCL) and removed in dir: 0 or -errno. What access(2)
 * cannot tell (root on /proc, a read-only or full filesystem). */
int wl_probe_dir(const char *dir);

#endif
