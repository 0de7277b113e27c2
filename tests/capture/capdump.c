/*
 * capdump: the capture on its own, for the host test, the perf cross-check
 * and the reader-cost microbenchmark. Opens the capture, runs a command (or
 * waits), drains every interval, and prints stalls (and with -P points) as
 * CSV; a summary line with records, lost samples and the reader's own CPU
 * time per record goes to stderr. Exit 4 only when the capture cannot run
 * here (not root, no tracefs); a host with both that opens no event fails.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "monoclock.h"

struct out {
	FILE *f;
	bool points;
	bool quiet;
	uint64_t nstall, npoint, stall_ns, negative;
};

static void on_stall(void *arg, const struct stall *s)
{
	struct out *o = arg;

	o->nstall++;
	o->stall_ns += s->duration_ns;
	if ((int64_t)s->duration_ns < 0)
		o->negative++;
	if (o->quiet)
		return;
	fprintf(o->f, "S,%" PRIu64 ",%u,%u,%s,%" PRIu64 ",%" PRId64 ",%d,%s,%d,%s\n", s->t_start_ns,
		s->tid, s->cpu, stall_kind_name(s->kind), s->duration_ns, s->nr_reclaimed, s->order,
		s->gfp_names[0] ? s->gfp_names : "-", s->unpaired ? (s->missing_begin ? 2 : 1) : 0,
		s->stack ? s->stack : "");
}

static void on_point(void *arg, const struct point *p)
{
	struct out *o = arg;

	o->npoint++;
	if (o->quiet || !o->points)
		return;
	fprintf(o->f, "P,%" PRIu64 ",%u,%u,%s,%s,%" PRId64 "\n", p->t_ns, p->tid, p->cpu,
		point_kind_name(p->kind), p->name, p->arg);
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

static void usage(void)
{
	fprintf(stderr, "usage: capdump [-e EVENTS] [-g] [-p PAGES] [-i MS] [-d SECONDS] [-o FILE] [-P] [-q]"
			" [-c CPU] [-- COMMAND ARGS...]\n"
			"  -e +sys:ev,-sys:ev  change the default event set   -g  kernel call chains\n"
			"  -p pages per CPU ring   -i drain interval ms (default 50)   -P print points too\n"
			"  -q count only   -d run this long without a command   -c pin the reader to CPU\n");
}

int main(int argc, char **argv)
{
	struct capture_opts co = { 0 };
	struct out o = { .f = stdout };
	struct capture_sink sink = { .stall = on_stall, .point = on_point, .arg = &o };
	struct capture *c;
	char err[512];
	int interval = 50, opt, pin = -1, status = 0;
	double dur = 0;
	const char *outpath = NULL;
	pid_t child = -1;
	long n, total = 0;
	uint64_t t0, c0, t1, c1;

	while ((opt = getopt(argc, argv, "+e:gp:i:d:o:Pqc:h")) != -1) {
		switch (opt) {
		case 'e': co.events = optarg; break;
		case 'g': co.callchain = true; break;
		case 'p': co.ring_pages = strtoul(optarg, NULL, 0); break;
		case 'i': interval = atoi(optarg); break;
		case 'd': dur = atof(optarg); break;
		case 'o': outpath = optarg; break;
		case 'P': o.points = true; break;
		case 'q': o.quiet = true; break;
		case 'c': pin = atoi(optarg); break;
		default: usage(); return opt == 'h' ? 0 : 2;
		}
	}
	if (pin >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(pin, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	if (outpath && !(o.f = fopen(outpath, "w"))) {
		fprintf(stderr, "capdump: %s: %s\n", outpath, strerror(errno));
		return 1;
	}
	int e = capture_probe(&co, err, sizeof(err));

	if (e) {
		fprintf(stderr, "capdump: %s%s\n", e == -ENODEV ? "cannot run here: " : "", err);
		return e == -ENODEV ? 4 : 1;
	}
	e = capture_open(&co, &c, err, sizeof(err));
	if (e) {
		bool unpriv = geteuid() != 0 && (e == -EACCES || e == -EPERM);

		fprintf(stderr, "capdump: %s%s\n", unpriv ? "cannot run here: " : "", err);
		return unpriv ? 4 : 1;
	}
	fprintf(stderr, "capdump: events %s; ring %zu pages/cpu\n", capture_events(c),
		capture_ring_pages(c));
	if (capture_enable(c)) {
		fprintf(stderr, "capdump: enable: %s\n", strerror(errno));
		return 1;
	}
	t0 = now_ns();
	c0 = cpu_ns();
	if (optind < argc) {
		child = fork();
		if (child == 0) {
			execvp(argv[optind], argv + optind);
			_exit(127);
		}
	}
	for (;;) {
		if (child > 0) {
			pid_t w = waitpid(child, &status, WNOHANG);

			if (w == child)
				break;
		} else if ((double)(now_ns() - t0) / 1e9 >= dur) {
			break;
		}
		capture_wait(c, interval);
		n = capture_drain(c, &sink, false);
		if (n < 0) {
			fprintf(stderr, "capdump: drain: %s\n", strerror((int)-n));
			return 1;
		}
		total += n;
	}
	capture_disable(c);
	n = capture_drain(c, &sink, true);
	if (n > 0)
		total += n;
	t1 = now_ns();
	c1 = cpu_ns();
	fprintf(stderr,
		"capdump: records %ld stalls %" PRIu64 " points %" PRIu64 " stall_ns %" PRIu64
		" negative %" PRIu64 " lost %" PRIu64 " wall %.3f s reader_cpu %.3f s (%.1f ns/record)"
		" rate %.0f records/s\n",
		total, o.nstall, o.npoint, o.stall_ns, o.negative, capture_lost(c, NULL, 0),
		(double)(t1 - t0) / 1e9, (double)(c1 - c0) / 1e9,
		total ? (double)(c1 - c0) / (double)total : 0.0,
		(double)total / ((double)(t1 - t0) / 1e9));
	uint64_t lost = capture_lost(c, NULL, 0);

	capture_close(c);
	if (o.f != stdout)
		fclose(o.f);
	if (child > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return 1;
	return lost || o.negative ? 3 : 0;
}
