/*
 * Where the workers' time on a CPU goes: one cpu-clock event per task
 * (PERF_TYPE_SOFTWARE: hardware counters are not there in every VM), a
 * sample with the kernel stack every SB_ONCPU_PERIOD_NS of that task's CPU
 * time, wherever it runs. A per-task event cannot write into a CPU's ring
 * (the kernel refuses output across tasks and CPUs), so each task has a
 * small ring of its own beside the CPUs' ones, merged with them by time
 * like any other. Per task rather than per CPU: the cost follows the
 * workers' CPU time, not the machine's CPU count, and the idle task and
 * everyone else are never sampled. Samples are handed over at the end of
 * the drain that read them, like the off-CPU spans.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "capture_impl.h"
#include "cpusite.h"

#define ONCPU_PAGES_MAX	64	/* 256K a task: ~0.8 s of samples of a task always on a CPU */
#define ONCPU_PAGES_ALL	8192	/* past this many tasks, smaller rings */

static const char *const helper_frames[] = { SB_CPU_HELPER_FRAMES(CAP_FRAME) };

static void oncpu_attr(struct perf_event_attr *a, size_t ring_bytes)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = PERF_TYPE_SOFTWARE;
	a->config = PERF_COUNT_SW_CPU_CLOCK;
	a->sample_period = SB_ONCPU_PERIOD_NS;
	/* the layout ring_peek() and cap_oncpu_sample() read: pid/tid, time, cpu, chain */
	a->sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
			 PERF_SAMPLE_CALLCHAIN;
	a->disabled = 1;
	a->exclude_hv = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->exclude_callchain_user = 1;	/* user time is "(user)": the op is a system call */
	a->sample_max_stack = MAX_STACK;
	a->watermark = 1;
	a->wakeup_watermark = (uint32_t)(ring_bytes / 4);
}

int cap_oncpu_probe(struct capture *c, char *errmsg, size_t len)
{
	struct perf_event_attr a;
	int fd;

	(void)c;
	oncpu_attr(&a, 4096);
	fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		snprintf(errmsg, len, "perf_event_open cpu-clock: %s (--no-oncpu runs without "
			 "on-CPU samples)", strerror(err));
		return -err;
	}
	close(fd);
	return 0;
}

/* Opens tid's event and maps its ring into rg; 0, 1 when the task is gone, or -errno. */
static int open_task(struct ring *rg, uint32_t tid, size_t pages, char *errmsg, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	struct perf_event_attr a;
	int fd;

	memset(rg, 0, sizeof(*rg));
	rg->cpu = -1;
	rg->fd = -1;
	rg->chain = true;
	rg->oncpu = true;
	rg->size = pages * pg;
	rg->mask = rg->size - 1;
	oncpu_attr(&a, rg->size);
	fd = (int)syscall(SYS_perf_event_open, &a, (pid_t)tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 && errno == ESRCH)
		return 1;	/* exited before the run began: nothing to sample */
	if (fd < 0) {
		int err = errno;

		snprintf(errmsg, len, "perf_event_open cpu-clock for task %u: %s", tid,
			 strerror(err));
		return -err;
	}
	rg->fd = fd;
	rg->base = mmap(NULL, rg->size + pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (rg->base == MAP_FAILED) {
		int err = errno;

		rg->base = NULL;
		snprintf(errmsg, len, "mmap of the cpu-clock ring of task %u: %s", tid,
			 strerror(err));
		return -err;
	}
	rg->pg = rg->base;
	rg->data = (unsigned char *)rg->base + pg;
	return 0;
}

int cap_oncpu_open(struct capture *c, const uint32_t *tids, size_t n, char *errmsg, size_t len)
{
	size_t pages = ONCPU_PAGES_MAX;
	struct ring *nr;
	int *nf;
	int16_t *ne;

	if (c->oncpu_open || !n)
		return 0;
	while (pages > 8 && pages * n > ONCPU_PAGES_ALL)
		pages /= 2;
	nr = realloc(c->rings, (c->nr_rings + n) * sizeof(*nr));
	if (nr)
		c->rings = nr;
	nf = realloc(c->fds, (c->nr_fds + n) * sizeof(*nf));
	if (nf)
		c->fds = nf;
	ne = realloc(c->fd_ev, (c->nr_fds + n) * sizeof(*ne));
	if (ne)
		c->fd_ev = ne;
	if (!nr || !nf || !ne) {
		snprintf(errmsg, len, "on-CPU samples: out of memory");
		return -ENOMEM;
	}
	c->oncpu_open = true;
	for (size_t i = 0; i < n; i++) {
		struct ring *rg = &c->rings[c->nr_rings];
		int err = open_task(rg, tids[i], pages, errmsg, len);

		if (rg->fd >= 0) {
			/* counted once open: cap_rings_close() closes and unmaps it */
			c->fds[c->nr_fds] = rg->fd;
			c->fd_ev[c->nr_fds++] = -1;	/* no tracepoint */
			c->nr_rings++;
		}
		if (err < 0)
			return err;
	}
	return 0;
}

int cap_oncpu_sample(struct capture *c, const unsigned char *rec, uint16_t size)
{
	const unsigned char *p = rec + sizeof(struct perf_event_header);
	uint64_t nr, t;
	uint32_t tid;

	if (size < sizeof(struct perf_event_header) + 32)
		return 0;
	memcpy(&tid, p + 4, 4);
	memcpy(&t, p + 8, 8);
	memcpy(&nr, p + 24, 8);
	if (nr > (uint64_t)(size - sizeof(struct perf_event_header) - 32) / 8)
		return 0;
	if (c->nonq == c->onq_cap) {
		size_t ncap = c->onq_cap ? c->onq_cap * 2 : 1024;
		struct onq_item *nb = realloc(c->onq, ncap * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		c->onq = nb;
		c->onq_cap = ncap;
	}
	/* records are 8-byte aligned, so is the chain after the 32 bytes before it */
	c->onq[c->nonq++] = (struct onq_item){
		.t = t, .tid = tid, .stack = cap_stack_intern(c, (const uint64_t *)(p + 32), nr),
	};
	return 0;
}

/* The on-CPU site of interned stack id (cpusite.h), named once. */
static const char *cpu_site(struct capture *c, uint32_t id)
{
	if (!id || id > c->stack_ids)
		return SB_CPU_SITE_USER;
	return cap_site_memo(c, &c->cpu_sites, id, helper_frames,
			     sizeof(helper_frames) / sizeof(helper_frames[0]), "(helpers only)");
}

void cap_oncpu_flush(struct capture *c, const struct capture_sink *sink)
{
	for (size_t i = 0; i < c->nonq && sink && sink->oncpu; i++) {
		const struct onq_item *q = &c->onq[i];
		struct oncpu_sample s = {
			.tid = q->tid, .t = q->t, .site = cpu_site(c, q->stack),
			.stack = q->stack ? cap_stack_str(c, q->stack) : "",
		};

		sink->oncpu(sink->arg, &s);
	}
	c->nonq = 0;
}

uint64_t capture_oncpu_period(const struct capture *c)
{
	return c && c->want_oncpu ? SB_ONCPU_PERIOD_NS : 0;
}

void cap_oncpu_free(struct capture *c)
{
	free(c->onq);
	free(c->cpu_sites.by_id);
}
