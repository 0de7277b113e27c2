/*
 * Comparison of runs, the model's runs: who each run is and what it lost,
 * whether the runs are one experiment (and what differs where not), the mm
 * settings they share and those that differ, the known kernel changes
 * between them, and which columns can be tested at all. Warnings a number
 * must carry are said here, once each.
 */
#include "compare.h"
#include "compare_impl.h"
#include "kchanges.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static char *value_str(json_t *v)
{
	if (!v)
		return strdup("-");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

/*
 * A differing mm setting is what a kernel comparison is about: listed, not
 * warned about, except where it changes what a number means.
 */
static const struct {
	const char *key, *why;
} mm_why[] = {
	{ "lru_gen", "lru_gen (MGLRU) differs: reclaim rounds and stall counts "
	  "come from different reclaim code; a variant --mm lru_gen=n (or y) "
	  "equalises it" },
	{ "init_on_alloc", "init_on_alloc/free differs: latency includes page "
	  "zeroing on one side only" },
	{ "init_on_free", "init_on_alloc/free differs: latency includes page "
	  "zeroing on one side only" },
};

static void add_warning(json_t *warn, const char *text)
{
	size_t i;
	json_t *v;

	json_array_foreach(warn, i, v)
		if (strcmp(json_string_value(v), text) == 0)
			return;
	json_array_append_new(warn, json_string(text));
}

/* Keys of obj at path (in any run's first dir) whose values differ. */
static json_t *differing(const struct cmp_run *runs, int n, const char *path)
{
	json_t *keys = json_object(), *out = json_array();
	const char *key;
	json_t *v;
	int i;

	for (i = 0; i < n; i++) {
		json_t *obj = rr_json_get(runs[i].dirs[0].meta, path);

		if (json_is_object(obj))
			json_object_foreach(obj, key, v)
				json_object_set_new(keys, key, json_true());
	}
	json_object_foreach(keys, key, v) {
		json_t *first = json_object_get(rr_json_get(runs[0].dirs[0].meta, path), key);

		for (i = 1; i < n; i++) {
			json_t *x = json_object_get(rr_json_get(runs[i].dirs[0].meta, path), key);

			if (!(first && x && json_equal(first, x)) && (first || x)) {
				json_array_append_new(out, json_string(key));
				break;
			}
		}
	}
	json_decref(keys);
	return out;
}

/* The warning a number that covers part of a run, or a lower bound, must carry. */
static void run_warnings(const struct cmp_run *cr, json_t *warn)
{
	char w[200];

	if (strcmp(cr->status, "complete") != 0) {
		snprintf(w, sizeof(w), "%s: status %s: numbers cover part of the run",
			 cr->id, cr->status);
		add_warning(warn, w);
	}
	if (cr->lost_known && cr->lost_events) {
		snprintf(w, sizeof(w), "%s: %" PRIu64 " trace events lost: stall counts are "
			 "a lower bound", cr->id, cr->lost_events);
		add_warning(warn, w);
	}
	if (cr->bad_rows) {
		snprintf(w, sizeof(w), "%s: %" PRIu64 " malformed rows skipped", cr->id,
			 cr->bad_rows);
		add_warning(warn, w);
	}
}

/* Repetitions must be one experiment on one kernel to be pooled. */
static void reps_alike(const struct cmp_run *cr, json_t *exp, json_t *warn)
{
	char w[200];

	for (int d = 1; d < cr->ndirs; d++) {
		json_t *e = cmp_experiment(&cr->dirs[d]);
		json_t *a = json_object_get(cr->dirs[0].meta, "mm");
		json_t *b = json_object_get(cr->dirs[d].meta, "mm");

		if (!json_equal(e, exp)) {
			snprintf(w, sizeof(w), "%s: repetitions are not the same experiment "
				 "(repetition 1 vs %d)", cr->id, d + 1);
			add_warning(warn, w);
		}
		if (strcmp(cr->dirs[0].release, cr->dirs[d].release) ||
		    (!json_equal(a, b) && (a || b))) {
			snprintf(w, sizeof(w), "%s: repetitions differ in kernel or mm settings",
				 cr->id);
			add_warning(warn, w);
		}
		json_decref(e);
	}
}

/* One run as the model lists it: who it is, where from, what it lost. */
static json_t *run_obj(const struct cmp_run *cr)
{
	json_t *dirs = json_array();

	json_t *outs = json_array();

	for (int d = 0; d < cr->ndirs; d++) {
		const struct cmp_repout *o = &cr->out[d];

		json_array_append_new(dirs, json_string(cr->dirs[d].path));
		json_array_append_new(outs, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}",
			"oom_kills", jreal(o->oom_kills), "oom_events", jreal(o->oom_events),
			"oom_kill", jreal(o->oom_kill), "peak_bytes", jreal(o->peak_bytes),
			"cap_bytes", jreal(o->cap_bytes), "duration_ns", jreal(o->duration_ns)));
	}
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:i,s:o,s:o,s:I,s:I}",
		"id", cr->id, "label", cr->label, "kernel", cr->kernel,
		"release", cr->dirs[0].release,
		"virt", rr_json_str(cr->dirs[0].meta, "host.virt") ?: "",
		"cmdline", cr->dirs[0].cmdline, "dirs", dirs, "rep_outcomes", outs,
		"status", cr->status,
		"repetitions", cr->ndirs,
		"oom_kills", cr->oom_known ? json_integer((json_int_t)cr->oom_kills) : json_null(),
		"lost_events", cr->lost_known ? json_integer((json_int_t)cr->lost_events) :
			json_null(),
		"bad_rows", (json_int_t)cr->bad_rows,
		"oom_victims_outside", (json_int_t)cr->oom_outside);
}

/*
 * The experiment: the same everywhere, or a warning that says what differs
 * (each differing parameter with every run's value). Returns the paths that
 * differ; exp[r] is run r's experiment.
 */
static json_t *experiment_model(const struct cmp_run *runs, int n, json_t **exp, json_t *warn,
				const char *vary, json_t *m)
{
	json_t *ediff = json_array(), *v, *varied = json_array(), *keep = json_array();
	char w[512];
	size_t used, i;

	if (n > 1)
		cmp_diff_paths(exp, n, "", ediff);
	/* what the caller varied on purpose (--vary) is the comparison, not a warning */
	json_array_foreach(ediff, i, v) {
		const char *path = json_string_value(v);
		bool on_purpose = false;

		for (const char *q = vary; q && *q;) {
			size_t l = strcspn(q, ",");

			if (l && !strncmp(path, q, l) && (!path[l] || path[l] == '.' || path[l] == '['))
				on_purpose = true;
			q += l;
			q += *q == ',';
		}
		if (on_purpose) {
			json_t *vals = json_array();
			char b[128];

			for (int r = 0; r < n; r++) {
				cmp_leaf_label(exp[r], path, b, sizeof(b));
				json_array_append_new(vals, json_string(b));
			}
			json_array_append_new(varied, json_pack("{s:s,s:o}", "key", path, "values", vals));
		} else {
			json_array_append(keep, v);
		}
	}
	json_decref(ediff);
	ediff = keep;
	json_object_set_new(m, "varied", varied);
	if (!json_array_size(ediff))
		return ediff;
	used = (size_t)snprintf(w, sizeof(w), "not the same experiment: ");
	json_array_foreach(ediff, i, v) {
		char b[128];

		used += (size_t)snprintf(w + used, used < sizeof(w) ? sizeof(w) - used : 0,
					 "%s%s (", i ? "; " : "", json_string_value(v));
		for (int q = 0; q < n; q++) {
			cmp_leaf_label(exp[q], json_string_value(v), b, sizeof(b));
			used += (size_t)snprintf(w + used, used < sizeof(w) ? sizeof(w) - used : 0,
						 "%s%s %s", q ? ", " : "", runs[q].id, b);
		}
		used += (size_t)snprintf(w + used, used < sizeof(w) ? sizeof(w) - used : 0, ")");
	}
	add_warning(warn, w);
	return ediff;
}

/* The mm settings that differ (every run's value, and a note where a
 * difference changes what a number means) into m's mm_differs. */
static json_t *mm_differs(const struct cmp_run *runs, int n, json_t *keys, json_t *notes)
{
	json_t *mmd = json_array(), *v;
	size_t i, k;

	json_array_foreach(keys, i, v) {
		const char *key = json_string_value(v);
		json_t *vals = json_array();

		for (int r = 0; r < n; r++) {
			char *s = value_str(json_object_get(json_object_get(runs[r].dirs[0].meta, "mm"),
							    key));

			json_array_append_new(vals, json_string(s ? s : "?"));
			free(s);
		}
		json_array_append_new(mmd, json_pack("{s:s,s:o}", "key", key, "values", vals));
		for (k = 0; k < sizeof(mm_why) / sizeof(mm_why[0]); k++)
			if (strcmp(mm_why[k].key, key) == 0)
				add_warning(notes, mm_why[k].why);
	}
	return mmd;
}

/* The settings every run shares are printed too: the reader needs them. */
static json_t *mm_same(const struct cmp_run *runs, json_t *keys)
{
	json_t *same = json_array(), *v, *x;
	const char *key;
	size_t k;

	if (!json_is_object(json_object_get(runs[0].dirs[0].meta, "mm")))
		return same;
	json_object_foreach(json_object_get(runs[0].dirs[0].meta, "mm"), key, v) {
		bool differs = false;
		char *s;

		json_array_foreach(keys, k, x)
			if (strcmp(json_string_value(x), key) == 0)
				differs = true;
		if (differs)
			continue;
		s = value_str(v);
		json_array_append_new(same, json_pack("{s:s,s:s}", "key", key, "value", s ? s : "?"));
		free(s);
	}
	return same;
}

/*
 * Two kernels on either side of a known vmalloc NOFAIL fix measure
 * different code whatever their package names say: said once per fix.
 */
static void kchange_notes(const struct cmp_run *runs, int n, json_t *notes)
{
	for (size_t k = 0; k < nkchanges; k++) {
		char w[400], who[160] = "";
		bool has = false, lacks = false;
		size_t used = 0;

		for (int r = 0; r < n; r++) {
			json_t *p = rr_json_get(runs[r].dirs[0].meta, "kernel.vmalloc_nofail_changes");
			json_t *x = json_object_get(p, kchanges[k].id);
			const char *up = rr_json_str(runs[r].dirs[0].meta, "kernel.upstream");

			if (!json_is_boolean(x))
				continue;
			has |= json_is_true(x);
			lacks |= !json_is_true(x);
			if (used < sizeof(who))
				used += (size_t)snprintf(who + used, sizeof(who) - used, "%s%s %s (%s)",
					used ? ", " : "", runs[r].id, json_is_true(x) ? "has" : "lacks",
					up ? up : "?");
		}
		if (!(has && lacks))
			continue;
		snprintf(w, sizeof(w), "the kernels straddle a vmalloc NOFAIL fix, %s (%s, "
			 "upstream %s, %s.y from %s): %s; without it %s", kchanges[k].title,
			 kchanges[k].commit, kchanges[k].mainline, kchanges[k].series,
			 kchanges[k].stable, who, kchanges[k].without);
		add_warning(notes, w);
	}
}

/*
 * A known memcg/OOM change that some kernel has and another lacks, or may
 * lack (not known for its series): said once, with how to find the
 * release that changed a point.
 */
static void kchange_memcg_notes(const struct cmp_run *runs, int n, json_t *notes)
{
	for (size_t k = 0; k < nkchanges_memcg; k++) {
		const struct kchange *c = &kchanges_memcg[k];
		char w[700], who[240] = "";
		size_t used = 0;
		int has = 0, other = 0;

		for (int r = 0; r < n; r++) {
			const char *up = rr_json_str(runs[r].dirs[0].meta, "kernel.upstream");
			int p = up ? kchange_present(c, up) : -1;

			has += p == 1;
			other += p != 1;
			if (used < sizeof(who))
				used += (size_t)snprintf(who + used, sizeof(who) - used, "%s%s %s (%s)",
					used ? ", " : "", runs[r].id, p == 1 ? "has it" : p == 0 ?
					"lacks it" : "not known", up ? up : "?");
		}
		if (!has || !other)
			continue;
		snprintf(w, sizeof(w), "a known memcg/OOM change, \"%s\" (%s.y from %s): %s; "
			 "./run.sh bisect --good A --bad B --point NAME finds where",
			 c->title, c->series, c->stable, who);
		add_warning(notes, w);
	}
}

/* Columns (run k against the first): whether they can be tested at all. */
static json_t *columns_model(const struct cmp_run *runs, int n, json_t *warn)
{
	json_t *cols = json_array();

	for (int r = 0; r < n; r++) {
		bool ok = r > 0 && runs[0].ndirs >= 2 && runs[r].ndirs >= 2;
		int few = runs[0].ndirs < 2 ? runs[0].ndirs : runs[r].ndirs;
		char w[200];

		json_array_append_new(cols, json_pack("{s:s,s:b,s:i,s:i}", "id", runs[r].id,
			"testable", ok, "n_a", runs[0].ndirs, "n_b", runs[r].ndirs));
		if (r == 0 || ok)
			continue;
		snprintf(w, sizeof(w), "%s vs %s: %s has %d repetition%s: changes are shown, "
			 "not tested (2+ per side needed)", runs[r].id, runs[0].id,
			 runs[0].ndirs < 2 ? runs[0].id : runs[r].id, few, few == 1 ? "" : "s");
		add_warning(warn, w);
	}
	return cols;
}

/* The runs, their warnings and the experiment they share (or do not). */
static int runs_list(json_t *m, const struct cmp_run *runs, int n, json_t *warn, const char *vary)
{
	json_t **exp = calloc((size_t)n, sizeof(*exp)), *jruns = json_array();

	if (!exp) {
		json_decref(jruns);
		return -ENOMEM;
	}
	for (int r = 0; r < n; r++) {
		json_array_append_new(jruns, run_obj(&runs[r]));
		run_warnings(&runs[r], warn);
		exp[r] = runs[r].exp;
		reps_alike(&runs[r], exp[r], warn);
	}
	json_object_set_new(m, "runs", jruns);
	json_object_set_new(m, "experiment_differs", experiment_model(runs, n, exp, warn, vary, m));
	free(exp);
	return 0;
}

int cmp_runs_model(json_t *m, const struct cmp_run *runs, int n, json_t *warn, const char *vary)
{
	json_t *notes, *keys;

	if (runs_list(m, runs, n, warn, vary) < 0)
		return -ENOMEM;
	notes = json_array();
	keys = differing(runs, n, "mm");
	json_object_set_new(m, "mm_differs", mm_differs(runs, n, keys, notes));
	json_object_set_new(m, "mm_same", mm_same(runs, keys));
	json_decref(keys);
	kchange_notes(runs, n, notes);
	kchange_memcg_notes(runs, n, notes);
	json_object_set_new(m, "notes", notes);
	json_object_set_new(m, "columns", columns_model(runs, n, warn));
	return 0;
}
