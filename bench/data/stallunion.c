/* Stall time counted once (see stallunion.h): per task, the intervals still
 * open, kept sorted by start; a new one is cut against them. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stallunion.h"
#include "tidtab.h"

struct siv {
	uint64_t a, b;
};

struct task {
	uint32_t tid;		/* 0 free slot (tid 0 is kept as UINT32_MAX) */
	struct siv *v;
	size_t n, cap;
};

struct stallunion {
	struct task *t;
	size_t cap, len;
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

int64_t su_add(struct stallunion *u, uint32_t tid, uint64_t start, uint64_t end,
	       void (*part)(void *arg, uint64_t a, uint64_t b), void *arg)
{
	struct task *t = task_get(u, tid);
	uint64_t cur = start, sum = 0;
	size_t i, keep = 0;

	if (!t)
		return -1;
	/* drop what ended before this begin: later stalls of the task begin later */
	for (i = 0; i < t->n; i++)
		if (t->v[i].b > start)
			t->v[keep++] = t->v[i];
	t->n = keep;
	/* the uncovered pieces of [start, end), walking the kept ones in start order */
	for (i = 0; i < t->n && cur < end; i++) {
		const struct siv *s = &t->v[i];

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
	if (cur < end) {
		if (part)
			part(arg, cur, end);
		sum += end - cur;
	}
	if (end > start) {
		if (t->n == t->cap) {
			size_t nc = t->cap ? t->cap * 2 : 8;
			struct siv *nv = realloc(t->v, nc * sizeof(*nv));

			if (!nv)
				return -1;
			t->v = nv;
			t->cap = nc;
		}
		for (i = t->n; i > 0 && t->v[i - 1].a > start; i--)
			t->v[i] = t->v[i - 1];
		t->v[i] = (struct siv){ start, end };
		t->n++;
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
	free(u);
}
