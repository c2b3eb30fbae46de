/* The PL061 model driven through its device descriptor (a fake interrupt
 * sink, inputs driven with set_input), then on the arm-virt board, where
 * the gpio-keys power button reaches it through machine_set_input. */
#include <check.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "machine/boards.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/machine.h"
#include "machine/state.h"
#include "tests/unit/unit.h"
#include "tests/unit/unit_machine.h"

enum { DATA_ALL = 0x3FC, DIR = 0x400, IS = 0x404, IBE = 0x408, IEV = 0x40C, IE = 0x410,
       RIS = 0x414, MIS = 0x418, IC = 0x41C, AFSEL = 0x420 };

/* GPIODATA at the address that selects exactly these pins (bits 9:2). */
#define DATA_AT(pins) ((unsigned)(pins) << 2)

struct sink {
    bool level;
    unsigned changes;
};

struct rig {
    struct irq_line line;
    struct sink sink;
    void *dev;
};

static void sink_set(void *opaque, unsigned input, bool level)
{
    struct sink *k = opaque;
    (void)input;
    k->level = level;
    k->changes++;
}

static struct device_ctx rig_ctx(struct rig *r)
{
    return (struct device_ctx){
        .node = -1,
        .path = "/pl061@9030000",
        .nwindows = 1,
        .window_base = { 0x09030000 },
        .window_size = { 0x1000 },
        .irqs = { &r->line },
        .nirqs = 1,
    };
}

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    irq_connect(&r->line, sink_set, &r->sink, 39);
    struct device_ctx ctx = rig_ctx(r);
    struct orr_error err = { { 0 } };
    ck_assert_msg(pl061_model.create(&ctx, &r->dev, &err) == 0, "create: %s", err.msg);
    return r;
}

static void rig_free(struct rig *r)
{
    pl061_model.destroy(r->dev);
    free(r);
}

static uint32_t rd(struct rig *r, unsigned off)
{
    uint64_t v = 0;
    ck_assert_int_eq(pl061_model.read(r->dev, 0, off, 4, &v), BUS_OK);
    return (uint32_t)v;
}

static void wr(struct rig *r, unsigned off, uint32_t v)
{
    ck_assert_int_eq(pl061_model.write(r->dev, 0, off, 4, v), BUS_OK);
}

static void pin(struct rig *r, unsigned n, bool level)
{
    pl061_model.set_input(r->dev, n, level);
}

START_TEST(descriptor)
{
    ck_assert_ptr_eq(device_model_find("arm,pl061"), &pl061_model);
    ck_assert_str_eq(pl061_model.name, "pl061");
    ck_assert_uint_eq(pl061_model.ninputs, 8);
    ck_assert_ptr_nonnull(pl061_model.set_input);
    ck_assert_ptr_nonnull(pl061_model.save);
    ck_assert_ptr_nonnull(pl061_model.load);
}
END_TEST

START_TEST(ids_and_reset_values)
{
    struct rig *r = rig_new();
    static const uint8_t id[8] = { 0x61, 0x10, 0x04, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };
    for (unsigned i = 0; i < 8; i++)
        ck_assert_uint_eq(rd(r, 0xFE0 + 4 * i), id[i]);
    static const unsigned regs[] = { DATA_ALL, DIR, IS, IBE, IEV, IE, RIS, MIS, AFSEL };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        ck_assert_msg(rd(r, regs[i]) == 0, "register 0x%03x", regs[i]);
    ck_assert(!r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(access_sizes_and_register_widths)
{
    struct rig *r = rig_new();
    uint64_t v = 0;
    ck_assert_int_eq(pl061_model.read(r->dev, 0, 0xFE0, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x61);
    ck_assert_int_eq(pl061_model.read(r->dev, 0, DIR, 8, &v), BUS_ERROR);
    ck_assert_int_eq(pl061_model.write(r->dev, 0, DIR, 8, 1), BUS_ERROR);
    /* byte writes, as drivers use them */
    ck_assert_int_eq(pl061_model.write(r->dev, 0, DIR, 1, 0xF0), BUS_OK);
    ck_assert_uint_eq(rd(r, DIR), 0xF0);
    ck_assert_int_eq(pl061_model.write(r->dev, 0, DATA_AT(0x80), 1, 0x80), BUS_OK);
    ck_assert_uint_eq(rd(r, DATA_ALL), 0x80);
    /* registers are 8 bits */
    wr(r, IE, 0xFFFFFFFFu);
    ck_assert_uint_eq(rd(r, IE), 0xFF);
    wr(r, AFSEL, 0x1A5);
    ck_assert_uint_eq(rd(r, AFSEL), 0xA5);
    /* read-only and unknown registers */
    wr(r, RIS, 0xFF);
    wr(r, MIS, 0xFF);
    wr(r, 0xFE0, 0);
    wr(r, 0x500, 0xFF);
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert_uint_eq(rd(r, 0xFE0), 0x61);
    ck_assert_uint_eq(rd(r, 0x500), 0);
    ck_assert_int_eq(pl061_model.read(r->dev, 0, 0x1000, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0);
    rig_free(r);
}
END_TEST

START_TEST(data_address_masking)
{
    struct rig *r = rig_new();
    wr(r, DIR, 0xFF);
    wr(r, DATA_ALL, 0xFF);
    ck_assert_uint_eq(rd(r, DATA_ALL), 0xFF);
    wr(r, DATA_AT(0x01), 0x00);                 /* only pin 0 changes */
    ck_assert_uint_eq(rd(r, DATA_ALL), 0xFE);
    wr(r, DATA_AT(0x30), 0x00);                 /* pins 4 and 5 */
    ck_assert_uint_eq(rd(r, DATA_ALL), 0xCE);
    wr(r, DATA_AT(0x00), 0x00);                 /* selects nothing */
    ck_assert_uint_eq(rd(r, DATA_ALL), 0xCE);
    wr(r, DATA_AT(0x0F), 0xF1);                 /* value bits outside the mask ignored */
    ck_assert_uint_eq(rd(r, DATA_ALL), 0xC1);
    /* reads return only the selected pins */
    ck_assert_uint_eq(rd(r, DATA_AT(0x0C)), 0x00);
    ck_assert_uint_eq(rd(r, DATA_AT(0xC3)), 0xC1);
    ck_assert_uint_eq(rd(r, DATA_AT(0x00)), 0x00);
    ck_assert_uint_eq(rd(r, DATA_AT(0x40)), 0x40);
    rig_free(r);
}
END_TEST

START_TEST(direction_inputs_and_outputs)
{
    struct rig *r = rig_new();
    wr(r, DIR, 0x0F);                           /* pins 0-3 out, 4-7 in */
    pin(r, 4, true);
    pin(r, 7, true);
    pin(r, 0, true);                            /* an output pin ignores its input */
    ck_assert_uint_eq(rd(r, DATA_ALL), 0x90);
    wr(r, DATA_ALL, 0xFF);                      /* writes to input pins are lost */
    ck_assert_uint_eq(rd(r, DATA_ALL), 0x9F);
    pin(r, 4, false);
    ck_assert_uint_eq(rd(r, DATA_ALL), 0x8F);
    /* pin 5 turned output drives its latch, which never took the write */
    wr(r, DIR, 0x2F);
    ck_assert_uint_eq(rd(r, DATA_AT(0x20)), 0x00);
    wr(r, DATA_AT(0x20), 0x20);
    ck_assert_uint_eq(rd(r, DATA_AT(0x20)), 0x20);
    /* pin 0 turned input reads its external level again */
    wr(r, DIR, 0x2E);
    ck_assert_uint_eq(rd(r, DATA_AT(0x01)), 0x01);
    /* out-of-range inputs are ignored */
    pin(r, 8, true);
    pin(r, 31, true);
    ck_assert_uint_eq(rd(r, DATA_ALL), 0xAF);
    rig_free(r);
}
END_TEST

START_TEST(edge_rising)
{
    struct rig *r = rig_new();
    wr(r, IEV, 0x08);                           /* pin 3: rising edges */
    wr(r, IE, 0x08);
    pin(r, 3, true);
    ck_assert_uint_eq(rd(r, RIS), 0x08);
    ck_assert_uint_eq(rd(r, MIS), 0x08);
    ck_assert(r->sink.level);
    wr(r, IC, 0x08);
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert(!r->sink.level);
    pin(r, 3, true);                            /* no change, no edge */
    pin(r, 3, false);                           /* falling: ignored */
    ck_assert_uint_eq(rd(r, RIS), 0);
    pin(r, 3, true);
    ck_assert_uint_eq(rd(r, RIS), 0x08);
    /* the latch holds after the level goes away */
    pin(r, 3, false);
    ck_assert_uint_eq(rd(r, RIS), 0x08);
    /* clearing other pins leaves it */
    wr(r, IC, 0xF7);
    ck_assert_uint_eq(rd(r, RIS), 0x08);
    rig_free(r);
}
END_TEST

START_TEST(edge_falling)
{
    struct rig *r = rig_new();
    wr(r, IE, 0x01);                            /* IEV 0: falling edges */
    pin(r, 0, true);
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert(!r->sink.level);
    pin(r, 0, false);
    ck_assert_uint_eq(rd(r, RIS), 0x01);
    ck_assert(r->sink.level);
    wr(r, IC, 0x01);
    ck_assert(!r->sink.level);
    pin(r, 0, true);
    ck_assert_uint_eq(rd(r, RIS), 0);
    rig_free(r);
}
END_TEST

START_TEST(edge_both)
{
    struct rig *r = rig_new();
    wr(r, IBE, 0x40);
    wr(r, IEV, 0x00);                           /* ignored with IBE */
    wr(r, IE, 0x40);
    pin(r, 6, true);
    ck_assert_uint_eq(rd(r, RIS), 0x40);
    wr(r, IC, 0x40);
    ck_assert_uint_eq(rd(r, RIS), 0);
    pin(r, 6, false);
    ck_assert_uint_eq(rd(r, RIS), 0x40);
    ck_assert(r->sink.level);
    wr(r, IC, 0x40);
    wr(r, IEV, 0x40);
    pin(r, 6, true);
    ck_assert_uint_eq(rd(r, RIS), 0x40);
    rig_free(r);
}
END_TEST

START_TEST(level_high)
{
    struct rig *r = rig_new();
    wr(r, IS, 0x04);
    wr(r, IEV, 0x04);
    wr(r, IE, 0x04);
    ck_assert_uint_eq(rd(r, RIS), 0);
    pin(r, 2, true);
    ck_assert_uint_eq(rd(r, RIS), 0x04);
    ck_assert(r->sink.level);
    wr(r, IC, 0x04);                            /* a level is not cleared */
    ck_assert_uint_eq(rd(r, RIS), 0x04);
    ck_assert(r->sink.level);
    pin(r, 2, false);                           /* removing it is */
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert(!r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(level_low)
{
    struct rig *r = rig_new();
    wr(r, IS, 0x80);                            /* IEV 0: low level */
    ck_assert_uint_eq(rd(r, RIS), 0x80);        /* the pin is low */
    ck_assert_uint_eq(rd(r, MIS), 0);
    ck_assert(!r->sink.level);
    wr(r, IE, 0x80);
    ck_assert(r->sink.level);
    pin(r, 7, true);
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert(!r->sink.level);
    pin(r, 7, false);
    ck_assert(r->sink.level);
    /* switching the pin to edge sensing drops the level status */
    wr(r, IS, 0x00);
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert(!r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(outputs_make_levels_not_edges)
{
    struct rig *r = rig_new();
    wr(r, DIR, 0x02);
    wr(r, IEV, 0x02);
    wr(r, IBE, 0x02);
    wr(r, IE, 0x02);
    wr(r, DATA_AT(0x02), 0x02);                 /* pin 1 rises: an output, no edge */
    ck_assert_uint_eq(rd(r, RIS), 0);
    wr(r, DATA_AT(0x02), 0x00);
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert(!r->sink.level);
    /* a level-sensitive output pin does raise its level */
    wr(r, IS, 0x02);
    ck_assert_uint_eq(rd(r, RIS), 0);
    wr(r, DATA_AT(0x02), 0x02);
    ck_assert_uint_eq(rd(r, RIS), 0x02);
    ck_assert(r->sink.level);
    wr(r, DATA_AT(0x02), 0x00);
    ck_assert(!r->sink.level);
    /* an input that is high turned into an output driving low: no edge */
    pin(r, 5, true);
    wr(r, IBE, 0x20);
    wr(r, IE, 0x20);
    wr(r, DIR, 0x22);
    ck_assert_uint_eq(rd(r, RIS), 0);
    /* back to input, where the outside still holds it high: an edge */
    wr(r, DIR, 0x02);
    ck_assert_uint_eq(rd(r, RIS), 0x20);
    ck_assert(r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(mask_gates_the_line)
{
    struct rig *r = rig_new();
    wr(r, IBE, 0xFF);
    pin(r, 1, true);
    pin(r, 4, true);
    ck_assert_uint_eq(rd(r, RIS), 0x12);
    ck_assert_uint_eq(rd(r, MIS), 0);
    ck_assert(!r->sink.level);
    wr(r, IE, 0x10);
    ck_assert_uint_eq(rd(r, MIS), 0x10);
    ck_assert(r->sink.level);
    wr(r, IC, 0x10);
    ck_assert_uint_eq(rd(r, RIS), 0x02);
    ck_assert_uint_eq(rd(r, MIS), 0);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(r->sink.changes, 2);
    rig_free(r);
}
END_TEST

static void save_to(struct rig *r, struct state_writer *w)
{
    state_writer_init(w);
    state_begin(w, "pl061", pl061_model.state_version);
    ck_assert_int_eq(pl061_model.save(r->dev, w), 0);
    state_end(w);
    struct orr_error err = { { 0 } };
    ck_assert_msg(state_writer_finish(w, &err) == 0, "%s", err.msg);
}

START_TEST(save_load_round_trip)
{
    struct rig *a = rig_new();
    wr(a, DIR, 0x0F);
    wr(a, DATA_ALL, 0x05);
    wr(a, IS, 0x40);
    wr(a, IBE, 0x20);
    wr(a, IEV, 0x50);
    wr(a, AFSEL, 0x03);
    pin(a, 4, true);                            /* latched rising edge */
    pin(a, 6, true);                            /* level high */
    wr(a, IE, 0x10);
    ck_assert(a->sink.level);

    struct state_writer w;
    save_to(a, &w);
    struct rig *b = rig_new();
    struct orr_error err = { { 0 } };
    struct state_reader sr;
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "pl061"), 0);
    ck_assert_msg(pl061_model.load(b->dev, &sr, &err) == 0, "load: %s", err.msg);
    static const unsigned regs[] = { DATA_ALL, DIR, IS, IBE, IEV, IE, RIS, MIS, AFSEL };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        ck_assert_msg(rd(a, regs[i]) == rd(b, regs[i]), "register 0x%03x", regs[i]);
    ck_assert_uint_eq(rd(b, RIS), 0x50);
    ck_assert(b->sink.level);
    /* the inputs came across: releasing pin 6 ends its level interrupt */
    wr(b, IE, 0x40);
    pin(b, 6, false);
    ck_assert_uint_eq(rd(b, RIS), 0x10);
    ck_assert(!b->sink.level);

    /* a truncated section is an error and leaves the device as it was */
    struct rig *c = rig_new();
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "pl061"), 0);
    sr.section_end -= 1;
    ck_assert_int_ne(pl061_model.load(c->dev, &sr, &err), 0);
    ck_assert_uint_eq(rd(c, DIR), 0);
    ck_assert_uint_eq(rd(c, RIS), 0);

    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
    rig_free(c);
}
END_TEST

START_TEST(reset_keeps_external_inputs)
{
    struct rig *r = rig_new();
    wr(r, DIR, 0x01);
    wr(r, DATA_ALL, 0x01);
    wr(r, IBE, 0xFF);
    wr(r, IE, 0xFF);
    pin(r, 3, true);
    ck_assert(r->sink.level);
    pl061_model.reset(r->dev);
    ck_assert(!r->sink.level);
    static const unsigned regs[] = { DIR, IS, IBE, IEV, IE, RIS, MIS, AFSEL };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        ck_assert_msg(rd(r, regs[i]) == 0, "register 0x%03x", regs[i]);
    ck_assert_uint_eq(rd(r, DATA_ALL), 0x08);   /* the held input; no output */
    /* no edge was made by the reset itself: the pin is still high */
    wr(r, IBE, 0x08);
    wr(r, IE, 0x08);
    ck_assert_uint_eq(rd(r, RIS), 0);
    pin(r, 3, false);
    ck_assert_uint_eq(rd(r, RIS), 0x08);
    rig_free(r);
}
END_TEST

START_TEST(create_rejects_bad_nodes)
{
    struct rig r = { 0 };
    struct orr_error err = { { 0 } };
    void *dev = NULL;
    struct device_ctx ctx = rig_ctx(&r);
    ctx.window_size[0] = 0x400;
    ck_assert_int_ne(pl061_model.create(&ctx, &dev, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "0x1000"));
    ctx = rig_ctx(&r);
    ctx.nwindows = 0;
    ck_assert_int_ne(pl061_model.create(&ctx, &dev, &err), 0);
    ck_assert_ptr_null(dev);
    /* without an interrupt line it still works */
    ctx = rig_ctx(&r);
    ctx.nirqs = 0;
    ck_assert_int_eq(pl061_model.create(&ctx, &dev, &err), 0);
    pl061_model.set_input(dev, 0, true);
    pl061_model.destroy(dev);
}
END_TEST

/* ---- on the arm-virt board ------------------------------------------------ */

#define VIRT_GPIO 0x09030000u
#define VIRT_RTC 0x09010000u

static struct machine *virt_machine(void)
{
    return unit_machine("arm-virt", (struct machine_config){ .clock_mode = CLOCK_MODE_VIRTUAL });
}

static uint32_t bus_rd(struct machine *m, uint64_t addr)
{
    uint64_t v = 0;
    ck_assert_int_eq(bus_read(&m->bus, addr, 4, &v), BUS_OK);
    return (uint32_t)v;
}

static void bus_wr(struct machine *m, uint64_t addr, uint32_t v)
{
    ck_assert_int_eq(bus_write(&m->bus, addr, 4, v), BUS_OK);
}

START_TEST(virt_board_has_both_devices)
{
    struct machine *m = virt_machine();
    const struct machine_device *rtc = machine_find_device(m, "arm,pl031");
    const struct machine_device *gpio = machine_find_device(m, "arm,pl061");
    ck_assert_ptr_nonnull(rtc);
    ck_assert_ptr_nonnull(gpio);
    ck_assert_str_eq(rtc->path, "/pl031@9010000");
    ck_assert_str_eq(gpio->path, "/pl061@9030000");
    ck_assert_uint_eq(rtc->nirqs, 1);
    ck_assert_uint_eq(gpio->nirqs, 1);
    ck_assert_uint_eq(bus_rd(m, VIRT_RTC + 0xFE0), 0x31);
    ck_assert_uint_eq(bus_rd(m, VIRT_GPIO + 0xFE0), 0x61);
    ck_assert_uint_eq(bus_rd(m, VIRT_RTC), 946684800u);
    machine_destroy(m);
}
END_TEST

START_TEST(virt_power_button)
{
    struct machine *m = virt_machine();
    struct orr_error err = { { 0 } };
    /* as Linux's gpio-keys sets the pin up: input, both edges, unmasked */
    bus_wr(m, VIRT_GPIO + IBE, 0x08);
    bus_wr(m, VIRT_GPIO + IE, 0x08);
    ck_assert_msg(machine_set_input(m, "GPIO Key Poweroff", true, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(bus_rd(m, VIRT_GPIO + DATA_AT(0x08)), 0x08);
    ck_assert_uint_eq(bus_rd(m, VIRT_GPIO + MIS), 0x08);
    bus_wr(m, VIRT_GPIO + IC, 0x08);
    ck_assert_msg(machine_set_input(m, "poweroff", false, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(bus_rd(m, VIRT_GPIO + DATA_ALL), 0x00);
    ck_assert_uint_eq(bus_rd(m, VIRT_GPIO + MIS), 0x08);
    bus_wr(m, VIRT_GPIO + IC, 0x08);
    /* by device path and pin */
    ck_assert_msg(machine_set_input(m, "/pl061@9030000:5", true, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(bus_rd(m, VIRT_GPIO + DATA_ALL), 0x20);
    /* names that mean nothing */
    ck_assert_int_ne(machine_set_input(m, "reset", true, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "reset"));
    ck_assert_int_ne(machine_set_input(m, "/pl061@9030000:8", true, &err), 0);
    ck_assert_int_ne(machine_set_input(m, "/pl061@9030000:x", true, &err), 0);
    ck_assert_int_ne(machine_set_input(m, "/pl011@9000000:0", true, &err), 0);
    ck_assert_int_ne(machine_set_input(m, "/nothing:0", true, &err), 0);
    ck_assert_int_ne(machine_set_input(m, "", true, &err), 0);
    ck_assert_uint_eq(bus_rd(m, VIRT_GPIO + DATA_ALL), 0x20);
    machine_destroy(m);
}
END_TEST

/* A small board built with libfdt: a PL061 with two gpio-keys nodes, one
 * holding an active-low key, the other disabled. */
static void *keys_board(void)
{
    size_t size = 4096;
    void *fdt = calloc(1, size);
    ck_assert_int_eq(fdt_create_empty_tree(fdt, (int)size), 0);
    ck_assert_int_eq(fdt_setprop_u32(fdt, 0, "#address-cells", 1), 0);
    ck_assert_int_eq(fdt_setprop_u32(fdt, 0, "#size-cells", 1), 0);
    int mem = fdt_add_subnode(fdt, 0, "memory@40000000");
    ck_assert_int_ge(mem, 0);
    ck_assert_int_eq(fdt_setprop_string(fdt, mem, "device_type", "memory"), 0);
    uint32_t mreg[2] = { cpu_to_fdt32(0x40000000), cpu_to_fdt32(0x100000) };
    ck_assert_int_eq(fdt_setprop(fdt, mem, "reg", mreg, sizeof mreg), 0);
    int cpus = fdt_add_subnode(fdt, 0, "cpus");
    ck_assert_int_ge(cpus, 0);
    int cpu = fdt_add_subnode(fdt, cpus, "cpu@0");
    ck_assert_int_ge(cpu, 0);
    ck_assert_int_eq(fdt_setprop_string(fdt, cpu, "device_type", "cpu"), 0);
    ck_assert_int_eq(fdt_setprop_string(fdt, cpu, "compatible", "arm,arm926ej-s"), 0);
    int gpio = fdt_add_subnode(fdt, 0, "gpio@9030000");
    ck_assert_int_ge(gpio, 0);
    ck_assert_int_eq(fdt_setprop_string(fdt, gpio, "compatible", "arm,pl061"), 0);
    uint32_t greg[2] = { cpu_to_fdt32(VIRT_GPIO), cpu_to_fdt32(0x1000) };
    ck_assert_int_eq(fdt_setprop(fdt, gpio, "reg", greg, sizeof greg), 0);
    ck_assert_int_eq(fdt_setprop_u32(fdt, gpio, "#gpio-cells", 2), 0);
    ck_assert_int_eq(fdt_setprop_u32(fdt, gpio, "phandle", 5), 0);
    int keys = fdt_add_subnode(fdt, 0, "keys");
    ck_assert_int_ge(keys, 0);
    ck_assert_int_eq(fdt_setprop_string(fdt, keys, "compatible", "gpio-keys"), 0);
    int key = fdt_add_subnode(fdt, keys, "reset@0");
    ck_assert_int_ge(key, 0);
    uint32_t gpios[3] = { cpu_to_fdt32(5), cpu_to_fdt32(6), cpu_to_fdt32(1) };  /* low */
    ck_assert_int_eq(fdt_setprop(fdt, key, "gpios", gpios, sizeof gpios), 0);
    int off = fdt_add_subnode(fdt, 0, "more-keys");
    ck_assert_int_ge(off, 0);
    ck_assert_int_eq(fdt_setprop_string(fdt, off, "compatible", "gpio-keys"), 0);
    ck_assert_int_eq(fdt_setprop_string(fdt, off, "status", "disabled"), 0);
    int dead = fdt_add_subnode(fdt, off, "dead");
    ck_assert_int_ge(dead, 0);
    uint32_t dgpios[3] = { cpu_to_fdt32(5), cpu_to_fdt32(1), cpu_to_fdt32(0) };
    ck_assert_int_eq(fdt_setprop(fdt, dead, "gpios", dgpios, sizeof dgpios), 0);
    /* (adding a node moves the offsets of those after it) */
    int bad = fdt_add_subnode(fdt, fdt_path_offset(fdt, "/keys"), "broken");
    ck_assert_int_ge(bad, 0);
    uint32_t bgpios[2] = { cpu_to_fdt32(5), cpu_to_fdt32(1) };   /* one cell short */
    ck_assert_int_eq(fdt_setprop(fdt, bad, "gpios", bgpios, sizeof bgpios), 0);
    ck_assert_int_eq(fdt_pack(fdt), 0);
    return fdt;
}

START_TEST(gpio_keys_active_low_and_disabled)
{
    void *fdt = keys_board();
    struct machine_config cfg = {
        .dtb = fdt,
        .dtb_size = fdt_totalsize(fdt),
        .board_name = "keys",
        .clock_mode = CLOCK_MODE_VIRTUAL,
    };
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "machine_create: %s", err.msg);
    /* an active-low key: released drives high, pressed drives low; the
     * unit address is not part of the name */
    ck_assert_msg(machine_set_input(m, "reset", false, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(bus_rd(m, VIRT_GPIO + DATA_ALL), 0x40);
    ck_assert_msg(machine_set_input(m, "reset", true, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(bus_rd(m, VIRT_GPIO + DATA_ALL), 0x00);
    ck_assert_int_ne(machine_set_input(m, "reset@0", true, &err), 0);
    /* a key of a disabled node is not there */
    ck_assert_int_ne(machine_set_input(m, "dead", true, &err), 0);
    /* nor is one whose gpios is short of #gpio-cells */
    ck_assert_int_ne(machine_set_input(m, "broken", true, &err), 0);
    ck_assert_msg(strstr(err.msg, "#gpio-cells"), "%s", err.msg);
    ck_assert_uint_eq(bus_rd(m, VIRT_GPIO + DATA_ALL), 0x00);
    machine_destroy(m);
    free(fdt);
}
END_TEST

static Suite *pl061_suite(void)
{
    Suite *s = suite_create("pl061");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, descriptor);
    tcase_add_test(tc, ids_and_reset_values);
    tcase_add_test(tc, access_sizes_and_register_widths);
    tcase_add_test(tc, data_address_masking);
    tcase_add_test(tc, direction_inputs_and_outputs);
    tcase_add_test(tc, edge_rising);
    tcase_add_test(tc, edge_falling);
    tcase_add_test(tc, edge_both);
    tcase_add_test(tc, level_high);
    tcase_add_test(tc, level_low);
    tcase_add_test(tc, outputs_make_levels_not_edges);
    tcase_add_test(tc, mask_gates_the_line);
    tcase_add_test(tc, save_load_round_trip);
    tcase_add_test(tc, reset_keeps_external_inputs);
    tcase_add_test(tc, create_rejects_bad_nodes);
    suite_add_tcase(s, tc);
    TCase *board = tcase_create("arm-virt");
    tcase_add_test(board, virt_board_has_both_devices);
    tcase_add_test(board, virt_power_button);
    tcase_add_test(board, gpio_keys_active_low_and_disabled);
    suite_add_tcase(s, board);
    return s;
}

int main(void)
{
    return unit_run(pl061_suite());
}
