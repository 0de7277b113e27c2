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
#ifdef STALLBENCH_SRCDIR
	snprintf(buf, len, "%s/plots", STALLBENCH_SRCDIR);
	if (has_scripts(buf))
		return 0;
#endif
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		snprintf(buf, len, "%s/../plots", exe);
		if (has_scripts(buf))
			return 0;
	}
	setmsg(msg, msglen, "no gnuplot scripts found (set STALLBENCH_PLOTS to the plots/ "
	       "directory)");
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

/* A run's name in a data file's header row: quotes would end the string. */
static void series(char *out, size_t len, const struct cmp_run *r, const char *suffix)
{
	char *p;

	snprintf(out, len, "\"%s %s%s%s", r->id, r->label, suffix ? " " : "", suffix ? suffix : "");
	for (p = out + 1; *p; p++)
		if (*p == '"' || *p == '\\')
			*p = '\'';
	if (strlen(out) + 2 <= len)
		strcat(out, "\"");
}

struct datfile {
	FILE *f;
	char path[PATH_MAX];
	int blocks;
};

static int dat_open(struct datfile *d, const char *dir, const char *name, char *msg, size_t len)
{
	if (snprintf(d->path, sizeof(d->path), "%s/%s", dir, name) >= (int)sizeof(d->path)) {
		setmsg(msg, len, "%s/%s: path too long", dir, name);
		return -ENAMETOOLONG;
	}
	d->blocks = 0;
	d->f = fopen(d->path, "w");
	if (!d->f) {
		int e = errno;

		setmsg(msg, len, "%s: %s", d->path, strerror(e));
		return -e;
	}
	return 0;
}

static void dat_block(struct datfile *d)
{
	if (d->blocks++)
		fputs("\n\n", d->f);
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

/* Runs script on data into out. 0 or -errno with msg naming the log. */
static int gp_run(const struct plot_opts *o, const char *script, const char *data,
		  const char *out, const char *title, char *msg, size_t len)
{
	char expr[3 * PATH_MAX + 600], qin[PATH_MAX + 8], qout[PATH_MAX + 8], qt[520];
	char spath[PATH_MAX], logpath[PATH_MAX];
	pid_t pid;
	int st, fd;

	gp_quote(qin, sizeof(qin), data);
	gp_quote(qout, sizeof(qout), out);
	gp_quote(qt, sizeof(qt), title);
	snprintf(expr, sizeof(expr), "in=%s; out=%s; title=%s", qin, qout, qt);
	snprintf(spath, sizeof(spath), "%s/%s", o->scripts, script);
	snprintf(logpath, sizeof(logpath), "%s/gnuplot.log", o->outdir);
	fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;

		setmsg(msg, len, "%s: %s", logpath, strerror(e));
		return -e;
	}
	dprintf(fd, "# %s -e \"%s\" %s\n", o->gnuplot, expr, spath);
	pid = fork();
	if (pid < 0) {
		int e = errno;

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
		  const char *base, const char *title, FILE *list, char *msg, size_t len)
{
	static const char *const ext[] = { "png", "svg", "txt" };
	char out[PATH_MAX + 8];
	int i, ret;

	for (i = 0; i < 3; i++) {
		if ((i == 0 && !o->png) || (i == 1 && !o->svg))
			continue;
		snprintf(out, sizeof(out), "%s/%s.%s", o->outdir, base, ext[i]);
		ret = gp_run(o, script, data, out, title, msg, len);
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

static int cmp_size(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return (a > b) - (a < b);
}

/* CDF points: every op up to 2000, else a grid plus a log-spaced tail. */
static void write_cdf(FILE *f, const struct cmp_vec *lat)
{
	size_t n = lat->n, cap = 4000, m = 0, i;
	size_t *rk;
	double x;

	if (!n)
		return;
	if (n <= 2000) {
		for (i = 0; i < n; i++)
			fprintf(f, "%.6g %.9g\n", lat->v[i] / 1e3, (double)(i + 1) / (double)n);
		return;
	}
	rk = malloc(cap * sizeof(*rk));
	if (!rk)
		return;
	rk[m++] = 1;
	for (i = 1; i <= 1000; i++)
		rk[m++] = pct_rank(n, (double)i / 1000.0);
	for (x = 3.0; x < log10((double)n) && m < cap - 1; x += 0.02)
		rk[m++] = pct_rank(n, 1.0 - pow(10.0, -x));
	rk[m++] = n;
	qsort(rk, m, sizeof(*rk), cmp_size);
	for (i = 0; i < m; i++)
		if (i == 0 || rk[i] != rk[i - 1])
			fprintf(f, "%.6g %.9g\n", lat->v[rk[i] - 1] / 1e3, (double)rk[i] / (double)n);
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

static int plot_op(const struct cmp_run *runs, int n, const char *name,
		   const struct plot_opts *o, FILE *list, char *msg, size_t len)
{
	char sl[200], file[300], base[300], title[1400], hdr[700];
	struct datfile d;
	int r, b, bmin = 64, bmax = -1, rmax = 0, ret;
	const char *kern = n == 1 ? runs[0].label : NULL;

	slug(sl, sizeof(sl), name);

	/* CDF */
	snprintf(file, sizeof(file), "cdf-%s.dat", sl);
	if ((ret = dat_open(&d, o->outdir, file, msg, len)) < 0)
		return ret;
	for (r = 0; r < n; r++) {
		const struct cmp_opstat *s = find_op(&runs[r], name);

		if (!s || !s->lat.n)
			continue;
		dat_block(&d);
		series(hdr, sizeof(hdr), &runs[r], NULL);
		fprintf(d.f, "%s \"%s\"\n", hdr, runs[r].id);
		write_cdf(d.f, &s->lat);
		b = lat_bucket(s->lat.v[0]);
		bmin = b < bmin ? b : bmin;
		b = lat_bucket(s->lat.v[s->lat.n - 1]);
		bmax = b > bmax ? b : bmax;
		b = rounds_bucket_of(s->rounds_max);
		rmax = b > rmax ? b : rmax;
	}
	if ((ret = dat_close(&d, msg, len)) < 0)
		return ret;
	if (bmax < 0)
		return 0;	/* no run has this op */
	snprintf(base, sizeof(base), "cdf-%s", sl);
	snprintf(title, sizeof(title), "%s: latency CDF%s%s%s", name, kern ? " (" : "",
		 kern ? kern : "", kern ? ")" : "");
	snprintf(file, sizeof(file), "%s/cdf-%s.dat", o->outdir, sl);
	if ((ret = render(o, "cdf.gp", file, base, title, list, msg, len)) < 0)
		return ret;

	/* histogram, log2 buckets, shared range so the runs line up */
	snprintf(file, sizeof(file), "hist-%s.dat", sl);
	if ((ret = dat_open(&d, o->outdir, file, msg, len)) < 0)
		return ret;
	for (r = 0; r < n; r++) {
		const struct cmp_opstat *s = find_op(&runs[r], name);
		uint64_t cnt[64] = { 0 };
		size_t i;

		if (!s || !s->lat.n)
			continue;
		for (i = 0; i < s->lat.n; i++)
			cnt[lat_bucket(s->lat.v[i])]++;
		dat_block(&d);
		series(hdr, sizeof(hdr), &runs[r], NULL);
		fprintf(d.f, "%s \"%s\"\n", hdr, runs[r].id);
		for (b = bmin; b <= bmax; b++)
			fprintf(d.f, "%.6g %.6g\n", ldexp(1.0, b) / 1e3,
				100.0 * (double)cnt[b] / (double)s->lat.n);
		fprintf(d.f, "%.6g 0\n", ldexp(1.0, bmax + 1) / 1e3);
	}
	if ((ret = dat_close(&d, msg, len)) < 0)
		return ret;
	snprintf(base, sizeof(base), "hist-%s", sl);
	snprintf(title, sizeof(title), "%s: latency histogram%s%s%s", name, kern ? " (" : "",
		 kern ? kern : "", kern ? ")" : "");
	snprintf(file, sizeof(file), "%s/hist-%s.dat", o->outdir, sl);
	if ((ret = render(o, "hist.gp", file, base, title, list, msg, len)) < 0)
		return ret;

	/* reclaim rounds per call */
	snprintf(file, sizeof(file), "rounds-%s.dat", sl);
	if ((ret = dat_open(&d, o->outdir, file, msg, len)) < 0)
		return ret;
	for (r = 0; r < n; r++) {
		const struct cmp_opstat *s = find_op(&runs[r], name);
		char lab[48];

		if (!s || !s->lat.n)
			continue;
		dat_block(&d);
		series(hdr, sizeof(hdr), &runs[r], NULL);
		fprintf(d.f, "%s \"%s\" pct\n", hdr, runs[r].id);
		for (b = 0; b <= rmax; b++) {
			uint64_t c = rounds_in(s, b);

			rounds_label(lab, sizeof(lab), b);
			if (c)
				fprintf(d.f, "%d %s %.6g\n", b, lab,
					100.0 * (double)c / (double)s->lat.n);
			else
				fprintf(d.f, "%d %s ?\n", b, lab);
		}
	}
	if ((ret = dat_close(&d, msg, len)) < 0)
		return ret;
	snprintf(base, sizeof(base), "rounds-%s", sl);
	snprintf(title, sizeof(title), "%s: reclaim rounds per call%s%s%s", name,
		 kern ? " (" : "", kern ? kern : "", kern ? ")" : "");
	snprintf(file, sizeof(file), "%s/rounds-%s.dat", o->outdir, sl);
	if ((ret = render(o, "rounds.gp", file, base, title, list, msg, len)) < 0)
		return ret;

	/* per NUMA node */
	snprintf(file, sizeof(file), "nodes-%s.dat", sl);
	if ((ret = dat_open(&d, o->outdir, file, msg, len)) < 0)
		return ret;
	for (r = 0; r < n; r++) {
		const struct cmp_opstat *s = find_op(&runs[r], name);
		char h50[700], h99[700];
		int k, done = 0, last = INT_MIN;

		if (!s || !s->nnodes)
			continue;
		dat_block(&d);
		series(hdr, sizeof(hdr), &runs[r], NULL);
		series(h50, sizeof(h50), &runs[r], "p50");
		series(h99, sizeof(h99), &runs[r], "p99");
		fprintf(d.f, "%s count %s %s mean \"%s p50\" \"%s p99\"\n", hdr, h50, h99,
			runs[r].id, runs[r].id);
		/* ascending node id */
		while (done < s->nnodes) {
			int best = -1;

			for (k = 0; k < s->nnodes; k++)
				if (s->nodes[k].node > last &&
				    (best < 0 || s->nodes[k].node < s->nodes[best].node))
					best = k;
			if (best < 0)
				break;
			last = s->nodes[best].node;
			fprintf(d.f, "%d %llu %.6g %.6g %.6g\n", last,
				(unsigned long long)s->nodes[best].count, s->nodes[best].p50 / 1e3,
				s->nodes[best].p99 / 1e3, s->nodes[best].mean / 1e3);
			done++;
		}
	}
	if ((ret = dat_close(&d, msg, len)) < 0)
		return ret;
	snprintf(base, sizeof(base), "nodes-%s", sl);
	snprintf(title, sizeof(title), "%s: latency by NUMA node%s%s%s", name, kern ? " (" : "",
		 kern ? kern : "", kern ? ")" : "");
	snprintf(file, sizeof(file), "%s/nodes-%s.dat", o->outdir, sl);
	return render(o, "nodes.gp", file, base, title, list, msg, len);
}

/* ---- timeline ---- */

struct tl {
	double *t, *avg10, *some, *cgsome, *usage, *max, *rstall, *sstall, *oomk;
	size_t n, cap;
	uint64_t origin;	/* stalls' CLOCK_MONOTONIC of t = 0 */
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
	t->max[i] = k->v[RR_TL_MEMCG_MAX] / 1048576.0;
	t->oomk[i] = k->v[RR_TL_MEMCG_OOM_KILL];	/* cumulative */
	t->rstall[i] = t->sstall[i] = 0.0;
	t->n++;
	return 0;
}

static int on_tl_stall(void *arg, const struct rr_stall *s)
{
	struct tl *t = arg;
	double ts = ((double)s->t_start_ns - (double)t->origin) / 1e9;
	size_t lo = 0, hi = t->n;

	if (!t->n)
		return 0;
	/* first tick at or after the stall's start: the bin that ends there */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->t[mid] < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == t->n)
		lo = t->n - 1;
	if (strcmp(s->scope, "system") == 0)
		t->sstall[lo] += (double)s->duration_ns / 1e6;
	else
		t->rstall[lo] += (double)s->duration_ns / 1e6;
	return 0;
}

static void put(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.6g", v);
	else
		fputs(" ?", f);
}

/* One run's timeline block (its first repetition). 0 or -errno. */
static int timeline_block(const struct cmp_run *run, FILE *f, char *msg, size_t len)
{
	const struct rr_dir *d = &run->dirs[0];
	struct tl t = { 0 };
	char h[4][700];
	size_t i;
	int ret;

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
	series(h[0], sizeof(h[0]), run, "PSI some");
	series(h[1], sizeof(h[1]), run, "memcg MiB");
	series(h[2], sizeof(h[2]), run, "stalls");
	series(h[3], sizeof(h[3]), run, "system stalls");
	fprintf(f, "t_s avg10 %s %s %s max %s %s oom_kills \"%s PSI\" \"%s memcg\" \"%s stalls\" "
		"\"%s system\"\n", h[0], h[0], h[1], h[2], h[3], run->id, run->id, run->id, run->id);
	for (i = 0; i < t.n; i++) {
		double dt = i ? t.t[i] - t.t[i - 1] : NAN;

		fprintf(f, "%.6g", t.t[i]);
		put(f, t.avg10[i]);
		put(f, i ? (t.some[i] - t.some[i - 1]) / 1e4 / dt : NAN);	/* us per s -> % */
		put(f, i ? (t.cgsome[i] - t.cgsome[i - 1]) / 1e4 / dt : NAN);
		put(f, t.usage[i]);
		put(f, t.max[i]);
		put(f, i ? t.rstall[i] / dt : NAN);
		put(f, i ? t.sstall[i] / dt : NAN);
		put(f, i ? t.oomk[i] - t.oomk[i - 1] : NAN);	/* OOM kills in this tick */
		fputc('\n', f);
	}
out:
	tl_free(&t);
	return ret;
}

int plot_runs(const struct cmp_run *runs, int n, const struct plot_opts *o, FILE *list,
	      char *msg, size_t len)
{
	char file[PATH_MAX + 16], title[1400];
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
		ret = timeline_block(&runs[r], m, msg, len);
		fclose(m);
		if (ret == 0 && blen) {
			/* a run without timeline or run length gets no block */
			dat_block(&d);
			fwrite(buf, 1, blen, d.f);
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
	snprintf(title, sizeof(title), "stalls, PSI and memcg usage over time%s%s%s",
		 n == 1 ? " (" : "", n == 1 ? runs[0].label : "", n == 1 ? ")" : "");
	snprintf(file, sizeof(file), "%s/timeline.dat", o->outdir);
	return render(o, "timeline.gp", file, "timeline", title, list, msg, len);
}
