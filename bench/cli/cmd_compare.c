/*
 * stallbench compare DIR_A DIR_B [...]: side-by-side table of runs, each
 * DIR being one result directory or "dir1,dir2,..." (repetitions of one
 * configuration). Text (72 columns, for e-mail) by default, --json or
 * --markdown on request; --verdict prints the significant changes only and
 * says so in its exit code, for scripts (a bisect).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
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
	      "  --points FILE       a letter's points instead of DIRs: each line NAME, a tab,\n"
	      "                      then the DIRs of that point, tab-separated; Holm's\n"
	      "                      correction then covers every test of every point\n"
	      "  --format letter     with --points: the cover letter's verdict and compact\n"
	      "                      tables (text: the full tables of every point)\n"
	      "  --allow-incomplete  accept incomplete runs and skip malformed rows\n"
	      "  --alpha P           significance level (default 0.05)\n"
	      "  --vary KEYS         experiment keys the runs differ in on purpose (e.g.\n"
	      "                      cap_bytes,high_bytes: memory.max against memory.high);\n"
	      "                      a difference elsewhere still makes them not comparable\n"
	      "  TMPDIR              where a run whose latencies drift keeps its ops (~6 bytes\n"
	      "                      each, unlinked) for the exact percentiles' second pass\n"
	      "                      (default /var/tmp; none writable: ops.csv read again)\n", f);
}

struct cargs {
	struct cmp_opts o;
	bool json, md, verdict, letter;
	const char *points;	/* --points FILE */
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
		} else if (!strcmp(arg, "letter")) {
			a->letter = true;
		} else if (strcmp(arg, "text")) {
			fprintf(stderr, "compare: --format %s: text, json, markdown or letter\n", arg);
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
	case 'P':
		a->points = arg;
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
		{ "points", required_argument, NULL, 'P' },
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
	if (a->json + a->md + a->verdict + a->letter > 1) {
		fprintf(stderr, "compare: json, markdown, letter and --verdict exclude each other\n");
		return 2;
	}
	if (a->letter && !a->points) {
		fprintf(stderr, "compare: --format letter needs --points FILE\n");
		return 2;
	}
	if (a->points && (a->md || a->verdict)) {
		fprintf(stderr, "compare: --points: text, json or letter\n");
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

/* The measured false-alarm rate of the letter's verdict (tests/compare/letter_test.sh). */
#define AA_RATE	CMP_AA_RATE

/* One point of --points: its name and its runs, loaded and modelled. */
struct point {
	char name[160];
	struct cmp_run *runs;
	int nruns;
	json_t *model;
};

static void points_free(struct point *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (int r = 0; r < p[i].nruns; r++)
			cmp_run_free(&p[i].runs[r]);
		free(p[i].runs);
		json_decref(p[i].model);
	}
	free(p);
}

/*
 * --points FILE: every line "NAME<TAB>DIR_A<TAB>DIR_B...", one comparison
 * each, all of them one family. Loads and models them into *out; the exit
 * code on an error (stderr says it), -1 to go on.
 */
static int load_points(const struct cargs *a, struct point **out, size_t *nout)
{
	FILE *f = fopen(a->points, "r");
	struct point *p = NULL;
	size_t n = 0, cap = 0, lineno = 0;
	char *line = NULL, msg[1024];
	size_t llen = 0;
	int ret = 2;

	if (!f) {
		fprintf(stderr, "compare: --points %s: %s\n", a->points, strerror(errno));
		return 2;
	}
	while (getline(&line, &llen, f) > 0) {
		char *save = NULL, *tok;
		struct point *q;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			q = realloc(p, cap * sizeof(*p));
			if (!q) {
				ret = 1;
				fprintf(stderr, "compare: out of memory\n");
				goto out;
			}
			p = q;
		}
		q = &p[n++];
		memset(q, 0, sizeof(*q));
		tok = strtok_r(line, "\t", &save);
		snprintf(q->name, sizeof(q->name), "%s", tok);
		q->runs = calloc(64, sizeof(*q->runs));
		if (!q->runs) {
			ret = 1;
			fprintf(stderr, "compare: out of memory\n");
			goto out;
		}
		while ((tok = strtok_r(NULL, "\t", &save)) && q->nruns < 64) {
			int r = cmp_load(&q->runs[q->nruns], tok, a->flags, msg, sizeof(msg));

			if (r < 0) {
				fprintf(stderr, "compare: --points %s line %zu: %s\n", a->points,
					lineno, msg);
				ret = (r == -ENOMEM || r == -EIO) ? 1 : 2;
				goto out;
			}
			q->nruns++;
		}
		if (q->nruns < 2) {
			fprintf(stderr, "compare: --points %s line %zu: a name and at least two "
				"DIRs, tab-separated\n", a->points, lineno);
			goto out;
		}
		if (n > 1 && q->nruns != p[0].nruns) {
			fprintf(stderr, "compare: --points %s line %zu: %d runs, the first point "
				"has %d\n", a->points, lineno, q->nruns, p[0].nruns);
			goto out;
		}
		cmp_label_runs(q->runs, q->nruns);
		q->model = cmp_build(q->runs, q->nruns, &a->o);
		if (!q->model) {
			ret = 1;
			fprintf(stderr, "compare: out of memory\n");
			goto out;
		}
	}
	if (!n) {
		fprintf(stderr, "compare: --points %s: no point in it\n", a->points);
		goto out;
	}
	ret = -1;
out:
	free(line);
	fclose(f);
	if (ret >= 0) {
		points_free(p, n);
		return ret;
	}
	*out = p;
	*nout = n;
	return -1;
}

/* --points: one family over every point, printed as a letter, text or JSON. */
static int print_points(const struct cargs *a)
{
	struct point *p = NULL;
	size_t n = 0, i;
	json_t **models = NULL, *j = NULL;
	const char **names = NULL;
	int ret = load_points(a, &p, &n);

	if (ret >= 0)
		return ret;
	ret = 1;
	models = calloc(n, sizeof(*models));
	names = calloc(n, sizeof(*names));
	if (!models || !names || (j = json_array()) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		models[i] = p[i].model;
		names[i] = p[i].name;
	}
	if (cmp_family_adjust(models, n, a->o.alpha) < 0)
		goto oom;
	if (a->letter) {
		ret = cmp_print_letter(stdout, models, names, n, AA_RATE);
	} else if (a->json) {
		json_t *root = json_pack("{s:s,s:o}", "tool", "stallbench compare --points",
					 "points", j);

		j = NULL;
		for (i = 0; i < n; i++)
			json_array_append_new(json_object_get(root, "points"), json_pack("{s:s,s:O}",
				"name", names[i], "model", models[i]));
		ret = json_dumpf(root, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(10)) < 0 ?
			-EIO : (fputc('\n', stdout) == EOF ? -EIO : 0);
		json_decref(root);
	} else {
		for (i = 0; i < n && ret != -EIO; i++) {
			printf("%s=== %s\n", i ? "\n" : "", names[i]);
			ret = cmp_print_text(stdout, models[i], (a->show ? a->show : CMP_SHOW_ALL) |
					     (i + 1 < n ? CMP_SHOW_NOFOOT : 0));
		}
	}
	if (ret == 0 && fflush(stdout) != 0)
		ret = -EIO;
	if (ret < 0) {
		fprintf(stderr, "compare: writing the output: %s\n", strerror(-ret));
		ret = 1;
	}
	goto out;
oom:
	fprintf(stderr, "compare: out of memory\n");
out:
	json_decref(j);
	free(models);
	free(names);
	points_free(p, n);
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
	/* past the file-size limit a write fails (EFBIG): the later passes'
	 * spill is then dropped and the CSV read again, not the process killed */
	signal(SIGXFSZ, SIG_IGN);
	if (a.points) {
		if (optind < argc) {
			fprintf(stderr, "compare: --points takes no DIR (%s)\n", argv[optind]);
			return 2;
		}
		return print_points(&a);
	}
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
