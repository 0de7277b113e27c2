/*
 * Comparison of runs, part 1b: the spill. A later pass (compare_pass.c)
 * needs every finished op's latency, rounds and node again, and every
 * stall's duration, and reading them from ops.csv and stalls.csv again
 * costs what pass 1 cost (zstd, the CSV parse). Once a selector has dropped
 * values it will need (qs_spec_lost: the distribution moved during the run,
 * or the budget is spent) or the reader asks for ranks pass 1 never keeps
 * (plot's CDF), pass 1 writes those numbers of each row from that row on to
 * an unlinked temporary file (one for ops, one for stalls), ~6 bytes a row;
 * a later pass reads the rows before that one from the CSV and the rest
 * from the spill.
 * The spill is page cache, not the reader's memory; where it cannot be
 * written (no temporary directory, a full disk, the file-size limit: the
 * commands ignore SIGXFSZ) it is lost, at the latest when a repetition
 * ends, and the later passes read the CSV, as without it.
 */
#include "compare.h"
#include "compare_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPILL_BUF	(256u << 10)
#define SPILL_REC_MAX	(10 + 1 + 10 + 10)	/* index, slot, value, aux: see cmp_spill_row */

struct cmp_spill {
	bool lost;		/* could not be written: the later passes read the CSV */
	int fd;
	unsigned char *buf;
	size_t n;		/* bytes in buf not written yet */
	uint64_t size;		/* bytes written to fd */
	int dir0;		/* the repetition the spill starts in ... */
	uint64_t row0;		/* ... and its rows (callbacks) before it, read from ops.csv */
	uint64_t *end;		/* end[d - dir0]: the spill's size after repetition d */
	int nend;
};

/* An unlinked file in $TMPDIR, else /var/tmp (on disk where /tmp may be memory). */
static int spill_file(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/var/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	if ((size_t)snprintf(path, sizeof(path), "%s/stallbench-spill.XXXXXX", dir) >= sizeof(path))
		return -1;
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* what cmp_spill_start gives when it cannot even allocate: a lost spill */
static struct cmp_spill no_spill = { .lost = true, .fd = -1 };

/* The spill cannot be kept: its file and memory go, and a later pass reads
 * the CSV for every repetition. */
static void spill_lose(struct cmp_spill *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	free(s->end);
	s->fd = -1;
	s->buf = NULL;
	s->end = NULL;
	s->lost = true;
}

void cmp_spill_free(struct cmp_spill *s)
{
	if (!s || s == &no_spill)
		return;
	spill_lose(s);
	free(s);
}

struct cmp_spill *cmp_spill_start(int dir, uint64_t row)
{
	struct cmp_spill *s = calloc(1, sizeof(*s));

	if (!s)
		return &no_spill;
	s->dir0 = dir;
	s->row0 = row;
	s->buf = malloc(SPILL_BUF);
	s->fd = s->buf ? spill_file() : -1;
	if (s->fd < 0)
		spill_lose(s);
	return s;
}

static int spill_flush(struct cmp_spill *s)
{
	size_t off = 0;

	while (off < s->n) {
		ssize_t w = write(s->fd, s->buf + off, s->n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	s->size += s->n;
	s->n = 0;
	return 0;
}

static inline unsigned char *put_var(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

void cmp_spill_row(struct cmp_spill *s, size_t idx, int slot, uint64_t val, uint64_t aux)
{
	unsigned char *p;

	if (s->lost)
		return;
	if (s->n > SPILL_BUF - SPILL_REC_MAX && spill_flush(s) < 0) {
		spill_lose(s);
		return;
	}
	p = put_var(s->buf + s->n, idx);
	*p++ = (unsigned char)(slot + 1);	/* -1 (no slot) .. CMP_MAX_NODES - 1 */
	p = put_var(p, val);
	p = put_var(p, aux);
	s->n = (size_t)(p - s->buf);
}

void cmp_spill_dir_end(struct cmp_spill *s, int dir)
{
	uint64_t *e;

	if (s->lost)
		return;
	/* written now, while a failure can still lose the spill (the later
	 * passes then read the CSV): a replay cannot */
	if (dir - s->dir0 != s->nend || spill_flush(s) < 0 ||
	    !(e = realloc(s->end, (size_t)(s->nend + 1) * sizeof(*e)))) {
		spill_lose(s);
		return;
	}
	s->end = e;
	e[s->nend++] = s->size;
}

bool cmp_spill_csv(const struct cmp_spill *s, int dir, uint64_t *stop)
{
	*stop = 0;
	if (!s || s->lost || dir < s->dir0)
		return true;
	if (dir > s->dir0)
		return false;
	*stop = s->row0;
	return s->row0 != 0;
}

static inline const unsigned char *get_var(const unsigned char *p, uint64_t *v)
{
	uint64_t x = 0;
	int sh = 0;

	while (*p & 0x80) {
		x |= (uint64_t)(*p++ & 0x7f) << sh;
		sh += 7;
	}
	*v = x | (uint64_t)*p++ << sh;
	return p;
}

int cmp_spill_replay(struct cmp_spill *s, int dir,
		     void (*fn)(void *arg, size_t idx, int slot, uint64_t val, uint64_t aux),
		     void *arg)
{
	uint64_t off, end;
	size_t have = 0;

	if (!s || s->lost || dir < s->dir0)
		return 0;	/* cmp_spill_csv read them all */
	if (dir - s->dir0 >= s->nend || s->n)
		return -EIO;	/* (cmp_spill_dir_end wrote every row) */
	off = dir == s->dir0 ? 0 : s->end[dir - s->dir0 - 1];
	end = s->end[dir - s->dir0];
	while (off < end || have) {
		size_t want = SPILL_BUF - have, pos = 0;
		ssize_t got = 0;

		if (want > end - off)
			want = (size_t)(end - off);
		while (want && (got = pread(s->fd, s->buf + have, want, (off_t)off)) < 0 &&
		       errno == EINTR)
			;
		if (got < 0 || (want && got == 0))
			return -EIO;
		off += (uint64_t)got;
		have += (size_t)got;
		/* whole records only: one may straddle the end of what was read */
		while (have - pos >= SPILL_REC_MAX || (off == end && pos < have)) {
			const unsigned char *p = s->buf + pos;
			uint64_t idx, val, aux;
			int slot;

			p = get_var(p, &idx);
			slot = (int)*p++ - 1;
			p = get_var(p, &val);
			p = get_var(p, &aux);
			pos = (size_t)(p - s->buf);
			if (pos > have)
				return -EIO;
			fn(arg, (size_t)idx, slot, val, aux);
		}
		memmove(s->buf, s->buf + pos, have - pos);
		have -= pos;
		if (off == end && have)
			return -EIO;
	}
	return 0;
}
