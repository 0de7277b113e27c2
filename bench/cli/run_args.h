/*
 * What `stallbench run`'s files share: the command line as it is built up
 * (run_opts.c sets it option by option, cmd_run.c drives getopt over it,
 * run_check.c checks it as a whole), and the one way a refusal is said.
 */
#ifndef STALLBENCH_RUN_ARGS_H
#define STALLBENCH_RUN_ARGS_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "runner.h"

/* What the command line builds up before it is checked as a whole. */
struct run_args {
	struct run_cfg c;
	struct wl_inst *cur;		/* the --workload the options after it belong to */
	bool workers_set[RUN_MAX_WL];
	bool i_mean_it, cap_as_high, dry_run;
	int oncpu;			/* --oncpu 1, --no-oncpu -1, 0: not said (on unless TCG) */
	unsigned int default_workers;
	char msg[512];			/* the one line of a refusal */
};

/* Sets a->msg (the refusal's line, without "stallbench run: "); -EINVAL. */
static inline int __attribute__((format(printf, 2, 3))) bad(struct run_args *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof(a->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

struct run_opt;
typedef int (*run_set_fn)(struct run_args *a, const struct run_opt *o, const char *val);

/* One option of run: --name [arg] as --help shows it (help lines after the
 * first are continued below it), and its setter (val NULL for a flag). */
struct run_opt {
	const char *name;
	const char *arg;	/* the value's metavar, NULL: a flag */
	run_set_fn set;
	const char *help;
};

/* run_opts.c: run's options, --help, and the workloads' own options */
extern const struct run_opt run_opts[];
extern const size_t nr_run_opts;
void run_usage(FILE *f);
/* --NAME VAL of the current workload (name as getopt matched it, typed as
 * the user wrote it). 0 or -EINVAL. */
int run_set_wl_opt(struct run_args *a, const char *name, const char *val, const char *typed);
/* An option neither run's nor the current workload's. -EINVAL. */
int run_unknown(struct run_args *a, const char *name);
/* The name of --name[=value] as typed. */
const char *run_typed_name(const char *arg, char *buf, size_t len);

/* run_check.c: the command line as a whole (all of it checked with
 * --dry-run), then the result directory on this machine. 0 or -EINVAL. */
int run_check_args(struct run_args *a);
int run_check_out(struct run_args *a);

#endif
