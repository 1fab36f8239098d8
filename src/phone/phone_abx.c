/*
 * phone_abx.c - Android's binary XML ("ABX"), the form Android 12 and later
 * keep their settings files in (adb_keys.xml's successor adb_temp_keys.xml,
 * packages.xml, appops.xml...).
 *
 * The format (AOSP BinaryXmlSerializer): the magic "ABX\0", then tokens. A
 * token is one byte, the XmlPullParser event in its low four bits and a type
 * in its high four bits, followed by what the type needs, big-endian:
 *
 *   START_TAG  | STRING_INTERNED  name          END_TAG | STRING_INTERNED  name
 *   ATTRIBUTE  | type             name value    TEXT (and the other text events) | STRING  utf
 *   START_DOCUMENT / END_DOCUMENT | NULL
 *
 * An interned string is a u16 index into the strings seen so far, or 0xFFFF
 * followed by a new string (which takes the next index). A string is a u16
 * length and that many bytes of (modified) UTF-8. Values: INT/INT_HEX four
 * bytes, LONG/LONG_HEX and DOUBLE eight, FLOAT four, BYTES_HEX/BYTES_BASE64 a
 * u16 length and the bytes, BOOLEAN_TRUE/FALSE nothing.
 *
 * `dumpsys adb` prints the keystore file as text, and a capture of it as
 * UTF-8 turns every byte that is not valid UTF-8 into U+FFFD (EF BF BD):
 * 0xFF of a new interned string, the high bytes of lengths, the token of a
 * LONG attribute. The lossy reader takes each EF BF BD as one unknown byte
 * and searches the readings that fit: an unknown token must be an attribute
 * of a type above 7, an unknown length must end the string before the next
 * unknown byte (a string is valid UTF-8) and let the rest parse, an end tag
 * must close the open tag. The search is depth-first with a step budget;
 * numbers with unknown bytes are given as "?".
 */
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "phone/phone_int.h"

#define ABX_MAX_DEPTH 64
#define ABX_MAX_STRINGS 65535  /* interned strings (the index is a u16 below 0xFFFF) */
#define ABX_MAX_TOKENS 100000  /* tokens in one document */
#define ABX_MAX_LOSSY 65536    /* bytes of a lossy document (the search is for small files) */
#define ABX_LOSSY_TOKENS 1024  /* tokens of a lossy document (the search recurses once per token) */
#define ABX_LOSSY_STEPS 200000 /* readings tried before giving up */

enum { CMD_START_DOC = 0, CMD_END_DOC, CMD_START_TAG, CMD_END_TAG, CMD_TEXT, CMD_CDSECT, CMD_ENTITY_REF,
       CMD_IGNORABLE_WS, CMD_PI, CMD_COMMENT, CMD_DOCDECL, CMD_ATTRIBUTE = 15 };
enum { T_NULL = 1, T_STRING, T_INTERNED, T_BYTES_HEX, T_BYTES_B64, T_INT, T_INT_HEX, T_LONG, T_LONG_HEX, T_FLOAT,
       T_DOUBLE, T_TRUE, T_FALSE };

/* One event found, replayed to the caller once the whole document has a reading. */
typedef struct abx_ev {
    uint8_t cmd;   /* CMD_START_TAG, CMD_ATTRIBUTE, CMD_TEXT... */
    uint8_t type;  /* T_* of the value */
    uint8_t unk;   /* 1 when the value has unknown bytes */
    int depth;     /* open tags around it */
    uint32_t name; /* interned index of the tag or attribute name */
    size_t off;    /* offset of the value's bytes (in the symbol arrays) */
    size_t len;    /* their count */
} abx_ev;

/* The parse: the input as symbols (a byte, or unknown), the interned strings, the events. */
typedef struct abx {
    const uint8_t *b;  /* symbol values */
    const uint8_t *u;  /* 1 where the symbol is an unknown byte (lossy), or NULL */
    size_t n;          /* symbols */
    size_t *soff;      /* interned strings: offset and length */
    size_t *slen;
    size_t ns;
    abx_ev *ev;        /* events so far */
    size_t nev, cap;
    uint32_t stack[ABX_MAX_DEPTH]; /* names of the open tags */
    long steps;        /* budget left for the lossy search */
    int fail_nomem;
    size_t far;        /* furthest offset reached (for the error) */
} abx;

static int unk(const abx *a, size_t i)
{
    return a->u && a->u[i];
}

static int push_ev(abx *a, size_t at, const abx_ev *e)
{
    if (at >= a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 64;
        if (nc > ABX_MAX_TOKENS)
            nc = ABX_MAX_TOKENS;
        if (at >= nc)
            return -1;
        abx_ev *v = vg_realloc(a->ev, nc * sizeof *v);
        if (!v) {
            a->fail_nomem = 1;
            return -1;
        }
        a->ev = v;
        a->cap = nc;
    }
    a->ev[at] = *e;
    a->nev = at + 1;
    return 0;
}

static int push_str(abx *a, size_t off, size_t len)
{
    if (a->ns >= ABX_MAX_STRINGS)
        return -1;
    if ((a->ns & (a->ns - 1)) == 0 || a->ns == 0) { /* grow at powers of two */
        size_t nc = a->ns ? a->ns * 2 : 16;
        size_t *o = vg_realloc(a->soff, nc * sizeof *o);
        if (!o) {
            a->fail_nomem = 1;
            return -1;
        }
        a->soff = o;
        size_t *l = vg_realloc(a->slen, nc * sizeof *l);
        if (!l) {
            a->fail_nomem = 1;
            return -1;
        }
        a->slen = l;
    }
    a->soff[a->ns] = off;
    a->slen[a->ns] = len;
    a->ns++;
    return 0;
}

/* A string's bytes must be known and (loosely) UTF-8: no byte that a capture would have replaced. */
static int str_ok(const abx *a, size_t off, size_t len)
{
    if (off + len > a->n)
        return 0;
    for (size_t i = off; i < off + len; i++)
        if (unk(a, i))
            return 0;
    return 1;
}

/* Possible values of a u16 at pos (each unknown byte is 0x80..0xFF); lo and hi bound them. */
static void u16_range(const abx *a, size_t pos, unsigned *lo, unsigned *hi)
{
    unsigned h0 = unk(a, pos) ? 0x80 : a->b[pos], h1 = unk(a, pos) ? 0xFF : a->b[pos];
    unsigned l0 = unk(a, pos + 1) ? 0x80 : a->b[pos + 1], l1 = unk(a, pos + 1) ? 0xFF : a->b[pos + 1];
    *lo = h0 << 8 | l0;
    *hi = h1 << 8 | l1;
}

static int fits(unsigned v, const abx *a, size_t pos)
{
    unsigned h = v >> 8, l = v & 0xff;
    if (unk(a, pos) ? h < 0x80 : h != a->b[pos])
        return 0;
    return unk(a, pos + 1) ? l >= 0x80 : l == a->b[pos + 1];
}

static int parse_from(abx *a, size_t pos, int depth);

/*
 * A length-prefixed run (string or bytes) at pos, then the rest. `is_str`:
 * the run must be known bytes. `then` continues the parse after it.
 */
typedef struct cont {
    abx_ev ev;    /* the event to record for the run (off/len filled here) */
    int intern;   /* 1: the run is a new interned string (pushed before going on) */
    int depth;    /* depth after this token */
    int tag_open; /* 1: the token opens a tag named by the interned string just read */
} cont;

static int run_then(abx *a, size_t pos, int is_str, const cont *k)
{
    if (pos + 2 > a->n)
        return 0;
    unsigned lo, hi;
    u16_range(a, pos, &lo, &hi);
    size_t start = pos + 2;
    /* known bytes end at the next unknown one: a string cannot run past it */
    size_t limit = a->n - start;
    if (is_str && a->u) {
        size_t i = start;
        while (i < a->n && !a->u[i])
            i++;
        limit = i - start;
    }
    for (unsigned v = lo; v <= hi; v++) {
        if (v > limit)
            break;
        if (!fits(v, a, pos))
            continue;
        if (--a->steps < 0)
            return 0;
        size_t nev = a->nev, ns = a->ns;
        abx_ev e = k->ev;
        e.off = start;
        e.len = v;
        if (k->intern) {
            if (push_str(a, start, v))
                return 0;
            e.name = (uint32_t)(a->ns - 1);
        }
        int d = k->depth;
        if (k->tag_open) {
            if (d >= ABX_MAX_DEPTH)
                return 0;
            a->stack[d] = e.name;
            d++;
        }
        int ok = 1;
        if (e.cmd != 0xff)
            ok = push_ev(a, nev, &e) == 0;
        if (ok && parse_from(a, start + v, d))
            return 1;
        if (a->fail_nomem)
            return 0;
        a->nev = nev;
        a->ns = ns;
    }
    return 0;
}

/* An interned name at pos: an index to a string seen, or 0xFFFF and a new string. Fills *name or asks run_then. */
typedef struct name_k {
    int cmd, type;   /* the token */
    int depth;       /* depth before the token */
} name_k;

static int value_then(abx *a, size_t pos, const name_k *t, uint32_t name);

static int after_name(abx *a, size_t pos, const name_k *t, uint32_t name)
{
    switch (t->cmd) {
    case CMD_START_TAG: {
        if (t->depth >= ABX_MAX_DEPTH)
            return 0;
        abx_ev e = {CMD_START_TAG, T_INTERNED, 0, t->depth, name, 0, 0};
        size_t nev = a->nev;
        if (push_ev(a, nev, &e))
            return 0;
        a->stack[t->depth] = name;
        if (parse_from(a, pos, t->depth + 1))
            return 1;
        a->nev = nev;
        return 0;
    }
    case CMD_END_TAG:
        if (t->depth == 0 || a->stack[t->depth - 1] != name)
            return 0;
        return parse_from(a, pos, t->depth - 1);
    default: return value_then(a, pos, t, name);
    }
}

static int name_then(abx *a, size_t pos, const name_k *t)
{
    if (pos + 2 > a->n)
        return 0;
    unsigned lo, hi;
    u16_range(a, pos, &lo, &hi);
    if (hi == 0xFFFF) { /* a new string: 0xFFFF, u16 length, bytes */
        if (--a->steps < 0)
            return 0;
        if (pos + 4 <= a->n) {
            unsigned llo, lhi;
            u16_range(a, pos + 2, &llo, &lhi);
            size_t start = pos + 4;
            for (unsigned v = llo; v <= lhi && start + v <= a->n; v++) {
                if (!fits(v, a, pos + 2) || !str_ok(a, start, v))
                    continue;
                if (--a->steps < 0)
                    return 0;
                size_t ns = a->ns, nev = a->nev;
                if (push_str(a, start, v))
                    return 0;
                if (after_name(a, start + v, t, (uint32_t)(a->ns - 1)))
                    return 1;
                if (a->fail_nomem)
                    return 0;
                a->ns = ns;
                a->nev = nev;
            }
        }
    }
    for (unsigned v = lo; v <= hi && v < 0xFFFF && v < a->ns; v++) {
        if (!fits(v, a, pos))
            continue;
        if (--a->steps < 0)
            return 0;
        size_t nev = a->nev;
        if (after_name(a, pos + 2, t, v))
            return 1;
        if (a->fail_nomem)
            return 0;
        a->nev = nev;
    }
    return 0;
}

static int value_then(abx *a, size_t pos, const name_k *t, uint32_t name)
{
    abx_ev e = {CMD_ATTRIBUTE, (uint8_t)t->type, 0, t->depth - 1, name, pos, 0}; /* the depth of its tag */
    size_t w = 0;
    switch (t->type) {
    case T_STRING:
    case T_BYTES_HEX:
    case T_BYTES_B64: {
        cont k = {e, 0, t->depth, 0};
        return run_then(a, pos, t->type == T_STRING, &k);
    }
    case T_INTERNED: {
        /* the value is an interned string: read it as a name, then record it */
        if (pos + 2 > a->n)
            return 0;
        unsigned lo, hi;
        u16_range(a, pos, &lo, &hi);
        if (hi == 0xFFFF && pos + 4 <= a->n) {
            unsigned llo, lhi;
            u16_range(a, pos + 2, &llo, &lhi);
            for (unsigned v = llo; v <= lhi && pos + 4 + v <= a->n; v++) {
                if (!fits(v, a, pos + 2) || !str_ok(a, pos + 4, v))
                    continue;
                if (--a->steps < 0)
                    return 0;
                size_t ns = a->ns, nev = a->nev;
                e.off = pos + 4;
                e.len = v;
                if (push_str(a, pos + 4, v) || push_ev(a, nev, &e))
                    return 0;
                if (parse_from(a, pos + 4 + v, t->depth))
                    return 1;
                if (a->fail_nomem)
                    return 0;
                a->ns = ns;
                a->nev = nev;
            }
        }
        for (unsigned v = lo; v <= hi && v < 0xFFFF && v < a->ns; v++) {
            if (!fits(v, a, pos))
                continue;
            if (--a->steps < 0)
                return 0;
            size_t nev = a->nev;
            e.off = a->soff[v];
            e.len = a->slen[v];
            if (push_ev(a, nev, &e))
                return 0;
            if (parse_from(a, pos + 2, t->depth))
                return 1;
            if (a->fail_nomem)
                return 0;
            a->nev = nev;
        }
        return 0;
    }
    case T_INT:
    case T_INT_HEX:
    case T_FLOAT: w = 4; break;
    case T_LONG:
    case T_LONG_HEX:
    case T_DOUBLE: w = 8; break;
    case T_TRUE:
    case T_FALSE:
    case T_NULL: w = 0; break;
    default: return 0;
    }
    if (pos + w > a->n)
        return 0;
    e.len = w;
    for (size_t i = pos; i < pos + w; i++)
        e.unk |= (uint8_t)unk(a, i);
    size_t nev = a->nev;
    if (push_ev(a, nev, &e))
        return 0;
    if (parse_from(a, pos + w, t->depth))
        return 1;
    a->nev = nev;
    return 0;
}

/* One token at pos with every reading its byte allows, then the rest. 1 when the whole input parses. */
static int parse_from(abx *a, size_t pos, int depth)
{
    if (pos > a->far)
        a->far = pos;
    if (a->steps < 0 || a->fail_nomem)
        return 0;
    if (pos == a->n)
        return depth == 0; /* a document may end without END_DOCUMENT */
    if (a->nev >= ABX_LOSSY_TOKENS)
        return 0;
    int first = 0, last = 255;
    if (!unk(a, pos))
        first = last = a->b[pos];
    else
        first = 0x80;
    for (int tok = first; tok <= last; tok++) {
        int cmd = tok & 15, type = tok >> 4;
        if (unk(a, pos) && cmd != CMD_ATTRIBUTE)
            continue; /* an unknown byte is >= 0x80: a type of 8 or more, only attributes have those */
        if (--a->steps < 0)
            return 0;
        name_k t = {cmd, type, depth};
        switch (cmd) {
        case CMD_START_DOC:
            if (type == T_NULL && parse_from(a, pos + 1, depth))
                return 1;
            break;
        case CMD_END_DOC:
            if (type == T_NULL && depth == 0 && pos + 1 <= a->n)
                return 1; /* what follows END_DOCUMENT is not read */
            break;
        case CMD_START_TAG:
        case CMD_END_TAG:
            if (type == T_INTERNED && name_then(a, pos + 1, &t))
                return 1;
            break;
        case CMD_TEXT:
        case CMD_CDSECT:
        case CMD_ENTITY_REF:
        case CMD_IGNORABLE_WS:
        case CMD_PI:
        case CMD_COMMENT:
        case CMD_DOCDECL:
            if (type == T_NULL && parse_from(a, pos + 1, depth))
                return 1;
            if (type == T_STRING) {
                abx_ev e = {(uint8_t)(cmd == CMD_TEXT || cmd == CMD_CDSECT ? CMD_TEXT : 0xfe), T_STRING, 0, depth,
                            0, 0, 0};
                cont k = {e, 0, depth, 0};
                if (run_then(a, pos + 1, 1, &k))
                    return 1;
            }
            break;
        case CMD_ATTRIBUTE:
            if (depth > 0 && type >= T_STRING && type <= T_FALSE && name_then(a, pos + 1, &t))
                return 1;
            break;
        default: break;
        }
        if (a->fail_nomem)
            return 0;
    }
    return 0;
}

/* ---- replaying the events ------------------------------------------------------ */

static void hexs(const uint8_t *p, size_t n, char *out, size_t cap)
{
    static const char hx[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        out[o++] = hx[p[i] >> 4];
        out[o++] = hx[p[i] & 15];
    }
    out[o] = 0;
}

static uint64_t be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* The text of an event's value into buf (NUL-terminated; strings are cut at cap). */
static const char *value_text(const abx *a, const abx_ev *e, char *buf, size_t cap)
{
    const uint8_t *p = a->b + e->off;
    if (e->unk)
        return "?";
    switch (e->type) {
    case T_STRING:
    case T_INTERNED:
    case T_BYTES_B64: {
        size_t n = e->len < cap - 1 ? e->len : cap - 1;
        memcpy(buf, p, n);
        buf[n] = 0;
        for (size_t i = 0; i < n; i++)
            if (!buf[i])
                buf[i] = ' ';
        return buf;
    }
    case T_BYTES_HEX: hexs(p, e->len, buf, cap); return buf;
    case T_INT: snprintf(buf, cap, "%d", (int)(int32_t)(uint32_t)be(p, 4)); return buf;
    case T_INT_HEX: snprintf(buf, cap, "%x", (unsigned)be(p, 4)); return buf;
    case T_LONG: snprintf(buf, cap, "%lld", (long long)(int64_t)be(p, 8)); return buf;
    case T_LONG_HEX: snprintf(buf, cap, "%llx", (unsigned long long)be(p, 8)); return buf;
    case T_FLOAT: {
        uint32_t u = (uint32_t)be(p, 4);
        float f;
        memcpy(&f, &u, 4);
        snprintf(buf, cap, "%g", (double)f);
        return buf;
    }
    case T_DOUBLE: {
        uint64_t u = be(p, 8);
        double d;
        memcpy(&d, &u, 8);
        snprintf(buf, cap, "%.17g", d);
        return buf;
    }
    case T_TRUE: return "true";
    case T_FALSE: return "false";
    default: return "";
    }
}

static int replay(abx *a, phone_abx_fn fn, void *ctx)
{
    char *val = vg_malloc(65536 + 1), tag[1024] = "", name[1024];
    if (!val)
        return VG_E_NOMEM;
    int rc = 0;
    for (size_t i = 0; i < a->nev && !rc; i++) {
        const abx_ev *e = &a->ev[i];
        if (e->cmd == CMD_START_TAG) {
            size_t n = a->slen[e->name] < sizeof tag - 1 ? a->slen[e->name] : sizeof tag - 1;
            memcpy(tag, a->b + a->soff[e->name], n);
            tag[n] = 0;
            rc = fn(ctx, e->depth, tag, NULL, NULL);
        } else if (e->cmd == CMD_ATTRIBUTE) {
            size_t n = a->slen[e->name] < sizeof name - 1 ? a->slen[e->name] : sizeof name - 1;
            memcpy(name, a->b + a->soff[e->name], n);
            name[n] = 0;
            rc = fn(ctx, e->depth, tag, name, value_text(a, e, val, 65537));
        } else if (e->cmd == CMD_TEXT) {
            rc = fn(ctx, e->depth, tag, "", value_text(a, e, val, 65537));
        }
    }
    vg_free(val);
    return rc;
}

/* ---- the strict reader: one pass, no search ------------------------------------ */

typedef struct rd {
    const uint8_t *p; /* the tokens (after the magic) */
    size_t n, at;     /* their length, the read position */
} rd;

static int need(rd *r, size_t k)
{
    return r->at + k <= r->n;
}

static unsigned u16(rd *r)
{
    unsigned v = (unsigned)r->p[r->at] << 8 | r->p[r->at + 1];
    r->at += 2;
    return v;
}

/* An interned string: its index into a. Returns 0, or -1 at damage. */
static int interned(abx *a, rd *r, uint32_t *idx)
{
    if (!need(r, 2))
        return -1;
    unsigned v = u16(r);
    if (v != 0xFFFF) {
        if (v >= a->ns)
            return -1;
        *idx = v;
        return 0;
    }
    if (!need(r, 2))
        return -1;
    unsigned len = u16(r);
    if (!need(r, len) || push_str(a, r->at, len))
        return -1;
    r->at += len;
    *idx = (uint32_t)(a->ns - 1);
    return 0;
}

static int strict_parse(abx *a, phone_abx_fn fn, void *ctx)
{
    rd r = {a->b, a->n, 0};
    int depth = 0;
    char *val = vg_malloc(65536 + 1), tag[1024] = "", name[1024];
    if (!val) {
        a->fail_nomem = 1;
        return -1;
    }
    int rc = 0, bad = 0, done = 0; /* rc: fn's return; bad: damage found */
    size_t tokens = 0;
    while (!rc && !bad && !done && r.at < r.n) {
        a->far = r.at;
        if (++tokens > ABX_MAX_TOKENS) {
            bad = 1;
            break;
        }
        int tok = r.p[r.at++], cmd = tok & 15, type = tok >> 4;
        uint32_t idx;
        abx_ev e = {(uint8_t)cmd, (uint8_t)type, 0, depth, 0, 0, 0};
        switch (cmd) {
        case CMD_START_DOC: bad = type != T_NULL; break;
        case CMD_END_DOC:
            bad = type != T_NULL || depth != 0;
            done = 1;
            break;
        case CMD_START_TAG:
            if (type != T_INTERNED || depth >= ABX_MAX_DEPTH || interned(a, &r, &idx)) {
                bad = 1;
                break;
            }
            a->stack[depth++] = idx;
            {
                size_t n = a->slen[idx] < sizeof tag - 1 ? a->slen[idx] : sizeof tag - 1;
                memcpy(tag, a->b + a->soff[idx], n);
                tag[n] = 0;
            }
            rc = fn(ctx, depth - 1, tag, NULL, NULL);
            break;
        case CMD_END_TAG:
            if (type != T_INTERNED || interned(a, &r, &idx) || depth == 0 || a->stack[depth - 1] != idx) {
                bad = 1;
                break;
            }
            depth--;
            if (depth > 0) {
                uint32_t up = a->stack[depth - 1];
                size_t n = a->slen[up] < sizeof tag - 1 ? a->slen[up] : sizeof tag - 1;
                memcpy(tag, a->b + a->soff[up], n);
                tag[n] = 0;
            }
            break;
        case CMD_ATTRIBUTE: {
            if (depth == 0 || interned(a, &r, &idx)) {
                bad = 1;
                break;
            }
            e.name = idx;
            e.depth = depth - 1;
            size_t w = 0;
            switch (type) {
            case T_STRING:
            case T_BYTES_HEX:
            case T_BYTES_B64:
                if (!need(&r, 2)) {
                    bad = 1;
                    break;
                }
                w = u16(&r);
                break;
            case T_INTERNED: {
                uint32_t v;
                if (interned(a, &r, &v)) {
                    bad = 1;
                    break;
                }
                e.off = a->soff[v];
                e.len = a->slen[v];
                break;
            }
            case T_INT:
            case T_INT_HEX:
            case T_FLOAT: w = 4; break;
            case T_LONG:
            case T_LONG_HEX:
            case T_DOUBLE: w = 8; break;
            case T_TRUE:
            case T_FALSE: break;
            default: bad = 1; break;
            }
            if (bad)
                break;
            if (type != T_INTERNED) {
                if (!need(&r, w)) {
                    bad = 1;
                    break;
                }
                e.off = r.at;
                e.len = w;
                r.at += w;
            }
            size_t n = a->slen[idx] < sizeof name - 1 ? a->slen[idx] : sizeof name - 1;
            memcpy(name, a->b + a->soff[idx], n);
            name[n] = 0;
            rc = fn(ctx, depth - 1, tag, name, value_text(a, &e, val, 65537));
            break;
        }
        case CMD_TEXT:
        case CMD_CDSECT:
        case CMD_ENTITY_REF:
        case CMD_IGNORABLE_WS:
        case CMD_PI:
        case CMD_COMMENT:
        case CMD_DOCDECL:
            if (type == T_NULL)
                break;
            if (type != T_STRING || !need(&r, 2)) {
                bad = 1;
                break;
            }
            e.type = T_STRING;
            e.len = u16(&r);
            e.off = r.at;
            if (!need(&r, e.len)) {
                bad = 1;
                break;
            }
            r.at += e.len;
            if (cmd == CMD_TEXT || cmd == CMD_CDSECT)
                rc = fn(ctx, depth, tag, "", value_text(a, &e, val, 65537));
            break;
        default: bad = 1; break;
        }
    }
    if (!rc && depth != 0)
        bad = 1; /* truncated inside a tag */
    vg_free(val);
    if (a->fail_nomem)
        return VG_E_NOMEM;
    return rc ? rc : bad ? 1 : 0;
}

int phone_abx_parse(const void *data, size_t len, int lossy, phone_abx_fn fn, void *ctx, vg_error *err)
{
    const uint8_t *d = data;
    if (len < 4 || memcmp(d, "ABX", 3) != 0 || d[3] != 0)
        return vg_error_set(err, VG_E_PARSE, "not Android binary XML (no \"ABX\\0\" magic)");
    abx a = {0};
    uint8_t *b = NULL, *u = NULL;
    a.b = d + 4;
    a.n = len - 4;
    a.steps = ABX_LOSSY_STEPS;
    if (lossy && memmem(d + 4, len - 4, "\xef\xbf\xbd", 3)) {
        if (len > ABX_MAX_LOSSY)
            return vg_error_set(err, VG_E_LIMIT, "binary XML printed as text is larger than %d bytes", ABX_MAX_LOSSY);
        b = vg_malloc(len);
        u = vg_calloc(len, 1);
        if (!b || !u) {
            vg_free(b);
            vg_free(u);
            return vg_error_set(err, VG_E_NOMEM, "out of memory reading binary XML");
        }
        size_t n = 0;
        for (size_t i = 4; i < len; i++) {
            if (i + 3 <= len && memcmp(d + i, "\xef\xbf\xbd", 3) == 0) {
                u[n] = 1;
                b[n++] = 0x80;
                i += 2;
            } else {
                b[n++] = d[i];
            }
        }
        a.b = b;
        a.u = u;
        a.n = n;
    }
    int rc = 0;
    if (!a.u) {
        rc = strict_parse(&a, fn, ctx);
        if (rc == 1)
            rc = vg_error_set(err, VG_E_PARSE, "damaged binary XML (stopped at byte %zu of %zu)", a.far + 4, len);
    } else if (!parse_from(&a, 0, 0)) {
        if (!a.fail_nomem)
            rc = vg_error_set(err, VG_E_PARSE,
                              "binary XML printed as text could not be read back (stopped near byte %zu of %zu)",
                              a.far + 4, len);
    } else {
        rc = replay(&a, fn, ctx);
    }
    if (a.fail_nomem || (rc == VG_E_NOMEM && err && !err->code))
        rc = vg_error_set(err, VG_E_NOMEM, "out of memory reading binary XML");
    vg_free(a.ev);
    vg_free(a.soff);
    vg_free(a.slen);
    vg_free(b);
    vg_free(u);
    return rc;
}
