/*
 * One operation record, and the single-producer single-consumer ring that
 * carries them from a worker to the driver through shared memory. The driver
 * maps and touches the rings before forking, so their pages are charged to
 * the driver's cgroup, never to the capped one.
 */
#ifndef STALLBENCH_OPREC_H
#define STALLBENCH_OPREC_H

#include <stdint.h>
#include <stdatomic.h>

enum {
	OPF_KILLED = 1 << 0,	/* the caller was killed; row from an external record */
	OPF_NULL = 1 << 1,	/* allocation returned NULL (a bug under NOFAIL) */
	OPF_MISMATCH = 1 << 2,	/* file size after the cut differs from expected */
	OPF_UNFINISHED = 1 << 3,	/* never returned: worker died or run ended inside it */
	OPF_MODULE = 1 << 4,	/* latency measured by the module (kernel_ns) */
	OPF_HUGE = 1 << 5,	/* huge pages were used (huge vmalloc; a THP) */
	OPF_SIGPENDING = 1 << 6,	/* fatal signal pending when the call returned */
};

/* An op's traits (struct workload's op_traits; columns.h's SB_OP_TRAITS names them). */
enum {
	OPT_NOFAIL = 1 << 0,	/* its calls may not fail (__GFP_NOFAIL) */
	OPT_HUGE = 1 << 1,	/* it asks for huge pages */
};

struct oprec {
	uint64_t t_start_ns;	/* CLOCK_MONOTONIC */
	uint64_t latency_ns;	/* user-space measured */
	uint64_t bytes;		/* size the op worked on */
	uint64_t kernel_ns;	/* module-measured latency, 0 if none */
	uint32_t tid;
	int32_t err;		/* 0 or errno */
	uint16_t worker;
	int16_t node;		/* -1 none */
	uint8_t wl;		/* workload index in the run */
	uint8_t op;		/* workload-specific op code */
	uint16_t flags;		/* OPF_* */
	int32_t landed_node;	/* where pages landed (-1 unknown) */
	uint32_t have_sched;	/* cpu_ns and runq_ns below are measured */
	uint64_t cpu_ns;	/* the thread's time on a CPU during the op */
	uint64_t runq_ns;	/* its time runnable, waiting for a CPU */
	uint64_t nofail;	/* __GFP_NOFAIL allocations the thread made during the op */
	uint32_t have_nofail;	/* nofail above is counted (else: not known) */
	uint32_t pad;
};

struct opring {
	_Atomic uint64_t head;	/* written by the worker */
	char pad0[56];
	_Atomic uint64_t tail;	/* written by the driver */
	char pad1[56];
	_Atomic uint32_t inflight;	/* 1 while an op is in flight */
	struct oprec cur;	/* the op in flight */
	uint64_t waits;		/* times the worker waited on a full ring */
	uint32_t mask;		/* capacity - 1 (power of two) */
	uint32_t pid;
	struct oprec rec[];
};

/* A driver-side destination for records that did not come through a ring. */
struct opsink {
	void (*push)(struct opsink *s, const struct oprec *r);
	void *arg;
};

#endif
