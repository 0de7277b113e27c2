/*
 * stallbench compare DIR_A DIR_B [...]: side-by-side table of runs, each
 * DIR being one result directory or "dir1,dir2,..." (repetitions of one
 * configuration). Text (72 columns, for e-mail) by default, --json or
 * --markdown on request; --verdict prints the significant changes only and
 * says so in its exit code, for scripts (a bisect).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

static void usage(FILE *f)
{
	fputs("usage: stallbench compare DIR_A DIR_B [DIR_C ...] [--format text|json|markdown]\n"
	      "                          [--verdict] [--allow-incomplete] [--alpha P]\n"
	      "  DIR may be DIR1,DIR2,... : repetitions of one configuration; changes are\n"
	      "                      tested on them (Welch's t), so 2+ per side are needed\n"
	      "  --format F          text (72 columns), json, markdown (--json, --markdown)\n"
	      "  --verdict           only the significant changes; exit 0 none, 3 a change,\n"
	      "                      2 not comparable (different experiment, < 2 repetitions)\n"
	      "  --section S         text only: header, verdict or tables (repeatable)\n"
	      "  --allow-incomplete  accept incomplete runs and skip malformed rows\n"
	      "  --alpha P           significance level (default 0.05)\n"
	      "  --vary KEYS         experiment keys the runs differ in on purpose (e.g.\n"
	      "                      cap_bytes,high_bytes: memory.max against memory.high);\n"
	      "                      a difference elsewhere still makes them not comparable\n", f);
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "markdown", no_argument, NULL, 'm' },
		{ "format", required_argument, NULL, 'f' },
		{ "verdict", no_argument, NULL, 'v' },
		{ "section", required_argument, NULL, 's' },
		{ "allow-incomplete", no_argument, NULL, 'i' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "vary", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmp_opts o = { .alpha = 0.05 };
	bool json = false, md = false, verdict = false;
	unsigned int show = 0;
	unsigned int flags = 0;
	struct cmp_run *runs = NULL;
	int nruns = 0, ret = 1, c, i;
	json_t *model = NULL;
	char msg[1024];

	optind = 0;	/* a fresh getopt scan: main may have used it */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'm':
			md = true;
			break;
		case 'f':
			if (!strcmp(optarg, "json")) {
				json = true;
			} else if (!strcmp(optarg, "markdown")) {
				md = true;
			} else if (strcmp(optarg, "text")) {
				fprintf(stderr, "compare: --format %s: text, json or markdown\n", optarg);
				return 2;
			}
			break;
		case 'v':
			verdict = true;
			break;
		case 's':
			if (!strcmp(optarg, "header")) {
				show |= CMP_SHOW_HEADER;
			} else if (!strcmp(optarg, "verdict")) {
				show |= CMP_SHOW_VERDICT;
			} else if (!strcmp(optarg, "tables")) {
				show |= CMP_SHOW_TABLES;
			} else {
				fprintf(stderr, "compare: --section %s: header, verdict or tables\n",
					optarg);
				return 2;
			}
			break;
		case 'i':
			flags |= RR_ALLOW_INCOMPLETE;
			break;
		case 'a': {
			char *end;

			errno = 0;
			o.alpha = strtod(optarg, &end);
			if (errno || *end || !(o.alpha > 0.0 && o.alpha < 1.0)) {
				fprintf(stderr, "compare: --alpha %s: not a probability "
					"(try 0.05)\n", optarg);
				return 2;
			}
			break;
		}
		case 'V':
			if (!*optarg || strspn(optarg, "abcdefghijklmnopqrstuvwxyz0123456789_.[],") !=
			    strlen(optarg)) {
				fprintf(stderr, "compare: --vary '%s': experiment keys, comma-separated "
					"(e.g. cap_bytes,high_bytes)\n", optarg);
				return 2;
			}
			o.vary = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "compare: %s: unknown option (see --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (json + md + verdict > 1) {
		fprintf(stderr, "compare: json, markdown and --verdict exclude each other\n");
		return 2;
	}
	runs = calloc((size_t)argc, sizeof(*runs));
	if (!runs) {
		fprintf(stderr, "compare: out of memory\n");
		return 1;
	}
	/* getopt has moved the directories behind the options. */
	for (i = optind; i < argc; i++) {
		int r = cmp_load(&runs[nruns], argv[i], flags, msg, sizeof(msg));
		if (r < 0) {
			fprintf(stderr, "compare: %s\n", msg);
			ret = (r == -ENOMEM || r == -EIO) ? 1 : 2;
			goto out;
		}
		nruns++;
	}
	if (nruns < 2) {
		fprintf(stderr, "compare: need at least two result directories (see --help)\n");
		ret = 2;
		goto out;
	}
	cmp_label_runs(runs, nruns);
	model = cmp_build(runs, nruns, &o);
	if (!model) {
		fprintf(stderr, "compare: out of memory\n");
		goto out;
	}
	if (verdict) {
		ret = cmp_print_verdict(stdout, model, "");
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "compare: writing the output: %s\n", strerror(EIO));
			ret = 1;
		}
		goto out;
	}
	if (json)
		ret = json_dumpf(model, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) < 0 ?
			-EIO : (fputc('\n', stdout) == EOF ? -EIO : 0);
	else if (md)
		ret = cmp_print_markdown(stdout, model);
	else
		ret = cmp_print_text(stdout, model, show ? show : CMP_SHOW_ALL);
	if (ret == 0 && fflush(stdout) != 0)
		ret = -EIO;
	if (ret < 0) {
		fprintf(stderr, "compare: writing the output: %s\n", strerror(-ret));
		ret = 1;
	}
out:
	for (i = 0; i < nruns; i++)
		cmp_run_free(&runs[i]);
	free(runs);
	json_decref(model);
	return ret;
}
