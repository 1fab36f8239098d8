/*
 * vg_error.c - filling and formatting vg_error values.
 */
#include "vg_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    int code;
    const char *name;
} names[] = {
    {VG_OK, "no error"},
    {VG_E_NOMEM, "out of memory"},
    {VG_E_IO, "input/output error"},
    {VG_E_PARSE, "parse error"},
    {VG_E_INVALID, "invalid"},
    {VG_E_LIMIT, "limit exceeded"},
    {VG_E_NOTFOUND, "not found"},
    {VG_E_STORE, "store error"},
    {VG_E_USAGE, "usage error"},
    {VG_E_UNSUPPORTED, "unsupported"},
    {VG_E_CONFLICT, "conflict"},
    {VG_E_INTERNAL, "internal error"},
};

const char *vg_strerror(int code)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].code == code)
            return names[i].name;
    return "unknown error";
}

int vg_error_set(vg_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->where[0] = '\0';
    err->hint[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

int vg_error_where(vg_error *err, const char *fmt, ...)
{
    if (!err)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->where, sizeof err->where, fmt, ap);
    va_end(ap);
    return err->code;
}

int vg_error_hint(vg_error *err, const char *fmt, ...)
{
    if (!err)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
    return err->code;
}

int vg_error_prefix_where(vg_error *err, const char *fmt, ...)
{
    if (!err)
        return 0;
    char pre[VG_ERR_WHERE_MAX], old[VG_ERR_WHERE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    memcpy(old, err->where, sizeof old);
    size_t np = strlen(pre), no = strlen(old), cap = sizeof err->where - 1;
    size_t k = np < cap ? np : cap;
    memcpy(err->where, pre, k);
    if (no && k < cap)
        err->where[k++] = ' ';
    size_t m = no < cap - k ? no : cap - k;
    memcpy(err->where + k, old, m);
    err->where[k + m] = '\0';
    return err->code;
}

void vg_error_clear(vg_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

char *vg_error_format(const vg_error *err, char *buf, size_t n)
{
    if (!n)
        return buf;
    const char *msg = err->msg[0] ? err->msg : vg_strerror(err->code);
    int k;
    if (err->where[0])
        k = snprintf(buf, n, "%s: %s", err->where, msg);
    else
        k = snprintf(buf, n, "%s", msg);
    if (err->hint[0] && k >= 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, " (%s)", err->hint);
    return buf;
}
