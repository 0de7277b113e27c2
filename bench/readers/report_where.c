/*
 * report's explanations: where the stall time came from (the folded
 * stacks, the throttles' reasons, the reclaim rounds by source) and where
 * each op's wall time went (on a CPU, runnable, asleep, and on what).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpusite.h"
#include "parse.h"
#include "resread.h"
#include "report_impl.h"

/*
 * "Where stalls come from" (--callchain): stacks.folded folded down to what
 * a reader of a cover letter asks first, for the run's own stall time:
 * which system call, which caller asked for memory (the frame before the
 * first allocation/charge frame), through what, ending where. Up to 5
 * sources by stall time.
 */
#define SRC_MAX 512

struct src {
	char key[320];
	double ns;
};

static bool is_alloc_frame(const char *f)
{
	static const char *const pre[] = {
		"__mem_cgroup_charge", "mem_cgroup_charge", "charge_memcg", "try_charge",
		"__memcg_slab", "memcg_slab", "obj_cgroup_charge", "__alloc_pages", "alloc_pages",
		"__folio_alloc", "folio_alloc", "filemap_alloc_folio", "kmem_cache_alloc", "__kmalloc",
		"kmalloc", "__vmalloc", "vmalloc", "kvmalloc", "__get_free_pages", "vm_area_alloc_pages",
		"__alloc_frozen_pages", "alloc_frozen_pages", "try_to_free", "__perform_reclaim",
	};	/* prefixes: "alloc_pages" also matches alloc_pages_bulk, and so on */

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (!strncmp(f, pre[i], strlen(pre[i])))
			return true;
	return false;
}

/* "syscall|caller|first alloc frame|leaf" of one folded stack (root first). */
static void stack_key(char *stk, char *key, size_t len)
{
	const char *sys = "(no syscall)", *caller = "?", *first = "", *leaf = "";
	char *save = NULL, *f, *prev = NULL;
	bool in_alloc = false;

	for (f = strtok_r(stk, ";", &save); f; f = strtok_r(NULL, ";", &save)) {
		if (!in_alloc && strstr(f, "_sys_"))
			sys = strstr(f, "_sys_") + 5;
		if (!in_alloc && is_alloc_frame(f)) {
			in_alloc = true;
			caller = prev ? prev : "?";
			first = f;
		}
		prev = f;
		leaf = f;
	}
	if (!in_alloc)
		caller = leaf;
	snprintf(key, len, "%s|%s|%s|%s", sys, caller, first, leaf);
}

static int src_cmp(const void *a, const void *b)
{
	const struct src *x = a, *y = b;

	return x->ns < y->ns ? 1 : x->ns > y->ns ? -1 : 0;
}

/* file: stacks.folded (weights are ns) or nofail_stacks.folded (counts). */
void rp_print_stack_sources(const char *dir, const char *file, bool counts)
{
	char p[4096], *line = NULL;
	size_t cap = 0, n = 0;
	double total = 0;
	struct src *v;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	f = fopen(p, "r");
	if (!f)
		return;
	v = calloc(SRC_MAX, sizeof(*v));
	while (v && getline(&line, &cap, f) > 0) {
		char *sp = strrchr(line, ' '), key[320];
		double w;
		size_t i;

		if (!sp)
			continue;
		*sp = 0;
		w = strtod(sp + 1, NULL);
		if (!(w > 0))
			continue;
		total += w;
		stack_key(line, key, sizeof(key));
		for (i = 0; i < n && strcmp(v[i].key, key); i++)
			;
		if (i == n) {
			if (n == SRC_MAX)
				continue;	/* counted in the total, shown as the rest */
			snprintf(v[n++].key, sizeof(v[0].key), "%s", key);
		}
		v[i].ns += w;
	}
	free(line);
	fclose(f);
	if (!v || !n || !(total > 0)) {
		free(v);
		return;
	}
	qsort(v, n, sizeof(*v), src_cmp);
	if (counts)
		printf("\nwhere the NOFAIL allocations come from (%s:\n"
		       "syscall <- caller, then the path; %.0f of the run's tasks)\n", file, total);
	else
		printf("\nwhere the stall time comes from (stacks.folded: syscall <- caller,\n"
		       "then the path; a throttle inside reclaim counts in both its lines)\n");
	for (size_t i = 0; i < n && i < 5; i++) {
		char *fld[4] = { v[i].key, NULL, NULL, NULL }, a[32];

		for (int k = 1; k < 4; k++) {
			fld[k] = strchr(fld[k - 1], '|');
			if (!fld[k])
				break;
			*fld[k]++ = 0;
		}
		if (!fld[3])
			continue;
		if (counts)
			snprintf(a, sizeof(a), "%.0f", v[i].ns);
		else
			fmt_ns(v[i].ns, a, sizeof(a));
		printf("  %5.1f%% %7s  %.24s <- %.32s\n", 100.0 * v[i].ns / total, a, fld[0], fld[1]);
		if (*fld[2] && strcmp(fld[2], fld[3]))
			printf("%10s%.26s ... %.30s\n", "", fld[2], fld[3]);
		else if (*fld[3] && strcmp(fld[1], fld[3]))
			printf("%10s%.60s\n", "", fld[3]);
	}
	if (n > 5)
		printf("  (%zu more sources)\n", n - 5);
	free(v);
}

/*
 * Throttles by reason, and the 0 ns ones explained: mm_vmscan_throttled
 * reports usec_delayed in whole jiffies, so a task woken before the next
 * tick (writeback completed, reclaim made progress) slept "0 ns".
 */
void rp_print_reasons(json_t *stalls)
{
	for (int sc = 0; sc < 2; sc++) {
		for (int sk = 0; sk < RR_STALL_NR_KINDS; sk++) {
			const char *name = rr_stall_kind_name(sk);
			json_t *t = json_object_get(json_object_get(stalls, sc ? "system" : "run"), name);
			json_t *rs = json_object_get(t, "reasons"), *v;
			const char *k;
			int n = 0;

			if (!t || !rr_stall_kind_throttle(sk))
				continue;
			printf("%s (%s):", name, sc ? "system" : "run");
			json_object_foreach(rs, k, v)
				printf("%s %lld %s", n++ ? "," : "", (long long)json_integer_value(v), k);
			printf("%s\n", n ? "" : " reason not recorded");
			if (rp_num(t, "zero_ns") > 0)
				printf("  %lld of %lld slept 0 ns: woken within the jiffy they began in\n"
				       "  (the kernel reports whole jiffies), counted, no stall time\n",
				       (long long)rp_num(t, "zero_ns"), (long long)rp_num(t, "count"));
		}
	}
}

/* Rounds by source per op (all sources, 0 included) and NOFAIL allocations per call. */
void rp_print_sources(json_t *ops)
{
	/* the sources of reclaim rounds; NOFAIL allocations are shown per call */
	static const struct { int src; const char *key, *head; } cols[] = {
#define X(e, n, r, h) { RSRC_##e, n, h },
		SB_ROUND_SRCS_HEAD(X)
#undef X
	};
	const char *k;
	json_t *v;
	bool head = false;

	json_object_foreach(ops, k, v) {
		json_t *bs = json_object_get(v, "rounds_by_source");
		json_t *nf = json_object_get(v, "nofail_allocs");
		const char *slash = strchr(k, '/');

		if (!bs)
			continue;
		if (!head) {
			printf("\n%-17s", "rounds by source");
			for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
				if (cols[i].src != RSRC_NOFAIL)
					printf(" %6s", cols[i].head);
			printf(" %8s\n", "nofail/c");
			head = true;
		}
		printf("  %-15.15s", slash ? slash + 1 : k);
		for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
			if (cols[i].src != RSRC_NOFAIL)
				printf(" %6lld", (long long)rp_num(bs, cols[i].key));
		if (json_is_object(nf))
			printf(" %8.2f\n", rp_num(nf, "per_call"));
		else
			printf(" %8s\n", "-");
	}
}

/*
 * Where each op's wall time went: on a CPU, runnable but waiting for one,
 * asleep (summary.json time_split, from the worker's thread CPU clock and
 * schedstat). Sleep is what no reclaim tracepoint shows: memory.high's
 * penalty inside a charge, I/O, locks. Absent for results without it.
 */
void rp_print_time_split(json_t *ops)
{
	const char *k;
	json_t *v;
	bool head = false;
	char a[32], b[32], c[32];

	json_object_foreach(ops, k, v) {
		json_t *ts = json_object_get(v, "time_split"), *sd;
		const char *slash = strchr(k, '/');
		double cpu, runq, sleep, all;

		if (!json_is_object(ts))
			continue;
		cpu = rp_num(ts, "cpu_ns");
		runq = rp_num(ts, "runq_ns");
		sleep = rp_num(ts, "sleep_ns");
		all = cpu + runq + sleep;
		sd = json_object_get(ts, "sleep_ns_dist");
		if (!head) {
			printf("\n%-17s %7s %7s %7s %9s %9s %9s\n", "where time went", "cpu%", "runq%",
			       "sleep%", "asleep", "sleep p50", "sleep p99");
			head = true;
		}
		printf("  %-15.15s %6.1f%% %6.1f%% %6.1f%% %9s %9s %9s\n", slash ? slash + 1 : k,
		       all > 0 ? 100.0 * cpu / all : 0.0, all > 0 ? 100.0 * runq / all : 0.0,
		       all > 0 ? 100.0 * sleep / all : 0.0, fmt_ns(sleep, a, sizeof(a)),
		       rp_approx(rp_num(sd, "p50"), b, sizeof(b)), rp_approx(rp_num(sd, "p99"), c, sizeof(c)));
	}
}

/* The waker that woke the most of this site's sleep. */
static const char *top_waker(json_t *site)
{
	const char *k, *best = NULL;
	double bv = -1;
	json_t *v;

	json_object_foreach(json_object_get(site, "wakers"), k, v)
		if (json_number_value(v) > bv) {
			bv = json_number_value(v);
			best = k;
		}
	return best;
}

/* Appends to line (breaking at 72 columns, continuing under indent) one part. */
static void wrap_add(char *line, size_t len, size_t *col, const char *part, const char *indent)
{
	size_t n = strlen(part), used = strlen(line);

	if (*col + n + 1 > 72) {
		snprintf(line + used, len - used, "\n%s", indent);
		used = strlen(line);
		*col = strlen(indent);
	} else if (*col > strlen(indent)) {
		snprintf(line + used, len - used, " ");
		used++;
		(*col)++;
	}
	snprintf(line + used, len - used, "%s", part);
	*col += n;
}

/*
 * Where an op's time asleep went, in words: its top wait sites with their
 * share of the time asleep and who woke it, then the sleep inside reclaim
 * stalls and what no switch explains (never folded into a site).
 */
static void print_asleep(json_t *v)
{
	json_t *ts = json_object_get(v, "time_split"), *oc = json_object_get(v, "offcpu"), *st;
	double asleep = rp_num(ts, "sleep_ns"), rest;
	char line[2048] = "", part[256];
	size_t col, i, shown = 0;

	if (!json_is_object(oc) || !(asleep > 0))
		return;
	rest = asleep;
	snprintf(line, sizeof(line), "    asleep:");
	col = strlen(line);
	json_array_foreach(json_object_get(oc, "sites"), i, st) {
		double ns = rp_num(st, "sleep_ns");
		const char *w = top_waker(st);

		if (shown == 4 || ns < 0.01 * asleep)
			break;
		snprintf(part, sizeof(part), "%.0f%% in %s (woken by %s),", 100.0 * ns / asleep,
			 json_string_value(json_object_get(st, "site")),
			 w && strcmp(w, "(unseen)") ? w : "no wake-up seen");
		wrap_add(line, sizeof(line), &col, part, "      ");
		rest -= ns;
		shown++;
	}
	rest -= rp_num(oc, "in_stall_ns") + rp_num(oc, "unattributed_ns");
	if (rest > 0.005 * asleep) {
		snprintf(part, sizeof(part), "%.0f%% elsewhere,", 100.0 * rest / asleep);
		wrap_add(line, sizeof(line), &col, part, "      ");
	}
	if (rp_num(oc, "in_stall_ns") >= 0.005 * asleep) {
		snprintf(part, sizeof(part), "%.0f%% inside reclaim stalls,",
			 100.0 * rp_num(oc, "in_stall_ns") / asleep);
		wrap_add(line, sizeof(line), &col, part, "      ");
	}
	snprintf(part, sizeof(part), "%.1f%% unattributed", 100.0 * rp_num(oc, "unattributed_ns") / asleep);
	wrap_add(line, sizeof(line), &col, part, "      ");
	printf("%s\n", line);
}

/*
 * Where an op's time on a CPU went, in words: its top on-CPU sites (the
 * leaf of the sampled kernel stack past the copy/clear helpers, cpusite.h)
 * with their share of the samples, the rest, the share inside reclaim
 * stalls (the stall time it is part of), and the samples' count (one
 * per millisecond of CPU time: a share of few samples is coarse).
 */
static void print_oncpu(json_t *v)
{
	json_t *oc = json_object_get(v, "oncpu"), *st;
	double all = rp_num(oc, "samples"), rest;
	char line[2048] = "", part[256];
	size_t col, i, shown = 0;

	if (!json_is_object(oc))
		return;
	snprintf(line, sizeof(line), "    on a CPU:");
	col = strlen(line);
	if (!(all > 0)) {
		printf("%s no sample (under %s of CPU time in all)\n", line,
		       fmt_ns(rp_num(oc, "period_ns"), part, sizeof(part)));
		return;
	}
	rest = all;
	json_array_foreach(json_object_get(oc, "sites"), i, st) {
		double n = rp_num(st, "samples");
		const char *site = json_string_value(json_object_get(st, "site"));

		if (shown == 4 || n < 0.02 * all || !site)
			break;
		snprintf(part, sizeof(part), "%.0f%% in %s,", 100.0 * n / all,
			 strcmp(site, SB_CPU_SITE_USER) ? site : "user space");
		wrap_add(line, sizeof(line), &col, part, "      ");
		rest -= n;
		shown++;
	}
	if (rest > 0) {
		snprintf(part, sizeof(part), "%.0f%% elsewhere,", 100.0 * rest / all);
		wrap_add(line, sizeof(line), &col, part, "      ");
	}
	if (rp_num(oc, "in_stall_samples") > 0) {
		snprintf(part, sizeof(part), "%.0f%% of it inside reclaim stalls,",
			 100.0 * rp_num(oc, "in_stall_samples") / all);
		wrap_add(line, sizeof(line), &col, part, "      ");
	}
	snprintf(part, sizeof(part), "%.0f samples", all);
	wrap_add(line, sizeof(line), &col, part, "      ");
	printf("%s\n", line);
}

/*
 * The seed question, per op: how many calls, how much of it asleep and on
 * what (woken by whom), did it stall in reclaim, how many NOFAIL
 * allocations did it make, did it ever fail with ENOMEM, under what
 * pressure. Zero is a finding: said plainly; what was not counted is not
 * mentioned.
 */
void rp_print_answer(json_t *ops, json_t *pr)
{
	const char *k;
	json_t *v;
	char a[32], b[32], c[32];

	if (!json_object_size(ops) || !json_object_get(json_object_iter_value(json_object_iter(ops)),
						       "nofail_allocs"))
		return;
	printf("\nwhat each op paid");
	if (json_is_object(pr))
		printf(" with MemAvailable held at %s (%s..%s)",
		       fmt_size((uint64_t)rp_num(pr, "target_bytes"), a, sizeof(a)),
		       fmt_size((uint64_t)rp_num(pr, "mem_available_min_bytes"), b, sizeof(b)),
		       fmt_size((uint64_t)rp_num(pr, "mem_available_max_bytes"), c, sizeof(c)));
	printf(":\n");
	json_object_foreach(ops, k, v) {
		json_t *st = json_object_get(v, "stall_ns"), *nf = json_object_get(v, "nofail_allocs");
		json_t *en = json_object_get(json_object_get(v, "errors"), "ENOMEM");
		double cnt = rp_num(v, "count"), share = rp_num(st, "stalled_share");
		const char *slash = strchr(k, '/');

		json_t *ts = json_object_get(v, "time_split");
		double all = rp_num(ts, "cpu_ns") + rp_num(ts, "runq_ns") + rp_num(ts, "sleep_ns");

		printf("  %s: %.0f calls", slash ? slash + 1 : k, cnt);
		if (all > 0)
			printf(", %.1f%% asleep, %.1f%% on a CPU, %.1f%% runnable",
			       100.0 * rp_num(ts, "sleep_ns") / all, 100.0 * rp_num(ts, "cpu_ns") / all,
			       100.0 * rp_num(ts, "runq_ns") / all);
		printf("\n    %.0f stalled in reclaim (%.1f%%, %s in all)", share * cnt, 100.0 * share,
		       fmt_ns(rp_num(st, "total"), b, sizeof(b)));
		if (json_is_object(nf))
			printf(", %.2f NOFAIL allocations per call (%lld calls made one)",
			       rp_num(nf, "per_call"), (long long)rp_num(nf, "ops_with"));
		printf(", ENOMEM %lld\n", en ? (long long)json_integer_value(en) : 0LL);
		print_oncpu(v);
		print_asleep(v);
	}
}
