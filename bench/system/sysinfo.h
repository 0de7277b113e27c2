/* Facts about the machine and kernel that change results: release, command
 * line, and the memory-management settings (MGLRU, THP, init_on_alloc...). */
#ifndef STALLBENCH_SYSINFO_H
#define STALLBENCH_SYSINFO_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* {"release","version","cmdline","machine","upstream" (Debian's 6.1.0-57:
 * "6.1.192", null if unknown),"vmalloc_nofail_changes" ({id: has it, from
 * kchanges.h})}. NULL on allocation failure. */
json_t *sysinfo_kernel(void);
/* {"lru_gen","thp_enabled",...} read from /sys and /proc; missing ones are null. */
json_t *sysinfo_mm(void);
/* {"hostname","cpus","mem_total_bytes"}. */
json_t *sysinfo_host(void);
/* Reads a whole small file into buf, trimming the trailing newline. 0 or -errno. */
int read_small(const char *path, char *buf, size_t len);
/* A "key value" line from /proc/meminfo-style file, in bytes if kB. 0 or -errno. */
int read_keyval(const char *path, const char *key, uint64_t *out);
/* What the machine runs on (host.virt): "tcg", "kvm", ..., "bare-metal", "unknown". */
const char *sysinfo_virt(void);
/* MemTotal in bytes, 0 if unknown. */
uint64_t mem_total_bytes(void);
#endif
