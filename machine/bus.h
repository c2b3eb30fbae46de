/* The physical address space (and, for x86, the separate I/O-port space).
 *
 * Regions are kept sorted by base address and found by binary search. RAM
 * and ROM expose host pointers (the soft TLB maps them directly); MMIO calls
 * the owner's callbacks with the offset into the region. Guest memory is
 * stored little-endian; a big-endian guest access is the ISA's to swap.
 *
 * Decoded-code tracking: an ISA that decodes a RAM page marks it with
 * bus_mark_code; every write reaching the bus to a marked page notifies the
 * listeners (which drop decoded records) and unmarks it. Listeners are also
 * told when a page becomes code so they can drop write-TLB entries to it. */
#ifndef ORRERY_MACHINE_BUS_H
#define ORRERY_MACHINE_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

struct logger;

/* Bus access results. MMIO callbacks return these too. */
enum bus_status {
    BUS_OK = 0,
    BUS_UNMAPPED = 1,     /* no region: the ISA raises its external abort */
    BUS_ERROR = 2,        /* a device refused the access (slave error) */
    BUS_READONLY = 3,     /* write to ROM: ignored by bus_write, reported */
};

typedef int (*mmio_read_fn)(void *opaque, unsigned window, uint64_t offset,
                            unsigned size, uint64_t *value);
typedef int (*mmio_write_fn)(void *opaque, unsigned window, uint64_t offset,
                             unsigned size, uint64_t value);

enum region_kind { REGION_RAM, REGION_ROM, REGION_MMIO };

struct bus_region {
    char name[48];
    uint64_t base, size;
    enum region_kind kind;
    uint8_t *host;            /* RAM/ROM backing (owned by the bus) */
    uint8_t *code_bits;       /* RAM: one bit per guest page holding decoded code */
    mmio_read_fn read;        /* MMIO */
    mmio_write_fn write;
    void *opaque;
    unsigned window;          /* which of the owner's reg windows this is */
};

struct bus_listener {
    void *opaque;
    void (*code_marked)(void *opaque, uint64_t ppage);   /* page now holds code */
    void (*code_written)(void *opaque, uint64_t ppage);  /* code page was written */
};

#define BUS_MAX_LISTENERS 8

struct bus_space {
    struct bus_region *regions;   /* sorted by base, non-overlapping */
    unsigned count, cap;
};

struct bus {
    struct bus_space mem;
    struct bus_space io;          /* x86 I/O ports (addresses 0..0xffff) */
    struct bus_listener listeners[BUS_MAX_LISTENERS];
    unsigned nlisteners;
    const struct logger *log;
    /* The index of the CPU whose accesses are in progress (the machine
     * sets it before running each CPU): banked device registers, such as
     * the GIC's CPU interface, answer the CPU that asks. */
    unsigned requester;
    /* How long an access to an I/O port takes (an ISA bus cycle), in
     * virtual time: the CPU stalls for it (cpu_run_result.stall_ns). 0:
     * no stall. From the ISA node's `orrery,io-access-ns`. */
    uint32_t io_access_ns;
};

void bus_init(struct bus *bus, const struct logger *log);
void bus_destroy(struct bus *bus);

/* Adding a region fails (with a message) if it overlaps another or wraps. */
int bus_add_ram(struct bus *bus, const char *name, uint64_t base, uint64_t size,
                struct orr_error *err) ORR_MUST_CHECK;
int bus_add_rom(struct bus *bus, const char *name, uint64_t base, uint64_t size,
                struct orr_error *err) ORR_MUST_CHECK;
int bus_add_mmio(struct bus *bus, const char *name, uint64_t base, uint64_t size,
                 mmio_read_fn read, mmio_write_fn write, void *opaque,
                 unsigned window, struct orr_error *err) ORR_MUST_CHECK;
int bus_add_io(struct bus *bus, const char *name, uint64_t port, uint64_t count,
               mmio_read_fn read, mmio_write_fn write, void *opaque,
               unsigned window, struct orr_error *err) ORR_MUST_CHECK;

/* Region containing addr, or NULL (binary search). */
const struct bus_region *bus_find(const struct bus *bus, uint64_t addr);
const struct bus_region *bus_find_io(const struct bus *bus, uint64_t port);

/* Host pointer for [addr, addr+len) if it lies wholly inside one RAM or ROM
 * region, else NULL. Used by the TLB fill path, loaders and DMA. */
uint8_t *bus_host_ptr(const struct bus *bus, uint64_t addr, uint64_t len,
                      bool *is_rom);

/* Single accesses of 1, 2, 4 or 8 bytes, little-endian. MMIO accesses go to
 * the device at the region offset; an access straddling two regions is
 * split into bytes. Writes to ROM are dropped (BUS_READONLY). */
int bus_read(struct bus *bus, uint64_t addr, unsigned size, uint64_t *value);
int bus_write(struct bus *bus, uint64_t addr, unsigned size, uint64_t value);
int bus_io_read(struct bus *bus, uint64_t port, unsigned size, uint64_t *value);
int bus_io_write(struct bus *bus, uint64_t port, unsigned size, uint64_t value);

/* Block copies for loaders, DMA and debuggers. bus_write_block may also
 * write ROM (loaders fill it) when allow_rom is set. Invalidate decoded code. */
int bus_read_block(struct bus *bus, uint64_t addr, void *buf, uint64_t len);
int bus_write_block(struct bus *bus, uint64_t addr, const void *buf, uint64_t len,
                    bool allow_rom);

/* Decoded-code tracking (RAM pages only; ROM cannot be written). */
int bus_add_listener(struct bus *bus, const struct bus_listener *l) ORR_MUST_CHECK;
void bus_mark_code(struct bus *bus, uint64_t addr);
bool bus_page_has_code(const struct bus *bus, uint64_t addr);
/* Called by writers that bypass bus_write (e.g. the ISA's TLB fast path
 * never does; DMA with host pointers must). */
void bus_notify_write(struct bus *bus, uint64_t addr, uint64_t len);

#endif
