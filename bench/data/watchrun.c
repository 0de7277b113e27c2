/*
 * A run followed while it is written (see watchrun.h). The cost of a
 * refresh is the bytes appended since the last one: the tails keep their
 * offsets, and what is kept per run is bounded (a ring of recent latencies
 * per workload, a log histogram for the whole run, stall time in 100 ms bins
 * of run time, allocated per kind only once a kind is seen).
 */
#include "watchrun.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "monoclock.h"
#include "runstatus.h"
#include "stallunion.h"

#define WR_MAX_BINS	(24ull * 3600 * 1000000000ull / WR_BIN_NS)	/* a day of run time */
#define WR_LAG_NS	300000000ull	/* stalls reach the file this late (capture horizon) */

static void wr_err(struct watchrun *w, const char *msg)
{
	snprintf(w->err, sizeof(w->err), "%s", msg);
}

int wr_init(struct watchrun *w, const char *dir)
{
	const char *b;
	size_t n;

	memset(w, 0, sizeof(*w));
	if (strlen(dir) >= sizeof(w->dir))
		return -ENAMETOOLONG;
	strcpy(w->dir, dir);
	n = strlen(w->dir);
	while (n > 1 && w->dir[n - 1] == '/')
		w->dir[--n] = '\0';
	b = strrchr(w->dir, '/');
	snprintf(w->name, sizeof(w->name), "%s", b ? b + 1 : w->dir);
	w->state = WR_WAITING;
	w->go_rel = -1;
	w->lost = -1;
	return 0;
}

void wr_free(struct watchrun *w)
{
	for (int i = 0; i < 3; i++)
		rr_tail_free(w->tail[i]);
	for (unsigned int i = 0; i < w->nwl; i++) {
		free(w->wl[i].rec_end);
		free(w->wl[i].rec_lat);
	}
	for (int s = 0; s < 2; s++)
		for (int k = 0; k <= RR_STALL_NR_KINDS; k++) {
			free(w->bins[s][k].ns);
			free(w->bins[s][k].rows);
		}
	for (int s = 0; s < 2; s++)
		su_free(w->un[s]);
	if (w->opened)
		rr_close(&w->d);
	memset(w, 0, sizeof(*w));
}

static uint64_t jnum(json_t *root, const char *path)
{
	json_t *v = rr_json_get(root, path);

	if (json_is_integer(v) && json_integer_value(v) > 0)
		return (uint64_t)json_integer_value(v);
	return 0;
}

/* A remote run is taken as gone when none of its files grew for this long
 * (its timeline gets a row every 100 ms). */
#define WR_REMOTE_STALE_NS (10 * 1000000000ull)

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* Made on this machine, in this boot? meta host.boot_id when it has one
 * (a lab guest shares no pid space with its host), else the hostname. */
static bool made_here(json_t *meta)
{
	const char *bid = json_string_value(rr_json_get(meta, "host.boot_id"));
	const char *hn = json_string_value(rr_json_get(meta, "host.hostname"));
	char mine[256];

	if (bid) {
		read_line("/proc/sys/kernel/random/boot_id", mine, sizeof(mine));
		return !strcmp(bid, mine);
	}
	if (hn && !gethostname(mine, sizeof(mine) - 1)) {
		mine[sizeof(mine) - 1] = '\0';
		return !strcmp(hn, mine);
	}
	return true;
}

/* The bytes of its growing files: a remote run is alive while they change. */
static long long run_bytes(const struct watchrun *w)
{
	static const char *const f[] = { "timeline.csv", "ops.csv", "ops.csv.zst",
					 "stalls.csv", "stalls.csv.zst" };
	char path[4200];
	struct stat st;
	long long n = 0;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", w->dir, f[i]);
		if (!stat(path, &st))
			n += (long long)st.st_size;
	}
	return n;
}

/* Opens the directory once its meta.json and ops.csv are there. */
static int wr_open(struct watchrun *w)
{
	char msg[512];
	int ret;

	ret = rr_open(w->dir, RR_ALLOW_INCOMPLETE, &w->d, msg, sizeof(msg));
	if (ret < 0) {
		wr_err(w, msg);
		return ret;
	}
	w->opened = true;
	w->err[0] = '\0';
	w->start_ns = w->d.start_ns;
	w->pid = (pid_t)jnum(w->d.meta, "pid");
	w->remote = !made_here(w->d.meta);
	w->seen_bytes = -1;
	w->duration_ns = jnum(w->d.meta, "params.duration_ns");
	w->cap = jnum(w->d.meta, "cgroup.cap_bytes");
	if (!w->cap)
		w->cap = jnum(w->d.meta, "params.cap_bytes");
	{
		json_t *wls = rr_json_get(w->d.meta, "params.workloads"), *x;
		size_t i;

		json_array_foreach(wls, i, x)
			w->workers += (unsigned int)jnum(x, "workers");
	}
	for (int i = 0; i < 3; i++) {
		ret = rr_tail_new(&w->d, (enum rr_file)i, &w->tail[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---- rows ---- */

static unsigned int hbucket(uint64_t v)
{
	unsigned int e;

	if (v < 8)
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v);
	return e * 8 + (unsigned int)((v >> (e - 3)) & 7);
}

static double hvalue(unsigned int b)
{
	unsigned int e = b / 8, sub = b % 8;

	if (b < 24)
		return b;
	return ((double)(8 + sub) + 0.5) * ldexp(1.0, (int)e - 3);
}

static double hist_pct(const uint64_t *h, uint64_t n, double q)
{
	uint64_t rank = (uint64_t)ceil(q * (double)n), c = 0;

	if (!n)
		return NAN;
	if (rank < 1)
		rank = 1;
	for (unsigned int b = 0; b < WR_HBUCKETS; b++) {
		c += h[b];
		if (c >= rank)
			return hvalue(b);
	}
	return NAN;
}

static struct wr_wl *wl_of(struct watchrun *w, const char *name)
{
	struct wr_wl *x;

	for (unsigned int i = 0; i < w->nwl; i++)
		if (strcmp(w->wl[i].name, name) == 0)
			return &w->wl[i];
	if (w->nwl == WR_MAX_WL)
		return NULL;
	x = &w->wl[w->nwl];
	memset(x, 0, sizeof(*x));
	x->rec_end = calloc(WR_RECENT, sizeof(uint64_t));
	x->rec_lat = calloc(WR_RECENT, sizeof(uint64_t));
	if (!x->rec_end || !x->rec_lat) {
		free(x->rec_end);
		free(x->rec_lat);
		return NULL;
	}
	snprintf(x->name, sizeof(x->name), "%s", name);
	w->nwl++;
	return x;
}

static uint64_t rel(const struct watchrun *w, uint64_t t)
{
	return t > w->start_ns ? t - w->start_ns : 0;
}

static int on_op(void *arg, const struct rr_op *op)
{
	struct watchrun *w = arg;
	struct wr_wl *x = wl_of(w, op->workload);
	uint64_t i;

	if (!x)
		return 0;
	x->ops++;
	if (op->err[0])
		x->errors++;
	if (op->flags & RR_OPF_KILLED)
		snprintf(w->killed_victim, sizeof(w->killed_victim), "%s worker %d",
			 op->workload, op->worker);
	/* An unfinished op's latency is only a lower bound: in no distribution. */
	if (op->flags & RR_OPF_UNFINISHED)
		return 0;
	x->hist[hbucket(op->latency_ns)]++;
	i = x->rec_n++ % WR_RECENT;
	x->rec_end[i] = rel(w, op->t_start_ns + op->latency_ns);
	x->rec_lat[i] = op->latency_ns;
	return 0;
}

/* Makes room for bins [0, n) of one (scope, kind). 0 or -ENOMEM. */
static int bins_grow(struct watchrun *w, uint64_t n)
{
	uint64_t nn;

	if (n <= w->nbins)
		return 0;
	nn = w->nbins ? w->nbins : 1024;
	while (nn < n)
		nn *= 2;
	for (int s = 0; s < 2; s++)
		for (int k = 0; k <= RR_STALL_NR_KINDS; k++) {
			struct wr_kindbins *b = &w->bins[s][k];
			uint64_t *a, *r;

			if (!b->ns)
				continue;
			a = realloc(b->ns, nn * sizeof(*a));
			if (!a)
				return -ENOMEM;
			b->ns = a;
			r = realloc(b->rows, nn * sizeof(*r));
			if (!r)
				return -ENOMEM;
			b->rows = r;
			memset(a + w->nbins, 0, (nn - w->nbins) * sizeof(*a));
			memset(r + w->nbins, 0, (nn - w->nbins) * sizeof(*r));
		}
	w->nbins = nn;
	return 0;
}

struct piece_ctx {
	struct watchrun *w;
	struct wr_kindbins *b;
};

/* A piece of a stall that counts, spread over the bins it covers. */
static void on_piece(void *arg, uint64_t a, uint64_t b)
{
	struct piece_ctx *p = arg;

	for (uint64_t t = rel(p->w, a), t1 = rel(p->w, b); t < t1;) {
		uint64_t end = (t / WR_BIN_NS + 1) * WR_BIN_NS;

		if (end > t1)
			end = t1;
		p->b->ns[t / WR_BIN_NS] += end - t;
		t = end;
	}
}

static int on_stall(void *arg, const struct rr_stall *st)
{
	struct watchrun *w = arg;
	int s = strcmp(st->scope, "run") == 0 ? 0 : 1;
	int k = st->kind >= 0 && st->kind < RR_STALL_NR_KINDS ? st->kind : RR_STALL_NR_KINDS;
	struct wr_kindbins *b = &w->bins[s][k];
	uint64_t t0 = rel(w, st->t_start_ns), t1 = t0 + st->duration_ns;
	struct piece_ctx pc = { w, b };
	int64_t own;

	if (!w->un[s] && !(w->un[s] = su_new()))
		return -ENOMEM;
	if (s == 0)
		w->stall_rows_total++;
	if (t1 / WR_BIN_NS >= WR_MAX_BINS) {
		own = su_add(w->un[s], st->tid, st->t_start_ns,
			     st->t_start_ns + st->duration_ns, NULL, NULL);
		if (own < 0)
			return -ENOMEM;
		w->stall_total[s][k] += (uint64_t)own;
		return 0;
	}
	if (!b->ns) {
		b->ns = calloc(w->nbins ? w->nbins : 1, sizeof(uint64_t));
		b->rows = calloc(w->nbins ? w->nbins : 1, sizeof(uint64_t));
		if (!b->ns || !b->rows)
			return -ENOMEM;
	}
	if (bins_grow(w, t1 / WR_BIN_NS + 1))
		return -ENOMEM;
	b->rows[t0 / WR_BIN_NS]++;
	/* Its own time (not inside an outer stall of its task), spread over the bins. */
	own = su_add(w->un[s], st->tid, st->t_start_ns,
		     st->t_start_ns + st->duration_ns, on_piece, &pc);
	if (own < 0)
		return -ENOMEM;
	w->stall_total[s][k] += (uint64_t)own;
	return 0;
}

static int on_tick(void *arg, const struct rr_tick *t)
{
	struct watchrun *w = arg;
	double u = t->v[RR_TL_MEMCG_USAGE];

	if (!w->have_tick) {
		w->first = *t;
		w->have_tick = true;
		w->go_rel = (int64_t)t->v[RR_TL_T_NS];
	}
	w->last = *t;
	if (!isnan(u) && u > w->peak_usage)
		w->peak_usage = u;
	return 0;
}

static void victim_of(json_t *v, char *buf, size_t len)
{
	const char *comm = rr_json_str(v, "comm"), *wl = rr_json_str(v, "workload");
	const char *who = rr_json_str(v, "who");

	if (!json_is_object(v))
		return;
	if (comm && wl)
		snprintf(buf, len, "%s (%s)", comm, wl);
	else if (comm)
		snprintf(buf, len, "%s%s", comm, who && strcmp(who, "worker") ? " (not the run's)" : "");
	else
		snprintf(buf, len, "pid %" PRIu64 "", jnum(v, "pid"));
}

void wr_take_status(struct watchrun *w, const char *path)
{
	json_t *j = json_load_file(path, 0, NULL), *v;

	if (!j)
		return;
	v = json_object_get(j, "lost_events");
	if (json_is_integer(v))
		w->lost = json_integer_value(v);
	victim_of(json_object_get(j, "last_victim"), w->victim, sizeof(w->victim));
	v = json_object_get(j, "inflight");
	w->inflight_op[0] = 0;
	if (json_is_object(v) && rr_json_str(v, "op")) {
		snprintf(w->inflight_op, sizeof(w->inflight_op), "%s", rr_json_str(v, "op"));
		w->inflight_start_ns = jnum(v, "start_ns");
	}
	ws_from_status(&w->sites, json_object_get(j, "asleep"));
	json_decref(j);
}

/* Seconds the longest op in flight has run, NAN if none (or the run ended). */
double wr_inflight_s(const struct watchrun *w)
{
	uint64_t now;

	if (!w->inflight_op[0] || w->state == WR_ENDED)
		return NAN;
	now = now_ns();
	return now > w->inflight_start_ns ? (double)(now - w->inflight_start_ns) / 1e9 : 0;
}

/* " | in flight OP 3.2s": an op that has run for a second or more. */
static void print_inflight(FILE *f, const struct watchrun *w)
{
	double s = wr_inflight_s(w);

	if (!isnan(s) && s >= 1.0)
		fprintf(f, " | in flight %s %.1fs", w->inflight_op, s);
}

/* The end: summary.json's status, lost events and victims. */
static void take_summary(struct watchrun *w, const char *path)
{
	json_t *j = json_load_file(path, 0, NULL), *v;
	const char *s;

	if (!j)
		return;
	s = rr_json_str(j, "status");
	snprintf(w->end_status, sizeof(w->end_status), "%s", s ? s : "incomplete");
	v = json_object_get(j, "lost_events");
	w->lost = json_is_integer(v) ? json_integer_value(v) : -1;
	v = json_object_get(j, "oom_victims");
	if (json_is_array(v) && json_array_size(v))
		victim_of(json_array_get(v, json_array_size(v) - 1), w->victim, sizeof(w->victim));
	ws_from_summary(&w->sites, json_object_get(j, "ops"));
	json_decref(j);
}

static int read_tails(struct watchrun *w)
{
	static const struct rr_tail_fns fns = { on_op, on_stall, on_tick };
	char msg[512];
	int ret;

	for (int i = 0; i < 3; i++) {
		ret = rr_tail_poll(w->tail[i], &fns, w, msg, sizeof(msg));
		if (ret < 0) {
			wr_err(w, msg);
			return ret;
		}
	}
	w->bad_rows = 0;
	for (int i = 0; i < 3; i++)
		w->bad_rows += rr_tail_stats(w->tail[i])->bad_rows;
	return 0;
}

int wr_poll(struct watchrun *w, uint64_t now)
{
	char path[4200];
	struct stat st;
	bool first = false;
	int ret;

	if (w->state == WR_ENDED)
		return 0;
	if (!w->opened) {
		if (wr_open(w) < 0)
			return 0;	/* not a run yet: still waiting */
		first = true;
	}
	snprintf(path, sizeof(path), "%s/summary.json", w->dir);
	if (stat(path, &st) == 0) {
		take_summary(w, path);
		w->state = WR_ENDED;
	} else if (w->remote) {
		long long b = run_bytes(w);

		if (b != w->seen_bytes) {
			w->seen_bytes = b;
			w->grew_ns = now;
		}
		if (now - w->grew_ns > WR_REMOTE_STALE_NS) {
			/* no pid to ask: its files stopped growing */
			snprintf(w->end_status, sizeof(w->end_status), "incomplete");
			w->state = WR_ENDED;
		} else {
			w->state = WR_RUNNING;
		}
	} else if (w->pid > 0 && !runstatus_alive(w->pid)) {
		/* The driver is gone without a summary: SIGKILLed, or a crash. Its
		 * summary may have landed just before it exited. */
		if (stat(path, &st) == 0)
			take_summary(w, path);
		else
			snprintf(w->end_status, sizeof(w->end_status), "incomplete");
		w->state = WR_ENDED;
	} else {
		w->state = WR_RUNNING;
	}
	ret = read_tails(w);
	if (ret < 0)
		return ret;
	if (first && w->state == WR_RUNNING) {
		/* What happened before we looked is the baseline of the first line. */
		for (unsigned int i = 0; i < w->nwl; i++)
			w->wl[i].ops_prev = w->wl[i].ops;
		w->prev = w->last;
		w->have_prev = w->have_tick;
		w->t_line = now;
	}
	return 0;
}

/* ---- lines ---- */

static double bins_sum(const struct watchrun *w, int s, int k, uint64_t b0, uint64_t b1,
		       bool rows)
{
	const struct wr_kindbins *b = &w->bins[s][k];
	double sum = 0;

	if (!b->ns)
		return 0;
	for (uint64_t i = b0; i < b1 && i < w->nbins; i++)
		sum += (double)(rows ? b->rows[i] : b->ns[i]);
	return sum;
}

static void psi_between(const struct rr_tick *a, const struct rr_tick *b, struct wr_line *l)
{
	double dt_us = (b->v[RR_TL_T_NS] - a->v[RR_TL_T_NS]) / 1e3;
	int cs = RR_TL_CG_PSI_SOME_TOTAL_US, cf = RR_TL_CG_PSI_FULL_TOTAL_US;

	l->psi_some = l->psi_full = NAN;
	if (!(dt_us > 0))
		return;
	l->psi_cgroup = !isnan(a->v[cs]) && !isnan(b->v[cs]);
	if (!l->psi_cgroup) {
		cs = RR_TL_PSI_SOME_TOTAL_US;
		cf = RR_TL_PSI_FULL_TOTAL_US;
	}
	l->psi_some = 100.0 * (b->v[cs] - a->v[cs]) / dt_us;
	l->psi_full = 100.0 * (b->v[cf] - a->v[cf]) / dt_us;
}

void wr_line(struct watchrun *w, uint64_t now, double interval_s, struct wr_line *l)
{
	bool ended = w->state == WR_ENDED;
	double span_s;
	uint64_t b0 = 0, b1 = 0;

	memset(l, 0, sizeof(*l));
	l->state = w->state;
	l->status = ended ? w->end_status : w->state == WR_RUNNING ? "running" : "waiting";
	l->duration_s = (double)w->duration_ns / 1e9;
	l->usage = l->cap = l->psi_some = l->psi_full = NAN;
	l->oom_kills = -1;
	l->lost = w->lost;
	if (w->cap)
		l->cap = (double)w->cap;
	if (w->state == WR_WAITING) {
		l->elapsed_s = l->remaining_s = NAN;
		return;
	}
	if (ended) {
		span_s = w->have_tick ? (w->last.v[RR_TL_T_NS] - w->first.v[RR_TL_T_NS]) / 1e9 : 0;
		l->elapsed_s = span_s;
		l->remaining_s = 0;
		b1 = w->nbins;
	} else {
		uint64_t go = w->start_ns + (uint64_t)(w->go_rel > 0 ? w->go_rel : 0);

		if (w->t_line && now > w->t_line)	/* rates since this run's last line */
			interval_s = (double)(now - w->t_line) / 1e9;
		w->t_line = now;
		uint64_t t_data = w->have_tick ? (uint64_t)w->last.v[RR_TL_T_NS] : 0;

		l->elapsed_s = now > go ? (double)(now - go) / 1e9 : 0;
		l->remaining_s = l->duration_s - l->elapsed_s;
		if (l->remaining_s < 0)
			l->remaining_s = 0;
		span_s = interval_s > 0 ? interval_s : 1;
		/* Stall time of the last interval of run time the capture has delivered. */
		b1 = t_data > WR_LAG_NS ? (t_data - WR_LAG_NS) / WR_BIN_NS : 0;
		b0 = (uint64_t)llround(span_s * 1e9 / WR_BIN_NS);
		b0 = b1 > b0 ? b1 - b0 : 0;
		if (b1 > b0)
			span_s = (double)(b1 - b0) * WR_BIN_NS / 1e9;
	}
	l->nwl = w->nwl;
	for (unsigned int i = 0; i < w->nwl; i++) {
		struct wr_wl *x = &w->wl[i];

		l->wl[i].name = x->name;
		l->wl[i].ops = x->ops;
		l->wl[i].errors = x->errors;
		if (ended) {
			l->wl[i].ops_per_s = span_s > 0 ? (double)x->ops / span_s : NAN;
			l->wl[i].p99_ms = hist_pct(x->hist, x->rec_n, 0.99) / 1e6;
		} else {
			uint64_t n = x->rec_n < WR_RECENT ? x->rec_n : WR_RECENT, m = 0;
			uint64_t t_data = w->have_tick ? (uint64_t)w->last.v[RR_TL_T_NS] : 0;
			uint64_t from = t_data > WR_WINDOW_NS ? t_data - WR_WINDOW_NS : 0;
			uint64_t h[WR_HBUCKETS] = { 0 };

			l->wl[i].ops_per_s = interval_s > 0 ?
				(double)(x->ops - x->ops_prev) / interval_s : NAN;
			x->ops_prev = x->ops;
			for (uint64_t j = 0; j < n; j++)
				if (x->rec_end[j] >= from) {
					h[hbucket(x->rec_lat[j])]++;
					m++;
				}
			l->wl[i].p99_ms = hist_pct(h, m, 0.99) / 1e6;
		}
	}
	for (int k = 0; k <= RR_STALL_NR_KINDS; k++) {
		double run = ended ? (double)w->stall_total[0][k] : bins_sum(w, 0, k, b0, b1, false);
		double sys = ended ? (double)w->stall_total[1][k] : bins_sum(w, 1, k, b0, b1, false);
		double r = span_s > 0 ? run / 1e6 / span_s : 0;

		if (k < RR_STALL_NR_KINDS)
			l->kind_ms_per_s[k] = r;
		l->stall_ms_per_s += r;
		l->sys_stall_ms_per_s += span_s > 0 ? sys / 1e6 / span_s : 0;
		l->rounds_per_s += span_s > 0 ? (ended ? 0 : bins_sum(w, 0, k, b0, b1, true)) / span_s : 0;
	}
	if (ended && span_s > 0)
		l->rounds_per_s = (double)w->stall_rows_total / span_s;
	l->stall_share = w->workers ? l->stall_ms_per_s / (10.0 * w->workers) : NAN;
	if (w->have_tick) {
		l->usage = ended ? w->peak_usage : w->last.v[RR_TL_MEMCG_USAGE];
		if (ended)
			psi_between(&w->first, &w->last, l);
		else	/* no line yet and no row at the baseline: since the first row */
			psi_between(w->have_prev ? &w->prev : &w->first, &w->last, l);
		if (!isnan(w->last.v[RR_TL_MEMCG_OOM_KILL]))
			l->oom_kills = (int64_t)w->last.v[RR_TL_MEMCG_OOM_KILL];
		if (!ended) {
			w->prev = w->last;
			w->have_prev = true;
		}
	}
	snprintf(l->victim, sizeof(l->victim), "%s", w->victim[0] ? w->victim : w->killed_victim);
}

unsigned int wr_spark(const struct watchrun *w, double *ms, unsigned int n)
{
	uint64_t t_data = w->have_tick ? (uint64_t)w->last.v[RR_TL_T_NS] : 0;
	uint64_t per_s = 1000000000ull / WR_BIN_NS, last_s, first_s;
	unsigned int i = 0;

	if (w->state != WR_ENDED)
		t_data = t_data > WR_LAG_NS ? t_data - WR_LAG_NS : 0;
	last_s = t_data / 1000000000ull;	/* seconds [first_s, last_s) are complete */
	first_s = last_s > n ? last_s - n : 0;
	for (uint64_t s = first_s; s < last_s && i < n; s++, i++) {
		ms[i] = 0;
		for (int k = 0; k <= RR_STALL_NR_KINDS; k++)
			ms[i] += bins_sum(w, 0, k, s * per_s, (s + 1) * per_s, false) / 1e6;
	}
	return i;
}

/* ---- printing ---- */

const char *wr_size(double b, char *buf, size_t len)
{
	static const char u[] = "KMGTP";
	int i = -1;

	if (isnan(b)) {
		snprintf(buf, len, "-");
		return buf;
	}
	while (b >= 1024 && i < 4) {
		b /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%.0f", b);
	else
		snprintf(buf, len, "%.*f%c", b < 10 ? 1 : 0, b, u[i]);
	return buf;
}

const char *wr_dur_ms(double ms, char *buf, size_t len)
{
	if (isnan(ms))
		snprintf(buf, len, "-");
	else if (ms < 1)
		snprintf(buf, len, "%.0fus", ms * 1e3);
	else if (ms < 1000)
		snprintf(buf, len, "%.*fms", ms < 10 ? 1 : 0, ms);
	else
		snprintf(buf, len, "%.2fs", ms / 1e3);
	return buf;
}

static void num(FILE *f, double v)
{
	if (isnan(v))
		fputs("-", f);
	else if (v < 10)
		fprintf(f, "%.1f", v);
	else
		fprintf(f, "%.0f", v);
}

static void print_brief(FILE *f, const struct wr_line *l)
{
	double ops = 0;
	char a[32];

	fprintf(f, " %.0fs/%.0fs |", l->elapsed_s, l->duration_s);
	for (unsigned int i = 0; i < l->nwl; i++)
		ops += isnan(l->wl[i].ops_per_s) ? 0 : l->wl[i].ops_per_s;
	fprintf(f, " ops/s ");
	num(f, ops);
	fprintf(f, " | stalled ");
	num(f, l->stall_share);
	fprintf(f, "%% | memcg %s", wr_size(l->usage, a, sizeof(a)));
	if (!isnan(l->usage) && l->cap > 0)
		fprintf(f, " %.0f%%", 100.0 * l->usage / l->cap);
	fprintf(f, " | oom ");
	if (l->oom_kills < 0)
		fprintf(f, "-");
	else
		fprintf(f, "%" PRId64, l->oom_kills);
}

void wr_print_text(FILE *f, const struct watchrun *w, const struct wr_line *l, bool brief)
{
	char a[32], b[32];
	time_t now = time(NULL);
	struct tm tm;
	bool ended = l->state == WR_ENDED;

	localtime_r(&now, &tm);
	strftime(a, sizeof(a), "%H:%M:%S", &tm);
	fprintf(f, "%s %s %s", a, w->name, ended ? "ended " : "");
	fprintf(f, "%s", l->status);
	if (l->state == WR_WAITING) {
		fprintf(f, " (no result yet)");
		return;
	}
	if (brief) {
		print_brief(f, l);
		print_inflight(f, w);
		return;
	}
	fprintf(f, " %.1fs/%.0fs", l->elapsed_s, l->duration_s);
	if (!ended)
		fprintf(f, " left %.0fs", l->remaining_s);
	for (unsigned int i = 0; i < l->nwl; i++) {
		fprintf(f, " | %s ", l->wl[i].name);
		num(f, l->wl[i].ops_per_s);
		fprintf(f, " ops/s p99 %s", wr_dur_ms(l->wl[i].p99_ms, a, sizeof(a)));
		if (l->wl[i].errors)
			fprintf(f, " err %" PRIu64, l->wl[i].errors);
	}
	if (!l->nwl)
		fprintf(f, " | no ops yet");
	fprintf(f, " | stall ");
	num(f, l->stall_ms_per_s);
	fprintf(f, " ms/s");
	for (int k = 0; k < RR_STALL_NR_KINDS; k++)
		if (l->kind_ms_per_s[k] > 0) {
			fprintf(f, " %s ", rr_stall_kind_name(k));
			num(f, l->kind_ms_per_s[k]);
		}
	if (!isnan(l->stall_share)) {
		fprintf(f, " (");
		num(f, l->stall_share);
		fprintf(f, "%% of %u workers)", w->workers);
	}
	fprintf(f, " | sys ");
	num(f, l->sys_stall_ms_per_s);
	fprintf(f, " ms/s | rounds ");
	num(f, l->rounds_per_s);
	fprintf(f, "/s | memcg %s%s/%s", ended ? "peak " : "", wr_size(l->usage, a, sizeof(a)),
		wr_size(l->cap, b, sizeof(b)));
	if (!isnan(l->usage) && l->cap > 0)
		fprintf(f, " %.0f%%", 100.0 * l->usage / l->cap);
	fprintf(f, " | psi%s some ", l->psi_cgroup ? "(cg)" : "(sys)");
	num(f, l->psi_some);
	fprintf(f, "%% full ");
	num(f, l->psi_full);
	fprintf(f, "%% | oom ");
	if (l->oom_kills < 0)
		fprintf(f, "-");
	else
		fprintf(f, "%" PRId64, l->oom_kills);
	if (l->victim[0])
		fprintf(f, " last %s", l->victim);
	fprintf(f, " | lost ");
	if (l->lost < 0)
		fprintf(f, "-");
	else
		fprintf(f, "%" PRId64, l->lost);
	print_inflight(f, w);
	ws_print_text(f, &w->sites);
}

static json_t *jreal(double v)
{
	return isnan(v) ? json_null() : json_real(round(v * 1000) / 1000);
}

static json_t *jbytes(double v)
{
	return isnan(v) ? json_null() : json_integer((json_int_t)v);
}

void wr_print_json(FILE *f, const struct watchrun *w, const struct wr_line *l)
{
	json_t *o = json_object(), *wls = json_array(), *kinds = json_object();
	char *s;

	json_object_set_new(o, "time", json_integer((json_int_t)time(NULL)));
	json_object_set_new(o, "dir", json_string(w->dir));
	json_object_set_new(o, "name", json_string(w->name));
	json_object_set_new(o, "pid", json_integer(w->pid));
	json_object_set_new(o, "state", json_string(l->state == WR_ENDED ? "ended" :
			    l->state == WR_RUNNING ? "running" : "waiting"));
	json_object_set_new(o, "status", json_string(l->status));
	json_object_set_new(o, "elapsed_s", jreal(l->elapsed_s));
	json_object_set_new(o, "remaining_s", jreal(l->remaining_s));
	json_object_set_new(o, "duration_s", jreal(l->duration_s));
	for (unsigned int i = 0; i < l->nwl; i++)
		json_array_append_new(wls, json_pack("{s:s,s:o,s:o,s:I,s:I}", "name", l->wl[i].name,
			"ops_per_s", jreal(l->wl[i].ops_per_s), "p99_ms", jreal(l->wl[i].p99_ms),
			"ops", (json_int_t)l->wl[i].ops, "errors", (json_int_t)l->wl[i].errors));
	json_object_set_new(o, "workloads", wls);
	json_object_set_new(o, "stall_ms_per_s", jreal(l->stall_ms_per_s));
	for (int k = 0; k < RR_STALL_NR_KINDS; k++)
		json_object_set_new(kinds, rr_stall_kind_name(k), jreal(l->kind_ms_per_s[k]));
	json_object_set_new(o, "stall_ms_per_s_by_kind", kinds);
	json_object_set_new(o, "stall_share_pct", jreal(l->stall_share));
	json_object_set_new(o, "workers", json_integer(w->workers));
	json_object_set_new(o, "system_stall_ms_per_s", jreal(l->sys_stall_ms_per_s));
	json_object_set_new(o, "rounds_per_s", jreal(l->rounds_per_s));
	json_object_set_new(o, l->state == WR_ENDED ? "memcg_peak_bytes" : "memcg_usage_bytes",
			    jbytes(l->usage));
	json_object_set_new(o, "cap_bytes", jbytes(l->cap));
	json_object_set_new(o, "psi_some_pct", jreal(l->psi_some));
	json_object_set_new(o, "psi_full_pct", jreal(l->psi_full));
	json_object_set_new(o, "psi_scope", json_string(l->psi_cgroup ? "cgroup" : "system"));
	json_object_set_new(o, "oom_kills", l->oom_kills < 0 ? json_null() : json_integer(l->oom_kills));
	json_object_set_new(o, "last_victim", l->victim[0] ? json_string(l->victim) : json_null());
	json_object_set_new(o, "lost_events", l->lost < 0 ? json_null() : json_integer(l->lost));
	/* per op: its time asleep so far by top wait site, and inside reclaim stalls */
	json_object_set_new(o, "asleep", ws_json(&w->sites));
	if (w->bad_rows)
		json_object_set_new(o, "bad_rows", json_integer((json_int_t)w->bad_rows));
	{
		double s = wr_inflight_s(w);

		json_object_set_new(o, "longest_in_flight", isnan(s) ? json_null() :
				    json_pack("{s:s,s:o}", "op", w->inflight_op, "s", jreal(s)));
	}
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	if (s)
		fprintf(f, "%s", s);
	free(s);
	json_decref(o);
}
