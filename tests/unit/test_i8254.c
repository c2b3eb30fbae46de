/* The 8254 model driven through its device descriptor: a fake IRQ 0 sink
 * that records OUT0's edges, and a virtual clock advanced by hand. Expected
 * values are computed here from the datasheet's rules and the input clock
 * edges ns(k) = ceil(k * 1e9 / f), independently of the model. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/clock.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

#define HZ 1193182ull
#define NS 1000000000ull

enum { C0 = 0, C1 = 1, C2 = 2, CTRL = 3 };

struct sink {
    bool level;
    unsigned rises, falls;
    uint64_t last_rise;
    struct vclock *clock;
};

struct rig {
    struct vclock clock;
    struct irq_line line;
    struct sink sink;
    void *dev;
};

static void sink_set(void *opaque, unsigned input, bool level)
{
    struct sink *k = opaque;
    (void)input;
    k->level = level;
    if (level) {
        k->rises++;
        k->last_rise = clock_now(k->clock);
    } else {
        k->falls++;
    }
}

/* Edge k of the 1193182 Hz input clock. */
static uint64_t T(uint64_t k)
{
    return (uint64_t)(((unsigned __int128)k * NS + HZ - 1) / HZ);
}

static struct device_ctx rig_ctx(struct rig *r)
{
    return (struct device_ctx){
        .node = -1,
        .path = "/isa/timer@1,40",
        .nwindows = 2,
        .window_base = { 0x40, 0x61 },
        .window_size = { 4, 1 },
        .irqs = { &r->line },
        .nirqs = 1,
        .clock = &r->clock,
    };
}

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    clock_init(&r->clock, CLOCK_MODE_VIRTUAL, 1);
    r->sink.clock = &r->clock;
    irq_connect(&r->line, sink_set, &r->sink, 0);
    struct device_ctx ctx = rig_ctx(r);
    struct orr_error err = { { 0 } };
    ck_assert_msg(i8254_model.create(&ctx, &r->dev, &err) == 0, "create: %s", err.msg);
    return r;
}

static void rig_free(struct rig *r)
{
    i8254_model.destroy(r->dev);
    free(r);
}

static void out(struct rig *r, unsigned port, uint8_t v)
{
    ck_assert_int_eq(i8254_model.write(r->dev, 0, port, 1, v), BUS_OK);
}

static uint8_t in(struct rig *r, unsigned port)
{
    uint64_t v = 0;
    ck_assert_int_eq(i8254_model.read(r->dev, 0, port, 1, &v), BUS_OK);
    return (uint8_t)v;
}

static void out61(struct rig *r, uint8_t v)
{
    ck_assert_int_eq(i8254_model.write(r->dev, 1, 0, 1, v), BUS_OK);
}

static uint8_t in61(struct rig *r)
{
    uint64_t v = 0;
    ck_assert_int_eq(i8254_model.read(r->dev, 1, 0, 1, &v), BUS_OK);
    return (uint8_t)v;
}

static void at(struct rig *r, uint64_t t)
{
    clock_advance_to(&r->clock, t);
}

/* Counter i's live count, LSB then MSB (RW mode 3). */
static unsigned count16(struct rig *r, unsigned i)
{
    unsigned lo = in(r, i);
    return lo | (unsigned)in(r, i) << 8;
}

/* Read-back of counter i's status. */
static uint8_t status(struct rig *r, unsigned i)
{
    out(r, CTRL, (uint8_t)(0xE0 | (2u << i)));
    return in(r, i);
}

static bool out_pin(struct rig *r, unsigned i)
{
    return (status(r, i) & 0x80) != 0;
}

/* Programs counter i: control word then count, LSB then MSB, at time t. */
static void program(struct rig *r, unsigned i, unsigned mode, unsigned count, bool bcd)
{
    out(r, CTRL, (uint8_t)((i << 6) | 0x30 | (mode << 1) | (bcd ? 1 : 0)));
    out(r, i, (uint8_t)count);
    out(r, i, (uint8_t)(count >> 8));
}

START_TEST(descriptor_and_reset)
{
    ck_assert_ptr_eq(device_model_find("intel,8254"), &i8254_model);
    struct rig *r = rig_new();
    for (unsigned i = 0; i < 3; i++)
        ck_assert_uint_eq(status(r, i), 0x70);   /* OUT 0, NULL COUNT, LSB/MSB, mode 0 */
    ck_assert_uint_eq(count16(r, C0), 0xFFFF);    /* CE before any load */
    ck_assert_uint_eq(in61(r), 0);
    ck_assert_uint_eq(in(r, CTRL), 0xFF);         /* write-only */
    uint64_t v = 0;
    ck_assert_int_eq(i8254_model.read(r->dev, 1, 5, 1, &v), BUS_OK);   /* no such port */
    ck_assert_uint_eq(v, 0xFF);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    ck_assert(!r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(mode0_interrupt_on_terminal_count)
{
    struct rig *r = rig_new();
    at(r, T(100) + 5);                  /* the write falls after edge 100 */
    program(r, C0, 0, 5, false);
    ck_assert_uint_eq(status(r, C0) & 0xC0, 0x40);   /* OUT low, NULL COUNT */
    /* loaded at edge 101, not decremented there; OUT high at 101 + 5 */
    ck_assert_uint_eq(clock_next_deadline(&r->clock), T(106));
    at(r, T(101) - 1);
    ck_assert_uint_eq(count16(r, C0), 0xFFFF);     /* not loaded yet */
    at(r, T(101));
    ck_assert_uint_eq(count16(r, C0), 5);
    ck_assert_uint_eq(status(r, C0), 0x30);        /* loaded: NULL COUNT clear */
    for (unsigned k = 1; k < 5; k++) {
        at(r, T(101 + k));
        ck_assert_uint_eq(count16(r, C0), 5 - k);
        ck_assert(!out_pin(r, C0));
    }
    at(r, T(106) - 1);
    ck_assert(!r->sink.level);
    at(r, T(106));
    ck_assert(r->sink.level);
    ck_assert_uint_eq(r->sink.last_rise, T(106));
    ck_assert_uint_eq(count16(r, C0), 0);
    at(r, T(107));
    ck_assert_uint_eq(count16(r, C0), 0xFFFF);     /* counting goes on, OUT stays high */
    at(r, T(106 + 65536));
    ck_assert_uint_eq(count16(r, C0), 0);
    ck_assert(out_pin(r, C0));
    ck_assert_uint_eq(r->sink.rises, 1);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    /* a new count: OUT low at the first byte, counting stops until loaded */
    at(r, T(200000) + 1);
    out(r, C0, 3);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    out(r, C0, 0);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), T(200004));
    at(r, T(200001));
    ck_assert_uint_eq(count16(r, C0), 3);
    at(r, T(200004));
    ck_assert(r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(mode0_first_byte_stops_counting)
{
    struct rig *r = rig_new();
    program(r, C0, 0, 1000, false);                /* tick 0: loaded at edge 1 */
    at(r, T(11));
    ck_assert_uint_eq(count16(r, C0), 990);
    out(r, C0, 0x20);                              /* LSB only */
    at(r, T(50));
    ck_assert_uint_eq(count16(r, C0), 990);        /* stopped */
    ck_assert(!out_pin(r, C0));
    ck_assert_uint_eq(status(r, C0) & 0x40, 0);    /* NULL COUNT waits for the MSB */
    out(r, C0, 0x00);                              /* MSB: count 0x20, loaded next edge */
    ck_assert_uint_eq(status(r, C0) & 0x40, 0x40);
    at(r, T(51));
    ck_assert_uint_eq(count16(r, C0), 0x20);
    at(r, T(51 + 0x20));
    ck_assert(r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(mode0_gate_on_counter2)
{
    struct rig *r = rig_new();
    out61(r, 0x00);                                /* gate 2 low */
    program(r, C2, 0, 10, false);
    at(r, T(5));
    ck_assert_uint_eq(count16(r, C2), 10);         /* loaded at edge 1 while gate low */
    out61(r, 0x01);                                /* gate high after edge 5 */
    at(r, T(8));
    ck_assert_uint_eq(count16(r, C2), 7);
    out61(r, 0x00);
    at(r, T(30));
    ck_assert_uint_eq(count16(r, C2), 7);
    ck_assert_uint_eq(in61(r) & 0x20, 0);
    out61(r, 0x01);                                /* after edge 30: 7 more edges */
    at(r, T(37) - 1);
    ck_assert_uint_eq(in61(r) & 0x21, 0x01);
    at(r, T(37));
    ck_assert_uint_eq(in61(r) & 0x21, 0x21);       /* OUT2 in port B bit 5 */
    rig_free(r);
}
END_TEST

START_TEST(mode1_hardware_one_shot)
{
    struct rig *r = rig_new();
    program(r, C2, 1, 3, false);
    ck_assert(out_pin(r, C2));                     /* high until triggered */
    at(r, T(10) + 3);
    ck_assert_uint_eq(status(r, C2) & 0x40, 0x40); /* waits for the trigger */
    out61(r, 0x01);                                /* trigger after edge 10 */
    at(r, T(11) - 1);
    ck_assert(out_pin(r, C2));
    at(r, T(11));                                  /* loaded: OUT low for 3 clocks */
    ck_assert(!out_pin(r, C2));
    ck_assert_uint_eq(count16(r, C2), 3);
    at(r, T(13));
    ck_assert(!out_pin(r, C2));
    ck_assert_uint_eq(count16(r, C2), 1);
    at(r, T(14));
    ck_assert(out_pin(r, C2));
    ck_assert_uint_eq(count16(r, C2), 0);
    at(r, T(15));
    ck_assert_uint_eq(count16(r, C2), 0xFFFF);
    /* retrigger during the one-shot restarts it */
    out61(r, 0x00);
    out61(r, 0x01);
    at(r, T(16));
    ck_assert(!out_pin(r, C2));
    out61(r, 0x00);
    at(r, T(17) + 1);
    out61(r, 0x01);                                /* after edge 17: reload at 18 */
    at(r, T(20));
    ck_assert(!out_pin(r, C2));
    ck_assert_uint_eq(count16(r, C2), 1);
    at(r, T(21));
    ck_assert(out_pin(r, C2));
    rig_free(r);
}
END_TEST

START_TEST(mode2_rate_generator)
{
    struct rig *r = rig_new();
    program(r, C0, 2, 4, false);                   /* edge 1 loads 4 */
    ck_assert(r->sink.level);                      /* the control word sets OUT high */
    static const unsigned counts[] = { 0, 4, 3, 2, 1, 4, 3, 2, 1, 4 };
    for (unsigned k = 1; k < 10; k++) {
        at(r, T(k));
        ck_assert_uint_eq(count16(r, C0), counts[k]);
        ck_assert_int_eq(out_pin(r, C0), counts[k] != 1);
        ck_assert_int_eq(r->sink.level, counts[k] != 1);
    }
    ck_assert_uint_eq(r->sink.rises, 3);           /* the control word, edges 5 and 9 */
    /* a new count takes effect at the next reload (edge 13), not before */
    at(r, T(10) + 7);
    out(r, C0, 6);
    out(r, C0, 0);
    ck_assert_uint_eq(status(r, C0) & 0x40, 0x40);
    at(r, T(12));
    ck_assert_uint_eq(count16(r, C0), 1);
    at(r, T(13));
    ck_assert_uint_eq(count16(r, C0), 6);
    ck_assert_uint_eq(status(r, C0) & 0x40, 0);
    at(r, T(18));
    ck_assert_uint_eq(count16(r, C0), 1);
    ck_assert(!r->sink.level);
    at(r, T(19));
    ck_assert(r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(mode2_gate_low_forces_out_high_and_reloads)
{
    struct rig *r = rig_new();
    out61(r, 0x01);
    program(r, C2, 2, 5, false);                   /* loaded at edge 1 */
    at(r, T(4));
    ck_assert_uint_eq(count16(r, C2), 2);
    at(r, T(5));
    ck_assert(!out_pin(r, C2));                    /* count 1: OUT low */
    out61(r, 0x00);
    ck_assert(out_pin(r, C2));                     /* gate low: high at once */
    at(r, T(20));
    ck_assert_uint_eq(count16(r, C2), 1);          /* stopped */
    out61(r, 0x01);                                /* trigger: reload at 21 */
    at(r, T(21));
    ck_assert_uint_eq(count16(r, C2), 5);
    at(r, T(25));
    ck_assert(!out_pin(r, C2));                    /* N clocks after the trigger */
    rig_free(r);
}
END_TEST

START_TEST(mode3_square_wave_even_and_odd)
{
    struct rig *r = rig_new();
    program(r, C0, 3, 6, false);
    /* even: 6 4 2 high, 6 4 2 low */
    static const unsigned even[] = { 6, 4, 2, 6, 4, 2, 6 };
    static const bool even_out[] = { 1, 1, 1, 0, 0, 0, 1 };
    for (unsigned k = 0; k < 7; k++) {
        at(r, T(1 + k));
        ck_assert_uint_eq(count16(r, C0), even[k]);
        ck_assert_int_eq(out_pin(r, C0), even_out[k]);
        ck_assert_int_eq(r->sink.level, even_out[k]);
    }
    rig_free(r);

    r = rig_new();
    program(r, C0, 3, 5, false);
    /* odd: N-1 loaded; high (N+1)/2 = 3 clocks (4 2 0), low 2 clocks (4 2) */
    static const unsigned odd[] = { 4, 2, 0, 4, 2, 4, 2, 0, 4, 2, 4 };
    static const bool odd_out[] = { 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1 };
    for (unsigned k = 0; k < 11; k++) {
        at(r, T(1 + k));
        ck_assert_uint_eq(count16(r, C0), odd[k]);
        ck_assert_int_eq(out_pin(r, C0), odd_out[k]);
    }
    /* far ahead, the closed form: edge 1 + 5 * 100000 starts a period */
    at(r, T(1 + 5 * 100000));
    ck_assert_uint_eq(count16(r, C0), 4);
    ck_assert(out_pin(r, C0));
    at(r, T(1 + 5 * 100000 + 3));
    ck_assert(!out_pin(r, C0));
    ck_assert_uint_eq(r->sink.rises, 100001);
    rig_free(r);
}
END_TEST

START_TEST(mode3_new_count_at_half_cycle)
{
    struct rig *r = rig_new();
    program(r, C0, 3, 8, false);                   /* high 8 6 4 2 (edges 1-4) */
    at(r, T(2));
    out(r, C0, 4);
    out(r, C0, 0);
    at(r, T(4));
    ck_assert_uint_eq(count16(r, C0), 2);          /* this half keeps its count */
    at(r, T(5));
    ck_assert_uint_eq(count16(r, C0), 4);          /* low half of the new count */
    ck_assert(!out_pin(r, C0));
    at(r, T(7));
    ck_assert(out_pin(r, C0));
    ck_assert_uint_eq(count16(r, C0), 4);
    rig_free(r);
}
END_TEST

START_TEST(mode4_software_strobe)
{
    struct rig *r = rig_new();
    program(r, C0, 4, 3, false);
    ck_assert(r->sink.level);
    at(r, T(1));
    ck_assert_uint_eq(count16(r, C0), 3);
    at(r, T(4) - 1);
    ck_assert(r->sink.level);
    at(r, T(4));                                   /* N + 1 clocks after the write */
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(count16(r, C0), 0);
    at(r, T(5));
    ck_assert(r->sink.level);
    ck_assert_uint_eq(count16(r, C0), 0xFFFF);
    at(r, T(4 + 65536));                           /* the strobe comes once */
    ck_assert(r->sink.level);
    ck_assert_uint_eq(r->sink.falls, 1);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    rig_free(r);
}
END_TEST

START_TEST(mode5_hardware_strobe)
{
    struct rig *r = rig_new();
    program(r, C2, 5, 2, false);
    at(r, T(7) + 1);
    ck_assert(out_pin(r, C2));
    out61(r, 0x01);                                /* trigger after edge 7 */
    at(r, T(8));
    ck_assert_uint_eq(count16(r, C2), 2);
    at(r, T(10));
    ck_assert(!out_pin(r, C2));                    /* N + 1 clocks after the trigger */
    at(r, T(11));
    ck_assert(out_pin(r, C2));
    ck_assert_uint_eq(count16(r, C2), 0xFFFF);
    rig_free(r);
}
END_TEST

START_TEST(bcd_counting)
{
    struct rig *r = rig_new();
    program(r, C0, 0, 0x0010, true);               /* BCD 10 */
    ck_assert_uint_eq(status(r, C0) & 1, 1);
    at(r, T(1));
    ck_assert_uint_eq(count16(r, C0), 0x0010);
    at(r, T(2));
    ck_assert_uint_eq(count16(r, C0), 0x0009);
    at(r, T(11));
    ck_assert_uint_eq(count16(r, C0), 0x0000);
    ck_assert(r->sink.level);
    at(r, T(12));
    ck_assert_uint_eq(count16(r, C0), 0x9999);
    rig_free(r);

    r = rig_new();
    program(r, C0, 2, 0x0000, true);               /* BCD 0 = 10000 */
    at(r, T(1));
    ck_assert_uint_eq(count16(r, C0), 0x0000);
    at(r, T(2));
    ck_assert_uint_eq(count16(r, C0), 0x9999);
    at(r, T(10000));
    ck_assert_uint_eq(count16(r, C0), 0x0001);
    ck_assert(!r->sink.level);
    at(r, T(10001));
    ck_assert(r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(access_modes_and_latch)
{
    struct rig *r = rig_new();
    out(r, CTRL, 0x14);                            /* counter 0, LSB only, mode 2 */
    out(r, C0, 0x80);
    at(r, T(1));
    ck_assert_uint_eq(in(r, C0), 0x80);
    ck_assert_uint_eq(in(r, C0), 0x80);            /* no flip-flop */
    out(r, CTRL, 0x24);                            /* MSB only */
    out(r, C0, 0x02);                              /* 0x200, loaded at edge 2 */
    at(r, T(2));
    ck_assert_uint_eq(in(r, C0), 0x02);
    at(r, T(2 + 0x100));
    ck_assert_uint_eq(in(r, C0), 0x01);            /* 0x100 */

    program(r, C0, 2, 0x1234, false);              /* at edge 0x102: loaded at 0x103 */
    at(r, T(0x103));
    ck_assert_uint_eq(count16(r, C0), 0x1234);
    at(r, T(0x103 + 0x34));
    out(r, CTRL, 0x00);                            /* latch: 0x1200 */
    at(r, T(0x103 + 0x100));
    out(r, CTRL, 0x00);                            /* ignored: still latched */
    ck_assert_uint_eq(in(r, C0), 0x00);
    ck_assert_uint_eq(in(r, C0), 0x12);
    ck_assert_uint_eq(count16(r, C0), 0x1134);     /* released: live again */
    /* read and write flip-flops are separate */
    ck_assert_uint_eq(in(r, C0), 0x34);            /* LSB */
    out(r, C0, 0x00);                              /* new LSB */
    ck_assert_uint_eq(in(r, C0), 0x11);            /* MSB */
    out(r, C0, 0x10);                              /* new MSB: 0x1000 pending */
    ck_assert_uint_eq(status(r, C0) & 0x40, 0x40);
    rig_free(r);
}
END_TEST

START_TEST(read_back_command)
{
    struct rig *r = rig_new();
    program(r, C0, 2, 100, false);
    program(r, C2, 3, 0x0999, true);
    out61(r, 0x01);
    at(r, T(11));
    /* count and status of counters 0 and 2 */
    out(r, CTRL, 0xCA);
    ck_assert_uint_eq(in(r, C0), 0x80 | 0x30 | (2 << 1));   /* status first */
    at(r, T(20));
    ck_assert_uint_eq(count16(r, C0), 90);         /* the count latched at edge 11 */
    ck_assert_uint_eq(count16(r, C0), 81);         /* live */
    ck_assert_uint_eq(in(r, C2), 0x80 | 0x30 | (3 << 1) | 1);
    /* 999 is odd: 998 loaded at edge 1, 10 edges of 2 later: 978 */
    ck_assert_uint_eq(count16(r, C2), 0x0978);
    /* status only, counter 1 (never programmed): mode 0, NULL COUNT */
    out(r, CTRL, 0xE4);
    ck_assert_uint_eq(in(r, C1), 0x70);
    /* a second status latch before the read is ignored */
    out(r, CTRL, 0xE2);
    at(r, T(100));
    out(r, CTRL, 0xE2);
    ck_assert_uint_eq(in(r, C0), 0x80 | 0x30 | (2 << 1));
    /* count only */
    out(r, CTRL, 0xD2);
    ck_assert_uint_eq(count16(r, C0), 1);          /* edge 100: 100 - 99 mod period */
    ck_assert_uint_eq(status(r, C0), 0x34);        /* OUT low at count 1 */
    rig_free(r);
}
END_TEST

START_TEST(null_count_follows_loads)
{
    struct rig *r = rig_new();
    out(r, CTRL, 0x34);
    ck_assert_uint_eq(status(r, C0) & 0x40, 0x40);
    out(r, C0, 10);
    ck_assert_uint_eq(status(r, C0) & 0x40, 0x40);
    out(r, C0, 0);
    ck_assert_uint_eq(status(r, C0) & 0x40, 0x40);
    at(r, T(1));
    ck_assert_uint_eq(status(r, C0) & 0x40, 0);
    /* a trigger before any count does nothing */
    out(r, CTRL, 0xB2);
    at(r, T(2));
    out61(r, 1);
    at(r, T(10));
    ck_assert_uint_eq(status(r, C2), 0xF2);        /* OUT high, NULL COUNT, mode 1 */
    ck_assert_uint_eq(count16(r, C2), 0xFFFF);
    out61(r, 0);
    program(r, C2, 1, 5, false);                   /* mode 1: waits for a trigger */
    at(r, T(50));
    ck_assert_uint_eq(status(r, C2) & 0x40, 0x40);
    out61(r, 1);
    at(r, T(51));
    ck_assert_uint_eq(status(r, C2) & 0x40, 0);
    rig_free(r);
}
END_TEST

/* Linux's periodic tick: mode 2, LATCH = 1193 (HZ 1000): the rising edges
 * of OUT0 at edges 1 + m * 1193 exactly, with no error carried. */
START_TEST(periodic_irq0_without_drift)
{
    struct rig *r = rig_new();
    program(r, C0, 2, 1193, false);
    unsigned rises0 = r->sink.rises;
    unsigned seen = 0;
    while (seen < 1000) {
        uint64_t d = clock_next_deadline(&r->clock);
        ck_assert_uint_ne(d, CLOCK_NEVER);
        unsigned before = r->sink.rises;
        at(r, d);
        if (r->sink.rises != before) {
            seen++;
            ck_assert_uint_eq(r->sink.last_rise, T(1 + (uint64_t)seen * 1193));
        }
    }
    ck_assert_uint_eq(r->sink.rises - rises0, 1000);
    /* 1000 periods = 1193000 clocks: 999847.6 us after edge 1 */
    ck_assert_uint_eq(r->sink.last_rise, 999848305ull);
    ck_assert_uint_eq(r->sink.falls, 1000);
    rig_free(r);
}
END_TEST

/* Port B: bit 4 toggles every 18 input clocks; bits 2-3 read back; bit 5 is
 * OUT2; bits 6-7 read 0. */
START_TEST(port_b)
{
    struct rig *r = rig_new();
    out61(r, 0xFF);
    ck_assert_uint_eq(in61(r) & 0xCF, 0x0F);
    out61(r, 0x0C);
    at(r, T(18) - 1);
    ck_assert_uint_eq(in61(r), 0x0C);
    at(r, T(18));
    ck_assert_uint_eq(in61(r), 0x1C);
    at(r, T(36) - 1);
    ck_assert_uint_eq(in61(r), 0x1C);
    at(r, T(36));
    ck_assert_uint_eq(in61(r), 0x0C);
    /* OUT2 in mode 3 */
    program(r, C2, 3, 4, false);                   /* at edge 36 */
    out61(r, 0x03);
    ck_assert_uint_eq(in61(r) & 0x20, 0x20);
    at(r, T(36 + 1 + 2));
    ck_assert_uint_eq(in61(r) & 0x20, 0);
    at(r, T(36 + 1 + 4));
    ck_assert_uint_eq(in61(r) & 0x20, 0x20);
    rig_free(r);
}
END_TEST

/* The sequence of Linux's quick_pit_calibrate, read mid-run: speaker off,
 * gate 2 high, counter 2 mode 0 with 0xFFFF, then the MSB read again and
 * again while the CPU runs (1 ns per instruction, the TSC's rate). */
START_TEST(quick_calibrate_sequence_mid_run)
{
    struct rig *r = rig_new();
    uint64_t done = 0;
    r->clock.run_done = &done;
    at(r, 1000000);                                /* the run starts at 1 ms */
    out61(r, (uint8_t)((in61(r) & ~0x02) | 0x01));
    out(r, CTRL, 0xB0);
    out(r, C2, 0xFF);
    out(r, C2, 0xFF);
    uint64_t w = (uint64_t)((unsigned __int128)1000000 * HZ / NS);   /* write's edge */
    unsigned expected_msb = 0xFF, steps = 0, at_ff = 0;
    uint64_t first_seen[8] = { 0 };
    for (unsigned i = 0; i < 8000; i++) {
        done += 137;                               /* instructions between reads */
        uint64_t t = 1000000 + done;
        uint64_t k = (uint64_t)((unsigned __int128)t * HZ / NS);
        (void)in(r, C2);                           /* LSB, discarded */
        unsigned msb = in(r, C2);
        if (k <= w) {
            ck_assert_uint_eq(msb, 0xFF);          /* not loaded yet: CE as it was */
            at_ff++;
            continue;
        }
        unsigned ce = 0xFFFF - (unsigned)(k - w - 1);
        ck_assert_uint_eq(msb, ce >> 8);
        if (msb == 0xFF)
            at_ff++;
        if (msb != expected_msb) {
            ck_assert_uint_eq(msb, expected_msb - 1);   /* one step at a time */
            expected_msb = msb;
            first_seen[steps++] = t;
        }
    }
    /* 1.096 ms of run: 1307 clocks, five MSB steps 256 clocks apart
     * (214552 ns), each seen within one read interval */
    ck_assert_uint_gt(at_ff, 5);                   /* pit_expect_msb's "count > 5" */
    ck_assert_uint_eq(steps, 5);
    ck_assert_uint_eq(expected_msb, 0xFA);
    for (unsigned j = 1; j < steps; j++) {
        uint64_t d = first_seen[j] - first_seen[j - 1];
        ck_assert_uint_ge(d, 214552 - 137);
        ck_assert_uint_le(d, 214552 + 137);
    }
    ck_assert_uint_eq(in61(r) & 0x20, 0);          /* OUT2 still low */
    /* a later slice: OUT2 rises 65536 clocks after the load */
    r->clock.run_done = NULL;
    at(r, T(w + 1 + 0xFFFF) - 1);
    ck_assert_uint_eq(in61(r) & 0x20, 0);
    at(r, T(w + 1 + 0xFFFF));
    ck_assert_uint_eq(in61(r) & 0x20, 0x20);
    rig_free(r);
}
END_TEST

/* Reading counter 0 mid-run does not move its event (which would end the
 * run); reprogramming it does. */
START_TEST(reads_leave_the_run_alone)
{
    struct rig *r = rig_new();
    program(r, C0, 2, 1000, false);
    uint64_t deadline = clock_next_deadline(&r->clock);
    bool end = false;
    uint64_t done = 0;
    r->clock.run_end = &end;
    r->clock.run_done = &done;
    for (unsigned i = 0; i < 50; i++) {
        done += 10;
        out(r, CTRL, 0x00);
        (void)count16(r, C0);
        (void)status(r, C0);
    }
    ck_assert(!end);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), deadline);
    out(r, C0, 0xE8);                              /* the same count again: taken at */
    out(r, C0, 0x03);                              /* the reload, nothing moves */
    ck_assert(!end);
    program(r, C0, 2, 500, false);
    ck_assert(end);
    ck_assert_uint_ne(clock_next_deadline(&r->clock), deadline);
    r->clock.run_end = NULL;
    r->clock.run_done = NULL;
    rig_free(r);
}
END_TEST

/* Reading at every clock and reading once at the end must agree: the closed
 * forms over long spans equal the clock-by-clock behaviour. */
START_TEST(closed_forms_match_stepping)
{
    static const struct { unsigned mode, count; bool bcd; } cases[] = {
        { 0, 7, false }, { 1, 9, false }, { 2, 5, false }, { 3, 7, false },
        { 3, 8, false }, { 4, 6, false }, { 5, 4, false }, { 2, 0x0012, true },
        { 3, 0x0015, true }, { 3, 3, false },
    };
    for (size_t n = 0; n < sizeof cases / sizeof cases[0]; n++) {
        struct rig *a = rig_new(), *b = rig_new();
        struct rig *both[2] = { a, b };
        for (unsigned s = 0; s < 2; s++) {
            out61(both[s], 0x01);
            program(both[s], C2, cases[n].mode, cases[n].count, cases[n].bcd);
        }
        /* gate pulses at fixed edges, the same in both */
        static const uint64_t gate_at[] = { 23, 40, 41, 77, 90, 200 };
        uint64_t k = 0;
        for (size_t g = 0; g < sizeof gate_at / sizeof gate_at[0]; g++) {
            for (; k < gate_at[g]; k++) {
                at(a, T(k) + 1);
                (void)count16(a, C2);
                (void)in61(a);
            }
            for (unsigned s = 0; s < 2; s++) {
                at(both[s], T(gate_at[g]) + 1);
                out61(both[s], (uint8_t)(g & 1 ? 0x01 : 0x00));
            }
        }
        for (; k < 400; k++) {
            at(a, T(k) + 1);
            (void)count16(a, C2);
        }
        at(a, T(400) + 1);
        at(b, T(400) + 1);
        ck_assert_msg(status(a, C2) == status(b, C2), "case %zu status", n);
        ck_assert_msg(count16(a, C2) == count16(b, C2), "case %zu count", n);
        rig_free(a);
        rig_free(b);
    }
}
END_TEST

/* The same with random programming: modes, small and BCD counts, rewrites
 * and gate changes at random edges; one rig reads both counters at every
 * clock, the other only at the end; OUT0's interrupt edges must match. */
static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1103515245u + 12345u;
    return *x >> 16;
}

static void random_op(struct rig *r, uint32_t op, uint32_t arg)
{
    unsigned count = 1 + arg % 23;
    switch (op % 4) {
    case 0:
        out61(r, (uint8_t)(arg & 1));
        break;
    case 1:
        out(r, C0, (uint8_t)count);
        out(r, C0, 0);
        out(r, C2, (uint8_t)count);
        out(r, C2, 0);
        break;
    default:
        program(r, (op & 4) ? C2 : C0, (arg >> 5) % 8, count, (arg >> 8) & 1);
        break;
    }
}

START_TEST(random_programs_match_stepping)
{
    uint32_t seed = 12345;
    for (unsigned n = 0; n < 60; n++) {
        struct rig *a = rig_new(), *b = rig_new();
        struct rig *both[2] = { a, b };
        uint32_t first = lcg(&seed);
        for (unsigned s = 0; s < 2; s++) {
            program(both[s], C0, first % 6, 2 + first % 9, false);
            program(both[s], C2, (first >> 3) % 6, 3 + first % 7, false);
            out61(both[s], 1);
        }
        uint64_t k = 0;
        for (unsigned op = 0; op < 12; op++) {
            uint64_t when = k + 1 + lcg(&seed) % 40;
            uint32_t kind = lcg(&seed), arg = lcg(&seed);
            for (; k < when; k++) {
                at(a, T(k) + 1);
                (void)count16(a, C0);
                (void)count16(a, C2);
                (void)in61(a);
            }
            for (unsigned s = 0; s < 2; s++) {
                at(both[s], T(when) + 1);
                random_op(both[s], kind, arg);
            }
        }
        at(a, T(k + 100) + 1);
        at(b, T(k + 100) + 1);
        for (unsigned i = 0; i < 3; i += 2) {
            ck_assert_msg(status(a, i) == status(b, i), "program %u counter %u status", n, i);
            ck_assert_msg(count16(a, i) == count16(b, i), "program %u counter %u count", n, i);
        }
        ck_assert_msg(a->sink.rises == b->sink.rises && a->sink.falls == b->sink.falls,
                      "program %u: OUT0 edges %u/%u vs %u/%u", n, a->sink.rises,
                      a->sink.falls, b->sink.rises, b->sink.falls);
        ck_assert_uint_eq(a->sink.last_rise, b->sink.last_rise);
        rig_free(a);
        rig_free(b);
    }
}
END_TEST

static void save_to(struct rig *r, struct state_writer *w)
{
    state_writer_init(w);
    state_begin(w, "i8254", i8254_model.state_version);
    ck_assert_int_eq(i8254_model.save(r->dev, w), 0);
    state_end(w);
    struct orr_error err = { { 0 } };
    ck_assert_msg(state_writer_finish(w, &err) == 0, "%s", err.msg);
}

START_TEST(save_load_round_trip)
{
    struct rig *a = rig_new();
    program(a, C0, 2, 1193, false);
    out61(a, 0x0D);
    program(a, C2, 3, 0x0777, true);
    at(a, T(5000) + 3);
    out(a, CTRL, 0x00);                            /* counter 0 latched */
    (void)in(a, C0);                               /* LSB of the latch read */
    out(a, CTRL, 0xB0);                            /* counter 2: mode 0 ... */
    out(a, C2, 0x34);                              /* ... first byte only */
    uint64_t deadline = clock_next_deadline(&a->clock);

    struct state_writer w;
    save_to(a, &w);
    struct rig *b = rig_new();
    at(b, T(5000) + 3);
    struct orr_error err = { { 0 } };
    struct state_reader sr;
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "i8254"), 0);
    ck_assert_msg(i8254_model.load(b->dev, &sr, &err) == 0, "load: %s", err.msg);
    ck_assert_uint_eq(clock_next_deadline(&b->clock), deadline);
    ck_assert_int_eq(b->sink.level, a->sink.level);
    struct rig *both[2] = { a, b };
    unsigned got[2][6];
    for (unsigned s = 0; s < 2; s++) {
        struct rig *r = both[s];
        got[s][0] = in(r, C0);                     /* the latch's MSB */
        out(r, C2, 0x12);                          /* the second byte */
        at(r, T(6000));
        got[s][1] = count16(r, C0);
        got[s][2] = count16(r, C2);
        got[s][3] = status(r, C0);
        got[s][4] = status(r, C2);
        got[s][5] = in61(r);
    }
    for (unsigned i = 0; i < 6; i++)
        ck_assert_msg(got[0][i] == got[1][i], "value %u: %x vs %x", i, got[0][i], got[1][i]);
    ck_assert_uint_eq(got[0][2], 0x1234 - (6000 - 5001));

    /* truncated: refused, the device unchanged */
    struct rig *c = rig_new();
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "i8254"), 0);
    sr.section_end -= 2;
    ck_assert_int_ne(i8254_model.load(c->dev, &sr, &err), 0);
    ck_assert_uint_eq(status(c, C0), 0x70);
    /* inconsistent: RW 0 in counter 0 (byte 2 of the payload) */
    uint8_t *bad = malloc(w.len);
    ck_assert_ptr_nonnull(bad);
    memcpy(bad, w.buf, w.len);
    ck_assert_int_eq(state_reader_init(&sr, bad, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "i8254"), 0);
    bad[sr.pos + 2] = 0;
    ck_assert_int_ne(i8254_model.load(c->dev, &sr, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "inconsistent"));
    /* counter 0's anchor (bytes 18-25) beyond the last edge of 64-bit time */
    memcpy(bad, w.buf, w.len);
    ck_assert_int_eq(state_reader_init(&sr, bad, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "i8254"), 0);
    memset(bad + sr.pos + 18, 0xFF, 8);
    ck_assert_int_ne(i8254_model.load(c->dev, &sr, &err), 0);
    ck_assert_uint_eq(status(c, C0), 0x70);
    free(bad);
    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
    rig_free(c);
}
END_TEST

START_TEST(create_rejects_bad_nodes)
{
    struct rig r = { 0 };
    clock_init(&r.clock, CLOCK_MODE_VIRTUAL, 1);
    struct orr_error err = { { 0 } };
    void *dev = NULL;
    struct device_ctx ctx = rig_ctx(&r);
    ctx.nwindows = 1;
    ck_assert_int_ne(i8254_model.create(&ctx, &dev, &err), 0);
    ctx = rig_ctx(&r);
    ctx.window_size[0] = 2;
    ck_assert_int_ne(i8254_model.create(&ctx, &dev, &err), 0);
    ctx = rig_ctx(&r);
    ctx.clock = NULL;
    ck_assert_int_ne(i8254_model.create(&ctx, &dev, &err), 0);
    ck_assert_ptr_null(dev);
}
END_TEST

START_TEST(reset_silences_the_timer)
{
    struct rig *r = rig_new();
    program(r, C0, 2, 100, false);
    out61(r, 0x03);
    at(r, T(1000));
    i8254_model.reset(r->dev);
    ck_assert_uint_eq(status(r, C0), 0x70);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(in61(r) & 0x0F, 0);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    rig_free(r);
}
END_TEST

static Suite *i8254_suite(void)
{
    Suite *s = suite_create("i8254");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, descriptor_and_reset);
    tcase_add_test(tc, mode0_interrupt_on_terminal_count);
    tcase_add_test(tc, mode0_first_byte_stops_counting);
    tcase_add_test(tc, mode0_gate_on_counter2);
    tcase_add_test(tc, mode1_hardware_one_shot);
    tcase_add_test(tc, mode2_rate_generator);
    tcase_add_test(tc, mode2_gate_low_forces_out_high_and_reloads);
    tcase_add_test(tc, mode3_square_wave_even_and_odd);
    tcase_add_test(tc, mode3_new_count_at_half_cycle);
    tcase_add_test(tc, mode4_software_strobe);
    tcase_add_test(tc, mode5_hardware_strobe);
    tcase_add_test(tc, bcd_counting);
    tcase_add_test(tc, access_modes_and_latch);
    tcase_add_test(tc, read_back_command);
    tcase_add_test(tc, null_count_follows_loads);
    tcase_add_test(tc, periodic_irq0_without_drift);
    tcase_add_test(tc, port_b);
    tcase_add_test(tc, quick_calibrate_sequence_mid_run);
    tcase_add_test(tc, reads_leave_the_run_alone);
    tcase_add_test(tc, closed_forms_match_stepping);
    tcase_add_test(tc, random_programs_match_stepping);
    tcase_add_test(tc, save_load_round_trip);
    tcase_add_test(tc, create_rejects_bad_nodes);
    tcase_add_test(tc, reset_silences_the_timer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(i8254_suite());
}
