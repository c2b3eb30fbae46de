/* Split virtqueue walking (VIRTIO 1.1, 2.6). See virtqueue.h. */
#include <string.h>

#include "machine/bus.h"
#include "machine/devices/virtqueue.h"

#define DESC_F_NEXT 1u
#define DESC_F_WRITE 2u
#define DESC_F_INDIRECT 4u
#define AVAIL_F_NO_INTERRUPT 1u

/* Guest RAM only: DMA never reaches MMIO or unmapped space. */
static uint8_t *ram(struct bus *bus, uint64_t addr, uint64_t len, bool write)
{
    if (len == 0 || addr + len < addr)
        return NULL;
    bool rom = false;
    uint8_t *p = bus_host_ptr(bus, addr, len, &rom);
    if (!p || (write && rom))
        return NULL;
    return p;
}

static bool get16(struct bus *bus, uint64_t addr, uint16_t *v)
{
    const uint8_t *p = ram(bus, addr, 2, false);
    if (!p)
        return false;
    *v = (uint16_t)(p[0] | p[1] << 8);
    return true;
}

static bool put_bytes(struct bus *bus, uint64_t addr, const void *src, uint64_t len)
{
    uint8_t *p = ram(bus, addr, len, true);
    if (!p)
        return false;
    memcpy(p, src, len);
    bus_notify_write(bus, addr, len);
    return true;
}

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

static bool get_desc(struct bus *bus, uint64_t table, uint32_t i, struct desc *d)
{
    const uint8_t *p = ram(bus, table + 16u * (uint64_t)i, 16, false);
    if (!p)
        return false;
    d->addr = 0;
    for (int k = 7; k >= 0; k--)
        d->addr = d->addr << 8 | p[k];
    d->len = (uint32_t)p[8] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 | (uint32_t)p[11] << 24;
    d->flags = (uint16_t)(p[12] | p[13] << 8);
    d->next = (uint16_t)(p[14] | p[15] << 8);
    return true;
}

static bool add_seg(struct virtq_chain *c, unsigned limit, const struct desc *d,
                    struct bus *bus)
{
    bool w = (d->flags & DESC_F_WRITE) != 0;
    if (c->nseg >= limit)
        return false;                        /* longer than the queue: 2.6.5.3.1 */
    if (!w && c->writable)
        return false;                        /* readable after writable: 2.6.4.2 */
    if (d->len && !ram(bus, d->addr, d->len, w))
        return false;                        /* buffer outside guest RAM */
    c->seg[c->nseg++] = (struct virtq_seg){ d->addr, d->len, w };
    if (w)
        c->writable += d->len;
    else
        c->readable += d->len;
    return true;
}

int virtq_pop(struct bus *bus, struct virtq *q, struct virtq_chain *c)
{
    if (!q->ready || q->num == 0)
        return VQ_EMPTY;
    uint16_t avail_idx;
    if (!get16(bus, q->avail + 2, &avail_idx))
        return VQ_MALFORMED;
    if (avail_idx == q->last_avail)
        return VQ_EMPTY;
    if ((uint16_t)(avail_idx - q->last_avail) > q->num)
        return VQ_MALFORMED;                 /* more entries than the ring holds */
    uint16_t head;
    if (!get16(bus, q->avail + 4 + 2u * (q->last_avail % q->num), &head))
        return VQ_MALFORMED;
    if (head >= q->num)
        return VQ_MALFORMED;
    q->last_avail++;

    c->head = head;
    c->nseg = 0;
    c->readable = c->writable = 0;
    uint64_t table = q->desc;
    uint32_t table_size = q->num;
    uint32_t i = head;
    unsigned steps = 0;
    bool indirect = false;
    for (;;) {
        struct desc d;
        /* A chain visits each descriptor of its table at most once, so more
         * steps than entries means a loop. */
        if (i >= table_size || ++steps > table_size || !get_desc(bus, table, i, &d))
            return VQ_MALFORMED;
        if (d.flags & DESC_F_INDIRECT) {
            /* 2.6.5.3.1: only in the main table, not with NEXT, a whole
             * number of descriptors. */
            if (indirect || (d.flags & DESC_F_NEXT) || d.len == 0 || d.len % 16 ||
                d.len / 16 > VQ_MAX_SIZE || !ram(bus, d.addr, d.len, false))
                return VQ_MALFORMED;
            indirect = true;
            table = d.addr;
            table_size = d.len / 16;
            i = 0;
            steps = 0;
            continue;
        }
        if (!add_seg(c, q->num, &d, bus))
            return VQ_MALFORMED;
        if (!(d.flags & DESC_F_NEXT))
            return VQ_GOT;
        i = d.next;
    }
}

int virtq_push(struct bus *bus, struct virtq *q, uint16_t head, uint32_t written)
{
    uint8_t elem[8] = {
        (uint8_t)head, (uint8_t)(head >> 8), 0, 0,
        (uint8_t)written, (uint8_t)(written >> 8), (uint8_t)(written >> 16),
        (uint8_t)(written >> 24),
    };
    if (!put_bytes(bus, q->used + 4 + 8u * (q->used_idx % q->num), elem, sizeof elem))
        return VQ_MALFORMED;
    q->used_idx++;
    /* The element is visible before the index (2.6.8.2); with synchronous
     * completion on the guest's own thread there is nothing to reorder. */
    uint8_t idx[2] = { (uint8_t)q->used_idx, (uint8_t)(q->used_idx >> 8) };
    if (!put_bytes(bus, q->used + 2, idx, sizeof idx))
        return VQ_MALFORMED;
    return 0;
}

bool virtq_wants_interrupt(struct bus *bus, const struct virtq *q)
{
    uint16_t flags = 0;
    if (!get16(bus, q->avail, &flags))
        return true;
    return !(flags & AVAIL_F_NO_INTERRUPT);
}

int64_t virtq_chain_read(struct bus *bus, const struct virtq_chain *c, uint64_t off,
                         void *buf, uint64_t len)
{
    uint8_t *out = buf;
    uint64_t done = 0;
    for (unsigned s = 0; s < c->nseg && done < len; s++) {
        const struct virtq_seg *g = &c->seg[s];
        if (g->writable)
            break;
        if (off >= g->len) {
            off -= g->len;
            continue;
        }
        uint64_t n = g->len - off;
        if (n > len - done)
            n = len - done;
        const uint8_t *p = ram(bus, g->addr + off, n, false);
        if (!p)
            return -1;
        memcpy(out + done, p, n);
        done += n;
        off = 0;
    }
    return (int64_t)done;
}

int64_t virtq_chain_write(struct bus *bus, const struct virtq_chain *c, uint64_t off,
                          const void *buf, uint64_t len)
{
    const uint8_t *in = buf;
    uint64_t done = 0;
    for (unsigned s = 0; s < c->nseg && done < len; s++) {
        const struct virtq_seg *g = &c->seg[s];
        if (!g->writable)
            continue;
        if (off >= g->len) {
            off -= g->len;
            continue;
        }
        uint64_t n = g->len - off;
        if (n > len - done)
            n = len - done;
        if (!put_bytes(bus, g->addr + off, in + done, n))
            return -1;
        done += n;
        off = 0;
    }
    return (int64_t)done;
}

void virtq_legacy_layout(struct virtq *q, uint64_t base, uint32_t align)
{
    /* 2.6.2 (legacy interfaces): descriptors, then the available ring,
     * then the used ring at the next multiple of QueueAlign. */
    q->desc = base;
    q->avail = base + 16u * (uint64_t)q->num;
    uint64_t avail_end = q->avail + 6 + 2u * (uint64_t)q->num;
    uint64_t a = align ? align : 4096;
    q->used = (avail_end + a - 1) / a * a;
}
