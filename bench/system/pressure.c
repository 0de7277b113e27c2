/*
 * The global-pressure holder. It reserves address space for all of RAM once
 * and locks or unlocks its top end: mlock() faults the pages in and pins them
 * (no reclaim, no swap), munlock + MADV_DONTNEED gives them back. Locking X
 * bytes lowers MemAvailable by about X (reclaimable cache already counts as
 * available), so each poll moves the hold by the whole error; the hold keeps
 * following as page cache grows and shrinks. The driver and the holder share
 * one page of counters; the holder never writes a file.
 *
 * The holder is the machine's natural OOM victim (oom_score_adj 1000, the
 * largest rss): if the kernel has to kill, releasing the pressure is the
 * safe outcome, and meta.json says the holder was killed.
 */
#include "pressure.h"
#include "parse.h"
#include "sysinfo.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STEP_ALIGN (1ull << 20)
#define POLL_BUSY_MS 20
#define POLL_IDLE_MS 100

struct shared {
	_Atomic uint64_t held, held_max, adjustments, avail, avail_min, avail_max;
	_Atomic uint64_t reserve;	/* bytes of address space reserved */
	_Atomic int go;			/* driver: reset min/max from now */
	_Atomic int ready;		/* holder: within tolerance at least once */
	_Atomic int err;		/* holder: last mlock errno */
};

struct pressure {
	pid_t pid;
	uint64_t target, tol, achieved;
	struct shared *sh;
	int status;
	bool reaped;
};

uint64_t pressure_min_watermarks(void)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	char line[256];
	unsigned long long v, sum = 0;
	uint64_t mfk = 0;
	char buf[64];

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, " min %llu", &v) == 1)
				sum += v;
		fclose(f);
	}
	sum *= (unsigned long long)sysconf(_SC_PAGESIZE);
	if (!read_small("/proc/sys/vm/min_free_kbytes", buf, sizeof(buf)))
		mfk = strtoull(buf, NULL, 10) << 10;
	return sum > mfk ? sum : mfk;
}

int pressure_mem_available(uint64_t *out)
{
	return read_keyval("/proc/meminfo", "MemAvailable", out);
}

static uint64_t tolerance(uint64_t target)
{
	uint64_t t = target / 100;

	return t > (8ull << 20) ? t : 8ull << 20;
}

int pressure_check(uint64_t target, bool i_mean_it, char *msg, size_t len)
{
	uint64_t floor = pressure_min_watermarks() + PRESSURE_MARGIN, avail = 0;
	char a[32], b[32], c[32];
	/* tests only: how a bare-metal host is refused, shown on a VM */
	const char *virt = getenv("STALLBENCH_TEST_VIRT") ? getenv("STALLBENCH_TEST_VIRT") :
			   sysinfo_virt();

	if (target < floor) {
		snprintf(msg, len, "--global-pressure %s: below the kernel's min watermarks plus %s "
			 "for the system (at least %s here)", fmt_size(target, a, sizeof(a)),
			 fmt_size(PRESSURE_MARGIN, b, sizeof(b)), fmt_size(floor, c, sizeof(c)));
		return -EINVAL;
	}
	if (pressure_mem_available(&avail)) {
		snprintf(msg, len, "--global-pressure: cannot read MemAvailable from /proc/meminfo");
		return -EINVAL;
	}
	if (target + tolerance(target) >= avail) {
		snprintf(msg, len, "--global-pressure %s: not below MemAvailable now (%s): nothing to hold",
			 fmt_size(target, a, sizeof(a)), fmt_size(avail, b, sizeof(b)));
		return -EINVAL;
	}
	if (!i_mean_it && (!strcmp(virt, "bare-metal") || !strcmp(virt, "unknown"))) {
		snprintf(msg, len, "--global-pressure: this machine is not a VM (%s) and the whole "
			 "machine may go into OOM; add --i-mean-it to do it anyway", virt);
		return -EPERM;
	}
	return 0;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void amax(_Atomic uint64_t *m, uint64_t v)
{
	if (v > atomic_load(m))
		atomic_store(m, v);
}

/* The holder: never returns. */
static void holder_main(struct shared *sh, uint64_t target, uint64_t tol, pid_t parent)
{
	uint64_t reserve = mem_total_bytes(), held = 0;
	unsigned char *base;
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	prctl(PR_SET_NAME, "sb-pressure");
	signal(SIGINT, SIG_IGN);	/* the driver ends it */
	signal(SIGTERM, SIG_DFL);
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1000", 4) < 0) {
			/* not root: default badness, still the largest rss */
		}
		close(fd);
	}
	munlockall();	/* the driver's locks are not ours; only the hold is pinned */
	reserve = (reserve + STEP_ALIGN - 1) & ~(STEP_ALIGN - 1);
	base = mmap(NULL, reserve, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		atomic_store(&sh->err, errno);
		_exit(2);
	}
	madvise(base, reserve, MADV_NOHUGEPAGE);	/* 4K steps: no compaction of our own */
	atomic_store(&sh->reserve, reserve);
	for (;;) {
		uint64_t avail = 0, d;
		bool moved = false;

		if (pressure_mem_available(&avail)) {
			sleep_ms(POLL_IDLE_MS);
			continue;
		}
		if (atomic_exchange(&sh->go, 0)) {
			atomic_store(&sh->avail_min, avail);
			atomic_store(&sh->avail_max, avail);
			atomic_store(&sh->adjustments, 0);
		}
		atomic_store(&sh->avail, avail);
		if (avail < atomic_load(&sh->avail_min))
			atomic_store(&sh->avail_min, avail);
		amax(&sh->avail_max, avail);
		if (avail > target + tol && held < reserve) {
			d = (avail - target) & ~(STEP_ALIGN - 1);
			if (d > reserve - held)
				d = reserve - held;
			if (d && mlock(base + held, d) == 0) {
				held += d;
				moved = true;
			} else if (d) {
				/* partly faulted pages stay resident until unlocked: give them back */
				atomic_store(&sh->err, errno);
				madvise(base + held, d, MADV_DONTNEED);
			}
		} else if (avail + tol < target && held) {
			d = (target - avail + STEP_ALIGN - 1) & ~(STEP_ALIGN - 1);
			if (d > held)
				d = held;
			munlock(base + held - d, d);
			madvise(base + held - d, d, MADV_DONTNEED);
			held -= d;
			moved = true;
		} else {
			atomic_store(&sh->ready, 1);
		}
		atomic_store(&sh->held, held);
		amax(&sh->held_max, held);
		if (moved)
			atomic_fetch_add(&sh->adjustments, 1);
		sleep_ms(moved ? POLL_BUSY_MS : POLL_IDLE_MS);
	}
}

int pressure_start(uint64_t target, unsigned int timeout_ms, struct pressure **out,
		   char *msg, size_t len)
{
	struct pressure *p = calloc(1, sizeof(*p));
	pid_t parent = getpid();

	if (!p)
		return -ENOMEM;
	p->target = target;
	p->tol = tolerance(target);
	p->sh = mmap(NULL, sizeof(*p->sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->sh == MAP_FAILED) {
		free(p);
		snprintf(msg, len, "--global-pressure: %s", strerror(errno));
		return -ENOMEM;
	}
	memset(p->sh, 0, sizeof(*p->sh));
	atomic_store(&p->sh->avail_min, UINT64_MAX);
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0) {
		int e = errno;

		snprintf(msg, len, "--global-pressure: fork: %s", strerror(e));
		munmap(p->sh, sizeof(*p->sh));
		free(p);
		return -e;
	}
	if (p->pid == 0)
		holder_main(p->sh, target, p->tol, parent);
	for (unsigned int waited = 0; !atomic_load(&p->sh->ready); waited += 50) {
		int st;

		if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
			p->reaped = true;
			p->status = st;
			snprintf(msg, len, "--global-pressure: the holder died while taking memory (%s%s)",
				 WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "exit",
				 atomic_load(&p->sh->err) ? ", mlock failed" : "");
			pressure_stop(p);
			return -EIO;
		}
		if (waited >= timeout_ms)
			break;	/* not reached: recorded as achieved, the run goes on */
		sleep_ms(50);
	}
	*out = p;
	return 0;
}

uint64_t pressure_held(const struct pressure *p)
{
	return p ? atomic_load(&p->sh->held) : 0;
}

void pressure_go(struct pressure *p)
{
	uint64_t a = 0;

	if (!p)
		return;
	pressure_mem_available(&a);
	p->achieved = a;
	atomic_store(&p->sh->go, 1);
}

json_t *pressure_json(const struct pressure *p)
{
	const char *state = "holding";
	char why[64];
	json_t *j;

	if (!p)
		return json_null();
	if (p->reaped) {
		snprintf(why, sizeof(why), WIFSIGNALED(p->status) ? "died: signal %d" : "died: exit %d",
			 WIFSIGNALED(p->status) ? WTERMSIG(p->status) : WEXITSTATUS(p->status));
		state = why;
	}
	j = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:i,s:s}",
		      "target_bytes", (json_int_t)p->target,
		      "achieved_bytes", (json_int_t)p->achieved,
		      "tolerance_bytes", (json_int_t)p->tol,
		      "held_bytes", (json_int_t)atomic_load(&p->sh->held),
		      "held_max_bytes", (json_int_t)atomic_load(&p->sh->held_max),
		      "adjustments", (json_int_t)atomic_load(&p->sh->adjustments),
		      "pid", (int)p->pid, "holder", state);
	if (!j)
		return NULL;
	if (atomic_load(&p->sh->avail_min) != UINT64_MAX) {
		json_object_set_new(j, "mem_available_min_bytes",
				    json_integer((json_int_t)atomic_load(&p->sh->avail_min)));
		json_object_set_new(j, "mem_available_max_bytes",
				    json_integer((json_int_t)atomic_load(&p->sh->avail_max)));
	}
	json_object_set_new(j, "reached", json_boolean(atomic_load(&p->sh->ready)));
	if (atomic_load(&p->sh->err))
		json_object_set_new(j, "mlock_error", json_string(strerror(atomic_load(&p->sh->err))));
	return j;
}

/* Notes a holder that died during the run (OOM-killed) before it is killed. */
static void reap_if_dead(struct pressure *p)
{
	if (!p->reaped && waitpid(p->pid, &p->status, WNOHANG) == p->pid)
		p->reaped = true;
}

void pressure_stop(struct pressure *p)
{
	if (!p)
		return;
	if (p->pid > 0 && !p->reaped) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &p->status, 0);
	}
	munmap(p->sh, sizeof(*p->sh));
	free(p);
}

/* Called before pressure_json at the end of a run. */
void pressure_end(struct pressure *p)
{
	if (p)
		reap_if_dead(p);
}
