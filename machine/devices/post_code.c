/* Power-on self-test (POST) code ports: the byte a BIOS writes to port 0x80
 * (and, on some boards, 0x190) to show its progress on a diagnostic card.
 * Each write is logged under the `board` category, which `orrery run -v`
 * shows, and never printed otherwise; the last code written is kept (a
 * card's display) and reads back. Every reg window is one such port. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/log.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/state.h"

struct post_code {
    char path[64];
    const struct logger *log;
    uint32_t last;                 /* the last value written (the card's display) */
};

static void post_code_reset(void *dev)
{
    struct post_code *s = dev;
    s->last = 0;
}

static int post_code_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 1)
        return orr_fail(err, "%s: the POST code port needs a reg window", ctx->path);
    struct post_code *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(s->path, sizeof s->path, "%s", ctx->path ? ctx->path : "post-code");
    s->log = ctx->log;
    post_code_reset(s);
    *dev = s;
    return 0;
}

static int post_code_read(void *dev, unsigned window, uint64_t offset, unsigned size,
                          uint64_t *value)
{
    struct post_code *s = dev;
    (void)window, (void)offset, (void)size;
    *value = s->last;
    return BUS_OK;
}

static int post_code_write(void *dev, unsigned window, uint64_t offset, unsigned size,
                           uint64_t value)
{
    struct post_code *s = dev;
    (void)offset;
    s->last = (uint32_t)value;
    /* The board category: a POST code is what the board reports of its own
     * progress, and it is the one `-v` turns on. */
    log_msg(s->log, LOG_BOARD, "%s: POST code 0x%0*llx (window %u)", s->path, (int)size * 2,
            (unsigned long long)value, window);
    return BUS_OK;
}

static int post_code_save(void *dev, struct state_writer *w)
{
    struct post_code *s = dev;
    state_put_u32(w, s->last);
    return w->failed ? -1 : 0;
}

static int post_code_load(void *dev, struct state_reader *r, struct orr_error *err)
{
    struct post_code *s = dev;
    uint32_t last = state_get_u32(r);
    if (state_reader_check(r) != 0)
        return orr_fail(err, "%s: truncated or corrupt POST code section", s->path);
    s->last = last;
    return 0;
}

static void post_code_destroy(void *dev)
{
    free(dev);
}

static const char *const post_code_compatible[] = { "orrery,post-code", NULL };

const struct device_model post_code_model = {
    .name = "post-code",
    .compatible = post_code_compatible,
    .summary = "POST code port (0x80, 0x190): writes logged with -v",
    .state_version = 1,
    .create = post_code_create,
    .reset = post_code_reset,
    .read = post_code_read,
    .write = post_code_write,
    .save = post_code_save,
    .load = post_code_load,
    .destroy = post_code_destroy,
};
