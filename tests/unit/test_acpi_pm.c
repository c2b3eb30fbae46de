#define _GNU_SOURCE   /* memmem */
/* The ACPI PM device (machine/devices/acpi_pm.c) driven through its
 * descriptor with a hand-advanced virtual clock, and the ACPI tables
 * (machine/acpi.c) checked field by field. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/clock.h"
#include "cpu/le.h"
#include "machine/acpi.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

enum { STS = 0, EN = 2, CNT = 4, TMR = 8 };
#define TMR_STS (1u << 0)
#define GBL_EN (1u << 5)
#define PWRBTN (1u << 8)
#define RTC_EN (1u << 10)
#define SLP_EN (1u << 13)

struct rig {
    struct vclock clock;
    struct irq_line sci;
    bool level;
    int exits, status;
    uint64_t done;           /* instructions of a simulated run */
    void *dev;
};

static void sci_set(void *opaque, unsigned input, bool level)
{
    (void)input;
    ((struct rig *)opaque)->level = level;
}

static void on_exit_request(void *opaque, int status)
{
    struct rig *r = opaque;
    r->exits++;
    r->status = status;
}

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    clock_init(&r->clock, CLOCK_MODE_VIRTUAL, 10);
    irq_connect(&r->sci, sci_set, r, 9);
    struct device_ctx ctx = {
        .node = -1, .path = "/isa/acpi-pm@1,600", .nwindows = 1,
        .window_base = { 0x600 }, .window_size = { ACPI_PM_BLOCK_SIZE },
        .irqs = { &r->sci }, .nirqs = 1, .clock = &r->clock,
        .request_exit = on_exit_request, .exit_opaque = r,
    };
    struct orr_error err = { { 0 } };
    ck_assert_msg(acpi_pm_model.create(&ctx, &r->dev, &err) == 0, "%s", err.msg);
    return r;
}

static void rig_free(struct rig *r)
{
    acpi_pm_model.destroy(r->dev);
    free(r);
}

static uint64_t rd(struct rig *r, unsigned off, unsigned size)
{
    uint64_t v = 0;
    ck_assert_int_eq(acpi_pm_model.read(r->dev, 0, off, size, &v), BUS_OK);
    return v;
}

static void wr(struct rig *r, unsigned off, unsigned size, uint64_t v)
{
    ck_assert_int_eq(acpi_pm_model.write(r->dev, 0, off, size, v), BUS_OK);
}

static void at(struct rig *r, uint64_t ns)
{
    clock_advance_to(&r->clock, ns);
}

START_TEST(timer_counts_at_3579545_hz)
{
    struct rig *r = rig_new();
    ck_assert_uint_eq(rd(r, TMR, 4), 0);
    at(r, 1000000000ull);
    ck_assert_uint_eq(rd(r, TMR, 4), 3579545u);
    /* Mid-run: the time of the access is the run's start plus its
     * instructions (10 ns each here). 2794 ns is the 10th tick's start. */
    r->clock.run_done = &r->done;
    r->done = 280;
    ck_assert_uint_eq(rd(r, TMR, 4), 3579545u + 10);
    r->done = 279;
    ck_assert_uint_eq(rd(r, TMR, 4), 3579545u + 9);
    r->clock.run_done = NULL;
    /* 24 bits: it wraps. */
    at(r, 5000000000ull);
    ck_assert_uint_eq(rd(r, TMR, 4), (5ull * 3579545u) & 0xffffffu);
    ck_assert_uint_eq(rd(r, TMR + 1, 1), ((5ull * 3579545u) >> 8) & 0xffu);
    rig_free(r);
}
END_TEST

START_TEST(timer_status_and_interrupt_at_bit_23)
{
    struct rig *r = rig_new();
    wr(r, EN, 2, TMR_STS);
    ck_assert(!r->level);
    /* Bit 23 first changes at tick 2^23: ceil(2^23 * 1e9 / 3579545) ns. */
    uint64_t edge = (8388608ull * 1000000000ull + 3579544) / 3579545;
    ck_assert_uint_eq(clock_next_deadline(&r->clock), edge);
    at(r, edge - 1);
    ck_assert(!(rd(r, STS, 2) & TMR_STS));
    ck_assert(!r->level);
    at(r, edge);
    ck_assert(rd(r, STS, 2) & TMR_STS);
    ck_assert(r->level);
    wr(r, STS, 2, TMR_STS);                  /* write 1 to clear */
    ck_assert(!(rd(r, STS, 2) & TMR_STS));
    ck_assert(!r->level);
    ck_assert_uint_eq(clock_next_deadline(&r->clock),
                      (2 * 8388608ull * 1000000000ull + 3579544) / 3579545);
    rig_free(r);
}
END_TEST

START_TEST(enables_stick_and_control_reads_sci_en)
{
    struct rig *r = rig_new();
    ck_assert_uint_eq(rd(r, CNT, 2), 1);     /* SCI_EN: always in ACPI mode */
    wr(r, EN, 2, GBL_EN | RTC_EN | PWRBTN | 0x4000);
    ck_assert_uint_eq(rd(r, EN, 2), GBL_EN | RTC_EN | PWRBTN);
    wr(r, CNT, 2, 3u << 10);                 /* SLP_TYP 3 without SLP_EN */
    ck_assert_uint_eq(rd(r, CNT, 2), (3u << 10) | 1u);
    ck_assert_int_eq(r->exits, 0);
    /* A dword write at 0 reaches PM1_STS and PM1_EN at once. */
    wr(r, STS, 4, 0x00000000u);
    ck_assert_uint_eq(rd(r, EN, 2), 0);
    rig_free(r);
}
END_TEST

START_TEST(s5_powers_off_other_sleep_types_do_not)
{
    struct rig *r = rig_new();
    wr(r, CNT, 2, SLP_EN | (1u << 10));      /* S1: not modelled */
    ck_assert_int_eq(r->exits, 0);
    wr(r, CNT + 1, 1, (SLP_EN | (5u << 10)) >> 8);   /* byte write of the high half */
    ck_assert_int_eq(r->exits, 1);
    ck_assert_int_eq(r->status, 0);
    ck_assert(!(rd(r, CNT, 2) & SLP_EN));    /* write-only */
    rig_free(r);
}
END_TEST

START_TEST(power_button_raises_sci)
{
    struct rig *r = rig_new();
    acpi_pm_model.set_input(r->dev, 0, true);
    ck_assert(rd(r, STS, 2) & PWRBTN);
    ck_assert(!r->level);                    /* not enabled */
    wr(r, EN, 2, PWRBTN);
    ck_assert(r->level);
    acpi_pm_model.set_input(r->dev, 0, false);
    ck_assert(r->level);                     /* latched until cleared */
    wr(r, STS, 2, PWRBTN);
    ck_assert(!r->level);
    rig_free(r);
}
END_TEST

START_TEST(save_load_round_trip)
{
    struct rig *a = rig_new();
    at(a, 123456789);
    wr(a, EN, 2, TMR_STS | PWRBTN);
    acpi_pm_model.set_input(a->dev, 0, true);
    wr(a, CNT, 2, 5u << 10);
    struct state_writer w;
    struct orr_error err = { { 0 } };
    state_writer_init(&w);
    state_begin(&w, "pm", 1);
    ck_assert_int_eq(acpi_pm_model.save(a->dev, &w), 0);
    state_end(&w);
    ck_assert_int_eq(state_writer_finish(&w, &err), 0);

    struct rig *b = rig_new();
    at(b, 123456789);
    struct state_reader sr;
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "pm"), 0);
    ck_assert_msg(acpi_pm_model.load(b->dev, &sr, &err) == 0, "%s", err.msg);
    for (unsigned off = 0; off < ACPI_PM_BLOCK_SIZE; off += 2)
        ck_assert_uint_eq(rd(a, off, 2), rd(b, off, 2));
    ck_assert(b->level);
    ck_assert_uint_eq(clock_next_deadline(&b->clock), clock_next_deadline(&a->clock));

    /* A truncated section is refused. */
    struct rig *c = rig_new();
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "pm"), 0);
    sr.section_end -= 2;
    ck_assert_int_ne(acpi_pm_model.load(c->dev, &sr, &err), 0);
    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
    rig_free(c);
}
END_TEST

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}

START_TEST(tables_are_consistent)
{
    const struct acpi_board b = { .pm_base = 0x600, .sci_irq = 9, .century = 0x32,
                                  .has_i8042 = true };
    uint8_t buf[1024];
    size_t len = 0;
    struct orr_error err = { { 0 } };
    const uint32_t base = 0xe0000;
    ck_assert_int_eq(acpi_build_tables(&b, base, buf, sizeof buf, &len, &err), 0);
    ck_assert_mem_eq(buf, "RSD PTR ", 8);
    ck_assert_uint_eq(sum(buf, 20), 0);
    uint32_t rsdt = (uint32_t)le_load(buf + 16, 4) - base;
    ck_assert_mem_eq(buf + rsdt, "RSDT", 4);
    ck_assert_uint_eq(sum(buf + rsdt, le_load(buf + rsdt + 4, 4)), 0);
    uint32_t fadt = (uint32_t)le_load(buf + rsdt + 36, 4) - base;
    ck_assert_mem_eq(buf + fadt, "FACP", 4);
    ck_assert_uint_eq(le_load(buf + fadt + 4, 4), 116);
    ck_assert_uint_eq(sum(buf + fadt, 116), 0);
    ck_assert_uint_eq(le_load(buf + fadt + 46, 2), 9);          /* SCI_INT */
    ck_assert_uint_eq(le_load(buf + fadt + 48, 4), 0);          /* no SMI_CMD */
    ck_assert_uint_eq(le_load(buf + fadt + 56, 4), 0x600);      /* PM1a_EVT_BLK */
    ck_assert_uint_eq(le_load(buf + fadt + 64, 4), 0x604);      /* PM1a_CNT_BLK */
    ck_assert_uint_eq(le_load(buf + fadt + 76, 4), 0x608);      /* PM_TMR_BLK */
    ck_assert_uint_eq(buf[fadt + 108], 0x32);
    ck_assert_uint_eq(le_load(buf + fadt + 109, 2), 3);         /* legacy, 8042 */
    uint32_t facs = (uint32_t)le_load(buf + fadt + 36, 4) - base;
    ck_assert_uint_eq((facs + base) % 64, 0);
    ck_assert_mem_eq(buf + facs, "FACS", 4);
    uint32_t dsdt = (uint32_t)le_load(buf + fadt + 40, 4) - base;
    ck_assert_mem_eq(buf + dsdt, "DSDT", 4);
    uint32_t dlen = (uint32_t)le_load(buf + dsdt + 4, 4);
    ck_assert_uint_eq(dsdt + dlen, len);
    ck_assert_uint_eq(sum(buf + dsdt, dlen), 0);
    /* \_S5 is in the AML, with SLP_TYP 5 (a ByteConst 0A 05). */
    const uint8_t s5[] = { '_', 'S', '5', '_', 0x12 };
    ck_assert_ptr_nonnull(memmem(buf + dsdt, dlen, s5, sizeof s5));
    const uint8_t *pkg = memmem(buf + dsdt, dlen, s5, sizeof s5);
    ck_assert_ptr_nonnull(memmem(pkg, (size_t)(buf + dsdt + dlen - pkg), "\x0a\x05", 2));

    /* Too little room, or a misaligned base, fails. */
    ck_assert_int_ne(acpi_build_tables(&b, base, buf, 100, &len, &err), 0);
    ck_assert_int_ne(acpi_build_tables(&b, base + 4, buf, sizeof buf, &len, &err), 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("acpi_pm");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, timer_counts_at_3579545_hz);
    tcase_add_test(tc, timer_status_and_interrupt_at_bit_23);
    tcase_add_test(tc, enables_stick_and_control_reads_sci_en);
    tcase_add_test(tc, s5_powers_off_other_sleep_types_do_not);
    tcase_add_test(tc, power_button_raises_sci);
    tcase_add_test(tc, save_load_round_trip);
    tcase_add_test(tc, tables_are_consistent);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(suite());
}
