/*
 * What report's files share: reading a number out of summary.json, its
 * approximate percentiles, and the sections report_where.c prints.
 */
#ifndef STALLBENCH_REPORT_IMPL_H
#define STALLBENCH_REPORT_IMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "parse.h"

/*
 * A percentile of summary.json: its histogram's bucket (stats.h), within
 * HIST_REL_ERR of the exact nearest-rank value, so it says "~" (the one
 * percentile rule: an exact value, as compare and plot give, or "~").
 */
static inline const char *rp_approx(double ns, char *buf, size_t len)
{
	char v[32];

	snprintf(buf, len, "~%s", fmt_ns(ns, v, sizeof(v)));
	return buf;
}

/* o's number k; 0 when absent. */
static inline double rp_num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return v ? json_number_value(v) : 0;
}

/* report_where.c: where the stall time and each op's time came from */
void rp_print_reasons(json_t *stalls);
void rp_print_sources(json_t *ops);
void rp_print_time_split(json_t *ops);
void rp_print_answer(json_t *ops, json_t *pressure);
void rp_print_stack_sources(const char *dir, const char *file, bool counts);

#endif
