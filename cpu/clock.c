#include "cpu/clock.h"

#include <string.h>
#include <time.h>

static bool event_before(const struct clock_event *a, const struct clock_event *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return a->seq < b->seq;
}

static void heap_place(struct vclock *clk, unsigned i, struct clock_event *ev)
{
    clk->heap[i] = ev;
    ev->heap_index = (int)i;
}

static void heap_sift_up(struct vclock *clk, unsigned i)
{
    struct clock_event *ev = clk->heap[i];
    while (i > 0) {
        unsigned parent = (i - 1) / 2;
        if (!event_before(ev, clk->heap[parent]))
            break;
        heap_place(clk, i, clk->heap[parent]);
        i = parent;
    }
    heap_place(clk, i, ev);
}

static void heap_sift_down(struct vclock *clk, unsigned i)
{
    struct clock_event *ev = clk->heap[i];
    for (;;) {
        unsigned l = 2 * i + 1, r = l + 1, best = i;
        const struct clock_event *best_ev = ev;
        if (l < clk->nheap && event_before(clk->heap[l], best_ev)) {
            best = l;
            best_ev = clk->heap[l];
        }
        if (r < clk->nheap && event_before(clk->heap[r], best_ev))
            best = r;
        if (best == i)
            break;
        heap_place(clk, i, clk->heap[best]);
        i = best;
    }
    heap_place(clk, i, ev);
}

static void heap_remove(struct vclock *clk, unsigned i)
{
    struct clock_event *ev = clk->heap[i];
    ev->heap_index = -1;
    clk->nheap--;
    if (i == clk->nheap)
        return;
    struct clock_event *moved = clk->heap[clk->nheap];
    heap_place(clk, i, moved);
    heap_sift_down(clk, i);
    heap_sift_up(clk, (unsigned)moved->heap_index);
}

/* Host wall clock minus host monotonic clock, in ns. */
static int64_t host_wall_offset(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t wall = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    return wall - (int64_t)clock_host_ns();
}

void clock_init(struct vclock *clk, enum clock_mode mode, uint32_t ns_per_insn)
{
    memset(clk, 0, sizeof *clk);
    clk->mode = mode;
    clk->ns_per_insn = ns_per_insn ? ns_per_insn : 1;
    clk->host_base_ns = clock_host_ns();
    clk->virtual_epoch_ns = (uint64_t)CLOCK_VIRTUAL_EPOCH_S * 1000000000u;
    if (mode == CLOCK_MODE_REALTIME)
        clk->host_wall_offset_ns = host_wall_offset();
}

void clock_reset(struct vclock *clk)
{
    while (clk->nheap)
        heap_remove(clk, clk->nheap - 1);
    clk->now_ns = 0;
    clk->next_seq = 0;
    clk->host_base_ns = clock_host_ns();
    if (clk->mode == CLOCK_MODE_REALTIME)
        clk->host_wall_offset_ns = host_wall_offset();
}

void clock_event_init(struct clock_event *ev, const char *name,
                      void (*fire)(void *opaque, uint64_t now_ns), void *opaque)
{
    memset(ev, 0, sizeof *ev);
    ev->name = name;
    ev->fire = fire;
    ev->opaque = opaque;
    ev->heap_index = -1;
}

int clock_event_schedule(struct vclock *clk, struct clock_event *ev, uint64_t deadline_ns)
{
    if (ev->heap_index >= 0)
        heap_remove(clk, (unsigned)ev->heap_index);
    if (clk->nheap >= CLOCK_MAX_EVENTS)
        return -1;
    ev->deadline = deadline_ns;
    ev->seq = clk->next_seq++;
    heap_place(clk, clk->nheap++, ev);
    heap_sift_up(clk, clk->nheap - 1);
    if (clk->run_end)
        *clk->run_end = true;
    return 0;
}

void clock_event_restore_seq(struct vclock *clk, struct clock_event *ev, uint64_t seq)
{
    if (ev->heap_index < 0)
        return;
    heap_remove(clk, (unsigned)ev->heap_index);
    ev->seq = seq;
    heap_place(clk, clk->nheap++, ev);
    heap_sift_up(clk, clk->nheap - 1);
}

void clock_event_cancel(struct vclock *clk, struct clock_event *ev)
{
    if (ev->heap_index >= 0)
        heap_remove(clk, (unsigned)ev->heap_index);
}

uint64_t clock_next_deadline(const struct vclock *clk)
{
    return clk->nheap ? clk->heap[0]->deadline : CLOCK_NEVER;
}

unsigned clock_advance_to(struct vclock *clk, uint64_t t)
{
    unsigned fired = 0;
    while (clk->nheap && clk->heap[0]->deadline <= t) {
        struct clock_event *ev = clk->heap[0];
        heap_remove(clk, 0);
        if (ev->deadline > clk->now_ns)
            clk->now_ns = ev->deadline;
        ev->fire(ev->opaque, clk->now_ns);
        fired++;
    }
    if (t > clk->now_ns)
        clk->now_ns = t;
    return fired;
}

uint64_t clock_host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t clock_realtime_now(const struct vclock *clk)
{
    uint64_t host = clock_host_ns();
    return host > clk->host_base_ns ? host - clk->host_base_ns : 0;
}

uint64_t clock_wall_base_ns(const struct vclock *clk)
{
    if (clk->mode != CLOCK_MODE_REALTIME)
        return clk->virtual_epoch_ns;
    int64_t base = (int64_t)clk->host_base_ns + clk->host_wall_offset_ns;
    return base > 0 ? (uint64_t)base : 0;
}
