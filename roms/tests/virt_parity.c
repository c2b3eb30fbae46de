/* Parity program for Orrery and QEMU's `virt`: one ELF, unmodified, run on
 * both (tests/integration/test_qemu_parity.py compares their output byte
 * for byte and their exit status).
 *
 * It prints a banner, then one line per computation with its result, and
 * exits through SYS_EXIT_EXTENDED: status 0 when every result equals the
 * value written here, otherwise the number of the first computation that
 * differs (so an emulator bug shows as the same non-zero status on one side
 * only). The computations cover what a compiler makes of ordinary C: loops,
 * recursion, libgcc's division helpers (32- and 64-bit, signed and
 * unsigned), 64-bit multiplication, shifts and rotates, byte and halfword
 * memory traffic, an interworking call into Thumb code, and table lookups.
 * Nothing depends on time, the CPU model or uninitialised memory. */
#include "rt.h"

struct result {
    const char *name;
    uint32_t (*compute)(void);
    uint32_t expected;
};

/* Sieve of Eratosthenes below 10000: the number of primes. */
static uint32_t primes_below_10000(void)
{
    static uint8_t composite[10000];
    uint32_t count = 0;
    for (uint32_t i = 2; i < 10000; i++) {
        if (composite[i])
            continue;
        count++;
        for (uint32_t j = i * i; j < 10000; j += i)
            composite[j] = 1;
    }
    return count;
}

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bit by bit. */
static uint32_t crc32_of(const uint8_t *p, uint32_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

static uint32_t crc32_check_string(void)
{
    static const uint8_t text[] = "123456789";
    return crc32_of(text, sizeof text - 1);   /* the standard check value */
}

/* Longest Collatz chain for a start below 10000: returns the start. */
static uint32_t collatz_longest(void)
{
    uint32_t best = 0, best_len = 0;
    for (uint32_t n = 1; n < 10000; n++) {
        uint32_t len = 1;
        for (uint64_t x = n; x != 1; len++)
            x = (x & 1) ? 3 * x + 1 : x / 2;
        if (len > best_len) {
            best_len = len;
            best = n;
        }
    }
    return best;
}

/* Signed and unsigned 32-bit division and remainder (__aeabi_idivmod,
 * __aeabi_uidivmod on ARMv5TE and the Cortex-A15 alike: the build has no
 * hardware divide). volatile keeps the operands out of constant folding. */
static uint32_t div32_mix(void)
{
    static volatile int32_t sn[] = { 1000003, -1000003, 7, -7, 0x7FFFFFFF, -2147483647 - 1 };
    static volatile int32_t sd[] = { 7, 7, -3, -3, 65536, 3 };
    static volatile uint32_t un[] = { 0xFFFFFFFFu, 123456789u, 0x80000000u, 99u };
    static volatile uint32_t ud[] = { 10u, 1000u, 3u, 100u };
    uint32_t h = 0;
    for (unsigned i = 0; i < sizeof sn / sizeof sn[0]; i++)
        h = h * 31 + (uint32_t)(sn[i] / sd[i]) + 7u * (uint32_t)(sn[i] % sd[i]);
    for (unsigned i = 0; i < sizeof un / sizeof un[0]; i++)
        h = h * 31 + un[i] / ud[i] + 7u * (un[i] % ud[i]);
    return h;
}

/* 64-bit multiply, divide (__aeabi_uldivmod, __aeabi_ldivmod) and shifts. */
static uint32_t arith64_mix(void)
{
    static volatile uint64_t a = 0x0123456789ABCDEFull, b = 0xFEDCBA9876543210ull;
    static volatile int64_t c = -1234567890123456789ll;
    static volatile uint32_t s = 37;
    uint64_t p = a * b;
    uint64_t q = b / 1000003u + b % 1000003u;
    int64_t r = c / 987654321 + c % 987654321;
    uint64_t sh = (a << s) ^ (b >> s) ^ (uint64_t)(c >> s);
    uint64_t all = p ^ q ^ (uint64_t)r ^ sh;
    return (uint32_t)all ^ (uint32_t)(all >> 32);
}

/* Integer square root by Newton's method, summed over many inputs. */
static uint32_t isqrt(uint32_t n)
{
    if (n < 2)
        return n;
    uint32_t x = n, y = (x + 1) / 2;
    while (y < x) {
        x = y;
        y = (x + n / x) / 2;
    }
    return x;
}

static uint32_t isqrt_sum(void)
{
    uint32_t sum = 0;
    for (uint32_t n = 0; n < 200000; n += 7)
        sum += isqrt(n * 9973u);
    return sum;
}

/* Recursion: the Ackermann function A(2, 3) and A(3, 3). */
static uint32_t ackermann(uint32_t m, uint32_t n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

static uint32_t ackermann_pair(void)
{
    return ackermann(2, 3) * 1000 + ackermann(3, 3);
}

/* Byte and halfword memory traffic: fill, overlapping backward move,
 * byte-reverse in place, then a halfword-wise checksum (Fletcher-32). */
static uint32_t memory_shuffle(void)
{
    static uint8_t buf[4096];
    for (uint32_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 131u + (i >> 5));
    for (uint32_t i = sizeof buf - 1; i >= 3; i--)   /* overlapping move by 3 */
        buf[i] = buf[i - 3];
    for (uint32_t i = 0, j = sizeof buf - 1; i < j; i++, j--) {
        uint8_t t = buf[i];
        buf[i] = buf[j];
        buf[j] = t;
    }
    const uint16_t *h = (const uint16_t *)buf;
    uint32_t s1 = 0xFFFF, s2 = 0xFFFF;
    for (uint32_t i = 0; i < sizeof buf / 2; i++) {
        s1 += h[i];
        s1 %= 65535;
        s2 += s1;
        s2 %= 65535;
    }
    return s2 << 16 | s1;
}

/* Rotates, bit counting and byte swaps, written in plain C. */
static uint32_t bit_tricks(void)
{
    uint32_t h = 0x9E3779B9u, acc = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        h ^= h << 13;
        h ^= h >> 17;
        h ^= h << 5;
        uint32_t r = (h << (i & 31)) | (h >> ((32 - (i & 31)) & 31));
        uint32_t pop = r - ((r >> 1) & 0x55555555u);
        pop = (pop & 0x33333333u) + ((pop >> 2) & 0x33333333u);
        pop = (((pop + (pop >> 4)) & 0x0F0F0F0Fu) * 0x01010101u) >> 24;
        uint32_t swapped = (r >> 24) | ((r >> 8) & 0xFF00u) | ((r << 8) & 0xFF0000u) | (r << 24);
        acc = acc * 33 + pop + (swapped ^ i);
    }
    return acc;
}

/* Thumb code called from ARM (BLX/BX interworking): a small polynomial
 * hash, also through a function pointer. */
__attribute__((target("thumb"), noinline))
static uint32_t thumb_hash(const char *s)
{
    uint32_t h = 5381;
    while (*s)
        h = h * 33 ^ (uint8_t)*s++;
    return h;
}

static uint32_t interworking(void)
{
    uint32_t (*volatile fn)(const char *) = thumb_hash;
    return thumb_hash("Orrery and QEMU") ^ fn("arm-virt") * 3;
}

/* A switch compiled to a jump table: a small state machine over a string. */
static uint32_t state_machine(void)
{
    static const char input[] = "ab12  cd-34+ef5*6/7 xyz 890";
    uint32_t state = 0, words = 0, digits = 0, ops = 0, value = 0;
    for (const char *p = input; *p; p++) {
        char ch = *p;
        switch (ch) {
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
            digits++;
            value = value * 10 + (uint32_t)(ch - '0');
            state = 1;
            break;
        case '+': case '-': case '*': case '/':
            ops++;
            state = 2;
            break;
        case ' ':
            if (state != 0)
                words++;
            state = 0;
            break;
        default:
            state = 3;
            break;
        }
    }
    return words << 24 | digits << 16 | ops << 8 | (value & 0xFF);
}

static const struct result results[] = {
    { "primes below 10000", primes_below_10000, 1229 },
    { "crc32(\"123456789\")", crc32_check_string, 0xCBF43926u },
    { "longest Collatz start below 10000", collatz_longest, 6171 },
    { "32-bit division mix", div32_mix, 0x358FD190u },
    { "64-bit arithmetic mix", arith64_mix, 0x5D46D55Fu },
    { "isqrt sum", isqrt_sum, 0x32B43F78u },
    { "Ackermann A(2,3)*1000 + A(3,3)", ackermann_pair, 9061 },
    { "memory shuffle (Fletcher-32)", memory_shuffle, 0x804B0E0Eu },
    { "bit tricks", bit_tricks, 0x86E3AD10u },
    { "Thumb interworking hash", interworking, 0xBC133D2Eu },
    { "jump-table state machine", state_machine, 0x030A04D2u },
};

int main(void)
{
    int first_bad = 0;
    uart_puts("virt parity: computations on arm-virt / QEMU virt\n");
    for (unsigned i = 0; i < sizeof results / sizeof results[0]; i++) {
        uint32_t v = results[i].compute();
        uart_puts("  ");
        uart_puts(results[i].name);
        uart_puts(" = 0x");
        uart_puthex(v);
        if (v != results[i].expected) {
            uart_puts(" MISMATCH, expected 0x");
            uart_puthex(results[i].expected);
            if (!first_bad)
                first_bad = (int)i + 1;
        }
        uart_putc('\n');
    }
    uart_puts(first_bad ? "virt parity: FAILED\n" : "virt parity: all results as expected\n");
    return first_bad;
}
