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

/* The workloads' OPF_* bits are the schema's flag names, bit for bit. */
#define X(e, n) _Static_assert(OPF_##e == 1u << SB_OPF_BIT_##e, "OPF_" #e " is not columns.h's bit");
SB_OP_FLAGS(X)
#undef X

const char *const sb_opflag_names[SB_OPF_NR] = {
#define X(e, n) [SB_OPF_BIT_##e] = n,
	SB_OP_FLAGS(X)
#undef X
};

const char *opflags_str(unsigned int flags, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (unsigned int i = 0; i < SB_OPF_NR; i++) {
		if (!(flags & (1u << i)))
			continue;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s",
					off ? "|" : "", sb_opflag_names[i]);
	}
	return buf;
}

void rr_ops_header(FILE *f)
{
	static const char *const names[SB_OC_NR] = {
#define X(e, n, r) [SB_OC_##e] = n,
		SB_OPS_HEAD_COLS(X)
		SB_OPS_TAIL_COLS(X)
#undef X
#define X(e, n, r) [SB_OC_SRC0 + RSRC_##e] = n,
		SB_ROUND_SRCS(X)
#undef X
	};

	for (int c = 0; c < SB_OC_NR; c++)
		fprintf(f, "%s%s", c ? "," : "", names[c]);
	fputc('\n', f);
}

static void put_op_col(FILE *f, int c, const struct rr_op *o)
{
	char fl[128];

	if (c >= SB_OC_SRC0 && c <= SB_OC_SRC_END) {
		if (o->have_src[c - SB_OC_SRC0])
			fprintf(f, "%llu", (unsigned long long)o->src[c - SB_OC_SRC0]);
		return;
	}
	switch ((enum sb_ops_col)c) {
	case SB_OC_T_START: fprintf(f, "%llu", (unsigned long long)o->t_start_ns); break;
	case SB_OC_TID: fprintf(f, "%u", o->tid); break;
	case SB_OC_WORKER: fprintf(f, "%d", o->worker); break;
	case SB_OC_NODE: fprintf(f, "%d", o->node); break;
	case SB_OC_WORKLOAD: fputs(o->workload, f); break;
	case SB_OC_OP: fputs(o->op, f); break;
	case SB_OC_LATENCY: fprintf(f, "%llu", (unsigned long long)o->latency_ns); break;
	case SB_OC_ERRNO: fputs(o->err && *o->err ? o->err : "0", f); break;
	case SB_OC_STALL: fprintf(f, "%llu", (unsigned long long)o->stall_ns); break;
	case SB_OC_ROUNDS: fprintf(f, "%llu", (unsigned long long)o->reclaim_rounds); break;
	case SB_OC_BYTES: fprintf(f, "%llu", (unsigned long long)o->bytes); break;
	case SB_OC_KERNEL: fprintf(f, "%llu", (unsigned long long)o->kernel_ns); break;
	case SB_OC_FLAGS: fputs(opflags_str(o->flags, fl, sizeof(fl)), f); break;
	case SB_OC_LANDED: fprintf(f, "%d", o->landed_node); break;
	case SB_OC_CPU:
		if (o->have_sched)
			fprintf(f, "%llu", (unsigned long long)o->cpu_ns);
		break;
	case SB_OC_RUNQ:
		if (o->have_sched)
			fprintf(f, "%llu", (unsigned long long)o->runq_ns);
		break;
	default:	/* the source columns, above */
		break;
	}
}

void rr_write_op(FILE *f, const struct rr_op *o)
{
	for (int c = 0; c < SB_OC_NR; c++) {
		if (c)
			fputc(',', f);
		put_op_col(f, c, o);
	}
	fputc('\n', f);
}

void rr_stalls_header(FILE *f)
{
	static const char *const names[SB_SC_NR] = {
#define X(e, n, r) [SB_SC_##e] = n,
		SB_STALLS_COLS(X)
#undef X
	};

	for (int c = 0; c < SB_SC_NR; c++)
		fprintf(f, "%s%s", c ? "," : "", names[c]);
	fputc('\n', f);
}

static void put_stall_col(FILE *f, enum sb_stalls_col c, const struct rr_stall *s)
{
	switch (c) {
	case SB_SC_T_START: fprintf(f, "%llu", (unsigned long long)s->t_start_ns); break;
	case SB_SC_TID: fprintf(f, "%u", s->tid); break;
	case SB_SC_CPU: fprintf(f, "%d", s->cpu); break;
	case SB_SC_KIND: fputs(s->kind_name, f); break;
	case SB_SC_DURATION: fprintf(f, "%llu", (unsigned long long)s->duration_ns); break;
	case SB_SC_RECLAIMED: fprintf(f, "%lld", (long long)s->nr_reclaimed); break;
	case SB_SC_ORDER: fprintf(f, "%d", s->order); break;
	case SB_SC_GFP: fputs(s->gfp ? s->gfp : "", f); break;
	case SB_SC_SCOPE: fputs(s->scope ? s->scope : "run", f); break;
	case SB_SC_NOTE: fputs(s->note ? s->note : "", f); break;
	case SB_SC_REASON: fputs(s->reason ? s->reason : "", f); break;
	case SB_SC_NR: break;
	}
}

void rr_write_stall(FILE *f, const struct rr_stall *s)
{
	for (int c = 0; c < SB_SC_NR; c++) {
		if (c)
			fputc(',', f);
		put_stall_col(f, (enum sb_stalls_col)c, s);
	}
	fputc('\n', f);
}

void rr_offcpu_header(FILE *f)
{
	static const char *const names[SB_FC_NR] = {
#define X(e, n, r) [SB_FC_##e] = n,
		SB_OFFCPU_COLS(X)
#undef X
	};

	for (int c = 0; c < SB_FC_NR; c++)
		fprintf(f, "%s%s", c ? "," : "", names[c]);
	fputc('\n', f);
}

void rr_write_offcpu(FILE *f, const struct rr_offcpu *o)
{
	for (int c = 0; c < SB_FC_NR; c++) {
		if (c)
			fputc(',', f);
		switch ((enum sb_offcpu_col)c) {
		case SB_FC_WORKLOAD: fputs(o->workload, f); break;
		case SB_FC_OP: fputs(o->op, f); break;
		case SB_FC_SITE: fputs(o->site, f); break;
		case SB_FC_WAKER: fputs(o->waker ? o->waker : "", f); break;
		case SB_FC_SLEEPS: fprintf(f, "%llu", (unsigned long long)o->sleeps); break;
		case SB_FC_NS: fprintf(f, "%llu", (unsigned long long)o->sleep_ns); break;
		case SB_FC_OPS: fprintf(f, "%llu", (unsigned long long)o->ops); break;
		case SB_FC_NR: break;
		}
	}
	fputc('\n', f);
}

void rr_oncpu_header(FILE *f)
{
	static const char *const names[SB_NC_NR] = {
#define X(e, n, r) [SB_NC_##e] = n,
		SB_ONCPU_COLS(X)
#undef X
	};

	for (int c = 0; c < SB_NC_NR; c++)
		fprintf(f, "%s%s", c ? "," : "", names[c]);
	fputc('\n', f);
}

void rr_write_oncpu(FILE *f, const struct rr_oncpu *o)
{
	for (int c = 0; c < SB_NC_NR; c++) {
		if (c)
			fputc(',', f);
		switch ((enum sb_oncpu_col)c) {
		case SB_NC_WORKLOAD: fputs(o->workload, f); break;
		case SB_NC_OP: fputs(o->op, f); break;
		case SB_NC_SITE: fputs(o->site, f); break;
		case SB_NC_SAMPLES: fprintf(f, "%llu", (unsigned long long)o->samples); break;
		case SB_NC_OPS: fprintf(f, "%llu", (unsigned long long)o->ops); break;
		case SB_NC_NR: break;
		}
	}
	fputc('\n', f);
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
