/* Raw and ELF32 image loading. References: System V ABI (gABI) chapters 4
 * "Object Files" and 5 "Program Loading"; ELF for the ARM Architecture
 * (IHI 0044) §5.5.3 for the $a/$t/$d mapping symbols skipped here. */
#include "machine/loader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static int symbol_cmp(const void *a, const void *b)
{
    const struct symbol *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return strcmp(x->name, y->name);
}

static bool is_mapping_symbol(const char *name)
{
    return name[0] == '$' && (name[1] == 'a' || name[1] == 't' || name[1] == 'd') &&
           (name[2] == '\0' || name[2] == '.');
}

/* Symbols are a convenience for traces and debuggers, but a section table
 * or symbol table that lies outside the file means the file is truncated,
 * and that is reported like any other truncation. Symbol entries
 * themselves are filtered, never fatal: FUNC and OBJECT symbols of any
 * binding, NOTYPE only when global or weak (assembly labels; local NOTYPE
 * symbols are mostly the ARM mapping symbols, skipped by name anyway).
 * gABI ch. 4 "Sections" and "Symbol Table". */
static int read_symbols(const uint8_t *d, size_t len, struct symtab *out,
                        struct orr_error *err)
{
    uint32_t shoff = rd32(d + 32);
    uint16_t shentsize = rd16(d + 46), shnum = rd16(d + 48);
    if (!shoff || !shnum)
        return 0;
    if (shentsize < 40)
        return orr_fail(err, "ELF section header size %u is too small", shentsize);
    if (!in_bounds(shoff, (uint64_t)shentsize * shnum, len))
        return orr_fail(err, "truncated ELF: section headers lie outside the file");
    for (unsigned s = 0; s < shnum; s++) {
        const uint8_t *sh = d + shoff + (size_t)s * shentsize;
        if (rd32(sh + 4) != 2 /* SHT_SYMTAB */)
            continue;
        uint32_t off = rd32(sh + 16), size = rd32(sh + 20), link = rd32(sh + 24);
        uint32_t entsize = rd32(sh + 36);
        if (entsize < 16 || link >= shnum)
            return orr_fail(err, "ELF symbol table (section %u) is malformed", s);
        if (!in_bounds(off, size, len))
            return orr_fail(err, "truncated ELF: symbol table lies outside the file");
        const uint8_t *strsh = d + shoff + (size_t)link * shentsize;
        uint32_t stroff = rd32(strsh + 16), strsize = rd32(strsh + 20);
        if (!in_bounds(stroff, strsize, len))
            return orr_fail(err, "truncated ELF: symbol names lie outside the file");
        size_t n = size / entsize;
        struct symbol *syms = calloc(n ? n : 1, sizeof *syms);
        if (!syms)
            return orr_fail(err, "out of memory reading ELF symbols");
        size_t count = 0;
        for (size_t i = 0; i < n; i++) {
            const uint8_t *st = d + off + i * entsize;
            uint32_t name = rd32(st), value = rd32(st + 4), ssize = rd32(st + 8);
            unsigned type = st[12] & 0xf, bind = st[12] >> 4;
            uint16_t shndx = rd16(st + 14);
            if (name == 0 || name >= strsize || shndx == 0 /* SHN_UNDEF */)
                continue;
            if (type != 1 /* STT_OBJECT */ && type != 2 /* STT_FUNC */ &&
                !(type == 0 /* STT_NOTYPE */ && (bind == 1 || bind == 2) /* GLOBAL, WEAK */))
                continue;
            const char *nm = (const char *)d + stroff + name;
            size_t maxlen = strsize - name;
            size_t nlen = strnlen(nm, maxlen);
            if (nlen == maxlen || nlen == 0 || is_mapping_symbol(nm))
                continue;
            char *copy = malloc(nlen + 1);
            if (!copy) {
                out->syms = syms;
                out->count = count;
                return orr_fail(err, "out of memory reading ELF symbols");
            }
            memcpy(copy, nm, nlen + 1);
            /* Thumb function addresses carry bit 0 (IHI 0044 §5.5.3). */
            syms[count].addr = type == 2 ? (value & ~1u) : value;
            syms[count].size = ssize;
            syms[count].name = copy;
            count++;
        }
        qsort(syms, count, sizeof *syms, symbol_cmp);
        out->syms = syms;
        out->count = count;
        return 0;
    }
    return 0;
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
    if (read_symbols(d, len, &out->symbols, err)) {
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
    for (size_t i = 0; i < img->symbols.count; i++)
        free(img->symbols.syms[i].name);
    free(img->symbols.syms);
    memset(img, 0, sizeof *img);
}

const char *symtab_lookup(const struct symtab *tab, uint64_t addr, uint64_t *offset)
{
    /* Last symbol at or below addr. */
    size_t lo = 0, hi = tab->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tab->syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const struct symbol *s = &tab->syms[lo - 1];
    if (s->size && addr - s->addr >= s->size)
        return NULL;
    if (offset)
        *offset = addr - s->addr;
    return s->name;
}

int symtab_find(const struct symtab *tab, const char *name, uint64_t *addr)
{
    for (size_t i = 0; i < tab->count; i++)
        if (strcmp(tab->syms[i].name, name) == 0) {
            *addr = tab->syms[i].addr;
            return 0;
        }
    return -1;
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
