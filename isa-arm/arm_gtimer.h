/* The ARMv7 Generic Timer seen through CP15 (ARM ARM v7 B8, B4.1.21-B4.1.35):
 * CNTFRQ, CNTPCT, CNTVCT, CNTKCTL, CNTP_/CNTV_ CTL/CVAL/TVAL, driven by the
 * machine's virtual clock; each timer's interrupt condition drives one of
 * the CPU's output lines, which the board wires to its interrupt controller.
 * The CP15 dispatcher (arm_cp15.c) routes CRn = 14 (MRC/MCR) and CRm = 14
 * (MRRC/MCRR) here. Each access function returns 0, or -1 when the access is
 * UNDEFINED (unknown register, a PL0 access that CNTKCTL forbids, or a model
 * without the timer). */
#ifndef ORRERY_ISA_ARM_GTIMER_H
#define ORRERY_ISA_ARM_GTIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/clock.h"
#include "machine/irq.h"

struct arm_cpu;
struct state_writer;
struct state_reader;

/* CPU output lines (the DT's arm,armv7-timer interrupts order). Without the
 * Security Extensions the one physical timer is the non-secure one. */
enum arm_gtimer_output {
    GT_OUT_SEC_PHYS, GT_OUT_NS_PHYS, GT_OUT_VIRT, GT_OUT_HYP, GT_OUT_COUNT,
};

enum { GT_PHYS, GT_VIRT, GT_TIMERS };

struct arm_gtimer {
    bool present;                  /* cortex-a15/a7 */
    uint32_t counter_hz;           /* the system counter's rate (configuration) */
    uint32_t cntfrq;               /* CNTFRQ: resets to counter_hz; firmware may
                                      write it, the counter ignores it (B4.1.21) */
    uint32_t cntkctl;
    struct {
        uint32_t ctl;              /* ENABLE, IMASK (ISTATUS is computed) */
        uint64_t cval;
        struct clock_event ev;
    } t[GT_TIMERS];
    struct irq_line out[GT_OUT_COUNT];
};

#define GT_DEFAULT_CNTFRQ 62500000u   /* what QEMU's virt reports */

/* Once, at create; counter_hz 0 means GT_DEFAULT_CNTFRQ. */
void arm_gtimer_init(struct arm_cpu *c, uint32_t counter_hz);
void arm_gtimer_reset(struct arm_cpu *c);
void arm_gtimer_save(struct arm_cpu *c, struct state_writer *w);
void arm_gtimer_load(struct arm_cpu *c, struct state_reader *r);   /* re-arms */
/* The counter (CNTPCT) at the current instruction. */
uint64_t arm_gtimer_count(struct arm_cpu *c);

int arm_gtimer_mrc(struct arm_cpu *c, unsigned opc1, unsigned crm, unsigned opc2,
                   uint32_t *value);
int arm_gtimer_mcr(struct arm_cpu *c, unsigned opc1, unsigned crm, unsigned opc2,
                   uint32_t value);
int arm_gtimer_mrrc(struct arm_cpu *c, unsigned opc1, uint64_t *value);
int arm_gtimer_mcrr(struct arm_cpu *c, unsigned opc1, uint64_t value);

#endif
