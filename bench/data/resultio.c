/* Result files written whole: atomic JSON, a dist as JSON, mkdir -p. */
#include "resultio.h"
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
