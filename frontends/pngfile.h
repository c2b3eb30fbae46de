/* Screenshots as PNG files, written with libpng (docs/display.md). */
#ifndef ORRERY_FRONTENDS_PNGFILE_H
#define ORRERY_FRONTENDS_PNGFILE_H

#include "cpu/error.h"
#include "machine/display.h"

/* Writes f as an 8-bit RGB PNG to path, atomically (a temporary file
 * beside it, renamed into place): a failed write leaves no partial file. */
int png_write_frame(const char *path, const struct frame *f, struct orr_error *err) ORR_MUST_CHECK;

#endif
