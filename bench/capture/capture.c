/*
 * Stall capture on perf_event_open(PERF_TYPE_TRACEPOINT): a capture's life
 * in steps. Opening builds the event set from the tracepoint catalogue
 * (capture_decode.c), loads kallsyms for --callchain (capture_sym.c) and
 * opens one ring per CPU (capture_ring.c); a drain reads the rings merged in
 * time order into the pairing (capture_pair.c), which hands stalls and
 * points to the sink in order of their begin.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture_impl.h"

const char *stall_kind_name(enum stall_kind k)
{
	static const char *const n[] = { SB_STALL_KINDS(SB_STALL_NAME) };
	_Static_assert(sizeof(n) / sizeof(n[0]) == STALL_NR_KINDS, "a stall kind without a name");

	return (unsigned int)k < STALL_NR_KINDS ? n[k] : "?";
}

const char *point_kind_name(enum point_kind k)
{
	static const char *const n[] = { "reclaim_retry", "compact_retry", "mark_victim", "nofail",
					 "other" };
	_Static_assert(sizeof(n) / sizeof(n[0]) == POINT_NR_KINDS, "a point kind without a name");

	return (unsigned int)k < POINT_NR_KINDS ? n[k] : "?";
}

int capture_probe(const struct capture_opts *o, char *errmsg, size_t len)
{
	struct capture *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	c->want_nofail = o->nofail;
	c->want_offcpu = o->offcpu;
	err = tpd_open(o->tracefs, &c->tpd, errmsg, len);
	if (err) {
		err = err == -ENOMEM ? err : -ENODEV;
		goto out;
	}
	/* The defaults alone first: a default that does not parse is our bug, not the user's. */
	err = cap_events_build(c, NULL, errmsg, len);
	if (err) {
		err = err == -ENOMEM ? err : -EIO;
		goto out;
	}
	if (!c->nr_ev) {
		snprintf(errmsg, len, "none of the reclaim tracepoints exist in %s/events",
			 tpd_root(c->tpd));
		err = -ENOENT;
		goto out;
	}
	err = cap_events_build(c, o->events, errmsg, len);
	if (err && err != -ENOMEM)
		err = -EINVAL;
out:
	capture_close(c);
	return err;
}

/* The events of o, indexed; 0 or -errno with errmsg set. */
static int open_events(struct capture *c, const struct capture_opts *o, char *errmsg, size_t len)
{
	int err;

	c->want_nofail = o->nofail;
	c->want_offcpu = o->offcpu;
	c->want_oncpu = o->oncpu;
	c->callchain = o->callchain;
	err = tpd_open(o->tracefs, &c->tpd, errmsg, len);
	if (!err)
		err = cap_events_build(c, o->events, errmsg, len);
	if (err)
		return err;
	if (!c->nr_ev) {
		snprintf(errmsg, len, "capture: none of the reclaim tracepoints exist in %s/events",
			 tpd_root(c->tpd));
		return -ENOENT;
	}
	return cap_events_index(c);
}

int capture_open(const struct capture_opts *o, struct capture **out, char *errmsg, size_t len)
{
	struct capture *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	snprintf(errmsg, len, "capture: out of memory");
	err = open_events(c, o, errmsg, len);
	if (err)
		goto fail;
	if ((c->callchain || c->want_offcpu || c->want_oncpu) && !o->offline_cpus) {
		err = cap_syms_load(c);
		if (err) {
			snprintf(errmsg, len, "%s: /proc/kallsyms: %s",
				 c->callchain ? "--callchain" : "off/on-CPU sites", strerror(-err));
			goto fail;
		}
	}
	/* the tasks' events open once they exist (capture_set_tasks): can they? */
	if (c->want_oncpu && !o->offline_cpus) {
		err = cap_oncpu_probe(c, errmsg, len);
		if (err)
			goto fail;
	}
	err = cap_rings_open(c, o, errmsg, len);
	if (err)
		goto fail;
	if (capture_counts_nofail(c) && !o->offline_cpus) {
		/* the workers open theirs after the fork: one that cannot fails here, first */
		struct nofail_counter *k;
		char why[192];

		err = capture_nofail_counter_open(c, &k, why, sizeof(why));
		if (err) {
			snprintf(errmsg, len, "NOFAIL counters: %s", why);
			goto fail;
		}
		nofail_counter_close(k);
	}
	*out = c;
	return 0;
fail:
	capture_close(c);
	return err < 0 ? err : -EINVAL;
}

long capture_drain(struct capture *c, const struct capture_sink *sink, bool final)
{
	uint64_t t_read = now_ns();
	uint64_t horizon = final ? UINT64_MAX : t_read - INFLIGHT_SLACK_NS;
	int err = 0;
	long nread = cap_rings_read(c, horizon, cap_pair_sample, &err);

	cap_pair_flush(c, t_read, horizon, final, sink);
	return err ? err : nread;
}

const char *capture_events(const struct capture *c)
{
	return c->events_str ? c->events_str : "";
}

bool capture_offcpu(const struct capture *c)
{
	for (size_t i = 0; c && i < c->nr_ev; i++)
		if (c->ev[i].role == R_SWITCH)
			return true;
	return false;
}

bool capture_counts_nofail(const struct capture *c)
{
	for (size_t i = 0; c && i < c->nr_ev; i++)
		if (c->ev[i].role == R_POINT && c->ev[i].kind == POINT_NOFAIL)
			return true;
	return false;
}

uint64_t capture_horizon(const struct capture *c)
{
	return c->horizon;
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	cap_rings_close(c);
	cap_oncpu_free(c);
	cap_events_free(c);
	cap_syms_free(c);
	cap_pair_free(c);
	tpd_close(c->tpd);
	free(c);
}
