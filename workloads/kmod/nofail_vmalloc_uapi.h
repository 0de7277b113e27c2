/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The one interface between the nofail_vmalloc module and user space
 * (stallbench's vmalloc-nofail workload and tests/vm/nofail_client.c).
 * Every struct starts with its own size and the ABI version the caller was
 * built against; the module rejects any size, ABI, flag or reserved field
 * it does not know with -EINVAL, so an old module never misreads a newer
 * caller. Only fixed-width fields at natural alignment: the layout is the
 * same for 32- and 64-bit callers (the module itself builds for 64-bit
 * kernels only).
 *
 * ABI 3: the budget counts what an area costs (page, PMD and kmalloc
 * rounding, its page array and page tables), not the bytes asked for: cost
 * fields in ALLOC, FREE and the record; a global cap on kept areas (ENFILE);
 * flags an entry's kernel-doc calls unsupported are refused (EOPNOTSUPP,
 * INFO.flags_supported); log_overwritten became log_evicted.
 */
#ifndef _UAPI_NOFAIL_VMALLOC_H
#define _UAPI_NOFAIL_VMALLOC_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define NFVM_ABI		3
#define NFVM_DEVICE		"/dev/nofail_vmalloc"
#define NFVM_NO_NODE		0xffffffffU	/* NUMA_NO_NODE */
#define NFVM_UNKNOWN		0xffffffffU	/* node/value not known */

/* nofail_vmalloc_alloc.flags: gfp modifiers on top of GFP_KERNEL ... */
#define NFVM_F_NOFAIL		(1U << 0)	/* __GFP_NOFAIL */
#define NFVM_F_ACCOUNT		(1U << 1)	/* __GFP_ACCOUNT: charge the caller's memcg */
#define NFVM_F_NOWARN		(1U << 2)	/* __GFP_NOWARN */
#define NFVM_F_RETRY_MAYFAIL	(1U << 3)	/* __GFP_RETRY_MAYFAIL */
#define NFVM_F_NORETRY		(1U << 4)	/* __GFP_NORETRY */
/* ... and what the module does with the area. */
#define NFVM_F_KEEP		(1U << 16)	/* keep it; returns a handle for FREE */
#define NFVM_F_ALL		(NFVM_F_NOFAIL | NFVM_F_ACCOUNT | NFVM_F_NOWARN | \
				 NFVM_F_RETRY_MAYFAIL | NFVM_F_NORETRY | NFVM_F_KEEP)

/* nofail_vmalloc_alloc.scope: a scoped allocation context around the call. */
#define NFVM_SCOPE_NONE		0
#define NFVM_SCOPE_NOFS		1	/* memalloc_nofs_save() */
#define NFVM_SCOPE_NOIO		2	/* memalloc_noio_save() */

/* nofail_vmalloc_alloc.entry: which exported allocator is called. */
#define NFVM_ENTRY_KVMALLOC_NODE 0	/* kvmalloc_node(size, gfp, node) */
/* __vmalloc(size, gfp): takes no node, so node must be NFVM_NO_NODE */
#define NFVM_ENTRY_VMALLOC	1

/* nofail_vmalloc_alloc.out and nofail_vmalloc_record.out */
#define NFVM_OUT_NULL		(1U << 0)	/* the allocator returned NULL */
#define NFVM_OUT_VMALLOC	(1U << 1)	/* the area is vmalloc memory (else kmalloc) */
#define NFVM_OUT_HUGE		(1U << 2)	/* mapped with huge (PMD) pages */
#define NFVM_OUT_HUGE_UNKNOWN	(1U << 3)	/* could not tell whether huge pages were used */
#define NFVM_OUT_FATAL_SIGNAL	(1U << 4)	/* fatal signal pending when the call returned */
#define NFVM_OUT_KEPT		(1U << 5)	/* kept: handle is valid */
#define NFVM_OUT_HOLD_CUT	(1U << 6)	/* hold ended early by a fatal signal */
/*
 * NULL under NOFAIL for a request above the RAM the kernel had when the call
 * returned (a balloon or a hot-remove since the request passed the guard):
 * vmalloc refuses sizes above total RAM, so this is no broken NOFAIL.
 */
#define NFVM_OUT_ABOVE_RAM	(1U << 7)
/* The copy-out failed after the work (EFAULT): whatever was kept was freed. */
#define NFVM_OUT_UNKEPT		(1U << 8)

/*
 * ALLOC: allocate, time the call with ktime_get_ns() (CLOCK_MONOTONIC), then
 * free after hold_ns or keep (NFVM_F_KEEP). Areas kept through a file are
 * freed when it is closed. When the allocator returns NULL the ioctl fails
 * with ENOMEM and the struct is still filled in; every out field is set by
 * the module (none keeps what the caller passed). Refusals, before any
 * allocation (nothing is logged, the struct is not written back):
 *   EPERM       no CAP_SYS_ADMIN in the opener's or the caller's credentials;
 *               or NOFAIL without ACCOUNT (charged to no cgroup) unless the
 *               module parameter force is set
 *   EBADF       ALLOC/FREE on a file not opened for writing
 *   EINVAL      malformed: size, abi, reserved, unknown flag/scope/entry,
 *               contradicting flags, offline node, KEEP with hold_ns
 *   EOPNOTSUPP  a flag the entry's kernel-doc calls unsupported on the
 *               running kernel (INFO.flags_supported): NORETRY with
 *               kvmalloc_node; NORETRY and RETRY_MAYFAIL with __vmalloc
 *   ERANGE      hold_ns above the module parameter max_hold_ns
 *   E2BIG       bytes above max_bytes (unless force), above INT_MAX with
 *               kvmalloc_node, or above hard_max_bytes or the RAM the kernel
 *               has at the call (total RAM) even with force
 *   EDQUOT      the global budget: the cost of everything in flight or kept,
 *               all files, would exceed max_total_bytes (force does not lift
 *               it); the request fits again once areas are freed
 *   ENOSPC      KEEP with max_areas areas already kept through this file
 *   ENFILE      KEEP with max_kept_areas areas already kept, all files
 * After the work: EFAULT when the struct cannot be written back; an area
 * the call kept is then freed (its log record: err EFAULT, NFVM_OUT_UNKEPT);
 * a call that kept nothing keeps its record as the allocation ended.
 *
 * cost is what the area may pin, reserved against max_total_bytes before
 * the call (the worst case of the entry: kmalloc's power of two, the 2 MiB
 * rounding of a huge vmap) and settled to the path taken once it returned:
 * the pages, the page array, the page tables and the slab objects behind
 * it, an upper bound. A kept area holds its cost until it is freed.
 */
struct nofail_vmalloc_alloc {
	__u32 size;		/* in: sizeof(struct nofail_vmalloc_alloc) */
	__u32 abi;		/* in: NFVM_ABI */
	__u64 bytes;		/* in: request size, > 0 */
	__u32 node;		/* in: NUMA node or NFVM_NO_NODE */
	__u32 flags;		/* in: NFVM_F_* */
	__u32 scope;		/* in: NFVM_SCOPE_* */
	__u32 entry;		/* in: NFVM_ENTRY_* */
	__u64 hold_ns;		/* in: keep the area this long before freeing it */
	__u64 reserved;		/* in: must be 0 */

	__u64 handle;		/* out: with NFVM_F_KEEP, for FREE */
	__u64 latency_ns;	/* out: t_end_ns - t_start_ns */
	__u64 t_start_ns;	/* out: CLOCK_MONOTONIC */
	__u64 t_end_ns;		/* out: CLOCK_MONOTONIC */
	__u64 nr_pages;		/* out: base pages in the area */
	__u64 seq;		/* out: sequence number of its record in the log */
	__u32 out;		/* out: NFVM_OUT_* */
	__u32 landed_node;	/* out: majority node of the sampled pages, or NFVM_UNKNOWN */
	__u32 sampled;		/* out: pages sampled */
	__u32 on_landed;	/* out: of which on landed_node */
	__u64 cost;		/* out: bytes charged to the budget (0 on NULL) */
};

/* FREE: free an area kept through this file (its bytes return to the budget). */
struct nofail_vmalloc_free {
	__u32 size;		/* in: sizeof(struct nofail_vmalloc_free) */
	__u32 abi;		/* in: NFVM_ABI */
	__u64 handle;		/* in */
	__u64 bytes;		/* out: size of the freed area */
	__u64 cost;		/* out: its cost, returned to the budget */
};

/* INFO: what the module is and holds. */
struct nofail_vmalloc_info {
	__u32 size;		/* in: sizeof(struct nofail_vmalloc_info) */
	__u32 abi;		/* in: NFVM_ABI; out: the module's ABI */
	__u64 max_bytes;	/* largest request without force */
	__u32 force;		/* 1: larger requests allowed */
	__u32 record_size;	/* sizeof(struct nofail_vmalloc_record) */
	__u32 log_records;	/* capacity of the call log */
	__u32 flags_known;	/* NFVM_F_* this module accepts */
	__u64 log_next_seq;	/* records ever written (next sequence number) */
	__u64 log_held;		/* records in the log now */
	/*
	 * Records evicted from the ring since load, read or not: not a count
	 * of lost records (a reader counts those from the gaps in seq).
	 */
	__u64 log_evicted;
	__u64 kept_areas;	/* areas kept, all files */
	__u64 kept_bytes;	/* bytes kept, all files */
	__u8 release[72];	/* UTS_RELEASE the module was built for, NUL-terminated */
	__u64 max_total_bytes;	/* the global budget of cost (module parameter) */
	__u64 budget_used;	/* cost in flight or kept now, all files */
	__u64 hard_max_bytes;	/* largest request even with force */
	__u64 max_hold_ns;	/* longest hold_ns */
	__u32 max_areas;	/* most areas kept through one file */
	__u32 max_kept_areas;	/* most areas kept, all files */
	/* per NFVM_ENTRY_*: the NFVM_F_* its kernel-doc supports here */
	__u32 flags_supported[2];
	__u64 ram_bytes;	/* total RAM now (totalram_pages) */
};

/*
 * One completed ALLOC call, as read() on the device returns them: only whole
 * records, oldest first from the file position, which counts records (byte
 * offset = seq * sizeof(record)); lseek(fd, 0, SEEK_END) skips to the next
 * record to be written. read() returns 0 when there is nothing new. Records
 * overwritten before they were read are skipped: the reader sees the gap in
 * seq and counts it as lost.
 * Each field equals the ALLOC output of the same call, except that out never
 * has NFVM_OUT_HOLD_CUT (the record is written before the hold).
 */
struct nofail_vmalloc_record {
	__u32 size;		/* sizeof(struct nofail_vmalloc_record) */
	__u32 abi;		/* NFVM_ABI */
	__u64 seq;
	__u64 t_start_ns;	/* CLOCK_MONOTONIC */
	__u64 t_end_ns;
	__u64 bytes;
	__u64 nr_pages;
	__u32 pid;		/* tgid of the caller (init pid namespace) */
	__u32 tid;
	__u32 flags;		/* NFVM_F_* requested */
	__u32 scope;
	__u32 entry;
	__u32 node;		/* requested node or NFVM_NO_NODE */
	__u32 err;		/* 0 or positive errno the ioctl returned */
	__u32 out;		/* NFVM_OUT_* */
	__u32 landed_node;
	__u32 sampled;
	__u32 on_landed;
	__u32 reserved;		/* 0 */
	__u64 handle;		/* with NFVM_OUT_KEPT */
	__u64 cost;		/* as in the ALLOC output */
};

#define NFVM_IOC_MAGIC		0xB7
#define NFVM_IOC_ALLOC		_IOWR(NFVM_IOC_MAGIC, 1, struct nofail_vmalloc_alloc)
#define NFVM_IOC_FREE		_IOWR(NFVM_IOC_MAGIC, 2, struct nofail_vmalloc_free)
#define NFVM_IOC_INFO		_IOWR(NFVM_IOC_MAGIC, 3, struct nofail_vmalloc_info)

#endif /* _UAPI_NOFAIL_VMALLOC_H */
