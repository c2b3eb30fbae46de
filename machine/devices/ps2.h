/* PS/2 keyboard and mouse, the devices at the far end of a PS/2 port:
 * an i8042 keyboard controller (i8042.c) hosts one of each, and an ARM
 * PL050 can host either. They are not device models of their own: the
 * host controller embeds them, passes them the bytes the system sends,
 * pulls the bytes they answer, and saves them inside its own section.
 *
 * After the IBM Keyboard and the IBM PS/2 Mouse technical references
 * (PS/2 Hardware Interface Technical Reference, "Keyboard and Auxiliary
 * Device Controller", "Keyboards (101- and 102-Key)", "Pointing Device").
 *
 * The host side, for a frontend:
 *   ps2_kbd_key(kbd, key, down): key is a Linux input event code (KEY_*
 *     of <linux/input-event-codes.h>, used here only as a host-independent
 *     numbering of keys; the values are listed in ps2.c's table). The
 *     keyboard queues the key's make or break sequence in its current
 *     scancode set; a key held down repeats only when the host sends more
 *     downs (no typematic timer of its own).
 *   ps2_mouse_move(mouse, dx, dy, dz, buttons): a movement in the mouse's
 *     own convention: dx positive to the right, dy positive away from the
 *     user (up the screen), dz positive for the wheel rolled towards the
 *     user; buttons bit 0 left, 1 right, 2 middle, 3 fourth, 4 fifth.
 *
 * The controller side: ps2_*_write sends one byte from the system; the
 * device answers by queueing bytes and calling notify, and the controller
 * takes them with ps2_*_read when its interface is free. */
#ifndef ORRERY_MACHINE_DEVICES_PS2_H
#define ORRERY_MACHINE_DEVICES_PS2_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/error.h"

struct state_writer;
struct state_reader;

/* Bytes a device holds for its host. The keyboard's scan-code buffer is
 * 16 bytes (keyboard tech ref: "a 16-character buffer"); command replies
 * get room beyond it so a reply is never lost to queued keys. */
#define PS2_QUEUE_SIZE 32
#define PS2_KBD_BUFFER 16

struct ps2_queue {
    uint8_t data[PS2_QUEUE_SIZE];
    unsigned head, count;
};

/* Told that the device queued bytes (opaque: the host controller). */
typedef void (*ps2_notify_fn)(void *opaque);

struct ps2_kbd {
    struct ps2_queue q;
    ps2_notify_fn notify;
    void *opaque;
    uint8_t pending;       /* command waiting for its parameter (0: none) */
    uint8_t set;           /* scan-code set: 1 or 2 */
    uint8_t leds;          /* ED parameter: bit 0 scroll, 1 num, 2 caps lock */
    uint8_t typematic;     /* F3 parameter */
    bool scanning;         /* F4/F5: keys are reported */
    uint8_t last;          /* the last byte sent, for FE (resend) */
};

struct ps2_mouse {
    struct ps2_queue q;
    ps2_notify_fn notify;
    void *opaque;
    uint8_t pending;       /* command waiting for its parameter (0: none) */
    bool reporting;        /* F4/F5: data reporting in stream mode */
    bool remote;           /* F0 remote mode, EA stream mode */
    bool wrap;             /* EE wrap (echo) mode, EC leaves it */
    bool scaling21;        /* E7 2:1, E6 1:1 */
    uint8_t resolution;    /* E8: 0..3 = 1, 2, 4, 8 counts/mm */
    uint8_t rate;          /* F3: samples per second */
    uint8_t id;            /* F2: 0 standard, 3 IntelliMouse, 4 Explorer */
    uint8_t knock[3];      /* the last three sample rates set, newest last */
    uint8_t buttons;       /* current button state (bits as ps2_mouse_move) */
    int32_t dx, dy, dz;    /* movement not yet reported */
    uint8_t last;          /* the last byte sent, for FE (resend) */
};

/* 8042 translation of a scan-code-set-2 byte to set 1 (the controller's
 * fixed table; F0, the break prefix, is the caller's to fold in as 0x80). */
uint8_t ps2_translate_set2(uint8_t code);

void ps2_kbd_init(struct ps2_kbd *k, ps2_notify_fn notify, void *opaque);
/* Power-on: set 2, scanning, defaults, nothing queued. */
void ps2_kbd_reset(struct ps2_kbd *k);
void ps2_kbd_write(struct ps2_kbd *k, uint8_t byte);
/* The next queued byte, or -1. */
int ps2_kbd_read(struct ps2_kbd *k);
bool ps2_kbd_has_data(const struct ps2_kbd *k);
/* key: a Linux KEY_* code; returns false for a key with no scan code. */
bool ps2_kbd_key(struct ps2_kbd *k, unsigned key, bool down);
void ps2_kbd_save(const struct ps2_kbd *k, struct state_writer *w);
/* Reads what ps2_kbd_save wrote; a bad field fails with a message. */
int ps2_kbd_load(struct ps2_kbd *k, struct state_reader *r, struct orr_error *err) ORR_MUST_CHECK;

void ps2_mouse_init(struct ps2_mouse *m, ps2_notify_fn notify, void *opaque);
void ps2_mouse_reset(struct ps2_mouse *m);
void ps2_mouse_write(struct ps2_mouse *m, uint8_t byte);
int ps2_mouse_read(struct ps2_mouse *m);
bool ps2_mouse_has_data(const struct ps2_mouse *m);
void ps2_mouse_move(struct ps2_mouse *m, int dx, int dy, int dz, unsigned buttons);
void ps2_mouse_save(const struct ps2_mouse *m, struct state_writer *w);
int ps2_mouse_load(struct ps2_mouse *m, struct state_reader *r,
                   struct orr_error *err) ORR_MUST_CHECK;

#endif
