/* An op's traits: their names, and reading them back from meta.json (optraits.h). */
#include "optraits.h"
#include "oprec.h"

#include <string.h>

/* The workloads' OPT_* bits are the schema's trait names, bit for bit. */
#define X(e, n) _Static_assert(OPT_##e == 1u << SB_OPT_BIT_##e, "OPT_" #e " is not columns.h's bit");
SB_OP_TRAITS(X)
#undef X

const char *const sb_optrait_names[SB_OPT_NR] = {
#define X(e, n) [SB_OPT_BIT_##e] = n,
	SB_OP_TRAITS(X)
#undef X
};

json_t *optraits_json(unsigned int bits)
{
	json_t *a = json_array();

	for (unsigned int i = 0; a && i < SB_OPT_NR; i++)
		if (bits & (1u << i))
			json_array_append_new(a, json_string(sb_optrait_names[i]));
	return a;
}

/* Results written before meta.json recorded traits: the ops that had them then. */
static const struct {
	const char *op;
	unsigned int traits;
} before_traits[] = {
	{ "vmalloc-nofail/alloc", RR_OPT_NOFAIL },
	{ "thp/fault", RR_OPT_HUGE },
};

unsigned int rr_op_traits(json_t *meta, const char *wl_op)
{
	const char *slash = strchr(wl_op, '/');
	json_t *wl, *names, *v;
	unsigned int bits = 0;
	size_t i, j;

	if (!slash)
		return 0;
	json_array_foreach(json_object_get(json_object_get(meta, "params"), "workloads"), i, wl) {
		const char *n = json_string_value(json_object_get(wl, "name"));
		json_t *t = json_object_get(wl, "op_traits");

		if (!n || strlen(n) != (size_t)(slash - wl_op) || strncmp(n, wl_op, strlen(n)))
			continue;
		if (!json_is_object(t))
			break;	/* an older result: the table below */
		names = json_object_get(t, slash + 1);
		json_array_foreach(names, j, v)
			for (unsigned int b = 0; b < SB_OPT_NR; b++)
				if (!strcmp(json_string_value(v) ?: "", sb_optrait_names[b]))
					bits |= 1u << b;
		return bits;
	}
	for (i = 0; i < sizeof(before_traits) / sizeof(before_traits[0]); i++)
		if (!strcmp(before_traits[i].op, wl_op))
			return before_traits[i].traits;
	return 0;
}
