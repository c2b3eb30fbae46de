/* A test-exit port with QEMU's isa-debug-exit convention: a write of value
 * v ends the run with process exit status (v << 1) | 1, so a guest can
 * report any result but can never fake a clean status 0 (the value is
 * masked to the access size first). Reads return all ones, as from a port
 * nobody drives. The device holds no state. */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/state.h"

struct debug_exit {
    void (*request_exit)(void *opaque, int status);
    void *opaque;
};

static int debug_exit_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 1)
        return orr_fail(err, "%s: the exit port needs a reg window", ctx->path);
    struct debug_exit *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", ctx->path);
    s->request_exit = ctx->request_exit;
    s->opaque = ctx->exit_opaque;
    *dev = s;
    return 0;
}

static void debug_exit_reset(void *dev)
{
    (void)dev;
}

static int debug_exit_read(void *dev, unsigned window, uint64_t offset, unsigned size,
                           uint64_t *value)
{
    (void)dev, (void)window, (void)offset;
    *value = size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
    return BUS_OK;
}

/* The status of a write of v: (v << 1) | 1, which may exceed what a process
 * status can carry; the frontend turns any status above 255 into 1. */
int debug_exit_status(uint64_t v)
{
    uint64_t status = (v << 1) | 1;
    return v > (uint64_t)INT_MAX >> 1 ? INT_MAX : (int)status;
}

static int debug_exit_write(void *dev, unsigned window, uint64_t offset, unsigned size,
                            uint64_t value)
{
    struct debug_exit *s = dev;
    (void)window, (void)offset, (void)size;
    if (s->request_exit)
        s->request_exit(s->opaque, debug_exit_status(value));
    return BUS_OK;
}

static int debug_exit_save(void *dev, struct state_writer *w)
{
    (void)dev;
    return w->failed ? -1 : 0;
}

static int debug_exit_load(void *dev, struct state_reader *r, struct orr_error *err)
{
    (void)dev;
    if (state_reader_check(r) != 0)
        return orr_fail(err, "truncated or corrupt debug-exit section");
    return 0;
}

static void debug_exit_destroy(void *dev)
{
    free(dev);
}

static const char *const debug_exit_compatible[] = { "qemu,isa-debug-exit", NULL };

const struct device_model isa_debug_exit_model = {
    .name = "isa-debug-exit",
    .compatible = debug_exit_compatible,
    .summary = "test-exit port: a write of v ends the run with status (v << 1) | 1",
    .state_version = 1,
    .create = debug_exit_create,
    .reset = debug_exit_reset,
    .read = debug_exit_read,
    .write = debug_exit_write,
    .save = debug_exit_save,
    .load = debug_exit_load,
    .destroy = debug_exit_destroy,
};
