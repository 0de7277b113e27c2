/*
 * Comparison of runs, the words every output shares: a change in percent,
 * a value in its unit, a metric's name, a change with its interval, text
 * wrapped to a mail's 72 columns and escaped for HTML. Formats numbers,
 * computes nothing; below the model and every renderer.
 */
#include "compare.h"
#include "compare_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

double cmp_pct_change(double a, double b)
{
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0.0)
		return b == 0.0 ? 0.0 : NAN;
	return (b - a) / fabs(a) * 100.0;
}

const char *cmp_unit_for(double ns)
{
	if (!(ns >= 1e3))
		return "ns";
	if (ns < 1e6)
		return "us";
	if (ns < 1e9)
		return "ms";
	return "s";
}

/* A duration in a unit that suits it, one word to wrap: "17.9s", "2.18ms". */
static void fmt_dur(char *buf, size_t len, double ns)
{
	const char *u = cmp_unit_for(ns);
	double d = !strcmp(u, "s") ? 1e9 : !strcmp(u, "ms") ? 1e6 : !strcmp(u, "us") ? 1e3 : 1.0;

	snprintf(buf, len, "%.3g%s", ns / d, u);
}

/* A value of a tested metric, in its own unit. */
void cmp_fmt_value(char *buf, size_t len, const char *metric, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (!strcmp(metric, "rounds"))
		snprintf(buf, len, v >= 1000.0 ? "%.0f" : "%.3g", v);
	else if (!strcmp(metric, "ops_s"))
		snprintf(buf, len, v >= 1000.0 ? "%.0f/s" : "%.3g/s", v);
	else
		fmt_dur(buf, len, v);
}

/*
 * A change as the letter words every change: in percent of A, with the
 * family's adjusted interval. A ratio r is (r - 1) * 100%; a difference
 * d (a test on values, a side held a 0) is d / A * 100%, or the value
 * itself when A is 0. buf gets e.g. "-62.8% [-64.1%, -61.4%]".
 */
void cmp_fmt_change_ci(char *buf, size_t len, json_t *t, const char *metric)
{
	json_t *ci = json_object_get(t, "ci_adj");
	double lo, hi, a = json_number_value(json_object_get(t, "a"));
	char c[24], l[24], h[24];

	if (!json_is_array(ci))
		ci = json_object_get(t, "ci95");
	lo = json_number_value(json_array_get(ci, 0));
	hi = json_number_value(json_array_get(ci, 1));
	if (json_is_number(json_object_get(t, "ratio")) &&
	    !strcmp(json_string_value(json_object_get(t, "test")) ?: "", "welch-log")) {
		cmp_fmt_pct(c, sizeof(c), (json_number_value(json_object_get(t, "ratio")) - 1.0) * 100.0);
		cmp_fmt_pct(l, sizeof(l), (lo - 1.0) * 100.0);
		cmp_fmt_pct(h, sizeof(h), (hi - 1.0) * 100.0);
	} else if (a != 0.0 && isfinite(a)) {
		double d = json_number_value(json_object_get(t, "diff"));

		cmp_fmt_pct(c, sizeof(c), d / fabs(a) * 100.0);
		cmp_fmt_pct(l, sizeof(l), lo / fabs(a) * 100.0);
		cmp_fmt_pct(h, sizeof(h), hi / fabs(a) * 100.0);
	} else {
		double d = json_number_value(json_object_get(t, "diff"));

		cmp_fmt_value(c + 1, sizeof(c) - 1, metric, fabs(d));
		c[0] = d < 0 ? '-' : '+';
		cmp_fmt_value(l, sizeof(l), metric, lo);
		cmp_fmt_value(h, sizeof(h), metric, hi);
	}
	snprintf(buf, len, "%s [%s, %s]", c, l, h);
}

/* "+50%", "-7.3%", "+0.4%": three figures at most, sign always. */
void cmp_fmt_pct(char *buf, size_t len, double pct)
{
	if (!isfinite(pct))
		snprintf(buf, len, "?");
	else if (fabs(pct) >= 9.95)
		snprintf(buf, len, "%+.0f%%", pct);
	else
		snprintf(buf, len, "%+.1f%%", pct);
}

/* What a metric key is called in a verdict line. */
/* "time asleep in SITE per call" for a sleep_at:SITE metric (one buffer:
 * the words are used before the next call) */
static const char *sleep_at_what(const char *metric)
{
	static char what[160];

	snprintf(what, sizeof(what), "time asleep in %s per call", metric + 9);
	return what;
}

const char *cmp_metric_what(const char *metric)
{
	return !strcmp(metric, "latency") ? "latency" :
	       !strcmp(metric, "rounds") ? "reclaim rounds per call" :
	       !strcmp(metric, "stall") ? "stall time per call" :
	       !strcmp(metric, "sleep") ? "time asleep per call" :
	       !strcmp(metric, "p99") ? "p99 latency per run" :
	       !strcmp(metric, "ops_s") ? "ops/s" :
	       !strncmp(metric, "sleep_at:", 9) ? sleep_at_what(metric) : "total stall time per run";
}

void cmp_wrap(FILE *f, const char *first, const char *cont, const char *text)
{
	size_t col = strlen(first), ind = strlen(cont);
	const char *p = text;
	bool empty = true;	/* nothing but the prefix on this line yet */

	fputs(first, f);
	while (*p) {
		size_t m;

		p += strspn(p, " ");
		m = strcspn(p, " ");
		if (!m)
			break;
		if (!empty && col + 1 + m > CMP_WIDTH) {
			fprintf(f, "\n%s", cont);
			col = ind;
			empty = true;
		}
		if (!empty) {
			fputc(' ', f);
			col++;
		}
		/* A word longer than a line (a long path) is cut across lines. */
		while (col + m > CMP_WIDTH) {
			size_t room = CMP_WIDTH - col;

			fwrite(p, 1, room, f);
			p += room;
			m -= room;
			fprintf(f, "\n%s", cont);
			col = ind;
		}
		fwrite(p, 1, m, f);
		col += m;
		p += m;
		empty = false;
	}
	fputc('\n', f);
}

void cmp_html_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}
