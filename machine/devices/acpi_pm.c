/* The ACPI fixed power-management hardware of the pc board (ACPI 6.4
 * chapter 4, "ACPI Hardware Specification"): the PM1a event block, the
 * PM1a control block and the power-management timer, at the I/O ports the
 * FADT names (machine/acpi.c builds it from this node's `reg`).
 *
 * Window 0, 12 ports (machine/acpi.h):
 *   +0  PM1_STS  (16 bits) TMR_STS 0, GBL_STS 5, PWRBTN_STS 8, SLPBTN_STS 9,
 *                RTC_STS 10, WAK_STS 15; a 1 written clears a bit
 *                (write-1-to-clear)
 *   +2  PM1_EN   (16 bits) TMR_EN 0, GBL_EN 5, PWRBTN_EN 8, SLPBTN_EN 9,
 *                RTC_EN 10: read back as written (an OS checks that they
 *                stick). Nothing sets GBL_STS (there is no firmware to
 *                release the global lock), SLPBTN_STS (no sleep button) or
 *                RTC_STS (the RTC alarm does not wake the machine)
 *   +4  PM1_CNT  (16 bits) SCI_EN 0 (reads 1: the FADT has no SMI_CMD, so
 *                the machine is always in ACPI mode), SLP_TYPx 10-12,
 *                SLP_EN 13 (write-only)
 *   +8  PM_TMR   (32 bits read) 24-bit counter at 3.579545 MHz
 *
 * The SCI (the device's interrupt, level, active high here; the tree
 * wires it to ISA IRQ 9) is asserted while a status bit and its enable
 * bit are both set.
 *
 * Timer. Its count is the machine's time in ticks of 3.579545 MHz
 * (floor(t * 3579545 / 1e9), taken at the access with clock_now), so it is
 * exact and reproducible in virtual time. TMR_STS is set each time bit 23
 * of the count changes (4.8.3.3): the device keeps the time of the last
 * clear and computes the bit on read; with TMR_EN set a clock event falls
 * at the next change to raise the SCI.
 *
 * Power. Writing SLP_EN with SLP_TYP = ACPI_SLP_TYP_S5 (the \_S5 value of
 * the board's DSDT) is soft-off: the run ends with status 0, as a PC
 * power supply switching off ends it. Other sleep types are not modelled
 * (the DSDT offers none) and are ignored with a note.
 *
 * The power button is external input 0: pressing it (a rising level) sets
 * PWRBTN_STS. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/clock.h"
#include "cpu/log.h"
#include "machine/acpi.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/state.h"

#define PM_TIMER_HZ 3579545ull

#define STS_TMR     (1u << 0)
#define STS_GBL     (1u << 5)
#define STS_PWRBTN  (1u << 8)
#define STS_SLPBTN  (1u << 9)
#define STS_RTC     (1u << 10)
#define STS_WAK     (1u << 15)
#define STS_BITS    (STS_TMR | STS_GBL | STS_PWRBTN | STS_SLPBTN | STS_RTC | STS_WAK)
#define EN_BITS     (STS_TMR | STS_GBL | STS_PWRBTN | STS_SLPBTN | STS_RTC)

#define CNT_SCI_EN       (1u << 0)
#define CNT_SLP_TYP_SHIFT 10
#define CNT_SLP_TYP_MASK (7u << CNT_SLP_TYP_SHIFT)
#define CNT_SLP_EN       (1u << 13)
/* Bits that read back: SCI_EN, BM_RLD, SLP_TYP (GBL_RLS and SLP_EN are
 * write-only). */
#define CNT_STORED       (CNT_SCI_EN | (1u << 1) | CNT_SLP_TYP_MASK)

struct acpi_pm {
    char path[128];
    char event_name[160];
    const struct logger *log;
    struct irq_line *sci;
    struct vclock *clock;
    void (*request_exit)(void *opaque, int status);
    void *exit_opaque;

    uint16_t sts;            /* PWRBTN_STS, WAK_STS (TMR_STS is computed) */
    uint16_t en;
    uint16_t cnt;
    uint64_t tmr_cleared;    /* tick count when TMR_STS was last cleared */
    bool button;             /* power button input level */

    struct clock_event tmr_event;
};

static uint64_t ticks_at(uint64_t ns)
{
    return clock_ticks_at(ns, PM_TIMER_HZ);
}

/* TMR_STS: bit 23 changed since the last clear, i.e. a multiple of 2^23
 * ticks lies in (cleared, now]. */
static bool tmr_sts(const struct acpi_pm *s, uint64_t now_ticks)
{
    return (now_ticks >> 23) != (s->tmr_cleared >> 23);
}

static uint16_t status(const struct acpi_pm *s)
{
    uint16_t v = s->sts;
    if (tmr_sts(s, ticks_at(clock_now(s->clock))))
        v |= STS_TMR;
    return v;
}

static void update(struct acpi_pm *s)
{
    uint16_t st = status(s);
    irq_set(s->sci, (st & s->en & EN_BITS) != 0);
    clock_event_cancel(s->clock, &s->tmr_event);
    if ((s->en & STS_TMR) && !(st & STS_TMR)) {
        uint64_t next = ((s->tmr_cleared >> 23) + 1) << 23;
        uint64_t when = clock_tick_time(next, PM_TIMER_HZ);
        if (when != CLOCK_NEVER && clock_event_schedule(s->clock, &s->tmr_event, when) != 0)
            log_msg(s->log, LOG_DEV, "%s: event queue full, timer interrupt lost", s->path);
    }
}

static void tmr_fire(void *opaque, uint64_t now_ns)
{
    (void)now_ns;
    update(opaque);
}

static uint16_t read_reg16(struct acpi_pm *s, unsigned off)
{
    switch (off) {
    case ACPI_PM1_EVT_OFFSET: return status(s);
    case ACPI_PM1_EVT_OFFSET + 2: return s->en;
    case ACPI_PM1_CNT_OFFSET: return s->cnt;
    default: return 0;
    }
}

static void sleep_request(struct acpi_pm *s, unsigned typ)
{
    if (typ == ACPI_SLP_TYP_S5) {
        log_msg(s->log, LOG_DEV, "%s: soft off (S5)", s->path);
        if (s->request_exit)
            s->request_exit(s->exit_opaque, 0);
        return;
    }
    log_msg(s->log, LOG_DEV, "%s: sleep type %u is not modelled; ignored", s->path, typ);
}

static void write_reg16(struct acpi_pm *s, unsigned off, uint16_t v)
{
    switch (off) {
    case ACPI_PM1_EVT_OFFSET:
        if (v & STS_TMR)
            s->tmr_cleared = ticks_at(clock_now(s->clock));
        s->sts &= (uint16_t)~(v & STS_BITS);
        break;
    case ACPI_PM1_EVT_OFFSET + 2:
        s->en = v & EN_BITS;
        break;
    case ACPI_PM1_CNT_OFFSET:
        s->cnt = (uint16_t)((v & CNT_STORED) | CNT_SCI_EN);
        if (v & CNT_SLP_EN)
            sleep_request(s, (v & CNT_SLP_TYP_MASK) >> CNT_SLP_TYP_SHIFT);
        break;
    default:
        return;
    }
    update(s);
}

/* Byte, word and dword accesses anywhere in the block: the 16-bit
 * registers are split or joined as the bus would. */
static int acpi_pm_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                        uint64_t *value)
{
    struct acpi_pm *s = opaque;
    *value = 0;
    if (window != 0 || offset + size > ACPI_PM_BLOCK_SIZE)
        return BUS_OK;
    if (offset >= ACPI_PM_TMR_OFFSET) {
        uint32_t t = (uint32_t)(ticks_at(clock_now(s->clock)) & 0xffffffu);
        unsigned shift = (unsigned)(offset - ACPI_PM_TMR_OFFSET) * 8;
        *value = (t >> shift) & (size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1);
        return BUS_OK;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned at = (unsigned)offset + i;
        uint16_t reg = read_reg16(s, at & ~1u);
        v |= (uint64_t)((reg >> ((at & 1u) * 8)) & 0xffu) << (i * 8);
    }
    *value = v;
    return BUS_OK;
}

static int acpi_pm_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                         uint64_t value)
{
    struct acpi_pm *s = opaque;
    if (window != 0 || offset + size > ACPI_PM_TMR_OFFSET)
        return BUS_OK;    /* the timer is read-only */
    for (unsigned at = (unsigned)offset & ~1u; at < offset + size; at += 2) {
        /* The bytes of this register the access covers replace its
         * value; status bits are write-1-to-clear, so bytes not written
         * contribute zeros there and the stored value elsewhere. */
        uint16_t old = at == ACPI_PM1_EVT_OFFSET ? 0 : read_reg16(s, at);
        uint16_t v = old;
        for (unsigned b = 0; b < 2; b++) {
            unsigned byte = at + b;
            if (byte < offset || byte >= offset + size)
                continue;
            uint8_t nb = (uint8_t)(value >> ((byte - offset) * 8));
            v = (uint16_t)((v & ~(0xffu << (b * 8))) | ((unsigned)nb << (b * 8)));
        }
        write_reg16(s, at, v);
    }
    return BUS_OK;
}

static void acpi_pm_set_input(void *opaque, unsigned input, bool level)
{
    struct acpi_pm *s = opaque;
    if (input != 0)
        return;
    if (level && !s->button)
        s->sts |= STS_PWRBTN;
    s->button = level;
    update(s);
}

static void acpi_pm_reset(void *opaque)
{
    struct acpi_pm *s = opaque;
    s->sts = 0;
    s->en = 0;
    s->cnt = CNT_SCI_EN;
    s->tmr_cleared = ticks_at(clock_now(s->clock));
    update(s);
}

static int acpi_pm_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 1 || ctx->window_size[0] < ACPI_PM_BLOCK_SIZE)
        return orr_fail(err, "%s: the ACPI PM block needs a reg window of %d ports",
                        ctx->path, ACPI_PM_BLOCK_SIZE);
    if (!ctx->clock)
        return orr_fail(err, "%s: needs the machine clock", ctx->path);
    struct acpi_pm *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(s->path, sizeof s->path, "%s", ctx->path ? ctx->path : "acpi-pm");
    snprintf(s->event_name, sizeof s->event_name, "%s timer", s->path);
    s->log = ctx->log;
    s->sci = ctx->nirqs ? ctx->irqs[0] : NULL;
    s->clock = ctx->clock;
    s->request_exit = ctx->request_exit;
    s->exit_opaque = ctx->exit_opaque;
    clock_event_init(&s->tmr_event, s->event_name, tmr_fire, s);
    acpi_pm_reset(s);
    *dev = s;
    return 0;
}

static void acpi_pm_destroy(void *opaque)
{
    struct acpi_pm *s = opaque;
    if (!s)
        return;
    clock_event_cancel(s->clock, &s->tmr_event);
    free(s);
}

/* Section, version 1: PM1_STS (stored bits), PM1_EN, PM1_CNT, the tick
 * count of the last TMR_STS clear, the button level. The timer event
 * follows from these and is scheduled again on load. */
static int acpi_pm_save(void *opaque, struct state_writer *w)
{
    struct acpi_pm *s = opaque;
    state_put_u16(w, s->sts);
    state_put_u16(w, s->en);
    state_put_u16(w, s->cnt);
    state_put_u64(w, s->tmr_cleared);
    state_put_u8(w, s->button);
    return w->failed ? -1 : 0;
}

static int acpi_pm_load(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct acpi_pm *s = opaque;
    uint16_t sts = state_get_u16(r), en = state_get_u16(r), cnt = state_get_u16(r);
    uint64_t cleared = state_get_u64(r);
    uint8_t button = state_get_u8(r);
    if (state_reader_check(r) != 0 || button > 1)
        return orr_fail(err, "%s: truncated or corrupt ACPI PM section", s->path);
    s->sts = sts & (STS_PWRBTN | STS_WAK);
    s->en = en & EN_BITS;
    s->cnt = (uint16_t)((cnt & CNT_STORED) | CNT_SCI_EN);
    s->tmr_cleared = cleared;
    s->button = button;
    update(s);
    return 0;
}

static const char *const acpi_pm_compatible[] = { "orrery,acpi-pm", NULL };

const struct device_model acpi_pm_model = {
    .name = "acpi-pm",
    .compatible = acpi_pm_compatible,
    .summary = "ACPI PM1 event/control blocks and PM timer (S5 soft-off, power button)",
    .state_version = 1,
    .create = acpi_pm_create,
    .reset = acpi_pm_reset,
    .read = acpi_pm_read,
    .write = acpi_pm_write,
    .save = acpi_pm_save,
    .load = acpi_pm_load,
    .destroy = acpi_pm_destroy,
    .ninputs = 1,
    .set_input = acpi_pm_set_input,
};
