/* PSCI (Power State Coordination Interface, ARM DEN 0022D) as the board's
 * firmware: the machine answers PSCI calls made with SMC or HVC (the
 * conduit the tree's /psci `method` names) in place of a secure monitor or
 * hypervisor, as QEMU does for its virt machine. */
#ifndef ORRERY_MACHINE_PSCI_H
#define ORRERY_MACHINE_PSCI_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "cpu/error.h"

/* Function ids (DEN 0022D chapter 5, SMC32 calling convention; the SMC64 forms
 * are accepted for the calls that have them). */
#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_MIGRATE 0x84000005u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_MIGRATE_INFO_UP_CPU 0x84000007u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define PSCI_SMC64 0x40000000u
/* QEMU's PSCI 0.1 ids (only in trees that name them in cpu_on etc.). */
#define PSCI_0_1_BASE 0x95c1ba5eu

/* Return codes (DEN 0022D chapter 5). */
#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)

/* What a call asked of the machine beyond its return value. */
enum psci_request { PSCI_REQ_NONE, PSCI_REQ_SYSTEM_OFF, PSCI_REQ_SYSTEM_RESET,
                    PSCI_REQ_CPU_OFF, PSCI_REQ_CPU_SUSPEND };

#define PSCI_MAX_CPUS 8

struct psci {
    bool enabled;
    enum cpu_fw_conduit conduit;
    unsigned ncpus;              /* CPU n has MPIDR affinity n (Aff0) */
    enum psci_request request;   /* set by a call, taken by the run loop */
    /* CPU_SUSPEND: the CPU waits as in WFI until one of its interrupt
     * inputs is high (the run loop checks). Saved with the machine. */
    bool suspended[PSCI_MAX_CPUS];
};

/* Enables PSCI if the tree has a node compatible with "arm,psci*" whose
 * `method` is "hvc" or "smc"; then installs the hook on every CPU. A psci
 * node with another method is an error. */
int psci_setup(struct psci *p, const void *fdt, struct cpu *const *cpus, unsigned ncpus,
               struct orr_error *err) ORR_MUST_CHECK;

/* One call: function id and arguments (r0..r3), result for r0. A request
 * that ends or resets the run is left in p->request. */
int32_t psci_call(struct psci *p, uint32_t fid, uint32_t a1, uint32_t a2, uint32_t a3);

#endif
