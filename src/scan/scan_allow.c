/*
 * scan_allow.c - allow-lists: values that must never alert, loaded from MISP
 * warninglists (https://github.com/MISP/misp-warninglists; the format is in
 * ../shared/data/misp/warninglists/SOURCE.md).
 *
 * Each list is one JSON object {name, type, list: [...]}; the types and how
 * an observed value is tested against them (following MISP's own
 * Warninglist.php, except that case is folded):
 *
 *   hostname   the value's host (a domain, the host of a URL) or any of its
 *              parent domains is listed: `www.example.com` is allowed by
 *              `example.com`
 *   string     the value (any kind; the host of a URL too) equals an entry
 *   substring  the value contains an entry
 *   cidr       the address lies in a listed network (an address is a /32 or /128)
 *   regex      the value matches an entry (`/pattern/flags`, PCRE2; flag i)
 *
 * hostname, cidr and string entries are compiled into a match index (domains,
 * networks, and lower-cased strings as exact keys of one kind), so a check is
 * a few lookups however long the lists; substrings and regexes are few and
 * are tried one by one. Only hits are checked, never every value read.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <errno.h>
#include <pcre2.h>
#include <string.h>
#include <sys/stat.h>

#include "core/vg_alloc.h"
#include "evidence/ev.h"
#include "scan/scan.h"

/* Lower-cased exact strings are kept as keys of this kind (no normalisation, compared as bytes). */
#define EXACT_KIND IDX_K_APP_ID

struct scan_allow {
    idx_builder *b;       /* while loading */
    idx *x;               /* after scan_allow_finish */
    char **subs;          /* substring entries, lower case */
    size_t nsubs;
    pcre2_code **res;     /* regex entries */
    size_t nres;
    pcre2_match_data *md; /* for the regexes (checks run on the delivering thread only) */
    uint64_t lists;       /* lists loaded */
    uint64_t entries;     /* entries loaded */
};

int scan_allow_new(scan_allow **out, vg_error *err)
{
    *out = NULL;
    scan_allow *a = vg_calloc(1, sizeof *a);
    if (!a)
        return vg_error_set(err, VG_E_NOMEM, "out of memory loading allow-lists");
    int rc = idx_builder_new(&a->b, err);
    if (rc) {
        vg_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

void scan_allow_free(scan_allow *a)
{
    if (!a)
        return;
    idx_builder_free(a->b);
    idx_free(a->x);
    for (size_t i = 0; i < a->nsubs; i++)
        vg_free(a->subs[i]);
    vg_free(a->subs);
    for (size_t i = 0; i < a->nres; i++)
        pcre2_code_free(a->res[i]);
    vg_free(a->res);
    pcre2_match_data_free(a->md);
    vg_free(a);
}

static void lower_into(char *o, const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        o[i] = (v[i] >= 'A' && v[i] <= 'Z') ? (char)(v[i] + 32) : v[i];
    o[n] = 0;
}

static int add_exact(scan_allow *a, uint32_t ind, const char *v, size_t n, vg_error *err)
{
    char buf[IDX_MAX_VALUE + 1];
    if (n == 0 || n > IDX_MAX_VALUE)
        return 0;
    lower_into(buf, v, n);
    int rc = idx_builder_add_value(a->b, ind, EXACT_KIND, buf, n, 0, NULL, err);
    /* an address written as a string is also its own /32 or /128 */
    if (!rc)
        rc = idx_builder_add_value(a->b, ind, memchr(v, ':', n) ? IDX_K_IPV6 : IDX_K_IPV4, v, n, 0, NULL, err);
    return rc;
}

static int add_regex(scan_allow *a, const char *v, size_t n, vg_error *err)
{
    uint32_t flags = PCRE2_UTF | PCRE2_NO_UTF_CHECK;
    const char *p = v;
    size_t pn = n;
    if (n >= 2 && v[0] == '/') { /* /pattern/flags */
        const char *end = v + n;
        const char *slash = end - 1;
        while (slash > v && *slash != '/')
            slash--;
        if (slash > v) {
            for (const char *f = slash + 1; f < end; f++)
                if (*f == 'i')
                    flags |= PCRE2_CASELESS;
            p = v + 1;
            pn = (size_t)(slash - v - 1);
        }
    }
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)p, pn, flags & ~PCRE2_NO_UTF_CHECK, &ec, &eo, NULL);
    if (!re)
        return 0; /* MISP accepts PHP regexes PCRE2 may not: an entry we cannot read allows nothing */
    pcre2_code **nv = vg_realloc(a->res, (a->nres + 1) * sizeof *nv);
    if (!nv) {
        pcre2_code_free(re);
        return vg_error_set(err, VG_E_NOMEM, "out of memory loading allow-lists");
    }
    a->res = nv;
    a->res[a->nres++] = re;
    return 0;
}

static int add_sub(scan_allow *a, const char *v, size_t n, vg_error *err)
{
    if (n == 0)
        return 0;
    char *s = vg_malloc(n + 1);
    char **nv = s ? vg_realloc(a->subs, (a->nsubs + 1) * sizeof *nv) : NULL;
    if (!nv) {
        vg_free(s);
        return vg_error_set(err, VG_E_NOMEM, "out of memory loading allow-lists");
    }
    lower_into(s, v, n);
    a->subs = nv;
    a->subs[a->nsubs++] = s;
    return 0;
}

/* Adds one warninglist object. VG_E_INVALID when it is not one. */
static int add_list(scan_allow *a, json_t *o, const char *path, vg_error *err)
{
    const char *type = json_string_value(json_object_get(o, "type"));
    json_t *list = json_object_get(o, "list");
    const char *name = json_string_value(json_object_get(o, "name"));
    if (!type || !json_is_array(list)) {
        vg_error_set(err, VG_E_INVALID, "not a MISP warninglist (it needs \"type\" and a \"list\" array)");
        vg_error_where(err, "%s", path);
        vg_error_hint(err, "give a warninglist's list.json, or a folder of them");
        return VG_E_INVALID;
    }
    enum { T_HOST, T_STRING, T_SUB, T_CIDR, T_REGEX } t;
    if (strcmp(type, "hostname") == 0)
        t = T_HOST;
    else if (strcmp(type, "string") == 0)
        t = T_STRING;
    else if (strcmp(type, "substring") == 0)
        t = T_SUB;
    else if (strcmp(type, "cidr") == 0)
        t = T_CIDR;
    else if (strcmp(type, "regex") == 0)
        t = T_REGEX;
    else {
        vg_error_set(err, VG_E_UNSUPPORTED, "warninglist type \"%s\" is not one of hostname, string, substring, "
                                            "cidr, regex", type);
        vg_error_where(err, "%s", path);
        return VG_E_UNSUPPORTED;
    }
    char id[64];
    snprintf(id, sizeof id, "allow-list--%llu", (unsigned long long)a->lists);
    uint32_t ind;
    int rc = idx_builder_add_id(a->b, id, name ? name : path, NULL, &ind, err);
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        if (rc)
            break;
        const char *v = json_string_value(e);
        if (!v)
            continue;
        size_t n = json_string_length(e);
        switch (t) {
        case T_HOST:
            rc = idx_builder_add_value(a->b, ind, IDX_K_DOMAIN, v, n, 0, NULL, err);
            break;
        case T_STRING: rc = add_exact(a, ind, v, n, err); break;
        case T_SUB: rc = add_sub(a, v, n, err); break;
        case T_CIDR:
            rc = idx_builder_add_value(a->b, ind, memchr(v, ':', n) ? IDX_K_IPV6 : IDX_K_IPV4, v, n, 0, NULL, err);
            break;
        case T_REGEX: rc = add_regex(a, v, n, err); break;
        }
        a->entries++;
    }
    a->lists++;
    return rc;
}

static int add_file(const char *file, uint64_t size, void *p)
{
    void **ctx = p;
    scan_allow *a = ctx[0];
    vg_error *err = ctx[1];
    int in_dir = ctx[2] != NULL;
    (void)size;
    size_t fl = strlen(file);
    if (in_dir && (fl < 5 || strcmp(file + fl - 5, ".json") != 0))
        return 0;
    json_error_t je;
    json_t *o = json_load_file(file, 0, &je);
    if (!o) {
        vg_error_set(err, VG_E_PARSE, "cannot read the allow-list: %s", je.text);
        vg_error_where(err, "%s:%d:%d", file, je.line, je.column);
        return VG_E_PARSE;
    }
    int rc = 0;
    if (!in_dir || (json_is_array(json_object_get(o, "list")) && json_object_get(o, "type")))
        rc = add_list(a, o, file, err); /* in a folder, other JSON files (schema.json) are passed over */
    json_decref(o);
    return rc;
}

int scan_allow_add_path(scan_allow *a, const char *path, vg_error *err)
{
    if (!a->b)
        return vg_error_set(err, VG_E_INVALID, "the allow-lists are already finished");
    /* a folder is walked (every *.json warninglist below it); a file is read whatever its name */
    struct stat sb;
    if (stat(path, &sb) != 0) {
        vg_error_set(err, VG_E_NOTFOUND, "cannot open the allow-list: %s", strerror(errno));
        vg_error_where(err, "%s", path);
        return VG_E_NOTFOUND;
    }
    void *ctx[3] = {a, err, S_ISDIR(sb.st_mode) ? (void *)path : NULL};
    return ev_walk(path, add_file, ctx, err);
}

int scan_allow_finish(scan_allow *a, vg_error *err)
{
    if (!a->b)
        return 0;
    idx_builder *b = a->b;
    a->b = NULL;
    int rc = idx_builder_finish(b, &a->x, err);
    if (!rc && a->nres) {
        a->md = pcre2_match_data_create(4, NULL);
        if (!a->md)
            rc = vg_error_set(err, VG_E_NOMEM, "out of memory loading allow-lists");
    }
    return rc;
}

uint64_t scan_allow_lists(const scan_allow *a)
{
    return a ? a->lists : 0;
}

uint64_t scan_allow_entries(const scan_allow *a)
{
    return a ? a->entries : 0;
}

static int exact_hit(const scan_allow *a, const char *v, size_t n)
{
    char buf[IDX_MAX_VALUE + 1];
    if (n == 0 || n > IDX_MAX_VALUE)
        return 0;
    lower_into(buf, v, n);
    return idx_lookup(a->x, EXACT_KIND, buf, n, NULL, NULL) > 0;
}

static int host_of(const char *v, size_t n, const char **h, size_t *hn)
{
    char norm[IDX_MAX_VALUE + 64];
    size_t hs = 0, l = 0;
    if (idx_url_normalize(v, n, norm, sizeof norm, &hs, &l) < 0 || l == 0)
        return -1;
    /* the host as written in v (normalisation only folds case and drops a port, dots and brackets) */
    const char *p = memmem(v, n, "://", 3);
    if (!p)
        return -1;
    p += 3;
    const char *end = v + n, *ae = p;
    while (ae < end && *ae != '/' && *ae != '?' && *ae != '#')
        ae++;
    const char *at = memrchr(p, '@', (size_t)(ae - p));
    if (at)
        p = at + 1;
    if (p < ae && *p == '[') {
        const char *rb = memchr(p, ']', (size_t)(ae - p));
        if (!rb)
            return -1;
        *h = p + 1;
        *hn = (size_t)(rb - p - 1);
        return 0;
    }
    const char *c = memchr(p, ':', (size_t)(ae - p));
    const char *e = c ? c : ae;
    while (e > p && e[-1] == '.')
        e--;
    *h = p;
    *hn = (size_t)(e - p);
    return *hn ? 0 : -1;
}

int scan_allow_check(const scan_allow *a, int kind, const char *v, size_t n)
{
    if (!a || !a->x || n == 0)
        return 0;
    if (exact_hit(a, v, n))
        return 1;
    switch (kind) {
    case IDX_K_DOMAIN:
    case IDX_K_IPV4:
    case IDX_K_IPV6:
        if (idx_lookup(a->x, kind, v, n, NULL, NULL) > 0)
            return 1;
        break;
    case IDX_K_URL: {
        const char *h;
        size_t hn;
        if (host_of(v, n, &h, &hn) == 0) {
            int hk = memchr(h, ':', hn) ? IDX_K_IPV6 : IDX_K_DOMAIN;
            if (hk == IDX_K_DOMAIN && hn && h[hn - 1] >= '0' && h[hn - 1] <= '9' &&
                idx_lookup(a->x, IDX_K_IPV4, h, hn, NULL, NULL) > 0)
                return 1;
            if (idx_lookup(a->x, hk, h, hn, NULL, NULL) > 0 || exact_hit(a, h, hn))
                return 1;
        }
        break;
    }
    default: break;
    }
    if (a->nsubs) {
        char buf[IDX_MAX_VALUE + 1];
        if (n <= IDX_MAX_VALUE) {
            lower_into(buf, v, n);
            for (size_t i = 0; i < a->nsubs; i++)
                if (strstr(buf, a->subs[i]))
                    return 1;
        }
    }
    for (size_t i = 0; i < a->nres; i++)
        if (pcre2_match(a->res[i], (PCRE2_SPTR)v, n, 0, 0, a->md, NULL) >= 0)
            return 1;
    return 0;
}
