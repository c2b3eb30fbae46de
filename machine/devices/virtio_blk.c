/* virtio-blk backend (VIRTIO 1.1, 5.2) over a raw host image file.
 *
 * Offered features: SEG_MAX, BLK_SIZE (512), FLUSH (an fsync of the image)
 * and RO for read-only drives. Requests IN, OUT, FLUSH and GET_ID are
 * served; others get UNSUPP. A request reaching past the end of the image
 * gets IOERR, and so does a host I/O error (logged).
 *
 * "FILE,snapshot" opens the image read-only and keeps the guest's writes
 * in a copy-on-write overlay of 4 KiB blocks in memory; the image is never
 * changed, and the overlay is part of the saved state. A saved state also
 * records the image's size and CRC-32, and loading it against an image
 * that has changed since is refused (a restore must never show the guest
 * a disk its page cache does not match). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "cpu/log.h"
#include "machine/devices/virtio.h"
#include "machine/state.h"

#define SECTOR 512u
#define SEG_MAX (VQ_MAX_SIZE - 2)    /* a chain is header + data... + status */
#define XFER_CHUNK 65536u
#define OVL_BLOCK 4096u

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
    char file[4096];            /* the image, for messages */
    const struct logger *log;
    int fd;
    bool ro;
    bool cow;                   /* ,snapshot: writes go to the overlay */
    uint64_t size;              /* image bytes */
    uint64_t sectors;
    uint8_t **overlay;          /* cow: one entry per OVL_BLOCK block, NULL = image's */
    uint64_t nblocks;
    uint64_t noverlay;          /* blocks present */
    bool crc_valid;             /* image_crc is the image's current checksum */
    uint32_t image_crc;
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

static bool image_io(struct blk *b, bool write, uint8_t *p, uint64_t pos, uint64_t len)
{
    ssize_t n = write ? pwrite(b->fd, p, len, (off_t)pos) : pread(b->fd, p, len, (off_t)pos);
    if (n == (ssize_t)len) {
        if (write)
            b->crc_valid = false;
        return true;
    }
    log_msg(b->log, LOG_DEV, "%s: image %s at byte %llu failed: %s", b->path,
            write ? "write" : "read", (unsigned long long)pos,
            n < 0 ? strerror(errno) : "short transfer");
    return false;
}

/* The overlay's block `blk`, created from the image on first use. */
static uint8_t *overlay_block(struct blk *b, uint64_t blk)
{
    if (b->overlay[blk])
        return b->overlay[blk];
    uint8_t *p = calloc(1, OVL_BLOCK);
    if (!p)
        return NULL;
    uint64_t pos = blk * OVL_BLOCK;
    uint64_t n = b->size - pos < OVL_BLOCK ? b->size - pos : OVL_BLOCK;
    if (!image_io(b, false, p, pos, n)) {
        free(p);
        return NULL;
    }
    b->overlay[blk] = p;
    b->noverlay++;
    return p;
}

/* Moves len bytes between b->buf and the disk at pos: the image, or for
 * a cow drive the overlay where it has the block. */
static bool host_io(struct blk *b, bool write, uint64_t pos, uint64_t len)
{
    if (!b->cow)
        return image_io(b, write, b->buf, pos, len);
    for (uint64_t done = 0; done < len;) {
        uint64_t blk = (pos + done) / OVL_BLOCK, off = (pos + done) % OVL_BLOCK;
        uint64_t n = OVL_BLOCK - off < len - done ? OVL_BLOCK - off : len - done;
        if (write) {
            uint8_t *p = overlay_block(b, blk);
            if (!p)
                return false;
            memcpy(p + off, b->buf + done, n);
        } else if (b->overlay[blk]) {
            memcpy(b->buf + done, b->overlay[blk] + off, n);
        } else if (!image_io(b, false, b->buf + done, pos + done, n)) {
            return false;
        }
        done += n;
    }
    return true;
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
            if (!b->cow && !b->ro && fsync(b->fd) != 0) {
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
    for (uint64_t i = 0; b->overlay && i < b->nblocks; i++)
        free(b->overlay[i]);
    free(b->overlay);
    free(b);
}

/* The image's CRC-32, recomputed only after it was written. */
static int image_checksum(struct blk *b, uint32_t *crc)
{
    if (b->crc_valid) {
        *crc = b->image_crc;
        return 0;
    }
    uLong c = crc32(0, Z_NULL, 0);
    for (uint64_t pos = 0; pos < b->size;) {
        uint64_t n = b->size - pos < XFER_CHUNK ? b->size - pos : XFER_CHUNK;
        ssize_t got = pread(b->fd, b->buf, n, (off_t)pos);
        if (got != (ssize_t)n)
            return -1;
        c = crc32(c, b->buf, (uInt)n);
        pos += n;
    }
    b->image_crc = (uint32_t)c;
    b->crc_valid = true;
    *crc = b->image_crc;
    return 0;
}

/* Backend fields: image size, image CRC-32, the overlay's block count,
 * then (if any) their numbers and one zlib blob of their contents in
 * that order. */
static void blk_save(void *opaque, struct state_writer *w)
{
    struct blk *b = opaque;
    uint32_t crc = 0;
    if (image_checksum(b, &crc) != 0) {
        log_msg(b->log, LOG_DEV, "%s: cannot read %s to checksum it", b->path, b->file);
        w->failed = true;
        return;
    }
    state_put_u64(w, b->size);
    state_put_u32(w, crc);
    state_put_u64(w, b->noverlay);
    if (!b->noverlay)
        return;
    uint8_t *data = malloc(b->noverlay * OVL_BLOCK);
    if (!data) {
        w->failed = true;
        return;
    }
    uint64_t k = 0;
    for (uint64_t i = 0; i < b->nblocks; i++)
        if (b->overlay[i]) {
            state_put_u64(w, i);
            memcpy(data + k++ * OVL_BLOCK, b->overlay[i], OVL_BLOCK);
        }
    if (state_put_zblob(w, data, b->noverlay * OVL_BLOCK))
        w->failed = true;
    free(data);
}

/* Reads the fixed fields and the block numbers, checking them against this
 * drive; leaves r at the overlay blob. */
static int read_fields(struct blk *b, struct state_reader *r, uint64_t *count,
                       uint64_t **blocks, struct orr_error *err)
{
    uint64_t size = state_get_u64(r);
    uint32_t crc = state_get_u32(r);
    *count = state_get_u64(r);
    *blocks = NULL;
    if (state_reader_check(r))
        return orr_fail(err, "%s: corrupt disk state", b->path);
    uint32_t now = 0;
    if (size != b->size || image_checksum(b, &now) != 0 || now != crc)
        return orr_fail(err, "disk image %s has changed since the state was saved (it was "
                        "%llu bytes with CRC-32 %08x; now %llu bytes%s); restoring would show "
                        "the guest a disk it does not expect", b->file,
                        (unsigned long long)size, crc, (unsigned long long)b->size,
                        size == b->size ? " with another checksum" : "");
    if (*count && !b->cow)
        return orr_fail(err, "the state holds %llu copy-on-write blocks of disk %s: open it "
                        "with --drive %s,snapshot", (unsigned long long)*count, b->file,
                        b->file);
    if (*count > b->nblocks)
        return orr_fail(err, "%s: corrupt disk overlay", b->path);
    if (!*count)
        return 0;
    *blocks = malloc(*count * sizeof **blocks);
    if (!*blocks)
        return orr_fail(err, "out of memory");
    for (uint64_t i = 0; i < *count; i++) {
        (*blocks)[i] = state_get_u64(r);
        if ((*blocks)[i] >= b->nblocks || (i && (*blocks)[i] <= (*blocks)[i - 1])) {
            free(*blocks);
            *blocks = NULL;
            return orr_fail(err, "%s: corrupt disk overlay", b->path);
        }
    }
    if (state_reader_check(r)) {
        free(*blocks);
        *blocks = NULL;
        return orr_fail(err, "%s: corrupt disk state", b->path);
    }
    return 0;
}

static int blk_check(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct blk *b = opaque;
    uint64_t count, *blocks;
    if (read_fields(b, r, &count, &blocks, err))
        return -1;
    free(blocks);
    if (count && state_skip_zblob(r))
        return orr_fail(err, "%s: corrupt disk overlay", b->path);
    return 0;
}

static int blk_load(void *opaque, struct state_reader *r)
{
    struct blk *b = opaque;
    struct orr_error err = { { 0 } };
    uint64_t count, *blocks;
    if (read_fields(b, r, &count, &blocks, &err))
        return -1;
    uint8_t *data = count ? malloc(count * OVL_BLOCK) : NULL;
    if (count && (!data || state_get_zblob(r, data, count * OVL_BLOCK))) {
        free(data);
        free(blocks);
        return -1;
    }
    for (uint64_t i = 0; b->overlay && i < b->nblocks; i++) {
        free(b->overlay[i]);
        b->overlay[i] = NULL;
    }
    b->noverlay = 0;
    int rc = 0;
    for (uint64_t i = 0; i < count && rc == 0; i++) {
        uint8_t *p = malloc(OVL_BLOCK);
        if (!p) {
            rc = -1;
            break;
        }
        memcpy(p, data + i * OVL_BLOCK, OVL_BLOCK);
        b->overlay[blocks[i]] = p;
        b->noverlay++;
    }
    free(data);
    free(blocks);
    return rc;
}

static const struct virtio_backend_ops blk_ops = {
    .device_id = VIRTIO_ID_BLOCK,
    .nqueues = 1,
    .features = BLK_F_SEG_MAX | BLK_F_BLK_SIZE | BLK_F_FLUSH,
    .config_size = 24,
    .config_byte = blk_config_byte,
    .notify = blk_notify,
    .save = blk_save,
    .load = blk_load,
    .check = blk_check,
    .destroy = blk_destroy,
};

static const struct virtio_backend_ops blk_ro_ops = {
    .device_id = VIRTIO_ID_BLOCK,
    .nqueues = 1,
    .features = BLK_F_SEG_MAX | BLK_F_BLK_SIZE | BLK_F_FLUSH | BLK_F_RO,
    .config_size = 24,
    .config_byte = blk_config_byte,
    .notify = blk_notify,
    .save = blk_save,
    .load = blk_load,
    .check = blk_check,
    .destroy = blk_destroy,
};

/* arg: FILE, FILE,ro or FILE,snapshot */
int virtio_blk_create(const struct virtio_env *env, const char *arg, void **out,
                      const struct virtio_backend_ops **ops, struct orr_error *err)
{
    char file[4096];
    size_t len = strlen(arg);
    bool ro = false, cow = false;
    if (len >= 3 && strcmp(arg + len - 3, ",ro") == 0) {
        ro = true;
        len -= 3;
    } else if (len >= 9 && strcmp(arg + len - 9, ",snapshot") == 0) {
        cow = true;
        len -= 9;
    } else if (strchr(arg, ',')) {
        return orr_fail(err, "--drive %s: unknown option after ',' (',ro' or ',snapshot')", arg);
    }
    if (len == 0 || len >= sizeof file)
        return orr_fail(err, "--drive needs a file name");
    memcpy(file, arg, len);
    file[len] = 0;
    int fd = open(file, ro || cow ? O_RDONLY : O_RDWR);
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
    snprintf(b->file, sizeof b->file, "%s", file);
    b->log = env->log;
    b->fd = fd;
    b->ro = ro;
    b->cow = cow;
    b->size = (uint64_t)st.st_size;
    b->sectors = b->size / SECTOR;
    b->nblocks = (b->size + OVL_BLOCK - 1) / OVL_BLOCK;
    if (cow && b->nblocks) {
        b->overlay = calloc((size_t)b->nblocks, sizeof *b->overlay);
        if (!b->overlay) {
            blk_destroy(b);
            return orr_fail(err, "--drive %s: out of memory", file);
        }
    }
    /* GET_ID: the image's base name, NUL-padded, not terminated at 20. */
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t idlen = strlen(base);
    memcpy(b->id, base, idlen < ID_BYTES ? idlen : ID_BYTES);
    *out = b;
    *ops = ro ? &blk_ro_ops : &blk_ops;
    return 0;
}
