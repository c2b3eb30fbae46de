/* The debugging side of the ARM cpu interface: disassembly and the decoded
 * view of an instruction (Capstone), the flags in words, the table walk as
 * the debugger shows it, the observed run that reports every access, walk
 * and exception of the instructions it executes, and GDB's view of the
 * registers. Nothing here is on the fast path. */
#include "isa-arm/arm_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include <capstone/capstone.h>

#include "machine/bus.h"

const char *arm_mode_name(uint32_t mode)
{
    switch (mode & PSR_MODE) {
    case MODE_USR: return "usr";
    case MODE_FIQ: return "fiq";
    case MODE_IRQ: return "irq";
    case MODE_SVC: return "svc";
    case MODE_ABT: return "abt";
    case MODE_UND: return "und";
    case MODE_SYS: return "sys";
    default: return "???";
    }
}

/* ---- Capstone ----------------------------------------------------------- */

/* Detail (operands) costs time: plain disassembly goes without it. */
static csh capstone(struct arm_cpu *c, bool thumb, bool detail)
{
    size_t *h = &c->cs_handle[thumb * 2 + detail];
    if (*h == 0) {
        csh handle;
        if (cs_open(CS_ARCH_ARM, thumb ? CS_MODE_THUMB : CS_MODE_ARM, &handle) != CS_ERR_OK)
            return 0;
        if (detail)
            cs_option(handle, CS_OPT_DETAIL, CS_OPT_ON);
        *h = handle;
    }
    return *h;
}

void arm_explain_destroy(struct arm_cpu *c)
{
    for (unsigned i = 0; i < 4; i++)
        if (c->cs_handle[i]) {
            csh h = c->cs_handle[i];
            cs_close(&h);
            c->cs_handle[i] = 0;
        }
    free(c->obs_tlb);
    c->obs_tlb = NULL;
}

/* Reads the bytes of the instruction at va (current state) through the
 * debugger's translation; returns how many (0: unreadable). */
static unsigned fetch_bytes(struct arm_cpu *c, uint32_t va, uint8_t bytes[4])
{
    bool thumb = arm_thumb(c);
    unsigned want = thumb ? 2 : 4;
    for (unsigned i = 0; i < 4; i += 2) {
        if (i >= want)
            break;
        struct arm_mmu_result res;
        if (arm_mmu_translate(c, va + i, TLB_EXEC, !arm_privileged(c), true, &res))
            return i;
        bool rom;
        const uint8_t *h = bus_host_ptr(c->cpu.bus, res.pa, 2, &rom);
        if (!h)
            return i;
        memcpy(bytes + i, h, 2);
        if (thumb && i == 0 && thumb_is_32bit(c->arch, (uint32_t)(bytes[0] | bytes[1] << 8)))
            want = 4;
    }
    return want;
}

static const char *const cond_names[16] = {
    "EQ (Z set)", "NE (Z clear)", "CS/HS (C set)", "CC/LO (C clear)", "MI (N set)",
    "PL (N clear)", "VS (V set)", "VC (V clear)", "HI (C set and Z clear)",
    "LS (C clear or Z set)", "GE (N == V)", "LT (N != V)", "GT (Z clear and N == V)",
    "LE (Z set or N != V)", "AL (always)", "unconditional",
};

static const char *shift_name(arm_shifter t)
{
    switch (t) {
    case ARM_SFT_ASR: case ARM_SFT_ASR_REG: return "ASR";
    case ARM_SFT_LSL: case ARM_SFT_LSL_REG: return "LSL";
    case ARM_SFT_LSR: case ARM_SFT_LSR_REG: return "LSR";
    case ARM_SFT_ROR: case ARM_SFT_ROR_REG: return "ROR";
    case ARM_SFT_RRX: case ARM_SFT_RRX_REG: return "RRX";
    default: return "";
    }
}

/* One operand in assembler form (registers by Capstone's names). */
static void operand_text(csh h, const cs_arm_op *op, char *buf, size_t len)
{
    switch (op->type) {
    case ARM_OP_REG: {
        const char *r = cs_reg_name(h, op->reg);
        if (op->shift.type >= ARM_SFT_ASR_REG && op->shift.type <= ARM_SFT_RRX_REG)
            snprintf(buf, len, "%s, %s %s", r, shift_name(op->shift.type),
                     cs_reg_name(h, (unsigned)op->shift.value));
        else if (op->shift.type == ARM_SFT_RRX)
            snprintf(buf, len, "%s, RRX", r);
        else if (op->shift.type != ARM_SFT_INVALID)
            snprintf(buf, len, "%s, %s #%u", r, shift_name(op->shift.type), op->shift.value);
        else
            snprintf(buf, len, "%s", r);
        break;
    }
    case ARM_OP_IMM:
    case ARM_OP_PIMM:
    case ARM_OP_CIMM:
        snprintf(buf, len, "#0x%x", (unsigned)op->imm);
        break;
    case ARM_OP_MEM: {
        char idx[40] = "";
        if (op->mem.index != ARM_REG_INVALID)
            snprintf(idx, sizeof idx, ", %s%s", op->subtracted ? "-" : "",
                     cs_reg_name(h, op->mem.index));
        if (op->mem.index != ARM_REG_INVALID && op->shift.type != ARM_SFT_INVALID)
            snprintf(idx + strlen(idx), sizeof idx - strlen(idx), " %s #%u",
                     shift_name(op->shift.type), op->shift.value);
        if (op->mem.disp)
            snprintf(idx + strlen(idx), sizeof idx - strlen(idx), ", #%d", op->mem.disp);
        snprintf(buf, len, "[%s%s]", cs_reg_name(h, op->mem.base), idx);
        break;
    }
    default:
        snprintf(buf, len, "?");
        break;
    }
}

int arm_describe(struct cpu *cpu, uint64_t va, struct cpu_insn_info *info)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    memset(info, 0, sizeof *info);
    info->va = va;
    if (va > UINT32_MAX)
        return -1;
    bool thumb = arm_thumb(c);
    uint8_t bytes[4];
    unsigned n = fetch_bytes(c, (uint32_t)va, bytes);
    if (n == 0) {
        snprintf(info->text, sizeof info->text, "(no memory at 0x%08x)", (unsigned)va);
        return -1;
    }
    info->len = n;
    memcpy(info->bytes, bytes, n);
    uint32_t insn = thumb ? (uint32_t)(bytes[0] | bytes[1] << 8)
                          : (uint32_t)(bytes[0] | bytes[1] << 8 | bytes[2] << 16 |
                                       (uint32_t)bytes[3] << 24);
    if (thumb && n == 4)
        insn = insn << 16 | (uint32_t)(bytes[2] | bytes[3] << 8);
    info->encoding = insn;
    csh h = capstone(c, thumb, true);
    cs_insn *ci = NULL;
    size_t got = h ? cs_disasm(h, bytes, n, va, 1, &ci) : 0;
    if (got != 1) {
        snprintf(info->text, sizeof info->text, thumb && n == 2 ? ".short 0x%04x" : ".word 0x%08x",
                 insn);
        cpu_insn_add_field(info, "state", "%s", thumb ? "Thumb" : "ARM");
        cpu_insn_add_field(info, "encoding", n == 2 ? "0x%04x" : "0x%08x", insn);
        cpu_insn_add_field(info, "opcode", "%s", "not decodable by the disassembler");
        return 0;
    }
    const cs_arm *d = &ci->detail->arm;
    unsigned it = arm_itstate(c->cpsr);
    bool sets_flags = d->update_flags;
    char mnemonic[32];
    snprintf(mnemonic, sizeof mnemonic, "%s", ci->mnemonic);
    if (thumb && it && n == 2 && ci->id != ARM_INS_IT) {
        /* Capstone decodes one instruction without its IT block, where a
         * 16-bit data-processing instruction does not set the flags (v7
         * A8.6: "...S" only outside IT blocks) and the condition is the
         * block's. */
        size_t ml = strlen(mnemonic);
        if (sets_flags && ml > 1 && mnemonic[ml - 1] == 's')
            mnemonic[ml - 1] = '\0';
        sets_flags = false;
        static const char *const suffix[15] = { "eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc",
                                                "hi", "ls", "ge", "lt", "gt", "le", "" };
        size_t room = sizeof mnemonic - strlen(mnemonic);
        if ((it >> 4) < 15)
            snprintf(mnemonic + strlen(mnemonic), room, "%s", suffix[it >> 4]);
    }
    snprintf(info->text, sizeof info->text, "%s%s%s", mnemonic, ci->op_str[0] ? " " : "",
             ci->op_str);
    cpu_insn_add_field(info, "state", "%s", !thumb ? "ARM (A32)" : n == 4 ? "Thumb (32-bit T32)"
                                                                 : "Thumb (16-bit)");
    cpu_insn_add_field(info, "encoding", n == 2 ? "0x%04x" : "0x%08x", insn);
    info->call = ci->id == ARM_INS_BL || ci->id == ARM_INS_BLX;
    if (thumb && it) {
        /* ITSTATE (v7 A2.5.2): the condition in IT[7:4]; the mask's lowest
         * set bit marks how many instructions remain in the block. */
        unsigned cond = it >> 4, left = 0;
        for (unsigned m = it & 0xfu; m && !(m & 1u); m >>= 1)
            left++;
        left = 4 - left;
        cpu_insn_add_field(info, "IT state", "0x%02x: %s, %u instruction%s left in the block, %s", it,
                  cond_names[cond], left, left == 1 ? "" : "s",
                  arm_cond_passed(c->cpsr, cond) ? "passes" : "fails");
    } else if (!thumb && (insn >> 28) == 15) {
        cpu_insn_add_field(info, "condition", "%s", cond_names[15]);
    } else {
        unsigned cond = !thumb ? insn >> 28 : d->cc == ARM_CC_INVALID ? 14u : (unsigned)d->cc - 1u;
        if (cond > 14)
            cond = 14;
        cpu_insn_add_field(info, "condition", "%s, %s", cond_names[cond],
                  arm_cond_passed(c->cpsr, cond) ? "passes" : "fails");
    }
    char opcode[32];
    snprintf(opcode, sizeof opcode, "%s", cs_insn_name(h, ci->id));
    for (char *p = opcode; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    cpu_insn_add_field(info, "opcode", "%s%s", opcode, sets_flags ? " (sets flags)" : "");
    const char *multiple = NULL;
    switch (ci->id) {
    case ARM_INS_LDM: case ARM_INS_STM: multiple = "increment after (IA)"; break;
    case ARM_INS_LDMIB: case ARM_INS_STMIB: multiple = "increment before (IB)"; break;
    case ARM_INS_LDMDA: case ARM_INS_STMDA: multiple = "decrement after (DA)"; break;
    case ARM_INS_LDMDB: case ARM_INS_STMDB: multiple = "decrement before (DB)"; break;
    case ARM_INS_PUSH: multiple = "decrement before (DB), base sp"; break;
    case ARM_INS_POP: multiple = "increment after (IA), base sp"; break;
    default: break;
    }
    if (multiple) {
        /* LDM/STM (A8.8.58 ff.): the base, then the register list. */
        bool stack = ci->id == ARM_INS_PUSH || ci->id == ARM_INS_POP;
        char list[64] = "";
        size_t used = 0;
        for (unsigned i = stack ? 0 : 1; i < d->op_count && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "",
                                     cs_reg_name(h, d->operands[i].reg));
        if (!stack && d->op_count > 0)
            cpu_insn_add_field(info, "base", "%s", cs_reg_name(h, d->operands[0].reg));
        cpu_insn_add_field(info, "registers", "{%s}", list);
        cpu_insn_add_field(info, "addressing", "multiple registers, %s%s", multiple,
                  d->writeback || stack ? ", base written back" : "");
        cs_free(ci, got);
        return 0;
    }
    bool has_mem = false;
    int mem_index = -1;
    for (unsigned i = 0; i < d->op_count && i < 8; i++) {
        char text[64], name[16];
        operand_text(h, &d->operands[i], text, sizeof text);
        snprintf(name, sizeof name, "operand %u", i + 1);
        if (d->operands[i].type == ARM_OP_MEM) {
            has_mem = true;
            mem_index = (int)i;
        }
        if (d->operands[i].type == ARM_OP_REG && d->operands[i].shift.type != ARM_SFT_INVALID)
            snprintf(name, sizeof name, "shifter op %u", i + 1);
        cpu_insn_add_field(info, name, "%s", text);
    }
    if (has_mem) {
        bool post = mem_index + 1 < (int)d->op_count;
        cpu_insn_add_field(info, "addressing", "%s", post ? "post-indexed (base updated after the access)"
                                          : d->writeback ? "pre-indexed with writeback"
                                          : "offset (base unchanged)");
    } else if (d->writeback) {
        cpu_insn_add_field(info, "addressing", "%s", "multiple registers, base written back");
    }
    if (d->usermode)
        cpu_insn_add_field(info, "user bank", "%s", "yes (^): user-mode registers or SPSR restore");
    cs_free(ci, got);
    return 0;
}

int arm_disasm(struct cpu *cpu, uint64_t va, char *buf, size_t buflen)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    if (buflen == 0 || va > UINT32_MAX)
        return -1;
    bool thumb = arm_thumb(c);
    if (thumb && arm_itstate(c->cpsr)) {
        /* Inside an IT block the text depends on the block (arm_describe). */
        struct cpu_insn_info info;
        arm_describe(cpu, va, &info);
        if (info.len == 0)
            return -1;
        snprintf(buf, buflen, "%s", info.text);
        return (int)info.len;
    }
    uint8_t bytes[4];
    unsigned n = fetch_bytes(c, (uint32_t)va, bytes);
    if (n == 0)
        return -1;
    csh h = capstone(c, thumb, false);
    cs_insn *ci = NULL;
    if (h && cs_disasm(h, bytes, n, va, 1, &ci) == 1) {
        snprintf(buf, buflen, "%s%s%s", ci->mnemonic, ci->op_str[0] ? " " : "", ci->op_str);
        cs_free(ci, 1);
    } else if (n == 2) {
        snprintf(buf, buflen, ".short 0x%04x", (unsigned)(bytes[0] | bytes[1] << 8));
    } else {
        snprintf(buf, buflen, ".word 0x%08x", (unsigned)(bytes[0] | bytes[1] << 8 |
                                                          bytes[2] << 16 |
                                                          (uint32_t)bytes[3] << 24));
    }
    return (int)n;
}

uint32_t arm_decode_key(struct cpu *cpu)
{
    return arm_fetch_key(((struct arm_cpu *)cpu)->cpsr);
}

void arm_describe_flags(struct cpu *cpu, uint64_t value, char *buf, size_t len)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    uint32_t v = (uint32_t)value;
    int n = snprintf(buf, len, "N=%u Z=%u C=%u V=%u Q=%u", v >> 31, (v >> 30) & 1u,
                     (v >> 29) & 1u, (v >> 28) & 1u, (v >> 27) & 1u);
    if (c->arch >= ARM_V6 && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, " GE=%u%u%u%u", (v >> 19) & 1u, (v >> 18) & 1u,
                      (v >> 17) & 1u, (v >> 16) & 1u);
    if (c->arch >= ARM_V7 && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, " IT=0x%02x", arm_itstate(v));
    if (c->arch >= ARM_V6 && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, " E=%u A=%u", (v >> 9) & 1u, (v >> 8) & 1u);
    if (n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, " I=%u F=%u T=%u mode=%s", (v >> 7) & 1u,
                 (v >> 6) & 1u, (v >> 5) & 1u, arm_mode_name(v));
}

/* ---- the table walk in words (ARM ARM v7 B3.5) --------------------------- */

static const char *ap_text(const struct arm_cpu *c, unsigned ap)
{
    static const char *const full[8] = {
        "no access", "PL1 RW, PL0 none", "PL1 RW, PL0 RO", "RW at PL1 and PL0",
        "reserved", "PL1 RO, PL0 none", "RO at PL1 and PL0", "RO at PL1 and PL0",
    };
    static const char *const simple[4] = {
        "PL1 RW, PL0 none", "RW at PL1 and PL0", "PL1 RO, PL0 none", "RO at PL1 and PL0",
    };
    return (c->sctlr & SCTLR_AFE) ? simple[(ap >> 1) & 3u] : full[ap & 7u];
}

static const char *domain_text(const struct arm_cpu *c, unsigned domain)
{
    static const char *const kinds[4] = { "no access", "client", "reserved", "manager" };
    return kinds[(c->cp15.dacr >> (2 * domain)) & 3u];
}

static void describe_l1(const struct arm_cpu *c, uint32_t d, char *buf, size_t len)
{
    switch (d & 3u) {
    case 0:
        snprintf(buf, len, "invalid (bits 1:0 = 00)");
        return;
    case 1:
        snprintf(buf, len, "page table at 0x%08x, domain %u (%s)", d & 0xfffffc00u,
                 (d >> 5) & 15u, domain_text(c, (d >> 5) & 15u));
        return;
    default: {
        unsigned ap = ((d >> 13) & 4u) | ((d >> 10) & 3u);
        bool super = d & (1u << 18);
        unsigned dom = super ? 0 : (d >> 5) & 15u;
        snprintf(buf, len, "%s at 0x%08x, domain %u (%s), AP=%u%u%u (%s), XN=%u, TEX=%u C=%u B=%u, "
                 "S=%u, nG=%u", super ? "16 MiB supersection" : "1 MiB section",
                 super ? d & 0xff000000u : d & 0xfff00000u, dom, domain_text(c, dom),
                 (ap >> 2) & 1u, (ap >> 1) & 1u, ap & 1u, ap_text(c, ap), (d >> 4) & 1u,
                 (d >> 12) & 7u, (d >> 3) & 1u, (d >> 2) & 1u, (d >> 16) & 1u, (d >> 17) & 1u);
        return;
    }
    }
}

static void describe_l2(const struct arm_cpu *c, uint32_t d, char *buf, size_t len)
{
    if ((d & 3u) == 0) {
        snprintf(buf, len, "invalid (bits 1:0 = 00)");
        return;
    }
    unsigned ap = ((d >> 7) & 4u) | ((d >> 4) & 3u);
    bool large = (d & 3u) == 1;
    snprintf(buf, len, "%s at 0x%08x, AP=%u%u%u (%s), XN=%u, TEX=%u C=%u B=%u, S=%u, nG=%u",
             large ? "64 KiB large page" : "4 KiB small page",
             large ? d & 0xffff0000u : d & 0xfffff000u, (ap >> 2) & 1u, (ap >> 1) & 1u, ap & 1u,
             ap_text(c, ap), large ? (d >> 15) & 1u : d & 1u,
             large ? (d >> 12) & 7u : (d >> 6) & 7u, (d >> 3) & 1u, (d >> 2) & 1u,
             (d >> 10) & 1u, (d >> 11) & 1u);
}

static const char *fault_text(uint32_t fsr)
{
    switch ((fsr & 0xfu) | ((fsr >> 6) & 0x10u)) {
    case FS_ALIGNMENT: return "alignment fault";
    case FS_ACCESS_FLAG_SECTION: return "access flag fault (section)";
    case FS_ACCESS_FLAG_PAGE: return "access flag fault (page)";
    case FS_TRANSLATION_SECTION: return "translation fault (section)";
    case FS_TRANSLATION_PAGE: return "translation fault (page)";
    case FS_DOMAIN_SECTION: return "domain fault (section)";
    case FS_DOMAIN_PAGE: return "domain fault (page)";
    case FS_PERMISSION_SECTION: return "permission fault (section)";
    case FS_PERMISSION_PAGE: return "permission fault (page)";
    case FS_WALK_EXTERNAL_L1: return "external abort on the walk (level 1)";
    case FS_WALK_EXTERNAL_L2: return "external abort on the walk (level 2)";
    default: return "fault";
    }
}

static void fill_walk(const struct arm_cpu *c, uint32_t va, enum tlb_kind kind, bool user,
                      const struct arm_mmu_result *res, bool ok, struct cpu_walk_event *w)
{
    memset(w, 0, sizeof *w);
    w->va = va;
    w->access = kind == TLB_WRITE ? CPU_ACCESS_WRITE : kind == TLB_EXEC ? CPU_ACCESS_EXEC
                                                                          : CPU_ACCESS_READ;
    w->user = user;
    w->fault = !ok;
    w->nlevels = res->nlevels;
    for (unsigned i = 0; i < res->nlevels && i < 2; i++) {
        w->level[i].desc_addr = res->desc_addr[i];
        w->level[i].desc = res->desc[i];
        if (i == 0)
            describe_l1(c, res->desc[0], w->level[0].what, sizeof w->level[0].what);
        else
            describe_l2(c, res->desc[1], w->level[1].what, sizeof w->level[1].what);
    }
    if (!ok) {
        snprintf(w->result, sizeof w->result, "%s, FSR=0x%03x", fault_text(res->fsr),
                 res->fsr & 0xfffu);
        return;
    }
    w->pa = res->pa;
    if (res->nlevels == 0)
        snprintf(w->result, sizeof w->result, "MMU off: flat mapping to 0x%08x", res->pa);
    else
        snprintf(w->result, sizeof w->result, "0x%08x -> 0x%08x (%u KiB mapping, %s)", va,
                 res->pa, res->block >> 10, (res->tlb_attrs & ARM_TLB_NG) ? "non-global" : "global");
}

int arm_walk(struct cpu *cpu, uint64_t va, enum cpu_access access, bool user,
                    struct cpu_walk_event *out)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    if (va > UINT32_MAX) {
        memset(out, 0, sizeof *out);
        out->fault = true;
        snprintf(out->result, sizeof out->result, "beyond the 32-bit address space");
        return -1;
    }
    enum tlb_kind kind = access == CPU_ACCESS_WRITE ? TLB_WRITE
                       : access == CPU_ACCESS_EXEC ? TLB_EXEC : TLB_READ;
    struct arm_mmu_result res;
    bool ok = arm_mmu_translate(c, (uint32_t)va, kind, user, true, &res) == 0;
    fill_walk(c, (uint32_t)va, kind, user, &res, ok, out);
    return ok ? 0 : -1;
}

/* ---- the observed run ---------------------------------------------------- */

struct arm_observation arm_observe_begin(struct arm_cpu *c)
{
    struct arm_observation o = { .on = false };
    if (!c->obs_tlb)
        c->obs_tlb = malloc(sizeof *c->obs_tlb);
    if (!c->obs_tlb)
        return o;       /* host out of memory: run without the access reports */
    /* The soft TLB is set aside (obs_tlb), so the walk of a page it holds
     * is not reported: the explain view shows the walks a TLB miss makes.
     * Unless TLB maintenance happens meanwhile, the set-aside TLB, with the
     * observed run's own fills, is put back by arm_observe_end. */
    memcpy(c->obs_tlb, &c->tlb, sizeof c->tlb);
    o.on = true;
    o.max_block = c->tlb_max_block;
    tlb_flush_all(&c->tlb);
    c->fast_valid = false;
    o.epoch = c->tlb_epoch;
    c->observing = true;
    return o;
}

void arm_observe_end(struct arm_cpu *c, const struct arm_observation *o)
{
    if (!o->on)
        return;
    c->observing = false;
    if (c->tlb_epoch == o->epoch) {
        memcpy(&c->tlb, c->obs_tlb, sizeof c->tlb);
        c->tlb_max_block = o->max_block;
    } else {
        arm_tlb_flush(c);
    }
    c->fast_valid = false;
}

void arm_observe_access(struct arm_cpu *c, uint32_t va, uint64_t pa, bool pa_valid,
                        unsigned size, bool write, uint32_t value, bool fault)
{
    struct cpu_mem_event *e = c->cpu.observer ? cpu_obs_mem(c->cpu.observer) : NULL;
    if (!e)
        return;
    *e = (struct cpu_mem_event){ .va = va, .pa = pa_valid ? pa : UINT64_MAX,
                                 .value = fault && !write ? 0 : value, .size = (uint8_t)size,
                                 .kind = write ? CPU_MEM_WRITE : CPU_MEM_READ, .fault = fault };
}

void arm_observe_walk(struct arm_cpu *c, uint32_t va, enum tlb_kind kind, bool user,
                      const struct arm_mmu_result *res, bool ok)
{
    if (!c->cpu.observer || res->nlevels == 0)
        return;   /* MMU off: no walk */
    const struct tlb_entry *e = tlb_slot(c->obs_tlb, user ? 0 : 1, kind, va);
    if (ok && e->tag == (va & ~(uint64_t)GUEST_PAGE_MASK))
        return;   /* the TLB held it */
    struct cpu_walk_event *w = cpu_obs_walk(c->cpu.observer);
    if (w)
        fill_walk(c, va, kind, user, res, ok, w);
}

void arm_observe_exception(struct arm_cpu *c, const char *name, uint32_t vector,
                           uint32_t lr, uint32_t saved_psr, uint32_t from_mode)
{
    struct cpu_exc_event *e = cpu_obs_exc(c->cpu.observer);
    if (!e)
        return;
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->vector = vector;
    e->return_addr = lr;
    e->saved_psr = saved_psr;
    snprintf(e->from_mode, sizeof e->from_mode, "%s", arm_mode_name(from_mode));
    static const uint8_t modes[] = { MODE_SVC, MODE_UND, MODE_SVC, MODE_ABT, MODE_ABT, MODE_IRQ,
                                     MODE_FIQ };
    static const uint8_t vectors[] = { 0x00, 0x04, 0x08, 0x0c, 0x10, 0x18, 0x1c };
    const char *to = "?";
    for (unsigned i = 0; i < sizeof vectors; i++)
        if ((vector & 0x1fu) == vectors[i])
            to = arm_mode_name(modes[i]);
    snprintf(e->to_mode, sizeof e->to_mode, "%s", to);
}

/* ---- the rest of the debugger's interface ---------------------------------- */

unsigned arm_privilege(struct cpu *cpu)
{
    return arm_privileged((struct arm_cpu *)cpu) ? 1 : 0;
}

void arm_debug_update(struct cpu *cpu)
{
    arm_tlb_flush((struct arm_cpu *)cpu);
}

const struct soft_tlb *arm_soft_tlb(struct cpu *cpu)
{
    return &((struct arm_cpu *)cpu)->tlb;
}

/* GDB's "org.gnu.gdb.arm.core" feature: r0-r12, sp, lr, pc as registers 0-15
 * and cpsr as register 25 (the numbering GDB's ARM target uses). */
static const char arm_gdb_core[] =
    "<feature name=\"org.gnu.gdb.arm.core\">"
    "<reg name=\"r0\" bitsize=\"32\" regnum=\"0\"/><reg name=\"r1\" bitsize=\"32\"/>"
    "<reg name=\"r2\" bitsize=\"32\"/><reg name=\"r3\" bitsize=\"32\"/>"
    "<reg name=\"r4\" bitsize=\"32\"/><reg name=\"r5\" bitsize=\"32\"/>"
    "<reg name=\"r6\" bitsize=\"32\"/><reg name=\"r7\" bitsize=\"32\"/>"
    "<reg name=\"r8\" bitsize=\"32\"/><reg name=\"r9\" bitsize=\"32\"/>"
    "<reg name=\"r10\" bitsize=\"32\"/><reg name=\"r11\" bitsize=\"32\"/>"
    "<reg name=\"r12\" bitsize=\"32\"/>"
    "<reg name=\"sp\" bitsize=\"32\" type=\"data_ptr\"/>"
    "<reg name=\"lr\" bitsize=\"32\"/>"
    "<reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\"/>"
    "<reg name=\"cpsr\" bitsize=\"32\" regnum=\"25\"/>"
    "</feature>";

static const uint16_t arm_gdb_regnum[17] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                                             15, 25 };
static const uint16_t arm_gdb_index[17] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                                            15, 16 };

static const struct cpu_gdb_target arm_gdb = {
    .arch = "arm", .feature_xml = arm_gdb_core, .nregs = 17,
    .regnum = arm_gdb_regnum, .reg_index = arm_gdb_index,
};

const struct cpu_gdb_target *arm_gdb_target(struct cpu *cpu)
{
    (void)cpu;
    return &arm_gdb;
}
