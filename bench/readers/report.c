/*
 * report's engine: one result directory (meta.json, summary.json, and the
 * folded stacks when recorded) as a readable table: what ran and under
 * what, lost events and OOM kills always shown, per op count, errors,
 * latency percentiles, stall share and retry rounds, per stall kind, then
 * where the stall time and each op's time came from. Reads the result
 * files only; what it says of each stall kind comes from the kind's traits
 * in the schema (schema/stallkind.h), and the rounds' sources from the
 * schema's table, so a new source needs no edit here.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optraits.h"
#include "parse.h"
#include "resread.h"
#include "stats.h"
#include "report.h"
#include "report_impl.h"

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
		printf("  +%.2fs %s %s[%lld]\n      ", rp_num(v, "t_ns") / 1e9, what,
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

/* meta.json and summary.json of dir, checked; 0, or -EINVAL with msg (nothing kept). */
int report_load(const char *dir, bool allow, json_t **meta, json_t **sum, char *msg, size_t len)
{
	const char *status;
	json_error_t jerr;
	char p[4096];

	snprintf(p, sizeof(p), "%s/meta.json", dir);
	*meta = json_load_file(p, 0, &jerr);
	if (!*meta) {
		snprintf(msg, len, "%s: not a result directory (meta.json: %s)", dir, jerr.text);
		return -EINVAL;
	}
	snprintf(p, sizeof(p), "%s/summary.json", dir);
	*sum = json_load_file(p, 0, &jerr);
	status = json_string_value(json_object_get(*meta, "status"));
	if (!*sum || !status) {
		snprintf(msg, len, "%s: no summary.json: the run was killed before it finished "
			 "(status %s)", dir, status ? status : "unknown");
	} else if (rr_check_format(dir, "meta.json", *meta, msg, len) < 0 ||
		   rr_check_format(dir, "summary.json", *sum, msg, len) < 0) {
		;
	} else if (strcmp(status, "complete") && !allow) {
		snprintf(msg, len, "%s: result is %s (use --allow-incomplete to read it)", dir, status);
	} else {
		return 0;
	}
	json_decref(*meta);
	json_decref(*sum);
	return -EINVAL;
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
	       rp_num(cg, "cap_bytes") ? fmt_size((uint64_t)rp_num(cg, "cap_bytes"), a, sizeof(a)) : "none",
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
	       fmt_size((uint64_t)rp_num(pr, "achieved_bytes"), a, sizeof(a)),
	       fmt_size((uint64_t)rp_num(pr, "target_bytes"), b, sizeof(b)),
	       fmt_size((uint64_t)rp_num(pr, "mem_available_min_bytes"), c, sizeof(c)),
	       fmt_size((uint64_t)rp_num(pr, "mem_available_max_bytes"), d, sizeof(d)),
	       fmt_size((uint64_t)rp_num(pr, "held_bytes"), e, sizeof(e)),
	       (long long)rp_num(pr, "adjustments"),
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
		if (rp_num(gs, "low_events") >= 0)
			snprintf(ev, sizeof(ev), ", low events %lld, high %lld",
				 (long long)rp_num(gs, "low_events"), (long long)rp_num(gs, "high_events"));
		printf("group %s (%s): usage %s, oom kills %lld\n", gn ? gn : "?",
		       nlim ? lim : "no limits", fmt_size((uint64_t)rp_num(gs, "usage_end"), b, sizeof(b)),
		       (long long)rp_num(gs, "oom_kill"));
		printf("  refaults file %lld, anon %lld%s\n",
		       (long long)rp_num(gs, "workingset_refault_file"),
		       (long long)rp_num(gs, "workingset_refault_anon"), ev);
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
	       rp_approx(rp_num(lat, "p50"), a, sizeof(a)), rp_approx(rp_num(lat, "p99"), b, sizeof(b)),
	       rp_approx(rp_num(lat, "p999"), c, sizeof(c)), fmt_ns(rp_num(lat, "max"), d, sizeof(d)),
	       100.0 * rp_num(st, "stalled_share"), rp_num(rr, "max"));
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
			double cnt = rp_num(v, "count"), zero = rp_num(v, "no_progress");
			int kind = rr_stall_kind_of(k);

			if (!strcmp(k, "points") || !json_object_get(v, "count"))
				continue;
			/* zero%: the share of reclaim rounds that reclaimed nothing */
			printf("  %-13.13s %6s %8lld %7s %7s %7s %7s", k, sc ? "system" : "run",
			       (long long)cnt, fmt_ns(rp_num(v, "total_ns"), a, sizeof(a)),
			       rp_approx(rp_num(dd, "p50"), b, sizeof(b)), rp_approx(rp_num(dd, "p99"), c, sizeof(c)),
			       fmt_ns(rp_num(dd, "max"), e, sizeof(e)));
			if (cnt > 0 && json_object_get(v, "no_progress") &&
			    (kind == RR_STALL_OTHER || rr_stall_kind_reclaims(kind)))
				printf(" %4.0f%%\n", 100.0 * zero / cnt);
			else
				printf("     -\n");
		}
	}
}

void report_text(const char *dir, json_t *meta, json_t *sum)
{
	json_t *ops = json_object_get(sum, "ops"), *stalls = json_object_get(sum, "stalls");

	print_head(dir, meta, sum);
	print_ops(meta, ops);
	print_stalls(stalls);
	printf("~: from the run's histograms, within %.2f%% of the exact value (compare and plot: exact)\n",
	       100.0 * HIST_REL_ERR);
	rp_print_reasons(stalls);
	rp_print_sources(ops);
	rp_print_time_split(ops);
	rp_print_answer(ops, json_object_get(meta, "pressure"));
	rp_print_stack_sources(dir, "stacks.folded", false);
	rp_print_stack_sources(dir, "nofail_stacks.folded", true);
}
