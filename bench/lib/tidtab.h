/*
 * A table of per-task state keyed by tid: open addressing, linear probing,
 * grown at half full, slot arrays of any struct whose first member is its
 * uint32_t tid (0: a free slot, so a caller that must keep tid 0 maps it to
 * another value). The capture's task states, the stall attribution's
 * workers and the stall union's tasks are such tables. Header-only, so the
 * parts that use it link nothing for it.
 */
#ifndef STALLBENCH_TIDTAB_H
#define STALLBENCH_TIDTAB_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static inline size_t tt_home(uint32_t tid, size_t cap)
{
	return (tid * 2654435761u) & (cap - 1);
}

static inline uint32_t tt_tid(const void *slots, size_t size, size_t i)
{
	return *(const uint32_t *)((const char *)slots + i * size);
}

/* tid's slot in slots[cap] of size bytes each, or NULL. */
static inline void *tt_find(void *slots, size_t cap, size_t size, uint32_t tid)
{
	size_t i;

	if (!cap || !tid)
		return NULL;
	for (i = tt_home(tid, cap); tt_tid(slots, size, i); i = (i + 1) & (cap - 1))
		if (tt_tid(slots, size, i) == tid)
			return (char *)slots + i * size;
	return NULL;
}

/*
 * tid's slot (tid != 0), a zeroed one with its tid set if it had none
 * (*len counted); the table doubles first when it would pass half full
 * (mincap slots at first). NULL when it cannot grow.
 */
static inline void *tt_get(void **slots, size_t *cap, size_t *len, size_t size, uint32_t tid,
			   size_t mincap)
{
	char *s;
	size_t i;

	if ((*len + 1) * 2 > *cap) {
		size_t ncap = *cap ? *cap * 2 : mincap;
		char *ns = calloc(ncap, size);

		if (!ns)
			return NULL;
		for (size_t j = 0; j < *cap; j++) {
			uint32_t t = tt_tid(*slots, size, j);

			if (!t)
				continue;
			for (i = tt_home(t, ncap); tt_tid(ns, size, i); i = (i + 1) & (ncap - 1))
				;
			for (size_t b = 0; b < size; b++)
				ns[i * size + b] = ((const char *)*slots)[j * size + b];
		}
		free(*slots);
		*slots = ns;
		*cap = ncap;
	}
	s = *slots;
	for (i = tt_home(tid, *cap); tt_tid(s, size, i) && tt_tid(s, size, i) != tid;
	     i = (i + 1) & (*cap - 1))
		;
	if (!tt_tid(s, size, i)) {
		*(uint32_t *)(s + i * size) = tid;
		(*len)++;
	}
	return s + i * size;
}

#endif
