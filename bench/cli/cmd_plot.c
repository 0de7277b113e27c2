/*
 * stallbench plot DIR [DIR ...] [--out DIR] [--format png|svg|both]: gnuplot
 * plots of one run or of several side by side (one line per run, legend
 * "ID what-differs"): per op a latency CDF, histogram, reclaim rounds and
 * per-node latency, or for ops with few calls strip plots of latency and
 * rounds; stall time by kind (stacked bars); a stall timeline with PSI and
 * memcg usage, one panel per run; each also as 72-column text (.txt).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

static void usage(FILE *f)
{
	fputs("usage: stallbench plot DIR [DIR ...] [--out OUTDIR] [--format png|svg|both]\n"
	      "                       [--allow-incomplete]\n"
	      "  DIR may be DIR1,DIR2,... : repetitions of one run, pooled\n"
	      "  --out OUTDIR        where plots go (default DIR/plots for one DIR)\n"
	      "  --format F          png, svg or both (default both); .txt always\n"
	      "  --allow-incomplete  accept incomplete runs and skip malformed rows\n"
	      "  STALLBENCH_PLOTS    directory of the gnuplot scripts, if not found\n"
	      "  TMPDIR              where the CDFs' second pass finds each op (~6 bytes, an\n"
	      "                      unlinked file; default /var/tmp; none: ops.csv again)\n", f);
}

/* The command line into o, outdir and flags; -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct plot_opts *o, char *outdir, size_t olen,
		      unsigned int *flags)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "allow-incomplete", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;	/* a fresh getopt scan: main may have used it */
	opterr = 0;
	outdir[0] = '\0';
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			snprintf(outdir, olen, "%s", optarg);
			break;
		case 'f':
			if (strcmp(optarg, "png") && strcmp(optarg, "svg") && strcmp(optarg, "both")) {
				fprintf(stderr, "plot: --format %s: not png, svg or both\n", optarg);
				return 2;
			}
			o->png = strcmp(optarg, "svg") != 0;
			o->svg = strcmp(optarg, "png") != 0;
			break;
		case 'i':
			*flags |= RR_ALLOW_INCOMPLETE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "plot: %s needs a value (see --help)\n", argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "plot: %s: unknown option (see --help)\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "plot: no result directory given (see --help)\n");
		return 2;
	}
	if (!outdir[0]) {
		size_t n;

		if (argc - optind > 1) {
			fprintf(stderr, "plot: several runs need --out DIR for the plots\n");
			return 2;
		}
		n = strcspn(argv[optind], ",");
		snprintf(outdir, olen, "%.*s/plots", (int)n, argv[optind]);
	}
	return -1;
}

int cmd_plot(int argc, char **argv)
{
	struct plot_opts o = { .png = true, .svg = true, .warn = stderr };
	char gnuplot[PATH_MAX], scripts[PATH_MAX], outdir[PATH_MAX], msg[1024];
	struct cmp_run *runs = NULL;
	unsigned int flags = 0;
	int nruns = 0, ret = parse_args(argc, argv, &o, outdir, sizeof(outdir), &flags), i;

	if (ret >= 0)
		return ret;
	/* past the file-size limit a write fails (EFBIG): the later passes'
	 * spill is then dropped and the CSV read again, not the process killed */
	signal(SIGXFSZ, SIG_IGN);
	o.outdir = outdir;
	if (plot_find_gnuplot(gnuplot, sizeof(gnuplot)) < 0) {
		fprintf(stderr, "plot: gnuplot not found in PATH (apt-get install gnuplot-nox)\n");
		return 4;
	}
	o.gnuplot = gnuplot;
	if (plot_find_scripts(scripts, sizeof(scripts), msg, sizeof(msg)) < 0) {
		fprintf(stderr, "plot: %s\n", msg);
		return 4;
	}
	o.scripts = scripts;

	ret = 1;
	runs = calloc((size_t)argc, sizeof(*runs));
	if (!runs) {
		fprintf(stderr, "plot: out of memory\n");
		return 1;
	}
	for (i = optind; i < argc; i++) {
		int r = cmp_load(&runs[nruns], argv[i], flags | CMP_LOAD_CDF, msg, sizeof(msg));

		if (r < 0) {
			fprintf(stderr, "plot: %s\n", msg);
			ret = (r == -ENOMEM || r == -EIO) ? 1 : 2;
			goto out;
		}
		nruns++;
	}
	cmp_label_runs(runs, nruns);
	if (plot_runs(runs, nruns, &o, stdout, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "plot: %s\n", msg);
		ret = 1;
		goto out;
	}
	ret = fflush(stdout) == 0 ? 0 : 1;
out:
	for (i = 0; i < nruns; i++)
		cmp_run_free(&runs[i]);
	free(runs);
	return ret;
}
