/*
 * A followed run's lines (see watchrun.h): one interval's rates, or the
 * whole run's once it has ended, from what watchrun.c took in; and the
 * sparkline's stall time per second. Computes, prints nothing.
 */
#include "watchrun.h"
#include "watchrun_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
					h[wr_hbucket(x->rec_lat[j])]++;
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
