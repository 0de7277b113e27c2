/*
 * NOFAIL allocations counted, not recorded: per thread, one group of
 * counting perf events (no sample period, no ring, no mmap) on the
 * allocation tracepoints of the capture's set, each with the in-kernel
 * filter on that kernel's __GFP_NOFAIL bit (nofail.c: from the event's own
 * format). The kernel adds 1 to an event's count when an allocation of this
 * thread passes the filter; one read() of the leader returns every count
 * (PERF_FORMAT_GROUP | PERF_FORMAT_ID). A counter is a number in the
 * kernel, not records in a buffer: nothing can be lost, whatever the rate.
 * Opened by the thread it counts (pid 0, inherit off): the workers are
 * single-threaded processes that never fork, so a worker's thread is all of
 * its allocations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capture_impl.h"
#include "nofail.h"

#define NFC_MAX 8

struct nofail_counter {
	unsigned int n;
	int fd[NFC_MAX];	/* [0]: the group leader */
	uint64_t id[NFC_MAX];	/* the kernel's id of each (PERF_EVENT_IOC_ID) */
};

const char *capture_nofail_mode(const struct capture *c)
{
	if (!capture_counts_nofail(c))
		return NULL;
	return c->callchain ? "counters+records" : "counters";
}

void nofail_counter_close(struct nofail_counter *k)
{
	if (!k)
		return;
	for (unsigned int i = 0; i < k->n; i++)
		close(k->fd[i]);
	free(k);
}

/* One counting event of the group on the calling thread; 0 or -errno with errmsg set. */
static int nfc_add(struct nofail_counter *k, const struct cev *e, char *errmsg, size_t len)
{
	struct perf_event_attr a;
	char flt[64];
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = (uint64_t)e->id;
	a.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_ID;
	a.disabled = !k->n;	/* the leader; its members start with it */
	fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, k->n ? k->fd[0] : -1,
			  PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		snprintf(errmsg, len, "perf_event_open (counting) %s: %s", e->name, strerror(err));
		return -err;
	}
	k->fd[k->n++] = fd;
	if (ioctl(fd, PERF_EVENT_IOC_ID, &k->id[k->n - 1]) < 0) {
		snprintf(errmsg, len, "PERF_EVENT_IOC_ID %s: %s", e->name, strerror(errno));
		return -errno;
	}
	if (ioctl(fd, PERF_EVENT_IOC_SET_FILTER, nofail_filter(e->nofail_bit, flt, sizeof(flt))) < 0) {
		int err = errno;

		snprintf(errmsg, len, "PERF_EVENT_IOC_SET_FILTER '%s' on %s: %s "
			 "(--events -%s runs without counting it)", flt, e->name, strerror(err),
			 e->name);
		return -err;
	}
	return 0;
}

int capture_nofail_counter_open(const struct capture *c, struct nofail_counter **out,
				char *errmsg, size_t len)
{
	struct nofail_counter *k = calloc(1, sizeof(*k));
	int err = 0;

	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < c->nr_ev && !err; i++) {
		const struct cev *e = &c->ev[i];

		if (e->role != R_POINT || e->kind != POINT_NOFAIL)
			continue;
		if (k->n == NFC_MAX) {
			snprintf(errmsg, len, "more than %d NOFAIL events", NFC_MAX);
			err = -E2BIG;
			break;
		}
		err = nfc_add(k, e, errmsg, len);
	}
	if (!err && !k->n) {
		snprintf(errmsg, len, "no NOFAIL allocation event in the set");
		err = -ENOENT;
	}
	/* filters in place first: no allocation is counted unfiltered */
	if (!err && ioctl(k->fd[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP) < 0) {
		err = -errno;
		snprintf(errmsg, len, "PERF_EVENT_IOC_ENABLE: %s", strerror(errno));
	}
	if (err) {
		nofail_counter_close(k);
		return err;
	}
	*out = k;
	return 0;
}

bool nofail_counter_read(struct nofail_counter *k, uint64_t *total)
{
	/* nr, then { value, id } per event, in the group's order */
	uint64_t buf[1 + 2 * NFC_MAX], sum = 0;
	ssize_t want = (ssize_t)((1 + 2 * k->n) * sizeof(uint64_t));
	bool seen[NFC_MAX] = { false };

	if (read(k->fd[0], buf, sizeof(buf)) != want || buf[0] != k->n)
		return false;
	for (unsigned int i = 0; i < k->n; i++) {
		unsigned int j;

		/* every value is one of ours, once: a misread layout is no count */
		for (j = 0; j < k->n && (k->id[j] != buf[2 + 2 * i] || seen[j]); j++)
			;
		if (j == k->n)
			return false;
		seen[j] = true;
		sum += buf[1 + 2 * i];
	}
	*total = sum;
	return true;
}

unsigned int nofail_counter_events(const struct nofail_counter *k)
{
	return k->n;
}
