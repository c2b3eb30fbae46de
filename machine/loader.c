/* Raw and ELF32 image loading. References: System V ABI (gABI) chapters 4
 * "Object Files" and 5 "Program Loading"; ELF for the ARM Architecture
 * (IHI 0044) §5.5.3 for the $a/$t/$d mapping symbols skipped here. */
#include "machine/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "machine/bus.h"

bool loader_is_elf(const uint8_t *data, size_t len)
{
    return len >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F';
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const char *machine_name(uint16_t m)
{
    switch (m) {
    case 3: return "i386";
    case 8: return "MIPS";
    case 20: return "PowerPC";
    case 40: return "ARM";
    case 62: return "x86-64";
    case 183: return "AArch64";
    case 243: return "RISC-V";
    default: return "unknown";
    }
}

/* [off, off+len) lies inside a buffer of size total. */
static bool in_bounds(uint64_t off, uint64_t len, uint64_t total)
{
    return off <= total && len <= total - off;
}

int load_elf(struct bus *bus, const uint8_t *d, size_t len, uint16_t machine,
             struct loaded_image *out, struct orr_error *err)
{
    memset(out, 0, sizeof *out);
    if (!loader_is_elf(d, len))
        return orr_fail(err, "not an ELF file");
    if (len < 52)
        return orr_fail(err, "truncated ELF: %zu bytes is shorter than the ELF header", len);
    if (d[4] != 1)
        return orr_fail(err, "ELF class %u is not supported: only 32-bit (ELFCLASS32) images load here%s",
                        d[4], d[4] == 2 && rd16(d + 18) == 62 ? " (this is an x86-64 image)" : "");
    if (d[5] != 1)
        return orr_fail(err, "big-endian ELF images are not supported");
    uint16_t type = rd16(d + 16), em = rd16(d + 18);
    if (em != machine)
        return orr_fail(err, "ELF is for machine %u (%s), this CPU needs %s (%u)",
                        em, machine_name(em), machine_name(machine), machine);
    if (type != 2 /* ET_EXEC */)
        return orr_fail(err, "ELF type %u is not an executable (ET_EXEC)", type);
    uint32_t entry = rd32(d + 24), phoff = rd32(d + 28);
    uint16_t phentsize = rd16(d + 42), phnum = rd16(d + 44);
    if (phnum == 0)
        return orr_fail(err, "ELF has no program headers");
    if (phentsize < 32 || !in_bounds(phoff, (uint64_t)phentsize * phnum, len))
        return orr_fail(err, "truncated ELF: program headers lie outside the file");
    /* Pass 1: every PT_LOAD segment is checked (file bounds, target
     * memory) before anything is written, so a bad image leaves guest
     * memory untouched. gABI ch. 5 "Program Header". */
    uint64_t low = UINT64_MAX, high = 0;
    unsigned loaded = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = d + phoff + (size_t)i * phentsize;
        if (rd32(ph) != 1 /* PT_LOAD */)
            continue;
        uint32_t off = rd32(ph + 4), paddr = rd32(ph + 12);
        uint32_t filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        if (filesz > memsz)
            return orr_fail(err, "ELF segment %u: file size exceeds memory size", i);
        if (!in_bounds(off, filesz, len))
            return orr_fail(err, "truncated ELF: segment %u extends past the end of the file", i);
        if (memsz == 0)
            continue;
        if ((uint64_t)paddr + memsz > 0x100000000ull)
            return orr_fail(err, "ELF segment %u wraps the 32-bit address space", i);
        bool rom;
        if (!bus_host_ptr(bus, paddr, memsz, &rom))
            return orr_fail(err, "ELF segment %u (0x%08x-0x%08x) is not inside RAM or ROM of this board",
                            i, paddr, (unsigned)(paddr + memsz - 1));
        if (paddr < low)
            low = paddr;
        if ((uint64_t)paddr + memsz > high)
            high = (uint64_t)paddr + memsz;
        loaded++;
    }
    if (!loaded)
        return orr_fail(err, "ELF has no loadable segments");
    if (symtab_load_elf(&out->symbols, d, len, err) < 0) {
        loaded_image_free(out);
        return -1;
    }
    /* Pass 2: copy, and zero the part of each segment past its file data
     * (.bss). Both go through the bus, so decoded code is dropped. */
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = d + phoff + (size_t)i * phentsize;
        if (rd32(ph) != 1 /* PT_LOAD */)
            continue;
        uint32_t off = rd32(ph + 4), paddr = rd32(ph + 12);
        uint32_t filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        if (memsz == 0)
            continue;
        bool rom;
        uint8_t *host = bus_host_ptr(bus, paddr, memsz, &rom);
        if (!host || bus_write_block(bus, paddr, d + off, filesz, true) != BUS_OK) {
            loaded_image_free(out);
            return orr_fail(err, "cannot write ELF segment %u at 0x%08x", i, paddr);
        }
        if (memsz > filesz) {
            memset(host + filesz, 0, memsz - filesz);
            bus_notify_write(bus, (uint64_t)paddr + filesz, memsz - filesz);
        }
    }
    out->entry = entry;
    out->low = low;
    out->high = high;
    out->is_elf = true;
    return 0;
}

int load_raw(struct bus *bus, const uint8_t *data, size_t len, uint64_t addr,
             struct loaded_image *out, struct orr_error *err)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return orr_fail(err, "image is empty");
    if (!bus_host_ptr(bus, addr, len, NULL))
        return orr_fail(err, "image of %zu bytes at 0x%llx does not fit in RAM or ROM",
                        len, (unsigned long long)addr);
    if (bus_write_block(bus, addr, data, len, true) != BUS_OK)
        return orr_fail(err, "cannot write image at 0x%llx", (unsigned long long)addr);
    out->entry = addr;
    out->low = addr;
    out->high = addr + len;
    return 0;
}

void loaded_image_free(struct loaded_image *img)
{
    symtab_free(&img->symbols);
    memset(img, 0, sizeof *img);
}

int load_file(const char *path, size_t max_len, uint8_t **data, size_t *len,
              struct orr_error *err)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return orr_fail(err, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return orr_fail(err, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > max_len) {
        fclose(f);
        return orr_fail(err, "%s: %lld bytes is larger than the %zu-byte limit", path,
                        (long long)st.st_size, max_len);
    }
    size_t size = (size_t)st.st_size;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) {
        fclose(f);
        return orr_fail(err, "%s: out of memory", path);
    }
    size_t got = fread(buf, 1, size, f);
    int failed = ferror(f);
    fclose(f);
    if (failed || got != size) {
        free(buf);
        return orr_fail(err, "%s: read error", path);
    }
    if (size == 0) {
        free(buf);
        return orr_fail(err, "%s: file is empty", path);
    }
    *data = buf;
    *len = size;
    return 0;
}

static int write_all(int fd, const void *p, size_t len)
{
    const uint8_t *b = p;
    while (len) {
        ssize_t n = write(fd, b, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        b += n;
        len -= (size_t)n;
    }
    return 0;
}

int write_file_atomic(const char *path, const void *const *parts, const size_t *lens,
                      unsigned nparts, struct orr_error *err)
{
    char tmp[PATH_MAX], dir[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp)
        return orr_fail(err, "%s: file name too long", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return orr_fail(err, "%s: cannot create a file beside it: %s", path, strerror(errno));
    /* mkstemp makes it 0600; give it the mode a plain create would. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return orr_fail(err, "%s: %s", path, strerror(e));
    }
    int rc = 0;
    for (unsigned i = 0; i < nparts && rc == 0; i++)
        rc = write_all(fd, parts[i], lens[i]);
    int saved = errno;
    if (rc == 0 && fsync(fd) != 0) {
        rc = -1;
        saved = errno;
    }
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = -1;
        saved = errno;
    }
    if (rc) {
        unlink(tmp);
        return orr_fail(err, "%s: %s", path, strerror(saved));
    }
    /* The rename itself must survive a crash: sync the directory. */
    snprintf(dir, sizeof dir, "%s", path);
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}
