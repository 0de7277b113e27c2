/*
 * Stall time counted once: a task's stalls, fed in order of their begin (as
 * stalls.csv holds them), each cut to the part no stall of the same task
 * begun before it already covers. The parts summed are the union of the
 * task's stalled time; each part is its kind's own time. An outer kind
 * begins before what nests in it (stallkind.h's depth), so a throttle inside
 * memcg reclaim is memcg's time; a throttle's start is known only to a jiffy
 * (mm_vmscan_throttled reports whole jiffies), and one that so appears to
 * begin before its reclaim keeps its time as throttled: counted once all the
 * same. Memory: per task, the stalls still open at the latest begin.
 */
#ifndef STALLBENCH_STALLUNION_H
#define STALLBENCH_STALLUNION_H

#include <stddef.h>
#include <stdint.h>

struct stallunion;

/* A new empty one; NULL out of memory. */
struct stallunion *su_new(void);
/*
 * One stall of tid, [start, end) in ns. Calls part(arg, a, b) for each piece
 * of it that counts (none when covered), and returns their sum. -1 out of
 * memory.
 */
int64_t su_add(struct stallunion *u, uint32_t tid, uint64_t start, uint64_t end,
	       void (*part)(void *arg, uint64_t a, uint64_t b), void *arg);
void su_free(struct stallunion *u);

#endif
