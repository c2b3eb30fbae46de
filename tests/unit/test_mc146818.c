/* The MC146818A model driven directly through its device descriptor: a
 * fake interrupt sink and a virtual clock whose wall-clock base the tests
 * set. Port 0 is the index (0x70), port 1 the data (0x71). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/clock.h"
#include "machine/bus.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

#define NS 1000000000ull
#define EPOCH_2024_02_29_134530 1709214330ull

enum { SEC = 0, ASEC = 1, MIN = 2, AMIN = 3, HOUR = 4, AHOUR = 5, DOW = 6, DAY = 7, MONTH = 8,
       YEAR = 9, RA = 0x0A, RB = 0x0B, RC = 0x0C, RD = 0x0D };

struct sink {
    bool level;
    unsigned changes;
};

struct rig {
    struct vclock clock;
    struct irq_line line;
    struct sink sink;
    uint64_t done;
    void *dev;
};

static void sink_set(void *opaque, unsigned input, bool level)
{
    struct sink *k = opaque;
    (void)input;
    k->level = level;
    k->changes++;
}

static struct rig *rig_new_full(enum clock_mode mode, uint64_t epoch_ns, struct bus *bus)
{
    struct rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    clock_init(&r->clock, mode, 10);
    if (epoch_ns)
        r->clock.virtual_epoch_ns = epoch_ns;
    irq_connect(&r->line, sink_set, &r->sink, 8);
    struct device_ctx ctx = {
        .node = -1,
        .path = "/isa/rtc@1,70",
        .nwindows = 1,
        .window_base = { 0x70 },
        .window_size = { 2 },
        .irqs = { &r->line },
        .nirqs = 1,
        .clock = &r->clock,
        .bus = bus,
    };
    struct orr_error err = { { 0 } };
    ck_assert_msg(mc146818_model.create(&ctx, &r->dev, &err) == 0, "create: %s", err.msg);
    return r;
}

static struct rig *rig_at(uint64_t epoch_s)
{
    return rig_new_full(CLOCK_MODE_VIRTUAL, epoch_s * NS, NULL);
}

static struct rig *rig_new(void)
{
    return rig_new_full(CLOCK_MODE_VIRTUAL, 0, NULL);
}

static void rig_free(struct rig *r)
{
    mc146818_model.destroy(r->dev);
    free(r);
}

static uint8_t rd(struct rig *r, unsigned reg)
{
    uint64_t v = 0;
    ck_assert_int_eq(mc146818_model.write(r->dev, 0, 0, 1, reg), BUS_OK);
    ck_assert_int_eq(mc146818_model.read(r->dev, 0, 1, 1, &v), BUS_OK);
    return (uint8_t)v;
}

static void wr(struct rig *r, unsigned reg, uint8_t v)
{
    ck_assert_int_eq(mc146818_model.write(r->dev, 0, 0, 1, reg), BUS_OK);
    ck_assert_int_eq(mc146818_model.write(r->dev, 0, 1, 1, v), BUS_OK);
}

static void at(struct rig *r, uint64_t t)
{
    clock_advance_to(&r->clock, t);
}

/* The seven time and date registers as one hex string: "ss mm hh dw dd mo yy". */
static void date_str(struct rig *r, char *buf, size_t len)
{
    snprintf(buf, len, "%02x %02x %02x %02x %02x %02x %02x", rd(r, SEC), rd(r, MIN),
             rd(r, HOUR), rd(r, DOW), rd(r, DAY), rd(r, MONTH), rd(r, YEAR));
}

#define ck_date(r, expect)                                   \
    do {                                                     \
        char got_[64];                                       \
        date_str((r), got_, sizeof got_);                    \
        ck_assert_str_eq(got_, (expect));                    \
    } while (0)

START_TEST(descriptor)
{
    ck_assert_ptr_eq(device_model_find("motorola,mc146818"), &mc146818_model);
    ck_assert_str_eq(mc146818_model.name, "mc146818");
    ck_assert(!mc146818_model.uses_chardev);
    ck_assert_ptr_nonnull(mc146818_model.save);
    ck_assert_ptr_nonnull(mc146818_model.load);
}
END_TEST

START_TEST(power_on_values)
{
    struct rig *r = rig_new();                     /* 2000-01-01, a Saturday */
    ck_date(r, "00 00 00 07 01 01 00");
    ck_assert_uint_eq(rd(r, RA), 0x26);
    ck_assert_uint_eq(rd(r, RB), 0x02);
    ck_assert_uint_eq(rd(r, RC), 0x00);
    ck_assert_uint_eq(rd(r, RD), 0x80);
    ck_assert_uint_eq(rd(r, 0x32), 0x20);          /* century, BCD */
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    rig_free(r);
}
END_TEST

START_TEST(date_in_bcd_binary_and_12_hour)
{
    struct rig *r = rig_at(EPOCH_2024_02_29_134530);   /* a Thursday */
    ck_date(r, "30 45 13 05 29 02 24");
    wr(r, RB, 0x06);                                   /* binary, 24 h */
    ck_date(r, "1e 2d 0d 05 1d 02 18");
    wr(r, RB, 0x00);                                   /* BCD, 12 h: 1 PM */
    ck_assert_uint_eq(rd(r, HOUR), 0x81);
    wr(r, RB, 0x04);                                   /* binary, 12 h */
    ck_assert_uint_eq(rd(r, HOUR), 0x81);
    /* 12-hour midnight and noon; writes in 12-hour form */
    wr(r, RB, 0x80);                                   /* SET, BCD 12 h */
    wr(r, HOUR, 0x12);                                 /* 12 AM */
    wr(r, RB, 0x82);
    ck_assert_uint_eq(rd(r, HOUR), 0x00);
    wr(r, RB, 0x80);
    wr(r, HOUR, 0x92);                                 /* 12 PM */
    wr(r, RB, 0x82);
    ck_assert_uint_eq(rd(r, HOUR), 0x12);
    wr(r, RB, 0x80);
    wr(r, HOUR, 0x11);                                 /* 11 AM */
    ck_assert_uint_eq(rd(r, HOUR), 0x11);
    wr(r, RB, 0x82);
    ck_assert_uint_eq(rd(r, HOUR), 0x11);
    /* invalid values are refused */
    wr(r, HOUR, 0x24);
    wr(r, SEC, 0x6A);
    wr(r, MONTH, 0x13);
    ck_date(r, "30 45 11 05 29 02 24");
    rig_free(r);
}
END_TEST

START_TEST(time_follows_the_clock_with_exact_updates)
{
    struct rig *r = rig_at(EPOCH_2024_02_29_134530);
    at(r, NS - 1);
    ck_assert_uint_eq(rd(r, SEC), 0x30);
    at(r, NS);
    ck_assert_uint_eq(rd(r, SEC), 0x31);
    at(r, 30 * NS);
    ck_date(r, "00 46 13 05 29 02 24");
    rig_free(r);

    /* a wall clock that is not on a whole second: the update follows it */
    r = rig_new_full(CLOCK_MODE_VIRTUAL, EPOCH_2024_02_29_134530 * NS + NS / 4, NULL);
    at(r, 3 * NS / 4 - 1);
    ck_assert_uint_eq(rd(r, SEC), 0x30);
    at(r, 3 * NS / 4);
    ck_assert_uint_eq(rd(r, SEC), 0x31);
    rig_free(r);
}
END_TEST

START_TEST(uip_window_at_exact_ns)
{
    struct rig *r = rig_new();
    /* read mid-run: the clock stands at 0 and the instruction count moves */
    r->clock.run_done = &r->done;
    r->done = (NS - 244141) / 10;                  /* 999,755,859 ns (rounded down) */
    ck_assert_uint_eq(clock_now(&r->clock), 999755850);
    ck_assert_uint_eq(rd(r, RA), 0x26);
    r->done = (NS - 244140) / 10;                  /* 999,755,860 ns */
    ck_assert_uint_eq(rd(r, RA), 0xA6);
    ck_assert_uint_eq(rd(r, SEC), 0x00);           /* not updated yet */
    r->done = (NS - 10) / 10;
    ck_assert_uint_eq(rd(r, RA), 0xA6);
    r->done = NS / 10;
    ck_assert_uint_eq(rd(r, RA), 0x26);
    ck_assert_uint_eq(rd(r, SEC), 0x01);
    r->clock.run_done = NULL;
    /* exactly: 999,755,859 no, 999,755,860 yes */
    at(r, 2 * NS - 244141);
    ck_assert_uint_eq(rd(r, RA), 0x26);
    at(r, 2 * NS - 244140);
    ck_assert_uint_eq(rd(r, RA), 0xA6);
    /* SET holds the count and clears UIP */
    wr(r, RB, 0x82);
    ck_assert_uint_eq(rd(r, RA), 0x26);
    rig_free(r);
}
END_TEST

START_TEST(set_holds_the_time_and_keeps_the_phase)
{
    struct rig *r = rig_new();
    at(r, 3 * NS / 10);
    wr(r, RB, 0x82);
    wr(r, YEAR, 0x24);
    wr(r, MONTH, 0x02);
    wr(r, DAY, 0x28);
    wr(r, HOUR, 0x23);
    wr(r, MIN, 0x59);
    wr(r, SEC, 0x59);
    at(r, 5 * NS + 3 * NS / 10);
    ck_date(r, "59 59 23 04 28 02 24");            /* held: a Wednesday */
    wr(r, RB, 0x02);
    at(r, 6 * NS - 1);
    ck_date(r, "59 59 23 04 28 02 24");
    at(r, 6 * NS);                                 /* the divider's next second */
    ck_date(r, "00 00 00 05 29 02 24");            /* leap day */

    /* not a leap year */
    wr(r, RB, 0x82);
    wr(r, YEAR, 0x23);
    wr(r, MONTH, 0x02);
    wr(r, DAY, 0x28);
    wr(r, HOUR, 0x23);
    wr(r, MIN, 0x59);
    wr(r, SEC, 0x59);
    wr(r, RB, 0x02);
    at(r, 7 * NS);
    ck_date(r, "00 00 00 04 01 03 23");
    /* the end of 2099 wraps to 2000 */
    wr(r, RB, 0x82);
    wr(r, YEAR, 0x99);
    wr(r, MONTH, 0x12);
    wr(r, DAY, 0x31);
    wr(r, HOUR, 0x23);
    wr(r, MIN, 0x59);
    wr(r, SEC, 0x59);
    ck_date(r, "59 59 23 05 31 12 99");
    wr(r, RB, 0x02);
    at(r, 8 * NS);
    ck_date(r, "00 00 00 07 01 01 00");
    /* SET clears UIE */
    wr(r, RB, 0x12);
    wr(r, RB, 0x92);
    ck_assert_uint_eq(rd(r, RB), 0x82);
    rig_free(r);
}
END_TEST

START_TEST(writes_while_running_keep_the_phase)
{
    struct rig *r = rig_new();
    at(r, 4 * NS / 10);
    wr(r, SEC, 0x10);
    ck_assert_uint_eq(rd(r, SEC), 0x10);
    at(r, NS - 1);
    ck_assert_uint_eq(rd(r, SEC), 0x10);
    at(r, NS);
    ck_assert_uint_eq(rd(r, SEC), 0x11);
    /* day of week is kept as written and advances with the date */
    wr(r, DOW, 0x03);
    ck_assert_uint_eq(rd(r, DOW), 0x03);
    wr(r, HOUR, 0x23);
    wr(r, MIN, 0x59);
    wr(r, SEC, 0x59);
    at(r, 2 * NS);
    ck_date(r, "00 00 00 04 02 01 00");
    rig_free(r);
}
END_TEST

/* Linux's mc146818_set_time: SET and the divider reset (DV = 111) while
 * the fields are written, then B and A restored: the first update comes
 * half a second after A is restored (rtc-cmos sets the time 500 ms early
 * for that reason). */
START_TEST(linux_set_time_sequence)
{
    struct rig *r = rig_new();
    at(r, 3 * NS + 3 * NS / 10);
    uint8_t save_control = rd(r, RB);
    wr(r, RB, save_control | 0x80);
    uint8_t save_freq_select = rd(r, RA);
    wr(r, RA, save_freq_select | 0x70);
    wr(r, YEAR, 0x26);
    wr(r, MONTH, 0x11);
    wr(r, DAY, 0x23);
    wr(r, HOUR, 0x12);
    wr(r, MIN, 0x34);
    wr(r, SEC, 0x56);
    wr(r, RB, save_control);
    at(r, 3 * NS + 4 * NS / 10);
    ck_date(r, "56 34 12 02 23 11 26");          /* still held by the divider */
    wr(r, RA, save_freq_select);
    at(r, 3 * NS + 9 * NS / 10 - 1);
    ck_assert_uint_eq(rd(r, SEC), 0x56);
    at(r, 3 * NS + 9 * NS / 10);
    ck_date(r, "57 34 12 02 23 11 26");
    at(r, 4 * NS + 9 * NS / 10);
    ck_assert_uint_eq(rd(r, SEC), 0x58);
    rig_free(r);
}
END_TEST

START_TEST(divider_reset_stops_and_restarts_half_a_second_later)
{
    struct rig *r = rig_new();
    at(r, 2 * NS + NS / 5);
    wr(r, RB, 0x42);                               /* PIE */
    wr(r, RA, 0x66);                               /* DV = 110: reset */
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    at(r, 10 * NS + 7 * NS / 10);
    ck_assert_uint_eq(rd(r, SEC), 0x02);
    ck_assert_uint_eq(rd(r, RA), 0x66);            /* no UIP */
    (void)rd(r, RC);
    wr(r, RA, 0x26);
    at(r, 11 * NS + 2 * NS / 10 - 1);
    ck_assert_uint_eq(rd(r, SEC), 0x02);
    at(r, 11 * NS + 2 * NS / 10);
    ck_assert_uint_eq(rd(r, SEC), 0x03);
    rig_free(r);
}
END_TEST

START_TEST(periodic_interrupt_rates)
{
    struct rig *r = rig_new();
    wr(r, RB, 0x42);                               /* PIE, 1024 Hz */
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 976563);
    at(r, 976562);
    ck_assert(!r->sink.level);
    at(r, 976563);
    ck_assert(r->sink.level);
    ck_assert_uint_eq(rd(r, RC), 0xC0);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(rd(r, RC), 0x00);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 1953125);
    /* 8192 Hz */
    wr(r, RA, 0x23);                               /* at 976,563 ns: after edge 8 */
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 1098633);   /* edge 9 */
    at(r, 1953125);
    ck_assert_uint_eq(rd(r, RC), 0xC0);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 2075196);   /* edge 17 */
    /* 2 Hz: the edges are the half seconds */
    wr(r, RA, 0x2F);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), NS / 2);
    at(r, NS / 2);
    ck_assert(r->sink.level);
    ck_assert_uint_eq(rd(r, RC), 0xC0);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), NS);
    /* rates 1 and 2 are 256 and 128 Hz at 32.768 kHz */
    wr(r, RA, 0x21);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), NS / 2 + 3906250);
    wr(r, RA, 0x22);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), NS / 2 + 7812500);
    /* RS = 0: none */
    wr(r, RA, 0x20);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    rig_free(r);
}
END_TEST

START_TEST(flags_are_set_without_their_enables)
{
    struct rig *r = rig_new();
    at(r, 2 * NS + NS / 2);
    ck_assert_uint_eq(rd(r, RC), 0x50);            /* PF and UF, no IRQF */
    ck_assert_uint_eq(rd(r, RC), 0x00);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(r->sink.changes, 0);
    /* enabling PIE with PF set raises IRQF at once */
    at(r, 3 * NS);
    wr(r, RB, 0x42);
    ck_assert(r->sink.level);
    ck_assert_uint_eq(rd(r, RC), 0xD0);
    ck_assert(!r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(alarm_with_dont_care_fields)
{
    struct rig *r = rig_new();
    wr(r, ASEC, 0x30);
    wr(r, AMIN, 0xC0);
    wr(r, AHOUR, 0xFF);
    wr(r, RB, 0x22);                               /* AIE */
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 30 * NS);
    at(r, 30 * NS - 1);
    ck_assert(!r->sink.level);
    at(r, 30 * NS);
    ck_assert(r->sink.level);
    ck_assert_uint_eq(rd(r, SEC), 0x30);
    ck_assert_uint_eq(rd(r, RC), 0xF0);            /* IRQF, PF (1024 Hz) AF UF */
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 90 * NS);
    /* a fixed minute: 00:05:00 */
    wr(r, ASEC, 0x00);
    wr(r, AMIN, 0x05);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 300 * NS);
    /* 12-hour mode: 1 PM */
    wr(r, RB, 0x20);
    wr(r, AMIN, 0x00);
    wr(r, AHOUR, 0x81);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 13 * 3600 * NS);
    /* a value that is no time never matches */
    wr(r, RB, 0x22);
    wr(r, ASEC, 0x75);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    /* the alarm seen later without AIE: AF in C */
    wr(r, RB, 0x02);
    wr(r, ASEC, 0xC0);
    wr(r, AMIN, 0xC0);
    wr(r, AHOUR, 0xC0);                            /* every second */
    at(r, 31 * NS);
    ck_assert_uint_eq(rd(r, RC), 0x70);
    rig_free(r);
}
END_TEST

START_TEST(update_interrupt)
{
    struct rig *r = rig_new();
    at(r, NS / 3);
    wr(r, RB, 0x12);                               /* UIE */
    ck_assert_uint_eq(clock_next_deadline(&r->clock), NS);
    at(r, NS);
    ck_assert(r->sink.level);
    ck_assert_uint_eq(rd(r, RC), 0xD0);            /* PF too: 1024 Hz edge at 1 s */
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(rd(r, RC), 0x00);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 2 * NS);
    /* a C read mid-run at the update's instant takes the flag; the event
     * then adds nothing */
    r->clock.run_done = &r->done;
    r->done = NS / 10;                             /* clock_now = 2 s */
    ck_assert_uint_eq(rd(r, RC), 0xD0);
    r->clock.run_done = NULL;
    at(r, 2 * NS);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(rd(r, RC), 0x00);
    rig_free(r);
}
END_TEST

START_TEST(nvram_and_nmi_mask)
{
    struct rig *r = rig_new();
    for (unsigned i = 14; i < 128; i++)
        wr(r, i, (uint8_t)(i ^ 0xA5));
    for (unsigned i = 14; i < 128; i++)
        ck_assert_uint_eq(rd(r, i), (uint8_t)(i ^ 0xA5));
    /* bit 7 of the index is the NMI mask: it selects nothing and reads back */
    ck_assert_int_eq(mc146818_model.write(r->dev, 0, 0, 1, 0x80 | 0x40), BUS_OK);
    uint64_t v = 0;
    ck_assert_int_eq(mc146818_model.read(r->dev, 0, 0, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0xC0);
    ck_assert_int_eq(mc146818_model.read(r->dev, 0, 1, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x40 ^ 0xA5);
    ck_assert_int_eq(mc146818_model.write(r->dev, 0, 1, 1, 0x11), BUS_OK);
    ck_assert_uint_eq(rd(r, 0x40), 0x11);
    ck_assert_int_eq(mc146818_model.write(r->dev, 0, 0, 1, 0x8D), BUS_OK);
    ck_assert_int_eq(mc146818_model.read(r->dev, 0, 1, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x80);                     /* register D */
    /* C and D ignore writes; UIP cannot be written */
    wr(r, RC, 0xFF);
    wr(r, RD, 0x00);
    ck_assert_uint_eq(rd(r, RD), 0x80);
    ck_assert_uint_eq(rd(r, RC), 0x00);
    wr(r, RA, 0xA6);
    ck_assert_uint_eq(rd(r, RA), 0x26);
    /* a 16-bit read: the index, then the data */
    ck_assert_int_eq(mc146818_model.write(r->dev, 0, 0, 1, 0x20), BUS_OK);
    ck_assert_int_eq(mc146818_model.read(r->dev, 0, 0, 2, &v), BUS_OK);
    ck_assert_uint_eq(v, (uint64_t)(0x20 ^ 0xA5) << 8 | 0x20);
    rig_free(r);
}
END_TEST

START_TEST(memory_sizes_from_the_bus)
{
    struct bus bus;
    bus_init(&bus, NULL);
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(bus_add_ram(&bus, "low", 0, 0xA0000, &err), 0);
    ck_assert_int_eq(bus_add_ram(&bus, "high", 0x100000, 0x1F00000, &err), 0);   /* to 32 MiB */
    struct rig *r = rig_new_full(CLOCK_MODE_VIRTUAL, 0, &bus);
    ck_assert_uint_eq(rd(r, 0x15), 0x80);          /* 640 KiB */
    ck_assert_uint_eq(rd(r, 0x16), 0x02);
    ck_assert_uint_eq(rd(r, 0x17), 0x00);          /* 31744 KiB */
    ck_assert_uint_eq(rd(r, 0x18), 0x7C);
    ck_assert_uint_eq(rd(r, 0x30), 0x00);
    ck_assert_uint_eq(rd(r, 0x31), 0x7C);
    ck_assert_uint_eq(rd(r, 0x34), 0x00);          /* 256 x 64 KiB above 16 MiB */
    ck_assert_uint_eq(rd(r, 0x35), 0x01);
    ck_assert_uint_eq(rd(r, 0x2E), 0x00);          /* 0x80 + 0x02 + 0x7C */
    ck_assert_uint_eq(rd(r, 0x2F), 0xFE);
    rig_free(r);
    bus_destroy(&bus);

    /* the pc board's default 255 MiB from 1 MiB: the 16-bit fields saturate */
    bus_init(&bus, NULL);
    ck_assert_int_eq(bus_add_ram(&bus, "low", 0, 0xA0000, &err), 0);
    ck_assert_int_eq(bus_add_ram(&bus, "high", 0x100000, 0xFF00000, &err), 0);
    r = rig_new_full(CLOCK_MODE_VIRTUAL, 0, &bus);
    ck_assert_uint_eq(rd(r, 0x17), 0xFF);
    ck_assert_uint_eq(rd(r, 0x18), 0xFF);
    ck_assert_uint_eq(rd(r, 0x34), 0x00);
    ck_assert_uint_eq(rd(r, 0x35), 0x0F);
    rig_free(r);
    bus_destroy(&bus);
}
END_TEST

START_TEST(realtime_mode_reads_host_date)
{
    struct rig *r = rig_new_full(CLOCK_MODE_REALTIME, 0, NULL);
    wr(r, RB, 0x06);                               /* binary */
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    ck_assert_int_eq(rd(r, YEAR), tm.tm_year % 100);
    ck_assert_int_eq(rd(r, MONTH), tm.tm_mon + 1);
    ck_assert_int_eq(rd(r, DOW), tm.tm_wday + 1);
    rig_free(r);
}
END_TEST

static void save_to(struct rig *r, struct state_writer *w)
{
    state_writer_init(w);
    state_begin(w, "mc146818", mc146818_model.state_version);
    ck_assert_int_eq(mc146818_model.save(r->dev, w), 0);
    state_end(w);
    struct orr_error err = { { 0 } };
    ck_assert_msg(state_writer_finish(w, &err) == 0, "%s", err.msg);
}

START_TEST(save_load_round_trip)
{
    struct rig *a = rig_at(EPOCH_2024_02_29_134530);
    wr(a, 0x40, 0x77);
    wr(a, ASEC, 0x45);
    wr(a, AMIN, 0xC0);
    wr(a, AHOUR, 0xC0);
    wr(a, DOW, 0x01);
    at(a, NS + NS / 2);                            /* UF and PF pending */
    wr(a, RB, 0x62);                               /* PIE AIE */
    wr(a, RA, 0x2A);                               /* 64 Hz */
    ck_assert(a->sink.level);
    uint64_t deadline = clock_next_deadline(&a->clock);
    ck_assert_uint_eq(deadline, NS + NS / 2 + 15625000);
    ck_assert_int_eq(mc146818_model.write(a->dev, 0, 0, 1, 0x8C), BUS_OK);

    struct state_writer w;
    save_to(a, &w);

    struct rig *b = rig_at(EPOCH_2024_02_29_134530);
    at(b, NS + NS / 2);
    struct orr_error err = { { 0 } };
    struct state_reader sr;
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "mc146818"), 0);
    ck_assert_msg(mc146818_model.load(b->dev, &sr, &err) == 0, "load: %s", err.msg);
    ck_assert(b->sink.level);
    ck_assert_uint_eq(clock_next_deadline(&b->clock), deadline);
    uint64_t index = 0;
    ck_assert_int_eq(mc146818_model.read(b->dev, 0, 0, 1, &index), BUS_OK);
    ck_assert_uint_eq(index, 0x8C);
    static const unsigned regs[] = { SEC, ASEC, MIN, AMIN, HOUR, AHOUR, DOW, DAY, MONTH,
                                     YEAR, RA, RB, RC, RD, 0x32, 0x40 };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        ck_assert_msg(rd(a, regs[i]) == rd(b, regs[i]), "register 0x%02x", regs[i]);
    ck_date(b, "31 45 13 01 29 02 24");
    /* the alarm at 13:45:45 comes at the same time on both */
    at(a, 15 * NS);
    at(b, 15 * NS);
    ck_assert_uint_eq(rd(b, RC), 0xF0);
    ck_assert_uint_eq(rd(a, RC), 0xF0);

    /* a truncated section is refused and leaves the device as it was */
    struct rig *c = rig_new();
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "mc146818"), 0);
    sr.section_end -= 1;
    ck_assert_int_ne(mc146818_model.load(c->dev, &sr, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "mc146818"));
    ck_date(c, "00 00 00 07 01 01 00");
    ck_assert_uint_eq(rd(c, 0x40), 0x00);
    /* so is a day-of-week offset of 9 */
    uint8_t *copy = malloc(w.len);
    memcpy(copy, w.buf, w.len);
    ck_assert_int_eq(state_reader_init(&sr, copy, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "mc146818"), 0);
    copy[sr.pos + 15] = 9;   /* index, A, B, flags, u64 sync, 3 alarm bytes */
    ck_assert_int_ne(mc146818_model.load(c->dev, &sr, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "corrupt"));
    ck_assert_uint_eq(rd(c, RB), 0x02);
    free(copy);
    /* a section from later than the clock: the flags stand as of now and
     * the events follow from now */
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "mc146818"), 0);
    ck_assert_msg(mc146818_model.load(c->dev, &sr, &err) == 0, "load: %s", err.msg);
    ck_assert(c->sink.level);
    ck_assert_uint_eq(clock_next_deadline(&c->clock), 15625000);   /* 64 Hz from 0 */
    ck_assert_uint_eq(rd(c, RC), 0xD0);

    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
    rig_free(c);
}
END_TEST

START_TEST(reset_keeps_time_and_nvram)
{
    struct rig *r = rig_new();
    wr(r, 0x50, 0x99);
    wr(r, RB, 0x82);
    wr(r, YEAR, 0x42);
    wr(r, RB, 0x7E);                               /* PIE AIE UIE SQWE binary 24 h */
    at(r, 2 * NS);
    ck_assert(r->sink.level);
    mc146818_model.reset(r->dev);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(rd(r, RB), 0x06);
    ck_assert_uint_eq(rd(r, RC), 0x00);
    ck_assert_uint_eq(rd(r, YEAR), 42);
    ck_assert_uint_eq(rd(r, SEC), 2);
    ck_assert_uint_eq(rd(r, 0x50), 0x99);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    rig_free(r);
}
END_TEST

START_TEST(create_rejects_bad_nodes)
{
    struct vclock clk;
    clock_init(&clk, CLOCK_MODE_VIRTUAL, 10);
    struct orr_error err = { { 0 } };
    void *dev = NULL;
    struct device_ctx ctx = { .node = -1, .path = "/isa/rtc", .nwindows = 0, .clock = &clk };
    ck_assert_int_ne(mc146818_model.create(&ctx, &dev, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "/isa/rtc"));
    ctx.nwindows = 1;
    ctx.window_size[0] = 1;
    ck_assert_int_ne(mc146818_model.create(&ctx, &dev, &err), 0);
    ctx.window_size[0] = 2;
    ctx.clock = NULL;
    ck_assert_int_ne(mc146818_model.create(&ctx, &dev, &err), 0);
    ck_assert_ptr_null(dev);
}
END_TEST

static Suite *mc146818_suite(void)
{
    Suite *s = suite_create("mc146818");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, descriptor);
    tcase_add_test(tc, power_on_values);
    tcase_add_test(tc, date_in_bcd_binary_and_12_hour);
    tcase_add_test(tc, time_follows_the_clock_with_exact_updates);
    tcase_add_test(tc, uip_window_at_exact_ns);
    tcase_add_test(tc, set_holds_the_time_and_keeps_the_phase);
    tcase_add_test(tc, writes_while_running_keep_the_phase);
    tcase_add_test(tc, linux_set_time_sequence);
    tcase_add_test(tc, divider_reset_stops_and_restarts_half_a_second_later);
    tcase_add_test(tc, periodic_interrupt_rates);
    tcase_add_test(tc, flags_are_set_without_their_enables);
    tcase_add_test(tc, alarm_with_dont_care_fields);
    tcase_add_test(tc, update_interrupt);
    tcase_add_test(tc, nvram_and_nmi_mask);
    tcase_add_test(tc, memory_sizes_from_the_bus);
    tcase_add_test(tc, realtime_mode_reads_host_date);
    tcase_add_test(tc, save_load_round_trip);
    tcase_add_test(tc, reset_keeps_time_and_nvram);
    tcase_add_test(tc, create_rejects_bad_nodes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(mc146818_suite());
}
