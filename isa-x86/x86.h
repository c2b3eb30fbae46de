/* The x86 core's public face: its CPU models and the board's hook for the
 * interrupt acknowledge cycle. Everything else is reached through the cpu
 * interface (cpu/cpu.h). */
#ifndef ORRERY_ISA_X86_X86_H
#define ORRERY_ISA_X86_X86_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"

/* "i386", "i486", "pentium", "pentium-pro". */
extern const struct cpu_model *const x86_cpu_models[];
extern const size_t x86_cpu_model_count;

/* Interrupt lines of set_irq: INTR (maskable, acknowledged through ack)
 * and NMI (edge: a rising level is remembered until taken). */
enum { X86_IRQ_INTR = 0, X86_IRQ_NMI = 1 };

/* Interrupt outputs (irq_output): FERR#, asserted while an unmasked x87
 * exception is pending and CR0.NE = 0 (a PC wires it to IRQ 13). */
enum { X86_IRQ_OUT_FERR = 0 };

/* The interrupt-acknowledge cycle: when INTR is asserted and EFLAGS.IF
 * allows it, the core calls ack(opaque), which returns the vector (an
 * 8259's answer) or -1 when nothing is pending any more. With no hook an
 * asserted INTR is never taken. */
void x86_set_intack(struct cpu *cpu, int (*ack)(void *opaque), void *opaque);

/* Flat 4 GiB descriptors (base 0, limit FFFFFh pages, present, DPL 0,
 * accessed): 32-bit execute/read code and read/write data. A loader that
 * starts an operating system in protected mode puts them in the GDT it
 * hands to x86_start_flat32. */
#define X86_FLAT_CODE32_DESC 0x00cf9b000000ffffull
#define X86_FLAT_DATA32_DESC 0x00cf93000000ffffull

/* Puts the CPU in the state a 32-bit boot protocol enters an operating
 * system in (Linux Documentation/x86/boot.rst "32-bit boot protocol";
 * Multiboot): protected mode, paging off, interrupts off, CPL 0; GDTR =
 * (gdt_base, gdt_limit), where the caller has written X86_FLAT_CODE32_DESC
 * at code_sel and X86_FLAT_DATA32_DESC at data_sel; CS = code_sel, the
 * other segment registers data_sel; EIP = entry. General registers are
 * left for the caller (reg_set). */
void x86_start_flat32(struct cpu *cpu, uint32_t gdt_base, uint16_t gdt_limit,
                      uint16_t code_sel, uint16_t data_sel, uint32_t entry);

#endif
