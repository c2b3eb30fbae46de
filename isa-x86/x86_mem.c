/* Memory for the x86 core: segment checks (SDM Vol. 3A 5.3), paging
 * (SDM Vol. 3A 4.3, 32-bit paging with 4 KiB and 4 MiB pages), the soft
 * TLB, and the instruction fetch through the decoded cache. */
#include "isa-x86/x86_internal.h"

#include "cpu/le.h"
#include "machine/bus.h"

/* Soft-TLB attribute: the entry maps a non-global page (dropped by a CR3
 * write; SDM Vol. 3A 4.10.2.4). */
#define X86_TLB_NG 1u

#define PTE_P  0x001u
#define PTE_RW 0x002u
#define PTE_US 0x004u
#define PTE_A  0x020u
#define PTE_D  0x040u
#define PTE_PS 0x080u
#define PTE_G  0x100u

static inline unsigned tlb_priv(const struct x86_cpu *c)
{
    return c->cpl == 3 ? 0 : 1;
}

/* ---- segments ---------------------------------------------------------- */

static int seg_fault(struct x86_cpu *c, unsigned seg)
{
    /* SDM Vol. 3A 6.15: a limit or type violation through SS is #SS(0),
     * through any other segment #GP(0); real mode raises the same
     * interrupts (13 and 12) without an error code. */
    bool code = x86_protected(c) && !x86_v86(c);
    return x86_fault(c, seg == SEG_SS ? X86_SS : X86_GP, code, 0);
}

int x86_check_seg(struct x86_cpu *c, unsigned seg, uint32_t off, unsigned len, bool write)
{
    const struct x86_seg *s = &c->seg[seg];
    uint32_t last = off + len - 1;
    if (!(s->rw & (write ? SEG_RW_WRITE : SEG_RW_READ)) || off < s->lo || last > s->hi ||
        last < off)
        return seg_fault(c, seg);
    return X86_OK;
}

/* ---- paging ------------------------------------------------------------ */

static int phys_read32(struct x86_cpu *c, uint32_t pa, uint32_t *v)
{
    uint64_t x;
    if (bus_read(c->cpu.bus, pa, 4, &x) != BUS_OK)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

/* The A20 gate. A PC holds the CPU's A20M# input high to make physical
 * address bit 20 read as 0, so that real-mode FFFF:0010 and above wraps to
 * 0 as on the 8086. The mask applies to every physical address the CPU
 * forms: instruction fetch, data, descriptor tables and the page-table
 * walk itself (Intel SDM Vol. 3A 8.7.13.4 and the IA-32 compatibility
 * chapter's "A20M# Signal" section, 21.33.1 in the editions that number
 * it so; the Pentium data book's A20M# pin description: the mask is
 * applied before the cache lookup, to every access outside SMM). Here that point is walk():
 * every access reaches the bus through a physical address it returned,
 * or through a soft-TLB entry filled from one, so flushing the TLB and
 * the fetch shortcut on a change is all a change needs; a line that never
 * moves costs one AND per walk and nothing on a TLB hit. The decoded
 * cache is keyed by physical page, whose contents the mask does not
 * change, so it stays. */
void x86_set_a20m(struct x86_cpu *c, bool level)
{
    c->a20m = level;
    c->a20_mask = level ? ~(uint32_t)(1u << 20) : 0xffffffffu;
    x86_tlb_flush(c);
}

/* Walks the page tables for lin (SDM Vol. 3A 4.3 and 4.6). On success
 * sets *pa and the soft-TLB attributes and, unless debug, the accessed and
 * dirty bits; on a violation raises #PF with CR2 = lin (4.7) unless debug. */
static int walk(struct x86_cpu *c, uint32_t lin, bool write, bool user, bool debug,
                uint32_t *pa, uint32_t *attrs)
{
    *attrs = 0;
    if (!(c->cr0 & CR0_PG)) {
        *pa = lin & c->a20_mask;
        return 0;
    }
    uint32_t pde_addr = ((c->cr3 & ~0xfffu) | ((lin >> 20) & 0xffcu)) & c->a20_mask;
    uint32_t pde, pte = 0, pte_addr = 0;
    uint32_t err = (write ? 2u : 0) | (user ? 4u : 0);
    if (phys_read32(c, pde_addr, &pde) || !(pde & PTE_P))
        goto fault;
    bool big = (pde & PTE_PS) && (c->cr4 & CR4_PSE);
    uint32_t eff;
    if (big) {
        eff = pde;
    } else {
        pte_addr = ((pde & ~0xfffu) | ((lin >> 10) & 0xffcu)) & c->a20_mask;
        if (phys_read32(c, pte_addr, &pte) || !(pte & PTE_P))
            goto fault;
        eff = pde & pte;
    }
    err |= 1;   /* from here on a fault is a protection violation */
    /* SDM Vol. 3A 4.6: user accesses need U/S and, to write, R/W at both
     * levels; supervisor writes need R/W only when CR0.WP is set. */
    if (user && !(eff & PTE_US))
        goto fault;
    if (write && !(eff & PTE_RW) && (user || (c->cr0 & CR0_WP)))
        goto fault;
    if (!debug) {
        uint32_t npde = pde | PTE_A;
        if (big && write)
            npde |= PTE_D;
        if (npde != pde)
            (void)bus_write(c->cpu.bus, pde_addr, 4, npde);
        if (!big) {
            uint32_t npte = pte | PTE_A | (write ? PTE_D : 0);
            if (npte != pte)
                (void)bus_write(c->cpu.bus, pte_addr, 4, npte);
        }
    }
    uint32_t leaf = big ? pde : pte;
    *pa = (big ? (pde & 0xffc00000u) | (lin & 0x3fffffu) : (pte & ~0xfffu) | (lin & 0xfffu)) &
          c->a20_mask;
    if (!((leaf & PTE_G) && (c->cr4 & CR4_PGE)))
        *attrs = X86_TLB_NG;
    return 0;
fault:
    if (!debug) {
        c->cr2 = lin;
        x86_fault(c, X86_PF, true, err);
    }
    return -1;
}

int x86_translate_debug(struct x86_cpu *c, uint32_t lin, bool write, bool user, uint32_t *pa)
{
    uint32_t attrs;
    return walk(c, lin, write, user, true, pa, &attrs);
}

/* Host pointer for lin's page if it is RAM/ROM, entered in the soft TLB
 * (writes never to a ROM page or one holding decoded code; a page with a
 * watchpoint is used but not entered). */
static uint8_t *tlb_refill(struct x86_cpu *c, uint32_t lin, enum tlb_kind kind, uint32_t pa,
                           uint32_t attrs)
{
    uint64_t ppage = pa & ~(uint64_t)GUEST_PAGE_MASK;
    bool rom;
    uint8_t *host = bus_host_ptr(c->cpu.bus, ppage, GUEST_PAGE_SIZE, &rom);
    if (!host)
        return NULL;
    if (kind == TLB_WRITE && (rom || bus_page_has_code(c->cpu.bus, ppage)))
        return NULL;
    if (c->cpu.nwatchpoints && kind != TLB_EXEC &&
        cpu_watch_page(&c->cpu, lin & ~(uint32_t)GUEST_PAGE_MASK, GUEST_PAGE_SIZE,
                       kind == TLB_WRITE ? CPU_WATCH_WRITE : CPU_WATCH_READ))
        return host + (pa & GUEST_PAGE_MASK);
    if (!c->observing && !c->dr_data)
        tlb_fill(&c->tlb, tlb_priv(c), kind, lin, host, ppage, attrs & X86_TLB_NG);
    return host + (pa & GUEST_PAGE_MASK);
}

/* One access of size bytes at linear address lin that missed the TLB: a
 * page-crossing access translates both pages before any byte moves. */
static int lin_slow(struct x86_cpu *c, uint32_t lin, unsigned size, bool write, bool user,
                    uint32_t *value)
{
    uint32_t pa, attrs;
    if (walk(c, lin, write, user, false, &pa, &attrs))
        return X86_FAULT;
    uint32_t last = lin + size - 1;
    if (((lin ^ last) & ~(uint32_t)GUEST_PAGE_MASK) != 0) {
        uint32_t pa2, attrs2;
        uint32_t page2 = last & ~(uint32_t)GUEST_PAGE_MASK;
        if (walk(c, page2, write, user, false, &pa2, &attrs2))
            return X86_FAULT;
        uint32_t got = 0;
        for (unsigned i = 0; i < size; i++) {
            uint32_t va = lin + i;
            uint64_t p = (va & ~(uint32_t)GUEST_PAGE_MASK) == page2 ? pa2 + (va - page2) : pa + i;
            if (write) {
                (void)bus_write(c->cpu.bus, p, 1, (*value >> (8 * i)) & 0xffu);
            } else {
                uint64_t b = 0xff;
                (void)bus_read(c->cpu.bus, p, 1, &b);
                got |= (uint32_t)(b & 0xffu) << (8 * i);
            }
        }
        if (!write)
            *value = got;
        return X86_OK;
    }
    enum tlb_kind kind = write ? TLB_WRITE : TLB_READ;
    /* Write entries are filled only by writes, which have set the dirty
     * bit: a later write through the entry needs no walk (SDM Vol. 3A
     * 4.8). */
    uint8_t *h = tlb_refill(c, lin, kind, pa, attrs);
    if (h) {
        if (write)
            le_store(h, size, *value);
        else
            *value = le_load(h, size);
        return X86_OK;
    }
    /* MMIO or unmapped: an unmapped read floats high, a write is lost. */
    if (write) {
        (void)bus_write(c->cpu.bus, pa, size, *value);
        return X86_OK;
    }
    uint64_t v = 0xffffffffu;
    if (bus_read(c->cpu.bus, pa, size, &v) != BUS_OK)
        v = 0xffffffffu;
    *value = (uint32_t)v & size_mask(size);
    return X86_OK;
}

/* Alignment check (SDM Vol. 3A 6.15, interrupt 17): a misaligned data
 * access at CPL 3 with CR0.AM and EFLAGS.AC set. Misaligned accesses never
 * hit the soft TLB, so only the miss path asks. */
static inline bool misaligned_check(const struct x86_cpu *c, uint32_t lin, unsigned size)
{
    return (lin & (size - 1)) && c->cpl == 3 && (c->cr0 & CR0_AM) && (c->eflags & FL_AC);
}

/* Data breakpoints (SDM Vol. 3A 17.2.5): an access overlapping the
 * 1/2/4-byte range of an enabled DR0-DR3 of its kind. */
static void dr_match(struct x86_cpu *c, uint32_t lin, unsigned size, bool write)
{
    for (unsigned i = 0; i < 4; i++) {
        if (!((c->dr_data >> i) & 1u))
            continue;
        unsigned rw = (c->dr[7] >> (16 + 4 * i)) & 3u;
        unsigned len = ((c->dr[7] >> (18 + 4 * i)) & 3u) + 1u;
        if (len == 3)
            len = 4;
        uint32_t a = c->dr[i] & ~(len - 1);
        if ((write || rw == 3) && lin < a + len && a < lin + size)
            c->dr_hits |= (uint8_t)(1u << i);
    }
}

static int watch_check(struct x86_cpu *c, uint32_t lin, unsigned size, bool write, uint32_t v)
{
    int w = cpu_watch_match(&c->cpu, lin, size, write);
    if (w < 0)
        return X86_OK;
    c->cpu.watch_hit = (struct cpu_watch_hit){ .addr = lin, .size = size, .write = write,
                                               .value = v, .index = (unsigned)w };
    return X86_STOP;
}

int x86_read(struct x86_cpu *c, unsigned seg, uint32_t off, unsigned size, uint32_t *value)
{
    int rc = x86_check_seg(c, seg, off, size, false);
    if (rc)
        return rc;
    uint32_t lin = c->seg[seg].base + off;
    uint8_t *h = tlb_lookup(&c->tlb, tlb_priv(c), TLB_READ, lin, size);
    if (h) {
        *value = le_load(h, size);
        return X86_OK;
    }
    if (misaligned_check(c, lin, size))
        return x86_fault(c, X86_AC, true, 0);
    if (c->dr_data)
        dr_match(c, lin, size, false);
    if (c->cpu.nwatchpoints && (rc = watch_check(c, lin, size, false, 0)) != X86_OK)
        return rc;
    rc = lin_slow(c, lin, size, false, c->cpl == 3, value);
    if (c->observing)
        x86_observe_access(c, lin, size, false, rc ? 0 : *value, rc != X86_OK);
    return rc;
}

int x86_write(struct x86_cpu *c, unsigned seg, uint32_t off, unsigned size, uint32_t value)
{
    int rc = x86_check_seg(c, seg, off, size, true);
    if (rc)
        return rc;
    uint32_t lin = c->seg[seg].base + off;
    uint8_t *h = tlb_lookup(&c->tlb, tlb_priv(c), TLB_WRITE, lin, size);
    if (h) {
        le_store(h, size, value);
        return X86_OK;
    }
    if (misaligned_check(c, lin, size))
        return x86_fault(c, X86_AC, true, 0);
    if (c->dr_data)
        dr_match(c, lin, size, true);
    if (c->cpu.nwatchpoints && (rc = watch_check(c, lin, size, true, value)) != X86_OK)
        return rc;
    rc = lin_slow(c, lin, size, true, c->cpl == 3, &value);
    if (c->observing)
        x86_observe_access(c, lin, size, true, value, rc != X86_OK);
    return rc;
}

int x86_probe(struct x86_cpu *c, unsigned seg, uint32_t off, unsigned len, bool write)
{
    int rc = x86_check_seg(c, seg, off, len, write);
    if (rc || len == 0)
        return rc;
    uint32_t lin = c->seg[seg].base + off, last = lin + len - 1;
    for (uint32_t page = lin & ~(uint32_t)GUEST_PAGE_MASK;;
         page += GUEST_PAGE_SIZE) {
        uint32_t pa, attrs;
        if (walk(c, page < lin ? lin : page, write, c->cpl == 3, false, &pa, &attrs))
            return X86_FAULT;
        if (page == (last & ~(uint32_t)GUEST_PAGE_MASK))
            return X86_OK;
    }
}

/* System accesses (descriptor tables, IVT, TSS) are supervisor accesses
 * whatever the CPL (SDM Vol. 3A 4.6.1). */
int x86_read_lin(struct x86_cpu *c, uint32_t lin, unsigned size, uint32_t *value)
{
    unsigned cpl = c->cpl;
    c->cpl = 0;
    int rc = lin_slow(c, lin, size, false, false, value);
    c->cpl = cpl;
    return rc;
}

int x86_write_lin(struct x86_cpu *c, uint32_t lin, unsigned size, uint32_t value)
{
    unsigned cpl = c->cpl;
    c->cpl = 0;
    int rc = lin_slow(c, lin, size, true, false, &value);
    c->cpl = cpl;
    return rc;
}

/* ---- instruction fetch ------------------------------------------------- */

/* The instruction at CS:EIP read byte by byte (MMIO code, a page-crossing
 * instruction or one near the CS limit) and decoded without caching. A
 * byte that cannot be fetched only faults if the instruction needs it. */
static const struct x86_rec *fetch_slow(struct x86_cpu *c, uint32_t eip)
{
    const struct x86_seg *cs = &c->seg[SEG_CS];
    uint8_t bytes[15];
    unsigned n = 0;
    struct x86_exc stop = { X86_GP, x86_protected(c) && !x86_v86(c), 0 };
    bool user = c->cpl == 3;
    for (; n < 15; n++) {
        uint32_t off = eip + n;
        if (!x86_code32(c))
            off &= 0xffffu;
        if (off > cs->limit || (x86_code32(c) && off < eip))
            break;
        uint32_t pa, attrs;
        if (walk(c, cs->base + off, false, user, false, &pa, &attrs)) {
            stop = c->exc;
            break;
        }
        uint64_t b = 0xff;
        (void)bus_read(c->cpu.bus, pa, 1, &b);
        bytes[n] = (uint8_t)b;
    }
    if (x86_decode(bytes, n, x86_code32(c), c->features, &c->slow_rec) == 0) {
        c->exc = stop;
        return NULL;
    }
    return &c->slow_rec;
}

const struct x86_rec *x86_fetch(struct x86_cpu *c)
{
    const struct x86_seg *cs = &c->seg[SEG_CS];
    uint32_t eip = c->eip;
    uint32_t lin = cs->base + eip;
    uint32_t lpage = lin & ~(uint32_t)GUEST_PAGE_MASK;
    unsigned mode = x86_dc_mode(c);
    const struct x86_rec *r = NULL;
    if (c->fast_valid && c->fast_lpage == lpage && c->fast_mode == mode &&
        c->fast_gen == c->dc.generation) {
        r = &c->fast_recs[lin & GUEST_PAGE_MASK];
        if (!r->fn)
            r = NULL;
    }
    if (!r) {
        uint32_t pa, attrs;
        const struct tlb_entry *e = tlb_slot(&c->tlb, tlb_priv(c), TLB_EXEC, lin);
        uint8_t *h;
        if (eip > cs->limit)
            return x86_fault(c, X86_GP, x86_protected(c) && !x86_v86(c), 0), NULL;
        if (e->tag == lpage) {
            h = (uint8_t *)(uintptr_t)(lin + e->addend);
            pa = (uint32_t)(e->ppage | (lin & GUEST_PAGE_MASK));
        } else {
            if (walk(c, lin, false, c->cpl == 3, false, &pa, &attrs))
                return NULL;
            h = tlb_refill(c, lin, TLB_EXEC, pa, attrs);
        }
        if (!h)
            return fetch_slow(c, eip);
        unsigned in_page = GUEST_PAGE_SIZE - (lin & GUEST_PAGE_MASK);
        uint64_t ppage = pa & ~(uint64_t)GUEST_PAGE_MASK;
        struct x86_rec *recs = dcache_lookup(&c->dc, ppage, mode);
        if (!recs) {
            recs = dcache_create(&c->dc, ppage, mode);
            if (!recs)
                return fetch_slow(c, eip);
            bus_mark_code(c->cpu.bus, ppage);
        }
        struct x86_rec *slot = &recs[pa & GUEST_PAGE_MASK];
        if (!slot->fn &&
            x86_decode(h, in_page < 15 ? in_page : 15, x86_code32(c), c->features, slot) == 0) {
            memset(slot, 0, sizeof *slot);
            return fetch_slow(c, eip);
        }
        c->fast_valid = true;
        c->fast_mode = mode;
        c->fast_lpage = lpage;
        c->fast_gen = c->dc.generation;
        c->fast_recs = recs;
        r = slot;
    }
    /* The whole instruction must lie within the CS limit (SDM Vol. 3A
     * 5.3); in 16-bit code an instruction may not wrap past 0xFFFF. */
    uint32_t last = eip + r->len - 1;
    if (last > cs->limit || last < eip || (!x86_code32(c) && last > 0xffffu))
        return fetch_slow(c, eip);
    return r;
}

/* ---- maintenance ------------------------------------------------------- */

void x86_tlb_flush(struct x86_cpu *c)
{
    tlb_flush_all(&c->tlb);
    c->fast_valid = false;
}

void x86_tlb_flush_nonglobal(struct x86_cpu *c)
{
    tlb_flush_attrs(&c->tlb, X86_TLB_NG);
    c->fast_valid = false;
}

void x86_tlb_flush_page(struct x86_cpu *c, uint32_t lin)
{
    /* A 4 MiB page may have entered any of its 4 KiB pages. */
    if (c->cr4 & CR4_PSE)
        tlb_flush_range(&c->tlb, lin & 0xffc00000u, 0x400000u);
    else
        tlb_flush_va(&c->tlb, lin);
    c->fast_valid = false;
}

void x86_mem_flush(struct x86_cpu *c)
{
    x86_tlb_flush(c);
    dcache_flush(&c->dc);
}

static void on_code_marked(void *opaque, uint64_t ppage)
{
    struct x86_cpu *c = opaque;
    tlb_flush_phys_page(&c->tlb, TLB_WRITE, ppage);
}

static void on_code_written(void *opaque, uint64_t ppage)
{
    struct x86_cpu *c = opaque;
    dcache_invalidate_phys_page(&c->dc, ppage);
}

int x86_mem_init(struct x86_cpu *c, struct orr_error *err)
{
    /* One record per byte: an instruction may start anywhere. */
    if (dcache_init(&c->dc, sizeof(struct x86_rec), GUEST_PAGE_SIZE, 256, err))
        return -1;
    c->a20m = false;
    c->a20_mask = 0xffffffffu;
    x86_tlb_flush(c);
    struct bus_listener l = { .opaque = c, .code_marked = on_code_marked,
                              .code_written = on_code_written };
    if (bus_add_listener(c->cpu.bus, &l)) {
        dcache_destroy(&c->dc);
        return orr_fail(err, "x86: too many bus listeners");
    }
    return 0;
}
