/* Shared by the x87 files: register stack access and exception signalling.
 * Intel SDM Vol. 1 chapter 8. */
#ifndef ORRERY_ISA_X86_X87_INTERNAL_H
#define ORRERY_ISA_X86_X87_INTERNAL_H

#include "isa-x86/x87.h"

static inline unsigned x87_phys(const struct x87 *f, unsigned i)
{
    return (f->top + i) & 7;
}

static inline bool x87_empty(const struct x87 *f, unsigned i)
{
    return !((f->valid >> x87_phys(f, i)) & 1);
}

static inline struct f80 x87_st(const struct x87 *f, unsigned i)
{
    return f->st[x87_phys(f, i)];
}

static inline void x87_write_st(struct x87 *f, unsigned i, struct f80 v)
{
    unsigned p = x87_phys(f, i);
    f->st[p] = v;
    f->valid |= (uint8_t)(1u << p);
}

static inline void x87_push(struct x87 *f, struct f80 v)
{
    f->top = (f->top - 1) & 7;
    x87_write_st(f, 0, v);
}

static inline void x87_pop(struct x87 *f)
{
    f->valid &= (uint8_t)~(1u << f->top);
    f->top = (f->top + 1) & 7;
}

/* The rounding environment the control word sets (SDM Vol. 1 §8.1.5.2:
 * PC 00 = 24 bits, 01 reserved (64 here), 10 = 53, 11 = 64). */
static inline struct f80_env x87_fenv(const struct x87 *f, bool precision_control)
{
    static const uint8_t prec[4] = { 24, 64, 53, 64 };
    struct f80_env e = { (uint8_t)((f->cw >> X87_CW_RC_SHIFT) & 3),
                         precision_control ? prec[(f->cw >> X87_CW_PC_SHIFT) & 3] : 64,
                         (uint8_t)(f->cw & 0x3F), 0, false };
    return e;
}

/* Recomputes ES and B from the flags and masks (SDM Vol. 1 §8.1.3.1). */
static inline void x87_update_es(struct x87 *f)
{
    if (f->sw & ~f->cw & 0x3F)
        f->sw |= X87_SW_ES | X87_SW_B;
    else
        f->sw &= (uint16_t)~(X87_SW_ES | X87_SW_B);
}

/* Records exception flags; true when one of the pre-computation
 * exceptions (IE, DE, ZE) is unmasked: the destination, the stack and the
 * other state stay as they were (SDM Vol. 1 §8.5.1.2, §8.5.2, §8.5.3). */
static inline bool x87_raise(struct x87 *f, unsigned flags)
{
    unsigned pre = X87_SW_IE | X87_SW_DE | X87_SW_ZE;
    bool stop = (flags & ~f->cw & pre) != 0;
    /* Stopped before the computation: its OE/UE/PE never happened. */
    f->sw |= (uint16_t)(flags & (stop ? pre : 0x3F));
    x87_update_es(f);
    return stop;
}

static inline void x87_set_c1(struct x87 *f, bool c1)
{
    f->sw = (uint16_t)((f->sw & ~X87_SW_C1) | (c1 ? X87_SW_C1 : 0));
}

static inline void x87_set_cc(struct x87 *f, bool c3, bool c2, bool c1, bool c0)
{
    f->sw = (uint16_t)((f->sw & ~(X87_SW_C3 | X87_SW_C2 | X87_SW_C1 | X87_SW_C0))
                       | (c3 ? X87_SW_C3 : 0) | (c2 ? X87_SW_C2 : 0) | (c1 ? X87_SW_C1 : 0)
                       | (c0 ? X87_SW_C0 : 0));
}

/* Stack fault (SDM Vol. 1 §8.5.1.1): IE + SF, C1 = 1 for overflow, 0 for
 * underflow. Returns true when IE is masked (the masked response follows). */
static inline bool x87_stack_fault(struct x87 *f, bool overflow)
{
    f->sw |= X87_SW_IE | X87_SW_SF;
    x87_set_c1(f, overflow);
    x87_update_es(f);
    return (f->cw & X87_CW_IM) != 0;
}

/* The layouts of the protected/real-mode environment images
 * (x87_state.c). */
unsigned x87_env_size(bool op32);
void x87_env_store(const struct x87 *f, enum x87_mode mode, bool op32, uint8_t *buf);
void x87_env_load(struct x87 *f, enum x87_mode mode, bool op32, const uint8_t *buf);

/* The transcendental instructions (x87_trans.c): D9 F0..FF except the
 * ones x87.c handles. */
void x87_exec_transcendental(struct x87 *f, uint8_t modrm);

#endif
