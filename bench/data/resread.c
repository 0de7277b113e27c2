/*
 * Result directory reader, part 1: opening a directory (meta.json and
 * summary.json, checked), JSON paths, and the stall kinds' names. The CSV
 * engine is rcsv.c, the rows of each file rrows.c, following a live
 * directory rtail.c. Everything a file says is distrusted: numbers are
 * parsed strictly, rows with too few fields or over-long lines are errors
 * (or skipped and counted when the caller accepts incomplete results), and
 * a last line without a newline marks a run that did not finish writing.
 */
#include "resread_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void rr_setmsg(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!msg || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
}

/* ---- JSON helpers ---- */

json_t *rr_json_get(json_t *root, const char *path)
{
	char key[128];
	const char *p = path;

	while (root && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (!json_is_object(root))
			return NULL;
		root = json_object_get(root, key);
		p += n + (dot ? 1 : 0);
	}
	return root;
}

const char *rr_json_str(json_t *root, const char *path)
{
	json_t *v = rr_json_get(root, path);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static uint64_t json_u64(json_t *root, const char *path)
{
	json_t *v = rr_json_get(root, path);

	if (json_is_integer(v) && json_integer_value(v) > 0)
		return (uint64_t)json_integer_value(v);
	if (json_is_real(v) && json_real_value(v) > 0)
		return (uint64_t)json_real_value(v);
	return 0;
}

/* Loads dir/name into *out. 0, -ENOENT (absent) or -EINVAL, msg set. */
static int load_json(const char *dir, const char *name, json_t **out, char *msg, size_t len)
{
	char path[4200];
	json_error_t jerr;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) < 0) {
		int e = errno;

		rr_setmsg(msg, len, "%s: no %s%s", dir, name,
		       strcmp(name, "meta.json") == 0 ? " (not a result directory)" :
		       " (run did not finish?)");
		return -e;
	}
	*out = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out) {
		rr_setmsg(msg, len, "%s: %s line %d: %s", dir, name, jerr.line, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(*out)) {
		rr_setmsg(msg, len, "%s: %s is not a JSON object", dir, name);
		json_decref(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

void rr_close(struct rr_dir *d)
{
	if (!d)
		return;
	json_decref(d->meta);
	json_decref(d->summary);
	d->meta = d->summary = NULL;
}

int rr_check_format(const char *dir, const char *file, json_t *root, char *msg, size_t len)
{
	json_t *v = json_object_get(root, "format_version");

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > RESULT_FORMAT_VERSION) {
		rr_setmsg(msg, len, "%s: %s format_version %s: this stallbench reads 1..%d "
		       "(a newer stallbench wrote it)", dir, file,
		       json_is_integer(v) ? "newer" : "not a number", RESULT_FORMAT_VERSION);
		return -EINVAL;
	}
	return 0;
}

int rr_open(const char *dir, unsigned int flags, struct rr_dir *d, char *msg, size_t len)
{
	bool allow = flags & RR_ALLOW_INCOMPLETE;
	struct stat st;
	char path[4200];
	const char *s;
	int ret;

	memset(d, 0, sizeof(*d));
	d->flags = flags;
	if (strlen(dir) >= sizeof(d->path)) {
		rr_setmsg(msg, len, "%.60s...: path too long", dir);
		return -ENAMETOOLONG;
	}
	strcpy(d->path, dir);
	if (stat(dir, &st) < 0) {
		ret = -errno;
		rr_setmsg(msg, len, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	if (!S_ISDIR(st.st_mode)) {
		rr_setmsg(msg, len, "%s: not a directory", dir);
		return -ENOTDIR;
	}
	ret = load_json(dir, "meta.json", &d->meta, msg, len);
	if (ret < 0)
		return ret == -ENOENT ? -EINVAL : ret;

	ret = rr_check_format(dir, "meta.json", d->meta, msg, len);
	if (ret < 0)
		goto fail;
	d->status = rr_json_str(d->meta, "status");
	if (!d->status) {
		rr_setmsg(msg, len, "%s: meta.json has no \"status\" (corrupt?)", dir);
		ret = -EINVAL;
		goto fail;
	}
	s = rr_json_str(d->meta, "kernel.release");
	d->release = s ? s : "";
	s = rr_json_str(d->meta, "kernel.cmdline");
	d->cmdline = s ? s : "";
	d->start_ns = json_u64(d->meta, "start_ns");
	d->end_ns = json_u64(d->meta, "end_ns");
	if (!s && !allow) {
		rr_setmsg(msg, len, "%s: meta.json has no kernel.cmdline (corrupt?)", dir);
		ret = -EINVAL;
		goto fail;
	}
	if (strcmp(d->status, "complete") != 0 && !allow) {
		rr_setmsg(msg, len, "%s: run status is \"%s\" (use --allow-incomplete)",
		       dir, d->status);
		ret = -EINVAL;
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/ops.csv.zst", dir);
	if (access(path, R_OK) < 0)
		snprintf(path, sizeof(path), "%s/ops.csv", dir);
	if (access(path, R_OK) < 0) {
		ret = -errno;
		rr_setmsg(msg, len, "%s: no ops.csv (%s)", dir, strerror(-ret));
		if (ret == -ENOENT)
			ret = -EINVAL;
		goto fail;
	}
	ret = load_json(dir, "summary.json", &d->summary, msg, len);
	if (ret < 0) {
		if (!allow) {
			if (ret == -ENOENT)
				ret = -EINVAL;
			goto fail;
		}
		d->summary = NULL;
	} else if ((ret = rr_check_format(dir, "summary.json", d->summary, msg, len)) < 0) {
		goto fail;
	} else if (!allow) {
		s = rr_json_str(d->summary, "status");
		if (s && strcmp(s, "complete") != 0) {
			rr_setmsg(msg, len, "%s: summary.json status is \"%s\" (use --allow-incomplete)",
			       dir, s);
			ret = -EINVAL;
			goto fail;
		}
	}
	return 0;
fail:
	rr_close(d);
	return ret;
}

/* ---- stall kinds ---- */

const char *const rr_stall_kind_names[RR_STALL_NR_KINDS] = {
	SB_STALL_KINDS(SB_STALL_NAME)
};

/* stallkind.h's traits, by kind */
static const struct { bool reclaims, throttle; } stall_kind_traits[RR_STALL_NR_KINDS] = {
#define X(e, n, r, t) [RR_STALL_##e] = { r, t },
	SB_STALL_KINDS_TRAITS(X)
#undef X
};

bool rr_stall_kind_reclaims(int kind)
{
	return kind >= 0 && kind < RR_STALL_NR_KINDS && stall_kind_traits[kind].reclaims;
}

bool rr_stall_kind_throttle(int kind)
{
	return kind >= 0 && kind < RR_STALL_NR_KINDS && stall_kind_traits[kind].throttle;
}

int rr_stall_kind_of(const char *name)
{
	for (int k = 0; k < RR_STALL_NR_KINDS; k++)
		if (strcmp(name, rr_stall_kind_names[k]) == 0)
			return k;
	return RR_STALL_OTHER;
}

const char *rr_stall_kind_name(int kind)
{
	if (kind < 0 || kind >= RR_STALL_NR_KINDS)
		return "other";
	return rr_stall_kind_names[kind];
}
