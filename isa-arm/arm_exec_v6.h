/* Executors of the ARMv6/ARMv7 additions, shared by the A32 decoder
 * (arm_decode.c) and the T32 decoder (thumb2_decode.c). This is the record
 * contract: each executor reads only the struct arm_rec fields listed for
 * it, so both decoders fill them the same way. References: ARM ARM v7-A/R
 * (DDI 0406C), chapter A8 instruction pages.
 *
 * Conventions: "Rx = 15 means absent" is written where an encoding reuses a
 * register field of value 15 for a variant without that operand. All
 * UNPREDICTABLE register choices are rejected by the decoders (they decode
 * to arm_exec_undefined or are documented at the decoder), never here. */
#ifndef ORRERY_ISA_ARM_EXEC_V6_H
#define ORRERY_ISA_ARM_EXEC_V6_H

struct arm_cpu;
struct arm_rec;

/* MOVW/MOVT (A8.8.102/A8.8.106): rd, imm = imm16, op 0 MOVW, 1 MOVT. */
int arm_exec_movw_movt(struct arm_cpu *c, const struct arm_rec *r);

/* Extend and extend-and-add (A8.8.220-232, A8.8.271-282): rd, rm, rn
 * (15 = no accumulate), shift = rotation in bits (0, 8, 16, 24),
 * op = enum arm_extend_op. */
enum arm_extend_op {
    EXT_SXTB16, EXT_SXTB, EXT_SXTH, EXT_UXTB16, EXT_UXTB, EXT_UXTH,
};
int arm_exec_extend(struct arm_cpu *c, const struct arm_rec *r);

/* Byte/bit reversal (A8.8.141-144): rd, rm, op = enum arm_rev_op. */
enum arm_rev_op { REV_REV, REV_REV16, REV_REVSH, REV_RBIT };
int arm_exec_rev(struct arm_cpu *c, const struct arm_rec *r);

/* Bit fields (A8.8.19/20, A8.8.164, A8.8.237): rd, rn (source; 15 for
 * BFC), imm = lsb, shift = width (1..32), op = enum arm_bitfield_op. */
enum arm_bitfield_op { BF_BFC, BF_BFI, BF_SBFX, BF_UBFX };
int arm_exec_bitfield(struct arm_cpu *c, const struct arm_rec *r);

/* Saturation (A8.8.152-153, A8.8.252-253): rd, rn, rs = saturate_to
 * (SSAT 1..32, USAT 0..31; the 16-bit forms 1..16 / 0..15), shift = shift
 * type (0 LSL, 2 ASR), imm = shift amount (ASR 0 is not encodable: the
 * decoders turn an immediate of 0 with ASR into 32), op = enum arm_sat_op.
 * Sets Q when saturating. */
enum arm_sat_op { SAT_SSAT, SAT_USAT, SAT_SSAT16, SAT_USAT16 };
int arm_exec_sat(struct arm_cpu *c, const struct arm_rec *r);

/* PKHBT/PKHTB (A8.8.125): rd, rn, rm, imm = shift amount (PKHTB: 0 means
 * 32), op 0 PKHBT (LSL), 1 PKHTB (ASR). */
int arm_exec_pkh(struct arm_cpu *c, const struct arm_rec *r);

/* Parallel add/subtract (A8.8.*ADD16/ASX/SAX/SUB16/ADD8/SUB8 with the S, Q,
 * SH, U, UQ, UH prefixes): rd, rn, rm, op = prefix * 8 + operation. The S
 * and U forms set GE. */
enum arm_par_prefix { PAR_S, PAR_Q, PAR_SH, PAR_U, PAR_UQ, PAR_UH };
enum arm_par_op { PAR_ADD16, PAR_ASX, PAR_SAX, PAR_SUB16, PAR_ADD8, PAR_SUB8 };
int arm_exec_parallel(struct arm_cpu *c, const struct arm_rec *r);

/* SEL (A8.8.150): rd, rn, rm. */
int arm_exec_sel(struct arm_cpu *c, const struct arm_rec *r);

/* USAD8/USADA8 (A8.8.254-255): rd, rn, rm, rs = Ra (15 = USAD8). */
int arm_exec_usad8(struct arm_cpu *c, const struct arm_rec *r);

/* SDIV/UDIV (A8.8.165/A8.8.248): rd, rn, rm, op 0 SDIV, 1 UDIV.
 * Division by zero gives 0 (ARMv7-A has no SCTLR.DZ). */
int arm_exec_div(struct arm_cpu *c, const struct arm_rec *r);

/* MUL/MLA/MLS: arm_exec_mul, rd, rn = Ra, rs, rm, op 0 MUL, 1 MLA, 2 MLS;
 * RF_S sets N and Z (C unchanged from ARMv6). UMAAL joins arm_exec_mull
 * with the fields of the other long multiplies: rd = RdLo, rn = RdHi, rs,
 * rm, op 4 UMAAL (0-3 as before: UMULL, UMLAL, SMULL, SMLAL). */

/* The signed dual and most-significant-word multiplies (A8.8.177-210):
 * rd (RdHi for the long forms), rn = Ra (RdLo for the long forms; 15 =
 * no accumulate for the 32-bit forms), rm, rs (the second multiplicand,
 * Rm in the ARM ARM's naming: rd = Rn * Rs), shift bit 0 = X (swap halves
 * of rs) or R (round, for SMMUL/SMMLA/SMMLS), op = enum arm_dsp_mul_op. */
enum arm_dsp_mul_op {
    DSPM_SMLAD, DSPM_SMLSD, DSPM_SMLALD, DSPM_SMLSLD, DSPM_SMMLA, DSPM_SMMLS,
};
int arm_exec_dsp_mul(struct arm_cpu *c, const struct arm_rec *r);

/* LDRD/STRD join arm_exec_ldrh_strh (op 4 LDRD, 5 STRD) with rs = Rt2 (the
 * A32 decoder sets rd + 1); RF_T marks LDRHT/LDRSBT/LDRSHT/STRHT (and, in
 * arm_exec_ldr_str, LDRT/STRT/LDRBT/STRBT). */

/* Exclusives (A8.8.75-78, A8.8.210-213, A8.8.32 CLREX): rn = base,
 * imm = offset (T32 LDREX/STREX word form; 0 otherwise), rd = Rt,
 * rs = Rt2 (doubleword), rm = Rd status register (STREX), op = size in
 * bytes (1, 2, 4, 8). */
int arm_exec_ldrex(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_strex(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_clrex(struct arm_cpu *c, const struct arm_rec *r);

/* SRS (B9.3.16): rn unused (SP of the mode in imm), imm = mode, flags
 * RF_P/RF_U/RF_W. RFE (B9.3.13): rn = base, flags RF_P/RF_U/RF_W. */
int arm_exec_srs(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_rfe(struct arm_cpu *c, const struct arm_rec *r);

/* CPS (B9.3.2): op = imod (2 enable, 3 disable, 0 none), shift = A/I/F
 * bits as in the CPSR shifted down by 6 (bit 2 A, 1 I, 0 F: CPSR bit 8
 * does not fit the 8-bit field; these are also the T32 encoding's bits
 * 7:5 in order), flags RF_W = change mode, imm = mode. No effect in user
 * mode. */
int arm_exec_cps(struct arm_cpu *c, const struct arm_rec *r);

/* SETEND (A8.8.156): op = E. */
int arm_exec_setend(struct arm_cpu *c, const struct arm_rec *r);

/* Hints (A8.8.426 WFI, A8.8.424 WFE, A8.8.168 SEV, YIELD, NOP): WFE waits
 * for an event or interrupt; SEV sets the event register; YIELD is a NOP.
 * DMB/DSB/ISB (A8.8.43/44/54) and PLD/PLI (A8.8.126-130) are arm_exec_nop:
 * a single in-order core with coherent decoded caches needs nothing. */
int arm_exec_wfi(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_wfe(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_sev(struct arm_cpu *c, const struct arm_rec *r);

/* SMC (B9.3.14) and HVC (B9.3.4): imm = the immediate. Both go to the
 * machine's firmware hook (PSCI) when one is installed; otherwise SMC is
 * UNDEFINED (no Security Extensions) and HVC is UNDEFINED (no
 * Virtualization Extensions). */
int arm_exec_smc(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_hvc(struct arm_cpu *c, const struct arm_rec *r);

/* MCRR/MRRC p15 (B3.18.* 64-bit registers: TTBRs with LPAE absent are not
 * 64-bit; CNTPCT, CNTVCT, CNTP_CVAL, CNTV_CVAL, CNTVOFF): rd = Rt, rn = Rt2,
 * rm = CRm, op = opc1, RF_L = MRRC. */
int arm_exec_cp15_64(struct arm_cpu *c, const struct arm_rec *r);

#endif
