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
#include <pthread.h>
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

/* 0x80 in each byte of v equal to c, exact up to the first such byte (bytes after it may be marked too). */
static inline uint64_t bytes_eq(uint64_t v, uint8_t c)
{
    uint64_t x = v ^ (0x0101010101010101ull * c);
    return (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
}

/*
 * Past a string starting at its opening quote; *esc set when it holds a
 * backslash. NULL when unterminated. Eight bytes a step look for the first
 * quote or backslash (most strings of an indicator are short: a call to
 * memchr each costs more than the scan); a backslash and the byte it escapes
 * are stepped over.
 */
static const char *str_end(const char *p, const char *e, int *esc)
{
    p++;
    for (;;) {
        while (e - p >= 8) {
            uint64_t v;
            memcpy(&v, p, 8);
            uint64_t m = bytes_eq(v, '"') | bytes_eq(v, '\\');
            if (m) {
                p += __builtin_ctzll(m) >> 3;
                break;
            }
            p += 8;
        }
        while (p < e && *p != '"' && *p != '\\')
            p++;
        if (p >= e)
            return NULL;
        if (*p == '"')
            return p + 1;
        *esc = 1; /* a backslash: it and the byte it escapes */
        p += 2;
        if (p > e)
            return NULL;
    }
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

/* Which member the key k[0..n) is, or -1: by length first, one comparison at most. */
static int member_of(const char *k, size_t n)
{
    int which = -1;
    switch (n) {
    case 2: which = M_ID; break;
    case 4: which = M_NAME; break;
    case 7: which = k[0] == 'p' ? M_PATTERN : M_REVOKED; break;
    case 10: which = M_FROM; break;
    case 11: which = M_UNTIL; break;
    case 12: which = k[0] == 'p' ? M_PTYPE : M_SPEC; break;
    case 15: which = M_PVERSION; break;
    default: return -1;
    }
    return memcmp(members[which].key, k, n) == 0 ? which : -1;
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
        int which = member_of(k, kn);
        const char *v = p;
        if (which >= 0 && m[which].set)
            return -1; /* a duplicate: let jansson decide which wins */
        if (which >= 0 && p < e && *p == '"') {
            int vesc = 0;
            p = str_end(v, e, &vesc);
            if (!p || vesc)
                return -1;
            m[which] = (span){v + 1, (size_t)(p - v - 2), 1, 1};
        } else {
            p = skip_value(p, e);
            if (!p)
                return -1;
            if (which >= 0) {
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

/* What reading one indicator's text decided. */
enum { READ_ADD, READ_SKIP, READ_TREE };

/*
 * Reads the members of one indicator's text and decides: READ_SKIP (*st gets
 * the IDX_SKIP_* outcome), READ_ADD (*in and *dialect get what the builder
 * needs; spans of json) or READ_TREE (unusual text: jansson decides). Touches
 * no builder, so it may run on another thread than the one adding.
 */
static int read_text(const char *json, size_t len, const vg_time *tnow, span3 *in, int *dialect, int *st)
{
    span m[M__N];
    if (pick(json, len, m) != 0 || (m[M_ID].set && memchr(m[M_ID].p, 0, m[M_ID].n)) ||
        (m[M_NAME].set && memchr(m[M_NAME].p, 0, m[M_NAME].n)) ||
        (m[M_PATTERN].set && memchr(m[M_PATTERN].p, 0, m[M_PATTERN].n)))
        return READ_TREE;
    vg_time t;
    *st = -1;
    if (!m[M_REVOKED].str && is(&m[M_REVOKED], "true"))
        *st = IDX_SKIP_REVOKED;
    else if (span_time(&m[M_FROM], &t) && vg_time_cmp(&t, tnow) > 0)
        *st = IDX_SKIP_NOT_VALID;
    else if (span_time(&m[M_UNTIL], &t) && vg_time_cmp(&t, tnow) <= 0)
        *st = IDX_SKIP_NOT_VALID;
    else if (m[M_PTYPE].set && !is(&m[M_PTYPE], "stix"))
        *st = IDX_SKIP_NO_PATTERN;
    if (*st >= 0)
        return READ_SKIP;
    /* the same dialect rule as pat_version_of_indicator */
    *dialect = m[M_PVERSION].set ? (m[M_PVERSION].n >= 3 && memcmp(m[M_PVERSION].p, "2.0", 3) == 0 ? PAT_STIX_20
                                                                                                   : PAT_STIX_21)
               : !m[M_SPEC].set       ? PAT_STIX_20
               : is(&m[M_SPEC], "2.0") ? PAT_STIX_20
                                       : PAT_STIX_21;
    /* a member that is absent has no pointer; one that is "" has an empty span (a name of "" is no name) */
    *in = (span3){m[M_ID].set ? m[M_ID].p : NULL,           m[M_ID].n,      m[M_NAME].set ? m[M_NAME].p : NULL,
                  m[M_NAME].n, m[M_PATTERN].set ? m[M_PATTERN].p : NULL, m[M_PATTERN].n};
    return READ_ADD;
}

/* The tree path: jansson reads the text and idx_builder_add_indicator decides. */
static int add_tree(idx_builder *b, const char *json, size_t len, const vg_time *now, int *status, vg_error *err)
{
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

int idx_builder_add_indicator_text(idx_builder *b, const char *json, size_t len, const vg_time *now, int *status,
                                   vg_error *err)
{
    vg_time tnow = now ? *now : vg_time_now(0);
    span3 in;
    int dialect = 0, st = -1;
    switch (read_text(json, len, &tnow, &in, &dialect, &st)) {
    case READ_SKIP: return idx__builder_count(b, st, status);
    case READ_ADD: return idx__builder_add_pattern_n(b, &in, dialect, status, err);
    default: return add_tree(b, json, len, &tnow, status, err);
    }
}

/* ---- two threads: texts read on the caller's, indicators added on a helper ---- */

/*
 * The caller's thread calls `next` (the store's rows) and reads each text
 * (read_text: finding the members, the validity checks); what the builder
 * needs of it - a few short strings - is copied into a batch. A helper
 * thread takes the batches in order and adds them (the pattern's key, the
 * builder's pools). The order of the indicators, and so the index, is the
 * same as with one thread. Batches go round a ring of PIPE_N.
 */
#define PIPE_N 4
#define PIPE_TEXT ((size_t)1 << 20) /* a batch is handed over at this much text... */
#define PIPE_RECS 8192              /* ...or this many indicators */

/* One indicator read, waiting in a batch. Its strings lie in the batch's text from `off`. */
typedef struct pend {
    uint8_t what;    /* READ_ADD, READ_SKIP or READ_TREE */
    uint8_t status;  /* READ_SKIP: the IDX_SKIP_* outcome */
    uint8_t dialect; /* READ_ADD: PAT_STIX_20 or PAT_STIX_21 */
    uint8_t has;     /* READ_ADD: bit 0 id, bit 1 name, bit 2 pattern present */
    uint32_t off;    /* READ_ADD: id, name and pattern back to back; READ_TREE: the whole text */
    uint32_t n[3];   /* their lengths (READ_TREE: n[0] is the text's) */
} pend;

typedef struct batch {
    vg_buf text; /* the strings of its indicators */
    pend *p;     /* its indicators, in order */
    size_t n;    /* how many */
} batch;

typedef struct relay {
    pthread_mutex_t mu;    /* guards head, tail, done, failed */
    pthread_cond_t moved;  /* signalled when head, tail, done or failed change */
    batch ring[PIPE_N];    /* ring[i % PIPE_N]: batch number i */
    size_t head;           /* the next batch to add (batches head..tail-1 are full) */
    size_t tail;           /* the next batch to fill */
    int done;              /* the reader handed over its last batch */
    int failed;            /* the adder failed (rc, err): the reader stops */
    idx_builder *b;        /* the builder (the adder's alone while it runs) */
    vg_time now;           /* for READ_TREE */
    int rc;                /* the adder's result */
    vg_error err;          /* its error */
} relay;

static int add_batch(relay *q, const batch *t)
{
    int rc = 0;
    for (size_t i = 0; i < t->n && !rc; i++) {
        const pend *p = &t->p[i];
        const char *s = t->text.data + p->off;
        if (p->what == READ_SKIP) {
            rc = idx__builder_count(q->b, p->status, NULL);
        } else if (p->what == READ_TREE) {
            rc = add_tree(q->b, s, p->n[0], &q->now, NULL, &q->err);
        } else {
            span3 in = {p->has & 1 ? s : NULL, p->n[0], p->has & 2 ? s + p->n[0] : NULL, p->n[1],
                        p->has & 4 ? s + p->n[0] + p->n[1] : NULL, p->n[2]};
            rc = idx__builder_add_pattern_n(q->b, &in, p->dialect, NULL, &q->err);
        }
    }
    return rc;
}

static void *adder(void *arg)
{
    relay *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->mu);
        while (q->head == q->tail && !q->done)
            pthread_cond_wait(&q->moved, &q->mu);
        if (q->head == q->tail) { /* done, and nothing left */
            pthread_mutex_unlock(&q->mu);
            return NULL;
        }
        batch *t = &q->ring[q->head % PIPE_N];
        pthread_mutex_unlock(&q->mu);
        int rc = add_batch(q, t);
        pthread_mutex_lock(&q->mu);
        q->head++;
        if (rc) {
            q->rc = rc;
            q->failed = 1;
        }
        pthread_cond_broadcast(&q->moved);
        pthread_mutex_unlock(&q->mu);
        if (rc)
            return NULL;
    }
}

/* Copies what the adder needs of one text into t. VG_E_NOMEM, or VG_E_LIMIT for a text over 4 GB. */
static int put_pend(batch *t, const char *json, size_t len, const vg_time *now)
{
    span3 in;
    int dialect = 0, st = -1, what = read_text(json, len, now, &in, &dialect, &st);
    pend p = {(uint8_t)what, (uint8_t)(st < 0 ? 0 : st), (uint8_t)dialect, 0, (uint32_t)t->text.len, {0, 0, 0}};
    int rc = 0;
    if (what == READ_TREE) {
        if (len > UINT32_MAX)
            return VG_E_LIMIT;
        p.n[0] = (uint32_t)len;
        rc = vg_buf_append(&t->text, json, len);
    } else if (what == READ_ADD) {
        const char *part[3] = {in.id, in.name, in.pat};
        size_t n[3] = {in.idn, in.namen, in.patn};
        for (int k = 0; k < 3 && !rc; k++) {
            if (!part[k])
                continue;
            if (n[k] > UINT32_MAX)
                return VG_E_LIMIT;
            p.has |= (uint8_t)(1 << k);
            p.n[k] = (uint32_t)n[k];
            rc = vg_buf_append(&t->text, part[k], n[k]);
        }
    }
    if (rc)
        return rc;
    t->p[t->n++] = p;
    return 0;
}

/* Hands the batch being filled to the adder and waits for a free one. 0, or 1 when the adder failed. */
static int hand_over(relay *q)
{
    pthread_mutex_lock(&q->mu);
    q->tail++;
    pthread_cond_broadcast(&q->moved);
    while (q->tail - q->head == PIPE_N && !q->failed)
        pthread_cond_wait(&q->moved, &q->mu);
    int failed = q->failed;
    pthread_mutex_unlock(&q->mu);
    if (!failed) { /* the slot is free: empty it */
        batch *t = &q->ring[q->tail % PIPE_N];
        vg_buf_reset(&t->text);
        t->n = 0;
    }
    return failed;
}

/* The reader's loop: fills batches from next until it ends, fails, or the adder fails. */
static int read_all(relay *q, idx_text_next_fn next, void *ctx, vg_error *err)
{
    int rc = 0, r;
    const char *json;
    size_t len;
    batch *t = &q->ring[0];
    int failed = 0;
    while (!failed && (r = next(ctx, &json, &len, err)) == 1) {
        if ((rc = put_pend(t, json, len, &q->now))) {
            rc = vg_error_set(err, rc, rc == VG_E_NOMEM ? "out of memory reading indicators"
                                                         : "an indicator's text exceeds 4 GB");
            break;
        }
        if (t->text.len >= PIPE_TEXT || t->n == PIPE_RECS) {
            failed = hand_over(q);
            t = &q->ring[q->tail % PIPE_N];
        }
    }
    if (!rc && !failed && r < 0)
        rc = r;
    pthread_mutex_lock(&q->mu);
    if (!rc && !failed && t->n)
        q->tail++; /* the last, partly filled batch */
    q->done = 1;
    pthread_cond_broadcast(&q->moved);
    pthread_mutex_unlock(&q->mu);
    return rc;
}

int idx_builder_add_texts(idx_builder *b, idx_text_next_fn next, void *ctx, const vg_time *now, int threads,
                          vg_error *err)
{
    vg_time tnow = now ? *now : vg_time_now(0);
    int rc = 0, r;
    if (threads < 2) {
        const char *json;
        size_t len;
        while (!rc && (r = next(ctx, &json, &len, err)) == 1)
            rc = idx_builder_add_indicator_text(b, json, len, &tnow, NULL, err);
        return rc ? rc : r < 0 ? r : 0;
    }
    relay *q = vg_calloc(1, sizeof *q);
    if (!q)
        return vg_error_set(err, VG_E_NOMEM, "out of memory reading indicators");
    q->b = b;
    q->now = tnow;
    for (int i = 0; i < PIPE_N && !rc; i++) {
        vg_buf_init(&q->ring[i].text, 0);
        if (!(q->ring[i].p = vg_malloc(PIPE_RECS * sizeof *q->ring[i].p)) || vg_buf_reserve(&q->ring[i].text, PIPE_TEXT))
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory reading indicators");
    }
    pthread_t th;
    if (!rc) {
        pthread_mutex_init(&q->mu, NULL);
        pthread_cond_init(&q->moved, NULL);
        if (pthread_create(&th, NULL, adder, q) != 0) {
            rc = vg_error_set(err, VG_E_NOMEM, "cannot start a thread to build the index");
        } else {
            rc = read_all(q, next, ctx, err);
            pthread_join(th, NULL);
            if (q->rc && !rc) { /* the adder's failure is the one to tell */
                rc = q->rc;
                if (err)
                    *err = q->err;
            }
        }
        pthread_cond_destroy(&q->moved);
        pthread_mutex_destroy(&q->mu);
    }
    for (int i = 0; i < PIPE_N; i++) {
        vg_buf_free(&q->ring[i].text);
        vg_free(q->ring[i].p);
    }
    vg_free(q);
    return rc;
}
