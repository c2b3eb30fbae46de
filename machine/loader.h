/* Guest image loaders: raw binaries and ELF32 executables. They take bytes
 * (the frontend reads files) and write through the bus, so they work for
 * RAM and ROM alike and every failure is a message, never a crash. */
#ifndef ORRERY_MACHINE_LOADER_H
#define ORRERY_MACHINE_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"
#include "machine/symbols.h"

struct bus;


struct loaded_image {
    uint64_t entry;
    uint64_t low, high;      /* lowest and one-past-highest byte loaded */
    bool is_elf;
    struct symtab symbols;   /* empty for raw images */
};

#define ELF_MACHINE_ARM 40
#define ELF_MACHINE_386 3

bool loader_is_elf(const uint8_t *data, size_t len);

/* ELF32 little-endian executable for e_machine == machine: PT_LOAD segments
 * copied to their physical addresses (p_paddr), bss zeroed, entry and the
 * symbol table kept. Every offset and size is checked against len. */
int load_elf(struct bus *bus, const uint8_t *data, size_t len, uint16_t machine,
             struct loaded_image *out, struct orr_error *err) ORR_MUST_CHECK;
int load_raw(struct bus *bus, const uint8_t *data, size_t len, uint64_t addr,
             struct loaded_image *out, struct orr_error *err) ORR_MUST_CHECK;
void loaded_image_free(struct loaded_image *img);

/* Reads a whole host file (at most max_len bytes). */
int load_file(const char *path, size_t max_len, uint8_t **data, size_t *len,
              struct orr_error *err) ORR_MUST_CHECK;

/* Writes the parts, in order, to path the safe way: a temporary file in
 * the same directory (with the mode a plain create would give), fsync,
 * rename over path, fsync of the directory. A crash or a failure leaves
 * any previous file at path whole. */
int write_file_atomic(const char *path, const void *const *parts, const size_t *lens,
                      unsigned nparts, struct orr_error *err) ORR_MUST_CHECK;

#endif
