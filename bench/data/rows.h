/*
 * The rows of a result's CSV files, as the writer fills them (rowwrite.h:
 * the runner, the tests' generator) and the reader hands them out
 * (resread.h: report, compare, plot, watch), and the names their cells
 * carry: op flags and errno. Neither side leans on the other; both lean on
 * this and on columns.h's tables. Pure data.
 */
#ifndef STALLBENCH_ROWS_H
#define STALLBENCH_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schema.h"
#include "roundsrc.h"
#include "columns.h"

/* flags column names -> bits (columns.h); the same values as OPF_* in
 * workloads/oprec.h (rows.c asserts it) */
enum {
#define X(e, n) RR_OPF_##e = 1 << SB_OPF_BIT_##e,
	SB_OP_FLAGS(X)
#undef X
};

/* The op flags' names by bit (columns.h's SB_OP_FLAGS). */
extern const char *const sb_opflag_names[SB_OPF_NR];
/* OPF_* flags as "killed|null", "" for none. Returns buf. */
const char *opflags_str(unsigned int flags, char *buf, size_t len);
/* "ENOMEM" for ENOMEM, "0" for 0, "E<n>" if unknown. */
const char *errno_name(int e);
/* Inverse of errno_name; 0 or -EINVAL. */
int errno_from_name(const char *s, int *e);

/*
 * One row of ops.csv. Read: strings point into the reader's buffer and are
 * valid only during the callback; missing optional columns read as 0 / -1 /
 * "". Written: err "" is "0"; a round source without have_src[k], and
 * cpu_ns/runq_ns without have_sched, are empty cells (not counted is not
 * none).
 */
struct rr_op {
	uint64_t t_start_ns;
	uint64_t latency_ns;
	uint64_t stall_ns;
	uint64_t reclaim_rounds;
	uint64_t src[RSRC_NR];	/* rounds by source, nofail_allocs (roundsrc.h); 0 if absent */
	bool have_src[RSRC_NR];	/* the cell has a value (older results have no column; an
				 * empty nofail_allocs: not counted) */
	uint64_t bytes;
	uint64_t kernel_ns;
	uint32_t tid;
	int32_t worker;		/* -1 unknown */
	int32_t node;		/* -1 none */
	int32_t landed_node;	/* -1 unknown */
	unsigned int flags;	/* RR_OPF_* (unknown names ignored) */
	bool have_sched;	/* cpu_ns and runq_ns are known */
	uint64_t cpu_ns;	/* on a CPU during the op (schedstat) */
	uint64_t runq_ns;	/* runnable, waiting for a CPU */
	const char *workload;
	const char *op;
	const char *err;	/* "" when the op succeeded, else "ENOMEM", ... */
};

/* An op's time asleep: its wall time neither on a CPU nor waiting for one
 * (0 where a hand-made row says more than the wall time). */
static inline uint64_t rr_sleep_ns(uint64_t latency_ns, uint64_t cpu_ns, uint64_t runq_ns)
{
	uint64_t busy = cpu_ns + runq_ns;

	return latency_ns > busy ? latency_ns - busy : 0;
}

enum rr_stall_kind {
#define X(e, n) RR_STALL_##e,
	SB_STALL_KINDS(X)
#undef X
	RR_STALL_NR_KINDS,
	RR_STALL_OTHER = -1,	/* a kind this reader does not know */
};

/* One row of stalls.csv; read, strings valid only during the callback. */
struct rr_stall {
	uint64_t t_start_ns;
	uint64_t duration_ns;
	uint32_t tid;
	int32_t cpu;		/* -1 unknown */
	int kind;		/* enum rr_stall_kind */
	int64_t nr_reclaimed;	/* -1 n/a */
	int32_t order;		/* -1 n/a */
	const char *kind_name;
	const char *gfp;
	const char *scope;	/* "run" or "system" ("run" if the column is absent) */
	const char *reason;	/* throttled: why ("writeback", "noprogress"...), else "" */
	const char *note;	/* "unpaired" or "" */
};

/* offcpu.csv (columns.h's SB_OFFCPU_COLS) as written: one op kind's sleep at
 * one site, by one waker. */
struct rr_offcpu {
	const char *workload, *op, *site, *waker;
	uint64_t sleeps, sleep_ns, ops;
};

/* oncpu.csv (columns.h's SB_ONCPU_COLS): one op kind's cpu-clock samples at one site. */
struct rr_oncpu {
	const char *workload, *op, *site;
	uint64_t samples, ops;
};

/* A row of offcpu.csv as read: strings valid during the callback. */
struct rr_offcpu_row {
	const char *workload, *op, *site;	/* site: a function, or "(...)" reserved */
	uint64_t sleep_ns;
};

enum rr_tl_col {	/* columns.h's timeline table */
#define X(e, n, r) RR_TL_##e,
	SB_TIMELINE_COLS(X)
#undef X
	RR_TL_NR_COLS
};

/* One row of timeline.csv: v[col] is NAN where the cell is empty/absent. */
struct rr_tick {
	double v[RR_TL_NR_COLS];
};

#endif
