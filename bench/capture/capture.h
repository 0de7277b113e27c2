/*
 * Stall capture: perf_event_open on reclaim/compaction/OOM tracepoints, one
 * ring buffer per CPU, fields decoded by name with libtraceevent from the
 * running kernel's tracefs format files, begin/end paired per task into
 * stalls after merging all CPUs by timestamp. Knows task ids and times, never
 * workloads: the runner attributes stalls to operations (bench/capture/attrib.h).
 */
#ifndef STALLBENCH_CAPTURE_H
#define STALLBENCH_CAPTURE_H

#include <stdint.h>

#include "stallkind.h"
#include <stdbool.h>
#include <stddef.h>

enum stall_kind {
#define X(e, n) STALL_##e,
	SB_STALL_KINDS(X)
#undef X
	STALL_NR_KINDS
};

/* stallkind.h's throttle trait: a throttle is one event (its end) with a
 * reason, never missing its begin. */
static inline bool stall_kind_throttle(enum stall_kind k)
{
	static const bool t[] = {
#define X(e, n, r, th) th,
		SB_STALL_KINDS_TRAITS(X)
#undef X
	};
	_Static_assert(sizeof(t) / sizeof(t[0]) == STALL_NR_KINDS, "a stall kind without traits");

	return (unsigned int)k < STALL_NR_KINDS && t[k];
}

enum point_kind {
	POINT_RECLAIM_RETRY,	/* oom:reclaim_retry_zone */
	POINT_COMPACT_RETRY,	/* oom:compact_retry */
	POINT_MARK_VICTIM,	/* oom:mark_victim */
	POINT_NOFAIL,		/* kmem allocation with __GFP_NOFAIL (filtered in the kernel) */
	POINT_OTHER,		/* any tracepoint added with --events */
	POINT_NR_KINDS
};

struct stall {
	uint64_t t_start_ns;	/* CLOCK_MONOTONIC */
	uint64_t duration_ns;
	uint32_t tid;
	uint32_t cpu;		/* cpu at begin */
	enum stall_kind kind;
	int64_t nr_reclaimed;	/* -1 if n/a */
	int32_t order;		/* -1 if n/a */
	uint64_t gfp;		/* raw gfp_flags as the kernel recorded them */
	char gfp_names[160];	/* decoded by libtraceevent's print fmt, "|" separated */
	bool unpaired;		/* begin without end (run end) or end without begin */
	const char *stack;	/* folded kernel stack at begin ("a;b;c"), NULL w/o --callchain;
				 * interned: valid until capture_close() */
	bool missing_begin;	/* unpaired because the begin was never seen (before enable,
				 * or lost): t_start is then a guess, see capture_pair.c */
	const char *reason;	/* throttled: "writeback", "isolated", "noprogress",
				 * "congested" (| joined), "none"; NULL otherwise */
};

/* What oom:mark_victim says of the task it picked (fields present since 5.x). */
struct oom_victim {
	char comm[16];		/* "" when the kernel's event lacks it */
	int64_t rss_kb;		/* anon + file + shmem (the event reports kB), -1 if absent */
	int32_t oom_score_adj;	/* INT32_MIN if absent */
};

struct point {
	uint64_t t_ns;
	uint32_t tid;		/* mark_victim: the task that ran the OOM killer */
	uint32_t cpu;
	enum point_kind kind;
	const char *name;	/* "system:event" */
	int64_t arg;		/* mark_victim: victim pid; reclaim_retry_zone: no_progress_loops;
				 * compact_retry: retries; -1 otherwise */
	const struct oom_victim *victim;	/* mark_victim only (NULL past 4096 of them);
						 * valid until capture_close() */
	const char *stack;	/* nofail with --callchain: folded kernel stack, else NULL;
				 * interned: valid until capture_close() */
};

/*
 * A worker off a CPU (sched:sched_switch out, sched:sched_waking, switch
 * in): asleep from t_out to t_wake (t_in when the wake-up was not seen),
 * then runnable until t_in. A switch-out in a runnable state (preempted) is
 * all run queue. The strings are interned: valid until capture_close().
 */
struct offcpu {
	uint32_t tid;
	uint64_t t_out, t_wake, t_in;	/* t_wake 0: not seen */
	bool sleeping;			/* prev_state not runnable */
	const char *site;		/* first frame past the scheduler (waitsite.h) */
	const char *stack;		/* folded kernel stack at switch-out, root first */
	const char *waker;		/* the waker's comm, "" unseen */
};

/*
 * A cpu-clock sample of a worker (capture_set_tasks' tasks, --no-oncpu
 * turns it off): on a CPU at t, one per SB_ONCPU_PERIOD_NS of its CPU time.
 * site: the first frame past the generic helpers (cpusite.h), "(user)"
 * when it ran in user space; stack: the folded kernel stack, root first
 * ("" in user space). Interned: valid until capture_close().
 */
struct oncpu_sample {
	uint32_t tid;
	uint64_t t;
	const char *site, *stack;
};

struct capture_opts {
	const char *tracefs;	/* NULL: find/mount it */
	size_t ring_pages;	/* per CPU data pages, power of two; 0: default */
	const char *events;	/* "+sys:ev,-sys:ev,..." changes to the default set, or NULL */
	bool callchain;
	bool nofail;		/* count __GFP_NOFAIL allocations (kmem events, filtered in
				 * the kernel) with per-thread counters (struct
				 * nofail_counter); also recorded, for their stacks, only
				 * with callchain */
	bool offcpu;		/* sched_switch (stack at switch-out) and sched_waking of
				 * the tasks capture_set_tasks() names: struct offcpu */
	bool oncpu;		/* cpu-clock samples with kernel stacks of the tasks
				 * capture_set_tasks() names: struct oncpu_sample */
	unsigned int offline_cpus;	/* tests only: no perf events; this many in-memory rings
					 * (layouts from ->tracefs) fed through capture_test_ring() */
};

struct capture;

struct capture_sink {
	void (*stall)(void *arg, const struct stall *s);
	void (*point)(void *arg, const struct point *p);
	void (*offcpu)(void *arg, const struct offcpu *o);	/* may be NULL */
	void (*oncpu)(void *arg, const struct oncpu_sample *s);	/* may be NULL */
	void *arg;
};

/*
 * Whether capture_open() can work here, opening no event: -ENODEV when there
 * is no tracefs (or it cannot be mounted: not root), -EINVAL when o->events
 * is not sys:event or names no tracepoint (bad input), other -errno when it
 * should work and cannot (none of the reclaim tracepoints exist), else 0.
 * *errmsg names the cause.
 */
int capture_probe(const struct capture_opts *o, char *errmsg, size_t len);
/* Opens the events on all CPUs (disabled). 0 or -errno; *errmsg names the cause. */
int capture_open(const struct capture_opts *o, struct capture **out, char *errmsg, size_t len);
/*
 * The tasks whose switches and wake-ups to record (opts.offcpu), as a filter
 * in the kernel (prev_pid/next_pid/pid ranges; past the filter's size, the
 * workers' comm "sb-*"), and to sample on a CPU (opts.oncpu: one cpu-clock
 * event and ring per task). Before capture_enable(). 0 or -errno, errmsg set.
 */
int capture_set_tasks(struct capture *c, const uint32_t *tids, size_t n, char *errmsg,
		      size_t len);
/* Whether switches and wake-ups are recorded. */
bool capture_offcpu(const struct capture *c);
/* The on-CPU sampling period in ns of task CPU time, 0 when not sampled (yet). */
uint64_t capture_oncpu_period(const struct capture *c);
int capture_enable(struct capture *c);	/* 0 or -errno */
int capture_disable(struct capture *c);	/* 0 or -errno */
/*
 * Reads every ring up to now, merges by timestamp, pairs, and hands complete
 * stalls and points to sink in time order of their begin. Events newer than
 * the oldest unread head across CPUs may be held back until the next call.
 * final=true flushes everything, reporting open begins as unpaired.
 * Returns the number of records read or -errno.
 */
long capture_drain(struct capture *c, const struct capture_sink *sink, bool final);
/* Lost samples (PERF_RECORD_LOST) so far; per_cpu may be NULL. Returns total. */
uint64_t capture_lost(const struct capture *c, uint64_t *per_cpu, unsigned int nr_cpu);
unsigned int capture_nr_cpus(const struct capture *c);
/* Whether NOFAIL allocations are counted (nofail_counter below). */
bool capture_counts_nofail(const struct capture *c);
/*
 * How: "counters" (per-thread counting events, no record: nothing to lose),
 * "counters+records" (with callchain: each allocation is also recorded in the
 * rings, with its stack, as a POINT_NOFAIL point), NULL when not counted.
 */
const char *capture_nofail_mode(const struct capture *c);

/*
 * NOFAIL counting (bench/capture/nofail_count.c): one group of counting perf
 * events on the calling thread (no ring, no sample, inherit off), one per
 * allocation event of c's set, each with the in-kernel filter on the kernel's
 * __GFP_NOFAIL bit. Counting cannot lose an event: the kernel adds to a
 * number, there is no buffer to overflow. Opened by the thread to count
 * (after fork: c's event table is the parent's copy). 0 or -errno, errmsg set.
 */
struct nofail_counter;
int capture_nofail_counter_open(const struct capture *c, struct nofail_counter **out,
				char *errmsg, size_t len);
/* The thread's NOFAIL allocations since the open: one read() of the group; false when
 * the read fails or is not the group's layout. */
bool nofail_counter_read(struct nofail_counter *k, uint64_t *total);
unsigned int nofail_counter_events(const struct nofail_counter *k);
void nofail_counter_close(struct nofail_counter *k);
/* Comma-separated list of the events actually opened. */
const char *capture_events(const struct capture *c);
/*
 * Every stall and point that begins before this CLOCK_MONOTONIC time has been
 * handed to a sink (an op ending before it can be attributed for good).
 * Exception: an end whose begin was never seen (missing_begin) may come later.
 */
uint64_t capture_horizon(const struct capture *c);
/* Waits until some ring is half full or timeout_ms passes: 1 ready, 0 timeout, -errno. */
int capture_wait(struct capture *c, int timeout_ms);
/* Ring data pages per CPU actually used. */
size_t capture_ring_pages(const struct capture *c);
/* Tests only (offline_cpus): ring i's control page, data area and size, to write records into. */
struct perf_event_mmap_page *capture_test_ring(struct capture *c, unsigned int i, void **data,
					       size_t *size);
void capture_close(struct capture *c);
const char *stall_kind_name(enum stall_kind k);
const char *point_kind_name(enum point_kind k);

#endif
