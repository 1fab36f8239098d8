/*
 * vg_buf.h - a growable byte buffer with a hard ceiling.
 *
 * Caller-allocated (a small hot struct): vg_buf b; vg_buf_init(&b, max);
 * The contents are always NUL-terminated (the NUL is not counted in len).
 * Growing past `max` fails with VG_E_LIMIT, so input from outside can never
 * make a buffer grow without bound.
 */
#ifndef VG_BUF_H
#define VG_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "vg_error.h"

typedef struct vg_buf {
    char *data; /* the bytes, NUL-terminated; NULL until the first append */
    size_t len; /* bytes in use, not counting the terminating NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* ceiling on len; 0 means SIZE_MAX / 2 */
} vg_buf;

void vg_buf_init(vg_buf *b, size_t max);
/* Frees the contents; b can be reused after vg_buf_init. NULL-safe. */
void vg_buf_free(vg_buf *b);
/* Empties b, keeping its memory. */
void vg_buf_reset(vg_buf *b);
/* Makes room for `extra` more bytes. VG_E_NOMEM or VG_E_LIMIT on failure. */
int vg_buf_reserve(vg_buf *b, size_t extra);
int vg_buf_append(vg_buf *b, const void *p, size_t n);
int vg_buf_puts(vg_buf *b, const char *s);
int vg_buf_putc(vg_buf *b, char c);
int vg_buf_printf(vg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vg_buf_vprintf(vg_buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal (quotes and escapes included). */
int vg_buf_put_json_string(vg_buf *b, const char *s, size_t n);
/* Hands the contents to the caller (free with vg_free) and resets b. */
char *vg_buf_detach(vg_buf *b);

#endif
