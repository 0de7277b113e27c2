/*
 * Tracepoint layouts from tracefs format files (libtraceevent). Offsets,
 * sizes, signedness and the gfp flag table all come from the format file of
 * the kernel being read, so one binary decodes 6.1, 6.12 and 6.18 records.
 * The gfp names are the print fmt's own __print_flags table, evaluated by
 * libtraceevent when it parsed the format, applied the way the kernel's
 * trace_print_flags_seq() applies it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <traceevent/event-parse.h>
#include <tracefs/tracefs.h>

#include "tpdecode.h"

struct tpdecode {
	struct tep_handle *tep;
	char root[512];
};

static int read_whole(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 8192, n = 0;
	char *b;

	if (fd < 0)
		return -errno;
	b = malloc(cap + 1);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb = realloc(b, cap * 2 + 1);

			if (!nb) {
				free(b);
				close(fd);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			free(b);
			close(fd);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static bool has_events_dir(const char *root)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/events", root);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The running kernel's tracefs: libtracefs' answer, else mount it ourselves (root only). */
static int find_tracefs(char *out, size_t len, char *errmsg, size_t elen)
{
	static const char *const cand[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	const char *d = tracefs_tracing_dir();

	if (d && has_events_dir(d)) {
		snprintf(out, len, "%s", d);
		return 0;
	}
	for (size_t i = 0; i < 2; i++) {
		if (has_events_dir(cand[i])) {
			snprintf(out, len, "%s", cand[i]);
			return 0;
		}
	}
	if (geteuid() != 0 && access(cand[0], R_OK | X_OK) != 0) {
		snprintf(errmsg, elen, "tracefs: %s: %s (run as root)", cand[0], strerror(errno));
		return -EACCES;
	}
	if (mount("nodev", cand[0], "tracefs", 0, NULL) == 0 && has_events_dir(cand[0])) {
		snprintf(out, len, "%s", cand[0]);
		return 0;
	}
	snprintf(errmsg, elen, "tracefs: not mounted at %s and cannot mount it (%s)%s", cand[0],
		 strerror(errno), geteuid() ? "; run as root" : "");
	return -ENOENT;
}

int tpd_open(const char *root, struct tpdecode **out, char *errmsg, size_t len)
{
	struct tpdecode *d = calloc(1, sizeof(*d));
	char *buf;
	size_t blen;
	char p[600];
	int err;

	if (!d)
		return -ENOMEM;
	if (root) {
		snprintf(d->root, sizeof(d->root), "%s", root);
		if (!has_events_dir(root)) {
			snprintf(errmsg, len, "%s: no events/ directory (not a tracefs tree)", root);
			free(d);
			return -ENOENT;
		}
	} else {
		err = find_tracefs(d->root, sizeof(d->root), errmsg, len);
		if (err) {
			free(d);
			return err;
		}
	}
	d->tep = tep_alloc();
	if (!d->tep) {
		free(d);
		return -ENOMEM;
	}
	tep_set_long_size(d->tep, sizeof(long));
	tep_set_page_size(d->tep, (int)sysconf(_SC_PAGESIZE));
	tep_set_file_bigendian(d->tep, TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(d->tep, TEP_LITTLE_ENDIAN);
	/* header_page is optional: perf samples carry raw records, not ftrace pages. */
	snprintf(p, sizeof(p), "%s/events/header_page", d->root);
	if (read_whole(p, &buf, &blen) != 0) {
		snprintf(p, sizeof(p), "%s/header_page", d->root);
		if (read_whole(p, &buf, &blen) != 0)
			buf = NULL;
	}
	if (buf) {
		tep_parse_header_page(d->tep, buf, blen, sizeof(long));
		free(buf);
	}
	*out = d;
	return 0;
}

const char *tpd_root(const struct tpdecode *d)
{
	return d->root;
}

int tpd_event(struct tpdecode *d, const char *sys, const char *name, struct tep_event **ev)
{
	struct tep_event *e = tep_find_event_by_name(d->tep, sys, name);
	char p[800];
	char *buf;
	size_t len;
	int err;

	if (e) {
		*ev = e;
		return 0;
	}
	snprintf(p, sizeof(p), "%s/events/%s/%s/format", d->root, sys, name);
	err = read_whole(p, &buf, &len);
	if (err)
		return err == -ENOENT || err == -ENOTDIR ? -ENOENT : err;
	/*
	 * A print fmt libtraceevent cannot evaluate (enum names such as
	 * VMSCAN_THROTTLE_WRITEBACK) still leaves the fields parsed: accept
	 * the event as long as its fields are there.
	 */
	tep_parse_event(d->tep, buf, len, sys);
	free(buf);
	e = tep_find_event_by_name(d->tep, sys, name);
	if (!e || !e->format.common_fields)
		return -EINVAL;
	*ev = e;
	return 0;
}

struct tep_event *tpd_event_by_id(struct tpdecode *d, int id)
{
	return tep_find_event(d->tep, id);
}

int tpd_event_id(const struct tep_event *ev)
{
	return ev->id;
}

int tpd_field(const struct tep_event *ev, const char *name, struct tpd_field *f)
{
	struct tep_format_field *tf = tep_find_any_field((struct tep_event *)ev, name);

	memset(f, 0, sizeof(*f));
	if (!tf)
		return -ENOENT;
	f->f = tf;
	f->offset = (uint32_t)tf->offset;
	f->size = (uint32_t)tf->size;
	f->is_signed = tf->flags & TEP_FIELD_IS_SIGNED;
	return 0;
}

int tpd_read(const struct tpd_field *f, const void *raw, size_t len, int64_t *out)
{
	const unsigned char *p = (const unsigned char *)raw + f->offset;
	uint64_t v;

	if (!f->size)
		return -ENOENT;
	if ((size_t)f->offset + f->size > len)
		return -ERANGE;
	switch (f->size) {
	case 1: {
		uint8_t x;

		memcpy(&x, p, 1);
		*out = f->is_signed ? (int64_t)(int8_t)x : (int64_t)x;
		return 0;
	}
	case 2: {
		uint16_t x;

		memcpy(&x, p, 2);
		*out = f->is_signed ? (int64_t)(int16_t)x : (int64_t)x;
		return 0;
	}
	case 4: {
		uint32_t x;

		memcpy(&x, p, 4);
		*out = f->is_signed ? (int64_t)(int32_t)x : (int64_t)x;
		return 0;
	}
	case 8:
		memcpy(&v, p, 8);
		*out = (int64_t)v;
		return 0;
	default:
		return -ERANGE;
	}
}

int tpd_read_str(const struct tpd_field *f, const void *raw, size_t len, char *buf, size_t buflen)
{
	const char *src;
	size_t off, n;

	if (!f->size || !buflen)
		return -ENOENT;
	if ((size_t)f->offset + f->size > len)
		return -ERANGE;
	if (f->f->flags & TEP_FIELD_IS_DYNAMIC) {
		uint32_t loc;

		memcpy(&loc, (const char *)raw + f->offset, 4);
		off = loc & 0xffff;
		n = loc >> 16;
		if (f->f->flags & TEP_FIELD_IS_RELATIVE)
			off += f->offset + f->size;
	} else {
		off = f->offset;
		n = f->size;
	}
	if (off + n > len)
		return -ERANGE;
	src = (const char *)raw + off;
	n = strnlen(src, n);
	if (n >= buflen)
		n = buflen - 1;
	memcpy(buf, src, n);
	buf[n] = '\0';
	return 0;
}

/* The field a print arg reads, looking through casts. */
static const char *arg_field_name(const struct tep_print_arg *a)
{
	while (a && a->type == TEP_PRINT_TYPE)
		a = a->typecast.item;
	return a && a->type == TEP_PRINT_FIELD ? a->field.name : NULL;
}

static const struct tep_print_arg *find_flags(const struct tep_print_arg *a, const char *field)
{
	for (; a; a = a->next) {
		const struct tep_print_arg *r = NULL;
		const char *fn;

		switch (a->type) {
		case TEP_PRINT_FLAGS:
			fn = arg_field_name(a->flags.field);
			if (fn && !strcmp(fn, field))
				return a;
			break;
		case TEP_PRINT_OP:
			r = find_flags(a->op.left, field);
			if (!r)
				r = find_flags(a->op.right, field);
			break;
		case TEP_PRINT_TYPE:
			r = find_flags(a->typecast.item, field);
			break;
		default:
			break;
		}
		if (r)
			return r;
	}
	return NULL;
}

int tpd_flags_of(const struct tep_event *ev, const char *field, struct tpd_flags *fl)
{
	const struct tep_print_arg *a = find_flags(ev->print_fmt.args, field);
	const struct tep_print_flag_sym *s;
	size_t n = 0, i = 0;

	memset(fl, 0, sizeof(*fl));
	if (!a)
		return -ENOENT;
	for (s = a->flags.flags; s; s = s->next)
		n++;
	fl->val = calloc(n ? n : 1, sizeof(*fl->val));
	fl->name = calloc(n ? n : 1, sizeof(*fl->name));
	if (!fl->val || !fl->name) {
		tpd_flags_free(fl);
		return -ENOMEM;
	}
	for (s = a->flags.flags; s; s = s->next) {
		if (!s->str || !s->value)
			continue;	/* the { 0, NULL } terminator newer kernels print */
		fl->val[i] = strtoull(s->value, NULL, 0);
		fl->name[i] = strdup(s->str);
		if (!fl->name[i]) {
			fl->n = i;
			tpd_flags_free(fl);
			return -ENOMEM;
		}
		i++;
	}
	fl->n = i;
	return 0;
}

void tpd_flags_free(struct tpd_flags *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		free(fl->name[i]);
	free(fl->name);
	free(fl->val);
	memset(fl, 0, sizeof(*fl));
}

size_t tpd_flags_str(const struct tpd_flags *fl, uint64_t val, char *buf, size_t len)
{
	size_t n = 0;
	bool first = true;

#define EMIT(...) do {								\
		int w_ = snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, __VA_ARGS__); \
		if (w_ > 0)							\
			n += (size_t)w_;					\
	} while (0)
	if (len)
		buf[0] = '\0';
	if (!val) {
		EMIT("none");
		return n;
	}
	for (size_t i = 0; i < fl->n && val; i++) {
		uint64_t m = fl->val[i];

		if (!m || (val & m) != m)
			continue;
		EMIT("%s%s", first ? "" : "|", fl->name[i]);
		first = false;
		val &= ~m;
	}
	if (val)
		EMIT("%s0x%llx", first ? "" : "|", (unsigned long long)val);
#undef EMIT
	return n;
}

void tpd_close(struct tpdecode *d)
{
	if (!d)
		return;
	tep_free(d->tep);
	free(d);
}
