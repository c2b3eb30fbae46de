/* Save-state streams (format in machine/state.h). The writer builds the
 * whole image in memory, with sticky failure: a put after an allocation
 * failure or a misuse (nested sections, a tag too long) is ignored and
 * state_writer_finish reports it. The reader checks every length against
 * the section or the buffer; a failed get returns zero, marks the section
 * failed, and state_reader_check turns that into a message. */
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

/* Deflates straight into the writer's buffer, growing it as output comes,
 * so a large, mostly empty RAM never needs a worst-case-sized buffer. The
 * input is fed in pieces because zlib counts in 32-bit uInt. */
#define ZCHUNK ((size_t)1 << 20)

int state_put_zblob(struct state_writer *w, const void *p, size_t len)
{
    w_le(w, len, 8);
    size_t len_pos = w->len;
    w_le(w, 0, 8);
    if (w->failed)
        return -1;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit(&zs, Z_BEST_SPEED) != Z_OK) {
        w->failed = true;
        return -1;
    }
    const uint8_t *in = p;
    size_t left = len;
    size_t start = w->len;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        if (zs.avail_in == 0 && left) {
            size_t n = left < ZCHUNK ? left : ZCHUNK;
            zs.next_in = (Bytef *)(uintptr_t)in;
            zs.avail_in = (uInt)n;
            in += n;
            left -= n;
        }
        w_reserve(w, ZCHUNK / 4);
        if (w->failed)
            break;
        zs.next_out = w->buf + w->len;
        zs.avail_out = (uInt)(w->cap - w->len < ZCHUNK ? w->cap - w->len : ZCHUNK);
        uInt before = zs.avail_out;
        rc = deflate(&zs, left || zs.avail_in ? Z_NO_FLUSH : Z_FINISH);
        w->len += before - zs.avail_out;
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            w->failed = true;
            break;
        }
    }
    deflateEnd(&zs);
    if (w->failed)
        return -1;
    uint64_t packed = w->len - start;
    for (unsigned i = 0; i < 8; i++)
        w->buf[len_pos + i] = (uint8_t)(packed >> (8 * i));
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

/* Inflates in pieces (zlib counts in 32-bit uInt). The data must inflate
 * to exactly len bytes and end exactly at the blob's end. */
int state_get_zblob(struct state_reader *r, void *p, size_t len)
{
    uint64_t raw = state_get_u64(r);
    uint64_t packed = state_get_u64(r);
    const uint8_t *src;
    if (r->failed || raw != len || !r_take(r, (size_t)packed, r->section_end, &src)) {
        r->failed = true;
        return orr_fail(r->err, "save state section %s: blob size mismatch", r->tag);
    }
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK) {
        r->failed = true;
        return orr_fail(r->err, "save state section %s: out of memory", r->tag);
    }
    uint8_t *out = p;
    uint8_t none;
    zs.next_out = len ? out : &none;   /* zlib wants a buffer even for nothing */
    size_t in_left = (size_t)packed, out_left = len;
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (zs.avail_in == 0 && in_left) {
            size_t n = in_left < ZCHUNK ? in_left : ZCHUNK;
            zs.next_in = (Bytef *)(uintptr_t)src;
            zs.avail_in = (uInt)n;
            src += n;
            in_left -= n;
        }
        if (zs.avail_out == 0 && out_left) {
            size_t n = out_left < ZCHUNK ? out_left : ZCHUNK;
            zs.next_out = out;
            zs.avail_out = (uInt)n;
            out += n;
            out_left -= n;
        }
        uInt in_before = zs.avail_in, out_before = zs.avail_out;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc == Z_BUF_ERROR && (in_before != zs.avail_in || out_before != zs.avail_out))
            rc = Z_OK;     /* progress was made; keep going */
    }
    bool ok = rc == Z_STREAM_END && zs.total_out == len && zs.avail_out == 0 &&
              out_left == 0 && zs.avail_in == 0 && in_left == 0;
    inflateEnd(&zs);
    if (!ok) {
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
