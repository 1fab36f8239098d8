/*
 * stix_reader.c - the streaming bundle reader.
 *
 * A bundle can hold millions of objects, so it is never loaded as one tree.
 * The reader pulls bytes from the input (plain or gzip, via zlib, or a memory
 * buffer) and walks the top-level JSON value with a small hand-written
 * scanner. Inside the bundle's "objects" array it copies each element's bytes
 * into a bounded buffer, checking nesting depth as it goes, and hands that one
 * element to jansson. Memory is bounded by the largest object.
 *
 * Accepted inputs: a bundle {"type":"bundle", ..., "objects":[...]}; a single
 * object {"type":"indicator", ...}; a JSON array of objects [{...}, ...].
 * Keys of the bundle other than "objects" are read (bounded) so that
 * "spec_version": "2.0" is seen wherever it stands.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/vg_alloc.h"
#include "core/vg_buf.h"
#include "stix/stix.h"

#define CHUNK (256 * 1024)
#define KEY_MAX 256

enum mode {
    M_START,        /* nothing read yet */
    M_BUNDLE_KEYS,  /* inside the top-level object, before a key */
    M_ELEMENTS,     /* inside an objects array, before an element */
    M_DONE,         /* end reached */
    M_SINGLE,       /* the top-level object is not a bundle: return it once */
    M_FAILED,       /* a fatal error happened */
};

struct stix_reader {
    char name[256];         /* file name for messages */
    gzFile gz;              /* NULL for memory input */
    const char *mem;        /* memory input */
    size_t mem_len;         /* its length */
    unsigned char *chunk;   /* read buffer (file input) */
    const unsigned char *p; /* next byte */
    const unsigned char *end; /* end of bytes in hand */
    int eof;                /* no more input */
    uint64_t consumed;      /* bytes before p */
    uint64_t total;         /* input size if known */
    long line, col;         /* position of *p, 1-based */
    stix_reader_opts o;     /* ceilings, defaults applied */
    enum mode mode;         /* where the scanner is */
    int top_is_array;       /* the input is a bare array of objects */
    int bundle_20;          /* the bundle said spec_version "2.0" */
    int saw_objects;        /* the "objects" key was seen */
    char top_type[64];      /* value of the top-level "type" */
    vg_buf elem;            /* bytes of the current element */
    vg_buf rest;            /* the top-level object's other members, as JSON text */
    uint64_t index;         /* next element's index */
    unsigned char *stack;   /* bracket stack for the current element */
};

/* ---- byte source ---------------------------------------------------------- */

static int refill(stix_reader *r, vg_error *err)
{
    if (r->eof)
        return 0;
    if (!r->gz) {
        r->eof = 1;
        return 0;
    }
    int n = gzread(r->gz, r->chunk, CHUNK);
    if (n < 0) {
        int zerr;
        const char *msg = gzerror(r->gz, &zerr);
        vg_error_set(err, VG_E_IO, "cannot read %s: %s", r->name, zerr == Z_ERRNO ? strerror(errno) : msg);
        return VG_E_IO;
    }
    if (n == 0) {
        r->eof = 1;
        return 0;
    }
    r->p = r->chunk;
    r->end = r->chunk + n;
    return 1;
}

/* Next byte, or -1 at end of input, or -2 on read error (err set). */
static inline int peekc(stix_reader *r, vg_error *err)
{
    if (r->p == r->end) {
        int rc = refill(r, err);
        if (rc < 0)
            return -2;
        if (rc == 0)
            return -1;
    }
    return *r->p;
}

static inline void advance(stix_reader *r)
{
    if (*r->p == '\n') {
        r->line++;
        r->col = 1;
    } else {
        r->col++;
    }
    r->p++;
    r->consumed++;
}

static int fail(stix_reader *r, vg_error *err, int code, const char *fmt, const char *what)
{
    r->mode = M_FAILED;
    vg_error_set(err, code, fmt, what);
    return vg_error_where(err, "%s:%ld:%ld", r->name, r->line, r->col);
}

static int syntax(stix_reader *r, vg_error *err, int c, const char *expected)
{
    char what[160];
    if (c == -1)
        snprintf(what, sizeof what, "unexpected end of input, expected %s", expected);
    else if (c >= 0x20 && c < 0x7f)
        snprintf(what, sizeof what, "unexpected '%c', expected %s", c, expected);
    else
        snprintf(what, sizeof what, "unexpected byte 0x%02x, expected %s", c, expected);
    fail(r, err, VG_E_PARSE, "%s", what);
    return vg_error_hint(err, "the input must be a JSON STIX bundle, object or array of objects");
}

/* Skips whitespace; returns the next byte (not consumed), -1 at end, -2 on error. */
static int skip_ws(stix_reader *r, vg_error *err)
{
    for (;;) {
        int c = peekc(r, err);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            advance(r);
        else
            return c;
    }
}

/* ---- value scanner ----------------------------------------------------- */

/*
 * Copies one JSON value starting at the current byte into b (if non-NULL),
 * checking brackets nest properly and not deeper than max_depth (counted from
 * base_depth). Strings are copied with escapes untouched; jansson checks them.
 */
static int scan_value(stix_reader *r, vg_buf *b, int base_depth, vg_error *err)
{
    int depth = 0, brc = 0;
    int c = peekc(r, err);
    if (c == -2)
        return VG_E_IO;
    if (c == -1)
        return syntax(r, err, c, "a JSON value");
    int in_string = 0;
    for (;;) {
        c = peekc(r, err);
        if (c == -2)
            return VG_E_IO;
        if (c == -1)
            return syntax(r, err, c, in_string ? "the end of a string" : "the end of a value");
        if (in_string) {
            /* Fast path: copy a run of plain string bytes at once. */
            const unsigned char *s = r->p;
            while (s < r->end && *s != '"' && *s != '\\' && *s != '\n')
                s++;
            if (s > r->p) {
                size_t n = (size_t)(s - r->p);
                if (b && (brc = vg_buf_append(b, r->p, n)))
                    goto too_big;
                r->col += (long)n;
                r->consumed += n;
                r->p = s;
                continue;
            }
            if (c == '\\') {
                if (b && (brc = vg_buf_putc(b, (char)c)))
                    goto too_big;
                advance(r);
                c = peekc(r, err);
                if (c < 0)
                    return c == -2 ? VG_E_IO : syntax(r, err, c, "an escaped character");
            } else if (c == '"') {
                in_string = 0;
                if (depth == 0) {
                    if (b && (brc = vg_buf_putc(b, (char)c)))
                        goto too_big;
                    advance(r);
                    return 0;
                }
            } else if (c == '\n') {
                return syntax(r, err, c, "'\"' (a raw newline cannot stand inside a JSON string)");
            }
            if (b && (brc = vg_buf_putc(b, (char)c)))
                goto too_big;
            advance(r);
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            /* Whitespace between tokens is dropped: the copy is minified JSON. */
            advance(r);
            continue;
        }
        switch (c) {
        case '"':
            in_string = 1;
            break;
        case '{':
        case '[':
            if (base_depth + depth + 1 > r->o.max_depth) {
                char what[96];
                snprintf(what, sizeof what, "nesting deeper than %d levels", r->o.max_depth);
                fail(r, err, VG_E_LIMIT, "%s", what);
                return vg_error_hint(err, "STIX objects are shallow; this input is malformed or hostile");
            }
            r->stack[depth++] = (unsigned char)c;
            break;
        case '}':
        case ']':
            if (depth == 0 || r->stack[depth - 1] != (c == '}' ? '{' : '['))
                return syntax(r, err, c, depth == 0 ? "a JSON value" : (r->stack[depth - 1] == '{' ? "'}'" : "']'"));
            depth--;
            break;
        case ',':
        case ':':
            if (depth == 0)
                return syntax(r, err, c, "a JSON value");
            break;
        default:
            break;
        }
        if (b && (brc = vg_buf_putc(b, (char)c)))
            goto too_big;
        advance(r);
        if (depth == 0 && (c == '}' || c == ']'))
            return 0;
        if (depth == 0 && c != '"' && c != '{' && c != '[') {
            /* A scalar at depth 0: read until a delimiter. */
            for (;;) {
                int d = peekc(r, err);
                if (d == -2)
                    return VG_E_IO;
                if (d == -1 || d == ',' || d == ']' || d == '}' || d == ' ' || d == '\t' || d == '\n' ||
                    d == '\r')
                    return 0;
                if (b && (brc = vg_buf_putc(b, (char)d)))
                    goto too_big;
                advance(r);
            }
        }
    }
too_big : {
    if (brc == VG_E_NOMEM)
        return fail(r, err, VG_E_NOMEM, "%s", "out of memory reading an object");
    char what[96];
    snprintf(what, sizeof what, "an object larger than %zu bytes", r->o.max_object_bytes);
    fail(r, err, VG_E_LIMIT, "%s", what);
    return vg_error_hint(err, "raise the limit if this object is genuine");
}
}

/* Reads a JSON string key (bounded) into key; the opening quote is next. */
static int scan_key(stix_reader *r, char key[KEY_MAX], vg_error *err)
{
    vg_buf b;
    vg_buf_init(&b, KEY_MAX * 6);
    int rc = scan_value(r, &b, 1, err);
    if (rc) {
        vg_buf_free(&b);
        if (rc == VG_E_LIMIT) /* an absurdly long key */
            return syntax(r, err, peekc(r, err), "a short object key");
        return rc;
    }
    json_error_t jerr;
    long fails = vg_alloc_failures();
    json_t *s = json_loadb(b.data, b.len, JSON_DECODE_ANY, &jerr);
    vg_buf_free(&b);
    if (!s && vg_alloc_failures() != fails)
        return fail(r, err, VG_E_NOMEM, "%s", "out of memory reading a key");
    if (!s || !json_is_string(s)) {
        json_decref(s);
        return syntax(r, err, '?', "an object key (a JSON string)");
    }
    snprintf(key, KEY_MAX, "%s", json_string_value(s));
    json_decref(s);
    return 0;
}

/* ---- opening ------------------------------------------------------------ */

static void set_defaults(stix_reader *r, const stix_reader_opts *opts)
{
    if (opts)
        r->o = *opts;
    if (!r->o.max_object_bytes)
        r->o.max_object_bytes = 64u << 20;
    if (r->o.max_depth <= 0)
        r->o.max_depth = 256;
    if (!r->o.max_objects)
        r->o.max_objects = 100000000ull;
}

static int make(const char *name, const stix_reader_opts *opts, stix_reader **out, vg_error *err)
{
    stix_reader *r = vg_calloc(1, sizeof *r);
    if (!r)
        return vg_error_set(err, VG_E_NOMEM, "out of memory opening %s", name);
    snprintf(r->name, sizeof r->name, "%s", name);
    set_defaults(r, opts);
    r->stack = vg_malloc((size_t)r->o.max_depth + 1);
    if (!r->stack) {
        vg_free(r);
        return vg_error_set(err, VG_E_NOMEM, "out of memory opening %s", name);
    }
    r->line = r->col = 1;
    vg_buf_init(&r->elem, r->o.max_object_bytes);
    vg_buf_init(&r->rest, r->o.max_object_bytes);
    *out = r;
    return 0;
}

int stix_reader_open(const char *path, const stix_reader_opts *opts, stix_reader **out, vg_error *err)
{
    *out = NULL;
    int fd = strcmp(path, "-") == 0 ? 0 : -1;
    struct stat st;
    if (fd < 0) {
        if (stat(path, &st) != 0)
            return vg_error_set(err, VG_E_IO, "cannot open %s: %s", path, strerror(errno));
        if (S_ISDIR(st.st_mode))
            return vg_error_set(err, VG_E_USAGE, "%s is a folder, not a file", path);
    }
    stix_reader *r;
    int rc = make(fd == 0 ? "<stdin>" : path, opts, &r, err);
    if (rc)
        return rc;
    r->chunk = vg_malloc(CHUNK);
    r->gz = r->chunk ? (fd == 0 ? gzdopen(dup(0), "rb") : gzopen(path, "rb")) : NULL;
    if (!r->gz) {
        rc = r->chunk ? vg_error_set(err, VG_E_IO, "cannot open %s: %s", path, strerror(errno))
                      : vg_error_set(err, VG_E_NOMEM, "out of memory opening %s", path);
        stix_reader_free(r);
        return rc;
    }
    gzbuffer(r->gz, CHUNK);
    if (fd < 0)
        r->total = (uint64_t)st.st_size;
    r->p = r->end = r->chunk;
    *out = r;
    return 0;
}

int stix_reader_open_mem(const char *data, size_t len, const char *name, const stix_reader_opts *opts,
                         stix_reader **out, vg_error *err)
{
    *out = NULL;
    stix_reader *r;
    int rc = make(name ? name : "<memory>", opts, &r, err);
    if (rc)
        return rc;
    r->mem = data;
    r->mem_len = len;
    r->p = (const unsigned char *)data;
    r->end = r->p + len;
    r->total = len;
    r->eof = 1;
    *out = r;
    return 0;
}

void stix_reader_free(stix_reader *r)
{
    if (!r)
        return;
    if (r->gz)
        gzclose(r->gz);
    vg_free(r->chunk);
    vg_free(r->stack);
    vg_buf_free(&r->elem);
    vg_buf_free(&r->rest);
    vg_free(r);
}

int stix_reader_bundle_is_20(const stix_reader *r) { return r->bundle_20; }

uint64_t stix_reader_bytes_read(const stix_reader *r)
{
    if (r->gz) {
        z_off_t off = gzoffset(r->gz);
        return off > 0 ? (uint64_t)off : r->consumed;
    }
    return r->consumed;
}

uint64_t stix_reader_bytes_total(const stix_reader *r) { return r->total; }

const char *stix_reader_text(const stix_reader *r, size_t *len)
{
    *len = r->elem.len;
    return r->elem.data;
}

/* ---- the walk ------------------------------------------------------------- */

/* Parses the element in r->elem; returns 1 with *obj or VG_E_INVALID. */
static int parse_element(stix_reader *r, long line, long col, json_t **obj, vg_error *err)
{
    json_error_t jerr;
    long fails = vg_alloc_failures();
    json_t *v = json_loadb(r->elem.data, r->elem.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v) {
        long l = line + jerr.line - 1, c = jerr.line <= 1 ? col + jerr.column - 1 : jerr.column;
        if (json_error_code(&jerr) == json_error_out_of_memory || vg_alloc_failures() != fails)
            return vg_error_set(err, VG_E_NOMEM, "out of memory parsing an object in %s", r->name);
        vg_error_set(err, VG_E_INVALID, "object %llu is not valid JSON: %s", (unsigned long long)r->index,
                     jerr.text);
        return vg_error_where(err, "%s:%ld:%ld", r->name, l, c);
    }
    if (!json_is_object(v)) {
        json_decref(v);
        vg_error_set(err, VG_E_INVALID, "element %llu of the objects array is not a JSON object",
                     (unsigned long long)r->index);
        return vg_error_where(err, "%s:%ld:%ld", r->name, line, col);
    }
    *obj = v;
    return 1;
}

/* Reads the next element of an objects array (mode M_ELEMENTS). */
static int next_element(stix_reader *r, json_t **obj, stix_pos *pos, vg_error *err)
{
    int c = skip_ws(r, err);
    if (c == -2)
        return VG_E_IO;
    if (c == ']') {
        advance(r);
        if (r->top_is_array) {
            r->mode = M_DONE;
            c = skip_ws(r, err);
            if (c != -1)
                return c == -2 ? VG_E_IO : syntax(r, err, c, "the end of input");
            return 0;
        }
        r->mode = M_BUNDLE_KEYS;
        return 2; /* back to the bundle's keys */
    }
    if (r->index > 0) {
        if (c != ',')
            return syntax(r, err, c, "',' or ']' after an object");
        advance(r);
        c = skip_ws(r, err);
        if (c == -2)
            return VG_E_IO;
    }
    if (r->index >= r->o.max_objects) {
        char what[96];
        snprintf(what, sizeof what, "more than %llu objects", (unsigned long long)r->o.max_objects);
        return fail(r, err, VG_E_LIMIT, "%s", what);
    }
    long line = r->line, col = r->col;
    vg_buf_reset(&r->elem);
    int rc = scan_value(r, &r->elem, 2, err);
    if (rc)
        return rc;
    pos->index = r->index;
    pos->line = line;
    pos->col = col;
    rc = parse_element(r, line, col, obj, err);
    r->index++;
    return rc;
}

/* Reads the bundle's members until the objects array starts or the bundle ends. */
static int bundle_keys(stix_reader *r, vg_error *err)
{
    for (;;) {
        int c = skip_ws(r, err);
        if (c == -2)
            return VG_E_IO;
        if (c == '}') {
            advance(r);
            c = skip_ws(r, err);
            if (c != -1)
                return c == -2 ? VG_E_IO : syntax(r, err, c, "the end of input after the top-level object");
            if (r->saw_objects || strcmp(r->top_type, "bundle") == 0) {
                r->mode = M_DONE;
                return 0;
            }
            r->mode = M_SINGLE;
            return 0;
        }
        if (r->rest.len > 1 || r->saw_objects) {
            if (c != ',')
                return syntax(r, err, c, "',' or '}' in the top-level object");
            advance(r);
            c = skip_ws(r, err);
        }
        if (c != '"')
            return syntax(r, err, c, "an object key");
        char key[KEY_MAX];
        long kline = r->line, kcol = r->col;
        int rc = scan_key(r, key, err);
        if (rc)
            return rc;
        c = skip_ws(r, err);
        if (c != ':')
            return c == -2 ? VG_E_IO : syntax(r, err, c, "':' after a key");
        advance(r);
        c = skip_ws(r, err);
        if (c == -2)
            return VG_E_IO;
        if (strcmp(key, "objects") == 0 && c == '[' && strcmp(r->top_type, "bundle") == 0 && !r->saw_objects) {
            advance(r);
            r->saw_objects = 1;
            r->mode = M_ELEMENTS;
            return 0;
        }
        if (strcmp(key, "objects") == 0 && c == '[' && !r->top_type[0] && !r->saw_objects) {
            /* "objects" before "type": a bundle unless proven otherwise. */
            advance(r);
            r->saw_objects = 1;
            snprintf(r->top_type, sizeof r->top_type, "bundle");
            r->mode = M_ELEMENTS;
            return 0;
        }
        /* Any other member: keep it (bounded) in case the top level is a single object. */
        size_t mark = r->rest.len;
        int ok = vg_buf_puts(&r->rest, r->rest.len > 1 ? "," : "") == 0;
        ok = ok && vg_buf_put_json_string(&r->rest, key, strlen(key)) == 0 && vg_buf_putc(&r->rest, ':') == 0;
        if (!ok)
            return fail(r, err, r->rest.len + 300 < r->rest.max ? VG_E_NOMEM : VG_E_LIMIT, "%s",
                        "top-level object too large, or out of memory");
        size_t vstart = r->rest.len;
        rc = scan_value(r, &r->rest, 1, err);
        if (rc)
            return rc;
        if (strcmp(key, "type") == 0 || strcmp(key, "spec_version") == 0) {
            json_error_t jerr;
            long fails = vg_alloc_failures();
            json_t *v = json_loadb(r->rest.data + vstart, r->rest.len - vstart, JSON_DECODE_ANY, &jerr);
            if (!v && vg_alloc_failures() != fails)
                return fail(r, err, VG_E_NOMEM, "%s", "out of memory reading the bundle");
            if (!v || !json_is_string(v)) {
                json_decref(v);
                r->line = kline;
                r->col = kcol;
                char what[96];
                snprintf(what, sizeof what, "\"%s\" of the top-level object is not a string", key);
                return fail(r, err, VG_E_PARSE, "%s", what);
            }
            if (key[0] == 't')
                snprintf(r->top_type, sizeof r->top_type, "%s", json_string_value(v));
            else if (strcmp(json_string_value(v), "2.0") == 0)
                r->bundle_20 = 1;
            json_decref(v);
        }
        (void)mark;
    }
}

int stix_reader_next(stix_reader *r, json_t **obj, stix_pos *pos, vg_error *err)
{
    *obj = NULL;
    for (;;) {
        int rc, c;
        switch (r->mode) {
        case M_START:
            if (r->consumed == 0 && peekc(r, err) == 0xEF) { /* UTF-8 byte order mark */
                for (int i = 0; i < 3 && peekc(r, err) >= 0; i++)
                    advance(r);
            }
            c = skip_ws(r, err);
            if (c == -2)
                return VG_E_IO;
            if (c == -1) {
                r->mode = M_FAILED;
                vg_error_set(err, VG_E_PARSE, "%s is empty", r->name);
                vg_error_where(err, "%s", r->name);
                return vg_error_hint(err, "expected a STIX bundle (a JSON object with \"type\": \"bundle\")");
            }
            if (c == '[') {
                advance(r);
                r->top_is_array = 1;
                r->mode = M_ELEMENTS;
            } else if (c == '{') {
                advance(r);
                if (vg_buf_putc(&r->rest, '{'))
                    return vg_error_set(err, VG_E_NOMEM, "out of memory");
                r->mode = M_BUNDLE_KEYS;
            } else {
                return syntax(r, err, c, "'{' (a STIX bundle or object) or '[' (an array of objects)");
            }
            break;
        case M_BUNDLE_KEYS:
            rc = bundle_keys(r, err);
            if (rc)
                return rc;
            break;
        case M_ELEMENTS:
            rc = next_element(r, obj, pos, err);
            if (rc == 2)
                break;
            if (rc < 0 && rc != VG_E_INVALID)
                r->mode = M_FAILED;
            return rc;
        case M_SINGLE:
            r->mode = M_DONE;
            if (vg_buf_putc(&r->rest, '}'))
                return vg_error_set(err, VG_E_NOMEM, "out of memory");
            vg_buf_reset(&r->elem);
            if (vg_buf_append(&r->elem, r->rest.data, r->rest.len))
                return vg_error_set(err, VG_E_NOMEM, "out of memory");
            pos->index = 0;
            pos->line = 1;
            pos->col = 1;
            rc = parse_element(r, 1, 1, obj, err);
            r->index++;
            return rc;
        case M_DONE:
            return 0;
        case M_FAILED:
            if (!err || !err->code)
                vg_error_set(err, VG_E_USAGE, "%s", "the reader failed earlier");
            return err ? err->code : VG_E_USAGE;
        }
    }
}

char *stix_dump(json_t *obj, size_t *len)
{
    char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!s)
        return NULL;
    if (len)
        *len = strlen(s);
    return s;
}
