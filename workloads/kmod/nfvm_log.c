// SPDX-License-Identifier: GPL-2.0
/*
 * nofail_vmalloc's call log. A caller past its memcg cap is usually
 * OOM-killed while its NOFAIL call goes on and completes; it dies on the way
 * back to user space and cannot record its own latency. So every completed
 * call is also appended to this bounded ring of records, which another
 * reader (the driver, outside the cgroup) collects through read() on the
 * device; a record's place is its sequence number, the oldest are evicted.
 */
#include <linux/math64.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "nfvm_impl.h"

/* The call log: a ring of records, indexed by seq % log_records. */
static struct {
	spinlock_t lock;	/* protects next_seq and rec[] */
	u64 next_seq;
	struct nofail_vmalloc_record *rec;
} nlog = {
	.lock = __SPIN_LOCK_UNLOCKED(nlog.lock),
};

static u64 log_oldest_locked(void)
{
	return nlog.next_seq > nfvm_log_records ?
	       nlog.next_seq - nfvm_log_records : 0;
}

static struct nofail_vmalloc_record *log_slot(u64 seq)
{
	u32 idx;

	div_u64_rem(seq, nfvm_log_records, &idx);
	return &nlog.rec[idx];
}

/* Appends a record and returns its sequence number. */
u64 nfvm_log_append(struct nofail_vmalloc_record *r)
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
void nfvm_log_unkept(u64 seq)
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

int nfvm_log_init(void)
{
	nlog.rec = vzalloc(array_size(nfvm_log_records,
				      sizeof(struct nofail_vmalloc_record)));
	return nlog.rec ? 0 : -ENOMEM;
}

void nfvm_log_exit(void)
{
	vfree(nlog.rec);
}

/*
 * The next sequence number, the records held and those evicted, read
 * together.
 */
void nfvm_log_state(u64 *next_seq, u64 *held, u64 *evicted)
{
	unsigned long irqflags;

	spin_lock_irqsave(&nlog.lock, irqflags);
	*next_seq = nlog.next_seq;
	*held = nlog.next_seq - log_oldest_locked();
	*evicted = log_oldest_locked();
	spin_unlock_irqrestore(&nlog.lock, irqflags);
}

ssize_t nfvm_read(struct file *file, char __user *buf, size_t count,
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

loff_t nfvm_llseek(struct file *file, loff_t off, int whence)
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
