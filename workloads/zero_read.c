/*
 * zero-read: ops that burn CPU in a known kernel function. Each op is one
 * read(2) of --size bytes of /dev/zero into a buffer the worker faulted in
 * beforehand, so the op's time on a CPU is read_zero clearing user memory
 * (on kernels where the clear is an out-of-line helper, that helper is
 * skipped: cpusite.h). It is what the on-CPU attribution is checked against.
 */
#include "workload.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

enum { OP_READ };
static const char *const zr_ops[] = { "read", NULL };

struct zeroread {
	uint64_t size;
};

#define O(f) offsetof(struct zeroread, f)
static const struct wl_opt zr_opts[] = {
	{ "size", WOPT_SIZE, O(size), "1M", "bytes of /dev/zero each op reads", NULL },
	{ NULL },
};
#undef O

static int zr_check(void *priv, const struct run_env *env, char *err, size_t len)
{
	struct zeroread *z = priv;

	(void)env;
	if (!z->size || z->size > (1ull << 30)) {
		snprintf(err, len, "--size: must be above 0 and at most 1G");
		return -EINVAL;
	}
	return 0;
}

static void zr_describe(const void *priv, json_t *o)
{
	const struct zeroread *z = priv;

	json_object_set_new(o, "size_bytes", json_integer((json_int_t)z->size));
}

static int zr_run(struct wl_ctx *c)
{
	const struct zeroread *z = c->priv;
	char *buf = malloc(z->size);
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);

	if (!buf || fd < 0) {
		fprintf(stderr, "zero-read: %s\n", !buf ? "out of memory" : strerror(errno));
		free(buf);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	memset(buf, 1, z->size);	/* faulted in: the ops clear, they do not fault */
	while (!wl_should_stop(c)) {
		uint64_t t = op_begin(c, OP_READ, z->size);
		ssize_t n = read(fd, buf, z->size);

		op_end(c, t, n < 0 ? errno : 0, 0);
	}
	close(fd);
	free(buf);
	return 0;
}

const struct workload wl_zero_read = {
	.name = "zero-read",
	.help = "read(2) of --size bytes of /dev/zero per op: CPU time in read_zero\n"
		"(a known on-CPU site)",
	.opts = zr_opts,
	.priv_size = sizeof(struct zeroread),
	.op_names = zr_ops,
	.check = zr_check,
	.run = zr_run,
	.describe = zr_describe,
};
