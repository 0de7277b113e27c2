/* stallbench: the command table. A command is cmd_<name>() in its own file
 * plus one row here; only main and the commands exit. */
#include <stdio.h>
#include <string.h>

#include "cmds.h"

const struct cmd sb_cmds[] = {
	{ "run", cmd_run, "run workloads in a capped cgroup and record every op and stall" },
	{ "report", cmd_report, "print a result directory's summary (text or JSON)" },
	{ "compare", cmd_compare, "compare result directories (kernels) with significance" },
	{ "plot", cmd_plot, "gnuplot plots (PNG/SVG + text) of one or more results" },
	{ "bundle", cmd_bundle, "one archive of a comparison: letter, page, raw results" },
	{ "watch", cmd_watch, "live view of running runs (top-like; --batch: lines)" },
	{ "doctor", cmd_doctor, "what works on this machine, and why not" },
	{ "parse", cmd_parse, "size|duration VALUE: the values' grammar, for scripts" },
	{ "completion", cmd_completion, "print the bash completion script" },
};
const size_t sb_nr_cmds = sizeof(sb_cmds) / sizeof(sb_cmds[0]);

static void usage(FILE *f)
{
	fprintf(f, "usage: stallbench COMMAND [options]\n"
		"  a memory-pressure benchmark and reclaim-stall profiler: workloads in\n"
		"  memory-capped cgroups, every operation and reclaim stall recorded,\n"
		"  results compared across kernels as tables and gnuplot plots\n\n"
		"commands:\n");
	for (size_t i = 0; i < sb_nr_cmds; i++)
		fprintf(f, "  %-11s %s\n", sb_cmds[i].name, sb_cmds[i].help);
	fprintf(f, "\n  help CMD    the same as CMD --help\n"
		"  --version   version and commit\n\n"
		"exit status: 0 ok, 1 failure, 2 bad usage or input (nothing written),\n"
		"3 (compare --verdict) a significant change, 4 cannot run here\n");
}

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < sb_nr_cmds; i++)
		if (!strcmp(name, sb_cmds[i].name))
			return &sb_cmds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		fprintf(stderr, "stallbench: no command (run, report, compare, plot, bundle, watch, doctor; --help)\n");
		return 2;
	}
	/* stallbench help CMD is CMD --help */
	if (argc == 3 && !strcmp(argv[1], "help")) {
		char *hv[] = { argv[2], (char *)"--help", NULL };

		if ((c = find_cmd(argv[2])))
			return c->fn(2, hv);
		fprintf(stderr, "stallbench: help '%s': unknown command\n", argv[2]);
		return 2;
	}
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "help"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))) {
		printf("stallbench %s (%s)\n", STALLBENCH_VERSION, STALLBENCH_GIT);
		return 0;
	}
	if ((c = find_cmd(argv[1])))
		return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "stallbench: '%s': unknown command (run, report, compare, plot, bundle, watch, doctor; "
		"--help)\n", argv[1]);
	return 2;
}
