/*
 * What the row decoders of the result reader (rrows.c: ops, offcpu,
 * timeline; rstalls.c: stalls) share: the scanned row's accessors, the
 * strict path's number tables, the one-file read. Not for other users.
 */
#ifndef STALLBENCH_RROWS_IMPL_H
#define STALLBENCH_RROWS_IMPL_H

#include "resread_impl.h"
#include "rscan.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A row's numbers, one table per file for the strict path: each cell's
 * column, how it reads, and where it goes in the row. Required cells must
 * be numbers; the others read def when absent or empty (NC_I64 as well:
 * nr_reclaimed's -1). NC_TID: a u64 that must fit a uint32_t.
 */
enum { NC_REQ, NC_U64, NC_TID, NC_I32, NC_I64 };
struct numcell {
	int col;
	unsigned char how;
	int def;
	size_t off;
};

/* Decodes cells[0..n) of the current row into row, in order: the first
 * cell that is not a number (its index), or -1. */
int rr_num_cells(struct csvpass *p, const struct numcell *cells, size_t n, void *row);

#define HAS(fr, c)	((fr)->set >> (c) & 1)

/* A signed cell that is absent, empty or fits an int32_t. */
static inline bool fits_i32(const struct rr_fastrow *fr, int c)
{
	int64_t x = (int64_t)fr->v[c];

	return !HAS(fr, c) || (x >= INT32_MIN && x <= INT32_MAX);
}

static inline uint64_t fu64(const struct rr_fastrow *fr, int c, uint64_t def)
{
	return HAS(fr, c) ? fr->v[c] : def;
}

static inline int32_t fi32(const struct rr_fastrow *fr, int c, int32_t def)
{
	return HAS(fr, c) ? (int32_t)(int64_t)fr->v[c] : def;
}

/* A text cell terminated in place; absent: NULL. */
static inline const char *fstr(const struct csvpass *p, struct rr_fastrow *fr, int c)
{
	if (p->idx[c] < 0)
		return NULL;
	*fr->e[c] = '\0';
	return fr->s[c];
}

/* One known file's rows, all of them, to fns' callback for it (rrows.c). */
int rr_read_file(const struct rr_dir *d, enum rr_file f, const struct rr_tail_fns *fns,
		 void *arg, struct rr_csv_stats *st, char *msg, size_t len);
/* stalls.csv's columns and the pump of an open pass over it (rstalls.c). */
extern const struct colspec rr_stall_cols[];
int rr_pump_stalls(struct csvpass *p, rr_stall_fn fn, void *arg);

#endif
