/* Reverse execution for the debuggers (docs/snapshots.md): the timeline
 * of in-memory snapshots plus the run's input journal. Going back restores
 * the nearest earlier snapshot and replays forward, inputs included, to
 * the instruction wanted; with a single CPU and the virtual clock the
 * machine then is exactly what it was. */
#ifndef ORRERY_FRONTENDS_REVERSE_H
#define ORRERY_FRONTENDS_REVERSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"
#include "machine/replay.h"
#include "machine/timeline.h"

struct debugger;

#define REVERSE_DEFAULT_INTERVAL (1ull << 24)      /* instructions between snapshots */
#define REVERSE_DEFAULT_BUDGET ((size_t)1 << 30)   /* bytes of history */

struct reverse {
    struct debugger *d;
    struct journal *journal;     /* the run's (owned by the caller) */
    struct timeline tl;
    /* Snapshots are also spaced in host time, so that taking them costs at
     * most 1/REVERSE_COST_SHARE of the run (a 256 MiB guest's takes tens
     * of milliseconds). Where they fall never changes the guest. */
    uint64_t last_cost_ns, last_taken_ns;
};

#define REVERSE_COST_SHARE 20

/* Starts keeping history from the machine's current state and installs
 * itself as d->history. Fails (with why) when history cannot be exact:
 * realtime clock, several CPUs. */
int reverse_start(struct reverse *rv, struct debugger *d, struct journal *journal,
                  uint64_t interval, size_t budget, struct orr_error *err) ORR_MUST_CHECK;
void reverse_stop(struct reverse *rv);

/* After each run slice: a snapshot if one is due. */
int reverse_after_run(struct reverse *rv, struct orr_error *err) ORR_MUST_CHECK;

/* The machine's state was replaced (loadvm): history starts again here. */
int reverse_restart(struct reverse *rv, struct orr_error *err) ORR_MUST_CHECK;

#endif
