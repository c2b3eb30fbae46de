/* The ARMv7 Generic Timer (ARM ARM v7 B8): one system counter read as
 * CNTPCT (and CNTVCT, equal to it: CNTVOFF is 0 without HYP), a physical
 * and a virtual timer. The counter is the machine's virtual clock scaled to
 * the configured counter frequency (CNTFRQ only reports it: B4.1.21, "the
 * value of the register is not interpreted by hardware", so a write never
 * changes the count or its rate); each timer schedules a clock event at the exact time its
 * condition (count >= CVAL) becomes true, so nothing polls. */
#include "isa-arm/arm_gtimer.h"
#include "isa-arm/arm_internal.h"

#include "machine/state.h"

#define CTL_ENABLE  1u
#define CTL_IMASK   2u
#define CTL_ISTATUS 4u

/* CNTKCTL bits (B4.1.26). */
#define KCTL_PL0PCTEN (1u << 0)
#define KCTL_PL0VCTEN (1u << 1)
#define KCTL_PL0VTEN  (1u << 8)
#define KCTL_PL0PTEN  (1u << 9)

static const char *const event_names[GT_TIMERS] = { "arm-gtimer-phys", "arm-gtimer-virt" };
static const unsigned timer_output[GT_TIMERS] = { GT_OUT_NS_PHYS, GT_OUT_VIRT };

/* Guest time now, at the instruction being executed (*run_executed
 * counts it already). */
static uint64_t now_ns(const struct arm_cpu *c)
{
    uint64_t done = c->run_executed && *c->run_executed ? *c->run_executed - 1 : 0;
    return clock_now_in_run(c->cpu.clock, done);
}

static uint64_t ns_to_count(const struct arm_cpu *c, uint64_t ns)
{
    return clock_ticks_at(ns, c->gt.counter_hz);
}

/* The first time at which the count reaches cval, or CLOCK_NEVER. */
static uint64_t count_to_ns(const struct arm_cpu *c, uint64_t cval)
{
    return clock_tick_time(cval, c->gt.counter_hz);
}

uint64_t arm_gtimer_count(struct arm_cpu *c)
{
    return ns_to_count(c, now_ns(c));
}

static bool timer_status(struct arm_cpu *c, unsigned t, uint64_t count)
{
    return (c->gt.t[t].ctl & CTL_ENABLE) && count >= c->gt.t[t].cval;
}

/* Drives the output from the condition, and schedules the event for when
 * the condition will become true (B8.2.4: ISTATUS is count >= CVAL). */
static void timer_update(struct arm_cpu *c, unsigned t, uint64_t count)
{
    bool status = timer_status(c, t, count);
    irq_set(&c->gt.out[timer_output[t]], status && !(c->gt.t[t].ctl & CTL_IMASK));
    struct vclock *clk = c->cpu.clock;
    if (!clk)
        return;
    clock_event_cancel(clk, &c->gt.t[t].ev);
    if (status || !(c->gt.t[t].ctl & CTL_ENABLE))
        return;
    uint64_t when = count_to_ns(c, c->gt.t[t].cval);
    if (when == CLOCK_NEVER)
        return;
    if (clock_event_schedule(clk, &c->gt.t[t].ev, when) == 0 && c->run_executed)
        c->end_run = true;   /* the run's budget was computed without this event */
}

static void timer_fire(void *opaque, uint64_t ns)
{
    struct arm_cpu *c = opaque;
    uint64_t count = ns_to_count(c, ns);
    for (unsigned t = 0; t < GT_TIMERS; t++)
        timer_update(c, t, count);
}

void arm_gtimer_init(struct arm_cpu *c, uint32_t counter_hz)
{
    c->gt.present = c->arch >= ARM_V7;
    c->gt.counter_hz = counter_hz ? counter_hz : GT_DEFAULT_CNTFRQ;
    for (unsigned t = 0; t < GT_TIMERS; t++)
        clock_event_init(&c->gt.t[t].ev, event_names[t], timer_fire, c);
}

void arm_gtimer_reset(struct arm_cpu *c)
{
    for (unsigned t = 0; t < GT_TIMERS; t++) {
        if (c->cpu.clock)
            clock_event_cancel(c->cpu.clock, &c->gt.t[t].ev);
        c->gt.t[t].ctl = 0;
        c->gt.t[t].cval = 0;
    }
    c->gt.cntfrq = c->gt.counter_hz;
    c->gt.cntkctl = 0;
    for (unsigned o = 0; o < GT_OUT_COUNT; o++)
        irq_set(&c->gt.out[o], false);
}

void arm_gtimer_save(struct arm_cpu *c, struct state_writer *w)
{
    state_put_u32(w, c->gt.cntfrq);
    state_put_u32(w, c->gt.cntkctl);
    for (unsigned t = 0; t < GT_TIMERS; t++) {
        state_put_u32(w, c->gt.t[t].ctl);
        state_put_u64(w, c->gt.t[t].cval);
    }
}

void arm_gtimer_load(struct arm_cpu *c, struct state_reader *r)
{
    c->gt.cntfrq = state_get_u32(r);
    c->gt.cntkctl = state_get_u32(r) & 0x3ffu;
    for (unsigned t = 0; t < GT_TIMERS; t++) {
        c->gt.t[t].ctl = state_get_u32(r) & (CTL_ENABLE | CTL_IMASK);
        c->gt.t[t].cval = state_get_u64(r);
    }
    if (!c->gt.present)
        return;
    uint64_t count = arm_gtimer_count(c);
    for (unsigned t = 0; t < GT_TIMERS; t++)
        timer_update(c, t, count);
}

/* PL0 access rules (B8.1.2, CNTKCTL). */
static bool pl0_allowed(const struct arm_cpu *c, uint32_t bits)
{
    return arm_privileged(c) || (c->gt.cntkctl & bits);
}

static int timer_index(unsigned crm)
{
    return crm == 2 ? GT_PHYS : crm == 3 ? GT_VIRT : -1;
}

/* MRC p15, 0, Rt, c14, CRm, opc2 (B4.1.21-B4.1.35). */
int arm_gtimer_mrc(struct arm_cpu *c, unsigned opc1, unsigned crm, unsigned opc2,
                   uint32_t *value)
{
    if (!c->gt.present || opc1 != 0)
        return -1;
    if (crm == 0 && opc2 == 0) {                              /* CNTFRQ */
        if (!pl0_allowed(c, KCTL_PL0PCTEN | KCTL_PL0VCTEN))
            return -1;
        *value = c->gt.cntfrq;
        return 0;
    }
    if (crm == 1 && opc2 == 0) {                              /* CNTKCTL */
        if (!arm_privileged(c))
            return -1;
        *value = c->gt.cntkctl;
        return 0;
    }
    int t = timer_index(crm);
    if (t < 0 || opc2 > 1)
        return -1;
    if (!pl0_allowed(c, t == GT_PHYS ? KCTL_PL0PTEN : KCTL_PL0VTEN))
        return -1;
    uint64_t count = arm_gtimer_count(c);
    if (opc2 == 0)                                            /* TVAL */
        *value = (uint32_t)(c->gt.t[t].cval - count);
    else                                                      /* CTL */
        *value = c->gt.t[t].ctl | (timer_status(c, t, count) ? CTL_ISTATUS : 0);
    return 0;
}

int arm_gtimer_mcr(struct arm_cpu *c, unsigned opc1, unsigned crm, unsigned opc2,
                   uint32_t value)
{
    if (!c->gt.present || opc1 != 0)
        return -1;
    if (crm == 0 && opc2 == 0) {                              /* CNTFRQ: PL1 only */
        if (!arm_privileged(c))
            return -1;
        c->gt.cntfrq = value;
        return 0;
    }
    if (crm == 1 && opc2 == 0) {                              /* CNTKCTL */
        if (!arm_privileged(c))
            return -1;
        c->gt.cntkctl = value & 0x3ffu;
        return 0;
    }
    int t = timer_index(crm);
    if (t < 0 || opc2 > 1)
        return -1;
    if (!pl0_allowed(c, t == GT_PHYS ? KCTL_PL0PTEN : KCTL_PL0VTEN))
        return -1;
    uint64_t count = arm_gtimer_count(c);
    if (opc2 == 0)   /* TVAL: CVAL = count + SignExtend(TVAL) (B8.2.4) */
        c->gt.t[t].cval = count + (uint64_t)(int64_t)(int32_t)value;
    else
        c->gt.t[t].ctl = value & (CTL_ENABLE | CTL_IMASK);
    timer_update(c, t, count);
    return 0;
}

/* MRRC p15, opc1, Rt, Rt2, c14: 0 CNTPCT, 1 CNTVCT, 2 CNTP_CVAL, 3 CNTV_CVAL;
 * 4 CNTVOFF is accessible only from Hyp mode, which is not implemented. */
int arm_gtimer_mrrc(struct arm_cpu *c, unsigned opc1, uint64_t *value)
{
    if (!c->gt.present)
        return -1;
    switch (opc1) {
    case 0:
        if (!pl0_allowed(c, KCTL_PL0PCTEN))
            return -1;
        *value = arm_gtimer_count(c);
        return 0;
    case 1:
        if (!pl0_allowed(c, KCTL_PL0VCTEN))
            return -1;
        *value = arm_gtimer_count(c);
        return 0;
    case 2:
    case 3:
        if (!pl0_allowed(c, opc1 == 2 ? KCTL_PL0PTEN : KCTL_PL0VTEN))
            return -1;
        *value = c->gt.t[opc1 == 2 ? GT_PHYS : GT_VIRT].cval;
        return 0;
    default:
        return -1;
    }
}

int arm_gtimer_mcrr(struct arm_cpu *c, unsigned opc1, uint64_t value)
{
    if (!c->gt.present || (opc1 != 2 && opc1 != 3))
        return -1;   /* the counters are read-only; CNTVOFF needs Hyp mode */
    unsigned t = opc1 == 2 ? GT_PHYS : GT_VIRT;
    if (!pl0_allowed(c, t == GT_PHYS ? KCTL_PL0PTEN : KCTL_PL0VTEN))
        return -1;
    c->gt.t[t].cval = value;
    timer_update(c, t, arm_gtimer_count(c));
    return 0;
}
