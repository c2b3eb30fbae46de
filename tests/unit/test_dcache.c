/* The decoded-instruction cache: lazily created pages, lookups per mode,
 * invalidation by physical page across modes, generation changes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dcache.h"
#include "tests/unit/unit.h"

struct rec {
    uint32_t handler;
    uint32_t operand;
};

START_TEST(create_lookup_invalidate)
{
    struct dcache dc;
    struct orr_error err;
    ck_assert_int_eq(dcache_init(&dc, sizeof(struct rec), 1024, 64, &err), 0);
    ck_assert_ptr_null(dcache_lookup(&dc, 0x40000000, 0));
    struct rec *arm = dcache_create(&dc, 0x40000000, 0);
    ck_assert_ptr_nonnull(arm);
    ck_assert_uint_eq(arm[1023].handler, 0);  /* zeroed: "not decoded" */
    arm[5].handler = 7;
    struct rec *thumb = dcache_create(&dc, 0x40000000, 1);
    thumb[5].handler = 9;
    struct rec *other = dcache_create(&dc, 0x40001000, 0);
    other[0].handler = 3;
    ck_assert_ptr_eq(dcache_lookup(&dc, 0x40000000, 0), arm);
    ck_assert_ptr_eq(dcache_lookup(&dc, 0x40000000, 1), thumb);
    ck_assert_uint_eq(((struct rec *)dcache_lookup(&dc, 0x40000000, 0))[5].handler, 7);

    uint64_t gen = dc.generation;
    ck_assert_uint_eq(dcache_invalidate_phys_page(&dc, 0x40000000), 2);
    ck_assert_uint_gt(dc.generation, gen);
    ck_assert_ptr_null(dcache_lookup(&dc, 0x40000000, 0));
    ck_assert_ptr_null(dcache_lookup(&dc, 0x40000000, 1));
    ck_assert_ptr_eq(dcache_lookup(&dc, 0x40001000, 0), other);
    gen = dc.generation;
    ck_assert_uint_eq(dcache_invalidate_phys_page(&dc, 0x50000000), 0);
    ck_assert_uint_eq(dc.generation, gen);

    /* A recycled page comes back zeroed. */
    struct rec *again = dcache_create(&dc, 0x40000000, 0);
    ck_assert_uint_eq(again[5].handler, 0);
    dcache_destroy(&dc);
}
END_TEST

START_TEST(full_cache_flushes)
{
    struct dcache dc;
    struct orr_error err;
    ck_assert_int_eq(dcache_init(&dc, sizeof(struct rec), 16, 4, &err), 0);
    for (uint64_t p = 0; p < 4; p++)
        ck_assert_ptr_nonnull(dcache_create(&dc, p << 12, 0));
    ck_assert_uint_eq(dc.npages, 4);
    uint64_t gen = dc.generation;
    ck_assert_ptr_nonnull(dcache_create(&dc, 9 << 12, 0));
    ck_assert_uint_gt(dc.generation, gen);
    ck_assert_uint_eq(dc.npages, 1);
    ck_assert_ptr_null(dcache_lookup(&dc, 0, 0));
    ck_assert_ptr_nonnull(dcache_lookup(&dc, 9 << 12, 0));
    dcache_flush(&dc);
    ck_assert_ptr_null(dcache_lookup(&dc, 9 << 12, 0));
    ck_assert_uint_eq(dc.npages, 0);
    dcache_destroy(&dc);
}
END_TEST

START_TEST(many_pages_hash_apart)
{
    struct dcache dc;
    struct orr_error err;
    ck_assert_int_eq(dcache_init(&dc, sizeof(struct rec), 4, 100000, &err), 0);
    for (uint64_t p = 0; p < 5000; p++) {
        struct rec *r = dcache_create(&dc, p << 12, (unsigned)(p % 3));
        r[0].operand = (uint32_t)p;
    }
    for (uint64_t p = 0; p < 5000; p++) {
        struct rec *r = dcache_lookup(&dc, p << 12, (unsigned)(p % 3));
        ck_assert_ptr_nonnull(r);
        ck_assert_uint_eq(r[0].operand, p);
        ck_assert_ptr_null(dcache_lookup(&dc, p << 12, (unsigned)(p % 3) + 3));
    }
    dcache_destroy(&dc);
}
END_TEST

START_TEST(bad_geometry_is_an_error)
{
    struct dcache dc;
    struct orr_error err;
    ck_assert_int_eq(dcache_init(&dc, 0, 16, 4, &err), -1);
    ck_assert(strlen(err.msg) > 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dcache");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, create_lookup_invalidate);
    tcase_add_test(tc, full_cache_flushes);
    tcase_add_test(tc, many_pages_hash_apart);
    tcase_add_test(tc, bad_geometry_is_an_error);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
