/* Intel 8042 keyboard controller, as the IBM PC/AT and PS/2 program it
 * (IBM PS/2 Hardware Interface Technical Reference, "Keyboard and
 * Auxiliary Device Controller"; IBM PC/AT Technical Reference, "Keyboard
 * Controller"), with a PS/2 keyboard and mouse behind it (ps2.c) and the
 * PS/2 system control port A at 0x92.
 *
 * Windows (reg order): 0 = port 0x60 (data), 1 = port 0x64 (status read,
 * command write), 2 = port 0x92. Outputs (interrupts order): 0 keyboard
 * (IRQ 1), 1 mouse (IRQ 12), 2 the A20 mask: high while address bit 20
 * must read 0, i.e. while neither the output port's A20 bit nor port
 * 0x92's bit 1 opens the gate (a PC chipset ORs the two).
 *
 * One output buffer carries controller replies, keyboard bytes and mouse
 * bytes. When it empties it takes, in this order, a controller reply (or
 * a D2/D3 byte), a keyboard byte (unless the keyboard interface is
 * disabled), a mouse byte (unless the auxiliary interface is disabled).
 * The source's interrupt line is high while the byte waits and drops when
 * port 0x60 is read, which is the edge the 8259 needs for the next byte.
 * After such a read the next keyboard or mouse byte comes one byte time
 * later (BYTE_NS, a clock event: 11 bits at about 11 kHz), as the serial
 * link delivers it, so an interrupt handler that reads 0x60 twice (a DOS
 * handler chaining to the BIOS's) sees the same byte twice rather than
 * taking the next one early. Controller replies come at once.
 *
 * Commands are carried out at once: IBF never reads 1. Reset state: as a
 * BIOS leaves the controller (SeaBIOS's command byte 0x65: keyboard
 * interrupt on, system flag, auxiliary interface disabled, translation),
 * A20 open on both gates, keyboard in set 2 scanning, mouse at defaults. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/clock.h"
#include "cpu/log.h"
#include "machine/device.h"
#include "machine/display.h"
#include "machine/devices/devices.h"
#include "machine/devices/ps2.h"
#include "machine/irq.h"
#include "machine/state.h"

enum { WIN_DATA = 0, WIN_CMD = 1, WIN_PORT92 = 2 };
enum { IRQ_KBD = 0, IRQ_AUX = 1, IRQ_A20 = 2 };

/* Status register (port 0x64 read). */
enum {
    STR_OBF = 0x01, STR_IBF = 0x02, STR_SYS = 0x04, STR_CMD = 0x08,
    STR_UNLOCKED = 0x10, STR_AUXB = 0x20, STR_TIMEOUT = 0x40, STR_PARITY = 0x80,
};

/* Command byte (controller RAM byte 0). */
enum {
    CTR_KBDINT = 0x01, CTR_AUXINT = 0x02, CTR_SYS = 0x04, CTR_KBDDIS = 0x10,
    CTR_AUXDIS = 0x20, CTR_XLATE = 0x40,
};

/* Output port (D0/D1). */
enum { OUT_RESET = 0x01, OUT_A20 = 0x02, OUT_KBD_OBF = 0x10, OUT_AUX_OBF = 0x20 };

#define RESET_CTR (CTR_KBDINT | CTR_SYS | CTR_AUXDIS | CTR_XLATE)
#define RESET_OUTPORT 0xcfu   /* running, A20 open, clocks and data lines high */
#define PORT92_A20 0x02u
#define PORT92_RESET 0x01u

/* Where the byte in the output buffer came from. */
enum { SRC_KBD = 0, SRC_AUX = 1 };

#define REPLY_MAX 4
#define BYTE_NS 1000000u   /* one PS/2 byte: 11 bits at about 11 kHz */

struct i8042 {
    char path[128];
    const struct logger *log;
    struct irq_line *irq[3];
    void (*request_reset)(void *opaque);
    void *reset_opaque;
    struct vclock *clock;
    char event_name[160];
    /* Pending while the link is busy after a read of 0x60: device bytes
     * wait for it. */
    struct clock_event link;

    struct ps2_kbd kbd;
    struct ps2_mouse mouse;

    uint8_t ram[32];          /* controller RAM; byte 0 is the command byte */
    uint8_t status;           /* STR_CMD, STR_TIMEOUT, STR_PARITY (others derived) */
    uint8_t outport;
    uint8_t port92;
    uint8_t pending;          /* command waiting for its data byte at 0x60 (0: none) */
    bool obf;                 /* the output buffer holds a byte */
    uint8_t obuf;
    uint8_t obuf_src;
    bool xlate_break;         /* translation saw F0: the next byte is a break */
    /* Controller replies and D2/D3 bytes, ahead of the devices. */
    uint8_t reply[REPLY_MAX], reply_src[REPLY_MAX];
    unsigned nreply;
};

static uint8_t ctr(const struct i8042 *s)
{
    return s->ram[0];
}

static bool a20_open(const struct i8042 *s)
{
    return (s->outport & OUT_A20) || (s->port92 & PORT92_A20);
}

static void update_irqs(struct i8042 *s)
{
    irq_set(s->irq[IRQ_KBD], s->obf && s->obuf_src == SRC_KBD && (ctr(s) & CTR_KBDINT));
    irq_set(s->irq[IRQ_AUX], s->obf && s->obuf_src == SRC_AUX && (ctr(s) & CTR_AUXINT));
    irq_set(s->irq[IRQ_A20], !a20_open(s));
}

static void reply(struct i8042 *s, uint8_t b, uint8_t src)
{
    if (s->nreply >= REPLY_MAX)
        return;
    s->reply[s->nreply] = b;
    s->reply_src[s->nreply] = src;
    s->nreply++;
}

/* The next keyboard byte for the output buffer, through the set 2 to set 1
 * translation when the command byte asks for it, or -1. */
static int next_kbd_byte(struct i8042 *s)
{
    for (;;) {
        int b = ps2_kbd_read(&s->kbd);
        if (b < 0)
            return -1;
        if (!(ctr(s) & CTR_XLATE))
            return b;
        if (b == 0xf0) {
            s->xlate_break = true;
            continue;
        }
        uint8_t t = ps2_translate_set2((uint8_t)b);
        if (s->xlate_break)
            t |= 0x80;
        s->xlate_break = false;
        return t;
    }
}

/* Fills an empty output buffer from the sources, in priority order. */
static void refill(struct i8042 *s)
{
    if (!s->obf) {
        if (s->nreply) {
            s->obuf = s->reply[0];
            s->obuf_src = s->reply_src[0];
            s->nreply--;
            memmove(s->reply, s->reply + 1, s->nreply);
            memmove(s->reply_src, s->reply_src + 1, s->nreply);
            s->obf = true;
        } else if (clock_event_pending(&s->link)) {
            /* the link is busy: device bytes come when it fires */
        } else if (!(ctr(s) & CTR_KBDDIS) && ps2_kbd_has_data(&s->kbd)) {
            int b = next_kbd_byte(s);
            if (b >= 0) {
                s->obuf = (uint8_t)b;
                s->obuf_src = SRC_KBD;
                s->obf = true;
            }
        }
        if (!s->obf && !clock_event_pending(&s->link) && !(ctr(s) & CTR_AUXDIS) &&
            ps2_mouse_has_data(&s->mouse)) {
            s->obuf = (uint8_t)ps2_mouse_read(&s->mouse);
            s->obuf_src = SRC_AUX;
            s->obf = true;
        }
    }
    update_irqs(s);
}

static void device_notify(void *opaque)
{
    refill(opaque);
}

static void link_free(void *opaque, uint64_t now_ns)
{
    (void)now_ns;
    refill(opaque);
}

static void pulse_reset(struct i8042 *s)
{
    log_msg(s->log, LOG_DEV, "%s: system reset", s->path);
    if (s->request_reset)
        s->request_reset(s->reset_opaque);
}

static void write_outport(struct i8042 *s, uint8_t v)
{
    s->outport = v;
    if (!(v & OUT_RESET)) {
        /* The reset line is active low: the system resets; the line comes
         * back high with the controller's own reset. */
        s->outport |= OUT_RESET;
        pulse_reset(s);
    }
}

static uint8_t read_outport(const struct i8042 *s)
{
    uint8_t v = s->outport & (uint8_t)~(OUT_KBD_OBF | OUT_AUX_OBF);
    if (s->obf)
        v |= s->obuf_src == SRC_AUX ? OUT_AUX_OBF : OUT_KBD_OBF;
    return v;
}

static void command(struct i8042 *s, uint8_t cmd)
{
    if (cmd >= 0x20 && cmd <= 0x3f) {       /* read controller RAM */
        reply(s, s->ram[cmd & 0x1f], SRC_KBD);
        return;
    }
    if ((cmd >= 0x60 && cmd <= 0x7f) || cmd == 0xd1 || cmd == 0xd2 || cmd == 0xd3 ||
        cmd == 0xd4) {
        s->pending = cmd;                    /* data byte follows at 0x60 */
        return;
    }
    if (cmd >= 0xf0) {
        /* Pulse output port bits 0-3 low where the command's bit is 0:
         * bit 0 is the reset line. */
        if (!(cmd & 1))
            pulse_reset(s);
        return;
    }
    switch (cmd) {
    case 0xa4: reply(s, 0xf1, SRC_KBD); return;          /* no password installed */
    case 0xa7: s->ram[0] |= CTR_AUXDIS; return;
    case 0xa8: s->ram[0] &= (uint8_t)~CTR_AUXDIS; return;
    case 0xa9: reply(s, 0x00, SRC_KBD); return;          /* aux interface test: ok */
    case 0xaa: reply(s, 0x55, SRC_KBD); return;          /* self test passed */
    case 0xab: reply(s, 0x00, SRC_KBD); return;          /* kbd interface test: ok */
    case 0xad: s->ram[0] |= CTR_KBDDIS; return;
    case 0xae: s->ram[0] &= (uint8_t)~CTR_KBDDIS; return;
    case 0xc0:
        /* Input port: keyboard not inhibited (7), colour display (6 = 0),
         * no manufacturing jumper (5), 512 KiB base RAM (4). */
        reply(s, 0xb0, SRC_KBD);
        return;
    case 0xd0: reply(s, read_outport(s), SRC_KBD); return;
    case 0xdd: s->outport &= (uint8_t)~OUT_A20; return;  /* A20 off (HP Vectra) */
    case 0xdf: s->outport |= OUT_A20; return;
    case 0xe0: reply(s, 0x00, SRC_KBD); return;          /* test inputs T0, T1 low */
    default:
        log_msg(s->log, LOG_DEV, "%s: unknown command 0x%02x ignored", s->path, cmd);
        return;
    }
}

static void data_write(struct i8042 *s, uint8_t v)
{
    uint8_t cmd = s->pending;
    s->pending = 0;
    if (cmd >= 0x60 && cmd <= 0x7f) {
        s->ram[cmd & 0x1f] = v;
        if (cmd == 0x60)
            s->xlate_break = s->xlate_break && (v & CTR_XLATE);
        return;
    }
    switch (cmd) {
    case 0xd1: write_outport(s, v); return;
    case 0xd2: reply(s, v, SRC_KBD); return;
    case 0xd3: reply(s, v, SRC_AUX); return;
    case 0xd4: ps2_mouse_write(&s->mouse, v); return;
    default:
        ps2_kbd_write(&s->kbd, v);
        return;
    }
}

static uint8_t status_read(const struct i8042 *s)
{
    uint8_t v = s->status & (STR_CMD | STR_TIMEOUT | STR_PARITY);
    v |= STR_UNLOCKED;
    if (ctr(s) & CTR_SYS)
        v |= STR_SYS;
    if (s->obf)
        v |= STR_OBF | (s->obuf_src == SRC_AUX ? STR_AUXB : 0);
    return v;
}

static int i8042_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                      uint64_t *value)
{
    struct i8042 *s = opaque;
    (void)offset;
    (void)size;
    switch (window) {
    case WIN_DATA:
        *value = s->obuf;    /* an empty buffer reads its last byte again */
        if (s->obf) {
            /* The line drops before the next byte raises it again: the
             * edge an edge-triggered 8259 input needs. */
            s->obf = false;
            update_irqs(s);
            if (s->clock &&
                clock_event_schedule(s->clock, &s->link, clock_now(s->clock) + BYTE_NS) != 0)
                log_msg(s->log, LOG_DEV, "%s: event queue full", s->path);
            refill(s);
        }
        return BUS_OK;
    case WIN_CMD:
        *value = status_read(s);
        return BUS_OK;
    case WIN_PORT92:
        *value = s->port92;
        return BUS_OK;
    default:
        *value = 0xff;
        return BUS_OK;
    }
}

static int i8042_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                       uint64_t value)
{
    struct i8042 *s = opaque;
    uint8_t v = (uint8_t)value;
    (void)offset;
    (void)size;
    switch (window) {
    case WIN_DATA:
        s->status &= (uint8_t)~STR_CMD;
        data_write(s, v);
        break;
    case WIN_CMD:
        s->status |= STR_CMD;
        s->pending = 0;
        command(s, v);
        break;
    case WIN_PORT92: {
        /* System control port A: bit 0 resets on a 0->1 transition
         * (the fast reset), bit 1 is the fast A20 gate. */
        bool rising = (v & PORT92_RESET) && !(s->port92 & PORT92_RESET);
        s->port92 = v;
        if (rising)
            pulse_reset(s);
        break;
    }
    default:
        break;
    }
    refill(s);
    return BUS_OK;
}

/* ---- host input --------------------------------------------------------- */

struct ps2_kbd *i8042_keyboard(void *dev)
{
    return &((struct i8042 *)dev)->kbd;
}

struct ps2_mouse *i8042_mouse(void *dev)
{
    return &((struct i8042 *)dev)->mouse;
}

/* External inputs (device_model.set_input, the monitor's `input PATH:N`):
 * 0-255 the keys, numbered as Linux's KEY_* codes (high = pressed; a
 * repeated high repeats the key); 256-260 the mouse's left, right,
 * middle, fourth and fifth buttons. */
#define INPUT_KEYS 256u
#define INPUT_BUTTONS 5u

static void i8042_set_input(void *opaque, unsigned input, bool level)
{
    struct i8042 *s = opaque;
    if (input < INPUT_KEYS) {
        (void)ps2_kbd_key(&s->kbd, input, level);
        return;
    }
    unsigned bit = 1u << (input - INPUT_KEYS);
    unsigned buttons = level ? s->mouse.buttons | bit : s->mouse.buttons & ~bit;
    ps2_mouse_move(&s->mouse, 0, 0, 0, buttons);
}

/* Host input (machine/display.h): the keyboard and the mouse rank 1, below
 * a virtio-input device. Always available: a PS/2 device buffers what it
 * is sent whatever the controller's interfaces are set to. */
static unsigned i8042_input_rank(void *opaque, int cls)
{
    return cls == INPUT_KEYBOARD || cls == INPUT_POINTER_REL ? 1 : 0;
}

static void i8042_input_event(void *opaque, const struct input_event *ev)
{
    struct i8042 *s = opaque;
    if (ev->cls == INPUT_KEYBOARD)
        (void)ps2_kbd_key(&s->kbd, ev->key, ev->down);
    else if (ev->cls == INPUT_POINTER_REL)   /* PS/2's dy counts up the screen */
        ps2_mouse_move(&s->mouse, ev->dx, -ev->dy, -ev->dz, ev->buttons);
}

/* ---- lifecycle ---------------------------------------------------------- */

static void i8042_reset(void *opaque)
{
    struct i8042 *s = opaque;
    memset(s->ram, 0, sizeof s->ram);
    s->ram[0] = RESET_CTR;
    s->status = 0;
    s->outport = RESET_OUTPORT;
    s->port92 = PORT92_A20;
    s->pending = 0;
    s->obf = false;
    s->obuf = 0;
    s->obuf_src = SRC_KBD;
    s->xlate_break = false;
    s->nreply = 0;
    if (s->clock)
        clock_event_cancel(s->clock, &s->link);
    ps2_kbd_reset(&s->kbd);
    ps2_mouse_reset(&s->mouse);
    update_irqs(s);
}

static int i8042_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 3)
        return orr_fail(err, "%s: i8042 needs three reg windows (0x60, 0x64, 0x92)",
                        ctx->path);
    struct i8042 *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(s->path, sizeof s->path, "%s", ctx->path ? ctx->path : "i8042");
    s->log = ctx->log;
    for (unsigned i = 0; i < 3; i++)
        s->irq[i] = i < ctx->nirqs ? ctx->irqs[i] : NULL;
    s->request_reset = ctx->request_reset;
    s->reset_opaque = ctx->exit_opaque;
    s->clock = ctx->clock;
    snprintf(s->event_name, sizeof s->event_name, "%s link", s->path);
    clock_event_init(&s->link, s->event_name, link_free, s);
    ps2_kbd_init(&s->kbd, device_notify, s);
    ps2_mouse_init(&s->mouse, device_notify, s);
    i8042_reset(s);
    *dev = s;
    return 0;
}

static void i8042_destroy(void *opaque)
{
    struct i8042 *s = opaque;
    if (!s)
        return;
    if (s->clock)
        clock_event_cancel(s->clock, &s->link);
    free(s);
}

/* Section layout, version 1: controller RAM (32), status, output port,
 * port 0x92, pending command, output buffer (full, byte, source), the
 * translation's break flag, the reply queue (count, then byte and source
 * pairs), the deadline of the busy link (0: free), then the keyboard's and
 * the mouse's fields (ps2.c). */
static int i8042_save(void *opaque, struct state_writer *w)
{
    struct i8042 *s = opaque;
    state_put_bytes(w, s->ram, sizeof s->ram);
    state_put_u8(w, s->status);
    state_put_u8(w, s->outport);
    state_put_u8(w, s->port92);
    state_put_u8(w, s->pending);
    state_put_bool(w, s->obf);
    state_put_u8(w, s->obuf);
    state_put_u8(w, s->obuf_src);
    state_put_bool(w, s->xlate_break);
    state_put_u8(w, (uint8_t)s->nreply);
    for (unsigned i = 0; i < s->nreply; i++) {
        state_put_u8(w, s->reply[i]);
        state_put_u8(w, s->reply_src[i]);
    }
    state_put_u64(w, clock_event_pending(&s->link) ? s->link.deadline : 0);
    ps2_kbd_save(&s->kbd, w);
    ps2_mouse_save(&s->mouse, w);
    return w->failed ? -1 : 0;
}

static bool pending_valid(uint8_t p)
{
    return p == 0 || (p >= 0x60 && p <= 0x7f) || (p >= 0xd1 && p <= 0xd4);
}

static int i8042_load(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct i8042 *s = opaque;
    struct i8042 n = *s;
    state_get_bytes(r, n.ram, sizeof n.ram);
    n.status = state_get_u8(r);
    n.outport = state_get_u8(r);
    n.port92 = state_get_u8(r);
    n.pending = state_get_u8(r);
    n.obf = state_get_bool(r);
    n.obuf = state_get_u8(r);
    n.obuf_src = state_get_u8(r);
    n.xlate_break = state_get_bool(r);
    n.nreply = state_get_u8(r);
    if (state_reader_check(r))
        return orr_fail(err, "%s: truncated or corrupt i8042 section", s->path);
    if (n.nreply > REPLY_MAX || n.obuf_src > SRC_AUX || !pending_valid(n.pending))
        return orr_fail(err, "%s: corrupt i8042 section (reply queue %u, source %u, "
                        "command 0x%02x)", s->path, n.nreply, n.obuf_src, n.pending);
    for (unsigned i = 0; i < n.nreply; i++) {
        n.reply[i] = state_get_u8(r);
        n.reply_src[i] = state_get_u8(r);
        if (n.reply_src[i] > SRC_AUX)
            return orr_fail(err, "%s: corrupt i8042 reply queue", s->path);
    }
    uint64_t link_deadline = state_get_u64(r);
    if (ps2_kbd_load(&n.kbd, r, err) || ps2_mouse_load(&n.mouse, r, err))
        return orr_fail_prefix(err, "%s", s->path);
    n.status &= STR_CMD | STR_TIMEOUT | STR_PARITY;
    *s = n;
    if (s->clock) {
        clock_event_cancel(s->clock, &s->link);
        if (link_deadline && clock_event_schedule(s->clock, &s->link, link_deadline) != 0)
            return orr_fail(err, "%s: event queue full", s->path);
    }
    update_irqs(s);
    return 0;
}

static const char *const i8042_compatible[] = { "intel,8042", NULL };

const struct device_model i8042_model = {
    .name = "i8042",
    .compatible = i8042_compatible,
    .summary = "Intel 8042 keyboard controller with PS/2 keyboard and mouse, port 0x92",
    .state_version = 1,
    .create = i8042_create,
    .reset = i8042_reset,
    .read = i8042_read,
    .write = i8042_write,
    .save = i8042_save,
    .load = i8042_load,
    .destroy = i8042_destroy,
    .ninputs = INPUT_KEYS + INPUT_BUTTONS,
    .set_input = i8042_set_input,
    .input_rank = i8042_input_rank,
    .input_event = i8042_input_event,
};
