/*
 * getppid_loop: the traced task of the capture-cost microbenchmark.
 * Calls getppid() (raw syscall: one sys_enter_getppid + one sys_exit_getppid
 * tracepoint hit per call) N times pinned to one CPU, in rounds, and prints
 * the median and minimum per-call time over the rounds. With -r it paces
 * itself to a target rate of tracepoint events per second (2 per call), for
 * the lost-samples sweep; -r 0 (default) runs flat out.
 *
 * usage: getppid_loop [-n CALLS] [-R ROUNDS] [-c CPU] [-r EVENTS_PER_S]
 * output (one line, key=value): calls= events= wall_s= ns_per_call_med=
 *         ns_per_call_min= events_per_s=
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long calls = 1000000, rounds = 10, cpu = 0;
	double rate = 0;	/* events/s, 0 = flat out */
	int opt;

	while ((opt = getopt(argc, argv, "n:R:c:r:")) != -1) {
		switch (opt) {
		case 'n': calls = atol(optarg); break;
		case 'R': rounds = atol(optarg); break;
		case 'c': cpu = atol(optarg); break;
		case 'r': rate = atof(optarg); break;
		default:
			fprintf(stderr, "usage: getppid_loop [-n CALLS] [-R ROUNDS] [-c CPU] [-r EVENTS_PER_S]\n");
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
	uint64_t t0 = mono_ns();

	/* warm-up: page in, settle the frequency */
	for (long i = 0; i < 10000; i++)
		syscall(SYS_getppid);
	t0 = mono_ns();
	for (long r = 0; r < rounds; r++) {
		uint64_t a = mono_ns();

		if (rate <= 0) {
			for (long i = 0; i < per; i++)
				syscall(SYS_getppid);
		} else {
			/* paced: batches of 16 calls, each batch due at its scheduled time */
			double ns_per_call = 2e9 / rate;
			uint64_t start = a;

			for (long i = 0; i < per; i += 16) {
				uint64_t due = start + (uint64_t)((double)i * ns_per_call);

				while (mono_ns() < due)
					;
				for (int k = 0; k < 16; k++)
					syscall(SYS_getppid);
			}
		}
		v[r] = (double)(mono_ns() - a) / (double)per;
	}
	uint64_t t1 = mono_ns();
	double wall = (double)(t1 - t0) / 1e9;

	qsort(v, (size_t)rounds, sizeof(*v), cmp_d);
	printf("calls=%ld events=%ld wall_s=%.4f ns_per_call_med=%.1f ns_per_call_min=%.1f events_per_s=%.0f\n",
	       per * rounds, 2 * per * rounds, wall, v[rounds / 2], v[0],
	       2.0 * (double)(per * rounds) / wall);
	free(v);
	return 0;
}
