/* The builtin board table against the trees it embeds: every board is a
 * valid tree whose `model` is the listed summary, names are found, and
 * arm-virt describes what the rest of the project relies on (RAM at
 * 0x40000000, the PL011 at 0x09000000 as the console, an ARM926EJ-S). */
#include <check.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "machine/boards.h"
#include "machine/device.h"
#include "tests/unit/unit.h"

START_TEST(table_matches_trees)
{
    size_t count = 0;
    const struct builtin_board *list = builtin_board_list(&count);
    ck_assert_uint_ge(count, 1);
    for (size_t i = 0; i < count; i++) {
        const struct builtin_board *b = &list[i];
        ck_assert_int_eq(fdt_check_header(b->dtb), 0);
        ck_assert_uint_eq(fdt_totalsize(b->dtb), b->dtb_size);
        const char *model = fdt_getprop(b->dtb, 0, "model", NULL);
        ck_assert_ptr_nonnull(model);
        ck_assert_str_eq(model, b->summary);
        ck_assert_ptr_eq(builtin_board_find(b->name), b);
    }
    ck_assert_ptr_null(builtin_board_find("no-such-board"));
    ck_assert_ptr_null(builtin_board_find(""));
    ck_assert_ptr_null(builtin_board_find(NULL));
}
END_TEST

static uint64_t read_cells(const fdt32_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 32) | fdt32_to_cpu(p[i]);
    return v;
}

START_TEST(arm_virt_layout)
{
    const struct builtin_board *b = builtin_board_find("arm-virt");
    ck_assert_ptr_nonnull(b);
    const void *fdt = b->dtb;
    ck_assert_int_eq(fdt_address_cells(fdt, 0), 2);
    ck_assert_int_eq(fdt_size_cells(fdt, 0), 2);

    int mem = fdt_path_offset(fdt, "/memory@40000000");
    ck_assert_int_ge(mem, 0);
    int len = 0;
    const fdt32_t *reg = fdt_getprop(fdt, mem, "reg", &len);
    ck_assert_int_eq(len, 16);
    ck_assert_uint_eq(read_cells(reg, 2), 0x40000000);
    ck_assert_uint_eq(read_cells(reg + 2, 2), 256u << 20);

    int cpu = fdt_path_offset(fdt, "/cpus/cpu@0");
    ck_assert_int_ge(cpu, 0);
    ck_assert_int_eq(fdt_node_check_compatible(fdt, cpu, "arm,cortex-a15"), 0);

    /* The console: stdout-path and serial0 name the PL011, which the
     * registry knows, at 0x09000000 with a 24 MHz UARTCLK. */
    const char *stdout_path = fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"),
                                          "stdout-path", NULL);
    ck_assert_ptr_nonnull(stdout_path);
    ck_assert_str_eq(fdt_get_alias(fdt, "serial0"), stdout_path);
    int uart = fdt_path_offset(fdt, stdout_path);
    ck_assert_int_ge(uart, 0);
    ck_assert_int_eq(fdt_node_check_compatible(fdt, uart, "arm,pl011"), 0);
    ck_assert_ptr_nonnull(device_model_find("arm,pl011"));
    reg = fdt_getprop(fdt, uart, "reg", &len);
    ck_assert_int_eq(len, 16);
    ck_assert_uint_eq(read_cells(reg, 2), 0x09000000);
    ck_assert_uint_eq(read_cells(reg + 2, 2), 0x1000);
    const fdt32_t *clocks = fdt_getprop(fdt, uart, "clocks", &len);
    ck_assert_int_ge(len, 4);
    int clk = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(clocks[0]));
    ck_assert_int_ge(clk, 0);
    const fdt32_t *freq = fdt_getprop(fdt, clk, "clock-frequency", &len);
    ck_assert_int_eq(len, 4);
    ck_assert_uint_eq(fdt32_to_cpu(*freq), 24000000);

    /* Its interrupt goes to the GIC as SPI 1, level high. */
    const fdt32_t *irq = fdt_getprop(fdt, uart, "interrupts", &len);
    ck_assert_int_eq(len, 12);
    ck_assert_uint_eq(fdt32_to_cpu(irq[0]), 0);
    ck_assert_uint_eq(fdt32_to_cpu(irq[1]), 1);
    ck_assert_uint_eq(fdt32_to_cpu(irq[2]), 4);
    const fdt32_t *parent = fdt_getprop(fdt, uart, "interrupt-parent", &len);
    ck_assert_ptr_nonnull(parent);
    int gic = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*parent));
    ck_assert_int_eq(fdt_node_check_compatible(fdt, gic, "arm,cortex-a15-gic"), 0);
    ck_assert_ptr_nonnull(fdt_getprop(fdt, gic, "interrupt-controller", NULL));
}
END_TEST

static Suite *boards_suite(void)
{
    Suite *s = suite_create("boards");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, table_matches_trees);
    tcase_add_test(tc, arm_virt_layout);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(boards_suite());
}
