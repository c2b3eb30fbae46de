/* Key names and the US keyboard layout (frontends/keymap.h). */
#include <linux/input-event-codes.h>
#include <stdint.h>
#include <strings.h>

#include "frontends/keymap.h"

struct key_name {
    const char *name;
    uint16_t key;
};

/* QEMU's sendkey names first (where both exist), so scripts written for
 * either work; the first entry for a key is its canonical name. */
static const struct key_name key_names[] = {
    { "esc", KEY_ESC }, { "1", KEY_1 }, { "2", KEY_2 }, { "3", KEY_3 }, { "4", KEY_4 },
    { "5", KEY_5 }, { "6", KEY_6 }, { "7", KEY_7 }, { "8", KEY_8 }, { "9", KEY_9 },
    { "0", KEY_0 }, { "minus", KEY_MINUS }, { "equal", KEY_EQUAL },
    { "backspace", KEY_BACKSPACE }, { "tab", KEY_TAB },
    { "q", KEY_Q }, { "w", KEY_W }, { "e", KEY_E }, { "r", KEY_R }, { "t", KEY_T },
    { "y", KEY_Y }, { "u", KEY_U }, { "i", KEY_I }, { "o", KEY_O }, { "p", KEY_P },
    { "bracket_left", KEY_LEFTBRACE }, { "bracket_right", KEY_RIGHTBRACE },
    { "ret", KEY_ENTER }, { "ctrl", KEY_LEFTCTRL },
    { "a", KEY_A }, { "s", KEY_S }, { "d", KEY_D }, { "f", KEY_F }, { "g", KEY_G },
    { "h", KEY_H }, { "j", KEY_J }, { "k", KEY_K }, { "l", KEY_L },
    { "semicolon", KEY_SEMICOLON }, { "apostrophe", KEY_APOSTROPHE },
    { "grave_accent", KEY_GRAVE }, { "shift", KEY_LEFTSHIFT }, { "backslash", KEY_BACKSLASH },
    { "z", KEY_Z }, { "x", KEY_X }, { "c", KEY_C }, { "v", KEY_V }, { "b", KEY_B },
    { "n", KEY_N }, { "m", KEY_M }, { "comma", KEY_COMMA }, { "dot", KEY_DOT },
    { "slash", KEY_SLASH }, { "shift_r", KEY_RIGHTSHIFT }, { "kp_multiply", KEY_KPASTERISK },
    { "alt", KEY_LEFTALT }, { "spc", KEY_SPACE }, { "caps_lock", KEY_CAPSLOCK },
    { "f1", KEY_F1 }, { "f2", KEY_F2 }, { "f3", KEY_F3 }, { "f4", KEY_F4 }, { "f5", KEY_F5 },
    { "f6", KEY_F6 }, { "f7", KEY_F7 }, { "f8", KEY_F8 }, { "f9", KEY_F9 },
    { "f10", KEY_F10 }, { "num_lock", KEY_NUMLOCK }, { "scroll_lock", KEY_SCROLLLOCK },
    { "kp_7", KEY_KP7 }, { "kp_8", KEY_KP8 }, { "kp_9", KEY_KP9 },
    { "kp_subtract", KEY_KPMINUS }, { "kp_4", KEY_KP4 }, { "kp_5", KEY_KP5 },
    { "kp_6", KEY_KP6 }, { "kp_add", KEY_KPPLUS }, { "kp_1", KEY_KP1 }, { "kp_2", KEY_KP2 },
    { "kp_3", KEY_KP3 }, { "kp_0", KEY_KP0 }, { "kp_decimal", KEY_KPDOT },
    { "less", KEY_102ND }, { "f11", KEY_F11 }, { "f12", KEY_F12 },
    { "kp_enter", KEY_KPENTER }, { "ctrl_r", KEY_RIGHTCTRL }, { "kp_divide", KEY_KPSLASH },
    { "print", KEY_SYSRQ }, { "alt_r", KEY_RIGHTALT }, { "home", KEY_HOME }, { "up", KEY_UP },
    { "pgup", KEY_PAGEUP }, { "left", KEY_LEFT }, { "right", KEY_RIGHT }, { "end", KEY_END },
    { "down", KEY_DOWN }, { "pgdn", KEY_PAGEDOWN }, { "insert", KEY_INSERT },
    { "delete", KEY_DELETE }, { "power", KEY_POWER }, { "pause", KEY_PAUSE },
    { "meta_l", KEY_LEFTMETA }, { "meta_r", KEY_RIGHTMETA }, { "menu", KEY_COMPOSE },
    { "sleep", KEY_SLEEP }, { "wake", KEY_WAKEUP },
    /* Aliases. */
    { "escape", KEY_ESC }, { "enter", KEY_ENTER }, { "return", KEY_ENTER },
    { "space", KEY_SPACE }, { "del", KEY_DELETE }, { "control", KEY_LEFTCTRL },
    { "ctrl_l", KEY_LEFTCTRL }, { "shift_l", KEY_LEFTSHIFT }, { "alt_l", KEY_LEFTALT },
    { "altgr", KEY_RIGHTALT }, { "sysrq", KEY_SYSRQ }, { "pageup", KEY_PAGEUP },
    { "pagedown", KEY_PAGEDOWN }, { "super", KEY_LEFTMETA },
};

unsigned keymap_key_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (strcasecmp(key_names[i].name, name) == 0)
            return key_names[i].key;
    return 0;
}

const char *keymap_key_name(unsigned key)
{
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (key_names[i].key == key)
            return key_names[i].name;
    return NULL;
}

size_t keymap_names(const char **names, size_t max)
{
    size_t n = sizeof key_names / sizeof key_names[0];
    for (size_t i = 0; i < n && i < max; i++)
        names[i] = key_names[i].name;
    return n;
}

/* The US layout's printable characters: each row pairs the unshifted and
 * shifted character of a key. */
static const struct {
    char plain, shifted;
    uint16_t key;
} us_layout[] = {
    { '1', '!', KEY_1 }, { '2', '@', KEY_2 }, { '3', '#', KEY_3 }, { '4', '$', KEY_4 },
    { '5', '%', KEY_5 }, { '6', '^', KEY_6 }, { '7', '&', KEY_7 }, { '8', '*', KEY_8 },
    { '9', '(', KEY_9 }, { '0', ')', KEY_0 }, { '-', '_', KEY_MINUS }, { '=', '+', KEY_EQUAL },
    { '[', '{', KEY_LEFTBRACE }, { ']', '}', KEY_RIGHTBRACE }, { ';', ':', KEY_SEMICOLON },
    { '\'', '"', KEY_APOSTROPHE }, { '`', '~', KEY_GRAVE }, { '\\', '|', KEY_BACKSLASH },
    { ',', '<', KEY_COMMA }, { '.', '>', KEY_DOT }, { '/', '?', KEY_SLASH },
    { ' ', 0, KEY_SPACE }, { '\n', 0, KEY_ENTER }, { '\t', 0, KEY_TAB },
    { '\b', 0, KEY_BACKSPACE }, { 0x1b, 0, KEY_ESC },
};

static const uint16_t letter_keys[26] = {
    KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I, KEY_J, KEY_K, KEY_L, KEY_M,
    KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R, KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z,
};

unsigned keymap_key_for_char(char c, bool *shift)
{
    *shift = false;
    if (c >= 'a' && c <= 'z')
        return letter_keys[c - 'a'];
    if (c >= 'A' && c <= 'Z') {
        *shift = true;
        return letter_keys[c - 'A'];
    }
    for (size_t i = 0; i < sizeof us_layout / sizeof us_layout[0]; i++) {
        if (us_layout[i].plain == c)
            return us_layout[i].key;
        if (us_layout[i].shifted && us_layout[i].shifted == c) {
            *shift = true;
            return us_layout[i].key;
        }
    }
    return 0;
}
