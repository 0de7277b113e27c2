/*
 * Off-CPU wait sites: a sleep's site is the first frame of its kernel stack
 * at switch-out (leaf first) that is not one of the scheduler's own
 * functions below, its compiler suffix (".constprop.0", ".isra.0") cut. The
 * generic waits (completions, wait_on_bit) are skipped too, so the site is
 * their caller: submit_bio_wait, not wait_for_completion_io_timeout;
 * folio_wait_writeback or __folio_lock, not folio_wait_bit_common. One
 * table, read by the capture (which names the site) and by the README.
 */
#ifndef STALLBENCH_WAITSITE_H
#define STALLBENCH_WAITSITE_H

#define SB_SCHED_FRAMES(X)						\
	X("__traceiter_sched_switch") X("__schedule") X("schedule")		\
	X("schedule_timeout") X("schedule_timeout_uninterruptible")		\
	X("schedule_timeout_interruptible") X("schedule_timeout_killable")	\
	X("schedule_timeout_idle") X("io_schedule") X("io_schedule_timeout")	\
	X("schedule_preempt_disabled") X("schedule_hrtimeout")			\
	X("schedule_hrtimeout_range") X("schedule_hrtimeout_range_clock")	\
	X("preempt_schedule") X("preempt_schedule_common")			\
	X("preempt_schedule_irq") X("preempt_schedule_notrace")		\
	X("preempt_schedule_thunk") X("__cond_resched") X("_cond_resched")	\
	X("schedule_rtlock") X("rt_mutex_schedule")				\
	X("do_wait_for_common") X("__wait_for_common") X("wait_for_common")	\
	X("wait_for_common_io") X("wait_for_completion")			\
	X("wait_for_completion_io") X("wait_for_completion_timeout")		\
	X("wait_for_completion_io_timeout") X("wait_for_completion_killable")	\
	X("wait_for_completion_interruptible") X("wait_for_completion_state")	\
	X("bit_wait") X("bit_wait_io") X("bit_wait_timeout")			\
	X("__wait_on_bit") X("__wait_on_bit_lock") X("out_of_line_wait_on_bit") \
	X("out_of_line_wait_on_bit_lock") X("folio_wait_bit") X("folio_wait_bit_common")

/* offcpu.csv's site column also holds these two, never a kernel function:
 * sleep inside a reclaim stall (counted as that stall, not as a site), and
 * time asleep (schedstat) that no switch-out seen explains. */
#define SB_SITE_IN_STALL	"(in reclaim stall)"
#define SB_SITE_UNSEEN		"(unattributed)"

#endif
