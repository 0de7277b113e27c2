/*
 * `stallbench run`'s command line as a whole, before anything is created:
 * groups, the cap and limits, --global-pressure, placement, each workload's
 * own check, then (not under --dry-run) a place for the result.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "pressure.h"
#include "run_args.h"
#include "sysinfo.h"
#include "topo.h"

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
int run_check_args(struct run_args *a)
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
int run_check_out(struct run_args *a)
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
