/* Parsers for the values users type: sizes, durations, counts, booleans.
 * Every rejection says what the input was and gives an example that works,
 * because the command line is the interface people meet first. */
#include "parse.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

/* Splits s into a finite non-negative number and its unit suffix. 0 or -EINVAL. */
static int split_num(const char *s, double *num, const char **unit)
{
	char *end;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -EINVAL;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return -EINVAL;
	/* Plain decimal only: strtod would also take hex, exponents, "nan". */
	for (end = (char *)s; isdigit((unsigned char)*end) || *end == '.'; end++)
		;
	if (strchr(s, '.') && strchr(s, '.') != strrchr(s, '.') && strrchr(s, '.') < end)
		return -EINVAL;
	{
		char *e2;

		errno = 0;
		*num = strtod(s, &e2);
		if (e2 != end || errno || !isfinite(*num) || *num < 0)
			return -EINVAL;
	}
	*unit = end;
	return 0;
}

int parse_size(const char *s, uint64_t *out, char *msg, size_t len)
{
	static const struct { const char *u; double mul; } units[] = {
		{ "", 1 }, { "b", 1 }, { "k", 1024.0 }, { "kb", 1024.0 }, { "kib", 1024.0 },
		{ "m", 1048576.0 }, { "mb", 1048576.0 }, { "mib", 1048576.0 },
		{ "g", 1073741824.0 }, { "gb", 1073741824.0 }, { "gib", 1073741824.0 },
		{ "t", 1099511627776.0 }, { "tb", 1099511627776.0 }, { "tib", 1099511627776.0 },
	};
	const char *unit;
	double v;

	if (split_num(s, &v, &unit)) {
		snprintf(msg, len, "'%s': not a size (try 256M, 1G, 4096)", s ? s : "");
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(unit, units[i].u))
			continue;
		v *= units[i].mul;
		if (v >= 18446744073709551615.0) {
			snprintf(msg, len, "'%s': size too large", s);
			return -ERANGE;
		}
		if (v != floor(v)) {
			snprintf(msg, len, "'%s': not a whole number of bytes", s);
			return -EINVAL;
		}
		*out = (uint64_t)v;
		return 0;
	}
	snprintf(msg, len, "'%s': unknown size unit '%s' (try K, M, G, T)", s, unit);
	return -EINVAL;
}

int parse_duration(const char *s, uint64_t *out, char *msg, size_t len)
{
	static const struct { const char *u; double mul; } units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "sec", 1e9 }, { "ms", 1e6 }, { "us", 1e3 },
		{ "ns", 1 }, { "m", 60e9 }, { "min", 60e9 }, { "h", 3600e9 },
	};
	const char *unit;
	double v;

	if (split_num(s, &v, &unit)) {
		snprintf(msg, len, "'%s': not a duration (try 10s, 500ms, 2m)", s ? s : "");
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(unit, units[i].u))
			continue;
		v *= units[i].mul;
		if (v >= 9.2e18) {
			snprintf(msg, len, "'%s': duration too long", s);
			return -ERANGE;
		}
		*out = (uint64_t)llround(v);
		return 0;
	}
	snprintf(msg, len, "'%s': unknown duration unit '%s' (try s, ms, us, m)", s, unit);
	return -EINVAL;
}

int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *msg, size_t len)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s)) {
		snprintf(msg, len, "'%s': not a non-negative whole number", s ? s : "");
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end) {
		snprintf(msg, len, "'%s': not a whole number", s);
		return -EINVAL;
	}
	if (errno || v < min || v > max) {
		snprintf(msg, len, "'%s': out of range [%llu, %llu]", s,
			 (unsigned long long)min, (unsigned long long)max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int parse_bool(const char *s, bool *out, char *msg, size_t len)
{
	static const char *const yes[] = { "1", "yes", "true", "on", "y" };
	static const char *const no[] = { "0", "no", "false", "off", "n" };

	for (size_t i = 0; s && i < 5; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	snprintf(msg, len, "'%s': not a boolean (yes/no)", s ? s : "");
	return -EINVAL;
}

int parse_double(const char *s, double *out, char *msg, size_t len)
{
	char *end;
	double v;

	if (!s || !*s) {
		snprintf(msg, len, "'': not a number");
		return -EINVAL;
	}
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno || !isfinite(v)) {
		snprintf(msg, len, "'%s': not a number", s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

const char *fmt_size(uint64_t b, char *buf, size_t len)
{
	static const char units[] = "BKMGT";
	double v = (double)b;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lluB", (unsigned long long)b);
	else if (v == floor(v))
		snprintf(buf, len, "%.0f%c", v, units[u]);
	else	/* never looks exact when it is not */
		snprintf(buf, len, "%.2f%c", v, units[u]);
	return buf;
}

const char *fmt_ns(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3gus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3gms", ns / 1e6);
	else
		snprintf(buf, len, "%.3gs", ns / 1e9);
	return buf;
}
