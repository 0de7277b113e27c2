/*
 * Test helper: builds raw tracepoint records from a kernel's format file
 * (offsets and sizes as libtraceevent reports them, never typed in), and
 * perf sample records around them, written into a ring the way the kernel
 * does (wrapping at the end of the data area).
 */
#ifndef STALLBENCH_TEST_RAWBUILD_H
#define STALLBENCH_TEST_RAWBUILD_H

#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monoclock.h"
#include "tpdecode.h"

#define FIXTURES STALLBENCH_FIXTURES	/* set by CMake */

struct fv {
	const char *name;
	int64_t val;
};

/* Builds the raw record of sys:ev with the given fields set; returns its length (0 on error). */
static inline size_t raw_build(struct tpdecode *d, const char *sys, const char *ev,
			       const struct fv *fv, size_t nfv, unsigned char *buf, size_t cap)
{
	struct tep_event *e;
	struct tpd_field f;
	size_t len = 0;
	int64_t id;

	if (tpd_event(d, sys, ev, &e))
		return 0;
	id = tpd_event_id(e);
	memset(buf, 0, cap);
	if (tpd_field(e, "common_type", &f) || f.offset + f.size > cap)
		return 0;
	memcpy(buf + f.offset, &id, f.size);	/* little endian: low bytes first */
	len = f.offset + f.size;
	for (size_t i = 0; i < nfv; i++) {
		if (tpd_field(e, fv[i].name, &f) || f.offset + f.size > cap)
			return 0;
		memcpy(buf + f.offset, &fv[i].val, f.size);
		if (f.offset + f.size > len)
			len = f.offset + f.size;
	}
	/* cover every field of the format, as the kernel's record does */
	for (const char *const *n = (const char *const[]){ "nr_reclaimed", "gfp_flags", "order",
							   "usec_delayed", "status", "oom_score_adj",
							   "wmark_check", "ret", NULL }; *n; n++)
		if (!tpd_field(e, *n, &f) && f.offset + f.size > len)
			len = f.offset + f.size;
	return len;
}

/* Writes one PERF_RECORD_SAMPLE (TID|TIME|CPU[|CALLCHAIN]|RAW) into ring data at *head. */
static inline void ring_put_sample(struct perf_event_mmap_page *pg, unsigned char *data, size_t size,
				   uint32_t tid, uint64_t ts, uint32_t cpu, const uint64_t *chain,
				   uint64_t nchain, const unsigned char *raw, uint32_t rawlen)
{
	unsigned char rec[4096];
	struct perf_event_header h;
	size_t n = sizeof(h);
	uint32_t rsz;
	uint64_t head = pg->data_head;

	memcpy(rec + n, &tid, 4);	/* pid */
	memcpy(rec + n + 4, &tid, 4);
	memcpy(rec + n + 8, &ts, 8);
	memcpy(rec + n + 16, &cpu, 4);
	memset(rec + n + 20, 0, 4);
	n += 24;
	if (chain) {
		memcpy(rec + n, &nchain, 8);
		memcpy(rec + n + 8, chain, nchain * 8);
		n += 8 + nchain * 8;
	}
	/* raw size u32 + data padded so the record stays 8-byte aligned */
	rsz = (uint32_t)(((n + 4 + rawlen + 7) & ~(size_t)7) - n - 4);
	memcpy(rec + n, &rsz, 4);
	memset(rec + n + 4, 0, rsz);
	memcpy(rec + n + 4, raw, rawlen);
	n += 4 + rsz;
	h.type = PERF_RECORD_SAMPLE;
	h.misc = PERF_RECORD_MISC_KERNEL;
	h.size = (uint16_t)n;
	memcpy(rec, &h, sizeof(h));
	for (size_t i = 0; i < n; i++)
		data[(head + i) & (size - 1)] = rec[i];
	__atomic_store_n(&pg->data_head, head + n, __ATOMIC_RELEASE);
}

static inline void ring_put_lost(struct perf_event_mmap_page *pg, unsigned char *data, size_t size,
				 uint64_t lost)
{
	struct {
		struct perf_event_header h;
		uint64_t id, lost;
	} r = { { PERF_RECORD_LOST, 0, sizeof(r) }, 0, lost };
	uint64_t head = pg->data_head;

	for (size_t i = 0; i < sizeof(r); i++)
		data[(head + i) & (size - 1)] = ((unsigned char *)&r)[i];
	__atomic_store_n(&pg->data_head, head + sizeof(r), __ATOMIC_RELEASE);
}

#endif
