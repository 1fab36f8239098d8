/*
 * pat_compile.c - the public entry points for compiling and checking
 * patterns, the one diagnostic hook every layer reports through, the leaf
 * export for the scanner, and the pattern's lifetime.
 *
 * A compiled pattern is one allocation holding its struct and the first
 * arena chunk (so a short pattern costs a single malloc), plus the PCRE2
 * codes of its MATCHES comparisons. Nothing in it changes after
 * pat_compile returns, which is what makes it safe to share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "pattern/pattern_int.h"

/* ---- diagnostics --------------------------------------------------------------- */

void pat__line_col(const char *src, size_t len, size_t off, unsigned *line, unsigned *col)
{
    unsigned l = 1, c = 1;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        unsigned char ch = (unsigned char)src[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static int diags_push(pat_diags *d, const pat_diag *x)
{
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 8;
        pat_diag *nv = vg_realloc(d->v, nc * sizeof *nv);
        if (!nv)
            return VG_E_NOMEM;
        d->v = nv;
        d->cap = nc;
    }
    d->v[d->n++] = *x;
    if (x->severity == PAT_DIAG_ERROR)
        d->errors++;
    else
        d->warnings++;
    return 0;
}

int pat__report(pat__ctx *c, int severity, int code, size_t off, const char *expected, const char *fmt, ...)
{
    if (severity == PAT_DIAG_WARNING && !c->diags)
        return 0;
    if (severity == PAT_DIAG_ERROR && c->rc && !c->diags)
        return code;
    pat_diag d;
    d.severity = severity;
    d.code = severity == PAT_DIAG_ERROR ? code : 0;
    d.offset = off;
    pat__line_col(c->src, c->len, off, &d.line, &d.col);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d.msg, sizeof d.msg, fmt, ap);
    va_end(ap);
    snprintf(d.expected, sizeof d.expected, "%s", expected ? expected : "");
    if (severity == PAT_DIAG_ERROR && !c->rc) {
        c->rc = code;
        if (expected)
            vg_error_set(c->err, code, "%s; expected %s", d.msg, expected);
        else
            vg_error_set(c->err, code, "%s", d.msg);
        vg_error_where(c->err, "%u:%u", d.line, d.col);
    }
    if (c->diags && diags_push(c->diags, &d) && !c->rc) {
        c->rc = VG_E_NOMEM;
        vg_error_set(c->err, VG_E_NOMEM, "out of memory");
    }
    return code;
}

void pat_diags_free(pat_diags *d)
{
    if (!d)
        return;
    vg_free(d->v);
    memset(d, 0, sizeof *d);
}

int pat_diag_excerpt(const char *src, size_t len, const pat_diag *d, vg_buf *out)
{
    size_t off = d->offset > len ? len : d->offset;
    size_t b = off, e = off;
    while (b > 0 && src[b - 1] != '\n' && src[b - 1] != '\r')
        b--;
    while (e < len && src[e] != '\n' && src[e] != '\r')
        e++;
    /* Cut long lines to a window around the spot. */
    const size_t before = 60, after = 60;
    int cut_left = 0, cut_right = 0;
    if (off - b > before) {
        b = off - before;
        while (b < off && ((unsigned char)src[b] & 0xC0) == 0x80)
            b++;
        cut_left = 1;
    }
    if (e - off > after) {
        e = off + after;
        while (e < len && ((unsigned char)src[e] & 0xC0) == 0x80)
            e++;
        cut_right = 1;
    }
    int rc = 0;
    if (cut_left)
        rc = vg_buf_puts(out, "...");
    for (size_t i = b; !rc && i < e; i++)
        rc = vg_buf_putc(out, src[i] == '\t' ? ' ' : src[i]);
    if (!rc && cut_right)
        rc = vg_buf_puts(out, "...");
    if (!rc)
        rc = vg_buf_putc(out, '\n');
    size_t pad = cut_left ? 3 : 0;
    for (size_t i = b; i < off; i++)
        if (((unsigned char)src[i] & 0xC0) != 0x80)
            pad++;
    for (size_t i = 0; !rc && i < pad; i++)
        rc = vg_buf_putc(out, ' ');
    if (!rc)
        rc = vg_buf_puts(out, "^\n");
    return rc;
}

/* ---- compiling ------------------------------------------------------------------ */

static void fill_opts(pat_opts *o, const pat_opts *in)
{
    if (in)
        *o = *in;
    else
        memset(o, 0, sizeof *o);
    if (!o->max_len)
        o->max_len = PAT_DEFAULT_MAX_LEN;
    if (!o->max_depth)
        o->max_depth = PAT_DEFAULT_MAX_DEPTH;
    if (o->version != PAT_STIX_20)
        o->version = PAT_STIX_21;
}

static int simple_obs(const pat__node *n)
{
    switch (n->kind) {
    case N_CMP_OR:
        for (size_t i = 0; i < n->nkids; i++)
            if (!simple_obs(n->kids[i]))
                return 0;
        return 1;
    case N_TEST:
        return !n->leaf.negated && (n->leaf.op == PAT_OP_EQ || n->leaf.op == PAT_OP_IN);
    default:
        return 0;
    }
}

static int simple_disjunction(const pat__node *n)
{
    if (n->kind == N_OBS)
        return simple_obs(n->kids[0]);
    if (n->kind != N_OBS_OR)
        return 0;
    for (size_t i = 0; i < n->nkids; i++)
        if (!simple_disjunction(n->kids[i]))
            return 0;
    return 1;
}

static void free_regexes(pcre2_code **v, size_t n, pcre2_general_context *g)
{
    for (size_t i = 0; i < n; i++)
        pcre2_code_free(v[i]);
    vg_free(v);
    if (g)
        pcre2_general_context_free(g);
}

int pat_compile(const char *src, size_t len, const pat_opts *opts, pat_pattern **out, pat_diags *diags,
                vg_error *err)
{
    if (out)
        *out = NULL;
    if (!src || !out)
        return vg_error_set(err, VG_E_USAGE, "pat_compile: src and out are required");
    pat__ctx c;
    memset(&c, 0, sizeof c);
    fill_opts(&c.opts, opts);
    c.src = src;
    c.len = len;
    c.diags = diags;
    c.err = err;
    if (len > c.opts.max_len)
        return pat__report(&c, PAT_DIAG_ERROR, VG_E_LIMIT, c.opts.max_len, NULL,
                           "the pattern is %zu bytes long, over the ceiling of %zu", len, c.opts.max_len);

    size_t first = 768 + (len < 16384 ? len * 4 : 65536);
    pat_pattern *p = vg_malloc(sizeof *p + first);
    if (!p)
        return pat__report(&c, PAT_DIAG_ERROR, VG_E_NOMEM, 0, NULL, "out of memory");
    memset(p, 0, sizeof *p);
    pat__arena_init(&p->arena, p + 1, first);
    c.arena = &p->arena;

    pat__node *root = NULL;
    if (c.opts.no_warnings)
        c.diags = NULL; /* errors still reach err; pat__report keeps the first */
    int rc = pat__parse(&c, &root);
    if (!rc)
        rc = pat__check(&c, root);
    if (!rc && !(p->src = pat__arena_strndup(&p->arena, src, len)))
        rc = pat__report(&c, PAT_DIAG_ERROR, VG_E_NOMEM, 0, NULL, "out of memory");
    if (rc) {
        free_regexes(c.regexes, c.nregexes, c.gctx);
        pat__arena_free(&p->arena);
        vg_free(p);
        return rc;
    }
    p->len = len;
    p->version = c.opts.version;
    p->root = root;
    p->nobs = c.nobs;
    p->leaves = c.leaves;
    p->nleaves = c.nleaves;
    p->regexes = c.regexes;
    p->nregexes = c.nregexes;
    p->gctx = c.gctx;
    p->simple_disjunction = simple_disjunction(root);
    *out = p;
    return 0;
}

int pat_check(const char *src, size_t len, const pat_opts *opts, pat_diags *diags, vg_error *err)
{
    pat_pattern *p = NULL;
    int rc = pat_compile(src, len, opts, &p, diags, err);
    pat_free(p);
    return rc;
}

void pat_free(pat_pattern *p)
{
    if (!p)
        return;
    free_regexes(p->regexes, p->nregexes, p->gctx);
    pat__arena_free(&p->arena);
    vg_free(p);
}

const char *pat_source(const pat_pattern *p) { return p->src; }
int pat_dialect(const pat_pattern *p) { return p->version; }
size_t pat_observation_count(const pat_pattern *p) { return p->nobs; }
size_t pat_leaf_count(const pat_pattern *p) { return p->nleaves; }
int pat_is_simple_disjunction(const pat_pattern *p) { return p->simple_disjunction; }

const pat_leaf *pat_leaf_at(const pat_pattern *p, size_t i) { return i < p->nleaves ? p->leaves[i] : NULL; }

const char *pat_op_name(int op)
{
    static const char *const names[] = {"=",        "!=",       "<",          "<=",    ">",    ">=",
                                        "IN",       "LIKE",     "MATCHES",    "ISSUBSET", "ISSUPERSET", "EXISTS"};
    if (op < 0 || (size_t)op >= sizeof names / sizeof names[0])
        return "?";
    return names[op];
}

int pat_version_of_indicator(json_t *ind)
{
    if (!ind)
        return PAT_STIX_21;
    const char *pv = json_string_value(json_object_get(ind, "pattern_version"));
    if (pv)
        return strncmp(pv, "2.0", 3) == 0 ? PAT_STIX_20 : PAT_STIX_21;
    const char *sv = json_string_value(json_object_get(ind, "spec_version"));
    if (!sv)
        return PAT_STIX_20; /* STIX 2.0 objects have no spec_version */
    return strcmp(sv, "2.0") == 0 ? PAT_STIX_20 : PAT_STIX_21;
}
