/*
 * On-CPU sites: a cpu-clock sample's site is the first frame of its kernel
 * stack (leaf first) that is not one of the generic helpers below, its
 * compiler suffix (".constprop.0", ".isra.0") cut. The helpers do work for
 * whoever called them: a copy or a clear is its caller's (read_zero,
 * copy_page_from_iter_atomic, clear_huge_page), and time sampled where
 * interrupts come back on (an unlock that restores them: the cpu-clock
 * timer fires there for all the time they were off) is the caller's that
 * held the lock. Lock slow paths stay: spinning on a lock is the answer.
 * A sample taken in user space has no kernel frame: SB_CPU_SITE_USER.
 * One table, read by the capture (which names the site) and the README.
 */
#ifndef STALLBENCH_CPUSITE_H
#define STALLBENCH_CPUSITE_H

#define SB_CPU_HELPER_FRAMES(X)						\
	X("rep_movs_alternative") X("rep_stos_alternative")		\
	X("copy_user_generic") X("copy_user_generic_unrolled")		\
	X("copy_user_generic_string") X("copy_user_enhanced_fast_string")	\
	X("copy_mc_enhanced_fast_string") X("copy_mc_fragile")		\
	X("clear_user_erms") X("clear_user_rep_good") X("clear_user_original")	\
	X("__clear_user") X("clear_user") X("clear_page_erms")		\
	X("clear_page_rep") X("clear_page_orig") X("copy_page")		\
	X("memcpy") X("__memcpy") X("memcpy_orig") X("memset") X("__memset")	\
	X("memset_orig") X("memmove") X("__memmove")			\
	X("_raw_spin_unlock_irqrestore") X("_raw_spin_unlock_irq")		\
	X("_raw_spin_unlock_bh") X("_raw_read_unlock_irqrestore")		\
	X("_raw_write_unlock_irqrestore") X("__local_bh_enable_ip")	\
	X("local_bh_enable") X("arch_local_irq_restore")

#define SB_CPU_SITE_USER	"(user)"

/* The sampling period: 1 ms of a task's CPU time per sample (1 kHz while it runs). */
#define SB_ONCPU_PERIOD_NS	1000000u

#endif
