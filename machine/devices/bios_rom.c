/* A boot ROM: read-only memory holding a firmware image (`--bios FILE`)
 * where the CPU's first fetch finds it. Each reg window is one mapping of
 * the same ROM; an x86 board maps it at the top of the first MiB and again
 * just below 4 GiB, so the reset fetch at 0xFFFFFFF0 and real-mode
 * F000:FFF0 both reach the image (Intel SDM Vol. 3A 9.1.4: "First
 * Instruction Executed").
 *
 * The windows are plain ROM regions of the bus (so the soft TLB maps them
 * directly, and the machine saves their contents with the other memory);
 * bios_rom_load fills them, the image ending at the end of each window.
 * The guest cannot write them, so the copies stay equal, and a guest reset
 * leaves them as they are. All windows must have the same size. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/state.h"

struct bios_rom {
    char path[64];
    struct bus *bus;
    unsigned nwindows;
    uint64_t base[DEVICE_MAX_WINDOWS];
    uint64_t size;
};

static int bios_rom_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 1)
        return orr_fail(err, "%s: a boot ROM needs a reg window", ctx->path);
    for (unsigned w = 1; w < ctx->nwindows; w++)
        if (ctx->window_size[w] != ctx->window_size[0])
            return orr_fail(err, "%s: the ROM's windows must all be the same size", ctx->path);
    struct bios_rom *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(s->path, sizeof s->path, "%s", ctx->path ? ctx->path : "rom");
    s->bus = ctx->bus;
    s->nwindows = ctx->nwindows;
    s->size = ctx->window_size[0];
    for (unsigned w = 0; w < ctx->nwindows; w++) {
        s->base[w] = ctx->window_base[w];
        if (bus_add_rom(ctx->bus, s->path, ctx->window_base[w], ctx->window_size[w], err)) {
            free(s);
            return orr_fail_prefix(err, "%s", ctx->path);
        }
    }
    *dev = s;
    return 0;
}

int bios_rom_load(void *dev, const uint8_t *data, size_t len, struct orr_error *err)
{
    struct bios_rom *s = dev;
    if (len == 0 || len > s->size)
        return orr_fail(err, "the image is %zu bytes; the ROM at %s takes 1 to %llu", len,
                        s->path, (unsigned long long)s->size);
    for (unsigned w = 0; w < s->nwindows; w++)
        if (bus_write_block(s->bus, s->base[w] + s->size - len, data, len, true) != BUS_OK)
            return orr_fail(err, "cannot write the ROM at 0x%llx",
                            (unsigned long long)s->base[w]);
    return 0;
}

static void bios_rom_reset(void *dev)
{
    (void)dev;       /* ROM keeps its contents */
}

/* The contents are saved with the machine's memory regions: nothing here. */
static int bios_rom_save(void *dev, struct state_writer *w)
{
    (void)dev;
    return w->failed ? -1 : 0;
}

static int bios_rom_load_state(void *dev, struct state_reader *r, struct orr_error *err)
{
    struct bios_rom *s = dev;
    if (state_reader_check(r) != 0)
        return orr_fail(err, "%s: truncated or corrupt ROM section", s->path);
    return 0;
}

static void bios_rom_destroy(void *dev)
{
    free(dev);
}

static const char *const bios_rom_compatible[] = { "orrery,bios-rom", NULL };

const struct device_model bios_rom_model = {
    .name = "bios-rom",
    .compatible = bios_rom_compatible,
    .summary = "boot ROM for --bios, mapped at every reg window (image at each window's end)",
    .state_version = 1,
    .create = bios_rom_create,
    .reset = bios_rom_reset,
    .save = bios_rom_save,
    .load = bios_rom_load_state,
    .destroy = bios_rom_destroy,
};
