/* Input pacing and the monitor's display commands (frontends/ui.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/keymap.h"
#include "frontends/pngfile.h"
#include "frontends/ui.h"
#include "machine/machine.h"

void ui_input_free(struct ui_input *q)
{
    free(q->q);
    *q = (struct ui_input){ 0 };
}

int ui_input_push(struct ui_input *q, const struct input_event *ev, uint64_t gap_ns)
{
    if (q->count == UI_QUEUE_MAX)
        return -1;
    if (q->count == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        struct ui_queued *n = malloc(cap * sizeof *n);
        if (!n)
            return -1;
        for (size_t i = 0; i < q->count; i++)
            n[i] = q->q[(q->head + i) % q->cap];
        free(q->q);
        q->q = n;
        q->cap = cap;
        q->head = 0;
    }
    q->q[(q->head + q->count) % q->cap] = (struct ui_queued){ *ev, gap_ns };
    q->count++;
    return 0;
}

bool ui_input_pending(const struct ui_input *q)
{
    return q->count > 0;
}

unsigned ui_input_pump(struct ui_input *q, uint64_t now_ns, bool guest_idle,
                       ui_deliver_fn deliver, void *opaque)
{
    unsigned n = 0;
    while (q->count && (now_ns >= q->not_before || (guest_idle && n == 0))) {
        struct ui_queued e = q->q[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        struct orr_error err = { { 0 } };
        if (deliver(opaque, &e.ev, &err)) {
            q->dropped++;
            snprintf(q->last_error, sizeof q->last_error, "%s", err.msg);
        }
        n++;
        q->not_before = now_ns + e.gap_ns;
        if (e.gap_ns)
            break;      /* the rest waits for the guest to run */
    }
    return n;
}

int ui_screendump(struct machine *m, const char *path, struct orr_error *err)
{
    struct frame f = { 0 };
    int rc = machine_render(m, &f, err);
    if (rc >= 0)
        rc = png_write_frame(path, &f, err);
    frame_free(&f);
    return rc < 0 ? -1 : 0;
}

/* --- the monitor's commands ---------------------------------------------- */

static int say(const struct dbg_output *out, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    out->write(out->opaque, buf, strlen(buf));
    return 0;
}

static int fail(const struct dbg_output *out, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    out->write(out->opaque, "error: ", 7);
    out->write(out->opaque, buf, strlen(buf));
    out->write(out->opaque, "\n", 1);
    return -1;
}

static int queue(struct ui_input *q, const struct input_event *ev, uint64_t gap,
                 const struct dbg_output *out)
{
    if (ui_input_push(q, ev, gap))
        return fail(out, "the input queue is full (%u events)", UI_QUEUE_MAX);
    return 0;
}

static int queue_key(struct ui_input *q, unsigned key, bool down, uint64_t gap,
                     const struct dbg_output *out)
{
    struct input_event ev = { .cls = INPUT_KEYBOARD, .key = key, .down = down };
    return queue(q, &ev, gap, out);
}

static int need_class(struct machine *m, enum input_class c, const char *what,
                      const struct dbg_output *out)
{
    if (!machine_input_available(m, c))
        return fail(out, "this machine has no %s the guest has enabled", what);
    return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-' || n > max)
        return -1;
    *v = n;
    return 0;
}

static int cmd_sendkey(struct machine *m, struct ui_input *q, int argc, char **argv,
                       const struct dbg_output *out)
{
    if (argc < 2 || argc > 3)
        return fail(out, "usage: sendkey KEY[-KEY...] [HOLD_MS]");
    uint64_t hold = UI_DEFAULT_HOLD_NS;
    if (argc == 3) {
        unsigned long ms;
        if (parse_uint(argv[2], 60000, &ms) || ms == 0)
            return fail(out, "sendkey: '%s' is not a hold time from 1 to 60000 ms", argv[2]);
        hold = ms * 1000000ull;
    }
    unsigned keys[16];
    unsigned n = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", argv[1]);
    char *save;
    for (char *w = strtok_r(buf, "-", &save); w; w = strtok_r(NULL, "-", &save)) {
        if (n == 16)
            return fail(out, "sendkey: at most 16 keys at once");
        keys[n] = keymap_key_by_name(w);
        if (!keys[n])
            return fail(out, "sendkey: no key is called '%s' (`help keys` lists them)", w);
        n++;
    }
    if (n == 0)
        return fail(out, "usage: sendkey KEY[-KEY...] [HOLD_MS]");
    if (need_class(m, INPUT_KEYBOARD, "keyboard", out))
        return -1;
    for (unsigned i = 0; i < n; i++)
        if (queue_key(q, keys[i], true, i + 1 < n ? UI_KEY_GAP_NS : hold, out))
            return -1;
    for (unsigned i = n; i-- > 0;)
        if (queue_key(q, keys[i], false, UI_KEY_GAP_NS, out))
            return -1;
    return 0;
}

static int cmd_type(struct machine *m, struct ui_input *q, int argc, char **argv,
                    const struct dbg_output *out)
{
    if (argc < 2)
        return fail(out, "usage: type \"TEXT\"");
    /* Unquoted words are typed with one blank between them. */
    size_t total = 0;
    for (int i = 1; i < argc; i++)
        for (const char *c = argv[i]; *c; c++) {
            bool shift;
            if (!keymap_key_for_char(*c, &shift))
                return fail(out, "type: no key types the character 0x%02x",
                            (unsigned char)*c);
            total++;
        }
    if (need_class(m, INPUT_KEYBOARD, "keyboard", out))
        return -1;
    if (q->count + total * 4 + (size_t)argc * 2 > UI_QUEUE_MAX)
        return fail(out, "type: the text is too long for the input queue");
    for (int i = 1; i < argc; i++) {
        if (i > 1 && (queue_key(q, keymap_key_for_char(' ', &(bool){ 0 }), true,
                                UI_KEY_GAP_NS, out) ||
                      queue_key(q, keymap_key_for_char(' ', &(bool){ 0 }), false,
                                UI_KEY_GAP_NS, out)))
            return -1;
        for (const char *c = argv[i]; *c; c++) {
            bool shift;
            unsigned key = keymap_key_for_char(*c, &shift);
            unsigned shift_key = keymap_key_by_name("shift");
            if ((shift && queue_key(q, shift_key, true, UI_KEY_GAP_NS, out)) ||
                queue_key(q, key, true, UI_KEY_GAP_NS, out) ||
                queue_key(q, key, false, UI_KEY_GAP_NS, out) ||
                (shift && queue_key(q, shift_key, false, UI_KEY_GAP_NS, out)))
                return -1;
        }
    }
    return 0;
}

/* Display pixel (x, y) on the 0..INPUT_ABS_MAX scale. */
static int display_position(struct machine *m, const char *xs, const char *ys, uint32_t *ax,
                            uint32_t *ay, const struct dbg_output *out)
{
    struct frame f = { 0 };
    struct orr_error err = { { 0 } };
    int rc = machine_render(m, &f, &err);
    unsigned w = f.width, h = f.height;
    frame_free(&f);
    if (rc < 0)
        return fail(out, "%s", err.msg);
    unsigned long x, y;
    if (parse_uint(xs, w - 1, &x) || parse_uint(ys, h - 1, &y))
        return fail(out, "%s, %s is not a pixel of the %ux%u display", xs, ys, w, h);
    *ax = w > 1 ? (uint32_t)((x * INPUT_ABS_MAX + (w - 1) / 2) / (w - 1)) : 0;
    *ay = h > 1 ? (uint32_t)((y * INPUT_ABS_MAX + (h - 1) / 2) / (h - 1)) : 0;
    return 0;
}

static int cmd_mouse(struct machine *m, struct ui_input *q, int argc, char **argv,
                     const struct dbg_output *out)
{
    if (argc < 3 || argc > 4)
        return fail(out, "usage: mouse X Y [BUTTONS]");
    unsigned long buttons = 0;
    if (argc == 4 && parse_uint(argv[3], 7, &buttons))
        return fail(out, "mouse: '%s' is not a button mask from 0 to 7", argv[3]);
    if (need_class(m, INPUT_POINTER_ABS, "tablet or mouse", out))
        return -1;
    struct input_event ev = { .cls = INPUT_POINTER_ABS, .buttons = (unsigned)buttons };
    if (display_position(m, argv[1], argv[2], &ev.x, &ev.y, out))
        return -1;
    return queue(q, &ev, UI_KEY_GAP_NS, out);
}

static int cmd_touch(struct machine *m, struct ui_input *q, int argc, char **argv,
                     const struct dbg_output *out)
{
    if (argc < 3 || argc > 5)
        return fail(out, "usage: touch X Y [down|move|up] [SLOT]");
    const char *action = argc > 3 ? argv[3] : "tap";
    unsigned long slot = 0;
    if (argc == 5 && parse_uint(argv[4], INPUT_TOUCH_SLOTS - 1, &slot))
        return fail(out, "touch: '%s' is not a slot from 0 to %u", argv[4],
                    INPUT_TOUCH_SLOTS - 1);
    bool tap = strcmp(action, "tap") == 0;
    if (!tap && strcmp(action, "down") && strcmp(action, "move") && strcmp(action, "up"))
        return fail(out, "touch: '%s' is not down, move or up", action);
    if (need_class(m, INPUT_TOUCH, "touch screen", out))
        return -1;
    struct input_event ev = { .cls = INPUT_TOUCH, .slot = (unsigned)slot, .contact = true };
    if (display_position(m, argv[1], argv[2], &ev.x, &ev.y, out))
        return -1;
    if (strcmp(action, "up") == 0)
        ev.contact = false;
    if (queue(q, &ev, tap ? UI_TAP_NS : UI_KEY_GAP_NS, out))
        return -1;
    if (tap) {
        ev.contact = false;
        return queue(q, &ev, UI_KEY_GAP_NS, out);
    }
    return 0;
}

int ui_command(struct machine *m, struct ui_input *q, int argc, char **argv,
               const struct dbg_output *out)
{
    if (strcmp(argv[0], "screendump") == 0) {
        if (argc != 2)
            return fail(out, "usage: screendump FILE.png");
        struct orr_error err = { { 0 } };
        if (ui_screendump(m, argv[1], &err))
            return fail(out, "%s", err.msg);
        return say(out, "wrote %s\n", argv[1]);
    }
    if (strcmp(argv[0], "sendkey") == 0)
        return cmd_sendkey(m, q, argc, argv, out);
    if (strcmp(argv[0], "type") == 0)
        return cmd_type(m, q, argc, argv, out);
    if (strcmp(argv[0], "mouse") == 0)
        return cmd_mouse(m, q, argc, argv, out);
    if (strcmp(argv[0], "touch") == 0)
        return cmd_touch(m, q, argc, argv, out);
    return fail(out, "unknown display command '%s'", argv[0]);
}
