/* PSCI 1.0 for one cluster of CPUs that are always on. References: ARM DEN
 * 0022D (PSCI) chapter 5 (each function's ids, arguments and results; the
 * return codes), DEN 0028 (SMC Calling Convention: an unknown function id
 * returns -1). */
#include "machine/psci.h"

#include <libfdt.h>
#include <string.h>

/* PSCI_VERSION: major in bits [31:16], minor in [15:0]. */
#define PSCI_VERSION_1_0 0x00010000u
/* MIGRATE_INFO_TYPE 2: no Trusted OS, migration not needed. */
#define PSCI_TOS_NOT_PRESENT 2

/* The calls this firmware implements, in their SMC32 form. */
static const uint32_t implemented[] = {
    PSCI_VERSION, PSCI_CPU_SUSPEND, PSCI_CPU_OFF, PSCI_CPU_ON, PSCI_AFFINITY_INFO,
    PSCI_MIGRATE_INFO_TYPE, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, PSCI_FEATURES,
};

/* The PSCI 0.2 id for fid: QEMU's 0.1 ids fold onto theirs. The SMC64
 * forms are not available to an AArch32 caller (they fall to the default,
 * NOT_SUPPORTED, and PSCI_FEATURES says so, as on QEMU). */
static uint32_t canonical(uint32_t fid)
{
    switch (fid) {
    case PSCI_0_1_BASE + 0: return PSCI_CPU_SUSPEND;
    case PSCI_0_1_BASE + 1: return PSCI_CPU_OFF;
    case PSCI_0_1_BASE + 2: return PSCI_CPU_ON;
    case PSCI_0_1_BASE + 3: return PSCI_MIGRATE;
    default: return fid;
    }
}

static bool is_implemented(uint32_t fid)
{
    for (size_t i = 0; i < sizeof implemented / sizeof implemented[0]; i++)
        if (implemented[i] == fid)
            return true;
    return false;
}

/* An MPIDR affinity names CPU n when Aff0 = n and the higher levels are 0
 * (the target_cpu argument of CPU_ON and AFFINITY_INFO is MPIDR[23:0]). */
static bool names_cpu(const struct psci *p, uint32_t mpidr)
{
    return (mpidr & 0x00ffff00u) == 0 && (mpidr & 0xffu) < p->ncpus;
}

int32_t psci_call(struct psci *p, uint32_t fid, uint32_t a1, uint32_t a2, uint32_t a3)
{
    (void)a3;
    switch (canonical(fid)) {
    case PSCI_VERSION:
        return (int32_t)PSCI_VERSION_1_0;
    case PSCI_FEATURES: {
        /* PSCI_FEATURES: 0 for an implemented call (for CPU_SUSPEND the
         * flags: original power_state format, no OS-initiated mode, also 0). */
        if ((a1 & 0xffffff00u) == 0x84000000u && is_implemented(a1))
            return PSCI_SUCCESS;
        return PSCI_NOT_SUPPORTED;
    }
    case PSCI_CPU_SUSPEND:
        /* Only the power_state bits of the original format with no
         * affinity level above 0 are accepted, as QEMU does; every state
         * is a standby entered as WFI (B1.8.13), returning 0 on wake-up. */
        if (a1 & 0xfffe0000u)
            return PSCI_INVALID_PARAMETERS;
        p->request = PSCI_REQ_CPU_SUSPEND;
        return PSCI_SUCCESS;
    case PSCI_CPU_OFF:
        p->request = PSCI_REQ_CPU_OFF;
        return PSCI_SUCCESS;     /* not seen: the CPU does not come back */
    case PSCI_CPU_ON:
        /* Every CPU is on from reset: there is no CPU to turn on. */
        return names_cpu(p, a1) ? PSCI_ALREADY_ON : PSCI_INVALID_PARAMETERS;
    case PSCI_AFFINITY_INFO:
        /* AFFINITY_INFO: 0 means ON. Above level 0 everything is on (as
         * QEMU answers); at level 0 the target must exist. */
        if (a2 != 0)
            return 0;
        return names_cpu(p, a1) ? 0 : PSCI_INVALID_PARAMETERS;
    case PSCI_MIGRATE_INFO_TYPE:
        return PSCI_TOS_NOT_PRESENT;
    case PSCI_SYSTEM_OFF:
        p->request = PSCI_REQ_SYSTEM_OFF;
        return PSCI_SUCCESS;
    case PSCI_SYSTEM_RESET:
        p->request = PSCI_REQ_SYSTEM_RESET;
        return PSCI_SUCCESS;
    default:
        /* MIGRATE and MIGRATE_INFO_UP_CPU with no Trusted OS, and every
         * unknown id: NOT_SUPPORTED (the SMC Calling Convention gives -1 too). */
        return PSCI_NOT_SUPPORTED;
    }
}

/* The cpu_firmware hook: r0 is the function id, r1..r3 its arguments,
 * the result goes to r0. A request that ends the run stops the CPU at the
 * next instruction boundary; machine_run turns it into the right stop. */
static bool psci_firmware_call(void *opaque, struct cpu *cpu, unsigned conduit, uint32_t imm)
{
    struct psci *p = opaque;
    if (!p->enabled || conduit != p->conduit || imm != 0)
        return false;
    uint32_t fid = (uint32_t)cpu->ops->reg_get(cpu, 0);
    uint32_t a1 = (uint32_t)cpu->ops->reg_get(cpu, 1);
    uint32_t a2 = (uint32_t)cpu->ops->reg_get(cpu, 2);
    uint32_t a3 = (uint32_t)cpu->ops->reg_get(cpu, 3);
    int32_t ret = psci_call(p, fid, a1, a2, a3);
    if (cpu->ops->reg_set(cpu, 0, (uint32_t)ret))
        return false;
    if (p->request != PSCI_REQ_NONE) {
        cpu->exit_code = 0;
        cpu->exit_request = true;
    }
    return true;
}

int psci_setup(struct psci *p, const void *fdt, struct cpu *const *cpus, unsigned ncpus,
               struct orr_error *err)
{
    memset(p, 0, sizeof *p);
    p->ncpus = ncpus;
    int node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci");
    if (node < 0)
        node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-0.2");
    if (node < 0)
        node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-1.0");
    if (node < 0)
        return 0;
    int len;
    const char *method = fdt_getprop(fdt, node, "method", &len);
    if (!method || len <= 0 || strnlen(method, (size_t)len) == (size_t)len)
        return orr_fail(err, "the psci node has no `method` (\"hvc\" or \"smc\")");
    if (strcmp(method, "hvc") == 0)
        p->conduit = CPU_FW_HVC;
    else if (strcmp(method, "smc") == 0)
        p->conduit = CPU_FW_SMC;
    else
        return orr_fail(err, "the psci node's method \"%s\" is not \"hvc\" or \"smc\"", method);
    p->enabled = true;
    for (unsigned i = 0; i < ncpus; i++)
        cpus[i]->firmware = (struct cpu_firmware){ .call = psci_firmware_call, .opaque = p };
    return 0;
}
