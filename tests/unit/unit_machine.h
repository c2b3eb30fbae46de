/* Shared by the Check unit tests that need a whole machine: one built from
 * a builtin board, the rest of the configuration the test's own. */
#ifndef ORRERY_TESTS_UNIT_MACHINE_H
#define ORRERY_TESTS_UNIT_MACHINE_H

#include <check.h>
#include <string.h>

#include "roms/roms.h"

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

/* The embedded demo on arm-virt (arm926ej-s, virtual clock), its console
 * output captured: a whole guest that runs a while and ends by itself. */
struct capture {
    char buf[65536];
    size_t len;
};

static inline void capture_write(void *opaque, const uint8_t *data, size_t len)
{
    struct capture *c = opaque;
    size_t room = sizeof c->buf - 1 - c->len;
    if (len > room)
        len = room;
    memcpy(c->buf + c->len, data, len);
    c->len += len;
    c->buf[c->len] = '\0';
}

static inline struct machine *unit_demo_machine(struct capture *cap)
{
    struct machine *m = unit_machine("arm-virt", (struct machine_config){
        .cpu_model = "arm926ej-s",
        .clock_mode = CLOCK_MODE_VIRTUAL,
        .semihosting = true,
        .host = { .opaque = cap, .console_write = capture_write },
    });
    struct orr_error err = { { 0 } };
    ck_assert_uint_ge(m->nserial, 1);
    m->serial[0].host_write = capture_write;
    m->serial[0].host_opaque = cap;
    int rc = machine_load_image(m, rom_demo_elf, rom_demo_elf_size, 0, false, &err);
    ck_assert_msg(rc == 0, "load demo: %s", err.msg);
    return m;
}

/* Runs one slice; returns true when the machine has finished. */
static inline bool step_slice(struct machine *m, uint64_t slice_ns, int *exit_code)
{
    struct machine_run_result res;
    machine_run(m, slice_ns, &res);
    ck_assert_msg(res.reason != CPU_STOP_FATAL, "guest error: %s", res.message);
    ck_assert_msg(!(res.reason == CPU_STOP_IDLE && res.wake_ns == CLOCK_NEVER),
                  "guest idles forever");
    if (res.reason == CPU_STOP_EXIT) {
        *exit_code = res.exit_code;
        return true;
    }
    return false;
}

static inline void run_to_end(struct machine *m, int *exit_code)
{
    for (int i = 0; i < 100000; i++)
        if (step_slice(m, 1000000, exit_code))
            return;
    ck_abort_msg("demo did not finish");
}

#endif
