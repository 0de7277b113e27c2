/*
 * The result reader's CSV engine: one fixed buffer per file, lines split
 * in place (no allocation per row), NAME.csv.zst decoded on the way in,
 * numbers parsed strictly, and the one loop that pumps decoded rows into a
 * callback. ops.csv can hold tens of millions of rows: report, compare and
 * plot read it in flat memory.
 */
#include "resread_impl.h"
#include "rscan.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* read(2) on what the zstd stream decodes to. */
static ssize_t zread(struct csvr *r, char *dst, size_t cap)
{
	ZSTD_outBuffer o = { dst, cap, 0 };

	for (;;) {
		if (r->zin_pos < r->zin_len || r->zfull) {
			ZSTD_inBuffer in = { r->zin, r->zin_len, r->zin_pos };
			size_t ret = ZSTD_decompressStream(r->z, &o, &in);

			r->zin_pos = in.pos;
			if (ZSTD_isError(ret)) {
				errno = EBADMSG;
				return -1;
			}
			r->zleft = ret;
			r->zfull = o.pos == o.size;
			if (o.pos)
				return (ssize_t)o.pos;
			if (r->zin_pos < r->zin_len)
				continue;
		}
		ssize_t n = read(r->fd, r->zin, RR_ZIN_SIZE);

		if (n < 0)
			return -1;
		if (n == 0) {
			r->ztrunc = r->zleft != 0;
			return 0;
		}
		r->zin_pos = 0;
		r->zin_len = (size_t)n;
	}
}

/* read(2) on the file, or on what its zstd stream decodes to. */
static ssize_t src_read(struct csvr *r, char *dst, size_t cap)
{
	if (!r->z)
		return read(r->fd, dst, cap);
	while (r->zskip) {
		ssize_t n = zread(r, dst, r->zskip < cap ? (size_t)r->zskip : cap);

		if (n <= 0)
			return n;
		r->zskip -= (uint64_t)n;
	}
	return zread(r, dst, cap);
}

/*
 * Next line, NUL-terminated in place, in *line. Returns 1 with a line, 0 at
 * end of file, -E2BIG for an over-long line (skipped), -EPIPE for a last line
 * without newline (still returned in *line), or -errno on a read error.
 */
static int csv_next(struct csvr *r, char **line)
{
	for (;;) {
		char *s = r->buf + r->start;
		size_t avail = r->end - r->start;
		char *nl = avail ? memchr(s, '\n', avail) : NULL;
		ssize_t n;

		if (nl) {
			r->start += (size_t)(nl - s) + 1;
			r->lineno++;
			if (r->skipping) {
				r->skipping = false;
				return -E2BIG;
			}
			if (nl > s && nl[-1] == '\r')
				nl--;
			*nl = '\0';
			if ((size_t)(nl - s) >= RR_MAX_LINE)
				return -E2BIG;
			*line = s;
			r->linelen = (size_t)(nl - s);
			return 1;
		}
		if (r->skipping || avail >= RR_MAX_LINE) {
			/* Drop the over-long line's bytes and keep reading. */
			r->skipping = true;
			r->start = r->end = 0;
			avail = 0;
		}
		if (r->eof) {
			if (r->follow)
				return 0;	/* the rest comes with the next poll */
			if (r->skipping) {
				r->skipping = false;
				r->lineno++;
				return -E2BIG;
			}
			if (!avail)
				return 0;
			r->lineno++;
			r->buf[r->end] = '\0';
			r->start = r->end;
			*line = s;
			r->linelen = avail;
			return -EPIPE;
		}
		if (r->start) {
			memmove(r->buf, s, avail);
			r->start = 0;
			r->end = avail;
		}
		n = src_read(r, r->buf + r->end, RR_BUF_SIZE - 1 - r->end);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			r->eof = true;
		r->end += (size_t)n;
	}
}

/*
 * A line without quotes (every row the runner writes): its commas found 16
 * bytes at a time where SSE2 is there (x86-64 always), since this runs for
 * each of tens of millions of rows. The last block reads past the line into
 * the buffer's slack (RR_BUF_SLACK) and ignores what it finds there.
 */
static int split_plain(struct csvr *r, char *line, size_t len)
{
	char **f = r->f, *p = line, *end = line + len;
	bool cut = r->maxf && r->maxf < RR_MAX_FIELDS;	/* stop early: not a limit hit */
	int nf = 1, lim = cut ? r->maxf + 1 : RR_MAX_FIELDS;

	f[0] = line;
#ifdef __SSE2__
	const __m128i comma = _mm_set1_epi8(',');

	for (; p < end; p += 16) {
		unsigned int m = (unsigned int)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(void *)p), comma));

		if (end - p < 16)
			m &= (1u << (end - p)) - 1;
		while (m) {
			unsigned int b = (unsigned int)__builtin_ctz(m);

			m &= m - 1;
			if (nf == lim)
				goto full;
			p[b] = '\0';
			f[nf++] = p + b + 1;
		}
	}
#else
	for (; p < end; p++) {
		if (*p != ',')
			continue;
		if (nf == lim)
			goto full;
		*p = '\0';
		f[nf++] = p + 1;
	}
#endif
	r->nf = nf;
	return 0;
full:
	r->nf = nf;
	return cut ? 0 : -E2BIG;	/* cut: the rest is not read */
}

/* Splits line in place at commas; honours "quoted" fields with "" escapes. */
static int csv_split(struct csvr *r, char *line)
{
	char *p = line;

	if (!memchr(line, '"', r->linelen))
		return split_plain(r, line, r->linelen);
	r->nf = 0;
	for (;;) {
		char *out;

		if (r->nf == RR_MAX_FIELDS)
			return -E2BIG;
		if (*p == '"') {
			out = ++p;
			r->f[r->nf++] = out;
			for (;;) {
				if (*p == '\0')
					return -EINVAL;	/* unterminated quote */
				if (*p == '"') {
					if (p[1] == '"') {
						*out++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*out++ = *p++;
			}
			if (*p != ',' && *p != '\0')
				return -EINVAL;
			*out = '\0';
		} else {
			r->f[r->nf++] = p;
			while (*p && *p != ',')	/* fields are short: cheaper than strcspn */
				p++;
		}
		if (*p == '\0')
			return 0;
		*p++ = '\0';
	}
}

/* Decimal digits only, no sign, no blanks, no overflow: 0 or -EINVAL.
 * Hand-rolled: this runs once per field of every row (strtoull's locale and
 * errno handling cost more than the whole rest of a row). */
int rr_parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	const char *p = s;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	/* 19 digits cannot overflow: no check per digit (the usual case) */
	for (; *p >= '0' && *p <= '9' && p - s < 19; p++)
		x = x * 10 + (uint64_t)(*p - '0');
	if (!*p) {
		*v = x;
		return 0;
	}
	for (x = 0; *s >= '0' && *s <= '9'; s++) {
		unsigned int dg = (unsigned int)(*s - '0');

		if (x > (UINT64_MAX - dg) / 10)
			return -EINVAL;
		x = x * 10 + dg;
	}
	if (*s)
		return -EINVAL;
	*v = x;
	return 0;
}

int rr_parse_i64(const char *s, int64_t *v)
{
	uint64_t x;
	bool neg = *s == '-';

	if (rr_parse_u64(s + neg, &x) < 0)
		return -EINVAL;
	if (neg ? x > (uint64_t)INT64_MAX + 1 : x > (uint64_t)INT64_MAX)
		return -EINVAL;
	*v = neg ? (int64_t)(0 - x) : (int64_t)x;
	return 0;
}

int rr_parse_i32(const char *s, int32_t *v)
{
	int64_t x;

	if (rr_parse_i64(s, &x) < 0 || x < INT32_MIN || x > INT32_MAX)
		return -EINVAL;
	*v = (int32_t)x;
	return 0;
}



/* Opens and maps the header. 0, -ENOENT (absent), -EAGAIN (following a
 * file whose header is not written yet), or -errno with msg set. */
int rr_pass_open(struct csvpass *p, const struct rr_dir *d, const char *file,
		     const struct colspec *cols, int ncols, bool follow, char *msg, size_t len)
{
	char path[4200];
	char *line;
	int ret, i, j;

	memset(p, 0, sizeof(*p));
	p->d = d;
	p->file = file;
	p->cols = cols;
	p->ncols = ncols;
	p->msg = msg;
	p->len = len;
	p->r.fd = -1;
	p->r.follow = follow;
	/* NAME.zst first: while the driver moves a grown file to zstd, both exist
	 * for a moment, with the same rows */
	snprintf(path, sizeof(path), "%s/%s.zst", d->path, file);
	p->r.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->r.fd >= 0) {
		snprintf(p->zname, sizeof(p->zname), "%s.zst", file);
		p->file = p->zname;
		p->r.z = ZSTD_createDCtx();
		p->r.zin = malloc(RR_ZIN_SIZE);
		if (!p->r.z || !p->r.zin) {
			rr_setmsg(msg, len, "%s: %s: out of memory", d->path, p->file);
			return -ENOMEM;
		}
	} else {
		snprintf(path, sizeof(path), "%s/%s", d->path, file);
		p->r.fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (p->r.fd < 0) {
		ret = -errno;
		rr_setmsg(msg, len, "%s: %s: %s", d->path, file, strerror(-ret));
		return ret;
	}
	file = p->file;
	p->r.buf = malloc(RR_BUF_SIZE + RR_BUF_SLACK);
	if (!p->r.buf) {
		rr_setmsg(msg, len, "%s: %s: out of memory", d->path, file);
		return -ENOMEM;
	}
	ret = csv_next(&p->r, &line);
	if (ret == 0 && follow) {
		rr_setmsg(msg, len, "%s: %s has no header yet", d->path, file);
		return -EAGAIN;
	}
	if (ret == 0) {
		rr_setmsg(msg, len, "%s: %s is empty (no header)", d->path, file);
		return -EINVAL;
	}
	if (ret == -E2BIG || (ret == 1 && csv_split(&p->r, line) < 0) ||
	    (ret == -EPIPE && csv_split(&p->r, line) < 0)) {
		rr_setmsg(msg, len, "%s: %s: malformed header", d->path, file);
		return -EINVAL;
	}
	if (ret < 0 && ret != -EPIPE) {
		rr_setmsg(msg, len, "%s: %s: %s", d->path, file, strerror(-ret));
		return ret;
	}
	p->exact = p->r.nf == ncols;
	for (i = 0; i < ncols; i++) {
		p->idx[i] = -1;
		if (!cols[i].name)
			continue;	/* a column this pass does not read */
		for (j = 0; j < p->r.nf; j++) {
			if (strcmp(p->r.f[j], cols[i].name) == 0) {
				p->idx[i] = j;
				if (j + 1 > p->min_fields)
					p->min_fields = j + 1;
				break;
			}
		}
		if (p->idx[i] != i)
			p->exact = false;
		if (p->idx[i] < 0 && cols[i].required) {
			rr_setmsg(msg, len, "%s: %s: header has no column \"%s\"",
			       d->path, file, cols[i].name);
			return -EINVAL;
		}
	}
	return 0;
}

void rr_pass_close(struct csvpass *p)
{
	if (p->r.fd >= 0)
		close(p->r.fd);
	free(p->r.buf);
	ZSTD_freeDCtx(p->r.z);
	free(p->r.zin);
	p->r.z = NULL;
	p->r.zin = NULL;
	p->r.buf = NULL;
	p->r.fd = -1;
}


/*
 * A row failed: with RR_ALLOW_INCOMPLETE count it and go on (returns 0),
 * else -EINVAL with the reason.
 */
int rr_bad_row(struct csvpass *p, const char *why, const char *what)
{
	if (p->d->flags & RR_ALLOW_INCOMPLETE) {
		p->st.bad_rows++;
		return 0;
	}
	rr_setmsg(p->msg, p->len, "%s: %s:%" PRIu64 ": %s%s%.40s%s%s", p->d->path, p->file,
	       p->r.lineno, why, what ? " \"" : "", what ? what : "", what ? "\"" : "",
	       " (use --allow-incomplete to skip bad rows)");
	return -EINVAL;
}

/*
 * Next non-empty data line, not split, in *line. Returns 1 with a line, 0 at
 * the end, or -errno (msg set). Bad lines are handled by rr_bad_row().
 */
int rr_pass_line(struct csvpass *p, char **line)
{
	for (;;) {
		int ret = csv_next(&p->r, line);

		if (ret == 0 && p->r.ztrunc && !p->r.follow) {
			/* a compressed file whose writer stopped mid-frame (crash, full disk) */
			p->r.ztrunc = false;
			p->st.truncated = true;
			if (!(p->d->flags & RR_ALLOW_INCOMPLETE)) {
				rr_setmsg(p->msg, p->len, "%s: %s: compressed stream ends early "
				       "(truncated; use --allow-incomplete)", p->d->path, p->file);
				return -EINVAL;
			}
			return 0;
		}
		if (ret == 0)
			return 0;
		if (ret == -E2BIG) {
			ret = rr_bad_row(p, "line longer than the limit", NULL);
			if (ret < 0)
				return ret;
			continue;
		}
		if (ret == -EPIPE) {
			p->st.truncated = true;
			if (!(p->d->flags & RR_ALLOW_INCOMPLETE) && p->r.ztrunc && !p->r.follow) {
				/* the half line is the frame's cut, not the cause */
				rr_setmsg(p->msg, p->len, "%s: %s: compressed stream ends early "
				       "(truncated; use --allow-incomplete)", p->d->path, p->file);
				return -EINVAL;
			}
			if (!(p->d->flags & RR_ALLOW_INCOMPLETE)) {
				rr_setmsg(p->msg, p->len,
				       "%s: %s:%" PRIu64 ": last line has no newline "
				       "(truncated; use --allow-incomplete)",
				       p->d->path, p->file, p->r.lineno);
				return -EINVAL;
			}
			p->st.bad_rows++;
			continue;	/* a half-written row is never trusted */
		}
		if (ret < 0) {
			rr_setmsg(p->msg, p->len, "%s: %s: %s", p->d->path, p->file, strerror(-ret));
			return ret;
		}
		if ((*line)[0] == '\0')
			continue;
		return 1;
	}
}

/* Splits a line rr_pass_line gave: 1 split, 0 a bad row counted, or -EINVAL. */
int rr_pass_split(struct csvpass *p, char *line)
{
	if (csv_split(&p->r, line) < 0)
		return rr_bad_row(p, "malformed CSV (quotes or too many fields)", NULL);
	if (p->r.nf < p->min_fields)
		return rr_bad_row(p, "too few fields", NULL);
	return 1;
}

/*
 * Next data row split into fields. Returns 1 with a row, 0 at the end, or
 * -errno (msg set). Malformed lines are handled by rr_bad_row().
 */
int rr_pass_next(struct csvpass *p)
{
	for (;;) {
		char *line;
		int ret = rr_pass_line(p, &line);

		if (ret != 1)
			return ret;
		ret = rr_pass_split(p, line);
		if (ret != 0)
			return ret;
	}
}

void rr_pass_types(struct csvpass *p, const unsigned char *type)
{
	int c;

	memset(p->fcol, -1, sizeof(p->fcol));
	for (c = 0; c < p->ncols; c++)
		if (p->idx[c] >= 0 && type[c] != RR_FT_SKIP) {
			p->fcol[p->idx[c]] = (signed char)c;
			p->ftype[p->idx[c]] = type[c];
		}
}

/* Field j, s..e, as its column's type says: false when not a plain cell. */
static inline __attribute__((always_inline))
bool scan_field(const struct csvpass *p, int j, const char *s, const char *e,
			      struct rr_fastrow *fr, uint64_t *set)
{
	int c = p->fcol[j];
	bool neg;
	uint64_t x;

	if (c < 0)
		return true;
	if (p->ftype[j] == RR_FT_STR) {
		fr->s[c] = s;
		fr->e[c] = (char *)e;
		if (e > s && *s)	/* a NUL first: empty, as a C string */
			*set |= 1ull << c;
		return true;
	}
	neg = p->ftype[j] == RR_FT_SNUM && e > s && *s == '-';
	s += neg;
	if (e == s)
		return !neg;
	if (e - s > (p->ftype[j] == RR_FT_SNUM ? 18 : 19) || !scan_digits(s, (size_t)(e - s), &x))
		return false;	/* may not fit, or not digits: strictly */
	fr->v[c] = neg ? 0 - x : x;
	*set |= 1ull << c;
	return true;
}

/*
 * The fast scanner: the line's commas and quotes found 16 bytes at a time,
 * each field read as its column's type says (numbers 8 digits at a time),
 * nothing written. Anything but a plain row (a quote, a sign or a letter in
 * a number, too many or too few fields, a number of more digits than surely
 * fit) gives 0, and the caller hands the line to the strict path (csv_split
 * and the rr_parse_* functions), which judges it exactly as it always did.
 */
int rr_fast_scan(const struct csvpass *p, const char *line, int upto, struct rr_fastrow *fr)
{
	const char *end = line + p->r.linelen, *f0 = line, *b;
	uint64_t set = 0;
	int j = 0;

	for (b = line; b < end; b += 16) {
		unsigned int qm, m = rr_block_commas(b, end, &qm);

		if (qm)
			return 0;
		while (m) {
			const char *c = b + __builtin_ctz(m);

			m &= m - 1;
			if (!scan_field(p, j, f0, c, fr, &set))
				return 0;
			if (++j == upto)
				goto done;
			if (j == RR_MAX_FIELDS)
				return 0;
			f0 = c + 1;
		}
	}
	if (!scan_field(p, j, f0, end, fr, &set))
		return 0;
	j++;
done:
	if (j < p->min_fields)
		return 0;
	fr->set = set;
	fr->general = true;
	return 1;
}

/* Parses an optional unsigned column: absent or empty gives def. */
int rr_opt_u64(const struct csvpass *p, int c, uint64_t def, uint64_t *v)
{
	const char *s = col(p, c);

	if (!s || !*s) {
		*v = def;
		return 0;
	}
	return rr_parse_u64(s, v);
}

int rr_opt_i32(const struct csvpass *p, int c, int32_t def, int32_t *v)
{
	const char *s = col(p, c);

	if (!s || !*s) {
		*v = def;
		return 0;
	}
	return rr_parse_i32(s, v);
}

int rr_pump(struct csvpass *p, rr_decode_fn decode, void *row,
	    int (*fn)(void *arg, const void *row), void *arg)
{
	return rr_pump_fast(p, NULL, 0, decode, row, fn, arg);	/* every row the strict way */
}

int rr_pump_fast(struct csvpass *p, rr_fast_fn fast, int upto, rr_decode_fn decode, void *row,
		 int (*fn)(void *arg, const void *row), void *arg)
{
	struct rr_fastrow fr;
	char *line;
	int ret;

	while ((ret = rr_pass_line(p, &line)) == 1) {
		if (!fast || !((p->scan && !upto && p->scan(p, line, &fr)) ||
			       rr_fast_scan(p, line, upto, &fr)) || !fast(p, &fr, row)) {
			/* not a plain row: the strict path says what is wrong with it */
			ret = rr_pass_split(p, line);
			if (ret <= 0) {
				if (ret < 0)
					return ret;
				continue;
			}
			ret = decode(p, row);
			if (ret <= 0) {
				if (ret < 0)
					return ret;
				continue;
			}
		}
		p->st.rows++;
		ret = fn(arg, row);
		if (ret)
			return ret;
	}
	return ret;
}
