/* The cpu interface: what every ISA implements and everything above uses
 * (run loop, board loader, monitor, GDB stub, conformance runners).
 * Nothing here is ISA-shaped: registers are described by a table, memory is
 * reached through the bus, time through the clock. */
#ifndef ORRERY_CPU_CPU_H
#define ORRERY_CPU_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/debug.h"
#include "cpu/error.h"

struct bus;
struct vclock;
struct logger;
struct host_io;
struct state_writer;
struct state_reader;
struct cpu;
struct irq_line;

enum cpu_stop {
    CPU_STOP_BUDGET,      /* ran the whole budget */
    CPU_STOP_IDLE,        /* WFI/HLT: nothing to do until an interrupt */
    CPU_STOP_BREAKPOINT,  /* reached a breakpoint address (not executed) */
    CPU_STOP_WATCHPOINT,  /* an access hit a watchpoint: see cpu->watch_hit */
    CPU_STOP_EXIT,        /* guest asked to end the run; see cpu->exit_code */
    CPU_STOP_RESET,       /* guest asked for a system reset */
    CPU_STOP_FATAL,       /* cannot continue; see cpu->fatal */
};

const char *cpu_stop_name(enum cpu_stop reason);

struct cpu_run_result {
    uint64_t executed;    /* instructions retired (an exception entry counts as none) */
    enum cpu_stop reason;
    /* Virtual time the CPU spent waiting on slow bus cycles, beyond its
     * instructions' ns_per_insn each (an x86 on an ISA bus: about a
     * microsecond per I/O-port access). Ignored in realtime mode. */
    uint64_t stall_ns;
};

enum cpu_access { CPU_ACCESS_READ, CPU_ACCESS_WRITE, CPU_ACCESS_EXEC };

/* Register description table entry. Index order is the ISA's choice but
 * stable (GDB stubs and save formats rely on it). */
enum cpu_reg_flags {
    CPU_REG_PC = 1u << 0,      /* the program counter (as the debugger sees it) */
    CPU_REG_SP = 1u << 1,
    CPU_REG_FLAGS = 1u << 2,   /* status/flags register */
    CPU_REG_READONLY = 1u << 3,
};

struct cpu_reg_desc {
    const char *name;
    uint8_t bits;
    uint8_t flags;
};

/* How GDB sees the registers: the target description and the layout of the
 * 'g' packet (the registers in regnum order, as the description numbers
 * them). */
struct cpu_gdb_target {
    const char *arch;             /* <architecture> of the description */
    const char *feature_xml;      /* the <feature> elements */
    unsigned nregs;
    const uint16_t *regnum;       /* GDB number of each, ascending */
    const uint16_t *reg_index;    /* cpu register index of each */
    /* Registers the register table cannot carry (wider than 64 bits, or
     * kept by a unit of the ISA's own, like the x86's x87), numbered
     * after the table's: GDB number extra_regnum[k], extra_bytes[k] bytes
     * in target byte order. nextra 0: none. */
    unsigned nextra;
    const uint16_t *extra_regnum;
    const uint8_t *extra_bytes;
    void (*extra_get)(struct cpu *cpu, unsigned k, uint8_t *buf);
    int (*extra_set)(struct cpu *cpu, unsigned k, const uint8_t *buf) ORR_MUST_CHECK;
};

struct soft_tlb;

struct cpu_ops {
    void (*reset)(struct cpu *cpu);
    /* Starts execution at a loaded image's entry point, as a boot loader
     * would (ARM: bit 0 of entry selects Thumb state). */
    void (*set_entry)(struct cpu *cpu, uint64_t entry);
    /* Executes at most budget instructions. Checks cpu->exit_request and
     * breakpoints at instruction boundaries. */
    struct cpu_run_result (*run)(struct cpu *cpu, uint64_t budget);
    /* Interrupt input lines (ISA-defined numbering, e.g. ARM: 0 = IRQ, 1 = FIQ). */
    void (*set_irq)(struct cpu *cpu, unsigned line, bool level);
    /* CPUs that run an interrupt-acknowledge cycle to learn the vector
     * (x86 INTR): the controller that answers it. NULL for the others. */
    void (*set_intack)(struct cpu *cpu, int (*ack)(void *opaque), void *opaque);
    /* Interrupt outputs (ISA-defined numbering; ARM: the generic timer's
     * lines in the arm,armv7-timer order), or NULL when there is no such
     * output. The board connects them to its interrupt controller. */
    struct irq_line *(*irq_output)(struct cpu *cpu, unsigned n);
    uint64_t (*reg_get)(struct cpu *cpu, unsigned index);
    int (*reg_set)(struct cpu *cpu, unsigned index, uint64_t value) ORR_MUST_CHECK;
    /* Debugger view of the MMU: no side effects, no faults raised in the guest. */
    int (*translate)(struct cpu *cpu, uint64_t va, enum cpu_access access,
                     uint64_t *pa) ORR_MUST_CHECK;
    /* Disassembles the instruction at va (current instruction-set state) into
     * buf; returns its length in bytes, or -1. */
    int (*disasm)(struct cpu *cpu, uint64_t va, char *buf, size_t buflen);
    /* The decoded view of the instruction at va for the explain view:
     * bytes, disassembly and the ISA's fields. Returns 0 or -1. */
    int (*describe)(struct cpu *cpu, uint64_t va, struct cpu_insn_info *info);
    /* The flags register's value in words ("N=0 Z=1 ... mode=svc"). */
    void (*describe_flags)(struct cpu *cpu, uint64_t value, char *buf, size_t len);
    /* The debugger's table walk for va (no side effects): fills out with
     * every level read and the outcome; returns 0 if va translates. */
    int (*walk)(struct cpu *cpu, uint64_t va, enum cpu_access access, bool user,
                struct cpu_walk_event *out);
    /* Current privilege as the trace filter sees it (0 = least privileged). */
    unsigned (*privilege)(struct cpu *cpu);
    /* What besides its bytes decides how the instruction at the PC decodes
     * (ARM: the instruction set state and the IT block; a tracer caching
     * disassembly keys on it). */
    uint32_t (*decode_key)(struct cpu *cpu);
    /* Whether an interrupt is taken before the next instruction, so that a
     * one-instruction run executes the handler's first instruction, not the
     * one at the PC (a tracer must report the former). NULL: never. */
    bool (*interrupt_pending)(struct cpu *cpu);
    /* Breakpoints or watchpoints changed: drop whatever caches would let
     * an access to a watched page skip the slow path. */
    void (*debug_update)(struct cpu *cpu);
    const struct soft_tlb *(*soft_tlb)(struct cpu *cpu);
    /* The virtual address the next instruction is fetched from, as
     * breakpoints, disassembly and the explain view see it (x86: the CS
     * base plus EIP). NULL: the register flagged CPU_REG_PC. */
    uint64_t (*fetch_address)(struct cpu *cpu);
    const struct cpu_gdb_target *(*gdb_target)(struct cpu *cpu);
    /* save/load put and get the fields of a section the machine opens
     * ("cpu0", "cpu1", ...); they never open sections themselves. */
    int (*save)(struct cpu *cpu, struct state_writer *w) ORR_MUST_CHECK;
    int (*load)(struct cpu *cpu, struct state_reader *r, struct orr_error *err) ORR_MUST_CHECK;
    void (*destroy)(struct cpu *cpu);
};

/* Everything a CPU is created with; the machine owns all of it. */
struct cpu_config {
    struct bus *bus;
    struct vclock *clock;
    const struct logger *log;
    const struct host_io *host;   /* may be NULL */
    unsigned index;               /* position in /cpus */
    bool semihosting;             /* trap semihosting calls */
    uint64_t ram_base, ram_size;  /* main RAM, for semihosting SYS_HEAPINFO */
    uint32_t timer_hz;            /* CPU-private timer's counter frequency; 0: default */
};

struct cpu_model {
    const char *name;                 /* --cpu NAME, e.g. "arm926ej-s" */
    const char *isa;                  /* "arm", "x86" */
    const char *const *compatible;    /* DT compatible strings, NULL-terminated */
    const char *summary;              /* one line for `orrery cpus` */
    int (*create)(const struct cpu_model *model, const struct cpu_config *cfg,
                  struct cpu **out, struct orr_error *err) ORR_MUST_CHECK;
    uint32_t variant;                 /* ISA-private model id */
};

#define CPU_MAX_BREAKPOINTS 32

/* Firmware calls: the conduits by which a guest calls the firmware the
 * machine provides in place of a secure monitor or hypervisor (on ARM, SMC
 * and HVC carrying PSCI calls). The board installs the hook; call reads and
 * writes the guest's argument registers through cpu->ops->reg_get/reg_set
 * and returns true when it handled the call, false to let the instruction
 * behave as it would with no firmware (ARM: UNDEFINED). */
enum cpu_fw_conduit { CPU_FW_SMC, CPU_FW_HVC };

struct cpu_firmware {
    bool (*call)(void *opaque, struct cpu *cpu, unsigned conduit, uint32_t imm);
    void *opaque;
};

/* Common head of every ISA's CPU state (the ISA struct embeds it first). */
struct cpu {
    const struct cpu_ops *ops;
    const struct cpu_model *model;
    struct bus *bus;
    struct vclock *clock;
    const struct logger *log;
    const struct host_io *host;
    unsigned index;
    bool semihosting;
    uint64_t ram_base, ram_size;

    const struct cpu_reg_desc *regs;
    unsigned nregs;

    bool exit_request;        /* ask run() to return CPU_STOP_EXIT at the next boundary */
    int exit_code;            /* valid after CPU_STOP_EXIT */
    char fatal[256];          /* valid after CPU_STOP_FATAL */

    struct cpu_firmware firmware;   /* call == NULL: no firmware behind SMC/HVC */

    unsigned nbreakpoints;    /* run() checks these only when non-zero */
    uint64_t breakpoints[CPU_MAX_BREAKPOINTS];
    unsigned nwatchpoints;    /* after changing these call ops->debug_update */
    struct cpu_watchpoint watchpoints[CPU_MAX_WATCHPOINTS];
    struct cpu_watch_hit watch_hit;   /* valid after CPU_STOP_WATCHPOINT */
    /* While set, breakpoints and watchpoints are ignored: a debugger
     * resuming from a stop steps the stopped instruction with it set. */
    bool debug_suspend;
    /* When set, run() reports each instruction's accesses, table walks
     * and exceptions here (the debugger's single step; slow). */
    struct cpu_observer *observer;
};

/* Registry of every CPU model of every ISA (machine/cpu_models.c). */
const struct cpu_model *cpu_model_find(const char *name);
const struct cpu_model *cpu_model_find_compatible(const char *compatible);
/* The models of every ISA, in a stable order: index 0 .. cpu_model_count()-1. */
size_t cpu_model_count(void);
const struct cpu_model *cpu_model_at(size_t index);

/* Fills the common head from a config; ISAs call it from create. */
void cpu_init_common(struct cpu *cpu, const struct cpu_ops *ops,
                     const struct cpu_model *model, const struct cpu_config *cfg);

int cpu_reg_find(const struct cpu *cpu, const char *name);  /* index or -1 */
int cpu_reg_index_with_flag(const struct cpu *cpu, unsigned flag);

static inline bool cpu_is_breakpoint(const struct cpu *cpu, uint64_t pc)
{
    if (cpu->debug_suspend)
        return false;
    for (unsigned i = 0; i < cpu->nbreakpoints; i++)
        if (cpu->breakpoints[i] == pc)
            return true;
    return false;
}

/* The watchpoint an access of size bytes at va hits, or -1. */
static inline int cpu_watch_match(const struct cpu *cpu, uint64_t va, unsigned size, bool write)
{
    if (cpu->debug_suspend)
        return -1;
    unsigned want = write ? CPU_WATCH_WRITE : CPU_WATCH_READ;
    for (unsigned i = 0; i < cpu->nwatchpoints; i++) {
        const struct cpu_watchpoint *w = &cpu->watchpoints[i];
        if ((w->kind & want) && va < w->addr + w->len && w->addr < va + size)
            return (int)i;
    }
    return -1;
}

/* Does any watchpoint of the given kinds touch the page [page, page + size)? */
static inline bool cpu_watch_page(const struct cpu *cpu, uint64_t page, uint64_t size,
                                  unsigned kinds)
{
    for (unsigned i = 0; i < cpu->nwatchpoints; i++) {
        const struct cpu_watchpoint *w = &cpu->watchpoints[i];
        if ((w->kind & kinds) && page < w->addr + w->len && w->addr < page + size)
            return true;
    }
    return false;
}

#endif
