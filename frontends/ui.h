/* The frontend's side of screens and input (docs/display.md): a queue that
 * paces input events into the guest, the monitor's screendump, sendkey,
 * type, mouse and touch commands, and screenshots. The window
 * (sdl_window.c) feeds the same queue. */
#ifndef ORRERY_FRONTENDS_UI_H
#define ORRERY_FRONTENDS_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"
#include "frontends/debugger.h"
#include "machine/display.h"

struct machine;

/* Guest time between the key events `type` and `sendkey` queue: a guest
 * driver sees one change at a time, as from a person typing fast. */
#define UI_KEY_GAP_NS 15000000ull
#define UI_TAP_NS 50000000ull           /* a touch tap's contact time */
#define UI_DEFAULT_HOLD_NS 100000000ull /* sendkey's hold time */
#define UI_QUEUE_MAX 65536u

/* Delivers one event to the machine (and journals it): the run loop's. */
typedef int (*ui_deliver_fn)(void *opaque, const struct input_event *ev,
                             struct orr_error *err);

struct ui_queued {
    struct input_event ev;
    uint64_t gap_ns;          /* guest time before the next event may go */
};

struct ui_input {
    struct ui_queued *q;
    size_t head, count, cap;
    uint64_t not_before;      /* guest time the next event waits for */
    unsigned dropped;         /* events no device took when due */
    char last_error[200];
};

void ui_input_free(struct ui_input *q);
/* Queues ev, to be followed by gap_ns of guest time. -1 when the queue is
 * full (UI_QUEUE_MAX) or memory runs out. */
int ui_input_push(struct ui_input *q, const struct input_event *ev, uint64_t gap_ns) ORR_MUST_CHECK;
bool ui_input_pending(const struct ui_input *q);
/* Delivers the events due at guest time now_ns; with guest_idle, the next
 * one even before its time (an idle guest has taken the last). Returns how
 * many were delivered. */
unsigned ui_input_pump(struct ui_input *q, uint64_t now_ns, bool guest_idle,
                       ui_deliver_fn deliver, void *opaque);

/* Renders the machine's display and writes it to path as PNG. */
int ui_screendump(struct machine *m, const char *path, struct orr_error *err) ORR_MUST_CHECK;

/* The monitor's screendump, sendkey, type, mouse and touch (argv as
 * typed): input commands queue events on q after checking the machine has
 * a device for them. */
int ui_command(struct machine *m, struct ui_input *q, int argc, char **argv,
               const struct dbg_output *out);

#endif
