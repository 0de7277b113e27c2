/*
 * One memory cgroup per run, created through libcgroup so the same code works
 * on cgroup v1 (memory.limit_in_bytes, failcnt, oom_control) and v2
 * (memory.max, memory.events, memory.pressure). Counters are read straight
 * from the files at each timeline tick: that path is hot, and libcgroup's
 * cgroup_get_cgroup() re-reads every file of every controller.
 *
 * Teardown kills the tasks first (cgroup.kill where the kernel has it), then
 * waits for the group to empty before removing it: rmdir of a group whose
 * dying tasks are still exiting fails with EBUSY.
 */
#include "cgroup.h"
#include "sysinfo.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#define CG_PREFIX "stallbench-"
#define CG_LEAF_PREFIX "sb-driver-"	/* a driver's leaf in a delegated subtree */

static int lib_ready;

static int lib_init(void)
{
	int r;

	if (lib_ready)
		return 0;
	r = cgroup_init();
	if (r)
		return -ENODEV;
	lib_ready = 1;
	return 0;
}

int cg_probe(int *version, char *mount, size_t mlen, char *msg, size_t len)
{
	char *mp = NULL;
	struct statfs sf;

	if (lib_init()) {
		snprintf(msg, len, "libcgroup: no cgroup hierarchy mounted (%s)",
			 cgroup_strerror(cgroup_init()));
		return -ENODEV;
	}
	if (cgroup_get_subsys_mount_point("memory", &mp) || !mp) {
		snprintf(msg, len, "memory cgroup controller is not mounted or not enabled");
		return -ENODEV;
	}
	snprintf(mount, mlen, "%s", mp);
	free(mp);
	if (statfs(mount, &sf)) {
		int err = errno;

		snprintf(msg, len, "%.200s: %s", mount, strerror(err));
		return -err;
	}
	*version = sf.f_type == CGROUP2_SUPER_MAGIC ? 2 : 1;
	return 0;
}

/* Writes a string to dir/file. 0 or -errno. */
static int write_file(const char *dir, const char *file, const char *val)
{
	char p[1200];
	int fd, ret = 0;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, file) >= sizeof(p))
		return -ENAMETOOLONG;
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Sends sig to every pid in dir/cgroup.procs. Returns how many were listed. */
static int kill_procs(const char *dir, int sig)
{
	char p[1200];
	FILE *f;
	int pid, n = 0;

	snprintf(p, sizeof(p), "%s/cgroup.procs", dir);
	f = fopen(p, "re");
	if (!f)
		return 0;
	while (fscanf(f, "%d", &pid) == 1) {
		kill(pid, sig);
		n++;
	}
	fclose(f);
	return n;
}

/* Kills the tasks in dir and removes it (children first). 0 or -errno. */
static int remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char sub[1200];

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (e->d_type == DT_DIR && e->d_name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
			remove_tree(sub);
		}
	}
	closedir(d);
	write_file(dir, "cgroup.kill", "1");
	for (int i = 0; i < 500; i++) {	/* up to 5 s for dying tasks to exit */
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (!kill_procs(dir, SIGKILL) && !rmdir(dir))
			return 0;
		if (errno == ENOENT)
			return 0;
		nanosleep(&ts, NULL);
	}
	return rmdir(dir) && errno != ENOENT ? -errno : 0;
}

/* The pid of a dead driver that named the group (stallbench-<pid>-* or,
 * in a delegated subtree, its leaf sb-driver-<pid>), else 0. */
static int dead_owner(const char *name, const char *prefix)
{
	int pid;

	if (strncmp(name, prefix, strlen(prefix)) ||
	    sscanf(name + strlen(prefix), "%d", &pid) != 1 || pid <= 0)
		return 0;
	/* The owning driver is alive (or it is us): not stale. */
	if (pid == getpid() || kill(pid, 0) == 0 || errno == EPERM)
		return 0;
	return pid;
}

int cg_delegated(const char *mount, char *rel, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[1024], p[1600], ctl[512];

	rel[0] = 0;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		if (strncmp(line, "0::", 3))
			continue;
		while (n && line[n - 1] == '\n')
			line[--n] = 0;
		snprintf(rel, len, "%s", line[3] == '/' ? line + 4 : line + 3);
	}
	fclose(f);
	if (!rel[0])
		return 0;
	/* started from a killed driver's leaf (its scope's tasks are still in
	 * it): the delegated subtree is the leaf's parent */
	{
		char *b = strrchr(rel, '/');

		if (b && dead_owner(b + 1, CG_LEAF_PREFIX))
			*b = 0;
	}
	snprintf(p, sizeof(p), "%s/%s/cgroup.controllers", mount, rel);
	f = fopen(p, "re");
	if (!f || !fgets(ctl, sizeof(ctl), f) || !strstr(ctl, "memory") ||
	    (snprintf(p, sizeof(p), "%s/%s/cgroup.subtree_control", mount, rel), access(p, W_OK)))
		rel[0] = 0;
	if (f)
		fclose(f);
	return 0;
}

/* Removes stale groups (their driver is dead) in dir: stallbench-<pid>-*
 * whole, and a dead driver's empty sb-driver-<pid> leaf (one that still
 * holds tasks of the delegated scope is adopted by the next driver that
 * enters the scope: enter_delegated). */
static int reap_dir(const char *dir)
{
	char p[1200];
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (dead_owner(e->d_name, CG_PREFIX) && !remove_tree(p)) {
			fprintf(stderr, "stallbench: removed stale cgroup %s (its run was killed)\n", p);
			n++;
		} else if (dead_owner(e->d_name, CG_LEAF_PREFIX) && !rmdir(p)) {
			fprintf(stderr, "stallbench: removed stale cgroup %s (its driver was killed)\n", p);
			n++;
		}
	}
	closedir(d);
	return n;
}

int cg_reap_stale(void)
{
	char mount[256], msg[256], own[512], p[800];
	int ver = 0, n;

	if (cg_probe(&ver, mount, sizeof(mount), msg, sizeof(msg)))
		return 0;
	n = reap_dir(mount);
	if (ver == 2 && !cg_delegated(mount, own, sizeof(own)) && own[0]) {
		snprintf(p, sizeof(p), "%s/%s", mount, own);
		n += reap_dir(p);
	}
	return n;
}

/* Moves every task of from into to, again while new ones appear (a task
 * that exits meanwhile is fine). Returns how many could not be moved. */
static int move_all(const char *from, const char *to)
{
	char p[1200];
	int bad = 0;

	snprintf(p, sizeof(p), "%s/cgroup.procs", from);
	for (int round = 0; round < 10; round++) {
		FILE *f = fopen(p, "re");
		int pid, seen = 0;

		if (!f)
			return 0;
		bad = 0;
		while (fscanf(f, "%d", &pid) == 1) {
			char b[32];
			int r;

			seen++;
			snprintf(b, sizeof(b), "%d", pid);
			r = write_file(to, "cgroup.procs", b);
			bad += r && r != -ESRCH;
		}
		fclose(f);
		if (!seen)
			break;
	}
	return bad;
}

/* The leaves of killed drivers beside ours: their tasks (the scope's own,
 * which the dead driver had moved there) into our leaf, the leaf removed. */
static void adopt_dead_leaves(const char *own, const char *leaf)
{
	char p[1200];
	DIR *d = opendir(own);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!dead_owner(e->d_name, CG_LEAF_PREFIX))
			continue;
		snprintf(p, sizeof(p), "%s/%s", own, e->d_name);
		move_all(p, leaf);
		if (!rmdir(p))
			fprintf(stderr, "stallbench: removed stale cgroup %s (its driver was killed)\n", p);
	}
	closedir(d);
}

/*
 * A delegated v2 subtree (systemd-run --scope -p Delegate=yes, or a user
 * session's delegated unit): its tasks move into a leaf so that the memory
 * controller can be enabled for children ("no internal processes"), and the
 * run's group is created beside that leaf, never behind systemd's back in
 * the root. 0 or -errno.
 */
static int enter_delegated(struct sb_cgroup *g)
{
	char own[780];

	snprintf(own, sizeof(own), "%s/%s", g->mount, g->own);
	snprintf(g->leaf, sizeof(g->leaf), "%s/" CG_LEAF_PREFIX "%d", own, (int)getpid());
	if (mkdir(g->leaf, 0755) && errno != EEXIST)
		return -errno;
	adopt_dead_leaves(own, g->leaf);
	/* a task the scope forks while its others move (a shell's loop) can
	 * land beside the leaf after the last look: moved on the next try */
	for (int i = 0; i < 20; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (!move_all(own, g->leaf) && !write_file(own, "cgroup.subtree_control", "+memory"))
			return 0;
		nanosleep(&ts, NULL);
	}
	move_all(g->leaf, own);
	rmdir(g->leaf);
	g->leaf[0] = 0;
	return -EBUSY;
}

static void leave_delegated(struct sb_cgroup *g)
{
	char own[1200];

	if (!g->leaf[0])
		return;
	snprintf(own, sizeof(own), "%s/%s", g->mount, g->own);
	write_file(own, "cgroup.subtree_control", "-memory");
	for (int i = 0; i < 100; i++) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		move_all(g->leaf, own);
		if (!rmdir(g->leaf) || errno == ENOENT) {
			g->leaf[0] = 0;
			return;
		}
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "stallbench: cannot remove %s: %s\n", g->leaf, strerror(errno));
}

int cg_create(struct sb_cgroup *g, const char *parent, const char *tag, uint64_t cap,
	      char *msg, size_t len)
{
	struct cgroup *cg;
	struct cgroup_controller *mem;
	int r;

	memset(g, 0, sizeof(*g));
	r = cg_probe(&g->version, g->mount, sizeof(g->mount), msg, len);
	if (r)
		return r;
	if (g->version == 2 && !(parent && *parent) &&
	    !cg_delegated(g->mount, g->own, sizeof(g->own)) && g->own[0]) {
		if (enter_delegated(g)) {	/* not usable: fall back to the root */
			fprintf(stderr, "stallbench: %s/%s: its tasks would not all move into a leaf; "
				"the run's group goes to the root\n", g->mount, g->own);
			g->own[0] = 0;
		} else {
			parent = g->own;
		}
	}
	snprintf(g->name, sizeof(g->name), "%s%s" CG_PREFIX "%d-%s",
		 parent && *parent ? parent : "", parent && *parent ? "/" : "",
		 (int)getpid(), tag);
	snprintf(g->path, sizeof(g->path), "%s/%s", g->mount, g->name);
	g->cap = cap;
	if (g->version == 2) {
		/* The memory controller must be enabled for children of the parent. */
		char pdir[800];

		snprintf(pdir, sizeof(pdir), "%s/%s", g->mount, parent ? parent : "");
		write_file(pdir, "cgroup.subtree_control", "+memory");
	}
	cg = cgroup_new_cgroup(g->name);
	if (!cg) {
		snprintf(msg, len, "libcgroup: cannot allocate a cgroup");
		return -ENOMEM;
	}
	mem = cgroup_add_controller(cg, "memory");
	if (!mem) {
		cgroup_free(&cg);
		snprintf(msg, len, "libcgroup: memory controller not available");
		return -ENODEV;
	}
	if (cap) {
		if (g->version == 2)
			cgroup_add_value_uint64(mem, "memory.max", cap);
		else
			cgroup_add_value_uint64(mem, "memory.limit_in_bytes", cap);
	}
	r = cgroup_create_cgroup(cg, 0);
	if (r) {
		snprintf(msg, len, "cannot create cgroup %s: %s", g->path, cgroup_strerror(r));
		cgroup_free(&cg);
		remove_tree(g->path);
		return -EIO;
	}
	g->cg = cg;
	if (cap) {
		/* Verify the cap took: a silently uncapped run would measure nothing. */
		char p[1200], buf[64];
		FILE *f;
		unsigned long long v = 0;

		snprintf(p, sizeof(p), "%s/%s", g->path,
			 g->version == 2 ? "memory.max" : "memory.limit_in_bytes");
		f = fopen(p, "re");
		if (!f || !fgets(buf, sizeof(buf), f) || sscanf(buf, "%llu", &v) != 1 ||
		    v > cap || v < cap - 4096 * 2) {
			if (f)
				fclose(f);
			snprintf(msg, len, "cgroup %s: cap %llu did not take (reads %llu)",
				 g->path, (unsigned long long)cap, v);
			cg_destroy(g);
			return -EIO;
		}
		fclose(f);
	}
	if (g->version == 1) {
		/* Let the kernel OOM killer act inside the group (v1 default, stated). */
		write_file(g->path, "memory.oom_control", "0");
	}
	return 0;
}

const char *cg_limits_unsupported(int version, const struct cg_limits *l)
{
	if (version == 2 && l->soft_limit)
		return "--soft-limit is cgroup v1's (memory.soft_limit_in_bytes); on v2 use --low";
	if (version == 1 && l->high)
		return "--high needs cgroup v2 (memory.high); this machine's memory cgroup is v1";
	if (version == 1 && l->low)
		return "--low needs cgroup v2 (memory.low); this machine's memory cgroup is v1";
	if (version == 1 && l->min)
		return "--min needs cgroup v2 (memory.min); this machine's memory cgroup is v1";
	if (version == 1 && l->swap_max_set)
		return "--swap-max needs cgroup v2 (memory.swap.max); this machine's memory cgroup is v1";
	return NULL;
}

/* Writes v to dir/file and reads it back within a page or two. */
static int set_checked(const struct sb_cgroup *g, const char *file, uint64_t v, char *msg,
		       size_t len)
{
	char buf[32], p[1200];
	unsigned long long got = 0;
	int e;

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	e = write_file(g->path, file, buf);
	if (e) {
		snprintf(msg, len, "cgroup %s: cannot set %s to %s: %s", g->path, file, buf, strerror(-e));
		return e;
	}
	snprintf(p, sizeof(p), "%s/%s", g->path, file);
	if (read_small(p, buf, sizeof(buf)) || sscanf(buf, "%llu", &got) != 1 || got > v ||
	    got + 8192 < v) {
		snprintf(msg, len, "cgroup %s: %s %llu did not take (reads %s)", g->path, file,
			 (unsigned long long)v, buf);
		return -EIO;
	}
	return 0;
}

int cg_set_limits(struct sb_cgroup *g, const struct cg_limits *l, char *msg, size_t len)
{
	const char *why = cg_limits_unsupported(g->version, l);
	int e = 0;

	if (why) {
		snprintf(msg, len, "%s", why);
		return -EOPNOTSUPP;
	}
	if (!e && l->high)
		e = set_checked(g, "memory.high", l->high, msg, len);
	if (!e && l->low)
		e = set_checked(g, "memory.low", l->low, msg, len);
	if (!e && l->min)
		e = set_checked(g, "memory.min", l->min, msg, len);
	if (!e && l->swap_max_set)
		e = set_checked(g, "memory.swap.max", l->swap_max, msg, len);
	if (!e && l->soft_limit)
		e = set_checked(g, "memory.soft_limit_in_bytes", l->soft_limit, msg, len);
	return e;
}

int cg_attach(struct sb_cgroup *g, pid_t pid)
{
	int r = cgroup_attach_task_pid(g->cg, pid);

	if (r) {
		/* Fall back to the file: libcgroup v2 support varies by version. */
		char buf[32];

		snprintf(buf, sizeof(buf), "%d", (int)pid);
		return write_file(g->path, "cgroup.procs", buf);
	}
	return 0;
}

/* Reads the small file dir/file into buf. 0 or -errno. */
static int slurp(const char *dir, const char *file, char *buf, size_t len)
{
	char p[1200];

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	return read_small(p, buf, len);
}

/* The number after "key " at the start of a line of text, UINT64_MAX if absent. */
static uint64_t kv(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, key, kl) && l[kl] == ' ')
			return strtoull(l + kl + 1, NULL, 10);
	return UINT64_MAX;
}

/* total= of the "some" or "full" line of PSI text, UINT64_MAX if absent. */
static uint64_t psi_total(const char *text, const char *which)
{
	const char *l = strstr(text, which), *t = l ? strstr(l, "total=") : NULL;

	return t ? strtoull(t + 6, NULL, 10) : UINT64_MAX;
}

/* Each file is read once per tick: this runs every 100 ms during a run. */
int cg_read(const struct sb_cgroup *g, struct cg_stats *s)
{
	char buf[1024], psi[512] = "";
	bool v2 = g->version == 2;

	if (access(g->path, F_OK))
		return -errno;
	memset(s, 0xff, sizeof(*s));
	if (!slurp(g->path, v2 ? "memory.current" : "memory.usage_in_bytes", buf, sizeof(buf)))
		s->usage = strtoull(buf, NULL, 10);
	if (v2) {
		if (!slurp(g->path, "memory.events", buf, sizeof(buf))) {
			s->low = kv(buf, "low");
			s->high = kv(buf, "high");
			s->max = kv(buf, "max");
			s->oom = kv(buf, "oom");
			s->oom_kill = kv(buf, "oom_kill");
		}
	} else {
		/* v1 has no "max" event counter: failcnt counts the charges that hit the limit. */
		if (!slurp(g->path, "memory.failcnt", buf, sizeof(buf)))
			s->max = s->failcnt = strtoull(buf, NULL, 10);
		if (!slurp(g->path, "memory.oom_control", buf, sizeof(buf)))
			s->oom_kill = kv(buf, "oom_kill");
	}
	{
		/* memory.stat is long (~3-6 KB); the keys differ by version */
		char st[8192];

		if (!slurp(g->path, "memory.stat", st, sizeof(st))) {
			s->pgscan = kv(st, "pgscan");
			s->pgsteal = kv(st, "pgsteal");
			s->refault_anon = kv(st, v2 ? "workingset_refault_anon" : "total_workingset_refault_anon");
			s->refault_file = kv(st, v2 ? "workingset_refault_file" : "total_workingset_refault_file");
			s->thp_fallback = kv(st, "thp_fault_fallback");
			if (!v2 && s->refault_file == UINT64_MAX)
				s->refault_file = kv(st, "workingset_refault_file");
		}
		if (v2 && !slurp(g->path, "memory.swap.current", buf, sizeof(buf)))
			s->swap = strtoull(buf, NULL, 10);
	}
	if (!slurp(g->path, v2 ? "memory.pressure" : "cgroup.pressure", psi, sizeof(psi))) {
		s->psi_some_us = psi_total(psi, "some");
		s->psi_full_us = psi_total(psi, "full");
	}
	return 0;
}

int cg_destroy(struct sb_cgroup *g)
{
	int r;

	if (!g->path[0]) {
		leave_delegated(g);
		return 0;
	}
	r = remove_tree(g->path);
	if (!r)
		leave_delegated(g);
	if (g->cg) {
		struct cgroup *cg = g->cg;

		cgroup_free(&cg);
		g->cg = NULL;
	}
	if (!r)
		g->path[0] = 0;
	return r;
}
