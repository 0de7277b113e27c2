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

struct cargs {
	struct cmp_opts o;
	bool json, md, verdict;
	unsigned int show;	/* CMP_SHOW_*, 0: all */
	unsigned int flags;	/* RR_* for cmp_load */
};

/* --section S into a CMP_SHOW_* bit; 0 when S is none of them. */
static unsigned int section_bit(const char *s)
{
	return !strcmp(s, "header") ? CMP_SHOW_HEADER : !strcmp(s, "verdict") ? CMP_SHOW_VERDICT :
	       !strcmp(s, "tables") ? CMP_SHOW_TABLES : 0;
}

/* One option c (its value in arg) into a; -1 to go on, else the exit code. */
static int take_option(int c, const char *arg, struct cargs *a)
{
	char *end;

	switch (c) {
	case 'j':
		a->json = true;
		return -1;
	case 'm':
		a->md = true;
		return -1;
	case 'f':
		if (!strcmp(arg, "json")) {
			a->json = true;
		} else if (!strcmp(arg, "markdown")) {
			a->md = true;
		} else if (strcmp(arg, "text")) {
			fprintf(stderr, "compare: --format %s: text, json or markdown\n", arg);
			return 2;
		}
		return -1;
	case 'v':
		a->verdict = true;
		return -1;
	case 's':
		if (!section_bit(arg)) {
			fprintf(stderr, "compare: --section %s: header, verdict or tables\n", arg);
			return 2;
		}
		a->show |= section_bit(arg);
		return -1;
	case 'i':
		a->flags |= RR_ALLOW_INCOMPLETE;
		return -1;
	case 'a':
		errno = 0;
		a->o.alpha = strtod(arg, &end);
		if (errno || *end || !(a->o.alpha > 0.0 && a->o.alpha < 1.0)) {
			fprintf(stderr, "compare: --alpha %s: not a probability (try 0.05)\n", arg);
			return 2;
		}
		return -1;
	case 'V':
		if (!*arg || strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789_.[],") != strlen(arg)) {
			fprintf(stderr, "compare: --vary '%s': experiment keys, comma-separated "
				"(e.g. cap_bytes,high_bytes)\n", arg);
			return 2;
		}
		a->o.vary = arg;
		return -1;
	case 'h':
		usage(stdout);
		return 0;
	default:
		return 2;
	}
}

/* The command line into a (the directories are left from optind on); -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct cargs *a)
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
	int c, rc;

	optind = 0;	/* a fresh getopt scan: main may have used it */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		rc = take_option(c, optarg, a);
		if (rc == 2 && (c == '?' || c == ':'))
			fprintf(stderr, "compare: %s: unknown option (see --help)\n", argv[optind - 1]);
		if (rc >= 0)
			return rc;
	}
	if (a->json + a->md + a->verdict > 1) {
		fprintf(stderr, "compare: json, markdown and --verdict exclude each other\n");
		return 2;
	}
	return -1;
}

/* The model as asked for; the exit code. */
static int print_model(json_t *model, const struct cargs *a)
{
	int ret;

	if (a->verdict) {
		ret = cmp_print_verdict(stdout, model, "");
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "compare: writing the output: %s\n", strerror(EIO));
			ret = 1;
		}
		return ret;
	}
	if (a->json)
		ret = json_dumpf(model, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) < 0 ?
			-EIO : (fputc('\n', stdout) == EOF ? -EIO : 0);
	else if (a->md)
		ret = cmp_print_markdown(stdout, model);
	else
		ret = cmp_print_text(stdout, model, a->show ? a->show : CMP_SHOW_ALL);
	if (ret == 0 && fflush(stdout) != 0)
		ret = -EIO;
	if (ret < 0) {
		fprintf(stderr, "compare: writing the output: %s\n", strerror(-ret));
		ret = 1;
	}
	return ret;
}

int cmd_compare(int argc, char **argv)
{
	struct cargs a = { .o = { .alpha = 0.05 } };
	struct cmp_run *runs = NULL;
	int nruns = 0, ret = parse_args(argc, argv, &a), i;
	json_t *model = NULL;
	char msg[1024];

	if (ret >= 0)
		return ret;
	ret = 1;
	runs = calloc((size_t)argc, sizeof(*runs));
	if (!runs) {
		fprintf(stderr, "compare: out of memory\n");
		return 1;
	}
	/* getopt has moved the directories behind the options. */
	for (i = optind; i < argc; i++) {
		int r = cmp_load(&runs[nruns], argv[i], a.flags, msg, sizeof(msg));
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
	model = cmp_build(runs, nruns, &a.o);
	if (!model) {
		fprintf(stderr, "compare: out of memory\n");
		goto out;
	}
	ret = print_model(model, &a);
out:
	for (i = 0; i < nruns; i++)
		cmp_run_free(&runs[i]);
	free(runs);
	json_decref(model);
	return ret;
}
