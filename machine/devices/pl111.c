/* ARM PrimeCell Color LCD Controller (PL111), after the PL111 Technical
 * Reference Manual (ARM DDI 0293C, r0p2).
 *
 * Picture. The controller streams a frame buffer from memory at LCDUPBASE
 * (and, for a dual-panel STN display, the lower half from LCDLPBASE) to
 * the panel. render() shows that frame as the panel would: (PPL+1)*16
 * pixels by LPP+1 lines (twice that for a dual panel), in the format
 * LCDControl.LcdBpp selects (TRM 3.3.5, table 3-10): 1, 2, 4 or 8 bits
 * through the 256-entry palette, 16 bits as 1:5:5:5 or 5:6:5, 12 bits as
 * 4:4:4 in 16-bit containers, and "24 bits" as one pixel per 32-bit word.
 * Lines follow each other with no gap (the controller has no stride
 * register). Render reads guest RAM (or ROM) through direct host
 * pointers, a line at a time, so it never touches a device register; a
 * line outside them shows black. A render shows LCDUPBASE/LCDLPBASE as
 * last written; the hardware takes a new base at the next frame (LNBU),
 * a difference no picture rendered between run slices can show. The picture is black while LcdEn or LcdPwr is clear.
 *
 * Colour order. With BGR clear, the red field is the least significant
 * one of a direct-colour pixel and of a palette entry (bits [4:0]); BGR
 * swaps red and blue (TRM 3.3.5). This is the convention Linux's
 * amba-clcd driver programs: it sets BGR for its XRGB8888 layout, whose
 * blue field is at bit 0.
 *
 * Byte and pixel order (TRM 2.3.2, "pixel data formats"). Pixels are taken
 * from each little-endian 32-bit word of the frame buffer starting at its
 * least significant end; BEBO (big-endian byte order) starts at its most
 * significant end; BEPO (big-endian pixel order, LBBP) keeps the bytes in
 * little-endian order but takes the pixels of less than 8 bits from the
 * most significant end of each byte. With BEBO the palette's two entries
 * in a word swap places too, as for a big-endian data bus.
 *
 * Palette entries (TRM 3.3.12): 5 bits each of red, green and blue and an
 * intensity bit, two entries to a word (the even one in bits [15:0]). The
 * intensity bit and the 1:5:5:5 format's bit 15 are not shown (a 24-bit
 * TFT interface has no pad for them). A monochrome STN panel (LcdBW) shows
 * the grey level of the palette's red field bits [4:1], as the gray-scaler
 * does (TRM 2.4.5).
 *
 * Timing. The timing generator runs while LcdEn is set, from the moment it
 * was set: a frame is VSW lines of vertical sync, VBP lines of back porch,
 * LPP active lines and VFP lines of front porch (TRM 3.3.2), each line
 * HSW + HBP + the active clocks + HFP pixel clocks (TRM 3.3.1), the pixel
 * clock being CLCDCLK divided by PCD+2, or CLCDCLK itself with BCD set
 * (TRM 3.3.3). CLCDCLK is the node's first `clocks` entry (a fixed clock's
 * clock-frequency); CLKSEL's other source, HCLK, is taken to run at the
 * same rate. Interrupts (TRM 3.3.7-3.3.10):
 *   LNBU   at the start of each frame, when the base addresses are loaded
 *          into the current-address counters;
 *   VComp  at the start of the vertical sync, back porch, active video or
 *          front porch, as LcdVComp selects;
 *   MBERROR at the start of a frame whose buffer is not wholly in RAM or
 *          ROM (the AHB master would get an error response);
 *   FUF    never: the model's FIFO cannot underflow.
 * Their raw status follows from the timing whenever it is read, so clock
 * events are scheduled only for an interrupt that is unmasked and not
 * already pending: a guest that leaves them masked (Linux's fbdev driver
 * does) costs no wake-ups. LCDUPCURR/LCDLPCURR read the start of the line
 * being fetched during active video, else the base address.
 *
 * Hardware cursor (TRM 3.4): its registers and image memory are kept and
 * read back, but the cursor is not drawn and its interrupt never rises.
 *
 * The combined interrupt line (CLCDINTR) drives the node's first
 * `interrupts` entry. */
#include <libfdt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/clock.h"
#include "cpu/log.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/devices/primecell.h"
#include "machine/display.h"
#include "machine/irq.h"
#include "machine/state.h"

#define PL111_REGION_SIZE 0x1000
#define PL111_DEFAULT_CLOCK_HZ 25175000u   /* VGA's dot clock */
#define PALETTE_ENTRIES 256
#define CURSOR_IMAGE_WORDS 256
#define BLANK_WIDTH 640u
#define BLANK_HEIGHT 480u

/* Register offsets (TRM 3.2, table 3-1). */
enum {
    REG_TIMING0 = 0x000,
    REG_TIMING1 = 0x004,
    REG_TIMING2 = 0x008,
    REG_TIMING3 = 0x00C,
    REG_UPBASE = 0x010,
    REG_LPBASE = 0x014,
    REG_CONTROL = 0x018,
    REG_IMSC = 0x01C,
    REG_RIS = 0x020,
    REG_MIS = 0x024,
    REG_ICR = 0x028,
    REG_UPCURR = 0x02C,
    REG_LPCURR = 0x030,
    REG_PALETTE = 0x200,        /* ..0x3FC */
    REG_CURSOR_IMAGE = 0x800,   /* ..0xBFC */
    REG_CRSR_CTRL = 0xC00,
    REG_CRSR_CONFIG = 0xC04,
    REG_CRSR_PALETTE0 = 0xC08,
    REG_CRSR_PALETTE1 = 0xC0C,
    REG_CRSR_XY = 0xC10,
    REG_CRSR_CLIP = 0xC14,
    REG_CRSR_IMSC = 0xC20,
    REG_CRSR_ICR = 0xC24,
    REG_CRSR_RIS = 0xC28,
    REG_CRSR_MIS = 0xC2C,
    REG_ID_FIRST = 0xFE0,
};

/* LCDControl (TRM 3.3.5). */
enum {
    CTRL_EN = 1u << 0,
    CTRL_BPP_SHIFT = 1,
    CTRL_BW = 1u << 4,
    CTRL_TFT = 1u << 5,
    CTRL_MONO8 = 1u << 6,
    CTRL_DUAL = 1u << 7,
    CTRL_BGR = 1u << 8,
    CTRL_BEBO = 1u << 9,
    CTRL_BEPO = 1u << 10,
    CTRL_PWR = 1u << 11,
    CTRL_VCOMP_SHIFT = 12,
    CTRL_WATERMARK = 1u << 16,
    CTRL_MASK = 0x3FFFu | CTRL_WATERMARK,
};

/* LcdBpp encodings (TRM table 3-10). */
enum {
    BPP_1 = 0, BPP_2 = 1, BPP_4 = 2, BPP_8 = 3, BPP_16_1555 = 4, BPP_24 = 5,
    BPP_16_565 = 6, BPP_12_444 = 7,
};

/* Interrupt bits of LCDIMSC/RIS/MIS/ICR (TRM 3.3.7-3.3.10). */
enum {
    INT_FUF = 1u << 1,
    INT_LNBU = 1u << 2,
    INT_VCOMP = 1u << 3,
    INT_MBERROR = 1u << 4,
    INT_ALL = INT_FUF | INT_LNBU | INT_VCOMP | INT_MBERROR,
};

#define TIMING2_BCD (1u << 26)
#define TIMING2_MASK 0xFFFF7FFFu   /* bit 15 reserved */
#define TIMING3_MASK 0x0001007Fu
/* The writable bits of LCDTiming0-3 (TRM 3.3.1-3.3.4). */
static const uint32_t timing_mask[4] = { 0xFFFFFFFCu, 0xFFFFFFFFu, TIMING2_MASK, TIMING3_MASK };

/* Identification registers at 0xFE0..0xFFC (TRM 3.3.17-3.3.18): part
 * 0x111, designer 0x41 (ARM), revision 2 (r0p2); PrimeCell id B105F00D. */
static const uint8_t pl111_id[8] = {
    0x11, 0x11, 0x24, 0x00,
    0x0D, 0xF0, 0x05, 0xB1,
};

struct pl111 {
    char path[128];
    char event_name[160];
    const struct logger *log;
    struct irq_line *irq;
    struct vclock *clock;
    struct bus *bus;
    uint32_t clcdclk_hz;

    uint32_t timing[4];
    uint32_t upbase, lpbase;
    uint32_t control;
    uint32_t imsc, ris;
    uint16_t palette[PALETTE_ENTRIES];
    uint64_t enabled_ns;      /* when LcdEn was last set: the frames' phase */
    uint64_t checked_ns;      /* RIS holds every edge up to this time */

    uint32_t cursor_image[CURSOR_IMAGE_WORDS];
    uint32_t crsr_ctrl, crsr_config, crsr_palette[2], crsr_xy, crsr_clip;
    uint32_t crsr_imsc;

    struct clock_event edge;
};

/* ---- the programmed timing ----------------------------------------------- */

struct frame_timing {
    uint64_t line_ticks;      /* CLCDCLK ticks per line */
    uint64_t frame_ticks;     /* per frame */
    unsigned vsw, vbp, lpp, vfp;
};

static bool enabled(const struct pl111 *s)
{
    return (s->control & CTRL_EN) != 0;
}

static unsigned bpp_mode(const struct pl111 *s)
{
    return (s->control >> CTRL_BPP_SHIFT) & 7u;
}

static unsigned width_of(const struct pl111 *s)
{
    return (((s->timing[0] >> 2) & 0x3Fu) + 1u) * 16u;
}

static unsigned lines_per_panel(const struct pl111 *s)
{
    return (s->timing[1] & 0x3FFu) + 1u;
}

static void frame_timing(const struct pl111 *s, struct frame_timing *t)
{
    uint32_t t0 = s->timing[0], t1 = s->timing[1], t2 = s->timing[2];
    unsigned hsw = ((t0 >> 8) & 0xFFu) + 1u;
    unsigned hfp = ((t0 >> 16) & 0xFFu) + 1u;
    unsigned hbp = ((t0 >> 24) & 0xFFu) + 1u;
    /* Active clocks per line: the pixels of a TFT panel, CPL+1 for STN,
     * whose clocks carry several pixels (TRM 3.3.3). */
    unsigned active = (s->control & CTRL_TFT) ? width_of(s) : ((t2 >> 16) & 0x3FFu) + 1u;
    unsigned divide = (t2 & TIMING2_BCD) ? 1u : ((t2 & 0x1Fu) | ((t2 >> 27) << 5)) + 2u;
    t->vsw = ((t1 >> 10) & 0x3Fu) + 1u;
    t->vbp = (t1 >> 24) & 0xFFu;
    t->lpp = lines_per_panel(s);
    t->vfp = (t1 >> 16) & 0xFFu;
    t->line_ticks = (uint64_t)(hsw + hbp + active + hfp) * divide;
    t->frame_ticks = t->line_ticks * (t->vsw + t->vbp + t->lpp + t->vfp);
}

/* The line (from the start of vertical sync) at which LcdVComp's edge
 * falls (TRM 3.3.5). */
static unsigned vcomp_line(const struct pl111 *s, const struct frame_timing *t)
{
    switch ((s->control >> CTRL_VCOMP_SHIFT) & 3u) {
    case 0: return 0;                         /* start of vertical sync */
    case 1: return t->vsw;                    /* start of back porch */
    case 2: return t->vsw + t->vbp;           /* start of active video */
    default: return t->vsw + t->vbp + t->lpp; /* start of front porch */
    }
}

/* The first time after `after` at which the frame-relative tick `offset`
 * comes round again, counting from enabled_ns. */
static uint64_t next_edge(const struct pl111 *s, const struct frame_timing *t,
                          uint64_t offset, uint64_t after)
{
    uint64_t fallen = after > s->enabled_ns
        ? clock_ticks_at(after - s->enabled_ns, s->clcdclk_hz) : 0;
    /* Tick k has fallen by `after` iff k <= fallen: the next edge is the
     * first k = n * frame + offset above it. */
    uint64_t n = fallen >= offset ? (fallen - offset) / t->frame_ticks + 1u : 0;
    unsigned __int128 k = (unsigned __int128)n * t->frame_ticks + offset;
    if (k > UINT64_MAX)
        return CLOCK_NEVER;
    uint64_t rel = clock_tick_time((uint64_t)k, s->clcdclk_hz);
    return rel >= CLOCK_NEVER - s->enabled_ns ? CLOCK_NEVER : s->enabled_ns + rel;
}

static uint64_t now(const struct pl111 *s)
{
    return clock_now(s->clock);
}

/* ---- memory -------------------------------------------------------------- */

static unsigned bits_per_pixel(unsigned mode)
{
    static const uint8_t bits[8] = { 1, 2, 4, 8, 16, 32, 16, 16 };
    return bits[mode & 7u];
}

static uint64_t line_bytes(const struct pl111 *s)
{
    return (uint64_t)width_of(s) * bits_per_pixel(bpp_mode(s)) / 8u;
}

static bool in_memory(const struct pl111 *s, uint64_t base, uint64_t len)
{
    bool rom;
    return s->bus && bus_host_ptr(s->bus, base, len, &rom) != NULL;
}

/* Whether a frame's data can be fetched (else the AHB master errs). */
static bool frame_fetchable(const struct pl111 *s)
{
    uint64_t len = line_bytes(s) * lines_per_panel(s);
    if (!in_memory(s, s->upbase, len))
        return false;
    return !(s->control & CTRL_DUAL) || in_memory(s, s->lpbase, len);
}

/* ---- interrupts ---------------------------------------------------------- */

static void update_irq(struct pl111 *s)
{
    irq_set(s->irq, (s->ris & s->imsc) != 0);
}

/* Brings RIS up to time t: sets the bits of the edges that fell in
 * (checked_ns, t]. RIS is then a function of the register history alone,
 * whenever it is looked at. */
static void catch_up(struct pl111 *s, uint64_t t)
{
    if (t <= s->checked_ns)
        return;
    uint64_t from = s->checked_ns;
    s->checked_ns = t;
    if (!enabled(s))
        return;
    struct frame_timing ft;
    frame_timing(s, &ft);
    uint32_t before = s->ris;
    if (next_edge(s, &ft, 0, from) <= t) {
        s->ris |= INT_LNBU;
        if (!frame_fetchable(s))
            s->ris |= INT_MBERROR;
    }
    if (next_edge(s, &ft, (uint64_t)vcomp_line(s, &ft) * ft.line_ticks, from) <= t)
        s->ris |= INT_VCOMP;
    if (s->ris != before)
        update_irq(s);
}

/* Schedules the edge event for the earliest interrupt that is unmasked,
 * not pending yet, and due to rise; none when nothing waits for one. */
static void reschedule(struct pl111 *s)
{
    uint64_t deadline = CLOCK_NEVER;
    uint32_t waiting = s->imsc & ~s->ris;
    if (enabled(s) && waiting) {
        struct frame_timing ft;
        frame_timing(s, &ft);
        if ((waiting & INT_LNBU) || ((waiting & INT_MBERROR) && !frame_fetchable(s)))
            deadline = next_edge(s, &ft, 0, s->checked_ns);
        if (waiting & INT_VCOMP) {
            uint64_t v = next_edge(s, &ft, (uint64_t)vcomp_line(s, &ft) * ft.line_ticks,
                                   s->checked_ns);
            if (v < deadline)
                deadline = v;
        }
    }
    if (deadline == CLOCK_NEVER) {
        clock_event_cancel(s->clock, &s->edge);
        return;
    }
    if (clock_event_schedule(s->clock, &s->edge, deadline) != 0)
        log_msg(s->log, LOG_DEV, "%s: event queue full, interrupt lost", s->path);
}

static void edge_fire(void *opaque, uint64_t now_ns)
{
    struct pl111 *s = opaque;
    catch_up(s, now_ns);
    reschedule(s);
}

/* ---- register access ----------------------------------------------------- */

/* The address being fetched now for a panel based at `base`: the start of
 * the current active line, else the base (TRM 3.3.11). */
static uint32_t current_address(const struct pl111 *s, uint32_t base)
{
    if (!enabled(s))
        return base;
    struct frame_timing ft;
    frame_timing(s, &ft);
    uint64_t t = now(s);
    uint64_t ticks = t > s->enabled_ns ? clock_ticks_at(t - s->enabled_ns, s->clcdclk_hz) : 0;
    uint64_t line = (ticks % ft.frame_ticks) / ft.line_ticks;
    uint64_t first = (uint64_t)ft.vsw + ft.vbp;
    if (line < first || line >= first + ft.lpp)
        return base;
    return (uint32_t)(base + (line - first) * line_bytes(s));
}

static uint32_t read_reg(struct pl111 *s, uint32_t off)
{
    switch (off) {
    case REG_TIMING0: case REG_TIMING1: case REG_TIMING2: case REG_TIMING3:
        return s->timing[off / 4];
    case REG_UPBASE: return s->upbase;
    case REG_LPBASE: return s->lpbase;
    case REG_CONTROL: return s->control;
    case REG_IMSC: return s->imsc;
    case REG_RIS:
        catch_up(s, now(s));
        return s->ris;
    case REG_MIS:
        catch_up(s, now(s));
        return s->ris & s->imsc;
    case REG_UPCURR: return current_address(s, s->upbase);
    case REG_LPCURR: return current_address(s, s->lpbase);
    case REG_CRSR_CTRL: return s->crsr_ctrl;
    case REG_CRSR_CONFIG: return s->crsr_config;
    case REG_CRSR_PALETTE0: return s->crsr_palette[0];
    case REG_CRSR_PALETTE1: return s->crsr_palette[1];
    case REG_CRSR_XY: return s->crsr_xy;
    case REG_CRSR_CLIP: return s->crsr_clip;
    case REG_CRSR_IMSC: return s->crsr_imsc;
    case REG_CRSR_RIS: case REG_CRSR_MIS: return 0;
    default:
        break;
    }
    if (off >= REG_PALETTE && off < REG_PALETTE + PALETTE_ENTRIES * 2) {
        unsigned i = (off - REG_PALETTE) / 2;
        return s->palette[i] | (uint32_t)s->palette[i + 1] << 16;
    }
    if (off >= REG_CURSOR_IMAGE && off < REG_CURSOR_IMAGE + CURSOR_IMAGE_WORDS * 4)
        return s->cursor_image[(off - REG_CURSOR_IMAGE) / 4];
    if (off >= REG_ID_FIRST && off < PL111_REGION_SIZE)
        return pl111_id[(off - REG_ID_FIRST) / 4];
    log_msg(s->log, LOG_DEV, "%s: read of unknown register 0x%03x", s->path, off);
    return 0;
}

static void write_control(struct pl111 *s, uint32_t value)
{
    uint64_t t = now(s);
    catch_up(s, t);       /* edges so far count with the old settings */
    bool was_enabled = enabled(s);
    s->control = value & CTRL_MASK;
    if (enabled(s) && !was_enabled)
        s->enabled_ns = t;
    reschedule(s);
}

static void write_reg(struct pl111 *s, uint32_t off, uint32_t value)
{
    switch (off) {
    case REG_TIMING0: case REG_TIMING1: case REG_TIMING2: case REG_TIMING3:
        catch_up(s, now(s));
        s->timing[off / 4] = value & timing_mask[off / 4];
        reschedule(s);
        return;
    case REG_UPBASE:
    case REG_LPBASE:
        /* Bits [2:0] are reserved: the buffer is word aligned (TRM 3.3.4). */
        catch_up(s, now(s));
        *(off == REG_UPBASE ? &s->upbase : &s->lpbase) = value & ~7u;
        reschedule(s);
        return;
    case REG_CONTROL:
        write_control(s, value);
        return;
    case REG_IMSC:
        catch_up(s, now(s));
        s->imsc = value & INT_ALL;
        update_irq(s);
        reschedule(s);
        return;
    case REG_ICR:
        catch_up(s, now(s));
        s->ris &= ~(value & INT_ALL);
        update_irq(s);
        reschedule(s);
        return;
    case REG_CRSR_CTRL: s->crsr_ctrl = value & 0x31u; return;
    case REG_CRSR_CONFIG: s->crsr_config = value & 3u; return;
    case REG_CRSR_PALETTE0: s->crsr_palette[0] = value & 0xFFFFFFu; return;
    case REG_CRSR_PALETTE1: s->crsr_palette[1] = value & 0xFFFFFFu; return;
    case REG_CRSR_XY: s->crsr_xy = value & 0x0FFF0FFFu; return;
    case REG_CRSR_CLIP: s->crsr_clip = value & 0x3F3Fu; return;
    case REG_CRSR_IMSC: s->crsr_imsc = value & 1u; return;
    case REG_CRSR_ICR: return;
    default:
        break;
    }
    if (off >= REG_PALETTE && off < REG_PALETTE + PALETTE_ENTRIES * 2) {
        unsigned i = (off - REG_PALETTE) / 2;
        s->palette[i] = (uint16_t)value;
        s->palette[i + 1] = (uint16_t)(value >> 16);
        return;
    }
    if (off >= REG_CURSOR_IMAGE && off < REG_CURSOR_IMAGE + CURSOR_IMAGE_WORDS * 4) {
        s->cursor_image[(off - REG_CURSOR_IMAGE) / 4] = value;
        return;
    }
    log_msg(s->log, LOG_DEV, "%s: write of 0x%x to %s register 0x%03x ignored", s->path,
            value, off == REG_RIS || off == REG_MIS || off == REG_UPCURR ||
            off == REG_LPCURR || off == REG_CRSR_RIS || off == REG_CRSR_MIS ||
            off >= REG_ID_FIRST ? "read-only" : "unknown", off);
}

/* AHB slave registers, 32 bits wide: byte and halfword reads return the
 * addressed part of the word; a narrow write at a word's offset writes the
 * zero-extended value; other partial writes are ignored and 64-bit
 * accesses are a bus error. */
static int pl111_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                      uint64_t *value)
{
    struct pl111 *s = opaque;
    int rc;
    *value = 0;
    if (!primecell_access_ok(s->log, s->path, PL111_REGION_SIZE, window, offset, size, false, false, &rc))
        return rc;
    *value = primecell_lane(read_reg(s, (uint32_t)offset & ~3u), offset, size);
    return BUS_OK;
}

static int pl111_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                       uint64_t value)
{
    struct pl111 *s = opaque;
    int rc;
    if (!primecell_access_ok(s->log, s->path, PL111_REGION_SIZE, window, offset, size, true, false, &rc))
        return rc;
    write_reg(s, (uint32_t)offset, primecell_write_value(value, size));
    return BUS_OK;
}

/* ---- the picture --------------------------------------------------------- */

/* XRGB8888 from three fields, the low one red unless BGR swaps it. */
static uint32_t compose(uint8_t low, uint8_t mid, uint8_t high, bool bgr)
{
    uint8_t r = bgr ? high : low, b = bgr ? low : high;
    return (uint32_t)r << 16 | (uint32_t)mid << 8 | b;
}

/* The palette as XRGB8888 (the entries' order in a word swapped by BEBO). */
static void palette_colours(const struct pl111 *s, uint32_t *out)
{
    bool bgr = (s->control & CTRL_BGR) != 0;
    bool grey = (s->control & CTRL_BW) && !(s->control & CTRL_TFT);
    unsigned swap = (s->control & CTRL_BEBO) ? 1u : 0u;
    for (unsigned i = 0; i < PALETTE_ENTRIES; i++) {
        uint16_t e = s->palette[i ^ swap];
        uint8_t low = frame_scale_channel(e & 0x1Fu, 5);
        uint8_t mid = frame_scale_channel((e >> 5) & 0x1Fu, 5);
        uint8_t high = frame_scale_channel((e >> 10) & 0x1Fu, 5);
        if (grey) {
            uint8_t g = frame_scale_channel((e >> 1) & 0xFu, 4);
            out[i] = (uint32_t)g << 16 | (uint32_t)g << 8 | g;
        } else {
            out[i] = compose(low, mid, high, bgr);
        }
    }
}

struct scales {
    uint8_t c4[16], c5[32], c6[64];
};

static void scales_init(struct scales *t)
{
    for (unsigned v = 0; v < 16; v++)
        t->c4[v] = frame_scale_channel(v, 4);
    for (unsigned v = 0; v < 32; v++)
        t->c5[v] = frame_scale_channel(v, 5);
    for (unsigned v = 0; v < 64; v++)
        t->c6[v] = frame_scale_channel(v, 6);
}

static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Pixel x of a line (a whole number of words at p) in a format of `bits`
 * bits: its field, in the order BEBO/BEPO select. */
static uint32_t pixel_field(const uint8_t *p, unsigned x, unsigned bits, uint32_t control)
{
    unsigned per_word = 32u / bits;
    uint32_t word = load_le32(p + (size_t)(x / per_word) * 4u);
    unsigned i = x % per_word;
    unsigned shift;
    if (control & CTRL_BEBO) {
        shift = 32u - (i + 1u) * bits;
    } else if ((control & CTRL_BEPO) && bits < 8) {
        unsigned per_byte = 8u / bits;
        shift = (i / per_byte) * 8u + (8u - (i % per_byte + 1u) * bits);
    } else {
        shift = i * bits;
    }
    return bits == 32 ? word : (word >> shift) & ((1u << bits) - 1u);
}

static void render_line(const struct pl111 *s, const uint8_t *p, uint32_t *out, unsigned width,
                        const uint32_t *palette, const struct scales *sc)
{
    unsigned mode = bpp_mode(s);
    bool bgr = (s->control & CTRL_BGR) != 0;
    unsigned bits = bits_per_pixel(mode);
    if (mode == BPP_24 && !(s->control & CTRL_BEBO)) {
        /* The common case, kept free of the general path's arithmetic. */
        for (unsigned x = 0; x < width; x++, p += 4)
            out[x] = compose(p[0], p[1], p[2], bgr);
        return;
    }
    for (unsigned x = 0; x < width; x++) {
        uint32_t v = pixel_field(p, x, bits, s->control);
        switch (mode) {
        case BPP_1: case BPP_2: case BPP_4: case BPP_8:
            out[x] = palette[v];
            break;
        case BPP_16_1555:
            out[x] = compose(sc->c5[v & 0x1Fu], sc->c5[(v >> 5) & 0x1Fu],
                             sc->c5[(v >> 10) & 0x1Fu], bgr);
            break;
        case BPP_16_565:
            out[x] = compose(sc->c5[v & 0x1Fu], sc->c6[(v >> 5) & 0x3Fu],
                             sc->c5[(v >> 11) & 0x1Fu], bgr);
            break;
        case BPP_12_444:
            out[x] = compose(sc->c4[v & 0xFu], sc->c4[(v >> 4) & 0xFu],
                             sc->c4[(v >> 8) & 0xFu], bgr);
            break;
        default:   /* BPP_24 with BEBO: the word's order does not change */
            out[x] = compose((uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), bgr);
            break;
        }
    }
}

static int pl111_render(void *opaque, struct frame *f, uint64_t now_ns)
{
    const struct pl111 *s = opaque;
    (void)now_ns;   /* nothing blinks */
    unsigned width = width_of(s);
    unsigned panel_lines = lines_per_panel(s);
    unsigned height = panel_lines * ((s->control & CTRL_DUAL) ? 2u : 1u);
    bool on = (s->control & (CTRL_EN | CTRL_PWR)) == (CTRL_EN | CTRL_PWR);
    if (!on && s->timing[0] == 0 && s->timing[1] == 0) {
        width = BLANK_WIDTH;   /* never programmed: a mode-less monitor */
        height = BLANK_HEIGHT;
    }
    if (frame_resize(f, width, height) != 0)
        return -1;
    if (!on) {
        memset(f->pixels, 0, (size_t)width * height * sizeof *f->pixels);
        return 0;
    }
    uint32_t palette[PALETTE_ENTRIES];
    struct scales sc;
    if (bpp_mode(s) <= BPP_8)
        palette_colours(s, palette);
    scales_init(&sc);
    uint64_t stride = line_bytes(s);
    for (unsigned y = 0; y < height; y++) {
        uint64_t base = y < panel_lines ? s->upbase : s->lpbase;
        uint64_t addr = base + (uint64_t)(y % panel_lines) * stride;
        bool rom;
        const uint8_t *p = s->bus ? bus_host_ptr(s->bus, addr, stride, &rom) : NULL;
        uint32_t *out = f->pixels + (size_t)y * width;
        if (!p)
            memset(out, 0, (size_t)width * sizeof *out);
        else
            render_line(s, p, out, width, palette, &sc);
    }
    return 1;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void pl111_reset(void *opaque)
{
    struct pl111 *s = opaque;
    /* TRM table 3-1: every register resets to zero; the palette and the
     * cursor image are RAMs whose contents reset leaves alone, cleared
     * here so a reset machine starts the same every time. */
    memset(s->timing, 0, sizeof s->timing);
    s->upbase = s->lpbase = s->control = s->imsc = s->ris = 0;
    memset(s->palette, 0, sizeof s->palette);
    memset(s->cursor_image, 0, sizeof s->cursor_image);
    s->crsr_ctrl = s->crsr_config = s->crsr_xy = s->crsr_clip = s->crsr_imsc = 0;
    s->crsr_palette[0] = s->crsr_palette[1] = 0;
    s->enabled_ns = s->checked_ns = s->clock ? s->clock->now_ns : 0;
    if (s->clock)
        clock_event_cancel(s->clock, &s->edge);
    update_irq(s);
}

/* CLCDCLK from the node's first `clocks` entry, when it points at a node
 * with `clock-frequency`. */
static uint32_t find_clock_hz(const void *fdt, int node)
{
    if (!fdt || node < 0)
        return PL111_DEFAULT_CLOCK_HZ;
    int len = 0;
    const fdt32_t *clocks = fdt_getprop(fdt, node, "clocks", &len);
    if (!clocks || len < 4)
        return PL111_DEFAULT_CLOCK_HZ;
    int clk = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(clocks[0]));
    if (clk < 0)
        return PL111_DEFAULT_CLOCK_HZ;
    const fdt32_t *freq = fdt_getprop(fdt, clk, "clock-frequency", &len);
    if (!freq || len < 4 || fdt32_to_cpu(*freq) == 0)
        return PL111_DEFAULT_CLOCK_HZ;
    return fdt32_to_cpu(*freq);
}

static int pl111_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 1)
        return orr_fail(err, "%s: pl111 needs a reg window", ctx->path);
    if (ctx->window_size[0] < PL111_REGION_SIZE)
        return orr_fail(err, "%s: pl111 reg window is 0x%llx bytes, needs 0x%x",
                        ctx->path, (unsigned long long)ctx->window_size[0],
                        PL111_REGION_SIZE);
    if (!ctx->clock)
        return orr_fail(err, "%s: pl111 needs the machine clock", ctx->path);
    struct pl111 *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(s->path, sizeof s->path, "%s", ctx->path ? ctx->path : "pl111");
    snprintf(s->event_name, sizeof s->event_name, "%s frame", s->path);
    s->log = ctx->log;
    s->irq = ctx->nirqs ? ctx->irqs[0] : NULL;
    s->clock = ctx->clock;
    s->bus = ctx->bus;
    s->clcdclk_hz = find_clock_hz(ctx->fdt, ctx->node);
    clock_event_init(&s->edge, s->event_name, edge_fire, s);
    pl111_reset(s);
    *dev = s;
    return 0;
}

static void pl111_destroy(void *opaque)
{
    struct pl111 *s = opaque;
    if (!s)
        return;
    clock_event_cancel(s->clock, &s->edge);
    free(s);
}

/* Section layout, version 1: LCDTiming0-3, LCDUPBASE, LCDLPBASE,
 * LCDControl, LCDIMSC, LCDRIS, the time LcdEn was set, the time RIS is
 * brought up to, the 256 palette entries, the cursor registers (control,
 * configuration, two palettes, position, clip, mask) and its 256 image
 * words, and the edge event's deadline (0 when not pending). */
static int pl111_save(void *opaque, struct state_writer *w)
{
    struct pl111 *s = opaque;
    for (unsigned i = 0; i < 4; i++)
        state_put_u32(w, s->timing[i]);
    state_put_u32(w, s->upbase);
    state_put_u32(w, s->lpbase);
    state_put_u32(w, s->control);
    state_put_u32(w, s->imsc);
    state_put_u32(w, s->ris);
    state_put_u64(w, s->enabled_ns);
    state_put_u64(w, s->checked_ns);
    for (unsigned i = 0; i < PALETTE_ENTRIES; i++)
        state_put_u16(w, s->palette[i]);
    state_put_u32(w, s->crsr_ctrl);
    state_put_u32(w, s->crsr_config);
    state_put_u32(w, s->crsr_palette[0]);
    state_put_u32(w, s->crsr_palette[1]);
    state_put_u32(w, s->crsr_xy);
    state_put_u32(w, s->crsr_clip);
    state_put_u32(w, s->crsr_imsc);
    for (unsigned i = 0; i < CURSOR_IMAGE_WORDS; i++)
        state_put_u32(w, s->cursor_image[i]);
    state_put_u64(w, clock_event_pending(&s->edge) ? s->edge.deadline : 0);
    return w->failed ? -1 : 0;
}

static int pl111_load(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct pl111 *s = opaque;
    uint32_t timing[4];
    for (unsigned i = 0; i < 4; i++)
        timing[i] = state_get_u32(r);
    uint32_t upbase = state_get_u32(r);
    uint32_t lpbase = state_get_u32(r);
    uint32_t control = state_get_u32(r);
    uint32_t imsc = state_get_u32(r);
    uint32_t ris = state_get_u32(r);
    uint64_t enabled_ns = state_get_u64(r);
    uint64_t checked_ns = state_get_u64(r);
    uint16_t palette[PALETTE_ENTRIES];
    for (unsigned i = 0; i < PALETTE_ENTRIES; i++)
        palette[i] = state_get_u16(r);
    uint32_t crsr[7];
    for (unsigned i = 0; i < 7; i++)
        crsr[i] = state_get_u32(r);
    uint32_t image[CURSOR_IMAGE_WORDS];
    for (unsigned i = 0; i < CURSOR_IMAGE_WORDS; i++)
        image[i] = state_get_u32(r);
    uint64_t deadline = state_get_u64(r);
    if (state_reader_check(r) != 0)
        return orr_fail(err, "%s: truncated or corrupt pl111 section", s->path);
    if (enabled_ns > checked_ns)
        return orr_fail(err, "%s: pl111 section has its frames start (%llu ns) after the "
                        "time its status was brought up to (%llu ns)", s->path,
                        (unsigned long long)enabled_ns, (unsigned long long)checked_ns);

    /* Everything read and checked: commit. */
    for (unsigned i = 0; i < 4; i++)
        s->timing[i] = timing[i] & timing_mask[i];
    s->upbase = upbase & ~7u;
    s->lpbase = lpbase & ~7u;
    s->control = control & CTRL_MASK;
    s->imsc = imsc & INT_ALL;
    s->ris = ris & INT_ALL;
    s->enabled_ns = enabled_ns;
    s->checked_ns = checked_ns;
    memcpy(s->palette, palette, sizeof palette);
    s->crsr_ctrl = crsr[0] & 0x31u;
    s->crsr_config = crsr[1] & 3u;
    s->crsr_palette[0] = crsr[2] & 0xFFFFFFu;
    s->crsr_palette[1] = crsr[3] & 0xFFFFFFu;
    s->crsr_xy = crsr[4] & 0x0FFF0FFFu;
    s->crsr_clip = crsr[5] & 0x3F3Fu;
    s->crsr_imsc = crsr[6] & 1u;
    memcpy(s->cursor_image, image, sizeof image);
    clock_event_cancel(s->clock, &s->edge);
    if (deadline && clock_event_schedule(s->clock, &s->edge, deadline) != 0)
        return orr_fail(err, "%s: event queue full", s->path);
    update_irq(s);
    return 0;
}

static const char *const pl111_compatible[] = { "arm,pl111", NULL };

const struct device_model pl111_model = {
    .name = "pl111",
    .compatible = pl111_compatible,
    .summary = "ARM PrimeCell colour LCD controller (PL111)",
    .state_version = 1,
    .create = pl111_create,
    .reset = pl111_reset,
    .read = pl111_read,
    .write = pl111_write,
    .save = pl111_save,
    .load = pl111_load,
    .destroy = pl111_destroy,
    .render = pl111_render,
};
