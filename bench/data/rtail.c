/*
 * Result directory reader, part 3: following a directory that is still
 * being written (a live view, resread.h's rr_tail): each poll hands the
 * complete rows appended since the last one, and goes on in NAME.zst when
 * the driver moves a grown file there.
 */
#include "resread_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
struct rr_tail {
	struct csvpass p;
	enum rr_file file;
	bool open;
};


int rr_tail_new(const struct rr_dir *d, enum rr_file file, struct rr_tail **out)
{
	struct rr_tail *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->p.d = d;
	t->p.r.fd = -1;
	t->file = file;
	*out = t;
	return 0;
}

void rr_tail_free(struct rr_tail *t)
{
	if (!t)
		return;
	rr_pass_close(&t->p);
	free(t);
}

const struct rr_csv_stats *rr_tail_stats(const struct rr_tail *t)
{
	return &t->p.st;
}

/* Opens the file once its header is complete; 0, -ENOENT/-EAGAIN (not yet), -errno. */
static int tail_start(struct rr_tail *t, char *msg, size_t len)
{
	const struct rr_dir *d = t->p.d;
	int ret;

	if (t->open)
		return 0;
	ret = rr_pass_open(&t->p, d, rr_files[t->file].name, rr_files[t->file].cols,
			rr_files[t->file].ncols, true, msg, len);
	if (ret < 0) {
		rr_pass_close(&t->p);
		t->p.d = d;
		return ret;
	}
	t->open = true;
	return 0;
}

/*
 * The driver moved the plain file it was growing to NAME.zst (whose rows
 * start with the plain file's) and unlinked it: go on in NAME.zst, past what
 * was read here already. True if it did.
 */
static bool tail_switch(struct rr_tail *t)
{
	struct csvpass *p = &t->p;
	char path[4200];
	struct stat st;
	off_t off;
	int fd;

	if (p->r.z || fstat(p->r.fd, &st) || st.st_nlink)
		return false;
	snprintf(path, sizeof(path), "%s/%s.zst", p->d->path, rr_files[t->file].name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	off = lseek(p->r.fd, 0, SEEK_CUR);
	if (fd < 0 || off < 0) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	p->r.z = ZSTD_createDCtx();
	p->r.zin = malloc(RR_ZIN_SIZE);
	if (!p->r.z || !p->r.zin) {
		close(fd);
		return false;
	}
	close(p->r.fd);
	p->r.fd = fd;
	p->r.zskip = (uint64_t)off;
	snprintf(p->zname, sizeof(p->zname), "%s.zst", rr_files[t->file].name);
	p->file = p->zname;
	return true;
}

static int tail_pump(struct rr_tail *t, const struct rr_tail_fns *fns, void *arg)
{
	return rr_pump_file(&t->p, t->file, fns, arg);
}

int rr_tail_poll(struct rr_tail *t, const struct rr_tail_fns *fns, void *arg,
		 char *msg, size_t len)
{
	int ret = tail_start(t, msg, len);

	if (ret == -ENOENT || ret == -EAGAIN)
		return 0;
	if (ret < 0)
		return ret;
	t->p.msg = msg;
	t->p.len = len;
	t->p.r.eof = false;	/* read what was appended since the last poll */
	ret = tail_pump(t, fns, arg);
	if (ret == 0 && tail_switch(t)) {
		t->p.r.eof = false;
		ret = tail_pump(t, fns, arg);
	}
	return ret;
}
