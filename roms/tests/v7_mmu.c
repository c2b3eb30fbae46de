/* ARMv7-A MMU and exceptions end to end (ARM ARM v7-A/R, DDI 0406C): the
 * program builds short-descriptor translation tables, turns the MMU on and
 * checks mappings, every fault kind with its DFSR/DFAR or IFSR/IFAR, TLB
 * maintenance, ASIDs, the TTBCR split, VA-to-PA operations, alignment, user
 * mode trapping into SVC and the undefined-instruction exception. Runs on
 * cortex-a15 and cortex-a7, on Orrery and on QEMU's virt, with the same
 * results. Each check has its own number (reported on failure). */
#include "rt.h"

struct test_group {
    const char *name;
    int (*run)(void);   /* 0, or the failed check number */
};

/* Physical areas for the tests: inside the first 128 MiB of RAM (QEMU
 * virt's default size), far above the program (in the first MiB). */
#define PA_A     0x44000000u   /* section A */
#define PA_B     0x44100000u   /* section B */
#define PA_PAGES 0x44200000u   /* small and large pages */
#define PA_CODE  0x44300000u   /* code placed in an execute-never section */

/* Virtual addresses the tests map. */
#define VA_ALIAS   0x80000000u  /* section -> A, later B */
#define VA_PAGES   0x80100000u  /* coarse table: small and large pages */
#define VA_NONE    0x90000000u  /* never mapped */
#define VA_RO      0xa0000000u  /* PL1 read-only section -> A */
#define VA_DOM2    0xa0100000u  /* section in domain 2 -> A */
#define VA_XN      0xb0000000u  /* execute-never section -> CODE */
#define VA_AF      0xc0000000u  /* access flag clear -> A */
#define VA_ASID    0xd0000000u  /* nG section, different per address space */
#define VA_PRIV    0xe0000000u  /* PL1-only section -> A */

/* Section descriptor fields (B3.5.1, short-descriptor format). */
#define SECT        0x2u
#define SECT_XN     (1u << 4)
#define DOMAIN(d)   ((uint32_t)(d) << 5)
#define AP(ap)      ((uint32_t)(ap) << 10)   /* AP[1:0] */
#define APX         (1u << 15)               /* AP[2] */
#define TEX_NORMAL  (1u << 12)               /* TEX 001, C 0, B 0: normal, non-cacheable */
#define NG          (1u << 17)
#define SECT_RW     (SECT | TEX_NORMAL | AP(3))
/* Second-level small page (B3.5.1). */
#define SMALL       0x2u
#define SMALL_RW    (SMALL | (1u << 6) | (3u << 4))     /* TEX 001, AP 11 */

/* DFSR/IFSR status values FS[3:0] (B3.13.3; FS[4] is 0 for all of these). */
#define FS_ALIGN        0x01u
#define FS_AF_SECT      0x03u
#define FS_TRANS_SECT   0x05u
#define FS_TRANS_PAGE   0x07u
#define FS_DOMAIN_SECT  0x09u
#define FS_PERM_SECT    0x0du

static uint32_t l1[4096] __attribute__((aligned(16384)));
static uint32_t l1_other[4096] __attribute__((aligned(16384)));   /* second address space */
static uint32_t l1_high[4096] __attribute__((aligned(16384)));    /* TTBR1 */
static uint32_t l2[256] __attribute__((aligned(1024)));

/* Filled by the exception handlers (below, in assembly). */
volatile uint32_t abort_fsr, abort_far, abort_count, abort_lr;
volatile uint32_t pabt_return, svc_resume, svc_saved_sp, und_lr, und_count;

uint32_t probe_read(uint32_t va);          /* 0xbad0bad0 when the load faulted */
void probe_write(uint32_t va, uint32_t v);
void call_at(uint32_t va);                 /* BLX va; a prefetch abort returns */
void run_user(void (*fn)(void));           /* fn in User mode; it ends with SVC */
uint32_t undefined_here(void);             /* executes UDF; returns its address */
void install_vectors(void);

__asm__(
"   .syntax unified\n"
"   .arm\n"
"   .text\n"
"   .align 5\n"
"vectors:\n"
"   b .\n"
"   b und_handler\n"
"   b svc_handler\n"
"   b pabt_handler\n"
"   b dabt_handler\n"
"   b .\n"
"   b .\n"
"   b .\n"
/* Data abort: record DFSR, DFAR, LR; skip the faulting instruction
 * (LR = faulting address + 8, B1.8.3). */
"dabt_handler:\n"
"   push {r0, r1}\n"
"   ldr r0, =abort_fsr\n"
"   mrc p15, 0, r1, c5, c0, 0\n"
"   str r1, [r0]\n"
"   ldr r0, =abort_far\n"
"   mrc p15, 0, r1, c6, c0, 0\n"
"   str r1, [r0]\n"
"   ldr r0, =abort_lr\n"
"   str lr, [r0]\n"
"   ldr r0, =abort_count\n"
"   ldr r1, [r0]\n"
"   add r1, r1, #1\n"
"   str r1, [r0]\n"
"   pop {r0, r1}\n"
"   subs pc, lr, #4\n"
/* Prefetch abort: record IFSR, IFAR, LR; resume at pabt_return. */
"pabt_handler:\n"
"   push {r0, r1}\n"
"   ldr r0, =abort_fsr\n"
"   mrc p15, 0, r1, c5, c0, 1\n"
"   str r1, [r0]\n"
"   ldr r0, =abort_far\n"
"   mrc p15, 0, r1, c6, c0, 2\n"
"   str r1, [r0]\n"
"   ldr r0, =abort_lr\n"
"   str lr, [r0]\n"
"   ldr r0, =abort_count\n"
"   ldr r1, [r0]\n"
"   add r1, r1, #1\n"
"   str r1, [r0]\n"
"   pop {r0, r1}\n"
"   ldr lr, =pabt_return\n"
"   ldr lr, [lr]\n"
"   movs pc, lr\n"
/* SVC from run_user's function: back to SVC mode at svc_resume with the
 * saved SVC stack. */
"svc_handler:\n"
"   ldr sp, =svc_saved_sp\n"
"   ldr sp, [sp]\n"
"   ldr lr, =svc_resume\n"
"   ldr lr, [lr]\n"
"   bx lr\n"
/* Undefined: record LR (the UDF's address + 4 in ARM state) and skip it. */
"und_handler:\n"
"   push {r0, r1}\n"
"   ldr r0, =und_lr\n"
"   str lr, [r0]\n"
"   ldr r0, =und_count\n"
"   ldr r1, [r0]\n"
"   add r1, r1, #1\n"
"   str r1, [r0]\n"
"   pop {r0, r1}\n"
"   movs pc, lr\n"
"   .ltorg\n"
"   .global install_vectors\n"
"install_vectors:\n"
"   ldr r0, =vectors\n"
"   mcr p15, 0, r0, c12, c0, 0\n"       /* VBAR */
"   mrs r1, cpsr\n"
"   cps #0x17\n"                          /* abort mode stack */
"   ldr sp, =abt_stack_top\n"
"   cps #0x1b\n"                          /* undefined mode stack */
"   ldr sp, =und_stack_top\n"
"   msr cpsr_c, r1\n"
"   isb\n"
"   bx lr\n"
"   .global probe_read\n"
"probe_read:\n"
"   mov r1, r0\n"
"   ldr r0, =0xbad0bad0\n"
"   ldr r0, [r1]\n"
"   bx lr\n"
"   .global probe_write\n"
"probe_write:\n"
"   str r1, [r0]\n"
"   bx lr\n"
"   .global call_at\n"
"call_at:\n"
"   push {r4, lr}\n"
"   ldr r1, =pabt_return\n"
"   adr r2, 1f\n"
"   str r2, [r1]\n"
"   blx r0\n"
"1: pop {r4, pc}\n"
"   .global run_user\n"
"run_user:\n"
"   push {r4-r11, lr}\n"
"   ldr r1, =svc_saved_sp\n"
"   str sp, [r1]\n"
"   ldr r1, =svc_resume\n"
"   adr r2, 2f\n"
"   str r2, [r1]\n"
"   ldr r1, =usr_stack_top\n"
"   cps #0x1f\n"                          /* System mode: set the User stack */
"   mov sp, r1\n"
"   cps #0x13\n"
"   mov r1, #0x10\n"                      /* User mode, ARM, interrupts enabled */
"   msr spsr_cxsf, r1\n"
"   mov lr, r0\n"
"   movs pc, lr\n"
"2: pop {r4-r11, pc}\n"
"   .global undefined_here\n"
"undefined_here:\n"
"   adr r0, 3f\n"
"3: udf #0\n"
"   bx lr\n"
"   .ltorg\n"
"   .bss\n"
"   .align 3\n"
"   .space 512\n"
"abt_stack_top:\n"
"   .space 512\n"
"und_stack_top:\n"
"   .space 1024\n"
"usr_stack_top:\n"
"   .text\n"
);

static inline void dsb_isb(void) { __asm__ volatile("dsb\n isb" ::: "memory"); }
static inline void tlbiall(void) { __asm__ volatile("mcr p15, 0, %0, c8, c7, 0\n dsb\n isb" :: "r"(0) : "memory"); }
static inline void tlbimva(uint32_t va) { __asm__ volatile("mcr p15, 0, %0, c8, c7, 1\n dsb\n isb" :: "r"(va) : "memory"); }
static inline uint32_t sctlr_get(void) { uint32_t v; __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(v)); return v; }
static inline void sctlr_set(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n isb" :: "r"(v) : "memory"); }
static inline void dacr_set(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c3, c0, 0\n isb" :: "r"(v) : "memory"); }
static inline void ttbr0_set(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c2, c0, 0\n isb" :: "r"(v) : "memory"); }
static inline void ttbr1_set(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c2, c0, 1\n isb" :: "r"(v) : "memory"); }
static inline void ttbcr_set(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c2, c0, 2\n isb" :: "r"(v) : "memory"); }
static inline void contextidr_set(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c13, c0, 1\n isb" :: "r"(v) : "memory"); }
static inline uint32_t ats1cpr(uint32_t va)
{
    uint32_t par;
    __asm__ volatile("mcr p15, 0, %1, c7, c8, 0\n isb\n mrc p15, 0, %0, c7, c4, 0"
                     : "=r"(par) : "r"(va) : "memory");
    return par;
}

#define SCTLR_M   (1u << 0)
#define SCTLR_A   (1u << 1)
#define SCTLR_AFE (1u << 29)

static volatile uint32_t *phys(uint32_t pa) { return (volatile uint32_t *)pa; }

static void map_section(uint32_t *table, uint32_t va, uint32_t desc)
{
    table[va >> 20] = desc;
}

/* The identity map every address space shares: RAM and the UART. */
static void identity(uint32_t *table)
{
    for (uint32_t mb = 0x400; mb < 0x500; mb++)
        table[mb] = (mb << 20) | SECT_RW;
    table[0x090] = (0x090u << 20) | SECT | AP(3) | SECT_XN;   /* device: TEX 000 C 0 B 0 */
}

static int expect_abort(uint32_t count_before, uint32_t fs, uint32_t far, int check)
{
    if (abort_count != count_before + 1)
        return check;
    if ((abort_fsr & 0x40f) != fs || abort_far != far)
        return check + 1;
    return 0;
}

static int mmu_on(void)
{
    install_vectors();
    identity(l1);
    phys(PA_A)[0] = 0xaaaa0000u;
    phys(PA_B)[0] = 0xbbbb0000u;
    map_section(l1, VA_ALIAS, PA_A | SECT_RW);
    /* Coarse table: small page 0 -> PA_PAGES + 0x1000, page 1 -> PA_PAGES;
     * pages 2.. unmapped (translation fault, page). */
    for (unsigned i = 0; i < 256; i++)
        l2[i] = 0;
    l2[0] = (PA_PAGES + 0x1000u) | SMALL_RW;
    l2[1] = PA_PAGES | SMALL_RW;
    phys(PA_PAGES)[0] = 0x11110000u;
    phys(PA_PAGES + 0x1000u)[0] = 0x22220000u;
    map_section(l1, VA_PAGES, (uint32_t)l2 | 0x1u);     /* page table, domain 0 */
    map_section(l1, VA_RO, PA_A | SECT | TEX_NORMAL | APX | AP(1));
    map_section(l1, VA_DOM2, PA_A | SECT_RW | DOMAIN(2));
    map_section(l1, VA_XN, PA_CODE | SECT_RW | SECT_XN);
    map_section(l1, VA_AF, PA_A | SECT | TEX_NORMAL | AP(2));   /* AP[0] = 0: access flag clear */
    map_section(l1, VA_ASID, PA_A | SECT_RW | NG);
    map_section(l1, VA_PRIV, PA_A | SECT | TEX_NORMAL | AP(1));  /* PL1 RW, PL0 none */
    dsb_isb();
    ttbcr_set(0);
    ttbr0_set((uint32_t)l1);
    contextidr_set(1);
    dacr_set(0x55555555u);            /* every domain client */
    tlbiall();
    sctlr_set(sctlr_get() | SCTLR_M);
    if (!(sctlr_get() & SCTLR_M))
        return 1;
    if (probe_read((uint32_t)&l1[0x400]) != ((0x400u << 20) | SECT_RW))
        return 2;   /* identity-mapped data reads back */
    return 0;
}

static int mappings(void)
{
    if (probe_read(VA_ALIAS) != 0xaaaa0000u)
        return 10;
    probe_write(VA_ALIAS + 4, 0x12345678u);
    if (phys(PA_A)[1] != 0x12345678u)
        return 11;  /* a write through the alias reaches the physical page */
    if (probe_read(VA_PAGES) != 0x22220000u || probe_read(VA_PAGES + 0x1000u) != 0x11110000u)
        return 12;
    if (probe_read(VA_PAGES + 0x1004u) != phys(PA_PAGES)[1])
        return 13;
    return 0;
}

static int faults(void)
{
    uint32_t n = abort_count;
    if (probe_read(VA_NONE + 8) != 0xbad0bad0u)
        return 20;
    int r = expect_abort(n, FS_TRANS_SECT, VA_NONE + 8, 21);
    if (r)
        return r;
    n = abort_count;
    (void)probe_read(VA_PAGES + 0x2010u);
    if ((r = expect_abort(n, FS_TRANS_PAGE, VA_PAGES + 0x2010u, 23)))
        return r;
    /* Permission: a PL1 write to a read-only section; WnR (bit 11) set. */
    n = abort_count;
    probe_write(VA_RO + 0x10, 1);
    if ((r = expect_abort(n, FS_PERM_SECT, VA_RO + 0x10, 25)))
        return r;
    if (!(abort_fsr & (1u << 11)))
        return 27;
    if (probe_read(VA_RO) != 0xaaaa0000u)
        return 28;  /* reading it is fine */
    /* Domain 2 with no access: domain fault naming domain 2 (DFSR[7:4]). */
    dacr_set(0x55555545u);
    n = abort_count;
    (void)probe_read(VA_DOM2 + 0x20);
    if ((r = expect_abort(n, FS_DOMAIN_SECT, VA_DOM2 + 0x20, 29)))
        return r;
    if (((abort_fsr >> 4) & 0xf) != 2)
        return 31;
    /* Manager: no permission checks, so the read-only section... is only
     * read-only for clients; remap it into domain 2 as a manager. */
    map_section(l1, VA_RO, PA_A | SECT | TEX_NORMAL | APX | AP(1) | DOMAIN(2));
    tlbimva(VA_RO);
    dacr_set(0x55555575u);
    n = abort_count;
    probe_write(VA_RO + 0x14, 0x5a5a5a5au);
    if (abort_count != n || phys(PA_A)[5] != 0x5a5a5a5au)
        return 32;
    dacr_set(0x55555555u);
    /* Access flag with SCTLR.AFE (B3.7.3): AP[0] = 0 faults. */
    sctlr_set(sctlr_get() | SCTLR_AFE);
    tlbiall();
    n = abort_count;
    (void)probe_read(VA_AF);
    r = expect_abort(n, FS_AF_SECT, VA_AF, 33);
    sctlr_set(sctlr_get() & ~SCTLR_AFE);
    tlbiall();
    if (r)
        return r;
    return 0;
}

static int execute_never(void)
{
    /* "mov r0, #42; bx lr" at PA_CODE: runs from its identity mapping, and
     * takes a permission fault (prefetch abort) through the XN alias. */
    phys(PA_CODE)[0] = 0xe3a0002au;
    phys(PA_CODE)[1] = 0xe12fff1eu;
    __asm__ volatile("mcr p15, 0, %0, c7, c5, 0\n dsb\n isb" :: "r"(0) : "memory");  /* ICIALLU */
    uint32_t (*fn)(void) = (uint32_t (*)(void))PA_CODE;
    if (fn() != 42)
        return 40;
    uint32_t n = abort_count;
    call_at(VA_XN);
    if (abort_count != n + 1)
        return 41;
    if ((abort_fsr & 0x40f) != FS_PERM_SECT || abort_far != VA_XN)
        return 42;
    if (abort_lr != VA_XN + 4)
        return 43;  /* prefetch abort: LR = address + 4 */
    return 0;
}

static int tlb_maintenance(void)
{
    if (probe_read(VA_ALIAS) != 0xaaaa0000u)
        return 50;
    map_section(l1, VA_ALIAS, PA_B | SECT_RW);
    dsb_isb();
    tlbimva(VA_ALIAS);
    if (probe_read(VA_ALIAS) != 0xbbbb0000u)
        return 51;
    map_section(l1, VA_ALIAS, PA_A | SECT_RW);
    dsb_isb();
    tlbiall();
    if (probe_read(VA_ALIAS) != 0xaaaa0000u)
        return 52;
    return 0;
}

static int asids(void)
{
    /* A second address space: the same globals, VA_ASID -> B (nG). */
    for (unsigned i = 0; i < 4096; i++)
        l1_other[i] = l1[i];
    map_section(l1_other, VA_ASID, PA_B | SECT_RW | NG);
    dsb_isb();
    if (probe_read(VA_ASID) != 0xaaaa0000u)
        return 60;
    /* Switch: CONTEXTIDR first, then TTBR0 (B3.10.4's sequence with a
     * reserved ASID is not needed: no other code runs in between). */
    contextidr_set(2);
    ttbr0_set((uint32_t)l1_other);
    if (probe_read(VA_ASID) != 0xbbbb0000u)
        return 61;
    if (probe_read(VA_ALIAS) != 0xaaaa0000u)
        return 62;  /* global mappings shared */
    contextidr_set(1);
    ttbr0_set((uint32_t)l1);
    if (probe_read(VA_ASID) != 0xaaaa0000u)
        return 63;  /* back without any TLB maintenance */
    return 0;
}

static int ttbcr_split(void)
{
    /* TTBCR.N = 1: VAs from 0x80000000 translate through TTBR1. */
    for (unsigned i = 0; i < 4096; i++)
        l1_high[i] = 0;
    map_section(l1_high, VA_ALIAS, PA_B | SECT_RW);
    dsb_isb();
    ttbr1_set((uint32_t)l1_high);
    ttbcr_set(1);
    tlbiall();
    int r = 0;
    if (probe_read(VA_ALIAS) != 0xbbbb0000u)
        r = 70;
    else if (probe_read(VA_PAGES) != 0xbad0bad0u)
        r = 71;     /* not in TTBR1's table: translation fault */
    else if (probe_read((uint32_t)&l1[0x400]) != ((0x400u << 20) | SECT_RW))
        r = 72;     /* low addresses still through TTBR0 */
    ttbcr_set(0);
    tlbiall();
    if (!r && probe_read(VA_ALIAS) != 0xaaaa0000u)
        r = 73;
    return r;
}

static int va_to_pa(void)
{
    uint32_t par = ats1cpr(VA_PAGES + 0x1234u);
    if (par & 1u)
        return 80;
    if ((par & 0xfffff000u) != PA_PAGES)
        return 81;
    par = ats1cpr(VA_NONE);
    if (!(par & 1u))
        return 82;
    if (((par >> 1) & 0x1f) != FS_TRANS_SECT)
        return 83;   /* PAR.FS, B4.1.112 */
    return 0;
}

static int alignment(void)
{
    phys(PA_A)[8] = 0x44332211u;
    phys(PA_A)[9] = 0x88776655u;
    /* SCTLR.A = 0: unaligned LDR works (A3.2.1). */
    if (probe_read(VA_ALIAS + 0x21) != 0x55443322u)
        return 90;
    sctlr_set(sctlr_get() | SCTLR_A);
    uint32_t n = abort_count;
    (void)probe_read(VA_ALIAS + 0x21);
    int r = expect_abort(n, FS_ALIGN, VA_ALIAS + 0x21, 91);
    sctlr_set(sctlr_get() & ~SCTLR_A);
    if (r)
        return r;
    /* Unaligned across a section boundary into a different mapping. */
    phys(PA_A + 0xffffcu)[0] = 0xddccbbaau;
    map_section(l1, VA_ALIAS + 0x100000u, PA_B | SECT_RW);   /* == VA_PAGES: a section now */
    dsb_isb();
    tlbimva(VA_PAGES);
    phys(PA_B)[0] = 0xbbbb0000u;
    uint32_t v = probe_read(VA_ALIAS + 0xffffeu);
    map_section(l1, VA_PAGES, (uint32_t)l2 | 0x1u);
    dsb_isb();
    tlbimva(VA_PAGES);
    if (v != 0x0000ddccu)
        return 93;
    return 0;
}

static volatile uint32_t user_result;

static void user_code(void)
{
    user_result = probe_read(VA_ALIAS);       /* user-accessible */
    user_result ^= probe_read(VA_PRIV);       /* PL1-only: permission fault */
    __asm__ volatile("svc #1");
}

static int user_mode(void)
{
    uint32_t n = abort_count;
    run_user(user_code);
    if (abort_count != n + 1)
        return 100;
    if ((abort_fsr & 0x40f) != FS_PERM_SECT || abort_far != VA_PRIV)
        return 101;
    if (user_result != (0xaaaa0000u ^ 0xbad0bad0u))
        return 102;
    uint32_t cpsr;
    __asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
    if ((cpsr & 0x1f) != 0x13)
        return 103;  /* back in SVC mode */
    return 0;
}

static int undefined(void)
{
    uint32_t n = und_count;
    uint32_t at = undefined_here();
    if (und_count != n + 1)
        return 110;
    if (und_lr != at + 4)
        return 111;  /* UND: LR = address + 4 in ARM state (B1.8.3) */
    return 0;
}

const struct test_group test_groups[] = {
    { "MMU on, identity map", mmu_on },
    { "sections, small pages, aliases", mappings },
    { "translation, permission, domain and access-flag faults", faults },
    { "execute-never prefetch abort", execute_never },
    { "TLB maintenance by MVA and all", tlb_maintenance },
    { "ASIDs and global mappings", asids },
    { "TTBCR.N split with TTBR1", ttbcr_split },
    { "VA to PA (ATS1CPR, PAR)", va_to_pa },
    { "alignment and unaligned access", alignment },
    { "user mode, permission fault, SVC back", user_mode },
    { "undefined instruction", undefined },
    { 0, 0 },
};
const char test_program_name[] = "v7_mmu";
