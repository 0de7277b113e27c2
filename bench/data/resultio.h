/* Writing result files so that a crash at any moment leaves either the
 * previous complete file or the new complete one. Pure data, no kernel. */
#ifndef STALLBENCH_RESULTIO_H
#define STALLBENCH_RESULTIO_H
#include <jansson.h>
#include <stddef.h>
#include <stdbool.h>
#include "stats.h"

/* Writes j to dir/name via a temporary file, fsync and rename. 0 or -errno. */
int json_write_atomic(const char *dir, const char *name, const json_t *j);
/* The same with jansson's dump flags, and without the fsync when !sync (a
 * status file rewritten every second need not outlive a crash). */
int json_write_atomic_opts(const char *dir, const char *name, const json_t *j, size_t jflags,
			   bool sync);
/* A dist as a JSON object {count,min,mean,p50,p90,p99,p999,max,stddev,total}. */
json_t *dist_json(const struct dist *d);
/* Creates dir (and parents). 0 or -errno. */
int mkdir_p(const char *dir, unsigned int mode);
#endif
