/*
 * pat_eval.c - evaluating a compiled pattern over observations.
 *
 * Bottom-up, every observation-level node yields a list of candidate
 * matches: the observations that satisfy it, each candidate carrying its time
 * span (earliest first_observed .. latest last_observed), a multiplicity
 * (number_observed for a single observation, 1 for a compound match) and the
 * set of (expression, observation) bindings that produced it. Qualifiers
 * filter and combine those lists:
 *
 *   [ ... ]         one candidate per observed-data whose cyber-observables
 *                   satisfy the comparison expression (one object per object
 *                   type: comparisons on the same type bind the same object)
 *   A OR B          the union
 *   A AND B         pairs on distinct observations
 *   A FOLLOWEDBY B  pairs with A's last_observed <= B's first_observed
 *   WITHIN n        candidates spanning at most n seconds
 *   REPEATS n       windows of distinct candidates counting n occurrences
 *   START/STOP      pushed down to the leaves: only observations with
 *                   start <= first_observed and last_observed < stop
 *
 * Small inputs are combined exhaustively. Past PAIR_MAX pairs, AND and
 * FOLLOWEDBY keep per candidate only the partner that makes the tightest span
 * (found by sorting and binary search), and REPEATS uses a sliding window, so
 * FOLLOWEDBY ... WITHIN over n observations costs O(n log n), not O(n^2).
 * Tightest-span partners dominate for every enclosing qualifier (WITHIN wants
 * short spans, FOLLOWEDBY wants late starts and early ends), which is what
 * keeps the pruning exact in all but contrived overlapping-compound cases
 * (see docs/internals/pattern.md).
 */
#include <stdlib.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "pattern/pattern_int.h"

#define PAIR_MAX 65536u           /* exhaustive pairing up to this many pairs */
#define WORK_MAX 200000000ull     /* a ceiling on pairing and window steps */
#define COMBO_MAX 4096u           /* object assignments tried per observation */

/* ---- binding sets: persistent, shared between candidates ----------------------- */

enum { B_LEAF, B_PAIR, B_RANGE };

typedef struct cand cand;

typedef struct bset {
    int kind;                  /* B_* */
    uint32_t expr, obs;        /* LEAF */
    const struct bset *l, *r;  /* PAIR */
    const cand *arr;           /* RANGE: candidates arr[i..j] */
    size_t i, j;
    size_t n;                  /* how many leaves below */
    uint64_t mask;             /* a one-word Bloom filter of the observations */
} bset;

struct cand {
    int64_t first, last; /* span */
    int64_t count;       /* multiplicity for REPEATS */
    const bset *b;       /* bindings */
};

typedef struct clist {
    cand *v;
    size_t n, cap;
} clist;

typedef struct ev {
    const pat_pattern *p;
    const pat_observations *o;
    pat__arena a;             /* scratch for this call */
    pcre2_match_data *md;     /* for MATCHES, created on first use */
    unsigned char *tmp;       /* decode buffer for binary values */
    size_t tmpcap;
    const pat__root **combo;  /* per-type candidate roots (multi-type brackets) */
    size_t combocap;
    unsigned long long work;  /* steps taken */
    vg_error *err;
    int rc;                   /* first failure */
} ev;

static int fail(ev *e, int code, const char *msg)
{
    if (!e->rc) {
        e->rc = code;
        vg_error_set(e->err, code, "%s", msg);
    }
    return code;
}

static int nomem(ev *e) { return fail(e, VG_E_NOMEM, "out of memory"); }

static int spend(ev *e, unsigned long long n)
{
    e->work += n;
    if (e->work > WORK_MAX)
        return fail(e, VG_E_LIMIT, "matching this pattern needed more than its work ceiling (too many "
                                   "combinations of observations)");
    return 0;
}

static uint64_t obs_bit(uint32_t obs) { return (uint64_t)1 << ((obs * 0x9E3779B97F4A7C15ull) >> 58); }

static const bset *bleaf(ev *e, uint32_t expr, uint32_t obs)
{
    bset *b = pat__arena_alloc(&e->a, sizeof *b);
    if (!b)
        return NULL;
    memset(b, 0, sizeof *b);
    b->kind = B_LEAF;
    b->expr = expr;
    b->obs = obs;
    b->n = 1;
    b->mask = obs_bit(obs);
    return b;
}

static const bset *bpair(ev *e, const bset *l, const bset *r)
{
    bset *b = pat__arena_alloc(&e->a, sizeof *b);
    if (!b)
        return NULL;
    memset(b, 0, sizeof *b);
    b->kind = B_PAIR;
    b->l = l;
    b->r = r;
    b->n = l->n + r->n;
    b->mask = l->mask | r->mask;
    return b;
}

/* Appends the observations of b to v (grown with vg_realloc). */
static int bflat(const bset *b, uint32_t **v, size_t *n, size_t *cap, int with_expr)
{
    if (b->kind == B_LEAF) {
        if (*n + 2 > *cap) {
            size_t nc = *cap ? *cap * 2 : 16;
            uint32_t *nv = vg_realloc(*v, nc * sizeof *nv);
            if (!nv)
                return VG_E_NOMEM;
            *v = nv;
            *cap = nc;
        }
        if (with_expr)
            (*v)[(*n)++] = b->expr;
        (*v)[(*n)++] = b->obs;
        return 0;
    }
    if (b->kind == B_PAIR) {
        int rc = bflat(b->l, v, n, cap, with_expr);
        return rc ? rc : bflat(b->r, v, n, cap, with_expr);
    }
    for (size_t i = b->i; i <= b->j; i++) {
        int rc = bflat(b->arr[i].b, v, n, cap, with_expr);
        if (rc)
            return rc;
    }
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* 1 when a and b share no observation; -1 on allocation failure. */
static int disjoint(const bset *a, const bset *b)
{
    if (!(a->mask & b->mask))
        return 1;
    if (a->kind == B_LEAF && b->kind == B_LEAF)
        return a->obs != b->obs;
    uint32_t *va = NULL, *vb = NULL;
    size_t na = 0, nb = 0, ca = 0, cb = 0;
    int r = -1;
    if (bflat(a, &va, &na, &ca, 0) || bflat(b, &vb, &nb, &cb, 0))
        goto out;
    qsort(vb, nb, sizeof *vb, cmp_u32);
    r = 1;
    for (size_t i = 0; i < na && r; i++)
        if (bsearch(&va[i], vb, nb, sizeof *vb, cmp_u32))
            r = 0;
out:
    vg_free(va);
    vg_free(vb);
    return r;
}

static int push(ev *e, clist *l, int64_t first, int64_t last, int64_t count, const bset *b)
{
    if (!b)
        return nomem(e);
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        cand *nv = pat__arena_alloc(&e->a, nc * sizeof *nv);
        if (!nv)
            return nomem(e);
        if (l->n)
            memcpy(nv, l->v, l->n * sizeof *nv);
        l->v = nv;
        l->cap = nc;
    }
    cand *c = &l->v[l->n++];
    c->first = first;
    c->last = last;
    c->count = count;
    c->b = b;
    return 0;
}

/* ---- comparisons ------------------------------------------------------------------- */

enum { R_FALSE = 0, R_TRUE = 1, R_INCOMP = 2 };

typedef struct tctx {
    ev *e;
    const pat__node *t;
    const pat__obs *ob;
    int any_true, any_false, any_value;
} tctx;

static int ensure_tmp(ev *e, size_t n)
{
    if (n <= e->tmpcap)
        return 0;
    unsigned char *nv = vg_realloc(e->tmp, n);
    if (!nv)
        return nomem(e);
    e->tmp = nv;
    e->tmpcap = n;
    return 0;
}

static const char *last_key(const pat_leaf *l)
{
    const char *k = NULL;
    for (size_t i = 0; i < l->nsteps; i++)
        if (l->steps[i].kind == PAT_STEP_KEY)
            k = l->steps[i].key;
    return k;
}

/* How the JSON string of a binary-ish property encodes its bytes: 'b' base64, 'h' hex, 0 raw. */
static int bytes_encoding(const pat__node *t)
{
    if (t->prop_kind == K_BINARY)
        return 'b';
    if (t->prop_kind == K_HEX)
        return 'h';
    const char *k = last_key(&t->leaf);
    size_t n = k ? strlen(k) : 0;
    if (n > 4 && strcmp(k + n - 4, "_bin") == 0)
        return 'b';
    if (n > 4 && strcmp(k + n - 4, "_hex") == 0)
        return 'h';
    return 0;
}

/* Decodes a JSON string value to bytes per the property's encoding; NULL when it does not decode. */
static const unsigned char *value_bytes(ev *e, const pat__node *t, const char *s, size_t n, size_t *out)
{
    int enc = bytes_encoding(t);
    if (!enc) {
        *out = n;
        return (const unsigned char *)s;
    }
    if (ensure_tmp(e, n + 4))
        return NULL;
    long k = enc == 'b' ? pat__b64_decode(s, n, e->tmp) : pat__hex_decode(s, n, e->tmp);
    if (k < 0)
        return NULL;
    *out = (size_t)k;
    return e->tmp;
}

static int memcmp3(const void *a, size_t na, const void *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    if (c)
        return c < 0 ? -1 : 1;
    return na < nb ? -1 : na > nb;
}

/* Compares a JSON value with a literal: -1, 0, 1, or 2 when they cannot be compared. */
static int compare(ev *e, const pat__node *t, json_t *v, const pat_value *lit)
{
    switch (lit->kind) {
    case PAT_LIT_INT:
    case PAT_LIT_FLOAT:
        if (json_is_integer(v) && lit->kind == PAT_LIT_INT) {
            json_int_t x = json_integer_value(v);
            return x < lit->i ? -1 : x > lit->i;
        }
        if (json_is_number(v)) {
            double x = json_number_value(v);
            return x < lit->f ? -1 : x > lit->f ? 1 : 0;
        }
        return 2;
    case PAT_LIT_BOOL:
        if (!json_is_boolean(v))
            return 2;
        return json_is_true(v) == (lit->i != 0) ? 0 : 1;
    case PAT_LIT_STRING:
        if (!json_is_string(v))
            return 2;
        if (t->prop_kind == K_TIMESTAMP) {
            int64_t a, b;
            if (!pat__time_parse(json_string_value(v), json_string_length(v), &a) &&
                !pat__time_parse(lit->s, lit->len, &b))
                return a < b ? -1 : a > b;
        }
        return memcmp3(json_string_value(v), json_string_length(v), lit->s, lit->len);
    case PAT_LIT_TIMESTAMP: {
        if (!json_is_string(v))
            return 2;
        vg_time tv;
        vg_error ign = {0};
        if (vg_time_parse(json_string_value(v), json_string_length(v), VG_TIME_RFC3339, &tv, &ign))
            return 2;
        int64_t a = pat__time_ns(&tv), b = pat__time_ns(&lit->t);
        return a < b ? -1 : a > b;
    }
    case PAT_LIT_BINARY:
    case PAT_LIT_HEX: {
        if (!json_is_string(v))
            return 2;
        size_t n;
        const unsigned char *bytes = value_bytes(e, t, json_string_value(v), json_string_length(v), &n);
        if (!bytes)
            return 2;
        return memcmp3(bytes, n, lit->s, lit->len);
    }
    default:
        return 2;
    }
}

/* SQL LIKE: % any run, _ one character (UTF-8 aware). Case-sensitive. */
static size_t u8len(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

static int like(const char *s, size_t n, const char *p, size_t m)
{
    size_t i = 0, j = 0, star_j = (size_t)-1, star_i = 0;
    while (i < n) {
        if (j < m && p[j] == '%') {
            star_j = j++;
            star_i = i;
        } else if (j < m && p[j] == '_') {
            i += u8len((unsigned char)s[i]);
            j++;
        } else if (j < m && p[j] == s[i]) {
            i++;
            j++;
        } else if (star_j != (size_t)-1) {
            j = star_j + 1;
            star_i += u8len((unsigned char)s[star_i]);
            i = star_i;
        } else {
            return 0;
        }
    }
    while (j < m && p[j] == '%')
        j++;
    return j == m && i == n;
}

static int regex(ev *e, const pat__node *t, json_t *v)
{
    if (!json_is_string(v))
        return R_INCOMP;
    size_t n = json_string_length(v);
    const unsigned char *s = (const unsigned char *)json_string_value(v);
    if (t->re_bytes && !(s = value_bytes(e, t, (const char *)s, n, &n)))
        return R_INCOMP;
    if (!e->md) {
        e->md = pcre2_match_data_create(1, e->p->gctx);
        if (!e->md) {
            nomem(e);
            return R_INCOMP;
        }
    }
    int rc = pcre2_match(t->re, s, n, 0, 0, e->md, NULL);
    if (rc >= 0)
        return R_TRUE;
    if (rc == PCRE2_ERROR_NOMATCH)
        return R_FALSE;
    if (rc == PCRE2_ERROR_NOMEMORY)
        nomem(e);
    return R_INCOMP;
}

static int net_test(const pat__node *t, json_t *v)
{
    if (!json_is_string(v))
        return R_INCOMP;
    pat__net a;
    if (pat__net_parse(json_string_value(v), json_string_length(v), &a))
        return R_INCOMP;
    const pat__net *lit = (const pat__net *)t->net;
    if (a.family != lit->family)
        return R_INCOMP;
    return t->leaf.op == PAT_OP_ISSUBSET ? pat__net_subset(&a, lit) : pat__net_subset(lit, &a);
}

static int test_value(ev *e, const pat__node *t, json_t *v)
{
    const pat_value *lit = t->leaf.value;
    int c;
    switch (t->leaf.op) {
    case PAT_OP_EQ:
        c = compare(e, t, v, lit);
        return c == 2 ? R_INCOMP : c == 0;
    case PAT_OP_NE:
        c = compare(e, t, v, lit);
        return c == 2 ? R_INCOMP : c != 0;
    case PAT_OP_LT:
    case PAT_OP_LE:
    case PAT_OP_GT:
    case PAT_OP_GE:
        if (lit->kind == PAT_LIT_BOOL || json_is_boolean(v))
            return R_INCOMP;
        c = compare(e, t, v, lit);
        if (c == 2)
            return R_INCOMP;
        switch (t->leaf.op) {
        case PAT_OP_LT: return c < 0;
        case PAT_OP_LE: return c <= 0;
        case PAT_OP_GT: return c > 0;
        default: return c >= 0;
        }
    case PAT_OP_IN: {
        int comparable = 0;
        for (size_t i = 0; i < lit->nitems; i++) {
            c = compare(e, t, v, &lit->items[i]);
            if (c == 0)
                return R_TRUE;
            if (c != 2)
                comparable = 1;
        }
        return comparable ? R_FALSE : R_INCOMP;
    }
    case PAT_OP_LIKE:
        if (!json_is_string(v))
            return R_INCOMP;
        return like(json_string_value(v), json_string_length(v), lit->s, lit->len);
    case PAT_OP_MATCHES:
        return regex(e, t, v);
    case PAT_OP_ISSUBSET:
    case PAT_OP_ISSUPERSET:
        return net_test(t, v);
    default:
        return R_INCOMP;
    }
}

static json_t *deref(tctx *x, json_t *v)
{
    const char *id = json_string_value(v);
    if (!id)
        return NULL;
    if (x->ob->objects) {
        json_t *r = json_object_get(x->ob->objects, id);
        if (r)
            return r;
    }
    return json_object_get(x->e->o->by_id, id);
}

/* Walks the path from step i; returns 1 to stop early (the answer is known). */
static int walk(tctx *x, json_t *v, size_t i)
{
    const pat_leaf *l = &x->t->leaf;
    if (!v)
        return 0;
    if (i == l->nsteps) {
        x->any_value = 1;
        if (l->op == PAT_OP_EXISTS)
            return 1;
        int r = test_value(x->e, x->t, v);
        if (r == R_TRUE)
            x->any_true = 1;
        else if (r == R_FALSE)
            x->any_false = 1;
        return l->negated ? x->any_false : x->any_true;
    }
    const pat_step *s = &l->steps[i];
    switch (s->kind) {
    case PAT_STEP_KEY:
        if (json_is_string(v))
            v = deref(x, v);
        return json_is_object(v) ? walk(x, json_object_get(v, s->key), i + 1) : 0;
    case PAT_STEP_INDEX: {
        if (!json_is_array(v))
            return 0;
        long n = (long)json_array_size(v), k = s->index < 0 ? n + s->index : s->index;
        return k >= 0 && k < n ? walk(x, json_array_get(v, (size_t)k), i + 1) : 0;
    }
    default:
        if (json_is_array(v)) {
            size_t k;
            json_t *c;
            json_array_foreach(v, k, c) if (walk(x, c, i + 1)) return 1;
        } else if (json_is_object(v)) {
            const char *key;
            json_t *c;
            json_object_foreach(v, key, c) if (walk(x, c, i + 1)) return 1;
        }
        return 0;
    }
}

static int test(ev *e, const pat__node *t, const pat__obs *ob, const pat__root *root)
{
    if (!root)
        return 0;
    tctx x = {e, t, ob, 0, 0, 0};
    walk(&x, root->obj, 0);
    if (t->leaf.op == PAT_OP_EXISTS)
        return t->leaf.negated ? !x.any_value : x.any_value;
    return t->leaf.negated ? x.any_false : x.any_true;
}

static int eval_cmp(ev *e, const pat__node *n, const pat__obs *ob, const pat__root *const *assign)
{
    switch (n->kind) {
    case N_CMP_AND:
        for (size_t i = 0; i < n->nkids; i++)
            if (!eval_cmp(e, n->kids[i], ob, assign))
                return 0;
        return 1;
    case N_CMP_OR:
        for (size_t i = 0; i < n->nkids; i++)
            if (eval_cmp(e, n->kids[i], ob, assign))
                return 1;
        return 0;
    default:
        return test(e, n, ob, assign[n->type_slot]);
    }
}

/*
 * Does observation ob satisfy the bracket o? On success `assign` (ntypes
 * entries) holds the objects bound, one per object type (NULL for a type the
 * expression did not need).
 */
static int obs_match(ev *e, const pat__node *o, const pat__obs *ob, const pat__root **assign)
{
    const pat__root *roots = e->o->roots + ob->root0;
    const pat__node *cmp = o->kids[0];
    if (o->ntypes == 1) {
        const char *ty = o->types[0];
        for (size_t i = 0; i < ob->nroots; i++) {
            if (strcmp(roots[i].type, ty) != 0)
                continue;
            assign[0] = &roots[i];
            if (eval_cmp(e, cmp, ob, assign))
                return 1;
        }
        return 0;
    }
    /* Several types: try every assignment of one object per type (or none when a type is absent). */
    size_t k = o->ntypes, need = k + ob->nroots * 1;
    if (need > e->combocap) {
        const pat__root **nv = vg_realloc(e->combo, need * 2 * sizeof *nv);
        if (!nv)
            return nomem(e), 0;
        e->combo = nv;
        e->combocap = need * 2;
    }
    /* Group root pointers by type: start[t]..start[t]+cnt[t] in e->combo. */
    size_t start[16], cnt[16], pos[16];
    if (k > 16)
        return fail(e, VG_E_LIMIT, "an observation expression uses more than 16 object types"), 0;
    size_t m = 0;
    for (size_t t = 0; t < k; t++) {
        start[t] = m;
        for (size_t i = 0; i < ob->nroots; i++)
            if (strcmp(roots[i].type, o->types[t]) == 0)
                e->combo[m++] = &roots[i];
        cnt[t] = m - start[t];
        pos[t] = 0;
    }
    for (unsigned tries = 0; tries < COMBO_MAX; tries++) {
        for (size_t t = 0; t < k; t++)
            assign[t] = cnt[t] ? e->combo[start[t] + pos[t]] : NULL;
        if (eval_cmp(e, cmp, ob, assign))
            return 1;
        size_t t = 0;
        while (t < k) {
            if (cnt[t] && ++pos[t] < cnt[t])
                break;
            pos[t] = 0;
            t++;
        }
        if (t == k)
            return 0;
    }
    fail(e, VG_E_LIMIT, "too many combinations of objects in one observation");
    return 0;
}

/* ---- observation-level combination ------------------------------------------------- */

static int eval(ev *e, const pat__node *n, int64_t lo, int64_t hi, clist *out);

static int by_first(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first ? 1 : (x->last > y->last) - (x->last < y->last);
}

static int by_last(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    return x->last < y->last ? -1 : x->last > y->last;
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

static int and2(ev *e, const clist *A, const clist *B, clist *out)
{
    memset(out, 0, sizeof *out);
    if (!A->n || !B->n)
        return 0;
    if ((unsigned long long)A->n * B->n <= PAIR_MAX) {
        if (spend(e, (unsigned long long)A->n * B->n))
            return e->rc;
        for (size_t i = 0; i < A->n; i++)
            for (size_t j = 0; j < B->n; j++) {
                const cand *a = &A->v[i], *b = &B->v[j];
                int d = disjoint(a->b, b->b);
                if (d < 0)
                    return nomem(e);
                if (d && push(e, out, min64(a->first, b->first), max64(a->last, b->last), 1, bpair(e, a->b, b->b)))
                    return e->rc;
            }
        return 0;
    }
    /* Large: for each a, the nearest b's in time (sorted by first). */
    qsort(B->v, B->n, sizeof *B->v, by_first);
    for (size_t i = 0; i < A->n; i++) {
        const cand *a = &A->v[i];
        size_t lo = 0, hi = B->n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (B->v[mid].first < a->first)
                lo = mid + 1;
            else
                hi = mid;
        }
        const cand *best = NULL;
        int64_t best_span = INT64_MAX;
        size_t from = lo >= 4 ? lo - 4 : 0, to = lo + 4 < B->n ? lo + 4 : B->n;
        if (spend(e, to - from))
            return e->rc;
        for (size_t j = from; j < to; j++) {
            const cand *b = &B->v[j];
            int64_t span = max64(a->last, b->last) - min64(a->first, b->first);
            if (span >= best_span)
                continue;
            int d = disjoint(a->b, b->b);
            if (d < 0)
                return nomem(e);
            if (d) {
                best = b;
                best_span = span;
            }
        }
        if (best && push(e, out, min64(a->first, best->first), max64(a->last, best->last), 1, bpair(e, a->b, best->b)))
            return e->rc;
    }
    return 0;
}

static int followed2(ev *e, const clist *A, const clist *B, clist *out)
{
    memset(out, 0, sizeof *out);
    if (!A->n || !B->n)
        return 0;
    if ((unsigned long long)A->n * B->n <= PAIR_MAX) {
        if (spend(e, (unsigned long long)A->n * B->n))
            return e->rc;
        for (size_t i = 0; i < A->n; i++)
            for (size_t j = 0; j < B->n; j++) {
                const cand *a = &A->v[i], *b = &B->v[j];
                if (a->last > b->first)
                    continue;
                int d = disjoint(a->b, b->b);
                if (d < 0)
                    return nomem(e);
                if (d && push(e, out, a->first, max64(a->last, b->last), 1, bpair(e, a->b, b->b)))
                    return e->rc;
            }
        return 0;
    }
    /* Large: sort A by last; best[k] = index of the latest-starting a among A[0..k]. */
    qsort(A->v, A->n, sizeof *A->v, by_last);
    size_t *best = vg_malloc(A->n * sizeof *best);
    if (!best)
        return nomem(e);
    for (size_t k = 0; k < A->n; k++)
        best[k] = k == 0 || A->v[k].first > A->v[best[k - 1]].first ? k : best[k - 1];
    int rc = 0;
    for (size_t j = 0; j < B->n && !rc; j++) {
        const cand *b = &B->v[j];
        size_t lo = 0, hi = A->n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (A->v[mid].last <= b->first)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == 0)
            continue;
        /* The best partner, then a few fallbacks should it share an observation with b. */
        size_t tries[5] = {best[lo - 1], lo - 1, lo >= 2 ? lo - 2 : lo - 1, lo >= 3 ? lo - 3 : lo - 1,
                           lo >= 4 ? lo - 4 : lo - 1};
        if ((rc = spend(e, 5)))
            break;
        for (int t = 0; t < 5; t++) {
            const cand *a = &A->v[tries[t]];
            int d = disjoint(a->b, b->b);
            if (d < 0) {
                rc = nomem(e);
                break;
            }
            if (d) {
                rc = push(e, out, a->first, max64(a->last, b->last), 1, bpair(e, a->b, b->b));
                break;
            }
        }
    }
    vg_free(best);
    return rc;
}

/* Removes repeated single-observation candidates (the same observed-data matching two OR branches). */
static int all_leaves(const clist *C)
{
    for (size_t i = 0; i < C->n; i++)
        if (C->v[i].b->kind != B_LEAF)
            return 0;
    return 1;
}

static int by_obs(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    return (x->b->obs > y->b->obs) - (x->b->obs < y->b->obs);
}

static int repeats(ev *e, clist *C, int64_t times, clist *out)
{
    memset(out, 0, sizeof *out);
    if (!C->n)
        return 0;
    if (all_leaves(C)) {
        qsort(C->v, C->n, sizeof *C->v, by_obs);
        size_t k = 0;
        for (size_t i = 0; i < C->n; i++)
            if (k == 0 || C->v[k - 1].b->obs != C->v[i].b->obs)
                C->v[k++] = C->v[i];
        C->n = k;
        qsort(C->v, C->n, sizeof *C->v, by_first);
        /* Sliding window [i..j] over candidates sorted by first; a deque keeps the max last. */
        size_t *dq = vg_malloc(C->n * sizeof *dq);
        if (!dq)
            return nomem(e);
        size_t dh = 0, dt = 0, j = 0;
        int64_t sum = 0;
        int rc = 0;
        for (size_t i = 0; i < C->n && !rc; i++) {
            while (j < C->n && sum < times) {
                sum += C->v[j].count;
                while (dt > dh && C->v[dq[dt - 1]].last <= C->v[j].last)
                    dt--;
                dq[dt++] = j;
                j++;
            }
            if (sum < times)
                break;
            bset *b = pat__arena_alloc(&e->a, sizeof *b);
            if (!b) {
                rc = nomem(e);
                break;
            }
            memset(b, 0, sizeof *b);
            b->kind = B_RANGE;
            b->arr = C->v;
            b->i = i;
            b->j = j - 1;
            b->n = j - i;
            b->mask = ~(uint64_t)0;
            rc = push(e, out, C->v[i].first, C->v[dq[dh]].last, 1, b);
            sum -= C->v[i].count;
            if (dq[dh] == i)
                dh++;
            if (!rc)
                rc = spend(e, 1);
        }
        vg_free(dq);
        return rc;
    }
    /* Compound candidates: greedily gather distinct ones from each start. */
    qsort(C->v, C->n, sizeof *C->v, by_first);
    for (size_t i = 0; i < C->n; i++) {
        const bset *acc = C->v[i].b;
        int64_t sum = C->v[i].count, last = C->v[i].last;
        for (size_t j = i + 1; j < C->n && sum < times; j++) {
            if (spend(e, 1))
                return e->rc;
            int d = disjoint(acc, C->v[j].b);
            if (d < 0)
                return nomem(e);
            if (!d)
                continue;
            if (!(acc = bpair(e, acc, C->v[j].b)))
                return nomem(e);
            sum += C->v[j].count;
            last = max64(last, C->v[j].last);
        }
        if (sum >= times && push(e, out, C->v[i].first, last, 1, acc))
            return e->rc;
    }
    return 0;
}

static int eval(ev *e, const pat__node *n, int64_t lo, int64_t hi, clist *out)
{
    memset(out, 0, sizeof *out);
    int rc;
    switch (n->kind) {
    case N_OBS: {
        const pat__root *assign[16];
        const pat__root **as = assign;
        if (n->ntypes > 16)
            return fail(e, VG_E_LIMIT, "an observation expression uses more than 16 object types");
        (void)as;
        for (size_t i = 0; i < e->o->nobs; i++) {
            const pat__obs *ob = &e->o->obs[i];
            if (ob->first < lo || ob->last >= hi)
                continue;
            if (obs_match(e, n, ob, assign) && push(e, out, ob->first, ob->last, ob->count, bleaf(e, (uint32_t)n->expr, (uint32_t)i)))
                return e->rc;
            if (e->rc)
                return e->rc;
        }
        return 0;
    }
    case N_OBS_OR:
        for (size_t i = 0; i < n->nkids; i++) {
            clist k;
            if ((rc = eval(e, n->kids[i], lo, hi, &k)))
                return rc;
            for (size_t j = 0; j < k.n; j++)
                if (push(e, out, k.v[j].first, k.v[j].last, k.v[j].count, k.v[j].b))
                    return e->rc;
        }
        return 0;
    case N_OBS_AND:
    case N_FOLLOWEDBY: {
        clist acc;
        if ((rc = eval(e, n->kids[0], lo, hi, &acc)))
            return rc;
        for (size_t i = 1; i < n->nkids && acc.n; i++) {
            clist k, r;
            if ((rc = eval(e, n->kids[i], lo, hi, &k)))
                return rc;
            rc = n->kind == N_OBS_AND ? and2(e, &acc, &k, &r) : followed2(e, &acc, &k, &r);
            if (rc)
                return rc;
            acc = r;
        }
        if (n->nkids > 1 && acc.n == 0) {
            *out = acc;
            return 0;
        }
        *out = acc;
        return 0;
    }
    case N_WITHIN: {
        clist k;
        if ((rc = eval(e, n->kids[0], lo, hi, &k)))
            return rc;
        size_t m = 0;
        for (size_t i = 0; i < k.n; i++)
            if (k.v[i].last - k.v[i].first <= n->within_ns)
                k.v[m++] = k.v[i];
        k.n = m;
        *out = k;
        return 0;
    }
    case N_REPEATS: {
        clist k;
        if ((rc = eval(e, n->kids[0], lo, hi, &k)))
            return rc;
        return repeats(e, &k, n->repeats, out);
    }
    case N_STARTSTOP:
        return eval(e, n->kids[0], max64(lo, n->start_ns), min64(hi, n->stop_ns), out);
    default:
        return fail(e, VG_E_INTERNAL, "unexpected node in the observation tree");
    }
}

/* ---- results ------------------------------------------------------------------------- */

static const pat__node *find_obs(const pat__node *n, size_t expr)
{
    if (n->kind == N_OBS)
        return n->expr == expr ? n : NULL;
    if (n->kind >= N_CMP_OR)
        return NULL;
    for (size_t i = 0; i < n->nkids; i++) {
        const pat__node *r = find_obs(n->kids[i], expr);
        if (r)
            return r;
    }
    return NULL;
}

static int cmp_pair(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static int bindings(ev *e, const cand *c, pat_result *res)
{
    uint32_t *v = NULL;
    size_t n = 0, cap = 0;
    if (bflat(c->b, &v, &n, &cap, 1)) {
        vg_free(v);
        return nomem(e);
    }
    size_t np = n / 2;
    qsort(v, np, 2 * sizeof *v, cmp_pair);
    res->bindings = vg_calloc(np ? np : 1, sizeof *res->bindings);
    if (!res->bindings) {
        vg_free(v);
        return nomem(e);
    }
    size_t k = 0;
    for (size_t i = 0; i < np; i++) {
        if (k && res->bindings[k - 1].expression == v[2 * i] && res->bindings[k - 1].observation == v[2 * i + 1])
            continue;
        pat_binding *b = &res->bindings[k++];
        res->nbindings = k;
        b->expression = v[2 * i];
        b->observation = v[2 * i + 1];
        const pat__obs *ob = &e->o->obs[b->observation];
        b->obs_id = ob->id;
        const pat__node *o = find_obs(e->p->root, b->expression);
        const pat__root *assign[16] = {0};
        if (o && o->ntypes <= 16 && obs_match(e, o, ob, assign)) {
            b->object_ids = vg_calloc(o->ntypes, sizeof *b->object_ids);
            if (!b->object_ids) {
                vg_free(v);
                return nomem(e);
            }
            for (size_t t = 0; t < o->ntypes; t++)
                if (assign[t])
                    b->object_ids[b->nobjects++] = assign[t]->id;
        }
    }
    vg_free(v);
    return 0;
}

void pat_result_free(pat_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nbindings; i++)
        vg_free((void *)r->bindings[i].object_ids);
    vg_free(r->bindings);
    memset(r, 0, sizeof *r);
}

int pat_match(const pat_pattern *p, const pat_observations *obs, pat_result *res, vg_error *err)
{
    memset(res, 0, sizeof *res);
    if (!p || !obs)
        return vg_error_set(err, VG_E_USAGE, "pat_match: a pattern and observations are required");
    ev e;
    memset(&e, 0, sizeof e);
    e.p = p;
    e.o = obs;
    e.err = err;
    char first[4096];
    pat__arena_init(&e.a, first, sizeof first);
    clist out;
    int rc = eval(&e, p->root, INT64_MIN, INT64_MAX, &out);
    if (!rc && e.rc)
        rc = e.rc;
    if (!rc && out.n) {
        const cand *best = &out.v[0];
        for (size_t i = 1; i < out.n; i++)
            if (out.v[i].last < best->last || (out.v[i].last == best->last && out.v[i].first < best->first))
                best = &out.v[i];
        res->matched = 1;
        rc = bindings(&e, best, res);
        if (!rc && e.rc)
            rc = e.rc;
        if (rc)
            pat_result_free(res);
    }
    if (e.md)
        pcre2_match_data_free(e.md);
    vg_free(e.tmp);
    vg_free(e.combo);
    pat__arena_free(&e.a);
    return rc;
}
