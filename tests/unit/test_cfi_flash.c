/* CFI flash: the command state machine (read array, CFI query, read ID,
 * status, clear status, word program, block erase, buffered write, lock
 * commands, unknown commands) and QEMU virt's CFI query values, on a
 * device made directly and on arm-virt's bus. */
#include <check.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "machine/boards.h"
#include "machine/devices/cfi_flash.h"
#include "machine/devices/devices.h"
#include "machine/machine.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

#define BIG (64u << 20)
#define SMALL (1u << 20)

struct rig {
    char fdt[512];
    void *dev;
};

static void make(struct rig *r)
{
    void *fdt = r->fdt;
    ck_assert_int_eq(fdt_create(fdt, sizeof r->fdt), 0);
    ck_assert_int_eq(fdt_finish_reservemap(fdt), 0);
    ck_assert_int_eq(fdt_begin_node(fdt, ""), 0);
    ck_assert_int_eq(fdt_begin_node(fdt, "flash"), 0);
    ck_assert_int_eq(fdt_property_u32(fdt, "bank-width", 4), 0);
    ck_assert_int_eq(fdt_end_node(fdt), 0);
    ck_assert_int_eq(fdt_end_node(fdt), 0);
    ck_assert_int_eq(fdt_finish(fdt), 0);
    struct device_ctx ctx = {
        .fdt = fdt, .node = fdt_path_offset(fdt, "/flash"), .path = "/flash",
        .nwindows = 2, .window_base = { 0, BIG }, .window_size = { BIG, SMALL },
    };
    struct orr_error err = { { 0 } };
    ck_assert_msg(cfi_flash_model.create(&ctx, &r->dev, &err) == 0, "%s", err.msg);
}

static uint32_t rd(struct rig *r, unsigned bank, uint64_t off, unsigned size)
{
    uint64_t v;
    ck_assert_int_eq(cfi_flash_model.read(r->dev, bank, off, size, &v), BUS_OK);
    return (uint32_t)v;
}

static void wr(struct rig *r, unsigned bank, uint64_t off, uint32_t v)
{
    ck_assert_int_eq(cfi_flash_model.write(r->dev, bank, off, 4, v), BUS_OK);
}

/* CFI word n of bank 0 (one device's byte, replicated for both). */
static uint32_t cfi(struct rig *r, unsigned n)
{
    uint32_t v = rd(r, 0, 4u * n, 4);
    ck_assert_uint_eq(v >> 16, v & 0xffff);
    return v & 0xffff;
}

START_TEST(cfi_query_values_are_qemu_virts)
{
    struct rig r;
    make(&r);
    wr(&r, 0, 0x55 * 4, 0x98);
    ck_assert_uint_eq(cfi(&r, 0x10), 'Q');
    ck_assert_uint_eq(cfi(&r, 0x11), 'R');
    ck_assert_uint_eq(cfi(&r, 0x12), 'Y');
    ck_assert_uint_eq(cfi(&r, 0x13), 0x01);      /* Intel command set */
    ck_assert_uint_eq(cfi(&r, 0x15), 0x31);
    ck_assert_uint_eq(cfi(&r, 0x27), 25);        /* 32 MiB per x16 device */
    ck_assert_uint_eq(cfi(&r, 0x28), 0x02);
    ck_assert_uint_eq(cfi(&r, 0x2a), 0x0b);
    ck_assert_uint_eq(cfi(&r, 0x2c), 1);
    ck_assert_uint_eq(cfi(&r, 0x2d), 0xff);      /* 256 blocks */
    ck_assert_uint_eq(cfi(&r, 0x2e), 0x00);
    ck_assert_uint_eq(cfi(&r, 0x2f), 0x00);      /* 128 KiB per device */
    ck_assert_uint_eq(cfi(&r, 0x30), 0x02);
    ck_assert_uint_eq(cfi(&r, 0x31), 'P');
    ck_assert_uint_eq(cfi(&r, 0x34), '1');
    ck_assert_uint_eq(cfi(&r, 0x3f), 0x01);
    ck_assert_uint_eq(rd(&r, 0, 0x50 * 4, 4), 0);  /* past the table */
    ck_assert_uint_eq(rd(&r, 0, 0x10 * 4, 1), 'Q');  /* narrow read: low byte */
    /* Query mode holds through other writes until 0xff. */
    wr(&r, 0, 0, 0x70);
    ck_assert_uint_eq(cfi(&r, 0x10), 'Q');
    wr(&r, 0, 0, 0xff);
    ck_assert_uint_eq(rd(&r, 0, 0x40, 4), 0);
    /* The small bank has its own table: 4 blocks of 2 x 128 KiB. */
    wr(&r, 1, 0, 0x98);
    ck_assert_uint_eq(rd(&r, 1, 0x2d * 4, 4), 0x00030003);
    ck_assert_uint_eq(rd(&r, 1, 0x27 * 4, 4), 0x00130013);
    ck_assert_uint_eq(rd(&r, 0, 0x40, 4), 0);    /* bank 0 still reads array */
    cfi_flash_model.destroy(r.dev);
}
END_TEST

START_TEST(identifier_status_and_lock)
{
    struct rig r;
    make(&r);
    wr(&r, 0, 0, 0x90);
    ck_assert_uint_eq(rd(&r, 0, 0, 4), 0x00890089);
    ck_assert_uint_eq(rd(&r, 0, 4, 4), 0x00180018);
    ck_assert_uint_eq(rd(&r, 0, 8, 4), 0);       /* block lock status: unlocked */
    ck_assert_uint_eq(rd(&r, 0, 0x40000 + 8, 4), 0);
    /* 0x90 is one cycle: the next write is a new command. */
    wr(&r, 0, 0, 0x70);
    ck_assert_uint_eq(rd(&r, 0, 0, 4), 0x00800080);
    ck_assert_uint_eq(rd(&r, 0, 0, 2), 0x0080);
    wr(&r, 0, 0, 0x50);                          /* clear status, read array */
    ck_assert_uint_eq(rd(&r, 0, 0, 4), 0);
    wr(&r, 0, 0, 0x70);
    ck_assert_uint_eq(rd(&r, 0, 0, 4), 0);
    /* Lock and unlock are accepted; nothing locks. */
    wr(&r, 0, 0x40000, 0x60);
    wr(&r, 0, 0x40000, 0x01);
    ck_assert_uint_eq(rd(&r, 0, 0x40000, 4), 0x00800080);
    wr(&r, 0, 0, 0x90);
    ck_assert_uint_eq(rd(&r, 0, 0x40000 + 8, 4), 0);
    wr(&r, 0, 0x40000, 0x40);
    wr(&r, 0, 0x40000, 0x12345678);
    wr(&r, 0, 0, 0xff);
    ck_assert_uint_eq(rd(&r, 0, 0x40000, 4), 0x12345678);
    /* An unknown command goes back to read array. */
    wr(&r, 0, 0, 0x90);
    wr(&r, 0, 0, 0x33);
    ck_assert_uint_eq(rd(&r, 0, 0x40000, 4), 0x12345678);
    cfi_flash_model.destroy(r.dev);
}
END_TEST

START_TEST(program_erase_and_buffered_write)
{
    struct rig r;
    make(&r);
    struct orr_error err = { { 0 } };
    uint8_t img[16] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    ck_assert_int_eq(cfi_flash_load(r.dev, 0, img, sizeof img, &err), 0);
    ck_assert_uint_eq(rd(&r, 0, 4, 4), 0x08070605);
    ck_assert_uint_eq(rd(&r, 0, 1, 2), 0x0302);
    /* word program: status until read array */
    wr(&r, 0, 0x100, 0x40);
    wr(&r, 0, 0x100, 0xcafef00d);
    ck_assert_uint_eq(rd(&r, 0, 0x100, 4), 0x00800080);
    wr(&r, 0, 0, 0xff);
    ck_assert_uint_eq(rd(&r, 0, 0x100, 4), 0xcafef00d);
    /* erase block 0 (256 KiB): block 1 untouched */
    ck_assert_uint_eq(rd(&r, 0, 0x40000, 4), 0);
    wr(&r, 0, 0x40000, 0x40);
    wr(&r, 0, 0x40000, 0x5a5a5a5a);
    wr(&r, 0, 0x200, 0x20);
    wr(&r, 0, 0x200, 0xd0);
    ck_assert_uint_eq(rd(&r, 0, 0, 4), 0x00800080);
    wr(&r, 0, 0, 0xff);
    ck_assert_uint_eq(rd(&r, 0, 0, 4), 0xffffffff);
    ck_assert_uint_eq(rd(&r, 0, 0x3fffc, 4), 0xffffffff);
    ck_assert_uint_eq(rd(&r, 0, 0x40000, 4), 0x5a5a5a5a);
    /* QEMU erases on the setup write already: a bad confirm still leaves
     * the block erased, and returns to read array. */
    wr(&r, 0, 0x40000, 0x20);
    wr(&r, 0, 0x40000, 0x55);
    ck_assert_uint_eq(rd(&r, 0, 0x40000, 4), 0xffffffff);
    /* buffered write of 4 words (count 3) */
    wr(&r, 0, 0x1000, 0xe8);
    ck_assert_uint_eq(rd(&r, 0, 0x1000, 4), 0x00800080);   /* buffer available */
    wr(&r, 0, 0x1000, 3);
    for (unsigned i = 0; i < 4; i++)
        wr(&r, 0, 0x1000 + 4 * i, 0xa0 + i);
    wr(&r, 0, 0x1000, 0xd0);
    wr(&r, 0, 0, 0xff);
    for (unsigned i = 0; i < 4; i++)
        ck_assert_uint_eq(rd(&r, 0, 0x1000 + 4 * i, 4), 0xa0 + i);
    /* a bad confirm leaves the data, returns to read array */
    wr(&r, 0, 0x2000, 0xe8);
    wr(&r, 0, 0x2000, 0);
    wr(&r, 0, 0x2000, 0x77);
    wr(&r, 0, 0x2000, 0x42);
    ck_assert_uint_eq(rd(&r, 0, 0x2000, 4), 0x77);
    /* out-of-bank accesses and oversize loads are refused */
    uint64_t v;
    ck_assert_int_eq(cfi_flash_model.read(r.dev, 1, SMALL - 2, 4, &v), BUS_ERROR);
    ck_assert_int_eq(cfi_flash_model.read(r.dev, 2, 0, 4, &v), BUS_ERROR);
    uint8_t *huge = calloc(1, SMALL + 1);
    ck_assert_int_eq(cfi_flash_load(r.dev, 1, huge, SMALL + 1, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "larger"));
    free(huge);
    /* reset: read array, contents kept */
    wr(&r, 0, 0, 0x70);
    cfi_flash_model.reset(r.dev);
    ck_assert_uint_eq(rd(&r, 0, 0x1000, 4), 0xa0);
    cfi_flash_model.destroy(r.dev);
}
END_TEST

START_TEST(on_arm_virts_bus)
{
    const struct builtin_board *b = builtin_board_find("arm-virt");
    struct machine_config cfg = { .dtb = b->dtb, .dtb_size = b->dtb_size,
                                  .board_name = b->name, .cpu_model = "cortex-a15" };
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "%s", err.msg);
    const struct machine_device *md = machine_find_device(m, "cfi-flash");
    ck_assert_ptr_nonnull(md);
    ck_assert_uint_eq(cfi_flash_bank_size(md->dev, 0), BIG);
    ck_assert_uint_eq(cfi_flash_bank_size(md->dev, 1), BIG);
    uint64_t v;
    ck_assert_int_eq(bus_write(&m->bus, 0x04000000 + 0x55 * 4, 4, 0x98), BUS_OK);
    ck_assert_int_eq(bus_read(&m->bus, 0x04000000 + 0x11 * 4, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x00520052);
    ck_assert_int_eq(bus_read(&m->bus, 0x0, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0);
    machine_destroy(m);
}
END_TEST

static struct machine *virt(void)
{
    const struct builtin_board *b = builtin_board_find("arm-virt");
    struct machine_config cfg = { .dtb = b->dtb, .dtb_size = b->dtb_size,
                                  .board_name = b->name, .cpu_model = "cortex-a15" };
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "%s", err.msg);
    return m;
}

START_TEST(save_state_keeps_contents_and_mode)
{
    struct machine *a = virt(), *b = virt();
    uint64_t v;
    /* a: a word programmed in bank 1, bank 0 left in query mode */
    ck_assert_int_eq(bus_write(&a->bus, 0x04000100, 4, 0x40), BUS_OK);
    ck_assert_int_eq(bus_write(&a->bus, 0x04000100, 4, 0x600dc0de), BUS_OK);
    ck_assert_int_eq(bus_write(&a->bus, 0x04000000, 4, 0xff), BUS_OK);
    ck_assert_int_eq(bus_write(&a->bus, 0x0, 4, 0x98), BUS_OK);
    /* b: something else in bank 1 that the load must replace */
    ck_assert_int_eq(bus_write(&b->bus, 0x04000200, 4, 0x40), BUS_OK);
    ck_assert_int_eq(bus_write(&b->bus, 0x04000200, 4, 0x1234), BUS_OK);
    struct state_writer w;
    state_writer_init(&w);
    ck_assert_int_eq(machine_save(a, &w), 0);
    struct orr_error err = { { 0 } };
    ck_assert_msg(state_writer_finish(&w, &err) == 0, "%s", err.msg);
    struct state_reader r;
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_msg(machine_load(b, &r, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(bus_read(&b->bus, 0x04000100, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x600dc0de);
    ck_assert_int_eq(bus_read(&b->bus, 0x04000200, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(bus_read(&b->bus, 0x10 * 4, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x00510051);   /* still in query mode */
    state_writer_free(&w);
    machine_destroy(a);
    machine_destroy(b);
}
END_TEST

static Suite *cfi_flash_suite(void)
{
    Suite *s = suite_create("cfi_flash");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, cfi_query_values_are_qemu_virts);
    tcase_add_test(tc, identifier_status_and_lock);
    tcase_add_test(tc, program_erase_and_buffered_write);
    tcase_add_test(tc, on_arm_virts_bus);
    tcase_add_test(tc, save_state_keeps_contents_and_mode);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(cfi_flash_suite());
}
