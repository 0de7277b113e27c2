/*
 * pipe-wait: ops that sleep in a known place, woken by a known task. Workers
 * pair up over a FIFO: the first of a pair times read(2) of one byte, which
 * sleeps in pipe_read until its partner writes; the partner times a
 * --delay nanosleep (do_nanosleep, woken by the timer interrupt), then
 * writes the byte. It is what the off-CPU attribution is checked against:
 * the wait site and the waker of every sleep are known in advance.
 */
#include "workload.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

enum { OP_READ, OP_NAP };
static const char *const pw_ops[] = { "read", "nap", NULL };

struct pipewait {
	uint64_t delay;
	char path[PATH_MAX];
	bool made_dir;
};

#define O(f) offsetof(struct pipewait, f)
static const struct wl_opt pw_opts[] = {
	{ "delay", WOPT_DURATION, O(delay), "5ms", "how long the writer naps before each byte", NULL },
	{ NULL },
};
#undef O

static int pw_check(void *priv, const struct run_env *env, char *err, size_t len)
{
	struct pipewait *p = priv;

	(void)env;
	if (!p->delay || p->delay > 10000000000ull) {
		snprintf(err, len, "--delay: must be above 0 and at most 10s");
		return -EINVAL;
	}
	return 0;
}

static int pw_setup(void *priv, const struct run_env *env, char *err, size_t len)
{
	struct pipewait *p = priv;

	snprintf(p->path, sizeof(p->path), "%s/.pipe-wait", env->outdir);
	if (mkdir(p->path, 0700) && errno != EEXIST) {
		snprintf(err, len, "pipe-wait: cannot create %s: %s", p->path, strerror(errno));
		return -errno;
	}
	p->made_dir = true;
	return 0;
}

static void pw_describe(const void *priv, json_t *o)
{
	const struct pipewait *p = priv;

	json_object_set_new(o, "delay_ns", json_integer((json_int_t)p->delay));
}

/* The reader of a pair: read(2) of one byte per op until its writer is gone. */
static int pw_reader(struct wl_ctx *c, int fd)
{
	while (!wl_should_stop(c)) {
		uint64_t t = op_begin(c, OP_READ, 1);
		char b;
		ssize_t n = read(fd, &b, 1);

		op_end(c, t, n < 0 ? errno : 0, 0);
		if (n <= 0)
			break;	/* the writer is gone (or an error, recorded) */
	}
	return 0;
}

/* The writer of a pair (or a worker without one): a timed nap, then the byte. */
static int pw_writer(struct wl_ctx *c, const struct pipewait *p, int fd)
{
	struct timespec d = { (time_t)(p->delay / 1000000000ull), (long)(p->delay % 1000000000ull) };

	while (!wl_should_stop(c)) {
		uint64_t t = op_begin(c, OP_NAP, 0);

		nanosleep(&d, NULL);
		op_end(c, t, 0, 0);
		if (fd >= 0 && write(fd, "x", 1) != 1)
			break;	/* the reader is gone */
	}
	return 0;
}

static int pw_run(struct wl_ctx *c)
{
	const struct pipewait *p = c->priv;
	bool reader = c->index % 2 == 0;
	char fifo[PATH_MAX + 32];
	int fd, rc;

	signal(SIGPIPE, SIG_IGN);
	if (reader && c->index + 1 == c->nr_workers)
		return pw_writer(c, p, -1);	/* no partner: naps alone */
	snprintf(fifo, sizeof(fifo), "%s/%u", p->path, c->index / 2);
	if (mkfifo(fifo, 0600) && errno != EEXIST) {
		fprintf(stderr, "pipe-wait: mkfifo %s: %s\n", fifo, strerror(errno));
		return 1;
	}
	/* each open waits for the other end: the pair starts together */
	fd = open(fifo, reader ? O_RDONLY | O_CLOEXEC : O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "pipe-wait: open %s: %s\n", fifo, strerror(errno));
		return 1;
	}
	rc = reader ? pw_reader(c, fd) : pw_writer(c, p, fd);
	close(fd);
	return rc;
}

static void pw_cleanup(void *priv, const struct run_env *env)
{
	struct pipewait *p = priv;

	(void)env;
	if (p->made_dir)
		wl_remove_dir(p->path);
}

const struct workload wl_pipe_wait = {
	.name = "pipe-wait",
	.help = "pairs of workers over a FIFO: read(2) sleeps in pipe_read until the partner,\n"
		"after a --delay nap, writes (a known wait site and waker)",
	.opts = pw_opts,
	.priv_size = sizeof(struct pipewait),
	.op_names = pw_ops,
	.check = pw_check,
	.setup = pw_setup,
	.run = pw_run,
	.describe = pw_describe,
	.cleanup = pw_cleanup,
};
