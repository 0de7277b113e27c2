/*
 * Result writing: ops.csv and stalls.csv row by row (columns and names from
 * the schema part: stall kinds, round sources, errno and flag names), the
 * aggregates summary.json is made of, the folded stacks, the live status,
 * and meta.json first (incomplete) and last (with how the run ended). Every
 * write is checked: the first file that fails (a full disk) stops the run,
 * and room kept at the start lets meta.json still say which and why.
 */
#include "run_impl.h"
#include "resultio.h"
#include "rowwrite.h"
#include "rfile.h"
#include "runstatus.h"
#include "waitsite.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- rows and aggregates ------------------------------------------------- */

/* key -> its count (or weight) plus n, in an object of counters. */
static void count_in(json_t *o, const char *key, json_int_t n)
{
	json_t *v = json_object_get(o, key);

	json_object_set_new(o, key, json_integer((v ? json_integer_value(v) : 0) + n));
}

void results_count_stack(json_t *o, const char *wl, const char *op, const char *stack,
			 uint64_t ns)
{
	size_t n = strlen(wl) + strlen(op) + strlen(stack) + 3;
	char *k = malloc(n);

	if (!k)
		return;
	snprintf(k, n, "%s/%s;%s", wl, op, stack);
	count_in(o, k, (json_int_t)ns);
	free(k);
}

/* The op's sleeps into its kind's sites and the flame graph's stacks. */
static void agg_sleeps(struct runner *r, const struct oprec *o, const struct attrib_op *at,
		       struct opagg *a)
{
	char key[512];

	if (!a->sites && !(a->sites = json_object()))
		return;
	for (uint32_t i = 0; i < at->nsleeps; i++) {
		const struct attrib_sleep *s = &at->sleeps[i];
		bool again = false;
		json_t *v;

		for (uint32_t j = 0; j < i; j++)
			again |= at->sleeps[j].site == s->site && at->sleeps[j].waker == s->waker;
		snprintf(key, sizeof(key), "%s\t%s", s->site, s->waker);
		v = json_object_get(a->sites, key);
		if (!v) {
			v = json_pack("[I,I,I]", (json_int_t)0, (json_int_t)0, (json_int_t)0);
			json_object_set_new(a->sites, key, v);
		}
		json_array_set_new(v, 0, json_integer(json_integer_value(json_array_get(v, 0)) +
						      s->n));
		json_array_set_new(v, 1, json_integer(json_integer_value(json_array_get(v, 1)) +
						      (json_int_t)s->ns));
		if (!again)
			json_array_set_new(v, 2, json_integer(json_integer_value(
						json_array_get(v, 2)) + 1));
		if (r->offcpu_stacks && s->ns)
			results_count_stack(r->offcpu_stacks, r->cfg->wl[o->wl].w->name,
					    wl_op_name(r->cfg->wl[o->wl].w, o->op), s->stack, s->ns);
	}
	a->sl_in_stall += at->sleep_in_stall_ns;
	a->sl_more += at->sleep_more_ns;
	if (o->have_sched) {
		uint64_t asleep = rr_sleep_ns(o->latency_ns, o->cpu_ns, o->runq_ns);

		a->sl_unseen += asleep > at->sleep_seen_ns ? asleep - at->sleep_seen_ns : 0;
	}
}

static void agg_op(struct runner *r, const struct oprec *o, const struct attrib_op *at,
		   bool nofail_known)
{
	uint64_t stall_ns = at->stall_ns;
	uint32_t rounds = at->reclaim_rounds;
	struct opagg *a;
	unsigned int k;

	if (o->wl >= r->cfg->nr_wl || o->op >= MAX_OPS_PER_WL)
		return;
	a = &r->agg[o->wl][o->op];
	a->count++;
	for (k = 0; k < RSRC_NR; k++)
		a->src[k] += at->src[k];
	a->with_nofail += at->src[RSRC_NOFAIL] > 0;
	a->nofail_ops += nofail_known;
	if (!(o->flags & OPF_UNFINISHED))
		hist_add(&a->lat, o->latency_ns);
	if (o->have_sched) {
		uint64_t slept = rr_sleep_ns(o->latency_ns, o->cpu_ns, o->runq_ns);

		a->sched_n++;
		a->cpu_ns += o->cpu_ns;
		a->runq_ns += o->runq_ns;
		a->sleep_ns += slept;
		hist_add(&a->sleep, slept);
	}
	hist_add(&a->stall, stall_ns);
	hist_add(&a->rounds, rounds);
	a->stalled += stall_ns > 0;
	if (r->offcpu)
		agg_sleeps(r, o, at, a);
	if (r->oncpu)
		oncpu_agg(r, o, at, a);
	for (k = 0; k < 8; k++)
		a->flags[k] += !!(o->flags & (1u << k));
	if (o->flags & OPF_MISMATCH)
		r->mismatches++;
	if (!o->err)
		return;
	for (k = 0; k < MAX_ERRS; k++) {
		if (a->errs[k].e == o->err || !a->errs[k].e) {
			a->errs[k].e = o->err;
			a->errs[k].n++;
			return;
		}
	}
}

/*
 * The op's NOFAIL allocations: its counters' reading (exact). An op without
 * one (unfinished, or a row from a module's log) has the records' count when
 * they are on (--callchain: every allocation also went to the rings, and the
 * attribution counted those inside the op's window), else none: false. With
 * both, the two are summed side by side (the cross-check in summary.json).
 */
static bool nofail_of(struct runner *r, const struct oprec *o, bool attributed, uint32_t *n)
{
	bool records = r->nofail_mode && strstr(r->nofail_mode, "records") && attributed;

	if (!r->nofail)
		return false;
	if (o->have_nofail) {
		if (records) {
			r->nofail_cross.ops++;
			r->nofail_cross.counters += o->nofail;
			r->nofail_cross.records += *n;
		}
		*n = o->nofail > UINT32_MAX ? UINT32_MAX : (uint32_t)o->nofail;
		return true;
	}
	r->nofail_uncounted++;
	if (records)
		return true;
	*n = 0;
	return false;
}

void results_op(struct runner *r, const struct oprec *o, const struct attrib_op *at)
{
	static const struct attrib_op none;
	struct rr_op row = {
		.t_start_ns = o->t_start_ns, .latency_ns = o->latency_ns, .bytes = o->bytes,
		.kernel_ns = o->kernel_ns, .tid = o->tid, .worker = o->worker, .node = o->node,
		.landed_node = o->landed_node, .flags = o->flags,
		.have_sched = o->have_sched, .cpu_ns = o->cpu_ns, .runq_ns = o->runq_ns,
		.workload = r->cfg->wl[o->wl].w->name, .op = wl_op_name(r->cfg->wl[o->wl].w, o->op),
		.err = o->err ? errno_name(o->err) : "",
	};

	struct attrib_op mine;
	bool known;

	if (!at)
		at = &none;
	mine = *at;
	known = nofail_of(r, o, at != &none, &mine.src[RSRC_NOFAIL]);
	row.stall_ns = at->stall_ns;
	row.reclaim_rounds = at->reclaim_rounds;
	for (unsigned int k = 0; k < RSRC_NR; k++) {
		row.src[k] = mine.src[k];
		row.have_src[k] = k != RSRC_NOFAIL || known;	/* not counted is not none */
	}
	rr_write_op(r->ops_f, &row);
	r->rows++;
	agg_op(r, o, &mine, known);
}

/* The capture's kinds and the rows' are stallkind.h's, in its order: a row's
 * kind is the capture's, and sagg[] is indexed by either. */
#define X(e, n) _Static_assert((int)STALL_##e == (int)RR_STALL_##e, "stall kind " n " differs");
SB_STALL_KINDS(X)
#undef X
_Static_assert((int)STALL_NR_KINDS == (int)RR_STALL_NR_KINDS, "capture and rows count kinds apart");

void results_stall(struct runner *r, const struct stall *s, bool mine)
{
	struct stallagg *a = &r->sagg[mine ? 0 : 1][s->kind < STALL_NR_KINDS ? s->kind : 0];

	rr_write_stall(r->stalls_f, &(struct rr_stall){
		.t_start_ns = s->t_start_ns, .duration_ns = s->duration_ns, .tid = s->tid,
		.cpu = (int32_t)s->cpu, .nr_reclaimed = s->nr_reclaimed, .order = s->order,
		.kind_name = stall_kind_name(s->kind), .gfp = s->gfp_names,
		.scope = mine ? "run" : "system", .note = s->unpaired ? "unpaired" : "",
		.reason = s->reason ? s->reason : "" });
	if (s->unpaired) {
		a->unpaired++;
		r->unpaired++;
	} else {
		hist_add(&a->dur, s->duration_ns);
		a->zero_ns += !s->duration_ns;
	}
	if (s->reason) {
		if (!a->reasons)
			a->reasons = json_object();
		count_in(a->reasons, s->reason, 1);
	}
	if (s->nr_reclaimed >= 0) {
		a->with_count++;
		a->reclaimed += (uint64_t)s->nr_reclaimed;
		a->no_progress += s->nr_reclaimed == 0;
	}
	if (s->stack && r->stacks)
		count_in(r->stacks, s->stack, (json_int_t)s->duration_ns);
}

/*
 * Who the OOM killer picked: a worker of this run (which), the driver itself
 * (must never happen: oom_score_adj -1000), or another task of the machine
 * (a global OOM, or a cap that let the run push others out). Kept for the
 * first 1000; the count is exact.
 */
static void note_victim(struct runner *r, const struct point *p, bool trigger_is_worker)
{
	pid_t pid = (pid_t)p->arg;
	const char *who = pid == getpid() ? "driver" : "other";
	json_t *o;

	r->nvictims++;
	if (!r->victims || json_array_size(r->victims) >= 1000)
		return;
	o = json_pack("{s:I,s:i}", "t_ns", (json_int_t)(p->t_ns > r->t0 ? p->t_ns - r->t0 : 0),
		      "pid", (int)pid);
	for (unsigned int i = 0; i < r->nw; i++)
		if (r->w[i].pid == pid) {
			who = "worker";
			json_object_set_new(o, "workload",
					    json_string(r->cfg->wl[r->w[i].wl].w->name));
			json_object_set_new(o, "worker", json_integer(r->w[i].idx));
		}
	json_object_set_new(o, "who", json_string(who));
	if (p->victim) {
		if (p->victim->comm[0])
			json_object_set_new(o, "comm", json_string(p->victim->comm));
		if (p->victim->rss_kb >= 0)
			json_object_set_new(o, "rss_kb", json_integer((json_int_t)p->victim->rss_kb));
		if (p->victim->oom_score_adj != INT32_MIN)
			json_object_set_new(o, "oom_score_adj", json_integer(p->victim->oom_score_adj));
	}
	json_object_set_new(o, "killer_tid", json_integer(p->tid));
	json_object_set_new(o, "killer", json_string(trigger_is_worker ? "worker" : "other"));
	json_array_append_new(r->victims, o);
}

void results_point(struct runner *r, const struct point *p, bool mine)
{
	r->points[mine ? 0 : 1][p->kind < POINT_NR_KINDS ? p->kind : POINT_OTHER]++;
	if (p->kind == POINT_NOFAIL && mine && p->stack && r->nofail_stacks)
		count_in(r->nofail_stacks, p->stack, 1);
	if (p->kind == POINT_MARK_VICTIM)
		note_victim(r, p, mine);
}

/* --- write errors and the reserve ---------------------------------------- */

bool results_io_failed(struct runner *r, struct rfile *f, const char *name, int err,
		       const char *op)
{
	if (f) {
		err = rf_error(f);
		op = rf_failed_op(f);
		name = rf_name(f);
	}
	if (err && !r->io.err) {
		r->io.err = err;
		r->io.op = op;
		r->io.rows = r->rows;
		snprintf(r->io.file, sizeof(r->io.file), "%s", name);
	}
	return r->io.err != 0;
}

bool results_any_io_failed(struct runner *r)
{
	results_io_failed(r, r->ops, NULL, 0, NULL);
	results_io_failed(r, r->stalls, NULL, 0, NULL);
	results_io_failed(r, r->tl.rf, NULL, 0, NULL);
	return r->io.err != 0;
}

/*
 * Room kept for the last words: a file of RESERVE_BYTES made at the start and
 * removed when a result file fails, so that meta.json (saying which file and
 * why) and summary.json still fit on a disk the rows have filled.
 */
#define RESERVE_BYTES	(256u << 10)
#define RESERVE_NAME	".reserve"

static void reserve_make(const char *dir)
{
	char p[PATH_MAX + 32], z[4096] = { 0 };
	int fd;

	snprintf(p, sizeof(p), "%s/" RESERVE_NAME, dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (fallocate(fd, 0, 0, RESERVE_BYTES)) {
		/* no fallocate here (9p, some FUSE): real blocks, written */
		for (unsigned int off = 0; off < RESERVE_BYTES; off += sizeof(z))
			if (write(fd, z, sizeof(z)) != (ssize_t)sizeof(z))
				break;
	}
	close(fd);
}

static void reserve_drop(const char *dir)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/" RESERVE_NAME, dir);
	unlink(p);
}

/* --- the files ----------------------------------------------------------- */

static FILE *open_csv(struct runner *r, struct rfile **rf, const char *name,
		      void (*header)(FILE *f))
{
	int ret = rf_open(r->cfg->out, name, r->cfg->compress, r->cfg->compress_above, rf);

	if (ret) {
		errno = -ret;
		return NULL;
	}
	header(rf_stream(*rf));
	/* the header on disk now: a file that fills up later still has it */
	rf_flush(*rf, true);
	return rf_stream(*rf);
}

void results_live(struct runner *r, bool end)
{
	static uint64_t last;
	char dir[PATH_MAX];
	uint64_t now = now_ns();
	json_t *s;

	if (end) {
		runstatus_remove(getpid());
		return;
	}
	if (now - last < 1000000000ull || !realpath(r->cfg->out, dir))
		return;
	last = now;
	s = runjson_live(r, dir, r->cap ? (int64_t)capture_lost(r->cap, NULL, 0) : -1);
	if (!s)
		return;
	runstatus_write(getpid(), s);
	json_decref(s);
}

int results_begin(struct runner *r)
{
	struct run_cfg *c = r->cfg;
	const char *gnames[RUN_MAX_GROUPS];
	const struct sb_cgroup *gcgs[RUN_MAX_GROUPS];

	/* meta.json first, marked incomplete: a crash from here on leaves that. */
	r->meta = runjson_meta(r);
	if (json_write_atomic(c->out, "meta.json", r->meta)) {
		fprintf(stderr, "stallbench: cannot write %s/meta.json\n", c->out);
		return -1;
	}
	results_live(r, false);
	for (unsigned int g = 0; g < c->nr_groups; g++) {
		gnames[g] = c->groups[g].name;
		gcgs[g] = &c->groups[g].cg;
	}
	reserve_make(c->out);
	r->ops_f = open_csv(r, &r->ops, "ops.csv", rr_ops_header);
	r->stalls_f = open_csv(r, &r->stalls, "stalls.csv", rr_stalls_header);
	if (!r->ops_f || !r->stalls_f ||
	    timeline_open(&r->tl, c->out, r->t0, &r->cg, c->nr_groups, gnames, gcgs)) {
		fprintf(stderr, "stallbench: cannot create result files in %s: %s\n", c->out,
			strerror(errno));
		return -1;
	}
	return 0;
}

int results_close(struct runner *r, int rc)
{
	rf_close(r->ops, true);
	rf_close(r->stalls, true);
	results_any_io_failed(r);
	if (timeline_close(&r->tl))
		results_io_failed(r, NULL, "timeline.csv", r->tl.err, r->tl.err_op);
	if (r->io.err && r->meta) {
		/* complete files are never claimed: status stays or becomes incomplete */
		r->status = "incomplete";
		rc = 1;
	}
	return rc;
}

/* --- the last words ------------------------------------------------------ */

/* A folded-stacks file (flamegraph input): stack, space, weight. */
void results_write_folded(struct runner *r, const char *name, json_t *stacks)
{
	struct rfile *f;
	const char *k;
	json_t *v;
	int ret;

	if (!stacks)
		return;
	ret = rf_open(r->cfg->out, name, RF_PLAIN, 0, &f);
	if (ret) {
		results_io_failed(r, NULL, name, ret, "open");
		return;
	}
	json_object_foreach(stacks, k, v)
		fprintf(rf_stream(f), "%s %lld\n", k, (long long)json_integer_value(v));
	rf_close(f, true);
	results_io_failed(r, f, NULL, 0, NULL);
	rf_free(f);
}

/* offcpu.csv: every op kind's sleep by site and waker, then its two reserved rows. */
static void write_offcpu(struct runner *r)
{
	struct rfile *f;
	int ret;

	if (!r->offcpu)
		return;
	ret = rf_open(r->cfg->out, "offcpu.csv", RF_PLAIN, 0, &f);
	if (ret) {
		results_io_failed(r, NULL, "offcpu.csv", ret, "open");
		return;
	}
	rr_offcpu_header(rf_stream(f));
	for (unsigned int i = 0; i < r->cfg->nr_wl; i++) {
		const struct workload *w = r->cfg->wl[i].w;

		for (unsigned int k = 0; w->op_names[k] && k < MAX_OPS_PER_WL; k++) {
			const struct opagg *a = &r->agg[i][k];
			struct rr_offcpu row = { .workload = w->name, .op = w->op_names[k] };
			char site[256];
			const char *key;
			json_t *v;

			if (!a->count)
				continue;
			json_object_foreach(a->sites, key, v) {
				const char *tab = strchr(key, '\t');

				snprintf(site, sizeof(site), "%.*s", (int)(tab - key), key);
				row.site = site;
				row.waker = tab + 1;
				row.sleeps = (uint64_t)json_integer_value(json_array_get(v, 0));
				row.sleep_ns = (uint64_t)json_integer_value(json_array_get(v, 1));
				row.ops = (uint64_t)json_integer_value(json_array_get(v, 2));
				rr_write_offcpu(rf_stream(f), &row);
			}
			row.waker = "";
			row.sleeps = row.ops = 0;
			row.site = SB_SITE_IN_STALL;
			row.sleep_ns = a->sl_in_stall;
			rr_write_offcpu(rf_stream(f), &row);
			row.site = SB_SITE_UNSEEN;
			row.sleep_ns = a->sl_unseen;
			rr_write_offcpu(rf_stream(f), &row);
		}
	}
	rf_close(f, true);
	results_io_failed(r, f, NULL, 0, NULL);
	rf_free(f);
}

static void set_io_error(struct runner *r)
{
	json_object_set_new(r->meta, "status", json_string("incomplete"));
	json_object_set_new(r->meta, "error", runjson_io_error(r));
}

/* What the capture says at the end: the traced set and the lost events. */
static void capture_facts(struct runner *r)
{
	if (!r->cap)
		return;
	r->capf.ncpu = capture_nr_cpus(r->cap);
	if (r->capf.ncpu > MAX_LOST_CPUS)
		r->capf.ncpu = MAX_LOST_CPUS;
	r->capf.lost = capture_lost(r->cap, r->capf.per_cpu, r->capf.ncpu);
	r->capf.events = capture_events(r->cap);
}

int results_finish(struct runner *r, int rc)
{
	const char *out = r->cfg->out;
	json_t *s;
	int ret;

	if (!r->meta)
		return rc;
	if (!r->t_end)
		r->t_end = now_ns();
	json_object_set_new(r->meta, "end_ns", json_integer((json_int_t)r->t_end));
	json_object_set_new(r->meta, "go_ns", json_integer((json_int_t)r->t_go));
	if (r->io.err) {
		/* meta.json first, into the room the reserve leaves: it says why */
		reserve_drop(out);
		set_io_error(r);
		if ((ret = json_write_atomic(out, "meta.json", r->meta)))
			fprintf(stderr, "stallbench: %s/meta.json: %s\n", out, strerror(-ret));
	}
	capture_facts(r);
	s = runjson_summary(r);
	ret = json_write_atomic(out, "summary.json", s);
	json_decref(s);
	if (ret)
		results_io_failed(r, NULL, "summary.json", ret, "write");
	/* stacks.folded weighs stall time (ns), nofail_stacks.folded NOFAIL allocations (count) */
	results_write_folded(r, "stacks.folded", r->stacks);
	results_write_folded(r, "nofail_stacks.folded", r->nofail_stacks);
	/* offcpu_stacks.folded weighs time asleep outside stalls (ns), rooted at workload/op */
	results_write_folded(r, "offcpu_stacks.folded", r->offcpu_stacks);
	write_offcpu(r);
	oncpu_write(r);
	if (r->io.err) {
		r->status = "incomplete";
		rc = 1;
		set_io_error(r);
	}
	json_object_set_new(r->meta, "status", json_string(r->status));
	reserve_drop(out);
	if ((ret = json_write_atomic(out, "meta.json", r->meta)) && !r->io.err) {
		fprintf(stderr, "stallbench: %s/meta.json: %s\n", out, strerror(-ret));
		rc = 1;
	}
	results_live(r, true);
	return rc;
}

void results_free(struct runner *r)
{
	rf_free(r->ops);
	rf_free(r->stalls);
	json_decref(r->meta);
	json_decref(r->stacks);
	json_decref(r->nofail_stacks);
	json_decref(r->offcpu_stacks);
	json_decref(r->oncpu_stacks);
	json_decref(r->victims);
	for (unsigned int i = 0; i < RUN_MAX_WL; i++)
		for (unsigned int k = 0; k < MAX_OPS_PER_WL; k++) {
			json_decref(r->agg[i][k].sites);
			json_decref(r->agg[i][k].cpu_sites);
			hist_free(&r->agg[i][k].lat);
			hist_free(&r->agg[i][k].stall);
			hist_free(&r->agg[i][k].rounds);
			hist_free(&r->agg[i][k].sleep);
		}
	for (int s = 0; s < 2; s++)
		for (int k = 0; k < STALL_NR_KINDS; k++) {
			hist_free(&r->sagg[s][k].dur);
			json_decref(r->sagg[s][k].reasons);
		}
}
