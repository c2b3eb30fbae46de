/* What a frame renderer needs from a vga device (vga.c): the display
 * geometry, cursor and colours the registers describe, and the planes.
 * Read-only views with no side effects (unlike the guest's port reads),
 * so a window may call them at any time the machine is not running. */
#ifndef ORRERY_MACHINE_DEVICES_VGA_H
#define ORRERY_MACHINE_DEVICES_VGA_H

#include <stdbool.h>
#include <stdint.h>

struct vga_display {
    bool text;                /* alphanumeric mode (GR6 bit 0 and AR10 bit 0 clear) */
    unsigned cols, rows;      /* text: characters per row and rows on the screen */
    unsigned char_height;     /* text: scan lines per character row (CR09, double scan) */
    unsigned width, height;   /* displayed dots and lines: cols * dots per char, CR12 + 1 */
    unsigned dots_per_char;   /* 8 or 9 (SR01 bit 0) */
    uint32_t start;           /* CR0C/CR0D: the first character (text) or address */
    unsigned offset;          /* CR13: the row pitch in CRTC address units; text
                                 modes have 2 * offset characters per row */
    bool dword_mode;          /* CR14 bit 6: addresses count doublewords (mode 13h) */
    bool byte_mode;           /* CR17 bit 6: addresses count bytes, else words */
    bool chain4;              /* SR04 bit 3: mode 13h's byte-per-pixel addressing */
    bool cursor_on;           /* CR0A bit 5 clear and the cursor inside the screen */
    unsigned cursor_row, cursor_col;     /* relative to the start address */
    unsigned cursor_start, cursor_end;   /* CR0A/CR0B bits 0-4: scan lines */
    bool blink;               /* AR10 bit 3: attribute bit 7 blinks, not background */
    uint8_t palette[16];      /* DAC index of each of the 16 attribute colours
                                 (AR00-AR0F through AR10 bit 7, AR14, the pixel mask) */
    uint8_t dac[256][3];      /* DAC entries, 6-bit red, green, blue */
};

/* Fills *out from the device's registers. */
void vga_display_info(void *dev, struct vga_display *out);
/* A byte of memory plane 0-3 at offset 0-0xFFFF. In text modes plane 0
 * holds character codes and plane 1 attributes at even offsets (character
 * k of the screen at 2 * (start + k)); plane 2 holds the fonts (32 bytes per
 * character), which reset fills from vga_font_8x16 at offset 0. */
uint8_t vga_plane_byte(void *dev, unsigned plane, uint32_t offset);

/* The power-on font (vga_font.c): 256 code page 437 characters of 16
 * rows, bit 7 the leftmost dot. */
extern const uint8_t vga_font_8x16[256][16];

#endif
