/*
 * ops.csv.zst in the shapes zstd allows, read as the plain text reads
 * (every field of every row hashed, in order, by rr_read_ops and by
 * compare's rr_read_ops_lean), in frames made here:
 *  - one frame, 1 MiB window, long-distance matching on a text whose every
 *    960 KiB comes twice, so blocks copy from the window's far end;
 *  - one frame with an 8 MiB window;
 *  - five frames of 1 KiB to 4 MiB windows cut mid-line (a line spans two
 *    frames), a skippable frame among them;
 *  - rows with a quoted cell every 997 (split the strict way);
 *  - a frame cut short: refused ("ends early"), or its rows up to the cut.
 * (Written for a reader that decoded into its line buffer as zstd's window,
 * which went red on a ring an eighth short of the window, a byte written
 * into the window, a quoted row split in place; that reader saved ~1% of a
 * zstd compare's CPU and was not kept. The streaming reader passes it.)
 * Usage: test_zring GEN_RESULT WORKDIR. Exit 0/1.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "resread.h"

static int failures;
static const char *work;

#define CHECK(cond) do { if (!(cond)) { printf("not ok line %d: %s\n", __LINE__, #cond); \
	failures++; } } while (0)

struct digest {
	uint64_t rows, h;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static uint64_t mixs(uint64_t h, const char *s)
{
	while (*s)
		h = mix(h, (unsigned char)*s++);
	return mix(h, 0xff);
}

/* the fields rr_read_ops_lean sets (the lean pass may leave the others) */
static int dig_op(void *arg, const struct rr_op *op)
{
	struct digest *d = arg;
	uint64_t h = d->h;

	h = mix(h, op->latency_ns);
	h = mix(h, op->stall_ns);
	h = mix(h, op->reclaim_rounds);
	h = mix(h, (uint64_t)op->node);
	h = mix(h, op->flags);
	h = mix(h, op->have_sched ? op->cpu_ns + 3 * op->runq_ns : 7);
	h = mixs(h, op->workload);
	h = mixs(h, op->op);
	d->h = mixs(h, op->err);
	d->rows++;
	return 0;
}

static int dig_op_full(void *arg, const struct rr_op *op)
{
	struct digest *d = arg;

	d->h = mix(d->h, op->t_start_ns);
	d->h = mix(d->h, op->bytes);
	d->h = mix(d->h, op->tid);
	d->h = mix(d->h, (uint64_t)op->landed_node);
	return dig_op(arg, op);
}

/* both passes of dir: 0 and the two digests, or the first error */
static int digest(const char *name, unsigned int flags, struct digest *full, struct digest *lean,
		  char *msg, size_t len)
{
	char p[4096];
	struct rr_dir d;
	struct rr_csv_stats st;
	int ret;

	memset(full, 0, sizeof(*full));
	memset(lean, 0, sizeof(*lean));
	snprintf(p, sizeof(p), "%s/%s", work, name);
	ret = rr_open(p, flags, &d, msg, len);
	if (ret < 0)
		return ret;
	ret = rr_read_ops(&d, dig_op_full, full, &st, msg, len);
	if (!ret)
		ret = rr_read_ops_lean(&d, dig_op, lean, &st, msg, len);
	rr_close(&d);
	return ret;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		exit((printf("not ok: cannot read %s\n", path), 1));
	b = malloc((size_t)len + 1);
	if (!b || fread(b, 1, (size_t)len, f) != (size_t)len)
		exit((printf("not ok: cannot read %s\n", path), 1));
	fclose(f);
	*n = (size_t)len;
	return b;
}

static void put(const char *name, const char *file, const void *b, size_t n)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s/%s", work, name, file);
	f = fopen(p, "wb");
	if (!f || fwrite(b, 1, n, f) != n || fclose(f))
		exit((printf("not ok: cannot write %s\n", p), 1));
}

/* a result dir NAME: meta.json and summary.json of the generated run */
static void mkdir_like(const char *name)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s' && mkdir '%s/%s' && cp '%s/gen/meta.json' "
		 "'%s/gen/summary.json' '%s/%s/'", work, name, work, name, work, work, work, name);
	if (system(cmd))
		exit((printf("not ok: %s\n", cmd), 1));
}

/* one frame of text[0..n) at windowLog wlog (LDM on when ldm) appended to *z */
static void frame(char **z, size_t *zn, const char *text, size_t n, int wlog, int ldm)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(n), r;

	*z = realloc(*z, *zn + cap);
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, wlog);
	ZSTD_CCtx_setParameter(c, ZSTD_c_enableLongDistanceMatching, ldm);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0);	/* as a stream writes it */
	r = ZSTD_compress2(c, *z + *zn, cap, text, n);
	if (ZSTD_isError(r))
		exit((printf("not ok: compress: %s\n", ZSTD_getErrorName(r)), 1));
	*zn += r;
	ZSTD_freeCCtx(c);
}

/* the case NAME (text as zstd in z) reads what the plain text reads */
static void same(const char *name, const char *text, size_t n, const char *z, size_t zn)
{
	struct digest pf, pl, zf, zl;
	char msg[512];

	mkdir_like("plain");
	put("plain", "ops.csv", text, n);
	CHECK(digest("plain", 0, &pf, &pl, msg, sizeof(msg)) == 0);
	mkdir_like(name);
	put(name, "ops.csv.zst", z, zn);
	if (digest(name, 0, &zf, &zl, msg, sizeof(msg)) != 0) {
		printf("not ok: %s: %s\n", name, msg);
		failures++;
		return;
	}
	printf("# %s: %" PRIu64 " rows from %zu bytes in %zu\n", name, zf.rows, n, zn);
	CHECK(pf.rows > 200000 && zf.rows == pf.rows && zl.rows == pl.rows);
	CHECK(zf.h == pf.h);
	CHECK(zl.h == pl.h);
	if (zf.h != pf.h || zl.h != pl.h)
		printf("not ok: %s reads other rows than the plain file\n", name);
}

int main(int argc, char **argv)
{
	char cmd[8192], p[4096], msg[512];
	char *gen, *z = NULL, *text, *q;
	size_t n, zn = 0, hdr, qn;
	struct digest f, l;

	if (argc != 3) {
		fprintf(stderr, "usage: test_zring GEN_RESULT WORKDIR\n");
		return 2;
	}
	work = argv[2];
	mkdir(work, 0755);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/gen' && '%s' '%s/gen' --n 30000 > /dev/null",
		 work, argv[1], work);
	if (system(cmd))
		return printf("not ok: %s\n", cmd), 1;
	snprintf(p, sizeof(p), "%s/gen/ops.csv", work);
	gen = slurp(p, &n);
	hdr = (size_t)(strchr(gen, '\n') - gen) + 1;

	/* each run of rows 960 KiB long twice: the second copy is one long match
	 * 960 KiB back, near the far end of a 1 MiB window, across the wraps */
	text = malloc(2 * n);
	memcpy(text, gen, hdr);
	{
		size_t i = hdr, o = hdr;

		while (i < n) {
			size_t e = i + 960 * 1024 < n ? i + 960 * 1024 : n;

			while (e < n && gen[e - 1] != '\n')
				e++;
			memcpy(text + o, gen + i, e - i);
			memcpy(text + o + (e - i), gen + i, e - i);
			o += 2 * (e - i);
			i = e;
		}
		n = o;
	}
	frame(&z, &zn, text, n, 20, 1);
	same("w1m-ldm", text, n, z, zn);
	zn = 0;
	frame(&z, &zn, text, n, 23, 1);
	same("w8m-ldm", text, n, z, zn);

	/* five frames cut mid-line, windows 1 KiB .. 4 MiB, a skippable frame after the second */
	zn = 0;
	{
		static const int wl[] = { 10, 22, 12, 20, 17 };
		size_t at = 0, cut;

		for (int i = 0; i < 5; i++) {
			cut = i == 4 ? n : at + n / 5 + 37;
			frame(&z, &zn, text + at, cut - at, wl[i], 0);
			if (i == 1) {
				static const unsigned char skip[] = { 0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0,
								      's', 'b', '!', '\n' };

				z = realloc(z, zn + sizeof(skip));
				memcpy(z + zn, skip, sizeof(skip));
				zn += sizeof(skip);
			}
			at = cut;
		}
	}
	same("frames", text, n, z, zn);

	/* a quoted workload cell every 997 rows: those go the strict way */
	q = malloc(2 * n);
	qn = 0;
	{
		size_t row = 0, i = 0;

		memcpy(q, text, hdr);
		qn = hdr;
		for (i = hdr; i < n; row++) {
			size_t e = (size_t)(strchr(text + i, '\n') - text) + 1;

			if (row % 997 == 0) {
				/* t_start_ns,tid,worker,node,workload,... : quote field 5 */
				const char *c = text + i;
				int commas = 0;

				while (commas < 4)
					q[qn++] = *c, commas += *c++ == ',';
				q[qn++] = '"';
				while (*c != ',')
					q[qn++] = *c++;
				q[qn++] = '"';
				memcpy(q + qn, c, (size_t)(text + e - c));
				qn += (size_t)(text + e - c);
			} else {
				memcpy(q + qn, text + i, e - i);
				qn += e - i;
			}
			i = e;
		}
	}
	zn = 0;
	frame(&z, &zn, q, qn, 20, 1);
	same("quoted", q, qn, z, zn);

	/* cut inside the frame */
	zn = 0;
	frame(&z, &zn, text, n, 20, 0);
	mkdir_like("cut");
	put("cut", "ops.csv.zst", z, zn - 1000);
	CHECK(digest("cut", 0, &f, &l, msg, sizeof(msg)) == -EINVAL && strstr(msg, "ends early"));
	CHECK(digest("cut", RR_ALLOW_INCOMPLETE, &f, &l, msg, sizeof(msg)) == 0);
	CHECK(f.rows > 200000 && f.rows == l.rows);
	printf("# cut 1000 bytes short: %" PRIu64 " rows read with --allow-incomplete\n", f.rows);
	free(gen);
	free(text);
	free(q);
	free(z);
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
