/*
 * `stallbench watch [DIR ...]`: a live view of running runs, top-like on a
 * terminal, or one line per run per interval with --batch (JSON lines with
 * --json). Without DIR it finds every running run of this machine by the
 * live status files the runner keeps (runstatus.h); a file left by a killed
 * driver is shown once as ended (incomplete) and then removed. It only reads
 * what the run writes, the bytes appended since the last refresh
 * (watchrun.c), so watching costs the run nothing but page-cache reads.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "monoclock.h"
#include "parse.h"
#include "runstatus.h"
#include "watchprint.h"

#define MAX_RUNS	256

struct watch {
	struct watchrun *runs[MAX_RUNS];
	bool done[MAX_RUNS];	/* batch: final line printed */
	bool fresh[MAX_RUNS];	/* first poll was a baseline, no line yet */
	int n;
	bool discover, batch, json, brief;
	bool gave_up;		/* a DIR never became a result */
	double interval_s, wait_s;
	long count;		/* -n: rounds of lines, 0 = until nothing runs */
	uint64_t t_start;
};

static volatile sig_atomic_t stop_sig;

static void on_sig(int sig)
{
	stop_sig = sig;
}

static void usage(FILE *f)
{
	fputs("usage: stallbench watch [DIR ...] [--batch [--brief]] [-n N] [--json] [-d SECS]\n"
	      "                        [--wait SECS]\n"
	      "  live view of running runs: every running run of this machine (found by\n"
	      "  their status files in $STALLBENCH_RUNDIR, default /run/stallbench), or the\n"
	      "  given result directories (a finished one shows its final line)\n"
	      "  --batch     one line per run per interval on stdout (as top -b); exits 0\n"
	      "              when every run watched has ended (at once if none runs)\n"
	      "  -n N        stop after N rounds of lines\n"
	      "  --brief     --batch lines of ops/s, stalled share, memcg and OOM kills only\n"
	      "  --json      --batch as JSON lines\n"
	      "  -d SECS     refresh interval (default 1)\n"
	      "  --wait SECS a DIR that is not a result yet is waited for that long\n"
	      "              (default 0: refused); a run started right after watch\n"
	      "  interactive keys: q quits\n", f);
}

static int add_run(struct watch *wt, const char *dir, const char *status_file)
{
	struct watchrun *w;

	for (int i = 0; i < wt->n; i++)
		if (strcmp(wt->runs[i]->dir, dir) == 0)
			return 0;
	if (wt->n == MAX_RUNS)
		return -ENOSPC;
	w = malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	if (wr_init(w, dir)) {
		free(w);
		return -ENAMETOOLONG;
	}
	if (status_file)
		snprintf(w->status_file, sizeof(w->status_file), "%s", status_file);
	wt->done[wt->n] = false;
	wt->fresh[wt->n] = true;
	wt->runs[wt->n++] = w;
	return 0;
}

/* Every live status file not seen yet becomes a watched run. */
static void discover(struct watch *wt)
{
	const char *sd = runstatus_dir();
	struct dirent *e;
	DIR *d = opendir(sd);

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		json_t *j;
		const char *dir;
		size_t n = strlen(e->d_name);

		if (e->d_name[0] == '.' || n < 6 || strcmp(e->d_name + n - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", sd, e->d_name);
		j = json_load_file(path, 0, NULL);
		dir = j ? rr_json_str(j, "dir") : NULL;
		if (dir)
			add_run(wt, dir, path);
		json_decref(j);
	}
	closedir(d);
}

/* A status file whose driver is gone has been shown ended: it goes. */
static void drop_stale(struct watchrun *w)
{
	if (w->status_file[0] && w->state == WR_ENDED && w->pid > 0 && !w->remote &&
	    !runstatus_alive(w->pid))
		unlink(w->status_file);
}

static void poll_all(struct watch *wt)
{
	uint64_t now = now_ns();

	if (wt->discover)
		discover(wt);
	for (int i = 0; i < wt->n; i++) {
		struct watchrun *w = wt->runs[i];

		if (wt->done[i])
			continue;
		if (wr_poll(w, now) < 0)
			fprintf(stderr, "watch: %s\n", w->err);
		/* after the poll: a DIR given is opened there, and its pid known */
		if (!w->status_file[0] && w->opened && w->pid > 0 && !w->remote)
			snprintf(w->status_file, sizeof(w->status_file), "%s/%d.json",
				 runstatus_dir(), (int)w->pid);
		if (w->status_file[0] && access(w->status_file, F_OK) == 0)
			wr_take_status(w, w->status_file);
	}
}

static void print_line(struct watch *wt, struct watchrun *w, double dt)
{
	struct wr_line l;

	wr_line(w, now_ns(), dt, &l);
	if (wt->json)
		wr_print_json(stdout, w, &l);
	else
		wr_print_text(stdout, w, &l, wt->brief);
	putchar('\n');
}

/* One round of --batch lines: 1 if anything is still to be watched. */
static int batch_round(struct watch *wt, double dt, bool *printed)
{
	int active = 0;

	*printed = false;
	for (int i = 0; i < wt->n; i++) {
		struct watchrun *w = wt->runs[i];

		if (wt->done[i])
			continue;
		if (w->state == WR_WAITING) {
			if ((double)(now_ns() - wt->t_start) / 1e9 > wt->wait_s) {
				if (w->err[0])
					fprintf(stderr, "watch: %s\n", w->err);
				else
					fprintf(stderr, "watch: %s: not a result directory\n", w->dir);
				wt->done[i] = true;
				wt->gave_up = true;
			} else {
				active++;
			}
			continue;
		}
		if (w->state == WR_RUNNING && wt->fresh[i]) {
			wt->fresh[i] = false;	/* the baseline: rates need an interval */
			active++;
			continue;
		}
		print_line(wt, w, dt);
		*printed = true;
		if (w->state == WR_ENDED) {
			wt->done[i] = true;
			drop_stale(w);
		} else {
			active++;
		}
	}
	fflush(stdout);
	return active > 0;
}

/*
 * Sleeps one interval; a DIR that is not a result yet is looked at every
 * 100 ms meanwhile, so that a run started right after watch (as run.sh does)
 * has its baseline near its start and a line at the next round.
 */
static void wait_interval(struct watch *wt)
{
	uint64_t until = now_ns() + (uint64_t)(wt->interval_s * 1e9);

	while (!stop_sig) {
		uint64_t now = now_ns();

		if (now >= until)
			return;
		usleep((useconds_t)((until - now > 100000000ull ? 100000000ull : until - now) / 1000));
		for (int i = 0; i < wt->n; i++) {
			struct watchrun *w = wt->runs[i];

			if (wt->done[i] || w->state != WR_WAITING)
				continue;
			wr_poll(w, now_ns());
			if (w->state == WR_RUNNING)
				wt->fresh[i] = false;	/* the baseline is taken */
		}
	}
}

static int run_batch(struct watch *wt)
{
	long rounds = 0;
	uint64_t prev = now_ns();

	poll_all(wt);
	for (;;) {
		bool printed;
		uint64_t now = now_ns();
		int more = batch_round(wt, (double)(now - prev) / 1e9, &printed);

		prev = now;
		rounds += printed;
		if (wt->count && rounds >= wt->count)
			return 0;
		if (!more) {
			if (!wt->n)
				fprintf(stderr, "watch: no stallbench run is running\n");
			return wt->gave_up ? 1 : 0;
		}
		if (stop_sig)
			return 0;
		wait_interval(wt);
		if (stop_sig)
			return 0;
		poll_all(wt);
	}
}

/* ---- the terminal view ---- */

static struct termios saved_tio;
static bool tio_saved;

static void term_restore(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
}

static void term_setup(void)
{
	struct termios t;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
		t = saved_tio;
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		t.c_cc[VMIN] = 0;
		t.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
		tio_saved = true;
	}
	fputs("\033[?1049h\033[?25l", stdout);	/* own screen, no cursor, as top */
}

/* Each line of the view ends by clearing the rest of the terminal row. */
#define EOL "\033[K\n"

static void spark(const struct watchrun *w, int cols)
{
	static const char *const lv[] = { " ", "\u2581", "\u2582", "\u2583", "\u2584",
					   "\u2585", "\u2586", "\u2587", "\u2588" };
	double ms[512], max = 0;
	int width = cols - 32;
	unsigned int n;

	if (width < 8)
		width = 8;
	if (width > 512)
		width = 512;
	n = wr_spark(w, ms, (unsigned int)width);
	for (unsigned int i = 0; i < n; i++)
		if (ms[i] > max)
			max = ms[i];
	printf("  stall ms/s %3us |", n);
	for (unsigned int i = 0; i < n; i++)
		fputs(lv[max > 0 && ms[i] > 0 ? 1 + (int)lround(7.0 * ms[i] / max) : 0], stdout);
	printf("| max %.0f" EOL, max);
}

static int render_run(struct watchrun *w, double dt, int cols)
{
	struct wr_line l;
	char a[32], b[32];
	bool ended;
	int lines = 0;

	wr_line(w, now_ns(), dt, &l);
	ended = l.state == WR_ENDED;
	printf("\033[1m%s\033[0m  %s%s", w->name, ended ? "ended " : "", l.status);
	if (l.state == WR_WAITING) {
		printf("  (no result yet: %s)" EOL, w->dir);
		return 1;
	}
	printf("  %.1fs of %.0fs", l.elapsed_s, l.duration_s);
	if (!ended)
		printf(", %.0fs left", l.remaining_s);
	printf("  pid %d  %s" EOL, (int)w->pid, w->dir);
	lines++;
	printf(" ");
	for (unsigned int i = 0; i < l.nwl; i++)
		printf(" %s %.1f ops/s p99 %s%s", l.wl[i].name, l.wl[i].ops_per_s,
		       wr_dur_ms(l.wl[i].p99_ms, a, sizeof(a)), i + 1 < l.nwl ? "  |" : "");
	printf("%s%s" EOL, l.nwl ? "" : " no ops yet", ended ? "  (whole run)" : "");
	printf("  stall %.0f ms/s", l.stall_ms_per_s);
	for (int k = 0; k < RR_STALL_NR_KINDS; k++)
		if (l.kind_ms_per_s[k] > 0)
			printf(" %s %.0f", rr_stall_kind_name(k), l.kind_ms_per_s[k]);
	printf("   system %.0f ms/s   rounds %.0f/s" EOL, l.sys_stall_ms_per_s, l.rounds_per_s);
	lines += ws_print_lines(stdout, &w->sites, EOL);
	if (!isnan(wr_inflight_s(w)) && wr_inflight_s(w) >= 1.0) {
		printf("  in flight: %s for %.1fs (not in the rows until it returns)" EOL,
		       w->inflight_op, wr_inflight_s(w));
		lines++;
	}
	printf("  memcg %s%s / %s", ended ? "peak " : "", wr_size(l.usage, a, sizeof(a)),
	       wr_size(l.cap, b, sizeof(b)));
	if (!isnan(l.usage) && l.cap > 0)
		printf(" %.0f%%", 100.0 * l.usage / l.cap);
	printf("   psi%s some %.1f%% full %.1f%%   oom %lld%s%s   lost ",
	       l.psi_cgroup ? "(cg)" : "(sys)", l.psi_some, l.psi_full,
	       (long long)(l.oom_kills < 0 ? 0 : l.oom_kills), l.victim[0] ? " last " : "", l.victim);
	if (l.lost < 0)
		printf("-" EOL);
	else
		printf("%lld" EOL, (long long)l.lost);
	spark(w, cols);
	return lines + 4;
}

static int run_view(struct watch *wt)
{
	uint64_t prev = now_ns();
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

	term_setup();
	atexit(term_restore);
	poll_all(wt);
	while (!stop_sig) {
		struct winsize ws = { .ws_row = 24, .ws_col = 80 };
		uint64_t now = now_ns();
		double dt = (double)(now - prev) / 1e9;
		int running = 0, rows, used = 2, order[MAX_RUNS], no = 0;
		char tm[16];
		time_t t = time(NULL);
		struct tm tmv;

		ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
		rows = ws.ws_row ? ws.ws_row : 24;
		prev = now;
		for (int i = 0; i < wt->n; i++)
			running += wt->runs[i]->state != WR_ENDED;
		/* running runs first, then the ended ones, the latest first */
		for (int i = 0; i < wt->n; i++)
			if (wt->runs[i]->state != WR_ENDED)
				order[no++] = i;
		for (int i = wt->n - 1; i >= 0; i--)
			if (wt->runs[i]->state == WR_ENDED)
				order[no++] = i;
		localtime_r(&t, &tmv);
		strftime(tm, sizeof(tm), "%H:%M:%S", &tmv);
		printf("\033[H\033[1mstallbench watch\033[0m  %s  %d running, %d ended"
		       "   (q quits)" EOL EOL, tm, running, wt->n - running);
		if (!wt->n)
			printf("no stallbench run is running (status files in %s)" EOL,
			       runstatus_dir());
		for (int j = 0; j < no && used + 6 <= rows; j++) {
			used += render_run(wt->runs[order[j]], dt, ws.ws_col ? ws.ws_col : 80);
			printf(EOL);
			used++;
		}
		printf("\033[J");	/* clear what an earlier, longer screen left */
		fflush(stdout);
		/* Wait for the next refresh, or a key. */
		for (uint64_t end = now_ns() + (uint64_t)(wt->interval_s * 1e9); !stop_sig;) {
			uint64_t n = now_ns();
			char c;

			if (n >= end)
				break;
			if (poll(&pfd, 1, (int)((end - n) / 1000000 + 1)) > 0) {
				if (read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q'))
					return 0;
				if (pfd.revents & (POLLHUP | POLLERR))
					pfd.fd = -1;
			}
		}
		poll_all(wt);
	}
	return 0;
}

/* -d SECONDS or --wait SECONDS into wt; 0, or 2 with the reason said. */
static int take_seconds(struct watch *wt, int c, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || *end || !isfinite(v) || v < (c == 'd' ? 0.05 : 0) || v > 86400) {
		fprintf(stderr, "watch: %s %s: not a number of seconds%s\n",
			c == 'd' ? "-d" : "--wait", arg,
			c == 'd' ? " (0.05 to 86400)" : " (0 to 86400)");
		return 2;
	}
	if (c == 'd')
		wt->interval_s = v;
	else
		wt->wait_s = v;
	return 0;
}

/* The options into wt (the directories are left from optind on); -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct watch *wt)
{
	static const struct option opts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "wait", required_argument, NULL, 'w' },
		{ "brief", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 0;	/* a fresh getopt scan: main may have used it */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+n:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			wt->batch = true;
			break;
		case 'B':
			wt->brief = wt->batch = true;
			break;
		case 'j':
			wt->json = wt->batch = true;
			break;
		case 'n':
			errno = 0;
			wt->count = strtol(optarg, &end, 10);
			if (errno || *end || wt->count < 1 || wt->count > 100000000) {
				fprintf(stderr, "watch: -n %s: not a count (1 or more)\n", optarg);
				return 2;
			}
			break;
		case 'd':
		case 'w':
			if (take_seconds(wt, c, optarg))
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
		case '?':
			if (optopt && strchr("nd", optopt))
				fprintf(stderr, "watch: -%c needs a value (see --help)\n", optopt);
			else
				fprintf(stderr, "watch: %s: unknown option (see --help)\n",
					argv[optind - 1]);
			return 2;
		}
	}
	return -1;
}

/* The result directories named after the options; 0, or 2 with the reason said. */
static int add_dirs(struct watch *wt, int argc, char **argv)
{
	for (int i = optind; i < argc; i++) {
		char meta[PATH_MAX];
		struct stat st;
		int ret;

		if (argv[i][0] == '-') {
			fprintf(stderr, "watch: %s: options go before the directories\n", argv[i]);
			return 2;
		}
		snprintf(meta, sizeof(meta), "%s/meta.json", argv[i]);
		if (wt->wait_s == 0 && stat(meta, &st) < 0) {
			fprintf(stderr, "watch: %s: %s\n", argv[i], stat(argv[i], &st) < 0 ?
				strerror(errno) : "not a result directory (no meta.json)");
			return 2;
		}
		ret = add_run(wt, argv[i], NULL);
		if (ret) {
			fprintf(stderr, "watch: %s: %s\n", argv[i], strerror(-ret));
			return 2;
		}
	}
	wt->discover = optind >= argc;
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	struct watch *wt;
	struct sigaction sa = { .sa_handler = on_sig };
	int ret;

	wt = calloc(1, sizeof(*wt));
	if (!wt)
		return 1;
	wt->interval_s = 1;
	ret = parse_args(argc, argv, wt);
	if (ret >= 0)
		return ret;
	if (add_dirs(wt, argc, argv))
		return 2;
	if (!wt->batch && !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "watch: stdout is not a terminal (use --batch or --json)\n");
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	wt->t_start = now_ns();
	ret = wt->batch ? run_batch(wt) : run_view(wt);
	for (int i = 0; i < wt->n; i++) {
		wr_free(wt->runs[i]);
		free(wt->runs[i]);
	}
	free(wt);
	return ret;
}
