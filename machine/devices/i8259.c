/* The PC/AT's two cascaded Intel 8259A programmable interrupt controllers
 * as one device, after the 8259A datasheet (Intel order 231468), with the
 * edge/level control registers (ELCR) of the PIIX and EISA chipsets.
 *
 * Windows: 0 = master (0x20-0x21), 1 = slave (0xA0-0xA1), 2 = ELCR
 * (0x4D0 for IRQ 0-7, 0x4D1 for IRQ 8-15). The slave's INT drives the
 * master's IR2, as on the AT; the master's INT drives the device's first
 * interrupt line (the CPU's INTR), and the CPU's interrupt acknowledge is
 * i8259_intack.
 *
 * Inputs (irq_connect, one cell): ISA IRQ 0-15 = master IR0-7, slave
 * IR0-7. IRQ 2 is refused: the master's IR2 is the slave's INT, and an
 * AT's ISA bus pin IRQ2 is wired to IRQ 9 (slave IR1), so a device for
 * that pin names 9.
 *
 * Requests (datasheet, "Interrupt triggering" and the priority cell). An
 * input is level-sensitive when ICW1.LTIM is set or its ELCR bit is (ELCR
 * bits for IRQ 0, 1, 2, 8 and 13 are fixed 0); its IRR bit is then the
 * input's level. Otherwise it is edge-sensitive: a rising edge sets the
 * edge-sense latch, and the IRR bit is that latch AND the level, since the
 * request latch is transparent and the input must stay high until INTA; a
 * falling input clears it, as does the acknowledge and ICW1. IRR shows
 * requests whether masked or not; IMR acts at the priority resolver.
 *
 * Spurious interrupts. When INTA finds no request, the chip answers with
 * its IR7 vector and sets no ISR bit (datasheet: "default IR7"). A slave
 * whose cascade input the master acknowledges but which then has nothing
 * answers with its own IR7 vector (IRQ 15); the master has set its ISR
 * bit 2 all the same, since the master cannot tell, so the guest must EOI
 * the master. Here INTA is one step, at the instant the CPU takes the
 * interrupt, and the slave's INT falls with its request: a slave request
 * that goes away before INTA takes the master's IR2 with it and yields the
 * master's default IR7 (vector master base + 7). On hardware the slave's
 * default comes when the request goes away inside the INTA sequence, after
 * the master has frozen its IRR, which an atomic INTA cannot show; here
 * that path is taken when the master acknowledges an input ICW3 marks as a
 * slave's and the slave at that cascade address has no request.
 *
 * The slave's INT is not asserted while it answers INTA: if it still has a
 * request afterwards (in AEOI mode, or a higher request that came in), INT
 * rises again, a new edge at the master's IR2.
 *
 * Choices where the datasheet is silent: ICW1 also clears ISR (a chip being
 * initialised has nothing in service; the datasheet lists only the edge
 * sense, IMR, IR7's priority, the slave address, special mask and the
 * read register); no request reaches INT until the init sequence is
 * complete; the poll command sets the ISR bit even in AEOI mode (there is
 * no INTA pulse for the automatic EOI); in special mask mode an unmasked
 * request is taken whenever its own ISR bit is clear ("enables interrupts
 * from all other levels (lower as well as higher) that are not masked").
 *
 * Power-on: the registers are undefined until ICW1. Orrery's reset leaves
 * both chips initialised as a PC BIOS does (ICW1 0x11, vector bases 0x08
 * and 0x70, ICW3 0x04 and 0x02, ICW4 0x01: edge, cascade, 8086 mode),
 * every input masked, ELCR 0. Linux and DOS initialise them again (ICW1
 * 0x11, ICW2 0x30 or 0x08 and 0x70, ICW3 4 and 2, ICW4 1). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/log.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/state.h"

#define MASTER 0
#define SLAVE 1
#define CASCADE_IR 2                 /* the master input the slave's INT drives */
#define NINPUTS 16

/* ICW1 (A0 = 0, D4 = 1). */
#define ICW1_IC4 0x01u
#define ICW1_SNGL 0x02u
#define ICW1_LTIM 0x08u
#define ICW1_INIT 0x10u
/* ICW4. */
#define ICW4_UPM 0x01u               /* 8086 mode */
#define ICW4_AEOI 0x02u
#define ICW4_MS 0x04u
#define ICW4_BUF 0x08u
#define ICW4_SFNM 0x10u
/* OCW3 (A0 = 0, D4 = 0, D3 = 1). */
#define OCW3_SEL 0x08u
#define OCW3_RIS 0x01u
#define OCW3_RR 0x02u
#define OCW3_P 0x04u
#define OCW3_SMM 0x20u
#define OCW3_ESMM 0x40u

/* The ELCR bits that exist: IRQ 0, 1, 2 (master) and 8, 13 (slave) are
 * always edge. */
static const uint8_t elcr_writable[2] = { 0xF8, 0xDE };

/* What a PC BIOS leaves (see the top of the file). */
static const uint8_t bios_icw2[2] = { 0x08, 0x70 };
static const uint8_t bios_icw3[2] = { 1u << CASCADE_IR, CASCADE_IR };

struct pic_chip {
    uint8_t lines;                   /* input levels */
    uint8_t edge;                    /* edge-sense latches (edge inputs) */
    uint8_t isr, imr, elcr;
    uint8_t icw1, icw2, icw3, icw4;
    uint8_t init_step;               /* 0 ready, else the ICW the next A0=1 write is */
    uint8_t lowest;                  /* the IR with the lowest priority */
    bool read_isr;                   /* OCW3 RR/RIS: A0=0 reads ISR, else IRR */
    bool poll;                       /* OCW3 P: the next read is a poll */
    bool smm;                        /* special mask mode */
    bool rotate_aeoi;                /* rotate in automatic EOI mode */
};

struct i8259 {
    char path[128];
    const struct logger *log;
    struct irq_line *intr;
    struct pic_chip chip[2];
};

static const char *const chip_name[2] = { "master", "slave" };

/* ---- requests and priority ------------------------------------------------ */

static uint8_t level_mask(const struct pic_chip *c)
{
    return (c->icw1 & ICW1_LTIM) ? 0xFF : c->elcr;
}

static uint8_t irr(const struct pic_chip *c)
{
    return (uint8_t)((c->lines & level_mask(c)) | (c->edge & c->lines));
}

/* The highest-priority IR among `bits` (priority runs from lowest+1 round
 * to lowest), or -1. */
static int highest(const struct pic_chip *c, uint8_t bits)
{
    for (unsigned i = 1; i <= 8; i++) {
        unsigned ir = (c->lowest + i) & 7u;
        if (bits & (1u << ir))
            return (int)ir;
    }
    return -1;
}

/* 0 is the highest priority, 7 the lowest. */
static unsigned rank(const struct pic_chip *c, unsigned ir)
{
    return (ir - c->lowest - 1) & 7u;
}

static bool is_master(const struct i8259 *p, const struct pic_chip *c)
{
    return c == &p->chip[MASTER];
}

/* The master's inputs that have a slave (ICW3), in cascade mode. */
static uint8_t slave_inputs(const struct pic_chip *c)
{
    return (c->icw1 & ICW1_SNGL) ? 0 : c->icw3;
}

/* The IR the chip would have the CPU take now, or -1 (datasheet, "Fully
 * nested mode", "Special fully nested mode", "Special mask mode"). */
static int resolve(const struct i8259 *p, const struct pic_chip *c)
{
    if (c->init_step)
        return -1;
    uint8_t req = irr(c) & (uint8_t)~c->imr;
    if (c->smm)
        return highest(c, req & (uint8_t)~c->isr);
    int want = highest(c, req);
    if (want < 0)
        return -1;
    int busy = highest(c, c->isr);
    if (busy < 0 || rank(c, (unsigned)want) < rank(c, (unsigned)busy))
        return want;
    /* SFNM: a slave in service still passes its higher requests on. */
    if (want == busy && is_master(p, c) && (c->icw4 & ICW4_SFNM) &&
        (slave_inputs(c) & (1u << want)))
        return want;
    return -1;
}

static bool input_level_mode(const struct pic_chip *c, unsigned ir)
{
    return (level_mask(c) >> ir) & 1u;
}

static void chip_input(struct pic_chip *c, unsigned ir, bool level)
{
    uint8_t bit = (uint8_t)(1u << ir);
    if (level) {
        if (!(c->lines & bit) && !input_level_mode(c, ir))
            c->edge |= bit;          /* a rising edge */
        c->lines |= bit;
    } else {
        c->lines &= (uint8_t)~bit;
        c->edge &= (uint8_t)~bit;
    }
}

/* Recomputes the slave's INT (the master's IR2) and the master's INT. */
static void update(struct i8259 *p)
{
    chip_input(&p->chip[MASTER], CASCADE_IR, resolve(p, &p->chip[SLAVE]) >= 0);
    irq_set(p->intr, resolve(p, &p->chip[MASTER]) >= 0);
}

static void pic_input(void *opaque, unsigned input, bool level)
{
    struct i8259 *p = opaque;
    if (input >= NINPUTS || input == CASCADE_IR)
        return;
    chip_input(&p->chip[input >> 3], input & 7u, level);
    update(p);
}

/* ---- acknowledge ---------------------------------------------------------- */

static uint8_t vector_of(const struct pic_chip *c, unsigned ir)
{
    return (uint8_t)((c->icw2 & 0xF8u) | ir);
}

/* INTA (or a poll) takes IR `ir`: ISR set, the edge latch cleared. */
static void take(struct pic_chip *c, unsigned ir, bool inta)
{
    uint8_t bit = (uint8_t)(1u << ir);
    c->edge &= (uint8_t)~bit;
    if (inta && (c->icw4 & ICW4_AEOI)) {
        /* The automatic EOI at the end of the last INTA pulse. */
        if (c->rotate_aeoi)
            c->lowest = (uint8_t)ir;
        return;
    }
    c->isr |= bit;
}

static int chip_ack(struct i8259 *p, struct pic_chip *c, int ir)
{
    if (ir < 0)
        return vector_of(c, 7);      /* default IR7: no ISR bit */
    take(c, (unsigned)ir, true);
    if (!(c->icw4 & ICW4_UPM))
        log_msg(p->log, LOG_DEV, "%s: INTA in MCS-80/85 mode (ICW4 bit 0 clear): the %s "
                "answers with ICW2's vector bits anyway", p->path,
                chip_name[is_master(p, c) ? MASTER : SLAVE]);
    return vector_of(c, (unsigned)ir);
}

/* The x86 INTA cycle: the vector of the interrupt the CPU takes now. */
static int i8259_intack(void *dev)
{
    struct i8259 *p = dev;
    struct pic_chip *m = &p->chip[MASTER], *s = &p->chip[SLAVE];
    int ir = resolve(p, m);
    if (ir < 0 || !(slave_inputs(m) & (1u << ir))) {
        int v = chip_ack(p, m, ir);
        update(p);
        return v;
    }
    /* A slave input: the master sets its ISR bit and puts the cascade
     * address on CAS0-2; the slave with that ID gives the vector. */
    take(m, (unsigned)ir, true);
    int v;
    if ((s->icw3 & 7u) != (unsigned)ir || (s->icw1 & ICW1_SNGL)) {
        log_msg(p->log, LOG_DEV, "%s: INTA for master IR%d, a slave input (ICW3 0x%02x), "
                "but the slave is not at that cascade address: the bus floats", p->path, ir,
                m->icw3);
        v = 0xFF;
    } else {
        v = chip_ack(p, s, resolve(p, s));
    }
    /* The slave's INT falls during INTA; update raises it again if the
     * slave still has a request. */
    chip_input(m, CASCADE_IR, false);
    update(p);
    return v;
}

/* Poll command: the read after OCW3 P=1 acknowledges (datasheet, "The
 * poll command"): 0x80 | IR, or 0 with nothing to take. */
static uint8_t poll_read(struct i8259 *p, struct pic_chip *c)
{
    c->poll = false;
    int ir = resolve(p, c);
    if (ir < 0)
        return 0;
    take(c, (unsigned)ir, false);
    if (!is_master(p, c))
        chip_input(&p->chip[MASTER], CASCADE_IR, false);   /* as during INTA */
    update(p);
    return (uint8_t)(0x80u | (unsigned)ir);
}

/* ---- programming ---------------------------------------------------------- */

static void write_icw1(struct i8259 *p, struct pic_chip *c, uint8_t v)
{
    const char *name = chip_name[is_master(p, c) ? MASTER : SLAVE];
    c->icw1 = v;
    c->init_step = 2;
    c->edge = 0;                     /* an input must rise again to request */
    c->imr = 0;
    c->isr = 0;
    c->lowest = 7;
    c->icw3 = 7;                     /* "the slave mode address is set to 7" */
    c->smm = false;
    c->read_isr = false;
    c->poll = false;
    c->rotate_aeoi = false;
    if (!(v & ICW1_IC4)) {
        c->icw4 = 0;                 /* ICW4's functions all zero: MCS-80/85 mode */
        log_msg(p->log, LOG_DEV, "%s: %s ICW1 0x%02x without ICW4: MCS-80/85 mode",
                p->path, name, v);
    }
    if (v & 0xE4u)
        log_msg(p->log, LOG_DEV, "%s: %s ICW1 0x%02x: MCS-80/85 address bits ignored",
                p->path, name, v);
    if ((v & ICW1_SNGL) && is_master(p, c))
        log_msg(p->log, LOG_DEV, "%s: master ICW1 0x%02x selects single mode: the slave "
                "is ignored", p->path, v);
}

static void write_init_word(struct i8259 *p, struct pic_chip *c, uint8_t v)
{
    unsigned who = is_master(p, c) ? MASTER : SLAVE;
    switch (c->init_step) {
    case 2:
        c->icw2 = v;
        if (v & 7u)
            log_msg(p->log, LOG_DEV, "%s: %s ICW2 0x%02x: bits 2-0 are not vector bits in "
                    "8086 mode", p->path, chip_name[who], v);
        c->init_step = !(c->icw1 & ICW1_SNGL) ? 3 : (c->icw1 & ICW1_IC4) ? 4 : 0;
        break;
    case 3:
        c->icw3 = v;
        if (v != bios_icw3[who])
            log_msg(p->log, LOG_DEV, "%s: %s ICW3 0x%02x: the AT wires the slave to IR2 "
                    "(master 0x04, slave 0x02)", p->path, chip_name[who], v);
        c->init_step = (c->icw1 & ICW1_IC4) ? 4 : 0;
        break;
    default:
        c->icw4 = v;
        if (!(v & ICW4_UPM) || (v & 0xE0u))
            log_msg(p->log, LOG_DEV, "%s: %s ICW4 0x%02x: not a plain 8086-mode word",
                    p->path, chip_name[who], v);
        if ((v & ICW4_BUF) && ((v & ICW4_MS) != 0) != (who == MASTER))
            log_msg(p->log, LOG_DEV, "%s: %s ICW4 0x%02x: buffered mode names the other role",
                    p->path, chip_name[who], v);
        c->init_step = 0;
        break;
    }
}

/* Non-specific EOI: the highest-priority ISR bit (in special mask mode, of
 * the levels not masked: datasheet, "End of interrupt"). */
static int eoi_target(const struct pic_chip *c)
{
    return highest(c, c->smm ? (uint8_t)(c->isr & ~c->imr) : c->isr);
}

static void write_ocw2(struct i8259 *p, struct pic_chip *c, uint8_t v)
{
    unsigned level = v & 7u;
    int ir;
    switch (v >> 5) {
    case 1:                          /* non-specific EOI */
        if ((ir = eoi_target(c)) >= 0)
            c->isr &= (uint8_t)~(1u << ir);
        break;
    case 3:                          /* specific EOI */
        c->isr &= (uint8_t)~(1u << level);
        break;
    case 5:                          /* rotate on non-specific EOI */
        if ((ir = eoi_target(c)) >= 0) {
            c->isr &= (uint8_t)~(1u << ir);
            c->lowest = (uint8_t)ir;
        }
        break;
    case 4:                          /* rotate in AEOI mode (set) */
        c->rotate_aeoi = true;
        break;
    case 0:                          /* rotate in AEOI mode (clear) */
        c->rotate_aeoi = false;
        break;
    case 7:                          /* rotate on specific EOI */
        c->isr &= (uint8_t)~(1u << level);
        c->lowest = (uint8_t)level;
        break;
    case 6:                          /* set priority */
        c->lowest = (uint8_t)level;
        break;
    default:                         /* 2: no operation */
        log_msg(p->log, LOG_DEV, "%s: OCW2 0x%02x is a no-op", p->path, v);
        break;
    }
}

static void write_ocw3(struct i8259 *p, struct pic_chip *c, uint8_t v)
{
    if (v & 0x80u)
        log_msg(p->log, LOG_DEV, "%s: OCW3 0x%02x with bit 7 set", p->path, v);
    if (v & OCW3_ESMM)
        c->smm = (v & OCW3_SMM) != 0;
    if (v & OCW3_RR)
        c->read_isr = (v & OCW3_RIS) != 0;
    if (v & OCW3_P)
        c->poll = true;
}

static void chip_write(struct i8259 *p, struct pic_chip *c, unsigned a0, uint8_t v)
{
    if (a0 == 0) {
        if (v & ICW1_INIT)
            write_icw1(p, c, v);
        else if (c->init_step)
            log_msg(p->log, LOG_DEV, "%s: OCW 0x%02x in the middle of initialisation "
                    "ignored", p->path, v);
        else if (v & OCW3_SEL)
            write_ocw3(p, c, v);
        else
            write_ocw2(p, c, v);
    } else if (c->init_step) {
        write_init_word(p, c, v);
    } else {
        c->imr = v;                  /* OCW1 */
    }
    update(p);
}

static uint8_t chip_read(struct i8259 *p, struct pic_chip *c, unsigned a0)
{
    if (c->poll)
        return poll_read(p, c);      /* the next read, at either address */
    if (a0)
        return c->imr;
    return c->read_isr ? c->isr : irr(c);
}

/* ---- port access ---------------------------------------------------------- */

static uint8_t read_byte(struct i8259 *p, unsigned window, uint64_t offset)
{
    if (window <= SLAVE && offset < 2)
        return chip_read(p, &p->chip[window], (unsigned)offset);
    if (window == 2 && offset < 2)
        return p->chip[offset].elcr;
    return 0xFF;
}

static void write_byte(struct i8259 *p, unsigned window, uint64_t offset, uint8_t v)
{
    if (window <= SLAVE && offset < 2) {
        chip_write(p, &p->chip[window], (unsigned)offset, v);
    } else if (window == 2 && offset < 2) {
        if (v & (uint8_t)~elcr_writable[offset])
            log_msg(p->log, LOG_DEV, "%s: ELCR%u 0x%02x: IRQs 0, 1, 2, 8 and 13 are always "
                    "edge", p->path, (unsigned)offset + 1, v);
        p->chip[offset].elcr = v & elcr_writable[offset];
        update(p);
    }
}

static int i8259_read(void *dev, unsigned window, uint64_t offset, unsigned size,
                      uint64_t *value)
{
    struct i8259 *p = dev;
    uint64_t v = 0;
    for (unsigned b = 0; b < size && b < 8; b++)
        v |= (uint64_t)read_byte(p, window, offset + b) << (8 * b);
    *value = v;
    return BUS_OK;
}

static int i8259_write(void *dev, unsigned window, uint64_t offset, unsigned size,
                       uint64_t value)
{
    struct i8259 *p = dev;
    for (unsigned b = 0; b < size && b < 8; b++)
        write_byte(p, window, offset + b, (uint8_t)(value >> (8 * b)));
    return BUS_OK;
}

/* ---- lifecycle -------------------------------------------------------------- */

static void i8259_reset(void *dev)
{
    struct i8259 *p = dev;
    for (unsigned i = 0; i < 2; i++) {
        struct pic_chip *c = &p->chip[i];
        uint8_t lines = c->lines;    /* the inputs are driven from outside */
        *c = (struct pic_chip){ 0 };
        c->lines = lines;
        c->icw1 = ICW1_INIT | ICW1_IC4;
        c->icw2 = bios_icw2[i];
        c->icw3 = bios_icw3[i];
        c->icw4 = ICW4_UPM;
        c->imr = 0xFF;
        c->lowest = 7;
    }
    update(p);
}

static int i8259_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 3)
        return orr_fail(err, "%s: the 8259 pair needs three reg windows (master, slave, "
                        "ELCR)", ctx->path);
    for (unsigned w = 0; w < 3; w++)
        if (ctx->window_size[w] < 2)
            return orr_fail(err, "%s: the 8259 pair's reg window %u must be 2 ports",
                            ctx->path, w);
    struct i8259 *p = calloc(1, sizeof *p);
    if (!p)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(p->path, sizeof p->path, "%s", ctx->path ? ctx->path : "i8259");
    p->log = ctx->log;
    p->intr = ctx->nirqs ? ctx->irqs[0] : NULL;
    i8259_reset(p);
    *dev = p;
    return 0;
}

static int i8259_irq_connect(void *dev, const uint32_t *cells, unsigned ncells,
                             struct irq_line *line, struct orr_error *err)
{
    struct i8259 *p = dev;
    if (ncells != 1)
        return orr_fail(err, "%s: an interrupt specifier is one cell (the ISA IRQ)",
                        p->path);
    if (cells[0] >= NINPUTS)
        return orr_fail(err, "%s: IRQ %u does not exist (0-15)", p->path, cells[0]);
    if (cells[0] == CASCADE_IR)
        return orr_fail(err, "%s: IRQ 2 is the slave's cascade input; a device on the ISA "
                        "bus's IRQ2 pin is IRQ 9", p->path);
    irq_connect(line, pic_input, p, cells[0]);
    return 0;
}

static void i8259_destroy(void *dev)
{
    free(dev);
}

/* Section layout, version 1: for the master then the slave, the input
 * levels, edge latches, ISR, IMR, ELCR, ICW1-4, the init step, the lowest
 * priority, and the read-ISR, poll, special-mask and rotate-in-AEOI flags. */
static int i8259_save(void *dev, struct state_writer *w)
{
    struct i8259 *p = dev;
    for (unsigned i = 0; i < 2; i++) {
        const struct pic_chip *c = &p->chip[i];
        state_put_u8(w, c->lines);
        state_put_u8(w, c->edge);
        state_put_u8(w, c->isr);
        state_put_u8(w, c->imr);
        state_put_u8(w, c->elcr);
        state_put_u8(w, c->icw1);
        state_put_u8(w, c->icw2);
        state_put_u8(w, c->icw3);
        state_put_u8(w, c->icw4);
        state_put_u8(w, c->init_step);
        state_put_u8(w, c->lowest);
        state_put_bool(w, c->read_isr);
        state_put_bool(w, c->poll);
        state_put_bool(w, c->smm);
        state_put_bool(w, c->rotate_aeoi);
    }
    return w->failed ? -1 : 0;
}

static int i8259_load(void *dev, struct state_reader *r, struct orr_error *err)
{
    struct i8259 *p = dev;
    struct pic_chip c[2];
    for (unsigned i = 0; i < 2; i++) {
        struct pic_chip *k = &c[i];
        k->lines = state_get_u8(r);
        k->edge = state_get_u8(r);
        k->isr = state_get_u8(r);
        k->imr = state_get_u8(r);
        k->elcr = state_get_u8(r);
        k->icw1 = state_get_u8(r);
        k->icw2 = state_get_u8(r);
        k->icw3 = state_get_u8(r);
        k->icw4 = state_get_u8(r);
        k->init_step = state_get_u8(r);
        k->lowest = state_get_u8(r);
        k->read_isr = state_get_bool(r);
        k->poll = state_get_bool(r);
        k->smm = state_get_bool(r);
        k->rotate_aeoi = state_get_bool(r);
    }
    if (state_reader_check(r) != 0)
        return orr_fail(err, "%s: truncated or corrupt 8259 section", p->path);
    for (unsigned i = 0; i < 2; i++) {
        const struct pic_chip *k = &c[i];
        bool step_ok = k->init_step == 0 || (k->init_step >= 2 && k->init_step <= 4);
        if (!step_ok || k->lowest > 7 || (k->elcr & (uint8_t)~elcr_writable[i]) ||
            !(k->icw1 & ICW1_INIT))
            return orr_fail(err, "%s: 8259 section: the %s's state is inconsistent",
                            p->path, chip_name[i]);
    }
    p->chip[MASTER] = c[MASTER];
    p->chip[SLAVE] = c[SLAVE];
    update(p);
    return 0;
}

static const char *const i8259_compatible[] = { "orrery,i8259-pair", NULL };

const struct device_model i8259_model = {
    .name = "i8259",
    .compatible = i8259_compatible,
    .summary = "Intel 8259A pair, the PC/AT's cascaded interrupt controllers (0x20, 0xA0), ELCR (0x4D0)",
    .state_version = 1,
    .create = i8259_create,
    .reset = i8259_reset,
    .read = i8259_read,
    .write = i8259_write,
    .save = i8259_save,
    .load = i8259_load,
    .destroy = i8259_destroy,
    .irq_connect = i8259_irq_connect,
    .intack = i8259_intack,
};
