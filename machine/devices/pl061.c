/* ARM PrimeCell General Purpose Input/Output (PL061), after the PL061
 * Technical Reference Manual (ARM DDI 0190).
 *
 * Eight pins. A pin configured as an output (GPIODIR bit set) is driven
 * from the data register; a pin configured as an input takes its level
 * from outside the machine, through the model's external inputs (one per
 * pin, driven with machine_set_input: a frontend pressing the board's
 * power button ends up here). An input nobody drives reads low, as the
 * pull-downs QEMU's virt board gives its PL061 make it.
 *
 * Interrupts (TRM 3.3.3-3.3.9):
 *   - edge-sensitive pins (GPIOIS clear) latch a raw interrupt on a rising
 *     edge (GPIOIEV set), a falling edge (GPIOIEV clear) or either edge
 *     (GPIOIBE set) of an input pin; GPIOIC clears the latch. An output
 *     pin makes no edges: what reaches the edge detector is the outside
 *     world, whose only source here is the external inputs (QEMU's model
 *     draws the same line). A pin that turns input with a level different
 *     from the one it drove as an output sees that change as an edge;
 *   - level-sensitive pins (GPIOIS set) have a raw interrupt exactly while
 *     the pin's level, output or input, is high (GPIOIEV set) or low
 *     (GPIOIEV clear). GPIOIC does not clear it (TRM 3.3.9: it clears
 *     edge-detected interrupts only); removing the level does. (QEMU's
 *     model keeps a level interrupt latched until GPIOIC instead.)
 * The combined interrupt GPIOINTR (any bit of GPIOMIS) drives the device's
 * first interrupt line.
 *
 * GPIOAFSEL is kept and read back; no peripheral is attached to the
 * hardware-control side, so a pin under hardware control behaves as in
 * software mode. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/log.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/devices/primecell.h"
#include "machine/irq.h"
#include "machine/state.h"

#define PL061_REGION_SIZE 0x1000
#define PL061_PINS 8
#define PIN_MASK 0xFFu

/* Register offsets (TRM 3.2, table 3-1). */
enum {
    REG_DATA_LAST = 0x3FC,   /* GPIODATA at 0x000-0x3FC, address bits 9:2 mask */
    REG_DIR = 0x400,
    REG_IS = 0x404,
    REG_IBE = 0x408,
    REG_IEV = 0x40C,
    REG_IE = 0x410,
    REG_RIS = 0x414,
    REG_MIS = 0x418,
    REG_IC = 0x41C,
    REG_AFSEL = 0x420,
    REG_ID_FIRST = 0xFE0,    /* GPIOPeriphID0..3, GPIOPCellID0..3 */
};

/* Identification registers at 0xFE0..0xFFC (TRM 3.3.12-3.3.13). */
static const uint8_t pl061_id[8] = {
    0x61, 0x10, 0x04, 0x00,   /* GPIOPeriphID0-3: part 0x061, designer 0x41, rev 0 */
    0x0D, 0xF0, 0x05, 0xB1,   /* GPIOPCellID0-3: 0xB105F00D */
};

struct pl061 {
    char path[128];
    const struct logger *log;
    struct irq_line *irq;

    /* registers, one bit per pin */
    uint32_t data;       /* output latch: only output pins are ever written */
    uint32_t dir, is, ibe, iev, ie, afsel;
    uint32_t edge_ris;   /* latched edge interrupts */

    uint32_t inputs;     /* levels driven from outside */
    uint32_t pins;       /* pin levels as last seen by the edge detector */
};

/* ---- pins and interrupts ------------------------------------------------ */

static uint32_t pin_levels(const struct pl061 *s)
{
    return ((s->data & s->dir) | (s->inputs & ~s->dir)) & PIN_MASK;
}

/* GPIORIS: latched edges of edge pins, current levels of level pins. */
static uint32_t raw_status(const struct pl061 *s)
{
    uint32_t active_level = ~(s->pins ^ s->iev);   /* level equals the IEV sense */
    return ((s->edge_ris & ~s->is) | (active_level & s->is)) & PIN_MASK;
}

static void update_irq(struct pl061 *s)
{
    irq_set(s->irq, (raw_status(s) & s->ie) != 0);
}

/* Runs the edge detector over a change of pin levels (TRM 3.3.3-3.3.5):
 * changes on pins that are inputs now. */
static void pins_changed(struct pl061 *s)
{
    uint32_t now = pin_levels(s);
    uint32_t changed = (now ^ s->pins) & ~s->dir;
    uint32_t rising = changed & now, falling = changed & ~now;
    uint32_t edge_pins = ~s->is;
    uint32_t hit = (changed & s->ibe) |
                   (rising & ~s->ibe & s->iev) |
                   (falling & ~s->ibe & ~s->iev);
    s->edge_ris |= hit & edge_pins & PIN_MASK;
    s->pins = now;
    update_irq(s);
}

/* ---- register access ---------------------------------------------------- */

static uint32_t read_reg(struct pl061 *s, uint32_t off)
{
    if (off <= REG_DATA_LAST)
        return s->pins & ((off >> 2) & PIN_MASK);   /* TRM 3.3.1 */
    switch (off) {
    case REG_DIR: return s->dir;
    case REG_IS: return s->is;
    case REG_IBE: return s->ibe;
    case REG_IEV: return s->iev;
    case REG_IE: return s->ie;
    case REG_RIS: return raw_status(s);
    case REG_MIS: return raw_status(s) & s->ie;
    case REG_AFSEL: return s->afsel;
    default:
        break;
    }
    if (off >= REG_ID_FIRST && off < PL061_REGION_SIZE)
        return pl061_id[(off - REG_ID_FIRST) / 4];
    log_msg(s->log, LOG_DEV, "%s: read of unknown register 0x%03x", s->path, off);
    return 0;
}

static void write_reg(struct pl061 *s, uint32_t off, uint32_t value)
{
    value &= PIN_MASK;
    if (off <= REG_DATA_LAST) {
        /* Only the pins selected by address bits 9:2 and configured as
         * outputs change (TRM 3.3.1); writes to input pins are lost. */
        uint32_t mask = (off >> 2) & s->dir & PIN_MASK;
        s->data = (s->data & ~mask) | (value & mask);
        pins_changed(s);
        return;
    }
    switch (off) {
    case REG_DIR:
        s->dir = value;
        pins_changed(s);
        return;
    case REG_IS:
        s->is = value;
        s->edge_ris &= ~value;   /* a level pin has no latch */
        break;
    case REG_IBE:
        s->ibe = value;
        break;
    case REG_IEV:
        s->iev = value;
        break;
    case REG_IE:
        s->ie = value;
        break;
    case REG_IC:
        s->edge_ris &= ~value;
        break;
    case REG_AFSEL:
        s->afsel = value;
        break;
    default:
        log_msg(s->log, LOG_DEV, "%s: write of 0x%x to %s register 0x%03x ignored",
                s->path, value, off == REG_RIS || off == REG_MIS ||
                off >= REG_ID_FIRST ? "read-only" : "unknown", off);
        return;
    }
    update_irq(s);
}

/* APB registers, 32 bits wide, of which 8 are used: byte and halfword
 * reads return the addressed part of the word; a narrow write at a word's
 * offset writes the zero-extended value (drivers use byte accesses);
 * other partial writes are ignored and 64-bit accesses are a bus error. */
static int pl061_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                      uint64_t *value)
{
    struct pl061 *s = opaque;
    int rc;
    *value = 0;
    if (!primecell_access_ok(s->log, s->path, PL061_REGION_SIZE, window, offset, size, false, false, &rc))
        return rc;
    *value = primecell_lane(read_reg(s, (uint32_t)offset & ~3u), offset, size);
    return BUS_OK;
}

static int pl061_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                       uint64_t value)
{
    struct pl061 *s = opaque;
    int rc;
    if (!primecell_access_ok(s->log, s->path, PL061_REGION_SIZE, window, offset, size, true, false, &rc))
        return rc;
    write_reg(s, (uint32_t)offset, primecell_write_value(value, size));
    return BUS_OK;
}

/* ---- external inputs ---------------------------------------------------- */

static void pl061_set_input(void *opaque, unsigned input, bool level)
{
    struct pl061 *s = opaque;
    if (input >= PL061_PINS)
        return;
    if (level)
        s->inputs |= 1u << input;
    else
        s->inputs &= ~(1u << input);
    pins_changed(s);
}

/* ---- lifecycle ---------------------------------------------------------- */

static void pl061_reset(void *opaque)
{
    struct pl061 *s = opaque;
    /* Reset values from TRM table 3-1: every pin an input, edge-sensitive
     * on falling edges, masked. The external inputs are not the device's
     * to reset: a held button stays held. */
    s->data = s->dir = s->is = s->ibe = s->iev = s->ie = s->afsel = 0;
    s->edge_ris = 0;
    s->pins = pin_levels(s);
    update_irq(s);
}

static int pl061_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 1)
        return orr_fail(err, "%s: pl061 needs a reg window", ctx->path);
    if (ctx->window_size[0] < PL061_REGION_SIZE)
        return orr_fail(err, "%s: pl061 reg window is 0x%llx bytes, needs 0x%x",
                        ctx->path, (unsigned long long)ctx->window_size[0],
                        PL061_REGION_SIZE);
    struct pl061 *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(s->path, sizeof s->path, "%s", ctx->path ? ctx->path : "pl061");
    s->log = ctx->log;
    s->irq = ctx->nirqs ? ctx->irqs[0] : NULL;
    pl061_reset(s);
    *dev = s;
    return 0;
}

static void pl061_destroy(void *opaque)
{
    free(opaque);
}

/* Section layout, version 1: GPIODATA's output latch, GPIODIR, GPIOIS,
 * GPIOIBE, GPIOIEV, GPIOIE, GPIOAFSEL, the latched edge interrupts, the
 * external input levels and the pin levels last seen (u8 each). */
static int pl061_save(void *opaque, struct state_writer *w)
{
    struct pl061 *s = opaque;
    const uint32_t fields[] = { s->data, s->dir, s->is, s->ibe, s->iev, s->ie,
                                s->afsel, s->edge_ris, s->inputs, s->pins };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        state_put_u8(w, (uint8_t)fields[i]);
    return w->failed ? -1 : 0;
}

static int pl061_load(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct pl061 *s = opaque;
    uint32_t *const fields[] = { &s->data, &s->dir, &s->is, &s->ibe, &s->iev, &s->ie,
                                 &s->afsel, &s->edge_ris, &s->inputs, &s->pins };
    enum { NFIELDS = sizeof fields / sizeof fields[0] };
    uint8_t v[NFIELDS];
    for (size_t i = 0; i < NFIELDS; i++)
        v[i] = state_get_u8(r);
    if (state_reader_check(r) != 0)
        return orr_fail(err, "%s: truncated or corrupt pl061 section", s->path);
    for (size_t i = 0; i < NFIELDS; i++)
        *fields[i] = v[i];
    /* The levels last seen must be the levels: a change between them is
     * an edge the saved machine had not yet seen, and is seen now. */
    pins_changed(s);
    return 0;
}

static const char *const pl061_compatible[] = { "arm,pl061", NULL };

const struct device_model pl061_model = {
    .name = "pl061",
    .compatible = pl061_compatible,
    .summary = "ARM PrimeCell GPIO controller (PL061), 8 pins",
    .state_version = 1,
    .create = pl061_create,
    .reset = pl061_reset,
    .read = pl061_read,
    .write = pl061_write,
    .save = pl061_save,
    .load = pl061_load,
    .destroy = pl061_destroy,
    .ninputs = PL061_PINS,
    .set_input = pl061_set_input,
};
