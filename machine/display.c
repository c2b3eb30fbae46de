/* Displays and input routing (machine/display.h). */
#include <stdlib.h>
#include <string.h>

#include "machine/machine.h"

int frame_resize(struct frame *f, unsigned width, unsigned height)
{
    if (width == 0 || height == 0 || width > FRAME_MAX_DIM || height > FRAME_MAX_DIM)
        return -1;
    size_t need = (size_t)width * height;
    if (need > f->capacity) {
        uint32_t *p = realloc(f->pixels, need * sizeof *p);
        if (!p)
            return -1;
        f->pixels = p;
        f->capacity = need;
    }
    f->width = width;
    f->height = height;
    return 0;
}

void frame_free(struct frame *f)
{
    free(f->pixels);
    *f = (struct frame){ 0 };
}

const struct machine_device *machine_display(const struct machine *m)
{
    for (unsigned i = 0; i < m->ndevices; i++)
        if (m->devices[i].model->render)
            return &m->devices[i];
    return NULL;
}

int machine_render(struct machine *m, struct frame *f, struct orr_error *err)
{
    const struct machine_device *md = machine_display(m);
    if (!md)
        return orr_fail(err, "the %s board has no display", m->board_name);
    int rc = md->model->render(md->dev, f, clock_now(&m->clock));
    if (rc < 0)
        return orr_fail(err, "out of memory for a %ux%u frame", f->width, f->height);
    return rc;
}

/* The device that takes class c now, or -1. */
static int input_target(const struct machine *m, enum input_class c)
{
    int best = -1;
    unsigned best_rank = 0;
    for (unsigned i = 0; i < m->ndevices; i++) {
        const struct device_model *dm = m->devices[i].model;
        if (!dm->input_rank || !dm->input_event)
            continue;
        unsigned r = dm->input_rank(m->devices[i].dev, (int)c);
        if (r > best_rank) {
            best_rank = r;
            best = (int)i;
        }
    }
    return best;
}

bool machine_input_available(const struct machine *m, enum input_class c)
{
    if (input_target(m, c) >= 0)
        return true;
    /* An absolute position can still move a mouse. */
    return c == INPUT_POINTER_ABS && input_target(m, INPUT_POINTER_REL) >= 0;
}

static void deliver(struct machine *m, int i, const struct input_event *ev)
{
    m->devices[i].model->input_event(m->devices[i].dev, ev);
}

/* A position on the 0..INPUT_ABS_MAX scale, in pixels of the display. */
static int abs_to_pixels(uint32_t v, unsigned size)
{
    return (int)(((uint64_t)v * size + INPUT_ABS_MAX / 2) / INPUT_ABS_MAX);
}

int machine_input(struct machine *m, const struct input_event *ev, struct orr_error *err)
{
    static const char *const class_names[INPUT_CLASSES] = {
        "keyboard", "mouse", "tablet", "touch screen"
    };
    if ((unsigned)ev->cls >= INPUT_CLASSES)
        return orr_fail(err, "bad input event class %d", (int)ev->cls);

    if (ev->cls == INPUT_KEYBOARD) {
        if (ev->key == 0 || ev->key >= MACHINE_INPUT_KEYS)
            return orr_fail(err, "key code %u is out of range", ev->key);
        int i;
        if (!ev->down && m->key_owner[ev->key]) {
            i = m->key_owner[ev->key] - 1;
        } else {
            i = input_target(m, INPUT_KEYBOARD);
            if (i < 0)
                return orr_fail(err, "the %s board has no keyboard the guest has enabled",
                                m->board_name);
        }
        m->key_owner[ev->key] = ev->down ? (uint16_t)(i + 1) : 0;
        deliver(m, i, ev);
        return 0;
    }

    int i = input_target(m, ev->cls);
    if (i >= 0) {
        if (ev->cls == INPUT_POINTER_ABS) {
            m->pointer_x = ev->x > INPUT_ABS_MAX ? INPUT_ABS_MAX : ev->x;
            m->pointer_y = ev->y > INPUT_ABS_MAX ? INPUT_ABS_MAX : ev->y;
            m->pointer_buttons = ev->buttons;
        }
        deliver(m, i, ev);
        return 0;
    }
    if (ev->cls == INPUT_POINTER_ABS) {
        /* No tablet: move a mouse by the difference, in display pixels
         * (the guest's pointer acceleration may still scale it). */
        i = input_target(m, INPUT_POINTER_REL);
        if (i >= 0) {
            unsigned w = 640, h = 480;
            const struct machine_device *d = machine_display(m);
            struct frame probe = { 0 };
            if (d && d->model->render(d->dev, &probe, clock_now(&m->clock)) >= 0) {
                w = probe.width;
                h = probe.height;
            }
            frame_free(&probe);
            uint32_t x = ev->x > INPUT_ABS_MAX ? INPUT_ABS_MAX : ev->x;
            uint32_t y = ev->y > INPUT_ABS_MAX ? INPUT_ABS_MAX : ev->y;
            struct input_event rel = {
                .cls = INPUT_POINTER_REL,
                .dx = abs_to_pixels(x, w) - abs_to_pixels(m->pointer_x, w),
                .dy = abs_to_pixels(y, h) - abs_to_pixels(m->pointer_y, h),
                .dz = ev->dz,
                .buttons = ev->buttons,
            };
            m->pointer_x = x;
            m->pointer_y = y;
            m->pointer_buttons = ev->buttons;
            deliver(m, i, &rel);
            return 0;
        }
    }
    return orr_fail(err, "the %s board has no %s the guest has enabled", m->board_name,
                    class_names[ev->cls]);
}
