/* The virtio-mmio transport (virtio_mmio.c) and its device backends
 * (virtio_blk.c, virtio_console.c, virtio_rng.c, virtio_input.c).
 *
 * A transport gets its backend from the `backend` string of its device
 * context, which the machine hands out to the "virtio,mmio" nodes in tree
 * order from the command line (docs/cli.md): "blk:FILE" or "blk:FILE,ro",
 * "console", "rng", and the input devices "input-keyboard" (a PC
 * keyboard's keys, LEDs, autorepeat), "input-tablet" (absolute pointer
 * 0..INPUT_ABS_MAX with three buttons and a wheel) and "input-touch" (a
 * multi-touch screen, protocol B, INPUT_TOUCH_SLOTS contacts). No backend:
 * DeviceID 0, an empty slot.
 *
 * Requests complete synchronously when the driver writes QueueNotify: the
 * backend walks the queue, does the work (host file I/O included) and puts
 * the buffers on the used ring before the write returns. Input backends
 * also fill the guest's buffers when a host event arrives: the transport
 * forwards the machine's input_rank/input_event (machine/display.h) to the
 * backend's, passing itself so the backend can pop and push there. */
#ifndef ORRERY_MACHINE_DEVICES_VIRTIO_H
#define ORRERY_MACHINE_DEVICES_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/error.h"
#include "machine/devices/virtqueue.h"

struct bus;
struct logger;
struct chardev;
struct vclock;
struct state_writer;
struct state_reader;
struct virtio_transport;

#define VIRTIO_MAX_QUEUES 2

/* Device IDs (VIRTIO 1.1, 5). */
enum { VIRTIO_ID_NONE = 0, VIRTIO_ID_BLOCK = 2, VIRTIO_ID_CONSOLE = 3, VIRTIO_ID_RNG = 4,
       VIRTIO_ID_INPUT = 18 };

/* The flavours of virtio-input (virtio_input.c). */
enum virtio_input_kind { VIRTIO_INPUT_KEYBOARD, VIRTIO_INPUT_TABLET, VIRTIO_INPUT_TOUCH };

struct input_event;

/* What a backend may use of its transport. */
struct virtio_env {
    struct bus *bus;
    const struct logger *log;
    struct chardev *chardev;
    struct vclock *clock;
    const char *path;
};

struct virtio_backend_ops {
    uint32_t device_id;
    unsigned nqueues;
    uint64_t features;             /* device-specific feature bits */
    uint32_t config_size;
    /* Config space bytes, little-endian (the transport splits accesses). */
    uint8_t (*config_byte)(void *b, uint32_t off);
    /* Optional: a driver's write of one config byte (NULL: read-only). */
    void (*config_write)(void *b, uint32_t off, uint8_t byte);
    /* Queue q was notified (or the device became ready): service it. */
    void (*notify)(void *b, struct virtio_transport *t, unsigned q);
    void (*reset)(void *b);
    void (*save)(void *b, struct state_writer *w);
    int (*load)(void *b, struct state_reader *r);
    /* Optional: checks the backend's fields without applying them (see
     * device_model.check). */
    int (*check)(void *b, struct state_reader *r, struct orr_error *err);
    void (*destroy)(void *b);
    /* Optional, input devices (machine/device.h): the rank for class cls
     * while the driver is running (the transport answers 0 otherwise), and
     * one host event, which the backend may hand to the guest at once
     * through t. */
    unsigned (*input_rank)(void *b, int cls);
    void (*input_event)(void *b, struct virtio_transport *t, const struct input_event *ev);
};

/* Backend constructors: parse the text after "kind:" (may be ""). */
int virtio_blk_create(const struct virtio_env *env, const char *arg, void **b,
                      const struct virtio_backend_ops **ops,
                      struct orr_error *err) ORR_MUST_CHECK;
int virtio_console_create(const struct virtio_env *env, const char *arg, void **b,
                          const struct virtio_backend_ops **ops,
                          struct orr_error *err) ORR_MUST_CHECK;
int virtio_rng_create(const struct virtio_env *env, const char *arg, void **b,
                      const struct virtio_backend_ops **ops,
                      struct orr_error *err) ORR_MUST_CHECK;

int virtio_input_create(const struct virtio_env *env, enum virtio_input_kind kind,
                        const char *arg, void **b, const struct virtio_backend_ops **ops,
                        struct orr_error *err) ORR_MUST_CHECK;

/* Transport services for backends. */
struct virtq *virtio_queue(struct virtio_transport *t, unsigned q);
/* Pop the next chain of queue q into the transport's chain buffer; on a
 * malformed ring the device enters NEEDS_RESET and this returns VQ_MALFORMED. */
int virtio_pop(struct virtio_transport *t, unsigned q, struct virtq_chain **chain);
/* Complete a chain and raise the used-buffer interrupt if wanted. */
void virtio_push(struct virtio_transport *t, unsigned q, uint16_t head, uint32_t written);
/* The driver has set DRIVER_OK and the device is not broken. */
bool virtio_running(const struct virtio_transport *t);
/* 2.1.2: set DEVICE_NEEDS_RESET and raise the configuration-change interrupt. */
void virtio_needs_reset(struct virtio_transport *t, const char *why);
struct bus *virtio_bus(struct virtio_transport *t);

#endif
