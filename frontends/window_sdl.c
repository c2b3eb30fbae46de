/* The SDL2 window (frontends/window.h, docs/display.md). */
#include <SDL.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/window.h"

/* SDL scancodes (USB HID usages) -> Linux key codes. */
static const uint16_t scancode_keys[SDL_NUM_SCANCODES] = {
    [SDL_SCANCODE_A] = KEY_A, [SDL_SCANCODE_B] = KEY_B, [SDL_SCANCODE_C] = KEY_C,
    [SDL_SCANCODE_D] = KEY_D, [SDL_SCANCODE_E] = KEY_E, [SDL_SCANCODE_F] = KEY_F,
    [SDL_SCANCODE_G] = KEY_G, [SDL_SCANCODE_H] = KEY_H, [SDL_SCANCODE_I] = KEY_I,
    [SDL_SCANCODE_J] = KEY_J, [SDL_SCANCODE_K] = KEY_K, [SDL_SCANCODE_L] = KEY_L,
    [SDL_SCANCODE_M] = KEY_M, [SDL_SCANCODE_N] = KEY_N, [SDL_SCANCODE_O] = KEY_O,
    [SDL_SCANCODE_P] = KEY_P, [SDL_SCANCODE_Q] = KEY_Q, [SDL_SCANCODE_R] = KEY_R,
    [SDL_SCANCODE_S] = KEY_S, [SDL_SCANCODE_T] = KEY_T, [SDL_SCANCODE_U] = KEY_U,
    [SDL_SCANCODE_V] = KEY_V, [SDL_SCANCODE_W] = KEY_W, [SDL_SCANCODE_X] = KEY_X,
    [SDL_SCANCODE_Y] = KEY_Y, [SDL_SCANCODE_Z] = KEY_Z,
    [SDL_SCANCODE_1] = KEY_1, [SDL_SCANCODE_2] = KEY_2, [SDL_SCANCODE_3] = KEY_3,
    [SDL_SCANCODE_4] = KEY_4, [SDL_SCANCODE_5] = KEY_5, [SDL_SCANCODE_6] = KEY_6,
    [SDL_SCANCODE_7] = KEY_7, [SDL_SCANCODE_8] = KEY_8, [SDL_SCANCODE_9] = KEY_9,
    [SDL_SCANCODE_0] = KEY_0,
    [SDL_SCANCODE_RETURN] = KEY_ENTER, [SDL_SCANCODE_ESCAPE] = KEY_ESC,
    [SDL_SCANCODE_BACKSPACE] = KEY_BACKSPACE, [SDL_SCANCODE_TAB] = KEY_TAB,
    [SDL_SCANCODE_SPACE] = KEY_SPACE, [SDL_SCANCODE_MINUS] = KEY_MINUS,
    [SDL_SCANCODE_EQUALS] = KEY_EQUAL, [SDL_SCANCODE_LEFTBRACKET] = KEY_LEFTBRACE,
    [SDL_SCANCODE_RIGHTBRACKET] = KEY_RIGHTBRACE, [SDL_SCANCODE_BACKSLASH] = KEY_BACKSLASH,
    [SDL_SCANCODE_NONUSHASH] = KEY_BACKSLASH, [SDL_SCANCODE_SEMICOLON] = KEY_SEMICOLON,
    [SDL_SCANCODE_APOSTROPHE] = KEY_APOSTROPHE, [SDL_SCANCODE_GRAVE] = KEY_GRAVE,
    [SDL_SCANCODE_COMMA] = KEY_COMMA, [SDL_SCANCODE_PERIOD] = KEY_DOT,
    [SDL_SCANCODE_SLASH] = KEY_SLASH, [SDL_SCANCODE_CAPSLOCK] = KEY_CAPSLOCK,
    [SDL_SCANCODE_F1] = KEY_F1, [SDL_SCANCODE_F2] = KEY_F2, [SDL_SCANCODE_F3] = KEY_F3,
    [SDL_SCANCODE_F4] = KEY_F4, [SDL_SCANCODE_F5] = KEY_F5, [SDL_SCANCODE_F6] = KEY_F6,
    [SDL_SCANCODE_F7] = KEY_F7, [SDL_SCANCODE_F8] = KEY_F8, [SDL_SCANCODE_F9] = KEY_F9,
    [SDL_SCANCODE_F10] = KEY_F10, [SDL_SCANCODE_F11] = KEY_F11, [SDL_SCANCODE_F12] = KEY_F12,
    [SDL_SCANCODE_PRINTSCREEN] = KEY_SYSRQ, [SDL_SCANCODE_SCROLLLOCK] = KEY_SCROLLLOCK,
    [SDL_SCANCODE_PAUSE] = KEY_PAUSE, [SDL_SCANCODE_INSERT] = KEY_INSERT,
    [SDL_SCANCODE_HOME] = KEY_HOME, [SDL_SCANCODE_PAGEUP] = KEY_PAGEUP,
    [SDL_SCANCODE_DELETE] = KEY_DELETE, [SDL_SCANCODE_END] = KEY_END,
    [SDL_SCANCODE_PAGEDOWN] = KEY_PAGEDOWN, [SDL_SCANCODE_RIGHT] = KEY_RIGHT,
    [SDL_SCANCODE_LEFT] = KEY_LEFT, [SDL_SCANCODE_DOWN] = KEY_DOWN, [SDL_SCANCODE_UP] = KEY_UP,
    [SDL_SCANCODE_NUMLOCKCLEAR] = KEY_NUMLOCK, [SDL_SCANCODE_KP_DIVIDE] = KEY_KPSLASH,
    [SDL_SCANCODE_KP_MULTIPLY] = KEY_KPASTERISK, [SDL_SCANCODE_KP_MINUS] = KEY_KPMINUS,
    [SDL_SCANCODE_KP_PLUS] = KEY_KPPLUS, [SDL_SCANCODE_KP_ENTER] = KEY_KPENTER,
    [SDL_SCANCODE_KP_1] = KEY_KP1, [SDL_SCANCODE_KP_2] = KEY_KP2, [SDL_SCANCODE_KP_3] = KEY_KP3,
    [SDL_SCANCODE_KP_4] = KEY_KP4, [SDL_SCANCODE_KP_5] = KEY_KP5, [SDL_SCANCODE_KP_6] = KEY_KP6,
    [SDL_SCANCODE_KP_7] = KEY_KP7, [SDL_SCANCODE_KP_8] = KEY_KP8, [SDL_SCANCODE_KP_9] = KEY_KP9,
    [SDL_SCANCODE_KP_0] = KEY_KP0, [SDL_SCANCODE_KP_PERIOD] = KEY_KPDOT,
    [SDL_SCANCODE_NONUSBACKSLASH] = KEY_102ND, [SDL_SCANCODE_APPLICATION] = KEY_COMPOSE,
    [SDL_SCANCODE_POWER] = KEY_POWER, [SDL_SCANCODE_KP_EQUALS] = KEY_KPEQUAL,
    [SDL_SCANCODE_LCTRL] = KEY_LEFTCTRL, [SDL_SCANCODE_LSHIFT] = KEY_LEFTSHIFT,
    [SDL_SCANCODE_LALT] = KEY_LEFTALT, [SDL_SCANCODE_LGUI] = KEY_LEFTMETA,
    [SDL_SCANCODE_RCTRL] = KEY_RIGHTCTRL, [SDL_SCANCODE_RSHIFT] = KEY_RIGHTSHIFT,
    [SDL_SCANCODE_RALT] = KEY_RIGHTALT, [SDL_SCANCODE_RGUI] = KEY_RIGHTMETA,
};

struct window {
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    unsigned tex_w, tex_h;
    unsigned frame_w, frame_h;        /* the last frame's size */
    SDL_Rect dest;                    /* where the frame is drawn in the window */
    unsigned scale;
    bool smooth;
    bool fullscreen;
    bool user_sized;                  /* the user resized: keep their size */
    bool confirm_close;
    bool grabbed;                     /* relative mouse mode */
    bool escape;                      /* Ctrl-A was pressed: a chord follows */
    unsigned buttons;                 /* pointer buttons held */
    SDL_FingerID fingers[INPUT_TOUCH_SLOTS];
    bool finger_used[INPUT_TOUCH_SLOTS];
    char board[64];
    char state[16];
    double mips;
};

bool window_available(void)
{
    const char *driver = getenv("SDL_VIDEODRIVER");
    if (driver && *driver)
        return true;
    const char *x = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    return (x && *x) || (wl && *wl);
}

static void update_title(struct window *w)
{
    char title[256];
    int n = snprintf(title, sizeof title, "Orrery %s - %s", w->board, w->state);
    if (w->mips >= 0 && n > 0 && (size_t)n < sizeof title)
        n += snprintf(title + n, sizeof title - (size_t)n, " - %.0f MIPS", w->mips);
    if (w->grabbed && n > 0 && (size_t)n < sizeof title)
        snprintf(title + n, sizeof title - (size_t)n, " - Ctrl-Alt-G releases the pointer");
    SDL_SetWindowTitle(w->win, title);
}

void window_set_status(struct window *w, const char *state, double mips)
{
    if (!w)
        return;
    if (strcmp(w->state, state) == 0 && (int)(w->mips + 0.5) == (int)(mips + 0.5))
        return;
    snprintf(w->state, sizeof w->state, "%s", state);
    w->mips = mips;
    update_title(w);
}

int window_open(struct window **out, const struct window_config *cfg, struct orr_error *err)
{
    *out = NULL;
    /* The guest owns the terminal's signals: SDL must not turn Ctrl-C in
     * the terminal into a quit event. */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0)
        return orr_fail(err, "cannot open a window: %s", SDL_GetError());
    struct window *w = calloc(1, sizeof *w);
    if (!w) {
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return orr_fail(err, "out of memory");
    }
    w->scale = cfg->scale ? cfg->scale : 1;
    w->smooth = cfg->smooth;
    w->confirm_close = cfg->confirm_close;
    w->fullscreen = cfg->fullscreen;
    w->mips = -1;
    snprintf(w->board, sizeof w->board, "%s", cfg->board ? cfg->board : "");
    snprintf(w->state, sizeof w->state, "running");
    w->frame_w = 640;
    w->frame_h = 480;
    w->win = SDL_CreateWindow("Orrery", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                              (int)(w->frame_w * w->scale), (int)(w->frame_h * w->scale),
                              SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI |
                                  (w->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0));
    if (w->win)
        w->ren = SDL_CreateRenderer(w->win, -1, 0);
    if (w->win && !w->ren)      /* no accelerated renderer here: draw in software */
        w->ren = SDL_CreateRenderer(w->win, -1, SDL_RENDERER_SOFTWARE);
    if (!w->win || !w->ren) {
        orr_fail(err, "cannot open a window: %s", SDL_GetError());
        window_close(w);
        return -1;
    }
    update_title(w);
    *out = w;
    return 0;
}

void window_close(struct window *w)
{
    if (!w)
        return;
    if (w->tex)
        SDL_DestroyTexture(w->tex);
    if (w->ren)
        SDL_DestroyRenderer(w->ren);
    if (w->win)
        SDL_DestroyWindow(w->win);
    free(w);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

/* The largest rectangle of the frame's aspect in the window, centred; at
 * an integer scale when one fits (sharp pixels), unless smooth. */
static void place_frame(struct window *w)
{
    int ww, wh;
    SDL_GetRendererOutputSize(w->ren, &ww, &wh);
    double sx = (double)ww / w->frame_w, sy = (double)wh / w->frame_h;
    double s = sx < sy ? sx : sy;
    if (!w->smooth && s >= 1.0)
        s = (double)(unsigned)s;
    int dw = (int)(w->frame_w * s), dh = (int)(w->frame_h * s);
    w->dest = (SDL_Rect){ (ww - dw) / 2, (wh - dh) / 2, dw, dh };
}

static void fit_window(struct window *w)
{
    if (!w->fullscreen && !w->user_sized)
        SDL_SetWindowSize(w->win, (int)(w->frame_w * w->scale), (int)(w->frame_h * w->scale));
}

void window_present(struct window *w, const struct frame *f, bool blank)
{
    if (!w || !f->pixels)
        return;
    if (f->width != w->frame_w || f->height != w->frame_h) {
        w->frame_w = f->width;
        w->frame_h = f->height;
        fit_window(w);
    }
    if (!w->tex || w->tex_w != f->width || w->tex_h != f->height) {
        if (w->tex)
            SDL_DestroyTexture(w->tex);
        w->tex = SDL_CreateTexture(w->ren, SDL_PIXELFORMAT_ARGB8888,
                                   SDL_TEXTUREACCESS_STREAMING, (int)f->width, (int)f->height);
        if (!w->tex)
            return;
        w->tex_w = f->width;
        w->tex_h = f->height;
    }
    SDL_SetTextureScaleMode(w->tex, w->smooth ? SDL_ScaleModeLinear : SDL_ScaleModeNearest);
    SDL_UpdateTexture(w->tex, NULL, f->pixels, (int)(f->width * sizeof(uint32_t)));
    place_frame(w);
    SDL_SetRenderDrawColor(w->ren, 0, 0, 0, 255);
    SDL_RenderClear(w->ren);
    if (!blank)
        SDL_RenderCopy(w->ren, w->tex, NULL, &w->dest);
    SDL_RenderPresent(w->ren);
}

static void push(struct ui_input *q, const struct input_event *ev)
{
    if (ui_input_push(q, ev, 0))
        q->dropped++;   /* a full queue drops host input, as a busy port would */
}

static void set_grab(struct window *w, bool on)
{
    w->grabbed = on;
    SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
    update_title(w);
}

static void toggle_fullscreen(struct window *w)
{
    w->fullscreen = !w->fullscreen;
    SDL_SetWindowFullscreen(w->win, w->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    if (!w->fullscreen)
        fit_window(w);
}

static bool confirm_close(struct window *w)
{
    if (!w->confirm_close)
        return true;
    const SDL_MessageBoxButtonData buttons[] = {
        { SDL_MESSAGEBOX_BUTTON_ESCAPEKEY_DEFAULT, 0, "Keep running" },
        { SDL_MESSAGEBOX_BUTTON_RETURNKEY_DEFAULT, 1, "Power off" },
    };
    const SDL_MessageBoxData box = {
        SDL_MESSAGEBOX_WARNING, w->win, "Orrery",
        "Power the guest off? What it has not saved is lost.", 2, buttons, NULL,
    };
    int choice = 0;
    if (SDL_ShowMessageBox(&box, &choice) != 0)
        return true;    /* no way to ask: do as told */
    return choice == 1;
}

/* Ctrl-Alt chords and the Ctrl-A prefix; true when the key was one. */
static bool chord(struct window *w, const SDL_KeyboardEvent *k, struct ui_input *q,
                  struct window_actions *act)
{
    SDL_Keymod mod = SDL_GetModState();
    SDL_Keycode sym = k->keysym.sym;
    if (w->escape) {
        w->escape = false;
        switch (sym) {
        case SDLK_x: act->quit = confirm_close(w); return true;
        case SDLK_c: act->monitor = true; return true;
        case SDLK_f: toggle_fullscreen(w); return true;
        case SDLK_g: set_grab(w, !w->grabbed); return true;
        case SDLK_a: {      /* Ctrl-A itself: Ctrl is still held */
            struct input_event ev = { .cls = INPUT_KEYBOARD, .key = KEY_A, .down = true };
            push(q, &ev);
            ev.down = false;
            push(q, &ev);
            return true;
        }
        default: return true;   /* an unknown chord does nothing, as on the terminal */
        }
    }
    if ((mod & KMOD_CTRL) && !(mod & (KMOD_ALT | KMOD_SHIFT)) && sym == SDLK_a) {
        w->escape = true;
        return true;
    }
    if ((mod & KMOD_CTRL) && (mod & KMOD_ALT)) {
        switch (sym) {
        case SDLK_g: set_grab(w, !w->grabbed); return true;
        case SDLK_f: toggle_fullscreen(w); return true;
        case SDLK_s: w->smooth = !w->smooth; return true;
        case SDLK_u: w->user_sized = false; w->scale = 1; fit_window(w); return true;
        case SDLK_1: case SDLK_2: case SDLK_3: case SDLK_4:
            w->user_sized = false;
            w->scale = (unsigned)(sym - SDLK_0);
            fit_window(w);
            return true;
        default: break;
        }
    }
    return false;
}

/* A point of the window (SDL's logical coordinates) on the frame, as
 * 0..INPUT_ABS_MAX; points in the black bars clamp to the frame's edge. */
static bool window_to_abs(struct window *w, double x, double y, uint32_t *ax, uint32_t *ay)
{
    if (w->dest.w <= 0 || w->dest.h <= 0)
        return false;
    /* With high-DPI the renderer's output has more pixels than the window
     * has logical points. */
    int ww, wh, ow, oh;
    SDL_GetWindowSize(w->win, &ww, &wh);
    SDL_GetRendererOutputSize(w->ren, &ow, &oh);
    if (ww > 0 && wh > 0) {
        x = x * ow / ww;
        y = y * oh / wh;
    }
    double fx = (x - w->dest.x) * INPUT_ABS_MAX / (w->dest.w > 1 ? w->dest.w - 1 : 1);
    double fy = (y - w->dest.y) * INPUT_ABS_MAX / (w->dest.h > 1 ? w->dest.h - 1 : 1);
    *ax = fx < 0 ? 0 : fx > INPUT_ABS_MAX ? INPUT_ABS_MAX : (uint32_t)fx;
    *ay = fy < 0 ? 0 : fy > INPUT_ABS_MAX ? INPUT_ABS_MAX : (uint32_t)fy;
    return true;
}

static void pointer_abs(struct window *w, int x, int y, int wheel, struct ui_input *q)
{
    struct input_event ev = { .cls = INPUT_POINTER_ABS, .dz = wheel, .buttons = w->buttons };
    if (window_to_abs(w, x, y, &ev.x, &ev.y))
        push(q, &ev);
}

static unsigned button_bit(Uint8 b)
{
    return b == SDL_BUTTON_LEFT ? INPUT_BUTTON_LEFT : b == SDL_BUTTON_RIGHT ? INPUT_BUTTON_RIGHT
         : b == SDL_BUTTON_MIDDLE ? INPUT_BUTTON_MIDDLE : 0;
}

static int finger_slot(struct window *w, SDL_FingerID id, bool claim)
{
    for (unsigned i = 0; i < INPUT_TOUCH_SLOTS; i++)
        if (w->finger_used[i] && w->fingers[i] == id)
            return (int)i;
    if (!claim)
        return -1;
    for (unsigned i = 0; i < INPUT_TOUCH_SLOTS; i++)
        if (!w->finger_used[i]) {
            w->finger_used[i] = true;
            w->fingers[i] = id;
            return (int)i;
        }
    return -1;
}

static void touch(struct window *w, const SDL_TouchFingerEvent *t, struct ui_input *q)
{
    int slot = finger_slot(w, t->fingerId, t->type == SDL_FINGERDOWN);
    if (slot < 0)
        return;
    int ww, wh;
    SDL_GetWindowSize(w->win, &ww, &wh);
    struct input_event ev = { .cls = INPUT_TOUCH, .slot = (unsigned)slot,
                              .contact = t->type != SDL_FINGERUP };
    if (t->type == SDL_FINGERUP)
        w->finger_used[slot] = false;
    /* Finger positions are fractions of the window. */
    if (window_to_abs(w, (double)t->x * ww, (double)t->y * wh, &ev.x, &ev.y))
        push(q, &ev);
}

void window_poll(struct window *w, struct ui_input *q, struct window_actions *act)
{
    if (!w)
        return;
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        switch (e.type) {
        case SDL_QUIT:
            act->quit = confirm_close(w);
            break;
        case SDL_WINDOWEVENT:
            if (e.window.event == SDL_WINDOWEVENT_CLOSE)
                act->quit = confirm_close(w);
            else if (e.window.event == SDL_WINDOWEVENT_RESIZED && !w->fullscreen)
                w->user_sized = (unsigned)e.window.data1 != w->frame_w * w->scale ||
                                (unsigned)e.window.data2 != w->frame_h * w->scale;
            else if (e.window.event == SDL_WINDOWEVENT_FOCUS_LOST && w->grabbed)
                set_grab(w, false);
            break;
        case SDL_KEYDOWN:
        case SDL_KEYUP: {
            if (e.type == SDL_KEYDOWN && chord(w, &e.key, q, act))
                break;
            unsigned key = (unsigned)e.key.keysym.scancode < SDL_NUM_SCANCODES
                               ? scancode_keys[e.key.keysym.scancode] : 0;
            if (!key)
                break;
            /* Held keys repeat as further presses: a PS/2 keyboard's
             * typematic repeat; Linux drops them for virtio-input, which
             * repeats in software. */
            struct input_event ev = { .cls = INPUT_KEYBOARD, .key = key,
                                      .down = e.type == SDL_KEYDOWN };
            push(q, &ev);
            break;
        }
        case SDL_MOUSEMOTION:
            if (e.motion.which == SDL_TOUCH_MOUSEID)
                break;
            if (w->grabbed) {
                struct input_event ev = { .cls = INPUT_POINTER_REL, .dx = e.motion.xrel,
                                          .dy = e.motion.yrel, .buttons = w->buttons };
                push(q, &ev);
            } else {
                pointer_abs(w, e.motion.x, e.motion.y, 0, q);
            }
            break;
        case SDL_MOUSEBUTTONDOWN:
        case SDL_MOUSEBUTTONUP: {
            if (e.button.which == SDL_TOUCH_MOUSEID)
                break;
            unsigned bit = button_bit(e.button.button);
            w->buttons = e.type == SDL_MOUSEBUTTONDOWN ? w->buttons | bit : w->buttons & ~bit;
            if (w->grabbed) {
                struct input_event ev = { .cls = INPUT_POINTER_REL, .buttons = w->buttons };
                push(q, &ev);
            } else {
                pointer_abs(w, e.button.x, e.button.y, 0, q);
            }
            break;
        }
        case SDL_MOUSEWHEEL: {
            int steps = e.wheel.direction == SDL_MOUSEWHEEL_FLIPPED ? -e.wheel.y : e.wheel.y;
            if (w->grabbed) {
                struct input_event ev = { .cls = INPUT_POINTER_REL, .dz = steps,
                                          .buttons = w->buttons };
                push(q, &ev);
            } else {
                int x, y;
                SDL_GetMouseState(&x, &y);
                pointer_abs(w, x, y, steps, q);
            }
            break;
        }
        case SDL_FINGERDOWN:
        case SDL_FINGERMOTION:
        case SDL_FINGERUP:
            touch(w, &e.tfinger, q);
            break;
        default:
            break;
        }
    }
}
