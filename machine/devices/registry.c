/* Every device model built into Orrery (machine/device.h). A new model adds
 * its descriptor to devices.h and to this table; the board loader finds it
 * by any of its compatible strings. */
#include <string.h>

#include "machine/devices/devices.h"

static const struct device_model *const device_models[] = {
    &acpi_pm_model,
    &bios_rom_model,
    &cfi_flash_model,
    &debugcon_model,
    &gic_model,
    &i8042_model,
    &i8254_model,
    &i8259_model,
    &isa_debug_exit_model,
    &mc146818_model,
    &ns16550_model,
    &pl011_model,
    &pl031_model,
    &pl050_model,
    &pl061_model,
    &pl111_model,
    &post_code_model,
    &vga_model,
    &virtio_mmio_model,
};

#define DEVICE_MODEL_COUNT (sizeof device_models / sizeof device_models[0])

const struct device_model *const *device_model_list(size_t *count)
{
    if (count)
        *count = DEVICE_MODEL_COUNT;
    return device_models;
}

const struct device_model *device_model_find(const char *compatible)
{
    if (!compatible)
        return NULL;
    for (size_t i = 0; i < DEVICE_MODEL_COUNT; i++)
        for (const char *const *c = device_models[i]->compatible; c && *c; c++)
            if (strcmp(*c, compatible) == 0)
                return device_models[i];
    return NULL;
}
