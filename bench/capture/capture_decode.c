/*
 * The capture's events and their records: the default set is the tracepoint
 * catalogue (tpcatalog.h), plus the NOFAIL allocation events when asked, plus
 * or minus --events; each event's fields are resolved by name in this
 * kernel's format file (tpdecode.c), never at an offset written here. A
 * sample record is split into its parts, and the fields a stall or point
 * carries are read from its raw tracepoint data.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <traceevent/event-parse.h>

#include "capture_impl.h"
#include "nofail.h"

static bool have_event(const struct capture *c, const char *sys, const char *name)
{
	char full[160];

	snprintf(full, sizeof(full), "%s:%s", sys, name);
	for (size_t i = 0; i < c->nr_ev; i++)
		if (!strcmp(c->ev[i].name, full))
			return true;
	return false;
}

/* A new zeroed slot at the end of c->ev (not counted yet), or NULL. */
static struct cev *new_event(struct capture *c)
{
	struct cev *e = realloc(c->ev, (c->nr_ev + 1) * sizeof(*e));

	if (!e)
		return NULL;
	c->ev = e;
	e = &c->ev[c->nr_ev];
	memset(e, 0, sizeof(*e));
	return e;
}

/* mark_victim's details of the task it picked. */
static void victim_fields(struct cev *e, const struct tep_event *tev)
{
	if (e->kind == POINT_MARK_VICTIM) {
		tpd_field(tev, "comm", &e->comm);
		tpd_field(tev, "anon_rss", &e->anon_rss);
		tpd_field(tev, "file_rss", &e->file_rss);
		tpd_field(tev, "shmem_rss", &e->shmem_rss);
		tpd_field(tev, "oom_score_adj", &e->oom_adj);
	}
}

/* Resolves e's fields by its role; 1 when it is a NOFAIL event this kernel cannot filter. */
static int event_fields(struct capture *c, struct cev *e, const struct tep_event *tev,
			const char *sys, const char *name)
{
	const struct tp_def *d = tp_find(sys, name);

	tpd_field(tev, "order", &e->order);
	tpd_field(tev, "gfp_flags", &e->gfp);
	if (e->gfp.size && tpd_flags_of(tev, "gfp_flags", &e->gfpfl) == 0)
		e->have_gfpfl = true;
	if (e->role == R_THROTTLED)
		tpd_field(tev, "reason", &e->reason);
	if (e->role == R_SWITCH) {
		tpd_field(tev, "prev_pid", &e->prev_pid);
		tpd_field(tev, "prev_state", &e->prev_state);
		tpd_field(tev, "next_pid", &e->next_pid);
		if (!e->prev_pid.size || !e->prev_state.size || !e->next_pid.size)
			return 2;
	}
	if (e->role == R_WAKING && tpd_field(tev, "pid", &e->pid))
		return 2;
	if (e->role == R_WAKING)
		tpd_field(tev, "common_flags", &e->cflags);
	if (e->role == R_POINT && e->kind == POINT_NOFAIL &&
	    (!e->gfp.size || nofail_gfp_bit(c->tpd, sys, name, &e->nofail_bit)))
		return 1;
	if (d && d->role == (enum tp_role)e->role && d->arg)
		tpd_field(tev, d->arg, &e->arg);
	if (e->role == R_POINT)
		victim_fields(e, tev);
	return 0;
}

static int add_event(struct capture *c, const char *sys, const char *name, enum role role, int kind,
		     bool required, char *errmsg, size_t len)
{
	struct tep_event *tev;
	struct cev *e;
	int err;

	if (have_event(c, sys, name))
		return 0;
	err = tpd_event(c->tpd, sys, name, &tev);
	if (err) {
		if (!required && err == -ENOENT)
			return 0;
		snprintf(errmsg, len, "event %s:%s: %s in %s/events", sys, name,
			 err == -ENOENT ? "no such tracepoint" : "cannot parse its format",
			 tpd_root(c->tpd));
		return err;
	}
	e = new_event(c);
	if (!e)
		return -ENOMEM;
	snprintf(e->name, sizeof(e->name), "%s:%s", sys, name);
	e->id = tpd_event_id(tev);
	e->role = role;
	e->kind = kind;
	e->chain = c->callchain || role == R_SWITCH;	/* the wait site is in its stack */
	err = event_fields(c, e, tev, sys, name);
	if (err == 2) {
		if (e->have_gfpfl)
			tpd_flags_free(&e->gfpfl);
		snprintf(errmsg, len, "event %s: not the sched layout this reads (pid fields)",
			 e->name);
		return -EINVAL;
	}
	if (err) {
		/* No gfp_flags or no NOFAIL in its table: nothing to filter on, not counted. */
		if (e->have_gfpfl)
			tpd_flags_free(&e->gfpfl);
		if (required) {
			snprintf(errmsg, len, "event %s:%s: no __GFP_NOFAIL in its gfp_flags table",
				 sys, name);
			return -EINVAL;
		}
		return 0;
	}
	if (role == R_THROTTLED && !e->arg.size) {
		const struct tp_def *d = tp_find(sys, name);

		snprintf(errmsg, len, "event %s: no %s field", e->name,
			 d && d->arg ? d->arg : "delay");
		return -EINVAL;
	}
	c->nr_ev++;
	return 0;
}

static void del_event(struct capture *c, const char *full)
{
	for (size_t i = 0; i < c->nr_ev; i++) {
		if (strcmp(c->ev[i].name, full))
			continue;
		if (c->ev[i].have_gfpfl)
			tpd_flags_free(&c->ev[i].gfpfl);
		memmove(&c->ev[i], &c->ev[i + 1], (c->nr_ev - i - 1) * sizeof(*c->ev));
		c->nr_ev--;
		return;
	}
}

/* The catalogue's rows, then the NOFAIL allocation events and the off-CPU ones when asked for. */
static int add_defaults(struct capture *c, char *errmsg, size_t len)
{
	int err;

	for (size_t i = 0; i < tp_catalog_n; i++) {
		err = add_event(c, tp_catalog[i].sys, tp_catalog[i].name, (enum role)tp_catalog[i].role,
				tp_catalog[i].kind, false, errmsg, len);
		if (err)
			return err;
	}
	for (size_t i = 0; c->want_nofail && nofail_events[i][0]; i++) {
		err = add_event(c, nofail_events[i][0], nofail_events[i][1], R_POINT, POINT_NOFAIL,
				false, errmsg, len);
		if (err)
			return err;
	}
	if (c->want_offcpu) {
		err = add_event(c, "sched", "sched_switch", R_SWITCH, 0, true, errmsg, len);
		if (!err)	/* the waker: absent before 4.3, then sleeps end unwoken */
			err = add_event(c, "sched", "sched_waking", R_WAKING, 0, false, errmsg, len);
	}
	return err;
}

/* One --events token: "+sys:ev" (or "sys:ev") adds, "-sys:ev" removes. tok is modified. */
static int apply_token(struct capture *c, char *tok, char *errmsg, size_t len)
{
	bool del = *tok == '-', nf = false;
	const struct tp_def *d;
	char *colon;

	if (*tok == '+' || *tok == '-')
		tok++;
	colon = strchr(tok, ':');
	if (!colon || colon == tok || !colon[1]) {
		snprintf(errmsg, len, "--events %s: not sys:event (try +syscalls:sys_enter_getppid)",
			 tok);
		return -EINVAL;
	}
	if (del) {
		del_event(c, tok);
		return 0;
	}
	*colon = '\0';
	d = tp_find(tok, colon + 1);
	for (size_t i = 0; nofail_events[i][0]; i++)
		nf |= !strcmp(tok, nofail_events[i][0]) && !strcmp(colon + 1, nofail_events[i][1]);
	return add_event(c, tok, colon + 1, d ? (enum role)d->role : R_POINT,
			 d ? d->kind : nf ? POINT_NOFAIL : POINT_OTHER, true, errmsg, len);
}

int cap_events_build(struct capture *c, const char *spec, char *errmsg, size_t len)
{
	char *dup, *tok, *save = NULL;
	int err = add_defaults(c, errmsg, len);

	if (err || !spec || !*spec)
		return err;
	dup = strdup(spec);
	if (!dup)
		return -ENOMEM;
	for (tok = strtok_r(dup, ",", &save); tok && !err; tok = strtok_r(NULL, ",", &save))
		err = apply_token(c, tok, errmsg, len);
	free(dup);
	return err;
}

int cap_events_index(struct capture *c)
{
	char *p;

	c->max_id = 0;
	for (size_t i = 0; i < c->nr_ev; i++) {
		if (c->ev[i].id > c->max_id)
			c->max_id = c->ev[i].id;
		if (c->ev[i].role == R_THROTTLED)
			c->have_throttled = true;
	}
	c->by_id = malloc(((size_t)c->max_id + 1) * sizeof(*c->by_id));
	if (!c->by_id)
		return -ENOMEM;
	for (int i = 0; i <= c->max_id; i++)
		c->by_id[i] = -1;
	for (size_t i = 0; i < c->nr_ev; i++)
		c->by_id[c->ev[i].id] = (int16_t)i;
	c->events_str = calloc(1, c->nr_ev * 128 + 1);
	if (!c->events_str)
		return -ENOMEM;
	p = c->events_str;
	for (size_t i = 0; i < c->nr_ev; i++)
		p += sprintf(p, "%s%s", i ? "," : "", c->ev[i].name);
	return 0;
}

void cap_events_free(struct capture *c)
{
	for (size_t i = 0; i < c->nr_ev; i++)
		if (c->ev[i].have_gfpfl)
			tpd_flags_free(&c->ev[i].gfpfl);
	free(c->by_id);
	free(c->events_str);
	free(c->ev);
}

/* sample_type: TID, TIME, CPU, [CALLCHAIN], RAW, in the kernel's order. */
bool cap_sample_parse(struct capture *c, const unsigned char *rec, uint16_t size, bool chain,
		      struct sample *s)
{
	const unsigned char *p = rec + sizeof(struct perf_event_header);
	const unsigned char *endp = rec + size;
	uint16_t type;

	memset(s, 0, sizeof(*s));
	memcpy(&s->tid, p + 4, 4);
	memcpy(&s->ts, p + 8, 8);
	memcpy(&s->cpu, p + 16, 4);
	p += 24;
	if (chain) {
		if (p + 8 > endp)
			return false;
		memcpy(&s->nr, p, 8);
		p += 8;
		if (s->nr > (uint64_t)(endp - p) / 8)
			return false;
		s->chain = (const uint64_t *)p;	/* 8-byte aligned: records are */
		p += s->nr * 8;
	}
	if (p + 4 > endp)
		return false;
	memcpy(&s->rawsz, p, 4);
	s->raw = p + 4;
	if (s->raw + s->rawsz > endp || s->rawsz < 8)
		return false;
	memcpy(&type, s->raw, 2);
	if (type > c->max_id || (s->idx = c->by_id[type]) < 0)
		return false;
	s->e = &c->ev[s->idx];
	return true;
}

/*
 * Keeps what mark_victim says of the chosen task (name, rss, oom_score_adj)
 * beside the FIFO: OOM kills are rare, so items stay small. Returns the
 * detail's index + 1, 0 when out of memory.
 */
uint64_t cap_victim_decode(struct capture *c, const struct cev *e, const void *raw, size_t rawsz)
{
	struct oom_victim *v;
	int64_t x, rss = 0;
	bool have_rss = false;
	const struct tpd_field *rf[] = { &e->anon_rss, &e->file_rss, &e->shmem_rss };

	/* one block on the first kill, never moved: points hand out pointers into it */
	if (!c->vict && !(c->vict = calloc(MAX_VICTIMS, sizeof(*c->vict))))
		return 0;
	v = &c->vict[c->nvict];	/* zeroed by calloc, written once */
	if (e->comm.size)
		tpd_read_str(&e->comm, raw, rawsz, v->comm, sizeof(v->comm));
	for (size_t i = 0; i < 3; i++)
		if (rf[i]->size && tpd_read(rf[i], raw, rawsz, &x) == 0) {
			rss += x;
			have_rss = true;
		}
	v->rss_kb = have_rss ? rss : -1;
	v->oom_score_adj = e->oom_adj.size && tpd_read(&e->oom_adj, raw, rawsz, &x) == 0 ?
			   (int32_t)x : INT32_MIN;
	return ++c->nvict;
}

const char *cap_gfp_names(struct cev *e, uint64_t gfp, char *tmp, size_t len)
{
	unsigned int h = (unsigned int)((gfp * 0x9E3779B97F4A7C15ull) >> 61);

	if (!e->have_gfpfl) {
		snprintf(tmp, len, "0x%" PRIx64, gfp);
		return tmp;
	}
	if (!e->gfp_cache_ok[h] || e->gfp_cache_val[h] != gfp) {
		tpd_flags_str(&e->gfpfl, gfp, e->gfp_cache_str[h], sizeof(e->gfp_cache_str[h]));
		e->gfp_cache_val[h] = gfp;
		e->gfp_cache_ok[h] = true;
	}
	return e->gfp_cache_str[h];
}

/*
 * mm_vmscan_throttled's reason: bit n is enum vmscan_throttle_state n
 * (WRITEBACK, ISOLATED, NOPROGRESS, CONGESTED since 5.16). The format file
 * names them in that order but cannot evaluate their values (the enum is
 * not exported), so the order is the table.
 */
const char *cap_throttle_reason(uint64_t bits)
{
	static const char *const one[] = { "writeback", "isolated", "noprogress", "congested" };
	static const char *const many[16] = {
		[3] = "writeback|isolated", [5] = "writeback|noprogress",
		[6] = "isolated|noprogress", [9] = "writeback|congested",
		[10] = "isolated|congested", [12] = "noprogress|congested",
	};

	if (bits == UINT64_MAX)
		return "unknown";
	if (!bits)
		return "none";
	if (bits < 16 && !(bits & (bits - 1)))
		return one[__builtin_ctzll(bits)];
	return bits < 16 && many[bits] ? many[bits] : "several";
}
