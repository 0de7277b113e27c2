/* Worker-side recording: ops go into the worker's ring in memory shared with
 * the driver. The op in flight is published first, so a worker killed inside
 * a call (the OOM killer's favourite moment) still leaves a row. */
#include "workload.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <dirent.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static uint32_t my_tid(void)
{
	static __thread uint32_t tid;

	if (!tid)
		tid = (uint32_t)syscall(SYS_gettid);
	return tid;
}

int wl_cpu_node(void)
{
	unsigned int cpu, node;

	/* getcpu(2): the vDSO's, no system call */
	if (getcpu(&cpu, &node))
		return -1;
	return (int)node;
}

/*
 * The calling thread's time on a CPU and time runnable-but-waiting, both in
 * ns and exact at the moment of the call. CPU time comes from
 * CLOCK_THREAD_CPUTIME_ID, which brings the running task's sum up to date
 * (schedstat's first field is only as fresh as the last tick or switch: it
 * can lag a short op by a whole tick). The wait comes from the second field
 * of /proc/thread-self/schedstat (CONFIG_SCHED_INFO): a wait is added when
 * the task gets a CPU, and a task reading it is on one, so no wait is half
 * counted. An op's wall time minus both is the time it slept: memory.high's
 * penalty, I/O, a lock; time no reclaim tracepoint sees. The file stays open
 * and is re-read from offset 0 (a seq_file regenerates it): ~1 us, taken
 * outside the op's timed window. false when the kernel has no schedstat.
 */
static bool runq_now(uint64_t *runq)
{
	static __thread int fd = -2;
	char buf[96], *p, *end;
	ssize_t n;

	if (fd == -2)
		fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return false;
	buf[n] = 0;
	strtoull(buf, &p, 10);	/* sum_exec_runtime: stale, see above */
	if (p == buf)
		return false;
	*runq = strtoull(p, &end, 10);
	return end != p;
}

static bool cpu_now(uint64_t *cpu)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return false;
	*cpu = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return true;
}

/*
 * The CPU clock is read nearest the op, the file (~5 us) farthest. Reading
 * the CPU clock is a system call whose own cost lands in the window between
 * the two reads but outside the op's wall-clock window: measured once per
 * thread (the least of a few back-to-back reads) and taken off at the end,
 * so a short op does not show more CPU time than wall time.
 */
static __thread uint64_t cpu_read_ns = UINT64_MAX;

bool wl_sched_begin(uint64_t *cpu, uint64_t *runq)
{
	if (cpu_read_ns == UINT64_MAX) {
		uint64_t a, b;

		for (int i = 0; i < 5; i++)
			if (cpu_now(&a) && cpu_now(&b) && b - a < cpu_read_ns)
				cpu_read_ns = b - a;
	}
	return runq_now(runq) && cpu_now(cpu);
}

bool wl_sched_end(uint64_t *cpu, uint64_t *runq)
{
	if (!cpu_now(cpu) || !runq_now(runq))
		return false;
	*cpu -= cpu_read_ns;	/* wl_sched_split keeps the delta >= 0 */
	return true;
}

/*
 * An op's split from the readings around it, so that cpu + runq <= latency
 * and the rest is sleep. CPU time is exact to a system call. A wait is
 * counted when it ends, and the readings are system calls, whose returns are
 * where a busy CPU preempts: a wait that began just before the op or ended
 * just after it can land in the runq delta, so runq is capped at the time
 * the op spent off a CPU. Fine for a NOFAIL call asleep for seconds; for an
 * op of microseconds on an oversubscribed machine, runq vs sleep is coarse.
 */
void wl_sched_split(uint64_t latency, uint64_t cpu0, uint64_t runq0, uint64_t cpu1,
		    uint64_t runq1, uint64_t *cpu, uint64_t *runq)
{
	uint64_t c = cpu1 > cpu0 ? cpu1 - cpu0 : 0;
	uint64_t q = runq1 > runq0 ? runq1 - runq0 : 0;

	*cpu = c < latency ? c : latency;
	*runq = q < latency - *cpu ? q : latency - *cpu;
}

uint64_t op_begin(struct wl_ctx *c, uint8_t op, uint64_t bytes)
{
	struct oprec *r = &c->ring->cur;

	memset(r, 0, sizeof(*r));
	r->tid = my_tid();
	r->worker = (uint16_t)c->worker;
	r->node = (int16_t)wl_cpu_node();	/* what happened, not what was asked */
	r->wl = c->wl;
	r->op = op;
	r->bytes = bytes;
	r->landed_node = -1;
	/* the op's start values; op_end turns them into the op's deltas */
	r->have_sched = wl_sched_begin(&r->cpu_ns, &r->runq_ns);
	r->have_nofail = wl_nofail_now(c, &r->nofail);	/* nearest the op: a read() */
	r->t_start_ns = now_ns();
	atomic_store_explicit(&c->ring->inflight, 1, memory_order_release);
	return r->t_start_ns;
}

void op_record(struct wl_ctx *c, const struct oprec *rec)
{
	struct opring *ring = c->ring;
	uint64_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);

	/* A full ring means the driver fell behind; wait rather than lose a row. */
	while (head - atomic_load_explicit(&ring->tail, memory_order_acquire) > ring->mask) {
		struct timespec ts = { 0, 1000 * 1000 };

		ring->waits++;
		nanosleep(&ts, NULL);
	}
	ring->rec[head & ring->mask] = *rec;
	atomic_store_explicit(&ring->head, head + 1, memory_order_release);
}

void op_end(struct wl_ctx *c, uint64_t t_start, int err, uint16_t flags)
{
	uint64_t end = now_ns(), cpu = 0, runq = 0, nofail = 0;
	bool counted = c->ring->cur.have_nofail && wl_nofail_now(c, &nofail);
	bool sched = c->ring->cur.have_sched && wl_sched_end(&cpu, &runq);
	struct oprec r = c->ring->cur;

	r.have_nofail = counted;
	r.nofail = counted ? nofail - r.nofail : 0;

	if (sched) {
		wl_sched_split(end - t_start, r.cpu_ns, r.runq_ns, cpu, runq, &r.cpu_ns, &r.runq_ns);
	} else {
		r.have_sched = 0;
		r.cpu_ns = r.runq_ns = 0;
	}
	r.t_start_ns = t_start;
	r.latency_ns = end - t_start;
	r.err = err;
	r.flags |= flags;
	op_record(c, &r);
	atomic_store_explicit(&c->ring->inflight, 0, memory_order_release);
}

void wl_remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char p[PATH_MAX + 256];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(path);
}

int wl_probe_dir(const char *dir)
{
	char p[PATH_MAX];
	int fd, e = 0;

	if (snprintf(p, sizeof(p), "%s/.stallbench-probe-%d", dir, (int)getpid()) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (close(fd))
		e = -errno;
	if (unlink(p))
		return -errno;
	return e;
}

int wl_check_dir(const char *opt, const char *dir, char *err, size_t len)
{
	int e;

	struct stat st;

	if (dir[0] != '/') {
		snprintf(err, len, "%s '%s': must be an absolute path", opt, dir);
		return -EINVAL;
	}
	if (stat(dir, &st)) {
		snprintf(err, len, "%s %s: %s", opt, dir, strerror(errno));
		return -EINVAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, len, "%s %s: not a directory", opt, dir);
		return -EINVAL;
	}
	if (access(dir, W_OK | X_OK)) {
		snprintf(err, len, "%s %s: not writable (%s)", opt, dir, strerror(errno));
		return -EINVAL;
	}
	/* access(2) says yes to root on /proc, sysfs, a read-only mount's
	 * permission bits...: only a file really created and removed counts */
	e = wl_probe_dir(dir);
	if (e) {
		snprintf(err, len, "%s %s: cannot create a file there (%s)", opt, dir, strerror(-e));
		return -EINVAL;
	}
	return 0;
}
