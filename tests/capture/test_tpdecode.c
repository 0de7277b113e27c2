/*
 * The decoder on the three kernels' real format files: raw records are built
 * at the offsets libtraceevent reports, decoded back by name, and the gfp
 * names come from each kernel's own print fmt.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rawbuild.h"
#include "nofail.h"

static const char *const kernels[] = {
	"6.1.0-56-amd64", "6.12.117+deb12-amd64", "6.18.44-fc-v782",
};

static struct tpdecode *open_kernel(const char *k)
{
	char root[512], err[256];
	struct tpdecode *d = NULL;

	snprintf(root, sizeof(root), "%s/tracefs/%s", FIXTURES, k);
	assert_int_equal(tpd_open(root, &d, err, sizeof(err)), 0);
	return d;
}

static int file_id(const char *k, const char *sys, const char *ev)
{
	char p[600];
	FILE *f;
	int id = -1;

	snprintf(p, sizeof(p), "%s/tracefs/%s/events/%s/%s/id", FIXTURES, k, sys, ev);
	f = fopen(p, "r");
	if (f) {
		if (fscanf(f, "%d", &id) != 1)
			id = -1;
		fclose(f);
	}
	return id;
}

static void decode_one(const char *k, struct tpdecode *d, const char *ev_name, const char *field,
		       int64_t val, int64_t expect)
{
	unsigned char raw[512];
	struct fv fv = { field, val };
	size_t len = raw_build(d, "vmscan", ev_name, &fv, 1, raw, sizeof(raw));
	struct tep_event *e;
	struct tpd_field f, ct;
	int64_t got;

	assert_true(len > 0);
	assert_int_equal(tpd_event(d, "vmscan", ev_name, &e), 0);
	assert_int_equal(tpd_event_id(e), file_id(k, "vmscan", ev_name));
	assert_int_equal(tpd_field(e, "common_type", &ct), 0);
	assert_int_equal(tpd_read(&ct, raw, len, &got), 0);
	assert_ptr_equal(tpd_event_by_id(d, (int)got), e);
	assert_int_equal(tpd_field(e, field, &f), 0);
	assert_int_equal(tpd_read(&f, raw, len, &got), 0);
	assert_true(got == expect);
}

static void test_fields(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct tpdecode *d = open_kernel(kernels[i]);

		decode_one(kernels[i], d, "mm_vmscan_memcg_reclaim_begin", "order", 3, 3);
		decode_one(kernels[i], d, "mm_vmscan_memcg_reclaim_begin", "order", -1, -1);
		decode_one(kernels[i], d, "mm_vmscan_direct_reclaim_begin", "gfp_flags", 0x8cc0, 0x8cc0);
		decode_one(kernels[i], d, "mm_vmscan_direct_reclaim_end", "nr_reclaimed",
			   123456789012ll, 123456789012ll);
		decode_one(kernels[i], d, "mm_vmscan_throttled", "usec_delayed", 4000, 4000);
		decode_one(kernels[i], d, "mm_vmscan_memcg_softlimit_reclaim_end", "nr_reclaimed", 7, 7);
		tpd_close(d);
	}
}

static void test_ids_differ(void **state)
{
	int ids[3];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct tpdecode *d = open_kernel(kernels[i]);
		struct tep_event *e;

		assert_int_equal(tpd_event(d, "vmscan", "mm_vmscan_memcg_reclaim_begin", &e), 0);
		ids[i] = tpd_event_id(e);
		tpd_close(d);
	}
	/* the point of decoding by name: the same event has another id on each kernel */
	assert_int_not_equal(ids[0], ids[1]);
	assert_int_not_equal(ids[1], ids[2]);
}

static void gfp_case(struct tpdecode *d, uint64_t gfp, const char *expect)
{
	unsigned char raw[512];
	struct fv fv = { "gfp_flags", (int64_t)gfp };
	size_t len = raw_build(d, "vmscan", "mm_vmscan_memcg_reclaim_begin", &fv, 1, raw, sizeof(raw));
	struct tep_event *e;
	struct tpd_field f;
	struct tpd_flags fl;
	int64_t got;
	char names[256];

	assert_int_equal(tpd_event(d, "vmscan", "mm_vmscan_memcg_reclaim_begin", &e), 0);
	assert_int_equal(tpd_field(e, "gfp_flags", &f), 0);
	assert_int_equal(tpd_read(&f, raw, len, &got), 0);
	assert_int_equal(tpd_flags_of(e, "gfp_flags", &fl), 0);
	assert_true(fl.n > 20);
	tpd_flags_str(&fl, (uint64_t)got, names, sizeof(names));
	assert_string_equal(names, expect);
	tpd_flags_free(&fl);
}

static void test_gfp_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct tpdecode *d = open_kernel(kernels[i]);

		/* GFP_KERNEL is 0xcc0 on all three; NOFAIL bit 15, ACCOUNT bit 22 */
		gfp_case(d, 0xcc0 | 0x8000, "GFP_KERNEL|__GFP_NOFAIL");
		gfp_case(d, 0x400cc0, "GFP_KERNEL_ACCOUNT");
		gfp_case(d, 0x400cc0 | 0x8000, "GFP_KERNEL_ACCOUNT|__GFP_NOFAIL");
		gfp_case(d, 0x140cca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP");
		gfp_case(d, 0, "none");
		gfp_case(d, 0xcc0 | (1ull << 40), "GFP_KERNEL|0x10000000000");
		tpd_close(d);
	}
}

/* The tables differ between kernels: 6.18 dropped __GFP_ATOMIC (bit 9) that 6.1 names. */
static void test_gfp_tables_differ(void **state)
{
	struct tpdecode *d1 = open_kernel(kernels[0]), *d3 = open_kernel(kernels[2]);
	struct tep_event *e1, *e3;
	struct tpd_flags f1, f3;
	char n1[128], n3[128];

	(void)state;
	assert_int_equal(tpd_event(d1, "vmscan", "mm_vmscan_memcg_reclaim_begin", &e1), 0);
	assert_int_equal(tpd_event(d3, "vmscan", "mm_vmscan_memcg_reclaim_begin", &e3), 0);
	assert_int_equal(tpd_flags_of(e1, "gfp_flags", &f1), 0);
	assert_int_equal(tpd_flags_of(e3, "gfp_flags", &f3), 0);
	tpd_flags_str(&f1, 0x200, n1, sizeof(n1));
	tpd_flags_str(&f3, 0x200, n3, sizeof(n3));
	assert_string_equal(n1, "__GFP_ATOMIC");
	assert_string_equal(n3, "0x200");
	tpd_flags_free(&f1);
	tpd_flags_free(&f3);
	tpd_close(d1);
	tpd_close(d3);
}

static void test_strings_and_bounds(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct tpdecode *d = open_kernel(kernels[i]);
		unsigned char raw[512];
		struct tep_event *e;
		struct tpd_field f, comm;
		int64_t v;
		char s[32];
		size_t len;
		struct fv fv[] = { { "pid", 4242 }, { "comm", 0 } };

		assert_int_equal(tpd_event(d, "oom", "mark_victim", &e), 0);
		assert_int_equal(tpd_field(e, "comm", &comm), 0);
		/* __data_loc: low 16 bits offset, high 16 length; put the string after the fields */
		fv[1].val = (int64_t)((uint32_t)(8u << 16) | 96u);
		len = raw_build(d, "oom", "mark_victim", fv, 2, raw, sizeof(raw));
		assert_true(len > 0 && len <= 96);
		memcpy(raw + 96, "truncw1", 8);
		len = 104;
		assert_int_equal(tpd_field(e, "pid", &f), 0);
		assert_int_equal(tpd_read(&f, raw, len, &v), 0);
		assert_int_equal(v, 4242);
		assert_int_equal(tpd_read_str(&comm, raw, len, s, sizeof(s)), 0);
		assert_string_equal(s, "truncw1");
		/* a short record is refused, not over-read */
		assert_int_equal(tpd_read(&f, raw, f.offset + 1, &v), -ERANGE);
		assert_int_equal(tpd_field(e, "no_such_field", &f), -ENOENT);
		assert_int_equal(tpd_event(d, "vmscan", "no_such_event", &e), -ENOENT);
		tpd_close(d);
	}
}

/*
 * The __GFP_NOFAIL bit each kernel's own flag table gives the three
 * allocation events (6.1 prints it as 0x8000u, 6.12 and 6.18 as 1UL << 15),
 * and the filter the capture hands the kernel.
 */
static void test_nofail_bit(void **state)
{
	static const char *const evs[] = { "mm_page_alloc", "kmalloc", "kmem_cache_alloc" };
	char flt[64];

	(void)state;
	for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
		struct tpdecode *d = open_kernel(kernels[k]);

		for (size_t i = 0; i < 3; i++) {
			uint64_t bit = 0;

			assert_int_equal(nofail_gfp_bit(d, "kmem", evs[i], &bit), 0);
			assert_int_equal(bit, 0x8000);
		}
		/* no gfp_flags field: nothing to filter on */
		uint64_t bit = 0;

		assert_int_equal(nofail_gfp_bit(d, "kmem", "kfree", &bit), -ENOENT);
		assert_int_equal(nofail_gfp_bit(d, "kmem", "nosuch", &bit), -ENOENT);
		tpd_close(d);
	}
	assert_string_equal(nofail_filter(0x8000, flt, sizeof(flt)), "gfp_flags & 0x8000");
}

static void test_bad_root(void **state)
{
	struct tpdecode *d;
	char err[256];

	(void)state;
	assert_int_equal(tpd_open("/nonexistent", &d, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_ids_differ),
		cmocka_unit_test(test_gfp_names),
		cmocka_unit_test(test_gfp_tables_differ),
		cmocka_unit_test(test_strings_and_bounds),
		cmocka_unit_test(test_bad_root),
		cmocka_unit_test(test_nofail_bit),
	};

	/* cmocka returns its failure count; 4 of them would read as a ctest skip */
	return cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0;
}
