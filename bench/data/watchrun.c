/*
 * A run followed while it is written (see watchrun.h): opening it, taking
 * its rows, status and summary as they come. The cost of a
 * refresh is the bytes appended since the last one: the tails keep their
 * offsets, and what is kept per run is bounded (a ring of recent latencies
 * per workload, a log histogram for the whole run, stall time in 100 ms bins
 * of run time, allocated per kind only once a kind is seen).
 */
#include "watchrun.h"
#include "watchrun_impl.h"

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
	x->hist[wr_hbucket(op->latency_ns)]++;
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
