/* Boards built into the binary: machine/boards/NAME.dts, compiled by dtc at
 * build time and embedded (scripts/embed.py turns each tree into a byte
 * array; machine/boards/boards.c holds the table). */
#ifndef ORRERY_MACHINE_BOARDS_H
#define ORRERY_MACHINE_BOARDS_H

#include <stddef.h>
#include <stdint.h>

struct builtin_board {
    const char *name;          /* "arm-virt" */
    const char *summary;       /* the tree's `model` property */
    const uint8_t *dtb;
    size_t dtb_size;
};

const struct builtin_board *builtin_board_find(const char *name);
const struct builtin_board *builtin_board_list(size_t *count);

#endif
