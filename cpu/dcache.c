#include "cpu/dcache.h"

#include <stdlib.h>
#include <string.h>

int dcache_init(struct dcache *dc, size_t record_size, unsigned records_per_page,
                unsigned max_pages, struct orr_error *err)
{
    memset(dc, 0, sizeof *dc);
    if (!record_size || !records_per_page || !max_pages)
        return orr_fail(err, "decoded cache: bad geometry");
    dc->record_size = record_size;
    dc->records_per_page = records_per_page;
    dc->max_pages = max_pages;
    return 0;
}

static void free_chain(struct dcache_page *p)
{
    while (p) {
        struct dcache_page *next = p->next;
        free(p->records);
        free(p);
        p = next;
    }
}

void dcache_destroy(struct dcache *dc)
{
    for (unsigned i = 0; i < DCACHE_BUCKETS; i++)
        free_chain(dc->buckets[i]);
    free_chain(dc->free_pages);
    memset(dc->buckets, 0, sizeof dc->buckets);
    dc->free_pages = NULL;
    dc->last = NULL;
    dc->npages = 0;
}

static void release_page(struct dcache *dc, struct dcache_page *p)
{
    p->next = dc->free_pages;
    dc->free_pages = p;
    dc->npages--;
}

void dcache_flush(struct dcache *dc)
{
    for (unsigned i = 0; i < DCACHE_BUCKETS; i++) {
        struct dcache_page *p = dc->buckets[i];
        while (p) {
            struct dcache_page *next = p->next;
            release_page(dc, p);
            p = next;
        }
        dc->buckets[i] = NULL;
    }
    dc->last = NULL;
    dc->generation++;
    dc->flushes++;
}

void *dcache_create(struct dcache *dc, uint64_t ppage, unsigned mode)
{
    if (dc->npages >= dc->max_pages)
        dcache_flush(dc);
    size_t bytes = dc->record_size * dc->records_per_page;
    struct dcache_page *p = dc->free_pages;
    if (p) {
        dc->free_pages = p->next;
        memset(p->records, 0, bytes);
    } else {
        p = malloc(sizeof *p);
        if (!p)
            return NULL;
        p->records = calloc(1, bytes);
        if (!p->records) {
            free(p);
            return NULL;
        }
    }
    p->ppage = ppage;
    p->mode = mode;
    unsigned b = dcache_hash(ppage, mode);
    p->next = dc->buckets[b];
    dc->buckets[b] = p;
    dc->npages++;
    dc->last = p;
    return p->records;
}

unsigned dcache_invalidate_phys_page(struct dcache *dc, uint64_t ppage)
{
    unsigned dropped = 0;
    /* A page may exist in several modes; each lives in its own bucket. The
     * number of modes is small, so scan the buckets each could hash to. */
    for (unsigned mode = 0; mode < DCACHE_MAX_MODES; mode++) {
        struct dcache_page **pp = &dc->buckets[dcache_hash(ppage, mode)];
        while (*pp) {
            struct dcache_page *p = *pp;
            if (p->ppage == ppage) {
                *pp = p->next;
                if (dc->last == p)
                    dc->last = NULL;
                release_page(dc, p);
                dropped++;
            } else {
                pp = &p->next;
            }
        }
    }
    if (dropped)
        dc->generation++;
    return dropped;
}
