// SPDX-License-Identifier: GPL-2.0
/*
 * nofail_vmalloc: issue large (__GFP_NOFAIL) vmalloc allocations on behalf of
 * user space and time them, for stallbench. A caller past its memcg cap is
 * usually OOM-killed while its NOFAIL call goes on and completes; it dies on
 * the way back to user space and cannot record its own latency. So every
 * completed call is also appended to a bounded call log that another reader
 * (the driver, outside the cgroup) collects through read() on the device.
 *
 * Everything allocated through a file is freed when the file is released,
 * so a killed client leaks nothing. What the module may pin at all is
 * bounded, because NOFAIL memory is memory neither the OOM killer nor the
 * reaper can take back: one request (max_bytes, lifted by force), the cost
 * of all requests in flight or kept (max_total_bytes: what an area pins,
 * rounded as the allocator rounds it, with its page array and page tables,
 * reserved before a call and stored in the area so that its release
 * matches), the areas kept through one file (max_areas) and through all
 * (max_kept_areas), a hold (max_hold_ns), and what force never lifts
 * (hard_max_bytes: total RAM, which a NOFAIL request would otherwise retry
 * for forever in uninterruptible sleep).
 *
 * Privileged operations need CAP_SYS_ADMIN both in the credentials the file
 * was opened with and in the task using it: a passed fd delegates nothing.
 * So does changing a parameter through sysfs; every parameter is clamped to
 * its range.
 *
 * 64-bit kernels only: the limits assume a vmalloc area larger than RAM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/version.h>
#include <linux/vmalloc.h>
#include <generated/utsrelease.h>

#include "nofail_vmalloc_uapi.h"

#if BITS_PER_LONG != 64
#error "nofail_vmalloc supports 64-bit kernels only"
#endif

/* Set once the load-time parameters are parsed: later writes come from sysfs. */
static bool nfvm_ready;

static u64 nfvm_ram_bytes(void)
{
	return (u64)totalram_pages() << PAGE_SHIFT;
}

static u64 max_bytes;
static u64 max_total_bytes;
static unsigned int max_areas = 64;
static unsigned int max_kept_areas = 1024;
static u64 max_hold_ns = 60ULL * NSEC_PER_SEC;
static u64 hard_max_bytes;
static bool force;
static unsigned int log_records = 65536;

#define NFVM_MAX_HOLD_NS	(600ULL * NSEC_PER_SEC)
#define NFVM_MAX_AREAS		4096U
#define NFVM_MAX_KEPT_AREAS	65536U
#define NFVM_MAX_LOG_RECORDS	(1U << 20)

/*
 * A write through sysfs needs CAP_SYS_ADMIN in the initial user namespace
 * (uid 0 alone, or root of a user namespace, is not enough); a value at
 * load comes from whoever may load modules.
 */
static int nfvm_param_allowed(void)
{
	if (READ_ONCE(nfvm_ready) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

/*
 * Parses val and stores it clamped to [lo, hi]; 0 at load time means "the
 * default", chosen in nfvm_init().
 */
static int nfvm_param_set(const char *val, const struct kernel_param *kp,
			  u64 lo, u64 hi, bool is_uint)
{
	u64 v;
	int ret;

	ret = nfvm_param_allowed();
	if (ret)
		return ret;
	ret = kstrtoull(val, 0, &v);
	if (ret)
		return ret;
	if (v || READ_ONCE(nfvm_ready))
		v = clamp(v, lo, hi);
	if (is_uint)
		WRITE_ONCE(*(unsigned int *)kp->arg, (unsigned int)v);
	else
		WRITE_ONCE(*(u64 *)kp->arg, v);
	return 0;
}

static int nfvm_set_max_bytes(const char *val, const struct kernel_param *kp)
{
	return nfvm_param_set(val, kp, PAGE_SIZE, nfvm_ram_bytes(), false);
}

static int nfvm_set_max_total_bytes(const char *val,
				    const struct kernel_param *kp)
{
	return nfvm_param_set(val, kp, PAGE_SIZE, nfvm_ram_bytes() / 2, false);
}

static int nfvm_set_max_hold_ns(const char *val, const struct kernel_param *kp)
{
	return nfvm_param_set(val, kp, 0, NFVM_MAX_HOLD_NS, false);
}

static int nfvm_set_max_areas(const char *val, const struct kernel_param *kp)
{
	return nfvm_param_set(val, kp, 1, NFVM_MAX_AREAS, true);
}

static int nfvm_set_max_kept_areas(const char *val,
				   const struct kernel_param *kp)
{
	return nfvm_param_set(val, kp, 1, NFVM_MAX_KEPT_AREAS, true);
}

static int nfvm_set_log_records(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret = kstrtouint(val, 0, &v);

	if (ret)
		return ret;
	if (!v || v > NFVM_MAX_LOG_RECORDS)
		return -EINVAL;
	log_records = v;
	return 0;
}

static int nfvm_set_force(const char *val, const struct kernel_param *kp)
{
	int ret = nfvm_param_allowed();

	return ret ? ret : param_set_bool(val, kp);
}

/* hard_max_bytes is total RAM: never a value to give. */
static int nfvm_set_computed(const char *val, const struct kernel_param *kp)
{
	pr_err("%s is computed at load (total RAM), not a parameter\n",
	       kp->name);
	return -EINVAL;
}

static const struct kernel_param_ops nfvm_max_bytes_ops = {
	.set = nfvm_set_max_bytes,
	.get = param_get_ullong,
};

static const struct kernel_param_ops nfvm_max_total_bytes_ops = {
	.set = nfvm_set_max_total_bytes,
	.get = param_get_ullong,
};

static const struct kernel_param_ops nfvm_max_hold_ns_ops = {
	.set = nfvm_set_max_hold_ns,
	.get = param_get_ullong,
};

static const struct kernel_param_ops nfvm_max_areas_ops = {
	.set = nfvm_set_max_areas,
	.get = param_get_uint,
};

static const struct kernel_param_ops nfvm_max_kept_areas_ops = {
	.set = nfvm_set_max_kept_areas,
	.get = param_get_uint,
};

static const struct kernel_param_ops nfvm_log_records_ops = {
	.set = nfvm_set_log_records,
	.get = param_get_uint,
};

static const struct kernel_param_ops nfvm_force_ops = {
	.set = nfvm_set_force,
	.get = param_get_bool,
};

static const struct kernel_param_ops nfvm_computed_ops = {
	.set = nfvm_set_computed,
	.get = param_get_ullong,
};

module_param_cb(max_bytes, &nfvm_max_bytes_ops, &max_bytes, 0644);
MODULE_PARM_DESC(max_bytes,
		 "Largest request in bytes without force (0 at load: a quarter of RAM; clamped to [4096, RAM])");
module_param_cb(max_total_bytes, &nfvm_max_total_bytes_ops, &max_total_bytes,
		0644);
MODULE_PARM_DESC(max_total_bytes,
		 "Budget: the cost of all requests in flight or kept, force or not (0 at load: a quarter of RAM; clamped to [4096, RAM/2])");
module_param_cb(max_areas, &nfvm_max_areas_ops, &max_areas, 0644);
MODULE_PARM_DESC(max_areas, "Most areas kept through one open file (default 64; clamped to [1, 4096])");
module_param_cb(max_kept_areas, &nfvm_max_kept_areas_ops, &max_kept_areas,
		0644);
MODULE_PARM_DESC(max_kept_areas, "Most areas kept, all files together (default 1024; clamped to [1, 65536])");
module_param_cb(max_hold_ns, &nfvm_max_hold_ns_ops, &max_hold_ns, 0644);
MODULE_PARM_DESC(max_hold_ns, "Longest hold_ns of a request (default 60 s; clamped to 600 s)");
module_param_cb(hard_max_bytes, &nfvm_computed_ops, &hard_max_bytes, 0444);
MODULE_PARM_DESC(hard_max_bytes,
		 "Largest request even with force: total RAM at load (read-only)");
module_param_cb(force, &nfvm_force_ops, &force, 0644);
MODULE_PARM_DESC(force,
		 "Allow requests above max_bytes and NOFAIL without ACCOUNT (never above max_total_bytes or hard_max_bytes)");
module_param_cb(log_records, &nfvm_log_records_ops, &log_records, 0444);
MODULE_PARM_DESC(log_records, "Capacity of the call log in records (default 65536; 1 to 2^20; at load)");

/*
 * The reclaim modifiers each entry's kernel-doc supports, per kernel: a
 * point measured with a modifier the API does not promise would measure
 * nothing the kernel guarantees, so such requests are refused (EOPNOTSUPP)
 * and INFO says which flags each entry takes here. Rows are in version
 * order; the last row not newer than the running kernel (its release, read
 * at load) applies, the first for older kernels.
 *   6.1, 6.12 kvmalloc_node: "GFP_NOWAIT and GFP_ATOMIC are not supported,
 *             neither is the __GFP_NORETRY modifier. __GFP_RETRY_MAYFAIL is
 *             supported".
 *   6.1, 6.12 __vmalloc (__vmalloc_node_range): "only __GFP_NOFAIL is
 *             supported (i.e. __GFP_NORETRY and __GFP_RETRY_MAYFAIL are not
 *             supported)": page tables are allocated GFP_KERNEL.
 */
static const struct nfvm_api {
	unsigned int since;			/* KERNEL_VERSION */
	u32 unsupported[NFVM_ENTRY_VMALLOC + 1];	/* NFVM_F_* per entry */
} nfvm_api_table[] = {
	{
		.since = KERNEL_VERSION(6, 1, 0),
		.unsupported = {
			[NFVM_ENTRY_KVMALLOC_NODE] = NFVM_F_NORETRY,
			[NFVM_ENTRY_VMALLOC] = NFVM_F_NORETRY | NFVM_F_RETRY_MAYFAIL,
		},
	},
};

/* The running kernel's table row, chosen at load from its release. */
static const struct nfvm_api *nfvm_api = &nfvm_api_table[0];

static void nfvm_api_init(void)
{
	unsigned int major = 0, minor = 0, v;
	size_t i;

	if (sscanf(init_utsname()->release, "%u.%u", &major, &minor) != 2)
		return;
	v = KERNEL_VERSION(major, minor, 0);
	for (i = 1; i < ARRAY_SIZE(nfvm_api_table); i++)
		if (nfvm_api_table[i].since <= v)
			nfvm_api = &nfvm_api_table[i];
}

/* The flags entry takes on this kernel. */
static u32 nfvm_flags_supported(u32 entry)
{
	return NFVM_F_ALL & ~nfvm_api->unsupported[entry];
}

#define NFVM_SAMPLES	16

/* The call log: a ring of records, indexed by seq % log_records. */
static struct {
	spinlock_t lock;	/* protects next_seq and rec[] */
	u64 next_seq;
	struct nofail_vmalloc_record *rec;
} nlog = {
	.lock = __SPIN_LOCK_UNLOCKED(nlog.lock),
};

/* kept_areas and kept_bytes change only under the lock of the area's file. */
static atomic64_t kept_areas = ATOMIC64_INIT(0);
static atomic64_t kept_bytes = ATOMIC64_INIT(0);
/* Areas kept, plus KEEP requests in flight, checked against max_kept_areas. */
static atomic64_t kept_slots = ATOMIC64_INIT(0);
/* Cost of all requests in flight or kept, checked against max_total_bytes. */
static atomic64_t budget_used = ATOMIC64_INIT(0);

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

/*
 * Adds n to *v unless that would exceed limit; one cmpxchg, so concurrent
 * callers never overshoot it. Returns false when it would.
 */
static bool nfvm_take(atomic64_t *v, u64 n, u64 limit)
{
	s64 cur = atomic64_read(v);

	do {
		if (n > limit || (u64)cur > limit - n)
			return false;
	} while (!atomic64_try_cmpxchg(v, &cur, cur + n));
	return true;
}

/* Takes cost from the budget, or -EDQUOT past max_total_bytes. */
static int budget_reserve(u64 cost)
{
	return nfvm_take(&budget_used, cost, READ_ONCE(max_total_bytes)) ?
	       0 : -EDQUOT;
}

static void budget_release(u64 cost)
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
static u64 nfvm_cost_max(const struct nofail_vmalloc_alloc *a)
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
static u64 nfvm_cost_of(const struct nofail_vmalloc_alloc *a, const void *p,
			u64 cost_max)
{
	if (!is_vmalloc_addr(p))
		return min(cost_max, nfvm_kmalloc_cost(a->bytes));
	if (a->out & NFVM_OUT_HUGE_UNKNOWN)
		return cost_max;
	return min(cost_max, nfvm_vmalloc_cost(a->bytes,
					       a->out & NFVM_OUT_HUGE));
}

/* The opener and the task using the file must both be privileged. */
static bool nfvm_allowed(struct file *file)
{
	return file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) &&
	       capable(CAP_SYS_ADMIN);
}

static u64 log_oldest_locked(void)
{
	return nlog.next_seq > log_records ? nlog.next_seq - log_records : 0;
}

static struct nofail_vmalloc_record *log_slot(u64 seq)
{
	u32 idx;

	div_u64_rem(seq, log_records, &idx);
	return &nlog.rec[idx];
}

/* Appends a record and returns its sequence number. */
static u64 log_append(struct nofail_vmalloc_record *r)
{
	unsigned long irqflags;
	u64 seq;

	spin_lock_irqsave(&nlog.lock, irqflags);
	seq = nlog.next_seq++;
	r->seq = seq;
	*log_slot(seq) = *r;
	spin_unlock_irqrestore(&nlog.lock, irqflags);
	return seq;
}

/*
 * After a KEEP whose copy-out failed: its record, if still in the log, gets
 * EFAULT and NFVM_OUT_UNKEPT instead of NFVM_OUT_KEPT.
 */
static void log_unkept(u64 seq)
{
	struct nofail_vmalloc_record *r;
	unsigned long irqflags;

	spin_lock_irqsave(&nlog.lock, irqflags);
	if (seq >= log_oldest_locked() && seq < nlog.next_seq) {
		r = log_slot(seq);
		r->err = EFAULT;
		r->out = (r->out & ~NFVM_OUT_KEPT) | NFVM_OUT_UNKEPT;
	}
	spin_unlock_irqrestore(&nlog.lock, irqflags);
}

static gfp_t nfvm_gfp(u32 flags)
{
	gfp_t gfp = GFP_KERNEL;

	if (flags & NFVM_F_NOFAIL)
		gfp |= __GFP_NOFAIL;
	if (flags & NFVM_F_ACCOUNT)
		gfp |= __GFP_ACCOUNT;
	if (flags & NFVM_F_NOWARN)
		gfp |= __GFP_NOWARN;
	if (flags & NFVM_F_RETRY_MAYFAIL)
		gfp |= __GFP_RETRY_MAYFAIL;
	if (flags & NFVM_F_NORETRY)
		gfp |= __GFP_NORETRY;
	return gfp;
}

static struct page *nfvm_page(const void *p)
{
	return is_vmalloc_addr(p) ? vmalloc_to_page(p) : virt_to_page(p);
}

/*
 * Samples up to NFVM_SAMPLES pages spread over the area and reports the
 * node most of them are on, how many were sampled and how many of those are
 * on that node.
 */
static void nfvm_sample_nodes(const void *p, u64 bytes, u32 *landed,
			      u32 *sampled, u32 *on_landed)
{
	u64 nr = DIV_ROUND_UP_ULL(bytes, PAGE_SIZE);
	u32 n = min_t(u64, nr, NFVM_SAMPLES);
	int nid[NFVM_SAMPLES];
	u32 i, j, best = 0, best_cnt = 0, cnt;
	struct page *pg;

	*landed = NFVM_UNKNOWN;
	*sampled = 0;
	*on_landed = 0;
	for (i = 0; i < n; i++) {
		u64 off = div_u64(nr * i, n) << PAGE_SHIFT;

		pg = nfvm_page(p + off);
		if (!pg)
			return;
		nid[i] = page_to_nid(pg);
	}
	for (i = 0; i < n; i++) {
		for (cnt = 0, j = 0; j < n; j++)
			cnt += nid[j] == nid[i];
		if (cnt > best_cnt) {
			best_cnt = cnt;
			best = i;
		}
	}
	if (n) {
		*landed = nid[best];
		*sampled = n;
		*on_landed = best_cnt;
	}
}

#ifdef CONFIG_X86
/* Whether the area is mapped with huge (PMD) pages: NFVM_OUT_HUGE* bits. */
static u32 nfvm_huge(const void *p)
{
	unsigned int level;
	pte_t *pte;

	if (!is_vmalloc_addr(p))
		return 0;
	pte = lookup_address((unsigned long)p, &level);
	if (!pte)
		return NFVM_OUT_HUGE_UNKNOWN;
	return level > PG_LEVEL_4K ? NFVM_OUT_HUGE : 0;
}
#else
/* find_vm_area() is not exported: no way to see page_order from a module. */
static u32 nfvm_huge(const void *p)
{
	return is_vmalloc_addr(p) ? NFVM_OUT_HUGE_UNKNOWN : 0;
}
#endif

/* Sleeps for ns unless a fatal signal arrives; returns false if cut short. */
static bool nfvm_hold(u64 ns)
{
	ktime_t t = ns_to_ktime(ns);

	if (!ns)
		return true;
	set_current_state(TASK_KILLABLE);
	return schedule_hrtimeout(&t, HRTIMER_MODE_REL) == 0;
}

static int nfvm_check_alloc(const struct nofail_vmalloc_alloc *a)
{
	u32 f = a->flags;

	if (a->size != sizeof(*a) || a->abi != NFVM_ABI || a->reserved)
		return -EINVAL;
	if (!a->bytes || (f & ~NFVM_F_ALL))
		return -EINVAL;
	/* Contradictions: the page allocator's behaviour would be undefined. */
	if ((f & NFVM_F_NOFAIL) && (f & (NFVM_F_RETRY_MAYFAIL | NFVM_F_NORETRY)))
		return -EINVAL;
	if ((f & NFVM_F_RETRY_MAYFAIL) && (f & NFVM_F_NORETRY))
		return -EINVAL;
	if ((f & NFVM_F_KEEP) && a->hold_ns)
		return -EINVAL;
	if (a->hold_ns > READ_ONCE(max_hold_ns))
		return -ERANGE;
	if (a->scope > NFVM_SCOPE_NOIO)
		return -EINVAL;
	if (a->entry > NFVM_ENTRY_VMALLOC)
		return -EINVAL;
	if (a->node != NFVM_NO_NODE) {
		if (a->entry != NFVM_ENTRY_KVMALLOC_NODE)
			return -EINVAL;
		if (a->node >= MAX_NUMNODES || !node_online(a->node))
			return -EINVAL;
	}
	/* What the entry's kernel-doc does not support on this kernel. */
	if (f & ~nfvm_flags_supported(a->entry))
		return -EOPNOTSUPP;
	/*
	 * Never lifted: NOFAIL would retry forever, others fail after reclaim.
	 * RAM now, too: a balloon or a hot-remove may have taken some.
	 */
	if (a->bytes > hard_max_bytes || a->bytes > nfvm_ram_bytes())
		return -E2BIG;
	/* kvmalloc_node() refuses (and warns about) anything above INT_MAX. */
	if (a->entry == NFVM_ENTRY_KVMALLOC_NODE && a->bytes > INT_MAX)
		return -E2BIG;
	if (a->bytes > READ_ONCE(max_bytes) && !READ_ONCE(force))
		return -E2BIG;
	/* NOFAIL charged to no cgroup is memory no memcg limit bounds. */
	if ((f & NFVM_F_NOFAIL) && !(f & NFVM_F_ACCOUNT) && !READ_ONCE(force))
		return -EPERM;
	return 0;
}

static void *nfvm_call(const struct nofail_vmalloc_alloc *a)
{
	int node = a->node == NFVM_NO_NODE ? NUMA_NO_NODE : (int)a->node;
	gfp_t gfp = nfvm_gfp(a->flags);
	unsigned int scope = 0;
	void *p;

	if (a->scope == NFVM_SCOPE_NOFS)
		scope = memalloc_nofs_save();
	else if (a->scope == NFVM_SCOPE_NOIO)
		scope = memalloc_noio_save();
	if (a->entry == NFVM_ENTRY_VMALLOC)
		p = __vmalloc(a->bytes, gfp);
	else
		p = kvmalloc_node(a->bytes, gfp, node);
	if (a->scope == NFVM_SCOPE_NOFS)
		memalloc_nofs_restore(scope);
	else if (a->scope == NFVM_SCOPE_NOIO)
		memalloc_noio_restore(scope);
	return p;
}

/* Output fields carry nothing of the caller's: set them all before use. */
static void nfvm_clear_out(struct nofail_vmalloc_alloc *a)
{
	a->handle = 0;
	a->latency_ns = 0;
	a->t_start_ns = 0;
	a->t_end_ns = 0;
	a->nr_pages = 0;
	a->seq = 0;
	a->out = 0;
	a->landed_node = NFVM_UNKNOWN;
	a->sampled = 0;
	a->on_landed = 0;
}

/*
 * Holds a slot for a KEEP request: one of max_areas in nf (-ENOSPC) and one
 * of max_kept_areas in all (-ENFILE).
 */
static int nfvm_area_slot(struct nfvm_file *nf)
{
	int ret = 0;

	mutex_lock(&nf->lock);
	if (nf->nr_areas >= READ_ONCE(max_areas))
		ret = -ENOSPC;
	else if (!nfvm_take(&kept_slots, 1, READ_ONCE(max_kept_areas)))
		ret = -ENFILE;
	else
		nf->nr_areas++;
	mutex_unlock(&nf->lock);
	return ret;
}

static void nfvm_area_unslot(struct nfvm_file *nf)
{
	mutex_lock(&nf->lock);
	nf->nr_areas--;
	atomic64_dec(&kept_slots);
	mutex_unlock(&nf->lock);
}

/* Takes the area with handle off nf's list; NULL if it is not there. */
static struct nfvm_area *nfvm_area_take(struct nfvm_file *nf, u64 handle)
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
static void nfvm_area_free(struct nfvm_area *area)
{
	kvfree(area->p);
	budget_release(area->cost);
	kfree(area);
}

/*
 * Publishes a kept area: its handle, the list and the counters change
 * together under nf's lock, and the handle is read before the lock is
 * dropped, so a FREE of it from another thread can neither see counters
 * that do not include it nor free it under this call.
 */
static u64 nfvm_area_publish(struct nfvm_file *nf, struct nfvm_area *area)
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

/*
 * NULL despite NOFAIL. Every request reaching the allocator passed the
 * guards, so it is the allocator breaking its contract, unless RAM shrank
 * below the request since (vmalloc refuses sizes above total RAM).
 */
static void nfvm_null(struct nofail_vmalloc_alloc *a)
{
	const char *entry = a->entry == NFVM_ENTRY_VMALLOC ?
			    "__vmalloc" : "kvmalloc_node";

	if (!(a->flags & NFVM_F_NOFAIL))
		return;
	if (PAGE_ALIGN(a->bytes) > nfvm_ram_bytes()) {
		a->out |= NFVM_OUT_ABOVE_RAM;
		pr_warn_ratelimited("__GFP_NOFAIL %s of %llu bytes returned NULL above total RAM now (%llu bytes): not a finding\n",
				    entry, a->bytes, nfvm_ram_bytes());
		return;
	}
	pr_err_ratelimited("FINDING: __GFP_NOFAIL %s of %llu bytes returned NULL (pid %d)\n",
			   entry, a->bytes, task_pid_nr(current));
}

/* The call's record, from its ALLOC output. */
static void nfvm_record(struct nofail_vmalloc_record *r,
			const struct nofail_vmalloc_alloc *a, long ret)
{
	r->size = sizeof(*r);
	r->abi = NFVM_ABI;
	r->t_start_ns = a->t_start_ns;
	r->t_end_ns = a->t_end_ns;
	r->bytes = a->bytes;
	r->nr_pages = a->nr_pages;
	r->pid = task_tgid_nr(current);
	r->tid = task_pid_nr(current);
	r->flags = a->flags;
	r->scope = a->scope;
	r->entry = a->entry;
	r->node = a->node;
	r->err = -ret;
	r->out = a->out;
	r->landed_node = a->landed_node;
	r->sampled = a->sampled;
	r->on_landed = a->on_landed;
	r->handle = a->handle;
	r->cost = a->cost;
}

static long nfvm_alloc(struct nfvm_file *nf, void __user *uarg)
{
	struct nofail_vmalloc_alloc a = {};
	struct nofail_vmalloc_record r = {};
	struct nfvm_area *area = NULL;
	u64 t0, t1, cost_max;
	bool keep;
	long ret = 0;
	void *p;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	ret = nfvm_check_alloc(&a);
	if (ret)
		return ret;
	keep = a.flags & NFVM_F_KEEP;
	if (keep) {
		ret = nfvm_area_slot(nf);
		if (ret)
			return ret;
		/* Not charged to the caller: bookkeeping, not the measurement. */
		area = kzalloc(sizeof(*area), GFP_KERNEL);
		if (!area) {
			nfvm_area_unslot(nf);
			return -ENOMEM;
		}
	}
	cost_max = nfvm_cost_max(&a);
	ret = budget_reserve(cost_max);
	if (ret) {
		if (keep)
			nfvm_area_unslot(nf);
		kfree(area);
		return ret;
	}
	nfvm_clear_out(&a);

	t0 = ktime_get_ns();
	p = nfvm_call(&a);
	t1 = ktime_get_ns();

	a.t_start_ns = t0;
	a.t_end_ns = t1;
	a.latency_ns = t1 - t0;
	a.nr_pages = DIV_ROUND_UP_ULL(a.bytes, PAGE_SIZE);
	if (fatal_signal_pending(current))
		a.out |= NFVM_OUT_FATAL_SIGNAL;
	if (p) {
		if (is_vmalloc_addr(p))
			a.out |= NFVM_OUT_VMALLOC;
		a.out |= nfvm_huge(p);
		nfvm_sample_nodes(p, a.bytes, &a.landed_node, &a.sampled,
				  &a.on_landed);
		/* Settle the reservation to the path the allocator took. */
		a.cost = nfvm_cost_of(&a, p, cost_max);
		budget_release(cost_max - a.cost);
	} else {
		a.out |= NFVM_OUT_NULL;
		ret = -ENOMEM;
		budget_release(cost_max);
		nfvm_null(&a);
	}

	if (p && keep) {
		area->p = p;
		area->bytes = a.bytes;
		area->cost = a.cost;
		a.handle = nfvm_area_publish(nf, area);
		a.out |= NFVM_OUT_KEPT;
		area = NULL;
	}

	nfvm_record(&r, &a, ret);
	a.seq = log_append(&r);

	if (p && !keep) {
		if (!nfvm_hold(a.hold_ns))
			a.out |= NFVM_OUT_HOLD_CUT;
		kvfree(p);
		budget_release(a.cost);
	}
	if (!p && keep)
		nfvm_area_unslot(nf);
	kfree(area);

	if (copy_to_user(uarg, &a, sizeof(a))) {
		/*
		 * Nobody learns the handle: un-keep the area (unless a FREE
		 * of a guessed handle took it already) and say so in the log.
		 * Without KEEP the record stands: the call completed (an
		 * OOM-killed caller's memory may be reaped under it).
		 */
		if (a.out & NFVM_OUT_KEPT) {
			area = nfvm_area_take(nf, a.handle);
			if (area)
				nfvm_area_free(area);
			log_unkept(a.seq);
		}
		return -EFAULT;
	}
	return ret;
}

static long nfvm_free(struct nfvm_file *nf, void __user *uarg)
{
	struct nofail_vmalloc_free f = {};
	struct nfvm_area *area;

	if (copy_from_user(&f, uarg, sizeof(f)))
		return -EFAULT;
	if (f.size != sizeof(f) || f.abi != NFVM_ABI || !f.handle)
		return -EINVAL;
	area = nfvm_area_take(nf, f.handle);
	if (!area)
		return -ENOENT;
	f.bytes = area->bytes;
	f.cost = area->cost;
	nfvm_area_free(area);
	if (copy_to_user(uarg, &f, sizeof(f)))
		return -EFAULT;
	return 0;
}

static long nfvm_info(void __user *uarg)
{
	struct nofail_vmalloc_info in = {};
	struct nofail_vmalloc_info i = {};
	unsigned long irqflags;

	if (copy_from_user(&in, uarg, sizeof(in)))
		return -EFAULT;
	/* Any ABI is accepted here so that a caller can learn ours. */
	if (in.size != sizeof(in))
		return -EINVAL;
	i.size = sizeof(i);
	i.abi = NFVM_ABI;
	i.max_bytes = READ_ONCE(max_bytes);
	i.force = READ_ONCE(force);
	i.record_size = sizeof(struct nofail_vmalloc_record);
	i.log_records = log_records;
	i.flags_known = NFVM_F_ALL;
	spin_lock_irqsave(&nlog.lock, irqflags);
	i.log_next_seq = nlog.next_seq;
	i.log_held = nlog.next_seq - log_oldest_locked();
	i.log_evicted = log_oldest_locked();
	spin_unlock_irqrestore(&nlog.lock, irqflags);
	i.kept_areas = atomic64_read(&kept_areas);
	i.kept_bytes = atomic64_read(&kept_bytes);
	i.max_total_bytes = READ_ONCE(max_total_bytes);
	i.budget_used = atomic64_read(&budget_used);
	i.hard_max_bytes = hard_max_bytes;
	i.max_hold_ns = READ_ONCE(max_hold_ns);
	i.max_areas = READ_ONCE(max_areas);
	i.max_kept_areas = READ_ONCE(max_kept_areas);
	i.flags_supported[NFVM_ENTRY_KVMALLOC_NODE] =
		nfvm_flags_supported(NFVM_ENTRY_KVMALLOC_NODE);
	i.flags_supported[NFVM_ENTRY_VMALLOC] =
		nfvm_flags_supported(NFVM_ENTRY_VMALLOC);
	i.ram_bytes = nfvm_ram_bytes();
	strscpy(i.release, UTS_RELEASE, sizeof(i.release));
	if (copy_to_user(uarg, &i, sizeof(i)))
		return -EFAULT;
	return 0;
}

static long nfvm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct nfvm_file *nf = file->private_data;
	void __user *uarg = (void __user *)arg;
	size_t want;

	if (!nfvm_allowed(file))
		return -EPERM;
	if (_IOC_TYPE(cmd) != NFVM_IOC_MAGIC)
		return -ENOTTY;
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(NFVM_IOC_ALLOC):
		want = sizeof(struct nofail_vmalloc_alloc);
		break;
	case _IOC_NR(NFVM_IOC_FREE):
		want = sizeof(struct nofail_vmalloc_free);
		break;
	case _IOC_NR(NFVM_IOC_INFO):
		want = sizeof(struct nofail_vmalloc_info);
		break;
	default:
		return -ENOTTY;
	}
	/* A short, long or misaligned struct is a caller bug, not a new call. */
	if (_IOC_SIZE(cmd) != want || _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -EINVAL;
	/* i386 aligns __u64 to 4 bytes: a compat caller's struct may be too. */
	if (!IS_ALIGNED(arg, in_compat_syscall() ? sizeof(u32) : sizeof(u64)))
		return -EINVAL;

	/* What changes state needs a writable fd; a log reader's is not. */
	if (_IOC_NR(cmd) != _IOC_NR(NFVM_IOC_INFO) &&
	    !(file->f_mode & FMODE_WRITE))
		return -EBADF;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(NFVM_IOC_ALLOC):
		return nfvm_alloc(nf, uarg);
	case _IOC_NR(NFVM_IOC_FREE):
		return nfvm_free(nf, uarg);
	default:
		return nfvm_info(uarg);
	}
}

static ssize_t nfvm_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	const size_t rsz = sizeof(struct nofail_vmalloc_record);
	struct nofail_vmalloc_record r;
	unsigned long irqflags;
	ssize_t done = 0;
	u64 seq;

	if (!nfvm_allowed(file))
		return -EPERM;
	if (count < rsz || *ppos < 0)
		return -EINVAL;
	seq = div_u64(*ppos, rsz);
	while (count - done >= rsz) {
		spin_lock_irqsave(&nlog.lock, irqflags);
		if (seq < log_oldest_locked())
			seq = log_oldest_locked();
		if (seq >= nlog.next_seq) {
			spin_unlock_irqrestore(&nlog.lock, irqflags);
			break;
		}
		r = *log_slot(seq);
		spin_unlock_irqrestore(&nlog.lock, irqflags);
		if (copy_to_user(buf + done, &r, rsz))
			return done ? done : -EFAULT;
		done += rsz;
		seq++;
		*ppos = seq * rsz;
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	return done;
}

static loff_t nfvm_llseek(struct file *file, loff_t off, int whence)
{
	const size_t rsz = sizeof(struct nofail_vmalloc_record);
	unsigned long irqflags;
	loff_t end;

	/* The position is the reader's place in the log: readers only. */
	if (!nfvm_allowed(file))
		return -EPERM;
	spin_lock_irqsave(&nlog.lock, irqflags);
	end = nlog.next_seq * rsz;
	spin_unlock_irqrestore(&nlog.lock, irqflags);
	return fixed_size_llseek(file, off, whence, end);
}

static int nfvm_open(struct inode *inode, struct file *file)
{
	struct nfvm_file *nf;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	nf = kzalloc(sizeof(*nf), GFP_KERNEL);
	if (!nf)
		return -ENOMEM;
	mutex_init(&nf->lock);
	INIT_LIST_HEAD(&nf->areas);
	file->private_data = nf;
	/* read() starts at the oldest record still in the log. */
	file->f_pos = 0;
	return 0;
}

static int nfvm_release(struct inode *inode, struct file *file)
{
	struct nfvm_file *nf = file->private_data;
	struct nfvm_area *area, *tmp;

	/* The last reference: no call runs on nf any more. */
	list_for_each_entry_safe(area, tmp, &nf->areas, list) {
		list_del(&area->list);
		atomic64_dec(&kept_slots);
		atomic64_dec(&kept_areas);
		atomic64_sub(area->bytes, &kept_bytes);
		nfvm_area_free(area);
		cond_resched();
	}
	mutex_destroy(&nf->lock);
	kfree(nf);
	return 0;
}

static const struct file_operations nfvm_fops = {
	.owner = THIS_MODULE,
	.open = nfvm_open,
	.release = nfvm_release,
	.read = nfvm_read,
	.llseek = nfvm_llseek,
	.unlocked_ioctl = nfvm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice nfvm_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "nofail_vmalloc",
	.fops = &nfvm_fops,
	.mode = 0600,
};

static int __init nfvm_init(void)
{
	u64 ram = nfvm_ram_bytes();
	int ret;

	/* From here on a parameter changes through sysfs only. */
	WRITE_ONCE(nfvm_ready, true);
	nfvm_api_init();
	hard_max_bytes = ram;
	if (!max_bytes)
		max_bytes = ram >> 2;
	max_bytes = min(max_bytes, hard_max_bytes);
	if (!max_total_bytes)
		max_total_bytes = ram >> 2;
	if (!max_areas)
		max_areas = 64;
	if (!max_kept_areas)
		max_kept_areas = 1024;
	nlog.rec = vzalloc(array_size(log_records,
				      sizeof(struct nofail_vmalloc_record)));
	if (!nlog.rec)
		return -ENOMEM;
	ret = misc_register(&nfvm_dev);
	if (ret) {
		vfree(nlog.rec);
		return ret;
	}
	pr_info("ready: max_bytes=%llu max_total_bytes=%llu max_areas=%u max_kept_areas=%u max_hold_ns=%llu hard_max_bytes=%llu force=%d log_records=%u abi=%u\n",
		max_bytes, max_total_bytes, max_areas, max_kept_areas,
		max_hold_ns, hard_max_bytes, force, log_records, NFVM_ABI);
	return 0;
}

static void __exit nfvm_exit(void)
{
	misc_deregister(&nfvm_dev);
	vfree(nlog.rec);
}

module_init(nfvm_init);
module_exit(nfvm_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Timed (__GFP_NOFAIL) vmalloc on behalf of user space, for stallbench");
MODULE_AUTHOR("stallbench developers");
