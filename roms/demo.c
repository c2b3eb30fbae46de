/* The demo ROM: a banner, an ASCII Mandelbrot set in 4.12 fixed point and
 * the first primes, all computed by the guest, printed through the PL011,
 * then a clean semihosting exit (status 0). */
#include "rt.h"

#define FRAC 12
#define ONE (1 << FRAC)

static int32_t fmul(int32_t a, int32_t b)
{
    return (int32_t)(((int64_t)a * b) >> FRAC);
}

static void mandelbrot(void)
{
    static const char shades[] = " .:-=+*#%@";
    const int cols = 64, rows = 24, max_iter = 40;
    for (int row = 0; row < rows; row++) {
        int32_t ci = -ONE * 5 / 4 + row * (ONE * 5 / 2) / rows;
        for (int col = 0; col < cols; col++) {
            int32_t cr = -ONE * 2 + col * (ONE * 3) / cols;
            int32_t zr = 0, zi = 0;
            int it = 0;
            while (it < max_iter) {
                int32_t zr2 = fmul(zr, zr), zi2 = fmul(zi, zi);
                if (zr2 + zi2 > 4 * ONE)
                    break;
                zi = 2 * fmul(zr, zi) + ci;
                zr = zr2 - zi2 + cr;
                it++;
            }
            uart_putc(it == max_iter ? '@' : shades[it % 9]);
        }
        uart_putc('\n');
    }
}

static void primes(void)
{
    int count = 0;
    for (int n = 2; count < 60; n++) {
        int prime = 1;
        for (int d = 2; d * d <= n; d++)
            if (n % d == 0) {
                prime = 0;
                break;
            }
        if (!prime)
            continue;
        uart_putdec(n);
        count++;
        uart_putc(count % 15 == 0 ? '\n' : ' ');
    }
}

int main(void)
{
    uart_puts("Orrery demo ROM on arm-virt\n");
    uart_puts("==========================\n\n");
    mandelbrot();
    uart_puts("\nThe first 60 primes:\n");
    primes();
    uart_puts("\nGoodbye.\n");
    semihost(0x18, 0x20026);    /* SYS_EXIT, ADP_Stopped_ApplicationExit */
    return 0;
}
