/* PSCI behind HVC on arm-virt with a Cortex-A15: small ARM programs load a
 * function id and an argument, execute HVC #0 and the test reads r0, or
 * sees the run end (SYSTEM_OFF) or ask for a reset (SYSTEM_RESET). Without
 * a psci node, HVC is UNDEFINED. */
#include <check.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "machine/boards.h"
#include "machine/machine.h"
#include "machine/psci.h"
#include "tests/unit/unit.h"

#define RAM 0x40000000u
#define HVC0 0xe1400070u
#define MODE_UND 0x1bu

static struct machine *make_machine(bool with_psci, const char *method)
{
    const struct builtin_board *b = builtin_board_find("arm-virt");
    size_t size = b->dtb_size + 256;
    void *fdt = malloc(size);
    ck_assert_int_eq(fdt_open_into(b->dtb, fdt, (int)size), 0);
    int node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-1.0");
    ck_assert_int_ge(node, 0);
    if (!with_psci)
        ck_assert_int_eq(fdt_del_node(fdt, node), 0);
    else if (method)
        ck_assert_int_eq(fdt_setprop_string(fdt, node, "method", method), 0);
    struct machine_config cfg = {
        .dtb = fdt, .dtb_size = size, .board_name = b->name, .cpu_model = "cortex-a15",
        .clock_mode = CLOCK_MODE_VIRTUAL,
    };
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    int rc = machine_create(&cfg, &m, &err);
    free(fdt);
    ck_assert_msg(rc == 0, "%s", err.msg);
    return m;
}

/* ldr r0, =fid; ldr r1, =a1; ldr r2, =a2; <insn>; b . */
static void load_call2(struct machine *m, uint32_t fid, uint32_t a1, uint32_t a2)
{
    const uint32_t prog[] = { 0xe59f000c, 0xe59f100c, 0xe59f200c, HVC0, 0xeafffffe,
                              fid, a1, a2 };
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(machine_load_image(m, (const uint8_t *)prog, sizeof prog, RAM, true,
                                        &err), 0);
}

/* ldr r0, =fid; ldr r1, =a1; <insn>; b . */
static void load_call(struct machine *m, uint32_t insn, uint32_t fid, uint32_t a1)
{
    const uint32_t prog[] = { 0xe59f0008, 0xe59f1008, insn, 0xeafffffe, fid, a1 };
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(machine_load_image(m, (const uint8_t *)prog, sizeof prog, RAM, true,
                                        &err), 0);
}

/* Runs the three instructions up to the spin, returns r0. */
static uint32_t call(struct machine *m, uint32_t fid, uint32_t a1)
{
    machine_reset(m);
    load_call(m, HVC0, fid, a1);
    struct cpu *cpu = m->cpus[0];
    cpu->exit_request = false;   /* left by a previous call's request (no machine_run here) */
    struct cpu_run_result r = cpu->ops->run(cpu, 3);
    ck_assert_uint_eq(r.executed, 3);
    ck_assert_uint_eq(cpu->ops->reg_get(cpu, 15), RAM + 12);
    return (uint32_t)cpu->ops->reg_get(cpu, 0);
}

START_TEST(answers_calls)
{
    struct machine *m = make_machine(true, NULL);
    ck_assert_uint_eq(call(m, PSCI_VERSION, 0), 0x00010000u);
    ck_assert_uint_eq(call(m, PSCI_MIGRATE_INFO_TYPE, 0), 2);
    ck_assert_uint_eq(call(m, PSCI_CPU_ON, 0), (uint32_t)PSCI_ALREADY_ON);
    ck_assert_uint_eq(call(m, PSCI_CPU_ON | PSCI_SMC64, 0), (uint32_t)PSCI_NOT_SUPPORTED);
    ck_assert_uint_eq(call(m, PSCI_CPU_ON, 1), (uint32_t)PSCI_INVALID_PARAMETERS);
    ck_assert_uint_eq(call(m, PSCI_0_1_BASE + 2, 0), (uint32_t)PSCI_ALREADY_ON);
    ck_assert_uint_eq(call(m, PSCI_AFFINITY_INFO, 0), 0);
    ck_assert_uint_eq(call(m, PSCI_AFFINITY_INFO, 0x100), (uint32_t)PSCI_INVALID_PARAMETERS);
    ck_assert_uint_eq(call(m, PSCI_CPU_SUSPEND, 0), 0);
    ck_assert_uint_eq(call(m, PSCI_CPU_SUSPEND, 0x20000), (uint32_t)PSCI_INVALID_PARAMETERS);
    ck_assert_uint_eq(call(m, PSCI_FEATURES, PSCI_CPU_ON | PSCI_SMC64),
                      (uint32_t)PSCI_NOT_SUPPORTED);
    ck_assert_uint_eq(call(m, PSCI_FEATURES, PSCI_SYSTEM_RESET), 0);
    ck_assert_uint_eq(call(m, PSCI_FEATURES, PSCI_FEATURES), 0);
    ck_assert_uint_eq(call(m, PSCI_FEATURES, PSCI_MIGRATE), (uint32_t)PSCI_NOT_SUPPORTED);
    ck_assert_uint_eq(call(m, PSCI_FEATURES, 0x12345678), (uint32_t)PSCI_NOT_SUPPORTED);
    ck_assert_uint_eq(call(m, PSCI_MIGRATE, 0), (uint32_t)PSCI_NOT_SUPPORTED);
    ck_assert_uint_eq(call(m, 0x8400001f, 0), (uint32_t)PSCI_NOT_SUPPORTED);
    ck_assert_uint_eq(call(m, 0xdeadbeef, 0), (uint32_t)PSCI_NOT_SUPPORTED);
    /* AFFINITY_INFO above level 0: on, whatever the target (as QEMU) */
    machine_reset(m);
    load_call2(m, PSCI_AFFINITY_INFO, 0x300, 1);
    struct cpu *cpu = m->cpus[0];
    cpu->exit_request = false;
    ck_assert_uint_eq(cpu->ops->run(cpu, 4).executed, 4);
    ck_assert_uint_eq(cpu->ops->reg_get(cpu, 0), 0);
    machine_destroy(m);
}
END_TEST

static void run_until_stop(struct machine *m, struct machine_run_result *res)
{
    for (int i = 0; i < 100; i++) {
        machine_run(m, 1000000, res);
        if (res->reason != CPU_STOP_BUDGET)
            return;
    }
}

START_TEST(system_off_reset_and_cpu_off_end_the_run)
{
    struct machine *m = make_machine(true, NULL);
    struct machine_run_result res;
    load_call(m, HVC0, PSCI_SYSTEM_OFF, 0);
    run_until_stop(m, &res);
    ck_assert_int_eq(res.reason, CPU_STOP_EXIT);
    ck_assert_int_eq(res.exit_code, 0);

    machine_reset(m);
    load_call(m, HVC0, PSCI_SYSTEM_RESET, 0);
    run_until_stop(m, &res);
    ck_assert_int_eq(res.reason, CPU_STOP_RESET);
    ck_assert_int_eq(m->psci.request, PSCI_REQ_NONE);

    machine_reset(m);
    load_call(m, HVC0, PSCI_CPU_OFF, 0);
    run_until_stop(m, &res);
    ck_assert_int_eq(res.reason, CPU_STOP_FATAL);
    ck_assert_ptr_nonnull(strstr(res.message, "CPU_OFF"));
    machine_destroy(m);
}
END_TEST

/* CPU_SUSPEND waits like WFI: the machine idles with nothing to wake it,
 * and a high interrupt line into the CPU (masked or not) resumes it after
 * the call, which here then powers off. */
START_TEST(cpu_suspend_waits_for_an_interrupt)
{
    struct machine *m = make_machine(true, NULL);
    /* ldr r0, =CPU_SUSPEND; mov r1, #0; hvc #0; ldr r0, =SYSTEM_OFF; hvc #0; b . */
    const uint32_t prog[] = { 0xe59f0010, 0xe3a01000, HVC0, 0xe59f0008, HVC0, 0xeafffffe,
                              PSCI_CPU_SUSPEND, PSCI_SYSTEM_OFF };
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(machine_load_image(m, (const uint8_t *)prog, sizeof prog, RAM, true,
                                        &err), 0);
    struct machine_run_result res;
    machine_run(m, 1000000, &res);
    ck_assert_int_ne(res.reason, CPU_STOP_EXIT);
    ck_assert(m->psci.suspended[0]);
    uint64_t executed = m->executed;
    ck_assert_uint_eq(executed, 3);
    for (int i = 0; i < 5; i++) {
        machine_run(m, 1000000, &res);
        ck_assert(res.reason == CPU_STOP_IDLE || res.reason == CPU_STOP_BUDGET);
    }
    ck_assert_uint_eq(m->executed, executed);
    /* An interrupt line ending at the CPU goes high (no GIC is modelled
     * yet, so the test adds one to a device's outputs). */
    struct machine_device *md = &m->devices[0];
    ck_assert_uint_lt(md->nirqs, DEVICE_MAX_IRQS);
    md->irqs[md->nirqs++] = (struct irq_line){ .opaque = m->cpus[0], .level = true };
    machine_run(m, 1000000, &res);
    ck_assert_int_eq(res.reason, CPU_STOP_EXIT);
    ck_assert_int_eq(res.exit_code, 0);
    ck_assert(!m->psci.suspended[0]);
    machine_destroy(m);
}
END_TEST

static uint32_t mode_after(struct machine *m, uint32_t insn)
{
    machine_reset(m);
    load_call(m, insn, PSCI_VERSION, 0);
    struct cpu *cpu = m->cpus[0];
    (void)cpu->ops->run(cpu, 3);
    return (uint32_t)cpu->ops->reg_get(cpu, 16) & 0x1f;
}

START_TEST(wrong_conduit_or_no_psci_is_undefined)
{
    const uint32_t smc0 = 0xe1600070u;
    struct machine *m = make_machine(false, NULL);
    ck_assert_uint_eq(mode_after(m, HVC0), MODE_UND);
    machine_destroy(m);
    m = make_machine(true, NULL);
    ck_assert_uint_eq(mode_after(m, smc0), MODE_UND);   /* method is hvc */
    ck_assert_uint_eq(mode_after(m, HVC0 | 1), MODE_UND);   /* HVC #1 */
    ck_assert_uint_eq(mode_after(m, HVC0), 0x13);       /* answered, still SVC */
    machine_destroy(m);
    m = make_machine(true, "smc");
    ck_assert_uint_eq(mode_after(m, smc0), 0x13);
    ck_assert_uint_eq(mode_after(m, HVC0), MODE_UND);
    machine_destroy(m);

    /* a method that is neither */
    const struct builtin_board *b = builtin_board_find("arm-virt");
    size_t size = b->dtb_size + 256;
    void *fdt = malloc(size);
    ck_assert_int_eq(fdt_open_into(b->dtb, fdt, (int)size), 0);
    int node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-1.0");
    ck_assert_int_eq(fdt_setprop_string(fdt, node, "method", "svc"), 0);
    struct machine_config cfg = { .dtb = fdt, .dtb_size = size, .board_name = "x",
                                  .cpu_model = "cortex-a15" };
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(machine_create(&cfg, &m, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "method"));
    free(fdt);
}
END_TEST

static Suite *psci_suite(void)
{
    Suite *s = suite_create("psci");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, answers_calls);
    tcase_add_test(tc, system_off_reset_and_cpu_off_end_the_run);
    tcase_add_test(tc, cpu_suspend_waits_for_an_interrupt);
    tcase_add_test(tc, wrong_conduit_or_no_psci_is_undefined);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(psci_suite());
}
