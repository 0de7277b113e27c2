/* What the plot files share among themselves (not for other users). */
#ifndef STALLBENCH_PLOT_IMPL_H
#define STALLBENCH_PLOT_IMPL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "plot.h"

#define PLOT_LEGEND_MAX	40

void plot_setmsg(char *msg, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* plot_dat.c */
struct datfile {
	FILE *f;
	char path[PATH_MAX];
	int blocks;
	char runs[1024];
	size_t rused;
};
int plot_mkdirs(const char *dir);
/* name as a file name's part: [A-Za-z0-9.-], the rest '_' */
void plot_slug(char *out, size_t len, const char *name);
/* "ID label", cut to PLOT_LEGEND_MAX */
void plot_legend(char *out, size_t len, const struct cmp_run *r);
/* a block's header row of quoted series names */
void plot_series(char *out, size_t len, const struct cmp_run *r, const char *suffix);
int plot_dat_open(struct datfile *d, const char *dir, const char *name, char *msg, size_t len);
void plot_dat_block(struct datfile *d, int run);
int plot_dat_close(struct datfile *d, char *msg, size_t len);
void plot_runs_var(char *buf, size_t len, const struct datfile *d);
char *plot_title_array(const struct cmp_run *runs, const struct datfile *d);

/* plot_gp.c */
void plot_gp_quote(char *out, size_t len, const char *s);
/* Runs script on data into base.{png,svg,txt} with title and vars; lists the files. */
int plot_render(const struct plot_opts *o, const char *script, const char *data,
		const char *base, const char *title, const char *vars, FILE *list,
		char *msg, size_t len);

/* plot_ops.c, plot_time.c */
int plot_op(const struct cmp_run *runs, int n, const char *name,
	    const struct plot_opts *o, FILE *list, char *msg, size_t len);
int plot_time(const struct cmp_run *runs, int n, const char *name, const char *sl,
	      const struct plot_opts *o, FILE *list, char *msg, size_t len);

/* plot_timeline.c */
struct tl_sum {
	double tmax, ymax;
	double y2max;		/* right axis: 100%, or memcg usage past the cap (NOFAIL charges) */
	unsigned int psi_bad;	/* ticks of this run with PSI above 100% */
};
int plot_timeline_block(const struct cmp_run *run, FILE *f, struct tl_sum *sum,
			char *msg, size_t len);

#endif
