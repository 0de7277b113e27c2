/*
 * capreader: the reader side of the capture-cost microbenchmark.
 *
 *   capreader [-m capture|raw] [-e EVENTS] [-c CPU] [-p PAGES] [-i MS] [-R READYFILE]
 *
 * -m capture (default): stallbench's own capture (bench/capture/capture*.c): capture_open()
 *    with capture_opts.events = EVENTS ("+syscalls:sys_enter_getppid,..."),
 *    capture_wait()/capture_drain() until SIGINT/SIGTERM, then a final drain.
 *    Points and stalls are counted (not printed): this is the capture's cost
 *    without the runner's CSV writing.
 * -m raw: the floor: a minimal perf_event_open reader with the same attributes
 *    as capture.c (TID|TIME|CPU|RAW, CLOCK_MONOTONIC, one ring per CPU with
 *    SET_OUTPUT, same ring size) that only counts records and frees the ring.
 *    EVENTS is then "sys:ev,sys:ev" (ids read from tracefs).
 *
 * Once enabled it creates READYFILE (if given), so a script knows when to
 * start the load. At the end one key=value line goes to stdout:
 *   records= samples= stalls= points= lost= cpu_s= wall_s= ns_per_record=
 * where cpu_s is the reader's user+system time (getrusage) from enable to the
 * end of the final drain.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "monoclock.h"

static volatile sig_atomic_t stop;

static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

struct counts {
	uint64_t stalls, points;
};

static void on_stall(void *arg, const struct stall *s)
{
	(void)s;
	((struct counts *)arg)->stalls++;
}

static void on_point(void *arg, const struct point *p)
{
	(void)p;
	((struct counts *)arg)->points++;
}

static void ready(const char *path)
{
	if (path) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0)
			close(fd);
	}
}

static int run_capture(const char *events, size_t pages, int interval, const char *readyf)
{
	struct capture_opts co = { .events = events, .ring_pages = pages };
	struct counts n = { 0 };
	struct capture_sink sink = { .stall = on_stall, .point = on_point, .arg = &n };
	struct capture *c;
	char err[512];
	long r, total = 0;
	int e = capture_open(&co, &c, err, sizeof(err));

	if (e) {
		fprintf(stderr, "capreader: %s\n", err);
		return e == -EACCES || e == -EPERM || e == -ENOENT ? 4 : 1;
	}
	if (capture_enable(c)) {
		fprintf(stderr, "capreader: enable failed\n");
		return 1;
	}
	uint64_t t0 = now_ns(), c0 = cpu_ns();

	ready(readyf);
	while (!stop) {
		capture_wait(c, interval);
		r = capture_drain(c, &sink, false);
		if (r < 0) {
			fprintf(stderr, "capreader: drain: %s\n", strerror((int)-r));
			return 1;
		}
		total += r;
	}
	capture_disable(c);
	r = capture_drain(c, &sink, true);
	if (r > 0)
		total += r;
	uint64_t t1 = now_ns(), c1 = cpu_ns();

	printf("records=%ld samples=%ld stalls=%" PRIu64 " points=%" PRIu64 " lost=%" PRIu64
	       " cpu_s=%.4f wall_s=%.3f ns_per_record=%.1f ring_pages=%zu\n",
	       total, total, n.stalls, n.points, capture_lost(c, NULL, 0), (double)(c1 - c0) / 1e9,
	       (double)(t1 - t0) / 1e9, total ? (double)(c1 - c0) / (double)total : 0.0,
	       capture_ring_pages(c));
	capture_close(c);
	return 0;
}

/* ---- raw: the floor ---- */

struct rring {
	int fd;
	struct perf_event_mmap_page *pg;
	unsigned char *data;
	uint64_t size;
};

static int tp_id(const char *tracefs, const char *sysev)
{
	char path[512], sys[128], ev[256];
	const char *colon = strchr(sysev, ':');
	FILE *f;
	int id = -1;

	if (!colon || (size_t)(colon - sysev) >= sizeof(sys))
		return -1;
	memcpy(sys, sysev, (size_t)(colon - sysev));
	sys[colon - sysev] = '\0';
	snprintf(ev, sizeof(ev), "%s", colon + 1);
	snprintf(path, sizeof(path), "%s/events/%s/%s/id", tracefs, sys, ev);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &id) != 1)
		id = -1;
	fclose(f);
	return id;
}

static int run_raw(const char *events, size_t pages, int interval, const char *readyf)
{
	const char *tracefs = access("/sys/kernel/tracing/events", F_OK) == 0 ?
			      "/sys/kernel/tracing" : "/sys/kernel/debug/tracing";
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	int ids[32], nid = 0;
	char *dup = strdup(events), *tok, *save = NULL;
	struct rring *rr = calloc((size_t)ncpu, sizeof(*rr));
	int *fds = calloc((size_t)ncpu * 32, sizeof(int));
	size_t nfds = 0;
	uint64_t samples = 0, lost = 0, records = 0;

	for (tok = strtok_r(dup, ",", &save); tok && nid < 32; tok = strtok_r(NULL, ",", &save)) {
		if (*tok == '+')
			tok++;
		ids[nid] = tp_id(tracefs, tok);
		if (ids[nid] < 0) {
			fprintf(stderr, "capreader: no tracepoint %s under %s\n", tok, tracefs);
			return 4;
		}
		nid++;
	}
	if (!pages)
		pages = 2048;	/* capture_ring.c's default on a 2-CPU machine */
	for (long cpu = 0; cpu < ncpu; cpu++) {
		rr[cpu].fd = -1;
		for (int i = 0; i < nid; i++) {
			struct perf_event_attr a;
			int fd;

			memset(&a, 0, sizeof(a));
			a.size = sizeof(a);
			a.type = PERF_TYPE_TRACEPOINT;
			a.config = (uint64_t)ids[i];
			a.sample_period = 1;
			a.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;
			a.disabled = 1;
			if (!getenv("CAPREADER_PERF_CLOCK")) {	/* experiment: perf's default clock */
				a.use_clockid = 1;
				a.clockid = CLOCK_MONOTONIC;
			}
			a.watermark = 1;
			a.wakeup_watermark = (uint32_t)(pages * pg / 2);
			fd = (int)syscall(SYS_perf_event_open, &a, -1, (int)cpu, -1, PERF_FLAG_FD_CLOEXEC);
			if (fd < 0) {
				perror("perf_event_open");
				return errno == EACCES || errno == EPERM ? 4 : 1;
			}
			fds[nfds++] = fd;
			if (rr[cpu].fd < 0) {
				void *base = mmap(NULL, (pages + 1) * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

				if (base == MAP_FAILED) {
					perror("mmap");
					return 1;
				}
				rr[cpu].fd = fd;
				rr[cpu].pg = base;
				rr[cpu].data = (unsigned char *)base + pg;
				rr[cpu].size = pages * pg;
			} else if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, rr[cpu].fd) < 0) {
				perror("SET_OUTPUT");
				return 1;
			}
		}
	}
	for (size_t i = 0; i < nfds; i++)
		ioctl(fds[i], PERF_EVENT_IOC_ENABLE, 0);
	uint64_t t0 = now_ns(), c0 = cpu_ns();
	struct pollfd *pfd = calloc((size_t)ncpu, sizeof(*pfd));
	int last = 0;

	ready(readyf);
	for (;;) {
		if (stop && !last) {
			for (size_t i = 0; i < nfds; i++)
				ioctl(fds[i], PERF_EVENT_IOC_DISABLE, 0);
			last = 1;
		} else if (!last) {
			for (long cpu = 0; cpu < ncpu; cpu++) {
				pfd[cpu].fd = rr[cpu].fd;
				pfd[cpu].events = POLLIN;
			}
			poll(pfd, (nfds_t)ncpu, interval);
		}
		for (long cpu = 0; cpu < ncpu; cpu++) {
			struct rring *r = &rr[cpu];
			uint64_t head = __atomic_load_n(&r->pg->data_head, __ATOMIC_ACQUIRE);
			uint64_t tail = r->pg->data_tail;

			while (tail < head) {
				struct perf_event_header h;
				uint64_t off = tail & (r->size - 1);

				if (off + sizeof(h) <= r->size) {
					memcpy(&h, r->data + off, sizeof(h));
				} else {
					size_t first = r->size - off;

					memcpy(&h, r->data + off, first);
					memcpy((char *)&h + first, r->data, sizeof(h) - first);
				}
				if (h.size < sizeof(h))
					break;
				if (h.type == PERF_RECORD_SAMPLE) {
					samples++;
				} else if (h.type == PERF_RECORD_LOST) {
					uint64_t l;
					uint64_t o2 = (off + sizeof(h) + 8) & (r->size - 1);

					memcpy(&l, r->data + o2, 8);	/* 8-aligned, never wraps */
					lost += l;
				}
				records++;
				tail += h.size;
			}
			__atomic_store_n(&r->pg->data_tail, head, __ATOMIC_RELEASE);
		}
		if (last)
			break;
	}
	uint64_t t1 = now_ns(), c1 = cpu_ns();

	printf("records=%" PRIu64 " samples=%" PRIu64 " stalls=0 points=0 lost=%" PRIu64
	       " cpu_s=%.4f wall_s=%.3f ns_per_record=%.1f ring_pages=%zu\n",
	       records, samples, lost, (double)(c1 - c0) / 1e9, (double)(t1 - t0) / 1e9,
	       records ? (double)(c1 - c0) / (double)records : 0.0, pages);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = "capture", *events = NULL, *readyf = NULL;
	size_t pages = 0;
	int interval = 50, cpu = -1, opt;
	struct sigaction sa;

	while ((opt = getopt(argc, argv, "m:e:c:p:i:R:")) != -1) {
		switch (opt) {
		case 'm': mode = optarg; break;
		case 'e': events = optarg; break;
		case 'c': cpu = atoi(optarg); break;
		case 'p': pages = strtoul(optarg, NULL, 0); break;
		case 'i': interval = atoi(optarg); break;
		case 'R': readyf = optarg; break;
		default:
			fprintf(stderr, "usage: capreader [-m capture|raw] [-e EVENTS] [-c CPU] [-p PAGES]"
					" [-i MS] [-R READYFILE]\n");
			return 2;
		}
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!strcmp(mode, "raw"))
		return run_raw(events ? events : "syscalls:sys_enter_getppid,syscalls:sys_exit_getppid",
			       pages, interval, readyf);
	return run_capture(events, pages, interval, readyf);
}
