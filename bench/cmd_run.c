/* `stallbench run`: parses and checks the whole command line before anything
 * is created (bad input exits 2 and writes nothing), then hands the run to
 * the runner. Workload options follow the --workload they belong to. */
#include "runner.h"
#include "parse.h"
#include "pressure.h"
#include "sysinfo.h"
#include "topo.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
"usage: stallbench run --workload W [workload options] [--workload W2 ...] [options]\n"
"  --cap SIZE          memory cap of the run's cgroup (e.g. 128M; default: none)\n"
"  --cap-as max|high   the cap as memory.max (default: reclaim, then OOM) or as\n"
"                      memory.high (v2: throttle, no memory.max, no OOM kill)\n"
"  --high SIZE         memory.high of the run's cgroup (v2): throttle there instead of\n"
"                      reclaim-or-OOM at a cap (with no --cap, workloads size by it)\n"
"  --low SIZE, --min SIZE  memory.low / memory.min protection (v2)\n"
"  --swap-max SIZE     memory.swap.max (v2; 0 = no swap for the group)\n"
"  --soft-limit SIZE   memory.soft_limit_in_bytes (v1)\n"
"  --group NAME        a sibling cgroup below the run's: the limits (--cap, --high,\n"
"                      --low, --min...) and --workload's that follow are its own\n"
"                      (a protected workload next to an aggressor); up to 4\n"
"  --node N            bind workers' CPUs and memory to NUMA node N\n"
"  --cpu-node N        after --workload W: W's workers run on node N's CPUs\n"
"  --mem-node N[,M]    after --workload W: W's memory on these nodes (remote reclaim\n"
"                      when it differs from --cpu-node)\n"
"  --mem-policy P      after --workload W: bind (default), preferred or interleave\n"
"  --workers N         workers per workload (after --workload W: for W only; default 2, memhog 1)\n"
"  --duration T        how long workers issue operations (default 10s)\n"
"  --grace T           after the duration, how long before workers are killed (default 30s)\n"
"  --out DIR           result directory (default results/<kernel>/<time>-<workload>)\n"
"  --tick T            timeline sampling interval (default 100ms)\n"
"  --dry-run           check the command line only (exit 0 or 2), create nothing\n"
"  --no-capture        do not trace reclaim stalls\n"
"  --events LIST       +sys:event,-sys:event changes to the traced set\n"
"  --callchain         record kernel call chains at stall begin (stacks.folded)\n"
"  --count-nofail      count __GFP_NOFAIL allocations per op (on with --global-pressure)\n"
"  --ring-pages N      perf ring data pages per CPU (power of two)\n"
"  --cgroup-parent P   create the run's cgroup below P (a delegated subtree)\n"
"  --compress M        ops.csv/stalls.csv as zstd (.csv.zst): auto (once a file passes\n"
"                      --compress-above, default 64M), zstd (always) or none\n"
"  --global-pressure SIZE  hold the whole machine at SIZE MemAvailable for the run\n"
"                      (mlocked memory outside the run's cgroup; not a VM: add --i-mean-it)\n"
"  --mm KEY=VALUE      set a kernel mm knob for the run, put back after (repeatable):\n");
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

/* Nearest existing ancestor of path is writable. */
static int parent_writable(const char *path)
{
	char buf[PATH_MAX];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", path);
	for (;;) {
		if (!access(buf, F_OK))
			return access(buf, W_OK | X_OK) ? -errno : 0;
		slash = strrchr(buf, '/');
		if (!slash)
			return access(".", W_OK | X_OK) ? -errno : 0;
		if (slash == buf)
			return access("/", W_OK | X_OK) ? -errno : 0;
		*slash = 0;
	}
}

#define BAD(...) do { fprintf(stderr, "stallbench run: " __VA_ARGS__); fputc('\n', stderr); \
		      rc = 2; goto out; } while (0)

int cmd_run(int argc, char **argv)
{
	struct run_cfg c = {
		.node = -1, .workers = 0, .duration_ns = 10000000000ull,
		.grace_ns = 30000000000ull, .tick_ns = 100000000ull, .capture = true,
		.compress = RF_AUTO, .compress_above = RF_AUTO_ABOVE,
	};
	struct wl_inst *cur = NULL;
	char msg[512];
	int rc = 0;
	uint64_t v;
	bool workers_set[RUN_MAX_WL] = { false }, i_mean_it = false, cap_as_high = false,
	     dry_run = false;
	unsigned int default_workers = 2;

	c.argv = json_array();
	for (int i = 0; i < argc; i++)
		json_array_append_new(c.argv, json_string(argv[i]));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		char name[64];
		const char *eq;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			goto out;
		}
		if (strncmp(a, "--", 2) || !a[2])
			BAD("'%s': unexpected argument (options start with --; see --help)", a);
		eq = strchr(a, '=');
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - a - 2) : (int)strlen(a + 2), a + 2);
		/* flags without a value */
		if (!strcmp(name, "no-capture")) {
			c.capture = false;
			continue;
		}
		if (!strcmp(name, "callchain")) {
			c.cap_opts.callchain = true;
			continue;
		}
		if (!strcmp(name, "count-nofail")) {
			c.cap_opts.nofail = true;
			continue;
		}
		if (!strcmp(name, "dry-run")) {
			dry_run = true;
			continue;
		}
		if (!strcmp(name, "i-mean-it")) {
			i_mean_it = true;
			continue;
		}
		val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (!val)
			BAD("--%s: needs a value", name);
		if (!strcmp(name, "workload")) {
			cur = add_workload(&c, val, msg, sizeof(msg));
			if (!cur)
				BAD("%s", msg);
		} else if (!strcmp(name, "group")) {
			size_t n = strspn(val, "abcdefghijklmnopqrstuvwxyz0123456789_");

			if (!*val || n != strlen(val) || n >= sizeof(c.groups[0].name))
				BAD("--group '%s': a short name (a-z, 0-9, _)", val);
			if (c.nr_groups == RUN_MAX_GROUPS)
				BAD("--group: at most %d groups", RUN_MAX_GROUPS);
			for (unsigned int g = 0; g < c.nr_groups; g++)
				if (!strcmp(c.groups[g].name, val))
					BAD("--group %s: given twice", val);
			snprintf(c.groups[c.nr_groups++].name, sizeof(c.groups[0].name), "%s", val);
			cur = NULL;	/* what follows is the group's, up to its --workload */
		} else if (!strcmp(name, "cap") && c.nr_groups) {
			struct run_group *g = &c.groups[c.nr_groups - 1];

			if (parse_size(val, &g->cap, msg, sizeof(msg)) || !g->cap)
				BAD("--cap %s: a size for group %s", val, g->name);
		} else if (!strcmp(name, "cap")) {
			if (parse_size(val, &c.cap, msg, sizeof(msg)))
				BAD("--cap %s", msg);
			/* 0 would run uncapped without a word: say what was meant */
			if (!c.cap)
				BAD("--cap 0: not a cap (leave --cap out to run uncapped)");
		} else if (!strcmp(name, "high") || !strcmp(name, "low") || !strcmp(name, "min") ||
			   !strcmp(name, "swap-max") || !strcmp(name, "soft-limit")) {
			/* after --group NAME: that group's; else the run's */
			struct cg_limits *L = c.nr_groups ? &c.groups[c.nr_groups - 1].lim : &c.lim;
			uint64_t *dst = !strcmp(name, "high") ? &L->high : !strcmp(name, "low") ?
				&L->low : !strcmp(name, "min") ? &L->min : !strcmp(name, "swap-max") ?
				&L->swap_max : &L->soft_limit;

			if (parse_size(val, dst, msg, sizeof(msg)))
				BAD("--%s %s", name, msg);
			if (!strcmp(name, "swap-max"))
				L->swap_max_set = true;
			else if (!*dst)
				BAD("--%s 0: not a limit (leave it out for the kernel's default)", name);
		} else if (!strcmp(name, "cpu-node") || !strcmp(name, "mem-node") ||
			   !strcmp(name, "mem-policy")) {
			if (!cur)
				BAD("--%s: goes after the --workload W it places (--node places "
				    "the whole run)", name);
			if (!strcmp(name, "cpu-node")) {
				if (parse_uint(val, 0, 4095, &v, msg, sizeof(msg)))
					BAD("--cpu-node %s", msg);
				cur->cpu_node = (int)v;
			} else if (!strcmp(name, "mem-node")) {
				if (strlen(val) >= sizeof(cur->mem_nodes) || !topo_nodes_check(val, false))
					BAD("--mem-node '%s': a node or a list (0, 1, 0,1, 0-1)", val);
				snprintf(cur->mem_nodes, sizeof(cur->mem_nodes), "%s", val);
			} else {
				int pol = topo_policy_parse(val);

				if (pol < 0)
					BAD("--mem-policy '%s': bind, preferred or interleave", val);
				cur->mem_policy = pol;
			}
		} else if (!strcmp(name, "cap-as")) {
			if (strcmp(val, "max") && strcmp(val, "high"))
				BAD("--cap-as '%s': max or high", val);
			cap_as_high = !strcmp(val, "high");
		} else if (!strcmp(name, "mm")) {
			if (mm_parse(&c.mm, val, msg, sizeof(msg)))
				BAD("%s", msg);
		} else if (!strcmp(name, "global-pressure")) {
			if (parse_size(val, &c.global_pressure, msg, sizeof(msg)))
				BAD("--global-pressure %s", msg);
			if (!c.global_pressure)
				BAD("--global-pressure 0: a size of memory to leave available (e.g. 256M)");
		} else if (!strcmp(name, "node")) {
			if (parse_uint(val, 0, 4095, &v, msg, sizeof(msg)))
				BAD("--node %s", msg);
			c.node = (int)v;
		} else if (!strcmp(name, "workers")) {
			if (parse_uint(val, 1, 256, &v, msg, sizeof(msg)))
				BAD("--workers %s", msg);
			if (cur) {
				cur->workers = (unsigned int)v;
				workers_set[cur - c.wl] = true;
			} else {
				default_workers = (unsigned int)v;
			}
		} else if (!strcmp(name, "duration")) {
			if (parse_duration(val, &c.duration_ns, msg, sizeof(msg)))
				BAD("--duration %s", msg);
			if (!c.duration_ns || c.duration_ns > 86400ull * 1000000000ull)
				BAD("--duration %s: must be between 1ns and 24h", val);
		} else if (!strcmp(name, "grace")) {
			if (parse_duration(val, &c.grace_ns, msg, sizeof(msg)))
				BAD("--grace %s", msg);
		} else if (!strcmp(name, "tick")) {
			if (parse_duration(val, &c.tick_ns, msg, sizeof(msg)))
				BAD("--tick %s", msg);
			if (c.tick_ns < 10000000ull)
				BAD("--tick %s: at least 10ms", val);
		} else if (!strcmp(name, "out")) {
			if (!*val || strlen(val) >= sizeof(c.out) - 64)
				BAD("--out '%s': not a usable path", val);
			snprintf(c.out, sizeof(c.out), "%s", val);
		} else if (!strcmp(name, "events")) {
			c.cap_opts.events = val;
		} else if (!strcmp(name, "ring-pages")) {
			if (parse_uint(val, 1, 1 << 20, &v, msg, sizeof(msg)) || (v & (v - 1)))
				BAD("--ring-pages '%s': a power of two from 1 to 1048576", val);
			c.cap_opts.ring_pages = v;
		} else if (!strcmp(name, "ring-ops")) {
			if (parse_uint(val, 1024, 1 << 24, &v, msg, sizeof(msg)) || (v & (v - 1)))
				BAD("--ring-ops '%s': a power of two from 1024 to 16777216", val);
			c.ring_ops = v;
		} else if (!strcmp(name, "compress")) {
			if (!strcmp(val, "auto"))
				c.compress = RF_AUTO;
			else if (!strcmp(val, "zstd"))
				c.compress = RF_ZSTD;
			else if (!strcmp(val, "none"))
				c.compress = RF_PLAIN;
			else
				BAD("--compress '%s': one of auto, zstd, none", val);
		} else if (!strcmp(name, "compress-above")) {
			if (parse_size(val, &c.compress_above, msg, sizeof(msg)))
				BAD("--compress-above %s", msg);
			if (!c.compress_above)
				BAD("--compress-above 0: a size (--compress zstd compresses from the start)");
		} else if (!strcmp(name, "cgroup-parent")) {
			if (strstr(val, "..") || strlen(val) >= sizeof(c.cgroup_parent))
				BAD("--cgroup-parent '%s': not a cgroup path", val);
			snprintf(c.cgroup_parent, sizeof(c.cgroup_parent), "%s", val[0] == '/' ? val + 1 : val);
		} else {
			const struct wl_opt *o = cur ? find_opt(cur->w, name) : NULL;

			if (!o) {
				if (cur)
					BAD("--%s: unknown option (not a run option nor one of %s's; see --help)",
					    name, cur->w->name);
				BAD("--%s: unknown option (workload options go after --workload W)", name);
			}
			if (set_opt(cur->priv, o, val, msg, sizeof(msg)))
				BAD("--%s %s", name, msg);
			json_object_set_new(cur->opts, o->name, json_string(val));
		}
	}
	if (!c.nr_wl)
		BAD("no --workload given (try --workload truncate-storm; see --help)");
	if (c.nr_groups) {
		/* v2 has no processes in a group with children: every workload in one */
		for (unsigned int i = 0; i < c.nr_wl; i++)
			if (c.wl[i].group < 0)
				BAD("--workload %s before the first --group: with groups, every "
				    "workload goes in one", c.wl[i].w->name);
		for (unsigned int g = 0; g < c.nr_groups; g++) {
			bool used = false;

			for (unsigned int i = 0; i < c.nr_wl; i++)
				used |= c.wl[i].group == (int)g;
			if (!used)
				BAD("--group %s: no --workload in it", c.groups[g].name);
			if (c.cap && c.groups[g].cap > c.cap)
				BAD("--group %s: its --cap is above the run's", c.groups[g].name);
		}
	}
	if (cap_as_high) {
		/* the same size, the other file: memory.high, and no memory.max */
		if (!c.cap)
			BAD("--cap-as high: needs --cap SIZE");
		if (c.lim.high)
			BAD("--cap-as high: --high is given as well; give one of them");
		c.lim.high = c.cap;
		c.cap = 0;
	}
	if (c.cap) {
		uint64_t total = mem_total_bytes();
		char a[32], b[32];

		if (c.cap < (4ull << 20))
			BAD("--cap %s: too small (at least 4M)", fmt_size(c.cap, a, sizeof(a)));
		if (!dry_run && total && c.cap > total)
			BAD("--cap %s: above this machine's RAM (%s)", fmt_size(c.cap, a, sizeof(a)),
			    fmt_size(total, b, sizeof(b)));
	}
	{
		/* limits that cannot act as asked are refused, not run quietly */
		const struct { const char *n; uint64_t v; } L[] = {
			{ "--high", c.lim.high }, { "--low", c.lim.low }, { "--min", c.lim.min },
			{ "--soft-limit", c.lim.soft_limit },
		};
		char a[32], b[32];

		for (size_t q = 0; q < sizeof(L) / sizeof(L[0]); q++)
			if (c.cap && L[q].v > c.cap)
				BAD("%s %s: above --cap %s (%s)", L[q].n,
				    fmt_size(L[q].v, a, sizeof(a)), fmt_size(c.cap, b, sizeof(b)),
				    q ? "protects more than the group may hold" : "the cap would act first");
		if (c.lim.min && c.lim.low && c.lim.min > c.lim.low)
			BAD("--min %s: above --low %s", fmt_size(c.lim.min, a, sizeof(a)),
			    fmt_size(c.lim.low, b, sizeof(b)));
		if (c.lim.high && c.lim.high < (4ull << 20))
			BAD("--high %s: too small (at least 4M)", fmt_size(c.lim.high, a, sizeof(a)));
	}
	if (!dry_run && c.global_pressure && pressure_check(c.global_pressure, i_mean_it, msg, sizeof(msg)))
		BAD("%s", msg);
	if (c.global_pressure)
		c.cap_opts.nofail = true;	/* the question it is asked for */
	if (c.cap_opts.nofail && !c.capture)
		BAD("--count-nofail: needs the capture (drop --no-capture)");
	if (i_mean_it && !c.global_pressure)
		BAD("--i-mean-it: only confirms --global-pressure on a machine that is not a VM");
	if (!dry_run && c.node >= 0 && !topo_node_valid(c.node))
		BAD("--node %d: no such NUMA node with memory (this machine has %u)", c.node,
		    topo_nr_nodes());
	for (unsigned int i = 0; i < c.nr_wl; i++) {
		struct wl_inst *in = &c.wl[i];
		json_t *pl;

		if (in->mem_policy != TOPO_POL_NONE && !in->mem_nodes[0])
			BAD("%s: --mem-policy %s needs --mem-node", in->w->name,
			    topo_policy_name(in->mem_policy));
		if ((in->cpu_node >= 0 || in->mem_nodes[0]) && c.node >= 0)
			BAD("%s: --cpu-node/--mem-node with --node: give one placement", in->w->name);
		if (!dry_run && in->cpu_node >= 0 && !topo_node_valid(in->cpu_node))
			BAD("%s: --cpu-node %d: no such NUMA node (this machine has %u)", in->w->name,
			    in->cpu_node, topo_nr_nodes());
		if (!dry_run && in->mem_nodes[0] && !topo_nodes_valid(in->mem_nodes))
			BAD("%s: --mem-node %s: not nodes of this machine with memory (it has %u)",
			    in->w->name, in->mem_nodes, topo_nr_nodes());
		if (in->mem_nodes[0] && in->mem_policy == TOPO_POL_NONE)
			in->mem_policy = TOPO_POL_BIND;
		if (in->mem_policy == TOPO_POL_PREFERRED && strpbrk(in->mem_nodes, ",-"))
			BAD("%s: --mem-policy preferred takes one node", in->w->name);
		/* placement is part of the experiment: in the workload's options */
		if (in->cpu_node >= 0 || in->mem_nodes[0]) {
			pl = json_object();
			if (in->cpu_node >= 0)
				json_object_set_new(pl, "cpu_node", json_integer(in->cpu_node));
			if (in->mem_nodes[0]) {
				json_object_set_new(pl, "mem_nodes", json_string(in->mem_nodes));
				json_object_set_new(pl, "mem_policy",
						    json_string(topo_policy_name(in->mem_policy)));
			}
			json_object_set_new(in->opts, "placement", pl);
		}
	}
	for (unsigned int i = 0; i < c.nr_wl; i++) {
		struct run_env env = { .cap = c.cap ? c.cap : c.lim.high, .node = c.node,
				       .duration_ns = c.duration_ns };

		if (c.wl[i].group >= 0) {
			/* a workload in a group sizes by its group's limit, else the run's */
			const struct run_group *g = &c.groups[c.wl[i].group];

			if (g->cap || g->lim.high)
				env.cap = g->cap ? g->cap : g->lim.high;
		}

		if (!workers_set[i])
			c.wl[i].workers = c.wl[i].w->background ? 1 : default_workers;
		json_object_set_new(c.wl[i].opts, "workers", json_integer(c.wl[i].workers));
		if (c.wl[i].w->check && c.wl[i].w->check(c.wl[i].priv, &env, msg, sizeof(msg)))
			BAD("%s: %s", c.wl[i].w->name, msg);
	}
	if (dry_run)
		goto out;	/* the command line is good; nothing of this machine is checked */
	if (!c.out[0]) {
		struct utsname u;
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;

		uname(&u);
		localtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
		snprintf(c.out, sizeof(c.out), "results/%s/%s-%s-%d", u.release, ts, c.wl[0].w->name,
			 (int)getpid());
	}
	{
		char p[PATH_MAX + 16];
		struct stat st;
		int e;

		snprintf(p, sizeof(p), "%s/meta.json", c.out);
		if (!access(p, F_OK))
			BAD("--out %s: already holds a result (choose another directory)", c.out);
		if (!stat(c.out, &st) && !S_ISDIR(st.st_mode))
			BAD("--out %s: exists and is not a directory", c.out);
		e = parent_writable(c.out);
		if (e)
			BAD("--out %s: not writable (%s)", c.out, strerror(-e));
	}
	rc = run_execute(&c);
out:
	for (unsigned int i = 0; i < c.nr_wl; i++) {
		free(c.wl[i].priv);
		json_decref(c.wl[i].opts);
	}
	json_decref(c.argv);
	return rc;
}
