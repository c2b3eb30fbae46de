/* virtio-blk backend (VIRTIO 1.1, 5.2) over a raw host image file.
 *
 * Offered features: SEG_MAX, BLK_SIZE (512), FLUSH (an fsync of the image)
 * and RO for read-only drives. Requests IN, OUT, FLUSH and GET_ID are
 * served; others get UNSUPP. A request reaching past the end of the image
 * gets IOERR, and so does a host I/O error (logged). The image is never
 * part of a saved state. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpu/log.h"
#include "machine/devices/virtio.h"
#include "machine/state.h"

#define SECTOR 512u
#define SEG_MAX (VQ_MAX_SIZE - 2)    /* a chain is header + data... + status */
#define XFER_CHUNK 65536u

/* Feature bits (5.2.3). */
#define BLK_F_SEG_MAX (1ull << 2)
#define BLK_F_RO (1ull << 5)
#define BLK_F_BLK_SIZE (1ull << 6)
#define BLK_F_FLUSH (1ull << 9)

/* Request types and status (5.2.6). */
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8 };
enum { S_OK = 0, S_IOERR = 1, S_UNSUPP = 2 };
#define ID_BYTES 20

struct blk {
    char path[128];
    const struct logger *log;
    int fd;
    bool ro;
    uint64_t sectors;
    char id[ID_BYTES];
    uint8_t buf[XFER_CHUNK];
};

static uint8_t blk_config_byte(void *opaque, uint32_t off)
{
    struct blk *b = opaque;
    /* struct virtio_blk_config (5.2.4): capacity at 0, seg_max at 12,
     * blk_size at 20. */
    if (off < 8)
        return (uint8_t)(b->sectors >> (8 * off));
    if (off >= 12 && off < 16)
        return (uint8_t)(SEG_MAX >> (8 * (off - 12)));
    if (off >= 20 && off < 24)
        return (uint8_t)(SECTOR >> (8 * (off - 20)));
    return 0;
}

static bool host_io(struct blk *b, bool write, uint64_t pos, uint64_t len)
{
    ssize_t n = write ? pwrite(b->fd, b->buf, len, (off_t)pos)
                      : pread(b->fd, b->buf, len, (off_t)pos);
    if (n == (ssize_t)len)
        return true;
    log_msg(b->log, LOG_DEV, "%s: image %s at byte %llu failed: %s", b->path,
            write ? "write" : "read", (unsigned long long)pos,
            n < 0 ? strerror(errno) : "short transfer");
    return false;
}

/* Moves `len` bytes between the image at `pos` and the chain's data part,
 * which starts at byte 16 of the readable part (OUT) or 0 of the writable
 * part (IN). */
static uint8_t transfer(struct blk *b, struct bus *bus, const struct virtq_chain *c,
                        bool write, uint64_t pos, uint64_t len)
{
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < XFER_CHUNK ? len - done : XFER_CHUNK;
        if (write) {
            if (virtq_chain_read(bus, c, 16 + done, b->buf, n) != (int64_t)n ||
                !host_io(b, true, pos + done, n))
                return S_IOERR;
        } else {
            if (!host_io(b, false, pos + done, n) ||
                virtq_chain_write(bus, c, done, b->buf, n) != (int64_t)n)
                return S_IOERR;
        }
        done += n;
    }
    return S_OK;
}

static void blk_notify(void *opaque, struct virtio_transport *t, unsigned qi)
{
    struct blk *b = opaque;
    struct bus *bus = virtio_bus(t);
    struct virtq_chain *c;
    if (qi != 0)
        return;
    while (virtio_pop(t, 0, &c) == VQ_GOT) {
        uint8_t hdr[16];
        if (c->writable < 1 || virtq_chain_read(bus, c, 0, hdr, 16) != 16) {
            /* No room for a status byte or no header: 5.2.6.1 says the
             * driver must not; drop it with nothing written. */
            virtio_push(t, 0, c->head, 0);
            continue;
        }
        uint32_t type = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 |
                        (uint32_t)hdr[3] << 24;
        uint64_t sector = 0;
        for (int k = 15; k >= 8; k--)
            sector = sector << 8 | hdr[k];
        uint64_t data_in = c->writable - 1;      /* the status byte is last */
        uint64_t data_out = c->readable - 16;
        uint32_t written = 0;
        uint8_t status = S_OK;
        switch (type) {
        case T_IN:
        case T_OUT: {
            uint64_t len = type == T_IN ? data_in : data_out;
            if (type == T_OUT && b->ro) {
                status = S_IOERR;
            } else if (len % SECTOR || sector > b->sectors ||
                       len / SECTOR > b->sectors - sector) {
                status = S_IOERR;               /* out of range (5.2.6.2) */
            } else {
                status = transfer(b, bus, c, type == T_OUT, sector * SECTOR, len);
                if (type == T_IN && status == S_OK)
                    written = (uint32_t)len;
            }
            break;
        }
        case T_FLUSH:
            if (fsync(b->fd) != 0) {
                log_msg(b->log, LOG_DEV, "%s: image fsync failed: %s", b->path, strerror(errno));
                status = S_IOERR;
            }
            break;
        case T_GET_ID: {
            uint64_t n = data_in < ID_BYTES ? data_in : ID_BYTES;
            if (virtq_chain_write(bus, c, 0, b->id, n) != (int64_t)n)
                status = S_IOERR;
            else
                written = (uint32_t)n;
            break;
        }
        default:
            status = S_UNSUPP;
            break;
        }
        if (virtq_chain_write(bus, c, c->writable - 1, &status, 1) == 1)
            written++;
        virtio_push(t, 0, c->head, written);
    }
}

static void blk_destroy(void *opaque)
{
    struct blk *b = opaque;
    if (!b)
        return;
    if (b->fd >= 0)
        close(b->fd);
    free(b);
}

static const struct virtio_backend_ops blk_ops = {
    .device_id = VIRTIO_ID_BLOCK,
    .nqueues = 1,
    .features = BLK_F_SEG_MAX | BLK_F_BLK_SIZE | BLK_F_FLUSH,
    .config_size = 24,
    .config_byte = blk_config_byte,
    .notify = blk_notify,
    .destroy = blk_destroy,
};

static const struct virtio_backend_ops blk_ro_ops = {
    .device_id = VIRTIO_ID_BLOCK,
    .nqueues = 1,
    .features = BLK_F_SEG_MAX | BLK_F_BLK_SIZE | BLK_F_FLUSH | BLK_F_RO,
    .config_size = 24,
    .config_byte = blk_config_byte,
    .notify = blk_notify,
    .destroy = blk_destroy,
};

/* arg: FILE or FILE,ro */
int virtio_blk_create(const struct virtio_env *env, const char *arg, void **out,
                      const struct virtio_backend_ops **ops, struct orr_error *err)
{
    char file[4096];
    size_t len = strlen(arg);
    bool ro = false;
    if (len >= 3 && strcmp(arg + len - 3, ",ro") == 0) {
        ro = true;
        len -= 3;
    } else if (strchr(arg, ',')) {
        return orr_fail(err, "--drive %s: unknown option after ',' (only ',ro')", arg);
    }
    if (len == 0 || len >= sizeof file)
        return orr_fail(err, "--drive needs a file name");
    memcpy(file, arg, len);
    file[len] = 0;
    int fd = open(file, ro ? O_RDONLY : O_RDWR);
    if (fd < 0)
        return orr_fail(err, "--drive %s: %s", file, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return orr_fail(err, "--drive %s: not a regular file", file);
    }
    struct blk *b = calloc(1, sizeof *b);
    if (!b) {
        close(fd);
        return orr_fail(err, "--drive %s: out of memory", file);
    }
    snprintf(b->path, sizeof b->path, "%s", env->path);
    b->log = env->log;
    b->fd = fd;
    b->ro = ro;
    b->sectors = (uint64_t)st.st_size / SECTOR;
    /* GET_ID: the image's base name, NUL-padded, not terminated at 20. */
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t idlen = strlen(base);
    memcpy(b->id, base, idlen < ID_BYTES ? idlen : ID_BYTES);
    *out = b;
    *ops = ro ? &blk_ro_ops : &blk_ops;
    return 0;
}
