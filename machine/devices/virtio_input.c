/* virtio-input backend (VIRTIO 1.1, 5.8): a keyboard, an absolute tablet or
 * a multi-touch screen, chosen by the backend string (virtio.h).
 *
 * Config space (5.8.4): the driver writes `select` and `subsel` and reads
 * `size` and the union: the name (ID_NAME), a serial (ID_SERIAL), the
 * bus/vendor/product/version (ID_DEVIDS), the property bitmap (PROP_BITS),
 * one event type's code bitmap (EV_BITS, subsel = the type) and one
 * absolute axis's range (ABS_INFO, subsel = the axis). A bitmap's size is
 * the number of bytes up to its last non-zero one, 0 for an empty one.
 *
 * Queue 0 (eventq) takes the device's events: each buffer the driver posts
 * receives 8-byte virtio_input_event records (le16 type, le16 code, le32
 * value; 5.8.6), as many as fit (Linux posts one record per buffer).
 * Queue 1 (statusq) brings the driver's LED events to the keyboard, which
 * keeps the LED state (saved, not shown anywhere yet) and returns the
 * buffers.
 *
 * Each host event becomes the evdev records Linux expects for it, ended by
 * SYN_REPORT, in a bounded queue of the device's own (EVQ_SIZE records).
 * Records leave it whenever the guest has buffers: at once when the event
 * arrives, else when the driver notifies the eventq (or sets DRIVER_OK).
 * When the queue cannot take a new report, the oldest complete reports are
 * dropped to make room, as a device whose host stops reading loses its
 * oldest input: the guest then misses those reports entirely (a key's
 * release among them leaves the key down until the next press and
 * release; a touch lift, the contact until that slot is touched again).
 *
 * Event codes are Linux's <linux/input-event-codes.h>, which virtio-input
 * adopts (5.8.6). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/log.h"
#include "machine/devices/virtio.h"
#include "machine/display.h"
#include "machine/state.h"

/* Config selectors (5.8.4). */
enum {
    CFG_UNSET = 0x00, CFG_ID_NAME = 0x01, CFG_ID_SERIAL = 0x02, CFG_ID_DEVIDS = 0x03,
    CFG_PROP_BITS = 0x10, CFG_EV_BITS = 0x11, CFG_ABS_INFO = 0x12,
};
#define CFG_HEADER 8u            /* select, subsel, size, reserved[5] */
#define CFG_UNION 128u

/* Linux input event types and codes. */
enum { EV_SYN = 0x00, EV_KEY = 0x01, EV_REL = 0x02, EV_ABS = 0x03, EV_LED = 0x11,
       EV_REP = 0x14 };
enum { SYN_REPORT = 0 };
enum { REL_WHEEL = 0x08 };
enum { ABS_X = 0x00, ABS_Y = 0x01, ABS_MT_SLOT = 0x2f, ABS_MT_POSITION_X = 0x35,
       ABS_MT_POSITION_Y = 0x36, ABS_MT_TRACKING_ID = 0x39, ABS_CODES = 0x40 };
enum { BTN_LEFT = 0x110, BTN_RIGHT = 0x111, BTN_MIDDLE = 0x112, BTN_TOUCH = 0x14a };
enum { LED_NUML = 0, LED_CAPSL = 1, LED_SCROLLL = 2, LED_BITS = 0x07 };
enum { REP_DELAY = 0, REP_PERIOD = 1 };
enum { INPUT_PROP_DIRECT = 1 };
enum { BUS_VIRTUAL = 0x06 };

#define KEY_BITMAP_BYTES 96u        /* KEY_CNT / 8: codes 0..0x2ff */
#define TRACKING_ID_MAX 0xFFFFu
#define EVQ_SIZE 256u               /* records the device holds for the guest */
#define REPORT_MAX 8u               /* the longest report, a touch's */

struct input_record {
    uint16_t type, code;
    uint32_t value;
};

struct touch_slot {
    bool active;
    uint16_t id;                  /* ABS_MT_TRACKING_ID */
    uint32_t x, y;
    uint32_t age;                 /* when it touched down, for the pointer */
};

struct vinput {
    enum virtio_input_kind kind;
    const struct logger *log;
    char path[128];

    /* config space: what the driver selected */
    uint8_t select, subsel;

    /* the records waiting for guest buffers, a ring */
    struct input_record q[EVQ_SIZE];
    unsigned head, count;
    uint32_t dropped;             /* reports lost to a full queue */

    /* device state the records follow from */
    uint8_t leds;                                  /* keyboard, from statusq */
    uint8_t keys_down[KEY_BITMAP_BYTES];           /* keyboard */
    unsigned buttons;                              /* tablet */
    struct touch_slot slot[INPUT_TOUCH_SLOTS];     /* touch */
    bool touching;                                 /* BTN_TOUCH reported down */
    uint16_t next_id;
    uint32_t next_age;
};

/* ---- what each kind offers ---------------------------------------------- */

static const char *const kind_names[] = {
    [VIRTIO_INPUT_KEYBOARD] = "Orrery virtio keyboard",
    [VIRTIO_INPUT_TABLET] = "Orrery virtio tablet",
    [VIRTIO_INPUT_TOUCH] = "Orrery virtio touch screen",
};

static const char *const kind_serials[] = {
    [VIRTIO_INPUT_KEYBOARD] = "input-keyboard",
    [VIRTIO_INPUT_TABLET] = "input-tablet",
    [VIRTIO_INPUT_TOUCH] = "input-touch",
};

/* The keys of a PC keyboard (101/102 keys, the Windows and menu keys,
 * the Japanese ro and yen keys, the volume and power keys): the same
 * set ps2.c gives scan codes. Ranges of Linux key codes, inclusive. */
static const uint16_t pc_key_ranges[][2] = {
    { 1, 83 },      /* ESC .. KPDOT */
    { 86, 89 },     /* 102ND, F11, F12, RO */
    { 96, 100 },    /* KPENTER, RIGHTCTRL, KPSLASH, SYSRQ, RIGHTALT */
    { 102, 111 },   /* HOME .. DELETE */
    { 113, 116 },   /* MUTE, VOLUMEDOWN, VOLUMEUP, POWER */
    { 119, 119 },   /* PAUSE */
    { 124, 127 },   /* YEN, LEFTMETA, RIGHTMETA, COMPOSE */
};

static bool is_pc_key(unsigned key)
{
    for (size_t i = 0; i < sizeof pc_key_ranges / sizeof pc_key_ranges[0]; i++)
        if (key >= pc_key_ranges[i][0] && key <= pc_key_ranges[i][1])
            return true;
    return false;
}

static void set_bit(uint8_t *map, unsigned bit)
{
    map[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static bool test_bit(const uint8_t *map, unsigned bit)
{
    return (map[bit / 8] >> (bit % 8)) & 1u;
}

/* The code bitmap of event type `type` (EV_BITS), into map[CFG_UNION]. */
static void ev_bits(const struct vinput *s, unsigned type, uint8_t *map)
{
    memset(map, 0, CFG_UNION);
    switch (s->kind) {
    case VIRTIO_INPUT_KEYBOARD:
        if (type == EV_KEY) {
            for (unsigned k = 0; k < KEY_BITMAP_BYTES * 8 && k < CFG_UNION * 8; k++)
                if (is_pc_key(k))
                    set_bit(map, k);
        } else if (type == EV_LED) {
            map[0] = LED_BITS;
        } else if (type == EV_REP) {
            map[0] = 1u << REP_DELAY | 1u << REP_PERIOD;
        }
        return;
    case VIRTIO_INPUT_TABLET:
        if (type == EV_KEY) {
            set_bit(map, BTN_LEFT);
            set_bit(map, BTN_RIGHT);
            set_bit(map, BTN_MIDDLE);
        } else if (type == EV_REL) {
            set_bit(map, REL_WHEEL);
        } else if (type == EV_ABS) {
            set_bit(map, ABS_X);
            set_bit(map, ABS_Y);
        }
        return;
    case VIRTIO_INPUT_TOUCH:
        if (type == EV_KEY) {
            set_bit(map, BTN_TOUCH);
        } else if (type == EV_ABS) {
            set_bit(map, ABS_X);
            set_bit(map, ABS_Y);
            set_bit(map, ABS_MT_SLOT);
            set_bit(map, ABS_MT_POSITION_X);
            set_bit(map, ABS_MT_POSITION_Y);
            set_bit(map, ABS_MT_TRACKING_ID);
        }
        return;
    }
}

/* An axis's range (ABS_INFO): min, max, fuzz, flat, res. False for an axis
 * the device does not have. */
static bool abs_info(const struct vinput *s, unsigned axis, uint32_t info[5])
{
    uint8_t map[CFG_UNION];
    ev_bits(s, EV_ABS, map);
    if (axis >= ABS_CODES || !test_bit(map, axis))
        return false;
    memset(info, 0, 5 * sizeof info[0]);
    if (axis == ABS_MT_SLOT)
        info[1] = INPUT_TOUCH_SLOTS - 1;
    else if (axis == ABS_MT_TRACKING_ID)
        info[1] = TRACKING_ID_MAX;
    else
        info[1] = INPUT_ABS_MAX;
    return true;
}

static void put_le(uint8_t *p, uint32_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The union's contents for the current select/subsel; returns `size`. */
static unsigned config_union(const struct vinput *s, uint8_t *u)
{
    memset(u, 0, CFG_UNION);
    switch (s->select) {
    case CFG_ID_NAME:
    case CFG_ID_SERIAL: {
        if (s->subsel)
            return 0;
        const char *text = s->select == CFG_ID_NAME ? kind_names[s->kind]
                                                    : kind_serials[s->kind];
        size_t n = strlen(text);
        memcpy(u, text, n);
        return (unsigned)n;
    }
    case CFG_ID_DEVIDS:
        if (s->subsel)
            return 0;
        put_le(u, BUS_VIRTUAL, 2);
        put_le(u + 2, 0, 2);                        /* vendor */
        put_le(u + 4, (uint32_t)s->kind + 1u, 2);   /* product */
        put_le(u + 6, 1, 2);                        /* version */
        return 8;
    case CFG_PROP_BITS:
        if (s->subsel)
            return 0;
        if (s->kind == VIRTIO_INPUT_TOUCH)
            set_bit(u, INPUT_PROP_DIRECT);
        break;
    case CFG_EV_BITS:
        ev_bits(s, s->subsel, u);
        break;
    case CFG_ABS_INFO: {
        uint32_t info[5];
        if (!abs_info(s, s->subsel, info))
            return 0;
        for (unsigned i = 0; i < 5; i++)
            put_le(u + 4 * i, info[i], 4);
        return 20;
    }
    default:
        return 0;
    }
    unsigned size = CFG_UNION;
    while (size && !u[size - 1])
        size--;
    return size;
}

static uint8_t input_config_byte(void *opaque, uint32_t off)
{
    struct vinput *s = opaque;
    uint8_t u[CFG_UNION];
    unsigned size = config_union(s, u);
    if (off == 0)
        return s->select;
    if (off == 1)
        return s->subsel;
    if (off == 2)
        return (uint8_t)size;
    if (off >= CFG_HEADER && off < CFG_HEADER + CFG_UNION)
        return u[off - CFG_HEADER];
    return 0;
}

static void input_config_write(void *opaque, uint32_t off, uint8_t byte)
{
    struct vinput *s = opaque;
    if (off == 0)
        s->select = byte;
    else if (off == 1)
        s->subsel = byte;
    /* the rest is read-only (5.8.4) */
}

/* ---- the record queue --------------------------------------------------- */

/* Drops the oldest complete report (up to and including its SYN_REPORT). */
static void drop_oldest_report(struct vinput *s)
{
    while (s->count) {
        struct input_record *r = &s->q[s->head];
        bool end = r->type == EV_SYN && r->code == SYN_REPORT;
        s->head = (s->head + 1) % EVQ_SIZE;
        s->count--;
        if (end)
            break;
    }
    s->dropped++;
}

/* A report being built before it joins the queue whole. */
struct report {
    struct input_record r[REPORT_MAX];
    unsigned n;
};

static void emit(struct report *rep, uint16_t type, uint16_t code, uint32_t value)
{
    if (rep->n < REPORT_MAX - 1)            /* room for the SYN_REPORT */
        rep->r[rep->n++] = (struct input_record){ type, code, value };
}

static void enqueue(struct vinput *s, struct report *rep)
{
    if (rep->n == 0)
        return;
    rep->r[rep->n++] = (struct input_record){ EV_SYN, SYN_REPORT, 0 };
    bool lost = false;
    while (EVQ_SIZE - s->count < rep->n) {
        drop_oldest_report(s);
        lost = true;
    }
    if (lost)
        log_msg(s->log, LOG_DEV, "%s: event queue full, oldest input dropped (%u reports "
                "so far)", s->path, s->dropped);
    for (unsigned i = 0; i < rep->n; i++)
        s->q[(s->head + s->count++) % EVQ_SIZE] = rep->r[i];
}

/* Moves queued records into the guest's eventq buffers. */
static void deliver(struct vinput *s, struct virtio_transport *t)
{
    struct bus *bus = virtio_bus(t);
    struct virtq_chain *c;
    while (s->count) {
        if (virtio_pop(t, 0, &c) != VQ_GOT)
            return;
        uint8_t buf[8 * 16];
        unsigned n = 0;
        uint64_t fit = c->writable / 8;
        while (n < fit && n < 16 && s->count) {
            const struct input_record *r = &s->q[s->head];
            put_le(buf + 8 * n, r->type, 2);
            put_le(buf + 8 * n + 2, r->code, 2);
            put_le(buf + 8 * n + 4, r->value, 4);
            s->head = (s->head + 1) % EVQ_SIZE;
            s->count--;
            n++;
        }
        if (n == 0)
            log_msg(s->log, LOG_DEV, "%s: eventq buffer of %llu bytes holds no event",
                    s->path, (unsigned long long)c->writable);
        int64_t w = virtq_chain_write(bus, c, 0, buf, 8u * n);
        virtio_push(t, 0, c->head, w < 0 ? 0 : (uint32_t)w);
    }
}

/* statusq: the driver's LED (and any other) events, taken and returned. */
static void drain_status(struct vinput *s, struct virtio_transport *t)
{
    struct bus *bus = virtio_bus(t);
    struct virtq_chain *c;
    while (virtio_pop(t, 1, &c) == VQ_GOT) {
        uint8_t ev[8];
        for (uint64_t off = 0; off + 8 <= c->readable; off += 8) {
            if (virtq_chain_read(bus, c, off, ev, 8) != 8)
                break;
            unsigned type = ev[0] | ev[1] << 8, code = ev[2] | ev[3] << 8;
            uint32_t value = ev[4] | ev[5] << 8 | ev[6] << 16 | (uint32_t)ev[7] << 24;
            if (s->kind == VIRTIO_INPUT_KEYBOARD && type == EV_LED && code <= LED_SCROLLL) {
                if (value)
                    s->leds |= (uint8_t)(1u << code);
                else
                    s->leds &= (uint8_t)~(1u << code);
            }
        }
        virtio_push(t, 1, c->head, 0);
    }
}

static void input_notify(void *opaque, struct virtio_transport *t, unsigned q)
{
    struct vinput *s = opaque;
    if (q == 0)
        deliver(s, t);
    else
        drain_status(s, t);
}

/* ---- host events -------------------------------------------------------- */

static unsigned input_rank(void *opaque, int cls)
{
    struct vinput *s = opaque;
    static const int kind_class[] = {
        [VIRTIO_INPUT_KEYBOARD] = INPUT_KEYBOARD,
        [VIRTIO_INPUT_TABLET] = INPUT_POINTER_ABS,
        [VIRTIO_INPUT_TOUCH] = INPUT_TOUCH,
    };
    return cls == kind_class[s->kind] ? 2 : 0;
}

static void key_event(struct vinput *s, const struct input_event *ev, struct report *rep)
{
    if (!is_pc_key(ev->key))
        return;
    /* A second press without a release is the host's key repeat: dropped,
     * since the device offers EV_REP and the guest repeats held keys
     * itself (Linux's input core does, for virtio_input); passing it on
     * would repeat twice. */
    bool was = test_bit(s->keys_down, ev->key);
    if (ev->down == was)
        return;
    uint32_t value = ev->down ? 1u : 0u;
    if (ev->down)
        set_bit(s->keys_down, ev->key);
    else
        s->keys_down[ev->key / 8] &= (uint8_t)~(1u << (ev->key % 8));
    emit(rep, EV_KEY, (uint16_t)ev->key, value);
}

static uint32_t clamp_abs(uint32_t v)
{
    return v > INPUT_ABS_MAX ? INPUT_ABS_MAX : v;
}

static void tablet_event(struct vinput *s, const struct input_event *ev, struct report *rep)
{
    static const struct { unsigned bit; uint16_t code; } buttons[] = {
        { INPUT_BUTTON_LEFT, BTN_LEFT }, { INPUT_BUTTON_RIGHT, BTN_RIGHT },
        { INPUT_BUTTON_MIDDLE, BTN_MIDDLE },
    };
    emit(rep, EV_ABS, ABS_X, clamp_abs(ev->x));
    emit(rep, EV_ABS, ABS_Y, clamp_abs(ev->y));
    for (unsigned i = 0; i < 3; i++)
        if ((ev->buttons ^ s->buttons) & buttons[i].bit)
            emit(rep, EV_KEY, buttons[i].code, (ev->buttons & buttons[i].bit) ? 1u : 0u);
    s->buttons = ev->buttons & (INPUT_BUTTON_LEFT | INPUT_BUTTON_RIGHT | INPUT_BUTTON_MIDDLE);
    if (ev->dz)
        emit(rep, EV_REL, REL_WHEEL, (uint32_t)ev->dz);
}

/* Multi-touch protocol B (Linux Documentation/input/multi-touch-protocol):
 * the slot, a tracking ID when a contact begins (-1 when it ends), its
 * position; then the single-touch pointer: BTN_TOUCH while any contact is
 * down, ABS_X/ABS_Y following the oldest contact. */
static void touch_event(struct vinput *s, const struct input_event *ev, struct report *rep)
{
    if (ev->slot >= INPUT_TOUCH_SLOTS)
        return;
    struct touch_slot *sl = &s->slot[ev->slot];
    if (!ev->contact && !sl->active)
        return;
    emit(rep, EV_ABS, ABS_MT_SLOT, ev->slot);
    if (ev->contact) {
        if (!sl->active) {
            sl->active = true;
            sl->id = s->next_id;
            sl->age = s->next_age++;
            s->next_id = s->next_id == TRACKING_ID_MAX ? 0 : (uint16_t)(s->next_id + 1);
            emit(rep, EV_ABS, ABS_MT_TRACKING_ID, sl->id);
        }
        sl->x = clamp_abs(ev->x);
        sl->y = clamp_abs(ev->y);
        emit(rep, EV_ABS, ABS_MT_POSITION_X, sl->x);
        emit(rep, EV_ABS, ABS_MT_POSITION_Y, sl->y);
    } else {
        sl->active = false;
        emit(rep, EV_ABS, ABS_MT_TRACKING_ID, 0xFFFFFFFFu);
    }
    const struct touch_slot *oldest = NULL;
    for (unsigned i = 0; i < INPUT_TOUCH_SLOTS; i++)
        if (s->slot[i].active &&
            (!oldest || (int32_t)(s->slot[i].age - oldest->age) < 0))
            oldest = &s->slot[i];
    if (oldest) {
        emit(rep, EV_ABS, ABS_X, oldest->x);
        emit(rep, EV_ABS, ABS_Y, oldest->y);
    }
    if (s->touching != (oldest != NULL)) {
        s->touching = oldest != NULL;
        emit(rep, EV_KEY, BTN_TOUCH, s->touching);
    }
}

static void input_event(void *opaque, struct virtio_transport *t, const struct input_event *ev)
{
    struct vinput *s = opaque;
    struct report rep = { .n = 0 };
    if (s->kind == VIRTIO_INPUT_KEYBOARD && ev->cls == INPUT_KEYBOARD)
        key_event(s, ev, &rep);
    else if (s->kind == VIRTIO_INPUT_TABLET && ev->cls == INPUT_POINTER_ABS)
        tablet_event(s, ev, &rep);
    else if (s->kind == VIRTIO_INPUT_TOUCH && ev->cls == INPUT_TOUCH)
        touch_event(s, ev, &rep);
    enqueue(s, &rep);
    if (t)
        deliver(s, t);
}

/* ---- lifecycle ---------------------------------------------------------- */

static void input_reset(void *opaque)
{
    struct vinput *s = opaque;
    s->select = s->subsel = 0;
    s->head = s->count = 0;
    s->dropped = 0;
    s->leds = 0;
    memset(s->keys_down, 0, sizeof s->keys_down);
    s->buttons = 0;
    memset(s->slot, 0, sizeof s->slot);
    s->touching = false;
    s->next_id = 0;
    s->next_age = 0;
}

/* Backend fields, after the transport's: the kind (a check), select,
 * subsel, the queued records (count, then type/code/value each), the drop
 * count, the LEDs, the keys held, the tablet's buttons, each touch slot
 * (active, id, x, y, age), whether BTN_TOUCH is down, the next tracking ID
 * and contact age. */
static void input_save(void *opaque, struct state_writer *w)
{
    struct vinput *s = opaque;
    state_put_u8(w, (uint8_t)s->kind);
    state_put_u8(w, s->select);
    state_put_u8(w, s->subsel);
    state_put_u32(w, s->count);
    for (unsigned i = 0; i < s->count; i++) {
        const struct input_record *r = &s->q[(s->head + i) % EVQ_SIZE];
        state_put_u16(w, r->type);
        state_put_u16(w, r->code);
        state_put_u32(w, r->value);
    }
    state_put_u32(w, s->dropped);
    state_put_u8(w, s->leds);
    state_put_bytes(w, s->keys_down, sizeof s->keys_down);
    state_put_u32(w, s->buttons);
    for (unsigned i = 0; i < INPUT_TOUCH_SLOTS; i++) {
        state_put_bool(w, s->slot[i].active);
        state_put_u16(w, s->slot[i].id);
        state_put_u32(w, s->slot[i].x);
        state_put_u32(w, s->slot[i].y);
        state_put_u32(w, s->slot[i].age);
    }
    state_put_bool(w, s->touching);
    state_put_u16(w, s->next_id);
    state_put_u32(w, s->next_age);
}

static int input_load(void *opaque, struct state_reader *r)
{
    struct vinput *s = opaque;
    struct vinput *n = malloc(sizeof *n);
    if (!n)
        return -1;
    *n = *s;
    int rc = -1;
    unsigned kind = state_get_u8(r);
    n->select = state_get_u8(r);
    n->subsel = state_get_u8(r);
    uint32_t count = state_get_u32(r);
    if (kind != (unsigned)s->kind || count > EVQ_SIZE)
        goto out;
    n->head = 0;
    n->count = count;
    for (unsigned i = 0; i < count; i++) {
        n->q[i].type = state_get_u16(r);
        n->q[i].code = state_get_u16(r);
        n->q[i].value = state_get_u32(r);
    }
    n->dropped = state_get_u32(r);
    n->leds = state_get_u8(r);
    state_get_bytes(r, n->keys_down, sizeof n->keys_down);
    n->buttons = state_get_u32(r);
    for (unsigned i = 0; i < INPUT_TOUCH_SLOTS; i++) {
        n->slot[i].active = state_get_bool(r);
        n->slot[i].id = state_get_u16(r);
        n->slot[i].x = state_get_u32(r);
        n->slot[i].y = state_get_u32(r);
        n->slot[i].age = state_get_u32(r);
        if (n->slot[i].x > INPUT_ABS_MAX || n->slot[i].y > INPUT_ABS_MAX)
            goto out;
    }
    n->touching = state_get_bool(r);
    n->next_id = state_get_u16(r);
    n->next_age = state_get_u32(r);
    if (state_reader_check(r) != 0 || (n->leds & ~LED_BITS) || n->buttons > 7u)
        goto out;
    /* the queue holds whole reports only */
    if (count && !(n->q[count - 1].type == EV_SYN && n->q[count - 1].code == SYN_REPORT))
        goto out;
    *s = *n;
    rc = 0;
out:
    free(n);
    return rc;
}

static const struct virtio_backend_ops input_ops = {
    .device_id = VIRTIO_ID_INPUT,
    .nqueues = 2,
    .features = 0,
    .config_size = CFG_HEADER + CFG_UNION,
    .config_byte = input_config_byte,
    .config_write = input_config_write,
    .notify = input_notify,
    .reset = input_reset,
    .save = input_save,
    .load = input_load,
    .destroy = free,
    .input_rank = input_rank,
    .input_event = input_event,
};

int virtio_input_create(const struct virtio_env *env, enum virtio_input_kind kind,
                        const char *arg, void **out, const struct virtio_backend_ops **ops,
                        struct orr_error *err)
{
    if (arg && *arg)
        return orr_fail(err, "%s: virtio input takes no options ('%s')", env->path, arg);
    if ((unsigned)kind > VIRTIO_INPUT_TOUCH)
        return orr_fail(err, "%s: unknown virtio input kind %d", env->path, (int)kind);
    struct vinput *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", env->path);
    s->kind = kind;
    s->log = env->log;
    snprintf(s->path, sizeof s->path, "%s", env->path);
    input_reset(s);
    *out = s;
    *ops = &input_ops;
    return 0;
}
