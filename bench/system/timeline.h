/* Periodic samples of system and cgroup memory pressure into timeline.csv. */
#ifndef STALLBENCH_TIMELINE_H
#define STALLBENCH_TIMELINE_H
#include <stdint.h>
#include <stdio.h>
#include "cgroup.h"
#include "pressure.h"
#include "rfile.h"

struct vmstat_snap {
	uint64_t allocstall, pgscan_direct, compact_stall;
	/* background reclaim and compaction next to the direct stalls: pages
	 * kswapd scanned, its balance runs, kcompactd wake-ups; swap traffic */
	uint64_t pgscan_kswapd, pageoutrun, compact_daemon_wake, pswpin, pswpout;
};

#define TL_MAX_GROUPS 4

struct timeline {
	struct rfile *rf;	/* every write checked */
	FILE *f;		/* rf's stream */
	int err;		/* after timeline_close: the file's first -errno */
	const char *err_op;	/* and what failed */
	uint64_t t0;
	const struct sb_cgroup *cg;	/* may be NULL */
	const struct pressure *pr;	/* --global-pressure holder, may be NULL */
	struct vmstat_snap base;	/* at run start */
	struct cg_stats first, last;	/* cgroup counters at start and last tick */
	uint64_t rows;
	/* --group sibling groups: g_<name>_* columns */
	unsigned int ngroups;
	const char *gname[TL_MAX_GROUPS];
	const struct sb_cgroup *gcg[TL_MAX_GROUPS];
	struct cg_stats gfirst[TL_MAX_GROUPS], glast[TL_MAX_GROUPS];
};

/* Reads the vmstat counters of interest. 0 or -errno. */
int vmstat_read(struct vmstat_snap *s);
/* Opens dir/timeline.csv and writes its header. 0 or -errno. */
int timeline_open(struct timeline *t, const char *dir, uint64_t t0, const struct sb_cgroup *cg,
		  unsigned int ngroups, const char *const *gname, const struct sb_cgroup *const *gcg);
/* Appends one row sampled now. 0 or -errno. */
int timeline_tick(struct timeline *t, uint64_t now);
/* Flushes (a full disk shows here, in rf_error(t->rf)). 0 or -errno. */
int timeline_flush(struct timeline *t);
/* Flushes, fsyncs and closes; keeps the error in t->err/err_op. 0 or -errno. */
int timeline_close(struct timeline *t);
#endif
