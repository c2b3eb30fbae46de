/* Thumb-2 (T32) 32-bit encodings, ARM ARM v7 (DDI 0406C) A6.3. */
#include "isa-arm/arm_internal.h"

void thumb2_decode(enum arm_arch arch, uint32_t insn, bool in_it, struct arm_rec *out)
{
    (void)arch;
    (void)in_it;
    memset(out, 0, sizeof *out);
    out->insn = insn;
    out->cond = 14;
    out->fn = arm_exec_undefined;
}
