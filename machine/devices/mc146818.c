/* Motorola MC146818A real-time clock with CMOS RAM, as the PC/AT has it at
 * ports 0x70 (index) and 0x71 (data), after the MC146818A datasheet
 * (registers A-D, "Update Cycle", "Interrupts", table of periodic rates).
 *
 * Time base. The clock shows the machine's wall clock (cpu/clock.h) plus an
 * offset the device keeps, exactly as the PL031 model does: wall = the
 * clock's wall-clock base plus the machine time of the access in progress
 * (clock_now). The RTC's own count is the seconds since 2000-01-01 00:00:00
 * modulo 100 years: its year register holds 00-99 and the part takes every
 * year divisible by 4 as a leap year, which is right for 2000-2099. The
 * divider chain's phase is the fractional second of (wall + offset): the
 * once-a-second update happens when it crosses a whole second, and the
 * periodic interrupt taps the same chain.
 *
 *   - Writing a time register changes the offset by whole seconds: the
 *     divider keeps its phase.
 *   - SET (register B bit 7) inhibits updates: the count is held while the
 *     divider keeps running (periodic interrupts go on); clearing SET
 *     resumes counting from the registers at the divider's next second, so
 *     the first second after SET is shorter than a second by the phase.
 *   - DV2-0 = 11x holds the divider in reset: the count stops, no update,
 *     no periodic interrupt. Leaving reset starts the divider at its middle
 *     (the first update comes 500 ms later, as the datasheet says).
 *     DV2-0 = 000, 001 and 010 all run the clock at its right rate (a PC's
 *     crystal is 32.768 kHz; the other time bases are not modelled), the
 *     test settings 011, 100 and 101 stop it as reset does.
 *   - UIP (register A bit 7) reads 1 during the 244 us before each update
 *     (8 cycles of 32.768 kHz: from 999,755,860 ns into the divider's
 *     second) and the update itself takes no time: the registers change,
 *     UIP clears and UF is set at the whole second. It reads 0 while SET
 *     or the divider reset hold the count.
 *
 * Flags. PF (at each edge of the periodic tap selected by RS3-0, 8192 Hz
 * down to 2 Hz), AF (an update reaching a time equal to the alarm, a
 * field of 0xC0-0xFF matching any value) and UF (every update) are set in
 * register C whether or not enabled; they are computed from the time when
 * C is read, so no event runs while their interrupts are off. IRQF and the
 * interrupt line are (PF & PIE) | (AF & AIE) | (UF & UIE); reading C clears
 * all of them. With an enable set, a clock event fires at the exact edge.
 *
 * Registers are kept in binary and converted for each access by register
 * B's DM (binary/BCD) and 24/12 bits; the real part stores the bytes as
 * written, so after a change of DM it would show the old bytes until the
 * time is rewritten (software sets the mode before the time). Values out of
 * a field's range are refused (logged), as a day beyond the month's end
 * is clamped to it. Day of week follows the date (1 = Sunday), offset by
 * whatever the guest writes to it. DSE and SQWE are kept and do nothing.
 *
 * Port 0x70 bit 7 is not the RTC's: on the PC it masks NMI. The byte
 * written is kept, reads of port 0x70 return it (the port is write-only on
 * the AT; chipsets with a readable index return the last value, QEMU
 * returns 0xFF) and the mask gates nothing, since no device of the board
 * raises NMI.
 *
 * A reset (the machine's) clears PIE, AIE, UIE, SQWE and the flags, as the
 * RESET pin does; the time, the alarm, registers A and the rest of B, and
 * the NVRAM are battery-backed and kept. At power-on (create) the NVRAM is
 * filled as a PC BIOS leaves it: the century (0x32, BCD), base memory
 * (0x15-0x16, KiB), extended memory (0x17-0x18 and 0x30-0x31, KiB above
 * 1 MiB, at most 65535), memory above 16 MiB (0x34-0x35, 64 KiB units)
 * from the RAM the bus maps, and the checksum of 0x10-0x2D at 0x2E-0x2F;
 * registers A and B as a BIOS programs them (0x26: 32.768 kHz, 1024 Hz;
 * 0x02: BCD, 24 hours). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/clock.h"
#include "cpu/log.h"
#include "machine/bus.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/state.h"

#define NS_PER_S 1000000000ll
#define SECONDS_PER_DAY 86400
#define DAYS_PER_CENTURY 36525             /* 2000-2099: 25 leap years */
#define CENTURY_S ((int64_t)DAYS_PER_CENTURY * SECONDS_PER_DAY)
#define RTC_EPOCH_UNIX_S 946684800ll       /* 2000-01-01T00:00:00Z */
#define UIP_START_NS (NS_PER_S - 244140)   /* 1 s - 8/32768 s, rounded up */

#define CMOS_SIZE 128
#define NVRAM_FIRST 14

enum {
    REG_SECONDS = 0x00, REG_ALARM_SECONDS = 0x01, REG_MINUTES = 0x02,
    REG_ALARM_MINUTES = 0x03, REG_HOURS = 0x04, REG_ALARM_HOURS = 0x05,
    REG_DAY_OF_WEEK = 0x06, REG_DAY = 0x07, REG_MONTH = 0x08, REG_YEAR = 0x09,
    REG_A = 0x0A, REG_B = 0x0B, REG_C = 0x0C, REG_D = 0x0D,
};

#define A_UIP 0x80u
#define A_DV_SHIFT 4
#define A_RS_MASK 0x0Fu
#define A_WRITABLE 0x7Fu

#define B_SET 0x80u
#define B_PIE 0x40u
#define B_AIE 0x20u
#define B_UIE 0x10u
#define B_SQWE 0x08u
#define B_DM_BINARY 0x04u
#define B_24H 0x02u
#define B_DSE 0x01u

#define C_IRQF 0x80u
#define C_PF 0x40u
#define C_AF 0x20u
#define C_UF 0x10u
#define C_FLAGS (C_PF | C_AF | C_UF)

#define D_VRT 0x80u

/* CMOS RAM locations a PC BIOS fills (IBM PC/AT Technical Reference,
 * "CMOS RAM Address Map"; 0x34-0x35 as Bochs and QEMU's BIOSes use it). */
enum {
    CMOS_BASE_MEM_LO = 0x15, CMOS_BASE_MEM_HI = 0x16,
    CMOS_EXT_MEM_LO = 0x17, CMOS_EXT_MEM_HI = 0x18,
    CMOS_CHECKSUM_HI = 0x2E, CMOS_CHECKSUM_LO = 0x2F,
    CMOS_EXT_MEM2_LO = 0x30, CMOS_EXT_MEM2_HI = 0x31,
    CMOS_CENTURY = 0x32,
    CMOS_MEM_16M_LO = 0x34, CMOS_MEM_16M_HI = 0x35,
};

struct mc146818 {
    char path[128];
    char periodic_name[160];
    char second_name[160];
    const struct logger *log;
    struct irq_line *irq;
    struct vclock *clock;

    uint8_t index;                 /* last byte written to port 0x70 */
    uint8_t reg_a;                 /* DV2-0, RS3-0 (UIP is computed) */
    uint8_t reg_b;
    uint8_t flags;                 /* PF AF UF, up to sync_ns */
    uint8_t alarm[3];              /* seconds, minutes, hours as written */
    uint8_t dow_adjust;            /* day of week minus the date's, mod 7 */
    uint8_t cmos[CMOS_SIZE];       /* NVRAM at 14..127 */
    int64_t offset_ns;             /* RTC ns since 2000 minus wall ns since 1970 */
    int64_t held_count;            /* the count while SET or the divider hold it */
    uint64_t sync_ns;              /* machine time the flags are computed to */

    struct clock_event periodic;   /* PIE: PF edges */
    struct clock_event second;     /* UIE: every update; AIE: the alarm's */
};

/* ---- calendar -------------------------------------------------------- */

struct rtc_time {
    int sec, min, hour, day, month, year;   /* day 1-31, month 1-12, year 0-99 */
    int64_t days;                           /* since 2000-01-01 */
};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

static bool leap_year(int year)
{
    return year % 4 == 0;   /* the part's rule; right for 2000-2099 */
}

static int month_days(int month, int year)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return month == 2 && leap_year(year) ? 29 : days[month - 1];
}

static struct rtc_time split_count(int64_t count)
{
    struct rtc_time t;
    count = floor_mod(count, CENTURY_S);
    int64_t days = count / SECONDS_PER_DAY;
    int64_t rest = count % SECONDS_PER_DAY;
    t.days = days;
    t.sec = (int)(rest % 60);
    t.min = (int)(rest / 60 % 60);
    t.hour = (int)(rest / 3600);
    /* 4-year cycles of 1461 days, each starting with a leap year. */
    int cycle = (int)(days / 1461), doy = (int)(days % 1461), y = 0;
    if (doy >= 366) {
        doy -= 366;
        y = 1 + doy / 365;
        doy %= 365;
    }
    t.year = cycle * 4 + y;
    t.month = 1;
    while (doy >= month_days(t.month, t.year)) {
        doy -= month_days(t.month, t.year);
        t.month++;
    }
    t.day = doy + 1;
    return t;
}

static int64_t join_count(const struct rtc_time *t)
{
    int day = t->day > month_days(t->month, t->year) ? month_days(t->month, t->year) : t->day;
    int64_t days = (int64_t)t->year * 365 + (t->year + 3) / 4;   /* leap years before */
    for (int m = 1; m < t->month; m++)
        days += month_days(m, t->year);
    days += day - 1;
    return days * SECONDS_PER_DAY + t->hour * 3600 + t->min * 60 + t->sec;
}

/* 2000-01-01 was a Saturday; 0 = Sunday. */
static int weekday(int64_t days)
{
    return (int)((days + 6) % 7);
}

/* ---- register formats ------------------------------------------------ */

static uint8_t encode(const struct mc146818 *s, int v)
{
    if (s->reg_b & B_DM_BINARY)
        return (uint8_t)v;
    return (uint8_t)((v / 10) << 4 | (v % 10));
}

/* The value of a byte in the current format, or -1 if it is not a number
 * in it (a BCD digit above 9). */
static int decode(const struct mc146818 *s, uint8_t b)
{
    if (s->reg_b & B_DM_BINARY)
        return b;
    if ((b & 0x0F) > 9 || (b >> 4) > 9)
        return -1;
    return (b >> 4) * 10 + (b & 0x0F);
}

/* 12-hour mode: 1-12 with bit 7 set for PM (datasheet, hours register). */
static uint8_t encode_hour(const struct mc146818 *s, int hour)
{
    if (s->reg_b & B_24H)
        return encode(s, hour);
    int h12 = hour % 12 == 0 ? 12 : hour % 12;
    return (uint8_t)(encode(s, h12) | (hour >= 12 ? 0x80 : 0));
}

static int decode_hour(const struct mc146818 *s, uint8_t b)
{
    if (s->reg_b & B_24H) {
        int h = decode(s, b);
        return h >= 0 && h < 24 ? h : -1;
    }
    int h12 = decode(s, b & 0x7F);
    if (h12 < 1 || h12 > 12)
        return -1;
    return h12 % 12 + ((b & 0x80) ? 12 : 0);
}

/* ---- time base ------------------------------------------------------- */

static bool divider_running(const struct mc146818 *s)
{
    return ((s->reg_a >> A_DV_SHIFT) & 7u) <= 2;
}

static bool held(const struct mc146818 *s)
{
    return (s->reg_b & B_SET) || !divider_running(s);
}

static int64_t rtc_ns(const struct mc146818 *s, uint64_t t)
{
    return (int64_t)(clock_wall_base_ns(s->clock) + t) + s->offset_ns;
}

/* Nanoseconds into the divider's current second. */
static int64_t phase(const struct mc146818 *s, uint64_t t)
{
    return floor_mod(rtc_ns(s, t), NS_PER_S);
}

static int64_t count_at(const struct mc146818 *s, uint64_t t)
{
    if (held(s))
        return s->held_count;
    return floor_mod(floor_div(rtc_ns(s, t), NS_PER_S), CENTURY_S);
}

static uint64_t now(const struct mc146818 *s)
{
    return clock_now(s->clock);
}

/* The first update strictly after machine time t. */
static uint64_t next_update(const struct mc146818 *s, uint64_t t)
{
    return t + (uint64_t)(NS_PER_S - phase(s, t));
}

/* RS3-0 to the periodic rate in Hz at 32.768 kHz (datasheet, periodic
 * interrupt rate table): 1 and 2 give 256 and 128 Hz, 3-15 give
 * 32768 >> (RS - 1); 0 is off. */
static unsigned periodic_hz(const struct mc146818 *s)
{
    unsigned rs = s->reg_a & A_RS_MASK;
    if (rs == 0)
        return 0;
    if (rs <= 2)
        return 256u >> (rs - 1);
    return 32768u >> (rs - 1);
}

/* The first periodic edge strictly after t: edge k of a second lies at
 * ceil(k * 1 s / rate) into it. */
static uint64_t next_periodic(const struct mc146818 *s, uint64_t t)
{
    unsigned hz = periodic_hz(s);
    if (!hz || !divider_running(s))
        return CLOCK_NEVER;
    int64_t p = phase(s, t);
    int64_t k = p * hz / NS_PER_S + 1;
    int64_t edge = (k * NS_PER_S + hz - 1) / hz;
    return t + (uint64_t)(edge - p);
}

/* An alarm field: any value (0xC0-0xFF), one value, or none (a byte that
 * is no valid time in the current format never equals the time). */
struct alarm_field {
    bool any;
    int value;   /* -1: never */
};

static struct alarm_field alarm_field(const struct mc146818 *s, unsigned which)
{
    uint8_t b = s->alarm[which];
    if ((b & 0xC0) == 0xC0)
        return (struct alarm_field){ .any = true, .value = 0 };
    int v = which == 2 ? decode_hour(s, b) : decode(s, b);
    if (which < 2 && v >= 60)
        v = -1;
    return (struct alarm_field){ .any = false, .value = v };
}

static bool field_has(struct alarm_field f, int v)
{
    return f.any || f.value == v;
}

/* The smallest value of f above x and below limit, or -1. */
static int field_next(struct alarm_field f, int x, int limit)
{
    if (f.any)
        return x + 1 < limit ? x + 1 : -1;
    return f.value > x ? f.value : -1;
}

static int field_first(struct alarm_field f)
{
    return f.any ? 0 : f.value;
}

/* Seconds from count until the first later count whose time of day
 * matches the alarm (1..86400), or -1 if none ever does. */
static int64_t alarm_delta(const struct mc146818 *s, int64_t count)
{
    struct alarm_field fs = alarm_field(s, 0), fm = alarm_field(s, 1), fh = alarm_field(s, 2);
    if ((!fs.any && fs.value < 0) || (!fm.any && fm.value < 0) || (!fh.any && fh.value < 0))
        return -1;
    int64_t tod = floor_mod(count, SECONDS_PER_DAY);
    int ch = (int)(tod / 3600), cm = (int)(tod / 60 % 60), cs = (int)(tod % 60);
    int h = -1, m = -1, sec = -1;
    int64_t day = 0;
    if (field_has(fh, ch) && field_has(fm, cm) && (sec = field_next(fs, cs, 60)) >= 0) {
        h = ch;
        m = cm;
    } else if (field_has(fh, ch) && (m = field_next(fm, cm, 60)) >= 0) {
        h = ch;
        sec = field_first(fs);
    } else if ((h = field_next(fh, ch, 24)) >= 0) {
        m = field_first(fm);
        sec = field_first(fs);
    } else {
        h = field_first(fh);
        m = field_first(fm);
        sec = field_first(fs);
        day = SECONDS_PER_DAY;
    }
    return day + (int64_t)h * 3600 + m * 60 + sec - tod;
}

/* The first update strictly after t that sets AF, or CLOCK_NEVER. */
static uint64_t next_alarm(const struct mc146818 *s, uint64_t t)
{
    if (held(s))
        return CLOCK_NEVER;
    int64_t d = alarm_delta(s, count_at(s, t));
    if (d < 0)
        return CLOCK_NEVER;
    return next_update(s, t) + (uint64_t)(d - 1) * NS_PER_S;
}

/* Sets the flags for everything that happened in (sync_ns, t]. The state
 * is constant over that interval: every change catches up first. */
static void catch_up(struct mc146818 *s, uint64_t t)
{
    if (t <= s->sync_ns)
        return;
    uint64_t from = s->sync_ns;
    if (next_periodic(s, from) <= t)
        s->flags |= C_PF;
    if (!held(s)) {
        if (next_update(s, from) <= t)
            s->flags |= C_UF;
        if (next_alarm(s, from) <= t)
            s->flags |= C_AF;
    }
    s->sync_ns = t;
}

static bool irqf(const struct mc146818 *s)
{
    return ((s->flags & C_PF) && (s->reg_b & B_PIE)) ||
           ((s->flags & C_AF) && (s->reg_b & B_AIE)) ||
           ((s->flags & C_UF) && (s->reg_b & B_UIE));
}

static void update_irq(struct mc146818 *s)
{
    irq_set(s->irq, irqf(s));
}

static void schedule(struct mc146818 *s, struct clock_event *ev, uint64_t deadline)
{
    if (deadline == CLOCK_NEVER) {
        clock_event_cancel(s->clock, ev);
        return;
    }
    if (clock_event_schedule(s->clock, ev, deadline) != 0)
        log_msg(s->log, LOG_DEV, "%s: event queue full, interrupt lost", s->path);
}

/* Events only for enabled interrupts; the flags of the others are
 * computed when register C is read. */
static void reschedule(struct mc146818 *s)
{
    uint64_t t = s->sync_ns > s->clock->now_ns ? s->sync_ns : s->clock->now_ns;
    schedule(s, &s->periodic, (s->reg_b & B_PIE) ? next_periodic(s, t) : CLOCK_NEVER);
    uint64_t second = CLOCK_NEVER;
    if (!held(s)) {
        if (s->reg_b & B_UIE)
            second = next_update(s, t);
        else if (s->reg_b & B_AIE)
            second = next_alarm(s, t);
    }
    schedule(s, &s->second, second);
}

static void event_fire(void *opaque, uint64_t now_ns)
{
    struct mc146818 *s = opaque;
    catch_up(s, now_ns);
    update_irq(s);
    reschedule(s);
}

/* Registers A and B: applies a new mode at time t, keeping the count and
 * (unless the divider leaves reset) the divider's phase. */
static void set_mode(struct mc146818 *s, uint64_t t, uint8_t a, uint8_t b)
{
    catch_up(s, t);
    int64_t count = count_at(s, t);
    bool was_running = divider_running(s), was_held = held(s);
    int64_t old_phase = phase(s, t);
    s->reg_a = a;
    s->reg_b = b;
    int64_t wall = (int64_t)(clock_wall_base_ns(s->clock) + t);
    if (divider_running(s) && !was_running)
        s->offset_ns = count * NS_PER_S + NS_PER_S / 2 - wall;   /* 500 ms to the update */
    else if (divider_running(s) && was_held && !held(s))
        s->offset_ns = count * NS_PER_S + old_phase - wall;
    s->held_count = count;
    update_irq(s);
    reschedule(s);
}

/* A time register written at time t: the count changes, the phase not. */
static void set_count(struct mc146818 *s, uint64_t t, int64_t count)
{
    catch_up(s, t);
    int64_t old = count_at(s, t);
    if (held(s))
        s->held_count = count;
    else
        s->offset_ns += (count - old) * NS_PER_S;
    update_irq(s);
    reschedule(s);
}

/* ---- registers ------------------------------------------------------- */

static uint8_t read_time(struct mc146818 *s, unsigned reg, uint64_t t)
{
    struct rtc_time tm = split_count(count_at(s, t));
    switch (reg) {
    case REG_SECONDS: return encode(s, tm.sec);
    case REG_MINUTES: return encode(s, tm.min);
    case REG_HOURS: return encode_hour(s, tm.hour);
    case REG_DAY_OF_WEEK: return encode(s, (weekday(tm.days) + s->dow_adjust) % 7 + 1);
    case REG_DAY: return encode(s, tm.day);
    case REG_MONTH: return encode(s, tm.month);
    default: return encode(s, tm.year);
    }
}

static void write_time(struct mc146818 *s, unsigned reg, uint8_t value, uint64_t t)
{
    struct rtc_time tm = split_count(count_at(s, t));
    int v = reg == REG_HOURS ? decode_hour(s, value) : decode(s, value);
    bool ok = v >= 0;
    switch (reg) {
    case REG_SECONDS: ok = ok && v < 60; tm.sec = v; break;
    case REG_MINUTES: ok = ok && v < 60; tm.min = v; break;
    case REG_HOURS: tm.hour = v; break;
    case REG_DAY: ok = ok && v >= 1 && v <= 31; tm.day = v; break;
    case REG_MONTH: ok = ok && v >= 1 && v <= 12; tm.month = v; break;
    case REG_YEAR: ok = ok && v <= 99; tm.year = v; break;
    default:   /* day of week: kept as an offset from the date's */
        if (!ok || v < 1 || v > 7)
            break;
        s->dow_adjust = (uint8_t)((v - 1 - weekday(tm.days) + 7) % 7);
        return;
    }
    if (!ok) {
        log_msg(s->log, LOG_DEV, "%s: value 0x%02x for time register %u is out of range; "
                "ignored", s->path, value, reg);
        return;
    }
    set_count(s, t, join_count(&tm));
}

static uint8_t read_data(struct mc146818 *s)
{
    unsigned reg = s->index & 0x7Fu;
    uint64_t t = now(s);
    switch (reg) {
    case REG_ALARM_SECONDS: return s->alarm[0];
    case REG_ALARM_MINUTES: return s->alarm[1];
    case REG_ALARM_HOURS: return s->alarm[2];
    case REG_A: {
        bool uip = !held(s) && phase(s, t) >= UIP_START_NS;
        return (uint8_t)(s->reg_a | (uip ? A_UIP : 0));
    }
    case REG_B: return s->reg_b;
    case REG_C: {
        catch_up(s, t);
        uint8_t v = (uint8_t)(s->flags | (irqf(s) ? C_IRQF : 0));
        s->flags = 0;   /* reading C clears it (datasheet, register C) */
        update_irq(s);
        return v;
    }
    case REG_D: return D_VRT;
    default:
        break;
    }
    if (reg <= REG_YEAR)
        return read_time(s, reg, t);
    return s->cmos[reg];
}

static void write_data(struct mc146818 *s, uint8_t value)
{
    unsigned reg = s->index & 0x7Fu;
    uint64_t t = now(s);
    switch (reg) {
    case REG_ALARM_SECONDS:
    case REG_ALARM_MINUTES:
    case REG_ALARM_HOURS:
        catch_up(s, t);
        s->alarm[reg / 2] = value;
        reschedule(s);
        return;
    case REG_A:
        set_mode(s, t, value & A_WRITABLE, s->reg_b);
        return;
    case REG_B:
        /* Setting SET clears UIE (datasheet, register B). */
        if (value & B_SET)
            value &= (uint8_t)~B_UIE;
        set_mode(s, t, s->reg_a, value);
        return;
    case REG_C:
    case REG_D:
        log_msg(s->log, LOG_DEV, "%s: write of 0x%02x to read-only register %c ignored",
                s->path, value, reg == REG_C ? 'C' : 'D');
        return;
    default:
        break;
    }
    if (reg <= REG_YEAR)
        write_time(s, reg, value, t);
    else
        s->cmos[reg] = value;
}

/* Two byte-wide ports; a wider access is split into byte cycles, ports
 * beyond the second reading 0xFF. */
static int mc146818_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                         uint64_t *value)
{
    struct mc146818 *s = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size && i < 8; i++) {
        uint64_t off = offset + i;
        uint8_t byte = 0xFF;
        if (window == 0 && off == 0)
            byte = s->index;
        else if (window == 0 && off == 1)
            byte = read_data(s);
        v |= (uint64_t)byte << (8 * i);
    }
    *value = v;
    return BUS_OK;
}

static int mc146818_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                          uint64_t value)
{
    struct mc146818 *s = opaque;
    for (unsigned i = 0; i < size && i < 8; i++) {
        uint64_t off = offset + i;
        uint8_t byte = (uint8_t)(value >> (8 * i));
        if (window == 0 && off == 0)
            s->index = byte;   /* bit 7: the PC's NMI mask */
        else if (window == 0 && off == 1)
            write_data(s, byte);
    }
    return BUS_OK;
}

/* ---- lifecycle ------------------------------------------------------- */

static void mc146818_reset(void *opaque)
{
    struct mc146818 *s = opaque;
    /* The machine's clock may have gone back to zero: flags restart from
     * now, and the RESET pin clears the enables and flags. */
    s->sync_ns = now(s);
    s->flags = 0;
    s->reg_b &= (uint8_t)~(B_PIE | B_AIE | B_UIE | B_SQWE);
    s->index = 0;
    update_irq(s);
    reschedule(s);
}

/* The end of the RAM that runs on from addr through adjacent regions. */
static uint64_t ram_end(const struct bus *bus, uint64_t addr)
{
    for (;;) {
        const struct bus_region *r = bus_find(bus, addr);
        if (!r || r->kind != REGION_RAM || r->size == 0 || r->base + r->size <= addr)
            return addr;
        addr = r->base + r->size;
    }
}

static void put16(uint8_t *cmos, unsigned at, uint64_t v)
{
    if (v > 0xFFFF)
        v = 0xFFFF;
    cmos[at] = (uint8_t)v;
    cmos[at + 1] = (uint8_t)(v >> 8);
}

static void fill_nvram(struct mc146818 *s, const struct bus *bus)
{
    s->cmos[CMOS_CENTURY] = 0x20;
    if (bus) {
        uint64_t base_end = ram_end(bus, 0);
        put16(s->cmos, CMOS_BASE_MEM_LO, (base_end < 0xA0000 ? base_end : 0xA0000) / 1024);
        uint64_t ext_end = ram_end(bus, 0x100000);
        uint64_t ext_kib = ext_end > 0x100000 ? (ext_end - 0x100000) / 1024 : 0;
        put16(s->cmos, CMOS_EXT_MEM_LO, ext_kib);
        put16(s->cmos, CMOS_EXT_MEM2_LO, ext_kib);
        uint64_t above16 = ext_end > 0x1000000 ? (ext_end - 0x1000000) / 65536 : 0;
        put16(s->cmos, CMOS_MEM_16M_LO, above16);
    }
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2D; i++)
        sum += s->cmos[i];
    s->cmos[CMOS_CHECKSUM_HI] = (uint8_t)(sum >> 8);
    s->cmos[CMOS_CHECKSUM_LO] = (uint8_t)sum;
}

static int mc146818_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 1)
        return orr_fail(err, "%s: mc146818 needs a reg window", ctx->path);
    if (ctx->window_size[0] < 2)
        return orr_fail(err, "%s: mc146818 reg window is %llu ports, needs 2", ctx->path,
                        (unsigned long long)ctx->window_size[0]);
    if (!ctx->clock)
        return orr_fail(err, "%s: mc146818 needs the machine clock", ctx->path);
    struct mc146818 *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(s->path, sizeof s->path, "%s", ctx->path ? ctx->path : "mc146818");
    snprintf(s->periodic_name, sizeof s->periodic_name, "%s periodic", s->path);
    snprintf(s->second_name, sizeof s->second_name, "%s update", s->path);
    s->log = ctx->log;
    s->irq = ctx->nirqs ? ctx->irqs[0] : NULL;
    s->clock = ctx->clock;
    clock_event_init(&s->periodic, s->periodic_name, event_fire, s);
    clock_event_init(&s->second, s->second_name, event_fire, s);
    /* Power-on: the wall clock, as a BIOS leaves the part. */
    s->reg_a = 0x26;
    s->reg_b = B_24H;
    s->offset_ns = -RTC_EPOCH_UNIX_S * NS_PER_S;
    fill_nvram(s, ctx->bus);
    mc146818_reset(s);
    *dev = s;
    return 0;
}

static void mc146818_destroy(void *opaque)
{
    struct mc146818 *s = opaque;
    if (!s)
        return;
    clock_event_cancel(s->clock, &s->periodic);
    clock_event_cancel(s->clock, &s->second);
    free(s);
}

/* Section layout, version 1: the index byte, registers A and B, the flags
 * and the time they are computed to, the alarm bytes, the day-of-week
 * offset, the time base offset and held count, CMOS RAM 14-127. The events
 * follow from these and the clock and are scheduled again on load. */
static int mc146818_save(void *opaque, struct state_writer *w)
{
    struct mc146818 *s = opaque;
    state_put_u8(w, s->index);
    state_put_u8(w, s->reg_a);
    state_put_u8(w, s->reg_b);
    state_put_u8(w, s->flags);
    state_put_u64(w, s->sync_ns);
    state_put_bytes(w, s->alarm, sizeof s->alarm);
    state_put_u8(w, s->dow_adjust);
    state_put_u64(w, (uint64_t)s->offset_ns);
    state_put_u64(w, (uint64_t)s->held_count);
    state_put_bytes(w, s->cmos + NVRAM_FIRST, CMOS_SIZE - NVRAM_FIRST);
    return w->failed ? -1 : 0;
}

static int mc146818_load(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct mc146818 *s = opaque;
    struct mc146818 n = *s;
    n.index = state_get_u8(r);
    n.reg_a = state_get_u8(r);
    n.reg_b = state_get_u8(r);
    n.flags = state_get_u8(r);
    n.sync_ns = state_get_u64(r);
    state_get_bytes(r, n.alarm, sizeof n.alarm);
    n.dow_adjust = state_get_u8(r);
    n.offset_ns = (int64_t)state_get_u64(r);
    n.held_count = (int64_t)state_get_u64(r);
    state_get_bytes(r, n.cmos + NVRAM_FIRST, CMOS_SIZE - NVRAM_FIRST);
    if (state_reader_check(r) != 0)
        return orr_fail(err, "%s: truncated or corrupt mc146818 section", s->path);
    if ((n.reg_a & ~A_WRITABLE) || (n.flags & ~C_FLAGS) || n.dow_adjust > 6 ||
        n.held_count < 0 || n.held_count >= CENTURY_S)
        return orr_fail(err, "%s: corrupt mc146818 section (register values)", s->path);
    /* The flags were computed up to sync_ns. In realtime mode an access can
     * read a time ahead of the clock's own (the host's), so a section may
     * be a little ahead of the restored clock: the flags then simply stand
     * as of now. */
    uint64_t t = now(s);
    if (n.sync_ns > t)
        n.sync_ns = t;
    *s = n;
    update_irq(s);
    reschedule(s);
    return 0;
}

static const char *const mc146818_compatible[] = { "motorola,mc146818", NULL };

const struct device_model mc146818_model = {
    .name = "mc146818",
    .compatible = mc146818_compatible,
    .summary = "Motorola MC146818A real-time clock and CMOS RAM (PC ports 0x70/0x71)",
    .state_version = 1,
    .create = mc146818_create,
    .reset = mc146818_reset,
    .read = mc146818_read,
    .write = mc146818_write,
    .save = mc146818_save,
    .load = mc146818_load,
    .destroy = mc146818_destroy,
};
