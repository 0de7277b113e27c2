/*
 * Comparison of runs, part 1: loading. cmp_load() streams each repetition's
 * ops.csv and stalls.csv once into pooled per-op and per-stall-kind sample
 * vectors (sorted afterwards) and one summary per repetition; unfinished ops
 * are counted, never sampled. Also what a run is: its experiment (the
 * parameters, not paths or pids) and the short labels that tell runs apart.
 * The model (compare_model.c) and the renderers (compare_render.c) follow.
 */
#include "compare.h"
#include "compare_impl.h"
#include "signif.h"
#include "stats.h"
#include "parse.h"
#include "kchanges.h"
#include "stallunion.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define LAT_MAX		((1ull << 48) - 1)	/* 78 hours: fits beside a node id */

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
	if (op->have_sched) {
		double slept = (double)rr_sleep_ns(op->latency_ns, op->cpu_ns, op->runq_ns);

		o->rep_sleep += slept;
		o->rep_sleep_n++;
		o->sleep_ns += slept;
		o->cpu_ns += (double)op->cpu_ns;
		o->runq_ns += (double)op->runq_ns;
		o->sleep_n++;
	}
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
	if (op->err[0] && !strcmp(op->err, "ENOMEM"))
		o->rep_enomem++;
	if (op->flags & RR_OPF_KILLED) {
		o->killed++;
		o->rep_killed++;
	}
	if (op->flags & RR_OPF_NULL) {
		o->null++;
		o->rep_null++;
	}
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
	{
		int sys = strcmp(s->scope, "system") == 0;
		int64_t own;

		if (!r->un[sys] && !(r->un[sys] = su_new()))
			return -ENOMEM;
		own = su_add(r->un[sys], s->tid, s->t_start_ns,
			     s->t_start_ns + s->duration_ns, NULL, NULL);
		if (own < 0)
			return -ENOMEM;
		st->own_ns += (uint64_t)own;
	}
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

struct oc_ctx {
	struct cmp_run *r;
	int dir;		/* the repetition being read */
};

/* One offcpu.csv row into its op's repetition (the last one closed, of dir). */
static int on_offcpu(void *arg, const struct rr_offcpu_row *w)
{
	struct oc_ctx *c = arg;
	char name[160];
	struct cmp_opstat *o = NULL;
	struct cmp_rep *rp;
	int k;

	if (!w->site || !*w->site || w->site[0] == '(')
		return 0;	/* the reserved rows: in stalls, unattributed */
	snprintf(name, sizeof(name), "%s/%s", w->workload, w->op);
	for (size_t i = 0; i < c->r->nops && !o; i++)
		if (!strcmp(c->r->ops[i].name, name))
			o = &c->r->ops[i];
	if (!o || !o->nreps || o->reps[o->nreps - 1].dir != c->dir)
		return 0;
	rp = &o->reps[o->nreps - 1];
	for (k = 0; k < o->nsites && strcmp(o->sites[k], w->site); k++)
		;
	if (k == o->nsites) {
		if (k == CMP_MAX_SITES)
			return 0;
		snprintf(o->sites[k], sizeof(o->sites[k]), "%s", w->site);
		o->nsites++;
	}
	rp->site_ns[k] += (double)w->sleep_ns;
	return 0;
}

/* A repetition's time asleep by wait site, per call; absent offcpu.csv: not known. */
static int load_offcpu(struct cmp_run *r, const struct rr_dir *d, int dir, char *msg, size_t len)
{
	struct oc_ctx c = { r, dir };
	int ret = rr_read_offcpu(d, on_offcpu, &c, NULL, msg, len);

	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < r->nops; i++) {
		struct cmp_opstat *o = &r->ops[i];
		struct cmp_rep *rp = o->nreps ? &o->reps[o->nreps - 1] : NULL;

		if (!rp || rp->dir != dir)
			continue;
		rp->sites_known = true;
		for (int k = 0; k < CMP_MAX_SITES; k++)
			rp->site_ns[k] /= (double)(rp->count ? rp->count : 1);
	}
	return 0;
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
	rp->sleep = o->rep_sleep_n ? o->rep_sleep / (double)o->rep_sleep_n : NAN;
	memset(rp->site_ns, 0, sizeof(rp->site_ns));
	rp->sites_known = false;
	rp->p99 = n >= 100 ? quantile_sorted(v, n, 0.99) : NAN;
	rp->ops_s = NAN;	/* cmp_load: once the run's duration is known */
	rp->killed = (double)o->rep_killed;
	rp->null = (double)o->rep_null;
	rp->enomem = (double)o->rep_enomem;
	free(v);
reset:
	o->rep_sum = o->rep_logsum = o->rep_rounds = o->rep_stall = o->rep_sleep = 0.0;
	o->rep_n = o->rep_sleep_n = o->rep_killed = o->rep_null = o->rep_enomem = 0;
	return 0;
}

double cmp_rounds_pct(const struct cmp_opstat *o, double q)
{
	return quantile_sorted(o->rounds.v, o->rounds.n, q);
}

const struct cmp_opstat *cmp_run_op(const struct cmp_run *r, const char *name)
{
	for (size_t i = 0; i < r->nops; i++)
		if (strcmp(r->ops[i].name, name) == 0)
			return &r->ops[i];
	return NULL;
}

const struct cmp_stallstat *cmp_run_stall(const struct cmp_run *r, const char *name)
{
	for (size_t i = 0; i < r->nstalls; i++)
		if (strcmp(r->stalls[i].name, name) == 0)
			return &r->stalls[i];
	return NULL;
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
	free(r->out);
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

/* A number of summary.json at a dotted path; NAN when absent or negative (unknown). */
static double summary_num(json_t *sum, const char *path)
{
	json_t *v = sum ? rr_json_get(sum, path) : NULL;

	return json_is_number(v) && json_number_value(v) >= 0 ? json_number_value(v) : NAN;
}

static int on_tick_peak(void *arg, const struct rr_tick *t)
{
	double *peak = arg, u = t->v[RR_TL_MEMCG_USAGE];

	if (!isnan(u) && (isnan(*peak) || u > *peak))
		*peak = u;
	return 0;
}

/* A repetition's outcome (struct cmp_repout) from its summary and timeline. */
static void rep_outcome(const struct rr_dir *d, struct cmp_repout *out)
{
	char msg[256];
	json_t *cap = rr_json_get(d->meta, "cgroup.cap_bytes");

	out->oom_kills = summary_num(d->summary, "oom_kills");
	out->oom_events = summary_num(d->summary, "memcg.oom_events");
	out->oom_kill = summary_num(d->summary, "memcg.oom_kill");
	out->duration_ns = summary_num(d->summary, "duration_ns");
	if (isnan(out->duration_ns))	/* older summaries: the asked duration */
		out->duration_ns = summary_num(d->meta, "params.duration_ns");
	out->cap_bytes = json_is_number(cap) && json_number_value(cap) > 0 ?
		json_number_value(cap) : NAN;
	out->peak_bytes = NAN;
	if (rr_read_timeline(d, on_tick_peak, &out->peak_bytes, NULL, msg, sizeof(msg)) < 0)
		out->peak_bytes = NAN;	/* no timeline: not known */
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
		struct cmp_repout *ro = d ? realloc(r->out, (r->ndirs + 1) * sizeof(*ro)) : NULL;

		if (d)
			r->dirs = d;
		if (ro)
			r->out = ro;
		if (!d || !ro) {
			snprintf(msg, len, "%s: out of memory", tok);
			ret = -ENOMEM;
			goto out;
		}
		d = &r->dirs[r->ndirs];
		ret = rr_open(tok, rr_flags, d, msg, len);
		if (ret < 0)
			goto out;
		rep_outcome(d, &r->out[r->ndirs]);
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
		ret = load_offcpu(r, d, c.dir, msg, len);
		if (ret < 0)
			goto out;
		ret = rr_read_stalls(d, on_stall, r, &st, msg, len);
		for (int u = 0; u < 2; u++) {	/* tids of one repetition only */
			su_free(r->un[u]);
			r->un[u] = NULL;
		}
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
	for (i = 0; i < r->nops; i++) {
		finish_op(&r->ops[i]);
		/* throughput needs the run's duration, and ops enough to mean a rate */
		for (int k = 0; k < r->ops[i].nreps; k++) {
			struct cmp_rep *rp = &r->ops[i].reps[k];
			double dur = r->out[rp->dir].duration_ns;

			if (rp->count >= 10 && dur > 0)
				rp->ops_s = (double)rp->count / (dur / 1e9);
		}
	}
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
			exp[i] = cmp_experiment(&runs[i].dirs[0]);
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
	for (i = 0; exp && i < n; i++)
		json_decref(exp[i]);
	for (i = 0; words && i < n; i++)
		free(words[i]);
	free(words);
	free(exp);
	json_decref(paths);
}

