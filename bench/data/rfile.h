/*
 * A result CSV written row by row through stdio, with every write, flush,
 * fsync and close checked: the first error is kept, with the operation and
 * the file's name, so a full disk ends the run as a reported failure. The
 * file can be zstd-compressed (NAME.zst, one frame, a block boundary at each
 * rf_flush so a crash leaves every flushed row readable), either from the
 * start or once it has grown past a size (RF_AUTO: what was written so far is
 * compressed into NAME.zst, which then replaces NAME). Pure data.
 */
#ifndef STALLBENCH_RFILE_H
#define STALLBENCH_RFILE_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum rf_mode { RF_PLAIN, RF_ZSTD, RF_AUTO };

/* The auto mode's default switch-over size. */
#define RF_AUTO_ABOVE	(64ull << 20)

struct rfile;

/* Creates dir/name (dir/name.zst for RF_ZSTD). RF_AUTO starts plain and moves
 * to name.zst once more than above bytes were written. 0 or -errno. */
int rf_open(const char *dir, const char *name, enum rf_mode mode, uint64_t above,
	    struct rfile **out);
/* The stream to print rows into. */
FILE *rf_stream(struct rfile *f);
/* Pushes what was printed into the file (zstd: at most once a second, or
 * always with force: a block end). 0 or the file's first -errno. */
int rf_flush(struct rfile *f, bool force);
/* Ends the file (zstd frame end), fsync when sync, close. 0 or the file's
 * first -errno (the one rf_error gives). Once; NULL is fine. */
int rf_close(struct rfile *f, bool sync);
/* Closes (without fsync) if still open, and frees. NULL is fine. */
void rf_free(struct rfile *f);
/* The file's first error (-errno), 0 if none. */
int rf_error(const struct rfile *f);
/* What failed first ("write", "fsync", "close", "compress"...), "" if nothing. */
const char *rf_failed_op(const struct rfile *f);
/* The file's current name in its directory ("ops.csv" or "ops.csv.zst"). */
const char *rf_name(const struct rfile *f);
#endif
