/* The one registry over every ISA's CPU models (cpu/cpu.h). Only the ARM
 * core exists so far; another ISA's table would be searched after it. */
#include <string.h>

#include "cpu/cpu.h"
#include "isa-arm/arm.h"

const struct cpu_model *const *cpu_model_list(size_t *count)
{
    if (count)
        *count = arm_cpu_model_count;
    return arm_cpu_models;
}

const struct cpu_model *cpu_model_find(const char *name)
{
    size_t n;
    const struct cpu_model *const *models = cpu_model_list(&n);
    if (!name)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(models[i]->name, name) == 0)
            return models[i];
    return NULL;
}

const struct cpu_model *cpu_model_find_compatible(const char *compatible)
{
    size_t n;
    const struct cpu_model *const *models = cpu_model_list(&n);
    if (!compatible)
        return NULL;
    for (size_t i = 0; i < n; i++)
        for (const char *const *c = models[i]->compatible; c && *c; c++)
            if (strcmp(*c, compatible) == 0)
                return models[i];
    return NULL;
}
