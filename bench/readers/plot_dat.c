/*
 * Plots, the data files: plain whitespace tables in gnuplot's index-block
 * layout (two blank lines between runs, each block led by a row of quoted
 * series names), so each script plots "one line per run" with `plot for
 * [i=0:*]` and can be re-run by hand on the same file; the runs' legends.
 */
#include "plot_impl.h"
#include "signif.h"
#include "stallunion.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void plot_setmsg(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
}

int plot_mkdirs(const char *dir)
{
	char tmp[PATH_MAX];
	char *p;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* "truncate-storm/unlink_close" -> "truncate-storm-unlink_close" */
void plot_slug(char *out, size_t len, const char *name)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++) {
		char c = name[i];

		out[i] = (c == '-' || c == '_' || c == '.' || (c >= '0' && c <= '9') ||
			  (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ? c : '-';
	}
	out[i] = '\0';
}

/*
 * A legend: "ID label", the label cut at a word boundary to PLOT_LEGEND_MAX
 * columns ("..." marks the cut), so it stays one line beside any figure.
 */

void plot_legend(char *out, size_t len, const struct cmp_run *r)
{
	char lab[PLOT_LEGEND_MAX + 8];
	size_t n = strlen(r->label);

	if (n <= PLOT_LEGEND_MAX) {
		snprintf(lab, sizeof(lab), "%s", r->label);
	} else {
		size_t cut = PLOT_LEGEND_MAX - 3;

		while (cut > 8 && r->label[cut] != ' ' && r->label[cut] != ',')
			cut--;
		if (cut <= 8)
			cut = PLOT_LEGEND_MAX - 3;
		while (cut > 0 && (r->label[cut - 1] == ' ' || r->label[cut - 1] == ','))
			cut--;
		snprintf(lab, sizeof(lab), "%.*s...", (int)cut, r->label);
	}
	snprintf(out, len, "%s %s", r->id, lab);
}

/* A run's name in a data file's header row: quotes would end the string. */
void plot_series(char *out, size_t len, const struct cmp_run *r, const char *suffix)
{
	char lg[PLOT_LEGEND_MAX + 16];
	char *p;

	plot_legend(lg, sizeof(lg), r);
	snprintf(out, len, "\"%s%s%s", lg, suffix ? " " : "", suffix ? suffix : "");
	for (p = out + 1; *p; p++)
		if (*p == '"' || *p == '\\')
			*p = '\'';
	if (strlen(out) + 2 <= len)
		strcat(out, "\"");
}

/*
 * A data file and the run of each of its index blocks: runs="0 2" goes to
 * the script, so a run's colour follows the run, not the block.
 */

int plot_dat_open(struct datfile *d, const char *dir, const char *name, char *msg, size_t len)
{
	if (snprintf(d->path, sizeof(d->path), "%s/%s", dir, name) >= (int)sizeof(d->path)) {
		plot_setmsg(msg, len, "%s/%s: path too long", dir, name);
		return -ENAMETOOLONG;
	}
	d->blocks = 0;
	d->runs[0] = '\0';
	d->rused = 0;
	d->f = fopen(d->path, "w");
	if (!d->f) {
		int e = errno;

		plot_setmsg(msg, len, "%s: %s", d->path, strerror(e));
		return -e;
	}
	return 0;
}

/* Starts the index block of run index run (-1: a block that is no run's). */
void plot_dat_block(struct datfile *d, int run)
{
	if (d->blocks++)
		fputs("\n\n", d->f);
	if (run >= 0 && d->rused + 12 < sizeof(d->runs))
		d->rused += (size_t)snprintf(d->runs + d->rused, sizeof(d->runs) - d->rused, "%s%d",
					     d->rused ? " " : "", run);
}

int plot_dat_close(struct datfile *d, char *msg, size_t len)
{
	int bad = ferror(d->f);

	if (fclose(d->f) != 0 || bad) {
		plot_setmsg(msg, len, "%s: write error", d->path);
		return -EIO;
	}
	return 0;
}

/* gnuplot's single-quoted string: '' stands for one quote. */

/* "runs='0 2'" for a data file's blocks, into buf. */
void plot_runs_var(char *buf, size_t len, const struct datfile *d)
{
	snprintf(buf, len, "runs='%s'", d->runs);
}

/* "array T[n] = ['A label', ...]" for the runs of a data file's blocks. */
char *plot_title_array(const struct cmp_run *runs, const struct datfile *d)
{
	char *buf = NULL, lg[PLOT_LEGEND_MAX + 16], q[2 * PLOT_LEGEND_MAX + 40];
	size_t blen = 0;
	const char *p = d->runs;
	FILE *m = open_memstream(&buf, &blen);
	int k = 0;

	if (!m)
		return NULL;
	fprintf(m, "array T[%d] = [", d->blocks > 0 ? d->blocks : 1);
	while (*p) {
		char *end;
		long r = strtol(p, &end, 10);

		if (end == p)
			break;
		plot_legend(lg, sizeof(lg), &runs[r]);
		plot_gp_quote(q, sizeof(q), lg);
		fprintf(m, "%s%s", k++ ? ", " : "", q);
		p = end;
	}
	if (!k)
		fputs("''", m);
	fputs("]", m);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
