/*
 * Off-CPU spans of the run's tasks: a sched_switch that takes one of them
 * off a CPU opens a span (its state says asleep or preempted, its stack the
 * wait site), the sched_waking that names it marks the end of the sleep
 * and who woke it, and the sched_switch that puts it back on a CPU closes
 * it. A closed span is queued and handed over at the end of the drain that
 * read it: an op that has ended was back on a CPU by then, so its spans are
 * all in before the capture's horizon passes its end. The kernel filters
 * both events to the tasks named (capture_set_tasks), so the rest of the
 * machine's switches never reach a ring.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "capture_impl.h"

#define STATE_SLEEPING	0xffu	/* prev_state bits below TASK_REPORT_MAX: S, D, ...; 0 is R */
#define CFLAG_HARDIRQ	0x08	/* common_flags: TRACE_FLAG_HARDIRQ */
#define CFLAG_SOFTIRQ	0x10	/* TRACE_FLAG_SOFTIRQ */
#define FILTER_MAX	4000	/* the kernel copies at most a page of filter */
#define COMM_TTL_NS	(1000ull * 1000 * 1000)

static bool tracked(const struct capture *c, uint32_t tid)
{
	size_t lo = 0, hi = c->ntracked;

	if (!c->tracked)
		return tid != 0;
	while (lo < hi) {
		size_t m = (lo + hi) / 2;

		if (c->tracked[m] == tid)
			return true;
		if (c->tracked[m] < tid)
			lo = m + 1;
		else
			hi = m;
	}
	return false;
}

static int offq_push(struct capture *c, const struct tidst *t, uint32_t tid, uint64_t t_in)
{
	if (c->noffq == c->offq_cap) {
		size_t n = c->offq_cap ? c->offq_cap * 2 : 1024;
		struct offq_item *nb = realloc(c->offq, n * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		c->offq = nb;
		c->offq_cap = n;
	}
	c->offq[c->noffq++] = (struct offq_item){
		.t_out = t->off_t, .t_wake = t->off_wake_t, .t_in = t_in, .tid = tid,
		.stack = t->off_stack, .waker = t->off_waker, .wctx = t->off_wctx,
		.sleeping = t->off_sleeping,
	};
	return 0;
}

static int on_switch(struct capture *c, const struct sample *s)
{
	const struct cev *e = s->e;
	int64_t prev, state, next;
	struct tidst *t;

	if (tpd_read(&e->prev_pid, s->raw, s->rawsz, &prev) ||
	    tpd_read(&e->prev_state, s->raw, s->rawsz, &state) ||
	    tpd_read(&e->next_pid, s->raw, s->rawsz, &next))
		return 0;
	if (tracked(c, (uint32_t)prev)) {
		t = cap_tid_get(c, (uint32_t)prev);
		if (!t)
			return -ENOMEM;
		t->off_open = true;
		t->off_t = s->ts;
		t->off_sleeping = ((uint64_t)state & STATE_SLEEPING) != 0;
		t->off_stack = t->off_sleeping && s->chain ? cap_stack_intern(c, s->chain, s->nr) : 0;
		t->off_wake_t = 0;
		t->off_waker = 0;
		t->off_wctx = 0;
	}
	if (tracked(c, (uint32_t)next)) {
		t = cap_tid_get(c, (uint32_t)next);
		if (!t)
			return -ENOMEM;
		if (!t->off_open)
			return 0;	/* its switch-out was before the start, or lost */
		t->off_open = false;
		return offq_push(c, t, (uint32_t)next, s->ts >= t->off_t ? s->ts : t->off_t);
	}
	return 0;
}

static int on_waking(struct capture *c, const struct sample *s)
{
	const struct cev *e = s->e;
	int64_t pid, fl = 0;
	struct tidst *t;

	if (tpd_read(&e->pid, s->raw, s->rawsz, &pid) || !tracked(c, (uint32_t)pid))
		return 0;
	t = cap_tid_get(c, (uint32_t)pid);
	if (!t)
		return -ENOMEM;
	/* woken before it went off (a wake-up racing the sleep), or twice: the first counts */
	if (!t->off_open || !t->off_sleeping || t->off_wake_t)
		return 0;
	t->off_wake_t = s->ts;
	t->off_waker = s->tid + 1;
	if (e->cflags.size && tpd_read(&e->cflags, s->raw, s->rawsz, &fl) == 0)
		t->off_wctx = (fl & CFLAG_HARDIRQ) ? 1 : (fl & CFLAG_SOFTIRQ) ? 2 : 0;
	return 0;
}

int cap_sched_sample(struct capture *c, const struct sample *s)
{
	return s->e->role == R_SWITCH ? on_switch(c, s) : on_waking(c, s);
}

const char *cap_intern(struct capture *c, const char *s)
{
	char *d;

	for (size_t i = 0; i < c->nstrs; i++)
		if (!strcmp(c->strs[i], s))
			return c->strs[i];
	if (c->nstrs == c->strs_cap) {
		size_t n = c->strs_cap ? c->strs_cap * 2 : 64;
		char **nb = realloc(c->strs, n * sizeof(*nb));

		if (!nb)
			return NULL;
		c->strs = nb;
		c->strs_cap = n;
	}
	d = strdup(s);
	if (d)
		c->strs[c->nstrs++] = d;
	return d;
}

/*
 * A comm as one name per kind of thread: "kworker/u4:2-events" and
 * "kworker/1:1H" are both kworker, swapper/1 is swapper (the idle task: an
 * interrupt on an idle CPU); "jbd2/vda-8" names its device and stays.
 */
static void comm_norm(char *comm)
{
	char *sl = strchr(comm, '/');

	for (char *p = comm; *p; p++)
		if (*p == ',' || *p == '"' || *p == '\\' || *p < ' ')
			*p = '_';	/* a CSV cell, a JSON key */

	if (sl && (sl[1] >= '0' && sl[1] <= '9'))
		*sl = '\0';
	else if (sl && sl[1] == 'u' && sl[2] >= '0' && sl[2] <= '9')
		*sl = '\0';
}

/* tid's comm, from /proc at most once a second per task; "?" when it is gone unseen. */
static const char *comm_of(struct capture *c, uint32_t tid, uint64_t now)
{
	struct commslot *sl = &c->comms[(tid * 2654435761u) >> 22];
	char path[64], buf[64];
	const char *v;
	ssize_t n;
	int fd;

	if (!tid)
		return "swapper";
	if (sl->tid == tid + 1 && now - sl->t < COMM_TTL_NS)
		return sl->comm;
	snprintf(path, sizeof(path), "/proc/%u/comm", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return sl->tid == tid + 1 ? sl->comm : "?";
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	comm_norm(buf);
	v = cap_intern(c, buf);
	if (!v)
		return "?";
	*sl = (struct commslot){ tid + 1, now, v };
	return v;
}

void cap_sched_flush(struct capture *c, const struct capture_sink *sink)
{
	uint64_t now = now_ns();

	for (size_t i = 0; i < c->noffq && sink && sink->offcpu; i++) {
		const struct offq_item *q = &c->offq[i];
		struct offcpu o = {
			.tid = q->tid, .t_out = q->t_out, .t_wake = q->t_wake, .t_in = q->t_in,
			.sleeping = q->sleeping, .site = "", .stack = "", .waker = "",
		};

		if (q->sleeping) {
			o.site = cap_stack_site(c, q->stack);
			o.stack = q->stack ? cap_stack_str(c, q->stack) : o.site;
			if (q->waker)
				o.waker = q->wctx == 1 ? "[hardirq]" : q->wctx == 2 ? "[softirq]" :
					  comm_of(c, q->waker - 1, now);
		}
		sink->offcpu(sink->arg, &o);
	}
	c->noffq = 0;
}

static int tid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* "f==a||f==b||(f>=c&&f<=d)" over the sorted tids, appended to buf; false when it does not fit. */
static bool filter_ranges(const uint32_t *t, size_t n, const char *f, char *buf, size_t len)
{
	size_t used = strlen(buf);

	for (size_t i = 0; i < n;) {
		size_t j = i;
		int w;

		while (j + 1 < n && t[j + 1] == t[j] + 1)
			j++;
		w = j == i ? snprintf(buf + used, len - used, "%s%s==%u", used ? "||" : "", f, t[i]) :
			     snprintf(buf + used, len - used, "%s(%s>=%u&&%s<=%u)", used ? "||" : "",
				      f, t[i], f, t[j]);
		if (w < 0 || (size_t)w >= len - used)
			return false;
		used += (size_t)w;
		i = j + 1;
	}
	return true;
}

int capture_set_tasks(struct capture *c, const uint32_t *tids, size_t n, char *errmsg, size_t len)
{
	char sw[FILTER_MAX + 1] = "", wk[FILTER_MAX + 1] = "";
	uint32_t *t;

	if (c->want_oncpu && !c->offline) {
		int err = cap_oncpu_open(c, tids, n, errmsg, len);

		if (err)
			return err;
	}
	if (!c->want_offcpu)
		return 0;
	t = malloc((n ? n : 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	memcpy(t, tids, n * sizeof(*t));
	qsort(t, n, sizeof(*t), tid_cmp);
	free(c->tracked);
	c->tracked = t;
	c->ntracked = n;
	if (!filter_ranges(t, n, "prev_pid", sw, sizeof(sw)) ||
	    !filter_ranges(t, n, "next_pid", sw, sizeof(sw)) ||
	    !filter_ranges(t, n, "pid", wk, sizeof(wk)) || !n) {
		/* too many to name: the workers' comm (sb-<workload><n>), then the tids above */
		snprintf(sw, sizeof(sw), "prev_comm ~ \"sb-*\" || next_comm ~ \"sb-*\"");
		snprintf(wk, sizeof(wk), "comm ~ \"sb-*\"");
	}
	for (size_t i = 0; i < c->nr_fds; i++) {
		const struct cev *e = c->fd_ev[i] >= 0 ? &c->ev[c->fd_ev[i]] : NULL;
		const char *f = e && e->role == R_SWITCH ? sw : wk;

		if (!e || (e->role != R_SWITCH && e->role != R_WAKING))
			continue;	/* not a tracepoint (cpu-clock), or not a sched one */
		if (ioctl(c->fds[i], PERF_EVENT_IOC_SET_FILTER, f) < 0) {
			int err = -errno;

			snprintf(errmsg, len, "PERF_EVENT_IOC_SET_FILTER on %s: %s", e->name,
				 strerror(errno));
			return err;
		}
	}
	return 0;
}

void cap_sched_free(struct capture *c)
{
	free(c->offq);
	free(c->tracked);
	for (size_t i = 0; i < c->nstrs; i++)
		free(c->strs[i]);
	free(c->strs);
}
