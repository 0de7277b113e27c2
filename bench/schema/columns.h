/*
 * The columns of ops.csv and stalls.csv, and the names of an op's flags: one
 * table each, in file order. The writer (resultio.c's rr_write_op and
 * rr_write_stall, called by the runner and by the tests' generator) and the
 * reader (resread.c) both expand them, so a column is added in one place and
 * the two cannot disagree on a name or an order. Readers find columns by
 * name: a file of an older layout (fewer columns) still reads, a missing
 * optional column reads as its default.
 *
 * X(ENUM, "name", required): required columns make a file without them
 * unreadable.
 */
#ifndef STALLBENCH_COLUMNS_H
#define STALLBENCH_COLUMNS_H

#include "roundsrc.h"

/* ops.csv: one row per operation (README.md, "What it measures"). */
#define SB_OPS_HEAD_COLS(X)						\
	X(T_START, "t_start_ns", 1)	/* CLOCK_MONOTONIC at the op's start */ \
	X(TID, "tid", 0)							\
	X(WORKER, "worker", 0)						\
	X(NODE, "node", 0)	/* the CPU's node at the op's start, -1 none */ \
	X(WORKLOAD, "workload", 1)						\
	X(OP, "op", 1)								\
	X(LATENCY, "latency_ns", 1)	/* wall time, user-space measured */ \
	X(ERRNO, "errno", 0)	/* 0 or ENOMEM, ... */				\
	X(STALL, "stall_ns", 0)	/* attributed reclaim/compaction stall */ \
	X(ROUNDS, "reclaim_rounds", 0)						\
	X(BYTES, "bytes", 0)							\
	X(KERNEL, "kernel_ns", 0)	/* module-measured, 0 none */		\
	X(FLAGS, "flags", 0)	/* SB_OP_FLAGS names joined by '|' */		\
	X(LANDED, "landed_node", 0)	/* where pages landed, -1 unknown */

/*
 * After the rounds by source (roundsrc.h): where the op's wall time went,
 * from the worker thread's /proc/thread-self/schedstat around the op. cpu_ns
 * is time on a CPU, runq_ns time runnable but waiting for one; the rest of
 * latency_ns is time asleep (memory.high's penalty, I/O, locks). Empty when
 * unknown (no schedstat, a row the module wrote).
 */
#define SB_OPS_TAIL_COLS(X)						\
	X(CPU, "cpu_ns", 0)							\
	X(RUNQ, "runq_ns", 0)

/* stalls.csv: one row per stall. */
#define SB_STALLS_COLS(X)						\
	X(T_START, "t_start_ns", 1)						\
	X(TID, "tid", 0)							\
	X(CPU, "cpu", 0)							\
	X(KIND, "kind", 1)	/* stallkind.h's names */			\
	X(DURATION, "duration_ns", 1)						\
	X(RECLAIMED, "nr_reclaimed", 0)	/* empty when the event has none */ \
	X(ORDER, "order", 0)							\
	X(GFP, "gfp", 0)							\
	X(SCOPE, "scope", 0)	/* "run" (a worker's) or "system" */		\
	X(NOTE, "note", 0)	/* "unpaired": begin or end never seen */	\
	X(REASON, "reason", 0)	/* throttled: why */

/*
 * offcpu.csv: where each op kind's time asleep went, one row per (op, wait
 * site, waker): the sleeps (a switch-out with a sleeping state), their time
 * inside the ops' windows, and how many ops slept there. Sites are kernel
 * functions (waitsite.h) or its two reserved names; run queue time is not
 * sleep and is not here (ops.csv's runq_ns).
 */
#define SB_OFFCPU_COLS(X)						\
	X(WORKLOAD, "workload", 1)						\
	X(OP, "op", 1)								\
	X(SITE, "site", 1)							\
	X(WAKER, "waker", 0)	/* comm of the task that woke it, "" unseen */	\
	X(SLEEPS, "sleeps", 0)							\
	X(NS, "sleep_ns", 1)							\
	X(OPS, "ops", 0)

/*
 * oncpu.csv: where each op kind's time on a CPU went, one row per (op, site):
 * cpu-clock samples of the workers inside the ops' windows (one per
 * SB_ONCPU_PERIOD_NS of a task's CPU time, cpusite.h), and how many ops were
 * sampled there. Sites are kernel functions or "(user)".
 */
#define SB_ONCPU_COLS(X)						\
	X(WORKLOAD, "workload", 1)						\
	X(OP, "op", 1)								\
	X(SITE, "site", 1)							\
	X(SAMPLES, "samples", 1)						\
	X(OPS, "ops", 0)

/* timeline.csv: one row per tick; the run's groups add g_<name>_* after. */
#define SB_TIMELINE_COLS(X)						\
	X(T_NS, "t_ns", 1)	/* since the run's start */			\
	X(PSI_SOME_AVG10, "psi_some_avg10", 0)				\
	X(PSI_SOME_TOTAL_US, "psi_some_total_us", 0)			\
	X(PSI_FULL_TOTAL_US, "psi_full_total_us", 0)			\
	X(CG_PSI_SOME_TOTAL_US, "cg_psi_some_total_us", 0)			\
	X(CG_PSI_FULL_TOTAL_US, "cg_psi_full_total_us", 0)			\
	X(MEMCG_USAGE, "memcg_usage", 0)					\
	X(MEMCG_HIGH, "memcg_high", 0)						\
	X(MEMCG_MAX, "memcg_max", 0)						\
	X(MEMCG_OOM, "memcg_oom", 0)						\
	X(MEMCG_OOM_KILL, "memcg_oom_kill", 0)					\
	X(ALLOCSTALL, "allocstall", 0)						\
	X(PGSCAN_DIRECT, "pgscan_direct", 0)					\
	X(COMPACT_STALL, "compact_stall", 0)					\
	X(MEM_AVAILABLE, "mem_available", 0)	/* system MemAvailable, bytes */ \
	X(HOLDER_BYTES, "holder_bytes", 0)	/* --global-pressure's lock */	\
	X(MEMCG_LOW, "memcg_low", 0)	/* memory.events low (v2) */		\
	X(MEMCG_PGSCAN, "memcg_pgscan", 0)	/* memory.stat, since the start */ \
	X(MEMCG_PGSTEAL, "memcg_pgsteal", 0)					\
	X(MEMCG_REFAULT_ANON, "memcg_refault_anon", 0)				\
	X(MEMCG_REFAULT_FILE, "memcg_refault_file", 0)				\
	X(MEMCG_THP_FALLBACK, "memcg_thp_fallback", 0)				\
	X(MEMCG_SWAP, "memcg_swap", 0)	/* memory.swap.current (v2) */	\
	X(PGSCAN_KSWAPD, "pgscan_kswapd", 0)	/* /proc/vmstat, since the start */ \
	X(KSWAPD_RUNS, "kswapd_runs", 0)					\
	X(KCOMPACTD_WAKES, "kcompactd_wakes", 0)				\
	X(PSWPIN, "pswpin", 0)							\
	X(PSWPOUT, "pswpout", 0)

/* An op's flags, bit i named by the i-th entry (oprec.h's OPF_*). */
#define SB_OP_FLAGS(X)							\
	X(KILLED, "killed")	/* the caller was killed; row from an external record */ \
	X(NULL, "null")	/* allocation returned NULL (a bug under NOFAIL) */	\
	X(MISMATCH, "mismatch")	/* file size after the cut differs */		\
	X(UNFINISHED, "unfinished")	/* never returned */			\
	X(MODULE, "module")	/* latency measured by the module */		\
	X(HUGE, "huge")	/* huge pages were used */				\
	X(SIGPENDING, "sigpending")	/* fatal signal pending at return */

/*
 * What an op is, as its workload declares it (struct workload's op_traits,
 * oprec.h's OPT_*) and meta.json records it (params.workloads[].op_traits):
 * what the readers show of an op follows its traits, never its name.
 */
#define SB_OP_TRAITS(X)							\
	X(NOFAIL, "nofail")	/* its calls may not fail: NULL is a bug, shown even at 0 */ \
	X(HUGE, "huge")	/* it asks for huge pages: how many got one is its point */

enum sb_ops_col {
#define X(e, n, r) SB_OC_##e,
	SB_OPS_HEAD_COLS(X)
#undef X
	SB_OC_SRC0,
	SB_OC_SRC_END = SB_OC_SRC0 + RSRC_NR - 1,
#define X(e, n, r) SB_OC_##e,
	SB_OPS_TAIL_COLS(X)
#undef X
	SB_OC_NR
};

enum sb_stalls_col {
#define X(e, n, r) SB_SC_##e,
	SB_STALLS_COLS(X)
#undef X
	SB_SC_NR
};

enum sb_offcpu_col {
#define X(e, n, r) SB_FC_##e,
	SB_OFFCPU_COLS(X)
#undef X
	SB_FC_NR
};

enum sb_oncpu_col {
#define X(e, n, r) SB_NC_##e,
	SB_ONCPU_COLS(X)
#undef X
	SB_NC_NR
};

enum sb_op_flag_bit {
#define X(e, n) SB_OPF_BIT_##e,
	SB_OP_FLAGS(X)
#undef X
	SB_OPF_NR
};

enum sb_op_trait_bit {
#define X(e, n) SB_OPT_BIT_##e,
	SB_OP_TRAITS(X)
#undef X
	SB_OPT_NR
};

#endif
