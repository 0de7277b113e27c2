// SPDX-License-Identifier: GPL-2.0
/*
 * nofail_vmalloc's module parameters: what the module may pin (one request,
 * the budget of all, the areas kept per file and in all, a hold), force, the
 * call log's capacity, and hard_max_bytes, computed at load. A value at load
 * comes from whoever may load modules; a write through sysfs needs
 * CAP_SYS_ADMIN, and every value is clamped to its range.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

#include "nfvm_impl.h"

/* Set once the load-time parameters are parsed: later writes come from sysfs. */
static bool nfvm_ready;

u64 nfvm_max_bytes;
u64 nfvm_max_total_bytes;
unsigned int nfvm_max_areas = 64;
unsigned int nfvm_max_kept_areas = 1024;
u64 nfvm_max_hold_ns = 60ULL * NSEC_PER_SEC;
u64 nfvm_hard_max_bytes;
bool nfvm_force;
unsigned int nfvm_log_records = 65536;

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
 * default", chosen in nfvm_params_init().
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
	nfvm_log_records = v;
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

module_param_cb(max_bytes, &nfvm_max_bytes_ops, &nfvm_max_bytes, 0644);
MODULE_PARM_DESC(max_bytes,
		 "Largest request in bytes without force (0 at load: a quarter of RAM; clamped to [4096, RAM])");
module_param_cb(max_total_bytes, &nfvm_max_total_bytes_ops,
		&nfvm_max_total_bytes, 0644);
MODULE_PARM_DESC(max_total_bytes,
		 "Budget: the cost of all requests in flight or kept, force or not (0 at load: a quarter of RAM; clamped to [4096, RAM/2])");
module_param_cb(max_areas, &nfvm_max_areas_ops, &nfvm_max_areas, 0644);
MODULE_PARM_DESC(max_areas, "Most areas kept through one open file (default 64; clamped to [1, 4096])");
module_param_cb(max_kept_areas, &nfvm_max_kept_areas_ops,
		&nfvm_max_kept_areas, 0644);
MODULE_PARM_DESC(max_kept_areas, "Most areas kept, all files together (default 1024; clamped to [1, 65536])");
module_param_cb(max_hold_ns, &nfvm_max_hold_ns_ops, &nfvm_max_hold_ns, 0644);
MODULE_PARM_DESC(max_hold_ns, "Longest hold_ns of a request (default 60 s; clamped to 600 s)");
module_param_cb(hard_max_bytes, &nfvm_computed_ops, &nfvm_hard_max_bytes,
		0444);
MODULE_PARM_DESC(hard_max_bytes,
		 "Largest request even with force: total RAM at load (read-only)");
module_param_cb(force, &nfvm_force_ops, &nfvm_force, 0644);
MODULE_PARM_DESC(force,
		 "Allow requests above max_bytes and NOFAIL without ACCOUNT (never above max_total_bytes or hard_max_bytes)");
module_param_cb(log_records, &nfvm_log_records_ops, &nfvm_log_records,
		0444);
MODULE_PARM_DESC(log_records, "Capacity of the call log in records (default 65536; 1 to 2^20; at load)");

/*
 * From here on a parameter changes through sysfs only; 0 given at load means
 * "the default".
 */
void nfvm_params_init(void)
{
	u64 ram = nfvm_ram_bytes();

	WRITE_ONCE(nfvm_ready, true);
	nfvm_hard_max_bytes = ram;
	if (!nfvm_max_bytes)
		nfvm_max_bytes = ram >> 2;
	nfvm_max_bytes = min(nfvm_max_bytes, nfvm_hard_max_bytes);
	if (!nfvm_max_total_bytes)
		nfvm_max_total_bytes = ram >> 2;
	if (!nfvm_max_areas)
		nfvm_max_areas = 64;
	if (!nfvm_max_kept_areas)
		nfvm_max_kept_areas = 1024;
}
