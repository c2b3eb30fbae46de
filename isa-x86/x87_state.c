/* The x87's memory images: the FSTENV/FLDENV environment in its four
 * layouts (SDM Vol. 1 §8.1.10, Figures 8-9 to 8-12), the FXSAVE area
 * (SDM Vol. 2A FXSAVE Table 3-53), and the emulator's save state. */
#include <string.h>

#include "isa-x86/x87_internal.h"
#include "machine/state.h"

static void put16(uint8_t *b, unsigned off, uint32_t v)
{
    b[off] = (uint8_t)v;
    b[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, unsigned off, uint32_t v)
{
    put16(b, off, v);
    put16(b, off + 2, v >> 16);
}

static uint32_t get16(const uint8_t *b, unsigned off)
{
    return b[off] | (uint32_t)b[off + 1] << 8;
}

static uint32_t get32(const uint8_t *b, unsigned off)
{
    return get16(b, off) | get16(b, off + 2) << 16;
}

unsigned x87_env_size(bool op32)
{
    return op32 ? 28 : 14;
}

/* Real and virtual-8086 mode keep 20-bit (16-bit operand size) or 32-bit
 * linear pointers: selector * 16 + offset. */
static uint32_t linear(uint16_t sel, uint32_t off)
{
    return ((uint32_t)sel << 4) + off;
}

void x87_env_store(const struct x87 *f, enum x87_mode mode, bool op32, uint8_t *b)
{
    bool real = mode != X87_MODE_PROTECTED;
    uint32_t fip = real ? linear(f->fcs, f->fip) : f->fip;
    uint32_t fdp = real ? linear(f->fds, f->fdp) : f->fdp;
    memset(b, 0, x87_env_size(op32));
    if (op32) {
        /* Figures 8-9 (protected) and 8-10 (real): 32-bit fields, the
         * upper halves of the reserved words written as ones (as silicon). */
        put32(b, 0, 0xFFFF0000u | f->cw);
        put32(b, 4, 0xFFFF0000u | x87_status_word(f));
        put32(b, 8, 0xFFFF0000u | x87_tag_word(f));
        if (real) {
            put32(b, 12, 0xFFFF0000u | (fip & 0xFFFF));
            put32(b, 16, ((fip >> 16) << 12) | (f->fop & 0x7FF));
            put32(b, 20, 0xFFFF0000u | (fdp & 0xFFFF));
            put32(b, 24, (fdp >> 16) << 12);
        } else {
            put32(b, 12, fip);
            put32(b, 16, f->fcs | (uint32_t)(f->fop & 0x7FF) << 16);
            put32(b, 20, fdp);
            put32(b, 24, 0xFFFF0000u | f->fds);
        }
    } else {
        /* Figures 8-11 (protected) and 8-12 (real). */
        put16(b, 0, f->cw);
        put16(b, 2, x87_status_word(f));
        put16(b, 4, x87_tag_word(f));
        if (real) {
            put16(b, 6, fip & 0xFFFF);
            put16(b, 8, ((fip >> 16) & 0xF) << 12 | (f->fop & 0x7FF));
            put16(b, 10, fdp & 0xFFFF);
            put16(b, 12, ((fdp >> 16) & 0xF) << 12);
        } else {
            put16(b, 6, fip & 0xFFFF);
            put16(b, 8, f->fcs);
            put16(b, 10, fdp & 0xFFFF);
            put16(b, 12, f->fds);
        }
    }
}

/* The tag word's only effect on loading is empty or not: the other tags
 * are recomputed from the registers (SDM Vol. 1 §8.1.7). */
static void load_tags(struct x87 *f, uint32_t tw)
{
    f->valid = 0;
    for (unsigned p = 0; p < 8; p++) {
        if (((tw >> (2 * p)) & 3) != 3)
            f->valid |= (uint8_t)(1u << p);
    }
}

static void load_sw(struct x87 *f, uint32_t sw)
{
    f->top = (sw >> X87_SW_TOP_SHIFT) & 7;
    f->sw = (uint16_t)(sw & ~(7u << X87_SW_TOP_SHIFT));
    x87_update_es(f);
}

void x87_env_load(struct x87 *f, enum x87_mode mode, bool op32, const uint8_t *b)
{
    bool real = mode != X87_MODE_PROTECTED;
    if (op32) {
        f->cw = (uint16_t)((get16(b, 0) & 0x1F3F) | 0x40);
        load_sw(f, get16(b, 4));
        load_tags(f, get16(b, 8));
        if (real) {
            f->fip = get16(b, 12) | (get32(b, 16) >> 12) << 16;
            f->fop = (uint16_t)(get32(b, 16) & 0x7FF);
            f->fdp = get16(b, 20) | (get32(b, 24) >> 12) << 16;
            f->fcs = f->fds = 0;
        } else {
            f->fip = get32(b, 12);
            f->fcs = (uint16_t)get16(b, 16);
            f->fop = (uint16_t)(get16(b, 18) & 0x7FF);
            f->fdp = get32(b, 20);
            f->fds = (uint16_t)get16(b, 24);
        }
    } else {
        f->cw = (uint16_t)((get16(b, 0) & 0x1F3F) | 0x40);
        load_sw(f, get16(b, 2));
        load_tags(f, get16(b, 4));
        if (real) {
            f->fip = get16(b, 6) | (get16(b, 8) >> 12) << 16;
            f->fop = (uint16_t)(get16(b, 8) & 0x7FF);
            f->fdp = get16(b, 10) | (get16(b, 12) >> 12) << 16;
            f->fcs = f->fds = 0;
        } else {
            f->fip = get16(b, 6);
            f->fcs = (uint16_t)get16(b, 8);
            f->fdp = get16(b, 10);
            f->fds = (uint16_t)get16(b, 12);
        }
    }
    x87_update_es(f);
}

#define FXSAVE_X87_BYTES 160

enum x87_result x87_fxsave(struct x87 *f, struct x87_env *env, uint32_t offset,
                           uint32_t mxcsr, uint32_t mxcsr_mask)
{
    uint8_t b[FXSAVE_X87_BYTES];
    memset(b, 0, sizeof(b));
    env->outputs = 0;
    put16(b, 0, f->cw);
    put16(b, 2, x87_status_word(f));
    /* Abridged tag: one bit per physical register, 1 = valid (SDM Vol. 1
     * §10.5.1.1). */
    b[4] = f->valid;
    put16(b, 6, f->fop & 0x7FF);
    put32(b, 8, f->fip);
    put16(b, 12, f->fcs);
    put32(b, 16, f->fdp);
    put16(b, 20, f->fds);
    put32(b, 24, mxcsr);
    put32(b, 28, mxcsr_mask);
    for (unsigned i = 0; i < 8; i++)
        f80_to_bytes(x87_st(f, i), b + 32 + 16 * i);
    int rc = env->write(env->ctx, offset, sizeof(b), b);
    if (rc) {
        env->fault = rc;
        return X87_MEM_FAULT;
    }
    return X87_OK;
}

enum x87_result x87_fxrstor(struct x87 *f, struct x87_env *env, uint32_t offset,
                            uint32_t mxcsr_mask, uint32_t *mxcsr)
{
    uint8_t b[FXSAVE_X87_BYTES];
    env->outputs = 0;
    int rc = env->read(env->ctx, offset, sizeof(b), b);
    if (rc) {
        env->fault = rc;
        return X87_MEM_FAULT;
    }
    uint32_t m = get32(b, 24);
    if (m & ~mxcsr_mask)
        return X87_GENERAL_PROTECTION;
    *mxcsr = m;
    f->cw = (uint16_t)((get16(b, 0) & 0x1F3F) | 0x40);
    load_sw(f, get16(b, 2));
    f->valid = b[4];
    f->fop = (uint16_t)(get16(b, 6) & 0x7FF);
    f->fip = get32(b, 8);
    f->fcs = (uint16_t)get16(b, 12);
    f->fdp = get32(b, 16);
    f->fds = (uint16_t)get16(b, 20);
    for (unsigned i = 0; i < 8; i++)
        f->st[x87_phys(f, i)] = f80_from_bytes(b + 32 + 16 * i);
    return X87_OK;
}

void x87_save(const struct x87 *f, struct state_writer *w)
{
    for (unsigned p = 0; p < 8; p++) {
        state_put_u64(w, f->st[p].sig);
        state_put_u16(w, f->st[p].sign_exp);
    }
    state_put_u16(w, f->cw);
    state_put_u16(w, f->sw);
    state_put_u8(w, f->top);
    state_put_u8(w, f->valid);
    state_put_u16(w, f->fop);
    state_put_u16(w, f->fcs);
    state_put_u16(w, f->fds);
    state_put_u32(w, f->fip);
    state_put_u32(w, f->fdp);
}

int x87_load(struct x87 *f, struct state_reader *r, struct orr_error *err)
{
    struct x87 n;
    for (unsigned p = 0; p < 8; p++) {
        n.st[p].sig = state_get_u64(r);
        n.st[p].sign_exp = state_get_u16(r);
    }
    n.cw = state_get_u16(r);
    n.sw = state_get_u16(r);
    n.top = state_get_u8(r);
    n.valid = state_get_u8(r);
    n.fop = state_get_u16(r);
    n.fcs = state_get_u16(r);
    n.fds = state_get_u16(r);
    n.fip = state_get_u32(r);
    n.fdp = state_get_u32(r);
    if (state_reader_check(r))
        return -1;
    if (n.top > 7 || (n.sw & (7u << X87_SW_TOP_SHIFT)) || n.fop > 0x7FF) {
        return orr_fail(err, "x87 state: bad TOP, status word or opcode");
    }
    *f = n;
    return 0;
}
