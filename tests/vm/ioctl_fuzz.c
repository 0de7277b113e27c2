/*
 * Fuzzes /dev/nofail_vmalloc from several processes (issue 6, item 4), run
 * as root inside the QEMU lab by tests/vm/ioctl_fuzz.sh. Built on the host.
 *
 *   ioctl_fuzz fuzz NPROC PER_PROC SEED   random and edge-case requests
 *   ioctl_fuzz kill ROUNDS SEED           SIGKILL clients mid-call (item 2)
 *   ioctl_fuzz unpriv                     an unprivileged caller gets EPERM,
 *                                         a read-only fd cannot ALLOC/FREE
 *   ioctl_fuzz limits                     each module limit refuses with its errno
 *                                         (issue 12); the KEEP loop stops at the budget
 *   ioctl_fuzz big N SEED                 force=1: N requests of sizes up to and
 *                                         above RAM, against a model of the limits
 *   ioctl_fuzz pressure                   big requests from inside a capped memcg
 *   ioctl_fuzz race                       a closer races multi-second NOFAIL calls
 *   ioctl_fuzz wrap                       the log ring (module loaded log_records=64)
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
 * EBADF EDQUOT ENOSPC ERANGE EOPNOTSUPP; anything else is printed as
 * UNEXPECTED and fails. Out fields are filled with garbage before each call;
 * every ALLOC that reached the allocator has every output field checked
 * against its record in the module's log (check_record()).
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
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "nofail_vmalloc_uapi.h"

/*
 * The same source builds against the ABI 2 header (SB_FUZZ_UAPI in
 * limits.sh) to run the new checks against the old module and watch them
 * fail for their own reason, not for the ABI number.
 */
#ifdef NFVM_OUT_UNKEPT
#define ABI3 1
#define LOG_EVICTED(i) ((i).log_evicted)
#else
#define ABI3 0
#define LOG_EVICTED(i) ((i).log_overwritten)
#endif

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
	uint64_t rec_checked;	/* ALLOCs compared with their log record */
	uint64_t copyout_efault, copyout_checked;	/* KEEPs into a read-only page */
	uint64_t raced_frees;	/* FREEs of the next handle that found it */
	char note[MAXNOTE][160];
	uint32_t nnotes;
};

static struct tally *T;
static _Atomic int fds[NFDS];
static _Atomic int stop_closer;
static __thread uint64_t rng_state;
static void *unmapped, *ro_page, *edge_page;
static void *ro_keep;		/* read-only page holding a valid KEEP request */
/* The fd and handle of this process's last KEEP: the freer thread FREEs the
 * next handle of that file, racing the next KEEP on it. */
static _Atomic int last_keep_fd = -1;
static _Atomic uint64_t last_keep_handle;
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

/* Out fields before a call: garbage the module must not hand back. */
static void garble_out(struct nofail_vmalloc_alloc *a, uint64_t g)
{
	a->handle = g;
	a->latency_ns = g ^ 1;
	a->t_start_ns = g ^ 2;
	a->t_end_ns = g ^ 3;
	a->nr_pages = g ^ 4;
	a->seq = g ^ 5;
	a->out = (uint32_t)g & ~NFVM_OUT_NULL;	/* ENOMEM before the call writes nothing */
	a->landed_node = (uint32_t)(g >> 8);
	a->sampled = (uint32_t)(g >> 16);
	a->on_landed = (uint32_t)(g >> 24);
#if ABI3
	a->cost = g ^ 6;
#endif
}

static int log_fd = -1;		/* a privileged O_RDONLY fd to read records by seq */
static uint64_t records_checked, records_gone;

#define MISMATCH(...) do { bad++; note(__VA_ARGS__); } while (0)
/*
 * After an ALLOC that reached the allocator (ret 0, or ENOMEM with the
 * struct written back): every output field against the module's record of
 * the call (read by seq), and the NULL path's fields against their defined
 * values. in is the request as sent. Returns the number of mismatches.
 */
static int check_record(const struct nofail_vmalloc_alloc *in, const struct nofail_vmalloc_alloc *a,
			int ret, int e)
{
	struct nofail_vmalloc_record r;
	const size_t rsz = sizeof(r);
	int bad = 0;

	if (a->out & NFVM_OUT_NULL) {
		if (a->landed_node != NFVM_UNKNOWN || a->sampled || a->on_landed || a->handle)
			MISMATCH("NULL path: landed %u sampled %u on_landed %u handle %llu not cleared",
				 a->landed_node, a->sampled, a->on_landed,
				 (unsigned long long)a->handle);
	} else if (a->sampled > 16 || a->on_landed > a->sampled ||
		   (a->sampled && a->landed_node == NFVM_UNKNOWN)) {
		MISMATCH("sampled %u on_landed %u landed %u", a->sampled, a->on_landed,
			 a->landed_node);
	}
	if (!(a->out & NFVM_OUT_KEPT) && a->handle)
		MISMATCH("handle %llu without OUT_KEPT", (unsigned long long)a->handle);
	if (a->nr_pages != (in->bytes + PG - 1) / PG)
		MISMATCH("nr_pages %llu for %llu bytes", (unsigned long long)a->nr_pages,
			 (unsigned long long)in->bytes);
	if (a->t_end_ns < a->t_start_ns || a->latency_ns != a->t_end_ns - a->t_start_ns)
		MISMATCH("times inconsistent");
	if (log_fd < 0)
		return bad;
	memset(&r, 0, sizeof(r));
	if (pread(log_fd, &r, rsz, (off_t)(a->seq * rsz)) != (ssize_t)rsz || r.seq != a->seq) {
		records_gone++;		/* overwritten already: nothing to compare */
		return bad;
	}
	records_checked++;
	T->rec_checked++;
	if (r.size != rsz || r.abi != NFVM_ABI || r.reserved)
		MISMATCH("record %llu: size %u abi %u reserved %u", (unsigned long long)r.seq,
			 r.size, r.abi, r.reserved);
	if (r.t_start_ns != a->t_start_ns || r.t_end_ns != a->t_end_ns || r.bytes != in->bytes ||
	    r.nr_pages != a->nr_pages || r.flags != in->flags || r.scope != in->scope ||
	    r.entry != in->entry || r.node != in->node || r.err != (uint32_t)(ret ? e : 0) ||
	    r.out != (a->out & ~NFVM_OUT_HOLD_CUT) || r.landed_node != a->landed_node ||
	    r.sampled != a->sampled || r.on_landed != a->on_landed || r.handle != a->handle ||
	    r.pid != (uint32_t)getpid() || r.tid != (uint32_t)syscall(SYS_gettid)
#if ABI3
	    || r.cost != a->cost
#endif
	    )
		MISMATCH("record %llu differs from the ALLOC output: out %#x/%#x landed %u/%u "
			 "sampled %u/%u on_landed %u/%u handle %llu/%llu err %u/%d",
			 (unsigned long long)r.seq, r.out, a->out, r.landed_node, a->landed_node,
			 r.sampled, a->sampled, r.on_landed, a->on_landed,
			 (unsigned long long)r.handle, (unsigned long long)a->handle, r.err,
			 ret ? e : 0);
	return bad;
}

static int errno_ok(int e)
{
	switch (e) {
	case 0: case EINVAL: case ENOTTY: case E2BIG: case EPERM: case EFAULT:
	case ENOENT: case ENOMEM: case EBADF: case EDQUOT: case ENOSPC: case ERANGE:
	case EOPNOTSUPP: case ENFILE:
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

/*
 * The freer: FREEs the handle after this process's last KEEP on that file,
 * i.e. the one the next KEEP on it will get, racing its publication.
 */
static void *freer(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_closer)) {
		struct nofail_vmalloc_free f = { .size = sizeof(f), .abi = NFVM_ABI };
		int fd = atomic_load(&last_keep_fd);

		f.handle = atomic_load(&last_keep_handle) + 1;
		if (fd >= 0 && !ioctl(fd, NFVM_IOC_FREE, &f))
			T->raced_frees++;
		else
			sched_yield();
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

static void check_alloc_out(const struct nofail_vmalloc_alloc *in,
			    const struct nofail_vmalloc_alloc *a, long ret, int e)
{
	if (ret == 0 || (e == ENOMEM && (a->out & NFVM_OUT_NULL)))
		T->inconsistent += check_record(in, a, (int)ret, e);
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
			if (a->handle)
				atomic_store(&last_keep_handle, a->handle);
			T->kept++;
		}
	} else if (e == ENOMEM && (a->flags & NFVM_F_NOFAIL) && (a->out & NFVM_OUT_NULL)) {
		T->inconsistent++;
		note("NULL under NOFAIL: %llu bytes flags %#x", (unsigned long long)a->bytes,
		     a->flags);
	}
}

/*
 * A valid KEEP whose struct sits on a read-only page: the work is done, the
 * copy-out fails (EFAULT). Its record (this thread's newest) must not say
 * KEPT: an area nobody has the handle of is an area freed.
 */
static void op_alloc_ro(void)
{
	struct nofail_vmalloc_record r[32];
	struct nofail_vmalloc_info i;
	uint32_t tid = (uint32_t)syscall(SYS_gettid);
	int fd = atomic_load(&fds[rnd() % NFDS]), n;
	long ret;

	ret = ioctl(fd, NFVM_IOC_ALLOC, ro_keep);
	tally("ALLOC (read-only struct)", ret, errno);
	T->ioctls++;
	if (ret == 0)
		T->inconsistent++, note("ALLOC into a read-only page returned 0");
	if (ret == 0 || errno != EFAULT || log_fd < 0)
		return;
	T->copyout_efault++;
	memset(&i, 0, sizeof(i));
	i.size = sizeof(i);
	i.abi = NFVM_ABI;
	if (ioctl(log_fd, NFVM_IOC_INFO, &i) || i.log_next_seq < 1)
		return;
	n = (int)(pread(log_fd, r, sizeof(r), (off_t)((i.log_next_seq > 32 ? i.log_next_seq - 32 : 0) *
						       sizeof(r[0]))) / (ssize_t)sizeof(r[0]));
	for (int k = n - 1; k >= 0; k--) {
		if (r[k].tid != tid)
			continue;
		if ((r[k].flags & NFVM_F_KEEP) && (r[k].out & NFVM_OUT_KEPT))
			T->inconsistent++, note("copy-out failed (EFAULT) but record %llu says KEPT "
						"(handle %llu): an area nobody can FREE",
						(unsigned long long)r[k].seq,
						(unsigned long long)r[k].handle);
		else
			T->copyout_checked++;
		break;
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
			NFVM_F_NOFAIL | NFVM_F_ACCOUNT,
		};

		a.bytes = rnd() % 8 ? 1 + rnd() % (64 << 10) : 1 + rnd() % (1 << 20);
		a.flags = fl[rnd() % 7] | NFVM_F_NOWARN | (rnd() % 3 ? 0 : NFVM_F_KEEP);
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
	}
	garble_out(&a, rnd());		/* out fields are ignored, and all overwritten */
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
	if (ret == 0 && p == buf && cmd == NFVM_IOC_ALLOC && (a.flags & NFVM_F_KEEP))
		atomic_store(&last_keep_fd, fd);
	if (p == buf && cmd == NFVM_IOC_ALLOC) {
		struct nofail_vmalloc_alloc in = a;
		int e = errno;

		memcpy(&a, buf, sizeof(a));
		check_alloc_out(&in, &a, ret, e);
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
	pthread_t th, fr;

	rng_state = seed * 0x9E3779B97F4A7C15ULL + id + 1;
	log_fd = dev_open(O_RDONLY);
	atomic_store(&fds[0], shared_fd);
	for (int i = 1; i < NFDS; i++)
		atomic_store(&fds[i], i % 2 ? dev_open(O_RDWR) : dup(shared_fd));
	if (pthread_create(&th, NULL, closer, (void *)(uintptr_t)(seed + id + 1)) ||
	    pthread_create(&fr, NULL, freer, NULL))
		return 1;
	for (uint64_t i = 0; i < n; i++) {
		switch (rnd() % 16) {
		case 0: case 1: case 2: case 3: case 4: case 5: case 6:
			if (rnd() % 64 == 0)
				op_alloc_ro();
			else
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
	pthread_join(fr, NULL);
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
	ro_keep = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro_keep == MAP_FAILED)
		return -1;
	{
		struct nofail_vmalloc_alloc a = { .size = sizeof(a), .abi = NFVM_ABI, .bytes = PG,
						  .node = NFVM_NO_NODE,
						  .flags = NFVM_F_NOFAIL | NFVM_F_ACCOUNT |
							   NFVM_F_KEEP | NFVM_F_NOWARN };

		memcpy(ro_keep, &a, sizeof(a));
	}
	mprotect(ro_keep, PG, PROT_READ);
	return 0;
}

static int param_write(const char *name, const char *val);
static int param_get(const char *name, uint64_t *v);

/*
 * Parameters changed while the calls run: the budget, the per-file and the
 * global area caps, the request and hold limits flip between two values
 * each (force stays 0; only limits the fuzz copes with). Returns the count.
 */
static _Atomic int stop_flipper;
static _Atomic uint64_t flips;

static void *flipper(void *arg)
{
	static const char *const tab[][3] = {
		{ "max_bytes", "1048576", "524288" },
		{ "max_total_bytes", "67108864", "4194304" },
		{ "max_areas", "64", "4" },
		{ "max_kept_areas", "1024", "16" },
		{ "max_hold_ns", "60000000000", "50000" },
	};
	uint64_t k = 0, old[5];
	char buf[32];

	(void)arg;
	for (k = 0; k < 5; k++)
		if (param_get(tab[k][0], &old[k]))
			old[k] = strtoull(tab[k][1], NULL, 0);
	k = 0;
	while (!atomic_load(&stop_flipper)) {
		const char *const *t = tab[k % 5];

		if (!param_write(t[0], t[1 + (k / 5) % 2]))
			flips++;
		k++;
		usleep(2000);
	}
	for (k = 0; k < 5; k++) {
		snprintf(buf, sizeof(buf), "%" PRIu64, old[k]);
		param_write(tab[k][0], buf);
	}
	return NULL;
}

static int cmd_fuzz(unsigned int nproc, uint64_t per, uint64_t seed)
{
	pthread_t flip;
	struct tally *all;
	struct snap s0, s1;
	uint64_t ops = 0, ioctls = 0, un = 0, inc = 0, rec = 0, err[MAXERR] = { 0 };
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
	if (pthread_create(&flip, NULL, flipper, NULL))
		return 1;
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
	atomic_store(&stop_flipper, 1);
	pthread_join(flip, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	{
		uint64_t ro = 0, roc = 0, raced = 0;

		for (p = 0; p < nproc; p++) {
			ro += all[p].copyout_efault;
			roc += all[p].copyout_checked;
			raced += all[p].raced_frees;
		}
		printf("fuzz: %" PRIu64 " parameter changes during the calls; %" PRIu64 " KEEPs into a "
		       "read-only page (EFAULT), %" PRIu64 " of their records checked not KEPT; %" PRIu64
		       " FREEs of the next handle racing KEEP won\n", (uint64_t)flips, ro, roc, raced);
		if (!flips || !ro || !roc) {
			printf("FAIL fuzz: parameter changes or the copy-out failure never exercised\n");
			bad++;
		}
	}
	for (p = 0; p < nproc; p++) {
		ops += all[p].ops;
		ioctls += all[p].ioctls;
		un += all[p].unexpected;
		inc += all[p].inconsistent;
		rec += all[p].rec_checked;
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
	printf("ioctls fuzzed: %" PRIu64 ", leaks: %d, ALLOCs checked against their log record: %"
	       PRIu64 "\n", ioctls, nleak, rec);
	if (!rec) {
		printf("FAIL fuzz: no ALLOC was checked against its log record\n");
		bad++;
	}
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
		a.flags = NFVM_F_NOWARN | (rnd() % 2 ? NFVM_F_NOFAIL | NFVM_F_ACCOUNT : 0);
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

static int enter_userns(void);

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
		int g_ = (ok); printf("%s %s: %ld %s\n", g_ ? "PASS" : "FAIL", what, \
		v_, v_ < 0 ? strerrorname_np(e_) : ""); r += !g_; } while (0)
		NEED("unprivileged ALLOC on an inherited fd", ioctl(fd, NFVM_IOC_ALLOC, &a), v_ == -1 && e_ == EPERM);
		NEED("unprivileged INFO on an inherited fd", ioctl(fd, NFVM_IOC_INFO, &i), v_ == -1 && e_ == EPERM);
		NEED("unprivileged FREE on an inherited fd", ioctl(fd, NFVM_IOC_FREE, &f), v_ == -1 && e_ == EPERM);
		NEED("unprivileged read on an inherited fd", read(fd, buf, sizeof(buf)), v_ == -1 && e_ == EPERM);
		NEED("unprivileged lseek on an inherited fd", lseek(fd, 0, SEEK_END), v_ == -1 && e_ == EPERM);
		NEED("unprivileged pread on an inherited fd", pread(fd, buf, sizeof(buf), 0), v_ == -1 && e_ == EPERM);
		NEED("unprivileged open (mode 0600)", fd2 = open(NFVM_DEVICE, O_RDWR),
		     v_ == -1 && (e_ == EPERM || e_ == EACCES));
		fflush(stdout);
		_exit(r);
	}
	waitpid(pid, &st, 0);
	bad += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Root of a user namespace: no CAP_SYS_ADMIN where it counts. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct nofail_vmalloc_alloc a = { .size = sizeof(a), .abi = NFVM_ABI, .bytes = PG,
						  .node = NFVM_NO_NODE };
		char buf[4096];
		int r = 0, fd2;

		if (enter_userns())
			_exit(100);
		NEED("userns root: ALLOC on an inherited fd", ioctl(fd, NFVM_IOC_ALLOC, &a), v_ == -1 && e_ == EPERM);
		NEED("userns root: read on an inherited fd", read(fd, buf, sizeof(buf)), v_ == -1 && e_ == EPERM);
		NEED("userns root: open", fd2 = open(NFVM_DEVICE, O_RDWR), v_ == -1 && e_ == EPERM);
		NEED("userns root: set force", -(long)param_write("force", "1"), v_ == -EPERM);
		fflush(stdout);
		_exit(r);
	}
	waitpid(pid, &st, 0);
	bad += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Root, but a read-only fd: it reads the log, it changes nothing. */
	{
		struct nofail_vmalloc_alloc a = { .size = sizeof(a), .abi = NFVM_ABI, .bytes = PG,
						  .node = NFVM_NO_NODE, .flags = NFVM_F_KEEP };
		struct nofail_vmalloc_info i = { .size = sizeof(i), .abi = NFVM_ABI };
		struct nofail_vmalloc_free f = { .size = sizeof(f), .abi = NFVM_ABI };
		int ro = dev_open(O_RDONLY), rw = dev_open(O_RDWR), r = 0;
		char buf[4096];

		NEED("root, ALLOC on a read-only fd", ioctl(ro, NFVM_IOC_ALLOC, &a), v_ == -1 && e_ == EBADF);
		/* A handle that exists (kept through rw): FREE still refused on ro. */
		f.handle = ioctl(rw, NFVM_IOC_ALLOC, &a) ? 1 : a.handle;
		NEED("root, FREE on a read-only fd", ioctl(ro, NFVM_IOC_FREE, &f), v_ == -1 && e_ == EBADF);
		NEED("root, INFO on a read-only fd", ioctl(ro, NFVM_IOC_INFO, &i), v_ == 0);
		NEED("root, read on a read-only fd", read(ro, buf, sizeof(buf)), v_ > 0);
		NEED("root, lseek on a read-only fd", lseek(ro, 0, SEEK_END), v_ >= 0);
		NEED("root, FREE on the writable fd", ioctl(rw, NFVM_IOC_FREE, &f), v_ == 0);
		close(ro);
		close(rw);
		bad += r;
	}
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

/* --- issue 12: the limits, one by one, and requests up to and above RAM --- */
static int fails;

static void want(const char *what, int got, int wanted)
{
	int ok = got == wanted;

	printf("%s %s: %s (want %s)\n", ok ? "PASS" : "FAIL", what,
	       got ? strerrorname_np(got) ?: "?" : "0", wanted ? strerrorname_np(wanted) ?: "?" : "0");
	fails += !ok;
}

static void check(const char *what, int ok)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", what);
	fails += !ok;
}

static void req(struct nofail_vmalloc_alloc *a, uint64_t bytes, uint32_t flags, uint32_t entry)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->abi = NFVM_ABI;
	a->bytes = bytes;
	a->flags = flags | NFVM_F_NOWARN;
	a->entry = entry;
	a->node = NFVM_NO_NODE;
}

/* One ALLOC with garbage in the out fields; 0 or errno. Every call that
 * reached the allocator is checked against its log record. */
static int do_alloc(int fd, struct nofail_vmalloc_alloc *a)
{
	struct nofail_vmalloc_alloc in;
	uint32_t nn = T->nnotes;
	int ret, e;

	garble_out(a, rnd() | 1);
	in = *a;
	ret = ioctl(fd, NFVM_IOC_ALLOC, a);
	e = ret ? errno : 0;
	if (!ret || (e == ENOMEM && (a->out & NFVM_OUT_NULL))) {
		int m = check_record(&in, a, ret, e);

		if (m)
			fails += m, printf("FAIL record check: %s\n", T->nnotes > nn ?
					   T->note[T->nnotes - 1] : "(notes full)");
	}
	return e;
}

static int do_free(int fd, uint64_t handle)
{
	struct nofail_vmalloc_free f = { .size = sizeof(f), .abi = NFVM_ABI, .handle = handle };

	return ioctl(fd, NFVM_IOC_FREE, &f) ? errno : 0;
}

static int param_set(const char *name, uint64_t v)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/module/nofail_vmalloc/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fprintf(f, "%" PRIu64 "\n", v) < 0;
	return fclose(f) || ret ? -1 : 0;
}

static struct nofail_vmalloc_info info_now(void)
{
	struct nofail_vmalloc_info i;

	if (module_info(&i))
		memset(&i, 0xff, sizeof(i));
	return i;
}

/*
 * The KEEP loop at the budget: nproc processes keep chunk-sized NOFAIL|ACCOUNT
 * areas (a new fd when one is full) until the module says no. All must stop
 * with EDQUOT, together at exactly the budget (reserved atomically: never
 * over it); the guest must stay usable meanwhile (a child faults in 256M of
 * anonymous memory); everything comes back once they close.
 */
static uint64_t cost_hi(uint64_t bytes, uint32_t entry);

static void budget_loop(unsigned int nproc, uint64_t chunk)
{
	struct nofail_vmalloc_info i0 = info_now(), i1, i2;
	uint64_t kept_sum = 0, cost_sum = 0, cost = 0, nkept = 0;
	int ready[2], go[2], st;
	pid_t pid[8];
	unsigned int p;

	if (pipe(ready) || pipe(go))
		return;
	fflush(stdout);
	for (p = 0; p < nproc && p < 8; p++) {
		pid[p] = fork();
		if (pid[p] == 0) {
			struct nofail_vmalloc_alloc a;
			uint64_t n = 0, csum = 0, c1 = 0;
			int fd = dev_open(O_RDWR), e;
			char c;

			rng_state = p + 99;
			for (;;) {
				req(&a, chunk, NFVM_F_NOFAIL | NFVM_F_ACCOUNT | NFVM_F_KEEP, 0);
				e = do_alloc(fd, &a);
				if (e == ENOSPC) {	/* this file is full: another one */
					fd = dev_open(O_RDWR);
					continue;
				}
				if (e)
					break;
#if ABI3
				csum += a.cost;
				c1 = a.cost;
#else
				csum += chunk;
				c1 = chunk;
#endif
				/* Never refused: stop before the guest runs out. */
				if (++n * chunk > 2 * i0.max_total_bytes)
					break;
			}
			printf("budget proc %u: kept %" PRIu64 " x %" PRIu64 ", stopped with %s\n",
			       p, n, chunk, strerrorname_np(e) ?: "?");
			fflush(stdout);
			/* report (errno, bytes, cost, one area's cost), then hold until told to go */
			uint64_t msg[4] = { (uint64_t)e, n * chunk, csum, c1 };

			if (write(ready[1], msg, sizeof(msg)) != sizeof(msg) ||
			    read(go[0], &c, 1) != 1)
				_exit(3);
			_exit(0);
		}
	}
	for (p = 0; p < nproc; p++) {
		uint64_t msg[4];

		if (read(ready[0], msg, sizeof(msg)) != sizeof(msg)) {
			check("budget proc reported", 0);
			break;
		}
		want("KEEP loop stops at the budget", (int)msg[0], EDQUOT);
		kept_sum += msg[1];
		cost_sum += msg[2];
		if (msg[3])
			cost = msg[3];
		nkept += msg[1] / chunk;
	}
	i1 = info_now();
	printf("budget: max_total_bytes %" PRIu64 ", kept %" PRIu64 " bytes in %" PRIu64
	       " areas, budget_used %" PRIu64 "\n", (uint64_t)i1.max_total_bytes,
	       (uint64_t)i1.kept_bytes, (uint64_t)i1.kept_areas, (uint64_t)i1.budget_used);
	printf("budget: %" PRIu64 " areas of %" PRIu64 " bytes cost %" PRIu64 " each\n", nkept, chunk,
	       cost);
	/* Every area costs its rounding and metadata: the budget is full when one
	 * more would not fit, and never overshot. */
	check("kept cost at the budget: full (one more would not fit), never more",
	      cost >= chunk && i1.kept_bytes == kept_sum && i1.budget_used == cost_sum &&
	      cost_sum <= i1.max_total_bytes &&
	      cost_sum + cost_hi(chunk, NFVM_ENTRY_KVMALLOC_NODE) > i1.max_total_bytes);
	/* The guest stays usable: a child faults in 256M and exits. */
	{
		struct timespec t0, t1;
		pid_t c;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		c = fork();
		if (c == 0) {
			size_t n = 256UL << 20;
			char *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				       -1, 0);

			if (m == MAP_FAILED)
				_exit(1);
			memset(m, 1, n);
			_exit(0);
		}
		waitpid(c, &st, 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("usable: 256M faulted in %.2f s at the budget, MemAvailable %ld kB\n",
		       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		       meminfo_kb("MemAvailable"));
		check("guest usable at the budget (256M anonymous memory faulted in)",
		      WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	if (write(go[1], "gggggggg", nproc) != (ssize_t)nproc)
		check("release budget procs", 0);
	for (p = 0; p < nproc; p++)
		waitpid(pid[p], &st, 0);
	usleep(200000);
	i2 = info_now();
	check("budget back to 0 when the holders are gone",
	      i2.budget_used == 0 && i2.kept_bytes == 0 && i2.kept_areas == 0);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

/*
 * Expects the module loaded with max_bytes < max_total_bytes, max_areas <= 16,
 * max_hold_ns <= 5 s, force=0 (the test's parameters); restores force.
 */
static int cmd_limits(void)
{
	struct nofail_vmalloc_info i = info_now();
	struct nofail_vmalloc_alloc a;
	uint64_t h[64];
	unsigned int k;
	int fd = dev_open(O_RDWR), fd2 = dev_open(O_RDWR);

	log_fd = dev_open(O_RDONLY);
	rng_state = 12;
	printf("limits: max_bytes=%" PRIu64 " max_total_bytes=%" PRIu64 " max_areas=%u "
	       "max_hold_ns=%" PRIu64 " hard_max_bytes=%" PRIu64 " force=%u\n",
	       (uint64_t)i.max_bytes, (uint64_t)i.max_total_bytes, i.max_areas,
	       (uint64_t)i.max_hold_ns, (uint64_t)i.hard_max_bytes, i.force);
	if (fd < 0 || i.force || i.max_areas > 64 || i.max_bytes >= i.max_total_bytes) {
		printf("FAIL load the module with force=0, max_areas <= 64, max_bytes < max_total_bytes\n");
		return 1;
	}
	/* force=0: above max_bytes; NOFAIL charged to no cgroup */
	req(&a, i.max_bytes + PG, NFVM_F_NOFAIL | NFVM_F_ACCOUNT, 0);
	want("above max_bytes without force", do_alloc(fd, &a), E2BIG);
	req(&a, PG, NFVM_F_NOFAIL, 0);
	want("NOFAIL without ACCOUNT, force=0", do_alloc(fd, &a), EPERM);
	req(&a, PG, NFVM_F_NOFAIL | NFVM_F_ACCOUNT, 0);
	want("NOFAIL|ACCOUNT, force=0", do_alloc(fd, &a), 0);
	/*
	 * Issue 27 item 5: what each entry's kernel-doc does not support on 6.1
	 * and 6.12 is refused: NORETRY with kvmalloc_node; NORETRY and
	 * RETRY_MAYFAIL with __vmalloc (only NOFAIL of the reclaim modifiers).
	 */
	req(&a, 8 << 20, NFVM_F_NORETRY, NFVM_ENTRY_KVMALLOC_NODE);
	want("NORETRY with kvmalloc_node", do_alloc(fd, &a), EOPNOTSUPP);
	req(&a, 8 << 20, NFVM_F_NORETRY, NFVM_ENTRY_VMALLOC);
	want("NORETRY with __vmalloc (unsupported by its kernel-doc)", do_alloc(fd, &a), EOPNOTSUPP);
	req(&a, 8 << 20, NFVM_F_RETRY_MAYFAIL, NFVM_ENTRY_VMALLOC);
	want("RETRY_MAYFAIL with __vmalloc (unsupported by its kernel-doc)", do_alloc(fd, &a),
	     EOPNOTSUPP);
	req(&a, 8 << 20, NFVM_F_RETRY_MAYFAIL, NFVM_ENTRY_KVMALLOC_NODE);
	want("RETRY_MAYFAIL with kvmalloc_node", do_alloc(fd, &a), 0);
#if ABI3
	check("INFO: flags_supported per entry follows the kernel-doc",
	      i.flags_supported[NFVM_ENTRY_KVMALLOC_NODE] == (NFVM_F_ALL & ~NFVM_F_NORETRY) &&
	      i.flags_supported[NFVM_ENTRY_VMALLOC] ==
	      (NFVM_F_ALL & ~(NFVM_F_NORETRY | NFVM_F_RETRY_MAYFAIL)));
#endif
	/* hold_ns */
	req(&a, PG, NFVM_F_NOFAIL | NFVM_F_ACCOUNT, 0);
	a.hold_ns = i.max_hold_ns + 1;
	want("hold_ns above max_hold_ns", do_alloc(fd, &a), ERANGE);
	a.hold_ns = 1000000;
	want("hold_ns 1 ms", do_alloc(fd, &a), 0);

	if (param_set("force", 1)) {
		check("set force=1", 0);
		return 1;
	}
	req(&a, PG, NFVM_F_NOFAIL, 0);
	want("NOFAIL without ACCOUNT, force=1", do_alloc(fd, &a), 0);
	req(&a, i.hard_max_bytes + 1, NFVM_F_NOFAIL | NFVM_F_ACCOUNT, NFVM_ENTRY_VMALLOC);
	want("above total RAM, force=1 (__vmalloc)", do_alloc(fd, &a), E2BIG);
	req(&a, i.hard_max_bytes + 1, NFVM_F_RETRY_MAYFAIL, NFVM_ENTRY_KVMALLOC_NODE);
	want("above total RAM, force=1, RETRY_MAYFAIL (kvmalloc_node)", do_alloc(fd, &a), E2BIG);
	req(&a, (uint64_t)INT32_MAX + 1, NFVM_F_NOFAIL | NFVM_F_ACCOUNT, NFVM_ENTRY_KVMALLOC_NODE);
	want("kvmalloc_node above INT_MAX, force=1", do_alloc(fd, &a), E2BIG);
	req(&a, i.max_total_bytes + PG, NFVM_F_NOFAIL | NFVM_F_ACCOUNT, NFVM_ENTRY_VMALLOC);
	want("one request above the budget, force=1", do_alloc(fd, &a),
	     i.max_total_bytes + PG > i.hard_max_bytes ? E2BIG : EDQUOT);
	param_set("force", 0);

	/* max_areas per file; another file has its own; FREE gives the slot back */
	for (k = 0; k < i.max_areas; k++) {
		req(&a, PG, NFVM_F_NOFAIL | NFVM_F_ACCOUNT | NFVM_F_KEEP, 0);
		if (do_alloc(fd, &a))
			break;
		h[k] = a.handle;
	}
	check("max_areas KEEPs through one file", k == i.max_areas);
	req(&a, PG, NFVM_F_NOFAIL | NFVM_F_ACCOUNT | NFVM_F_KEEP, 0);
	want("one more KEEP on that file", do_alloc(fd, &a), ENOSPC);
	want("a KEEP on another file", do_alloc(fd2, &a), 0);
	want("FREE one", do_free(fd, h[0]), 0);
	req(&a, PG, NFVM_F_NOFAIL | NFVM_F_ACCOUNT | NFVM_F_KEEP, 0);
	want("KEEP again after a FREE", do_alloc(fd, &a), 0);
	close(fd);
	close(fd2);
	usleep(100000);
	i = info_now();
	check("budget back to 0 after close", i.budget_used == 0 && i.kept_areas == 0);

	budget_loop(4, 4 << 20);
	printf("records checked: %" PRIu64 ", overwritten before the check: %" PRIu64 "\n",
	       records_checked, records_gone);
	check("limits: some ALLOCs were checked against their log record", records_checked > 0);
	printf("limits_failures=%d\n", fails);
	return fails ? 1 : 0;
}

/*
 * The cost the module charges for bytes, bounded: at least the pages
 * (cost_lo), at most what the allocator may round to (a 2 MiB huge vmap for
 * kvmalloc_node from PMD size, kmalloc's power of two up to 4 MiB) plus its
 * page array, page tables and slab (cost_hi). The old module charged bytes.
 */
static __attribute__((unused)) uint64_t round_up_to(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static uint64_t cost_lo(uint64_t bytes, uint32_t entry)
{
#if ABI3
	(void)entry;	/* a huge vmap needs 2 MiB per node: not on 2 nodes below 4 MiB */
	return round_up_to(bytes, PG);
#else
	(void)entry;
	return bytes;
#endif
}

static uint64_t cost_hi(uint64_t bytes, uint32_t entry)
{
#if ABI3
	uint64_t r = cost_lo(bytes, entry), k = PG;

	if (entry == NFVM_ENTRY_KVMALLOC_NODE && bytes >= (2 << 20))
		r = round_up_to(bytes, 2 << 20);
	if (entry == NFVM_ENTRY_KVMALLOC_NODE)
		while (k < bytes && k <= (4 << 20))
			k *= 2;
	if (k > r && bytes <= (4 << 20))
		r = k;
	/* page array 8/4096, page tables 1/512 (+2 pages), slab: 1/256 + 64K */
	return r + r / 256 + (64 << 10);
#else
	(void)entry;
	return bytes;
#endif
}

/*
 * force=1 and a budget of half of RAM, in a guest of known memory: n
 * requests of sizes from 2M (huge mappings) up to and above RAM, random
 * flags, entries and KEEP, each against a model of the limits (which errno,
 * or success; never NULL under NOFAIL); every call that reached the
 * allocator checked against its log record. Then the same sizes once each.
 */
static int cmd_big(unsigned int n, uint64_t seed)
{
	struct nofail_vmalloc_info i;
	uint64_t ram, budget, used = 0, huge = 0, ok = 0, e2big = 0, edquot = 0, nulls = 0;
	struct { uint64_t h, bytes; } kept[16];
	unsigned int nk = 0, c;
	int fd = dev_open(O_RDWR);

	log_fd = dev_open(O_RDONLY);
	rng_state = seed | 1;
	param_set("force", 1);
	i = info_now();
	ram = i.hard_max_bytes;
	budget = ram / 2;
	param_set("max_total_bytes", budget);
	param_set("max_bytes", ram);
	i = info_now();
	printf("big: RAM (hard_max_bytes) %" PRIu64 " M, budget %" PRIu64 " M, force=%u, "
	       "budget_used %" PRIu64 "\n", ram >> 20, (uint64_t)i.max_total_bytes >> 20, i.force,
	       (uint64_t)i.budget_used);
	if (!i.force || i.max_total_bytes != budget || i.budget_used) {
		printf("FAIL cannot set force/max_total_bytes, or the budget is in use\n");
		return 1;
	}
	const uint64_t sizes[] = {
		2 << 20, (2 << 20) + 1, 4 << 20, 64 << 20, (128 << 20) + PG, ram / 8, ram / 4,
		budget - PG, budget, budget + PG, ram - PG, ram, ram + 1, ram + PG, 2 * ram,
		(uint64_t)INT32_MAX, (uint64_t)INT32_MAX + 1, UINT32_MAX, 1ULL << 40,
	};
	const size_t nsz = sizeof(sizes) / sizeof(sizes[0]);
	static const uint32_t fls[] = {
		NFVM_F_NOFAIL | NFVM_F_ACCOUNT, NFVM_F_NOFAIL, NFVM_F_RETRY_MAYFAIL | NFVM_F_ACCOUNT,
		NFVM_F_NORETRY, 0, NFVM_F_ACCOUNT,
	};

	for (c = 0; c < n + nsz; c++) {
		struct nofail_vmalloc_alloc a;
		uint64_t bytes = c < nsz ? sizes[c] : sizes[rnd() % nsz];
		uint32_t fl = c < nsz ? NFVM_F_NOFAIL | NFVM_F_ACCOUNT : fls[rnd() % 6];
		uint32_t entry = (uint32_t)(rnd() % 2);
		int keep = c >= nsz && nk < 16 && rnd() % 3 == 0, e, model;

		if (keep)
			fl |= NFVM_F_KEEP;
		/* the module's order of checks */
		if (entry == NFVM_ENTRY_KVMALLOC_NODE && (fl & NFVM_F_NORETRY))
			model = EOPNOTSUPP;
		else if (entry == NFVM_ENTRY_VMALLOC && (fl & (NFVM_F_NORETRY | NFVM_F_RETRY_MAYFAIL)))
			model = EOPNOTSUPP;
		else if (bytes > ram)
			model = E2BIG;
		else if (entry == NFVM_ENTRY_KVMALLOC_NODE && bytes > INT32_MAX)
			model = E2BIG;
		else if (used + cost_lo(bytes, entry) > budget)
			model = EDQUOT;
		else
			model = 0;
		/* Between the rounded size and the rounded size with all its metadata
		 * the module's cost decides: either answer is right. */
		if (model == 0 && used + cost_hi(bytes, entry) > budget)
			model = -1;
		req(&a, bytes, fl, entry);
		e = do_alloc(fd, &a);
		/* A request that may fail can fail: ENOMEM, never under NOFAIL. */
		if (!(model == 0 && e == ENOMEM && !(fl & NFVM_F_NOFAIL)) && e != model &&
		    !(model == -1 && (e == 0 || e == EDQUOT ||
				      (e == ENOMEM && !(fl & NFVM_F_NOFAIL))))) {
			printf("FAIL %s of %" PRIu64 " bytes flags %#x (used %" PRIu64 "): %s, model says %s\n",
			       entry ? "__vmalloc" : "kvmalloc_node", bytes, fl, used,
			       strerrorname_np(e) ?: "0", strerrorname_np(model) ?: "0");
			fails++;
		}
		if (e == ENOMEM && (a.out & NFVM_OUT_NULL) && (fl & NFVM_F_NOFAIL))
			printf("FAIL NULL under NOFAIL: %" PRIu64 " bytes\n", bytes), fails++;
		nulls += e == ENOMEM;
		e2big += e == E2BIG;
		edquot += e == EDQUOT;
		if (!e) {
			ok++;
			huge += !!(a.out & NFVM_OUT_HUGE);
			if (c < nsz || bytes >= (64 << 20))
				printf("big: %s %" PRIu64 " M flags %#x: %.2f s%s\n",
				       entry ? "__vmalloc" : "kvmalloc_node", bytes >> 20, fl,
				       (double)a.latency_ns / 1e9, a.out & NFVM_OUT_HUGE ? " huge" : "");
		}
		if (!e && keep) {
			kept[nk].h = a.handle;
#if ABI3
			kept[nk++].bytes = a.cost;
			used += a.cost;
			if (a.cost < cost_lo(bytes, entry) || a.cost > cost_hi(bytes, entry)) {
				printf("FAIL cost %" PRIu64 " of %" PRIu64 " bytes outside [%" PRIu64
				       ", %" PRIu64 "]\n", (uint64_t)a.cost, bytes,
				       cost_lo(bytes, entry), cost_hi(bytes, entry));
				fails++;
			}
#else
			kept[nk++].bytes = bytes;
			used += bytes;
#endif
		}
		if (nk && rnd() % 3 == 0) {
			unsigned int k = (unsigned int)(rnd() % nk);

			want("FREE a kept big area", do_free(fd, kept[k].h), 0);
			used -= kept[k].bytes;
			kept[k] = kept[--nk];
		}
		i = info_now();
		if (i.budget_used != used) {
			printf("FAIL budget_used %" PRIu64 ", model %" PRIu64 "\n",
			       (uint64_t)i.budget_used, used);
			fails++;
		}
	}
	close(fd);
	usleep(200000);
	i = info_now();
	check("big: budget back to 0 after close", i.budget_used == 0 && i.kept_areas == 0);
	printf("big: %u requests: %" PRIu64 " allocated (%" PRIu64 " huge-mapped), %" PRIu64
	       " E2BIG, %" PRIu64 " EDQUOT, %" PRIu64 " ENOMEM; records checked %" PRIu64 "\n",
	       c, ok, huge, e2big, edquot, nulls, records_checked);
	check("big: some ALLOCs were checked against their log record", records_checked > 0);
#ifdef __x86_64__
	check("big: some kvmalloc areas are huge-mapped", huge > 0);
#endif
	param_set("force", 0);
	printf("big_failures=%d\n", fails);
	return fails ? 1 : 0;
}

/*
 * From inside a memcg capped at 64M: RETRY_MAYFAIL|ACCOUNT requests past the
 * cap fail (NULL: the out fields defined, checked against the record), and
 * one NOFAIL|ACCOUNT request 8M past the cap completes (never NULL).
 */
static int cmd_pressure(void)
{
	const char *cg = "/sys/fs/cgroup/fuzzcap";
	struct nofail_vmalloc_record r[16];
	int st, rd = dev_open(O_RDONLY), n, k, nofail_ok = 0, mayfail_null = 0;
	pid_t pid;
	FILE *f;

	struct nofail_vmalloc_info i0 = info_now();

	lseek(rd, 0, SEEK_END);
	/* Sizes above max_bytes and the test's small budget: the memcg cap is the point. */
	param_set("force", 1);
	if (i0.max_total_bytes < (512ULL << 20))
		param_set("max_total_bytes", 512ULL << 20);

	mkdir(cg, 0755);
	f = fopen("/sys/fs/cgroup/fuzzcap/memory.max", "w");
	if (!f || fprintf(f, "64M\n") < 0 || fclose(f)) {
		printf("FAIL cannot cap %s\n", cg);
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		static const uint64_t sz[] = { 72 << 20, 128 << 20, 256 << 20 };
		struct nofail_vmalloc_alloc a;
		int fd, e;

		f = fopen("/sys/fs/cgroup/fuzzcap/cgroup.procs", "w");
		if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f))
			_exit(3);
		fd = dev_open(O_RDWR);
		log_fd = dev_open(O_RDONLY);
		rng_state = 5;
		for (int k = 0; k < 6; k++) {
			/* __vmalloc does not support RETRY_MAYFAIL (its kernel-doc): kvmalloc_node */
			req(&a, sz[k % 3] + (uint64_t)(k / 3) * PG, NFVM_F_RETRY_MAYFAIL | NFVM_F_ACCOUNT,
			    NFVM_ENTRY_KVMALLOC_NODE);
			e = do_alloc(fd, &a);
			want("RETRY_MAYFAIL|ACCOUNT past the cap", e, ENOMEM);
			check("  its NULL-path fields are defined", (a.out & NFVM_OUT_NULL) &&
			      a.landed_node == NFVM_UNKNOWN && !a.sampled && !a.on_landed && !a.handle);
		}
		req(&a, 72 << 20, NFVM_F_NOFAIL | NFVM_F_ACCOUNT, 0);
		e = do_alloc(fd, &a);
		want("NOFAIL|ACCOUNT 8M past the cap completes", e, 0);
		printf("pressure: NOFAIL 72M in a 64M memcg: %.2f s, fatal signal %d\n",
		       (double)a.latency_ns / 1e9, !!(a.out & NFVM_OUT_FATAL_SIGNAL));
		printf("pressure: records checked %" PRIu64 "\n", records_checked);
		check("pressure: some ALLOCs were checked against their log record", records_checked > 0);
		fflush(stdout);
		_exit(fails ? 1 : 0);
	}
	waitpid(pid, &st, 0);
	/* OOM-killed after its NOFAIL call completed is a pass too: the log says. */
	printf("pressure child: %s %d\n", WIFSIGNALED(st) ? "signal" : "exit",
	       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	rmdir(cg);
	n = (int)(read(rd, r, sizeof(r)) / (ssize_t)sizeof(r[0]));
	for (k = 0; k < n; k++) {
		if (r[k].pid != (uint32_t)pid)
			continue;
		if (r[k].flags & NFVM_F_NOFAIL)
			nofail_ok += !r[k].err && !(r[k].out & NFVM_OUT_NULL) && r[k].sampled > 0;
		else
			mayfail_null += r[k].err == ENOMEM && (r[k].out & NFVM_OUT_NULL) &&
					!r[k].sampled && !r[k].on_landed &&
					r[k].landed_node == NFVM_UNKNOWN && !r[k].handle;
		if (r[k].flags & NFVM_F_NOFAIL)
			printf("pressure: NOFAIL 72M in a 64M memcg (log): %.2f s, err %u, "
			       "fatal signal %d\n", (double)(r[k].t_end_ns - r[k].t_start_ns) / 1e9,
			       r[k].err, !!(r[k].out & NFVM_OUT_FATAL_SIGNAL));
	}
	close(rd);
	param_set("force", i0.force);
	param_set("max_total_bytes", i0.max_total_bytes);
	check("pressure: the log has the 6 NULLs and the completed NOFAIL call",
	      nofail_ok == 1 && mayfail_null == 6);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return fails ? 1 : 0;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		return fails ? 1 : 0;
	return 1;
}

/* --- a closer races a multi-second NOFAIL call --- */
static _Atomic int race_fd = -1;

static void *race_closer(void *arg)
{
	struct timespec ts = { 0, 300000000 };	/* well inside the call */

	(void)arg;
	nanosleep(&ts, NULL);
	close(atomic_load(&race_fd));
	return NULL;
}

static int cmd_race(void)
{
	struct nofail_vmalloc_info i = info_now();
	uint64_t bytes = i.max_bytes < (512ULL << 20) ? i.max_bytes : 512ULL << 20;
	int round, st;

	log_fd = dev_open(O_RDONLY);
	for (round = 0; round < 4; round++) {
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			struct nofail_vmalloc_alloc a;
			pthread_t th;
			int fd = dev_open(O_RDWR), e;

			rng_state = (uint64_t)round + 1;
			atomic_store(&race_fd, fd);
			/* 0, 2: KEEP (the area lands in a file whose last fd is
			 * gone); 1, 3: held 2 s in the call; 2, 3: the process is
			 * SIGKILLed by the parent mid-call too */
			req(&a, bytes, NFVM_F_NOFAIL | NFVM_F_ACCOUNT |
			    (round % 2 ? 0 : NFVM_F_KEEP), 0);
			if (round % 2)
				a.hold_ns = 2000000000ULL;
			pthread_create(&th, NULL, race_closer, NULL);
			e = do_alloc(fd, &a);
			pthread_join(th, NULL);
			printf("race %d: %" PRIu64 " M NOFAIL%s: %s after %.2f s, out %#x\n", round,
			       bytes >> 20, round % 2 ? " held 2 s" : "|KEEP",
			       strerrorname_np(e) ?: "0", (double)a.latency_ns / 1e9, a.out);
			fflush(stdout);
			_exit(e ? 1 : 0);
		}
		if (round >= 2) {
			usleep(600000);
			kill(pid, SIGKILL);
		}
		waitpid(pid, &st, 0);
		check(round >= 2 ? "race: killed mid-call, closer raced" : "race: call completed with its fd closed under it",
		      round >= 2 ? WIFSIGNALED(st) || (WIFEXITED(st) && !WEXITSTATUS(st)) :
				   WIFEXITED(st) && !WEXITSTATUS(st));
		usleep(200000);
		i = info_now();
		check("race: nothing kept, budget back to 0", !i.kept_areas && !i.budget_used);
	}
	printf("race_failures=%d\n", fails);
	return fails ? 1 : 0;
}

/*
 * The log ring (module loaded with log_records=64): 200 calls; a reader at
 * position 0 gets exactly the last 64, seq contiguous, each equal to its
 * call's ALLOC output; INFO counts 136 overwritten; a reader past the end
 * gets nothing; lseek(SEEK_END) lands on the next record.
 */
static int cmd_wrap(void)
{
	struct nofail_vmalloc_info i0 = info_now(), i1;
	static struct nofail_vmalloc_alloc outs[200];
	struct nofail_vmalloc_record r[80];
	const size_t rsz = sizeof(r[0]);
	int fd = dev_open(O_RDWR), rd = dev_open(O_RDONLY), n, k, bad = 0;
	uint64_t first;

	rng_state = 3;
	if (i0.log_records != 64) {
		printf("FAIL load the module with log_records=64 (has %u)\n", i0.log_records);
		return 1;
	}
	for (k = 0; k < 200; k++) {
		req(&outs[k], PG * (1 + (uint64_t)(rnd() % 64)), NFVM_F_NOFAIL | NFVM_F_ACCOUNT,
		    (uint32_t)(k % 2));
		if (do_alloc(fd, &outs[k]))
			bad++;
	}
	i1 = info_now();
	check("wrap: 200 calls logged", i1.log_next_seq == i0.log_next_seq + 200 && !bad);
	check("wrap: 64 held, the rest counted overwritten",
	      i1.log_held == 64 && LOG_EVICTED(i1) == i1.log_next_seq - 64);
	n = (int)(read(rd, r, sizeof(r)) / (ssize_t)rsz);
	first = i1.log_next_seq - 64;
	check("wrap: a reader at 0 gets exactly the 64 newest", n == 64 && r[0].seq == first);
	for (k = 0; k < n; k++) {
		const struct nofail_vmalloc_alloc *a = &outs[200 - 64 + k];

		if (r[k].seq != first + (uint64_t)k || r[k].seq != a->seq ||
		    r[k].t_start_ns != a->t_start_ns || r[k].t_end_ns != a->t_end_ns ||
		    r[k].bytes != a->bytes || r[k].out != a->out || r[k].sampled != a->sampled ||
		    r[k].on_landed != a->on_landed || r[k].landed_node != a->landed_node)
			bad++;
	}
	check("wrap: each record equals its call's ALLOC output", n == 64 && !bad);
	check("wrap: nothing more to read", read(rd, r, sizeof(r)) == 0);
	check("wrap: lseek(SEEK_END) is the next record",
	      lseek(rd, 0, SEEK_END) == (off_t)(i1.log_next_seq * rsz));
	check("wrap: pread of an overwritten seq gets the oldest held",
	      pread(rd, r, rsz, 0) == (ssize_t)rsz && r[0].seq == first);
	printf("wrap: next_seq %" PRIu64 ", held %" PRIu64 ", overwritten %" PRIu64 "\n",
	       (uint64_t)i1.log_next_seq, (uint64_t)i1.log_held, (uint64_t)LOG_EVICTED(i1));
	close(fd);
	close(rd);
	printf("wrap_failures=%d\n", fails);
	return fails ? 1 : 0;
}

/* --- issue 27: the module as an mm maintainer would merge it --- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Item 1: one fd, thread A keeps 1-byte areas in a loop, thread B (same CPU,
 * SCHED_FIFO, waking every 20 us) FREEs the next handle as soon as it
 * exists, thread C (other CPU) polls INFO. Booted with preempt=full, B
 * preempts A the moment A drops the file's lock (B waits on it): the old
 * module had not yet counted the area nor read its handle, so B's FREE ran
 * first: the counters wrapped below 0 (C sees it) and A read the handle of
 * a freed area (slub_debug=P poisons it: not the next handle).
 */
static struct {
	int fd;
	_Atomic int stop, a_done;
	_Atomic uint64_t published;	/* highest handle A got back */
	_Atomic uint64_t keeps, frees, bad_handles, wraps, enospc;
	uint64_t first_bad;
} kr;

/* The race's rounds in secs, then on until KR_ROUNDS of them or 6 x secs: how
 * many fit in secs is the guest's speed (measured 544 to 70794 in 20 s under
 * TCG), the check below wants 500. */
#define KR_ROUNDS	2000

static void *kr_keeper(void *arg)
{
	uint64_t secs = (uint64_t)(uintptr_t)arg, t0 = now_ns();
	uint64_t t_end = t0 + secs * 1000000000ULL, t_cap = t0 + 6 * secs * 1000000000ULL;
	uint64_t last = 0, t;

	pin_cpu(0);
	while ((t = now_ns()) < t_end || (kr.keeps < KR_ROUNDS && t < t_cap)) {
		struct nofail_vmalloc_alloc a;

		req(&a, 1, NFVM_F_NOFAIL | NFVM_F_ACCOUNT | NFVM_F_KEEP, NFVM_ENTRY_KVMALLOC_NODE);
		if (ioctl(kr.fd, NFVM_IOC_ALLOC, &a)) {
			if (errno == ENOSPC) {
				kr.enospc++;
				sched_yield();
				continue;
			}
			printf("FAIL keeprace: KEEP: %s\n", strerror(errno));
			kr.bad_handles++;
			break;
		}
		kr.keeps++;
		if (a.handle != last + 1) {
			if (!kr.bad_handles)
				kr.first_bad = a.handle;
			kr.bad_handles++;
		}
		last = a.handle > last && a.handle < last + 1000 ? a.handle : last + 1;
		atomic_store(&kr.published, last);
	}
	atomic_store(&kr.a_done, 1);
	return NULL;
}

static void *kr_freer(void *arg)
{
	struct sched_param sp = { .sched_priority = 10 };
	uint64_t next = 1;

	(void)arg;
	pin_cpu(0);
	if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp))
		printf("keeprace: SCHED_FIFO: %s (the race is then rarer)\n", strerror(errno));
	while (!atomic_load(&kr.a_done) || next <= atomic_load(&kr.published)) {
		struct timespec ts = { 0, 20000 };

		if (!do_free(kr.fd, next)) {
			kr.frees++;
			next++;
			continue;
		}
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void *kr_poller(void *arg)
{
	(void)arg;
	pin_cpu(1);
	while (!atomic_load(&kr.stop)) {
		struct nofail_vmalloc_info i = info_now();

		if (i.kept_areas > (1ULL << 40) || i.kept_bytes > (1ULL << 50) ||
		    i.budget_used > (1ULL << 50))
			kr.wraps++;
	}
	return NULL;
}

static int cmd_keeprace(unsigned int secs)
{
	pthread_t a, b, c;

	kr.fd = dev_open(O_RDWR);
	pthread_create(&c, NULL, kr_poller, NULL);
	pthread_create(&b, NULL, kr_freer, NULL);
	pthread_create(&a, NULL, kr_keeper, (void *)(uintptr_t)secs);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	atomic_store(&kr.stop, 1);
	pthread_join(c, NULL);
	close(kr.fd);
	printf("keeprace: %" PRIu64 " KEEPs, %" PRIu64 " FREEs of the next handle on the same fd, "
	       "%" PRIu64 " ENOSPC; bad handles %" PRIu64 " (first %#" PRIx64 "), counters seen "
	       "wrapped %" PRIu64 " times\n", (uint64_t)kr.keeps, (uint64_t)kr.frees,
	       (uint64_t)kr.enospc, (uint64_t)kr.bad_handles, kr.first_bad, (uint64_t)kr.wraps);
	check("keeprace: enough rounds (>= 500 KEEPs, all FREEd by the other thread)",
	      kr.keeps >= 500 && kr.frees == kr.keeps);
	check("keeprace: every KEEP returned the next handle", kr.bad_handles == 0);
	check("keeprace: INFO never saw kept_areas/kept_bytes/budget_used below 0", kr.wraps == 0);
	usleep(100000);
	{
		struct nofail_vmalloc_info i = info_now();

		check("keeprace: nothing kept after", !i.kept_areas && !i.budget_used);
	}
	printf("keeprace_failures=%d\n", fails);
	return fails ? 1 : 0;
}

static int param_get(const char *name, uint64_t *v)
{
	char path[128], val[32];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/module/nofail_vmalloc/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ret = fscanf(f, "%31s", val) == 1 ? 0 : -1;
	fclose(f);
	if (ret)
		return ret;
	/* a bool reads as Y or N */
	*v = val[0] == 'Y' ? 1 : val[0] == 'N' ? 0 : strtoull(val, NULL, 0);
	return 0;
}

/* Writes name=val; 0 or the errno the write got. */
static int param_write(const char *name, const char *val)
{
	char path[128];
	int fd, e = 0;

	snprintf(path, sizeof(path), "/sys/module/nofail_vmalloc/parameters/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, val, strlen(val)) < 0)
		e = errno;
	close(fd);
	return e;
}

/* Drops CAP_SYS_ADMIN from the effective, permitted and inheritable sets. */
static int drop_sys_admin(void)
{
	struct { uint32_t version; int pid; } h = { 0x20080522, 0 };	/* _LINUX_CAPABILITY_VERSION_3 */
	struct { uint32_t effective, permitted, inheritable; } d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	for (int k = 0; k < 2; k++) {
		d[k].effective &= k ? ~0U : ~(1U << 21);	/* CAP_SYS_ADMIN = 21 */
		d[k].permitted &= k ? ~0U : ~(1U << 21);
		d[k].inheritable &= k ? ~0U : ~(1U << 21);
	}
	return (int)syscall(SYS_capset, &h, d);
}

/* Becomes root of a new user namespace (uid/gid 0 mapped to 0). */
static int enter_userns(void)
{
	int fd;

	if (unshare(CLONE_NEWUSER))
		return -1;
	fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "deny", 4) < 0)
			return -1;
		close(fd);
	}
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, "0 0 1", 5) != 5)
		return -1;
	close(fd);
	fd = open("/proc/self/gid_map", O_WRONLY);
	if (fd < 0 || write(fd, "0 0 1", 5) != 5)
		return -1;
	close(fd);
	return 0;
}

/*
 * Item 3: a parameter cannot be misset. Writes are clamped to their range;
 * uid 0 without CAP_SYS_ADMIN and the root of a user namespace are refused
 * (EPERM) on the parameters (force, max_total_bytes) and on the ioctls.
 */
static int cmd_paramcap(void)
{
	struct nofail_vmalloc_info i0 = info_now();
	uint64_t v = 0, force0 = 0, total0 = i0.max_total_bytes;
	char buf[128];
	int fd = dev_open(O_RDWR);

	param_get("force", &force0);
	/* Clamping: the budget never above half of RAM, a hold never above 600 s. */
	snprintf(buf, sizeof(buf), "%" PRIu64, (uint64_t)(2 * i0.hard_max_bytes));
	want("root writes max_total_bytes = 2 x RAM", param_write("max_total_bytes", buf), 0);
	param_get("max_total_bytes", &v);
	printf("paramcap: max_total_bytes written %s, reads back %" PRIu64 " (RAM %" PRIu64 ")\n",
	       buf, v, (uint64_t)i0.hard_max_bytes);
	check("paramcap: max_total_bytes clamped to RAM/2", v <= i0.hard_max_bytes / 2);
	want("root writes max_hold_ns = 2^40 ns", param_write("max_hold_ns", "1099511627776"), 0);
	param_get("max_hold_ns", &v);
	check("paramcap: max_hold_ns clamped to 600 s", v <= 600ULL * 1000000000ULL);
	param_write("max_hold_ns", "2000000000");
	snprintf(buf, sizeof(buf), "%" PRIu64, total0);
	param_write("max_total_bytes", buf);

	for (int how = 0; how < 2; how++) {
		const char *who = how ? "root of a user namespace" : "uid 0 without CAP_SYS_ADMIN";
		int st, p[2];
		pid_t pid;

		if (pipe(p))
			return 1;
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			struct nofail_vmalloc_info i = { .size = sizeof(i), .abi = NFVM_ABI };
			struct nofail_vmalloc_alloc a;
			int r[5];

			close(p[0]);
			if (how ? enter_userns() : drop_sys_admin())
				_exit(100);
			req(&a, PG, NFVM_F_NOFAIL | NFVM_F_ACCOUNT | NFVM_F_KEEP, 0);
			r[0] = param_write("force", "1");
			r[1] = param_write("max_total_bytes", "1099511627776");
			r[2] = ioctl(fd, NFVM_IOC_ALLOC, &a) ? errno : 0;
			r[3] = ioctl(fd, NFVM_IOC_INFO, &i) ? errno : 0;
			r[4] = open(NFVM_DEVICE, O_RDWR) < 0 ? errno : 0;
			if (write(p[1], r, sizeof(r)) != sizeof(r))
				_exit(101);
			_exit(0);
		}
		close(p[1]);
		{
			int r[5] = { -1, -1, -1, -1, -1 };
			int got = read(p[0], r, sizeof(r)) == sizeof(r);

			waitpid(pid, &st, 0);
			close(p[0]);
			if (!got) {
				printf("FAIL paramcap: %s: the child could not become it (status %#x)\n",
				       who, st);
				fails++;
				continue;
			}
			printf("paramcap: %s: force %s, max_total_bytes %s, ALLOC %s, INFO %s, open %s\n",
			       who, strerrorname_np(r[0]) ?: "accepted",
			       strerrorname_np(r[1]) ?: "accepted", strerrorname_np(r[2]) ?: "0",
			       strerrorname_np(r[3]) ?: "0", strerrorname_np(r[4]) ?: "0");
			snprintf(buf, sizeof(buf), "paramcap: %s cannot set force", who);
			want(buf, r[0], EPERM);
			snprintf(buf, sizeof(buf), "paramcap: %s cannot set max_total_bytes", who);
			want(buf, r[1], EPERM);
			snprintf(buf, sizeof(buf), "paramcap: %s: ALLOC refused", who);
			want(buf, r[2], EPERM);
			snprintf(buf, sizeof(buf), "paramcap: %s: INFO refused", who);
			want(buf, r[3], EPERM);
			snprintf(buf, sizeof(buf), "paramcap: %s: open refused", who);
			want(buf, r[4], EPERM);
		}
		param_get("force", &v);
		check("paramcap: force unchanged", v == force0);
		param_get("max_total_bytes", &v);
		check("paramcap: max_total_bytes unchanged", v == total0);
		/* put back whatever got through */
		param_write("force", force0 ? "1" : "0");
		snprintf(buf, sizeof(buf), "%" PRIu64, total0);
		param_write("max_total_bytes", buf);
	}
	close(fd);
	usleep(100000);
	{
		struct nofail_vmalloc_info i = info_now();

		check("paramcap: nothing kept", !i.kept_areas && !i.budget_used);
	}
	printf("paramcap_failures=%d\n", fails);
	return fails ? 1 : 0;
}

/*
 * Item 8: a KEEP whose struct cannot be written back (a read-only page):
 * EFAULT, and nothing stays kept or charged while the fd is still open; the
 * log record says so.
 */
static int cmd_copyout(void)
{
	struct nofail_vmalloc_info i0, i1;
	struct nofail_vmalloc_alloc a;
	struct nofail_vmalloc_record r;
	int fd = dev_open(O_RDWR), rd = dev_open(O_RDONLY), e;
	char *pg = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (fd < 0 || rd < 0 || pg == MAP_FAILED)
		return 1;
	for (int k = 0; k < 4; k++) {
		req(&a, k % 2 ? (4 << 20) + 1 : PG, NFVM_F_NOFAIL | NFVM_F_ACCOUNT | NFVM_F_KEEP,
		    (uint32_t)(k / 2));
		memcpy(pg, &a, sizeof(a));
		mprotect(pg, PG, PROT_READ);
		i0 = info_now();
		lseek(rd, 0, SEEK_END);
		e = ioctl(fd, NFVM_IOC_ALLOC, pg) ? errno : 0;
		i1 = info_now();
		mprotect(pg, PG, PROT_READ | PROT_WRITE);
		printf("copyout: KEEP of %" PRIu64 " bytes (%s) into a read-only page: %s; "
		       "kept_areas %" PRIu64 " -> %" PRIu64 ", budget_used %" PRIu64 " -> %" PRIu64 "\n",
		       (uint64_t)a.bytes, k / 2 ? "__vmalloc" : "kvmalloc_node",
		       strerrorname_np(e) ?: "0", (uint64_t)i0.kept_areas, (uint64_t)i1.kept_areas,
		       (uint64_t)i0.budget_used, (uint64_t)i1.budget_used);
		want("copyout: EFAULT", e, EFAULT);
		check("copyout: nothing kept, nothing charged, fd still open",
		      i1.kept_areas == i0.kept_areas && i1.kept_bytes == i0.kept_bytes &&
		      i1.budget_used == i0.budget_used);
		if (read(rd, &r, sizeof(r)) == (ssize_t)sizeof(r)) {
#if ABI3
			check("copyout: its record says EFAULT and UNKEPT, not KEPT",
			      r.err == EFAULT && (r.out & NFVM_OUT_UNKEPT) && !(r.out & NFVM_OUT_KEPT));
#else
			check("copyout: its record says EFAULT, not kept",
			      r.err == EFAULT && !(r.out & NFVM_OUT_KEPT));
#endif
		} else {
			check("copyout: the call has a record", 0);
		}
	}
	close(fd);
	close(rd);
	printf("copyout_failures=%d\n", fails);
	return fails ? 1 : 0;
}

/*
 * Item 2: what is pinned stays within the budget. 64 files x 64 one-byte
 * __vmalloc KEEPs, then kvmalloc_node KEEPs of 2 MiB + 1 (a 4 MiB kmalloc
 * or a 2 MiB-rounded huge vmap): the budget's growth against the growth of
 * VmallocUsed and the fall of MemAvailable. The old module charged the
 * bytes asked for (4 KiB for 4096 areas pinning 16+ MiB). Then the global
 * cap on kept areas: ENFILE.
 */
static int cmd_cost(void)
{
	struct nofail_vmalloc_info i0, i1, i2;
	struct nofail_vmalloc_alloc a;
	static int fds[64];
	long vm0, vm1, av0, av1, av2;
	uint64_t n = 0, big = 0, kept_now;
	int f, k, e = 0, fd;
	char buf[32];

	param_write("max_areas", "64");
	param_write("max_kept_areas", "8192");
	param_write("max_total_bytes", "268435456");
	i0 = info_now();
	printf("cost: max_areas %u, max_total_bytes %" PRIu64 "\n", i0.max_areas,
	       (uint64_t)i0.max_total_bytes);
	sync();
	usleep(300000);
	vm0 = meminfo_kb("VmallocUsed");
	av0 = meminfo_kb("MemAvailable");
	for (f = 0; f < 64; f++) {
		fds[f] = dev_open(O_RDWR);
		for (k = 0; k < 64; k++) {
			req(&a, 1, NFVM_F_NOFAIL | NFVM_F_ACCOUNT | NFVM_F_KEEP, NFVM_ENTRY_VMALLOC);
			e = ioctl(fds[f], NFVM_IOC_ALLOC, &a) ? errno : 0;
			if (e)
				break;
			n++;
		}
		if (e)
			break;
	}
	usleep(300000);
	i1 = info_now();
	vm1 = meminfo_kb("VmallocUsed");
	av1 = meminfo_kb("MemAvailable");
	printf("cost: %" PRIu64 " one-byte __vmalloc KEEPs in %d files (stopped: %s): budget +%" PRIu64
	       " kB, VmallocUsed +%ld kB, MemAvailable -%ld kB\n", n, f,
	       e ? strerrorname_np(e) : "no", (uint64_t)(i1.budget_used - i0.budget_used) >> 10,
	       vm1 - vm0, av0 - av1);
	check("cost: 4096 one-byte KEEPs accepted", n == 4096);
	check("cost: VmallocUsed growth <= the budget's growth",
	      (uint64_t)(vm1 - vm0) * 1024 <= i1.budget_used - i0.budget_used);
	check("cost: MemAvailable fall <= the budget's growth + 2 MiB",
	      (uint64_t)(av0 > av1 ? av0 - av1 : 0) * 1024 <= i1.budget_used - i0.budget_used + (2 << 20));
	/* kvmalloc of 2 MiB + 1: kmalloc's 4 MiB, or a huge vmap's 4 MiB */
	fd = dev_open(O_RDWR);
	for (k = 0; k < 8; k++) {
		req(&a, (2 << 20) + 1, NFVM_F_NOFAIL | NFVM_F_ACCOUNT | NFVM_F_KEEP,
		    NFVM_ENTRY_KVMALLOC_NODE);
		if (ioctl(fd, NFVM_IOC_ALLOC, &a))
			break;
		big++;
	}
	usleep(300000);
	i2 = info_now();
	av2 = meminfo_kb("MemAvailable");
	printf("cost: %" PRIu64 " kvmalloc_node KEEPs of 2 MiB + 1: budget +%" PRIu64
	       " kB, MemAvailable -%ld kB\n", big, (uint64_t)(i2.budget_used - i1.budget_used) >> 10,
	       av1 - av2);
	check("cost: 8 KEEPs of 2 MiB + 1", big == 8);
	check("cost: their MemAvailable fall <= the budget's growth + 2 MiB",
	      (uint64_t)(av1 > av2 ? av1 - av2 : 0) * 1024 <= i2.budget_used - i1.budget_used + (2 << 20));
	printf("pinned-vs-budget: %" PRIu64 " x 1 B __vmalloc: VmallocUsed +%ld kB, MemAvailable -%ld "
	       "kB, budget +%" PRIu64 " kB; 8 x (2 MiB + 1) kvmalloc_node: MemAvailable -%ld kB, "
	       "budget +%" PRIu64 " kB\n", n, vm1 - vm0, av0 - av1,
	       (uint64_t)(i1.budget_used - i0.budget_used) >> 10, av1 - av2,
	       (uint64_t)(i2.budget_used - i1.budget_used) >> 10);
	/* The global cap: one more than kept now, then ENFILE. */
	kept_now = i2.kept_areas;
	snprintf(buf, sizeof(buf), "%" PRIu64, kept_now + 1);
	param_write("max_kept_areas", buf);
	req(&a, 1, NFVM_F_NOFAIL | NFVM_F_ACCOUNT | NFVM_F_KEEP, NFVM_ENTRY_KVMALLOC_NODE);
	want("cost: a KEEP up to max_kept_areas (all files)", ioctl(fd, NFVM_IOC_ALLOC, &a) ? errno : 0,
	     0);
	want("cost: one more: ENFILE", ioctl(fd, NFVM_IOC_ALLOC, &a) ? errno : 0, ENFILE);
	close(fd);
	for (f = 0; f < 64; f++)
		if (fds[f] > 0)
			close(fds[f]);
	param_write("max_kept_areas", "1024");
	param_write("max_areas", "8");
	param_write("max_total_bytes", "67108864");
	usleep(300000);
	i2 = info_now();
	check("cost: budget back to 0 after close", !i2.budget_used && !i2.kept_areas);
	printf("cost_failures=%d\n", fails);
	return fails ? 1 : 0;
}

/*
 * Concurrent big NOFAIL calls: 3 processes, each 3 x 256 MiB NOFAIL|ACCOUNT
 * (held 200 ms) with force, against a 600 MiB budget: the budget is never
 * exceeded (a poller), the refused get EDQUOT, everything returns.
 */
static int cmd_concurrent(void)
{
	struct nofail_vmalloc_info i0 = info_now(), i;
	uint64_t maxseen = 0, force0 = 0;
	pid_t pid[3];
	int st, running, refused = 0, done = 0;

	param_get("force", &force0);
	param_write("force", "1");
	param_write("max_total_bytes", "629145600");
	fflush(stdout);
	for (int p = 0; p < 3; p++) {
		pid[p] = fork();
		if (pid[p] == 0) {
			struct nofail_vmalloc_alloc a;
			int fd = dev_open(O_RDWR), r = 0;

			rng_state = (uint64_t)p + 77;
			log_fd = dev_open(O_RDONLY);
			for (int k = 0; k < 3; k++) {
				req(&a, 256 << 20, NFVM_F_NOFAIL | NFVM_F_ACCOUNT, (uint32_t)(p % 2));
				a.hold_ns = 200000000;
				int e = do_alloc(fd, &a);

				if (e == EDQUOT)
					r |= 1;
				else if (e)
					r |= 4;
				else
					r |= 2;
				if (e == EDQUOT)
					usleep(100000);
			}
			_exit(r | (fails ? 8 : 0));
		}
	}
	do {
		i = info_now();
		if (i.budget_used > maxseen)
			maxseen = i.budget_used;
		running = 0;
		for (int p = 0; p < 3; p++)
			if (pid[p] && waitpid(pid[p], &st, WNOHANG) == 0)
				running++;
			else if (pid[p]) {
				refused += WIFEXITED(st) && (WEXITSTATUS(st) & 1);
				done += WIFEXITED(st) && (WEXITSTATUS(st) & 2);
				check("concurrent: a caller's calls were 0 or EDQUOT, records matched",
				      WIFEXITED(st) && !(WEXITSTATUS(st) & 12));
				pid[p] = 0;
			}
		usleep(2000);
	} while (running);
	printf("concurrent: 3 x 3 NOFAIL 256 MiB calls, budget 600 MiB: highest budget_used %" PRIu64
	       " MiB, %d callers completed calls, %d saw EDQUOT\n", maxseen >> 20, done, refused);
	check("concurrent: budget never exceeded", maxseen <= 629145600);
	check("concurrent: some calls completed", done > 0);
	param_write("force", force0 ? "1" : "0");
	{
		char buf[32];

		snprintf(buf, sizeof(buf), "%" PRIu64, (uint64_t)i0.max_total_bytes);
		param_write("max_total_bytes", buf);
	}
	usleep(200000);
	i = info_now();
	check("concurrent: budget back to 0", !i.budget_used);
	printf("concurrent_failures=%d\n", fails);
	return fails ? 1 : 0;
}

/*
 * Item 6: RAM that shrank after load (memory blocks offlined, as a balloon
 * or a hot-remove would): a request above the RAM left but below
 * hard_max_bytes (RAM at load) is refused before the call (E2BIG), never
 * sent to vmalloc to come back NULL as a "FINDING". Every write to a
 * block's state runs in a child under alarm(): offlining may retry for long.
 */
static int block_state(const char *blk, const char *state)
{
	char path[160];
	pid_t pid;
	int st;

	snprintf(path, sizeof(path), "/sys/devices/system/memory/%s/state", blk);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int fd = open(path, O_WRONLY);

		alarm(15);
		if (fd < 0 || write(fd, state, strlen(state)) < 0)
			_exit(1);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

static int cmd_ramshrink(void)
{
	struct nofail_vmalloc_info i0 = info_now(), i1;
	struct nofail_vmalloc_alloc a;
	char off[16][64], buf[32];
	long total0 = meminfo_kb("MemTotal"), total1;
	uint64_t force0 = 0, bytes;
	int n = 0, fd = dev_open(O_RDWR), e;

	log_fd = dev_open(O_RDONLY);
	rng_state = 27;
	for (int b = 255; b >= 0 && n < 4; b--) {
		char blk[64], path[160];

		snprintf(blk, sizeof(blk), "memory%d", b);
		snprintf(path, sizeof(path), "/sys/devices/system/memory/%s/state", blk);
		if (access(path, W_OK))
			continue;
		if (!block_state(blk, "offline"))
			snprintf(off[n++], sizeof(off[0]), "%s", blk);
	}
	total1 = meminfo_kb("MemTotal");
	printf("ramshrink: %d memory blocks offlined: MemTotal %ld -> %ld kB, hard_max_bytes %" PRIu64
	       " kB\n", n, total0, total1, (uint64_t)i0.hard_max_bytes >> 10);
	check("ramshrink: RAM shrank by offlining memory blocks", n > 0 && total1 < total0);
	param_get("force", &force0);
	param_write("force", "1");
	snprintf(buf, sizeof(buf), "%" PRIu64, (uint64_t)i0.hard_max_bytes);
	param_write("max_bytes", buf);
	param_write("max_total_bytes", buf);	/* clamped to RAM/2 by the new module */
	bytes = (uint64_t)total1 * 1024 + (32 << 20);
	if (n > 0 && bytes <= i0.hard_max_bytes) {
		req(&a, bytes, NFVM_F_NOFAIL | NFVM_F_ACCOUNT, NFVM_ENTRY_VMALLOC);
		e = do_alloc(fd, &a);
		printf("ramshrink: NOFAIL __vmalloc of %" PRIu64 " kB (RAM now + 32 MiB, below "
		       "hard_max_bytes): %s%s\n", bytes >> 10, strerrorname_np(e) ?: "0",
		       e == ENOMEM && (a.out & NFVM_OUT_NULL) ? " (NULL: the module calls it a FINDING)" : "");
		want("ramshrink: above the RAM left: refused before the call", e, E2BIG);
	}
	for (int k = 0; k < n; k++)
		if (block_state(off[k], "online"))
			printf("ramshrink: %s could not be onlined again\n", off[k]);
	param_write("force", force0 ? "1" : "0");
	snprintf(buf, sizeof(buf), "%" PRIu64, (uint64_t)i0.max_bytes);
	param_write("max_bytes", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, (uint64_t)i0.max_total_bytes);
	param_write("max_total_bytes", buf);
	close(fd);
	i1 = info_now();
	check("ramshrink: nothing kept or charged", !i1.kept_areas && !i1.budget_used);
	printf("ramshrink: MemTotal back to %ld kB\n", meminfo_kb("MemTotal"));
	printf("ramshrink_failures=%d\n", fails);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct tally local;

	T = &local;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "limits"))
		return cmd_limits();
	if (argc >= 4 && !strcmp(argv[1], "big"))
		return cmd_big((unsigned int)atoi(argv[2]), strtoull(argv[3], NULL, 0));
	if (argc >= 2 && !strcmp(argv[1], "pressure"))
		return cmd_pressure();
	if (argc >= 2 && !strcmp(argv[1], "race"))
		return cmd_race();
	if (argc >= 2 && !strcmp(argv[1], "wrap"))
		return cmd_wrap();
	if (argc >= 5 && !strcmp(argv[1], "fuzz"))
		return cmd_fuzz((unsigned int)atoi(argv[2]), strtoull(argv[3], NULL, 0),
				strtoull(argv[4], NULL, 0));
	if (argc >= 4 && !strcmp(argv[1], "kill"))
		return cmd_kill((unsigned int)atoi(argv[2]), strtoull(argv[3], NULL, 0));
	if (argc >= 2 && !strcmp(argv[1], "unpriv"))
		return cmd_unpriv();
	if (argc >= 3 && !strcmp(argv[1], "keeprace"))
		return cmd_keeprace((unsigned int)atoi(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "burst")) {
		/* N quick calls: a log reader that sleeps meanwhile falls behind */
		int fd = dev_open(O_RDWR), n = atoi(argv[2]);
		struct nofail_vmalloc_alloc a;

		for (int k = 0; k < n; k++) {
			req(&a, PG, NFVM_F_NOFAIL | NFVM_F_ACCOUNT, 0);
			if (ioctl(fd, NFVM_IOC_ALLOC, &a))
				return 1;
		}
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "paramcap"))
		return cmd_paramcap();
	if (argc >= 2 && !strcmp(argv[1], "copyout"))
		return cmd_copyout();
	if (argc >= 2 && !strcmp(argv[1], "cost"))
		return cmd_cost();
	if (argc >= 2 && !strcmp(argv[1], "concurrent"))
		return cmd_concurrent();
	if (argc >= 2 && !strcmp(argv[1], "ramshrink"))
		return cmd_ramshrink();
	fprintf(stderr, "usage: ioctl_fuzz fuzz NPROC PER_PROC SEED | kill ROUNDS SEED | unpriv | "
		"limits | big N SEED | pressure | race | wrap | keeprace SECS | paramcap | copyout | "
		"cost | concurrent | ramshrink\n");
	return 2;
}
