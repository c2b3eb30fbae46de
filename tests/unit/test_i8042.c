/* The i8042 keyboard controller with its PS/2 keyboard and mouse, driven
 * through the device descriptor: Linux's probe sequence, keyboard and
 * mouse commands through the controller, set 2 to set 1 translation,
 * interrupts, the reset and A20 lines, and save/load. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/clock.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/devices/ps2.h"
#include "machine/irq.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

enum { DATA = 0, CMD = 1, P92 = 2 };
enum { KEY_A = 30, KEY_LEFTCTRL = 29, KEY_RIGHTCTRL = 97, KEY_SYSRQ = 99, KEY_PAUSE = 119,
       KEY_UP = 103, KEY_F7 = 65 };

struct sink {
    bool level;
    unsigned rises;
};

struct rig {
    struct vclock clock;
    struct irq_line line[3];
    struct sink sink[3];
    unsigned resets;
    void *dev;
};

static void sink_set(void *opaque, unsigned input, bool level)
{
    struct sink *k = opaque;
    (void)input;
    if (level && !k->level)
        k->rises++;
    k->level = level;
}

static void stub_reset(void *opaque)
{
    struct rig *r = opaque;
    r->resets++;
}

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    clock_init(&r->clock, CLOCK_MODE_VIRTUAL, 10);
    for (unsigned i = 0; i < 3; i++)
        irq_connect(&r->line[i], sink_set, &r->sink[i], i);
    struct device_ctx ctx = {
        .node = -1, .path = "/isa/keyboard-controller@1,60", .nwindows = 3,
        .window_base = { 0x60, 0x64, 0x92 }, .window_size = { 1, 1, 1 },
        .irqs = { &r->line[0], &r->line[1], &r->line[2] }, .nirqs = 3,
        .clock = &r->clock, .request_reset = stub_reset, .exit_opaque = r,
    };
    struct orr_error err = { { 0 } };
    ck_assert_msg(i8042_model.create(&ctx, &r->dev, &err) == 0, "create: %s", err.msg);
    return r;
}

static void rig_free(struct rig *r)
{
    i8042_model.destroy(r->dev);
    free(r);
}

static uint8_t in(struct rig *r, unsigned win)
{
    uint64_t v = 0;
    ck_assert_int_eq(i8042_model.read(r->dev, win, 0, 1, &v), BUS_OK);
    return (uint8_t)v;
}

static void out(struct rig *r, unsigned win, uint8_t v)
{
    ck_assert_int_eq(i8042_model.write(r->dev, win, 0, 1, v), BUS_OK);
}

/* Lets one byte time pass: the link delivers the next device byte. */
static void settle(struct rig *r)
{
    clock_advance_to(&r->clock, r->clock.now_ns + 1000000u);
}

/* Reads one byte, which must be waiting (OBF), checks AUXB, and waits for
 * the link to bring the next. */
static uint8_t take(struct rig *r, bool aux)
{
    uint8_t st = in(r, CMD);
    ck_assert_msg(st & 0x01, "output buffer empty (status 0x%02x)", st);
    ck_assert_uint_eq((st >> 5) & 1u, aux);
    uint8_t b = in(r, DATA);
    settle(r);
    return b;
}

static void expect(struct rig *r, bool aux, const uint8_t *bytes, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        uint8_t b = take(r, aux);
        ck_assert_msg(b == bytes[i], "byte %u: 0x%02x, expected 0x%02x", i, b, bytes[i]);
    }
    ck_assert_uint_eq(in(r, CMD) & 0x01, 0);
}

static void set_ctr(struct rig *r, uint8_t v)
{
    out(r, CMD, 0x60);
    out(r, DATA, v);
}

static uint8_t get_ctr(struct rig *r)
{
    out(r, CMD, 0x20);
    return take(r, false);
}

START_TEST(descriptor_and_reset_state)
{
    ck_assert_ptr_eq(device_model_find("intel,8042"), &i8042_model);
    struct rig *r = rig_new();
    /* Not inhibited, system flag (from the BIOS-like command byte). */
    ck_assert_uint_eq(in(r, CMD), 0x14);
    ck_assert_uint_eq(get_ctr(r), 0x65);
    ck_assert_uint_eq(in(r, P92), 0x02);
    ck_assert(!r->sink[0].level && !r->sink[1].level && !r->sink[2].level);
    rig_free(r);
}
END_TEST

/* i8042_controller_check / selftest / init / check_aux, in Linux's order. */
START_TEST(linux_probe_sequence)
{
    struct rig *r = rig_new();
    for (unsigned i = 0; i < 16 && (in(r, CMD) & 1); i++)
        (void)in(r, DATA);                                   /* flush */
    out(r, CMD, 0xaa);
    ck_assert_uint_eq(in(r, CMD) & 0x0f, 0x0d);             /* OBF, SYS, CMD */
    ck_assert_uint_eq(take(r, false), 0x55);
    uint8_t ctr = get_ctr(r);
    ck_assert_uint_eq(ctr, 0x65);
    set_ctr(r, (uint8_t)((ctr & ~0x03u) | 0x30u));          /* both disabled, no irqs */
    ck_assert_uint_eq(in(r, CMD) & 0x08, 0);                 /* last write was data */
    ck_assert_uint_eq(get_ctr(r), 0x74);
    /* AUX loopback: the byte comes back as mouse data even with the
     * auxiliary interface disabled. */
    out(r, CMD, 0xd3);
    out(r, DATA, 0x5a);
    ck_assert_uint_eq(take(r, true), 0x5a);
    out(r, CMD, 0xa9);
    ck_assert_uint_eq(take(r, false), 0x00);
    out(r, CMD, 0xa8);
    ck_assert_uint_eq(get_ctr(r) & 0x20, 0x00);
    out(r, CMD, 0xa7);
    ck_assert_uint_eq(get_ctr(r) & 0x20, 0x20);
    out(r, CMD, 0xab);
    ck_assert_uint_eq(take(r, false), 0x00);
    out(r, CMD, 0xc0);
    ck_assert_uint_eq(take(r, false), 0xb0);
    out(r, CMD, 0xd2);
    out(r, DATA, 0x99);
    ck_assert_uint_eq(take(r, false), 0x99);
    out(r, CMD, 0xae);
    ck_assert_uint_eq(get_ctr(r) & 0x10, 0x00);
    /* Controller RAM beyond the command byte. */
    out(r, CMD, 0x65);
    out(r, DATA, 0x3c);
    out(r, CMD, 0x25);
    ck_assert_uint_eq(take(r, false), 0x3c);
    rig_free(r);
}
END_TEST

START_TEST(keyboard_reset_and_identify)
{
    struct rig *r = rig_new();
    set_ctr(r, 0x24);                       /* no translation, no irqs */
    out(r, DATA, 0xff);
    expect(r, false, (const uint8_t[]){ 0xfa, 0xaa }, 2);
    out(r, DATA, 0xf2);
    expect(r, false, (const uint8_t[]){ 0xfa, 0xab, 0x83 }, 3);
    out(r, DATA, 0xee);
    expect(r, false, (const uint8_t[]){ 0xee }, 1);
    out(r, DATA, 0xed);
    out(r, DATA, 0x07);
    expect(r, false, (const uint8_t[]){ 0xfa, 0xfa }, 2);
    out(r, DATA, 0xf0);
    out(r, DATA, 0x00);
    expect(r, false, (const uint8_t[]){ 0xfa, 0xfa, 0x02 }, 3);
    out(r, DATA, 0xf0);
    out(r, DATA, 0x03);                     /* set 3 is not offered */
    expect(r, false, (const uint8_t[]){ 0xfa, 0xfe }, 2);
    out(r, DATA, 0xfe);                     /* resend */
    expect(r, false, (const uint8_t[]){ 0xfe }, 1);
    out(r, DATA, 0x12);                     /* not a command */
    expect(r, false, (const uint8_t[]){ 0xfe }, 1);
    /* With translation the ID reads AB 41, as Linux's atkbd expects. */
    set_ctr(r, 0x64);
    out(r, DATA, 0xf2);
    expect(r, false, (const uint8_t[]){ 0xfa, 0xab, 0x41 }, 3);
    /* Disabled keyboards report no keys. */
    out(r, DATA, 0xf5);
    expect(r, false, (const uint8_t[]){ 0xfa }, 1);
    ck_assert(ps2_kbd_key(i8042_keyboard(r->dev), KEY_A, true));
    ck_assert_uint_eq(in(r, CMD) & 1, 0);
    out(r, DATA, 0xf4);
    expect(r, false, (const uint8_t[]){ 0xfa }, 1);
    rig_free(r);
}
END_TEST

static void press(struct rig *r, unsigned key)
{
    struct ps2_kbd *k = i8042_keyboard(r->dev);
    ck_assert(ps2_kbd_key(k, key, true));
    (void)ps2_kbd_key(k, key, false);
}

START_TEST(translation_on_and_off)
{
    struct rig *r = rig_new();
    set_ctr(r, 0x24);                       /* set 2 as the keyboard sends it */
    press(r, KEY_A);
    expect(r, false, (const uint8_t[]){ 0x1c, 0xf0, 0x1c }, 3);
    press(r, KEY_RIGHTCTRL);
    expect(r, false, (const uint8_t[]){ 0xe0, 0x14, 0xe0, 0xf0, 0x14 }, 5);
    press(r, KEY_PAUSE);
    expect(r, false, (const uint8_t[]){ 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77 }, 8);
    press(r, KEY_F7);
    expect(r, false, (const uint8_t[]){ 0x83, 0xf0, 0x83 }, 3);
    set_ctr(r, 0x64);                       /* translated to set 1 */
    press(r, KEY_A);
    expect(r, false, (const uint8_t[]){ 0x1e, 0x9e }, 2);
    press(r, KEY_UP);
    expect(r, false, (const uint8_t[]){ 0xe0, 0x48, 0xe0, 0xc8 }, 4);
    press(r, KEY_PAUSE);
    expect(r, false, (const uint8_t[]){ 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5 }, 6);
    press(r, KEY_SYSRQ);
    expect(r, false, (const uint8_t[]){ 0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa }, 8);
    press(r, KEY_F7);
    expect(r, false, (const uint8_t[]){ 0x41, 0xc1 }, 2);
    ck_assert(!ps2_kbd_key(i8042_keyboard(r->dev), 84, true));   /* no such key */
    /* The keyboard itself in set 1, untranslated. */
    set_ctr(r, 0x24);
    out(r, DATA, 0xf0);
    out(r, DATA, 0x01);
    expect(r, false, (const uint8_t[]){ 0xfa, 0xfa }, 2);
    press(r, KEY_LEFTCTRL);
    expect(r, false, (const uint8_t[]){ 0x1d, 0x9d }, 2);
    rig_free(r);
}
END_TEST

START_TEST(keyboard_buffer_overrun)
{
    struct rig *r = rig_new();
    set_ctr(r, 0x34);                       /* keyboard interface disabled: bytes wait */
    struct ps2_kbd *k = i8042_keyboard(r->dev);
    for (unsigned i = 0; i < 20; i++)
        ck_assert(ps2_kbd_key(k, KEY_A, true));
    ck_assert_uint_eq(in(r, CMD) & 1, 0);
    out(r, CMD, 0xae);
    for (unsigned i = 0; i < 15; i++)
        ck_assert_uint_eq(take(r, false), 0x1c);
    ck_assert_uint_eq(take(r, false), 0x00);   /* the overrun code */
    ck_assert_uint_eq(in(r, CMD) & 1, 0);
    rig_free(r);
}
END_TEST

static void aux_cmd(struct rig *r, uint8_t b)
{
    out(r, CMD, 0xd4);
    out(r, DATA, b);
}

START_TEST(mouse_packets_and_ids)
{
    struct rig *r = rig_new();
    set_ctr(r, 0x47);                       /* both interfaces, both irqs */
    struct ps2_mouse *m = i8042_mouse(r->dev);
    aux_cmd(r, 0xff);
    expect(r, true, (const uint8_t[]){ 0xfa, 0xaa, 0x00 }, 3);
    aux_cmd(r, 0xf2);
    expect(r, true, (const uint8_t[]){ 0xfa, 0x00 }, 2);
    static const uint8_t knock3[] = { 200, 100, 80 };
    for (unsigned i = 0; i < 3; i++) {
        aux_cmd(r, 0xf3);
        aux_cmd(r, knock3[i]);
        expect(r, true, (const uint8_t[]){ 0xfa, 0xfa }, 2);
    }
    aux_cmd(r, 0xf2);
    expect(r, true, (const uint8_t[]){ 0xfa, 0x03 }, 2);
    aux_cmd(r, 0xe8);
    aux_cmd(r, 0x03);
    aux_cmd(r, 0xe7);
    aux_cmd(r, 0xe9);
    expect(r, true, (const uint8_t[]){ 0xfa, 0xfa, 0xfa, 0xfa, 0x10, 0x03, 80 }, 7);
    aux_cmd(r, 0xe6);
    aux_cmd(r, 0xf4);
    expect(r, true, (const uint8_t[]){ 0xfa, 0xfa }, 2);
    unsigned rises = r->sink[1].rises;
    ps2_mouse_move(m, 5, -3, 1, 1);
    ck_assert(r->sink[1].level);
    ck_assert(!r->sink[0].level);
    ck_assert_uint_eq(r->sink[1].rises, rises + 1);
    expect(r, true, (const uint8_t[]){ 0x29, 0x05, 0xfd, 0x01 }, 4);
    ck_assert(!r->sink[1].level);
    ck_assert_uint_eq(r->sink[1].rises, rises + 4);   /* an edge per byte */
    /* Overflow: clamped to 9 bits with the overflow and sign bits. */
    ps2_mouse_move(m, 300, -300, -2, 2);
    expect(r, true, (const uint8_t[]){ 0xea, 0xff, 0x00, 0xfe }, 4);
    /* Explorer knock: 200, 200, 80 gives ID 4; Z in 4 bits, buttons 4/5. */
    static const uint8_t knock4[] = { 200, 200, 80 };
    for (unsigned i = 0; i < 3; i++) {
        aux_cmd(r, 0xf3);
        aux_cmd(r, knock4[i]);
        expect(r, true, (const uint8_t[]){ 0xfa, 0xfa }, 2);
    }
    aux_cmd(r, 0xf2);
    expect(r, true, (const uint8_t[]){ 0xfa, 0x04 }, 2);
    ps2_mouse_move(m, 0, 1, -1, 0x10);
    expect(r, true, (const uint8_t[]){ 0x08, 0x00, 0x01, 0x2f }, 4);
    /* Remote mode: movement waits for Read Data. */
    aux_cmd(r, 0xf0);
    expect(r, true, (const uint8_t[]){ 0xfa }, 1);
    ps2_mouse_move(m, 7, 0, 0, 0);
    ck_assert_uint_eq(in(r, CMD) & 1, 0);
    aux_cmd(r, 0xeb);
    expect(r, true, (const uint8_t[]){ 0xfa, 0x08, 0x07, 0x00, 0x00 }, 5);
    aux_cmd(r, 0x55);                       /* unknown */
    expect(r, true, (const uint8_t[]){ 0xfe }, 1);
    /* A reset returns the ID to 0. */
    aux_cmd(r, 0xff);
    expect(r, true, (const uint8_t[]){ 0xfa, 0xaa, 0x00 }, 3);
    aux_cmd(r, 0xf2);
    expect(r, true, (const uint8_t[]){ 0xfa, 0x00 }, 2);
    rig_free(r);
}
END_TEST

START_TEST(interrupt_enables_and_edges)
{
    struct rig *r = rig_new();
    set_ctr(r, 0x44);                       /* translation, no irqs */
    press(r, KEY_A);
    ck_assert(!r->sink[0].level);
    ck_assert_uint_eq(in(r, CMD) & 1, 1);
    set_ctr(r, 0x45);                       /* keyboard irq on: the waiting byte raises it */
    ck_assert(r->sink[0].level);
    /* set_ctr's write went through the controller, the key byte waits. */
    ck_assert_uint_eq(in(r, DATA), 0x1e);
    ck_assert(!r->sink[0].level);           /* the break byte comes a byte time later */
    ck_assert_uint_eq(in(r, CMD) & 1, 0);
    ck_assert_uint_eq(in(r, DATA), 0x1e);   /* a second read sees the same byte */
    clock_advance_to(&r->clock, 999999);
    ck_assert(!r->sink[0].level);
    clock_advance_to(&r->clock, 1000000);
    ck_assert(r->sink[0].level);
    ck_assert_uint_eq(r->sink[0].rises, 2);
    ck_assert_uint_eq(in(r, DATA), 0x9e);
    settle(r);
    ck_assert(!r->sink[0].level);
    ck_assert(!r->sink[1].level);
    /* Controller replies raise IRQ 1 too (Linux polls with them masked). */
    out(r, CMD, 0xaa);
    ck_assert(r->sink[0].level);
    ck_assert_uint_eq(in(r, DATA), 0x55);
    ck_assert(!r->sink[0].level);
    /* Mouse bytes go to IRQ 12 only with its enable bit. */
    out(r, CMD, 0xd3);
    out(r, DATA, 0x11);
    ck_assert(!r->sink[1].level);
    ck_assert_uint_eq(in(r, DATA), 0x11);
    set_ctr(r, 0x47);
    out(r, CMD, 0xd3);
    out(r, DATA, 0x12);
    ck_assert(r->sink[1].level);
    ck_assert(!r->sink[0].level);
    ck_assert_uint_eq(in(r, DATA), 0x12);
    ck_assert(!r->sink[1].level);
    /* An empty buffer reads its last byte again. */
    ck_assert_uint_eq(in(r, DATA), 0x12);
    rig_free(r);
}
END_TEST

START_TEST(reset_pulses)
{
    struct rig *r = rig_new();
    out(r, CMD, 0xff);                      /* pulses nothing */
    ck_assert_uint_eq(r->resets, 0);
    out(r, CMD, 0xfe);
    ck_assert_uint_eq(r->resets, 1);
    out(r, CMD, 0xd1);
    out(r, DATA, 0xcf);                     /* reset line stays high */
    ck_assert_uint_eq(r->resets, 1);
    out(r, CMD, 0xd1);
    out(r, DATA, 0xce);                     /* bit 0 low: reset */
    ck_assert_uint_eq(r->resets, 2);
    out(r, P92, 0x03);                      /* rising bit 0 */
    ck_assert_uint_eq(r->resets, 3);
    out(r, P92, 0x03);                      /* no edge */
    ck_assert_uint_eq(r->resets, 3);
    out(r, P92, 0x02);
    out(r, P92, 0x03);
    ck_assert_uint_eq(r->resets, 4);
    rig_free(r);
}
END_TEST

START_TEST(a20_gates)
{
    struct rig *r = rig_new();
    ck_assert(!r->sink[2].level);           /* both gates open */
    out(r, CMD, 0xd0);
    ck_assert_uint_eq(take(r, false) & 0x03, 0x03);
    out(r, CMD, 0xd1);
    out(r, DATA, 0xcd);                     /* output port closes its gate */
    ck_assert(!r->sink[2].level);           /* port 0x92 still holds it open */
    out(r, P92, 0x00);
    ck_assert(r->sink[2].level);            /* both closed: mask bit 20 */
    ck_assert_uint_eq(in(r, P92), 0x00);
    out(r, CMD, 0xd1);
    out(r, DATA, 0xcf);
    ck_assert(!r->sink[2].level);
    out(r, CMD, 0xdd);
    ck_assert(r->sink[2].level);
    out(r, CMD, 0xd0);
    ck_assert_uint_eq(take(r, false) & 0x02, 0x00);
    out(r, CMD, 0xdf);
    ck_assert(!r->sink[2].level);
    out(r, CMD, 0xdd);
    out(r, P92, 0x02);                      /* fast A20 alone */
    ck_assert(!r->sink[2].level);
    ck_assert_uint_eq(r->resets, 0);
    /* A controller reset opens both again. */
    out(r, P92, 0x00);
    ck_assert(r->sink[2].level);
    i8042_model.reset(r->dev);
    ck_assert(!r->sink[2].level);
    rig_free(r);
}
END_TEST

static void save_load(struct rig *from, struct rig *to)
{
    struct state_writer w;
    struct orr_error err = { { 0 } };
    state_writer_init(&w);
    state_begin(&w, "i8042", i8042_model.state_version);
    ck_assert_int_eq(i8042_model.save(from->dev, &w), 0);
    state_end(&w);
    ck_assert_msg(state_writer_finish(&w, &err) == 0, "%s", err.msg);
    struct state_reader sr;
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "i8042"), 0);
    ck_assert_msg(i8042_model.load(to->dev, &sr, &err) == 0, "load: %s", err.msg);
    /* A truncated section is refused and leaves the device as it was. */
    struct rig *c = rig_new();
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "i8042"), 0);
    sr.section_end -= 3;
    ck_assert_int_ne(i8042_model.load(c->dev, &sr, &err), 0);
    ck_assert_uint_eq(get_ctr(c), 0x65);
    rig_free(c);
    state_writer_free(&w);
}

START_TEST(save_load_round_trip)
{
    struct rig *a = rig_new();
    set_ctr(a, 0x47);
    aux_cmd(a, 0xf3);
    aux_cmd(a, 200);
    aux_cmd(a, 0xf3);
    aux_cmd(a, 100);
    aux_cmd(a, 0xf3);
    aux_cmd(a, 80);
    aux_cmd(a, 0xf4);
    for (unsigned i = 0; i < 7; i++)
        ck_assert_uint_eq(take(a, true), 0xfa);
    clock_advance_to(&a->clock, 500000);    /* the clocks in step for the link */
    out(a, P92, 0x00);
    out(a, CMD, 0xdd);                      /* A20 masked */
    press(a, KEY_A);                        /* 1E waiting, 9E queued */
    out(a, CMD, 0xd4);                      /* a command waits for its byte */
    struct rig *b = rig_new();
    clock_advance_to(&b->clock, a->clock.now_ns);
    save_load(a, b);
    ck_assert(b->sink[2].level);
    ck_assert(b->sink[0].level);
    ck_assert_uint_eq(in(b, CMD), in(a, CMD));
    out(b, DATA, 0xf2);                     /* to the mouse: the pending D4 */
    out(a, DATA, 0xf2);
    static const uint8_t after[4] = { 0x1e, 0x9e, 0xfa, 0x03 };
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_uint_eq(take(a, i >= 2), after[i]);
        ck_assert_uint_eq(take(b, i >= 2), after[i]);
    }
    ps2_mouse_move(i8042_mouse(a->dev), 1, 1, 1, 0);
    ps2_mouse_move(i8042_mouse(b->dev), 1, 1, 1, 0);
    for (unsigned i = 0; i < 4; i++)
        ck_assert_uint_eq(take(b, true), take(a, true));
    ck_assert_uint_eq(get_ctr(b), 0x47);
    rig_free(a);
    rig_free(b);
}
END_TEST

START_TEST(busy_link_survives_save_load)
{
    struct rig *a = rig_new();
    set_ctr(a, 0x25);                       /* no translation, keyboard irq */
    press(a, KEY_A);                        /* 1C F0 1C */
    ck_assert_uint_eq(in(a, DATA), 0x1c);   /* the link is busy for a byte time */
    struct rig *b = rig_new();
    save_load(a, b);
    ck_assert_uint_eq(in(b, CMD) & 1, 0);
    clock_advance_to(&b->clock, 999999);
    ck_assert_uint_eq(in(b, CMD) & 1, 0);
    ck_assert(!b->sink[0].level);
    clock_advance_to(&b->clock, 1000000);
    ck_assert(b->sink[0].level);
    expect(b, false, (const uint8_t[]){ 0xf0, 0x1c }, 2);
    rig_free(a);
    rig_free(b);
}
END_TEST

START_TEST(external_inputs)
{
    struct rig *r = rig_new();
    set_ctr(r, 0x47);
    ck_assert_uint_eq(i8042_model.ninputs, 261);
    i8042_model.set_input(r->dev, KEY_A, true);
    i8042_model.set_input(r->dev, KEY_A, false);
    expect(r, false, (const uint8_t[]){ 0x1e, 0x9e }, 2);
    aux_cmd(r, 0xf4);
    expect(r, true, (const uint8_t[]){ 0xfa }, 1);
    i8042_model.set_input(r->dev, 256 + 2, true);     /* middle button */
    expect(r, true, (const uint8_t[]){ 0x0c, 0x00, 0x00 }, 3);
    i8042_model.set_input(r->dev, 256 + 0, true);
    expect(r, true, (const uint8_t[]){ 0x0d, 0x00, 0x00 }, 3);
    i8042_model.set_input(r->dev, 256 + 2, false);
    expect(r, true, (const uint8_t[]){ 0x09, 0x00, 0x00 }, 3);
    rig_free(r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("i8042");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, descriptor_and_reset_state);
    tcase_add_test(tc, linux_probe_sequence);
    tcase_add_test(tc, keyboard_reset_and_identify);
    tcase_add_test(tc, translation_on_and_off);
    tcase_add_test(tc, keyboard_buffer_overrun);
    tcase_add_test(tc, mouse_packets_and_ids);
    tcase_add_test(tc, interrupt_enables_and_edges);
    tcase_add_test(tc, reset_pulses);
    tcase_add_test(tc, a20_gates);
    tcase_add_test(tc, save_load_round_trip);
    tcase_add_test(tc, busy_link_survives_save_load);
    tcase_add_test(tc, external_inputs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(suite());
}
