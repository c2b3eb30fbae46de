/* The VGA model through its descriptor: text at 0xB8000 as the screen
 * text, start-address scrolling, 50 rows, 40 columns, memory map select,
 * the attribute flip-flop, the DAC's three-step sequence, input status 1
 * at exact times, planar writes and reads, and save/load. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/clock.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/devices/vga.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

enum { AR = 0x00, AR_R = 0x01, MISC_W = 0x02, SEQ_I = 0x04, SEQ_D = 0x05, DAC_R = 0x07,
       DAC_W = 0x08, DAC_D = 0x09, MISC_R = 0x0C, GR_I = 0x0E, GR_D = 0x0F, CRTC_I = 0x14,
       CRTC_D = 0x15, ST1 = 0x1A };
enum { B8000 = 0x18000 };

/* The frame as vga.c times it: 449 lines of 31816 ns, 4/5 active. */
#define LINE 31816u
#define FRAME 14285714u

struct rig {
    struct vclock clock;
    void *dev;
    char text[16384];
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

static uint8_t peek(struct rig *r, uint32_t off)
{
    uint64_t v = 0;
    ck_assert_int_eq(vga_model.read(r->dev, 0, off, 1, &v), BUS_OK);
    return (uint8_t)v;
}

static void poke(struct rig *r, uint32_t off, unsigned size, uint64_t v)
{
    ck_assert_int_eq(vga_model.write(r->dev, 0, off, size, v), BUS_OK);
}

/* Writes a string at row, col of the 80-column text screen. */
static void put_text(struct rig *r, unsigned row, unsigned col, const char *s)
{
    for (unsigned i = 0; s[i]; i++)
        poke(r, B8000 + 2 * (row * 80 + col + i), 2, (uint8_t)s[i] | 0x1f00u);
}

static const char *screen(struct rig *r)
{
    size_t n = vga_model.text_screen(r->dev, r->text, sizeof r->text);
    ck_assert_uint_lt(n, sizeof r->text);
    return r->text;
}

static unsigned count_lines(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

START_TEST(power_on_mode3_blank)
{
    ck_assert_ptr_eq(device_model_find("orrery,vga"), &vga_model);
    struct rig *r = rig_new();
    char expect[26];
    memset(expect, '\n', 25);
    expect[25] = '\0';
    ck_assert_str_eq(screen(r), expect);
    ck_assert_uint_eq(vga_model.text_screen(r->dev, r->text, sizeof r->text), 25);
    ck_assert_uint_eq(peek(r, B8000), 0x20);
    ck_assert_uint_eq(peek(r, B8000 + 1), 0x07);
    ck_assert_uint_eq(in(r, MISC_R), 0x67);
    out(r, CRTC_I, 0x0a);
    ck_assert_uint_eq(in(r, CRTC_D), 0x0d);     /* cursor start */
    out(r, CRTC_I, 0x0e);
    ck_assert_uint_eq(in(r, CRTC_D), 0x00);     /* cursor at 0,0 */
    out(r, GR_I, 6);
    ck_assert_uint_eq(in(r, GR_D), 0x0e);
    rig_free(r);
}
END_TEST

START_TEST(text_at_b8000)
{
    struct rig *r = rig_new();
    put_text(r, 0, 0, "Hello");
    put_text(r, 2, 78, "AB");
    put_text(r, 24, 0, "last");
    const char *s = screen(r);
    ck_assert(strncmp(s, "Hello\n\n", 7) == 0);
    const char *row2 = s + 7;
    ck_assert_uint_eq(strspn(row2, " "), 78);
    ck_assert(strncmp(row2 + 78, "AB\n", 3) == 0);
    ck_assert_uint_eq(count_lines(s), 25);
    ck_assert(strcmp(s + strlen(s) - 5, "last\n") == 0);
    ck_assert_uint_eq(peek(r, B8000 + 1), 0x1f);   /* attribute byte */
    /* A word read gives character and attribute. */
    uint64_t v = 0;
    ck_assert_int_eq(vga_model.read(r->dev, 0, B8000, 2, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x1f48);
    /* Code page 437 as UTF-8. */
    poke(r, B8000 + 160 * 3, 1, 0xc9);
    poke(r, B8000 + 160 * 3 + 2, 1, 0x82);
    s = screen(r);
    ck_assert_ptr_nonnull(strstr(s, "\n\xe2\x95\x94\xc3\xa9\n"));
    /* A short buffer is cut and terminated; the length is the whole. */
    char small[4];
    size_t n = vga_model.text_screen(r->dev, small, sizeof small);
    ck_assert_str_eq(small, "Hel");
    ck_assert_uint_eq(n, strlen(s));
    rig_free(r);
}
END_TEST

START_TEST(start_address_scrolls)
{
    struct rig *r = rig_new();
    put_text(r, 0, 0, "zero");
    put_text(r, 1, 0, "one");
    put_text(r, 25, 0, "below");
    crtc(r, 0x0c, 0x00);
    crtc(r, 0x0d, 80);                          /* one row down */
    const char *s = screen(r);
    ck_assert(strncmp(s, "one\n", 4) == 0);
    ck_assert(strcmp(s + strlen(s) - 6, "below\n") == 0);
    ck_assert_uint_eq(count_lines(s), 25);
    crtc(r, 0x0d, 81);                          /* and one character */
    ck_assert(strncmp(screen(r), "ne\n", 3) == 0);
    rig_free(r);
}
END_TEST

START_TEST(rows_and_columns_from_the_crtc)
{
    struct rig *r = rig_new();
    put_text(r, 49, 0, "row49");
    ck_assert_uint_eq(count_lines(screen(r)), 25);
    out(r, CRTC_I, 0x09);
    uint8_t msl = in(r, CRTC_D);
    ck_assert_uint_eq(msl, 0x4f);
    crtc(r, 0x09, (uint8_t)((msl & 0xe0u) | 7u));   /* 8-line characters: 50 rows */
    const char *s = screen(r);
    ck_assert_uint_eq(count_lines(s), 50);
    ck_assert(strcmp(s + strlen(s) - 6, "row49\n") == 0);
    /* CR00-CR07 are protected while CR11 bit 7 is set. */
    crtc(r, 0x01, 0x27);
    out(r, CRTC_I, 0x01);
    ck_assert_uint_eq(in(r, CRTC_D), 0x4f);
    crtc(r, 0x07, 0x00);                        /* only bit 4 is writable */
    out(r, CRTC_I, 0x07);
    ck_assert_uint_eq(in(r, CRTC_D), 0x0f);
    crtc(r, 0x07, 0x1f);
    crtc(r, 0x11, 0x0e);                        /* unprotect */
    crtc(r, 0x01, 0x27);                        /* 40 columns */
    crtc(r, 0x13, 0x14);                        /* 40-character rows */
    put_text(r, 0, 0, "0123456789012345678901234567890123456789ABCD");
    s = screen(r);
    ck_assert(strncmp(s, "0123456789012345678901234567890123456789\nABCD\n", 46) == 0);
    rig_free(r);
}
END_TEST

START_TEST(memory_map_select)
{
    struct rig *r = rig_new();
    put_text(r, 0, 0, "H");
    ck_assert_uint_eq(peek(r, 0x00000), 0xff);     /* A0000 not decoded in map 3 */
    poke(r, 0x00000, 1, 0x41);
    ck_assert_uint_eq(peek(r, 0x10000), 0xff);     /* nor B0000 */
    out(r, GR_I, 6);
    out(r, GR_D, 0x06);                            /* map 1: A0000, 64 KiB */
    ck_assert_uint_eq(peek(r, 0x00000), 'H');
    ck_assert_uint_eq(peek(r, 0x00001), 0x1f);
    ck_assert_uint_eq(peek(r, B8000), 0xff);
    ck_assert_uint_eq(peek(r, 0x10000), 0xff);
    out(r, GR_D, 0x0a);                            /* map 2: B0000, 32 KiB */
    ck_assert_uint_eq(peek(r, 0x10000), 'H');
    ck_assert_uint_eq(peek(r, 0x18000), 0xff);
    out(r, GR_D, 0x02);                            /* map 0: all 128 KiB */
    ck_assert_uint_eq(peek(r, 0x00000), 'H');
    ck_assert_uint_eq(peek(r, 0x1ffff), 0x07);
    rig_free(r);
}
END_TEST

START_TEST(attribute_flip_flop)
{
    struct rig *r = rig_new();
    (void)in(r, ST1);                           /* flip-flop to index */
    out(r, AR, 0x30);                           /* mode control, palette on */
    out(r, AR, 0x04);                           /* data: blink off */
    ck_assert_uint_eq(in(r, AR), 0x30);
    ck_assert_uint_eq(in(r, AR_R), 0x04);
    out(r, AR, 0x21);                           /* index, then a stray read of status 1 */
    (void)in(r, ST1);
    out(r, AR, 0x26);                           /* an index again, not data */
    ck_assert_uint_eq(in(r, AR), 0x26);
    ck_assert_uint_eq(in(r, AR_R), 0x14);       /* palette 6 untouched */
    out(r, AR, 0x3f);                           /* data into palette 6 */
    ck_assert_uint_eq(in(r, AR_R), 0x3f);
    out(r, AR, 0x01);                           /* index 1 */
    ck_assert_uint_eq(in(r, AR_R), 0x01);
    rig_free(r);
}
END_TEST

START_TEST(dac_sequence)
{
    struct rig *r = rig_new();
    out(r, DAC_R, 0x14);                        /* brown */
    ck_assert_uint_eq(in(r, DAC_D), 0x2a);
    ck_assert_uint_eq(in(r, DAC_D), 0x15);
    ck_assert_uint_eq(in(r, DAC_D), 0x00);
    ck_assert_uint_eq(in(r, DAC_D), 0x2a);      /* 0x15: rgbRGB 010101 */
    ck_assert_uint_eq(in(r, DAC_D), 0x15);
    ck_assert_uint_eq(in(r, DAC_D), 0x2a);
    ck_assert_uint_eq(in(r, DAC_R), 0x03);      /* reading */
    out(r, DAC_W, 5);
    ck_assert_uint_eq(in(r, DAC_R), 0x00);
    static const uint8_t rgb[6] = { 1, 2, 3, 4, 5, 0x46 };
    for (unsigned i = 0; i < 6; i++)
        out(r, DAC_D, rgb[i]);
    ck_assert_uint_eq(in(r, DAC_W), 7);
    out(r, DAC_R, 5);
    for (unsigned i = 0; i < 6; i++)
        ck_assert_uint_eq(in(r, DAC_D), rgb[i] & 0x3f);
    rig_free(r);
}
END_TEST

static uint8_t st1_at(struct rig *r, uint64_t t)
{
    clock_advance_to(&r->clock, t);
    return in(r, ST1);
}

START_TEST(status1_at_exact_times)
{
    struct rig *r = rig_new();
    ck_assert_uint_eq(st1_at(r, 0), 0x00);
    ck_assert_uint_eq(st1_at(r, LINE * 4 / 5 - 1), 0x00);
    ck_assert_uint_eq(st1_at(r, LINE * 4 / 5), 0x01);       /* horizontal blank */
    ck_assert_uint_eq(st1_at(r, LINE), 0x00);
    ck_assert_uint_eq(st1_at(r, 399 * LINE + 100), 0x00);
    ck_assert_uint_eq(st1_at(r, 400 * LINE), 0x01);         /* below the display */
    ck_assert_uint_eq(st1_at(r, 412 * LINE - 1), 0x01);
    ck_assert_uint_eq(st1_at(r, 412 * LINE), 0x09);         /* retrace from line 412 */
    ck_assert_uint_eq(st1_at(r, 413 * LINE + 30000), 0x09);
    ck_assert_uint_eq(st1_at(r, 414 * LINE), 0x01);         /* to line 414 */
    ck_assert_uint_eq(st1_at(r, FRAME - 1), 0x01);
    ck_assert_uint_eq(st1_at(r, FRAME), 0x00);              /* next frame */
    ck_assert_uint_eq(st1_at(r, FRAME + 412 * LINE), 0x09);
    /* Mono I/O address select: the colour ports float. */
    out(r, MISC_W, 0x66);
    ck_assert_uint_eq(in(r, ST1), 0xff);
    ck_assert_uint_eq(in(r, CRTC_D), 0xff);
    crtc(r, 0x0e, 0x12);                        /* ignored */
    out(r, MISC_W, 0x67);
    out(r, CRTC_I, 0x0e);
    ck_assert_uint_eq(in(r, CRTC_D), 0x00);
    rig_free(r);
}
END_TEST

START_TEST(planar_modes)
{
    struct rig *r = rig_new();
    out(r, SEQ_I, 4);
    out(r, SEQ_D, 0x06);                        /* planar, no odd/even */
    out(r, GR_I, 5);
    out(r, GR_D, 0x00);
    out(r, GR_I, 6);
    out(r, GR_D, 0x05);                         /* graphics, A0000 64 KiB */
    ck_assert_uint_eq(vga_model.text_screen(r->dev, r->text, sizeof r->text), 0);
    out(r, SEQ_I, 2);
    out(r, SEQ_D, 0x0f);
    poke(r, 0x100, 1, 0xaa);
    for (unsigned p = 0; p < 4; p++)
        ck_assert_uint_eq(vga_plane_byte(r->dev, p, 0x100), 0xaa);
    /* Set/reset on every plane: colour 5 = planes 0 and 2. */
    out(r, GR_I, 0);
    out(r, GR_D, 0x05);
    out(r, GR_I, 1);
    out(r, GR_D, 0x0f);
    out(r, GR_I, 8);
    out(r, GR_D, 0xf0);                         /* bit mask: the high nibble */
    (void)peek(r, 0x100);                       /* load the latches */
    poke(r, 0x100, 1, 0x00);
    ck_assert_uint_eq(vga_plane_byte(r->dev, 0, 0x100), 0xfa);
    ck_assert_uint_eq(vga_plane_byte(r->dev, 1, 0x100), 0x0a);
    ck_assert_uint_eq(vga_plane_byte(r->dev, 2, 0x100), 0xfa);
    ck_assert_uint_eq(vga_plane_byte(r->dev, 3, 0x100), 0x0a);
    /* Read mode 1: where all planes hold colour 5. */
    out(r, GR_I, 2);
    out(r, GR_D, 0x05);
    out(r, GR_I, 7);
    out(r, GR_D, 0x0f);
    out(r, GR_I, 5);
    out(r, GR_D, 0x08);
    ck_assert_uint_eq(peek(r, 0x100), 0xf0);
    /* Read mode 0 with read map select 2. */
    out(r, GR_D, 0x00);
    out(r, GR_I, 4);
    out(r, GR_D, 0x01);
    ck_assert_uint_eq(peek(r, 0x100), 0x0a);
    /* Chain 4 (mode 13h): consecutive bytes in consecutive planes. */
    out(r, SEQ_I, 4);
    out(r, SEQ_D, 0x0e);
    out(r, GR_I, 1);
    out(r, GR_D, 0x00);
    out(r, GR_I, 8);
    out(r, GR_D, 0xff);
    poke(r, 0x200, 4, 0x44332211);
    ck_assert_uint_eq(vga_plane_byte(r->dev, 0, 0x200), 0x11);
    ck_assert_uint_eq(vga_plane_byte(r->dev, 3, 0x200), 0x44);
    ck_assert_uint_eq(peek(r, 0x202), 0x33);
    rig_free(r);
}
END_TEST

START_TEST(save_load_round_trip)
{
    struct rig *a = rig_new();
    put_text(a, 3, 5, "saved text");
    crtc(a, 0x0d, 80);
    crtc(a, 0x0e, 0x01);
    out(a, DAC_W, 9);
    out(a, DAC_D, 0x11);                        /* mid-triplet */
    out(a, AR, 0x12);                           /* flip-flop now at data */
    struct state_writer w;
    struct orr_error err = { { 0 } };
    state_writer_init(&w);
    state_begin(&w, "vga", vga_model.state_version);
    ck_assert_int_eq(vga_model.save(a->dev, &w), 0);
    state_end(&w);
    ck_assert_msg(state_writer_finish(&w, &err) == 0, "%s", err.msg);
    struct rig *b = rig_new();
    struct state_reader sr;
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "vga"), 0);
    ck_assert_msg(vga_model.load(b->dev, &sr, &err) == 0, "load: %s", err.msg);
    ck_assert_str_eq(screen(b), screen(a));
    ck_assert(strncmp(screen(b), "\n\n     saved text\n", 18) == 0);
    out(a, AR, 0x0a);
    out(b, AR, 0x0a);
    ck_assert_uint_eq(in(b, AR_R), in(a, AR_R));
    out(b, DAC_D, 0x22);
    out(b, DAC_D, 0x33);
    out(b, DAC_R, 9);
    ck_assert_uint_eq(in(b, DAC_D), 0x11);
    ck_assert_uint_eq(in(b, DAC_D), 0x22);
    ck_assert_uint_eq(in(b, DAC_D), 0x33);
    out(b, CRTC_I, 0x0e);
    ck_assert_uint_eq(in(b, CRTC_D), 0x01);
    /* A truncated section is refused and leaves the device as it was. */
    struct rig *c = rig_new();
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "vga"), 0);
    sr.section_end -= 3;
    ck_assert_int_ne(vga_model.load(c->dev, &sr, &err), 0);
    ck_assert_uint_eq(count_lines(screen(c)), 25);
    ck_assert_uint_eq(screen(c)[0], '\n');
    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
    rig_free(c);
}
END_TEST

START_TEST(display_info_cursor_and_palette)
{
    struct rig *r = rig_new();
    struct vga_display d;
    vga_display_info(r->dev, &d);
    ck_assert(d.text);
    ck_assert_uint_eq(d.cols, 80);
    ck_assert_uint_eq(d.rows, 25);
    ck_assert_uint_eq(d.char_height, 16);
    ck_assert_uint_eq(d.width, 720);
    ck_assert_uint_eq(d.height, 400);
    ck_assert_uint_eq(d.offset, 40);
    ck_assert(d.cursor_on);
    ck_assert_uint_eq(d.cursor_row, 0);
    ck_assert_uint_eq(d.cursor_col, 0);
    ck_assert_uint_eq(d.cursor_start, 13);
    ck_assert_uint_eq(d.cursor_end, 14);
    ck_assert(d.blink);
    ck_assert_uint_eq(d.palette[6], 0x14);
    ck_assert_uint_eq(d.palette[15], 0x3f);
    ck_assert_uint_eq(d.dac[0x3f][0], 0x3f);
    /* Cursor at row 3, column 7, relative to a start one row down. */
    crtc(r, 0x0c, 0x00);
    crtc(r, 0x0d, 80);
    crtc(r, 0x0e, (4 * 80 + 7) >> 8);
    crtc(r, 0x0f, (4 * 80 + 7) & 0xff);
    vga_display_info(r->dev, &d);
    ck_assert_uint_eq(d.cursor_row, 3);
    ck_assert_uint_eq(d.cursor_col, 7);
    ck_assert(d.cursor_on);
    crtc(r, 0x0a, 0x2d);                        /* cursor-disable bit */
    vga_display_info(r->dev, &d);
    ck_assert(!d.cursor_on);
    ck_assert_uint_eq(d.cursor_start, 13);
    /* Colour select: AR14 bits 2-3 give DAC bits 6-7; AR10 bit 7 takes
     * bits 4-5 from AR14 too; the pixel mask applies last. */
    out(r, AR, 0x34);
    out(r, AR, 0x0e);
    vga_display_info(r->dev, &d);
    ck_assert_uint_eq(d.palette[6], 0xd4);
    (void)in(r, ST1);
    out(r, AR, 0x30);
    out(r, AR, 0x8c);                           /* P54S, blink */
    vga_display_info(r->dev, &d);
    ck_assert_uint_eq(d.palette[6], 0xe4);
    out(r, 0x06, 0x0f);                         /* pixel mask */
    vga_display_info(r->dev, &d);
    ck_assert_uint_eq(d.palette[6], 0x04);
    rig_free(r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("vga");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, power_on_mode3_blank);
    tcase_add_test(tc, text_at_b8000);
    tcase_add_test(tc, start_address_scrolls);
    tcase_add_test(tc, rows_and_columns_from_the_crtc);
    tcase_add_test(tc, memory_map_select);
    tcase_add_test(tc, attribute_flip_flop);
    tcase_add_test(tc, dac_sequence);
    tcase_add_test(tc, status1_at_exact_times);
    tcase_add_test(tc, planar_modes);
    tcase_add_test(tc, display_info_cursor_and_palette);
    tcase_add_test(tc, save_load_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(suite());
}
