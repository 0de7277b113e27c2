/* The run's memory cgroup, on cgroup v1 or v2, through libcgroup. */
#ifndef STALLBENCH_CGROUP_H
#define STALLBENCH_CGROUP_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

struct sb_cgroup {
	int version;		/* 1 or 2 */
	char name[768];		/* relative to the memory mount, e.g. "stallbench-1234" */
	char path[1100];		/* filesystem path */
	char mount[256];	/* memory controller mount point */
	uint64_t cap;		/* bytes, 0 = no limit */
	char own[512];		/* v2 delegated subtree the driver started in, "" if none */
	char leaf[800];		/* where the driver moved itself inside it, "" if not moved */
	void *cg;		/* struct cgroup * */
};

/* Counters read from the group; a missing one is UINT64_MAX. */
struct cg_stats {
	uint64_t usage, high, max, oom, oom_kill, failcnt, low;
	uint64_t psi_some_us, psi_full_us;
	/* memory.stat: reclaim scanned/stolen in the group, refaults of
	 * evicted pages (who lost its working set), THP faults that fell back */
	uint64_t pgscan, pgsteal, refault_anon, refault_file, thp_fallback, swap;
};

/* Limits beyond the cap; 0 = leave the kernel's default. */
struct cg_limits {
	uint64_t high, low, min, swap_max, soft_limit;
	bool swap_max_set;	/* --swap-max 0 is a limit (no swap) */
};

/* Initialises libcgroup and finds the memory controller. 0 or -errno with msg. */
int cg_probe(int *version, char *mount, size_t mlen, char *msg, size_t len);
/* The v2 cgroup this process is in, if it is delegated to us (holds the
 * memory controller and is not the root), as a path under mount; "" if not. 0 or -errno. */
int cg_delegated(const char *mount, char *rel, size_t len);
/* Removes groups left by dead stallbench runs (named stallbench-<pid>-*). Returns how many. */
int cg_reap_stale(void);
/* Creates parent/stallbench-<pid>-<tag> with the cap (0 = none). 0 or -errno with msg. */
int cg_create(struct sb_cgroup *g, const char *parent, const char *tag, uint64_t cap,
	      char *msg, size_t len);
/* Which of l this hierarchy cannot set: NULL if all can, else why (a
 * static string: "--high needs cgroup v2 ..."). */
const char *cg_limits_unsupported(int version, const struct cg_limits *l);
/* Sets l on the group and reads each back. 0 or -errno with msg. */
int cg_set_limits(struct sb_cgroup *g, const struct cg_limits *l, char *msg, size_t len);
/* Moves pid into the group. 0 or -errno. */
int cg_attach(struct sb_cgroup *g, pid_t pid);
/* Reads the group's counters. 0 or -errno. */
int cg_read(const struct sb_cgroup *g, struct cg_stats *s);
/* Kills every task in the group and removes it, retrying while busy. 0 or -errno. */
int cg_destroy(struct sb_cgroup *g);
#endif
