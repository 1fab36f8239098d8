/*
 * pat_parse.c - recursive-descent parser for STIX patterns.
 *
 * Follows STIXPattern.g4 rule for rule. The grammar's left-recursive rules
 * (A : A op A | B) become loops that collect the operands of a chain into one
 * n-ary node, so `a AND b AND c ...` costs no stack however long it is; only
 * real nesting - brackets, parentheses and qualifiers - recurses, and that is
 * bounded by opts.max_depth with its own error.
 *
 * Precedence, loosest first: FOLLOWEDBY, OR, AND between observation
 * expressions; qualifiers bind to the observation expression right before
 * them; inside brackets OR is looser than AND.
 *
 * The first syntax error stops the parse; it is reported through pat__report
 * with its position and what the grammar expected there.
 */
#include <stdio.h>
#include <string.h>

#include "pattern/pattern_int.h"

typedef struct parser {
    pat__ctx *c;    /* compile state */
    pat__lexer lx;  /* the token source */
    pat__token tok; /* the current (lookahead) token */
    size_t cur_obs; /* index of the observation expression being parsed */
} parser;

#define NOMEM(p) pat__report((p)->c, PAT_DIAG_ERROR, VG_E_NOMEM, (p)->tok.off, NULL, "out of memory")

static int advance(parser *p) { return pat__lex_next(&p->lx, p->c, &p->tok); }

/* Describes the current token for a message: "']'", "identifier 'within'", "the end of the pattern". */
static const char *found(parser *p, char *buf, size_t n)
{
    const pat__token *t = &p->tok;
    if (t->kind == TK_EOF)
        return "the end of the pattern";
    int w = (int)(t->len > 40 ? 40 : t->len);
    const char *more = t->len > 40 ? "..." : "";
    if (t->kind == TK_IDENT || t->kind == TK_IDENT_H)
        snprintf(buf, n, "identifier '%.*s'", w, p->lx.src + t->off);
    else if (t->kind >= TK_INT && t->kind <= TK_TIMESTAMP)
        snprintf(buf, n, "%s %.*s%s", pat__tok_name(t->kind), w, p->lx.src + t->off, more);
    else
        snprintf(buf, n, "'%.*s'%s", w, p->lx.src + t->off, more);
    return buf;
}

static int syntax(parser *p, const char *expected)
{
    char b[96];
    const char *f = found(p, b, sizeof b);
    /* Lower-case keywords are the commonest slip: say so. */
    if (p->tok.kind == TK_IDENT) {
        char up[16];
        size_t n = p->tok.len;
        if (n < sizeof up) {
            for (size_t i = 0; i < n; i++) {
                char ch = p->lx.src[p->tok.off + i];
                up[i] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
            }
            up[n] = '\0';
            static const char *const kws[] = {"AND", "OR", "NOT", "FOLLOWEDBY", "LIKE", "MATCHES", "ISSUBSET",
                                              "ISSUPERSET", "EXISTS", "IN", "START", "STOP", "SECONDS",
                                              "WITHIN", "REPEATS", "TIMES"};
            for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
                if (strcmp(kws[i], up) == 0 && memcmp(up, p->lx.src + p->tok.off, n) != 0)
                    return pat__report(p->c, PAT_DIAG_ERROR, VG_E_PARSE, p->tok.off, expected,
                                       "unexpected %s (keywords are upper-case: write %s)", f, up);
        }
    }
    return pat__report(p->c, PAT_DIAG_ERROR, VG_E_PARSE, p->tok.off, expected, "unexpected %s", f);
}

static int expect(parser *p, int kind, const char *expected)
{
    if (p->tok.kind != kind)
        return syntax(p, expected);
    return advance(p);
}

static int too_deep(parser *p, unsigned depth)
{
    if (depth <= p->c->opts.max_depth)
        return 0;
    return pat__report(p->c, PAT_DIAG_ERROR, VG_E_LIMIT, p->tok.off, NULL,
                       "the pattern nests deeper than %u levels (brackets, parentheses and qualifiers)",
                       p->c->opts.max_depth);
}

static pat__node *node(parser *p, int kind, size_t off)
{
    pat__node *n = pat__arena_alloc(p->c->arena, sizeof *n);
    if (!n)
        return NULL;
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->off = off;
    return n;
}

/* A growable array of node pointers in the arena (a chain's operands). */
typedef struct nvec {
    pat__node *small[4];
    pat__node **v;
    size_t n, cap;
} nvec;

static int nvec_push(parser *p, nvec *v, pat__node *x)
{
    if (!v->v) {
        v->v = v->small;
        v->cap = 4;
    }
    if (v->n == v->cap) {
        pat__node **nv = pat__arena_alloc(p->c->arena, v->cap * 2 * sizeof *nv);
        if (!nv)
            return NOMEM(p);
        memcpy(nv, v->v, v->n * sizeof *nv);
        v->v = nv;
        v->cap *= 2;
    }
    v->v[v->n++] = x;
    return 0;
}

/* Turns a chain into its single operand, or an n-ary node of `kind`. */
static int chain(parser *p, nvec *v, int kind, size_t off, pat__node **out)
{
    if (v->n == 1) {
        *out = v->v[0];
        return 0;
    }
    pat__node *n = node(p, kind, off);
    pat__node **kids = pat__arena_alloc(p->c->arena, v->n * sizeof *kids);
    if (!n || !kids)
        return NOMEM(p);
    memcpy(kids, v->v, v->n * sizeof *kids);
    n->kids = kids;
    n->nkids = v->n;
    *out = n;
    return 0;
}

/* ---- object paths ------------------------------------------------------------ */

static int is_ident(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* A small string builder: a stack buffer first, then the arena. */
typedef struct sbuf {
    char small[192];   /* the first bytes */
    char *d;           /* the text (small or in the arena) */
    size_t n, cap;     /* used, allocated */
    pat__arena *arena; /* where to grow */
    int oom;           /* an allocation failed */
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (!b->d) {
        b->d = b->small;
        b->cap = sizeof b->small;
    }
    if (b->n + n + 1 > b->cap) {
        size_t nc = (b->n + n + 1) * 2;
        char *nd = pat__arena_alloc(b->arena, nc);
        if (!nd) {
            b->oom = 1;
            return;
        }
        memcpy(nd, b->d, b->n);
        b->d = nd;
        b->cap = nc;
    }
    memcpy(b->d + b->n, s, n);
    b->n += n;
    b->d[b->n] = '\0';
}

/* Appends key to the normalised path text: bare when it is an identifier, else quoted. */
static void path_key(sbuf *b, const char *key, int dot)
{
    if (dot)
        sb_put(b, ".", 1);
    if (is_ident(key)) {
        sb_put(b, key, strlen(key));
        return;
    }
    sb_put(b, "'", 1);
    for (const char *s = key; *s; s++) {
        if (*s == '\'' || *s == '\\')
            sb_put(b, "\\", 1);
        sb_put(b, s, 1);
    }
    sb_put(b, "'", 1);
}

/* objectPath : objectType ':' firstPathComponent objectPathComponent* */
static int object_path(parser *p, pat_leaf *leaf)
{
    pat__ctx *c = p->c;
    if (p->tok.kind != TK_IDENT && p->tok.kind != TK_IDENT_H)
        return syntax(p, "an object path such as file:name, or '(' or EXISTS");
    leaf->object_type = pat__arena_strndup(c->arena, p->lx.src + p->tok.off, p->tok.len);
    if (!leaf->object_type)
        return NOMEM(p);
    int rc = advance(p);
    if (rc)
        return rc;
    if (p->tok.kind != TK_COLON)
        return syntax(p, "':' between the object type and the property (type:property)");
    if ((rc = advance(p)))
        return rc;

    pat_step small[8], *steps = small;
    size_t n = 0, cap = 8;
    sbuf text;
    text.d = NULL;
    text.n = text.cap = 0;
    text.arena = c->arena;
    text.oom = 0;
    for (int first = 1;; first = 0) {
        pat_step st = {0};
        if (first || p->tok.kind == TK_DOT) {
            if (!first && (rc = advance(p)))
                goto out;
            st.kind = PAT_STEP_KEY;
            if (p->tok.kind == TK_IDENT) {
                st.key = pat__arena_strndup(c->arena, p->lx.src + p->tok.off, p->tok.len);
            } else if (p->tok.kind == TK_STRING) {
                st.key = p->tok.val.s;
            } else if (p->tok.kind == TK_IDENT_H) {
                rc = pat__report(c, PAT_DIAG_ERROR, VG_E_PARSE, p->tok.off,
                                 "a property name without hyphens, or a quoted one ('x-name')",
                                 "property names with hyphens must be quoted: '%.*s'", (int)p->tok.len,
                                 p->lx.src + p->tok.off);
                goto out;
            } else {
                rc = syntax(p, "a property name (an identifier or a quoted string)");
                goto out;
            }
            if (!st.key) {
                rc = NOMEM(p);
                goto out;
            }
            path_key(&text, st.key, !first);
        } else if (p->tok.kind == TK_LBRACK) {
            if ((rc = advance(p)))
                goto out;
            if (p->tok.kind == TK_STAR) {
                st.kind = PAT_STEP_ANY;
                sb_put(&text, "[*]", 3);
            } else if (p->tok.kind == TK_INT) {
                st.kind = PAT_STEP_INDEX;
                st.index = (long)p->tok.val.i;
                char ib[32];
                int k = snprintf(ib, sizeof ib, "[%ld]", st.index);
                sb_put(&text, ib, (size_t)k);
            } else {
                rc = syntax(p, "a list index (an integer) or '*'");
                goto out;
            }
            if ((rc = advance(p)))
                goto out;
            if (p->tok.kind != TK_RBRACK) {
                rc = syntax(p, "']' to close the list index");
                goto out;
            }
        } else {
            break;
        }
        if (n == cap) {
            pat_step *ns = pat__arena_alloc(c->arena, cap * 2 * sizeof *ns);
            if (!ns) {
                rc = NOMEM(p);
                goto out;
            }
            memcpy(ns, steps, n * sizeof *ns);
            steps = ns;
            cap *= 2;
        }
        steps[n++] = st;
        if ((rc = advance(p)))
            goto out;
    }
    pat_step *keep = pat__arena_alloc(c->arena, n * sizeof *keep);
    leaf->path = text.d && !text.oom ? pat__arena_strndup(c->arena, text.d, text.n) : NULL;
    if (!keep || !leaf->path) {
        rc = NOMEM(p);
        goto out;
    }
    memcpy(keep, steps, n * sizeof *keep);
    leaf->steps = keep;
    leaf->nsteps = n;
out:
    return rc;
}

/* ---- literals ---------------------------------------------------------------- */

static int is_literal(int kind, int allow_bool)
{
    switch (kind) {
    case TK_INT: case TK_FLOAT: case TK_STRING: case TK_BINARY: case TK_HEX: case TK_TIMESTAMP:
        return 1;
    case TK_BOOL:
        return allow_bool;
    default:
        return 0;
    }
}

static int literal(parser *p, pat_value **out, int allow_bool, const char *expected)
{
    if (!is_literal(p->tok.kind, allow_bool))
        return syntax(p, expected);
    pat_value *v = pat__arena_alloc(p->c->arena, sizeof *v);
    if (!v)
        return NOMEM(p);
    *v = p->tok.val;
    *out = v;
    return advance(p);
}

static const char EXP_PRIMITIVE[] = "a literal: integer, float, 'string', true/false, b'base64', h'hex' or t'timestamp'";
static const char EXP_ORDERABLE[] = "an orderable literal: integer, float, 'string', b'base64', h'hex' or t'timestamp'";

static int set_literal(parser *p, pat_value **out)
{
    size_t off = p->tok.off;
    if (p->tok.kind != TK_LPAREN)
        return syntax(p, "'(' to open the set of values for IN");
    int rc = advance(p);
    if (rc)
        return rc;
    pat_value *set = pat__arena_alloc(p->c->arena, sizeof *set);
    if (!set)
        return NOMEM(p);
    memset(set, 0, sizeof *set);
    set->kind = PAT_LIT_SET;
    pat_value *items = NULL;
    size_t n = 0, cap = 0;
    if (p->tok.kind != TK_RPAREN) {
        for (;;) {
            pat_value *v;
            if ((rc = literal(p, &v, 1, EXP_PRIMITIVE)))
                return rc;
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 8;
                pat_value *ni = pat__arena_alloc(p->c->arena, nc * sizeof *ni);
                if (!ni)
                    return NOMEM(p);
                if (n)
                    memcpy(ni, items, n * sizeof *ni);
                items = ni;
                cap = nc;
            }
            items[n++] = *v;
            if (p->tok.kind == TK_COMMA) {
                if ((rc = advance(p)))
                    return rc;
                continue;
            }
            if (p->tok.kind != TK_RPAREN)
                return syntax(p, "',' or ')' in the set of values");
            break;
        }
    }
    set->items = items;
    set->nitems = n;
    size_t end = p->tok.off + 1;
    set->text = pat__arena_strndup(p->c->arena, p->lx.src + off, end - off);
    if (!set->text)
        return NOMEM(p);
    *out = set;
    return advance(p);
}

/* ---- comparison expressions ---------------------------------------------------- */

static int cmp_or(parser *p, unsigned depth, pat__node **out);

static int new_test(parser *p, size_t off, pat__node **out)
{
    pat__node *t = node(p, N_TEST, off);
    if (!t)
        return NOMEM(p);
    t->leaf.observation = p->cur_obs;
    t->leaf.offset = off;
    p->c->nleaves++;
    *out = t;
    return 0;
}

static int prop_test(parser *p, unsigned depth, pat__node **out)
{
    int rc;
    size_t off = p->tok.off;
    if (p->tok.kind == TK_LPAREN) {
        if ((rc = too_deep(p, depth + 1)) || (rc = advance(p)))
            return rc;
        if ((rc = cmp_or(p, depth + 1, out)))
            return rc;
        return expect(p, TK_RPAREN, "')' to close the parenthesised comparison, or AND / OR");
    }
    if (p->tok.kind == TK_NOT || p->tok.kind == TK_EXISTS) {
        int neg = p->tok.kind == TK_NOT;
        if (neg) {
            if ((rc = advance(p)))
                return rc;
            if (p->tok.kind != TK_EXISTS)
                return syntax(p, "EXISTS after a leading NOT (elsewhere NOT goes after the path: "
                                 "file:name NOT = 'x')");
        }
        size_t op_off = p->tok.off;
        if ((rc = advance(p)))
            return rc;
        pat__node *t;
        if ((rc = new_test(p, off, &t)))
            return rc;
        if ((rc = object_path(p, &t->leaf)))
            return rc;
        static const pat_value none = {.kind = PAT_LIT_NONE, .text = ""};
        t->leaf.op = PAT_OP_EXISTS;
        t->leaf.negated = neg;
        t->leaf.value = &none;
        t->op_off = op_off;
        *out = t;
        return 0;
    }
    pat__node *t;
    if ((rc = new_test(p, off, &t)))
        return rc;
    if ((rc = object_path(p, &t->leaf)))
        return rc;
    if (p->tok.kind == TK_NOT) {
        t->leaf.negated = 1;
        if ((rc = advance(p)))
            return rc;
    }
    t->op_off = p->tok.off;
    pat_value *v = NULL;
    int op;
    switch (p->tok.kind) {
    case TK_EQ: op = PAT_OP_EQ; break;
    case TK_NEQ: op = PAT_OP_NE; break;
    case TK_LT: op = PAT_OP_LT; break;
    case TK_LE: op = PAT_OP_LE; break;
    case TK_GT: op = PAT_OP_GT; break;
    case TK_GE: op = PAT_OP_GE; break;
    case TK_IN: op = PAT_OP_IN; break;
    case TK_LIKE: op = PAT_OP_LIKE; break;
    case TK_MATCHES: op = PAT_OP_MATCHES; break;
    case TK_ISSUBSET: op = PAT_OP_ISSUBSET; break;
    case TK_ISSUPERSET: op = PAT_OP_ISSUPERSET; break;
    default:
        return syntax(p, t->leaf.negated ? "a comparison operator after NOT (=, !=, <, <=, >, >=, IN, LIKE, "
                                           "MATCHES, ISSUBSET, ISSUPERSET)"
                                         : "a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, "
                                           "ISSUBSET, ISSUPERSET) or NOT");
    }
    t->leaf.op = op;
    if ((rc = advance(p)))
        return rc;
    t->val_off_t = p->tok.off;
    if (op == PAT_OP_EQ || op == PAT_OP_NE)
        rc = literal(p, &v, 1, EXP_PRIMITIVE);
    else if (op <= PAT_OP_GE)
        rc = literal(p, &v, 0, EXP_ORDERABLE);
    else if (op == PAT_OP_IN)
        rc = set_literal(p, &v);
    else if (p->tok.kind != TK_STRING)
        rc = syntax(p, op == PAT_OP_LIKE      ? "a string with the LIKE wildcards % and _"
                       : op == PAT_OP_MATCHES ? "a string holding a regular expression (PCRE)"
                                              : "a string holding an IP address or CIDR range");
    else
        rc = literal(p, &v, 0, "a string");
    if (rc)
        return rc;
    t->leaf.value = v;
    *out = t;
    return 0;
}

/*
 * One level of a left-to-right operator chain: sub (TOK sub)*, built as one
 * n-ary node of kind (a single operand is returned as it is).
 */
static int chain_of(parser *p, unsigned depth, int (*sub)(parser *, unsigned, pat__node **), int tok,
                    int kind, pat__node **out)
{
    nvec v = {0};
    size_t off = p->tok.off;
    for (;;) {
        pat__node *x = NULL;
        int rc = sub(p, depth, &x);
        if (rc || (rc = nvec_push(p, &v, x)))
            return rc;
        if (p->tok.kind != tok)
            break;
        if ((rc = advance(p)))
            return rc;
    }
    return chain(p, &v, kind, off, out);
}

static int cmp_and(parser *p, unsigned depth, pat__node **out)
{
    return chain_of(p, depth, prop_test, TK_AND, N_CMP_AND, out);
}

static int cmp_or(parser *p, unsigned depth, pat__node **out)
{
    return chain_of(p, depth, cmp_and, TK_OR, N_CMP_OR, out);
}

/* ---- observation expressions ----------------------------------------------------- */

static int obs_exprs(parser *p, unsigned depth, pat__node **out);

/* START t STOP t: timestamps (2.0 also takes strings holding them). */
static int qual_time(parser *p, int64_t *ns, const char *what)
{
    if (p->tok.kind == TK_TIMESTAMP) {
        *ns = pat__time_ns(&p->tok.val.t);
        return advance(p);
    }
    if (p->tok.kind == TK_STRING && p->c->opts.version == PAT_STIX_20) {
        if (pat__time_parse(p->tok.val.s, p->tok.val.len, ns))
            return pat__report(p->c, PAT_DIAG_ERROR, VG_E_INVALID, p->tok.off, "a timestamp such as '2016-06-01T00:00:00Z'",
                               "the %s value is not a valid timestamp", what);
        return advance(p);
    }
    return syntax(p, p->c->opts.version == PAT_STIX_20 ? "a timestamp t'...' or '...'"
                                                       : "a timestamp literal t'2016-06-01T00:00:00Z'");
}

static int qualifier(parser *p, pat__node *kid, unsigned depth, pat__node **out)
{
    int rc;
    if ((rc = too_deep(p, depth)))
        return rc;
    int kind = p->tok.kind;
    pat__node *q = node(p, kind == TK_WITHIN ? N_WITHIN : kind == TK_REPEATS ? N_REPEATS : N_STARTSTOP, kid->off);
    pat__node **kids = pat__arena_alloc(p->c->arena, sizeof *kids);
    if (!q || !kids)
        return NOMEM(p);
    kids[0] = kid;
    q->kids = kids;
    q->nkids = 1;
    q->qual_off = p->tok.off;
    if ((rc = advance(p)))
        return rc;
    q->val_off = p->tok.off;
    if (kind == TK_WITHIN) {
        if ((p->tok.kind != TK_INT && p->tok.kind != TK_FLOAT) || p->tok.sign)
            return syntax(p, "a positive number of seconds (integer or float)");
        double s = p->tok.kind == TK_INT ? (double)p->tok.val.i : p->tok.val.f;
        q->within_ns = s >= 9.2e9 ? INT64_MAX : (int64_t)(s * 1e9 + 0.5);
        if ((rc = advance(p)))
            return rc;
        if ((rc = expect(p, TK_SECONDS, "SECONDS (the only unit of WITHIN)")))
            return rc;
    } else if (kind == TK_REPEATS) {
        if (p->tok.kind != TK_INT || p->tok.sign)
            return syntax(p, "a positive integer (how many times)");
        q->repeats = p->tok.val.i;
        if ((rc = advance(p)))
            return rc;
        if ((rc = expect(p, TK_TIMES, "TIMES after the REPEATS count")))
            return rc;
    } else {
        if ((rc = qual_time(p, &q->start_ns, "START")))
            return rc;
        if ((rc = expect(p, TK_STOP, "STOP after the START timestamp")))
            return rc;
        if ((rc = qual_time(p, &q->stop_ns, "STOP")))
            return rc;
    }
    *out = q;
    return 0;
}

static int obs_expr(parser *p, unsigned depth, pat__node **out)
{
    int rc;
    pat__node *n;
    size_t off = p->tok.off;
    if ((rc = too_deep(p, depth + 1)))
        return rc;
    if (p->tok.kind == TK_LBRACK) {
        if ((rc = advance(p)))
            return rc;
        n = node(p, N_OBS, off);
        pat__node **kids = pat__arena_alloc(p->c->arena, sizeof *kids);
        if (!n || !kids)
            return NOMEM(p);
        n->expr = p->cur_obs = p->c->nobs++;
        if ((rc = cmp_or(p, depth + 1, &kids[0])))
            return rc;
        n->kids = kids;
        n->nkids = 1;
        if ((rc = expect(p, TK_RBRACK, "']' to close the observation expression, or AND / OR")))
            return rc;
    } else if (p->tok.kind == TK_LPAREN) {
        if ((rc = advance(p)))
            return rc;
        if ((rc = obs_exprs(p, depth + 1, &n)))
            return rc;
        if ((rc = expect(p, TK_RPAREN, "')' to close the parenthesised observation expressions, or AND / OR / FOLLOWEDBY")))
            return rc;
        n->paren = 1;
    } else {
        return syntax(p, "'[' (an observation expression such as [file:name = 'x']) or '('");
    }
    unsigned qd = depth + 1;
    while (p->tok.kind == TK_WITHIN || p->tok.kind == TK_REPEATS || p->tok.kind == TK_START) {
        if ((rc = qualifier(p, n, ++qd, &n)))
            return rc;
    }
    *out = n;
    return 0;
}

static int obs_and(parser *p, unsigned depth, pat__node **out)
{
    return chain_of(p, depth, obs_expr, TK_AND, N_OBS_AND, out);
}

static int obs_or(parser *p, unsigned depth, pat__node **out)
{
    return chain_of(p, depth, obs_and, TK_OR, N_OBS_OR, out);
}

static int obs_exprs(parser *p, unsigned depth, pat__node **out)
{
    return chain_of(p, depth, obs_or, TK_FOLLOWEDBY, N_FOLLOWEDBY, out);
}

int pat__parse(pat__ctx *c, pat__node **root)
{
    parser p = {.c = c};
    pat__lex_init(&p.lx, c);
    int rc = advance(&p);
    if (rc)
        return rc;
    if (p.tok.kind != TK_LBRACK && p.tok.kind != TK_LPAREN) {
        if (p.tok.kind == TK_EOF)
            return pat__report(c, PAT_DIAG_ERROR, VG_E_PARSE, p.tok.off, "'[' or '('", "the pattern is empty");
        return pat__report(c, PAT_DIAG_ERROR, VG_E_PARSE, p.tok.off,
                           "'[' or '(': a pattern is made of observation expressions like [file:name = 'x']",
                           "the pattern is missing its square brackets");
    }
    if ((rc = obs_exprs(&p, 0, root)))
        return rc;
    if (p.tok.kind != TK_EOF)
        return syntax(&p, "AND, OR, FOLLOWEDBY, a qualifier (WITHIN, REPEATS, START) or the end of the pattern");
    return 0;
}
