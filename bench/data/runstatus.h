/*
 * Live status files: while `stallbench run` runs, it keeps one small JSON
 * file named <pid>.json in runstatus_dir() (/run/stallbench, or
 * $STALLBENCH_RUNDIR), replaced by rename about once a second and removed
 * when the run's results are final. It says where the run writes its result
 * directory and what only the driver knows before the end (lost events, OOM
 * victims), so that `stallbench watch` finds every running run without
 * arguments. A file whose pid is no longer a stallbench driver is left by a
 * killed run: readers show that run as ended. Pure data, no kernel.
 */
#ifndef STALLBENCH_RUNSTATUS_H
#define STALLBENCH_RUNSTATUS_H

#include <stdbool.h>
#include <sys/types.h>
#include <jansson.h>

#define RUNSTATUS_FORMAT	1

/* The directory of live status files (not created). */
const char *runstatus_dir(void);
/* Replaces <pid>.json with st (no fsync: the file only lives as long as
 * the run, and a slow disk must not stall the driver). 0 or -errno. */
int runstatus_write(pid_t pid, const json_t *st);
/* Removes <pid>.json, and any file of a driver that is gone. 0 or -errno. */
int runstatus_remove(pid_t pid);
/* Whether pid is a running stallbench driver (not a reused pid). */
bool runstatus_alive(pid_t pid);

#endif
