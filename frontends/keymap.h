/* Keys by name and text as key strokes, for the monitor's `sendkey` and
 * `type` (docs/display.md). Keys are Linux KEY_* codes (machine/display.h). */
#ifndef ORRERY_FRONTENDS_KEYMAP_H
#define ORRERY_FRONTENDS_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

/* The key a name means ("a", "ret", "ctrl", "f1", "kp_add"...: QEMU's
 * sendkey names, plus a few aliases), or 0. Case-insensitive. */
unsigned keymap_key_by_name(const char *name);
/* The name of key (the first name keymap_key_by_name knows it by), or NULL. */
const char *keymap_key_name(unsigned key);

/* The key that types character c on a US keyboard, and whether Shift must
 * be held: 0 for a character with no key. */
unsigned keymap_key_for_char(char c, bool *shift);

/* Every name, for help texts: fills names with up to max entries and
 * returns how many there are. */
size_t keymap_names(const char **names, size_t max);

#endif
