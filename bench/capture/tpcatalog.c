/* The tracepoint catalogue (capture/tpcatalog.h) as a table, and the lookups
 * the capture, the attribution and doctor make in it. */
#include <string.h>

#include "tpcatalog.h"

const struct tp_def tp_catalog[] = {
#define X(sys, ev, role, kind, arg, round, probe, needed) \
	{ #sys, #ev, TP_##role, kind, arg, round, probe, needed },
	SB_TRACEPOINTS(X)
#undef X
};
const size_t tp_catalog_n = sizeof(tp_catalog) / sizeof(tp_catalog[0]);

const struct tp_def *tp_find(const char *sys, const char *name)
{
	for (size_t i = 0; i < tp_catalog_n; i++)
		if (!strcmp(tp_catalog[i].sys, sys) && !strcmp(tp_catalog[i].name, name))
			return &tp_catalog[i];
	return NULL;
}

int tp_stall_round(enum stall_kind k)
{
	for (size_t i = 0; i < tp_catalog_n; i++)
		if (tp_catalog[i].kind == (int)k &&
		    (tp_catalog[i].role == TP_BEGIN || tp_catalog[i].role == TP_THROTTLED))
			return tp_catalog[i].round;
	return -1;
}

int tp_point_round(enum point_kind k)
{
	if (k == POINT_NOFAIL)	/* nofail.c's kmem events: one per allocation */
		return RSRC_NOFAIL;
	for (size_t i = 0; i < tp_catalog_n; i++)
		if (tp_catalog[i].kind == (int)k && tp_catalog[i].role == TP_POINT)
			return tp_catalog[i].round;
	return -1;
}

bool tp_stall_reclaims(enum stall_kind k)
{
	for (size_t i = 0; i < tp_catalog_n; i++)
		if (tp_catalog[i].kind == (int)k && tp_catalog[i].role == TP_END)
			return tp_catalog[i].arg != NULL;
	return false;
}

bool tp_stall_throttle(enum stall_kind k)
{
	for (size_t i = 0; i < tp_catalog_n; i++)
		if (tp_catalog[i].kind == (int)k && tp_catalog[i].role == TP_THROTTLED)
			return true;
	return false;
}
