/* A followed run's line (data/watchrun.h) as `stallbench watch` prints it. */
#ifndef STALLBENCH_WATCHPRINT_H
#define STALLBENCH_WATCHPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "watchrun.h"

/* The line for --batch (no newline) and for --json (one JSON object);
 * brief: time, name, state, ops/s, stall share, memcg, OOM kills only. */
void wr_print_text(FILE *f, const struct watchrun *w, const struct wr_line *l, bool brief);
void wr_print_json(FILE *f, const struct watchrun *w, const struct wr_line *l);
/* "12.3M", "1.2G" */
const char *wr_size(double bytes, char *buf, size_t len);
/* "850us", "3.1ms", "2.40s" */
const char *wr_dur_ms(double ms, char *buf, size_t len);

#endif
