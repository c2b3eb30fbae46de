/* The 8259A pair driven through its device descriptor: sixteen input lines
 * wired as the board would wire them, a fake CPU INTR sink, and the INTA
 * cycle through the model's intack. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

enum { MASTER = 0, SLAVE = 1, ELCR = 2 };

struct rig {
    struct irq_line intr;
    bool intr_level;
    struct irq_line in[16];
    void *dev;
};

static void intr_set(void *opaque, unsigned input, bool level)
{
    (void)input;
    *(bool *)opaque = level;
}

static struct device_ctx rig_ctx(struct rig *r)
{
    return (struct device_ctx){
        .node = -1,
        .path = "/isa/interrupt-controller@1,20",
        .nwindows = 3,
        .window_base = { 0x20, 0xA0, 0x4D0 },
        .window_size = { 2, 2, 2 },
        .irqs = { &r->intr },
        .nirqs = 1,
    };
}

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    irq_connect(&r->intr, intr_set, &r->intr_level, 0);
    struct device_ctx ctx = rig_ctx(r);
    struct orr_error err = { { 0 } };
    ck_assert_msg(i8259_model.create(&ctx, &r->dev, &err) == 0, "create: %s", err.msg);
    for (uint32_t i = 0; i < 16; i++) {
        if (i == 2)
            continue;
        ck_assert_int_eq(i8259_model.irq_connect(r->dev, &i, 1, &r->in[i], &err), 0);
    }
    return r;
}

static void rig_free(struct rig *r)
{
    i8259_model.destroy(r->dev);
    free(r);
}

static void out(struct rig *r, unsigned chip, unsigned a0, uint8_t v)
{
    ck_assert_int_eq(i8259_model.write(r->dev, chip, a0, 1, v), BUS_OK);
}

static uint8_t in(struct rig *r, unsigned chip, unsigned a0)
{
    uint64_t v = 0;
    ck_assert_int_eq(i8259_model.read(r->dev, chip, a0, 1, &v), BUS_OK);
    return (uint8_t)v;
}

static void irq(struct rig *r, unsigned n, bool level)
{
    irq_set(&r->in[n], level);
}

static int inta(struct rig *r)
{
    return i8259_model.intack(r->dev);
}

static uint8_t read_irr(struct rig *r, unsigned chip)
{
    out(r, chip, 0, 0x0A);
    return in(r, chip, 0);
}

static uint8_t read_isr(struct rig *r, unsigned chip)
{
    out(r, chip, 0, 0x0B);
    uint8_t v = in(r, chip, 0);
    out(r, chip, 0, 0x0A);
    return v;
}

/* Linux's init_8259A: ICW1 0x11, vectors 0x30 and 0x38, ICW3 4 and 2,
 * ICW4 1 (it masks everything first and unmasks as drivers ask); DOS's
 * BIOS: vectors 0x08 and 0x70. */
static void init_pair(struct rig *r, uint8_t master_base, uint8_t slave_base, uint8_t icw4)
{
    out(r, MASTER, 1, 0xFF);
    out(r, SLAVE, 1, 0xFF);
    out(r, MASTER, 0, 0x11);
    out(r, MASTER, 1, master_base);
    out(r, MASTER, 1, 0x04);
    out(r, MASTER, 1, icw4);
    out(r, SLAVE, 0, 0x11);
    out(r, SLAVE, 1, slave_base);
    out(r, SLAVE, 1, 0x02);
    out(r, SLAVE, 1, icw4 & 0x0F);
    out(r, MASTER, 1, 0x00);
    out(r, SLAVE, 1, 0x00);
}

START_TEST(descriptor_and_wiring)
{
    ck_assert_ptr_eq(device_model_find("orrery,i8259-pair"), &i8259_model);
    ck_assert_ptr_nonnull(i8259_model.intack);
    struct rig *r = rig_new();
    struct irq_line line = { 0 };
    struct orr_error err = { { 0 } };
    uint32_t cells[2] = { 2, 0 };
    ck_assert_int_ne(i8259_model.irq_connect(r->dev, cells, 1, &line, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "IRQ 9"));
    cells[0] = 16;
    ck_assert_int_ne(i8259_model.irq_connect(r->dev, cells, 1, &line, &err), 0);
    cells[0] = 5;
    ck_assert_int_ne(i8259_model.irq_connect(r->dev, cells, 2, &line, &err), 0);
    ck_assert_int_eq(i8259_model.irq_connect(r->dev, cells, 1, &line, &err), 0);
    /* a bad node */
    struct device_ctx ctx = rig_ctx(r);
    ctx.nwindows = 2;
    void *dev = NULL;
    ck_assert_int_ne(i8259_model.create(&ctx, &dev, &err), 0);
    ck_assert_ptr_null(dev);
    rig_free(r);
}
END_TEST

START_TEST(power_on_state)
{
    struct rig *r = rig_new();
    ck_assert_uint_eq(in(r, MASTER, 1), 0xFF);
    ck_assert_uint_eq(in(r, SLAVE, 1), 0xFF);
    ck_assert_uint_eq(in(r, MASTER, 0), 0x00);    /* IRR */
    ck_assert_uint_eq(in(r, ELCR, 0), 0);
    ck_assert_uint_eq(in(r, ELCR, 1), 0);
    irq(r, 0, true);
    ck_assert_uint_eq(read_irr(r, MASTER), 0x01); /* requested, masked */
    ck_assert(!r->intr_level);
    out(r, MASTER, 1, 0xFE);
    ck_assert(r->intr_level);
    ck_assert_int_eq(inta(r), 0x08);               /* the BIOS's vector base */
    /* nothing mapped beyond the two ports */
    uint64_t v = 0;
    ck_assert_int_eq(i8259_model.read(r->dev, ELCR, 7, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0xFF);
    ck_assert_int_eq(i8259_model.read(r->dev, 5, 0, 1, &v), BUS_OK);
    rig_free(r);
}
END_TEST

START_TEST(linux_init_and_eoi)
{
    struct rig *r = rig_new();
    init_pair(r, 0x30, 0x38, 0x01);
    ck_assert(!r->intr_level);
    irq(r, 0, true);                               /* the timer's rising edge */
    ck_assert(r->intr_level);
    ck_assert_int_eq(inta(r), 0x30);
    ck_assert(!r->intr_level);
    ck_assert_uint_eq(read_isr(r, MASTER), 0x01);
    ck_assert_uint_eq(read_irr(r, MASTER), 0x00);  /* the edge latch was taken */
    out(r, MASTER, 0, 0x60);                       /* specific EOI, IR0 (Linux) */
    ck_assert_uint_eq(read_isr(r, MASTER), 0x00);
    ck_assert(!r->intr_level);                     /* still high, but an edge input */
    irq(r, 0, false);
    irq(r, 0, true);
    ck_assert_int_eq(inta(r), 0x30);
    out(r, MASTER, 0, 0x20);                       /* non-specific EOI (DOS) */
    ck_assert_uint_eq(read_isr(r, MASTER), 0x00);
    rig_free(r);
}
END_TEST

START_TEST(cascade_vectors_and_eoi_order)
{
    struct rig *r = rig_new();
    init_pair(r, 0x08, 0x70, 0x01);                /* DOS */
    for (unsigned n = 8; n < 16; n++) {
        irq(r, n, true);
        ck_assert(r->intr_level);
        ck_assert_int_eq(inta(r), 0x70 + (int)(n - 8));
        ck_assert_uint_eq(read_isr(r, MASTER), 0x04);
        ck_assert_uint_eq(read_isr(r, SLAVE), 1u << (n - 8));
        /* the slave in service holds off IRQ 3-7 at the master, not 0-1 */
        irq(r, 3, true);
        ck_assert(!r->intr_level);
        irq(r, 1, true);
        ck_assert(r->intr_level);
        ck_assert_int_eq(inta(r), 0x09);
        out(r, MASTER, 0, 0x20);                   /* EOI IRQ 1 */
        irq(r, 1, false);
        out(r, SLAVE, 0, 0x20);
        ck_assert(!r->intr_level);                 /* the master's ISR2 still holds */
        out(r, MASTER, 0, 0x20);
        ck_assert(r->intr_level);                  /* IRQ 3 now */
        ck_assert_int_eq(inta(r), 0x0B);
        out(r, MASTER, 0, 0x20);
        irq(r, 3, false);
        irq(r, n, false);
    }
    ck_assert_uint_eq(read_isr(r, MASTER), 0);
    ck_assert_uint_eq(read_isr(r, SLAVE), 0);
    rig_free(r);
}
END_TEST

START_TEST(fully_nested_priority)
{
    struct rig *r = rig_new();
    init_pair(r, 0x08, 0x70, 0x01);
    irq(r, 4, true);
    irq(r, 6, true);
    irq(r, 3, true);
    ck_assert_int_eq(inta(r), 0x0B);               /* 3 before 4 and 6 */
    ck_assert(!r->intr_level);                     /* lower ones wait */
    irq(r, 1, true);
    ck_assert_int_eq(inta(r), 0x09);               /* a higher one nests */
    ck_assert_uint_eq(read_isr(r, MASTER), 0x0A);
    out(r, MASTER, 0, 0x20);                       /* clears IR1, the highest */
    ck_assert_uint_eq(read_isr(r, MASTER), 0x08);
    out(r, MASTER, 0, 0x20);
    ck_assert_int_eq(inta(r), 0x0C);
    out(r, MASTER, 0, 0x64);                       /* specific EOI of IR4 */
    ck_assert_int_eq(inta(r), 0x0E);
    out(r, MASTER, 0, 0x20);
    ck_assert(!r->intr_level);
    rig_free(r);
}
END_TEST

START_TEST(rotation)
{
    struct rig *r = rig_new();
    init_pair(r, 0x08, 0x70, 0x01);
    irq(r, 3, true);
    ck_assert_int_eq(inta(r), 0x0B);
    irq(r, 4, true);
    irq(r, 1, true);
    out(r, MASTER, 0, 0xA0);                       /* rotate on non-specific EOI: 3 lowest */
    ck_assert_int_eq(inta(r), 0x0C);               /* order 4 5 6 7 0 1 2 3 */
    out(r, MASTER, 0, 0xA0);                       /* 4 lowest: 5 6 7 0 1 ... */
    irq(r, 0, true);
    ck_assert_int_eq(inta(r), 0x08);               /* 0 before 1 */
    out(r, MASTER, 0, 0x20);
    ck_assert_int_eq(inta(r), 0x09);
    out(r, MASTER, 0, 0xE1);                       /* rotate on specific EOI: 1 lowest */
    ck_assert_uint_eq(read_isr(r, MASTER), 0);
    irq(r, 1, false);
    irq(r, 1, true);
    irq(r, 6, true);
    irq(r, 7, true);
    ck_assert_int_eq(inta(r), 0x0E);               /* 2 3 4 5 6 7 0 1: 6 first */
    out(r, MASTER, 0, 0x20);
    out(r, MASTER, 0, 0xC6);                       /* set priority: 6 lowest, 7 highest */
    ck_assert_int_eq(inta(r), 0x0F);
    out(r, MASTER, 0, 0x20);
    ck_assert_int_eq(inta(r), 0x09);
    rig_free(r);
}
END_TEST

START_TEST(automatic_eoi)
{
    struct rig *r = rig_new();
    init_pair(r, 0x08, 0x70, 0x03);                /* AEOI on both */
    irq(r, 5, true);
    irq(r, 2 + 1, true);
    ck_assert_int_eq(inta(r), 0x0B);
    ck_assert_uint_eq(read_isr(r, MASTER), 0);     /* no ISR bit in AEOI */
    ck_assert(r->intr_level);                      /* IR5 is next at once */
    ck_assert_int_eq(inta(r), 0x0D);
    /* rotate in AEOI: each acknowledged IR becomes the lowest */
    out(r, MASTER, 0, 0x80);
    irq(r, 3, false);
    irq(r, 5, false);
    irq(r, 3, true);
    irq(r, 5, true);
    ck_assert_int_eq(inta(r), 0x0B);
    irq(r, 3, false);
    irq(r, 3, true);
    ck_assert_int_eq(inta(r), 0x0D);               /* 3 was made lowest */
    out(r, MASTER, 0, 0x00);                       /* clear rotate in AEOI */
    irq(r, 5, false);
    irq(r, 5, true);
    ck_assert_int_eq(inta(r), 0x0B);               /* 5 was made lowest: 3 first */
    ck_assert_int_eq(inta(r), 0x0D);
    /* a slave in AEOI with two requests: the second reaches the master again */
    irq(r, 8, true);
    irq(r, 9, true);
    ck_assert_int_eq(inta(r), 0x70);
    ck_assert(r->intr_level);
    ck_assert_int_eq(inta(r), 0x71);
    ck_assert(!r->intr_level);
    rig_free(r);
}
END_TEST

START_TEST(poll_command)
{
    struct rig *r = rig_new();
    init_pair(r, 0x08, 0x70, 0x01);
    out(r, MASTER, 0, 0x0C);                       /* poll, nothing pending */
    ck_assert_uint_eq(in(r, MASTER, 0), 0x00);
    irq(r, 6, true);
    irq(r, 4, true);
    out(r, MASTER, 0, 0x0C);
    ck_assert_uint_eq(in(r, MASTER, 1), 0x84);     /* the next read, either port */
    ck_assert_uint_eq(read_isr(r, MASTER), 0x10);  /* a poll acknowledges */
    ck_assert_uint_eq(in(r, MASTER, 0), 0x40);     /* back to IRR */
    out(r, MASTER, 0, 0x20);
    /* a slave request, polled at both chips */
    irq(r, 6, false);
    irq(r, 12, true);
    out(r, MASTER, 0, 0x0C);
    ck_assert_uint_eq(in(r, MASTER, 0), 0x82);
    out(r, SLAVE, 0, 0x0C);
    ck_assert_uint_eq(in(r, SLAVE, 0), 0x84);
    ck_assert_uint_eq(read_isr(r, SLAVE), 0x10);
    ck_assert_uint_eq(read_isr(r, MASTER), 0x04);
    ck_assert(!r->intr_level);
    rig_free(r);
}
END_TEST

START_TEST(special_mask_mode)
{
    struct rig *r = rig_new();
    init_pair(r, 0x08, 0x70, 0x01);
    irq(r, 3, true);
    ck_assert_int_eq(inta(r), 0x0B);
    irq(r, 5, true);
    ck_assert(!r->intr_level);                     /* IR3 in service */
    out(r, MASTER, 1, 0x08);                       /* mask IR3 ... */
    out(r, MASTER, 0, 0x68);                       /* ... special mask mode on */
    ck_assert(r->intr_level);                      /* the lower IR5 is let through */
    ck_assert_int_eq(inta(r), 0x0D);
    ck_assert_uint_eq(read_isr(r, MASTER), 0x28);
    out(r, MASTER, 0, 0x20);                       /* non-specific: IR5, not masked IR3 */
    ck_assert_uint_eq(read_isr(r, MASTER), 0x08);
    /* an unmasked level input in service does not interrupt itself */
    out(r, ELCR, 0, 0x40);
    irq(r, 6, true);
    ck_assert_int_eq(inta(r), 0x0E);
    ck_assert(!r->intr_level);
    out(r, MASTER, 0, 0x66);
    ck_assert(r->intr_level);
    irq(r, 6, false);
    ck_assert(!r->intr_level);
    out(r, MASTER, 0, 0x48);                       /* special mask mode off */
    out(r, MASTER, 0, 0x63);
    out(r, MASTER, 1, 0x00);
    ck_assert_uint_eq(read_isr(r, MASTER), 0);
    rig_free(r);
}
END_TEST

START_TEST(spurious_interrupts)
{
    struct rig *r = rig_new();
    init_pair(r, 0x30, 0x38, 0x01);
    irq(r, 4, true);
    ck_assert(r->intr_level);
    irq(r, 4, false);                              /* gone before INTA */
    ck_assert_int_eq(inta(r), 0x37);               /* the master's default IR7 */
    ck_assert_uint_eq(read_isr(r, MASTER), 0);     /* no ISR bit */
    /* a real IR7 sets its ISR bit; a default one during it does not clear it */
    irq(r, 7, true);
    ck_assert_int_eq(inta(r), 0x37);
    ck_assert_uint_eq(read_isr(r, MASTER), 0x80);
    ck_assert_int_eq(inta(r), 0x37);
    ck_assert_uint_eq(read_isr(r, MASTER), 0x80);
    out(r, MASTER, 0, 0x20);
    irq(r, 7, false);
    /* a slave request gone before INTA: the master's IR2 went with it */
    irq(r, 10, true);
    ck_assert(r->intr_level);
    irq(r, 10, false);
    ck_assert(!r->intr_level);
    ck_assert_int_eq(inta(r), 0x37);
    ck_assert_uint_eq(read_isr(r, MASTER), 0);
    ck_assert_uint_eq(read_isr(r, SLAVE), 0);
    /* the slave's default: the master takes an input ICW3 marks as the
     * slave's (here IR7, slave ID 7) and the slave has nothing: vector
     * slave base + 7 and the master's ISR bit set all the same */
    out(r, MASTER, 0, 0x11);
    out(r, MASTER, 1, 0x30);
    out(r, MASTER, 1, 0x80);
    out(r, MASTER, 1, 0x01);
    out(r, SLAVE, 0, 0x11);
    out(r, SLAVE, 1, 0x38);
    out(r, SLAVE, 1, 0x07);
    out(r, SLAVE, 1, 0x01);
    irq(r, 7, true);
    ck_assert_int_eq(inta(r), 0x3F);
    ck_assert_uint_eq(read_isr(r, MASTER), 0x80);
    ck_assert_uint_eq(read_isr(r, SLAVE), 0x00);
    out(r, MASTER, 0, 0x20);
    /* a cascade address no slave answers: the bus floats */
    out(r, SLAVE, 0, 0x11);
    out(r, SLAVE, 1, 0x38);
    out(r, SLAVE, 1, 0x02);
    out(r, SLAVE, 1, 0x01);
    irq(r, 7, false);
    irq(r, 7, true);
    ck_assert_int_eq(inta(r), 0xFF);
    rig_free(r);
}
END_TEST

START_TEST(edge_and_level_triggering)
{
    struct rig *r = rig_new();
    init_pair(r, 0x08, 0x70, 0x01);
    out(r, ELCR, 0, 0xFF);
    out(r, ELCR, 1, 0xFF);
    ck_assert_uint_eq(in(r, ELCR, 0), 0xF8);       /* IRQ 0, 1, 2 always edge */
    ck_assert_uint_eq(in(r, ELCR, 1), 0xDE);       /* IRQ 8, 13 always edge */
    out(r, ELCR, 1, 0x0C);                         /* IRQ 10, 11 level */
    out(r, ELCR, 0, 0x00);
    /* level: requests again after EOI while held */
    irq(r, 10, true);
    ck_assert_int_eq(inta(r), 0x72);
    ck_assert(!r->intr_level);                     /* in service: it does not nest on itself */
    ck_assert_uint_eq(read_irr(r, SLAVE), 0x04);   /* IRR follows the level */
    out(r, SLAVE, 0, 0x20);
    out(r, MASTER, 0, 0x20);
    ck_assert(r->intr_level);
    ck_assert_int_eq(inta(r), 0x72);
    irq(r, 10, false);
    ck_assert_uint_eq(read_irr(r, SLAVE), 0x00);
    out(r, SLAVE, 0, 0x20);
    out(r, MASTER, 0, 0x20);
    ck_assert(!r->intr_level);
    /* edge: one request per rising edge */
    irq(r, 12, true);
    ck_assert_int_eq(inta(r), 0x74);
    out(r, SLAVE, 0, 0x20);
    out(r, MASTER, 0, 0x20);
    ck_assert(!r->intr_level);
    ck_assert_uint_eq(read_irr(r, SLAVE), 0x00);
    /* ICW1.LTIM makes every input of the chip level, IRQ 0 included */
    irq(r, 0, true);
    ck_assert_int_eq(inta(r), 0x08);
    out(r, MASTER, 0, 0x20);
    ck_assert(!r->intr_level);
    out(r, MASTER, 0, 0x19);
    out(r, MASTER, 1, 0x08);
    out(r, MASTER, 1, 0x04);
    out(r, MASTER, 1, 0x01);
    ck_assert(r->intr_level);
    ck_assert_int_eq(inta(r), 0x08);
    out(r, MASTER, 0, 0x20);
    ck_assert(r->intr_level);
    rig_free(r);
}
END_TEST

START_TEST(mask_while_pending)
{
    struct rig *r = rig_new();
    init_pair(r, 0x08, 0x70, 0x01);
    out(r, MASTER, 1, 0x10);                       /* IR4 masked */
    irq(r, 4, true);
    ck_assert(!r->intr_level);
    ck_assert_uint_eq(read_irr(r, MASTER), 0x10);  /* remembered in IRR */
    out(r, MASTER, 1, 0x00);
    ck_assert(r->intr_level);
    out(r, MASTER, 1, 0x10);                       /* masked again: INT falls */
    ck_assert(!r->intr_level);
    irq(r, 4, false);                              /* the request goes away */
    out(r, MASTER, 1, 0x00);
    ck_assert(!r->intr_level);
    ck_assert_uint_eq(read_irr(r, MASTER), 0x00);
    /* masking the cascade masks the whole slave */
    out(r, MASTER, 1, 0x04);
    irq(r, 9, true);
    ck_assert(!r->intr_level);
    ck_assert_uint_eq(read_irr(r, MASTER), 0x04);
    out(r, MASTER, 1, 0x00);
    ck_assert_int_eq(inta(r), 0x71);
    rig_free(r);
}
END_TEST

START_TEST(special_fully_nested_mode)
{
    struct rig *r = rig_new();
    init_pair(r, 0x08, 0x70, 0x01);
    out(r, MASTER, 0, 0x11);
    out(r, MASTER, 1, 0x08);
    out(r, MASTER, 1, 0x04);
    out(r, MASTER, 1, 0x11);                       /* SFNM */
    irq(r, 11, true);
    ck_assert_int_eq(inta(r), 0x73);
    irq(r, 9, true);                               /* higher, same slave */
    ck_assert(r->intr_level);
    ck_assert_int_eq(inta(r), 0x71);
    irq(r, 12, true);                              /* lower: waits */
    ck_assert(!r->intr_level);
    /* without SFNM the slave's higher request waits for the master's EOI */
    struct rig *q = rig_new();
    init_pair(q, 0x08, 0x70, 0x01);
    irq(q, 11, true);
    ck_assert_int_eq(inta(q), 0x73);
    irq(q, 9, true);
    ck_assert(!q->intr_level);
    rig_free(q);
    rig_free(r);
}
END_TEST

START_TEST(init_sequence_variants)
{
    struct rig *r = rig_new();
    /* single mode, no ICW4: ICW2 ends it (8080 mode is logged) */
    out(r, MASTER, 0, 0x12);
    out(r, MASTER, 1, 0x40);
    out(r, MASTER, 1, 0x00);                       /* OCW1 already */
    ck_assert_uint_eq(in(r, MASTER, 1), 0x00);
    /* single mode with ICW4 */
    out(r, MASTER, 0, 0x13);
    out(r, MASTER, 1, 0x48);
    out(r, MASTER, 1, 0x01);
    out(r, MASTER, 1, 0xF7);                       /* OCW1 */
    ck_assert_uint_eq(in(r, MASTER, 1), 0xF7);
    irq(r, 3, true);
    ck_assert_int_eq(inta(r), 0x4B);
    /* ICW1 resets IMR, ISR, priority, and wants a new edge */
    out(r, MASTER, 0, 0x11);
    ck_assert_uint_eq(in(r, MASTER, 1), 0x00);
    ck_assert(!r->intr_level);                     /* not before the sequence ends */
    out(r, MASTER, 1, 0x20);
    out(r, MASTER, 1, 0x04);
    out(r, MASTER, 1, 0x01);
    ck_assert_uint_eq(read_isr(r, MASTER), 0x00);
    ck_assert_uint_eq(read_irr(r, MASTER), 0x00);  /* IR3 still high, but no new edge */
    ck_assert(!r->intr_level);
    irq(r, 3, false);
    irq(r, 3, true);
    ck_assert_int_eq(inta(r), 0x23);
    out(r, MASTER, 0, 0x20);
    /* no request reaches INT before the sequence ends: a held level input
     * on the slave, whose ICW1 clears its mask */
    out(r, ELCR, 1, 0x04);
    irq(r, 10, true);
    out(r, SLAVE, 0, 0x11);
    ck_assert(!r->intr_level);
    out(r, SLAVE, 1, 0x70);
    ck_assert(!r->intr_level);
    out(r, SLAVE, 1, 0x02);
    ck_assert(!r->intr_level);
    out(r, SLAVE, 1, 0x01);
    ck_assert(r->intr_level);
    ck_assert_int_eq(inta(r), 0x72);
    rig_free(r);
}
END_TEST

static void save_to(struct rig *r, struct state_writer *w)
{
    state_writer_init(w);
    state_begin(w, "i8259", i8259_model.state_version);
    ck_assert_int_eq(i8259_model.save(r->dev, w), 0);
    state_end(w);
    struct orr_error err = { { 0 } };
    ck_assert_msg(state_writer_finish(w, &err) == 0, "%s", err.msg);
}

START_TEST(save_load_round_trip)
{
    struct rig *a = rig_new();
    init_pair(a, 0x30, 0x38, 0x01);
    out(a, ELCR, 1, 0x08);                         /* IRQ 11 level */
    out(a, MASTER, 1, 0x20);
    irq(a, 11, true);
    irq(a, 5, true);                               /* masked, pending */
    irq(a, 3, true);
    ck_assert_int_eq(inta(a), 0x3B);
    out(a, MASTER, 0, 0x62);                       /* the master's EOI only */
    out(a, MASTER, 0, 0xC4);                       /* IR4 lowest */
    out(a, SLAVE, 0, 0x0B);                        /* slave reads ISR */
    out(a, MASTER, 0, 0x0C);                       /* poll pending */

    struct state_writer w;
    save_to(a, &w);
    struct rig *b = rig_new();
    /* the board's lines carry the sources' levels into the new machine */
    irq(b, 11, true);
    irq(b, 5, true);
    irq(b, 3, true);
    struct orr_error err = { { 0 } };
    struct state_reader sr;
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "i8259"), 0);
    ck_assert_msg(i8259_model.load(b->dev, &sr, &err) == 0, "load: %s", err.msg);
    ck_assert_int_eq(a->intr_level, b->intr_level);
    struct rig *both[2] = { a, b };
    int got[2][8];
    for (unsigned s = 0; s < 2; s++) {
        struct rig *r = both[s];
        got[s][0] = in(r, MASTER, 0);              /* the poll */
        got[s][1] = in(r, SLAVE, 0);               /* slave ISR */
        got[s][2] = in(r, ELCR, 1);
        got[s][3] = inta(r);
        got[s][4] = read_isr(r, MASTER);
        out(r, MASTER, 1, 0x00);
        out(r, MASTER, 0, 0x20);
        got[s][5] = inta(r);
        got[s][6] = read_irr(r, MASTER);
        got[s][7] = in(r, MASTER, 1);
    }
    for (unsigned i = 0; i < 8; i++)
        ck_assert_msg(got[0][i] == got[1][i], "value %u: %x vs %x", i, got[0][i], got[1][i]);
    ck_assert_int_eq(got[0][0], 0x83);             /* IR3, taken by the poll */
    ck_assert_int_eq(got[0][1], 0x08);             /* IRQ 11 still in service */
    ck_assert_int_eq(got[0][3], 0x37);             /* nothing left: default IR7 */
    ck_assert_int_eq(got[0][4], 0x08);
    ck_assert_int_eq(got[0][5], 0x35);             /* IR5 once unmasked */

    /* truncated: refused, the device unchanged */
    struct rig *c = rig_new();
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "i8259"), 0);
    sr.section_end -= 1;
    ck_assert_int_ne(i8259_model.load(c->dev, &sr, &err), 0);
    ck_assert_uint_eq(in(c, MASTER, 1), 0xFF);
    /* inconsistent: the master's lowest priority 9 (byte 10) */
    uint8_t *bad = malloc(w.len);
    ck_assert_ptr_nonnull(bad);
    memcpy(bad, w.buf, w.len);
    ck_assert_int_eq(state_reader_init(&sr, bad, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "i8259"), 0);
    bad[sr.pos + 10] = 9;
    ck_assert_int_ne(i8259_model.load(c->dev, &sr, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "inconsistent"));
    free(bad);
    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
    rig_free(c);
}
END_TEST

START_TEST(reset_returns_to_power_on)
{
    struct rig *r = rig_new();
    init_pair(r, 0x30, 0x38, 0x01);
    irq(r, 6, true);
    ck_assert_int_eq(inta(r), 0x36);
    out(r, ELCR, 1, 0x08);
    i8259_model.reset(r->dev);
    ck_assert(!r->intr_level);
    ck_assert_uint_eq(in(r, MASTER, 1), 0xFF);
    ck_assert_uint_eq(read_isr(r, MASTER), 0);
    ck_assert_uint_eq(in(r, ELCR, 1), 0);
    out(r, MASTER, 1, 0x00);
    ck_assert(!r->intr_level);                     /* IR6 is high but made no new edge */
    rig_free(r);
}
END_TEST

static Suite *i8259_suite(void)
{
    Suite *s = suite_create("i8259");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, descriptor_and_wiring);
    tcase_add_test(tc, power_on_state);
    tcase_add_test(tc, linux_init_and_eoi);
    tcase_add_test(tc, cascade_vectors_and_eoi_order);
    tcase_add_test(tc, fully_nested_priority);
    tcase_add_test(tc, rotation);
    tcase_add_test(tc, automatic_eoi);
    tcase_add_test(tc, poll_command);
    tcase_add_test(tc, special_mask_mode);
    tcase_add_test(tc, spurious_interrupts);
    tcase_add_test(tc, edge_and_level_triggering);
    tcase_add_test(tc, mask_while_pending);
    tcase_add_test(tc, special_fully_nested_mode);
    tcase_add_test(tc, init_sequence_variants);
    tcase_add_test(tc, save_load_round_trip);
    tcase_add_test(tc, reset_returns_to_power_on);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(i8259_suite());
}
