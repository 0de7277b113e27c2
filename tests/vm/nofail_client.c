/*
 * A small client of /dev/nofail_vmalloc for the VM tests: one ioctl or one
 * check per invocation, results as key=value lines that the shell tests
 * grep. Built on the host (gcc), run inside the guest.
 *
 *   nofail_client info
 *   nofail_client alloc BYTES [FLAGS] [--node N] [--scope none|nofs|noio]
 *                 [--entry kvmalloc|vmalloc] [--hold-ms MS]
 *   nofail_client log [--pid PID]          records in the call log
 *   nofail_client bad                      invalid inputs get the right errno
 *   nofail_client keepfree BYTES COUNT     kept areas are freed on close/kill
 * Exit: 0 done (alloc: ioctl returned 0), 3 the ioctl failed, 1 a check failed,
 * 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nofail_vmalloc_uapi.h"

static int dev_open(void)
{
	int fd = open(NFVM_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", NFVM_DEVICE, strerror(errno));
		exit(1);
	}
	return fd;
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k': case 'K': v <<= 10; break;
	case 'm': case 'M': v <<= 20; break;
	case 'g': case 'G': v <<= 30; break;
	default: break;
	}
	return v;
}

static uint32_t parse_flags(const char *s)
{
	static const struct { const char *n; uint32_t f; } tab[] = {
		{ "nofail", NFVM_F_NOFAIL }, { "account", NFVM_F_ACCOUNT },
		{ "nowarn", NFVM_F_NOWARN }, { "retry_mayfail", NFVM_F_RETRY_MAYFAIL },
		{ "noretry", NFVM_F_NORETRY }, { "keep", NFVM_F_KEEP },
	};
	char buf[256], *tok, *save;
	uint32_t f = 0;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
			if (!strcmp(tok, tab[i].n))
				break;
		if (i == sizeof(tab) / sizeof(tab[0])) {
			fprintf(stderr, "flag %s: unknown\n", tok);
			exit(2);
		}
		f |= tab[i].f;
	}
	return f;
}

static void alloc_init(struct nofail_vmalloc_alloc *a, uint64_t bytes, uint32_t flags)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->abi = NFVM_ABI;
	a->bytes = bytes;
	a->flags = flags;
	a->node = NFVM_NO_NODE;
}

static int cmd_info(void)
{
	struct nofail_vmalloc_info i = { .size = sizeof(i), .abi = NFVM_ABI };
	int fd = dev_open();

	if (ioctl(fd, NFVM_IOC_INFO, &i)) {
		perror("INFO");
		return 3;
	}
	printf("abi=%u\nmax_bytes=%" PRIu64 "\nforce=%u\nrecord_size=%u\n"
	       "log_records=%u\nlog_next_seq=%" PRIu64 "\nlog_held=%" PRIu64 "\n"
	       "log_evicted=%" PRIu64 "\nkept_areas=%" PRIu64 "\n"
	       "kept_bytes=%" PRIu64 "\nrelease=%s\nmax_total_bytes=%" PRIu64 "\n"
	       "budget_used=%" PRIu64 "\nhard_max_bytes=%" PRIu64 "\nmax_hold_ns=%" PRIu64 "\n"
	       "max_areas=%u\nmax_kept_areas=%u\nflags_supported_kvmalloc=%#x\n"
	       "flags_supported_vmalloc=%#x\nram_bytes=%" PRIu64 "\n",
	       i.abi, (uint64_t)i.max_bytes, i.force, i.record_size, i.log_records,
	       (uint64_t)i.log_next_seq, (uint64_t)i.log_held,
	       (uint64_t)i.log_evicted, (uint64_t)i.kept_areas,
	       (uint64_t)i.kept_bytes, (const char *)i.release, (uint64_t)i.max_total_bytes,
	       (uint64_t)i.budget_used, (uint64_t)i.hard_max_bytes, (uint64_t)i.max_hold_ns,
	       i.max_areas, i.max_kept_areas, i.flags_supported[NFVM_ENTRY_KVMALLOC_NODE],
	       i.flags_supported[NFVM_ENTRY_VMALLOC], (uint64_t)i.ram_bytes);
	return 0;
}

static int cmd_alloc(int argc, char **argv)
{
	struct nofail_vmalloc_alloc a;
	int fd, ret, i, e;

	if (argc < 1)
		return 2;
	alloc_init(&a, parse_size(argv[0]), 0);
	i = 1;
	if (argc > 1 && argv[1][0] != '-') {
		a.flags = parse_flags(argv[1]);
		i = 2;
	}
	for (; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--node"))
			a.node = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--scope"))
			a.scope = !strcmp(argv[i + 1], "nofs") ? NFVM_SCOPE_NOFS :
				  !strcmp(argv[i + 1], "noio") ? NFVM_SCOPE_NOIO : NFVM_SCOPE_NONE;
		else if (!strcmp(argv[i], "--entry"))
			a.entry = !strcmp(argv[i + 1], "vmalloc") ? NFVM_ENTRY_VMALLOC :
				  NFVM_ENTRY_KVMALLOC_NODE;
		else if (!strcmp(argv[i], "--hold-ms"))
			a.hold_ns = strtoull(argv[i + 1], NULL, 0) * 1000000ULL;
		else
			return 2;
	}
	fd = dev_open();
	printf("pid=%d\n", getpid());
	fflush(stdout);
	ret = ioctl(fd, NFVM_IOC_ALLOC, &a);
	e = errno;
	printf("ret=%s\nlatency_ns=%" PRIu64 "\nt_start_ns=%" PRIu64 "\n"
	       "nr_pages=%" PRIu64 "\nseq=%" PRIu64 "\nnull=%d\nvmalloc=%d\nhuge=%s\n"
	       "fatal_signal=%d\nlanded_node=%d\nsampled=%u\non_landed=%u\n",
	       ret ? strerrorname_np(e) : "0", (uint64_t)a.latency_ns,
	       (uint64_t)a.t_start_ns, (uint64_t)a.nr_pages, (uint64_t)a.seq,
	       !!(a.out & NFVM_OUT_NULL), !!(a.out & NFVM_OUT_VMALLOC),
	       a.out & NFVM_OUT_HUGE_UNKNOWN ? "unknown" : a.out & NFVM_OUT_HUGE ? "1" : "0",
	       !!(a.out & NFVM_OUT_FATAL_SIGNAL), (int)a.landed_node, a.sampled,
	       a.on_landed);
	return ret ? 3 : 0;
}

static int cmd_log(int argc, char **argv)
{
	struct nofail_vmalloc_record r[64];
	long pid = argc >= 2 && !strcmp(argv[0], "--pid") ? strtol(argv[1], NULL, 0) : 0;
	int fd = dev_open();
	ssize_t n;
	size_t i;

	while ((n = read(fd, r, sizeof(r))) > 0) {
		for (i = 0; i < (size_t)n / sizeof(r[0]); i++) {
			if (pid && r[i].pid != (uint32_t)pid)
				continue;
			printf("seq=%" PRIu64 " pid=%u tid=%u bytes=%" PRIu64
			       " latency_ns=%" PRIu64 " flags=%#x err=%u null=%d"
			       " fatal_signal=%d huge=%d landed_node=%d\n",
			       (uint64_t)r[i].seq, r[i].pid, r[i].tid,
			       (uint64_t)r[i].bytes,
			       (uint64_t)(r[i].t_end_ns - r[i].t_start_ns), r[i].flags,
			       r[i].err, !!(r[i].out & NFVM_OUT_NULL),
			       !!(r[i].out & NFVM_OUT_FATAL_SIGNAL),
			       !!(r[i].out & NFVM_OUT_HUGE), (int)r[i].landed_node);
		}
	}
	if (n < 0) {
		perror("read");
		return 3;
	}
	return 0;
}

static int failures;

static void expect(const char *what, int ret, int err, int want)
{
	int ok = want ? ret == -1 && err == want : ret == 0;

	printf("%s %s: got %s, want %s\n", ok ? "PASS" : "FAIL", what,
	       ret ? strerrorname_np(err) : "0", want ? strerrorname_np(want) : "0");
	failures += !ok;
}

#define TRY(what, call, want) do { int r_ = (call); expect(what, r_, errno, want); } while (0)

static int cmd_bad(void)
{
	struct nofail_vmalloc_info info = { .size = sizeof(info), .abi = NFVM_ABI };
	struct nofail_vmalloc_free fr;
	struct nofail_vmalloc_alloc a;
	char raw[sizeof(a) + 8] __attribute__((aligned(8)));
	int fd = dev_open();
	pid_t pid;
	int st;

	if (ioctl(fd, NFVM_IOC_INFO, &info)) {
		perror("INFO");
		return 1;
	}
	alloc_init(&a, 0, 0);
	TRY("size 0", ioctl(fd, NFVM_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, 4096, 1U << 12);
	TRY("unknown flag", ioctl(fd, NFVM_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, 4096, NFVM_F_NOFAIL | NFVM_F_NORETRY);
	TRY("nofail|noretry", ioctl(fd, NFVM_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, 4096, NFVM_F_KEEP);
	a.hold_ns = 1;
	TRY("keep with hold", ioctl(fd, NFVM_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, 4096, 0);
	a.node = 63;
	TRY("node 63 (offline)", ioctl(fd, NFVM_IOC_ALLOC, &a), EINVAL);
	a.node = 1U << 20;
	TRY("node 2^20", ioctl(fd, NFVM_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, 4096, 0);
	a.node = 0;
	a.entry = NFVM_ENTRY_VMALLOC;
	TRY("node with __vmalloc", ioctl(fd, NFVM_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, 4096, 0);
	a.entry = 7;
	TRY("unknown entry", ioctl(fd, NFVM_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, 4096, 0);
	a.scope = 9;
	TRY("unknown scope", ioctl(fd, NFVM_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, 4096, 0);
	a.size = sizeof(a) - 8;
	TRY("size field short", ioctl(fd, NFVM_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, 4096, 0);
	a.abi = NFVM_ABI + 1;
	TRY("unknown abi", ioctl(fd, NFVM_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, 4096, 0);
	a.reserved = 1;
	TRY("reserved set", ioctl(fd, NFVM_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, 4096, 0);
	TRY("short struct (ioctl size)",
	    ioctl(fd, _IOWR(NFVM_IOC_MAGIC, 1, struct nofail_vmalloc_free), &a), EINVAL);
	memset(raw, 0, sizeof(raw));
	alloc_init(&a, 4096, 0);
	memcpy(raw + 4, &a, sizeof(a));
	TRY("misaligned struct", ioctl(fd, NFVM_IOC_ALLOC, raw + 4), EINVAL);
	TRY("unknown ioctl", ioctl(fd, _IOWR(NFVM_IOC_MAGIC, 9, struct nofail_vmalloc_free), &a),
	    ENOTTY);
	if (!info.force) {
		alloc_init(&a, info.max_bytes + 4096, 0);
		TRY("above max_bytes", ioctl(fd, NFVM_IOC_ALLOC, &a), E2BIG);
	}
	memset(&fr, 0, sizeof(fr));
	fr.size = sizeof(fr);
	fr.abi = NFVM_ABI;
	fr.handle = 12345;
	TRY("free unknown handle", ioctl(fd, NFVM_IOC_FREE, &fr), ENOENT);
	alloc_init(&a, 4096, NFVM_F_NOWARN);
	TRY("valid 4K", ioctl(fd, NFVM_IOC_ALLOC, &a), 0);

	/* Unprivileged: an inherited fd and a world-openable node both refuse. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int bad = 0, fd2;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		alloc_init(&a, 4096, 0);
		errno = 0;
		if (!(ioctl(fd, NFVM_IOC_ALLOC, &a) == -1 && errno == EPERM))
			bad |= 1;
		if (!(read(fd, raw, sizeof(raw)) == -1 && errno == EPERM))
			bad |= 2;
		fd2 = open(NFVM_DEVICE, O_RDWR);
		if (!(fd2 == -1 && (errno == EPERM || errno == EACCES)))
			bad |= 4;
		_exit(bad);
	}
	waitpid(pid, &st, 0);
	printf("%s unprivileged ioctl/read/open: EPERM (status %d)\n",
	       WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "PASS" : "FAIL",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	failures += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	if (chmod(NFVM_DEVICE, 0666) == 0) {
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			if (setgid(65534) || setuid(65534))
				_exit(2);
			_exit(open(NFVM_DEVICE, O_RDWR) == -1 && errno == EPERM ? 0 : 1);
		}
		waitpid(pid, &st, 0);
		chmod(NFVM_DEVICE, 0600);
		printf("%s unprivileged open of a 0666 node: EPERM\n",
		       WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "PASS" : "FAIL");
		failures += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	printf("failures=%d\n", failures);
	return failures ? 1 : 0;
}

static long vmalloc_used_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmallocUsed: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static uint64_t kept_bytes(void)
{
	struct nofail_vmalloc_info i = { .size = sizeof(i), .abi = NFVM_ABI };
	int fd = dev_open();

	if (ioctl(fd, NFVM_IOC_INFO, &i))
		i.kept_bytes = ~0ULL;
	close(fd);
	return i.kept_bytes;
}

/* Keeps COUNT areas, closes (or is killed), and checks all of it came back. */
static int cmd_keepfree(int argc, char **argv)
{
	uint64_t bytes = argc > 0 ? parse_size(argv[0]) : 16 << 20;
	int count = argc > 1 ? atoi(argv[1]) : 4;
	long kb_total = (long)(bytes * count >> 10);
	long tol = kb_total / 10 + 4096;
	long before, held, after;
	struct nofail_vmalloc_alloc a;
	int round, i, fd, st;
	pid_t pid;

	for (round = 0; round < 2; round++) {
		before = vmalloc_used_kb();
		fflush(stdout);	/* or the child repeats what is buffered */
		pid = fork();
		if (pid == 0) {
			fd = dev_open();
			for (i = 0; i < count; i++) {
				alloc_init(&a, bytes, NFVM_F_KEEP);
				if (ioctl(fd, NFVM_IOC_ALLOC, &a))
					_exit(3);
			}
			printf("held_kb=%ld kept_bytes=%" PRIu64 "\n",
			       vmalloc_used_kb() - before, kept_bytes());
			fflush(stdout);
			if (round == 1)
				raise(SIGKILL);
			close(fd);
			_exit(0);
		}
		waitpid(pid, &st, 0);
		after = vmalloc_used_kb();
		held = (long)kept_bytes();
		printf("%s: before_kb=%ld after_kb=%ld kept_bytes_after=%ld status=%#x\n",
		       round ? "killed" : "closed", before, after, held, st);
		if (held != 0 || after - before > tol) {
			printf("FAIL %s: not everything was freed (tolerance %ld kB)\n",
			       round ? "killed" : "closed", tol);
			failures++;
		} else {
			printf("PASS %s: all freed\n", round ? "killed" : "closed");
		}
	}
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "info"))
		return cmd_info();
	if (!strcmp(argv[1], "alloc"))
		return cmd_alloc(argc - 2, argv + 2);
	if (!strcmp(argv[1], "log"))
		return cmd_log(argc - 2, argv + 2);
	if (!strcmp(argv[1], "bad"))
		return cmd_bad();
	if (!strcmp(argv[1], "keepfree"))
		return cmd_keepfree(argc - 2, argv + 2);
usage:
	fprintf(stderr, "usage: nofail_client info|alloc|log|bad|keepfree ...\n");
	return 2;
}
