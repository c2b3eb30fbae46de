#include "machine/chardev.h"

size_t chardev_push(struct chardev *cd, const uint8_t *buf, size_t len)
{
    if (!cd)
        return 0;
    size_t n = 0;
    while (n < len && chardev_rx_count(cd) < CHARDEV_RX_SIZE - 1) {
        cd->rx[cd->rx_tail % CHARDEV_RX_SIZE] = buf[n++];
        cd->rx_tail = (cd->rx_tail + 1) % CHARDEV_RX_SIZE;
    }
    if (n && cd->rx_notify)
        cd->rx_notify(cd->dev_opaque);
    return n;
}

int chardev_pull(struct chardev *cd)
{
    if (!chardev_rx_count(cd))
        return -1;
    int c = cd->rx[cd->rx_head];
    cd->rx_head = (cd->rx_head + 1) % CHARDEV_RX_SIZE;
    return c;
}

void chardev_attach(struct chardev *cd, void (*rx_notify)(void *), void *dev_opaque)
{
    if (!cd)
        return;
    cd->rx_notify = rx_notify;
    cd->dev_opaque = dev_opaque;
}
