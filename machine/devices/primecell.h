/* The access rules PrimeCell register files share (PL011 aside, whose data
 * register has its own): 32-bit registers at word offsets in one window
 * of `region` bytes. A byte or halfword read returns the addressed part of
 * the word; a narrow write at a word's offset writes the zero-extended
 * value; other partial writes are ignored and 64-bit accesses are a bus
 * error (machine/bus.h). */
#ifndef ORRERY_MACHINE_DEVICES_PRIMECELL_H
#define ORRERY_MACHINE_DEVICES_PRIMECELL_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/log.h"
#include "machine/bus.h"

/* Whether the access goes to a register. If not, it is logged and *rc is
 * what the read or write callback returns. word_only: reads too must be
 * at word offsets (a register with read side effects on every lane). */
static inline bool primecell_access_ok(const struct logger *log, const char *path,
                                       uint64_t region, unsigned window, uint64_t offset,
                                       unsigned size, bool write, bool word_only, int *rc)
{
    uint64_t align = write || word_only ? 3u : (uint64_t)size - 1u;
    if (window == 0 && offset < region && (size == 1 || size == 2 || size == 4) &&
        !(offset & align))
        return true;
    log_msg(log, LOG_DEV, "%s: bad %s of size %u at window %u offset 0x%llx", path,
            write ? "write" : "read", size, window, (unsigned long long)offset);
    *rc = size == 8 ? BUS_ERROR : BUS_OK;
    return false;
}

/* The bytes of `word` a read of size bytes at offset returns. */
static inline uint64_t primecell_lane(uint32_t word, uint64_t offset, unsigned size)
{
    uint32_t mask = size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
    return (word >> (((unsigned)offset & 3u) * 8)) & mask;
}

/* The value a narrow write at a word offset writes: zero-extended. */
static inline uint32_t primecell_write_value(uint64_t value, unsigned size)
{
    return (uint32_t)value & (size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1);
}

#endif
