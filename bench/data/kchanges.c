/* The one table of known vmalloc __GFP_NOFAIL behaviour changes (see
 * kchanges.h). Boundaries from the stable changelogs as Debian ships them
 * (/usr/share/doc/linux-image-6.1.0-57-amd64/changelog.gz: "New upstream
 * stable update: ChangeLog-6.1.95" under linux 6.1.98-1, ABI 23;
 * ChangeLog-6.1.107 under linux 6.1.112-1, ABI 26) and the 6.1.95-rc1 review
 * shortlog on stable@vger.kernel.org. */
#include "kchanges.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct kchange kchanges[] = {
	{ "nofail_fatal_signal",
	  "mm/vmalloc: fix vmalloc which may return null if called with __GFP_NOFAIL",
	  "8e0545c83d67", "6.10", "6.1", "6.1.95", "6.1.0-23 (6.1.98-1)",
	  "a NOFAIL vmalloc whose caller was OOM-killed (fatal signal pending) may return NULL" },
	{ "nofail_high_order",
	  "mm, vmalloc: fix high order __GFP_NOFAIL allocations",
	  "e9c3cda4d86e", "6.10", "6.1", "6.1.95", "6.1.0-23 (6.1.98-1)",
	  "huge-page (high-order) NOFAIL attempts are not retried at order 0 by vm_area_alloc_pages()" },
	{ "nofail_fallback_mapping",
	  "mm/vmalloc: fix page mapping if vm_area_alloc_pages() with high order fallback to order 0",
	  "61ebe5a747da", "6.11", "6.1", "6.1.107", "6.1.0-26 (6.1.112-1)",
	  "with nofail_high_order: a huge NOFAIL area that fell back to order 0 is mapped with "
	  "mixed page sizes (memory corruption)" },
};
const size_t nkchanges = sizeof(kchanges) / sizeof(kchanges[0]);

/* Boundary from Debian's changelog (linux 6.12.117-1: "New upstream stable
 * update: ChangeLog-6.12.117" lists it; 6.12.115-2 does not, 6.12.116 is not
 * in the archive) and ./run.sh bisect between Debian 6.12.115 and 6.12.117. */
const struct kchange kchanges_memcg[] = {
	{ "memcg_dying_bypass",
	  "memcg: bypass the reclaim and oom killer for dying tasks once oom_reaper is done",
	  "", "", "6.12", "6.12.117", "6.12.117-1",
	  "an OOM-killed caller's charge keeps reclaiming and invoking the memcg OOM killer "
	  "(a NOFAIL vmalloc past its cap: ~36k memcg reclaim rounds on Debian 6.12.115, "
	  "~13k on 6.12.117)" },
};
const size_t nkchanges_memcg = sizeof(kchanges_memcg) / sizeof(kchanges_memcg[0]);

/* "6.1.192..." into its three numbers; the count parsed (0..3). */
static int kver_split(const char *s, unsigned long v[3])
{
	int n = 0;
	char *end;

	v[0] = v[1] = v[2] = 0;
	while (n < 3 && isdigit((unsigned char)*s)) {
		v[n++] = strtoul(s, &end, 10);
		s = end;
		if (*s != '.')
			break;
		s++;
	}
	return n;
}

int kver_upstream(const char *proc_version, const char *release, char *out, size_t len)
{
	unsigned long v[3], w[3];
	const char *p = proc_version;
	int found = 0;

	/* The last "Debian x.y.z": the compiler's ("gcc-12 (Debian 12.2.0-14)")
	 * comes first, the kernel's after "#1 SMP ...". */
	while (p && (p = strstr(p, "Debian ")) != NULL) {
		p += 7;
		if (kver_split(p, w) == 3) {
			memcpy(v, w, sizeof(v));
			found = 1;
		}
	}
	if (found) {
		snprintf(out, len, "%lu.%lu.%lu", v[0], v[1], v[2]);
		return 0;
	}
	/* x.y.0 is Debian's ABI-style release (6.1.0-57), not an upstream one. */
	if (release && kver_split(release, v) == 3 && v[2] != 0) {
		snprintf(out, len, "%lu.%lu.%lu", v[0], v[1], v[2]);
		return 0;
	}
	return -ENOENT;
}

int kchange_present(const struct kchange *c, const char *ver)
{
	unsigned long v[3], m[3], s[3];

	if (kver_split(ver, v) < 2 || kver_split(c->stable, s) < 3)
		return -1;
	/* a mainline release not known: only its own stable series is judged */
	if (kver_split(c->mainline, m) >= 2 && (v[0] != m[0] ? v[0] > m[0] : v[1] >= m[1]))
		return 1;
	if (v[0] == s[0] && v[1] == s[1])
		return v[2] >= s[2];
	/* Another stable series (which may predate the bug, or have a backport
	 * not established here): unknown, never guessed. */
	return -1;
}
