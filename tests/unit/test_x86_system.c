/* x86 system behaviour: entering protected mode by code (LGDT, MOV CR0,
 * far JMP), IRET to ring 3 and back in through an interrupt gate (stack
 * from the TSS) and a call gate, #GP from ring 3, paging with #PF (error
 * code, CR2) and accessed/dirty bits, and the model registry. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa-x86/x86.h"
#include "isa-x86/x86_internal.h"
#include "machine/bus.h"
#include "tests/unit/unit.h"

struct rig {
    struct bus bus;
    struct cpu *cpu;
    struct x86_cpu *c;
};

static void put(struct rig *g, uint32_t addr, const void *p, size_t n)
{
    ck_assert_int_eq(bus_write_block(&g->bus, addr, p, n, false), 0);
}

static void put32(struct rig *g, uint32_t addr, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    put(g, addr, b, 4);
}

static uint32_t get32(struct rig *g, uint32_t addr)
{
    uint8_t b[4];
    ck_assert_int_eq(bus_read_block(&g->bus, addr, b, 4), 0);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Writes hex bytes at addr. */
static void code(struct rig *g, uint32_t addr, const char *hex)
{
    uint8_t b[128];
    unsigned n = 0;
    for (const char *p = hex; *p && n < sizeof b;) {
        unsigned v;
        if (*p == ' ') {
            p++;
            continue;
        }
        ck_assert_int_eq(sscanf(p, "%2x", &v), 1);
        b[n++] = (uint8_t)v;
        p += 2;
    }
    put(g, addr, b, n);
}

enum { GDT = 0x500, TSS = 0x600, TSS_B = 0x700, IDT = 0x800, GDTR = 0x4f0 };
enum { SEL_CODE0 = 0x08, SEL_DATA0 = 0x10, SEL_CODE3 = 0x1b, SEL_DATA3 = 0x23, SEL_TSS = 0x28,
       SEL_GATE = 0x33, SEL_TSS_B = 0x38 };

/* Flat 4 GiB descriptors, a TSS, a call gate and an IDT with gates for
 * vectors 13, 14 and 0x80 (DPL 3) to handlers that HLT. */
static void rig_init(struct rig *g, const char *model)
{
    struct orr_error err;
    bus_init(&g->bus, NULL);
    ck_assert_int_eq(bus_add_ram(&g->bus, "ram", 0, 8u << 20, &err), 0);
    struct cpu_config cfg = { .bus = &g->bus };
    const struct cpu_model *m = cpu_model_find(model);
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(m->isa, "x86");
    ck_assert_int_eq(m->create(m, &cfg, &g->cpu, &err), 0);
    g->c = (struct x86_cpu *)g->cpu;
    static const uint32_t gdt[] = {
        0, 0,
        0x0000ffffu, 0x00cf9a00u,       /* 08: code, ring 0 */
        0x0000ffffu, 0x00cf9200u,       /* 10: data, ring 0 */
        0x0000ffffu, 0x00cffa00u,       /* 18: code, ring 3 */
        0x0000ffffu, 0x00cff200u,       /* 20: data, ring 3 */
        (TSS << 16) | 0x67u, 0x00008900u,   /* 28: 32-bit TSS */
        (SEL_CODE0 << 16) | 0x3000u, 0x0000ec00u,   /* 30: call gate (DPL 3) to 08:3000 */
        (TSS_B << 16) | 0x67u, 0x00008900u, /* 38: a second 32-bit TSS */
    };
    for (unsigned i = 0; i < sizeof gdt / 4; i++)
        put32(g, GDT + 4 * i, gdt[i]);
    put32(g, GDTR, (sizeof gdt - 1) | (GDT << 16));
    put32(g, GDTR + 4, 0);
    put32(g, TSS + 4, 0x9000);      /* ESP0 */
    put32(g, TSS + 8, SEL_DATA0);   /* SS0 */
    /* IDT: 13 -> 08:2000, 14 -> 08:2100, 0x80 -> 08:2200 (DPL 3). */
    put32(g, IDT + 13 * 8, (SEL_CODE0 << 16) | 0x2000u);
    put32(g, IDT + 13 * 8 + 4, 0x00008e00u);
    put32(g, IDT + 14 * 8, (SEL_CODE0 << 16) | 0x2100u);
    put32(g, IDT + 14 * 8 + 4, 0x00008e00u);
    put32(g, IDT + 0x80 * 8, (SEL_CODE0 << 16) | 0x2200u);
    put32(g, IDT + 0x80 * 8 + 4, 0x0000ee00u);
    /* Task B starts at 08:5000 with ESP A000h and EAX 1234h. */
    put32(g, TSS_B + 0x20, 0x5000);
    put32(g, TSS_B + 0x24, 0x2);
    put32(g, TSS_B + 0x28, 0x1234);
    put32(g, TSS_B + 0x38, 0xa000);
    put32(g, TSS_B + 0x48, SEL_DATA0);
    put32(g, TSS_B + 0x4c, SEL_CODE0);
    put32(g, TSS_B + 0x50, SEL_DATA0);
    put32(g, TSS_B + 0x54, SEL_DATA0);
    code(g, 0x5000, "f4");
    code(g, 0x2000, "f4");
    code(g, 0x2100, "f4");
    code(g, 0x2200, "f4");
    code(g, 0x3000, "f4");
}

static void rig_free(struct rig *g)
{
    g->cpu->ops->destroy(g->cpu);
    bus_destroy(&g->bus);
}

static void run_to_hlt(struct rig *g)
{
    g->c->halted = false;
    struct cpu_run_result rr = g->cpu->ops->run(g->cpu, 10000);
    ck_assert_int_eq(rr.reason, CPU_STOP_IDLE);
}

/* From reset state in real mode at 0100:0000 into 32-bit protected mode. */
static void enter_protected(struct rig *g)
{
    code(g, 0x1000,
         "0f0116f004"          /* lgdt [04f0h] */
         "0f20c0"              /* mov eax,cr0 */
         "0c01"                /* or al,1 */
         "0f22c0"              /* mov cr0,eax */
         "66ea00110000 0800"); /* jmp dword 08:00001100 */
    code(g, 0x1100,
         "66b81000"            /* mov ax,10h */
         "8ed8 8ec0 8ed0"      /* mov ds,ax; mov es,ax; mov ss,ax */
         "bc00800000"          /* mov esp,8000h */
         "f4");
    x86_set_seg_real(g->c, SEG_CS, 0x100);
    g->c->eip = 0;
    run_to_hlt(g);
}

START_TEST(real_to_protected)
{
    struct rig g;
    rig_init(&g, "i386");
    enter_protected(&g);
    ck_assert(g.c->cr0 & CR0_PE);
    ck_assert_uint_eq(g.c->seg[SEG_CS].sel, SEL_CODE0);
    ck_assert(x86_code32(g.c));
    ck_assert_uint_eq(g.c->cpl, 0);
    ck_assert_uint_eq(g.c->seg[SEG_DS].limit, 0xffffffffu);
    ck_assert_uint_eq(g.c->seg[SEG_SS].base, 0);
    ck_assert_uint_eq(g.c->eip, 0x1110);
    /* The accessed bit of the data descriptor was set by the load. */
    ck_assert(get32(&g, GDT + 0x10 + 4) & 0x100u);
    rig_free(&g);
}
END_TEST

START_TEST(ring3_and_back)
{
    struct rig g;
    rig_init(&g, "pentium");
    enter_protected(&g);
    /* ltr; lidt; push ss3, esp3, eflags, cs3, eip3; iretd */
    put32(&g, 0x4e0, 0x07ff | (IDT << 16));
    put32(&g, 0x4e4, 0);
    code(&g, 0x1200,
         "66b82800 0f00d8"     /* mov ax,28h; ltr ax */
         "0f011de0040000"      /* lidt [4e0h] */
         "6a23 6800700000"     /* push 23h; push 7000h */
         "9c 6a1b 6800400000"  /* pushfd; push 1bh; push 4000h */
         "cf");                /* iretd */
    /* Ring 3: load DS, int 80h. */
    code(&g, 0x4000, "66b82300 8ed8 cd80");
    g.c->eip = 0x1200;
    run_to_hlt(&g);
    ck_assert_uint_eq(g.c->cpl, 0);
    ck_assert_uint_eq(g.c->seg[SEG_CS].sel, SEL_CODE0);
    ck_assert_uint_eq(g.c->seg[SEG_SS].sel, SEL_DATA0);
    /* SS, ESP, EFLAGS, CS, EIP on the ring-0 stack from the TSS. */
    ck_assert_uint_eq(g.c->gpr[ESP], 0x9000 - 20);
    ck_assert_uint_eq(get32(&g, 0x9000 - 4), SEL_DATA3);
    ck_assert_uint_eq(get32(&g, 0x9000 - 8), 0x7000);
    ck_assert_uint_eq(get32(&g, 0x9000 - 16), SEL_CODE3);
    ck_assert_uint_eq(get32(&g, 0x9000 - 20), 0x4008);
    ck_assert(!(g.c->eflags & FL_IF));   /* an interrupt gate */
    /* Back to ring 3 by IRETD; there, HLT is privileged: #GP(0). */
    code(&g, 0x4008, "f4");
    code(&g, 0x2201, "cf");
    g.c->eip = 0x2201;
    run_to_hlt(&g);
    ck_assert_uint_eq(g.c->eip, 0x2001);              /* the #GP handler's HLT */
    ck_assert_uint_eq(get32(&g, 0x9000 - 24), 0);      /* error code */
    ck_assert_uint_eq(get32(&g, 0x9000 - 20), 0x4008); /* the faulting HLT */
    /* The data segment register kept its ring-3 selector through the return. */
    ck_assert_uint_eq(g.c->seg[SEG_DS].sel, SEL_DATA3);
    rig_free(&g);
}
END_TEST

START_TEST(call_gate_inward)
{
    struct rig g;
    rig_init(&g, "i486");
    enter_protected(&g);
    code(&g, 0x1200,
         "66b82800 0f00d8"     /* ltr */
         "6a23 6800700000 6a1b 6800400000 cb");   /* push ss3 esp3 cs3 eip3; retf */
    code(&g, 0x4000, "9a000000003300");           /* call 33:0 (the gate) */
    g.c->eip = 0x1200;
    run_to_hlt(&g);
    ck_assert_uint_eq(g.c->eip, 0x3001);
    ck_assert_uint_eq(g.c->cpl, 0);
    ck_assert_uint_eq(g.c->gpr[ESP], 0x9000 - 16);
    ck_assert_uint_eq(get32(&g, 0x9000 - 4), SEL_DATA3);
    ck_assert_uint_eq(get32(&g, 0x9000 - 8), 0x7000);
    ck_assert_uint_eq(get32(&g, 0x9000 - 12), SEL_CODE3);
    ck_assert_uint_eq(get32(&g, 0x9000 - 16), 0x4007);
    rig_free(&g);
}
END_TEST

/* A page directory at 0x10000 whose table at 0x11000 maps the first 4 MiB
 * onto themselves, except the page at 0x5000 (not present), and an IDTR
 * image at 0x4e0 for the rig's IDT. */
static void page_tables_without_page_5(struct rig *g)
{
    put32(g, 0x10000, 0x11000 | 0x7);
    for (uint32_t p = 0; p < 1024; p++)
        if (p != 5)
            put32(g, 0x11000 + 4 * p, (p << 12) | 0x3);
    put32(g, 0x4e0, 0x07ff | (IDT << 16));
    put32(g, 0x4e4, 0);
}

START_TEST(paging_and_page_fault)
{
    struct rig g;
    rig_init(&g, "pentium-pro");
    enter_protected(&g);
    page_tables_without_page_5(&g);
    code(&g, 0x1200,
         "0f011de0040000"      /* lidt [4e0h] */
         "b800000100 0f22d8"   /* mov eax,10000h; mov cr3,eax */
         "0f20c0 0d00000080 0f22c0"   /* cr0 |= PG */
         "c70500600000 78563412"      /* mov dword [6000h],12345678h */
         "a100500000");        /* mov eax,[5000h]: #PF */
    g.c->eip = 0x1200;
    run_to_hlt(&g);
    ck_assert_uint_eq(g.c->eip, 0x2101);
    ck_assert_uint_eq(g.c->cr2, 0x5000);
    ck_assert_uint_eq(get32(&g, 0x8000 - 16), 0);         /* error code: not present, read, supervisor */
    ck_assert_uint_eq(get32(&g, 0x8000 - 12), 0x1224);    /* the faulting MOV */
    /* The written page is accessed and dirty, the code page accessed only. */
    ck_assert_uint_eq(get32(&g, 0x11000 + 4 * 6) & 0x60u, 0x60u);
    ck_assert_uint_eq(get32(&g, 0x11000 + 4 * 1) & 0x60u, 0x20u);
    ck_assert_uint_eq(get32(&g, 0x6000), 0x12345678u);
    /* The debugger's view: the walk and the decoded instruction. */
    struct cpu_walk_event ev;
    ck_assert_int_eq(g.cpu->ops->walk(g.cpu, 0x6abc, CPU_ACCESS_WRITE, false, &ev), 0);
    ck_assert_uint_eq(ev.pa, 0x6abc);
    ck_assert_uint_eq(ev.nlevels, 2);
    ck_assert_ptr_nonnull(strstr(ev.level[1].what, "dirty"));
    ck_assert_int_eq(g.cpu->ops->walk(g.cpu, 0x5000, CPU_ACCESS_READ, false, &ev), -1);
    ck_assert(ev.fault);
    ck_assert_int_eq(g.cpu->ops->walk(g.cpu, 0x6000, CPU_ACCESS_READ, true, &ev), -1);
    struct cpu_insn_info info;
    ck_assert_int_eq(g.cpu->ops->describe(g.cpu, 0x1224, &info), 0);
    ck_assert_uint_eq(info.len, 5);
    ck_assert_ptr_nonnull(strstr(info.text, "mov"));
    ck_assert_ptr_nonnull(strstr(info.text, "0x5000"));
    bool mem = false;
    for (unsigned i = 0; i < info.nfields; i++)
        mem |= strcmp(info.field[i].name, "memory operand") == 0 &&
               strstr(info.field[i].value, "linear 0x00005000") != NULL;
    ck_assert(mem);
    /* An observed step reports its access and the walk behind it. */
    code(&g, 0x1300, "a300600000");                  /* mov [6000h],eax */
    struct cpu_observer obs;
    memset(&obs, 0, sizeof obs);
    g.cpu->observer = &obs;
    g.c->eip = 0x1300;
    g.c->halted = false;
    g.c->gpr[EAX] = 0xcafe;
    ck_assert_uint_eq(g.cpu->ops->run(g.cpu, 1).executed, 1);
    g.cpu->observer = NULL;
    ck_assert_uint_eq(obs.nmem, 1);
    ck_assert_uint_eq(obs.mem[0].va, 0x6000);
    ck_assert_uint_eq(obs.mem[0].value, 0xcafe);
    ck_assert_uint_eq(obs.mem[0].kind, CPU_MEM_WRITE);
    ck_assert_uint_eq(obs.nwalks, 1);
    rig_free(&g);
}
END_TEST

/* An x87 store that crosses into a page that is not present faults
 * before it writes anything (faults are restartable, SDM Vol. 3A 6.5). */
START_TEST(x87_store_across_a_missing_page)
{
    struct rig g;
    rig_init(&g, "pentium-pro");
    enter_protected(&g);
    page_tables_without_page_5(&g);
    put32(&g, 0x4ffc, 0xaaaaaaaau);
    code(&g, 0x1200,
         "0f011de0040000"      /* lidt [4e0h] */
         "b800000100 0f22d8"   /* mov eax,10000h; mov cr3,eax */
         "0f20c0 0d00000080 0f22c0"   /* cr0 |= PG */
         "dbe3 d9eb"           /* fninit; fldpi */
         "dd1dfc4f0000");      /* fstp qword [4ffch]: the second half is not present */
    g.c->eip = 0x1200;
    run_to_hlt(&g);
    ck_assert_uint_eq(g.c->eip, 0x2101);             /* in the #PF handler */
    ck_assert_uint_eq(g.c->cr2, 0x5000);
    ck_assert_uint_eq(get32(&g, 0x8000 - 16), 2);     /* error code: not present, write */
    ck_assert_uint_eq(get32(&g, 0x4ffc), 0xaaaaaaaau);  /* nothing written */
    rig_free(&g);
}
END_TEST

START_TEST(task_switches)
{
    struct rig g;
    rig_init(&g, "i386");
    enter_protected(&g);
    put32(&g, 0x4e0, 0x07ff | (IDT << 16));
    put32(&g, 0x4e4, 0);
    /* ltr; lidt; mov eax,5678h; jmp 38:0 (task B) */
    code(&g, 0x1200, "66b82800 0f00d8 0f011de0040000 b878560000 ea000000003800");
    g.c->eip = 0x1200;
    run_to_hlt(&g);
    ck_assert_uint_eq(g.c->seg[SEG_TR].sel, SEL_TSS_B);
    ck_assert_uint_eq(g.c->eip, 0x5001);
    ck_assert_uint_eq(g.c->gpr[EAX], 0x1234);
    ck_assert_uint_eq(g.c->gpr[ESP], 0xa000);
    ck_assert(g.c->cr0 & CR0_TS);
    /* The outgoing task's state was saved; JMP cleared its busy bit. */
    ck_assert_uint_eq(get32(&g, TSS + 0x20), 0x1200 + 26);
    ck_assert_uint_eq(get32(&g, TSS + 0x28), 0x5678);
    ck_assert_uint_eq(get32(&g, GDT + 0x28 + 4) & 0x200u, 0);
    ck_assert_uint_eq(get32(&g, GDT + 0x38 + 4) & 0x200u, 0x200u);
    rig_free(&g);
}
END_TEST

START_TEST(double_fault_through_task_gate)
{
    struct rig g;
    rig_init(&g, "pentium-pro");
    enter_protected(&g);
    put32(&g, 0x4e0, 0x07ff | (IDT << 16));
    put32(&g, 0x4e4, 0);
    put32(&g, IDT + 8 * 8, SEL_TSS_B << 16);          /* vector 8: task gate to B */
    put32(&g, IDT + 8 * 8 + 4, 0x00008500u);
    put32(&g, IDT + 13 * 8 + 4, 0x00000e00u);         /* #GP's gate not present */
    /* ltr; lidt; mov ds,0fff8h (beyond the GDT: #GP -> #NP -> #DF) */
    code(&g, 0x1200, "66b82800 0f00d8 0f011de0040000 66b8f8ff 8ed8");
    g.c->eip = 0x1200;
    run_to_hlt(&g);
    ck_assert_uint_eq(g.c->seg[SEG_TR].sel, SEL_TSS_B);
    ck_assert_uint_eq(g.c->eip, 0x5001);
    ck_assert_uint_eq(g.c->gpr[ESP], 0xa000 - 4);
    ck_assert_uint_eq(get32(&g, 0xa000 - 4), 0);      /* #DF's error code */
    ck_assert(g.c->eflags & FL_NT);
    ck_assert_uint_eq(get32(&g, TSS_B) & 0xffff, SEL_TSS);   /* back link */
    rig_free(&g);
}
END_TEST

START_TEST(alignment_check)
{
    struct rig g;
    rig_init(&g, "i486");
    enter_protected(&g);
    put32(&g, 0x4e0, 0x07ff | (IDT << 16));
    put32(&g, 0x4e4, 0);
    put32(&g, IDT + 17 * 8, (SEL_CODE0 << 16) | 0x2300u);
    put32(&g, IDT + 17 * 8 + 4, 0x00008e00u);
    code(&g, 0x2300, "f4");
    /* ltr; lidt; cr0.AM; iretd to ring 3 with EFLAGS.AC */
    code(&g, 0x1200,
         "66b82800 0f00d8 0f011de0040000"
         "0f20c0 0d00000400 0f22c0"
         "6a23 6800700000 6802000400 6a1b 6800400000 cf");
    /* Ring 3: an aligned load, then a misaligned one: #AC(0). */
    code(&g, 0x4000, "66b82300 8ed8 a100500000 a101500000");
    g.c->eip = 0x1200;
    run_to_hlt(&g);
    ck_assert_uint_eq(g.c->eip, 0x2301);
    ck_assert_uint_eq(get32(&g, 0x9000 - 24), 0);        /* error code */
    ck_assert_uint_eq(get32(&g, 0x9000 - 20), 0x400b);   /* the misaligned load */
    rig_free(&g);
}
END_TEST

START_TEST(debug_registers)
{
    struct rig g;
    rig_init(&g, "pentium");
    enter_protected(&g);
    put32(&g, 0x4e0, 0x07ff | (IDT << 16));
    put32(&g, 0x4e4, 0);
    put32(&g, IDT + 1 * 8, (SEL_CODE0 << 16) | 0x2400u);
    put32(&g, IDT + 1 * 8 + 4, 0x00008e00u);
    code(&g, 0x2400, "f4");
    /* lidt; dr1 = 6000h, DR7: L1, R/W1 = 01 (writes), LEN1 = 00 (1 byte);
     * a read of 6000h, then a write: #DB after the write. */
    code(&g, 0x1200,
         "0f011de0040000"
         "b800600000 0f23c8"
         "b804001d00 0f23f8"
         "a100600000 a300600000 90");
    g.c->eip = 0x1200;
    run_to_hlt(&g);
    ck_assert_uint_eq(g.c->eip, 0x2401);
    ck_assert_uint_eq(g.c->dr[6] & 0xfu, 2u);
    ck_assert_uint_eq(get32(&g, 0x8000 - 12), 0x1200 + 7 + 8 + 8 + 10);  /* after the write */
    /* An instruction breakpoint on the NOP: a fault before it. */
    g.c->gpr[EAX] = 0x1300 + 3 + 5 + 3;
    code(&g, 0x1300, "0f23c0 b801000000 0f23f8 90 90");
    g.c->eip = 0x1300;
    g.c->gpr[ESP] = 0x8000;
    run_to_hlt(&g);
    ck_assert_uint_eq(g.c->eip, 0x2401);
    ck_assert_uint_eq(g.c->dr[6] & 0xfu, 1u);
    ck_assert_uint_eq(get32(&g, 0x8000 - 12), 0x1300 + 11);   /* the NOP itself */
    rig_free(&g);
}
END_TEST

START_TEST(virtual_8086_mode)
{
    struct rig g;
    rig_init(&g, "pentium");
    enter_protected(&g);
    put32(&g, 0x4e0, 0x07ff | (IDT << 16));
    put32(&g, 0x4e4, 0);
    /* ltr; lidt; iretd to V86 at 0400:0000 with IOPL 3:
     * push gs fs ds es ss esp eflags cs eip. */
    code(&g, 0x1200,
         "66b82800 0f00d8 0f011de0040000"
         "6a00 6a00 6a50 6a60 6a70 6800100000"
         "6802320200 6800040000 6a00 cf");
    /* V86 code at 0x4000: mov ax,[0002] (DS = 50h -> linear 0x502); int 80h */
    code(&g, 0x4000, "a10200 cd80");
    put32(&g, 0x500, 0xbeef0000u);
    g.c->eip = 0x1200;
    run_to_hlt(&g);
    /* The ring-0 handler at 08:2200 got the V86 frame and flat segments. */
    ck_assert_uint_eq(g.c->eip, 0x2201);
    ck_assert_uint_eq(g.c->cpl, 0);
    ck_assert(!(g.c->eflags & FL_VM));
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xffff, 0xbeef);
    ck_assert_uint_eq(g.c->gpr[ESP], 0x9000 - 36);
    ck_assert_uint_eq(get32(&g, 0x9000 - 4), 0);          /* GS */
    ck_assert_uint_eq(get32(&g, 0x9000 - 12), 0x50);      /* DS */
    ck_assert_uint_eq(get32(&g, 0x9000 - 20), 0x70);      /* SS */
    ck_assert_uint_eq(get32(&g, 0x9000 - 24), 0x1000);    /* ESP */
    ck_assert(get32(&g, 0x9000 - 28) & FL_VM);            /* EFLAGS */
    ck_assert_uint_eq(get32(&g, 0x9000 - 32), 0x400);     /* CS */
    ck_assert_uint_eq(get32(&g, 0x9000 - 36), 5);         /* EIP after INT 80h */
    ck_assert_uint_eq(g.c->seg[SEG_DS].sel, 0);           /* nulled */
    rig_free(&g);
}
END_TEST

START_TEST(unreal_mode)
{
    struct rig g;
    rig_init(&g, "i386");
    enter_protected(&g);
    /* Back to real mode with DS still holding the 4 GiB data descriptor:
     * mov eax,cr0; and al,0feh; mov cr0,eax; jmp 0000:2500h */
    code(&g, 0x1200, "0f20c0 24fe 0f22c0 ea00250000 0000");
    /* Real mode, CS still 32-bit (its descriptor cache keeps D, SDM Vol. 3A
     * 9.9.2): xor eax,eax; mov ds,ax (the limit stays); mov eax,[400000h] */
    code(&g, 0x2500, "31c0 8ed8 a100004000 f4");
    put32(&g, 0x400000, 0x600df00d);
    g.c->eip = 0x1200;
    run_to_hlt(&g);
    ck_assert(!(g.c->cr0 & CR0_PE));
    ck_assert_uint_eq(g.c->seg[SEG_DS].base, 0);
    ck_assert_uint_eq(g.c->seg[SEG_DS].limit, 0xffffffffu);
    ck_assert_uint_eq(g.c->gpr[EAX], 0x600df00du);
    ck_assert(x86_code32(g.c));
    rig_free(&g);
}
END_TEST

START_TEST(p6_performance_counters)
{
    struct rig g;
    rig_init(&g, "pentium-pro");
    enter_protected(&g);
    /* mov ecx,0c1h; mov eax,80000000h; xor edx,edx; wrmsr; xor eax,eax;
     * rdmsr; mov ebx,eax; mov esi,edx; xor ecx,ecx; rdpmc; hlt */
    code(&g, 0x1200, "b9c1000000 b800000080 31d2 0f30 31c0 0f32 89c3 89d6 31c9 0f33 f4");
    g.c->eip = 0x1200;
    run_to_hlt(&g);
    /* Bit 31 of the written value sign-extends into the counter's 39:32. */
    ck_assert_uint_eq(g.c->gpr[EBX], 0x80000000u);
    ck_assert_uint_eq(g.c->gpr[ESI], 0xffu);
    ck_assert_uint_eq(g.c->gpr[EAX], 0x80000000u);
    ck_assert_uint_eq(g.c->gpr[EDX], 0xffu);
    ck_assert_uint_eq(g.c->perfctr[0], 0xff80000000ull);
    rig_free(&g);
}
END_TEST

START_TEST(model_registry)
{
    const char *names[] = { "i386", "i486", "pentium", "pentium-pro" };
    for (unsigned i = 0; i < 4; i++) {
        const struct cpu_model *m = cpu_model_find(names[i]);
        ck_assert_ptr_nonnull(m);
        ck_assert_str_eq(m->isa, "x86");
    }
    ck_assert_ptr_eq(cpu_model_find_compatible("intel,pentium-pro"), cpu_model_find("pentium-pro"));
    ck_assert_ptr_nonnull(cpu_model_find("arm7tdmi"));
    ck_assert_ptr_null(cpu_model_at(cpu_model_count()));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("x86_system");
    TCase *tc = tcase_create("system");
    tcase_add_test(tc, real_to_protected);
    tcase_add_test(tc, ring3_and_back);
    tcase_add_test(tc, call_gate_inward);
    tcase_add_test(tc, paging_and_page_fault);
    tcase_add_test(tc, x87_store_across_a_missing_page);
    tcase_add_test(tc, task_switches);
    tcase_add_test(tc, double_fault_through_task_gate);
    tcase_add_test(tc, alignment_check);
    tcase_add_test(tc, debug_registers);
    tcase_add_test(tc, p6_performance_counters);
    tcase_add_test(tc, virtual_8086_mode);
    tcase_add_test(tc, unreal_mode);
    tcase_add_test(tc, model_registry);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(suite());
}
