/* String and I/O instructions (SDM Vol. 2: MOVS, CMPS, STOS, LODS, SCAS,
 * INS, OUTS with REP/REPE/REPNE; IN, OUT), and the I/O permission check
 * (SDM Vol. 3A... Vol. 1 19.5: IOPL and the TSS I/O permission bitmap). */
#include "isa-x86/x86_internal.h"

#include "cpu/clock.h"
#include "machine/bus.h"

/* Iterations of a REP string instruction done per execution: between
 * chunks EIP stays at the instruction, so interrupts and the run budget
 * are honoured and the instruction resumes where it stopped (SDM Vol. 2B
 * REP: "interruptible"). */
#define REP_CHUNK 1024u

/* SDM Vol. 1 19.5.2: with CPL > IOPL (or in virtual-8086 mode) every
 * byte of the access must be clear in the TSS's I/O permission bitmap. */
static int io_permitted(struct x86_cpu *c, uint32_t port, unsigned size)
{
    if (!x86_protected(c))
        return X86_OK;
    unsigned iopl = (c->eflags >> 12) & 3;
    if (!x86_v86(c) && c->cpl <= iopl)
        return X86_OK;
    const struct x86_seg *tr = &c->seg[SEG_TR];
    uint32_t base, bits;
    if (tr->limit < 0x67 || (tr->attr & 0xfu) == 1 || (tr->attr & 0xfu) == 3)
        return x86_gp0(c);
    if (x86_read_lin(c, tr->base + 0x66, 2, &base))
        return X86_FAULT;
    uint32_t at = base + port / 8;
    if (at + 1 > tr->limit)
        return x86_gp0(c);
    if (x86_read_lin(c, tr->base + at, 2, &bits))
        return X86_FAULT;
    if ((bits >> (port & 7)) & ((1u << size) - 1))
        return x86_gp0(c);
    return X86_OK;
}

/* An I/O-port access is a bus cycle of its own: on a PC's ISA bus about a
 * microsecond, which software times things by (Linux's port-0x80 delay,
 * the PIT's one-clock count load before the first read back). The data
 * moves at its end, so the stall comes first; the run then ends so that
 * its budget is recomputed from the later time. */
static void io_stall(struct x86_cpu *c)
{
    uint32_t ns = c->cpu.bus->io_access_ns;
    /* Realtime mode: the host's clock is the time; nothing to add. */
    if (ns && c->run_stall && c->cpu.clock && c->cpu.clock->mode == CLOCK_MODE_VIRTUAL) {
        *c->run_stall += ns;
        c->end_run = true;
    }
}

static uint32_t io_in(struct x86_cpu *c, uint32_t port, unsigned size)
{
    uint64_t v;
    io_stall(c);
    /* Nothing answering: the data bus floats high. */
    if (bus_io_read(c->cpu.bus, port, size, &v) != BUS_OK)
        return size_mask(size);
    return (uint32_t)v & size_mask(size);
}

static void io_out(struct x86_cpu *c, uint32_t port, unsigned size, uint32_t v)
{
    io_stall(c);
    (void)bus_io_write(c->cpu.bus, port, size, v & size_mask(size));
}

/* IN/OUT with an immediate port (E4-E7) or DX (EC-EF). */
int x86_exec_in_out(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    uint32_t port = r->opc >= 0xec ? c->gpr[EDX] & 0xffffu : r->imm & 0xffu;
    int rc = io_permitted(c, port, size);
    if (rc)
        return rc;
    if (r->opc & 2)
        io_out(c, port, size, get_reg(c, EAX, size));
    else
        set_reg(c, EAX, size, io_in(c, port, size));
    return X86_OK;
}

static inline uint32_t idx_get(const struct x86_cpu *c, unsigned n, bool a32)
{
    return a32 ? c->gpr[n] : c->gpr[n] & 0xffffu;
}

static inline void idx_step(struct x86_cpu *c, unsigned n, bool a32, int32_t delta)
{
    if (a32)
        c->gpr[n] += (uint32_t)delta;
    else
        c->gpr[n] = (c->gpr[n] & 0xffff0000u) | ((c->gpr[n] + (uint32_t)delta) & 0xffffu);
}

/* One iteration of the string instruction; X86_OK or a fault. *stop is
 * set by CMPS/SCAS when a REPE/REPNE condition ends the repetition. */
static int string_once(struct x86_cpu *c, const struct x86_rec *r, unsigned size, bool a32,
                       int32_t step)
{
    uint32_t si = idx_get(c, ESI, a32), di = idx_get(c, EDI, a32), a, b;
    int rc;
    switch (r->opc) {
    case 0x6c: case 0x6d:                                   /* INS */
        rc = io_permitted(c, c->gpr[EDX] & 0xffffu, size);
        if (!rc)
            rc = x86_check_seg(c, SEG_ES, di, size, true);
        if (rc)
            return rc;
        a = io_in(c, c->gpr[EDX] & 0xffffu, size);
        rc = x86_write(c, SEG_ES, di, size, a);
        if (!rc)
            idx_step(c, EDI, a32, step);
        return rc;
    case 0x6e: case 0x6f:                                   /* OUTS */
        rc = io_permitted(c, c->gpr[EDX] & 0xffffu, size);
        if (!rc)
            rc = x86_read(c, r->seg, si, size, &a);
        if (rc)
            return rc;
        io_out(c, c->gpr[EDX] & 0xffffu, size, a);
        idx_step(c, ESI, a32, step);
        return X86_OK;
    case 0xa4: case 0xa5:                                   /* MOVS */
        rc = x86_read(c, r->seg, si, size, &a);
        if (!rc)
            rc = x86_write(c, SEG_ES, di, size, a);
        if (rc)
            return rc;
        idx_step(c, ESI, a32, step);
        idx_step(c, EDI, a32, step);
        return X86_OK;
    case 0xa6: case 0xa7:                                   /* CMPS */
        rc = x86_read(c, r->seg, si, size, &a);
        if (!rc)
            rc = x86_read(c, SEG_ES, di, size, &b);
        if (rc)
            return rc;
        x86_lazy(c, LF_SUB, size, a, b, (a - b) & size_mask(size));
        idx_step(c, ESI, a32, step);
        idx_step(c, EDI, a32, step);
        return X86_OK;
    case 0xaa: case 0xab:                                   /* STOS */
        rc = x86_write(c, SEG_ES, di, size, get_reg(c, EAX, size));
        if (!rc)
            idx_step(c, EDI, a32, step);
        return rc;
    case 0xac: case 0xad:                                   /* LODS */
        rc = x86_read(c, r->seg, si, size, &a);
        if (rc)
            return rc;
        set_reg(c, EAX, size, a);
        idx_step(c, ESI, a32, step);
        return X86_OK;
    default:                                                /* SCAS */
        rc = x86_read(c, SEG_ES, di, size, &b);
        if (rc)
            return rc;
        a = get_reg(c, EAX, size);
        x86_lazy(c, LF_SUB, size, a, b, (a - b) & size_mask(size));
        idx_step(c, EDI, a32, step);
        return X86_OK;
    }
}

int x86_exec_string(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = (r->opc & 1) ? rec_osize(r) : 1;
    bool a32 = r->attr & X86_A_A32;
    int32_t step = (c->eflags & FL_DF) ? -(int32_t)size : (int32_t)size;
    bool rep = r->attr & (X86_A_REP | X86_A_REPNE);
    if (!rep)
        return string_once(c, r, size, a32, step);
    /* CMPS and SCAS test ZF after each iteration: F3 repeats while equal,
     * F2 while not equal; the other instructions ignore the difference. */
    bool cmp = r->opc == 0xa6 || r->opc == 0xa7 || r->opc == 0xae || r->opc == 0xaf;
    bool want_zf = (r->attr & X86_A_REP) != 0;
    for (unsigned n = 0; n < REP_CHUNK; n++) {
        uint32_t cnt = idx_get(c, ECX, a32);
        if (cnt == 0)
            return X86_OK;
        int rc = string_once(c, r, size, a32, step);
        if (rc)
            return rc;
        idx_step(c, ECX, a32, -1);
        if (cmp && ((x86_get_flags(c) & FL_ZF) != 0) != want_zf)
            return X86_OK;
    }
    if (idx_get(c, ECX, a32) != 0)
        c->next_eip = c->eip;   /* resume at the next boundary */
    return X86_OK;
}
