/* Reverse execution (reverse.h). */
#include "frontends/reverse.h"

#include <stdio.h>
#include <string.h>

#include "cpu/clock.h"
#include "frontends/debugger.h"
#include "machine/machine.h"

#define REPLAY_SLICE_NS 10000000ull

/* One breakpoint or watchpoint hit seen while scanning forward. */
struct hit {
    bool found;
    uint64_t executed;
};

/* Applies the journal's inputs due at the machine's position. */
static int apply_due(struct reverse *rv, char *msg, size_t len)
{
    if (journal_apply_due(rv->journal, rv->d->m, msg, len) == JOURNAL_DIVERGED)
        return -1;
    return 0;
}

static void set_suspend(struct machine *m, bool on)
{
    for (unsigned i = 0; i < m->ncpus; i++)
        m->cpus[i]->debug_suspend = on;
}

/* Runs from the current state to instruction `target`, re-applying the
 * journal's inputs. Breakpoints and watchpoints are ignored unless scan
 * is given, which then gets the last hit before target. */
static int run_to(struct reverse *rv, uint64_t target, struct hit *scan, char *msg, size_t len)
{
    struct machine *m = rv->d->m;
    uint64_t saved_limit = m->run_limit;
    int rc = 0;
    while (m->executed < target && rc == 0) {
        struct machine_run_result res;
        m->run_limit = target;
        set_suspend(m, scan == NULL);
        machine_run(m, journal_slice(rv->journal, m, REPLAY_SLICE_NS), &res);
        set_suspend(m, false);
        if (apply_due(rv, msg, len)) {
            rc = -1;
            break;
        }
        switch (res.reason) {
        case CPU_STOP_BUDGET:
            break;
        case CPU_STOP_IDLE:
            if (res.wake_ns == CLOCK_NEVER && !journal_replaying(rv->journal)) {
                snprintf(msg, len, "the guest idles with nothing to wake it before "
                         "instruction %llu", (unsigned long long)target);
                rc = -1;
            }
            break;
        case CPU_STOP_BREAKPOINT:
        case CPU_STOP_WATCHPOINT: {
            if (scan) {
                scan->found = true;
                scan->executed = m->executed;
            }
            /* Step over it (it has not executed) and go on. */
            struct machine_run_result step;
            machine_step(m, res.cpu, NULL, true, &step);
            if (apply_due(rv, msg, len))
                rc = -1;
            break;
        }
        default:
            snprintf(msg, len, "the guest %s before instruction %llu while replaying",
                     res.reason == CPU_STOP_EXIT ? "ended" : res.reason == CPU_STOP_RESET
                     ? "reset itself" : "failed", (unsigned long long)target);
            rc = -1;
            break;
        }
    }
    m->run_limit = saved_limit;
    return rc;
}

/* Restores snapshot i and positions the journal there. */
static int restore(struct reverse *rv, size_t i, char *msg, size_t len)
{
    struct orr_error err = { { 0 } };
    if (timeline_restore(&rv->tl, i, rv->d->m, &err)) {
        snprintf(msg, len, "cannot go back: %s", err.msg);
        return -1;
    }
    journal_seek(rv->journal, rv->d->m);
    return 0;
}

/* Where the history begins. */
static uint64_t oldest(const struct reverse *rv)
{
    return rv->tl.count ? rv->tl.snaps[0].executed : 0;
}

static int go_to(struct reverse *rv, uint64_t target, char *msg, size_t len)
{
    long i = timeline_find(&rv->tl, target);
    if (i < 0) {
        snprintf(msg, len, "no history before instruction %llu", (unsigned long long)target);
        return -1;
    }
    if (restore(rv, (size_t)i, msg, len))
        return -1;
    return run_to(rv, target, NULL, msg, len);
}

static int reverse_step(struct reverse *rv, uint64_t count, struct dbg_stop *stop, char *msg,
                        size_t len)
{
    struct machine *m = rv->d->m;
    uint64_t here = m->executed, first = oldest(rv);
    bool at_begin = here - first <= count;
    uint64_t target = at_begin ? first : here - count;
    if (go_to(rv, target, msg, len))
        return -1;
    memset(stop, 0, sizeof *stop);
    stop->kind = DBG_STOP_STEP;
    stop->cpu = rv->d->cpu;
    stop->pc = debugger_pc(rv->d, stop->cpu);
    stop->history_begin = at_begin;
    return 0;
}

/* Scans the history backwards, one snapshot interval at a time, for the
 * last breakpoint or watchpoint hit before the current position. */
static int reverse_continue(struct reverse *rv, struct dbg_stop *stop, char *msg, size_t len)
{
    struct machine *m = rv->d->m;
    uint64_t end = m->executed;
    long i = timeline_find(&rv->tl, end ? end - 1 : 0);
    for (; i >= 0; i--) {
        uint64_t start = rv->tl.snaps[i].executed;
        if (start >= end && end != 0)
            continue;
        struct hit h = { 0 };
        if (restore(rv, (size_t)i, msg, len) || run_to(rv, end, &h, msg, len))
            return -1;
        if (h.found) {
            if (go_to(rv, h.executed, msg, len))
                return -1;
            /* Re-run the hit itself so the stop carries what a forward run
             * would: the breakpoint, or the watchpoint and its access. */
            struct machine_run_result res;
            uint64_t saved_limit = m->run_limit;
            m->run_limit = h.executed + 1;
            machine_run(m, REPLAY_SLICE_NS, &res);
            m->run_limit = saved_limit;
            if (res.reason == CPU_STOP_BREAKPOINT || res.reason == CPU_STOP_WATCHPOINT) {
                struct debugger *d = rv->d;
                memset(stop, 0, sizeof *stop);
                stop->cpu = res.cpu;
                stop->pc = debugger_pc(d, res.cpu);
                struct cpu *cpu = m->cpus[res.cpu];
                if (res.reason == CPU_STOP_BREAKPOINT) {
                    stop->kind = DBG_STOP_BREAKPOINT;
                } else {
                    stop->kind = DBG_STOP_WATCHPOINT;
                    stop->watch = cpu->watch_hit;
                    if (stop->watch.index < cpu->nwatchpoints)
                        stop->watch_kind = cpu->watchpoints[stop->watch.index].kind;
                }
                return 0;
            }
            /* The hit did not repeat (it cannot, with the same state): say
             * so rather than stop somewhere unexplained. */
            snprintf(msg, len, "the breakpoint or watchpoint hit at instruction %llu did not "
                     "repeat on replay", (unsigned long long)h.executed);
            return -1;
        }
        end = start;
    }
    /* No hit anywhere in the history: stop at its beginning. */
    if (rv->tl.count && restore(rv, 0, msg, len))
        return -1;
    memset(stop, 0, sizeof *stop);
    stop->kind = DBG_STOP_STEP;
    stop->cpu = rv->d->cpu;
    stop->pc = debugger_pc(rv->d, stop->cpu);
    stop->history_begin = true;
    return 0;
}

static int history_reverse(void *opaque, bool to_hit, uint64_t count, struct dbg_stop *stop,
                           char *msg, size_t len)
{
    struct reverse *rv = opaque;
    return to_hit ? reverse_continue(rv, stop, msg, len)
                  : reverse_step(rv, count, stop, msg, len);
}

static void history_stepped(void *opaque)
{
    struct reverse *rv = opaque;
    char msg[256];
    /* A divergence here shows up again at the next checkpoint the run
     * loop applies; nothing to report from inside a step. */
    (void)apply_due(rv, msg, sizeof msg);
}

static void history_modified(void *opaque)
{
    struct reverse *rv = opaque;
    struct machine *m = rv->d->m;
    /* What was recorded after this point no longer follows from it. */
    journal_drop_future(rv->journal);
    timeline_drop_after(&rv->tl, m->executed);
    /* The snapshot at this very instruction holds the unmodified state. */
    if (rv->tl.count && rv->tl.snaps[rv->tl.count - 1].executed == m->executed)
        timeline_drop_after(&rv->tl, m->executed ? m->executed - 1 : 0);
}

int reverse_start(struct reverse *rv, struct debugger *d, struct journal *journal,
                  uint64_t interval, size_t budget, struct orr_error *err)
{
    memset(rv, 0, sizeof *rv);
    struct machine *m = d->m;
    if (m->clock.mode != CLOCK_MODE_VIRTUAL)
        return orr_fail(err, "reverse execution needs --clock virtual (a realtime run "
                        "cannot be replayed exactly)");
    if (m->ncpus != 1)
        return orr_fail(err, "reverse execution supports machines with one CPU (this one "
                        "has %u)", m->ncpus);
    rv->d = d;
    rv->journal = journal;
    timeline_init(&rv->tl, interval, budget);
    if (timeline_take(&rv->tl, m, err)) {
        timeline_free(&rv->tl);
        return -1;
    }
    d->history.reverse = history_reverse;
    d->history.stepped = history_stepped;
    d->history.modified = history_modified;
    d->history.opaque = rv;
    return 0;
}

void reverse_stop(struct reverse *rv)
{
    if (rv->d)
        memset(&rv->d->history, 0, sizeof rv->d->history);
    timeline_free(&rv->tl);
    memset(rv, 0, sizeof *rv);
}

int reverse_after_run(struct reverse *rv, struct orr_error *err)
{
    if (journal_replaying(rv->journal) && rv->tl.count &&
        rv->tl.snaps[rv->tl.count - 1].executed >= rv->d->m->executed)
        return 0;     /* re-running known history: its snapshots exist */
    uint64_t now = clock_host_ns();
    if (now - rv->last_taken_ns < REVERSE_COST_SHARE * rv->last_cost_ns)
        return 0;
    size_t before = rv->tl.count;
    uint64_t last = before ? rv->tl.snaps[before - 1].executed : 0;
    if (timeline_maybe_take(&rv->tl, rv->d->m, err))
        return -1;
    if (rv->tl.count != before || (before && rv->tl.snaps[before - 1].executed != last)) {
        uint64_t done = clock_host_ns();
        rv->last_cost_ns = done - now;
        rv->last_taken_ns = done;
    }
    return 0;
}

int reverse_restart(struct reverse *rv, struct orr_error *err)
{
    uint64_t interval = rv->tl.interval;
    size_t budget = rv->tl.budget;
    timeline_free(&rv->tl);
    timeline_init(&rv->tl, interval, budget);
    return timeline_take(&rv->tl, rv->d->m, err);
}
