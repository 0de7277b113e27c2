/*
 * Plots of runs: writes gnuplot data files (.dat, one index block per run)
 * into an output directory and runs the scripts in plots/ on them, for PNG,
 * SVG and a 72-column text rendering (.txt) to paste into e-mail. Reads
 * only what cmp_load() loaded plus each run's timeline.csv and stalls.csv.
 * Each line's legend is "ID label" (cmp_label_runs: what differs), a run
 * keeps its colour in every figure; an op some run finished fewer than 50
 * times is a strip plot (every call, or each repetition's value, and the
 * median), not a CDF; timelines are one panel per run.
 */
#ifndef STALLBENCH_PLOT_H
#define STALLBENCH_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compare.h"

struct plot_opts {
	const char *outdir;
	bool png, svg;		/* .txt is always made */
	const char *scripts;	/* the plots/ directory */
	const char *gnuplot;	/* path of the gnuplot binary */
	FILE *warn;		/* warnings (PSI above 100%...); NULL: none */
};

/* gnuplot's path from PATH into buf. 0 or -ENOENT. */
int plot_find_gnuplot(char *buf, size_t len);
/*
 * The plots/ directory: $STALLBENCH_PLOTS, else STALLBENCH_SRCDIR "/plots"
 * (compile time), else ../plots beside the executable. 0 or -ENOENT, with
 * the places tried in msg.
 */
int plot_find_scripts(char *buf, size_t len, char *msg, size_t msglen);
/*
 * Writes the data files and every plot; lists each file written on list
 * (may be NULL). 0 or -errno with msg set.
 */
int plot_runs(const struct cmp_run *runs, int n, const struct plot_opts *o, FILE *list,
	      char *msg, size_t len);

#endif
