/* Kernel mm knobs set by a run and put back (see mmknob.h). */
#include "mmknob.h"
#include "parse.h"
#include "resultio.h"
#include "runstatus.h"
#include "sysinfo.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum kgrammar { KG_WORD, KG_UINT, KG_YN, KG_LRUGEN };

static const struct knob {
	const char *key, *path;
	enum kgrammar g;
	const char *words;	/* KG_WORD: the accepted words, space separated */
	unsigned long max;	/* KG_UINT */
	bool bracketed;		/* the file reads "a [b] c" */
} knobs[] = {
	{ "lru_gen", "/sys/kernel/mm/lru_gen/enabled", KG_LRUGEN, NULL, 0, false },
	{ "thp_enabled", "/sys/kernel/mm/transparent_hugepage/enabled", KG_WORD,
	  "always madvise never", 0, true },
	{ "thp_defrag", "/sys/kernel/mm/transparent_hugepage/defrag", KG_WORD,
	  "always defer defer+madvise madvise never", 0, true },
	{ "swappiness", "/proc/sys/vm/swappiness", KG_UINT, NULL, 200, false },
	{ "watermark_scale_factor", "/proc/sys/vm/watermark_scale_factor", KG_UINT, NULL, 3000, false },
	{ "compaction_proactiveness", "/proc/sys/vm/compaction_proactiveness", KG_UINT, NULL, 100, false },
	{ "min_free_kbytes", "/proc/sys/vm/min_free_kbytes", KG_UINT, NULL, 1ul << 30, false },
	{ "overcommit_memory", "/proc/sys/vm/overcommit_memory", KG_UINT, NULL, 2, false },
	{ "zswap", "/sys/module/zswap/parameters/enabled", KG_YN, NULL, 0, false },
};
#define NKNOBS (sizeof(knobs) / sizeof(knobs[0]))

void mm_help(FILE *f)
{
	for (size_t i = 0; i < NKNOBS; i++) {
		const struct knob *k = &knobs[i];

		fprintf(f, "      %-24s ", k->key);
		switch (k->g) {
		case KG_WORD: fprintf(f, "%s\n", k->words); break;
		case KG_UINT: fprintf(f, "0..%lu\n", k->max); break;
		case KG_YN: fprintf(f, "y n\n"); break;
		case KG_LRUGEN: fprintf(f, "y n or a mask (0x0007)\n"); break;
		}
	}
}

static bool word_in(const char *w, const char *words)
{
	size_t n = strlen(w);

	for (const char *p = words; *p;) {
		size_t m = strcspn(p, " ");

		if (m == n && !strncmp(p, w, n))
			return true;
		p += m;
		p += strspn(p, " ");
	}
	return false;
}

int mm_parse(struct mm_set *m, const char *kv, char *msg, size_t len)
{
	const char *eq = strchr(kv, '=');
	const char *v = eq ? eq + 1 : "";
	size_t kl = eq ? (size_t)(eq - kv) : strlen(kv);
	const struct knob *k = NULL;
	int idx = -1;

	for (size_t i = 0; i < NKNOBS; i++)
		if (strlen(knobs[i].key) == kl && !strncmp(knobs[i].key, kv, kl)) {
			k = &knobs[i];
			idx = (int)i;
		}
	if (!k) {
		int n = snprintf(msg, len, "--mm '%s': unknown knob (one of:", kv);

		for (size_t i = 0; i < NKNOBS; i++)
			n += snprintf(msg + n, n < (int)len ? len - (size_t)n : 0, " %s", knobs[i].key);
		snprintf(msg + n, n < (int)len ? len - (size_t)n : 0, ")");
		return -EINVAL;
	}
	if (!eq || !*v || strlen(v) >= sizeof(m->s[0].value)) {
		snprintf(msg, len, "--mm '%s': needs key=value", kv);
		return -EINVAL;
	}
	switch (k->g) {
	case KG_WORD:
		if (!word_in(v, k->words)) {
			snprintf(msg, len, "--mm %s=%s: one of %s", k->key, v, k->words);
			return -EINVAL;
		}
		break;
	case KG_UINT: {
		uint64_t x;
		char e[128];

		if (parse_uint(v, 0, k->max, &x, e, sizeof(e))) {
			snprintf(msg, len, "--mm %s=%s: a whole number from 0 to %lu", k->key, v, k->max);
			return -EINVAL;
		}
		break;
	}
	case KG_YN:
		if (strcmp(v, "y") && strcmp(v, "n") && strcmp(v, "Y") && strcmp(v, "N")) {
			snprintf(msg, len, "--mm %s=%s: y or n", k->key, v);
			return -EINVAL;
		}
		break;
	case KG_LRUGEN: {
		char *end;

		if (strcmp(v, "y") && strcmp(v, "n")) {
			errno = 0;
			strtoul(v, &end, 0);
			if (errno || *end || end == v) {
				snprintf(msg, len, "--mm lru_gen=%s: y, n or a mask such as 0x0007", v);
				return -EINVAL;
			}
		}
		break;
	}
	}
	for (unsigned int i = 0; i < m->n; i++)
		if (m->s[i].knob == idx) {
			snprintf(msg, len, "--mm %s: given twice", k->key);
			return -EINVAL;
		}
	if (m->n == MM_MAX_SET) {
		snprintf(msg, len, "--mm: at most %d knobs", MM_MAX_SET);
		return -EINVAL;
	}
	m->s[m->n].knob = idx;
	snprintf(m->s[m->n].value, sizeof(m->s[0].value), "%s", v);
	m->s[m->n].applied = false;
	m->n++;
	return 0;
}

int mm_check(const struct mm_set *m, char *msg, size_t len)
{
	for (unsigned int i = 0; i < m->n; i++) {
		const struct knob *k = &knobs[m->s[i].knob];

		if (access(k->path, W_OK)) {
			snprintf(msg, len, "--mm %s: %s: %s (this kernel has no such knob%s)", k->key,
				 k->path, strerror(errno),
				 m->s[i].knob == 0 ? "; MGLRU needs CONFIG_LRU_GEN, 6.1 and later" : "");
			return -ENOENT;
		}
	}
	return 0;
}

/* The knob's value as read: the bracketed word, else the trimmed text. */
static int read_knob(const struct knob *k, char *buf, size_t len)
{
	char raw[512];
	int r = read_small(k->path, raw, sizeof(raw));
	char *l, *rb;

	if (r)
		return r;
	if (k->bracketed && (l = strchr(raw, '[')) && (rb = strchr(l, ']'))) {
		*rb = 0;
		l++;
	} else {
		l = raw;
	}
	if (strlen(l) >= len)
		return -EOVERFLOW;
	memcpy(buf, l, strlen(l) + 1);
	return 0;
}

static int write_knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int e;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	e = n < 0 ? -errno : (size_t)n != strlen(val) ? -EIO : 0;
	if (close(fd) && !e)
		e = -errno;
	return e;
}

static void record_path(char *p, size_t len, pid_t pid)
{
	snprintf(p, len, "%s/mm-%d.json", runstatus_dir(), (int)pid);
}

static int write_record(const struct mm_set *m)
{
	const char *dir = runstatus_dir();
	json_t *r = json_object(), *a = json_array();
	char name[64];
	int e;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	for (unsigned int i = 0; i < m->n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "key", knobs[m->s[i].knob].key,
						   "path", knobs[m->s[i].knob].path, "old", m->s[i].old));
	json_object_set_new(r, "pid", json_integer(getpid()));
	json_object_set_new(r, "restore", a);
	snprintf(name, sizeof(name), "mm-%d.json", (int)getpid());
	e = json_write_atomic(dir, name, r);	/* fsync'd: it must outlive a crash */
	json_decref(r);
	return e;
}

int mm_apply(struct mm_set *m, char *msg, size_t len)
{
	int e;

	if (!m->n)
		return 0;
	for (unsigned int i = 0; i < m->n; i++) {
		const struct knob *k = &knobs[m->s[i].knob];

		e = read_knob(k, m->s[i].old, sizeof(m->s[i].old));
		if (e) {
			snprintf(msg, len, "--mm %s: cannot read %s: %s", k->key, k->path, strerror(-e));
			return e;
		}
	}
	e = write_record(m);
	if (e) {
		snprintf(msg, len, "--mm: cannot record the old values in %s: %s", runstatus_dir(),
			 strerror(-e));
		return e;
	}
	for (unsigned int i = 0; i < m->n; i++) {
		const struct knob *k = &knobs[m->s[i].knob];
		char v[64];

		snprintf(v, sizeof(v), "%s", m->s[i].value);
		if (k->g == KG_YN)
			v[0] = (char)toupper((unsigned char)v[0]);
		e = write_knob(k->path, v);
		if (e) {
			snprintf(msg, len, "--mm %s=%s: the kernel refused it (%s)", k->key,
				 m->s[i].value, strerror(-e));
			mm_restore(m);
			return e == -EINVAL || e == -ERANGE ? -EINVAL : e;
		}
		m->s[i].applied = true;
	}
	return 0;
}

void mm_restore(struct mm_set *m)
{
	char p[PATH_MAX];

	/* In reverse: knobs that depend on each other come back in order. */
	for (unsigned int i = m->n; i-- > 0;) {
		const struct knob *k = &knobs[m->s[i].knob];
		int e;

		if (!m->s[i].applied)
			continue;
		e = write_knob(k->path, m->s[i].old);
		if (e)
			fprintf(stderr, "stallbench: could not put back %s=%s: %s\n", k->key,
				m->s[i].old, strerror(-e));
		m->s[i].applied = false;
	}
	if (m->n) {
		record_path(p, sizeof(p), getpid());
		unlink(p);
	}
}

int mm_reap_stale(bool busy_fails, char *msg, size_t len)
{
	const char *dir = runstatus_dir();
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0, ret = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[PATH_MAX], *end;
		long pid;
		json_t *r, *x;
		size_t i;

		if (strncmp(e->d_name, "mm-", 3))
			continue;
		pid = strtol(e->d_name + 3, &end, 10);
		if (end == e->d_name + 3 || strcmp(end, ".json") || pid <= 0 || pid > INT_MAX ||
		    (pid_t)pid == getpid())
			continue;
		if (runstatus_alive((pid_t)pid)) {
			if (busy_fails && !ret) {
				snprintf(msg, len, "--mm: stallbench run %ld holds mm knobs now; two runs "
					 "must not set them at once", pid);
				ret = -EBUSY;
			}
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		r = json_load_file(path, 0, NULL);
		fprintf(stderr, "stallbench: putting back mm knobs a killed run (pid %ld) left set:", pid);
		json_array_foreach(json_object_get(r, "restore"), i, x) {
			const char *p = json_string_value(json_object_get(x, "path"));
			const char *old = json_string_value(json_object_get(x, "old"));
			const char *key = json_string_value(json_object_get(x, "key"));

			/* only a path of the table: the record is not trusted further */
			for (size_t k = 0; p && old && key && k < NKNOBS; k++)
				if (!strcmp(knobs[k].path, p)) {
					int w = write_knob(p, old);

					fprintf(stderr, " %s=%s%s", key, old, w ? " (failed)" : "");
				}
		}
		fputc('\n', stderr);
		json_decref(r);
		unlink(path);
		n++;
	}
	closedir(d);
	return ret ? ret : n;
}

json_t *mm_json(const struct mm_set *m)
{
	json_t *o = json_object();

	for (unsigned int i = 0; i < m->n; i++)
		json_object_set_new(o, knobs[m->s[i].knob].key, json_string(m->s[i].value));
	return o;
}
