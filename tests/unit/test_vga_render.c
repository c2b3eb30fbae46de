/* The VGA's frames through its descriptor's render op: the power-on font
 * in plane 2, text cells pixel by pixel (attribute colours, the ninth dot,
 * the cursor and blinking text at their phases, underline, fonts A and B,
 * 80x50, 8-dot characters, panning), modes 13h, 12h, 10h, 0Eh and 4 from
 * their register tables, line compare, the blank cases, the same frame
 * after save and load, and the pc board's display through machine_render. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/clock.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/devices/vga.h"
#include "machine/display.h"
#include "machine/state.h"
#include "tests/unit/unit.h"
#include "tests/unit/unit_machine.h"

enum { AR = 0x00, SEQ_I = 0x04, SEQ_D = 0x05, MASK = 0x06, DAC_W = 0x08, DAC_D = 0x09,
       MISC_W = 0x02, GR_I = 0x0E, GR_D = 0x0F, CRTC_I = 0x14, CRTC_D = 0x15, ST1 = 0x1A };
enum { A0000 = 0x00000, B8000 = 0x18000 };

/* vga.c's frame: blink phases count these. */
#define FRAME 14285714ull

/* The mode 3 colours through the power-on palette and DAC. */
enum {
    BLACK = 0x000000, BLUE = 0x0000aa, GREEN = 0x00aa00, RED = 0xaa0000, GREY = 0xaaaaaa,
    DARK_GREY = 0x555555, LIGHT_BLUE = 0x5555ff, YELLOW = 0xffff55, WHITE = 0xffffff,
};

struct rig {
    struct vclock clock;
    void *dev;
    struct frame f;
};

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    clock_init(&r->clock, CLOCK_MODE_VIRTUAL, 10);
    struct device_ctx ctx = {
        .node = -1, .path = "/isa/vga@0,a0000", .nwindows = 2,
        .window_base = { 0xa0000, 0x3c0 }, .window_size = { 0x20000, 0x20 },
        .clock = &r->clock,
    };
    struct orr_error err = { { 0 } };
    ck_assert_msg(vga_model.create(&ctx, &r->dev, &err) == 0, "create: %s", err.msg);
    return r;
}

static void rig_free(struct rig *r)
{
    vga_model.destroy(r->dev);
    frame_free(&r->f);
    free(r);
}

static uint8_t in(struct rig *r, unsigned port)
{
    uint64_t v = 0;
    ck_assert_int_eq(vga_model.read(r->dev, 1, port, 1, &v), BUS_OK);
    return (uint8_t)v;
}

static void out(struct rig *r, unsigned port, uint8_t v)
{
    ck_assert_int_eq(vga_model.write(r->dev, 1, port, 1, v), BUS_OK);
}

static void crtc(struct rig *r, uint8_t index, uint8_t v)
{
    out(r, CRTC_I, index);
    out(r, CRTC_D, v);
}

static void seq(struct rig *r, uint8_t index, uint8_t v)
{
    out(r, SEQ_I, index);
    out(r, SEQ_D, v);
}

static void gr(struct rig *r, uint8_t index, uint8_t v)
{
    out(r, GR_I, index);
    out(r, GR_D, v);
}

/* An attribute register, leaving the palette address source set. */
static void attr(struct rig *r, uint8_t index, uint8_t v)
{
    (void)in(r, ST1);
    out(r, AR, (uint8_t)(index | 0x20));
    out(r, AR, v);
}

static void dac(struct rig *r, uint8_t index, uint8_t red, uint8_t green, uint8_t blue)
{
    out(r, DAC_W, index);
    out(r, DAC_D, red);
    out(r, DAC_D, green);
    out(r, DAC_D, blue);
}

static void poke(struct rig *r, uint32_t off, uint8_t v)
{
    ck_assert_int_eq(vga_model.write(r->dev, 0, off, 1, v), BUS_OK);
}

static uint8_t peek(struct rig *r, uint32_t off)
{
    uint64_t v = 0;
    ck_assert_int_eq(vga_model.read(r->dev, 0, off, 1, &v), BUS_OK);
    return (uint8_t)v;
}

/* A character and its attribute at row, col of an 80-column screen. */
static void put_char(struct rig *r, unsigned row, unsigned col, uint8_t ch, uint8_t at)
{
    poke(r, B8000 + 2 * (row * 80 + col), ch);
    poke(r, B8000 + 2 * (row * 80 + col) + 1, at);
}

static int render(struct rig *r, uint64_t now_ns)
{
    return vga_model.render(r->dev, &r->f, now_ns);
}

static uint32_t px(const struct rig *r, unsigned x, unsigned y)
{
    ck_assert_uint_lt(x, r->f.width);
    ck_assert_uint_lt(y, r->f.height);
    return r->f.pixels[y * r->f.width + x];
}

/* Checks the 9x16 cell at column col, row row of a 9-dot screen against
 * glyph rows `glyph` (16 of them, rows lines tall), foreground fg,
 * background bg, and the ninth dot: copied from the eighth or background. */
static void check_cell(const struct rig *r, unsigned col, unsigned row, unsigned lines,
                       const uint8_t *glyph, uint32_t fg, uint32_t bg, bool ninth_copies)
{
    for (unsigned y = 0; y < lines; y++) {
        for (unsigned x = 0; x < 8; x++) {
            uint32_t want = (glyph[y] & (0x80u >> x)) ? fg : bg;
            ck_assert_msg(px(r, col * 9 + x, row * lines + y) == want,
                          "cell %u,%u dot %u,%u: %06x, want %06x", col, row, x, y,
                          px(r, col * 9 + x, row * lines + y), want);
        }
        uint32_t ninth = ninth_copies && (glyph[y] & 1u) ? fg : bg;
        ck_assert_uint_eq(px(r, col * 9 + 8, row * lines + y), ninth);
    }
}

static void check_cell_solid(const struct rig *r, unsigned col, unsigned row, unsigned lines,
                             uint32_t colour)
{
    static const uint8_t blank[32];
    check_cell(r, col, row, lines, blank, colour, colour, false);
}

/* Sequential plane 2 access at 0xA0000, as a BIOS or Linux loads a font,
 * and back to mode 3's odd/even text addressing. */
static void font_access(struct rig *r, bool on)
{
    seq(r, 2, on ? 0x04 : 0x03);
    seq(r, 4, on ? 0x06 : 0x02);
    gr(r, 4, on ? 0x02 : 0x00);
    gr(r, 5, on ? 0x00 : 0x10);
    gr(r, 6, on ? 0x04 : 0x0e);
}

START_TEST(font_in_plane_2_from_reset)
{
    struct rig *r = rig_new();
    /* 'A' has dots, and plane 2 holds it at 32 * 'A', then 16 zero rows. */
    unsigned dots = 0;
    for (unsigned y = 0; y < 16; y++)
        dots += (unsigned)__builtin_popcount(vga_font_8x16['A'][y]);
    ck_assert_uint_gt(dots, 20);
    for (unsigned y = 0; y < 32; y++)
        ck_assert_uint_eq(vga_plane_byte(r->dev, 2, 'A' * 32 + y),
                          y < 16 ? vga_font_8x16['A'][y] : 0);
    ck_assert_uint_eq(vga_plane_byte(r->dev, 2, 0xdb * 32 + 5), 0xff);   /* full block */
    ck_assert_uint_eq(vga_plane_byte(r->dev, 2, ' ' * 32 + 5), 0x00);
    /* The guest sees it where Linux's vgacon reads and writes fonts. */
    font_access(r, true);
    for (unsigned y = 0; y < 16; y++)
        ck_assert_uint_eq(peek(r, A0000 + 'A' * 32 + y), vga_font_8x16['A'][y]);
    font_access(r, false);
    rig_free(r);
}
END_TEST

START_TEST(text_cell_colours_and_ninth_dot)
{
    struct rig *r = rig_new();
    put_char(r, 0, 1, 'A', 0x1e);            /* yellow on blue */
    put_char(r, 0, 2, 0xc4, 0x4f);           /* box drawing: white on red */
    put_char(r, 0, 3, 0xb1, 0x20);           /* shade: black on green */
    put_char(r, 1, 79, 'g', 0x07);
    crtc(r, 0x0a, 0x20);                     /* no cursor */
    ck_assert_int_eq(render(r, 0), 1);
    ck_assert_uint_eq(r->f.width, 720);
    ck_assert_uint_eq(r->f.height, 400);
    check_cell(r, 1, 0, 16, vga_font_8x16['A'], YELLOW, BLUE, false);
    check_cell(r, 2, 0, 16, vga_font_8x16[0xc4], WHITE, RED, true);   /* AR10 bit 2 */
    check_cell(r, 3, 0, 16, vga_font_8x16[0xb1], BLACK, GREEN, false);
    check_cell(r, 79, 1, 16, vga_font_8x16['g'], GREY, BLACK, false);
    check_cell_solid(r, 0, 0, 16, BLACK);
    /* Line graphics off: the ninth dot is background for 0xC0-0xDF too. */
    attr(r, 0x10, 0x08);
    ck_assert_int_eq(render(r, 0), 1);
    check_cell(r, 2, 0, 16, vga_font_8x16[0xc4], WHITE, RED, false);
    /* Palette, colour select and pixel mask: colour 14 -> AR0E = 0x0B. */
    attr(r, 0x0e, 0x0b);
    dac(r, 0x0b, 0x3f, 0x00, 0x20);
    ck_assert_int_eq(render(r, 0), 1);
    check_cell(r, 1, 0, 16, vga_font_8x16['A'], 0xff0082, BLUE, false);
    attr(r, 0x14, 0x04);                     /* DAC bits 6-7 = 01 */
    dac(r, 0x4b, 0x00, 0x3f, 0x00);
    ck_assert_int_eq(render(r, 0), 1);
    check_cell(r, 1, 0, 16, vga_font_8x16['A'], 0x00ff00, BLACK, false);   /* 0x41: black */
    out(r, MASK, 0x0f);
    ck_assert_int_eq(render(r, 0), 1);
    check_cell(r, 1, 0, 16, vga_font_8x16['A'], 0xff0082, BLUE, false);
    /* Colour plane enable masks the 4-bit value: 14 & 7 = 6 (AR06 = 0x14). */
    out(r, MASK, 0xff);
    attr(r, 0x14, 0x00);
    attr(r, 0x12, 0x07);
    ck_assert_int_eq(render(r, 0), 1);
    check_cell(r, 1, 0, 16, vga_font_8x16['A'], 0xaa5500, BLUE, false);
    rig_free(r);
}
END_TEST

START_TEST(cursor_blinks_every_16_frames)
{
    struct rig *r = rig_new();
    put_char(r, 3, 5, 'x', 0x1e);
    crtc(r, 0x0e, (3 * 80 + 5) >> 8);
    crtc(r, 0x0f, (3 * 80 + 5) & 0xff);
    uint8_t lines[16];
    memcpy(lines, vga_font_8x16['x'], 16);
    lines[13] = lines[14] = 0xff;            /* CR0A/CR0B: rows 13-14 */
    for (unsigned frame = 0; frame < 32; frame++) {
        ck_assert_int_eq(render(r, frame * FRAME + FRAME / 2), 1);
        bool shown = (frame % 16) < 8;
        check_cell(r, 5, 3, 16, shown ? lines : vga_font_8x16['x'], YELLOW, BLUE, shown);
    }
    /* The cell at 0,0 (the old place) shows no cursor. */
    check_cell_solid(r, 0, 0, 16, BLACK);
    /* Rows 2-15; start after end: none; the disable bit: none. */
    crtc(r, 0x0a, 0x02);
    crtc(r, 0x0b, 0x0f);
    ck_assert_int_eq(render(r, 0), 1);
    memset(lines + 2, 0xff, 14);
    check_cell(r, 5, 3, 16, lines, YELLOW, BLUE, true);
    crtc(r, 0x0a, 0x0e);
    crtc(r, 0x0b, 0x0d);
    ck_assert_int_eq(render(r, 0), 1);
    check_cell(r, 5, 3, 16, vga_font_8x16['x'], YELLOW, BLUE, false);
    crtc(r, 0x0a, 0x2d);
    crtc(r, 0x0b, 0x0e);
    ck_assert_int_eq(render(r, 0), 1);
    check_cell(r, 5, 3, 16, vga_font_8x16['x'], YELLOW, BLUE, false);
    rig_free(r);
}
END_TEST

START_TEST(blinking_text_and_bright_background)
{
    struct rig *r = rig_new();
    crtc(r, 0x0a, 0x20);
    put_char(r, 0, 0, 'B', 0x9e);            /* blink, yellow on (1)001 */
    ck_assert_int_eq(render(r, 0), 1);
    check_cell(r, 0, 0, 16, vga_font_8x16['B'], YELLOW, BLUE, false);
    ck_assert_int_eq(render(r, 15 * FRAME), 1);
    check_cell(r, 0, 0, 16, vga_font_8x16['B'], YELLOW, BLUE, false);
    ck_assert_int_eq(render(r, 16 * FRAME), 1);
    check_cell_solid(r, 0, 0, 16, BLUE);
    ck_assert_int_eq(render(r, 31 * FRAME), 1);
    check_cell_solid(r, 0, 0, 16, BLUE);
    ck_assert_int_eq(render(r, 32 * FRAME), 1);
    check_cell(r, 0, 0, 16, vga_font_8x16['B'], YELLOW, BLUE, false);
    /* AR10 bit 3 clear: bit 7 is background intensity, nothing blinks. */
    attr(r, 0x10, 0x04);
    ck_assert_int_eq(render(r, 16 * FRAME), 1);
    check_cell(r, 0, 0, 16, vga_font_8x16['B'], YELLOW, LIGHT_BLUE, false);
    rig_free(r);
}
END_TEST

START_TEST(underline_and_character_maps)
{
    struct rig *r = rig_new();
    crtc(r, 0x0a, 0x20);
    put_char(r, 0, 0, 'u', 0x01);            /* the monochrome underline attribute */
    put_char(r, 0, 1, 'u', 0x02);
    put_char(r, 0, 2, 'u', 0x09);            /* bright blue underlines too */
    ck_assert_int_eq(render(r, 0), 1);       /* CR14 = 0x1F: below the cell */
    check_cell(r, 0, 0, 16, vga_font_8x16['u'], BLUE, BLACK, false);
    crtc(r, 0x14, 0x0d);
    ck_assert_int_eq(render(r, 0), 1);
    uint8_t lines[16];
    memcpy(lines, vga_font_8x16['u'], 16);
    lines[13] = 0xff;
    check_cell(r, 0, 0, 16, lines, BLUE, BLACK, true);
    check_cell(r, 1, 0, 16, vga_font_8x16['u'], GREEN, BLACK, false);
    check_cell(r, 2, 0, 16, lines, LIGHT_BLUE, BLACK, true);
    /* Map A = 1 (16 KiB) for attribute bit 3, map B = 0: a glyph loaded
     * at 16 KiB shows for bright colours only. */
    crtc(r, 0x14, 0x1f);
    font_access(r, true);
    for (unsigned y = 0; y < 16; y++)
        poke(r, A0000 + 0x4000 + 'u' * 32 + y, (uint8_t)(0x80u >> (y & 7)));
    font_access(r, false);
    seq(r, 3, 0x04);
    ck_assert_int_eq(render(r, 0), 1);
    uint8_t diagonal[16];
    for (unsigned y = 0; y < 16; y++)
        diagonal[y] = (uint8_t)(0x80u >> (y & 7));
    check_cell(r, 0, 0, 16, vga_font_8x16['u'], BLUE, BLACK, false);
    check_cell(r, 2, 0, 16, diagonal, LIGHT_BLUE, BLACK, false);
    /* Map B = 4 (8 KiB, empty), map A = 0 (SR03 bit 4). */
    seq(r, 3, 0x10);
    ck_assert_int_eq(render(r, 0), 1);
    check_cell_solid(r, 0, 0, 16, BLACK);
    check_cell(r, 2, 0, 16, vga_font_8x16['u'], LIGHT_BLUE, BLACK, false);
    rig_free(r);
}
END_TEST

START_TEST(eighty_by_fifty_and_eight_dots)
{
    struct rig *r = rig_new();
    crtc(r, 0x0a, 0x06);                     /* cursor rows 6-7 of 8 */
    crtc(r, 0x0b, 0x07);
    crtc(r, 0x09, 0x47);                     /* 8-line characters */
    put_char(r, 49, 0, 'Z', 0x1e);
    put_char(r, 20, 40, 'Q', 0x07);
    ck_assert_int_eq(render(r, 8 * FRAME), 1);   /* cursor off phase */
    ck_assert_uint_eq(r->f.width, 720);
    ck_assert_uint_eq(r->f.height, 400);
    check_cell(r, 0, 49, 8, vga_font_8x16['Z'], YELLOW, BLUE, false);
    check_cell(r, 40, 20, 8, vga_font_8x16['Q'], GREY, BLACK, false);
    ck_assert_int_eq(render(r, 0), 1);
    uint8_t cursor[8] = { [6] = 0xff, [7] = 0xff };
    check_cell(r, 0, 0, 8, cursor, GREY, BLACK, true);
    /* Double scan: each glyph row twice, 25 rows of 8 glyph rows. */
    crtc(r, 0x09, 0xc7);
    ck_assert_int_eq(render(r, 8 * FRAME), 1);
    ck_assert_uint_eq(r->f.height, 400);
    for (unsigned y = 0; y < 16; y++)
        ck_assert_uint_eq(px(r, 40 * 9 + 1, 20 * 16 + y) != BLACK,
                          (vga_font_8x16['Q'][y / 2] & 0x40) != 0);
    /* 8-dot characters: 640 wide. */
    crtc(r, 0x09, 0x4f);
    seq(r, 1, 0x01);
    ck_assert_int_eq(render(r, 8 * FRAME), 1);
    ck_assert_uint_eq(r->f.width, 640);
    for (unsigned y = 0; y < 16; y++)
        for (unsigned x = 0; x < 8; x++)
            ck_assert_uint_eq(px(r, 40 * 8 + x, 20 * 16 + y),
                              (vga_font_8x16['Q'][y] & (0x80u >> x)) ? GREY : BLACK);
    rig_free(r);
}
END_TEST

START_TEST(text_start_address_and_panning)
{
    struct rig *r = rig_new();
    crtc(r, 0x0a, 0x20);
    put_char(r, 1, 0, 'S', 0x1e);
    crtc(r, 0x0c, 0);
    crtc(r, 0x0d, 80);                       /* one row down */
    ck_assert_int_eq(render(r, 0), 1);
    check_cell(r, 0, 0, 16, vga_font_8x16['S'], YELLOW, BLUE, false);
    /* AR13 = 2 on 9-dot text: three dots left. */
    attr(r, 0x13, 0x02);
    ck_assert_int_eq(render(r, 0), 1);
    for (unsigned y = 0; y < 16; y++)
        for (unsigned x = 3; x < 8; x++)
            ck_assert_uint_eq(px(r, x - 3, y),
                              (vga_font_8x16['S'][y] & (0x80u >> x)) ? YELLOW : BLUE);
    rig_free(r);
}
END_TEST

/* Register tables of the IBM BIOS modes (misc, SR00-04, CR00-18, GR00-08,
 * AR10-14; the palette stays mode 3's, which is mode 12h's). */
struct mode_regs {
    uint8_t misc, seq[5], crtc[25], gr[9], ar[5];
};

static const struct mode_regs mode13 = {
    0x63, { 0x03, 0x01, 0x0f, 0x00, 0x0e },
    { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x9c, 0x0e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff },
    { 0x41, 0x00, 0x0f, 0x00, 0x00 },
};

static const struct mode_regs mode12 = {
    0xe3, { 0x03, 0x01, 0x0f, 0x00, 0x06 },
    { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0xea, 0x0c, 0xdf, 0x28, 0x00, 0xe7, 0x04, 0xe3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff },
    { 0x01, 0x00, 0x0f, 0x00, 0x00 },
};

static void set_mode(struct rig *r, const struct mode_regs *m)
{
    /* Clear the four planes, as a BIOS mode set does. */
    seq(r, 2, 0x0f);
    seq(r, 4, 0x06);
    gr(r, 5, 0x00);
    gr(r, 6, 0x05);
    for (uint32_t off = 0; off < 0x10000; off += 8)
        ck_assert_int_eq(vga_model.write(r->dev, 0, off, 8, 0), BUS_OK);
    out(r, MISC_W, m->misc);
    for (unsigned i = 0; i < 5; i++)
        seq(r, (uint8_t)i, m->seq[i]);
    crtc(r, 0x11, 0x0e);                     /* unprotect CR00-CR07 first */
    for (unsigned i = 0; i < 25; i++)
        crtc(r, (uint8_t)i, m->crtc[i]);
    for (unsigned i = 0; i < 9; i++)
        gr(r, (uint8_t)i, m->gr[i]);
    for (unsigned i = 0; i < 5; i++)
        attr(r, (uint8_t)(0x10 + i), m->ar[i]);
}

START_TEST(mode_13h_through_the_dac)
{
    struct rig *r = rig_new();
    set_mode(r, &mode13);
    dac(r, 0x42, 0x3f, 0x20, 0x01);
    dac(r, 0x02, 0x00, 0x00, 0x3f);
    poke(r, 0, 0x42);                        /* chain 4: byte per pixel */
    poke(r, 319, 0x42);
    poke(r, 100 * 320 + 201, 0x42);
    poke(r, 199 * 320 + 319, 0x3f);
    ck_assert_int_eq(render(r, 0), 1);
    ck_assert_uint_eq(r->f.width, 320);
    ck_assert_uint_eq(r->f.height, 200);
    ck_assert_uint_eq(px(r, 0, 0), 0xff8204);
    ck_assert_uint_eq(px(r, 1, 0), BLACK);
    ck_assert_uint_eq(px(r, 319, 0), 0xff8204);
    ck_assert_uint_eq(px(r, 201, 100), 0xff8204);
    ck_assert_uint_eq(px(r, 200, 100), BLACK);
    ck_assert_uint_eq(px(r, 202, 100), BLACK);
    ck_assert_uint_eq(px(r, 201, 99), BLACK);
    ck_assert_uint_eq(px(r, 319, 199), WHITE);
    /* The pixel mask applies before the DAC. */
    out(r, MASK, 0x0f);
    ck_assert_int_eq(render(r, 0), 1);
    ck_assert_uint_eq(px(r, 201, 100), 0x0000ff);
    /* A start address of one line scrolls by 320 pixels. */
    out(r, MASK, 0xff);
    crtc(r, 0x0d, 80);
    ck_assert_int_eq(render(r, 0), 1);
    ck_assert_uint_eq(px(r, 201, 99), 0xff8204);
    rig_free(r);
}
END_TEST

START_TEST(mode_12h_planes_and_sizes)
{
    struct rig *r = rig_new();
    set_mode(r, &mode12);
    /* Plane p alone: colour 1 << p at x = 8 * (p + 1), y = 10 * p + 5. */
    for (unsigned p = 0; p < 4; p++) {
        seq(r, 2, (uint8_t)(1u << p));
        poke(r, (10 * p + 5) * 80 + p + 1, 0x80);
    }
    seq(r, 2, 0x0f);
    poke(r, 479 * 80 + 79, 0x01);            /* the last pixel: colour 15 */
    ck_assert_int_eq(render(r, 0), 1);
    ck_assert_uint_eq(r->f.width, 640);
    ck_assert_uint_eq(r->f.height, 480);
    const uint32_t want[4] = { BLUE, GREEN, RED, DARK_GREY };
    for (unsigned p = 0; p < 4; p++) {
        ck_assert_uint_eq(px(r, 8 * (p + 1), 10 * p + 5), want[p]);
        ck_assert_uint_eq(px(r, 8 * (p + 1) + 1, 10 * p + 5), BLACK);
        ck_assert_uint_eq(px(r, 8 * (p + 1) - 1, 10 * p + 5), BLACK);
    }
    ck_assert_uint_eq(px(r, 639, 479), WHITE);
    ck_assert_uint_eq(px(r, 638, 479), BLACK);
    /* Colour plane enable without plane 0: colour 1 shows as 0. */
    attr(r, 0x12, 0x0e);
    ck_assert_int_eq(render(r, 0), 1);
    ck_assert_uint_eq(px(r, 8, 5), BLACK);
    ck_assert_uint_eq(px(r, 16, 15), GREEN);
    ck_assert_uint_eq(px(r, 639, 479), 0xffff55);   /* 14 */
    attr(r, 0x12, 0x0f);
    /* Pel panning by 3: the plane 1 dot moves to x = 13. */
    attr(r, 0x13, 0x03);
    ck_assert_int_eq(render(r, 0), 1);
    ck_assert_uint_eq(px(r, 13, 15), GREEN);
    ck_assert_uint_eq(px(r, 16, 15), BLACK);
    attr(r, 0x13, 0x00);
    /* Line compare at line 99, the start at line 200: lines 0-99 show
     * memory lines 200-299, lines from 100 memory from line 0. */
    crtc(r, 0x0c, (200 * 80) >> 8);
    crtc(r, 0x0d, (200 * 80) & 0xff);
    crtc(r, 0x18, 99);
    crtc(r, 0x07, 0x2e);                     /* line compare bits 8 and 9 clear */
    crtc(r, 0x09, 0x00);
    ck_assert_int_eq(render(r, 0), 1);
    ck_assert_uint_eq(px(r, 8, 105), BLUE);
    ck_assert_uint_eq(px(r, 8, 5), BLACK);
    ck_assert_uint_eq(px(r, 0, 50), BLACK);
    poke(r, 250 * 80, 0x80);                 /* memory line 250: colour 15 */
    ck_assert_int_eq(render(r, 0), 1);
    ck_assert_uint_eq(px(r, 0, 50), WHITE);
    ck_assert_uint_eq(px(r, 639, 479), BLACK);   /* memory line 379 */
    ck_assert_uint_eq(px(r, 0, 350), WHITE);     /* memory line 250 again */
    crtc(r, 0x0c, 0);
    crtc(r, 0x0d, 0);
    crtc(r, 0x18, 0xff);
    crtc(r, 0x07, 0x3e);
    crtc(r, 0x09, 0x40);
    /* Mode 10h's 350 lines, mode 0Eh's 200 (400 double-scanned). */
    crtc(r, 0x12, 0x5d);
    crtc(r, 0x07, 0x1f);
    ck_assert_int_eq(render(r, 0), 1);
    ck_assert_uint_eq(r->f.width, 640);
    ck_assert_uint_eq(r->f.height, 350);
    crtc(r, 0x12, 0x8f);
    crtc(r, 0x09, 0xc0);
    ck_assert_int_eq(render(r, 0), 1);
    ck_assert_uint_eq(r->f.width, 640);
    ck_assert_uint_eq(r->f.height, 200);
    ck_assert_uint_eq(px(r, 16, 15), GREEN);
    ck_assert_uint_eq(px(r, 24, 25), RED);
    rig_free(r);
}
END_TEST

/* The power-on DAC's EGA colour i (rgbRGB), as XRGB. */
static uint32_t ega(unsigned i)
{
    unsigned red = ((i >> 2) & 1u) * 0xaa + ((i >> 5) & 1u) * 0x55;
    unsigned green = ((i >> 1) & 1u) * 0xaa + ((i >> 4) & 1u) * 0x55;
    unsigned blue = (i & 1u) * 0xaa + ((i >> 3) & 1u) * 0x55;
    return red << 16 | green << 8 | blue;
}

START_TEST(mode_4_cga_interleave)
{
    static const struct mode_regs mode4 = {
        0x63, { 0x03, 0x09, 0x03, 0x00, 0x02 },
        { 0x2d, 0x27, 0x28, 0x90, 0x2b, 0x80, 0xbf, 0x1f, 0x00, 0xc1, 0x00, 0x00, 0x00,
          0x00, 0x00, 0x00, 0x9c, 0x0e, 0x8f, 0x14, 0x00, 0x96, 0xb9, 0xa2, 0xff },
        { 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0f, 0x00, 0xff },
        { 0x01, 0x00, 0x03, 0x00, 0x00 },
    };
    struct rig *r = rig_new();
    set_mode(r, &mode4);
    const uint8_t palette[4] = { 0x00, 0x13, 0x15, 0x17 };
    for (unsigned i = 0; i < 4; i++)
        attr(r, (uint8_t)i, palette[i]);
    /* Two bits a pixel, even bytes in plane 0, odd in plane 1; even lines
     * at 0xB8000, odd ones 8 KiB on (the CGA banks, CR17 bit 0 clear). */
    poke(r, B8000, 0xe4);                    /* pixels 0-3: 3 2 1 0 */
    poke(r, B8000 + 1, 0x1b);                /* pixels 4-7: 0 1 2 3 */
    poke(r, B8000 + 0x2000 + 80, 0xc0);      /* line 3, pixel 0: 3 */
    ck_assert_int_eq(render(r, 0), 1);
    ck_assert_uint_eq(r->f.width, 320);
    ck_assert_uint_eq(r->f.height, 200);
    const unsigned want[8] = { 3, 2, 1, 0, 0, 1, 2, 3 };
    for (unsigned x = 0; x < 8; x++)
        ck_assert_uint_eq(px(r, x, 0), ega(palette[want[x]]));
    ck_assert_uint_eq(px(r, 0, 1), BLACK);
    ck_assert_uint_eq(px(r, 0, 2), BLACK);
    ck_assert_uint_eq(px(r, 0, 3), ega(0x17));
    ck_assert_uint_eq(px(r, 1, 3), BLACK);
    rig_free(r);
}
END_TEST

START_TEST(blank_screens)
{
    struct rig *r = rig_new();
    put_char(r, 0, 0, 0xdb, 0x0f);
    ck_assert_int_eq(render(r, 0), 1);
    ck_assert_uint_eq(px(r, 0, 0), WHITE);
    /* Screen off (SR01 bit 5): black, mode 3's size. */
    seq(r, 1, 0x20);
    ck_assert_int_eq(render(r, 0), 0);
    ck_assert_uint_eq(r->f.width, 720);
    ck_assert_uint_eq(r->f.height, 400);
    ck_assert_uint_eq(px(r, 0, 0), BLACK);
    seq(r, 1, 0x00);
    ck_assert_int_eq(render(r, 0), 1);
    /* Palette address source clear (the palette being written). */
    (void)in(r, ST1);
    out(r, AR, 0x00);
    ck_assert_int_eq(render(r, 0), 0);
    ck_assert_uint_eq(px(r, 0, 0), BLACK);
    out(r, AR, 0x00);
    out(r, AR, 0x20);
    ck_assert_int_eq(render(r, 0), 1);
    ck_assert_uint_eq(px(r, 0, 0), WHITE);
    /* The CRTC held in reset (CR17 bit 7 clear): no sync. */
    crtc(r, 0x17, 0x23);
    ck_assert_int_eq(render(r, 0), 0);
    crtc(r, 0x17, 0xa3);
    ck_assert_int_eq(render(r, 0), 1);
    /* Mode 13h off: blank at 320x200. */
    set_mode(r, &mode13);
    seq(r, 1, 0x21);
    ck_assert_int_eq(render(r, 0), 0);
    ck_assert_uint_eq(r->f.width, 320);
    ck_assert_uint_eq(r->f.height, 200);
    rig_free(r);
}
END_TEST

START_TEST(same_frame_after_save_and_load)
{
    struct rig *a = rig_new(), *b = rig_new();
    put_char(a, 2, 3, 'L', 0x9c);
    crtc(a, 0x0e, 0);
    crtc(a, 0x0f, 2 * 80 + 3);
    attr(a, 0x01, 0x3a);
    dac(a, 0x3a, 0x10, 0x20, 0x30);
    struct state_writer w;
    state_writer_init(&w);
    struct orr_error err = { { 0 } };
    state_begin(&w, "vga", vga_model.state_version);
    ck_assert_int_eq(vga_model.save(a->dev, &w), 0);
    state_end(&w);
    ck_assert_msg(state_writer_finish(&w, &err) == 0, "%s", err.msg);
    struct state_reader sr;
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "vga"), 0);
    ck_assert_int_eq(vga_model.load(b->dev, &sr, &err), 0);
    for (unsigned frame = 0; frame < 40; frame += 4) {
        ck_assert_int_eq(render(a, frame * FRAME), 1);
        ck_assert_int_eq(render(b, frame * FRAME), 1);
        ck_assert_uint_eq(a->f.width, b->f.width);
        ck_assert_uint_eq(a->f.height, b->f.height);
        ck_assert(memcmp(a->f.pixels, b->f.pixels,
                         (size_t)a->f.width * a->f.height * sizeof *a->f.pixels) == 0);
    }
    /* The cell really differs between phases (the comparison means something). */
    ck_assert_int_eq(render(b, 0), 1);
    uint32_t shown = px(b, 3 * 9 + 1, 2 * 16 + 5);
    ck_assert_uint_eq(shown, 0xff5555);      /* 'L' in colour 12 */
    ck_assert_int_eq(render(b, 16 * FRAME), 1);
    ck_assert_uint_eq(px(b, 3 * 9 + 1, 2 * 16 + 5), 0x4182c2);   /* DAC 0x3A */
    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
}
END_TEST

START_TEST(pc_board_display)
{
    struct machine *m = unit_machine("pc", (struct machine_config){
        .clock_mode = CLOCK_MODE_VIRTUAL,
    });
    const struct machine_device *md = machine_display(m);
    ck_assert_ptr_nonnull(md);
    ck_assert_ptr_eq(md->model, &vga_model);
    /* 'O' at row 1 via the bus, as a guest writes it. */
    ck_assert_int_eq(bus_write(&m->bus, 0xb8000 + 160, 2, 0x1e00u | 'O'), BUS_OK);
    struct frame f = { 0 };
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(machine_render(m, &f, &err), 1);
    ck_assert_uint_eq(f.width, 720);
    ck_assert_uint_eq(f.height, 400);
    for (unsigned y = 0; y < 16; y++)
        for (unsigned x = 0; x < 8; x++)
            ck_assert_uint_eq(f.pixels[(16 + y) * 720 + x],
                              (vga_font_8x16['O'][y] & (0x80u >> x)) ? YELLOW : BLUE);
    ck_assert_uint_eq(f.pixels[13 * 720], GREY);     /* the cursor at time 0 */
    ck_assert_uint_eq(f.pixels[12 * 720], BLACK);
    frame_free(&f);
    machine_destroy(m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("vga_render");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, font_in_plane_2_from_reset);
    tcase_add_test(tc, text_cell_colours_and_ninth_dot);
    tcase_add_test(tc, cursor_blinks_every_16_frames);
    tcase_add_test(tc, blinking_text_and_bright_background);
    tcase_add_test(tc, underline_and_character_maps);
    tcase_add_test(tc, eighty_by_fifty_and_eight_dots);
    tcase_add_test(tc, text_start_address_and_panning);
    tcase_add_test(tc, mode_13h_through_the_dac);
    tcase_add_test(tc, mode_12h_planes_and_sizes);
    tcase_add_test(tc, mode_4_cga_interleave);
    tcase_add_test(tc, blank_screens);
    tcase_add_test(tc, same_frame_after_save_and_load);
    tcase_add_test(tc, pc_board_display);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(suite());
}
