/* CP14: the ARMv7.1 debug registers' coprocessor interface and the trivial
 * Jazelle registers (ARM ARM v7 DDI 0406C, C6.3-C6.4 and chapter C11;
 * A2.10 and B1.15 for Jazelle), on the ARMv7 models.
 *
 * Debug register number N is reached with MRC/MCR p14, 0, Rt, CRn, CRm,
 * opc2 where CRn = N[9:7], opc2 = N[6:4], CRm = N[3:0] (C6.4.1); the
 * baseline registers DBGDIDR, DBGDSCRint, DBGDTRRX/TXint, DBGDRAR and
 * DBGDSAR have encodings of their own.
 *
 * What is modelled: the identification (DBGDIDR: six breakpoints, one of
 * them context-matching, and four watchpoints, v7.1 debug, as the
 * Cortex-A15/A7 TRMs give), DBGDSCR with its monitor-mode enable and the
 * other writable controls, the breakpoint and watchpoint value/control
 * pairs, the vector catch register, the OS Lock (set by a cold reset, as
 * v7.1 requires: C7.3.3) and OS Double Lock, the power-down status (always
 * powered up), the claim tags. No debug ROM table (DBGDRAR/DBGDSAR read as
 * not valid) and no external debugger: the DCC transfer registers read as
 * zero with RXfull and TXfull clear, and writes are dropped.
 * Not modelled: debug events. Programmed breakpoints, watchpoints and
 * vector catches are kept but never fire (a guest's hardware breakpoints
 * do not trigger); docs/isa-arm.md says so.
 *
 * Access rights (C6.4.3, table C6-7): the baseline registers are readable
 * at PL0 unless DBGDSCR.UDCCdis is set; everything else is PL1-only.
 * An unknown or forbidden access is UNDEFINED. */
#include "isa-arm/arm_internal.h"

#include "machine/state.h"

/* DBGDIDR (C11.11.15): WRPs 31:28, BRPs 27:24, CTX_CMPs 23:20, Version
 * 19:16 (5: v7.1 debug), DEVID_imp 15 (0: no DBGDEVID), nSUHD_imp 14,
 * PCSR_imp 13 (0), SE_imp 12 (0: no Security Extensions), Variant and
 * Revision as MIDR. */
#define DIDR_COMMON 0x35154000u
#define NUM_BRPS 6
#define NUM_WRPS 4

/* DBGDSCR (C11.11.20): the bits a debugger or the OS may write through
 * DBGDSCRext: ExtDCCmode 21:20, MDBGen 15, HDBGen 14, ITRen 13, UDCCdis
 * 12, INTdis 11, DBGack 10. */
#define DSCR_WRITABLE 0x0030FC00u
#define DSCR_UDCCDIS (1u << 12)
/* Breakpoint control (C11.11.3): MASK 28:24, BT 23:20, LBN 19:16, SSC
 * 15:14, HMC 13, BAS 8:5, PMC 2:1, E 0. Watchpoint control (C11.11.44):
 * MASK 28:24, WT 20, LBN 19:16, SSC 15:14, HMC 13, BAS 12:5, LSC 4:3,
 * PAC 2:1, E 0. Value registers: bits 1:0 RAZ/WI. */
#define BCR_WRITABLE 0x1FFFE1E7u
#define WCR_WRITABLE 0x1F1FFFFFu
#define VR_WRITABLE 0xFFFFFFFCu
/* DBGVCR (C11.11.41) without Security Extensions: bits 7:1 (Hyp and
 * Secure vectors absent). */
#define VCR_WRITABLE 0x000000FEu
#define OSLAR_KEY 0xC5ACCE55u      /* writing it sets the OS Lock (C11.11.31) */
/* DBGOSLSR (C11.11.32): OSLM = 0b10 (bit 3 set, bit 0 clear: the v7.1 OS
 * Lock), nTT 2 = 0, OSLK 1. */
#define OSLSR_OSLM1 (1u << 3)
#define OSLSR_OSLK (1u << 1)

#define DBG_ENC(crn, crm, opc2) ((crn) << 8 | (crm) << 4 | (opc2))

static uint32_t didr_value(const struct arm_cpu *c)
{
    /* The MIDR's variant and revision: Cortex-A15 r2p1, Cortex-A7 r0p5. */
    return DIDR_COMMON | (c->model == ARM_MODEL_CORTEX_A7 ? 0x05u : 0x21u);
}

static bool baseline(unsigned enc)
{
    switch (enc) {
    case DBG_ENC(0, 0, 0):     /* DBGDIDR */
    case DBG_ENC(0, 1, 0):     /* DBGDSCRint */
    case DBG_ENC(0, 5, 0):     /* DBGDTRRXint / DBGDTRTXint */
    case DBG_ENC(1, 0, 0):     /* DBGDRAR */
    case DBG_ENC(2, 0, 0):     /* DBGDSAR */
        return true;
    default:
        return false;
    }
}

/* Reads debug register `enc`; false if there is none to read. */
static bool debug_read(const struct arm_cpu *c, unsigned enc, uint32_t *v)
{
    const struct arm_debug *d = &c->dbg;
    unsigned crn = enc >> 8, crm = (enc >> 4) & 15, opc2 = enc & 7;
    if (crn == 0 && opc2 >= 4 && opc2 <= 7) {
        /* DBGBVRn (opc2 4), DBGBCRn (5), DBGWVRn (6), DBGWCRn (7). */
        unsigned limit = opc2 <= 5 ? NUM_BRPS : NUM_WRPS;
        if (crm >= limit)
            return false;
        *v = opc2 == 4 ? d->bvr[crm] : opc2 == 5 ? d->bcr[crm] :
             opc2 == 6 ? d->wvr[crm] : d->wcr[crm];
        return true;
    }
    switch (enc) {
    case DBG_ENC(0, 0, 0): *v = didr_value(c); return true;
    case DBG_ENC(0, 1, 0):                      /* DBGDSCRint */
    case DBG_ENC(0, 2, 2): *v = d->dscr; return true;    /* DBGDSCRext */
    case DBG_ENC(0, 5, 0):                      /* DBGDTRRXint: nothing received */
    case DBG_ENC(0, 0, 2):                      /* DBGDTRRXext */
    case DBG_ENC(0, 3, 2): *v = 0; return true; /* DBGDTRTXext */
    case DBG_ENC(0, 6, 0): *v = d->wfar; return true;
    case DBG_ENC(0, 7, 0): *v = d->vcr; return true;
    case DBG_ENC(1, 0, 0):                      /* DBGDRAR: no ROM table */
    case DBG_ENC(2, 0, 0): *v = 0; return true; /* DBGDSAR */
    case DBG_ENC(1, 1, 4): *v = OSLSR_OSLM1 | (d->os_lock ? OSLSR_OSLK : 0); return true;
    case DBG_ENC(1, 3, 4): *v = d->os_double_lock; return true;  /* DBGOSDLR */
    case DBG_ENC(1, 5, 4): *v = 1; return true; /* DBGPRSR: powered up */
    case DBG_ENC(7, 8, 6):                      /* DBGCLAIMSET: all 8 tags exist */
        *v = 0xFFu;
        return true;
    case DBG_ENC(7, 9, 6): *v = d->claim; return true;   /* DBGCLAIMCLR */
    default:
        return false;
    }
}

static bool debug_write(struct arm_cpu *c, unsigned enc, uint32_t v)
{
    struct arm_debug *d = &c->dbg;
    unsigned crn = enc >> 8, crm = (enc >> 4) & 15, opc2 = enc & 7;
    if (crn == 0 && opc2 >= 4 && opc2 <= 7) {
        unsigned limit = opc2 <= 5 ? NUM_BRPS : NUM_WRPS;
        if (crm >= limit)
            return false;
        switch (opc2) {
        case 4: d->bvr[crm] = v & VR_WRITABLE; break;
        case 5: d->bcr[crm] = v & BCR_WRITABLE; break;
        case 6: d->wvr[crm] = v & VR_WRITABLE; break;
        default: d->wcr[crm] = v & WCR_WRITABLE; break;
        }
        return true;
    }
    switch (enc) {
    case DBG_ENC(0, 2, 2): d->dscr = v & DSCR_WRITABLE; return true;
    case DBG_ENC(0, 5, 0):                      /* DBGDTRTXint: taken at once */
    case DBG_ENC(0, 0, 2):                      /* DBGDTRRXext */
    case DBG_ENC(0, 3, 2): return true;         /* DBGDTRTXext */
    case DBG_ENC(0, 6, 0): d->wfar = v; return true;
    case DBG_ENC(0, 7, 0): d->vcr = v & VCR_WRITABLE; return true;
    case DBG_ENC(1, 0, 4): d->os_lock = v == OSLAR_KEY; return true;   /* DBGOSLAR */
    case DBG_ENC(1, 3, 4): d->os_double_lock = v & 1; return true;
    case DBG_ENC(7, 8, 6): d->claim |= v & 0xFFu; return true;
    case DBG_ENC(7, 9, 6): d->claim &= ~v & 0xFFu; return true;
    default:
        return false;
    }
}

/* Jazelle, trivial implementation (A2.10, B1.15.1): MRC p14, 7: JIDR
 * (CRn 0) reads as zero at any level; JOSCR (CRn 1) and JMCR (CRn 2) are
 * PL1 RAZ/WI. Writes to JIDR are ignored. */
static bool jazelle(struct arm_cpu *c, const struct arm_rec *r, bool pl0, bool read)
{
    if (r->rm != 0 || r->shift != 0 || r->rn > 2 || (pl0 && r->rn != 0))
        return false;
    if (read) {
        if (r->rd == 15)
            c->cpsr &= 0x0fffffffu;
        else
            c->r[r->rd] = 0;
    }
    return true;
}

/* MRC/MCR p14: rd = Rt, rn = CRn, rm = CRm, op = opc1, shift = opc2,
 * RF_L = MRC. */
int arm_exec_cp14(struct arm_cpu *c, const struct arm_rec *r)
{
    bool read = r->flags & RF_L;
    bool pl0 = !arm_privileged(c);
    bool ok;
    if (r->op == 7) {
        ok = jazelle(c, r, pl0, read);
    } else if (r->op != 0 || r->rn > 7) {
        ok = false;     /* trace (opc1 1), ThumbEE (opc1 6): not implemented */
    } else {
        unsigned enc = DBG_ENC(r->rn, r->rm, r->shift);
        if (pl0 && (!baseline(enc) || (c->dbg.dscr & DSCR_UDCCDIS))) {
            ok = false;
        } else if (read) {
            uint32_t v = 0;
            ok = debug_read(c, enc, &v);
            if (ok) {
                /* MRC with Rt = 15: only DBGDSCRint may target APSR_nzcv
                 * (A8.8.108); it copies bits 31:28. */
                if (r->rd == 15)
                    c->cpsr = (c->cpsr & 0x0fffffffu) | (v & 0xf0000000u);
                else
                    c->r[r->rd] = v;
            }
        } else {
            /* The read-only baseline registers are UNDEFINED to write. */
            ok = enc != DBG_ENC(0, 0, 0) && enc != DBG_ENC(0, 1, 0) &&
                 enc != DBG_ENC(1, 0, 0) && enc != DBG_ENC(2, 0, 0) &&
                 debug_write(c, enc, c->r[r->rd]);
        }
    }
    if (!ok)
        arm_take_exception(c, EXC_UND);
    return ARM_OK;
}

/* A cold reset: every register cleared, the OS Lock set (C7.3.3). */
void arm_debug_reset(struct arm_cpu *c)
{
    memset(&c->dbg, 0, sizeof c->dbg);
    c->dbg.os_lock = true;
}

void arm_debug_save(const struct arm_cpu *c, struct state_writer *w)
{
    const struct arm_debug *d = &c->dbg;
    state_put_u32(w, d->dscr);
    state_put_u32(w, d->vcr);
    state_put_u32(w, d->wfar);
    for (unsigned i = 0; i < NUM_BRPS; i++) {
        state_put_u32(w, d->bvr[i]);
        state_put_u32(w, d->bcr[i]);
    }
    for (unsigned i = 0; i < NUM_WRPS; i++) {
        state_put_u32(w, d->wvr[i]);
        state_put_u32(w, d->wcr[i]);
    }
    state_put_u8(w, d->claim);
    state_put_bool(w, d->os_lock);
    state_put_u8(w, d->os_double_lock);
}

void arm_debug_load(struct arm_cpu *c, struct state_reader *r)
{
    struct arm_debug *d = &c->dbg;
    d->dscr = state_get_u32(r) & DSCR_WRITABLE;
    d->vcr = state_get_u32(r) & VCR_WRITABLE;
    d->wfar = state_get_u32(r);
    for (unsigned i = 0; i < NUM_BRPS; i++) {
        d->bvr[i] = state_get_u32(r) & VR_WRITABLE;
        d->bcr[i] = state_get_u32(r) & BCR_WRITABLE;
    }
    for (unsigned i = 0; i < NUM_WRPS; i++) {
        d->wvr[i] = state_get_u32(r) & VR_WRITABLE;
        d->wcr[i] = state_get_u32(r) & WCR_WRITABLE;
    }
    d->claim = state_get_u8(r);
    d->os_lock = state_get_bool(r);
    d->os_double_lock = state_get_u8(r) & 1;
}
