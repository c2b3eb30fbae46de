/* virtio-console backend (VIRTIO 1.1, 5.3): one port, no MULTIPORT, no
 * SIZE, no EMERG_WRITE. Queue 0 (receiveq) carries host input from the
 * chardev into the guest's buffers; queue 1 (transmitq) carries guest output
 * to the chardev. Input is delivered when the driver notifies queue 0,
 * when DRIVER_OK is set, and when the host pushes bytes. */
#include <stdlib.h>

#include "machine/chardev.h"
#include "machine/devices/virtio.h"
#include "machine/state.h"

struct console {
    struct chardev *chardev;
    struct virtio_transport *t;      /* known once notified; for rx_notify */
    uint8_t buf[4096];
};

static void fill_receive(struct console *s, struct virtio_transport *t)
{
    struct bus *bus = virtio_bus(t);
    struct virtq_chain *c;
    while (chardev_rx_count(s->chardev) > 0) {
        if (virtio_pop(t, 0, &c) != VQ_GOT)
            return;
        uint64_t room = c->writable < sizeof s->buf ? c->writable : sizeof s->buf;
        uint32_t n = 0;
        while (n < room) {
            int ch = chardev_pull(s->chardev);
            if (ch < 0)
                break;
            s->buf[n++] = (uint8_t)ch;
        }
        int64_t w = virtq_chain_write(bus, c, 0, s->buf, n);
        virtio_push(t, 0, c->head, w < 0 ? 0 : (uint32_t)w);
    }
}

static void drain_transmit(struct console *s, struct virtio_transport *t)
{
    struct bus *bus = virtio_bus(t);
    struct virtq_chain *c;
    while (virtio_pop(t, 1, &c) == VQ_GOT) {
        for (uint64_t off = 0; off < c->readable;) {
            int64_t n = virtq_chain_read(bus, c, off, s->buf, sizeof s->buf);
            if (n <= 0)
                break;
            chardev_write(s->chardev, s->buf, (size_t)n);
            off += (uint64_t)n;
        }
        virtio_push(t, 1, c->head, 0);
    }
}

static void console_notify(void *opaque, struct virtio_transport *t, unsigned q)
{
    struct console *s = opaque;
    s->t = t;
    if (q == 0)
        fill_receive(s, t);
    else
        drain_transmit(s, t);
}

static void rx_notify(void *opaque)
{
    struct console *s = opaque;
    if (s->t && virtio_running(s->t))
        fill_receive(s, s->t);
}

static void console_destroy(void *opaque)
{
    struct console *s = opaque;
    if (!s)
        return;
    chardev_attach(s->chardev, NULL, NULL);
    free(s);
}

static const struct virtio_backend_ops console_ops = {
    .device_id = VIRTIO_ID_CONSOLE,
    .nqueues = 2,
    .features = 0,
    .config_size = 12,               /* cols, rows, max_nr_ports, emerg_wr: all 0 */
    .config_byte = NULL,
    .notify = console_notify,
    .destroy = console_destroy,
};

int virtio_console_create(const struct virtio_env *env, const char *arg, void **out,
                          const struct virtio_backend_ops **ops, struct orr_error *err)
{
    if (arg && *arg)
        return orr_fail(err, "%s: virtio console takes no options ('%s')", env->path, arg);
    struct console *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", env->path);
    s->chardev = env->chardev;
    chardev_attach(s->chardev, rx_notify, s);
    *out = s;
    *ops = &console_ops;
    return 0;
}
