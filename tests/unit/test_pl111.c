/* The PL111 model driven directly through its device descriptor: a bus
 * with RAM for the frame buffer, a fake interrupt sink, a virtual clock,
 * and a small tree that gives CLCDCLK as a 10 MHz fixed clock. */
#include <check.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/clock.h"
#include "machine/bus.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/display.h"
#include "machine/boards.h"
#include "machine/irq.h"
#include "machine/machine.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

enum { TIM0 = 0x00, TIM1 = 0x04, TIM2 = 0x08, TIM3 = 0x0C, UPBASE = 0x10, LPBASE = 0x14,
       CONTROL = 0x18, IMSC = 0x1C, RIS = 0x20, MIS = 0x24, ICR = 0x28, UPCURR = 0x2C,
       LPCURR = 0x30, PALETTE = 0x200 };

/* LCDControl fields. */
enum { EN = 1u << 0, BW = 1u << 4, TFT = 1u << 5, DUAL = 1u << 7, BGR = 1u << 8,
       BEBO = 1u << 9, BEPO = 1u << 10, PWR = 1u << 11 };
#define BPP(n) ((uint32_t)(n) << 1)
#define VCOMP(n) ((uint32_t)(n) << 12)
enum { B1 = 0, B2 = 1, B4 = 2, B8 = 3, B16 = 4, B24 = 5, B565 = 6, B444 = 7 };
enum { FUF = 1u << 1, LNBU = 1u << 2, VCOMPI = 1u << 3, MBERROR = 1u << 4 };

#define RAM 0x40000000u
#define RAM_SIZE 0x100000u
#define CLCDCLK_HZ 10000000u            /* one tick: 100 ns */
#define BCD (1u << 26)

struct sink {
    bool level;
    unsigned changes;
};

struct rig {
    struct vclock clock;
    struct bus bus;
    struct irq_line line;
    struct sink sink;
    uint8_t fdt[1024];
    void *dev;
};

static void sink_set(void *opaque, unsigned input, bool level)
{
    struct sink *k = opaque;
    (void)input;
    k->level = level;
    k->changes++;
}

/* A tree with a fixed clock (phandle 1) and the controller using it. */
static int make_fdt(void *fdt, size_t size)
{
    ck_assert_int_eq(fdt_create_empty_tree(fdt, (int)size), 0);
    int clk = fdt_add_subnode(fdt, 0, "clcdclk");
    ck_assert_int_ge(clk, 0);
    ck_assert_int_eq(fdt_setprop_string(fdt, clk, "compatible", "fixed-clock"), 0);
    ck_assert_int_eq(fdt_setprop_u32(fdt, clk, "clock-frequency", CLCDCLK_HZ), 0);
    ck_assert_int_eq(fdt_setprop_u32(fdt, clk, "phandle", 1), 0);
    int node = fdt_add_subnode(fdt, 0, "clcd@9100000");
    ck_assert_int_ge(node, 0);
    ck_assert_int_eq(fdt_setprop_string(fdt, node, "compatible", "arm,pl111"), 0);
    ck_assert_int_eq(fdt_setprop_u32(fdt, node, "clocks", 1), 0);
    return fdt_path_offset(fdt, "/clcd@9100000");
}

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    clock_init(&r->clock, CLOCK_MODE_VIRTUAL, 10);
    struct orr_error err = { { 0 } };
    bus_init(&r->bus, NULL);
    ck_assert_int_eq(bus_add_ram(&r->bus, "ram", RAM, RAM_SIZE, &err), 0);
    irq_connect(&r->line, sink_set, &r->sink, 42);
    int node = make_fdt(r->fdt, sizeof r->fdt);
    struct device_ctx ctx = {
        .fdt = r->fdt,
        .node = node,
        .path = "/clcd@9100000",
        .nwindows = 1,
        .window_base = { 0x09100000 },
        .window_size = { 0x1000 },
        .irqs = { &r->line },
        .nirqs = 1,
        .bus = &r->bus,
        .clock = &r->clock,
    };
    ck_assert_msg(pl111_model.create(&ctx, &r->dev, &err) == 0, "create: %s", err.msg);
    return r;
}

static void rig_free(struct rig *r)
{
    pl111_model.destroy(r->dev);
    bus_destroy(&r->bus);
    free(r);
}

static uint32_t rd(struct rig *r, unsigned off)
{
    uint64_t v = 0;
    ck_assert_int_eq(pl111_model.read(r->dev, 0, off, 4, &v), BUS_OK);
    return (uint32_t)v;
}

static void wr(struct rig *r, unsigned off, uint32_t v)
{
    ck_assert_int_eq(pl111_model.write(r->dev, 0, off, 4, v), BUS_OK);
}

static void at(struct rig *r, uint64_t t)
{
    clock_advance_to(&r->clock, t);
}

static uint8_t *ram(struct rig *r, uint32_t addr)
{
    bool rom;
    uint8_t *p = bus_host_ptr(&r->bus, addr, 1, &rom);
    ck_assert_ptr_nonnull(p);
    return p;
}

static void put32(struct rig *r, uint32_t addr, uint32_t v)
{
    uint8_t *p = ram(r, addr);
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put16(struct rig *r, uint32_t addr, uint16_t v)
{
    uint8_t *p = ram(r, addr);
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* A 16 x `lines` panel (PPL field 0) at RAM, shown in `control`'s format. */
static void mode(struct rig *r, unsigned lines, uint32_t control)
{
    wr(r, TIM0, 0);
    wr(r, TIM1, lines - 1);
    wr(r, TIM2, BCD);
    wr(r, UPBASE, RAM);
    wr(r, CONTROL, control | EN | PWR | TFT);
}

static struct frame render(struct rig *r, int expect)
{
    struct frame f = { 0 };
    ck_assert_int_eq(pl111_model.render(r->dev, &f, r->clock.now_ns), expect);
    return f;
}

START_TEST(descriptor)
{
    ck_assert_ptr_eq(device_model_find("arm,pl111"), &pl111_model);
    ck_assert_str_eq(pl111_model.name, "pl111");
    ck_assert_ptr_nonnull(pl111_model.render);
    ck_assert_ptr_nonnull(pl111_model.save);
    ck_assert_ptr_nonnull(pl111_model.load);
    ck_assert_ptr_null(pl111_model.input_rank);
}
END_TEST

START_TEST(ids_and_reset_values)
{
    struct rig *r = rig_new();
    /* PL111 r0p2: part 0x111, designer 0x41, revision 2; B105F00D. */
    static const uint8_t id[8] = { 0x11, 0x11, 0x24, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };
    for (unsigned i = 0; i < 8; i++)
        ck_assert_uint_eq(rd(r, 0xFE0 + 4 * i), id[i]);
    static const unsigned regs[] = { TIM0, TIM1, TIM2, TIM3, UPBASE, LPBASE, CONTROL, IMSC,
                                     RIS, MIS, UPCURR, LPCURR, PALETTE, 0x3FC, 0xC00 };
    for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++)
        ck_assert_uint_eq(rd(r, regs[i]), 0);
    ck_assert(!r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(registers_read_back)
{
    struct rig *r = rig_new();
    wr(r, TIM0, 0xFFFFFFFFu);
    ck_assert_uint_eq(rd(r, TIM0), 0xFFFFFFFCu);     /* bits [1:0] reserved */
    wr(r, TIM1, 0x12345678u);
    ck_assert_uint_eq(rd(r, TIM1), 0x12345678u);
    wr(r, TIM2, 0xFFFFFFFFu);
    ck_assert_uint_eq(rd(r, TIM2), 0xFFFF7FFFu);     /* bit 15 reserved */
    wr(r, TIM3, 0xFFFFFFFFu);
    ck_assert_uint_eq(rd(r, TIM3), 0x0001007Fu);
    wr(r, UPBASE, 0x40001237u);
    ck_assert_uint_eq(rd(r, UPBASE), 0x40001230u);
    wr(r, LPBASE, 0x50000008u);
    ck_assert_uint_eq(rd(r, LPBASE), 0x50000008u);
    wr(r, CONTROL, 0xFFFFFFFEu);                       /* all but LcdEn */
    ck_assert_uint_eq(rd(r, CONTROL), 0x13FFEu);
    wr(r, IMSC, 0xFFFFFFFFu);
    ck_assert_uint_eq(rd(r, IMSC), FUF | LNBU | VCOMPI | MBERROR);
    /* the palette: two entries a word */
    wr(r, PALETTE + 0x10, 0xABCD1234u);
    ck_assert_uint_eq(rd(r, PALETTE + 0x10), 0xABCD1234u);
    ck_assert_uint_eq(rd(r, PALETTE + 0x14), 0);
    wr(r, 0x3FC, 0x80017FFEu);
    ck_assert_uint_eq(rd(r, 0x3FC), 0x80017FFEu);
    /* cursor registers are kept */
    wr(r, 0x800, 0xDEADBEEFu);
    wr(r, 0xC10, 0xFFFFFFFFu);
    ck_assert_uint_eq(rd(r, 0x800), 0xDEADBEEFu);
    ck_assert_uint_eq(rd(r, 0xC10), 0x0FFF0FFFu);
    /* read-only registers and access sizes */
    wr(r, RIS, 0x1E);
    wr(r, 0xFE0, 0);
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert_uint_eq(rd(r, 0xFE0), 0x11);
    uint64_t v = 0;
    ck_assert_int_eq(pl111_model.read(r->dev, 0, PALETTE + 0x12, 2, &v), BUS_OK);
    ck_assert_uint_eq(v, 0xABCD);
    ck_assert_int_eq(pl111_model.read(r->dev, 0, TIM1, 8, &v), BUS_ERROR);
    ck_assert_int_eq(pl111_model.write(r->dev, 0, TIM1, 8, 0), BUS_ERROR);
    rig_free(r);
}
END_TEST

START_TEST(format_24bpp_and_bgr)
{
    struct rig *r = rig_new();
    put32(r, RAM, 0xFF112233u);                  /* bits [31:24] unused */
    put32(r, RAM + 4, 0x000000FFu);
    put32(r, RAM + 64, 0x00FF0000u);             /* line 1, pixel 0 */
    mode(r, 2, BPP(B24));
    struct frame f = render(r, 1);
    ck_assert_uint_eq(f.width, 16);
    ck_assert_uint_eq(f.height, 2);
    ck_assert_uint_eq(f.pixels[0], 0x332211u);   /* red in bits [7:0] */
    ck_assert_uint_eq(f.pixels[1], 0xFF0000u);
    ck_assert_uint_eq(f.pixels[16], 0x0000FFu);
    ck_assert_uint_eq(f.pixels[2], 0);
    wr(r, CONTROL, rd(r, CONTROL) | BGR);        /* Linux's XRGB8888 */
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0x112233u);
    ck_assert_uint_eq(f.pixels[1], 0x0000FFu);
    ck_assert_uint_eq(f.pixels[16], 0xFF0000u);
    frame_free(&f);
    rig_free(r);
}
END_TEST

START_TEST(format_16bpp)
{
    struct rig *r = rig_new();
    put16(r, RAM + 0, 0xF800);    /* 5:6:5 high field */
    put16(r, RAM + 2, 0x07E0);    /* green */
    put16(r, RAM + 4, 0x001F);    /* low field */
    put16(r, RAM + 6, 0x0400);    /* green 32 of 63 */
    mode(r, 1, BPP(B565));
    struct frame f = render(r, 1);
    ck_assert_uint_eq(f.pixels[0], 0x0000FFu);
    ck_assert_uint_eq(f.pixels[1], 0x00FF00u);
    ck_assert_uint_eq(f.pixels[2], 0xFF0000u);
    ck_assert_uint_eq(f.pixels[3], 0x008200u);   /* (32 * 255 + 31) / 63 = 130 */
    wr(r, CONTROL, rd(r, CONTROL) | BGR);
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0xFF0000u);
    ck_assert_uint_eq(f.pixels[2], 0x0000FFu);

    /* 1:5:5:5: bit 15 (intensity) not shown */
    put16(r, RAM + 0, 0x7C00);
    put16(r, RAM + 2, 0x8000);
    put16(r, RAM + 4, 0x03E0);
    put16(r, RAM + 6, 0x0010);    /* low field 16 of 31 */
    wr(r, CONTROL, BPP(B16) | EN | PWR | TFT);
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0x0000FFu);
    ck_assert_uint_eq(f.pixels[1], 0);
    ck_assert_uint_eq(f.pixels[2], 0x00FF00u);
    ck_assert_uint_eq(f.pixels[3], 0x840000u);   /* (16 * 255 + 15) / 31 = 132 */

    /* 4:4:4 in 16-bit containers */
    put16(r, RAM + 0, 0x0F00);
    put16(r, RAM + 2, 0xF080);    /* bits [15:12] unused; green 8 of 15 */
    put16(r, RAM + 4, 0x000F);
    wr(r, CONTROL, BPP(B444) | EN | PWR | TFT);
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0x0000FFu);
    ck_assert_uint_eq(f.pixels[1], 0x008800u);   /* (8 * 255 + 7) / 15 = 136 */
    ck_assert_uint_eq(f.pixels[2], 0xFF0000u);

    /* BEBO: pixel 0 in the word's upper half */
    put16(r, RAM + 0, 0x001F);
    put16(r, RAM + 2, 0xF800);
    wr(r, CONTROL, BPP(B565) | EN | PWR | TFT | BEBO);
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0x0000FFu);
    ck_assert_uint_eq(f.pixels[1], 0xFF0000u);
    frame_free(&f);
    rig_free(r);
}
END_TEST

START_TEST(palette_formats)
{
    struct rig *r = rig_new();
    wr(r, PALETTE + 0, 0x7C00u << 16 | 0x0000u);   /* 0: black, 1: high field */
    wr(r, PALETTE + 4, 0x03E0u << 16 | 0x001Fu);   /* 2: low field, 3: green */
    wr(r, PALETTE + 0x1FC, 0x7FFFu << 16 | 0x0210u); /* 254: grey 16/31, 255: white */
    /* 8 bpp */
    ram(r, RAM)[0] = 1;
    ram(r, RAM)[1] = 2;
    ram(r, RAM)[2] = 3;
    ram(r, RAM)[3] = 255;
    ram(r, RAM)[4] = 254;
    mode(r, 1, BPP(B8));
    struct frame f = render(r, 1);
    ck_assert_uint_eq(f.pixels[0], 0x0000FFu);
    ck_assert_uint_eq(f.pixels[1], 0xFF0000u);
    ck_assert_uint_eq(f.pixels[2], 0x00FF00u);
    ck_assert_uint_eq(f.pixels[3], 0xFFFFFFu);
    ck_assert_uint_eq(f.pixels[4], 0x848400u);     /* low and middle fields 16 */
    ck_assert_uint_eq(f.pixels[5], 0);
    wr(r, CONTROL, rd(r, CONTROL) | BGR);
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0xFF0000u);
    ck_assert_uint_eq(f.pixels[1], 0x0000FFu);
    ck_assert_uint_eq(f.pixels[4], 0x008484u);
    /* BEBO: pixel 0 is the word's top byte, and the palette's two entries
     * in a word swap places (entry 255 shows entry 254's colour) */
    wr(r, CONTROL, BPP(B8) | EN | PWR | TFT | BEBO);
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0x848400u);     /* byte 3: 255 -> entry 254 */
    ck_assert_uint_eq(f.pixels[1], 0xFF0000u);     /* byte 2: 3 -> entry 2 */
    ck_assert_uint_eq(f.pixels[2], 0x00FF00u);     /* byte 1: 2 -> entry 3 */
    ck_assert_uint_eq(f.pixels[3], 0);             /* byte 0: 1 -> entry 0 */

    /* 4 bpp: little-endian pixels in a byte, BEPO the other way */
    memset(ram(r, RAM), 0, 8);
    ram(r, RAM)[0] = 0x21;
    ram(r, RAM)[1] = 0x03;
    wr(r, CONTROL, BPP(B4) | EN | PWR | TFT);
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0x0000FFu);
    ck_assert_uint_eq(f.pixels[1], 0xFF0000u);
    ck_assert_uint_eq(f.pixels[2], 0x00FF00u);
    ck_assert_uint_eq(f.pixels[3], 0);
    wr(r, CONTROL, BPP(B4) | EN | PWR | TFT | BEPO);
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0xFF0000u);
    ck_assert_uint_eq(f.pixels[1], 0x0000FFu);
    ck_assert_uint_eq(f.pixels[2], 0);
    ck_assert_uint_eq(f.pixels[3], 0x00FF00u);

    /* 2 bpp: 0xE4 holds 0, 1, 2, 3 from the least significant end */
    ram(r, RAM)[0] = 0xE4;
    wr(r, CONTROL, BPP(B2) | EN | PWR | TFT);
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0);
    ck_assert_uint_eq(f.pixels[1], 0x0000FFu);
    ck_assert_uint_eq(f.pixels[2], 0xFF0000u);
    ck_assert_uint_eq(f.pixels[3], 0x00FF00u);
    ck_assert_uint_eq(f.pixels[4], 0x00FF00u);     /* byte 1 = 0x03 */

    /* 1 bpp */
    memset(ram(r, RAM), 0, 8);
    ram(r, RAM)[0] = 0x01;
    ram(r, RAM)[1] = 0x80;
    wr(r, CONTROL, BPP(B1) | EN | PWR | TFT);
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0x0000FFu);
    ck_assert_uint_eq(f.pixels[1], 0);
    ck_assert_uint_eq(f.pixels[7], 0);
    ck_assert_uint_eq(f.pixels[15], 0x0000FFu);
    wr(r, CONTROL, BPP(B1) | EN | PWR | TFT | BEPO);
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0);
    ck_assert_uint_eq(f.pixels[7], 0x0000FFu);
    ck_assert_uint_eq(f.pixels[8], 0x0000FFu);

    /* monochrome STN: the grey of red bits [4:1] */
    wr(r, PALETTE, 0x001Eu << 16 | 0x0001u);
    wr(r, CONTROL, BPP(B1) | EN | PWR | BW);
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0xFFFFFFu);
    ck_assert_uint_eq(f.pixels[1], 0);
    frame_free(&f);
    rig_free(r);
}
END_TEST

START_TEST(dual_panel)
{
    struct rig *r = rig_new();
    put32(r, RAM, 0x0000FFu);
    put32(r, RAM + 0x1000, 0x00FF00u);
    wr(r, TIM1, 1);                                  /* 2 lines a panel */
    wr(r, TIM2, BCD);
    wr(r, UPBASE, RAM);
    wr(r, LPBASE, RAM + 0x1000);
    wr(r, CONTROL, BPP(B24) | EN | PWR | DUAL);
    struct frame f = render(r, 1);
    ck_assert_uint_eq(f.height, 4);
    ck_assert_uint_eq(f.pixels[0], 0xFF0000u);
    ck_assert_uint_eq(f.pixels[2 * 16], 0x00FF00u);
    frame_free(&f);
    rig_free(r);
}
END_TEST

START_TEST(blank_when_disabled)
{
    struct rig *r = rig_new();
    struct frame f = render(r, 0);                   /* never programmed */
    ck_assert_uint_eq(f.width, 640);
    ck_assert_uint_eq(f.height, 480);
    ck_assert_uint_eq(f.pixels[0], 0);
    put32(r, RAM, 0xFFFFFFu);
    mode(r, 2, BPP(B24));
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0xFFFFFFu);
    wr(r, CONTROL, BPP(B24) | EN | TFT);             /* power off */
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 0);
    ck_assert_uint_eq(f.width, 16);
    ck_assert_uint_eq(f.height, 2);
    ck_assert_uint_eq(f.pixels[0], 0);
    wr(r, CONTROL, BPP(B24) | PWR | TFT);            /* not enabled */
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 0);
    ck_assert_uint_eq(f.pixels[0], 0);
    frame_free(&f);
    rig_free(r);
}
END_TEST

START_TEST(base_outside_ram)
{
    struct rig *r = rig_new();
    mode(r, 4, BPP(B24));
    wr(r, UPBASE, 0x10000000u);                      /* nothing there */
    struct frame f = render(r, 1);
    for (unsigned i = 0; i < 16 * 4; i++)
        ck_assert_uint_eq(f.pixels[i], 0);
    /* a frame running off the end of RAM: the lines beyond are black */
    uint32_t last = RAM + RAM_SIZE - 64;
    put32(r, last, 0xFFFFFFu);
    wr(r, UPBASE, last);
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.pixels[0], 0xFFFFFFu);
    ck_assert_uint_eq(f.pixels[16], 0);
    /* the highest base and a 4096 x 1024 mode: no overrun */
    wr(r, UPBASE, 0xFFFFFFF8u);
    wr(r, TIM0, 0xFCu);
    wr(r, TIM1, 1023);
    ck_assert_int_eq(pl111_model.render(r->dev, &f, 0), 1);
    ck_assert_uint_eq(f.width, 1024);
    ck_assert_uint_eq(f.height, 1024);
    ck_assert_uint_eq(f.pixels[1024 * 1024 - 1], 0);
    frame_free(&f);
    rig_free(r);
}
END_TEST

/* The interrupt timing: 16 pixels + HSW 2 + HBP 1 + HFP 1 = 20 clocks a
 * line (2 us at 10 MHz with BCD), VSW 2 + VBP 3 + LPP 4 + VFP 1 = 10
 * lines, a frame every 20 us. */
#define LINE_NS 2000u
#define FRAME_NS 20000u
static void timed_mode(struct rig *r, uint32_t extra_control)
{
    wr(r, TIM0, 1u << 8);                    /* PPL 16, HSW 2, HFP 1, HBP 1 */
    wr(r, TIM1, 3u | 1u << 10 | 1u << 16 | 3u << 24);
    wr(r, TIM2, BCD);
    wr(r, UPBASE, RAM);
    wr(r, CONTROL, BPP(B24) | TFT | PWR | EN | extra_control);
}

START_TEST(vcomp_interrupt_timing)
{
    static const unsigned line_of[4] = { 0, 2, 5, 9 };   /* VComp 0..3 */
    for (unsigned v = 0; v < 4; v++) {
        struct rig *r = rig_new();
        at(r, 1000);
        timed_mode(r, VCOMP(v));
        ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);   /* masked */
        wr(r, IMSC, VCOMPI);
        /* the edge that falls at the enable itself is not counted */
        uint64_t first = 1000 + (v ? line_of[v] * LINE_NS : FRAME_NS);
        ck_assert_uint_eq(clock_next_deadline(&r->clock), first);
        at(r, first - 1);
        ck_assert(!r->sink.level);
        ck_assert_uint_eq(rd(r, RIS) & VCOMPI, 0);
        at(r, first);
        ck_assert(r->sink.level);
        ck_assert_uint_eq(rd(r, MIS), VCOMPI);
        /* pending: no further wake-ups until it is cleared */
        ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
        at(r, first + 5 * FRAME_NS + 1);
        wr(r, ICR, VCOMPI);
        ck_assert(!r->sink.level);
        ck_assert_uint_eq(clock_next_deadline(&r->clock), first + 6 * FRAME_NS);
        rig_free(r);
    }
}
END_TEST

START_TEST(lnbu_and_pixel_clock_divider)
{
    struct rig *r = rig_new();
    timed_mode(r, VCOMP(1));
    wr(r, IMSC, LNBU);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), FRAME_NS);
    at(r, FRAME_NS);
    ck_assert(r->sink.level);
    ck_assert_uint_eq(rd(r, RIS) & LNBU, LNBU);
    wr(r, ICR, LNBU);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 2 * FRAME_NS);
    /* PCD 3 (divide by 5) instead of BCD: frames five times as long, in
     * phase with the enable */
    wr(r, TIM2, 3u);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 5 * FRAME_NS);
    /* PCD_HI counts too: PCD 0x20 + 0 divides by 34 */
    wr(r, TIM2, 1u << 27);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 34 * FRAME_NS);
    /* disabling stops the timing generator */
    wr(r, CONTROL, BPP(B24) | TFT);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    ck_assert_uint_eq(rd(r, RIS), VCOMPI);         /* raised while it ran */
    wr(r, ICR, 0x1E);
    at(r, 100 * FRAME_NS);
    ck_assert_uint_eq(rd(r, RIS), 0);
    rig_free(r);
}
END_TEST

START_TEST(masked_status_needs_no_events)
{
    struct rig *r = rig_new();
    timed_mode(r, VCOMP(2));
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    at(r, 5 * LINE_NS - 1);
    ck_assert_uint_eq(rd(r, RIS), 0);
    at(r, 5 * LINE_NS);
    ck_assert_uint_eq(rd(r, RIS), VCOMPI);
    at(r, FRAME_NS);
    ck_assert_uint_eq(rd(r, RIS), VCOMPI | LNBU);
    ck_assert_uint_eq(rd(r, MIS), 0);
    ck_assert(!r->sink.level);
    /* unmasking a pending bit raises the line at once */
    wr(r, IMSC, LNBU);
    ck_assert(r->sink.level);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    rig_free(r);
}
END_TEST

START_TEST(mberror_and_current_address)
{
    struct rig *r = rig_new();
    timed_mode(r, 0);
    wr(r, UPBASE, 0x20000000u);
    wr(r, IMSC, MBERROR);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), FRAME_NS);
    at(r, FRAME_NS);
    ck_assert(r->sink.level);
    ck_assert_uint_eq(rd(r, MIS), MBERROR);
    wr(r, ICR, MBERROR);
    wr(r, UPBASE, RAM);                     /* fetchable: nothing to wait for */
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    at(r, 2 * FRAME_NS + 1);
    ck_assert_uint_eq(rd(r, RIS) & MBERROR, 0);
    /* LCDUPCURR: the base outside active video, the line's start within */
    ck_assert_uint_eq(rd(r, UPCURR), RAM);
    at(r, 2 * FRAME_NS + 6 * LINE_NS + 100);    /* active line 1 */
    ck_assert_uint_eq(rd(r, UPCURR), RAM + 64);
    at(r, 2 * FRAME_NS + 9 * LINE_NS);          /* front porch */
    ck_assert_uint_eq(rd(r, UPCURR), RAM);
    rig_free(r);
}
END_TEST

static void save_to(struct rig *r, struct state_writer *w)
{
    struct orr_error err = { { 0 } };
    state_writer_init(w);
    state_begin(w, "pl111", pl111_model.state_version);
    ck_assert_int_eq(pl111_model.save(r->dev, w), 0);
    state_end(w);
    ck_assert_msg(state_writer_finish(w, &err) == 0, "%s", err.msg);
}

START_TEST(save_load_round_trip)
{
    struct rig *a = rig_new();
    at(a, 700);
    timed_mode(a, VCOMP(3) | BGR);
    for (unsigned i = 0; i < 128; i++)
        wr(a, PALETTE + 4 * i, i * 0x00010003u);
    wr(a, 0x804, 0x12345678u);
    wr(a, IMSC, VCOMPI);
    at(a, 700 + 3 * LINE_NS);
    uint64_t pending = clock_next_deadline(&a->clock);
    ck_assert_uint_eq(pending, 700 + 9 * LINE_NS);

    struct state_writer w;
    save_to(a, &w);
    struct rig *b = rig_new();
    at(b, 700 + 3 * LINE_NS);
    struct orr_error err = { { 0 } };
    struct state_reader sr;
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "pl111"), 0);
    ck_assert_msg(pl111_model.load(b->dev, &sr, &err) == 0, "load: %s", err.msg);
    ck_assert_uint_eq(clock_next_deadline(&b->clock), pending);
    for (unsigned off = 0; off < 0x1000; off += 4)
        ck_assert_uint_eq(rd(a, off), rd(b, off));
    struct frame fa = { 0 }, fb = { 0 };
    ck_assert_int_eq(pl111_model.render(a->dev, &fa, 0), 1);
    ck_assert_int_eq(pl111_model.render(b->dev, &fb, 0), 1);
    ck_assert_uint_eq(fa.width, fb.width);
    ck_assert_int_eq(memcmp(fa.pixels, fb.pixels, (size_t)fa.width * fa.height * 4), 0);
    /* both raise VComp at the same time, and the frames keep their phase */
    at(a, pending);
    at(b, pending);
    ck_assert(a->sink.level && b->sink.level);
    at(a, pending + 3 * FRAME_NS);
    at(b, pending + 3 * FRAME_NS);
    ck_assert_uint_eq(rd(a, RIS), rd(b, RIS));
    ck_assert_uint_eq(rd(a, UPCURR), rd(b, UPCURR));

    /* a truncated section is refused and leaves the device alone */
    struct rig *c = rig_new();
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "pl111"), 0);
    sr.section_end -= 8;
    ck_assert_int_ne(pl111_model.load(c->dev, &sr, &err), 0);
    ck_assert_uint_eq(rd(c, CONTROL), 0);
    ck_assert_uint_eq(clock_next_deadline(&c->clock), CLOCK_NEVER);

    frame_free(&fa);
    frame_free(&fb);
    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
    rig_free(c);
}
END_TEST

START_TEST(reset_clears_everything)
{
    struct rig *r = rig_new();
    timed_mode(r, VCOMP(1));
    wr(r, IMSC, VCOMPI);
    wr(r, PALETTE, 0x7FFF7FFFu);
    at(r, 3 * FRAME_NS);
    ck_assert(r->sink.level);
    pl111_model.reset(r->dev);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(rd(r, CONTROL), 0);
    ck_assert_uint_eq(rd(r, PALETTE), 0);
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    rig_free(r);
}
END_TEST

/* The arm-virt board's CLCD: the machine's display, programmed through the
 * bus as a guest does, at the address and with the clock the tree gives. */
START_TEST(arm_virt_display)
{
    const struct builtin_board *b = builtin_board_find("arm-virt");
    ck_assert_ptr_nonnull(b);
    struct machine_config cfg = { .dtb = b->dtb, .dtb_size = b->dtb_size,
                                  .board_name = b->name, .clock_mode = CLOCK_MODE_VIRTUAL };
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "machine_create: %s", err.msg);
    const struct machine_device *md = machine_display(m);
    ck_assert_ptr_nonnull(md);
    ck_assert_ptr_eq(md->model, &pl111_model);
    ck_assert_uint_eq(md->base, 0x09100000u);
    struct frame f = { 0 };
    ck_assert_int_eq(machine_render(m, &f, &err), 0);   /* not programmed yet */
    ck_assert_uint_eq(f.width, 640);
    uint64_t v = 0;
    ck_assert_int_eq(bus_read(&m->bus, 0x09100FE8u, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x24);
    /* Linux's 1024x768 XRGB8888 mode, as amba-clcd programs it */
    const uint64_t fb = 0x48000000u;
    ck_assert_int_eq(bus_write(&m->bus, 0x09100000u, 4, 0x9f1787fcu), BUS_OK);
    ck_assert_int_eq(bus_write(&m->bus, 0x09100004u, 4, 0x1d0316ffu), BUS_OK);
    ck_assert_int_eq(bus_write(&m->bus, 0x09100008u, 4, 0x07ff3800u | BCD), BUS_OK);
    ck_assert_int_eq(bus_write(&m->bus, 0x09100010u, 4, fb), BUS_OK);
    ck_assert_int_eq(bus_write(&m->bus, 0x09100018u, 4,
                               BPP(B24) | TFT | BGR | VCOMP(1) | EN | PWR), BUS_OK);
    ck_assert_int_eq(bus_write(&m->bus, fb + 4 * (1024 * 767 + 1023), 4, 0x00123456u), BUS_OK);
    ck_assert_int_eq(machine_render(m, &f, &err), 1);
    ck_assert_uint_eq(f.width, 1024);
    ck_assert_uint_eq(f.height, 768);
    ck_assert_uint_eq(f.pixels[1024 * 768 - 1], 0x123456u);
    ck_assert_uint_eq(f.pixels[0], 0);
    /* the 65 MHz CLCDCLK: 1344 x 806 clocks a frame, about 60 Hz */
    ck_assert_int_eq(bus_write(&m->bus, 0x0910001Cu, 4, LNBU), BUS_OK);
    uint64_t frame_ns = (1344ull * 806 * 1000000000u + 64999999u) / 65000000u;
    ck_assert_uint_eq(clock_next_deadline(&m->clock), frame_ns);
    frame_free(&f);
    machine_destroy(m);
}
END_TEST

static Suite *pl111_suite(void)
{
    Suite *s = suite_create("pl111");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, descriptor);
    tcase_add_test(tc, ids_and_reset_values);
    tcase_add_test(tc, registers_read_back);
    tcase_add_test(tc, format_24bpp_and_bgr);
    tcase_add_test(tc, format_16bpp);
    tcase_add_test(tc, palette_formats);
    tcase_add_test(tc, dual_panel);
    tcase_add_test(tc, blank_when_disabled);
    tcase_add_test(tc, base_outside_ram);
    tcase_add_test(tc, vcomp_interrupt_timing);
    tcase_add_test(tc, lnbu_and_pixel_clock_divider);
    tcase_add_test(tc, masked_status_needs_no_events);
    tcase_add_test(tc, mberror_and_current_address);
    tcase_add_test(tc, save_load_round_trip);
    tcase_add_test(tc, reset_clears_everything);
    tcase_add_test(tc, arm_virt_display);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(pl111_suite());
}
