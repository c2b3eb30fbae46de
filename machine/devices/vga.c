/* IBM VGA: registers, the four memory planes and text-mode extraction,
 * after the IBM VGA Technical Reference (Personal System/2 Hardware
 * Interface Technical Reference, "Video Subsystem") and the register
 * values its BIOS programs for mode 3.
 *
 * Windows: 0 = memory 0xA0000-0xBFFFF (128 KiB), 1 = ports 0x3C0-0x3DF.
 * The monochrome CRTC and status ports (0x3B4/0x3B5/0x3BA) lie outside
 * window 1: with the miscellaneous output register's I/O address select
 * at 0 (mono), the colour ones (0x3D4/0x3D5/0x3DA) float (read 0xFF,
 * writes ignored) and the mono ones are not decoded at all.
 *
 * Memory. The 256 KiB are kept as the hardware does, four 64 KiB planes,
 * and a CPU access goes through the sequencer's and graphics controller's
 * addressing: chain 4 (mode 13h) picks the plane from address bits 0-1;
 * odd/even (text modes) picks plane 0 or 1 from bit 0, so characters land
 * in plane 0 and attributes in plane 1 at the same even offset; else
 * the map mask selects planes. Writes go through write modes 0-3 (rotate,
 * set/reset, logical operation, bit mask, latches) and reads through read
 * modes 0 and 1 (colour compare), so planar modes (640x480x16) work; the
 * frame renderer (vga_render.c) reads the planes and registers as the
 * CRT controller would.
 *
 * Display. Input status 1 follows the clock: a 70 Hz frame of 449 lines
 * (mode 3's vertical total), each line active for its first 4/5 (720 of
 * 900 dots); display-enable (bit 0, "not in active display") and vertical
 * retrace (bit 3) come from the frame time of the access (clock_now), with
 * the active line count and the retrace start and end taken from the CRTC.
 * Nothing is scheduled or polled.
 *
 * Power-on: mode 3 as the BIOS leaves it (80x25 colour text at 0xB8000,
 * 16-line characters, cursor lines 13-14 at 0,0), the screen blank
 * (spaces, attribute 0x07), the DAC with the BIOS's 64-colour EGA palette
 * in entries 0-63, and the font a VGA BIOS loads at mode set in plane 2:
 * this machine has no VGA BIOS, so reset loads the bundled 8x16 code page
 * 437 font (vga_font.c) there, 32 bytes per character from offset 0
 * (character map 0, which SR03 = 0 selects for both maps). A guest that
 * loads its own font (Linux's setfont, a DOS program) overwrites it. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/clock.h"
#include "cpu/log.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/devices/vga.h"
#include "machine/devices/vga_internal.h"
#include "machine/state.h"

#define VGA_MEM_SIZE 0x20000u
#define VGA_IO_SIZE 0x20u
/* Input status 1's line timing within the 70 Hz frame (vga_internal.h). */
#define LINE_NS (FRAME_NS / FRAME_LINES)
#define LINE_ACTIVE_NS (LINE_NS * 4u / 5u)

/* Port offsets in window 1 (port - 0x3C0). */
enum {
    P_AR_INDEX = 0x00, P_AR_DATA = 0x01, P_MISC_W = 0x02, P_ENABLE = 0x03,
    P_SEQ_INDEX = 0x04, P_SEQ_DATA = 0x05, P_DAC_MASK = 0x06, P_DAC_RINDEX = 0x07,
    P_DAC_WINDEX = 0x08, P_DAC_DATA = 0x09, P_FEATURE_R = 0x0A, P_MISC_R = 0x0C,
    P_GR_INDEX = 0x0E, P_GR_DATA = 0x0F, P_CRTC_INDEX = 0x14, P_CRTC_DATA = 0x15,
    P_STATUS1 = 0x1A,
};

/* Mode 3 as the BIOS programs it (IBM VGA BIOS parameter table). */
static const uint8_t mode3_seq[NSEQ] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
static const uint8_t mode3_crtc[NCRTC] = {
    0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00,
    0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
};
static const uint8_t mode3_gr[NGR] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff };
static const uint8_t mode3_ar[NAR] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d,
    0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00,
};
#define MODE3_MISC 0x67u

/* ---- memory ------------------------------------------------------------- */

/* Where the memory map select (GR6 bits 2-3) puts the aperture in the
 * 128 KiB window: offset of its start and its size. */
static bool aperture(const struct vga *s, uint32_t offset, uint32_t *addr)
{
    static const uint32_t start[4] = { 0x00000, 0x00000, 0x10000, 0x18000 };
    static const uint32_t size[4] = { 0x20000, 0x10000, 0x08000, 0x08000 };
    unsigned map = (s->gr[6] >> 2) & 3u;
    if (offset < start[map] || offset - start[map] >= size[map])
        return false;
    *addr = offset - start[map];
    return true;
}

static bool chain4(const struct vga *s) { return (s->seq[4] & 0x08) != 0; }
static bool odd_even(const struct vga *s) { return !(s->seq[4] & 0x04); }

/* Plane offset of a CPU address in odd/even mode: bit 0 picks the plane
 * and the offset is the even address. The miscellaneous output register's
 * page bit (bit 5, set in mode 3) is not applied: the CRTC's word-mode
 * fetch reads even offsets for a start address of 0, so a set page bit
 * would hide the text, and mode 3 software expects to see it. */
static uint32_t odd_even_offset(uint32_t addr)
{
    return addr & ~1u & (PLANE_SIZE - 1);
}

static uint8_t mem_read(struct vga *s, uint32_t addr)
{
    uint32_t off;
    unsigned plane;
    if (chain4(s)) {
        plane = addr & 3u;
        off = addr & (PLANE_SIZE - 1) & ~3u;
    } else if (odd_even(s)) {
        plane = (addr & 1u) | (s->gr[4] & 2u);
        off = odd_even_offset(addr);
    } else {
        plane = s->gr[4] & 3u;
        off = addr & (PLANE_SIZE - 1);
    }
    for (unsigned p = 0; p < 4; p++)
        s->latch[p] = s->plane[p][off];
    if (!(s->gr[5] & 0x08))
        return s->latch[plane];
    /* Read mode 1: colour compare against GR2 over the planes GR7 cares
     * about; a 1 where every such plane matches. */
    uint8_t diff = 0;
    for (unsigned p = 0; p < 4; p++)
        if (s->gr[7] & (1u << p))
            diff |= s->latch[p] ^ ((s->gr[2] >> p) & 1u ? 0xff : 0x00);
    return (uint8_t)~diff;
}

static uint8_t alu(const struct vga *s, uint8_t v, uint8_t latch)
{
    switch ((s->gr[3] >> 3) & 3u) {
    case 1: return v & latch;
    case 2: return v | latch;
    case 3: return v ^ latch;
    default: return v;
    }
}

static void mem_write(struct vga *s, uint32_t addr, uint8_t v)
{
    uint32_t off;
    uint8_t planes = s->seq[2] & 0x0fu;   /* map mask */
    if (chain4(s)) {
        planes &= (uint8_t)(1u << (addr & 3u));
        off = addr & (PLANE_SIZE - 1) & ~3u;
    } else if (odd_even(s)) {
        planes &= (addr & 1u) ? 0x0au : 0x05u;
        off = odd_even_offset(addr);
    } else {
        off = addr & (PLANE_SIZE - 1);
    }
    unsigned rot = s->gr[3] & 7u;
    uint8_t r = (uint8_t)((v >> rot) | (v << ((8 - rot) & 7u)));
    uint8_t mask = s->gr[8];
    for (unsigned p = 0; p < 4; p++) {
        if (!(planes & (1u << p)))
            continue;
        uint8_t sr = (s->gr[0] >> p) & 1u ? 0xff : 0x00;
        uint8_t d, m = mask;
        switch (s->gr[5] & 3u) {
        case 0:
            d = alu(s, (s->gr[1] >> p) & 1u ? sr : r, s->latch[p]);
            break;
        case 1:
            d = s->latch[p];
            m = 0xff;
            break;
        case 2:
            d = alu(s, (v >> p) & 1u ? 0xff : 0x00, s->latch[p]);
            break;
        default:
            d = alu(s, sr, s->latch[p]);
            m = mask & r;
            break;
        }
        s->plane[p][off] = (uint8_t)((d & m) | (s->latch[p] & ~m));
    }
}

uint8_t vga_plane_byte(void *dev, unsigned plane, uint32_t offset)
{
    const struct vga *s = dev;
    return s->plane[plane & 3u][offset & (PLANE_SIZE - 1)];
}

/* ---- input status 1 ----------------------------------------------------- */

static uint8_t status1(const struct vga *s)
{
    uint64_t t = clock_now(s->clock) % FRAME_NS;
    uint64_t line = t / LINE_NS, pos = t % LINE_NS;
    unsigned active = vga_vertical_display_end(s) + 1;
    unsigned vrs = s->crtc[0x10] | ((s->crtc[7] & 0x04u) << 6) | ((s->crtc[7] & 0x80u) << 2);
    /* Retrace ends when the line counter's low four bits equal CR11's. */
    unsigned vre = (vrs & ~0x0fu) | (s->crtc[0x11] & 0x0fu);
    if (vre <= vrs)
        vre += 16;
    uint8_t v = 0;
    if (line >= active || pos >= LINE_ACTIVE_NS)
        v |= 0x01;
    if (line >= vrs && line < vre)
        v |= 0x08;
    return v;
}

/* ---- registers ---------------------------------------------------------- */

static bool colour_ports(const struct vga *s)
{
    return (s->misc & 1u) != 0;
}

static void crtc_write(struct vga *s, uint8_t v)
{
    unsigned i = s->crtc_index;
    if (i >= NCRTC)
        return;
    /* CR11 bit 7 protects CR00-CR07, all but CR07's line compare bit 8. */
    if ((s->crtc[0x11] & 0x80) && i <= 7) {
        if (i == 7)
            s->crtc[7] = (uint8_t)((s->crtc[7] & ~0x10u) | (v & 0x10u));
        return;
    }
    s->crtc[i] = v;
}

static uint8_t io_read(struct vga *s, unsigned port)
{
    switch (port) {
    case P_AR_INDEX: return s->ar_index;
    case P_AR_DATA: return (s->ar_index & 0x1f) < NAR ? s->ar[s->ar_index & 0x1f] : 0;
    case P_MISC_W: return 0x10;   /* input status 0: switch sense, no CRT interrupt */
    case P_ENABLE: return s->enable;
    case P_SEQ_INDEX: return s->seq_index;
    case P_SEQ_DATA: return s->seq_index < NSEQ ? s->seq[s->seq_index] : 0;
    case P_DAC_MASK: return s->dac_mask;
    case P_DAC_RINDEX: return s->dac_reading ? 0x03 : 0x00;   /* DAC state */
    case P_DAC_WINDEX: return s->dac_windex;
    case P_DAC_DATA: {
        uint8_t v = s->dac[s->dac_rindex][s->dac_component];
        if (++s->dac_component == 3) {
            s->dac_component = 0;
            s->dac_rindex++;
        }
        return v;
    }
    case P_FEATURE_R: return s->feature;
    case P_MISC_R: return s->misc;
    case P_GR_INDEX: return s->gr_index;
    case P_GR_DATA: return s->gr_index < NGR ? s->gr[s->gr_index] : 0;
    case P_CRTC_INDEX:
        return colour_ports(s) ? s->crtc_index : 0xff;
    case P_CRTC_DATA:
        if (!colour_ports(s))
            return 0xff;
        return s->crtc_index < NCRTC ? s->crtc[s->crtc_index] : 0;
    case P_STATUS1:
        if (!colour_ports(s))
            return 0xff;
        s->ar_data_next = false;   /* reading status 1 resets the flip-flop */
        return status1(s);
    default:
        return 0xff;
    }
}

static void io_write(struct vga *s, unsigned port, uint8_t v)
{
    switch (port) {
    case P_AR_INDEX:
        if (!s->ar_data_next)
            s->ar_index = v & 0x3f;
        else if ((s->ar_index & 0x1f) < NAR)
            s->ar[s->ar_index & 0x1f] = v;
        s->ar_data_next = !s->ar_data_next;
        return;
    case P_MISC_W: s->misc = v; return;
    case P_ENABLE: s->enable = v & 1u; return;
    case P_SEQ_INDEX: s->seq_index = v & 7u; return;
    case P_SEQ_DATA:
        if (s->seq_index < NSEQ)
            s->seq[s->seq_index] = v;
        return;
    case P_DAC_MASK: s->dac_mask = v; return;
    case P_DAC_RINDEX:
        s->dac_rindex = v;
        s->dac_component = 0;
        s->dac_reading = true;
        return;
    case P_DAC_WINDEX:
        s->dac_windex = v;
        s->dac_component = 0;
        s->dac_reading = false;
        return;
    case P_DAC_DATA:
        s->dac[s->dac_windex][s->dac_component] = v & 0x3f;
        if (++s->dac_component == 3) {
            s->dac_component = 0;
            s->dac_windex++;
        }
        return;
    case P_GR_INDEX: s->gr_index = v & 0x0f; return;
    case P_GR_DATA:
        if (s->gr_index < NGR)
            s->gr[s->gr_index] = v;
        return;
    case P_CRTC_INDEX:
        if (colour_ports(s))
            s->crtc_index = v & 0x1f;
        return;
    case P_CRTC_DATA:
        if (colour_ports(s))
            crtc_write(s, v);
        return;
    case P_STATUS1:
        if (colour_ports(s))
            s->feature = v;   /* feature control (write) */
        return;
    default:
        return;
    }
}

/* Accesses wider than a byte are split into bytes, lowest address first
 * (as the ISA bus does for an 8-bit device). */
static int vga_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                    uint64_t *value)
{
    struct vga *s = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size && i < 8; i++) {
        uint64_t off = offset + i;
        uint8_t b = 0xff;
        uint32_t addr;
        if (window == 0 && off < VGA_MEM_SIZE) {
            if (aperture(s, (uint32_t)off, &addr))
                b = mem_read(s, addr);
        } else if (window == 1 && off < VGA_IO_SIZE) {
            b = io_read(s, (unsigned)off);
        }
        v |= (uint64_t)b << (8 * i);
    }
    *value = v;
    return BUS_OK;
}

static int vga_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                     uint64_t value)
{
    struct vga *s = opaque;
    for (unsigned i = 0; i < size && i < 8; i++) {
        uint64_t off = offset + i;
        uint8_t b = (uint8_t)(value >> (8 * i));
        uint32_t addr;
        if (window == 0 && off < VGA_MEM_SIZE) {
            if (aperture(s, (uint32_t)off, &addr))
                mem_write(s, addr, b);
        } else if (window == 1 && off < VGA_IO_SIZE) {
            io_write(s, (unsigned)off, b);
        }
    }
    return BUS_OK;
}

/* ---- text extraction ---------------------------------------------------- */

/* Code page 437 in Unicode; 0x00 and 0xFF (NBSP) show as a space. */
static const uint16_t cp437[256] = {
    0x0020, 0x263a, 0x263b, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022,
    0x25d8, 0x25cb, 0x25d9, 0x2642, 0x2640, 0x266a, 0x266b, 0x263c,
    0x25ba, 0x25c4, 0x2195, 0x203c, 0x00b6, 0x00a7, 0x25ac, 0x21a8,
    0x2191, 0x2193, 0x2192, 0x2190, 0x221f, 0x2194, 0x25b2, 0x25bc,
    0x0020, 0x0021, 0x0022, 0x0023, 0x0024, 0x0025, 0x0026, 0x0027,
    0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f,
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,
    0x0038, 0x0039, 0x003a, 0x003b, 0x003c, 0x003d, 0x003e, 0x003f,
    0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
    0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f,
    0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,
    0x0058, 0x0059, 0x005a, 0x005b, 0x005c, 0x005d, 0x005e, 0x005f,
    0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,
    0x0068, 0x0069, 0x006a, 0x006b, 0x006c, 0x006d, 0x006e, 0x006f,
    0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
    0x0078, 0x0079, 0x007a, 0x007b, 0x007c, 0x007d, 0x007e, 0x2302,
    0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7,
    0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
    0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
    0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192,
    0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba,
    0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
    0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510,
    0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
    0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567,
    0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b,
    0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
    0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4,
    0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
    0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248,
    0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x0020,
};

/* Appends a byte, keeping count of the whole length. */
struct text_out {
    char *buf;
    size_t len, pos;
};

static void out_byte(struct text_out *o, char c)
{
    if (o->pos + 1 < o->len)
        o->buf[o->pos] = c;
    o->pos++;
}

static void out_utf8(struct text_out *o, uint16_t cp)
{
    if (cp < 0x80) {
        out_byte(o, (char)cp);
    } else if (cp < 0x800) {
        out_byte(o, (char)(0xc0 | (cp >> 6)));
        out_byte(o, (char)(0x80 | (cp & 0x3f)));
    } else {
        out_byte(o, (char)(0xe0 | (cp >> 12)));
        out_byte(o, (char)(0x80 | ((cp >> 6) & 0x3f)));
        out_byte(o, (char)(0x80 | (cp & 0x3f)));
    }
}

/* The text geometry from the CRTC: columns from the horizontal display
 * end (CR01 + 1), rows from the vertical display end over the character
 * height (CR09 bits 0-4, doubled by CR09 bit 7's double scan), the row
 * pitch from the offset register (CR13, in words), the start address from
 * CR0C/CR0D. Character k of the screen is at plane offset 2 * (start + k):
 * text modes address the planes in word mode. */
static size_t vga_text_screen(void *dev, char *buf, size_t len)
{
    const struct vga *s = dev;
    if (!vga_text_mode(s))
        return 0;
    unsigned cols = s->crtc[1] + 1u;
    unsigned height = ((s->crtc[9] & 0x1fu) + 1u) * ((s->crtc[9] & 0x80u) ? 2u : 1u);
    unsigned rows = (vga_vertical_display_end(s) + 1u) / height;
    unsigned pitch = s->crtc[0x13] * 2u;
    uint32_t start = (uint32_t)s->crtc[0x0c] << 8 | s->crtc[0x0d];
    if (cols > 132)
        cols = 132;
    if (rows > 100)
        rows = 100;
    struct text_out o = { buf, len, 0 };
    for (unsigned row = 0; row < rows; row++) {
        unsigned last = 0;   /* columns up to the last non-blank */
        uint16_t line[132];
        for (unsigned col = 0; col < cols; col++) {
            uint32_t off = ((start + row * pitch + col) * 2u) & (PLANE_SIZE - 1);
            line[col] = cp437[s->plane[0][off]];
            if (line[col] != 0x20)
                last = col + 1;
        }
        for (unsigned col = 0; col < last; col++)
            out_utf8(&o, line[col]);
        out_byte(&o, '\n');
    }
    if (len)
        buf[o.pos < len ? o.pos : len - 1] = '\0';
    return o.pos;
}

/* ---- the renderer's view (vga.h) ---------------------------------------- */

void vga_display_info(void *dev, struct vga_display *out)
{
    const struct vga *s = dev;
    memset(out, 0, sizeof *out);
    out->text = vga_text_mode(s);
    out->dots_per_char = (s->seq[1] & 0x01) ? 8 : 9;
    out->cols = s->crtc[1] + 1u;
    out->char_height = ((s->crtc[9] & 0x1fu) + 1u) * ((s->crtc[9] & 0x80u) ? 2u : 1u);
    out->height = vga_vertical_display_end(s) + 1u;
    out->rows = out->height / out->char_height;
    out->width = out->cols * (out->text ? out->dots_per_char : 8u);
    out->start = (uint32_t)s->crtc[0x0c] << 8 | s->crtc[0x0d];
    out->offset = s->crtc[0x13];
    out->dword_mode = (s->crtc[0x14] & 0x40) != 0;
    out->byte_mode = (s->crtc[0x17] & 0x40) != 0;
    out->chain4 = chain4(s);
    uint32_t cursor = (uint32_t)s->crtc[0x0e] << 8 | s->crtc[0x0f];
    out->cursor_start = s->crtc[0x0a] & 0x1fu;
    out->cursor_end = s->crtc[0x0b] & 0x1fu;
    unsigned pitch = out->offset * 2u;
    if (out->text && pitch && cursor >= out->start) {
        uint32_t rel = cursor - out->start;
        out->cursor_row = rel / pitch;
        out->cursor_col = rel % pitch;
        out->cursor_on = !(s->crtc[0x0a] & 0x20) && out->cursor_row < out->rows &&
                         out->cursor_col < out->cols;
    }
    out->blink = (s->ar[0x10] & 0x08) != 0;
    /* The attribute controller's colour path: palette bits 0-3, bits 4-5
     * from the palette or AR14 bits 0-1 (AR10 bit 7), bits 6-7 from AR14
     * bits 2-3, then the DAC's pixel mask. */
    for (unsigned i = 0; i < 16; i++) {
        uint8_t p = s->ar[i] & 0x3fu;
        if (s->ar[0x10] & 0x80)
            p = (uint8_t)((p & 0x0fu) | ((s->ar[0x14] & 0x03u) << 4));
        p = (uint8_t)(p | ((s->ar[0x14] & 0x0cu) << 4));
        out->palette[i] = p & s->dac_mask;
    }
    memcpy(out->dac, s->dac, sizeof out->dac);
}

/* ---- lifecycle ---------------------------------------------------------- */

static void vga_reset(void *opaque)
{
    struct vga *s = opaque;
    memset(s->plane, 0, sizeof s->plane);
    /* A blank screen: spaces (plane 0) with attribute 0x07 (plane 1). */
    for (uint32_t off = 0; off < PLANE_SIZE; off += 2) {
        s->plane[0][off] = 0x20;
        s->plane[1][off] = 0x07;
    }
    for (unsigned ch = 0; ch < 256; ch++)
        memcpy(&s->plane[2][ch * 32u], vga_font_8x16[ch], 16);
    memset(s->latch, 0, sizeof s->latch);
    s->misc = MODE3_MISC;
    s->feature = 0;
    s->enable = 1;
    s->seq_index = s->crtc_index = s->gr_index = s->ar_index = 0;
    memset(s->seq, 0, sizeof s->seq);
    memset(s->crtc, 0, sizeof s->crtc);
    memset(s->gr, 0, sizeof s->gr);
    memset(s->ar, 0, sizeof s->ar);
    memcpy(s->seq, mode3_seq, sizeof mode3_seq);
    memcpy(s->crtc, mode3_crtc, sizeof mode3_crtc);
    memcpy(s->gr, mode3_gr, sizeof mode3_gr);
    memcpy(s->ar, mode3_ar, sizeof mode3_ar);
    /* The BIOS leaves the palette enabled: index with PAS set. */
    s->ar_index = 0x20;
    s->ar_data_next = false;
    /* DAC entries 0-63: the EGA colours rgbRGB (secondary low, primary
     * high), 6-bit levels 0x00/0x15/0x2A/0x3F; the rest black. */
    memset(s->dac, 0, sizeof s->dac);
    for (unsigned i = 0; i < 64; i++) {
        s->dac[i][0] = (uint8_t)(((i >> 2) & 1u) * 0x2a + ((i >> 5) & 1u) * 0x15);
        s->dac[i][1] = (uint8_t)(((i >> 1) & 1u) * 0x2a + ((i >> 4) & 1u) * 0x15);
        s->dac[i][2] = (uint8_t)((i & 1u) * 0x2a + ((i >> 3) & 1u) * 0x15);
    }
    s->dac_mask = 0xff;
    s->dac_rindex = s->dac_windex = s->dac_component = 0;
    s->dac_reading = false;
}

static int vga_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 2 || ctx->window_size[0] < VGA_MEM_SIZE ||
        ctx->window_size[1] < VGA_IO_SIZE)
        return orr_fail(err, "%s: vga needs a 128 KiB memory window and 32 ports", ctx->path);
    if (!ctx->clock)
        return orr_fail(err, "%s: vga needs the machine clock", ctx->path);
    struct vga *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(s->path, sizeof s->path, "%s", ctx->path ? ctx->path : "vga");
    s->log = ctx->log;
    s->clock = ctx->clock;
    vga_reset(s);
    *dev = s;
    return 0;
}

static void vga_destroy(void *opaque)
{
    free(opaque);
}

/* Section layout, version 1: misc, feature, enable; sequencer index and
 * 8 registers; CRTC index and 32; graphics index and 16; attribute index,
 * flip-flop and 32; the DAC (768 bytes), mask, read and write index,
 * component, direction; the latches; the four planes as one zlib blob. */
static int vga_save(void *opaque, struct state_writer *w)
{
    struct vga *s = opaque;
    state_put_u8(w, s->misc);
    state_put_u8(w, s->feature);
    state_put_u8(w, s->enable);
    state_put_u8(w, s->seq_index);
    state_put_bytes(w, s->seq, sizeof s->seq);
    state_put_u8(w, s->crtc_index);
    state_put_bytes(w, s->crtc, sizeof s->crtc);
    state_put_u8(w, s->gr_index);
    state_put_bytes(w, s->gr, sizeof s->gr);
    state_put_u8(w, s->ar_index);
    state_put_bool(w, s->ar_data_next);
    state_put_bytes(w, s->ar, sizeof s->ar);
    state_put_bytes(w, s->dac, sizeof s->dac);
    state_put_u8(w, s->dac_mask);
    state_put_u8(w, s->dac_rindex);
    state_put_u8(w, s->dac_windex);
    state_put_u8(w, s->dac_component);
    state_put_bool(w, s->dac_reading);
    state_put_bytes(w, s->latch, sizeof s->latch);
    if (state_put_zblob(w, s->plane, sizeof s->plane))
        return -1;
    return w->failed ? -1 : 0;
}

static int vga_load(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct vga *s = opaque;
    struct vga *n = malloc(sizeof *n);
    if (!n)
        return orr_fail(err, "%s: out of memory", s->path);
    *n = *s;
    n->misc = state_get_u8(r);
    n->feature = state_get_u8(r);
    n->enable = state_get_u8(r);
    n->seq_index = state_get_u8(r);
    state_get_bytes(r, n->seq, sizeof n->seq);
    n->crtc_index = state_get_u8(r);
    state_get_bytes(r, n->crtc, sizeof n->crtc);
    n->gr_index = state_get_u8(r);
    state_get_bytes(r, n->gr, sizeof n->gr);
    n->ar_index = state_get_u8(r);
    n->ar_data_next = state_get_bool(r);
    state_get_bytes(r, n->ar, sizeof n->ar);
    state_get_bytes(r, n->dac, sizeof n->dac);
    n->dac_mask = state_get_u8(r);
    n->dac_rindex = state_get_u8(r);
    n->dac_windex = state_get_u8(r);
    n->dac_component = state_get_u8(r);
    n->dac_reading = state_get_bool(r);
    state_get_bytes(r, n->latch, sizeof n->latch);
    int rc = 0;
    if (state_reader_check(r) || state_get_zblob(r, n->plane, sizeof n->plane) ||
        state_reader_check(r))
        rc = orr_fail(err, "%s: truncated or corrupt vga section", s->path);
    else if (n->seq_index > 7 || n->crtc_index > 0x1f || n->gr_index > 0x0f ||
             n->ar_index > 0x3f || n->dac_component > 2)
        rc = orr_fail(err, "%s: corrupt vga section (register index out of range)", s->path);
    if (rc == 0)
        *s = *n;
    free(n);
    return rc;
}

static const char *const vga_compatible[] = { "orrery,vga", NULL };

const struct device_model vga_model = {
    .name = "vga",
    .compatible = vga_compatible,
    .summary = "VGA: registers, four memory planes, text and graphics frames",
    .state_version = 1,
    .create = vga_create,
    .reset = vga_reset,
    .read = vga_read,
    .write = vga_write,
    .save = vga_save,
    .load = vga_load,
    .destroy = vga_destroy,
    .text_screen = vga_text_screen,
    .render = vga_render,
};
