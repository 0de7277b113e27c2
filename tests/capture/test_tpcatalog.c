/*
 * The tracepoint catalogue against the three kernels' real format files:
 * every event it names exists and parses on each, every point's argument
 * field is there, every stall kind comes from a row, and the round sources
 * the attribution takes from it are the ones each role can give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "tpcatalog.h"
#include "tpdecode.h"

static const char *const kernels[] = {
	"6.1.0-56-amd64", "6.12.117+deb12-amd64", "6.18.44-fc-v782",
};

static void events_exist(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
		char root[512], err[256];
		struct tpdecode *d = NULL;

		snprintf(root, sizeof(root), "%s/tracefs/%s", STALLBENCH_FIXTURES, kernels[k]);
		assert_int_equal(tpd_open(root, &d, err, sizeof(err)), 0);
		for (size_t i = 0; i < tp_catalog_n; i++) {
			const struct tp_def *t = &tp_catalog[i];
			struct tep_event *e;
			struct tpd_field f;

			if (tpd_event(d, t->sys, t->name, &e))
				fail_msg("%s: %s:%s missing", kernels[k], t->sys, t->name);
			if (t->arg && tpd_field(e, t->arg, &f))
				fail_msg("%s: %s:%s has no field %s", kernels[k], t->sys, t->name, t->arg);
			/* an end's argument lands in struct stall's nr_reclaimed */
			if (t->role == TP_END && t->kind != STALL_COMPACT &&
			    (!t->arg || strcmp(t->arg, "nr_reclaimed")))
				fail_msg("%s: %s:%s: a reclaim end without nr_reclaimed", kernels[k],
					 t->sys, t->name);
			if (t->role == TP_THROTTLED && (!t->arg || strcmp(t->arg, "usec_delayed")))
				fail_msg("%s:%s: a throttle's argument is its delay", t->sys, t->name);
		}
		tpd_close(d);
	}
}

static void kinds_and_rounds(void **state)
{
	(void)state;
	/* every stall kind the capture can write has its begin (or throttle) row */
	for (int k = 0; k < STALL_NR_KINDS; k++) {
		int found = 0;

		for (size_t i = 0; i < tp_catalog_n; i++)
			found |= tp_catalog[i].kind == k &&
				 (tp_catalog[i].role == TP_BEGIN || tp_catalog[i].role == TP_THROTTLED);
		if (!found)
			fail_msg("stall kind %s has no begin row", stall_kind_name(k));
	}
	/* a paired kind has both ends; an end never counts a round (its begin does) */
	for (size_t i = 0; i < tp_catalog_n; i++) {
		const struct tp_def *t = &tp_catalog[i];
		int ends = 0;

		if (t->role == TP_END)
			assert_int_equal(t->round, -1);
		if (t->role != TP_BEGIN)
			continue;
		for (size_t j = 0; j < tp_catalog_n; j++)
			ends += tp_catalog[j].role == TP_END && tp_catalog[j].kind == t->kind;
		if (ends != 1)
			fail_msg("%s:%s: %d end rows for its kind", t->sys, t->name, ends);
	}
	assert_int_equal(tp_stall_round(STALL_MEMCG_SOFT), RSRC_MEMCG);
	assert_int_equal(tp_stall_round(STALL_THROTTLED), RSRC_THROTTLE);
	assert_int_equal(tp_point_round(POINT_RECLAIM_RETRY), RSRC_RECLAIM_RETRY);
	assert_int_equal(tp_point_round(POINT_NOFAIL), RSRC_NOFAIL);
	assert_int_equal(tp_point_round(POINT_MARK_VICTIM), -1);
	/* what report makes of a kind (zero%, a throttle's reasons) is the
	 * schema's traits: tpcatalog.c checks each row against them at compile
	 * time (a reclaim end without nr_reclaimed, a throttle row of a kind
	 * the schema does not call one, does not build) */
	/* doctor probes one event capture cannot do without */
	{
		int needed = 0;

		for (size_t i = 0; i < tp_catalog_n; i++)
			needed += tp_catalog[i].needed && tp_catalog[i].probe;
		assert_true(needed >= 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(events_exist),
		cmocka_unit_test(kinds_and_rounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
