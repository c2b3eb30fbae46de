/* The per-machine virtual clock and its event queue.
 *
 * Time is a 64-bit count of nanoseconds since machine reset. Devices own
 * named events (struct clock_event, embedded in the device state) and
 * schedule them at absolute deadlines; the run loop executes the CPU until
 * the earliest deadline, then fires what is due, in deadline order (ties in
 * scheduling order, so runs are reproducible).
 *
 * CLOCK_MODE_VIRTUAL: time advances only by executed instructions (ns_per_insn
 * each) and by idle jumps to the next event: bit-for-bit reproducible.
 * CLOCK_MODE_REALTIME: time follows the host monotonic clock; an idle CPU sleeps
 * until the next deadline.
 *
 * Wall-clock time (what a real-time clock device shows) is the machine's
 * time plus a base: in virtual mode a fixed date, CLOCK_VIRTUAL_EPOCH_S
 * unless the owner sets virtual_epoch_ns after clock_init, so runs stay
 * reproducible; in realtime mode the host's wall clock, read once at
 * clock_init/clock_reset as an offset from the host monotonic clock, so it
 * follows host_base_ns (and save-state restores) without further host
 * reads. Devices read it only through clock_wall_base_ns. */
#ifndef ORRERY_CPU_CLOCK_H
#define ORRERY_CPU_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/error.h"

#define CLOCK_NEVER UINT64_MAX
#define CLOCK_MAX_EVENTS 128
/* Virtual mode's default wall-clock time at now_ns == 0: 2000-01-01T00:00:00Z. */
#define CLOCK_VIRTUAL_EPOCH_S 946684800u

/* Prefixed: <time.h> already owns the name CLOCK_MODE_REALTIME (a host clock id). */
enum clock_mode { CLOCK_MODE_VIRTUAL, CLOCK_MODE_REALTIME };

struct clock_event {
    const char *name;                 /* stable; used in save states and `info events` */
    void (*fire)(void *opaque, uint64_t now_ns);
    void *opaque;
    uint64_t deadline;                /* valid while pending */
    uint64_t seq;                     /* scheduling order, breaks ties */
    int heap_index;                   /* -1 when not pending */
};

struct vclock {
    enum clock_mode mode;
    uint64_t now_ns;
    uint32_t ns_per_insn;             /* virtual mode: cost of one instruction */
    uint64_t host_base_ns;            /* realtime: host time at now_ns == 0 */
    uint64_t virtual_epoch_ns;        /* virtual: wall-clock ns since 1970 at now_ns == 0 */
    int64_t host_wall_offset_ns;      /* realtime: host wall clock minus host monotonic */
    uint64_t next_seq;
    /* While a CPU runs a slice: the count of the slice's instructions it
     * completed (devices read the time of their access with clock_now),
     * and a flag the clock raises when an event is scheduled mid-slice,
     * since the slice's budget was computed without it. NULL between
     * slices, and for CPUs that do not publish them (then devices see the
     * slice's start time). */
    const uint64_t *run_done;
    bool *run_end;
    const uint64_t *run_stall;        /* the slice's stall_ns so far (cpu/cpu.h) */
    unsigned nheap;
    struct clock_event *heap[CLOCK_MAX_EVENTS];
};

void clock_init(struct vclock *clk, enum clock_mode mode, uint32_t ns_per_insn);
/* Back to time zero with no pending events (machine reset). */
void clock_reset(struct vclock *clk);

void clock_event_init(struct clock_event *ev, const char *name,
                      void (*fire)(void *opaque, uint64_t now_ns), void *opaque);
/* (Re)schedules ev at the absolute deadline. Fails only if the queue is full. */
int clock_event_schedule(struct vclock *clk, struct clock_event *ev,
                         uint64_t deadline_ns) ORR_MUST_CHECK;
void clock_event_cancel(struct vclock *clk, struct clock_event *ev);
/* Save states: gives a pending event the scheduling order it had when the
 * state was saved (its owner re-scheduled it while loading), so events due
 * at the same time fire in the same order as they would have. */
void clock_event_restore_seq(struct vclock *clk, struct clock_event *ev, uint64_t seq);
static inline bool clock_event_pending(const struct clock_event *ev)
{
    return ev->heap_index >= 0;
}

/* Earliest pending deadline, or CLOCK_NEVER. */
uint64_t clock_next_deadline(const struct vclock *clk);

/* Moves time forward to t (never backward) and fires every event due at or
 * before t, each with now_ns set to its own deadline. Events may reschedule
 * themselves or others from their callback. Returns how many fired. */
unsigned clock_advance_to(struct vclock *clk, uint64_t t);

/* Host monotonic time in ns, used by realtime mode and by frontends. */
uint64_t clock_host_ns(void);

/* Realtime mode: the guest time the host clock says it is now. */
uint64_t clock_realtime_now(const struct vclock *clk);

/* Guest time at the instruction a CPU is executing inside a run: the
 * clock stands at the run's start and `done` instructions of the run
 * completed before this one, each costing ns_per_insn, plus the run's bus
 * stalls so far (virtual mode);
 * realtime mode reads the host. What timers and time-stamp counters read,
 * so that they move within a run. */
static inline uint64_t clock_now_in_run(const struct vclock *clk, uint64_t done)
{
    if (!clk)
        return 0;
    if (clk->mode == CLOCK_MODE_REALTIME)
        return clock_realtime_now(clk);
    return clk->now_ns + done * clk->ns_per_insn + (clk->run_stall ? *clk->run_stall : 0);
}

/* A clock of hz derived from the machine's time (a timer's input, a
 * counter): the ticks that have fallen by time ns, exactly (128-bit, no
 * drift), and the first nanosecond at which `ticks` have fallen
 * (CLOCK_NEVER beyond 64-bit time). clock_ticks_at(clock_tick_time(k)) == k. */
static inline uint64_t clock_ticks_at(uint64_t ns, uint64_t hz)
{
    return (uint64_t)((unsigned __int128)ns * hz / 1000000000u);
}

static inline uint64_t clock_tick_time(uint64_t ticks, uint64_t hz)
{
    unsigned __int128 ns = ((unsigned __int128)ticks * 1000000000u + hz - 1) / hz;
    return ns >= CLOCK_NEVER ? CLOCK_NEVER : (uint64_t)ns;
}

/* Guest time at the access in progress: what devices read (a timer's
 * count, a status bit that follows time). */
static inline uint64_t clock_now(const struct vclock *clk)
{
    return clock_now_in_run(clk, clk && clk->run_done ? *clk->run_done : 0);
}

/* Wall-clock time (ns since 1970-01-01T00:00:00Z) at now_ns == 0; the
 * wall-clock time now is this plus clk->now_ns. */
uint64_t clock_wall_base_ns(const struct vclock *clk);

#endif
