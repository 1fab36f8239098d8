/*
 * taxii_json.c - the validating JSON scanner of taxii_json.h: strings with
 * their UTF-8 checked eight bytes at a time, numbers, literals, containers;
 * the elements of an envelope's array; compaction of a value to the text
 * jansson would dump, with the jansson tree it would parse built in the same
 * pass (jansson's own parser took five times as long as the rest of a POSTed
 * object's preparation). What it declines goes back to jansson.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "taxii/taxii_json.h"

#define SCAN_DEPTH 256 /* deeper nesting goes to jansson (its own limit is 2048) */
#define SCAN_NUM_MAX 15 /* longer numbers go to jansson (it refuses integers beyond 64 bits) */

/* Classes of the bytes inside a string; plain printable ASCII is the common case. */
enum { S_PLAIN, S_QUOTE, S_ESC, S_CTRL, S_U2, S_U3, S_U4, S_BAD };

static int str_class(unsigned char c)
{
    if (c >= 0x20 && c < 0x80)
        return c == '"' ? S_QUOTE : c == '\\' ? S_ESC : S_PLAIN;
    if (c < 0x20)
        return S_CTRL;
    if (c < 0xc2 || c > 0xf4)
        return S_BAD; /* a continuation byte first, an overlong lead, or beyond U+10FFFF */
    return c < 0xe0 ? S_U2 : c < 0xf0 ? S_U3 : S_U4;
}

static int cont(const unsigned char *p) { return (*p & 0xc0) == 0x80; }

/*
 * Whether any of the eight bytes in w needs a look: a quote, a backslash, a
 * control character or a non-ASCII byte (the high bit of such bytes is set in
 * the result; bytes above the first may be flagged spuriously, never missed).
 */
static uint64_t special(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    return (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w) & high;
}

/* A string at j->p (its opening quote). 0, or -1 when malformed or undecidable (\u). */
int taxii__json_string(taxii_jscan *j, taxii_jstr *out)
{
    const unsigned char *p = j->p + 1, *end = j->end;
    out->s = (const char *)p;
    out->esc = 0;
    while (p < end) {
        /* Plain ASCII eight bytes at a time; the byte that stops it goes through the switch. */
        uint64_t w;
        while (end - p >= 8 && (memcpy(&w, p, 8), !special(w)))
            p += 8;
        if (p == end)
            break;
        switch (str_class(*p)) {
        case S_PLAIN: p++; break;
        case S_QUOTE:
            out->n = (size_t)((const char *)p - out->s);
            j->p = p + 1;
            return 0;
        case S_ESC:
            if (j->u_ok && end - p >= 6 && p[1] == 'u' && isxdigit(p[2]) && isxdigit(p[3]) && isxdigit(p[4]) &&
                isxdigit(p[5])) {
                out->esc = 1; /* its value (a surrogate? NUL?) is for jansson to judge */
                p += 6;
                break;
            }
            if (p + 1 >= end || !strchr("\"\\/bfnrt", p[1]) || !p[1])
                return -1; /* \u and malformed escapes: jansson decides */
            out->esc = 1;
            p += 2;
            break;
        case S_U2:
            if (end - p < 2 || !cont(p + 1))
                return -1;
            p += 2;
            break;
        case S_U3:
            if (end - p < 3 || !cont(p + 1) || !cont(p + 2) || (p[0] == 0xe0 && p[1] < 0xa0) ||
                (p[0] == 0xed && p[1] > 0x9f))
                return -1; /* overlong, or a UTF-16 surrogate */
            p += 3;
            break;
        case S_U4:
            if (end - p < 4 || !cont(p + 1) || !cont(p + 2) || !cont(p + 3) || (p[0] == 0xf0 && p[1] < 0x90) ||
                (p[0] == 0xf4 && p[1] > 0x8f))
                return -1; /* overlong, or beyond U+10FFFF */
            p += 4;
            break;
        default: return -1; /* control characters, stray bytes */
        }
    }
    return -1;
}

static int digit(const unsigned char *p, const unsigned char *end) { return p < end && *p >= '0' && *p <= '9'; }

/* A number without exponent, at most SCAN_NUM_MAX bytes; anything else -1. */
static int scan_number(taxii_jscan *j)
{
    const unsigned char *p = j->p, *start = p;
    if (*p == '-')
        p++;
    if (!digit(p, j->end))
        return -1;
    if (*p == '0')
        p++;
    else
        while (digit(p, j->end))
            p++;
    if (p < j->end && *p == '.') {
        p++;
        if (!digit(p, j->end))
            return -1;
        while (digit(p, j->end))
            p++;
    }
    if ((p < j->end && (*p == 'e' || *p == 'E')) || p - start > SCAN_NUM_MAX)
        return -1;
    j->p = p;
    return 0;
}


/* An array or object at j->p, every taxii__json_member validated. */
static int scan_container(taxii_jscan *j)
{
    int obj = *j->p == '{', close = obj ? '}' : ']';
    if (++j->depth > SCAN_DEPTH)
        return -1;
    j->p++;
    int c = taxii__json_ws(j);
    if (c == close) {
        j->p++;
        j->depth--;
        return 0;
    }
    for (;;) {
        taxii_jstr key;
        if (obj) {
            if (c != '"' || taxii__json_string(j, &key) || taxii__json_ws(j) != ':')
                return -1;
            j->p++;
        }
        if (taxii__json_value(j))
            return -1;
        c = taxii__json_ws(j);
        if (c != close && c != ',')
            return -1;
        j->p++;
        if (c == close)
            break;
        c = taxii__json_ws(j);
    }
    j->depth--;
    return 0;
}

static int literal(taxii_jscan *j, const char *w, size_t n)
{
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
        return -1;
    j->p += n;
    return 0;
}

/* Any value at j->p (after white space). */
int taxii__json_value(taxii_jscan *j)
{
    taxii_jstr s;
    switch (taxii__json_ws(j)) {
    case -1: return -1;
    case '"': return taxii__json_string(j, &s);
    case '{':
    case '[': return scan_container(j);
    case 't': return literal(j, "true", 4);
    case 'f': return literal(j, "false", 5);
    case 'n': return literal(j, "null", 4);
    default: return scan_number(j);
    }
}

/* Member names the rules read, by length and text. */
int taxii__json_member(const taxii_jstr *k, const char *name) { return k->n == strlen(name) && memcmp(k->s, name, k->n) == 0; }


/* ---- elements of a member array --------------------------------------------------- */

/* Whether any of the eight bytes in w is a quote or a backslash (as special(), for these two only). */
static uint64_t quote_or_backslash(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    return (((q - ones) & ~q) | ((b - ones) & ~b)) & high;
}

/*
 * The extent of the array or object at j->p, found from its brackets and
 * strings alone: what lies between them is not checked (the caller parses
 * the value again). For valid JSON that is exactly where the value ends.
 * -1 at the end of the text or deeper than SCAN_DEPTH (jansson's own limit
 * must decide those).
 */
static int skip_container(taxii_jscan *j)
{
    const unsigned char *p = j->p, *end = j->end;
    int depth = 0;
    while (p < end) {
        unsigned char c = *p++;
        if (c == '"') {
            for (;;) {
                uint64_t w;
                while (end - p >= 8 && (memcpy(&w, p, 8), !quote_or_backslash(w)))
                    p += 8;
                while (p < end && *p != '"' && *p != '\\')
                    p++;
                if (p >= end)
                    return -1;
                if (*p++ == '"')
                    break;
                p++; /* the escaped byte */
            }
        } else if (c == '{' || c == '[') {
            if (++depth > SCAN_DEPTH)
                return -1;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) {
                j->p = p;
                return 0;
            }
        }
    }
    return -1;
}

/*
 * The elements of the array at j->p (its bracket) into *spans and *count
 * (freed and made again). Elements that are arrays or objects are found by
 * skip_container, the others scanned in full. TAXII_JSON_DECLINED (malformed
 * around the elements, more than max) or VG_E_NOMEM.
 */
static int array_spans(taxii_jscan *j, size_t max, taxii_span **spans, size_t *count)
{
    size_t cap = 0;
    vg_free(*spans);
    *spans = NULL;
    *count = 0;
    j->p++;
    j->u_ok = 1; /* a scalar element is parsed again too */
    int c = taxii__json_ws(j);
    while (c != ']') {
        const unsigned char *start = j->p;
        if ((c == '{' || c == '[' ? skip_container(j) : taxii__json_value(j)) || *count == max)
            return TAXII_JSON_DECLINED;
        if (*count == cap) {
            size_t nc = cap ? cap * 2 : 64;
            taxii_span *ns = vg_realloc(*spans, nc * sizeof *ns);
            if (!ns)
                return VG_E_NOMEM;
            *spans = ns;
            cap = nc;
        }
        (*spans)[*count].p = (const char *)start;
        (*spans)[(*count)++].n = (size_t)(j->p - start);
        c = taxii__json_ws(j);
        if (c == ',') {
            j->p++;
            c = taxii__json_ws(j);
            if (c == ']')
                return TAXII_JSON_DECLINED; /* a trailing comma */
        } else if (c != ']') {
            return TAXII_JSON_DECLINED;
        }
    }
    j->p++;
    j->u_ok = 0;
    return 0;
}

/*
 * The elements of the array member `name` of the top-level object, in one
 * pass. strict: also no key twice at the top, every other member a scalar,
 * nothing after the object (what taxii__json_envelope promises).
 */
static int elements_scan(taxii_jscan *j, const char *name, size_t max, int strict, taxii_span **spans,
                         size_t *count)
{
    taxii_jstr keys[32];
    size_t nkeys = 0;
    int found = 0;
    if (taxii__json_ws(j) != '{')
        return TAXII_JSON_DECLINED;
    j->p++;
    int c = taxii__json_ws(j);
    while (c != '}') {
        taxii_jstr key;
        if (c != '"' || taxii__json_string(j, &key) || taxii__json_ws(j) != ':')
            return TAXII_JSON_DECLINED;
        if (strict) {
            /* Keys compared as written: an escaped key (which might equal another) is declined. */
            if (key.esc || nkeys == sizeof keys / sizeof keys[0])
                return TAXII_JSON_DECLINED;
            for (size_t k = 0; k < nkeys; k++)
                if (keys[k].n == key.n && memcmp(keys[k].s, key.s, key.n) == 0)
                    return TAXII_JSON_DECLINED;
            keys[nkeys++] = key;
        }
        j->p++;
        c = taxii__json_ws(j);
        int rc, mine = taxii__json_member(&key, name);
        if (mine && c == '[') {
            /* The last of duplicate members counts (jansson refuses duplicates before this is used). */
            if ((rc = array_spans(j, max, spans, count)))
                return rc;
            found = 1;
        } else if (mine || (strict && (c == '{' || c == '[')) || taxii__json_value(j)) {
            return TAXII_JSON_DECLINED;
        }
        c = taxii__json_ws(j);
        if (c == ',') {
            j->p++;
            c = taxii__json_ws(j);
            if (c != '"')
                return TAXII_JSON_DECLINED; /* a trailing comma */
        } else if (c != '}') {
            return TAXII_JSON_DECLINED;
        }
    }
    j->p++;
    return !found || (strict && taxii__json_ws(j) != -1) ? TAXII_JSON_DECLINED : 0;
}

static int elements(const char *text, size_t n, const char *name, size_t max, int strict, taxii_span **spans,
                    size_t *count)
{
    taxii_jscan j = {(const unsigned char *)text, (const unsigned char *)text + n, 1, 0};
    *spans = NULL;
    *count = 0;
    int rc = elements_scan(&j, name, max, strict, spans, count);
    if (rc) {
        vg_free(*spans);
        *spans = NULL;
        *count = 0;
    }
    return rc;
}

int taxii__json_elements(const char *text, size_t n, const char *name, size_t max, taxii_span **spans,
                         size_t *count)
{
    return elements(text, n, name, max, 0, spans, count);
}

int taxii__json_envelope(const char *text, size_t n, size_t max, taxii_span **spans, size_t *count)
{
    return elements(text, n, "objects", max, 1, spans, count);
}

/* ---- compaction ---------------------------------------------------------------------- */

/*
 * Whether the string has the escape \/, which jansson dumps as '/' (every
 * other escape taxii__json_string accepts is dumped as written).
 */
static int has_slash_escape(const taxii_jstr *s)
{
    if (!s->esc)
        return 0;
    for (size_t i = 0; i + 1 < s->n; i++) {
        if (s->s[i] != '\\')
            continue;
        if (s->s[i + 1] == '/')
            return 1;
        i++;
    }
    return 0;
}

/*
 * The value of a string whose escapes taxii__json_string accepted and
 * has_slash_escape did not refuse (\" \\ \b \f \n \r \t), decoded into buf
 * (at least s->n bytes): its length.
 */
static size_t unescape(const taxii_jstr *s, char *buf)
{
    static const char decoded[256] = {['"'] = '"', ['\\'] = '\\', ['b'] = '\b', ['f'] = '\f',
                                      ['n'] = '\n', ['r'] = '\r', ['t'] = '\t'};
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        buf[k++] = s->s[i] == '\\' ? decoded[(unsigned char)s->s[++i]] : s->s[i];
    return k;
}

/*
 * A string's value, decoded when it has escapes: in small (of 256 bytes)
 * when it fits, else in *heap (vg_malloc'd; the caller frees it). NULL when
 * out of memory.
 */
static const char *str_value(const taxii_jstr *s, char small[256], char **heap, size_t *len)
{
    *heap = NULL;
    *len = s->n;
    if (!s->esc)
        return s->s;
    char *buf = s->n <= 256 ? small : (*heap = vg_malloc(s->n));
    if (buf)
        *len = unescape(s, buf);
    return buf;
}

/* The jansson value of a scalar text (already scanned; integers only, as compaction admits). */
static json_t *scalar_tree(const unsigned char *p, size_t n)
{
    if (*p == 't')
        return json_true();
    if (*p == 'f')
        return json_false();
    if (*p == 'n')
        return json_null();
    json_int_t v = 0;
    for (size_t i = *p == '-'; i < n; i++)
        v = v * 10 + (p[i] - '0'); /* at most SCAN_NUM_MAX digits: no overflow */
    return json_integer(*p == '-' ? -v : v);
}

/*
 * Adds child to the container tree (member key[0..klen) of an object, else
 * the next element): 0, VG_E_NOMEM, or TAXII_JSON_DECLINED for a key the
 * object has already (jansson refuses it; the object did not grow).
 */
static int tree_add(json_t *tree, const char *key, size_t klen, json_t *child)
{
    if (!json_is_object(tree))
        return json_array_append_new(tree, child) ? VG_E_NOMEM : 0;
    size_t had = json_object_size(tree);
    if (json_object_setn_new_nocheck(tree, key, klen, child))
        return VG_E_NOMEM;
    return json_object_size(tree) == had ? TAXII_JSON_DECLINED : 0;
}

static int compact_value(taxii_jscan *j, vg_buf *out, json_t **tree);

/*
 * Appends without a check: the entry points reserved room for the whole
 * value first (the compact text is never longer than the text it comes
 * from). The terminating NUL is written at the end.
 */
static void put(vg_buf *out, const unsigned char *p, size_t n)
{
    memcpy(out->data + out->len, p, n);
    out->len += n;
}

static void put1(vg_buf *out, int c) { out->data[out->len++] = (char)c; }

/*
 * An array or object at j->p (its bracket) to out and, when tree is not NULL,
 * to *tree; a key twice in an object is declined (jansson would refuse it).
 */
static int compact_container(taxii_jscan *j, vg_buf *out, json_t **tree)
{
    int c = *j->p, close = c == '{' ? '}' : ']', rc;
    json_t *t = NULL;
    if (++j->depth > SCAN_DEPTH)
        return TAXII_JSON_DECLINED;
    if (tree && !(t = close == '}' ? json_object() : json_array()))
        return VG_E_NOMEM;
    j->p++;
    put1(out, c);
    c = taxii__json_ws(j);
    while (c != close) {
        char small[256], *heap = NULL;
        const char *key = NULL;
        size_t klen = 0;
        if (close == '}') {
            taxii_jstr k;
            const unsigned char *ks = j->p;
            rc = TAXII_JSON_DECLINED;
            if (c != '"' || taxii__json_string(j, &k))
                goto fail;
            const unsigned char *ke = j->p;
            if (taxii__json_ws(j) != ':' || has_slash_escape(&k))
                goto fail;
            j->p++;
            put(out, ks, (size_t)(ke - ks));
            put1(out, ':');
            if (t && !(key = str_value(&k, small, &heap, &klen))) {
                rc = VG_E_NOMEM;
                goto fail;
            }
        }
        json_t *child = NULL;
        rc = compact_value(j, out, t ? &child : NULL);
        if (!rc && t)
            rc = tree_add(t, key, klen, child);
        vg_free(heap);
        if (rc)
            goto fail;
        c = taxii__json_ws(j);
        if (c == ',') {
            j->p++;
            c = taxii__json_ws(j);
            rc = TAXII_JSON_DECLINED; /* a trailing comma */
            if (c == close)
                goto fail;
            put1(out, ',');
        } else if (c != close) {
            rc = TAXII_JSON_DECLINED;
            goto fail;
        }
    }
    j->p++;
    j->depth--;
    put1(out, close);
    if (tree)
        *tree = t;
    return 0;
fail:
    json_decref(t);
    return rc;
}

/*
 * One value from j->p to out and, when tree is not NULL, to *tree (set only
 * on success). TAXII_JSON_DECLINED, VG_E_NOMEM or VG_E_LIMIT as
 * taxii__json_compact.
 */
static int compact_value(taxii_jscan *j, vg_buf *out, json_t **tree)
{
    int c = taxii__json_ws(j);
    const unsigned char *start = j->p;
    if (c == '{' || c == '[')
        return compact_container(j, out, tree);
    json_t *t = NULL;
    if (c == '"') {
        taxii_jstr s;
        if (taxii__json_string(j, &s) || has_slash_escape(&s))
            return TAXII_JSON_DECLINED;
        if (tree) {
            char small[256], *heap;
            size_t len;
            const char *v = str_value(&s, small, &heap, &len);
            t = v ? json_stringn_nocheck(v, len) : NULL;
            vg_free(heap);
            if (!t)
                return VG_E_NOMEM;
        }
    } else {
        if (taxii__json_value(j))
            return TAXII_JSON_DECLINED;
        /* Integers are dumped as written, except -0; reals are reformatted by jansson. */
        size_t len = (size_t)(j->p - start);
        if ((c == '-' || (c >= '0' && c <= '9')) &&
            (memchr(start, '.', len) || (len == 2 && start[0] == '-' && start[1] == '0')))
            return TAXII_JSON_DECLINED;
        if (tree && !(t = scalar_tree(start, len)))
            return VG_E_NOMEM;
    }
    put(out, start, (size_t)(j->p - start));
    if (tree)
        *tree = t;
    return 0;
}

/* Compacts the value v[0..n) to out (and its tree to *tree when not NULL): the entry points' common part. */
static int compact_text(const char *v, size_t n, vg_buf *out, json_t **tree)
{
    taxii_jscan j = {(const unsigned char *)v, (const unsigned char *)v + n, 0, 0};
    int rc = vg_buf_reserve(out, n);
    if (rc)
        return rc;
    rc = compact_value(&j, out, tree);
    if (!rc && taxii__json_ws(&j) != -1)
        rc = TAXII_JSON_DECLINED; /* nothing may follow */
    out->data[out->len] = '\0';
    return rc;
}

int taxii__json_compact(const char *v, size_t n, vg_buf *out) { return compact_text(v, n, out, NULL); }

int taxii__json_tree(const char *v, size_t n, vg_buf *out, json_t **tree)
{
    json_t *t = NULL;
    *tree = NULL;
    int rc = compact_text(v, n, out, &t);
    if (rc) {
        json_decref(t);
        return rc;
    }
    *tree = t;
    return 0;
}
