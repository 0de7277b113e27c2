/* Plots, per op: where a call's time went (on a CPU, waiting for one, asleep at its top
 * wait sites, the rest), stacked per run. */
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

#define TIME_SITES 4	/* wait sites drawn apart in time-OP; the rest of the sleep is one part */

/* Mean ns per call asleep at site over the op's repetitions that recorded sites; -1 none. */
static double site_per_call(const struct cmp_opstat *s, const char *site)
{
	double sum = 0;
	int k, n = 0;

	for (k = 0; k < s->nsites && strcmp(s->sites[k], site); k++)
		;
	for (int i = 0; i < s->nreps; i++)
		if (s->reps[i].sites_known) {
			sum += k < s->nsites ? s->reps[i].site_ns[k] : 0.0;
			n++;
		}
	return n ? sum / n : -1;
}

/* The op's wait sites with the most sleep per call in any run, most first. */
static int top_sites(const struct cmp_run *runs, int n, const char *name,
		     const char *top[TIME_SITES])
{
	double tv[TIME_SITES] = { 0 };
	int nt = 0;

	for (int r = 0; r < n; r++) {
		const struct cmp_opstat *s = cmp_run_op(&runs[r], name);

		for (int k = 0; s && k < s->nsites; k++) {
			double v = 0;
			int j;

			for (int q = 0; q < n; q++) {
				const struct cmp_opstat *x = cmp_run_op(&runs[q], name);
				double w = x ? site_per_call(x, s->sites[k]) : -1;

				if (w > v)
					v = w;
			}
			for (j = 0; j < nt && strcmp(top[j], s->sites[k]); j++)
				;
			if (j < nt || v <= 0)
				continue;
			if (nt < TIME_SITES) {
				top[nt] = s->sites[k];
				tv[nt++] = v;
			} else if (v > tv[TIME_SITES - 1]) {
				top[TIME_SITES - 1] = s->sites[k];
				tv[TIME_SITES - 1] = v;
			}
			for (j = nt - 1; j > 0 && tv[j] > tv[j - 1]; j--) {
				const char *ts = top[j];
				double t = tv[j];

				top[j] = top[j - 1];
				tv[j] = tv[j - 1];
				top[j - 1] = ts;
				tv[j - 1] = t;
			}
		}
	}
	return nt;
}

/*
 * Where an op's time went, per run: a stacked bar of the mean ms per call on
 * a CPU, waiting for one and asleep (ops.csv cpu_ns/runq_ns), the sleep split
 * by its top wait sites (offcpu.csv; the rest of the sleep, inside reclaim
 * stalls, unattributed or elsewhere, is one part), drawn by stalls.gp. Only
 * for ops some run measured (results with schedstat).
 */
int plot_time(const struct cmp_run *runs, int n, const char *name, const char *sl,
		     const struct plot_opts *o, FILE *list, char *msg, size_t len)
{
	const char *top[TIME_SITES];
	char file[300], base[300], title[400], hdr[700], rv[1100], kinds[600];
	char *tarr = NULL, *vars = NULL;
	struct datfile d;
	int r, ret, any = 0, nt;

	for (r = 0; r < n; r++) {
		const struct cmp_opstat *s = cmp_run_op(&runs[r], name);

		any += s && s->sleep_n;
	}
	if (!any)
		return 0;
	nt = top_sites(runs, n, name, top);
	snprintf(kinds, sizeof(kinds), "on-CPU waiting");
	for (int k = 0; k < nt; k++)
		snprintf(kinds + strlen(kinds), sizeof(kinds) - strlen(kinds), " asleep:%s", top[k]);
	snprintf(kinds + strlen(kinds), sizeof(kinds) - strlen(kinds), nt ? " asleep:rest" : " asleep");
	snprintf(file, sizeof(file), "time-%s.dat", sl);
	if ((ret = plot_dat_open(&d, o->outdir, file, msg, len)) < 0)
		return ret;
	fputs("# where a call's wall time went: mean ms per call on a CPU, runnable but\n"
	      "# waiting for one, asleep (the rest); ops.csv cpu_ns, runq_ns, latency_ns;\n"
	      "# the sleep by its top wait sites (offcpu.csv), then the rest of it\n", d.f);
	for (r = 0; r < n; r++) {
		const struct cmp_opstat *s = cmp_run_op(&runs[r], name);
		double v[TIME_SITES + 3], acc = 0.0, rest;

		if (!s || !s->sleep_n)
			continue;
		v[0] = s->cpu_ns / 1e6 / (double)s->sleep_n;
		v[1] = s->runq_ns / 1e6 / (double)s->sleep_n;
		rest = s->sleep_ns / 1e6 / (double)s->sleep_n;
		for (int k = 0; k < nt; k++) {
			double x = site_per_call(s, top[k]) / 1e6;

			v[2 + k] = x > 0 ? (x < rest ? x : rest) : 0;
			rest -= v[2 + k];
		}
		v[2 + nt] = rest > 0 ? rest : 0;
		plot_dat_block(&d, r);
		fprintf(d.f, "# %s: %llu calls measured\n", runs[r].id,
			(unsigned long long)s->sleep_n);
		plot_series(hdr, sizeof(hdr), &runs[r], NULL);
		fprintf(d.f, "%s \"%s\" \"ms_high\"\n", hdr, runs[r].id);
		for (int k = 0; k < nt + 3; k++) {
			fprintf(d.f, "%d %.6g %.6g\n", r + 1, acc, acc + v[k]);
			acc += v[k];
		}
	}
	plot_dat_block(&d, -1);
	fputs("x total_ms tic\n", d.f);
	for (r = 0; r < n; r++) {
		const struct cmp_opstat *s = cmp_run_op(&runs[r], name);

		if (s && s->sleep_n)
			fprintf(d.f, "%d %.6g \"%s\"\n", r + 1,
				(s->cpu_ns + s->runq_ns + s->sleep_ns) / 1e6 / (double)s->sleep_n,
				runs[r].id);
	}
	if ((ret = plot_dat_close(&d, msg, len)) < 0)
		return ret;
	d.blocks--;	/* the totals block is no run's */
	tarr = plot_title_array(runs, &d);
	plot_runs_var(rv, sizeof(rv), &d);
	if (!tarr || asprintf(&vars, "%s; kinds='%s'; ylab='ms per call (mean)'; %s", rv, kinds,
			      tarr) < 0) {
		free(tarr);
		plot_setmsg(msg, len, "out of memory");
		return -ENOMEM;
	}
	snprintf(base, sizeof(base), "time-%s", sl);
	snprintf(title, sizeof(title), "%s: where a call's time went", name);
	snprintf(file, sizeof(file), "%s/time-%s.dat", o->outdir, sl);
	ret = plot_render(o, "stalls.gp", file, base, title, vars, list, msg, len);
	free(tarr);
	free(vars);
	return ret;
}
