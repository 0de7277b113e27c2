/*
 * stallrep: the report step on stallbench's side, streamed. Reads a result
 * directory's stalls.csv through bench/resread.c (fixed read buffer, no
 * allocation per row) and prints, per stall kind, count / p50 / p99 / p99.9 /
 * max of duration_ns from a log-linear histogram (128 sub-buckets per power
 * of two: relative error < 0.8%), so memory does not grow with the number of
 * stalls. This is the work `stallbench report` would do if it computed the
 * stall table from stalls.csv instead of reading summary.json.
 *
 * usage: stallrep DIR
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resread.h"

#define SUB_BITS	7
#define SUB		(1u << SUB_BITS)
#define NB		((64 - SUB_BITS) * SUB + SUB)

struct hist {
	uint64_t n, max;
	uint64_t b[NB];
};

static unsigned int bucket(uint64_t v)
{
	if (v < SUB)
		return (unsigned int)v;
	unsigned int e = 63u - (unsigned int)__builtin_clzll(v);	/* >= SUB_BITS */
	unsigned int sh = e - SUB_BITS;

	return (sh + 1) * SUB + (unsigned int)((v >> sh) & (SUB - 1));
}

static uint64_t bucket_mid(unsigned int b)
{
	if (b < SUB)
		return b;
	unsigned int sh = b / SUB - 1;
	uint64_t lo = ((uint64_t)(SUB | (b % SUB))) << sh;

	return lo + (((uint64_t)1 << sh) >> 1);
}

static uint64_t pct(const struct hist *h, double p)
{
	uint64_t rank = (uint64_t)(p / 100.0 * (double)h->n + 0.999999), acc = 0;

	if (rank < 1)
		rank = 1;
	for (unsigned int i = 0; i < NB; i++) {
		acc += h->b[i];
		if (acc >= rank)
			return bucket_mid(i) < h->max ? bucket_mid(i) : h->max;
	}
	return h->max;
}

static struct hist kinds[RR_STALL_NR_KINDS + 1];

static int on_stall(void *arg, const struct rr_stall *s)
{
	int k = s->kind >= 0 && s->kind < RR_STALL_NR_KINDS ? s->kind : RR_STALL_NR_KINDS;
	struct hist *h = &kinds[k];

	(void)arg;
	h->n++;
	h->b[bucket(s->duration_ns)]++;
	if (s->duration_ns > h->max)
		h->max = s->duration_ns;
	return 0;
}

int main(int argc, char **argv)
{
	struct rr_dir d;
	struct rr_csv_stats st;
	char msg[512];

	if (argc != 2) {
		fprintf(stderr, "usage: stallrep DIR\n");
		return 2;
	}
	if (rr_open(argv[1], RR_ALLOW_INCOMPLETE, &d, msg, sizeof(msg))) {
		fprintf(stderr, "stallrep: %s\n", msg);
		return 2;
	}
	if (rr_read_stalls(&d, on_stall, NULL, &st, msg, sizeof(msg))) {
		fprintf(stderr, "stallrep: %s\n", msg);
		rr_close(&d);
		return 1;
	}
	printf("%-16s %10s %12s %12s %12s %12s\n", "kind", "count", "p50_ns", "p99_ns", "p99.9_ns",
	       "max_ns");
	for (int k = 0; k <= RR_STALL_NR_KINDS; k++) {
		const struct hist *h = &kinds[k];

		if (!h->n)
			continue;
		printf("%-16s %10" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n",
		       k < RR_STALL_NR_KINDS ? rr_stall_kind_name(k) : "other", h->n, pct(h, 50),
		       pct(h, 99), pct(h, 99.9), h->max);
	}
	printf("rows %" PRIu64 " bad %" PRIu64 "\n", st.rows, st.bad_rows);
	rr_close(&d);
	return 0;
}
