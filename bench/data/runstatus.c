/*
 * Live status files of running runs (see runstatus.h). Written by the
 * runner, read by `stallbench watch`. The write is a temporary file and a
 * rename, so a reader sees the old file or the new one, never half of one.
 */
#include "runstatus.h"
#include "resultio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *runstatus_dir(void)
{
	const char *d = getenv("STALLBENCH_RUNDIR");

	return d && *d ? d : "/run/stallbench";
}

bool runstatus_alive(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno != EPERM))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	/* Workers rename themselves sb-<workload><n>; the driver keeps its name. */
	return strncmp(comm, "stallbench", 10) == 0;
}

int runstatus_write(pid_t pid, const json_t *st)
{
	const char *dir = runstatus_dir();
	char name[32];

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(name, sizeof(name), "%d.json", (int)pid);
	/* no fsync: rewritten every second, gone with the run */
	return json_write_atomic_opts(dir, name, st, JSON_COMPACT | JSON_SORT_KEYS, false);
}

int runstatus_remove(pid_t pid)
{
	const char *dir = runstatus_dir();
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%d.json", dir, (int)pid);
	if (unlink(path) < 0 && errno != ENOENT)
		ret = -errno;
	/* Files of SIGKILLed drivers: a watch that saw them has shown them ended. */
	d = opendir(dir);
	if (!d)
		return ret;
	while ((e = readdir(d))) {
		char *end;
		long p = strtol(e->d_name, &end, 10);

		if (end == e->d_name || strcmp(end, ".json") != 0 || p <= 0 || p > INT_MAX)
			continue;
		if (!runstatus_alive((pid_t)p) && (pid_t)p != pid) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	}
	closedir(d);
	return ret;
}
