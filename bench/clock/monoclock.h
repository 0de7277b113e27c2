/*
 * The one clock: CLOCK_MONOTONIC in ns. Every time a result holds is read on
 * it: an op's start and end (the workloads), the perf events' timestamps (the
 * capture sets use_clockid to it), the driver's ticks and deadlines, and the
 * live view's ages. Header-only, so no part links anything for it; it is its
 * own part (bench/clock/) because the workloads, which see nothing else of
 * bench/, read it too.
 */
#ifndef STALLBENCH_MONOCLOCK_H
#define STALLBENCH_MONOCLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
