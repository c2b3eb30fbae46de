/* Parallel NOR flash with the Intel/Sharp command set and a CFI query
 * table, as QEMU's pflash_cfi01 presents it on the virt machine
 * (machine/devices/cfi_flash.c). */
#ifndef ORRERY_MACHINE_DEVICES_CFI_FLASH_H
#define ORRERY_MACHINE_DEVICES_CFI_FLASH_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

#define CFI_FLASH_SECTOR_SIZE (256u * 1024)   /* QEMU virt's erase block */

/* Copies data to the start of bank `bank` (one bank per `reg` window);
 * larger than the bank is an error. The flash keeps it across resets. */
int cfi_flash_load(void *dev, unsigned bank, const uint8_t *data, size_t len,
                   struct orr_error *err) ORR_MUST_CHECK;
/* Size of bank `bank`, 0 if there is no such bank. */
uint64_t cfi_flash_bank_size(const void *dev, unsigned bank);

#endif
