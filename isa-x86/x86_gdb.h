/* GDB's view of the x86 CPU (isa-x86/x86_gdb.c). */
#ifndef ORRERY_ISA_X86_X86_GDB_H
#define ORRERY_ISA_X86_X86_GDB_H

#include "cpu/cpu.h"

const struct cpu_gdb_target *x86_gdb_target(struct cpu *cpu);

#endif
