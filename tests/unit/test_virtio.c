/* virtio-mmio with its blk, console and rng backends, driven from the
 * driver side: the test programs the MMIO registers as a guest driver would
 * (modern and legacy layouts), builds descriptor chains in a RAM region of
 * a real bus, notifies, and checks the used ring, guest memory, the host
 * image file, the chardev and the interrupt line. */
#include <check.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/clock.h"
#include "cpu/log.h"
#include "machine/boards.h"
#include "machine/bus.h"
#include "machine/chardev.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/machine.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

#define RAM 0x40000000ull
#define RAM_SIZE 0x100000ull
#define DESC (RAM + 0x0000)
#define AVAIL (RAM + 0x1000)
#define USED (RAM + 0x2000)
#define INDIRECT (RAM + 0x3000)
#define BUF (RAM + 0x40000)
#define QSIZE 16u

enum {
    MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR = 0x00C,
    DEV_FEAT = 0x010, DEV_FEAT_SEL = 0x014, DRV_FEAT = 0x020, DRV_FEAT_SEL = 0x024,
    PAGE_SIZE = 0x028, QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038,
    QUEUE_ALIGN = 0x03C, QUEUE_PFN = 0x040, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050,
    INT_STATUS = 0x060, INT_ACK = 0x064, STATUS = 0x070,
    DESC_LO = 0x080, DESC_HI = 0x084, DRIVER_LO = 0x090, DRIVER_HI = 0x094,
    DEVICE_LO = 0x0A0, DEVICE_HI = 0x0A4, CONFIG_GEN = 0x0FC, CONFIG = 0x100,
};

#define S_ACK 1u
#define S_DRIVER 2u
#define S_DRIVER_OK 4u
#define S_FEATURES_OK 8u
#define S_NEEDS_RESET 64u
#define F_NEXT 1u
#define F_WRITE 2u
#define F_INDIRECT 4u

struct sink {
    bool level;
    unsigned changes;
};

struct rig {
    struct bus bus;
    struct vclock clock;
    struct chardev cd;
    struct irq_line line;
    struct sink sink;
    uint8_t out[512];
    size_t out_len;
    void *dev;
    void *fdt;
    unsigned version;
    uint16_t avail_idx, used_seen;
    char image[64];
    struct logger log;
    unsigned logged;
    char last_log[256];
};

static void log_sink(void *opaque, enum log_cat cat, const char *msg)
{
    struct rig *r = opaque;
    (void)cat;
    r->logged++;
    snprintf(r->last_log, sizeof r->last_log, "%s", msg);
}

static void sink_set(void *opaque, unsigned input, bool level)
{
    struct sink *k = opaque;
    (void)input;
    k->level = level;
    k->changes++;
}

static void capture(void *opaque, const uint8_t *buf, size_t len)
{
    struct rig *r = opaque;
    for (size_t i = 0; i < len && r->out_len < sizeof r->out; i++)
        r->out[r->out_len++] = buf[i];
}

static struct rig *rig_try(unsigned version, const char *backend, enum clock_mode mode,
                           struct orr_error *err, int *rc)
{
    struct rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    bus_init(&r->bus, NULL);
    ck_assert_int_eq(bus_add_ram(&r->bus, "ram", RAM, RAM_SIZE, err), 0);
    clock_init(&r->clock, mode, 10);
    r->cd.host_write = capture;
    r->cd.host_opaque = r;
    irq_connect(&r->line, sink_set, &r->sink, 48);
    r->version = version;
    r->log = (struct logger){ .sink = log_sink, .opaque = r, .mask = 1u << LOG_DEV };
    r->fdt = calloc(1, 1024);
    ck_assert_int_eq(fdt_create_empty_tree(r->fdt, 1024), 0);
    int node = fdt_add_subnode(r->fdt, 0, "virtio_mmio@a000000");
    ck_assert_int_ge(node, 0);
    if (version)
        ck_assert_int_eq(fdt_setprop_u32(r->fdt, node, "orrery,virtio-mmio-version", version), 0);
    else
        r->version = 2;
    struct device_ctx ctx = {
        .fdt = r->fdt, .node = node, .path = "/virtio_mmio@a000000",
        .nwindows = 1, .window_base = { 0x0a000000 }, .window_size = { 0x200 },
        .irqs = { &r->line }, .nirqs = 1, .bus = &r->bus, .clock = &r->clock,
        .chardev = &r->cd, .backend = backend, .log = &r->log,
    };
    *rc = virtio_mmio_model.create(&ctx, &r->dev, err);
    return r;
}

static void rig_free(struct rig *r)
{
    if (r->dev)
        virtio_mmio_model.destroy(r->dev);
    bus_destroy(&r->bus);
    if (r->image[0])
        unlink(r->image);
    free(r->fdt);
    free(r);
}

static struct rig *rig_new(unsigned version, const char *backend)
{
    struct orr_error err = { { 0 } };
    int rc;
    struct rig *r = rig_try(version, backend, CLOCK_MODE_VIRTUAL, &err, &rc);
    ck_assert_msg(rc == 0, "create: %s", err.msg);
    return r;
}

static uint32_t rd(struct rig *r, unsigned off)
{
    uint64_t v = 0;
    ck_assert_int_eq(virtio_mmio_model.read(r->dev, 0, off, 4, &v), BUS_OK);
    return (uint32_t)v;
}

static void wr(struct rig *r, unsigned off, uint32_t v)
{
    ck_assert_int_eq(virtio_mmio_model.write(r->dev, 0, off, 4, v), BUS_OK);
}

static void poke(struct rig *r, uint64_t addr, const void *p, size_t n)
{
    ck_assert_int_eq(bus_write_block(&r->bus, addr, p, n, false), 0);
}

static void peek(struct rig *r, uint64_t addr, void *p, size_t n)
{
    ck_assert_int_eq(bus_read_block(&r->bus, addr, p, n), 0);
}

static void poke16(struct rig *r, uint64_t addr, uint16_t v)
{
    ck_assert_int_eq(bus_write(&r->bus, addr, 2, v), 0);
}

static uint64_t peekn(struct rig *r, uint64_t addr, unsigned size)
{
    uint64_t v = 0;
    ck_assert_int_eq(bus_read(&r->bus, addr, size, &v), 0);
    return v;
}

/* Driver initialisation (3.1.1), queues set up in both layouts (4.2.3.2,
 * 4.2.4). Legacy rings: PFN DESC/4096, align 4096, so the used ring lands
 * on the page after the descriptors and avail ring, i.e. at AVAIL. */
static void driver_init(struct rig *r, unsigned nqueues)
{
    ck_assert_uint_eq(rd(r, MAGIC), 0x74726976);
    ck_assert_uint_eq(rd(r, VERSION), r->version);
    wr(r, STATUS, 0);
    wr(r, STATUS, S_ACK);
    wr(r, STATUS, S_ACK | S_DRIVER);
    wr(r, DEV_FEAT_SEL, 0);
    uint32_t lo = rd(r, DEV_FEAT);
    wr(r, DEV_FEAT_SEL, 1);
    uint32_t hi = rd(r, DEV_FEAT);
    wr(r, DRV_FEAT_SEL, 0);
    wr(r, DRV_FEAT, lo);
    wr(r, DRV_FEAT_SEL, 1);
    wr(r, DRV_FEAT, hi);
    if (r->version == 2) {
        ck_assert_uint_eq(hi & 1, 1);            /* VERSION_1 */
        wr(r, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
        ck_assert_uint_eq(rd(r, STATUS) & S_FEATURES_OK, S_FEATURES_OK);
    } else {
        ck_assert_uint_eq(hi, 0);
        wr(r, PAGE_SIZE, 4096);
    }
    r->avail_idx = 0;
    for (unsigned q = 0; q < nqueues; q++) {
        uint64_t base = DESC + 0x10000ull * q;
        static const uint8_t zero[4] = { 0 };
        poke(r, base + 0x100, zero, 4);         /* fresh avail and used rings */
        poke(r, base + 0x1000, zero, 4);
        wr(r, QUEUE_SEL, q);
        ck_assert_uint_eq(rd(r, QUEUE_NUM_MAX), 256);
        wr(r, QUEUE_NUM, QSIZE);
        if (r->version == 2) {
            ck_assert_uint_eq(rd(r, QUEUE_READY), 0);
            wr(r, DESC_LO, (uint32_t)base);
            wr(r, DESC_HI, 0);
            wr(r, DRIVER_LO, (uint32_t)(base + 0x1000 - 0x1000 + 0x100));
            wr(r, DRIVER_HI, 0);
            wr(r, DEVICE_LO, (uint32_t)(base + 0x1000));
            wr(r, DEVICE_HI, 0);
            wr(r, QUEUE_READY, 1);
            ck_assert_uint_eq(rd(r, QUEUE_READY), 1);
        } else {
            wr(r, QUEUE_ALIGN, 4096);
            wr(r, QUEUE_PFN, (uint32_t)(base / 4096));
            ck_assert_uint_eq(rd(r, QUEUE_PFN), base / 4096);
        }
    }
    uint32_t st = rd(r, STATUS);
    wr(r, STATUS, st | S_DRIVER_OK);
}

/* Both layouts put queue q's descriptors at DESC + q*0x10000, the avail
 * ring 0x100 after them and the used ring 0x1000 after them. */
static uint64_t qdesc(unsigned q) { return DESC + 0x10000ull * q; }
static uint64_t qavail(unsigned q) { return qdesc(q) + 0x100; }
static uint64_t qused(unsigned q) { return qdesc(q) + 0x1000; }

static void put_desc(struct rig *r, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
    uint8_t d[16];
    for (int k = 0; k < 8; k++)
        d[k] = (uint8_t)(addr >> (8 * k));
    for (int k = 0; k < 4; k++)
        d[8 + k] = (uint8_t)(len >> (8 * k));
    d[12] = (uint8_t)flags;
    d[13] = (uint8_t)(flags >> 8);
    d[14] = (uint8_t)next;
    d[15] = (uint8_t)(next >> 8);
    poke(r, table + 16u * i, d, sizeof d);
}

/* Publish head on queue q and notify. */
static void kick(struct rig *r, unsigned q, uint16_t head)
{
    poke16(r, qavail(q) + 4 + 2u * (r->avail_idx % QSIZE), head);
    r->avail_idx++;
    poke16(r, qavail(q) + 2, r->avail_idx);
    wr(r, QUEUE_NOTIFY, q);
}

static uint16_t used_idx(struct rig *r, unsigned q)
{
    return (uint16_t)peekn(r, qused(q) + 2, 2);
}

static uint32_t used_len(struct rig *r, unsigned q, uint16_t n)
{
    return (uint32_t)peekn(r, qused(q) + 4 + 8u * (n % QSIZE) + 4, 4);
}

static uint32_t used_id(struct rig *r, unsigned q, uint16_t n)
{
    return (uint32_t)peekn(r, qused(q) + 4 + 8u * (n % QSIZE), 4);
}

static void ack(struct rig *r)
{
    uint32_t isr = rd(r, INT_STATUS);
    wr(r, INT_ACK, isr);
    ck_assert_uint_eq(rd(r, INT_STATUS), 0);
    ck_assert(!r->sink.level);
}

/* ---- block ----------------------------------------------------------- */

static struct rig *blk_rig(unsigned version, bool ro, unsigned sectors)
{
    char name[64];
    snprintf(name, sizeof name, "/tmp/orrery-virtio-XXXXXX");
    int fd = mkstemp(name);
    ck_assert_int_ge(fd, 0);
    uint8_t sec[512];
    for (unsigned s = 0; s < sectors; s++) {
        memset(sec, (int)(0xA0 + s), sizeof sec);
        ck_assert_int_eq(write(fd, sec, sizeof sec), 512);
    }
    close(fd);
    char spec[96];
    snprintf(spec, sizeof spec, "blk:%s%s", name, ro ? ",ro" : "");
    struct rig *r = rig_new(version, spec);
    snprintf(r->image, sizeof r->image, "%s", name);
    return r;
}

/* A request: header at BUF, data at BUF+0x100 (len), status at BUF+0x80. */
static uint8_t blk_request(struct rig *r, uint32_t type, uint64_t sector, uint32_t len,
                           bool indirect)
{
    uint8_t hdr[16] = { 0 };
    hdr[0] = (uint8_t)type;
    for (int k = 0; k < 8; k++)
        hdr[8 + k] = (uint8_t)(sector >> (8 * k));
    poke(r, BUF, hdr, sizeof hdr);
    uint8_t status = 0xEE;
    poke(r, BUF + 0x80, &status, 1);
    bool data_in = type == 0 || type == 8;
    uint64_t table = indirect ? INDIRECT : qdesc(0);
    unsigned n = 0;
    put_desc(r, table, n, BUF, 16, F_NEXT, (uint16_t)(n + 1));
    n++;
    if (len) {
        put_desc(r, table, n, BUF + 0x100, len, (uint16_t)(F_NEXT | (data_in ? F_WRITE : 0)),
                 (uint16_t)(n + 1));
        n++;
    }
    put_desc(r, table, n, BUF + 0x80, 1, F_WRITE, 0);
    n++;
    if (indirect)
        put_desc(r, qdesc(0), 0, INDIRECT, 16u * n, F_INDIRECT, 0);
    uint16_t before = used_idx(r, 0);
    kick(r, 0, 0);
    ck_assert_uint_eq(used_idx(r, 0), (uint16_t)(before + 1));
    ck_assert_uint_eq(used_id(r, 0, before), 0);
    ck_assert(r->sink.level);
    ck_assert_uint_eq(rd(r, INT_STATUS), 1);
    ack(r);
    peek(r, BUF + 0x80, &status, 1);
    return status;
}

static void blk_read_write_flush(unsigned version)
{
    struct rig *r = blk_rig(version, false, 8);
    ck_assert_uint_eq(rd(r, DEVICE_ID), 2);
    ck_assert_uint_eq(rd(r, VENDOR), 0x554D4551);
    driver_init(r, 1);
    ck_assert_uint_eq(rd(r, CONFIG), 8);          /* capacity */
    ck_assert_uint_eq(rd(r, CONFIG + 4), 0);
    ck_assert_uint_eq(rd(r, CONFIG + 20), 512);   /* blk_size */
    ck_assert_uint_eq(rd(r, CONFIG + 12), 254);   /* seg_max */
    wr(r, DEV_FEAT_SEL, 0);
    ck_assert_uint_eq(rd(r, DEV_FEAT) & (1u << 5), 0);

    /* read sectors 2..3 */
    ck_assert_uint_eq(blk_request(r, 0, 2, 1024, false), 0);
    ck_assert_uint_eq(used_len(r, 0, 0), 1025);
    ck_assert_uint_eq(peekn(r, BUF + 0x100, 1), 0xA2);
    ck_assert_uint_eq(peekn(r, BUF + 0x100 + 600, 1), 0xA3);
    /* write sector 5 through an indirect table */
    uint8_t data[512];
    memset(data, 0x5A, sizeof data);
    poke(r, BUF + 0x100, data, sizeof data);
    ck_assert_uint_eq(blk_request(r, 1, 5, 512, true), 0);
    ck_assert_uint_eq(used_len(r, 0, 1), 1);
    /* flush */
    ck_assert_uint_eq(blk_request(r, 4, 0, 0, false), 0);
    /* get id: the image's base name */
    ck_assert_uint_eq(blk_request(r, 8, 0, 20, false), 0);
    char id[21] = { 0 };
    peek(r, BUF + 0x100, id, 20);
    ck_assert_str_eq(id, strrchr(r->image, '/') + 1);
    /* out of range: the last sector plus one, and past the end */
    ck_assert_uint_eq(blk_request(r, 0, 7, 1024, false), 1);
    ck_assert_uint_eq(blk_request(r, 0, 8, 512, false), 1);
    ck_assert_uint_eq(blk_request(r, 1, ~0ull, 512, false), 1);
    /* unknown request type */
    ck_assert_uint_eq(blk_request(r, 99, 0, 0, false), 2);

    /* the host file changed where written, and only there */
    FILE *f = fopen(r->image, "rb");
    ck_assert_ptr_nonnull(f);
    uint8_t img[8 * 512];
    ck_assert_uint_eq(fread(img, 1, sizeof img, f), sizeof img);
    fclose(f);
    for (unsigned s = 0; s < 8; s++)
        for (unsigned i = 0; i < 512; i += 97)
            ck_assert_uint_eq(img[s * 512 + i], s == 5 ? 0x5A : 0xA0 + s);
    rig_free(r);
}

START_TEST(blk_modern) { blk_read_write_flush(2); }
END_TEST

START_TEST(blk_legacy) { blk_read_write_flush(1); }
END_TEST

START_TEST(blk_default_is_modern)
{
    struct rig *r = blk_rig(0, false, 1);
    ck_assert_uint_eq(rd(r, VERSION), 2);
    rig_free(r);
}
END_TEST

START_TEST(blk_read_only)
{
    struct rig *r = blk_rig(2, true, 4);
    wr(r, DEV_FEAT_SEL, 0);
    ck_assert_uint_eq(rd(r, DEV_FEAT) & (1u << 5), 1u << 5);
    driver_init(r, 1);
    uint8_t data[512];
    memset(data, 0x11, sizeof data);
    poke(r, BUF + 0x100, data, sizeof data);
    ck_assert_uint_eq(blk_request(r, 1, 1, 512, false), 1);
    ck_assert_uint_eq(blk_request(r, 0, 1, 512, false), 0);
    ck_assert_uint_eq(peekn(r, BUF + 0x100, 1), 0xA1);
    rig_free(r);
}
END_TEST

START_TEST(blk_host_error_is_ioerr)
{
    struct rig *r = blk_rig(2, false, 4);
    driver_init(r, 1);
    /* the image shrinks under the device: a read past the host file's end */
    ck_assert_int_eq(truncate(r->image, 512), 0);
    ck_assert_uint_eq(blk_request(r, 0, 2, 512, false), 1);
    ck_assert_uint_ge(r->logged, 1);
    ck_assert_ptr_nonnull(strstr(r->last_log, "read"));
    ck_assert_uint_eq(rd(r, STATUS) & S_NEEDS_RESET, 0);
    ck_assert_uint_eq(blk_request(r, 0, 0, 512, false), 0);
    rig_free(r);
}
END_TEST

START_TEST(blk_bad_specs)
{
    struct orr_error err = { { 0 } };
    int rc;
    struct rig *r = rig_try(2, "blk:/nonexistent/orrery.img", CLOCK_MODE_VIRTUAL, &err, &rc);
    ck_assert_int_ne(rc, 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/orrery.img"));
    r->dev = NULL;
    rig_free(r);
    r = rig_try(2, "blk:/dev/null,rw", CLOCK_MODE_VIRTUAL, &err, &rc);
    ck_assert_int_ne(rc, 0);
    r->dev = NULL;
    rig_free(r);
    r = rig_try(2, "scsi", CLOCK_MODE_VIRTUAL, &err, &rc);
    ck_assert_int_ne(rc, 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "unknown virtio device"));
    r->dev = NULL;
    rig_free(r);
    r = rig_try(3, NULL, CLOCK_MODE_VIRTUAL, &err, &rc);
    ck_assert_int_ne(rc, 0);
    r->dev = NULL;
    rig_free(r);
}
END_TEST

/* ---- empty transport --------------------------------------------------- */

START_TEST(empty_transport)
{
    struct rig *r = rig_new(0, NULL);
    ck_assert_uint_eq(rd(r, MAGIC), 0x74726976);
    ck_assert_uint_eq(rd(r, VERSION), 2);
    ck_assert_uint_eq(rd(r, DEVICE_ID), 0);
    ck_assert_uint_eq(rd(r, QUEUE_NUM_MAX), 0);
    wr(r, QUEUE_NOTIFY, 0);
    uint64_t v;
    ck_assert_int_eq(virtio_mmio_model.read(r->dev, 0, MAGIC, 2, &v), BUS_ERROR);
    ck_assert_int_eq(virtio_mmio_model.read(r->dev, 0, CONFIG, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0);
    ck_assert(!r->sink.level);
    rig_free(r);
}
END_TEST

/* ---- console ----------------------------------------------------------- */

static void console_io(unsigned version)
{
    struct rig *r = rig_new(version, "console");
    ck_assert_uint_eq(rd(r, DEVICE_ID), 3);
    driver_init(r, 2);
    /* transmit: two readable segments */
    poke(r, BUF, "hello, ", 7);
    poke(r, BUF + 0x40, "world", 5);
    put_desc(r, qdesc(1), 0, BUF, 7, F_NEXT, 1);
    put_desc(r, qdesc(1), 1, BUF + 0x40, 5, 0, 0);
    wr(r, QUEUE_SEL, 1);
    poke16(r, qavail(1) + 4, 0);
    poke16(r, qavail(1) + 2, 1);
    wr(r, QUEUE_NOTIFY, 1);
    ck_assert_uint_eq(r->out_len, 12);
    ck_assert_int_eq(memcmp(r->out, "hello, world", 12), 0);
    ck_assert_uint_eq(used_idx(r, 1), 1);
    ck_assert(r->sink.level);
    ack(r);
    /* receive: a buffer posted first, then host input arrives */
    put_desc(r, qdesc(0), 0, BUF + 0x200, 64, F_WRITE, 0);
    kick(r, 0, 0);
    ck_assert_uint_eq(used_idx(r, 0), 0);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(chardev_push(&r->cd, (const uint8_t *)"ls\n", 3), 3);
    ck_assert_uint_eq(used_idx(r, 0), 1);
    ck_assert_uint_eq(used_len(r, 0, 0), 3);
    char got[4] = { 0 };
    peek(r, BUF + 0x200, got, 3);
    ck_assert_str_eq(got, "ls\n");
    ck_assert(r->sink.level);
    ack(r);
    /* input waiting before a buffer: delivered at notify */
    ck_assert_uint_eq(chardev_push(&r->cd, (const uint8_t *)"xy", 2), 2);
    ck_assert_uint_eq(used_idx(r, 0), 1);
    kick(r, 0, 0);
    ck_assert_uint_eq(used_idx(r, 0), 2);
    ck_assert_uint_eq(used_len(r, 0, 1), 2);
    rig_free(r);
}

START_TEST(console_modern) { console_io(2); }
END_TEST

START_TEST(console_legacy) { console_io(1); }
END_TEST

/* ---- rng --------------------------------------------------------------- */

static void rng_read(struct rig *r, uint8_t *out, uint32_t len)
{
    put_desc(r, qdesc(0), 0, BUF, len, F_WRITE, 0);
    uint16_t before = used_idx(r, 0);
    kick(r, 0, 0);
    ck_assert_uint_eq(used_idx(r, 0), (uint16_t)(before + 1));
    ck_assert_uint_eq(used_len(r, 0, before), len);
    peek(r, BUF, out, len);
    ack(r);
}

START_TEST(rng_virtual_is_reproducible)
{
    struct rig *a = rig_new(2, "rng");
    struct rig *b = rig_new(1, "rng");
    ck_assert_uint_eq(rd(a, DEVICE_ID), 4);
    driver_init(a, 1);
    driver_init(b, 1);
    uint8_t x[64], y[64], z[64];
    memset(x, 0, sizeof x);
    rng_read(a, x, 64);
    rng_read(b, y, 64);
    ck_assert_int_eq(memcmp(x, y, 64), 0);
    unsigned zeros = 0;
    for (unsigned i = 0; i < 64; i++)
        zeros += x[i] == 0;
    ck_assert_uint_lt(zeros, 8);
    rng_read(a, z, 64);
    ck_assert_int_ne(memcmp(x, z, 64), 0);
    /* a device reset restarts the sequence */
    driver_init(a, 1);
    rng_read(a, z, 64);
    ck_assert_int_eq(memcmp(x, z, 64), 0);
    rig_free(a);
    rig_free(b);
}
END_TEST

START_TEST(rng_realtime_differs)
{
    struct orr_error err = { { 0 } };
    int rc;
    struct rig *a = rig_try(2, "rng", CLOCK_MODE_REALTIME, &err, &rc);
    ck_assert_int_eq(rc, 0);
    struct rig *b = rig_new(2, "rng");
    driver_init(a, 1);
    driver_init(b, 1);
    uint8_t x[32], y[32];
    rng_read(a, x, 32);
    rng_read(b, y, 32);
    ck_assert_int_ne(memcmp(x, y, 32), 0);
    rig_free(a);
    rig_free(b);
}
END_TEST

/* ---- malformed rings ----------------------------------------------------- */

enum bad { LOOP, HEAD_RANGE, NEXT_RANGE, TOO_LONG, OUTSIDE_RAM, AVAIL_JUMP,
           NESTED_INDIRECT, INDIRECT_BAD_LEN, READ_AFTER_WRITE, RING_OUTSIDE_RAM };

static void malformed(enum bad kind)
{
    struct rig *r = rig_new(2, "rng");
    driver_init(r, 1);
    uint16_t head = 0;
    switch (kind) {
    case LOOP:
        put_desc(r, qdesc(0), 0, BUF, 8, F_WRITE | F_NEXT, 1);
        put_desc(r, qdesc(0), 1, BUF + 8, 8, F_WRITE | F_NEXT, 0);
        break;
    case HEAD_RANGE:
        head = QSIZE;
        break;
    case NEXT_RANGE:
        put_desc(r, qdesc(0), 0, BUF, 8, F_WRITE | F_NEXT, QSIZE + 3);
        break;
    case TOO_LONG:
        /* an indirect table of 17 chained entries in a 16-entry queue */
        for (unsigned i = 0; i < 17; i++)
            put_desc(r, INDIRECT, i, BUF, 4, (uint16_t)(F_WRITE | (i < 16 ? F_NEXT : 0)),
                     (uint16_t)(i + 1));
        put_desc(r, qdesc(0), 0, INDIRECT, 17 * 16, F_INDIRECT, 0);
        break;
    case OUTSIDE_RAM:
        put_desc(r, qdesc(0), 0, RAM + RAM_SIZE - 4, 8, F_WRITE, 0);
        break;
    case AVAIL_JUMP:
        put_desc(r, qdesc(0), 0, BUF, 8, F_WRITE, 0);
        r->avail_idx = 40;                       /* 41 entries in a 16-entry ring */
        break;
    case NESTED_INDIRECT:
        put_desc(r, INDIRECT, 0, INDIRECT, 16, F_INDIRECT, 0);
        put_desc(r, qdesc(0), 0, INDIRECT, 16, F_INDIRECT, 0);
        break;
    case INDIRECT_BAD_LEN:
        put_desc(r, qdesc(0), 0, INDIRECT, 20, F_INDIRECT, 0);
        break;
    case READ_AFTER_WRITE:
        put_desc(r, qdesc(0), 0, BUF, 8, F_WRITE | F_NEXT, 1);
        put_desc(r, qdesc(0), 1, BUF + 8, 8, 0, 0);
        break;
    case RING_OUTSIDE_RAM:
        break;
    }
    if (kind == RING_OUTSIDE_RAM) {
        /* a queue whose rings the driver put in unmapped space */
        wr(r, STATUS, 0);
        ck_assert_uint_eq(rd(r, STATUS), 0);
        wr(r, STATUS, S_ACK | S_DRIVER);
        wr(r, DRV_FEAT_SEL, 1);
        wr(r, DRV_FEAT, 1);
        wr(r, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
        wr(r, QUEUE_SEL, 0);
        wr(r, QUEUE_NUM, QSIZE);
        wr(r, DESC_LO, 0x1000);
        wr(r, DRIVER_LO, 0x2000);
        wr(r, DEVICE_LO, 0x3000);
        wr(r, QUEUE_READY, 1);
        wr(r, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
        wr(r, QUEUE_NOTIFY, 0);
    } else {
        kick(r, 0, head);
    }
    ck_assert_msg(rd(r, STATUS) & S_NEEDS_RESET, "kind %d", kind);
    ck_assert_uint_eq(rd(r, INT_STATUS) & 2, 2);
    ck_assert(r->sink.level);
    if (kind != RING_OUTSIDE_RAM)
        ck_assert_uint_eq(used_idx(r, 0), 0);
    /* further notifies do nothing; a reset recovers the device */
    wr(r, QUEUE_NOTIFY, 0);
    wr(r, STATUS, 0);
    ck_assert_uint_eq(rd(r, STATUS), 0);
    ck_assert(!r->sink.level);
    driver_init(r, 1);
    uint8_t x[16];
    rng_read(r, x, 16);
    rig_free(r);
}

START_TEST(malformed_rings)
{
    for (int k = LOOP; k <= RING_OUTSIDE_RAM; k++)
        malformed((enum bad)k);
}
END_TEST

START_TEST(features_ok_needs_version_1)
{
    struct rig *r = rig_new(2, "rng");
    wr(r, STATUS, S_ACK | S_DRIVER);
    wr(r, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    ck_assert_uint_eq(rd(r, STATUS) & S_FEATURES_OK, 0);
    wr(r, DRV_FEAT_SEL, 1);
    wr(r, DRV_FEAT, 1 | 2);                       /* an unoffered bit */
    wr(r, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    ck_assert_uint_eq(rd(r, STATUS) & S_FEATURES_OK, 0);
    wr(r, DRV_FEAT, 1);
    wr(r, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    ck_assert_uint_eq(rd(r, STATUS) & S_FEATURES_OK, S_FEATURES_OK);
    rig_free(r);
}
END_TEST

START_TEST(no_interrupt_flag_and_queue_stop)
{
    struct rig *r = rig_new(1, "rng");
    driver_init(r, 1);
    poke16(r, qavail(0), 1);                     /* VIRTQ_AVAIL_F_NO_INTERRUPT */
    put_desc(r, qdesc(0), 0, BUF, 8, F_WRITE, 0);
    kick(r, 0, 0);
    ck_assert_uint_eq(used_idx(r, 0), 1);
    ck_assert_uint_eq(rd(r, INT_STATUS), 0);
    ck_assert(!r->sink.level);
    /* legacy: QueuePFN 0 stops the queue */
    wr(r, QUEUE_SEL, 0);
    wr(r, QUEUE_PFN, 0);
    ck_assert_uint_eq(rd(r, QUEUE_PFN), 0);
    kick(r, 0, 0);
    ck_assert_uint_eq(used_idx(r, 0), 1);
    ck_assert_uint_eq(rd(r, STATUS) & S_NEEDS_RESET, 0);
    /* modern-only registers read 0 in the legacy layout */
    ck_assert_uint_eq(rd(r, QUEUE_READY), 0);
    ck_assert_uint_eq(rd(r, CONFIG_GEN), 0);
    rig_free(r);
}
END_TEST

/* ---- save / load --------------------------------------------------------- */

static void round_trip(unsigned version)
{
    struct rig *a = rig_new(version, "rng");
    driver_init(a, 1);
    uint8_t x[32], y[32];
    rng_read(a, x, 32);
    put_desc(a, qdesc(0), 0, BUF, 32, F_WRITE, 0);
    poke16(a, qavail(0) + 4 + 2u * (a->avail_idx % QSIZE), 0);
    poke16(a, qavail(0) + 2, (uint16_t)(a->avail_idx + 1));

    struct state_writer w;
    state_writer_init(&w);
    state_begin(&w, "virtio", virtio_mmio_model.state_version);
    ck_assert_int_eq(virtio_mmio_model.save(a->dev, &w), 0);
    state_end(&w);
    struct orr_error err = { { 0 } };
    ck_assert_msg(state_writer_finish(&w, &err) == 0, "%s", err.msg);

    struct rig *b = rig_new(version, "rng");
    memcpy(b->fdt, a->fdt, 1024);
    /* the guest RAM is the machine's to save; copy it over */
    uint8_t *ram = malloc(RAM_SIZE);
    peek(a, RAM, ram, RAM_SIZE);
    poke(b, RAM, ram, RAM_SIZE);
    free(ram);
    struct state_reader sr;
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "virtio"), 0);
    ck_assert_msg(virtio_mmio_model.load(b->dev, &sr, &err) == 0, "load: %s", err.msg);
    for (unsigned off = 0; off < CONFIG; off += 4)
        if (off != QUEUE_NOTIFY && off != INT_ACK)
            ck_assert_msg(rd(a, off) == rd(b, off), "register 0x%03x", off);
    /* both continue identically: same ring position, same generator */
    wr(a, QUEUE_NOTIFY, 0);
    peek(a, BUF, x, 32);
    wr(b, QUEUE_NOTIFY, 0);
    peek(b, BUF, y, 32);
    ck_assert_int_eq(memcmp(x, y, 32), 0);
    ck_assert_uint_eq(used_idx(a, 0), used_idx(b, 0));
    ck_assert_uint_eq(used_idx(b, 0), 2);

    /* a section for a different device kind is refused */
    struct rig *c = rig_new(version, "console");
    ck_assert_int_eq(state_reader_find(&sr, "virtio"), 0);
    ck_assert_int_ne(virtio_mmio_model.load(c->dev, &sr, &err), 0);
    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
    rig_free(c);
}

START_TEST(save_load_modern) { round_trip(2); }
END_TEST

START_TEST(save_load_legacy) { round_trip(1); }
END_TEST

/* ---- on the arm-virt board -------------------------------------------- */

static int board_machine(const char *const *backends, unsigned n, struct machine **m,
                         struct orr_error *err)
{
    const struct builtin_board *b = builtin_board_find("arm-virt");
    ck_assert_ptr_nonnull(b);
    struct machine_config cfg = {
        .dtb = b->dtb, .dtb_size = b->dtb_size, .board_name = b->name,
        .clock_mode = CLOCK_MODE_VIRTUAL, .backends = backends, .nbackends = n,
    };
    return machine_create(&cfg, m, err);
}

START_TEST(arm_virt_slots)
{
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(board_machine(NULL, 0, &m, &err) == 0, "%s", err.msg);
    for (unsigned n = 0; n < 32; n++) {
        uint64_t v = 0;
        ck_assert_int_eq(bus_read(&m->bus, 0x0a000000 + 0x200u * n, 4, &v), 0);
        ck_assert_uint_eq(v, 0x74726976);
        ck_assert_int_eq(bus_read(&m->bus, 0x0a000008 + 0x200u * n, 4, &v), 0);
        ck_assert_uint_eq(v, 0);
    }
    ck_assert_uint_eq(m->nserial, 1);
    machine_destroy(m);

    static const char *const two[] = { "rng", "console" };
    ck_assert_msg(board_machine(two, 2, &m, &err) == 0, "%s", err.msg);
    uint64_t v = 0;
    ck_assert_int_eq(bus_read(&m->bus, 0x0a000008, 4, &v), 0);
    ck_assert_uint_eq(v, 4);
    ck_assert_int_eq(bus_read(&m->bus, 0x0a000208, 4, &v), 0);
    ck_assert_uint_eq(v, 3);
    ck_assert_int_eq(bus_read(&m->bus, 0x0a000408, 4, &v), 0);
    ck_assert_uint_eq(v, 0);
    ck_assert_uint_eq(m->nserial, 2);     /* the console took serial port 1 */
    machine_destroy(m);

    const char *many[33];
    for (unsigned i = 0; i < 33; i++)
        many[i] = "rng";
    m = NULL;
    ck_assert_int_ne(board_machine(many, 33, &m, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "virtio-mmio slots"));
    static const char *const missing[] = { "blk:/nonexistent/x.img" };
    ck_assert_int_ne(board_machine(missing, 1, &m, &err), 0);
}
END_TEST

static Suite *virtio_suite(void)
{
    Suite *s = suite_create("virtio");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, empty_transport);
    tcase_add_test(tc, blk_modern);
    tcase_add_test(tc, blk_legacy);
    tcase_add_test(tc, blk_default_is_modern);
    tcase_add_test(tc, blk_read_only);
    tcase_add_test(tc, blk_bad_specs);
    tcase_add_test(tc, blk_host_error_is_ioerr);
    tcase_add_test(tc, console_modern);
    tcase_add_test(tc, console_legacy);
    tcase_add_test(tc, rng_virtual_is_reproducible);
    tcase_add_test(tc, rng_realtime_differs);
    tcase_add_test(tc, malformed_rings);
    tcase_add_test(tc, features_ok_needs_version_1);
    tcase_add_test(tc, no_interrupt_flag_and_queue_stop);
    tcase_add_test(tc, save_load_modern);
    tcase_add_test(tc, save_load_legacy);
    tcase_add_test(tc, arm_virt_slots);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(virtio_suite());
}
