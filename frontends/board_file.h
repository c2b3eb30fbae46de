/* --board NAME|FILE: a builtin board, a user's .dtb, or a user's .dts
 * compiled at run time by the Device Tree compiler (dtc). */
#ifndef ORRERY_FRONTENDS_BOARD_FILE_H
#define ORRERY_FRONTENDS_BOARD_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

struct board_blob {
    const uint8_t *dtb;
    size_t size;
    uint8_t *owned;          /* heap copy for user files, NULL for builtin */
    char name[64];           /* builtin name or the file's base name */
};

int board_resolve(const char *spec, struct board_blob *out, struct orr_error *err) ORR_MUST_CHECK;
void board_blob_free(struct board_blob *b);

/* Runs `dtc -I dts -O dtb` on path; on failure err holds dtc's complaint
 * condensed to one line. Exposed for tests and future commands. */
int board_compile_dts(const char *path, uint8_t **dtb, size_t *len,
                      struct orr_error *err) ORR_MUST_CHECK;

#endif
