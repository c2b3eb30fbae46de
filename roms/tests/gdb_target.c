/* A small program for the GDB stub test (tests/integration/test_gdb.py)
 * and the debugging tutorial: a loop that calls a function and counts in a
 * global. Built with debug information so GDB can name variables. Prints
 * what it computed and exits with the count as its status, so a debugger
 * that changed `limit` shows in the result. */
#include "rt.h"

volatile int counter;
volatile int limit = 5;

__attribute__((noinline)) int add_step(int acc, int k)
{
    return acc + k * 3 + 1;
}

int main(void)
{
    int acc = 0;
    for (int i = 0; i < limit; i++) {
        acc = add_step(acc, i);
        counter = counter + 1;
    }
    uart_puts("counter=");
    uart_putdec(counter);
    uart_puts(" acc=");
    uart_putdec(acc);
    uart_puts("\n");
    return counter;
}
