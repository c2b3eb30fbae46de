/* Every device model built into Orrery (listed by registry.c). */
#ifndef ORRERY_MACHINE_DEVICES_DEVICES_H
#define ORRERY_MACHINE_DEVICES_DEVICES_H

#include "machine/device.h"

extern const struct device_model acpi_pm_model;
extern const struct device_model bios_rom_model;
extern const struct device_model cfi_flash_model;
extern const struct device_model debugcon_model;
extern const struct device_model gic_model;
extern const struct device_model i8042_model;
extern const struct device_model i8254_model;
extern const struct device_model i8259_model;
extern const struct device_model isa_debug_exit_model;
extern const struct device_model mc146818_model;
extern const struct device_model ns16550_model;
extern const struct device_model pl011_model;
extern const struct device_model pl031_model;
extern const struct device_model pl050_model;
extern const struct device_model pl061_model;
extern const struct device_model pl111_model;
extern const struct device_model post_code_model;
extern const struct device_model vga_model;
extern const struct device_model virtio_mmio_model;

/* Fills a bios-rom device's windows with an image ending at each window's
 * end (machine_load_bios). */
int bios_rom_load(void *dev, const uint8_t *data, size_t len,
                  struct orr_error *err) ORR_MUST_CHECK;
/* The PS/2 keyboard and mouse behind an i8042 device, for a frontend's
 * host input (ps2.h: ps2_kbd_key, ps2_mouse_move). */
struct ps2_kbd *i8042_keyboard(void *dev);
struct ps2_mouse *i8042_mouse(void *dev);
/* The exit status of a write of v to an isa-debug-exit port. */
int debug_exit_status(uint64_t v);

#endif
