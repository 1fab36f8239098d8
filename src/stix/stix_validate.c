/*
 * stix_validate.c - validation of one STIX 2.1 object against the type table
 * (stix_types.c): the id, the common properties, each property's value kind,
 * required properties, the types that references name, and the rules that
 * span properties. docs/internals/stix.md lists every rule with the section
 * of the STIX 2.1 specification it comes from.
 *
 * Cost: one pass over the object's keys, each looked up by binary search in
 * the type's property list and then the common list; nested structures are
 * walked the same way. Nothing is allocated unless there is a finding: the
 * JSON path is a stack of borrowed keys, formatted only when reported.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/vg_alloc.h"
#include "stix/stix_int.h"

/* ---- the issues list ------------------------------------------------------ */

void stix_issues_free(stix_issues *is)
{
    if (!is)
        return;
    vg_free(is->v);
    memset(is, 0, sizeof *is);
}

void stix_issues_clear(stix_issues *is)
{
    if (!is)
        return;
    is->n = 0;
    is->errors = 0;
}

static int issues_vadd(stix_issues *is, int severity, const char *path, const char *fmt, va_list ap)
{
    if (is->n == is->cap) {
        size_t cap = is->cap ? is->cap * 2 : 8;
        stix_issue *v = vg_realloc(is->v, cap * sizeof *v);
        if (!v)
            return VG_E_NOMEM;
        is->v = v;
        is->cap = cap;
    }
    stix_issue *x = &is->v[is->n];
    x->severity = severity;
    snprintf(x->path, sizeof x->path, "%s", path ? path : "$");
    vsnprintf(x->msg, sizeof x->msg, fmt, ap);
    is->n++;
    if (severity == STIX_ISSUE_ERROR)
        is->errors++;
    return 0;
}

int stix_issues_add(stix_issues *is, int severity, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = issues_vadd(is, severity, path, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- paths ------------------------------------------------------------------ */

void stix__path_key(stix_vctx *c, const char *key)
{
    if (c->depth < STIX_PATH_DEPTH)
        c->seg[c->depth] = (stix_vseg){key, 0};
    c->depth++;
}

void stix__path_index(stix_vctx *c, size_t i)
{
    if (c->depth < STIX_PATH_DEPTH)
        c->seg[c->depth] = (stix_vseg){NULL, i};
    c->depth++;
}

void stix__path_pop(stix_vctx *c)
{
    c->depth--;
}

/* Is key printable as ".key" (else it is written ['key'])? */
static int plain_key(const char *k)
{
    if (!*k)
        return 0;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') || *k == '_' ||
              *k == '-'))
            return 0;
    return 1;
}

static size_t put_step(char *buf, size_t n, size_t at, const char *key, size_t index)
{
    if (at >= n)
        return at;
    int w;
    if (!key)
        w = snprintf(buf + at, n - at, "[%zu]", index);
    else if (plain_key(key))
        w = snprintf(buf + at, n - at, ".%s", key);
    else
        w = snprintf(buf + at, n - at, "['%s']", key);
    return w < 0 ? at : at + (size_t)w;
}

static void format_path(const stix_vctx *c, const char *key, char *buf, size_t n)
{
    size_t at = (size_t)snprintf(buf, n, "$");
    int shown = c->depth < STIX_PATH_DEPTH ? c->depth : STIX_PATH_DEPTH;
    for (int i = 0; i < shown; i++)
        at = put_step(buf, n, at, c->seg[i].key, c->seg[i].index);
    if (c->depth > STIX_PATH_DEPTH && at < n)
        at += (size_t)snprintf(buf + at, n - at, "...");
    if (key)
        put_step(buf, n, at, key, 0);
}

void stix__issue(stix_vctx *c, int severity, const char *key, const char *fmt, ...)
{
    if (c->rc)
        return;
    char path[sizeof c->out->v[0].path];
    format_path(c, key, path, sizeof path);
    va_list ap;
    va_start(ap, fmt);
    if (issues_vadd(c->out, severity, path, fmt, ap))
        c->rc = VG_E_NOMEM;
    va_end(ap);
}

#define ERR(c, key, ...) stix__issue((c), STIX_ISSUE_ERROR, (key), __VA_ARGS__)
#define WARN(c, key, ...) stix__issue((c), STIX_ISSUE_WARNING, (key), __VA_ARGS__)

/* ---- value kinds ------------------------------------------------------------ */

static void walk(stix_vctx *c, json_t *obj, const stix_def *d, const stix_def *common, int top);

static const char *json_kind_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "a list";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

static int in_list(const char *s, const char *const *v)
{
    for (; *v; v++)
        if (strcmp(s, *v) == 0)
            return 1;
    return 0;
}

static void check_vocab(stix_vctx *c, const stix_prop *p, const char *s)
{
    if (!p->vocab || in_list(s, p->vocab))
        return;
    if (p->flags & STIX_P_ENUM) {
        char all[400];
        size_t at = 0;
        for (const char *const *v = p->vocab; *v && at < sizeof all; v++)
            at += (size_t)snprintf(all + at, sizeof all - at, "%s%s", at ? ", " : "", *v);
        ERR(c, NULL, "\"%s\" is not allowed: expected one of %s", s, all);
    } else if (c->flags & STIX_VALIDATE_STRICT_VOCAB) {
        WARN(c, NULL,
             "\"%s\" is not in the STIX 2.1 vocabulary of %s (open vocabulary: allowed, but unusual)", s,
             p->name);
    }
}

static void check_string(stix_vctx *c, const stix_prop *p, json_t *v)
{
    if (!json_is_string(v)) {
        ERR(c, NULL, "expected a string, got %s", json_kind_name(v));
        return;
    }
    if (p->kind == STIX_VK_STRING_NONEMPTY && json_string_length(v) == 0)
        ERR(c, NULL, "expected a non-empty string");
    check_vocab(c, p, json_string_value(v));
}

static void check_time(stix_vctx *c, const stix_prop *p, json_t *v)
{
    if (!json_is_string(v)) {
        ERR(c, NULL, "expected a timestamp string such as \"2024-01-31T12:00:00.000Z\", got %s",
            json_kind_name(v));
        return;
    }
    vg_time t;
    vg_error e = {0};
    if (vg_time_parse(json_string_value(v), json_string_length(v), VG_TIME_STIX, &t, &e)) {
        ERR(c, NULL, "%s; expected a STIX timestamp (UTC, 'Z', e.g. 2024-01-31T12:00:00.000Z)", e.msg);
        return;
    }
    if (p->kind != STIX_VK_TIMESTAMP_MS)
        return;
    if (t.digits < 3)
        ERR(c, NULL, "\"%s\" is less precise than a millisecond: %s must have at least 3 fractional digits",
            json_string_value(v), p->name);
    if (strcmp(p->name, "created") == 0) {
        c->created = t;
        c->has_created = 1;
    } else if (strcmp(p->name, "modified") == 0) {
        c->modified = t;
        c->has_modified = 1;
    }
}

/* Checks one identifier against what the property may name. */
static void check_ref(stix_vctx *c, const stix_targets *to, json_t *v)
{
    const char *s = json_string_value(v);
    if (!s) {
        ERR(c, NULL, "expected an identifier (<type>--<UUID>) naming %s, got %s", to->text,
            json_kind_name(v));
        return;
    }
    size_t tlen;
    if (!stix__id_check(s, &tlen)) {
        ERR(c, NULL, "\"%.100s\" is not an identifier: expected <type>--<UUID> (RFC 4122) naming %s", s,
            to->text);
        return;
    }
    char type[256];
    memcpy(type, s, tlen);
    type[tlen] = '\0';
    enum stix_kind k = stix_kind_of(type);
    if ((to->kinds & (1u << k)) || (to->types && in_list(type, to->types)))
        return;
    ERR(c, NULL, "\"%.100s\" names a %s: expected %s", s, type, to->text);
}

static void check_strings(stix_vctx *c, const stix_prop *p, json_t *v)
{
    if (!json_is_array(v) || json_array_size(v) == 0) {
        ERR(c, NULL, "expected a non-empty list of %s, got %s%s",
            p->kind == STIX_VK_REFS ? "identifiers" : "strings", json_is_array(v) ? "an empty " : "",
            json_is_array(v) ? "list" : json_kind_name(v));
        return;
    }
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        stix__path_index(c, i);
        if (p->kind == STIX_VK_REFS)
            check_ref(c, p->to, x);
        else if (!json_is_string(x))
            ERR(c, NULL, "expected a string, got %s", json_kind_name(x));
        else
            check_vocab(c, p, json_string_value(x));
        stix__path_pop(c);
    }
}

static int dict_key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n < 1 || n > 250)
        return 0;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') || *k == '_' ||
              *k == '-'))
            return 0;
    return 1;
}

static void check_dict(stix_vctx *c, json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) == 0) {
        ERR(c, NULL, "expected a non-empty dictionary (JSON object), got %s",
            json_is_object(v) ? "an empty object" : json_kind_name(v));
        return;
    }
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x)
    {
        if (!dict_key_ok(k))
            ERR(c, NULL,
                "dictionary key \"%.100s\" is invalid: expected 1-250 characters of a-z, A-Z, 0-9, '_', '-'",
                k);
    }
}

static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
            return 0;
    }
    return 1;
}

/* The hash algorithms of hash-algorithm-ov (10.6) and the form of their values. */
static const struct {
    const char *name;
    size_t hexlen; /* exact number of hex digits, 0 = not hex */
} hash_algos[] = {
    {"MD5", 32},      {"SHA-1", 40},     {"SHA-256", 64}, {"SHA-512", 128},
    {"SHA3-256", 64}, {"SHA3-512", 128}, {"SSDEEP", 0},   {"TLSH", 0},
};

static void check_hashes(stix_vctx *c, json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) == 0) {
        ERR(c, NULL, "expected a non-empty hashes dictionary such as {\"SHA-256\": \"...\"}, got %s",
            json_is_object(v) ? "an empty object" : json_kind_name(v));
        return;
    }
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x)
    {
        if (!json_is_string(x)) {
            ERR(c, k, "expected the hash value as a string, got %s", json_kind_name(x));
            continue;
        }
        const char *s = json_string_value(x);
        size_t n = json_string_length(x);
        size_t a;
        for (a = 0; a < sizeof hash_algos / sizeof hash_algos[0]; a++)
            if (strcmp(k, hash_algos[a].name) == 0)
                break;
        if (a == sizeof hash_algos / sizeof hash_algos[0]) {
            size_t kn = strlen(k);
            if (kn < 3 || kn > 250 || !dict_key_ok(k))
                ERR(c, NULL,
                    "hash name \"%.100s\" is invalid: expected MD5, SHA-1, SHA-256, SHA-512, SHA3-256, "
                    "SHA3-512, SSDEEP, TLSH or a custom name of 3-250 characters",
                    k);
            else if (c->flags & STIX_VALIDATE_STRICT_VOCAB)
                WARN(c, NULL, "hash name \"%.100s\" is not in hash-algorithm-ov", k);
            continue;
        }
        if (hash_algos[a].hexlen && (n != hash_algos[a].hexlen || !is_hex(s, n)))
            ERR(c, k, "expected %zu hexadecimal digits for %s, got \"%.140s\"", hash_algos[a].hexlen, k, s);
    }
}

static int is_base64(const char *s, size_t n)
{
    if (n % 4)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                 ch == '+' || ch == '/' || (ch == '=' && i >= n - 2 && (i == n - 1 || s[n - 1] == '='));
        if (!ok)
            return 0;
    }
    return 1;
}

/* extension_type inside an extension-definition--<UUID> extension (7.3). */
static const char *const extension_types[] = {
    "new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension", NULL};
static const stix_prop ext_type = {
    .name = "extension_type", .kind = STIX_VK_STRING, .flags = STIX_P_ENUM, .vocab = extension_types};

static void check_extensions(stix_vctx *c, const stix_prop *p, json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) == 0) {
        ERR(c, NULL, "expected a non-empty dictionary of extensions, got %s",
            json_is_object(v) ? "an empty object" : json_kind_name(v));
        return;
    }
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x)
    {
        stix__path_key(c, k);
        const stix_prop *pre = p->sub ? stix__prop_find(p->sub, k) : NULL;
        size_t kn = strlen(k);
        if (!json_is_object(x) || json_object_size(x) == 0) {
            ERR(c, NULL, "expected a non-empty object for the extension, got %s",
                json_is_object(x) ? "an empty object" : json_kind_name(x));
        } else if (pre) {
            walk(c, x, pre->sub, NULL, 0);
        } else if (strncmp(k, "extension-definition--", 22) == 0) {
            if (!stix__id_check(k, NULL))
                ERR(c, NULL,
                    "\"%.100s\" is not an extension-definition identifier (extension-definition--<UUID>)", k);
            json_t *et = json_object_get(x, "extension_type");
            if (et) {
                stix__path_key(c, "extension_type");
                check_string(c, &ext_type, et);
                stix__path_pop(c);
            }
        } else if (!(kn > 4 && strcmp(k + kn - 4, "-ext") == 0)) {
            ERR(c, NULL,
                "\"%.100s\" is not an extension name: expected extension-definition--<UUID> or a "
                "predefined \"...-ext\" name",
                k);
        }
        stix__path_pop(c);
    }
}

static void check_observed_objects(stix_vctx *c, json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) == 0) {
        ERR(c, NULL, "expected a non-empty dictionary of cyber-observables, got %s",
            json_is_object(v) ? "an empty object" : json_kind_name(v));
        return;
    }
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x)
    {
        if (!json_is_object(x))
            ERR(c, k, "expected a cyber-observable object, got %s", json_kind_name(x));
        else if (!json_is_string(json_object_get(x, "type")))
            ERR(c, k, "the cyber-observable has no string \"type\"");
    }
}

static void check_value(stix_vctx *c, const stix_prop *p, json_t *v)
{
    switch ((enum stix_vk)p->kind) {
    case STIX_VK_ANY:
    case STIX_VK_TYPE:
        break;
    case STIX_VK_ID: {
        const char *s = json_string_value(v);
        size_t tlen;
        if (!s)
            ERR(c, NULL, "expected an identifier \"%s--<UUID>\", got %s", c->type, json_kind_name(v));
        else if (!stix__id_check(s, &tlen))
            ERR(c, NULL, "\"%.100s\" is not an identifier: expected \"%s--<UUID>\" with an RFC 4122 UUID", s,
                c->type);
        else if (strlen(c->type) != tlen || strncmp(s, c->type, tlen) != 0)
            ERR(c, NULL, "\"%.100s\" does not start with the object's type: expected \"%s--<UUID>\"", s,
                c->type);
        break;
    }
    case STIX_VK_SPEC_VERSION:
        if (!json_is_string(v))
            ERR(c, NULL, "expected \"2.1\", got %s", json_kind_name(v));
        else if (strcmp(json_string_value(v), "2.1") != 0)
            ERR(c, NULL, "expected \"2.1\", got \"%.20s\" (STIX 2.0 objects must be upgraded first)",
                json_string_value(v));
        break;
    case STIX_VK_STRING:
    case STIX_VK_STRING_NONEMPTY:
        check_string(c, p, v);
        break;
    case STIX_VK_TIMESTAMP:
    case STIX_VK_TIMESTAMP_MS:
        check_time(c, p, v);
        break;
    case STIX_VK_INTEGER:
        if (!json_is_integer(v))
            ERR(c, NULL, "expected an integer, got %s", json_kind_name(v));
        else if ((p->flags & STIX_P_RANGE) &&
                 (json_integer_value(v) < p->min || json_integer_value(v) > p->max))
            ERR(c, NULL, "%lld is out of range: expected an integer from %lld to %lld",
                (long long)json_integer_value(v), (long long)p->min, (long long)p->max);
        break;
    case STIX_VK_FLOAT:
        if (!json_is_number(v))
            ERR(c, NULL, "expected a number, got %s", json_kind_name(v));
        break;
    case STIX_VK_BOOLEAN:
        if (!json_is_boolean(v))
            ERR(c, NULL, "expected true or false, got %s", json_kind_name(v));
        break;
    case STIX_VK_STRINGS:
    case STIX_VK_REFS:
        check_strings(c, p, v);
        break;
    case STIX_VK_REF:
        check_ref(c, p->to, v);
        break;
    case STIX_VK_DICT:
        check_dict(c, v);
        break;
    case STIX_VK_HASHES:
        check_hashes(c, v);
        break;
    case STIX_VK_BINARY:
        if (!json_is_string(v) || !is_base64(json_string_value(v), json_string_length(v)))
            ERR(c, NULL, "expected base64-encoded binary data (RFC 4648)");
        break;
    case STIX_VK_HEX:
        if (!json_is_string(v) || json_string_length(v) % 2 ||
            !is_hex(json_string_value(v), json_string_length(v)))
            ERR(c, NULL, "expected an even number of hexadecimal digits");
        break;
    case STIX_VK_OBJECT:
        if (!json_is_object(v))
            ERR(c, NULL, "expected an object (%s), got %s", p->sub ? p->sub->name : p->name,
                json_kind_name(v));
        else if (p->sub)
            walk(c, v, p->sub, NULL, 0);
        break;
    case STIX_VK_OBJECTS: {
        if (!json_is_array(v) || json_array_size(v) == 0) {
            ERR(c, NULL, "expected a non-empty list of %s objects, got %s", p->sub ? p->sub->name : "JSON",
                json_is_array(v) ? "an empty list" : json_kind_name(v));
            break;
        }
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            stix__path_index(c, i);
            if (!json_is_object(x))
                ERR(c, NULL, "expected a %s object, got %s", p->sub ? p->sub->name : "JSON",
                    json_kind_name(x));
            else if (p->sub)
                walk(c, x, p->sub, NULL, 0);
            stix__path_pop(c);
        }
        break;
    }
    case STIX_VK_EXTENSIONS:
        check_extensions(c, p, v);
        break;
    case STIX_VK_OBSERVED_OBJECTS:
        check_observed_objects(c, v);
        break;
    }
}

/* ---- custom properties (11.1) -------------------------------------------------- */

/* Property names STIX 2.1 reserves on SDOs and SROs (the OASIS core schema forbids them). */
static const char *const reserved_props[] = {"action", "phone_numbers", "severity", "username", NULL};

static int custom_name_ok(const char *k)
{
    size_t n = strlen(k);
    if (n < 3 || n > 250 || k[0] < 'a' || k[0] > 'z')
        return 0;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_'))
            return 0;
    return 1;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);
    return n > m && memcmp(s + n - m, suffix, m) == 0;
}

static void check_custom(stix_vctx *c, const char *k, json_t *v, const stix_def *common)
{
    if (common == &stix__common_sdo && in_list(k, reserved_props)) {
        ERR(c, NULL, "\"%s\" is reserved by STIX 2.1 and must not be used", k);
        return;
    }
    if (!custom_name_ok(k)) {
        WARN(c, NULL,
             "custom property name \"%.100s\" breaks the STIX 2.1 rules: expected 3-250 characters of "
             "a-z, 0-9 and '_', starting with a letter (x_ prefix recommended)",
             k);
        return;
    }
    size_t n = strlen(k);
    if (ends_with(k, n, "_ref")) {
        if (!json_is_string(v) || !stix__id_check(json_string_value(v), NULL))
            WARN(c, NULL, "a property ending in _ref should hold an identifier (<type>--<UUID>)");
    } else if (ends_with(k, n, "_refs")) {
        int ok = json_is_array(v) && json_array_size(v) > 0;
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) if (!json_is_string(x) || !stix__id_check(json_string_value(x), NULL))
            ok = 0;
        if (!ok)
            WARN(c, NULL, "a property ending in _refs should hold a non-empty list of identifiers");
    } else if (ends_with(k, n, "_bin")) {
        if (!json_is_string(v) || !is_base64(json_string_value(v), json_string_length(v)))
            WARN(c, NULL, "a property ending in _bin should hold base64 data");
    } else if (ends_with(k, n, "_hex")) {
        if (!json_is_string(v) || json_string_length(v) % 2 ||
            !is_hex(json_string_value(v), json_string_length(v)))
            WARN(c, NULL, "a property ending in _hex should hold hexadecimal digits");
    }
}

/* ---- the walk ------------------------------------------------------------------ */

static size_t count_required(const stix_def *d)
{
    size_t n = 0;
    if (d)
        for (size_t i = 0; i < d->nprops; i++)
            n += (d->props[i].flags & STIX_P_REQUIRED) != 0;
    return n;
}

static void report_missing(stix_vctx *c, json_t *obj, const stix_def *d, const char *what)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nprops; i++)
        if ((d->props[i].flags & STIX_P_REQUIRED) && !json_object_get(obj, d->props[i].name))
            ERR(c, d->props[i].name, "missing required property \"%s\" (%s, STIX 2.1 section %s)",
                d->props[i].name, what, d->section);
}

/*
 * Checks every key of obj against d's properties, then common's; top says
 * whether obj is a whole STIX object (unknown keys are custom properties
 * there; inside nested structures they are let through).
 */
static void walk(stix_vctx *c, json_t *obj, const stix_def *d, const stix_def *common, int top)
{
    size_t found = 0;
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        const stix_prop *p = d ? stix__prop_find(d, k) : NULL;
        if (!p && common)
            p = stix__prop_find(common, k);
        stix__path_key(c, k);
        if (p) {
            found += (p->flags & STIX_P_REQUIRED) != 0;
            check_value(c, p, v);
        } else if (top) {
            check_custom(c, k, v, common);
        }
        stix__path_pop(c);
    }
    if (found < count_required(d) + count_required(common)) {
        report_missing(c, obj, d, d ? d->name : c->type);
        report_missing(c, obj, common, c->type);
    }
    if (d && d->check)
        d->check(c, obj, d);
    if (common && common->check)
        common->check(c, obj, d);
}

int stix_validate(json_t *obj, int flags, stix_issues *out)
{
    stix_vctx c = {.out = out, .flags = flags};
    if (!json_is_object(obj)) {
        ERR(&c, NULL, "expected a STIX object (a JSON object), got %s",
            obj ? json_kind_name(obj) : "nothing");
        return c.rc;
    }
    json_t *jt = json_object_get(obj, "type");
    const char *type = json_string_value(jt);
    if (!type) {
        ERR(&c, "type",
            jt ? "expected the type name as a string, got %s" : "missing required property \"type\"%s",
            jt ? json_kind_name(jt) : "");
        return c.rc;
    }
    c.type = type;
    if (strcmp(type, "bundle") == 0) {
        ERR(&c, "type", "a bundle is a container, not an object: validate the objects it holds");
        return c.rc;
    }
    const stix_def *d = stix__def_find(type);
    const stix_def *common;
    if (d) {
        common = d->common;
    } else {
        if (!stix__type_name_ok(type, strlen(type)))
            WARN(&c, "type",
                 "custom type name \"%.100s\" breaks the STIX 2.1 rules: expected 3-250 characters of "
                 "a-z, 0-9 and '-', starting with a letter, without \"--\" (x- prefix recommended)",
                 type);
        /* A custom object with created/modified is shaped like an SDO (11.2); otherwise like an SCO. */
        int sdo_like = json_object_get(obj, "created") || json_object_get(obj, "modified");
        common = sdo_like ? &stix__common_sdo : &stix__common_sco;
    }
    walk(&c, obj, d, common, 1);
    return c.rc;
}

/* ---- rules across properties ------------------------------------------------------ */

/* Reports when obj[later] is earlier than obj[earlier] (or not later, when strict). */
static void time_order(stix_vctx *c, json_t *obj, const char *earlier, const char *later, int strict)
{
    vg_time a, b;
    if (!stix__get_time(obj, earlier, &a) || !stix__get_time(obj, later, &b))
        return;
    int cmp = vg_time_cmp(&b, &a);
    if (cmp < 0 || (strict && cmp == 0))
        ERR(c, later, "%s (%s) must be %s %s (%s)", later, json_string_value(json_object_get(obj, later)),
            strict ? "later than" : "the same as or later than", earlier,
            json_string_value(json_object_get(obj, earlier)));
}

static int has(json_t *obj, const char *k)
{
    return json_object_get(obj, k) != NULL;
}

STIX__CHECK(common)
{
    (void)d;
    if (c->has_created && c->has_modified && vg_time_cmp(&c->modified, &c->created) < 0)
        ERR(c, "modified", "modified (%s) must be the same as or later than created (%s)",
            json_string_value(json_object_get(obj, "modified")),
            json_string_value(json_object_get(obj, "created")));
}

STIX__CHECK(external_reference)
{
    (void)d;
    if (!has(obj, "description") && !has(obj, "url") && !has(obj, "external_id"))
        ERR(c, NULL,
            "an external reference needs description, url or external_id besides source_name "
            "(STIX 2.1 section 2.4)");
    const char *src = json_string_value(json_object_get(obj, "source_name"));
    const char *xid = json_string_value(json_object_get(obj, "external_id"));
    if (!src || !xid)
        return;
    if (strcmp(src, "cve") == 0) {
        int ok = strncmp(xid, "CVE-", 4) == 0 && strlen(xid) >= 13 && xid[8] == '-';
        for (size_t i = 4; ok && xid[i]; i++)
            ok = i == 8 || (xid[i] >= '0' && xid[i] <= '9');
        if (!ok)
            ERR(c, "external_id", "\"%.60s\" is not a CVE id: expected CVE-YYYY-NNNN", xid);
    } else if (strcmp(src, "capec") == 0) {
        int ok = strncmp(xid, "CAPEC-", 6) == 0 && xid[6];
        for (size_t i = 6; ok && xid[i]; i++)
            ok = xid[i] >= '0' && xid[i] <= '9';
        if (!ok)
            ERR(c, "external_id", "\"%.60s\" is not a CAPEC id: expected CAPEC-N", xid);
    }
}

STIX__CHECK(granular_marking)
{
    (void)d;
    int l = has(obj, "lang"), m = has(obj, "marking_ref");
    if (l == m)
        ERR(c, NULL, "a granular marking needs exactly one of marking_ref and lang (STIX 2.1 section 7.2.3)");
}

STIX__CHECK(mime_part)
{
    (void)d;
    if (has(obj, "body") && has(obj, "body_raw_ref"))
        ERR(c, NULL, "a MIME part has body or body_raw_ref, not both (STIX 2.1 section 6.6.2)");
}

STIX__CHECK(seen)
{
    (void)d;
    time_order(c, obj, "first_seen", "last_seen", 0);
}

STIX__CHECK(indicator)
{
    (void)d;
    time_order(c, obj, "valid_from", "valid_until", 1);
}

STIX__CHECK(location)
{
    (void)d;
    json_t *lat = json_object_get(obj, "latitude"), *lon = json_object_get(obj, "longitude");
    if (!has(obj, "region") && !has(obj, "country") && !(lat && lon))
        ERR(c, NULL, "a location needs region, country, or latitude and longitude (STIX 2.1 section 4.10)");
    if (!!lat != !!lon)
        ERR(c, lat ? "longitude" : "latitude", "latitude and longitude go together: one is missing");
    if (has(obj, "precision") && !(lat && lon))
        ERR(c, "precision", "precision needs latitude and longitude");
    if (json_is_number(lat) && (json_number_value(lat) < -90.0 || json_number_value(lat) > 90.0))
        ERR(c, "latitude", "expected a latitude from -90.0 to 90.0, got %g", json_number_value(lat));
    if (json_is_number(lon) && (json_number_value(lon) < -180.0 || json_number_value(lon) > 180.0))
        ERR(c, "longitude", "expected a longitude from -180.0 to 180.0, got %g", json_number_value(lon));
}

STIX__CHECK(malware)
{
    if (json_is_true(json_object_get(obj, "is_family")) && !has(obj, "name"))
        ERR(c, "name",
            "missing \"name\": a malware family (is_family true) must have a name (STIX 2.1 section 4.11)");
    stix__check_seen(c, obj, d);
}

STIX__CHECK(malware_analysis)
{
    (void)d;
    if (!has(obj, "result") && !has(obj, "analysis_sco_refs"))
        ERR(c, NULL, "a malware-analysis needs result or analysis_sco_refs (STIX 2.1 section 4.12)");
}

STIX__CHECK(observed_data)
{
    (void)d;
    time_order(c, obj, "first_observed", "last_observed", 0);
    int o = has(obj, "objects"), r = has(obj, "object_refs");
    if (o && r)
        ERR(c, "objects", "objects (deprecated) must not be present together with object_refs");
    else if (!o && !r)
        ERR(c, NULL,
            "an observed-data needs object_refs (or the deprecated objects) (STIX 2.1 section 4.14)");
}

STIX__CHECK(relationship)
{
    (void)d;
    const char *rt = json_string_value(json_object_get(obj, "relationship_type"));
    if (rt) {
        int ok = *rt != '\0';
        for (const char *s = rt; ok && *s; s++)
            ok = (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-';
        if (!ok)
            ERR(c, "relationship_type",
                "\"%.100s\" is not a relationship type: expected a-z, 0-9 and '-' only", rt);
    }
    time_order(c, obj, "start_time", "stop_time", 1);
}

STIX__CHECK(sighting)
{
    stix__check_seen(c, obj, d);
}

STIX__CHECK(artifact)
{
    (void)d;
    int bin = has(obj, "payload_bin"), url = has(obj, "url");
    if (bin == url)
        ERR(c, NULL, "an artifact has exactly one of payload_bin and url (STIX 2.1 section 6.1)");
    if (url && !has(obj, "hashes"))
        ERR(c, "hashes", "missing \"hashes\": required when url is present (STIX 2.1 section 6.1)");
    if (has(obj, "decryption_key") && !has(obj, "encryption_algorithm"))
        ERR(c, "decryption_key", "decryption_key needs encryption_algorithm");
}

STIX__CHECK(email_message)
{
    (void)d;
    json_t *mp = json_object_get(obj, "is_multipart");
    if (json_is_true(mp) && has(obj, "body"))
        ERR(c, "body", "body must not be present when is_multipart is true (use body_multipart)");
    if (json_is_false(mp) && has(obj, "body_multipart"))
        ERR(c, "body_multipart", "body_multipart must not be present when is_multipart is false");
}

STIX__CHECK(file)
{
    (void)d;
    if (!has(obj, "hashes") && !has(obj, "name"))
        ERR(c, NULL, "a file needs hashes or name (STIX 2.1 section 6.7)");
}

STIX__CHECK(network_traffic)
{
    (void)d;
    if (!has(obj, "src_ref") && !has(obj, "dst_ref"))
        ERR(c, NULL, "a network-traffic needs src_ref or dst_ref (STIX 2.1 section 6.12)");
    if (json_is_true(json_object_get(obj, "is_active")) && has(obj, "end"))
        ERR(c, "end", "end must not be present when is_active is true");
    time_order(c, obj, "start", "end", 0);
}

STIX__CHECK(at_least_one)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) if (stix__prop_find(d, k)) return;
    ERR(c, NULL,
        "a %s needs at least one of its own properties besides the common ones (STIX 2.1 section %s)",
        d->name, d->section);
}

STIX__CHECK(language_content)
{
    (void)d;
    json_t *contents = json_object_get(obj, "contents");
    if (!json_is_object(contents))
        return;
    const char *k;
    json_t *v;
    stix__path_key(c, "contents");
    json_object_foreach(contents, k, v)
    {
        if (!json_is_object(v) || json_object_size(v) == 0)
            ERR(c, k, "expected a non-empty object of translated properties for language \"%.40s\"", k);
    }
    stix__path_pop(c);
}

/* The four TLP marking definitions of STIX 2.1 section 7.2.1.4, with their fixed ids. */
static const struct {
    const char *level, *id, *name;
} tlp[] = {
    {"white", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:WHITE"},
    {"green", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN"},
    {"amber", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER"},
    {"red", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED"},
};

const char *stix__tlp_name(const char *level)
{
    for (size_t i = 0; i < sizeof tlp / sizeof tlp[0]; i++)
        if (strcmp(level, tlp[i].level) == 0)
            return tlp[i].name;
    return NULL;
}

STIX__CHECK(marking_definition)
{
    (void)d;
    json_t *def = json_object_get(obj, "definition");
    const char *dt = json_string_value(json_object_get(obj, "definition_type"));
    if (!has(obj, "extensions")) {
        if (!has(obj, "definition_type"))
            ERR(c, "definition_type",
                "missing \"definition_type\": required unless the marking uses extensions "
                "(STIX 2.1 section 7.2.1)");
        if (!def)
            ERR(c, "definition",
                "missing \"definition\": required unless the marking uses extensions "
                "(STIX 2.1 section 7.2.1)");
    }
    if (!dt || !json_is_object(def))
        return;
    if (strcmp(dt, "statement") == 0) {
        if (!json_is_string(json_object_get(def, "statement"))) {
            stix__path_key(c, "definition");
            ERR(c, "statement", "a statement marking needs definition.statement as a string");
            stix__path_pop(c);
        }
    } else if (strcmp(dt, "tlp") == 0) {
        const char *level = json_string_value(json_object_get(def, "tlp"));
        size_t i;
        for (i = 0; level && i < sizeof tlp / sizeof tlp[0]; i++)
            if (strcmp(level, tlp[i].level) == 0)
                break;
        if (!level || i == sizeof tlp / sizeof tlp[0]) {
            stix__path_key(c, "definition");
            ERR(c, "tlp", "expected definition.tlp to be white, green, amber or red");
            stix__path_pop(c);
            return;
        }
        const char *id = json_string_value(json_object_get(obj, "id"));
        if (id && strcmp(id, tlp[i].id) != 0)
            ERR(c, "id", "a TLP %s marking must use the predefined id %s (STIX 2.1 section 7.2.1.4)", level,
                tlp[i].id);
        const char *name = json_string_value(json_object_get(obj, "name"));
        if (!name)
            WARN(c, "name", "the predefined TLP markings of STIX 2.1 carry name \"%s\"", tlp[i].name);
    }
}

STIX__CHECK(extension_definition)
{
    (void)d;
    json_t *types = json_object_get(obj, "extension_types");
    if (!has(obj, "extension_properties"))
        return;
    size_t i;
    json_t *x;
    json_array_foreach(types, i,
                       x) if (json_is_string(x) &&
                              strcmp(json_string_value(x), "toplevel-property-extension") == 0) return;
    ERR(c, "extension_properties",
        "extension_properties is only for extensions whose extension_types include "
        "toplevel-property-extension");
}
