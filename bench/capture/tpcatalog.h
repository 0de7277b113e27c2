/*
 * The tracepoint catalogue: one row per event the capture traces by default,
 * read by the capture (which events, what each record is, the field a point
 * carries), by the attribution (which records count as a reclaim round, and
 * of which source) and by doctor (which events to probe, and which one
 * capture cannot do without). Readers of results never see it: what report
 * makes of a kind (a share that reclaimed nothing, a throttle's reasons) is
 * the kind's traits in schema/stallkind.h, against which tpcatalog.c checks
 * these rows when it compiles. A new stall kind is its rows here and its
 * row in schema/stallkind.h; its begins count as rounds of an existing
 * source (round) or of none. Only a new source of rounds, which is a new
 * ops.csv column and summary key, is a row in schema/roundsrc.h as well.
 *
 * X(system, event, role, kind, arg, round, probe, needed)
 *   role    BEGIN/END of a paired stall, THROTTLED (a stall in one event), POINT
 *   kind    the STALL_* or POINT_* kind its records carry
 *   arg     the field that carries the record's argument, or NULL: a point's
 *           struct point.arg, an end's nr_reclaimed (its stalls then have a
 *           share that reclaimed nothing), a throttle's delay in usec
 *   round   the RSRC_* round source one record counts as, or -1
 *   probe   doctor's name for its line, or NULL (not probed)
 *   needed  1: a capture is only possible if this event opens
 * The NOFAIL allocation events (--count-nofail) are nofail.c's: kmem events
 * filtered in the kernel on a bit each kernel's format file gives.
 */
#ifndef STALLBENCH_TPCATALOG_H
#define STALLBENCH_TPCATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "capture.h"
#include "roundsrc.h"

#define SB_TRACEPOINTS(X)							\
	X(vmscan, mm_vmscan_direct_reclaim_begin, BEGIN, STALL_DIRECT, NULL,	\
	  RSRC_DIRECT, "direct reclaim tp", 0)					\
	X(vmscan, mm_vmscan_direct_reclaim_end, END, STALL_DIRECT, "nr_reclaimed", \
	  -1, NULL, 0)								\
	X(vmscan, mm_vmscan_memcg_reclaim_begin, BEGIN, STALL_MEMCG, NULL,	\
	  RSRC_MEMCG, "perf tracepoints", 1)					\
	X(vmscan, mm_vmscan_memcg_reclaim_end, END, STALL_MEMCG, "nr_reclaimed", \
	  -1, NULL, 0)								\
	X(vmscan, mm_vmscan_memcg_softlimit_reclaim_begin, BEGIN, STALL_MEMCG_SOFT, \
	  NULL, RSRC_MEMCG, NULL, 0)						\
	X(vmscan, mm_vmscan_memcg_softlimit_reclaim_end, END, STALL_MEMCG_SOFT,	\
	  "nr_reclaimed", -1, NULL, 0)						\
	X(compaction, mm_compaction_begin, BEGIN, STALL_COMPACT, NULL,		\
	  RSRC_COMPACTION, "compaction tp", 0)					\
	X(compaction, mm_compaction_end, END, STALL_COMPACT, NULL, -1, NULL, 0) \
	X(vmscan, mm_vmscan_throttled, THROTTLED, STALL_THROTTLED, "usec_delayed", \
	  RSRC_THROTTLE, NULL, 0)						\
	X(oom, reclaim_retry_zone, POINT, POINT_RECLAIM_RETRY, "no_progress_loops", \
	  RSRC_RECLAIM_RETRY, NULL, 0)						\
	X(oom, compact_retry, POINT, POINT_COMPACT_RETRY, "retries",		\
	  RSRC_COMPACT_RETRY, NULL, 0)						\
	X(oom, mark_victim, POINT, POINT_MARK_VICTIM, "pid", -1, NULL, 0)

enum tp_role { TP_BEGIN, TP_END, TP_THROTTLED, TP_POINT };

struct tp_def {
	const char *sys, *name;
	enum tp_role role;
	int kind;		/* enum stall_kind or enum point_kind, by role */
	const char *arg;	/* the record's argument field, or NULL */
	int round;		/* enum round_src, -1: not a round */
	const char *probe;
	int needed;
};

extern const struct tp_def tp_catalog[];
extern const size_t tp_catalog_n;

/* The catalogue's row for sys:name, or NULL. */
const struct tp_def *tp_find(const char *sys, const char *name);
/* The round source a stall of kind k counts as (its begin, or the throttle), -1 none. */
int tp_stall_round(enum stall_kind k);
/* The round source a point of kind k counts as, -1 none. */
int tp_point_round(enum point_kind k);

#endif
