/*
 * Stall capture on perf_event_open(PERF_TYPE_TRACEPOINT). One ring per CPU
 * (the other events of a CPU write into it via PERF_EVENT_IOC_SET_OUTPUT),
 * read like tools/lib/perf/mmap.c: load-acquire data_head, copy out a record
 * that wraps, store-release data_tail. The rings are merged by timestamp
 * before begin/end pairing, because a task that migrates mid-reclaim writes
 * its begin and its end into different rings: records newer than the read
 * time minus a small in-flight slack stay in their ring until the next drain
 * (data_tail is not advanced past them), so the merge never sees a later
 * record before an earlier one.
 *
 * Output order: a begin reserves its stall's slot in an output FIFO at the
 * time it is merged, so stalls leave in order of their begin; a slot whose
 * end has not come yet holds back everything behind it. mm_vmscan_throttled
 * fires once, after the sleep, with usec_delayed: it becomes a stall of that
 * duration ending at the event, and since it begins in the past (at most
 * the kernel's 100 ms throttle timeout) the FIFO releases only what is older
 * than the horizon minus that when the event is enabled.
 *
 * Unpaired records are reported, never dropped: a begin still open at the
 * final drain ends at that drain's time; a begin followed by another begin of
 * the same kind on the same task (its end was lost) gets duration 0; an end
 * without begin starts at the later of capture enable and that task's
 * previous stall end (missing_begin=true). A begin whose task has exited is
 * closed like a lost end (checked for begins open longer than a second), so
 * one lost end cannot hold the output back until the end of the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <traceevent/event-parse.h>

#include "capture.h"
#include "nofail.h"
#include "tpcatalog.h"
#include "tpdecode.h"

#define INFLIGHT_SLACK_NS	(5ull * 1000 * 1000)	/* sample timestamped, not yet published */
#define MAX_VICTIMS		4096	/* mark_victim details kept per run */
#define THROTTLE_SLACK_NS	(110ull * 1000 * 1000)	/* reclaim_throttle() sleeps <= HZ/10 */
#define OPEN_CHECK_NS		(1000ull * 1000 * 1000)
#define MAX_STACK		64
#define NR_PAIRED		(STALL_COMPACT + 1)

/* The default events and what each record is: the catalogue (tpcatalog.h). */
enum role { R_BEGIN = TP_BEGIN, R_END = TP_END, R_THROTTLED = TP_THROTTLED, R_POINT = TP_POINT };

struct cev {
	char name[128];		/* "sys:event" */
	int id;
	enum role role;
	int kind;
	struct tpd_field order, gfp, nr, arg;
	struct tpd_field comm, anon_rss, file_rss, shmem_rss, oom_adj;	/* mark_victim */
	struct tpd_field reason;	/* throttled */
	uint64_t nofail_bit;	/* nofail: __GFP_NOFAIL in this kernel */
	struct tpd_flags gfpfl;
	bool have_gfpfl;
	uint64_t gfp_cache_val[8];
	char gfp_cache_str[8][160];
	bool gfp_cache_ok[8];
};

struct ring {
	int cpu;
	int fd;
	void *base;
	struct perf_event_mmap_page *pg;
	unsigned char *data;
	uint64_t size, mask;
	uint64_t head, tail, published;
	uint64_t lost;
	/* peeked sample, not consumed yet */
	bool have;
	uint64_t ts;
	const unsigned char *rec;	/* points into data or into copy */
	uint16_t rec_size;
	unsigned char copy[65536] __attribute__((aligned(8)));	/* a record that wraps */
};

/* A stall or point waiting for its turn to leave. */
struct item {
	uint64_t t;		/* begin (stall) or time (point) */
	uint64_t end;
	int64_t nr;		/* nr_reclaimed, or point arg */
	uint64_t gfp;
	uint32_t tid, cpu;
	uint32_t stack;		/* interned id + 1, 0 none */
	int32_t order;
	uint16_t ev;		/* event of the begin (gfp table), or of the point */
	uint8_t kind;
	uint8_t is_point, open, unpaired, missing_begin;
};

struct fifo {
	struct item *buf;
	uint64_t cap, base, len;	/* items base..base+len-1 live at buf[seq & (cap-1)] */
};

struct tidst {
	uint32_t tid;		/* 0: empty slot */
	uint64_t last_end;
	uint64_t open_seq[NR_PAIRED];	/* fifo seq + 1, 0: none */
};

struct ksym {
	uint64_t addr;
	const char *name;
};

struct stackent {
	uint64_t hash;
	uint32_t nr;
	uint32_t id;		/* index in stack_by_id: stable across rehash */
	uint64_t *ips;
	char *folded;
};

struct capture {
	struct tpdecode *tpd;
	struct cev *ev;
	size_t nr_ev;
	int16_t *by_id;		/* tracepoint id -> index in ev, -1 */
	int max_id;
	struct ring *rings;
	unsigned int nr_rings;
	int *fds;		/* every event fd */
	size_t nr_fds;
	size_t pages;
	bool callchain;
	bool want_nofail;	/* opts.nofail */
	bool offline;
	bool have_throttled;
	char *events_str;
	uint64_t sample_type;
	uint64_t enable_ns;
	uint64_t horizon;	/* delivered below this */
	uint64_t last_open_check;

	struct fifo out;
	struct item *late;	/* min-heap by t: stalls that begin in the past */
	size_t nlate, late_cap;

	struct tidst *tids;
	size_t tid_cap, tid_len;

	struct ksym *ksyms;
	size_t nksyms;
	char *ksym_names;
	struct oom_victim *vict;	/* mark_victim details; item.gfp = index + 1 */
	size_t nvict;
	struct stackent *stacks;	/* hash table, open addressing */
	size_t stack_cap, stack_len;
	const char **stack_by_id;
	size_t stack_ids, stack_ids_cap;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *stall_kind_name(enum stall_kind k)
{
	static const char *const n[] = { SB_STALL_KINDS(SB_STALL_NAME) };

	return (unsigned int)k < STALL_NR_KINDS ? n[k] : "?";
}

const char *point_kind_name(enum point_kind k)
{
	static const char *const n[] = { "reclaim_retry", "compact_retry", "mark_victim", "nofail",
					 "other" };

	return (unsigned int)k < POINT_NR_KINDS ? n[k] : "?";
}

/* ---- output FIFO ---- */

static int fifo_grow(struct fifo *f)
{
	uint64_t ncap = f->cap ? f->cap * 2 : 4096;
	struct item *nb = malloc(ncap * sizeof(*nb));

	if (!nb)
		return -ENOMEM;
	for (uint64_t s = f->base; s < f->base + f->len; s++)
		nb[s & (ncap - 1)] = f->buf[s & (f->cap - 1)];
	free(f->buf);
	f->buf = nb;
	f->cap = ncap;
	return 0;
}

static struct item *fifo_push(struct fifo *f, uint64_t *seq)
{
	struct item *it;

	if (f->len == f->cap && fifo_grow(f))
		return NULL;
	*seq = f->base + f->len;
	it = &f->buf[*seq & (f->cap - 1)];
	f->len++;
	memset(it, 0, sizeof(*it));
	return it;
}

static struct item *fifo_at(struct fifo *f, uint64_t seq)
{
	if (seq < f->base || seq >= f->base + f->len)
		return NULL;
	return &f->buf[seq & (f->cap - 1)];
}

/* ---- late heap ---- */

static int late_push(struct capture *c, const struct item *it)
{
	size_t i;

	if (c->nlate == c->late_cap) {
		size_t n = c->late_cap ? c->late_cap * 2 : 64;
		struct item *nb = realloc(c->late, n * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		c->late = nb;
		c->late_cap = n;
	}
	i = c->nlate++;
	while (i > 0 && c->late[(i - 1) / 2].t > it->t) {
		c->late[i] = c->late[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	c->late[i] = *it;
	return 0;
}

static void late_pop(struct capture *c)
{
	struct item last = c->late[--c->nlate];
	size_t i = 0;

	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < c->nlate && c->late[l].t < last.t)
			m = l;
		if (l + 1 < c->nlate && c->late[l + 1].t < (m == i ? last.t : c->late[m].t))
			m = l + 1;
		if (m == i)
			break;
		c->late[i] = c->late[m];
		i = m;
	}
	if (c->nlate)
		c->late[i] = last;
}

/* ---- per-task state ---- */

static struct tidst *tid_get(struct capture *c, uint32_t tid)
{
	size_t i;

	if (tid == 0)
		tid = UINT32_MAX;	/* idle task: keep 0 as the empty marker */
	if ((c->tid_len + 1) * 2 > c->tid_cap) {
		size_t ncap = c->tid_cap ? c->tid_cap * 2 : 256;
		struct tidst *nt = calloc(ncap, sizeof(*nt));

		if (!nt)
			return NULL;
		for (size_t j = 0; j < c->tid_cap; j++) {
			if (!c->tids[j].tid)
				continue;
			i = (c->tids[j].tid * 2654435761u) & (ncap - 1);
			while (nt[i].tid)
				i = (i + 1) & (ncap - 1);
			nt[i] = c->tids[j];
		}
		free(c->tids);
		c->tids = nt;
		c->tid_cap = ncap;
	}
	i = (tid * 2654435761u) & (c->tid_cap - 1);
	while (c->tids[i].tid && c->tids[i].tid != tid)
		i = (i + 1) & (c->tid_cap - 1);
	if (!c->tids[i].tid) {
		c->tids[i].tid = tid;
		c->tid_len++;
	}
	return &c->tids[i];
}

static uint32_t real_tid(uint32_t t)
{
	return t == UINT32_MAX ? 0 : t;
}

/* ---- symbols and stacks ---- */

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Loads text symbols of /proc/kallsyms; 0 or -errno (addresses all zero is not an error). */
static int ksyms_load(struct capture *c)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512];
	size_t cap = 0, ncap = 0, nlen = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type, name[256];

		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (c->nksyms == cap) {
			cap = cap ? cap * 2 : 65536;
			struct ksym *n = realloc(c->ksyms, cap * sizeof(*n));

			if (!n)
				goto nomem;
			c->ksyms = n;
		}
		size_t l = strlen(name) + 1;

		if (nlen + l > ncap) {
			ncap = ncap ? ncap * 2 : 1 << 20;
			char *n = realloc(c->ksym_names, ncap);

			if (!n)
				goto nomem;
			c->ksym_names = n;
		}
		memcpy(c->ksym_names + nlen, name, l);
		c->ksyms[c->nksyms].addr = addr;
		c->ksyms[c->nksyms].name = (const char *)(uintptr_t)nlen;	/* fixed up below */
		c->nksyms++;
		nlen += l;
	}
	fclose(f);
	for (size_t i = 0; i < c->nksyms; i++)
		c->ksyms[i].name = c->ksym_names + (uintptr_t)c->ksyms[i].name;
	qsort(c->ksyms, c->nksyms, sizeof(*c->ksyms), ksym_cmp);
	return 0;
nomem:
	fclose(f);
	return -ENOMEM;
}

static const char *ksym_find(const struct capture *c, uint64_t ip)
{
	size_t lo = 0, hi = c->nksyms;

	if (!c->nksyms || c->ksyms[c->nksyms - 1].addr == 0)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->ksyms[mid].addr <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? c->ksyms[lo - 1].name : NULL;
}

static char *fold_stack(const struct capture *c, const uint64_t *ips, uint32_t nr)
{
	size_t cap = 256, n = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	s[0] = '\0';
	for (uint32_t k = nr; k-- > 0;) {	/* callchain is leaf first; folded is root first */
		char hex[24];
		const char *name = ksym_find(c, ips[k]);
		size_t l;

		if (!name) {
			snprintf(hex, sizeof(hex), "0x%" PRIx64, ips[k]);
			name = hex;
		}
		l = strlen(name);
		if (n + l + 2 > cap) {
			char *ns;

			cap = (n + l + 2) * 2;
			ns = realloc(s, cap);
			if (!ns) {
				free(s);
				return NULL;
			}
			s = ns;
		}
		if (n)
			s[n++] = ';';
		memcpy(s + n, name, l + 1);
		n += l;
	}
	return s;
}

/* Interns the kernel part of a callchain; returns id + 1, or 0 when empty or out of memory. */
static uint32_t stack_intern(struct capture *c, const uint64_t *chain, uint64_t nr)
{
	uint64_t ips[MAX_STACK];
	uint32_t n = 0;
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (uint64_t k = 0; k < nr && n < MAX_STACK; k++) {
		if (chain[k] >= (uint64_t)PERF_CONTEXT_MAX)
			continue;	/* PERF_CONTEXT_KERNEL and friends */
		ips[n++] = chain[k];
		h = (h ^ chain[k]) * 1099511628211ull;
	}
	if (!n)
		return 0;
	if ((c->stack_len + 1) * 2 > c->stack_cap) {
		size_t ncap = c->stack_cap ? c->stack_cap * 2 : 1024;
		struct stackent *nt = calloc(ncap, sizeof(*nt));

		if (!nt)
			return 0;
		for (size_t j = 0; j < c->stack_cap; j++) {
			if (!c->stacks[j].ips)
				continue;
			i = c->stacks[j].hash & (ncap - 1);
			while (nt[i].ips)
				i = (i + 1) & (ncap - 1);
			nt[i] = c->stacks[j];
		}
		free(c->stacks);
		c->stacks = nt;
		c->stack_cap = ncap;
	}
	i = h & (c->stack_cap - 1);
	while (c->stacks[i].ips) {
		struct stackent *e = &c->stacks[i];

		if (e->hash == h && e->nr == n && !memcmp(e->ips, ips, n * sizeof(*ips)))
			return e->id + 1;
		i = (i + 1) & (c->stack_cap - 1);
	}
	struct stackent *e = &c->stacks[i];

	if (c->stack_ids == c->stack_ids_cap) {
		size_t ncap = c->stack_ids_cap ? c->stack_ids_cap * 2 : 256;
		const char **nb = realloc(c->stack_by_id, ncap * sizeof(*nb));

		if (!nb)
			return 0;
		c->stack_by_id = nb;
		c->stack_ids_cap = ncap;
	}
	e->ips = malloc(n * sizeof(*ips));
	e->folded = fold_stack(c, ips, n);
	if (!e->ips || !e->folded) {
		free(e->ips);
		free(e->folded);
		e->ips = NULL;
		e->folded = NULL;
		return 0;
	}
	memcpy(e->ips, ips, n * sizeof(*ips));
	e->hash = h;
	e->nr = n;
	e->id = (uint32_t)c->stack_ids;
	c->stack_by_id[c->stack_ids++] = e->folded;
	c->stack_len++;
	return e->id + 1;
}

static const char *stack_str(const struct capture *c, uint32_t id)
{
	return id ? c->stack_by_id[id - 1] : NULL;
}

/* ---- event set ---- */

static int add_event(struct capture *c, const char *sys, const char *name, enum role role, int kind,
		     bool required, char *errmsg, size_t len)
{
	struct tep_event *tev;
	struct cev *e;
	int err;

	for (size_t i = 0; i < c->nr_ev; i++) {
		char full[160];

		snprintf(full, sizeof(full), "%s:%s", sys, name);
		if (!strcmp(c->ev[i].name, full))
			return 0;
	}
	err = tpd_event(c->tpd, sys, name, &tev);
	if (err) {
		if (!required && err == -ENOENT)
			return 0;
		snprintf(errmsg, len, "event %s:%s: %s in %s/events", sys, name,
			 err == -ENOENT ? "no such tracepoint" : "cannot parse its format",
			 tpd_root(c->tpd));
		return err;
	}
	e = realloc(c->ev, (c->nr_ev + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	c->ev = e;
	e = &c->ev[c->nr_ev];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s:%s", sys, name);
	e->id = tpd_event_id(tev);
	e->role = role;
	e->kind = kind;
	tpd_field(tev, "order", &e->order);
	tpd_field(tev, "gfp_flags", &e->gfp);
	if (e->gfp.size && tpd_flags_of(tev, "gfp_flags", &e->gfpfl) == 0)
		e->have_gfpfl = true;
	if (role == R_END)
		tpd_field(tev, "nr_reclaimed", &e->nr);
	if (role == R_THROTTLED) {
		tpd_field(tev, "usec_delayed", &e->nr);
		tpd_field(tev, "reason", &e->reason);
	}
	if (role == R_POINT && kind == POINT_NOFAIL &&
	    (!e->gfp.size || nofail_gfp_bit(c->tpd, sys, name, &e->nofail_bit))) {
		/* No gfp_flags or no NOFAIL in its table: nothing to filter on, not counted. */
		if (e->have_gfpfl)
			tpd_flags_free(&e->gfpfl);
		if (required) {
			snprintf(errmsg, len, "event %s:%s: no __GFP_NOFAIL in its gfp_flags table",
				 sys, name);
			return -EINVAL;
		}
		return 0;
	}
	if (role == R_POINT) {
		const struct tp_def *d = tp_find(sys, name);
		const char *an = d && d->role == TP_POINT ? d->arg : NULL;

		if (an)
			tpd_field(tev, an, &e->arg);
		if (kind == POINT_MARK_VICTIM) {
			tpd_field(tev, "comm", &e->comm);
			tpd_field(tev, "anon_rss", &e->anon_rss);
			tpd_field(tev, "file_rss", &e->file_rss);
			tpd_field(tev, "shmem_rss", &e->shmem_rss);
			tpd_field(tev, "oom_score_adj", &e->oom_adj);
		}
	}
	if (role == R_THROTTLED && !e->nr.size) {
		snprintf(errmsg, len, "event %s: no usec_delayed field", e->name);
		return -EINVAL;
	}
	c->nr_ev++;
	return 0;
}

static void del_event(struct capture *c, const char *full)
{
	for (size_t i = 0; i < c->nr_ev; i++) {
		if (strcmp(c->ev[i].name, full))
			continue;
		if (c->ev[i].have_gfpfl)
			tpd_flags_free(&c->ev[i].gfpfl);
		memmove(&c->ev[i], &c->ev[i + 1], (c->nr_ev - i - 1) * sizeof(*c->ev));
		c->nr_ev--;
		return;
	}
}

static int build_event_set(struct capture *c, const char *spec, char *errmsg, size_t len)
{
	char *dup, *tok, *save = NULL;
	int err = 0;

	for (size_t i = 0; i < tp_catalog_n; i++) {
		err = add_event(c, tp_catalog[i].sys, tp_catalog[i].name, (enum role)tp_catalog[i].role,
				tp_catalog[i].kind, false, errmsg, len);
		if (err)
			return err;
	}
	for (size_t i = 0; c->want_nofail && nofail_events[i][0]; i++) {
		err = add_event(c, nofail_events[i][0], nofail_events[i][1], R_POINT, POINT_NOFAIL,
				false, errmsg, len);
		if (err)
			return err;
	}
	if (!spec || !*spec)
		return 0;
	dup = strdup(spec);
	if (!dup)
		return -ENOMEM;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool del = *tok == '-';
		char *colon;

		if (*tok == '+' || *tok == '-')
			tok++;
		colon = strchr(tok, ':');
		if (!colon || colon == tok || !colon[1]) {
			snprintf(errmsg, len, "--events %s: not sys:event (try +syscalls:sys_enter_getppid)",
				 tok);
			err = -EINVAL;
			break;
		}
		if (del) {
			del_event(c, tok);
			continue;
		}
		*colon = '\0';
		const struct tp_def *d = tp_find(tok, colon + 1);

		bool nf = false;

		for (size_t i = 0; nofail_events[i][0]; i++)
			nf |= !strcmp(tok, nofail_events[i][0]) && !strcmp(colon + 1, nofail_events[i][1]);
		err = add_event(c, tok, colon + 1, d ? (enum role)d->role : R_POINT,
				d ? d->kind : nf ? POINT_NOFAIL : POINT_OTHER, true, errmsg, len);
		if (err)
			break;
	}
	free(dup);
	return err;
}

/* ---- opening ---- */

int capture_probe(const struct capture_opts *o, char *errmsg, size_t len)
{
	struct capture *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	c->want_nofail = o->nofail;
	err = tpd_open(o->tracefs, &c->tpd, errmsg, len);
	if (err) {
		err = err == -ENOMEM ? err : -ENODEV;
		goto out;
	}
	/* The defaults alone first: a default that does not parse is our bug, not the user's. */
	err = build_event_set(c, NULL, errmsg, len);
	if (err) {
		err = err == -ENOMEM ? err : -EIO;
		goto out;
	}
	if (!c->nr_ev) {
		snprintf(errmsg, len, "none of the reclaim tracepoints exist in %s/events",
			 tpd_root(c->tpd));
		err = -ENOENT;
		goto out;
	}
	err = build_event_set(c, o->events, errmsg, len);
	if (err && err != -ENOMEM)
		err = -EINVAL;
out:
	capture_close(c);
	return err;
}

static int online_cpus(int **cpus, unsigned int *n)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	char buf[4096], *p, *save = NULL;
	int *v = NULL;
	unsigned int cnt = 0;

	if (!f || !fgets(buf, sizeof(buf), f)) {
		long nc = sysconf(_SC_NPROCESSORS_ONLN);

		if (f)
			fclose(f);
		if (nc < 1)
			return -EINVAL;
		v = calloc((size_t)nc, sizeof(*v));
		if (!v)
			return -ENOMEM;
		for (long i = 0; i < nc; i++)
			v[cnt++] = (int)i;
		*cpus = v;
		*n = cnt;
		return 0;
	}
	fclose(f);
	for (p = strtok_r(buf, ",\n", &save); p; p = strtok_r(NULL, ",\n", &save)) {
		int a, b;

		if (sscanf(p, "%d-%d", &a, &b) != 2)
			b = a = atoi(p);
		for (int i = a; i <= b; i++) {
			int *nv = realloc(v, (cnt + 1) * sizeof(*v));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			v[cnt++] = i;
		}
	}
	*cpus = v;
	*n = cnt;
	return 0;
}

static size_t default_pages(unsigned int ncpu)
{
	/* 8 MiB per CPU on small machines (1M events/s for ~130 ms), 64 MiB in all on big ones */
	size_t p = 2048;

	while (p > 256 && p * ncpu > 16384)
		p /= 2;
	return p;
}

int capture_open(const struct capture_opts *o, struct capture **out, char *errmsg, size_t len)
{
	struct capture *c = calloc(1, sizeof(*c));
	int *cpus = NULL;
	unsigned int ncpu = 0;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	char *p;
	int err;

	if (!c)
		return -ENOMEM;
	snprintf(errmsg, len, "capture: out of memory");
	c->want_nofail = o->nofail;
	err = tpd_open(o->tracefs, &c->tpd, errmsg, len);
	if (err)
		goto fail;
	err = build_event_set(c, o->events, errmsg, len);
	if (err)
		goto fail;
	if (!c->nr_ev) {
		snprintf(errmsg, len, "capture: none of the reclaim tracepoints exist in %s/events",
			 tpd_root(c->tpd));
		err = -ENOENT;
		goto fail;
	}
	c->max_id = 0;
	for (size_t i = 0; i < c->nr_ev; i++) {
		if (c->ev[i].id > c->max_id)
			c->max_id = c->ev[i].id;
		if (c->ev[i].role == R_THROTTLED)
			c->have_throttled = true;
	}
	c->by_id = malloc(((size_t)c->max_id + 1) * sizeof(*c->by_id));
	if (!c->by_id) {
		err = -ENOMEM;
		goto fail;
	}
	for (int i = 0; i <= c->max_id; i++)
		c->by_id[i] = -1;
	for (size_t i = 0; i < c->nr_ev; i++)
		c->by_id[c->ev[i].id] = (int16_t)i;
	c->events_str = calloc(1, c->nr_ev * 128 + 1);
	if (!c->events_str) {
		err = -ENOMEM;
		goto fail;
	}
	p = c->events_str;
	for (size_t i = 0; i < c->nr_ev; i++)
		p += sprintf(p, "%s%s", i ? "," : "", c->ev[i].name);

	c->callchain = o->callchain;
	if (c->callchain && !o->offline_cpus) {
		err = ksyms_load(c);
		if (err) {
			snprintf(errmsg, len, "--callchain: /proc/kallsyms: %s", strerror(-err));
			goto fail;
		}
	}
	if (o->offline_cpus) {
		ncpu = o->offline_cpus;
		cpus = calloc(ncpu, sizeof(*cpus));
		if (!cpus) {
			err = -ENOMEM;
			goto fail;
		}
		for (unsigned int i = 0; i < ncpu; i++)
			cpus[i] = (int)i;
		c->offline = true;
	} else {
		err = online_cpus(&cpus, &ncpu);
	}
	if (err) {
		snprintf(errmsg, len, "capture: cannot list online CPUs: %s", strerror(-err));
		goto fail;
	}
	c->pages = o->ring_pages ? o->ring_pages : default_pages(ncpu);
	if (c->pages & (c->pages - 1)) {
		snprintf(errmsg, len, "capture: ring size %zu pages is not a power of two", c->pages);
		err = -EINVAL;
		goto fail;
	}
	c->rings = calloc(ncpu, sizeof(*c->rings));
	c->fds = calloc(ncpu * c->nr_ev, sizeof(*c->fds));
	if (!c->rings || !c->fds) {
		err = -ENOMEM;
		goto fail;
	}
	c->sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;
	if (c->callchain)
		c->sample_type |= PERF_SAMPLE_CALLCHAIN;
	for (unsigned int r = 0; r < ncpu; r++) {
		struct ring *rg = &c->rings[r];

		rg->cpu = cpus[r];
		rg->fd = -1;
		c->nr_rings++;
		if (c->offline) {
			rg->size = c->pages * pg;
			rg->mask = rg->size - 1;
			rg->base = mmap(NULL, rg->size + pg, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (rg->base == MAP_FAILED) {
				rg->base = NULL;
				err = -ENOMEM;
				goto fail;
			}
			rg->pg = rg->base;
			rg->data = (unsigned char *)rg->base + pg;
			continue;
		}
		for (size_t i = 0; i < c->nr_ev; i++) {
			struct perf_event_attr a;
			int fd;

			memset(&a, 0, sizeof(a));
			a.size = sizeof(a);
			a.type = PERF_TYPE_TRACEPOINT;
			a.config = (uint64_t)c->ev[i].id;
			a.sample_period = 1;
			a.sample_type = c->sample_type;
			a.disabled = 1;
			a.use_clockid = 1;
			a.clockid = CLOCK_MONOTONIC;
			a.watermark = 1;
			a.wakeup_watermark = (uint32_t)(c->pages * pg / 4);	/* a reader held off its CPU for a while still keeps up */
			if (c->callchain) {
				a.exclude_callchain_user = 1;
				a.sample_max_stack = MAX_STACK;
			}
			fd = (int)syscall(SYS_perf_event_open, &a, -1, rg->cpu, -1, PERF_FLAG_FD_CLOEXEC);
			if (fd < 0) {
				err = -errno;
				snprintf(errmsg, len, "perf_event_open %s on cpu %d: %s%s", c->ev[i].name,
					 rg->cpu, strerror(errno),
					 errno == EACCES || errno == EPERM ?
					 " (needs root or kernel.perf_event_paranoid <= -1)" : "");
				goto fail;
			}
			c->fds[c->nr_fds++] = fd;
			if (rg->fd < 0) {
				rg->fd = fd;
				rg->size = c->pages * pg;
				rg->mask = rg->size - 1;
				rg->base = mmap(NULL, rg->size + pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
				if (rg->base == MAP_FAILED) {
					err = -errno;
					rg->base = NULL;
					snprintf(errmsg, len, "mmap of %zu-page ring on cpu %d: %s (try a smaller ring)",
						 c->pages, rg->cpu, strerror(errno));
					goto fail;
				}
				rg->pg = rg->base;
				rg->data = (unsigned char *)rg->base + pg;
			}
			if (c->ev[i].kind == POINT_NOFAIL && c->ev[i].role == R_POINT) {
				/* every allocation fires it: only NOFAIL ones may reach the ring */
				char flt[64];

				if (ioctl(fd, PERF_EVENT_IOC_SET_FILTER,
					  nofail_filter(c->ev[i].nofail_bit, flt, sizeof(flt))) < 0) {
					err = -errno;
					snprintf(errmsg, len, "PERF_EVENT_IOC_SET_FILTER '%s' on %s: %s "
						 "(--events -%s runs without counting it)", flt, c->ev[i].name,
						 strerror(errno), c->ev[i].name);
					goto fail;
				}
			}
			if (rg->fd == fd) {
				/* the ring's own event */
			} else if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, rg->fd) < 0) {
				err = -errno;
				snprintf(errmsg, len, "PERF_EVENT_IOC_SET_OUTPUT %s on cpu %d: %s", c->ev[i].name,
					 rg->cpu, strerror(errno));
				goto fail;
			}
		}
	}
	free(cpus);
	*out = c;
	return 0;
fail:
	free(cpus);
	capture_close(c);
	return err < 0 ? err : -EINVAL;
}

int capture_enable(struct capture *c)
{
	c->enable_ns = now_ns();
	c->horizon = c->enable_ns;
	for (size_t i = 0; i < c->nr_fds; i++)
		if (ioctl(c->fds[i], PERF_EVENT_IOC_ENABLE, 0) < 0)
			return -errno;
	return 0;
}

int capture_disable(struct capture *c)
{
	for (size_t i = 0; i < c->nr_fds; i++)
		if (ioctl(c->fds[i], PERF_EVENT_IOC_DISABLE, 0) < 0)
			return -errno;
	return 0;
}

/* ---- ring reading ---- */

static void ring_publish(struct ring *r)
{
	if (r->published != r->tail) {
		__atomic_store_n(&r->pg->data_tail, r->tail, __ATOMIC_RELEASE);
		r->published = r->tail;
	}
}

/*
 * Peeks the next sample of ring r (consuming LOST and other non-sample
 * records on the way). Returns true with r->ts / r->rec set.
 */
static bool ring_peek(struct ring *r, long *nread)
{
	while (r->tail < r->head) {
		uint64_t off = r->tail & r->mask;
		struct perf_event_header h;
		const unsigned char *rec;

		if (off + sizeof(h) <= r->size) {
			memcpy(&h, r->data + off, sizeof(h));
		} else {
			size_t first = r->size - off;

			memcpy(&h, r->data + off, first);
			memcpy((char *)&h + first, r->data, sizeof(h) - first);
		}
		if (h.size < sizeof(h) || r->tail + h.size > r->head) {
			r->tail = r->head;	/* corrupt: skip what we have */
			break;
		}
		if (off + h.size <= r->size) {
			rec = r->data + off;
		} else {
			size_t first = r->size - off;

			memcpy(r->copy, r->data + off, first);
			memcpy(r->copy + first, r->data, h.size - first);
			rec = r->copy;
		}
		if (h.type == PERF_RECORD_SAMPLE && h.size >= sizeof(h) + 24) {
			/* pid, tid, time */
			memcpy(&r->ts, rec + sizeof(h) + 8, 8);
			r->rec = rec;
			r->rec_size = h.size;
			r->have = true;
			return true;
		}
		if (h.type == PERF_RECORD_LOST && h.size >= sizeof(h) + 16) {
			uint64_t lost;

			memcpy(&lost, rec + sizeof(h) + 8, 8);
			r->lost += lost;
		}
		r->tail += h.size;
		(*nread)++;
	}
	r->have = false;
	return false;
}

static void ring_consume(struct ring *r)
{
	r->tail += r->rec_size;
	r->have = false;
	/* give the writer room during a long drain */
	if (r->tail - r->published >= r->size / 4)
		ring_publish(r);
}

/* ---- pairing ---- */

static int emit_late(struct capture *c, struct item *it)
{
	return late_push(c, it);
}

static void fill_end(struct item *it, uint64_t end, int64_t nr)
{
	it->end = end;
	it->nr = nr;
	it->open = 0;
}

/*
 * Keeps what mark_victim says of the chosen task (name, rss, oom_score_adj)
 * beside the FIFO: OOM kills are rare, so items stay small. Returns the
 * detail's index + 1, 0 when out of memory.
 */
static uint64_t victim_decode(struct capture *c, const struct cev *e, const void *raw, size_t rawsz)
{
	struct oom_victim *v;
	int64_t x, rss = 0;
	bool have_rss = false;
	const struct tpd_field *rf[] = { &e->anon_rss, &e->file_rss, &e->shmem_rss };

	/* one block on the first kill, never moved: points hand out pointers into it */
	if (!c->vict && !(c->vict = calloc(MAX_VICTIMS, sizeof(*c->vict))))
		return 0;
	v = &c->vict[c->nvict];	/* zeroed by calloc, written once */
	if (e->comm.size)
		tpd_read_str(&e->comm, raw, rawsz, v->comm, sizeof(v->comm));
	for (size_t i = 0; i < 3; i++)
		if (rf[i]->size && tpd_read(rf[i], raw, rawsz, &x) == 0) {
			rss += x;
			have_rss = true;
		}
	v->rss_kb = have_rss ? rss : -1;
	v->oom_score_adj = e->oom_adj.size && tpd_read(&e->oom_adj, raw, rawsz, &x) == 0 ?
			   (int32_t)x : INT32_MIN;
	return ++c->nvict;
}

static int handle_sample(struct capture *c, struct ring *r)
{
	const unsigned char *p = r->rec + sizeof(struct perf_event_header);
	const unsigned char *endp = r->rec + r->rec_size;
	uint32_t tid, cpu, rawsz;
	uint64_t ts, nr = 0;
	const uint64_t *chain = NULL;
	const unsigned char *raw;
	uint16_t type;
	int16_t idx;
	struct cev *e;
	struct tidst *t;
	struct item *it;
	int64_t v;
	uint64_t seq;

	memcpy(&tid, p + 4, 4);
	memcpy(&ts, p + 8, 8);
	memcpy(&cpu, p + 16, 4);
	p += 24;
	if (c->callchain) {
		if (p + 8 > endp)
			return 0;
		memcpy(&nr, p, 8);
		p += 8;
		if (nr > (uint64_t)(endp - p) / 8)
			return 0;
		chain = (const uint64_t *)p;	/* 8-byte aligned: records are */
		p += nr * 8;
	}
	if (p + 4 > endp)
		return 0;
	memcpy(&rawsz, p, 4);
	raw = p + 4;
	if (raw + rawsz > endp || rawsz < 8)
		return 0;
	memcpy(&type, raw, 2);
	if (type > c->max_id || (idx = c->by_id[type]) < 0)
		return 0;
	e = &c->ev[idx];

	if (e->role == R_POINT && e->kind == POINT_NOFAIL &&
	    (tpd_read(&e->gfp, raw, rawsz, &v) || !((uint64_t)v & e->nofail_bit)))
		return 0;	/* the kernel's filter let it through, or no filter (tests) */
	if (e->role == R_POINT) {
		it = fifo_push(&c->out, &seq);
		if (!it)
			return -ENOMEM;
		it->t = it->end = ts;
		it->tid = tid;
		it->cpu = cpu;
		it->ev = (uint16_t)idx;
		it->kind = (uint8_t)e->kind;
		it->is_point = 1;
		it->nr = tpd_read(&e->arg, raw, rawsz, &v) == 0 ? v : -1;
		it->gfp = 0;
		if (e->kind == POINT_MARK_VICTIM && c->nvict < MAX_VICTIMS)
			it->gfp = victim_decode(c, e, raw, rawsz);
		if (e->kind == POINT_NOFAIL && chain)
			it->stack = stack_intern(c, chain, nr);
		return 0;
	}
	t = tid_get(c, tid);
	if (!t)
		return -ENOMEM;
	if (e->role == R_THROTTLED) {
		struct item x;
		uint64_t d = 0;

		if (tpd_read(&e->nr, raw, rawsz, &v) == 0 && v > 0)
			d = (uint64_t)v * 1000;
		if (d > ts)
			d = ts;
		memset(&x, 0, sizeof(x));
		x.t = ts - d;
		x.end = ts;
		x.nr = -1;
		x.order = -1;
		x.tid = tid;
		x.cpu = cpu;
		x.ev = (uint16_t)idx;
		x.kind = STALL_THROTTLED;
		x.stack = chain ? stack_intern(c, chain, nr) : 0;
		/* the reason bits ride in gfp: a throttle has no gfp of its own */
		x.gfp = tpd_read(&e->reason, raw, rawsz, &v) == 0 ? (uint64_t)v : UINT64_MAX;
		return emit_late(c, &x);
	}
	if (e->role == R_BEGIN) {
		if (t->open_seq[e->kind]) {
			/* the previous begin's end was lost: report it, duration unknown (0) */
			it = fifo_at(&c->out, t->open_seq[e->kind] - 1);
			if (it) {
				fill_end(it, it->t, -1);
				it->unpaired = 1;
			}
		}
		it = fifo_push(&c->out, &seq);
		if (!it)
			return -ENOMEM;
		it->t = ts;
		it->end = ts;
		it->tid = tid;
		it->cpu = cpu;
		it->ev = (uint16_t)idx;
		it->kind = (uint8_t)e->kind;
		it->open = 1;
		it->nr = -1;
		it->order = tpd_read(&e->order, raw, rawsz, &v) == 0 ? (int32_t)v : -1;
		it->gfp = tpd_read(&e->gfp, raw, rawsz, &v) == 0 ? (uint64_t)v : 0;
		it->stack = chain ? stack_intern(c, chain, nr) : 0;
		t->open_seq[e->kind] = seq + 1;
		return 0;
	}
	/* R_END */
	int64_t nrr = tpd_read(&e->nr, raw, rawsz, &v) == 0 ? v : -1;

	if (t->open_seq[e->kind]) {
		it = fifo_at(&c->out, t->open_seq[e->kind] - 1);
		t->open_seq[e->kind] = 0;
		if (it) {
			fill_end(it, ts >= it->t ? ts : it->t, nrr);
			t->last_end = ts;
			return 0;
		}
	}
	struct item x;

	memset(&x, 0, sizeof(x));
	x.t = c->enable_ns > t->last_end ? c->enable_ns : t->last_end;
	if (x.t > ts)
		x.t = ts;
	x.end = ts;
	x.nr = nrr;
	x.order = -1;
	x.tid = tid;
	x.cpu = cpu;
	x.ev = (uint16_t)idx;
	x.kind = (uint8_t)e->kind;
	x.unpaired = 1;
	x.missing_begin = 1;
	t->last_end = ts;
	return emit_late(c, &x);
}

/* ---- output ---- */

static const char *gfp_names(struct cev *e, uint64_t gfp, char *tmp, size_t len)
{
	unsigned int h = (unsigned int)((gfp * 0x9E3779B97F4A7C15ull) >> 61);

	if (!e->have_gfpfl) {
		snprintf(tmp, len, "0x%" PRIx64, gfp);
		return tmp;
	}
	if (!e->gfp_cache_ok[h] || e->gfp_cache_val[h] != gfp) {
		tpd_flags_str(&e->gfpfl, gfp, e->gfp_cache_str[h], sizeof(e->gfp_cache_str[h]));
		e->gfp_cache_val[h] = gfp;
		e->gfp_cache_ok[h] = true;
	}
	return e->gfp_cache_str[h];
}

/*
 * mm_vmscan_throttled's reason: bit n is enum vmscan_throttle_state n
 * (WRITEBACK, ISOLATED, NOPROGRESS, CONGESTED since 5.16). The format file
 * names them in that order but cannot evaluate their values (the enum is
 * not exported), so the order is the table.
 */
static const char *throttle_reason(uint64_t bits)
{
	static const char *const one[] = { "writeback", "isolated", "noprogress", "congested" };
	static const char *const many[16] = {
		[3] = "writeback|isolated", [5] = "writeback|noprogress",
		[6] = "isolated|noprogress", [9] = "writeback|congested",
		[10] = "isolated|congested", [12] = "noprogress|congested",
	};

	if (bits == UINT64_MAX)
		return "unknown";
	if (!bits)
		return "none";
	if (bits < 16 && !(bits & (bits - 1)))
		return one[__builtin_ctzll(bits)];
	return bits < 16 && many[bits] ? many[bits] : "several";
}

static void deliver(struct capture *c, const struct item *it, const struct capture_sink *sink)
{
	struct cev *e = &c->ev[it->ev];

	if (it->is_point) {
		struct point pt = {
			.t_ns = it->t, .tid = it->tid, .cpu = it->cpu,
			.kind = (enum point_kind)it->kind, .name = e->name, .arg = it->nr,
			.victim = it->kind == POINT_MARK_VICTIM && it->gfp && it->gfp <= c->nvict ?
				  &c->vict[it->gfp - 1] : NULL,
			.stack = stack_str(c, it->stack),
		};

		if (sink && sink->point)
			sink->point(sink->arg, &pt);
		return;
	}
	struct stall s;

	memset(&s, 0, sizeof(s));
	s.t_start_ns = it->t;
	s.duration_ns = it->end - it->t;
	s.tid = it->tid;
	s.cpu = it->cpu;
	s.kind = (enum stall_kind)it->kind;
	s.nr_reclaimed = it->nr;
	s.order = it->order;
	s.gfp = it->kind == STALL_THROTTLED ? 0 : it->gfp;
	if (e->gfp.size && e->role == R_BEGIN) {
		char tmp[32];

		snprintf(s.gfp_names, sizeof(s.gfp_names), "%s", gfp_names(e, it->gfp, tmp, sizeof(tmp)));
	}
	s.unpaired = it->unpaired;
	s.missing_begin = it->missing_begin;
	if (it->kind == STALL_THROTTLED)
		s.reason = throttle_reason(it->gfp);
	s.stack = stack_str(c, it->stack);
	if (sink && sink->stall)
		sink->stall(sink->arg, &s);
}

/* Hands over, in begin order, everything that begins at or before bound. */
static void release(struct capture *c, uint64_t bound, const struct capture_sink *sink)
{
	for (;;) {
		struct item *f = c->out.len ? fifo_at(&c->out, c->out.base) : NULL;
		struct item *l = c->nlate ? &c->late[0] : NULL;

		if (l && (!f || l->t < f->t)) {
			if (l->t > bound)
				break;
			struct item x = *l;

			late_pop(c);
			deliver(c, &x, sink);
			continue;
		}
		if (!f || f->open || f->t > bound)
			break;
		deliver(c, f, sink);
		c->out.base++;
		c->out.len--;
	}
	/* what has left: everything below the first item still waiting, and below bound */
	uint64_t h = bound;

	if (c->out.len) {
		uint64_t t = fifo_at(&c->out, c->out.base)->t;

		if (t < h)
			h = t;
	}
	if (c->nlate && c->late[0].t < h)
		h = c->late[0].t;
	if (h > c->horizon)
		c->horizon = h;
}

/* Closes begins that can no longer end: at final, or whose task has exited. */
static void close_open(struct capture *c, bool final, uint64_t now)
{
	for (size_t i = 0; i < c->tid_cap; i++) {
		struct tidst *t = &c->tids[i];

		if (!t->tid)
			continue;
		for (int k = 0; k < NR_PAIRED; k++) {
			struct item *it;
			char path[64];

			if (!t->open_seq[k])
				continue;
			it = fifo_at(&c->out, t->open_seq[k] - 1);
			if (!it) {
				t->open_seq[k] = 0;
				continue;
			}
			if (final) {
				fill_end(it, now > it->t ? now : it->t, -1);
			} else {
				if (now - it->t < OPEN_CHECK_NS)
					continue;
				snprintf(path, sizeof(path), "/proc/%u", real_tid(t->tid));
				if (real_tid(t->tid) == 0 || access(path, F_OK) == 0)
					continue;
				fill_end(it, it->t, -1);	/* task gone: its end was lost */
			}
			it->unpaired = 1;
			t->open_seq[k] = 0;
		}
	}
}

long capture_drain(struct capture *c, const struct capture_sink *sink, bool final)
{
	uint64_t t_read = now_ns(), horizon;
	long nread = 0;
	int err = 0;

	for (unsigned int i = 0; i < c->nr_rings; i++) {
		struct ring *r = &c->rings[i];

		r->head = __atomic_load_n(&r->pg->data_head, __ATOMIC_ACQUIRE);
		ring_peek(r, &nread);
	}
	horizon = final ? UINT64_MAX : t_read - INFLIGHT_SLACK_NS;
	/* merge: the oldest peeked sample across rings, while it is old enough */
	for (;;) {
		struct ring *best = NULL;

		for (unsigned int i = 0; i < c->nr_rings; i++) {
			struct ring *r = &c->rings[i];

			if (r->have && (!best || r->ts < best->ts))
				best = r;
		}
		if (!best || best->ts > horizon)
			break;
		if (!err)
			err = handle_sample(c, best);
		ring_consume(best);
		nread++;
		ring_peek(best, &nread);
	}
	for (unsigned int i = 0; i < c->nr_rings; i++)
		ring_publish(&c->rings[i]);
	if (final) {
		close_open(c, true, now_ns());
		release(c, UINT64_MAX, sink);
	} else {
		if (t_read - c->last_open_check >= OPEN_CHECK_NS) {
			close_open(c, false, t_read);
			c->last_open_check = t_read;
		}
		uint64_t bound = horizon;

		if (c->have_throttled)
			bound = bound > THROTTLE_SLACK_NS ? bound - THROTTLE_SLACK_NS : 0;
		release(c, bound, sink);
	}
	return err ? err : nread;
}

uint64_t capture_lost(const struct capture *c, uint64_t *per_cpu, unsigned int nr_cpu)
{
	uint64_t total = 0;

	if (per_cpu)
		memset(per_cpu, 0, nr_cpu * sizeof(*per_cpu));
	for (unsigned int i = 0; i < c->nr_rings; i++) {
		total += c->rings[i].lost;
		if (per_cpu && (unsigned int)c->rings[i].cpu < nr_cpu)
			per_cpu[c->rings[i].cpu] = c->rings[i].lost;
	}
	return total;
}

unsigned int capture_nr_cpus(const struct capture *c)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < c->nr_rings; i++)
		if ((unsigned int)c->rings[i].cpu + 1 > n)
			n = (unsigned int)c->rings[i].cpu + 1;
	return n;
}

const char *capture_events(const struct capture *c)
{
	return c->events_str ? c->events_str : "";
}

bool capture_counts_nofail(const struct capture *c)
{
	for (size_t i = 0; c && i < c->nr_ev; i++)
		if (c->ev[i].role == R_POINT && c->ev[i].kind == POINT_NOFAIL)
			return true;
	return false;
}

uint64_t capture_horizon(const struct capture *c)
{
	return c->horizon;
}

size_t capture_ring_pages(const struct capture *c)
{
	return c->pages;
}

struct perf_event_mmap_page *capture_test_ring(struct capture *c, unsigned int i, void **data,
					       size_t *size)
{
	if (!c->offline || i >= c->nr_rings)
		return NULL;
	*data = c->rings[i].data;
	*size = c->rings[i].size;
	return c->rings[i].pg;
}

int capture_wait(struct capture *c, int timeout_ms)
{
	struct pollfd pfd[c->nr_rings ? c->nr_rings : 1];
	int n;

	for (unsigned int i = 0; i < c->nr_rings; i++) {
		pfd[i].fd = c->rings[i].fd;
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	n = poll(pfd, c->nr_rings, timeout_ms);
	if (n < 0)
		return -errno;
	return n > 0;
}

void capture_close(struct capture *c)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	if (!c)
		return;
	for (unsigned int i = 0; c->rings && i < c->nr_rings; i++)
		if (c->rings[i].base)
			munmap(c->rings[i].base, c->rings[i].size + pg);
	for (size_t i = 0; i < c->nr_fds; i++)
		close(c->fds[i]);
	for (size_t i = 0; i < c->nr_ev; i++)
		if (c->ev[i].have_gfpfl)
			tpd_flags_free(&c->ev[i].gfpfl);
	for (size_t i = 0; i < c->stack_cap; i++) {
		free(c->stacks[i].ips);
		free(c->stacks[i].folded);
	}
	free(c->stacks);
	free(c->stack_by_id);
	free(c->ksyms);
	free(c->ksym_names);
	free(c->tids);
	free(c->late);
	free(c->out.buf);
	free(c->rings);
	free(c->fds);
	free(c->by_id);
	free(c->events_str);
	free(c->ev);
	free(c->vict);
	tpd_close(c->tpd);
	free(c);
}
