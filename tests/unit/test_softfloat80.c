/* The soft float alone, on any host: fixed vectors taken from silicon (an
 * x86 host's x87, all exceptions masked) for every rounding mode and
 * precision, denormal and NaN handling (Intel SDM Vol. 1 Table 4-7),
 * masked overflow and underflow, stores to single, double and the integer
 * formats including the indefinites, and loads. The random comparison
 * with the host's x87 is test_x87_hostdiff.c. */
#include <check.h>

#include "isa-x86/softfloat80.h"
#include "tests/unit/unit.h"

enum f80_op { F80_OP_ADD, F80_OP_SUB, F80_OP_MUL, F80_OP_DIV, F80_OP_SQRT, F80_OP_REM1,
              F80_OP_RNDINT };

/* op, control word, ST0, ST1 (the operands as ST0 op ST1), result, status
 * word bits C3 C2 C1 C0 and the six flags. */
struct op_vector {
    uint8_t op;
    uint16_t cw;
    struct f80 a, b, result;
    uint16_t sw;
};

static const struct op_vector op_vectors[] = {
    { F80_OP_DIV, 0x007f, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaab0000000000ull, 0x3ffd }, 0x0220 }, /* 1/3 */
    { F80_OP_DIV, 0x007f, { 0x8000000000000000ull, 0xbfff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaab0000000000ull, 0xbffd }, 0x0220 }, /* -1/3 */
    { F80_OP_ADD, 0x007f, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fbf }, { 0x8000000000000000ull, 0x3fff }, 0x0020 }, /* 1 + 2^-64 */
    { F80_OP_MUL, 0x007f, { 0xffffffffffffffffull, 0x7ffe }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x7fff }, 0x0228 }, /* overflow */
    { F80_OP_MUL, 0x007f, { 0xffffffffffffffffull, 0xfffe }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xffff }, 0x0228 }, /* negative overflow */
    { F80_OP_MUL, 0x007f, { 0x8000000000000000ull, 0x0001 }, { 0xc000000000000000ull, 0x3ffe }, { 0x6000000000000000ull, 0x0000 }, 0x0000 }, /* min normal * 0.75: denormal result */
    { F80_OP_SQRT, 0x007f, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xb504f30000000000ull, 0x3fff }, 0x0020 }, /* sqrt 2 */
    { F80_OP_RNDINT, 0x007f, { 0xa000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, 0x0020 }, /* rndint 2.5 */
    { F80_OP_RNDINT, 0x007f, { 0xa000000000000000ull, 0xc000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xc000 }, 0x0020 }, /* rndint -2.5 */
    { F80_OP_DIV, 0x047f, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaa0000000000ull, 0x3ffd }, 0x0020 }, /* 1/3 */
    { F80_OP_DIV, 0x047f, { 0x8000000000000000ull, 0xbfff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaab0000000000ull, 0xbffd }, 0x0220 }, /* -1/3 */
    { F80_OP_ADD, 0x047f, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fbf }, { 0x8000000000000000ull, 0x3fff }, 0x0020 }, /* 1 + 2^-64 */
    { F80_OP_MUL, 0x047f, { 0xffffffffffffffffull, 0x7ffe }, { 0x8000000000000000ull, 0x4000 }, { 0xffffff0000000000ull, 0x7ffe }, 0x0028 }, /* overflow */
    { F80_OP_MUL, 0x047f, { 0xffffffffffffffffull, 0xfffe }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xffff }, 0x0228 }, /* negative overflow */
    { F80_OP_MUL, 0x047f, { 0x8000000000000000ull, 0x0001 }, { 0xc000000000000000ull, 0x3ffe }, { 0x6000000000000000ull, 0x0000 }, 0x0000 }, /* min normal * 0.75: denormal result */
    { F80_OP_SQRT, 0x047f, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xb504f30000000000ull, 0x3fff }, 0x0020 }, /* sqrt 2 */
    { F80_OP_RNDINT, 0x047f, { 0xa000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, 0x0020 }, /* rndint 2.5 */
    { F80_OP_RNDINT, 0x047f, { 0xa000000000000000ull, 0xc000 }, { 0x8000000000000000ull, 0x4000 }, { 0xc000000000000000ull, 0xc000 }, 0x0220 }, /* rndint -2.5 */
    { F80_OP_DIV, 0x087f, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaab0000000000ull, 0x3ffd }, 0x0220 }, /* 1/3 */
    { F80_OP_DIV, 0x087f, { 0x8000000000000000ull, 0xbfff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaa0000000000ull, 0xbffd }, 0x0020 }, /* -1/3 */
    { F80_OP_ADD, 0x087f, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fbf }, { 0x8000010000000000ull, 0x3fff }, 0x0220 }, /* 1 + 2^-64 */
    { F80_OP_MUL, 0x087f, { 0xffffffffffffffffull, 0x7ffe }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x7fff }, 0x0228 }, /* overflow */
    { F80_OP_MUL, 0x087f, { 0xffffffffffffffffull, 0xfffe }, { 0x8000000000000000ull, 0x4000 }, { 0xffffff0000000000ull, 0xfffe }, 0x0028 }, /* negative overflow */
    { F80_OP_MUL, 0x087f, { 0x8000000000000000ull, 0x0001 }, { 0xc000000000000000ull, 0x3ffe }, { 0x6000000000000000ull, 0x0000 }, 0x0000 }, /* min normal * 0.75: denormal result */
    { F80_OP_SQRT, 0x087f, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xb504f40000000000ull, 0x3fff }, 0x0220 }, /* sqrt 2 */
    { F80_OP_RNDINT, 0x087f, { 0xa000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xc000000000000000ull, 0x4000 }, 0x0220 }, /* rndint 2.5 */
    { F80_OP_RNDINT, 0x087f, { 0xa000000000000000ull, 0xc000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xc000 }, 0x0020 }, /* rndint -2.5 */
    { F80_OP_DIV, 0x0c7f, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaa0000000000ull, 0x3ffd }, 0x0020 }, /* 1/3 */
    { F80_OP_DIV, 0x0c7f, { 0x8000000000000000ull, 0xbfff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaa0000000000ull, 0xbffd }, 0x0020 }, /* -1/3 */
    { F80_OP_ADD, 0x0c7f, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fbf }, { 0x8000000000000000ull, 0x3fff }, 0x0020 }, /* 1 + 2^-64 */
    { F80_OP_MUL, 0x0c7f, { 0xffffffffffffffffull, 0x7ffe }, { 0x8000000000000000ull, 0x4000 }, { 0xffffff0000000000ull, 0x7ffe }, 0x0028 }, /* overflow */
    { F80_OP_MUL, 0x0c7f, { 0xffffffffffffffffull, 0xfffe }, { 0x8000000000000000ull, 0x4000 }, { 0xffffff0000000000ull, 0xfffe }, 0x0028 }, /* negative overflow */
    { F80_OP_MUL, 0x0c7f, { 0x8000000000000000ull, 0x0001 }, { 0xc000000000000000ull, 0x3ffe }, { 0x6000000000000000ull, 0x0000 }, 0x0000 }, /* min normal * 0.75: denormal result */
    { F80_OP_SQRT, 0x0c7f, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xb504f30000000000ull, 0x3fff }, 0x0020 }, /* sqrt 2 */
    { F80_OP_RNDINT, 0x0c7f, { 0xa000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, 0x0020 }, /* rndint 2.5 */
    { F80_OP_RNDINT, 0x0c7f, { 0xa000000000000000ull, 0xc000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xc000 }, 0x0020 }, /* rndint -2.5 */
    { F80_OP_DIV, 0x027f, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaaa800ull, 0x3ffd }, 0x0020 }, /* 1/3 */
    { F80_OP_DIV, 0x027f, { 0x8000000000000000ull, 0xbfff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaaa800ull, 0xbffd }, 0x0020 }, /* -1/3 */
    { F80_OP_ADD, 0x027f, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fbf }, { 0x8000000000000000ull, 0x3fff }, 0x0020 }, /* 1 + 2^-64 */
    { F80_OP_MUL, 0x027f, { 0xffffffffffffffffull, 0x7ffe }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x7fff }, 0x0228 }, /* overflow */
    { F80_OP_MUL, 0x027f, { 0xffffffffffffffffull, 0xfffe }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xffff }, 0x0228 }, /* negative overflow */
    { F80_OP_MUL, 0x027f, { 0x8000000000000000ull, 0x0001 }, { 0xc000000000000000ull, 0x3ffe }, { 0x6000000000000000ull, 0x0000 }, 0x0000 }, /* min normal * 0.75: denormal result */
    { F80_OP_SQRT, 0x027f, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xb504f333f9de6800ull, 0x3fff }, 0x0220 }, /* sqrt 2 */
    { F80_OP_RNDINT, 0x027f, { 0xa000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, 0x0020 }, /* rndint 2.5 */
    { F80_OP_RNDINT, 0x027f, { 0xa000000000000000ull, 0xc000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xc000 }, 0x0020 }, /* rndint -2.5 */
    { F80_OP_DIV, 0x067f, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaaa800ull, 0x3ffd }, 0x0020 }, /* 1/3 */
    { F80_OP_DIV, 0x067f, { 0x8000000000000000ull, 0xbfff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaab000ull, 0xbffd }, 0x0220 }, /* -1/3 */
    { F80_OP_ADD, 0x067f, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fbf }, { 0x8000000000000000ull, 0x3fff }, 0x0020 }, /* 1 + 2^-64 */
    { F80_OP_MUL, 0x067f, { 0xffffffffffffffffull, 0x7ffe }, { 0x8000000000000000ull, 0x4000 }, { 0xfffffffffffff800ull, 0x7ffe }, 0x0028 }, /* overflow */
    { F80_OP_MUL, 0x067f, { 0xffffffffffffffffull, 0xfffe }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xffff }, 0x0228 }, /* negative overflow */
    { F80_OP_MUL, 0x067f, { 0x8000000000000000ull, 0x0001 }, { 0xc000000000000000ull, 0x3ffe }, { 0x6000000000000000ull, 0x0000 }, 0x0000 }, /* min normal * 0.75: denormal result */
    { F80_OP_SQRT, 0x067f, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xb504f333f9de6000ull, 0x3fff }, 0x0020 }, /* sqrt 2 */
    { F80_OP_RNDINT, 0x067f, { 0xa000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, 0x0020 }, /* rndint 2.5 */
    { F80_OP_RNDINT, 0x067f, { 0xa000000000000000ull, 0xc000 }, { 0x8000000000000000ull, 0x4000 }, { 0xc000000000000000ull, 0xc000 }, 0x0220 }, /* rndint -2.5 */
    { F80_OP_DIV, 0x0a7f, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaab000ull, 0x3ffd }, 0x0220 }, /* 1/3 */
    { F80_OP_DIV, 0x0a7f, { 0x8000000000000000ull, 0xbfff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaaa800ull, 0xbffd }, 0x0020 }, /* -1/3 */
    { F80_OP_ADD, 0x0a7f, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fbf }, { 0x8000000000000800ull, 0x3fff }, 0x0220 }, /* 1 + 2^-64 */
    { F80_OP_MUL, 0x0a7f, { 0xffffffffffffffffull, 0x7ffe }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x7fff }, 0x0228 }, /* overflow */
    { F80_OP_MUL, 0x0a7f, { 0xffffffffffffffffull, 0xfffe }, { 0x8000000000000000ull, 0x4000 }, { 0xfffffffffffff800ull, 0xfffe }, 0x0028 }, /* negative overflow */
    { F80_OP_MUL, 0x0a7f, { 0x8000000000000000ull, 0x0001 }, { 0xc000000000000000ull, 0x3ffe }, { 0x6000000000000000ull, 0x0000 }, 0x0000 }, /* min normal * 0.75: denormal result */
    { F80_OP_SQRT, 0x0a7f, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xb504f333f9de6800ull, 0x3fff }, 0x0220 }, /* sqrt 2 */
    { F80_OP_RNDINT, 0x0a7f, { 0xa000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xc000000000000000ull, 0x4000 }, 0x0220 }, /* rndint 2.5 */
    { F80_OP_RNDINT, 0x0a7f, { 0xa000000000000000ull, 0xc000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xc000 }, 0x0020 }, /* rndint -2.5 */
    { F80_OP_DIV, 0x0e7f, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaaa800ull, 0x3ffd }, 0x0020 }, /* 1/3 */
    { F80_OP_DIV, 0x0e7f, { 0x8000000000000000ull, 0xbfff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaaa800ull, 0xbffd }, 0x0020 }, /* -1/3 */
    { F80_OP_ADD, 0x0e7f, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fbf }, { 0x8000000000000000ull, 0x3fff }, 0x0020 }, /* 1 + 2^-64 */
    { F80_OP_MUL, 0x0e7f, { 0xffffffffffffffffull, 0x7ffe }, { 0x8000000000000000ull, 0x4000 }, { 0xfffffffffffff800ull, 0x7ffe }, 0x0028 }, /* overflow */
    { F80_OP_MUL, 0x0e7f, { 0xffffffffffffffffull, 0xfffe }, { 0x8000000000000000ull, 0x4000 }, { 0xfffffffffffff800ull, 0xfffe }, 0x0028 }, /* negative overflow */
    { F80_OP_MUL, 0x0e7f, { 0x8000000000000000ull, 0x0001 }, { 0xc000000000000000ull, 0x3ffe }, { 0x6000000000000000ull, 0x0000 }, 0x0000 }, /* min normal * 0.75: denormal result */
    { F80_OP_SQRT, 0x0e7f, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xb504f333f9de6000ull, 0x3fff }, 0x0020 }, /* sqrt 2 */
    { F80_OP_RNDINT, 0x0e7f, { 0xa000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, 0x0020 }, /* rndint 2.5 */
    { F80_OP_RNDINT, 0x0e7f, { 0xa000000000000000ull, 0xc000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xc000 }, 0x0020 }, /* rndint -2.5 */
    { F80_OP_DIV, 0x037f, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x0220 }, /* 1/3 */
    { F80_OP_DIV, 0x037f, { 0x8000000000000000ull, 0xbfff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x0220 }, /* -1/3 */
    { F80_OP_ADD, 0x037f, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fbf }, { 0x8000000000000000ull, 0x3fff }, 0x0020 }, /* 1 + 2^-64 */
    { F80_OP_MUL, 0x037f, { 0xffffffffffffffffull, 0x7ffe }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x7fff }, 0x0228 }, /* overflow */
    { F80_OP_MUL, 0x037f, { 0xffffffffffffffffull, 0xfffe }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xffff }, 0x0228 }, /* negative overflow */
    { F80_OP_MUL, 0x037f, { 0x8000000000000000ull, 0x0001 }, { 0xc000000000000000ull, 0x3ffe }, { 0x6000000000000000ull, 0x0000 }, 0x0000 }, /* min normal * 0.75: denormal result */
    { F80_OP_SQRT, 0x037f, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xb504f333f9de6484ull, 0x3fff }, 0x0020 }, /* sqrt 2 */
    { F80_OP_RNDINT, 0x037f, { 0xa000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, 0x0020 }, /* rndint 2.5 */
    { F80_OP_RNDINT, 0x037f, { 0xa000000000000000ull, 0xc000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xc000 }, 0x0020 }, /* rndint -2.5 */
    { F80_OP_DIV, 0x077f, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaaaaaaull, 0x3ffd }, 0x0020 }, /* 1/3 */
    { F80_OP_DIV, 0x077f, { 0x8000000000000000ull, 0xbfff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x0220 }, /* -1/3 */
    { F80_OP_ADD, 0x077f, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fbf }, { 0x8000000000000000ull, 0x3fff }, 0x0020 }, /* 1 + 2^-64 */
    { F80_OP_MUL, 0x077f, { 0xffffffffffffffffull, 0x7ffe }, { 0x8000000000000000ull, 0x4000 }, { 0xffffffffffffffffull, 0x7ffe }, 0x0028 }, /* overflow */
    { F80_OP_MUL, 0x077f, { 0xffffffffffffffffull, 0xfffe }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xffff }, 0x0228 }, /* negative overflow */
    { F80_OP_MUL, 0x077f, { 0x8000000000000000ull, 0x0001 }, { 0xc000000000000000ull, 0x3ffe }, { 0x6000000000000000ull, 0x0000 }, 0x0000 }, /* min normal * 0.75: denormal result */
    { F80_OP_SQRT, 0x077f, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xb504f333f9de6484ull, 0x3fff }, 0x0020 }, /* sqrt 2 */
    { F80_OP_RNDINT, 0x077f, { 0xa000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, 0x0020 }, /* rndint 2.5 */
    { F80_OP_RNDINT, 0x077f, { 0xa000000000000000ull, 0xc000 }, { 0x8000000000000000ull, 0x4000 }, { 0xc000000000000000ull, 0xc000 }, 0x0220 }, /* rndint -2.5 */
    { F80_OP_DIV, 0x0b7f, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x0220 }, /* 1/3 */
    { F80_OP_DIV, 0x0b7f, { 0x8000000000000000ull, 0xbfff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaaaaaaull, 0xbffd }, 0x0020 }, /* -1/3 */
    { F80_OP_ADD, 0x0b7f, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fbf }, { 0x8000000000000001ull, 0x3fff }, 0x0220 }, /* 1 + 2^-64 */
    { F80_OP_MUL, 0x0b7f, { 0xffffffffffffffffull, 0x7ffe }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x7fff }, 0x0228 }, /* overflow */
    { F80_OP_MUL, 0x0b7f, { 0xffffffffffffffffull, 0xfffe }, { 0x8000000000000000ull, 0x4000 }, { 0xffffffffffffffffull, 0xfffe }, 0x0028 }, /* negative overflow */
    { F80_OP_MUL, 0x0b7f, { 0x8000000000000000ull, 0x0001 }, { 0xc000000000000000ull, 0x3ffe }, { 0x6000000000000000ull, 0x0000 }, 0x0000 }, /* min normal * 0.75: denormal result */
    { F80_OP_SQRT, 0x0b7f, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xb504f333f9de6485ull, 0x3fff }, 0x0220 }, /* sqrt 2 */
    { F80_OP_RNDINT, 0x0b7f, { 0xa000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xc000000000000000ull, 0x4000 }, 0x0220 }, /* rndint 2.5 */
    { F80_OP_RNDINT, 0x0b7f, { 0xa000000000000000ull, 0xc000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xc000 }, 0x0020 }, /* rndint -2.5 */
    { F80_OP_DIV, 0x0f7f, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaaaaaaull, 0x3ffd }, 0x0020 }, /* 1/3 */
    { F80_OP_DIV, 0x0f7f, { 0x8000000000000000ull, 0xbfff }, { 0xc000000000000000ull, 0x4000 }, { 0xaaaaaaaaaaaaaaaaull, 0xbffd }, 0x0020 }, /* -1/3 */
    { F80_OP_ADD, 0x0f7f, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fbf }, { 0x8000000000000000ull, 0x3fff }, 0x0020 }, /* 1 + 2^-64 */
    { F80_OP_MUL, 0x0f7f, { 0xffffffffffffffffull, 0x7ffe }, { 0x8000000000000000ull, 0x4000 }, { 0xffffffffffffffffull, 0x7ffe }, 0x0028 }, /* overflow */
    { F80_OP_MUL, 0x0f7f, { 0xffffffffffffffffull, 0xfffe }, { 0x8000000000000000ull, 0x4000 }, { 0xffffffffffffffffull, 0xfffe }, 0x0028 }, /* negative overflow */
    { F80_OP_MUL, 0x0f7f, { 0x8000000000000000ull, 0x0001 }, { 0xc000000000000000ull, 0x3ffe }, { 0x6000000000000000ull, 0x0000 }, 0x0000 }, /* min normal * 0.75: denormal result */
    { F80_OP_SQRT, 0x0f7f, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0xb504f333f9de6484ull, 0x3fff }, 0x0020 }, /* sqrt 2 */
    { F80_OP_RNDINT, 0x0f7f, { 0xa000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x4000 }, 0x0020 }, /* rndint 2.5 */
    { F80_OP_RNDINT, 0x0f7f, { 0xa000000000000000ull, 0xc000 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xc000 }, 0x0020 }, /* rndint -2.5 */
    { F80_OP_SUB, 0x037f, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fff }, { 0x0000000000000000ull, 0x0000 }, 0x0000 }, /* 1 - 1 = +0 */
    { F80_OP_SUB, 0x077f, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fff }, { 0x0000000000000000ull, 0x8000 }, 0x0000 }, /* 1 - 1 = -0 rounding down */
    { F80_OP_ADD, 0x037f, { 0x0000000000000000ull, 0x8000 }, { 0x0000000000000000ull, 0x0000 }, { 0x0000000000000000ull, 0x0000 }, 0x0000 }, /* -0 + +0 */
    { F80_OP_ADD, 0x037f, { 0x0000000000000000ull, 0x8000 }, { 0x0000000000000000ull, 0x8000 }, { 0x0000000000000000ull, 0x8000 }, 0x0000 }, /* -0 + -0 */
    { F80_OP_MUL, 0x037f, { 0x0000000000000001ull, 0x0000 }, { 0x8000000000000000ull, 0x3ffe }, { 0x0000000000000000ull, 0x0000 }, 0x0032 }, /* min denormal * 0.5 */
    { F80_OP_MUL, 0x037f, { 0x0000000000000001ull, 0x0000 }, { 0xc000000000000000ull, 0x3fff }, { 0x0000000000000002ull, 0x0000 }, 0x0232 }, /* min denormal * 1.5 */
    { F80_OP_ADD, 0x037f, { 0x4000000000000000ull, 0x0000 }, { 0x4000000000000000ull, 0x0000 }, { 0x8000000000000000ull, 0x0001 }, 0x0002 }, /* denormal + denormal */
    { F80_OP_ADD, 0x037f, { 0x8000000000000000ull, 0x0000 }, { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fff }, 0x0022 }, /* pseudo-denormal + 1 */
    { F80_OP_ADD, 0x037f, { 0x4000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0xffff }, 0x0001 }, /* unnormal: invalid */
    { F80_OP_ADD, 0x037f, { 0xc000000000000001ull, 0x7fff }, { 0xc000000000000002ull, 0xffff }, { 0xc000000000000002ull, 0xffff }, 0x0000 }, /* two QNaNs: larger significand */
    { F80_OP_ADD, 0x037f, { 0xc000000000000002ull, 0xffff }, { 0xc000000000000001ull, 0x7fff }, { 0xc000000000000002ull, 0xffff }, 0x0000 }, /* two QNaNs, swapped */
    { F80_OP_ADD, 0x037f, { 0x8000000000000001ull, 0x7fff }, { 0xc000000000000001ull, 0x7fff }, { 0xc000000000000001ull, 0x7fff }, 0x0001 }, /* SNaN and QNaN: the QNaN */
    { F80_OP_ADD, 0x037f, { 0x8000000000000005ull, 0x7fff }, { 0x8000000000000001ull, 0x7fff }, { 0xc000000000000005ull, 0x7fff }, 0x0001 }, /* two SNaNs: larger, quieted */
    { F80_OP_ADD, 0x037f, { 0x8000000000000001ull, 0x7fff }, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000001ull, 0x7fff }, 0x0001 }, /* SNaN and a number: quieted */
    { F80_OP_MUL, 0x037f, { 0xc000000000000001ull, 0x7fff }, { 0x4000000000000000ull, 0x0000 }, { 0xc000000000000001ull, 0x7fff }, 0x0000 }, /* QNaN and a denormal: no DE */
    { F80_OP_SUB, 0x037f, { 0x8000000000000000ull, 0x7fff }, { 0x8000000000000000ull, 0x7fff }, { 0xc000000000000000ull, 0xffff }, 0x0001 }, /* inf - inf: indefinite */
    { F80_OP_MUL, 0x037f, { 0x0000000000000000ull, 0x0000 }, { 0x8000000000000000ull, 0xffff }, { 0xc000000000000000ull, 0xffff }, 0x0001 }, /* 0 * -inf: indefinite */
    { F80_OP_DIV, 0x037f, { 0x8000000000000000ull, 0x3fff }, { 0x0000000000000000ull, 0x8000 }, { 0x8000000000000000ull, 0xffff }, 0x0004 }, /* 1 / -0: ZE */
    { F80_OP_DIV, 0x037f, { 0x0000000000000000ull, 0x0000 }, { 0x0000000000000000ull, 0x0000 }, { 0xc000000000000000ull, 0xffff }, 0x0001 }, /* 0 / 0: indefinite */
    { F80_OP_SQRT, 0x037f, { 0x8000000000000000ull, 0xbfff }, { 0x8000000000000000ull, 0x3fff }, { 0xc000000000000000ull, 0xffff }, 0x0001 }, /* sqrt -1: indefinite */
    { F80_OP_SQRT, 0x037f, { 0x0000000000000000ull, 0x8000 }, { 0x8000000000000000ull, 0x3fff }, { 0x0000000000000000ull, 0x8000 }, 0x0000 }, /* sqrt -0 */
    { F80_OP_REM1, 0x037f, { 0xb000000000000000ull, 0x4001 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0xbffe }, 0x4200 }, /* 5.5 rem1 2 */
    { F80_OP_REM1, 0x037f, { 0xa000000000000000ull, 0x4001 }, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x3fff }, 0x4000 }, /* 5 rem1 2: tie to even */
};

static struct f80_env env_from_cw(uint16_t cw, bool precision_control)
{
    static const uint8_t prec[4] = { 24, 64, 53, 64 };
    struct f80_env e = { (uint8_t)((cw >> 10) & 3), precision_control ? prec[(cw >> 8) & 3] : 64,
                         (uint8_t)(cw & 0x3F), 0, false };
    return e;
}

START_TEST(operations_match_silicon_vectors)
{
    const struct op_vector *v = &op_vectors[_i];
    struct f80_env e = env_from_cw(v->cw, v->op != F80_OP_RNDINT && v->op != F80_OP_REM1);
    struct f80 r;
    uint16_t sw = 0;
    unsigned q = 0;
    bool partial = false;
    switch (v->op) {
    case F80_OP_ADD:  r = f80_add(&e, v->a, v->b); break;
    case F80_OP_SUB:  r = f80_sub(&e, v->a, v->b); break;
    case F80_OP_MUL:  r = f80_mul(&e, v->a, v->b); break;
    case F80_OP_DIV:  r = f80_div(&e, v->a, v->b); break;
    case F80_OP_SQRT: r = f80_sqrt(&e, v->a); break;
    case F80_OP_RNDINT: r = f80_round_to_int(&e, v->a); break;
    default:
        r = f80_rem(&e, v->a, v->b, true, &q, &partial);
        sw = (uint16_t)(((q & 1) ? 0x200 : 0) | ((q & 2) ? 0x4000 : 0) | ((q & 4) ? 0x100 : 0)
                        | (partial ? 0x400 : 0));
        break;
    }
    if (v->op != F80_OP_REM1 && e.round_up && (e.flags & F80_PE))
        sw |= 0x200;
    sw |= e.flags;
    ck_assert_msg(r.sig == v->result.sig && r.sign_exp == v->result.sign_exp && sw == v->sw,
                  "vector %d: got %04x:%016llx sw %04x, want %04x:%016llx sw %04x", _i, r.sign_exp,
                  (unsigned long long)r.sig, sw, v->result.sign_exp,
                  (unsigned long long)v->result.sig, v->sw);
}
END_TEST

enum f80_store { F80_ST_F32, F80_ST_F64, F80_ST_I16, F80_ST_I32, F80_ST_I64 };

/* store kind, control word, value, memory image (low bytes), C1 and flags. */
struct store_vector {
    uint8_t kind;
    uint16_t cw;
    struct f80 value;
    uint64_t image;
    uint16_t sw;
};

static const struct store_vector store_vectors[] = {
    { F80_ST_F32, 0x037f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x000000003eaaaaabull, 0x0220 }, /* 1/3 */
    { F80_ST_F64, 0x037f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x3fd5555555555555ull, 0x0020 }, /* 1/3 */
    { F80_ST_I16, 0x037f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x0000000000000000ull, 0x0020 }, /* 1/3 */
    { F80_ST_I32, 0x037f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x0000000000000000ull, 0x0020 }, /* 1/3 */
    { F80_ST_I64, 0x037f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x0000000000000000ull, 0x0020 }, /* 1/3 */
    { F80_ST_F32, 0x077f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x000000003eaaaaaaull, 0x0020 }, /* 1/3 */
    { F80_ST_F64, 0x077f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x3fd5555555555555ull, 0x0020 }, /* 1/3 */
    { F80_ST_I16, 0x077f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x0000000000000000ull, 0x0020 }, /* 1/3 */
    { F80_ST_I32, 0x077f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x0000000000000000ull, 0x0020 }, /* 1/3 */
    { F80_ST_I64, 0x077f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x0000000000000000ull, 0x0020 }, /* 1/3 */
    { F80_ST_F32, 0x0b7f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x000000003eaaaaabull, 0x0220 }, /* 1/3 */
    { F80_ST_F64, 0x0b7f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x3fd5555555555556ull, 0x0220 }, /* 1/3 */
    { F80_ST_I16, 0x0b7f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x0000000000000001ull, 0x0220 }, /* 1/3 */
    { F80_ST_I32, 0x0b7f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x0000000000000001ull, 0x0220 }, /* 1/3 */
    { F80_ST_I64, 0x0b7f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x0000000000000001ull, 0x0220 }, /* 1/3 */
    { F80_ST_F32, 0x0f7f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x000000003eaaaaaaull, 0x0020 }, /* 1/3 */
    { F80_ST_F64, 0x0f7f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x3fd5555555555555ull, 0x0020 }, /* 1/3 */
    { F80_ST_I16, 0x0f7f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x0000000000000000ull, 0x0020 }, /* 1/3 */
    { F80_ST_I32, 0x0f7f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x0000000000000000ull, 0x0020 }, /* 1/3 */
    { F80_ST_I64, 0x0f7f, { 0xaaaaaaaaaaaaaaabull, 0x3ffd }, 0x0000000000000000ull, 0x0020 }, /* 1/3 */
    { F80_ST_F32, 0x037f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x00000000beaaaaabull, 0x0220 }, /* -1/3 */
    { F80_ST_F64, 0x037f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0xbfd5555555555555ull, 0x0020 }, /* -1/3 */
    { F80_ST_I16, 0x037f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x0000000000000000ull, 0x0020 }, /* -1/3 */
    { F80_ST_I32, 0x037f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x0000000000000000ull, 0x0020 }, /* -1/3 */
    { F80_ST_I64, 0x037f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x0000000000000000ull, 0x0020 }, /* -1/3 */
    { F80_ST_F32, 0x077f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x00000000beaaaaabull, 0x0220 }, /* -1/3 */
    { F80_ST_F64, 0x077f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0xbfd5555555555556ull, 0x0220 }, /* -1/3 */
    { F80_ST_I16, 0x077f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x000000000000ffffull, 0x0220 }, /* -1/3 */
    { F80_ST_I32, 0x077f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x00000000ffffffffull, 0x0220 }, /* -1/3 */
    { F80_ST_I64, 0x077f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0xffffffffffffffffull, 0x0220 }, /* -1/3 */
    { F80_ST_F32, 0x0b7f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x00000000beaaaaaaull, 0x0020 }, /* -1/3 */
    { F80_ST_F64, 0x0b7f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0xbfd5555555555555ull, 0x0020 }, /* -1/3 */
    { F80_ST_I16, 0x0b7f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x0000000000000000ull, 0x0020 }, /* -1/3 */
    { F80_ST_I32, 0x0b7f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x0000000000000000ull, 0x0020 }, /* -1/3 */
    { F80_ST_I64, 0x0b7f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x0000000000000000ull, 0x0020 }, /* -1/3 */
    { F80_ST_F32, 0x0f7f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x00000000beaaaaaaull, 0x0020 }, /* -1/3 */
    { F80_ST_F64, 0x0f7f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0xbfd5555555555555ull, 0x0020 }, /* -1/3 */
    { F80_ST_I16, 0x0f7f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x0000000000000000ull, 0x0020 }, /* -1/3 */
    { F80_ST_I32, 0x0f7f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x0000000000000000ull, 0x0020 }, /* -1/3 */
    { F80_ST_I64, 0x0f7f, { 0xaaaaaaaaaaaaaaabull, 0xbffd }, 0x0000000000000000ull, 0x0020 }, /* -1/3 */
    { F80_ST_F32, 0x037f, { 0x8000000000000000ull, 0x407f }, 0x000000007f800000ull, 0x0228 }, /* 2^128: f32 overflow */
    { F80_ST_F64, 0x037f, { 0x8000000000000000ull, 0x407f }, 0x47f0000000000000ull, 0x0000 }, /* 2^128: f32 overflow */
    { F80_ST_F32, 0x077f, { 0x8000000000000000ull, 0x407f }, 0x000000007f7fffffull, 0x0028 }, /* 2^128: f32 overflow */
    { F80_ST_F64, 0x077f, { 0x8000000000000000ull, 0x407f }, 0x47f0000000000000ull, 0x0000 }, /* 2^128: f32 overflow */
    { F80_ST_F32, 0x0b7f, { 0x8000000000000000ull, 0x407f }, 0x000000007f800000ull, 0x0228 }, /* 2^128: f32 overflow */
    { F80_ST_F64, 0x0b7f, { 0x8000000000000000ull, 0x407f }, 0x47f0000000000000ull, 0x0000 }, /* 2^128: f32 overflow */
    { F80_ST_F32, 0x0f7f, { 0x8000000000000000ull, 0x407f }, 0x000000007f7fffffull, 0x0028 }, /* 2^128: f32 overflow */
    { F80_ST_F64, 0x0f7f, { 0x8000000000000000ull, 0x407f }, 0x47f0000000000000ull, 0x0000 }, /* 2^128: f32 overflow */
    { F80_ST_F32, 0x037f, { 0xffffff8000000000ull, 0x407e }, 0x000000007f800000ull, 0x0228 }, /* f32 max + half ulp */
    { F80_ST_F64, 0x037f, { 0xffffff8000000000ull, 0x407e }, 0x47effffff0000000ull, 0x0000 }, /* f32 max + half ulp */
    { F80_ST_F32, 0x077f, { 0xffffff8000000000ull, 0x407e }, 0x000000007f7fffffull, 0x0020 }, /* f32 max + half ulp */
    { F80_ST_F64, 0x077f, { 0xffffff8000000000ull, 0x407e }, 0x47effffff0000000ull, 0x0000 }, /* f32 max + half ulp */
    { F80_ST_F32, 0x0b7f, { 0xffffff8000000000ull, 0x407e }, 0x000000007f800000ull, 0x0228 }, /* f32 max + half ulp */
    { F80_ST_F64, 0x0b7f, { 0xffffff8000000000ull, 0x407e }, 0x47effffff0000000ull, 0x0000 }, /* f32 max + half ulp */
    { F80_ST_F32, 0x0f7f, { 0xffffff8000000000ull, 0x407e }, 0x000000007f7fffffull, 0x0020 }, /* f32 max + half ulp */
    { F80_ST_F64, 0x0f7f, { 0xffffff8000000000ull, 0x407e }, 0x47effffff0000000ull, 0x0000 }, /* f32 max + half ulp */
    { F80_ST_F32, 0x037f, { 0x8000000000000000ull, 0x3f73 }, 0x0000000000000200ull, 0x0000 }, /* 2^-140: f32 denormal */
    { F80_ST_F64, 0x037f, { 0x8000000000000000ull, 0x3f73 }, 0x3730000000000000ull, 0x0000 }, /* 2^-140: f32 denormal */
    { F80_ST_F32, 0x077f, { 0x8000000000000000ull, 0x3f73 }, 0x0000000000000200ull, 0x0000 }, /* 2^-140: f32 denormal */
    { F80_ST_F64, 0x077f, { 0x8000000000000000ull, 0x3f73 }, 0x3730000000000000ull, 0x0000 }, /* 2^-140: f32 denormal */
    { F80_ST_F32, 0x0b7f, { 0x8000000000000000ull, 0x3f73 }, 0x0000000000000200ull, 0x0000 }, /* 2^-140: f32 denormal */
    { F80_ST_F64, 0x0b7f, { 0x8000000000000000ull, 0x3f73 }, 0x3730000000000000ull, 0x0000 }, /* 2^-140: f32 denormal */
    { F80_ST_F32, 0x0f7f, { 0x8000000000000000ull, 0x3f73 }, 0x0000000000000200ull, 0x0000 }, /* 2^-140: f32 denormal */
    { F80_ST_F64, 0x0f7f, { 0x8000000000000000ull, 0x3f73 }, 0x3730000000000000ull, 0x0000 }, /* 2^-140: f32 denormal */
    { F80_ST_F32, 0x037f, { 0xc000000000000000ull, 0x3f69 }, 0x0000000000000001ull, 0x0230 }, /* 1.5 * 2^-150: below the f32 denormals */
    { F80_ST_F64, 0x037f, { 0xc000000000000000ull, 0x3f69 }, 0x3698000000000000ull, 0x0000 }, /* 1.5 * 2^-150: below the f32 denormals */
    { F80_ST_F32, 0x077f, { 0xc000000000000000ull, 0x3f69 }, 0x0000000000000000ull, 0x0030 }, /* 1.5 * 2^-150: below the f32 denormals */
    { F80_ST_F64, 0x077f, { 0xc000000000000000ull, 0x3f69 }, 0x3698000000000000ull, 0x0000 }, /* 1.5 * 2^-150: below the f32 denormals */
    { F80_ST_F32, 0x0b7f, { 0xc000000000000000ull, 0x3f69 }, 0x0000000000000001ull, 0x0230 }, /* 1.5 * 2^-150: below the f32 denormals */
    { F80_ST_F64, 0x0b7f, { 0xc000000000000000ull, 0x3f69 }, 0x3698000000000000ull, 0x0000 }, /* 1.5 * 2^-150: below the f32 denormals */
    { F80_ST_F32, 0x0f7f, { 0xc000000000000000ull, 0x3f69 }, 0x0000000000000000ull, 0x0030 }, /* 1.5 * 2^-150: below the f32 denormals */
    { F80_ST_F64, 0x0f7f, { 0xc000000000000000ull, 0x3f69 }, 0x3698000000000000ull, 0x0000 }, /* 1.5 * 2^-150: below the f32 denormals */
    { F80_ST_F32, 0x037f, { 0x8000000000000000ull, 0x3bcd }, 0x0000000000000000ull, 0x0030 }, /* 2^-1074: min f64 denormal */
    { F80_ST_F64, 0x037f, { 0x8000000000000000ull, 0x3bcd }, 0x0000000000000001ull, 0x0000 }, /* 2^-1074: min f64 denormal */
    { F80_ST_F32, 0x077f, { 0x8000000000000000ull, 0x3bcd }, 0x0000000000000000ull, 0x0030 }, /* 2^-1074: min f64 denormal */
    { F80_ST_F64, 0x077f, { 0x8000000000000000ull, 0x3bcd }, 0x0000000000000001ull, 0x0000 }, /* 2^-1074: min f64 denormal */
    { F80_ST_F32, 0x0b7f, { 0x8000000000000000ull, 0x3bcd }, 0x0000000000000001ull, 0x0230 }, /* 2^-1074: min f64 denormal */
    { F80_ST_F64, 0x0b7f, { 0x8000000000000000ull, 0x3bcd }, 0x0000000000000001ull, 0x0000 }, /* 2^-1074: min f64 denormal */
    { F80_ST_F32, 0x0f7f, { 0x8000000000000000ull, 0x3bcd }, 0x0000000000000000ull, 0x0030 }, /* 2^-1074: min f64 denormal */
    { F80_ST_F64, 0x0f7f, { 0x8000000000000000ull, 0x3bcd }, 0x0000000000000001ull, 0x0000 }, /* 2^-1074: min f64 denormal */
    { F80_ST_F32, 0x037f, { 0xfffffffffffff800ull, 0x3c00 }, 0x0000000000000000ull, 0x0030 }, /* just below the f64 min normal */
    { F80_ST_F64, 0x037f, { 0xfffffffffffff800ull, 0x3c00 }, 0x0010000000000000ull, 0x0230 }, /* just below the f64 min normal */
    { F80_ST_F32, 0x077f, { 0xfffffffffffff800ull, 0x3c00 }, 0x0000000000000000ull, 0x0030 }, /* just below the f64 min normal */
    { F80_ST_F64, 0x077f, { 0xfffffffffffff800ull, 0x3c00 }, 0x000fffffffffffffull, 0x0030 }, /* just below the f64 min normal */
    { F80_ST_F32, 0x0b7f, { 0xfffffffffffff800ull, 0x3c00 }, 0x0000000000000001ull, 0x0230 }, /* just below the f64 min normal */
    { F80_ST_F64, 0x0b7f, { 0xfffffffffffff800ull, 0x3c00 }, 0x0010000000000000ull, 0x0230 }, /* just below the f64 min normal */
    { F80_ST_F32, 0x0f7f, { 0xfffffffffffff800ull, 0x3c00 }, 0x0000000000000000ull, 0x0030 }, /* just below the f64 min normal */
    { F80_ST_F64, 0x0f7f, { 0xfffffffffffff800ull, 0x3c00 }, 0x000fffffffffffffull, 0x0030 }, /* just below the f64 min normal */
    { F80_ST_F32, 0x037f, { 0xa000000000000000ull, 0x4000 }, 0x0000000040200000ull, 0x0000 }, /* 2.5 */
    { F80_ST_F64, 0x037f, { 0xa000000000000000ull, 0x4000 }, 0x4004000000000000ull, 0x0000 }, /* 2.5 */
    { F80_ST_I16, 0x037f, { 0xa000000000000000ull, 0x4000 }, 0x0000000000000002ull, 0x0020 }, /* 2.5 */
    { F80_ST_I32, 0x037f, { 0xa000000000000000ull, 0x4000 }, 0x0000000000000002ull, 0x0020 }, /* 2.5 */
    { F80_ST_I64, 0x037f, { 0xa000000000000000ull, 0x4000 }, 0x0000000000000002ull, 0x0020 }, /* 2.5 */
    { F80_ST_F32, 0x077f, { 0xa000000000000000ull, 0x4000 }, 0x0000000040200000ull, 0x0000 }, /* 2.5 */
    { F80_ST_F64, 0x077f, { 0xa000000000000000ull, 0x4000 }, 0x4004000000000000ull, 0x0000 }, /* 2.5 */
    { F80_ST_I16, 0x077f, { 0xa000000000000000ull, 0x4000 }, 0x0000000000000002ull, 0x0020 }, /* 2.5 */
    { F80_ST_I32, 0x077f, { 0xa000000000000000ull, 0x4000 }, 0x0000000000000002ull, 0x0020 }, /* 2.5 */
    { F80_ST_I64, 0x077f, { 0xa000000000000000ull, 0x4000 }, 0x0000000000000002ull, 0x0020 }, /* 2.5 */
    { F80_ST_F32, 0x0b7f, { 0xa000000000000000ull, 0x4000 }, 0x0000000040200000ull, 0x0000 }, /* 2.5 */
    { F80_ST_F64, 0x0b7f, { 0xa000000000000000ull, 0x4000 }, 0x4004000000000000ull, 0x0000 }, /* 2.5 */
    { F80_ST_I16, 0x0b7f, { 0xa000000000000000ull, 0x4000 }, 0x0000000000000003ull, 0x0220 }, /* 2.5 */
    { F80_ST_I32, 0x0b7f, { 0xa000000000000000ull, 0x4000 }, 0x0000000000000003ull, 0x0220 }, /* 2.5 */
    { F80_ST_I64, 0x0b7f, { 0xa000000000000000ull, 0x4000 }, 0x0000000000000003ull, 0x0220 }, /* 2.5 */
    { F80_ST_F32, 0x0f7f, { 0xa000000000000000ull, 0x4000 }, 0x0000000040200000ull, 0x0000 }, /* 2.5 */
    { F80_ST_F64, 0x0f7f, { 0xa000000000000000ull, 0x4000 }, 0x4004000000000000ull, 0x0000 }, /* 2.5 */
    { F80_ST_I16, 0x0f7f, { 0xa000000000000000ull, 0x4000 }, 0x0000000000000002ull, 0x0020 }, /* 2.5 */
    { F80_ST_I32, 0x0f7f, { 0xa000000000000000ull, 0x4000 }, 0x0000000000000002ull, 0x0020 }, /* 2.5 */
    { F80_ST_I64, 0x0f7f, { 0xa000000000000000ull, 0x4000 }, 0x0000000000000002ull, 0x0020 }, /* 2.5 */
    { F80_ST_I16, 0x037f, { 0xe000000000000000ull, 0xc001 }, 0x000000000000fff9ull, 0x0000 }, /* -7 */
    { F80_ST_I32, 0x037f, { 0xe000000000000000ull, 0xc001 }, 0x00000000fffffff9ull, 0x0000 }, /* -7 */
    { F80_ST_I64, 0x037f, { 0xe000000000000000ull, 0xc001 }, 0xfffffffffffffff9ull, 0x0000 }, /* -7 */
    { F80_ST_I16, 0x077f, { 0xe000000000000000ull, 0xc001 }, 0x000000000000fff9ull, 0x0000 }, /* -7 */
    { F80_ST_I32, 0x077f, { 0xe000000000000000ull, 0xc001 }, 0x00000000fffffff9ull, 0x0000 }, /* -7 */
    { F80_ST_I64, 0x077f, { 0xe000000000000000ull, 0xc001 }, 0xfffffffffffffff9ull, 0x0000 }, /* -7 */
    { F80_ST_I16, 0x0b7f, { 0xe000000000000000ull, 0xc001 }, 0x000000000000fff9ull, 0x0000 }, /* -7 */
    { F80_ST_I32, 0x0b7f, { 0xe000000000000000ull, 0xc001 }, 0x00000000fffffff9ull, 0x0000 }, /* -7 */
    { F80_ST_I64, 0x0b7f, { 0xe000000000000000ull, 0xc001 }, 0xfffffffffffffff9ull, 0x0000 }, /* -7 */
    { F80_ST_I16, 0x0f7f, { 0xe000000000000000ull, 0xc001 }, 0x000000000000fff9ull, 0x0000 }, /* -7 */
    { F80_ST_I32, 0x0f7f, { 0xe000000000000000ull, 0xc001 }, 0x00000000fffffff9ull, 0x0000 }, /* -7 */
    { F80_ST_I64, 0x0f7f, { 0xe000000000000000ull, 0xc001 }, 0xfffffffffffffff9ull, 0x0000 }, /* -7 */
    { F80_ST_I16, 0x037f, { 0x8000000000000000ull, 0x400e }, 0x0000000000008000ull, 0x0001 }, /* 32768: i16 out of range */
    { F80_ST_I32, 0x037f, { 0x8000000000000000ull, 0x400e }, 0x0000000000008000ull, 0x0000 }, /* 32768: i16 out of range */
    { F80_ST_I64, 0x037f, { 0x8000000000000000ull, 0x400e }, 0x0000000000008000ull, 0x0000 }, /* 32768: i16 out of range */
    { F80_ST_I16, 0x077f, { 0x8000000000000000ull, 0x400e }, 0x0000000000008000ull, 0x0001 }, /* 32768: i16 out of range */
    { F80_ST_I32, 0x077f, { 0x8000000000000000ull, 0x400e }, 0x0000000000008000ull, 0x0000 }, /* 32768: i16 out of range */
    { F80_ST_I64, 0x077f, { 0x8000000000000000ull, 0x400e }, 0x0000000000008000ull, 0x0000 }, /* 32768: i16 out of range */
    { F80_ST_I16, 0x0b7f, { 0x8000000000000000ull, 0x400e }, 0x0000000000008000ull, 0x0001 }, /* 32768: i16 out of range */
    { F80_ST_I32, 0x0b7f, { 0x8000000000000000ull, 0x400e }, 0x0000000000008000ull, 0x0000 }, /* 32768: i16 out of range */
    { F80_ST_I64, 0x0b7f, { 0x8000000000000000ull, 0x400e }, 0x0000000000008000ull, 0x0000 }, /* 32768: i16 out of range */
    { F80_ST_I16, 0x0f7f, { 0x8000000000000000ull, 0x400e }, 0x0000000000008000ull, 0x0001 }, /* 32768: i16 out of range */
    { F80_ST_I32, 0x0f7f, { 0x8000000000000000ull, 0x400e }, 0x0000000000008000ull, 0x0000 }, /* 32768: i16 out of range */
    { F80_ST_I64, 0x0f7f, { 0x8000000000000000ull, 0x400e }, 0x0000000000008000ull, 0x0000 }, /* 32768: i16 out of range */
    { F80_ST_I16, 0x037f, { 0x8000000000000000ull, 0xc00e }, 0x0000000000008000ull, 0x0000 }, /* -32768 */
    { F80_ST_I32, 0x037f, { 0x8000000000000000ull, 0xc00e }, 0x00000000ffff8000ull, 0x0000 }, /* -32768 */
    { F80_ST_I64, 0x037f, { 0x8000000000000000ull, 0xc00e }, 0xffffffffffff8000ull, 0x0000 }, /* -32768 */
    { F80_ST_I16, 0x077f, { 0x8000000000000000ull, 0xc00e }, 0x0000000000008000ull, 0x0000 }, /* -32768 */
    { F80_ST_I32, 0x077f, { 0x8000000000000000ull, 0xc00e }, 0x00000000ffff8000ull, 0x0000 }, /* -32768 */
    { F80_ST_I64, 0x077f, { 0x8000000000000000ull, 0xc00e }, 0xffffffffffff8000ull, 0x0000 }, /* -32768 */
    { F80_ST_I16, 0x0b7f, { 0x8000000000000000ull, 0xc00e }, 0x0000000000008000ull, 0x0000 }, /* -32768 */
    { F80_ST_I32, 0x0b7f, { 0x8000000000000000ull, 0xc00e }, 0x00000000ffff8000ull, 0x0000 }, /* -32768 */
    { F80_ST_I64, 0x0b7f, { 0x8000000000000000ull, 0xc00e }, 0xffffffffffff8000ull, 0x0000 }, /* -32768 */
    { F80_ST_I16, 0x0f7f, { 0x8000000000000000ull, 0xc00e }, 0x0000000000008000ull, 0x0000 }, /* -32768 */
    { F80_ST_I32, 0x0f7f, { 0x8000000000000000ull, 0xc00e }, 0x00000000ffff8000ull, 0x0000 }, /* -32768 */
    { F80_ST_I64, 0x0f7f, { 0x8000000000000000ull, 0xc00e }, 0xffffffffffff8000ull, 0x0000 }, /* -32768 */
    { F80_ST_I16, 0x037f, { 0xffffffff00000000ull, 0x401e }, 0x0000000000008000ull, 0x0001 }, /* 2^32 - 1: i32 out of range */
    { F80_ST_I32, 0x037f, { 0xffffffff00000000ull, 0x401e }, 0x0000000080000000ull, 0x0001 }, /* 2^32 - 1: i32 out of range */
    { F80_ST_I64, 0x037f, { 0xffffffff00000000ull, 0x401e }, 0x00000000ffffffffull, 0x0000 }, /* 2^32 - 1: i32 out of range */
    { F80_ST_I16, 0x077f, { 0xffffffff00000000ull, 0x401e }, 0x0000000000008000ull, 0x0001 }, /* 2^32 - 1: i32 out of range */
    { F80_ST_I32, 0x077f, { 0xffffffff00000000ull, 0x401e }, 0x0000000080000000ull, 0x0001 }, /* 2^32 - 1: i32 out of range */
    { F80_ST_I64, 0x077f, { 0xffffffff00000000ull, 0x401e }, 0x00000000ffffffffull, 0x0000 }, /* 2^32 - 1: i32 out of range */
    { F80_ST_I16, 0x0b7f, { 0xffffffff00000000ull, 0x401e }, 0x0000000000008000ull, 0x0001 }, /* 2^32 - 1: i32 out of range */
    { F80_ST_I32, 0x0b7f, { 0xffffffff00000000ull, 0x401e }, 0x0000000080000000ull, 0x0001 }, /* 2^32 - 1: i32 out of range */
    { F80_ST_I64, 0x0b7f, { 0xffffffff00000000ull, 0x401e }, 0x00000000ffffffffull, 0x0000 }, /* 2^32 - 1: i32 out of range */
    { F80_ST_I16, 0x0f7f, { 0xffffffff00000000ull, 0x401e }, 0x0000000000008000ull, 0x0001 }, /* 2^32 - 1: i32 out of range */
    { F80_ST_I32, 0x0f7f, { 0xffffffff00000000ull, 0x401e }, 0x0000000080000000ull, 0x0001 }, /* 2^32 - 1: i32 out of range */
    { F80_ST_I64, 0x0f7f, { 0xffffffff00000000ull, 0x401e }, 0x00000000ffffffffull, 0x0000 }, /* 2^32 - 1: i32 out of range */
    { F80_ST_I16, 0x037f, { 0x8000000000000000ull, 0xc03e }, 0x0000000000008000ull, 0x0001 }, /* -2^63 */
    { F80_ST_I32, 0x037f, { 0x8000000000000000ull, 0xc03e }, 0x0000000080000000ull, 0x0001 }, /* -2^63 */
    { F80_ST_I64, 0x037f, { 0x8000000000000000ull, 0xc03e }, 0x8000000000000000ull, 0x0000 }, /* -2^63 */
    { F80_ST_I16, 0x077f, { 0x8000000000000000ull, 0xc03e }, 0x0000000000008000ull, 0x0001 }, /* -2^63 */
    { F80_ST_I32, 0x077f, { 0x8000000000000000ull, 0xc03e }, 0x0000000080000000ull, 0x0001 }, /* -2^63 */
    { F80_ST_I64, 0x077f, { 0x8000000000000000ull, 0xc03e }, 0x8000000000000000ull, 0x0000 }, /* -2^63 */
    { F80_ST_I16, 0x0b7f, { 0x8000000000000000ull, 0xc03e }, 0x0000000000008000ull, 0x0001 }, /* -2^63 */
    { F80_ST_I32, 0x0b7f, { 0x8000000000000000ull, 0xc03e }, 0x0000000080000000ull, 0x0001 }, /* -2^63 */
    { F80_ST_I64, 0x0b7f, { 0x8000000000000000ull, 0xc03e }, 0x8000000000000000ull, 0x0000 }, /* -2^63 */
    { F80_ST_I16, 0x0f7f, { 0x8000000000000000ull, 0xc03e }, 0x0000000000008000ull, 0x0001 }, /* -2^63 */
    { F80_ST_I32, 0x0f7f, { 0x8000000000000000ull, 0xc03e }, 0x0000000080000000ull, 0x0001 }, /* -2^63 */
    { F80_ST_I64, 0x0f7f, { 0x8000000000000000ull, 0xc03e }, 0x8000000000000000ull, 0x0000 }, /* -2^63 */
    { F80_ST_I16, 0x037f, { 0xffffffffffffffffull, 0x403e }, 0x0000000000008000ull, 0x0001 }, /* 2^64 - 1: i64 out of range */
    { F80_ST_I32, 0x037f, { 0xffffffffffffffffull, 0x403e }, 0x0000000080000000ull, 0x0001 }, /* 2^64 - 1: i64 out of range */
    { F80_ST_I64, 0x037f, { 0xffffffffffffffffull, 0x403e }, 0x8000000000000000ull, 0x0001 }, /* 2^64 - 1: i64 out of range */
    { F80_ST_I16, 0x077f, { 0xffffffffffffffffull, 0x403e }, 0x0000000000008000ull, 0x0001 }, /* 2^64 - 1: i64 out of range */
    { F80_ST_I32, 0x077f, { 0xffffffffffffffffull, 0x403e }, 0x0000000080000000ull, 0x0001 }, /* 2^64 - 1: i64 out of range */
    { F80_ST_I64, 0x077f, { 0xffffffffffffffffull, 0x403e }, 0x8000000000000000ull, 0x0001 }, /* 2^64 - 1: i64 out of range */
    { F80_ST_I16, 0x0b7f, { 0xffffffffffffffffull, 0x403e }, 0x0000000000008000ull, 0x0001 }, /* 2^64 - 1: i64 out of range */
    { F80_ST_I32, 0x0b7f, { 0xffffffffffffffffull, 0x403e }, 0x0000000080000000ull, 0x0001 }, /* 2^64 - 1: i64 out of range */
    { F80_ST_I64, 0x0b7f, { 0xffffffffffffffffull, 0x403e }, 0x8000000000000000ull, 0x0001 }, /* 2^64 - 1: i64 out of range */
    { F80_ST_I16, 0x0f7f, { 0xffffffffffffffffull, 0x403e }, 0x0000000000008000ull, 0x0001 }, /* 2^64 - 1: i64 out of range */
    { F80_ST_I32, 0x0f7f, { 0xffffffffffffffffull, 0x403e }, 0x0000000080000000ull, 0x0001 }, /* 2^64 - 1: i64 out of range */
    { F80_ST_I64, 0x0f7f, { 0xffffffffffffffffull, 0x403e }, 0x8000000000000000ull, 0x0001 }, /* 2^64 - 1: i64 out of range */
    { F80_ST_F32, 0x037f, { 0xc000000000000000ull, 0x7fff }, 0x000000007fc00000ull, 0x0000 }, /* QNaN: indefinite / QNaN */
    { F80_ST_F64, 0x037f, { 0xc000000000000000ull, 0x7fff }, 0x7ff8000000000000ull, 0x0000 }, /* QNaN: indefinite / QNaN */
    { F80_ST_I16, 0x037f, { 0xc000000000000000ull, 0x7fff }, 0x0000000000008000ull, 0x0001 }, /* QNaN: indefinite / QNaN */
    { F80_ST_I32, 0x037f, { 0xc000000000000000ull, 0x7fff }, 0x0000000080000000ull, 0x0001 }, /* QNaN: indefinite / QNaN */
    { F80_ST_I64, 0x037f, { 0xc000000000000000ull, 0x7fff }, 0x8000000000000000ull, 0x0001 }, /* QNaN: indefinite / QNaN */
    { F80_ST_F32, 0x077f, { 0xc000000000000000ull, 0x7fff }, 0x000000007fc00000ull, 0x0000 }, /* QNaN: indefinite / QNaN */
    { F80_ST_F64, 0x077f, { 0xc000000000000000ull, 0x7fff }, 0x7ff8000000000000ull, 0x0000 }, /* QNaN: indefinite / QNaN */
    { F80_ST_I16, 0x077f, { 0xc000000000000000ull, 0x7fff }, 0x0000000000008000ull, 0x0001 }, /* QNaN: indefinite / QNaN */
    { F80_ST_I32, 0x077f, { 0xc000000000000000ull, 0x7fff }, 0x0000000080000000ull, 0x0001 }, /* QNaN: indefinite / QNaN */
    { F80_ST_I64, 0x077f, { 0xc000000000000000ull, 0x7fff }, 0x8000000000000000ull, 0x0001 }, /* QNaN: indefinite / QNaN */
    { F80_ST_F32, 0x0b7f, { 0xc000000000000000ull, 0x7fff }, 0x000000007fc00000ull, 0x0000 }, /* QNaN: indefinite / QNaN */
    { F80_ST_F64, 0x0b7f, { 0xc000000000000000ull, 0x7fff }, 0x7ff8000000000000ull, 0x0000 }, /* QNaN: indefinite / QNaN */
    { F80_ST_I16, 0x0b7f, { 0xc000000000000000ull, 0x7fff }, 0x0000000000008000ull, 0x0001 }, /* QNaN: indefinite / QNaN */
    { F80_ST_I32, 0x0b7f, { 0xc000000000000000ull, 0x7fff }, 0x0000000080000000ull, 0x0001 }, /* QNaN: indefinite / QNaN */
    { F80_ST_I64, 0x0b7f, { 0xc000000000000000ull, 0x7fff }, 0x8000000000000000ull, 0x0001 }, /* QNaN: indefinite / QNaN */
    { F80_ST_F32, 0x0f7f, { 0xc000000000000000ull, 0x7fff }, 0x000000007fc00000ull, 0x0000 }, /* QNaN: indefinite / QNaN */
    { F80_ST_F64, 0x0f7f, { 0xc000000000000000ull, 0x7fff }, 0x7ff8000000000000ull, 0x0000 }, /* QNaN: indefinite / QNaN */
    { F80_ST_I16, 0x0f7f, { 0xc000000000000000ull, 0x7fff }, 0x0000000000008000ull, 0x0001 }, /* QNaN: indefinite / QNaN */
    { F80_ST_I32, 0x0f7f, { 0xc000000000000000ull, 0x7fff }, 0x0000000080000000ull, 0x0001 }, /* QNaN: indefinite / QNaN */
    { F80_ST_I64, 0x0f7f, { 0xc000000000000000ull, 0x7fff }, 0x8000000000000000ull, 0x0001 }, /* QNaN: indefinite / QNaN */
};

START_TEST(stores_match_silicon_vectors)
{
    const struct store_vector *v = &store_vectors[_i];
    struct f80_env e = env_from_cw(v->cw, false);
    uint64_t image;
    switch (v->kind) {
    case F80_ST_F32: image = f80_to_f32(&e, v->value); break;
    case F80_ST_F64: image = f80_to_f64(&e, v->value); break;
    case F80_ST_I16: image = (uint16_t)f80_to_int(&e, v->value, 16); break;
    case F80_ST_I32: image = (uint32_t)f80_to_int(&e, v->value, 32); break;
    default:         image = (uint64_t)f80_to_int(&e, v->value, 64); break;
    }
    uint16_t sw = (uint16_t)(e.flags | (e.round_up && (e.flags & F80_PE) ? 0x200 : 0));
    ck_assert_msg(image == v->image && sw == v->sw,
                  "vector %d: got %016llx sw %04x, want %016llx sw %04x", _i,
                  (unsigned long long)image, sw, (unsigned long long)v->image, v->sw);
}
END_TEST

/* Loads: exact; DE for denormal singles and doubles, IE and quieting for
 * SNaNs (SDM Vol. 2A FLD). */
START_TEST(loads)
{
    struct f80_env e = env_from_cw(0x037F, false);
    struct f80 v = f80_from_f32(&e, 0x3EAAAAABu);
    ck_assert(v.sign_exp == 0x3FFD && v.sig == 0xAAAAAB0000000000ull && e.flags == 0);
    v = f80_from_f32(&e, 0x00000001u);                       /* 2^-149 */
    ck_assert(v.sign_exp == 0x3FFF - 149 && v.sig == 1ull << 63 && e.flags == F80_DE);
    e.flags = 0;
    v = f80_from_f64(&e, 0x7FF0000000000001ull);             /* SNaN */
    ck_assert(v.sign_exp == 0x7FFF && v.sig == 0xC000000000000800ull && e.flags == F80_IE);
    e.flags = 0;
    v = f80_from_f64(&e, 0xFFF0000000000000ull);             /* -inf */
    ck_assert(v.sign_exp == 0xFFFF && v.sig == 1ull << 63 && e.flags == 0);
    v = f80_from_int(INT64_MIN);
    ck_assert(v.sign_exp == 0xC03E && v.sig == 1ull << 63);
    v = f80_from_int(-3);
    ck_assert(v.sign_exp == 0xC000 && v.sig == 0xC000000000000000ull);
    static const uint8_t bcd[10] = { 0x21, 0x43, 0, 0, 0, 0, 0, 0, 0, 0x80 };   /* -4321 */
    v = f80_from_bcd(bcd);
    ck_assert(v.sign_exp == 0xC00B && v.sig == 0x8708000000000000ull);
}
END_TEST

/* Unmasked overflow and underflow to a register: the wrapped exponent
 * (SDM Vol. 1 §8.5.4, §8.5.5); PC applies to the significand only. */
START_TEST(unmasked_wrap_and_precision_exponent_range)
{
    struct f80_env e = env_from_cw(0x0377, true);             /* OE unmasked */
    struct f80 big = { 1ull << 63, 0x7FFE };
    struct f80 r = f80_mul(&e, big, big);
    ck_assert_uint_eq(r.sign_exp, 0x7FFE * 2 - 0x3FFF - 24576);
    ck_assert_uint_eq(e.flags, F80_OE);
    /* PC = 24 bits keeps the 15-bit exponent range: 2^-16000 stays normal */
    e = env_from_cw(0x007F, true);
    struct f80 small = { 0xAAAAAAAAAAAAAAAAull, 0x0180 };
    r = f80_add(&e, small, f80_zero);
    ck_assert_uint_eq(r.sign_exp, 0x0180);
    ck_assert_uint_eq(r.sig, 0xAAAAAB0000000000ull);
    ck_assert_uint_eq(e.flags, F80_PE);
}
END_TEST

START_TEST(classification)
{
    ck_assert_int_eq(f80_classify((struct f80){ 0, 0 }), F80_CLASS_ZERO);
    ck_assert_int_eq(f80_classify((struct f80){ 1, 0 }), F80_CLASS_DENORMAL);
    ck_assert_int_eq(f80_classify((struct f80){ 1ull << 63, 0 }), F80_CLASS_PSEUDO_DENORMAL);
    ck_assert_int_eq(f80_classify((struct f80){ 1ull << 63, 1 }), F80_CLASS_NORMAL);
    ck_assert_int_eq(f80_classify((struct f80){ 1ull << 62, 1 }), F80_CLASS_UNSUPPORTED);
    ck_assert_int_eq(f80_classify((struct f80){ 1ull << 63, 0x7FFF }), F80_CLASS_INF);
    ck_assert_int_eq(f80_classify((struct f80){ 0, 0x7FFF }), F80_CLASS_UNSUPPORTED);
    ck_assert_int_eq(f80_classify((struct f80){ 0x4000000000000000ull, 0x7FFF }),
                     F80_CLASS_UNSUPPORTED);                  /* pseudo-NaN */
    ck_assert_int_eq(f80_classify((struct f80){ 0xC000000000000000ull, 0x7FFF }), F80_CLASS_QNAN);
    ck_assert_int_eq(f80_classify((struct f80){ 0x8000000000000001ull, 0x7FFF }), F80_CLASS_SNAN);
}
END_TEST

static Suite *softfloat80_suite(void)
{
    Suite *s = suite_create("softfloat80");
    TCase *tc = tcase_create("softfloat80");
    tcase_add_loop_test(tc, operations_match_silicon_vectors, 0,
                        (int)(sizeof(op_vectors) / sizeof(op_vectors[0])));
    tcase_add_loop_test(tc, stores_match_silicon_vectors, 0,
                        (int)(sizeof(store_vectors) / sizeof(store_vectors[0])));
    tcase_add_test(tc, loads);
    tcase_add_test(tc, unmasked_wrap_and_precision_exponent_range);
    tcase_add_test(tc, classification);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(softfloat80_suite());
}
