/* The ARM core's public face: its CPU models. Everything else about the core
 * is reached through the cpu interface (cpu/cpu.h). */
#ifndef ORRERY_ISA_ARM_ARM_H
#define ORRERY_ISA_ARM_ARM_H

#include <stddef.h>

#include "cpu/cpu.h"

/* "arm7tdmi" (ARMv4T) and "arm926ej-s" (ARMv5TE). */
extern const struct cpu_model *const arm_cpu_models[];
extern const size_t arm_cpu_model_count;

#endif
