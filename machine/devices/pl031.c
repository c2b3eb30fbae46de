/* ARM PrimeCell Real Time Clock (PL031), after the PL031 Technical
 * Reference Manual (ARM DDI 0224).
 *
 * The RTC is a 32-bit counter clocked at 1 Hz (CLK1HZ), a load register
 * that sets it, and a match register compared with it; when the counter
 * becomes equal to the match value the raw interrupt is set (TRM 2.1).
 *
 * Time base. CLK1HZ is the machine's wall clock (cpu/clock.h): the clock's
 * wall-clock base plus its current time, in whole seconds since 1970. In
 * realtime mode that base is the host's wall clock, so an unloaded counter
 * reads the host's time; in virtual mode it is a fixed date (2000-01-01
 * unless the machine's owner sets another), so a run reads the same time
 * at the same instruction every time. The device keeps only the offset
 * between the counter and that base: RTCDR = base seconds + offset
 * (mod 2^32). The counter therefore ticks exactly when the wall clock
 * crosses a whole second, and loading it (RTCLR) changes the offset, not
 * the phase of CLK1HZ, which is free-running.
 *
 * The match interrupt is a clock event at the exact machine time the
 * counter next steps onto RTCMR: no polling, and the interrupt appears at
 * the same virtual nanosecond in every run. Loading the counter with the
 * match value is not a step of CLK1HZ and raises nothing.
 *
 * Reset state. The TRM's counter starts at zero and runs once RTCCR.RTCStart
 * is set. Orrery comes out of reset as boot firmware leaves an RTC (and as
 * QEMU's virt board presents one): started, RTCCR reading 1, and loaded
 * with the time base, so a guest reads the date without setting it. Since
 * a started RTC ignores writes to RTCStart until the next reset (TRM
 * 3.3.4), RTCCR is then constant.
 *
 * The combined interrupt RTCINTR (RTCRIS & RTCIMSC) drives the device's
 * first interrupt line. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/clock.h"
#include "cpu/log.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/devices/primecell.h"
#include "machine/irq.h"
#include "machine/state.h"

#define PL031_REGION_SIZE 0x1000
#define NS_PER_S 1000000000ull
#define COUNTER_PERIOD_S (1ull << 32)   /* the 32-bit counter wraps */

/* Register offsets (TRM 3.2, table 3-1). */
enum {
    REG_DR = 0x000,      /* RTCDR, the counter (read only) */
    REG_MR = 0x004,      /* RTCMR, match */
    REG_LR = 0x008,      /* RTCLR, load */
    REG_CR = 0x00C,      /* RTCCR, bit 0 RTCStart */
    REG_IMSC = 0x010,
    REG_RIS = 0x014,
    REG_MIS = 0x018,
    REG_ICR = 0x01C,
    REG_ID_FIRST = 0xFE0,   /* RTCPeriphID0..3, RTCPCellID0..3 */
};

#define INT_MATCH 1u         /* the only interrupt bit (TRM 3.3.5-3.3.8) */
#define CR_START 1u

/* Identification registers at 0xFE0..0xFFC (TRM 3.3.9-3.3.10). */
static const uint8_t pl031_id[8] = {
    0x31, 0x10, 0x04, 0x00,   /* RTCPeriphID0-3: part 0x031, designer 0x41, rev 0 */
    0x0D, 0xF0, 0x05, 0xB1,   /* RTCPCellID0-3: 0xB105F00D */
};

struct pl031 {
    char path[128];
    char event_name[160];
    const struct logger *log;
    struct irq_line *irq;
    struct vclock *clock;

    uint32_t offset;     /* counter minus the time base's seconds, mod 2^32 */
    uint32_t mr, lr, imsc, ris;

    struct clock_event match;
};

/* ---- time base ---------------------------------------------------------- */

/* Whole seconds of the machine's wall clock now. */
static uint64_t base_seconds(const struct pl031 *s)
{
    return (clock_wall_base_ns(s->clock) + s->clock->now_ns) / NS_PER_S;
}

static uint32_t counter(const struct pl031 *s)
{
    return (uint32_t)(base_seconds(s) + s->offset);
}

static void update_irq(struct pl031 *s)
{
    irq_set(s->irq, (s->ris & s->imsc) != 0);
}

/* Schedules the match event at the machine time the counter next becomes
 * RTCMR: k seconds ahead, 0 < k <= 2^32, at the start of that second. */
static void match_schedule(struct pl031 *s)
{
    uint64_t wall_base = clock_wall_base_ns(s->clock);
    uint64_t sec = (wall_base + s->clock->now_ns) / NS_PER_S;
    uint64_t ahead = (uint32_t)(s->mr - (uint32_t)(sec + s->offset));
    if (ahead == 0)
        ahead = COUNTER_PERIOD_S;
    uint64_t wall_deadline = (sec + ahead) * NS_PER_S;
    uint64_t deadline = wall_deadline > wall_base ? wall_deadline - wall_base : 0;
    if (clock_event_schedule(s->clock, &s->match, deadline) != 0)
        log_msg(s->log, LOG_DEV, "%s: event queue full, match interrupt lost", s->path);
}

static void match_fire(void *opaque, uint64_t now_ns)
{
    struct pl031 *s = opaque;
    (void)now_ns;
    s->ris |= INT_MATCH;
    update_irq(s);
    match_schedule(s);   /* the counter meets RTCMR again 2^32 s later */
}

/* ---- register access ---------------------------------------------------- */

static uint32_t read_reg(struct pl031 *s, uint32_t off)
{
    switch (off) {
    case REG_DR: return counter(s);
    case REG_MR: return s->mr;
    case REG_LR: return s->lr;
    case REG_CR: return CR_START;
    case REG_IMSC: return s->imsc;
    case REG_RIS: return s->ris;
    case REG_MIS: return s->ris & s->imsc;
    default:
        break;
    }
    if (off >= REG_ID_FIRST && off < PL031_REGION_SIZE)
        return pl031_id[(off - REG_ID_FIRST) / 4];
    log_msg(s->log, LOG_DEV, "%s: read of unknown register 0x%03x", s->path, off);
    return 0;
}

static void write_reg(struct pl031 *s, uint32_t off, uint32_t value)
{
    switch (off) {
    case REG_MR:
        s->mr = value;
        match_schedule(s);
        return;
    case REG_LR:
        /* The counter takes the value now; CLK1HZ keeps its phase. */
        s->lr = value;
        s->offset = (uint32_t)(value - (uint32_t)base_seconds(s));
        match_schedule(s);
        return;
    case REG_CR:
        /* Started at reset; RTCStart writes are ignored until the next
         * reset (TRM 3.3.4). */
        if (!(value & CR_START))
            log_msg(s->log, LOG_DEV, "%s: RTCCR write 0x%x: the RTC cannot be stopped "
                    "once started", s->path, value);
        return;
    case REG_IMSC:
        s->imsc = value & INT_MATCH;
        update_irq(s);
        return;
    case REG_ICR:
        s->ris &= ~(value & INT_MATCH);
        update_irq(s);
        return;
    default:
        log_msg(s->log, LOG_DEV, "%s: write of 0x%x to %s register 0x%03x ignored",
                s->path, value, off == REG_DR || off == REG_RIS || off == REG_MIS ||
                off >= REG_ID_FIRST ? "read-only" : "unknown", off);
        return;
    }
}

/* APB registers, 32 bits wide: byte and halfword reads return the
 * addressed part of the word; a narrow write at a word's offset writes the
 * zero-extended value; other partial writes are ignored and 64-bit
 * accesses are a bus error. */
static int pl031_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                      uint64_t *value)
{
    struct pl031 *s = opaque;
    int rc;
    *value = 0;
    if (!primecell_access_ok(s->log, s->path, PL031_REGION_SIZE, window, offset, size, false, false, &rc))
        return rc;
    *value = primecell_lane(read_reg(s, (uint32_t)offset & ~3u), offset, size);
    return BUS_OK;
}

static int pl031_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                       uint64_t value)
{
    struct pl031 *s = opaque;
    int rc;
    if (!primecell_access_ok(s->log, s->path, PL031_REGION_SIZE, window, offset, size, true, false, &rc))
        return rc;
    write_reg(s, (uint32_t)offset, primecell_write_value(value, size));
    return BUS_OK;
}

/* ---- lifecycle ---------------------------------------------------------- */

static void pl031_reset(void *opaque)
{
    struct pl031 *s = opaque;
    /* TRM table 3-1 resets every register to zero; the counter is left
     * started and loaded with the time base (see the top of the file). */
    s->offset = 0;
    s->mr = s->lr = s->imsc = s->ris = 0;
    match_schedule(s);
    update_irq(s);
}

static int pl031_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 1)
        return orr_fail(err, "%s: pl031 needs a reg window", ctx->path);
    if (ctx->window_size[0] < PL031_REGION_SIZE)
        return orr_fail(err, "%s: pl031 reg window is 0x%llx bytes, needs 0x%x",
                        ctx->path, (unsigned long long)ctx->window_size[0],
                        PL031_REGION_SIZE);
    if (!ctx->clock)
        return orr_fail(err, "%s: pl031 needs the machine clock", ctx->path);
    struct pl031 *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(s->path, sizeof s->path, "%s", ctx->path ? ctx->path : "pl031");
    snprintf(s->event_name, sizeof s->event_name, "%s match", s->path);
    s->log = ctx->log;
    s->irq = ctx->nirqs ? ctx->irqs[0] : NULL;
    s->clock = ctx->clock;
    clock_event_init(&s->match, s->event_name, match_fire, s);
    pl031_reset(s);
    *dev = s;
    return 0;
}

static void pl031_destroy(void *opaque)
{
    struct pl031 *s = opaque;
    if (!s)
        return;
    clock_event_cancel(s->clock, &s->match);
    free(s);
}

/* Section layout, version 1: the counter's offset from the time base,
 * RTCMR, RTCLR, RTCIMSC, RTCRIS. The match event is not saved: it follows
 * from these and the clock, and is scheduled again on load. */
static int pl031_save(void *opaque, struct state_writer *w)
{
    struct pl031 *s = opaque;
    state_put_u32(w, s->offset);
    state_put_u32(w, s->mr);
    state_put_u32(w, s->lr);
    state_put_u32(w, s->imsc);
    state_put_u32(w, s->ris);
    return w->failed ? -1 : 0;
}

static int pl031_load(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct pl031 *s = opaque;
    uint32_t offset = state_get_u32(r);
    uint32_t mr = state_get_u32(r);
    uint32_t lr = state_get_u32(r);
    uint32_t imsc = state_get_u32(r);
    uint32_t ris = state_get_u32(r);
    if (state_reader_check(r) != 0)
        return orr_fail(err, "%s: truncated or corrupt pl031 section", s->path);
    s->offset = offset;
    s->mr = mr;
    s->lr = lr;
    s->imsc = imsc & INT_MATCH;
    s->ris = ris & INT_MATCH;
    match_schedule(s);
    update_irq(s);
    return 0;
}

static const char *const pl031_compatible[] = { "arm,pl031", NULL };

const struct device_model pl031_model = {
    .name = "pl031",
    .compatible = pl031_compatible,
    .summary = "ARM PrimeCell real-time clock (PL031)",
    .state_version = 1,
    .create = pl031_create,
    .reset = pl031_reset,
    .read = pl031_read,
    .write = pl031_write,
    .save = pl031_save,
    .load = pl031_load,
    .destroy = pl031_destroy,
};
