#include "machine/state.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const char state_magic[8] = { 'O', 'R', 'R', 'S', 'T', 'A', 'T', 'E' };

/* ---- writer ---- */

static void w_reserve(struct state_writer *w, size_t more)
{
    if (w->failed)
        return;
    if (more > SIZE_MAX - w->len) {
        w->failed = true;
        return;
    }
    size_t need = w->len + more;
    if (need <= w->cap)
        return;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *n = realloc(w->buf, cap);
    if (!n) {
        w->failed = true;
        return;
    }
    w->buf = n;
    w->cap = cap;
}

static void w_raw(struct state_writer *w, const void *p, size_t len)
{
    w_reserve(w, len);
    if (w->failed)
        return;
    if (len)
        memcpy(w->buf + w->len, p, len);
    w->len += len;
}

static void w_le(struct state_writer *w, uint64_t v, unsigned bytes)
{
    uint8_t b[8];
    for (unsigned i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    w_raw(w, b, bytes);
}

void state_writer_init(struct state_writer *w)
{
    memset(w, 0, sizeof *w);
    w_raw(w, state_magic, sizeof state_magic);
    w_le(w, STATE_FORMAT_VERSION, 4);
}

void state_writer_free(struct state_writer *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}

void state_begin(struct state_writer *w, const char *tag, uint32_t version)
{
    size_t n = strlen(tag);
    if (n == 0 || n > STATE_TAG_MAX || w->section_start) {
        w->failed = true;
        return;
    }
    w_le(w, n, 1);
    w_raw(w, tag, n);
    w_le(w, version, 4);
    w->section_start = w->len;
    w_le(w, 0, 8);  /* payload length, patched by state_end */
}

void state_end(struct state_writer *w)
{
    if (!w->section_start) {
        w->failed = true;
        return;
    }
    if (!w->failed) {
        uint64_t payload = w->len - w->section_start - 8;
        for (unsigned i = 0; i < 8; i++)
            w->buf[w->section_start + i] = (uint8_t)(payload >> (8 * i));
    }
    w->section_start = 0;
}

void state_put_u8(struct state_writer *w, uint8_t v) { w_le(w, v, 1); }
void state_put_u16(struct state_writer *w, uint16_t v) { w_le(w, v, 2); }
void state_put_u32(struct state_writer *w, uint32_t v) { w_le(w, v, 4); }
void state_put_u64(struct state_writer *w, uint64_t v) { w_le(w, v, 8); }
void state_put_bool(struct state_writer *w, bool v) { w_le(w, v ? 1 : 0, 1); }

void state_put_bytes(struct state_writer *w, const void *p, size_t len)
{
    w_le(w, len, 8);
    w_raw(w, p, len);
}

int state_put_zblob(struct state_writer *w, const void *p, size_t len)
{
    uLong bound = compressBound((uLong)len);
    if ((size_t)bound < len) {  /* uLong narrower than size_t */
        w->failed = true;
        return -1;
    }
    w_le(w, len, 8);
    size_t len_pos = w->len;
    w_le(w, 0, 8);
    w_reserve(w, bound);
    if (w->failed)
        return -1;
    uLongf packed = bound;
    if (compress2(w->buf + w->len, &packed, p, (uLong)len, Z_BEST_SPEED) != Z_OK) {
        w->failed = true;
        return -1;
    }
    w->len += packed;
    for (unsigned i = 0; i < 8; i++)
        w->buf[len_pos + i] = (uint8_t)((uint64_t)packed >> (8 * i));
    return 0;
}

int state_writer_finish(struct state_writer *w, struct orr_error *err)
{
    if (w->section_start)
        w->failed = true;
    state_begin(w, "end", 1);
    state_end(w);
    if (w->failed)
        return orr_fail(err, "save state: out of memory or malformed sections");
    return 0;
}

/* ---- reader ---- */

static bool r_take(struct state_reader *r, size_t n, size_t limit, const uint8_t **p)
{
    if (r->failed || n > limit - r->pos) {
        r->failed = true;
        return false;
    }
    *p = r->buf + r->pos;
    r->pos += n;
    return true;
}

static uint64_t r_le(struct state_reader *r, unsigned bytes, size_t limit)
{
    const uint8_t *p;
    if (!r_take(r, bytes, limit, &p))
        return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

int state_reader_init(struct state_reader *r, const void *buf, size_t len,
                      struct orr_error *err)
{
    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->len = len;
    r->err = err;
    if (len < 12 || memcmp(buf, state_magic, sizeof state_magic) != 0)
        return orr_fail(err, "not an Orrery save state");
    r->pos = 8;
    uint32_t version = (uint32_t)r_le(r, 4, len);
    if (version != STATE_FORMAT_VERSION)
        return orr_fail(err, "save state format %u is not supported (this build reads %u)",
                        version, STATE_FORMAT_VERSION);
    r->section_end = r->pos;
    return 0;
}

int state_reader_next(struct state_reader *r)
{
    r->pos = r->section_end;
    r->failed = false;
    unsigned n = (unsigned)r_le(r, 1, r->len);
    const uint8_t *tag;
    if (r->failed || n == 0 || n > STATE_TAG_MAX || !r_take(r, n, r->len, &tag)) {
        orr_fail(r->err, "save state is truncated or corrupt");
        return -1;
    }
    memcpy(r->tag, tag, n);
    r->tag[n] = '\0';
    r->version = (uint32_t)r_le(r, 4, r->len);
    uint64_t payload = r_le(r, 8, r->len);
    if (r->failed || payload > r->len - r->pos) {
        orr_fail(r->err, "save state section %s is truncated", r->tag);
        return -1;
    }
    r->section_end = r->pos + (size_t)payload;
    return strcmp(r->tag, "end") == 0 ? 0 : 1;
}

int state_reader_find(struct state_reader *r, const char *tag)
{
    r->section_end = 12;
    for (;;) {
        int rc = state_reader_next(r);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            orr_fail(r->err, "save state has no section %s", tag);
            return -1;
        }
        if (strcmp(r->tag, tag) == 0)
            return 0;
    }
}

uint8_t state_get_u8(struct state_reader *r) { return (uint8_t)r_le(r, 1, r->section_end); }
uint16_t state_get_u16(struct state_reader *r) { return (uint16_t)r_le(r, 2, r->section_end); }
uint32_t state_get_u32(struct state_reader *r) { return (uint32_t)r_le(r, 4, r->section_end); }
uint64_t state_get_u64(struct state_reader *r) { return r_le(r, 8, r->section_end); }

bool state_get_bool(struct state_reader *r)
{
    uint8_t v = state_get_u8(r);
    if (v > 1)
        r->failed = true;
    return v == 1;
}

void state_get_bytes(struct state_reader *r, void *p, size_t len)
{
    uint64_t stored = state_get_u64(r);
    const uint8_t *src;
    if (stored != len) {
        r->failed = true;
        memset(p, 0, len);
        return;
    }
    if (!r_take(r, len, r->section_end, &src)) {
        memset(p, 0, len);
        return;
    }
    memcpy(p, src, len);
}

int state_get_zblob(struct state_reader *r, void *p, size_t len)
{
    uint64_t raw = state_get_u64(r);
    uint64_t packed = state_get_u64(r);
    const uint8_t *src;
    if (r->failed || raw != len || !r_take(r, (size_t)packed, r->section_end, &src)) {
        r->failed = true;
        return orr_fail(r->err, "save state section %s: blob size mismatch", r->tag);
    }
    uLongf out = (uLongf)len;
    if (uncompress(p, &out, src, (uLong)packed) != Z_OK || out != len) {
        r->failed = true;
        return orr_fail(r->err, "save state section %s: corrupt compressed data", r->tag);
    }
    return 0;
}

int state_reader_check(struct state_reader *r)
{
    if (r->failed)
        return orr_fail(r->err, "save state section %s (version %u) is truncated or corrupt",
                        r->tag, r->version);
    return 0;
}
