/* stallbench: the command table. A command is cmd_<name>() in its own file
 * plus one row here; only main and the commands exit. */
#include <stdio.h>
#include <string.h>

int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_parse(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_watch(int argc, char **argv);

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "run", cmd_run, "run workloads in a capped cgroup and record every op and stall" },
	{ "report", cmd_report, "print a result directory's summary (--json for summary.json)" },
	{ "compare", cmd_compare, "compare result directories (kernels) with significance" },
	{ "plot", cmd_plot, "gnuplot plots (PNG/SVG + text) of one or more results" },
	{ "watch", cmd_watch, "live view of running runs (top-like; --batch: lines)" },
	{ "doctor", cmd_doctor, "what works on this machine, and why not" },
	{ "parse", cmd_parse, "size|duration VALUE: the values' grammar, for scripts" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: stallbench COMMAND [options]   (stallbench COMMAND --help)\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].help);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "stallbench: no command (run, report, compare, plot, watch, doctor; --help)\n");
		return 2;
	}
	/* stallbench help CMD is CMD --help */
	if (argc == 3 && !strcmp(argv[1], "help")) {
		char *hv[] = { argv[2], (char *)"--help", NULL };

		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			if (!strcmp(argv[2], cmds[i].name))
				return cmds[i].fn(2, hv);
		fprintf(stderr, "stallbench: help '%s': unknown command\n", argv[2]);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("stallbench %s (%s)\n", STALLBENCH_VERSION, STALLBENCH_GIT);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "stallbench: '%s': unknown command (run, report, compare, plot, watch, doctor)\n",
		argv[1]);
	return 2;
}
