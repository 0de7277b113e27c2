/*
 * Attribution of stalls and retry points to operations, streaming: the runner
 * feeds stalls/points as the capture hands them over and ops as workers
 * complete them, and an op is finalised once the capture's horizon
 * (capture_horizon()) has passed its end. Per op: stall_ns is the time of its
 * window [t_start, t_start+latency) covered by the union of its tid's stalls
 * (a stall straddling two ops is split, nested stalls such as throttled-in-
 * reclaim are not counted twice, so stall_ns <= latency_ns always);
 * reclaim_rounds counts retry points (reclaim_retry_zone, compact_retry) and
 * reclaim begins (direct, memcg, memcg softlimit; not an end whose begin was
 * never seen) inside the window; src[] counts every round by source
 * (roundsrc.h: also compaction runs, throttles and NOFAIL allocations, which
 * reclaim_rounds leaves out). Only workers' tids are attributed; other
 * tasks' stalls are "system". Memory holds only what is pending: ops not yet
 * final and the stalls/points of workers after their last final op.
 * Off-CPU spans (attrib_add_offcpu) give each op its time asleep inside its
 * window by wait site and waker; the part of a sleep that lies inside one of
 * the tid's stalls is that stall's (sleep_in_stall_ns), never a site's.
 * On-CPU samples (attrib_add_oncpu) inside an op's window are counted by
 * stack; samples between ops belong to none.
 * Contract: per tid, ops come in time order (a tid runs one op at a time).
 */
#ifndef STALLBENCH_ATTRIB_H
#define STALLBENCH_ATTRIB_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#include "capture.h"
#include "roundsrc.h"

struct attrib;

#define ATTRIB_MAX_SLEEPS 8	/* distinct (stack, waker) per op; more go to sleep_more_ns */

/* An op's sleep at one stack, woken by one waker (the capture's interned strings). */
struct attrib_sleep {
	const char *site, *stack, *waker;
	uint64_t ns;
	uint32_t n;
};

/* An op's cpu-clock samples at one stack (the capture's interned strings). */
struct attrib_cpu {
	const char *site, *stack;
	uint32_t n;
};

struct attrib_op {
	uint64_t t_start_ns;	/* CLOCK_MONOTONIC, as ops.csv */
	uint64_t latency_ns;
	uint32_t tid;
	uint64_t cookie;	/* the caller's, e.g. its row index; handed back untouched */
	uint64_t stall_ns;	/* out */
	uint32_t reclaim_rounds;	/* out */
	uint32_t src[RSRC_NR];	/* out: rounds by source, enum round_src */
	/* out, off-CPU: sleeps by stack and waker outside stalls, what lay
	 * inside stalls, what did not fit, and all the sleep seen */
	struct attrib_sleep sleeps[ATTRIB_MAX_SLEEPS];
	uint32_t nsleeps;
	uint64_t sleep_in_stall_ns, sleep_more_ns, sleep_seen_ns;
	/* out, on-CPU: samples by stack, valid during the done callback only; how
	 * many samples there are, and how many of them lie inside its stalls */
	const struct attrib_cpu *cpu;
	uint32_t ncpu, cpu_samples, cpu_in_stall;
};

/* Called once per finalised op, per tid in time order. */
typedef void (*attrib_done_fn)(void *arg, const struct attrib_op *op);

/* New empty attribution; 0 or -ENOMEM. */
int attrib_new(struct attrib **out);
/* Declares tid one of the run's workers (before its ops/stalls); 0 or -ENOMEM. */
int attrib_add_worker(struct attrib *a, uint32_t tid);
/* True if tid was declared a worker. */
bool attrib_is_worker(const struct attrib *a, uint32_t tid);
/* "worker" or "system": the scope column of stalls.csv for this tid. */
const char *attrib_scope(const struct attrib *a, uint32_t tid);
/* Feeds a stall in any order; 1 kept (worker), 0 ignored (system or already final), -ENOMEM. */
int attrib_add_stall(struct attrib *a, const struct stall *s);
/* Feeds a point; 1 kept (a worker's retry point), 0 ignored, -ENOMEM. */
int attrib_add_point(struct attrib *a, const struct point *p);
/* Feeds an off-CPU span in any order; 1 kept (a worker's sleep), 0 ignored, -ENOMEM. */
int attrib_add_offcpu(struct attrib *a, const struct offcpu *o);
/* Feeds a cpu-clock sample in any order; 1 kept (a worker's), 0 ignored, -ENOMEM. */
int attrib_add_oncpu(struct attrib *a, const struct oncpu_sample *s);
/* Queues a completed op; 0, -EINVAL (not a worker, or starts before its tid's last final op), -ENOMEM. */
int attrib_add_op(struct attrib *a, const struct attrib_op *op);
/* Finalises every op ending at or before horizon_ns (UINT64_MAX: all), calling done; returns how many. */
size_t attrib_flush(struct attrib *a, uint64_t horizon_ns, attrib_done_fn done, void *arg);
/* Ops + stalls + points held right now (the memory bound tests watch). */
size_t attrib_pending(const struct attrib *a);
void attrib_free(struct attrib *a);

#endif
