/* Shared by the Check unit tests that need a whole machine: one built from
 * a builtin board, the rest of the configuration the test's own. */
#ifndef ORRERY_TESTS_UNIT_MACHINE_H
#define ORRERY_TESTS_UNIT_MACHINE_H

#include <check.h>

#include "machine/boards.h"
#include "machine/machine.h"

/* cfg's dtb, dtb_size and board_name are filled from the builtin board;
 * creation must succeed. */
static inline struct machine *unit_machine(const char *board, struct machine_config cfg)
{
    const struct builtin_board *b = builtin_board_find(board);
    ck_assert_ptr_nonnull(b);
    cfg.dtb = b->dtb;
    cfg.dtb_size = b->dtb_size;
    cfg.board_name = b->name;
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    int rc = machine_create(&cfg, &m, &err);
    ck_assert_msg(rc == 0, "machine_create: %s", err.msg);
    return m;
}

#endif
