/*
 * The stall kinds, one table: the capture writes these names into
 * stalls.csv and summary.json, and the result reader parses them back. Both
 * enums (capture.h's stall_kind, resread.h's rr_stall_kind) expand it, so
 * the writer and the reader cannot disagree on a name or an order. Each row
 * also says what a reader may make of the kind's rows: whether its end
 * reports nr_reclaimed (so "rounds that reclaimed nothing" means something)
 * and whether it is a throttle (a sleep with a reason). test_tpcatalog checks
 * both against the tracepoint catalogue's rows.
 */
#ifndef STALLBENCH_STALLKIND_H
#define STALLBENCH_STALLKIND_H

/* Y(X, enum, name, reclaims: end reports nr_reclaimed, throttle: has reasons) */
#define SB_STALL_ROWS(Y, X)						\
	Y(X, DIRECT, "direct", 1, 0)	/* vmscan direct reclaim */		\
	Y(X, MEMCG, "memcg", 1, 0)	/* vmscan memcg reclaim */		\
	Y(X, MEMCG_SOFT, "memcg_softlimit", 1, 0)	/* memcg soft-limit reclaim */ \
	Y(X, COMPACT, "compaction", 0, 0)	/* compaction begin/end */	\
	Y(X, THROTTLED, "throttled", 0, 1)	/* mm_vmscan_throttled (a point) */

#define SB_STALL_2(X, e, n, r, t) X(e, n)
#define SB_STALL_4(X, e, n, r, t) X(e, n, r, t)
/* X(enum, name) for each kind */
#define SB_STALL_KINDS(X) SB_STALL_ROWS(SB_STALL_2, X)
/* X(enum, name, reclaims, throttle) for each kind */
#define SB_STALL_KINDS_TRAITS(X) SB_STALL_ROWS(SB_STALL_4, X)

#define SB_STALL_NAME(e, n) n,

#endif
