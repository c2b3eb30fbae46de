/* Screens and input devices, the machine's side of a window (docs/display.md).
 *
 * Displays render what the guest shows into a frame, a host-side array of
 * XRGB8888 pixels that belongs to the caller (a window, a screenshot). A
 * render reads guest memory and registers only: it changes nothing the
 * guest can see, so a frontend renders on its own schedule between run
 * slices, and a saved or replayed run is the same with or without a window.
 *
 * Input devices take host input events (a key, a pointer movement, a touch)
 * in host-independent units: Linux input event codes for keys and buttons,
 * and absolute positions scaled to 0..INPUT_ABS_MAX across the screen. The
 * machine hands each event to the one device that ranks highest for its
 * class at that moment (a virtio-input device whose driver is running
 * ranks above a PS/2 port), so a key reaches the guest once. */
#ifndef ORRERY_MACHINE_DISPLAY_H
#define ORRERY_MACHINE_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

/* --- frames -------------------------------------------------------------- */

/* A rendered picture: pixel (x, y) is pixels[y * width + x], 0x00RRGGBB. */
struct frame {
    unsigned width, height;
    uint32_t *pixels;
    size_t capacity;          /* pixels allocated */
};

#define FRAME_MAX_DIM 4096u

/* Sizes f to width x height (keeping its buffer when large enough); the
 * contents are undefined. -1 when a side is 0 or over FRAME_MAX_DIM, or on
 * allocation failure (f is then unchanged). */
int frame_resize(struct frame *f, unsigned width, unsigned height) ORR_MUST_CHECK;
void frame_free(struct frame *f);

/* Converts a colour of `bits` bits per channel (1..8) to 8 bits, the way a
 * DAC's full scale maps to full scale (0 -> 0, max -> 255). */
static inline uint8_t frame_scale_channel(unsigned value, unsigned bits)
{
    unsigned max = (1u << bits) - 1u;
    return (uint8_t)((value * 255u + max / 2u) / max);
}

/* --- input events ------------------------------------------------------- */

enum input_class {
    INPUT_KEYBOARD,           /* key presses and releases */
    INPUT_POINTER_REL,        /* a mouse: movements */
    INPUT_POINTER_ABS,        /* a tablet: positions on the screen */
    INPUT_TOUCH,              /* a touch screen: contacts */
    INPUT_CLASSES
};

#define INPUT_ABS_MAX 32767u
#define INPUT_TOUCH_SLOTS 10u

/* Pointer buttons, the bits of input_event.buttons. */
enum {
    INPUT_BUTTON_LEFT = 1u << 0,
    INPUT_BUTTON_RIGHT = 1u << 1,
    INPUT_BUTTON_MIDDLE = 1u << 2,
};

struct input_event {
    enum input_class cls;
    /* KEYBOARD: a Linux KEY_* code (<linux/input-event-codes.h>, as a
     * host-independent numbering) and whether it went down or up. */
    unsigned key;
    bool down;
    /* POINTER_REL: a movement in screen directions (dx right, dy down) and
     * wheel steps (dz positive away from the user, as Linux REL_WHEEL). */
    int dx, dy, dz;
    /* POINTER_ABS, TOUCH: the position, 0..INPUT_ABS_MAX across the
     * screen's width and height. */
    uint32_t x, y;
    /* POINTER_REL, POINTER_ABS: the buttons held after the event. */
    unsigned buttons;
    /* TOUCH: the contact (0..INPUT_TOUCH_SLOTS-1), and whether it touches
     * (down at x, y: pressed or moved) or was lifted. */
    unsigned slot;
    bool contact;
};

struct machine;

/* The machine's primary display: the first device in tree order that can
 * render (device_model.render). NULL when it has none. */
const struct machine_device *machine_display(const struct machine *m);

/* Renders the primary display into f at the machine's present time (which
 * sets the phase of blinking). 1 when the display shows a picture, 0 when
 * it is blank (not enabled, no mode set: f then holds a black frame of the
 * size it would have, or 640x480), -1 with err when there is no display or
 * no memory. */
int machine_render(struct machine *m, struct frame *f, struct orr_error *err) ORR_MUST_CHECK;

/* Delivers one input event to the device ranking highest for its class
 * (device_model.input_rank); a key's release goes where its press went.
 * 0 when a device took it, -1 with err when no device takes that class
 * now. */
int machine_input(struct machine *m, const struct input_event *ev,
                  struct orr_error *err) ORR_MUST_CHECK;

/* Whether some device takes events of class c now. */
bool machine_input_available(const struct machine *m, enum input_class c);

#endif
