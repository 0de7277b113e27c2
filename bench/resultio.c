/* Result file helpers: atomic JSON, errno and flag names shared by the writer
 * (runner) and the readers (report/compare/plot). */
#include "resultio.h"
#include "oprec.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int json_write_atomic_opts(const char *dir, const char *name, const json_t *j, size_t jflags,
			   bool sync)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd, ret = 0;
	char *s;
	size_t len, off = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	s = json_dumps(j, jflags);
	if (!s)
		return -ENOMEM;
	len = strlen(s);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, s + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (!ret && write(fd, "\n", 1) != 1)
		ret = -EIO;
	if (!ret && sync && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
out:
	free(s);
	return ret;
}

int json_write_atomic(const char *dir, const char *name, const json_t *j)
{
	return json_write_atomic_opts(dir, name, j, JSON_INDENT(2) | JSON_SORT_KEYS |
				      JSON_REAL_PRECISION(10), true);
}

static const struct { int e; const char *n; } errnames[] = {
#define E(x) { x, #x }
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT),
	E(EBUSY), E(EEXIST), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL),
	E(ENFILE), E(EMFILE), E(ENOTTY), E(EFBIG), E(ENOSPC), E(ESPIPE),
	E(EROFS), E(EMLINK), E(EPIPE), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG),
	E(ENOSYS), E(ENOTSUP), E(ETIMEDOUT), E(EOVERFLOW), E(EDQUOT),
	E(ECANCELED), E(EOWNERDEAD),
#undef E
};

const char *errno_name(int e)
{
	static __thread char buf[16];

	if (!e)
		return "0";
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].e == e)
			return errnames[i].n;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

int errno_from_name(const char *s, int *e)
{
	char *end;
	long v;

	if (!strcmp(s, "0")) {
		*e = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(errnames[i].n, s)) {
			*e = errnames[i].e;
			return 0;
		}
	if (s[0] == 'E' && s[1]) {
		v = strtol(s + 1, &end, 10);
		if (!*end && v > 0 && v < 4096) {
			*e = (int)v;
			return 0;
		}
	}
	return -EINVAL;
}

const char *opflags_str(unsigned int flags, char *buf, size_t len)
{
	static const char *const names[] = {
		"killed", "null", "mismatch", "unfinished", "module", "huge", "sigpending",
	};
	size_t off = 0;

	buf[0] = 0;
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & (1u << i)))
			continue;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s",
					off ? "|" : "", names[i]);
	}
	return buf;
}

json_t *dist_json(const struct dist *d)
{
	return json_pack("{s:I,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f}",
			 "count", (json_int_t)d->count, "min", d->min, "mean", d->mean,
			 "p50", d->p50, "p90", d->p90, "p99", d->p99, "p999", d->p999,
			 "max", d->max, "stddev", d->stddev, "total", d->total);
}

int mkdir_p(const char *dir, unsigned int mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(dir);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}
