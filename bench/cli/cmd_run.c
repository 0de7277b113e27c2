/*
 * `stallbench run`: parses and checks the whole command line before anything
 * is created (bad input is one line on stderr, exit 2, nothing written),
 * then hands the run to the runner. run's own options are one table (name,
 * value, help, setter): getopt_long reads them, --help prints them, and the
 * completion and the man page are written from that help. The options that
 * follow a --workload W are W's (its registry table) and apply to it; run's
 * options may come anywhere, in order (--group opens a group whose limits
 * and workloads follow it). The options are set in run_opts.c, the
 * command line is checked as a whole in run_check.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_args.h"
#include "sysinfo.h"

/* --- the parse ----------------------------------------------------------- */

#define OPT_HELP 'h'
#define OPT_RUN 256		/* + index in run_opts */
#define OPT_WL 4096		/* any workload's option (one value: a prefix of two is no ambiguity) */

static bool have_name(const struct option *lo, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(lo[i].name, name))
			return true;
	return false;
}

static size_t add_long(struct option *lo, size_t n, const char *name, int has_arg, int val)
{
	if (have_name(lo, n, name))
		return n;	/* a run option wins over a workload's, the first workload's name over a later */
	lo[n] = (struct option){ name, has_arg, NULL, val };
	return n + 1;
}

/* getopt_long's table: run's options, --help, and every workload's options
 * and aliases (whose the current one takes is decided after the match). */
static struct option *long_options(void)
{
	size_t n = nr_run_opts + 2, k = 0;
	struct option *lo;

	for (int i = 0; workloads[i]; i++)
		for (const struct wl_opt *o = workloads[i]->opts; o->name; o++)
			n += 1 + !!o->alias;
	lo = calloc(n, sizeof(*lo));
	if (!lo)
		return NULL;
	for (size_t i = 0; i < nr_run_opts; i++)
		k = add_long(lo, k, run_opts[i].name, run_opts[i].arg ? required_argument : no_argument,
			     OPT_RUN + (int)i);
	k = add_long(lo, k, "help", no_argument, OPT_HELP);
	for (int i = 0; workloads[i]; i++)
		for (const struct wl_opt *o = workloads[i]->opts; o->name; o++) {
			k = add_long(lo, k, o->name, required_argument, OPT_WL);
			if (o->alias)
				k = add_long(lo, k, o->alias, required_argument, OPT_WL);
		}
	return lo;
}

/* What getopt refused in arg (ch '?' or ':'), as one line. -EINVAL. */
static int refused(struct run_args *a, const struct option *lo, int ch, const char *arg)
{
	char name[64];
	int n = 0;

	if (strncmp(arg, "--", 2) || !arg[2])
		return bad(a, "'%s': unexpected argument (options start with --; see --help)", arg);
	run_typed_name(arg, name, sizeof(name));
	if (ch == ':')
		return bad(a, "--%s: needs a value", name);
	if (optopt >= OPT_RUN || optopt == OPT_HELP)	/* a flag given a value */
		return bad(a, "--%s: takes no value", name);
	for (const struct option *o = lo; o->name; o++)
		n += !strncmp(o->name, name, strlen(name));
	if (n > 1)
		return bad(a, "--%s: ambiguous (more than one option starts so; see --help)", name);
	return run_unknown(a, name);
}

/* Reads argv into a. 0, 1 for --help (printed), or -EINVAL with a->msg. */
static int parse_args(struct run_args *a, int argc, char **argv)
{
	struct option *lo = long_options();
	int ret = 0, at = 1, ch, li;

	if (!lo)
		return bad(a, "out of memory");
	optind = 0;	/* a fresh getopt scan: main may have used it */
	opterr = 0;
	/* "+": no reordering, the options apply in the order given; ":": a missing value is ':' */
	while (!ret && (at = optind ? optind : 1,
			ch = getopt_long(argc, argv, "+:h", lo, &li)) != -1) {
		if (ch == OPT_HELP) {
			run_usage(stdout);
			ret = 1;
		} else if (ch == '?' || ch == ':') {
			ret = refused(a, lo, ch, argv[at]);
		} else if (ch == OPT_WL) {
			ret = run_set_wl_opt(a, lo[li].name, optarg, argv[at]);
		} else {
			const struct run_opt *o = &run_opts[ch - OPT_RUN];

			ret = o->set(a, o, optarg);
		}
	}
	if (!ret && at < argc && !strcmp(argv[at], "--"))
		ret = bad(a, "'--': unexpected argument (options start with --; see --help)");
	else if (!ret && optind < argc)
		ret = bad(a, "'%s': unexpected argument (options start with --; see --help)",
			  argv[optind]);
	free(lo);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = {
		.c = { .node = -1, .workers = 0, .duration_ns = 10000000000ull,
		       .grace_ns = 30000000000ull, .tick_ns = 100000000ull, .capture = true,
		       .compress = RF_AUTO, .compress_above = RF_AUTO_ABOVE },
		.default_workers = 2,
	};
	int rc = 0, ret;

	a.c.cap_opts.offcpu = true;
	a.c.argv = json_array();
	for (int i = 0; i < argc; i++)
		json_array_append_new(a.c.argv, json_string(argv[i]));
	ret = parse_args(&a, argc, argv);	/* 1: --help, printed */
	/* a sample under TCG costs ~2 ms of guest CPU (a memory.high fill's CPU time 0.43 s
	 * without, 0.78-1.44 s with): there, only when asked */
	a.c.cap_opts.oncpu = a.oncpu ? a.oncpu > 0 : strcmp(sysinfo_virt(), "tcg") != 0;
	if (!ret)
		ret = run_check_args(&a);
	/* --dry-run: the command line is good; nothing of this machine is checked */
	if (!ret && !a.dry_run)
		ret = run_check_out(&a);
	if (ret < 0) {
		fprintf(stderr, "stallbench run: %s\n", a.msg);
		rc = 2;
	} else if (!ret && !a.dry_run) {
		rc = run_execute(&a.c);
	}
	for (unsigned int i = 0; i < a.c.nr_wl; i++) {
		free(a.c.wl[i].priv);
		json_decref(a.c.wl[i].opts);
	}
	json_decref(a.c.argv);
	return rc;
}
