/*
 * Where the ops' time on a CPU went: each finalised op's cpu-clock samples
 * (by stack, from the attribution) summed per op kind by site and kept
 * whole for the flame graph, then written as oncpu.csv (columns.h's
 * SB_ONCPU_COLS), oncpu_stacks.folded (rooted at workload/op, weighted in
 * samples) and summary.json's per-op "oncpu". A sample is a period of the
 * task's CPU time (SB_ONCPU_PERIOD_NS): its shares are shares of the CPU
 * time ops.csv's cpu_ns measures exactly.
 */
#include "run_impl.h"
#include "rowwrite.h"
#include "rfile.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* key's [samples, ops] plus these. */
static void count_site(json_t *sites, const char *key, uint64_t samples, bool op)
{
	json_t *v = json_object_get(sites, key);

	if (!v) {
		v = json_pack("[I,I]", (json_int_t)0, (json_int_t)0);
		json_object_set_new(sites, key, v);
	}
	json_array_set_new(v, 0, json_integer(json_integer_value(json_array_get(v, 0)) +
					      (json_int_t)samples));
	if (op)
		json_array_set_new(v, 1, json_integer(json_integer_value(json_array_get(v, 1)) +
						      1));
}

void oncpu_agg(struct runner *r, const struct oprec *o, const struct attrib_op *at,
	       struct opagg *a)
{
	const char *wl = r->cfg->wl[o->wl].w->name, *op = wl_op_name(r->cfg->wl[o->wl].w, o->op);

	if (!a->cpu_sites && !(a->cpu_sites = json_object()))
		return;
	a->cpu_samples += at->cpu_samples;
	a->cpu_in_stall += at->cpu_in_stall;
	for (uint32_t i = 0; i < at->ncpu; i++) {
		const struct attrib_cpu *s = &at->cpu[i];
		bool again = false;

		/* an op counts once per site, however many of its stacks end there */
		for (uint32_t j = 0; j < i; j++)
			again |= at->cpu[j].site == s->site;
		count_site(a->cpu_sites, s->site, s->n, !again);
		if (r->oncpu_stacks)
			results_count_stack(r->oncpu_stacks, wl, op, *s->stack ? s->stack : s->site,
					    s->n);
	}
}

void oncpu_write(struct runner *r)
{
	struct rfile *f;
	int ret;

	if (!r->oncpu)
		return;
	/* oncpu_stacks.folded weighs cpu-clock samples (count), rooted at workload/op */
	results_write_folded(r, "oncpu_stacks.folded", r->oncpu_stacks);
	ret = rf_open(r->cfg->out, "oncpu.csv", RF_PLAIN, 0, &f);
	if (ret) {
		results_io_failed(r, NULL, "oncpu.csv", ret, "open");
		return;
	}
	rr_oncpu_header(rf_stream(f));
	for (unsigned int i = 0; i < r->cfg->nr_wl; i++) {
		const struct workload *w = r->cfg->wl[i].w;

		for (unsigned int k = 0; w->op_names[k] && k < MAX_OPS_PER_WL; k++) {
			const struct opagg *a = &r->agg[i][k];
			struct rr_oncpu row = { .workload = w->name, .op = w->op_names[k] };
			const char *key;
			json_t *v;

			json_object_foreach(a->cpu_sites, key, v) {
				row.site = key;
				row.samples = (uint64_t)json_integer_value(json_array_get(v, 0));
				row.ops = (uint64_t)json_integer_value(json_array_get(v, 1));
				rr_write_oncpu(rf_stream(f), &row);
			}
		}
	}
	rf_close(f, true);
	results_io_failed(r, f, NULL, 0, NULL);
	rf_free(f);
}

static int samples_cmp(const void *x, const void *y)
{
	json_int_t a = json_integer_value(json_object_get(*(json_t *const *)x, "samples"));
	json_int_t b = json_integer_value(json_object_get(*(json_t *const *)y, "samples"));

	return a < b ? 1 : a > b ? -1 : 0;
}

json_t *oncpu_op_json(const struct runner *r, const struct opagg *a)
{
	size_t n = 0, cap = json_object_size(a->cpu_sites) + 1;
	json_t **sv = calloc(cap, sizeof(*sv)), *arr = json_array(), *v;
	const char *k;

	json_object_foreach(a->cpu_sites, k, v)
		if (sv)
			sv[n++] = json_pack("{s:s,s:O,s:O}", "site", k, "samples",
					    json_array_get(v, 0), "ops", json_array_get(v, 1));
	if (sv)
		qsort(sv, n, sizeof(*sv), samples_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, sv[i]);
	free(sv);
	return json_pack("{s:I,s:I,s:I,s:o}", "samples", (json_int_t)a->cpu_samples,
			 "in_stall_samples", (json_int_t)a->cpu_in_stall,
			 "period_ns", (json_int_t)r->oncpu, "sites", arr);
}
