/* The PL050 KMI driven through its device descriptor as Linux's ambakmi
 * driver drives it: registers, identification, a keyboard's set-2 scan
 * codes and command replies read through KMIDATA under the receive
 * interrupt, a mouse's packets, host input ranking, save and load. */
#include <check.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/display.h"
#include "machine/irq.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

enum { CR = 0x00, STAT = 0x04, DATA = 0x08, CLKDIV = 0x0C, IR = 0x10 };
enum { CR_FKMIC = 1, CR_FKMID = 2, CR_EN = 4, CR_TXINTREN = 8, CR_RXINTREN = 16 };
enum { ST_KMID = 1, ST_KMIC = 2, ST_PARITY = 4, ST_RXFULL = 16, ST_TXEMPTY = 64 };
enum { KEY_A = 30, KEY_RIGHTCTRL = 97 };

struct sink {
    bool level;
    unsigned changes;
};

struct rig {
    struct irq_line line;
    struct sink sink;
    void *fdt;
    void *dev;
};

static void sink_set(void *opaque, unsigned input, bool level)
{
    struct sink *k = opaque;
    (void)input;
    k->level = level;
    k->changes++;
}

/* kind: the orrery,ps2-device property's value, or NULL for none. */
static int rig_try(struct rig *r, const char *kind, struct orr_error *err)
{
    memset(r, 0, sizeof *r);
    irq_connect(&r->line, sink_set, &r->sink, 43);
    r->fdt = calloc(1, 1024);
    ck_assert_ptr_nonnull(r->fdt);
    ck_assert_int_eq(fdt_create_empty_tree(r->fdt, 1024), 0);
    int node = fdt_add_subnode(r->fdt, 0, "kmi@9110000");
    ck_assert_int_ge(node, 0);
    if (kind)
        ck_assert_int_eq(fdt_setprop_string(r->fdt, node, "orrery,ps2-device", kind), 0);
    struct device_ctx ctx = {
        .fdt = r->fdt, .node = node, .path = "/kmi@9110000",
        .nwindows = 1, .window_base = { 0x09110000 }, .window_size = { 0x1000 },
        .irqs = { &r->line }, .nirqs = 1,
    };
    return pl050_model.create(&ctx, &r->dev, err);
}

static struct rig *rig_new(const char *kind)
{
    struct rig *r = malloc(sizeof *r);
    ck_assert_ptr_nonnull(r);
    struct orr_error err = { { 0 } };
    ck_assert_msg(rig_try(r, kind, &err) == 0, "create: %s", err.msg);
    return r;
}

static void rig_free(struct rig *r)
{
    if (r->dev)
        pl050_model.destroy(r->dev);
    free(r->fdt);
    free(r);
}

static uint32_t rd(struct rig *r, unsigned off)
{
    uint64_t v = 0;
    ck_assert_int_eq(pl050_model.read(r->dev, 0, off, 1, &v), BUS_OK);
    return (uint32_t)v;
}

static void wr(struct rig *r, unsigned off, uint32_t v)
{
    ck_assert_int_eq(pl050_model.write(r->dev, 0, off, 1, v), BUS_OK);
}

/* The driver's interrupt handler: while KMIIR shows RX, take KMIDATA. */
static unsigned drain(struct rig *r, uint8_t *out, unsigned max)
{
    unsigned n = 0;
    while ((rd(r, IR) & 1) && n < max) {
        ck_assert(r->sink.level);
        out[n++] = (uint8_t)rd(r, DATA);
    }
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(rd(r, STAT) & ST_RXFULL, 0);
    return n;
}

static void expect(struct rig *r, const uint8_t *want, unsigned n)
{
    uint8_t got[64];
    unsigned k = drain(r, got, sizeof got);
    ck_assert_uint_eq(k, n);
    ck_assert_int_eq(memcmp(got, want, n), 0);
}

static void key(struct rig *r, unsigned code, bool down)
{
    struct input_event ev = { .cls = INPUT_KEYBOARD, .key = code, .down = down };
    pl050_model.input_event(r->dev, &ev);
}

static void move(struct rig *r, int dx, int dy, int dz, unsigned buttons)
{
    struct input_event ev = { .cls = INPUT_POINTER_REL, .dx = dx, .dy = dy, .dz = dz,
                              .buttons = buttons };
    pl050_model.input_event(r->dev, &ev);
}

/* ambakmi's open: the divisor for a 24 MHz KMIREFCLK, enable, then the
 * receive interrupt. */
static void driver_open(struct rig *r)
{
    wr(r, CLKDIV, 24000000 / 8000000 - 1);
    wr(r, CR, CR_EN);
    wr(r, CR, CR_EN | CR_RXINTREN);
}

START_TEST(registers_and_id)
{
    struct rig *r = rig_new(NULL);
    static const uint8_t id[8] = { 0x50, 0x10, 0x04, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };
    for (unsigned i = 0; i < 8; i++) {
        uint64_t v = 0;
        ck_assert_int_eq(pl050_model.read(r->dev, 0, 0xFE0 + 4 * i, 4, &v), BUS_OK);
        ck_assert_uint_eq(v, id[i]);
    }
    /* reset values: disabled, lines idle high, transmitter empty */
    ck_assert_uint_eq(rd(r, CR), 0);
    ck_assert_uint_eq(rd(r, STAT), ST_TXEMPTY | ST_KMIC | ST_KMID);
    ck_assert_uint_eq(rd(r, IR), 0);
    ck_assert_uint_eq(rd(r, CLKDIV), 0);
    wr(r, CLKDIV, 0xFF);
    ck_assert_uint_eq(rd(r, CLKDIV), 0x0F);
    wr(r, CR, 0xFF);
    ck_assert_uint_eq(rd(r, CR), 0x3F);
    /* forced lines read low; the transmit interrupt follows TXINTREN */
    ck_assert_uint_eq(rd(r, STAT) & (ST_KMIC | ST_KMID), 0);
    ck_assert_uint_eq(rd(r, IR), 2);
    ck_assert(r->sink.level);
    wr(r, CR, CR_EN);
    ck_assert_uint_eq(rd(r, IR), 0);
    ck_assert(!r->sink.level);
    /* read-only registers ignore writes; bad accesses */
    wr(r, STAT, 0);
    ck_assert_uint_eq(rd(r, STAT) & ST_TXEMPTY, ST_TXEMPTY);
    uint64_t v;
    ck_assert_int_eq(pl050_model.read(r->dev, 0, CR, 8, &v), BUS_ERROR);
    ck_assert_int_eq(pl050_model.write(r->dev, 0, CR, 8, 0), BUS_ERROR);
    ck_assert_int_eq(pl050_model.read(r->dev, 0, 0x1000, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0);
    rig_free(r);
}
END_TEST

START_TEST(keyboard_scancodes)
{
    struct rig *r = rig_new("keyboard");
    /* not enabled: the port takes no input class */
    ck_assert_uint_eq(pl050_model.input_rank(r->dev, INPUT_KEYBOARD), 0);
    driver_open(r);
    ck_assert_uint_eq(pl050_model.input_rank(r->dev, INPUT_KEYBOARD), 1);
    ck_assert_uint_eq(pl050_model.input_rank(r->dev, INPUT_POINTER_REL), 0);
    ck_assert_uint_eq(pl050_model.input_rank(r->dev, INPUT_TOUCH), 0);
    ck_assert(!r->sink.level);

    key(r, KEY_A, true);
    ck_assert(r->sink.level);
    ck_assert_uint_eq(rd(r, STAT) & ST_RXFULL, ST_RXFULL);
    /* 0x1C has three ones: the odd-parity bit is 0 */
    ck_assert_uint_eq(rd(r, STAT) & ST_PARITY, 0);
    expect(r, (const uint8_t[]){ 0x1C }, 1);
    key(r, KEY_A, false);
    expect(r, (const uint8_t[]){ 0xF0, 0x1C }, 2);
    key(r, KEY_RIGHTCTRL, true);
    key(r, KEY_RIGHTCTRL, false);
    expect(r, (const uint8_t[]){ 0xE0, 0x14, 0xE0, 0xF0, 0x14 }, 5);

    /* the receive interrupt disabled: the byte waits, RXFULL shows it */
    wr(r, CR, CR_EN);
    key(r, KEY_A, true);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(rd(r, STAT) & ST_RXFULL, ST_RXFULL);
    ck_assert_uint_eq(rd(r, IR), 0);
    wr(r, CR, CR_EN | CR_RXINTREN);
    expect(r, (const uint8_t[]){ 0x1C }, 1);

    /* the clock forced low inhibits the device; released, it sends */
    wr(r, CR, CR_EN | CR_RXINTREN | CR_FKMIC);
    key(r, KEY_A, false);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(rd(r, STAT) & ST_RXFULL, 0);
    wr(r, CR, CR_EN | CR_RXINTREN);
    expect(r, (const uint8_t[]){ 0xF0, 0x1C }, 2);

    /* disabled: no rank, bytes written go nowhere */
    wr(r, CR, 0);
    ck_assert_uint_eq(pl050_model.input_rank(r->dev, INPUT_KEYBOARD), 0);
    wr(r, DATA, 0xF2);
    wr(r, CR, CR_EN | CR_RXINTREN);
    ck_assert_uint_eq(rd(r, IR), 0);
    rig_free(r);
}
END_TEST

START_TEST(keyboard_commands)
{
    struct rig *r = rig_new(NULL);
    driver_open(r);
    /* atkbd's probe: reset, identify, set LEDs */
    wr(r, DATA, 0xFF);
    ck_assert(r->sink.level);
    ck_assert_uint_eq(rd(r, STAT) & ST_PARITY, ST_PARITY);   /* 0xFA: six ones */
    expect(r, (const uint8_t[]){ 0xFA, 0xAA }, 2);
    wr(r, DATA, 0xF2);
    expect(r, (const uint8_t[]){ 0xFA, 0xAB, 0x83 }, 3);
    wr(r, DATA, 0xED);
    expect(r, (const uint8_t[]){ 0xFA }, 1);
    wr(r, DATA, 0x02);
    expect(r, (const uint8_t[]){ 0xFA }, 1);
    /* a scan-code set change takes effect: set 1 make code of A */
    wr(r, DATA, 0xF0);
    wr(r, DATA, 0x01);
    expect(r, (const uint8_t[]){ 0xFA, 0xFA }, 2);
    key(r, KEY_A, true);
    expect(r, (const uint8_t[]){ 0x1E }, 1);
    rig_free(r);
}
END_TEST

START_TEST(mouse_packets)
{
    struct rig *r = rig_new("mouse");
    ck_assert_uint_eq(pl050_model.input_rank(r->dev, INPUT_POINTER_REL), 0);
    driver_open(r);
    ck_assert_uint_eq(pl050_model.input_rank(r->dev, INPUT_POINTER_REL), 1);
    ck_assert_uint_eq(pl050_model.input_rank(r->dev, INPUT_KEYBOARD), 0);
    ck_assert_uint_eq(pl050_model.input_rank(r->dev, INPUT_POINTER_ABS), 0);
    wr(r, DATA, 0xFF);
    expect(r, (const uint8_t[]){ 0xFA, 0xAA, 0x00 }, 3);
    /* not reporting yet: a movement sends nothing */
    move(r, 1, 1, 0, 0);
    ck_assert(!r->sink.level);
    wr(r, DATA, 0xF4);
    expect(r, (const uint8_t[]){ 0xFA }, 1);
    /* 5 right, 3 down the screen, left button: the mouse counts Y up */
    move(r, 5, 3, 0, INPUT_BUTTON_LEFT);
    expect(r, (const uint8_t[]){ 0x08 | 0x01 | 0x20, 0x05, 0xFD }, 3);
    move(r, -2, -4, 0, INPUT_BUTTON_RIGHT | INPUT_BUTTON_MIDDLE);
    expect(r, (const uint8_t[]){ 0x08 | 0x06 | 0x10, 0xFE, 0x04 }, 3);
    /* the IntelliMouse knock, then a wheel step away from the user is
     * -1 in the fourth byte */
    static const uint8_t knock[] = { 0xF3, 200, 0xF3, 100, 0xF3, 80 };
    for (unsigned i = 0; i < sizeof knock; i++) {
        wr(r, DATA, knock[i]);
        expect(r, (const uint8_t[]){ 0xFA }, 1);
    }
    wr(r, DATA, 0xF2);
    expect(r, (const uint8_t[]){ 0xFA, 0x03 }, 2);
    move(r, 0, 0, 1, 0);
    expect(r, (const uint8_t[]){ 0x08, 0x00, 0x00, 0xFF }, 4);
    /* a keyboard event at a mouse port is ignored */
    key(r, KEY_A, true);
    ck_assert(!r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(bad_binding)
{
    struct rig r;
    struct orr_error err = { { 0 } };
    ck_assert_int_ne(rig_try(&r, "joystick", &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "orrery,ps2-device"));
    free(r.fdt);
}
END_TEST

static void save(struct rig *r, struct state_writer *w)
{
    state_writer_init(w);
    state_begin(w, "kmi", pl050_model.state_version);
    ck_assert_int_eq(pl050_model.save(r->dev, w), 0);
    state_end(w);
    struct orr_error err = { { 0 } };
    ck_assert_msg(state_writer_finish(w, &err) == 0, "%s", err.msg);
}

static int load(struct rig *r, struct state_writer *w, size_t cut, struct orr_error *err)
{
    struct state_reader sr;
    ck_assert_int_eq(state_reader_init(&sr, w->buf, w->len, err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "kmi"), 0);
    if (cut)
        sr.section_end = sr.pos + cut;
    return pl050_model.load(r->dev, &sr, err);
}

START_TEST(save_load)
{
    struct rig *a = rig_new("keyboard");
    driver_open(a);
    wr(a, DATA, 0xF0);
    wr(a, DATA, 0x01);      /* scan-code set 1 */
    uint8_t b[8];
    ck_assert_uint_eq(drain(a, b, 8), 2);
    key(a, KEY_A, true);
    key(a, KEY_A, false);   /* 0x1E in KMIDATA, 0x9E in the keyboard */
    wr(a, CR, CR_EN);       /* interrupt off: the byte waits */
    struct state_writer w;
    save(a, &w);

    struct rig *b2 = rig_new("keyboard");
    struct orr_error err = { { 0 } };
    ck_assert_msg(load(b2, &w, 0, &err) == 0, "load: %s", err.msg);
    for (unsigned off = 0; off <= IR; off += 4)
        if (off != DATA)
            ck_assert_uint_eq(rd(a, off), rd(b2, off));
    ck_assert_uint_eq(pl050_model.input_rank(b2->dev, INPUT_KEYBOARD), 1);
    wr(a, CR, CR_EN | CR_RXINTREN);
    wr(b2, CR, CR_EN | CR_RXINTREN);
    expect(a, (const uint8_t[]){ 0x1E, 0x9E }, 2);
    expect(b2, (const uint8_t[]){ 0x1E, 0x9E }, 2);
    key(b2, KEY_A, true);   /* still in set 1 */
    expect(b2, (const uint8_t[]){ 0x1E }, 1);

    /* a keyboard port's section does not load into a mouse port, and a
     * truncated one is refused */
    struct rig *m = rig_new("mouse");
    ck_assert_int_ne(load(m, &w, 0, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "keyboard"));
    struct rig *c = rig_new("keyboard");
    ck_assert_int_ne(load(c, &w, 3, &err), 0);
    ck_assert_uint_eq(rd(c, CR), 0);
    state_writer_free(&w);

    /* a mouse's pending movement and mode survive */
    driver_open(m);
    wr(m, DATA, 0xF4);
    ck_assert_uint_eq(drain(m, b, 8), 1);
    wr(m, CR, CR_EN);
    move(m, 3, 0, 0, 0);
    save(m, &w);
    struct rig *m2 = rig_new("mouse");
    ck_assert_msg(load(m2, &w, 0, &err) == 0, "load: %s", err.msg);
    wr(m2, CR, CR_EN | CR_RXINTREN);
    expect(m2, (const uint8_t[]){ 0x08, 0x03, 0x00 }, 3);
    move(m2, 0, -1, 0, 0);
    expect(m2, (const uint8_t[]){ 0x08, 0x00, 0x01 }, 3);
    state_writer_free(&w);

    rig_free(a);
    rig_free(b2);
    rig_free(c);
    rig_free(m);
    rig_free(m2);
}
END_TEST

START_TEST(reset_clears)
{
    struct rig *r = rig_new(NULL);
    driver_open(r);
    key(r, KEY_A, true);
    ck_assert(r->sink.level);
    pl050_model.reset(r->dev);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(rd(r, CR), 0);
    ck_assert_uint_eq(rd(r, STAT) & ST_RXFULL, 0);
    driver_open(r);
    ck_assert_uint_eq(rd(r, IR), 0);     /* nothing left in the keyboard */
    rig_free(r);
}
END_TEST

static Suite *pl050_suite(void)
{
    Suite *s = suite_create("pl050");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, registers_and_id);
    tcase_add_test(tc, keyboard_scancodes);
    tcase_add_test(tc, keyboard_commands);
    tcase_add_test(tc, mouse_packets);
    tcase_add_test(tc, bad_binding);
    tcase_add_test(tc, save_load);
    tcase_add_test(tc, reset_clears);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(pl050_suite());
}
