/* The one registry over every ISA's CPU models (cpu/cpu.h): each ISA's
 * table in turn, ARM first. */
#include <string.h>

#include "cpu/cpu.h"
#include "isa-arm/arm.h"
#include "isa-x86/x86.h"

size_t cpu_model_count(void)
{
    return arm_cpu_model_count + x86_cpu_model_count;
}

const struct cpu_model *cpu_model_at(size_t index)
{
    if (index < arm_cpu_model_count)
        return arm_cpu_models[index];
    index -= arm_cpu_model_count;
    return index < x86_cpu_model_count ? x86_cpu_models[index] : NULL;
}

const struct cpu_model *cpu_model_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < cpu_model_count(); i++)
        if (strcmp(cpu_model_at(i)->name, name) == 0)
            return cpu_model_at(i);
    return NULL;
}

const struct cpu_model *cpu_model_find_compatible(const char *compatible)
{
    if (!compatible)
        return NULL;
    for (size_t i = 0; i < cpu_model_count(); i++)
        for (const char *const *c = cpu_model_at(i)->compatible; c && *c; c++)
            if (strcmp(*c, compatible) == 0)
                return cpu_model_at(i);
    return NULL;
}
