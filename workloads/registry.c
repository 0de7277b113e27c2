/*
 * The single list of workloads: adding one is one file (workloads/NAME.c,
 * which the build picks up by itself) defining `const struct workload
 * wl_NAME`, plus one line here. The order is the one help and completion
 * list them in.
 */
#include <string.h>
#include "workload.h"

#define SB_WORKLOADS(X)	\
	X(truncate_storm)	\
	X(memhog)		\
	X(vmalloc_nofail)	\
	X(thp)			\
	X(pipe_wait)		\
	X(zero_read)

#define X(n) extern const struct workload wl_##n;
SB_WORKLOADS(X)
#undef X

const struct workload *const workloads[] = {
#define X(n) &wl_##n,
	SB_WORKLOADS(X)
#undef X
	NULL,
};

const struct workload *workload_find(const char *name)
{
	for (int i = 0; workloads[i]; i++)
		if (!strcmp(workloads[i]->name, name))
			return workloads[i];
	return NULL;
}
