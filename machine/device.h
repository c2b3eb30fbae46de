/* Device models. One file per model under machine/devices/, each exporting
 * one const struct device_model. The board loader instantiates a model for
 * every DT node whose compatible it lists, maps each `reg` window to the
 * model's read/write (window = index in `reg`), and wires each entry of
 * `interrupts` to its interrupt parent before calling create.
 *
 * A device gets narrow handles (its node, the bus for DMA, its irq lines,
 * the clock, its serial port), never the machine. */
#ifndef ORRERY_MACHINE_DEVICE_H
#define ORRERY_MACHINE_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"
#include "machine/bus.h"

struct vclock;
struct logger;
struct chardev;
struct irq_line;
struct state_writer;
struct state_reader;
struct frame;
struct input_event;

#define DEVICE_MAX_IRQS 16
#define DEVICE_MAX_WINDOWS 8

struct device_ctx {
    const void *fdt;              /* the board tree */
    int node;                     /* this device's node offset */
    const char *path;             /* node path, e.g. "/pl011@9000000" */
    unsigned nwindows;            /* `reg` entries, translated to bus addresses */
    uint64_t window_base[DEVICE_MAX_WINDOWS];
    uint64_t window_size[DEVICE_MAX_WINDOWS];
    struct irq_line *irqs[DEVICE_MAX_IRQS];  /* outputs, in `interrupts` order */
    unsigned nirqs;
    struct bus *bus;              /* for DMA-capable devices */
    struct vclock *clock;
    const struct logger *log;
    struct chardev *chardev;      /* serial-like devices: their port (may be NULL) */
    const char *backend;          /* uses_backend models: what to attach (may be NULL) */
    /* Ends the run with a process exit status (a test-exit device): the
     * CPU whose access is in progress stops before its next instruction. */
    void (*request_exit)(void *opaque, int status);
    /* Pulls the board's reset line (a keyboard controller's pulse, port
     * 0x92): the CPU whose access is in progress stops before its next
     * instruction and the machine resets (or the run ends, --no-reboot).
     * Takes exit_opaque. */
    void (*request_reset)(void *opaque);
    void *exit_opaque;
};

struct device_model {
    const char *name;                   /* "pl011" */
    const char *const *compatible;      /* NULL-terminated */
    const char *summary;                /* one line for docs and `info devices` */
    uint32_t state_version;             /* version of the save section */
    bool uses_chardev;                  /* gets the next serial port */
    bool uses_backend;                  /* gets the next --drive/--device backend */

    int (*create)(const struct device_ctx *ctx, void **dev,
                  struct orr_error *err) ORR_MUST_CHECK;
    void (*reset)(void *dev);
    mmio_read_fn read;                  /* NULL if the device has no registers */
    mmio_write_fn write;
    /* save/load put and get the fields of the section the machine opens
     * for this device (tag "dev:" + node path, version state_version). */
    int (*save)(void *dev, struct state_writer *w) ORR_MUST_CHECK;
    int (*load)(void *dev, struct state_reader *r, struct orr_error *err) ORR_MUST_CHECK;
    /* Optional: checks a section without applying it, for what only the
     * device can judge (a disk backend: is the image the one saved?).
     * machine_load calls it for every device before loading any. */
    int (*check)(void *dev, struct state_reader *r, struct orr_error *err) ORR_MUST_CHECK;
    void (*destroy)(void *dev);

    /* Interrupt controllers only: connect `line` to the input named by a DT
     * interrupt specifier (#interrupt-cells cells). */
    int (*irq_connect)(void *dev, const uint32_t *cells, unsigned ncells,
                       struct irq_line *line, struct orr_error *err) ORR_MUST_CHECK;
    /* Controllers with per-CPU inputs (GIC PPIs) only: connect `line`, a
     * private output of CPU `cpu` (its generic timer), to the input the
     * specifier names for that CPU. NULL: CPU outputs go to irq_connect,
     * CPU 0's only. */
    int (*irq_connect_cpu)(void *dev, unsigned cpu, const uint32_t *cells, unsigned ncells,
                           struct irq_line *line, struct orr_error *err) ORR_MUST_CHECK;

    /* Controllers that answer a CPU's interrupt-acknowledge cycle (the
     * x86 INTA behind INTR): returns the vector of the interrupt the CPU
     * takes now. The board installs it in every CPU the controller's
     * outputs reach. NULL for controllers the CPU does not ask. */
    int (*intack)(void *dev);

    /* External inputs: signals from outside the machine (GPIO pins, a
     * button), numbered 0..ninputs-1. set_input drives input `input` to
     * `level` (high = true) and does whatever the pin change does. A
     * frontend or monitor reaches them through machine_set_input, by device
     * path and number or by the name of a gpio-keys key wired to them.
     * 0 and NULL when the device has none. */
    unsigned ninputs;
    void (*set_input)(void *dev, unsigned input, bool level);

    /* Displays in a text mode: the visible screen as text, one line per
     * row (trailing spaces trimmed, each line ending in a newline), in
     * UTF-8, cursor position not included. Writes at most len bytes
     * including a terminating NUL and returns the length of the whole text
     * (as snprintf does); 0 when not in a text mode. NULL for devices
     * without a screen. */
    size_t (*text_screen)(void *dev, char *buf, size_t len);

    /* Displays (machine/display.h): renders the picture the device sends
     * to its monitor now into f (frame_resize to the mode's size), reading
     * guest memory through the device's bus without side effects. now_ns,
     * the machine's time, sets the phase of anything that blinks. Returns
     * 1 for a picture, 0 when the display is blank (f: black, the size it
     * would have or 640x480), -1 only when f cannot be sized. NULL for
     * devices without a screen. */
    int (*render)(void *dev, struct frame *f, uint64_t now_ns);

    /* Input devices (machine/display.h): how the device ranks for events of
     * class c now (enum input_class): 0 when it does not take them (not
     * that kind of device, or its guest driver has not enabled it), else
     * higher for a better path (PS/2: 1; virtio-input with its driver
     * running: 2). input_event takes one event of a class it ranks for
     * (it may drop it if its queue is full, as hardware does). NULL for
     * devices without input. */
    unsigned (*input_rank)(void *dev, int cls);
    void (*input_event)(void *dev, const struct input_event *ev);
};

/* Registry of all device models (machine/devices/registry.c). */
const struct device_model *device_model_find(const char *compatible);
const struct device_model *const *device_model_list(size_t *count);

#endif
