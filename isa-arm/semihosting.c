/* ARM semihosting (ARM DUI 0471 "Semihosting operations"; the 32-bit
 * convention: r0 = operation, r1 = parameter or parameter-block address,
 * result in r0).
 *
 * Only the console exists: SYS_OPEN accepts the special name ":tt" (read
 * modes give stdin, write modes stdout, append modes stderr) and refuses
 * every host file with -1, so a guest can never reach the host file system.
 * Console bytes go through cpu->host, never stdio. Every guest pointer and
 * length is checked: a bad one returns -1 to the guest. */
#include "isa-arm/arm_internal.h"

#include <time.h>   /* also brings the clock.h note about CLOCK_MODE_REALTIME */

#include "cpu/clock.h"
#include "cpu/host.h"
#include "cpu/log.h"

enum {
    SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITEC = 0x03, SYS_WRITE0 = 0x04,
    SYS_WRITE = 0x05, SYS_READ = 0x06, SYS_READC = 0x07, SYS_ISERROR = 0x08,
    SYS_ISTTY = 0x09, SYS_SEEK = 0x0a, SYS_FLEN = 0x0c, SYS_TMPNAM = 0x0d,
    SYS_REMOVE = 0x0e, SYS_RENAME = 0x0f, SYS_CLOCK = 0x10, SYS_TIME = 0x11,
    SYS_SYSTEM = 0x12, SYS_ERRNO = 0x13, SYS_GET_CMDLINE = 0x15,
    SYS_HEAPINFO = 0x16, SYS_EXIT = 0x18, SYS_EXIT_EXTENDED = 0x20,
    SYS_ELAPSED = 0x30, SYS_TICKFREQ = 0x31,
};

#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define SEMI_EPERM 1
#define SEMI_ENOENT 2
#define SEMI_EBADF 9
#define SEMI_EFAULT 14
#define SEMI_EINVAL 22
#define SEMI_ESPIPE 29
/* SYS_TIME in virtual-clock mode: 2000-01-01T00:00:00Z plus guest time. */
#define SEMI_VIRTUAL_EPOCH 946684800u
#define WRITE0_MAX (1u << 20)

/* Handles 1, 2, 3 are the console's stdin, stdout, stderr. */
static bool tt_handle(const struct arm_cpu *c, uint32_t h)
{
    return h >= 1 && h <= 3 && c->tt_open[h - 1];
}

static int rd32(struct arm_cpu *c, uint32_t addr, uint32_t *v)
{
    if (addr & 3)
        return -1;
    return arm_read(c, addr, 4, false, v);
}

static uint32_t fail(struct arm_cpu *c, int e)
{
    c->semi_errno = e;
    return 0xffffffffu;
}

static uint64_t guest_ns(const struct arm_cpu *c)
{
    return c->cpu.clock ? c->cpu.clock->now_ns : 0;
}

/* Writes len guest bytes at buf to the console; returns bytes not written. */
static uint32_t console_out(struct arm_cpu *c, uint32_t buf, uint32_t len)
{
    uint8_t chunk[256];
    uint32_t done = 0;
    while (done < len) {
        uint32_t n = len - done < sizeof chunk ? len - done : (uint32_t)sizeof chunk;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t v;
            if (arm_read(c, buf + done + i, 1, false, &v)) {
                if (i && c->cpu.host && c->cpu.host->console_write)
                    c->cpu.host->console_write(c->cpu.host->opaque, chunk, i);
                c->semi_errno = SEMI_EFAULT;
                return len - done - i;
            }
            chunk[i] = (uint8_t)v;
        }
        if (c->cpu.host && c->cpu.host->console_write)
            c->cpu.host->console_write(c->cpu.host->opaque, chunk, n);
        done += n;
    }
    return 0;
}

static int console_in(struct arm_cpu *c)
{
    if (!c->cpu.host || !c->cpu.host->console_readc)
        return -1;
    return c->cpu.host->console_readc(c->cpu.host->opaque);
}

static uint32_t do_open(struct arm_cpu *c, uint32_t blk)
{
    uint32_t name, mode, len, ch[4] = { 0 };
    if (rd32(c, blk, &name) || rd32(c, blk + 4, &mode) || rd32(c, blk + 8, &len))
        return fail(c, SEMI_EFAULT);
    if (len != 3 || mode > 11)
        return fail(c, len == 3 ? SEMI_EINVAL : SEMI_EPERM);
    for (unsigned i = 0; i < 3; i++)
        if (arm_read(c, name + i, 1, false, &ch[i]))
            return fail(c, SEMI_EFAULT);
    if (ch[0] != ':' || ch[1] != 't' || ch[2] != 't')
        return fail(c, SEMI_EPERM);   /* host files are not reachable */
    uint32_t h = mode < 4 ? 1 : mode < 8 ? 2 : 3;
    c->tt_open[h - 1] = true;
    return h;
}

static uint32_t do_write_read(struct arm_cpu *c, uint32_t blk, bool write)
{
    uint32_t h, buf, len;
    if (rd32(c, blk, &h) || rd32(c, blk + 4, &buf) || rd32(c, blk + 8, &len))
        return fail(c, SEMI_EFAULT);
    if (!tt_handle(c, h) || (write ? h == 1 : h != 1)) {
        c->semi_errno = SEMI_EBADF;
        return write ? len : 0xffffffffu;
    }
    if ((uint64_t)buf + len > 0x100000000ull) {
        c->semi_errno = SEMI_EFAULT;
        return len;
    }
    if (write)
        return console_out(c, buf, len);
    /* Read up to len bytes, stopping after a newline (line-buffered console). */
    uint32_t got = 0;
    while (got < len) {
        int ch = console_in(c);
        if (ch < 0)
            break;
        if (arm_write(c, buf + got, 1, false, (uint32_t)ch)) {
            c->semi_errno = SEMI_EFAULT;
            break;
        }
        got++;
        if (ch == '\n')
            break;
    }
    return len - got;
}

static uint32_t do_cmdline(struct arm_cpu *c, uint32_t blk)
{
    uint32_t buf, size;
    if (rd32(c, blk, &buf) || rd32(c, blk + 4, &size))
        return fail(c, SEMI_EFAULT);
    const char *s = (c->cpu.host && c->cpu.host->cmdline) ? c->cpu.host->cmdline : "";
    size_t n = strlen(s);
    if (n + 1 > size)
        return fail(c, SEMI_EINVAL);
    for (size_t i = 0; i <= n; i++)
        if (arm_write(c, buf + (uint32_t)i, 1, false, (uint8_t)s[i]))
            return fail(c, SEMI_EFAULT);
    if (arm_write(c, blk + 4, 4, false, (uint32_t)n))
        return fail(c, SEMI_EFAULT);
    return 0;
}

/* SYS_HEAPINFO: the heap is the upper half of main RAM below the stack;
 * the stack is the top 64 KiB (1/16 of RAM when RAM is under 1 MiB). */
static uint32_t do_heapinfo(struct arm_cpu *c, uint32_t arg)
{
    uint32_t blk;
    if (rd32(c, arg, &blk) || (blk & 3))
        return fail(c, SEMI_EFAULT);
    uint64_t base = c->cpu.ram_base, size = c->cpu.ram_size;
    uint64_t top = base + size;
    if (top > 0x100000000ull)
        top = 0x100000000ull - 0x1000;
    uint64_t stack = size >= 0x100000 ? 0x10000 : size / 16;
    uint32_t words[4] = {
        (uint32_t)(base + size / 2), (uint32_t)(top - stack),
        (uint32_t)top, (uint32_t)(top - stack),
    };
    if (size == 0)
        memset(words, 0, sizeof words);
    for (unsigned i = 0; i < 4; i++)
        if (arm_write(c, blk + 4 * i, 4, false, words[i]))
            return fail(c, SEMI_EFAULT);
    return 0;
}

int arm_semihosting(struct arm_cpu *c)
{
    uint32_t op = c->r[0], arg = c->r[1], ret = 0, v;
    log_msg(c->cpu.log, LOG_SEMI, "semihosting op 0x%02x arg 0x%08x", op, arg);
    switch (op) {
    case SYS_OPEN: ret = do_open(c, arg); break;
    case SYS_CLOSE:
        if (rd32(c, arg, &v))
            ret = fail(c, SEMI_EFAULT);
        else if (!tt_handle(c, v))
            ret = fail(c, SEMI_EBADF);
        else
            c->tt_open[v - 1] = false;
        break;
    case SYS_WRITEC:
        ret = c->r[0];   /* r0 is corrupted; keep it unchanged */
        (void)console_out(c, arg, 1);
        break;
    case SYS_WRITE0: {
        uint32_t n = 0;
        while (n < WRITE0_MAX && !arm_read(c, arg + n, 1, false, &v) && v)
            n++;
        (void)console_out(c, arg, n);
        ret = c->r[0];
        break;
    }
    case SYS_WRITE: ret = do_write_read(c, arg, true); break;
    case SYS_READ: ret = do_write_read(c, arg, false); break;
    case SYS_READC: {
        int ch = console_in(c);
        ret = ch < 0 ? 0xffffffffu : (uint32_t)ch;
        break;
    }
    case SYS_ISERROR:
        ret = (rd32(c, arg, &v) == 0 && (int32_t)v < 0) ? 1 : 0;
        break;
    case SYS_ISTTY:
        ret = rd32(c, arg, &v) ? fail(c, SEMI_EFAULT)
                               : tt_handle(c, v) ? 1 : fail(c, SEMI_EBADF);
        break;
    case SYS_SEEK: case SYS_FLEN: ret = fail(c, SEMI_ESPIPE); break;
    case SYS_TMPNAM: case SYS_REMOVE: case SYS_RENAME: case SYS_SYSTEM:
        ret = fail(c, SEMI_EPERM);
        break;
    case SYS_CLOCK: ret = (uint32_t)(guest_ns(c) / 10000000u); break;
    case SYS_TIME:
        if (c->cpu.clock && c->cpu.clock->mode == CLOCK_MODE_REALTIME)
            ret = (uint32_t)time(NULL);
        else
            ret = SEMI_VIRTUAL_EPOCH + (uint32_t)(guest_ns(c) / 1000000000u);
        break;
    case SYS_ERRNO: ret = (uint32_t)c->semi_errno; break;
    case SYS_GET_CMDLINE: ret = do_cmdline(c, arg); break;
    case SYS_HEAPINFO: ret = do_heapinfo(c, arg); break;
    case SYS_ELAPSED: {
        uint64_t ticks = guest_ns(c) / 1000u;   /* SYS_TICKFREQ: 1 MHz */
        if ((arg & 3) || arm_write(c, arg, 4, false, (uint32_t)ticks) ||
            arm_write(c, arg + 4, 4, false, (uint32_t)(ticks >> 32)))
            ret = fail(c, SEMI_EFAULT);
        break;
    }
    case SYS_TICKFREQ: ret = 1000000u; break;
    case SYS_EXIT:
        /* 32-bit form: r1 is the reason itself (QEMU's convention for codes). */
        c->cpu.exit_code = arg == ADP_STOPPED_APPLICATION_EXIT ? 0 : 1;
        return ARM_STOP_EXIT;
    case SYS_EXIT_EXTENDED: {
        uint32_t reason, sub;
        if (rd32(c, arg, &reason) || rd32(c, arg + 4, &sub)) {
            ret = fail(c, SEMI_EFAULT);
            break;
        }
        c->cpu.exit_code = reason == ADP_STOPPED_APPLICATION_EXIT ? (int)sub : 1;
        return ARM_STOP_EXIT;
    }
    default:
        log_msg(c->cpu.log, LOG_SEMI, "unsupported semihosting op 0x%x", op);
        ret = fail(c, SEMI_EINVAL);
        break;
    }
    c->r[0] = ret;
    return ARM_OK;
}
