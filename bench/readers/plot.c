/*
 * Plot data and gnuplot runs. Data files are plain whitespace tables in
 * gnuplot's index-block layout (two blank lines between runs, each block
 * led by a row of quoted series names), so each script plots "one line per
 * run" with `plot for [i=0:*]` and can be re-run by hand on the same file.
 * CDFs are thinned to a few thousand points that keep the tail: a 10M-op
 * run would otherwise make a 10M-point SVG.
 */
#include "plot.h"
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

static void setmsg(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void setmsg(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
}

int plot_find_gnuplot(char *buf, size_t len)
{
	const char *path = getenv("PATH");
	const char *p = path ? path : "/usr/bin:/bin";

	while (*p) {
		size_t m = strcspn(p, ":");

		if (m && (size_t)snprintf(buf, len, "%.*s/gnuplot", (int)m, p) < len &&
		    access(buf, X_OK) == 0)
			return 0;
		p += m;
		if (*p)
			p++;
	}
	return -ENOENT;
}

static bool has_scripts(const char *dir)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/cdf.gp", dir);
	return access(path, R_OK) == 0;
}

int plot_find_scripts(char *buf, size_t len, char *msg, size_t msglen)
{
	const char *env = getenv("STALLBENCH_PLOTS");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		if (has_scripts(buf))
			return 0;
		setmsg(msg, msglen, "STALLBENCH_PLOTS=%s: no cdf.gp there", env);
		return -ENOENT;
	}
	/* installed: <prefix>/bin/stallbench finds <prefix>/share/stallbench/plots,
	 * wherever the prefix is; in the build tree: the source tree's plots/ */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
#ifdef STALLBENCH_PLOTS_REL
		snprintf(buf, len, "%s/%s", exe, STALLBENCH_PLOTS_REL);
		if (has_scripts(buf))
			return 0;
#endif
	}
#ifdef STALLBENCH_SRCDIR
	snprintf(buf, len, "%s/plots", STALLBENCH_SRCDIR);
	if (has_scripts(buf))
		return 0;
#endif
	setmsg(msg, msglen, "no gnuplot scripts found (not installed beside the binary, no "
	       "source tree; set STALLBENCH_PLOTS to the plots/ directory)");
	return -ENOENT;
}

/* mkdir -p. 0 or -errno. */
static int mkdirs(const char *dir)
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
static void slug(char *out, size_t len, const char *name)
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
#define PLOT_LEGEND_MAX	40

static void legend(char *out, size_t len, const struct cmp_run *r)
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
static void series(char *out, size_t len, const struct cmp_run *r, const char *suffix)
{
	char lg[PLOT_LEGEND_MAX + 16];
	char *p;

	legend(lg, sizeof(lg), r);
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
struct datfile {
	FILE *f;
	char path[PATH_MAX];
	int blocks;
	char runs[1024];
	size_t rused;
};

static int dat_open(struct datfile *d, const char *dir, const char *name, char *msg, size_t len)
{
	if (snprintf(d->path, sizeof(d->path), "%s/%s", dir, name) >= (int)sizeof(d->path)) {
		setmsg(msg, len, "%s/%s: path too long", dir, name);
		return -ENAMETOOLONG;
	}
	d->blocks = 0;
	d->runs[0] = '\0';
	d->rused = 0;
	d->f = fopen(d->path, "w");
	if (!d->f) {
		int e = errno;

		setmsg(msg, len, "%s: %s", d->path, strerror(e));
		return -e;
	}
	return 0;
}

/* Starts the index block of run index run (-1: a block that is no run's). */
static void dat_block(struct datfile *d, int run)
{
	if (d->blocks++)
		fputs("\n\n", d->f);
	if (run >= 0 && d->rused + 12 < sizeof(d->runs))
		d->rused += (size_t)snprintf(d->runs + d->rused, sizeof(d->runs) - d->rused, "%s%d",
					     d->rused ? " " : "", run);
}

static int dat_close(struct datfile *d, char *msg, size_t len)
{
	int bad = ferror(d->f);

	if (fclose(d->f) != 0 || bad) {
		setmsg(msg, len, "%s: write error", d->path);
		return -EIO;
	}
	return 0;
}

/* gnuplot's single-quoted string: '' stands for one quote. */
static void gp_quote(char *out, size_t len, const char *s)
{
	size_t o = 0;

	if (len < 3)
		return;
	out[o++] = '\'';
	for (; *s && o + 3 < len; s++) {
		if (*s == '\'')
			out[o++] = '\'';
		out[o++] = *s;
	}
	out[o++] = '\'';
	out[o] = '\0';
}

/*
 * Runs script on data into out; vars are more gnuplot statements for the
 * script (runs='0 1', ...). 0 or -errno with msg naming the log.
 */
static int gp_run(const struct plot_opts *o, const char *script, const char *data,
		  const char *out, const char *title, const char *vars, char *msg, size_t len)
{
	char qin[PATH_MAX + 8], qout[PATH_MAX + 8], qt[520];
	char spath[PATH_MAX], logpath[PATH_MAX];
	size_t elen = strlen(vars ? vars : "") + sizeof(qin) + sizeof(qout) + sizeof(qt) + 64;
	char *expr;
	pid_t pid;
	int st, fd;

	expr = malloc(elen);
	if (!expr) {
		setmsg(msg, len, "out of memory");
		return -ENOMEM;
	}
	gp_quote(qin, sizeof(qin), data);
	gp_quote(qout, sizeof(qout), out);
	gp_quote(qt, sizeof(qt), title);
	snprintf(expr, elen, "in=%s; out=%s; title=%s%s%s", qin, qout, qt,
		 vars && *vars ? "; " : "", vars ? vars : "");
	snprintf(spath, sizeof(spath), "%s/%s", o->scripts, script);
	snprintf(logpath, sizeof(logpath), "%s/gnuplot.log", o->outdir);
	fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;

		free(expr);
		setmsg(msg, len, "%s: %s", logpath, strerror(e));
		return -e;
	}
	dprintf(fd, "# %s -e \"%s\" %s\n", o->gnuplot, expr, spath);
	pid = fork();
	if (pid < 0) {
		int e = errno;

		free(expr);
		close(fd);
		setmsg(msg, len, "fork: %s", strerror(e));
		return -e;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
		}
		dup2(fd, 2);
		execl(o->gnuplot, "gnuplot", "-e", expr, spath, (char *)NULL);
		dprintf(2, "exec %s: %s\n", o->gnuplot, strerror(errno));
		_exit(127);
	}
	free(expr);
	close(fd);
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			int e = errno;

			setmsg(msg, len, "waitpid: %s", strerror(e));
			return -e;
		}
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		setmsg(msg, len, "gnuplot failed on %s for %s (see %s)", script, out, logpath);
		return -EIO;
	}
	return 0;
}

/*
 * Text plots go into e-mail: drop gnuplot's form feeds and trailing blanks.
 * 0 or -errno.
 */
static int tidy_text(const char *path)
{
	char line[512];
	char *buf = NULL;
	size_t blen = 0;
	FILE *in = fopen(path, "r"), *m;
	int ret = 0;

	if (!in)
		return -errno;
	m = open_memstream(&buf, &blen);
	if (!m) {
		fclose(in);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), in)) {
		char *p = line, *e;

		while (*p == '\f')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\f'))
			e--;
		fprintf(m, "%.*s\n", (int)(e - p), p);
	}
	fclose(in);
	fclose(m);
	in = fopen(path, "w");
	if (!in || fwrite(buf, 1, blen, in) != blen)
		ret = -EIO;
	if (in && fclose(in) != 0)
		ret = -EIO;
	free(buf);
	return ret;
}

/* Renders data with script into base.{png,svg,txt}. 0 or -errno. */
static int render(const struct plot_opts *o, const char *script, const char *data,
		  const char *base, const char *title, const char *vars, FILE *list,
		  char *msg, size_t len)
{
	static const char *const ext[] = { "png", "svg", "txt" };
	char out[PATH_MAX + 8];
	int i, ret;

	for (i = 0; i < 3; i++) {
		if ((i == 0 && !o->png) || (i == 1 && !o->svg))
			continue;
		snprintf(out, sizeof(out), "%s/%s.%s", o->outdir, base, ext[i]);
		ret = gp_run(o, script, data, out, title, vars, msg, len);
		if (ret == 0 && i == 2 && (ret = tidy_text(out)) < 0)
			setmsg(msg, len, "%s: %s", out, strerror(-ret));
		if (ret < 0)
			return ret;
		if (list)
			fprintf(list, "%s\n", out);
	}
	return 0;
}

static const struct cmp_opstat *find_op(const struct cmp_run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nops; i++)
		if (strcmp(r->ops[i].name, name) == 0)
			return &r->ops[i];
	return NULL;
}

/* CDF points: every op up to CMP_CDF_ALL, else a grid plus a log-spaced tail
 * (cmp_cdf_ranks: the ranks the load asked for with CMP_LOAD_CDF). */
static void write_cdf(FILE *f, const struct cmp_opstat *s)
{
	uint64_t n = s->count, *rk = malloc(CMP_CDF_MAX * sizeof(*rk));
	size_t m, i;

	if (!rk)
		return;
	m = cmp_cdf_ranks(n, rk);
	for (i = 0; i < m; i++)
		fprintf(f, "%.6g %.9g\n", cmp_lat_rank(s, rk[i]) / 1e3, (double)rk[i] / (double)n);
	free(rk);
}

static int lat_bucket(double ns)
{
	return ns < 1.0 ? 0 : (int)floor(log2(ns));
}

static int rounds_bucket_of(uint64_t v)
{
	return v < 4 ? (int)v : 63 - __builtin_clzll(v) + 2;
}

static void rounds_label(char *buf, size_t len, int b)
{
	if (b < 4)
		snprintf(buf, len, "%d", b);
	else
		snprintf(buf, len, "%llu-%llu", 1ull << (b - 2), (1ull << (b - 1)) - 1);
}

/* Calls of op o whose rounds fall in bucket b. */
static uint64_t rounds_in(const struct cmp_opstat *o, int b)
{
	uint64_t c = 0, v;

	if (b < 4)
		return o->rounds_lo[b];
	for (v = 1ull << (b - 2); v < (1ull << (b - 1)) && v < CMP_ROUNDS_EXACT; v++)
		c += o->rounds_lo[v];
	if (b - 2 >= 10)
		c += o->rounds_hi[b - 2];
	return c;
}

/* Under this many finished calls a run's figure is a strip plot, not a CDF. */
#define PLOT_FEW_OPS	CMP_FEW_OPS	/* the load kept each of their values */

/* "runs='0 2'" for a data file's blocks, into buf. */
static void runs_var(char *buf, size_t len, const struct datfile *d)
{
	snprintf(buf, len, "runs='%s'", d->runs);
}

static char *title_array(const struct cmp_run *runs, const struct datfile *d);

/* Strip-plot values: latency or reclaim rounds. */
enum strip_what { STRIP_LAT, STRIP_ROUNDS };

/* A strip plot's axis: values divided by div are in unit; ylab says so (and a log scale). */
struct strip_axis {
	double lo, hi, div;
	const char *unit;
	char ylab[120];
};

/* The unit and axis from every value drawn. */
static void strip_axis(const struct cmp_run *runs, int n, const char *name, enum strip_what what,
		       struct strip_axis *ax)
{
	ax->lo = INFINITY;
	ax->hi = 0.0;
	ax->div = 1.0;
	ax->unit = "";
	for (int r = 0; r < n; r++) {
		const struct cmp_opstat *s = find_op(&runs[r], name);
		const struct qsel *v;

		if (!s || !s->count)
			continue;
		v = what == STRIP_LAT ? &s->lat : &s->rounds;
		ax->lo = fmin(ax->lo, (double)v->h.min);
		ax->hi = fmax(ax->hi, (double)v->h.max);
	}
	if (what == STRIP_LAT) {
		if (ax->hi >= 1e10) {
			ax->div = 1e9;
			ax->unit = "s";
		} else if (ax->hi >= 1e7) {
			ax->div = 1e6;
			ax->unit = "ms";
		} else {
			ax->div = 1e3;
			ax->unit = "us";
		}
		snprintf(ax->ylab, sizeof(ax->ylab), "latency (%s%s)", ax->unit,
			 ax->lo > 0 && ax->hi / ax->lo > 10.0 ? ", log scale" : "");
	} else {
		snprintf(ax->ylab, sizeof(ax->ylab), "reclaim rounds per call%s",
			 ax->lo > 0 && ax->hi / ax->lo > 10.0 ? " (log scale)" : "");
	}
}

/* Run r's block of a strip plot at x position pos: every call, or each repetition's value. */
static int strip_block(struct datfile *d, const struct cmp_run *run, int r, int pos,
		       const struct cmp_opstat *s, enum strip_what what, double div)
{
	bool every = s->count < PLOT_FEW_OPS || s->nreps < 1;
	size_t m = every ? s->count : (size_t)s->nreps, k;
	double med, *val = malloc((m ? m : 1) * sizeof(*val));
	char hdr[700];

	if (!val)
		return -ENOMEM;
	for (k = 0; k < m; k++) {
		if (every)
			val[k] = what == STRIP_LAT ? cmp_lat_rank(s, k + 1) / div :
						     cmp_rounds_rank(s, k + 1);
		else
			val[k] = what == STRIP_LAT ? s->reps[k].p50 / div : s->reps[k].rounds;
	}
	med = what == STRIP_LAT ? cmp_lat_pct(s, 0.5) / div :
				  cmp_rounds_pct(s, 0.5);
	dat_block(d, r);
	fprintf(d->f, "# %s: points = %s (%zu calls, %d repetitions); median = %.9g\n",
		run->id, every ? "every call" : what == STRIP_LAT ?
		"each repetition's median latency" : "each repetition's mean rounds per call",
		(size_t)s->count, run->ndirs, med);
	series(hdr, sizeof(hdr), run, NULL);
	fprintf(d->f, "%s \"%s\"\n", hdr, run->id);
	for (k = 0; k < m; k++) {
		/* a golden-ratio spread keeps equal values apart, reproducibly */
		double g = (double)k * 0.6180339887;
		double x = pos + (m > 1 ? 0.36 * (g - floor(g) - 0.5) : 0.0);

		fprintf(d->f, "%d %.4f %.9g %.9g %s\n", pos, x, val[k], med, run->id);
	}
	free(val);
	return 0;
}

/* Writes base.dat as a strip plot of op name and renders it. 0 or -errno. */
static int plot_strip(const struct cmp_run *runs, int n, const char *name, const char *base,
		      enum strip_what what, const struct plot_opts *o, FILE *list,
		      char *msg, size_t len)
{
	char file[400], rv[1100], title[400];
	char *tarr, *vars = NULL;
	struct strip_axis ax;
	struct datfile d;
	int r, ret, pos = 0;

	strip_axis(runs, n, name, what, &ax);
	snprintf(file, sizeof(file), "%s.dat", base);
	if ((ret = dat_open(&d, o->outdir, file, msg, len)) < 0)
		return ret;
	fprintf(d.f, "# %s: %s per run; the median is of all the run's finished calls%s%s\n",
		name, what == STRIP_LAT ? "latency" : "reclaim rounds", *ax.unit ? "; values in " : "",
		ax.unit);
	for (r = 0; r < n; r++) {
		const struct cmp_opstat *s = find_op(&runs[r], name);

		if (!s || !s->count)
			continue;
		if (strip_block(&d, &runs[r], r, ++pos, s, what, ax.div) < 0) {
			fclose(d.f);
			setmsg(msg, len, "out of memory");
			return -ENOMEM;
		}
	}
	if ((ret = dat_close(&d, msg, len)) < 0)
		return ret;
	runs_var(rv, sizeof(rv), &d);
	tarr = title_array(runs, &d);
	if (!tarr || asprintf(&vars, "%s; ylab='%s'; ylog=%d; %s", rv, ax.ylab,
			      ax.lo > 0 && ax.hi / ax.lo > 10.0, tarr) < 0) {
		free(tarr);
		setmsg(msg, len, "out of memory");
		return -ENOMEM;
	}
	free(tarr);
	snprintf(title, sizeof(title), "%s: %s", name, what == STRIP_LAT ?
		 "latency of each call (few calls: no CDF)" : "reclaim rounds per call");
	snprintf(file, sizeof(file), "%s/%s.dat", o->outdir, base);
	ret = render(o, "strip.gp", file, base, title, vars, list, msg, len);
	free(vars);
	return ret;
}

/* What all runs' calls of one op span: latency and rounds buckets, few calls or none. */
struct op_range {
	int bmin, bmax, rmax;
	bool few, any;
};

static void op_range(const struct cmp_run *runs, int n, const char *name, struct op_range *g)
{
	int b;

	g->bmin = 64;
	g->bmax = -1;
	g->rmax = 0;
	g->few = g->any = false;
	for (int r = 0; r < n; r++) {
		const struct cmp_opstat *s = find_op(&runs[r], name);

		if (!s || !s->count)
			continue;
		g->any = true;
		g->few |= s->count < PLOT_FEW_OPS;
		b = lat_bucket((double)s->lat.h.min);
		g->bmin = b < g->bmin ? b : g->bmin;
		b = lat_bucket((double)s->lat.h.max);
		g->bmax = b > g->bmax ? b : g->bmax;
		b = rounds_bucket_of(s->rounds_max);
		g->rmax = b > g->rmax ? b : g->rmax;
	}
}

/* CDF, led per run by its exact percentiles (what report prints) */
static void cdf_block(FILE *f, const struct cmp_run *run, const struct cmp_opstat *s,
		      const struct op_range *g)
{
	char hdr[700];

	(void)g;
	fprintf(f, "# %s: n=%zu p50_us=%.9g p90_us=%.9g p99_us=%.9g p99.9_us=%.9g "
		"max_us=%.9g (exact order statistics of finished calls)\n", run->id,
		(size_t)s->count, cmp_lat_pct(s, 0.5) / 1e3, cmp_lat_pct(s, 0.9) / 1e3,
		cmp_lat_pct(s, 0.99) / 1e3, cmp_lat_pct(s, 0.999) / 1e3,
		(double)s->lat.h.max / 1e3);
	series(hdr, sizeof(hdr), run, NULL);
	fprintf(f, "%s \"%s\"\n", hdr, run->id);
	write_cdf(f, s);
}

/* histogram, log2 buckets, shared range so the runs line up */
static void hist_block(FILE *f, const struct cmp_run *run, const struct cmp_opstat *s,
		       const struct op_range *g)
{
	uint64_t cnt[64];
	char hdr[700];

	cmp_lat_log2(s, cnt);
	series(hdr, sizeof(hdr), run, NULL);
	fprintf(f, "%s \"%s\"\n", hdr, run->id);
	for (int b = g->bmin; b <= g->bmax; b++)
		fprintf(f, "%.6g %.6g\n", ldexp(1.0, b) / 1e3,
			100.0 * (double)cnt[b] / (double)s->count);
	fprintf(f, "%.6g 0\n", ldexp(1.0, g->bmax + 1) / 1e3);
}

/* reclaim rounds per call */
static void rounds_block(FILE *f, const struct cmp_run *run, const struct cmp_opstat *s,
			 const struct op_range *g)
{
	char hdr[700], lab[48];

	fprintf(f, "# %s: rounds p50=%.9g p99=%.9g max=%llu mean=%.6g (exact)\n",
		run->id, cmp_rounds_pct(s, 0.5), cmp_rounds_pct(s, 0.99),
		(unsigned long long)s->rounds_max, s->rounds_sum / (double)s->count);
	series(hdr, sizeof(hdr), run, NULL);
	fprintf(f, "%s \"%s\" pct\n", hdr, run->id);
	for (int b = 0; b <= g->rmax; b++) {
		uint64_t c = rounds_in(s, b);

		rounds_label(lab, sizeof(lab), b);
		if (c)
			fprintf(f, "%d %s %.6g\n", b, lab, 100.0 * (double)c / (double)s->count);
		else
			fprintf(f, "%d %s ?\n", b, lab);
	}
}

/* per NUMA node, ascending node id */
static void nodes_block(FILE *f, const struct cmp_run *run, const struct cmp_opstat *s,
			const struct op_range *g)
{
	char hdr[700], h50[700];
	int k, done = 0, last = INT_MIN;

	(void)g;
	series(hdr, sizeof(hdr), run, NULL);
	series(hdr, sizeof(hdr), run, "p99");
	series(h50, sizeof(h50), run, "p50");
	fprintf(f, "%s count %s p99 mean\n", hdr, h50);
	while (done < s->nnodes) {
		int best = -1;

		for (k = 0; k < s->nnodes; k++)
			if (s->nodes[k].node > last &&
			    (best < 0 || s->nodes[k].node < s->nodes[best].node))
				best = k;
		if (best < 0)
			break;
		last = s->nodes[best].node;
		fprintf(f, "%d %llu %.6g %.6g %.6g\n", last,
			(unsigned long long)s->nodes[best].count, s->nodes[best].p50 / 1e3,
			s->nodes[best].p99 / 1e3, s->nodes[best].mean / 1e3);
		done++;
	}
}

/* The figures of an op with enough calls: KIND-SLUG.dat drawn by KIND.gp, one block per run. */
static const struct op_figure {
	const char *kind, *title;
	bool by_node;		/* a run's block needs its per-node figures, not its calls */
	void (*block)(FILE *f, const struct cmp_run *run, const struct cmp_opstat *s,
		      const struct op_range *g);
} op_figures[] = {
	{ "cdf", "latency CDF", false, cdf_block },
	{ "hist", "latency histogram", false, hist_block },
	{ "rounds", "reclaim rounds per call", false, rounds_block },
	{ "nodes", "latency by NUMA node", true, nodes_block },
};

static int plot_op_figure(const struct cmp_run *runs, int n, const char *name, const char *sl,
			  const struct op_figure *fig, const struct op_range *g,
			  const struct plot_opts *o, FILE *list, char *msg, size_t len)
{
	char file[300], base[300], title[400], rv[1100], script[32];
	struct datfile d;
	int ret;

	snprintf(file, sizeof(file), "%s-%s.dat", fig->kind, sl);
	if ((ret = dat_open(&d, o->outdir, file, msg, len)) < 0)
		return ret;
	for (int r = 0; r < n; r++) {
		const struct cmp_opstat *s = find_op(&runs[r], name);

		if (!s || !(fig->by_node ? (size_t)s->nnodes : s->count))
			continue;
		dat_block(&d, r);
		fig->block(d.f, &runs[r], s, g);
	}
	if ((ret = dat_close(&d, msg, len)) < 0)
		return ret;
	runs_var(rv, sizeof(rv), &d);
	snprintf(base, sizeof(base), "%s-%s", fig->kind, sl);
	snprintf(title, sizeof(title), "%s: %s", name, fig->title);
	snprintf(file, sizeof(file), "%s/%s-%s.dat", o->outdir, fig->kind, sl);
	snprintf(script, sizeof(script), "%s.gp", fig->kind);
	return render(o, script, file, base, title, rv, list, msg, len);
}

#define TIME_SITES 4	/* wait sites drawn apart in time-OP; the rest of the sleep is one part */

/* Mean ns per call asleep at site over the op's repetitions that recorded sites; -1 none. */
static double site_per_call(const struct cmp_opstat *s, const char *site)
{
	double sum = 0;
	int k, n = 0;

	for (k = 0; k < s->nsites && strcmp(s->sites[k], site); k++)
		;
	for (int i = 0; i < s->nreps; i++)
		if (s->reps[i].sites_known) {
			sum += k < s->nsites ? s->reps[i].site_ns[k] : 0.0;
			n++;
		}
	return n ? sum / n : -1;
}

/* The op's wait sites with the most sleep per call in any run, most first. */
static int top_sites(const struct cmp_run *runs, int n, const char *name,
		     const char *top[TIME_SITES])
{
	double tv[TIME_SITES] = { 0 };
	int nt = 0;

	for (int r = 0; r < n; r++) {
		const struct cmp_opstat *s = find_op(&runs[r], name);

		for (int k = 0; s && k < s->nsites; k++) {
			double v = 0;
			int j;

			for (int q = 0; q < n; q++) {
				const struct cmp_opstat *x = find_op(&runs[q], name);
				double w = x ? site_per_call(x, s->sites[k]) : -1;

				if (w > v)
					v = w;
			}
			for (j = 0; j < nt && strcmp(top[j], s->sites[k]); j++)
				;
			if (j < nt || v <= 0)
				continue;
			if (nt < TIME_SITES) {
				top[nt] = s->sites[k];
				tv[nt++] = v;
			} else if (v > tv[TIME_SITES - 1]) {
				top[TIME_SITES - 1] = s->sites[k];
				tv[TIME_SITES - 1] = v;
			}
			for (j = nt - 1; j > 0 && tv[j] > tv[j - 1]; j--) {
				const char *ts = top[j];
				double t = tv[j];

				top[j] = top[j - 1];
				tv[j] = tv[j - 1];
				top[j - 1] = ts;
				tv[j - 1] = t;
			}
		}
	}
	return nt;
}

/*
 * Where an op's time went, per run: a stacked bar of the mean ms per call on
 * a CPU, waiting for one and asleep (ops.csv cpu_ns/runq_ns), the sleep split
 * by its top wait sites (offcpu.csv; the rest of the sleep, inside reclaim
 * stalls, unattributed or elsewhere, is one part), drawn by stalls.gp. Only
 * for ops some run measured (results with schedstat).
 */
static int plot_time(const struct cmp_run *runs, int n, const char *name, const char *sl,
		     const struct plot_opts *o, FILE *list, char *msg, size_t len)
{
	const char *top[TIME_SITES];
	char file[300], base[300], title[400], hdr[700], rv[1100], kinds[600];
	char *tarr = NULL, *vars = NULL;
	struct datfile d;
	int r, ret, any = 0, nt;

	for (r = 0; r < n; r++) {
		const struct cmp_opstat *s = find_op(&runs[r], name);

		any += s && s->sleep_n;
	}
	if (!any)
		return 0;
	nt = top_sites(runs, n, name, top);
	snprintf(kinds, sizeof(kinds), "on-CPU waiting");
	for (int k = 0; k < nt; k++)
		snprintf(kinds + strlen(kinds), sizeof(kinds) - strlen(kinds), " asleep:%s", top[k]);
	snprintf(kinds + strlen(kinds), sizeof(kinds) - strlen(kinds), nt ? " asleep:rest" : " asleep");
	snprintf(file, sizeof(file), "time-%s.dat", sl);
	if ((ret = dat_open(&d, o->outdir, file, msg, len)) < 0)
		return ret;
	fputs("# where a call's wall time went: mean ms per call on a CPU, runnable but\n"
	      "# waiting for one, asleep (the rest); ops.csv cpu_ns, runq_ns, latency_ns;\n"
	      "# the sleep by its top wait sites (offcpu.csv), then the rest of it\n", d.f);
	for (r = 0; r < n; r++) {
		const struct cmp_opstat *s = find_op(&runs[r], name);
		double v[TIME_SITES + 3], acc = 0.0, rest;

		if (!s || !s->sleep_n)
			continue;
		v[0] = s->cpu_ns / 1e6 / (double)s->sleep_n;
		v[1] = s->runq_ns / 1e6 / (double)s->sleep_n;
		rest = s->sleep_ns / 1e6 / (double)s->sleep_n;
		for (int k = 0; k < nt; k++) {
			double x = site_per_call(s, top[k]) / 1e6;

			v[2 + k] = x > 0 ? (x < rest ? x : rest) : 0;
			rest -= v[2 + k];
		}
		v[2 + nt] = rest > 0 ? rest : 0;
		dat_block(&d, r);
		fprintf(d.f, "# %s: %llu calls measured\n", runs[r].id,
			(unsigned long long)s->sleep_n);
		series(hdr, sizeof(hdr), &runs[r], NULL);
		fprintf(d.f, "%s \"%s\" \"ms_high\"\n", hdr, runs[r].id);
		for (int k = 0; k < nt + 3; k++) {
			fprintf(d.f, "%d %.6g %.6g\n", r + 1, acc, acc + v[k]);
			acc += v[k];
		}
	}
	dat_block(&d, -1);
	fputs("x total_ms tic\n", d.f);
	for (r = 0; r < n; r++) {
		const struct cmp_opstat *s = find_op(&runs[r], name);

		if (s && s->sleep_n)
			fprintf(d.f, "%d %.6g \"%s\"\n", r + 1,
				(s->cpu_ns + s->runq_ns + s->sleep_ns) / 1e6 / (double)s->sleep_n,
				runs[r].id);
	}
	if ((ret = dat_close(&d, msg, len)) < 0)
		return ret;
	d.blocks--;	/* the totals block is no run's */
	tarr = title_array(runs, &d);
	runs_var(rv, sizeof(rv), &d);
	if (!tarr || asprintf(&vars, "%s; kinds='%s'; ylab='ms per call (mean)'; %s", rv, kinds,
			      tarr) < 0) {
		free(tarr);
		setmsg(msg, len, "out of memory");
		return -ENOMEM;
	}
	snprintf(base, sizeof(base), "time-%s", sl);
	snprintf(title, sizeof(title), "%s: where a call's time went", name);
	snprintf(file, sizeof(file), "%s/time-%s.dat", o->outdir, sl);
	ret = render(o, "stalls.gp", file, base, title, vars, list, msg, len);
	free(tarr);
	free(vars);
	return ret;
}

static int plot_op(const struct cmp_run *runs, int n, const char *name,
		   const struct plot_opts *o, FILE *list, char *msg, size_t len)
{
	char sl[200], base[300];
	struct op_range g;
	int ret;

	slug(sl, sizeof(sl), name);
	op_range(runs, n, name, &g);
	if (!g.any)
		return 0;	/* no run finished this op */
	ret = plot_time(runs, n, name, sl, o, list, msg, len);
	if (ret < 0)
		return ret;
	if (g.few) {
		/* A CDF of a handful of calls says nothing: draw the calls. */
		snprintf(base, sizeof(base), "strip-%s", sl);
		ret = plot_strip(runs, n, name, base, STRIP_LAT, o, list, msg, len);
		if (ret < 0)
			return ret;
		snprintf(base, sizeof(base), "rounds-%s", sl);
		return plot_strip(runs, n, name, base, STRIP_ROUNDS, o, list, msg, len);
	}
	for (size_t i = 0; i < sizeof(op_figures) / sizeof(op_figures[0]); i++) {
		ret = plot_op_figure(runs, n, name, sl, &op_figures[i], &g, o, list, msg, len);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---- timeline ---- */

struct tl {
	double *t, *avg10, *some, *cgsome, *usage, *max, *rstall, *sstall, *oomk;
	size_t n, cap;
	uint64_t origin;	/* stalls' CLOCK_MONOTONIC of t = 0 */
	struct stallunion *un[2];	/* the run's tasks, the others: stalled time once */
	double *bin;		/* the bins su_add's pieces go to (rstall or sstall) */
};

static void tl_free(struct tl *t)
{
	free(t->t);
	free(t->avg10);
	free(t->some);
	free(t->cgsome);
	free(t->usage);
	free(t->max);
	free(t->rstall);
	free(t->sstall);
	free(t->oomk);
	su_free(t->un[0]);
	su_free(t->un[1]);
	memset(t, 0, sizeof(*t));
}

static int tl_grow(struct tl *t)
{
	size_t nc = t->cap ? t->cap * 2 : 256;
	double **arr[] = { &t->t, &t->avg10, &t->some, &t->cgsome, &t->usage, &t->max,
			   &t->rstall, &t->sstall, &t->oomk };
	size_t i;

	for (i = 0; i < sizeof(arr) / sizeof(arr[0]); i++) {
		double *p = realloc(*arr[i], nc * sizeof(double));

		if (!p)
			return -ENOMEM;
		*arr[i] = p;
	}
	t->cap = nc;
	return 0;
}

static int on_tick(void *arg, const struct rr_tick *k)
{
	struct tl *t = arg;
	size_t i = t->n;

	if (i == t->cap && tl_grow(t) < 0)
		return -ENOMEM;
	if (i && k->v[RR_TL_T_NS] / 1e9 <= t->t[i - 1])
		return 0;	/* time must increase for the bins */
	t->t[i] = k->v[RR_TL_T_NS] / 1e9;
	t->avg10[i] = k->v[RR_TL_PSI_SOME_AVG10];
	t->some[i] = k->v[RR_TL_PSI_SOME_TOTAL_US];
	t->cgsome[i] = k->v[RR_TL_CG_PSI_SOME_TOTAL_US];
	t->usage[i] = k->v[RR_TL_MEMCG_USAGE] / 1048576.0;
	t->max[i] = NAN;	/* memory.max: the cap (meta.json), not memory.events' max */
	t->oomk[i] = k->v[RR_TL_MEMCG_OOM_KILL];	/* cumulative */
	t->rstall[i] = t->sstall[i] = 0.0;
	t->n++;
	return 0;
}

/* The first tick at or after ts (s): the bin that ends there; the last for later. */
static size_t tl_bin(const struct tl *t, double ts)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->t[mid] < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == t->n ? t->n - 1 : lo;
}

/* A piece of stalled time [a, b) (ns), spread over the bins it crosses, in ms. */
static void tl_piece(void *arg, uint64_t a, uint64_t b)
{
	struct tl *t = arg;
	double x = ((double)a - (double)t->origin) / 1e9, y = ((double)b - (double)t->origin) / 1e9;
	size_t i = tl_bin(t, x);

	while (x < y) {
		/* bin i ends at tick i; past the last tick, the last bin takes the rest */
		double end = i + 1 < t->n && t->t[i] < y ? t->t[i] : y;

		if (end > x) {
			t->bin[i] += (end - x) * 1e3;
			x = end;
		}
		if (i + 1 < t->n)
			i++;
	}
}

/*
 * A stall into the ms/s of its scope: only what no stall of its task begun
 * before it already covers (a throttle inside reclaim counts once), spread
 * over the ticks it spans.
 */
static int on_tl_stall(void *arg, const struct rr_stall *s)
{
	struct tl *t = arg;
	int sys = strcmp(s->scope, "system") == 0;

	if (!t->n)
		return 0;
	if (!t->un[sys] && !(t->un[sys] = su_new()))
		return -ENOMEM;
	t->bin = sys ? t->sstall : t->rstall;
	if (su_add(t->un[sys], s->tid, s->t_start_ns,
		   s->t_start_ns + s->duration_ns, tl_piece, t) < 0)
		return -ENOMEM;
	return 0;
}

static void put(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.6g", v);
	else
		fputs(" ?", f);
}

/* A PSI share of time: above 100% (or below 0) is a measurement error. */
static double psi_pct(double v, unsigned int *bad)
{
	if (isfinite(v) && (v > 100.0 || v < 0.0)) {
		if (v > 100.0)
			(*bad)++;
		return NAN;
	}
	return v;
}

static double meta_cap(const struct rr_dir *d)
{
	json_t *c = json_object_get(json_object_get(d->meta, "cgroup"), "cap_bytes");

	return json_is_integer(c) && json_integer_value(c) > 0 ?
		(double)json_integer_value(c) : NAN;
}

/* What timeline blocks add up to: the shared axes and PSI errors. */
struct tl_sum {
	double tmax, ymax;
	double y2max;		/* right axis: 100%, or memcg usage past the cap (NOFAIL charges) */
	unsigned int psi_bad;	/* ticks of this run with PSI above 100% */
};

/* One run's timeline block (its first repetition). 0 or -errno. */
static int timeline_block(const struct cmp_run *run, FILE *f, struct tl_sum *sum,
			  char *msg, size_t len)
{
	const struct rr_dir *d = &run->dirs[0];
	struct tl t = { 0 };
	char *body = NULL;
	size_t i, blen = 0;
	double cap = meta_cap(d);
	FILE *m;
	int ret;

	sum->psi_bad = 0;
	t.origin = d->start_ns;
	ret = rr_read_timeline(d, on_tick, &t, NULL, msg, len);
	if (ret == -ENOENT || (ret == 0 && t.n < 2)) {
		/* No sampler data: bin stalls over the run's length alone. */
		double span = d->end_ns > d->start_ns ? (double)(d->end_ns - d->start_ns) / 1e9 : 0;

		t.n = 0;
		if (span <= 0.0) {
			tl_free(&t);
			return 0;
		}
		for (i = 0; i <= 100; i++) {
			struct rr_tick k;
			int c;

			for (c = 0; c < RR_TL_NR_COLS; c++)
				k.v[c] = NAN;
			k.v[RR_TL_T_NS] = span * 1e9 * (double)i / 100.0;
			if (on_tick(&t, &k) < 0) {
				tl_free(&t);
				setmsg(msg, len, "out of memory");
				return -ENOMEM;
			}
		}
		ret = 0;
	}
	if (ret < 0)
		goto out;
	ret = rr_read_stalls(d, on_tl_stall, &t, NULL, msg, len);
	if (ret < 0)
		goto out;
	m = open_memstream(&body, &blen);
	if (!m) {
		ret = -ENOMEM;
		setmsg(msg, len, "out of memory");
		goto out;
	}
	for (i = 0; i < t.n; i++) {
		double dt = i ? t.t[i] - t.t[i - 1] : NAN;
		double rs = i ? t.rstall[i] / dt : NAN, ss = i ? t.sstall[i] / dt : NAN;

		fprintf(m, "%.6g", t.t[i]);
		put(m, psi_pct(t.avg10[i], &sum->psi_bad));
		/* us of stall per s of tick -> % */
		put(m, psi_pct(i ? (t.some[i] - t.some[i - 1]) / 1e4 / dt : NAN, &sum->psi_bad));
		put(m, psi_pct(i ? (t.cgsome[i] - t.cgsome[i - 1]) / 1e4 / dt : NAN,
			       &sum->psi_bad));
		put(m, t.usage[i]);
		put(m, cap > 0 ? cap / 1048576.0 : NAN);	/* memcg_max_mib: the cap */
		put(m, rs);
		put(m, ss);
		put(m, i ? t.oomk[i] - t.oomk[i - 1] : NAN);	/* OOM kills in this tick */
		put(m, t.usage[i] * 1048576.0 / cap * 100.0);
		fputc('\n', m);
		if (isfinite(t.usage[i] * 1048576.0 / cap) && t.usage[i] * 1048576.0 / cap * 100.0 > sum->y2max)
			sum->y2max = t.usage[i] * 1048576.0 / cap * 100.0;
		if (isfinite(rs) && rs > sum->ymax)
			sum->ymax = rs;
		if (isfinite(ss) && ss > sum->ymax)
			sum->ymax = ss;
	}
	fclose(m);
	if (t.n && t.t[t.n - 1] > sum->tmax)
		sum->tmax = t.t[t.n - 1];
	fprintf(f, "# %s: repetition 1 of %d; %u PSI ticks above 100%% not drawn "
		"(a measurement error)\n", run->id, run->ndirs, sum->psi_bad);
	fputs("t_s avg10 psi_some_pct cg_psi_some_pct memcg_mib memcg_max_mib run_stall_ms_s "
	      "system_stall_ms_s oom_kills memcg_pct_of_cap\n", f);
	fwrite(body, 1, blen, f);
	free(body);
out:
	tl_free(&t);
	return ret;
}

/* "array T[n] = ['A label', ...]" for the runs of a data file's blocks. */
static char *title_array(const struct cmp_run *runs, const struct datfile *d)
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
		legend(lg, sizeof(lg), &runs[r]);
		gp_quote(q, sizeof(q), lg);
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

/* Stall kinds in the order bars stack them; others follow as met. */
static const char *const kind_order[] = { "memcg", "memcg_softlimit", "direct", "compaction",
					  "throttled" };

static int kind_rank(const char *name)
{
	const char *k = strchr(name, '/');
	size_t i;
	int scope = strncmp(name, "system/", 7) == 0 ? 100 : 0;

	k = k ? k + 1 : name;
	for (i = 0; i < sizeof(kind_order) / sizeof(kind_order[0]); i++)
		if (strcmp(k, kind_order[i]) == 0)
			return scope + (int)i;
	return scope + 50;
}

static const struct cmp_stallstat *find_stall(const struct cmp_run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nstalls; i++)
		if (strcmp(r->stalls[i].name, name) == 0)
			return &r->stalls[i];
	return NULL;
}

/*
 * Stall time by kind, stacked bars: per run the mean over its repetitions
 * of each kind's total; the run's own tasks, then the system's if any.
 * 0 or -errno.
 */
/* The stall kinds with stall time in any run, in stacking order; *nk of them, NULL if none or out of memory. */
static const char **stall_kinds(const struct cmp_run *runs, int n, size_t *nk)
{
	const char **kinds = NULL;
	size_t cap = 0, i, j;

	*nk = 0;
	for (int r = 0; r < n; r++) {
		for (i = 0; i < runs[r].nstalls; i++) {
			const char *name = runs[r].stalls[i].name;
			bool seen = false;

			if (!runs[r].stalls[i].total_ns)
				continue;
			for (j = 0; j < *nk && !seen; j++)
				seen = strcmp(kinds[j], name) == 0;
			if (seen)
				continue;
			if (*nk == cap) {
				const char **k2 = realloc(kinds, (cap ? cap * 2 : 8) * sizeof(*k2));

				if (!k2) {
					free(kinds);
					*nk = 0;
					return NULL;
				}
				kinds = k2;
				cap = cap ? cap * 2 : 8;
			}
			kinds[(*nk)++] = name;
		}
	}
	/* stacking order: run's kinds, then system's; insertion sort by rank */
	for (i = 1; i < *nk; i++)
		for (j = i; j > 0 && kind_rank(kinds[j]) < kind_rank(kinds[j - 1]); j--) {
			const char *t = kinds[j];

			kinds[j] = kinds[j - 1];
			kinds[j - 1] = t;
		}
	return kinds;
}

/* Mean stall time of kind over run's repetitions, ms (0 without it). */
static double stall_ms(const struct cmp_run *run, const char *kind)
{
	const struct cmp_stallstat *s = find_stall(run, kind);

	/* its own time: a throttle inside memcg reclaim is memcg's, drawn once */
	return s ? (double)s->own_ns / 1e6 / (double)(run->ndirs > 0 ? run->ndirs : 1) : 0.0;
}

/* Per run a block of stacked bars (kind by kind), then the totals block. */
static void stall_blocks(struct datfile *d, const struct cmp_run *runs, int n, const char **kinds,
			 size_t nk, bool sys)
{
	char hdr[700];
	int r, g;

	fputs("# stall time by kind: mean over a run's repetitions of each kind's own time (not\n"
	      "# inside an outer stall of its task: stacked, the bars are the stalled time), ms;\n"
	      "# x 1.. = the run's own tasks, after a gap the rest of the system\n", d->f);
	for (r = 0; r < n; r++) {
		double acc[2] = { 0.0, 0.0 };

		dat_block(d, r);
		fprintf(d->f, "# %s: %d repetitions\n", runs[r].id, runs[r].ndirs);
		series(hdr, sizeof(hdr), &runs[r], NULL);
		fprintf(d->f, "%s \"%s\" \"ms_high\"\n", hdr, runs[r].id);
		for (size_t i = 0; i < nk; i++) {
			double ms = stall_ms(&runs[r], kinds[i]);

			g = strncmp(kinds[i], "system/", 7) == 0;
			if (ms > 0.0)
				fprintf(d->f, "%d %.6g %.6g\n", g * (n + 1) + r + 1, acc[g], acc[g] + ms);
			else
				fprintf(d->f, "%d ? ?\n", g * (n + 1) + r + 1);
			acc[g] += ms;
		}
	}
	/* totals: the tic labels and the number on top of each bar */
	dat_block(d, -1);
	fputs("x total_ms tic\n", d->f);
	for (g = 0; g <= (sys ? 1 : 0); g++) {
		for (r = 0; r < n; r++) {
			double tot = 0.0;

			for (size_t i = 0; i < nk; i++)
				if (find_stall(&runs[r], kinds[i]) &&
				    (strncmp(kinds[i], "system/", 7) == 0) == g)
					tot += stall_ms(&runs[r], kinds[i]);
			fprintf(d->f, "%d %.6g \"%s%s\"\n", g * (n + 1) + r + 1, tot, runs[r].id,
				g ? " sys" : "");
		}
	}
}

static int plot_stalls(const struct cmp_run *runs, int n, const struct plot_opts *o,
		       FILE *list, char *msg, size_t len)
{
	char kv[2048], file[PATH_MAX + 16], title[200], rv[1100];
	char *tarr = NULL, *vars = NULL;
	size_t nk = 0, i, kused = 0;
	const char **kinds = stall_kinds(runs, n, &nk);
	bool sys = false;
	struct datfile d;
	int ret = 0;

	if (!kinds && nk == 0) {
		/* none, or out of memory: tell them apart */
		for (int r = 0; r < n; r++)
			for (i = 0; i < runs[r].nstalls; i++)
				if (runs[r].stalls[i].total_ns) {
					setmsg(msg, len, "out of memory");
					return -ENOMEM;
				}
		return 0;	/* no stall in any run: no figure */
	}
	for (i = 0; i < nk; i++) {
		sys |= strncmp(kinds[i], "system/", 7) == 0;
		if (kused + strlen(kinds[i]) + 2 < sizeof(kv))
			kused += (size_t)snprintf(kv + kused, sizeof(kv) - kused, "%s%s",
						  kused ? " " : "", kinds[i]);
	}
	if ((ret = dat_open(&d, o->outdir, "stalls.dat", msg, len)) < 0)
		goto out;
	stall_blocks(&d, runs, n, kinds, nk, sys);
	if ((ret = dat_close(&d, msg, len)) < 0)
		goto out;
	d.blocks--;	/* the totals block is no run's */
	tarr = title_array(runs, &d);
	runs_var(rv, sizeof(rv), &d);
	if (!tarr || asprintf(&vars, "%s; kinds='%s'; %s", rv, kv, tarr) < 0) {
		vars = NULL;
		ret = -ENOMEM;
		setmsg(msg, len, "out of memory");
		goto out;
	}
	snprintf(title, sizeof(title), "stall time by kind%s", sys ?
		 " (run's tasks; 'sys': the rest of the system)" : "");
	snprintf(file, sizeof(file), "%s/stalls.dat", o->outdir);
	ret = render(o, "stalls.gp", file, "stalls", title, vars, list, msg, len);
out:
	free(tarr);
	free(vars);
	free(kinds);
	return ret;
}

int plot_runs(const struct cmp_run *runs, int n, const struct plot_opts *o, FILE *list,
	      char *msg, size_t len)
{
	char file[PATH_MAX + 16], rv[1100];
	char *tarr = NULL, *vars = NULL;
	struct tl_sum sum = { 0 };
	struct datfile d;
	int r, k, ret;
	size_t i;

	ret = mkdirs(o->outdir);
	if (ret < 0) {
		setmsg(msg, len, "%s: %s", o->outdir, strerror(-ret));
		return ret;
	}
	snprintf(file, sizeof(file), "%s/gnuplot.log", o->outdir);
	unlink(file);
	/* every op of any run, once, in order of first appearance */
	for (r = 0; r < n; r++) {
		for (i = 0; i < runs[r].nops; i++) {
			const char *name = runs[r].ops[i].name;
			bool seen = false;

			for (k = 0; k < r && !seen; k++)
				seen = find_op(&runs[k], name) != NULL;
			if (seen)
				continue;
			ret = plot_op(runs, n, name, o, list, msg, len);
			if (ret < 0)
				return ret;
		}
	}
	if ((ret = plot_stalls(runs, n, o, list, msg, len)) < 0)
		return ret;
	if ((ret = dat_open(&d, o->outdir, "timeline.dat", msg, len)) < 0)
		return ret;
	for (r = 0; r < n; r++) {
		char *buf = NULL;
		size_t blen = 0;
		FILE *m = open_memstream(&buf, &blen);

		if (!m) {
			fclose(d.f);
			setmsg(msg, len, "out of memory");
			return -ENOMEM;
		}
		ret = timeline_block(&runs[r], m, &sum, msg, len);
		fclose(m);
		if (ret == 0 && blen) {
			/* a run without timeline or run length gets no block */
			dat_block(&d, r);
			fwrite(buf, 1, blen, d.f);
			if (sum.psi_bad && o->warn)
				fprintf(o->warn, "plot: warning: run %s: %u PSI ticks above 100%% "
					"(a measurement error), not drawn\n", runs[r].id, sum.psi_bad);
		}
		free(buf);
		if (ret < 0) {
			fclose(d.f);
			return ret;
		}
	}
	if ((ret = dat_close(&d, msg, len)) < 0)
		return ret;
	if (!d.blocks)
		return 0;
	tarr = title_array(runs, &d);
	runs_var(rv, sizeof(rv), &d);
	if (!tarr || asprintf(&vars, "%s; tmax=%.6g; ymax=%.6g; y2max=%.6g; %s", rv,
			      sum.tmax > 0 ? sum.tmax : 1.0,
			      sum.ymax > 0 ? sum.ymax * 1.05 : 1.0,
			      sum.y2max > 100.0 ? ceil(sum.y2max / 10.0) * 10.0 : 100.0, tarr) < 0) {
		free(tarr);
		setmsg(msg, len, "out of memory");
		return -ENOMEM;
	}
	snprintf(file, sizeof(file), "%s/timeline.dat", o->outdir);
	ret = render(o, "timeline.gp", file, "timeline", "stalls, PSI and memcg usage over time",
		     vars, list, msg, len);
	free(tarr);
	free(vars);
	return ret;
}
