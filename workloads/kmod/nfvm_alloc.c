// SPDX-License-Identifier: GPL-2.0
/*
 * nofail_vmalloc's ALLOC: a (__GFP_NOFAIL) vmalloc on behalf of user space,
 * timed. The guards refuse what the entry's API does not promise on the
 * running kernel (the table below) and what the module's limits do not
 * allow; the call runs in the caller's reclaim scope; its node placement
 * and huge mapping are sampled, and it is recorded in the call log before
 * the area is held, kept or freed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/nodemask.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/version.h>
#include <linux/vmalloc.h>

#include "nfvm_impl.h"

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

void nfvm_api_init(void)
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
u32 nfvm_flags_supported(u32 entry)
{
	return NFVM_F_ALL & ~nfvm_api->unsupported[entry];
}

#define NFVM_SAMPLES	16

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
	if (a->hold_ns > READ_ONCE(nfvm_max_hold_ns))
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
	if (a->bytes > nfvm_hard_max_bytes || a->bytes > nfvm_ram_bytes())
		return -E2BIG;
	/* kvmalloc_node() refuses (and warns about) anything above INT_MAX. */
	if (a->entry == NFVM_ENTRY_KVMALLOC_NODE && a->bytes > INT_MAX)
		return -E2BIG;
	if (a->bytes > READ_ONCE(nfvm_max_bytes) && !READ_ONCE(nfvm_force))
		return -E2BIG;
	/* NOFAIL charged to no cgroup is memory no memcg limit bounds. */
	if ((f & NFVM_F_NOFAIL) && !(f & NFVM_F_ACCOUNT) &&
	    !READ_ONCE(nfvm_force))
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

long nfvm_alloc(struct nfvm_file *nf, void __user *uarg)
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
	ret = nfvm_budget_reserve(cost_max);
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
		nfvm_budget_release(cost_max - a.cost);
	} else {
		a.out |= NFVM_OUT_NULL;
		ret = -ENOMEM;
		nfvm_budget_release(cost_max);
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
	a.seq = nfvm_log_append(&r);

	if (p && !keep) {
		if (!nfvm_hold(a.hold_ns))
			a.out |= NFVM_OUT_HOLD_CUT;
		kvfree(p);
		nfvm_budget_release(a.cost);
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
			nfvm_log_unkept(a.seq);
		}
		return -EFAULT;
	}
	return ret;
}
