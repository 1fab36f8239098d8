/*
 * taxii_parse.c - what the TAXII server reads from outside, apart from the
 * HTTP framing libmicrohttpd does: query parameters (added_after, limit,
 * next, match[...]), the Accept and Content-Type media types, and envelopes.
 * Every value has a ceiling; a malformed one is an error that names it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/vg_alloc.h"
#include "taxii/taxii.h"

void taxii_filter_free(taxii_filter *f)
{
    for (size_t i = 0; i < f->nids; i++)
        vg_free(f->ids[i]);
    for (size_t i = 0; i < f->ntypes; i++)
        vg_free(f->types[i]);
    for (size_t i = 0; i < f->nspecs; i++)
        vg_free(f->specs[i]);
    memset(f, 0, sizeof *f);
}

/* Splits a comma-separated value into list (owned copies). */
static int add_list(char **list, size_t *n, const char *name, const char *value, size_t maxlen, vg_error *err)
{
    const char *p = value;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0 || len > maxlen)
            return vg_error_set(err, VG_E_USAGE, "%s has an empty or too long value (at most %zu characters)", name,
                                maxlen);
        if (*n >= TAXII_MATCH_MAX)
            return vg_error_set(err, VG_E_LIMIT, "%s has more than %d values", name, TAXII_MATCH_MAX);
        if (!(list[*n] = vg_strndup(p, len)))
            return vg_error_set(err, VG_E_NOMEM, "out of memory reading %s", name);
        (*n)++;
        if (!e)
            return 0;
        p = e + 1;
    }
}

static int add_versions(taxii_filter *f, const char *value, vg_error *err)
{
    const char *p = value;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 3 && strncmp(p, "all", 3) == 0)
            f->versions |= STORE_VER_ALL;
        else if (len == 4 && strncmp(p, "last", 4) == 0)
            f->versions |= STORE_VER_LAST;
        else if (len == 5 && strncmp(p, "first", 5) == 0)
            f->versions |= STORE_VER_FIRST;
        else {
            vg_error sub = {0};
            if (f->nat >= TAXII_MATCH_MAX)
                return vg_error_set(err, VG_E_LIMIT, "match[version] has more than %d values", TAXII_MATCH_MAX);
            if (vg_time_parse(p, len, VG_TIME_STIX, &f->at[f->nat], &sub))
                return vg_error_set(err, VG_E_USAGE,
                                    "match[version] takes first, last, all or STIX timestamps: %s", sub.msg);
            f->nat++;
            f->versions |= STORE_VER_AT;
        }
        if (!e)
            return 0;
        p = e + 1;
    }
}

int taxii_filter_add(taxii_filter *f, const char *name, const char *value, vg_error *err)
{
    if (!value)
        value = "";
    if (strcmp(name, "added_after") == 0) {
        vg_error sub = {0};
        if (vg_time_parse(value, strlen(value), VG_TIME_RFC3339, &f->added_after, &sub))
            return vg_error_set(err, VG_E_USAGE, "added_after is not a timestamp: %s", sub.msg);
        f->has_added_after = 1;
        return 0;
    }
    if (strcmp(name, "limit") == 0) {
        char *end;
        if (value[0] < '0' || value[0] > '9' || strlen(value) > 9)
            return vg_error_set(err, VG_E_USAGE, "limit must be a positive integer");
        unsigned long v = strtoul(value, &end, 10);
        if (*end || v == 0)
            return vg_error_set(err, VG_E_USAGE, "limit must be a positive integer");
        f->limit = v;
        return 0;
    }
    if (strcmp(name, "next") == 0) {
        size_t n = strlen(value);
        if (n == 0 || n >= sizeof f->next)
            return vg_error_set(err, VG_E_USAGE, "next is empty or too long: pass the value the server gave");
        memcpy(f->next, value, n + 1);
        return 0;
    }
    if (strcmp(name, "match[id]") == 0)
        return add_list(f->ids, &f->nids, name, value, 300, err);
    if (strcmp(name, "match[type]") == 0)
        return add_list(f->types, &f->ntypes, name, value, 250, err);
    if (strcmp(name, "match[spec_version]") == 0)
        return add_list(f->specs, &f->nspecs, name, value, 16, err);
    if (strcmp(name, "match[version]") == 0)
        return add_versions(f, value, err);
    return 0; /* unknown parameters are ignored */
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* URL-decodes s[0..n) into a new string; NULL on bad escapes or NUL bytes. */
static char *url_decode(const char *s, size_t n, int *nomem)
{
    char *out = vg_malloc(n + 1), *o = out;
    *nomem = !out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        } else if (s[i] == '%') {
            int a = i + 2 < n ? hexval((unsigned char)s[i + 1]) : -1;
            int b = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
            if (a < 0 || b < 0 || (a == 0 && b == 0)) {
                vg_free(out);
                return NULL;
            }
            *o++ = (char)(a * 16 + b);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

int taxii_query_parse(taxii_filter *f, const char *q, size_t n, vg_error *err)
{
    if (n > 64 * 1024)
        return vg_error_set(err, VG_E_LIMIT, "the query string is longer than 64 KiB");
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && q[j] != '&')
            j++;
        if (j > i) {
            const char *eq = memchr(q + i, '=', j - i);
            size_t klen = eq ? (size_t)(eq - (q + i)) : j - i;
            int nomem = 0;
            char *k = url_decode(q + i, klen, &nomem);
            char *v = k ? (eq ? url_decode(eq + 1, (size_t)(q + j - eq - 1), &nomem) : vg_strdup("")) : NULL;
            int rc = 0;
            if (!k || !v)
                rc = nomem ? vg_error_set(err, VG_E_NOMEM, "out of memory reading the query")
                           : vg_error_set(err, VG_E_USAGE, "the query string has a malformed %%-escape");
            else
                rc = taxii_filter_add(f, k, v, err);
            vg_free(k);
            vg_free(v);
            if (rc)
                return rc;
        }
        i = j + 1;
    }
    return 0;
}

/* Parses one media range "type/sub; p=v; ..." from s[0..n); checks it against taxii+json 2.1. */
static int media_ok(const char *s, size_t n, int for_accept)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    const char *semi = memchr(s, ';', n);
    size_t tlen = semi ? (size_t)(semi - s) : n;
    while (tlen && (s[tlen - 1] == ' ' || s[tlen - 1] == '\t'))
        tlen--;
    int type_ok;
    if (tlen == 22 && strncasecmp(s, "application/taxii+json", 22) == 0)
        type_ok = 1;
    else if (for_accept && ((tlen == 3 && strncmp(s, "*/*", 3) == 0) ||
                            (tlen == 13 && strncasecmp(s, "application/*", 13) == 0)))
        return 1;
    else
        type_ok = 0;
    if (!type_ok)
        return 0;
    /* Parameters: version must be 2.1 when present; q=0 refuses. */
    const char *p = semi, *end = s + n;
    while (p && p < end) {
        p++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        const char *e = memchr(p, ';', (size_t)(end - p));
        size_t len = e ? (size_t)(e - p) : (size_t)(end - p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len >= 8 && strncasecmp(p, "version=", 8) == 0) {
            const char *v = p + 8;
            size_t vl = len - 8;
            if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
                v++, vl -= 2;
            if (!(vl == 3 && strncmp(v, "2.1", 3) == 0))
                return 0;
        } else if (for_accept && len >= 2 && strncasecmp(p, "q=", 2) == 0) {
            const char *v = p + 2;
            int zero = 1;
            for (size_t i = 0; i < len - 2; i++)
                if (v[i] >= '1' && v[i] <= '9')
                    zero = 0;
            if (zero)
                return 0;
        }
        p = e;
    }
    return 1;
}

int taxii_accept_ok(const char *accept)
{
    if (!accept || !accept[0])
        return 1;
    size_t n = strlen(accept);
    if (n > 4096)
        return 0;
    const char *p = accept, *end = accept + n;
    while (p < end) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        size_t len = c ? (size_t)(c - p) : (size_t)(end - p);
        if (media_ok(p, len, 1))
            return 1;
        p = c ? c + 1 : end;
    }
    return 0;
}

int taxii_content_type_ok(const char *ctype)
{
    if (!ctype)
        return 0;
    size_t n = strlen(ctype);
    return n <= 1024 && media_ok(ctype, n, 0);
}

int taxii_envelope_parse(const char *body, size_t n, size_t max_objects, json_t **root, json_t **objects,
                         vg_error *err)
{
    json_error_t je;
    *root = *objects = NULL;
    json_t *r = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
    if (!r) {
        vg_error_set(err, VG_E_PARSE, "the body is not valid JSON: %s", je.text);
        return vg_error_where(err, "line %d, column %d", je.line, je.column);
    }
    json_t *objs = json_object_get(r, "objects");
    if (!json_is_object(r) || !json_is_array(objs)) {
        json_decref(r);
        vg_error_set(err, VG_E_INVALID, "the body is not a TAXII envelope");
        return vg_error_hint(err, "send {\"objects\": [ ...STIX objects... ]}");
    }
    if (json_array_size(objs) > max_objects) {
        size_t k = json_array_size(objs);
        json_decref(r);
        vg_error_set(err, VG_E_LIMIT, "the envelope holds %zu objects, more than the %zu this server takes at once",
                     k, max_objects);
        return vg_error_hint(err, "send them in several envelopes");
    }
    *root = r;
    *objects = objs;
    return 0;
}
