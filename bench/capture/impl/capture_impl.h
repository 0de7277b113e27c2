/*
 * What the files of the capture share among themselves, not for other
 * users (the include path is the capture library's PRIVATE one):
 *   capture.c         opening, draining and closing a capture, in steps
 *   capture_ring.c    perf_event_open per CPU, the mmap rings, reading records
 *   capture_decode.c  the event set (tracepoint catalogue) and record fields
 *   capture_pair.c    begin/end pairing into stalls, output order
 *   capture_sym.c     kernel stacks: interned, folded, named (kallsyms)
 *   capture_sched.c   switch-outs, wake-ups and switch-ins into off-CPU spans
 *   nofail_count.c    NOFAIL allocations counted per thread (counting events, no ring)
 *   capture_oncpu.c   cpu-clock samples of the tasks, one event and ring each
 */
#ifndef STALLBENCH_CAPTURE_IMPL_H
#define STALLBENCH_CAPTURE_IMPL_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "tpcatalog.h"
#include "tpdecode.h"
#include "tidtab.h"
#include "monoclock.h"	/* now_ns(): the clock the events carry (use_clockid) */

#define INFLIGHT_SLACK_NS	(5ull * 1000 * 1000)	/* sample timestamped, not yet published */
#define MAX_VICTIMS		4096	/* mark_victim details kept per run */
#define THROTTLE_SLACK_NS	(110ull * 1000 * 1000)	/* reclaim_throttle() sleeps <= HZ/10 */
#define OPEN_CHECK_NS		(1000ull * 1000 * 1000)
#define MAX_STACK		64

/* The default events and what each record is: the catalogue (tpcatalog.h). */
enum role { R_BEGIN = TP_BEGIN, R_END = TP_END, R_THROTTLED = TP_THROTTLED, R_POINT = TP_POINT,
	    R_SWITCH, R_WAKING };	/* the last two: --offcpu's, capture_sched.c */

struct cev {
	char name[128];		/* "sys:event" */
	int id;
	enum role role;
	int kind;
	struct tpd_field order, gfp;
	struct tpd_field arg;	/* the catalogue's argument: point arg, nr_reclaimed, usec_delayed */
	struct tpd_field comm, anon_rss, file_rss, shmem_rss, oom_adj;	/* mark_victim */
	struct tpd_field reason;	/* throttled */
	struct tpd_field prev_pid, prev_state, next_pid, pid;	/* sched_switch, sched_waking */
	struct tpd_field cflags;	/* sched_waking: common_flags (in an interrupt?) */
	bool chain;		/* its samples carry a callchain (its ring's sample_type) */
	uint64_t nofail_bit;	/* nofail: __GFP_NOFAIL in this kernel */
	struct tpd_flags gfpfl;
	bool have_gfpfl;
	uint64_t gfp_cache_val[8];
	char gfp_cache_str[8][160];
	bool gfp_cache_ok[8];
};

struct ring {
	int cpu;
	int fd;
	void *base;
	struct perf_event_mmap_page *pg;
	unsigned char *data;
	uint64_t size, mask;
	uint64_t head, tail, published;
	uint64_t lost;
	bool chain;		/* its events sample the callchain */
	bool oncpu;		/* a task's cpu-clock ring (capture_oncpu.c): cpu is -1 */
	/* peeked sample, not consumed yet */
	bool have;
	uint64_t ts;
	const unsigned char *rec;	/* points into data or into copy */
	uint16_t rec_size;
	unsigned char copy[65536] __attribute__((aligned(8)));	/* a record that wraps */
};

/* A stall or point waiting for its turn to leave. */
struct item {
	uint64_t t;		/* begin (stall) or time (point) */
	uint64_t end;
	int64_t nr;		/* nr_reclaimed, or point arg */
	uint64_t gfp;
	uint32_t tid, cpu;
	uint32_t stack;		/* interned id + 1, 0 none */
	int32_t order;
	uint16_t ev;		/* event of the begin (gfp table), or of the point */
	uint8_t kind;
	uint8_t is_point, open, unpaired, missing_begin;
};

struct fifo {
	struct item *buf;
	uint64_t cap, base, len;	/* items base..base+len-1 live at buf[seq & (cap-1)] */
};

struct tidst {
	uint32_t tid;		/* 0: empty slot */
	uint64_t last_end;
	uint64_t open_seq[STALL_NR_KINDS];	/* by kind: fifo seq + 1, 0: none (a begin/end kind's) */
	/* off-CPU (capture_sched.c): switched out at off_t, not back in yet */
	bool off_open, off_sleeping;
	uint32_t off_stack;	/* interned id + 1 */
	uint32_t off_waker;	/* tid + 1 of the waker, 0 unseen */
	uint8_t off_wctx;	/* the wake-up's context: 0 a task, 1 hardirq, 2 softirq */
	uint64_t off_t, off_wake_t;
};

/* An off-CPU span ended, waiting for the drain's end to be handed over. */
struct offq_item {
	uint64_t t_out, t_wake, t_in;
	uint32_t tid, stack, waker;	/* stack: id + 1; waker: tid + 1, 0 unseen */
	uint8_t wctx;		/* as tidst.off_wctx */
	bool sleeping;
};

/* A cpu-clock sample read, waiting for the drain's end to be handed over. */
struct onq_item {
	uint64_t t;
	uint32_t tid, stack;	/* stack: id + 1, 0 user space */
};

/* A task's comm, read from /proc once a second at most (direct mapped). */
struct commslot {
	uint32_t tid;		/* + 1; 0 empty */
	uint64_t t;
	const char *comm;
};

struct stackent {
	uint64_t hash;
	uint32_t nr;
	uint32_t id;		/* index in stack_by_id: stable across rehash */
	uint64_t *ips;
	char *folded;
};

/* One PERF_RECORD_SAMPLE, split into its parts (capture_decode.c). */
struct sample {
	uint32_t tid, cpu;
	uint64_t ts;
	const uint64_t *chain;	/* callchain, nr entries; NULL without --callchain */
	uint64_t nr;
	const unsigned char *raw;	/* the tracepoint's record */
	uint32_t rawsz;
	int16_t idx;		/* its event in capture.ev */
	struct cev *e;
};

/* A site per interned stack id, named once (cap_site_memo); NULL: not yet. */
struct cap_sitememo {
	const char **by_id;
	size_t cap;
};

/* A frame list of the schema (waitsite.h, cpusite.h) as an array's initialisers. */
#define CAP_FRAME(name) name,

struct capture {
	struct tpdecode *tpd;
	struct cev *ev;
	size_t nr_ev;
	int16_t *by_id;		/* tracepoint id -> index in ev, -1 */
	int max_id;
	struct ring *rings;
	unsigned int nr_rings;
	int *fds;		/* every event fd */
	size_t nr_fds;
	size_t pages;
	bool callchain;
	bool want_nofail;	/* opts.nofail */
	bool want_offcpu;	/* opts.offcpu */
	bool want_oncpu;	/* opts.oncpu */
	int16_t *fd_ev;		/* per fd: its event's index in ev */
	bool offline;
	bool have_throttled;
	char *events_str;
	uint64_t sample_type;
	uint64_t enable_ns;
	uint64_t horizon;	/* delivered below this */
	uint64_t last_open_check;

	struct fifo out;
	struct item *late;	/* min-heap by t: stalls that begin in the past */
	size_t nlate, late_cap;

	struct tidst *tids;
	size_t tid_cap, tid_len;

	struct tep_handle *ksyms;	/* /proc/kallsyms as libtraceevent reads it, or NULL */
	struct oom_victim *vict;	/* mark_victim details; item.gfp = index + 1 */
	size_t nvict;
	struct stackent *stacks;	/* hash table, open addressing */
	size_t stack_cap, stack_len;
	const char **stack_by_id;
	size_t stack_ids, stack_ids_cap;
	struct cap_sitememo wait_sites;	/* per stack id: its wait site (waitsite.h) */

	/* off-CPU spans and the strings they carry (capture_sched.c) */
	struct offq_item *offq;
	size_t noffq, offq_cap;
	struct commslot comms[1024];
	uint32_t *tracked;	/* sorted tids of capture_set_tasks(); NULL: every task */
	size_t ntracked;
	char **strs;		/* interned sites and comms */
	size_t nstrs, strs_cap;

	/* on-CPU samples (capture_oncpu.c) */
	bool oncpu_open;	/* the tasks' events are open */
	struct onq_item *onq;
	size_t nonq, onq_cap;
	struct cap_sitememo cpu_sites;	/* per stack id: its on-CPU site (cpusite.h) */
};

/* Whether e's samples go through the rings: NOFAIL allocations are counted
 * (nofail_count.c) and recorded only for their stacks (--callchain). */
static inline bool cap_ev_ringed(const struct capture *c, const struct cev *e)
{
	return e->role != R_POINT || e->kind != POINT_NOFAIL || c->callchain;
}

/* capture_ring.c: sets up c->rings (and the events' fds) for o; 0 or -errno, errmsg set. */
int cap_rings_open(struct capture *c, const struct capture_opts *o, char *errmsg, size_t len);
/*
 * Reads every ring, handing fn the samples of all CPUs merged in time order,
 * up to horizon; returns the records read. *err keeps fn's first error (fn is
 * not called after one; the records are still consumed).
 */
long cap_rings_read(struct capture *c, uint64_t horizon,
		    int (*fn)(struct capture *c, const unsigned char *rec, uint16_t size, bool chain),
		    int *err);
void cap_rings_close(struct capture *c);

/* capture_decode.c: the default events (the catalogue), plus spec's changes; 0 or -errno. */
int cap_events_build(struct capture *c, const char *spec, char *errmsg, size_t len);
/* The lookups a sample needs: tracepoint id -> event, the events' names; 0 or -ENOMEM. */
int cap_events_index(struct capture *c);
void cap_events_free(struct capture *c);
/* Splits a sample record (chain: its ring samples callchains); false when it is short or of
 * no event of ours. */
bool cap_sample_parse(struct capture *c, const unsigned char *rec, uint16_t size, bool chain,
		      struct sample *s);
/* The mark_victim detail of this record, kept beside the FIFO: index + 1, 0 none. */
uint64_t cap_victim_decode(struct capture *c, const struct cev *e, const void *raw, size_t rawsz);
/* gfp as the kernel prints it for event e (cached), or in hex. */
const char *cap_gfp_names(struct cev *e, uint64_t gfp, char *tmp, size_t len);
/* mm_vmscan_throttled's reason bits as names. */
const char *cap_throttle_reason(uint64_t bits);

/* capture_pair.c: one sample into the pairing; 0 or -ENOMEM. */
int cap_pair_sample(struct capture *c, const unsigned char *rec, uint16_t size, bool chain);
/* The per-task state of tid (0: the idle task), created; NULL out of memory. */
struct tidst *cap_tid_get(struct capture *c, uint32_t tid);
/* Closes what can no longer end and hands over what is ready (final: everything). */
void cap_pair_flush(struct capture *c, uint64_t t_read, uint64_t horizon, bool final,
		    const struct capture_sink *sink);
void cap_pair_free(struct capture *c);

/* capture_sym.c: loads /proc/kallsyms to name stack frames; 0 or -errno. */
int cap_syms_load(struct capture *c);
/* Interns the kernel part of a callchain; returns id + 1, or 0 when empty or out of memory. */
uint32_t cap_stack_intern(struct capture *c, const uint64_t *chain, uint64_t nr);
/* The folded stack of an interned id ("root;...;leaf"), NULL for 0. */
const char *cap_stack_str(const struct capture *c, uint32_t id);
/* The wait site of an interned stack (waitsite.h), named once; "(no stack)" for 0. */
const char *cap_stack_site(struct capture *c, uint32_t id);
/* The first frame of a folded stack, from the leaf, that skip[] does not name (its
 * ".constprop.0" cut), interned; fallback when every frame is skipped or out of memory. */
const char *cap_frame_site(struct capture *c, const char *folded, const char *const *skip,
			   size_t nskip, const char *fallback);
/* cap_frame_site of interned stack id (1..stack_ids), kept in m: each stack named once. */
const char *cap_site_memo(struct capture *c, struct cap_sitememo *m, uint32_t id,
			  const char *const *skip, size_t nskip, const char *fallback);
/* s kept until capture_close(), one copy per distinct string; NULL out of memory. */
const char *cap_intern(struct capture *c, const char *s);
void cap_syms_free(struct capture *c);

/* capture_sched.c: a sched_switch or sched_waking sample; 0 or -ENOMEM. */
int cap_sched_sample(struct capture *c, const struct sample *s);
/* Hands the ended off-CPU spans to sink (any order: the attribution sorts). */
void cap_sched_flush(struct capture *c, const struct capture_sink *sink);
void cap_sched_free(struct capture *c);

/* capture_oncpu.c: whether a cpu-clock event opens here (on this task); 0 or -errno. */
int cap_oncpu_probe(struct capture *c, char *errmsg, size_t len);
/* One cpu-clock event and ring per task, disabled, added to c's rings and fds. */
int cap_oncpu_open(struct capture *c, const uint32_t *tids, size_t n, char *errmsg, size_t len);
/* A record of a task's cpu-clock ring; 0 or -ENOMEM. */
int cap_oncpu_sample(struct capture *c, const unsigned char *rec, uint16_t size);
/* Hands the samples read to sink, in the order read (per task, in time order). */
void cap_oncpu_flush(struct capture *c, const struct capture_sink *sink);
void cap_oncpu_free(struct capture *c);

#endif
