/* The virtual clock's event queue: deadline order, ties in scheduling
 * order, rescheduling and cancelling (also from inside callbacks). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/clock.h"
#include "tests/unit/unit.h"

struct recorder {
    char log[64];
    unsigned n;
    uint64_t when[64];
};

struct probe {
    struct clock_event ev;
    struct recorder *rec;
    struct vclock *clk;
    char id;
    uint64_t period;     /* reschedule itself this far ahead if non-zero */
    unsigned repeats;
    struct probe *victim;  /* cancel this one when fired */
};

static void probe_fire(void *opaque, uint64_t now)
{
    struct probe *p = opaque;
    p->rec->when[p->rec->n] = now;
    p->rec->log[p->rec->n++] = p->id;
    if (p->victim)
        clock_event_cancel(p->clk, &p->victim->ev);
    if (p->period && p->repeats) {
        p->repeats--;
        ck_assert_int_eq(clock_event_schedule(p->clk, &p->ev, now + p->period), 0);
    }
}

static void probe_init(struct probe *p, struct vclock *clk, struct recorder *rec, char id)
{
    *p = (struct probe){ .rec = rec, .clk = clk, .id = id };
    clock_event_init(&p->ev, "probe", probe_fire, p);
}

START_TEST(fires_in_deadline_order_ties_in_schedule_order)
{
    struct vclock clk;
    struct recorder rec;
    memset(&rec, 0, sizeof rec);
    clock_init(&clk, CLOCK_MODE_VIRTUAL, 10);
    struct probe p[5];
    const char ids[] = "abcde";
    const uint64_t at[] = { 500, 100, 300, 100, 300 };
    for (int i = 0; i < 5; i++) {
        probe_init(&p[i], &clk, &rec, ids[i]);
        ck_assert_int_eq(clock_event_schedule(&clk, &p[i].ev, at[i]), 0);
    }
    ck_assert_uint_eq(clock_next_deadline(&clk), 100);
    clock_advance_to(&clk, 299);
    ck_assert_str_eq(rec.log, "bd");
    ck_assert_uint_eq(clk.now_ns, 299);
    clock_advance_to(&clk, 1000);
    ck_assert_str_eq(rec.log, "bdcea");
    ck_assert_uint_eq(rec.when[2], 300);
    ck_assert_uint_eq(rec.when[4], 500);
    ck_assert_uint_eq(clock_next_deadline(&clk), CLOCK_NEVER);
}
END_TEST

START_TEST(reschedule_and_cancel)
{
    struct vclock clk;
    struct recorder rec;
    memset(&rec, 0, sizeof rec);
    clock_init(&clk, CLOCK_MODE_VIRTUAL, 1);
    struct probe a, b, c;
    probe_init(&a, &clk, &rec, 'a');
    probe_init(&b, &clk, &rec, 'b');
    probe_init(&c, &clk, &rec, 'c');
    ck_assert_int_eq(clock_event_schedule(&clk, &a.ev, 10), 0);
    ck_assert_int_eq(clock_event_schedule(&clk, &b.ev, 20), 0);
    ck_assert_int_eq(clock_event_schedule(&clk, &c.ev, 30), 0);
    /* Moving a pending event replaces its deadline. */
    ck_assert_int_eq(clock_event_schedule(&clk, &a.ev, 25), 0);
    clock_event_cancel(&clk, &c.ev);
    ck_assert(!clock_event_pending(&c.ev));
    clock_event_cancel(&clk, &c.ev);  /* idempotent */
    clock_advance_to(&clk, 100);
    ck_assert_str_eq(rec.log, "ba");
}
END_TEST

START_TEST(callbacks_reschedule_and_cancel_others)
{
    struct vclock clk;
    struct recorder rec;
    memset(&rec, 0, sizeof rec);
    clock_init(&clk, CLOCK_MODE_VIRTUAL, 1);
    struct probe tick, killer, doomed;
    probe_init(&tick, &clk, &rec, 't');
    probe_init(&killer, &clk, &rec, 'k');
    probe_init(&doomed, &clk, &rec, 'd');
    tick.period = 100;
    tick.repeats = 3;
    killer.victim = &doomed;
    ck_assert_int_eq(clock_event_schedule(&clk, &tick.ev, 100), 0);
    ck_assert_int_eq(clock_event_schedule(&clk, &killer.ev, 150), 0);
    ck_assert_int_eq(clock_event_schedule(&clk, &doomed.ev, 250), 0);
    clock_advance_to(&clk, 1000);
    ck_assert_str_eq(rec.log, "tkttt");
    ck_assert_uint_eq(rec.when[4], 400);
    ck_assert_uint_eq(clk.now_ns, 1000);
}
END_TEST

START_TEST(queue_capacity_is_reported)
{
    struct vclock clk;
    struct recorder rec;
    memset(&rec, 0, sizeof rec);
    clock_init(&clk, CLOCK_MODE_VIRTUAL, 1);
    struct probe *p = calloc(CLOCK_MAX_EVENTS + 1, sizeof *p);
    for (unsigned i = 0; i < CLOCK_MAX_EVENTS; i++) {
        probe_init(&p[i], &clk, &rec, 'x');
        ck_assert_int_eq(clock_event_schedule(&clk, &p[i].ev, 1000 + i), 0);
    }
    probe_init(&p[CLOCK_MAX_EVENTS], &clk, &rec, 'y');
    ck_assert_int_eq(clock_event_schedule(&clk, &p[CLOCK_MAX_EVENTS].ev, 5), -1);
    /* Rescheduling an already pending event still works when full. */
    ck_assert_int_eq(clock_event_schedule(&clk, &p[3].ev, 7), 0);
    ck_assert_uint_eq(clock_next_deadline(&clk), 7);
    clock_reset(&clk);
    ck_assert_uint_eq(clock_next_deadline(&clk), CLOCK_NEVER);
    ck_assert_uint_eq(clk.now_ns, 0);
    ck_assert(!clock_event_pending(&p[3].ev));
    free(p);
}
END_TEST

START_TEST(time_never_goes_backward)
{
    struct vclock clk;
    clock_init(&clk, CLOCK_MODE_VIRTUAL, 1);
    clock_advance_to(&clk, 500);
    clock_advance_to(&clk, 100);
    ck_assert_uint_eq(clk.now_ns, 500);
}
END_TEST

START_TEST(wall_clock_base)
{
    /* virtual: a fixed date, kept across a reset; settable */
    struct vclock clk;
    clock_init(&clk, CLOCK_MODE_VIRTUAL, 1);
    ck_assert_uint_eq(clock_wall_base_ns(&clk), 946684800ull * 1000000000u);
    clk.virtual_epoch_ns = 1234567890123456789ull;
    clock_advance_to(&clk, 99);
    clock_reset(&clk);
    ck_assert_uint_eq(clock_wall_base_ns(&clk), 1234567890123456789ull);

    /* realtime: the host's wall clock at time zero, moving with host_base_ns */
    clock_init(&clk, CLOCK_MODE_REALTIME, 1);
    time_t before = time(NULL);
    uint64_t base_s = clock_wall_base_ns(&clk) / 1000000000u;
    ck_assert_uint_le(base_s, (uint64_t)before + 1);
    ck_assert_uint_ge(base_s + 2, (uint64_t)before);
    uint64_t base = clock_wall_base_ns(&clk);
    clk.host_base_ns -= 5000;
    ck_assert_uint_eq(clock_wall_base_ns(&clk), base - 5000);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("events");
    tcase_add_test(tc, fires_in_deadline_order_ties_in_schedule_order);
    tcase_add_test(tc, reschedule_and_cancel);
    tcase_add_test(tc, callbacks_reschedule_and_cancel_others);
    tcase_add_test(tc, queue_capacity_is_reported);
    tcase_add_test(tc, time_never_goes_backward);
    tcase_add_test(tc, wall_clock_base);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
