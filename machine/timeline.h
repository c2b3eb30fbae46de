/* The timeline: in-memory snapshots of a running machine, for going
 * backwards (docs/snapshots.md, "Reverse execution").
 *
 * Each snapshot holds the machine's state without memory (a small save
 * stream) and one pointer per 4 KiB page of RAM and ROM. Pages equal to the
 * previous snapshot's are shared (reference counted) and zero pages are
 * not stored, so a snapshot costs about what the guest changed since the
 * one before. Past the memory budget the oldest snapshots go. */
#ifndef ORRERY_MACHINE_TIMELINE_H
#define ORRERY_MACHINE_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

struct machine;
struct timeline_page;

struct timeline_snap {
    uint64_t executed, time_ns;     /* the machine's position */
    uint8_t *state;                 /* machine_save_without_memory */
    size_t state_len;
    struct timeline_page **pages;   /* NULL: a zero page */
};

struct timeline {
    struct timeline_snap *snaps;    /* oldest first, positions increasing */
    size_t count, cap;
    size_t npages;                  /* pages of RAM and ROM, all regions in order */
    uint64_t interval;              /* instructions between automatic snapshots */
    size_t budget;                  /* bytes of pages and states to keep at most */
    size_t used;
};

void timeline_init(struct timeline *t, uint64_t interval, size_t budget);
void timeline_free(struct timeline *t);

/* Takes a snapshot at the machine's position (replacing one at the same
 * instruction, and dropping any later ones: they belong to another
 * future). */
int timeline_take(struct timeline *t, struct machine *m, struct orr_error *err) ORR_MUST_CHECK;
/* Takes one if the machine is interval instructions past the last. */
int timeline_maybe_take(struct timeline *t, struct machine *m,
                        struct orr_error *err) ORR_MUST_CHECK;
/* The latest snapshot at or before instruction `executed`, or -1. */
long timeline_find(const struct timeline *t, uint64_t executed);
/* Puts the machine back in snapshot i's state. */
int timeline_restore(struct timeline *t, size_t i, struct machine *m,
                     struct orr_error *err) ORR_MUST_CHECK;
/* Forgets the snapshots after instruction `executed`. */
void timeline_drop_after(struct timeline *t, uint64_t executed);

#endif
