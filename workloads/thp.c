/*
 * thp: high-order demand. Each op faults one huge-page-sized, aligned chunk of
 * anonymous memory advised MADV_HUGEPAGE and says whether a transparent huge
 * page backs it (the HUGE flag; a fault without it fell back to small pages).
 * Workers keep a live set of chunks and replace the oldest, so faults go on
 * for the whole run. --fragment first fills memory with small pages and frees
 * every other one: free memory is then holes of one page, and every huge page
 * has to come from compaction (thp_defrag decides whether the fault waits for
 * it: "madvise", Debian's default, does for MADV_HUGEPAGE).
 */
#include "workload.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <jansson.h>

enum { OP_FAULT, OP_FRAGMENT };
static const char *const thp_ops[] = { "fault", "fragment", NULL };
static const uint8_t thp_traits[] = { OPT_HUGE };

struct thp {
	uint64_t size;		/* live set, all workers */
	uint64_t fragment;	/* memory to fragment first, all workers */
	/* derived */
	uint64_t hpage;		/* huge page size */
};

#define O(f) offsetof(struct thp, f)
static const struct wl_opt thp_opts[] = {
	{ "thp-size", WOPT_SIZE, O(size), "0", "live set of huge-page chunks, all workers "
	  "(default: half the cap, 64M without one)", "size" },
	{ "fragment", WOPT_SIZE, O(fragment), "0", "first fill this much with small pages and "
	  "free every other one (0: none)", NULL },
	{ NULL },
};
#undef O

#define KPF_THP 22

static uint64_t huge_page_size(void)
{
	char buf[64] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "re");
	uint64_t v = 0;

	if (f) {
		if (fgets(buf, sizeof(buf), f))
			v = strtoull(buf, NULL, 10);
		fclose(f);
	}
	return v ? v : 2ull << 20;
}

static int thp_check(void *priv, const struct run_env *env, char *err, size_t len)
{
	struct thp *t = priv;

	t->hpage = 2ull << 20;	/* the real size is read at setup */
	if (!t->size)
		t->size = env->cap ? env->cap / 2 : 64ull << 20;
	if (t->size < t->hpage) {
		snprintf(err, len, "--thp-size: at least one huge page (2M)");
		return -EINVAL;
	}
	if (env->cap && t->size + t->fragment / 2 > env->cap + env->cap / 2) {
		snprintf(err, len, "--thp-size plus half of --fragment is far above the cap: "
			 "the workers would only be OOM-killed");
		return -EINVAL;
	}
	return 0;
}

static int thp_supported(const void *priv, const struct run_env *env, char *why, size_t len)
{
	(void)priv;
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK)) {
		snprintf(why, len, "this kernel has no transparent huge pages");
		return -ENODEV;
	}
	if (!env->is_root || access("/proc/kpageflags", R_OK)) {
		snprintf(why, len, "telling a huge page from a fallback needs /proc/kpageflags (root)");
		return -EACCES;
	}
	return 0;
}

static int thp_setup(void *priv, const struct run_env *env, char *err, size_t len)
{
	struct thp *t = priv;

	(void)env; (void)err; (void)len;
	t->hpage = huge_page_size();
	return 0;
}

static void thp_describe(const void *priv, json_t *o)
{
	const struct thp *t = priv;

	json_object_set_new(o, "huge_page_bytes", json_integer((json_int_t)t->hpage));
	json_object_set_new(o, "live_bytes", json_integer((json_int_t)t->size));
}

/* Whether the page at addr is part of a transparent huge page: its PFN from
 * pagemap, its flags from kpageflags. 1 yes, 0 no, -1 unknown. */
static int is_thp(int pagemap, int kflags, const void *addr)
{
	uint64_t ent, fl;
	long pg = sysconf(_SC_PAGESIZE);

	if (pread(pagemap, &ent, sizeof(ent), (off_t)((uintptr_t)addr / (uint64_t)pg * 8)) != 8)
		return -1;
	if (!(ent >> 63) || !(ent & ((1ull << 55) - 1)))
		return -1;	/* not present, or no PFN (not root) */
	if (pread(kflags, &fl, sizeof(fl), (off_t)((ent & ((1ull << 55) - 1)) * 8)) != 8)
		return -1;
	return (int)((fl >> KPF_THP) & 1);
}

/* A chunk of one huge page, aligned to it: over-map and trim. */
static char *map_aligned(uint64_t hp)
{
	char *p = mmap(NULL, 2 * hp, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + hp - 1) & ~(uintptr_t)(hp - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + hp, (uintptr_t)p + hp - a);	/* the tail: p + 2hp - (a + hp) */
	return (char *)a;
}

static int thp_run(struct wl_ctx *c)
{
	struct thp *t = c->priv;
	unsigned int nw = c->nr_workers ? c->nr_workers : 1;
	uint64_t hp = t->hpage, nlive = t->size / nw / hp, head = 0;
	long pg = sysconf(_SC_PAGESIZE);
	char **live = calloc(nlive ? nlive : 1, sizeof(*live));
	int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int kflags = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);

	if (!live || pagemap < 0 || kflags < 0)
		return 1;
	if (!nlive)
		nlive = 1;
	if (t->fragment) {
		/* small pages everywhere, then every other one freed: holes */
		uint64_t fb = t->fragment / nw;
		uint64_t ts = op_begin(c, OP_FRAGMENT, fb);
		char *f = mmap(NULL, fb, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
			       MAP_NORESERVE, -1, 0);
		int err = 0;

		if (f == MAP_FAILED) {
			err = errno;
		} else {
			/* small pages, filled by the kernel in one go (no fault per page) */
			madvise(f, fb, MADV_NOHUGEPAGE);
			if (madvise(f, fb, MADV_POPULATE_WRITE))
				for (uint64_t o = 0; o < fb && !*c->stop; o += (uint64_t)pg)
					f[o] = 1;
			for (uint64_t o = 0; o < fb && !*c->stop; o += 2 * (uint64_t)pg)
				madvise(f + o, (size_t)pg, MADV_DONTNEED);
		}
		op_end(c, ts, err, 0);
	}
	while (!wl_should_stop(c)) {
		uint64_t slot = head++ % nlive, ts;
		int err = 0, huge;
		uint16_t fl = 0;

		if (live[slot]) {
			munmap(live[slot], hp);
			live[slot] = NULL;
		}
		ts = op_begin(c, OP_FAULT, hp);
		live[slot] = map_aligned(hp);
		if (!live[slot]) {
			err = errno;
		} else {
			madvise(live[slot], hp, MADV_HUGEPAGE);
			live[slot][0] = 1;	/* the fault: a huge page or a small one */
			for (uint64_t o = (uint64_t)pg; o < hp; o += (uint64_t)pg)
				live[slot][o] = 1;
			huge = is_thp(pagemap, kflags, live[slot]);
			if (huge > 0)
				fl |= OPF_HUGE;
		}
		op_end(c, ts, err, fl);
	}
	close(pagemap);
	close(kflags);
	return 0;
}

const struct workload wl_thp = {
	.name = "thp",
	.help = "high-order demand: fault MADV_HUGEPAGE chunks (optionally into fragmented memory); "
		"the huge flag counts THPs, the rest fell back",
	.opts = thp_opts,
	.priv_size = sizeof(struct thp),
	.op_names = thp_ops,
	.op_traits = thp_traits,
	.nr_op_traits = 1,
	.check = thp_check,
	.supported = thp_supported,
	.setup = thp_setup,
	.run = thp_run,
	.describe = thp_describe,
};
