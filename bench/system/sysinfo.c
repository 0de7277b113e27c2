/* Reads the kernel and mm settings recorded in meta.json. A comparison of
 * two kernels that hides a differing setting (Debian 6.1 ships MGLRU off,
 * 6.12 on) misleads its reader, so every setting that is known to move
 * reclaim numbers is recorded, and a missing one is recorded as null. */
#include "sysinfo.h"
#include "kchanges.h"
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

int read_keyval(const char *path, const char *key, uint64_t *out)
{
	FILE *f = fopen(path, "re");
	char line[256];
	size_t kl = strlen(key);
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *p;
		unsigned long long v;

		if (strncmp(line, key, kl) || (line[kl] != ':' && line[kl] != ' '))
			continue;
		p = line + kl + (line[kl] == ':');
		v = strtoull(p, &p, 10);
		if (strstr(p, "kB"))
			v *= 1024;
		*out = v;
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

uint64_t mem_total_bytes(void)
{
	uint64_t v = 0;

	read_keyval("/proc/meminfo", "MemTotal", &v);
	return v;
}

/* The selected value of a "[always] madvise never" style file. */
static void set_file(json_t *o, const char *key, const char *path, int bracketed)
{
	char buf[512];

	if (read_small(path, buf, sizeof(buf))) {
		json_object_set_new(o, key, json_null());
		return;
	}
	if (bracketed) {
		char *l = strchr(buf, '['), *r = l ? strchr(l, ']') : NULL;

		if (l && r) {
			*r = 0;
			json_object_set_new(o, key, json_string(l + 1));
			return;
		}
	}
	json_object_set_new(o, key, json_string(buf));
}

/* A boot parameter's value from /proc/cmdline, or def if absent. */
static void set_cmdline_param(json_t *o, const char *key, const char *param, const char *def)
{
	char buf[4096], *tok, *save;
	size_t pl = strlen(param);
	const char *val = def;
	char found[256];

	if (!read_small("/proc/cmdline", buf, sizeof(buf))) {
		for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			if (!strncmp(tok, param, pl) && tok[pl] == '=') {
				snprintf(found, sizeof(found), "%s", tok + pl + 1);
				val = found;
			} else if (!strcmp(tok, param)) {
				val = "present";
			}
		}
	}
	json_object_set_new(o, key, val ? json_string(val) : json_null());
}

/* CONFIG_<opt> of the running kernel's build config: 1 y, 0 not set, -1 unknown.
 * The lab's kernels keep their config in the package cache the guest sees. */
static int kconfig_bool(const char *opt)
{
	struct utsname u;
	char paths[3][512], line[256], want[128];
	size_t wl;

	uname(&u);
	snprintf(paths[0], sizeof(paths[0]), "/boot/config-%s", u.release);
	snprintf(paths[1], sizeof(paths[1]), "/var/cache/stallbench/kernels/%s/root/boot/config-%s",
		 u.release, u.release);
	snprintf(paths[2], sizeof(paths[2]), "/lib/modules/%s/build/.config", u.release);
	wl = (size_t)snprintf(want, sizeof(want), "CONFIG_%s=", opt);
	for (int i = 0; i < 3; i++) {
		FILE *f = fopen(paths[i], "re");
		int v = 0;

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, want, wl))
				v = line[wl] == 'y';
		fclose(f);
		return v;
	}
	return -1;
}

/* init_on_alloc/free: the boot parameter, else the build default. */
static void set_init_on(json_t *o, const char *key, const char *cfg)
{
	int v;

	set_cmdline_param(o, key, key, NULL);
	if (!json_is_null(json_object_get(o, key)))
		return;
	v = kconfig_bool(cfg);
	if (v >= 0)
		json_object_set_new(o, key, json_string(v ? "1 (build default)" : "0 (build default)"));
}

json_t *sysinfo_mm(void)
{
	json_t *o = json_object();
	uint64_t swap = 0;
	char buf[4096];

	if (!o)
		return NULL;
	set_file(o, "lru_gen", "/sys/kernel/mm/lru_gen/enabled", 0);
	set_file(o, "thp_enabled", "/sys/kernel/mm/transparent_hugepage/enabled", 1);
	set_file(o, "thp_defrag", "/sys/kernel/mm/transparent_hugepage/defrag", 1);
	/* init_on_alloc has no sysfs file: the boot parameter, else the
	 * kernel's build default (Debian: on), null when neither is known. */
	set_init_on(o, "init_on_alloc", "INIT_ON_ALLOC_DEFAULT_ON");
	set_init_on(o, "init_on_free", "INIT_ON_FREE_DEFAULT_ON");
	if (read_keyval("/proc/meminfo", "SwapTotal", &swap) == 0)
		json_object_set_new(o, "swap_total_bytes", json_integer((json_int_t)swap));
	else
		json_object_set_new(o, "swap_total_bytes", json_null());
	set_file(o, "zswap", "/sys/module/zswap/parameters/enabled", 0);
	set_file(o, "swappiness", "/proc/sys/vm/swappiness", 0);
	set_file(o, "compaction_proactiveness", "/proc/sys/vm/compaction_proactiveness", 0);
	set_file(o, "min_free_kbytes", "/proc/sys/vm/min_free_kbytes", 0);
	set_file(o, "watermark_scale_factor", "/proc/sys/vm/watermark_scale_factor", 0);
	set_file(o, "overcommit_memory", "/proc/sys/vm/overcommit_memory", 0);
	/* Huge vmalloc is on unless booted with nohugevmalloc (x86-64, arm64). */
	if (!read_small("/proc/cmdline", buf, sizeof(buf)))
		json_object_set_new(o, "vmalloc_huge",
				    json_string(strstr(buf, "nohugevmalloc") ? "off" : "on"));
	else
		json_object_set_new(o, "vmalloc_huge", json_null());
	set_cmdline_param(o, "preempt", "preempt", NULL);
	return o;
}

json_t *sysinfo_kernel(void)
{
	struct utsname u;
	char cmd[4096] = "", pv[1024] = "", up[32];
	json_t *k, *ch;

	uname(&u);
	read_small("/proc/cmdline", cmd, sizeof(cmd));
	read_small("/proc/version", pv, sizeof(pv));
	k = json_pack("{s:s,s:s,s:s,s:s}", "release", u.release, "version", u.version,
		      "cmdline", cmd, "machine", u.machine);
	if (!k)
		return NULL;
	/* Debian's 6.1.0-57 is upstream 6.1.192: the release name hides it. */
	if (kver_upstream(pv, u.release, up, sizeof(up))) {
		json_object_set_new(k, "upstream", json_null());
		return k;
	}
	json_object_set_new(k, "upstream", json_string(up));
	ch = json_object();
	for (size_t i = 0; i < nkchanges; i++) {
		int p = kchange_present(&kchanges[i], up);

		json_object_set_new(ch, kchanges[i].id, p < 0 ? json_null() : json_boolean(p));
	}
	json_object_set_new(k, "vmalloc_nofail_changes", ch);
	return k;
}

/* The CPU's model name from /proc/cpuinfo, "" if absent. */
static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[512];

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !c)
			continue;
		c += 1 + strspn(c + 1, " \t");
		c[strcspn(c, "\n")] = '\0';
		snprintf(buf, len, "%s", c);
		break;
	}
	fclose(f);
}

/*
 * What the machine runs on, from the hypervisor's CPUID signature (leaf
 * 0x40000000): "tcg" (QEMU emulation: every time is slow and some are
 * distorted), "kvm", another hypervisor's name, or "bare-metal".
 */
static const char *virt_kind(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;
	char sig[13];

	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31)))
		return "bare-metal";
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	if (!strncmp(sig, "TCGTCGTCG", 9))
		return "tcg";
	if (!strncmp(sig, "KVMKVMKVM", 9))
		return "kvm";
	if (!strncmp(sig, "Microsoft Hv", 12))
		return "hyper-v";
	if (!strncmp(sig, "VMwareVMware", 12))
		return "vmware";
	if (!strncmp(sig, "XenVMMXenVMM", 12))
		return "xen";
	if (!strncmp(sig, "bhyve bhyve ", 12))
		return "bhyve";
	return "hypervisor";
#else
	return "unknown";
#endif
}

const char *sysinfo_virt(void)
{
	return virt_kind();
}

json_t *sysinfo_host(void)
{
	char host[256] = "", model[256];

	const char *label = getenv("STALLBENCH_HOST_LABEL");
	json_t *h;

	gethostname(host, sizeof(host) - 1);
	cpu_model(model, sizeof(model));
	h = json_pack("{s:s,s:I,s:I,s:s,s:s}", "hostname", host,
		      "cpus", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN),
		      "mem_total_bytes", (json_int_t)mem_total_bytes(),
		      "cpu_model", model, "virt", virt_kind());
	/* a lab sweep's name for this machine, unique in the sweep where two
	 * entries reach one hostname (--hosts: "hostname/entry") */
	if (h && label && label[0] && strlen(label) < 128)
		json_object_set_new(h, "label", json_string(label));
	/* which boot of which machine: a reader elsewhere (watch on a lab
	 * guest's share, a hosts sweep's copy) knows the pid is not its own */
	{
		char id[64] = "";
		FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

		if (f) {
			if (fgets(id, sizeof(id), f))
				id[strcspn(id, "\n")] = '\0';
			fclose(f);
		}
		if (h && id[0])
			json_object_set_new(h, "boot_id", json_string(id));
	}
	return h;
}
