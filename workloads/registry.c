/* The single list of workloads: adding one is one file plus one line here. */
#include <string.h>
#include "workload.h"

extern const struct workload wl_truncate_storm;
extern const struct workload wl_memhog;
extern const struct workload wl_vmalloc_nofail;
extern const struct workload wl_thp;
extern const struct workload wl_pipe_wait;
extern const struct workload wl_zero_read;

const struct workload *const workloads[] = {
	&wl_truncate_storm,
	&wl_memhog,
	&wl_vmalloc_nofail,
	&wl_thp,
	&wl_pipe_wait,
	&wl_zero_read,
	NULL,
};

const struct workload *workload_find(const char *name)
{
	for (int i = 0; workloads[i]; i++)
		if (!strcmp(workloads[i]->name, name))
			return workloads[i];
	return NULL;
}
