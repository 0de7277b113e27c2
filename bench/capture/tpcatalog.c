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

/*
 * Every row against its kind's schema row (schema/stallkind.h), at compile
 * time, so a kind is said once: a stall row's kind and round source index
 * the capture's and the attribution's arrays (open_seq[], src[]), so they
 * are in range; only a throttle kind has a THROTTLED row, and its only
 * row; a paired kind's end carries an argument (nr_reclaimed) exactly when
 * the schema says it reclaims.
 */
enum {
#define X(e, n, r, t) TPK_REC_STALL_##e = r, TPK_THR_STALL_##e = t,
	SB_STALL_KINDS_TRAITS(X)
#undef X
};
#define TP_HAS_ARG(a)		(!__builtin_types_compatible_p(__typeof__(a), void *))
#define TP_ROUND(rd)		((rd) >= -1 && (rd) < RSRC_NR)	/* none, or a source */
#define TP_STALL(k, rd)		((int)(k) >= 0 && (k) < STALL_NR_KINDS && TP_ROUND(rd))
#define TP_OK_BEGIN(k, a, rd)	(TP_STALL(k, rd) && !TPK_THR_##k)
#define TP_OK_END(k, a, rd)	(TP_STALL(k, rd) && !TPK_THR_##k && TPK_REC_##k == TP_HAS_ARG(a))
#define TP_OK_THROTTLED(k, a, rd) (TP_STALL(k, rd) && TPK_THR_##k && !TPK_REC_##k)
#define TP_OK_POINT(k, a, rd)	((int)(k) >= 0 && (k) < POINT_NR_KINDS && TP_ROUND(rd))
#define X(sys, ev, role, kind, arg, round, probe, needed)			\
	_Static_assert(TP_OK_##role(kind, arg, round),				\
		       #sys ":" #ev ": not what schema/stallkind.h says of " #kind);
SB_TRACEPOINTS(X)
#undef X

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
