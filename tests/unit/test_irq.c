/* Interrupt lines (machine/irq.h): the sink hears changes only, with its
 * input number; unconnected lines are legal and silent; lines can be
 * rewired; several lines into one sink stay distinct. */
#include <check.h>
#include <stdlib.h>

#include "machine/irq.h"
#include "tests/unit/unit.h"

struct sink {
    unsigned calls;
    unsigned last_input;
    bool last_level;
    bool level[8];
};

static void sink_set(void *opaque, unsigned input, bool level)
{
    struct sink *s = opaque;
    s->calls++;
    s->last_input = input;
    s->last_level = level;
    if (input < 8)
        s->level[input] = level;
}

START_TEST(sink_hears_changes_only)
{
    struct sink s = { 0 };
    struct irq_line line = { 0 };
    irq_connect(&line, sink_set, &s, 5);
    irq_set(&line, false);                 /* already low: nothing */
    ck_assert_uint_eq(s.calls, 0);
    irq_set(&line, true);
    ck_assert_uint_eq(s.calls, 1);
    ck_assert_uint_eq(s.last_input, 5);
    ck_assert(s.last_level);
    irq_set(&line, true);                  /* no change */
    ck_assert_uint_eq(s.calls, 1);
    irq_set(&line, false);
    ck_assert_uint_eq(s.calls, 2);
    ck_assert(!s.last_level);
    ck_assert(!line.level);
}
END_TEST

START_TEST(unconnected_lines_are_silent)
{
    irq_set(NULL, true);
    struct irq_line line = { 0 };
    irq_set(&line, true);                  /* no sink: level kept, nobody told */
    ck_assert(line.level);
    /* A sink connected later hears the next change. */
    struct sink s = { 0 };
    irq_connect(&line, sink_set, &s, 1);
    irq_set(&line, false);
    ck_assert_uint_eq(s.calls, 1);
    ck_assert(!s.level[1]);
}
END_TEST

START_TEST(many_lines_one_sink)
{
    struct sink s = { 0 };
    struct irq_line lines[4] = { { 0 } };
    for (unsigned i = 0; i < 4; i++)
        irq_connect(&lines[i], sink_set, &s, i);
    irq_set(&lines[2], true);
    irq_set(&lines[0], true);
    ck_assert(s.level[0] && !s.level[1] && s.level[2] && !s.level[3]);
    irq_set(&lines[2], false);
    ck_assert(s.level[0] && !s.level[2]);
    ck_assert_uint_eq(s.calls, 3);
}
END_TEST

/* An edge-triggered sink counts rising changes. */
static void edge_sink(void *opaque, unsigned input, bool level)
{
    (void)input;
    if (level)
        ++*(unsigned *)opaque;
}

START_TEST(edge_sinks_count_rising_changes)
{
    unsigned edges = 0;
    struct irq_line line = { 0 };
    irq_connect(&line, edge_sink, &edges, 0);
    for (int i = 0; i < 3; i++) {
        irq_set(&line, true);
        irq_set(&line, true);
        irq_set(&line, false);
    }
    ck_assert_uint_eq(edges, 3);
}
END_TEST

static Suite *irq_suite(void)
{
    Suite *s = suite_create("irq");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, sink_hears_changes_only);
    tcase_add_test(tc, unconnected_lines_are_silent);
    tcase_add_test(tc, many_lines_one_sink);
    tcase_add_test(tc, edge_sinks_count_rising_changes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(irq_suite());
}
