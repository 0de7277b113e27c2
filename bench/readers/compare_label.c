/*
 * Comparison of runs, part 1b: what a run is. Its experiment (the
 * parameters, not paths or pids) and the short labels that tell runs apart
 * (the kernel's release and boot words, the parameters that differ).
 * Loading is compare_load.c; the model (compare_model.c) uses both.
 */
#include "compare.h"
#include "compare_impl.h"
#include "parse.h"
#include "kchanges.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Boot words that tell nothing about the kernel: the boot loader's and the lab's own. */
static bool ignored_word(const char *w, size_t n)
{
	static const char *const pre[] = {
		"BOOT_IMAGE=", "initrd=", "sbres=", "sbtag=", "sbinit=",
	};
	size_t i;

	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (n >= strlen(pre[i]) && strncmp(w, pre[i], strlen(pre[i])) == 0)
			return true;
	return false;
}

/* Whether word w[0..n) appears in the space-separated cmdline. */
static bool has_word(const char *cmdline, const char *w, size_t n)
{
	const char *p = cmdline;

	while (*p) {
		size_t m;

		p += strspn(p, " \t\n");
		m = strcspn(p, " \t\n");
		if (m == n && strncmp(p, w, n) == 0)
			return true;
		p += m;
	}
	return false;
}

json_t *cmp_experiment(const struct rr_dir *d)
{
	json_t *e = json_deep_copy(json_object_get(d->meta, "params"));
	json_t *wl, *cg = json_object_get(d->meta, "cgroup");
	size_t i;

	if (!json_is_object(e)) {
		json_decref(e);
		e = json_object();
	}
	/*
	 * Where the files went and how it was typed are not the experiment, nor
	 * what a run found out (the module's limits and release, rows read
	 * back, sizes derived from the cap): a workload is its name, its
	 * options and the filesystem it ran on, as made and mounted (discard,
	 * data=, a journal or none move where a cut sleeps; the device is the
	 * machine's, not the experiment's).
	 */
	json_object_del(e, "argv");
	/* how the rows were stored is not the experiment either */
	json_object_del(e, "compress");
	json_object_del(e, "compress_above_bytes");
	/* results from before the off-CPU capture did not record it: off is what they did */
	if (json_is_false(json_object_get(e, "offcpu")))
		json_object_del(e, "offcpu");
	json_array_foreach(json_object_get(e, "workloads"), i, wl) {
		json_t *opt = json_deep_copy(json_object_get(wl, "options"));
		json_t *fs = json_incref(json_object_get(wl, "fstype"));
		json_t *mo = json_incref(json_object_get(wl, "mount_options"));
		json_t *mk = json_incref(json_object_get(wl, "mkfs"));
		json_t *name = json_incref(json_object_get(wl, "name"));
		const char *dir = json_string_value(json_object_get(opt, "dir"));

		if (dir && (*dir == '/' || !*dir))
			json_object_del(opt, "dir");
		json_object_clear(wl);
		if (name)
			json_object_set_new(wl, "name", name);
		json_object_set_new(wl, "options", opt ? opt : json_object());
		if (fs)
			json_object_set_new(wl, "fstype", fs);
		if (json_is_string(mo))
			json_object_set_new(wl, "mount_options", mo);
		else
			json_decref(mo);
		if (json_is_string(mk))
			json_object_set_new(wl, "mkfs", mk);
		else
			json_decref(mk);
	}
	if (json_is_object(cg)) {
		json_object_set(e, "cgroup_version", json_object_get(cg, "version"));
		if (!json_object_get(e, "cap_bytes"))
			json_object_set(e, "cap_bytes", json_object_get(cg, "cap_bytes"));
	}
	return e;
}

/* Appends "path" of every leaf under objs[0..n) whose value is not the same in all. */
void cmp_diff_paths(json_t **objs, int n, const char *path, json_t *out)
{
	bool all_obj = true, all_arr = true, same = true;
	char sub[256];
	int i;

	for (i = 0; i < n; i++) {
		all_obj &= json_is_object(objs[i]);
		all_arr &= json_is_array(objs[i]);
		if (i && !(objs[i] && objs[0] && json_equal(objs[i], objs[0])) && (objs[i] || objs[0]))
			same = false;
	}
	if (same)
		return;
	if (all_obj) {
		json_t *keys = json_object(), *v, **sv = calloc((size_t)n, sizeof(*sv));
		const char *k;

		for (i = 0; i < n; i++)
			json_object_foreach(objs[i], k, v)
				json_object_set_new(keys, k, json_true());
		json_object_foreach(keys, k, v) {
			if (!sv)
				break;
			for (i = 0; i < n; i++)
				sv[i] = json_object_get(objs[i], k);
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
			cmp_diff_paths(sv, n, sub, out);
		}
		free(sv);
		json_decref(keys);
		return;
	}
	if (all_arr) {
		size_t len = json_array_size(objs[0]), j;
		json_t **sv;

		for (i = 1; i < n; i++)
			if (json_array_size(objs[i]) != len)
				goto leaf;
		sv = calloc((size_t)n, sizeof(*sv));
		for (j = 0; sv && j < len; j++) {
			for (i = 0; i < n; i++)
				sv[i] = json_array_get(objs[i], j);
			snprintf(sub, sizeof(sub), "%s[%zu]", path, j);
			cmp_diff_paths(sv, n, sub, out);
		}
		free(sv);
		return;
	}
leaf:
	json_array_append_new(out, json_string(path));
}

/* The leaf a dotted/indexed path names, or NULL. */
static json_t *at_path(json_t *root, const char *path)
{
	char key[128];
	json_t *cur = root;
	const char *p = path;

	while (cur && *p) {
		size_t m = strcspn(p, ".[");

		if (m) {
			snprintf(key, sizeof(key), "%.*s", (int)m, p);
			cur = json_object_get(cur, key);
			p += m;
		} else if (*p == '[') {
			cur = json_array_get(cur, strtoul(p + 1, NULL, 10));
			p = strchr(p, ']');
			p = p ? p + 1 : "";
		} else {
			p++;
		}
	}
	return cur;
}

/* "cap 64M", "mix punch=1,unlink=1", "alloc-flags nofail": one differing leaf, short. */
void cmp_leaf_label(json_t *exp, const char *path, char *buf, size_t len)
{
	const char *k = strrchr(path, '.');
	json_t *v = at_path(exp, path);
	char vb[64];

	k = k ? k + 1 : path;
	if (!strcmp(k, "cap_bytes") || strstr(k, "_bytes")) {
		if (json_is_integer(v) && json_integer_value(v) > 0)
			fmt_size((uint64_t)json_integer_value(v), vb, sizeof(vb));
		else
			snprintf(vb, sizeof(vb), "none");
		snprintf(buf, len, "%.*s %s", (int)strcspn(k, "_"), k, vb);
	} else if (!strcmp(k, "duration_ns") && json_is_integer(v)) {
		snprintf(buf, len, "%gs", (double)json_integer_value(v) / 1e9);
	} else if (json_is_string(v)) {
		snprintf(buf, len, "%s %s", k, json_string_value(v));
	} else if (json_is_integer(v)) {
		snprintf(buf, len, "%s %" JSON_INTEGER_FORMAT, k, json_integer_value(v));
	} else if (!strcmp(k, "workloads") || strstr(path, "workloads")) {
		/* different workload sets: their names */
		size_t i, used = 0;
		json_t *w;

		buf[0] = '\0';
		json_array_foreach(json_object_get(exp, "workloads"), i, w)
			if (used < len)
				used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "+" : "",
					json_string_value(json_object_get(w, "name")) ?: "?");
	} else {
		char *d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

		snprintf(buf, len, "%s %s", k, d ? d : "?");
		free(d);
	}
}

/* The machine a run was made on: meta host.label (a lab sweep's unique name
 * for it: two hosts entries may reach one hostname), else host.hostname; ""
 * if not recorded. */
static const char *run_host(const struct cmp_run *r)
{
	json_t *host = json_object_get(r->dirs[0].meta, "host");
	const char *h = json_string_value(json_object_get(host, "label"));

	if (!h)
		h = json_string_value(json_object_get(host, "hostname"));
	return h ? h : "";
}

/*
 * A run's words: its boot words, and the mm knobs any run set with --mm at
 * the value in force in this one ("lru_gen=0x0000"): a knob set for the run
 * tells runs apart the way a boot word does. NULL when out of memory (the
 * boot words alone are used then); an entry may be NULL too.
 */
static char **run_words(const struct cmp_run *runs, int n)
{
	json_t *mmkeys = json_object();
	char **words = calloc((size_t)(n > 0 ? n : 1), sizeof(*words));

	for (int i = 0; i < n; i++) {
		const char *k;
		json_t *v;

		json_object_foreach(json_object_get(runs[i].dirs[0].meta, "mm_set"), k, v)
			json_object_set_new(mmkeys, k, json_true());
	}
	for (int i = 0; words && i < n; i++) {
		json_t *mm = json_object_get(runs[i].dirs[0].meta, "mm"), *v;
		const char *k;
		size_t cap = strlen(runs[i].dirs[0].cmdline) + 2, u;

		json_object_foreach(mmkeys, k, v)
			cap += strlen(k) + 80;
		words[i] = malloc(cap);
		if (!words[i])
			continue;
		u = (size_t)snprintf(words[i], cap, "%s", runs[i].dirs[0].cmdline);
		json_object_foreach(mmkeys, k, v) {
			const char *val = json_string_value(json_object_get(mm, k));

			u += (size_t)snprintf(words[i] + u, cap - u, " %s=%.64s", k, val ? val : "?");
		}
	}
	json_decref(mmkeys);
	return words;
}

static const char *words_of(const struct cmp_run *runs, char **words, int i)
{
	return words && words[i] ? words[i] : runs[i].dirs[0].cmdline;
}

/* Run i's id (A, B, ..., AA) and kernel: its release and the words that tell it apart. */
static void name_kernel(struct cmp_run *runs, int n, int i, char **words, bool same_rel)
{
	const char *w = words_of(runs, words, i), *rel = runs[i].dirs[0].release;
	size_t used;

	if (i < 26)
		snprintf(runs[i].id, sizeof(runs[i].id), "%c", 'A' + i);
	else
		snprintf(runs[i].id, sizeof(runs[i].id), "%c%c", 'A' + i / 26 - 1, 'A' + i % 26);
	used = (size_t)snprintf(runs[i].kernel, sizeof(runs[i].kernel), "%s",
				*rel ? rel : "unknown-kernel");
	/* The boot words that not every run shares tell kernels apart. */
	while (*w) {
		size_t m;
		bool common = true;

		w += strspn(w, " \t\n");
		m = strcspn(w, " \t\n");
		if (!m)
			break;
		/*
		 * A boot word tells apart runs of one release (a variant);
		 * between releases the release says it, and the words a
		 * machine boots with (a lab's, a host's) would only bury it.
		 */
		for (int j = 0; j < n && common; j++)
			if (j != i && !strcmp(runs[j].dirs[0].release, rel) &&
			    !has_word(words_of(runs, words, j), w, m))
				common = false;
		/* runs of one release after A: what differs from A, the baseline */
		if (i > 0 && same_rel && words && words[0])
			common = has_word(words[0], w, m);
		if (!common && !ignored_word(w, m) && used + m + 2 < sizeof(runs[i].kernel))
			used += (size_t)snprintf(runs[i].kernel + used, sizeof(runs[i].kernel) - used,
						 " %.*s", (int)m, w);
		w += m;
	}
}

/* How run i's label starts: its words, or host and kernel; returns the length used. */
static size_t label_start(struct cmp_run *r, int n, bool same_rel, bool hosts_differ,
			  bool kernels_differ, bool paths_differ)
{
	size_t used = 0;

	r->label[0] = '\0';
	if (same_rel && n > 1) {
		/*
		 * Runs of one release differ in their words (boot words, knobs
		 * set) and their experiment: those are the label, the release
		 * would only push them out of a legend; a run with neither is
		 * the release.
		 */
		const char *kn = r->kernel;
		size_t rl = strlen(r->dirs[0].release);

		kn = !strncmp(kn, r->dirs[0].release, rl) && kn[rl] == ' ' ? kn + rl + 1 :
		     !strcmp(kn, r->dirs[0].release) ? "" : kn;
		return (size_t)snprintf(r->label, sizeof(r->label), "%s", kn);
	}
	/* lab hosts: the machine first, then its kernel if that differs too */
	if (hosts_differ)
		used = (size_t)snprintf(r->label, sizeof(r->label), "%s%s", run_host(r),
					kernels_differ ? " " : "");
	if (kernels_differ || (!hosts_differ && !paths_differ))
		used += (size_t)snprintf(r->label + used, sizeof(r->label) - used, "%s", r->kernel);
	return used;
}

/* Appends to run i's label the experiment's leaves (paths) that tell it apart. */
static void label_leaves(struct cmp_run *runs, int i, json_t **exp, json_t *paths, bool same_rel,
			 size_t used)
{
	size_t k;
	json_t *p;

	json_array_foreach(paths, k, p) {
		char b[160];

		/* after A: what differs from A */
		if (i > 0 && same_rel) {
			json_t *x = at_path(exp[i], json_string_value(p));
			json_t *a = at_path(exp[0], json_string_value(p));

			if ((!x && !a) || (x && a && json_equal(x, a)))
				continue;
		}
		cmp_leaf_label(exp[i], json_string_value(p), b, sizeof(b));
		/* leaves of one differing workload set name it once */
		if (strstr(runs[i].label, b))
			continue;
		if (used < sizeof(runs[i].label))
			used += (size_t)snprintf(runs[i].label + used, sizeof(runs[i].label) - used,
						 "%s%s", used ? ", " : "", b);
	}
}

void cmp_label_runs(struct cmp_run *runs, int n)
{
	json_t **exp = calloc((size_t)(n > 0 ? n : 1), sizeof(*exp)), *paths = json_array();
	bool kernels_differ = false, same_rel = true, hosts_differ = false;
	char **words = run_words(runs, n);
	int i;

	for (i = 1; i < n; i++)
		same_rel &= strcmp(runs[i].dirs[0].release, runs[0].dirs[0].release) == 0;
	for (i = 0; i < n; i++) {
		name_kernel(runs, n, i, words, same_rel);
		if (exp)
			exp[i] = runs[i].exp;
	}
	for (i = 1; i < n; i++) {
		kernels_differ |= strcmp(runs[i].kernel, runs[0].kernel) != 0;
		hosts_differ |= strcmp(run_host(&runs[i]), run_host(&runs[0])) != 0;
	}
	if (hosts_differ)
		same_rel = false;	/* lab hosts: named by machine and kernel */
	if (exp && n > 1)
		cmp_diff_paths(exp, n, "", paths);
	for (i = 0; i < n; i++)
		label_leaves(runs, i, exp, paths, same_rel,
			     label_start(&runs[i], n, same_rel, hosts_differ, kernels_differ,
					 json_array_size(paths) > 0));
	for (i = 0; i < n; i++)
		if (!runs[i].label[0])
			snprintf(runs[i].label, sizeof(runs[i].label), "%s", runs[i].dirs[0].release);
	for (i = 0; words && i < n; i++)
		free(words[i]);
	free(words);
	free(exp);
	json_decref(paths);
}

