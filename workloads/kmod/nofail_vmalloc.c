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
 * reaper can take back: one request (max_bytes, lifted by force), the sum of
 * all requests in flight or kept (max_total_bytes, reserved before a call),
 * the areas kept through one file (max_areas), a hold (max_hold_ns), and
 * what force never lifts (hard_max_bytes: total RAM, and on 32-bit a
 * quarter of the vmalloc area, which a NOFAIL request would otherwise retry
 * for forever in uninterruptible sleep).
 *
 * Privileged operations need CAP_SYS_ADMIN both in the credentials the file
 * was opened with and in the task using it: a passed fd delegates nothing.
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
#include <linux/vmalloc.h>
#include <generated/utsrelease.h>

#include "nofail_vmalloc_uapi.h"

static unsigned long max_bytes;
module_param(max_bytes, ulong, 0644);
MODULE_PARM_DESC(max_bytes,
		 "Largest request in bytes without force (0 at load: a quarter of RAM)");

static unsigned long max_total_bytes;
module_param(max_total_bytes, ulong, 0644);
MODULE_PARM_DESC(max_total_bytes,
		 "Budget in bytes for all requests in flight or kept, force or not (0 at load: a quarter of RAM)");

static unsigned int max_areas = 64;
module_param(max_areas, uint, 0644);
MODULE_PARM_DESC(max_areas, "Most areas kept through one open file (default 64)");

static unsigned long max_hold_ns = 60 * NSEC_PER_SEC;
module_param(max_hold_ns, ulong, 0644);
MODULE_PARM_DESC(max_hold_ns, "Longest hold_ns of a request (default 60 s)");

static unsigned long hard_max_bytes;
module_param(hard_max_bytes, ulong, 0444);
MODULE_PARM_DESC(hard_max_bytes,
		 "Largest request even with force: total RAM (32-bit: and a quarter of the vmalloc area); set at load");

static bool force;
module_param(force, bool, 0644);
MODULE_PARM_DESC(force,
		 "Allow requests above max_bytes and NOFAIL without ACCOUNT (never above max_total_bytes or hard_max_bytes)");

static unsigned int log_records = 65536;
module_param(log_records, uint, 0444);
MODULE_PARM_DESC(log_records, "Capacity of the call log in records (default 65536)");

#define NFVM_SAMPLES	16

/* The call log: a ring of records, indexed by seq % log_records. */
static struct {
	spinlock_t lock;	/* protects next_seq and rec[] */
	u64 next_seq;
	struct nofail_vmalloc_record *rec;
} nlog = {
	.lock = __SPIN_LOCK_UNLOCKED(nlog.lock),
};

static atomic64_t kept_areas = ATOMIC64_INIT(0);
static atomic64_t kept_bytes = ATOMIC64_INIT(0);
/* Bytes of all requests in flight or kept, checked against max_total_bytes. */
static atomic64_t budget_used = ATOMIC64_INIT(0);

struct nfvm_area {
	struct list_head list;
	u64 handle;
	u64 bytes;
	void *p;
};

struct nfvm_file {
	struct mutex lock;	/* protects areas, nr_areas and next_handle */
	struct list_head areas;
	unsigned int nr_areas;	/* kept, plus KEEP requests in flight */
	u64 next_handle;
};

/*
 * Takes bytes from the budget, or -EDQUOT if that would exceed
 * max_total_bytes; one cmpxchg, so concurrent callers never overshoot it.
 */
static int budget_reserve(u64 bytes)
{
	u64 limit = READ_ONCE(max_total_bytes);
	s64 cur = atomic64_read(&budget_used);

	do {
		if (bytes > limit || (u64)cur > limit - bytes)
			return -EDQUOT;
	} while (!atomic64_try_cmpxchg(&budget_used, &cur, cur + bytes));
	return 0;
}

static void budget_release(u64 bytes)
{
	atomic64_sub(bytes, &budget_used);
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
	/* kvmalloc_node() documents __GFP_NORETRY as unsupported. */
	if (a->entry == NFVM_ENTRY_KVMALLOC_NODE && (f & NFVM_F_NORETRY))
		return -EOPNOTSUPP;
	/* Never lifted: NOFAIL would retry forever, others fail after reclaim. */
	if (a->bytes > hard_max_bytes)
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

/* Holds a slot in nf's areas for a KEEP request, or -ENOSPC. */
static int nfvm_area_slot(struct nfvm_file *nf)
{
	int ret = 0;

	mutex_lock(&nf->lock);
	if (nf->nr_areas >= READ_ONCE(max_areas))
		ret = -ENOSPC;
	else
		nf->nr_areas++;
	mutex_unlock(&nf->lock);
	return ret;
}

static void nfvm_area_unslot(struct nfvm_file *nf)
{
	mutex_lock(&nf->lock);
	nf->nr_areas--;
	mutex_unlock(&nf->lock);
}

static long nfvm_alloc(struct nfvm_file *nf, void __user *uarg)
{
	struct nofail_vmalloc_alloc a = {};
	struct nofail_vmalloc_record r = {};
	struct nfvm_area *area = NULL;
	bool keep;
	u64 t0, t1;
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
	ret = budget_reserve(a.bytes);
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
	} else {
		a.out |= NFVM_OUT_NULL;
		ret = -ENOMEM;
		/*
		 * Every request reaching here passed the guards above, so
		 * this is the allocator breaking its NOFAIL contract.
		 */
		if (a.flags & NFVM_F_NOFAIL)
			pr_err("FINDING: __GFP_NOFAIL %s of %llu bytes returned NULL (pid %d)\n",
			       a.entry == NFVM_ENTRY_VMALLOC ? "__vmalloc" : "kvmalloc_node",
			       a.bytes, task_pid_nr(current));
	}

	if (p && keep) {
		area->p = p;
		area->bytes = a.bytes;
		mutex_lock(&nf->lock);
		area->handle = ++nf->next_handle;
		list_add_tail(&area->list, &nf->areas);
		mutex_unlock(&nf->lock);
		atomic64_inc(&kept_areas);
		atomic64_add(a.bytes, &kept_bytes);
		a.handle = area->handle;
		a.out |= NFVM_OUT_KEPT;
		area = NULL;
	}

	r.size = sizeof(r);
	r.abi = NFVM_ABI;
	r.t_start_ns = t0;
	r.t_end_ns = t1;
	r.bytes = a.bytes;
	r.nr_pages = a.nr_pages;
	r.pid = task_tgid_nr(current);
	r.tid = task_pid_nr(current);
	r.flags = a.flags;
	r.scope = a.scope;
	r.entry = a.entry;
	r.node = a.node;
	r.err = -ret;
	r.out = a.out;
	r.landed_node = a.landed_node;
	r.sampled = a.sampled;
	r.on_landed = a.on_landed;
	r.handle = a.handle;
	a.seq = log_append(&r);

	if (p && !keep) {
		if (!nfvm_hold(a.hold_ns))
			a.out |= NFVM_OUT_HOLD_CUT;
		kvfree(p);
	}
	if (!(p && keep)) {
		budget_release(a.bytes);
		if (keep)
			nfvm_area_unslot(nf);
	}
	kfree(area);

	if (copy_to_user(uarg, &a, sizeof(a)))
		return -EFAULT;
	return ret;
}

static long nfvm_free(struct nfvm_file *nf, void __user *uarg)
{
	struct nofail_vmalloc_free f = {};
	struct nfvm_area *area, *found = NULL;

	if (copy_from_user(&f, uarg, sizeof(f)))
		return -EFAULT;
	if (f.size != sizeof(f) || f.abi != NFVM_ABI || !f.handle)
		return -EINVAL;
	mutex_lock(&nf->lock);
	list_for_each_entry(area, &nf->areas, list) {
		if (area->handle == f.handle) {
			list_del(&area->list);
			nf->nr_areas--;
			found = area;
			break;
		}
	}
	mutex_unlock(&nf->lock);
	if (!found)
		return -ENOENT;
	f.bytes = found->bytes;
	atomic64_dec(&kept_areas);
	atomic64_sub(found->bytes, &kept_bytes);
	kvfree(found->p);
	budget_release(found->bytes);
	kfree(found);
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
	i.log_overwritten = log_oldest_locked();
	spin_unlock_irqrestore(&nlog.lock, irqflags);
	i.kept_areas = atomic64_read(&kept_areas);
	i.kept_bytes = atomic64_read(&kept_bytes);
	i.max_total_bytes = READ_ONCE(max_total_bytes);
	i.budget_used = atomic64_read(&budget_used);
	i.hard_max_bytes = hard_max_bytes;
	i.max_hold_ns = READ_ONCE(max_hold_ns);
	i.max_areas = READ_ONCE(max_areas);
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

	list_for_each_entry_safe(area, tmp, &nf->areas, list) {
		list_del(&area->list);
		atomic64_dec(&kept_areas);
		atomic64_sub(area->bytes, &kept_bytes);
		kvfree(area->p);
		budget_release(area->bytes);
		kfree(area);
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
	int ret;

	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;

	if (!log_records)
		return -EINVAL;
	hard_max_bytes = min_t(u64, ram, ULONG_MAX);
#if BITS_PER_LONG == 32
	/* Well below the vmalloc area: its fragments are shared by all. */
	hard_max_bytes = min_t(unsigned long, hard_max_bytes,
			       (VMALLOC_END - VMALLOC_START) / 4);
#endif
	if (!max_bytes)
		max_bytes = min_t(u64, ram >> 2, hard_max_bytes);
	if (!max_total_bytes)
		max_total_bytes = min_t(u64, ram >> 2, ULONG_MAX);
	nlog.rec = vzalloc(array_size(log_records,
				      sizeof(struct nofail_vmalloc_record)));
	if (!nlog.rec)
		return -ENOMEM;
	ret = misc_register(&nfvm_dev);
	if (ret) {
		vfree(nlog.rec);
		return ret;
	}
	pr_info("ready: max_bytes=%lu max_total_bytes=%lu max_areas=%u max_hold_ns=%lu hard_max_bytes=%lu force=%d log_records=%u abi=%u\n",
		max_bytes, max_total_bytes, max_areas, max_hold_ns,
		hard_max_bytes, force, log_records, NFVM_ABI);
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
