/* A character stream between a guest device (UART, virtio-console) and the
 * host (terminal, socket, file, test buffer).
 *
 * Output: the device calls chardev_write; the host's callback consumes it.
 * Input: the host pushes bytes into a ring buffer (chardev_push), the device
 * pulls them as its FIFO has room (chardev_pull) and is kicked through
 * rx_notify when new bytes arrive. Nothing here blocks. */
#ifndef ORRERY_MACHINE_CHARDEV_H
#define ORRERY_MACHINE_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHARDEV_RX_SIZE 4096

struct chardev {
    /* host side */
    void (*host_write)(void *host_opaque, const uint8_t *buf, size_t len);
    void *host_opaque;
    /* device side */
    void (*rx_notify)(void *dev_opaque);
    void *dev_opaque;
    /* host -> device ring */
    uint8_t rx[CHARDEV_RX_SIZE];
    unsigned rx_head, rx_tail;   /* head: next to pull; tail: next free */
};

static inline void chardev_write(struct chardev *cd, const uint8_t *buf, size_t len)
{
    if (cd && cd->host_write)
        cd->host_write(cd->host_opaque, buf, len);
}

static inline unsigned chardev_rx_count(const struct chardev *cd)
{
    return cd ? (cd->rx_tail - cd->rx_head) % CHARDEV_RX_SIZE : 0;
}

/* Host side: queue input; returns bytes accepted (ring may be full). */
size_t chardev_push(struct chardev *cd, const uint8_t *buf, size_t len);
/* Device side: take one byte, -1 if none. */
int chardev_pull(struct chardev *cd);
/* Device side: attach (NULL cd is allowed: an unconnected port). */
void chardev_attach(struct chardev *cd, void (*rx_notify)(void *), void *dev_opaque);

#endif
