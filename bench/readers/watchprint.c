/*
 * A followed run's line printed: one line for `watch --batch`, one JSON
 * object for `--json`, and the sizes and durations the live view shows.
 */
#include "watchprint.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* " | in flight OP 3.2s": an op that has run for a second or more. */
static void print_inflight(FILE *f, const struct watchrun *w)
{
	double s = wr_inflight_s(w);

	if (!isnan(s) && s >= 1.0)
		fprintf(f, " | in flight %s %.1fs", w->inflight_op, s);
}

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
