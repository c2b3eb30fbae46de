/* The x86 GDB target description: GDB's i386 core feature with all 32
 * register names in GDB's order, and the served registers mapped to the
 * CPU registers of the same name and width. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "cpu/cpu.h"
#include "isa-x86/x86_gdb.h"
#include "machine/bus.h"
#include "tests/unit/unit.h"

static const char *const gdb_core_names[32] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags",
    "cs", "ss", "ds", "es", "fs", "gs",
    "st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7",
    "fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop",
};

START_TEST(description_lists_the_core_registers_in_order)
{
    struct bus bus;
    bus_init(&bus, NULL);
    struct orr_error err = { { 0 } };
    struct cpu_config cc = { .bus = &bus };
    const struct cpu_model *model = cpu_model_find("pentium-pro");
    ck_assert_ptr_nonnull(model);
    struct cpu *cpu = NULL;
    ck_assert_int_eq(model->create(model, &cc, &cpu, &err), 0);
    ck_assert_ptr_nonnull(cpu->ops->gdb_target);
    const struct cpu_gdb_target *t = cpu->ops->gdb_target(cpu);
    ck_assert_str_eq(t->arch, "i386");
    ck_assert_ptr_nonnull(strstr(t->feature_xml, "name=\"org.gnu.gdb.i386.core\""));
    /* Every core name appears, in GDB's order. */
    const char *at = t->feature_xml;
    for (unsigned i = 0; i < 32; i++) {
        char pat[40];
        snprintf(pat, sizeof pat, "<reg name=\"%s\"", gdb_core_names[i]);
        const char *p = strstr(at, pat);
        ck_assert_msg(p != NULL, "%s missing or out of order", gdb_core_names[i]);
        at = p + 1;
    }
    /* Served registers: GDB numbers ascending, each the CPU register of
     * that name, at the width the description gives. */
    ck_assert_uint_eq(t->nregs, 16);
    for (unsigned i = 0; i < t->nregs; i++) {
        ck_assert_uint_eq(t->regnum[i], i);
        const struct cpu_reg_desc *r = &cpu->regs[t->reg_index[i]];
        ck_assert_str_eq(r->name, gdb_core_names[i]);
        char pat[64];
        snprintf(pat, sizeof pat, "<reg name=\"%s\" bitsize=\"%u\"", r->name, r->bits);
        ck_assert_msg(strstr(t->feature_xml, pat) != NULL, "%s width", r->name);
    }
    cpu->ops->destroy(cpu);
    bus_destroy(&bus);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("x86_gdb");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, description_lists_the_core_registers_in_order);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
