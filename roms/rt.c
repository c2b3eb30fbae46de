/* UART output through the PL011 at 0x09000000 (arm-virt, QEMU virt) and
 * exit through ARM semihosting. */
#include "rt.h"

#define UART_BASE 0x09000000u
#define UART_DR (*(volatile uint32_t *)(UART_BASE + 0x000))
#define UART_FR (*(volatile uint32_t *)(UART_BASE + 0x018))
#define UART_CR (*(volatile uint32_t *)(UART_BASE + 0x030))
#define FR_TXFF (1u << 5)

#define SYS_EXIT 0x18
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026u

void uart_putc(char c)
{
    static int enabled;
    if (!enabled) {
        /* UARTEN | TXE | RXE: the TRM requires them before transmitting. */
        UART_CR = (1u << 0) | (1u << 8) | (1u << 9);
        enabled = 1;
    }
    if (c == '\n')
        uart_putc('\r');
    while (UART_FR & FR_TXFF)
        ;
    UART_DR = (uint8_t)c;
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

void uart_putdec(int32_t v)
{
    char buf[12];
    int n = 0;
    uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    if (v < 0)
        uart_putc('-');
    do {
        buf[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n)
        uart_putc(buf[--n]);
}

void uart_puthex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4)
        uart_putc("0123456789abcdef"[(v >> i) & 15]);
}

/* SYS_EXIT_EXTENDED takes a two-word block: reason, subcode. The subcode
 * becomes the exit status. */
void rt_exit(int code)
{
    uint32_t block[2] = { ADP_Stopped_ApplicationExit, (uint32_t)code };
    semihost(SYS_EXIT_EXTENDED, (uintptr_t)block);
    /* Should the host not know the extended call, fall back to SYS_EXIT:
     * a failure becomes ADP_Stopped_RunTimeErrorUnknown (non-zero status). */
    semihost(SYS_EXIT, code == 0 ? ADP_Stopped_ApplicationExit : 0x20023u);
    for (;;)
        ;
}
