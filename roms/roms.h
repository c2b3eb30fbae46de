/* ROMs built into the binary (roms/meson.build embeds the committed ELFs
 * with scripts/embed.py). */
#ifndef ORRERY_ROMS_ROMS_H
#define ORRERY_ROMS_ROMS_H

#include <stddef.h>

/* roms/demo.elf: banner, Mandelbrot and primes on the PL011, then exit 0. */
extern const unsigned char rom_demo_elf[];
extern const size_t rom_demo_elf_size;

#endif
