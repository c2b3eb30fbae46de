/* CFI parallel NOR flash, Intel command set (CFI primary vendor command set
 * 0001, "Intel/Sharp extended"), as QEMU 7.2's pflash_cfi01 behaves on the
 * `virt` machine: each `reg` window is a bank of two x16 devices side by
 * side on a 32-bit bus (bank-width 4, device-width 2), 256 KiB erase
 * blocks, manufacturer 0x89, device 0x18. References: JEDEC JESD68.01
 * (Common Flash Interface), the Intel StrataFlash (J3) datasheet's command
 * table (read array 0xff, read identifier 0x90, CFI query 0x98, read status
 * 0x70, clear status 0x50, block erase 0x20/0xd0, word program 0x40 or
 * 0x10, buffered write 0xe8/N/data/0xd0, block lock 0x60/0x01, unlock
 * 0x60/0xd0).
 *
 * Where QEMU's model is simpler than a real part this one follows QEMU, so
 * firmware sees the same answers: program stores the value (it does not
 * AND it into the old contents), every operation completes at once (status
 * 0x80, ready), lock commands are accepted but nothing is ever locked (the
 * block lock status read with 0x90 at word 2 is 0), and a block erase
 * happens on the 0x20 setup write already (a real part waits for the 0xd0
 * confirm; firmware that confirms cannot tell the difference).
 *
 * Speed. The bus has no region that is ROM for reads and MMIO for writes,
 * so both banks are MMIO all the time: reads in read-array mode come from
 * the bank's storage through this model, and code run from flash is
 * fetched through the bus and decoded on every execution. Firmware that
 * copies itself to RAM (as boot loaders do) runs at full speed from there.
 *
 * No backing file: the contents start as zeros, as QEMU's do without a
 * drive, and writes stay in memory. Save states hold the banks' contents
 * (only banks that were ever loaded or written). */
#include "machine/devices/cfi_flash.h"

#include <libfdt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/log.h"
#include "machine/device.h"
#include "machine/state.h"

#define MAX_BANKS 2
#define MAX_BANK_SIZE (256ull << 20)
#define BANK_WIDTH 4                 /* bytes on the bus */
#define DEVICE_WIDTH 2               /* each part is x16 */
#define NUM_DEVICES (BANK_WIDTH / DEVICE_WIDTH)
#define CFI_TABLE_LEN 0x40
#define ID_MANUFACTURER 0x89
#define ID_DEVICE 0x18

#define STATUS_READY 0x80
#define STATUS_ERASE_ERROR 0x20
#define STATUS_PROGRAM_ERROR 0x10

/* Command codes (first write cycle). */
enum {
    CMD_READ_ARRAY = 0x00,           /* the model's own "no command" */
    CMD_PROGRAM_ALT = 0x10,
    CMD_ERASE = 0x20,
    CMD_PROGRAM = 0x40,
    CMD_CLEAR_STATUS = 0x50,
    CMD_LOCK = 0x60,
    CMD_READ_STATUS = 0x70,
    CMD_READ_ID = 0x90,
    CMD_CFI_QUERY = 0x98,
    CMD_CONFIRM = 0xd0,
    CMD_BUFFERED_WRITE = 0xe8,
    CMD_AMD_PROBE = 0xf0,
    CMD_READ_ARRAY_FF = 0xff,
};

struct bank {
    uint8_t *storage;
    uint64_t size;
    bool touched;                /* loaded or written: saved in save states */
    uint8_t cmd;                 /* the command being served */
    uint8_t wcycle;              /* write cycle within it */
    uint8_t status;
    uint32_t counter;            /* buffered write: words still to come, minus one */
    uint8_t cfi[CFI_TABLE_LEN];
};

struct cfi_flash {
    char path[96];
    const struct logger *log;
    unsigned nbanks;
    struct bank banks[MAX_BANKS];
};

/* The CFI query table of one device (JESD68.01 tables 1-4), for a bank of
 * `size` bytes made of NUM_DEVICES interleaved parts. */
static void build_cfi(struct bank *b)
{
    uint8_t *t = b->cfi;
    uint32_t blocks = (uint32_t)(b->size / CFI_FLASH_SECTOR_SIZE);
    uint32_t sector_per_device = CFI_FLASH_SECTOR_SIZE / NUM_DEVICES;
    uint64_t device_len = (uint64_t)sector_per_device * blocks;
    memset(t, 0, CFI_TABLE_LEN);
    t[0x10] = 'Q'; t[0x11] = 'R'; t[0x12] = 'Y';
    t[0x13] = 0x01; t[0x14] = 0x00;          /* primary command set: Intel */
    t[0x15] = 0x31; t[0x16] = 0x00;          /* primary extended table at 0x31 */
    t[0x1b] = 0x45; t[0x1c] = 0x55;          /* Vcc 4.5-5.5 V */
    t[0x1f] = 0x07;                          /* typical word program 2^7 us */
    t[0x20] = 0x07;                          /* typical buffer write 2^7 us */
    t[0x21] = 0x0a;                          /* typical block erase 2^10 ms */
    t[0x23] = 0x04; t[0x24] = 0x04; t[0x25] = 0x04;   /* maximum: x 2^4 */
    t[0x27] = (uint8_t)__builtin_ctzll(device_len);   /* device size 2^n */
    t[0x28] = 0x02; t[0x29] = 0x00;          /* x8/x16 interface */
    t[0x2a] = 0x0b;                          /* write buffer 2^11 bytes per device */
    t[0x2c] = 0x01;                          /* one erase block region */
    t[0x2d] = (uint8_t)(blocks - 1);
    t[0x2e] = (uint8_t)((blocks - 1) >> 8);
    t[0x2f] = (uint8_t)(sector_per_device >> 8);
    t[0x30] = (uint8_t)(sector_per_device >> 16);
    t[0x31] = 'P'; t[0x32] = 'R'; t[0x33] = 'I';
    t[0x34] = '1'; t[0x35] = '0';            /* extended table version 1.0 */
    t[0x3f] = 0x01;                          /* protection fields */
}

static void read_array(struct bank *b)
{
    b->cmd = CMD_READ_ARRAY;
    b->wcycle = 0;
}

/* A per-device answer repeated for each device of the bank (device 0 in the
 * low half of the bus). Query addresses count bus words: word n is at byte
 * offset n * BANK_WIDTH. */
static uint32_t replicate(uint32_t per_device)
{
    return (per_device & 0xffffu) | (per_device & 0xffffu) << 16;
}

static uint32_t query_word(const struct bank *b, uint64_t offset)
{
    uint64_t word = offset / BANK_WIDTH;
    if (b->cmd == CMD_CFI_QUERY)
        return word < CFI_TABLE_LEN ? replicate(b->cfi[word]) : 0;
    /* Read identifier: word 0 manufacturer, 1 device; the rest (2 is a
     * block's lock status) read 0. Only the low 8 address bits select. */
    switch (word & 0xff) {
    case 0: return replicate(ID_MANUFACTURER);
    case 1: return replicate(ID_DEVICE);
    default: return 0;
    }
}

static uint64_t read_value(struct bank *b, uint64_t offset, unsigned size)
{
    switch (b->cmd) {
    case CMD_READ_ARRAY: {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= (uint64_t)b->storage[offset + i] << (8 * i);
        return v;
    }
    case CMD_READ_ID:
    case CMD_CFI_QUERY: {
        /* One query per bus word covered, as wide as the access. */
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i += BANK_WIDTH)
            v |= (uint64_t)query_word(b, offset + i) << (8 * i);
        return size < 8 ? v & ((1ull << (8 * size)) - 1) : v;
    }
    default: {
        /* Every other command state reads the status register, one copy
         * per device the access spans. */
        uint64_t v = b->status;
        for (unsigned shift = 8 * DEVICE_WIDTH; shift + 8 * DEVICE_WIDTH <= 8 * size;
             shift += 8 * DEVICE_WIDTH)
            v |= (uint64_t)b->status << shift;
        return v;
    }
    }
}

static struct bank *bank_for(struct cfi_flash *f, unsigned window, uint64_t offset,
                             unsigned size)
{
    if (window >= f->nbanks || (size != 1 && size != 2 && size != 4 && size != 8))
        return NULL;
    struct bank *b = &f->banks[window];
    return offset < b->size && size <= b->size - offset ? b : NULL;
}

static int flash_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                      uint64_t *value)
{
    struct cfi_flash *f = opaque;
    struct bank *b = bank_for(f, window, offset, size);
    *value = 0;
    if (!b)
        return BUS_ERROR;
    *value = read_value(b, offset, size);
    return BUS_OK;
}

static void program(struct bank *b, uint64_t offset, uint64_t value, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        b->storage[offset + i] = (uint8_t)(value >> (8 * i));
    b->touched = true;
}

static void guest_error(struct cfi_flash *f, const struct bank *b, uint64_t offset,
                        uint64_t value)
{
    log_msg(f->log, LOG_DEV, "%s: unsupported command sequence: 0x%llx at 0x%llx in "
            "command 0x%02x cycle %u; back to read array", f->path,
            (unsigned long long)value, (unsigned long long)offset, b->cmd, b->wcycle);
}

/* The first write of a command (the bus is in read-array, status, identifier
 * or the idle state of a finished command). */
static void first_cycle(struct cfi_flash *f, struct bank *b, uint64_t offset, uint8_t cmd)
{
    switch (cmd) {
    case CMD_READ_ARRAY:
    case CMD_AMD_PROBE:
    case CMD_READ_ARRAY_FF:
        read_array(b);
        return;
    case CMD_CLEAR_STATUS:
        b->status = 0;
        read_array(b);
        return;
    case CMD_READ_STATUS:
    case CMD_READ_ID:
        b->cmd = cmd;           /* a one-cycle command: the next write starts anew */
        b->wcycle = 0;
        return;
    case CMD_ERASE: {
        /* Erased at once, as QEMU does; the confirm only completes it. */
        uint64_t start = offset & ~(uint64_t)(CFI_FLASH_SECTOR_SIZE - 1);
        memset(b->storage + start, 0xff, CFI_FLASH_SECTOR_SIZE);
        b->touched = true;
        b->status |= STATUS_READY;
        break;
    }
    case CMD_PROGRAM:
    case CMD_PROGRAM_ALT:
    case CMD_LOCK:
    case CMD_CFI_QUERY:
        break;
    case CMD_BUFFERED_WRITE:
        b->status |= STATUS_READY;   /* the write buffer is available */
        break;
    default:
        guest_error(f, b, offset, cmd);
        read_array(b);
        return;
    }
    b->cmd = cmd;
    b->wcycle = 1;
}

static int flash_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                       uint64_t value)
{
    struct cfi_flash *f = opaque;
    struct bank *b = bank_for(f, window, offset, size);
    if (!b || size == 8)
        return BUS_ERROR;
    uint8_t cmd = (uint8_t)value;
    if (b->wcycle == 0) {
        first_cycle(f, b, offset, cmd);
        return BUS_OK;
    }
    if (b->wcycle == 1) {
        switch (b->cmd) {
        case CMD_PROGRAM:
        case CMD_PROGRAM_ALT:
            program(b, offset, value, size);
            b->status |= STATUS_READY;
            b->wcycle = 0;           /* reads now return the status */
            return BUS_OK;
        case CMD_ERASE:
            if (cmd == CMD_CONFIRM) {
                b->status |= STATUS_READY;
                b->wcycle = 0;
            } else {
                if (cmd != CMD_READ_ARRAY_FF)
                    guest_error(f, b, offset, value);
                read_array(b);
            }
            return BUS_OK;
        case CMD_LOCK:
            /* 0x01 set lock, 0xd0 clear locks: accepted, nothing locks. */
            if (cmd == 0x01 || cmd == CMD_CONFIRM) {
                b->status |= STATUS_READY;
                b->wcycle = 0;
            } else {
                read_array(b);
            }
            return BUS_OK;
        case CMD_CFI_QUERY:
            /* Query mode holds until read array (0xff). */
            if (cmd == CMD_READ_ARRAY_FF)
                read_array(b);
            return BUS_OK;
        case CMD_BUFFERED_WRITE:
            /* Word count minus one, one device's width of it. */
            b->counter = (uint32_t)value & ((1u << (8 * DEVICE_WIDTH)) - 1);
            b->wcycle = 2;
            return BUS_OK;
        default:
            break;
        }
    } else if (b->wcycle == 2 && b->cmd == CMD_BUFFERED_WRITE) {
        program(b, offset, value, size);
        b->status |= STATUS_READY;
        if (b->counter == 0)
            b->wcycle = 3;
        else
            b->counter--;
        return BUS_OK;
    } else if (b->wcycle == 3 && b->cmd == CMD_BUFFERED_WRITE) {
        if (cmd == CMD_CONFIRM) {
            b->status |= STATUS_READY;
            b->wcycle = 0;
            return BUS_OK;
        }
    }
    guest_error(f, b, offset, value);
    read_array(b);
    return BUS_OK;
}

static void flash_reset(void *opaque)
{
    struct cfi_flash *f = opaque;
    for (unsigned i = 0; i < f->nbanks; i++) {
        read_array(&f->banks[i]);
        f->banks[i].status = STATUS_READY;
        f->banks[i].counter = 0;
    }
}

static void flash_destroy(void *opaque)
{
    struct cfi_flash *f = opaque;
    if (!f)
        return;
    for (unsigned i = 0; i < f->nbanks; i++)
        free(f->banks[i].storage);
    free(f);
}

static int flash_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 1 || ctx->nwindows > MAX_BANKS)
        return orr_fail(err, "%s: cfi-flash needs one or two reg windows (banks)", ctx->path);
    int len;
    const fdt32_t *bw = fdt_getprop(ctx->fdt, ctx->node, "bank-width", &len);
    if (!bw || len != 4 || fdt32_to_cpu(*bw) != BANK_WIDTH)
        return orr_fail(err, "%s: cfi-flash supports bank-width = <%d> only", ctx->path,
                        BANK_WIDTH);
    for (unsigned i = 0; i < ctx->nwindows; i++) {
        uint64_t s = ctx->window_size[i];
        if (s < CFI_FLASH_SECTOR_SIZE || s > MAX_BANK_SIZE || (s & (s - 1)))
            return orr_fail(err, "%s: flash bank %u is 0x%llx bytes; it must be a power of "
                            "two from 256 KiB to 256 MiB", ctx->path, i,
                            (unsigned long long)s);
    }
    struct cfi_flash *f = calloc(1, sizeof *f);
    if (!f)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(f->path, sizeof f->path, "%s", ctx->path);
    f->log = ctx->log;
    for (unsigned i = 0; i < ctx->nwindows; i++) {
        struct bank *b = &f->banks[i];
        b->size = ctx->window_size[i];
        b->storage = calloc(1, (size_t)b->size);
        f->nbanks = i + 1;
        if (!b->storage) {
            flash_destroy(f);
            return orr_fail(err, "%s: out of memory for a %llu-byte flash bank", ctx->path,
                            (unsigned long long)ctx->window_size[i]);
        }
        build_cfi(b);
    }
    flash_reset(f);
    *dev = f;
    return 0;
}

int cfi_flash_load(void *dev, unsigned bank, const uint8_t *data, size_t len,
                   struct orr_error *err)
{
    struct cfi_flash *f = dev;
    if (bank >= f->nbanks)
        return orr_fail(err, "%s has no flash bank %u", f->path, bank);
    struct bank *b = &f->banks[bank];
    if (len > b->size)
        return orr_fail(err, "the image (%zu bytes) is larger than flash bank %u (%llu bytes)",
                        len, bank, (unsigned long long)b->size);
    memcpy(b->storage, data, len);
    b->touched = true;
    return 0;
}

uint64_t cfi_flash_bank_size(const void *dev, unsigned bank)
{
    const struct cfi_flash *f = dev;
    return bank < f->nbanks ? f->banks[bank].size : 0;
}

/* Section layout, version 1: per bank: cmd, wcycle, status, counter,
 * touched, then (if touched) the contents as a zlib blob. */
static int flash_save(void *opaque, struct state_writer *w)
{
    struct cfi_flash *f = opaque;
    for (unsigned i = 0; i < f->nbanks; i++) {
        const struct bank *b = &f->banks[i];
        state_put_u8(w, b->cmd);
        state_put_u8(w, b->wcycle);
        state_put_u8(w, b->status);
        state_put_u32(w, b->counter);
        state_put_bool(w, b->touched);
        if (b->touched && state_put_zblob(w, b->storage, (size_t)b->size))
            return -1;
    }
    return w->failed ? -1 : 0;
}

static int flash_load(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct cfi_flash *f = opaque;
    for (unsigned i = 0; i < f->nbanks; i++) {
        struct bank *b = &f->banks[i];
        uint8_t cmd = state_get_u8(r), wcycle = state_get_u8(r), status = state_get_u8(r);
        uint32_t counter = state_get_u32(r);
        bool touched = state_get_bool(r);
        if (state_reader_check(r) != 0 || wcycle > 3)
            return orr_fail(err, "%s: truncated or corrupt cfi-flash section", f->path);
        if (touched) {
            if (state_get_zblob(r, b->storage, (size_t)b->size))
                return orr_fail(err, "%s: corrupt flash contents", f->path);
        } else if (b->touched) {
            memset(b->storage, 0, (size_t)b->size);
        }
        b->cmd = cmd;
        b->wcycle = wcycle;
        b->status = status;
        b->counter = counter;
        b->touched = touched;
    }
    return 0;
}

static const char *const flash_compatible[] = { "cfi-flash", NULL };

const struct device_model cfi_flash_model = {
    .name = "cfi-flash",
    .compatible = flash_compatible,
    .summary = "CFI parallel NOR flash, Intel command set (QEMU pflash_cfi01 on virt)",
    .state_version = 1,
    .create = flash_create,
    .reset = flash_reset,
    .read = flash_read,
    .write = flash_write,
    .save = flash_save,
    .load = flash_load,
    .destroy = flash_destroy,
};
