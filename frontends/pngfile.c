/* PNG encoding with libpng (docs/dependencies in docs/display.md): the
 * image is built in memory, then written with write_file_atomic. */
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/pngfile.h"
#include "machine/loader.h"

struct png_buffer {
    uint8_t *data;
    size_t len, cap;
    bool oom;
};

static void buffer_write(png_structp png, png_bytep bytes, png_size_t len)
{
    struct png_buffer *b = png_get_io_ptr(png);
    if (b->oom)
        return;
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + len)
            cap *= 2;
        uint8_t *p = realloc(b->data, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, bytes, len);
    b->len += len;
}

static void buffer_flush(png_structp png)
{
    (void)png;
}

/* libpng reports errors by longjmp; this keeps its message for ours. */
struct png_failure {
    char msg[200];
};

static void on_png_error(png_structp png, png_const_charp msg)
{
    struct png_failure *f = png_get_error_ptr(png);
    snprintf(f->msg, sizeof f->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Encodes f into b; 0, or -1 with err. */
static int encode(const struct frame *f, struct png_buffer *b, struct orr_error *err)
{
    struct png_failure failure = { "" };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &failure, on_png_error,
                                              on_png_warning);
    if (!png)
        return orr_fail(err, "libpng: cannot start an image");
    png_infop info = png_create_info_struct(png);
    uint8_t *volatile row = malloc((size_t)f->width * 3);
    if (!info || !row) {
        png_destroy_write_struct(&png, info ? &info : NULL);
        free(row);
        return orr_fail(err, "out of memory for a %ux%u image", f->width, f->height);
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        return orr_fail(err, "libpng: %s", failure.msg);
    }
    png_set_write_fn(png, b, buffer_write, buffer_flush);
    png_set_IHDR(png, info, f->width, f->height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, 6);
    png_write_info(png, info);
    for (unsigned y = 0; y < f->height; y++) {
        const uint32_t *src = f->pixels + (size_t)y * f->width;
        uint8_t *dst = row;
        for (unsigned x = 0; x < f->width; x++) {
            *dst++ = (uint8_t)(src[x] >> 16);
            *dst++ = (uint8_t)(src[x] >> 8);
            *dst++ = (uint8_t)src[x];
        }
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(row);
    if (b->oom)
        return orr_fail(err, "out of memory for a %ux%u image", f->width, f->height);
    return 0;
}

int png_write_frame(const char *path, const struct frame *f, struct orr_error *err)
{
    if (!f->pixels || f->width == 0 || f->height == 0)
        return orr_fail(err, "%s: there is no picture to write", path);
    struct png_buffer b = { 0 };
    int rc = encode(f, &b, err);
    if (rc == 0) {
        const void *parts[1] = { b.data };
        size_t lens[1] = { b.len };
        rc = write_file_atomic(path, parts, lens, 1, err);
    }
    free(b.data);
    return rc;
}
