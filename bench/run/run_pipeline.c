/*
 * The op pipeline: records come out of the workers' rings (and from the
 * workloads' own collectors: the module's records of calls whose caller
 * died), wait in a fixed queue, whole, until the capture has delivered
 * everything up to their end, and go to the results with their attribution
 * (stall time, reclaim rounds by source) once it is final. The queue is
 * allocated (and locked) once: full, records stay in the rings and the
 * workers wait (counted in ring_waits) until the capture catches up.
 */
#include "run_impl.h"
#include "rfile.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PEND_MAX 65536

int pipe_init(struct runner *r)
{
	if (attrib_new(&r->attr))
		return -ENOMEM;
	r->pend = calloc(PEND_MAX, sizeof(*r->pend));
	if (!r->pend)
		return -ENOMEM;
	r->cpend = PEND_MAX;
	return 0;
}

static void op_done(void *arg, const struct attrib_op *op)
{
	struct runner *r = arg;
	struct pend *p = &r->pend[op->cookie - r->base];

	results_op(r, &p->r, op);
	p->done = true;
}

/* Finalises the ops that ended before horizon (all of them with UINT64_MAX). */
static void flush_ops(struct runner *r, uint64_t horizon)
{
	size_t k = 0;

	attrib_flush(r->attr, horizon, op_done, r);
	while (k < r->npend && r->pend[k].done)
		k++;
	if (k) {
		memmove(r->pend, r->pend + k, (r->npend - k) * sizeof(*r->pend));
		r->npend -= k;
		r->base += k;
	}
	rf_flush(r->ops, false);
}

void pipe_push(struct runner *r, const struct oprec *o)
{
	struct attrib_op a = { .t_start_ns = o->t_start_ns, .latency_ns = o->latency_ns,
			       .tid = o->tid, .cookie = r->base + r->npend };

	if (r->npend == r->cpend) {
		/* No room (a module's records, an op of a dead worker): written
		 * unattributed, never lost. */
		results_op(r, o, NULL);
		return;
	}
	if (attrib_add_op(r->attr, &a)) {
		/* Not a worker's task, or out of order: written as it is. */
		results_op(r, o, NULL);
		return;
	}
	r->pend[r->npend++] = (struct pend){ .r = *o };
}

static void sink_push(struct opsink *s, const struct oprec *o)
{
	pipe_push(s->arg, o);
}

static void on_stall(void *arg, const struct stall *s)
{
	struct runner *r = arg;

	results_stall(r, s, attrib_is_worker(r->attr, s->tid));
	attrib_add_stall(r->attr, s);
}

static void on_point(void *arg, const struct point *p)
{
	struct runner *r = arg;

	results_point(r, p, attrib_is_worker(r->attr, p->tid));
	attrib_add_point(r->attr, p);
}

static void on_offcpu(void *arg, const struct offcpu *o)
{
	struct runner *r = arg;

	attrib_add_offcpu(r->attr, o);
}

static void on_oncpu(void *arg, const struct oncpu_sample *s)
{
	struct runner *r = arg;

	attrib_add_oncpu(r->attr, s);
}

bool pipe_drain_rings(struct runner *r)
{
	bool left = false;

	for (unsigned int i = 0; i < r->nw; i++) {
		struct opring *g = r->w[i].ring;
		uint64_t head = atomic_load_explicit(&g->head, memory_order_acquire);
		uint64_t tail = atomic_load_explicit(&g->tail, memory_order_relaxed);

		for (; tail != head && r->npend < r->cpend; tail++)
			pipe_push(r, &g->rec[tail & g->mask]);
		left |= tail != head;
		atomic_store_explicit(&g->tail, tail, memory_order_release);
	}
	return left;
}

void pipe_drain(struct runner *r, bool final)
{
	struct capture_sink sink = { .stall = on_stall, .point = on_point, .offcpu = on_offcpu,
				     .oncpu = on_oncpu, .arg = r };
	uint64_t now = now_ns();
	bool left = pipe_drain_rings(r);

	for (unsigned int i = 0; i < r->cfg->nr_wl; i++) {
		const struct workload *w = r->cfg->wl[i].w;
		struct opsink s = { sink_push, r };

		if (w->collect)
			w->collect(r->cfg->wl[i].priv, &r->env, &s, final);
	}
	if (r->cap) {
		/* An op is final once the capture has delivered everything up to its end. */
		capture_drain(r->cap, &sink, final);
		rf_flush(r->stalls, false);
		flush_ops(r, final ? UINT64_MAX : capture_horizon(r->cap));
	} else {
		flush_ops(r, final ? UINT64_MAX : now);
	}
	/* the end: what the full queue left in the rings, now that it is empty */
	while (final && left) {
		left = pipe_drain_rings(r);
		flush_ops(r, UINT64_MAX);
	}
}

void pipe_free(struct runner *r)
{
	free(r->pend);
	r->pend = NULL;
	if (r->attr)
		attrib_free(r->attr);
	r->attr = NULL;
}
