/* The Bochs "port E9 hack" debug console, as Bochs and QEMU's isa-debugcon
 * present it: every byte written to the port goes to the board's serial
 * output (the first serial port: stdout under `orrery run`), and a read
 * returns 0xE9, which is how a guest finds out the console is there.
 *
 * The port is whatever the node's ISA I/O window says (0xE9 by
 * convention); wider accesses send their bytes low first, as an OUTSB loop
 * would. The device holds no state. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "machine/chardev.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/state.h"

#define DEBUGCON_READBACK 0xe9u

struct debugcon {
    struct chardev *out;           /* NULL: no serial port left, bytes dropped */
};

static int debugcon_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 1)
        return orr_fail(err, "%s: the debug console needs a reg window", ctx->path);
    struct debugcon *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", ctx->path);
    s->out = ctx->chardev;
    *dev = s;
    return 0;
}

static void debugcon_reset(void *dev)
{
    (void)dev;
}

static int debugcon_read(void *dev, unsigned window, uint64_t offset, unsigned size,
                         uint64_t *value)
{
    (void)dev, (void)window, (void)offset;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)DEBUGCON_READBACK << (8 * i);
    *value = v;
    return BUS_OK;
}

static int debugcon_write(void *dev, unsigned window, uint64_t offset, unsigned size,
                          uint64_t value)
{
    struct debugcon *s = dev;
    (void)window, (void)offset;
    uint8_t bytes[8];
    for (unsigned i = 0; i < size && i < sizeof bytes; i++)
        bytes[i] = (uint8_t)(value >> (8 * i));
    if (s->out)
        chardev_write(s->out, bytes, size < sizeof bytes ? size : sizeof bytes);
    return BUS_OK;
}

/* Nothing to keep: the section is empty (version 1). */
static int debugcon_save(void *dev, struct state_writer *w)
{
    (void)dev;
    return w->failed ? -1 : 0;
}

static int debugcon_load(void *dev, struct state_reader *r, struct orr_error *err)
{
    (void)dev;
    if (state_reader_check(r) != 0)
        return orr_fail(err, "truncated or corrupt debug console section");
    return 0;
}

static void debugcon_destroy(void *dev)
{
    free(dev);
}

static const char *const debugcon_compatible[] = { "bochs,port-e9", NULL };

const struct device_model debugcon_model = {
    .name = "debugcon",
    .compatible = debugcon_compatible,
    .summary = "Bochs port 0xE9 debug console: bytes written go to the serial output",
    .state_version = 1,
    .uses_chardev = true,
    .create = debugcon_create,
    .reset = debugcon_reset,
    .read = debugcon_read,
    .write = debugcon_write,
    .save = debugcon_save,
    .load = debugcon_load,
    .destroy = debugcon_destroy,
};
