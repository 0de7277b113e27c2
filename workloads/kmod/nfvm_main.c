// SPDX-License-Identifier: GPL-2.0
/*
 * nofail_vmalloc: issue large (__GFP_NOFAIL) vmalloc allocations on behalf of
 * user space and time them, for stallbench. This file is the device,
 * /dev/nofail_vmalloc: its file operations, the ioctl dispatch with FREE and
 * INFO, and the module's load and unload; nfvm_impl.h names the other files.
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
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <generated/utsrelease.h>

#include "nfvm_impl.h"

/* The opener and the task using the file must both be privileged. */
bool nfvm_allowed(struct file *file)
{
	return file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) &&
	       capable(CAP_SYS_ADMIN);
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

	if (copy_from_user(&in, uarg, sizeof(in)))
		return -EFAULT;
	/* Any ABI is accepted here so that a caller can learn ours. */
	if (in.size != sizeof(in))
		return -EINVAL;
	i.size = sizeof(i);
	i.abi = NFVM_ABI;
	i.max_bytes = READ_ONCE(nfvm_max_bytes);
	i.force = READ_ONCE(nfvm_force);
	i.record_size = sizeof(struct nofail_vmalloc_record);
	i.log_records = nfvm_log_records;
	i.flags_known = NFVM_F_ALL;
	nfvm_log_state(&i.log_next_seq, &i.log_held, &i.log_evicted);
	nfvm_kept(&i.kept_areas, &i.kept_bytes);
	i.max_total_bytes = READ_ONCE(nfvm_max_total_bytes);
	i.budget_used = nfvm_budget_used();
	i.hard_max_bytes = nfvm_hard_max_bytes;
	i.max_hold_ns = READ_ONCE(nfvm_max_hold_ns);
	i.max_areas = READ_ONCE(nfvm_max_areas);
	i.max_kept_areas = READ_ONCE(nfvm_max_kept_areas);
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

	/* The last reference: no call runs on nf any more. */
	nfvm_areas_release(nf);
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

	nfvm_params_init();
	nfvm_api_init();
	ret = nfvm_log_init();
	if (ret)
		return ret;
	ret = misc_register(&nfvm_dev);
	if (ret) {
		nfvm_log_exit();
		return ret;
	}
	pr_info("ready: max_bytes=%llu max_total_bytes=%llu max_areas=%u max_kept_areas=%u max_hold_ns=%llu hard_max_bytes=%llu force=%d log_records=%u abi=%u\n",
		nfvm_max_bytes, nfvm_max_total_bytes, nfvm_max_areas,
		nfvm_max_kept_areas, nfvm_max_hold_ns, nfvm_hard_max_bytes,
		nfvm_force, nfvm_log_records, NFVM_ABI);
	return 0;
}

static void __exit nfvm_exit(void)
{
	misc_deregister(&nfvm_dev);
	nfvm_log_exit();
}

module_init(nfvm_init);
module_exit(nfvm_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Timed (__GFP_NOFAIL) vmalloc on behalf of user space, for stallbench");
MODULE_AUTHOR("stallbench developers");
