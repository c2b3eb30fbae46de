/* The decoded-instruction cache: decode once, execute many times.
 *
 * Records are ISA-defined fixed-size structs (an all-zero record means "not
 * decoded yet"), grouped per guest physical page and per instruction-set
 * mode (ARM/Thumb, x86 code size...), so a page's records are one array
 * indexed by (pa & page mask) / granule. Pages live in a hash table keyed by
 * physical page and mode. When a page holding records is written, the bus
 * tells the owner, which calls dcache_invalidate_phys_page; `generation`
 * changes on every invalidation so an executor holding a records pointer
 * across a store can notice self-modifying code. */
#ifndef ORRERY_CPU_DCACHE_H
#define ORRERY_CPU_DCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

#define DCACHE_BUCKETS 1024
#define DCACHE_MAX_MODES 8     /* mode values are 0..DCACHE_MAX_MODES-1 */

struct dcache_page {
    uint64_t ppage;            /* physical page address */
    unsigned mode;
    struct dcache_page *next;  /* hash chain, or free list */
    unsigned char *records;
};

struct dcache {
    size_t record_size;
    unsigned records_per_page;
    unsigned max_pages;        /* beyond this the whole cache is flushed */
    unsigned npages;
    uint64_t generation;
    uint64_t flushes;
    struct dcache_page *buckets[DCACHE_BUCKETS];
    struct dcache_page *free_pages;
    /* one-entry memo of the last lookup */
    struct dcache_page *last;
};

int dcache_init(struct dcache *dc, size_t record_size, unsigned records_per_page,
                unsigned max_pages, struct orr_error *err) ORR_MUST_CHECK;
void dcache_destroy(struct dcache *dc);

static inline unsigned dcache_hash(uint64_t ppage, unsigned mode)
{
    uint64_t h = (ppage >> 12) * 0x9E3779B97F4A7C15ull + mode;
    return (unsigned)(h >> 54) & (DCACHE_BUCKETS - 1);
}

/* Records of (ppage, mode), or NULL if that page has none yet. */
static inline void *dcache_lookup(struct dcache *dc, uint64_t ppage, unsigned mode)
{
    struct dcache_page *p = dc->last;
    if (p && p->ppage == ppage && p->mode == mode)
        return p->records;
    for (p = dc->buckets[dcache_hash(ppage, mode)]; p; p = p->next)
        if (p->ppage == ppage && p->mode == mode) {
            dc->last = p;
            return p->records;
        }
    return NULL;
}

/* Creates the (zeroed) records of (ppage, mode). May flush everything first
 * when full (generation changes). Returns NULL only if out of host memory. */
void *dcache_create(struct dcache *dc, uint64_t ppage, unsigned mode);

/* Drops the records of ppage in every mode. Returns how many pages went.
 * A dropped page's records stay readable, unchanged, until the next
 * dcache_create reuses them, so an executor may finish the instruction
 * whose own store dropped the page it came from. */
unsigned dcache_invalidate_phys_page(struct dcache *dc, uint64_t ppage);
void dcache_flush(struct dcache *dc);

#endif
