/*
 * inc_ini.c - the line reader shared by mapping files and rules files:
 * sections in brackets, `key = value` lines, quoted keys and values with
 * \" and \\ escapes, comments from # or ; to the end of the line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "incident/incident_int.h"

#define MAX_FILE (16u << 20)

int inc__read_file(const char *path, char **out, size_t *len, vg_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        vg_error_set(err, VG_E_IO, "cannot open: %s", strerror(errno));
        return vg_error_where(err, "%s", path);
    }
    char *b = vg_malloc(MAX_FILE + 1);
    if (!b) {
        fclose(f);
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    }
    size_t n = fread(b, 1, MAX_FILE + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > MAX_FILE) {
        vg_free(b);
        vg_error_set(err, bad ? VG_E_IO : VG_E_LIMIT, bad ? "read error" : "file larger than 16 MiB");
        return vg_error_where(err, "%s", path);
    }
    b[n] = '\0';
    *out = b;
    *len = n;
    return 0;
}

/* Copies a possibly quoted token starting at p (up to end) into out; returns where it stopped. */
static const char *token(const char *p, const char *end, char *out, size_t n, int stop_eq, int *quoted,
                         const char **bad)
{
    size_t k = 0;
    *quoted = 0;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p < end && *p == '"') {
        *quoted = 1;
        p++;
        while (p < end && *p != '"') {
            char c = *p++;
            if (c == '\\' && p < end)
                c = *p++;
            if (k + 1 < n)
                out[k++] = c;
            else
                *bad = "too long";
        }
        if (p >= end)
            *bad = "unterminated quoted string";
        else
            p++;
        out[k] = '\0';
        return p;
    }
    const char *s = p;
    while (p < end && *p != '#' && *p != ';' && !(stop_eq && *p == '='))
        p++;
    const char *e = p;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    if ((size_t)(e - s) >= n)
        *bad = "too long";
    else {
        memcpy(out, s, (size_t)(e - s));
        k = (size_t)(e - s);
    }
    out[k] = '\0';
    return p;
}

int inc__ini_next(const char *text, size_t len, size_t *pos, int *lineno, const char *name, inc__line *l,
                  vg_error *err)
{
    while (*pos < len) {
        const char *p = text + *pos, *end = memchr(p, '\n', len - *pos);
        if (!end)
            end = text + len;
        *pos = (size_t)(end - text) + (end < text + len);
        int ln = ++*lineno;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p == end || *p == '#' || *p == ';')
            continue;
        memset(l, 0, sizeof *l);
        l->lineno = ln;
        const char *bad = NULL;
        if (*p == '[') {
            const char *c = memchr(p, ']', (size_t)(end - p));
            if (!c || (size_t)(c - p - 1) >= sizeof l->key)
                bad = "a section must be [name]";
            else {
                memcpy(l->key, p + 1, (size_t)(c - p - 1));
                l->section = 1;
            }
        } else {
            int q;
            p = token(p, end, l->key, sizeof l->key, 1, &l->quoted, &bad);
            while (p < end && (*p == ' ' || *p == '\t'))
                p++;
            if (!bad && (p >= end || *p != '='))
                bad = "expected key = value";
            else if (!bad) {
                p = token(p + 1, end, l->value, sizeof l->value, 0, &q, &bad);
                while (!bad && p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
                    p++;
                if (!bad && p < end && *p != '#' && *p != ';')
                    bad = "unexpected text after the value";
            }
        }
        if (bad) {
            vg_error_set(err, VG_E_PARSE, "%s", bad);
            return vg_error_where(err, "%s:%d", name, ln);
        }
        return 1;
    }
    return 0;
}
