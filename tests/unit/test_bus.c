/* The physical bus: region search, overlap rules, RAM/ROM/MMIO semantics,
 * straddling accesses, the I/O space and decoded-code tracking. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/log.h"
#include "cpu/tlb.h"
#include "machine/bus.h"
#include "tests/unit/unit.h"

struct mmio_log {
    unsigned reads, writes;
    unsigned window;
    uint64_t last_off, last_val;
    unsigned last_size;
};

static int dev_read(void *opaque, unsigned window, uint64_t off, unsigned size, uint64_t *v)
{
    struct mmio_log *l = opaque;
    l->reads++;
    l->window = window;
    l->last_off = off;
    l->last_size = size;
    *v = 0xA0 + off;
    return off == 0xff ? BUS_ERROR : BUS_OK;
}

static int dev_write(void *opaque, unsigned window, uint64_t off, unsigned size, uint64_t v)
{
    struct mmio_log *l = opaque;
    l->writes++;
    l->window = window;
    l->last_off = off;
    l->last_size = size;
    l->last_val = v;
    return BUS_OK;
}

START_TEST(many_regions_found_by_search)
{
    struct bus bus;
    struct orr_error err;
    bus_init(&bus, NULL);
    struct mmio_log log = { 0 };
    /* Insert out of order; every lookup must land in the right one. */
    for (int i = 99; i >= 0; i--) {
        char name[16];
        snprintf(name, sizeof name, "dev%d", i);
        ck_assert_int_eq(bus_add_mmio(&bus, name, 0x10000000u + (uint64_t)i * 0x2000, 0x1000,
                                      dev_read, dev_write, &log, (unsigned)i, &err), 0);
    }
    for (int i = 0; i < 100; i++) {
        const struct bus_region *r = bus_find(&bus, 0x10000000u + (uint64_t)i * 0x2000 + 0xfff);
        ck_assert_ptr_nonnull(r);
        ck_assert_uint_eq(r->window, (unsigned)i);
        ck_assert_ptr_null(bus_find(&bus, 0x10000000u + (uint64_t)i * 0x2000 + 0x1000));
    }
    ck_assert_ptr_null(bus_find(&bus, 0));
    uint64_t v;
    ck_assert_int_eq(bus_read(&bus, 0x10000000u + 7 * 0x2000 + 0x10, 4, &v), BUS_OK);
    ck_assert_uint_eq(log.window, 7);
    ck_assert_uint_eq(log.last_off, 0x10);
    ck_assert_uint_eq(log.last_size, 4);
    ck_assert_uint_eq(v, 0xB0);
    ck_assert_int_eq(bus_read(&bus, 0x10000000u + 0xff, 1, &v), BUS_ERROR);
    ck_assert_int_eq(bus_read(&bus, 0x0, 4, &v), BUS_UNMAPPED);
    ck_assert_int_eq(bus_write(&bus, 0x0, 4, 1), BUS_UNMAPPED);
    ck_assert_int_eq(bus_read(&bus, 0x10000000u, 3, &v), BUS_ERROR);  /* no 3-byte accesses */
    bus_destroy(&bus);
}
END_TEST

START_TEST(overlaps_and_wraps_rejected)
{
    struct bus bus;
    struct orr_error err;
    bus_init(&bus, NULL);
    ck_assert_int_eq(bus_add_ram(&bus, "ram", 0x1000, 0x2000, &err), 0);
    ck_assert_int_eq(bus_add_ram(&bus, "a", 0x2fff, 0x10, &err), -1);
    ck_assert(strstr(err.msg, "overlaps") != NULL);
    ck_assert_int_eq(bus_add_ram(&bus, "b", 0x0, 0x1001, &err), -1);
    ck_assert_int_eq(bus_add_ram(&bus, "c", 0x0, 0x1000, &err), 0);      /* adjacent is fine */
    ck_assert_int_eq(bus_add_ram(&bus, "d", 0x3000, 0x1000, &err), 0);
    ck_assert_int_eq(bus_add_mmio(&bus, "e", UINT64_MAX - 0xf, 0x20, dev_read, dev_write, NULL, 0, &err), -1);
    ck_assert_int_eq(bus_add_ram(&bus, "f", 0x8000, 0, &err), -1);
    ck_assert_uint_eq(bus.mem.count, 3);
    bus_destroy(&bus);
}
END_TEST

START_TEST(ram_rom_little_endian_and_straddling)
{
    struct bus bus;
    struct orr_error err;
    bus_init(&bus, NULL);
    ck_assert_int_eq(bus_add_ram(&bus, "ram", 0x1000, 0x1000, &err), 0);
    ck_assert_int_eq(bus_add_rom(&bus, "rom", 0x2000, 0x1000, &err), 0);
    uint64_t v;
    ck_assert_int_eq(bus_write(&bus, 0x1000, 8, 0x1122334455667788ull), BUS_OK);
    ck_assert_int_eq(bus_read(&bus, 0x1000, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x88);
    ck_assert_int_eq(bus_read(&bus, 0x1002, 2, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x5566);
    /* ROM: loaders may fill it, the guest may not write it. */
    const uint8_t image[4] = { 1, 2, 3, 4 };
    ck_assert_int_eq(bus_write_block(&bus, 0x2000, image, 4, false), BUS_READONLY);
    ck_assert_int_eq(bus_write_block(&bus, 0x2000, image, 4, true), BUS_OK);
    ck_assert_int_eq(bus_write(&bus, 0x2000, 4, 0), BUS_READONLY);
    ck_assert_int_eq(bus_read(&bus, 0x2000, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x04030201);
    /* A word straddling RAM and ROM is split into bytes. */
    ck_assert_int_eq(bus_write(&bus, 0x1ffe, 2, 0xbbaa), BUS_OK);
    ck_assert_int_eq(bus_read(&bus, 0x1ffe, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x0201bbaa);
    /* Straddling into nothing is unmapped. */
    ck_assert_int_eq(bus_read(&bus, 0x2ffe, 4, &v), BUS_UNMAPPED);
    bool rom;
    ck_assert_ptr_nonnull(bus_host_ptr(&bus, 0x1000, 0x1000, &rom));
    ck_assert(!rom);
    ck_assert_ptr_null(bus_host_ptr(&bus, 0x1000, 0x1001, &rom));
    ck_assert_ptr_nonnull(bus_host_ptr(&bus, 0x2000, 4, &rom));
    ck_assert(rom);
    uint8_t back[6];
    ck_assert_int_eq(bus_read_block(&bus, 0x1ffe, back, 6), BUS_OK);
    ck_assert_uint_eq(back[0], 0xaa);
    ck_assert_uint_eq(back[5], 4);
    bus_destroy(&bus);
}
END_TEST

START_TEST(io_space_is_separate)
{
    struct bus bus;
    struct orr_error err;
    bus_init(&bus, NULL);
    struct mmio_log log = { 0 };
    ck_assert_int_eq(bus_add_io(&bus, "pic", 0x20, 2, dev_read, dev_write, &log, 1, &err), 0);
    ck_assert_int_eq(bus_add_io(&bus, "bad", 0xfff0, 0x20, dev_read, dev_write, &log, 0, &err), -1);
    ck_assert_int_eq(bus_io_write(&bus, 0x21, 1, 0xfb), BUS_OK);
    ck_assert_uint_eq(log.last_off, 1);
    ck_assert_uint_eq(log.last_val, 0xfb);
    ck_assert_uint_eq(log.window, 1);
    uint64_t v;
    ck_assert_int_eq(bus_read(&bus, 0x21, 1, &v), BUS_UNMAPPED);  /* not in memory space */
    ck_assert_int_eq(bus_io_read(&bus, 0x22, 1, &v), BUS_UNMAPPED);
    bus_destroy(&bus);
}
END_TEST

struct code_log {
    unsigned marked, written;
    uint64_t page;
};

static void on_marked(void *opaque, uint64_t page)
{
    struct code_log *c = opaque;
    c->marked++;
    c->page = page;
}

static void on_written(void *opaque, uint64_t page)
{
    struct code_log *c = opaque;
    c->written++;
    c->page = page;
}

START_TEST(code_pages_notify_listeners_once)
{
    struct bus bus;
    struct orr_error err;
    bus_init(&bus, NULL);
    ck_assert_int_eq(bus_add_ram(&bus, "ram", 0x40000000, 0x10000, &err), 0);
    struct code_log c = { 0 };
    struct bus_listener l = { .opaque = &c, .code_marked = on_marked, .code_written = on_written };
    ck_assert_int_eq(bus_add_listener(&bus, &l), 0);
    bus_mark_code(&bus, 0x40001234);
    bus_mark_code(&bus, 0x40001000);  /* already marked: no second call */
    ck_assert_uint_eq(c.marked, 1);
    ck_assert_uint_eq(c.page, 0x40001000);
    ck_assert(bus_page_has_code(&bus, 0x40001ffc));
    ck_assert(!bus_page_has_code(&bus, 0x40002000));
    ck_assert_int_eq(bus_write(&bus, 0x40002000, 4, 1), BUS_OK);   /* other page */
    ck_assert_uint_eq(c.written, 0);
    ck_assert_int_eq(bus_write(&bus, 0x40001800, 1, 1), BUS_OK);
    ck_assert_uint_eq(c.written, 1);
    ck_assert(!bus_page_has_code(&bus, 0x40001000));
    ck_assert_int_eq(bus_write(&bus, 0x40001800, 1, 2), BUS_OK);   /* unmarked now */
    ck_assert_uint_eq(c.written, 1);
    /* Block writes spanning several code pages notify each. */
    bus_mark_code(&bus, 0x40003000);
    bus_mark_code(&bus, 0x40004000);
    uint8_t buf[0x1800] = { 0 };
    ck_assert_int_eq(bus_write_block(&bus, 0x40003800, buf, sizeof buf, false), BUS_OK);
    ck_assert_uint_eq(c.written, 3);
    bus_mark_code(&bus, 0x0);  /* unmapped: ignored */
    bus_destroy(&bus);
}
END_TEST


struct log_count {
    unsigned lines;
    char last[256];
};

static void count_sink(void *opaque, enum log_cat cat, const char *msg)
{
    struct log_count *c = opaque;
    (void)cat;
    c->lines++;
    snprintf(c->last, sizeof c->last, "%s", msg);
}

/* Unmapped accesses are logged once each under LOG_MEM, straddles into
 * MMIO become byte accesses at the right offsets, 8-byte MMIO accesses pass
 * whole, and block copies cross region kinds. */
START_TEST(unmapped_logging_mmio_straddles_and_blocks)
{
    struct log_count lc = { 0 };
    struct logger lg = { .sink = count_sink, .opaque = &lc, .mask = 1u << LOG_MEM };
    struct bus bus;
    struct orr_error err = { { 0 } };
    struct mmio_log dev = { 0 };
    bus_init(&bus, &lg);
    ck_assert_int_eq(bus_add_ram(&bus, "ram", 0x1000, 0x1000, &err), 0);
    ck_assert_int_eq(bus_add_mmio(&bus, "dev", 0x2000, 0x100, dev_read, dev_write, &dev, 3, &err), 0);
    ck_assert_int_eq(bus_add_rom(&bus, "rom", 0x3000, 0x1000, &err), 0);

    uint64_t v = 1;
    ck_assert_int_eq(bus_read(&bus, 0x9000, 4, &v), BUS_UNMAPPED);
    ck_assert_uint_eq(v, 0);
    ck_assert_uint_eq(lc.lines, 1);
    ck_assert_ptr_nonnull(strstr(lc.last, "0x9000"));
    /* A write straddling the end of MMIO into nothing: one line, no bytes written. */
    ck_assert_int_eq(bus_write(&bus, 0x20fe, 4, 0x11223344), BUS_UNMAPPED);
    ck_assert_uint_eq(lc.lines, 2);
    ck_assert_uint_eq(dev.writes, 0);
    /* Odd sizes are refused. */
    ck_assert_int_eq(bus_read(&bus, 0x1000, 3, &v), BUS_ERROR);

    /* RAM into MMIO: the last two RAM bytes, then MMIO offsets 0 and 1. */
    ck_assert_int_eq(bus_write(&bus, 0x1ffe, 4, 0xddccbbaa), BUS_OK);
    ck_assert_uint_eq(dev.writes, 2);
    ck_assert_uint_eq(dev.last_off, 1);
    ck_assert_uint_eq(dev.last_size, 1);
    ck_assert_uint_eq(dev.last_val, 0xdd);
    ck_assert_uint_eq(dev.window, 3);
    ck_assert_int_eq(bus_read(&bus, 0x1ffe, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0xa1a0bbaa);            /* dev_read returns 0xA0 + offset */

    /* A whole 8-byte MMIO access. */
    ck_assert_int_eq(bus_write(&bus, 0x2010, 8, 0x0102030405060708ull), BUS_OK);
    ck_assert_uint_eq(dev.last_size, 8);
    ck_assert_uint_eq(dev.last_val, 0x0102030405060708ull);
    ck_assert_uint_eq(dev.last_off, 0x10);

    /* A device refusing an access. */
    ck_assert_int_eq(bus_read(&bus, 0x20ff, 1, &v), BUS_ERROR);

    /* Block copies: RAM -> MMIO gap is unmapped as a whole. */
    uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, back[8];
    ck_assert_int_eq(bus_write_block(&bus, 0x20fc, buf, 8, false), BUS_UNMAPPED);
    ck_assert_int_eq(bus_write_block(&bus, 0x1ff8, buf, 8, false), BUS_OK);
    ck_assert_int_eq(bus_read_block(&bus, 0x1ff8, back, 8), BUS_OK);
    ck_assert_int_eq(memcmp(buf, back, 8), 0);
    /* ROM: dropped unless the loader asks. */
    ck_assert_int_eq(bus_write_block(&bus, 0x3000, buf, 8, false), BUS_READONLY);
    ck_assert_int_eq(bus_read(&bus, 0x3000, 8, &v), BUS_OK);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(bus_write_block(&bus, 0x3000, buf, 8, true), BUS_OK);
    ck_assert_int_eq(bus_read(&bus, 0x3000, 8, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x0807060504030201ull);
    ck_assert_int_eq(bus_write(&bus, 0x3000, 1, 0xff), BUS_READONLY);

    /* Host pointers only inside one RAM or ROM region. */
    bool rom = false;
    ck_assert_ptr_nonnull(bus_host_ptr(&bus, 0x3ff0, 0x10, &rom));
    ck_assert(rom);
    ck_assert_ptr_null(bus_host_ptr(&bus, 0x3ff0, 0x11, &rom));
    ck_assert_ptr_null(bus_host_ptr(&bus, 0x2000, 1, &rom));
    ck_assert_ptr_null(bus_host_ptr(&bus, 0x0, 1, &rom));
    bus_destroy(&bus);
}
END_TEST

/* bus_notify_write over a range with holes and several code pages. */
struct code_count {
    unsigned marked, written;
};

static void cc_marked(void *opaque, uint64_t ppage)
{
    (void)ppage;
    ((struct code_count *)opaque)->marked++;
}

static void cc_written(void *opaque, uint64_t ppage)
{
    (void)ppage;
    ((struct code_count *)opaque)->written++;
}

START_TEST(notify_write_spans_holes)
{
    struct bus bus;
    struct orr_error err = { { 0 } };
    struct code_count cc = { 0 };
    bus_init(&bus, NULL);
    ck_assert_int_eq(bus_add_ram(&bus, "lo", 0x10000, 0x4000, &err), 0);
    ck_assert_int_eq(bus_add_ram(&bus, "hi", 0x20000, 0x4000, &err), 0);
    struct bus_listener l = { .opaque = &cc, .code_marked = cc_marked, .code_written = cc_written };
    ck_assert_int_eq(bus_add_listener(&bus, &l), 0);
    bus_mark_code(&bus, 0x11000);
    bus_mark_code(&bus, 0x11800);                /* same page: told once */
    bus_mark_code(&bus, 0x23000);
    ck_assert_uint_eq(cc.marked, 2);
    ck_assert(bus_page_has_code(&bus, 0x11fff));
    ck_assert(!bus_page_has_code(&bus, 0x12000));
    bus_notify_write(&bus, 0x0, 0x30000);        /* starts and ends in holes */
    ck_assert_uint_eq(cc.written, 2);
    ck_assert(!bus_page_has_code(&bus, 0x11000));
    ck_assert(!bus_page_has_code(&bus, 0x23000));
    bus_notify_write(&bus, 0xfffffffffffff000ull, 0x2000);   /* wraps: harmless */
    bus_destroy(&bus);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bus");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, many_regions_found_by_search);
    tcase_add_test(tc, overlaps_and_wraps_rejected);
    tcase_add_test(tc, ram_rom_little_endian_and_straddling);
    tcase_add_test(tc, io_space_is_separate);
    tcase_add_test(tc, code_pages_notify_listeners_once);
    tcase_add_test(tc, unmapped_logging_mmio_straddles_and_blocks);
    tcase_add_test(tc, notify_write_spans_holes);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
