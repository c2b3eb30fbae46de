/* virtio-input behind a virtio-mmio transport, driven as Linux's
 * virtio_input driver drives it: config space selects, eventq buffers of
 * one 8-byte event each, statusq LED events; host events through the
 * transport's input_rank/input_event; save and load; and on the arm-virt
 * board, the machine routing a key to the PL050 or to virtio-input by
 * rank. */
#include <check.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/clock.h"
#include "machine/boards.h"
#include "machine/bus.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/display.h"
#include "machine/irq.h"
#include "machine/machine.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

#define RAM 0x40000000ull
#define RAM_SIZE 0x100000ull
#define DESC (RAM + 0x0000)
#define BUF (RAM + 0x40000)
#define QSIZE 16u

enum {
    DEVICE_ID = 0x008, DEV_FEAT = 0x010, DEV_FEAT_SEL = 0x014, DRV_FEAT = 0x020,
    DRV_FEAT_SEL = 0x024, QUEUE_SEL = 0x030, QUEUE_NUM = 0x038, QUEUE_READY = 0x044,
    QUEUE_NOTIFY = 0x050, INT_STATUS = 0x060, INT_ACK = 0x064, STATUS = 0x070,
    DESC_LO = 0x080, DESC_HI = 0x084, DRIVER_LO = 0x090, DRIVER_HI = 0x094,
    DEVICE_LO = 0x0A0, DEVICE_HI = 0x0A4, CONFIG = 0x100,
};
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8 };
enum { F_WRITE = 2 };
enum { CFG_ID_NAME = 1, CFG_ID_SERIAL = 2, CFG_ID_DEVIDS = 3, CFG_PROP_BITS = 0x10,
       CFG_EV_BITS = 0x11, CFG_ABS_INFO = 0x12 };
enum { EV_SYN = 0, EV_KEY = 1, EV_REL = 2, EV_ABS = 3, EV_LED = 0x11, EV_REP = 0x14 };
enum { ABS_X = 0, ABS_Y = 1, ABS_MT_SLOT = 0x2f, ABS_MT_POSITION_X = 0x35,
       ABS_MT_POSITION_Y = 0x36, ABS_MT_TRACKING_ID = 0x39 };
enum { KEY_ESC = 1, KEY_A = 30, KEY_KPDOT = 83, KEY_F13 = 183, BTN_LEFT = 0x110,
       BTN_TOUCH = 0x14a, REL_WHEEL = 8 };

struct rec {
    uint16_t type, code;
    uint32_t value;
};

struct sink {
    bool level;
};

struct rig {
    struct bus bus;
    struct vclock clock;
    struct irq_line line;
    struct sink sink;
    void *dev;
    void *fdt;
    uint16_t avail_idx[2], used_seen[2];
};

static void sink_set(void *opaque, unsigned input, bool level)
{
    struct sink *k = opaque;
    (void)input;
    k->level = level;
}

static int rig_try(struct rig *r, const char *backend, struct orr_error *err)
{
    memset(r, 0, sizeof *r);
    bus_init(&r->bus, NULL);
    ck_assert_int_eq(bus_add_ram(&r->bus, "ram", RAM, RAM_SIZE, err), 0);
    clock_init(&r->clock, CLOCK_MODE_VIRTUAL, 10);
    irq_connect(&r->line, sink_set, &r->sink, 48);
    r->fdt = calloc(1, 1024);
    ck_assert_int_eq(fdt_create_empty_tree(r->fdt, 1024), 0);
    int node = fdt_add_subnode(r->fdt, 0, "virtio_mmio@a000000");
    struct device_ctx ctx = {
        .fdt = r->fdt, .node = node, .path = "/virtio_mmio@a000000",
        .nwindows = 1, .window_base = { 0x0a000000 }, .window_size = { 0x200 },
        .irqs = { &r->line }, .nirqs = 1, .bus = &r->bus, .clock = &r->clock,
        .backend = backend,
    };
    return virtio_mmio_model.create(&ctx, &r->dev, err);
}

static struct rig *rig_new(const char *backend)
{
    struct rig *r = malloc(sizeof *r);
    ck_assert_ptr_nonnull(r);
    struct orr_error err = { { 0 } };
    ck_assert_msg(rig_try(r, backend, &err) == 0, "create: %s", err.msg);
    return r;
}

static void rig_free(struct rig *r)
{
    if (r->dev)
        virtio_mmio_model.destroy(r->dev);
    bus_destroy(&r->bus);
    free(r->fdt);
    free(r);
}

static uint32_t rd(struct rig *r, unsigned off)
{
    uint64_t v = 0;
    ck_assert_int_eq(virtio_mmio_model.read(r->dev, 0, off, 4, &v), BUS_OK);
    return (uint32_t)v;
}

static void wr(struct rig *r, unsigned off, uint32_t v)
{
    ck_assert_int_eq(virtio_mmio_model.write(r->dev, 0, off, 4, v), BUS_OK);
}

static uint8_t cfg8(struct rig *r, unsigned off)
{
    uint64_t v = 0;
    ck_assert_int_eq(virtio_mmio_model.read(r->dev, 0, CONFIG + off, 1, &v), BUS_OK);
    return (uint8_t)v;
}

static uint32_t cfg32(struct rig *r, unsigned off)
{
    uint64_t v = 0;
    ck_assert_int_eq(virtio_mmio_model.read(r->dev, 0, CONFIG + off, 4, &v), BUS_OK);
    return (uint32_t)v;
}

/* Selects a config item as the driver does (byte writes); returns size. */
static unsigned cfg_select(struct rig *r, uint8_t select, uint8_t subsel)
{
    ck_assert_int_eq(virtio_mmio_model.write(r->dev, 0, CONFIG + 0, 1, select), BUS_OK);
    ck_assert_int_eq(virtio_mmio_model.write(r->dev, 0, CONFIG + 1, 1, subsel), BUS_OK);
    ck_assert_uint_eq(cfg8(r, 0), select);
    ck_assert_uint_eq(cfg8(r, 1), subsel);
    return cfg8(r, 2);
}

static bool cfg_bit(struct rig *r, unsigned bit)
{
    return (cfg8(r, 8 + bit / 8) >> (bit % 8)) & 1u;
}

static void poke16(struct rig *r, uint64_t addr, uint16_t v)
{
    ck_assert_int_eq(bus_write(&r->bus, addr, 2, v), 0);
}

static uint64_t peekn(struct rig *r, uint64_t addr, unsigned size)
{
    uint64_t v = 0;
    ck_assert_int_eq(bus_read(&r->bus, addr, size, &v), 0);
    return v;
}

static uint64_t qdesc(unsigned q) { return DESC + 0x10000ull * q; }
static uint64_t qavail(unsigned q) { return qdesc(q) + 0x100; }
static uint64_t qused(unsigned q) { return qdesc(q) + 0x1000; }

/* The modern initialisation sequence (3.1.1) with both queues; DRIVER_OK
 * last. */
static void driver_init(struct rig *r)
{
    wr(r, STATUS, 0);
    wr(r, STATUS, S_ACK | S_DRIVER);
    wr(r, DRV_FEAT_SEL, 1);
    wr(r, DRV_FEAT, 1);                  /* VERSION_1 */
    wr(r, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    for (unsigned q = 0; q < 2; q++) {
        static const uint8_t zero[4] = { 0 };
        ck_assert_int_eq(bus_write_block(&r->bus, qavail(q), zero, 4, false), 0);
        ck_assert_int_eq(bus_write_block(&r->bus, qused(q), zero, 4, false), 0);
        wr(r, QUEUE_SEL, q);
        wr(r, QUEUE_NUM, QSIZE);
        wr(r, DESC_LO, (uint32_t)qdesc(q));
        wr(r, DESC_HI, 0);
        wr(r, DRIVER_LO, (uint32_t)qavail(q));
        wr(r, DRIVER_HI, 0);
        wr(r, DEVICE_LO, (uint32_t)qused(q));
        wr(r, DEVICE_HI, 0);
        wr(r, QUEUE_READY, 1);
        r->avail_idx[q] = r->used_seen[q] = 0;
    }
    wr(r, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

static void put_desc(struct rig *r, unsigned q, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags)
{
    uint64_t d = qdesc(q) + 16u * i;
    ck_assert_int_eq(bus_write(&r->bus, d, 8, addr), 0);
    ck_assert_int_eq(bus_write(&r->bus, d + 8, 4, len), 0);
    ck_assert_int_eq(bus_write(&r->bus, d + 12, 2, flags), 0);
    ck_assert_int_eq(bus_write(&r->bus, d + 14, 2, 0), 0);
}

/* Posts up to n eventq buffers of one event each (as many as the ring has
 * room for), then notifies. Buffer k of the ring is descriptor k % QSIZE
 * at BUF + 8 * (k % QSIZE): the device returns them in order. */
static void post_events(struct rig *r, unsigned n)
{
    uint16_t used = (uint16_t)peekn(r, qused(0) + 2, 2);
    unsigned room = QSIZE - (uint16_t)(r->avail_idx[0] - used);
    for (unsigned i = 0; i < n && i < room; i++) {
        unsigned d = r->avail_idx[0] % QSIZE;
        put_desc(r, 0, d, BUF + 8u * d, 8, F_WRITE);
        poke16(r, qavail(0) + 4 + 2u * d, (uint16_t)d);
        r->avail_idx[0]++;
    }
    poke16(r, qavail(0) + 2, r->avail_idx[0]);
    wr(r, QUEUE_NOTIFY, 0);
}

/* The events the device has returned since the last call. */
static unsigned take_events(struct rig *r, struct rec *out, unsigned max)
{
    unsigned n = 0;
    uint16_t idx = (uint16_t)peekn(r, qused(0) + 2, 2);
    while (r->used_seen[0] != idx && n < max) {
        uint64_t e = qused(0) + 4 + 8u * (r->used_seen[0] % QSIZE);
        uint32_t id = (uint32_t)peekn(r, e, 4);
        ck_assert_uint_eq(peekn(r, e + 4, 4), 8);
        ck_assert_uint_lt(id, QSIZE);
        out[n].type = (uint16_t)peekn(r, BUF + 8u * id, 2);
        out[n].code = (uint16_t)peekn(r, BUF + 8u * id + 2, 2);
        out[n].value = (uint32_t)peekn(r, BUF + 8u * id + 4, 4);
        n++;
        r->used_seen[0]++;
    }
    return n;
}

static void expect(struct rig *r, const struct rec *want, unsigned n)
{
    struct rec got[QSIZE];
    unsigned k = take_events(r, got, QSIZE);
    ck_assert_uint_eq(k, n);
    for (unsigned i = 0; i < n; i++) {
        ck_assert_msg(got[i].type == want[i].type && got[i].code == want[i].code &&
                      got[i].value == want[i].value,
                      "event %u: got %u/%#x/%d, want %u/%#x/%d", i, got[i].type, got[i].code,
                      (int)got[i].value, want[i].type, want[i].code, (int)want[i].value);
    }
}

static void ack(struct rig *r)
{
    wr(r, INT_ACK, rd(r, INT_STATUS));
    ck_assert(!r->sink.level);
}

static void host(struct rig *r, struct input_event ev)
{
    virtio_mmio_model.input_event(r->dev, &ev);
}

static struct input_event key_ev(unsigned key, bool down)
{
    return (struct input_event){ .cls = INPUT_KEYBOARD, .key = key, .down = down };
}

static struct input_event touch_ev(unsigned slot, bool contact, uint32_t x, uint32_t y)
{
    return (struct input_event){ .cls = INPUT_TOUCH, .slot = slot, .contact = contact,
                                 .x = x, .y = y };
}

#define SYN { EV_SYN, 0, 0 }

/* ---- config space ------------------------------------------------------- */

static void expect_name(struct rig *r, uint8_t select, const char *want)
{
    unsigned n = cfg_select(r, select, 0);
    ck_assert_uint_eq(n, strlen(want));
    char got[129] = { 0 };
    for (unsigned i = 0; i < n; i++)
        got[i] = (char)cfg8(r, 8 + i);
    ck_assert_str_eq(got, want);
}

START_TEST(config_keyboard)
{
    struct rig *r = rig_new("input-keyboard");
    ck_assert_uint_eq(rd(r, DEVICE_ID), 18);
    wr(r, DEV_FEAT_SEL, 0);
    ck_assert_uint_eq(rd(r, DEV_FEAT) & 0xFFFFFFu, 0);   /* no device features */
    expect_name(r, CFG_ID_NAME, "Orrery virtio keyboard");
    expect_name(r, CFG_ID_SERIAL, "input-keyboard");
    ck_assert_uint_eq(cfg_select(r, CFG_ID_DEVIDS, 0), 8);
    ck_assert_uint_eq(cfg32(r, 8) & 0xFFFF, 0x06);      /* BUS_VIRTUAL */
    ck_assert_uint_eq(cfg_select(r, CFG_PROP_BITS, 0), 0);
    /* EV_KEY: the PC keys; the bitmap ends with the menu key (127) */
    ck_assert_uint_eq(cfg_select(r, CFG_EV_BITS, EV_KEY), 16);
    ck_assert(cfg_bit(r, KEY_ESC));
    ck_assert(cfg_bit(r, KEY_A));
    ck_assert(cfg_bit(r, KEY_KPDOT));
    ck_assert(!cfg_bit(r, 0));
    ck_assert(!cfg_bit(r, 84));
    ck_assert_uint_eq(cfg_select(r, CFG_EV_BITS, EV_LED), 1);
    ck_assert_uint_eq(cfg8(r, 8), 0x07);
    ck_assert_uint_eq(cfg_select(r, CFG_EV_BITS, EV_REP), 1);
    ck_assert_uint_eq(cfg_select(r, CFG_EV_BITS, EV_ABS), 0);
    ck_assert_uint_eq(cfg_select(r, CFG_EV_BITS, EV_REL), 0);
    ck_assert_uint_eq(cfg_select(r, CFG_ABS_INFO, ABS_X), 0);
    ck_assert_uint_eq(cfg_select(r, 0x7F, 0), 0);
    /* past the config structure: zeros; writes there are ignored */
    ck_assert_int_eq(virtio_mmio_model.write(r->dev, 0, CONFIG + 0x90, 4, 0xFFFFFFFF), BUS_OK);
    ck_assert_uint_eq(cfg32(r, 0x90), 0);
    rig_free(r);
}
END_TEST

START_TEST(config_tablet_and_touch)
{
    struct rig *r = rig_new("input-tablet");
    expect_name(r, CFG_ID_NAME, "Orrery virtio tablet");
    ck_assert_uint_eq(cfg_select(r, CFG_PROP_BITS, 0), 0);
    ck_assert_uint_gt(cfg_select(r, CFG_EV_BITS, EV_KEY), 0);
    ck_assert(cfg_bit(r, BTN_LEFT) && cfg_bit(r, BTN_LEFT + 1) && cfg_bit(r, BTN_LEFT + 2));
    ck_assert(!cfg_bit(r, BTN_TOUCH));
    ck_assert_uint_eq(cfg_select(r, CFG_EV_BITS, EV_REL), 2);
    ck_assert(cfg_bit(r, REL_WHEEL));
    ck_assert_uint_eq(cfg_select(r, CFG_EV_BITS, EV_ABS), 1);
    ck_assert_uint_eq(cfg8(r, 8), 0x03);
    ck_assert_uint_eq(cfg_select(r, CFG_ABS_INFO, ABS_Y), 20);
    ck_assert_uint_eq(cfg32(r, 8), 0);                  /* min */
    ck_assert_uint_eq(cfg32(r, 12), INPUT_ABS_MAX);     /* max */
    ck_assert_uint_eq(cfg32(r, 16), 0);                 /* fuzz */
    ck_assert_uint_eq(cfg_select(r, CFG_ABS_INFO, ABS_MT_SLOT), 0);
    rig_free(r);

    r = rig_new("input-touch");
    expect_name(r, CFG_ID_NAME, "Orrery virtio touch screen");
    ck_assert_uint_eq(cfg_select(r, CFG_PROP_BITS, 0), 1);
    ck_assert_uint_eq(cfg8(r, 8), 0x02);                /* INPUT_PROP_DIRECT */
    ck_assert_uint_gt(cfg_select(r, CFG_EV_BITS, EV_KEY), 0);
    ck_assert(cfg_bit(r, BTN_TOUCH));
    ck_assert(!cfg_bit(r, BTN_LEFT));
    ck_assert_uint_eq(cfg_select(r, CFG_EV_BITS, EV_ABS), 8);
    ck_assert(cfg_bit(r, ABS_X) && cfg_bit(r, ABS_Y) && cfg_bit(r, ABS_MT_SLOT));
    ck_assert(cfg_bit(r, ABS_MT_POSITION_X) && cfg_bit(r, ABS_MT_POSITION_Y));
    ck_assert(cfg_bit(r, ABS_MT_TRACKING_ID));
    ck_assert_uint_eq(cfg_select(r, CFG_ABS_INFO, ABS_MT_SLOT), 20);
    ck_assert_uint_eq(cfg32(r, 12), INPUT_TOUCH_SLOTS - 1);
    ck_assert_uint_eq(cfg_select(r, CFG_ABS_INFO, ABS_MT_TRACKING_ID), 20);
    ck_assert_uint_eq(cfg32(r, 12), 0xFFFF);
    ck_assert_uint_eq(cfg_select(r, CFG_ABS_INFO, ABS_MT_POSITION_X), 20);
    ck_assert_uint_eq(cfg32(r, 12), INPUT_ABS_MAX);
    ck_assert_uint_eq(cfg_select(r, CFG_EV_BITS, EV_REL), 0);
    rig_free(r);

    struct rig bad;
    struct orr_error err = { { 0 } };
    ck_assert_int_ne(rig_try(&bad, "input-mouse", &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "input-touch"));
    bus_destroy(&bad.bus);
    free(bad.fdt);
    ck_assert_int_ne(rig_try(&bad, "input-keyboard:x", &err), 0);
    bus_destroy(&bad.bus);
    free(bad.fdt);
}
END_TEST

/* ---- events ------------------------------------------------------------- */

START_TEST(keyboard_events)
{
    struct rig *r = rig_new("input-keyboard");
    /* no driver yet: the device does not rank */
    ck_assert_uint_eq(virtio_mmio_model.input_rank(r->dev, INPUT_KEYBOARD), 0);
    driver_init(r);
    ck_assert_uint_eq(virtio_mmio_model.input_rank(r->dev, INPUT_KEYBOARD), 2);
    ck_assert_uint_eq(virtio_mmio_model.input_rank(r->dev, INPUT_POINTER_ABS), 0);
    ck_assert_uint_eq(virtio_mmio_model.input_rank(r->dev, INPUT_TOUCH), 0);
    post_events(r, 8);
    ck_assert(!r->sink.level);
    host(r, key_ev(KEY_A, true));
    ck_assert(r->sink.level);
    expect(r, (const struct rec[]){ { EV_KEY, KEY_A, 1 }, SYN }, 2);
    ack(r);
    host(r, key_ev(KEY_A, true));                 /* held: the guest repeats it */
    host(r, key_ev(KEY_A, false));
    expect(r, (const struct rec[]){ { EV_KEY, KEY_A, 0 }, SYN }, 2);
    /* a release of a key not down, and a key the keyboard lacks: nothing */
    host(r, key_ev(KEY_A, false));
    host(r, key_ev(KEY_F13, true));
    expect(r, NULL, 0);
    /* the driver stopped: no rank */
    wr(r, STATUS, 0);
    ck_assert_uint_eq(virtio_mmio_model.input_rank(r->dev, INPUT_KEYBOARD), 0);
    rig_free(r);
}
END_TEST

START_TEST(tablet_events)
{
    struct rig *r = rig_new("input-tablet");
    driver_init(r);
    ck_assert_uint_eq(virtio_mmio_model.input_rank(r->dev, INPUT_POINTER_ABS), 2);
    ck_assert_uint_eq(virtio_mmio_model.input_rank(r->dev, INPUT_POINTER_REL), 0);
    ck_assert_uint_eq(virtio_mmio_model.input_rank(r->dev, INPUT_KEYBOARD), 0);
    post_events(r, 16);
    host(r, (struct input_event){ .cls = INPUT_POINTER_ABS, .x = 100, .y = 40000,
                                  .buttons = INPUT_BUTTON_LEFT, .dz = -1 });
    expect(r, (const struct rec[]){ { EV_ABS, ABS_X, 100 }, { EV_ABS, ABS_Y, INPUT_ABS_MAX },
                                    { EV_KEY, BTN_LEFT, 1 }, { EV_REL, REL_WHEEL, 0xFFFFFFFF },
                                    SYN }, 5);
    host(r, (struct input_event){ .cls = INPUT_POINTER_ABS, .x = 5, .y = 6 });
    expect(r, (const struct rec[]){ { EV_ABS, ABS_X, 5 }, { EV_ABS, ABS_Y, 6 },
                                    { EV_KEY, BTN_LEFT, 0 }, SYN }, 4);
    rig_free(r);
}
END_TEST

START_TEST(touch_events)
{
    struct rig *r = rig_new("input-touch");
    driver_init(r);
    ck_assert_uint_eq(virtio_mmio_model.input_rank(r->dev, INPUT_TOUCH), 2);
    post_events(r, 16);
    host(r, touch_ev(0, true, 1000, 2000));
    expect(r, (const struct rec[]){
        { EV_ABS, ABS_MT_SLOT, 0 }, { EV_ABS, ABS_MT_TRACKING_ID, 0 },
        { EV_ABS, ABS_MT_POSITION_X, 1000 }, { EV_ABS, ABS_MT_POSITION_Y, 2000 },
        { EV_ABS, ABS_X, 1000 }, { EV_ABS, ABS_Y, 2000 }, { EV_KEY, BTN_TOUCH, 1 }, SYN }, 8);
    post_events(r, 16);
    /* a second finger: the pointer stays with the first */
    host(r, touch_ev(3, true, 30000, 100));
    expect(r, (const struct rec[]){
        { EV_ABS, ABS_MT_SLOT, 3 }, { EV_ABS, ABS_MT_TRACKING_ID, 1 },
        { EV_ABS, ABS_MT_POSITION_X, 30000 }, { EV_ABS, ABS_MT_POSITION_Y, 100 },
        { EV_ABS, ABS_X, 1000 }, { EV_ABS, ABS_Y, 2000 }, SYN }, 7);
    post_events(r, 16);
    /* the first lifts: the pointer moves to the second */
    host(r, touch_ev(0, false, 0, 0));
    expect(r, (const struct rec[]){
        { EV_ABS, ABS_MT_SLOT, 0 }, { EV_ABS, ABS_MT_TRACKING_ID, 0xFFFFFFFF },
        { EV_ABS, ABS_X, 30000 }, { EV_ABS, ABS_Y, 100 }, SYN }, 5);
    host(r, touch_ev(3, true, 30001, 101));
    expect(r, (const struct rec[]){
        { EV_ABS, ABS_MT_SLOT, 3 }, { EV_ABS, ABS_MT_POSITION_X, 30001 },
        { EV_ABS, ABS_MT_POSITION_Y, 101 }, { EV_ABS, ABS_X, 30001 }, { EV_ABS, ABS_Y, 101 },
        SYN }, 6);
    post_events(r, 16);
    host(r, touch_ev(3, false, 0, 0));
    expect(r, (const struct rec[]){
        { EV_ABS, ABS_MT_SLOT, 3 }, { EV_ABS, ABS_MT_TRACKING_ID, 0xFFFFFFFF },
        { EV_KEY, BTN_TOUCH, 0 }, SYN }, 4);
    /* a lift with no contact, and a slot out of range: nothing */
    host(r, touch_ev(3, false, 0, 0));
    host(r, touch_ev(INPUT_TOUCH_SLOTS, true, 1, 1));
    expect(r, NULL, 0);
    /* the next contact gets a new tracking ID */
    host(r, touch_ev(0, true, 7, 8));
    struct rec got[QSIZE];
    ck_assert_uint_eq(take_events(r, got, QSIZE), 8);
    ck_assert_uint_eq(got[1].value, 2);
    rig_free(r);
}
END_TEST

START_TEST(queue_without_buffers)
{
    struct rig *r = rig_new("input-keyboard");
    driver_init(r);
    host(r, key_ev(KEY_A, true));
    host(r, key_ev(KEY_A, false));
    ck_assert_uint_eq(peekn(r, qused(0) + 2, 2), 0);
    ck_assert(!r->sink.level);
    /* buffers arrive: the queued events go out, in order */
    post_events(r, 3);
    expect(r, (const struct rec[]){ { EV_KEY, KEY_A, 1 }, SYN, { EV_KEY, KEY_A, 0 } }, 3);
    ck_assert(r->sink.level);
    ack(r);
    post_events(r, 1);
    expect(r, (const struct rec[]){ SYN }, 1);

    /* a flood: 83 presses and 83 releases (332 events) into a queue of
     * 256 drops the 38 oldest reports whole */
    for (unsigned k = KEY_ESC; k <= KEY_KPDOT; k++)
        host(r, key_ev(k, true));
    for (unsigned k = KEY_ESC; k <= KEY_KPDOT; k++)
        host(r, key_ev(k, false));
    unsigned total = 0;
    struct rec first = { 0 }, last = { 0 };
    for (;;) {
        post_events(r, QSIZE);
        struct rec got[QSIZE];
        unsigned n = take_events(r, got, QSIZE);
        if (n == 0)
            break;
        if (total == 0)
            first = got[0];
        last = got[n >= 2 ? n - 2 : 0];
        total += n;
        for (unsigned i = 1; i < n; i += 2)
            ck_assert_uint_eq(got[i].type, EV_SYN);
    }
    ck_assert_uint_eq(total, 256);
    ck_assert_uint_eq(first.code, 39);
    ck_assert_uint_eq(first.value, 1);
    ck_assert_uint_eq(last.code, KEY_KPDOT);
    ck_assert_uint_eq(last.value, 0);
    rig_free(r);
}
END_TEST

START_TEST(status_queue_leds)
{
    struct rig *r = rig_new("input-keyboard");
    driver_init(r);
    /* the driver sets Caps Lock: EV_LED LED_CAPSL 1 */
    static const uint8_t led[8] = { EV_LED, 0, 1, 0, 1, 0, 0, 0 };
    ck_assert_int_eq(bus_write_block(&r->bus, BUF + 0x1000, led, 8, false), 0);
    put_desc(r, 1, 0, BUF + 0x1000, 8, 0);
    poke16(r, qavail(1) + 4, 0);
    poke16(r, qavail(1) + 2, 1);
    wr(r, QUEUE_NOTIFY, 1);
    ck_assert_uint_eq(peekn(r, qused(1) + 2, 2), 1);
    ck_assert_uint_eq(peekn(r, qused(1) + 8, 4), 0);   /* nothing written */
    rig_free(r);
}
END_TEST

/* ---- save / load ---------------------------------------------------------- */

static void save(struct rig *r, struct state_writer *w)
{
    state_writer_init(w);
    state_begin(w, "vi", virtio_mmio_model.state_version);
    ck_assert_int_eq(virtio_mmio_model.save(r->dev, w), 0);
    state_end(w);
    struct orr_error err = { { 0 } };
    ck_assert_msg(state_writer_finish(w, &err) == 0, "%s", err.msg);
}

static int load(struct rig *r, struct state_writer *w, size_t cut, struct orr_error *err)
{
    struct state_reader sr;
    ck_assert_int_eq(state_reader_init(&sr, w->buf, w->len, err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "vi"), 0);
    if (cut)
        sr.section_end -= cut;
    return virtio_mmio_model.load(r->dev, &sr, err);
}

static void copy_ram(struct rig *from, struct rig *to)
{
    uint8_t *ram = malloc(RAM_SIZE);
    ck_assert_ptr_nonnull(ram);
    ck_assert_int_eq(bus_read_block(&from->bus, RAM, ram, RAM_SIZE), 0);
    ck_assert_int_eq(bus_write_block(&to->bus, RAM, ram, RAM_SIZE, false), 0);
    free(ram);
    memcpy(to->avail_idx, from->avail_idx, sizeof to->avail_idx);
    memcpy(to->used_seen, from->used_seen, sizeof to->used_seen);
}

START_TEST(save_load)
{
    struct rig *a = rig_new("input-touch");
    driver_init(a);
    host(a, touch_ev(2, true, 11, 22));          /* waits: no buffers */
    ck_assert_uint_eq(cfg_select(a, CFG_ABS_INFO, ABS_MT_SLOT), 20);
    struct state_writer w;
    save(a, &w);

    struct rig *b = rig_new("input-touch");
    copy_ram(a, b);
    struct orr_error err = { { 0 } };
    ck_assert_msg(load(b, &w, 0, &err) == 0, "load: %s", err.msg);
    ck_assert_uint_eq(cfg8(b, 0), CFG_ABS_INFO);
    ck_assert_uint_eq(cfg8(b, 1), ABS_MT_SLOT);
    ck_assert_uint_eq(virtio_mmio_model.input_rank(b->dev, INPUT_TOUCH), 2);
    /* both deliver the queued report, then continue the same contact */
    const struct rec down[] = {
        { EV_ABS, ABS_MT_SLOT, 2 }, { EV_ABS, ABS_MT_TRACKING_ID, 0 },
        { EV_ABS, ABS_MT_POSITION_X, 11 }, { EV_ABS, ABS_MT_POSITION_Y, 22 },
        { EV_ABS, ABS_X, 11 }, { EV_ABS, ABS_Y, 22 }, { EV_KEY, BTN_TOUCH, 1 }, SYN };
    const struct rec up[] = {
        { EV_ABS, ABS_MT_SLOT, 2 }, { EV_ABS, ABS_MT_TRACKING_ID, 0xFFFFFFFF },
        { EV_KEY, BTN_TOUCH, 0 }, SYN };
    struct rig *both[2] = { a, b };
    for (unsigned i = 0; i < 2; i++) {
        post_events(both[i], QSIZE);
        expect(both[i], down, 8);
        host(both[i], touch_ev(2, false, 0, 0));
        expect(both[i], up, 4);
    }

    /* a tablet's section does not load into a touch screen (the same
     * device ID), and a truncated one is refused */
    struct rig *t = rig_new("input-tablet");
    ck_assert_int_ne(load(t, &w, 0, &err), 0);
    struct rig *c = rig_new("input-touch");
    ck_assert_int_ne(load(c, &w, 4, &err), 0);
    ck_assert_uint_eq(rd(c, STATUS), 0);
    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
    rig_free(c);
    rig_free(t);
}
END_TEST

/* ---- on the arm-virt board ------------------------------------------------ */

static void bus_wr(struct machine *m, uint64_t addr, unsigned size, uint64_t v)
{
    ck_assert_int_eq(bus_write(&m->bus, addr, size, v), 0);
}

static uint64_t bus_rd(struct machine *m, uint64_t addr, unsigned size)
{
    uint64_t v = 0;
    ck_assert_int_eq(bus_read(&m->bus, addr, size, &v), 0);
    return v;
}

START_TEST(arm_virt_routing)
{
    const struct builtin_board *bd = builtin_board_find("arm-virt");
    ck_assert_ptr_nonnull(bd);
    static const char *const backends[] = { "input-keyboard", "input-tablet", "input-touch" };
    struct machine_config cfg = {
        .dtb = bd->dtb, .dtb_size = bd->dtb_size, .board_name = bd->name,
        .clock_mode = CLOCK_MODE_VIRTUAL, .backends = backends, .nbackends = 3,
    };
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "%s", err.msg);
    const uint64_t kbd = 0x09110000, mouse = 0x09120000, vio = 0x0a000000;
    ck_assert_uint_eq(bus_rd(m, kbd + 0xFE0, 4), 0x50);
    ck_assert_uint_eq(bus_rd(m, vio + DEVICE_ID, 4), 18);
    ck_assert_uint_eq(bus_rd(m, vio + 0x200 + DEVICE_ID, 4), 18);

    /* nothing enabled: no keyboard, no mouse */
    ck_assert(!machine_input_available(m, INPUT_KEYBOARD));
    struct input_event a_down = key_ev(KEY_A, true), a_up = key_ev(KEY_A, false);
    ck_assert_int_ne(machine_input(m, &a_down, &err), 0);
    /* the KMIs enabled: the key reaches the keyboard port, a movement the
     * mouse port */
    bus_wr(m, kbd, 1, 0x14);
    bus_wr(m, mouse, 1, 0x14);
    ck_assert(machine_input_available(m, INPUT_KEYBOARD));
    ck_assert(machine_input_available(m, INPUT_POINTER_REL));
    ck_assert_int_eq(machine_input(m, &a_down, &err), 0);
    ck_assert_uint_eq(bus_rd(m, kbd + 0x10, 1), 1);
    ck_assert_uint_eq(bus_rd(m, kbd + 0x08, 1), 0x1C);
    ck_assert_uint_eq(bus_rd(m, kbd + 0x10, 1), 0);
    /* the virtio keyboard's driver starts: it outranks the KMI, but the
     * release goes where the press went */
    bus_wr(m, vio + STATUS, 4, S_ACK | S_DRIVER);
    bus_wr(m, vio + DRV_FEAT_SEL, 4, 1);
    bus_wr(m, vio + DRV_FEAT, 4, 1);
    bus_wr(m, vio + STATUS, 4, S_ACK | S_DRIVER | S_FEATURES_OK);
    bus_wr(m, vio + STATUS, 4, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    ck_assert_int_eq(machine_input(m, &a_up, &err), 0);
    ck_assert_uint_eq(bus_rd(m, kbd + 0x08, 1), 0xF0);
    ck_assert_uint_eq(bus_rd(m, kbd + 0x08, 1), 0x1C);
    ck_assert_int_eq(machine_input(m, &a_down, &err), 0);
    ck_assert_uint_eq(bus_rd(m, kbd + 0x10, 1), 0);      /* went to virtio */
    ck_assert_int_eq(machine_input(m, &a_up, &err), 0);
    ck_assert_uint_eq(bus_rd(m, kbd + 0x10, 1), 0);
    machine_destroy(m);
}
END_TEST

static Suite *virtio_input_suite(void)
{
    Suite *s = suite_create("virtio_input");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, config_keyboard);
    tcase_add_test(tc, config_tablet_and_touch);
    tcase_add_test(tc, keyboard_events);
    tcase_add_test(tc, tablet_events);
    tcase_add_test(tc, touch_events);
    tcase_add_test(tc, queue_without_buffers);
    tcase_add_test(tc, status_queue_leds);
    tcase_add_test(tc, save_load);
    tcase_add_test(tc, arm_virt_routing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(virtio_input_suite());
}
