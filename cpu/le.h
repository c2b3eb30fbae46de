/* Little-endian byte order, the same on every host: guest memory is stored
 * little-endian (machine/bus.h), and so are the save-state, snapshot and
 * journal formats and GDB's x86 registers. One set of helpers for all of
 * them; the 1-, 2- and 4-byte forms are the memory access paths' (the
 * soft TLB's host pointers), the 8-byte form one host load. */
#ifndef ORRERY_CPU_LE_H
#define ORRERY_CPU_LE_H

#include <stdint.h>
#include <string.h>

/* n bytes at p (n <= 8) as a number. */
static inline uint64_t le_load(const uint8_t *p, unsigned n)
{
    switch (n) {
    case 1:
        return p[0];
    case 2:
        return (uint64_t)p[0] | (uint64_t)p[1] << 8;
    case 4:
        return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
               (uint64_t)p[3] << 24;
    case 8: {
        uint64_t v;
        memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap64(v);
#endif
        return v;
    }
    default: {
        uint64_t v = 0;
        for (unsigned i = n; i-- > 0;)
            v = v << 8 | p[i];
        return v;
    }
    }
}

/* The low n bytes of v (n <= 8) at p. */
static inline void le_store(uint8_t *p, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

#endif
