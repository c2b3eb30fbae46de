/* What a guest may reach of the host, as callbacks the frontend provides.
 * Semihosting's console goes here; the library itself never touches stdio. */
#ifndef ORRERY_CPU_HOST_H
#define ORRERY_CPU_HOST_H

#include <stddef.h>
#include <stdint.h>

struct host_io {
    void *opaque;
    /* Semihosting console output (SYS_WRITEC, SYS_WRITE0, SYS_WRITE to :tt). */
    void (*console_write)(void *opaque, const uint8_t *buf, size_t len);
    /* Semihosting console input (SYS_READC, SYS_READ from :tt): one byte,
     * blocking, or -1 at end of input. */
    int (*console_readc)(void *opaque);
    /* Command line handed to the guest by SYS_GET_CMDLINE (may be NULL). */
    const char *cmdline;
};

#endif
