/*
 * Where an op's reclaim rounds came from, one table: the attribution counts
 * them per source, the runner writes one ops.csv column and one summary
 * entry each, and the result reader parses the same names back. A source
 * that never fired is 0, never absent. reclaim_rounds stays the sum of
 * DIRECT, MEMCG (soft-limit reclaim included), RECLAIM_RETRY and
 * COMPACT_RETRY; compaction runs, throttles and NOFAIL allocations are
 * counted beside it. Each row also names report's short column head.
 */
#ifndef STALLBENCH_ROUNDSRC_H
#define STALLBENCH_ROUNDSRC_H

/* Y(X, enum, ops.csv column and summary key, counts in reclaim_rounds, report's head) */
#define SB_ROUND_ROWS(Y, X)							\
	Y(X, DIRECT, "rounds_direct", 1, "direct")	/* direct reclaim begins */	\
	Y(X, MEMCG, "rounds_memcg", 1, "memcg")	/* memcg (+soft-limit) reclaim begins */ \
	Y(X, RECLAIM_RETRY, "rounds_reclaim_retry", 1, "rretry")	/* oom:reclaim_retry_zone */ \
	Y(X, COMPACT_RETRY, "rounds_compact_retry", 1, "cretry")	/* oom:compact_retry */ \
	Y(X, COMPACTION, "rounds_compaction", 0, "compact")	/* compaction begins */	\
	Y(X, THROTTLE, "rounds_throttle", 0, "thrtl")	/* mm_vmscan_throttled */	\
	Y(X, NOFAIL, "nofail_allocs", 0, "nofail")	/* kmem allocations with __GFP_NOFAIL */

#define SB_ROUND_3(X, e, n, r, h) X(e, n, r)
#define SB_ROUND_4(X, e, n, r, h) X(e, n, r, h)
/* X(enum, name, counts in reclaim_rounds) for each source */
#define SB_ROUND_SRCS(X) SB_ROUND_ROWS(SB_ROUND_3, X)
/* X(enum, name, counts in reclaim_rounds, short column head) for each source */
#define SB_ROUND_SRCS_HEAD(X) SB_ROUND_ROWS(SB_ROUND_4, X)

enum round_src {
#define X(e, n, r) RSRC_##e,
	SB_ROUND_SRCS(X)
#undef X
	RSRC_NR
};

#endif
