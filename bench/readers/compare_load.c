/*
 * Comparison of runs, part 1: loading. cmp_load() streams each repetition's
 * ops.csv and stalls.csv into per-op and per-stall-kind histograms and one
 * summary per repetition (pass 1), then has compare_pass.c read them again
 * for the exact percentiles, so memory does not grow with the ops read.
 * Unfinished ops are counted, never sampled. What a run is (its experiment, its
 * label) is compare_label.c; the model (compare_model.c) and the renderers
 * (compare_render.c) follow.
 */
#include "compare.h"
#include "compare_impl.h"
#include "signif.h"
#include "stats.h"
#include "stallunion.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>


static int vec_push(struct cmp_vec *v, double x)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 16;
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


/* The quantiles compare_pass.c's want_ranks asks for: pass 1 keeps the
 * values around them (qs_expect), so that most runs need no later pass. */
static const float lat_q[4] = { 0.5f, 0.9f, 0.99f, 0.999f }, two_q[2] = { 0.5f, 0.99f };

/* Bytes up to a's NUL equal b's, 8 at a time while a has room words to read
 * (a within its name[]: room bytes left in it), then one at a time; b, a
 * row in the reader's buffer, may be read 8 bytes past (it has slack). */
static inline bool words_eq(const char *a, const char *b, size_t room)
{
	for (;;) {
		uint64_t x, y, z;

		if (room < 8) {
			while (*a && *a == *b)
				a++, b++;
			return *a == *b;
		}
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		z = (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
		if (z) {	/* a's NUL in this word: compare up to it, it included */
			unsigned int k = (unsigned int)__builtin_ctzll(z) + 1;

			return k == 64 ? x == y : !((x ^ y) & ((1ull << k) - 1));
		}
		if (x != y)
			return false;
		a += 8;
		b += 8;
		room -= 8;
	}
}

/* o's name is "wl/op": compared in place, op first (workloads share prefixes),
 * inline: once per row of every pass */
static inline bool op_is(const struct cmp_opstat *o, const char *wl, const char *op)
{
	const char *n = o->name + o->wlen + 1;

	const char *a = o->name, *b = wl;
	size_t left = o->wlen;
	uint64_t x, y;

	if (*n != *op || !words_eq(n, op, sizeof(o->name) - o->wlen - 1) || wl[o->wlen])
		return false;
	/* the workload: its wlen bytes, 8 at a time (name[] has room past them: the op) */
	for (; left >= 8; a += 8, b += 8, left -= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
	}
	if (!left)
		return true;
	if (o->wlen + 8 > sizeof(o->name))
		return !memcmp(a, b, left);
	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	return !((x ^ y) & ((1ull << (8 * left)) - 1));
}

struct cmp_opstat *cmp_find_op(struct loadctx *c, const char *wl, const char *op)
{
	struct cmp_run *r = c->r;
	struct cmp_opstat *o;
	size_t i;

	for (i = 0; i < r->nops; i++) {
		size_t k = c->last + i < r->nops ? c->last + i : c->last + i - r->nops;

		if (op_is(&r->ops[k], wl, op)) {
			c->last = k;
			return &r->ops[k];
		}
	}
	if (c->again)
		return NULL;
	o = realloc(r->ops, (r->nops + 1) * sizeof(*o));
	if (!o)
		return NULL;
	r->ops = o;
	o = &r->ops[r->nops];
	memset(o, 0, sizeof(*o));
	o->rep_dir = -1;
	snprintf(o->name, sizeof(o->name), "%s/%s", wl, op);
	o->wlen = strlen(wl) < sizeof(o->name) - 1 ? strlen(wl) : sizeof(o->name) - 1;
	qs_expect(&o->lat, lat_q, 4);
	qs_expect(&o->rounds, two_q, 2);
	qs_expect(&o->rep_cur, two_q, 2);
	o->node_alias = true;
	c->last = r->nops++;
	return o;
}

/* The node's slot in the op's breakdown (first seen first); -1 past CMP_MAX_NODES. */
int cmp_node_slot(struct cmp_opstat *o, int node, bool add)
{
	int k;

	for (k = 0; k < o->nnodes; k++)
		if (o->nodes[k].node == node)
			return k;
	if (!add || k == CMP_MAX_NODES)
		return -1;
	memset(&o->nodes[k], 0, sizeof(o->nodes[k]));
	o->nodes[k].node = node;
	qs_expect(&o->nodes[k].lat, two_q, 2);
	o->nnodes++;
	return k;
}

static void count_errs(struct cmp_opstat *o, const struct rr_op *op)
{
	int i;

	if (op->err[0]) {
		o->errors++;
		for (i = 0; i < o->nerr; i++)
			if (strcmp(o->err[i].name, op->err) == 0)
				break;
		if (i == o->nerr && o->nerr == CMP_MAX_ERRNAMES) {
			o->other_errs++;
		} else {
			if (i == o->nerr) {
				snprintf(o->err[i].name, sizeof(o->err[i].name), "%s", op->err);
				o->nerr++;
			}
			o->err[i].n++;
		}
		if (!strcmp(op->err, "ENOMEM"))
			o->rep_enomem++;
	}
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
}

/* Pass 1: one op into its histograms and its repetition's sums. */
static int on_op(void *arg, const struct rr_op *op)
{
	struct loadctx *c = arg;
	struct cmp_opstat *o = cmp_find_op(c, op->workload, op->op);
	uint64_t lat = op->latency_ns > CMP_LAT_MAX ? CMP_LAT_MAX : op->latency_ns;
	double d;
	int k;

	if (!o)
		return -ENOMEM;
	/* from the row after a selector lost values, each op also to the spill */
	if (!c->r->spill && (qs_spec_lost || c->spill_now))
		c->r->spill = cmp_spill_start(c->dir, c->rows);
	c->rows++;
	o->rep_dir = c->dir;
	/* An op cut at the deadline has a lower bound, not a latency. */
	if (op->flags & RR_OPF_UNFINISHED) {
		o->unfinished++;
		count_errs(o, op);
		return 0;
	}
	k = cmp_node_slot(o, op->node, true);
	if (c->r->spill)
		cmp_spill_row(c->r->spill, (size_t)(o - c->r->ops), k, lat, op->reclaim_rounds);
	/* a second node or repetition: the first one's values are lat's so far */
	if (o->node_alias && o->nnodes > 1) {
		if (qs_clone(&o->nodes[0].lat, &o->lat, two_q, 2) < 0)
			return -ENOMEM;
		o->node_alias = false;
	}
	if (o->rep0_alias && o->nreps > 0) {
		if (qs_clone(&o->rep_lat[0], &o->lat, two_q, 2) < 0)
			return -ENOMEM;
		o->rep0_alias = false;
	}
	if (qs_add(&o->lat, lat) < 0 || (o->nreps && qs_add(&o->rep_cur, lat) < 0) ||
	    qs_add(&o->rounds, op->reclaim_rounds) < 0 ||
	    (k >= 0 && !o->node_alias && qs_add(&o->nodes[k].lat, lat) < 0))
		return -ENOMEM;
	o->count++;
	d = (double)lat - o->w_mean;
	o->w_mean += d / (double)o->count;
	o->w_s2 += d * ((double)lat - o->w_mean);
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
	count_errs(o, op);
	return 0;
}


/* name is "scope/kind": compared in place (no string built per row) */
static bool stall_is(const char *name, const struct rr_stall *s)
{
	size_t n = strlen(s->scope);

	return !strncmp(name, s->scope, n) && name[n] == '/' && !strcmp(name + n + 1, s->kind_name);
}

struct cmp_stallstat *cmp_find_stall(struct cmp_run *r, const struct rr_stall *s, bool add)
{
	char name[48];
	struct cmp_stallstat *st;
	size_t i;

	for (i = 0; i < r->nstalls; i++)
		if (stall_is(r->stalls[i].name, s))
			return &r->stalls[i];
	snprintf(name, sizeof(name), "%s/%s", s->scope, s->kind_name);
	for (i = 0; i < r->nstalls; i++)	/* a name cut to the buffer */
		if (strcmp(r->stalls[i].name, name) == 0)
			return &r->stalls[i];
	if (!add)
		return NULL;
	st = realloc(r->stalls, (r->nstalls + 1) * sizeof(*st));
	if (!st)
		return NULL;
	r->stalls = st;
	memset(&st[i], 0, sizeof(*st));
	strcpy(st[i].name, name);
	qs_expect(&st[i].dur, lat_q, 4);
	r->nstalls++;
	return &st[i];
}

/* Pass 1 over stalls.csv: the run, and where each known kind of the scopes
 * "run" and "system" went (a known kind in a scope is one "scope/kind"). */
struct stall_ctx {
	struct cmp_run *r;
	int dir;		/* the repetition being read */
	uint64_t rows;		/* its rows handed to on_stall */
	size_t at[RR_STALL_NR_KINDS][2];	/* index + 1 in r->stalls; 0 not yet */
};

/* short strings, inline: once per row */
static inline bool streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int on_stall(void *arg, const struct rr_stall *s)
{
	struct stall_ctx *c = arg;
	struct cmp_run *r = c->r;
	struct cmp_stallstat *st;
	bool known;
	int sys;
	int64_t own;

	/* from the row after a stall kind's selector lost values, each to the spill */
	if (!r->sspill && qs_spec_lost)
		r->sspill = cmp_spill_start(c->dir, c->rows);
	c->rows++;
	sys = streq(s->scope, "system");
	known = s->kind >= 0 && s->kind < RR_STALL_NR_KINDS && (sys || streq(s->scope, "run"));
	if (known && c->at[s->kind][sys]) {
		st = &r->stalls[c->at[s->kind][sys] - 1];
	} else {
		st = cmp_find_stall(r, s, true);
		if (!st)
			return -ENOMEM;
		if (known)
			c->at[s->kind][sys] = (size_t)(st - r->stalls) + 1;
	}
	if (!r->un[sys] && !(r->un[sys] = su_new()))
		return -ENOMEM;
	own = su_add(r->un[sys], s->tid, s->t_start_ns, s->t_start_ns + s->duration_ns,
		     NULL, NULL);
	if (own < 0)
		return -ENOMEM;
	st->own_ns += (uint64_t)own;
	st->total_ns += s->duration_ns;
	st->rep_acc += s->duration_ns;
	if (s->nr_reclaimed >= 0) {
		st->with_count++;
		st->no_progress += s->nr_reclaimed == 0;
	}
	if (r->sspill)
		cmp_spill_row(r->sspill, (size_t)(st - r->stalls), -1, s->duration_ns, 0);
	return qs_add(&st->dur, s->duration_ns);
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

/* Closes one repetition of an op: its own summary; its percentiles come later. */
static int close_rep(struct cmp_opstat *o, int dir)
{
	size_t n = o->rep_n;
	struct cmp_rep *rp;
	struct qsel *q;

	if (!n || o->rep_dir != dir)
		goto reset;
	rp = realloc(o->reps, (size_t)(o->nreps + 1) * sizeof(*rp));
	if (rp)
		o->reps = rp;
	q = realloc(o->rep_lat, (size_t)(o->nreps + 1) * sizeof(*q));
	if (q)
		o->rep_lat = q;
	if (!rp || !q)
		return -ENOMEM;
	o->rep_lat[o->nreps] = o->rep_cur;	/* the first: empty, lat stands for it */
	memset(&o->rep_cur, 0, sizeof(o->rep_cur));
	o->rep0_alias = o->nreps == 0;
	rp = &o->reps[o->nreps++];
	rp->dir = dir;
	rp->count = n;
	rp->logmean = o->rep_logsum / (double)n;
	rp->mean = o->rep_sum / (double)n;
	rp->p50 = NAN;		/* cmp_load: after the last pass */
	rp->rounds = o->rep_rounds / (double)n;
	rp->stall = o->rep_stall / (double)n;
	rp->sleep = o->rep_sleep_n ? o->rep_sleep / (double)o->rep_sleep_n : NAN;
	memset(rp->site_ns, 0, sizeof(rp->site_ns));
	rp->sites_known = false;
	rp->p99 = NAN;
	rp->ops_s = NAN;	/* cmp_load: once the run's duration is known */
	rp->killed = (double)o->rep_killed;
	rp->null = (double)o->rep_null;
	rp->enomem = (double)o->rep_enomem;
reset:
	qs_free(&o->rep_cur);
	qs_expect(&o->rep_cur, two_q, 2);
	o->rep_sum = o->rep_logsum = o->rep_rounds = o->rep_stall = o->rep_sleep = 0.0;
	o->rep_n = o->rep_sleep_n = o->rep_killed = o->rep_null = o->rep_enomem = 0;
	return 0;
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
		struct cmp_opstat *o = &r->ops[i];

		qs_free(&o->lat);
		qs_free(&o->rounds);
		qs_free(&o->rep_cur);
		for (d = 0; o->rep_lat && d < o->nreps; d++)
			qs_free(&o->rep_lat[d]);
		free(o->rep_lat);
		for (d = 0; d < o->nnodes; d++)
			qs_free(&o->nodes[d].lat);
		free(o->reps);
	}
	free(r->ops);
	for (i = 0; i < r->nstalls; i++) {
		qs_free(&r->stalls[i].dur);
		vec_free(&r->stalls[i].rep_total);
	}
	free(r->stalls);
	for (d = 0; d < r->ndirs; d++)
		rr_close(&r->dirs[d]);
	free(r->dirs);
	free(r->out);
	for (d = 0; d < 2; d++)
		su_free(r->un[d]);
	json_decref(r->exp);
	cmp_spill_free(r->spill);
	cmp_spill_free(r->sspill);
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

int cmp_load(struct cmp_run *r, const char *spec, unsigned int flags, char *msg, size_t len)
{
	unsigned int rr_flags = flags & ~CMP_LOAD_CDF;
	char *copy = strdup(spec), *save = NULL, *tok;
	struct loadctx c = { .r = r };
	struct stall_ctx sc;
	struct rr_csv_stats st;
	size_t i;
	int ret = 0;
	bool lost, lost_st = false;

	memset(r, 0, sizeof(*r));
	c.r = r;
	c.spill_now = flags & CMP_LOAD_CDF;	/* a CDF's ranks are never all kept */
	qs_spec_lost = false;
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
		c.rows = 0;
		ret = rr_read_ops_lean(d, on_op, &c, &st, msg, len);
		if (ret == -ENOMEM)
			snprintf(msg, len, "%s: out of memory reading ops.csv", tok);
		if (ret < 0)
			goto out;
		if (r->spill)
			cmp_spill_dir_end(r->spill, c.dir);
		lost = qs_spec_lost;	/* the ops' selectors': the stall kinds' apart */
		qs_spec_lost = lost_st;
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
		memset(&sc, 0, sizeof(sc));
		sc.r = r;
		sc.dir = c.dir;
		ret = rr_read_stalls_lean(d, on_stall, &sc, &st, msg, len);
		if (ret == 0 && r->sspill)
			cmp_spill_dir_end(r->sspill, c.dir);
		lost_st = qs_spec_lost;
		qs_spec_lost = lost;
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
	ret = cmp_more_passes(r, flags, msg, len);
	cmp_spill_free(r->spill);
	cmp_spill_free(r->sspill);
	r->spill = r->sspill = NULL;
	if (ret < 0)
		goto out;
	for (i = 0; i < r->nops; i++) {
		cmp_finish_op(&r->ops[i]);
		/* throughput needs the run's duration, and ops enough to mean a rate */
		for (int k = 0; k < r->ops[i].nreps; k++) {
			struct cmp_rep *rp = &r->ops[i].reps[k];
			double dur = r->out[rp->dir].duration_ns;

			if (rp->count >= 10 && dur > 0)
				rp->ops_s = (double)rp->count / (dur / 1e9);
		}
	}
	for (i = 0; i < r->nstalls; i++) {
		while (r->stalls[i].rep_total.n < (size_t)r->ndirs)
			if (vec_push(&r->stalls[i].rep_total, 0.0) < 0) {
				ret = -ENOMEM;
				snprintf(msg, len, "%s: out of memory", spec);
				goto out;
			}
	}
	r->exp = cmp_experiment(&r->dirs[0]);	/* the labels' and the model's */
out:
	free(copy);
	if (ret < 0)
		cmp_run_free(r);
	return ret;
}
