/* IBM VGA: the picture the CRT controller scans out of the four planes,
 * rendered into a frame (machine/display.h), after the IBM VGA Technical
 * Reference (Personal System/2 Hardware Interface Technical Reference,
 * "Video Subsystem": CRT controller, sequencer, graphics controller and
 * attribute controller registers).
 *
 * The scan follows the hardware: each displayed scan line (vertical
 * display end + 1 of them) has a memory address (MA) for its character
 * row and a row scan counter. The counter runs 0 to the maximum scan line
 * (CR09 bits 0-4), advancing every scan line, or every second one with
 * double scan (CR09 bit 7); when it wraps, MA moves on by twice the offset
 * register (CR13). The frame starts at the start address (CR0C/CR0D) and
 * line compare (CR18, CR07 bit 4, CR09 bit 6) restarts MA and the row scan
 * at 0 for the lines after the one it names (a split screen). Each character clock (CR01 + 1 per
 * line) reads the planes at MA + n turned into a plane offset by the
 * address mode: doubleword (CR14 bit 6, MA * 4), word (CR17 bit 6 clear,
 * MA * 2 with MA bit 13 or 15 in bit 0 by CR17 bit 5) or byte; CR17 bits 0
 * and 1 clear put row scan bits 0 and 1 into address bits 13 and 14 (the
 * CGA and Hercules banks). Count-by-2 and count-by-4 (CR17 bit 3, CR14 bit
 * 5) are not modelled.
 *
 * Frames:
 * - Text (GR06 bit 0 and AR10 bit 0 clear): every scan line and every dot,
 *   CR01 + 1 characters of 9 or 8 dots (SR01 bit 0) by vertical display
 *   end + 1 lines: 720x400 for mode 3 (80x25 of 16-line cells) and for
 *   80x50 of 8-line cells. A halved dot clock (SR01 bit 3, 40 columns)
 *   draws each dot twice, so 40x25 is 720x400 too. Character codes come
 *   from plane 0 and attributes from plane 1 at the character's address,
 *   the glyph row from plane 2 at the character map's base + 32 * code +
 *   row scan: SR03 selects map A for attribute bit 3 set and map B for it
 *   clear (maps 0-7 at 0, 16, 32, 48, 8, 24, 40, 56 KiB).
 * - Graphics, one pixel per frame pixel, one line per memory row (the
 *   scan lines a row repeats through double scan and the maximum scan line
 *   are not drawn twice, except the row scan bits CR17 bits 0-1 turn into
 *   address bits): 16 colours planar (640x480 for mode 12h, 640x350 for
 *   10h, 640x200 for 0Eh, 320x200 for 0Dh: eight pixels per character
 *   clock, bit 7 of each plane first, plane n giving colour bit n); the
 *   shift register's interleave (GR05 bit 5, CGA modes 4 and 5: four
 *   2-bit pixels from plane 0 then four from plane 1, planes 2 and 3 the
 *   high bits); 256 colours (GR05 bit 6, mode 13h: four pixels per
 *   character clock, one from each plane, 320x200).
 *
 * Colour: a 4-bit value is masked by the colour plane enable (AR12), looked
 * up in the palette (AR00-AR0F), bits 4-5 replaced by AR14 bits 0-1 when
 * AR10 bit 7 is set, bits 6-7 from AR14 bits 2-3, then the pixel mask and
 * the DAC (6 bits per channel, scaled to 8). A 256-colour pixel goes to
 * the DAC through the pixel mask only (the attribute palette is taken as
 * the identity mode 13h programs). Horizontal pel panning (AR13) shifts
 * every mode by its dots (9-dot text: 8 is none, 0-7 one to eight dots;
 * 256 colours: half the value); AR10 bit 5 cancels it below line compare.
 * The overscan border (AR11) is not drawn.
 *
 * Blinking follows guest time counted in vga.c's 70 Hz frames (mode 3's
 * frame rate, FRAME_NS): the cursor is shown for 8 frames and hidden for
 * 8, a 16-frame period (1/16 of the vertical frequency, 4.4 Hz); text
 * whose attribute bit 7 is set with AR10 bit 3 (blink) shows for 16
 * frames and is hidden for 16 (1/32, 2.2 Hz), its background then from
 * bits 4-6 only. Both are visible from time 0.
 *
 * The cursor (CR0A bit 5 clear) covers the character at CR0E/CR0F from
 * row scan CR0A bits 0-4 to CR0B bits 0-4 in the character's foreground
 * colour, no rows when the start is after the end; CR0B's skew is not
 * modelled. The underline fills row scan CR14 bits 0-4 of characters whose
 * attribute has foreground 1 and background 0 in bits 0-2 and 4-6 (the
 * monochrome underline; mode 3's CR14 puts it below the cell). The ninth
 * dot repeats the eighth for codes 0xC0-0xDF when AR10 bit 2 (line
 * graphics) is set, else shows the background; the cursor and the
 * underline cover all nine.
 *
 * The screen is blank (black, and render returns 0) while the sequencer
 * turns it off (SR01 bit 5), while the attribute controller's palette
 * address source (AR index bit 5) is clear, or while the CRTC is held in
 * reset (CR17 bit 7 clear: no sync). */
#include <stdint.h>
#include <string.h>

#include "machine/display.h"
#include "machine/devices/vga_internal.h"

enum shape { SHAPE_TEXT, SHAPE_PLANAR, SHAPE_INTERLEAVE, SHAPE_256 };

/* The picture's geometry, from the registers. */
struct scan {
    enum shape shape;
    unsigned clocks;          /* character clocks per line drawn */
    unsigned clock_width;     /* frame pixels per character clock */
    unsigned dot_width;       /* text: 8 or 9 dots per character */
    unsigned dot_repeat;      /* text: 2 when SR01 bit 3 halves the dot clock */
    unsigned lines;           /* scan lines displayed */
    unsigned line_repeat;     /* graphics: scan lines per frame line */
    unsigned width, height;   /* the frame */
};

static void geometry(const struct vga *s, struct scan *g)
{
    g->clocks = s->crtc[1] + 1u;
    g->lines = vga_vertical_display_end(s) + 1u;
    g->line_repeat = 1;
    g->dot_width = 8;
    g->dot_repeat = 1;
    if (vga_text_mode(s)) {
        g->shape = SHAPE_TEXT;
        g->dot_width = (s->seq[1] & 0x01) ? 8u : 9u;
        g->dot_repeat = (s->seq[1] & 0x08) ? 2u : 1u;
        g->clock_width = g->dot_width * g->dot_repeat;
    } else {
        if (s->gr[5] & 0x40) {
            g->shape = SHAPE_256;
            g->clock_width = 4;
        } else {
            g->shape = (s->gr[5] & 0x20) ? SHAPE_INTERLEAVE : SHAPE_PLANAR;
            g->clock_width = 8;
        }
        /* A memory row lasts max scan line + 1 row scans, each doubled by
         * double scan; rows told apart by the row scan bits that become
         * address bits (CR17 bits 0-1 clear) are drawn separately. */
        unsigned row_scans = (s->crtc[9] & 0x1fu) + 1u;
        unsigned banks = ((s->crtc[0x17] & 0x01) ? 1u : 2u) * ((s->crtc[0x17] & 0x02) ? 1u : 2u);
        unsigned distinct = banks < row_scans ? banks : row_scans;
        g->line_repeat = ((s->crtc[9] & 0x80) ? 2u : 1u) * (row_scans / distinct);
    }
    if (g->clocks * g->clock_width > FRAME_MAX_DIM)
        g->clocks = FRAME_MAX_DIM / g->clock_width;
    g->width = g->clocks * g->clock_width;
    g->height = (g->lines + g->line_repeat - 1) / g->line_repeat;
}

/* The CRTC's address modes: MA (a character clock's memory address
 * counter) and the row scan counter give a plane offset (CR14 bit 6,
 * CR17 bits 0, 1, 5 and 6). */
struct addressing {
    unsigned shift;           /* 2 doubleword, 1 word, 0 byte */
    unsigned wrap_bit;        /* word mode: MA bit moved to bit 0 (13 or 15) */
    uint32_t bank_mask;       /* address bits 13-14 taken from the row scan */
};

static void addressing_of(const struct vga *s, struct addressing *a)
{
    if (s->crtc[0x14] & 0x40)
        a->shift = 2;
    else
        a->shift = (s->crtc[0x17] & 0x40) ? 0u : 1u;
    a->wrap_bit = (s->crtc[0x17] & 0x20) ? 15u : 13u;
    a->bank_mask = ((s->crtc[0x17] & 0x01) ? 0u : 0x2000u) |
                   ((s->crtc[0x17] & 0x02) ? 0u : 0x4000u);
}

static uint32_t plane_offset(const struct addressing *a, uint32_t ma, unsigned row_scan)
{
    uint32_t off = ma << a->shift;
    if (a->shift == 1)
        off |= (ma >> a->wrap_bit) & 1u;
    off = (off & ~a->bank_mask) | (((uint32_t)row_scan << 13) & a->bank_mask);
    return off & (PLANE_SIZE - 1);
}

/* Everything a line needs besides its MA and row scan. */
struct render_ctx {
    const struct vga *s;
    struct scan g;
    struct addressing a;
    uint32_t colour16[16];    /* the 16 attribute colours, XRGB */
    uint32_t colour256[256];  /* DAC entries through the pixel mask */
    /* text */
    uint32_t font[2];         /* map B (attribute bit 3 clear), map A (set) */
    bool blink_attr;          /* AR10 bit 3: attribute bit 7 blinks */
    bool blink_shown;         /* blinking text in its visible phase */
    bool line_graphics;       /* AR10 bit 2 */
    bool cursor_shown;
    uint32_t cursor;          /* MA of the cursor */
    unsigned cursor_start, cursor_end, underline;
};

static uint32_t dac_colour(const struct vga *s, unsigned index)
{
    const uint8_t *e = s->dac[index & 0xffu];
    return (uint32_t)frame_scale_channel(e[0], 6) << 16 |
           (uint32_t)frame_scale_channel(e[1], 6) << 8 | frame_scale_channel(e[2], 6);
}

static void colours(struct render_ctx *c)
{
    const struct vga *s = c->s;
    for (unsigned i = 0; i < 256; i++)
        c->colour256[i] = dac_colour(s, i & s->dac_mask);
    for (unsigned i = 0; i < 16; i++) {
        unsigned p = s->ar[i & s->ar[0x12] & 0x0fu] & 0x3fu;
        if (s->ar[0x10] & 0x80)
            p = (p & 0x0fu) | ((s->ar[0x14] & 0x03u) << 4);
        p |= (s->ar[0x14] & 0x0cu) << 4;
        c->colour16[i] = c->colour256[p];
    }
}

/* Plane 2 offset of character map 0-7 (SR03). */
static uint32_t font_base(unsigned map)
{
    return (map & 3u) * 0x4000u + ((map >> 2) & 1u) * 0x2000u;
}

static void text_setup(struct render_ctx *c, uint64_t now_ns)
{
    const struct vga *s = c->s;
    uint8_t sr3 = s->seq[3];
    c->font[1] = font_base(((sr3 >> 2) & 3u) | ((sr3 >> 3) & 4u));
    c->font[0] = font_base((sr3 & 3u) | ((sr3 >> 2) & 4u));
    uint64_t frame = now_ns / FRAME_NS;
    c->blink_attr = (s->ar[0x10] & 0x08) != 0;
    c->blink_shown = (frame & 16u) == 0;
    c->line_graphics = (s->ar[0x10] & 0x04) != 0;
    c->cursor = (uint32_t)s->crtc[0x0e] << 8 | s->crtc[0x0f];
    c->cursor_start = s->crtc[0x0a] & 0x1fu;
    c->cursor_end = s->crtc[0x0b] & 0x1fu;
    c->cursor_shown = !(s->crtc[0x0a] & 0x20) && (frame & 8u) == 0;
    c->underline = s->crtc[0x14] & 0x1fu;
}

static void text_line(const struct render_ctx *c, uint32_t *dst, unsigned clocks, uint32_t ma,
                      unsigned row_scan)
{
    const struct vga *s = c->s;
    bool cursor_row = c->cursor_shown && row_scan >= c->cursor_start &&
                      row_scan <= c->cursor_end;
    bool underline_row = row_scan == c->underline;
    unsigned dots = c->g.dot_width, rep = c->g.dot_repeat;
    for (unsigned n = 0; n < clocks; n++, ma++) {
        uint32_t off = plane_offset(&c->a, ma & 0xffffu, row_scan);
        unsigned code = s->plane[0][off], attr = s->plane[1][off];
        unsigned fg = attr & 0x0fu, bg = attr >> 4;
        unsigned bits = s->plane[2][(c->font[(attr >> 3) & 1u] + code * 32u + row_scan) &
                                    (PLANE_SIZE - 1)];
        unsigned ninth = (c->line_graphics && (code & 0xe0u) == 0xc0u) ? bits & 1u : 0u;
        if (underline_row && (attr & 0x77u) == 0x01u)
            bits = ninth = 0xff;
        if (c->blink_attr) {
            bg &= 7u;
            if ((attr & 0x80u) && !c->blink_shown)
                bits = ninth = 0;
        }
        if (cursor_row && (ma & 0xffffu) == c->cursor)
            bits = ninth = 0xff;
        uint32_t fgc = c->colour16[fg], bgc = c->colour16[bg];
        if (rep == 1) {
            for (unsigned i = 0; i < 8; i++)
                dst[i] = (bits & (0x80u >> i)) ? fgc : bgc;
            if (dots == 9)
                dst[8] = ninth ? fgc : bgc;
            dst += dots;
        } else {
            for (unsigned i = 0; i < 8; i++)
                dst[2 * i] = dst[2 * i + 1] = (bits & (0x80u >> i)) ? fgc : bgc;
            if (dots == 9)
                dst[16] = dst[17] = ninth ? fgc : bgc;
            dst += dots * 2;
        }
    }
}

/* spread[b]: byte b's bits, most significant first, one per nibble from
 * the top nibble down, so four planes combine into eight 4-bit pixels. */
static void make_spread(uint32_t spread[256])
{
    for (unsigned b = 0; b < 256; b++) {
        uint32_t v = 0;
        for (unsigned k = 0; k < 8; k++)
            v |= ((b >> k) & 1u) << (4 * k);
        spread[b] = v;
    }
}

static void planar_line(const struct render_ctx *c, const uint32_t spread[256], uint32_t *dst,
                        unsigned clocks, uint32_t ma, unsigned row_scan)
{
    const uint8_t(*p)[PLANE_SIZE] = c->s->plane;
    for (unsigned n = 0; n < clocks; n++, ma++) {
        uint32_t off = plane_offset(&c->a, ma & 0xffffu, row_scan);
        uint32_t v = spread[p[0][off]] | spread[p[1][off]] << 1 | spread[p[2][off]] << 2 |
                     spread[p[3][off]] << 3;
        for (unsigned i = 0; i < 8; i++)
            dst[i] = c->colour16[(v >> (28 - 4 * i)) & 0x0fu];
        dst += 8;
    }
}

static void interleave_line(const struct render_ctx *c, uint32_t *dst, unsigned clocks,
                            uint32_t ma, unsigned row_scan)
{
    const uint8_t(*p)[PLANE_SIZE] = c->s->plane;
    for (unsigned n = 0; n < clocks; n++, ma++) {
        uint32_t off = plane_offset(&c->a, ma & 0xffffu, row_scan);
        for (unsigned half = 0; half < 2; half++) {
            unsigned lo = p[half][off], hi = p[2 + half][off];
            for (unsigned j = 0; j < 4; j++) {
                unsigned sh = 6 - 2 * j;
                dst[4 * half + j] = c->colour16[((lo >> sh) & 3u) | ((hi >> sh) & 3u) << 2];
            }
        }
        dst += 8;
    }
}

static void colour256_line(const struct render_ctx *c, uint32_t *dst, unsigned clocks,
                           uint32_t ma, unsigned row_scan)
{
    const uint8_t(*p)[PLANE_SIZE] = c->s->plane;
    for (unsigned n = 0; n < clocks; n++, ma++) {
        uint32_t off = plane_offset(&c->a, ma & 0xffffu, row_scan);
        for (unsigned k = 0; k < 4; k++)
            dst[k] = c->colour256[p[k][off]];
        dst += 4;
    }
}

/* AR13's shift in frame pixels. */
static unsigned pel_pan(const struct render_ctx *c)
{
    unsigned v = c->s->ar[0x13] & 0x0fu;
    switch (c->g.shape) {
    case SHAPE_TEXT:
        if (c->g.dot_width == 9)
            return (v >= 8 ? 0u : v + 1u) * c->g.dot_repeat;
        return (v & 7u) * c->g.dot_repeat;
    case SHAPE_256:
        return (v & 7u) >> 1;
    default:
        return v & 7u;
    }
}

static void render_line(const struct render_ctx *c, const uint32_t spread[256], uint32_t *dst,
                        unsigned clocks, uint32_t ma, unsigned row_scan)
{
    switch (c->g.shape) {
    case SHAPE_TEXT: text_line(c, dst, clocks, ma, row_scan); break;
    case SHAPE_PLANAR: planar_line(c, spread, dst, clocks, ma, row_scan); break;
    case SHAPE_INTERLEAVE: interleave_line(c, dst, clocks, ma, row_scan); break;
    case SHAPE_256: colour256_line(c, dst, clocks, ma, row_scan); break;
    }
}

static bool screen_blank(const struct vga *s)
{
    return (s->seq[1] & 0x20) || !(s->ar_index & 0x20) || !(s->crtc[0x17] & 0x80);
}

int vga_render(void *dev, struct frame *f, uint64_t now_ns)
{
    const struct vga *s = dev;
    struct render_ctx c = { .s = s };
    geometry(s, &c.g);
    if (frame_resize(f, c.g.width, c.g.height))
        return -1;
    if (screen_blank(s)) {
        memset(f->pixels, 0, (size_t)f->width * f->height * sizeof *f->pixels);
        return 0;
    }
    addressing_of(s, &c.a);
    colours(&c);
    if (c.g.shape == SHAPE_TEXT)
        text_setup(&c, now_ns);
    uint32_t spread[256];
    if (c.g.shape == SHAPE_PLANAR)
        make_spread(spread);

    unsigned max_scan = s->crtc[9] & 0x1fu;
    bool double_scan = (s->crtc[9] & 0x80) != 0;
    unsigned line_compare = s->crtc[0x18] | ((s->crtc[7] & 0x10u) << 4) |
                            ((s->crtc[9] & 0x40u) << 3);
    unsigned pan = pel_pan(&c);
    uint32_t ma_row = (uint32_t)s->crtc[0x0c] << 8 | s->crtc[0x0d];
    unsigned row_scan = 0;
    bool second_scan = false;   /* the repeat of a double-scanned line */
    /* Panning draws one more character clock and shows it from `pan`. */
    uint32_t panned[FRAME_MAX_DIM + 32];

    for (unsigned y = 0; y < c.g.lines; y++) {
        if (y % c.g.line_repeat == 0) {
            uint32_t *row = f->pixels + (size_t)(y / c.g.line_repeat) * f->width;
            if (pan == 0) {
                render_line(&c, spread, row, c.g.clocks, ma_row, row_scan);
            } else {
                render_line(&c, spread, panned, c.g.clocks + 1, ma_row, row_scan);
                memcpy(row, panned + pan, (size_t)f->width * sizeof *row);
            }
        }
        if (y == line_compare) {
            /* The lines after this one start at address 0. */
            ma_row = 0;
            row_scan = 0;
            second_scan = false;
            if (s->ar[0x10] & 0x20)
                pan = 0;
            continue;
        }
        if (double_scan && !second_scan) {
            second_scan = true;
            continue;
        }
        second_scan = false;
        if (row_scan == max_scan) {
            row_scan = 0;
            ma_row = (ma_row + 2u * s->crtc[0x13]) & 0xffffu;
        } else {
            row_scan++;
        }
    }
    return 1;
}
