/*
 * Fuzzes /dev/nofail_vmalloc from several processes (issue 6, item 4), run
 * as root inside the QEMU lab by tests/vm/ioctl_fuzz.sh. Built on the host.
 *
 *   ioctl_fuzz fuzz NPROC PER_PROC SEED   random and edge-case requests
 *   ioctl_fuzz kill ROUNDS SEED           SIGKILL clients mid-call (item 2)
 *   ioctl_fuzz unpriv                     an unprivileged caller gets EPERM
 *
 * fuzz: each process has a table of fds (its own opens, dup()s, one file
 * shared by all processes) and a thread that closes and reopens them while
 * the main thread issues ioctls on them: ALLOC/FREE/INFO with random and
 * edge-case sizes, flags (unknown bits too), nodes, scopes, entries, struct
 * size and ABI fields, long and short struct sizes in the command with a
 * nonzero tail, wrong directions, unknown commands, NULL/unmapped/
 * misaligned/read-only/page-crossing pointers, FREE of random handles,
 * read()/pread()/lseek() of the call log with odd sizes and offsets. Every
 * result must be 0 or one of EINVAL ENOTTY E2BIG EPERM EFAULT ENOENT ENOMEM
 * EBADF; anything else is printed as UNEXPECTED and fails. Successful ALLOCs
 * are checked for consistency (never NULL, nr_pages, times, handle).
 * Requests stay small: the test loads the module with max_bytes=1M, so
 * anything larger is E2BIG.
 *
 * kill: ROUNDS times, 3 clients sharing one file (plus their own) keep
 * areas and make held calls; each is SIGKILLed at a random moment.
 *
 * Before and after (all clients gone) fuzz and kill print VmallocUsed, the
 * module's kept_areas/kept_bytes, and "leaks: N" (kept_* not back to 0, or
 * VmallocUsed above its start by more than 4 MiB).
 * Exit: 0 all good, 1 a check failed, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nofail_vmalloc_uapi.h"

#define PG 4096UL
#define NFDS 6
#define MAXKEEP 48
#define MAXERR 256
#define MAXNOTE 12

/* One fuzzing process's tallies, shared with the parent. */
struct tally {
	uint64_t ops, ioctls, reads, seeks, allocs_ok, kept, freed;
	uint64_t err[MAXERR];
	uint64_t unexpected, inconsistent;
	char note[MAXNOTE][160];
	uint32_t nnotes;
};

static struct tally *T;
static _Atomic int fds[NFDS];
static _Atomic int stop_closer;
static __thread uint64_t rng_state;
static void *unmapped, *ro_page, *edge_page;
static uint32_t max_bytes;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[rnd() % n];
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	if (T->nnotes >= MAXNOTE)
		return;
	va_start(ap, fmt);
	vsnprintf(T->note[T->nnotes++], sizeof(T->note[0]), fmt, ap);
	va_end(ap);
}

static int errno_ok(int e)
{
	switch (e) {
	case 0: case EINVAL: case ENOTTY: case E2BIG: case EPERM: case EFAULT:
	case ENOENT: case ENOMEM: case EBADF:
		return 1;
	}
	return 0;
}

static void tally(const char *what, long ret, int e)
{
	int code = ret < 0 ? e : 0;

	T->ops++;
	T->err[code < MAXERR ? code : MAXERR - 1]++;
	if (!errno_ok(code)) {
		T->unexpected++;
		note("UNEXPECTED %s: %s", what, strerrorname_np(code) ?: "?");
	}
}

static int dev_open(int flags)
{
	return open(NFVM_DEVICE, flags | O_CLOEXEC);
}

/* --- the closer thread: closes, dups and reopens the fds under the fuzzer --- */
static void *closer(void *arg)
{
	rng_state = (uint64_t)(uintptr_t)arg * 0x9E3779B97F4A7C15ULL + 7;
	while (!atomic_load(&stop_closer)) {
		int i = (int)(rnd() % NFDS), old, nfd;

		if (i == 0) {		/* slot 0: the file shared with other processes */
			sched_yield();
			continue;
		}
		old = atomic_exchange(&fds[i], -1);
		if (old >= 0 && rnd() % 2)
			close(old);
		else if (old >= 0) {
			atomic_store(&fds[i], old);
			old = -1;
		}
		/* Half the time leave it closed for a while (EBADF), else reopen/dup. */
		if (rnd() % 2) {
			struct timespec ts = { 0, (long)(rnd() % 200000) };

			nanosleep(&ts, NULL);
		}
		if (atomic_load(&fds[i]) >= 0)
			continue;
		switch (rnd() % 3) {
		case 0:
			nfd = dev_open((int)pick((const uint64_t[]){ O_RDONLY, O_WRONLY, O_RDWR }, 3));
			break;
		default: {
			int src = atomic_load(&fds[rnd() % NFDS]);

			nfd = src >= 0 ? dup(src) : dev_open(O_RDWR);
			/* src may have been closed meanwhile: EBADF, reopen. */
			if (nfd < 0)
				nfd = dev_open(O_RDWR);
		}
		}
		atomic_store(&fds[i], nfd);
	}
	return NULL;
}

/* An fd to use: mostly a live one, sometimes closed or never valid. */
static int some_fd(void)
{
	switch (rnd() % 40) {
	case 0: return -1;
	case 1: return 1000;	/* never opened */
	default: return atomic_load(&fds[rnd() % NFDS]);
	}
}

/* --- argument generators --- */
static uint64_t gen_bytes(void)
{
	static const uint64_t edge[] = {
		0, 1, 2, PG - 1, PG, PG + 1, 2 * PG, 64 << 10, (64 << 10) + 1,
		(1 << 20) - 1, 1 << 20, (1 << 20) + 1, 4 << 20, (uint64_t)INT32_MAX,
		(uint64_t)INT32_MAX + 1, UINT32_MAX, (uint64_t)UINT32_MAX + 1, 1ULL << 40,
		INT64_MAX, UINT64_MAX, UINT64_MAX - PG + 1,
	};

	switch (rnd() % 8) {
	case 0: case 1: return pick(edge, sizeof(edge) / sizeof(edge[0]));
	case 2: return rnd();
	case 3: return max_bytes + rnd() % 3 - 1;
	case 4: return 1 + rnd() % (1 << 20);
	default: return 1 + rnd() % (64 << 10);	/* mostly small: fast */
	}
}

static uint32_t gen_flags(void)
{
	static const uint32_t known[] = {
		NFVM_F_NOFAIL, NFVM_F_ACCOUNT, NFVM_F_NOWARN, NFVM_F_RETRY_MAYFAIL,
		NFVM_F_NORETRY, NFVM_F_KEEP,
	};
	uint32_t f = 0;

	switch (rnd() % 6) {
	case 0: return (uint32_t)rnd();			/* unknown bits too */
	case 1: return 1U << (rnd() % 32);
	case 2: return NFVM_F_ALL;
	default:
		for (size_t i = 0; i < 6; i++)
			if (rnd() % 3 == 0)
				f |= known[i];
		/* Keep NOWARN on most valid requests: E2BIG/NULL warnings are noise. */
		if (rnd() % 4)
			f |= NFVM_F_NOWARN;
		return f;
	}
}

static uint32_t gen_node(void)
{
	static const uint64_t edge[] = {
		0, 1, 2, 3, 63, 64, 1023, 1024, 1025, 0xfffffffe /* -2 */, NFVM_NO_NODE,
		0x7fffffff, 0x80000000,
	};

	switch (rnd() % 4) {
	case 0: return (uint32_t)rnd();
	case 1: return (uint32_t)pick(edge, sizeof(edge) / sizeof(edge[0]));
	case 2: return (uint32_t)(rnd() % 2);
	default: return NFVM_NO_NODE;
	}
}

/* A pointer to pass: mostly good, sometimes NULL/unmapped/misaligned/
 * read-only/crossing into an unmapped page/kernel address. */
static void *gen_ptr(void *good, size_t len, int *kind)
{
	*kind = (int)(rnd() % 32);
	switch (*kind) {
	case 0: return NULL;
	case 1: return unmapped;
	case 2: return (char *)good + 1 + rnd() % 7;		/* misaligned */
	case 3: return (char *)good + 4;			/* 4-aligned only */
	case 4: return ro_page;					/* copy_to_user fails */
	case 5: return (char *)edge_page + PG - (len & ~7UL) + 8;	/* crosses into a hole */
	case 6: return (void *)0xffff888000000000UL;		/* kernel address */
	case 7: return (void *)(uintptr_t)(rnd() & ~7ULL);
	default: return good;
	}
}

static unsigned int gen_cmd(unsigned int good, size_t sz)
{
	unsigned int type;

	const unsigned int rw = _IOC_READ | _IOC_WRITE, nr = _IOC_NR(good);

	switch (rnd() % 24) {
	case 0: return _IOC(rw, NFVM_IOC_MAGIC, nr, sz + 8);		/* long */
	case 1: return _IOC(rw, NFVM_IOC_MAGIC, nr, sz - 8);		/* short */
	case 2: return _IOC(rw, NFVM_IOC_MAGIC, nr, (unsigned int)(rnd() % 1024));
	case 3: return _IOC(_IOC_WRITE, NFVM_IOC_MAGIC, nr, sz);
	case 4: return _IOC(_IOC_READ, NFVM_IOC_MAGIC, nr, sz);
	case 5: return _IOC(_IOC_NONE, NFVM_IOC_MAGIC, nr, 0);
	case 6: return _IOC(rw, NFVM_IOC_MAGIC, (unsigned int)(rnd() % 256), sz);
	case 7:
		/* Another type, but not those the VFS handles itself on any file
		 * ('T' FIONBIO..., 'X' freeze, 'f' flags, 0x94 clone, 0 FIGETBSZ). */
		do
			type = (unsigned int)(rnd() % 256);
		while (type == 'T' || type == 'X' || type == 'f' || type == 0x94 || type == 0 ||
		       type == NFVM_IOC_MAGIC);
		return _IOC((unsigned int)(rnd() % 4), type, (unsigned int)(rnd() % 256),
			    (unsigned int)(rnd() % 512));
	default: return good;
	}
}

static uint64_t handles[MAXKEEP];
static unsigned int nhandles;

static void check_alloc_out(const struct nofail_vmalloc_alloc *a, long ret, int e)
{
	if (ret == 0) {
		T->allocs_ok++;
		if (a->out & NFVM_OUT_NULL)
			T->inconsistent++, note("ALLOC returned 0 with OUT_NULL");
		if (a->nr_pages != (a->bytes + PG - 1) / PG)
			T->inconsistent++, note("ALLOC nr_pages %llu for %llu bytes",
					     (unsigned long long)a->nr_pages,
					     (unsigned long long)a->bytes);
		if (a->t_end_ns < a->t_start_ns || a->latency_ns != a->t_end_ns - a->t_start_ns)
			T->inconsistent++, note("ALLOC times inconsistent");
		if (a->flags & NFVM_F_KEEP) {
			if (!(a->out & NFVM_OUT_KEPT) || !a->handle)
				T->inconsistent++, note("KEEP without a handle");
			else if (nhandles < MAXKEEP)
				handles[nhandles++] = a->handle;
			T->kept++;
		}
	} else if (e == ENOMEM && (a->flags & NFVM_F_NOFAIL) && (a->out & NFVM_OUT_NULL)) {
		T->inconsistent++;
		note("NULL under NOFAIL: %llu bytes flags %#x", (unsigned long long)a->bytes,
		     a->flags);
	}
}

static void op_alloc(void)
{
	static char buf[512] __attribute__((aligned(64)));
	struct nofail_vmalloc_alloc a;
	int fd = some_fd(), kind;
	unsigned int cmd;
	void *p;
	long ret;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.abi = NFVM_ABI;
	if (rnd() % 2) {
		/* A valid request, sometimes with one field made wrong below. */
		static const uint32_t fl[] = {
			0, NFVM_F_NOFAIL, NFVM_F_NOFAIL | NFVM_F_ACCOUNT, NFVM_F_RETRY_MAYFAIL,
			NFVM_F_NORETRY, NFVM_F_ACCOUNT | NFVM_F_NORETRY,
		};

		a.bytes = rnd() % 8 ? 1 + rnd() % (64 << 10) : 1 + rnd() % (1 << 20);
		a.flags = fl[rnd() % 6] | NFVM_F_NOWARN | (rnd() % 3 ? 0 : NFVM_F_KEEP);
		a.scope = (uint32_t)(rnd() % 3);
		a.entry = (uint32_t)(rnd() % 2);
		a.node = a.entry == NFVM_ENTRY_KVMALLOC_NODE && rnd() % 2 ?
			 (uint32_t)(rnd() % 2) : NFVM_NO_NODE;
		if (!(a.flags & NFVM_F_KEEP) && rnd() % 8 == 0)
			a.hold_ns = rnd() % 100000;
		switch (rnd() % 10) {
		case 0: a.bytes = gen_bytes(); break;
		case 1: a.flags = gen_flags(); break;
		case 2: a.node = gen_node(); break;
		case 3: a.scope = (uint32_t)rnd(); break;
		case 4: a.entry = (uint32_t)rnd(); break;
		}
	} else {
		a.bytes = gen_bytes();
		a.flags = gen_flags();
		a.node = gen_node();
		a.scope = rnd() % 8 ? (uint32_t)(rnd() % 3) : (uint32_t)rnd();
		a.entry = rnd() % 8 ? (uint32_t)(rnd() % 2) : (uint32_t)rnd();
		if (rnd() % 10 == 0)
			a.hold_ns = rnd() % 4 ? rnd() % 100000 : rnd();
	}
	/* Huge holds only where they are refused (KEEP): never sleep long. */
	if (a.hold_ns > 100000 && !(a.flags & NFVM_F_KEEP))
		a.hold_ns = 100000;
	switch (rnd() % 16) {
	case 0: a.size = (uint32_t)rnd(); break;
	case 1: a.size = sizeof(a) + 8 * (1 + (uint32_t)(rnd() % 4)); break;
	case 2: a.size = sizeof(a) - 8; break;
	case 3: a.abi = (uint32_t)rnd() % 4; break;
	case 4: a.reserved = rnd() | 1; break;
	case 5: a.handle = rnd(); a.out = (uint32_t)rnd(); break;	/* out fields are ignored */
	}
	/* Never a valid request above 1M in the fuzz (the module's max_bytes=1M). */
	if (a.bytes > (1 << 20) && a.bytes <= max_bytes)
		a.bytes = 1 << 20;
	if ((a.flags & NFVM_F_KEEP) && nhandles >= MAXKEEP)
		a.flags &= ~NFVM_F_KEEP;
	cmd = gen_cmd(NFVM_IOC_ALLOC, sizeof(a));
	memset(buf, rnd() % 2 ? 0 : 0xa5, sizeof(buf));		/* nonzero tail */
	memcpy(buf, &a, sizeof(a));
	p = gen_ptr(buf, sizeof(a), &kind);
	ret = ioctl(fd, cmd, p);
	tally("ALLOC", ret, errno);
	T->ioctls++;
	if (p == buf && cmd == NFVM_IOC_ALLOC) {
		memcpy(&a, buf, sizeof(a));
		check_alloc_out(&a, ret, errno);
	}
}

static void op_free(void)
{
	struct nofail_vmalloc_free f __attribute__((aligned(8)));
	int fd = some_fd(), kind;
	unsigned int cmd;
	void *p;
	long ret;
	int e;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.abi = NFVM_ABI;
	if (nhandles && rnd() % 2) {
		unsigned int i = (unsigned int)(rnd() % nhandles);

		f.handle = handles[i];
		if (rnd() % 8)		/* sometimes keep it: a double free */
			handles[i] = handles[--nhandles];
	} else {
		f.handle = rnd() % 2 ? rnd() % 64 : rnd();
	}
	if (rnd() % 10 == 0)
		f.size = (uint32_t)rnd();
	if (rnd() % 10 == 0)
		f.abi = (uint32_t)rnd();
	cmd = gen_cmd(NFVM_IOC_FREE, sizeof(f));
	p = gen_ptr(&f, sizeof(f), &kind);
	ret = ioctl(fd, cmd, p);
	e = errno;
	tally("FREE", ret, e);
	T->ioctls++;
	if (ret == 0 && p == &f)
		T->freed++;
}

static void op_info(void)
{
	struct nofail_vmalloc_info i __attribute__((aligned(8)));
	int fd = some_fd(), kind;
	unsigned int cmd;
	void *p;
	long ret;

	memset(&i, 0, sizeof(i));
	i.size = rnd() % 8 ? sizeof(i) : (uint32_t)rnd();
	i.abi = rnd() % 2 ? NFVM_ABI : (uint32_t)rnd();	/* any ABI is accepted */
	cmd = gen_cmd(NFVM_IOC_INFO, sizeof(i));
	p = gen_ptr(&i, sizeof(i), &kind);
	ret = ioctl(fd, cmd, p);
	tally("INFO", ret, errno);
	T->ioctls++;
	if (ret == 0 && p == &i && (i.abi != NFVM_ABI || i.size != sizeof(i) ||
				    i.record_size != sizeof(struct nofail_vmalloc_record)))
		T->inconsistent++, note("INFO: abi %u size %u record_size %u", i.abi, i.size,
				     i.record_size);
}

static void op_unknown(void)
{
	char buf[1024] __attribute__((aligned(8)));
	int fd = some_fd(), kind;
	unsigned int cmd;
	void *p;

	memset(buf, (int)(rnd() & 0xff), sizeof(buf));
	cmd = gen_cmd(_IOC(_IOC_READ | _IOC_WRITE, NFVM_IOC_MAGIC, 4 + (unsigned int)(rnd() % 252), 8), 8);
	p = gen_ptr(buf, 512, &kind);
	tally("UNKNOWN", ioctl(fd, cmd, p), errno);
	T->ioctls++;
}

static void op_read(void)
{
	static const size_t rsz = sizeof(struct nofail_vmalloc_record);
	static struct nofail_vmalloc_record recs[16];
	const size_t counts[] = { 0, 1, rsz - 1, rsz, rsz + 1, 2 * rsz - 1, 3 * rsz,
				  sizeof(recs), sizeof(recs) + 1 };
	int fd = some_fd(), kind;
	size_t n = counts[rnd() % (sizeof(counts) / sizeof(counts[0]))];
	void *p = gen_ptr(recs, n, &kind);
	ssize_t ret;
	off_t off;

	if (p == recs || p == (char *)recs + 4 || kind > 7)
		p = recs;
	else if (kind == 2)
		p = (char *)recs + 3;	/* misaligned buffers are fine for read */
	switch (rnd() % 4) {
	case 0:
		off = (off_t)(rnd() % 4 ? rnd() % (1 << 24) : rnd());	/* also negative */
		ret = pread(fd, p, n, off);
		break;
	default:
		ret = read(fd, p, n);
		break;
	}
	tally("read", ret, errno);
	T->reads++;
	if (ret > 0 && (size_t)ret % rsz)
		T->inconsistent++, note("read returned %zd, not whole records", ret);
	if (ret > 0 && p == recs && recs[0].size != rsz)
		T->inconsistent++, note("read: record size field %u", recs[0].size);
}

static void op_seek(void)
{
	/* Not SEEK_DATA/SEEK_HOLE: the VFS answers those with ENXIO past the end. */
	static const int wh[] = { SEEK_SET, SEEK_CUR, SEEK_END, 7 };
	off_t off;

	switch (rnd() % 4) {
	case 0: off = 0; break;
	case 1: off = (off_t)(rnd() % 100000) - 50000; break;
	case 2: off = (off_t)rnd(); break;
	default: off = (off_t)((rnd() % 1000) * sizeof(struct nofail_vmalloc_record)); break;
	}
	/* EINVAL: negative or past the end of the log (fixed_size_llseek) */
	tally("lseek", (long)lseek(some_fd(), off, wh[rnd() % 4]), errno);
	T->seeks++;
}

static int fuzz_proc(unsigned int id, uint64_t n, uint64_t seed, int shared_fd)
{
	pthread_t th;

	rng_state = seed * 0x9E3779B97F4A7C15ULL + id + 1;
	atomic_store(&fds[0], shared_fd);
	for (int i = 1; i < NFDS; i++)
		atomic_store(&fds[i], i % 2 ? dev_open(O_RDWR) : dup(shared_fd));
	if (pthread_create(&th, NULL, closer, (void *)(uintptr_t)(seed + id + 1)))
		return 1;
	for (uint64_t i = 0; i < n; i++) {
		switch (rnd() % 16) {
		case 0: case 1: case 2: case 3: case 4: case 5: case 6:
			op_alloc();
			break;
		case 7: case 8:
			op_free();
			break;
		case 9: case 10:
			op_info();
			break;
		case 11: case 12:
			op_unknown();
			break;
		case 13: case 14:
			op_read();
			break;
		default:
			op_seek();
			break;
		}
	}
	atomic_store(&stop_closer, 1);
	pthread_join(th, NULL);
	/* Leave the kept areas to close(): that is part of what is tested. */
	for (int i = 0; i < NFDS; i++)
		if (atomic_load(&fds[i]) >= 0)
			close(atomic_load(&fds[i]));
	return 0;
}

/* --- leak bookkeeping --- */
static long meminfo_kb(const char *key)
{
	char line[256], k[64];
	long kb = -1, v;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %ld kB", k, &v) == 2 && !strcmp(k, key)) {
			kb = v;
			break;
		}
	if (f)
		fclose(f);
	return kb;
}

static int module_info(struct nofail_vmalloc_info *i)
{
	int fd = dev_open(O_RDONLY), ret;

	memset(i, 0, sizeof(*i));
	i->size = sizeof(*i);
	i->abi = NFVM_ABI;
	if (fd < 0)
		return -1;
	ret = ioctl(fd, NFVM_IOC_INFO, i);
	close(fd);
	return ret;
}

struct snap { long vmalloc_kb, sunreclaim_kb; struct nofail_vmalloc_info i; };

static void snap(struct snap *s)
{
	/* Let deferred vfree (RCU/workqueue) work settle. */
	usleep(200000);
	s->vmalloc_kb = meminfo_kb("VmallocUsed");
	s->sunreclaim_kb = meminfo_kb("SUnreclaim");
	if (module_info(&s->i))
		s->i.kept_areas = s->i.kept_bytes = ~0ULL;
}

/* Prints the comparison; returns the number of leaks. */
static int leaks(const char *what, const struct snap *a, const struct snap *b)
{
	int n = 0;

	printf("%s: VmallocUsed %ld -> %ld kB, SUnreclaim %ld -> %ld kB, kept_areas %" PRIu64
	       " -> %" PRIu64 ", kept_bytes %" PRIu64 " -> %" PRIu64 ", calls logged %" PRIu64 "\n",
	       what, a->vmalloc_kb, b->vmalloc_kb, a->sunreclaim_kb, b->sunreclaim_kb,
	       (uint64_t)a->i.kept_areas, (uint64_t)b->i.kept_areas, (uint64_t)a->i.kept_bytes,
	       (uint64_t)b->i.kept_bytes, (uint64_t)(b->i.log_next_seq - a->i.log_next_seq));
	if (b->i.kept_areas != 0 || b->i.kept_bytes != 0)
		n++, printf("LEAK %s: module still holds %" PRIu64 " areas, %" PRIu64 " bytes\n",
			    what, (uint64_t)b->i.kept_areas, (uint64_t)b->i.kept_bytes);
	if (b->vmalloc_kb - a->vmalloc_kb > 4096)
		n++, printf("LEAK %s: VmallocUsed grew by %ld kB (tolerance 4096)\n", what,
			    b->vmalloc_kb - a->vmalloc_kb);
	if (b->sunreclaim_kb - a->sunreclaim_kb > 32768)
		n++, printf("LEAK %s: SUnreclaim grew by %ld kB (tolerance 32768)\n", what,
			    b->sunreclaim_kb - a->sunreclaim_kb);
	return n;
}

static int setup_pages(void)
{
	char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return -1;
	/* [0] edge (rw, then a hole), [1] hole, [2] read-only, [3] hole */
	memset(m, 0x5a, 4 * PG);
	munmap(m + PG, PG);
	munmap(m + 3 * PG, PG);
	mprotect(m + 2 * PG, PG, PROT_READ);
	edge_page = m;
	unmapped = m + 3 * PG;
	ro_page = m + 2 * PG;
	return 0;
}

static int cmd_fuzz(unsigned int nproc, uint64_t per, uint64_t seed)
{
	struct tally *all;
	struct snap s0, s1;
	uint64_t ops = 0, ioctls = 0, un = 0, inc = 0, err[MAXERR] = { 0 };
	struct timespec t0, t1;
	int shared, bad = 0, nleak;
	unsigned int p;

	all = mmap(NULL, nproc * sizeof(*all), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		   -1, 0);
	if (all == MAP_FAILED || setup_pages())
		return 1;
	memset(all, 0, nproc * sizeof(*all));
	snap(&s0);
	max_bytes = s0.i.max_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)s0.i.max_bytes;
	printf("module max_bytes=%" PRIu64 " force=%u\n", (uint64_t)s0.i.max_bytes, s0.i.force);
	if (s0.i.force || s0.i.max_bytes > (8 << 20)) {
		printf("FAIL load the module with max_bytes <= 8M and force=0 for the fuzz\n");
		return 1;
	}
	shared = dev_open(O_RDWR);
	if (shared < 0) {
		perror(NFVM_DEVICE);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fflush(stdout);
	for (p = 0; p < nproc; p++) {
		pid_t pid = fork();

		if (pid == 0) {
			T = &all[p];
			_exit(fuzz_proc(p, per, seed, shared));
		}
		if (pid < 0)
			return 1;
	}
	close(shared);	/* the last child to close it frees what was kept through it */
	for (p = 0; p < nproc; p++) {
		int st;
		pid_t pid = wait(&st);

		if (pid < 0)
			break;
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			printf("FAIL fuzz process %d ended with status %#x\n", pid, st);
			bad++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (p = 0; p < nproc; p++) {
		ops += all[p].ops;
		ioctls += all[p].ioctls;
		un += all[p].unexpected;
		inc += all[p].inconsistent;
		for (int e = 0; e < MAXERR; e++)
			err[e] += all[p].err[e];
		for (uint32_t k = 0; k < all[p].nnotes; k++)
			printf("proc %u: %s\n", p, all[p].note[k]);
	}
	printf("results:");
	for (int e = 0; e < MAXERR; e++)
		if (err[e])
			printf(" %s=%" PRIu64, e ? strerrorname_np(e) ?: "?" : "0", err[e]);
	printf("\n");
	for (p = 0; p < nproc; p++)
		printf("proc %u: ops %" PRIu64 " ioctls %" PRIu64 " allocs_ok %" PRIu64 " kept %" PRIu64
		       " freed %" PRIu64 " reads %" PRIu64 " seeks %" PRIu64 "\n", p, all[p].ops,
		       all[p].ioctls, all[p].allocs_ok, all[p].kept, all[p].freed, all[p].reads,
		       all[p].seeks);
	snap(&s1);
	nleak = leaks("fuzz", &s0, &s1);
	printf("fuzz_secs=%.1f\nops=%" PRIu64 "\nunexpected=%" PRIu64 "\ninconsistent=%" PRIu64 "\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, ops, un,
	       inc);
	printf("ioctls fuzzed: %" PRIu64 ", leaks: %d\n", ioctls, nleak);
	return bad || un || inc || nleak ? 1 : 0;
}

/* --- kill: clients SIGKILLed at random moments free everything --- */
static void kill_client(int shared, uint64_t seed)
{
	int own = dev_open(O_RDWR);

	rng_state = seed;
	for (;;) {
		struct nofail_vmalloc_alloc a;
		int fd = rnd() % 2 ? shared : own;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.abi = NFVM_ABI;
		a.node = NFVM_NO_NODE;
		a.bytes = 1 + rnd() % (1 << 20);
		a.flags = NFVM_F_NOWARN | (rnd() % 2 ? NFVM_F_NOFAIL : 0);
		if (rnd() % 4)
			a.flags |= NFVM_F_KEEP;
		else
			a.hold_ns = rnd() % 20000000;	/* held inside the call: killed there */
		ioctl(fd, NFVM_IOC_ALLOC, &a);
	}
}

static int cmd_kill(unsigned int rounds, uint64_t seed)
{
	struct snap s0, s1;
	unsigned int r, killed = 0;
	int nleak;

	rng_state = seed | 1;
	snap(&s0);
	for (r = 0; r < rounds; r++) {
		int shared = dev_open(O_RDWR);
		pid_t pid[3];

		fflush(stdout);
		for (int k = 0; k < 3; k++) {
			pid[k] = fork();
			if (pid[k] == 0)
				kill_client(shared, seed + r * 3 + k + 1);
		}
		close(shared);
		for (int k = 0; k < 3; k++) {
			struct timespec ts = { 0, (long)(rnd() % 150000000) };
			int st;

			nanosleep(&ts, NULL);
			kill(pid[k], SIGKILL);
			waitpid(pid[k], &st, 0);
			killed += WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
		}
	}
	snap(&s1);
	nleak = leaks("kill", &s0, &s1);
	printf("clients killed: %u of %u, leaks: %d\n", killed, rounds * 3, nleak);
	return nleak || killed != rounds * 3 ? 1 : 0;
}

/* --- an unprivileged caller gets EPERM --- */
static int cmd_unpriv(void)
{
	int fd = dev_open(O_RDWR), st, bad = 0;
	pid_t pid;

	if (fd < 0)
		return 1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct nofail_vmalloc_alloc a = { .size = sizeof(a), .abi = NFVM_ABI, .bytes = PG,
						  .node = NFVM_NO_NODE };
		struct nofail_vmalloc_info i = { .size = sizeof(i), .abi = NFVM_ABI };
		struct nofail_vmalloc_free f = { .size = sizeof(f), .abi = NFVM_ABI, .handle = 1 };
		char buf[4096];
		int r = 0, fd2;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(100);
#define NEED(what, call, ok) do { errno = 0; long v_ = (long)(call); int e_ = errno; \
		int g_ = (ok); printf("%s unprivileged %s: %ld %s\n", g_ ? "PASS" : "FAIL", what, \
		v_, v_ < 0 ? strerrorname_np(e_) : ""); r += !g_; } while (0)
		NEED("ALLOC on an inherited fd", ioctl(fd, NFVM_IOC_ALLOC, &a), v_ == -1 && e_ == EPERM);
		NEED("INFO on an inherited fd", ioctl(fd, NFVM_IOC_INFO, &i), v_ == -1 && e_ == EPERM);
		NEED("FREE on an inherited fd", ioctl(fd, NFVM_IOC_FREE, &f), v_ == -1 && e_ == EPERM);
		NEED("read on an inherited fd", read(fd, buf, sizeof(buf)), v_ == -1 && e_ == EPERM);
		NEED("open (mode 0600)", fd2 = open(NFVM_DEVICE, O_RDWR),
		     v_ == -1 && (e_ == EPERM || e_ == EACCES));
		fflush(stdout);
		_exit(r);
	}
	waitpid(pid, &st, 0);
	bad += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* The driver's own check, past the file mode. */
	if (chmod(NFVM_DEVICE, 0666) == 0) {
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			int fd2, e;

			if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
				_exit(100);
			fd2 = open(NFVM_DEVICE, O_RDWR);
			e = errno;
			printf("%s unprivileged open (mode 0666): %d %s\n",
			       fd2 == -1 && e == EPERM ? "PASS" : "FAIL", fd2,
			       fd2 < 0 ? strerrorname_np(e) : "");
			fflush(stdout);
			_exit(fd2 == -1 && e == EPERM ? 0 : 1);
		}
		waitpid(pid, &st, 0);
		chmod(NFVM_DEVICE, 0600);
		bad += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	} else {
		printf("FAIL chmod %s: %s\n", NFVM_DEVICE, strerror(errno));
		bad++;
	}
	close(fd);
	printf("unpriv_failures=%d\n", bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 5 && !strcmp(argv[1], "fuzz"))
		return cmd_fuzz((unsigned int)atoi(argv[2]), strtoull(argv[3], NULL, 0),
				strtoull(argv[4], NULL, 0));
	if (argc >= 4 && !strcmp(argv[1], "kill"))
		return cmd_kill((unsigned int)atoi(argv[2]), strtoull(argv[3], NULL, 0));
	if (argc >= 2 && !strcmp(argv[1], "unpriv"))
		return cmd_unpriv();
	fprintf(stderr, "usage: ioctl_fuzz fuzz NPROC PER_PROC SEED | kill ROUNDS SEED | unpriv\n");
	return 2;
}
