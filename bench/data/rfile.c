/*
 * Result files through a stdio cookie: the runner keeps printing rows with
 * fprintf, and every byte stdio hands over is written (or compressed) here
 * with its error kept. After the first error the file takes nothing more:
 * what is on disk stays a prefix of the rows, which the readers read with
 * --allow-incomplete.
 */
#include "rfile.h"
#include "monoclock.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#define ZSTD_STATIC_LINKING_ONLY	/* a compressor in memory allocated once, at open */
#include <zstd.h>

/* Level 3 (zstd's default): ~5x on ops.csv at well under a microsecond per
 * row here; higher levels cost the driver CPU it shares with the workload. */
#define RF_LEVEL	3
/* A 128 KiB window: rows repeat within a few lines; compresses ops.csv as
 * well as the default 2 MiB and the compressor needs 1.7 MiB instead of 3.6. */
#define RF_WLOG		17
#define RF_STDIO_BUF	(64u << 10)
#define RF_ZFLUSH_NS	1000000000ull

struct rfile {
	char dir[PATH_MAX];
	char name[72];		/* current: "ops.csv" or "ops.csv.zst" */
	char base[64];		/* "ops.csv" */
	FILE *fp;
	int fd;
	enum rf_mode mode;
	uint64_t above;
	ZSTD_CCtx *z;		/* NULL: plain (yet); else zc */
	ZSTD_CCtx *zc;		/* in zws: allocated at open for RF_ZSTD and RF_AUTO, so
				 * the switch to zstd does not grow the driver mid-run */
	void *zws;
	void *zout;
	size_t zout_len;
	uint64_t in, out;
	uint64_t last_zflush;
	int err;
	const char *op;
	bool pending;		/* zstd: input since the last block end */
	bool closed;
};

static int fail(struct rfile *f, const char *op, int err)
{
	if (!f->err) {
		f->err = err < 0 ? err : -EIO;
		f->op = op;
	}
	return f->err;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Feeds n bytes (or none, to flush/end) to the compressor, writing its output to fd. */
static int zpush(struct rfile *f, int fd, const void *buf, size_t n, ZSTD_EndDirective e,
		 uint64_t *out)
{
	ZSTD_inBuffer in = { buf, n, 0 };

	for (;;) {
		ZSTD_outBuffer o = { f->zout, f->zout_len, 0 };
		size_t left = ZSTD_compressStream2(f->z, &o, &in, e);
		int ret;

		if (ZSTD_isError(left))
			return -EIO;
		if (o.pos) {
			ret = write_all(fd, f->zout, o.pos);
			if (ret)
				return ret;
			*out += o.pos;
		}
		if (e == ZSTD_e_continue ? in.pos == in.size : left == 0)
			return 0;
	}
}

/* The compressor and its output buffer, in memory sized for them up front. */
static int zalloc(struct rfile *f)
{
	ZSTD_CCtx_params *p;
	size_t need;

	if (f->zc)
		return 0;
	p = ZSTD_createCCtxParams();
	if (!p)
		return -ENOMEM;
	ZSTD_CCtxParams_init(p, RF_LEVEL);
	ZSTD_CCtxParams_setParameter(p, ZSTD_c_windowLog, RF_WLOG);
	need = ZSTD_estimateCStreamSize_usingCCtxParams(p);
	ZSTD_freeCCtxParams(p);
	f->zws = malloc(need);
	f->zout_len = ZSTD_CStreamOutSize();
	f->zout = malloc(f->zout_len);
	if (!f->zws || !f->zout)
		return -ENOMEM;
	memset(f->zws, 0, need);	/* resident now, not when the switch comes */
	f->zc = ZSTD_initStaticCCtx(f->zws, need);
	if (!f->zc ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(f->zc, ZSTD_c_compressionLevel, RF_LEVEL)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(f->zc, ZSTD_c_windowLog, RF_WLOG)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(f->zc, ZSTD_c_checksumFlag, 0)))
		return -EINVAL;
	return 0;
}

static int zstart(struct rfile *f)
{
	int ret = zalloc(f);

	if (!ret)
		f->z = f->zc;
	return ret;
}

static void zstop(struct rfile *f)
{
	free(f->zws);	/* a static context: its memory is all there is to free */
	free(f->zout);
	f->z = f->zc = NULL;
	f->zws = f->zout = NULL;
}

/*
 * RF_AUTO past its size: compresses the plain file into .NAME.zst.tmp, ends a
 * block, renames it to NAME.zst and only then unlinks NAME, so at every
 * moment one complete copy of the rows is there (readers prefer NAME.zst).
 */
static int to_zstd(struct rfile *f)
{
	char plain[PATH_MAX + 80], tmp[PATH_MAX + 80], dst[PATH_MAX + 80];
	uint64_t out = 0;
	int in = -1, fd = -1, ret;
	char *buf = NULL;
	ssize_t n;

	snprintf(plain, sizeof(plain), "%s/%s", f->dir, f->base);
	snprintf(tmp, sizeof(tmp), "%s/.%s.zst.tmp", f->dir, f->base);
	snprintf(dst, sizeof(dst), "%s/%s.zst", f->dir, f->base);
	ret = zstart(f);
	if (ret)
		goto fail;
	buf = malloc(RF_STDIO_BUF);
	in = open(plain, O_RDONLY | O_CLOEXEC);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (!buf || in < 0 || fd < 0) {
		ret = !buf ? -ENOMEM : -errno;
		goto fail;
	}
	while ((n = read(in, buf, RF_STDIO_BUF)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto fail;
		}
		ret = zpush(f, fd, buf, (size_t)n, ZSTD_e_continue, &out);
		if (ret)
			goto fail;
	}
	ret = zpush(f, fd, NULL, 0, ZSTD_e_flush, &out);
	if (!ret && fsync(fd))
		ret = -errno;
	if (!ret && rename(tmp, dst))
		ret = -errno;
	if (ret)
		goto fail;
	unlink(plain);
	close(in);
	close(f->fd);
	free(buf);
	f->fd = fd;
	f->out = out;
	f->last_zflush = now_ns();
	snprintf(f->name, sizeof(f->name), "%s.zst", f->base);
	return 0;
fail:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	if (in >= 0)
		close(in);
	free(buf);
	if (f->zc)
		ZSTD_CCtx_reset(f->zc, ZSTD_reset_session_only);
	f->z = NULL;
	return ret;
}

static ssize_t ck_write(void *c, const char *buf, size_t n)
{
	struct rfile *f = c;
	int ret;

	if (f->err) {
		errno = -f->err;
		return 0;
	}
	if (!f->z && f->mode == RF_AUTO && f->above && f->in + n > f->above) {
		ret = to_zstd(f);
		if (ret) {
			fail(f, "compress", ret);
			errno = -ret;
			return 0;
		}
	}
	if (f->z) {
		ret = zpush(f, f->fd, buf, n, ZSTD_e_continue, &f->out);
		f->pending = true;
	} else {
		ret = write_all(f->fd, buf, n);
		if (!ret)
			f->out += n;
	}
	if (ret) {
		fail(f, "write", ret);
		errno = -ret;
		return 0;
	}
	f->in += n;
	return (ssize_t)n;
}

static int ck_close(void *c)
{
	(void)c;	/* rf_close ends the frame and closes the fd itself */
	return 0;
}

int rf_open(const char *dir, const char *name, enum rf_mode mode, uint64_t above,
	    struct rfile **out)
{
	cookie_io_functions_t io = { .write = ck_write, .close = ck_close };
	struct rfile *f = calloc(1, sizeof(*f));
	char path[PATH_MAX + 80];
	int ret;

	if (!f)
		return -ENOMEM;
	if (strlen(dir) >= sizeof(f->dir) || strlen(name) >= sizeof(f->base)) {
		free(f);
		return -ENAMETOOLONG;
	}
	strcpy(f->dir, dir);
	strcpy(f->base, name);
	snprintf(f->name, sizeof(f->name), "%s%s", name, mode == RF_ZSTD ? ".zst" : "");
	f->mode = mode;
	f->above = above;
	snprintf(path, sizeof(path), "%s/%s", dir, f->name);
	f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (f->fd < 0) {
		ret = -errno;
		free(f);
		return ret;
	}
	if ((mode == RF_ZSTD && (ret = zstart(f))) || (mode == RF_AUTO && (ret = zalloc(f)))) {
		zstop(f);
		close(f->fd);
		free(f);
		return ret;
	}
	f->fp = fopencookie(f, "w", io);
	if (!f->fp) {
		zstop(f);
		close(f->fd);
		free(f);
		return -ENOMEM;
	}
	setvbuf(f->fp, NULL, _IOFBF, RF_STDIO_BUF);
	f->last_zflush = now_ns();
	*out = f;
	return 0;
}

FILE *rf_stream(struct rfile *f)
{
	return f->fp;
}

int rf_flush(struct rfile *f, bool force)
{
	uint64_t now;
	int ret;

	if (fflush(f->fp) && !f->err)
		fail(f, "write", -(errno ? errno : EIO));
	if (f->err || !f->z || !f->pending)
		return f->err;
	now = now_ns();
	if (!force && now - f->last_zflush < RF_ZFLUSH_NS)
		return 0;
	ret = zpush(f, f->fd, NULL, 0, ZSTD_e_flush, &f->out);
	if (ret)
		return fail(f, "write", ret);
	f->last_zflush = now;
	f->pending = false;
	return 0;
}

int rf_close(struct rfile *f, bool sync)
{
	int ret;

	if (!f || f->closed)
		return f ? f->err : 0;
	f->closed = true;
	if (fflush(f->fp) && !f->err)
		fail(f, "write", -(errno ? errno : EIO));
	if (!f->err && f->z) {
		ret = zpush(f, f->fd, NULL, 0, ZSTD_e_end, &f->out);
		if (ret)
			fail(f, "write", ret);
	}
	if (!f->err && sync && fsync(f->fd))
		fail(f, "fsync", -errno);
	fclose(f->fp);	/* the cookie's buffer: already flushed above */
	if (close(f->fd) && !f->err)
		fail(f, "close", -errno);
	zstop(f);
	return f->err;
}

void rf_free(struct rfile *f)
{
	if (!f)
		return;
	rf_close(f, false);
	free(f);
}

int rf_error(const struct rfile *f)
{
	return f ? f->err : 0;
}

const char *rf_failed_op(const struct rfile *f)
{
	return f && f->op ? f->op : "";
}

const char *rf_name(const struct rfile *f)
{
	return f->name;
}
