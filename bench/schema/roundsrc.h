/*
 * Where an op's reclaim rounds came from, one table: the attribution counts
 * them per source, the runner writes one ops.csv column and one summary
 * entry each, and the result reader parses the same names back. A source
 * that never fired is 0, never absent. reclaim_rounds stays the sum of
 * DIRECT, MEMCG (soft-limit reclaim included), RECLAIM_RETRY and
 * COMPACT_RETRY; compaction runs, throttles and NOFAIL allocations are
 * counted beside it.
 */
#ifndef STALLBENCH_ROUNDSRC_H
#define STALLBENCH_ROUNDSRC_H

#define SB_ROUND_SRCS(X)						\
	X(DIRECT, "rounds_direct", 1)	/* direct reclaim begins */		\
	X(MEMCG, "rounds_memcg", 1)	/* memcg (+soft-limit) reclaim begins */ \
	X(RECLAIM_RETRY, "rounds_reclaim_retry", 1)	/* oom:reclaim_retry_zone */ \
	X(COMPACT_RETRY, "rounds_compact_retry", 1)	/* oom:compact_retry */	\
	X(COMPACTION, "rounds_compaction", 0)	/* compaction begins */		\
	X(THROTTLE, "rounds_throttle", 0)	/* mm_vmscan_throttled */	\
	X(NOFAIL, "nofail_allocs", 0)	/* kmem allocations with __GFP_NOFAIL */

enum round_src {
#define X(e, n, r) RSRC_##e,
	SB_ROUND_SRCS(X)
#undef X
	RSRC_NR
};

#endif
