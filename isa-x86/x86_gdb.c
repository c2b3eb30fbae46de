/* The GDB target description of the x86 CPU: GDB's i386 architecture
 * with the org.gnu.gdb.i386.core feature, laid out as GDB's own
 * features/i386/32bit-core.xml numbers it (GDB manual, "i386 Features"):
 * eax ecx edx ebx esp ebp esi edi (0-7), eip (8), eflags (9), cs ss ds es
 * fs gs (10-15, here 16 bits wide), st0-st7 (16-23, 80 bits), and the x87 control registers
 * fctrl fstat ftag fiseg fioff foseg fooff fop (24-31).
 *
 * GDB accepts an i386 description only when the core feature names all 32
 * (i386_validate_tdesc_p), so all are described. The 'g' packet carries
 * the first 16, which are the CPU's registers 0-15 in the same order
 * (x86_regs in x86_cpu.c); the CPU does not expose its x87 registers
 * through the register interface, so GDB sees st0-st7 and the control
 * registers as unavailable (a 'g' reply shorter than the description
 * leaves the rest unavailable, GDB manual "Packets", 'g'). */
#include "isa-x86/x86_gdb.h"

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

static const struct cpu_gdb_target x86_gdb = {
    .arch = "i386", .feature_xml = x86_gdb_core, .nregs = I386_GDB_CORE_REGS,
    .regnum = x86_gdb_regnum, .reg_index = x86_gdb_index,
};

const struct cpu_gdb_target *x86_gdb_target(struct cpu *cpu)
{
    (void)cpu;
    return &x86_gdb;
}
