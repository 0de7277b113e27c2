/*
 * Plots of runs: the stall bars (each kind's time per run) and plot_runs(),
 * which writes every figure: per op (plot_ops.c, plot_time.c), the
 * timeline (plot_timeline.c), the stalls; data files (plot_dat.c) rendered
 * by gnuplot (plot_gp.c).
 */
#include "plot_impl.h"
#include "stallkind.h"
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

/* A stall kind's place in the bars: its schema row's (stallkind.h); a kind
 * this reader does not know follows them, as met; the system's after the run's. */
static int kind_rank(const char *name)
{
	static const struct { const char *name; int bar; } kinds[] = {
#define X(n, b) { n, b },
		SB_STALL_KINDS_BAR(X)
#undef X
	};
	const char *k = strchr(name, '/');
	size_t i;
	int scope = strncmp(name, "system/", 7) == 0 ? 100 : 0;

	k = k ? k + 1 : name;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(k, kinds[i].name) == 0)
			return scope + kinds[i].bar;
	return scope + 50;
}

/*
 * Stall time by kind, stacked bars: per run the mean over its repetitions
 * of each kind's total; the run's own tasks, then the system's if any.
 * 0 or -errno.
 */
/* The stall kinds with stall time in any run, in stacking order; *nk of them, NULL if none or out of memory. */
static const char **stall_kinds(const struct cmp_run *runs, int n, size_t *nk)
{
	const char **kinds = NULL;
	size_t cap = 0, i, j;

	*nk = 0;
	for (int r = 0; r < n; r++) {
		for (i = 0; i < runs[r].nstalls; i++) {
			const char *name = runs[r].stalls[i].name;
			bool seen = false;

			if (!runs[r].stalls[i].total_ns)
				continue;
			for (j = 0; j < *nk && !seen; j++)
				seen = strcmp(kinds[j], name) == 0;
			if (seen)
				continue;
			if (*nk == cap) {
				const char **k2 = realloc(kinds, (cap ? cap * 2 : 8) * sizeof(*k2));

				if (!k2) {
					free(kinds);
					*nk = 0;
					return NULL;
				}
				kinds = k2;
				cap = cap ? cap * 2 : 8;
			}
			kinds[(*nk)++] = name;
		}
	}
	/* stacking order: run's kinds, then system's; insertion sort by rank */
	for (i = 1; i < *nk; i++)
		for (j = i; j > 0 && kind_rank(kinds[j]) < kind_rank(kinds[j - 1]); j--) {
			const char *t = kinds[j];

			kinds[j] = kinds[j - 1];
			kinds[j - 1] = t;
		}
	return kinds;
}

/* Mean stall time of kind over run's repetitions, ms (0 without it). */
static double stall_ms(const struct cmp_run *run, const char *kind)
{
	const struct cmp_stallstat *s = cmp_run_stall(run, kind);

	/* its own time: a throttle inside memcg reclaim is memcg's, drawn once */
	return s ? (double)s->own_ns / 1e6 / (double)(run->ndirs > 0 ? run->ndirs : 1) : 0.0;
}

/* Per run a block of stacked bars (kind by kind), then the totals block. */
static void stall_blocks(struct datfile *d, const struct cmp_run *runs, int n, const char **kinds,
			 size_t nk, bool sys)
{
	char hdr[700];
	int r, g;

	fputs("# stall time by kind: mean over a run's repetitions of each kind's own time (not\n"
	      "# inside an outer stall of its task: stacked, the bars are the stalled time), ms;\n"
	      "# x 1.. = the run's own tasks, after a gap the rest of the system\n", d->f);
	for (r = 0; r < n; r++) {
		double acc[2] = { 0.0, 0.0 };

		plot_dat_block(d, r);
		fprintf(d->f, "# %s: %d repetitions\n", runs[r].id, runs[r].ndirs);
		plot_series(hdr, sizeof(hdr), &runs[r], NULL);
		fprintf(d->f, "%s \"%s\" \"ms_high\"\n", hdr, runs[r].id);
		for (size_t i = 0; i < nk; i++) {
			double ms = stall_ms(&runs[r], kinds[i]);

			g = strncmp(kinds[i], "system/", 7) == 0;
			if (ms > 0.0)
				fprintf(d->f, "%d %.6g %.6g\n", g * (n + 1) + r + 1, acc[g], acc[g] + ms);
			else
				fprintf(d->f, "%d ? ?\n", g * (n + 1) + r + 1);
			acc[g] += ms;
		}
	}
	/* totals: the tic labels and the number on top of each bar */
	plot_dat_block(d, -1);
	fputs("x total_ms tic\n", d->f);
	for (g = 0; g <= (sys ? 1 : 0); g++) {
		for (r = 0; r < n; r++) {
			double tot = 0.0;

			for (size_t i = 0; i < nk; i++)
				if (cmp_run_stall(&runs[r], kinds[i]) &&
				    (strncmp(kinds[i], "system/", 7) == 0) == g)
					tot += stall_ms(&runs[r], kinds[i]);
			fprintf(d->f, "%d %.6g \"%s%s\"\n", g * (n + 1) + r + 1, tot, runs[r].id,
				g ? " sys" : "");
		}
	}
}

static int plot_stalls(const struct cmp_run *runs, int n, const struct plot_opts *o,
		       FILE *list, char *msg, size_t len)
{
	char kv[2048], file[PATH_MAX + 16], title[200], rv[1100];
	char *tarr = NULL, *vars = NULL;
	size_t nk = 0, i, kused = 0;
	const char **kinds = stall_kinds(runs, n, &nk);
	bool sys = false;
	struct datfile d;
	int ret = 0;

	if (!kinds && nk == 0) {
		/* none, or out of memory: tell them apart */
		for (int r = 0; r < n; r++)
			for (i = 0; i < runs[r].nstalls; i++)
				if (runs[r].stalls[i].total_ns) {
					plot_setmsg(msg, len, "out of memory");
					return -ENOMEM;
				}
		return 0;	/* no stall in any run: no figure */
	}
	for (i = 0; i < nk; i++) {
		sys |= strncmp(kinds[i], "system/", 7) == 0;
		if (kused + strlen(kinds[i]) + 2 < sizeof(kv))
			kused += (size_t)snprintf(kv + kused, sizeof(kv) - kused, "%s%s",
						  kused ? " " : "", kinds[i]);
	}
	if ((ret = plot_dat_open(&d, o->outdir, "stalls.dat", msg, len)) < 0)
		goto out;
	stall_blocks(&d, runs, n, kinds, nk, sys);
	if ((ret = plot_dat_close(&d, msg, len)) < 0)
		goto out;
	d.blocks--;	/* the totals block is no run's */
	tarr = plot_title_array(runs, &d);
	plot_runs_var(rv, sizeof(rv), &d);
	if (!tarr || asprintf(&vars, "%s; kinds='%s'; %s", rv, kv, tarr) < 0) {
		vars = NULL;
		ret = -ENOMEM;
		plot_setmsg(msg, len, "out of memory");
		goto out;
	}
	snprintf(title, sizeof(title), "stall time by kind%s", sys ?
		 " (run's tasks; 'sys': the rest of the system)" : "");
	snprintf(file, sizeof(file), "%s/stalls.dat", o->outdir);
	ret = plot_render(o, "stalls.gp", file, "stalls", title, vars, list, msg, len);
out:
	free(tarr);
	free(vars);
	free(kinds);
	return ret;
}

int plot_runs(const struct cmp_run *runs, int n, const struct plot_opts *o, FILE *list,
	      char *msg, size_t len)
{
	char file[PATH_MAX + 16], rv[1100];
	char *tarr = NULL, *vars = NULL;
	struct tl_sum sum = { 0 };
	struct datfile d;
	int r, k, ret;
	size_t i;

	ret = plot_mkdirs(o->outdir);
	if (ret < 0) {
		plot_setmsg(msg, len, "%s: %s", o->outdir, strerror(-ret));
		return ret;
	}
	snprintf(file, sizeof(file), "%s/gnuplot.log", o->outdir);
	unlink(file);
	/* every op of any run, once, in order of first appearance */
	for (r = 0; r < n; r++) {
		for (i = 0; i < runs[r].nops; i++) {
			const char *name = runs[r].ops[i].name;
			bool seen = false;

			for (k = 0; k < r && !seen; k++)
				seen = cmp_run_op(&runs[k], name) != NULL;
			if (seen)
				continue;
			ret = plot_op(runs, n, name, o, list, msg, len);
			if (ret < 0)
				return ret;
		}
	}
	if ((ret = plot_stalls(runs, n, o, list, msg, len)) < 0)
		return ret;
	if ((ret = plot_dat_open(&d, o->outdir, "timeline.dat", msg, len)) < 0)
		return ret;
	for (r = 0; r < n; r++) {
		char *buf = NULL;
		size_t blen = 0;
		FILE *m = open_memstream(&buf, &blen);

		if (!m) {
			fclose(d.f);
			plot_setmsg(msg, len, "out of memory");
			return -ENOMEM;
		}
		ret = plot_timeline_block(&runs[r], m, &sum, msg, len);
		fclose(m);
		if (ret == 0 && blen) {
			/* a run without timeline or run length gets no block */
			plot_dat_block(&d, r);
			fwrite(buf, 1, blen, d.f);
			if (sum.psi_bad && o->warn)
				fprintf(o->warn, "plot: warning: run %s: %u PSI ticks above 100%% "
					"(a measurement error), not drawn\n", runs[r].id, sum.psi_bad);
		}
		free(buf);
		if (ret < 0) {
			fclose(d.f);
			return ret;
		}
	}
	if ((ret = plot_dat_close(&d, msg, len)) < 0)
		return ret;
	if (!d.blocks)
		return 0;
	tarr = plot_title_array(runs, &d);
	plot_runs_var(rv, sizeof(rv), &d);
	if (!tarr || asprintf(&vars, "%s; tmax=%.6g; ymax=%.6g; y2max=%.6g; %s", rv,
			      sum.tmax > 0 ? sum.tmax : 1.0,
			      sum.ymax > 0 ? sum.ymax * 1.05 : 1.0,
			      sum.y2max > 100.0 ? ceil(sum.y2max / 10.0) * 10.0 : 100.0, tarr) < 0) {
		free(tarr);
		plot_setmsg(msg, len, "out of memory");
		return -ENOMEM;
	}
	snprintf(file, sizeof(file), "%s/timeline.dat", o->outdir);
	ret = plot_render(o, "timeline.gp", file, "timeline", "stalls, PSI and memcg usage over time",
		     vars, list, msg, len);
	free(tarr);
	free(vars);
	return ret;
}
