/*
 * Comparison of runs: load per-op and per-stall-kind samples from result
 * directories, build one JSON model of the comparison, render it as a
 * 72-column text table (for a patch cover letter), Markdown, or JSON.
 * The model holds raw numbers; renderers only format, so the three outputs
 * never disagree. Significance is judged on what is replicated: Welch's t
 * on per-repetition values (mean log latency, rounds and stall time per
 * call, a stall kind's total), with a 95% interval of the ratio (or the
 * difference where a value is 0), Holm-corrected per column. Ops of one run
 * share its conditions, so per-op samples are never tested against each
 * other (two runs of one kernel would differ "significantly").
 */
#include "compare.h"
#include "signif.h"
#include "stats.h"
#include "parse.h"
#include "kchanges.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH		72
#define LAT_MAX		((1ull << 48) - 1)	/* 78 hours: fits beside a node id */

/* ---- loading ---- */

static int vec_push(struct cmp_vec *v, double x)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 4096;
		double *p = realloc(v->v, nc * sizeof(*p));

		if (!p)
			return -ENOMEM;
		v->v = p;
		v->cap = nc;
	}
	v->v[v->n++] = x;
	return 0;
}

static void vec_free(struct cmp_vec *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static inline uint64_t slot_u64(const double *slot)
{
	uint64_t u;

	memcpy(&u, slot, sizeof(u));
	return u;
}


struct loadctx {
	struct cmp_run *r;
	size_t last;		/* index of the op last hit: rows come in runs */
	int dir;		/* repetition being read */
};

static struct cmp_opstat *find_op(struct loadctx *c, const char *wl, const char *op)
{
	struct cmp_run *r = c->r;
	size_t wlen = strlen(wl), i;
	struct cmp_opstat *o;

	for (i = 0; i < r->nops; i++) {
		size_t k = (c->last + i) % r->nops;
		const char *n = r->ops[k].name;

		if (strncmp(n, wl, wlen) == 0 && n[wlen] == '/' && strcmp(n + wlen + 1, op) == 0) {
			c->last = k;
			return &r->ops[k];
		}
	}
	o = realloc(r->ops, (r->nops + 1) * sizeof(*o));
	if (!o)
		return NULL;
	r->ops = o;
	o = &r->ops[r->nops];
	memset(o, 0, sizeof(*o));
	o->rep_dir = -1;
	snprintf(o->name, sizeof(o->name), "%s/%s", wl, op);
	c->last = r->nops++;
	return o;
}

static int on_op(void *arg, const struct rr_op *op)
{
	struct loadctx *c = arg;
	struct cmp_opstat *o = find_op(c, op->workload, op->op);
	uint64_t lat = op->latency_ns > LAT_MAX ? LAT_MAX : op->latency_ns, packed;
	double slot;
	int i;

	if (!o)
		return -ENOMEM;
	if (o->rep_dir != c->dir) {
		o->rep_dir = c->dir;
		o->rep_start = o->lat.n;
	}
	/* An op cut at the deadline has a lower bound, not a latency. */
	if (op->flags & RR_OPF_UNFINISHED) {
		o->unfinished++;
		goto errs;
	}
	packed = lat << 16 | (uint16_t)(op->node + 1);
	memcpy(&slot, &packed, sizeof(slot));
	if (vec_push(&o->lat, slot) < 0 || vec_push(&o->rounds, (double)op->reclaim_rounds) < 0)
		return -ENOMEM;
	o->rep_sum += (double)op->latency_ns;
	o->rep_logsum += log((double)(op->latency_ns ? op->latency_ns : 1));
	o->rep_rounds += (double)op->reclaim_rounds;
	o->rep_stall += (double)op->stall_ns;
	o->rep_n++;
	if (op->reclaim_rounds < CMP_ROUNDS_EXACT)
		o->rounds_lo[op->reclaim_rounds]++;
	else
		o->rounds_hi[63 - __builtin_clzll(op->reclaim_rounds)]++;
	o->rounds_sum += (double)op->reclaim_rounds;
	if (op->reclaim_rounds > o->rounds_max)
		o->rounds_max = op->reclaim_rounds;
	o->stall_ns += op->stall_ns;
errs:
	if (op->err[0]) {
		o->errors++;
		for (i = 0; i < o->nerr; i++)
			if (strcmp(o->err[i].name, op->err) == 0)
				break;
		if (i == o->nerr) {
			if (o->nerr == CMP_MAX_ERRNAMES) {
				o->other_errs++;
				goto flags;
			}
			snprintf(o->err[i].name, sizeof(o->err[i].name), "%s", op->err);
			o->nerr++;
		}
		o->err[i].n++;
	}
flags:
	if (op->flags & RR_OPF_KILLED)
		o->killed++;
	if (op->flags & RR_OPF_NULL)
		o->null++;
	if (op->flags & RR_OPF_MISMATCH)
		o->mismatch++;
	return 0;
}

static int on_stall(void *arg, const struct rr_stall *s)
{
	struct cmp_run *r = arg;
	char name[48];
	struct cmp_stallstat *st;
	size_t i;

	snprintf(name, sizeof(name), "%s/%s", s->scope, s->kind_name);
	for (i = 0; i < r->nstalls; i++)
		if (strcmp(r->stalls[i].name, name) == 0)
			break;
	if (i == r->nstalls) {
		st = realloc(r->stalls, (r->nstalls + 1) * sizeof(*st));
		if (!st)
			return -ENOMEM;
		r->stalls = st;
		memset(&st[i], 0, sizeof(*st));
		strcpy(st[i].name, name);
		r->nstalls++;
	}
	st = &r->stalls[i];
	st->total_ns += s->duration_ns;
	st->rep_acc += s->duration_ns;
	if (s->nr_reclaimed >= 0) {
		st->with_count++;
		st->no_progress += s->nr_reclaimed == 0;
	}
	return vec_push(&st->dur, (double)s->duration_ns);
}

/* Sorts an op's packed samples, derives per-node stats, unpacks to doubles. */
static void finish_op(struct cmp_opstat *o)
{
	uint64_t cnt[CMP_MAX_NODES] = { 0 }, seen[CMP_MAX_NODES] = { 0 };
	size_t r50[CMP_MAX_NODES], r99[CMP_MAX_NODES];
	double sum[CMP_MAX_NODES] = { 0 };
	double m = 0.0, s2 = 0.0;
	size_t i;
	int k;

	sort_u64((uint64_t *)(void *)o->lat.v, o->lat.n);	/* the packed slots */
	o->nnodes = 0;
	/* Nodes beyond CMP_MAX_NODES distinct ids are left out of the breakdown. */
	for (i = 0; i < o->lat.n; i++) {
		uint64_t u = slot_u64(&o->lat.v[i]);
		int node = (int)(u & 0xffff) - 1;

		for (k = 0; k < o->nnodes; k++)
			if (o->nodes[k].node == node)
				break;
		if (k == o->nnodes) {
			if (k == CMP_MAX_NODES)
				continue;
			o->nodes[k].node = node;
			o->nnodes++;
		}
		cnt[k]++;
		sum[k] += (double)(u >> 16);
	}
	for (k = 0; k < o->nnodes; k++) {
		o->nodes[k].count = cnt[k];
		o->nodes[k].mean = sum[k] / (double)cnt[k];
		r50[k] = pct_rank(cnt[k], 0.5);
		r99[k] = pct_rank(cnt[k], 0.99);
	}
	/* Walking ascending latencies, a node's j-th sample is its j-th smallest. */
	for (i = 0; i < o->lat.n; i++) {
		uint64_t u = slot_u64(&o->lat.v[i]);
		int node = (int)(u & 0xffff) - 1;
		double v = (double)(u >> 16), d;

		for (k = 0; k < o->nnodes; k++)
			if (o->nodes[k].node == node)
				break;
		if (k < o->nnodes) {
			seen[k]++;
			if (seen[k] == r50[k])
				o->nodes[k].p50 = v;
			if (seen[k] == r99[k])
				o->nodes[k].p99 = v;
		}
		o->lat.v[i] = v;
		d = v - m;
		m += d / (double)(i + 1);
		s2 += d * (v - m);
	}
	o->mean = m;
	o->stddev = o->lat.n > 1 ? sqrt(s2 / (double)(o->lat.n - 1)) : 0.0;
	sort_dbl_nonneg(o->rounds.v, o->rounds.n);
}

/* Closes one repetition of an op: its own summary, from its own samples. */
static int close_rep(struct cmp_opstat *o, int dir)
{
	size_t n = o->rep_n, i;
	struct cmp_rep *rp;
	double *v;

	if (!n || o->rep_dir != dir)
		goto reset;
	rp = realloc(o->reps, (size_t)(o->nreps + 1) * sizeof(*rp));
	v = malloc(n * sizeof(*v));
	if (rp)
		o->reps = rp;
	if (!rp || !v) {
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		v[i] = (double)(slot_u64(&o->lat.v[o->rep_start + i]) >> 16);
	sort_dbl_nonneg(v, n);	/* latencies: >= 0 */
	rp = &o->reps[o->nreps++];
	rp->dir = dir;
	rp->count = n;
	rp->logmean = o->rep_logsum / (double)n;
	rp->mean = o->rep_sum / (double)n;
	rp->p50 = quantile_sorted(v, n, 0.5);
	rp->rounds = o->rep_rounds / (double)n;
	rp->stall = o->rep_stall / (double)n;
	free(v);
reset:
	o->rep_sum = o->rep_logsum = o->rep_rounds = o->rep_stall = 0.0;
	o->rep_n = 0;
	return 0;
}

double cmp_rounds_pct(const struct cmp_opstat *o, double q)
{
	return quantile_sorted(o->rounds.v, o->rounds.n, q);
}

void cmp_run_free(struct cmp_run *r)
{
	size_t i;
	int d;

	for (i = 0; i < r->nops; i++) {
		vec_free(&r->ops[i].lat);
		vec_free(&r->ops[i].rounds);
		free(r->ops[i].reps);
	}
	free(r->ops);
	for (i = 0; i < r->nstalls; i++) {
		vec_free(&r->stalls[i].dur);
		vec_free(&r->stalls[i].rep_total);
	}
	free(r->stalls);
	for (d = 0; d < r->ndirs; d++)
		rr_close(&r->dirs[d]);
	free(r->dirs);
	memset(r, 0, sizeof(*r));
}

static uint64_t summary_u64(json_t *sum, const char *key, bool *known)
{
	json_t *v = sum ? json_object_get(sum, key) : NULL;

	if (!json_is_integer(v)) {
		*known = false;
		return 0;
	}
	return (uint64_t)json_integer_value(v);
}

int cmp_load(struct cmp_run *r, const char *spec, unsigned int rr_flags, char *msg, size_t len)
{
	char *copy = strdup(spec), *save = NULL, *tok;
	struct loadctx c = { .r = r };
	struct rr_csv_stats st;
	size_t i;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	c.r = r;
	r->oom_known = r->lost_known = true;
	if (!copy) {
		snprintf(msg, len, "%s: out of memory", spec);
		return -ENOMEM;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct rr_dir *d = realloc(r->dirs, (r->ndirs + 1) * sizeof(*d));

		if (!d) {
			snprintf(msg, len, "%s: out of memory", tok);
			ret = -ENOMEM;
			goto out;
		}
		r->dirs = d;
		d = &r->dirs[r->ndirs];
		ret = rr_open(tok, rr_flags, d, msg, len);
		if (ret < 0)
			goto out;
		r->ndirs++;
		if (!r->status || strcmp(d->status, "complete") != 0)
			r->status = d->status;
		c.dir = r->ndirs - 1;
		ret = rr_read_ops(d, on_op, &c, &st, msg, len);
		if (ret == -ENOMEM)
			snprintf(msg, len, "%s: out of memory reading ops.csv", tok);
		if (ret < 0)
			goto out;
		r->bad_rows += st.bad_rows;
		/* Each directory is one repetition: close its per-op summaries. */
		for (i = 0; i < r->nops; i++) {
			if (close_rep(&r->ops[i], c.dir) < 0) {
				ret = -ENOMEM;
				snprintf(msg, len, "%s: out of memory", tok);
				goto out;
			}
		}
		ret = rr_read_stalls(d, on_stall, r, &st, msg, len);
		if (ret == -ENOMEM)
			snprintf(msg, len, "%s: out of memory reading stalls.csv", tok);
		if (ret < 0)
			goto out;
		r->bad_rows += st.bad_rows;
		/* A stall kind a repetition never saw is 0 there, not missing. */
		for (i = 0; i < r->nstalls; i++) {
			struct cmp_stallstat *k = &r->stalls[i];

			while (k->rep_total.n < (size_t)c.dir && vec_push(&k->rep_total, 0.0) == 0)
				;
			if (vec_push(&k->rep_total, (double)k->rep_acc) < 0) {
				ret = -ENOMEM;
				snprintf(msg, len, "%s: out of memory", tok);
				goto out;
			}
			k->rep_acc = 0;
		}
		r->oom_kills += summary_u64(d->summary, "oom_kills", &r->oom_known);
		{
			json_t *vs = json_object_get(d->summary, "oom_victims"), *x;
			size_t k;

			json_array_foreach(vs, k, x)
				r->oom_outside += !json_is_string(json_object_get(x, "who")) ||
						  strcmp(json_string_value(json_object_get(x, "who")), "worker");
		}
		r->lost_events += summary_u64(d->summary, "lost_events", &r->lost_known);
	}
	if (!r->ndirs) {
		snprintf(msg, len, "\"%s\": no directory given", spec);
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < r->nops; i++)
		finish_op(&r->ops[i]);
	for (i = 0; i < r->nstalls; i++) {
		sort_dbl_nonneg(r->stalls[i].dur.v, r->stalls[i].dur.n);
		while (r->stalls[i].rep_total.n < (size_t)r->ndirs)
			if (vec_push(&r->stalls[i].rep_total, 0.0) < 0) {
				ret = -ENOMEM;
				snprintf(msg, len, "%s: out of memory", spec);
				goto out;
			}
	}
out:
	free(copy);
	if (ret < 0)
		cmp_run_free(r);
	return ret;
}

/* ---- the experiment and labels ---- */

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
	 * options and the filesystem it ran on.
	 */
	json_object_del(e, "argv");
	/* how the rows were stored is not the experiment either */
	json_object_del(e, "compress");
	json_object_del(e, "compress_above_bytes");
	json_array_foreach(json_object_get(e, "workloads"), i, wl) {
		json_t *opt = json_deep_copy(json_object_get(wl, "options"));
		json_t *fs = json_incref(json_object_get(wl, "fstype"));
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
	}
	if (json_is_object(cg)) {
		json_object_set(e, "cgroup_version", json_object_get(cg, "version"));
		if (!json_object_get(e, "cap_bytes"))
			json_object_set(e, "cap_bytes", json_object_get(cg, "cap_bytes"));
	}
	return e;
}

/* Appends "path" of every leaf under objs[0..n) whose value is not the same in all. */
static void diff_paths(json_t **objs, int n, const char *path, json_t *out)
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
			diff_paths(sv, n, sub, out);
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
			diff_paths(sv, n, sub, out);
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
static void leaf_label(json_t *exp, const char *path, char *buf, size_t len)
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

void cmp_label_runs(struct cmp_run *runs, int n)
{
	json_t **exp = calloc((size_t)(n > 0 ? n : 1), sizeof(*exp)), *paths = json_array(), *p;
	bool kernels_differ = false;
	int i, j;
	size_t k, used;

	for (i = 0; i < n; i++) {
		const char *cl = runs[i].dirs[0].cmdline, *w = cl;
		const char *rel = runs[i].dirs[0].release;

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
			for (j = 0; j < n && common; j++)
				if (j != i && !strcmp(runs[j].dirs[0].release, rel) &&
				    !has_word(runs[j].dirs[0].cmdline, w, m))
					common = false;
			if (!common && !ignored_word(w, m) && used + m + 2 < sizeof(runs[i].kernel)) {
				used += (size_t)snprintf(runs[i].kernel + used,
							 sizeof(runs[i].kernel) - used, " %.*s",
							 (int)m, w);
			}
			w += m;
		}
		if (exp)
			exp[i] = cmp_experiment(&runs[i].dirs[0]);
	}
	for (i = 1; i < n; i++)
		kernels_differ |= strcmp(runs[i].kernel, runs[0].kernel) != 0;
	if (exp && n > 1)
		diff_paths(exp, n, "", paths);
	for (i = 0; i < n; i++) {
		used = 0;
		runs[i].label[0] = '\0';
		if (kernels_differ || !json_array_size(paths))
			used = (size_t)snprintf(runs[i].label, sizeof(runs[i].label), "%s",
						runs[i].kernel);
		json_array_foreach(paths, k, p) {
			char b[160];

			leaf_label(exp[i], json_string_value(p), b, sizeof(b));
			/* leaves of one differing workload set name it once */
			if (strstr(runs[i].label, b))
				continue;
			if (used < sizeof(runs[i].label))
				used += (size_t)snprintf(runs[i].label + used,
							 sizeof(runs[i].label) - used, "%s%s",
							 used ? ", " : "", b);
		}
	}
	for (i = 0; exp && i < n; i++)
		json_decref(exp[i]);
	free(exp);
	json_decref(paths);
}

/* ---- the model ---- */

static double pct_change(double a, double b)
{
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0.0)
		return b == 0.0 ? 0.0 : NAN;
	return (b - a) / fabs(a) * 100.0;
}

static json_t *jreal(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *op_obj(const struct cmp_opstat *o)
{
	const double *v = o->lat.v;
	size_t n = o->lat.n;
	json_t *j = json_object(), *e = json_object(), *r = json_object();
	json_t *nodes = json_array(), *reps = json_array();
	double lsum = 0.0;
	int i;

	for (i = 0; i < o->nreps; i++)
		lsum += o->reps[i].logmean * (double)o->reps[i].count;
	json_object_set_new(j, "count", json_integer((json_int_t)n));
	json_object_set_new(j, "gmean", jreal(n ? exp(lsum / (double)n) : NAN));
	json_object_set_new(j, "mean", jreal(n ? o->mean : NAN));
	json_object_set_new(j, "stddev", jreal(o->stddev));
	json_object_set_new(j, "min", jreal(quantile_sorted(v, n, 0.0)));
	json_object_set_new(j, "p50", jreal(quantile_sorted(v, n, 0.50)));
	json_object_set_new(j, "p90", jreal(quantile_sorted(v, n, 0.90)));
	json_object_set_new(j, "p99", jreal(quantile_sorted(v, n, 0.99)));
	json_object_set_new(j, "p999", jreal(quantile_sorted(v, n, 0.999)));
	json_object_set_new(j, "max", jreal(n ? v[n - 1] : NAN));
	for (i = 0; i < o->nerr; i++)
		json_object_set_new(e, o->err[i].name, json_integer((json_int_t)o->err[i].n));
	if (o->other_errs)
		json_object_set_new(e, "other", json_integer((json_int_t)o->other_errs));
	json_object_set_new(j, "errors", e);
	json_object_set_new(j, "errors_total", json_integer((json_int_t)o->errors));
	json_object_set_new(j, "null", json_integer((json_int_t)o->null));
	json_object_set_new(j, "killed", json_integer((json_int_t)o->killed));
	json_object_set_new(j, "mismatch", json_integer((json_int_t)o->mismatch));
	json_object_set_new(j, "unfinished", json_integer((json_int_t)o->unfinished));
	/* exact order statistics of every finished op's rounds */
	json_object_set_new(r, "mean", jreal(n ? o->rounds_sum / (double)n : NAN));
	json_object_set_new(r, "p50", jreal(cmp_rounds_pct(o, 0.5)));
	json_object_set_new(r, "p99", jreal(cmp_rounds_pct(o, 0.99)));
	json_object_set_new(r, "max", json_integer((json_int_t)o->rounds_max));
	json_object_set_new(j, "rounds", r);
	json_object_set_new(j, "stall_ns_total", json_integer((json_int_t)o->stall_ns));
	json_object_set_new(j, "stall_per_op", jreal(n ? (double)o->stall_ns / (double)n : NAN));
	json_object_set_new(j, "repetitions", json_integer(o->nreps));
	for (i = 0; i < o->nreps; i++)
		json_array_append_new(reps, json_pack("{s:i,s:I,s:o,s:o,s:o,s:o,s:o}",
			"rep", o->reps[i].dir + 1, "count", (json_int_t)o->reps[i].count,
			"gmean", jreal(exp(o->reps[i].logmean)), "mean", jreal(o->reps[i].mean),
			"p50", jreal(o->reps[i].p50), "rounds_per_op", jreal(o->reps[i].rounds),
			"stall_per_op", jreal(o->reps[i].stall)));
	json_object_set_new(j, "reps", reps);
	for (i = 0; i < o->nnodes; i++)
		json_array_append_new(nodes, json_pack("{s:i,s:I,s:o,s:o,s:o}",
			"node", o->nodes[i].node, "count", (json_int_t)o->nodes[i].count,
			"mean", jreal(o->nodes[i].mean), "p50", jreal(o->nodes[i].p50),
			"p99", jreal(o->nodes[i].p99)));
	json_object_set_new(j, "nodes", nodes);
	return j;
}

static json_t *stall_obj(const struct cmp_stallstat *s)
{
	const double *v = s->dur.v;
	size_t n = s->dur.n, i;
	double m = 0.0;
	json_t *j = json_object(), *reps = json_array();

	for (i = 0; i < n; i++)
		m += v[i];
	json_object_set_new(j, "count", json_integer((json_int_t)n));
	json_object_set_new(j, "total_ns", json_integer((json_int_t)s->total_ns));
	/* Rounds that reclaimed nothing: NOFAIL's retry loop against a full cgroup. */
	json_object_set_new(j, "no_progress_pct", jreal(s->with_count ?
		100.0 * (double)s->no_progress / (double)s->with_count : NAN));
	json_object_set_new(j, "mean", jreal(n ? m / (double)n : NAN));
	json_object_set_new(j, "p50", jreal(quantile_sorted(v, n, 0.50)));
	json_object_set_new(j, "p90", jreal(quantile_sorted(v, n, 0.90)));
	json_object_set_new(j, "p99", jreal(quantile_sorted(v, n, 0.99)));
	json_object_set_new(j, "p999", jreal(quantile_sorted(v, n, 0.999)));
	json_object_set_new(j, "max", jreal(n ? v[n - 1] : NAN));
	for (i = 0; i < s->rep_total.n; i++)
		json_array_append_new(reps, jreal(s->rep_total.v[i]));
	json_object_set_new(j, "rep_total_ns", reps);
	json_object_set_new(j, "total_per_rep",
			    jreal(s->rep_total.n ? (double)s->total_ns / (double)s->rep_total.n : NAN));
	return j;
}

/*
 * One metric of b against a, judged on what is replicated: one value per
 * repetition. Welch's t on the logs when every value is positive (the
 * change is then a ratio of geometric means, with its interval); on the
 * values themselves otherwise (a difference). With fewer than 2
 * repetitions on a side nothing is tested, and the model says so.
 * islog: a and b already hold logs (latency).
 */
static json_t *test_obj(const double *a, size_t na, const double *b, size_t nb, bool islog,
			const char *what)
{
	json_t *j = json_object();
	double *la = NULL, *lb = NULL, sa = 0.0, sb = 0.0;
	bool pos = true, zero = true;
	struct welch_ci w;
	size_t i;

	json_object_set_new(j, "what", json_string(what));
	json_object_set_new(j, "n_a", json_integer((json_int_t)na));
	json_object_set_new(j, "n_b", json_integer((json_int_t)nb));
	for (i = 0; i < na; i++) {
		pos &= islog || a[i] > 0.0;
		zero &= !islog && a[i] == 0.0;
		sa += a[i];
	}
	for (i = 0; i < nb; i++) {
		pos &= islog || b[i] > 0.0;
		zero &= !islog && b[i] == 0.0;
		sb += b[i];
	}
	if (!na || !nb) {
		json_object_set_new(j, "test", json_string("none"));
		json_object_set_new(j, "why", json_string("no data on a side"));
		return j;
	}
	if (islog) {
		json_object_set_new(j, "a", jreal(exp(sa / (double)na)));
		json_object_set_new(j, "b", jreal(exp(sb / (double)nb)));
	} else {
		json_object_set_new(j, "a", jreal(sa / (double)na));
		json_object_set_new(j, "b", jreal(sb / (double)nb));
	}
	if (zero) {
		json_object_set_new(j, "test", json_string("none"));
		json_object_set_new(j, "why", json_string("0 on both sides"));
		return j;
	}
	if (na < 2 || nb < 2) {
		char why[48];

		snprintf(why, sizeof(why), "not tested (1 run on %s)", na < 2 ? "A" : "B");
		json_object_set_new(j, "test", json_string("none"));
		json_object_set_new(j, "why", json_string(why));
		if (pos && sa != 0.0)
			json_object_set_new(j, "ratio", jreal(islog ? exp(sb / (double)nb - sa / (double)na) :
							       (sb / (double)nb) / (sa / (double)na)));
		return j;
	}
	if (pos) {
		la = malloc(na * sizeof(*la));
		lb = malloc(nb * sizeof(*lb));
		if (!la || !lb)
			goto out;
		for (i = 0; i < na; i++)
			la[i] = islog ? a[i] : log(a[i]);
		for (i = 0; i < nb; i++)
			lb[i] = islog ? b[i] : log(b[i]);
		if (welch_diff_ci(la, na, lb, nb, 0.95, &w) < 0)
			goto out;
		json_object_set_new(j, "a", jreal(exp(w.mean_a)));
		json_object_set_new(j, "b", jreal(exp(w.mean_b)));
		json_object_set_new(j, "test", json_string("welch-log"));
		json_object_set_new(j, "ratio", jreal(exp(w.diff)));
		json_object_set_new(j, "ci95", json_pack("[o,o]", jreal(exp(w.lo)), jreal(exp(w.hi))));
	} else {
		if (welch_diff_ci(a, na, b, nb, 0.95, &w) < 0)
			goto out;
		json_object_set_new(j, "test", json_string("welch"));
		json_object_set_new(j, "diff", jreal(w.diff));
		json_object_set_new(j, "ci95", json_pack("[o,o]", jreal(w.lo), jreal(w.hi)));
	}
	json_object_set_new(j, "df", jreal(w.df));
	json_object_set_new(j, "p", jreal(w.p));
out:
	free(la);
	free(lb);
	return j;
}

static const struct cmp_opstat *run_op(const struct cmp_run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nops; i++)
		if (strcmp(r->ops[i].name, name) == 0)
			return &r->ops[i];
	return NULL;
}

static const struct cmp_stallstat *run_stall(const struct cmp_run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nstalls; i++)
		if (strcmp(r->stalls[i].name, name) == 0)
			return &r->stalls[i];
	return NULL;
}

static const char *unit_for(double ns)
{
	if (!(ns >= 1e3))
		return "ns";
	if (ns < 1e6)
		return "us";
	if (ns < 1e9)
		return "ms";
	return "s";
}

/* The per-repetition metrics of an op, tested b against a. */
static const struct {
	const char *key, *what;
	size_t off;		/* of the double in struct cmp_rep */
	bool islog;
} op_metrics[] = {
	{ "latency", "latency (geometric mean)", offsetof(struct cmp_rep, logmean), true },
	{ "rounds", "reclaim rounds per call", offsetof(struct cmp_rep, rounds), false },
	{ "stall", "stall time per call", offsetof(struct cmp_rep, stall), false },
};

static void rep_values(const struct cmp_opstat *o, size_t off, double *v)
{
	int i;

	for (i = 0; i < o->nreps; i++)
		memcpy(&v[i], (const char *)&o->reps[i] + off, sizeof(double));
}

static json_t *op_tests(const struct cmp_opstat *a, const struct cmp_opstat *b)
{
	double *va = malloc((size_t)(a->nreps + b->nreps + 1) * sizeof(*va));
	double *vb = va ? va + a->nreps : NULL;
	json_t *t = json_object();
	size_t m;

	for (m = 0; va && m < sizeof(op_metrics) / sizeof(op_metrics[0]); m++) {
		rep_values(a, op_metrics[m].off, va);
		rep_values(b, op_metrics[m].off, vb);
		json_object_set_new(t, op_metrics[m].key, test_obj(va, (size_t)a->nreps, vb,
			(size_t)b->nreps, op_metrics[m].islog, op_metrics[m].what));
	}
	free(va);
	return t;
}

static json_t *vs_obj(json_t *ja, json_t *jb, const char *const *keys, json_t *tests)
{
	json_t *j = json_object(), *ch = json_object();
	int i;

	for (i = 0; keys[i]; i++) {
		json_t *x = rr_json_get(ja, keys[i]), *y = rr_json_get(jb, keys[i]);

		json_object_set_new(ch, keys[i],
				    jreal(pct_change(json_number_value(x), json_number_value(y))));
	}
	json_object_set_new(j, "change_pct", ch);
	json_object_set_new(j, "tests", tests);
	return j;
}

static const char *const op_change_keys[] = {
	"count", "gmean", "mean", "p50", "p90", "p99", "p999", "max", "stall_per_op", NULL,
};
static const char *const stall_change_keys[] = {
	"count", "total_ns", "mean", "p50", "p90", "p99", "p999", "max", NULL,
};

static json_t *ops_model(const struct cmp_run *runs, int n)
{
	json_t *ops = json_array(), *seen = json_object();
	int i, k;
	size_t m;

	for (i = 0; i < n; i++) {
		for (m = 0; m < runs[i].nops; m++) {
			const char *name = runs[i].ops[m].name;
			json_t *op, *jr = json_array(), *vs = json_array();
			const struct cmp_opstat *base = NULL;
			json_t *jbase = NULL;

			if (json_object_get(seen, name))
				continue;
			json_object_set_new(seen, name, json_true());
			for (k = 0; k < n; k++) {
				const struct cmp_opstat *s = run_op(&runs[k], name);
				json_t *js = s ? op_obj(s) : json_pack("{s:i}", "count", 0);

				json_array_append_new(jr, js);
				if (k == 0) {
					base = s;
					jbase = js;
					json_array_append_new(vs, json_null());
				} else if (base && s && base->lat.n && s->lat.n) {
					json_array_append_new(vs, vs_obj(jbase, js, op_change_keys,
									 op_tests(base, s)));
				} else {
					json_array_append_new(vs, json_null());
				}
			}
			op = json_object();
			json_object_set_new(op, "name", json_string(name));
			json_object_set_new(op, "unit", json_string(unit_for(
				json_number_value(json_object_get(json_array_get(jr, base ? 0 : (size_t)i), "p50")))));
			json_object_set_new(op, "runs", jr);
			json_object_set_new(op, "vs_first", vs);
			json_array_append_new(ops, op);
		}
	}
	json_decref(seen);
	return ops;
}

static json_t *stalls_model(const struct cmp_run *runs, int n)
{
	json_t *arr = json_array(), *seen = json_object();
	int i, k;
	size_t m;

	for (i = 0; i < n; i++) {
		for (m = 0; m < runs[i].nstalls; m++) {
			const char *name = runs[i].stalls[m].name;
			const struct cmp_stallstat *base = run_stall(&runs[0], name);
			json_t *st = json_object(), *jr = json_array(), *vs = json_array();
			json_t *jbase = NULL;

			if (json_object_get(seen, name))
				continue;
			json_object_set_new(seen, name, json_true());
			for (k = 0; k < n; k++) {
				const struct cmp_stallstat *s = run_stall(&runs[k], name);
				json_t *js = s ? stall_obj(s) :
					json_pack("{s:i,s:i}", "count", 0, "total_ns", 0);

				json_array_append_new(jr, js);
				if (k == 0) {
					jbase = js;
					json_array_append_new(vs, json_null());
				} else if (k > 0) {
					/* A kind one run never saw is 0 ns in each of its repetitions. */
					size_t na = base ? base->rep_total.n : (size_t)runs[0].ndirs;
					size_t nb = s ? s->rep_total.n : (size_t)runs[k].ndirs, q;
					double *za = calloc(na + nb + 1, sizeof(double)), *zb = za ? za + na : NULL;
					json_t *t = json_object();
					char what[80];

					if (za) {
						for (q = 0; base && q < na; q++)
							za[q] = base->rep_total.v[q];
						for (q = 0; s && q < nb; q++)
							zb[q] = s->rep_total.v[q];
						snprintf(what, sizeof(what), "%s stall time", name);
						json_object_set_new(t, "total", test_obj(za, na, zb, nb, false,
											   what));
					}
					free(za);
					json_array_append_new(vs, vs_obj(jbase, js, stall_change_keys, t));
				}
			}
			json_object_set_new(st, "name", json_string(name));
			json_object_set_new(st, "unit", json_string(unit_for(json_number_value(
				json_object_get(json_array_get(jr, base ? 0 : (size_t)i), "p50")))));
			json_object_set_new(st, "runs", jr);
			json_object_set_new(st, "vs_first", vs);
			json_array_append_new(arr, st);
		}
	}
	json_decref(seen);
	return arr;
}

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
	  "come from different reclaim code, not one mechanism measured twice" },
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

/* Every test object of column k (run k against the first). */
static size_t column_tests(json_t *m, int k, json_t **out, size_t max)
{
	static const char *const groups[] = { "ops", "stalls" };
	size_t n = 0, i, g;
	json_t *blk, *t;
	const char *key;

	for (g = 0; g < 2; g++)
		json_array_foreach(json_object_get(m, groups[g]), i, blk) {
			json_t *v = json_array_get(json_object_get(blk, "vs_first"), (size_t)k);

			json_object_foreach(json_object_get(v, "tests"), key, t)
				if (n < max)
					out[n++] = t;
		}
	return n;
}

/*
 * Holm's adjustment over every test of one column: an A/A column of many
 * ops and stall kinds must stay unmarked with probability 1 - alpha, not
 * merely each test on its own.
 */
static int holm(json_t *m, int k, double alpha)
{
	size_t max = 4096, n, i, np = 0;
	json_t **t = malloc(max * sizeof(*t)), **tp = malloc(max * sizeof(*tp));
	double *p = malloc(max * sizeof(*p));
	int ret = -ENOMEM;

	if (!t || !tp || !p)
		goto out;
	n = column_tests(m, k, t, max);
	for (i = 0; i < n; i++) {
		json_t *x = json_object_get(t[i], "p");

		json_object_set_new(t[i], "significant", json_false());
		if (json_is_number(x)) {
			tp[np] = t[i];
			p[np++] = json_number_value(x);
		}
	}
	ret = holm_adjust(p, np);
	if (ret < 0)
		goto out;
	for (i = 0; i < np; i++) {
		json_object_set_new(tp[i], "p_holm", json_real(p[i]));
		json_object_set_new(tp[i], "significant", json_boolean(p[i] < alpha));
	}
	json_object_set_new(json_array_get(json_object_get(m, "columns"), (size_t)k),
			    "tests", json_integer((json_int_t)np));
out:
	free(t);
	free(tp);
	free(p);
	return ret;
}

/* A duration in a unit that suits it, one word to wrap: "17.9s", "2.18ms". */
static void fmt_dur(char *buf, size_t len, double ns)
{
	const char *u = unit_for(ns);
	double d = !strcmp(u, "s") ? 1e9 : !strcmp(u, "ms") ? 1e6 : !strcmp(u, "us") ? 1e3 : 1.0;

	snprintf(buf, len, "%.3g%s", ns / d, u);
}

/* A value of a tested metric, in its own unit. */
static void fmt_metric(char *buf, size_t len, const char *metric, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (!strcmp(metric, "rounds"))
		snprintf(buf, len, v >= 1000.0 ? "%.0f" : "%.3g", v);
	else
		fmt_dur(buf, len, v);
}

/*
 * One verdict line: "vmalloc-nofail/alloc latency: B 8.21x faster than A
 * [7.90x, 8.60x] (A 17.9 s, B 2.18 s; 3+3 runs; Welch's t, p 0.0004)".
 */
static void verdict_text(char *buf, size_t len, const char *block, const char *metric,
			 json_t *t, const char *ida, const char *idb)
{
	double r = json_number_value(json_object_get(t, "ratio"));
	json_t *ci = json_object_get(t, "ci95");
	double lo = json_number_value(json_array_get(ci, 0)), hi = json_number_value(json_array_get(ci, 1));
	const char *up, *down, *what;
	char va[32], vb[32], eff[160];

	if (!strcmp(metric, "latency")) {
		what = "latency";
		up = "slower";
		down = "faster";
	} else if (!strcmp(metric, "rounds")) {
		what = "reclaim rounds per call";
		up = "more";
		down = "fewer";
	} else if (!strcmp(metric, "stall")) {
		what = "stall time per call";
		up = "more";
		down = "less";
	} else {
		what = "total stall time";
		up = "more";
		down = "less";
	}
	if (json_is_number(json_object_get(t, "ratio")) && r > 0.0) {
		if (r >= 1.0)
			snprintf(eff, sizeof(eff), "%s %.3gx %s [%.3gx, %.3gx]", idb, r, up, lo, hi);
		else
			snprintf(eff, sizeof(eff), "%s %.3gx %s [%.3gx, %.3gx]", idb, 1.0 / r, down,
				 1.0 / hi, 1.0 / lo);
	} else {
		double d = json_number_value(json_object_get(t, "diff"));
		char dd[32], dl[32], dh[32];

		fmt_metric(dd, sizeof(dd), metric, fabs(d));
		fmt_metric(dl, sizeof(dl), metric, lo);
		fmt_metric(dh, sizeof(dh), metric, hi);
		snprintf(eff, sizeof(eff), "%s %s %s [%s, %s]", idb, dd, d >= 0 ? up : down, dl, dh);
	}
	fmt_metric(va, sizeof(va), metric, json_number_value(json_object_get(t, "a")));
	fmt_metric(vb, sizeof(vb), metric, json_number_value(json_object_get(t, "b")));
	snprintf(buf, len, "%s %s: %s than %s (%s %s, %s %s; %" JSON_INTEGER_FORMAT "+%"
		 JSON_INTEGER_FORMAT " runs; Welch's t%s, p %.2g)",
		 block, what, eff, ida, ida, va, idb, vb,
		 json_integer_value(json_object_get(t, "n_a")),
		 json_integer_value(json_object_get(t, "n_b")),
		 strcmp(json_string_value(json_object_get(t, "test")) ?: "", "welch-log") ? "" : " on logs",
		 json_number_value(json_object_get(t, "p_holm")));
}

/* The verdict: the significant changes of every column, largest first within a column. */
static json_t *verdict_model(json_t *m)
{
	static const char *const groups[] = { "ops", "stalls" };
	json_t *runs = json_object_get(m, "runs"), *out = json_array();
	size_t k, g, i;

	for (k = 1; k < json_array_size(runs); k++) {
		const char *ida = json_string_value(json_object_get(json_array_get(runs, 0), "id"));
		const char *idb = json_string_value(json_object_get(json_array_get(runs, k), "id"));

		for (g = 0; g < 2; g++) {
			json_t *blk;

			json_array_foreach(json_object_get(m, groups[g]), i, blk) {
				json_t *v = json_array_get(json_object_get(blk, "vs_first"), k), *t;
				const char *metric;

				json_object_foreach(json_object_get(v, "tests"), metric, t) {
					char line[512];

					if (!json_is_true(json_object_get(t, "significant")))
						continue;
					verdict_text(line, sizeof(line),
						     json_string_value(json_object_get(blk, "name")),
						     metric, t, ida, idb);
					json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:O,s:s}",
						"vs", idb, "block", json_string_value(json_object_get(blk, "name")),
						"metric", metric, "test", t, "text", line));
				}
			}
		}
	}
	return out;
}

json_t *cmp_build(const struct cmp_run *runs, int n, const struct cmp_opts *o)
{
	json_t *m = json_object(), *jruns = json_array(), *warn = json_array(), *notes = json_array();
	json_t *mmd = json_array(), *mm_same = json_array(), *keys, *v, *cols = json_array();
	json_t **exp = calloc((size_t)n, sizeof(*exp)), *ediff = json_array();
	size_t i, k;
	int r, d;

	if (!exp) {
		json_decref(m);
		return NULL;
	}
	json_object_set_new(m, "tool", json_string("stallbench compare"));
	json_object_set_new(m, "alpha", json_real(o->alpha));
	json_object_set_new(m, "unit_of_test", json_string("repetition"));
	for (r = 0; r < n; r++) {
		const struct cmp_run *cr = &runs[r];
		json_t *dirs = json_array();

		for (d = 0; d < cr->ndirs; d++)
			json_array_append_new(dirs, json_string(cr->dirs[d].path));
		json_array_append_new(jruns, json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:i,s:o,s:o,s:I,s:I}",
			"id", cr->id, "label", cr->label, "kernel", cr->kernel,
			"release", cr->dirs[0].release,
			"cmdline", cr->dirs[0].cmdline, "dirs", dirs, "status", cr->status,
			"repetitions", cr->ndirs,
			"oom_kills", cr->oom_known ? json_integer((json_int_t)cr->oom_kills) : json_null(),
			"lost_events", cr->lost_known ? json_integer((json_int_t)cr->lost_events) :
				json_null(),
			"bad_rows", (json_int_t)cr->bad_rows,
			"oom_victims_outside", (json_int_t)cr->oom_outside));
		if (strcmp(cr->status, "complete") != 0) {
			char w[160];

			snprintf(w, sizeof(w), "%s: status %s: numbers cover part of the run",
				 cr->id, cr->status);
			add_warning(warn, w);
		}
		if (cr->lost_known && cr->lost_events) {
			char w[160];

			snprintf(w, sizeof(w), "%s: %" PRIu64 " trace events lost: stall counts are "
				 "a lower bound", cr->id, cr->lost_events);
			add_warning(warn, w);
		}
		if (cr->bad_rows) {
			char w[160];

			snprintf(w, sizeof(w), "%s: %" PRIu64 " malformed rows skipped", cr->id,
				 cr->bad_rows);
			add_warning(warn, w);
		}
		exp[r] = cmp_experiment(&cr->dirs[0]);
		/* Repetitions must be one experiment on one kernel to be pooled. */
		for (d = 1; d < cr->ndirs; d++) {
			json_t *e = cmp_experiment(&cr->dirs[d]);
			json_t *a = json_object_get(cr->dirs[0].meta, "mm");
			json_t *b = json_object_get(cr->dirs[d].meta, "mm");
			char w[200];

			if (!json_equal(e, exp[r])) {
				snprintf(w, sizeof(w), "%s: repetitions are not the same experiment "
					 "(repetition 1 vs %d)", cr->id, d + 1);
				add_warning(warn, w);
			}
			if (strcmp(cr->dirs[0].release, cr->dirs[d].release) ||
			    (!json_equal(a, b) && (a || b))) {
				snprintf(w, sizeof(w), "%s: repetitions differ in kernel or mm "
					 "settings", cr->id);
				add_warning(warn, w);
			}
			json_decref(e);
		}
	}
	json_object_set_new(m, "runs", jruns);

	/* The experiment: the same everywhere, or the comparison says what differs. */
	if (n > 1)
		diff_paths(exp, n, "", ediff);
	if (json_array_size(ediff)) {
		char w[512];
		size_t used = (size_t)snprintf(w, sizeof(w), "not the same experiment: ");

		json_array_foreach(ediff, i, v) {
			char b[128];
			int q;

			used += (size_t)snprintf(w + used, used < sizeof(w) ? sizeof(w) - used : 0,
						 "%s%s (", i ? "; " : "", json_string_value(v));
			for (q = 0; q < n; q++) {
				leaf_label(exp[q], json_string_value(v), b, sizeof(b));
				used += (size_t)snprintf(w + used, used < sizeof(w) ? sizeof(w) - used : 0,
							 "%s%s %s", q ? ", " : "", runs[q].id, b);
			}
			used += (size_t)snprintf(w + used, used < sizeof(w) ? sizeof(w) - used : 0, ")");
		}
		add_warning(warn, w);
	}
	json_object_set_new(m, "experiment_differs", ediff);
	for (r = 0; r < n; r++)
		json_decref(exp[r]);
	free(exp);

	keys = differing(runs, n, "mm");
	json_array_foreach(keys, i, v) {
		const char *key = json_string_value(v);
		json_t *vals = json_array();

		for (r = 0; r < n; r++) {
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
	/* The settings every run shares are printed too: the reader needs them. */
	if (json_is_object(json_object_get(runs[0].dirs[0].meta, "mm"))) {
		const char *key;

		json_object_foreach(json_object_get(runs[0].dirs[0].meta, "mm"), key, v) {
			bool differs = false;
			json_t *x;
			char *s;

			json_array_foreach(keys, k, x)
				if (strcmp(json_string_value(x), key) == 0)
					differs = true;
			if (differs)
				continue;
			s = value_str(v);
			json_array_append_new(mm_same, json_pack("{s:s,s:s}", "key", key,
								  "value", s ? s : "?"));
			free(s);
		}
	}
	json_decref(keys);
	/*
	 * Two kernels on either side of a known vmalloc NOFAIL fix measure
	 * different code whatever their package names say: said once per fix.
	 */
	for (k = 0; k < nkchanges; k++) {
		char w[400], who[160] = "";
		bool has = false, lacks = false;
		size_t used = 0;

		for (r = 0; r < n; r++) {
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
	json_object_set_new(m, "mm_differs", mmd);
	json_object_set_new(m, "mm_same", mm_same);
	json_object_set_new(m, "notes", notes);

	/* Columns (run k against the first): whether they can be tested at all. */
	for (r = 0; r < n; r++) {
		bool ok = r > 0 && runs[0].ndirs >= 2 && runs[r].ndirs >= 2;

		json_array_append_new(cols, json_pack("{s:s,s:b,s:i,s:i}", "id", runs[r].id,
			"testable", ok, "n_a", runs[0].ndirs, "n_b", runs[r].ndirs));
		if (r > 0 && !ok) {
			char w[200];

			snprintf(w, sizeof(w), "%s vs %s: %s has %d repetition%s: changes are "
				 "shown, not tested (2+ per side needed)", runs[r].id, runs[0].id,
				 runs[0].ndirs < 2 ? runs[0].id : runs[r].id,
				 runs[0].ndirs < 2 ? runs[0].ndirs : runs[r].ndirs,
				 (runs[0].ndirs < 2 ? runs[0].ndirs : runs[r].ndirs) == 1 ? "" : "s");
			add_warning(warn, w);
		}
	}
	json_object_set_new(m, "columns", cols);
	json_object_set_new(m, "warnings", warn);
	json_object_set_new(m, "ops", ops_model(runs, n));
	json_object_set_new(m, "stalls", stalls_model(runs, n));
	json_object_set_new(m, "test", json_string("welch on per-repetition means (of logs "
						   "where all are positive)"));
	json_object_set_new(m, "correction", json_string("holm"));
	for (r = 1; r < n; r++) {
		if (holm(m, r, o->alpha) < 0) {
			json_decref(m);
			return NULL;
		}
	}
	json_object_set_new(m, "verdict", verdict_model(m));
	json_object_set_new(m, "comparable", json_boolean(!json_array_size(
		json_object_get(m, "experiment_differs"))));
	return m;
}

/* ---- rendering ---- */

/* Prints text word-wrapped to WIDTH; continuation lines start with cont. */
static void wrap(FILE *f, const char *first, const char *cont, const char *text)
{
	size_t col = strlen(first), ind = strlen(cont);
	const char *p = text;
	bool empty = true;	/* nothing but the prefix on this line yet */

	fputs(first, f);
	while (*p) {
		size_t m;

		p += strspn(p, " ");
		m = strcspn(p, " ");
		if (!m)
			break;
		if (!empty && col + 1 + m > WIDTH) {
			fprintf(f, "\n%s", cont);
			col = ind;
			empty = true;
		}
		if (!empty) {
			fputc(' ', f);
			col++;
		}
		/* A word longer than a line (a long path) is cut across lines. */
		while (col + m > WIDTH) {
			size_t room = WIDTH - col;

			fwrite(p, 1, room, f);
			p += room;
			m -= room;
			fprintf(f, "\n%s", cont);
			col = ind;
		}
		fwrite(p, 1, m, f);
		col += m;
		p += m;
		empty = false;
	}
	fputc('\n', f);
}

static double unit_div(const char *unit)
{
	if (strcmp(unit, "us") == 0)
		return 1e3;
	if (strcmp(unit, "ms") == 0)
		return 1e6;
	if (strcmp(unit, "s") == 0)
		return 1e9;
	return 1.0;
}

/* A number in at most 8 characters. */
static void fmt_num(char *buf, size_t len, double v, bool integer)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (integer && a < 1e8)
		snprintf(buf, len, "%.0f", v);
	else if (a < 10.0)
		snprintf(buf, len, "%.3f", v);
	else if (a < 100.0)
		snprintf(buf, len, "%.2f", v);
	else if (a < 1000.0)
		snprintf(buf, len, "%.1f", v);
	else if (a < 1e7)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.2e", v);
}

/* A change in percent in at most 7 characters, plus a marker. */
static void fmt_change(char *buf, size_t len, double a, double b, bool sig)
{
	double c = pct_change(a, b);
	const char *mk = sig ? "*" : "";

	if (isnan(a) || isnan(b))
		snprintf(buf, len, "%s", "");
	else if (isnan(c))
		snprintf(buf, len, "new%s", mk);
	else if (fabs(c) < 99.95)
		snprintf(buf, len, "%+.1f%%%s", c, mk);
	else if (fabs(c) < 99999.5)
		snprintf(buf, len, "%+.0f%%%s", c, mk);
	else
		snprintf(buf, len, "%s%s", c > 0 ? ">+99999" : "<-99999", mk);
}

enum rowkind { ROW_INT, ROW_LAT, ROW_REAL, ROW_MS };

struct row {
	const char *label;
	const char *path;	/* in a run object, "a.b" */
	enum rowkind kind;
	const char *sig;	/* key in vs_first.tests whose significance marks it, or NULL */
};

static double row_value(json_t *run, const char *path)
{
	json_t *v = rr_json_get(run, path);

	if (json_is_number(v))
		return json_number_value(v);
	/* An errno one run never saw is a zero there, not a missing value. */
	if (json_integer_value(json_object_get(run, "count")) > 0 && strncmp(path, "errors.", 7) == 0)
		return 0.0;
	return NAN;
}

/* Any run has a non-zero value at path. */
static bool any_nonzero(json_t *jr, const char *path)
{
	size_t i;
	json_t *r;

	json_array_foreach(jr, i, r) {
		double v = row_value(r, path);

		if (!isnan(v) && v != 0.0)
			return true;
	}
	return false;
}

static void print_rows(FILE *f, json_t *blk, const struct row *rows, int nrows, size_t from,
		       size_t to, bool md)
{
	json_t *jr = json_object_get(blk, "runs"), *vs = json_object_get(blk, "vs_first");
	const char *unit = json_string_value(json_object_get(blk, "unit"));
	double div = unit_div(unit ? unit : "ns");
	int ri;

	for (ri = 0; ri < nrows; ri++) {
		const struct row *rw = &rows[ri];
		double base = row_value(json_array_get(jr, 0), rw->path);
		char cell[32];
		size_t k;

		if (rw->kind == ROW_LAT)
			base /= div;
		else if (rw->kind == ROW_MS)
			base /= 1e6;
		fmt_num(cell, sizeof(cell), base, rw->kind == ROW_INT);
		if (md)
			fprintf(f, "| %s | %s |", rw->label, cell);
		else
			fprintf(f, "%-11.11s%9s", rw->label, cell);
		for (k = from; k < to; k++) {
			double v = row_value(json_array_get(jr, k), rw->path);
			json_t *s = json_object_get(json_object_get(json_array_get(vs, k), "tests"),
						    rw->sig ? rw->sig : "");
			bool sig = rw->sig && json_is_true(json_object_get(s, "significant"));
			char ch[32];

			if (rw->kind == ROW_LAT)
				v /= div;
			else if (rw->kind == ROW_MS)
				v /= 1e6;
			fmt_num(cell, sizeof(cell), v, rw->kind == ROW_INT);
			fmt_change(ch, sizeof(ch), base, v, sig);
			if (md) {
				char esc[40];

				snprintf(esc, sizeof(esc), "%s", ch);
				if (sig && strlen(esc) > 0 && esc[strlen(esc) - 1] == '*') {
					esc[strlen(esc) - 1] = '\0';
					fprintf(f, " %s | %s\\* |", cell, esc);
				} else {
					fprintf(f, " %s | %s |", cell, esc);
				}
			} else {
				fprintf(f, "%9s%8s", cell, ch);
			}
		}
		fputc('\n', f);
	}
}

/* Rows of an op block: fixed rows plus the errors and flags seen anywhere. */
static int op_rows(json_t *blk, struct row *rows, char names[][40], int max)
{
	static const struct row fixed[] = {
		{ "count", "count", ROW_INT, NULL },
		{ "gmean", "gmean", ROW_LAT, "latency" },
		{ "mean", "mean", ROW_LAT, NULL },
		{ "p50", "p50", ROW_LAT, NULL },
		{ "p90", "p90", ROW_LAT, NULL },
		{ "p99", "p99", ROW_LAT, NULL },
		{ "p99.9", "p999", ROW_LAT, NULL },
		{ "max", "max", ROW_LAT, NULL },
	};
	json_t *jr = json_object_get(blk, "runs"), *errs = json_object();
	const char *name = json_string_value(json_object_get(blk, "name"));
	size_t i;
	int n = 0;
	json_t *r, *v;
	const char *key;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		rows[n++] = fixed[i];
	/* ENOMEM is the question for every op: always shown, 0 included. */
	json_object_set_new(errs, "ENOMEM", json_true());
	json_array_foreach(jr, i, r)
		json_object_foreach(json_object_get(r, "errors"), key, v)
			json_object_set_new(errs, key, json_true());
	json_object_foreach(errs, key, v) {
		if (n >= max - 8)
			break;
		snprintf(names[n], 40, "errors.%s", key);
		rows[n] = (struct row){ names[n] + 7, names[n], ROW_INT, NULL };
		n++;
	}
	json_decref(errs);
	if (any_nonzero(jr, "null") || (name && strstr(name, "vmalloc")))
		rows[n++] = (struct row){ "NULL/NOFAIL", "null", ROW_INT, NULL };
	if (any_nonzero(jr, "killed"))
		rows[n++] = (struct row){ "killed", "killed", ROW_INT, NULL };
	if (any_nonzero(jr, "mismatch"))
		rows[n++] = (struct row){ "size wrong", "mismatch", ROW_INT, NULL };
	if (any_nonzero(jr, "unfinished"))
		rows[n++] = (struct row){ "unfinished", "unfinished", ROW_INT, NULL };
	rows[n++] = (struct row){ "rounds mean", "rounds.mean", ROW_REAL, "rounds" };
	rows[n++] = (struct row){ "rounds p50", "rounds.p50", ROW_INT, NULL };
	rows[n++] = (struct row){ "rounds p99", "rounds.p99", ROW_INT, NULL };
	rows[n++] = (struct row){ "rounds max", "rounds.max", ROW_INT, NULL };
	rows[n++] = (struct row){ "stall ms/op", "stall_per_op", ROW_MS, "stall" };
	return n;
}

static const struct row stall_rows[] = {
	{ "count", "count", ROW_INT, NULL },
	{ "ms per run", "total_per_rep", ROW_MS, "total" },
	{ "mean", "mean", ROW_LAT, NULL },
	{ "p50", "p50", ROW_LAT, NULL },
	{ "p90", "p90", ROW_LAT, NULL },
	{ "p99", "p99", ROW_LAT, NULL },
	{ "p99.9", "p999", ROW_LAT, NULL },
	{ "max", "max", ROW_LAT, NULL },
	{ "0-reclaim %", "no_progress_pct", ROW_REAL, NULL },	/* rounds reclaiming nothing */
};

#define PER_BLOCK	3	/* runs beside the first that fit 72 columns */

static void block_header(FILE *f, json_t *runs, const char *title, size_t from, size_t to)
{
	size_t k;

	wrap(f, "", "  ", title);
	fprintf(f, "%-11s%9s", "", json_string_value(json_object_get(json_array_get(runs, 0), "id")));
	for (k = from; k < to; k++)
		fprintf(f, "%9s%8s", json_string_value(json_object_get(json_array_get(runs, k), "id")),
			"change");
	fputc('\n', f);
}

/* Why a column of this block was not tested, once per reason. */
static void block_untested(FILE *f, json_t *blk, json_t *runs, size_t from, size_t to)
{
	size_t k;

	for (k = from; k < to; k++) {
		json_t *tests = json_object_get(json_array_get(json_object_get(blk, "vs_first"), k),
						"tests"), *t;
		const char *key, *why = NULL;
		char line[160];

		json_object_foreach(tests, key, t) {
			const char *w = json_string_value(json_object_get(t, "why"));

			if (w && strncmp(w, "not tested", 10) == 0)
				why = w;
		}
		if (!why)
			continue;
		snprintf(line, sizeof(line), "%s vs %s: %s",
			 json_string_value(json_object_get(json_array_get(runs, k), "id")),
			 json_string_value(json_object_get(json_array_get(runs, 0), "id")), why);
		wrap(f, "  ", "    ", line);
	}
}

static void text_blocks(FILE *f, json_t *model, const char *what, bool ops)
{
	json_t *runs = json_object_get(model, "runs"), *blk;
	size_t nruns = json_array_size(runs), i, from;
	struct row rows[64];
	char names[64][40];

	json_array_foreach(json_object_get(model, what), i, blk) {
		const char *name = json_string_value(json_object_get(blk, "name"));
		const char *unit = json_string_value(json_object_get(blk, "unit"));
		int nrows = ops ? op_rows(blk, rows, names, 64) :
			(int)(sizeof(stall_rows) / sizeof(stall_rows[0]));
		char title[256];

		snprintf(title, sizeof(title), "%s %s (%s in %s)", ops ? "op" : "stalls", name,
			 ops ? "latency" : "duration", unit);
		for (from = 1; from < nruns || from == 1; from += PER_BLOCK) {
			size_t to = from + PER_BLOCK < nruns ? from + PER_BLOCK : nruns;

			fputc('\n', f);
			block_header(f, runs, title, from, to);
			print_rows(f, blk, ops ? rows : stall_rows, nrows, from, to, false);
			block_untested(f, blk, runs, from, to);
			if (to >= nruns)
				break;
		}
	}
}

static void print_verdict_text(FILE *f, json_t *m)
{
	json_t *runs = json_object_get(m, "runs"), *v;
	size_t i, k, ntest = 0;
	bool testable = false;
	char line[512];

	fputs("Verdict", f);
	if (json_array_size(runs) > 1)
		fprintf(f, " (%s against %s)", json_array_size(runs) > 2 ? "each run" :
			json_string_value(json_object_get(json_array_get(runs, 1), "id")),
			json_string_value(json_object_get(json_array_get(runs, 0), "id")));
	fputs(":\n", f);
	json_array_foreach(json_object_get(m, "columns"), k, v) {
		testable |= json_is_true(json_object_get(v, "testable"));
		ntest += (size_t)json_integer_value(json_object_get(v, "tests"));
	}
	if (!json_is_true(json_object_get(m, "comparable"))) {
		wrap(f, "  ", "    ", "not comparable: not the same experiment (see the "
		     "warning below)");
		return;
	}
	if (!testable) {
		wrap(f, "  ", "    ", "not tested: a side has fewer than 2 repetitions; "
		     "the tables show the changes, none is judged");
		return;
	}
	json_array_foreach(json_object_get(m, "verdict"), i, v)
		wrap(f, "  ", "    ", json_string_value(json_object_get(v, "text")));
	if (!json_array_size(json_object_get(m, "verdict"))) {
		snprintf(line, sizeof(line), "no significant change (%zu tests at alpha %g)",
			 ntest, json_number_value(json_object_get(m, "alpha")));
		wrap(f, "  ", "    ", line);
	}
}

int cmp_print_verdict(FILE *f, json_t *m, const char *prefix)
{
	json_t *v, *runs = json_object_get(m, "runs");
	bool testable = false;
	size_t i;

	if (!json_is_true(json_object_get(m, "comparable"))) {
		json_array_foreach(json_object_get(m, "warnings"), i, v)
			if (!strncmp(json_string_value(v), "not the same experiment", 23))
				fprintf(f, "%snot comparable: %s\n", prefix, json_string_value(v));
		return 2;
	}
	json_array_foreach(json_object_get(m, "columns"), i, v)
		testable |= json_is_true(json_object_get(v, "testable"));
	if (!testable) {
		fprintf(f, "%snot comparable: %s has %d repetition(s); 2+ per side are needed "
			"to test a change\n", prefix,
			json_string_value(json_object_get(json_array_get(runs, 0), "id")),
			(int)json_integer_value(json_object_get(json_array_get(runs, 0), "repetitions")));
		return 2;
	}
	json_array_foreach(json_object_get(m, "verdict"), i, v)
		fprintf(f, "%s%s\n", prefix, json_string_value(json_object_get(v, "text")));
	if (json_array_size(json_object_get(m, "verdict")))
		return 3;
	fprintf(f, "%sno significant change (alpha %g, Welch's t on per-repetition means, "
		"Holm)\n", prefix, json_number_value(json_object_get(m, "alpha")));
	return 0;
}

int cmp_print_text(FILE *f, json_t *m, unsigned int show)
{
	json_t *runs = json_object_get(m, "runs"), *r, *v;
	double alpha = json_number_value(json_object_get(m, "alpha"));
	char line[1024];
	size_t i, k;

	if (show & CMP_SHOW_HEADER) {
		snprintf(line, sizeof(line), "stallbench compare: %zu runs, alpha %g",
			 json_array_size(runs), alpha);
		wrap(f, "", "  ", line);
		json_array_foreach(runs, i, r) {
			json_t *oom = json_object_get(r, "oom_kills"), *lost = json_object_get(r, "lost_events");
			char pre[16], oomb[64], lostb[32];

			snprintf(pre, sizeof(pre), "%-3s", json_string_value(json_object_get(r, "id")));
			wrap(f, pre, "     ", json_string_value(json_object_get(r, "label")));
			if (strcmp(json_string_value(json_object_get(r, "label")),
				   json_string_value(json_object_get(r, "kernel"))))
				wrap(f, "   kernel ", "     ", json_string_value(json_object_get(r, "kernel")));
			if (json_is_integer(oom) && json_integer_value(json_object_get(r, "oom_victims_outside")))
				snprintf(oomb, sizeof(oomb), "%" JSON_INTEGER_FORMAT " (%" JSON_INTEGER_FORMAT
					 " outside the run!)", json_integer_value(oom),
					 json_integer_value(json_object_get(r, "oom_victims_outside")));
			else if (json_is_integer(oom))
				snprintf(oomb, sizeof(oomb), "%" JSON_INTEGER_FORMAT, json_integer_value(oom));
			else
				snprintf(oomb, sizeof(oomb), "?");
			if (json_is_integer(lost))
				snprintf(lostb, sizeof(lostb), "%" JSON_INTEGER_FORMAT, json_integer_value(lost));
			else
				snprintf(lostb, sizeof(lostb), "?");
			snprintf(line, sizeof(line), "%s, %d rep%s, OOM kills %s, lost events %s)",
				 json_string_value(json_object_get(r, "status")),
				 (int)json_integer_value(json_object_get(r, "repetitions")),
				 json_integer_value(json_object_get(r, "repetitions")) == 1 ? "" : "s",
				 oomb, lostb);
			wrap(f, "   (", "    ", line);
		}
	}
	if (show & CMP_SHOW_VERDICT) {
		fputc('\n', f);
		print_verdict_text(f, m);
	}
	if (show & CMP_SHOW_HEADER) {
		if (json_array_size(json_object_get(m, "mm_differs"))) {
			fputs("\nmm settings that differ:\n", f);
			json_array_foreach(json_object_get(m, "mm_differs"), i, v) {
				size_t used = 0;
				json_t *x;
				char pre[64];

				line[0] = '\0';
				json_array_foreach(json_object_get(v, "values"), k, x)
					used += (size_t)snprintf(line + used, used < sizeof(line) ?
						sizeof(line) - used : 0, "%s%s=%s", k ? " " : "",
						json_string_value(json_object_get(json_array_get(runs, k), "id")),
						json_string_value(x));
				snprintf(pre, sizeof(pre), "  %-24s ",
					 json_string_value(json_object_get(v, "key")));
				wrap(f, pre, "                           ", line);
			}
		}
		if (json_array_size(json_object_get(m, "mm_same"))) {
			size_t used = 0;

			line[0] = '\0';
			json_array_foreach(json_object_get(m, "mm_same"), i, v)
				if (used < sizeof(line))
					used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s=%s",
						i ? " " : "", json_string_value(json_object_get(v, "key")),
						json_string_value(json_object_get(v, "value")));
			wrap(f, "mm settings alike: ", "  ", line);
		}
		json_array_foreach(json_object_get(m, "notes"), i, v)
			wrap(f, "note: ", "  ", json_string_value(v));
	}
	if (!(show & CMP_SHOW_TABLES))
		return ferror(f) ? -EIO : 0;
	json_array_foreach(json_object_get(m, "warnings"), i, v)
		wrap(f, "WARNING: ", "  ", json_string_value(v));

	text_blocks(f, m, "ops", true);
	text_blocks(f, m, "stalls", false);

	fputc('\n', f);
	snprintf(line, sizeof(line), "change: vs %s. * significant at alpha %g: Welch's t on "
		 "per-repetition values (gmean: mean log latency; rounds mean and stall ms/op: "
		 "per call; ms per run: a stall kind's total), on logs where all are positive, "
		 "Holm's correction over the tests of a column. A repetition is the unit: "
		 "ops of one run share its conditions and are not tested against each other. "
		 "Percentiles are exact order statistics of finished ops.",
		 json_string_value(json_object_get(json_array_get(runs, 0), "id")), alpha);
	wrap(f, "", "", line);
	return ferror(f) ? -EIO : 0;
}

static void md_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (strchr("|*_`\\", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void md_blocks(FILE *f, json_t *m, const char *what, bool ops)
{
	json_t *runs = json_object_get(m, "runs"), *blk;
	size_t nruns = json_array_size(runs), i, k;
	struct row rows[64];
	char names[64][40];

	json_array_foreach(json_object_get(m, what), i, blk) {
		int nrows = ops ? op_rows(blk, rows, names, 64) :
			(int)(sizeof(stall_rows) / sizeof(stall_rows[0]));

		fprintf(f, "\n### %s ", ops ? "op" : "stalls");
		md_escape(f, json_string_value(json_object_get(blk, "name")));
		fprintf(f, " (%s in %s)\n\n| | %s |", ops ? "latency" : "duration",
			json_string_value(json_object_get(blk, "unit")),
			json_string_value(json_object_get(json_array_get(runs, 0), "id")));
		for (k = 1; k < nruns; k++)
			fprintf(f, " %s | change |",
				json_string_value(json_object_get(json_array_get(runs, k), "id")));
		fputs("\n|---|--:|", f);
		for (k = 1; k < nruns; k++)
			fputs("--:|--:|", f);
		fputc('\n', f);
		print_rows(f, blk, ops ? rows : stall_rows, nrows, 1, nruns, true);
	}
}

int cmp_print_markdown(FILE *f, json_t *m)
{
	json_t *runs = json_object_get(m, "runs"), *r, *v, *x;
	double alpha = json_number_value(json_object_get(m, "alpha"));
	size_t i, k;

	fprintf(f, "## stallbench compare (alpha %g)\n\n", alpha);
	json_array_foreach(runs, i, r) {
		fprintf(f, "- **%s**: ", json_string_value(json_object_get(r, "id")));
		md_escape(f, json_string_value(json_object_get(r, "label")));
		fprintf(f, " (%s", json_string_value(json_object_get(r, "status")));
		v = json_object_get(r, "oom_kills");
		if (json_is_integer(v))
			fprintf(f, ", OOM kills %" JSON_INTEGER_FORMAT, json_integer_value(v));
		v = json_object_get(r, "lost_events");
		if (json_is_integer(v))
			fprintf(f, ", lost events %" JSON_INTEGER_FORMAT, json_integer_value(v));
		fprintf(f, ", %d repetition%s)\n",
			(int)json_integer_value(json_object_get(r, "repetitions")),
			json_integer_value(json_object_get(r, "repetitions")) == 1 ? "" : "s");
	}
	if (json_array_size(json_object_get(m, "mm_differs"))) {
		fputs("\n| mm setting |", f);
		json_array_foreach(runs, i, r)
			fprintf(f, " %s |", json_string_value(json_object_get(r, "id")));
		fputs("\n|---|", f);
		json_array_foreach(runs, i, r)
			fputs("---|", f);
		fputc('\n', f);
		json_array_foreach(json_object_get(m, "mm_differs"), i, v) {
			fputs("| ", f);
			md_escape(f, json_string_value(json_object_get(v, "key")));
			fputs(" |", f);
			json_array_foreach(json_object_get(v, "values"), k, x) {
				fputc(' ', f);
				md_escape(f, json_string_value(x));
				fputs(" |", f);
			}
			fputc('\n', f);
		}
	}
	fputs("\n**Verdict**\n\n", f);
	json_array_foreach(json_object_get(m, "verdict"), i, v) {
		fputs("- ", f);
		md_escape(f, json_string_value(json_object_get(v, "text")));
		fputc('\n', f);
	}
	if (!json_array_size(json_object_get(m, "verdict")))
		fputs("- no significant change\n", f);
	json_array_foreach(json_object_get(m, "warnings"), i, v) {
		fputs(i ? "" : "\n", f);
		fputs("> **Warning:** ", f);
		md_escape(f, json_string_value(v));
		fputs("\n", f);
	}
	md_blocks(f, m, "ops", true);
	md_blocks(f, m, "stalls", false);
	fprintf(f, "\n\\* significant at alpha %g: Welch's t on per-repetition values (on logs "
		"where all are positive), Holm's correction over the tests of a column; the "
		"repetition is the unit.\n", alpha);
	return ferror(f) ? -EIO : 0;
}
