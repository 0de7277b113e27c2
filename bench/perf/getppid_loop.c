/*
 * getppid_loop: the traced task of the capture-cost microbenchmark.
 * Calls getppid() (raw syscall: one sys_enter_getppid + one sys_exit_getppid
 * tracepoint hit per call) N times pinned to one CPU, in rounds, and prints
 * the median and minimum per-call time over the rounds. With -r it paces
 * itself to a target rate of tracepoint events per second (2 per call), for
 * the lost-samples sweep; -r 0 (default) runs flat out.
 *
 * With -b each round is followed by as many raw getpid() calls (not traced,
 * same syscall path: with any syscall tracepoint on, both take the slow
 * entry), and diff_ns_med is the median over rounds of the per-call
 * difference: the tracepoint's cost measured within milliseconds, so the
 * machine's drift (here: untraced 211 vs 294 ns/call from one run to the
 * next) cancels.
 *
 * usage: getppid_loop [-n CALLS] [-R ROUNDS] [-c CPU] [-r EVENTS_PER_S] [-b]
 * output (one line, key=value): calls= events= warmup_events= wall_s= ns_per_call_med=
 *         ns_per_call_min= events_per_s= [base_ns_per_call_med= diff_ns_med=]
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "monoclock.h"

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long calls = 1000000, rounds = 10, cpu = 0;
	double rate = 0;	/* events/s, 0 = flat out */
	int opt, base = 0;

	while ((opt = getopt(argc, argv, "n:R:c:r:b")) != -1) {
		switch (opt) {
		case 'n': calls = atol(optarg); break;
		case 'R': rounds = atol(optarg); break;
		case 'c': cpu = atol(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 'b': base = 1; break;
		default:
			fprintf(stderr, "usage: getppid_loop [-n CALLS] [-R ROUNDS] [-c CPU] [-r EVENTS_PER_S] [-b]\n");
			return 2;
		}
	}
	if (rounds < 1)
		rounds = 1;
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET((int)cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			perror("sched_setaffinity");
			return 1;
		}
	}
	long per = calls / rounds;
	double *v = calloc((size_t)rounds, sizeof(*v));
	double *bv = calloc((size_t)rounds, sizeof(*bv)), *dv = calloc((size_t)rounds, sizeof(*dv));
	uint64_t t0 = now_ns();

	/* warm-up: page in, settle the frequency */
	for (long i = 0; i < 10000; i++)
		syscall(SYS_getppid);
	t0 = now_ns();
	for (long r = 0; r < rounds; r++) {
		uint64_t a = now_ns();

		if (rate <= 0) {
			for (long i = 0; i < per; i++)
				syscall(SYS_getppid);
		} else {
			/* paced: batches of 16 calls, each batch due at its scheduled time */
			double ns_per_call = 2e9 / rate;
			uint64_t start = a;

			for (long i = 0; i < per; i += 16) {
				uint64_t due = start + (uint64_t)((double)i * ns_per_call);

				while (now_ns() < due)
					;
				for (int k = 0; k < 16; k++)
					syscall(SYS_getppid);
			}
		}
		v[r] = (double)(now_ns() - a) / (double)per;
		if (base) {
			uint64_t b = now_ns();

			for (long i = 0; i < per; i++)
				syscall(SYS_getpid);
			bv[r] = (double)(now_ns() - b) / (double)per;
			dv[r] = v[r] - bv[r];
		}
	}
	uint64_t t1 = now_ns();
	double wall = (double)(t1 - t0) / 1e9;

	qsort(v, (size_t)rounds, sizeof(*v), cmp_d);
	/* warmup_events: traced too, so a reader's expected count is events + warmup_events */
	printf("calls=%ld events=%ld warmup_events=%d wall_s=%.4f ns_per_call_med=%.1f "
	       "ns_per_call_min=%.1f events_per_s=%.0f",
	       per * rounds, 2 * per * rounds, 2 * 10000, wall, v[rounds / 2], v[0],
	       2.0 * (double)(per * rounds) / wall);
	if (base) {
		qsort(bv, (size_t)rounds, sizeof(*bv), cmp_d);
		qsort(dv, (size_t)rounds, sizeof(*dv), cmp_d);
		printf(" base_ns_per_call_med=%.1f diff_ns_med=%.1f", bv[rounds / 2], dv[rounds / 2]);
	}
	printf("\n");
	free(v);
	free(bv);
	free(dv);
	return 0;
}
