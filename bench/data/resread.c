/*
 * Result directory reader. The CSV reader keeps one buffer per pass and
 * splits lines in place, because ops.csv can hold tens of millions of rows
 * and report/compare/plot must read it in flat memory. Everything a file
 * says is distrusted: numbers are parsed strictly, rows with too few fields
 * or over-long lines are errors (or skipped and counted when the caller
 * accepts incomplete results), and a last line without a newline marks a
 * run that did not finish writing.
 */
#include "resread.h"
#include "rows.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define RR_BUF_SIZE	(1u << 20)
#define RR_MAX_FIELDS	64

static void setmsg(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void setmsg(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!msg || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
}

/* ---- JSON helpers ---- */

json_t *rr_json_get(json_t *root, const char *path)
{
	char key[128];
	const char *p = path;

	while (root && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (!json_is_object(root))
			return NULL;
		root = json_object_get(root, key);
		p += n + (dot ? 1 : 0);
	}
	return root;
}

const char *rr_json_str(json_t *root, const char *path)
{
	json_t *v = rr_json_get(root, path);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static uint64_t json_u64(json_t *root, const char *path)
{
	json_t *v = rr_json_get(root, path);

	if (json_is_integer(v) && json_integer_value(v) > 0)
		return (uint64_t)json_integer_value(v);
	if (json_is_real(v) && json_real_value(v) > 0)
		return (uint64_t)json_real_value(v);
	return 0;
}

/* Loads dir/name into *out. 0, -ENOENT (absent) or -EINVAL, msg set. */
static int load_json(const char *dir, const char *name, json_t **out, char *msg, size_t len)
{
	char path[4200];
	json_error_t jerr;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) < 0) {
		int e = errno;

		setmsg(msg, len, "%s: no %s%s", dir, name,
		       strcmp(name, "meta.json") == 0 ? " (not a result directory)" :
		       " (run did not finish?)");
		return -e;
	}
	*out = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out) {
		setmsg(msg, len, "%s: %s line %d: %s", dir, name, jerr.line, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(*out)) {
		setmsg(msg, len, "%s: %s is not a JSON object", dir, name);
		json_decref(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

void rr_close(struct rr_dir *d)
{
	if (!d)
		return;
	json_decref(d->meta);
	json_decref(d->summary);
	d->meta = d->summary = NULL;
}

int rr_check_format(const char *dir, const char *file, json_t *root, char *msg, size_t len)
{
	json_t *v = json_object_get(root, "format_version");

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > RESULT_FORMAT_VERSION) {
		setmsg(msg, len, "%s: %s format_version %s: this stallbench reads 1..%d "
		       "(a newer stallbench wrote it)", dir, file,
		       json_is_integer(v) ? "newer" : "not a number", RESULT_FORMAT_VERSION);
		return -EINVAL;
	}
	return 0;
}

int rr_open(const char *dir, unsigned int flags, struct rr_dir *d, char *msg, size_t len)
{
	bool allow = flags & RR_ALLOW_INCOMPLETE;
	struct stat st;
	char path[4200];
	const char *s;
	int ret;

	memset(d, 0, sizeof(*d));
	d->flags = flags;
	if (strlen(dir) >= sizeof(d->path)) {
		setmsg(msg, len, "%.60s...: path too long", dir);
		return -ENAMETOOLONG;
	}
	strcpy(d->path, dir);
	if (stat(dir, &st) < 0) {
		ret = -errno;
		setmsg(msg, len, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	if (!S_ISDIR(st.st_mode)) {
		setmsg(msg, len, "%s: not a directory", dir);
		return -ENOTDIR;
	}
	ret = load_json(dir, "meta.json", &d->meta, msg, len);
	if (ret < 0)
		return ret == -ENOENT ? -EINVAL : ret;

	ret = rr_check_format(dir, "meta.json", d->meta, msg, len);
	if (ret < 0)
		goto fail;
	d->status = rr_json_str(d->meta, "status");
	if (!d->status) {
		setmsg(msg, len, "%s: meta.json has no \"status\" (corrupt?)", dir);
		ret = -EINVAL;
		goto fail;
	}
	s = rr_json_str(d->meta, "kernel.release");
	d->release = s ? s : "";
	s = rr_json_str(d->meta, "kernel.cmdline");
	d->cmdline = s ? s : "";
	d->start_ns = json_u64(d->meta, "start_ns");
	d->end_ns = json_u64(d->meta, "end_ns");
	if (!s && !allow) {
		setmsg(msg, len, "%s: meta.json has no kernel.cmdline (corrupt?)", dir);
		ret = -EINVAL;
		goto fail;
	}
	if (strcmp(d->status, "complete") != 0 && !allow) {
		setmsg(msg, len, "%s: run status is \"%s\" (use --allow-incomplete)",
		       dir, d->status);
		ret = -EINVAL;
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/ops.csv.zst", dir);
	if (access(path, R_OK) < 0)
		snprintf(path, sizeof(path), "%s/ops.csv", dir);
	if (access(path, R_OK) < 0) {
		ret = -errno;
		setmsg(msg, len, "%s: no ops.csv (%s)", dir, strerror(-ret));
		if (ret == -ENOENT)
			ret = -EINVAL;
		goto fail;
	}
	ret = load_json(dir, "summary.json", &d->summary, msg, len);
	if (ret < 0) {
		if (!allow) {
			if (ret == -ENOENT)
				ret = -EINVAL;
			goto fail;
		}
		d->summary = NULL;
	} else if ((ret = rr_check_format(dir, "summary.json", d->summary, msg, len)) < 0) {
		goto fail;
	} else if (!allow) {
		s = rr_json_str(d->summary, "status");
		if (s && strcmp(s, "complete") != 0) {
			setmsg(msg, len, "%s: summary.json status is \"%s\" (use --allow-incomplete)",
			       dir, s);
			ret = -EINVAL;
			goto fail;
		}
	}
	return 0;
fail:
	rr_close(d);
	return ret;
}

/* ---- CSV ---- */

struct csvr {
	int fd;
	ZSTD_DCtx *z;		/* NAME.csv.zst: decompressed on the way in */
	char *zin;
	size_t zin_pos, zin_len;
	size_t zleft;		/* ZSTD_decompressStream's hint: 0 at a frame's end */
	bool zfull;		/* the last call filled the output: more may be inside */
	bool ztrunc;		/* the stream ended inside a frame */
	uint64_t zskip;		/* decoded bytes to drop first (read from the plain file) */
	char *buf;
	size_t start, end;	/* unread bytes are buf[start..end) */
	bool eof;
	bool skipping;		/* inside an over-long line */
	bool follow;		/* file still being written: keep a partial last line */
	uint64_t lineno;
	char *f[RR_MAX_FIELDS];
	int nf;
};

#define RR_ZIN_SIZE	(128u << 10)

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

/* Splits line in place at commas; honours "quoted" fields with "" escapes. */
static int csv_split(struct csvr *r, char *line)
{
	char *p = line;

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
static int parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
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

static int parse_i64(const char *s, int64_t *v)
{
	uint64_t x;
	bool neg = *s == '-';

	if (parse_u64(s + neg, &x) < 0)
		return -EINVAL;
	if (neg ? x > (uint64_t)INT64_MAX + 1 : x > (uint64_t)INT64_MAX)
		return -EINVAL;
	*v = neg ? (int64_t)(0 - x) : (int64_t)x;
	return 0;
}

static int parse_i32(const char *s, int32_t *v)
{
	int64_t x;

	if (parse_i64(s, &x) < 0 || x < INT32_MIN || x > INT32_MAX)
		return -EINVAL;
	*v = (int32_t)x;
	return 0;
}

/* A column spec: header name and whether a file without it is refused. */
struct colspec {
	const char *name;
	bool required;
};

struct csvpass {
	struct csvr r;
	const struct rr_dir *d;
	const char *file;
	const struct colspec *cols;
	int ncols;
	int idx[RR_MAX_FIELDS];	/* column -> field index, -1 absent */
	int min_fields;		/* fields a row needs to reach every present column */
	struct rr_csv_stats st;
	char zname[80];		/* "ops.csv.zst" when that is what is read */
	char *msg;
	size_t len;
};

/* Opens and maps the header. 0, -ENOENT (absent), -EAGAIN (following a
 * file whose header is not written yet), or -errno with msg set. */
static int pass_open(struct csvpass *p, const struct rr_dir *d, const char *file,
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
			setmsg(msg, len, "%s: %s: out of memory", d->path, p->file);
			return -ENOMEM;
		}
	} else {
		snprintf(path, sizeof(path), "%s/%s", d->path, file);
		p->r.fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (p->r.fd < 0) {
		ret = -errno;
		setmsg(msg, len, "%s: %s: %s", d->path, file, strerror(-ret));
		return ret;
	}
	file = p->file;
	p->r.buf = malloc(RR_BUF_SIZE);
	if (!p->r.buf) {
		setmsg(msg, len, "%s: %s: out of memory", d->path, file);
		return -ENOMEM;
	}
	ret = csv_next(&p->r, &line);
	if (ret == 0 && follow) {
		setmsg(msg, len, "%s: %s has no header yet", d->path, file);
		return -EAGAIN;
	}
	if (ret == 0) {
		setmsg(msg, len, "%s: %s is empty (no header)", d->path, file);
		return -EINVAL;
	}
	if (ret == -E2BIG || (ret == 1 && csv_split(&p->r, line) < 0) ||
	    (ret == -EPIPE && csv_split(&p->r, line) < 0)) {
		setmsg(msg, len, "%s: %s: malformed header", d->path, file);
		return -EINVAL;
	}
	if (ret < 0 && ret != -EPIPE) {
		setmsg(msg, len, "%s: %s: %s", d->path, file, strerror(-ret));
		return ret;
	}
	for (i = 0; i < ncols; i++) {
		p->idx[i] = -1;
		for (j = 0; j < p->r.nf; j++) {
			if (strcmp(p->r.f[j], cols[i].name) == 0) {
				p->idx[i] = j;
				if (j + 1 > p->min_fields)
					p->min_fields = j + 1;
				break;
			}
		}
		if (p->idx[i] < 0 && cols[i].required) {
			setmsg(msg, len, "%s: %s: header has no column \"%s\"",
			       d->path, file, cols[i].name);
			return -EINVAL;
		}
	}
	return 0;
}

static void pass_close(struct csvpass *p)
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

/* Field of column c, or NULL if the file has no such column. */
static const char *col(const struct csvpass *p, int c)
{
	return p->idx[c] < 0 ? NULL : p->r.f[p->idx[c]];
}

/*
 * A row failed: with RR_ALLOW_INCOMPLETE count it and go on (returns 0),
 * else -EINVAL with the reason.
 */
static int bad_row(struct csvpass *p, const char *why, const char *what)
{
	if (p->d->flags & RR_ALLOW_INCOMPLETE) {
		p->st.bad_rows++;
		return 0;
	}
	setmsg(p->msg, p->len, "%s: %s:%" PRIu64 ": %s%s%.40s%s%s", p->d->path, p->file,
	       p->r.lineno, why, what ? " \"" : "", what ? what : "", what ? "\"" : "",
	       " (use --allow-incomplete to skip bad rows)");
	return -EINVAL;
}

/*
 * Next data row split into fields. Returns 1 with a row, 0 at the end, or
 * -errno (msg set). Malformed lines are handled by bad_row().
 */
static int pass_next(struct csvpass *p)
{
	for (;;) {
		char *line;
		int ret = csv_next(&p->r, &line);

		if (ret == 0 && p->r.ztrunc && !p->r.follow) {
			/* a compressed file whose writer stopped mid-frame (crash, full disk) */
			p->r.ztrunc = false;
			p->st.truncated = true;
			if (!(p->d->flags & RR_ALLOW_INCOMPLETE)) {
				setmsg(p->msg, p->len, "%s: %s: compressed stream ends early "
				       "(truncated; use --allow-incomplete)", p->d->path, p->file);
				return -EINVAL;
			}
			return 0;
		}
		if (ret == 0)
			return 0;
		if (ret == -E2BIG) {
			ret = bad_row(p, "line longer than the limit", NULL);
			if (ret < 0)
				return ret;
			continue;
		}
		if (ret == -EPIPE) {
			p->st.truncated = true;
			if (!(p->d->flags & RR_ALLOW_INCOMPLETE) && p->r.ztrunc && !p->r.follow) {
				/* the half line is the frame's cut, not the cause */
				setmsg(p->msg, p->len, "%s: %s: compressed stream ends early "
				       "(truncated; use --allow-incomplete)", p->d->path, p->file);
				return -EINVAL;
			}
			if (!(p->d->flags & RR_ALLOW_INCOMPLETE)) {
				setmsg(p->msg, p->len,
				       "%s: %s:%" PRIu64 ": last line has no newline "
				       "(truncated; use --allow-incomplete)",
				       p->d->path, p->file, p->r.lineno);
				return -EINVAL;
			}
			p->st.bad_rows++;
			continue;	/* a half-written row is never trusted */
		}
		if (ret < 0) {
			setmsg(p->msg, p->len, "%s: %s: %s", p->d->path, p->file, strerror(-ret));
			return ret;
		}
		if (line[0] == '\0')
			continue;
		if (csv_split(&p->r, line) < 0) {
			ret = bad_row(p, "malformed CSV (quotes or too many fields)", NULL);
			if (ret < 0)
				return ret;
			continue;
		}
		if (p->r.nf < p->min_fields) {
			ret = bad_row(p, "too few fields", NULL);
			if (ret < 0)
				return ret;
			continue;
		}
		return 1;
	}
}

/* Parses an optional unsigned column: absent or empty gives def. */
static int opt_u64(const struct csvpass *p, int c, uint64_t def, uint64_t *v)
{
	const char *s = col(p, c);

	if (!s || !*s) {
		*v = def;
		return 0;
	}
	return parse_u64(s, v);
}

static int opt_i32(const struct csvpass *p, int c, int32_t def, int32_t *v)
{
	const char *s = col(p, c);

	if (!s || !*s) {
		*v = def;
		return 0;
	}
	return parse_i32(s, v);
}

static unsigned int parse_flags(char *s)
{
	unsigned int f = 0;

	while (s && *s) {
		size_t n = strcspn(s, "|");
		size_t i;

		for (i = 0; i < SB_OPF_NR; i++)
			if (strlen(sb_opflag_names[i]) == n && strncmp(s, sb_opflag_names[i], n) == 0)
				f |= 1u << i;
		s += n;
		if (*s)
			s++;
	}
	return f;
}

/* ops.csv's columns: columns.h's table, shared with the writer. */
enum {
#define X(e, n, r) OC_##e = SB_OC_##e,
	SB_OPS_HEAD_COLS(X)
	SB_OPS_TAIL_COLS(X)
#undef X
	OC_SRC0 = SB_OC_SRC0,
	OC_NR = SB_OC_NR
};

static const struct colspec op_cols[OC_NR] = {
#define X(e, n, r) [OC_##e] = { n, r },
	SB_OPS_HEAD_COLS(X)
	SB_OPS_TAIL_COLS(X)
#undef X
#define X(e, n, r) [OC_SRC0 + RSRC_##e] = { n, false },
	SB_ROUND_SRCS(X)
#undef X
};

/* Decodes the current row: 1 with a row, 0 skipped (bad_row), or -EINVAL. */
static int op_row(struct csvpass *p, struct rr_op *op)
{
	uint64_t tid;
	const char *e, *bad = NULL;
	char *fl;

	memset(op, 0, sizeof(*op));
	if (parse_u64(col(p, OC_T_START), &op->t_start_ns) < 0)
		bad = "t_start_ns";
	else if (parse_u64(col(p, OC_LATENCY), &op->latency_ns) < 0)
		bad = "latency_ns";
	else if (opt_u64(p, OC_TID, 0, &tid) < 0 || tid > UINT32_MAX)
		bad = "tid";
	else if (opt_i32(p, OC_WORKER, -1, &op->worker) < 0)
		bad = "worker";
	else if (opt_i32(p, OC_NODE, -1, &op->node) < 0)
		bad = "node";
	else if (opt_u64(p, OC_STALL, 0, &op->stall_ns) < 0)
		bad = "stall_ns";
	else if (opt_u64(p, OC_ROUNDS, 0, &op->reclaim_rounds) < 0)
		bad = "reclaim_rounds";
	else if (opt_u64(p, OC_BYTES, 0, &op->bytes) < 0)
		bad = "bytes";
	else if (opt_u64(p, OC_KERNEL, 0, &op->kernel_ns) < 0)
		bad = "kernel_ns";
	else if (opt_i32(p, OC_LANDED, -1, &op->landed_node) < 0)
		bad = "landed_node";
	else if (opt_u64(p, OC_CPU, 0, &op->cpu_ns) < 0)
		bad = "cpu_ns";
	else if (opt_u64(p, OC_RUNQ, 0, &op->runq_ns) < 0)
		bad = "runq_ns";
	for (int k = 0; !bad && k < RSRC_NR; k++) {
		op->have_src[k] = col(p, OC_SRC0 + k) && *col(p, OC_SRC0 + k);
		if (opt_u64(p, OC_SRC0 + k, 0, &op->src[k]) < 0)
			bad = op_cols[OC_SRC0 + k].name;
	}
	if (bad) {
		char why[64];
		int c;

		for (c = 0; c < OC_NR; c++)
			if (strcmp(op_cols[c].name, bad) == 0)
				break;
		snprintf(why, sizeof(why), "%s is not a number:", bad);
		return bad_row(p, why, col(p, c));
	}
	op->have_sched = col(p, OC_CPU) && *col(p, OC_CPU) && col(p, OC_RUNQ) && *col(p, OC_RUNQ);
	op->tid = (uint32_t)tid;
	op->workload = col(p, OC_WORKLOAD);
	op->op = col(p, OC_OP);
	if (!*op->workload || !*op->op)
		return bad_row(p, "empty workload or op", NULL);
	e = col(p, OC_ERRNO);
	op->err = (!e || !*e || strcmp(e, "0") == 0) ? "" : e;
	fl = (char *)col(p, OC_FLAGS);
	op->flags = parse_flags(fl);
	return 1;
}

/* Hands every remaining row of an open pass to fn. 0, fn's value or -errno. */
static int pump_ops(struct csvpass *p, rr_op_fn fn, void *arg)
{
	struct rr_op op;
	int ret;

	while ((ret = pass_next(p)) == 1) {
		ret = op_row(p, &op);
		if (ret <= 0) {
			if (ret < 0)
				return ret;
			continue;
		}
		p->st.rows++;
		ret = fn(arg, &op);
		if (ret)
			return ret;
	}
	return ret;
}

int rr_read_ops(const struct rr_dir *d, rr_op_fn fn, void *arg,
		struct rr_csv_stats *st, char *msg, size_t len)
{
	struct csvpass p;
	int ret;

	ret = pass_open(&p, d, "ops.csv", op_cols, OC_NR, false, msg, len);
	if (ret == 0)
		ret = pump_ops(&p, fn, arg);
	if (st)
		*st = p.st;
	pass_close(&p);
	return ret;
}

static const char *const stall_kind_names[RR_STALL_NR_KINDS] = {
	SB_STALL_KINDS(SB_STALL_NAME)
};

/* stallkind.h's traits, by kind */
static const struct { bool reclaims, throttle; } stall_kind_traits[RR_STALL_NR_KINDS] = {
#define X(e, n, r, t) [RR_STALL_##e] = { r, t },
	SB_STALL_KINDS_TRAITS(X)
#undef X
};

bool rr_stall_kind_reclaims(int kind)
{
	return kind >= 0 && kind < RR_STALL_NR_KINDS && stall_kind_traits[kind].reclaims;
}

bool rr_stall_kind_throttle(int kind)
{
	return kind >= 0 && kind < RR_STALL_NR_KINDS && stall_kind_traits[kind].throttle;
}

int rr_stall_kind_of(const char *name)
{
	for (int k = 0; k < RR_STALL_NR_KINDS; k++)
		if (strcmp(name, stall_kind_names[k]) == 0)
			return k;
	return RR_STALL_OTHER;
}

const char *rr_stall_kind_name(int kind)
{
	if (kind < 0 || kind >= RR_STALL_NR_KINDS)
		return "other";
	return stall_kind_names[kind];
}

/* stalls.csv's columns: columns.h's table, shared with the writer. */
enum {
#define X(e, n, r) SC_##e = SB_SC_##e,
	SB_STALLS_COLS(X)
#undef X
	SC_NR = SB_SC_NR
};

static const struct colspec stall_cols[SC_NR] = {
#define X(e, n, r) [SC_##e] = { n, r },
	SB_STALLS_COLS(X)
#undef X
};

/* Decodes the current row: 1 with a row, 0 skipped (bad_row), or -EINVAL. */
static int stall_row(struct csvpass *p, struct rr_stall *s)
{
	uint64_t tid;
	const char *v, *bad = NULL;
	int k;

	memset(s, 0, sizeof(*s));
	if (parse_u64(col(p, SC_T_START), &s->t_start_ns) < 0)
		bad = "t_start_ns";
	else if (parse_u64(col(p, SC_DURATION), &s->duration_ns) < 0)
		bad = "duration_ns";
	else if (opt_u64(p, SC_TID, 0, &tid) < 0 || tid > UINT32_MAX)
		bad = "tid";
	else if (opt_i32(p, SC_CPU, -1, &s->cpu) < 0)
		bad = "cpu";
	else if (opt_i32(p, SC_ORDER, -1, &s->order) < 0)
		bad = "order";
	v = col(p, SC_RECLAIMED);
	s->nr_reclaimed = -1;
	if (!bad && v && *v && parse_i64(v, &s->nr_reclaimed) < 0)
		bad = "nr_reclaimed";
	if (bad) {
		char why[64];

		snprintf(why, sizeof(why), "%s is not a number", bad);
		return bad_row(p, why, NULL);
	}
	s->tid = (uint32_t)tid;
	s->kind_name = col(p, SC_KIND);
	s->kind = RR_STALL_OTHER;
	for (k = 0; k < RR_STALL_NR_KINDS; k++)
		if (strcmp(s->kind_name, stall_kind_names[k]) == 0) {
			s->kind = k;
			break;
		}
	v = col(p, SC_GFP);
	s->gfp = v ? v : "";
	v = col(p, SC_SCOPE);
	s->scope = (v && *v) ? v : "run";
	v = col(p, SC_REASON);
	s->reason = v ? v : "";
	v = col(p, SC_NOTE);
	s->note = v ? v : "";
	return 1;
}

static int pump_stalls(struct csvpass *p, rr_stall_fn fn, void *arg)
{
	struct rr_stall s;
	int ret;

	while ((ret = pass_next(p)) == 1) {
		ret = stall_row(p, &s);
		if (ret <= 0) {
			if (ret < 0)
				return ret;
			continue;
		}
		p->st.rows++;
		ret = fn(arg, &s);
		if (ret)
			return ret;
	}
	return ret;
}

int rr_read_stalls(const struct rr_dir *d, rr_stall_fn fn, void *arg,
		   struct rr_csv_stats *st, char *msg, size_t len)
{
	struct csvpass p;
	int ret;

	ret = pass_open(&p, d, "stalls.csv", stall_cols, SC_NR, false, msg, len);
	if (ret == -ENOENT)
		ret = 0;
	else if (ret == 0)
		ret = pump_stalls(&p, fn, arg);
	if (st)
		*st = p.st;
	pass_close(&p);
	return ret;
}

static const struct colspec offcpu_cols[SB_FC_NR] = {
#define X(e, n, r) [SB_FC_##e] = { n, r },
	SB_OFFCPU_COLS(X)
#undef X
};

int rr_read_offcpu(const struct rr_dir *d, rr_offcpu_fn fn, void *arg, struct rr_csv_stats *st,
		   char *msg, size_t len)
{
	struct csvpass p;
	int ret;

	ret = pass_open(&p, d, "offcpu.csv", offcpu_cols, SB_FC_NR, false, msg, len);
	while (ret == 0 && (ret = pass_next(&p)) == 1) {
		struct rr_offcpu_row o = { .workload = col(&p, SB_FC_WORKLOAD),
					   .op = col(&p, SB_FC_OP), .site = col(&p, SB_FC_SITE) };

		if (parse_u64(col(&p, SB_FC_NS), &o.sleep_ns) < 0) {
			ret = bad_row(&p, "not a number in column", "sleep_ns");
			if (ret < 0)
				break;
			ret = 0;
			continue;
		}
		p.st.rows++;
		ret = fn(arg, &o);
	}
	if (ret == 1)
		ret = 0;
	if (st)
		*st = p.st;
	pass_close(&p);
	return ret;
}

static const struct colspec tl_cols[RR_TL_NR_COLS] = {
#define X(e, n, r) [RR_TL_##e] = { n, r },
	SB_TIMELINE_COLS(X)
#undef X
};

/* Decodes the current row: 1 with a row, 0 skipped (bad_row), or -EINVAL. */
static int tick_row(struct csvpass *p, struct rr_tick *t)
{
	const char *bad = NULL;
	int c;

	for (c = 0; c < RR_TL_NR_COLS; c++) {
		const char *s = col(p, c);
		char *end;

		t->v[c] = NAN;
		if (!s || !*s || strcmp(s, "max") == 0)
			continue;	/* memory.max reads "max" when unlimited */
		errno = 0;
		t->v[c] = strtod(s, &end);
		if (errno || *end || !isfinite(t->v[c])) {
			bad = tl_cols[c].name;
			break;
		}
	}
	if (!bad && isnan(t->v[RR_TL_T_NS]))
		bad = "t_ns";
	if (bad)
		return bad_row(p, "not a number in column", bad);
	return 1;
}

static int pump_ticks(struct csvpass *p, rr_tick_fn fn, void *arg)
{
	struct rr_tick t;
	int ret;

	while ((ret = pass_next(p)) == 1) {
		ret = tick_row(p, &t);
		if (ret <= 0) {
			if (ret < 0)
				return ret;
			continue;
		}
		p->st.rows++;
		ret = fn(arg, &t);
		if (ret)
			return ret;
	}
	return ret;
}

int rr_read_timeline(const struct rr_dir *d, rr_tick_fn fn, void *arg,
		     struct rr_csv_stats *st, char *msg, size_t len)
{
	struct csvpass p;
	int ret;

	ret = pass_open(&p, d, "timeline.csv", tl_cols, RR_TL_NR_COLS, false, msg, len);
	if (ret == 0)
		ret = pump_ticks(&p, fn, arg);
	if (st)
		*st = p.st;
	pass_close(&p);
	return ret;
}

/* ---- following a directory being written ---- */

struct rr_tail {
	struct csvpass p;
	enum rr_file file;
	bool open;
};

static const struct {
	const char *name;
	const struct colspec *cols;
	int ncols;
} tail_files[] = {
	[RR_OPS] = { "ops.csv", op_cols, OC_NR },
	[RR_STALLS] = { "stalls.csv", stall_cols, SC_NR },
	[RR_TIMELINE] = { "timeline.csv", tl_cols, RR_TL_NR_COLS },
};

int rr_tail_new(const struct rr_dir *d, enum rr_file file, struct rr_tail **out)
{
	struct rr_tail *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->p.d = d;
	t->p.r.fd = -1;
	t->file = file;
	*out = t;
	return 0;
}

void rr_tail_free(struct rr_tail *t)
{
	if (!t)
		return;
	pass_close(&t->p);
	free(t);
}

const struct rr_csv_stats *rr_tail_stats(const struct rr_tail *t)
{
	return &t->p.st;
}

/* Opens the file once its header is complete; 0, -ENOENT/-EAGAIN (not yet), -errno. */
static int tail_start(struct rr_tail *t, char *msg, size_t len)
{
	const struct rr_dir *d = t->p.d;
	int ret;

	if (t->open)
		return 0;
	ret = pass_open(&t->p, d, tail_files[t->file].name, tail_files[t->file].cols,
			tail_files[t->file].ncols, true, msg, len);
	if (ret < 0) {
		pass_close(&t->p);
		t->p.d = d;
		return ret;
	}
	t->open = true;
	return 0;
}

/*
 * The driver moved the plain file it was growing to NAME.zst (whose rows
 * start with the plain file's) and unlinked it: go on in NAME.zst, past what
 * was read here already. True if it did.
 */
static bool tail_switch(struct rr_tail *t)
{
	struct csvpass *p = &t->p;
	char path[4200];
	struct stat st;
	off_t off;
	int fd;

	if (p->r.z || fstat(p->r.fd, &st) || st.st_nlink)
		return false;
	snprintf(path, sizeof(path), "%s/%s.zst", p->d->path, tail_files[t->file].name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	off = lseek(p->r.fd, 0, SEEK_CUR);
	if (fd < 0 || off < 0) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	p->r.z = ZSTD_createDCtx();
	p->r.zin = malloc(RR_ZIN_SIZE);
	if (!p->r.z || !p->r.zin) {
		close(fd);
		return false;
	}
	close(p->r.fd);
	p->r.fd = fd;
	p->r.zskip = (uint64_t)off;
	snprintf(p->zname, sizeof(p->zname), "%s.zst", tail_files[t->file].name);
	p->file = p->zname;
	return true;
}

static int tail_pump(struct rr_tail *t, const struct rr_tail_fns *fns, void *arg);

int rr_tail_poll(struct rr_tail *t, const struct rr_tail_fns *fns, void *arg,
		 char *msg, size_t len)
{
	int ret = tail_start(t, msg, len);

	if (ret == -ENOENT || ret == -EAGAIN)
		return 0;
	if (ret < 0)
		return ret;
	t->p.msg = msg;
	t->p.len = len;
	t->p.r.eof = false;	/* read what was appended since the last poll */
	ret = tail_pump(t, fns, arg);
	if (ret == 0 && tail_switch(t)) {
		t->p.r.eof = false;
		ret = tail_pump(t, fns, arg);
	}
	return ret;
}

static int tail_pump(struct rr_tail *t, const struct rr_tail_fns *fns, void *arg)
{
	switch (t->file) {
	case RR_OPS:
		return fns->op ? pump_ops(&t->p, fns->op, arg) : -EINVAL;
	case RR_STALLS:
		return fns->stall ? pump_stalls(&t->p, fns->stall, arg) : -EINVAL;
	case RR_TIMELINE:
		return fns->tick ? pump_ticks(&t->p, fns->tick, arg) : -EINVAL;
	}
	return -EINVAL;
}
