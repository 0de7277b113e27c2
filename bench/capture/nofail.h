/*
 * Counting __GFP_NOFAIL allocations: which kmem tracepoints carry gfp_flags,
 * and the NOFAIL bit's value in the running kernel, read from the event's
 * own print fmt flag table (the ___GFP_* bits move between kernels), so the
 * kernel can filter (PERF_EVENT_IOC_SET_FILTER) and the other allocations
 * never reach the ring.
 */
#ifndef STALLBENCH_NOFAIL_H
#define STALLBENCH_NOFAIL_H
#include <stddef.h>
#include <stdint.h>

struct tpdecode;

/* The allocation events counted, "sys", "name" pairs, NULL-terminated. */
extern const char *const nofail_events[][2];
/* The __GFP_NOFAIL bit of sys:name's gfp_flags; 0, -ENOENT (no such event, field or
 * flag), or -errno. */
int nofail_gfp_bit(struct tpdecode *d, const char *sys, const char *name, uint64_t *bit);
/* The tracefs filter for it ("gfp_flags & 0x8000"); returns buf. */
const char *nofail_filter(uint64_t bit, char *buf, size_t len);
#endif
