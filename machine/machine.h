/* A machine: everything one emulated system owns. Built from a flattened
 * device tree (the board), run in slices by the frontend. No global state:
 * any number of machines may live in one process. */
#ifndef ORRERY_MACHINE_MACHINE_H
#define ORRERY_MACHINE_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/clock.h"
#include "cpu/cpu.h"
#include "cpu/error.h"
#include "cpu/host.h"
#include "cpu/log.h"
#include "machine/bus.h"
#include "machine/chardev.h"
#include "machine/device.h"
#include "machine/display.h"
#include "machine/irq.h"
#include "machine/loader.h"
#include "machine/psci.h"

#define MACHINE_MAX_CPUS 8
#define MACHINE_MAX_SERIAL 4
#define MACHINE_DEFAULT_NS_PER_INSN 10   /* virtual mode: a 100 MIPS guest */
#define MACHINE_INPUT_KEYS 0x300        /* Linux KEY_* codes routed (KEY_MAX + 1) */
#define MACHINE_TURN_NS 10000u            /* virtual mode, several CPUs: turns end on
                                             multiples of this (see machine_run) */

struct machine_device {
    const struct device_model *model;
    void *dev;
    char path[128];
    int node;                              /* offset in the board tree */
    uint64_t base;                         /* first window, for listings */
    struct irq_line irqs[DEVICE_MAX_IRQS]; /* its outputs (owned here) */
    unsigned nirqs;
};

struct machine_config {
    const void *dtb;                /* board tree (copied) */
    size_t dtb_size;
    const char *board_name;         /* for messages and listings */
    const char *cpu_model;          /* NULL: from /cpus compatible */
    uint64_t ram_size;              /* 0: from /memory; else resizes the first bank */
    enum clock_mode clock_mode;
    uint32_t ns_per_insn;           /* 0: default */
    bool semihosting;
    /* Device backends for the virtio-mmio slots, in tree order:
     * "blk:FILE[,ro]", "console", "rng", "input-keyboard", "input-tablet",
     * "input-touch" (machine/devices/virtio.h). */
    const char *const *backends;
    unsigned nbackends;
    struct logger log;
    struct host_io host;
};

struct machine {
    char board_name[64];
    struct logger log;
    struct host_io host;
    struct bus bus;
    struct vclock clock;
    struct cpu *cpus[MACHINE_MAX_CPUS];
    unsigned ncpus;
    struct machine_device *devices;
    unsigned ndevices;
    struct chardev serial[MACHINE_MAX_SERIAL];  /* frontend sets host_write */
    unsigned nserial;
    uint8_t *dtb;                   /* the tree as given (later: as handed to the guest) */
    size_t dtb_size;
    uint64_t ram_base, ram_size;    /* first /memory bank */
    struct loaded_image image;      /* what was loaded with machine_load_image */
    struct psci psci;               /* the firmware behind SMC/HVC, if the tree has one */
    bool reset_request;             /* a device pulled the reset line (an exit that resets) */
    uint64_t executed;              /* instructions retired since reset */
    /* machine_run returns (BUDGET) once executed reaches this; exact with
     * one CPU (each CPU's budget is capped by what is left). UINT64_MAX:
     * no limit. Reverse execution replays to an instruction with it. */
    uint64_t run_limit;
    /* Input routing (machine/display.c): the device each key's press went
     * to (index + 1; 0: up), so its release goes there too; and the
     * absolute pointer position and buttons last delivered, from which an
     * absolute event becomes a movement for a mouse when no tablet is there. */
    uint16_t key_owner[MACHINE_INPUT_KEYS];
    uint32_t pointer_x, pointer_y;
    unsigned pointer_buttons;
};

int machine_create(const struct machine_config *cfg, struct machine **out,
                   struct orr_error *err) ORR_MUST_CHECK;
void machine_destroy(struct machine *m);
void machine_reset(struct machine *m);

/* Loads an ELF (for the CPU's ISA) or, if not ELF, a raw image at
 * raw_addr (default: start of RAM); points CPU 0 at the entry. */
int machine_load_image(struct machine *m, const uint8_t *data, size_t len,
                       uint64_t raw_addr, bool raw_addr_given,
                       struct orr_error *err) ORR_MUST_CHECK;

struct machine_run_result {
    enum cpu_stop reason;       /* BUDGET: the slice ended; IDLE: see wake_ns */
    int exit_code;              /* after CPU_STOP_EXIT */
    uint64_t wake_ns;           /* IDLE: next event deadline (CLOCK_NEVER if none) */
    unsigned cpu;               /* the CPU that stopped the run (BREAKPOINT, WATCHPOINT, EXIT, FATAL) */
    char message[256];          /* after CPU_STOP_FATAL */
};

/* Runs until slice_ns of guest time have passed, or the guest exits, idles
 * with nothing scheduled (virtual mode) / until the next deadline (realtime
 * mode), hits a breakpoint, or fails. Fires due events and delivers
 * interrupts. Idle in virtual mode jumps the clock to the next event. */
void machine_run(struct machine *m, uint64_t slice_ns, struct machine_run_result *res);

int machine_save(struct machine *m, struct state_writer *w) ORR_MUST_CHECK;
/* Loads a state saved by machine_save on a machine built from the same
 * board. Every section is checked first (presence, versions, memory
 * layout, devices' own checks such as a disk image's identity), so a bad
 * image changes nothing (-1); only corrupt data inside a section, found
 * while applying, leaves the machine half-restored (-2: reset it then). */
int machine_load(struct machine *m, struct state_reader *r, struct orr_error *err) ORR_MUST_CHECK;

/* The same without the contents of RAM and ROM (their layout is still
 * checked): for in-memory snapshots that keep memory pages themselves. */
int machine_save_without_memory(struct machine *m, struct state_writer *w) ORR_MUST_CHECK;
int machine_load_without_memory(struct machine *m, struct state_reader *r,
                                struct orr_error *err) ORR_MUST_CHECK;

/* A hash of the machine state per save section ("machine", "memory" when
 * with_ram, "cpu0", "dev:/path"...): equal states give equal hashes on
 * every host and build. For record/replay checkpoints and reverse
 * execution. */
#define MACHINE_HASH_MAX 64
struct machine_hash {
    unsigned count;
    char tag[MACHINE_HASH_MAX][64];
    uint64_t value[MACHINE_HASH_MAX];
};
int machine_hash(struct machine *m, bool with_ram, struct machine_hash *out) ORR_MUST_CHECK;

const struct machine_device *machine_find_device(const struct machine *m, const char *compatible);

/* Drives an external input (machine/inputs.c): `name` is "PATH:N", input
 * N of the device at node PATH, or the label or node name of a key of a
 * `gpio-keys` node ("GPIO Key Poweroff" or "poweroff" on arm-virt), which
 * drives the GPIO pin the key is wired to. `active`: high, or pressed (a
 * key wired GPIO_ACTIVE_LOW then drives its pin low). The level holds until
 * changed: a button press is a call with true and, once the guest has run
 * a while (QEMU's gpio-key holds 100 ms), one with false. */
int machine_set_input(struct machine *m, const char *name, bool active,
                      struct orr_error *err) ORR_MUST_CHECK;

#endif
