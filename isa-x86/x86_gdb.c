/* The GDB target description of the x86 CPU: GDB's i386 architecture
 * with the org.gnu.gdb.i386.core feature, laid out as GDB's own
 * features/i386/32bit-core.xml numbers it (GDB manual, "i386 Features"):
 * eax ecx edx ebx esp ebp esi edi (0-7), eip (8), eflags (9), cs ss ds es
 * fs gs (10-15, here 16 bits wide), st0-st7 (16-23, 80 bits), and the x87 control registers
 * fctrl fstat ftag fiseg fioff foseg fooff fop (24-31).
 *
 * GDB accepts an i386 description only when the core feature names all 32
 * (i386_validate_tdesc_p), so all are described. The first 16 are the
 * CPU's registers 0-15 in the same order (x86_regs in x86_cpu.c); the x87
 * registers, which the register table cannot carry (80 bits, a unit of
 * its own), are served through the description's extra registers. */
#include "isa-x86/x86_gdb.h"

#include <string.h>

#include "cpu/le.h"
#include "isa-x86/x86_internal.h"
#include "isa-x86/x87.h"

#define I386_GDB_CORE_REGS 16      /* served: eax .. gs */

static const char x86_gdb_core[] =
    "<feature name=\"org.gnu.gdb.i386.core\">"
    "<flags id=\"i386_eflags\" size=\"4\">"
    "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>"
    "<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>"
    "<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>"
    "<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>"
    "<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>"
    "<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>"
    "<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>"
    "<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>"
    "<field name=\"ID\" start=\"21\" end=\"21\"/>"
    "</flags>"
    "<reg name=\"eax\" bitsize=\"32\" type=\"int32\" regnum=\"0\"/>"
    "<reg name=\"ecx\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"edx\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"ebx\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"esp\" bitsize=\"32\" type=\"data_ptr\"/>"
    "<reg name=\"ebp\" bitsize=\"32\" type=\"data_ptr\"/>"
    "<reg name=\"esi\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"edi\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"eip\" bitsize=\"32\" type=\"code_ptr\"/>"
    "<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>"
    "<reg name=\"cs\" bitsize=\"16\" type=\"int16\"/>"
    "<reg name=\"ss\" bitsize=\"16\" type=\"int16\"/>"
    "<reg name=\"ds\" bitsize=\"16\" type=\"int16\"/>"
    "<reg name=\"es\" bitsize=\"16\" type=\"int16\"/>"
    "<reg name=\"fs\" bitsize=\"16\" type=\"int16\"/>"
    "<reg name=\"gs\" bitsize=\"16\" type=\"int16\"/>"
    "<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "</feature>";

/* GDB numbers 0-15 are the CPU's register indices 0-15 (the same order).
 * The segment registers are described with the CPU's 16 bits (GDB's own
 * file gives them 32): the stub sends each register at the CPU's width,
 * and GDB checks the core feature's register names, not their sizes. */
static const uint16_t x86_gdb_regnum[I386_GDB_CORE_REGS] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
};
static const uint16_t x86_gdb_index[I386_GDB_CORE_REGS] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
};

/* The x87 registers, GDB numbers 16-31: st0-st7 as 80-bit values (the
 * significand's 8 bytes, then sign and exponent, little-endian), then
 * fctrl, fstat (TOP merged), ftag (2 bits per physical register), fiseg,
 * fioff, foseg, fooff, fop. A CPU with no x87 reads zeros and refuses
 * writes. */
#define I386_GDB_X87_REGS 16
static const uint16_t x86_gdb_x87_regnum[I386_GDB_X87_REGS] = {
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
};
static const uint8_t x86_gdb_x87_bytes[I386_GDB_X87_REGS] = {
    10, 10, 10, 10, 10, 10, 10, 10, 4, 4, 4, 4, 4, 4, 4, 4,
};

static void x87_get(struct cpu *cpu, unsigned k, uint8_t *buf)
{
    const struct x86_cpu *c = (const struct x86_cpu *)cpu;
    memset(buf, 0, x86_gdb_x87_bytes[k]);
    if (!c->has_fpu)
        return;
    const struct x87 *f = &c->fpu;
    if (k < 8) {
        struct f80 v = x87_get_st(f, k);
        le_store(buf, 8, v.sig);
        le_store(buf + 8, 2, v.sign_exp);
        return;
    }
    const uint32_t control[8] = { f->cw, x87_status_word(f), x87_tag_word(f), f->fcs, f->fip,
                                  f->fds, f->fdp, f->fop };
    le_store(buf, 4, control[k - 8]);
}

static int x87_set(struct cpu *cpu, unsigned k, const uint8_t *buf)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    if (!c->has_fpu)
        return -1;
    struct x87 *f = &c->fpu;
    if (k < 8) {
        x87_set_st(f, k, (struct f80){ .sig = le_load(buf, 8), .sign_exp = (uint16_t)le_load(buf + 8, 2) });
        return 0;
    }
    uint32_t v = (uint32_t)le_load(buf, 4);
    switch (k - 8) {
    case 0: f->cw = (uint16_t)(v | 0x0040u); return 0;     /* bit 6 reads as 1 */
    case 1:
        f->top = (uint8_t)((v >> X87_SW_TOP_SHIFT) & 7u);
        f->sw = (uint16_t)(v & ~(7u << X87_SW_TOP_SHIFT));
        return 0;
    case 2: {
        /* Empty (11) or not, per physical register (SDM Vol. 1 8.1.7). */
        uint8_t valid = 0;
        for (unsigned i = 0; i < 8; i++)
            if (((v >> (2 * i)) & 3u) != 3u)
                valid |= (uint8_t)(1u << i);
        f->valid = valid;
        return 0;
    }
    case 3: f->fcs = (uint16_t)v; return 0;
    case 4: f->fip = v; return 0;
    case 5: f->fds = (uint16_t)v; return 0;
    case 6: f->fdp = v; return 0;
    default: f->fop = (uint16_t)(v & 0x7ffu); return 0;
    }
}

static const struct cpu_gdb_target x86_gdb = {
    .arch = "i386", .feature_xml = x86_gdb_core, .nregs = I386_GDB_CORE_REGS,
    .regnum = x86_gdb_regnum, .reg_index = x86_gdb_index,
    .nextra = I386_GDB_X87_REGS, .extra_regnum = x86_gdb_x87_regnum,
    .extra_bytes = x86_gdb_x87_bytes, .extra_get = x87_get, .extra_set = x87_set,
};

const struct cpu_gdb_target *x86_gdb_target(struct cpu *cpu)
{
    (void)cpu;
    return &x86_gdb;
}
