/* The ARMv7 Generic Timer seen through CP15 (ARM ARM v7 B8, B4.1.21-B4.1.35):
 * CNTFRQ, CNTPCT, CNTVCT, CNTKCTL, CNTP_/CNTV_ CTL/CVAL/TVAL, driven by the
 * machine's virtual clock; each timer's interrupt condition drives one of
 * the CPU's output lines, which the board wires to its interrupt controller.
 * The CP15 dispatcher (arm_cp15.c) routes CRn = 14 (MRC/MCR) and CRm = 14
 * (MRRC/MCRR) here. Each function returns 0, or -1 when the access is
 * UNDEFINED (unknown register, or a PL0 access that CNTKCTL forbids). */
#ifndef ORRERY_ISA_ARM_GTIMER_H
#define ORRERY_ISA_ARM_GTIMER_H

#include <stdint.h>

struct arm_cpu;

int arm_gtimer_mrc(struct arm_cpu *c, unsigned opc1, unsigned crm, unsigned opc2,
                   uint32_t *value);
int arm_gtimer_mcr(struct arm_cpu *c, unsigned opc1, unsigned crm, unsigned opc2,
                   uint32_t value);
int arm_gtimer_mrrc(struct arm_cpu *c, unsigned opc1, uint64_t *value);
int arm_gtimer_mcrr(struct arm_cpu *c, unsigned opc1, uint64_t value);

#endif
