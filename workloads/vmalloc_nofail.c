/*
 * vmalloc-nofail: workers in the capped cgroup ask the nofail_vmalloc module
 * (workloads/kmod) for large vmalloc allocations with a chosen gfp set, node,
 * scope and entry point; each call is one row with the user-space latency
 * and the module's own ktime measurement.
 *
 * A worker past the cap is usually OOM-killed while its NOFAIL call goes on
 * and completes; it dies on the way back and can never record that call.
 * The module logs every completed call, and collect() (driver side, its own
 * file descriptor) turns the log records no live worker recorded into rows
 * marked OPF_KILLED. To know which calls a worker did record, workers
 * publish their progress in a small table shared with the driver (mapped in
 * setup(), so charged outside the cap) instead of op_begin(): the runner's
 * "in flight when it died" row would otherwise duplicate the module's.
 */
#include "workload.h"
#include "nofail_vmalloc_uapi.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <jansson.h>

enum { OP_ALLOC };

static const char *const vn_ops[] = { "alloc", NULL };
static const uint8_t vn_traits[] = { OPT_NOFAIL };

#define VN_SLOTS 1024

/* One worker's progress, shared with the driver. */
struct vn_slot {
	_Atomic uint32_t tid;		/* 0: slot unused */
	_Atomic uint32_t inflight;	/* 1 while inside the ioctl */
	_Atomic uint64_t done_seq1;	/* module seq + 1 of the last call it recorded */
	uint64_t t_start_ns;		/* of the call in flight */
	uint16_t worker;
	int16_t node;
	uint8_t wl;
	char pad[35];
};

struct vn_shared {
	_Atomic uint32_t nr_slots;	/* highest slot used + 1 */
	char pad[60];
	struct vn_slot slot[VN_SLOTS];
};

struct vn {
	/* options */
	uint64_t size;
	uint64_t count;
	char flags_s[WL_STR_MAX];
	char scope_s[WL_STR_MAX];
	uint64_t hold_ns;
	char entry_s[WL_STR_MAX];
	/* parsed */
	uint32_t flags, scope, entry;
	/* driver side */
	struct vn_shared *sh;
	int log_fd;
	bool log_open;		/* log_fd is ours to close */
	struct nofail_vmalloc_info info;
	uint64_t next_seq;	/* the log record the reader expects next */
	uint64_t log_lost;	/* records skipped by the reader: gaps in seq */
	struct nofail_vmalloc_record *pend;	/* records of calls not yet acknowledged */
	size_t npend, cpend;
	uint64_t killed_rows;
};

#define O(f) offsetof(struct vn, f)
static const struct wl_opt vn_opts[] = {
	{ "alloc-size", WOPT_SIZE, O(size), "64M", "bytes per allocation", "size" },
	{ "alloc-count", WOPT_UINT, O(count), "0", "allocations per worker (0: until the run ends)", "count" },
	{ "alloc-flags", WOPT_STR, O(flags_s), "nofail,account",
	  "gfp set: nofail, account, nowarn, retry_mayfail, noretry (comma-separated)", "flags" },
	{ "alloc-scope", WOPT_STR, O(scope_s), "none", "allocation scope: none, nofs, noio", "scope" },
	{ "alloc-hold", WOPT_DURATION, O(hold_ns), "0", "keep each area this long before freeing it", "hold" },
	{ "alloc-entry", WOPT_STR, O(entry_s), "kvmalloc",
	  "allocator: kvmalloc (kvmalloc_node, takes the node) or vmalloc (__vmalloc, no node)", "entry" },
	{ NULL },
};
#undef O

static const struct { const char *name; uint32_t flag; } vn_flag_names[] = {
	{ "nofail", NFVM_F_NOFAIL },
	{ "account", NFVM_F_ACCOUNT },
	{ "nowarn", NFVM_F_NOWARN },
	{ "retry_mayfail", NFVM_F_RETRY_MAYFAIL },
	{ "noretry", NFVM_F_NORETRY },
};

static int vn_check(void *priv, const struct run_env *env, char *err, size_t len)
{
	struct vn *v = priv;
	char buf[WL_STR_MAX], *tok, *save;
	size_t i;

	(void)env;
	v->flags = 0;
	snprintf(buf, sizeof(buf), "%s", v->flags_s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(vn_flag_names) / sizeof(vn_flag_names[0]); i++)
			if (!strcmp(tok, vn_flag_names[i].name))
				break;
		if (i == sizeof(vn_flag_names) / sizeof(vn_flag_names[0])) {
			snprintf(err, len, "--alloc-flags: unknown flag '%s' "
				 "(nofail, account, nowarn, retry_mayfail, noretry)", tok);
			return -EINVAL;
		}
		v->flags |= vn_flag_names[i].flag;
	}
	if ((v->flags & NFVM_F_NOFAIL) && (v->flags & (NFVM_F_RETRY_MAYFAIL | NFVM_F_NORETRY))) {
		snprintf(err, len, "--alloc-flags %s: nofail contradicts retry_mayfail/noretry",
			 v->flags_s);
		return -EINVAL;
	}
	if ((v->flags & NFVM_F_RETRY_MAYFAIL) && (v->flags & NFVM_F_NORETRY)) {
		snprintf(err, len, "--alloc-flags %s: retry_mayfail contradicts noretry", v->flags_s);
		return -EINVAL;
	}
	if (!strcmp(v->scope_s, "none")) {
		v->scope = NFVM_SCOPE_NONE;
	} else if (!strcmp(v->scope_s, "nofs")) {
		v->scope = NFVM_SCOPE_NOFS;
	} else if (!strcmp(v->scope_s, "noio")) {
		v->scope = NFVM_SCOPE_NOIO;
	} else {
		snprintf(err, len, "--alloc-scope %s: not a scope (none, nofs, noio)", v->scope_s);
		return -EINVAL;
	}
	if (!strcmp(v->entry_s, "kvmalloc") || !strcmp(v->entry_s, "kvmalloc_node")) {
		v->entry = NFVM_ENTRY_KVMALLOC_NODE;
	} else if (!strcmp(v->entry_s, "vmalloc") || !strcmp(v->entry_s, "__vmalloc")) {
		v->entry = NFVM_ENTRY_VMALLOC;
	} else {
		snprintf(err, len, "--alloc-entry %s: not an entry point (kvmalloc, vmalloc)",
			 v->entry_s);
		return -EINVAL;
	}
	if (!v->size) {
		snprintf(err, len, "--alloc-size: must be above 0");
		return -EINVAL;
	}
	/* kvmalloc_node() documents __GFP_NORETRY as unsupported; the module refuses it. */
	if (v->entry == NFVM_ENTRY_KVMALLOC_NODE && (v->flags & NFVM_F_NORETRY)) {
		snprintf(err, len, "--alloc-flags %s: noretry is unsupported by kvmalloc_node "
			 "(use --alloc-entry vmalloc)", v->flags_s);
		return -EINVAL;
	}
	return 0;
}

/* INFO on fd into *i. 0 or -errno. */
static int vn_info(int fd, struct nofail_vmalloc_info *i)
{
	memset(i, 0, sizeof(*i));
	i->size = sizeof(*i);
	i->abi = NFVM_ABI;
	return ioctl(fd, NFVM_IOC_INFO, i) ? -errno : 0;
}

static int vn_supported(const void *priv, const struct run_env *env, char *why, size_t len)
{
	const struct vn *v = priv;
	struct nofail_vmalloc_info i;
	int fd, ret;

	if (access("/sys/module/nofail_vmalloc", F_OK)) {
		snprintf(why, len, "module nofail_vmalloc is not loaded "
			 "(build: make -C workloads/kmod; load: insmod nofail_vmalloc.ko)");
		return -ENOENT;
	}
	if (access(NFVM_DEVICE, F_OK)) {
		snprintf(why, len, "module loaded but %s does not exist (no devtmpfs/udev?)",
			 NFVM_DEVICE);
		return -ENOENT;
	}
	if (!env->is_root) {
		snprintf(why, len, "%s needs root (CAP_SYS_ADMIN)", NFVM_DEVICE);
		return -EPERM;
	}
	fd = open(NFVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(why, len, "%s: %s", NFVM_DEVICE, strerror(errno));
		return ret;
	}
	ret = vn_info(fd, &i);
	close(fd);
	if (ret) {
		snprintf(why, len, "%s: INFO failed: %s (module too old or too new?)",
			 NFVM_DEVICE, strerror(-ret));
		return ret;
	}
	if (i.abi != NFVM_ABI || i.size != sizeof(i)) {
		snprintf(why, len, "module ABI %u (%u-byte INFO), stallbench speaks ABI %u: "
			 "rebuild the module from this tree", i.abi, i.size, NFVM_ABI);
		return -EPROTO;
	}
	if (v->flags & ~i.flags_supported[v->entry]) {
		snprintf(why, len, "--alloc-flags %s: unsupported by this kernel's API (%s's "
			 "kernel-doc on %s supports %s of the reclaim modifiers); the module "
			 "refuses it", v->flags_s,
			 v->entry == NFVM_ENTRY_VMALLOC ? "__vmalloc" : "kvmalloc_node",
			 (const char *)i.release,
			 v->entry == NFVM_ENTRY_VMALLOC ? "only nofail" : "all but noretry");
		return -EOPNOTSUPP;
	}
	if (v->size > i.hard_max_bytes) {
		snprintf(why, len, "--alloc-size %llu above the module's hard_max_bytes %llu "
			 "(total RAM): refused even with force", (unsigned long long)v->size,
			 (unsigned long long)i.hard_max_bytes);
		return -E2BIG;
	}
	if (v->size > i.max_bytes && !i.force) {
		snprintf(why, len, "--alloc-size %llu above the module's max_bytes %llu "
			 "(echo 1 > /sys/module/nofail_vmalloc/parameters/force)",
			 (unsigned long long)v->size, (unsigned long long)i.max_bytes);
		return -E2BIG;
	}
	if (v->size > i.max_total_bytes) {
		snprintf(why, len, "--alloc-size %llu above the module's budget max_total_bytes "
			 "%llu (force does not lift it: raise "
			 "/sys/module/nofail_vmalloc/parameters/max_total_bytes)",
			 (unsigned long long)v->size, (unsigned long long)i.max_total_bytes);
		return -EDQUOT;
	}
	if ((v->flags & NFVM_F_NOFAIL) && !(v->flags & NFVM_F_ACCOUNT) && !i.force) {
		snprintf(why, len, "--alloc-flags %s: NOFAIL without account is charged to no "
			 "cgroup; the module refuses it unless force=1", v->flags_s);
		return -EPERM;
	}
	if (v->hold_ns > i.max_hold_ns) {
		snprintf(why, len, "--alloc-hold above the module's max_hold_ns %llu",
			 (unsigned long long)i.max_hold_ns);
		return -ERANGE;
	}
	if (env->node >= 0 && v->entry == NFVM_ENTRY_VMALLOC) {
		snprintf(why, len, "--node %d: __vmalloc takes no node (use --alloc-entry kvmalloc)",
			 env->node);
		return -EINVAL;
	}
	return 0;
}

static int vn_setup(void *priv, const struct run_env *env, char *err, size_t len)
{
	struct vn *v = priv;
	off_t end;
	int ret;

	(void)env;
	v->sh = mmap(NULL, sizeof(*v->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (v->sh == MAP_FAILED) {
		v->sh = NULL;
		snprintf(err, len, "vmalloc-nofail: shared table: %s", strerror(errno));
		return -ENOMEM;
	}
	/* Touched here, so it is charged to the driver, not to the cap. */
	memset(v->sh, 0, sizeof(*v->sh));
	v->log_fd = open(NFVM_DEVICE, O_RDONLY | O_CLOEXEC);
	if (v->log_fd < 0) {
		ret = -errno;
		snprintf(err, len, "%s: %s", NFVM_DEVICE, strerror(errno));
		return ret;
	}
	v->log_open = true;
	ret = vn_info(v->log_fd, &v->info);
	if (ret) {
		snprintf(err, len, "%s: INFO: %s", NFVM_DEVICE, strerror(-ret));
		return ret;
	}
	/* Only this run's calls: skip what earlier runs left in the log. */
	end = lseek(v->log_fd, 0, SEEK_END);
	if (end < 0) {
		ret = -errno;
		snprintf(err, len, "%s: lseek: %s", NFVM_DEVICE, strerror(errno));
		return ret;
	}
	/* Records this reader never sees are the gaps in seq from here on
	 * (the ring wrapped past it), not what the ring evicted before. */
	v->next_seq = (uint64_t)end / sizeof(struct nofail_vmalloc_record);
	v->log_lost = 0;
	return 0;
}

/* OPF_NULL is the kernel bug "NULL despite __GFP_NOFAIL"; a NULL without
 * NOFAIL is an ordinary failure and shows as ENOMEM. */
static uint16_t vn_out_flags(uint32_t out, uint32_t req_flags)
{
	uint16_t f = OPF_MODULE;

	/* Not above the RAM the kernel had left at the call: vmalloc refuses those. */
	if ((out & NFVM_OUT_NULL) && (req_flags & NFVM_F_NOFAIL) && !(out & NFVM_OUT_ABOVE_RAM))
		f |= OPF_NULL;
	if (out & NFVM_OUT_HUGE)
		f |= OPF_HUGE;
	if (out & NFVM_OUT_FATAL_SIGNAL)
		f |= OPF_SIGPENDING;
	return f;
}

static int vn_run(struct wl_ctx *c)
{
	struct vn *v = c->priv;
	struct vn_slot *s = NULL;
	uint32_t tid = (uint32_t)syscall(SYS_gettid);
	uint64_t n = 0;
	int fd;

	fd = open(NFVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vmalloc-nofail: worker %u: %s: %s\n", c->worker, NFVM_DEVICE,
			strerror(errno));
		return 1;
	}
	if (v->sh && c->worker < VN_SLOTS) {
		uint32_t want = c->worker + 1, cur;

		s = &v->sh->slot[c->worker];
		s->worker = (uint16_t)c->worker;
		s->node = (int16_t)wl_cpu_node();
		s->wl = c->wl;
		atomic_store_explicit(&s->tid, tid, memory_order_release);
		cur = atomic_load(&v->sh->nr_slots);
		while (cur < want && !atomic_compare_exchange_weak(&v->sh->nr_slots, &cur, want))
			;
	}
	while (!wl_should_stop(c) && (!v->count || n < v->count)) {
		struct nofail_vmalloc_alloc a;
		struct oprec r;
		uint64_t t0, t1, cpu0 = 0, runq0 = 0, cpu1 = 0, runq1 = 0, nf0 = 0, nf1 = 0;
		bool sched, counted;
		int ret, err;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.abi = NFVM_ABI;
		a.bytes = v->size;
		a.flags = v->flags;
		a.scope = v->scope;
		a.entry = v->entry;
		a.hold_ns = v->hold_ns;
		a.node = c->node >= 0 && v->entry == NFVM_ENTRY_KVMALLOC_NODE ?
			 (uint32_t)c->node : NFVM_NO_NODE;
		if (s) {
			s->t_start_ns = now_ns();
			atomic_store_explicit(&s->inflight, 1, memory_order_release);
		}
		sched = wl_sched_begin(&cpu0, &runq0);
		counted = wl_nofail_now(c, &nf0);
		t0 = now_ns();
		ret = ioctl(fd, NFVM_IOC_ALLOC, &a);
		err = ret ? errno : 0;
		t1 = now_ns();
		counted = counted && wl_nofail_now(c, &nf1);
		sched = sched && wl_sched_end(&cpu1, &runq1);

		memset(&r, 0, sizeof(r));
		r.t_start_ns = t0;
		r.latency_ns = t1 - t0;
		r.bytes = v->size;
		r.tid = tid;
		r.err = err;
		r.worker = (uint16_t)c->worker;
		r.node = (int16_t)wl_cpu_node();
		r.wl = c->wl;
		r.op = OP_ALLOC;
		r.landed_node = -1;
		r.have_nofail = counted;
		r.nofail = counted ? nf1 - nf0 : 0;
		if (sched) {
			r.have_sched = 1;
			wl_sched_split(t1 - t0, cpu0, runq0, cpu1, runq1, &r.cpu_ns, &r.runq_ns);
		}
		/* The module filled the struct in when it made the call (also on ENOMEM). */
		if (!ret || err == ENOMEM) {
			r.kernel_ns = a.latency_ns;
			r.flags = vn_out_flags(a.out, a.flags);
			if (a.landed_node != NFVM_UNKNOWN)
				r.landed_node = (int32_t)a.landed_node;
		}
		op_record(c, &r);
		if (s) {
			if (!ret || err == ENOMEM)
				atomic_store_explicit(&s->done_seq1, a.seq + 1, memory_order_release);
			atomic_store_explicit(&s->inflight, 0, memory_order_release);
		}
		n++;
		if (ret && err != ENOMEM) {
			/* EINVAL/E2BIG/EPERM will not change, EDQUOT (the module's budget,
			 * shared by all workers) not soon: one row says it. */
			fprintf(stderr, "vmalloc-nofail: worker %u: ALLOC: %s\n", c->worker,
				strerror(err));
			break;
		}
	}
	close(fd);
	return 0;
}

/* Whether task tid is gone or a zombie (killed, not yet reaped). */
static bool vn_task_dead(uint32_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

static struct vn_slot *vn_slot_of(struct vn *v, uint32_t tid)
{
	uint32_t n = atomic_load_explicit(&v->sh->nr_slots, memory_order_acquire);

	for (uint32_t i = 0; i < n && i < VN_SLOTS; i++)
		if (atomic_load_explicit(&v->sh->slot[i].tid, memory_order_acquire) == tid)
			return &v->sh->slot[i];
	return NULL;
}

static void vn_push_killed(struct vn *v, struct vn_slot *s,
			   const struct nofail_vmalloc_record *k, struct opsink *sink)
{
	struct oprec r;

	memset(&r, 0, sizeof(r));
	r.t_start_ns = k->t_start_ns;
	/* The caller never saw the return: the module's time is the only one. */
	r.latency_ns = k->t_end_ns - k->t_start_ns;
	r.kernel_ns = r.latency_ns;
	r.bytes = k->bytes;
	r.tid = k->tid;
	r.err = (int32_t)k->err;
	r.worker = s->worker;
	r.node = s->node;
	r.wl = s->wl;
	r.op = OP_ALLOC;
	r.flags = vn_out_flags(k->out, k->flags) | OPF_KILLED;
	r.landed_node = k->landed_node == NFVM_UNKNOWN ? -1 : (int32_t)k->landed_node;
	sink->push(sink, &r);
	v->killed_rows++;
	/* The worker died inside this call: it is no longer "in flight". */
	if (k->t_start_ns >= s->t_start_ns)
		atomic_store_explicit(&s->inflight, 0, memory_order_release);
}

/* Decides one record: 1 done with it, 0 keep it for later. */
static int vn_decide(struct vn *v, const struct nofail_vmalloc_record *k,
		     struct opsink *sink, bool final)
{
	struct vn_slot *s = vn_slot_of(v, k->tid);

	if (!s)
		return 1;	/* not one of this run's workers */
	if (atomic_load_explicit(&s->done_seq1, memory_order_acquire) > k->seq)
		return 1;	/* the worker recorded it itself */
	if (!final && !vn_task_dead(k->tid))
		return 0;	/* alive: it is about to record it */
	vn_push_killed(v, s, k, sink);
	return 1;
}

static int vn_collect(void *priv, const struct run_env *env, struct opsink *sink, bool final)
{
	struct vn *v = priv;
	struct nofail_vmalloc_record buf[64];
	size_t i, keep = 0;
	ssize_t n;

	(void)env;
	if (!v->sh || !v->log_open)
		return 0;
	for (i = 0; i < v->npend; i++)
		if (!vn_decide(v, &v->pend[i], sink, final))
			v->pend[keep++] = v->pend[i];
	v->npend = keep;
	while ((n = read(v->log_fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < (size_t)n / sizeof(buf[0]); i++) {
			if (buf[i].size != sizeof(buf[i]))
				continue;
			/* read() skips what the ring overwrote before we got there. */
			if (buf[i].seq > v->next_seq)
				v->log_lost += buf[i].seq - v->next_seq;
			if (buf[i].seq >= v->next_seq)
				v->next_seq = buf[i].seq + 1;
			if (vn_decide(v, &buf[i], sink, final))
				continue;
			if (v->npend == v->cpend) {
				size_t nc = v->cpend ? 2 * v->cpend : 64;
				void *p = realloc(v->pend, nc * sizeof(*v->pend));

				if (!p) {
					/* Out of memory in the driver: better a row now than none. */
					struct vn_slot *s = vn_slot_of(v, buf[i].tid);

					if (s)
						vn_push_killed(v, s, &buf[i], sink);
					continue;
				}
				v->pend = p;
				v->cpend = nc;
			}
			v->pend[v->npend++] = buf[i];
		}
	}
	if (n < 0)
		return -errno;
	if (final) {
		/* Calls still inside the kernel when the run ended left no record. */
		uint32_t ns = atomic_load(&v->sh->nr_slots);

		for (i = 0; i < ns && i < VN_SLOTS; i++) {
			struct vn_slot *s = &v->sh->slot[i];
			struct oprec r;

			if (!atomic_load(&s->inflight) || !s->tid)
				continue;
			memset(&r, 0, sizeof(r));
			r.t_start_ns = s->t_start_ns;
			r.latency_ns = now_ns() - s->t_start_ns;
			r.bytes = v->size;
			r.tid = s->tid;
			r.worker = s->worker;
			r.node = s->node;
			r.wl = s->wl;
			r.op = OP_ALLOC;
			r.flags = OPF_UNFINISHED | (vn_task_dead(s->tid) ? OPF_KILLED : 0);
			r.landed_node = -1;
			sink->push(sink, &r);
			atomic_store(&s->inflight, 0);
		}
	}
	return 0;
}

static void vn_describe(const void *priv, json_t *o)
{
	const struct vn *v = priv;

	json_object_set_new(o, "module_release", json_string((const char *)v->info.release));
	json_object_set_new(o, "module_abi", json_integer(v->info.abi));
	json_object_set_new(o, "module_max_bytes", json_integer((json_int_t)v->info.max_bytes));
	json_object_set_new(o, "module_max_total_bytes",
			    json_integer((json_int_t)v->info.max_total_bytes));
	json_object_set_new(o, "module_hard_max_bytes",
			    json_integer((json_int_t)v->info.hard_max_bytes));
	json_object_set_new(o, "module_max_areas", json_integer(v->info.max_areas));
	json_object_set_new(o, "module_max_kept_areas", json_integer(v->info.max_kept_areas));
	json_object_set_new(o, "module_max_hold_ns", json_integer((json_int_t)v->info.max_hold_ns));
	json_object_set_new(o, "module_force", json_boolean(v->info.force));
	json_object_set_new(o, "module_log_records", json_integer(v->info.log_records));
	json_object_set_new(o, "flags", json_string(v->flags_s));
	json_object_set_new(o, "scope", json_string(v->scope_s));
	json_object_set_new(o, "entry", json_string(v->entry == NFVM_ENTRY_VMALLOC ?
						    "__vmalloc" : "kvmalloc_node"));
	json_object_set_new(o, "rows_from_module_log", json_integer((json_int_t)v->killed_rows));
	/* Records the ring overwrote before the driver read them are calls
	 * with no row: say how many (gaps in seq since the run began). */
	json_object_set_new(o, "module_log_lost", json_integer((json_int_t)v->log_lost));
}

static void vn_cleanup(void *priv, const struct run_env *env)
{
	struct vn *v = priv;

	(void)env;
	if (v->log_open)
		close(v->log_fd);
	v->log_open = false;
	if (v->sh)
		munmap(v->sh, sizeof(*v->sh));
	v->sh = NULL;
	free(v->pend);
	v->pend = NULL;
	v->npend = v->cpend = 0;
}

const struct workload wl_vmalloc_nofail = {
	.name = "vmalloc-nofail",
	.help = "large (__GFP_NOFAIL) vmalloc through the nofail_vmalloc module, timed in the kernel",
	.opts = vn_opts,
	.priv_size = sizeof(struct vn),
	.op_names = vn_ops,
	.op_traits = vn_traits,
	.nr_op_traits = 1,
	.check = vn_check,
	.supported = vn_supported,
	.setup = vn_setup,
	.run = vn_run,
	.collect = vn_collect,
	.describe = vn_describe,
	.cleanup = vn_cleanup,
};
