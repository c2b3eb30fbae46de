/* Synchronization and waiting: the exclusive loads and stores with the
 * local exclusive monitor (ARM ARM v7 A3.4), WFI/WFE/SEV (B1.8.13), and the
 * SMC/HVC firmware calls. One core, so the local monitor is the only one:
 * there is no other observer for a global monitor to arbitrate. */
#include "isa-arm/arm_internal.h"

static inline unsigned acc_of(const struct arm_cpu *c)
{
    /* A3.4: exclusive accesses are always size-aligned (MemA). */
    return ARM_ACC_ALIGNED | (arm_privileged(c) ? 0 : ARM_ACC_USER);
}

/* The alignment fault of an access the word accesses do not check
 * themselves (DFSR FS = alignment, WnR, DFAR = the address; B3.12.1). */
static int alignment_abort(struct arm_cpu *c, uint32_t addr, bool write)
{
    c->fault_fsr = arm_fsr(FS_ALIGNMENT, 0, write);
    c->fault_addr = addr;
    return arm_data_abort(c);
}

/* LDREX/LDREXB/LDREXH/LDREXD (A8.8.75-78): loads and marks the address for
 * exclusive access (SetExclusiveMonitors). A faulting load leaves the
 * monitor as it was. */
int arm_exec_ldrex(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t addr = c->r[r->rn] + r->imm;
    unsigned acc = acc_of(c);
    uint32_t v, v2 = 0;
    if (r->op == 8) {
        /* MemA[address, 8]: doubleword aligned. */
        if (addr & 7u)
            return alignment_abort(c, addr, false);
        if (arm_read(c, addr, 4, acc, &v) || arm_read(c, addr + 4, 4, acc, &v2))
            return arm_data_abort(c);
    } else if (arm_read(c, addr, r->op, acc, &v)) {
        return arm_data_abort(c);
    }
    c->excl_open = true;
    c->excl_addr = addr;
    arm_set_reg(c, r->rd, v);
    if (r->op == 8)
        arm_set_reg(c, r->rs, v2);
    return ARM_OK;
}

/* STREX/STREXB/STREXH/STREXD (A8.8.210-213): stores only while the
 * monitor holds exclusive access to the address (ExclusiveMonitorsPass,
 * which checks alignment first, pass or fail); rm gets 0 on success, 1 on
 * failure. Either way the monitor is cleared. A store that faults leaves
 * the monitor and the status register alone, so the retried instruction
 * sees the same state. */
int arm_exec_strex(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t addr = c->r[r->rn] + r->imm;
    if (addr & (r->op - 1u))
        return alignment_abort(c, addr, true);
    if (c->excl_open && c->excl_addr == addr) {
        unsigned acc = acc_of(c);
        int rc;
        if (r->op == 8) {
            rc = arm_write(c, addr, 4, acc, c->r[r->rd]) ||
                 arm_write(c, addr + 4, 4, acc, c->r[r->rs]);
        } else {
            uint32_t v = c->r[r->rd];
            if (r->op < 4)
                v &= (1u << (8 * r->op)) - 1;
            rc = arm_write(c, addr, r->op, acc, v);
        }
        if (rc)
            return arm_data_abort(c);
        c->excl_open = false;
        arm_set_reg(c, r->rm, 0);
        return ARM_OK;
    }
    c->excl_open = false;
    arm_set_reg(c, r->rm, 1);
    return ARM_OK;
}

/* CLREX (A8.8.32). */
int arm_exec_clrex(struct arm_cpu *c, const struct arm_rec *r)
{
    c->excl_open = false;
    return ARM_OK;
}

/* WFI (A8.8.426, B1.8.12): waits until an IRQ or FIQ line is asserted,
 * masked or not; one already asserted completes it at once. The run loop
 * (arm_run) ends the wait. */
int arm_exec_wfi(struct arm_cpu *c, const struct arm_rec *r)
{
    if (c->irq_line || c->fiq_line)
        return ARM_OK;
    c->waiting = true;
    c->waiting_event = false;
    return ARM_STOP_IDLE;
}

/* WFE (A8.8.424, B1.8.13): a set event register is consumed and the
 * instruction completes; otherwise the core waits for an event or an
 * interrupt line. Waking on a line that CPSR masks is a spurious wake-up,
 * which the architecture allows (software re-checks its condition). */
int arm_exec_wfe(struct arm_cpu *c, const struct arm_rec *r)
{
    if (c->event) {
        c->event = false;
        return ARM_OK;
    }
    if (c->irq_line || c->fiq_line)
        return ARM_OK;
    c->waiting = true;
    c->waiting_event = true;
    return ARM_STOP_IDLE;
}

/* SEV (A8.8.168): sets the event register. With one core per cpu and no
 * path between cores here, the event is this core's own. */
int arm_exec_sev(struct arm_cpu *c, const struct arm_rec *r)
{
    c->event = true;
    return ARM_OK;
}

/* SMC/HVC: PL1 only (UNDEFINED in User mode, B9.3.14/B9.3.4); handed to
 * the machine's firmware when there is one, else UNDEFINED since neither
 * the Security nor the Virtualization Extensions are modelled. */
static int firmware_call(struct arm_cpu *c, unsigned conduit, uint32_t imm)
{
    const struct cpu_firmware *fw = &c->cpu.firmware;
    if (arm_privileged(c) && fw->call && fw->call(fw->opaque, &c->cpu, conduit, imm))
        return ARM_OK;
    arm_take_exception(c, EXC_UND);
    return ARM_OK;
}

int arm_exec_smc(struct arm_cpu *c, const struct arm_rec *r)
{
    return firmware_call(c, CPU_FW_SMC, r->imm);
}

int arm_exec_hvc(struct arm_cpu *c, const struct arm_rec *r)
{
    return firmware_call(c, CPU_FW_HVC, r->imm);
}
