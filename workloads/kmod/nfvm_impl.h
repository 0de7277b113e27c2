/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the nofail_vmalloc module share, one job each:
 *   nfvm_params.c  the module parameters, their setters and load defaults
 *   nfvm_budget.c  what a request costs and the budget all requests share
 *   nfvm_log.c     the call log: a ring of records, read() and llseek()
 *   nfvm_alloc.c   the API table per kernel, the guards, the timed call
 *   nfvm_area.c    the areas an open file keeps
 *   nfvm_main.c    the device: open, release, ioctl dispatch, FREE, INFO
 * Private to the module: user space sees nofail_vmalloc_uapi.h only.
 *
 * 64-bit kernels only: the limits assume a vmalloc area larger than RAM.
 */
#ifndef NFVM_IMPL_H
#define NFVM_IMPL_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "nofail_vmalloc_uapi.h"

#if BITS_PER_LONG != 64
#error "nofail_vmalloc supports 64-bit kernels only"
#endif

/* nfvm_params.c: every value is clamped to its range by its setter. */
extern u64 nfvm_max_bytes;
extern u64 nfvm_max_total_bytes;
extern unsigned int nfvm_max_areas;
extern unsigned int nfvm_max_kept_areas;
extern u64 nfvm_max_hold_ns;
extern u64 nfvm_hard_max_bytes;
extern bool nfvm_force;
extern unsigned int nfvm_log_records;

static inline u64 nfvm_ram_bytes(void)
{
	return (u64)totalram_pages() << PAGE_SHIFT;
}

void nfvm_params_init(void);

/* nfvm_budget.c */
bool nfvm_take(atomic64_t *v, u64 n, u64 limit);
int nfvm_budget_reserve(u64 cost);
void nfvm_budget_release(u64 cost);
u64 nfvm_budget_used(void);
u64 nfvm_cost_max(const struct nofail_vmalloc_alloc *a);
u64 nfvm_cost_of(const struct nofail_vmalloc_alloc *a, const void *p,
		 u64 cost_max);

/* nfvm_log.c */
int nfvm_log_init(void);
void nfvm_log_exit(void);
u64 nfvm_log_append(struct nofail_vmalloc_record *r);
void nfvm_log_unkept(u64 seq);
void nfvm_log_state(u64 *next_seq, u64 *held, u64 *evicted);
ssize_t nfvm_read(struct file *file, char __user *buf, size_t count,
		  loff_t *ppos);
loff_t nfvm_llseek(struct file *file, loff_t off, int whence);

/* nfvm_area.c */
struct nfvm_area {
	struct list_head list;
	u64 handle;
	u64 bytes;
	u64 cost;	/* what it holds of the budget */
	void *p;
};

struct nfvm_file {
	struct mutex lock;	/* protects areas, nr_areas and next_handle */
	struct list_head areas;
	unsigned int nr_areas;	/* kept, plus KEEP requests in flight */
	u64 next_handle;
};

int nfvm_area_slot(struct nfvm_file *nf);
void nfvm_area_unslot(struct nfvm_file *nf);
struct nfvm_area *nfvm_area_take(struct nfvm_file *nf, u64 handle);
void nfvm_area_free(struct nfvm_area *area);
u64 nfvm_area_publish(struct nfvm_file *nf, struct nfvm_area *area);
void nfvm_areas_release(struct nfvm_file *nf);
void nfvm_kept(u64 *areas, u64 *bytes);

/* nfvm_alloc.c */
void nfvm_api_init(void);
u32 nfvm_flags_supported(u32 entry);
long nfvm_alloc(struct nfvm_file *nf, void __user *uarg);

/* nfvm_main.c */
bool nfvm_allowed(struct file *file);

#endif /* NFVM_IMPL_H */
