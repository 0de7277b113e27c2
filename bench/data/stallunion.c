/* Stall time counted once (see stallunion.h): per task, the intervals still
 * open, in a heap by end; a new one is cut against them: at once when they
 * all began before it (the usual order: they cover up to the latest end),
 * else walking them in begin order. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stallunion.h"
#include "tidtab.h"

struct siv {
	uint64_t a, b;
};

/* A task's open stalls: a min-heap by end (the next to end first), so that
 * dropping the ended ones costs only what is dropped. */
struct task {
	uint32_t tid;		/* 0 free slot (tid 0 is kept as UINT32_MAX) */
	struct siv *v;
	size_t n, cap;
	uint64_t maxa, maxb;	/* the latest begin and end since the heap was last empty */
};

struct stallunion {
	struct task *t;
	size_t cap, len;
	struct siv *tmp;	/* the open stalls in begin order, when one begins before them */
	size_t tmpcap;
};

struct stallunion *su_new(void)
{
	return calloc(1, sizeof(struct stallunion));
}

static struct task *task_get(struct stallunion *u, uint32_t tid)
{
	void *slots = u->t;
	struct task *t;

	_Static_assert(offsetof(struct task, tid) == 0, "tidtab.h keys a slot by its first member");
	if (!tid)
		tid = UINT32_MAX;
	t = tt_get(&slots, &u->cap, &u->len, sizeof(*t), tid, 64);
	u->t = slots;
	return t;
}

static void heap_pop(struct task *t)
{
	struct siv x = t->v[--t->n];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < t->n) {
		if (c + 1 < t->n && t->v[c + 1].b < t->v[c].b)
			c++;
		if (t->v[c].b >= x.b)
			break;
		t->v[i] = t->v[c];
		i = c;
	}
	if (t->n)
		t->v[i] = x;
}

static int heap_push(struct task *t, struct siv x)
{
	size_t i;

	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 8;
		struct siv *nv = realloc(t->v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		t->v = nv;
		t->cap = nc;
	}
	for (i = t->n++; i > 0 && t->v[(i - 1) / 2].b > x.b; i = (i - 1) / 2)
		t->v[i] = t->v[(i - 1) / 2];
	t->v[i] = x;
	return 0;
}

static int cmp_begin(const void *x, const void *y)
{
	const struct siv *p = x, *q = y;

	return (p->a > q->a) - (p->a < q->a);
}

int64_t su_add(struct stallunion *u, uint32_t tid, uint64_t start, uint64_t end,
	       void (*part)(void *arg, uint64_t a, uint64_t b), void *arg)
{
	struct task *t = task_get(u, tid);
	uint64_t cur = start, sum = 0;
	size_t i;

	if (!t)
		return -1;
	/* drop what ended before this begin: later stalls of the task begin later */
	while (t->n && t->v[0].b <= start)
		heap_pop(t);
	if (!t->n)
		t->maxa = t->maxb = 0;
	if (t->maxa <= start) {
		/* every open one began before this one and ends after its begin:
		 * together they cover [start, the latest end) */
		if (t->n && t->maxb > cur)
			cur = t->maxb;
	} else {
		/* the uncovered pieces of [start, end), walking the open ones in begin order */
		if (t->n > u->tmpcap) {
			struct siv *nt = realloc(u->tmp, t->n * sizeof(*nt));

			if (!nt)
				return -1;
			u->tmp = nt;
			u->tmpcap = t->n;
		}
		memcpy(u->tmp, t->v, t->n * sizeof(*u->tmp));
		qsort(u->tmp, t->n, sizeof(*u->tmp), cmp_begin);
		for (i = 0; i < t->n && cur < end; i++) {
			const struct siv *s = &u->tmp[i];

			if (s->b <= cur)
				continue;
			if (s->a > cur) {
				uint64_t b = s->a < end ? s->a : end;

				if (part)
					part(arg, cur, b);
				sum += b - cur;
			}
			if (s->b > cur)
				cur = s->b;
		}
	}
	if (cur < end) {
		if (part)
			part(arg, cur, end);
		sum += end - cur;
	}
	if (end > start) {
		if (heap_push(t, (struct siv){ start, end }) < 0)
			return -1;
		if (start > t->maxa)
			t->maxa = start;
		if (end > t->maxb)
			t->maxb = end;
	}
	return (int64_t)sum;
}

void su_free(struct stallunion *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->cap; i++)
		free(u->t[i].v);
	free(u->t);
	free(u->tmp);
	free(u);
}
