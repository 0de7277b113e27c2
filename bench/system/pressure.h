/*
 * System-wide pressure for a run (--global-pressure SIZE): a holder process
 * outside the run's cgroup that keeps MemAvailable at SIZE with mlocked
 * anonymous memory, growing and shrinking its hold as caches move. Truncate
 * and evict allocate memory no memcg is charged for, so only memory that is
 * short for everyone makes them wait. The holder dies with the driver
 * (PR_SET_PDEATHSIG), so a SIGKILLed driver releases it.
 */
#ifndef STALLBENCH_PRESSURE_H
#define STALLBENCH_PRESSURE_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PRESSURE_MARGIN (32ull << 20)	/* above the min watermarks: the driver and the system */

struct pressure;

/* The kernel's min watermarks in bytes: the larger of the sum of
 * /proc/zoneinfo "min" pages and vm.min_free_kbytes; 0 if unknown. */
uint64_t pressure_min_watermarks(void);
/* MemAvailable in bytes; 0 or -errno. */
int pressure_mem_available(uint64_t *out);
/*
 * Whether SIZE can be held here: -EINVAL with msg when it is below the min
 * watermarks plus PRESSURE_MARGIN, or not below MemAvailable now (nothing to
 * hold); -EPERM when the machine is not a VM and i_mean_it is false. Else 0.
 */
int pressure_check(uint64_t target, bool i_mean_it, char *msg, size_t len);
/*
 * Forks the holder and waits (at most timeout_ms) until MemAvailable is
 * within its tolerance of target. 0 (reached or not: see pressure_json), or
 * -errno with msg (the holder could not start or died).
 */
int pressure_start(uint64_t target, unsigned int timeout_ms, struct pressure **out,
		   char *msg, size_t len);
/* Bytes the holder has locked right now. */
uint64_t pressure_held(const struct pressure *p);
/* Marks the run's start (the "achieved" figure is MemAvailable then). */
void pressure_go(struct pressure *p);
/* {target_bytes, achieved_bytes, held_bytes, held_max_bytes, adjustments,
 *  mem_available_min/max_bytes, tolerance_bytes, pid, holder}: for meta.json. */
json_t *pressure_json(const struct pressure *p);
/* Notes whether the holder died during the run (call before pressure_json). */
void pressure_end(struct pressure *p);
/* Kills the holder and waits for it; frees p. NULL is fine. */
void pressure_stop(struct pressure *p);

#endif
