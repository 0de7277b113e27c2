/* The timeline: what the system and the run's cgroup looked like every tick
 * (PSI, memcg usage and events, direct reclaim and compaction counters), so
 * that a plot can put stalls, pressure and usage on one time axis. */
#include "timeline.h"
#include "columns.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vmstat_read(struct vmstat_snap *s)
{
	FILE *f = fopen("/proc/vmstat", "re");
	char key[64];
	unsigned long long v;

	memset(s, 0, sizeof(*s));
	if (!f)
		return -errno;
	while (fscanf(f, "%63s %llu", key, &v) == 2) {
		if (!strncmp(key, "allocstall", 10))
			s->allocstall += v;	/* allocstall_{dma,dma32,normal,movable} */
		else if (!strncmp(key, "pgscan_direct", 13) && strcmp(key, "pgscan_direct_throttle"))
			s->pgscan_direct += v;
		else if (!strcmp(key, "compact_stall"))
			s->compact_stall = v;
		else if (!strcmp(key, "pgscan_kswapd"))
			s->pgscan_kswapd = v;
		else if (!strcmp(key, "pageoutrun"))
			s->pageoutrun = v;
		else if (!strcmp(key, "compact_daemon_wake"))
			s->compact_daemon_wake = v;
		else if (!strcmp(key, "pswpin"))
			s->pswpin = v;
		else if (!strcmp(key, "pswpout"))
			s->pswpout = v;
	}
	fclose(f);
	return 0;
}

int timeline_open(struct timeline *t, const char *dir, uint64_t t0, const struct sb_cgroup *cg,
		  unsigned int ngroups, const char *const *gname, const struct sb_cgroup *const *gcg)
{
	int ret;

	memset(t, 0, sizeof(*t));
	ret = rf_open(dir, "timeline.csv", RF_PLAIN, 0, &t->rf);
	if (ret)
		return ret;
	t->f = rf_stream(t->rf);
	t->t0 = t0;
	t->cg = cg;
	vmstat_read(&t->base);
	memset(&t->first, 0xff, sizeof(t->first));
	if (cg && cg->path[0])
		cg_read(cg, &t->first);
	t->last = t->first;
	/* columns.h's table; timeline_tick writes the values in its order */
	fputs(""
#define X(e, n, r) "," n
	      SB_TIMELINE_COLS(X)
#undef X
	      + 1, t->f);
	/* each group: what it holds, its protection and throttle events, what
	 * reclaim took from it and what it had to read back */
	t->ngroups = ngroups < TL_MAX_GROUPS ? ngroups : TL_MAX_GROUPS;
	for (unsigned int g = 0; g < t->ngroups; g++) {
		const char *n = gname[g];

		t->gname[g] = n;
		t->gcg[g] = gcg[g];
		memset(&t->gfirst[g], 0xff, sizeof(t->gfirst[g]));
		cg_read(gcg[g], &t->gfirst[g]);
		t->glast[g] = t->gfirst[g];
		fprintf(t->f, ",g_%s_usage,g_%s_low,g_%s_high,g_%s_pgsteal,g_%s_refault_file,"
			"g_%s_refault_anon,g_%s_oom_kill", n, n, n, n, n, n, n);
	}
	fputc('\n', t->f);
	return 0;
}

static void put(FILE *f, uint64_t v, char sep)
{
	if (v == UINT64_MAX)
		fputc(sep, f);
	else
		fprintf(f, "%llu%c", (unsigned long long)v, sep);
}

/* Delta of a counter since the start; missing stays missing. */
static uint64_t delta(uint64_t now, uint64_t base)
{
	if (now == UINT64_MAX || base == UINT64_MAX)
		return now;
	return now - base;
}

int timeline_tick(struct timeline *t, uint64_t now)
{
	FILE *pf = fopen("/proc/pressure/memory", "re");
	double avg10 = -1;
	uint64_t some = UINT64_MAX, full = UINT64_MAX;
	struct cg_stats cs;
	struct vmstat_snap vs;
	uint64_t avail;
	char line[256];

	if (!t->f)
		return -EBADF;
	if (pf) {
		while (fgets(line, sizeof(line), pf)) {
			char *a = strstr(line, "avg10="), *tt = strstr(line, "total=");

			if (!strncmp(line, "some", 4)) {
				if (a)
					avg10 = strtod(a + 6, NULL);
				if (tt)
					some = strtoull(tt + 6, NULL, 10);
			} else if (!strncmp(line, "full", 4) && tt) {
				full = strtoull(tt + 6, NULL, 10);
			}
		}
		fclose(pf);
	}
	memset(&cs, 0xff, sizeof(cs));
	if (t->cg && t->cg->path[0] && !cg_read(t->cg, &cs))
		t->last = cs;
	vmstat_read(&vs);
	fprintf(t->f, "%llu,", (unsigned long long)(now - t->t0));
	if (avg10 >= 0)
		fprintf(t->f, "%.2f,", avg10);
	else
		fputc(',', t->f);
	put(t->f, some, ',');
	put(t->f, full, ',');
	put(t->f, cs.psi_some_us, ',');
	put(t->f, cs.psi_full_us, ',');
	put(t->f, cs.usage, ',');
	put(t->f, delta(cs.high, t->first.high), ',');
	put(t->f, delta(cs.max, t->first.max), ',');
	put(t->f, delta(cs.oom, t->first.oom), ',');
	put(t->f, delta(cs.oom_kill, t->first.oom_kill), ',');
	put(t->f, vs.allocstall - t->base.allocstall, ',');
	put(t->f, vs.pgscan_direct - t->base.pgscan_direct, ',');
	put(t->f, vs.compact_stall - t->base.compact_stall, ',');
	if (pressure_mem_available(&avail))
		avail = UINT64_MAX;
	put(t->f, avail, ',');
	put(t->f, t->pr ? pressure_held(t->pr) : UINT64_MAX, ',');
	put(t->f, delta(cs.low, t->first.low), ',');
	put(t->f, delta(cs.pgscan, t->first.pgscan), ',');
	put(t->f, delta(cs.pgsteal, t->first.pgsteal), ',');
	put(t->f, delta(cs.refault_anon, t->first.refault_anon), ',');
	put(t->f, delta(cs.refault_file, t->first.refault_file), ',');
	put(t->f, delta(cs.thp_fallback, t->first.thp_fallback), ',');
	put(t->f, cs.swap, ',');
	put(t->f, vs.pgscan_kswapd - t->base.pgscan_kswapd, ',');
	put(t->f, vs.pageoutrun - t->base.pageoutrun, ',');
	put(t->f, vs.compact_daemon_wake - t->base.compact_daemon_wake, ',');
	put(t->f, vs.pswpin - t->base.pswpin, ',');
	put(t->f, vs.pswpout - t->base.pswpout, t->ngroups ? ',' : '\n');
	for (unsigned int g = 0; g < t->ngroups; g++) {
		struct cg_stats gs, *f0 = &t->gfirst[g];

		memset(&gs, 0xff, sizeof(gs));
		if (!cg_read(t->gcg[g], &gs))
			t->glast[g] = gs;
		put(t->f, gs.usage, ',');
		put(t->f, delta(gs.low, f0->low), ',');
		put(t->f, delta(gs.high, f0->high), ',');
		put(t->f, delta(gs.pgsteal, f0->pgsteal), ',');
		put(t->f, delta(gs.refault_file, f0->refault_file), ',');
		put(t->f, delta(gs.refault_anon, f0->refault_anon), ',');
		put(t->f, delta(gs.oom_kill, f0->oom_kill), g + 1 < t->ngroups ? ',' : '\n');
	}
	t->rows++;
	return 0;
}

int timeline_flush(struct timeline *t)
{
	return t->rf ? rf_flush(t->rf, true) : 0;
}

int timeline_close(struct timeline *t)
{
	if (!t->rf)
		return t->err;
	t->err = rf_close(t->rf, true);
	t->err_op = t->err ? rf_failed_op(t->rf) : "";
	rf_free(t->rf);
	t->rf = NULL;
	t->f = NULL;
	return t->err;
}
