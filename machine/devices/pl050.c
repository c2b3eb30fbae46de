/* ARM PrimeCell PS2 Keyboard/Mouse Interface (PL050), after the PL050
 * Technical Reference Manual (ARM DDI 0143).
 *
 * One KMI is one PS/2 port: a transmit register the CPU writes bytes into
 * for the device, a receive register the device's bytes arrive in, and a
 * combined interrupt (KMIINTR, TRM 2.3) that is the OR of the receive
 * interrupt (receive register full, enabled by KMICR.KmiRxIntrEn) and the
 * transmit interrupt (transmit register empty, KMICR.KmiTxIntrEn). It
 * drives the node's first interrupt line as a level.
 *
 * The PS/2 device at the far end is one of ps2.c's, chosen by the node's
 * `orrery,ps2-device` property: "keyboard" (the default) or "mouse"
 * (docs/boards.md). It is part of this device: reset with it and saved in
 * its section.
 *
 * Timing. A byte on a real PS/2 line takes about a millisecond (11 bits at
 * 10-16.7 kHz); here a byte written to KMIDATA reaches the device at once
 * and its answer is in the receive register when the write returns, so
 * TXBUSY and RXBUSY always read 0 and the transmit register is always
 * empty. The clock divisor is kept but changes no timing. While the port
 * is disabled (KMICR.KmiEn clear) or its clock is forced low (FKMIC, which
 * inhibits a PS/2 device from sending), device bytes wait in the device's
 * own buffer. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "cpu/log.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/devices/primecell.h"
#include "machine/devices/ps2.h"
#include "machine/display.h"
#include "machine/irq.h"
#include "machine/state.h"

#define PL050_REGION_SIZE 0x1000

/* Register offsets (TRM 3.2, table 3-1). */
enum {
    REG_CR = 0x00,       /* KMICR, control */
    REG_STAT = 0x04,     /* KMISTAT, status (read only) */
    REG_DATA = 0x08,     /* KMIDATA: read the receive, write the transmit register */
    REG_CLKDIV = 0x0C,   /* KMICLKDIV, 4 bits */
    REG_IR = 0x10,       /* KMIIR, interrupt status (read only) */
    REG_ID_FIRST = 0xFE0,
};

/* KMICR (TRM 3.3.1). */
#define CR_FKMIC 0x01u       /* force the clock line low */
#define CR_FKMID 0x02u       /* force the data line low */
#define CR_EN 0x04u          /* KmiEn */
#define CR_TXINTREN 0x08u
#define CR_RXINTREN 0x10u
#define CR_TYPE 0x20u        /* 1: no line control bit mode */
#define CR_MASK 0x3Fu

/* KMISTAT (TRM 3.3.2). */
#define STAT_KMID 0x01u      /* the data line's level */
#define STAT_KMIC 0x02u      /* the clock line's level */
#define STAT_RXPARITY 0x04u  /* the odd-parity bit of the last byte received */
#define STAT_RXBUSY 0x08u
#define STAT_RXFULL 0x10u
#define STAT_TXBUSY 0x20u
#define STAT_TXEMPTY 0x40u

/* KMIIR (TRM 3.3.5). */
#define IR_RX 0x01u
#define IR_TX 0x02u

#define CLKDIV_MASK 0x0Fu

/* KMIPeriphID0-3 and KMIPCellID0-3 at 0xFE0..0xFFC (TRM 3.3.6-3.3.7):
 * part 0x050, designer 0x41 (ARM), revision 0, then 0xB105F00D. */
static const uint8_t pl050_id[8] = {
    0x50, 0x10, 0x04, 0x00,
    0x0D, 0xF0, 0x05, 0xB1,
};

struct pl050 {
    char path[128];
    const struct logger *log;
    struct irq_line *irq;
    bool mouse;              /* the port's device: a mouse, else a keyboard */
    struct ps2_kbd kbd;
    struct ps2_mouse ms;

    uint8_t cr, clkdiv;
    uint8_t rx;              /* the receive register */
    bool rx_full;
    bool rx_parity;          /* the parity bit the last byte came with */
};

static bool odd_parity_bit(uint8_t b)
{
    /* PS/2 frames carry odd parity: the bit that makes the ones odd. */
    unsigned ones = 0;
    for (unsigned v = b; v; v >>= 1)
        ones += v & 1u;
    return (ones & 1u) == 0;
}

static uint8_t ir_bits(const struct pl050 *s)
{
    uint8_t ir = 0;
    if (s->rx_full && (s->cr & CR_RXINTREN))
        ir |= IR_RX;
    if (s->cr & CR_TXINTREN)      /* the transmit register is always empty */
        ir |= IR_TX;
    return ir;
}

static void update_irq(struct pl050 *s)
{
    irq_set(s->irq, ir_bits(s) != 0);
}

static bool device_has_data(const struct pl050 *s)
{
    return s->mouse ? ps2_mouse_has_data(&s->ms) : ps2_kbd_has_data(&s->kbd);
}

/* Moves the device's next byte into an empty receive register when the
 * line lets it send. */
static void pump(struct pl050 *s)
{
    if (!s->rx_full && (s->cr & CR_EN) && !(s->cr & CR_FKMIC) && device_has_data(s)) {
        int b = s->mouse ? ps2_mouse_read(&s->ms) : ps2_kbd_read(&s->kbd);
        if (b >= 0) {
            s->rx = (uint8_t)b;
            s->rx_full = true;
            s->rx_parity = odd_parity_bit(s->rx);
        }
    }
    update_irq(s);
}

static void device_notify(void *opaque)
{
    pump(opaque);
}

/* ---- register access ---------------------------------------------------- */

static uint32_t read_reg(struct pl050 *s, uint32_t off)
{
    switch (off) {
    case REG_CR: return s->cr;
    case REG_STAT:
        return STAT_TXEMPTY | (s->rx_full ? STAT_RXFULL : 0) |
               (s->rx_parity ? STAT_RXPARITY : 0) |
               (s->cr & CR_FKMIC ? 0 : STAT_KMIC) | (s->cr & CR_FKMID ? 0 : STAT_KMID);
    case REG_DATA: {
        /* Reading takes the byte and lets the next one in (TRM 3.3.3). */
        uint8_t v = s->rx;
        s->rx_full = false;
        pump(s);
        return v;
    }
    case REG_CLKDIV: return s->clkdiv;
    case REG_IR: return ir_bits(s);
    default:
        break;
    }
    if (off >= REG_ID_FIRST && off < PL050_REGION_SIZE)
        return pl050_id[(off - REG_ID_FIRST) / 4];
    log_msg(s->log, LOG_DEV, "%s: read of unknown register 0x%03x", s->path, off);
    return 0;
}

static void write_reg(struct pl050 *s, uint32_t off, uint32_t value)
{
    switch (off) {
    case REG_CR:
        s->cr = (uint8_t)(value & CR_MASK);
        pump(s);
        return;
    case REG_DATA:
        if (!(s->cr & CR_EN)) {
            log_msg(s->log, LOG_DEV, "%s: byte 0x%02x written while the KMI is disabled",
                    s->path, value & 0xFFu);
            return;
        }
        if (s->mouse)
            ps2_mouse_write(&s->ms, (uint8_t)value);
        else
            ps2_kbd_write(&s->kbd, (uint8_t)value);
        pump(s);
        return;
    case REG_CLKDIV:
        s->clkdiv = (uint8_t)(value & CLKDIV_MASK);
        return;
    default:
        log_msg(s->log, LOG_DEV, "%s: write of 0x%x to %s register 0x%03x ignored",
                s->path, value, off == REG_STAT || off == REG_IR || off >= REG_ID_FIRST ?
                "read-only" : "unknown", off);
        return;
    }
}

/* APB registers, 8 bits wide at word offsets (TRM 3.2): byte, halfword and
 * word accesses at a word's offset see the register; other offsets and
 * 64-bit accesses are refused. */
static int pl050_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                      uint64_t *value)
{
    struct pl050 *s = opaque;
    int rc;
    *value = 0;
    if (!primecell_access_ok(s->log, s->path, PL050_REGION_SIZE, window, offset, size, false,
                             true, &rc))
        return rc;
    *value = primecell_lane(read_reg(s, (uint32_t)offset & ~3u), offset, size);
    return BUS_OK;
}

static int pl050_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                       uint64_t value)
{
    struct pl050 *s = opaque;
    int rc;
    if (!primecell_access_ok(s->log, s->path, PL050_REGION_SIZE, window, offset, size, true, false, &rc))
        return rc;
    write_reg(s, (uint32_t)offset, (uint32_t)value);
    return BUS_OK;
}

/* ---- host input ----------------------------------------------------------- */

static unsigned pl050_input_rank(void *opaque, int cls)
{
    struct pl050 *s = opaque;
    if (!(s->cr & CR_EN))
        return 0;
    if (cls == (s->mouse ? INPUT_POINTER_REL : INPUT_KEYBOARD))
        return 1;
    return 0;
}

static void pl050_input_event(void *opaque, const struct input_event *ev)
{
    struct pl050 *s = opaque;
    if (!s->mouse && ev->cls == INPUT_KEYBOARD) {
        (void)ps2_kbd_key(&s->kbd, ev->key, ev->down);
    } else if (s->mouse && ev->cls == INPUT_POINTER_REL) {
        /* The host's dy grows down the screen and its dz away from the
         * user; a PS/2 mouse counts up the screen and towards the user. */
        int dy = ev->dy == INT32_MIN ? INT32_MAX : -ev->dy;
        int dz = ev->dz == INT32_MIN ? INT32_MAX : -ev->dz;
        ps2_mouse_move(&s->ms, ev->dx, dy, dz, ev->buttons);
    }
}

/* ---- lifecycle ---------------------------------------------------------- */

static void pl050_reset(void *opaque)
{
    struct pl050 *s = opaque;
    /* TRM table 3-1: KMICR, KMICLKDIV 0; the receive register empty. */
    s->cr = 0;
    s->clkdiv = 0;
    s->rx = 0;
    s->rx_full = false;
    s->rx_parity = false;
    ps2_kbd_reset(&s->kbd);
    ps2_mouse_reset(&s->ms);
    update_irq(s);
}

static int pl050_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 1)
        return orr_fail(err, "%s: pl050 needs a reg window", ctx->path);
    if (ctx->window_size[0] < PL050_REGION_SIZE)
        return orr_fail(err, "%s: pl050 reg window is 0x%llx bytes, needs 0x%x",
                        ctx->path, (unsigned long long)ctx->window_size[0],
                        PL050_REGION_SIZE);
    bool mouse = false;
    if (ctx->fdt && ctx->node >= 0) {
        int len;
        const char *kind = fdt_getprop(ctx->fdt, ctx->node, "orrery,ps2-device", &len);
        if (kind) {
            if (len == sizeof "mouse" && memcmp(kind, "mouse", len) == 0)
                mouse = true;
            else if (!(len == sizeof "keyboard" && memcmp(kind, "keyboard", len) == 0))
                return orr_fail(err, "%s: orrery,ps2-device is not \"keyboard\" or \"mouse\"",
                                ctx->path);
        }
    }
    struct pl050 *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(s->path, sizeof s->path, "%s", ctx->path ? ctx->path : "pl050");
    s->log = ctx->log;
    s->irq = ctx->nirqs ? ctx->irqs[0] : NULL;
    s->mouse = mouse;
    ps2_kbd_init(&s->kbd, device_notify, s);
    ps2_mouse_init(&s->ms, device_notify, s);
    pl050_reset(s);
    *dev = s;
    return 0;
}

/* Section layout, version 1: which device the port holds (a check), KMICR,
 * KMICLKDIV, the receive register, whether it is full and the parity bit
 * it came with, then that PS/2
 * device's own fields (ps2.h). */
static int pl050_save(void *opaque, struct state_writer *w)
{
    struct pl050 *s = opaque;
    state_put_bool(w, s->mouse);
    state_put_u8(w, s->cr);
    state_put_u8(w, s->clkdiv);
    state_put_u8(w, s->rx);
    state_put_bool(w, s->rx_full);
    state_put_bool(w, s->rx_parity);
    if (s->mouse)
        ps2_mouse_save(&s->ms, w);
    else
        ps2_kbd_save(&s->kbd, w);
    return w->failed ? -1 : 0;
}

static int pl050_load(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct pl050 *s = opaque;
    bool mouse = state_get_bool(r);
    uint8_t cr = state_get_u8(r);
    uint8_t clkdiv = state_get_u8(r);
    uint8_t rx = state_get_u8(r);
    bool rx_full = state_get_bool(r);
    bool rx_parity = state_get_bool(r);
    if (state_reader_check(r) != 0)
        return orr_fail(err, "%s: truncated or corrupt pl050 section", s->path);
    if (mouse != s->mouse)
        return orr_fail(err, "%s: saved port holds a %s, this one a %s", s->path,
                        mouse ? "mouse" : "keyboard", s->mouse ? "mouse" : "keyboard");
    if ((cr & ~CR_MASK) || (clkdiv & ~CLKDIV_MASK))
        return orr_fail(err, "%s: bad KMICR 0x%02x or KMICLKDIV 0x%02x", s->path, cr, clkdiv);
    /* The PS/2 loaders check everything before they change anything. */
    if (s->mouse ? ps2_mouse_load(&s->ms, r, err) : ps2_kbd_load(&s->kbd, r, err))
        return -1;
    s->cr = cr;
    s->clkdiv = clkdiv;
    s->rx = rx;
    s->rx_full = rx_full;
    s->rx_parity = rx_parity;
    update_irq(s);
    return 0;
}

static const char *const pl050_compatible[] = { "arm,pl050", NULL };

const struct device_model pl050_model = {
    .name = "pl050",
    .compatible = pl050_compatible,
    .summary = "ARM PrimeCell PS/2 keyboard/mouse interface (PL050)",
    .state_version = 1,
    .create = pl050_create,
    .reset = pl050_reset,
    .read = pl050_read,
    .write = pl050_write,
    .save = pl050_save,
    .load = pl050_load,
    .destroy = free,
    .input_rank = pl050_input_rank,
    .input_event = pl050_input_event,
};
