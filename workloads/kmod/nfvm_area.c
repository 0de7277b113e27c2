// SPDX-License-Identifier: GPL-2.0
/*
 * The areas an open file of nofail_vmalloc keeps (ALLOC with KEEP) until a
 * FREE of their handle or the file's release, so a killed client leaks
 * nothing. A file keeps at most max_areas of them and all files together
 * max_kept_areas, counting KEEP requests in flight.
 */
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "nfvm_impl.h"

/* kept_areas and kept_bytes change only under the lock of the area's file. */
static atomic64_t kept_areas = ATOMIC64_INIT(0);
static atomic64_t kept_bytes = ATOMIC64_INIT(0);
/* Areas kept, plus KEEP requests in flight, checked against max_kept_areas. */
static atomic64_t kept_slots = ATOMIC64_INIT(0);

/*
 * Holds a slot for a KEEP request: one of max_areas in nf (-ENOSPC) and one
 * of max_kept_areas in all (-ENFILE).
 */
int nfvm_area_slot(struct nfvm_file *nf)
{
	int ret = 0;

	mutex_lock(&nf->lock);
	if (nf->nr_areas >= READ_ONCE(nfvm_max_areas))
		ret = -ENOSPC;
	else if (!nfvm_take(&kept_slots, 1, READ_ONCE(nfvm_max_kept_areas)))
		ret = -ENFILE;
	else
		nf->nr_areas++;
	mutex_unlock(&nf->lock);
	return ret;
}

void nfvm_area_unslot(struct nfvm_file *nf)
{
	mutex_lock(&nf->lock);
	nf->nr_areas--;
	atomic64_dec(&kept_slots);
	mutex_unlock(&nf->lock);
}

/* Takes the area with handle off nf's list; NULL if it is not there. */
struct nfvm_area *nfvm_area_take(struct nfvm_file *nf, u64 handle)
{
	struct nfvm_area *area;

	mutex_lock(&nf->lock);
	list_for_each_entry(area, &nf->areas, list) {
		if (area->handle == handle) {
			list_del(&area->list);
			nf->nr_areas--;
			atomic64_dec(&kept_slots);
			atomic64_dec(&kept_areas);
			atomic64_sub(area->bytes, &kept_bytes);
			mutex_unlock(&nf->lock);
			return area;
		}
	}
	mutex_unlock(&nf->lock);
	return NULL;
}

/* Frees an area taken off its list and returns its cost to the budget. */
void nfvm_area_free(struct nfvm_area *area)
{
	kvfree(area->p);
	nfvm_budget_release(area->cost);
	kfree(area);
}

/*
 * Publishes a kept area: its handle, the list and the counters change
 * together under nf's lock, and the handle is read before the lock is
 * dropped, so a FREE of it from another thread can neither see counters
 * that do not include it nor free it under this call.
 */
u64 nfvm_area_publish(struct nfvm_file *nf, struct nfvm_area *area)
{
	u64 handle;

	mutex_lock(&nf->lock);
	handle = ++nf->next_handle;
	area->handle = handle;
	atomic64_inc(&kept_areas);
	atomic64_add(area->bytes, &kept_bytes);
	list_add_tail(&area->list, &nf->areas);
	mutex_unlock(&nf->lock);
	return handle;
}

/* Frees every area of nf: the last reference, no call runs on nf any more. */
void nfvm_areas_release(struct nfvm_file *nf)
{
	struct nfvm_area *area, *tmp;

	list_for_each_entry_safe(area, tmp, &nf->areas, list) {
		list_del(&area->list);
		atomic64_dec(&kept_slots);
		atomic64_dec(&kept_areas);
		atomic64_sub(area->bytes, &kept_bytes);
		nfvm_area_free(area);
		cond_resched();
	}
}

/* The areas kept by all files and their bytes, for INFO. */
void nfvm_kept(u64 *areas, u64 *bytes)
{
	*areas = atomic64_read(&kept_areas);
	*bytes = atomic64_read(&kept_bytes);
}
