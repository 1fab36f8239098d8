/*
 * vg_buf.c - growable buffer with a ceiling.
 */
#include "vg_buf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vg_alloc.h"

void vg_buf_init(vg_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : SIZE_MAX / 2;
}

void vg_buf_free(vg_buf *b)
{
    if (!b)
        return;
    vg_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void vg_buf_reset(vg_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

int vg_buf_reserve(vg_buf *b, size_t extra)
{
    if (extra > b->max - b->len)
        return VG_E_LIMIT;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 4 ? need : cap * 2;
    char *p = vg_realloc(b->data, cap);
    if (!p)
        return VG_E_NOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int vg_buf_append(vg_buf *b, const void *p, size_t n)
{
    int rc = vg_buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int vg_buf_puts(vg_buf *b, const char *s) { return vg_buf_append(b, s, strlen(s)); }

int vg_buf_putc(vg_buf *b, char c) { return vg_buf_append(b, &c, 1); }

int vg_buf_vprintf(vg_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return VG_E_INTERNAL;
    int rc = vg_buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int vg_buf_printf(vg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vg_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int vg_buf_put_json_string(vg_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc = vg_buf_putc(b, '"');
    for (size_t i = 0; !rc && i < n; i++) {
        /* A run of bytes written as they are, in one append. */
        size_t run = i;
        while (run < n && (unsigned char)s[run] >= 0x20 && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            rc = vg_buf_append(b, s + i, run - i);
            i = run - 1;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': rc = vg_buf_append(b, "\\\"", 2); break;
        case '\\': rc = vg_buf_append(b, "\\\\", 2); break;
        case '\n': rc = vg_buf_append(b, "\\n", 2); break;
        case '\r': rc = vg_buf_append(b, "\\r", 2); break;
        case '\t': rc = vg_buf_append(b, "\\t", 2); break;
        default:
            if (c < 0x20) {
                char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                rc = vg_buf_append(b, u, 6);
            } else {
                rc = vg_buf_putc(b, (char)c);
            }
        }
    }
    return rc ? rc : vg_buf_putc(b, '"');
}

char *vg_buf_detach(vg_buf *b)
{
    char *p = b->data;
    if (!p)
        p = vg_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
