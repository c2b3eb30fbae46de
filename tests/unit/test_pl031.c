/* The PL031 model driven directly through its device descriptor: a fake
 * interrupt sink and a virtual clock whose wall-clock base the tests set. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/clock.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

enum { DR = 0x00, MR = 0x04, LR = 0x08, CR = 0x0C, IMSC = 0x10, RIS = 0x14, MIS = 0x18,
       ICR = 0x1C };

#define NS 1000000000ull
#define EPOCH_2000 946684800u

struct sink {
    bool level;
    unsigned changes;
};

struct rig {
    struct vclock clock;
    struct irq_line line;
    struct sink sink;
    void *dev;
};

static void sink_set(void *opaque, unsigned input, bool level)
{
    struct sink *k = opaque;
    (void)input;
    k->level = level;
    k->changes++;
}

static struct device_ctx rig_ctx(struct rig *r)
{
    return (struct device_ctx){
        .node = -1,
        .path = "/pl031@9010000",
        .nwindows = 1,
        .window_base = { 0x09010000 },
        .window_size = { 0x1000 },
        .irqs = { &r->line },
        .nirqs = 1,
        .clock = &r->clock,
    };
}

/* A rig whose clock reads `epoch_ns` of wall-clock time at time zero
 * (0: the clock's own default). */
static struct rig *rig_new_mode(enum clock_mode mode, uint64_t epoch_ns)
{
    struct rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    clock_init(&r->clock, mode, 10);
    if (epoch_ns)
        r->clock.virtual_epoch_ns = epoch_ns;
    irq_connect(&r->line, sink_set, &r->sink, 34);
    struct device_ctx ctx = rig_ctx(r);
    struct orr_error err = { { 0 } };
    ck_assert_msg(pl031_model.create(&ctx, &r->dev, &err) == 0, "create: %s", err.msg);
    return r;
}

static struct rig *rig_new(void)
{
    return rig_new_mode(CLOCK_MODE_VIRTUAL, 0);
}

static void rig_free(struct rig *r)
{
    pl031_model.destroy(r->dev);
    free(r);
}

static uint32_t rd(struct rig *r, unsigned off)
{
    uint64_t v = 0;
    ck_assert_int_eq(pl031_model.read(r->dev, 0, off, 4, &v), BUS_OK);
    return (uint32_t)v;
}

static void wr(struct rig *r, unsigned off, uint32_t v)
{
    ck_assert_int_eq(pl031_model.write(r->dev, 0, off, 4, v), BUS_OK);
}

static void at(struct rig *r, uint64_t t)
{
    clock_advance_to(&r->clock, t);
}

START_TEST(descriptor)
{
    ck_assert_ptr_eq(device_model_find("arm,pl031"), &pl031_model);
    ck_assert_str_eq(pl031_model.name, "pl031");
    ck_assert_ptr_nonnull(pl031_model.save);
    ck_assert_ptr_nonnull(pl031_model.load);
    ck_assert_uint_eq(pl031_model.ninputs, 0);
}
END_TEST

START_TEST(ids_and_reset_values)
{
    struct rig *r = rig_new();
    static const uint8_t id[8] = { 0x31, 0x10, 0x04, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };
    for (unsigned i = 0; i < 8; i++)
        ck_assert_uint_eq(rd(r, 0xFE0 + 4 * i), id[i]);
    ck_assert_uint_eq(rd(r, DR), EPOCH_2000);   /* virtual mode: 2000-01-01 */
    ck_assert_uint_eq(rd(r, MR), 0);
    ck_assert_uint_eq(rd(r, LR), 0);
    ck_assert_uint_eq(rd(r, CR), 1);             /* started */
    ck_assert_uint_eq(rd(r, IMSC), 0);
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert_uint_eq(rd(r, MIS), 0);
    ck_assert(!r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(access_sizes_and_read_only_registers)
{
    struct rig *r = rig_new();
    uint64_t v = 0;
    ck_assert_int_eq(pl031_model.read(r->dev, 0, 0xFE0, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x31);
    ck_assert_int_eq(pl031_model.read(r->dev, 0, DR + 2, 2, &v), BUS_OK);
    ck_assert_uint_eq(v, EPOCH_2000 >> 16);
    ck_assert_int_eq(pl031_model.read(r->dev, 0, DR, 8, &v), BUS_ERROR);
    ck_assert_int_eq(pl031_model.write(r->dev, 0, MR, 8, 1), BUS_ERROR);
    ck_assert_int_eq(pl031_model.read(r->dev, 0, 0x1000, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0);
    ck_assert_uint_eq(rd(r, 0x40), 0);           /* unknown offset */
    wr(r, DR, 5);                                 /* read only */
    wr(r, RIS, 1);
    wr(r, 0xFE0, 0);
    ck_assert_uint_eq(rd(r, DR), EPOCH_2000);
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert_uint_eq(rd(r, 0xFE0), 0x31);
    wr(r, CR, 0);                                 /* cannot be stopped */
    ck_assert_uint_eq(rd(r, CR), 1);
    /* a byte write at a word offset writes the zero-extended value */
    ck_assert_int_eq(pl031_model.write(r->dev, 0, MR, 1, 0x1AB), BUS_OK);
    ck_assert_uint_eq(rd(r, MR), 0xAB);
    rig_free(r);
}
END_TEST

START_TEST(counter_follows_virtual_time)
{
    struct rig *r = rig_new();
    at(r, NS - 1);
    ck_assert_uint_eq(rd(r, DR), EPOCH_2000);
    at(r, NS);
    ck_assert_uint_eq(rd(r, DR), EPOCH_2000 + 1);
    at(r, 3 * NS + NS / 2);
    ck_assert_uint_eq(rd(r, DR), EPOCH_2000 + 3);
    at(r, 3600 * NS);
    ck_assert_uint_eq(rd(r, DR), EPOCH_2000 + 3600);
    rig_free(r);

    /* An epoch that is not a whole second: the counter ticks when the
     * wall clock crosses a second, 0.75 s into the run. */
    r = rig_new_mode(CLOCK_MODE_VIRTUAL, 1700000000ull * NS + NS / 4);
    ck_assert_uint_eq(rd(r, DR), 1700000000u);
    at(r, 3 * NS / 4 - 1);
    ck_assert_uint_eq(rd(r, DR), 1700000000u);
    at(r, 3 * NS / 4);
    ck_assert_uint_eq(rd(r, DR), 1700000001u);
    rig_free(r);
}
END_TEST

START_TEST(realtime_mode_reads_host_time)
{
    struct rig *r = rig_new_mode(CLOCK_MODE_REALTIME, 0);
    time_t before = time(NULL);
    uint32_t dr = rd(r, DR);
    time_t after = time(NULL);
    ck_assert_uint_ge(dr + 1u, (uint32_t)before);
    ck_assert_uint_le(dr, (uint32_t)after + 1u);
    /* and it moves with the machine's time, not the host's */
    at(r, 10 * NS);
    ck_assert_uint_ge(rd(r, DR), dr + 9);
    ck_assert_uint_le(rd(r, DR), dr + 11);
    rig_free(r);
}
END_TEST

START_TEST(load_sets_counter_and_keeps_phase)
{
    struct rig *r = rig_new();
    at(r, 3 * NS / 10);
    wr(r, LR, 1000);
    ck_assert_uint_eq(rd(r, LR), 1000);
    ck_assert_uint_eq(rd(r, DR), 1000);
    at(r, NS - 1);
    ck_assert_uint_eq(rd(r, DR), 1000);
    at(r, NS);                                    /* CLK1HZ kept its phase */
    ck_assert_uint_eq(rd(r, DR), 1001);
    at(r, 5 * NS);
    ck_assert_uint_eq(rd(r, DR), 1005);
    /* the counter wraps at 32 bits */
    wr(r, LR, 0xFFFFFFFFu);
    at(r, 6 * NS);
    ck_assert_uint_eq(rd(r, DR), 0);
    ck_assert_uint_eq(rd(r, LR), 0xFFFFFFFFu);
    rig_free(r);
}
END_TEST

START_TEST(match_interrupt_at_exact_time)
{
    struct rig *r = rig_new();
    wr(r, LR, 100);
    wr(r, MR, 105);
    wr(r, IMSC, 1);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 5 * NS);
    at(r, 5 * NS - 1);
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert(!r->sink.level);
    at(r, 5 * NS);
    ck_assert_uint_eq(rd(r, DR), 105);
    ck_assert_uint_eq(rd(r, RIS), 1);
    ck_assert_uint_eq(rd(r, MIS), 1);
    ck_assert(r->sink.level);
    /* the counter meets the match value again only after wrapping */
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 5 * NS + (1ull << 32) * NS);
    wr(r, ICR, 0);                                 /* writing 0 clears nothing */
    ck_assert_uint_eq(rd(r, RIS), 1);
    wr(r, ICR, 1);
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert(!r->sink.level);

    /* a load at a fractional second: the match comes at a whole second */
    at(r, 7 * NS + 4 * NS / 10);
    wr(r, LR, 200);
    wr(r, MR, 202);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 9 * NS);
    /* rewriting the match moves the event */
    wr(r, MR, 204);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 11 * NS);
    wr(r, MR, 201);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 8 * NS);
    at(r, 8 * NS);
    ck_assert_uint_eq(rd(r, RIS), 1);
    ck_assert(r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(match_equal_to_counter_waits_for_the_wrap)
{
    struct rig *r = rig_new();
    wr(r, IMSC, 1);
    wr(r, LR, 50);
    wr(r, MR, 50);                                /* already equal: no step onto it */
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), (1ull << 32) * NS);
    wr(r, MR, 60);
    wr(r, LR, 60);                                /* a load is not a CLK1HZ step */
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert(!r->sink.level);
    at(r, 10 * NS);
    ck_assert_uint_eq(rd(r, RIS), 0);
    /* the match through the wrap: 0xFFFFFFFE -> 0xFFFFFFFF -> 0 -> 1 */
    wr(r, LR, 0xFFFFFFFEu);
    wr(r, MR, 1);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 13 * NS);
    at(r, 13 * NS);
    ck_assert_uint_eq(rd(r, DR), 1);
    ck_assert_uint_eq(rd(r, RIS), 1);
    rig_free(r);
}
END_TEST

START_TEST(mask_and_clear)
{
    struct rig *r = rig_new();
    wr(r, LR, 10);
    wr(r, MR, 11);
    at(r, NS);
    ck_assert_uint_eq(rd(r, RIS), 1);            /* raw status regardless of mask */
    ck_assert_uint_eq(rd(r, MIS), 0);
    ck_assert(!r->sink.level);
    wr(r, IMSC, 0xFF);                           /* only bit 0 exists */
    ck_assert_uint_eq(rd(r, IMSC), 1);
    ck_assert_uint_eq(rd(r, MIS), 1);
    ck_assert(r->sink.level);
    wr(r, IMSC, 0);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(rd(r, RIS), 1);
    wr(r, IMSC, 1);
    ck_assert(r->sink.level);
    wr(r, ICR, 0xFFFFFFFFu);
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert_uint_eq(rd(r, MIS), 0);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(r->sink.changes, 4);
    rig_free(r);
}
END_TEST

static void save_to(struct rig *r, struct state_writer *w)
{
    state_writer_init(w);
    state_begin(w, "pl031", pl031_model.state_version);
    ck_assert_int_eq(pl031_model.save(r->dev, w), 0);
    state_end(w);
    struct orr_error err = { { 0 } };
    ck_assert_msg(state_writer_finish(w, &err) == 0, "%s", err.msg);
}

START_TEST(save_load_round_trip)
{
    struct rig *a = rig_new();
    at(a, 2 * NS + 123);
    wr(a, LR, 5000);
    wr(a, MR, 5001);
    at(a, 3 * NS);                                 /* RIS set */
    wr(a, IMSC, 1);
    wr(a, MR, 5010);
    at(a, 4 * NS + 777);
    uint64_t deadline = clock_next_deadline(&a->clock);
    ck_assert_uint_eq(deadline, 12 * NS);

    struct state_writer w;
    save_to(a, &w);

    /* the machine restores its clock before the devices */
    struct rig *b = rig_new();
    at(b, 4 * NS + 777);
    struct orr_error err = { { 0 } };
    struct state_reader sr;
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "pl031"), 0);
    ck_assert_msg(pl031_model.load(b->dev, &sr, &err) == 0, "load: %s", err.msg);
    static const unsigned regs[] = { DR, MR, LR, CR, IMSC, RIS, MIS };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        ck_assert_msg(rd(a, regs[i]) == rd(b, regs[i]), "register 0x%02x", regs[i]);
    ck_assert(b->sink.level);
    ck_assert_uint_eq(clock_next_deadline(&b->clock), deadline);
    at(b, 12 * NS);
    ck_assert_uint_eq(rd(b, DR), 5010);

    /* a truncated section is an error and leaves the device as it was */
    struct rig *c = rig_new();
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "pl031"), 0);
    sr.section_end -= 3;
    ck_assert_int_ne(pl031_model.load(c->dev, &sr, &err), 0);
    ck_assert_uint_eq(rd(c, DR), EPOCH_2000);
    ck_assert_uint_eq(rd(c, MR), 0);
    ck_assert_uint_eq(rd(c, RIS), 0);

    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
    rig_free(c);
}
END_TEST

START_TEST(reset_clears_everything)
{
    struct rig *r = rig_new();
    wr(r, LR, 7);
    wr(r, MR, 8);
    wr(r, IMSC, 1);
    at(r, NS);
    ck_assert(r->sink.level);
    at(r, 2 * NS);
    pl031_model.reset(r->dev);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(rd(r, DR), EPOCH_2000 + 2);
    ck_assert_uint_eq(rd(r, MR), 0);
    ck_assert_uint_eq(rd(r, LR), 0);
    ck_assert_uint_eq(rd(r, IMSC), 0);
    ck_assert_uint_eq(rd(r, RIS), 0);
    /* the match event follows the new match value (0, after the wrap) */
    ck_assert_uint_eq(clock_next_deadline(&r->clock),
                      ((1ull << 32) - EPOCH_2000) * NS);
    rig_free(r);
}
END_TEST

START_TEST(create_rejects_bad_nodes)
{
    struct rig r = { 0 };
    clock_init(&r.clock, CLOCK_MODE_VIRTUAL, 10);
    struct orr_error err = { { 0 } };
    void *dev = NULL;
    struct device_ctx ctx = rig_ctx(&r);
    ctx.window_size[0] = 0x100;
    ck_assert_int_ne(pl031_model.create(&ctx, &dev, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "0x1000"));
    ctx = rig_ctx(&r);
    ctx.nwindows = 0;
    ck_assert_int_ne(pl031_model.create(&ctx, &dev, &err), 0);
    ctx = rig_ctx(&r);
    ctx.clock = NULL;
    ck_assert_int_ne(pl031_model.create(&ctx, &dev, &err), 0);
    ck_assert_ptr_null(dev);
}
END_TEST

static Suite *pl031_suite(void)
{
    Suite *s = suite_create("pl031");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, descriptor);
    tcase_add_test(tc, ids_and_reset_values);
    tcase_add_test(tc, access_sizes_and_read_only_registers);
    tcase_add_test(tc, counter_follows_virtual_time);
    tcase_add_test(tc, realtime_mode_reads_host_time);
    tcase_add_test(tc, load_sets_counter_and_keeps_phase);
    tcase_add_test(tc, match_interrupt_at_exact_time);
    tcase_add_test(tc, match_equal_to_counter_waits_for_the_wrap);
    tcase_add_test(tc, mask_and_clear);
    tcase_add_test(tc, save_load_round_trip);
    tcase_add_test(tc, reset_clears_everything);
    tcase_add_test(tc, create_rejects_bad_nodes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(pl031_suite());
}
