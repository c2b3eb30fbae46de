#include <string.h>

#include "machine/devices/devices.h"

static const struct device_model *const device_models[] = {
    &pl011_model,
};

const struct device_model *const *device_model_list(size_t *count)
{
    *count = sizeof device_models / sizeof device_models[0];
    return device_models;
}

const struct device_model *device_model_find(const char *compatible)
{
    for (size_t i = 0; i < sizeof device_models / sizeof device_models[0]; i++)
        for (const char *const *c = device_models[i]->compatible; *c; c++)
            if (strcmp(*c, compatible) == 0)
                return device_models[i];
    return NULL;
}
