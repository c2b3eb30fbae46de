/* Debugging hooks of the cpu interface: watchpoints, and the observer that
 * records what one instruction did (the explain view, traces).
 *
 * Nothing here costs anything while unused: breakpoints are checked by the
 * run loop only when some are set, watched pages are never entered in the
 * soft TLB (so only the ISA's slow path ever compares addresses against
 * watchpoints), and an ISA looks at cpu->observer only outside its fast
 * paths (its run entry, the slow memory path, the table walk, exception
 * entry). */
#ifndef ORRERY_CPU_DEBUG_H
#define ORRERY_CPU_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

#define CPU_MAX_WATCHPOINTS 16

enum cpu_watch_kind { CPU_WATCH_READ = 1, CPU_WATCH_WRITE = 2, CPU_WATCH_ACCESS = 3 };

/* A watched range of virtual addresses. */
struct cpu_watchpoint {
    uint64_t addr, len;
    unsigned kind;            /* enum cpu_watch_kind bits */
};

/* The access that hit a watchpoint. The instruction making it is
 * abandoned before it changes anything, as ARM's watchpoint debug event
 * and x86's data breakpoint (for reads) do, so the debugger sees the state
 * before it and PC at it (GDB steps over it with the watchpoints out). */
struct cpu_watch_hit {
    uint64_t addr;            /* first byte of the access */
    unsigned size;
    bool write;
    uint64_t value;           /* the value being written (writes) */
    unsigned index;           /* which watchpoint */
};

/* --- the observer ------------------------------------------------------ */

#define CPU_OBS_MAX_MEM 40
#define CPU_OBS_MAX_WALKS 4
#define CPU_OBS_MAX_LEVELS 3
#define CPU_OBS_MAX_EXC 2

enum cpu_mem_kind { CPU_MEM_READ, CPU_MEM_WRITE };

struct cpu_mem_event {
    uint64_t va, pa;
    uint64_t value;
    uint8_t size;
    uint8_t kind;             /* enum cpu_mem_kind */
    bool fault;               /* the access faulted (value meaningless) */
};

/* One translation-table walk (a TLB miss), ISA-described. */
struct cpu_walk_level {
    uint64_t desc_addr;       /* physical address of the descriptor read */
    uint64_t desc;            /* its value */
    char what[160];           /* the ISA's reading of it */
};

struct cpu_walk_event {
    uint64_t va;
    uint8_t access;           /* enum cpu_access */
    bool user;
    bool fault;
    uint64_t pa;              /* when !fault */
    unsigned nlevels;
    struct cpu_walk_level level[CPU_OBS_MAX_LEVELS];
    char result[128];         /* "4 KiB page, domain 0 client, AP=011 ..." or the fault */
};

struct cpu_exc_event {
    char name[24];            /* "svc", "data abort", "irq", ... */
    uint64_t vector;
    uint64_t return_addr;     /* the link the handler gets */
    uint64_t saved_psr;
    char from_mode[8], to_mode[8];
};

/* What one instruction did, as the ISA reports it; register changes are
 * found by the caller comparing the register table before and after. The
 * caller clears it before each instruction. Records beyond a table's size
 * are counted in dropped. */
struct cpu_observer {
    unsigned nmem, nwalks, nexc, dropped;
    struct cpu_mem_event mem[CPU_OBS_MAX_MEM];
    struct cpu_walk_event walk[CPU_OBS_MAX_WALKS];
    struct cpu_exc_event exc[CPU_OBS_MAX_EXC];
};

static inline struct cpu_mem_event *cpu_obs_mem(struct cpu_observer *o)
{
    if (o->nmem < CPU_OBS_MAX_MEM)
        return &o->mem[o->nmem++];
    o->dropped++;
    return 0;
}

static inline struct cpu_walk_event *cpu_obs_walk(struct cpu_observer *o)
{
    if (o->nwalks < CPU_OBS_MAX_WALKS)
        return &o->walk[o->nwalks++];
    o->dropped++;
    return 0;
}

static inline struct cpu_exc_event *cpu_obs_exc(struct cpu_observer *o)
{
    if (o->nexc < CPU_OBS_MAX_EXC)
        return &o->exc[o->nexc++];
    o->dropped++;
    return 0;
}

/* --- decoded-instruction description ------------------------------------ */

#define CPU_INSN_MAX_FIELDS 14

struct cpu_insn_field {
    char name[16];
    char value[96];
};

/* An instruction as the explain view shows it. */
struct cpu_insn_info {
    uint64_t va;
    unsigned len;             /* bytes; 0 when nothing could be read */
    uint8_t bytes[16];        /* in memory order */
    uint64_t encoding;        /* the encoding as the ISA's manual writes it (ARM T32: hw1:hw2) */
    bool bytes_form;          /* the manual writes it as its bytes in memory order (x86):
                                 show bytes[], not encoding */
    char text[192];           /* disassembly */
    bool call;                /* a call that returns to va + len (the monitor's `next`) */
    unsigned nfields;
    struct cpu_insn_field field[CPU_INSN_MAX_FIELDS];
};

/* Appends a field ("name: value") to the explain view's list; quietly
 * drops it when the list is full. */
void cpu_insn_add_field(struct cpu_insn_info *info, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
