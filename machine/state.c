/* Save-state streams (format in machine/state.h). The writer builds the
 * whole image in memory, with sticky failure: a put after an allocation
 * failure or a misuse (nested sections, a tag too long) is ignored and
 * state_writer_finish reports it. The reader checks every length against
 * the section or the buffer; a failed get returns zero, marks the section
 * failed, and state_reader_check turns that into a message. */
#include "machine/state.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "cpu/le.h"

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

/* Feeds len bytes at in to the deflate stream, the output going straight
 * into the writer; with finish set, ends the stream after them. */
static int z_feed(struct state_writer *w, z_stream *zs, const uint8_t *in, size_t len,
                  bool finish)
{
    int rc = Z_OK;
    for (;;) {
        if (zs->avail_in == 0 && len) {
            size_t n = len < ZCHUNK ? len : ZCHUNK;
            zs->next_in = (Bytef *)(uintptr_t)in;
            zs->avail_in = (uInt)n;
            in += n;
            len -= n;
        }
        bool last = finish && len == 0;
        if (zs->avail_in == 0 && !last)
            return 0;
        w_reserve(w, ZCHUNK / 4);
        if (w->failed)
            return -1;
        zs->next_out = w->buf + w->len;
        zs->avail_out = (uInt)(w->cap - w->len < ZCHUNK ? w->cap - w->len : ZCHUNK);
        uInt before = zs->avail_out;
        rc = deflate(zs, last && zs->avail_in == 0 ? Z_FINISH : Z_NO_FLUSH);
        w->len += before - zs->avail_out;
        if (rc == Z_STREAM_END)
            return 0;
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            w->failed = true;
            return -1;
        }
    }
}

/* One deflate stream over the given pieces, as u64 raw length, u64 packed
 * length, data. */
static int put_zpieces(struct state_writer *w, const uint8_t *const *pieces, size_t count,
                       size_t piece_len, bool raw)
{
    w_le(w, (uint64_t)count * piece_len, 8);
    size_t len_pos = w->len;
    w_le(w, 0, 8);
    if (w->failed)
        return -1;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, raw ? -15 : 15, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        w->failed = true;
        return -1;
    }
    size_t start = w->len;
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++)
        rc = z_feed(w, &zs, pieces[i], piece_len, false);
    if (rc == 0)
        rc = z_feed(w, &zs, NULL, 0, true);
    deflateEnd(&zs);
    if (rc || w->failed)
        return -1;
    uint64_t packed = w->len - start;
    for (unsigned i = 0; i < 8; i++)
        w->buf[len_pos + i] = (uint8_t)(packed >> (8 * i));
    return 0;
}

int state_put_zblob(struct state_writer *w, const void *p, size_t len)
{
    const uint8_t *piece = p;
    return put_zpieces(w, &piece, 1, len, false);
}

static bool page_is_zero(const uint8_t *p, size_t len)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        acc |= v;
    }
    return acc == 0;
}

/* A shared work counter: threads take job numbers until none is left. */
struct job_pool {
    atomic_size_t next;
    size_t n;
    void (*fn)(void *ctx, size_t i);
    void *ctx;
};

static void *pool_worker(void *arg)
{
    struct job_pool *p = arg;
    for (size_t i; (i = atomic_fetch_add(&p->next, 1)) < p->n;)
        p->fn(p->ctx, i);
    return NULL;
}

#define MAX_THREADS 8

/* Runs fn(ctx, 0..n-1) on up to MAX_THREADS threads, the caller's
 * included; the calls must be independent. If threads cannot be started
 * the caller runs them all. */
static void parallel_for(size_t n, void (*fn)(void *ctx, size_t i), void *ctx)
{
    struct job_pool pool = { .n = n, .fn = fn, .ctx = ctx };
    atomic_init(&pool.next, 0);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t want = cpus > 1 ? (size_t)cpus : 1;
    if (want > MAX_THREADS)
        want = MAX_THREADS;
    if (want > n)
        want = n;
    pthread_t t[MAX_THREADS];
    size_t started = 0;
    for (; started + 1 < want; started++)
        if (pthread_create(&t[started], NULL, pool_worker, &pool) != 0)
            break;
    pool_worker(&pool);
    for (size_t i = 0; i < started; i++)
        pthread_join(t[i], NULL);
}

/* One chunk of a page set: its pages, and its deflated form. */
struct page_chunk {
    const uint8_t **pages;      /* into a shared array */
    size_t count;
    struct state_writer out;    /* raw length, packed length, data */
    /* reading: */
    const uint8_t *src;
    size_t packed;
    bool ok;
};

static void deflate_chunk(void *ctx, size_t i)
{
    struct page_chunk *c = (struct page_chunk *)ctx + i;
    memset(&c->out, 0, sizeof c->out);
    c->ok = put_zpieces(&c->out, c->pages, c->count, STATE_PAGE_SIZE, true) == 0 &&
            !c->out.failed;
}

static void inflate_chunk(void *ctx, size_t i);

int state_put_pages(struct state_writer *w, const void *p, size_t len)
{
    const uint8_t *base = p;
    size_t npages = len / STATE_PAGE_SIZE;
    if (len % STATE_PAGE_SIZE) {
        w->failed = true;
        return -1;
    }
    uint8_t *bitmap = calloc(npages / 8 + 1, 1);
    const uint8_t **pages = malloc((npages ? npages : 1) * sizeof *pages);
    size_t used = 0;
    if (bitmap && pages)
        for (size_t i = 0; i < npages; i++)
            if (!page_is_zero(base + i * STATE_PAGE_SIZE, STATE_PAGE_SIZE)) {
                bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
                pages[used++] = base + i * STATE_PAGE_SIZE;
            }
    size_t nchunks = (used + STATE_PAGES_PER_CHUNK - 1) / STATE_PAGES_PER_CHUNK;
    struct page_chunk *chunks = calloc(nchunks ? nchunks : 1, sizeof *chunks);
    if (!bitmap || !pages || !chunks) {
        free(bitmap);
        free(pages);
        free(chunks);
        w->failed = true;
        return -1;
    }
    for (size_t c = 0; c < nchunks; c++) {
        chunks[c].pages = pages + c * STATE_PAGES_PER_CHUNK;
        chunks[c].count = used - c * STATE_PAGES_PER_CHUNK < STATE_PAGES_PER_CHUNK
                              ? used - c * STATE_PAGES_PER_CHUNK : STATE_PAGES_PER_CHUNK;
    }
    parallel_for(nchunks, deflate_chunk, chunks);
    w_le(w, STATE_PAGE_SIZE, 4);
    state_put_bytes(w, bitmap, npages / 8 + 1);
    w_le(w, nchunks, 4);
    int rc = 0;
    for (size_t c = 0; c < nchunks; c++) {
        if (!chunks[c].ok)
            rc = -1;
        else
            w_raw(w, chunks[c].out.buf, chunks[c].out.len);
        free(chunks[c].out.buf);
    }
    free(bitmap);
    free(pages);
    free(chunks);
    if (rc)
        w->failed = true;
    return rc || w->failed ? -1 : 0;
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

/* Inflates one stream of `packed` bytes at src into the pieces, each
 * piece_len bytes (zlib counts in 32-bit uInt, so both sides go in pieces
 * of at most ZCHUNK). The data must fill them exactly and end exactly. */
static bool inflate_pieces(const uint8_t *src, size_t packed, uint8_t *const *pieces,
                           size_t count, size_t piece_len, bool raw)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, raw ? -15 : 15) != Z_OK)
        return false;
    uint8_t none;
    zs.next_out = &none;   /* zlib wants a buffer even for nothing */
    size_t in_left = packed, piece = 0, piece_left = count ? piece_len : 0;
    uint8_t *out = count ? pieces[0] : NULL;
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (zs.avail_in == 0 && in_left) {
            size_t n = in_left < ZCHUNK ? in_left : ZCHUNK;
            zs.next_in = (Bytef *)(uintptr_t)src;
            zs.avail_in = (uInt)n;
            src += n;
            in_left -= n;
        }
        if (zs.avail_out == 0) {
            if (piece_left == 0 && piece + 1 < count) {
                piece++;
                out = pieces[piece];
                piece_left = piece_len;
            }
            if (piece_left) {
                size_t n = piece_left < ZCHUNK ? piece_left : ZCHUNK;
                zs.next_out = out;
                zs.avail_out = (uInt)n;
                out += n;
                piece_left -= n;
            }
        }
        uInt in_before = zs.avail_in, out_before = zs.avail_out;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc == Z_BUF_ERROR && (in_before != zs.avail_in || out_before != zs.avail_out))
            rc = Z_OK;     /* progress was made; keep going */
    }
    bool ok = rc == Z_STREAM_END && zs.total_out == (uint64_t)count * piece_len &&
              zs.avail_out == 0 && piece_left == 0 && piece + 1 >= count &&
              zs.avail_in == 0 && in_left == 0;
    inflateEnd(&zs);
    return ok;
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
    uint8_t *piece = p;
    if (!inflate_pieces(src, (size_t)packed, &piece, 1, len, false)) {
        r->failed = true;
        return orr_fail(r->err, "save state section %s: corrupt compressed data", r->tag);
    }
    return 0;
}

int state_skip_zblob(struct state_reader *r)
{
    (void)state_get_u64(r);
    uint64_t packed = state_get_u64(r);
    const uint8_t *src;
    if (r->failed || !r_take(r, (size_t)packed, r->section_end, &src)) {
        r->failed = true;
        return orr_fail(r->err, "save state section %s is truncated", r->tag);
    }
    return 0;
}

/* The page set's layout: page size, bitmap, chunk count; checks them
 * against len. On success *bitmap points into the stream. */
static int pages_header(struct state_reader *r, size_t len, const uint8_t **bitmap,
                        uint32_t *nchunks, size_t *used)
{
    uint32_t page = state_get_u32(r);
    uint64_t blen = state_get_u64(r);
    size_t npages = len / STATE_PAGE_SIZE;
    if (r->failed || page != STATE_PAGE_SIZE || len % STATE_PAGE_SIZE ||
        blen != npages / 8 + 1 || !r_take(r, (size_t)blen, r->section_end, bitmap)) {
        r->failed = true;
        return orr_fail(r->err, "save state section %s: page map does not match", r->tag);
    }
    *used = 0;
    for (size_t i = 0; i < npages; i++)
        *used += ((*bitmap)[i / 8] >> (i % 8)) & 1;
    *nchunks = state_get_u32(r);
    if (r->failed ||
        *nchunks != (*used + STATE_PAGES_PER_CHUNK - 1) / STATE_PAGES_PER_CHUNK) {
        r->failed = true;
        return orr_fail(r->err, "save state section %s: page map does not match", r->tag);
    }
    return 0;
}

static void inflate_chunk(void *ctx, size_t i)
{
    struct page_chunk *c = (struct page_chunk *)ctx + i;
    c->ok = inflate_pieces(c->src, c->packed, (uint8_t *const *)c->pages, c->count,
                           STATE_PAGE_SIZE, true);
}

int state_get_pages(struct state_reader *r, void *p, size_t len)
{
    uint8_t *base = p;
    const uint8_t *bitmap;
    uint32_t nchunks;
    size_t used;
    if (pages_header(r, len, &bitmap, &nchunks, &used))
        return -1;
    size_t npages = len / STATE_PAGE_SIZE;
    uint8_t **pages = malloc((used ? used : 1) * sizeof *pages);
    struct page_chunk *chunks = calloc(nchunks ? nchunks : 1, sizeof *chunks);
    if (!pages || !chunks) {
        free(pages);
        free(chunks);
        r->failed = true;
        return orr_fail(r->err, "out of memory");
    }
    /* Pages absent from the map are zero. Reading first keeps a fresh
     * machine's untouched memory untouched. */
    size_t k = 0;
    for (size_t i = 0; i < npages; i++) {
        uint8_t *pg = base + i * STATE_PAGE_SIZE;
        if (bitmap[i / 8] & (1u << (i % 8)))
            pages[k++] = pg;
        else if (!page_is_zero(pg, STATE_PAGE_SIZE))
            memset(pg, 0, STATE_PAGE_SIZE);
    }
    int rc = 0;
    for (uint32_t c = 0; c < nchunks && rc == 0; c++) {
        struct page_chunk *ch = &chunks[c];
        ch->pages = (const uint8_t **)pages + (size_t)c * STATE_PAGES_PER_CHUNK;
        ch->count = used - (size_t)c * STATE_PAGES_PER_CHUNK < STATE_PAGES_PER_CHUNK
                        ? used - (size_t)c * STATE_PAGES_PER_CHUNK : STATE_PAGES_PER_CHUNK;
        uint64_t raw = state_get_u64(r);
        uint64_t packed = state_get_u64(r);
        if (r->failed || raw != (uint64_t)ch->count * STATE_PAGE_SIZE ||
            !r_take(r, (size_t)packed, r->section_end, &ch->src))
            rc = -1;
        ch->packed = (size_t)packed;
    }
    if (rc == 0)
        parallel_for(nchunks, inflate_chunk, chunks);
    for (uint32_t c = 0; c < nchunks && rc == 0; c++)
        if (!chunks[c].ok)
            rc = -1;
    free(pages);
    free(chunks);
    if (rc) {
        r->failed = true;
        return orr_fail(r->err, "save state section %s: corrupt compressed data", r->tag);
    }
    return 0;
}

int state_skip_pages(struct state_reader *r, size_t len)
{
    const uint8_t *bitmap;
    uint32_t nchunks;
    size_t used;
    if (pages_header(r, len, &bitmap, &nchunks, &used))
        return -1;
    for (uint32_t c = 0; c < nchunks; c++)
        if (state_skip_zblob(r))
            return -1;
    return 0;
}

int state_reader_check(struct state_reader *r)
{
    if (r->failed)
        return orr_fail(r->err, "save state section %s (version %u) is truncated or corrupt",
                        r->tag, r->version);
    return 0;
}

/* ---- hashing ---- */

static inline uint64_t rotl64(uint64_t v, unsigned k)
{
    return (v << k) | (v >> (64 - k));
}

#define HASH_K1 0x9E3779B185EBCA87ull
#define HASH_K2 0xC2B2AE3D27D4EB4Full

static inline uint64_t hash_round(uint64_t acc, uint64_t v)
{
    acc += v * HASH_K2;
    acc = rotl64(acc, 31);
    return acc * HASH_K1;
}

/* Four independent lanes over 32-byte blocks keep the multiplier busy
 * (guest RAM is hashed at memory speed), then a final avalanche. */
uint64_t state_hash(const void *p, size_t len, uint64_t seed)
{
    const uint8_t *q = p;
    size_t total = len;
    uint64_t a = seed + HASH_K1, b = seed ^ HASH_K2, c = seed, d = seed - HASH_K1;
    for (; len >= 32; q += 32, len -= 32) {
        a = hash_round(a, le_load(q, 8));
        b = hash_round(b, le_load(q + 8, 8));
        c = hash_round(c, le_load(q + 16, 8));
        d = hash_round(d, le_load(q + 24, 8));
    }
    uint64_t h = rotl64(a, 1) + rotl64(b, 7) + rotl64(c, 12) + rotl64(d, 18);
    for (; len >= 8; q += 8, len -= 8)
        h = hash_round(h, le_load(q, 8));
    for (size_t i = 0; i < len; i++)
        h = hash_round(h, q[i] | (uint64_t)(i + 1) << 8);
    h ^= total;
    h ^= h >> 33;
    h *= HASH_K2;
    h ^= h >> 29;
    h *= HASH_K1;
    return h ^ (h >> 32);
}
