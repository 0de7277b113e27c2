/* kver_upstream() on real /proc/version lines and kchange_present() at the
 * stable boundaries established from Debian's changelog (kchanges.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "kchanges.h"

static const struct kchange *by_id(const char *id)
{
	for (size_t i = 0; i < nkchanges; i++)
		if (!strcmp(kchanges[i].id, id))
			return &kchanges[i];
	return NULL;
}

static void upstream_from_proc_version(void **state)
{
	char up[32];

	(void)state;
	/* The compiler's "Debian 12.2.0" comes first: not the kernel. */
	assert_int_equal(kver_upstream("Linux version 6.1.0-57-amd64 (debian-kernel@lists.debian.org) "
				       "(gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils "
				       "for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2025-11-20)",
				       "6.1.0-57-amd64", up, sizeof(up)), 0);
	assert_string_equal(up, "6.1.192");
	assert_int_equal(kver_upstream("Linux version 6.12.117+deb12-amd64 (gcc-12 (Debian 12.2.0-14"
				       "+deb12u1) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1~deb12u1",
				       "6.12.117+deb12-amd64", up, sizeof(up)), 0);
	assert_string_equal(up, "6.12.117");
	/* Self-built: the release is upstream; Debian's x.y.0-N alone is not. */
	assert_int_equal(kver_upstream("Linux version 6.18.44 (gcc 15)", "6.18.44-fc", up, sizeof(up)), 0);
	assert_string_equal(up, "6.18.44");
	assert_int_not_equal(kver_upstream("Linux version 6.1.0-57-amd64 #1 SMP", "6.1.0-57-amd64",
					   up, sizeof(up)), 0);
}

static void boundaries(void **state)
{
	const struct kchange *sig = by_id("nofail_fatal_signal"), *hi = by_id("nofail_high_order"),
			     *map = by_id("nofail_fallback_mapping");

	(void)state;
	assert_non_null(sig);
	assert_non_null(hi);
	assert_non_null(map);
	assert_int_equal(kchange_present(sig, "6.1.94"), 0);
	assert_int_equal(kchange_present(sig, "6.1.95"), 1);
	assert_int_equal(kchange_present(hi, "6.1.95"), 1);
	assert_int_equal(kchange_present(map, "6.1.106"), 0);
	assert_int_equal(kchange_present(map, "6.1.107"), 1);
	assert_int_equal(kchange_present(map, "6.1.192"), 1);
	assert_int_equal(kchange_present(map, "6.12.117"), 1);
	assert_int_equal(kchange_present(sig, "6.10.0"), 1);
	assert_int_equal(kchange_present(map, "6.10.3"), -1);	/* 6.10.y: not established */
	assert_int_equal(kchange_present(sig, "5.15.100"), -1);	/* another series */
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(upstream_from_proc_version),
		cmocka_unit_test(boundaries),
	};

	return cmocka_run_group_tests(t, NULL, NULL) ? 1 : 0;
}
