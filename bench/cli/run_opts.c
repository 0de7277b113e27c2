/*
 * `stallbench run`'s options, one table (name, value, help, setter): getopt
 * reads them (cmd_run.c), --help prints them, and the completion and the
 * man page are written from that help. The options that follow a
 * --workload W are W's (its registry table) and apply to it; run's options
 * may come anywhere, in order (--group opens a group whose limits and
 * workloads follow it). Each setter is 0 or -EINVAL with a->msg.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmknob.h"
#include "parse.h"
#include "run_args.h"
#include "topo.h"

/* --- the workloads' own options ------------------------------------------ */

/* Parses val into the option's field. 0 or -EINVAL with msg. */
static int set_opt(void *priv, const struct wl_opt *o, const char *val, char *msg, size_t len)
{
	char *f = (char *)priv + o->off;

	switch (o->type) {
	case WOPT_SIZE:
		return parse_size(val, (uint64_t *)f, msg, len);
	case WOPT_DURATION:
		return parse_duration(val, (uint64_t *)f, msg, len);
	case WOPT_UINT:
		return parse_uint(val, 0, UINT32_MAX, (uint64_t *)f, msg, len);
	case WOPT_BOOL:
		return parse_bool(val, (bool *)f, msg, len);
	case WOPT_DOUBLE:
		return parse_double(val, (double *)f, msg, len);
	case WOPT_STR:
		if (strlen(val) >= WL_STR_MAX) {
			snprintf(msg, len, "value too long");
			return -EINVAL;
		}
		snprintf(f, WL_STR_MAX, "%s", val);
		return 0;
	}
	return -EINVAL;
}

static const struct wl_opt *find_opt(const struct workload *w, const char *name)
{
	for (const struct wl_opt *o = w->opts; o->name; o++)
		if (!strcmp(o->name, name) || (o->alias && !strcmp(o->alias, name)))
			return o;
	return NULL;
}

int run_unknown(struct run_args *a, const char *name)
{
	if (a->cur)
		return bad(a, "--%s: unknown option (not a run option nor one of %s's; see --help)",
			   name, a->cur->w->name);
	return bad(a, "--%s: unknown option (workload options go after --workload W)", name);
}

/* The name of --name[=value] as typed. */
const char *run_typed_name(const char *arg, char *buf, size_t len)
{
	const char *eq = strchr(arg, '=');

	arg += 2;
	snprintf(buf, len, "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
	return buf;
}

/* --NAME VAL of the current workload (name as getopt matched it, typed as
 * the user wrote it). 0 or -EINVAL. */
int run_set_wl_opt(struct run_args *a, const char *name, const char *val, const char *typed)
{
	const struct wl_opt *o = a->cur ? find_opt(a->cur->w, name) : NULL;
	char msg[256], tn[64];

	if (!o)
		return run_unknown(a, run_typed_name(typed, tn, sizeof(tn)));
	if (set_opt(a->cur->priv, o, val, msg, sizeof(msg)))
		return bad(a, "--%s %s", name, msg);
	json_object_set_new(a->cur->opts, o->name, json_string(val));
	return 0;
}

static struct wl_inst *add_workload(struct run_cfg *c, const char *name, char *msg, size_t len)
{
	const struct workload *w = workload_find(name);
	struct wl_inst *in;

	if (!w) {
		int n = snprintf(msg, len, "--workload '%s': unknown (one of:", name);

		for (int i = 0; workloads[i]; i++)
			n += snprintf(msg + n, n < (int)len ? len - (size_t)n : 0, " %s", workloads[i]->name);
		snprintf(msg + n, n < (int)len ? len - (size_t)n : 0, ")");
		return NULL;
	}
	if (c->nr_wl == RUN_MAX_WL) {
		snprintf(msg, len, "at most %d workloads in one run", RUN_MAX_WL);
		return NULL;
	}
	in = &c->wl[c->nr_wl++];
	in->w = w;
	in->cpu_node = -1;
	in->mem_nodes[0] = 0;
	in->mem_policy = TOPO_POL_NONE;
	in->group = c->nr_groups ? (int)c->nr_groups - 1 : -1;
	in->priv = calloc(1, w->priv_size);
	in->opts = json_object();
	for (const struct wl_opt *o = w->opts; o->name; o++) {
		if (o->def && set_opt(in->priv, o, o->def, msg, len))
			return NULL;	/* a bad default is our bug */
		json_object_set_new(in->opts, o->name, json_string(o->def ? o->def : ""));
	}
	return in;
}
/* --- run's options: one setter each, 0 or -EINVAL with a->msg ------------ */

static int opt_workload(struct run_args *a, const struct run_opt *o, const char *val)
{
	(void)o;
	a->cur = add_workload(&a->c, val, a->msg, sizeof(a->msg));
	return a->cur ? 0 : -EINVAL;
}

static int opt_group(struct run_args *a, const struct run_opt *o, const char *val)
{
	struct run_cfg *c = &a->c;
	size_t n = strspn(val, "abcdefghijklmnopqrstuvwxyz0123456789_");

	(void)o;
	if (!*val || n != strlen(val) || n >= sizeof(c->groups[0].name))
		return bad(a, "--group '%s': a short name (a-z, 0-9, _)", val);
	if (c->nr_groups == RUN_MAX_GROUPS)
		return bad(a, "--group: at most %d groups", RUN_MAX_GROUPS);
	for (unsigned int g = 0; g < c->nr_groups; g++)
		if (!strcmp(c->groups[g].name, val))
			return bad(a, "--group %s: given twice", val);
	snprintf(c->groups[c->nr_groups++].name, sizeof(c->groups[0].name), "%s", val);
	a->cur = NULL;	/* what follows is the group's, up to its --workload */
	return 0;
}

#define NOT_A_LIMIT "not a limit (leave it out for the kernel's default)"

/*
 * The options whose value is a size, and why 0 is refused where it is
 * ("--NAME 0: why0": what was meant instead; NULL: 0 is a value).
 */
static const struct {
	const char *name, *why0;
} sizes[] = {
	/* 0 would run uncapped without a word: say what was meant */
	{ "cap", "not a cap (leave --cap out to run uncapped)" },
	{ "high", NOT_A_LIMIT },
	{ "low", NOT_A_LIMIT },
	{ "min", NOT_A_LIMIT },
	{ "swap-max", NULL },	/* swap.max 0: no swap, a limit */
	{ "soft-limit", NOT_A_LIMIT },
	{ "compress-above", "a size (--compress zstd compresses from the start)" },
	{ "global-pressure", "a size of memory to leave available (e.g. 256M)" },
};

/*
 * Where --NAME SIZE goes (NAME the i-th of sizes[]): --cap and the limits
 * after --group G are G's, else the run's.
 */
static uint64_t *size_dst(struct run_args *a, size_t i)
{
	struct run_cfg *c = &a->c;
	struct run_group *g = c->nr_groups ? &c->groups[c->nr_groups - 1] : NULL;
	struct cg_limits *L = g ? &g->lim : &c->lim;
	uint64_t *dst[] = {
		g ? &g->cap : &c->cap, &L->high, &L->low, &L->min, &L->swap_max, &L->soft_limit,
		&c->compress_above, &c->global_pressure,
	};

	_Static_assert(sizeof(dst) / sizeof(dst[0]) == sizeof(sizes) / sizeof(sizes[0]),
		       "one place per size option");
	L->swap_max_set |= dst[i] == &L->swap_max;	/* set, even to 0 */
	return dst[i];
}

/*
 * Every option whose value is a size (--cap, the memcg limits,
 * --compress-above, --global-pressure): parsed into its place, 0 refused
 * with its why0. A group's --cap says which group instead.
 */
static int opt_size(struct run_args *a, const struct run_opt *o, const char *val)
{
	struct run_cfg *c = &a->c;
	bool group_cap = c->nr_groups && !strcmp(o->name, "cap");
	char msg[256];
	uint64_t *dst;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && strcmp(sizes[i].name, o->name); i++)
		;
	if (i == sizeof(sizes) / sizeof(sizes[0]))
		return bad(a, "--%s: not a size option", o->name);	/* the table's bug */
	dst = size_dst(a, i);
	if (parse_size(val, dst, msg, sizeof(msg)) || (group_cap && !*dst)) {
		if (group_cap)
			return bad(a, "--cap %s: a size for group %s", val,
				   c->groups[c->nr_groups - 1].name);
		return bad(a, "--%s %s", o->name, msg);
	}
	if (!*dst && sizes[i].why0)
		return bad(a, "--%s 0: %s", o->name, sizes[i].why0);
	return 0;
}

static int opt_cap_as(struct run_args *a, const struct run_opt *o, const char *val)
{
	(void)o;
	if (strcmp(val, "max") && strcmp(val, "high"))
		return bad(a, "--cap-as '%s': max or high", val);
	a->cap_as_high = !strcmp(val, "high");
	return 0;
}

/* --NAME N, a whole number from lo to hi, into *v. 0 or -EINVAL. */
static int uint_opt(struct run_args *a, const struct run_opt *o, const char *val, uint64_t lo,
		    uint64_t hi, uint64_t *v)
{
	char msg[256];

	if (parse_uint(val, lo, hi, v, msg, sizeof(msg)))
		return bad(a, "--%s %s", o->name, msg);
	return 0;
}

/* --cpu-node, --mem-node, --mem-policy: the current workload's placement. */
static int opt_place(struct run_args *a, const struct run_opt *o, const char *val)
{
	struct wl_inst *cur = a->cur;
	uint64_t v;

	if (!cur)
		return bad(a, "--%s: goes after the --workload W it places (--node places "
			   "the whole run)", o->name);
	if (!strcmp(o->name, "cpu-node")) {
		if (uint_opt(a, o, val, 0, 4095, &v))
			return -EINVAL;
		cur->cpu_node = (int)v;
	} else if (!strcmp(o->name, "mem-node")) {
		if (strlen(val) >= sizeof(cur->mem_nodes) || !topo_nodes_check(val, false))
			return bad(a, "--mem-node '%s': a node or a list (0, 1, 0,1, 0-1)", val);
		snprintf(cur->mem_nodes, sizeof(cur->mem_nodes), "%s", val);
	} else {
		int pol = topo_policy_parse(val);

		if (pol < 0)
			return bad(a, "--mem-policy '%s': bind, preferred or interleave", val);
		cur->mem_policy = pol;
	}
	return 0;
}

static int opt_node(struct run_args *a, const struct run_opt *o, const char *val)
{
	uint64_t v;

	if (uint_opt(a, o, val, 0, 4095, &v))
		return -EINVAL;
	a->c.node = (int)v;
	return 0;
}

/* After --workload W: W's; before any: every workload's default. */
static int opt_workers(struct run_args *a, const struct run_opt *o, const char *val)
{
	uint64_t v;

	if (uint_opt(a, o, val, 1, 256, &v))
		return -EINVAL;
	if (a->cur) {
		a->cur->workers = (unsigned int)v;
		a->workers_set[a->cur - a->c.wl] = true;
	} else {
		a->default_workers = (unsigned int)v;
	}
	return 0;
}

/* --duration, --grace, --tick */
static int opt_time(struct run_args *a, const struct run_opt *o, const char *val)
{
	struct run_cfg *c = &a->c;
	uint64_t *dst = !strcmp(o->name, "duration") ? &c->duration_ns :
		!strcmp(o->name, "grace") ? &c->grace_ns : &c->tick_ns;
	char msg[256];

	if (parse_duration(val, dst, msg, sizeof(msg)))
		return bad(a, "--%s %s", o->name, msg);
	if (dst == &c->duration_ns && (!c->duration_ns || c->duration_ns > 86400ull * 1000000000ull))
		return bad(a, "--duration %s: must be between 1ns and 24h", val);
	if (dst == &c->tick_ns && c->tick_ns < 10000000ull)
		return bad(a, "--tick %s: at least 10ms", val);
	return 0;
}

static int opt_out(struct run_args *a, const struct run_opt *o, const char *val)
{
	(void)o;
	if (!*val || strlen(val) >= sizeof(a->c.out) - 64)
		return bad(a, "--out '%s': not a usable path", val);
	snprintf(a->c.out, sizeof(a->c.out), "%s", val);
	return 0;
}

static int opt_flag(struct run_args *a, const struct run_opt *o, const char *val)
{
	(void)val;
	if (!strcmp(o->name, "no-capture"))
		a->c.capture = false;
	else if (!strcmp(o->name, "callchain"))
		a->c.cap_opts.callchain = true;
	else if (!strcmp(o->name, "count-nofail"))
		a->c.cap_opts.nofail = true;
	else if (!strcmp(o->name, "no-offcpu"))
		a->c.cap_opts.offcpu = false;
	else if (!strcmp(o->name, "no-oncpu"))
		a->oncpu = -1;
	else if (!strcmp(o->name, "oncpu"))
		a->oncpu = 1;
	else if (!strcmp(o->name, "dry-run"))
		a->dry_run = true;
	else
		a->i_mean_it = true;
	return 0;
}

static int opt_events(struct run_args *a, const struct run_opt *o, const char *val)
{
	(void)o;
	a->c.cap_opts.events = val;	/* checked against tracefs by the runner's preflight */
	return 0;
}

/* --ring-pages (perf, per CPU) and --ring-ops (per worker): powers of two. */
static int opt_ring(struct run_args *a, const struct run_opt *o, const char *val)
{
	bool pages = !strcmp(o->name, "ring-pages");
	uint64_t lo = pages ? 1 : 1024, hi = pages ? 1 << 20 : 1 << 24, v;
	char msg[256];

	if (parse_uint(val, lo, hi, &v, msg, sizeof(msg)) || (v & (v - 1)))
		return bad(a, "--%s '%s': a power of two from %llu to %llu", o->name, val,
			   (unsigned long long)lo, (unsigned long long)hi);
	if (pages)
		a->c.cap_opts.ring_pages = v;
	else
		a->c.ring_ops = v;
	return 0;
}

static int opt_compress(struct run_args *a, const struct run_opt *o, const char *val)
{
	(void)o;
	if (!strcmp(val, "auto"))
		a->c.compress = RF_AUTO;
	else if (!strcmp(val, "zstd"))
		a->c.compress = RF_ZSTD;
	else if (!strcmp(val, "none"))
		a->c.compress = RF_PLAIN;
	else
		return bad(a, "--compress '%s': one of auto, zstd, none", val);
	return 0;
}
static int opt_cgroup_parent(struct run_args *a, const struct run_opt *o, const char *val)
{
	(void)o;
	if (strstr(val, "..") || strlen(val) >= sizeof(a->c.cgroup_parent))
		return bad(a, "--cgroup-parent '%s': not a cgroup path", val);
	snprintf(a->c.cgroup_parent, sizeof(a->c.cgroup_parent), "%s", val[0] == '/' ? val + 1 : val);
	return 0;
}

static int opt_mm(struct run_args *a, const struct run_opt *o, const char *val)
{
	(void)o;
	return mm_parse(&a->c.mm, val, a->msg, sizeof(a->msg)) ? -EINVAL : 0;
}

const struct run_opt run_opts[] = {
	{ "workload", "W", opt_workload, "a workload to run (listed below); the options after\n"
	  "it are its own (repeatable: workloads run side by side)" },
	{ "cap", "SIZE", opt_size, "memory cap of the run's cgroup (e.g. 128M; default: none)" },
	{ "cap-as", "max|high", opt_cap_as, "the cap as memory.max (default: reclaim, then OOM) or as\n"
	  "memory.high (v2: throttle, no memory.max, no OOM kill)" },
	{ "high", "SIZE", opt_size, "memory.high of the run's cgroup (v2): throttle there instead of\n"
	  "reclaim-or-OOM at a cap (with no --cap, workloads size by it)" },
	{ "low", "SIZE", opt_size, "memory.low protection (v2)" },
	{ "min", "SIZE", opt_size, "memory.min protection (v2)" },
	{ "swap-max", "SIZE", opt_size, "memory.swap.max (v2; 0 = no swap for the group)" },
	{ "soft-limit", "SIZE", opt_size, "memory.soft_limit_in_bytes (v1)" },
	{ "group", "NAME", opt_group, "a sibling cgroup below the run's: the limits (--cap, --high,\n"
	  "--low, --min...) and --workload's that follow are its own\n"
	  "(a protected workload next to an aggressor); up to 4" },
	{ "node", "N", opt_node, "bind workers' CPUs and memory to NUMA node N" },
	{ "cpu-node", "N", opt_place, "after --workload W: W's workers run on node N's CPUs" },
	{ "mem-node", "N[,M]", opt_place, "after --workload W: W's memory on these nodes (remote reclaim\n"
	  "when it differs from --cpu-node)" },
	{ "mem-policy", "P", opt_place, "after --workload W: bind (default), preferred or interleave" },
	{ "workers", "N", opt_workers, "workers per workload (after --workload W: for W only; default 2,\n"
	  "memhog 1)" },
	{ "duration", "T", opt_time, "how long workers issue operations (default 10s)" },
	{ "grace", "T", opt_time, "after the duration, how long before workers are killed (default 30s)" },
	{ "out", "DIR", opt_out, "result directory (default results/<kernel>/<time>-<workload>)" },
	{ "tick", "T", opt_time, "timeline sampling interval (default 100ms)" },
	{ "dry-run", NULL, opt_flag, "check the command line only (exit 0 or 2), create nothing" },
	{ "no-capture", NULL, opt_flag, "do not trace reclaim stalls" },
	{ "events", "LIST", opt_events, "+sys:event,-sys:event changes to the traced set" },
	{ "callchain", NULL, opt_flag, "record kernel call chains at stall begin (stacks.folded)" },
	{ "count-nofail", NULL, opt_flag, "count __GFP_NOFAIL allocations per op (per-thread\n"
	  "perf counters, none lost; on with --global-pressure; also recorded,\n"
	  "with stacks, under --callchain)" },
	{ "no-offcpu", NULL, opt_flag, "do not record the workers' switches and wake-ups (time asleep\n"
	  "by wait site and waker: offcpu.csv, offcpu_stacks.folded)" },
	{ "no-oncpu", NULL, opt_flag, "do not sample the workers on a CPU (cpu-clock with kernel stacks,\n"
	  "1 kHz of their CPU time: oncpu.csv, oncpu_stacks.folded)" },
	{ "oncpu", NULL, opt_flag, "sample them even in a QEMU TCG guest, where it is off by default\n"
	  "(an emulated sample costs ~2 ms of guest CPU: it would change what is measured)" },
	{ "ring-pages", "N", opt_ring, "perf ring data pages per CPU (power of two)" },
	{ "ring-ops", "N", opt_ring, "op records per worker ring (power of two; default 65536)" },
	{ "cgroup-parent", "P", opt_cgroup_parent, "create the run's cgroup below P (a delegated subtree)" },
	{ "compress", "M", opt_compress, "ops.csv/stalls.csv as zstd (.csv.zst): auto (once a file passes\n"
	  "--compress-above), zstd (always) or none" },
	{ "compress-above", "SIZE", opt_size, "where --compress auto starts (default 64M)" },
	{ "global-pressure", "SIZE", opt_size, "hold the whole machine at SIZE MemAvailable for the run\n"
	  "(mlocked memory outside the run's cgroup; not a VM: add --i-mean-it)" },
	{ "i-mean-it", NULL, opt_flag, "confirms --global-pressure on a machine that is not a VM" },
	{ "mm", "KEY=VALUE", opt_mm, "set a kernel mm knob for the run, put back after (repeatable):" },
};
const size_t nr_run_opts = sizeof(run_opts) / sizeof(run_opts[0]);

void run_usage(FILE *f)
{
	fprintf(f, "usage: stallbench run --workload W [workload options] [--workload W2 ...] [options]\n");
	for (size_t i = 0; i < nr_run_opts; i++) {
		const struct run_opt *o = &run_opts[i];
		char left[48];
		const char *h = o->help, *nl;

		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, strlen(left) < 20 ? "  %-20s" : "  %s  ", left);
		while ((nl = strchr(h, '\n'))) {
			fprintf(f, "%.*s\n%22s", (int)(nl - h), h, "");
			h = nl + 1;
		}
		fprintf(f, "%s\n", h);
	}
	mm_help(f);
	fprintf(f, "workloads:\n");
	for (int i = 0; workloads[i]; i++) {
		fprintf(f, "  %-16s %s\n", workloads[i]->name, workloads[i]->help);
		for (const struct wl_opt *o = workloads[i]->opts; o->name; o++)
			fprintf(f, "      --%-14s %s (default %s)%s%s\n", o->name, o->help,
				o->def && *o->def ? o->def : "none", o->alias ? "; also --" : "",
				o->alias ? o->alias : "");
	}
}