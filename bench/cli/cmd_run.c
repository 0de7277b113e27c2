/*
 * `stallbench run`: parses and checks the whole command line before anything
 * is created (bad input is one line on stderr, exit 2, nothing written),
 * then hands the run to the runner. run's own options are one table (name,
 * value, help, setter): getopt_long reads them, --help prints them, and the
 * completion and the man page are written from that help. The options that
 * follow a --workload W are W's (its registry table) and apply to it; run's
 * options may come anywhere, in order (--group opens a group whose limits
 * and workloads follow it).
 */
#include "runner.h"
#include "parse.h"
#include "pressure.h"
#include "sysinfo.h"
#include "topo.h"
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* What the command line builds up before it is checked as a whole. */
struct run_args {
	struct run_cfg c;
	struct wl_inst *cur;		/* the --workload the options after it belong to */
	bool workers_set[RUN_MAX_WL];
	bool i_mean_it, cap_as_high, dry_run;
	int oncpu;			/* --oncpu 1, --no-oncpu -1, 0: not said (on unless TCG) */
	unsigned int default_workers;
	char msg[512];			/* the one line of a refusal */
};

/* Sets a->msg (the refusal's line, without "stallbench run: "); -EINVAL. */
static int __attribute__((format(printf, 2, 3))) bad(struct run_args *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof(a->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* --NAME VAL, a size, into *dst; 0 refused with "--NAME 0: why0" (what was
 * meant instead) unless why0 is NULL. 0 or -EINVAL. */
static int size_opt(struct run_args *a, const char *name, const char *val, uint64_t *dst,
		    const char *why0)
{
	char msg[256];

	if (parse_size(val, dst, msg, sizeof(msg)))
		return bad(a, "--%s %s", name, msg);
	if (!*dst && why0)
		return bad(a, "--%s 0: %s", name, why0);
	return 0;
}

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

static int unknown(struct run_args *a, const char *name)
{
	if (a->cur)
		return bad(a, "--%s: unknown option (not a run option nor one of %s's; see --help)",
			   name, a->cur->w->name);
	return bad(a, "--%s: unknown option (workload options go after --workload W)", name);
}

/* The name of --name[=value] as typed. */
static const char *typed_name(const char *arg, char *buf, size_t len)
{
	const char *eq = strchr(arg, '=');

	arg += 2;
	snprintf(buf, len, "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
	return buf;
}

/* --NAME VAL of the current workload (name as getopt matched it, typed as
 * the user wrote it). 0 or -EINVAL. */
static int set_wl_opt(struct run_args *a, const char *name, const char *val, const char *typed)
{
	const struct wl_opt *o = a->cur ? find_opt(a->cur->w, name) : NULL;
	char msg[256], tn[64];

	if (!o)
		return unknown(a, typed_name(typed, tn, sizeof(tn)));
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

struct run_opt;
typedef int (*run_set_fn)(struct run_args *a, const struct run_opt *o, const char *val);

/* One option of run: --name [arg] as --help shows it (help lines after the
 * first are continued below it), and its setter (val NULL for a flag). */
struct run_opt {
	const char *name;
	const char *arg;	/* the value's metavar, NULL: a flag */
	run_set_fn set;
	const char *help;
};

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

/* After --group NAME: that group's cap; else the run's. */
static int opt_cap(struct run_args *a, const struct run_opt *o, const char *val)
{
	struct run_cfg *c = &a->c;
	char msg[256];

	(void)o;
	if (c->nr_groups) {
		struct run_group *g = &c->groups[c->nr_groups - 1];

		if (parse_size(val, &g->cap, msg, sizeof(msg)) || !g->cap)
			return bad(a, "--cap %s: a size for group %s", val, g->name);
		return 0;
	}
	/* 0 would run uncapped without a word: say what was meant */
	return size_opt(a, "cap", val, &c->cap, "not a cap (leave --cap out to run uncapped)");
}

static int opt_cap_as(struct run_args *a, const struct run_opt *o, const char *val)
{
	(void)o;
	if (strcmp(val, "max") && strcmp(val, "high"))
		return bad(a, "--cap-as '%s': max or high", val);
	a->cap_as_high = !strcmp(val, "high");
	return 0;
}

/* --high, --low, --min, --swap-max, --soft-limit: after --group NAME that
 * group's, else the run's. */
static int opt_limit(struct run_args *a, const struct run_opt *o, const char *val)
{
	struct run_cfg *c = &a->c;
	struct cg_limits *L = c->nr_groups ? &c->groups[c->nr_groups - 1].lim : &c->lim;
	const char *n = o->name;
	uint64_t *dst = !strcmp(n, "high") ? &L->high : !strcmp(n, "low") ? &L->low :
		!strcmp(n, "min") ? &L->min : !strcmp(n, "swap-max") ? &L->swap_max : &L->soft_limit;
	bool swap = !strcmp(n, "swap-max");	/* swap.max 0: no swap, a limit */

	if (size_opt(a, n, val, dst,
		     swap ? NULL : "not a limit (leave it out for the kernel's default)"))
		return -EINVAL;
	if (swap)
		L->swap_max_set = true;
	return 0;
}

/* --cpu-node, --mem-node, --mem-policy: the current workload's placement. */
static int opt_place(struct run_args *a, const struct run_opt *o, const char *val)
{
	struct wl_inst *cur = a->cur;
	char msg[256];
	uint64_t v;

	if (!cur)
		return bad(a, "--%s: goes after the --workload W it places (--node places "
			   "the whole run)", o->name);
	if (!strcmp(o->name, "cpu-node")) {
		if (parse_uint(val, 0, 4095, &v, msg, sizeof(msg)))
			return bad(a, "--cpu-node %s", msg);
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
	char msg[256];
	uint64_t v;

	(void)o;
	if (parse_uint(val, 0, 4095, &v, msg, sizeof(msg)))
		return bad(a, "--node %s", msg);
	a->c.node = (int)v;
	return 0;
}

/* After --workload W: W's; before any: every workload's default. */
static int opt_workers(struct run_args *a, const struct run_opt *o, const char *val)
{
	char msg[256];
	uint64_t v;

	(void)o;
	if (parse_uint(val, 1, 256, &v, msg, sizeof(msg)))
		return bad(a, "--workers %s", msg);
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

static int opt_compress_above(struct run_args *a, const struct run_opt *o, const char *val)
{
	(void)o;
	return size_opt(a, "compress-above", val, &a->c.compress_above,
			"a size (--compress zstd compresses from the start)");
}

static int opt_cgroup_parent(struct run_args *a, const struct run_opt *o, const char *val)
{
	(void)o;
	if (strstr(val, "..") || strlen(val) >= sizeof(a->c.cgroup_parent))
		return bad(a, "--cgroup-parent '%s': not a cgroup path", val);
	snprintf(a->c.cgroup_parent, sizeof(a->c.cgroup_parent), "%s", val[0] == '/' ? val + 1 : val);
	return 0;
}

static int opt_global_pressure(struct run_args *a, const struct run_opt *o, const char *val)
{
	(void)o;
	return size_opt(a, "global-pressure", val, &a->c.global_pressure,
			"a size of memory to leave available (e.g. 256M)");
}

static int opt_mm(struct run_args *a, const struct run_opt *o, const char *val)
{
	(void)o;
	return mm_parse(&a->c.mm, val, a->msg, sizeof(a->msg)) ? -EINVAL : 0;
}

static const struct run_opt run_opts[] = {
	{ "workload", "W", opt_workload, "a workload to run (listed below); the options after\n"
	  "it are its own (repeatable: workloads run side by side)" },
	{ "cap", "SIZE", opt_cap, "memory cap of the run's cgroup (e.g. 128M; default: none)" },
	{ "cap-as", "max|high", opt_cap_as, "the cap as memory.max (default: reclaim, then OOM) or as\n"
	  "memory.high (v2: throttle, no memory.max, no OOM kill)" },
	{ "high", "SIZE", opt_limit, "memory.high of the run's cgroup (v2): throttle there instead of\n"
	  "reclaim-or-OOM at a cap (with no --cap, workloads size by it)" },
	{ "low", "SIZE", opt_limit, "memory.low protection (v2)" },
	{ "min", "SIZE", opt_limit, "memory.min protection (v2)" },
	{ "swap-max", "SIZE", opt_limit, "memory.swap.max (v2; 0 = no swap for the group)" },
	{ "soft-limit", "SIZE", opt_limit, "memory.soft_limit_in_bytes (v1)" },
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
	{ "compress-above", "SIZE", opt_compress_above, "where --compress auto starts (default 64M)" },
	{ "global-pressure", "SIZE", opt_global_pressure, "hold the whole machine at SIZE MemAvailable for the run\n"
	  "(mlocked memory outside the run's cgroup; not a VM: add --i-mean-it)" },
	{ "i-mean-it", NULL, opt_flag, "confirms --global-pressure on a machine that is not a VM" },
	{ "mm", "KEY=VALUE", opt_mm, "set a kernel mm knob for the run, put back after (repeatable):" },
};
#define NR_RUN_OPTS (sizeof(run_opts) / sizeof(run_opts[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: stallbench run --workload W [workload options] [--workload W2 ...] [options]\n");
	for (size_t i = 0; i < NR_RUN_OPTS; i++) {
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

/* --- the parse ----------------------------------------------------------- */

#define OPT_HELP 'h'
#define OPT_RUN 256		/* + index in run_opts */
#define OPT_WL 4096		/* any workload's option (one value: a prefix of two is no ambiguity) */

static bool have_name(const struct option *lo, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(lo[i].name, name))
			return true;
	return false;
}

static size_t add_long(struct option *lo, size_t n, const char *name, int has_arg, int val)
{
	if (have_name(lo, n, name))
		return n;	/* a run option wins over a workload's, the first workload's name over a later */
	lo[n] = (struct option){ name, has_arg, NULL, val };
	return n + 1;
}

/* getopt_long's table: run's options, --help, and every workload's options
 * and aliases (whose the current one takes is decided after the match). */
static struct option *long_options(void)
{
	size_t n = NR_RUN_OPTS + 2, k = 0;
	struct option *lo;

	for (int i = 0; workloads[i]; i++)
		for (const struct wl_opt *o = workloads[i]->opts; o->name; o++)
			n += 1 + !!o->alias;
	lo = calloc(n, sizeof(*lo));
	if (!lo)
		return NULL;
	for (size_t i = 0; i < NR_RUN_OPTS; i++)
		k = add_long(lo, k, run_opts[i].name, run_opts[i].arg ? required_argument : no_argument,
			     OPT_RUN + (int)i);
	k = add_long(lo, k, "help", no_argument, OPT_HELP);
	for (int i = 0; workloads[i]; i++)
		for (const struct wl_opt *o = workloads[i]->opts; o->name; o++) {
			k = add_long(lo, k, o->name, required_argument, OPT_WL);
			if (o->alias)
				k = add_long(lo, k, o->alias, required_argument, OPT_WL);
		}
	return lo;
}

/* What getopt refused in arg (ch '?' or ':'), as one line. -EINVAL. */
static int refused(struct run_args *a, const struct option *lo, int ch, const char *arg)
{
	char name[64];
	int n = 0;

	if (strncmp(arg, "--", 2) || !arg[2])
		return bad(a, "'%s': unexpected argument (options start with --; see --help)", arg);
	typed_name(arg, name, sizeof(name));
	if (ch == ':')
		return bad(a, "--%s: needs a value", name);
	if (optopt >= OPT_RUN || optopt == OPT_HELP)	/* a flag given a value */
		return bad(a, "--%s: takes no value", name);
	for (const struct option *o = lo; o->name; o++)
		n += !strncmp(o->name, name, strlen(name));
	if (n > 1)
		return bad(a, "--%s: ambiguous (more than one option starts so; see --help)", name);
	return unknown(a, name);
}

/* Reads argv into a. 0, 1 for --help (printed), or -EINVAL with a->msg. */
static int parse_args(struct run_args *a, int argc, char **argv)
{
	struct option *lo = long_options();
	int ret = 0, at = 1, ch, li;

	if (!lo)
		return bad(a, "out of memory");
	optind = 0;	/* a fresh getopt scan: main may have used it */
	opterr = 0;
	/* "+": no reordering, the options apply in the order given; ":": a missing value is ':' */
	while (!ret && (at = optind ? optind : 1,
			ch = getopt_long(argc, argv, "+:h", lo, &li)) != -1) {
		if (ch == OPT_HELP) {
			usage(stdout);
			ret = 1;
		} else if (ch == '?' || ch == ':') {
			ret = refused(a, lo, ch, argv[at]);
		} else if (ch == OPT_WL) {
			ret = set_wl_opt(a, lo[li].name, optarg, argv[at]);
		} else {
			const struct run_opt *o = &run_opts[ch - OPT_RUN];

			ret = o->set(a, o, optarg);
		}
	}
	if (!ret && at < argc && !strcmp(argv[at], "--"))
		ret = bad(a, "'--': unexpected argument (options start with --; see --help)");
	else if (!ret && optind < argc)
		ret = bad(a, "'%s': unexpected argument (options start with --; see --help)",
			  argv[optind]);
	free(lo);
	return ret;
}

/* --- the command line as a whole ----------------------------------------- */

/* v2 has no processes in a group with children: with groups, every workload in one. */
static int check_groups(struct run_args *a)
{
	struct run_cfg *c = &a->c;

	for (unsigned int i = 0; i < c->nr_wl; i++)
		if (c->nr_groups && c->wl[i].group < 0)
			return bad(a, "--workload %s before the first --group: with groups, every "
				   "workload goes in one", c->wl[i].w->name);
	for (unsigned int g = 0; g < c->nr_groups; g++) {
		bool used = false;

		for (unsigned int i = 0; i < c->nr_wl; i++)
			used |= c->wl[i].group == (int)g;
		if (!used)
			return bad(a, "--group %s: no --workload in it", c->groups[g].name);
		if (c->cap && c->groups[g].cap > c->cap)
			return bad(a, "--group %s: its --cap is above the run's", c->groups[g].name);
	}
	return 0;
}

/* --cap-as high, then the cap itself: a size this machine can hold. */
static int check_cap(struct run_args *a)
{
	struct run_cfg *c = &a->c;
	uint64_t total = mem_total_bytes();
	char x[32], y[32];

	if (a->cap_as_high) {
		/* the same size, the other file: memory.high, and no memory.max */
		if (!c->cap)
			return bad(a, "--cap-as high: needs --cap SIZE");
		if (c->lim.high)
			return bad(a, "--cap-as high: --high is given as well; give one of them");
		c->lim.high = c->cap;
		c->cap = 0;
	}
	if (!c->cap)
		return 0;
	if (c->cap < (4ull << 20))
		return bad(a, "--cap %s: too small (at least 4M)", fmt_size(c->cap, x, sizeof(x)));
	if (!a->dry_run && total && c->cap > total)
		return bad(a, "--cap %s: above this machine's RAM (%s)", fmt_size(c->cap, x, sizeof(x)),
			   fmt_size(total, y, sizeof(y)));
	return 0;
}

/* Limits that cannot act as asked are refused, not run quietly. */
static int check_limits(struct run_args *a)
{
	const struct run_cfg *c = &a->c;
	const struct { const char *n; uint64_t v; } L[] = {
		{ "--high", c->lim.high }, { "--low", c->lim.low }, { "--min", c->lim.min },
		{ "--soft-limit", c->lim.soft_limit },
	};
	char x[32], y[32];

	for (size_t q = 0; q < sizeof(L) / sizeof(L[0]); q++)
		if (c->cap && L[q].v > c->cap)
			return bad(a, "%s %s: above --cap %s (%s)", L[q].n,
				   fmt_size(L[q].v, x, sizeof(x)), fmt_size(c->cap, y, sizeof(y)),
				   q ? "protects more than the group may hold" : "the cap would act first");
	if (c->lim.min && c->lim.low && c->lim.min > c->lim.low)
		return bad(a, "--min %s: above --low %s", fmt_size(c->lim.min, x, sizeof(x)),
			   fmt_size(c->lim.low, y, sizeof(y)));
	if (c->lim.high && c->lim.high < (4ull << 20))
		return bad(a, "--high %s: too small (at least 4M)", fmt_size(c->lim.high, x, sizeof(x)));
	return 0;
}

/* --global-pressure and what goes with it: --count-nofail, --i-mean-it. */
static int check_pressure(struct run_args *a)
{
	struct run_cfg *c = &a->c;

	if (!a->dry_run && c->global_pressure &&
	    pressure_check(c->global_pressure, a->i_mean_it, a->msg, sizeof(a->msg)))
		return -EINVAL;
	if (c->global_pressure)
		c->cap_opts.nofail = true;	/* the question it is asked for */
	if (c->cap_opts.nofail && !c->capture)
		return bad(a, "--count-nofail: needs the capture (drop --no-capture)");
	if (a->i_mean_it && !c->global_pressure)
		return bad(a, "--i-mean-it: only confirms --global-pressure on a machine that is not a VM");
	return 0;
}

/* --node, and each workload's --cpu-node/--mem-node/--mem-policy; the
 * placement goes into the workload's options (it is part of the experiment). */
static int check_placement(struct run_args *a)
{
	struct run_cfg *c = &a->c;

	if (!a->dry_run && c->node >= 0 && !topo_node_valid(c->node))
		return bad(a, "--node %d: no such NUMA node with memory (this machine has %u)", c->node,
			   topo_nr_nodes());
	for (unsigned int i = 0; i < c->nr_wl; i++) {
		struct wl_inst *in = &c->wl[i];
		json_t *pl;

		if (in->mem_policy != TOPO_POL_NONE && !in->mem_nodes[0])
			return bad(a, "%s: --mem-policy %s needs --mem-node", in->w->name,
				   topo_policy_name(in->mem_policy));
		if ((in->cpu_node >= 0 || in->mem_nodes[0]) && c->node >= 0)
			return bad(a, "%s: --cpu-node/--mem-node with --node: give one placement",
				   in->w->name);
		if (!a->dry_run && in->cpu_node >= 0 && !topo_node_valid(in->cpu_node))
			return bad(a, "%s: --cpu-node %d: no such NUMA node (this machine has %u)",
				   in->w->name, in->cpu_node, topo_nr_nodes());
		if (!a->dry_run && in->mem_nodes[0] && !topo_nodes_valid(in->mem_nodes))
			return bad(a, "%s: --mem-node %s: not nodes of this machine with memory (it has %u)",
				   in->w->name, in->mem_nodes, topo_nr_nodes());
		if (in->mem_nodes[0] && in->mem_policy == TOPO_POL_NONE)
			in->mem_policy = TOPO_POL_BIND;
		if (in->mem_policy == TOPO_POL_PREFERRED && strpbrk(in->mem_nodes, ",-"))
			return bad(a, "%s: --mem-policy preferred takes one node", in->w->name);
		if (in->cpu_node < 0 && !in->mem_nodes[0])
			continue;
		pl = json_object();
		if (in->cpu_node >= 0)
			json_object_set_new(pl, "cpu_node", json_integer(in->cpu_node));
		if (in->mem_nodes[0]) {
			json_object_set_new(pl, "mem_nodes", json_string(in->mem_nodes));
			json_object_set_new(pl, "mem_policy", json_string(topo_policy_name(in->mem_policy)));
		}
		json_object_set_new(in->opts, "placement", pl);
	}
	return 0;
}

/* Each workload's workers, and its own check of its options against the
 * limit it sizes by (its group's, else the run's). */
static int check_workloads(struct run_args *a)
{
	struct run_cfg *c = &a->c;

	for (unsigned int i = 0; i < c->nr_wl; i++) {
		struct wl_inst *in = &c->wl[i];
		struct run_env env = { .cap = c->cap ? c->cap : c->lim.high, .node = c->node,
				       .duration_ns = c->duration_ns };
		char msg[256];

		if (in->group >= 0) {
			const struct run_group *g = &c->groups[in->group];

			if (g->cap || g->lim.high)
				env.cap = g->cap ? g->cap : g->lim.high;
		}
		if (!a->workers_set[i])
			in->workers = in->w->background ? 1 : a->default_workers;
		json_object_set_new(in->opts, "workers", json_integer(in->workers));
		if (in->w->check && in->w->check(in->priv, &env, msg, sizeof(msg)))
			return bad(a, "%s: %s", in->w->name, msg);
	}
	return 0;
}

/* The command line makes sense as a whole (all of it checked with --dry-run). 0 or -EINVAL. */
static int check_args(struct run_args *a)
{
	if (!a->c.nr_wl)
		return bad(a, "no --workload given (try --workload truncate-storm; see --help)");
	if (check_groups(a) || check_cap(a) || check_limits(a) || check_pressure(a) ||
	    check_placement(a) || check_workloads(a))
		return -EINVAL;
	return 0;
}

/* A file can really be created and removed in the nearest existing ancestor
 * of path (path itself when it exists): access(2) says yes to root on /proc
 * or sysfs, where nothing can be created. 0 or -errno. */
static int parent_writable(const char *path)
{
	char buf[PATH_MAX];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", path);
	for (;;) {
		if (!access(buf, F_OK))
			return access(buf, W_OK | X_OK) ? -errno : wl_probe_dir(buf);
		slash = strrchr(buf, '/');
		if (!slash)
			return access(".", W_OK | X_OK) ? -errno : wl_probe_dir(".");
		if (slash == buf)
			return access("/", W_OK | X_OK) ? -errno : wl_probe_dir("/");
		*slash = 0;
	}
}

/* --out, or results/<kernel>/<time>-<workload>-<pid>: a place for a new
 * result, refused before anything is created. 0 or -EINVAL. */
static int check_out(struct run_args *a)
{
	struct run_cfg *c = &a->c;
	char p[PATH_MAX + 16];
	struct stat st;
	int e;

	if (!c->out[0]) {
		struct utsname u;
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;

		uname(&u);
		localtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
		snprintf(c->out, sizeof(c->out), "results/%s/%s-%s-%d", u.release, ts,
			 c->wl[0].w->name, (int)getpid());
	}
	snprintf(p, sizeof(p), "%s/meta.json", c->out);
	if (!access(p, F_OK))
		return bad(a, "--out %s: already holds a result (choose another directory)", c->out);
	if (!stat(c->out, &st) && !S_ISDIR(st.st_mode))
		return bad(a, "--out %s: exists and is not a directory", c->out);
	e = parent_writable(c->out);
	if (e)
		return bad(a, "--out %s: cannot create a file there (%s)", c->out, strerror(-e));
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = {
		.c = { .node = -1, .workers = 0, .duration_ns = 10000000000ull,
		       .grace_ns = 30000000000ull, .tick_ns = 100000000ull, .capture = true,
		       .compress = RF_AUTO, .compress_above = RF_AUTO_ABOVE },
		.default_workers = 2,
	};
	int rc = 0, ret;

	a.c.cap_opts.offcpu = true;
	a.c.argv = json_array();
	for (int i = 0; i < argc; i++)
		json_array_append_new(a.c.argv, json_string(argv[i]));
	ret = parse_args(&a, argc, argv);	/* 1: --help, printed */
	/* a sample under TCG costs ~2 ms of guest CPU (a memory.high fill's CPU time 0.43 s
	 * without, 0.78-1.44 s with): there, only when asked */
	a.c.cap_opts.oncpu = a.oncpu ? a.oncpu > 0 : strcmp(sysinfo_virt(), "tcg") != 0;
	if (!ret)
		ret = check_args(&a);
	/* --dry-run: the command line is good; nothing of this machine is checked */
	if (!ret && !a.dry_run)
		ret = check_out(&a);
	if (ret < 0) {
		fprintf(stderr, "stallbench run: %s\n", a.msg);
		rc = 2;
	} else if (!ret && !a.dry_run) {
		rc = run_execute(&a.c);
	}
	for (unsigned int i = 0; i < a.c.nr_wl; i++) {
		free(a.c.wl[i].priv);
		json_decref(a.c.wl[i].opts);
	}
	json_decref(a.c.argv);
	return rc;
}
