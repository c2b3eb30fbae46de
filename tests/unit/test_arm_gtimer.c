/* The ARMv7 Generic Timer: the counter on the virtual clock, TVAL/CVAL,
 * ISTATUS/IMASK, the output line raised at exactly the compare time,
 * CNTKCTL's PL0 rules, the CP15 routes, and save/load re-arming. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/clock.h"
#include "isa-arm/arm.h"
#include "isa-arm/arm_internal.h"
#include "machine/bus.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

struct env {
    struct bus bus;
    struct vclock clock;
    struct cpu *cpu;
    struct arm_cpu *arm;
    bool level[GT_OUT_COUNT];
    unsigned edges[GT_OUT_COUNT];
};

static void sink(void *opaque, unsigned input, bool level)
{
    struct env *e = opaque;
    e->level[input] = level;
    e->edges[input]++;
}

static struct env *env_new(const char *model)
{
    struct env *e = calloc(1, sizeof *e);
    struct orr_error err;
    ck_assert_ptr_nonnull(e);
    bus_init(&e->bus, NULL);
    ck_assert_int_eq(bus_add_ram(&e->bus, "ram", 0, 0x10000, &err), 0);
    clock_init(&e->clock, CLOCK_MODE_VIRTUAL, 16);   /* 62.5 M instructions/s */
    const struct cpu_model *m = cpu_model_find(model);
    ck_assert_ptr_nonnull(m);
    struct cpu_config cfg = { .bus = &e->bus, .clock = &e->clock };
    ck_assert_int_eq(m->create(m, &cfg, &e->cpu, &err), 0);
    e->arm = (struct arm_cpu *)e->cpu;
    for (unsigned o = 0; o < GT_OUT_COUNT; o++) {
        struct irq_line *l = e->cpu->ops->irq_output(e->cpu, o);
        ck_assert_ptr_nonnull(l);
        irq_connect(l, sink, e, o);
    }
    return e;
}

static void env_free(struct env *e)
{
    e->cpu->ops->destroy(e->cpu);
    bus_destroy(&e->bus);
    free(e);
}

START_TEST(counter_follows_virtual_time)
{
    struct env *e = env_new("cortex-a15");
    uint32_t v;
    ck_assert_int_eq(arm_gtimer_mrc(e->arm, 0, 0, 0, &v), 0);
    ck_assert_uint_eq(v, 62500000u);
    uint64_t cnt;
    ck_assert_int_eq(arm_gtimer_mrrc(e->arm, 0, &cnt), 0);
    ck_assert_uint_eq(cnt, 0);
    clock_advance_to(&e->clock, 1000000000u);            /* 1 s */
    ck_assert_int_eq(arm_gtimer_mrrc(e->arm, 1, &cnt), 0);
    ck_assert_uint_eq(cnt, 62500000u);
    clock_advance_to(&e->clock, 1000000017u);            /* 17 ns more: 1 tick (16 ns) */
    ck_assert_int_eq(arm_gtimer_mrrc(e->arm, 0, &cnt), 0);
    ck_assert_uint_eq(cnt, 62500001u);
    /* CNTFRQ only reports the rate (B4.1.21): writing it changes neither
     * the count nor its rate. */
    ck_assert_int_eq(arm_gtimer_mcr(e->arm, 0, 0, 0, 1000000u), 0);
    ck_assert_int_eq(arm_gtimer_mrc(e->arm, 0, 0, 0, &v), 0);
    ck_assert_uint_eq(v, 1000000u);
    ck_assert_int_eq(arm_gtimer_mrrc(e->arm, 0, &cnt), 0);
    ck_assert_uint_eq(cnt, 62500001u);
    clock_advance_to(&e->clock, 2000000017u);
    ck_assert_int_eq(arm_gtimer_mrrc(e->arm, 0, &cnt), 0);
    ck_assert_uint_eq(cnt, 125000001u);
    /* The counters are read-only; CNTVOFF (opc1 4) needs Hyp mode. */
    ck_assert_int_eq(arm_gtimer_mcrr(e->arm, 0, 5), -1);
    ck_assert_int_eq(arm_gtimer_mrrc(e->arm, 4, &cnt), -1);
    env_free(e);
}
END_TEST

START_TEST(virtual_timer_fires_at_compare_time)
{
    struct env *e = env_new("cortex-a15");
    uint32_t v;
    /* TVAL = 625 ticks (10 us at 62.5 MHz), enable. */
    ck_assert_int_eq(arm_gtimer_mcr(e->arm, 0, 3, 0, 625), 0);
    ck_assert_int_eq(arm_gtimer_mcr(e->arm, 0, 3, 1, 1), 0);
    ck_assert(!e->level[GT_OUT_VIRT]);
    ck_assert_uint_eq(clock_next_deadline(&e->clock), 10000u);
    clock_advance_to(&e->clock, 9999u);
    ck_assert(!e->level[GT_OUT_VIRT]);
    ck_assert_int_eq(arm_gtimer_mrc(e->arm, 0, 3, 0, &v), 0);
    ck_assert_uint_eq(v, 1);                              /* one tick left */
    clock_advance_to(&e->clock, 10000u);
    ck_assert(e->level[GT_OUT_VIRT]);
    ck_assert(!e->level[GT_OUT_NS_PHYS]);
    ck_assert_int_eq(arm_gtimer_mrc(e->arm, 0, 3, 1, &v), 0);
    ck_assert_uint_eq(v, 5);                              /* ENABLE | ISTATUS */
    /* TVAL counts down past zero: negative as a signed 32-bit value. */
    clock_advance_to(&e->clock, 10160u);
    ck_assert_int_eq(arm_gtimer_mrc(e->arm, 0, 3, 0, &v), 0);
    ck_assert_int_eq((int32_t)v, -10);
    /* IMASK lowers the line, ISTATUS stays. */
    ck_assert_int_eq(arm_gtimer_mcr(e->arm, 0, 3, 1, 3), 0);
    ck_assert(!e->level[GT_OUT_VIRT]);
    ck_assert_int_eq(arm_gtimer_mrc(e->arm, 0, 3, 1, &v), 0);
    ck_assert_uint_eq(v, 7);
    /* A new compare value in the future clears the condition. */
    ck_assert_int_eq(arm_gtimer_mcr(e->arm, 0, 3, 1, 1), 0);
    ck_assert(e->level[GT_OUT_VIRT]);
    ck_assert_int_eq(arm_gtimer_mcrr(e->arm, 3, 1000), 0);
    ck_assert(!e->level[GT_OUT_VIRT]);
    uint64_t cval;
    ck_assert_int_eq(arm_gtimer_mrrc(e->arm, 3, &cval), 0);
    ck_assert_uint_eq(cval, 1000);
    ck_assert_uint_eq(clock_next_deadline(&e->clock), 16000u);
    /* The physical timer drives its own output. */
    ck_assert_int_eq(arm_gtimer_mcrr(e->arm, 2, 0), 0);
    ck_assert_int_eq(arm_gtimer_mcr(e->arm, 0, 2, 1, 1), 0);
    ck_assert(e->level[GT_OUT_NS_PHYS]);
    env_free(e);
}
END_TEST

START_TEST(pl0_access_follows_cntkctl)
{
    struct env *e = env_new("cortex-a7");
    uint32_t v;
    uint64_t cnt;
    arm_write_cpsr(e->arm, (e->arm->cpsr & ~PSR_MODE) | MODE_USR);
    ck_assert_int_eq(arm_gtimer_mrrc(e->arm, 1, &cnt), -1);
    ck_assert_int_eq(arm_gtimer_mrc(e->arm, 0, 0, 0, &v), -1);
    ck_assert_int_eq(arm_gtimer_mrc(e->arm, 0, 1, 0, &v), -1);   /* CNTKCTL: PL1 only */
    arm_write_cpsr(e->arm, (e->arm->cpsr & ~PSR_MODE) | MODE_SVC);
    ck_assert_int_eq(arm_gtimer_mcr(e->arm, 0, 1, 0, 0x2), 0);  /* PL0VCTEN */
    arm_write_cpsr(e->arm, (e->arm->cpsr & ~PSR_MODE) | MODE_USR);
    ck_assert_int_eq(arm_gtimer_mrrc(e->arm, 1, &cnt), 0);
    ck_assert_int_eq(arm_gtimer_mrc(e->arm, 0, 0, 0, &v), 0);    /* CNTFRQ with either bit */
    ck_assert_int_eq(arm_gtimer_mrrc(e->arm, 0, &cnt), -1);      /* CNTPCT still denied */
    ck_assert_int_eq(arm_gtimer_mcr(e->arm, 0, 3, 1, 1), -1);    /* CNTV_CTL needs PL0VTEN */
    env_free(e);
}
END_TEST

START_TEST(cp15_route_and_older_models)
{
    struct env *e = env_new("cortex-a15");
    /* mrrc p15, 1, r0, r1, c14 (CNTVCT) ; mrc p15, 0, r2, c14, c0, 0 (CNTFRQ) */
    ck_assert_int_eq(bus_write(&e->bus, 0x100, 4, 0xec510f1e), 0);
    ck_assert_int_eq(bus_write(&e->bus, 0x104, 4, 0xee1e2f10), 0);
    clock_advance_to(&e->clock, 2000000u);
    e->cpu->ops->set_entry(e->cpu, 0x100);
    e->cpu->ops->run(e->cpu, 2);
    ck_assert_uint_eq(e->cpu->ops->reg_get(e->cpu, 0), 125000u + 0);
    ck_assert_uint_eq(e->cpu->ops->reg_get(e->cpu, 1), 0);
    ck_assert_uint_eq(e->cpu->ops->reg_get(e->cpu, 2), 62500000u);
    env_free(e);
    /* The ARMv5 model has no timer and no outputs. */
    struct bus bus;
    struct vclock clk;
    struct orr_error err;
    struct cpu *cpu;
    bus_init(&bus, NULL);
    clock_init(&clk, CLOCK_MODE_VIRTUAL, 16);
    const struct cpu_model *m = cpu_model_find("arm926ej-s");
    struct cpu_config cfg = { .bus = &bus, .clock = &clk };
    ck_assert_int_eq(m->create(m, &cfg, &cpu, &err), 0);
    ck_assert_ptr_null(cpu->ops->irq_output(cpu, 2));
    uint32_t v;
    ck_assert_int_eq(arm_gtimer_mrc((struct arm_cpu *)cpu, 0, 0, 0, &v), -1);
    cpu->ops->destroy(cpu);
    bus_destroy(&bus);
}
END_TEST

START_TEST(save_load_rearms)
{
    struct env *e = env_new("cortex-a15");
    ck_assert_int_eq(arm_gtimer_mcrr(e->arm, 3, 625), 0);
    ck_assert_int_eq(arm_gtimer_mcr(e->arm, 0, 3, 1, 1), 0);
    struct orr_error err;
    struct state_writer w;
    state_writer_init(&w);
    state_begin(&w, "cpu0", 1);
    ck_assert_int_eq(e->cpu->ops->save(e->cpu, &w), 0);
    state_end(&w);
    ck_assert_int_eq(state_writer_finish(&w, &err), 0);
    /* Reset drops the event; loading the CPU brings it back. */
    e->cpu->ops->reset(e->cpu);
    ck_assert_uint_eq(clock_next_deadline(&e->clock), CLOCK_NEVER);
    struct state_reader r;
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&r, "cpu0"), 0);
    ck_assert_int_eq(e->cpu->ops->load(e->cpu, &r, &err), 0);
    ck_assert_uint_eq(clock_next_deadline(&e->clock), 10000u);
    clock_advance_to(&e->clock, 10000u);
    ck_assert(e->level[GT_OUT_VIRT]);
    state_writer_free(&w);
    env_free(e);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("arm_gtimer");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, counter_follows_virtual_time);
    tcase_add_test(tc, virtual_timer_fires_at_compare_time);
    tcase_add_test(tc, pl0_access_follows_cntkctl);
    tcase_add_test(tc, cp15_route_and_older_models);
    tcase_add_test(tc, save_load_rearms);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
