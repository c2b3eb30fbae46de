/* Input journals: record and replay (docs/snapshots.md).
 *
 * In virtual-clock mode a machine is a pure function of its start state and
 * of what comes from outside: bytes typed on a console, external inputs
 * (buttons, GPIO). A journal lists those inputs, each stamped with the
 * machine's position when it arrived (virtual time, instructions retired),
 * and, every check_interval instructions, a checkpoint: the state hash per
 * section (machine_hash; memory included every ram_every-th). Replaying
 * runs the machine to each stamp exactly and applies the input; at each
 * checkpoint it compares the state, so a replay that goes astray reports
 * the first interval where it did and which part of the machine differs,
 * instead of silently doing something else.
 *
 * The same journal serves reverse execution: going back restores an
 * earlier state and replays the journal forward from there.
 *
 * File layout (all little-endian):
 *   "ORRJRNL" 0x1a, u32 version, u32 flags (0), u64 check_interval,
 *   u32 ram_every, u64 event count, then per event: u8 kind, u64 time_ns,
 *   u64 executed, u32 payload length, payload. The last event is END.
 * Payloads: CONSOLE u8 port + bytes; INPUT u8 level + the input's name;
 * CHECK and END u32 count + per section (u8 tag length, tag, u64 hash);
 * RESET none (a guest reset: positions after it count from 0 again);
 * UI an input event for a keyboard, pointer or touch screen
 * (machine/display.h): u8 class, u8 down, u8 contact, u8 slot, u32 key,
 * i32 dx, dy, dz, u32 x, y, buttons. */
#ifndef ORRERY_MACHINE_REPLAY_H
#define ORRERY_MACHINE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

struct machine;

#define JOURNAL_FORMAT_VERSION 1
/* Checkpoint defaults: the CPU and device hash costs microseconds; memory
 * (256 MiB) tens of milliseconds, so it goes in every 16th: about one
 * memory hash per 270 M instructions, under 1 % of a run. */
#define JOURNAL_DEFAULT_INTERVAL (1ull << 24)
#define JOURNAL_DEFAULT_RAM_EVERY 16u

enum journal_kind {
    JOURNAL_CONSOLE = 1,    /* bytes a console received */
    JOURNAL_INPUT = 2,      /* an external input changed level */
    JOURNAL_CHECK = 3,      /* state hashes */
    JOURNAL_END = 4,        /* where the recording stopped, with state hashes */
    JOURNAL_RESET = 5,      /* the guest reset the machine: positions start again at 0 */
    JOURNAL_UI = 6,         /* a keyboard, pointer or touch event (machine_input) */
};

struct journal_event {
    uint8_t kind;
    uint64_t time_ns;
    uint64_t executed;
    uint32_t len;
    uint8_t *data;
};

struct journal {
    struct journal_event *ev;
    size_t count, cap;
    size_t cursor;              /* the next event to apply (replaying while < count) */
    size_t epoch;               /* the first event after the last guest reset */
    uint64_t check_interval;    /* instructions between checkpoints; 0: none */
    unsigned ram_every;         /* every Nth checkpoint hashes memory too */
    uint64_t next_check;        /* recording: position of the next checkpoint */
    unsigned checks_taken;
    bool live;                  /* new outside input may be appended (not --replay) */
    /* Replay statistics and the last checkpoint that matched. */
    unsigned inputs_applied, checks_matched;
    uint64_t good_executed, good_time;
};

void journal_init(struct journal *j, uint64_t check_interval, unsigned ram_every);
void journal_free(struct journal *j);

int journal_read(const char *path, struct journal *j, struct orr_error *err) ORR_MUST_CHECK;
/* Writes the journal (atomically); the caller adds END first. */
int journal_write(const struct journal *j, const char *path,
                  struct orr_error *err) ORR_MUST_CHECK;

/* Whether events remain to be applied. */
static inline bool journal_replaying(const struct journal *j)
{
    return j->cursor < j->count;
}

/* Recording: an outside input at the machine's current position. Applies
 * nothing (the caller already delivered it). Drops every later event when
 * the machine is in the journal's past (history rewritten). */
int journal_add_console(struct journal *j, struct machine *m, unsigned port,
                        const uint8_t *bytes, size_t len) ORR_MUST_CHECK;
struct input_event;
/* Recording: an input event delivered with machine_input (as
 * journal_add_input). */
int journal_add_ui(struct journal *j, struct machine *m, const struct input_event *ev);
int journal_add_input(struct journal *j, struct machine *m, const char *name,
                      bool level) ORR_MUST_CHECK;
/* Forgets every event after the cursor: the machine left the recorded
 * history (a debugger changed its state, or new input came in the past). */
void journal_drop_future(struct journal *j);

/* Recording: the first event, the whole start state's hashes, so that a
 * replay from another start state is caught before it runs. */
int journal_start(struct journal *j, struct machine *m) ORR_MUST_CHECK;
/* Recording: a checkpoint if one is due (call after each run slice). */
int journal_checkpoint(struct journal *j, struct machine *m) ORR_MUST_CHECK;
/* Recording: the END event with the full state hash; *hash gets its sum. */
int journal_end(struct journal *j, struct machine *m, uint64_t *hash) ORR_MUST_CHECK;

/* The guest asked for a reset, about to be done (call before
 * machine_reset): recording, journals it; replaying, checks that the
 * recording reset here too. -1 with msg on a divergence (or out of memory). */
int journal_reset(struct journal *j, struct machine *m, char *msg, size_t msglen) ORR_MUST_CHECK;

/* Replaying: how much guest time the next run slice may take so that it
 * stops exactly at the next event (at most slice_ns). */
uint64_t journal_slice(const struct journal *j, const struct machine *m, uint64_t slice_ns);

enum journal_apply {
    JOURNAL_APPLIED,        /* nothing (more) due now, or all due events applied */
    JOURNAL_AT_END,         /* reached the END event: it matched */
    JOURNAL_DIVERGED,       /* the machine is not where the journal says: see msg */
    JOURNAL_AT_RESET,       /* the recording's guest reset here: see journal_reset */
};

/* Replaying: applies every event due at the machine's position. */
enum journal_apply journal_apply_due(struct journal *j, struct machine *m, char *msg,
                                     size_t msglen);

/* Positions the cursor at the first event after the machine's position
 * (after restoring an earlier state). */
void journal_seek(struct journal *j, const struct machine *m);

/* One number for the whole state, memory included (the sections' hashes
 * combined): what the record and replay summaries print. */
int journal_state_sum(struct machine *m, uint64_t *sum) ORR_MUST_CHECK;

#endif
