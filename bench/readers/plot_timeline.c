/*
 * Plots, the timeline: one panel per run (its first repetition), from its
 * timeline.csv (PSI, memcg usage against the cap, OOM kills) and its
 * stalls.csv (the share of the tick its tasks were stalled).
 */
#include "plot_impl.h"
#include "signif.h"
#include "stallunion.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- timeline ---- */

struct tl {
	double *t, *avg10, *some, *cgsome, *usage, *max, *rstall, *sstall, *oomk;
	size_t n, cap;
	uint64_t origin;	/* stalls' CLOCK_MONOTONIC of t = 0 */
	struct stallunion *un[2];	/* the run's tasks, the others: stalled time once */
	double *bin;		/* the bins su_add's pieces go to (rstall or sstall) */
};

static void tl_free(struct tl *t)
{
	free(t->t);
	free(t->avg10);
	free(t->some);
	free(t->cgsome);
	free(t->usage);
	free(t->max);
	free(t->rstall);
	free(t->sstall);
	free(t->oomk);
	su_free(t->un[0]);
	su_free(t->un[1]);
	memset(t, 0, sizeof(*t));
}

static int tl_grow(struct tl *t)
{
	size_t nc = t->cap ? t->cap * 2 : 256;
	double **arr[] = { &t->t, &t->avg10, &t->some, &t->cgsome, &t->usage, &t->max,
			   &t->rstall, &t->sstall, &t->oomk };
	size_t i;

	for (i = 0; i < sizeof(arr) / sizeof(arr[0]); i++) {
		double *p = realloc(*arr[i], nc * sizeof(double));

		if (!p)
			return -ENOMEM;
		*arr[i] = p;
	}
	t->cap = nc;
	return 0;
}

static int on_tick(void *arg, const struct rr_tick *k)
{
	struct tl *t = arg;
	size_t i = t->n;

	if (i == t->cap && tl_grow(t) < 0)
		return -ENOMEM;
	if (i && k->v[RR_TL_T_NS] / 1e9 <= t->t[i - 1])
		return 0;	/* time must increase for the bins */
	t->t[i] = k->v[RR_TL_T_NS] / 1e9;
	t->avg10[i] = k->v[RR_TL_PSI_SOME_AVG10];
	t->some[i] = k->v[RR_TL_PSI_SOME_TOTAL_US];
	t->cgsome[i] = k->v[RR_TL_CG_PSI_SOME_TOTAL_US];
	t->usage[i] = k->v[RR_TL_MEMCG_USAGE] / 1048576.0;
	t->max[i] = NAN;	/* memory.max: the cap (meta.json), not memory.events' max */
	t->oomk[i] = k->v[RR_TL_MEMCG_OOM_KILL];	/* cumulative */
	t->rstall[i] = t->sstall[i] = 0.0;
	t->n++;
	return 0;
}

/* The first tick at or after ts (s): the bin that ends there; the last for later. */
static size_t tl_bin(const struct tl *t, double ts)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->t[mid] < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == t->n ? t->n - 1 : lo;
}

/* A piece of stalled time [a, b) (ns), spread over the bins it crosses, in ms. */
static void tl_piece(void *arg, uint64_t a, uint64_t b)
{
	struct tl *t = arg;
	double x = ((double)a - (double)t->origin) / 1e9, y = ((double)b - (double)t->origin) / 1e9;
	size_t i = tl_bin(t, x);

	while (x < y) {
		/* bin i ends at tick i; past the last tick, the last bin takes the rest */
		double end = i + 1 < t->n && t->t[i] < y ? t->t[i] : y;

		if (end > x) {
			t->bin[i] += (end - x) * 1e3;
			x = end;
		}
		if (i + 1 < t->n)
			i++;
	}
}

/*
 * A stall into the ms/s of its scope: only what no stall of its task begun
 * before it already covers (a throttle inside reclaim counts once), spread
 * over the ticks it spans.
 */
static int on_tl_stall(void *arg, const struct rr_stall *s)
{
	struct tl *t = arg;
	int sys = strcmp(s->scope, "system") == 0;

	if (!t->n)
		return 0;
	if (!t->un[sys] && !(t->un[sys] = su_new()))
		return -ENOMEM;
	t->bin = sys ? t->sstall : t->rstall;
	if (su_add(t->un[sys], s->tid, s->t_start_ns,
		   s->t_start_ns + s->duration_ns, tl_piece, t) < 0)
		return -ENOMEM;
	return 0;
}

static void put(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.6g", v);
	else
		fputs(" ?", f);
}

/* A PSI share of time: above 100% (or below 0) is a measurement error. */
static double psi_pct(double v, unsigned int *bad)
{
	if (isfinite(v) && (v > 100.0 || v < 0.0)) {
		if (v > 100.0)
			(*bad)++;
		return NAN;
	}
	return v;
}

static double meta_cap(const struct rr_dir *d)
{
	json_t *c = json_object_get(json_object_get(d->meta, "cgroup"), "cap_bytes");

	return json_is_integer(c) && json_integer_value(c) > 0 ?
		(double)json_integer_value(c) : NAN;
}

/* What timeline blocks add up to: the shared axes and PSI errors. */

/* One run's timeline block (its first repetition). 0 or -errno. */
int plot_timeline_block(const struct cmp_run *run, FILE *f, struct tl_sum *sum,
			  char *msg, size_t len)
{
	const struct rr_dir *d = &run->dirs[0];
	struct tl t = { 0 };
	char *body = NULL;
	size_t i, blen = 0;
	double cap = meta_cap(d);
	FILE *m;
	int ret;

	sum->psi_bad = 0;
	t.origin = d->start_ns;
	ret = rr_read_timeline(d, on_tick, &t, NULL, msg, len);
	if (ret == -ENOENT || (ret == 0 && t.n < 2)) {
		/* No sampler data: bin stalls over the run's length alone. */
		double span = d->end_ns > d->start_ns ? (double)(d->end_ns - d->start_ns) / 1e9 : 0;

		t.n = 0;
		if (span <= 0.0) {
			tl_free(&t);
			return 0;
		}
		for (i = 0; i <= 100; i++) {
			struct rr_tick k;
			int c;

			for (c = 0; c < RR_TL_NR_COLS; c++)
				k.v[c] = NAN;
			k.v[RR_TL_T_NS] = span * 1e9 * (double)i / 100.0;
			if (on_tick(&t, &k) < 0) {
				tl_free(&t);
				plot_setmsg(msg, len, "out of memory");
				return -ENOMEM;
			}
		}
		ret = 0;
	}
	if (ret < 0)
		goto out;
	ret = rr_read_stalls(d, on_tl_stall, &t, NULL, msg, len);
	if (ret < 0)
		goto out;
	m = open_memstream(&body, &blen);
	if (!m) {
		ret = -ENOMEM;
		plot_setmsg(msg, len, "out of memory");
		goto out;
	}
	for (i = 0; i < t.n; i++) {
		double dt = i ? t.t[i] - t.t[i - 1] : NAN;
		double rs = i ? t.rstall[i] / dt : NAN, ss = i ? t.sstall[i] / dt : NAN;

		fprintf(m, "%.6g", t.t[i]);
		put(m, psi_pct(t.avg10[i], &sum->psi_bad));
		/* us of stall per s of tick -> % */
		put(m, psi_pct(i ? (t.some[i] - t.some[i - 1]) / 1e4 / dt : NAN, &sum->psi_bad));
		put(m, psi_pct(i ? (t.cgsome[i] - t.cgsome[i - 1]) / 1e4 / dt : NAN,
			       &sum->psi_bad));
		put(m, t.usage[i]);
		put(m, cap > 0 ? cap / 1048576.0 : NAN);	/* memcg_max_mib: the cap */
		put(m, rs);
		put(m, ss);
		put(m, i ? t.oomk[i] - t.oomk[i - 1] : NAN);	/* OOM kills in this tick */
		put(m, t.usage[i] * 1048576.0 / cap * 100.0);
		fputc('\n', m);
		if (isfinite(t.usage[i] * 1048576.0 / cap) && t.usage[i] * 1048576.0 / cap * 100.0 > sum->y2max)
			sum->y2max = t.usage[i] * 1048576.0 / cap * 100.0;
		if (isfinite(rs) && rs > sum->ymax)
			sum->ymax = rs;
		if (isfinite(ss) && ss > sum->ymax)
			sum->ymax = ss;
	}
	fclose(m);
	if (t.n && t.t[t.n - 1] > sum->tmax)
		sum->tmax = t.t[t.n - 1];
	fprintf(f, "# %s: repetition 1 of %d; %u PSI ticks above 100%% not drawn "
		"(a measurement error)\n", run->id, run->ndirs, sum->psi_bad);
	fputs("t_s avg10 psi_some_pct cg_psi_some_pct memcg_mib memcg_max_mib run_stall_ms_s "
	      "system_stall_ms_s oom_kills memcg_pct_of_cap\n", f);
	fwrite(body, 1, blen, f);
	free(body);
out:
	tl_free(&t);
	return ret;
}
