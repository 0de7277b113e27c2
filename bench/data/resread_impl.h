/*
 * What the result reader's files share among themselves (not for other
 * users): the CSV engine (rcsv.c: one buffer per file, lines split in
 * place, NAME.csv.zst decoded on the way in, numbers parsed strictly), the
 * column specs, the row decoders' pump (rrows.c) and the stall kinds' names.
 */
#ifndef STALLBENCH_RESREAD_IMPL_H
#define STALLBENCH_RESREAD_IMPL_H

#include "resread.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <zstd.h>

#define RR_BUF_SIZE	(1u << 20)
#define RR_BUF_SLACK	16	/* a 16-byte load at a line's end stays inside */
#define RR_MAX_FIELDS	64
#define RR_ZIN_SIZE	(128u << 10)

void rr_setmsg(char *msg, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

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
	size_t linelen;		/* the line csv_next gave last, without its end */
	int maxf;		/* > 0: split no further than this many fields (a
				 * light pass over rows already checked) */
};

/* A column spec: header name and whether a file without it is refused. */
struct colspec {
	const char *name;
	bool required;
};

struct rr_fastrow;

struct csvpass {
	struct csvr r;
	const struct rr_dir *d;
	const char *file;
	const struct colspec *cols;
	int ncols;
	int idx[RR_MAX_FIELDS];	/* column -> field index, -1 absent */
	int min_fields;		/* fields a row needs to reach every present column */
	signed char fcol[RR_MAX_FIELDS];	/* field -> column the fast scanner reads, -1 none */
	unsigned char ftype[RR_MAX_FIELDS];	/* its RR_FT_* */
	bool exact;		/* the header is cols, in their order, nothing more */
	/* a scanner for this file's exact layout (rrows.c), tried before rr_fast_scan */
	int (*scan)(const struct csvpass *p, const char *line, struct rr_fastrow *fr);
	struct rr_csv_stats st;
	char zname[80];		/* "ops.csv.zst" when that is what is read */
	char *msg;
	size_t len;
};

/* Opens file (NAME.zst first) and maps its header onto cols. 0, -ENOENT (absent),
 * -EAGAIN (following a file whose header is not written yet), or -errno with msg set. */
int rr_pass_open(struct csvpass *p, const struct rr_dir *d, const char *file,
		 const struct colspec *cols, int ncols, bool follow, char *msg, size_t len);
void rr_pass_close(struct csvpass *p);
/* Next data row split into fields: 1, 0 at the end, or -errno (msg set). */
int rr_pass_next(struct csvpass *p);
/* Its two halves: the next non-empty line (1, 0 at the end, -errno), and
 * its split (1, 0 a bad row counted, -EINVAL). */
int rr_pass_line(struct csvpass *p, char **line);
int rr_pass_split(struct csvpass *p, char *line);

/* Column types for the fast scanner (rr_pass_types). */
enum { RR_FT_SKIP, RR_FT_NUM, RR_FT_SNUM, RR_FT_STR,
	/* rscan.h's fixed scanners only: a number checked, its value not read
	 * (up to 19 digits; 9, which fits any int32/uint32 column; 9 after an
	 * optional '-'); a longer one gives 0 (the general scanner judges it) */
	RR_FT_VNUM, RR_FT_VNUM9, RR_FT_VSNUM9 };

/* A row as rr_fast_scan read it, by column: bit c of set when the cell is
 * not empty; v[c] its number (NUM, SNUM), s[c]..e[c] its text (STR: e[c] is
 * the comma or the line's end, where the decoder writes the NUL). */
struct rr_fastrow {
	uint64_t set;
	bool general;		/* read by rr_fast_scan: every number's value read */
	uint64_t v[RR_MAX_FIELDS];
	const char *s[RR_MAX_FIELDS];
	char *e[RR_MAX_FIELDS];
};
/* Maps an open pass's columns to their types (by column, RR_FT_*). */
void rr_pass_types(struct csvpass *p, const unsigned char *type);
/* 1: a plain row read into fr (fields up to upto, 0: the whole line, all
 * checked); 0: let the strict path judge it. The line is not written. */
int rr_fast_scan(const struct csvpass *p, const char *line, int upto, struct rr_fastrow *fr);
/* A row failed: with RR_ALLOW_INCOMPLETE counted (0), else -EINVAL with the reason. */
int rr_bad_row(struct csvpass *p, const char *why, const char *what);
/* Strict decimal numbers: 0 or -EINVAL. */
int rr_parse_u64(const char *s, uint64_t *v);
int rr_parse_i64(const char *s, int64_t *v);
int rr_parse_i32(const char *s, int32_t *v);
/* An optional column: absent or empty gives def. 0 or -EINVAL. */
int rr_opt_u64(const struct csvpass *p, int c, uint64_t def, uint64_t *v);
int rr_opt_i32(const struct csvpass *p, int c, int32_t def, int32_t *v);

/* Field of column c, or NULL if the file has no such column. */
static inline const char *col(const struct csvpass *p, int c)
{
	return p->idx[c] < 0 ? NULL : p->r.f[p->idx[c]];
}

/*
 * The one row loop: decode (1 a row, 0 skipped, -errno) each row of an open
 * pass into row and hand it to fn. 0, fn's value or -errno.
 */
typedef int (*rr_decode_fn)(struct csvpass *p, void *row);
int rr_pump(struct csvpass *p, rr_decode_fn decode, void *row,
	    int (*fn)(void *arg, const void *row), void *arg);

/*
 * rr_pump with a fast path: each line goes through rr_fast_scan (fields up to
 * upto, 0: all) and fast (1 a row, 0 not one it can judge, having written
 * nothing), else through rr_pass_split and decode as in rr_pump (fast NULL:
 * every line that way, which is rr_pump).
 */
typedef int (*rr_fast_fn)(struct csvpass *p, struct rr_fastrow *fr, void *row);
int rr_pump_fast(struct csvpass *p, rr_fast_fn fast, int upto, rr_decode_fn decode, void *row,
		 int (*fn)(void *arg, const void *row), void *arg);

/* The known files' names and columns (rrows.c), and their pumps by file. */
struct rr_filespec {
	const char *name;
	const struct colspec *cols;
	int ncols;
};
extern const struct rr_filespec rr_files[];
int rr_pump_file(struct csvpass *p, enum rr_file f, const struct rr_tail_fns *fns, void *arg);

extern const char *const rr_stall_kind_names[RR_STALL_NR_KINDS];

#endif
