/*
 * Plots, the gnuplot side: finding gnuplot and the scripts in plots/, and
 * running a script on a data file for each format asked for (PNG, SVG) and
 * the 72-column text rendering, logged to gnuplot.log with its command.
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
		plot_setmsg(msg, msglen, "STALLBENCH_PLOTS=%s: no cdf.gp there", env);
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
	plot_setmsg(msg, msglen, "no gnuplot scripts found (not installed beside the binary, no "
	       "source tree; set STALLBENCH_PLOTS to the plots/ directory)");
	return -ENOENT;
}

/* mkdir -p. 0 or -errno. */

void plot_gp_quote(char *out, size_t len, const char *s)
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
		plot_setmsg(msg, len, "out of memory");
		return -ENOMEM;
	}
	plot_gp_quote(qin, sizeof(qin), data);
	plot_gp_quote(qout, sizeof(qout), out);
	plot_gp_quote(qt, sizeof(qt), title);
	snprintf(expr, elen, "in=%s; out=%s; title=%s%s%s", qin, qout, qt,
		 vars && *vars ? "; " : "", vars ? vars : "");
	snprintf(spath, sizeof(spath), "%s/%s", o->scripts, script);
	snprintf(logpath, sizeof(logpath), "%s/gnuplot.log", o->outdir);
	fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;

		free(expr);
		plot_setmsg(msg, len, "%s: %s", logpath, strerror(e));
		return -e;
	}
	dprintf(fd, "# %s -e \"%s\" %s\n", o->gnuplot, expr, spath);
	pid = fork();
	if (pid < 0) {
		int e = errno;

		free(expr);
		close(fd);
		plot_setmsg(msg, len, "fork: %s", strerror(e));
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

			plot_setmsg(msg, len, "waitpid: %s", strerror(e));
			return -e;
		}
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		plot_setmsg(msg, len, "gnuplot failed on %s for %s (see %s)", script, out, logpath);
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
int plot_render(const struct plot_opts *o, const char *script, const char *data,
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
			plot_setmsg(msg, len, "%s: %s", out, strerror(-ret));
		if (ret < 0)
			return ret;
		if (list)
			fprintf(list, "%s\n", out);
	}
	return 0;
}
