/* Executors of the Thumb-only instructions of ARMv6T2/ARMv7 (T16 and T32),
 * used by thumb_decode.c and thumb2_decode.c. References: ARM ARM v7-A/R
 * (DDI 0406C), chapter A8 instruction pages. Record fields per executor: */
#ifndef ORRERY_ISA_ARM_THUMB2_EXEC_H
#define ORRERY_ISA_ARM_THUMB2_EXEC_H

struct arm_cpu;
struct arm_rec;

/* IT (A8.8.55): imm = firstcond:mask (the new ITSTATE). */
int thumb_exec_it(struct arm_cpu *c, const struct arm_rec *r);

/* CBZ/CBNZ (A8.8.29): rn, imm = byte offset from PC, op 1 = CBNZ. */
int thumb_exec_cbz(struct arm_cpu *c, const struct arm_rec *r);

/* TBB/TBH (A8.8.238): rn = table base (15: PC), rm = index, op 1 = TBH. */
int thumb2_exec_tbb(struct arm_cpu *c, const struct arm_rec *r);

/* BLX (immediate) from Thumb (A8.8.25 T2): imm = signed offset from
 * Align(PC, 4); links and enters ARM state. */
int thumb2_exec_blx_imm(struct arm_cpu *c, const struct arm_rec *r);

/* ORN/MVN-free ORN (A8.8.111/112): rd = rn | NOT(operand); the operand is
 * the arm_exec_dp one: RF_IMM with imm (shift != 0: carry out is bit 31,
 * ThumbExpandImm_C), or rm shifted by type `shift`, amount imm. RF_S sets
 * N, Z and C. */
int thumb2_exec_orn(struct arm_cpu *c, const struct arm_rec *r);

/* The arm_exec_ldrh_strh record (op 0-5) with an address the A32 form
 * cannot express, the effective offset being computed here and the access
 * done by arm_exec_ldrh_strh:
 * - thumb2_exec_ldrh_lit: base Align(PC, 4) (LDRH/LDRSB/LDRSH/LDRD
 *   literal, A8.8.82/88/92/74), imm = offset, RF_U = add;
 * - thumb2_exec_ldrh_lsl: register offset rm << rs (LSL #0-3). */
int thumb2_exec_ldrh_lit(struct arm_cpu *c, const struct arm_rec *r);
int thumb2_exec_ldrh_lsl(struct arm_cpu *c, const struct arm_rec *r);

/* ADD PC, Rm and MOV PC, Rm (16-bit) from ARMv6: rn, rm, op 0x4 ADD or
 * 0xd MOV (the arm_exec_dp record); branches to the result with bit 0
 * cleared. */
int thumb_exec_alu_write_pc(struct arm_cpu *c, const struct arm_rec *r);

#endif
