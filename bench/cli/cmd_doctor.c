/* `stallbench doctor`: what works on this machine and, where not, why, and
 * what to do about it. Exit 0 when a capped run with stall capture can run
 * here, 4 when it cannot. */
#include "cgroup.h"
#include "kchanges.h"
#include "sysinfo.h"
#include "topo.h"
#include "tpcatalog.h"
#include "tpdecode.h"
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static int line(bool ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* --format json: the lines go here instead of stdout, printed at the end. */
static json_t *jlines;

static int line(bool ok, const char *what, const char *fmt, ...)
{
	va_list ap;
	char text[1024];

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (jlines)
		json_array_append_new(jlines, json_pack("{s:s,s:b,s:s}", "what", what, "ok", ok,
							"detail", text));
	else
		printf("%-4s %-16s %s\n", ok ? "ok" : "no", what, text);
	return ok;
}

/*
 * /dev/kvm can be there and still not run a guest (nested set-ups: this
 * machine). Same probe as vm/run: a KVM QEMU with no kernel that is still
 * alive after 2 s, with no error printed, got past vCPU set-up.
 */
static bool kvm_runs(void)
{
	char buf[512];
	size_t n = 0;
	int st;
	FILE *f = popen("timeout 2 qemu-system-x86_64 -accel kvm -cpu host -machine pc -nodefaults "
			"-display none -monitor none -serial none -no-reboot 2>&1", "r");

	if (!f)
		return false;
	while (n < sizeof(buf) - 1 && fgets(buf + n, (int)(sizeof(buf) - n), f))
		n = strlen(buf);
	buf[n] = 0;
	st = pclose(f);
	return WIFEXITED(st) && WEXITSTATUS(st) == 124 && !strcasestr(buf, "error") &&
	       !strcasestr(buf, "assert");
}

/* The module's limits, as loaded (its parameters in sysfs). */
static void nofail_limits(void)
{
	static const char *const names[] = {
		"max_bytes", "max_total_bytes", "max_areas", "max_hold_ns", "hard_max_bytes",
		"force", "log_records", "max_kept_areas",
	};
	char path[128], val[64], out[512] = "";
	size_t n = 0, i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "/sys/module/nofail_vmalloc/parameters/%s", names[i]);
		if (read_small(path, val, sizeof(val)))
			continue;
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s=%s", n ? " " : "", names[i],
				      val);
		if (n >= sizeof(out))
			break;
	}
	if (out[0])
		line(true, "nofail limits", "%s", out);
}

/* The upstream release behind this kernel and the known vmalloc NOFAIL
 * changes it has or lacks (kchanges.c). */
static void vmalloc_changes(void)
{
	struct utsname u;
	char pv[1024] = "", up[32];

	uname(&u);
	read_small("/proc/version", pv, sizeof(pv));
	if (kver_upstream(pv, u.release, up, sizeof(up))) {
		line(false, "upstream kernel", "%s: cannot tell the upstream release (no \"Debian x.y.z\" "
		     "in /proc/version): vmalloc NOFAIL fixes unknown", u.release);
		return;
	}
	line(true, "upstream kernel", "%s is upstream %s", u.release, up);
	for (size_t i = 0; i < nkchanges; i++) {
		const struct kchange *c = &kchanges[i];
		int p = kchange_present(c, up);

		if (p > 0)
			line(true, "vmalloc NOFAIL", "has %s (%s: mainline %s, %s)", c->id, c->commit,
			     c->mainline, c->stable);
		else if (p == 0)
			line(false, "vmalloc NOFAIL", "lacks %s (%s, in %s / %s, Debian %s): %s", c->id,
			     c->commit, c->stable, c->mainline, c->debian, c->without);
		else
			line(false, "vmalloc NOFAIL", "%s: not known for %s (in %s, %s)", c->id, up,
			     c->mainline, c->stable);
	}
}

static int perf_tp_ok(const char *tfs, const char *ev, char *why, size_t len)
{
	char p[512], buf[32];
	struct perf_event_attr a = { .type = PERF_TYPE_TRACEPOINT, .size = sizeof(a),
				     .sample_period = 1, .disabled = 1 };
	int fd;

	snprintf(p, sizeof(p), "%s/events/%s/id", tfs, ev);
	if (read_small(p, buf, sizeof(buf))) {
		snprintf(why, len, "%s: no such tracepoint on this kernel", ev);
		return 0;
	}
	a.config = strtoull(buf, NULL, 10);
	fd = (int)syscall(SYS_perf_event_open, &a, -1, 0, -1, 0);
	if (fd < 0) {
		snprintf(why, len, "perf_event_open(%s): %s (perf_event_paranoid, CAP_PERFMON?)",
			 ev, strerror(errno));
		return 0;
	}
	close(fd);
	snprintf(why, len, "perf_event_open on %s works", ev);
	return 1;
}

/* A cpu-clock event with kernel stacks on this task: what the on-CPU samples open per worker. */
static int cpu_clock_ok(char *why, size_t len)
{
	struct perf_event_attr a = { .type = PERF_TYPE_SOFTWARE, .size = sizeof(a),
				     .config = PERF_COUNT_SW_CPU_CLOCK, .sample_period = 1000000,
				     .sample_type = PERF_SAMPLE_CALLCHAIN, .disabled = 1,
				     .exclude_callchain_user = 1 };
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);

	if (fd < 0) {
		snprintf(why, len, "perf_event_open(cpu-clock): %s (--no-oncpu runs without)",
			 strerror(errno));
		return 0;
	}
	close(fd);
	snprintf(why, len, "cpu-clock samples with kernel stacks work (where time on a CPU went)");
	return 1;
}

/* One line for a letter's reproduce block: what the numbers ran on. */
static void print_machine(void)
{
	json_t *h = sysinfo_host(), *t = topo_json();
	size_t nn = json_array_size(json_object_get(t, "nodes"));

	printf("%s, %lld CPUs, %.1f GiB, %zu NUMA node%s, %s\n",
	       json_string_value(json_object_get(h, "cpu_model")) ?: "unknown CPU",
	       (long long)json_integer_value(json_object_get(h, "cpus")),
	       (double)json_integer_value(json_object_get(h, "mem_total_bytes")) / (1u << 30),
	       nn, nn == 1 ? "" : "s", json_string_value(json_object_get(h, "virt")) ?: "?");
	json_decref(h);
	json_decref(t);
}

static void usage(FILE *f)
{
	fputs("usage: stallbench doctor [--format text|json] [--machine]\n"
	      "  what works on this machine for stallbench, and why not: root, the\n"
	      "  memory cgroup, tracefs and the tracepoints, perf, NUMA, the module and\n"
	      "  its limits, gnuplot, the VM lab; exit 0 when capped runs work, 4 if not\n"
	      "  --format F     text (default) or json: a JSON object (lines, can_run,\n"
	      "                 can_capture)\n"
	      "  --machine      one line: CPU, cores, memory, NUMA nodes, hypervisor\n", f);
}

/* The command line; -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, bool *json, bool *machine)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "machine", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;	/* a fresh getopt scan: main may have used it */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "doctor: --format %s: text or json\n", optarg);
				return 2;
			}
			*json = !strcmp(optarg, "json");
			break;
		case 'm':
			*machine = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "doctor: %s needs a value (see --help)\n", argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "doctor: %s: unknown option (see --help)\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "doctor: '%s': unexpected argument (see --help)\n", argv[optind]);
		return 2;
	}
	return -1;
}

/* The memory cgroup: version, where run groups go on v2; false when runs cannot work. */
static bool probe_cgroup(void)
{
	char why[512], mount_pt[256], buf[512], p[600], own[512];
	int ver = 0;

	if (cg_probe(&ver, mount_pt, sizeof(mount_pt), why, sizeof(why)))
		return line(false, "memory cgroup", "%s", why);
	line(true, "memory cgroup", "cgroup v%d, memory controller at %s", ver, mount_pt);
	if (ver != 2)
		return true;
	if (!cg_delegated(mount_pt, own, sizeof(own)) && own[0])
		line(true, "v2 placement", "run groups go in the delegated subtree %s/%s "
		     "(the driver moves itself into a leaf there)", mount_pt, own);
	else
		line(true, "v2 placement", "run groups go in %s (not in a delegated "
		     "subtree; under systemd use systemd-run --scope -p Delegate=yes)",
		     mount_pt);
	snprintf(p, sizeof(p), "%s/cgroup.subtree_control", mount_pt);
	buf[0] = '\0';
	read_small(p, buf, sizeof(buf));
	line(strstr(buf, "memory") != NULL, "v2 delegation",
	     "subtree_control of %s: '%s'%s", mount_pt, buf,
	     strstr(buf, "memory") ? "" : " (the run enables +memory itself as root)");
	return true;
}

/* tracefs and the catalogue's probed events; true when capture can work (every 'needed' one). */
static bool probe_tracing(void)
{
	struct tpdecode *d = NULL;
	char why[512];
	bool can_capture = true;

	if (tpd_open(NULL, &d, why, sizeof(why)))
		return line(false, "tracefs", "not mounted and cannot mount it");
	line(true, "tracefs", "%s", tpd_root(d));
	for (size_t i = 0; i < tp_catalog_n; i++) {
		const struct tp_def *t = &tp_catalog[i];
		char ev[160];
		int ok;

		if (!t->probe)
			continue;
		snprintf(ev, sizeof(ev), "%s/%s", t->sys, t->name);
		ok = line(perf_tp_ok(tpd_root(d), ev, why, sizeof(why)), t->probe, "%s", why);
		if (t->needed)
			can_capture &= ok;
	}
	/* where time asleep went (on by default; --no-offcpu runs without it) */
	line(perf_tp_ok(tpd_root(d), "sched/sched_switch", why, sizeof(why)), "sched_switch tp",
	     "%s", why);
	/* where time on a CPU went (on by default; --no-oncpu runs without it) */
	line(cpu_clock_ok(why, sizeof(why)), "cpu-clock", "%s", why);
	tpd_close(d);
	return can_capture;
}

/* PSI, NUMA, modules and the nofail module, gnuplot, the VM lab, the mm settings. */
static void probe_machine(void)
{
	unsigned int nodes = topo_nr_nodes();
	json_t *t = topo_json(), *mm;
	size_t n = json_array_size(json_object_get(t, "nodes"));

	line(!access("/proc/pressure/memory", R_OK), "PSI", "%s",
	     access("/proc/pressure/memory", R_OK) ? "/proc/pressure/memory missing (boot with psi=1)"
						    : "/proc/pressure/memory readable");
	line(true, "NUMA", "%u node(s) (libnuma), %zu seen by hwloc%s", nodes, n,
	     nodes < 2 ? ": --node placement tests need the VM lab (vm/run --nodes 2)" : "");
	json_decref(t);
	if (access("/proc/modules", F_OK))
		line(false, "kernel modules", "this kernel has no module support (/proc/modules "
		     "missing): vmalloc-nofail runs in the VM lab (vm/run)");
	else
		line(true, "kernel modules", "module loading supported");
	if (!access("/dev/nofail_vmalloc", F_OK))
		line(true, "nofail module", "/dev/nofail_vmalloc present");
	else
		line(false, "nofail module", "/dev/nofail_vmalloc absent (build and load "
		     "workloads/kmod, or use the VM lab)");
	nofail_limits();
	vmalloc_changes();
	line(!access("/usr/bin/gnuplot", X_OK), "gnuplot", "%s",
	     access("/usr/bin/gnuplot", X_OK) ? "missing: apt-get install gnuplot-nox" : "/usr/bin/gnuplot");
	line(!access("/usr/bin/qemu-system-x86_64", X_OK), "VM lab", "%s",
	     access("/usr/bin/qemu-system-x86_64", X_OK) ? "qemu-system-x86 missing" :
	     access("/dev/kvm", R_OK | W_OK) ? "qemu with TCG (no /dev/kvm: slow)" :
	     kvm_runs() ? "qemu with KVM" :
	     "qemu with TCG: /dev/kvm is there but a KVM guest does not start (nested?); vm/run falls back");
	mm = sysinfo_mm();
	line(true, "mm settings", "lru_gen %s, THP %s, init_on_alloc %s, swap %lld bytes",
	     json_string_value(json_object_get(mm, "lru_gen")) ?: "n/a",
	     json_string_value(json_object_get(mm, "thp_enabled")) ?: "n/a",
	     json_string_value(json_object_get(mm, "init_on_alloc")) ?: "kernel default",
	     (long long)json_integer_value(json_object_get(mm, "swap_total_bytes")));
	json_decref(mm);
}

int cmd_doctor(int argc, char **argv)
{
	bool json = false, machine = false, can_run = true, can_capture;
	char buf[512];
	int rc = parse_args(argc, argv, &json, &machine);

	if (rc >= 0)
		return rc;
	if (machine) {
		print_machine();
		return 0;
	}
	if (json)
		jlines = json_array();
	can_run &= line(geteuid() == 0, "root", "%s", geteuid() == 0 ? "running as root" :
			"not root: runs need root to create cgroups and trace");
	can_run &= probe_cgroup();
	if (!read_small("/sys/fs/cgroup/unified/cgroup.controllers", buf, sizeof(buf)))
		line(buf[0] != 0, "cgroup2 (hybrid)", "/sys/fs/cgroup/unified controllers: '%s'%s", buf,
		     buf[0] ? "" : " (none: runs use the v1 memory controller)");
	can_capture = probe_tracing();
	probe_machine();
	if (jlines) {
		json_t *o = json_pack("{s:o,s:b,s:b}", "lines", jlines, "can_run", can_run,
				      "can_capture", can_capture);

		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
		jlines = NULL;
		return can_run ? 0 : 4;
	}
	printf("\n%s\n", can_run ? (can_capture ? "capped runs with stall capture work here" :
				   "capped runs work here, without stall capture") :
				  "capped runs cannot work here (see above)");
	return can_run ? 0 : 4;
}
