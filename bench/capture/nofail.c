/* The NOFAIL bit per kernel, from the format file; see nofail.h. */
#include "nofail.h"
#include "tpdecode.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *const nofail_events[][2] = {
	{ "kmem", "mm_page_alloc" },
	{ "kmem", "kmalloc" },
	{ "kmem", "kmem_cache_alloc" },
	{ "kmem", "kmalloc_node" },		/* before 6.1 */
	{ "kmem", "kmem_cache_alloc_node" },	/* before 6.1 */
	{ NULL, NULL },
};

int nofail_gfp_bit(struct tpdecode *d, const char *sys, const char *name, uint64_t *bit)
{
	struct tep_event *ev;
	struct tpd_field f;
	struct tpd_flags fl;
	int err = tpd_event(d, sys, name, &ev);

	if (err)
		return err;
	if (tpd_field(ev, "gfp_flags", &f))
		return -ENOENT;
	err = tpd_flags_of(ev, "gfp_flags", &fl);
	if (err)
		return err;
	err = -ENOENT;
	for (size_t i = 0; i < fl.n; i++)
		if (!strcmp(fl.name[i], "__GFP_NOFAIL") && fl.val[i] &&
		    !(fl.val[i] & (fl.val[i] - 1))) {
			*bit = fl.val[i];
			err = 0;
			break;
		}
	tpd_flags_free(&fl);
	return err;
}

const char *nofail_filter(uint64_t bit, char *buf, size_t len)
{
	snprintf(buf, len, "gfp_flags & 0x%" PRIx64, bit);
	return buf;
}
