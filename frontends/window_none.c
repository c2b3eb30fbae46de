/* The window without SDL2: none can open (frontends/window.h). */
#include "frontends/window.h"

bool window_available(void)
{
    return false;
}

int window_open(struct window **out, const struct window_config *cfg, struct orr_error *err)
{
    (void)cfg;
    *out = NULL;
    return orr_fail(err, "this orrery was built without SDL2: no window (use --display none)");
}

void window_close(struct window *w)
{
    (void)w;
}

void window_poll(struct window *w, struct ui_input *q, struct window_actions *act)
{
    (void)w;
    (void)q;
    (void)act;
}

void window_present(struct window *w, const struct frame *f, bool blank)
{
    (void)w;
    (void)f;
    (void)blank;
}

void window_set_status(struct window *w, const char *state, double mips)
{
    (void)w;
    (void)state;
    (void)mips;
}
