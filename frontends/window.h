/* The window (docs/display.md): the guest's display drawn with SDL2, host
 * keyboard, mouse and touch turned into input events. Built only with SDL2
 * (window_sdl.c); without it (window_none.c) no window can open. Every call
 * is the run loop's, between run slices: the window never holds the guest
 * up longer than one present of the latest frame. */
#ifndef ORRERY_FRONTENDS_WINDOW_H
#define ORRERY_FRONTENDS_WINDOW_H

#include <stdbool.h>

#include "cpu/error.h"
#include "frontends/ui.h"
#include "machine/display.h"

struct window;

struct window_config {
    const char *board;        /* for the title */
    unsigned scale;           /* integer scale of the first window size (1..8) */
    bool smooth;              /* linear filtering when scaled (else nearest) */
    bool fullscreen;
    bool confirm_close;       /* closing asks first */
};

/* What the user asked of the run loop through the window. */
struct window_actions {
    bool quit;                /* closed (and confirmed), or Ctrl-A x */
    bool monitor;             /* Ctrl-A c: the monitor on the terminal */
};

/* Whether a window could open: SDL2 built in and a video display there
 * (an X11 or Wayland display, or SDL_VIDEODRIVER naming a driver). */
bool window_available(void);
int window_open(struct window **out, const struct window_config *cfg,
                struct orr_error *err) ORR_MUST_CHECK;
void window_close(struct window *w);
/* Handles the window's pending events: input is queued on q (gap 0). */
void window_poll(struct window *w, struct ui_input *q, struct window_actions *act);
/* Shows f (blank: a black frame of its size). */
void window_present(struct window *w, const struct frame *f, bool blank);
/* The title's state: "running", "paused", "halted", and guest MIPS
 * (negative: not shown). */
void window_set_status(struct window *w, const char *state, double mips);

#endif
