/*
 * Tests of bench/data/resread.c on directories written by gen_result: a good
 * run parses field by field; broken ones (bad number, short row, over-long
 * line, truncated last line, no meta.json, corrupt meta.json, incomplete
 * status, no summary.json) are refused with -EINVAL and a message naming
 * the file, or read with bad rows skipped under RR_ALLOW_INCOMPLETE; quoted
 * CSV, CRLF and reordered/missing optional columns are read; 1M rows are
 * read in flat memory. ops.csv.zst (written by bench/data/rfile.c, from the
 * start or past a size) reads the same rows; a cut one is refused, or read
 * up to the cut with RR_ALLOW_INCOMPLETE; a tail following ops.csv goes on
 * in ops.csv.zst when the driver moves the file, neither losing nor
 * repeating a row. Usage: test_resread GEN_RESULT WORKDIR. Exit 0/1.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "resread.h"
#include "rfile.h"
#include "resultio.h"
#include "rowwrite.h"
#include <unistd.h>

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

/* The one row of a crafted ops.csv, as rr_read_ops and rr_scan_ops gave it. */
struct one {
	uint64_t n, lat, tid, rounds, src0;
	int node, worker;
	bool have_src0;
	char wl[32], op[32];
};

static int one_op(void *arg, const struct rr_op *o)
{
	struct one *x = arg;

	x->n++;
	x->lat = o->latency_ns;
	x->tid = o->tid;
	x->rounds = o->reclaim_rounds;
	x->node = o->node;
	x->worker = o->worker;
	x->src0 = o->src[0];
	x->have_src0 = o->have_src[0];
	snprintf(x->wl, sizeof(x->wl), "%s", o->workload);
	snprintf(x->op, sizeof(x->op), "%s", o->op);
	return 0;
}

/* ops.csv of dir "edges" = HEAD + row; ret of rr_read_ops; *light: rr_scan_ops' row */
static int read_one(const char *row, struct one *x, struct one *light, char *msg, size_t len)
{
	char text[16384], p[4096];
	struct rr_dir d;
	int ret;

	snprintf(text, sizeof(text), "t_start_ns,tid,worker,node,workload,op,latency_ns,"
		 "reclaim_rounds,rounds_direct,note\n%s\n", row);
	write_file("edges", "ops.csv", text);
	memset(x, 0, sizeof(*x));
	memset(light, 0, sizeof(*light));
	path(p, sizeof(p), "edges");
	if (rr_open(p, 0, &d, msg, len) < 0)
		return -EIO;
	ret = rr_read_ops(&d, one_op, x, NULL, msg, len);
	if (ret == 0)
		ret = rr_scan_ops(&d, one_op, light, msg, len);
	rr_close(&d);
	return ret;
}

/*
 * The cells at the edges of the fast row path (rr_fast_scan): numbers of
 * 1, 8, 9, 16, 17, 19 and 20 digits, signs, bounds of tid and int32 columns,
 * quotes and commas in a column no pass reads, the field limit. Each must
 * read as the strict parser reads it.
 */
static void test_fast_edges(void)
{
	static const struct {
		const char *row;
		int ret;
		uint64_t lat;
		int node;
	} c[] = {
		{ "1,2,3,0,w,o,7,0,,", 0, 7, 0 },
		{ "1,2,3,0,w,o,12345678,0,,", 0, 12345678, 0 },
		{ "1,2,3,0,w,o,123456789,0,,", 0, 123456789, 0 },
		{ "1,2,3,0,w,o,1234567890123456,0,,", 0, 1234567890123456ull, 0 },
		{ "1,2,3,0,w,o,12345678901234567,0,,", 0, 12345678901234567ull, 0 },
		{ "1,2,3,0,w,o,9999999999999999999,0,,", 0, 9999999999999999999ull, 0 },
		{ "1,2,3,0,w,o,18446744073709551615,0,,", 0, UINT64_MAX, 0 },
		{ "1,2,3,0,w,o,00000000000000000042,0,,", 0, 42, 0 },
		{ "1,2,3,0,w,o,18446744073709551616,0,,", -EINVAL, 0, 0 },
		{ "1,2,3,0,w,o,1a,0,,", -EINVAL, 0, 0 },
		{ "1,2,3,0,w,o,a1,0,,", -EINVAL, 0, 0 },
		{ "1,2,3,0,w,o,-1,0,,", -EINVAL, 0, 0 },
		{ "1,2,3,0,w,o,+1,0,,", -EINVAL, 0, 0 },
		{ "1,2,3,0,w,o, 1,0,,", -EINVAL, 0, 0 },
		{ "1,2,3,0,w,o,,0,,", -EINVAL, 0, 0 },
		{ "1,2,3,-1,w,o,5,0,,", 0, 5, -1 },
		{ "1,2,3,-2147483648,w,o,5,0,,", 0, 5, INT32_MIN },
		{ "1,2,3,2147483647,w,o,5,0,,", 0, 5, INT32_MAX },
		{ "1,2,3,-2147483649,w,o,5,0,,", -EINVAL, 0, 0 },
		{ "1,2,3,2147483648,w,o,5,0,,", -EINVAL, 0, 0 },
		{ "1,2,3,-,w,o,5,0,,", -EINVAL, 0, 0 },
		{ "1,2,3,--1,w,o,5,0,,", -EINVAL, 0, 0 },
		{ "1,2,3,-0,w,o,5,0,,", 0, 5, 0 },
		{ "1,4294967295,3,0,w,o,5,0,,", 0, 5, 0 },
		{ "1,4294967296,3,0,w,o,5,0,,", -EINVAL, 0, 0 },
		{ "1,-1,3,0,w,o,5,0,,", -EINVAL, 0, 0 },
		{ "1,2,3,,w,o,5,,,", 0, 5, -1 },
		{ "1,2,3,0,,o,5,0,,", -EINVAL, 0, 0 },
		{ "1,2,3,0,w,o,5,0,,\"a,\"\"b\"", 0, 5, 0 },
		{ "1,2,3,0,w,o,5,0,,\"open", -EINVAL, 0, 0 },
		{ "1,2,3,0,\"w\",o,5,0,,", 0, 5, 0 },
		{ "1,2,3,0,w,o,5,0", -EINVAL, 0, 0 },
		{ "1,2,3,0,w,o,5,0,,,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
		  "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1", 0, 5, 0 },	/* 64 fields */
		{ "1,2,3,0,w,o,5,0,,,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
		  "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1", -EINVAL, 0, 0 },
	};
	struct one x, l;
	char msg[512];

	mk("edges", "--n 10");
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int ret = read_one(c[i].row, &x, &l, msg, sizeof(msg));

		if (ret != c[i].ret || (ret == 0 && (x.n != 1 || l.n != 1 || x.lat != c[i].lat ||
		    l.lat != c[i].lat || x.node != c[i].node || l.node != c[i].node ||
		    x.worker != 3 || strcmp(x.wl, "w") || strcmp(l.op, "o") || x.have_src0))) {
			printf("not ok: edge row %zu \"%.60s\": ret %d lat %" PRIu64 " node %d (%s)\n",
			       i, c[i].row, ret, x.lat, x.node, msg);
			failures++;
		}
	}
	/* a source cell's value and its presence */
	CHECK(read_one("1,2,3,0,w,o,5,9,17,", &x, &l, msg, sizeof(msg)) == 0 &&
	      x.rounds == 9 && l.rounds == 9 && x.src0 == 17 && x.have_src0 && x.tid == 2);
}

/* The bytes of work/dir/name, malloc'd, in *len. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
	char p[4096];
	FILE *f;
	char *b;
	long n;

	snprintf(p, sizeof(p), "%s/%s/%s", work, dir, name);
	f = fopen(p, "r");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(b = malloc((size_t)n + 1)) || fread(b, 1, (size_t)n, f) != (size_t)n) {
		printf("not ok: reading %s\n", p);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Writes text[0..n) to dir/name through rfile in mode, in pieces of 1000 bytes. */
static void rf_write(const char *dir, const char *name, const char *text, size_t n,
		     enum rf_mode mode, uint64_t above)
{
	struct rfile *f;
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", work, dir);
	CHECK(rf_open(p, name, mode, above, &f) == 0);
	for (size_t off = 0; off < n; off += 1000) {
		fwrite(text + off, 1, n - off < 1000 ? n - off : 1000, rf_stream(f));
		CHECK(rf_flush(f, off % 7000 == 0) == 0);
	}
	CHECK(rf_close(f, true) == 0);
	rf_free(f);
}

static int exists(const char *dir, const char *name)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s/%s", work, dir, name);
	return access(p, F_OK) == 0;
}

static int count_tail_op(void *arg, const struct rr_op *op)
{
	(void)op;
	(*(uint64_t *)arg)++;
	return 0;
}

static void test_zstd(void)
{
	struct rr_csv_stats st;
	struct seen s;
	char msg[512], p[4096];
	size_t n, zn;
	char *csv, *z;

	mk("zst", "--n 1000");
	csv = slurp("zst", "ops.csv", &n);
	/* compressed from the start */
	rf_write("zst", "ops.csv", csv, n, RF_ZSTD, 0);
	snprintf(p, sizeof(p), "%s/zst/ops.csv", work);
	unlink(p);
	CHECK(read_ops("zst", 0, &s, &st, msg, sizeof(msg)) == 0);
	CHECK(s.rows == 4000 && st.bad_rows == 0 && !st.truncated && s.alloc_rows == 1000);
	/* cut inside the frame: refused, or the rows before the cut */
	z = slurp("zst", "ops.csv.zst", &zn);
	snprintf(p, sizeof(p), "%s/zst/ops.csv.zst", work);
	CHECK(truncate(p, (off_t)(zn - 3)) == 0);
	CHECK(read_ops("zst", 0, &s, &st, msg, sizeof(msg)) == -EINVAL && strstr(msg, "ends early"));
	CHECK(read_ops("zst", RR_ALLOW_INCOMPLETE, &s, &st, msg, sizeof(msg)) == 0);
	CHECK(s.rows > 3000 && s.rows <= 4000 && st.truncated);
	free(z);
	/* auto: plain until 50000 bytes, then ops.csv.zst replaces it */
	unlink(p);
	rf_write("zst", "ops.csv", csv, n, RF_AUTO, 50000);
	CHECK(!exists("zst", "ops.csv") && exists("zst", "ops.csv.zst"));
	CHECK(read_ops("zst", 0, &s, &st, msg, sizeof(msg)) == 0 && s.rows == 4000);
	unlink(p);
	/* a tail on the plain file (cut mid-line) goes on in the .zst */
	for (int cut = 0; cut < 2; cut++) {
		struct rr_tail *t;
		struct rr_tail_fns fns = { .op = count_tail_op };
		struct rr_dir d;
		uint64_t rows = 0, first;
		size_t k = n / 3 + (cut ? 17 : 0);

		while (!cut && csv[k - 1] != '\n')
			k++;
		write_file("zst", "ops.csv", "");
		snprintf(p, sizeof(p), "%s/zst/ops.csv", work);
		{
			FILE *f = fopen(p, "w");

			CHECK(f && fwrite(csv, 1, k, f) == k && fclose(f) == 0);
		}
		snprintf(p, sizeof(p), "%s/zst", work);
		CHECK(rr_open(p, RR_ALLOW_INCOMPLETE, &d, msg, sizeof(msg)) == 0);
		CHECK(rr_tail_new(&d, RR_OPS, &t) == 0);
		CHECK(rr_tail_poll(t, &fns, &rows, msg, sizeof(msg)) == 0);
		first = rows;
		CHECK(first > 1000 && first < 2000);
		rf_write("zst", "ops.csv.tmp", csv, n, RF_ZSTD, 0);
		snprintf(p, sizeof(p), "%s/zst/ops.csv.tmp.zst", work);
		{
			char q[4096];

			snprintf(q, sizeof(q), "%s/zst/ops.csv.zst", work);
			CHECK(rename(p, q) == 0);
			snprintf(q, sizeof(q), "%s/zst/ops.csv", work);
			CHECK(unlink(q) == 0);
		}
		CHECK(rr_tail_poll(t, &fns, &rows, msg, sizeof(msg)) == 0);
		printf("# tail (cut %s): %llu rows from ops.csv, %llu from ops.csv.zst\n",
		       cut ? "mid-line" : "at a line end", (unsigned long long)first,
		       (unsigned long long)(rows - first));
		CHECK(rows == 4000 && rr_tail_stats(t)->bad_rows == 0);
		rr_tail_free(t);
		rr_close(&d);
		snprintf(p, sizeof(p), "%s/zst/ops.csv.zst", work);
		unlink(p);
	}
	free(csv);
}

static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* One row of each file with every column set, written by the runner's own
 * writers (rr_write_op, rr_write_stall) and read back: each value comes back
 * in its field, so a column the writer and the reader name or order
 * differently, or one the reader drops, goes red here. */
static const struct rr_op rt_op = {
	.t_start_ns = 1234567890123ull, .latency_ns = 8210000000ull, .stall_ns = 16000000,
	.reclaim_rounds = 69, .src = { 11, 22, 33, 7, 44, 55, 66 },
	.have_src = { true, true, true, true, true, true, true },
	.bytes = 41943040, .kernel_ns = 8200000000ull, .tid = 4242, .worker = 3, .node = 1,
	.landed_node = 0, .flags = (1u << SB_OPF_NR) - 1,	/* every flag name */
	.have_sched = true, .cpu_ns = 2100000000ull, .runq_ns = 70000000,
	.workload = "vmalloc-nofail", .op = "alloc", .err = "ENOMEM",
};

static int rt_check_op(void *arg, const struct rr_op *o)
{
	int *n = arg;

	(*n)++;
	CHECK(o->t_start_ns == rt_op.t_start_ns && o->latency_ns == rt_op.latency_ns);
	CHECK(o->stall_ns == rt_op.stall_ns && o->reclaim_rounds == rt_op.reclaim_rounds);
	for (int k = 0; k < RSRC_NR; k++)
		CHECK(o->have_src[k] && o->src[k] == rt_op.src[k]);
	CHECK(o->bytes == rt_op.bytes && o->kernel_ns == rt_op.kernel_ns);
	CHECK(o->tid == rt_op.tid && o->worker == rt_op.worker && o->node == rt_op.node);
	CHECK(o->landed_node == rt_op.landed_node && o->flags == rt_op.flags);
	CHECK(o->have_sched && o->cpu_ns == rt_op.cpu_ns && o->runq_ns == rt_op.runq_ns);
	CHECK(!strcmp(o->workload, rt_op.workload) && !strcmp(o->op, rt_op.op));
	CHECK(!strcmp(o->err, rt_op.err));
	return 0;
}

static int rt_check_stall(void *arg, const struct rr_stall *st)
{
	int *n = arg;

	(*n)++;
	CHECK(st->t_start_ns == 99 && st->duration_ns == 12345 && st->tid == 4242);
	CHECK(st->cpu == 1 && st->kind == RR_STALL_MEMCG_SOFT && st->nr_reclaimed == 32);
	CHECK(st->order == 0 && !strcmp(st->gfp, "GFP_KERNEL|__GFP_NOFAIL"));
	CHECK(!strcmp(st->scope, "system") && !strcmp(st->note, "unpaired"));
	CHECK(!strcmp(st->reason, "writeback"));
	return 0;
}

static int rt_check_empty(void *arg, const struct rr_op *o)
{
	int *n = arg;

	(*n)++;
	for (int k = 0; k < RSRC_NR; k++)
		CHECK(!o->have_src[k] && o->src[k] == 0);
	CHECK(!o->have_sched && o->cpu_ns == 0 && o->runq_ns == 0);
	CHECK(o->flags == 0 && !strcmp(o->err, ""));
	return 0;
}

static void test_roundtrip(void)
{
	struct rr_dir d;
	struct rr_csv_stats st;
	char msg[512], p[4096];
	int nops = 0, nstalls = 0;
	FILE *f;

	mk("rt", "--n 1");
	path(p, sizeof(p), "rt/ops.csv");
	f = fopen(p, "w");
	rr_ops_header(f);
	rr_write_op(f, &rt_op);
	fclose(f);
	path(p, sizeof(p), "rt/stalls.csv");
	f = fopen(p, "w");
	rr_stalls_header(f);
	rr_write_stall(f, &(struct rr_stall){ .t_start_ns = 99, .duration_ns = 12345,
			.tid = 4242, .cpu = 1, .kind_name = "memcg_softlimit", .nr_reclaimed = 32,
			.order = 0, .gfp = "GFP_KERNEL|__GFP_NOFAIL", .scope = "system",
			.note = "unpaired", .reason = "writeback" });
	fclose(f);
	path(p, sizeof(p), "rt");
	CHECK(rr_open(p, 0, &d, msg, sizeof(msg)) == 0);
	CHECK(rr_read_ops(&d, rt_check_op, &nops, &st, msg, sizeof(msg)) == 0);
	CHECK(rr_read_stalls(&d, rt_check_stall, &nstalls, &st, msg, sizeof(msg)) == 0);
	rr_close(&d);
	CHECK(nops == 1 && nstalls == 1);
	/* without have_src/have_sched the cells are empty and read back as unknown */
	path(p, sizeof(p), "rt/ops.csv");
	f = fopen(p, "w");
	rr_ops_header(f);
	rr_write_op(f, &(struct rr_op){ .t_start_ns = 1, .latency_ns = 2, .workload = "w",
				       .op = "o", .err = "" });
	fclose(f);
	{
		char *csv;
		size_t n;

		csv = slurp("rt", "ops.csv", &n);
		/* the header pinned: a renamed column would leave older results
		 * reading as defaults */
		CHECK(csv && strncmp(csv, "t_start_ns,tid,worker,node,workload,op,latency_ns,errno,"
			"stall_ns,reclaim_rounds,bytes,kernel_ns,flags,landed_node,rounds_direct,"
			"rounds_memcg,rounds_reclaim_retry,rounds_compact_retry,rounds_compaction,"
			"rounds_throttle,nofail_allocs,cpu_ns,runq_ns\n", 246) == 0);
		CHECK(csv && strstr(csv, "\n1,0,0,0,w,o,2,0,0,0,0,0,,0,,,,,,,,,\n"));
		free(csv);
	}
	nops = 0;
	path(p, sizeof(p), "rt");
	CHECK(rr_open(p, 0, &d, msg, sizeof(msg)) == 0);
	CHECK(rr_read_ops(&d, rt_check_empty, &nops, &st, msg, sizeof(msg)) == 0 && nops == 1);
	rr_close(&d);
	{
		char *csv;
		size_t n;

		path(p, sizeof(p), "rt/stalls.csv");
		f = fopen(p, "w");
		rr_stalls_header(f);
		fclose(f);
		csv = slurp("rt", "stalls.csv", &n);
		CHECK(csv && n == 77 && !memcmp(csv, "t_start_ns,tid,cpu,kind,duration_ns,"
						   "nr_reclaimed,order,gfp,scope,note,reason\n", n));
		free(csv);
	}
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
	test_fast_edges();
	test_zstd();
	test_roundtrip();
	test_flat_memory();
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
