/* PS/2 keyboard and mouse (ps2.h): command sets, scan codes and packets,
 * after the IBM PS/2 Hardware Interface Technical Reference ("Keyboards
 * (101- and 102-Key)" and "Pointing Device" sections).
 *
 * Limits, by design: the keyboard speaks scan-code sets 1 and 2 (set 3 is
 * refused with FE, as Linux's atkbd only asks for it when told to); it
 * repeats a held key only when the host sends the key again. */
#include "machine/devices/ps2.h"

#include <string.h>

#include "machine/state.h"

/* ---- byte queue --------------------------------------------------------- */

static void q_clear(struct ps2_queue *q)
{
    q->head = q->count = 0;
}

static bool q_push(struct ps2_queue *q, uint8_t b)
{
    if (q->count >= PS2_QUEUE_SIZE)
        return false;
    q->data[(q->head + q->count) % PS2_QUEUE_SIZE] = b;
    q->count++;
    return true;
}

static int q_pop(struct ps2_queue *q)
{
    if (!q->count)
        return -1;
    uint8_t b = q->data[q->head];
    q->head = (q->head + 1) % PS2_QUEUE_SIZE;
    q->count--;
    return b;
}

static void q_save(const struct ps2_queue *q, struct state_writer *w)
{
    state_put_u8(w, (uint8_t)q->count);
    for (unsigned i = 0; i < q->count; i++)
        state_put_u8(w, q->data[(q->head + i) % PS2_QUEUE_SIZE]);
}

static int q_load(struct ps2_queue *q, struct state_reader *r, struct orr_error *err)
{
    unsigned n = state_get_u8(r);
    if (state_reader_check(r))
        return orr_fail(err, "ps2: truncated or corrupt state");
    if (n > PS2_QUEUE_SIZE)
        return orr_fail(err, "ps2: queue of %u bytes (at most %u)", n, PS2_QUEUE_SIZE);
    q_clear(q);
    for (unsigned i = 0; i < n; i++)
        (void)q_push(q, state_get_u8(r));
    return 0;
}

/* ---- scan codes --------------------------------------------------------- */

/* The 8042's set 2 to set 1 translation (PS/2 tech ref, "Keyboard and
 * Auxiliary Device Controller", scan-code translation): codes 0x80 and up
 * pass unchanged except 0x83 (F7) and 0x84 (Alt+SysRq). */
static const uint8_t set2_to_set1[128] = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

uint8_t ps2_translate_set2(uint8_t code)
{
    if (code < 0x80)
        return set2_to_set1[code];
    if (code == 0x83)
        return 0x41;
    if (code == 0x84)
        return 0x54;
    return code;
}

/* A key's set-2 make code; E0-prefixed keys carry the flag. */
struct set2_code {
    uint8_t code;
    bool e0;
};

/* Linux KEY_* code -> set 2 (keyboard tech ref, scan-code tables). Keys
 * 1-88 are the PC keyboard in set 1 order. KEY_SYSRQ (99, Print Screen)
 * and KEY_PAUSE (119) have sequences of their own (see key_sequence). */
enum { KEY_SYSRQ = 99, KEY_PAUSE = 119, KEY_TABLE_SIZE = 128 };

static const struct set2_code key_set2[KEY_TABLE_SIZE] = {
    [1] = { 0x76, false },                          /* ESC */
    [2] = { 0x16, false }, [3] = { 0x1e, false },   /* 1 2 */
    [4] = { 0x26, false }, [5] = { 0x25, false },   /* 3 4 */
    [6] = { 0x2e, false }, [7] = { 0x36, false },   /* 5 6 */
    [8] = { 0x3d, false }, [9] = { 0x3e, false },   /* 7 8 */
    [10] = { 0x46, false }, [11] = { 0x45, false }, /* 9 0 */
    [12] = { 0x4e, false }, [13] = { 0x55, false }, /* MINUS EQUAL */
    [14] = { 0x66, false }, [15] = { 0x0d, false }, /* BACKSPACE TAB */
    [16] = { 0x15, false }, [17] = { 0x1d, false }, /* Q W */
    [18] = { 0x24, false }, [19] = { 0x2d, false }, /* E R */
    [20] = { 0x2c, false }, [21] = { 0x35, false }, /* T Y */
    [22] = { 0x3c, false }, [23] = { 0x43, false }, /* U I */
    [24] = { 0x44, false }, [25] = { 0x4d, false }, /* O P */
    [26] = { 0x54, false }, [27] = { 0x5b, false }, /* LEFTBRACE RIGHTBRACE */
    [28] = { 0x5a, false }, [29] = { 0x14, false }, /* ENTER LEFTCTRL */
    [30] = { 0x1c, false }, [31] = { 0x1b, false }, /* A S */
    [32] = { 0x23, false }, [33] = { 0x2b, false }, /* D F */
    [34] = { 0x34, false }, [35] = { 0x33, false }, /* G H */
    [36] = { 0x3b, false }, [37] = { 0x42, false }, /* J K */
    [38] = { 0x4b, false }, [39] = { 0x4c, false }, /* L SEMICOLON */
    [40] = { 0x52, false }, [41] = { 0x0e, false }, /* APOSTROPHE GRAVE */
    [42] = { 0x12, false }, [43] = { 0x5d, false }, /* LEFTSHIFT BACKSLASH */
    [44] = { 0x1a, false }, [45] = { 0x22, false }, /* Z X */
    [46] = { 0x21, false }, [47] = { 0x2a, false }, /* C V */
    [48] = { 0x32, false }, [49] = { 0x31, false }, /* B N */
    [50] = { 0x3a, false }, [51] = { 0x41, false }, /* M COMMA */
    [52] = { 0x49, false }, [53] = { 0x4a, false }, /* DOT SLASH */
    [54] = { 0x59, false }, [55] = { 0x7c, false }, /* RIGHTSHIFT KPASTERISK */
    [56] = { 0x11, false }, [57] = { 0x29, false }, /* LEFTALT SPACE */
    [58] = { 0x58, false },                         /* CAPSLOCK */
    [59] = { 0x05, false }, [60] = { 0x06, false }, /* F1 F2 */
    [61] = { 0x04, false }, [62] = { 0x0c, false }, /* F3 F4 */
    [63] = { 0x03, false }, [64] = { 0x0b, false }, /* F5 F6 */
    [65] = { 0x83, false }, [66] = { 0x0a, false }, /* F7 F8 */
    [67] = { 0x01, false }, [68] = { 0x09, false }, /* F9 F10 */
    [69] = { 0x77, false }, [70] = { 0x7e, false }, /* NUMLOCK SCROLLLOCK */
    [71] = { 0x6c, false }, [72] = { 0x75, false }, /* KP7 KP8 */
    [73] = { 0x7d, false }, [74] = { 0x7b, false }, /* KP9 KPMINUS */
    [75] = { 0x6b, false }, [76] = { 0x73, false }, /* KP4 KP5 */
    [77] = { 0x74, false }, [78] = { 0x79, false }, /* KP6 KPPLUS */
    [79] = { 0x69, false }, [80] = { 0x72, false }, /* KP1 KP2 */
    [81] = { 0x7a, false }, [82] = { 0x70, false }, /* KP3 KP0 */
    [83] = { 0x71, false },                         /* KPDOT */
    [86] = { 0x61, false },                         /* 102ND */
    [87] = { 0x78, false }, [88] = { 0x07, false }, /* F11 F12 */
    [89] = { 0x51, false },                         /* RO */
    [96] = { 0x5a, true }, [97] = { 0x14, true },   /* KPENTER RIGHTCTRL */
    [98] = { 0x4a, true },                          /* KPSLASH */
    [100] = { 0x11, true },                         /* RIGHTALT */
    [102] = { 0x6c, true }, [103] = { 0x75, true }, /* HOME UP */
    [104] = { 0x7d, true }, [105] = { 0x6b, true }, /* PAGEUP LEFT */
    [106] = { 0x74, true }, [107] = { 0x69, true }, /* RIGHT END */
    [108] = { 0x72, true }, [109] = { 0x7a, true }, /* DOWN PAGEDOWN */
    [110] = { 0x70, true }, [111] = { 0x71, true }, /* INSERT DELETE */
    [113] = { 0x23, true }, [114] = { 0x21, true }, /* MUTE VOLUMEDOWN */
    [115] = { 0x32, true }, [116] = { 0x37, true }, /* VOLUMEUP POWER */
    [124] = { 0x6a, false },                        /* YEN */
    [125] = { 0x1f, true }, [126] = { 0x27, true }, /* LEFTMETA RIGHTMETA */
    [127] = { 0x2f, true },                         /* COMPOSE (the menu key) */
};

/* The set-2 bytes of a key's make (down) or break, or 0 bytes for a key
 * without a code. Print Screen is sent as with no modifier held (E0 12
 * E0 7C, the "fake shift" form); Pause has a make sequence only. */
static unsigned key_sequence(unsigned key, bool down, uint8_t out[8])
{
    if (key == KEY_PAUSE) {
        static const uint8_t pause[8] = { 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77 };
        if (!down)
            return 0;
        memcpy(out, pause, 8);
        return 8;
    }
    if (key == KEY_SYSRQ) {
        static const uint8_t make[4] = { 0xe0, 0x12, 0xe0, 0x7c };
        static const uint8_t brk[6] = { 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12 };
        memcpy(out, down ? make : brk, down ? 4 : 6);
        return down ? 4 : 6;
    }
    if (key >= KEY_TABLE_SIZE || !key_set2[key].code)
        return 0;
    unsigned n = 0;
    if (key_set2[key].e0)
        out[n++] = 0xe0;
    if (!down)
        out[n++] = 0xf0;
    out[n++] = key_set2[key].code;
    return n;
}

/* ---- keyboard ----------------------------------------------------------- */

enum {
    KBD_ACK = 0xfa, KBD_RESEND = 0xfe, KBD_BAT_OK = 0xaa, KBD_ECHO = 0xee,
    KBD_OVERRUN_SET2 = 0x00, KBD_OVERRUN_SET1 = 0xff,
};

static void kbd_send(struct ps2_kbd *k, uint8_t b)
{
    if (q_push(&k->q, b))
        k->last = b;
}

static void kbd_notify(struct ps2_kbd *k)
{
    if (k->notify && k->q.count)
        k->notify(k->opaque);
}

static void kbd_defaults(struct ps2_kbd *k)
{
    /* Keyboard tech ref, "Set Default (F6)": typematic 10.9 cps after
     * 500 ms (0x2B), all keys typematic/make/break, set unchanged. */
    k->typematic = 0x2b;
}

void ps2_kbd_init(struct ps2_kbd *k, ps2_notify_fn notify, void *opaque)
{
    memset(k, 0, sizeof *k);
    k->notify = notify;
    k->opaque = opaque;
    ps2_kbd_reset(k);
}

void ps2_kbd_reset(struct ps2_kbd *k)
{
    q_clear(&k->q);
    k->pending = 0;
    k->set = 2;
    k->leds = 0;
    k->scanning = true;
    k->last = 0;
    kbd_defaults(k);
}

/* A command's parameter byte. */
static void kbd_parameter(struct ps2_kbd *k, uint8_t cmd, uint8_t b)
{
    switch (cmd) {
    case 0xed:   /* Set/Reset Mode Indicators */
        k->leds = b & 7u;
        kbd_send(k, KBD_ACK);
        return;
    case 0xf3:   /* Set Typematic Rate/Delay: bit 7 must be 0 */
        k->typematic = b & 0x7fu;
        kbd_send(k, KBD_ACK);
        return;
    case 0xf0:   /* Select Alternate Scan Codes: 0 reports the set */
        if (b == 0) {
            kbd_send(k, KBD_ACK);
            kbd_send(k, k->set);
        } else if (b == 1 || b == 2) {
            k->set = b;
            kbd_send(k, KBD_ACK);
        } else {
            kbd_send(k, KBD_RESEND);
        }
        return;
    default:
        return;
    }
}

void ps2_kbd_write(struct ps2_kbd *k, uint8_t b)
{
    /* A command in place of an expected parameter is taken as a command
     * (keyboard tech ref: every command byte is >= 0xED; parameters of ED,
     * F0 and F3 are below it). */
    if (k->pending && b < 0xed) {
        uint8_t cmd = k->pending;
        k->pending = 0;
        kbd_parameter(k, cmd, b);
        kbd_notify(k);
        return;
    }
    k->pending = 0;
    switch (b) {
    case 0xed: case 0xf0: case 0xf3:
        k->pending = b;
        kbd_send(k, KBD_ACK);
        break;
    case 0xee:   /* Echo */
        kbd_send(k, KBD_ECHO);
        break;
    case 0xf2:   /* Read ID: ACK, then the MF2 keyboard's AB 83 */
        kbd_send(k, KBD_ACK);
        kbd_send(k, 0xab);
        kbd_send(k, 0x83);
        break;
    case 0xf4:   /* Enable: clears the buffer, starts scanning */
        q_clear(&k->q);
        k->scanning = true;
        kbd_send(k, KBD_ACK);
        break;
    case 0xf5:   /* Default Disable: defaults, buffer cleared, stops scanning */
        q_clear(&k->q);
        kbd_defaults(k);
        k->scanning = false;
        kbd_send(k, KBD_ACK);
        break;
    case 0xf6:   /* Set Default: defaults, buffer cleared, keeps scanning */
        q_clear(&k->q);
        kbd_defaults(k);
        kbd_send(k, KBD_ACK);
        break;
    case 0xf7: case 0xf8: case 0xf9: case 0xfa:
    case 0xfb: case 0xfc: case 0xfd:
        /* Set-3 key type commands: acknowledged, no effect in sets 1/2. */
        kbd_send(k, KBD_ACK);
        break;
    case 0xfe:   /* Resend: the last byte sent again */
        (void)q_push(&k->q, k->last);
        break;
    case 0xff:   /* Reset: ACK, the basic assurance test, AA */
        ps2_kbd_reset(k);
        kbd_send(k, KBD_ACK);
        kbd_send(k, KBD_BAT_OK);
        break;
    default:
        kbd_send(k, KBD_RESEND);
        break;
    }
    kbd_notify(k);
}

int ps2_kbd_read(struct ps2_kbd *k)
{
    return q_pop(&k->q);
}

bool ps2_kbd_has_data(const struct ps2_kbd *k)
{
    return k->q.count != 0;
}

bool ps2_kbd_key(struct ps2_kbd *k, unsigned key, bool down)
{
    uint8_t seq[8];
    unsigned n = key_sequence(key, down, seq);
    if (n == 0)
        return false;
    if (!k->scanning)
        return true;
    /* Set 1 from the keyboard itself: the same translation the 8042
     * applies, with F0 folded into bit 7. */
    uint8_t out[8];
    unsigned m = 0;
    if (k->set == 1) {
        bool brk = false;
        for (unsigned i = 0; i < n; i++) {
            if (seq[i] == 0xf0) {
                brk = true;
                continue;
            }
            out[m++] = (uint8_t)(ps2_translate_set2(seq[i]) | (brk ? 0x80u : 0));
            brk = false;
        }
    } else {
        memcpy(out, seq, n);
        m = n;
    }
    /* Overrun (keyboard tech ref, "Keyboard Buffer"): when the 16-byte
     * buffer is full the last position takes the overrun code (00 in set
     * 2, FF in set 1) and further keys are lost. */
    for (unsigned i = 0; i < m; i++) {
        if (k->q.count >= PS2_KBD_BUFFER)
            break;
        if (k->q.count == PS2_KBD_BUFFER - 1) {
            (void)q_push(&k->q, k->set == 1 ? KBD_OVERRUN_SET1 : KBD_OVERRUN_SET2);
            break;
        }
        (void)q_push(&k->q, out[i]);
    }
    kbd_notify(k);
    return true;
}

void ps2_kbd_save(const struct ps2_kbd *k, struct state_writer *w)
{
    q_save(&k->q, w);
    state_put_u8(w, k->pending);
    state_put_u8(w, k->set);
    state_put_u8(w, k->leds);
    state_put_u8(w, k->typematic);
    state_put_bool(w, k->scanning);
    state_put_u8(w, k->last);
}

int ps2_kbd_load(struct ps2_kbd *k, struct state_reader *r, struct orr_error *err)
{
    struct ps2_kbd n = *k;
    if (q_load(&n.q, r, err))
        return -1;
    n.pending = state_get_u8(r);
    n.set = state_get_u8(r);
    n.leds = state_get_u8(r);
    n.typematic = state_get_u8(r);
    n.scanning = state_get_bool(r);
    n.last = state_get_u8(r);
    if (state_reader_check(r))
        return orr_fail(err, "ps2 keyboard: truncated or corrupt state");
    if ((n.set != 1 && n.set != 2) ||
        (n.pending && n.pending != 0xed && n.pending != 0xf0 && n.pending != 0xf3))
        return orr_fail(err, "ps2 keyboard: bad scan-code set %u or command 0x%02x", n.set,
                        n.pending);
    *k = n;
    return 0;
}

/* ---- mouse -------------------------------------------------------------- */

enum { MOUSE_ACK = 0xfa, MOUSE_RESEND = 0xfe, MOUSE_BAT_OK = 0xaa };

static void mouse_send(struct ps2_mouse *m, uint8_t b)
{
    if (q_push(&m->q, b))
        m->last = b;
}

static void mouse_notify(struct ps2_mouse *m)
{
    if (m->notify && m->q.count)
        m->notify(m->opaque);
}

/* Pointing device tech ref, "Set Default (F6)": 100 samples/s, 4 counts
 * per mm, 1:1 scaling, stream mode, reporting disabled. */
static void mouse_defaults(struct ps2_mouse *m)
{
    m->rate = 100;
    m->resolution = 2;
    m->scaling21 = false;
    m->remote = false;
    m->reporting = false;
    m->dx = m->dy = m->dz = 0;
}

void ps2_mouse_init(struct ps2_mouse *m, ps2_notify_fn notify, void *opaque)
{
    memset(m, 0, sizeof *m);
    m->notify = notify;
    m->opaque = opaque;
    ps2_mouse_reset(m);
}

void ps2_mouse_reset(struct ps2_mouse *m)
{
    q_clear(&m->q);
    mouse_defaults(m);
    m->pending = 0;
    m->wrap = false;
    m->id = 0;
    memset(m->knock, 0, sizeof m->knock);
    m->buttons = 0;
    m->last = 0;
}

static int32_t clamp(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* 2:1 scaling (pointing device tech ref, "Scaling"): applies to stream
 * reports only. */
static int32_t scale21(int32_t v)
{
    static const int32_t small[6] = { 0, 1, 1, 3, 6, 9 };
    int32_t a = v < 0 ? -v : v;
    int32_t s = a < 6 ? small[a] : 2 * a;
    return v < 0 ? -s : s;
}

/* Queues one data packet of the accumulated movement (3 bytes, or 4 for
 * the IntelliMouse IDs) and consumes what it reported. */
static void mouse_packet(struct ps2_mouse *m, bool stream)
{
    unsigned size = m->id ? 4u : 3u;
    if (PS2_QUEUE_SIZE - m->q.count < size)
        return;   /* no room: the movement stays for the next packet */
    int32_t dx = m->dx, dy = m->dy;
    if (stream && m->scaling21) {
        dx = scale21(dx);
        dy = scale21(dy);
    }
    /* 9-bit two's complement with overflow bits (byte 1 bits 6-7). */
    bool xo = dx < -256 || dx > 255, yo = dy < -256 || dy > 255;
    dx = clamp(dx, -256, 255);
    dy = clamp(dy, -256, 255);
    uint8_t b0 = (uint8_t)(0x08u | (m->buttons & 1u) | (m->buttons & 2u) |
                           (m->buttons & 4u) | (dx < 0 ? 0x10u : 0) | (dy < 0 ? 0x20u : 0) |
                           (xo ? 0x40u : 0) | (yo ? 0x80u : 0));
    mouse_send(m, b0);
    mouse_send(m, (uint8_t)dx);
    mouse_send(m, (uint8_t)dy);
    int32_t dz = 0;
    if (m->id == 3) {
        dz = clamp(m->dz, -128, 127);
        mouse_send(m, (uint8_t)dz);
    } else if (m->id == 4) {
        /* Explorer: Z in bits 0-3, buttons 4 and 5 in bits 4-5. */
        dz = clamp(m->dz, -8, 7);
        mouse_send(m, (uint8_t)(((unsigned)dz & 0x0fu) | ((m->buttons & 0x18u) << 1)));
    }
    m->dx = 0;
    m->dy = 0;
    m->dz -= dz;
}

/* The IntelliMouse knocks: sample rates 200, 100, 80 give ID 3; then 200,
 * 200, 80 give ID 4 (Microsoft's IntelliMouse PS/2 protocol notes). */
static void mouse_rate_set(struct ps2_mouse *m, uint8_t rate)
{
    m->rate = rate;
    m->knock[0] = m->knock[1];
    m->knock[1] = m->knock[2];
    m->knock[2] = rate;
    if (m->knock[0] == 200 && m->knock[1] == 100 && m->knock[2] == 80 && m->id == 0)
        m->id = 3;
    else if (m->knock[0] == 200 && m->knock[1] == 200 && m->knock[2] == 80 && m->id == 3)
        m->id = 4;
}

static bool valid_rate(uint8_t r)
{
    static const uint8_t rates[] = { 10, 20, 40, 60, 80, 100, 200 };
    for (unsigned i = 0; i < sizeof rates; i++)
        if (rates[i] == r)
            return true;
    return false;
}

void ps2_mouse_write(struct ps2_mouse *m, uint8_t b)
{
    if (m->pending) {
        uint8_t cmd = m->pending;
        m->pending = 0;
        if (cmd == 0xf3 && valid_rate(b)) {
            mouse_rate_set(m, b);
            mouse_send(m, MOUSE_ACK);
        } else if (cmd == 0xe8 && b <= 3) {
            m->resolution = b;
            mouse_send(m, MOUSE_ACK);
        } else {
            mouse_send(m, MOUSE_RESEND);
        }
        mouse_notify(m);
        return;
    }
    if (m->wrap && b != 0xec && b != 0xff) {
        mouse_send(m, b);   /* wrap mode echoes every other byte */
        mouse_notify(m);
        return;
    }
    switch (b) {
    case 0xe6: m->scaling21 = false; mouse_send(m, MOUSE_ACK); break;
    case 0xe7: m->scaling21 = true; mouse_send(m, MOUSE_ACK); break;
    case 0xe8: case 0xf3:
        m->pending = b;
        mouse_send(m, MOUSE_ACK);
        break;
    case 0xe9:   /* Status Request: mode, then resolution, then rate */
        mouse_send(m, MOUSE_ACK);
        mouse_send(m, (uint8_t)((m->remote ? 0x40u : 0) | (m->reporting ? 0x20u : 0) |
                                (m->scaling21 ? 0x10u : 0) | ((m->buttons & 1u) << 2) |
                                ((m->buttons & 4u) >> 1) | ((m->buttons & 2u) >> 1)));
        mouse_send(m, m->resolution);
        mouse_send(m, m->rate);
        break;
    case 0xea: m->remote = false; m->dx = m->dy = m->dz = 0; mouse_send(m, MOUSE_ACK); break;
    case 0xeb:   /* Read Data: a packet, in either mode */
        mouse_send(m, MOUSE_ACK);
        mouse_packet(m, false);
        break;
    case 0xec: m->wrap = false; m->dx = m->dy = m->dz = 0; mouse_send(m, MOUSE_ACK); break;
    case 0xee: m->wrap = true; m->dx = m->dy = m->dz = 0; mouse_send(m, MOUSE_ACK); break;
    case 0xf0: m->remote = true; m->dx = m->dy = m->dz = 0; mouse_send(m, MOUSE_ACK); break;
    case 0xf2:   /* Read Device Type */
        mouse_send(m, MOUSE_ACK);
        mouse_send(m, m->id);
        break;
    case 0xf4: m->reporting = true; m->dx = m->dy = m->dz = 0; mouse_send(m, MOUSE_ACK); break;
    case 0xf5: m->reporting = false; m->dx = m->dy = m->dz = 0; mouse_send(m, MOUSE_ACK); break;
    case 0xf6: mouse_defaults(m); mouse_send(m, MOUSE_ACK); break;
    case 0xfe: (void)q_push(&m->q, m->last); break;
    case 0xff:   /* Reset: ACK, AA, ID 00; the ID goes back to 0 */
        ps2_mouse_reset(m);
        mouse_send(m, MOUSE_ACK);
        mouse_send(m, MOUSE_BAT_OK);
        mouse_send(m, 0x00);
        break;
    default:
        mouse_send(m, MOUSE_RESEND);
        break;
    }
    mouse_notify(m);
}

int ps2_mouse_read(struct ps2_mouse *m)
{
    return q_pop(&m->q);
}

bool ps2_mouse_has_data(const struct ps2_mouse *m)
{
    return m->q.count != 0;
}

void ps2_mouse_move(struct ps2_mouse *m, int dx, int dy, int dz, unsigned buttons)
{
    /* Accumulated in 32 bits and clamped far beyond what a packet holds,
     * so a host flood cannot overflow them. */
    m->dx = clamp(m->dx + clamp(dx, -65536, 65536), -65536, 65536);
    m->dy = clamp(m->dy + clamp(dy, -65536, 65536), -65536, 65536);
    m->dz = clamp(m->dz + clamp(dz, -65536, 65536), -65536, 65536);
    m->buttons = (uint8_t)(buttons & 0x1fu);
    if (m->reporting && !m->remote && !m->wrap) {
        mouse_packet(m, true);
        mouse_notify(m);
    }
}

void ps2_mouse_save(const struct ps2_mouse *m, struct state_writer *w)
{
    q_save(&m->q, w);
    state_put_u8(w, m->pending);
    state_put_bool(w, m->reporting);
    state_put_bool(w, m->remote);
    state_put_bool(w, m->wrap);
    state_put_bool(w, m->scaling21);
    state_put_u8(w, m->resolution);
    state_put_u8(w, m->rate);
    state_put_u8(w, m->id);
    state_put_bytes(w, m->knock, sizeof m->knock);
    state_put_u8(w, m->buttons);
    state_put_u32(w, (uint32_t)m->dx);
    state_put_u32(w, (uint32_t)m->dy);
    state_put_u32(w, (uint32_t)m->dz);
    state_put_u8(w, m->last);
}

int ps2_mouse_load(struct ps2_mouse *m, struct state_reader *r, struct orr_error *err)
{
    struct ps2_mouse n = *m;
    if (q_load(&n.q, r, err))
        return -1;
    n.pending = state_get_u8(r);
    n.reporting = state_get_bool(r);
    n.remote = state_get_bool(r);
    n.wrap = state_get_bool(r);
    n.scaling21 = state_get_bool(r);
    n.resolution = state_get_u8(r);
    n.rate = state_get_u8(r);
    n.id = state_get_u8(r);
    state_get_bytes(r, n.knock, sizeof n.knock);
    n.buttons = state_get_u8(r);
    n.dx = (int32_t)state_get_u32(r);
    n.dy = (int32_t)state_get_u32(r);
    n.dz = (int32_t)state_get_u32(r);
    n.last = state_get_u8(r);
    if (state_reader_check(r))
        return orr_fail(err, "ps2 mouse: truncated or corrupt state");
    if (n.resolution > 3 || (n.id != 0 && n.id != 3 && n.id != 4) ||
        (n.pending && n.pending != 0xe8 && n.pending != 0xf3) || n.buttons > 0x1f ||
        n.dx < -65536 || n.dx > 65536 || n.dy < -65536 || n.dy > 65536 ||
        n.dz < -65536 || n.dz > 65536)
        return orr_fail(err, "ps2 mouse: bad resolution, ID, command or movement");
    *m = n;
    return 0;
}
