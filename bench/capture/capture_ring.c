/*
 * The capture's rings: perf_event_open(PERF_TYPE_TRACEPOINT) for every event
 * on every online CPU, one ring per CPU (the other events of a CPU write
 * into it via PERF_EVENT_IOC_SET_OUTPUT), read like tools/lib/perf/mmap.c:
 * load-acquire data_head, copy out a record that wraps, store-release
 * data_tail. The rings are merged by timestamp before begin/end pairing,
 * because a task that migrates mid-reclaim writes its begin and its end into
 * different rings: records newer than the read time minus a small in-flight
 * slack stay in their ring until the next drain (data_tail is not advanced
 * past them), so the merge never sees a later record before an earlier one.
 * Events whose samples carry a callchain (sched_switch always, every event
 * with --callchain) have rings of their own: a record's layout is its ring's.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "capture_impl.h"
#include "nofail.h"

/* ---- opening ---- */

static int online_cpus(int **cpus, unsigned int *n)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	char buf[4096], *p, *save = NULL;
	int *v = NULL;
	unsigned int cnt = 0;

	if (!f || !fgets(buf, sizeof(buf), f)) {
		long nc = sysconf(_SC_NPROCESSORS_ONLN);

		if (f)
			fclose(f);
		if (nc < 1)
			return -EINVAL;
		v = calloc((size_t)nc, sizeof(*v));
		if (!v)
			return -ENOMEM;
		for (long i = 0; i < nc; i++)
			v[cnt++] = (int)i;
		*cpus = v;
		*n = cnt;
		return 0;
	}
	fclose(f);
	for (p = strtok_r(buf, ",\n", &save); p; p = strtok_r(NULL, ",\n", &save)) {
		int a, b;

		if (sscanf(p, "%d-%d", &a, &b) != 2)
			b = a = atoi(p);
		for (int i = a; i <= b; i++) {
			int *nv = realloc(v, (cnt + 1) * sizeof(*v));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			v[cnt++] = i;
		}
	}
	*cpus = v;
	*n = cnt;
	return 0;
}

/* The CPUs to open rings on: the online ones, or 0..n-1 for offline tests. */
static int ring_cpus(const struct capture_opts *o, int **cpus, unsigned int *n)
{
	if (!o->offline_cpus)
		return online_cpus(cpus, n);
	*cpus = calloc(o->offline_cpus, sizeof(**cpus));
	if (!*cpus)
		return -ENOMEM;
	for (unsigned int i = 0; i < o->offline_cpus; i++)
		(*cpus)[i] = (int)i;
	*n = o->offline_cpus;
	return 0;
}

static size_t default_pages(unsigned int ncpu)
{
	/* 8 MiB per CPU on small machines (1M events/s for ~130 ms), 64 MiB in all on big ones */
	size_t p = 2048;

	while (p > 256 && p * ncpu > 16384)
		p /= 2;
	return p;
}

/* Maps ring rg: on fd (shared with the kernel), or anonymous memory for offline tests. */
static int ring_map(struct capture *c, struct ring *rg, int fd, char *errmsg, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	rg->size = c->pages * pg;
	rg->mask = rg->size - 1;
	rg->base = fd < 0 ? mmap(NULL, rg->size + pg, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) :
			    mmap(NULL, rg->size + pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (rg->base == MAP_FAILED) {
		int err = fd < 0 ? -ENOMEM : -errno;

		rg->base = NULL;
		if (fd >= 0)
			snprintf(errmsg, len, "mmap of %zu-page ring on cpu %d: %s (try a smaller ring)",
				 c->pages, rg->cpu, strerror(-err));
		return err;
	}
	rg->pg = rg->base;
	rg->data = (unsigned char *)rg->base + pg;
	return 0;
}

/* perf_event_open of event e on cpu; the fd, or -errno with errmsg set. */
static int open_event(struct capture *c, const struct cev *e, int cpu, char *errmsg, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = (uint64_t)e->id;
	a.sample_period = 1;
	a.sample_type = c->sample_type | (e->chain ? PERF_SAMPLE_CALLCHAIN : 0);
	a.disabled = 1;
	a.use_clockid = 1;
	a.clockid = CLOCK_MONOTONIC;
	a.watermark = 1;
	a.wakeup_watermark = (uint32_t)(c->pages * pg / 4);	/* a reader held off its CPU for a while still keeps up */
	if (e->chain) {
		a.exclude_callchain_user = 1;
		a.sample_max_stack = MAX_STACK;
	}
	fd = (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		snprintf(errmsg, len, "perf_event_open %s on cpu %d: %s%s", e->name, cpu,
			 strerror(err), err == EACCES || err == EPERM ?
			 " (needs root or kernel.perf_event_paranoid <= -1)" : "");
		return -err;
	}
	return fd;
}

/* Every allocation fires a NOFAIL event: only NOFAIL ones may reach the ring. */
static int set_nofail_filter(const struct cev *e, int fd, char *errmsg, size_t len)
{
	char flt[64];

	if (e->kind != POINT_NOFAIL || e->role != R_POINT)
		return 0;
	if (ioctl(fd, PERF_EVENT_IOC_SET_FILTER, nofail_filter(e->nofail_bit, flt, sizeof(flt))) < 0) {
		int err = -errno;

		snprintf(errmsg, len, "PERF_EVENT_IOC_SET_FILTER '%s' on %s: %s "
			 "(--events -%s runs without counting it)", flt, e->name, strerror(errno),
			 e->name);
		return err;
	}
	return 0;
}

/* Opens rg's events on its CPU; the first one's fd carries the ring, the others write into it. */
static int ring_open_events(struct capture *c, struct ring *rg, char *errmsg, size_t len)
{
	for (size_t i = 0; i < c->nr_ev; i++) {
		const struct cev *e = &c->ev[i];
		int fd, err;

		if (e->chain != rg->chain || !cap_ev_ringed(c, e))
			continue;
		fd = open_event(c, e, rg->cpu, errmsg, len);
		if (fd < 0)
			return fd;
		c->fd_ev[c->nr_fds] = (int16_t)i;
		c->fds[c->nr_fds++] = fd;
		if (rg->fd < 0) {
			rg->fd = fd;
			err = ring_map(c, rg, fd, errmsg, len);
			if (err)
				return err;
		}
		err = set_nofail_filter(e, fd, errmsg, len);
		if (err)
			return err;
		if (rg->fd != fd && ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, rg->fd) < 0) {
			err = -errno;
			snprintf(errmsg, len, "PERF_EVENT_IOC_SET_OUTPUT %s on cpu %d: %s", e->name,
				 rg->cpu, strerror(errno));
			return err;
		}
	}
	return 0;
}

int cap_rings_open(struct capture *c, const struct capture_opts *o, char *errmsg, size_t len)
{
	int *cpus = NULL, err;
	unsigned int ncpu = 0, nsets = 0;
	bool have[2] = { false, false };	/* rings without, with callchains */

	c->offline = o->offline_cpus != 0;
	err = ring_cpus(o, &cpus, &ncpu);
	if (err) {
		if (err != -ENOMEM || !c->offline)
			snprintf(errmsg, len, "capture: cannot list online CPUs: %s", strerror(-err));
		return err;
	}
	c->pages = o->ring_pages ? o->ring_pages : default_pages(ncpu);
	if (c->pages & (c->pages - 1)) {
		snprintf(errmsg, len, "capture: ring size %zu pages is not a power of two", c->pages);
		free(cpus);
		return -EINVAL;
	}
	for (size_t i = 0; i < c->nr_ev; i++)
		if (cap_ev_ringed(c, &c->ev[i]))
			have[c->ev[i].chain] = true;
	if (c->offline)
		have[c->callchain] = true, have[!c->callchain] = false;
	nsets = have[0] + have[1];
	c->rings = calloc((size_t)ncpu * nsets, sizeof(*c->rings));
	c->fds = calloc(ncpu * c->nr_ev, sizeof(*c->fds));
	c->fd_ev = calloc(ncpu * c->nr_ev + 1, sizeof(*c->fd_ev));
	if (!c->rings || !c->fds || !c->fd_ev) {
		free(cpus);
		return -ENOMEM;
	}
	c->sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;
	for (unsigned int r = 0; r < ncpu * nsets && !err; r++) {
		struct ring *rg = &c->rings[r];

		rg->cpu = cpus[r % ncpu];
		rg->chain = nsets == 2 ? r >= ncpu : have[1];
		rg->fd = -1;
		c->nr_rings++;
		err = c->offline ? ring_map(c, rg, -1, errmsg, len) :
				   ring_open_events(c, rg, errmsg, len);
	}
	free(cpus);
	return err;
}

int capture_enable(struct capture *c)
{
	c->enable_ns = now_ns();
	c->horizon = c->enable_ns;
	for (size_t i = 0; i < c->nr_fds; i++)
		if (ioctl(c->fds[i], PERF_EVENT_IOC_ENABLE, 0) < 0)
			return -errno;
	return 0;
}

int capture_disable(struct capture *c)
{
	for (size_t i = 0; i < c->nr_fds; i++)
		if (ioctl(c->fds[i], PERF_EVENT_IOC_DISABLE, 0) < 0)
			return -errno;
	return 0;
}

/* ---- reading ---- */

static void ring_publish(struct ring *r)
{
	if (r->published != r->tail) {
		__atomic_store_n(&r->pg->data_tail, r->tail, __ATOMIC_RELEASE);
		r->published = r->tail;
	}
}

/* The header of the record at ring offset off, which may wrap. */
static void ring_header(const struct ring *r, uint64_t off, struct perf_event_header *h)
{
	if (off + sizeof(*h) <= r->size) {
		memcpy(h, r->data + off, sizeof(*h));
	} else {
		size_t first = r->size - off;

		memcpy(h, r->data + off, first);
		memcpy((char *)h + first, r->data, sizeof(*h) - first);
	}
}

/*
 * Peeks the next sample of ring r (consuming LOST and other non-sample
 * records on the way). Returns true with r->ts / r->rec set.
 */
static bool ring_peek(struct ring *r, long *nread)
{
	while (r->tail < r->head) {
		uint64_t off = r->tail & r->mask;
		struct perf_event_header h;
		const unsigned char *rec;

		ring_header(r, off, &h);
		if (h.size < sizeof(h) || r->tail + h.size > r->head) {
			r->tail = r->head;	/* corrupt: skip what we have */
			break;
		}
		if (off + h.size <= r->size) {
			rec = r->data + off;
		} else {
			size_t first = r->size - off;

			memcpy(r->copy, r->data + off, first);
			memcpy(r->copy + first, r->data, h.size - first);
			rec = r->copy;
		}
		if (h.type == PERF_RECORD_SAMPLE && h.size >= sizeof(h) + 24) {
			/* pid, tid, time */
			memcpy(&r->ts, rec + sizeof(h) + 8, 8);
			r->rec = rec;
			r->rec_size = h.size;
			r->have = true;
			return true;
		}
		if (h.type == PERF_RECORD_LOST && h.size >= sizeof(h) + 16) {
			uint64_t lost;

			memcpy(&lost, rec + sizeof(h) + 8, 8);
			r->lost += lost;
		}
		r->tail += h.size;
		(*nread)++;
	}
	r->have = false;
	return false;
}

static void ring_consume(struct ring *r)
{
	r->tail += r->rec_size;
	r->have = false;
	/* give the writer room during a long drain */
	if (r->tail - r->published >= r->size / 4)
		ring_publish(r);
}

long cap_rings_read(struct capture *c, uint64_t horizon,
		    int (*fn)(struct capture *c, const unsigned char *rec, uint16_t size, bool chain),
		    int *err)
{
	long nread = 0;

	for (unsigned int i = 0; i < c->nr_rings; i++) {
		struct ring *r = &c->rings[i];

		r->head = __atomic_load_n(&r->pg->data_head, __ATOMIC_ACQUIRE);
		ring_peek(r, &nread);
	}
	/* merge: the oldest peeked sample across rings, while it is old enough */
	for (;;) {
		struct ring *best = NULL;

		for (unsigned int i = 0; i < c->nr_rings; i++) {
			struct ring *r = &c->rings[i];

			if (r->have && (!best || r->ts < best->ts))
				best = r;
		}
		if (!best || best->ts > horizon)
			break;
		if (!*err)
			*err = best->oncpu ? cap_oncpu_sample(c, best->rec, best->rec_size) :
					     fn(c, best->rec, best->rec_size, best->chain);
		ring_consume(best);
		nread++;
		ring_peek(best, &nread);
	}
	for (unsigned int i = 0; i < c->nr_rings; i++)
		ring_publish(&c->rings[i]);
	return nread;
}

/* ---- what the rings say ---- */

uint64_t capture_lost(const struct capture *c, uint64_t *per_cpu, unsigned int nr_cpu)
{
	uint64_t total = 0;

	if (per_cpu)
		memset(per_cpu, 0, nr_cpu * sizeof(*per_cpu));
	for (unsigned int i = 0; i < c->nr_rings; i++) {
		total += c->rings[i].lost;
		if (per_cpu && (unsigned int)c->rings[i].cpu < nr_cpu)
			per_cpu[c->rings[i].cpu] += c->rings[i].lost;
	}
	return total;
}

unsigned int capture_nr_cpus(const struct capture *c)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < c->nr_rings; i++)
		if ((unsigned int)c->rings[i].cpu + 1 > n)
			n = (unsigned int)c->rings[i].cpu + 1;
	return n;
}

size_t capture_ring_pages(const struct capture *c)
{
	return c->pages;
}

struct perf_event_mmap_page *capture_test_ring(struct capture *c, unsigned int i, void **data,
					       size_t *size)
{
	if (!c->offline || i >= c->nr_rings)
		return NULL;
	*data = c->rings[i].data;
	*size = c->rings[i].size;
	return c->rings[i].pg;
}

int capture_wait(struct capture *c, int timeout_ms)
{
	struct pollfd pfd[c->nr_rings ? c->nr_rings : 1];
	int n;

	for (unsigned int i = 0; i < c->nr_rings; i++) {
		pfd[i].fd = c->rings[i].fd;
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	n = poll(pfd, c->nr_rings, timeout_ms);
	if (n < 0)
		return -errno;
	return n > 0;
}

void cap_rings_close(struct capture *c)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	for (unsigned int i = 0; c->rings && i < c->nr_rings; i++)
		if (c->rings[i].base)
			munmap(c->rings[i].base, c->rings[i].size + pg);
	for (size_t i = 0; i < c->nr_fds; i++)
		close(c->fds[i]);
	free(c->rings);
	free(c->fds);
	free(c->fd_ev);
}
