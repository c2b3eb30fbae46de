/* ARM Generic Interrupt Controller, architecture version 2 (GICv2), after
 * the ARM Generic Interrupt Controller Architecture Specification v2.0
 * (IHI 0048B, "GIC spec" below): a distributor and one CPU interface per
 * CPU, as the Cortex-A15 MPCore and QEMU's `virt` board have it.
 *
 * What is modelled:
 *   - interrupt IDs 0-15 (SGIs), 16-31 (PPIs, banked per CPU) and SPIs from
 *     32 up to the configured number (default 288, QEMU virt's; a node may
 *     set `orrery,num-irqs`, a multiple of 32 up to 1020);
 *   - the pending, active and active-and-pending states of GIC spec 1.4.2
 *     and 3.2.4, level-sensitive and edge-triggered inputs (GICD_ICFGR),
 *     enables, priorities with 5 implemented bits (32 levels, as the
 *     Cortex-A15's GIC), targets, groups (GICD_IGROUPR: a GICv2 without the
 *     Security Extensions still has them, 4.3.4), SGIs with per-source
 *     pending state (GICD_SGIR, GICD_CPENDSGIR/SPENDSGIR);
 *   - the CPU interface of 4.4: GICC_CTLR (group enables, AckCtl, FIQEn,
 *     CBPR, EOImode), PMR, BPR/ABPR with preemption by group priority,
 *     IAR/AIAR, EOIR/AEOIR with priority drop, RPR, HPPIR/AHPPIR, the
 *     active-priority registers, DIR for split priority drop and
 *     deactivation, IIDR;
 *   - group 0 interrupts signalled as FIQ when GICC_CTLR.FIQEn is set,
 *     everything else as IRQ.
 * Not modelled: the Security Extensions (every access is treated as the
 * only, secure-less view, as on QEMU's virt without secure=on), the
 * virtualization extensions (GICH/GICV), interrupt bypass (the bypass
 * disable bits are kept and read back), the wake-up signals of a powered-
 * down CPU interface.
 *
 * Which CPU interface a CPU-interface access or a banked distributor
 * register (IDs 0-31) reaches is the CPU making the access (bus->requester).
 * In a uniprocessor configuration the GICD_ITARGETSRs are RAZ/WI and every
 * interrupt targets CPU 0 (GIC spec 4.3.12).
 *
 * Inputs: `interrupts = <0 n flags>` is SPI n (ID 32 + n); `<1 n flags>`
 * is PPI n (ID 16 + n) of CPU 0, or of each CPU for per-CPU sources such
 * as the generic timers (irq_connect_cpu). The trigger flags are the
 * guest's to program into GICD_ICFGR (Linux does); the model takes the
 * configuration from the register. Outputs: IRQ and FIQ of each CPU. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "cpu/log.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/state.h"

#define GIC_MAX_CPUS 8
#define GIC_NR_SGIS 16
#define GIC_NR_PRIVATE 32          /* SGIs and PPIs: banked per CPU */
#define GIC_MAX_IRQS 1020          /* IDs 1020-1023 are special (GIC spec 3.1.2) */
#define GIC_DEFAULT_IRQS 288       /* QEMU virt: 256 SPIs */
#define GIC_SPURIOUS 1023
#define GIC_GROUP1_PENDING 1022    /* IAR/HPPIR with a Group 1 interrupt, AckCtl clear */
#define GIC_IDLE_PRIORITY 0xFF
/* Five implemented priority bits (GIC spec 3.3: the low bits are RAZ/WI). */
#define GIC_PRIORITY_MASK 0xF8u
#define GIC_MIN_BPR 2              /* 7 - implemented bits (GIC spec 3.3.3) */
#define GIC_MIN_ABPR 3
#define GIC_DIST_SIZE 0x1000
#define GIC_CPU_SIZE 0x2000

/* Bitmap words: the word for ID irq as seen by CPU cpu. IDs 0-31 are banked,
 * one word per CPU; SPIs follow, one word per 32 IDs. */
#define GIC_WORDS (GIC_MAX_CPUS + GIC_MAX_IRQS / 32)
#define GIC_PRIO_SLOTS (GIC_MAX_CPUS * GIC_NR_PRIVATE + GIC_MAX_IRQS - GIC_NR_PRIVATE)

/* Distributor register offsets (GIC spec 4.1.2, table 4-1). */
enum {
    GICD_CTLR = 0x000,
    GICD_TYPER = 0x004,
    GICD_IIDR = 0x008,
    GICD_IGROUPR = 0x080,
    GICD_ISENABLER = 0x100,
    GICD_ICENABLER = 0x180,
    GICD_ISPENDR = 0x200,
    GICD_ICPENDR = 0x280,
    GICD_ISACTIVER = 0x300,
    GICD_ICACTIVER = 0x380,
    GICD_IPRIORITYR = 0x400,
    GICD_ITARGETSR = 0x800,
    GICD_ICFGR = 0xC00,
    GICD_NSACR = 0xE00,
    GICD_SGIR = 0xF00,
    GICD_CPENDSGIR = 0xF10,
    GICD_SPENDSGIR = 0xF20,
    GICD_ID_FIRST = 0xFD0,     /* ICPIDR4-7, ICPIDR0-3, ICCIDR0-3 */
};

/* CPU interface register offsets (GIC spec 4.1.3, table 4-2). */
enum {
    GICC_CTLR = 0x00,
    GICC_PMR = 0x04,
    GICC_BPR = 0x08,
    GICC_IAR = 0x0C,
    GICC_EOIR = 0x10,
    GICC_RPR = 0x14,
    GICC_HPPIR = 0x18,
    GICC_ABPR = 0x1C,
    GICC_AIAR = 0x20,
    GICC_AEOIR = 0x24,
    GICC_AHPPIR = 0x28,
    GICC_APR0 = 0xD0,
    GICC_NSAPR0 = 0xE0,
    GICC_IIDR = 0xFC,
    GICC_DIR = 0x1000,
};

/* GICD_CTLR and GICC_CTLR bits (GIC spec 4.3.1, 4.4.1). */
#define CTLR_ENABLE_GRP0 (1u << 0)
#define CTLR_ENABLE_GRP1 (1u << 1)
#define GICC_ACKCTL (1u << 2)
#define GICC_FIQEN (1u << 3)
#define GICC_CBPR (1u << 4)
#define GICC_EOIMODE_GRP0 (1u << 9)
#define GICC_EOIMODE_GRP1 (1u << 10)
#define GICC_CTLR_MASK 0x7FFu

/* The identification registers a GIC-400 returns at 0xFD0-0xFFC: ICPIDR4-7,
 * ICPIDR0-3 (ICPIDR2 bits 7:4 = 2: GICv2), ICCIDR0-3. */
static const uint8_t gic_id[12] = {
    0x04, 0x00, 0x00, 0x00,
    0x90, 0xB4, 0x2B, 0x00,
    0x0D, 0xF0, 0x05, 0xB1,
};
#define GICD_IIDR_VALUE 0x0200143Bu   /* ARM (0x43B), revision 1, product 2 */
#define GICC_IIDR_VALUE 0x0202143Bu   /* ARM, GICv2 architecture, product 2 */

struct gic_cpu_if {
    uint32_t ctlr, pmr, bpr, abpr;
    /* Active priorities (GICC_APR0 for Group 0, GICC_NSAPR0 for Group 1):
     * bit n is group priority n << 3 (32 levels, GIC spec 4.4.14 for five
     * priority bits). */
    uint32_t apr[2];
    uint8_t sgi_pending[GIC_NR_SGIS];   /* per SGI: one bit per source CPU */
};

struct gic {
    char path[128];
    const struct logger *log;
    const struct bus *bus;
    unsigned ncpus;
    unsigned nirqs;                     /* a multiple of 32 */
    struct irq_line *irq_out[GIC_MAX_CPUS], *fiq_out[GIC_MAX_CPUS];

    uint32_t ctlr;                      /* GICD_CTLR */
    /* Per-ID state as bitmaps (word_of). `latch` is the pending state set
     * by an edge or by software; a level-sensitive input is also pending
     * while its line is high (GIC spec 3.2.4). */
    uint32_t enabled[GIC_WORDS], latch[GIC_WORDS], active[GIC_WORDS];
    uint32_t line[GIC_WORDS], edge[GIC_WORDS], group[GIC_WORDS];
    uint8_t priority[GIC_PRIO_SLOTS];
    uint8_t targets[GIC_MAX_IRQS];      /* SPIs only */
    struct gic_cpu_if cpu[GIC_MAX_CPUS];
};

/* ---- per-ID state ------------------------------------------------------- */

static inline unsigned word_of(unsigned cpu, unsigned irq)
{
    return irq < GIC_NR_PRIVATE ? cpu : GIC_MAX_CPUS + irq / 32 - 1;
}

static inline bool test_bit(const uint32_t *map, unsigned cpu, unsigned irq)
{
    return (map[word_of(cpu, irq)] >> (irq % 32)) & 1u;
}

static inline void put_bit(uint32_t *map, unsigned cpu, unsigned irq, bool v)
{
    uint32_t bit = 1u << (irq % 32);
    if (v)
        map[word_of(cpu, irq)] |= bit;
    else
        map[word_of(cpu, irq)] &= ~bit;
}

static inline uint8_t *priority_of(struct gic *g, unsigned cpu, unsigned irq)
{
    return irq < GIC_NR_PRIVATE ? &g->priority[cpu * GIC_NR_PRIVATE + irq]
                                : &g->priority[GIC_MAX_CPUS * GIC_NR_PRIVATE + irq -
                                               GIC_NR_PRIVATE];
}

/* The pending bits of one bitmap word (32 IDs from base) for CPU cpu. */
static uint32_t pending_word(const struct gic *g, unsigned cpu, unsigned base)
{
    unsigned w = word_of(cpu, base);
    uint32_t p = g->latch[w] | (g->line[w] & ~g->edge[w]);
    if (base == 0) {
        p &= ~0xFFFFu;      /* SGIs: pending per source */
        for (unsigned i = 0; i < GIC_NR_SGIS; i++)
            if (g->cpu[cpu].sgi_pending[i])
                p |= 1u << i;
    }
    return p;
}

static bool targets_cpu(const struct gic *g, unsigned cpu, unsigned irq)
{
    if (irq < GIC_NR_PRIVATE)
        return true;
    if (g->ncpus == 1)
        return cpu == 0;
    return (g->targets[irq] >> cpu) & 1u;
}

/* The group priority of priority p in group grp under CPU interface ci's
 * binary points (GIC spec 3.3.3, table 3-2: BPR n keeps bits [7:n+1] for
 * Group 0, ABPR n keeps bits [7:n] for Group 1; CBPR makes Group 1 use
 * BPR as Group 0 does). */
static unsigned group_priority(const struct gic_cpu_if *ci, unsigned grp, unsigned p)
{
    unsigned keep;
    if (grp == 0 || (ci->ctlr & GICC_CBPR))
        keep = ci->bpr + 1;
    else
        keep = ci->abpr;
    return p & (0xFFu << keep) & 0xFFu;
}

static unsigned running_priority(const struct gic_cpu_if *ci)
{
    uint32_t all = ci->apr[0] | ci->apr[1];
    return all ? (unsigned)__builtin_ctz(all) << 3 : GIC_IDLE_PRIORITY;
}

/* The highest-priority pending interrupt the distributor forwards to CPU
 * cpu (GIC spec 3.2.1-3.2.2): enabled, pending and not active, its group
 * enabled in GICD_CTLR, targeting cpu. Ties go to the lowest ID. Returns
 * GIC_SPURIOUS when there is none. */
static unsigned highest_pending(struct gic *g, unsigned cpu)
{
    unsigned best = GIC_SPURIOUS, best_prio = 0x100;
    for (unsigned base = 0; base < g->nirqs; base += 32) {
        unsigned w = word_of(cpu, base);
        uint32_t cand = pending_word(g, cpu, base) & g->enabled[w] & ~g->active[w];
        if (!(g->ctlr & CTLR_ENABLE_GRP0))
            cand &= g->group[w];
        if (!(g->ctlr & CTLR_ENABLE_GRP1))
            cand &= ~g->group[w];
        while (cand) {
            unsigned irq = base + (unsigned)__builtin_ctz(cand);
            cand &= cand - 1;
            if (!targets_cpu(g, cpu, irq))
                continue;
            unsigned p = *priority_of(g, cpu, irq);
            if (p < best_prio) {
                best_prio = p;
                best = irq;
            }
        }
    }
    return best;
}

/* Whether interrupt irq, the highest pending for cpu, is signalled by its
 * CPU interface (GIC spec 3.2.2): the interface enables its group, its
 * priority is above the priority mask and its group priority above the
 * running priority. */
static bool signalled(struct gic *g, unsigned cpu, unsigned irq)
{
    const struct gic_cpu_if *ci = &g->cpu[cpu];
    unsigned grp = test_bit(g->group, cpu, irq);
    if (!(ci->ctlr & (grp ? CTLR_ENABLE_GRP1 : CTLR_ENABLE_GRP0)))
        return false;
    unsigned p = *priority_of(g, cpu, irq);
    return p < ci->pmr && group_priority(ci, grp, p) < running_priority(ci);
}

static void update(struct gic *g)
{
    for (unsigned cpu = 0; cpu < g->ncpus; cpu++) {
        unsigned irq = highest_pending(g, cpu);
        bool irq_level = false, fiq_level = false;
        if (irq != GIC_SPURIOUS && signalled(g, cpu, irq)) {
            /* Group 0 goes to FIQ when FIQEn is set (GIC spec 3.6.1). */
            if (!test_bit(g->group, cpu, irq) && (g->cpu[cpu].ctlr & GICC_FIQEN))
                fiq_level = true;
            else
                irq_level = true;
        }
        irq_set(g->irq_out[cpu], irq_level);
        irq_set(g->fiq_out[cpu], fiq_level);
    }
}

/* ---- inputs ------------------------------------------------------------- */

/* Input numbers: (cpu << 10) | interrupt ID. */
static void gic_input(void *opaque, unsigned input, bool level)
{
    struct gic *g = opaque;
    unsigned cpu = input >> 10, irq = input & 0x3FF;
    if (cpu >= g->ncpus || irq >= g->nirqs)
        return;
    bool was = test_bit(g->line, cpu, irq);
    put_bit(g->line, cpu, irq, level);
    /* An edge-triggered input latches pending on its rising edge. */
    if (level && !was && test_bit(g->edge, cpu, irq))
        put_bit(g->latch, cpu, irq, true);
    update(g);
}

/* A DT interrupt specifier: <0 n flags> is SPI n, <1 n flags> PPI n. */
static int specifier_to_id(const struct gic *g, const uint32_t *cells, unsigned ncells,
                           unsigned *irq, struct orr_error *err)
{
    if (ncells < 2)
        return orr_fail(err, "%s: interrupt specifier has %u cells, needs 3", g->path, ncells);
    if (cells[0] == 0) {
        if (cells[1] >= g->nirqs - GIC_NR_PRIVATE)
            return orr_fail(err, "%s: SPI %u is beyond the %u the GIC has", g->path, cells[1],
                            g->nirqs - GIC_NR_PRIVATE);
        *irq = cells[1] + GIC_NR_PRIVATE;
        return 0;
    }
    if (cells[0] == 1) {
        if (cells[1] >= GIC_NR_PRIVATE - GIC_NR_SGIS)
            return orr_fail(err, "%s: PPI %u does not exist (0-15)", g->path, cells[1]);
        *irq = cells[1] + GIC_NR_SGIS;
        return 0;
    }
    return orr_fail(err, "%s: interrupt type %u is neither SPI (0) nor PPI (1)", g->path,
                    cells[0]);
}

static int gic_irq_connect(void *dev, const uint32_t *cells, unsigned ncells,
                           struct irq_line *line, struct orr_error *err)
{
    struct gic *g = dev;
    unsigned irq;
    if (specifier_to_id(g, cells, ncells, &irq, err))
        return -1;
    irq_connect(line, gic_input, g, irq);   /* a device's PPI: CPU 0's */
    return 0;
}

static int gic_irq_connect_cpu(void *dev, unsigned cpu, const uint32_t *cells, unsigned ncells,
                               struct irq_line *line, struct orr_error *err)
{
    struct gic *g = dev;
    unsigned irq;
    if (specifier_to_id(g, cells, ncells, &irq, err))
        return -1;
    if (cpu >= g->ncpus)
        return orr_fail(err, "%s: CPU %u has no CPU interface", g->path, cpu);
    if (irq >= GIC_NR_PRIVATE)
        irq_connect(line, gic_input, g, irq);       /* an SPI is shared */
    else
        irq_connect(line, gic_input, g, (cpu << 10) | irq);
    return 0;
}

/* ---- distributor -------------------------------------------------------- */

/* Bit-per-ID registers: the bitmap a set/clear register range names. */
static uint32_t *bitmap_for(struct gic *g, uint32_t off, bool *set)
{
    *set = true;
    if (off >= GICD_IGROUPR && off < GICD_ISENABLER)
        return g->group;
    if (off >= GICD_ISENABLER && off < GICD_ISPENDR) {
        *set = off < GICD_ICENABLER;
        return g->enabled;
    }
    if (off >= GICD_ISPENDR && off < GICD_ISACTIVER) {
        *set = off < GICD_ICPENDR;
        return g->latch;
    }
    if (off >= GICD_ISACTIVER && off < GICD_IPRIORITYR) {
        *set = off < GICD_ICACTIVER;
        return g->active;
    }
    return NULL;
}

/* The offset of a bit-per-ID register from the start of its range. */
static uint32_t range_offset(uint32_t off)
{
    return off < GICD_ISENABLER ? off - GICD_IGROUPR : (off - GICD_IGROUPR) % 0x80;
}

static uint8_t dist_read_byte(struct gic *g, unsigned cpu, uint32_t off)
{
    if (off < 0x00C) {
        uint32_t word;
        switch (off & ~3u) {
        case GICD_CTLR: word = g->ctlr; break;
        case GICD_TYPER:
            /* ITLinesNumber, CPUNumber; no Security Extensions, no LSPIs. */
            word = (g->nirqs / 32 - 1) | ((g->ncpus - 1) << 5);
            break;
        default: word = GICD_IIDR_VALUE; break;
        }
        return (uint8_t)(word >> (8 * (off & 3)));
    }
    if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
        bool set;
        const uint32_t *map = bitmap_for(g, off, &set);
        unsigned first = range_offset(off) * 8;       /* the byte's first ID */
        if (first >= g->nirqs)
            return 0;
        uint32_t word;
        if (map == g->latch)
            word = pending_word(g, cpu, first & ~31u);
        else
            word = map[word_of(cpu, first)];
        return (uint8_t)(word >> (first % 32));
    }
    if (off >= GICD_IPRIORITYR && off < GICD_ITARGETSR) {
        unsigned irq = off - GICD_IPRIORITYR;
        return irq < g->nirqs ? *priority_of(g, cpu, irq) : 0;
    }
    if (off >= GICD_ITARGETSR && off < GICD_ICFGR) {
        unsigned irq = off - GICD_ITARGETSR;
        if (g->ncpus == 1 || irq >= g->nirqs)
            return 0;                                  /* RAZ/WI: GIC spec 4.3.12 */
        return irq < GIC_NR_PRIVATE ? (uint8_t)(1u << cpu) : g->targets[irq];
    }
    if (off >= GICD_ICFGR && off < GICD_NSACR) {
        unsigned first = (off - GICD_ICFGR) * 4;      /* four IDs per byte */
        if (first >= g->nirqs)
            return 0;
        uint8_t v = 0;
        for (unsigned i = 0; i < 4; i++)
            if (first + i < GIC_NR_SGIS || test_bit(g->edge, cpu, first + i))
                v |= (uint8_t)(2u << (2 * i));
        return v;
    }
    if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 0x10)
        return g->cpu[cpu].sgi_pending[(off - GICD_CPENDSGIR) % 0x10];
    if (off >= GICD_ID_FIRST)
        return (off & 3) ? 0 : gic_id[(off - GICD_ID_FIRST) / 4];
    return 0;   /* reserved, GICD_NSACR (no Security Extensions), GICD_SGIR */
}

/* GICD_SGIR (GIC spec 4.3.15): TargetListFilter, CPUTargetList, SGIINTID. */
static void send_sgi(struct gic *g, unsigned cpu, uint32_t value)
{
    unsigned id = value & 0xF, filter = (value >> 24) & 3;
    uint32_t list;
    switch (filter) {
    case 0: list = (value >> 16) & 0xFF; break;
    case 1: list = ((1u << g->ncpus) - 1) & ~(1u << cpu); break;
    case 2: list = 1u << cpu; break;
    default: return;    /* reserved */
    }
    for (unsigned t = 0; t < g->ncpus; t++)
        if (list & (1u << t))
            g->cpu[t].sgi_pending[id] |= (uint8_t)(1u << cpu);
}

static void dist_write_byte(struct gic *g, unsigned cpu, uint32_t off, uint8_t v)
{
    if (off == GICD_CTLR) {
        g->ctlr = v & (CTLR_ENABLE_GRP0 | CTLR_ENABLE_GRP1);
        return;
    }
    if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
        bool set;
        uint32_t *map = bitmap_for(g, off, &set);
        unsigned first = range_offset(off) * 8;
        if (first >= g->nirqs)
            return;
        uint32_t bits = (uint32_t)v << (first % 32);
        if (first < GIC_NR_SGIS && (map == g->enabled || map == g->latch))
            return;    /* SGIs: always enabled; pending only through GICD_SGIR/SPENDSGIR */
        uint32_t *word = &map[word_of(cpu, first)];
        if (map == g->group)
            *word = (*word & ~(0xFFu << (first % 32))) | bits;
        else if (set)
            *word |= bits;
        else
            *word &= ~bits;
        return;
    }
    if (off >= GICD_IPRIORITYR && off < GICD_ITARGETSR) {
        unsigned irq = off - GICD_IPRIORITYR;
        if (irq < g->nirqs)
            *priority_of(g, cpu, irq) = v & GIC_PRIORITY_MASK;
        return;
    }
    if (off >= GICD_ITARGETSR && off < GICD_ICFGR) {
        unsigned irq = off - GICD_ITARGETSR;
        if (g->ncpus > 1 && irq >= GIC_NR_PRIVATE && irq < g->nirqs)
            g->targets[irq] = v & (uint8_t)((1u << g->ncpus) - 1);
        return;
    }
    if (off >= GICD_ICFGR && off < GICD_NSACR) {
        unsigned first = (off - GICD_ICFGR) * 4;
        for (unsigned i = 0; i < 4; i++) {
            unsigned irq = first + i;
            if (irq < GIC_NR_SGIS || irq >= g->nirqs)
                continue;    /* SGIs are edge-triggered, read-only */
            put_bit(g->edge, cpu, irq, (v >> (2 * i + 1)) & 1u);
        }
        return;
    }
    if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 0x10) {
        uint8_t *p = &g->cpu[cpu].sgi_pending[(off - GICD_CPENDSGIR) % 0x10];
        uint8_t mask = (uint8_t)((1u << g->ncpus) - 1);
        if (off < GICD_SPENDSGIR)
            *p &= (uint8_t)~v;
        else
            *p |= v & mask;
        return;
    }
    log_msg(g->log, LOG_DEV, "%s: write of 0x%02x to %s distributor offset 0x%03x ignored",
            g->path, v, off >= GICD_ID_FIRST || off == GICD_TYPER || off == GICD_IIDR ?
            "read-only" : "reserved", off);
}

/* ---- CPU interface ------------------------------------------------------ */

static uint32_t pending_id_for(struct gic *g, unsigned cpu, unsigned irq)
{
    if (irq < GIC_NR_SGIS) {
        /* The lowest-numbered source CPU goes first (IAR bits 12:10). */
        unsigned src = (unsigned)__builtin_ctz(g->cpu[cpu].sgi_pending[irq]);
        return irq | (src << 10);
    }
    return irq;
}

/* GICC_HPPIR / AHPPIR (GIC spec 4.4.8, 4.4.11): the highest-priority
 * pending interrupt, whether or not it could be signalled now. */
static uint32_t read_hppir(struct gic *g, unsigned cpu, bool alias)
{
    unsigned irq = highest_pending(g, cpu);
    if (irq == GIC_SPURIOUS)
        return GIC_SPURIOUS;
    bool grp1 = test_bit(g->group, cpu, irq);
    if (alias && !grp1)
        return GIC_SPURIOUS;
    if (!alias && grp1 && !(g->cpu[cpu].ctlr & GICC_ACKCTL))
        return GIC_GROUP1_PENDING;
    return pending_id_for(g, cpu, irq);
}

/* GICC_IAR / AIAR (GIC spec 4.4.4, 3.2.4): acknowledge the signalled
 * interrupt: pending to active (or active and pending while a level input
 * stays high), its group priority becomes the running priority. */
static uint32_t acknowledge(struct gic *g, unsigned cpu, bool alias)
{
    struct gic_cpu_if *ci = &g->cpu[cpu];
    unsigned irq = highest_pending(g, cpu);
    if (irq == GIC_SPURIOUS || !signalled(g, cpu, irq))
        return GIC_SPURIOUS;
    unsigned grp = test_bit(g->group, cpu, irq);
    if (alias && !grp)
        return GIC_SPURIOUS;
    if (!alias && grp && !(ci->ctlr & GICC_ACKCTL))
        return GIC_GROUP1_PENDING;
    uint32_t id = pending_id_for(g, cpu, irq);
    if (irq < GIC_NR_SGIS)
        ci->sgi_pending[irq] &= (uint8_t)~(1u << (id >> 10));
    else
        put_bit(g->latch, cpu, irq, false);
    put_bit(g->active, cpu, irq, true);
    unsigned gp = group_priority(ci, grp, *priority_of(g, cpu, irq));
    ci->apr[grp] |= 1u << (gp >> 3);
    update(g);
    return id;
}

/* Priority drop (GIC spec 3.2.5): the highest active priority is no longer
 * running. */
static void priority_drop(struct gic_cpu_if *ci)
{
    uint32_t all = ci->apr[0] | ci->apr[1];
    if (!all)
        return;
    uint32_t lowest = all & -all;
    ci->apr[0] &= ~lowest;
    ci->apr[1] &= ~lowest;
}

static void deactivate(struct gic *g, unsigned cpu, uint32_t value)
{
    unsigned irq = value & 0x3FF;
    if (irq < g->nirqs)
        put_bit(g->active, cpu, irq, false);
}

/* GICC_EOIR / AEOIR (GIC spec 4.4.5): priority drop, and deactivation too
 * unless EOImode for the interrupt's group splits it off to GICC_DIR. */
static void end_of_interrupt(struct gic *g, unsigned cpu, uint32_t value, bool alias)
{
    struct gic_cpu_if *ci = &g->cpu[cpu];
    unsigned irq = value & 0x3FF;
    if (irq >= g->nirqs)
        return;    /* spurious IDs and IDs beyond the GIC: ignored */
    unsigned grp = test_bit(g->group, cpu, irq);
    if (alias && !grp)
        return;
    priority_drop(ci);
    if (!(ci->ctlr & (grp ? GICC_EOIMODE_GRP1 : GICC_EOIMODE_GRP0)))
        deactivate(g, cpu, value);
    update(g);
}

static uint32_t cpu_read(struct gic *g, unsigned cpu, uint32_t off)
{
    struct gic_cpu_if *ci = &g->cpu[cpu];
    switch (off) {
    case GICC_CTLR: return ci->ctlr;
    case GICC_PMR: return ci->pmr;
    case GICC_BPR: return ci->bpr;
    case GICC_IAR: return acknowledge(g, cpu, false);
    case GICC_RPR: return running_priority(ci);
    case GICC_HPPIR: return read_hppir(g, cpu, false);
    case GICC_ABPR: return ci->abpr;
    case GICC_AIAR: return acknowledge(g, cpu, true);
    case GICC_AHPPIR: return read_hppir(g, cpu, true);
    case GICC_APR0: return ci->apr[0];
    case GICC_NSAPR0: return ci->apr[1];
    case GICC_IIDR: return GICC_IIDR_VALUE;
    default:
        break;
    }
    if ((off > GICC_APR0 && off <= GICC_APR0 + 0xC) ||
        (off > GICC_NSAPR0 && off <= GICC_NSAPR0 + 0xC))
        return 0;    /* 32 priority levels fit in the first register */
    if (off == GICC_EOIR || off == GICC_AEOIR || off == GICC_DIR)
        log_msg(g->log, LOG_DEV, "%s: read of write-only CPU interface register 0x%03x",
                g->path, off);
    return 0;
}

static void cpu_write(struct gic *g, unsigned cpu, uint32_t off, uint32_t v)
{
    struct gic_cpu_if *ci = &g->cpu[cpu];
    switch (off) {
    case GICC_CTLR: ci->ctlr = v & GICC_CTLR_MASK; break;
    case GICC_PMR: ci->pmr = v & GIC_PRIORITY_MASK; break;
    case GICC_BPR: ci->bpr = (v & 7) < GIC_MIN_BPR ? GIC_MIN_BPR : (v & 7); break;
    case GICC_ABPR: ci->abpr = (v & 7) < GIC_MIN_ABPR ? GIC_MIN_ABPR : (v & 7); break;
    case GICC_EOIR: end_of_interrupt(g, cpu, v, false); return;
    case GICC_AEOIR: end_of_interrupt(g, cpu, v, true); return;
    case GICC_DIR: deactivate(g, cpu, v); break;
    case GICC_APR0: ci->apr[0] = v; break;
    case GICC_NSAPR0: ci->apr[1] = v; break;
    default:
        log_msg(g->log, LOG_DEV, "%s: write of 0x%x to %s CPU interface offset 0x%03x ignored",
                g->path, v, off == GICC_IAR || off == GICC_RPR || off == GICC_HPPIR ||
                off == GICC_AIAR || off == GICC_AHPPIR || off == GICC_IIDR ? "read-only" :
                "reserved", off);
        return;
    }
    update(g);
}

/* ---- bus access --------------------------------------------------------- */

/* The distributor takes byte, halfword and word accesses (its registers are
 * byte-addressable in QEMU's model and in Linux's use of IPRIORITYR and
 * ITARGETSR); GICD_SGIR only as a word. The CPU interface is word-only (GIC
 * spec 4.1.4): its reads have side effects. Other accesses: RAZ/WI, logged;
 * 64-bit accesses are a bus error. */
static bool access_ok(struct gic *g, const char *what, unsigned window, uint64_t offset,
                      unsigned size, bool word_only)
{
    uint64_t limit = window == 0 ? GIC_DIST_SIZE : GIC_CPU_SIZE;
    bool ok = window < 2 && offset < limit && (offset & (size - 1)) == 0 &&
              (size == 4 || (!word_only && (size == 1 || size == 2)));
    if (!ok)
        log_msg(g->log, LOG_DEV, "%s: bad %s of size %u at window %u offset 0x%llx", g->path,
                what, size, window, (unsigned long long)offset);
    return ok;
}

static unsigned requester(const struct gic *g)
{
    unsigned cpu = g->bus ? g->bus->requester : 0;
    return cpu < g->ncpus ? cpu : 0;
}

static int gic_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                    uint64_t *value)
{
    struct gic *g = opaque;
    *value = 0;
    if (!access_ok(g, "read", window, offset, size, window == 1))
        return size == 8 ? BUS_ERROR : BUS_OK;
    unsigned cpu = requester(g);
    if (window == 1) {
        *value = cpu_read(g, cpu, (uint32_t)offset);
        return BUS_OK;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)dist_read_byte(g, cpu, (uint32_t)offset + i) << (8 * i);
    *value = v;
    return BUS_OK;
}

static int gic_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                     uint64_t value)
{
    struct gic *g = opaque;
    bool word_only = window == 1 || offset == GICD_SGIR;
    if (!access_ok(g, "write", window, offset, size, word_only))
        return size == 8 ? BUS_ERROR : BUS_OK;
    unsigned cpu = requester(g);
    if (window == 1) {
        cpu_write(g, cpu, (uint32_t)offset, (uint32_t)value);
        return BUS_OK;
    }
    if (offset == GICD_SGIR)
        send_sgi(g, cpu, (uint32_t)value);
    else
        for (unsigned i = 0; i < size; i++)
            dist_write_byte(g, cpu, (uint32_t)offset + i, (uint8_t)(value >> (8 * i)));
    update(g);
    return BUS_OK;
}

/* ---- lifecycle ---------------------------------------------------------- */

static void gic_reset(void *opaque)
{
    struct gic *g = opaque;
    /* Reset values (GIC spec 4.3, 4.4): everything disabled, inactive, not
     * pending, Group 0, priority 0, level-sensitive except the SGIs; SPI
     * targets 0; CPU interfaces disabled, PMR 0 (masks everything), binary
     * points at their minimum. Input line levels are the sources', kept. */
    g->ctlr = 0;
    memset(g->enabled, 0, sizeof g->enabled);
    memset(g->latch, 0, sizeof g->latch);
    memset(g->active, 0, sizeof g->active);
    memset(g->edge, 0, sizeof g->edge);
    memset(g->group, 0, sizeof g->group);
    memset(g->priority, 0, sizeof g->priority);
    memset(g->targets, 0, sizeof g->targets);
    for (unsigned c = 0; c < GIC_MAX_CPUS; c++) {
        g->edge[c] = 0xFFFFu;       /* SGIs: edge-triggered, */
        g->enabled[c] = 0xFFFFu;    /* and always enabled (as on GIC-400) */
        memset(&g->cpu[c], 0, sizeof g->cpu[c]);
        g->cpu[c].bpr = GIC_MIN_BPR;
        g->cpu[c].abpr = GIC_MIN_ABPR;
    }
    update(g);
}

static int gic_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 2)
        return orr_fail(err, "%s: a GICv2 needs two reg windows (distributor, CPU interface)",
                        ctx->path);
    if (ctx->window_size[0] < GIC_DIST_SIZE || ctx->window_size[1] < GIC_CPU_SIZE)
        return orr_fail(err, "%s: the GIC's windows must be at least 0x%x and 0x%x bytes",
                        ctx->path, GIC_DIST_SIZE, GIC_CPU_SIZE);
    unsigned nirqs = GIC_DEFAULT_IRQS;
    int len;
    const fdt32_t *p = fdt_getprop(ctx->fdt, ctx->node, "orrery,num-irqs", &len);
    if (p) {
        nirqs = len == 4 ? fdt32_to_cpu(*p) : 0;
        if (nirqs < 64 || nirqs > 1024 || nirqs % 32)
            return orr_fail(err, "%s: orrery,num-irqs must be one cell, a multiple of 32 "
                            "from 64 to 1024", ctx->path);
        if (nirqs > GIC_MAX_IRQS)
            nirqs = GIC_MAX_IRQS;
    }
    /* The board gives a root controller IRQ and FIQ outputs per CPU. */
    unsigned ncpus = ctx->nirqs / 2;
    if (ncpus == 0)
        return orr_fail(err, "%s: the GIC has no CPU to signal", ctx->path);
    if (ncpus > GIC_MAX_CPUS)
        ncpus = GIC_MAX_CPUS;
    struct gic *g = calloc(1, sizeof *g);
    if (!g)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(g->path, sizeof g->path, "%s", ctx->path ? ctx->path : "gic");
    g->log = ctx->log;
    g->bus = ctx->bus;
    g->ncpus = ncpus;
    g->nirqs = nirqs;
    for (unsigned c = 0; c < ncpus; c++) {
        g->irq_out[c] = ctx->irqs[2 * c];
        g->fiq_out[c] = ctx->irqs[2 * c + 1];
    }
    gic_reset(g);
    *dev = g;
    return 0;
}

static void gic_destroy(void *opaque)
{
    free(opaque);
}

/* Section layout, version 1: number of CPUs and IDs (u32 each, checked
 * against this configuration); GICD_CTLR; the bitmaps enabled, latch,
 * active, line, edge, group (GIC_WORDS u32 each); priorities
 * (GIC_PRIO_SLOTS u8); targets (GIC_MAX_IRQS u8); per CPU interface (all
 * GIC_MAX_CPUS): CTLR, PMR, BPR, ABPR, APR0, NSAPR0 (u32), SGI pending
 * sources (16 u8). */
static void gic_bitmaps(struct gic *g, uint32_t *maps[6])
{
    maps[0] = g->enabled;
    maps[1] = g->latch;
    maps[2] = g->active;
    maps[3] = g->line;
    maps[4] = g->edge;
    maps[5] = g->group;
}

static int gic_save(void *opaque, struct state_writer *w)
{
    struct gic *g = opaque;
    state_put_u32(w, g->ncpus);
    state_put_u32(w, g->nirqs);
    state_put_u32(w, g->ctlr);
    uint32_t *maps[6];
    gic_bitmaps(g, maps);
    for (unsigned m = 0; m < 6; m++)
        for (unsigned i = 0; i < GIC_WORDS; i++)
            state_put_u32(w, maps[m][i]);
    state_put_bytes(w, g->priority, sizeof g->priority);
    state_put_bytes(w, g->targets, sizeof g->targets);
    for (unsigned c = 0; c < GIC_MAX_CPUS; c++) {
        const struct gic_cpu_if *ci = &g->cpu[c];
        const uint32_t f[] = { ci->ctlr, ci->pmr, ci->bpr, ci->abpr, ci->apr[0], ci->apr[1] };
        for (unsigned i = 0; i < 6; i++)
            state_put_u32(w, f[i]);
        state_put_bytes(w, ci->sgi_pending, sizeof ci->sgi_pending);
    }
    return w->failed ? -1 : 0;
}

static int gic_load(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct gic *g = opaque;
    /* Read into a copy; the device changes only once the section is whole
     * and valid. */
    struct gic *n = malloc(sizeof *n);
    if (!n)
        return orr_fail(err, "%s: out of memory", g->path);
    *n = *g;
    uint32_t ncpus = state_get_u32(r), nirqs = state_get_u32(r);
    n->ctlr = state_get_u32(r);
    uint32_t *maps[6];
    gic_bitmaps(n, maps);
    for (unsigned m = 0; m < 6; m++)
        for (unsigned i = 0; i < GIC_WORDS; i++)
            maps[m][i] = state_get_u32(r);
    state_get_bytes(r, n->priority, sizeof n->priority);
    state_get_bytes(r, n->targets, sizeof n->targets);
    for (unsigned c = 0; c < GIC_MAX_CPUS; c++) {
        struct gic_cpu_if *ci = &n->cpu[c];
        uint32_t *const f[] = { &ci->ctlr, &ci->pmr, &ci->bpr, &ci->abpr, &ci->apr[0],
                                &ci->apr[1] };
        for (unsigned i = 0; i < 6; i++)
            *f[i] = state_get_u32(r);
        state_get_bytes(r, ci->sgi_pending, sizeof ci->sgi_pending);
    }
    int bad = state_reader_check(r);
    if (!bad && (ncpus != g->ncpus || nirqs != g->nirqs)) {
        free(n);
        return orr_fail(err, "%s: the saved GIC has %u CPUs and %u IDs, this one %u and %u",
                        g->path, ncpus, nirqs, g->ncpus, g->nirqs);
    }
    if (bad) {
        free(n);
        return orr_fail(err, "%s: truncated or corrupt GIC section", g->path);
    }
    /* Line levels are driven by the sources, which restore their own
     * outputs; what they drive now stays. */
    memcpy(n->line, g->line, sizeof n->line);
    *g = *n;
    free(n);
    for (unsigned c = 0; c < GIC_MAX_CPUS; c++) {
        struct gic_cpu_if *ci = &g->cpu[c];
        ci->ctlr &= GICC_CTLR_MASK;
        ci->pmr &= GIC_PRIORITY_MASK;
        ci->bpr = ci->bpr < GIC_MIN_BPR ? GIC_MIN_BPR : ci->bpr & 7;
        ci->abpr = ci->abpr < GIC_MIN_ABPR ? GIC_MIN_ABPR : ci->abpr & 7;
    }
    for (unsigned i = 0; i < sizeof g->priority; i++)
        g->priority[i] &= GIC_PRIORITY_MASK;
    for (unsigned c = 0; c < GIC_MAX_CPUS; c++) {
        g->enabled[c] |= 0xFFFFu;
        g->edge[c] |= 0xFFFFu;
    }
    update(g);
    return 0;
}

static const char *const gic_compatible[] = {
    "arm,cortex-a15-gic", "arm,cortex-a7-gic", "arm,gic-400", NULL,
};

const struct device_model gic_model = {
    .name = "gic",
    .compatible = gic_compatible,
    .summary = "ARM Generic Interrupt Controller v2 (distributor + CPU interfaces)",
    .state_version = 1,
    .create = gic_create,
    .reset = gic_reset,
    .read = gic_read,
    .write = gic_write,
    .save = gic_save,
    .load = gic_load,
    .destroy = gic_destroy,
    .irq_connect = gic_irq_connect,
    .irq_connect_cpu = gic_irq_connect_cpu,
};
