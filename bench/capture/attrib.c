/*
 * Streaming attribution of stalls to operations (see attrib.h). State per
 * worker tid: its pending ops (time order), the stall intervals and round
 * timestamps not yet behind its last final op (sorted on insertion, cheap
 * because the capture hands them over almost in order). Finalising an op
 * walks its tid's intervals once, summing the covered part of the window;
 * everything ending before the op's end is then dropped, since later ops of
 * that tid start after it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "tpcatalog.h"
#include "tidtab.h"

struct iv {
	uint64_t start, end;
	/*
	 * Only the end is exact (mm_vmscan_throttled: fired after the sleep,
	 * its length in jiffies; an end whose begin was never seen): the
	 * stall happened inside whatever op holds its end, and its start may
	 * be guessed early by up to a jiffy, into the op before. Such an
	 * interval counts for the op that contains its end only, clipped to
	 * that op's start.
	 */
	bool anchored;
};

/* A sleep: off a CPU from start, asleep until end (then runnable: not kept). */
struct sv {
	uint64_t start, end;
	const char *site, *stack, *waker;
};

/* A cpu-clock sample. */
struct cs {
	uint64_t t;
	const char *site, *stack;
};

/* A round (or a NOFAIL allocation) of one source at one time. */
struct rpt {
	uint64_t t;
	enum round_src src;
};

struct vec {
	void *p;
	size_t len, cap, head;	/* live items are [head, len) */
};

struct wstate {
	uint32_t tid;		/* 0: free slot (tid 0 is never a worker) */
	uint64_t floor;		/* end of the last final op: nothing before it matters */
	struct vec ops;		/* struct attrib_op */
	struct vec ivs;		/* struct iv, sorted by start */
	struct vec pts;		/* struct rpt, sorted by time */
	struct vec svs;		/* struct sv, sorted by start */
	struct vec cps;		/* struct cs, sorted by time */
};

struct attrib {
	struct wstate *w;
	size_t cap, len;
	size_t pending;
	struct attrib_cpu *scr;	/* the op being finalised: its samples by stack */
	size_t scr_cap;
};

static void *vat(struct vec *v, size_t sz, size_t i)
{
	return (char *)v->p + i * sz;
}

/* Makes room for one more; compacts the consumed head first. */
static int vreserve(struct vec *v, size_t sz)
{
	if (v->head && v->head * 2 >= v->len) {
		memmove(v->p, vat(v, sz, v->head), (v->len - v->head) * sz);
		v->len -= v->head;
		v->head = 0;
	}
	if (v->len == v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 16;
		void *np = realloc(v->p, ncap * sz);

		if (!np)
			return -ENOMEM;
		v->p = np;
		v->cap = ncap;
	}
	return 0;
}

static struct wstate *find(const struct attrib *a, uint32_t tid)
{
	return tt_find(a->w, a->cap, sizeof(*a->w), tid);
}

int attrib_new(struct attrib **out)
{
	struct attrib *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	*out = a;
	return 0;
}

int attrib_add_worker(struct attrib *a, uint32_t tid)
{
	void *slots = a->w;
	struct wstate *w;

	_Static_assert(offsetof(struct wstate, tid) == 0, "tidtab.h keys a slot by its first member");
	if (!tid)
		return -EINVAL;
	w = tt_get(&slots, &a->cap, &a->len, sizeof(*w), tid, 64);
	a->w = slots;
	return w ? 0 : -ENOMEM;
}

bool attrib_is_worker(const struct attrib *a, uint32_t tid)
{
	return find(a, tid) != NULL;
}

const char *attrib_scope(const struct attrib *a, uint32_t tid)
{
	return find(a, tid) ? "worker" : "system";
}

static int add_round(struct attrib *a, struct wstate *w, uint64_t t, enum round_src src)
{
	size_t i;
	struct rpt *p;

	if (t < w->floor)
		return 0;
	if (vreserve(&w->pts, sizeof(*p)))
		return -ENOMEM;
	p = w->pts.p;
	for (i = w->pts.len; i > w->pts.head && p[i - 1].t > t; i--)
		;
	memmove(&p[i + 1], &p[i], (w->pts.len - i) * sizeof(*p));
	p[i] = (struct rpt){ t, src };
	w->pts.len++;
	a->pending++;
	return 1;
}

int attrib_add_stall(struct attrib *a, const struct stall *s)
{
	struct wstate *w = find(a, s->tid);
	uint64_t end = s->t_start_ns + s->duration_ns;
	struct iv *p;
	size_t i;
	int kept = 0;

	if (!w)
		return 0;
	if (!s->missing_begin || stall_kind_throttle(s->kind)) {
		/* a throttle is one event (its end), never missing its begin */
		int src = tp_stall_round(s->kind);

		if (src >= 0)
			kept = add_round(a, w, stall_kind_throttle(s->kind) ?
					 s->t_start_ns + s->duration_ns : s->t_start_ns,
					 (enum round_src)src);
		if (kept < 0)
			return kept;
	}
	if (end <= w->floor || !s->duration_ns)
		return kept;
	if (vreserve(&w->ivs, sizeof(struct iv)))
		return -ENOMEM;
	p = w->ivs.p;
	for (i = w->ivs.len; i > w->ivs.head && p[i - 1].start > s->t_start_ns; i--)
		;
	memmove(&p[i + 1], &p[i], (w->ivs.len - i) * sizeof(*p));
	p[i].start = s->t_start_ns;
	p[i].end = end;
	p[i].anchored = stall_kind_throttle(s->kind) || s->missing_begin;
	w->ivs.len++;
	a->pending++;
	return 1;
}

int attrib_add_offcpu(struct attrib *a, const struct offcpu *o)
{
	struct wstate *w = find(a, o->tid);
	uint64_t end = o->t_wake && o->t_wake < o->t_in ? o->t_wake : o->t_in;
	struct sv *p;
	size_t i;

	if (!w || !o->sleeping || end <= w->floor || end <= o->t_out)
		return 0;
	if (vreserve(&w->svs, sizeof(*p)))
		return -ENOMEM;
	p = w->svs.p;
	for (i = w->svs.len; i > w->svs.head && p[i - 1].start > o->t_out; i--)
		;
	memmove(&p[i + 1], &p[i], (w->svs.len - i) * sizeof(*p));
	p[i] = (struct sv){ o->t_out, end, o->site, o->stack, o->waker };
	w->svs.len++;
	a->pending++;
	return 1;
}

int attrib_add_oncpu(struct attrib *a, const struct oncpu_sample *s)
{
	struct wstate *w = find(a, s->tid);
	struct cs *p;
	size_t i;

	if (!w || s->t < w->floor)
		return 0;
	if (vreserve(&w->cps, sizeof(*p)))
		return -ENOMEM;
	p = w->cps.p;
	for (i = w->cps.len; i > w->cps.head && p[i - 1].t > s->t; i--)
		;
	memmove(&p[i + 1], &p[i], (w->cps.len - i) * sizeof(*p));
	p[i] = (struct cs){ s->t, s->site, s->stack };
	w->cps.len++;
	a->pending++;
	return 1;
}

int attrib_add_point(struct attrib *a, const struct point *p)
{
	int src = tp_point_round(p->kind);
	struct wstate *w;

	if (src < 0)
		return 0;
	w = find(a, p->tid);
	return w ? add_round(a, w, p->t_ns, (enum round_src)src) : 0;
}

int attrib_add_op(struct attrib *a, const struct attrib_op *op)
{
	struct wstate *w = find(a, op->tid);
	struct attrib_op *p;
	size_t i;

	if (!w || op->t_start_ns < w->floor)
		return -EINVAL;
	if (vreserve(&w->ops, sizeof(*op)))
		return -ENOMEM;
	p = w->ops.p;
	for (i = w->ops.len; i > w->ops.head && p[i - 1].t_start_ns > op->t_start_ns; i--)
		;
	memmove(&p[i + 1], &p[i], (w->ops.len - i) * sizeof(*p));
	p[i] = *op;
	p[i].stall_ns = 0;
	p[i].reclaim_rounds = 0;
	memset(p[i].src, 0, sizeof(p[i].src));
	p[i].nsleeps = 0;
	p[i].cpu = NULL;
	p[i].ncpu = p[i].cpu_samples = p[i].cpu_in_stall = 0;
	w->ops.len++;
	a->pending++;
	return 0;
}

/*
 * How much of [lo, hi), inside the op [s, e), the tid's stalls cover as
 * finalise() counts them (sorted by start, may overlap; an anchored one only
 * for the op holding its end).
 */
static uint64_t stall_cover(const struct wstate *w, uint64_t lo, uint64_t hi, uint64_t s,
			    uint64_t e)
{
	const struct iv *iv = w->ivs.p;
	uint64_t covered = lo, sum = 0;

	for (size_t i = w->ivs.head; i < w->ivs.len && iv[i].start < hi; i++) {
		uint64_t a = iv[i].start > covered ? iv[i].start : covered;
		uint64_t b = iv[i].end < hi ? iv[i].end : hi;

		if (iv[i].anchored && (iv[i].end > e || iv[i].end <= s))
			continue;
		if (b > a) {
			sum += b - a;
			covered = b;
		}
	}
	return sum;
}

/* The op's sleeps: inside its window, by stack and waker, less what stalls cover. */
static void op_sleeps(struct attrib *a, struct wstate *w, struct attrib_op *op)
{
	uint64_t s = op->t_start_ns, e = op->t_start_ns + op->latency_ns;
	struct sv *sv = w->svs.p;
	size_t i, keep;

	op->nsleeps = 0;
	op->sleep_in_stall_ns = op->sleep_more_ns = op->sleep_seen_ns = 0;
	for (i = w->svs.head; i < w->svs.len && sv[i].start < e; i++) {
		uint64_t lo = sv[i].start > s ? sv[i].start : s;
		uint64_t hi = sv[i].end < e ? sv[i].end : e, in, ns;
		uint32_t k;

		if (hi <= lo)
			continue;
		in = stall_cover(w, lo, hi, s, e);
		ns = hi - lo - in;
		op->sleep_seen_ns += hi - lo;
		op->sleep_in_stall_ns += in;
		for (k = 0; k < op->nsleeps; k++)
			if (op->sleeps[k].stack == sv[i].stack && op->sleeps[k].waker == sv[i].waker)
				break;
		if (k == op->nsleeps && k == ATTRIB_MAX_SLEEPS) {
			op->sleep_more_ns += ns;
			continue;
		}
		if (k == op->nsleeps)
			op->sleeps[op->nsleeps++] = (struct attrib_sleep){ sv[i].site, sv[i].stack,
									  sv[i].waker, 0, 0 };
		op->sleeps[k].ns += ns;
		op->sleeps[k].n++;
	}
	/* sleeps ending by the op's end are spent; one straddling it stays for the next op */
	keep = w->svs.head;
	for (i = w->svs.head; i < w->svs.len; i++) {
		if (sv[i].end <= e) {
			a->pending--;
			continue;
		}
		sv[keep++] = sv[i];
	}
	w->svs.len = keep;
}

/*
 * The op's samples, by stack, into a->scr, and how many lie inside its
 * stalls (as finalise() counts them: one pass, samples and intervals both
 * sorted; reach is the furthest end of the intervals begun so far); those
 * before its end are spent.
 */
static void op_samples(struct attrib *a, struct wstate *w, struct attrib_op *op)
{
	uint64_t s = op->t_start_ns, e = op->t_start_ns + op->latency_ns, reach = 0;
	const struct iv *iv = w->ivs.p;
	size_t j = w->ivs.head;
	struct cs *cs = w->cps.p;
	uint32_t k;

	op->ncpu = op->cpu_samples = op->cpu_in_stall = 0;
	for (; w->cps.head < w->cps.len && cs[w->cps.head].t < e; w->cps.head++) {
		const struct cs *x = &cs[w->cps.head];

		a->pending--;
		if (x->t < s)
			continue;	/* between ops: no op's */
		for (; j < w->ivs.len && iv[j].start <= x->t; j++)
			if (!(iv[j].anchored && (iv[j].end > e || iv[j].end <= s)) && iv[j].end > reach)
				reach = iv[j].end;
		op->cpu_in_stall += reach > x->t;
		op->cpu_samples++;
		for (k = 0; k < op->ncpu; k++)
			if (a->scr[k].stack == x->stack && a->scr[k].site == x->site)
				break;
		if (k == op->ncpu) {
			if (k == a->scr_cap) {
				size_t n = a->scr_cap ? a->scr_cap * 2 : 64;
				struct attrib_cpu *nb = realloc(a->scr, n * sizeof(*nb));

				if (!nb) {
					/* said as unsampled, not lost in a site */
					op->cpu_in_stall -= reach > x->t;
					op->cpu_samples--;
					continue;
				}
				a->scr = nb;
				a->scr_cap = n;
			}
			a->scr[op->ncpu++] = (struct attrib_cpu){ x->site, x->stack, 0 };
		}
		a->scr[k].n++;
	}
	op->cpu = a->scr;
}

/* Computes one op and drops what lies wholly before its end. */
static void finalise(struct attrib *a, struct wstate *w, struct attrib_op *op)
{
	uint64_t s = op->t_start_ns, e = op->t_start_ns + op->latency_ns, covered = s, sum = 0;
	struct iv *iv = w->ivs.p;
	struct rpt *pt = w->pts.p;
	size_t i, keep;
	uint32_t rounds = 0;

	for (i = w->ivs.head; i < w->ivs.len && iv[i].start < e; i++) {
		uint64_t lo = iv[i].start > covered ? iv[i].start : covered;
		uint64_t hi = iv[i].end < e ? iv[i].end : e;

		if (iv[i].anchored && (iv[i].end > e || iv[i].end <= s))
			continue;
		if (hi > lo) {
			sum += hi - lo;
			covered = hi;
		}
	}
	memset(op->src, 0, sizeof(op->src));
	for (i = w->pts.head; i < w->pts.len && pt[i].t < e; i++)
		if (pt[i].t >= s)
			op->src[pt[i].src]++;
#define X(en, n, r) rounds += (r) ? op->src[RSRC_##en] : 0;
	SB_ROUND_SRCS(X)
#undef X
	op->stall_ns = sum;
	op->reclaim_rounds = rounds;
	op_sleeps(a, w, op);
	op_samples(a, w, op);

	if (e > w->floor)
		w->floor = e;
	/* rounds before the end are spent */
	while (w->pts.head < w->pts.len && pt[w->pts.head].t < w->floor) {
		w->pts.head++;
		a->pending--;
	}
	/* intervals ending by the floor are spent; a straddling one stays for the next op */
	keep = w->ivs.head;
	for (i = w->ivs.head; i < w->ivs.len; i++) {
		if (iv[i].end <= w->floor) {
			a->pending--;
			continue;
		}
		iv[keep++] = iv[i];
	}
	w->ivs.len = keep;
}

size_t attrib_flush(struct attrib *a, uint64_t horizon_ns, attrib_done_fn done, void *arg)
{
	size_t n = 0;

	for (size_t k = 0; k < a->cap; k++) {
		struct wstate *w = &a->w[k];

		if (!w->tid)
			continue;
		while (w->ops.head < w->ops.len) {
			struct attrib_op *op = vat(&w->ops, sizeof(*op), w->ops.head);

			if (horizon_ns != UINT64_MAX && op->t_start_ns + op->latency_ns > horizon_ns)
				break;
			finalise(a, w, op);
			if (done)
				done(arg, op);
			w->ops.head++;
			a->pending--;
			n++;
		}
		if (w->ops.head == w->ops.len)
			w->ops.head = w->ops.len = 0;
	}
	return n;
}

size_t attrib_pending(const struct attrib *a)
{
	return a->pending;
}

void attrib_free(struct attrib *a)
{
	if (!a)
		return;
	for (size_t k = 0; k < a->cap; k++) {
		free(a->w[k].ops.p);
		free(a->w[k].ivs.p);
		free(a->w[k].pts.p);
		free(a->w[k].svs.p);
		free(a->w[k].cps.p);
	}
	free(a->scr);
	free(a->w);
	free(a);
}
