/*
 * Reads a result's timeline.csv with the result reader (bench/data/resread.c) and
 * prints, per column asked for, how many rows had it and its median:
 * "tlread DIR mem_available holder_bytes" -> "mem_available 31 2.2e10".
 * Used by global_pressure.sh: the reader must find the columns by name.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resread.h"

static const char *const names[RR_TL_NR_COLS] = {
	[RR_TL_MEM_AVAILABLE] = "mem_available",
	[RR_TL_HOLDER_BYTES] = "holder_bytes",
	[RR_TL_ALLOCSTALL] = "allocstall",
};

struct acc {
	double *v[RR_TL_NR_COLS];
	size_t n[RR_TL_NR_COLS];
};

static int on_tick(void *arg, const struct rr_tick *t)
{
	struct acc *a = arg;

	for (int c = 0; c < RR_TL_NR_COLS; c++) {
		if (isnan(t->v[c]))
			continue;
		a->v[c] = realloc(a->v[c], (a->n[c] + 1) * sizeof(double));
		if (!a->v[c])
			return -1;
		a->v[c][a->n[c]++] = t->v[c];
	}
	return 0;
}

static int dcmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
	struct rr_dir d;
	struct acc a = { 0 };
	char msg[512];

	if (argc < 3 || rr_open(argv[1], 0, &d, msg, sizeof(msg))) {
		fprintf(stderr, "tlread: %s\n", argc < 3 ? "usage: tlread DIR COLUMN..." : msg);
		return 1;
	}
	if (rr_read_timeline(&d, on_tick, &a, NULL, msg, sizeof(msg))) {
		fprintf(stderr, "tlread: %s\n", msg);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		int c;

		for (c = 0; c < RR_TL_NR_COLS; c++)
			if (names[c] && !strcmp(names[c], argv[i]))
				break;
		if (c == RR_TL_NR_COLS) {
			fprintf(stderr, "tlread: %s: not a column this tool knows\n", argv[i]);
			return 1;
		}
		if (a.n[c])
			qsort(a.v[c], a.n[c], sizeof(double), dcmp);
		printf("%s %zu %.0f\n", argv[i], a.n[c], a.n[c] ? a.v[c][a.n[c] / 2] : NAN);
	}
	rr_close(&d);
	return 0;
}
