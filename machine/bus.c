/* The physical address space and the I/O-port space (machine/bus.h).
 *
 * Each space is an array of regions sorted by base address; lookups are a
 * binary search. RAM and ROM are backed by anonymous host mappings (page
 * aligned, zero-filled lazily by the host, so a large RAM that the guest
 * never touches costs nothing). Accesses wider than a byte that straddle two
 * regions, or leave the address space, are split into byte accesses.
 *
 * Decoded-code tracking keeps one bit per 4 KiB guest page of each RAM
 * region. A page index is counted from the region's first page (base
 * rounded down), so a region that does not start on a page boundary still
 * maps every page it touches to a bit. */
#include "machine/bus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/le.h"
#include "cpu/log.h"

#define BUS_PAGE_BITS 12
#define BUS_PAGE_SIZE ((uint64_t)1 << BUS_PAGE_BITS)
#define BUS_IO_LIMIT 0x10000u

/* ---- region bookkeeping ------------------------------------------------ */

/* Index of the region containing addr, or -1. */
static int space_find(const struct bus_space *s, uint64_t addr)
{
    unsigned lo = 0, hi = s->count;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        const struct bus_region *r = &s->regions[mid];
        if (addr < r->base)
            hi = mid;
        else if (addr - r->base >= r->size)
            lo = mid + 1;
        else
            return (int)mid;
    }
    return -1;
}

/* First index whose region starts above addr (where a region at addr goes). */
static unsigned space_insert_pos(const struct bus_space *s, uint64_t base)
{
    unsigned lo = 0, hi = s->count;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (s->regions[mid].base <= base)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const char *kind_name(enum region_kind k)
{
    switch (k) {
    case REGION_RAM: return "RAM";
    case REGION_ROM: return "ROM";
    case REGION_MMIO: return "MMIO";
    }
    return "?";
}

/* Checks [base, base+size) for emptiness, wrap-around, the space's limit
 * and overlap with the regions already there. */
static int space_check(const struct bus_space *s, const struct bus_region *proto,
                       uint64_t limit, struct orr_error *err)
{
    uint64_t base = proto->base, size = proto->size;
    if (size == 0)
        return orr_fail(err, "region '%s' at 0x%llx is empty", proto->name,
                        (unsigned long long)base);
    if (base + (size - 1) < base)
        return orr_fail(err, "region '%s' at 0x%llx of size 0x%llx wraps around the "
                        "address space", proto->name, (unsigned long long)base,
                        (unsigned long long)size);
    if (limit && (base >= limit || size > limit - base))
        return orr_fail(err, "region '%s' at 0x%llx of size 0x%llx lies outside the "
                        "space (limit 0x%llx)", proto->name, (unsigned long long)base,
                        (unsigned long long)size, (unsigned long long)limit);
    unsigned pos = space_insert_pos(s, base);
    const struct bus_region *other = NULL;
    if (pos > 0) {
        const struct bus_region *prev = &s->regions[pos - 1];
        if (base - prev->base < prev->size)
            other = prev;
    }
    if (!other && pos < s->count) {
        const struct bus_region *next = &s->regions[pos];
        if (next->base - base < size)
            other = next;
    }
    if (other)
        return orr_fail(err, "region '%s' [0x%llx, 0x%llx] overlaps %s '%s' [0x%llx, 0x%llx]",
                        proto->name, (unsigned long long)base,
                        (unsigned long long)(base + size - 1), kind_name(other->kind),
                        other->name, (unsigned long long)other->base,
                        (unsigned long long)(other->base + other->size - 1));
    return 0;
}

/* Inserts a copy of *proto after space_check; on failure nothing changes. */
static int space_insert(struct bus_space *s, const struct bus_region *proto,
                        uint64_t limit, struct orr_error *err)
{
    if (space_check(s, proto, limit, err))
        return -1;
    unsigned pos = space_insert_pos(s, proto->base);
    if (s->count == s->cap) {
        unsigned ncap = s->cap ? s->cap * 2 : 16;
        struct bus_region *n = realloc(s->regions, ncap * sizeof *n);
        if (!n)
            return orr_fail(err, "out of memory adding region '%s'", proto->name);
        s->regions = n;
        s->cap = ncap;
    }
    memmove(&s->regions[pos + 1], &s->regions[pos], (s->count - pos) * sizeof *s->regions);
    s->regions[pos] = *proto;
    s->count++;
    return 0;
}

static void space_free(struct bus_space *s)
{
    for (unsigned i = 0; i < s->count; i++) {
        struct bus_region *r = &s->regions[i];
        if (r->host)
            munmap(r->host, (size_t)r->size);
        free(r->code_bits);
    }
    free(s->regions);
    memset(s, 0, sizeof *s);
}

void bus_init(struct bus *bus, const struct logger *log)
{
    memset(bus, 0, sizeof *bus);
    bus->log = log;
}

void bus_destroy(struct bus *bus)
{
    space_free(&bus->mem);
    space_free(&bus->io);
    bus->nlisteners = 0;
}

static void region_proto(struct bus_region *r, const char *name, uint64_t base,
                         uint64_t size, enum region_kind kind)
{
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name ? name : "?");
    r->base = base;
    r->size = size;
    r->kind = kind;
}

static uint64_t region_first_page(const struct bus_region *r)
{
    return r->base >> BUS_PAGE_BITS;
}

static uint64_t region_npages(const struct bus_region *r)
{
    return ((r->base + (r->size - 1)) >> BUS_PAGE_BITS) - region_first_page(r) + 1;
}

static int add_memory(struct bus *bus, const char *name, uint64_t base, uint64_t size,
                      enum region_kind kind, struct orr_error *err)
{
    struct bus_region r;
    region_proto(&r, name, base, size, kind);
    if (size > SIZE_MAX / 2)
        return orr_fail(err, "%s '%s' of 0x%llx bytes is too large for this host",
                        kind_name(kind), r.name, (unsigned long long)size);
    /* Placement first, so a refused region costs no allocation. */
    if (space_check(&bus->mem, &r, 0, err))
        return -1;
    void *host = NULL;
    if (size) {
        host = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (host == MAP_FAILED)
            return orr_fail(err, "cannot allocate %llu MiB of host memory for %s '%s'",
                            (unsigned long long)(size >> 20), kind_name(kind), r.name);
    }
    r.host = host;
    if (kind == REGION_RAM && size) {
        uint64_t npages = region_npages(&r);
        r.code_bits = calloc((size_t)((npages + 7) / 8), 1);
        if (!r.code_bits) {
            munmap(host, (size_t)size);
            return orr_fail(err, "out of memory for RAM '%s'", r.name);
        }
    }
    if (space_insert(&bus->mem, &r, 0, err)) {
        if (host)
            munmap(host, (size_t)size);
        free(r.code_bits);
        return -1;
    }
    return 0;
}

int bus_add_ram(struct bus *bus, const char *name, uint64_t base, uint64_t size,
                struct orr_error *err)
{
    return add_memory(bus, name, base, size, REGION_RAM, err);
}

int bus_add_rom(struct bus *bus, const char *name, uint64_t base, uint64_t size,
                struct orr_error *err)
{
    return add_memory(bus, name, base, size, REGION_ROM, err);
}

static int add_callbacks(struct bus_space *s, const char *name, uint64_t base,
                         uint64_t size, mmio_read_fn read, mmio_write_fn write,
                         void *opaque, unsigned window, uint64_t limit,
                         struct orr_error *err)
{
    struct bus_region r;
    region_proto(&r, name, base, size, REGION_MMIO);
    r.read = read;
    r.write = write;
    r.opaque = opaque;
    r.window = window;
    return space_insert(s, &r, limit, err);
}

int bus_add_mmio(struct bus *bus, const char *name, uint64_t base, uint64_t size,
                 mmio_read_fn read, mmio_write_fn write, void *opaque,
                 unsigned window, struct orr_error *err)
{
    return add_callbacks(&bus->mem, name, base, size, read, write, opaque, window, 0, err);
}

int bus_add_io(struct bus *bus, const char *name, uint64_t port, uint64_t count,
               mmio_read_fn read, mmio_write_fn write, void *opaque,
               unsigned window, struct orr_error *err)
{
    return add_callbacks(&bus->io, name, port, count, read, write, opaque, window,
                         BUS_IO_LIMIT, err);
}

const struct bus_region *bus_find(const struct bus *bus, uint64_t addr)
{
    int i = space_find(&bus->mem, addr);
    return i < 0 ? NULL : &bus->mem.regions[i];
}

const struct bus_region *bus_find_io(const struct bus *bus, uint64_t port)
{
    int i = space_find(&bus->io, port);
    return i < 0 ? NULL : &bus->io.regions[i];
}

uint8_t *bus_host_ptr(const struct bus *bus, uint64_t addr, uint64_t len, bool *is_rom)
{
    const struct bus_region *r = bus_find(bus, addr);
    if (!r || r->kind == REGION_MMIO)
        return NULL;
    uint64_t off = addr - r->base;
    if (len > r->size - off)
        return NULL;
    if (is_rom)
        *is_rom = r->kind == REGION_ROM;
    return r->host + off;
}

/* ---- decoded-code tracking --------------------------------------------- */

static bool code_bit_test(const struct bus_region *r, uint64_t addr)
{
    uint64_t i = (addr >> BUS_PAGE_BITS) - region_first_page(r);
    return (r->code_bits[i >> 3] >> (i & 7)) & 1;
}

/* Unmarks the page of addr (which lies in RAM region r) and tells every
 * listener. The bit is cleared before the listeners run, so one that decodes
 * the page again from its callback may mark it afresh. */
static void code_page_written(struct bus *bus, struct bus_region *r, uint64_t addr)
{
    uint64_t i = (addr >> BUS_PAGE_BITS) - region_first_page(r);
    r->code_bits[i >> 3] &= (uint8_t)~(1u << (i & 7));
    uint64_t ppage = addr & ~(BUS_PAGE_SIZE - 1);
    for (unsigned l = 0; l < bus->nlisteners; l++)
        if (bus->listeners[l].code_written)
            bus->listeners[l].code_written(bus->listeners[l].opaque, ppage);
}

/* Notifies for every marked page of [addr, addr+len) inside RAM region r
 * (the range must lie within r). */
static void code_check_range(struct bus *bus, struct bus_region *r, uint64_t addr,
                             uint64_t len)
{
    if (!len)
        return;
    uint64_t first = addr >> BUS_PAGE_BITS;
    uint64_t last = (addr + (len - 1)) >> BUS_PAGE_BITS;
    for (uint64_t p = first; p <= last; p++) {
        uint64_t page_addr = p << BUS_PAGE_BITS;
        uint64_t a = page_addr < r->base ? r->base : page_addr;
        if (code_bit_test(r, a))
            code_page_written(bus, r, a);
    }
}

int bus_add_listener(struct bus *bus, const struct bus_listener *l)
{
    if (bus->nlisteners >= BUS_MAX_LISTENERS)
        return -1;
    bus->listeners[bus->nlisteners++] = *l;
    return 0;
}

void bus_mark_code(struct bus *bus, uint64_t addr)
{
    int i = space_find(&bus->mem, addr);
    if (i < 0)
        return;
    struct bus_region *r = &bus->mem.regions[i];
    if (r->kind != REGION_RAM)
        return;
    uint64_t bit = (addr >> BUS_PAGE_BITS) - region_first_page(r);
    uint8_t mask = (uint8_t)(1u << (bit & 7));
    if (r->code_bits[bit >> 3] & mask)
        return;
    r->code_bits[bit >> 3] |= mask;
    uint64_t ppage = addr & ~(BUS_PAGE_SIZE - 1);
    for (unsigned l = 0; l < bus->nlisteners; l++)
        if (bus->listeners[l].code_marked)
            bus->listeners[l].code_marked(bus->listeners[l].opaque, ppage);
}

bool bus_page_has_code(const struct bus *bus, uint64_t addr)
{
    const struct bus_region *r = bus_find(bus, addr);
    return r && r->kind == REGION_RAM && code_bit_test(r, addr);
}

void bus_notify_write(struct bus *bus, uint64_t addr, uint64_t len)
{
    while (len) {
        int i = space_find(&bus->mem, addr);
        uint64_t chunk;
        if (i < 0) {
            /* Skip to the next region (or give up past the last one). */
            unsigned pos = space_insert_pos(&bus->mem, addr);
            if (pos >= bus->mem.count)
                return;
            uint64_t gap = bus->mem.regions[pos].base - addr;
            if (gap >= len)
                return;
            addr += gap;
            len -= gap;
            continue;
        }
        struct bus_region *r = &bus->mem.regions[i];
        uint64_t room = r->size - (addr - r->base);
        chunk = len < room ? len : room;
        if (r->kind == REGION_RAM)
            code_check_range(bus, r, addr, chunk);
        addr += chunk;
        len -= chunk;
        if (addr == 0)      /* wrapped past the top of the space */
            return;
    }
}

/* ---- single accesses --------------------------------------------------- */

static bool valid_size(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

/* An access wholly inside region r. */
static int region_read(struct bus_region *r, uint64_t addr, unsigned size, uint64_t *value)
{
    uint64_t off = addr - r->base;
    if (r->kind != REGION_MMIO) {
        *value = le_load(r->host + off, size);
        return BUS_OK;
    }
    if (!r->read)
        return BUS_ERROR;
    uint64_t v = 0;
    int st = r->read(r->opaque, r->window, off, size, &v);
    if (size < 8)
        v &= (UINT64_C(1) << (size * 8)) - 1;
    *value = v;
    return st;
}

static int region_write(struct bus *bus, struct bus_region *r, uint64_t addr,
                        unsigned size, uint64_t value, bool allow_rom)
{
    uint64_t off = addr - r->base;
    switch (r->kind) {
    case REGION_RAM:
        le_store(r->host + off, size, value);
        code_check_range(bus, r, addr, size);
        return BUS_OK;
    case REGION_ROM:
        if (!allow_rom)
            return BUS_READONLY;
        le_store(r->host + off, size, value);
        return BUS_OK;
    case REGION_MMIO:
        if (!r->write)
            return BUS_ERROR;
        if (size < 8)
            value &= (UINT64_C(1) << (size * 8)) - 1;
        return r->write(r->opaque, r->window, off, size, value);
    }
    return BUS_ERROR;
}

static const char *space_name(const struct bus *bus, const struct bus_space *s)
{
    return s == &bus->io ? "port" : "address";
}

static void log_status(const struct bus *bus, const struct bus_space *s, int st,
                       bool write, uint64_t addr, unsigned size, uint64_t value)
{
    if (st == BUS_OK || !log_enabled(bus->log, LOG_MEM))
        return;
    const char *what = st == BUS_UNMAPPED ? "unmapped" :
                       st == BUS_READONLY ? "read-only" : "refused";
    if (write)
        log_msg(bus->log, LOG_MEM, "%s write of %u bytes to %s 0x%llx (value 0x%llx)",
                what, size, space_name(bus, s), (unsigned long long)addr,
                (unsigned long long)value);
    else
        log_msg(bus->log, LOG_MEM, "%s read of %u bytes from %s 0x%llx", what, size,
                space_name(bus, s), (unsigned long long)addr);
}

/* Reads size bytes one at a time (an access straddling regions). Every byte
 * must be mapped; the first failing status is returned. */
static int split_read(struct bus_space *s, uint64_t addr, unsigned size, uint64_t *value)
{
    uint64_t v = 0;
    int status = BUS_OK;
    for (unsigned i = 0; i < size; i++) {
        int idx = space_find(s, addr + i);
        if (idx < 0 || (i && addr + i == 0))
            return BUS_UNMAPPED;
        uint64_t b = 0;
        int st = region_read(&s->regions[idx], addr + i, 1, &b);
        if (st != BUS_OK && status == BUS_OK)
            status = st;
        v |= (b & 0xff) << (8 * i);
    }
    *value = v;
    return status;
}

/* Writes size bytes one at a time. Nothing is written unless every byte is
 * mapped; ROM bytes are dropped (BUS_READONLY) while the others land. */
static int split_write(struct bus *bus, struct bus_space *s, uint64_t addr, unsigned size,
                       uint64_t value)
{
    for (unsigned i = 0; i < size; i++)
        if (space_find(s, addr + i) < 0 || (i && addr + i == 0))
            return BUS_UNMAPPED;
    int status = BUS_OK;
    for (unsigned i = 0; i < size; i++) {
        struct bus_region *r = &s->regions[space_find(s, addr + i)];
        int st = region_write(bus, r, addr + i, 1, (value >> (8 * i)) & 0xff, false);
        if (st != BUS_OK && status == BUS_OK)
            status = st;
    }
    return status;
}

static int space_read(struct bus *bus, struct bus_space *s, uint64_t addr, unsigned size,
                      uint64_t *value)
{
    *value = 0;
    if (!valid_size(size))
        return BUS_ERROR;
    int st;
    int idx = space_find(s, addr);
    if (idx < 0) {
        st = BUS_UNMAPPED;
    } else {
        struct bus_region *r = &s->regions[idx];
        if (addr - r->base <= r->size - size && r->size >= size)
            st = region_read(r, addr, size, value);
        else
            st = split_read(s, addr, size, value);
    }
    log_status(bus, s, st, false, addr, size, 0);
    return st;
}

static int space_write(struct bus *bus, struct bus_space *s, uint64_t addr, unsigned size,
                       uint64_t value)
{
    if (!valid_size(size))
        return BUS_ERROR;
    int st;
    int idx = space_find(s, addr);
    if (idx < 0) {
        st = BUS_UNMAPPED;
    } else {
        struct bus_region *r = &s->regions[idx];
        if (addr - r->base <= r->size - size && r->size >= size)
            st = region_write(bus, r, addr, size, value, false);
        else
            st = split_write(bus, s, addr, size, value);
    }
    log_status(bus, s, st, true, addr, size, value);
    return st;
}

int bus_read(struct bus *bus, uint64_t addr, unsigned size, uint64_t *value)
{
    return space_read(bus, &bus->mem, addr, size, value);
}

int bus_write(struct bus *bus, uint64_t addr, unsigned size, uint64_t value)
{
    return space_write(bus, &bus->mem, addr, size, value);
}

/* x86 I/O ports (Intel SDM Vol. 1 18.2, 18.3): a port nobody decodes
 * reads as all ones (the data bus floats high) and a write to it goes
 * nowhere, with no fault. An access that only partly falls on devices is
 * made byte by byte, the unclaimed bytes reading 0xFF and their writes
 * dropped. The status still says BUS_UNMAPPED when no byte was claimed
 * (for the log and the caller's curiosity); the value is valid either way. */
int bus_io_read(struct bus *bus, uint64_t port, unsigned size, uint64_t *value)
{
    int st = space_read(bus, &bus->io, port, size, value);
    if (st != BUS_UNMAPPED || !valid_size(size))
        return st;
    uint64_t v = 0;
    bool claimed = false;
    for (unsigned i = 0; i < size; i++) {
        uint64_t b = 0xff;
        int idx = space_find(&bus->io, port + i);
        if (idx >= 0 && region_read(&bus->io.regions[idx], port + i, 1, &b) == BUS_OK)
            claimed = true;
        v |= (b & 0xff) << (8 * i);
    }
    *value = v;
    return claimed ? BUS_OK : BUS_UNMAPPED;
}

int bus_io_write(struct bus *bus, uint64_t port, unsigned size, uint64_t value)
{
    int st = space_write(bus, &bus->io, port, size, value);
    if (st != BUS_UNMAPPED || !valid_size(size))
        return st;
    bool claimed = false;
    for (unsigned i = 0; i < size; i++) {
        int idx = space_find(&bus->io, port + i);
        if (idx >= 0 && region_write(bus, &bus->io.regions[idx], port + i, 1,
                                     (value >> (8 * i)) & 0xff, false) == BUS_OK)
            claimed = true;
    }
    return claimed ? BUS_OK : BUS_UNMAPPED;
}

/* ---- block copies ------------------------------------------------------ */

/* BUS_UNMAPPED unless every byte of [addr, addr+len) lies in some region. */
static int check_mapped(struct bus *bus, uint64_t addr, uint64_t len)
{
    if (len && addr + (len - 1) < addr)
        return BUS_UNMAPPED;
    while (len) {
        int idx = space_find(&bus->mem, addr);
        if (idx < 0) {
            log_msg(bus->log, LOG_MEM, "unmapped block access at address 0x%llx",
                    (unsigned long long)addr);
            return BUS_UNMAPPED;
        }
        const struct bus_region *r = &bus->mem.regions[idx];
        uint64_t room = r->size - (addr - r->base);
        uint64_t chunk = len < room ? len : room;
        addr += chunk;
        len -= chunk;
    }
    return BUS_OK;
}

int bus_read_block(struct bus *bus, uint64_t addr, void *buf, uint64_t len)
{
    int st = check_mapped(bus, addr, len);
    if (st != BUS_OK)
        return st;
    uint8_t *out = buf;
    int status = BUS_OK;
    while (len) {
        struct bus_region *r = &bus->mem.regions[space_find(&bus->mem, addr)];
        uint64_t off = addr - r->base;
        uint64_t room = r->size - off;
        uint64_t chunk = len < room ? len : room;
        if (r->kind != REGION_MMIO) {
            memcpy(out, r->host + off, (size_t)chunk);
        } else {
            for (uint64_t i = 0; i < chunk; i++) {
                uint64_t v = 0;
                int s = region_read(r, addr + i, 1, &v);
                if (s != BUS_OK && status == BUS_OK)
                    status = s;
                out[i] = (uint8_t)v;
            }
        }
        out += chunk;
        addr += chunk;
        len -= chunk;
    }
    return status;
}

int bus_write_block(struct bus *bus, uint64_t addr, const void *buf, uint64_t len,
                    bool allow_rom)
{
    int st = check_mapped(bus, addr, len);
    if (st != BUS_OK)
        return st;
    const uint8_t *in = buf;
    int status = BUS_OK;
    while (len) {
        struct bus_region *r = &bus->mem.regions[space_find(&bus->mem, addr)];
        uint64_t off = addr - r->base;
        uint64_t room = r->size - off;
        uint64_t chunk = len < room ? len : room;
        if (r->kind == REGION_RAM) {
            memcpy(r->host + off, in, (size_t)chunk);
            code_check_range(bus, r, addr, chunk);
        } else if (r->kind == REGION_ROM) {
            if (allow_rom)
                memcpy(r->host + off, in, (size_t)chunk);
            else if (status == BUS_OK)
                status = BUS_READONLY;
        } else {
            for (uint64_t i = 0; i < chunk; i++) {
                int s = region_write(bus, r, addr + i, 1, in[i], false);
                if (s != BUS_OK && status == BUS_OK)
                    status = s;
            }
        }
        in += chunk;
        addr += chunk;
        len -= chunk;
    }
    return status;
}
