/* Symbol tables for debuggers: from an ELF file's .symtab (functions and
 * objects) or a Linux System.map. Sorted by address. */
#ifndef ORRERY_MACHINE_SYMBOLS_H
#define ORRERY_MACHINE_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

struct symbol {
    char *name;
    uint64_t addr;
    uint64_t size;       /* 0 when unknown (System.map) */
    bool code;           /* a function or text symbol */
};

struct symtab {
    struct symbol *syms; /* sorted by addr, then name */
    size_t count, cap;
};

/* Adds the symbols of a file: an ELF (32- or 64-bit, little-endian) with a
 * symbol table, or a System.map ("ADDR TYPE NAME" lines). Returns the
 * number added, or -1 with one line in err (unreadable, neither format,
 * corrupt or truncated; for a file, also no symbols at all). An ELF image
 * without a symbol table adds none (symtab_load_elf returns 0). */
long symtab_load_file(struct symtab *t, const char *path, struct orr_error *err) ORR_MUST_CHECK;
long symtab_load_elf(struct symtab *t, const uint8_t *data, size_t len,
                     struct orr_error *err) ORR_MUST_CHECK;
long symtab_load_map(struct symtab *t, const char *text, size_t len,
                     struct orr_error *err) ORR_MUST_CHECK;

/* Exact name; NULL if absent. */
const struct symbol *symtab_find(const struct symtab *t, const char *name);

/* The symbol covering addr: the last one at or below it, if addr is inside
 * its size (or, for size 0, before the next symbol); *offset = addr - its
 * address. NULL when none. */
const struct symbol *symtab_lookup(const struct symtab *t, uint64_t addr, uint64_t *offset);

void symtab_free(struct symtab *t);

#endif
