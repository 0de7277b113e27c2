/* `stallbench report DIR`: a readable table of one result (per op: count,
 * errors, latency percentiles, stall share and retry rounds; per stall kind;
 * lost events and OOM kills always shown). Reads the result files only; what
 * it says of each stall kind comes from the kind's traits in the schema
 * (schema/stallkind.h), and the rounds' sources from the schema's table, so a
 * new source needs no edit here. */
#include "parse.h"
#include "stats.h"
#include "resread.h"
#include "cpusite.h"
#include "optraits.h"
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A percentile of summary.json: its histogram's bucket (stats.h), within
 * HIST_REL_ERR of the exact nearest-rank value, so it says "~" (the one
 * percentile rule: an exact value, as compare and plot give, or "~").
 */
static const char *fmt_approx(double ns, char *buf, size_t len)
{
	char v[32];

	snprintf(buf, len, "~%s", fmt_ns(ns, v, sizeof(v)));
	return buf;
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return v ? json_number_value(v) : 0;
}

/* Who the OOM killer picked (oom:mark_victim): the run's workers, or others. */
static void print_victims(json_t *vs, json_int_t total)
{
	size_t i, nw = 0, nother = 0, shown = 0;
	json_t *v;

	if (!json_is_array(vs) || !total)
		return;
	json_array_foreach(vs, i, v) {
		const char *who = json_string_value(json_object_get(v, "who")) ?: "?";

		if (strcmp(who, "worker"))
			nother++;
		else
			nw++;
	}
	printf("oom victims: %lld (%zu workers, %zu other tasks%s)%s\n", (long long)total, nw, nother,
	       (size_t)total > json_array_size(vs) ? " among the first 1000" : "",
	       nother ? "  <-- tasks outside the run were killed" : "");
	json_array_foreach(vs, i, v) {
		const char *who = json_string_value(json_object_get(v, "who")) ?: "?";
		json_t *rss = json_object_get(v, "rss_kb"), *adj = json_object_get(v, "oom_score_adj");
		char what[96];

		/* every outsider, and the first few workers */
		if (!strcmp(who, "worker") && shown >= 3)
			continue;
		shown += !strcmp(who, "worker");
		if (!strcmp(who, "worker"))
			snprintf(what, sizeof(what), "%s#%lld",
				 json_string_value(json_object_get(v, "workload")) ?: "?",
				 (long long)json_integer_value(json_object_get(v, "worker")));
		else
			snprintf(what, sizeof(what), "%s", who);
		/* two lines: a comm of 16 and a workload name would not fit 72 columns */
		printf("  +%.2fs %s %s[%lld]\n      ", num(v, "t_ns") / 1e9, what,
		       json_string_value(json_object_get(v, "comm")) ?: "",
		       (long long)json_integer_value(json_object_get(v, "pid")));
		if (rss)
			printf("rss %.1fM, ", (double)json_integer_value(rss) / 1024);
		if (adj)
			printf("oom_score_adj %lld, ", (long long)json_integer_value(adj));
		printf("killer: %s\n", json_string_value(json_object_get(v, "killer")) ?: "?");
	}
	if (nw > shown)
		printf("  ... %zu more workers\n", nw - shown);
}

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
static void print_stack_sources(const char *dir, const char *file, bool counts)
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
static void print_reasons(json_t *stalls)
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
			if (num(t, "zero_ns") > 0)
				printf("  %lld of %lld slept 0 ns: woken within the jiffy they began in\n"
				       "  (the kernel reports whole jiffies), counted, no stall time\n",
				       (long long)num(t, "zero_ns"), (long long)num(t, "count"));
		}
	}
}

/* Rounds by source per op (all sources, 0 included) and NOFAIL allocations per call. */
static void print_sources(json_t *ops)
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
				printf(" %6lld", (long long)num(bs, cols[i].key));
		if (json_is_object(nf))
			printf(" %8.2f\n", num(nf, "per_call"));
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
static void print_time_split(json_t *ops)
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
		cpu = num(ts, "cpu_ns");
		runq = num(ts, "runq_ns");
		sleep = num(ts, "sleep_ns");
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
		       fmt_approx(num(sd, "p50"), b, sizeof(b)), fmt_approx(num(sd, "p99"), c, sizeof(c)));
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
	double asleep = num(ts, "sleep_ns"), rest;
	char line[2048] = "", part[256];
	size_t col, i, shown = 0;

	if (!json_is_object(oc) || !(asleep > 0))
		return;
	rest = asleep;
	snprintf(line, sizeof(line), "    asleep:");
	col = strlen(line);
	json_array_foreach(json_object_get(oc, "sites"), i, st) {
		double ns = num(st, "sleep_ns");
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
	rest -= num(oc, "in_stall_ns") + num(oc, "unattributed_ns");
	if (rest > 0.005 * asleep) {
		snprintf(part, sizeof(part), "%.0f%% elsewhere,", 100.0 * rest / asleep);
		wrap_add(line, sizeof(line), &col, part, "      ");
	}
	if (num(oc, "in_stall_ns") >= 0.005 * asleep) {
		snprintf(part, sizeof(part), "%.0f%% inside reclaim stalls,",
			 100.0 * num(oc, "in_stall_ns") / asleep);
		wrap_add(line, sizeof(line), &col, part, "      ");
	}
	snprintf(part, sizeof(part), "%.1f%% unattributed", 100.0 * num(oc, "unattributed_ns") / asleep);
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
	double all = num(oc, "samples"), rest;
	char line[2048] = "", part[256];
	size_t col, i, shown = 0;

	if (!json_is_object(oc))
		return;
	snprintf(line, sizeof(line), "    on a CPU:");
	col = strlen(line);
	if (!(all > 0)) {
		printf("%s no sample (under %s of CPU time in all)\n", line,
		       fmt_ns(num(oc, "period_ns"), part, sizeof(part)));
		return;
	}
	rest = all;
	json_array_foreach(json_object_get(oc, "sites"), i, st) {
		double n = num(st, "samples");
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
	if (num(oc, "in_stall_samples") > 0) {
		snprintf(part, sizeof(part), "%.0f%% of it inside reclaim stalls,",
			 100.0 * num(oc, "in_stall_samples") / all);
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
static void print_answer(json_t *ops, json_t *pr)
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
		       fmt_size((uint64_t)num(pr, "target_bytes"), a, sizeof(a)),
		       fmt_size((uint64_t)num(pr, "mem_available_min_bytes"), b, sizeof(b)),
		       fmt_size((uint64_t)num(pr, "mem_available_max_bytes"), c, sizeof(c)));
	printf(":\n");
	json_object_foreach(ops, k, v) {
		json_t *st = json_object_get(v, "stall_ns"), *nf = json_object_get(v, "nofail_allocs");
		json_t *en = json_object_get(json_object_get(v, "errors"), "ENOMEM");
		double cnt = num(v, "count"), share = num(st, "stalled_share");
		const char *slash = strchr(k, '/');

		json_t *ts = json_object_get(v, "time_split");
		double all = num(ts, "cpu_ns") + num(ts, "runq_ns") + num(ts, "sleep_ns");

		printf("  %s: %.0f calls", slash ? slash + 1 : k, cnt);
		if (all > 0)
			printf(", %.1f%% asleep, %.1f%% on a CPU, %.1f%% runnable",
			       100.0 * num(ts, "sleep_ns") / all, 100.0 * num(ts, "cpu_ns") / all,
			       100.0 * num(ts, "runq_ns") / all);
		printf("\n    %.0f stalled in reclaim (%.1f%%, %s in all)", share * cnt, 100.0 * share,
		       fmt_ns(num(st, "total"), b, sizeof(b)));
		if (json_is_object(nf))
			printf(", %.2f NOFAIL allocations per call (%lld calls made one)",
			       num(nf, "per_call"), (long long)num(nf, "ops_with"));
		printf(", ENOMEM %lld\n", en ? (long long)json_integer_value(en) : 0LL);
		print_oncpu(v);
		print_asleep(v);
	}
}

static void usage(FILE *f)
{
	fputs("usage: stallbench report DIR [--format text|json] [--allow-incomplete]\n"
	      "  one result directory as a table: kernel, cap and mm settings, lost\n"
	      "  events, OOM kills, per op count, errors, p50/p99/p99.9/max, the share\n"
	      "  that stalled in reclaim and reclaim rounds, then the stall kinds\n"
	      "  --format F          text (default) or json: summary.json as written (--json)\n"
	      "  --allow-incomplete  read a run whose status is not complete\n", f);
}

struct ropts {
	const char *dir;
	bool as_json, allow;
};

/* The command line into o; -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct ropts *o)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "allow-incomplete", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;	/* a fresh getopt scan: main may have used it */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			o->as_json = true;
			break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "stallbench report: --format %s: text or json\n", optarg);
				return 2;
			}
			o->as_json = !strcmp(optarg, "json");
			break;
		case 'i':
			o->allow = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "stallbench report: %s needs a value (see --help)\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "stallbench report: '%s': unexpected argument (see --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc)
		o->dir = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "stallbench report: '%s': unexpected argument (one DIR)\n", argv[optind]);
		return 2;
	}
	if (!o->dir) {
		fprintf(stderr, "stallbench report: no result directory given (see --help)\n");
		return 2;
	}
	return -1;
}

/* meta.json and summary.json of o->dir, checked; 0, or the exit code (nothing kept). */
static int load_result(const struct ropts *o, json_t **meta, json_t **sum)
{
	const char *dir = o->dir, *status;
	json_error_t jerr;
	char p[4096];

	snprintf(p, sizeof(p), "%s/meta.json", dir);
	*meta = json_load_file(p, 0, &jerr);
	if (!*meta) {
		fprintf(stderr, "stallbench report: %s: not a result directory (meta.json: %s)\n",
			dir, jerr.text);
		return 2;
	}
	snprintf(p, sizeof(p), "%s/summary.json", dir);
	*sum = json_load_file(p, 0, &jerr);
	status = json_string_value(json_object_get(*meta, "status"));
	if (!*sum || !status) {
		fprintf(stderr, "stallbench report: %s: no summary.json: the run was killed before it "
			"finished (status %s)\n", dir, status ? status : "unknown");
	} else if (rr_check_format(dir, "meta.json", *meta, p, sizeof(p)) < 0 ||
		   rr_check_format(dir, "summary.json", *sum, p, sizeof(p)) < 0) {
		fprintf(stderr, "stallbench report: %s\n", p);
	} else if (strcmp(status, "complete") && !o->allow) {
		fprintf(stderr, "stallbench report: %s: result is %s (use --allow-incomplete to read it)\n",
			dir, status);
	} else {
		return 0;
	}
	json_decref(*meta);
	json_decref(*sum);
	return 2;
}

/*
 * The limits set in o, as "high 48M": for each key K of keys (NULL ends
 * them) whose K_bytes is an integer, above 0 unless zero_too; entries are
 * joined by sep. Returns how many were set.
 */
static int fmt_limits(json_t *o, const char *const *keys, bool zero_too, const char *sep,
		      char *buf, size_t len)
{
	size_t u = 0;
	int n = 0;

	buf[0] = '\0';
	for (; *keys; keys++) {
		char key[32], a[32];
		json_t *v;

		snprintf(key, sizeof(key), "%s_bytes", *keys);
		v = json_object_get(o, key);
		if (!json_is_integer(v) || (!zero_too && json_integer_value(v) <= 0) || u >= len)
			continue;
		u += (size_t)snprintf(buf + u, len - u, "%s%s %s", n ? sep : "", *keys,
				      fmt_size((uint64_t)json_integer_value(v), a, sizeof(a)));
		n++;
	}
	return n;
}

/*
 * The filesystem under each storm: type, device, mount options (discard
 * makes every freed extent wait for the device; data=, journalling and
 * barriers move where a cut sleeps) and how it was made, when known.
 */
static void print_fs(json_t *meta)
{
	size_t i;
	json_t *w;

	json_array_foreach(json_object_get(json_object_get(meta, "params"), "workloads"), i, w) {
		const char *fs = json_string_value(json_object_get(w, "fstype"));
		const char *dev = json_string_value(json_object_get(w, "device"));
		const char *mo = json_string_value(json_object_get(w, "mount_options"));
		const char *mk = json_string_value(json_object_get(w, "mkfs"));

		if (!fs)
			continue;
		printf("filesystem (%s): %s on %s, %s\n",
		       json_string_value(json_object_get(w, "name")) ?: "?", fs,
		       dev && *dev ? dev : "?", mo && *mo ? mo : "options unknown");
		if (mk)
			printf("  made with: %s\n", mk);
	}
}

/* What ran: kernel, cgroup and cap, the memcg limits and mm settings of the run. */
static void print_setup(const char *dir, json_t *meta, const char *status)
{
	/* memory.high/low/min/swap.max, soft limit: only those set */
	static const char *const lk[] = { "high", "low", "min", "swap_max", "soft_limit", NULL };
	json_t *kern = json_object_get(meta, "kernel"), *cg = json_object_get(meta, "cgroup");
	json_t *mm = json_object_get(meta, "mm"), *ms = json_object_get(meta, "mm_set"), *v;
	char a[32], lim[256];
	const char *k;
	bool any = false;

	printf("%s\n", dir);
	printf("kernel %s  cgroup v%lld cap %s  status %s\n",
	       json_string_value(json_object_get(kern, "release")),
	       (long long)json_integer_value(json_object_get(cg, "version")),
	       num(cg, "cap_bytes") ? fmt_size((uint64_t)num(cg, "cap_bytes"), a, sizeof(a)) : "none",
	       status);
	if (fmt_limits(json_object_get(meta, "params"), lk, true, "  ", lim, sizeof(lim)))
		printf("memcg limits: %s\n", lim);
	printf("lru_gen %s  thp %s  init_on_alloc %s\n",
	       json_string_value(json_object_get(mm, "lru_gen")) ?: "n/a",
	       json_string_value(json_object_get(mm, "thp_enabled")) ?: "n/a",
	       json_string_value(json_object_get(mm, "init_on_alloc")) ?: "default");
	json_object_foreach(ms, k, v) {
		printf("%s %s=%s", any ? "" : "set for the run (--mm):", k, json_string_value(v));
		any = true;
	}
	if (any)
		printf("\n");
	print_fs(meta);
}

/* --global-pressure: what was asked, what the machine had at the start and
 * over the run, and whether the holder lived through it */
static void print_pressure(json_t *pr)
{
	char a[32], b[32], c[32], d[32], e[32];

	if (!json_is_object(pr))
		return;
	printf("global pressure: MemAvailable %s (target %s),\n"
	       "  %s..%s during the run, holder %s locked,\n"
	       "  %lld adjustments, %s\n",
	       fmt_size((uint64_t)num(pr, "achieved_bytes"), a, sizeof(a)),
	       fmt_size((uint64_t)num(pr, "target_bytes"), b, sizeof(b)),
	       fmt_size((uint64_t)num(pr, "mem_available_min_bytes"), c, sizeof(c)),
	       fmt_size((uint64_t)num(pr, "mem_available_max_bytes"), d, sizeof(d)),
	       fmt_size((uint64_t)num(pr, "held_bytes"), e, sizeof(e)),
	       (long long)num(pr, "adjustments"),
	       json_string_value(json_object_get(pr, "holder")) ?: "?");
	if (json_is_false(json_object_get(pr, "reached")))
		printf("  <-- the target was never reached: the pressure was lower\n");
}

/* Lost events, OOM kills, memcg events and refaults of the run's group. */
static void print_counts(json_t *sum)
{
	json_t *lost = json_object_get(sum, "lost_events"), *mc = json_object_get(sum, "memcg");
	/* memory.high throttling and memory.low breaches, where v2 counts them */
	json_int_t hi = json_integer_value(json_object_get(mc, "high_events"));
	json_int_t lo = json_integer_value(json_object_get(mc, "low_events"));
	json_t *rf = json_object_get(mc, "workingset_refault_file");
	json_t *ra = json_object_get(mc, "workingset_refault_anon");

	if (json_is_null(lost) || !lost)
		printf("stall capture: OFF (%s)\n", json_string_value(json_object_get(
			json_object_get(sum, "capture"), "reason")) ?: "unknown");
	else
		printf("lost events: %lld%s\n", (long long)json_integer_value(lost),
		       json_integer_value(lost) ? "  <-- the stall figures below are incomplete" : "");
	printf("oom kills: %lld  memcg max events: %lld  size mismatches: %lld\n",
	       (long long)json_integer_value(json_object_get(sum, "oom_kills")),
	       (long long)json_integer_value(json_object_get(mc, "max_events")),
	       (long long)json_integer_value(json_object_get(sum, "size_mismatches")));
	if (hi > 0 || lo > 0)
		printf("memcg high events: %lld  low events: %lld\n", (long long)hi, (long long)lo);
	if (json_is_integer(rf) || json_is_integer(ra))
		printf("refaults: file %lld  anon %lld  (evicted pages used again)\n",
		       (long long)json_integer_value(rf), (long long)json_integer_value(ra));
}

/* --group: who reclaimed from whom, group by group */
static void print_groups(json_t *meta, json_t *sum)
{
	static const char *const lk[] = { "cap", "high", "low", "min", "soft_limit", NULL };
	json_t *pg, *gsum = json_object_get(sum, "groups");
	size_t gi;

	json_array_foreach(json_object_get(json_object_get(meta, "params"), "groups"), gi, pg) {
		const char *gn = json_string_value(json_object_get(pg, "name"));
		json_t *gs = json_object_get(gsum, gn ? gn : "");
		char lim[160], ev[64] = "", b[32];
		int nlim = fmt_limits(pg, lk, false, " ", lim, sizeof(lim));

		/* v1 counts no low/high events: said only where they exist */
		if (num(gs, "low_events") >= 0)
			snprintf(ev, sizeof(ev), ", low events %lld, high %lld",
				 (long long)num(gs, "low_events"), (long long)num(gs, "high_events"));
		printf("group %s (%s): usage %s, oom kills %lld\n", gn ? gn : "?",
		       nlim ? lim : "no limits", fmt_size((uint64_t)num(gs, "usage_end"), b, sizeof(b)),
		       (long long)num(gs, "oom_kill"));
		printf("  refaults file %lld, anon %lld%s\n",
		       (long long)num(gs, "workingset_refault_file"),
		       (long long)num(gs, "workingset_refault_anon"), ev);
	}
}

/* The head of the report: what ran, under what, and what was lost or killed. */
static void print_head(const char *dir, json_t *meta, json_t *sum)
{
	/* memory.events oom: the memcg OOM killer ran; more runs than kills = it
	 * ran and found nothing to kill (a victim already dying, charges that may
	 * not fail retrying) */
	json_int_t ooms = json_integer_value(json_object_get(json_object_get(sum, "memcg"),
							     "oom_events"));
	json_int_t kills = json_integer_value(json_object_get(sum, "oom_kills"));

	print_setup(dir, meta, json_string_value(json_object_get(meta, "status")));
	print_pressure(json_object_get(meta, "pressure"));
	print_counts(sum);
	print_groups(meta, sum);
	if (ooms > kills)
		printf("memcg OOM events: %lld, %lld of them killed nothing\n",
		       (long long)ooms, (long long)(ooms - kills));
	print_victims(json_object_get(sum, "oom_victims"),
		      json_integer_value(json_object_get(sum, "oom_victims_total")));
	putchar('\n');
}

/* One op's line, its errors by name and the flags it raised. */
static void print_op(json_t *meta, const char *k, const char *opn, json_t *v)
{
	json_t *lat = json_object_get(v, "latency_ns"), *errs = json_object_get(v, "errors");
	json_t *st = json_object_get(v, "stall_ns"), *rr = json_object_get(v, "reclaim_rounds");
	json_t *fl = json_object_get(v, "flags"), *ev;
	char a[32], b[32], c[32], d[32];
	long long nerr = 0;
	const char *ek;

	json_object_foreach(errs, ek, ev)
		nerr += json_integer_value(ev);
	printf("  %-13.13s %6lld %4lld %7s %7s %7s %7s %5.1f%% %5.0f\n", opn,
	       (long long)json_integer_value(json_object_get(v, "count")), nerr,
	       fmt_approx(num(lat, "p50"), a, sizeof(a)), fmt_approx(num(lat, "p99"), b, sizeof(b)),
	       fmt_approx(num(lat, "p999"), c, sizeof(c)), fmt_ns(num(lat, "max"), d, sizeof(d)),
	       100.0 * num(st, "stalled_share"), num(rr, "max"));
	json_object_foreach(errs, ek, ev)
		printf("    %s: %lld\n", ek, (long long)json_integer_value(ev));
	json_object_foreach(fl, ek, ev)
		if (json_integer_value(ev) && strcmp(ek, "module") && strcmp(ek, "huge"))
			printf("    %s: %lld\n", ek, (long long)json_integer_value(ev));
	if (rr_op_traits(meta, k) & RR_OPT_HUGE) {
		/* the point of a THP fault: did it get one */
		json_int_t n = json_integer_value(json_object_get(v, "count"));
		json_int_t h = json_integer_value(json_object_get(fl, "huge"));

		printf("    huge pages: %lld of %lld faults, %lld fell back (%.1f%%)\n",
		       (long long)h, (long long)n, (long long)(n - h),
		       n ? 100.0 * (double)(n - h) / (double)n : 0.0);
	}
}

/* Ops grouped under their workload, so the table fits a 72-column mail. */
static void print_ops(json_t *meta, json_t *ops)
{
	char prev[128] = "";
	const char *k;
	json_t *v;

	json_object_foreach(ops, k, v) {
		const char *slash = strchr(k, '/');
		int wl = slash ? (int)(slash - k) : 0;

		if (strncmp(prev, k, (size_t)wl) || prev[wl] != 0) {
			snprintf(prev, sizeof(prev), "%.*s", wl, k);
			printf("%-15s %6s %4s %7s %7s %7s %7s %6s %5s\n", prev, "count", "err",
			       "p50", "p99", "p99.9", "max", "stall%", "rnds");
		}
		print_op(meta, k, slash ? slash + 1 : k, v);
	}
}

/* Stalls by kind, the run's group then the whole system. */
static void print_stalls(json_t *stalls)
{
	char a[32], b[32], c[32], e[32];

	printf("%-15s %6s %8s %7s %7s %7s %7s %5s\n", "stalls", "scope", "count", "total", "p50", "p99",
	       "max", "zero%");
	for (int sc = 0; sc < 2; sc++) {
		json_t *byk = json_object_get(stalls, sc ? "system" : "run"), *v;
		const char *k;

		json_object_foreach(byk, k, v) {
			json_t *dd = json_object_get(v, "duration_ns");
			double cnt = num(v, "count"), zero = num(v, "no_progress");
			int kind = rr_stall_kind_of(k);

			if (!strcmp(k, "points") || !json_object_get(v, "count"))
				continue;
			/* zero%: the share of reclaim rounds that reclaimed nothing */
			printf("  %-13.13s %6s %8lld %7s %7s %7s %7s", k, sc ? "system" : "run",
			       (long long)cnt, fmt_ns(num(v, "total_ns"), a, sizeof(a)),
			       fmt_approx(num(dd, "p50"), b, sizeof(b)), fmt_approx(num(dd, "p99"), c, sizeof(c)),
			       fmt_ns(num(dd, "max"), e, sizeof(e)));
			if (cnt > 0 && json_object_get(v, "no_progress") &&
			    (kind == RR_STALL_OTHER || rr_stall_kind_reclaims(kind)))
				printf(" %4.0f%%\n", 100.0 * zero / cnt);
			else
				printf("     -\n");
		}
	}
}

int cmd_report(int argc, char **argv)
{
	struct ropts o = { 0 };
	json_t *meta, *sum, *ops, *stalls;
	int rc = parse_args(argc, argv, &o);

	if (rc >= 0)
		return rc;
	rc = load_result(&o, &meta, &sum);
	if (rc)
		return rc;
	if (o.as_json) {
		json_dumpf(sum, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		goto out;
	}
	print_head(o.dir, meta, sum);
	ops = json_object_get(sum, "ops");
	print_ops(meta, ops);
	stalls = json_object_get(sum, "stalls");
	print_stalls(stalls);
	printf("~: from the run's histograms, within %.2f%% of the exact value (compare and plot: exact)\n",
	       100.0 * HIST_REL_ERR);
	print_reasons(stalls);
	print_sources(ops);
	print_time_split(ops);
	print_answer(ops, json_object_get(meta, "pressure"));
	print_stack_sources(o.dir, "stacks.folded", false);
	print_stack_sources(o.dir, "nofail_stacks.folded", true);
out:
	json_decref(meta);
	json_decref(sum);
	return 0;
}
