/* Intel 8254 programmable interval timer, as the PC/AT wires it, after the
 * Intel 82C54 datasheet (order 231244), and the AT's "port B" (0x61).
 *
 * Windows: 0 = ports 0x40-0x43 (counters 0-2, control word), 1 = port 0x61.
 * Counter 0's OUT drives the device's first interrupt line (IRQ 0); counter
 * 1's OUT is not wired (it paced DRAM refresh on the AT); counter 2's OUT
 * reads back in port 0x61 bit 5 and fed the speaker. Gates 0 and 1 are tied
 * high; gate 2 is port 0x61 bit 0.
 *
 * Time. The input clock (clock-frequency, 1193182 Hz by default) is counted
 * as absolute edges of the machine's time: edge k falls at
 * ns(k) = ceil(k * 1e9 / f), and by time t the edges 1..tick(t) have
 * fallen, tick(t) = floor(t * f / 1e9), in 128-bit arithmetic. Nothing is
 * counted per instruction and nothing drifts: a count read at time t is a
 * function of the programming and t alone (t being clock_now, the time of
 * the I/O instruction in progress).
 *
 * Each counter keeps its state as of one input-clock edge (its anchor) and
 * is brought forward to the edge of the access before anything is read or
 * changed. counter_edge is the one-edge behaviour, mode by mode, written as
 * the datasheet describes it; counter_advance gets to a far edge by
 * stepping only the edges where something other than counting happens (a
 * load, terminal count, the end of a strobe, a reload that takes a new
 * count) and by closed forms over the plain counting between them (modes 2
 * and 3 reduce the position in the period modulo the period, so periodic
 * output costs nothing per period).
 *
 * Exact load timing (datasheet, "Operation"): a count written at time t is
 * loaded into the counting element (CE) on the next falling clock edge,
 * edge tick(t) + 1, and that edge does not decrement it; a mode 0 count N
 * therefore raises OUT at edge tick(t) + 1 + N, N + 1 clocks after the
 * write. A gate trigger (modes 1, 2, 3, 5) likewise loads on the next edge.
 * The gate is sampled on the rising clock edge before each falling edge;
 * Orrery folds that half period into the falling edge: a gate change at
 * time t governs edges tick(t) + 1 onwards.
 *
 * OUT0's edges are clock events at ns(k) of the edge k where OUT0 changes,
 * derived from the edge count, so periodic interrupts keep the exact
 * period (mode 2: N / f) with no rounding carried from one to the next.
 * An event is rescheduled only when the next change moves.
 *
 * Mode 3 with an odd count N follows Intel's 82C54 text: N-1 is loaded and
 * counted down by two, OUT high for (N+1)/2 clocks (the count reads 0 for
 * the last of them) and low for (N-1)/2. Intersil's 82C54 datasheet tells
 * it differently (N loaded, then down by 1, by 2, and by 3 after a reload):
 * the same OUT waveform, other values read back.
 *
 * Power-on: the datasheet leaves mode, count and output undefined until
 * programmed. Orrery starts each counter as if a control word for mode 0,
 * binary, LSB-then-MSB had just been written: OUT low, no count, NULL
 * COUNT set; so the timer is silent until a guest programs it. The CE
 * comes up all ones (0xFFFF), the value a read of a counter gives until
 * its first load edge (a read within a clock of Linux's 0xFFFF write to
 * counter 2 then shows the MSB its quick_pit_calibrate expects; on the pc
 * board the ISA bus time of each port access, orrery,io-access-ns, already
 * puts its reads past the load edge). */
#include <libfdt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/clock.h"
#include "cpu/log.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/state.h"

#define NS_PER_S 1000000000ull
#define DEFAULT_HZ 1193182u
#define NEVER UINT64_MAX
#define NCOUNTERS 3
#define REFRESH_CLOCKS 18        /* the AT BIOS's counter 1 count: 15.0857 us */

/* Control word fields (datasheet "Control Word Format"). */
#define CW_SC(v) (((v) >> 6) & 3u)       /* 3: read-back command */
#define CW_RW(v) (((v) >> 4) & 3u)       /* 0: counter latch command */
#define CW_MODE(v) (((v) >> 1) & 7u)
#define CW_BCD 0x01u
/* Read-back command: bit 5 /COUNT, bit 4 /STATUS, bits 3-1 counters 2..0. */
#define RB_NOT_COUNT 0x20u
#define RB_NOT_STATUS 0x10u

enum { RW_LSB = 1, RW_MSB = 2, RW_WORD = 3 };

/* Port B (0x61) bits. */
enum {
    PB_GATE2 = 0x01,
    PB_SPEAKER = 0x02,
    PB_WRITABLE = 0x0F,          /* bits 2-3 (parity/channel check enables) read back */
    PB_REFRESH = 0x10,
    PB_OUT2 = 0x20,
};

struct pit_counter {
    /* programming */
    uint8_t mode_bits;           /* M2-M0 as written (status byte) */
    uint8_t mode;                /* the behaviour: 6 and 7 act as 2 and 3 */
    uint8_t rw;                  /* RW_LSB, RW_MSB, RW_WORD */
    bool bcd;
    uint16_t cr;                 /* count register, as written (BCD digits in BCD mode) */
    uint8_t cr_lsb;              /* RW_WORD: the LSB waiting for its MSB */
    bool cr_valid;               /* a whole count was written since the control word */
    bool write_msb_next, read_msb_next;   /* the two byte flip-flops */
    bool count_latched, status_latched;
    uint16_t latch;              /* output latch, as it reads (BCD in BCD mode) */
    uint8_t status;
    bool gate;
    bool null_count;

    /* counting element, as of input-clock edge `anchor` */
    uint64_t anchor;
    bool loaded;                 /* CE holds a count and counts; else CE is frozen */
    bool load_next;              /* CR goes to CE on the next edge */
    uint32_t ce;                 /* modes 0,1,4,5 (and frozen): 0..modulus-1 */
    uint32_t n;                  /* modes 2,3: the count in use, 1..modulus */
    uint32_t j;                  /* modes 2,3: edges into the period (2) or half (3) */
    bool high_half;              /* mode 3 */
    bool expired;                /* modes 0,1,4,5: terminal count since the load */
    bool strobe;                 /* modes 4,5: OUT is low for this one clock */
    bool out;
};

struct i8254 {
    char path[128];
    char event_name[160];
    const struct logger *log;
    struct irq_line *irq;        /* OUT0 */
    struct vclock *clock;
    uint32_t hz;
    uint8_t port_b;              /* bits 0-3 as written */
    struct pit_counter c[NCOUNTERS];
    struct clock_event out0_edge;
};

/* ---- time base ---------------------------------------------------------- */

/* Input-clock edges fallen by time t (ns). */
static uint64_t tick_at(const struct i8254 *p, uint64_t t)
{
    return clock_ticks_at(t, p->hz);
}

/* The time of edge k: the first nanosecond at which tick_at reaches k. */
static uint64_t edge_ns(const struct i8254 *p, uint64_t k)
{
    return clock_tick_time(k, p->hz);
}

static uint64_t now_tick(const struct i8254 *p)
{
    return tick_at(p, clock_now(p->clock));
}

/* ---- counting element ---------------------------------------------------- */

static uint32_t modulus(const struct pit_counter *c)
{
    return c->bcd ? 10000u : 65536u;
}

/* The count a CR value stands for: 0 is the largest (2^16 or 10^4). BCD
 * digits above 9 (undefined on the part) are taken by their weight. */
static uint32_t count_of(const struct pit_counter *c, uint16_t raw)
{
    uint32_t v = raw;
    if (c->bcd)
        v = (raw >> 12) * 1000u + ((raw >> 8) & 15u) * 100u + ((raw >> 4) & 15u) * 10u +
            (raw & 15u);
    v %= modulus(c);
    return v ? v : modulus(c);
}

static uint16_t to_bcd(uint32_t v)
{
    v %= 10000u;
    return (uint16_t)(((v / 1000u) << 12) | (((v / 100u) % 10u) << 8) |
                      (((v / 10u) % 10u) << 4) | (v % 10u));
}

/* Mode 3's halves: high (N+1)/2 clocks, low N/2 clocks. */
static uint32_t half_len(uint32_t n, bool high)
{
    return high ? (n + 1) / 2 : n / 2;
}

/* The CE's value, 0..modulus-1. */
static uint32_t ce_value(const struct pit_counter *c)
{
    if (!c->loaded)
        return c->ce;
    switch (c->mode) {
    case 2:
        return (c->n - c->j) % modulus(c);
    case 3:
        /* even N counts N, N-2, ..., 2; odd N counts N-1, ..., 2, 0 while
         * high and N-1, ..., 2 while low (datasheet, mode 3) */
        return ((c->n & ~1u) - 2 * c->j) % modulus(c);
    default:
        return c->ce;
    }
}

static uint16_t count_output(const struct pit_counter *c)
{
    uint32_t v = ce_value(c);
    return c->bcd ? to_bcd(v) : (uint16_t)v;
}

static void freeze(struct pit_counter *c)
{
    c->ce = ce_value(c);
    c->loaded = false;
}

/* CR to CE (the load edge; it does not count). */
static void load(struct pit_counter *c)
{
    uint32_t n = count_of(c, c->cr);
    c->load_next = false;
    c->null_count = false;
    c->loaded = true;
    c->expired = false;
    c->strobe = false;
    switch (c->mode) {
    case 0:
        c->ce = n % modulus(c);         /* OUT went low when the count was written */
        break;
    case 1:
        c->ce = n % modulus(c);
        c->out = false;                 /* the one-shot starts */
        break;
    case 4:
    case 5:
        c->ce = n % modulus(c);
        c->out = true;
        break;
    case 2:
        c->n = n;
        c->j = 0;
        c->out = true;
        break;
    case 3:
        c->n = n;
        c->j = 0;
        c->high_half = true;
        c->out = true;
        break;
    }
}

/* One falling edge of CLK, per the datasheet's description of each mode. */
static void counter_edge(struct pit_counter *c)
{
    if (c->load_next) {
        load(c);
        return;
    }
    if (!c->loaded)
        return;
    uint32_t mod = modulus(c);
    switch (c->mode) {
    case 0:
    case 4:
    case 1:
    case 5:
        if (c->strobe) {                /* modes 4, 5: the strobe lasts one clock */
            c->strobe = false;
            c->out = true;
        }
        if ((c->mode == 0 || c->mode == 4) && !c->gate)
            return;                     /* GATE low disables counting */
        c->ce = (c->ce + mod - 1) % mod;
        if (c->ce == 0 && !c->expired) {
            c->expired = true;          /* later zeros pass unnoticed: counting wraps */
            if (c->mode == 0 || c->mode == 1) {
                c->out = true;
            } else {
                c->out = false;
                c->strobe = true;
            }
        }
        return;
    case 2:
        if (!c->gate)
            return;
        if (++c->j >= c->n) {           /* reload: a new count takes effect here */
            c->n = count_of(c, c->cr);
            c->null_count = false;
            c->j = 0;
        }
        c->out = !(c->n > 1 && c->j == c->n - 1);
        return;
    case 3:
        if (!c->gate)
            return;
        if (++c->j >= half_len(c->n, c->high_half)) {
            c->n = count_of(c, c->cr);  /* a new count starts with the next half */
            c->null_count = false;
            c->j = 0;
            c->high_half = !c->high_half;
            if (!c->high_half && half_len(c->n, false) == 0)
                c->high_half = true;    /* count 1: no low half */
        }
        c->out = c->high_half;
        return;
    }
}

/* Edges from the anchor to the next edge where counter_edge does more than
 * count (1 = the next edge), or NEVER. */
static uint64_t next_boundary(const struct pit_counter *c)
{
    if (c->load_next)
        return 1;
    if (!c->loaded)
        return NEVER;
    if (c->strobe)
        return 1;
    switch (c->mode) {
    case 0:
    case 4:
        if (!c->gate)
            return NEVER;
        /* fall through */
    case 1:
    case 5:
        if (c->expired)
            return NEVER;
        return c->ce ? c->ce : modulus(c);
    case 2:
        if (!c->gate || !c->null_count)
            return NEVER;               /* steady: counter_skip's closed form */
        return c->n - c->j;
    default:
        if (!c->gate || !c->null_count)
            return NEVER;
        return half_len(c->n, c->high_half) - c->j;
    }
}

/* k edges of plain counting (k below next_boundary, or any k when that is
 * NEVER): closed forms. */
static void counter_skip(struct pit_counter *c, uint64_t k)
{
    if (k == 0 || !c->loaded)
        return;
    uint32_t mod = modulus(c);
    switch (c->mode) {
    case 0:
    case 4:
        if (!c->gate)
            return;
        /* fall through */
    case 1:
    case 5:
        c->ce = (uint32_t)((c->ce + mod - k % mod) % mod);
        return;
    case 2:
        if (!c->gate)
            return;
        c->j = (uint32_t)((c->j + k) % c->n);
        c->out = !(c->n > 1 && c->j == c->n - 1);
        return;
    default: {
        if (!c->gate)
            return;
        uint32_t high = half_len(c->n, true);
        uint64_t pos = (c->high_half ? c->j : high + c->j) + k;
        pos %= c->n;
        c->high_half = pos < high;
        c->j = (uint32_t)(c->high_half ? pos : pos - high);
        c->out = c->high_half;
        return;
    }
    }
}

/* Brings the counter to edge `target` (never backward). */
static void counter_advance(struct pit_counter *c, uint64_t target)
{
    while (c->anchor < target) {
        uint64_t b = next_boundary(c);
        uint64_t left = target - c->anchor;
        if (b > left) {
            counter_skip(c, left);
            c->anchor = target;
            return;
        }
        counter_skip(c, b - 1);
        counter_edge(c);
        c->anchor += b;
    }
}

/* Edges of plain counting until OUT changes (modes 2 and 3), or NEVER. */
static uint64_t steady_out_change(const struct pit_counter *c)
{
    if (!c->loaded || c->load_next || !c->gate)
        return NEVER;
    if (c->mode == 2)
        return c->n <= 1 ? NEVER : c->j < c->n - 1 ? c->n - 1 - c->j : 1;
    if (c->mode == 3)
        return c->n <= 1 ? NEVER : half_len(c->n, c->high_half) - c->j;
    return NEVER;
}

/* The edge at which OUT next changes, or NEVER. */
static uint64_t next_out_change(const struct pit_counter *c)
{
    struct pit_counter t = *c;
    for (int i = 0; i < 8; i++) {
        uint64_t b = next_boundary(&t);
        uint64_t d = steady_out_change(&t);
        if (d != NEVER && d < b)
            return t.anchor + d;
        if (b == NEVER)
            return NEVER;
        counter_skip(&t, b - 1);
        counter_edge(&t);
        t.anchor += b;
        if (t.out != c->out)
            return t.anchor;
    }
    return NEVER;
}

/* ---- OUT0 and its interrupt --------------------------------------------- */

static void out0_update(struct i8254 *p)
{
    struct pit_counter *c = &p->c[0];
    irq_set(p->irq, c->out);
    uint64_t k = next_out_change(c);
    if (k == NEVER) {
        clock_event_cancel(p->clock, &p->out0_edge);
        return;
    }
    uint64_t when = edge_ns(p, k);
    if (clock_event_pending(&p->out0_edge) && p->out0_edge.deadline == when)
        return;                         /* unchanged: leave the run alone */
    if (clock_event_schedule(p->clock, &p->out0_edge, when) != 0)
        log_msg(p->log, LOG_DEV, "%s: event queue full, IRQ 0 edge lost", p->path);
}

static void out0_fire(void *opaque, uint64_t now_ns)
{
    struct i8254 *p = opaque;
    counter_advance(&p->c[0], tick_at(p, now_ns));
    out0_update(p);
}

/* Brings counter i to the access in progress. */
static struct pit_counter *sync_counter(struct i8254 *p, unsigned i)
{
    counter_advance(&p->c[i], now_tick(p));
    return &p->c[i];
}

static void counter_changed(struct i8254 *p, unsigned i)
{
    if (i == 0)
        out0_update(p);
}

/* ---- programming -------------------------------------------------------- */

static uint8_t status_byte(const struct pit_counter *c)
{
    return (uint8_t)((c->out ? 0x80u : 0) | (c->null_count ? 0x40u : 0) | (c->rw << 4) |
                     (c->mode_bits << 1) | (c->bcd ? 1u : 0));
}

static void latch_count(struct pit_counter *c)
{
    if (c->count_latched)
        return;                         /* a second latch before the read is ignored */
    c->count_latched = true;
    c->latch = count_output(c);
}

static void latch_status(struct pit_counter *c)
{
    if (c->status_latched)
        return;
    c->status_latched = true;
    c->status = status_byte(c);
}

static void set_mode(struct pit_counter *c, uint8_t v)
{
    freeze(c);
    c->mode_bits = (uint8_t)CW_MODE(v);
    c->mode = c->mode_bits >= 6 ? (uint8_t)(c->mode_bits - 4) : c->mode_bits;
    c->rw = (uint8_t)CW_RW(v);
    c->bcd = (v & CW_BCD) != 0;
    c->ce %= modulus(c);                /* a binary count frozen into a BCD counter */
    c->cr_valid = false;
    c->load_next = false;
    c->expired = false;
    c->strobe = false;
    c->null_count = true;
    c->write_msb_next = c->read_msb_next = false;
    c->out = c->mode != 0;              /* mode 0: OUT low; others high */
}

static void write_control(struct i8254 *p, uint8_t v)
{
    unsigned sc = CW_SC(v);
    if (sc == 3) {
        /* Read-back (8254 only): latch count and/or status of each counter
         * selected; bit 0 must be 0. */
        if (v & 1)
            log_msg(p->log, LOG_DEV, "%s: read-back command 0x%02x with bit 0 set ignored",
                    p->path, v);
        else
            for (unsigned i = 0; i < NCOUNTERS; i++)
                if (v & (2u << i)) {
                    struct pit_counter *c = sync_counter(p, i);
                    if (!(v & RB_NOT_STATUS))
                        latch_status(c);
                    if (!(v & RB_NOT_COUNT))
                        latch_count(c);
                }
        return;
    }
    struct pit_counter *c = sync_counter(p, sc);
    if (CW_RW(v) == 0) {
        latch_count(c);
        return;
    }
    set_mode(c, v);
    counter_changed(p, sc);
}

static void write_count(struct i8254 *p, unsigned i, uint8_t v)
{
    struct pit_counter *c = sync_counter(p, i);
    bool first = true, complete = true;
    switch (c->rw) {
    case RW_LSB:
        c->cr = v;
        break;
    case RW_MSB:
        c->cr = (uint16_t)(v << 8);
        break;
    default:
        if (!c->write_msb_next) {
            c->cr_lsb = v;
            c->write_msb_next = true;
            complete = false;
        } else {
            c->cr = (uint16_t)(c->cr_lsb | (v << 8));
            c->write_msb_next = false;
            first = false;
        }
        break;
    }
    if (c->mode == 0 && first) {
        /* Mode 0: the first byte stops counting and OUT goes low at once. */
        freeze(c);
        c->load_next = false;
        c->out = false;
    }
    if (complete) {
        c->null_count = true;
        c->cr_valid = true;
        switch (c->mode) {
        case 0:
        case 4:
            c->load_next = true;        /* loaded on the next edge, counting resumes */
            break;
        case 2:
        case 3:
            if (!c->loaded)
                c->load_next = true;    /* the first count; later ones wait for the reload */
            break;
        default:
            break;                      /* modes 1, 5: loaded by a gate trigger */
        }
        if ((c->mode == 2 || c->mode == 3) && count_of(c, c->cr) == 1)
            log_msg(p->log, LOG_DEV, "%s: counter %u: count 1 is illegal in mode %u",
                    p->path, i, c->mode);
    }
    counter_changed(p, i);
}

static uint8_t read_count(struct i8254 *p, unsigned i)
{
    struct pit_counter *c = sync_counter(p, i);
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    uint16_t v = c->count_latched ? c->latch : count_output(c);
    bool release = true;
    uint8_t byte;
    switch (c->rw) {
    case RW_LSB:
        byte = (uint8_t)v;
        break;
    case RW_MSB:
        byte = (uint8_t)(v >> 8);
        break;
    default:
        if (!c->read_msb_next) {
            byte = (uint8_t)v;
            release = false;
        } else {
            byte = (uint8_t)(v >> 8);
        }
        c->read_msb_next = !c->read_msb_next;
        break;
    }
    if (release)
        c->count_latched = false;
    return byte;
}

/* A gate change (counter 2, from port B), at the access in progress. */
static void set_gate(struct i8254 *p, unsigned i, bool level)
{
    struct pit_counter *c = sync_counter(p, i);
    if (c->gate == level)
        return;
    c->gate = level;
    if (level) {
        /* A rising edge triggers modes 1, 2, 3 and 5: CR is loaded on the
         * next edge (once a count was written). */
        if (c->mode != 0 && c->mode != 4 && c->cr_valid)
            c->load_next = true;
    } else if (c->mode == 2 || c->mode == 3) {
        c->out = true;                  /* GATE low forces OUT high at once */
    }
    counter_changed(p, i);
}

/* ---- port access ---------------------------------------------------------- */

static uint8_t port_b_read(struct i8254 *p)
{
    uint64_t t = tick_at(p, clock_now(p->clock));
    struct pit_counter *c2 = sync_counter(p, 2);
    uint8_t v = p->port_b & PB_WRITABLE;
    if ((t / REFRESH_CLOCKS) & 1)
        v |= PB_REFRESH;
    if (c2->out)
        v |= PB_OUT2;
    return v;
}

static uint8_t read_byte(struct i8254 *p, unsigned window, uint64_t offset)
{
    if (window == 1 && offset == 0)
        return port_b_read(p);
    if (window == 0 && offset < NCOUNTERS)
        return read_count(p, (unsigned)offset);
    if (window == 0 && offset == 3)
        log_msg(p->log, LOG_DEV, "%s: read of the write-only control port", p->path);
    return 0xFF;                        /* nothing drives the bus */
}

static void write_byte(struct i8254 *p, unsigned window, uint64_t offset, uint8_t v)
{
    if (window == 1 && offset == 0) {
        p->port_b = v & PB_WRITABLE;
        set_gate(p, 2, (v & PB_GATE2) != 0);
        return;
    }
    if (window == 0 && offset < NCOUNTERS)
        write_count(p, (unsigned)offset, v);
    else if (window == 0 && offset == 3)
        write_control(p, v);
}

/* An 8-bit part: a wider access is a run of byte accesses, as the ISA bus
 * splits it. */
static int i8254_read(void *dev, unsigned window, uint64_t offset, unsigned size,
                      uint64_t *value)
{
    struct i8254 *p = dev;
    uint64_t v = 0;
    for (unsigned b = 0; b < size && b < 8; b++)
        v |= (uint64_t)read_byte(p, window, offset + b) << (8 * b);
    *value = v;
    return BUS_OK;
}

static int i8254_write(void *dev, unsigned window, uint64_t offset, unsigned size,
                       uint64_t value)
{
    struct i8254 *p = dev;
    for (unsigned b = 0; b < size && b < 8; b++)
        write_byte(p, window, offset + b, (uint8_t)(value >> (8 * b)));
    return BUS_OK;
}

/* ---- lifecycle ------------------------------------------------------------ */

static void i8254_reset(void *dev)
{
    struct i8254 *p = dev;
    uint64_t now = now_tick(p);
    p->port_b = 0;
    for (unsigned i = 0; i < NCOUNTERS; i++) {
        struct pit_counter *c = &p->c[i];
        *c = (struct pit_counter){ 0 };
        c->ce = 0xFFFF;
        c->anchor = now;
        c->gate = i != 2;               /* gates 0 and 1 tied high; gate 2 from port B */
        set_mode(c, RW_WORD << 4);      /* mode 0, binary, LSB then MSB */
    }
    out0_update(p);
}

static int i8254_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 2)
        return orr_fail(err, "%s: the 8254 needs two reg windows (0x40-0x43 and 0x61)",
                        ctx->path);
    if (ctx->window_size[0] < 4 || ctx->window_size[1] < 1)
        return orr_fail(err, "%s: the 8254's windows must be 4 ports and 1 port", ctx->path);
    if (!ctx->clock)
        return orr_fail(err, "%s: the 8254 needs the machine clock", ctx->path);
    uint32_t hz = DEFAULT_HZ;
    if (ctx->fdt && ctx->node >= 0) {
        int len = 0;
        const fdt32_t *f = fdt_getprop(ctx->fdt, ctx->node, "clock-frequency", &len);
        if (f && len != 4)
            return orr_fail(err, "%s: clock-frequency must be one cell", ctx->path);
        if (f)
            hz = fdt32_to_cpu(*f);
    }
    if (hz == 0 || hz >= NS_PER_S)
        return orr_fail(err, "%s: clock-frequency %u Hz is out of range (1 Hz to 1 GHz)",
                        ctx->path, hz);
    struct i8254 *p = calloc(1, sizeof *p);
    if (!p)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(p->path, sizeof p->path, "%s", ctx->path ? ctx->path : "i8254");
    snprintf(p->event_name, sizeof p->event_name, "%s OUT0", p->path);
    p->log = ctx->log;
    p->irq = ctx->nirqs ? ctx->irqs[0] : NULL;
    p->clock = ctx->clock;
    p->hz = hz;
    clock_event_init(&p->out0_edge, p->event_name, out0_fire, p);
    i8254_reset(p);
    *dev = p;
    return 0;
}

static void i8254_destroy(void *dev)
{
    struct i8254 *p = dev;
    if (!p)
        return;
    clock_event_cancel(p->clock, &p->out0_edge);
    free(p);
}

/* Section layout, version 1: port B, then for each counter its programming
 * (mode bits, RW, BCD, CR, the pending LSB, the flip-flops, latches, gate,
 * NULL COUNT) and its counting element (anchor edge, flags, CE, N, J). The
 * OUT0 event follows from these and is scheduled again on load. */
static int i8254_save(void *dev, struct state_writer *w)
{
    struct i8254 *p = dev;
    state_put_u8(w, p->port_b);
    for (unsigned i = 0; i < NCOUNTERS; i++) {
        const struct pit_counter *c = &p->c[i];
        state_put_u8(w, c->mode_bits);
        state_put_u8(w, c->rw);
        state_put_bool(w, c->bcd);
        state_put_u16(w, c->cr);
        state_put_u8(w, c->cr_lsb);
        state_put_bool(w, c->cr_valid);
        state_put_bool(w, c->write_msb_next);
        state_put_bool(w, c->read_msb_next);
        state_put_bool(w, c->count_latched);
        state_put_bool(w, c->status_latched);
        state_put_u16(w, c->latch);
        state_put_u8(w, c->status);
        state_put_bool(w, c->gate);
        state_put_bool(w, c->null_count);
        state_put_u64(w, c->anchor);
        state_put_bool(w, c->loaded);
        state_put_bool(w, c->load_next);
        state_put_u32(w, c->ce);
        state_put_u32(w, c->n);
        state_put_u32(w, c->j);
        state_put_bool(w, c->high_half);
        state_put_bool(w, c->expired);
        state_put_bool(w, c->strobe);
        state_put_bool(w, c->out);
    }
    return w->failed ? -1 : 0;
}

/* The invariants counter_advance relies on. */
static bool counter_valid(const struct pit_counter *c)
{
    uint32_t mod = modulus(c);
    if (c->mode_bits > 7 || c->rw < RW_LSB || c->rw > RW_WORD || c->ce >= mod)
        return false;
    if (c->loaded && (c->mode == 2 || c->mode == 3)) {
        if (c->n < 1 || c->n > mod)
            return false;
        if (c->mode == 2 && c->j >= c->n)
            return false;
        if (c->mode == 3 && (c->j >= half_len(c->n, c->high_half)))
            return false;
    }
    return true;
}

static int i8254_load(void *dev, struct state_reader *r, struct orr_error *err)
{
    struct i8254 *p = dev;
    struct pit_counter c[NCOUNTERS];
    uint8_t port_b = state_get_u8(r);
    for (unsigned i = 0; i < NCOUNTERS; i++) {
        struct pit_counter *k = &c[i];
        *k = (struct pit_counter){ 0 };
        k->mode_bits = state_get_u8(r);
        k->mode = k->mode_bits >= 6 ? (uint8_t)(k->mode_bits - 4) : k->mode_bits;
        k->rw = state_get_u8(r);
        k->bcd = state_get_bool(r);
        k->cr = state_get_u16(r);
        k->cr_lsb = state_get_u8(r);
        k->cr_valid = state_get_bool(r);
        k->write_msb_next = state_get_bool(r);
        k->read_msb_next = state_get_bool(r);
        k->count_latched = state_get_bool(r);
        k->status_latched = state_get_bool(r);
        k->latch = state_get_u16(r);
        k->status = state_get_u8(r);
        k->gate = state_get_bool(r);
        k->null_count = state_get_bool(r);
        k->anchor = state_get_u64(r);
        k->loaded = state_get_bool(r);
        k->load_next = state_get_bool(r);
        k->ce = state_get_u32(r);
        k->n = state_get_u32(r);
        k->j = state_get_u32(r);
        k->high_half = state_get_bool(r);
        k->expired = state_get_bool(r);
        k->strobe = state_get_bool(r);
        k->out = state_get_bool(r);
    }
    if (state_reader_check(r) != 0)
        return orr_fail(err, "%s: truncated or corrupt 8254 section", p->path);
    /* An anchor past the last edge of 64-bit time would wrap the event
     * arithmetic (in realtime mode it may run ahead of the saved time). */
    uint64_t last_edge = tick_at(p, UINT64_MAX);
    for (unsigned i = 0; i < NCOUNTERS; i++)
        if (!counter_valid(&c[i]) || (i != 2 && !c[i].gate) || c[i].anchor > last_edge)
            return orr_fail(err, "%s: 8254 section: counter %u's state is inconsistent",
                            p->path, i);
    p->port_b = port_b & PB_WRITABLE;
    for (unsigned i = 0; i < NCOUNTERS; i++)
        p->c[i] = c[i];
    out0_update(p);
    return 0;
}

static const char *const i8254_compatible[] = { "intel,8254", NULL };

const struct device_model i8254_model = {
    .name = "i8254",
    .compatible = i8254_compatible,
    .summary = "Intel 8254 interval timer (0x40-0x43, IRQ 0) and AT port B (0x61)",
    .state_version = 1,
    .create = i8254_create,
    .reset = i8254_reset,
    .read = i8254_read,
    .write = i8254_write,
    .save = i8254_save,
    .load = i8254_load,
    .destroy = i8254_destroy,
};
