/* Writing result files so that a crash at any moment leaves either the
 * previous complete file or the new complete one. Pure data, no kernel. */
#ifndef STALLBENCH_RESULTIO_H
#define STALLBENCH_RESULTIO_H
#include <jansson.h>
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "stats.h"
#include <stdio.h>
#include "schema.h"
#include "resread.h"

/* Writes j to dir/name via a temporary file, fsync and rename. 0 or -errno. */
int json_write_atomic(const char *dir, const char *name, const json_t *j);
/* The same with jansson's dump flags, and without the fsync when !sync (a
 * status file rewritten every second need not outlive a crash). */
int json_write_atomic_opts(const char *dir, const char *name, const json_t *j, size_t jflags,
			   bool sync);
/* "ENOMEM" for ENOMEM, "0" for 0, "E<n>" if unknown. */
const char *errno_name(int e);
/* Inverse of errno_name; 0 or -EINVAL. */
int errno_from_name(const char *s, int *e);
/* The op flags' names by bit (columns.h's SB_OP_FLAGS). */
extern const char *const sb_opflag_names[SB_OPF_NR];
/* OPF_* flags as "killed|null", "" for none. Returns buf. */
const char *opflags_str(unsigned int flags, char *buf, size_t len);
/*
 * ops.csv and stalls.csv, written from the reader's own row structs through
 * columns.h's tables: the header, then one row per call. A row's strings
 * must not hold ',' or a newline. rr_op: err "" is written "0"; a round
 * source without have_src[k], and cpu_ns/runq_ns without have_sched, are
 * empty cells (not counted is not none).
 */
void rr_ops_header(FILE *f);
void rr_write_op(FILE *f, const struct rr_op *op);
void rr_stalls_header(FILE *f);
void rr_write_stall(FILE *f, const struct rr_stall *s);
/* A dist as a JSON object {count,min,mean,p50,p90,p99,p999,max,stddev,total}. */
json_t *dist_json(const struct dist *d);
/* offcpu.csv (columns.h's SB_OFFCPU_COLS): one op kind's sleep at one site, by one waker. */
struct rr_offcpu {
	const char *workload, *op, *site, *waker;
	uint64_t sleeps, sleep_ns, ops;
};
void rr_offcpu_header(FILE *f);
void rr_write_offcpu(FILE *f, const struct rr_offcpu *o);

/* oncpu.csv (columns.h's SB_ONCPU_COLS): one op kind's cpu-clock samples at one site. */
struct rr_oncpu {
	const char *workload, *op, *site;
	uint64_t samples, ops;
};
void rr_oncpu_header(FILE *f);
void rr_write_oncpu(FILE *f, const struct rr_oncpu *o);
/* Creates dir (and parents). 0 or -errno. */
int mkdir_p(const char *dir, unsigned int mode);
#endif
