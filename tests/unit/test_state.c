/* Save-state streams: every field type round-trips; truncated or corrupt
 * images fail with a message at every cut point, never overrun. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "machine/state.h"
#include "tests/unit/unit.h"

static void write_sample(struct state_writer *w, const uint8_t *ram, size_t ramlen)
{
    state_writer_init(w);
    state_begin(w, "alpha", 3);
    state_put_u8(w, 0xab);
    state_put_u16(w, 0xbeef);
    state_put_u32(w, 0xdeadbeef);
    state_put_u64(w, 0x0123456789abcdefull);
    state_put_bool(w, true);
    state_put_bytes(w, "hello", 5);
    state_end(w);
    state_begin(w, "ram", 1);
    ck_assert_int_eq(state_put_zblob(w, ram, ramlen), 0);
    state_end(w);
}

START_TEST(round_trip_all_fields)
{
    size_t ramlen = 1 << 20;
    uint8_t *ram = calloc(1, ramlen), *back = malloc(ramlen);
    for (size_t i = 0; i < ramlen; i += 4096)
        ram[i] = (uint8_t)(i >> 12);
    struct state_writer w;
    struct orr_error err;
    write_sample(&w, ram, ramlen);
    ck_assert_int_eq(state_writer_finish(&w, &err), 0);
    ck_assert_uint_lt(w.len, ramlen / 16);  /* mostly-zero RAM compresses */

    struct state_reader r;
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&r, "ram"), 0);   /* out of order is fine */
    ck_assert_int_eq(state_get_zblob(&r, back, ramlen), 0);
    ck_assert_int_eq(memcmp(ram, back, ramlen), 0);
    ck_assert_int_eq(state_reader_find(&r, "alpha"), 0);
    ck_assert_uint_eq(r.version, 3);
    ck_assert_uint_eq(state_get_u8(&r), 0xab);
    ck_assert_uint_eq(state_get_u16(&r), 0xbeef);
    ck_assert_uint_eq(state_get_u32(&r), 0xdeadbeef);
    ck_assert_uint_eq(state_get_u64(&r), 0x0123456789abcdefull);
    ck_assert(state_get_bool(&r));
    char hello[5];
    state_get_bytes(&r, hello, 5);
    ck_assert_int_eq(memcmp(hello, "hello", 5), 0);
    ck_assert_int_eq(state_reader_check(&r), 0);
    /* Reading past the section end is caught. */
    (void)state_get_u32(&r);
    ck_assert_int_eq(state_reader_check(&r), -1);
    ck_assert_int_eq(state_reader_find(&r, "missing"), -1);
    ck_assert(strstr(err.msg, "missing") != NULL);

    /* Walking all sections ends at "end". */
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_next(&r), 1);
    ck_assert_str_eq(r.tag, "alpha");
    ck_assert_int_eq(state_reader_next(&r), 1);
    ck_assert_str_eq(r.tag, "ram");
    ck_assert_int_eq(state_reader_next(&r), 0);
    state_writer_free(&w);
    free(ram);
    free(back);
}
END_TEST

START_TEST(truncation_at_every_offset_fails_cleanly)
{
    uint8_t ram[256];
    for (unsigned i = 0; i < sizeof ram; i++)
        ram[i] = (uint8_t)(i * 7);
    struct state_writer w;
    struct orr_error err;
    write_sample(&w, ram, sizeof ram);
    ck_assert_int_eq(state_writer_finish(&w, &err), 0);
    for (size_t cut = 0; cut < w.len; cut++) {
        /* A private copy so ASan sees any read beyond the cut. */
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, w.buf, cut);
        struct state_reader r;
        bool ok = true;
        if (state_reader_init(&r, copy, cut, &err) != 0) {
            ok = false;
        } else {
            int rc;
            while ((rc = state_reader_next(&r)) == 1) {
                if (strcmp(r.tag, "ram") == 0) {
                    uint8_t back[256];
                    if (state_get_zblob(&r, back, sizeof back))
                        ok = false;
                }
            }
            if (rc < 0)
                ok = false;
        }
        ck_assert_msg(!ok, "a stream cut at %zu of %zu bytes was accepted", cut, w.len);
        free(copy);
    }
    state_writer_free(&w);
}
END_TEST

START_TEST(corrupt_data_is_rejected)
{
    uint8_t ram[4096] = { 1, 2, 3 };
    struct state_writer w;
    struct orr_error err;
    write_sample(&w, ram, sizeof ram);
    ck_assert_int_eq(state_writer_finish(&w, &err), 0);
    struct state_reader r;
    /* Wrong magic. */
    w.buf[0] ^= 0xff;
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), -1);
    w.buf[0] ^= 0xff;
    /* Damage the deflate stream. */
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&r, "ram"), 0);
    size_t zpos = r.pos + 16 + 2;
    w.buf[zpos] ^= 0x55;
    w.buf[zpos + 1] ^= 0xaa;
    uint8_t back[4096];
    ck_assert_int_eq(state_get_zblob(&r, back, sizeof back), -1);
    /* A blob of the wrong size for the destination. */
    w.buf[zpos] ^= 0x55;
    w.buf[zpos + 1] ^= 0xaa;
    ck_assert_int_eq(state_reader_find(&r, "ram"), 0);
    ck_assert_int_eq(state_get_zblob(&r, back, 100), -1);
    state_writer_free(&w);
}
END_TEST

/* Blobs larger than the compressor's piece size, empty blobs, and several
 * blobs in one section round-trip; a blob read with the wrong size fails. */
START_TEST(large_and_empty_zblobs)
{
    const size_t big = (3u << 20) + 12345;      /* several 1 MiB pieces */
    uint8_t *ram = calloc(1, big), *back = malloc(big);
    for (size_t i = 0; i < big; i += 4099)
        ram[i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < 100000; i++)         /* an incompressible stretch */
        ram[big / 2 + i] = (uint8_t)((i * 2654435761u) >> 13);
    struct state_writer w;
    state_writer_init(&w);
    state_begin(&w, "mem", 3);
    ck_assert_int_eq(state_put_zblob(&w, ram, big), 0);
    ck_assert_int_eq(state_put_zblob(&w, NULL, 0), 0);
    ck_assert_int_eq(state_put_zblob(&w, ram, 10), 0);
    state_end(&w);
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(state_writer_finish(&w, &err), 0);
    ck_assert_uint_lt(w.len, big / 4);

    struct state_reader r;
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&r, "mem"), 0);
    ck_assert_uint_eq(r.version, 3);
    memset(back, 0xee, big);
    ck_assert_int_eq(state_get_zblob(&r, back, big), 0);
    ck_assert_int_eq(memcmp(ram, back, big), 0);
    uint8_t none;
    ck_assert_int_eq(state_get_zblob(&r, &none, 0), 0);
    ck_assert_int_eq(state_get_zblob(&r, back, 11), -1);   /* stored 10 */
    ck_assert_int_eq(state_reader_check(&r), -1);
    state_writer_free(&w);
    free(ram);
    free(back);
}
END_TEST

START_TEST(writer_misuse_is_reported)
{
    struct state_writer w;
    struct orr_error err;
    state_writer_init(&w);
    state_begin(&w, "a", 1);
    state_begin(&w, "b", 1);   /* nested */
    state_end(&w);
    ck_assert_int_eq(state_writer_finish(&w, &err), -1);
    state_writer_free(&w);
    state_writer_init(&w);
    char long_tag[STATE_TAG_MAX + 2];
    memset(long_tag, 'x', sizeof long_tag - 1);
    long_tag[sizeof long_tag - 1] = '\0';
    state_begin(&w, long_tag, 1);
    ck_assert_int_eq(state_writer_finish(&w, &err), -1);
    state_writer_free(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("state");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, round_trip_all_fields);
    tcase_add_test(tc, truncation_at_every_offset_fails_cleanly);
    tcase_add_test(tc, corrupt_data_is_rejected);
    tcase_add_test(tc, writer_misuse_is_reported);
    tcase_add_test(tc, large_and_empty_zblobs);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
