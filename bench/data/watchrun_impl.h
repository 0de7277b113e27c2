/* What watchrun.c (following a run) and watchline.c (its lines) share; not
 * for other users. */
#ifndef STALLBENCH_WATCHRUN_IMPL_H
#define STALLBENCH_WATCHRUN_IMPL_H

#include <stdint.h>

#include "watchrun.h"

#define WR_LAG_NS	300000000ull	/* stalls reach the file this late (capture horizon) */

/* The log histogram's bucket of v (WR_HBUCKETS of them). */
static inline unsigned int wr_hbucket(uint64_t v)
{
	unsigned int e;

	if (v < 8)
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v);
	return e * 8 + (unsigned int)((v >> (e - 3)) & 7);
}

#endif
