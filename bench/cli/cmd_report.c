/*
 * stallbench report DIR [--format text|json] [--allow-incomplete]: one
 * result directory as a table (readers/report.c, the engine), or its
 * summary.json as written.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

static void usage(FILE *f)
{
	fputs("usage: stallbench report DIR [--format text|json] [--allow-incomplete]\n"
	      "  one result directory as a table: kernel, cap and mm settings, lost\n"
	      "  events, OOM kills, per op count, errors, p50/p99/p99.9/max, the share\n"
	      "  that stalled in reclaim and reclaim rounds, then the stall kinds\n"
	      "  --format F          text (default) or json: summary.json as written (--json)\n"
	      "  --allow-incomplete  read a run whose status is not complete\n", f);
}

struct ropts {
	const char *dir;
	bool as_json, allow;
};

/* The command line into o; -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct ropts *o)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "allow-incomplete", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;	/* a fresh getopt scan: main may have used it */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			o->as_json = true;
			break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "stallbench report: --format %s: text or json\n", optarg);
				return 2;
			}
			o->as_json = !strcmp(optarg, "json");
			break;
		case 'i':
			o->allow = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "stallbench report: %s needs a value (see --help)\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "stallbench report: '%s': unexpected argument (see --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc)
		o->dir = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "stallbench report: '%s': unexpected argument (one DIR)\n", argv[optind]);
		return 2;
	}
	if (!o->dir) {
		fprintf(stderr, "stallbench report: no result directory given (see --help)\n");
		return 2;
	}
	return -1;
}

int cmd_report(int argc, char **argv)
{
	struct ropts o = { 0 };
	json_t *meta, *sum;
	char msg[4096];
	int rc = parse_args(argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (report_load(o.dir, o.allow, &meta, &sum, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "stallbench report: %s\n", msg);
		return 2;
	}
	if (o.as_json) {
		json_dumpf(sum, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
	} else {
		report_text(o.dir, meta, sum);
	}
	json_decref(meta);
	json_decref(sum);
	return 0;
}
