/* Conformance runner for the SingleStepTests MOO vectors (80286 real mode
 * and 80386 real mode samples).
 *
 * A MOO file is a chain of chunks {4-byte id, u32 length, payload}: "MOO "
 * (version, test count, CPU id), optional "META", then one "TEST" per test
 * holding NAME, BYTS, INIT and FINA (each with REGS or RG32, and RAM ),
 * optional EXCP (vector, address of the pushed flags) and HASH.
 *
 * Each test loads the initial registers and RAM bytes into a CPU on a
 * private bus (16 MiB of RAM, as the vectors assume), runs until the HLT
 * that ends every test, and compares every register (the final state lists
 * the changed ones) and every RAM byte the final state lists. Flags the
 * vectors leave undefined are masked with metadata.json's per-opcode mask.
 * The i386 semantics run for both CPUs; docs/isa-x86.md lists where an
 * 80286 differs. */
#include "isa-x86/conformance_x86.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "isa-x86/x86.h"
#include "isa-x86/x86_internal.h"
#include "machine/bus.h"

#define RAM_SIZE (16u << 20)
#define MAX_FILE (64u << 20)
#define MAX_RAM 512
#define RUN_BUDGET 400000u

/* Register numbering of the vectors: REGS (16-bit) and RG32. */
enum { R16_COUNT = 14, R32_COUNT = 20 };
static const char *const r16_names[R16_COUNT] = {
    "ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di", "ip", "flags",
};
static const char *const r32_names[R32_COUNT] = {
    "cr0", "cr3", "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp",
    "cs", "ds", "es", "fs", "gs", "ss", "eip", "eflags", "dr6", "dr7",
};

struct moo_state {
    bool wide;                 /* RG32 */
    uint32_t mask;             /* registers present */
    uint32_t reg[R32_COUNT];
    unsigned nram;
    uint32_t ram_addr[MAX_RAM];
    uint8_t ram_val[MAX_RAM];
};

struct moo_test {
    char name[64];
    uint8_t bytes[16];
    unsigned nbytes;
    struct moo_state init, fin;
    bool has_exc;
    uint8_t exc_vector;
    uint32_t exc_flag_addr;
};

struct cursor { const uint8_t *p; size_t left; bool bad; };

static uint32_t get_u(struct cursor *c, unsigned n)
{
    if (c->left < n) {
        c->bad = true;
        return 0;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint32_t)c->p[i] << (8 * i);
    c->p += n;
    c->left -= n;
    return v;
}

/* The next chunk of c: its id and a cursor over its payload. */
static bool next_chunk(struct cursor *c, char id[5], struct cursor *payload)
{
    if (c->left < 8)
        return false;
    memcpy(id, c->p, 4);
    id[4] = '\0';
    c->p += 4;
    c->left -= 4;
    uint32_t len = get_u(c, 4);
    if (len > c->left) {
        c->bad = true;
        return false;
    }
    *payload = (struct cursor){ c->p, len, false };
    c->p += len;
    c->left -= len;
    return true;
}

static int parse_state(struct cursor *c, struct moo_state *s)
{
    char id[5];
    struct cursor p;
    while (next_chunk(c, id, &p)) {
        if (strcmp(id, "REGS") == 0 || strcmp(id, "RG32") == 0) {
            s->wide = id[1] == 'G';
            unsigned n = s->wide ? R32_COUNT : R16_COUNT, w = s->wide ? 4 : 2;
            s->mask = get_u(&p, w);
            for (unsigned i = 0; i < n; i++)
                if (s->mask & (1u << i))
                    s->reg[i] = get_u(&p, w);
        } else if (strcmp(id, "RAM ") == 0) {
            uint32_t n = get_u(&p, 4);
            if (n > MAX_RAM)
                return -1;
            s->nram = n;
            for (uint32_t i = 0; i < n; i++) {
                s->ram_addr[i] = get_u(&p, 4);
                s->ram_val[i] = (uint8_t)get_u(&p, 1);
            }
        }
        if (p.bad)
            return -1;
    }
    return c->bad ? -1 : 0;
}

static int parse_test(struct cursor *c, struct moo_test *t)
{
    memset(t, 0, sizeof *t);
    (void)get_u(c, 4);   /* index */
    char id[5];
    struct cursor p;
    unsigned seen = 0;
    while (next_chunk(c, id, &p)) {
        if (strcmp(id, "NAME") == 0) {
            uint32_t n = get_u(&p, 4);
            if (n > p.left)
                return -1;
            snprintf(t->name, sizeof t->name, "%.*s", (int)n, (const char *)p.p);
        } else if (strcmp(id, "BYTS") == 0) {
            uint32_t n = get_u(&p, 4);
            if (n > p.left)
                return -1;
            t->nbytes = n < sizeof t->bytes ? n : sizeof t->bytes;
            memcpy(t->bytes, p.p, t->nbytes);
        } else if (strcmp(id, "INIT") == 0) {
            if (parse_state(&p, &t->init))
                return -1;
            seen |= 1;
        } else if (strcmp(id, "FINA") == 0) {
            if (parse_state(&p, &t->fin))
                return -1;
            seen |= 2;
        } else if (strcmp(id, "EXCP") == 0) {
            t->has_exc = true;
            t->exc_vector = (uint8_t)get_u(&p, 1);
            t->exc_flag_addr = get_u(&p, 4);
        }
        if (p.bad)
            return -1;
    }
    return (seen == 3 && !c->bad) ? 0 : -1;
}

/* ---- metadata.json ------------------------------------------------------ */

/* A minimal reader for the one shape needed: nested objects of strings and
 * numbers. Returns the position after the value starting at i (or len). */
static size_t skip_ws(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
        i++;
    return i;
}

static size_t skip_value(const char *s, size_t len, size_t i)
{
    i = skip_ws(s, len, i);
    if (i >= len)
        return len;
    if (s[i] == '"') {
        for (i++; i < len && s[i] != '"'; i++)
            if (s[i] == '\\')
                i++;
        return i < len ? i + 1 : len;
    }
    if (s[i] == '{' || s[i] == '[') {
        char open = s[i], close = open == '{' ? '}' : ']';
        i++;
        for (;;) {
            i = skip_ws(s, len, i);
            if (i >= len)
                return len;
            if (s[i] == close)
                return i + 1;
            if (s[i] == ',') {
                i++;
                continue;
            }
            i = skip_value(s, len, i);
            i = skip_ws(s, len, i);
            if (open == '{' && i < len && s[i] == ':')
                i = skip_value(s, len, i + 1);
        }
    }
    while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ']')
        i++;
    return i;
}

/* The value of key in the object at [i, end): its start, or 0. */
static size_t find_key(const char *s, size_t len, size_t i, const char *key)
{
    i = skip_ws(s, len, i);
    if (i >= len || s[i] != '{')
        return 0;
    i++;
    size_t klen = strlen(key);
    for (;;) {
        i = skip_ws(s, len, i);
        if (i >= len || s[i] == '}')
            return 0;
        if (s[i] == ',') {
            i++;
            continue;
        }
        size_t kstart = i;
        i = skip_value(s, len, i);
        bool match = i - kstart == klen + 2 && s[kstart] == '"' &&
                     strncmp(s + kstart + 1, key, klen) == 0;
        i = skip_ws(s, len, i);
        if (i >= len || s[i] != ':')
            return 0;
        if (match)
            return skip_ws(s, len, i + 1);
        i = skip_value(s, len, i + 1);
    }
}

uint16_t x86_metadata_flags_mask(const char *json, size_t len, const char *name)
{
    char op[8], reg[4] = "";
    const char *dot = strchr(name, '.');
    if (dot) {
        snprintf(op, sizeof op, "%.*s", (int)(dot - name), name);
        snprintf(reg, sizeof reg, "%s", dot + 1);
    } else {
        snprintf(op, sizeof op, "%s", name);
    }
    size_t at = find_key(json, len, 0, "opcodes");
    if (at)
        at = find_key(json, len, at, op);
    if (at && reg[0]) {
        size_t r = find_key(json, len, at, "reg");
        if (r)
            r = find_key(json, len, r, reg);
        if (r)
            at = r;
    }
    if (at)
        at = find_key(json, len, at, "flags-mask");
    if (!at)
        return 0xffff;
    return (uint16_t)strtoul(json + at, NULL, 10);
}

/* ---- running ------------------------------------------------------------ */

static int read_gz(const char *path, uint8_t **data, size_t *len, struct orr_error *err)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return orr_fail(err, "%s: cannot open", path);
    size_t cap = 1u << 20, n = 0;
    uint8_t *buf = malloc(cap);
    int got;
    while (buf && (got = gzread(f, buf + n, (unsigned)(cap - n))) > 0) {
        n += (size_t)got;
        if (n == cap) {
            if (cap >= MAX_FILE) {
                free(buf);
                gzclose(f);
                return orr_fail(err, "%s: larger than %u MiB", path, MAX_FILE >> 20);
            }
            uint8_t *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    int bad = !buf || gzclose(f) != Z_OK;
    if (bad) {
        free(buf);
        return orr_fail(err, "%s: cannot read (gzip)", path);
    }
    *data = buf;
    *len = n;
    return 0;
}

/* The metadata.json beside path, or NULL. */
static char *read_metadata(const char *path, size_t *len)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    char meta[4200];
    snprintf(meta, sizeof meta, "%s/metadata.json", dir);
    FILE *f = fopen(meta, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1u << 20);
    size_t n = buf ? fread(buf, 1, (1u << 20) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

/* The value of 16-bit register i (REGS order) in a state. */
static uint32_t r16_of(const struct x86_cpu *c, unsigned i)
{
    switch (i) {
    case 0: return c->gpr[EAX] & 0xffffu;
    case 1: return c->gpr[EBX] & 0xffffu;
    case 2: return c->gpr[ECX] & 0xffffu;
    case 3: return c->gpr[EDX] & 0xffffu;
    case 4: return c->seg[SEG_CS].sel;
    case 5: return c->seg[SEG_SS].sel;
    case 6: return c->seg[SEG_DS].sel;
    case 7: return c->seg[SEG_ES].sel;
    case 8: return c->gpr[ESP] & 0xffffu;
    case 9: return c->gpr[EBP] & 0xffffu;
    case 10: return c->gpr[ESI] & 0xffffu;
    case 11: return c->gpr[EDI] & 0xffffu;
    case 12: return c->eip & 0xffffu;
    default: return x86_get_flags((struct x86_cpu *)c) & 0xffffu;
    }
}

static const int8_t r32_gpr[R32_COUNT] = {
    -1, -1, EAX, EBX, ECX, EDX, ESI, EDI, EBP, ESP, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};
static const int8_t r32_seg[R32_COUNT] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS,
    -1, -1, -1, -1,
};

static uint32_t r32_of(const struct x86_cpu *c, unsigned i)
{
    if (r32_gpr[i] >= 0)
        return c->gpr[r32_gpr[i]];
    if (r32_seg[i] >= 0)
        return c->seg[r32_seg[i]].sel;
    switch (i) {
    case 16: return c->eip;
    case 17: return x86_get_flags((struct x86_cpu *)c);
    default: return 0;
    }
}

/* The flags bits an 80286 in real mode shows: IOPL, NT and bit 15 read 0
 * there, whatever POPF/IRET popped (an i386 loads IOPL and NT). The
 * 80386 vectors' EFLAGS carry bits above VM that no 386 has: compared
 * through the 386's defined bits only. */
#define FLAGS_286 0x0fd7u
#define FLAGS_386 0x00037fd7u

static void load_initial(struct x86_cpu *c, const struct moo_state *s)
{
    struct cpu *cpu = &c->cpu;
    cpu->ops->reset(cpu);
    if (s->wide) {
        for (unsigned i = 0; i < R32_COUNT; i++) {
            if (r32_gpr[i] >= 0)
                c->gpr[r32_gpr[i]] = s->reg[i];
            else if (r32_seg[i] >= 0)
                x86_set_seg_real(c, (unsigned)r32_seg[i], (uint16_t)s->reg[i]);
        }
        c->eip = c->next_eip = s->reg[16];
        c->eflags = (s->reg[17] & FLAGS_386 & ~(FL_VM | FL_RF)) | FL_R1;
    } else {
        static const uint8_t gpr16[R16_COUNT] = { EAX, EBX, ECX, EDX, 0, 0, 0, 0, ESP, EBP, ESI, EDI };
        for (unsigned i = 0; i < 12; i++)
            if (i < 4 || i >= 8)
                c->gpr[gpr16[i]] = s->reg[i];
        x86_set_seg_real(c, SEG_CS, (uint16_t)s->reg[4]);
        x86_set_seg_real(c, SEG_SS, (uint16_t)s->reg[5]);
        x86_set_seg_real(c, SEG_DS, (uint16_t)s->reg[6]);
        x86_set_seg_real(c, SEG_ES, (uint16_t)s->reg[7]);
        c->eip = c->next_eip = s->reg[12];
        c->eflags = (s->reg[13] & FLAGS_286) | FL_R1;
    }
    c->lf_op = LF_NONE;
    c->fast_valid = false;
}

/* The expected value of a register (REGS/RG32 index i) after the test. */
static uint32_t expected(const struct moo_test *t, unsigned i)
{
    return (t->fin.mask & (1u << i)) ? t->fin.reg[i] : t->init.reg[i];
}

static bool compare(struct x86_cpu *c, struct bus *bus, const struct moo_test *t,
                    uint16_t flags_mask, char *msg, size_t n)
{
    const struct moo_state *in = &t->init, *fin = &t->fin;
    /* Where the exception pushed FLAGS (above IP and CS): the vectors'
     * EXCP address is rounded down to even, so it is found from the
     * final SS:SP instead. */
    uint32_t flag_lin = 0;
    if (t->has_exc) {
        uint32_t ss = in->wide ? expected(t, 15) : expected(t, 5);
        uint32_t sp = in->wide ? expected(t, 9) : expected(t, 8);
        flag_lin = ((ss & 0xffffu) << 4) + ((sp + 4) & 0xffffu);
    }
    if (in->wide) {
        for (unsigned i = 2; i < 18; i++) {
            uint32_t want = (fin->mask & (1u << i)) ? fin->reg[i] : in->reg[i];
            uint32_t got = r32_of(c, i), m = 0xffffffffu;
            if (r32_seg[i] >= 0)
                m = 0xffffu;
            if (i == 17)
                m = FLAGS_386 & (0xffff0000u | flags_mask);
            if ((got ^ want) & m) {
                snprintf(msg, n, "%s = 0x%08x, expected 0x%08x", r32_names[i], got & m, want & m);
                return false;
            }
        }
    } else {
        for (unsigned i = 0; i < R16_COUNT; i++) {
            uint32_t want = (fin->mask & (1u << i)) ? fin->reg[i] : in->reg[i];
            uint32_t got = r16_of(c, i), m = 0xffffu;
            if (i == 13)
                m = FLAGS_286 & flags_mask;
            if ((got ^ want) & m) {
                snprintf(msg, n, "%s = 0x%04x, expected 0x%04x", r16_names[i], got & m, want & m);
                return false;
            }
        }
    }
    for (unsigned i = 0; i < fin->nram; i++) {
        uint8_t b = 0;
        uint32_t a = fin->ram_addr[i];
        if (bus_read_block(bus, a, &b, 1) != 0) {
            snprintf(msg, n, "RAM 0x%06x unreadable", a);
            return false;
        }
        uint8_t m = 0xff;
        /* The flags an exception pushed hold the undefined ones too. */
        if (t->has_exc && (a == flag_lin || a == flag_lin + 1)) {
            uint16_t fm = (uint16_t)((in->wide ? FLAGS_386 : FLAGS_286) & flags_mask);
            m = (uint8_t)(a == flag_lin ? fm : fm >> 8);
        }
        if ((b ^ fin->ram_val[i]) & m) {
            snprintf(msg, n, "RAM 0x%06x = 0x%02x, expected 0x%02x", a, b & m,
                     fin->ram_val[i] & m);
            return false;
        }
    }
    return true;
}

const char *const x86_difference_names[X86_DIFF_COUNT] = {
    [X86_DIFF_LOCK] = "LOCK ignored",
    [X86_DIFF_STACK_13] = "stack overrun is interrupt 13",
    [X86_DIFF_LENGTH_10] = "10-byte instruction limit",
    [X86_DIFF_FS_GS] = "no FS/GS",
    [X86_DIFF_STRING_WRAP] = "string word wraps at 0xFFFF",
};

static bool is_prefix(uint8_t b)
{
    return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0xf0 || b == 0xf2 ||
           b == 0xf3;
}

/* The documented 80286-vs-i386 class a failed test belongs to (see enum
 * x86_difference), or -1. core_exc: the exception the core raised (0xff:
 * none). */
static int difference_class(const struct moo_test *t, unsigned core_exc)
{
    unsigned i = 0;
    bool lock = false;
    while (i < t->nbytes && is_prefix(t->bytes[i]))
        lock |= t->bytes[i++] == 0xf0;
    if (i >= t->nbytes)
        return -1;
    uint8_t op = t->bytes[i];
    unsigned reg = i + 1 < t->nbytes ? (t->bytes[i + 1] >> 3) & 7 : 0;
    unsigned want = t->has_exc ? t->exc_vector : 0xff;
    if (lock && core_exc == X86_UD && want != X86_UD)
        return X86_DIFF_LOCK;
    if (core_exc == X86_SS && want == X86_GP)
        return X86_DIFF_STACK_13;
    if (want == X86_GP && core_exc == 0xff && t->nbytes - 1 > 10)
        return X86_DIFF_LENGTH_10;
    if (want == X86_UD && core_exc == 0xff && (op == 0x8c || op == 0x8e) && (reg == 4 || reg == 5))
        return X86_DIFF_FS_GS;
    /* A word string instruction with SI or DI at FFFFh. */
    bool word_string = ((op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf) ||
                        (op >= 0x6c && op <= 0x6f)) && (op & 1);
    bool at_end = !t->init.wide && ((t->init.reg[10] & 0xffffu) == 0xffffu ||
                                    (t->init.reg[11] & 0xffffu) == 0xffffu);
    if (word_string && at_end && (core_exc == X86_GP || core_exc == X86_SS))
        return X86_DIFF_STRING_WRAP;
    return -1;
}

static void clear_ram(struct bus *bus, const struct moo_state *s)
{
    static const uint8_t zero = 0;
    for (unsigned i = 0; i < s->nram; i++)
        (void)bus_write_block(bus, s->ram_addr[i], &zero, 1, false);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int x86_conformance_file(const char *path, struct x86_conformance_result *res,
                         struct orr_error *err)
{
    memset(res, 0, sizeof *res);
    uint8_t *data = NULL;
    size_t len = 0;
    if (ends_with(path, ".gz")) {
        if (read_gz(path, &data, &len, err))
            return -1;
    } else {
        FILE *f = fopen(path, "rb");
        if (!f)
            return orr_fail(err, "%s: cannot open", path);
        data = malloc(MAX_FILE);
        len = data ? fread(data, 1, MAX_FILE, f) : 0;
        fclose(f);
        if (!data)
            return orr_fail(err, "out of memory");
    }
    /* The opcode name: the file name without .MOO(.gz). */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char name[32];
    snprintf(name, sizeof name, "%s", base);
    char *ext = strstr(name, ".MOO");
    if (ext)
        *ext = '\0';
    size_t mlen = 0;
    char *meta = read_metadata(path, &mlen);
    uint16_t flags_mask = meta ? x86_metadata_flags_mask(meta, mlen, name) : 0xffff;
    free(meta);

    struct bus bus;
    bus_init(&bus, NULL);
    struct moo_test *t = calloc(1, sizeof *t);
    struct cpu *cpu = NULL;
    int ret = -1;
    struct cursor cur = { data, len, false };
    char id[5];
    struct cursor p;
    if (!t) {
        orr_fail(err, "out of memory");
        goto out;
    }
    if (!next_chunk(&cur, id, &p) || strcmp(id, "MOO ") != 0) {
        orr_fail(err, "%s: not a MOO file", path);
        goto out;
    }
    if (bus_add_ram(&bus, "ram", 0, RAM_SIZE, err))
        goto out;
    /* i386 semantics for every suite (docs/isa-x86.md). */
    const struct cpu_model *model = x86_cpu_models[0];
    struct cpu_config cfg = { .bus = &bus };
    if (model->create(model, &cfg, &cpu, err))
        goto out;
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    unsigned index = 0;
    while (next_chunk(&cur, id, &p)) {
        if (strcmp(id, "TEST") != 0)
            continue;
        if (parse_test(&p, t)) {
            orr_fail(err, "%s: test %u malformed", path, index);
            goto out;
        }
        load_initial(c, &t->init);
        for (unsigned i = 0; i < t->init.nram; i++)
            if (bus_write_block(&bus, t->init.ram_addr[i], &t->init.ram_val[i], 1, false)) {
                orr_fail(err, "%s: test %u: RAM address 0x%x outside 16 MiB", path, index,
                         t->init.ram_addr[i]);
                goto out;
            }
        c->exc.vector = 0xff;
        c->exc.has_code = false;
        /* The instruction under test first, to see what it raised. */
        struct cpu_run_result rr = cpu->ops->run(cpu, 1);
        unsigned core_exc = c->exc.vector;
        if (rr.reason == CPU_STOP_BUDGET)
            rr = cpu->ops->run(cpu, RUN_BUDGET);
        char msg[160];
        bool ok;
        if (rr.reason != CPU_STOP_IDLE) {
            snprintf(msg, sizeof msg, "did not reach HLT (%s)", cpu_stop_name(rr.reason));
            ok = false;
        } else {
            ok = compare(c, &bus, t, flags_mask, msg, sizeof msg);
        }
        int diff = ok ? -1 : difference_class(t, core_exc);
        if (ok) {
            res->passed++;
        } else if (diff >= 0) {
            res->differ[diff]++;
        } else {
            if (res->failed == 0)
                snprintf(res->first_failure, sizeof res->first_failure, "test %u (%.40s): %.160s",
                         index, t->name, msg);
            res->failed++;
        }
        clear_ram(&bus, &t->init);
        clear_ram(&bus, &t->fin);
        index++;
    }
    if (cur.bad) {
        orr_fail(err, "%s: truncated", path);
        goto out;
    }
    ret = 0;
out:
    if (cpu)
        cpu->ops->destroy(cpu);
    bus_destroy(&bus);
    free(t);
    free(data);
    return ret;
}
