/* The vga device's state, shared by its register and memory model (vga.c)
 * and its frame renderer (vga_render.c). Nothing outside those two files
 * includes this: others see the device through vga.h and device.h. */
#ifndef ORRERY_MACHINE_DEVICES_VGA_INTERNAL_H
#define ORRERY_MACHINE_DEVICES_VGA_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

struct frame;
struct logger;
struct vclock;

#define PLANE_SIZE 0x10000u

enum { NSEQ = 5, NCRTC = 0x19, NGR = 9, NAR = 0x15 };

/* The 70 Hz frame: 449 lines (mode 3's vertical total). Input status 1
 * and the renderer's blink phases both count these frames. */
#define FRAME_NS 14285714u
#define FRAME_LINES 449u

struct vga {
    char path[128];
    const struct logger *log;
    struct vclock *clock;

    uint8_t plane[4][PLANE_SIZE];
    uint8_t latch[4];

    uint8_t misc, feature, enable;
    uint8_t seq_index, seq[8];
    uint8_t crtc_index, crtc[0x20];
    uint8_t gr_index, gr[16];
    uint8_t ar_index;            /* bits 0-4 index, bit 5 palette address source */
    bool ar_data_next;           /* the 0x3C0 flip-flop: the next write is data */
    uint8_t ar[0x20];
    uint8_t dac[256][3];
    uint8_t dac_mask;
    uint8_t dac_rindex, dac_windex, dac_component;
    bool dac_reading;            /* the last index written was the read index */
};

/* Alphanumeric: the graphics controller and attribute controller agree. */
static inline bool vga_text_mode(const struct vga *s)
{
    return !(s->gr[6] & 0x01) && !(s->ar[0x10] & 0x01);
}

/* The last displayed scan line: CR12 with bits 8 and 9 in CR07. */
static inline unsigned vga_vertical_display_end(const struct vga *s)
{
    return s->crtc[0x12] | ((s->crtc[7] & 0x02u) << 7) | ((s->crtc[7] & 0x40u) << 3);
}

/* The device_model.render op (vga_render.c). */
int vga_render(void *dev, struct frame *f, uint64_t now_ns);

#endif
