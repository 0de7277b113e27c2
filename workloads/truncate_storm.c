/*
 * truncate-storm: workers keep a live set of files (by default twice the cap)
 * and cut and refill them with ftruncate-to-smaller, truncate-to-0,
 * fallocate(PUNCH_HOLE) and unlink-while-open (the inode is evicted at the
 * last close). The live set is what makes the cap bite: a storm that deletes
 * each file right after cutting it keeps a few MiB of page cache and never
 * reaches the cap. Every call is timed and its errno kept; the size is
 * verified after every cut and every refill, and a mismatch is an error row.
 * --holes SIZE punches a hole of SIZE every 2*SIZE after each refill (op
 * "fragment"): files of many extents, so a cut has extent-tree blocks to
 * split and free instead of the one or two extents a sequential write makes.
 */
#include "workload.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <unistd.h>
#include <jansson.h>
#include <linux/falloc.h>
#include <linux/magic.h>

enum { OP_WRITE, OP_FTRUNCATE, OP_TRUNCATE, OP_PUNCH, OP_UNLINK_CLOSE, OP_NR_CUTS,
       OP_FRAGMENT = OP_NR_CUTS };

static const char *const storm_ops[] = {
	"write", "ftruncate", "truncate", "punch", "unlink_close", "fragment", NULL,
};

struct storm {
	char dir[WL_STR_MAX];
	uint64_t file_size;
	uint64_t live;
	char mix[WL_STR_MAX];
	uint64_t block;
	uint64_t fragment;
	bool fsync;
	uint64_t seed;
	/* derived */
	unsigned int weight[OP_NR_CUTS];
	unsigned int wsum;
	char path[PATH_MAX];	/* the directory actually used */
	bool made_dir;
	char fstype[32];
	char mnt_opts[1024];	/* the filesystem's mount (super block) options */
	char mnt_dev[256];	/* the mount's source: its device */
};

#define O(f) offsetof(struct storm, f)
static const struct wl_opt storm_opts[] = {
	{ "dir", WOPT_STR, O(dir), "", "directory for the files (default: OUT/.storm, removed after)", NULL },
	{ "file-size", WOPT_SIZE, O(file_size), "8M", "size of each file", NULL },
	{ "live", WOPT_SIZE, O(live), "0", "live set kept on disk/page cache (0: 2x cap, 256M uncapped)", NULL },
	{ "mix", WOPT_STR, O(mix), "ftruncate=1,truncate=1,punch=1,unlink=1",
	  "cut mix, weights of ftruncate,truncate,punch,unlink", NULL },
	{ "block", WOPT_SIZE, O(block), "256K", "write size per write(2) when refilling", NULL },
	{ "holes", WOPT_SIZE, O(fragment), "0",
	  "after each refill punch a SIZE hole every 2*SIZE (files of many extents; 0: off)", NULL },
	{ "fsync", WOPT_BOOL, O(fsync), "no", "fsync after each refill", NULL },
	{ "seed", WOPT_UINT, O(seed), "1", "random seed for the cut order", NULL },
	{ NULL },
};
#undef O

static int storm_check(void *priv, const struct run_env *env, char *err, size_t len)
{
	struct storm *s = priv;
	char buf[WL_STR_MAX], *tok, *save;
	static const char *const names[] = { NULL, "ftruncate", "truncate", "punch", "unlink" };

	(void)env;
	memset(s->weight, 0, sizeof(s->weight));
	s->wsum = 0;
	snprintf(buf, sizeof(buf), "%s", s->mix);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		unsigned long w = 1;
		int k;

		if (eq) {
			*eq = 0;
			w = strtoul(eq + 1, &end, 10);
			if (!eq[1] || *end || w > 1000) {
				snprintf(err, len, "--mix: '%s': weight must be 0..1000", eq + 1);
				return -EINVAL;
			}
		}
		for (k = 1; k < OP_NR_CUTS; k++)
			if (!strcmp(tok, names[k]))
				break;
		if (k == OP_NR_CUTS) {
			snprintf(err, len, "--mix: unknown cut '%s' (ftruncate, truncate, punch, unlink)", tok);
			return -EINVAL;
		}
		s->weight[k] = (unsigned int)w;
		s->wsum += (unsigned int)w;
	}
	if (!s->wsum) {
		snprintf(err, len, "--mix '%s': no cut with a weight above 0", s->mix);
		return -EINVAL;
	}
	if (s->file_size < 8192 || s->file_size % 4096) {
		snprintf(err, len, "--file-size: must be a multiple of 4K and at least 8K");
		return -EINVAL;
	}
	if (!s->block || s->block > (64ull << 20)) {
		snprintf(err, len, "--block: must be between 1 byte and 64M");
		return -EINVAL;
	}
	if (s->fragment && (s->fragment % 4096 || 2 * s->fragment > s->file_size)) {
		snprintf(err, len, "--holes: must be a multiple of 4K and at most half of --file-size");
		return -EINVAL;
	}
	if (s->dir[0] && wl_check_dir("--dir", s->dir, err, len))
		return -EINVAL;
	return 0;
}

static int storm_supported(const void *priv, const struct run_env *env, char *why, size_t len)
{
	const struct storm *s = priv;

	(void)env;
	if (s->dir[0] && access(s->dir, W_OK | X_OK)) {
		snprintf(why, len, "--dir %s: %s", s->dir, strerror(errno));
		return -errno;
	}
	return 0;
}

static const char *fs_name(long type)
{
	switch (type) {
	case EXT4_SUPER_MAGIC: return "ext4";	/* also ext2/ext3 */
	case 0x58465342: return "xfs";
	case BTRFS_SUPER_MAGIC: return "btrfs";
	case TMPFS_MAGIC: return "tmpfs";
	case 0x01021997: return "9p";
	case 0x794c7630: return "overlayfs";
	case 0x2fc12fc1: return "zfs";
	case 0xf2f52010: return "f2fs";
	case NFS_SUPER_MAGIC: return "nfs";
	default: return "unknown";
	}
}

/* The super-block options of the mount holding path (the longest mount point
 * that prefixes it in /proc/self/mountinfo): what mkfs and mount chose; and
 * its source (the device). */
static void mount_opts(const char *path, char *out, size_t len, char *dev, size_t dlen)
{
	char real[PATH_MAX], line[4096];
	size_t best = 0;
	FILE *f;

	out[0] = 0;
	dev[0] = 0;
	if (!realpath(path, real) || !(f = fopen("/proc/self/mountinfo", "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		char mp[PATH_MAX], sup[1024], src[256], *dash = strstr(line, " - ");
		size_t n;

		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
		    sscanf(dash + 3, "%*s %255s %1023s", src, sup) != 2)
			continue;
		n = strlen(mp);
		if (strncmp(real, mp, n) || (real[n] && real[n] != '/' && n > 1) || n < best)
			continue;
		best = n;
		snprintf(out, len, "%s", sup);
		snprintf(dev, dlen, "%s", src);
	}
	fclose(f);
}

static int storm_setup(void *priv, const struct run_env *env, char *err, size_t len)
{
	struct storm *s = priv;
	struct statfs sf;

	if (s->dir[0])
		snprintf(s->path, sizeof(s->path), "%s/stallbench-storm-%d", s->dir, (int)getpid());
	else
		snprintf(s->path, sizeof(s->path), "%s/.storm", env->outdir);
	if (mkdir(s->path, 0700) && errno != EEXIST) {
		snprintf(err, len, "truncate-storm: cannot create %s: %s", s->path, strerror(errno));
		return -errno;
	}
	s->made_dir = true;
	if (!statfs(s->path, &sf))
		snprintf(s->fstype, sizeof(s->fstype), "%s", fs_name(sf.f_type));
	mount_opts(s->path, s->mnt_opts, sizeof(s->mnt_opts), s->mnt_dev, sizeof(s->mnt_dev));
	if (!s->live)
		s->live = env->cap ? 2 * env->cap : 256ull << 20;
	return 0;
}

static void storm_describe(const void *priv, json_t *o)
{
	const struct storm *s = priv;

	const char *mkfs = getenv("STALLBENCH_MKFS");

	json_object_set_new(o, "fstype", json_string(s->fstype));
	json_object_set_new(o, "mount_options", json_string(s->mnt_opts));
	json_object_set_new(o, "device", json_string(s->mnt_dev));
	/* how the filesystem was made, when whoever made it says so (the lab does) */
	json_object_set_new(o, "mkfs", mkfs && *mkfs ? json_string(mkfs) : json_null());
	json_object_set_new(o, "dir_used", json_string(s->path));
	json_object_set_new(o, "live_bytes", json_integer((json_int_t)s->live));
	if (s->fragment)
		json_object_set_new(o, "extents_per_file",
				    json_integer((json_int_t)(s->file_size / (2 * s->fragment))));
}

struct sfile {
	int fd;
	bool full;	/* holds file_size bytes of data */
};

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Size of path/fd as the kernel sees it, or -1. */
static long long fsize(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : (long long)st.st_size;
}

/* Writes the file full (op "write"); verifies the size. */
static void refill(struct wl_ctx *c, struct storm *s, struct sfile *f, const char *path,
		   const char *buf)
{
	uint64_t t = op_begin(c, OP_WRITE, s->file_size);
	int err = 0;
	uint16_t flags = 0;

	if (f->fd < 0) {
		f->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (f->fd < 0)
			err = errno;
	}
	for (uint64_t off = 0; !err && off < s->file_size;) {
		size_t n = s->file_size - off < s->block ? s->file_size - off : s->block;
		ssize_t w = pwrite(f->fd, buf, n, (off_t)off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		off += (uint64_t)w;
	}
	if (!err && s->fsync && fsync(f->fd))
		err = errno;
	if (!err && fsize(f->fd) != (long long)s->file_size)
		flags |= OPF_MISMATCH;
	op_end(c, t, err, flags);
	f->full = !err;
	if (f->full && s->fragment && !wl_should_stop(c)) {
		/* every other SIZE punched out: file_size / (2*SIZE) extents of data */
		t = op_begin(c, OP_FRAGMENT, s->file_size / 2);
		err = 0;
		flags = 0;
		for (uint64_t off = s->fragment; off < s->file_size; off += 2 * s->fragment)
			if (fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				      (off_t)off, (off_t)s->fragment)) {
				err = errno;
				break;
			}
		if (!err && fsize(f->fd) != (long long)s->file_size)
			flags |= OPF_MISMATCH;
		op_end(c, t, err, flags);
		f->full = !err;
	}
}

static int storm_run(struct wl_ctx *c)
{
	struct storm *s = c->priv;
	uint64_t per = s->live / s->file_size / (c->nr_workers ? c->nr_workers : 1);
	uint64_t rnd = s->seed * 0x9e3779b97f4a7c15ull + c->worker + 1;
	struct sfile *files;
	char *buf, path[PATH_MAX + 64];

	if (per < 1)
		per = 1;
	files = calloc(per, sizeof(*files));
	buf = malloc(s->block);
	if (!files || !buf)
		return 1;
	memset(buf, 0x5a, s->block);
	for (uint64_t i = 0; i < per; i++)
		files[i].fd = -1;

	/* Build the live set first, then cut and refill within it. */
	for (uint64_t i = 0; i < per && !wl_should_stop(c); i++) {
		snprintf(path, sizeof(path), "%s/w%u-f%llu", s->path, c->worker, (unsigned long long)i);
		refill(c, s, &files[i], path, buf);
	}
	while (!wl_should_stop(c)) {
		uint64_t i = xorshift(&rnd) % per;
		struct sfile *f = &files[i];
		unsigned int pick = (unsigned int)(xorshift(&rnd) % s->wsum), k;
		uint64_t t, half = (s->file_size / 2) & ~4095ull;
		int err = 0;
		uint16_t flags = 0;
		long long sz;

		snprintf(path, sizeof(path), "%s/w%u-f%llu", s->path, c->worker, (unsigned long long)i);
		if (!f->full || f->fd < 0) {
			refill(c, s, f, path, buf);
			continue;
		}
		for (k = 1; k < OP_NR_CUTS; k++) {
			if (pick < s->weight[k])
				break;
			pick -= s->weight[k];
		}
		switch (k) {
		case OP_FTRUNCATE:
			t = op_begin(c, OP_FTRUNCATE, s->file_size - half);
			if (ftruncate(f->fd, (off_t)half))
				err = errno;
			sz = fsize(f->fd);
			if (!err && sz != (long long)half)
				flags |= OPF_MISMATCH;
			op_end(c, t, err, flags);
			break;
		case OP_TRUNCATE:
			t = op_begin(c, OP_TRUNCATE, s->file_size);
			if (truncate(path, 0))
				err = errno;
			sz = fsize(f->fd);
			if (!err && sz != 0)
				flags |= OPF_MISMATCH;
			op_end(c, t, err, flags);
			break;
		case OP_PUNCH:
			t = op_begin(c, OP_PUNCH, half);
			if (fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				      (off_t)(s->file_size / 4) & ~4095, (off_t)half))
				err = errno;
			sz = fsize(f->fd);
			if (!err && sz != (long long)s->file_size)
				flags |= OPF_MISMATCH;
			op_end(c, t, err, flags);
			break;
		default: {	/* unlink while open: eviction happens at the last close */
			struct stat st;

			t = op_begin(c, OP_UNLINK_CLOSE, s->file_size);
			if (unlink(path))
				err = errno;
			if (close(f->fd) && !err)
				err = errno;
			f->fd = -1;
			if (!err && stat(path, &st) == 0)
				flags |= OPF_MISMATCH;
			op_end(c, t, err, flags);
			break;
		}
		}
		f->full = false;
		if (!wl_should_stop(c))
			refill(c, s, f, path, buf);
	}
	for (uint64_t i = 0; i < per; i++)
		if (files[i].fd >= 0)
			close(files[i].fd);
	free(files);
	free(buf);
	return 0;
}

static void storm_cleanup(void *priv, const struct run_env *env)
{
	struct storm *s = priv;

	(void)env;
	if (s->made_dir)
		wl_remove_dir(s->path);
	s->made_dir = false;
}

const struct workload wl_truncate_storm = {
	.name = "truncate-storm",
	.help = "write a live set of files and cut them (ftruncate/truncate/punch/unlink-while-open)",
	.opts = storm_opts,
	.priv_size = sizeof(struct storm),
	.op_names = storm_ops,
	.check = storm_check,
	.supported = storm_supported,
	.setup = storm_setup,
	.run = storm_run,
	.describe = storm_describe,
	.cleanup = storm_cleanup,
};
