/* Symbol tables (symbols.h): ELF .symtab (System V gABI, "Symbol Table")
 * and Linux System.map. Every offset and size in an ELF file is checked
 * against the file before use. */
#include "machine/symbols.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYMS_MAX_FILE (1ull << 30)

static uint64_t rd(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static int add(struct symtab *t, const char *name, size_t name_len, uint64_t addr,
               uint64_t size, bool code)
{
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        struct symbol *s = realloc(t->syms, cap * sizeof *s);
        if (!s)
            return -1;
        t->syms = s;
        t->cap = cap;
    }
    char *copy = malloc(name_len + 1);
    if (!copy)
        return -1;
    memcpy(copy, name, name_len);
    copy[name_len] = '\0';
    t->syms[t->count++] = (struct symbol){ copy, addr, size, code };
    return 0;
}

static void symtab_truncate(struct symtab *t, size_t count)
{
    while (t->count > count)
        free(t->syms[--t->count].name);
}

static int by_addr(const void *a, const void *b)
{
    const struct symbol *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void sort(struct symtab *t)
{
    if (t->count > 1)
        qsort(t->syms, t->count, sizeof *t->syms, by_addr);
}

static bool is_mapping_symbol(const char *name)
{
    /* $a, $t, $d (and $a.N ...): ARM ELF mapping symbols (IHI 0044 5.5.3). */
    return name[0] == '$' && (name[1] == 'a' || name[1] == 't' || name[1] == 'd' ||
                              name[1] == 'x') && (name[2] == '\0' || name[2] == '.');
}

static bool in_file(uint64_t off, uint64_t size, size_t len)
{
    return off <= len && size <= len - off;
}

/* A section or symbol table outside the file means the file is truncated,
 * which is an error; symbol entries themselves are filtered, never fatal:
 * FUNC and OBJECT symbols of any binding, NOTYPE only when global or weak
 * (assembly labels; local NOTYPE ones are mostly mapping symbols). gABI
 * ch. 4, "Sections" and "Symbol Table". */
long symtab_load_elf(struct symtab *t, const uint8_t *d, size_t len, struct orr_error *err)
{
    if (len < 52 || memcmp(d, "\177ELF", 4) != 0)
        return orr_fail(err, "not an ELF file");
    bool is64 = d[4] == 2;
    if ((d[4] != 1 && d[4] != 2) || d[5] != 1)
        return orr_fail(err, "unsupported ELF class or byte order (need little-endian)");
    if (is64 && len < 64)
        return orr_fail(err, "truncated ELF header");
    uint64_t shoff = is64 ? rd(d + 40, 8) : rd(d + 32, 4);
    unsigned shentsize = (unsigned)rd(d + (is64 ? 58 : 46), 2);
    unsigned shnum = (unsigned)rd(d + (is64 ? 60 : 48), 2);
    if (!shoff || !shnum)
        return 0;
    if (shentsize < (is64 ? 64u : 40u))
        return orr_fail(err, "ELF section header size %u is too small", shentsize);
    if (!in_file(shoff, (uint64_t)shnum * shentsize, len))
        return orr_fail(err, "truncated ELF: section headers lie outside the file");
    size_t before = t->count;
    for (unsigned i = 0; i < shnum; i++) {
        const uint8_t *sh = d + shoff + (uint64_t)i * shentsize;
        if (rd(sh + 4, 4) != 2)            /* SHT_SYMTAB */
            continue;
        uint64_t off = is64 ? rd(sh + 24, 8) : rd(sh + 16, 4);
        uint64_t size = is64 ? rd(sh + 32, 8) : rd(sh + 20, 4);
        unsigned link = (unsigned)rd(sh + (is64 ? 40 : 24), 4);
        uint64_t entsize = is64 ? rd(sh + 56, 8) : rd(sh + 36, 4);
        if (link >= shnum || entsize < (is64 ? 24u : 16u))
            return orr_fail(err, "ELF symbol table (section %u) is malformed", i);
        if (!in_file(off, size, len))
            return orr_fail(err, "truncated ELF: symbol table lies outside the file");
        const uint8_t *strh = d + shoff + (uint64_t)link * shentsize;
        uint64_t stroff = is64 ? rd(strh + 24, 8) : rd(strh + 16, 4);
        uint64_t strsize = is64 ? rd(strh + 32, 8) : rd(strh + 20, 4);
        if (!in_file(stroff, strsize, len))
            return orr_fail(err, "truncated ELF: symbol names lie outside the file");
        for (uint64_t k = 0; k < size / entsize; k++) {
            const uint8_t *s = d + off + k * entsize;
            uint64_t name = rd(s, 4);
            unsigned info = is64 ? s[4] : s[12];
            unsigned shndx = (unsigned)(is64 ? rd(s + 6, 2) : rd(s + 14, 2));
            uint64_t value = is64 ? rd(s + 8, 8) : rd(s + 4, 4);
            uint64_t ssize = is64 ? rd(s + 16, 8) : rd(s + 8, 4);
            unsigned type = info & 15u, bind = info >> 4;
            if (name == 0 || name >= strsize || shndx == 0 /* SHN_UNDEF */)
                continue;
            if (type != 1 /* STT_OBJECT */ && type != 2 /* STT_FUNC */ &&
                !(type == 0 /* STT_NOTYPE */ && (bind == 1 || bind == 2) /* GLOBAL, WEAK */))
                continue;
            const char *nm = (const char *)d + stroff + name;
            size_t maxlen = (size_t)(strsize - name);
            size_t nlen = strnlen(nm, maxlen);
            if (nlen == maxlen || nlen == 0 || is_mapping_symbol(nm))
                continue;
            /* Thumb function addresses carry bit 0 (IHI 0044 5.5.3). */
            if (add(t, nm, nlen, type == 2 ? value & ~(uint64_t)1 : value, ssize, type == 2)) {
                symtab_truncate(t, before);
                return orr_fail(err, "out of memory reading ELF symbols");
            }
        }
        break;
    }
    sort(t);
    return (long)(t->count - before);
}

long symtab_load_map(struct symtab *t, const char *text, size_t len, struct orr_error *err)
{
    size_t pos = 0, before = t->count;
    long added = 0;
    unsigned line = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        line++;
        char buf[512];
        size_t n = end - pos < sizeof buf - 1 ? end - pos : sizeof buf - 1;
        memcpy(buf, text + pos, n);
        buf[n] = '\0';
        pos = end + 1;
        if (n == 0)
            continue;
        char *p = buf, *q;
        unsigned long long addr = strtoull(p, &q, 16);
        if (q == p || !isspace((unsigned char)*q)) {
            symtab_truncate(t, before);
            return orr_fail(err, "line %u is not 'ADDRESS TYPE NAME'", line);
        }
        while (isspace((unsigned char)*q))
            q++;
        char type = *q;
        if (!type || !isspace((unsigned char)q[1])) {
            symtab_truncate(t, before);
            return orr_fail(err, "line %u is not 'ADDRESS TYPE NAME'", line);
        }
        q += 1;
        while (isspace((unsigned char)*q))
            q++;
        size_t nl = strcspn(q, " \t\r");
        if (nl == 0)
            continue;
        bool code = type == 't' || type == 'T' || type == 'w' || type == 'W';
        if (add(t, q, nl, addr, 0, code)) {
            symtab_truncate(t, before);
            return orr_fail(err, "out of memory");
        }
        added++;
    }
    sort(t);
    return added;
}

long symtab_load_file(struct symtab *t, const char *path, struct orr_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return orr_fail(err, "%s: %s", path, strerror(errno));
    uint8_t *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            uint8_t *n = cap > SYMS_MAX_FILE ? NULL : realloc(data, cap);
            if (!n) {
                free(data);
                fclose(f);
                return orr_fail(err, "%s: too large or out of memory", path);
            }
            data = n;
        }
        size_t got = fread(data + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(data);
        return orr_fail(err, "%s: read error", path);
    }
    struct orr_error inner = { { 0 } };
    bool elf = len >= 4 && memcmp(data, "\177ELF", 4) == 0;
    long n = elf ? symtab_load_elf(t, data, len, &inner)
                 : symtab_load_map(t, (const char *)data, len, &inner);
    free(data);
    if (n < 0)
        return orr_fail(err, "%s: %s", path, inner.msg);
    if (n == 0)
        return orr_fail(err, "%s: no symbols (a stripped file?)", path);
    return n;
}

const struct symbol *symtab_find(const struct symtab *t, const char *name)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->syms[i].name, name) == 0)
            return &t->syms[i];
    return NULL;
}

const struct symbol *symtab_lookup(const struct symtab *t, uint64_t addr, uint64_t *offset)
{
    size_t lo = 0, hi = t->count;
    while (lo < hi) {           /* first symbol above addr */
        size_t mid = lo + (hi - lo) / 2;
        if (t->syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    /* Among several at the same address, prefer a sized one. */
    size_t i = lo - 1;
    const struct symbol *s = &t->syms[i];
    for (size_t j = i; j-- > 0 && t->syms[j].addr == s->addr;)
        if (t->syms[j].size > s->size)
            s = &t->syms[j];
    uint64_t off = addr - s->addr;
    if (s->size ? off >= s->size : (lo == t->count && off > 0x100000))
        return NULL;
    *offset = off;
    return s;
}

void symtab_free(struct symtab *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->syms[i].name);
    free(t->syms);
    memset(t, 0, sizeof *t);
}
