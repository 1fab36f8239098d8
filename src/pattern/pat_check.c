/*
 * pat_check.c - what a pattern means: checks against the STIX 2.1
 * cyber-observable definitions, literal and qualifier rules, and regex
 * compilation.
 *
 * Severity follows one rule: what can never be right is an error (a string
 * ordered against an integer property, an invalid CIDR, a regex that does
 * not compile, a hash value of the wrong length, REPEATS 0 TIMES, STOP
 * before START); what may be right for someone else is a warning (a custom
 * object type or property, an equality between different kinds that simply
 * never holds, a hash name outside the vocabulary).
 */
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "pattern/pattern_int.h"

/* Where a path leads, as far as the table knows. */
typedef struct pathinfo {
    int kind;          /* K_* at the end of the path */
    int known;         /* 1 when every step was found in the table */
    const char *hash;  /* the hash algorithm when the path ends at hashes.<alg> */
} pathinfo;

static int warn(pat__ctx *c, size_t off, const char *fmt, const char *a, const char *b)
{
    return pat__report(c, PAT_DIAG_WARNING, 0, off, NULL, fmt, a, b);
}

static int is_ext_custom(const char *k)
{
    return strncmp(k, "x-", 2) == 0 || strncmp(k, "extension-definition--", 22) == 0;
}

/* Looks name up in each space-separated type of `targets`. */
static const pat__prop *find_in_targets(const char *targets, const char *name)
{
    char t[64];
    while (targets && *targets) {
        const char *sp = strchr(targets, ' ');
        size_t n = sp ? (size_t)(sp - targets) : strlen(targets);
        if (n < sizeof t) {
            memcpy(t, targets, n);
            t[n] = '\0';
            const pat__prop *p = pat__prop_find(pat__sco_props(t), name);
            if (p)
                return p;
        }
        targets = sp ? sp + 1 : NULL;
    }
    return NULL;
}

static void resolve_path(pat__ctx *c, pat__node *t, pathinfo *pi)
{
    const pat_leaf *l = &t->leaf;
    const pat__prop *list = pat__sco_props(l->object_type);
    int kind = K_OBJECT;
    const char *targets = NULL;
    pi->known = 1;
    pi->hash = NULL;
    if (!list) {
        /* A custom type: only hashes.<alg> can still be recognised. */
        pi->known = 0;
        pi->kind = K_UNKNOWN;
        for (size_t i = 0; i + 1 < l->nsteps; i++)
            if (l->steps[i].kind == PAT_STEP_KEY && strcmp(l->steps[i].key, "hashes") == 0 &&
                l->steps[i + 1].kind == PAT_STEP_KEY && i + 2 == l->nsteps)
                pi->hash = l->steps[i + 1].key;
        return;
    }
    for (size_t i = 0; i < l->nsteps; i++) {
        const pat_step *s = &l->steps[i];
        const char *name = s->kind == PAT_STEP_KEY ? s->key : "[...]";
        switch (kind) {
        case K_OBJECT:
        case K_EXTENSIONS: {
            if (s->kind != PAT_STEP_KEY) {
                warn(c, t->off, "'%s' in %s is not a list; an index does not apply to it", l->path, "the path");
                goto unknown;
            }
            const pat__prop *p = pat__prop_find(list, s->key);
            if (!p) {
                if (kind == K_EXTENSIONS && is_ext_custom(s->key))
                    goto unknown;
                if (kind == K_EXTENSIONS && !list)
                    goto unknown;
                warn(c, t->off, "unknown property '%s' (in %s); custom properties are allowed", name, l->path);
                goto unknown;
            }
            kind = p->kind;
            list = p->sub;
            targets = p->targets;
            break;
        }
        case K_HASHES:
            if (s->kind == PAT_STEP_KEY)
                pi->hash = s->key;
            kind = K_STRING;
            list = NULL;
            break;
        case K_DICT:
            goto unknown;
        case K_LIST:
        case K_REFS:
        case K_LIST_OBJECT:
            if (s->kind == PAT_STEP_KEY) {
                warn(c, t->off, "'%s' (in %s) follows a list: index the list with [*] or [n] first", name, l->path);
                goto unknown;
            }
            kind = kind == K_LIST ? K_STRING : kind == K_REFS ? K_REF : K_OBJECT;
            break;
        case K_REF: {
            if (s->kind != PAT_STEP_KEY) {
                warn(c, t->off, "'%s' (in %s) follows a single reference, which is not a list", name, l->path);
                goto unknown;
            }
            const pat__prop *p = targets ? find_in_targets(targets, s->key) : NULL;
            if (!p) {
                if (targets && strcmp(s->key, "type") != 0 && strcmp(s->key, "id") != 0)
                    warn(c, t->off, "unknown property '%s' (in %s) for the objects this reference points to", name,
                         l->path);
                goto unknown;
            }
            kind = p->kind;
            list = p->sub;
            targets = p->targets;
            break;
        }
        default:
            warn(c, t->off, "'%s' (in %s) follows a value that has no properties", name, l->path);
            goto unknown;
        }
    }
    pi->kind = kind;
    return;
unknown:
    pi->known = 0;
    pi->kind = K_UNKNOWN;
}

/* Hash algorithms and the shape of their values (as the reference validator checks them). */
static const struct {
    const char *norm;  /* upper case, without '-' and '_' */
    const char *name;  /* the vocabulary spelling */
    short len;         /* hex digits, 0 = see below */
} hash_algs[] = {
    {"MD5", "MD5", 32},           {"SHA1", "SHA-1", 40},          {"SHA224", "SHA-224", 56},
    {"SHA256", "SHA-256", 64},    {"SHA384", "SHA-384", 96},      {"SHA512", "SHA-512", 128},
    {"SHA3224", "SHA3-224", 56},  {"SHA3256", "SHA3-256", 64},    {"SHA3384", "SHA3-384", 96},
    {"SHA3512", "SHA3-512", 128}, {"RIPEMD160", "RIPEMD-160", 40}, {"WHIRLPOOL", "WHIRLPOOL", 128},
    {"SSDEEP", "SSDEEP", 0},      {"TLSH", "TLSH", -1},           {"MD6", "MD6", -2},
};

static int check_hash_value(pat__ctx *c, pat__node *t, const char *alg, const pat_value *v, size_t off)
{
    char norm[32];
    size_t k = 0;
    for (const char *s = alg; *s && k + 1 < sizeof norm; s++) {
        if (*s == '-' || *s == '_')
            continue;
        norm[k++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s);
    }
    norm[k] = '\0';
    for (size_t i = 0; i < sizeof hash_algs / sizeof hash_algs[0]; i++) {
        if (strcmp(norm, hash_algs[i].norm) != 0)
            continue;
        if (v->kind != PAT_LIT_STRING)
            return 0;
        int ok = 1;
        if (hash_algs[i].len > 0) {
            ok = v->len == (size_t)hash_algs[i].len;
            for (size_t j = 0; ok && j < v->len; j++) {
                char ch = v->s[j];
                ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
            }
        } else if (hash_algs[i].len == 0) {
            ok = v->len >= 1 && v->len <= 128;
            for (size_t j = 0; ok && j < v->len; j++) {
                char ch = v->s[j];
                ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     ch == '/' || ch == '+' || ch == ':' || ch == '.';
            }
        }
        if (!ok)
            return pat__report(c, PAT_DIAG_ERROR, VG_E_INVALID, off, NULL,
                               "'%.80s' is not a valid %s hash%s", v->s, hash_algs[i].name,
                               hash_algs[i].len > 0 ? " (wrong length or not hex)" : "");
        (void)t;
        return 0;
    }
    return 0;
}

static void check_hash_name(pat__ctx *c, pat__node *t, const char *alg)
{
    static const char *const vocab[] = {"MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH"};
    for (size_t i = 0; i < sizeof vocab / sizeof vocab[0]; i++)
        if (strcmp(vocab[i], alg) == 0)
            return;
    char norm[32];
    size_t k = 0;
    for (const char *s = alg; *s && k + 1 < sizeof norm; s++)
        if (*s != '-' && *s != '_')
            norm[k++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s);
    norm[k] = '\0';
    for (size_t i = 0; i < sizeof hash_algs / sizeof hash_algs[0]; i++)
        if (strcmp(norm, hash_algs[i].norm) == 0) {
            warn(c, t->off, "hash name '%s' is not spelled as in hash-algorithm-ov; STIX writes '%s'", alg,
                 hash_algs[i].name);
            return;
        }
    if (strncmp(alg, "x_", 2) != 0)
        warn(c, t->off, "hash name '%s' is not in hash-algorithm-ov (%s)", alg, "custom names should start with x_");
}

static int lit_is_number(int k) { return k == PAT_LIT_INT || k == PAT_LIT_FLOAT; }

/* 1 when a literal of kind lk can ever equal a property of kind pk. */
static int can_equal(int pk, const pat_value *v)
{
    int lk = v->kind;
    switch (pk) {
    case K_INT:
    case K_FLOAT:
        return lit_is_number(lk);
    case K_BOOL:
        return lk == PAT_LIT_BOOL;
    case K_TIMESTAMP:
        return lk == PAT_LIT_TIMESTAMP || lk == PAT_LIT_STRING;
    case K_STRING:
    case K_REF:
        return lk == PAT_LIT_STRING || lk == PAT_LIT_TIMESTAMP;
    case K_BINARY:
    case K_HEX:
        return lk == PAT_LIT_BINARY || lk == PAT_LIT_HEX || lk == PAT_LIT_STRING;
    default:
        return 1;
    }
}

static int check_order(pat__ctx *c, pat__node *t, int pk)
{
    const pat_value *v = t->leaf.value;
    int lk = v->kind, bad = 0;
    switch (pk) {
    case K_INT:
    case K_FLOAT:
        bad = !lit_is_number(lk);
        break;
    case K_TIMESTAMP:
        if (lk == PAT_LIT_STRING) {
            int64_t ns;
            if (pat__time_parse(v->s, v->len, &ns))
                return pat__report(c, PAT_DIAG_ERROR, VG_E_INVALID, t->val_off_t, "a timestamp t'...'",
                                   "'%.80s' is compared by order with a timestamp property but is not a timestamp",
                                   v->s);
            return 0;
        }
        bad = lk != PAT_LIT_TIMESTAMP;
        break;
    case K_STRING:
        bad = lk != PAT_LIT_STRING;
        break;
    case K_BINARY:
    case K_HEX:
        bad = lk != PAT_LIT_BINARY && lk != PAT_LIT_HEX;
        break;
    case K_BOOL:
        bad = 1;
        break;
    default:
        return 0;
    }
    if (bad)
        return pat__report(c, PAT_DIAG_ERROR, VG_E_INVALID, t->val_off_t, NULL,
                           "%s is a %s property and cannot be ordered against %s", t->leaf.path,
                           pat__kind_name(pk), v->text);
    return 0;
}

static void *gmalloc(size_t n, void *d)
{
    (void)d;
    return vg_malloc(n);
}

static void gfree(void *p, void *d)
{
    (void)d;
    vg_free(p);
}

static int compile_regex(pat__ctx *c, pat__node *t, const pathinfo *pi)
{
    const pat_value *v = t->leaf.value;
    const char *last = NULL;
    for (size_t i = 0; i < t->leaf.nsteps; i++)
        if (t->leaf.steps[i].kind == PAT_STEP_KEY)
            last = t->leaf.steps[i].key;
    size_t ll = last ? strlen(last) : 0;
    int bytes = pi->kind == K_BINARY || pi->kind == K_HEX ||
                (pi->kind == K_UNKNOWN && ll > 4 &&
                 (strcmp(last + ll - 4, "_bin") == 0 || strcmp(last + ll - 4, "_hex") == 0));
    if (!c->gctx) {
        c->gctx = pcre2_general_context_create(gmalloc, gfree, NULL);
        if (!c->gctx)
            return pat__report(c, PAT_DIAG_ERROR, VG_E_NOMEM, t->off, NULL, "out of memory");
    }
    if (c->nregexes == c->capregexes) {
        size_t nc = c->capregexes ? c->capregexes * 2 : 4;
        pcre2_code **nv = vg_realloc(c->regexes, nc * sizeof *nv);
        if (!nv)
            return pat__report(c, PAT_DIAG_ERROR, VG_E_NOMEM, t->off, NULL, "out of memory");
        c->regexes = nv;
        c->capregexes = nc;
    }
    pcre2_compile_context *cc = pcre2_compile_context_create(c->gctx);
    if (!cc)
        return pat__report(c, PAT_DIAG_ERROR, VG_E_NOMEM, t->off, NULL, "out of memory");
    int ec = 0;
    PCRE2_SIZE eo = 0;
    uint32_t flags = bytes ? 0 : (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF);
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)v->s, v->len, flags, &ec, &eo, cc);
    pcre2_compile_context_free(cc);
    if (!re) {
        if (ec == PCRE2_ERROR_NOMEMORY || ec == PCRE2_ERROR_HEAP_FAILED)
            return pat__report(c, PAT_DIAG_ERROR, VG_E_NOMEM, t->off, NULL, "out of memory");
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ec, msg, sizeof msg);
        /* Point at the character in the pattern text: the literal starts with a quote. */
        const char *text = v->text;
        size_t raw = 1, logical = 0;
        while (text[raw] && logical < eo) {
            if (text[raw] == '\\')
                raw++;
            raw++;
            logical++;
        }
        return pat__report(c, PAT_DIAG_ERROR, VG_E_INVALID, t->val_off_t + raw, "a PCRE regular expression",
                           "the regular expression does not compile: %s (at offset %zu)", (const char *)msg,
                           (size_t)eo);
    }
    /* JIT is an optimisation: if it is unavailable, the interpreter is used. */
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    c->regexes[c->nregexes++] = re;
    t->re = re;
    t->re_bytes = bytes;
    return 0;
}

static int check_test(pat__ctx *c, pat__node *t)
{
    pat_leaf *l = &t->leaf;
    pathinfo pi;
    if (c->opts.version == PAT_STIX_20 && l->op == PAT_OP_EXISTS)
        return pat__report(c, PAT_DIAG_ERROR, VG_E_PARSE, t->op_off, "a comparison (EXISTS is STIX 2.1)",
                           "EXISTS is not part of STIX 2.0 patterning");
    if (!pat__sco_props(l->object_type))
        warn(c, t->off, "unknown object type '%s' (not a STIX 2.1 cyber-observable; custom types are allowed%s)",
             l->object_type, "");
    resolve_path(c, t, &pi);
    t->prop_kind = pi.kind;
    const pat_value *v = l->value;
    int rc = 0;
    if (pi.hash) {
        if (pat__sco_props(l->object_type))
            check_hash_name(c, t, pi.hash);
        if (l->op == PAT_OP_EQ || l->op == PAT_OP_NE) {
            if ((rc = check_hash_value(c, t, pi.hash, v, t->val_off_t)))
                return rc;
        } else if (l->op == PAT_OP_IN) {
            for (size_t i = 0; i < v->nitems; i++)
                if ((rc = check_hash_value(c, t, pi.hash, &v->items[i], t->val_off_t)))
                    return rc;
        }
    }
    int pk = pi.kind;
    if ((pk == K_LIST || pk == K_REFS || pk == K_LIST_OBJECT || pk == K_OBJECT || pk == K_DICT || pk == K_HASHES ||
         pk == K_EXTENSIONS) &&
        l->op != PAT_OP_EXISTS)
        warn(c, t->off, "%s is a %s; compare its members (for example with [*]) instead", l->path,
             pat__kind_name(pk));
    switch (l->op) {
    case PAT_OP_EQ:
    case PAT_OP_NE:
        if (!can_equal(pk, v))
            warn(c, t->val_off_t, "%s is never equal to this literal: the property is a %s", l->path,
                 pat__kind_name(pk));
        break;
    case PAT_OP_IN:
        for (size_t i = 0; i < v->nitems; i++)
            if (!can_equal(pk, &v->items[i])) {
                warn(c, t->val_off_t, "%s is never equal to some values of the set: the property is a %s",
                     l->path, pat__kind_name(pk));
                break;
            }
        break;
    case PAT_OP_LT:
    case PAT_OP_LE:
    case PAT_OP_GT:
    case PAT_OP_GE:
        if ((rc = check_order(c, t, pk)))
            return rc;
        break;
    case PAT_OP_LIKE:
    case PAT_OP_MATCHES:
        if (pk == K_INT || pk == K_FLOAT || pk == K_BOOL)
            return pat__report(c, PAT_DIAG_ERROR, VG_E_INVALID, t->op_off, NULL,
                               "%s applies to strings and binary values, but %s is a %s property",
                               pat_op_name(l->op), l->path, pat__kind_name(pk));
        if (l->op == PAT_OP_MATCHES && (rc = compile_regex(c, t, &pi)))
            return rc;
        break;
    case PAT_OP_ISSUBSET:
    case PAT_OP_ISSUPERSET: {
        pat__net *net = pat__arena_alloc(c->arena, sizeof *net);
        if (!net)
            return pat__report(c, PAT_DIAG_ERROR, VG_E_NOMEM, t->off, NULL, "out of memory");
        if (pat__net_parse(v->s, v->len, net))
            return pat__report(c, PAT_DIAG_ERROR, VG_E_INVALID, t->val_off_t,
                               "an IPv4 or IPv6 address or CIDR range ('10.0.0.0/8', '2001:db8::/32')",
                               "'%.80s' is not a valid IP address or CIDR range", v->s);
        t->net = (const unsigned char *)net;
        if (pk != K_STRING && pk != K_UNKNOWN)
            warn(c, t->off, "%s compares addresses, but %s is not a string property", pat_op_name(l->op), l->path);
        break;
    }
    default:
        break;
    }
    return 0;
}

/* Collects the distinct object types of the comparisons under n into the N_OBS node o. */
static int collect_types(pat__ctx *c, pat__node *o, pat__node *n)
{
    if (n->kind != N_TEST) {
        for (size_t i = 0; i < n->nkids; i++) {
            int rc = collect_types(c, o, n->kids[i]);
            if (rc)
                return rc;
        }
        return 0;
    }
    for (size_t i = 0; i < o->ntypes; i++)
        if (strcmp(o->types[i], n->leaf.object_type) == 0) {
            n->type_slot = i;
            return 0;
        }
    /* Grow by one in the arena; patterns use few types per bracket. */
    const char **nt = pat__arena_alloc(c->arena, (o->ntypes + 1) * sizeof *nt);
    if (!nt)
        return pat__report(c, PAT_DIAG_ERROR, VG_E_NOMEM, n->off, NULL, "out of memory");
    if (o->ntypes)
        memcpy(nt, o->types, o->ntypes * sizeof *nt);
    nt[o->ntypes] = n->leaf.object_type;
    n->type_slot = o->ntypes;
    o->types = nt;
    o->ntypes++;
    return 0;
}

/*
 * Qualifiers chained straight onto one [...] may not repeat a kind: the
 * reference validator rejects `[a] WITHIN 5 SECONDS WITHIN 6 SECONDS`. On a
 * parenthesised group the repetition is legal (each qualifier applies to the
 * group as built so far) but redundant, so it only warns.
 */
static int is_qual(const pat__node *n)
{
    return n->kind == N_WITHIN || n->kind == N_REPEATS || n->kind == N_STARTSTOP;
}

static int check_dup_qualifiers(pat__ctx *c, pat__node *q)
{
    static const char *const names[] = {"WITHIN", "REPEATS", "START/STOP"};
    int seen[3] = {0, 0, 0};
    pat__node *n = q;
    for (;;) {
        int k = n->kind == N_WITHIN ? 0 : n->kind == N_REPEATS ? 1 : 2;
        if (seen[k]) {
            pat__node *b = n;
            while (is_qual(b) && (b == n || !b->paren))
                b = b->kids[0];
            if (b->kind == N_OBS && !b->paren)
                return pat__report(c, PAT_DIAG_ERROR, VG_E_INVALID, q->qual_off, NULL,
                                   "duplicate %s qualifier on one observation expression", names[k]);
            pat__report(c, PAT_DIAG_WARNING, 0, q->qual_off, NULL,
                        "%s is applied twice to the same group; only the stricter one matters", names[k]);
            return 0;
        }
        seen[k] = 1;
        pat__node *kid = n->kids[0];
        if (!is_qual(kid) || kid->paren)
            return 0;
        n = kid;
    }
}

static int walk(pat__ctx *c, pat__node *n, const pat_leaf **leaves, size_t *nl, int under_qual)
{
    int rc = 0;
    switch (n->kind) {
    case N_TEST:
        rc = check_test(c, n);
        if (leaves)
            leaves[(*nl)++] = &n->leaf;
        return rc;
    case N_OBS:
        if ((rc = collect_types(c, n, n->kids[0])))
            return rc;
        break;
    case N_WITHIN:
        if (n->within_ns <= 0)
            rc = pat__report(c, PAT_DIAG_ERROR, VG_E_INVALID, n->val_off, "a number of seconds above 0",
                             "WITHIN needs a positive time window");
        break;
    case N_REPEATS:
        if (n->repeats <= 0)
            rc = pat__report(c, PAT_DIAG_ERROR, VG_E_INVALID, n->val_off, "an integer of at least 1",
                             "REPEATS needs a positive count");
        break;
    case N_STARTSTOP:
        if (n->stop_ns <= n->start_ns)
            rc = pat__report(c, PAT_DIAG_ERROR, VG_E_INVALID, n->val_off, NULL,
                             "the START timestamp must be earlier than the STOP timestamp");
        break;
    default:
        break;
    }
    if (rc)
        return rc;
    int q = is_qual(n);
    if (q && (!under_qual || n->paren) && (rc = check_dup_qualifiers(c, n)))
        return rc;
    for (size_t i = 0; i < n->nkids; i++) {
        int r = walk(c, n->kids[i], leaves, nl, q);
        if (r && !rc)
            rc = r;
        if (r == VG_E_NOMEM)
            return r;
    }
    return rc;
}

int pat__check(pat__ctx *c, pat__node *root)
{
    const pat_leaf **leaves = NULL;
    if (c->nleaves) {
        leaves = pat__arena_alloc(c->arena, c->nleaves * sizeof *leaves);
        if (!leaves)
            return pat__report(c, PAT_DIAG_ERROR, VG_E_NOMEM, 0, NULL, "out of memory");
    }
    size_t nl = 0;
    int rc = walk(c, root, leaves, &nl, 0);
    c->leaves = leaves;
    c->nleaves = nl;
    if (!rc)
        rc = c->rc;
    return rc;
}
