/* The builtin board table (machine/boards.h). The trees come from
 * machine/boards/NAME.dts, compiled by dtc and turned into byte arrays by
 * scripts/embed.py at build time (machine/boards/meson.build). */
#include "machine/boards.h"

#include <string.h>

/* The generated arrays, included rather than linked so that sizeof is a
 * constant expression and the table below can be const. */
#include "machine/boards/boards_dtb.inc"

/* Names are the .dts file stems; summaries repeat each tree's `model`. */
static const struct builtin_board boards[] = {
    { "arm-virt", "Orrery arm-virt", board_arm_virt_dtb, sizeof board_arm_virt_dtb },
    { "pc", "Orrery pc", board_pc_dtb, sizeof board_pc_dtb },
    { "x86-bare", "Orrery x86-bare", board_x86_bare_dtb, sizeof board_x86_bare_dtb },
};

const struct builtin_board *builtin_board_list(size_t *count)
{
    if (count)
        *count = sizeof boards / sizeof boards[0];
    return boards;
}

const struct builtin_board *builtin_board_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof boards / sizeof boards[0]; i++)
        if (strcmp(boards[i].name, name) == 0)
            return &boards[i];
    return NULL;
}
