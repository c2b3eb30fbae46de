/* virtio-mmio transport (VIRTIO 1.1, 4.2), as QEMU's virt board has it:
 * 0x200-byte windows, one interrupt.
 *
 * Both register layouts are modelled. Which one a transport presents is a
 * property of its tree node, `orrery,virtio-mmio-version`: 2 (the default,
 * the modern layout of 4.2.2, as QEMU with force-legacy=false) or 1 (the
 * legacy layout of 4.2.4: GuestPageSize, QueuePFN, QueueAlign; QEMU 7.2's
 * own default). The backend comes from the device context (virtio.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "cpu/log.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/devices/virtio.h"
#include "machine/irq.h"
#include "machine/state.h"

#define MMIO_SIZE 0x200u
#define MAGIC 0x74726976u            /* "virt" */
#define VENDOR 0x554D4551u           /* "QEMU", what guests already know */

/* Register offsets (4.2.2, 4.2.4). */
enum {
    R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_VENDOR_ID = 0x00C,
    R_DEVICE_FEATURES = 0x010, R_DEVICE_FEATURES_SEL = 0x014,
    R_DRIVER_FEATURES = 0x020, R_DRIVER_FEATURES_SEL = 0x024,
    R_GUEST_PAGE_SIZE = 0x028,       /* legacy */
    R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034, R_QUEUE_NUM = 0x038,
    R_QUEUE_ALIGN = 0x03C,           /* legacy */
    R_QUEUE_PFN = 0x040,             /* legacy */
    R_QUEUE_READY = 0x044, R_QUEUE_NOTIFY = 0x050,
    R_INTERRUPT_STATUS = 0x060, R_INTERRUPT_ACK = 0x064, R_STATUS = 0x070,
    R_QUEUE_DESC_LOW = 0x080, R_QUEUE_DESC_HIGH = 0x084,
    R_QUEUE_DRIVER_LOW = 0x090, R_QUEUE_DRIVER_HIGH = 0x094,
    R_QUEUE_DEVICE_LOW = 0x0A0, R_QUEUE_DEVICE_HIGH = 0x0A4,
    R_CONFIG_GENERATION = 0x0FC, R_CONFIG = 0x100,
};

/* Device status bits (2.1). */
#define STATUS_DRIVER_OK 4u
#define STATUS_FEATURES_OK 8u
#define STATUS_NEEDS_RESET 64u

#define INT_USED 1u
#define INT_CONFIG 2u

#define F_INDIRECT_DESC (1ull << 28)
#define F_VERSION_1 (1ull << 32)

struct virtio_transport {
    char path[128];
    const struct logger *log;
    struct bus *bus;
    struct irq_line *irq;
    uint32_t version;                /* 1 legacy, 2 modern */

    void *backend;
    const struct virtio_backend_ops *ops;

    /* registers */
    uint32_t status, interrupt_status;
    uint32_t device_features_sel, driver_features_sel;
    uint64_t driver_features;
    uint32_t queue_sel;
    uint32_t guest_page_size;        /* legacy */
    uint32_t config_generation;
    struct virtq q[VIRTIO_MAX_QUEUES];
    uint32_t queue_align[VIRTIO_MAX_QUEUES];   /* legacy */
    uint32_t queue_pfn[VIRTIO_MAX_QUEUES];     /* legacy */

    struct virtq_chain chain;        /* scratch for the request in progress */
};

static uint64_t device_features(const struct virtio_transport *t)
{
    uint64_t f = F_INDIRECT_DESC;
    if (t->version == 2)
        f |= F_VERSION_1;            /* 6.1: modern devices offer it */
    if (t->ops)
        f |= t->ops->features;
    return f;
}

static unsigned nqueues(const struct virtio_transport *t)
{
    return t->ops ? t->ops->nqueues : 0;
}

static void update_irq(struct virtio_transport *t)
{
    irq_set(t->irq, t->interrupt_status != 0);
}

struct virtq *virtio_queue(struct virtio_transport *t, unsigned q)
{
    return q < nqueues(t) ? &t->q[q] : NULL;
}

struct bus *virtio_bus(struct virtio_transport *t)
{
    return t->bus;
}

bool virtio_running(const struct virtio_transport *t)
{
    return (t->status & (STATUS_DRIVER_OK | STATUS_NEEDS_RESET)) == STATUS_DRIVER_OK;
}

void virtio_needs_reset(struct virtio_transport *t, const char *why)
{
    if (!(t->status & STATUS_NEEDS_RESET))
        log_msg(t->log, LOG_DEV, "%s: %s; device needs reset", t->path, why);
    t->status |= STATUS_NEEDS_RESET;
    t->interrupt_status |= INT_CONFIG;
    update_irq(t);
}

int virtio_pop(struct virtio_transport *t, unsigned q, struct virtq_chain **chain)
{
    if (!virtio_running(t) || q >= nqueues(t))
        return VQ_EMPTY;
    int rc = virtq_pop(t->bus, &t->q[q], &t->chain);
    if (rc == VQ_MALFORMED) {
        char why[64];
        snprintf(why, sizeof why, "malformed ring on queue %u", q);
        virtio_needs_reset(t, why);
        return VQ_MALFORMED;
    }
    *chain = &t->chain;
    return rc;
}

void virtio_push(struct virtio_transport *t, unsigned q, uint16_t head, uint32_t written)
{
    if (q >= nqueues(t))
        return;
    if (virtq_push(t->bus, &t->q[q], head, written) != 0) {
        virtio_needs_reset(t, "used ring outside guest RAM");
        return;
    }
    if (virtq_wants_interrupt(t->bus, &t->q[q])) {
        t->interrupt_status |= INT_USED;
        update_irq(t);
    }
}

static void transport_reset(void *opaque)
{
    struct virtio_transport *t = opaque;
    t->status = 0;
    t->interrupt_status = 0;
    t->device_features_sel = t->driver_features_sel = 0;
    t->driver_features = 0;
    t->queue_sel = 0;
    t->guest_page_size = 0;
    memset(t->q, 0, sizeof t->q);
    for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
        t->queue_align[i] = 4096;
        t->queue_pfn[i] = 0;
    }
    if (t->ops && t->ops->reset)
        t->ops->reset(t->backend);
    update_irq(t);
}

static struct virtq *selected(struct virtio_transport *t)
{
    return t->queue_sel < nqueues(t) ? &t->q[t->queue_sel] : NULL;
}

static uint32_t config_read(struct virtio_transport *t, uint64_t off, unsigned size)
{
    uint32_t v = 0;
    if (!t->ops || !t->ops->config_byte)
        return 0;
    for (unsigned i = 0; i < size; i++) {
        uint64_t o = off + i;
        uint8_t byte = o < t->ops->config_size ? t->ops->config_byte(t->backend, (uint32_t)o) : 0;
        v |= (uint32_t)byte << (8 * i);
    }
    return v;
}

static int transport_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                          uint64_t *value)
{
    struct virtio_transport *t = opaque;
    (void)window;
    *value = 0;
    if (offset >= R_CONFIG) {
        if (size > 4 || offset - R_CONFIG >= MMIO_SIZE)
            return size > 4 ? BUS_ERROR : BUS_OK;
        *value = config_read(t, offset - R_CONFIG, size);
        return BUS_OK;
    }
    /* 4.2.2.2: the register block is read with 32-bit accesses only. */
    if (size != 4 || offset % 4)
        return BUS_ERROR;
    struct virtq *q = selected(t);
    uint32_t v = 0;
    switch (offset) {
    case R_MAGIC: v = MAGIC; break;
    case R_VERSION: v = t->version; break;
    case R_DEVICE_ID: v = t->ops ? t->ops->device_id : VIRTIO_ID_NONE; break;
    case R_VENDOR_ID: v = VENDOR; break;
    case R_DEVICE_FEATURES:
        if (t->device_features_sel < 2)
            v = (uint32_t)(device_features(t) >> (32 * t->device_features_sel));
        break;
    case R_QUEUE_NUM_MAX: v = q ? VQ_MAX_SIZE : 0; break;
    case R_QUEUE_PFN:
        if (t->version == 1 && q)
            v = t->queue_pfn[t->queue_sel];
        break;
    case R_QUEUE_READY:
        if (t->version == 2 && q)
            v = q->ready;
        break;
    case R_INTERRUPT_STATUS: v = t->interrupt_status; break;
    case R_STATUS: v = t->status; break;
    case R_CONFIG_GENERATION: v = t->version == 2 ? t->config_generation : 0; break;
    default: break;                  /* write-only and reserved: 0 */
    }
    *value = v;
    return BUS_OK;
}

static void set_half(uint64_t *reg, bool high, uint32_t v)
{
    if (high)
        *reg = (*reg & 0xFFFFFFFFull) | (uint64_t)v << 32;
    else
        *reg = (*reg & ~0xFFFFFFFFull) | v;
}

static void legacy_set_pfn(struct virtio_transport *t, uint32_t pfn)
{
    struct virtq *q = selected(t);
    if (!q)
        return;
    t->queue_pfn[t->queue_sel] = pfn;
    if (pfn == 0) {                  /* 4.2.4: writing 0 stops the queue */
        q->ready = false;
        q->last_avail = q->used_idx = 0;
        return;
    }
    uint32_t page = t->guest_page_size ? t->guest_page_size : 4096;
    virtq_legacy_layout(q, (uint64_t)pfn * page, t->queue_align[t->queue_sel]);
    q->ready = q->num != 0;
    q->last_avail = q->used_idx = 0;
}

static void write_status(struct virtio_transport *t, uint32_t v)
{
    if (v == 0) {                    /* 4.2.3.1: writing 0 resets the device */
        transport_reset(t);
        return;
    }
    uint32_t was = t->status;
    /* 2.2.2: FEATURES_OK stays clear if the driver took features the device
     * does not offer, or (modern) left out VERSION_1. */
    if ((v & STATUS_FEATURES_OK) && !(was & STATUS_FEATURES_OK)) {
        bool bad = (t->driver_features & ~device_features(t)) != 0 ||
                   (t->version == 2 && !(t->driver_features & F_VERSION_1));
        if (bad)
            v &= ~STATUS_FEATURES_OK;
    }
    t->status = (v & 0xFFu & ~STATUS_NEEDS_RESET) | (was & STATUS_NEEDS_RESET);
    if ((t->status & STATUS_DRIVER_OK) && !(was & STATUS_DRIVER_OK) && t->ops)
        for (unsigned q = 0; q < nqueues(t); q++)
            t->ops->notify(t->backend, t, q);  /* e.g. console input waiting */
}

static int transport_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                           uint64_t value)
{
    struct virtio_transport *t = opaque;
    (void)window;
    if (offset >= R_CONFIG) {
        if (size > 4)
            return BUS_ERROR;
        /* Writable config fields (virtio-input's select) take bytes. */
        if (t->ops && t->ops->config_write)
            for (unsigned i = 0; i < size; i++) {
                uint64_t o = offset - R_CONFIG + i;
                if (o < t->ops->config_size)
                    t->ops->config_write(t->backend, (uint32_t)o, (uint8_t)(value >> (8 * i)));
            }
        return BUS_OK;
    }
    if (size != 4 || offset % 4)
        return BUS_ERROR;
    uint32_t v = (uint32_t)value;
    struct virtq *q = selected(t);
    bool modern = t->version == 2;
    switch (offset) {
    case R_DEVICE_FEATURES_SEL: t->device_features_sel = v; break;
    case R_DRIVER_FEATURES_SEL: t->driver_features_sel = v; break;
    case R_DRIVER_FEATURES:
        if (t->driver_features_sel < 2 && !(t->status & STATUS_FEATURES_OK))
            set_half(&t->driver_features, t->driver_features_sel == 1, v);
        break;
    case R_GUEST_PAGE_SIZE:
        if (!modern)
            t->guest_page_size = v;
        break;
    case R_QUEUE_SEL: t->queue_sel = v; break;
    case R_QUEUE_NUM:
        /* A power of two no larger than QueueNumMax (2.6). */
        if (q && v && v <= VQ_MAX_SIZE && (v & (v - 1)) == 0)
            q->num = v;
        break;
    case R_QUEUE_ALIGN:
        if (!modern && q && v && (v & (v - 1)) == 0)
            t->queue_align[t->queue_sel] = v;
        break;
    case R_QUEUE_PFN:
        if (!modern)
            legacy_set_pfn(t, v);
        break;
    case R_QUEUE_READY:
        if (modern && q) {
            q->ready = (v & 1) && q->num;
            if (!q->ready)
                q->last_avail = q->used_idx = 0;
        }
        break;
    case R_QUEUE_NOTIFY:
        if (t->ops && v < nqueues(t) && virtio_running(t))
            t->ops->notify(t->backend, t, v);
        break;
    case R_INTERRUPT_ACK:
        t->interrupt_status &= ~v;
        update_irq(t);
        break;
    case R_STATUS: write_status(t, v); break;
    case R_QUEUE_DESC_LOW: case R_QUEUE_DESC_HIGH:
        if (modern && q && !q->ready)
            set_half(&q->desc, offset == R_QUEUE_DESC_HIGH, v);
        break;
    case R_QUEUE_DRIVER_LOW: case R_QUEUE_DRIVER_HIGH:
        if (modern && q && !q->ready)
            set_half(&q->avail, offset == R_QUEUE_DRIVER_HIGH, v);
        break;
    case R_QUEUE_DEVICE_LOW: case R_QUEUE_DEVICE_HIGH:
        if (modern && q && !q->ready)
            set_half(&q->used, offset == R_QUEUE_DEVICE_HIGH, v);
        break;
    default: break;                  /* read-only and reserved: ignored */
    }
    return BUS_OK;
}

static int make_backend(struct virtio_transport *t, const struct device_ctx *ctx,
                        struct orr_error *err)
{
    const char *spec = ctx->backend;
    if (!spec || !*spec)
        return 0;
    struct virtio_env env = {
        .bus = ctx->bus, .log = ctx->log, .chardev = ctx->chardev,
        .clock = ctx->clock, .path = t->path,
    };
    const char *colon = strchr(spec, ':');
    size_t kind_len = colon ? (size_t)(colon - spec) : strlen(spec);
    const char *arg = colon ? colon + 1 : "";
    if (kind_len == 3 && strncmp(spec, "blk", 3) == 0)
        return virtio_blk_create(&env, arg, &t->backend, &t->ops, err);
    if (kind_len == 7 && strncmp(spec, "console", 7) == 0)
        return virtio_console_create(&env, arg, &t->backend, &t->ops, err);
    if (kind_len == 3 && strncmp(spec, "rng", 3) == 0)
        return virtio_rng_create(&env, arg, &t->backend, &t->ops, err);
    static const struct { const char *name; enum virtio_input_kind kind; } inputs[] = {
        { "input-keyboard", VIRTIO_INPUT_KEYBOARD },
        { "input-tablet", VIRTIO_INPUT_TABLET },
        { "input-touch", VIRTIO_INPUT_TOUCH },
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        if (kind_len == strlen(inputs[i].name) && strncmp(spec, inputs[i].name, kind_len) == 0)
            return virtio_input_create(&env, inputs[i].kind, arg, &t->backend, &t->ops, err);
    return orr_fail(err, "%s: unknown virtio device '%.*s' (known: blk, console, rng, "
                    "input-keyboard, input-tablet, input-touch)", t->path, (int)kind_len, spec);
}

static int transport_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 1 || ctx->window_size[0] < MMIO_SIZE)
        return orr_fail(err, "%s: virtio-mmio needs a reg window of 0x%x bytes",
                        ctx->path, MMIO_SIZE);
    uint32_t version = 2;
    if (ctx->fdt && ctx->node >= 0) {
        int len;
        const fdt32_t *p = fdt_getprop(ctx->fdt, ctx->node, "orrery,virtio-mmio-version", &len);
        if (p && len == 4) {
            version = fdt32_to_cpu(*p);
            if (version != 1 && version != 2)
                return orr_fail(err, "%s: orrery,virtio-mmio-version is %u, not 1 or 2",
                                ctx->path, version);
        }
    }
    struct virtio_transport *t = calloc(1, sizeof *t);
    if (!t)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(t->path, sizeof t->path, "%s", ctx->path ? ctx->path : "virtio_mmio");
    t->log = ctx->log;
    t->bus = ctx->bus;
    t->irq = ctx->nirqs ? ctx->irqs[0] : NULL;
    t->version = version;
    if (make_backend(t, ctx, err)) {
        free(t);
        return -1;
    }
    transport_reset(t);
    *dev = t;
    return 0;
}

static void transport_destroy(void *opaque)
{
    struct virtio_transport *t = opaque;
    if (!t)
        return;
    if (t->ops && t->ops->destroy)
        t->ops->destroy(t->backend);
    free(t);
}

/* Section layout, version 1: the device ID (a check that the same backend
 * kind is attached), the registers, each queue (num, ready, the three
 * addresses, last_avail, used_idx, legacy align and pfn), then the
 * backend's own fields. */
static int transport_save(void *opaque, struct state_writer *w)
{
    struct virtio_transport *t = opaque;
    state_put_u32(w, t->ops ? t->ops->device_id : 0);
    state_put_u32(w, t->status);
    state_put_u32(w, t->interrupt_status);
    state_put_u32(w, t->device_features_sel);
    state_put_u32(w, t->driver_features_sel);
    state_put_u64(w, t->driver_features);
    state_put_u32(w, t->queue_sel);
    state_put_u32(w, t->guest_page_size);
    state_put_u32(w, t->config_generation);
    for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
        const struct virtq *q = &t->q[i];
        state_put_u32(w, q->num);
        state_put_bool(w, q->ready);
        state_put_u64(w, q->desc);
        state_put_u64(w, q->avail);
        state_put_u64(w, q->used);
        state_put_u16(w, q->last_avail);
        state_put_u16(w, q->used_idx);
        state_put_u32(w, t->queue_align[i]);
        state_put_u32(w, t->queue_pfn[i]);
    }
    if (t->ops && t->ops->save)
        t->ops->save(t->backend, w);
    return w->failed ? -1 : 0;
}

/* The transport's saved fields, read and checked before any is applied. */
struct saved_transport {
    uint32_t status, isr, dsel, drsel, qsel, gps, gen;
    uint64_t drf;
    struct virtq q[VIRTIO_MAX_QUEUES];
    uint32_t align[VIRTIO_MAX_QUEUES], pfn[VIRTIO_MAX_QUEUES];
};

static int read_transport(struct virtio_transport *t, struct state_reader *r,
                          struct saved_transport *s, struct orr_error *err)
{
    uint32_t id = state_get_u32(r);
    if (id != (t->ops ? t->ops->device_id : 0u))
        return orr_fail(err, "%s: saved virtio device ID %u, attached %u", t->path, id,
                        t->ops ? t->ops->device_id : 0u);
    s->status = state_get_u32(r) & 0xFFu;
    s->isr = state_get_u32(r) & (INT_USED | INT_CONFIG);
    s->dsel = state_get_u32(r);
    s->drsel = state_get_u32(r);
    s->drf = state_get_u64(r);
    s->qsel = state_get_u32(r);
    s->gps = state_get_u32(r);
    s->gen = state_get_u32(r);
    for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
        struct virtq *q = &s->q[i];
        memset(q, 0, sizeof *q);
        q->num = state_get_u32(r);
        q->ready = state_get_bool(r);
        q->desc = state_get_u64(r);
        q->avail = state_get_u64(r);
        q->used = state_get_u64(r);
        q->last_avail = state_get_u16(r);
        q->used_idx = state_get_u16(r);
        s->align[i] = state_get_u32(r);
        s->pfn[i] = state_get_u32(r);
        if (q->num > VQ_MAX_SIZE || (q->num & (q->num - 1)) || (q->ready && !q->num))
            return orr_fail(err, "%s: saved queue %u has size %u", t->path, i, q->num);
    }
    if (state_reader_check(r) != 0)
        return orr_fail(err, "%s: truncated or corrupt virtio-mmio section", t->path);
    return 0;
}

static int transport_check(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct virtio_transport *t = opaque;
    struct saved_transport s;
    if (read_transport(t, r, &s, err))
        return -1;
    if (t->ops && t->ops->check)
        return t->ops->check(t->backend, r, err);
    return 0;
}

static int transport_load(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct virtio_transport *t = opaque;
    struct saved_transport s;
    if (read_transport(t, r, &s, err))
        return -1;
    if (t->ops && t->ops->load && t->ops->load(t->backend, r) != 0)
        return orr_fail(err, "%s: corrupt virtio backend state", t->path);
    t->status = s.status;
    t->interrupt_status = s.isr;
    t->device_features_sel = s.dsel;
    t->driver_features_sel = s.drsel;
    t->driver_features = s.drf;
    t->queue_sel = s.qsel;
    t->guest_page_size = s.gps;
    t->config_generation = s.gen;
    memcpy(t->q, s.q, sizeof s.q);
    memcpy(t->queue_align, s.align, sizeof s.align);
    memcpy(t->queue_pfn, s.pfn, sizeof s.pfn);
    update_irq(t);
    return 0;
}

/* Host input reaches an input backend only while its driver runs. */
static unsigned transport_input_rank(void *opaque, int cls)
{
    struct virtio_transport *t = opaque;
    if (!t->ops || !t->ops->input_rank || !virtio_running(t))
        return 0;
    return t->ops->input_rank(t->backend, cls);
}

static void transport_input_event(void *opaque, const struct input_event *ev)
{
    struct virtio_transport *t = opaque;
    if (t->ops && t->ops->input_event)
        t->ops->input_event(t->backend, virtio_running(t) ? t : NULL, ev);
}

static const char *const virtio_mmio_compatible[] = { "virtio,mmio", NULL };

const struct device_model virtio_mmio_model = {
    .name = "virtio-mmio",
    .compatible = virtio_mmio_compatible,
    .summary = "virtio-mmio transport (v2 or legacy v1): blk, console, rng, input backends",
    .state_version = 1,
    .uses_chardev = false,
    .uses_backend = true,
    .create = transport_create,
    .reset = transport_reset,
    .read = transport_read,
    .write = transport_write,
    .save = transport_save,
    .load = transport_load,
    .check = transport_check,
    .destroy = transport_destroy,
    .input_rank = transport_input_rank,
    .input_event = transport_input_event,
};
