/*
 * memhog: background pressure. Fills the cgroup to a fraction of its cap with
 * anonymous memory or page cache, then keeps touching what it holds so the
 * pages stay hot and reclaim has to work for them. Its fills and touch passes
 * are recorded like any op, so their stalls are seen too.
 */
#include "workload.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <numaif.h>

enum { OP_FILL, OP_TOUCH };
static const char *const hog_ops[] = { "fill", "touch", NULL };

struct memhog {
	char mode[WL_STR_MAX];
	double fraction;
	uint64_t size;
	uint64_t chunk;
	uint64_t interval;
	char dir[WL_STR_MAX];
	/* derived */
	bool file;
	uint64_t target;
	char path[PATH_MAX];
	bool made_dir;
};

#define O(f) offsetof(struct memhog, f)
static const struct wl_opt hog_opts[] = {
	{ "mode", WOPT_STR, O(mode), "anon", "anon (private anonymous memory) or file (page cache)", NULL },
	{ "fraction", WOPT_DOUBLE, O(fraction), "0.5", "fill this fraction of the cap (all hog workers together)", NULL },
	{ "hog-size", WOPT_SIZE, O(size), "0", "fill this much instead (needed without a cap; default 64M then)", "size" },
	{ "chunk", WOPT_SIZE, O(chunk), "4M", "fill in chunks of this size (one op each)", NULL },
	{ "interval", WOPT_DURATION, O(interval), "100ms", "pause between touch passes", NULL },
	{ "hog-dir", WOPT_STR, O(dir), "", "directory for file mode (default: OUT/.memhog)", "dir" },
	{ NULL },
};
#undef O

static int hog_check(void *priv, const struct run_env *env, char *err, size_t len)
{
	struct memhog *h = priv;

	if (!strcmp(h->mode, "anon"))
		h->file = false;
	else if (!strcmp(h->mode, "file"))
		h->file = true;
	else {
		snprintf(err, len, "--mode '%s': must be anon or file", h->mode);
		return -EINVAL;
	}
	if (!(h->fraction > 0 && h->fraction <= 4)) {
		snprintf(err, len, "--fraction %g: must be in (0, 4]", h->fraction);
		return -EINVAL;
	}
	if (h->chunk < 4096 || h->chunk > (1ull << 30)) {
		snprintf(err, len, "--chunk: must be between 4K and 1G");
		return -EINVAL;
	}
	h->target = h->size ? h->size : env->cap ? (uint64_t)(h->fraction * (double)env->cap)
						 : 64ull << 20;
	if (h->dir[0] && wl_check_dir("--hog-dir", h->dir, err, len))
		return -EINVAL;
	return 0;
}

static int hog_setup(void *priv, const struct run_env *env, char *err, size_t len)
{
	struct memhog *h = priv;

	if (!h->file)
		return 0;
	if (h->dir[0])
		snprintf(h->path, sizeof(h->path), "%s/stallbench-hog-%d", h->dir, (int)getpid());
	else
		snprintf(h->path, sizeof(h->path), "%s/.memhog", env->outdir);
	if (mkdir(h->path, 0700) && errno != EEXIST) {
		snprintf(err, len, "memhog: cannot create %s: %s", h->path, strerror(errno));
		return -errno;
	}
	h->made_dir = true;
	return 0;
}

static void hog_describe(const void *priv, json_t *o)
{
	const struct memhog *h = priv;

	json_object_set_new(o, "target_bytes", json_integer((json_int_t)h->target));
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };

	nanosleep(&ts, NULL);
}

static int hog_run(struct wl_ctx *c)
{
	struct memhog *h = c->priv;
	uint64_t mine = h->target / (c->nr_workers ? c->nr_workers : 1);
	uint64_t nch = (mine + h->chunk - 1) / h->chunk, done = 0;
	char **chunks = calloc(nch ? nch : 1, sizeof(*chunks));
	char path[PATH_MAX + 32], *buf = NULL;
	int fd = -1;
	long pg = sysconf(_SC_PAGESIZE);

	if (!chunks)
		return 1;
	if (h->file) {
		snprintf(path, sizeof(path), "%s/hog-%u", h->path, c->worker);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		buf = malloc(h->chunk);
		if (fd < 0 || !buf)
			return 1;
		memset(buf, 0xa5, h->chunk);
	}
	for (uint64_t i = 0; i < nch && !wl_should_stop(c); i++) {
		uint64_t t = op_begin(c, OP_FILL, h->chunk);
		int err = 0;

		if (h->file) {
			if (pwrite(fd, buf, h->chunk, (off_t)(i * h->chunk)) != (ssize_t)h->chunk)
				err = errno ? errno : EIO;
		} else {
			chunks[i] = mmap(NULL, h->chunk, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (chunks[i] == MAP_FAILED) {
				err = errno;
				chunks[i] = NULL;
			} else {
				void *pg0 = chunks[i];
				int st = -1;

				memset(chunks[i], 0xa5, h->chunk);
				/* Where the memory landed: placement is verified, not assumed. */
				if (!move_pages(0, 1, &pg0, NULL, &st, 0))
					c->ring->cur.landed_node = st;
			}
		}
		op_end(c, t, err, 0);
		if (!err)
			done++;
	}
	while (!wl_should_stop(c)) {
		uint64_t t = op_begin(c, OP_TOUCH, done * h->chunk);
		int err = 0;
		volatile char sink = 0;

		for (uint64_t i = 0; i < done && !err && !wl_should_stop(c); i++) {
			if (h->file) {
				if (pread(fd, buf, h->chunk, (off_t)(i * h->chunk)) < 0)
					err = errno;
			} else if (chunks[i]) {
				for (uint64_t o = 0; o < h->chunk; o += (uint64_t)pg)
					sink += chunks[i][o]++;
			}
		}
		(void)sink;
		op_end(c, t, err, 0);
		sleep_ns(h->interval);
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

static void hog_cleanup(void *priv, const struct run_env *env)
{
	struct memhog *h = priv;

	(void)env;
	if (h->made_dir)
		wl_remove_dir(h->path);
	h->made_dir = false;
}

const struct workload wl_memhog = {
	.name = "memhog",
	.help = "background pressure: fill a fraction of the cap with anon memory or page cache",
	.opts = hog_opts,
	.priv_size = sizeof(struct memhog),
	.op_names = hog_ops,
	.background = true,
	.check = hog_check,
	.setup = hog_setup,
	.run = hog_run,
	.describe = hog_describe,
	.cleanup = hog_cleanup,
};
