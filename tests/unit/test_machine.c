/* Whole-machine tests: two machines in one process, run interleaved, must
 * not see each other; virtual time is reproducible; a save state taken in
 * the middle of a run resumes to the same result. Uses the embedded demo. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/clock.h"
#include "machine/boards.h"
#include "machine/bus.h"
#include "machine/machine.h"
#include "machine/state.h"
#include "roms/roms.h"
#include "tests/unit/unit.h"
#include "tests/unit/unit_machine.h"

START_TEST(two_machines_interleaved)
{
    struct capture *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    struct machine *ma = unit_demo_machine(a);
    struct machine *mb = unit_demo_machine(b);
    int code_a = -1, code_b = -1;
    bool done_a = false, done_b = false;
    /* Different slice lengths so the two are never in lock step. */
    for (int i = 0; i < 200000 && !(done_a && done_b); i++) {
        if (!done_a)
            done_a = step_slice(ma, 700000, &code_a);
        if (!done_b)
            done_b = step_slice(mb, 1300000, &code_b);
    }
    ck_assert(done_a && done_b);
    ck_assert_int_eq(code_a, 0);
    ck_assert_int_eq(code_b, 0);
    ck_assert_uint_gt(a->len, 0);
    ck_assert_str_eq(a->buf, b->buf);
    /* Virtual time is a function of the instructions executed alone. */
    ck_assert_uint_eq(ma->executed, mb->executed);
    machine_destroy(ma);
    machine_destroy(mb);
    free(a);
    free(b);
}
END_TEST

START_TEST(reset_reruns_identically)
{
    struct capture *a = calloc(1, sizeof *a);
    struct machine *m = unit_demo_machine(a);
    int code = -1;
    run_to_end(m, &code);
    ck_assert_int_eq(code, 0);
    char *first = strdup(a->buf);
    uint64_t first_executed = m->executed;
    uint64_t first_time = m->clock.now_ns;

    machine_reset(m);
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(machine_load_image(m, rom_demo_elf, rom_demo_elf_size, 0, false, &err), 0);
    a->len = 0;
    a->buf[0] = '\0';
    run_to_end(m, &code);
    ck_assert_int_eq(code, 0);
    ck_assert_str_eq(a->buf, first);
    ck_assert_uint_eq(m->executed, first_executed);
    ck_assert_uint_eq(m->clock.now_ns, first_time);
    free(first);
    machine_destroy(m);
    free(a);
}
END_TEST

START_TEST(save_midway_and_resume_elsewhere)
{
    struct capture *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    struct machine *ma = unit_demo_machine(a);
    int code_a = -1, code_b = -1;
    /* Run part of the way. */
    for (int i = 0; i < 3; i++)
        ck_assert(!step_slice(ma, 100000, &code_a));
    size_t printed_before = a->len;

    struct state_writer w;
    state_writer_init(&w);
    ck_assert_int_eq(machine_save(ma, &w), 0);
    struct orr_error err = { { 0 } };
    ck_assert_msg(state_writer_finish(&w, &err) == 0, "%s", err.msg);

    /* A fresh machine (different load, then restored) continues from there. */
    struct machine *mb = unit_demo_machine(b);
    struct state_reader r;
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_msg(machine_load(mb, &r, &err) == 0, "load: %s", err.msg);
    ck_assert_uint_eq(mb->executed, ma->executed);
    ck_assert_uint_eq(mb->clock.now_ns, ma->clock.now_ns);

    run_to_end(ma, &code_a);
    run_to_end(mb, &code_b);
    ck_assert_int_eq(code_a, code_b);
    ck_assert_uint_eq(ma->executed, mb->executed);
    /* b printed exactly what a printed after the save point. */
    ck_assert_uint_ge(a->len, printed_before);
    ck_assert_str_eq(a->buf + printed_before, b->buf);

    state_writer_free(&w);
    machine_destroy(ma);
    machine_destroy(mb);
    free(a);
    free(b);
}
END_TEST

/* Realtime clock: a device event that falls due while the CPU runs and
 * fires after it went idle (as the PL011's transmit interrupt does) must
 * wake it within the same machine_run, not leave it asleep until some
 * other event or input. The "device" is an MMIO word whose write schedules
 * an event due at once; the event raises the CPU's IRQ line, which ends a
 * WFI even while CPSR.I masks it. */
struct wake_rig {
    struct machine *m;
    struct clock_event ev;
};

static void wake_fire(void *opaque, uint64_t now_ns)
{
    struct wake_rig *w = opaque;
    (void)now_ns;
    w->m->cpus[0]->ops->set_irq(w->m->cpus[0], 0, true);
}

static int wake_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                     uint64_t *value)
{
    (void)opaque; (void)window; (void)offset; (void)size;
    *value = 0;
    return BUS_OK;
}

static int wake_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                      uint64_t value)
{
    struct wake_rig *w = opaque;
    (void)window; (void)offset; (void)size; (void)value;
    return clock_event_schedule(&w->m->clock, &w->ev, w->m->clock.now_ns) ? BUS_ERROR : BUS_OK;
}

START_TEST(realtime_event_after_idle_wakes_the_cpu)
{
    struct wake_rig w = { 0 };
    struct orr_error err = { { 0 } };
    w.m = unit_machine("arm-virt", (struct machine_config){
        .cpu_model = "cortex-a15", .clock_mode = CLOCK_MODE_REALTIME });
    clock_event_init(&w.ev, "test-wake", wake_fire, &w);
    ck_assert_int_eq(bus_add_mmio(&w.m->bus, "test-wake", 0x0c000000, 0x1000, wake_read,
                                  wake_write, &w, 0, &err), 0);
    static const uint32_t prog[] = {
        0xe3a0140c,     /* mov r1, #0x0c000000 */
        0xe5810000,     /* str r0, [r1]: the event is due at once */
        0xe320f003,     /* wfi */
        0xe3a02001,     /* mov r2, #1 */
        0xeafffffe,     /* b . */
    };
    for (unsigned i = 0; i < 5; i++)
        ck_assert_int_eq(bus_write(&w.m->bus, 0x40000000 + 4 * i, 4, prog[i]), BUS_OK);
    struct cpu *cpu = w.m->cpus[0];
    cpu->ops->set_entry(cpu, 0x40000000);
    struct machine_run_result res;
    machine_run(w.m, 50000000, &res);       /* 50 ms of host time at most */
    ck_assert_uint_eq(cpu->ops->reg_get(cpu, 2), 1);
    machine_destroy(w.m);
}
END_TEST

static Suite *machine_suite(void)
{
    Suite *s = suite_create("machine");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, two_machines_interleaved);
    tcase_add_test(tc, reset_reruns_identically);
    tcase_add_test(tc, save_midway_and_resume_elsewhere);
    tcase_add_test(tc, realtime_event_after_idle_wakes_the_cpu);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(machine_suite());
}
