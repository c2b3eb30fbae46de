/* orrery-unicorn-errata: minimal reproductions of the cases where Unicorn
 * 2.0.1 (QEMU 5's ARM translator) contradicts the ARM ARM v7-A/R (DDI 0406C)
 * on a Cortex-A15, which the differential tester therefore does not
 * generate (docs/testing.md, "Unicorn errata"). Each case runs one
 * instruction on Unicorn from a fixed state and prints what Unicorn did and
 * what the architecture requires. Exit status 0 when every erratum still
 * reproduces, 1 when one no longer does (then its exclusion can go). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <unicorn/unicorn.h>

#define CODE 0x10000u
#define DATA 0x100000u

struct erratum {
    const char *id;
    const char *insn;         /* the instruction, as assembly */
    uint32_t enc;             /* A32 encoding */
    uint32_t r[4];            /* r0-r3 before */
    uint32_t cpsr;            /* CPSR before (0: Unicorn's reset value) */
    const char *arm_arm;      /* what the architecture requires */
    bool (*reproduced)(uc_err e, int intno, const uint32_t *r, uint32_t cpsr);
};

static int g_intno;

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
    g_intno = (int)intno;
    uc_emu_stop(uc);
}

/* Completed without an exception: the alignment fault is missing. */
static bool completed(uc_err e, int intno, const uint32_t *r, uint32_t cpsr)
{
    return e == UC_ERR_OK && intno < 0;
}

/* STREX wrote its status (1 = failed) instead of faulting. */
static bool strex_no_fault(uc_err e, int intno, const uint32_t *r, uint32_t cpsr)
{
    return e == UC_ERR_OK && intno < 0 && r[0] == 1;
}

/* Q set although the final sum fits in 32 bits. */
static bool q_set(uc_err e, int intno, const uint32_t *r, uint32_t cpsr)
{
    return e == UC_ERR_OK && r[0] == 0x7fffffffu && (cpsr & 0x08000000u);
}

/* CPSR.E still 0 after MSR CPSR_x in User mode. */
static bool e_unchanged(uc_err e, int intno, const uint32_t *r, uint32_t cpsr)
{
    return e == UC_ERR_OK && !(cpsr & 0x200u);
}

static const struct erratum errata[] = {
    { "E1", "ldm r1, {r2, r3}  (r1 = 0x100002)", 0xe891000cu, { 0, DATA + 2, 0, 0 }, 0,
      "A3.2.1, table 'Alignment requirements of load/store instructions': every form of "
      "LDM/STM/LDRD/STRD needs a word-aligned address and takes an Alignment fault "
      "otherwise, whatever SCTLR.A says",
      completed },
    { "E1", "ldrd r2, r3, [r1]  (r1 = 0x100002)", 0xe1c120d0u, { 0, DATA + 2, 0, 0 }, 0,
      "as above (LDRD)", completed },
    { "E1", "stm r1, {r2, r3}  (r1 = 0x100001)", 0xe881000cu, { 0, DATA + 1, 0, 0 }, 0,
      "as above (STM)", completed },
    { "E2", "swp r0, r2, [r1]", 0xe1010092u, { 0, DATA, 5, 0 }, 0,
      "A8.8.229, B4.1.130: with the Multiprocessing Extensions (Cortex-A15/A7) SWP and "
      "SWPB are UNDEFINED while SCTLR.SW is 0, its reset value",
      completed },
    { "E3", "strex r0, r2, [r1]  (r1 = 0x100002, monitor open)", 0xe1810f92u,
      { 7, DATA + 2, 5, 0 }, 0,
      "A8.8.212 (STREX) and the ExclusiveMonitorsPass() pseudocode: an unaligned "
      "address takes an Alignment fault before the monitor is checked, whatever its state",
      strex_no_fault },
    { "E4", "smlad r0, r1, r2, r3  (r1 = r2 = 0x80008000, r3 = -1)", 0xe7003211u,
      { 0, 0x80008000u, 0x80008000u, 0xffffffffu }, 0x1d3,
      "A8.8.177: result = product1 + product2 + Ra computed exactly, Q set only if the "
      "final result does not fit in 32 bits (here 0x7fffffff: Q stays 0)",
      q_set },
    { "E5", "msr cpsr_x, r0  (User mode, r0 = 0x200)", 0xe122f000u, { 0x200, 0, 0, 0 }, 0x1d0,
      "B9.3.12 / CPSRWriteByInstr(): with mask bit 1 set the E bit (CPSR[9]) is written, "
      "in User mode too ('E bit is user-writable')",
      e_unchanged },
};

int main(void)
{
    int missing = 0;
    for (size_t k = 0; k < sizeof errata / sizeof errata[0]; k++) {
        const struct erratum *x = &errata[k];
        uc_engine *uc;
        uc_hook h;
        if (uc_open(UC_ARCH_ARM, UC_MODE_ARM, &uc) != UC_ERR_OK ||
            uc_ctl_set_cpu_model(uc, UC_CPU_ARM_CORTEX_A15) != UC_ERR_OK ||
            uc_mem_map(uc, CODE, 0x1000, UC_PROT_ALL) != UC_ERR_OK ||
            uc_mem_map(uc, DATA, 0x1000, UC_PROT_ALL) != UC_ERR_OK ||
            uc_hook_add(uc, &h, UC_HOOK_INTR, (void *)on_intr, NULL, 1, 0) != UC_ERR_OK) {
            fprintf(stderr, "orrery-unicorn-errata: unicorn setup failed\n");
            return 2;
        }
        uc_mem_write(uc, CODE, &x->enc, 4);
        if (x->cpsr) {
            uint32_t c = x->cpsr;
            uc_reg_write(uc, UC_ARM_REG_CPSR, &c);
        }
        static const int regs[4] = { UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3 };
        for (int i = 0; i < 4; i++)
            uc_reg_write(uc, regs[i], &x->r[i]);
        g_intno = -1;
        uc_err e = uc_emu_start(uc, CODE, CODE + 4, 0, 0);
        uint32_t r[4], cpsr;
        for (int i = 0; i < 4; i++)
            uc_reg_read(uc, regs[i], &r[i]);
        uc_reg_read(uc, UC_ARM_REG_CPSR, &cpsr);
        bool rep = x->reproduced(e, g_intno, r, cpsr);
        printf("%s %-52s\n   unicorn: %s, exception %d, r0=%08x r2=%08x r3=%08x cpsr=%08x -> %s\n",
               x->id, x->insn, uc_strerror(e), g_intno, r[0], r[2], r[3], cpsr,
               rep ? "reproduced" : "NOT reproduced");
        printf("   ARM ARM: %s\n", x->arm_arm);
        if (!rep)
            missing++;
        uc_close(uc);
    }
    return missing ? 1 : 0;
}
