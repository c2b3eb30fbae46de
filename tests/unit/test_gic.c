/* The GICv2 model driven through its device descriptor: two CPUs (fake
 * IRQ/FIQ sinks), inputs driven as interrupt lines, register accesses made
 * "by" a CPU through the bus's requester field. Checks the state machine
 * of GIC spec 3.2.4 (pending, active, active and pending), level and edge
 * inputs, priorities, the priority mask, preemption and binary points,
 * EOImode, SGIs with their sources, groups and FIQ, banking of IDs 0-31,
 * targets, the uniprocessor RAZ/WI targets, bad accesses and save/load. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "machine/bus.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

enum {
    D_CTLR = 0x000, D_TYPER = 0x004, D_IGROUPR = 0x080, D_ISENABLER = 0x100,
    D_ICENABLER = 0x180, D_ISPENDR = 0x200, D_ICPENDR = 0x280, D_ISACTIVER = 0x300,
    D_ICACTIVER = 0x380, D_IPRIORITYR = 0x400, D_ITARGETSR = 0x800, D_ICFGR = 0xC00,
    D_SGIR = 0xF00, D_CPENDSGIR = 0xF10, D_SPENDSGIR = 0xF20, D_PIDR2 = 0xFE8,
};
enum {
    C_CTLR = 0x00, C_PMR = 0x04, C_BPR = 0x08, C_IAR = 0x0C, C_EOIR = 0x10, C_RPR = 0x14,
    C_HPPIR = 0x18, C_ABPR = 0x1C, C_AIAR = 0x20, C_AEOIR = 0x24, C_APR0 = 0xD0,
    C_IIDR = 0xFC, C_DIR = 0x1000,
};
#define SPURIOUS 1023

struct rig {
    struct bus bus;
    struct irq_line out[4];        /* cpu0 IRQ, cpu0 FIQ, cpu1 IRQ, cpu1 FIQ */
    bool level[4];
    struct irq_line in[8];         /* device lines into the GIC */
    void *dev;
};

static void out_set(void *opaque, unsigned input, bool level)
{
    struct rig *r = opaque;
    r->level[input] = level;
}

static struct rig *rig_new(unsigned ncpus)
{
    struct rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    bus_init(&r->bus, NULL);
    struct device_ctx ctx = {
        .node = -1, .path = "/intc@8000000", .nwindows = 2,
        .window_base = { 0x08000000, 0x08010000 }, .window_size = { 0x10000, 0x10000 },
        .nirqs = 2 * ncpus, .bus = &r->bus,
    };
    for (unsigned i = 0; i < 2 * ncpus; i++) {
        irq_connect(&r->out[i], out_set, r, i);
        ctx.irqs[i] = &r->out[i];
    }
    struct orr_error err = { { 0 } };
    ck_assert_msg(gic_model.create(&ctx, &r->dev, &err) == 0, "%s", err.msg);
    return r;
}

static void rig_free(struct rig *r)
{
    gic_model.destroy(r->dev);
    bus_destroy(&r->bus);
    free(r);
}

/* Connects r->in[k] to SPI spi (cells <0 spi 4>). */
static void connect_spi(struct rig *r, unsigned k, unsigned spi)
{
    const uint32_t cells[3] = { 0, spi, 4 };
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(gic_model.irq_connect(r->dev, cells, 3, &r->in[k], &err), 0);
}

static uint32_t drd(struct rig *r, unsigned cpu, unsigned off)
{
    uint64_t v = 0;
    r->bus.requester = cpu;
    ck_assert_int_eq(gic_model.read(r->dev, 0, off, 4, &v), BUS_OK);
    return (uint32_t)v;
}

static void dwr(struct rig *r, unsigned cpu, unsigned off, uint32_t v)
{
    r->bus.requester = cpu;
    ck_assert_int_eq(gic_model.write(r->dev, 0, off, 4, v), BUS_OK);
}

static void dwr8(struct rig *r, unsigned cpu, unsigned off, uint8_t v)
{
    r->bus.requester = cpu;
    ck_assert_int_eq(gic_model.write(r->dev, 0, off, 1, v), BUS_OK);
}

static uint32_t crd(struct rig *r, unsigned cpu, unsigned off)
{
    uint64_t v = 0;
    r->bus.requester = cpu;
    ck_assert_int_eq(gic_model.read(r->dev, 1, off, 4, &v), BUS_OK);
    return (uint32_t)v;
}

static void cwr(struct rig *r, unsigned cpu, unsigned off, uint32_t v)
{
    r->bus.requester = cpu;
    ck_assert_int_eq(gic_model.write(r->dev, 1, off, 4, v), BUS_OK);
}

/* Distributor and CPU interface(s) on, everything unmasked, as Linux sets
 * them up (Group 0, PMR 0xF0). */
static void enable_all(struct rig *r, unsigned ncpus)
{
    dwr(r, 0, D_CTLR, 1);
    for (unsigned c = 0; c < ncpus; c++) {
        cwr(r, c, C_CTLR, 1);
        cwr(r, c, C_PMR, 0xF0);
    }
}

static void enable_id(struct rig *r, unsigned cpu, unsigned id)
{
    dwr(r, cpu, D_ISENABLER + id / 32 * 4, 1u << (id % 32));
}

START_TEST(identification_and_reset)
{
    struct rig *r = rig_new(2);
    /* 288 IDs: ITLinesNumber 8; two CPUs: CPUNumber 1; no Security Ext. */
    ck_assert_uint_eq(drd(r, 0, D_TYPER), 8u | (1u << 5));
    ck_assert_uint_eq(drd(r, 0, D_PIDR2) >> 4, 2);          /* GICv2 */
    ck_assert_uint_eq(crd(r, 0, C_IIDR), 0x0202143Bu);
    ck_assert_uint_eq(drd(r, 0, D_CTLR), 0);
    ck_assert_uint_eq(crd(r, 0, C_BPR), 2);                  /* minimum, 5 bits */
    ck_assert_uint_eq(crd(r, 0, C_ABPR), 3);
    ck_assert_uint_eq(crd(r, 0, C_RPR), 0xFF);               /* idle */
    ck_assert_uint_eq(crd(r, 0, C_IAR), SPURIOUS);
    /* SGIs are always enabled and edge-triggered (read-only). */
    ck_assert_uint_eq(drd(r, 0, D_ISENABLER) & 0xFFFF, 0xFFFF);
    ck_assert_uint_eq(drd(r, 0, D_ICFGR), 0xAAAAAAAAu);
    dwr(r, 0, D_ICFGR, 0);
    ck_assert_uint_eq(drd(r, 0, D_ICFGR), 0xAAAAAAAAu);
    /* Priorities keep five bits. */
    dwr8(r, 0, D_IPRIORITYR + 40, 0xA7);
    ck_assert_uint_eq((drd(r, 0, D_IPRIORITYR + 40) & 0xFF), 0xA0);
    cwr(r, 0, C_PMR, 0xFF);
    ck_assert_uint_eq(crd(r, 0, C_PMR), 0xF8);
    /* A binary point below the minimum reads as the minimum. */
    cwr(r, 0, C_BPR, 0);
    ck_assert_uint_eq(crd(r, 0, C_BPR), 2);
    rig_free(r);
}
END_TEST

/* Level-sensitive SPI: pending while high; acknowledge makes it active and
 * pending; EOI with the line still high makes it pending again; lowering
 * the line removes the pending state (GIC spec 3.2.4, figure 3-2). */
START_TEST(level_sensitive_lifecycle)
{
    struct rig *r = rig_new(1);
    connect_spi(r, 0, 1);                       /* ID 33 */
    enable_all(r, 1);
    dwr8(r, 0, D_IPRIORITYR + 33, 0xA0);
    ck_assert(!r->level[0]);
    irq_set(&r->in[0], true);
    ck_assert(!r->level[0]);                    /* not enabled yet */
    ck_assert_uint_eq(drd(r, 0, D_ISPENDR + 4) & 2, 2);
    enable_id(r, 0, 33);
    ck_assert(r->level[0]);
    ck_assert_uint_eq(crd(r, 0, C_HPPIR), 33);
    ck_assert_uint_eq(crd(r, 0, C_IAR), 33);
    ck_assert(!r->level[0]);                    /* active and pending: not signalled */
    ck_assert_uint_eq(crd(r, 0, C_RPR), 0xA0);
    ck_assert_uint_eq(drd(r, 0, D_ISACTIVER + 4) & 2, 2);
    ck_assert_uint_eq(drd(r, 0, D_ISPENDR + 4) & 2, 2);
    ck_assert_uint_eq(crd(r, 0, C_IAR), SPURIOUS);
    cwr(r, 0, C_EOIR, 33);
    ck_assert_uint_eq(crd(r, 0, C_RPR), 0xFF);
    ck_assert(r->level[0]);                     /* still high: pending again */
    irq_set(&r->in[0], false);
    ck_assert(!r->level[0]);
    ck_assert_uint_eq(drd(r, 0, D_ISPENDR + 4) & 2, 0);
    /* A software-set pending on a level input stays until cleared. */
    dwr(r, 0, D_ISPENDR + 4, 2);
    ck_assert(r->level[0]);
    dwr(r, 0, D_ICPENDR + 4, 2);
    ck_assert(!r->level[0]);
    /* Disabling removes the signal but not the pending state. */
    irq_set(&r->in[0], true);
    ck_assert(r->level[0]);
    dwr(r, 0, D_ICENABLER + 4, 2);
    ck_assert(!r->level[0]);
    ck_assert_uint_eq(drd(r, 0, D_ISPENDR + 4) & 2, 2);
    rig_free(r);
}
END_TEST

/* Edge-triggered: a rising edge latches pending; acknowledge clears it; a
 * new edge while active gives active and pending. */
START_TEST(edge_triggered_latch)
{
    struct rig *r = rig_new(1);
    connect_spi(r, 0, 16);                      /* ID 48 */
    enable_all(r, 1);
    dwr(r, 0, D_ICFGR + 48 / 16 * 4, 2u << ((48 % 16) * 2));
    enable_id(r, 0, 48);
    irq_set(&r->in[0], true);
    irq_set(&r->in[0], false);
    ck_assert(r->level[0]);                     /* latched */
    ck_assert_uint_eq(crd(r, 0, C_IAR), 48);
    ck_assert(!r->level[0]);
    irq_set(&r->in[0], true);                   /* a second edge, while active */
    ck_assert_uint_eq(drd(r, 0, D_ISPENDR + 4) & (1u << 16), 1u << 16);
    ck_assert(!r->level[0]);
    cwr(r, 0, C_EOIR, 48);
    ck_assert(r->level[0]);
    ck_assert_uint_eq(crd(r, 0, C_IAR), 48);
    cwr(r, 0, C_EOIR, 48);
    ck_assert(!r->level[0]);                    /* the held level is no new edge */
    rig_free(r);
}
END_TEST

/* Priorities: the higher (lower value) wins, ties go to the lower ID; the
 * priority mask filters; a higher group priority preempts an active one;
 * the binary point decides what counts as higher. */
START_TEST(priority_mask_and_preemption)
{
    struct rig *r = rig_new(1);
    connect_spi(r, 0, 0);       /* ID 32 */
    connect_spi(r, 1, 1);       /* ID 33 */
    connect_spi(r, 2, 2);       /* ID 34 */
    enable_all(r, 1);
    for (unsigned id = 32; id <= 34; id++)
        enable_id(r, 0, id);
    dwr8(r, 0, D_IPRIORITYR + 32, 0x80);
    dwr8(r, 0, D_IPRIORITYR + 33, 0x40);
    dwr8(r, 0, D_IPRIORITYR + 34, 0x40);
    irq_set(&r->in[0], true);
    irq_set(&r->in[1], true);
    irq_set(&r->in[2], true);
    ck_assert_uint_eq(crd(r, 0, C_HPPIR), 33);        /* 0x40, lower ID than 34 */
    /* PMR 0x40: priority must be strictly higher than the mask. */
    cwr(r, 0, C_PMR, 0x40);
    ck_assert(!r->level[0]);
    ck_assert_uint_eq(crd(r, 0, C_IAR), SPURIOUS);
    cwr(r, 0, C_PMR, 0xF0);
    ck_assert(r->level[0]);
    /* Take 32 first by masking the others, then let 33 preempt it. */
    dwr(r, 0, D_ICENABLER + 4, 6);
    ck_assert_uint_eq(crd(r, 0, C_IAR), 32);
    ck_assert_uint_eq(crd(r, 0, C_RPR), 0x80);
    dwr(r, 0, D_ISENABLER + 4, 6);
    ck_assert(r->level[0]);                           /* 0x40 preempts 0x80 */
    ck_assert_uint_eq(crd(r, 0, C_IAR), 33);
    ck_assert_uint_eq(crd(r, 0, C_RPR), 0x40);
    ck_assert_uint_eq(crd(r, 0, C_APR0), (1u << (0x80 >> 3)) | (1u << (0x40 >> 3)));
    ck_assert(!r->level[0]);                          /* 34: same priority, no preemption */
    cwr(r, 0, C_EOIR, 33);                            /* drops 0x40 */
    ck_assert_uint_eq(crd(r, 0, C_RPR), 0x80);
    ck_assert(r->level[0]);                           /* 34 preempts 0x80 */
    /* With BPR 6 only bit 7 is group priority (GIC spec table 3-2): 0x40
     * and 0x10 are both group priority 0x00, so 0x10 does not preempt a
     * running 0x40 although it is the higher priority. */
    cwr(r, 0, C_EOIR, 32);
    irq_set(&r->in[1], false);
    irq_set(&r->in[2], false);
    irq_set(&r->in[0], false);
    ck_assert_uint_eq(crd(r, 0, C_RPR), 0xFF);
    dwr(r, 0, D_ICACTIVER + 4, 7);
    cwr(r, 0, C_BPR, 6);
    dwr8(r, 0, D_IPRIORITYR + 32, 0x40);
    dwr8(r, 0, D_IPRIORITYR + 33, 0x10);
    irq_set(&r->in[0], true);
    ck_assert_uint_eq(crd(r, 0, C_IAR), 32);          /* running group priority 0x00 */
    ck_assert_uint_eq(crd(r, 0, C_RPR), 0x00);
    irq_set(&r->in[1], true);
    ck_assert(!r->level[0]);                          /* 0x10 is group priority 0x00 too */
    cwr(r, 0, C_BPR, 2);
    rig_free(r);
}
END_TEST

/* EOImode: EOIR only drops the priority; GICC_DIR deactivates. */
START_TEST(split_priority_drop_and_deactivate)
{
    struct rig *r = rig_new(1);
    connect_spi(r, 0, 5);       /* ID 37 */
    enable_all(r, 1);
    cwr(r, 0, C_CTLR, 1u | (1u << 9));
    enable_id(r, 0, 37);
    dwr(r, 0, D_ICFGR + 37 / 16 * 4, 2u << ((37 % 16) * 2));   /* edge */
    irq_set(&r->in[0], true);
    ck_assert_uint_eq(crd(r, 0, C_IAR), 37);
    cwr(r, 0, C_EOIR, 37);
    ck_assert_uint_eq(crd(r, 0, C_RPR), 0xFF);
    ck_assert_uint_eq(drd(r, 0, D_ISACTIVER + 4) & (1u << 5), 1u << 5);
    cwr(r, 0, C_DIR, 37);
    ck_assert_uint_eq(drd(r, 0, D_ISACTIVER + 4) & (1u << 5), 0);
    /* EOI of a spurious ID changes nothing. */
    cwr(r, 0, C_EOIR, SPURIOUS);
    rig_free(r);
}
END_TEST

/* SGIs: GICD_SGIR with each filter; pending per source; IAR reports the
 * source CPU; banked per target. */
START_TEST(software_generated_interrupts)
{
    struct rig *r = rig_new(2);
    enable_all(r, 2);
    /* CPU 0 sends SGI 3 to CPU 1 (list), CPU 1 sends SGI 3 to itself. */
    dwr(r, 0, D_SGIR, (0u << 24) | (2u << 16) | 3);
    dwr(r, 1, D_SGIR, (2u << 24) | 3);
    ck_assert(!r->level[0]);
    ck_assert(r->level[2]);
    ck_assert_uint_eq(drd(r, 1, D_SPENDSGIR) >> 24, 3);   /* sources 0 and 1 */
    ck_assert_uint_eq(drd(r, 0, D_SPENDSGIR), 0);
    uint32_t first = crd(r, 1, C_IAR);
    ck_assert_uint_eq(first, 3u | (0u << 10));            /* lowest source first */
    cwr(r, 1, C_EOIR, first);
    ck_assert_uint_eq(crd(r, 1, C_IAR), 3u | (1u << 10));
    cwr(r, 1, C_EOIR, 3u | (1u << 10));
    ck_assert(!r->level[2]);
    /* Filter 1: everyone but the sender. */
    dwr(r, 1, D_SGIR, (1u << 24) | 7);
    ck_assert(r->level[0]);
    ck_assert(!r->level[2]);
    ck_assert_uint_eq(drd(r, 0, D_SPENDSGIR + 4) >> 24, 2);
    /* CPENDSGIR clears; SPENDSGIR sets (from any source). */
    dwr(r, 0, D_CPENDSGIR + 4, 0xFFu << 24);
    ck_assert(!r->level[0]);
    dwr8(r, 0, D_SPENDSGIR + 1, 1);
    ck_assert_uint_eq(crd(r, 0, C_IAR), 1u);
    /* ISPENDR cannot make an SGI pending; ISENABLER/ICENABLER don't touch them. */
    cwr(r, 0, C_EOIR, 1u);
    dwr(r, 0, D_ISPENDR, 0xFFFF);
    dwr(r, 0, D_ICENABLER, 0xFFFF);
    ck_assert_uint_eq(crd(r, 0, C_IAR), SPURIOUS);
    ck_assert_uint_eq(drd(r, 0, D_ISENABLER) & 0xFFFF, 0xFFFF);
    rig_free(r);
}
END_TEST

/* IDs 0-31 are banked per CPU; SPIs go to the CPUs their targets name. */
START_TEST(banking_and_targets)
{
    struct rig *r = rig_new(2);
    enable_all(r, 2);
    const uint32_t ppi[3] = { 1, 11, 4 };     /* PPI 11 = ID 27 */
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(gic_model.irq_connect_cpu(r->dev, 0, ppi, 3, &r->in[0], &err), 0);
    ck_assert_int_eq(gic_model.irq_connect_cpu(r->dev, 1, ppi, 3, &r->in[1], &err), 0);
    enable_id(r, 1, 27);                      /* CPU 1's bank only */
    ck_assert_uint_eq(drd(r, 0, D_ISENABLER) & (1u << 27), 0);
    irq_set(&r->in[0], true);
    ck_assert(!r->level[0]);
    irq_set(&r->in[1], true);
    ck_assert(r->level[2]);
    ck_assert_uint_eq(crd(r, 1, C_IAR), 27);
    /* ITARGETSR 0-31 read as the reader's own bit. */
    ck_assert_uint_eq(drd(r, 1, D_ITARGETSR) & 0xFF, 2);
    ck_assert_uint_eq(drd(r, 0, D_ITARGETSR) & 0xFF, 1);
    /* An SPI with no target goes nowhere; targeted at CPU 1 it goes there. */
    connect_spi(r, 2, 3);                     /* ID 35 */
    enable_id(r, 0, 35);
    irq_set(&r->in[2], true);
    ck_assert(!r->level[0]);
    dwr8(r, 0, D_ITARGETSR + 35, 2);
    ck_assert_uint_eq(drd(r, 0, D_ITARGETSR + 32) >> 24, 2);
    ck_assert_uint_eq(crd(r, 1, C_HPPIR), 35);
    ck_assert_uint_eq(crd(r, 0, C_HPPIR), SPURIOUS);
    rig_free(r);

    /* One CPU: ITARGETSR is RAZ/WI and everything targets CPU 0. */
    r = rig_new(1);
    enable_all(r, 1);
    connect_spi(r, 0, 3);
    enable_id(r, 0, 35);
    dwr8(r, 0, D_ITARGETSR + 35, 0xFF);
    ck_assert_uint_eq(drd(r, 0, D_ITARGETSR + 32), 0);
    irq_set(&r->in[0], true);
    ck_assert(r->level[0]);
    rig_free(r);
}
END_TEST

/* Groups: Group 1 needs EnableGrp1 in both; IAR gives 1022 for it unless
 * AckCtl; AIAR acknowledges it; Group 0 becomes FIQ with FIQEn. */
START_TEST(groups_and_fiq)
{
    struct rig *r = rig_new(1);
    connect_spi(r, 0, 0);       /* ID 32, Group 1 */
    connect_spi(r, 1, 1);       /* ID 33, Group 0 */
    dwr(r, 0, D_IGROUPR + 4, 1);
    enable_id(r, 0, 32);
    enable_id(r, 0, 33);
    dwr(r, 0, D_CTLR, 1);                   /* Group 0 only */
    cwr(r, 0, C_CTLR, 3);
    cwr(r, 0, C_PMR, 0xF0);
    irq_set(&r->in[0], true);
    ck_assert(!r->level[0]);
    dwr(r, 0, D_CTLR, 3);
    ck_assert(r->level[0]);
    ck_assert_uint_eq(crd(r, 0, C_HPPIR), 1022);
    ck_assert_uint_eq(crd(r, 0, C_IAR), 1022);
    ck_assert_uint_eq(crd(r, 0, C_AIAR), 32);
    cwr(r, 0, C_AEOIR, 32);
    irq_set(&r->in[0], false);
    cwr(r, 0, C_CTLR, 3u | (1u << 3));      /* FIQEn */
    irq_set(&r->in[1], true);
    ck_assert(r->level[1]);                 /* FIQ */
    ck_assert(!r->level[0]);
    ck_assert_uint_eq(crd(r, 0, C_AIAR), SPURIOUS);   /* Group 0: not through the alias */
    ck_assert_uint_eq(crd(r, 0, C_IAR), 33);
    ck_assert(!r->level[1]);
    rig_free(r);
}
END_TEST

START_TEST(bad_accesses_and_inputs)
{
    struct rig *r = rig_new(1);
    uint64_t v = 1;
    /* 64-bit: bus error; byte reads of the CPU interface: RAZ. */
    ck_assert_int_eq(gic_model.read(r->dev, 0, 0, 8, &v), BUS_ERROR);
    ck_assert_int_eq(gic_model.read(r->dev, 1, C_IAR, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(gic_model.write(r->dev, 0, D_SGIR, 1, 3), BUS_OK);   /* ignored */
    ck_assert_uint_eq(drd(r, 0, D_SPENDSGIR), 0);
    ck_assert_int_eq(gic_model.read(r->dev, 0, 0x1000, 4, &v), BUS_OK);  /* beyond */
    ck_assert_int_eq(gic_model.read(r->dev, 1, 0x3000, 4, &v), BUS_OK);
    /* IDs past the configured 288 read as zero and ignore writes. */
    dwr(r, 0, D_ISENABLER + 4 * 12, 0xFFFFFFFF);
    ck_assert_uint_eq(drd(r, 0, D_ISENABLER + 4 * 12), 0);
    /* A requester beyond the CPUs is treated as CPU 0, never out of bounds. */
    r->bus.requester = 200;
    ck_assert_int_eq(gic_model.read(r->dev, 1, C_IAR, 4, &v), BUS_OK);
    /* Specifiers naming nothing are board errors. */
    struct orr_error err = { { 0 } };
    const uint32_t big[3] = { 0, 256, 4 }, ppi[3] = { 1, 16, 4 }, kind[3] = { 2, 1, 4 };
    ck_assert_int_eq(gic_model.irq_connect(r->dev, big, 3, &r->in[0], &err), -1);
    ck_assert_int_eq(gic_model.irq_connect(r->dev, ppi, 3, &r->in[0], &err), -1);
    ck_assert_int_eq(gic_model.irq_connect(r->dev, kind, 3, &r->in[0], &err), -1);
    ck_assert_int_eq(gic_model.irq_connect_cpu(r->dev, 3, ppi, 3, &r->in[0], &err), -1);
    rig_free(r);
}
END_TEST

START_TEST(save_and_load)
{
    struct rig *a = rig_new(1);
    connect_spi(a, 0, 1);
    enable_all(a, 1);
    enable_id(a, 0, 33);
    dwr8(a, 0, D_IPRIORITYR + 33, 0x30);
    irq_set(&a->in[0], true);
    ck_assert_uint_eq(crd(a, 0, C_IAR), 33);

    struct state_writer w;
    state_writer_init(&w);
    state_begin(&w, "dev", gic_model.state_version);
    ck_assert_int_eq(gic_model.save(a->dev, &w), 0);
    state_end(&w);
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(state_writer_finish(&w, &err), 0);

    struct rig *b = rig_new(1);
    connect_spi(b, 0, 1);
    irq_set(&b->in[0], true);
    struct state_reader rd;
    ck_assert_int_eq(state_reader_init(&rd, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&rd, "dev"), 0);
    ck_assert_msg(gic_model.load(b->dev, &rd, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(crd(b, 0, C_RPR), 0x30);
    ck_assert(!b->level[0]);                  /* active and pending */
    cwr(b, 0, C_EOIR, 33);
    ck_assert(b->level[0]);

    /* A snapshot of a GIC with another shape is refused, untouched. */
    struct rig *c = rig_new(2);
    ck_assert_int_eq(state_reader_init(&rd, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&rd, "dev"), 0);
    ck_assert_int_eq(gic_model.load(c->dev, &rd, &err), -1);
    ck_assert_uint_eq(crd(c, 0, C_RPR), 0xFF);
    /* A truncated section is refused. */
    ck_assert_int_eq(state_reader_init(&rd, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&rd, "dev"), 0);
    rd.section_end = rd.pos + 20;
    ck_assert_int_eq(gic_model.load(b->dev, &rd, &err), -1);
    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
    rig_free(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, identification_and_reset);
    tcase_add_test(tc, level_sensitive_lifecycle);
    tcase_add_test(tc, edge_triggered_latch);
    tcase_add_test(tc, priority_mask_and_preemption);
    tcase_add_test(tc, split_priority_drop_and_deactivate);
    tcase_add_test(tc, software_generated_interrupts);
    tcase_add_test(tc, banking_and_targets);
    tcase_add_test(tc, groups_and_fiq);
    tcase_add_test(tc, bad_accesses_and_inputs);
    tcase_add_test(tc, save_and_load);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
