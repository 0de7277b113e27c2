/*
 * report's engine: one result directory (meta.json, summary.json, and the
 * folded stacks when recorded) as a readable table: what ran and under
 * what, lost events and OOM kills always shown, per op count, errors,
 * latency percentiles, stall share and retry rounds, per stall kind, then
 * where the stall time and each op's time came from. Reads the result
 * files only; what it says of each stall kind comes from the kind's traits
 * in the schema (schema/stallkind.h), and the rounds' sources from the
 * schema's table, so a new source needs no edit here.
 */
#ifndef STALLBENCH_REPORT_H
#define STALLBENCH_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * meta.json and summary.json of dir, checked (formats, and a status of
 * complete unless allow_incomplete). 0, or -EINVAL with the reason in msg
 * (nothing kept).
 */
int report_load(const char *dir, bool allow_incomplete, json_t **meta, json_t **sum,
		char *msg, size_t len);
/* The text report of dir (meta and sum from report_load) on stdout. */
void report_text(const char *dir, json_t *meta, json_t *sum);

#endif
