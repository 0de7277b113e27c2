// SPDX-License-Identifier: GPL-2.0
/*
 * What nofail_vmalloc's requests may pin, all together: each request's cost
 * (what its area pins, rounded as the allocator rounds it, with its page
 * array and page tables) is reserved from max_total_bytes before the call,
 * settled to the path the allocator took after it, and stored in a kept
 * area so that its release matches. NOFAIL memory is memory neither the OOM
 * killer nor the reaper can take back, so force never lifts this budget.
 */
#include <linux/atomic.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "nfvm_impl.h"

/* Cost of all requests in flight or kept, checked against max_total_bytes. */
static atomic64_t budget_used = ATOMIC64_INIT(0);

/*
 * Adds n to *v unless that would exceed limit; one cmpxchg, so concurrent
 * callers never overshoot it. Returns false when it would.
 */
bool nfvm_take(atomic64_t *v, u64 n, u64 limit)
{
	s64 cur = atomic64_read(v);

	do {
		if (n > limit || (u64)cur > limit - n)
			return false;
	} while (!atomic64_try_cmpxchg(v, &cur, cur + n));
	return true;
}

/* Takes cost from the budget, or -EDQUOT past max_total_bytes. */
int nfvm_budget_reserve(u64 cost)
{
	return nfvm_take(&budget_used, cost,
			 READ_ONCE(nfvm_max_total_bytes)) ? 0 : -EDQUOT;
}

void nfvm_budget_release(u64 cost)
{
	atomic64_sub(cost, &budget_used);
}

/*
 * Slab objects behind an area, an upper bound: its vm_struct and
 * vmap_area, and this module's own struct nfvm_area.
 */
#define NFVM_AREA_SLAB	512

/*
 * What a vmalloc area of bytes pins, rounded to PMD_SIZE when mapped huge:
 * its pages, its page array (kmalloc'ed up to a page, vmalloc'ed above, with
 * an array of its own), and the page tables that map it and its guard page.
 */
static u64 nfvm_vmalloc_cost(u64 bytes, bool huge)
{
	u64 size = huge ? round_up(bytes, PMD_SIZE) : PAGE_ALIGN(bytes);
	u64 nr = size >> PAGE_SHIFT;
	u64 arr = nr * sizeof(struct page *);
	u64 cost = size + NFVM_AREA_SLAB;

	cost += DIV_ROUND_UP(nr + 1, PTRS_PER_PTE) * PAGE_SIZE;
	cost += DIV_ROUND_UP(nr + 1, PTRS_PER_PTE * PTRS_PER_PMD) * PAGE_SIZE;
	if (arr > PAGE_SIZE)
		cost += nfvm_vmalloc_cost(arr, false);
	else
		cost += kmalloc_size_roundup(arr);
	return cost;
}

/* What kmalloc takes for bytes: its bucket, or a power of two of pages. */
static u64 nfvm_kmalloc_cost(u64 bytes)
{
	return kmalloc_size_roundup(bytes) + NFVM_AREA_SLAB;
}

/*
 * The most a request may pin, before the call: kvmalloc_node tries kmalloc
 * first (up to KMALLOC_MAX_SIZE, a power of two above a page) and falls back
 * to a vmalloc that maps 2 MiB pages for requests of PMD_SIZE and more.
 */
u64 nfvm_cost_max(const struct nofail_vmalloc_alloc *a)
{
	u64 cost = 0;

	if (a->entry == NFVM_ENTRY_VMALLOC)
		return nfvm_vmalloc_cost(a->bytes, false);
	if (a->bytes <= KMALLOC_MAX_SIZE)
		cost = nfvm_kmalloc_cost(a->bytes);
	if (a->bytes > PAGE_SIZE)
		cost = max(cost, nfvm_vmalloc_cost(a->bytes,
						   a->bytes >= PMD_SIZE));
	return cost;
}

/* What the area the call returned pins: the path it took. */
u64 nfvm_cost_of(const struct nofail_vmalloc_alloc *a, const void *p,
		 u64 cost_max)
{
	if (!is_vmalloc_addr(p))
		return min(cost_max, nfvm_kmalloc_cost(a->bytes));
	if (a->out & NFVM_OUT_HUGE_UNKNOWN)
		return cost_max;
	return min(cost_max, nfvm_vmalloc_cost(a->bytes,
					       a->out & NFVM_OUT_HUGE));
}

u64 nfvm_budget_used(void)
{
	return atomic64_read(&budget_used);
}
