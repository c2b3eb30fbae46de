/* Save-state serialization: tagged, versioned sections of explicit
 * little-endian fields. Never a memcpy of a struct.
 *
 * Stream layout:
 *   header   "ORRSTATE" (8 bytes), u32 format version
 *   section* u8 tag length, tag bytes (<= 63), u32 section version,
 *            u64 payload length, payload
 *   end      a section with the tag "end"
 * Inside a payload, fields are written in a fixed order by the owner; blobs
 * are u64 length + bytes; zlib blobs are u64 raw length + u64 packed length
 * + deflate data; page sets (RAM) skip zero pages, see state_put_pages.
 *
 * The writer accumulates in memory; state_writer_finish hands back the whole
 * image so the caller can write a file atomically. The reader works over a
 * caller-owned buffer, with every length checked: a truncated or corrupt
 * image is an error, never an overrun. */
#ifndef ORRERY_MACHINE_STATE_H
#define ORRERY_MACHINE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

#define STATE_FORMAT_VERSION 1
#define STATE_TAG_MAX 63
#define STATE_PAGE_SIZE 4096u
#define STATE_PAGES_PER_CHUNK 1024u

struct state_writer {
    uint8_t *buf;
    size_t len, cap;
    size_t section_start;    /* offset of the open section's length field, 0 if none */
    bool failed;             /* out of memory or misuse; sticky */
};

struct state_reader {
    const uint8_t *buf;
    size_t len, pos;
    /* the current section (after state_reader_next / state_reader_find) */
    char tag[STATE_TAG_MAX + 1];
    uint32_t version;
    size_t section_end;
    bool failed;             /* sticky: a get past the section end, bad data */
    struct orr_error *err;
};

void state_writer_init(struct state_writer *w);
void state_writer_free(struct state_writer *w);
void state_begin(struct state_writer *w, const char *tag, uint32_t version);
void state_end(struct state_writer *w);
void state_put_u8(struct state_writer *w, uint8_t v);
void state_put_u16(struct state_writer *w, uint16_t v);
void state_put_u32(struct state_writer *w, uint32_t v);
void state_put_u64(struct state_writer *w, uint64_t v);
void state_put_bool(struct state_writer *w, bool v);
void state_put_bytes(struct state_writer *w, const void *p, size_t len);
int state_put_zblob(struct state_writer *w, const void *p, size_t len) ORR_MUST_CHECK;
/* A page set (guest RAM): u32 page size, a bitmap of the pages that are not
 * all zero (bytes), u32 chunk count, then the non-zero pages in address
 * order as zlib blobs of at most STATE_PAGES_PER_CHUNK pages each (separate
 * streams, so a reader may inflate them independently). len must be a
 * multiple of STATE_PAGE_SIZE. */
int state_put_pages(struct state_writer *w, const void *p, size_t len) ORR_MUST_CHECK;
/* Appends the end marker; returns -1 if any put failed. */
int state_writer_finish(struct state_writer *w, struct orr_error *err) ORR_MUST_CHECK;

int state_reader_init(struct state_reader *r, const void *buf, size_t len,
                      struct orr_error *err) ORR_MUST_CHECK;
/* Advances to the next section; returns 1 on a section, 0 at "end", -1 on error. */
int state_reader_next(struct state_reader *r) ORR_MUST_CHECK;
/* Positions at the first section with this tag (searching from the start);
 * returns 0, or -1 if absent or the stream is corrupt. */
int state_reader_find(struct state_reader *r, const char *tag) ORR_MUST_CHECK;
uint8_t state_get_u8(struct state_reader *r);
uint16_t state_get_u16(struct state_reader *r);
uint32_t state_get_u32(struct state_reader *r);
uint64_t state_get_u64(struct state_reader *r);
bool state_get_bool(struct state_reader *r);
void state_get_bytes(struct state_reader *r, void *p, size_t len);
/* Inflates into p, which must be exactly len bytes. */
int state_get_zblob(struct state_reader *r, void *p, size_t len) ORR_MUST_CHECK;
/* Steps over a zlib blob, checking only that it lies inside the section. */
int state_skip_zblob(struct state_reader *r) ORR_MUST_CHECK;
/* Fills exactly len bytes from a page set (pages absent are zeroed). */
int state_get_pages(struct state_reader *r, void *p, size_t len) ORR_MUST_CHECK;
/* Steps over a page set of len bytes, checking its map and extent. */
int state_skip_pages(struct state_reader *r, size_t len) ORR_MUST_CHECK;
/* A 64-bit hash of len bytes, the same on every host (the bytes are read
 * as little-endian words); seed chains calls. Not cryptographic. */
uint64_t state_hash(const void *p, size_t len, uint64_t seed);

/* 0 if every get in this section stayed inside it, else -1 with a message. */
int state_reader_check(struct state_reader *r) ORR_MUST_CHECK;

#endif
