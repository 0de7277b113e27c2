/*
 * A watched run's wait sites (watchsites.h): the driver's cumulative
 * figures, or the summary's, cut to the top sites of each op.
 */
#include "watchsites.h"

#include <string.h>

/* One op: asleep, inside stalls, and sites (most first: both writers sort them). */
static void take_op(struct watchsites *s, const char *op, double asleep, double in_stall,
		    json_t *sites)
{
	size_t i;
	json_t *st;

	if (s->nops == WS_MAX_OPS || !(asleep > 0))
		return;
	snprintf(s->op[s->nops].op, sizeof(s->op[0].op), "%s", op);
	s->op[s->nops].asleep_ns = asleep;
	s->op[s->nops].in_stall_ns = in_stall;
	s->op[s->nops].nsites = 0;
	json_array_foreach(sites, i, st) {
		const char *name = json_string_value(json_object_get(st, "site"));
		unsigned int n = s->op[s->nops].nsites;

		if (n == WS_TOP || !name)
			break;
		snprintf(s->op[s->nops].site[n].name, sizeof(s->op[0].site[0].name), "%s", name);
		s->op[s->nops].site[n].ns = json_number_value(json_object_get(st, "sleep_ns"));
		s->op[s->nops].nsites++;
	}
	s->nops++;
}

void ws_from_status(struct watchsites *s, json_t *asleep)
{
	const char *k;
	json_t *v;

	if (!json_is_object(asleep))
		return;	/* an older driver, or no off-CPU capture: keep what was known */
	s->nops = 0;
	json_object_foreach(asleep, k, v)
		take_op(s, k, json_number_value(json_object_get(v, "sleep_ns")),
			json_number_value(json_object_get(v, "in_stall_ns")),
			json_object_get(v, "sites"));
}

void ws_from_summary(struct watchsites *s, json_t *ops)
{
	const char *k;
	json_t *v;

	if (!json_is_object(ops))
		return;
	s->nops = 0;
	json_object_foreach(ops, k, v) {
		json_t *oc = json_object_get(v, "offcpu");

		if (json_is_object(oc))
			take_op(s, k, json_number_value(json_object_get(
				json_object_get(v, "time_split"), "sleep_ns")),
				json_number_value(json_object_get(oc, "in_stall_ns")),
				json_object_get(oc, "sites"));
	}
}

/*
 * "92% submit_bio_wait, 7% folio_wait_writeback, 1% in reclaim stalls": of
 * the time asleep by schedstat, or of what the switches seen say when that
 * is more (the two may differ by a few percent: never "103%").
 */
static void print_op(FILE *f, const struct watchsites *s, unsigned int i)
{
	double all = s->op[i].asleep_ns, seen = s->op[i].in_stall_ns;
	const char *sep = "";

	for (unsigned int j = 0; j < s->op[i].nsites; j++)
		seen += s->op[i].site[j].ns;
	if (seen > all)
		all = seen;

	for (unsigned int j = 0; j < s->op[i].nsites; j++) {
		if (s->op[i].site[j].ns < 0.01 * all)
			break;
		fprintf(f, "%s%.0f%% %s", sep, 100.0 * s->op[i].site[j].ns / all,
			s->op[i].site[j].name);
		sep = ", ";
	}
	if (s->op[i].in_stall_ns >= 0.01 * all)
		fprintf(f, "%s%.0f%% in reclaim stalls", sep, 100.0 * s->op[i].in_stall_ns / all);
	else if (!*sep)
		fprintf(f, "no site seen yet");
}

void ws_print_text(FILE *f, const struct watchsites *s)
{
	for (unsigned int i = 0; i < s->nops; i++) {
		fprintf(f, " | asleep %s: ", s->op[i].op);
		print_op(f, s, i);
	}
}

int ws_print_lines(FILE *f, const struct watchsites *s, const char *eol)
{
	for (unsigned int i = 0; i < s->nops; i++) {
		fprintf(f, "  asleep %s %.2fs: ", s->op[i].op, s->op[i].asleep_ns / 1e9);
		print_op(f, s, i);
		fputs(eol, f);
	}
	return (int)s->nops;
}

json_t *ws_json(const struct watchsites *s)
{
	json_t *o = json_object();

	for (unsigned int i = 0; i < s->nops; i++) {
		double all = s->op[i].asleep_ns;
		json_t *sites = json_array();

		for (unsigned int j = 0; j < s->op[i].nsites; j++)
			json_array_append_new(sites, json_pack("{s:s,s:f}", "site",
				s->op[i].site[j].name, "share", s->op[i].site[j].ns / all));
		json_object_set_new(o, s->op[i].op, json_pack("{s:f,s:f,s:o}", "asleep_s", all / 1e9,
				    "in_stall_share", s->op[i].in_stall_ns / all, "sites", sites));
	}
	return o;
}
