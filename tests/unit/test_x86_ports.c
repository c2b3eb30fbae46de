/* The x86-bare board's port devices and boot ROM, each alone: the 0xE9
 * debug console, the isa-debug-exit port, the POST code port (with its
 * save/load round trip) and the bios-rom windows; the bus's I/O space
 * reading all ones where no device answers; and the whole board from its
 * tree: the ISA I/O-port binding, the ROM and its alias, --bios, and a
 * program leaving through port 0xF4. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/log.h"
#include "machine/boards.h"
#include "machine/bus.h"
#include "machine/chardev.h"
#include "machine/devices/devices.h"
#include "machine/linux_boot.h"
#include "machine/machine.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

struct capture {
    uint8_t out[64];
    size_t len;
    int status;
    unsigned exits;
};

static void capture_write(void *opaque, const uint8_t *buf, size_t len)
{
    struct capture *c = opaque;
    for (size_t i = 0; i < len && c->len < sizeof c->out; i++)
        c->out[c->len++] = buf[i];
}

static void capture_exit(void *opaque, int status)
{
    struct capture *c = opaque;
    c->status = status;
    c->exits++;
}

static void *create(const struct device_model *m, struct device_ctx *ctx)
{
    void *dev = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(m->create(ctx, &dev, &err) == 0, "%s: %s", m->name, err.msg);
    return dev;
}

START_TEST(debugcon_writes_bytes_and_reads_e9)
{
    struct capture cap = { 0 };
    struct chardev cd = { 0 };
    cd.host_write = capture_write;
    cd.host_opaque = &cap;
    struct device_ctx ctx = { .node = -1, .path = "/isa/debugcon@1,e9", .nwindows = 1,
                              .window_base = { 0xe9 }, .window_size = { 1 },
                              .chardev = &cd };
    ck_assert(debugcon_model.uses_chardev);
    void *dev = create(&debugcon_model, &ctx);
    ck_assert_int_eq(debugcon_model.write(dev, 0, 0, 1, 'h'), BUS_OK);
    ck_assert_int_eq(debugcon_model.write(dev, 0, 0, 2, 0x0a69), BUS_OK);   /* "i\n" */
    ck_assert_uint_eq(cap.len, 3);
    ck_assert_int_eq(memcmp(cap.out, "hi\n", 3), 0);
    uint64_t v = 0;
    ck_assert_int_eq(debugcon_model.read(dev, 0, 0, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0xe9);
    debugcon_model.destroy(dev);
}
END_TEST

START_TEST(debug_exit_status_is_value_times_two_plus_one)
{
    struct capture cap = { 0 };
    struct device_ctx ctx = { .node = -1, .path = "/isa/debug-exit@1,f4", .nwindows = 1,
                              .window_base = { 0xf4 }, .window_size = { 4 },
                              .request_exit = capture_exit, .exit_opaque = &cap };
    void *dev = create(&isa_debug_exit_model, &ctx);
    ck_assert_int_eq(isa_debug_exit_model.write(dev, 0, 0, 1, 0), BUS_OK);
    ck_assert_int_eq(cap.status, 1);
    ck_assert_int_eq(isa_debug_exit_model.write(dev, 0, 0, 4, 21), BUS_OK);
    ck_assert_int_eq(cap.status, 43);
    ck_assert_uint_eq(cap.exits, 2);
    ck_assert_int_eq(debug_exit_status(0xffffffffu), INT32_MAX);   /* never wraps to 0 */
    uint64_t v = 0;
    ck_assert_int_eq(isa_debug_exit_model.read(dev, 0, 0, 2, &v), BUS_OK);
    ck_assert_uint_eq(v, 0xffff);
    isa_debug_exit_model.destroy(dev);
}
END_TEST

START_TEST(post_code_keeps_the_last_value_and_saves_it)
{
    struct logger log = { 0 };
    struct device_ctx ctx = { .node = -1, .path = "/isa/post-code@1,80", .nwindows = 2,
                              .window_base = { 0x80, 0x190 }, .window_size = { 1, 1 },
                              .log = &log };
    void *dev = create(&post_code_model, &ctx);
    ck_assert_int_eq(post_code_model.write(dev, 1, 0, 1, 0x5a), BUS_OK);
    uint64_t v = 0;
    ck_assert_int_eq(post_code_model.read(dev, 0, 0, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x5a);

    struct state_writer w;
    state_writer_init(&w);
    state_begin(&w, "post", post_code_model.state_version);
    ck_assert_int_eq(post_code_model.save(dev, &w), 0);
    state_end(&w);
    struct orr_error err = { { 0 } };
    ck_assert_msg(state_writer_finish(&w, &err) == 0, "%s", err.msg);
    post_code_model.reset(dev);
    ck_assert_int_eq(post_code_model.read(dev, 0, 0, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0);
    struct state_reader r;
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&r, "post"), 0);
    ck_assert_int_eq(post_code_model.load(dev, &r, &err), 0);
    ck_assert_int_eq(post_code_model.read(dev, 0, 0, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x5a);
    state_writer_free(&w);
    post_code_model.destroy(dev);
}
END_TEST

START_TEST(bios_rom_fills_every_window_from_its_end)
{
    struct bus bus;
    bus_init(&bus, NULL);
    struct device_ctx ctx = { .node = -1, .path = "/rom@e0000", .nwindows = 2,
                              .window_base = { 0xe0000, 0xfffe0000u },
                              .window_size = { 0x20000, 0x20000 }, .bus = &bus };
    void *dev = create(&bios_rom_model, &ctx);
    uint8_t img[0x10000];
    for (size_t i = 0; i < sizeof img; i++)
        img[i] = (uint8_t)(i * 7);
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(bios_rom_load(dev, img, sizeof img, &err), 0);
    uint64_t v = 0;
    ck_assert_int_eq(bus_read(&bus, 0xffff0, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, (uint8_t)(0xfff0 * 7));
    ck_assert_int_eq(bus_read(&bus, 0xfffffff0u, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, (uint8_t)(0xfff0 * 7));
    ck_assert_int_eq(bus_read(&bus, 0xf0000, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(bus_write(&bus, 0xf0000, 1, 0x55), BUS_READONLY);   /* ROM */
    static uint8_t big[0x20001];
    ck_assert_int_eq(bios_rom_load(dev, big, sizeof big, &err), -1);
    ck_assert_int_eq(bios_rom_load(dev, big, 0, &err), -1);
    bios_rom_model.destroy(dev);
    bus_destroy(&bus);
}
END_TEST

static int dev_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                    uint64_t *value)
{
    (void)opaque, (void)window, (void)size;
    *value = 0x10 + offset;
    return BUS_OK;
}

START_TEST(unclaimed_io_ports_read_all_ones)
{
    struct bus bus;
    bus_init(&bus, NULL);
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(bus_add_io(&bus, "dev", 0x61, 1, dev_read, NULL, NULL, 0, &err), 0);
    uint64_t v = 0;
    ck_assert_int_eq(bus_io_read(&bus, 0x300, 1, &v), BUS_UNMAPPED);
    ck_assert_uint_eq(v, 0xff);
    ck_assert_int_eq(bus_io_read(&bus, 0x300, 4, &v), BUS_UNMAPPED);
    ck_assert_uint_eq(v, 0xffffffffu);
    ck_assert_int_eq(bus_io_read(&bus, 0x60, 2, &v), BUS_OK);   /* 0x60 free, 0x61 claimed */
    ck_assert_uint_eq(v, 0x10ff);
    ck_assert_int_eq(bus_io_read(&bus, 0xffff, 2, &v), BUS_UNMAPPED);   /* past the end */
    ck_assert_uint_eq(v, 0xffff);
    ck_assert_int_eq(bus_io_write(&bus, 0x300, 2, 0x1234), BUS_UNMAPPED);
    bus_destroy(&bus);
}
END_TEST

START_TEST(x86_bare_board_from_its_tree)
{
    const struct builtin_board *b = builtin_board_find("x86-bare");
    ck_assert_ptr_nonnull(b);
    struct machine_config cfg = { .dtb = b->dtb, .dtb_size = b->dtb_size, .board_name = b->name };
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "%s", err.msg);
    /* ISA I/O windows became ports, not memory. */
    const struct bus_region *r = bus_find_io(&m->bus, 0xe9);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->name, "/isa/debugcon@1,e9");
    ck_assert_ptr_nonnull(bus_find_io(&m->bus, 0xf7));
    ck_assert_ptr_nonnull(bus_find_io(&m->bus, 0x80));
    ck_assert_ptr_nonnull(bus_find_io(&m->bus, 0x190));
    ck_assert_ptr_null(bus_find_io(&m->bus, 0xf8));
    ck_assert_ptr_null(bus_find(&m->bus, 0xe9 | (UINT64_C(1) << 32)));
    /* RAM below the ROM and from 1 MiB (the first bank: 15 MiB). */
    ck_assert_uint_eq(m->ram_base, 0x100000);
    ck_assert_uint_eq(m->ram_size, 0xf00000);
    ck_assert_int_eq(bus_find(&m->bus, 0xdffff)->kind, REGION_RAM);
    ck_assert_int_eq(bus_find(&m->bus, 0xe0000)->kind, REGION_ROM);
    ck_assert_int_eq(bus_find(&m->bus, 0xfffffff0u)->kind, REGION_ROM);
    /* A ROM: OUT 0xF4 with 6 (mov al, 6; out 0xf4, al) at F000:FFF0, the
     * reset vector; the run ends with status 13. */
    static uint8_t img[0x10000];
    const uint8_t prog[] = { 0xb0, 0x06, 0xe6, 0xf4, 0xf4 };
    memcpy(img + 0xfff0, prog, sizeof prog);
    ck_assert_msg(machine_load_bios(m, img, sizeof img, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(machine_start_bios(m, NULL, 0, &err), 0);
    struct machine_run_result res;
    machine_run(m, 1000000, &res);
    ck_assert_int_eq(res.reason, CPU_STOP_EXIT);
    ck_assert_int_eq(res.exit_code, 13);
    /* Reset: the ROM keeps the image; the program runs again. */
    machine_reset(m);
    machine_run(m, 1000000, &res);
    ck_assert_int_eq(res.reason, CPU_STOP_EXIT);
    ck_assert_int_eq(res.exit_code, 13);
    ck_assert_int_eq(machine_start_bios(m, img, 16, &err), -1);   /* no --dtb here */
    machine_destroy(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("x86_ports");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, debugcon_writes_bytes_and_reads_e9);
    tcase_add_test(tc, debug_exit_status_is_value_times_two_plus_one);
    tcase_add_test(tc, post_code_keeps_the_last_value_and_saves_it);
    tcase_add_test(tc, bios_rom_fills_every_window_from_its_end);
    tcase_add_test(tc, unclaimed_io_ports_read_all_ones);
    tcase_add_test(tc, x86_bare_board_from_its_tree);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
