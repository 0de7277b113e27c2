/*
 * Reading a result directory written by the runner: meta.json and
 * summary.json as jansson trees, and the CSV files (ops, stalls, timeline)
 * streamed row by row into a callback, with one fixed read buffer per file
 * and no allocation per row, so a 10M-row ops.csv is read in flat memory.
 * Columns are found by header name (order-free, unknown columns ignored).
 * A directory that is not complete, or a CSV row that does not parse, is
 * refused with -EINVAL and a one-line message naming the file and the
 * reason, unless RR_ALLOW_INCOMPLETE is set, in which case bad rows are
 * skipped and counted. Pure data: used by report, compare and plot.
 */
#ifndef STALLBENCH_RESREAD_H
#define STALLBENCH_RESREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "rows.h"

#define RR_ALLOW_INCOMPLETE	(1u << 0)
#define RR_MAX_LINE		8192	/* longer CSV lines are malformed */

struct rr_dir {
	char path[4096];
	unsigned int flags;	/* RR_* given to rr_open */
	json_t *meta;		/* owned */
	json_t *summary;	/* owned; NULL if absent (only with RR_ALLOW_INCOMPLETE) */
	const char *status;	/* "complete", "incomplete", "timeout", ... (in meta) */
	const char *release;	/* kernel release, "" if unknown */
	const char *cmdline;	/* /proc/cmdline, "" if unknown */
	uint64_t start_ns, end_ns;	/* CLOCK_MONOTONIC, 0 if unknown */
};

/* What a CSV pass saw. */
struct rr_csv_stats {
	uint64_t rows;		/* rows handed to the callback */
	uint64_t bad_rows;	/* rows skipped (RR_ALLOW_INCOMPLETE only) */
	bool truncated;		/* last line had no newline */
};

/* Callbacks return 0 to go on; anything else stops the pass and is returned. */
typedef int (*rr_op_fn)(void *arg, const struct rr_op *op);
typedef int (*rr_stall_fn)(void *arg, const struct rr_stall *s);
typedef int (*rr_tick_fn)(void *arg, const struct rr_tick *t);
typedef int (*rr_offcpu_fn)(void *arg, const struct rr_offcpu_row *o);

/* A result file (root) of a format_version this reader does not know: -EINVAL, msg set; else 0. */
int rr_check_format(const char *dir, const char *file, json_t *root, char *msg, size_t len);
/* Opens dir: reads and checks meta.json and summary.json. 0 or -errno, msg set. */
int rr_open(const char *dir, unsigned int flags, struct rr_dir *d, char *msg, size_t len);
void rr_close(struct rr_dir *d);
/* Streams ops.csv. 0, the callback's value, or -errno with msg set. */
int rr_read_ops(const struct rr_dir *d, rr_op_fn fn, void *arg,
		struct rr_csv_stats *st, char *msg, size_t len);
/*
 * rr_read_ops for a reader of latencies (compare): every row checked as
 * strictly, but only workload, op, err, flags, latency_ns, node, stall_ns,
 * reclaim_rounds, cpu_ns, runq_ns and have_sched are sure to be set (the
 * rest may read 0 or another row's value).
 */
int rr_read_ops_lean(const struct rr_dir *d, rr_op_fn fn, void *arg,
		     struct rr_csv_stats *st, char *msg, size_t len);
/*
 * ops.csv again, for a reader's later pass over rows rr_read_ops checked:
 * only workload, op, latency_ns, node, reclaim_rounds and flags are set
 * (the rest reads 0 / ""), each row split no further than they need. With
 * RR_ALLOW_INCOMPLETE it is rr_read_ops (the same rows skipped).
 */
int rr_scan_ops(const struct rr_dir *d, rr_op_fn fn, void *arg, char *msg, size_t len);
/* Streams stalls.csv (absent file: no rows). 0, callback's value, or -errno. */
int rr_read_stalls(const struct rr_dir *d, rr_stall_fn fn, void *arg,
		   struct rr_csv_stats *st, char *msg, size_t len);
/*
 * rr_read_stalls for a reader of durations (compare): every row checked as
 * strictly, but only t_start_ns, tid, kind, kind_name, duration_ns,
 * nr_reclaimed and scope are sure to be set (cpu, order, gfp, note and
 * reason may read their defaults or another row's values).
 */
int rr_read_stalls_lean(const struct rr_dir *d, rr_stall_fn fn, void *arg,
			struct rr_csv_stats *st, char *msg, size_t len);
/* stalls.csv again, likewise: only kind, kind_name, duration_ns and scope are set. */
int rr_scan_stalls(const struct rr_dir *d, rr_stall_fn fn, void *arg, char *msg, size_t len);
/* Streams offcpu.csv (absent file: -ENOENT: not recorded). 0, callback's value, or -errno. */
int rr_read_offcpu(const struct rr_dir *d, rr_offcpu_fn fn, void *arg, struct rr_csv_stats *st,
		   char *msg, size_t len);
/* Streams timeline.csv (absent file: -ENOENT). 0, callback's value, or -errno. */
int rr_read_timeline(const struct rr_dir *d, rr_tick_fn fn, void *arg,
		     struct rr_csv_stats *st, char *msg, size_t len);

/*
 * Following a directory that is still being written (a live view): a tail
 * remembers its file's offset and header, and each poll hands only the
 * complete rows appended since the last one; a half-written last line waits
 * for the next poll. A file not created yet, or without its header, gives no
 * rows. The rr_dir must outlive the tail; bad rows are skipped and counted
 * when it was opened with RR_ALLOW_INCOMPLETE, else they stop the poll.
 */
enum rr_file { RR_OPS, RR_STALLS, RR_TIMELINE };
struct rr_tail;
struct rr_tail_fns {
	rr_op_fn op;		/* the one matching the tail's file is called */
	rr_stall_fn stall;
	rr_tick_fn tick;
};
/* 0 or -ENOMEM. */
int rr_tail_new(const struct rr_dir *d, enum rr_file file, struct rr_tail **t);
/* Rows appended since the last poll. 0, the callback's value, or -errno, msg set. */
int rr_tail_poll(struct rr_tail *t, const struct rr_tail_fns *fns, void *arg,
		 char *msg, size_t len);
const struct rr_csv_stats *rr_tail_stats(const struct rr_tail *t);
void rr_tail_free(struct rr_tail *t);

const char *rr_stall_kind_name(int kind);
/* stallkind.h's traits of a known kind: its end reports nr_reclaimed; it is
 * a throttle (a sleep with a reason). false for RR_STALL_OTHER. */
bool rr_stall_kind_reclaims(int kind);
bool rr_stall_kind_throttle(int kind);
/* The kind of a name, RR_STALL_OTHER when this reader does not know it. */
int rr_stall_kind_of(const char *name);
/* String value at a "a.b.c" path in a JSON tree, or NULL. */
const char *rr_json_str(json_t *root, const char *path);
/* Object at a "a.b.c" path, or NULL. */
json_t *rr_json_get(json_t *root, const char *path);

#endif
