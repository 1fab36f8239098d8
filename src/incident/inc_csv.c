/*
 * inc_csv.c - an RFC 4180 CSV reader: quoted fields with embedded
 * separators, newlines and doubled quotes, CRLF or LF line ends, a UTF-8 BOM
 * at the start, blank lines skipped. A quote inside an unquoted field is kept
 * as a character (as most writers expect); anything but a separator or a
 * line end after a closing quote is an error.
 *
 * It streams: a state machine fed one byte at a time from a 64 KiB window
 * (or the caller's buffer), so memory is bounded by the longest record, and
 * every field, record and field count has a ceiling with its own error.
 * After a malformed or oversized record the reader skips to the next line
 * and goes on, so one bad row does not hide the rest of a file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "core/vg_buf.h"
#include "incident/incident.h"

enum state {
    S_START,  /* at the start of a field */
    S_PLAIN,  /* inside an unquoted field */
    S_QUOTED, /* inside a quoted field */
    S_QUOTE2, /* after a quote inside a quoted field: end of field or a doubled quote */
};

struct inc_csv {
    FILE *f;             /* the file, or NULL for memory */
    int own;             /* whether to fclose f */
    const char *mem;     /* memory input */
    size_t memlen, pos;  /* its length and the read position */
    char win[65536];     /* file window */
    size_t wlen, wpos;   /* bytes in the window, read position */
    int started;         /* the BOM check is done */
    int eof;             /* no more input */
    inc_csv_opts o;      /* ceilings */
    vg_buf rec;          /* the record's fields, each NUL-terminated */
    size_t *start;       /* offset of each field in rec */
    size_t *len;         /* length of each field */
    const char **ptr;    /* field pointers handed out */
    size_t nf, capf;     /* fields in the record, allocated */
    size_t fstart;       /* offset where the current field starts */
    uint64_t row;        /* records returned or rejected */
    uint64_t line, col;  /* position of the next byte (1-based) */
};

static void defaults(inc_csv *r, const inc_csv_opts *o)
{
    if (o)
        r->o = *o;
    if (!r->o.max_field)
        r->o.max_field = 1u << 20;
    if (!r->o.max_record)
        r->o.max_record = 8u << 20;
    if (!r->o.max_fields)
        r->o.max_fields = 4096;
    if (!r->o.delim)
        r->o.delim = ',';
    vg_buf_init(&r->rec, r->o.max_record);
    r->line = 1;
    r->col = 1;
}

int inc_csv_open(const char *path, const inc_csv_opts *o, inc_csv **out, vg_error *err)
{
    *out = NULL;
    inc_csv *r = vg_calloc(1, sizeof *r);
    if (!r)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    if (strcmp(path, "-") == 0) {
        r->f = stdin;
    } else if (!(r->f = fopen(path, "rb"))) {
        vg_free(r);
        vg_error_set(err, VG_E_IO, "cannot open: %s", strerror(errno));
        return vg_error_where(err, "%s", path);
    } else {
        r->own = 1;
    }
    defaults(r, o);
    *out = r;
    return 0;
}

int inc_csv_open_mem(const char *data, size_t len, const inc_csv_opts *o, inc_csv **out, vg_error *err)
{
    *out = NULL;
    inc_csv *r = vg_calloc(1, sizeof *r);
    if (!r)
        return vg_error_set(err, VG_E_NOMEM, "out of memory");
    r->mem = data;
    r->memlen = len;
    defaults(r, o);
    *out = r;
    return 0;
}

void inc_csv_free(inc_csv *r)
{
    if (!r)
        return;
    if (r->own)
        fclose(r->f);
    vg_buf_free(&r->rec);
    vg_free(r->start);
    vg_free(r->len);
    vg_free(r->ptr);
    vg_free(r);
}

/* The next byte, -1 at the end, -2 on a read error. */
static int get(inc_csv *r)
{
    if (!r->f)
        return r->pos < r->memlen ? (unsigned char)r->mem[r->pos++] : -1;
    if (r->wpos == r->wlen) {
        if (r->eof)
            return -1;
        r->wlen = fread(r->win, 1, sizeof r->win, r->f);
        r->wpos = 0;
        if (r->wlen == 0) {
            r->eof = 1;
            return ferror(r->f) ? -2 : -1;
        }
    }
    return (unsigned char)r->win[r->wpos++];
}

/* Looks at the next byte without taking it. */
static int peek(inc_csv *r)
{
    int c = get(r);
    if (c >= 0) {
        if (r->f)
            r->wpos--;
        else
            r->pos--;
    }
    return c;
}

static int end_field(inc_csv *r, vg_error *err)
{
    if (r->nf == r->o.max_fields)
        return vg_error_set(err, VG_E_LIMIT, "more than %zu fields in a record", r->o.max_fields);
    if (r->nf == r->capf) {
        size_t cap = r->capf ? r->capf * 2 : 64;
        size_t *s = vg_realloc(r->start, cap * sizeof *s);
        if (!s)
            return vg_error_set(err, VG_E_NOMEM, "out of memory");
        r->start = s;
        size_t *l = vg_realloc(r->len, cap * sizeof *l);
        if (!l)
            return vg_error_set(err, VG_E_NOMEM, "out of memory");
        r->len = l;
        const char **p = vg_realloc(r->ptr, cap * sizeof *p);
        if (!p)
            return vg_error_set(err, VG_E_NOMEM, "out of memory");
        r->ptr = p;
        r->capf = cap;
    }
    r->start[r->nf] = r->fstart;
    r->len[r->nf] = r->rec.len - r->fstart;
    r->nf++;
    int rc = vg_buf_putc(&r->rec, '\0');
    r->fstart = r->rec.len;
    return rc ? vg_error_set(err, rc, rc == VG_E_LIMIT ? "record longer than %zu bytes" : "out of memory",
                             r->o.max_record)
              : 0;
}

static int add(inc_csv *r, int c, vg_error *err)
{
    if (r->rec.len - r->fstart >= r->o.max_field)
        return vg_error_set(err, VG_E_LIMIT, "field longer than %zu bytes", r->o.max_field);
    int rc = vg_buf_putc(&r->rec, (char)c);
    if (rc == VG_E_LIMIT)
        return vg_error_set(err, rc, "record longer than %zu bytes", r->o.max_record);
    return rc ? vg_error_set(err, rc, "out of memory") : 0;
}

/* After an error inside a record: drop the rest of its line. */
static void skip_line(inc_csv *r)
{
    int c;
    while ((c = get(r)) >= 0 && c != '\n')
        ;
    r->line++;
    r->col = 1;
}

/* Takes a line end (\n, \r\n or a lone \r). */
static void newline(inc_csv *r, int c)
{
    if (c == '\r' && peek(r) == '\n')
        get(r);
    r->line++;
    r->col = 1;
}

int inc_csv_next(inc_csv *r, inc_csv_record *rec, vg_error *err)
{
    if (!r->started) {
        r->started = 1;
        if (peek(r) == 0xEF) {
            get(r);
            if (peek(r) == 0xBB) {
                get(r);
                if (peek(r) == 0xBF)
                    get(r);
            }
        }
    }
    for (;;) {
        vg_buf_reset(&r->rec);
        r->nf = 0;
        r->fstart = 0;
        uint64_t line0 = r->line, qline = 0, qcol = 0;
        enum state st = S_START;
        int rc = 0, c, any = 0;
        for (;;) {
            c = get(r);
            if (c == -2)
                return vg_error_set(err, VG_E_IO, "read error at line %llu", (unsigned long long)r->line);
            uint64_t col = r->col++;
            if (c >= 0)
                any = 1;
            if (st == S_QUOTED) {
                if (c == '"') {
                    st = S_QUOTE2;
                } else if (c < 0) {
                    r->row++;
                    vg_error_set(err, VG_E_PARSE, "record %llu: the quoted field that starts at line %llu column %llu "
                                 "is never closed", (unsigned long long)r->row, (unsigned long long)qline,
                                 (unsigned long long)qcol);
                    vg_error_hint(err, "a field that contains quotes must double them (\"\")");
                    return VG_E_PARSE;
                } else {
                    if (c == '\n') {
                        r->line++;
                        r->col = 1;
                    }
                    rc = add(r, c, err);
                }
            } else if (st == S_QUOTE2 && c == '"') {
                st = S_QUOTED;
                rc = add(r, '"', err);
            } else if (c == r->o.delim) {
                st = S_START;
                rc = end_field(r, err);
            } else if (c == '\n' || c == '\r' || c < 0) {
                if (c >= 0)
                    newline(r, c);
                if (st == S_START && r->nf == 0 && (!any || c >= 0) && r->rec.len == 0) {
                    if (c < 0)
                        return 0; /* the end */
                    break;        /* a blank line */
                }
                r->row++;
                if ((rc = end_field(r, err))) { /* the line end is already taken: nothing to skip */
                    vg_error_where(err, "record %llu, line %llu", (unsigned long long)r->row,
                                   (unsigned long long)line0);
                    return rc;
                }
                for (size_t i = 0; i < r->nf; i++)
                    r->ptr[i] = r->rec.data + r->start[i];
                rec->field = r->ptr;
                rec->len = r->len;
                rec->n = r->nf;
                rec->row = r->row;
                rec->line = line0;
                return 1;
            } else if (st == S_QUOTE2) {
                rc = vg_error_set(err, VG_E_PARSE, "unexpected character '%c' after the closing quote of a field",
                                  c >= 32 && c < 127 ? c : '?');
                vg_error_hint(err, "quote the whole field and double the quotes inside it");
            } else if (st == S_START && c == '"') {
                st = S_QUOTED;
                qline = r->line;
                qcol = col;
            } else {
                st = S_PLAIN;
                rc = add(r, c, err);
            }
            if (rc) {
                r->row++;
                uint64_t line = r->line;
                vg_error_where(err, "record %llu, line %llu, column %llu", (unsigned long long)r->row,
                                      (unsigned long long)line, (unsigned long long)col);
                if (rc != VG_E_NOMEM)
                    skip_line(r);
                return rc;
            }
        }
    }
}
