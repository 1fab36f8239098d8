/*
 * idx_text.c - adding an indicator from its JSON text without building a
 * jansson tree: a store (or the streaming reader) already holds each object
 * as compact, valid JSON, and a million indicators parsed into trees cost
 * more than all the rest of the build.
 *
 * One pass over the object's top level picks out the members the index needs
 * (id, name, pattern, pattern_type, pattern_version, spec_version,
 * valid_from, valid_until, revoked) and steps over every other value
 * (strings, numbers, literals, nested objects and arrays, with their strings
 * honoured). Anything unusual - a needed string with an escape in it, a
 * member given twice, text that is not an object - hands the object to
 * jansson and idx_builder_add_indicator, so the outcome is always the same
 * as the tree path's; the fast path is only faster.
 */
#include <jansson.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "match/idx.h"
#include "match/idx_int.h"
#include "pattern/pattern.h"

/* A member's value as a span of the text. */
typedef struct span {
    const char *p; /* first byte inside the quotes (strings) or of the literal */
    size_t n;      /* length */
    int set;       /* seen */
    int str;       /* a string (p/n inside the quotes) rather than a literal */
} span;

enum { M_ID, M_NAME, M_PATTERN, M_PTYPE, M_PVERSION, M_SPEC, M_FROM, M_UNTIL, M_REVOKED, M__N };

static const struct {
    const char *key;
    size_t n;
} members[M__N] = {
    [M_ID] = {"id", 2},
    [M_NAME] = {"name", 4},
    [M_PATTERN] = {"pattern", 7},
    [M_PTYPE] = {"pattern_type", 12},
    [M_PVERSION] = {"pattern_version", 15},
    [M_SPEC] = {"spec_version", 12},
    [M_FROM] = {"valid_from", 10},
    [M_UNTIL] = {"valid_until", 11},
    [M_REVOKED] = {"revoked", 7},
};

static const char *ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Past a string starting at its opening quote; *esc set when it holds a backslash. NULL when unterminated. */
static const char *str_end(const char *p, const char *e, int *esc)
{
    p++;
    while (p < e) {
        const char *q = memchr(p, '"', (size_t)(e - p));
        if (!q)
            return NULL;
        /* the quote closes the string unless an odd run of backslashes precedes it */
        const char *b = q;
        while (b > p && b[-1] == '\\')
            b--;
        if (memchr(p, '\\', (size_t)(q - p)))
            *esc = 1;
        if (((q - b) & 1) == 0)
            return q + 1;
        p = q + 1;
    }
    return NULL;
}

/* Past any JSON value (depth-limited). NULL on malformed text. */
static const char *skip_value(const char *p, const char *e)
{
    int depth = 0, esc = 0;
    do {
        p = ws(p, e);
        if (p >= e)
            return NULL;
        switch (*p) {
        case '"':
            p = str_end(p, e, &esc);
            if (!p)
                return NULL;
            break;
        case '{':
        case '[':
            if (++depth > 512)
                return NULL;
            p++;
            break;
        case '}':
        case ']':
            if (--depth < 0)
                return NULL;
            p++;
            break;
        case ',':
        case ':':
            if (depth == 0)
                return NULL;
            p++;
            break;
        default: /* a number or a literal */
            while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\t' &&
                   *p != '\r')
                p++;
        }
    } while (depth > 0);
    return p;
}

/* Reads the top-level members wanted. 0, or -1 when the fast path must not be used. */
static int pick(const char *p, size_t len, span m[M__N])
{
    const char *e = p + len;
    memset(m, 0, M__N * sizeof *m);
    p = ws(p, e);
    if (p >= e || *p != '{')
        return -1;
    p = ws(p + 1, e);
    if (p < e && *p == '}')
        return 0;
    for (;;) {
        if (p >= e || *p != '"')
            return -1;
        int esc = 0;
        const char *k = p + 1, *ke = str_end(p, e, &esc);
        if (!ke || esc)
            return -1;
        size_t kn = (size_t)(ke - 1 - k);
        p = ws(ke, e);
        if (p >= e || *p != ':')
            return -1;
        p = ws(p + 1, e);
        int which = -1;
        for (int i = 0; i < M__N; i++)
            if (members[i].n == kn && memcmp(members[i].key, k, kn) == 0)
                which = i;
        const char *v = p;
        p = skip_value(p, e);
        if (!p)
            return -1;
        if (which >= 0) {
            if (m[which].set)
                return -1; /* a duplicate: let jansson decide which wins */
            if (*v == '"') {
                int vesc = 0;
                const char *ve = str_end(v, e, &vesc);
                if (vesc || ve != p)
                    return -1;
                m[which] = (span){v + 1, (size_t)(p - v - 2), 1, 1};
            } else {
                m[which] = (span){v, (size_t)(p - v), 1, 0};
                if (which != M_REVOKED)
                    return -1; /* not a string where a string is expected: the tree path says what to do */
            }
        }
        p = ws(p, e);
        if (p < e && *p == ',') {
            p = ws(p + 1, e);
            continue;
        }
        if (p < e && *p == '}')
            return 0;
        return -1;
    }
}

static int is(const span *s, const char *lit)
{
    size_t n = strlen(lit);
    return s->set && s->n == n && memcmp(s->p, lit, n) == 0;
}

static int span_time(const span *s, vg_time *t)
{
    return s->set && s->str && vg_time_parse(s->p, s->n, VG_TIME_RFC3339, t, NULL) == 0;
}

int idx_builder_add_indicator_text(idx_builder *b, const char *json, size_t len, const vg_time *now, int *status,
                                   vg_error *err)
{
    span m[M__N];
    if (pick(json, len, m) == 0 && !(m[M_ID].set && memchr(m[M_ID].p, 0, m[M_ID].n)) &&
        !(m[M_NAME].set && memchr(m[M_NAME].p, 0, m[M_NAME].n)) &&
        !(m[M_PATTERN].set && memchr(m[M_PATTERN].p, 0, m[M_PATTERN].n))) {
        vg_time tnow = now ? *now : vg_time_now(0), t;
        int st = -1;
        if (!m[M_REVOKED].str && is(&m[M_REVOKED], "true"))
            st = IDX_SKIP_REVOKED;
        else if (span_time(&m[M_FROM], &t) && vg_time_cmp(&t, &tnow) > 0)
            st = IDX_SKIP_NOT_VALID;
        else if (span_time(&m[M_UNTIL], &t) && vg_time_cmp(&t, &tnow) <= 0)
            st = IDX_SKIP_NOT_VALID;
        else if (m[M_PTYPE].set && !is(&m[M_PTYPE], "stix"))
            st = IDX_SKIP_NO_PATTERN;
        if (st >= 0)
            return idx__builder_count(b, st, status);
        /* the same dialect rule as pat_version_of_indicator */
        int dialect = m[M_PVERSION].set ? (m[M_PVERSION].n >= 3 && memcmp(m[M_PVERSION].p, "2.0", 3) == 0
                                               ? PAT_STIX_20
                                               : PAT_STIX_21)
                      : !m[M_SPEC].set     ? PAT_STIX_20
                      : is(&m[M_SPEC], "2.0") ? PAT_STIX_20
                                              : PAT_STIX_21;
        /* a member that is absent has no pointer; one that is "" has an empty span (a name of "" is no name) */
        span3 in = {m[M_ID].set ? m[M_ID].p : NULL,          m[M_ID].n,      m[M_NAME].set ? m[M_NAME].p : NULL,
                    m[M_NAME].n, m[M_PATTERN].set ? m[M_PATTERN].p : NULL, m[M_PATTERN].n};
        return idx__builder_add_pattern_n(b, &in, dialect, status, err);
    }
    /* the tree path */
    json_error_t je;
    json_t *o = json_loadb(json, len, 0, &je);
    if (!o) {
        if (strstr(je.text, "memory"))
            return vg_error_set(err, VG_E_NOMEM, "out of memory reading an indicator");
        return idx__builder_count(b, IDX_SKIP_BAD, status); /* not JSON: nothing to index */
    }
    int rc = idx_builder_add_indicator(b, o, now, status, err);
    json_decref(o);
    return rc;
}
