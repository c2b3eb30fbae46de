/* Every device model built into Orrery (listed by registry.c). */
#ifndef ORRERY_MACHINE_DEVICES_DEVICES_H
#define ORRERY_MACHINE_DEVICES_DEVICES_H

#include "machine/device.h"

extern const struct device_model cfi_flash_model;
extern const struct device_model gic_model;
extern const struct device_model pl011_model;
extern const struct device_model pl031_model;
extern const struct device_model pl061_model;
extern const struct device_model virtio_mmio_model;

#endif
