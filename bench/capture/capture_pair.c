/*
 * Begin/end pairing of the capture's merged samples into stalls, and the
 * order they leave in. A begin reserves its stall's slot in an output FIFO
 * at the time it is merged, so stalls leave in order of their begin; a slot
 * whose end has not come yet holds back everything behind it.
 * mm_vmscan_throttled fires once, after the sleep, with usec_delayed: it
 * becomes a stall of that duration ending at the event, and since it begins
 * in the past (at most the kernel's 100 ms throttle timeout) the FIFO
 * releases only what is older than the horizon minus that when the event is
 * enabled.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture_impl.h"

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

/* ---- late heap: stalls that begin in the past ---- */

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

struct tidst *cap_tid_get(struct capture *c, uint32_t tid)
{
	void *slots = c->tids;
	struct tidst *t;

	_Static_assert(offsetof(struct tidst, tid) == 0, "tidtab.h keys a slot by its first member");
	if (tid == 0)
		tid = UINT32_MAX;	/* idle task: keep 0 as the empty marker */
	t = tt_get(&slots, &c->tid_cap, &c->tid_len, sizeof(*t), tid, 256);
	c->tids = slots;
	return t;
}

static uint32_t real_tid(uint32_t t)
{
	return t == UINT32_MAX ? 0 : t;
}

/* ---- pairing ---- */

static void fill_end(struct item *it, uint64_t end, int64_t nr)
{
	it->end = end;
	it->nr = nr;
	it->open = 0;
}

/* A record that is a whole item of its own: a point. */
static int on_point(struct capture *c, const struct sample *s)
{
	struct cev *e = s->e;
	struct item *it;
	uint64_t seq;
	int64_t v;

	if (e->kind == POINT_NOFAIL &&
	    (tpd_read(&e->gfp, s->raw, s->rawsz, &v) || !((uint64_t)v & e->nofail_bit)))
		return 0;	/* the kernel's filter let it through, or no filter (tests) */
	it = fifo_push(&c->out, &seq);
	if (!it)
		return -ENOMEM;
	it->t = it->end = s->ts;
	it->tid = s->tid;
	it->cpu = s->cpu;
	it->ev = (uint16_t)s->idx;
	it->kind = (uint8_t)e->kind;
	it->is_point = 1;
	it->nr = tpd_read(&e->arg, s->raw, s->rawsz, &v) == 0 ? v : -1;
	it->gfp = 0;
	if (e->kind == POINT_MARK_VICTIM && c->nvict < MAX_VICTIMS)
		it->gfp = cap_victim_decode(c, e, s->raw, s->rawsz);
	if (e->kind == POINT_NOFAIL && s->chain)
		it->stack = cap_stack_intern(c, s->chain, s->nr);
	return 0;
}

/* mm_vmscan_throttled: a whole stall that ends now and began usec_delayed ago. */
static int on_throttled(struct capture *c, const struct sample *s)
{
	struct cev *e = s->e;
	struct item x;
	uint64_t d = 0;
	int64_t v;

	if (tpd_read(&e->arg, s->raw, s->rawsz, &v) == 0 && v > 0)
		d = (uint64_t)v * 1000;
	if (d > s->ts)
		d = s->ts;
	memset(&x, 0, sizeof(x));
	x.t = s->ts - d;
	x.end = s->ts;
	x.nr = -1;
	x.order = -1;
	x.tid = s->tid;
	x.cpu = s->cpu;
	x.ev = (uint16_t)s->idx;
	x.kind = (uint8_t)e->kind;
	x.stack = s->chain ? cap_stack_intern(c, s->chain, s->nr) : 0;
	/* the reason bits ride in gfp: a throttle has no gfp of its own */
	x.gfp = tpd_read(&e->reason, s->raw, s->rawsz, &v) == 0 ? (uint64_t)v : UINT64_MAX;
	return late_push(c, &x);
}

static int on_begin(struct capture *c, struct tidst *t, const struct sample *s)
{
	struct cev *e = s->e;
	struct item *it;
	uint64_t seq;
	int64_t v;

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
	it->t = s->ts;
	it->end = s->ts;
	it->tid = s->tid;
	it->cpu = s->cpu;
	it->ev = (uint16_t)s->idx;
	it->kind = (uint8_t)e->kind;
	it->open = 1;
	it->nr = -1;
	it->order = tpd_read(&e->order, s->raw, s->rawsz, &v) == 0 ? (int32_t)v : -1;
	it->gfp = tpd_read(&e->gfp, s->raw, s->rawsz, &v) == 0 ? (uint64_t)v : 0;
	it->stack = s->chain ? cap_stack_intern(c, s->chain, s->nr) : 0;
	t->open_seq[e->kind] = seq + 1;
	return 0;
}

static int on_end(struct capture *c, struct tidst *t, const struct sample *s)
{
	struct cev *e = s->e;
	struct item *it, x;
	int64_t v, nrr = tpd_read(&e->arg, s->raw, s->rawsz, &v) == 0 ? v : -1;

	if (t->open_seq[e->kind]) {
		it = fifo_at(&c->out, t->open_seq[e->kind] - 1);
		t->open_seq[e->kind] = 0;
		if (it) {
			fill_end(it, s->ts >= it->t ? s->ts : it->t, nrr);
			t->last_end = s->ts;
			return 0;
		}
	}
	/* no begin: it starts at the latest time it can have */
	memset(&x, 0, sizeof(x));
	x.t = c->enable_ns > t->last_end ? c->enable_ns : t->last_end;
	if (x.t > s->ts)
		x.t = s->ts;
	x.end = s->ts;
	x.nr = nrr;
	x.order = -1;
	x.tid = s->tid;
	x.cpu = s->cpu;
	x.ev = (uint16_t)s->idx;
	x.kind = (uint8_t)e->kind;
	x.unpaired = 1;
	x.missing_begin = 1;
	t->last_end = s->ts;
	return late_push(c, &x);
}

int cap_pair_sample(struct capture *c, const unsigned char *rec, uint16_t size, bool chain)
{
	struct sample s;
	struct tidst *t;

	if (!cap_sample_parse(c, rec, size, chain, &s))
		return 0;
	if (s.e->role == R_POINT)
		return on_point(c, &s);
	if (s.e->role == R_SWITCH || s.e->role == R_WAKING)
		return cap_sched_sample(c, &s);
	t = cap_tid_get(c, s.tid);
	if (!t)
		return -ENOMEM;
	switch (s.e->role) {
	case R_THROTTLED:
		return on_throttled(c, &s);
	case R_BEGIN:
		return on_begin(c, t, &s);
	default:
		return on_end(c, t, &s);
	}
}

/* ---- output ---- */

static void deliver_point(struct capture *c, const struct item *it, const struct capture_sink *sink)
{
	struct point pt = {
		.t_ns = it->t, .tid = it->tid, .cpu = it->cpu,
		.kind = (enum point_kind)it->kind, .name = c->ev[it->ev].name, .arg = it->nr,
		.victim = it->kind == POINT_MARK_VICTIM && it->gfp && it->gfp <= c->nvict ?
			  &c->vict[it->gfp - 1] : NULL,
		.stack = cap_stack_str(c, it->stack),
	};

	if (sink && sink->point)
		sink->point(sink->arg, &pt);
}

static void deliver(struct capture *c, const struct item *it, const struct capture_sink *sink)
{
	struct cev *e = &c->ev[it->ev];
	struct stall s;

	if (it->is_point) {
		deliver_point(c, it, sink);
		return;
	}
	memset(&s, 0, sizeof(s));
	s.t_start_ns = it->t;
	s.duration_ns = it->end - it->t;
	s.tid = it->tid;
	s.cpu = it->cpu;
	s.kind = (enum stall_kind)it->kind;
	s.nr_reclaimed = it->nr;
	s.order = it->order;
	s.gfp = stall_kind_throttle(it->kind) ? 0 : it->gfp;
	if (e->gfp.size && e->role == R_BEGIN) {
		char tmp[32];

		snprintf(s.gfp_names, sizeof(s.gfp_names), "%s",
			 cap_gfp_names(e, it->gfp, tmp, sizeof(tmp)));
	}
	s.unpaired = it->unpaired;
	s.missing_begin = it->missing_begin;
	if (stall_kind_throttle(it->kind))
		s.reason = cap_throttle_reason(it->gfp);
	s.stack = cap_stack_str(c, it->stack);
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
		for (int k = 0; k < STALL_NR_KINDS; k++) {
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

void cap_pair_flush(struct capture *c, uint64_t t_read, uint64_t horizon, bool final,
		    const struct capture_sink *sink)
{
	uint64_t bound = horizon;

	cap_sched_flush(c, sink);
	cap_oncpu_flush(c, sink);
	if (final) {
		close_open(c, true, now_ns());
		release(c, UINT64_MAX, sink);
		return;
	}
	if (t_read - c->last_open_check >= OPEN_CHECK_NS) {
		close_open(c, false, t_read);
		c->last_open_check = t_read;
	}
	if (c->have_throttled)
		bound = bound > THROTTLE_SLACK_NS ? bound - THROTTLE_SLACK_NS : 0;
	release(c, bound, sink);
}

void cap_pair_free(struct capture *c)
{
	free(c->tids);
	free(c->late);
	free(c->out.buf);
	free(c->vict);
	cap_sched_free(c);
}
