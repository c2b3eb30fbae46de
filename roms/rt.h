/* The tiny runtime the ROMs share: UART output and semihosting exit. */
#ifndef ROMS_RT_H
#define ROMS_RT_H

#include <stdint.h>

int semihost(uint32_t op, uintptr_t arg);
void uart_putc(char c);
void uart_puts(const char *s);
void uart_putdec(int32_t v);
void uart_puthex(uint32_t v);
/* Pass (0) or failed check number, through SYS_EXIT_EXTENDED. */
void rt_exit(int code) __attribute__((noreturn));

#endif
