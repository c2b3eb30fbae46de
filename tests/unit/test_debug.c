/* The debugging core (machine/debug.h, cpu/debug.h) on a Cortex-A15
 * arm-virt machine running a few hand-assembled instructions from RAM:
 * single steps, breakpoints at the PC, watchpoints that stop before the
 * instruction (nothing changed) and cost nothing to unwatched addresses of
 * the same page, the observer's report of accesses and exceptions, the
 * soft TLB kept across an observed step, and debugger writes to code. */
#include <check.h>
#include <string.h>

#include "cpu/tlb.h"
#include "machine/boards.h"
#include "machine/debug.h"
#include "machine/machine.h"
#include "tests/unit/unit.h"
#include "tests/unit/unit_machine.h"

#define CODE 0x40000000u
#define DATA 0x40001000u

static const uint32_t program[] = {
    0xe3a01101, /* 00  mov r1, #0x40000000 */
    0xe2811a01, /* 04  add r1, r1, #0x1000 */
    0xe3a02055, /* 08  mov r2, #0x55 */
    0xe5a12004, /* 0c  str r2, [r1, #4]! */
    0xe5913000, /* 10  ldr r3, [r1] */
    0xe5812100, /* 14  str r2, [r1, #0x100] */
    0xef000001, /* 18  svc #1 */
    0xeafffffe, /* 1c  b . */
};

static struct machine *make(void)
{
    struct machine *m = unit_machine("arm-virt", (struct machine_config){
        .cpu_model = "cortex-a15", .clock_mode = CLOCK_MODE_VIRTUAL });
    ck_assert_uint_eq(machine_debug_write(m, 0, CODE, true, program, sizeof program),
                      sizeof program);
    m->cpus[0]->ops->set_entry(m->cpus[0], CODE);
    return m;
}

static uint64_t reg(struct machine *m, const char *name)
{
    struct cpu *cpu = m->cpus[0];
    int i = cpu_reg_find(cpu, name);
    ck_assert_int_ge(i, 0);
    return cpu->ops->reg_get(cpu, (unsigned)i);
}

static uint32_t word(struct machine *m, uint32_t pa)
{
    uint32_t v = 0;
    ck_assert_uint_eq(machine_debug_read(m, 0, pa, true, &v, 4), 4);
    return v;
}

static void step(struct machine *m, struct cpu_observer *obs, bool suspend)
{
    struct machine_run_result res;
    machine_step(m, 0, obs, suspend, &res);
    ck_assert_int_eq(res.reason, CPU_STOP_BUDGET);
}

START_TEST(step_executes_one_instruction)
{
    struct machine *m = make();
    for (unsigned i = 1; i <= 3; i++) {
        step(m, NULL, false);
        ck_assert_uint_eq(reg(m, "pc"), CODE + 4 * i);
        ck_assert_uint_eq(m->executed, i);
    }
    ck_assert_uint_eq(reg(m, "r1"), DATA);
    machine_destroy(m);
}
END_TEST

START_TEST(breakpoint_at_the_pc_stops_at_once)
{
    struct machine *m = make();
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(machine_break_insert(m, CODE, &err), 0);
    struct machine_run_result res;
    machine_run(m, 1000000, &res);
    ck_assert_int_eq(res.reason, CPU_STOP_BREAKPOINT);
    ck_assert_uint_eq(reg(m, "pc"), CODE);
    ck_assert_uint_eq(m->executed, 0);
    /* Stepping off it (breakpoints suspended) executes it. */
    step(m, NULL, true);
    ck_assert_uint_eq(reg(m, "pc"), CODE + 4);
    ck_assert_int_eq(machine_break_remove(m, CODE), 0);
    ck_assert_int_eq(machine_break_remove(m, CODE), -1);
    machine_destroy(m);
}
END_TEST

START_TEST(write_watchpoint_stops_before_the_store)
{
    struct machine *m = make();
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(machine_watch_insert(m, DATA + 4, 4, CPU_WATCH_WRITE, &err), 0);
    struct machine_run_result res;
    machine_run(m, 1000000, &res);
    ck_assert_int_eq(res.reason, CPU_STOP_WATCHPOINT);
    ck_assert_uint_eq(res.cpu, 0);
    const struct cpu_watch_hit *hit = &m->cpus[0]->watch_hit;
    ck_assert_uint_eq(hit->addr, DATA + 4);
    ck_assert_uint_eq(hit->size, 4);
    ck_assert(hit->write);
    ck_assert_uint_eq(hit->value, 0x55);
    /* Nothing of the STR happened: no write, no base writeback, PC at it,
     * and it is not counted. */
    ck_assert_uint_eq(reg(m, "pc"), CODE + 0xc);
    ck_assert_uint_eq(reg(m, "r1"), DATA);
    ck_assert_uint_eq(word(m, DATA + 4), 0);
    ck_assert_uint_eq(m->executed, 3);
    /* Stepped with the watchpoints suspended, it completes. */
    step(m, NULL, true);
    ck_assert_uint_eq(reg(m, "r1"), DATA + 4);
    ck_assert_uint_eq(word(m, DATA + 4), 0x55);
    /* A read of the watched word and a write elsewhere in its page pass. */
    step(m, NULL, false);
    ck_assert_uint_eq(reg(m, "r3"), 0x55);
    step(m, NULL, false);
    ck_assert_uint_eq(word(m, DATA + 0x104), 0x55);
    ck_assert_int_eq(machine_watch_remove(m, DATA + 4, 4, CPU_WATCH_WRITE), 0);
    machine_destroy(m);
}
END_TEST

START_TEST(read_watchpoint_and_bad_ranges)
{
    struct machine *m = make();
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(machine_watch_insert(m, DATA + 6, 1, CPU_WATCH_READ, &err), 0);
    ck_assert_int_ne(machine_watch_insert(m, DATA, 0, CPU_WATCH_READ, &err), 0);
    ck_assert_int_ne(machine_watch_insert(m, UINT64_MAX - 1, 8, CPU_WATCH_READ, &err), 0);
    struct machine_run_result res;
    machine_run(m, 1000000, &res);
    /* The STR to DATA+4 is not a read; the LDR of DATA+4..7 is. */
    ck_assert_int_eq(res.reason, CPU_STOP_WATCHPOINT);
    ck_assert_uint_eq(reg(m, "pc"), CODE + 0x10);
    ck_assert(!m->cpus[0]->watch_hit.write);
    ck_assert_uint_eq(reg(m, "r3"), 0);
    machine_debug_clear(m);
    machine_run(m, 1000, &res);
    ck_assert_uint_eq(reg(m, "r3"), 0x55);
    machine_destroy(m);
}
END_TEST

START_TEST(observer_reports_accesses_and_exceptions)
{
    struct machine *m = make();
    struct cpu_observer obs;
    for (int i = 0; i < 3; i++)
        step(m, &obs, false);
    ck_assert_uint_eq(obs.nmem, 0);
    step(m, &obs, false);                         /* str r2, [r1, #4]! */
    ck_assert_uint_eq(obs.nmem, 1);
    ck_assert_uint_eq(obs.mem[0].kind, CPU_MEM_WRITE);
    ck_assert_uint_eq(obs.mem[0].va, DATA + 4);
    ck_assert_uint_eq(obs.mem[0].pa, DATA + 4);
    ck_assert_uint_eq(obs.mem[0].size, 4);
    ck_assert_uint_eq(obs.mem[0].value, 0x55);
    ck_assert_uint_eq(obs.nwalks, 0);             /* MMU off: no walk */
    step(m, &obs, false);                         /* ldr r3, [r1] */
    ck_assert_uint_eq(obs.nmem, 1);
    ck_assert_uint_eq(obs.mem[0].kind, CPU_MEM_READ);
    ck_assert_uint_eq(obs.mem[0].value, 0x55);
    /* The observed step kept the soft TLB and filled it: the data page is
     * entered for privileged reads. */
    const struct soft_tlb *tlb = m->cpus[0]->ops->soft_tlb(m->cpus[0]);
    ck_assert_uint_eq(tlb_slot((struct soft_tlb *)tlb, 1, TLB_READ, DATA)->tag, DATA);
    step(m, &obs, false);                         /* str */
    step(m, &obs, false);                         /* svc #1 */
    ck_assert_uint_eq(obs.nexc, 1);
    ck_assert_str_eq(obs.exc[0].name, "supervisor call");
    ck_assert_uint_eq(obs.exc[0].vector, 0x8);
    ck_assert_uint_eq(obs.exc[0].return_addr, CODE + 0x1c);
    ck_assert_str_eq(obs.exc[0].from_mode, "svc");
    ck_assert_str_eq(obs.exc[0].to_mode, "svc");
    ck_assert_uint_eq(reg(m, "pc"), 0x8);
    machine_destroy(m);
}
END_TEST

START_TEST(debugger_write_replaces_decoded_code)
{
    struct machine *m = make();
    step(m, NULL, false);                         /* the page is decoded now */
    const uint32_t mov_r1_0x99 = 0xe3a01099;
    ck_assert_uint_eq(machine_debug_write(m, 0, CODE + 4, false, &mov_r1_0x99, 4), 4);
    step(m, NULL, false);
    ck_assert_uint_eq(reg(m, "r1"), 0x99);
    /* Nothing mapped there: nothing read. */
    uint32_t v;
    ck_assert_uint_eq(machine_debug_read(m, 0, 0x20000000, true, &v, 4), 0);
    machine_destroy(m);
}
END_TEST

static Suite *debug_suite(void)
{
    Suite *s = suite_create("debug");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, step_executes_one_instruction);
    tcase_add_test(tc, breakpoint_at_the_pc_stops_at_once);
    tcase_add_test(tc, write_watchpoint_stops_before_the_store);
    tcase_add_test(tc, read_watchpoint_and_bad_ranges);
    tcase_add_test(tc, observer_reports_accesses_and_exceptions);
    tcase_add_test(tc, debugger_write_replaces_decoded_code);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(debug_suite());
}
