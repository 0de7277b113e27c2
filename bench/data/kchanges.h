/* Known changes of vmalloc __GFP_NOFAIL behaviour by upstream kernel
 * release, and the upstream release behind a distribution kernel: results
 * from two kernels on either side of such a change measure different code,
 * whatever their package names say. Pure data: no kernel access. */
#ifndef STALLBENCH_KCHANGES_H
#define STALLBENCH_KCHANGES_H
#include <stddef.h>

struct kchange {
	const char *id;		/* short name, recorded in meta.json */
	const char *title;	/* the upstream commit's subject */
	const char *commit;	/* upstream commit id (12 hex) */
	const char *mainline;	/* first mainline release with it, "6.10" */
	const char *series;	/* a stable series it was backported to, "6.1" */
	const char *stable;	/* first release of that series with it, "6.1.95" */
	const char *debian;	/* first Debian package with it, "6.1.0-23 (6.1.98-1)" */
	const char *without;	/* what a kernel without it does */
};

extern const struct kchange kchanges[];
extern const size_t nkchanges;
/*
 * Known memcg/OOM behaviour changes that move what a NOFAIL charge past a
 * cap costs (not recorded at run time: a comparison judges them from each
 * result's upstream release). commit and mainline may be "" (not known).
 */
extern const struct kchange kchanges_memcg[];
extern const size_t nkchanges_memcg;

/*
 * The upstream release behind a kernel, from its /proc/version text
 * ("... Debian 6.1.192-3 ..." gives "6.1.192") or, failing that, from a
 * release that starts with one ("6.1.192-rc1+"); Debian's "6.1.0-57-amd64"
 * alone says nothing. 0, or -ENOENT when it cannot be told.
 */
int kver_upstream(const char *proc_version, const char *release, char *out, size_t len);
/* Whether upstream release v ("6.1.192") has change c: 1 yes, 0 no, -1 unknown. */
int kchange_present(const struct kchange *c, const char *v);
#endif
