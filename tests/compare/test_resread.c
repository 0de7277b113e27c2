/*
 * Tests of bench/resread.c on directories written by gen_result: a good
 * run parses field by field; broken ones (bad number, short row, over-long
 * line, truncated last line, no meta.json, corrupt meta.json, incomplete
 * status, no summary.json) are refused with -EINVAL and a message naming
 * the file, or read with bad rows skipped under RR_ALLOW_INCOMPLETE; quoted
 * CSV, CRLF and reordered/missing optional columns are read; 1M rows are
 * read in flat memory. Usage: test_resread GEN_RESULT WORKDIR. Exit 0/1.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "resread.h"

static int failures;
static const char *gen, *work;

#define CHECK(cond) do { if (!(cond)) { printf("not ok line %d: %s\n", __LINE__, #cond); \
	failures++; } } while (0)

static void mk(const char *name, const char *args)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s' && '%s' '%s/%s' %s", work, name, gen, work,
		 name, args);
	if (system(cmd) != 0) {
		printf("not ok: %s\n", cmd);
		exit(1);
	}
}

static void path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", work, name);
}

struct seen {
	uint64_t rows, alloc_rows, enomem;
	unsigned int alloc_flags;
	int first_node;
	uint64_t first_lat;
	char first_op[32];
};

static int count_op(void *arg, const struct rr_op *op)
{
	struct seen *s = arg;

	if (s->rows++ == 0) {
		s->first_lat = op->latency_ns;
		s->first_node = op->node;
		snprintf(s->first_op, sizeof(s->first_op), "%s/%s", op->workload, op->op);
	}
	if (strcmp(op->op, "alloc") == 0) {
		s->alloc_rows++;
		s->alloc_flags |= op->flags;
	}
	if (strcmp(op->err, "ENOMEM") == 0)
		s->enomem++;
	return 0;
}

static int count_stall(void *arg, const struct rr_stall *st)
{
	uint64_t *n = arg;

	(*n)++;
	return st->kind == RR_STALL_OTHER ? -1 : 0;
}

static int count_tick(void *arg, const struct rr_tick *t)
{
	uint64_t *n = arg;

	if (!isnan(t->v[RR_TL_MEMCG_HIGH]) || isnan(t->v[RR_TL_MEMCG_MAX]))
		return -1;	/* high is empty in the generator, max is set */
	(*n)++;
	return 0;
}

/* Reads ops of dir with flags; returns rr_read_ops' value, msg and stats out. */
static int read_ops(const char *name, unsigned int flags, struct seen *s,
		    struct rr_csv_stats *st, char *msg, size_t len)
{
	struct rr_dir d;
	char p[4096];
	int ret;

	memset(s, 0, sizeof(*s));
	path(p, sizeof(p), name);
	ret = rr_open(p, flags, &d, msg, len);
	if (ret < 0)
		return ret;
	ret = rr_read_ops(&d, count_op, s, st, msg, len);
	rr_close(&d);
	return ret;
}

static void test_good(void)
{
	struct rr_dir d;
	struct rr_csv_stats st;
	struct seen s;
	uint64_t n = 0;
	char msg[512], p[4096];

	mk("good", "--n 1000");
	path(p, sizeof(p), "good");
	CHECK(rr_open(p, 0, &d, msg, sizeof(msg)) == 0);
	CHECK(strcmp(d.release, "6.1.0-56-amd64") == 0);
	CHECK(strcmp(d.status, "complete") == 0);
	CHECK(d.start_ns == 1000000000ull && d.end_ns == 11000000000ull);
	CHECK(d.summary != NULL);
	CHECK(rr_json_str(d.meta, "mm.lru_gen") && !strcmp(rr_json_str(d.meta, "mm.lru_gen"), "0x0000"));
	CHECK(rr_read_stalls(&d, count_stall, &n, &st, msg, sizeof(msg)) == 0 && n > 100);
	n = 0;
	CHECK(rr_read_timeline(&d, count_tick, &n, &st, msg, sizeof(msg)) == 0 && n == 101);
	rr_close(&d);
	CHECK(read_ops("good", 0, &s, &st, msg, sizeof(msg)) == 0);
	CHECK(s.rows == 4000 && st.rows == 4000 && st.bad_rows == 0 && !st.truncated);
	CHECK(s.alloc_rows == 1000);
	CHECK(s.alloc_flags == (RR_OPF_MODULE | RR_OPF_HUGE));
	CHECK(strcmp(s.first_op, "truncate-storm/ftruncate") == 0 && s.first_node == 0);
}

static void expect_refused(const char *name, const char *args, const char *needle,
			   uint64_t rows_if_allowed)
{
	struct rr_csv_stats st;
	struct seen s;
	char msg[512] = "";
	int ret;

	mk(name, args);
	ret = read_ops(name, 0, &s, &st, msg, sizeof(msg));
	printf("# %s: %s\n", name, msg);
	CHECK(ret == -EINVAL);
	CHECK(strstr(msg, needle) != NULL);
	CHECK(strlen(msg) < 300 && !strchr(msg, '\n'));
	if (rows_if_allowed) {
		ret = read_ops(name, RR_ALLOW_INCOMPLETE, &s, &st, msg, sizeof(msg));
		CHECK(ret == 0);
		CHECK(s.rows == rows_if_allowed);
		CHECK(st.bad_rows == 1);
	}
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s/%s", work, dir, name);
	f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		printf("not ok: writing %s\n", p);
		exit(1);
	}
}

static void test_broken(void)
{
	expect_refused("badnum", "--n 100 --bad-number", "latency_ns is not a number", 399);
	expect_refused("short", "--n 100 --few-fields", "too few fields", 399);
	expect_refused("longline", "--n 100 --long-line", "longer than the limit", 399);
	expect_refused("trunc", "--n 100 --truncate", "no newline", 400);
	expect_refused("nometa", "--n 10 --no-meta", "no meta.json (not a result directory)", 0);
	expect_refused("incomplete", "--n 10 --status incomplete", "use --allow-incomplete", 0);
	expect_refused("nosummary", "--n 10 --no-summary", "no summary.json", 0);
	mk("badmeta", "--n 10");
	write_file("badmeta", "meta.json", "{\"status\": \"complete\", \"kernel\": {");
	{
		struct rr_dir d;
		char msg[512], p[4096];

		path(p, sizeof(p), "badmeta");
		CHECK(rr_open(p, RR_ALLOW_INCOMPLETE, &d, msg, sizeof(msg)) == -EINVAL);
		printf("# badmeta: %s\n", msg);
		CHECK(strstr(msg, "meta.json") != NULL);
		path(p, sizeof(p), "does-not-exist");
		CHECK(rr_open(p, 0, &d, msg, sizeof(msg)) == -ENOENT);
	}
	/* incomplete status and no summary are fine when allowed */
	{
		struct rr_csv_stats st;
		struct seen s;
		char msg[512];

		CHECK(read_ops("incomplete", RR_ALLOW_INCOMPLETE, &s, &st, msg, sizeof(msg)) == 0);
		CHECK(read_ops("nosummary", RR_ALLOW_INCOMPLETE, &s, &st, msg, sizeof(msg)) == 0);
		CHECK(s.rows == 40);
	}
}

static void test_quoted(void)
{
	struct rr_csv_stats st;
	struct seen s;
	char msg[512];

	mk("quoted", "--n 10");
	/* reordered columns, optional ones missing, quotes, CRLF, a blank line */
	write_file("quoted", "ops.csv",
		   "op,latency_ns,workload,t_start_ns,errno\r\n"
		   "\"punch\",1500,\"truncate-storm\",1,ENOMEM\r\n"
		   "\r\n"
		   "\"a,\"\"b\"\"\",2500,truncate-storm,2,0\r\n");
	CHECK(read_ops("quoted", 0, &s, &st, msg, sizeof(msg)) == 0);
	CHECK(s.rows == 2 && s.enomem == 1 && s.first_lat == 1500 && s.first_node == -1);
	CHECK(strcmp(s.first_op, "truncate-storm/punch") == 0);
	write_file("quoted", "ops.csv", "op,workload,t_start_ns\n");
	CHECK(read_ops("quoted", 0, &s, &st, msg, sizeof(msg)) == -EINVAL);
	CHECK(strstr(msg, "no column \"latency_ns\"") != NULL);
	write_file("quoted", "ops.csv", "");
	CHECK(read_ops("quoted", 0, &s, &st, msg, sizeof(msg)) == -EINVAL);
	write_file("quoted", "ops.csv", "op,latency_ns,workload,t_start_ns\n\"punch,1,x,1\n");
	CHECK(read_ops("quoted", 0, &s, &st, msg, sizeof(msg)) == -EINVAL);
	write_file("quoted", "ops.csv", "op,latency_ns,workload,t_start_ns\npunch,-1,x,1\n");
	CHECK(read_ops("quoted", 0, &s, &st, msg, sizeof(msg)) == -EINVAL);
	write_file("quoted", "ops.csv", "op,latency_ns,workload,t_start_ns\npunch,99999999999999999999,x,1\n");
	CHECK(read_ops("quoted", 0, &s, &st, msg, sizeof(msg)) == -EINVAL);
}

static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void test_flat_memory(void)
{
	struct rr_csv_stats st;
	struct seen s;
	char msg[512], cmd[4200];
	long before, after;

	mk("big", "--n 250000 --ops-only");	/* 1M ops rows */
	before = maxrss_kb();
	CHECK(read_ops("big", 0, &s, &st, msg, sizeof(msg)) == 0);
	after = maxrss_kb();
	printf("# 1M rows: maxrss %ld -> %ld KiB\n", before, after);
	CHECK(s.rows == 1000000);
	CHECK(after - before < 4096);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/big'", work);
	CHECK(system(cmd) == 0);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_resread GEN_RESULT WORKDIR\n");
		return 2;
	}
	gen = argv[1];
	work = argv[2];
	mkdir(work, 0755);
	test_good();
	test_broken();
	test_quoted();
	test_flat_memory();
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
