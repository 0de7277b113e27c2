/*
 * The stall kinds, one table: the capture writes these names into
 * stalls.csv and summary.json, and the result reader parses them back. Both
 * enums (capture.h's stall_kind, resread.h's rr_stall_kind) expand it, so
 * the writer and the reader cannot disagree on a name or an order.
 */
#ifndef STALLBENCH_STALLKIND_H
#define STALLBENCH_STALLKIND_H

#define SB_STALL_KINDS(X)				\
	X(DIRECT, "direct")	/* vmscan direct reclaim */	\
	X(MEMCG, "memcg")	/* vmscan memcg reclaim */	\
	X(MEMCG_SOFT, "memcg_softlimit")	/* memcg soft-limit reclaim */ \
	X(COMPACT, "compaction")	/* compaction begin/end */	\
	X(THROTTLED, "throttled")	/* mm_vmscan_throttled (a point) */

#define SB_STALL_NAME(e, n) n,

#endif
