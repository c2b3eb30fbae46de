/* Shared by the Check unit tests: a CPU's save section written by one CPU
 * and loaded into another, as the machine does (it opens the section). */
#ifndef ORRERY_TESTS_UNIT_STATE_H
#define ORRERY_TESTS_UNIT_STATE_H

#include <check.h>

#include "cpu/cpu.h"
#include "machine/state.h"

static inline void unit_cpu_state_copy(struct cpu *from, struct cpu *to)
{
    struct state_writer w;
    struct orr_error err;
    state_writer_init(&w);
    state_begin(&w, "cpu0", 1);
    ck_assert_int_eq(from->ops->save(from, &w), 0);
    state_end(&w);
    ck_assert_int_eq(state_writer_finish(&w, &err), 0);
    struct state_reader r;
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&r, "cpu0"), 0);
    ck_assert_msg(to->ops->load(to, &r, &err) == 0, "%s", err.msg);
    state_writer_free(&w);
}

#endif
