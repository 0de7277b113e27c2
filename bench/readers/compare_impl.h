/* What the three parts of the comparison (compare_load.c, compare_model.c,
 * compare_render.c) share among themselves; not for other users. */
#ifndef STALLBENCH_COMPARE_IMPL_H
#define STALLBENCH_COMPARE_IMPL_H

#include <jansson.h>
#include <stddef.h>

/* Appends "path" of every leaf under objs[0..n) whose value is not the same in all. */
void cmp_diff_paths(json_t **objs, int n, const char *path, json_t *out);
/* "cap 64M", "mix punch=1,unlink=1", "alloc-flags nofail": one differing leaf, short. */
void cmp_leaf_label(json_t *exp, const char *path, char *buf, size_t len);
/* Change from a to b in percent; NaN when it has no meaning (a = 0, b != 0). */
double cmp_pct_change(double a, double b);

#endif
