/*
 * compare_spill.c on its own, at a scale the CLI tests cannot afford in the
 * quick label: a spill that starts inside a repetition and spans several
 * buffers (records straddle every read boundary), each repetition replayed
 * again and again (a third and fourth pass read what the second read: the
 * replay keeps no state between calls), every field at its extremes (slot
 * -1..63, values up to 2^64-1), and the ways a spill is lost (no directory,
 * the file-size limit, a repetition skipped): then the CSV is read for
 * every repetition and nothing is replayed.
 * Usage: test_spill WORKDIR. Exit 0 pass, 1 fail.
 */
#include "compare.h"
#include "compare_impl.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

struct rec {
	size_t idx;
	int slot;
	uint64_t val, aux;
};

static int fails;
#define CHECK(c, ...)                                                   \
	do {                                                            \
		if (!(c)) {                                             \
			printf("not ok: " __VA_ARGS__);                 \
			putchar('\n');                                  \
			fails++;                                        \
		}                                                       \
	} while (0)

static uint64_t rs = 88172645463325252ull;
static uint64_t xs(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

/* a row as a reader would spill it: small values mostly, extremes sometimes */
static struct rec draw(void)
{
	struct rec r;
	uint64_t u = xs();

	r.idx = (size_t)(xs() % 4096);
	r.slot = (int)(xs() % (CMP_MAX_NODES + 1)) - 1;
	r.val = u % 97 == 0 ? UINT64_MAX : u % 89 == 0 ? 0 : xs() >> (xs() % 64);
	r.aux = xs() % 53 == 0 ? UINT64_MAX - 1 : xs() % 1000;
	return r;
}

struct replay {
	const struct rec *want;
	size_t n, got, bad;
};

static void on_row(void *arg, size_t idx, int slot, uint64_t val, uint64_t aux)
{
	struct replay *p = arg;

	if (p->got < p->n) {
		const struct rec *w = &p->want[p->got];

		if (w->idx != idx || w->slot != slot || w->val != val || w->aux != aux) {
			if (!p->bad)
				printf("  row %zu: %zu %d %llu %llu, wrote %zu %d %llu %llu\n", p->got,
				       idx, slot, (unsigned long long)val, (unsigned long long)aux,
				       w->idx, w->slot, (unsigned long long)w->val,
				       (unsigned long long)w->aux);
			p->bad++;
		}
	}
	p->got++;
}

/* writes n rows to the spill, then ends repetition dir */
static void spill_rows(struct cmp_spill *s, int dir, const struct rec *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cmp_spill_row(s, r[i].idx, r[i].slot, r[i].val, r[i].aux);
	cmp_spill_dir_end(s, dir);
}

/* replays repetition dir and checks it gives exactly want[0..n) */
static void replay_is(struct cmp_spill *s, int dir, const struct rec *want, size_t n, const char *what)
{
	struct replay p = { .want = want, .n = n };
	int rc = cmp_spill_replay(s, dir, on_row, &p);

	CHECK(rc == 0, "%s: replay of repetition %d: %d", what, dir, rc);
	CHECK(p.got == n && !p.bad, "%s: repetition %d replayed %zu rows (%zu wrong), wrote %zu",
	      what, dir, p.got, p.bad, n);
}

/* a spill that is lost: every repetition from the CSV, whole; none replayed */
static void lost_is(struct cmp_spill *s, int ndirs, const char *what)
{
	for (int d = 0; d < ndirs; d++) {
		uint64_t stop = 7;
		struct replay p = { 0 };

		CHECK(cmp_spill_csv(s, d, &stop) && stop == 0, "%s: repetition %d not read whole from the CSV",
		      what, d);
		CHECK(cmp_spill_replay(s, d, on_row, &p) == 0 && p.got == 0,
		      "%s: repetition %d: %zu rows replayed from a lost spill", what, d, p.got);
	}
}

int main(int argc, char **argv)
{
	/* repetition 1 from its row 1000 on, 2 and 3 whole, 4 empty: ~2.7 MB,
	 * ~5 MB: 20 buffers of 256 KiB */
	static const size_t nrows[] = { 0, 150000, 250000, 50000, 0 };
	struct rec *rows[5];
	struct cmp_spill *s;
	char dir[4096];
	uint64_t stop;
	int d, pass;

	if (argc != 2) {
		fprintf(stderr, "usage: test_spill WORKDIR\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/tmp", argv[1]);
	mkdir(argv[1], 0700);
	mkdir(dir, 0700);
	setenv("TMPDIR", dir, 1);
	for (d = 0; d < 5; d++) {
		rows[d] = malloc((nrows[d] + 1) * sizeof(**rows));
		for (size_t i = 0; i < nrows[d]; i++)
			rows[d][i] = draw();
	}
	/* 30000 records of the longest form (31 bytes: 930 KB, so several of
	 * them straddle a replay's reads) */
	for (size_t i = 10000; i < 40000; i++)
		rows[3][i] = (struct rec){ SIZE_MAX, CMP_MAX_NODES - 1, UINT64_MAX, UINT64_MAX };

	s = cmp_spill_start(1, 1000);
	for (d = 1; d < 5; d++)
		spill_rows(s, d, rows[d], nrows[d]);
	CHECK(cmp_spill_csv(s, 0, &stop) && stop == 0, "repetition 0 (before the spill): not the whole CSV");
	CHECK(cmp_spill_csv(s, 1, &stop) && stop == 1000, "repetition 1: CSV up to row %llu, not 1000",
	      (unsigned long long)stop);
	for (d = 2; d < 5; d++)
		CHECK(!cmp_spill_csv(s, d, &stop) && stop == 0, "repetition %d read from the CSV", d);
	/* pass 2, 3 and 4 over every repetition, in orders a reader may use */
	for (pass = 2; pass <= 4; pass++) {
		char what[32];

		snprintf(what, sizeof(what), "pass %d", pass);
		for (d = pass == 3 ? 4 : 0; pass == 3 ? d >= 0 : d < 5; d += pass == 3 ? -1 : 1)
			replay_is(s, d, rows[d], d ? nrows[d] : 0, what);
	}
	replay_is(s, 2, rows[2], nrows[2], "repetition 2 twice in a row");
	replay_is(s, 2, rows[2], nrows[2], "repetition 2 twice in a row");
	CHECK(cmp_spill_replay(s, 5, on_row, &(struct replay){ 0 }) == -EIO,
	      "a repetition the spill never saw end replays");
	cmp_spill_free(s);

	/* a spill from row 0 (plot's CDF): repetition 0 wholly from the spill */
	s = cmp_spill_start(0, 0);
	spill_rows(s, 0, rows[2], nrows[2]);
	CHECK(!cmp_spill_csv(s, 0, &stop) && stop == 0, "a spill from row 0 still reads the CSV");
	replay_is(s, 0, rows[2], nrows[2], "from row 0");
	replay_is(s, 0, rows[2], nrows[2], "from row 0, again");
	cmp_spill_free(s);

	/* a spill from row 0 of a later repetition: the one before from the
	 * CSV, whole; this one from the spill alone */
	s = cmp_spill_start(1, 0);
	for (size_t i = 0; i < nrows[1]; i++)
		cmp_spill_row(s, rows[1][i].idx, rows[1][i].slot, rows[1][i].val, rows[1][i].aux);
	CHECK(cmp_spill_replay(s, 1, on_row, &(struct replay){ 0 }) == -EIO,
	      "rows not ended by cmp_spill_dir_end replay");
	cmp_spill_dir_end(s, 1);
	CHECK(cmp_spill_csv(s, 0, &stop) && stop == 0, "start(1, 0): repetition 0 not the whole CSV");
	CHECK(!cmp_spill_csv(s, 1, &stop) && stop == 0, "start(1, 0): repetition 1 read from the CSV");
	replay_is(s, 0, NULL, 0, "start(1, 0)");
	replay_is(s, 1, rows[1], nrows[1], "start(1, 0)");
	cmp_spill_free(s);

	/* two spills at once (compare's ops and stall kinds), rows alternating:
	 * the first gets repetitions 2 and 3's rows, the second 3's cycled to
	 * 2's length, then 2's first rows to 3's length */
	struct cmp_spill *s2 = cmp_spill_start(0, 3);
	struct rec *cyc = malloc(nrows[2] * sizeof(*cyc));

	for (size_t i = 0; i < nrows[2]; i++)
		cyc[i] = rows[3][i % nrows[3]];
	s = cmp_spill_start(0, 2);
	for (size_t i = 0; i < nrows[2]; i++) {
		cmp_spill_row(s, rows[2][i].idx, rows[2][i].slot, rows[2][i].val, rows[2][i].aux);
		cmp_spill_row(s2, cyc[i].idx, cyc[i].slot, cyc[i].val, cyc[i].aux);
	}
	cmp_spill_dir_end(s, 0);
	cmp_spill_dir_end(s2, 0);
	for (size_t i = 0; i < nrows[3]; i++) {
		cmp_spill_row(s, rows[3][i].idx, rows[3][i].slot, rows[3][i].val, rows[3][i].aux);
		cmp_spill_row(s2, rows[2][i].idx, rows[2][i].slot, rows[2][i].val, rows[2][i].aux);
	}
	cmp_spill_dir_end(s, 1);
	cmp_spill_dir_end(s2, 1);
	for (pass = 0; pass < 2; pass++) {
		replay_is(s2, 1, rows[2], nrows[3], "the second of two spills");
		replay_is(s, 0, rows[2], nrows[2], "the first of two spills");
		replay_is(s2, 0, cyc, nrows[2], "the second of two spills");
		replay_is(s, 1, rows[3], nrows[3], "the first of two spills");
	}
	free(cyc);
	cmp_spill_free(s);
	cmp_spill_free(s2);

	/* no temporary directory */
	setenv("TMPDIR", "/nonexistent/stallbench-spill", 1);
	s = cmp_spill_start(0, 10);
	cmp_spill_row(s, 1, 0, 2, 3);
	cmp_spill_dir_end(s, 0);
	lost_is(s, 2, "no TMPDIR");
	cmp_spill_free(s);
	setenv("TMPDIR", dir, 1);

	/* a repetition skipped (the reader's rows are not the spill's) */
	s = cmp_spill_start(0, 10);
	cmp_spill_row(s, 1, 0, 2, 3);
	cmp_spill_dir_end(s, 1);
	lost_is(s, 3, "a repetition skipped");
	cmp_spill_free(s);

	/* the file-size limit, 64 KiB: lost by the first full buffer at the
	 * latest, however many rows come after */
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit old, lim = { 64 << 10, 64 << 10 };

	getrlimit(RLIMIT_FSIZE, &old);
	lim.rlim_max = old.rlim_max;
	if (setrlimit(RLIMIT_FSIZE, &lim) < 0) {
		CHECK(0, "setrlimit: %s", strerror(errno));
	} else {
		s = cmp_spill_start(1, 5);
		for (d = 1; d < 4; d++)
			spill_rows(s, d, rows[d], nrows[d]);
		lost_is(s, 4, "past the file-size limit");
		cmp_spill_free(s);
		/* more than the limit, less than a buffer: the write at the
		 * repetition's end fails, and loses the spill */
		s = cmp_spill_start(0, 5);
		spill_rows(s, 0, rows[2], 9000);
		lost_is(s, 2, "past the file-size limit at a repetition's end");
		cmp_spill_free(s);
		/* under the limit: kept */
		s = cmp_spill_start(0, 0);
		spill_rows(s, 0, rows[3], 1000);
		replay_is(s, 0, rows[3], 1000, "under the file-size limit");
		cmp_spill_free(s);
		setrlimit(RLIMIT_FSIZE, &old);
	}

	for (d = 0; d < 5; d++)
		free(rows[d]);
	printf("%s\n", fails ? "FAIL" : "PASS");
	return fails != 0;
}
