/* The debugging side of the x86 cpu interface: the decoded view of an
 * instruction for the explain view (Capstone for the text, this core's
 * decoder for the fields) and the page-table walk as the debugger shows it
 * (SDM Vol. 3A 4.3). Nothing here is on the fast path. */
#include "isa-x86/x86_internal.h"

#include <stdio.h>

#include <capstone/capstone.h>

#include "machine/bus.h"

static const char *const seg_names[SEG_COUNT] = { "es", "cs", "ss", "ds", "fs", "gs" };
static const char *const reg32_names[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
static const char *const reg16_names[8] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };

/* The bytes at linear address va through the debugger's translation. */
static unsigned read_bytes(struct x86_cpu *c, uint32_t va, uint8_t *buf, unsigned max)
{
    unsigned n = 0;
    for (; n < max; n++) {
        uint32_t pa;
        uint64_t b;
        if (x86_translate_debug(c, va + n, false, false, &pa) ||
            bus_read(c->cpu.bus, pa, 1, &b) != BUS_OK)
            break;
        buf[n] = (uint8_t)b;
    }
    return n;
}

int x86_describe(struct cpu *cpu, uint64_t va, struct cpu_insn_info *info)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    memset(info, 0, sizeof *info);
    info->va = va;
    if (va > UINT32_MAX)
        return -1;
    uint8_t bytes[15];
    unsigned n = read_bytes(c, (uint32_t)va, bytes, sizeof bytes);
    if (n == 0) {
        snprintf(info->text, sizeof info->text, "(no memory at 0x%08x)", (unsigned)va);
        return -1;
    }
    struct x86_rec r;
    unsigned len = x86_decode(bytes, n, x86_code32(c), c->features, &r);
    if (len == 0) {
        snprintf(info->text, sizeof info->text, "(truncated instruction)");
        return -1;
    }
    info->len = len;
    memcpy(info->bytes, bytes, len);
    info->bytes_form = true;      /* up to 15 bytes: no number holds them */
    for (unsigned i = 0; i < len && i < 8; i++)
        info->encoding = info->encoding << 8 | bytes[i];
    char text[sizeof info->text];
    if (x86_disasm(cpu, va, text, sizeof text) < 0)
        snprintf(text, sizeof text, "(bad)");
    snprintf(info->text, sizeof info->text, "%s", text);
    info->call = r.fn == x86_exec_call_rel || r.fn == x86_exec_call_rm ||
                 r.fn == x86_exec_call_far || r.fn == x86_exec_call_far_rm;
    cpu_insn_add_field(info, "mode", "%s, %u-bit code",
              !x86_protected(c) ? "real" : x86_v86(c) ? "virtual-8086" : "protected",
              x86_code32(c) ? 32u : 16u);
    cpu_insn_add_field(info, "opcode", "%s%02x%s", (r.attr & X86_A_0F) ? "0f " : "", r.opc,
              r.fn == x86_exec_ud ? " (undefined: #UD)"
              : r.fn == x86_exec_too_long ? " (longer than 15 bytes: #GP)" : "");
    cpu_insn_add_field(info, "operand size", "%u bits", rec_osize(&r) * 8);
    cpu_insn_add_field(info, "address size", "%u bits", (r.attr & X86_A_A32) ? 32u : 16u);
    if (r.attr & (X86_A_LOCK | X86_A_REP | X86_A_REPNE))
        cpu_insn_add_field(info, "prefixes", "%s%s%s", (r.attr & X86_A_LOCK) ? "lock " : "",
                  (r.attr & X86_A_REP) ? "rep/repe" : "", (r.attr & X86_A_REPNE) ? "repne" : "");
    if (r.attr & X86_A_MEM) {
        const char *const *names = (r.attr & X86_A_A32) ? reg32_names : reg16_names;
        char ea[96];
        int used = snprintf(ea, sizeof ea, "%s:[", seg_names[r.seg]);
        if (r.base != X86_NOREG)
            used += snprintf(ea + used, sizeof ea - (size_t)used, "%s", names[r.base]);
        if (r.index != X86_NOREG)
            used += snprintf(ea + used, sizeof ea - (size_t)used, "%s%s*%u",
                             r.base != X86_NOREG ? "+" : "", names[r.index], 1u << r.scale);
        snprintf(ea + used, sizeof ea - (size_t)used, "%s0x%x] = %s:0x%x (linear 0x%08x)",
                 (r.base != X86_NOREG || r.index != X86_NOREG) ? "+" : "", r.disp,
                 seg_names[r.seg], x86_ea(c, &r), c->seg[r.seg].base + x86_ea(c, &r));
        cpu_insn_add_field(info, "memory operand", "%s", ea);
    }
    if (r.modrm || (r.attr & X86_A_MEM))
        cpu_insn_add_field(info, "modrm", "0x%02x: mod %u, reg %u, r/m %u", r.modrm, r.modrm >> 6,
                  rec_reg(&r), rec_rm(&r));
    if (r.imm)
        cpu_insn_add_field(info, "immediate", "0x%x", r.imm);
    return 0;
}

/* The page-table walk for the debugger, without side effects. */
int x86_walk(struct cpu *cpu, uint64_t va, enum cpu_access access, bool user,
             struct cpu_walk_event *out)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    memset(out, 0, sizeof *out);
    out->va = va;
    out->access = (uint8_t)access;
    out->user = user;
    if (va > UINT32_MAX) {
        out->fault = true;
        snprintf(out->result, sizeof out->result, "beyond the 32-bit linear address space");
        return -1;
    }
    uint32_t lin = (uint32_t)va;
    if (!(c->cr0 & CR0_PG)) {
        out->pa = lin & c->a20_mask;
        snprintf(out->result, sizeof out->result, "paging off (CR0.PG = 0): physical = linear%s",
                 c->a20m ? " (A20 masked)" : "");
        return 0;
    }
    uint32_t pde_addr = ((c->cr3 & ~0xfffu) | ((lin >> 20) & 0xffcu)) & c->a20_mask;
    uint64_t pde = 0, pte = 0;
    struct cpu_walk_level *l = &out->level[out->nlevels++];
    l->desc_addr = pde_addr;
    if (bus_read(cpu->bus, pde_addr, 4, &pde) != BUS_OK) {
        out->fault = true;
        snprintf(out->result, sizeof out->result, "page directory entry unreadable");
        return -1;
    }
    l->desc = pde;
    bool big = (pde & 0x80u) && (c->cr4 & CR4_PSE);
    snprintf(l->what, sizeof l->what, "PDE %u: %s%s%s%s%s%s", (lin >> 22),
             (pde & 1) ? "present" : "not present", big ? ", 4 MiB page" : "",
             (pde & 2) ? ", writable" : ", read-only", (pde & 4) ? ", user" : ", supervisor",
             (pde & 0x20) ? ", accessed" : "", (big && (pde & 0x40)) ? ", dirty" : "");
    uint32_t eff = (uint32_t)pde, leaf = (uint32_t)pde;
    if ((pde & 1) && !big) {
        uint32_t pte_addr = (((uint32_t)pde & ~0xfffu) | ((lin >> 10) & 0xffcu)) & c->a20_mask;
        l = &out->level[out->nlevels++];
        l->desc_addr = pte_addr;
        if (bus_read(cpu->bus, pte_addr, 4, &pte) != BUS_OK) {
            out->fault = true;
            snprintf(out->result, sizeof out->result, "page table entry unreadable");
            return -1;
        }
        l->desc = pte;
        snprintf(l->what, sizeof l->what, "PTE %u: %s%s%s%s%s%s", (lin >> 12) & 0x3ffu,
                 (pte & 1) ? "present" : "not present", (pte & 2) ? ", writable" : ", read-only",
                 (pte & 4) ? ", user" : ", supervisor", (pte & 0x20) ? ", accessed" : "",
                 (pte & 0x40) ? ", dirty" : "", (pte & 0x100) ? ", global" : "");
        eff &= (uint32_t)pte;
        leaf = (uint32_t)pte;
    }
    bool write = access == CPU_ACCESS_WRITE;
    if (!(leaf & 1) || !(eff & 1)) {
        out->fault = true;
        snprintf(out->result, sizeof out->result, "#PF: not present (error code %u)",
                 (write ? 2u : 0) | (user ? 4u : 0));
        return -1;
    }
    if ((user && !(eff & 4)) || (write && !(eff & 2) && (user || (c->cr0 & CR0_WP)))) {
        out->fault = true;
        snprintf(out->result, sizeof out->result, "#PF: protection (error code %u)",
                 1u | (write ? 2u : 0) | (user ? 4u : 0));
        return -1;
    }
    out->pa = (big ? (leaf & 0xffc00000u) | (lin & 0x3fffffu) : (leaf & ~0xfffu) | (lin & 0xfffu)) &
              c->a20_mask;
    snprintf(out->result, sizeof out->result, "%s page at 0x%08x", big ? "4 MiB" : "4 KiB",
             big ? leaf & 0xffc00000u : leaf & ~0xfffu);
    return 0;
}

/* ---- the observed run ------------------------------------------------- */

void x86_observe_access(struct x86_cpu *c, uint32_t lin, unsigned size, bool write,
                        uint32_t value, bool fault)
{
    struct cpu_observer *o = c->cpu.observer;
    if (!o)
        return;
    if (c->cr0 & CR0_PG) {
        struct cpu_walk_event *w = cpu_obs_walk(o);
        if (w)
            (void)x86_walk(&c->cpu, lin, write ? CPU_ACCESS_WRITE : CPU_ACCESS_READ,
                           c->cpl == 3, w);
    }
    struct cpu_mem_event *e = cpu_obs_mem(o);
    if (!e)
        return;
    uint32_t pa = 0;
    bool pa_ok = x86_translate_debug(c, lin, write, c->cpl == 3, &pa) == 0;
    *e = (struct cpu_mem_event){ .va = lin, .pa = pa_ok ? pa : 0, .value = value,
                                 .size = (uint8_t)size,
                                 .kind = write ? CPU_MEM_WRITE : CPU_MEM_READ,
                                 .fault = fault || !pa_ok };
}

static const char *vector_name(unsigned v)
{
    static const char *const names[20] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "", "#TS", "#NP",
        "#SS", "#GP", "#PF", "", "#MF", "#AC", "#MC", "#XM",
    };
    return v < 20 && names[v][0] ? names[v] : NULL;
}

void x86_observe_exception(struct x86_cpu *c, unsigned vector, uint32_t return_eip,
                           uint32_t flags, unsigned from_cpl)
{
    struct cpu_observer *o = c->cpu.observer;
    struct cpu_exc_event *e = o ? cpu_obs_exc(o) : NULL;
    if (!e)
        return;
    const char *name = vector_name(vector);
    if (name)
        snprintf(e->name, sizeof e->name, "%s", name);
    else
        snprintf(e->name, sizeof e->name, "int %u", vector);
    e->vector = vector;
    e->return_addr = return_eip;
    e->saved_psr = flags;
    snprintf(e->from_mode, sizeof e->from_mode, "cpl%u", from_cpl);
    snprintf(e->to_mode, sizeof e->to_mode, "cpl%u", c->cpl);
}
