/* In-memory snapshots with shared pages (see machine/timeline.h). */
#include "machine/timeline.h"

#include <stdlib.h>
#include <string.h>

#include "machine/machine.h"
#include "machine/state.h"

#define PAGE STATE_PAGE_SIZE

struct timeline_page {
    unsigned refs;
    uint8_t data[PAGE];
};

void timeline_init(struct timeline *t, uint64_t interval, size_t budget)
{
    memset(t, 0, sizeof *t);
    t->interval = interval;
    t->budget = budget;
}

/* Pages of RAM and ROM, numbered across the regions in address order. */
static size_t count_pages(const struct machine *m)
{
    size_t n = 0;
    for (unsigned i = 0; i < m->bus.mem.count; i++) {
        const struct bus_region *r = &m->bus.mem.regions[i];
        if (r->kind != REGION_MMIO)
            n += (size_t)(r->size / PAGE);
    }
    return n;
}

static void release_page(struct timeline *t, struct timeline_page *p)
{
    if (p && --p->refs == 0) {
        free(p);
        t->used -= sizeof *p;
    }
}

static void release_snap(struct timeline *t, struct timeline_snap *s)
{
    for (size_t i = 0; s->pages && i < t->npages; i++)
        release_page(t, s->pages[i]);
    free(s->pages);
    free(s->state);
    t->used -= s->state_len + t->npages * sizeof *s->pages;
    memset(s, 0, sizeof *s);
}

void timeline_free(struct timeline *t)
{
    for (size_t i = 0; i < t->count; i++)
        release_snap(t, &t->snaps[i]);
    free(t->snaps);
    memset(t, 0, sizeof *t);
}

void timeline_drop_after(struct timeline *t, uint64_t executed)
{
    while (t->count && t->snaps[t->count - 1].executed > executed)
        release_snap(t, &t->snaps[--t->count]);
}

static void drop_oldest(struct timeline *t)
{
    release_snap(t, &t->snaps[0]);
    memmove(t->snaps, t->snaps + 1, (t->count - 1) * sizeof *t->snaps);
    t->count--;
}

static bool page_is_zero(const uint8_t *p)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < PAGE; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        acc |= v;
    }
    return acc == 0;
}

int timeline_take(struct timeline *t, struct machine *m, struct orr_error *err)
{
    if (t->npages == 0)
        t->npages = count_pages(m);
    else if (t->npages != count_pages(m))
        return orr_fail(err, "the machine's memory changed size");
    timeline_drop_after(t, m->executed);
    if (t->count && t->snaps[t->count - 1].executed == m->executed)
        release_snap(t, &t->snaps[--t->count]);
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct timeline_snap *n = realloc(t->snaps, cap * sizeof *n);
        if (!n)
            return orr_fail(err, "out of memory for the reverse history");
        t->snaps = n;
        t->cap = cap;
    }
    struct timeline_snap s = { .executed = m->executed, .time_ns = m->clock.now_ns };
    struct state_writer w;
    state_writer_init(&w);
    if (machine_save_without_memory(m, &w) || state_writer_finish(&w, err)) {
        state_writer_free(&w);
        return orr_fail(err, "out of memory for the reverse history");
    }
    s.state = w.buf;
    s.state_len = w.len;
    s.pages = calloc(t->npages ? t->npages : 1, sizeof *s.pages);
    if (!s.pages) {
        free(s.state);
        return orr_fail(err, "out of memory for the reverse history");
    }
    t->used += s.state_len + t->npages * sizeof *s.pages;
    const struct timeline_snap *prev = t->count ? &t->snaps[t->count - 1] : NULL;
    size_t k = 0;
    int rc = 0;
    for (unsigned i = 0; i < m->bus.mem.count && rc == 0; i++) {
        const struct bus_region *r = &m->bus.mem.regions[i];
        if (r->kind == REGION_MMIO)
            continue;
        for (uint64_t off = 0; off + PAGE <= r->size; off += PAGE, k++) {
            const uint8_t *src = r->host + off;
            struct timeline_page *old = prev ? prev->pages[k] : NULL;
            if (old && memcmp(old->data, src, PAGE) == 0) {
                old->refs++;
                s.pages[k] = old;
                continue;
            }
            if (page_is_zero(src))
                continue;
            struct timeline_page *p = malloc(sizeof *p);
            if (!p) {
                rc = -1;
                break;
            }
            p->refs = 1;
            memcpy(p->data, src, PAGE);
            s.pages[k] = p;
            t->used += sizeof *p;
        }
    }
    t->snaps[t->count++] = s;
    if (rc) {
        release_snap(t, &t->snaps[--t->count]);
        return orr_fail(err, "out of memory for the reverse history");
    }
    while (t->count > 1 && t->used > t->budget)
        drop_oldest(t);
    return 0;
}

int timeline_maybe_take(struct timeline *t, struct machine *m, struct orr_error *err)
{
    if (t->count && m->executed < t->snaps[t->count - 1].executed + t->interval)
        return 0;
    return timeline_take(t, m, err);
}

long timeline_find(const struct timeline *t, uint64_t executed)
{
    for (size_t i = t->count; i-- > 0;)
        if (t->snaps[i].executed <= executed)
            return (long)i;
    return -1;
}

int timeline_restore(struct timeline *t, size_t i, struct machine *m, struct orr_error *err)
{
    if (i >= t->count)
        return orr_fail(err, "no such snapshot");
    const struct timeline_snap *s = &t->snaps[i];
    struct state_reader r;
    if (state_reader_init(&r, s->state, s->state_len, err))
        return -1;
    /* Devices and CPUs first: their checks (a disk image changed since)
     * refuse before memory is touched. */
    if (machine_load_without_memory(m, &r, err))
        return -1;      /* -2 (half loaded) cannot come from a stream we wrote */
    size_t k = 0;
    for (unsigned j = 0; j < m->bus.mem.count; j++) {
        struct bus_region *reg = &m->bus.mem.regions[j];
        if (reg->kind == REGION_MMIO)
            continue;
        for (uint64_t off = 0; off + PAGE <= reg->size; off += PAGE, k++) {
            uint8_t *dst = reg->host + off;
            if (s->pages[k])
                memcpy(dst, s->pages[k]->data, PAGE);
            else if (!page_is_zero(dst))
                memset(dst, 0, PAGE);
        }
        if (reg->kind == REGION_RAM)
            bus_notify_write(&m->bus, reg->base, reg->size);
    }
    return 0;
}
