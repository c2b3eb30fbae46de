/* The ARMv7 Generic Timer (ARM ARM v7 B8). */
#include "isa-arm/arm_gtimer.h"
#include "isa-arm/arm_internal.h"

int arm_gtimer_mrc(struct arm_cpu *c, unsigned opc1, unsigned crm, unsigned opc2,
                   uint32_t *value)
{
    (void)c; (void)opc1; (void)crm; (void)opc2; (void)value;
    return -1;
}

int arm_gtimer_mcr(struct arm_cpu *c, unsigned opc1, unsigned crm, unsigned opc2,
                   uint32_t value)
{
    (void)c; (void)opc1; (void)crm; (void)opc2; (void)value;
    return -1;
}

int arm_gtimer_mrrc(struct arm_cpu *c, unsigned opc1, uint64_t *value)
{
    (void)c; (void)opc1; (void)value;
    return -1;
}

int arm_gtimer_mcrr(struct arm_cpu *c, unsigned opc1, uint64_t value)
{
    (void)c; (void)opc1; (void)value;
    return -1;
}
