/*
 * An op's traits in a result (columns.h's SB_OP_TRAITS): what the readers
 * show of an op follows them, never its workload's name. The runner writes
 * each workload's in meta.json (params.workloads[].op_traits: op -> names);
 * results written before that are read through one table of the ops that
 * had them then. Pure data.
 */
#ifndef STALLBENCH_OPTRAITS_H
#define STALLBENCH_OPTRAITS_H

#include <jansson.h>

#include "columns.h"

enum {
#define X(e, n) RR_OPT_##e = 1 << SB_OPT_BIT_##e,
	SB_OP_TRAITS(X)
#undef X
};

/* The traits' names by bit. */
extern const char *const sb_optrait_names[SB_OPT_NR];
/* bits as a JSON array of names (the writer's); NULL on allocation failure. */
json_t *optraits_json(unsigned int bits);
/* The traits (RR_OPT_*) of op "workload/op" of the result whose meta.json is meta. */
unsigned int rr_op_traits(json_t *meta, const char *wl_op);

#endif
