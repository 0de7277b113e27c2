/*
 * The stall kinds, one table: the capture writes these names into
 * stalls.csv and summary.json, and the result reader parses them back. Both
 * enums (capture.h's stall_kind, resread.h's rr_stall_kind) expand it, so
 * the writer and the reader cannot disagree on a name or an order. Each row
 * also says what a reader may make of the kind's rows: whether its end
 * reports nr_reclaimed (so "rounds that reclaimed nothing" means something)
 * and whether it is a throttle (a sleep with a reason); the capture's
 * tracepoint catalogue is checked against both when it compiles.
 */
#ifndef STALLBENCH_STALLKIND_H
#define STALLBENCH_STALLKIND_H

/*
 * Kinds nest: a task sleeps in reclaim_throttle() (throttled) inside direct
 * or memcg reclaim, and soft-limit reclaim runs inside direct reclaim
 * (shrink_zones). depth says which may hold which: a kind nests only inside
 * kinds of a smaller depth (on the same task, begun before it). Every total
 * a user reads counts a task's stalled moment once (data/stallunion.h): a
 * kind's own time excludes what lies inside a stall of its task begun
 * before it, the outer one.
 *
 * Y(X, enum, name, reclaims: end reports nr_reclaimed, throttle: has reasons, depth,
 *   bar: where plot stacks it in the stall-time bars, lowest first)
 * A new kind is one row here and its rows in the capture's tracepoint
 * catalogue (capture/tpcatalog.h), which are checked against this row when
 * they compile; every array indexed by kind is sized by, or checked
 * against, the number of rows.
 */
#define SB_STALL_ROWS(Y, X)						\
	Y(X, DIRECT, "direct", 1, 0, 0, 2)	/* vmscan direct reclaim */		\
	Y(X, MEMCG, "memcg", 1, 0, 0, 0)	/* vmscan memcg reclaim */		\
	Y(X, MEMCG_SOFT, "memcg_softlimit", 1, 0, 1, 1)	/* memcg soft-limit reclaim */ \
	Y(X, COMPACT, "compaction", 0, 0, 0, 3)	/* compaction begin/end */	\
	Y(X, THROTTLED, "throttled", 0, 1, 2, 4)	/* mm_vmscan_throttled (a point) */

#define SB_STALL_2(X, e, n, r, t, d, b) X(e, n)
#define SB_STALL_4(X, e, n, r, t, d, b) X(e, n, r, t)
#define SB_STALL_DEPTH(X, e, n, r, t, d, b) X(e, d)
#define SB_STALL_BAR(X, e, n, r, t, d, b) X(n, b)
/* X(name, bar) for each kind */
#define SB_STALL_KINDS_BAR(X) SB_STALL_ROWS(SB_STALL_BAR, X)
/* X(enum, depth) for each kind */
#define SB_STALL_KINDS_DEPTH(X) SB_STALL_ROWS(SB_STALL_DEPTH, X)
/* X(enum, name) for each kind */
#define SB_STALL_KINDS(X) SB_STALL_ROWS(SB_STALL_2, X)
/* X(enum, name, reclaims, throttle) for each kind */
#define SB_STALL_KINDS_TRAITS(X) SB_STALL_ROWS(SB_STALL_4, X)

#define SB_STALL_NAME(e, n) n,

#endif
