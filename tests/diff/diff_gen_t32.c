/* T32 templates of the differential tester (ARM ARM v7-A/R, DDI 0406C,
 * chapter A6): the 16-bit and 32-bit Thumb encodings, IT blocks, CBZ/CBNZ
 * and TBB/TBH. */
#include "tests/diff/diff_gen.h"

const struct gen_template diff_t32_templates[] = {
    { "dp16", "t16-shift-imm", "000o oiii iimm mddd", 10, T_SETSF, NULL, NULL, NULL },
};
const size_t diff_t32_template_count = sizeof diff_t32_templates / sizeof diff_t32_templates[0];
