/*
 * Plots, per op: the latency CDF (thinned to a few thousand ranks that keep
 * the tail: cmp_cdf_ranks, the values the load kept exact), the log2
 * histogram, reclaim rounds, NUMA nodes; a strip plot of every call for an
 * op some run finished fewer than CMP_FEW_OPS times.
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

/* CDF points: every op up to CMP_CDF_ALL, else a grid plus a log-spaced tail
 * (cmp_cdf_ranks: the ranks the load asked for with CMP_LOAD_CDF). */
static void write_cdf(FILE *f, const struct cmp_opstat *s)
{
	uint64_t n = s->count, *rk = malloc(CMP_CDF_MAX * sizeof(*rk));
	size_t m, i;

	if (!rk)
		return;
	m = cmp_cdf_ranks(n, rk);
	for (i = 0; i < m; i++)
		fprintf(f, "%.6g %.9g\n", cmp_lat_rank(s, rk[i]) / 1e3, (double)rk[i] / (double)n);
	free(rk);
}

static int lat_bucket(double ns)
{
	return ns < 1.0 ? 0 : (int)floor(log2(ns));
}

static int rounds_bucket_of(uint64_t v)
{
	return v < 4 ? (int)v : 63 - __builtin_clzll(v) + 2;
}

static void rounds_label(char *buf, size_t len, int b)
{
	if (b < 4)
		snprintf(buf, len, "%d", b);
	else
		snprintf(buf, len, "%llu-%llu", 1ull << (b - 2), (1ull << (b - 1)) - 1);
}

/* Calls of op o whose rounds fall in bucket b. */
static uint64_t rounds_in(const struct cmp_opstat *o, int b)
{
	uint64_t c = 0, v;

	if (b < 4)
		return o->rounds_lo[b];
	for (v = 1ull << (b - 2); v < (1ull << (b - 1)) && v < CMP_ROUNDS_EXACT; v++)
		c += o->rounds_lo[v];
	if (b - 2 >= 10)
		c += o->rounds_hi[b - 2];
	return c;
}

/* Under this many finished calls a run's figure is a strip plot, not a CDF. */
#define PLOT_FEW_OPS	CMP_FEW_OPS	/* the load kept each of their values */

/* Strip-plot values: latency or reclaim rounds. */
enum strip_what { STRIP_LAT, STRIP_ROUNDS };

/* A strip plot's axis: values divided by div are in unit; ylab says so (and a log scale). */
struct strip_axis {
	double lo, hi, div;
	const char *unit;
	char ylab[120];
};

/* The unit and axis from every value drawn. */
static void strip_axis(const struct cmp_run *runs, int n, const char *name, enum strip_what what,
		       struct strip_axis *ax)
{
	ax->lo = INFINITY;
	ax->hi = 0.0;
	ax->div = 1.0;
	ax->unit = "";
	for (int r = 0; r < n; r++) {
		const struct cmp_opstat *s = cmp_run_op(&runs[r], name);
		const struct qsel *v;

		if (!s || !s->count)
			continue;
		v = what == STRIP_LAT ? &s->lat : &s->rounds;
		ax->lo = fmin(ax->lo, (double)v->h.min);
		ax->hi = fmax(ax->hi, (double)v->h.max);
	}
	if (what == STRIP_LAT) {
		if (ax->hi >= 1e10) {
			ax->div = 1e9;
			ax->unit = "s";
		} else if (ax->hi >= 1e7) {
			ax->div = 1e6;
			ax->unit = "ms";
		} else {
			ax->div = 1e3;
			ax->unit = "us";
		}
		snprintf(ax->ylab, sizeof(ax->ylab), "latency (%s%s)", ax->unit,
			 ax->lo > 0 && ax->hi / ax->lo > 10.0 ? ", log scale" : "");
	} else {
		snprintf(ax->ylab, sizeof(ax->ylab), "reclaim rounds per call%s",
			 ax->lo > 0 && ax->hi / ax->lo > 10.0 ? " (log scale)" : "");
	}
}

/* Run r's block of a strip plot at x position pos: every call, or each repetition's value. */
static int strip_block(struct datfile *d, const struct cmp_run *run, int r, int pos,
		       const struct cmp_opstat *s, enum strip_what what, double div)
{
	bool every = s->count < PLOT_FEW_OPS || s->nreps < 1;
	size_t m = every ? s->count : (size_t)s->nreps, k;
	double med, *val = malloc((m ? m : 1) * sizeof(*val));
	char hdr[700];

	if (!val)
		return -ENOMEM;
	for (k = 0; k < m; k++) {
		if (every)
			val[k] = what == STRIP_LAT ? cmp_lat_rank(s, k + 1) / div :
						     cmp_rounds_rank(s, k + 1);
		else
			val[k] = what == STRIP_LAT ? s->reps[k].p50 / div : s->reps[k].rounds;
	}
	med = what == STRIP_LAT ? cmp_lat_pct(s, 0.5) / div :
				  cmp_rounds_pct(s, 0.5);
	plot_dat_block(d, r);
	fprintf(d->f, "# %s: points = %s (%zu calls, %d repetitions); median = %.9g\n",
		run->id, every ? "every call" : what == STRIP_LAT ?
		"each repetition's median latency" : "each repetition's mean rounds per call",
		(size_t)s->count, run->ndirs, med);
	plot_series(hdr, sizeof(hdr), run, NULL);
	fprintf(d->f, "%s \"%s\"\n", hdr, run->id);
	for (k = 0; k < m; k++) {
		/* a golden-ratio spread keeps equal values apart, reproducibly */
		double g = (double)k * 0.6180339887;
		double x = pos + (m > 1 ? 0.36 * (g - floor(g) - 0.5) : 0.0);

		fprintf(d->f, "%d %.4f %.9g %.9g %s\n", pos, x, val[k], med, run->id);
	}
	free(val);
	return 0;
}

/* Writes base.dat as a strip plot of op name and renders it. 0 or -errno. */
static int plot_strip(const struct cmp_run *runs, int n, const char *name, const char *base,
		      enum strip_what what, const struct plot_opts *o, FILE *list,
		      char *msg, size_t len)
{
	char file[400], rv[1100], title[400];
	char *tarr, *vars = NULL;
	struct strip_axis ax;
	struct datfile d;
	int r, ret, pos = 0;

	strip_axis(runs, n, name, what, &ax);
	snprintf(file, sizeof(file), "%s.dat", base);
	if ((ret = plot_dat_open(&d, o->outdir, file, msg, len)) < 0)
		return ret;
	fprintf(d.f, "# %s: %s per run; the median is of all the run's finished calls%s%s\n",
		name, what == STRIP_LAT ? "latency" : "reclaim rounds", *ax.unit ? "; values in " : "",
		ax.unit);
	for (r = 0; r < n; r++) {
		const struct cmp_opstat *s = cmp_run_op(&runs[r], name);

		if (!s || !s->count)
			continue;
		if (strip_block(&d, &runs[r], r, ++pos, s, what, ax.div) < 0) {
			fclose(d.f);
			plot_setmsg(msg, len, "out of memory");
			return -ENOMEM;
		}
	}
	if ((ret = plot_dat_close(&d, msg, len)) < 0)
		return ret;
	plot_runs_var(rv, sizeof(rv), &d);
	tarr = plot_title_array(runs, &d);
	if (!tarr || asprintf(&vars, "%s; ylab='%s'; ylog=%d; %s", rv, ax.ylab,
			      ax.lo > 0 && ax.hi / ax.lo > 10.0, tarr) < 0) {
		free(tarr);
		plot_setmsg(msg, len, "out of memory");
		return -ENOMEM;
	}
	free(tarr);
	snprintf(title, sizeof(title), "%s: %s", name, what == STRIP_LAT ?
		 "latency of each call (few calls: no CDF)" : "reclaim rounds per call");
	snprintf(file, sizeof(file), "%s/%s.dat", o->outdir, base);
	ret = plot_render(o, "strip.gp", file, base, title, vars, list, msg, len);
	free(vars);
	return ret;
}

/* What all runs' calls of one op span: latency and rounds buckets, few calls or none. */
struct op_range {
	int bmin, bmax, rmax;
	bool few, any;
};

static void op_range(const struct cmp_run *runs, int n, const char *name, struct op_range *g)
{
	int b;

	g->bmin = 64;
	g->bmax = -1;
	g->rmax = 0;
	g->few = g->any = false;
	for (int r = 0; r < n; r++) {
		const struct cmp_opstat *s = cmp_run_op(&runs[r], name);

		if (!s || !s->count)
			continue;
		g->any = true;
		g->few |= s->count < PLOT_FEW_OPS;
		b = lat_bucket((double)s->lat.h.min);
		g->bmin = b < g->bmin ? b : g->bmin;
		b = lat_bucket((double)s->lat.h.max);
		g->bmax = b > g->bmax ? b : g->bmax;
		b = rounds_bucket_of(s->rounds_max);
		g->rmax = b > g->rmax ? b : g->rmax;
	}
}

/* CDF, led per run by its exact percentiles (what report prints) */
static void cdf_block(FILE *f, const struct cmp_run *run, const struct cmp_opstat *s,
		      const struct op_range *g)
{
	char hdr[700];

	(void)g;
	fprintf(f, "# %s: n=%zu p50_us=%.9g p90_us=%.9g p99_us=%.9g p99.9_us=%.9g "
		"max_us=%.9g (exact order statistics of finished calls)\n", run->id,
		(size_t)s->count, cmp_lat_pct(s, 0.5) / 1e3, cmp_lat_pct(s, 0.9) / 1e3,
		cmp_lat_pct(s, 0.99) / 1e3, cmp_lat_pct(s, 0.999) / 1e3,
		(double)s->lat.h.max / 1e3);
	plot_series(hdr, sizeof(hdr), run, NULL);
	fprintf(f, "%s \"%s\"\n", hdr, run->id);
	write_cdf(f, s);
}

/* histogram, log2 buckets, shared range so the runs line up */
static void hist_block(FILE *f, const struct cmp_run *run, const struct cmp_opstat *s,
		       const struct op_range *g)
{
	uint64_t cnt[64];
	char hdr[700];

	cmp_lat_log2(s, cnt);
	plot_series(hdr, sizeof(hdr), run, NULL);
	fprintf(f, "%s \"%s\"\n", hdr, run->id);
	for (int b = g->bmin; b <= g->bmax; b++)
		fprintf(f, "%.6g %.6g\n", ldexp(1.0, b) / 1e3,
			100.0 * (double)cnt[b] / (double)s->count);
	fprintf(f, "%.6g 0\n", ldexp(1.0, g->bmax + 1) / 1e3);
}

/* reclaim rounds per call */
static void rounds_block(FILE *f, const struct cmp_run *run, const struct cmp_opstat *s,
			 const struct op_range *g)
{
	char hdr[700], lab[48];

	fprintf(f, "# %s: rounds p50=%.9g p99=%.9g max=%llu mean=%.6g (exact)\n",
		run->id, cmp_rounds_pct(s, 0.5), cmp_rounds_pct(s, 0.99),
		(unsigned long long)s->rounds_max, s->rounds_sum / (double)s->count);
	plot_series(hdr, sizeof(hdr), run, NULL);
	fprintf(f, "%s \"%s\" pct\n", hdr, run->id);
	for (int b = 0; b <= g->rmax; b++) {
		uint64_t c = rounds_in(s, b);

		rounds_label(lab, sizeof(lab), b);
		if (c)
			fprintf(f, "%d %s %.6g\n", b, lab, 100.0 * (double)c / (double)s->count);
		else
			fprintf(f, "%d %s ?\n", b, lab);
	}
}

/* per NUMA node, ascending node id */
static void nodes_block(FILE *f, const struct cmp_run *run, const struct cmp_opstat *s,
			const struct op_range *g)
{
	char hdr[700], h50[700];
	int k, done = 0, last = INT_MIN;

	(void)g;
	plot_series(hdr, sizeof(hdr), run, NULL);
	plot_series(hdr, sizeof(hdr), run, "p99");
	plot_series(h50, sizeof(h50), run, "p50");
	fprintf(f, "%s count %s p99 mean\n", hdr, h50);
	while (done < s->nnodes) {
		int best = -1;

		for (k = 0; k < s->nnodes; k++)
			if (s->nodes[k].node > last &&
			    (best < 0 || s->nodes[k].node < s->nodes[best].node))
				best = k;
		if (best < 0)
			break;
		last = s->nodes[best].node;
		fprintf(f, "%d %llu %.6g %.6g %.6g\n", last,
			(unsigned long long)s->nodes[best].count, s->nodes[best].p50 / 1e3,
			s->nodes[best].p99 / 1e3, s->nodes[best].mean / 1e3);
		done++;
	}
}

/* The figures of an op with enough calls: KIND-SLUG.dat drawn by KIND.gp, one block per run. */
static const struct op_figure {
	const char *kind, *title;
	bool by_node;		/* a run's block needs its per-node figures, not its calls */
	void (*block)(FILE *f, const struct cmp_run *run, const struct cmp_opstat *s,
		      const struct op_range *g);
} op_figures[] = {
	{ "cdf", "latency CDF", false, cdf_block },
	{ "hist", "latency histogram", false, hist_block },
	{ "rounds", "reclaim rounds per call", false, rounds_block },
	{ "nodes", "latency by NUMA node", true, nodes_block },
};

static int plot_op_figure(const struct cmp_run *runs, int n, const char *name, const char *sl,
			  const struct op_figure *fig, const struct op_range *g,
			  const struct plot_opts *o, FILE *list, char *msg, size_t len)
{
	char file[300], base[300], title[400], rv[1100], script[32];
	struct datfile d;
	int ret;

	snprintf(file, sizeof(file), "%s-%s.dat", fig->kind, sl);
	if ((ret = plot_dat_open(&d, o->outdir, file, msg, len)) < 0)
		return ret;
	for (int r = 0; r < n; r++) {
		const struct cmp_opstat *s = cmp_run_op(&runs[r], name);

		if (!s || !(fig->by_node ? (size_t)s->nnodes : s->count))
			continue;
		plot_dat_block(&d, r);
		fig->block(d.f, &runs[r], s, g);
	}
	if ((ret = plot_dat_close(&d, msg, len)) < 0)
		return ret;
	plot_runs_var(rv, sizeof(rv), &d);
	snprintf(base, sizeof(base), "%s-%s", fig->kind, sl);
	snprintf(title, sizeof(title), "%s: %s", name, fig->title);
	snprintf(file, sizeof(file), "%s/%s-%s.dat", o->outdir, fig->kind, sl);
	snprintf(script, sizeof(script), "%s.gp", fig->kind);
	return plot_render(o, script, file, base, title, rv, list, msg, len);
}

int plot_op(const struct cmp_run *runs, int n, const char *name,
		   const struct plot_opts *o, FILE *list, char *msg, size_t len)
{
	char sl[200], base[300];
	struct op_range g;
	int ret;

	plot_slug(sl, sizeof(sl), name);
	op_range(runs, n, name, &g);
	if (!g.any)
		return 0;	/* no run finished this op */
	ret = plot_time(runs, n, name, sl, o, list, msg, len);
	if (ret < 0)
		return ret;
	if (g.few) {
		/* A CDF of a handful of calls says nothing: draw the calls. */
		snprintf(base, sizeof(base), "strip-%s", sl);
		ret = plot_strip(runs, n, name, base, STRIP_LAT, o, list, msg, len);
		if (ret < 0)
			return ret;
		snprintf(base, sizeof(base), "rounds-%s", sl);
		return plot_strip(runs, n, name, base, STRIP_ROUNDS, o, list, msg, len);
	}
	for (size_t i = 0; i < sizeof(op_figures) / sizeof(op_figures[0]); i++) {
		ret = plot_op_figure(runs, n, name, sl, &op_figures[i], &g, o, list, msg, len);
		if (ret < 0)
			return ret;
	}
	return 0;
}
