/* Split virtqueues (VIRTIO 1.1, 2.6) as seen from the device side.
 *
 * Every guest address and length is checked against guest RAM through the
 * bus before it is touched; a malformed ring (descriptor loop, index out of
 * range, chain longer than the queue, buffer outside RAM) is reported as
 * VQ_MALFORMED, and the transport then sets DEVICE_NEEDS_RESET (2.1.2).
 * VIRTIO_F_EVENT_IDX is not offered: the device interrupts after every
 * batch of used buffers unless the driver sets VIRTQ_AVAIL_F_NO_INTERRUPT
 * (2.6.7). Indirect descriptors (2.6.5.3) are supported. */
#ifndef ORRERY_MACHINE_DEVICES_VIRTQUEUE_H
#define ORRERY_MACHINE_DEVICES_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

struct bus;

#define VQ_MAX_SIZE 256u           /* QueueNumMax of every Orrery queue */

enum { VQ_EMPTY = 0, VQ_GOT = 1, VQ_MALFORMED = -1 };

struct virtq {
    uint32_t num;                  /* QueueNum, a power of 2 <= VQ_MAX_SIZE */
    bool ready;
    uint64_t desc, avail, used;    /* guest-physical ring addresses */
    uint16_t last_avail;           /* next avail entry the device takes */
    uint16_t used_idx;             /* the device's copy of used->idx */
};

struct virtq_seg {
    uint64_t addr;
    uint32_t len;
    bool writable;                 /* VIRTQ_DESC_F_WRITE: device writes it */
};

/* One descriptor chain: readable segments first, then writable (2.6.4.2). */
struct virtq_chain {
    uint16_t head;
    unsigned nseg;
    struct virtq_seg seg[VQ_MAX_SIZE];
    uint64_t readable, writable;   /* total bytes of each kind */
};

/* Take the next available chain. VQ_EMPTY if none, VQ_MALFORMED on a bad
 * ring (the queue must then not be used until reset). */
int virtq_pop(struct bus *bus, struct virtq *q, struct virtq_chain *c);
/* Return a chain to the used ring with `written` bytes written. 0, or
 * VQ_MALFORMED if the used ring is not in RAM. */
int virtq_push(struct bus *bus, struct virtq *q, uint16_t head, uint32_t written);
/* Whether the driver wants an interrupt (no VIRTQ_AVAIL_F_NO_INTERRUPT). */
bool virtq_wants_interrupt(struct bus *bus, const struct virtq *q);
/* Copy from the readable part of a chain at byte offset `off`; returns
 * bytes copied (short at the end of the chain). -1 if guest memory fails. */
int64_t virtq_chain_read(struct bus *bus, const struct virtq_chain *c, uint64_t off,
                         void *buf, uint64_t len);
/* Copy into the writable part at `off`; notifies code writes. */
int64_t virtq_chain_write(struct bus *bus, const struct virtq_chain *c, uint64_t off,
                          const void *buf, uint64_t len);
/* Legacy layout (4.2.4): the three parts from one page frame. */
void virtq_legacy_layout(struct virtq *q, uint64_t base, uint32_t align);

#endif
