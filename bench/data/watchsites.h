/*
 * Where the ops of a watched run sleep: per op, its time asleep so far, its
 * top wait sites outside reclaim stalls and the part inside them. A sleep
 * inside a stall is that stall's (the stall line shows it, by kind): it is
 * counted once, as the timeline counts it, never again as a site. Read from
 * the driver's live status file ("asleep", cumulative over the ops done so
 * far) while the run runs, from summary.json once it has ended.
 */
#ifndef STALLBENCH_WATCHSITES_H
#define STALLBENCH_WATCHSITES_H

#include <jansson.h>
#include <stdio.h>

#define WS_MAX_OPS	16
#define WS_TOP		2	/* sites shown per op */

struct watchsites {
	unsigned int nops;
	struct {
		char op[96];		/* "workload/op" */
		double asleep_ns, in_stall_ns;
		unsigned int nsites;
		struct {
			char name[64];
			double ns;
		} site[WS_TOP];
	} op[WS_MAX_OPS];
};

/* From the live status file's "asleep" object ({op: {sleep_ns, in_stall_ns, sites}}). */
void ws_from_status(struct watchsites *s, json_t *asleep);
/* From summary.json's "ops" (time_split.sleep_ns, offcpu). */
void ws_from_summary(struct watchsites *s, json_t *ops);
/* " | asleep OP 86%: 92% submit_bio_wait, 7% folio_wait_writeback" per op that slept
 * (its share of the op's wall time is not known here: the share of its sleep). */
void ws_print_text(FILE *f, const struct watchsites *s);
/* One line per op for the live view, each ended by eol; returns the lines. */
int ws_print_lines(FILE *f, const struct watchsites *s, const char *eol);
/* {op: {asleep_s, in_stall_share, sites: [{site, share}]}} */
json_t *ws_json(const struct watchsites *s);

#endif
