/* The board loader (machine_create from a device tree): RAM from /memory,
 * CPUs from /cpus, devices with `reg` translated through `ranges`,
 * interrupts wired to their parent, serial ports by /aliases or node order;
 * and the errors: no /memory, unknown CPU, bad `ranges`, bad blobs.
 * Fixtures: tests/unit/fixtures/{good,nested}.dts, compiled at build time;
 * error cases are edits of them made here with libfdt. */
#include <check.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa-arm/arm_internal.h"
#include "machine/boards.h"
#include "machine/machine.h"
#include "machine/state.h"
#include "machine/board_fixtures.inc"
#include "tests/unit/unit.h"

/* ---- helpers ---- */

struct log_capture {
    char text[8192];
    size_t len;
};

static void log_sink(void *opaque, enum log_cat cat, const char *msg)
{
    struct log_capture *c = opaque;
    int n = snprintf(c->text + c->len, sizeof c->text - c->len, "[%s] %s\n",
                     log_cat_name(cat), msg);
    if (n > 0 && (size_t)n < sizeof c->text - c->len)
        c->len += (size_t)n;
}

struct out_capture {
    char buf[256];
    size_t len;
};

static void out_write(void *opaque, const uint8_t *data, size_t len)
{
    struct out_capture *c = opaque;
    for (size_t i = 0; i < len && c->len + 1 < sizeof c->buf; i++)
        c->buf[c->len++] = (char)data[i];
    c->buf[c->len] = '\0';
}

static struct machine_config config(const void *dtb, size_t size, struct log_capture *lc)
{
    struct machine_config cfg = {
        .dtb = dtb,
        .dtb_size = size,
        .board_name = "fixture",
        .clock_mode = CLOCK_MODE_VIRTUAL,
    };
    if (lc) {
        cfg.log.sink = log_sink;
        cfg.log.opaque = lc;
        cfg.log.mask = 1u << LOG_BOARD;
    }
    return cfg;
}

/* A writable copy of a fixture with room to grow. */
static void *editable(const void *dtb)
{
    size_t size = fdt_totalsize(dtb) + 4096;
    void *copy = malloc(size);
    ck_assert_int_eq(fdt_open_into(dtb, copy, (int)size), 0);
    return copy;
}

static int create_from(const void *dtb, struct machine **m, struct orr_error *err)
{
    struct machine_config cfg = config(dtb, fdt_totalsize(dtb), NULL);
    return machine_create(&cfg, m, err);
}

static const struct machine_device *device_at(const struct machine *m, const char *path)
{
    for (unsigned i = 0; i < m->ndevices; i++)
        if (strcmp(m->devices[i].path, path) == 0)
            return &m->devices[i];
    return NULL;
}

/* ---- tests ---- */

START_TEST(good_board_memory_cpus_devices)
{
    struct log_capture lc = { { 0 }, 0 };
    struct machine_config cfg = config(fixture_good_dtb, fixture_good_dtb_size, &lc);
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "%s", err.msg);

    /* Both /memory banks; the first is "the" RAM. */
    ck_assert_uint_eq(m->ram_base, 0x80000000u);
    ck_assert_uint_eq(m->ram_size, 0x100000u);
    const struct bus_region *r = bus_find(&m->bus, 0x90000010u);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->kind, REGION_RAM);
    ck_assert_uint_eq(r->size, 0x10000u);

    /* The CPU: the second compatible string names a model. */
    ck_assert_uint_eq(m->ncpus, 1);
    ck_assert_str_eq(m->cpus[0]->model->name, "arm926ej-s");

    /* Two PL011s (the disabled one skipped), at their translated bases. */
    ck_assert_uint_eq(m->ndevices, 2);
    const struct machine_device *a = device_at(m, "/soc/uart@1000");
    const struct machine_device *b = device_at(m, "/soc/uart@2000");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_null(device_at(m, "/soc/uart@3000"));
    ck_assert_uint_eq(a->base, 0x10001000u);
    ck_assert_uint_eq(b->base, 0x10002000u);
    r = bus_find(&m->bus, 0x10002ff8u);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->kind, REGION_MMIO);
    ck_assert_ptr_eq(r->opaque, b->dev);
    ck_assert_uint_eq(r->window, 0);
    ck_assert_ptr_null(bus_find(&m->bus, 0x10003000u));
    ck_assert_ptr_eq(machine_find_device(m, "arm,primecell"), a);
    ck_assert_ptr_null(machine_find_device(m, "acme,mystery"));

    /* The unclaimed node is reported once, and not created. */
    ck_assert_ptr_nonnull(strstr(lc.text, "/mystery@5000: no model for compatible \"acme,mystery\""));
    const char *first = strstr(lc.text, "/mystery@5000");
    ck_assert_ptr_null(strstr(first + 1, "/mystery@5000"));

    /* /aliases: uart@2000 is serial0, uart_a serial1. */
    ck_assert_uint_eq(m->nserial, 2);
    struct out_capture out0 = { { 0 }, 0 }, out1 = { { 0 }, 0 };
    m->serial[0].host_write = out_write;
    m->serial[0].host_opaque = &out0;
    m->serial[1].host_write = out_write;
    m->serial[1].host_opaque = &out1;
    ck_assert_int_eq(bus_write(&m->bus, 0x10002000u, 4, 'B'), BUS_OK);
    ck_assert_int_eq(bus_write(&m->bus, 0x10001000u, 4, 'A'), BUS_OK);
    ck_assert_str_eq(out0.buf, "B");
    ck_assert_str_eq(out1.buf, "A");

    /* uart_a's interrupt goes to the CPU node's input 0; uart@2000 has none. */
    ck_assert_uint_eq(a->nirqs, 1);
    ck_assert_ptr_nonnull(a->irqs[0].set);
    ck_assert_ptr_eq(a->irqs[0].opaque, m->cpus[0]);
    ck_assert_uint_eq(a->irqs[0].input, 0);
    ck_assert_uint_eq(b->nirqs, 0);
    /* The UART drives it: receive interrupt unmasked, one byte arrives. */
    ck_assert_int_eq(bus_write(&m->bus, 0x10001038u, 4, 0x10), BUS_OK);   /* UARTIMSC.RXIM */
    ck_assert_uint_eq(chardev_push(&m->serial[1], (const uint8_t *)"x", 1), 1);
    ck_assert(a->irqs[0].level);

    machine_destroy(m);
}
END_TEST

START_TEST(overrides_ram_size_and_cpu_model)
{
    struct machine_config cfg = config(fixture_good_dtb, fixture_good_dtb_size, NULL);
    cfg.ram_size = 0x200000;
    cfg.cpu_model = "arm7tdmi";
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(m->ram_size, 0x200000u);
    ck_assert_ptr_nonnull(bus_host_ptr(&m->bus, 0x801ffff0u, 16, NULL));
    ck_assert_str_eq(m->cpus[0]->model->name, "arm7tdmi");
    machine_destroy(m);

    /* A size that runs the first bank into the second is refused. */
    cfg.cpu_model = NULL;
    cfg.ram_size = 0x20000000;
    ck_assert_int_eq(machine_create(&cfg, &m, &err), -1);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(err.msg, "overlaps"));

    cfg.ram_size = 0;
    cfg.cpu_model = "z80";
    ck_assert_int_eq(machine_create(&cfg, &m, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "unknown CPU model 'z80'"));
    ck_assert_ptr_nonnull(strstr(err.msg, "arm7tdmi"));
    ck_assert_ptr_nonnull(strstr(err.msg, "arm926ej-s"));
}
END_TEST

START_TEST(nested_ranges_and_node_order_serials)
{
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(create_from(fixture_nested_dtb, &m, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(m->ram_base, 0x100000000ull);
    ck_assert_uint_eq(m->ram_size, 0x100000u);
    const struct machine_device *inner = device_at(m, "/bus@f0000000/sub@100000/serial@100800");
    const struct machine_device *outer = device_at(m, "/bus@f0000000/serial@4000");
    ck_assert_ptr_nonnull(inner);
    ck_assert_ptr_nonnull(outer);
    ck_assert_uint_eq(inner->base, 0xe0000800u);
    ck_assert_uint_eq(outer->base, 0xf0004000u);
    /* No aliases: node order (depth first) gives the inner one port 0. */
    ck_assert_uint_eq(m->nserial, 2);
    struct out_capture out0 = { { 0 }, 0 };
    m->serial[0].host_write = out_write;
    m->serial[0].host_opaque = &out0;
    ck_assert_int_eq(bus_write(&m->bus, 0xe0000800u, 4, 'i'), BUS_OK);
    ck_assert_int_eq(bus_write(&m->bus, 0xf0004000u, 4, 'o'), BUS_OK);
    ck_assert_str_eq(out0.buf, "i");
    machine_destroy(m);
}
END_TEST

START_TEST(bad_reg_and_ranges_are_errors)
{
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };

    /* A bus without `ranges`: its children are not memory-mapped. */
    void *t = editable(fixture_nested_dtb);
    int sub = fdt_path_offset(t, "/bus@f0000000/sub@100000");
    ck_assert_int_ge(sub, 0);
    ck_assert_int_eq(fdt_delprop(t, sub, "ranges"), 0);
    ck_assert_int_eq(create_from(t, &m, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "has no `ranges`"));
    ck_assert_ptr_nonnull(strstr(err.msg, "serial@100800"));
    free(t);

    /* A window running past the end of its `ranges` entry. */
    t = editable(fixture_nested_dtb);
    int ser = fdt_path_offset(t, "/bus@f0000000/serial@4000");
    fdt32_t reg[2] = { cpu_to_fdt32(0xf000), cpu_to_fdt32(0x2000) };
    ck_assert_int_eq(fdt_setprop(t, ser, "reg", reg, sizeof reg), 0);
    ck_assert_int_eq(create_from(t, &m, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "crosses the end"));
    free(t);

    /* An address no `ranges` entry covers. */
    t = editable(fixture_nested_dtb);
    ser = fdt_path_offset(t, "/bus@f0000000/serial@4000");
    reg[0] = cpu_to_fdt32(0x80000);
    reg[1] = cpu_to_fdt32(0x1000);
    ck_assert_int_eq(fdt_setprop(t, ser, "reg", reg, sizeof reg), 0);
    ck_assert_int_eq(create_from(t, &m, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "outside every `ranges` entry"));
    free(t);

    /* `reg` that is not whole (address, size) pairs. */
    t = editable(fixture_nested_dtb);
    ser = fdt_path_offset(t, "/bus@f0000000/serial@4000");
    ck_assert_int_eq(fdt_setprop(t, ser, "reg", reg, 4 * 1 + 0), 0);
    ck_assert_int_eq(create_from(t, &m, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a multiple"));
    free(t);

    /* Two devices at one address. */
    t = editable(fixture_nested_dtb);
    ser = fdt_path_offset(t, "/bus@f0000000/serial@4000");
    reg[0] = cpu_to_fdt32(0x100800);   /* the inner UART's window, via the second range */
    reg[1] = cpu_to_fdt32(0x1000);
    ck_assert_int_eq(fdt_setprop(t, ser, "reg", reg, sizeof reg), 0);
    ck_assert_int_eq(create_from(t, &m, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "overlaps"));
    ck_assert_ptr_null(m);
    free(t);
}
END_TEST

START_TEST(no_memory_no_cpu_unknown_cpu)
{
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };

    void *t = editable(fixture_good_dtb);
    int node;
    while ((node = fdt_node_offset_by_prop_value(t, -1, "device_type", "memory",
                                                 sizeof "memory")) >= 0)
        ck_assert_int_eq(fdt_del_node(t, node), 0);
    ck_assert_int_eq(create_from(t, &m, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "board has no /memory node"));
    free(t);

    t = editable(fixture_good_dtb);
    node = fdt_path_offset(t, "/cpus/cpu@0");
    ck_assert_int_eq(fdt_setprop_string(t, node, "compatible", "acme,cpu9000"), 0);
    ck_assert_int_eq(create_from(t, &m, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "/cpus/cpu@0: no CPU model for compatible \"acme,cpu9000\""));
    ck_assert_ptr_nonnull(strstr(err.msg, "arm926ej-s"));
    free(t);

    t = editable(fixture_good_dtb);
    ck_assert_int_eq(fdt_del_node(t, fdt_path_offset(t, "/cpus/cpu@0")), 0);
    ck_assert_int_eq(create_from(t, &m, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "no CPU"));
    free(t);

    t = editable(fixture_good_dtb);
    ck_assert_int_eq(fdt_del_node(t, fdt_path_offset(t, "/cpus")), 0);
    ck_assert_int_eq(create_from(t, &m, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "no /cpus"));
    free(t);
    ck_assert_ptr_null(m);
}
END_TEST

START_TEST(bad_blobs_are_rejected)
{
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    struct machine_config cfg = config(NULL, 0, NULL);
    ck_assert_int_eq(machine_create(&cfg, &m, &err), -1);
    ck_assert_ptr_null(m);

    static const uint8_t junk[64] = "this is not a flattened device tree at all";
    cfg = config(junk, sizeof junk, NULL);
    ck_assert_int_eq(machine_create(&cfg, &m, &err), -1);
    ck_assert(err.msg[0] != '\0');

    /* Cut short at many lengths: the header's totalsize no longer fits. */
    for (size_t cut = 0; cut < fixture_good_dtb_size; cut += 7) {
        uint8_t *part = malloc(cut ? cut : 1);
        memcpy(part, fixture_good_dtb, cut);
        cfg = config(part, cut, NULL);
        ck_assert_msg(machine_create(&cfg, &m, &err) == -1, "cut %zu accepted", cut);
        ck_assert_ptr_null(m);
        free(part);
    }

    /* A damaged structure block (the header itself is fine). */
    uint8_t *bad = malloc(fixture_good_dtb_size);
    memcpy(bad, fixture_good_dtb, fixture_good_dtb_size);
    uint32_t off = fdt_off_dt_struct(bad);
    memset(bad + off + 8, 0xff, 16);
    cfg = config(bad, fixture_good_dtb_size, NULL);
    ck_assert_int_eq(machine_create(&cfg, &m, &err), -1);
    ck_assert_ptr_null(m);
    free(bad);
}
END_TEST

/* arm-virt with its GIC renamed to a controller no model claims. */
static void *virt_with_unknown_gic(void)
{
    const struct builtin_board *bb = builtin_board_find("arm-virt");
    ck_assert_ptr_nonnull(bb);
    void *dtb = editable(bb->dtb);
    int gic = fdt_path_offset(dtb, "/intc@8000000");
    ck_assert_int_ge(gic, 0);
    ck_assert_int_eq(fdt_setprop_string(dtb, gic, "compatible", "vendor,unknown-intc"), 0);
    return dtb;
}

START_TEST(builtin_board_leaves_unmodelled_lines_unconnected)
{
    void *dtb = virt_with_unknown_gic();
    struct log_capture lc = { { 0 }, 0 };
    struct machine_config cfg = config(dtb, fdt_totalsize(dtb), &lc);
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "%s", err.msg);
    const struct machine_device *uart = machine_find_device(m, "arm,pl011");
    ck_assert_ptr_nonnull(uart);
    ck_assert_uint_eq(uart->nirqs, 1);
    ck_assert_ptr_null(uart->irqs[0].set);
    ck_assert_ptr_nonnull(strstr(lc.text, "which is not modelled"));
    /* Driving an unconnected line is silent. */
    irq_set((struct irq_line *)&uart->irqs[0], true);
    machine_destroy(m);
    free(dtb);
}
END_TEST

/* The real arm-virt: the UART's SPI reaches the GIC, and through it the
 * CPU's IRQ input once the guest enables and unmasks it. */
START_TEST(builtin_board_wires_devices_to_the_gic)
{
    const struct builtin_board *bb = builtin_board_find("arm-virt");
    struct log_capture lc = { { 0 }, 0 };
    struct machine_config cfg = config(bb->dtb, bb->dtb_size, &lc);
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "%s", err.msg);
    ck_assert_ptr_null(strstr(lc.text, "which is not modelled"));
    const struct machine_device *uart = machine_find_device(m, "arm,pl011");
    const struct machine_device *gic = machine_find_device(m, "arm,cortex-a15-gic");
    ck_assert_ptr_nonnull(gic);
    ck_assert_ptr_eq(uart->irqs[0].opaque, gic->dev);
    ck_assert_uint_eq(uart->irqs[0].input, 32 + 1);       /* SPI 1 */
    struct arm_cpu *c = (struct arm_cpu *)m->cpus[0];
    /* Distributor and CPU interface on, ID 33 enabled, mask open. */
    ck_assert_int_eq(bus_write(&m->bus, 0x08000000, 4, 1), BUS_OK);
    ck_assert_int_eq(bus_write(&m->bus, 0x08000104, 4, 1u << 1), BUS_OK);
    ck_assert_int_eq(bus_write(&m->bus, 0x08010000, 4, 1), BUS_OK);
    ck_assert_int_eq(bus_write(&m->bus, 0x08010004, 4, 0xF0), BUS_OK);
    ck_assert(!c->irq_line);
    irq_set((struct irq_line *)&uart->irqs[0], true);
    ck_assert(c->irq_line);
    irq_set((struct irq_line *)&uart->irqs[0], false);
    ck_assert(!c->irq_line);
    machine_destroy(m);
}
END_TEST

/* The good fixture plus an arm,armv7-timer node whose interrupts go to the
 * CPU node (cell 0 = CPU input: 0 IRQ, 1 FIQ), in binding order secure
 * physical, non-secure physical, virtual, hypervisor. */
static void *with_timer(const uint32_t *inputs, unsigned n)
{
    void *dtb = editable(fixture_good_dtb);
    uint32_t cpu0 = fdt_get_phandle(dtb, fdt_path_offset(dtb, "/cpus/cpu@0"));
    ck_assert_uint_ne(cpu0, 0);
    int t = fdt_add_subnode(dtb, 0, "timer");
    ck_assert_int_ge(t, 0);
    ck_assert_int_eq(fdt_setprop_string(dtb, t, "compatible", "arm,armv7-timer"), 0);
    ck_assert_int_eq(fdt_setprop_u32(dtb, t, "interrupt-parent", cpu0), 0);
    fdt32_t cells[8];
    for (unsigned i = 0; i < n; i++)
        cells[i] = cpu_to_fdt32(inputs[i]);
    ck_assert_int_eq(fdt_setprop(dtb, t, "interrupts", cells, (int)(n * 4)), 0);
    ck_assert_int_eq(fdt_setprop_u32(dtb, t, "clock-frequency", 24000000u), 0);
    return dtb;
}

START_TEST(cpu_timer_outputs_follow_the_timer_node)
{
    static const uint32_t inputs[4] = { 1, 1, 0, 1 };
    void *dtb = with_timer(inputs, 4);
    struct log_capture lc = { { 0 }, 0 };
    struct machine_config cfg = config(dtb, fdt_totalsize(dtb), &lc);
    cfg.cpu_model = "cortex-a15";
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "%s", err.msg);
    struct cpu *cpu = m->cpus[0];
    for (unsigned k = 0; k < 4; k++) {
        struct irq_line *l = cpu->ops->irq_output(cpu, k);
        ck_assert_ptr_nonnull(l);
        ck_assert_ptr_nonnull(l->set);
        ck_assert_ptr_eq(l->opaque, cpu);
        ck_assert_uint_eq(l->input, inputs[k]);
    }
    /* Not a device, and not reported as an unclaimed node. */
    ck_assert_ptr_null(device_at(m, "/timer"));
    ck_assert_ptr_null(strstr(lc.text, "armv7-timer"));

    /* The node's clock-frequency is the counter's rate and CNTFRQ's reset
     * value: 24 ticks per microsecond. */
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    uint32_t frq = 0;
    uint64_t count = 1;
    ck_assert_int_eq(arm_gtimer_mrc(c, 0, 0, 0, &frq), 0);
    ck_assert_uint_eq(frq, 24000000u);
    m->clock.now_ns = 1000;
    ck_assert_int_eq(arm_gtimer_mrrc(c, 0, &count), 0);
    ck_assert_uint_eq(count, 24);

    /* The virtual timer, enabled with CVAL 0, fires at once into the IRQ
     * input; masking it lowers the line; the physical one reaches FIQ. */
    ck_assert(!c->irq_line && !c->fiq_line);
    ck_assert_int_eq(arm_gtimer_mcr(c, 0, 3, 1, 1u), 0);        /* CNTV_CTL = ENABLE */
    ck_assert(c->irq_line);
    ck_assert(!c->fiq_line);
    ck_assert_int_eq(arm_gtimer_mcr(c, 0, 3, 1, 3u), 0);        /* + IMASK */
    ck_assert(!c->irq_line);
    ck_assert_int_eq(arm_gtimer_mcr(c, 0, 2, 1, 1u), 0);        /* CNTP_CTL = ENABLE */
    ck_assert(c->fiq_line);
    machine_destroy(m);

    /* A CPU without the timer has no outputs: nothing to wire, no error. */
    cfg.cpu_model = "arm926ej-s";
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "%s", err.msg);
    ck_assert_ptr_null(m->cpus[0]->ops->irq_output(m->cpus[0], 2));
    machine_destroy(m);
    free(dtb);

    /* A specifier naming no input of the CPU node is a board error. */
    static const uint32_t bad[4] = { 1, 1, 7, 1 };
    dtb = with_timer(bad, 4);
    cfg = config(dtb, fdt_totalsize(dtb), NULL);
    cfg.cpu_model = "cortex-a7";
    ck_assert_int_eq(machine_create(&cfg, &m, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "/timer: interrupt 2 names no input"));
    free(dtb);
}
END_TEST

/* arm-virt: each timer output is a PPI of the CPU's own interface; the
 * virtual timer (PPI 11, ID 27) reaches the CPU's IRQ through the GIC. */
START_TEST(builtin_board_timer_reaches_gic_ppis)
{
    const struct builtin_board *bb = builtin_board_find("arm-virt");
    ck_assert_ptr_nonnull(bb);
    struct machine_config cfg = config(bb->dtb, bb->dtb_size, NULL);
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "%s", err.msg);
    const struct machine_device *gic = machine_find_device(m, "arm,cortex-a15-gic");
    static const unsigned ids[4] = { 29, 30, 27, 26 };
    for (unsigned k = 0; k < 4; k++) {
        struct irq_line *l = m->cpus[0]->ops->irq_output(m->cpus[0], k);
        ck_assert_ptr_nonnull(l);
        ck_assert_ptr_eq(l->opaque, gic->dev);
        ck_assert_uint_eq(l->input, ids[k]);           /* CPU 0: input = ID */
    }
    struct arm_cpu *c = (struct arm_cpu *)m->cpus[0];
    ck_assert_int_eq(bus_write(&m->bus, 0x08000000, 4, 1), BUS_OK);
    ck_assert_int_eq(bus_write(&m->bus, 0x08000100, 4, 1u << 27), BUS_OK);
    ck_assert_int_eq(bus_write(&m->bus, 0x08010000, 4, 1), BUS_OK);
    ck_assert_int_eq(bus_write(&m->bus, 0x08010004, 4, 0xF0), BUS_OK);
    ck_assert_int_eq(arm_gtimer_mcr(c, 0, 3, 1, 1u), 0);        /* CNTV_CTL = ENABLE */
    ck_assert(c->irq_line);
    uint64_t iar = 0;
    ck_assert_int_eq(bus_read(&m->bus, 0x0801000C, 4, &iar), BUS_OK);
    ck_assert_uint_eq(iar, 27);
    ck_assert(!c->irq_line);                                    /* now active */
    machine_destroy(m);
}
END_TEST

/* Save states are checked against the machine before anything changes. */
START_TEST(save_state_must_fit_the_machine)
{
    struct machine_config cfg = config(fixture_good_dtb, fixture_good_dtb_size, NULL);
    struct machine *a = NULL, *b = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(machine_create(&cfg, &a, &err), 0);
    ck_assert_int_eq(bus_write(&a->bus, 0x80000100u, 4, 0xfeedface), BUS_OK);
    a->clock.now_ns = 12345;
    a->executed = 77;
    struct state_writer w;
    state_writer_init(&w);
    ck_assert_int_eq(machine_save(a, &w), 0);
    ck_assert_int_eq(state_writer_finish(&w, &err), 0);

    /* Same board: restored. */
    ck_assert_int_eq(machine_create(&cfg, &b, &err), 0);
    struct state_reader r;
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_msg(machine_load(b, &r, &err) == 0, "%s", err.msg);
    uint64_t v = 0;
    ck_assert_int_eq(bus_read(&b->bus, 0x80000100u, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0xfeedface);
    ck_assert_uint_eq(b->clock.now_ns, 12345);
    ck_assert_uint_eq(b->executed, 77);
    machine_destroy(b);

    /* Another memory size: refused, and RAM untouched. */
    cfg.ram_size = 0x80000;
    ck_assert_int_eq(machine_create(&cfg, &b, &err), 0);
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_int_eq(machine_load(b, &r, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "does not match"));
    ck_assert_int_eq(bus_read(&b->bus, 0x80000100u, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0);
    machine_destroy(b);

    /* Another board name. */
    cfg.ram_size = 0;
    cfg.board_name = "other";
    ck_assert_int_eq(machine_create(&cfg, &b, &err), 0);
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_int_eq(machine_load(b, &r, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "is for board fixture"));
    machine_destroy(b);

    /* Truncated images fail cleanly at every length, before touching RAM. */
    cfg.board_name = "fixture";
    ck_assert_int_eq(machine_create(&cfg, &b, &err), 0);
    for (size_t cut = 0; cut < w.len; cut += (cut < 256 ? 1 : 97)) {
        uint8_t *part = malloc(cut ? cut : 1);
        memcpy(part, w.buf, cut);
        if (state_reader_init(&r, part, cut, &err) == 0)
            ck_assert_msg(machine_load(b, &r, &err) == -1, "cut %zu loaded", cut);
        ck_assert(err.msg[0] != '\0');
        free(part);
    }
    ck_assert_int_eq(bus_read(&b->bus, 0x80000100u, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0);
    machine_destroy(b);
    state_writer_free(&w);
    machine_destroy(a);
}
END_TEST

static Suite *board_suite(void)
{
    Suite *s = suite_create("board");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, good_board_memory_cpus_devices);
    tcase_add_test(tc, overrides_ram_size_and_cpu_model);
    tcase_add_test(tc, nested_ranges_and_node_order_serials);
    tcase_add_test(tc, bad_reg_and_ranges_are_errors);
    tcase_add_test(tc, no_memory_no_cpu_unknown_cpu);
    tcase_add_test(tc, bad_blobs_are_rejected);
    tcase_add_test(tc, builtin_board_leaves_unmodelled_lines_unconnected);
    tcase_add_test(tc, cpu_timer_outputs_follow_the_timer_node);
    tcase_add_test(tc, builtin_board_timer_reaches_gic_ppis);
    tcase_add_test(tc, builtin_board_wires_devices_to_the_gic);
    tcase_add_test(tc, save_state_must_fit_the_machine);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(board_suite());
}
