/*
 * The workers' lifecycle: their op rings mapped (and touched) by the driver
 * before the fork, so the driver is charged for them, not the cap; each
 * worker forked, moved into its cgroup, placed on its nodes and held until
 * the driver releases them all at once; reaped as they exit (an op a dead
 * worker was inside is recorded unfinished), killed at the deadline, and
 * waited for at the very end when the kernel holds one inside a call.
 */
#include "run_impl.h"
#include "topo.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void write_oom_adj(const char *v)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, v, strlen(v)) < 0) {
			/* not root: stays at the default */
		}
		close(fd);
	}
}

static void sleep_10ms(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static bool nofail_now(void *arg, uint64_t *n)
{
	return nofail_counter_read(arg, n);
}

/*
 * In the child: its NOFAIL counters (the worker's own thread; a workload's
 * worker neither forks nor starts threads), so each op reads them around
 * itself. A worker that cannot open them never runs: the run says why.
 */
static void open_nofail_counter(struct runner *r, struct wl_ctx *c, const char *comm)
{
	struct nofail_counter *k;
	char msg[256];

	if (!r->nofail)
		return;
	if (capture_nofail_counter_open(r->cap, &k, msg, sizeof(msg))) {
		fprintf(stderr, "stallbench: worker %s: NOFAIL counters: %s\n", comm, msg);
		_exit(3);
	}
	c->nofail_now = nofail_now;
	c->nofail_arg = k;
}

/* In the child: placement, then wait for the driver's go, run, exit. */
static void worker_main(struct runner *r, struct worker *w, int go_fd, pid_t parent)
{
	struct wl_inst *in = &r->cfg->wl[w->wl];
	struct wl_ctx c = {
		.env = &r->env, .priv = in->priv, .worker = (unsigned int)(w - r->w),
		.index = w->idx, .nr_workers = in->workers, .wl = (uint8_t)w->wl,
		.node = r->cfg->node, .stop = r->stop, .ring = w->ring,
	};
	char comm[16];
	char b;
	ssize_t n;
	int rc;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	/* "sb-memhog0": what ps, perf script and the OOM killer's log show */
	snprintf(comm, sizeof(comm), "sb-%.9s%u", in->w->name, w->idx);
	prctl(PR_SET_NAME, comm);
	signal(SIGINT, SIG_IGN);	/* the driver decides when to stop */
	signal(SIGTERM, SIG_DFL);
	write_oom_adj("1000");
	if (r->cfg->node >= 0 && topo_bind_node(r->cfg->node))
		_exit(3);
	if ((in->cpu_node >= 0 || in->mem_nodes[0]) &&
	    topo_place(in->cpu_node, in->mem_nodes, in->mem_policy))
		_exit(3);
	if (in->mem_nodes[0] && !strpbrk(in->mem_nodes, ",-"))
		c.node = atoi(in->mem_nodes);	/* where the workload asks memory from */
	open_nofail_counter(r, &c, comm);
	w->ring->pid = (uint32_t)getpid();
	do
		n = read(go_fd, &b, 1);
	while (n < 0 && errno == EINTR);
	close(go_fd);
	if (*r->stop)
		_exit(0);
	c.deadline_ns = r->ctl->t_go + r->cfg->duration_ns;
	rc = in->w->run(&c);
	_exit(rc & 0xff);
}

/* Shared memory, touched here so the driver is charged for it. 0 or -ENOMEM. */
static int map_rings(struct runner *r)
{
	struct run_cfg *c = r->cfg;
	size_t recs = c->ring_ops ? c->ring_ops : 65536;
	unsigned int n = 0;

	for (unsigned int i = 0; i < c->nr_wl; i++)
		n += c->wl[i].workers;
	r->w = calloc(n, sizeof(*r->w));
	if (!r->w)
		return -ENOMEM;
	for (unsigned int i = 0, k = 0; i < c->nr_wl; i++) {
		for (unsigned int j = 0; j < c->wl[i].workers; j++, k++) {
			struct worker *w = &r->w[k];

			w->wl = i;
			w->idx = j;
			w->ring_bytes = sizeof(struct opring) + recs * sizeof(struct oprec);
			w->ring = mmap(NULL, w->ring_bytes, PROT_READ | PROT_WRITE,
				       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
			if (w->ring == MAP_FAILED) {
				w->ring = NULL;
				return -ENOMEM;
			}
			memset(w->ring, 0, w->ring_bytes);
			w->ring->mask = (uint32_t)(recs - 1);
		}
	}
	r->nw = n;
	return 0;
}

int workers_start(struct runner *r)
{
	struct run_cfg *c = r->cfg;
	pid_t parent = getpid();
	int go[2];

	if (pipe2(go, O_CLOEXEC) || map_rings(r))
		return -ENOMEM;
	for (unsigned int k = 0; k < r->nw; k++) {
		struct worker *w = &r->w[k];
		int g = c->wl[w->wl].group;
		struct sb_cgroup *cg = g >= 0 ? &c->groups[g].cg : &r->cg;
		pid_t pid;

		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0) {
			close(go[1]);
			worker_main(r, w, go[0], parent);
		}
		w->pid = pid;
		attrib_add_worker(r->attr, (uint32_t)pid);
		if (cg->path[0] && cg_attach(cg, pid)) {
			fprintf(stderr, "stallbench: cannot move worker %d into %s\n", pid, cg->path);
			return -EIO;
		}
	}
	close(go[0]);
	r->go_fd = go[1];
	return 0;
}

/* The op w was inside when it died or was given up on, as unfinished. */
static void end_inflight(struct runner *r, struct worker *w, uint64_t t_end, unsigned int flags)
{
	struct oprec o = w->ring->cur;

	o.have_sched = 0;	/* cur holds the start values */
	o.have_nofail = 0;
	o.latency_ns = t_end - o.t_start_ns;
	o.flags |= OPF_UNFINISHED | flags;
	pipe_push(r, &o);
	atomic_store(&w->ring->inflight, 0);
}

void workers_reap(struct runner *r)
{
	for (unsigned int i = 0; i < r->nw; i++) {
		struct worker *w = &r->w[i];
		int st;

		/* pid 0: never forked (fork failed part way); waitpid(0) would
		 * reap any child of the driver's group */
		if (w->exited || w->pid <= 0 || waitpid(w->pid, &st, WNOHANG) != w->pid)
			continue;
		w->exited = true;
		w->status = st;
		w->exit_ns = now_ns();
		pipe_drain_rings(r);
		if (atomic_load_explicit(&w->ring->inflight, memory_order_acquire))
			end_inflight(r, w, w->exit_ns, WIFSIGNALED(st) ? OPF_KILLED : 0);
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && !*r->stop)
			r->oom_killed_workers++;
	}
}

unsigned int workers_alive(const struct runner *r)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < r->nw; i++)
		n += !r->w[i].exited && r->w[i].pid > 0;	/* pid 0: never forked */
	return n;
}

void workers_kill(struct runner *r, int sig)
{
	for (unsigned int i = 0; i < r->nw; i++)
		if (!r->w[i].exited && r->w[i].pid > 0)
			kill(r->w[i].pid, sig);
}

void workers_kill_wait(struct runner *r)
{
	workers_kill(r, SIGKILL);
	for (int i = 0; i < 200 && workers_alive(r); i++) {
		sleep_10ms();
		workers_reap(r);
	}
}

/* A worker still inside an op (killed, but stuck in the kernel): that op
 * is reported unfinished now, at the deadline, not whenever it returns. */
void workers_end_inflight(struct runner *r, uint64_t t_end)
{
	for (unsigned int i = 0; i < r->nw; i++) {
		struct worker *w = &r->w[i];

		if (!w->exited && atomic_load_explicit(&w->ring->inflight, memory_order_acquire))
			end_inflight(r, w, t_end, 0);
	}
}

/*
 * A worker that crashed (a signal other than SIGKILL, which is the OOM
 * killer's or ours) or gave up (a non-zero exit) did not run what was
 * asked: the run is not complete, whatever its rows say.
 */
bool workers_failed(const struct runner *r)
{
	bool failed = false;

	for (unsigned int i = 0; i < r->nw; i++) {
		const struct worker *w = &r->w[i];
		const char *name = r->cfg->wl[w->wl].w->name;

		if (!w->exited)
			continue;
		if (WIFSIGNALED(w->status) && WTERMSIG(w->status) != SIGKILL) {
			fprintf(stderr, "stallbench: worker %s%u (pid %d) died of %s\n", name, w->idx,
				(int)w->pid, strsignal(WTERMSIG(w->status)));
			failed = true;
		} else if (WIFEXITED(w->status) && WEXITSTATUS(w->status)) {
			fprintf(stderr, "stallbench: worker %s%u (pid %d) gave up (exit %d)\n", name,
				w->idx, (int)w->pid, WEXITSTATUS(w->status));
			failed = true;
		}
	}
	return failed;
}

void workers_wait_stuck(struct runner *r)
{
	for (unsigned int i = 0; i < r->nw; i++)
		if (!r->w[i].exited && r->w[i].pid > 0) {
			fprintf(stderr, "stallbench: results written; waiting for worker %d, "
				"killed but still inside the kernel\n", (int)r->w[i].pid);
			waitpid(r->w[i].pid, &r->w[i].status, 0);
		}
}

void workers_free(struct runner *r)
{
	for (unsigned int i = 0; i < r->nw; i++)
		if (r->w[i].ring)
			munmap(r->w[i].ring, r->w[i].ring_bytes);
	free(r->w);
	r->w = NULL;
	r->nw = 0;
}
