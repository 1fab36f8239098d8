/*
 * taxii_json.h - a small validating JSON scanner for the server's hot paths,
 * which read JSON text without building a jansson tree: the TLP decision on
 * every row read (taxii_tlp.c) and the objects of a POSTed envelope, stored
 * as compact text without a dump of their tree (taxii_routes.c).
 *
 * The scanner accepts exactly what jansson accepts, except what it declines
 * to decide: a \u escape, an exponent or a number longer than 15 bytes,
 * nesting deeper than 256. Declined or malformed input gives -1 (from the
 * scanning functions) or TAXII_JSON_DECLINED (from the others) and the
 * caller falls back to jansson, so the answers never differ (the fuzz
 * targets fuzz_taxii_tlp and fuzz_taxii_compact compare them).
 */
#ifndef TAXII_JSON_H
#define TAXII_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "core/vg_buf.h"
#include "core/vg_error.h"

/* What the functions below return when they leave the text to jansson (declined or malformed). */
#define TAXII_JSON_DECLINED VG_E_UNSUPPORTED

typedef struct taxii_jscan {
    const unsigned char *p;   /* next byte */
    const unsigned char *end; /* end of the text */
    int depth;                /* arrays and objects open */
    int u_ok;                 /* \u and four hex digits pass as an escape (where only the extent of a value
                                 matters, not its value: jansson reads it again) instead of declining */
} taxii_jscan;

/* A string as the scanner saw it: the bytes between the quotes. */
typedef struct taxii_jstr {
    const char *s; /* first byte after the opening quote */
    size_t n;      /* bytes up to the closing quote */
    int esc;       /* it has escapes (its bytes are not its value) */
} taxii_jstr;

static inline int taxii__json_ws(taxii_jscan *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
        j->p++;
    return j->p < j->end ? *j->p : -1;
}

/* A string at j->p (its opening quote): 0 with *out and j->p past it, or -1 (malformed, or \u unless j->u_ok). */
int taxii__json_string(taxii_jscan *j, taxii_jstr *out);
/* Any value at j->p (white space first): 0 with j->p past it, or -1. */
int taxii__json_value(taxii_jscan *j);
/* Whether the string (unescaped) is name. */
int taxii__json_member(const taxii_jstr *k, const char *name);

/* Where one value lies in a text. */
typedef struct taxii_span {
    const char *p; /* first byte */
    size_t n;      /* length */
} taxii_span;

/*
 * The texts of the elements of the array that is member `name` of the
 * top-level object in text[0..n): *spans (caller frees with vg_free) and
 * *count. As in taxii__json_envelope, the elements that are arrays or
 * objects are only delimited, not checked: for text jansson accepts, they
 * are exact. TAXII_JSON_DECLINED when the text is not such an object, when
 * the scanner declines it, or when there are more than max elements;
 * VG_E_NOMEM.
 */
int taxii__json_elements(const char *text, size_t n, const char *name, size_t max, taxii_span **spans,
                         size_t *count);

/*
 * A POSTed envelope the scanner vouches for: the texts of the objects of a
 * top-level object whose other members are scalars, with no key twice at
 * the top, no more than max objects and nothing after it. Of the objects
 * only the extent is found (from their brackets and strings, at most 256
 * deep): the caller must parse each again (taxii__json_tree, jansson), and
 * jansson accepts the whole body exactly when it accepts each object alone
 * (with duplicate keys refused). TAXII_JSON_DECLINED otherwise (the caller
 * parses the body whole), VG_E_NOMEM.
 */
int taxii__json_envelope(const char *text, size_t n, size_t max, taxii_span **spans, size_t *count);

/*
 * Appends the value v without white space, exactly as jansson's
 * json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) writes it after loading it
 * (duplicate keys already refused): 0, or TAXII_JSON_DECLINED when that
 * cannot be promised (\u or \/ escapes, real numbers, -0, malformed text),
 * VG_E_NOMEM or VG_E_LIMIT from out. When declined, out may hold part of the
 * value.
 */
int taxii__json_compact(const char *v, size_t n, vg_buf *out);

/*
 * taxii__json_compact, and in the same pass the tree json_loadb(v, n,
 * JSON_REJECT_DUPLICATES | JSON_DECODE_ANY) gives: *tree (the caller
 * decrefs it) and the compact text appended to out. TAXII_JSON_DECLINED
 * where taxii__json_compact declines and for a key twice in an object (the
 * caller asks jansson, which gives the tree or the error), VG_E_NOMEM
 * (jansson's allocations included), VG_E_LIMIT. *tree is NULL unless 0 is
 * returned; out may hold part of the text.
 */
int taxii__json_tree(const char *v, size_t n, vg_buf *out, json_t **tree);

#endif
